-- gru_cell_backward — the gradients of one step of the lecture's GRU
-- (reference solution).
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

  -- a<t> = ut * cct + (1 - ut) * a_prev: three paths out of da_next.
  local dcct = da_next * ut
  local dut = da_next * (cct - a_prev)
  local da_direct = da_next * (1 - ut) -- straight to a_prev

  -- Through the tanh and the sigmoid: pre-activation gradients.
  local dzc = dcct * (1 - cct ^ 2)
  local dzu = dut * ut * (1 - ut)

  -- The candidate read concat_r = [rt * a_prev; xt].
  local concat_r = seq.cat({ rt * a_prev, xt }, 1)
  local dWc = dzc:matmul(concat_r:t())
  local dbc = dzc:sum(2, true)
  local dconcat_r = Wc:t():matmul(dzc)
  local d_ra = dconcat_r:narrow(1, 1, n_a) -- gradient of rt * a_prev

  -- rt * a_prev: the gate gets a_prev times the gradient, and a_prev
  -- gets rt times it.
  local dzr = d_ra * a_prev * rt * (1 - rt)

  -- The gates read concat = [a_prev; xt].
  local concat = seq.cat({ a_prev, xt }, 1)
  local dWu = dzu:matmul(concat:t())
  local dbu = dzu:sum(2, true)
  local dWr = dzr:matmul(concat:t())
  local dbr = dzr:sum(2, true)
  local dconcat = Wu:t():matmul(dzu) + Wr:t():matmul(dzr)

  -- a_prev was used four times: the gates, the candidate (through rt)
  -- and the blend.  xt twice: the gates and the candidate.
  local da_prev = dconcat:narrow(1, 1, n_a) + d_ra * rt + da_direct
  local dxt = dconcat:narrow(1, n_a + 1, n_x)
    + dconcat_r:narrow(1, n_a + 1, n_x)

  return { dxt = dxt, da_prev = da_prev, dWu = dWu, dbu = dbu,
           dWr = dWr, dbr = dbr, dWc = dWc, dbc = dbc }
end

return M
