-- rnn_cell_forward — one time step of a basic RNN.
--
-- Fill in the two lines marked YOUR CODE HERE, then run the tests.
-- The equations are on the page "The RNN cell and forward pass".
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

  -- YOUR CODE HERE: the next hidden state, tanh(Waa a_prev + Wax xt + ba)
  local a_next = nil
  -- YOUR CODE HERE: the prediction, a softmax over the classes (dim 1)
  local yt_pred = nil

  local cache = { a_next, a_prev, xt, parameters }
  return a_next, yt_pred, cache
end

return M
