-- lstm_cell_backward — the gradients of one LSTM step (reference solution).
local M = {}

-- Given: the forward cell, for your own experiments (the tests build their
-- caches with their own copy).
-- cache = {a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters}.
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
M.lstm_cell_forward = lstm_cell_forward

--- The backward pass of one LSTM step.
---   da_next  (n_a, m)  dL/da<t>, the gradient reaching this step's state
---   dc_next  (n_a, m)  dL/dc<t>, the gradient reaching its memory from t+1
---   cache    the 10 values kept by lstm_cell_forward
--- Returns the table gradients = {dxt (n_x, m), da_prev (n_a, m),
--- dc_prev (n_a, m), dWf, dWi, dWc, dWo (n_a, n_a + n_x),
--- dbf, dbi, dbc, dbo (n_a, 1)}.
function M.lstm_cell_backward(da_next, dc_next, cache)
  local a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters =
    table.unpack(cache, 1, 10)
  local n_a = a_next:size(1)
  local n_x = xt:size(1)

  -- a<t> = ot * tanh(c<t>): the memory gets a second gradient through the
  -- state, added to the one that came from step t + 1.
  local tanh_c = seq.tanh(c_next)
  local dc = dc_next + da_next * ot * (1 - tanh_c ^ 2)

  -- Each gate's gradient, taken back through its sigmoid or tanh.
  local dot = da_next * tanh_c * ot * (1 - ot)
  local dcct = dc * it * (1 - cct ^ 2)
  local dit = dc * cct * it * (1 - it)
  local dft = dc * c_prev * ft * (1 - ft)

  -- Every gate read the same concat = [a_prev; xt].
  local concat = seq.cat({ a_prev, xt }, 1)
  local dWf = dft:matmul(concat:t())
  local dWi = dit:matmul(concat:t())
  local dWc = dcct:matmul(concat:t())
  local dWo = dot:matmul(concat:t())
  local dbf = dft:sum(2, true)
  local dbi = dit:sum(2, true)
  local dbc = dcct:sum(2, true)
  local dbo = dot:sum(2, true)

  -- concat fed four gates: add the four gradients, then split the rows.
  local p = parameters
  local dconcat = p.Wf:t():matmul(dft) + p.Wi:t():matmul(dit)
    + p.Wc:t():matmul(dcct) + p.Wo:t():matmul(dot)
  local da_prev = dconcat:narrow(1, 1, n_a)
  local dxt = dconcat:narrow(1, n_a + 1, n_x)

  -- c<t> = ft * c<t-1> + ...: the memory passes back scaled by the gate.
  local dc_prev = dc * ft

  return { dxt = dxt, da_prev = da_prev, dc_prev = dc_prev,
           dWf = dWf, dbf = dbf, dWi = dWi, dbi = dbi,
           dWc = dWc, dbc = dbc, dWo = dWo, dbo = dbo }
end

return M
