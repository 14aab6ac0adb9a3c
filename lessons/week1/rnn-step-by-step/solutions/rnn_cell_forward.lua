-- rnn_cell_forward — one time step of a basic RNN (reference solution).
local M = {}

--- One step of an RNN cell, for a batch of m examples at once.
---   xt         (n_x, m)  the inputs at step t, one column per example
---   a_prev     (n_a, m)  the hidden state left by step t-1
---   parameters {Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a),
---               ba (n_a, 1), by (n_y, 1)}
--- Returns a_next (n_a, m), yt_pred (n_y, m) and
--- cache = {a_next, a_prev, xt, parameters} (kept for the backward pass).
function M.rnn_cell_forward(xt, a_prev, parameters)
  local Wax = parameters.Wax
  local Waa = parameters.Waa
  local Wya = parameters.Wya
  local ba = parameters.ba
  local by = parameters.by

  -- The new state mixes the old state with the new input; the (n_a, 1)
  -- bias broadcasts over the m columns.
  local a_next = seq.tanh(Waa:matmul(a_prev) + Wax:matmul(xt) + ba)
  -- Each column becomes a distribution over the n_y classes: dim 1.
  local yt_pred = (Wya:matmul(a_next) + by):softmax(1)

  local cache = { a_next, a_prev, xt, parameters }
  return a_next, yt_pred, cache
end

return M
