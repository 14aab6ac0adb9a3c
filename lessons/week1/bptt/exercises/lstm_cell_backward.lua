-- lstm_cell_backward — the gradients of one LSTM step.
--
-- Fill in the lines marked YOUR CODE HERE, then run the tests.
-- The derivatives are on the page "The LSTM backward pass".
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

  -- YOUR CODE HERE: the total gradient on the memory c<t>: dc_next plus
  -- what comes back through a<t> = ot * tanh(c<t>)
  local dc = nil

  -- YOUR CODE HERE: the gradients of the four gate pre-activations
  local dot = nil
  local dcct = nil
  local dit = nil
  local dft = nil

  -- YOUR CODE HERE: the weight and bias gradients; every gate read
  -- concat = [a_prev; xt]
  local dWf, dWi, dWc, dWo = nil, nil, nil, nil
  local dbf, dbi, dbc, dbo = nil, nil, nil, nil

  -- YOUR CODE HERE: the gradient of concat (all four gates add to it),
  -- split into its first n_a rows and its last n_x rows
  local da_prev = nil
  local dxt = nil

  -- YOUR CODE HERE: the gradient that flows to the previous memory
  local dc_prev = nil

  return { dxt = dxt, da_prev = da_prev, dc_prev = dc_prev,
           dWf = dWf, dbf = dbf, dWi = dWi, dbi = dbi,
           dWc = dWc, dbc = dbc, dWo = dWo, dbo = dbo }
end

return M
