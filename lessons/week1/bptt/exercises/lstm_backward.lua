-- lstm_backward — backpropagation through time for an LSTM.
--
-- Fill in the parts marked YOUR CODE HERE, then run the tests.
-- The loop is described on the page "The LSTM backward pass".
local M = {}

-- Given: the forward pass, for your own experiments (the tests build their
-- caches with their own copy).  Returns a, y, c and
-- caches = {list of the 10-value cell caches, x}.
local function lstm_forward(x, a0, parameters)
  local p = parameters
  local n_x, m, T_x = table.unpack(x:shape())
  local n_a = a0:size(1)
  local a, c = np.zeros(n_a, m, T_x), np.zeros(n_a, m, T_x)
  local y = np.zeros(p.Wy:size(1), m, T_x)
  local caches, a_next, c_next = {}, a0, np.zeros(n_a, m)
  for t = 1, T_x do
    local xt, a_prev, c_prev = x:select(3, t), a_next, c_next
    local concat = seq.cat({ a_prev, xt }, 1)
    local ft = seq.sigmoid(p.Wf:matmul(concat) + p.bf)
    local it = seq.sigmoid(p.Wi:matmul(concat) + p.bi)
    local cct = seq.tanh(p.Wc:matmul(concat) + p.bc)
    c_next = ft * c_prev + it * cct
    local ot = seq.sigmoid(p.Wo:matmul(concat) + p.bo)
    a_next = ot * seq.tanh(c_next)
    a:select(3, t):copy_(a_next)
    c:select(3, t):copy_(c_next)
    y:select(3, t):copy_((p.Wy:matmul(a_next) + p.by):softmax(1))
    caches[t] = { a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt,
                  parameters }
  end
  return a, y, c, { caches, x }
end
M.lstm_forward = lstm_forward

-- Given: the cell of the previous exercise, so that this file stands on
-- its own.  Same arguments and results as lstm_cell_backward.
local function lstm_cell_backward(da_next, dc_next, cache)
  local a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p =
    table.unpack(cache, 1, 10)
  local n_a, n_x = a_next:size(1), xt:size(1)
  local tanh_c = seq.tanh(c_next)
  local dc = dc_next + da_next * ot * (1 - tanh_c ^ 2)
  local d = { o = da_next * tanh_c * ot * (1 - ot),
              c = dc * it * (1 - cct ^ 2),
              i = dc * cct * it * (1 - it),
              f = dc * c_prev * ft * (1 - ft) }
  local concat_t = seq.cat({ a_prev, xt }, 1):t()
  local g, dconcat = {}, nil
  for _, k in ipairs { "f", "i", "c", "o" } do
    g["dW" .. k] = d[k]:matmul(concat_t)
    g["db" .. k] = d[k]:sum(2, true)
    local part = p["W" .. k]:t():matmul(d[k])
    dconcat = dconcat and dconcat + part or part
  end
  g.da_prev = dconcat:narrow(1, 1, n_a)
  g.dxt = dconcat:narrow(1, n_a + 1, n_x)
  g.dc_prev = dc * ft
  return g
end

--- Backpropagation through time for an LSTM.
---   da      (n_a, m, T)  the gradient of the loss with respect to the
---                        hidden states of steps 1..T, coming from above;
---                        the memory receives no gradient from above
---   caches  {list of the cell caches, x}, from lstm_forward
--- T is read from da: only the first T caches are used.
--- Returns the table gradients = {dx (n_x, m, T), da0 (n_a, m),
--- dWf, dWi, dWc, dWo (n_a, n_a + n_x), dbf, dbi, dbc, dbo (n_a, 1)}.
function M.lstm_backward(da, caches)
  local cell_caches, x = caches[1], caches[2]
  local n_a, m, T_x = table.unpack(da:shape())
  local n_x = x:size(1)

  -- YOUR CODE HERE: float64 zeros for dx and the eight weight and bias
  -- gradients, with the shapes listed above
  local dx = nil
  local dWf, dWi, dWc, dWo = nil, nil, nil, nil
  local dbf, dbi, dbc, dbo = nil, nil, nil, nil

  -- YOUR CODE HERE: the gradients flowing in from step t + 1, to the
  -- state and to the memory (zeros before the last step)
  local da_prevt = nil
  local dc_prevt = nil

  for t = T_x, 1, -1 do
    -- YOUR CODE HERE: run the cell backward on step t, store its dxt in
    -- slot t of dx, keep da_prev and dc_prev for step t - 1, and add up
    -- the weight and bias gradients
  end

  -- YOUR CODE HERE: da0 is the state gradient that leaves step 1
  local da0 = nil

  return { dx = dx, da0 = da0,
           dWf = dWf, dbf = dbf, dWi = dWi, dbi = dbi,
           dWc = dWc, dbc = dbc, dWo = dWo, dbo = dbo }
end

return M
