-- Tests for predict_and_sample.
--
-- predict_and_sample is tested on its own: the inference model here is a
-- stand-in (an nn.Module whose forward returns outputs fixed by the test
-- and records the arguments it was called with), so the expected indices
-- are known exactly.  The last visible test runs a real LSTM cell and
-- dense layer, with the test's own greedy loop as the model.  The
-- course's sizes: n_values = 90, n_a = 64, Ty = 50.

-- A stand-in inference model returning `pred`, a list of (1, n) tensors.
local Stub = nn.Module:extend("StubInferenceModel")
function Stub:init(pred) self.pred = pred end
function Stub:forward(x, a, c)
  self.calls = (self.calls or 0) + 1
  self.args = { x, a, c }
  return self.pred
end

-- Ty random distributions over n values, float64, from np.random
local function random_pred(seed, Ty, n)
  np.random.seed(seed)
  local pred = {}
  for t = 1, Ty do
    local p = np.random.rand(1, n)
    pred[t] = p / p:sum()
  end
  return pred
end

-- the position of the largest entry of a (1, n) tensor, by hand (1-based)
local function argmax_row(p)
  local best, at = -math.huge, nil
  for j = 1, p:size(2) do
    if p:get(1, j) > best then best, at = p:get(1, j), j end
  end
  return at
end

local function course_case(M)
  local pred = random_pred(1, 50, 90)
  local model = Stub(pred)
  local x, a, c = np.zeros(1, 90), np.zeros(1, 64), np.zeros(1, 64)
  local results, indices = M.predict_and_sample(model, x, a, c)
  return { results = results, indices = indices, pred = pred, model = model,
           x = x, a = a, c = c }
end

local function check_shapes(r, Ty, n, prefix)
  expect.type(r.results, "tensor", prefix .. "results")
  expect.shape(r.results, { Ty, n }, prefix .. "results")
  expect.type(r.indices, "tensor", prefix .. "indices")
  expect.shape(r.indices, { Ty, 1 }, prefix .. "indices")
  expect.equal(r.indices:dtype(), "int64", prefix .. "indices:dtype()")
end

local function check_indices(r, prefix)
  for t, p in ipairs(r.pred) do
    expect.equal(r.indices:get(t, 1), argmax_row(p),
      ("%sindices[%d][1], the most likely value of step %d"):format(prefix, t, t))
  end
end

local function check_results(r, n, prefix)
  local want = np.zeros(#r.pred, n)
  for t = 1, #r.pred do want:set(t, r.indices:get(t, 1), 1) end
  expect.close(r.results, want, { rtol = 0, what = prefix .. "results" })
end

-- a greedy inference model made of a real cell and dense layer
local Greedy = nn.Module:extend("GreedyInference")
function Greedy:init(cell, densor, Ty) self.cell, self.densor, self.Ty = cell, densor, Ty end
function Greedy:forward(x, a, c)
  local outs = {}
  for t = 1, self.Ty do
    a, c = self.cell(x, { a, c })
    outs[t] = self.densor(a):softmax(2)
    x = seq.one_hot(outs[t]:argmax(2), self.densor.out_features, x:dtype())
  end
  return outs
end

return {
  functions = { "predict_and_sample" },
  tests = {
    {
      name = "returns results (50, 90) and indices (50, 1) of int64",
      run = function(M)
        check_shapes(course_case(M), 50, 90, "")
      end,
    },
    {
      name = "the model is called once, with the three initializers",
      after = "returns results (50, 90) and indices (50, 1) of int64",
      run = function(M)
        local r = course_case(M)
        expect.equal(r.model.calls, 1, "the number of calls of the inference model")
        local args = r.model.args
        expect.equal(rawequal(args[1], r.x) and rawequal(args[2], r.a) and rawequal(args[3], r.c),
          true, "the model was called with (x_initializer, a_initializer, c_initializer)")
      end,
    },
    {
      name = "indices are the most likely value of each step, 1-based",
      points = 2,
      after = "returns results (50, 90) and indices (50, 1) of int64",
      run = function(M)
        check_indices(course_case(M), "")
      end,
    },
    {
      name = "results are the one-hot rows of indices",
      after = "returns results (50, 90) and indices (50, 1) of int64",
      run = function(M)
        local r = course_case(M)
        check_results(r, 90, "")
        expect.close(r.results:argmax(2), r.indices:squeeze(2),
          { rtol = 0, what = "results:argmax(2)" })
      end,
    },
    {
      name = "works with a real LSTM cell and dense layer",
      after = "returns results (50, 90) and indices (50, 1) of int64",
      run = function(M)
        local cell = nn.LSTMCell(90, 64, { dtype = "float64" })
        local densor = nn.Linear(64, 90, { dtype = "float64" })
        local model = Greedy(cell, densor, 20)
        local x, a, c = np.zeros(1, 90), np.zeros(1, 64), np.zeros(1, 64)
        local results, indices = M.predict_and_sample(model, x, a, c)
        local pred = seq.no_grad(function() return model(x, a, c) end)
        local r = { results = results, indices = indices, pred = pred }
        check_shapes(r, 20, 90, "")
        check_indices(r, "")
        check_results(r, 90, "")
      end,
    },
    {
      name = "other sizes: one step, three values",
      visibility = "hidden",
      after = "returns results (50, 90) and indices (50, 1) of int64",
      run = function(M)
        for _, c in ipairs { { 2, 1, 3 }, { 3, 12, 5 } } do
          local pred = random_pred(c[1], c[2], c[3])
          local model = Stub(pred)
          local results, indices = M.predict_and_sample(model, np.zeros(1, c[3]),
            np.zeros(1, 4), np.zeros(1, 4))
          local r = { results = results, indices = indices, pred = pred }
          local prefix = ("seed %d: "):format(c[1])
          check_shapes(r, c[2], c[3], prefix)
          check_indices(r, prefix)
          check_results(r, c[3], prefix)
        end
      end,
    },
  },
}
