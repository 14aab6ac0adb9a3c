-- deep_rnn_forward — stacked RNN layers over a whole sequence.
--
-- Fill in the parts marked YOUR CODE HERE, then run the tests.
-- The network is described on the page "Bidirectional and deep RNNs".
local M = {}

-- Given: one step of a plain tanh RNN, without the prediction.
--   a<t> = tanh(Wax x<t> + Waa a<t-1> + ba),  p = {Wax, Waa, ba}
local function rnn_step(xt, a_prev, p)
  return seq.tanh(p.Wax:matmul(xt) + p.Waa:matmul(a_prev) + p.ba)
end

--- A deep (stacked) RNN over T_x time steps.
---   x           (n_x, m, T_x)  the input sequence
---   a0          {a0[1] (n_a1, m), a0[2] (n_a2, m), ...}: the state each
---               layer starts from
---   parameters  {layers = {{Wax (n_a1, n_x), Waa (n_a1, n_a1),
---                           ba (n_a1, 1)},
---                          {Wax (n_a2, n_a1), Waa (n_a2, n_a2),
---                           ba (n_a2, 1)}, ...},
---                Wy (n_y, n_aL), by (n_y, 1)}
--- Layer 1 reads x<t>; layer l > 1 reads the state of layer l-1 at the
--- same step.  The tests use two layers; the code need not assume it.
--- Returns
---   a       {a[1] (n_a1, m, T_x), a[2] (n_a2, m, T_x), ...}: every state
---           of every layer
---   y_pred  (n_y, m, T_x): softmax(Wy aL<t> + by) over dim 1, read from
---           the top layer
function M.deep_rnn_forward(x, a0, parameters)
  local n_x, m, T_x = table.unpack(x:shape())
  local a = {}

  local inp = x -- what the current layer reads
  for l, p in ipairs(parameters.layers) do
    -- YOUR CODE HERE: a[l], float64 zeros (n_a of this layer, m, T_x),
    -- filled by running rnn_step over t = 1 .. T_x from a0[l] on inp;
    -- then this layer's states become the next layer's input
  end

  -- YOUR CODE HERE: y_pred (n_y, m, T_x), read from the top layer
  local y_pred = nil

  return a, y_pred
end

return M
