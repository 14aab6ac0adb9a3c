-- Tests for music_inference_model.
--
-- The layers are made here (float64) and handed to the learner's function,
-- as the course hands over its trained LSTM_cell and densor.  Two cases
-- pin the feedback loop down:
--
-- - hand-made weights for 4 values and 4 hidden units, where the cell
--   stores the input's value in the unit of the same number and the dense
--   layer maps unit k to value k + 1 (4 to 1) and favours value 1 a
--   little.  From a zero x0 the most likely values are then 1, 2, 3, 4,
--   1, 2, 3 when the one-hot of each argmax is fed back.  Feeding back the
--   probabilities themselves gives 1, 1, ... instead, and never updating x
--   gives 1 at every step;
-- - random weights, compared with a float64 reference written here from
--   the LSTM equations (PyTorch's gate order i, f, g, o).

local function layers(n_values, n_a)
  return nn.LSTMCell(n_values, n_a, { dtype = "float64" }),
         nn.Linear(n_a, n_values, { dtype = "float64" })
end

local function set_weights(cell, densor, W)
  seq.no_grad(function()
    cell.weight_ih:copy_(W.w_ih)
    cell.weight_hh:copy_(W.w_hh)
    cell.bias_ih:copy_(W.b_ih)
    cell.bias_hh:copy_(W.b_hh)
    densor.weight:copy_(W.w_d)
    densor.bias:copy_(W.b_d)
  end)
end

local function rng_weights(seed, n_a, n_values)
  np.random.seed(seed)
  local H4 = 4 * n_a
  return {
    w_ih = np.random.randn(H4, n_values) * 0.5,
    w_hh = np.random.randn(H4, n_a) * 0.5,
    b_ih = np.random.randn(H4) * 0.5,
    b_hh = np.random.randn(H4) * 0.5,
    w_d = np.random.randn(n_values, n_a) * 2,
    b_d = np.random.randn(n_values),
  }
end

-- 4 values, 4 units: input gate open (bias +10), forget gate shut (-10),
-- output gate open (+10), candidate g = tanh(3 x); value k is stored in
-- unit k, and the dense layer sends unit k to value k % 4 + 1.
local function successor_weights()
  local V, H = 4, 4
  local w_ih, b_ih = np.zeros(4 * H, V), np.zeros(4 * H)
  for k = 1, H do
    w_ih:set(2 * H + k, k, 3)        -- the g block: rows 2H+1 .. 3H
    b_ih:set(k, 10)                  -- i
    b_ih:set(H + k, -10)             -- f
    b_ih:set(3 * H + k, 10)          -- o
  end
  local w_d = np.zeros(V, H)
  for k = 1, H do w_d:set(k % V + 1, k, 2) end
  local b_d = np.zeros(V)
  b_d:set(1, 0.5)
  return { w_ih = w_ih, w_hh = np.zeros(4 * H, H), b_ih = b_ih, b_hh = np.zeros(4 * H),
           w_d = w_d, b_d = b_d }
end

local function lstm_step(x, a, c, W)
  local H = a:size(2)
  local z = x:matmul(W.w_ih:t()) + W.b_ih + a:matmul(W.w_hh:t()) + W.b_hh
  local i = seq.sigmoid(z:narrow(2, 1, H))
  local f = seq.sigmoid(z:narrow(2, H + 1, H))
  local g = seq.tanh(z:narrow(2, 2 * H + 1, H))
  local o = seq.sigmoid(z:narrow(2, 3 * H + 1, H))
  c = f * c + i * g
  return o * seq.tanh(c), c
end

-- the reference inference loop: one-hot of the argmax fed back
local function reference(x0, a0, c0, W, Ty)
  local n_values = W.w_d:size(1)
  local x, a, c, outs = x0, a0, c0, {}
  for t = 1, Ty do
    a, c = lstm_step(x, a, c, W)
    outs[t] = (a:matmul(W.w_d:t()) + W.b_d):softmax(2)
    x = seq.one_hot(outs[t]:argmax(2), n_values, "float64")
  end
  return outs
end

local function check_outputs(outs, Ty, m, n_values, prefix)
  expect.type(outs, "table", prefix .. "outputs")
  expect.equal(#outs, Ty, prefix .. "#outputs (one per step)")
  for t = 1, Ty do
    local what = ("%soutputs[%d]"):format(prefix, t)
    expect.type(outs[t], "tensor", what)
    expect.shape(outs[t], { m, n_values }, what)
  end
end

local function random_case(M, seed, n_a, n_values, Ty, m)
  local W = rng_weights(seed, n_a, n_values)
  local x0 = np.zeros(m, n_values)
  if m > 1 then x0:set(2, 1, 1) end           -- the examples start apart
  local a0, c0 = np.random.randn(m, n_a) * 0.5, np.random.randn(m, n_a) * 0.5
  local cell, densor = layers(n_values, n_a)
  set_weights(cell, densor, W)
  local model = M.music_inference_model(cell, densor, Ty)
  local outs = model(x0, a0, c0)
  local prefix = ("seed %d: "):format(seed)
  check_outputs(outs, Ty, m, n_values, prefix)
  local want = reference(x0, a0, c0, W, Ty)
  for t = 1, Ty do
    expect.close(outs[t], want[t], { rtol = 1e-9, atol = 1e-12,
      what = ("%soutputs[%d]"):format(prefix, t) })
  end
end

return {
  functions = { "music_inference_model" },
  tests = {
    {
      name = "the model returns Ty outputs of shape (1, n_values)",
      run = function(M)
        local cell, densor = layers(5, 4)
        local model = M.music_inference_model(cell, densor, 7)
        local outs = model(np.zeros(1, 5), np.zeros(1, 4), np.zeros(1, 4))
        check_outputs(outs, 7, 1, 5, "")
      end,
    },
    {
      name = "it reuses the cell and the dense layer it is given: no new weights",
      after = "the model returns Ty outputs of shape (1, n_values)",
      run = function(M)
        local cell, densor = layers(5, 4)
        local model = M.music_inference_model(cell, densor, 3)
        local given = {}
        for _, p in ipairs(cell:parameters()) do given[p] = true end
        for _, p in ipairs(densor:parameters()) do given[p] = true end
        local params = model:parameters()
        expect.equal(#params, 6, "#model:parameters()")
        for i, p in ipairs(params) do
          expect.equal(given[p] == true, true,
            ("model:parameters()[%d] is a tensor of the given cell or dense layer"):format(i))
        end
      end,
    },
    {
      name = "every output row is a distribution over the values",
      after = "the model returns Ty outputs of shape (1, n_values)",
      run = function(M)
        local cell, densor = layers(6, 3)
        local outs = M.music_inference_model(cell, densor, 5)(np.zeros(2, 6),
          np.zeros(2, 3), np.zeros(2, 3))
        check_outputs(outs, 5, 2, 6, "")
        for t = 1, 5 do
          expect.close(outs[t]:sum(2), seq.ones(2, "float64"),
            { rtol = 0, atol = 1e-12, what = ("outputs[%d]:sum(2)"):format(t) })
        end
      end,
    },
    {
      name = "each step is fed the one-hot of the previous step's most likely value",
      points = 2,
      after = "the model returns Ty outputs of shape (1, n_values)",
      run = function(M)
        local W = successor_weights()
        local cell, densor = layers(4, 4)
        set_weights(cell, densor, W)
        local outs = M.music_inference_model(cell, densor, 7)(np.zeros(1, 4),
          np.zeros(1, 4), np.zeros(1, 4))
        check_outputs(outs, 7, 1, 4, "")
        local got = {}
        for t = 1, 7 do got[t] = outs[t]:argmax():item() end
        expect.equal(table.concat(got, " "), "1 2 3 4 1 2 3",
          "the most likely value of each step")
        local want = reference(np.zeros(1, 4), np.zeros(1, 4), np.zeros(1, 4), W, 7)
        for t = 1, 7 do
          expect.close(outs[t], want[t], { rtol = 1e-9, atol = 1e-12,
            what = ("outputs[%d]"):format(t) })
        end
      end,
    },
    {
      name = "outputs match a step-by-step reference for random weights",
      points = 2,
      after = "the model returns Ty outputs of shape (1, n_values)",
      run = function(M)
        random_case(M, 4, 5, 6, 8, 1)
      end,
    },
    {
      name = "other sizes, and several examples at once",
      points = 2,
      visibility = "hidden",
      after = "the model returns Ty outputs of shape (1, n_values)",
      run = function(M)
        random_case(M, 6, 3, 4, 1, 1)
        random_case(M, 7, 8, 90, 12, 3)
      end,
    },
  },
}
