-- Tests for optimize.
--
-- The visible tests replay the course's optimize_test: np.random.seed(1),
-- vocab_size 27, n_a 100, a_prev (100, 1) from randn, then Wax, Waa, Wya,
-- b, by as in sample_test, X = {12, 3, 5, 11, 22, 3},
-- Y = {4, 14, 11, 22, 25, 26} and learning rate 0.01.  numpy counts from
-- 0: the course's dWaa[1][2] is dWaa[2][3] here, its db[4] is db[5], and
-- its np.argmax(dWax) = 93 (a position in the flattened array) is 94.
-- Values the course prints with 8 decimals get atol 5e-9; the others are
-- compared to 1e-9 relative.
--
-- The hidden tests (other seeds and sizes, a vocabulary of 9, an X that
-- starts with false as in model) compare every gradient, the loss, the
-- last state and the updated parameters with tests/w1_dinosaurs_golden.lua,
-- written by tests/golden/gen/w1_dinosaurs.py from a float64 numpy
-- reference.

local KEYS = { "dWaa", "dWax", "dWya", "db", "dby" }
local PARAMS = { "Wax", "Waa", "Wya", "b", "by" }

local function golden() return test_data("w1_dinosaurs_golden.lua").optimize end

local function course(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function full(what) return { rtol = 1e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

-- optimize_test's draws: a_prev, then Wax, Waa, Wya, b, by, each randn * scale
local function inputs(seed, n_a, vocab_size, scale)
  np.random.seed(seed)
  local a_prev = np.random.randn(n_a, 1)
  local p = {}
  p.Wax = np.random.randn(n_a, vocab_size) * scale
  p.Waa = np.random.randn(n_a, n_a) * scale
  p.Wya = np.random.randn(vocab_size, n_a) * scale
  p.b = np.random.randn(n_a, 1) * scale
  p.by = np.random.randn(vocab_size, 1) * scale
  return a_prev, p
end

local function course_case(M)
  local a_prev, p = inputs(1, 100, 27, 1)
  local before = {}
  for _, k in ipairs(PARAMS) do before[k] = p[k]:clone() end
  local loss, gradients, a_last = M.optimize({ 12, 3, 5, 11, 22, 3 },
    { 4, 14, 11, 22, 25, 26 }, a_prev, p, 0.01)
  return { loss = loss, gradients = gradients, a_last = a_last, p = p, before = before }
end

local function check_gradients(g, n_a, vocab_size, tag)
  expect.type(g, "table", tag .. "gradients")
  local shapes = { dWax = { n_a, vocab_size }, dWaa = { n_a, n_a },
                   dWya = { vocab_size, n_a }, db = { n_a, 1 }, dby = { vocab_size, 1 } }
  for _, k in ipairs(KEYS) do
    expect.type(g[k], "tensor", tag .. "gradients." .. k)
    expect.shape(g[k], shapes[k], tag .. "gradients." .. k)
  end
end

return {
  functions = { "optimize" },
  tests = {
    {
      name = "returns the loss, the gradients and the last state",
      run = function(M)
        local r = course_case(M)
        expect.type(r.loss, "number", "loss")
        check_gradients(r.gradients, 100, 27, "")
        expect.type(r.a_last, "tensor", "a_last")
        expect.shape(r.a_last, { 100, 1 }, "a_last")
      end,
    },
    {
      name = "the loss matches the course",
      after = "returns the loss, the gradients and the last state",
      run = function(M)
        expect.close(course_case(M).loss, 126.50397572165389, full("loss"))
      end,
    },
    {
      name = "the gradients are clipped to [-5, 5]",
      after = "returns the loss, the gradients and the last state",
      run = function(M)
        local g = course_case(M).gradients
        for _, k in ipairs(KEYS) do
          expect.close(g[k], g[k]:clamp(-5, 5), { rtol = 0, what = "gradients." .. k })
        end
      end,
    },
    {
      name = "the gradients match the course",
      points = 2,
      after = "returns the loss, the gradients and the last state",
      run = function(M)
        local g = course_case(M).gradients
        expect.close(g.dWaa:get(2, 3), 0.19470931534713587, full("gradients.dWaa[2][3]"))
        expect.equal(g.dWax:argmax():item(), 94, "argmax of gradients.dWax (flattened)")
        expect.close(g.dWya:get(2, 3), -0.007773876032002162, full("gradients.dWya[2][3]"))
        expect.close(g.db[5], { -0.06809825 }, course("gradients.db[5]"))
        expect.close(g.dby[2], { 0.01538192 }, course("gradients.dby[2]"))
      end,
    },
    {
      name = "the last state a[#X] matches the course",
      after = "returns the loss, the gradients and the last state",
      run = function(M)
        expect.close(course_case(M).a_last[5], { -1.0 }, course("a_last[5]"))
      end,
    },
    {
      name = "the parameters are updated in place with the clipped gradients",
      after = "returns the loss, the gradients and the last state",
      run = function(M)
        local r = course_case(M)
        local g = r.gradients
        local want = { Wax = g.dWax, Waa = g.dWaa, Wya = g.dWya, b = g.db, by = g.dby }
        for _, k in ipairs(PARAMS) do
          expect.close(r.p[k], r.before[k] - want[k] * 0.01,
            tight("parameters." .. k .. " after the step"))
        end
      end,
    },
    {
      name = "other seeds, sizes and inputs",
      points = 3,
      visibility = "hidden",
      after = "returns the loss, the gradients and the last state",
      run = function(M)
        for _, c in ipairs(golden()) do
          local tag = ("seed %d: "):format(c.seed)
          local a_prev, p = inputs(c.seed, c.n_a, c.vocab_size, c.scale)
          local loss, g, a_last = M.optimize(c.X, c.Y, a_prev, p, c.lr)
          expect.close(loss, c.loss, tight(tag .. "loss"))
          check_gradients(g, c.n_a, c.vocab_size, tag)
          for _, k in ipairs(KEYS) do
            expect.close(g[k], c[k], tight(tag .. "gradients." .. k))
          end
          expect.close(a_last, c.a_last, tight(tag .. "a_last"))
          for _, k in ipairs(PARAMS) do
            expect.close(p[k], c["new_" .. k], tight(tag .. "parameters." .. k))
          end
        end
      end,
    },
  },
}
