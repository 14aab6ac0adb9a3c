-- Tests for rnn_cell_backward.
--
-- The visible tests replay the course's own test case (2021 notebook):
-- np.random.seed(1), xt (3, 10), a_prev (5, 10), then the parameters in
-- the order of the backward test, which draws Wax BEFORE Waa (the forward
-- test draws Waa first), then Wya, ba, by; the forward step; then
-- da_next (5, 10).  The results are compared with the numbers the course
-- prints.  numpy counts from 0 and seqlab from 1: the course's dxt[1][2]
-- is dxt:get(2, 3) here and its dba[4] is dba[5].  The course prints 8 to
-- 12 digits, hence the small atol next to rtol = 1e-7.
--
-- The caches are built by the forward step below, not by the learner's
-- file, so only rnn_cell_backward is graded.
--
-- The hidden tests use other seeds and sizes (one of them a single
-- example).  Their expected values are in tests/w1_backward_golden.lua,
-- written by tests/golden/gen/w1_backward.py from an independent float64
-- numpy implementation (itself checked against the course's numbers and
-- against finite differences) and read with the grader's test_data()
-- (only inside a test: it does not exist while this file is loading).

local function golden() return test_data("w1_backward_golden.lua").rnn_cell_backward end

local function course(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

local KEYS = { "dxt", "da_prev", "dWax", "dWaa", "dba" }

-- The forward step, to build the cache {a_next, a_prev, xt, parameters}.
local function forward(xt, a_prev, p)
  local a_next = seq.tanh(p.Wax:matmul(xt) + p.Waa:matmul(a_prev) + p.ba)
  return { a_next, a_prev, xt, p }
end

-- The course's draw order: xt, a_prev, Wax, Waa, Wya, ba, by, then
-- (after the forward step) da_next.
local function inputs(seed, n_x, n_a, n_y, m)
  np.random.seed(seed)
  local xt = np.random.randn(n_x, m)
  local a_prev = np.random.randn(n_a, m)
  local p = {}
  p.Wax = np.random.randn(n_a, n_x)
  p.Waa = np.random.randn(n_a, n_a)
  p.Wya = np.random.randn(n_y, n_a)
  p.ba = np.random.randn(n_a, 1)
  p.by = np.random.randn(n_y, 1)
  local cache = forward(xt, a_prev, p)
  local da_next = np.random.randn(n_a, m)
  return da_next, cache
end

local function course_case(M)
  return M.rnn_cell_backward(inputs(1, 3, 5, 2, 10))
end

local RETURNS = "returns a table with dxt, da_prev, dWax, dWaa and dba"
local SHAPES = "dxt (3, 10), da_prev (5, 10), dWax (5, 3), dWaa (5, 5), dba (5, 1)"

return {
  functions = { "rnn_cell_backward" },
  tests = {
    {
      name = RETURNS,
      run = function(M)
        local g = course_case(M)
        expect.type(g, "table", "gradients")
        for _, k in ipairs(KEYS) do
          expect.type(g[k], "tensor", "gradients." .. k)
        end
      end,
    },
    {
      name = SHAPES,
      after = RETURNS,
      run = function(M)
        local g = course_case(M)
        expect.shape(g.dxt, { 3, 10 }, "dxt")
        expect.shape(g.da_prev, { 5, 10 }, "da_prev")
        expect.shape(g.dWax, { 5, 3 }, "dWax")
        expect.shape(g.dWaa, { 5, 5 }, "dWaa")
        expect.shape(g.dba, { 5, 1 }, "dba")
      end,
    },
    {
      name = "dxt and da_prev match the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dxt:get(2, 3), -1.3872130506, course("dxt:get(2, 3)"))
        expect.close(g.da_prev:get(3, 4), -0.152399493774,
          course("da_prev:get(3, 4)"))
      end,
    },
    {
      name = "dWax, dWaa and dba match the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dWax:get(4, 2), 0.410772824935, course("dWax:get(4, 2)"))
        expect.close(g.dWaa:get(2, 3), 1.15034506685, course("dWaa:get(2, 3)"))
        expect.close(g.dba[5], { 0.20023491 }, course("dba[5]"))
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = SHAPES,
      run = function(M)
        for _, c in ipairs(golden()) do
          local g = M.rnn_cell_backward(inputs(c.seed, c.n_x, c.n_a, c.n_y, c.m))
          local tag = (" (seed %d)"):format(c.seed)
          expect.type(g, "table", "gradients" .. tag)
          for _, k in ipairs(KEYS) do
            expect.close(g[k], c[k], tight(k .. tag))
          end
        end
      end,
    },
  },
}
