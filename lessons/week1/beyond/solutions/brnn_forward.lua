-- brnn_forward — a bidirectional RNN over a whole sequence
-- (reference solution).
local M = {}

-- Given: one step of a plain tanh RNN, without the prediction.
--   a<t> = tanh(Wax x<t> + Waa a<t-1> + ba),  p = {Wax, Waa, ba}
local function rnn_step(xt, a_prev, p)
  return seq.tanh(p.Wax:matmul(xt) + p.Waa:matmul(a_prev) + p.ba)
end

--- A bidirectional RNN over T_x time steps.
---   x           (n_x, m, T_x)  the input sequence
---   a0_f, a0_b  (n_a, m)       the states the two directions start from
---   parameters  {fwd = {Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1)},
---                bwd = {Wax, Waa, ba, same shapes},
---                Wy (n_y, 2 n_a), by (n_y, 1)}
--- The forward direction reads x<1>, x<2>, ..., x<T_x> starting from
--- a0_f; the backward direction reads x<T_x>, ..., x<1> starting from
--- a0_b.  Each state is stored at the time step it belongs to.
--- Returns
---   a       (2 n_a, m, T_x): at step t, rows 1..n_a hold the forward
---           state and rows n_a+1..2 n_a the backward state of step t
---   y_pred  (n_y, m, T_x): softmax(Wy a<t> + by) over dim 1 at each step
function M.brnn_forward(x, a0_f, a0_b, parameters)
  local n_x, m, T_x = table.unpack(x:shape())
  local n_a = a0_f:size(1)
  local n_y = parameters.Wy:size(1)
  local a = np.zeros(2 * n_a, m, T_x)
  local y_pred = np.zeros(n_y, m, T_x)

  -- left to right, into the top half of a
  local a_f = a0_f
  for t = 1, T_x do
    a_f = rnn_step(x:select(3, t), a_f, parameters.fwd)
    a:select(3, t):narrow(1, 1, n_a):copy_(a_f)
  end

  -- right to left, into the bottom half, still at slot t
  local a_b = a0_b
  for t = T_x, 1, -1 do
    a_b = rnn_step(x:select(3, t), a_b, parameters.bwd)
    a:select(3, t):narrow(1, n_a + 1, n_a):copy_(a_b)
  end

  -- only now is a<t> complete: each prediction sees both halves
  for t = 1, T_x do
    local z = parameters.Wy:matmul(a:select(3, t)) + parameters.by
    y_pred:select(3, t):copy_(z:softmax(1))
  end

  return a, y_pred
end

return M
