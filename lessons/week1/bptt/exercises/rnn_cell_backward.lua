-- rnn_cell_backward — the gradients of one RNN step.
--
-- Fill in the lines marked YOUR CODE HERE, then run the tests.
-- The derivatives are on the page "Backpropagation through time".
local M = {}

-- Given: the forward cell, for your own experiments (the tests build their
-- caches with their own copy).  cache = {a_next, a_prev, xt, parameters}.
local function rnn_cell_forward(xt, a_prev, parameters)
  local p = parameters
  local a_next = seq.tanh(p.Wax:matmul(xt) + p.Waa:matmul(a_prev) + p.ba)
  local yt_pred = (p.Wya:matmul(a_next) + p.by):softmax(1)
  return a_next, yt_pred, { a_next, a_prev, xt, parameters }
end
M.rnn_cell_forward = rnn_cell_forward

--- The backward pass of one RNN step.
---   da_next  (n_a, m)  dL/da<t>: the gradient reaching this step's state
---   cache    {a_next, a_prev, xt, parameters}, from rnn_cell_forward
--- Returns the table gradients = {dxt (n_x, m), da_prev (n_a, m),
--- dWax (n_a, n_x), dWaa (n_a, n_a), dba (n_a, 1)}.
function M.rnn_cell_backward(da_next, cache)
  local a_next, a_prev, xt, parameters = table.unpack(cache, 1, 4)
  local Wax = parameters.Wax
  local Waa = parameters.Waa

  -- YOUR CODE HERE: the gradient through the tanh, dL/dz (n_a, m), using
  -- a_next = tanh(z)
  local dtanh = nil

  -- YOUR CODE HERE: the gradients of z = Wax xt + Waa a_prev + ba
  local dxt = nil
  local dWax = nil
  local da_prev = nil
  local dWaa = nil
  local dba = nil -- keep the (n_a, 1) shape

  return { dxt = dxt, da_prev = da_prev, dWax = dWax, dWaa = dWaa,
           dba = dba }
end

return M
