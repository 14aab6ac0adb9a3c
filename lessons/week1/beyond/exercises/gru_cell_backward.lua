-- gru_cell_backward — the gradients of one step of the lecture's GRU.
--
-- Fill in the parts marked YOUR CODE HERE, then run the tests.
-- The derivatives are on the page "The GRU".
local M = {}

-- Given: the forward cell of the previous exercise, for your own
-- experiments (the tests build their caches with their own copy).
-- cache = {a_next, a_prev, ut, rt, cct, xt, parameters}.
local function gru_cell_forward(xt, a_prev, parameters)
  local p = parameters
  local concat = seq.cat({ a_prev, xt }, 1)
  local ut = seq.sigmoid(p.Wu:matmul(concat) + p.bu)
  local rt = seq.sigmoid(p.Wr:matmul(concat) + p.br)
  local cct = seq.tanh(p.Wc:matmul(seq.cat({ rt * a_prev, xt }, 1)) + p.bc)
  local a_next = ut * cct + (1 - ut) * a_prev
  local yt_pred = (p.Wy:matmul(a_next) + p.by):softmax(1)
  return a_next, yt_pred, { a_next, a_prev, ut, rt, cct, xt, parameters }
end
M.gru_cell_forward = gru_cell_forward

--- The backward pass of one step of the lecture's GRU.
---   da_next  (n_a, m)  dL/da<t>, the gradient reaching this step's state
---   cache    {a_next, a_prev, ut, rt, cct, xt, parameters}
--- Returns the table gradients = {dxt (n_x, m), da_prev (n_a, m),
--- dWu, dWr, dWc (n_a, n_a + n_x), dbu, dbr, dbc (n_a, 1)}.
--- Like the course's backward functions it stops at the state: Wy and
--- by get no gradient here.
function M.gru_cell_backward(da_next, cache)
  local a_next, a_prev, ut, rt, cct, xt, parameters = table.unpack(cache, 1, 7)
  local Wu, Wr, Wc = parameters.Wu, parameters.Wr, parameters.Wc
  local n_a = a_prev:size(1)
  local n_x = xt:size(1)

  -- YOUR CODE HERE: a<t> = ut * cct + (1 - ut) * a_prev; the gradients
  -- of cct and ut, and the part that goes straight to a_prev
  local dcct = nil
  local dut = nil
  local da_direct = nil

  -- YOUR CODE HERE: the pre-activation gradients of the candidate (tanh)
  -- and of the update gate (sigmoid)
  local dzc = nil
  local dzu = nil

  -- YOUR CODE HERE: the candidate read concat_r = [rt * a_prev; xt]:
  -- dWc, dbc, the gradient of concat_r, and its first n_a rows (the
  -- gradient of rt * a_prev)
  local dWc, dbc = nil, nil
  local dconcat_r = nil
  local d_ra = nil

  -- YOUR CODE HERE: the pre-activation gradient of the relevance gate
  local dzr = nil

  -- YOUR CODE HERE: the gates read concat = [a_prev; xt]: their weight
  -- and bias gradients, and the gradient of concat
  local dWu, dbu = nil, nil
  local dWr, dbr = nil, nil
  local dconcat = nil

  -- YOUR CODE HERE: add up every path to a_prev and to xt
  local da_prev = nil
  local dxt = nil

  return { dxt = dxt, da_prev = da_prev, dWu = dWu, dbu = dbu,
           dWr = dWr, dbr = dbr, dWc = dWc, dbc = dbc }
end

return M
