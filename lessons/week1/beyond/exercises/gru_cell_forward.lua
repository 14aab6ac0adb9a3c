-- gru_cell_forward — one time step of the lecture's GRU.
--
-- Fill in the parts marked YOUR CODE HERE, then run the tests.
-- The equations are on the page "The GRU".
local M = {}

--- One step of a GRU cell (the lecture's version, where the memory c<t>
--- is the hidden state a<t>), for a batch of m examples at once.
---   xt         (n_x, m)  the inputs at step t
---   a_prev     (n_a, m)  the state left by step t-1 (c<t-1> = a<t-1>)
---   parameters {Wu, Wr, Wc (n_a, n_a + n_x), bu, br, bc (n_a, 1),
---               Wy (n_y, n_a), by (n_y, 1)}
--- Returns a_next (n_a, m), yt_pred (n_y, m) and
--- cache = {a_next, a_prev, ut, rt, cct, xt, parameters}.
function M.gru_cell_forward(xt, a_prev, parameters)
  local Wu, bu = parameters.Wu, parameters.bu -- update gate
  local Wr, br = parameters.Wr, parameters.br -- relevance (reset) gate
  local Wc, bc = parameters.Wc, parameters.bc -- candidate
  local Wy, by = parameters.Wy, parameters.by -- prediction

  -- YOUR CODE HERE: a_prev stacked on top of xt, and the two gates
  local concat = nil
  local ut = nil
  local rt = nil

  -- YOUR CODE HERE: the candidate, which sees the state through rt
  local cct = nil

  -- YOUR CODE HERE: the new state, a blend of cct and a_prev set by ut
  local a_next = nil

  -- YOUR CODE HERE: the prediction, a softmax over the classes (dim 1)
  local yt_pred = nil

  local cache = { a_next, a_prev, ut, rt, cct, xt, parameters }
  return a_next, yt_pred, cache
end

return M
