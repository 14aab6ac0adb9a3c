-- lstm_cell_forward — one time step of an LSTM (reference solution).
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

  -- Every gate reads the previous state stacked on top of the input.
  local concat = seq.cat({ a_prev, xt }, 1) -- (n_a + n_x, m)

  local ft = seq.sigmoid(Wf:matmul(concat) + bf)
  local it = seq.sigmoid(Wi:matmul(concat) + bi)
  local cct = seq.tanh(Wc:matmul(concat) + bc)
  -- keep part of the old memory, write part of the candidate
  local c_next = ft * c_prev + it * cct
  local ot = seq.sigmoid(Wo:matmul(concat) + bo)
  local a_next = ot * seq.tanh(c_next)

  local yt_pred = (Wy:matmul(a_next) + by):softmax(1)

  local cache = { a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt,
                  parameters }
  return a_next, c_next, yt_pred, cache
end

return M
