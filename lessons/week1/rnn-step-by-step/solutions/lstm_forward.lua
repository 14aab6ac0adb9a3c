-- lstm_forward — an LSTM run over a whole sequence (reference solution).
local M = {}

-- Given: the cell of the previous exercise, so that this file stands on
-- its own.  Same arguments and results as lstm_cell_forward.
local function lstm_cell_forward(xt, a_prev, c_prev, parameters)
  local p = parameters
  local concat = seq.cat({ a_prev, xt }, 1)
  local ft = seq.sigmoid(p.Wf:matmul(concat) + p.bf)
  local it = seq.sigmoid(p.Wi:matmul(concat) + p.bi)
  local cct = seq.tanh(p.Wc:matmul(concat) + p.bc)
  local c_next = ft * c_prev + it * cct
  local ot = seq.sigmoid(p.Wo:matmul(concat) + p.bo)
  local a_next = ot * seq.tanh(c_next)
  local yt_pred = (p.Wy:matmul(a_next) + p.by):softmax(1)
  return a_next, c_next, yt_pred,
    { a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters }
end

--- The forward pass of an LSTM over T_x time steps.
---   x          (n_x, m, T_x)  the input sequence; step t is x:select(3, t)
---   a0         (n_a, m)       the initial hidden state; the memory cell
---                             starts at zeros
---   parameters as for lstm_cell_forward
--- Returns a (n_a, m, T_x), y (n_y, m, T_x), c (n_a, m, T_x) and
--- caches = {list of the T_x cell caches, x}.
function M.lstm_forward(x, a0, parameters)
  local caches = {}
  local n_x, m, T_x = table.unpack(x:shape())
  local n_y, n_a = table.unpack(parameters.Wy:shape())

  local a = np.zeros(n_a, m, T_x)
  local c = np.zeros(n_a, m, T_x)
  local y = np.zeros(n_y, m, T_x)

  local a_next = a0
  local c_next = np.zeros(n_a, m)
  for t = 1, T_x do
    local xt = x:select(3, t)
    local yt, cache
    a_next, c_next, yt, cache = lstm_cell_forward(xt, a_next, c_next,
                                                  parameters)
    a:select(3, t):copy_(a_next)
    c:select(3, t):copy_(c_next)
    y:select(3, t):copy_(yt)
    caches[t] = cache
  end

  return a, y, c, { caches, x }
end

return M
