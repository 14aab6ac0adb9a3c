-- gru_cell_forward — one time step of the lecture's GRU (reference solution).
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

  -- Both gates read the previous state stacked on top of the input.
  local concat = seq.cat({ a_prev, xt }, 1) -- (n_a + n_x, m)
  local ut = seq.sigmoid(Wu:matmul(concat) + bu)
  local rt = seq.sigmoid(Wr:matmul(concat) + br)

  -- The candidate sees the state only through the relevance gate.
  local cct = seq.tanh(Wc:matmul(seq.cat({ rt * a_prev, xt }, 1)) + bc)

  -- Blend: ut = 1 writes the candidate, ut = 0 keeps the old state.
  local a_next = ut * cct + (1 - ut) * a_prev

  local yt_pred = (Wy:matmul(a_next) + by):softmax(1)

  local cache = { a_next, a_prev, ut, rt, cct, xt, parameters }
  return a_next, yt_pred, cache
end

return M
