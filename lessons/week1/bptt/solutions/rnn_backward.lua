-- rnn_backward — backpropagation through time for a basic RNN
-- (reference solution).
local M = {}

-- Given: the forward pass, for your own experiments (the tests build their
-- caches with their own copy).  Returns a, y_pred and
-- caches = {list of {a_next, a_prev, xt, parameters}, x}.
local function rnn_forward(x, a0, parameters)
  local p = parameters
  local n_x, m, T_x = table.unpack(x:shape())
  local a = np.zeros(a0:size(1), m, T_x)
  local y_pred = np.zeros(p.Wya:size(1), m, T_x)
  local caches, a_next = {}, a0
  for t = 1, T_x do
    local xt, a_prev = x:select(3, t), a_next
    a_next = seq.tanh(p.Wax:matmul(xt) + p.Waa:matmul(a_prev) + p.ba)
    a:select(3, t):copy_(a_next)
    y_pred:select(3, t):copy_((p.Wya:matmul(a_next) + p.by):softmax(1))
    caches[t] = { a_next, a_prev, xt, parameters }
  end
  return a, y_pred, { caches, x }
end
M.rnn_forward = rnn_forward

-- Given: the cell of the previous exercise, so that this file stands on
-- its own.  Same arguments and results as rnn_cell_backward.
local function rnn_cell_backward(da_next, cache)
  local a_next, a_prev, xt, p = table.unpack(cache, 1, 4)
  local dtanh = da_next * (1 - a_next ^ 2)
  return { dxt = p.Wax:t():matmul(dtanh), da_prev = p.Waa:t():matmul(dtanh),
           dWax = dtanh:matmul(xt:t()), dWaa = dtanh:matmul(a_prev:t()),
           dba = dtanh:sum(2, true) }
end

--- Backpropagation through time over a whole sequence.
---   da      (n_a, m, T_x)  the gradient of the loss with respect to every
---                          hidden state, coming from above (the outputs)
---   caches  {list of the cell caches, x}, from rnn_forward
--- Returns the table gradients = {dx (n_x, m, T_x), da0 (n_a, m),
--- dWax (n_a, n_x), dWaa (n_a, n_a), dba (n_a, 1)}.
function M.rnn_backward(da, caches)
  local cell_caches, x = caches[1], caches[2]
  local n_a, m, T_x = table.unpack(da:shape())
  local n_x = x:size(1)

  local dx = np.zeros(n_x, m, T_x)
  local dWax = np.zeros(n_a, n_x)
  local dWaa = np.zeros(n_a, n_a)
  local dba = np.zeros(n_a, 1)
  local da_prevt = np.zeros(n_a, m) -- nothing comes from after the last step

  for t = T_x, 1, -1 do
    -- a<t> feeds two things: the output at step t (da) and the next step
    -- (da_prevt, computed by the previous iteration).  Add both.
    local g = rnn_cell_backward(da:select(3, t) + da_prevt, cell_caches[t])
    dx:select(3, t):copy_(g.dxt)
    da_prevt = g.da_prev
    -- the weights are shared by every step: sum their gradients
    dWax = dWax + g.dWax
    dWaa = dWaa + g.dWaa
    dba = dba + g.dba
  end

  return { dx = dx, da0 = da_prevt, dWax = dWax, dWaa = dWaa, dba = dba }
end

return M
