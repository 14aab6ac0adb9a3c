-- Tests for djmodel.
--
-- Keras weights are random, so the course checks only the structure of its
-- model (its summary).  These tests check the structure too (one cell and
-- one dense layer, 45,786 parameters whatever Tx, Tx outputs of shape
-- (m, n_values)), then the numbers: the test sets every weight of the
-- learner's layers from np.random and compares the outputs, and the
-- gradients of a loss, with a float64 reference written here from the LSTM
-- equations in PyTorch's gate order (i, f, g, o).

local function rng_weights(seed, n_a, n_values)
  np.random.seed(seed)
  local H4 = 4 * n_a
  return {
    w_ih = np.random.randn(H4, n_values) * 0.5,
    w_hh = np.random.randn(H4, n_a) * 0.5,
    b_ih = np.random.randn(H4) * 0.5,
    b_hh = np.random.randn(H4) * 0.5,
    w_d = np.random.randn(n_values, n_a),
    b_d = np.random.randn(n_values),
  }
end

-- random one-hot sequences X (m, Tx, n_values) and a random first state
local function rng_inputs(m, Tx, n_a, n_values)
  local idx = np.random.randint(0, n_values, { m, Tx }) + 1
  local X = seq.one_hot(idx, n_values, "float64")
  return X, np.random.randn(m, n_a) * 0.5, np.random.randn(m, n_a) * 0.5
end

local function set_weights(model, W)
  seq.no_grad(function()
    local cell, densor = model.LSTM_cell, model.densor
    cell.weight_ih:copy_(W.w_ih)
    cell.weight_hh:copy_(W.w_hh)
    cell.bias_ih:copy_(W.b_ih)
    cell.bias_hh:copy_(W.b_hh)
    densor.weight:copy_(W.w_d)
    densor.bias:copy_(W.b_d)
  end)
end

-- The reference: one LSTM step, gates stacked i, f, g, o as in PyTorch.
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

local function reference(X, a0, c0, W)
  local a, c, outs = a0, c0, {}
  for t = 1, X:size(2) do
    a, c = lstm_step(X:select(2, t), a, c, W)
    outs[t] = (a:matmul(W.w_d:t()) + W.b_d):softmax(2)
  end
  return outs
end

local function check_outputs(outs, want, m, n_values, prefix)
  expect.type(outs, "table", prefix .. "outputs")
  expect.equal(#outs, #want, prefix .. "#outputs (one per time step)")
  for t = 1, #want do
    local what = ("%soutputs[%d]"):format(prefix, t)
    expect.type(outs[t], "tensor", what)
    expect.shape(outs[t], { m, n_values }, what)
    expect.close(outs[t], want[t], { rtol = 1e-9, atol = 1e-12, what = what })
  end
end

-- the course's sizes on the lab's corpus
local function course_case(M)
  local music = require "music"
  local X = music.training_data(music.corpus().tokens, 30, 60)
  local model = M.djmodel(30, 64, 90)
  local outs = model(X, np.zeros(60, 64), np.zeros(60, 64))
  return outs
end

-- a loss on the outputs: minus the log-probability of value 1 at every step
local function loss_of(outs)
  local loss = 0
  for t = 1, #outs do loss = loss - outs[t]:select(2, 1):log():sum() end
  return loss
end

local function fixed_case(M, seed, Tx, n_a, n_values, m)
  local W = rng_weights(seed, n_a, n_values)
  local X, a0, c0 = rng_inputs(m, Tx, n_a, n_values)
  local model = M.djmodel(Tx, n_a, n_values)
  set_weights(model, W)
  return model(X, a0, c0), reference(X, a0, c0, W), model, W, X, a0, c0
end

return {
  functions = { "djmodel" },
  tests = {
    {
      name = "djmodel(30, 64, 90) holds an nn.LSTMCell(90, 64) and an nn.Linear(64, 90)",
      run = function(M)
        local model = M.djmodel(30, 64, 90)
        expect.type(model, "table", "djmodel(30, 64, 90)")
        expect.type(model.LSTM_cell, "table", "model.LSTM_cell")
        expect.equal(model.LSTM_cell:_get_name(), "LSTMCell", "model.LSTM_cell's class")
        expect.equal({ model.LSTM_cell.input_size, model.LSTM_cell.hidden_size }, { 90, 64 },
          "model.LSTM_cell's {input_size, hidden_size}")
        expect.type(model.densor, "table", "model.densor")
        expect.equal(model.densor:_get_name(), "Linear", "model.densor's class")
        expect.equal({ model.densor.in_features, model.densor.out_features }, { 64, 90 },
          "model.densor's {in_features, out_features}")
        expect.equal(model.LSTM_cell.weight_ih:dtype(), "float64", "the cell's dtype")
        expect.equal(model.densor.weight:dtype(), "float64", "the dense layer's dtype")
      end,
    },
    {
      name = "45,786 parameters in 6 tensors, whatever Tx: one cell for all the steps",
      after = "djmodel(30, 64, 90) holds an nn.LSTMCell(90, 64) and an nn.Linear(64, 90)",
      run = function(M)
        for _, Tx in ipairs { 30, 5, 100 } do
          local model = M.djmodel(Tx, 64, 90)
          expect.equal(#model:parameters(), 6, ("Tx = %d: #model:parameters()"):format(Tx))
          expect.equal(model:num_parameters(), 45786,
            ("Tx = %d: model:num_parameters()"):format(Tx))
        end
      end,
    },
    {
      name = "model(X, a0, c0) returns 30 outputs of shape (60, 90)",
      after = "djmodel(30, 64, 90) holds an nn.LSTMCell(90, 64) and an nn.Linear(64, 90)",
      run = function(M)
        local outs = course_case(M)
        expect.type(outs, "table", "outputs")
        expect.equal(#outs, 30, "#outputs (one per time step)")
        for t = 1, 30 do
          expect.type(outs[t], "tensor", ("outputs[%d]"):format(t))
          expect.shape(outs[t], { 60, 90 }, ("outputs[%d]"):format(t))
        end
      end,
    },
    {
      name = "every output row is a distribution over the 90 values",
      after = "model(X, a0, c0) returns 30 outputs of shape (60, 90)",
      run = function(M)
        local outs = course_case(M)
        for t = 1, 30 do
          local what = ("outputs[%d]"):format(t)
          expect.close(outs[t]:sum(2), seq.ones(60, "float64"),
            { rtol = 0, atol = 1e-12, what = what .. ":sum(2)" })
          expect.equal(outs[t]:min():item() >= 0, true, what .. " has no negative entry")
        end
      end,
    },
    {
      name = "outputs match a step-by-step LSTM for fixed weights",
      points = 3,
      after = "model(X, a0, c0) returns 30 outputs of shape (60, 90)",
      run = function(M)
        local outs, want = fixed_case(M, 1, 4, 3, 5, 2)
        check_outputs(outs, want, 2, 5, "")
      end,
    },
    {
      name = "gradients reach the shared cell from every step",
      points = 2,
      after = "outputs match a step-by-step LSTM for fixed weights",
      run = function(M)
        local outs, _, model, W, X, a0, c0 = fixed_case(M, 1, 4, 3, 5, 2)
        model:zero_grad()
        loss_of(outs):backward()
        -- the same loss through the reference, with autograd on its weights
        local R = {}
        for k, v in pairs(W) do R[k] = v:clone():requires_grad() end
        loss_of(reference(X, a0, c0, R)):backward()
        local cell = model.LSTM_cell
        for _, pair in ipairs { { cell.weight_ih, "w_ih", "LSTM_cell.weight_ih" },
                                { cell.weight_hh, "w_hh", "LSTM_cell.weight_hh" },
                                { model.densor.weight, "w_d", "densor.weight" } } do
          expect.equal(pair[1].grad ~= nil, true, pair[3] ..
            " has a gradient after backward (do the outputs come from the model's layers?)")
          expect.close(pair[1].grad, R[pair[2]].grad,
            { rtol = 1e-8, atol = 1e-12, what = pair[3] .. ".grad" })
        end
      end,
    },
    {
      name = "other sizes: one step, one example, more steps",
      points = 2,
      visibility = "hidden",
      after = "outputs match a step-by-step LSTM for fixed weights",
      run = function(M)
        for _, c in ipairs { { 2, 1, 2, 3, 1 }, { 3, 6, 5, 7, 3 }, { 5, 3, 4, 90, 1 } } do
          local outs, want = fixed_case(M, table.unpack(c))
          check_outputs(outs, want, c[5], c[4], ("seed %d: "):format(c[1]))
        end
      end,
    },
  },
}
