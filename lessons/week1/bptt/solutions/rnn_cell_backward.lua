-- rnn_cell_backward — the gradients of one RNN step (reference solution).
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

  -- Through the tanh: tanh'(z) = 1 - tanh(z)^2, and a_next is tanh(z).
  local dtanh = da_next * (1 - a_next ^ 2)

  -- z = Wax xt + Waa a_prev + ba: each product passes the gradient to
  -- both of its factors, the bias sums it over the batch.
  local dxt = Wax:t():matmul(dtanh)
  local dWax = dtanh:matmul(xt:t())
  local da_prev = Waa:t():matmul(dtanh)
  local dWaa = dtanh:matmul(a_prev:t())
  local dba = dtanh:sum(2, true)

  return { dxt = dxt, da_prev = da_prev, dWax = dWax, dWaa = dWaa,
           dba = dba }
end

return M
