-- lstm_cell_forward — one time step of an LSTM.
--
-- Fill in the parts marked YOUR CODE HERE, then run the tests.
-- The equations are on the page "The LSTM cell and forward pass".
local M = {}

--- One step of an LSTM cell, for a batch of m examples at once.
---   xt         (n_x, m)  the inputs at step t
---   a_prev     (n_a, m)  the hidden state left by step t-1
---   c_prev     (n_a, m)  the memory cell left by step t-1
---   parameters {Wf, Wi, Wc, Wo (n_a, n_a + n_x), bf, bi, bc, bo (n_a, 1),
---               Wy (n_y, n_a), by (n_y, 1)}
--- Returns a_next (n_a, m), c_next (n_a, m), yt_pred (n_y, m) and
--- cache = {a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters}.
function M.lstm_cell_forward(xt, a_prev, c_prev, parameters)
  local Wf, bf = parameters.Wf, parameters.bf -- forget gate
  local Wi, bi = parameters.Wi, parameters.bi -- update (input) gate
  local Wc, bc = parameters.Wc, parameters.bc -- candidate memory
  local Wo, bo = parameters.Wo, parameters.bo -- output gate
  local Wy, by = parameters.Wy, parameters.by -- prediction

  -- YOUR CODE HERE: a_prev stacked on top of xt, shape (n_a + n_x, m)
  local concat = nil

  -- YOUR CODE HERE: the gates, the candidate and the new memory and state
  local ft = nil
  local it = nil
  local cct = nil
  local c_next = nil
  local ot = nil
  local a_next = nil

  -- YOUR CODE HERE: the prediction, a softmax over the classes (dim 1)
  local yt_pred = nil

  local cache = { a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt,
                  parameters }
  return a_next, c_next, yt_pred, cache
end

return M
