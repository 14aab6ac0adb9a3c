-- Tests for rnn_backward.
--
-- The visible tests replay the course's own test case (2021 notebook):
-- np.random.seed(1), x (3, 10, 4), a0 (5, 10), then Wax, Waa, Wya, ba, by
-- (Wax first, as in every backward test), the forward pass, then
-- da (5, 10, 4).  The results are compared with the numbers the course
-- prints.  numpy counts from 0 and seqlab from 1: the course's dx[1][2]
-- (x's row 1, example 2, every step) is dx[2][3] here, its da0[2][3] is
-- da0:get(3, 4) and its dba[4] is dba[5].  The course prints 8 to 12
-- digits, hence the small atol next to rtol = 1e-7.
--
-- The caches are built by the forward pass below, not by the learner's
-- file, so only rnn_backward is graded.
--
-- The hidden tests use other seeds and sizes (one of them a single
-- example and a single time step).  Their expected values are in
-- tests/w1_backward_golden.lua, written by tests/golden/gen/w1_backward.py
-- from an independent float64 numpy implementation (itself checked
-- against the course's numbers and against finite differences) and read
-- with the grader's test_data() (only inside a test: it does not exist
-- while this file is loading).

local function golden() return test_data("w1_backward_golden.lua").rnn_backward end

local function course(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

local KEYS = { "dx", "da0", "dWax", "dWaa", "dba" }

-- The forward pass, to build caches = {list of {a_next, a_prev, xt, p}, x}.
local function forward(x, a0, p)
  local caches, a_next = {}, a0
  for t = 1, x:size(3) do
    local xt, a_prev = x:select(3, t), a_next
    a_next = seq.tanh(p.Wax:matmul(xt) + p.Waa:matmul(a_prev) + p.ba)
    caches[t] = { a_next, a_prev, xt, p }
  end
  return { caches, x }
end

-- The course's draw order: x, a0, Wax, Waa, Wya, ba, by, then (after the
-- forward pass) da.
local function inputs(seed, n_x, n_a, n_y, m, T_x)
  np.random.seed(seed)
  local x = np.random.randn(n_x, m, T_x)
  local a0 = np.random.randn(n_a, m)
  local p = {}
  p.Wax = np.random.randn(n_a, n_x)
  p.Waa = np.random.randn(n_a, n_a)
  p.Wya = np.random.randn(n_y, n_a)
  p.ba = np.random.randn(n_a, 1)
  p.by = np.random.randn(n_y, 1)
  local caches = forward(x, a0, p)
  local da = np.random.randn(n_a, m, T_x)
  return da, caches
end

local function course_case(M)
  return M.rnn_backward(inputs(1, 3, 5, 2, 10, 4))
end

local RETURNS = "returns a table with dx, da0, dWax, dWaa and dba"
local SHAPES = "dx (3, 10, 4), da0 (5, 10), dWax (5, 3), dWaa (5, 5), dba (5, 1)"

return {
  functions = { "rnn_backward" },
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
        expect.shape(g.dx, { 3, 10, 4 }, "dx")
        expect.shape(g.da0, { 5, 10 }, "da0")
        expect.shape(g.dWax, { 5, 3 }, "dWax")
        expect.shape(g.dWaa, { 5, 5 }, "dWaa")
        expect.shape(g.dba, { 5, 1 }, "dba")
      end,
    },
    {
      name = "dx matches the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dx[2][3], { -2.07101689, -0.59255627, 0.02466855,
          0.01483317 }, course("dx[2][3]"))
      end,
    },
    {
      name = "da0 matches the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.da0:get(3, 4), -0.314942375127, course("da0:get(3, 4)"))
      end,
    },
    {
      name = "dWax, dWaa and dba match the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dWax:get(4, 2), 11.2641044965, course("dWax:get(4, 2)"))
        expect.close(g.dWaa:get(2, 3), 2.30333312658, course("dWaa:get(2, 3)"))
        expect.close(g.dba[5], { -0.74747722 }, course("dba[5]"))
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = SHAPES,
      run = function(M)
        for _, c in ipairs(golden()) do
          local g = M.rnn_backward(inputs(c.seed, c.n_x, c.n_a, c.n_y, c.m, c.T_x))
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
