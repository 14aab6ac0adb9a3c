-- rnn_forward — a basic RNN run over a whole sequence (reference solution).
local M = {}

-- Given: the cell of the previous exercise, so that this file stands on
-- its own.  Same arguments and results as rnn_cell_forward.
local function rnn_cell_forward(xt, a_prev, parameters)
  local p = parameters
  local a_next = seq.tanh(p.Waa:matmul(a_prev) + p.Wax:matmul(xt) + p.ba)
  local yt_pred = (p.Wya:matmul(a_next) + p.by):softmax(1)
  return a_next, yt_pred, { a_next, a_prev, xt, parameters }
end

--- The forward pass of an RNN over T_x time steps.
---   x          (n_x, m, T_x)  the input sequence; step t is x:select(3, t)
---   a0         (n_a, m)       the initial hidden state
---   parameters as for rnn_cell_forward
--- Returns a (n_a, m, T_x), the hidden state of every step, y_pred
--- (n_y, m, T_x), the prediction of every step, and
--- caches = {list of the T_x cell caches, x}.
function M.rnn_forward(x, a0, parameters)
  local caches = {}
  local n_x, m, T_x = table.unpack(x:shape())
  local n_y, n_a = table.unpack(parameters.Wya:shape())

  local a = np.zeros(n_a, m, T_x)
  local y_pred = np.zeros(n_y, m, T_x)

  local a_next = a0
  for t = 1, T_x do
    local xt = x:select(3, t)
    local yt_pred, cache
    a_next, yt_pred, cache = rnn_cell_forward(xt, a_next, parameters)
    -- select gives a view: copying into it fills slot t of a and y_pred
    a:select(3, t):copy_(a_next)
    y_pred:select(3, t):copy_(yt_pred)
    caches[t] = cache
  end

  return a, y_pred, { caches, x }
end

return M
