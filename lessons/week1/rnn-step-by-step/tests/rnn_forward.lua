-- Tests for rnn_forward.
--
-- The visible tests replay the course's own test case: np.random.seed(1),
-- x (3, 10, 4) and a0 (5, 10), then the parameters in the course's order,
-- compared with the numbers the course prints.  numpy counts from 0 and
-- seqlab from 1: the course's a[4][1] is a[5][2] here, and its
-- caches[1][1][3] (x's row 1, column 3) is caches[2][2][4].  The course
-- prints 8 decimals, hence the small atol next to rtol = 1e-7.
--
-- The hidden tests use other seeds and sizes (one of them a single
-- example and a single time step).  Their expected values are in
-- tests/w1_forward_golden.lua, written by tests/golden/gen/w1_forward.py
-- from an independent float64 numpy implementation and read with the
-- grader's test_data() (only inside a test: it does not exist while this
-- file is loading).

local function golden() return test_data("w1_forward_golden.lua").rnn_forward end

local function course(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

-- The course's draw order: x, a0, then Waa, Wax, Wya, ba, by.
local function inputs(seed, n_x, n_a, n_y, m, T_x)
  np.random.seed(seed)
  local x = np.random.randn(n_x, m, T_x)
  local a0 = np.random.randn(n_a, m)
  local parameters = {}
  parameters.Waa = np.random.randn(n_a, n_a)
  parameters.Wax = np.random.randn(n_a, n_x)
  parameters.Wya = np.random.randn(n_y, n_a)
  parameters.ba = np.random.randn(n_a, 1)
  parameters.by = np.random.randn(n_y, 1)
  return x, a0, parameters
end

local function course_case(M)
  local x, a0, parameters = inputs(1, 3, 5, 2, 10, 4)
  local a, y_pred, caches = M.rnn_forward(x, a0, parameters)
  return { a = a, y_pred = y_pred, caches = caches, x = x, a0 = a0 }
end

-- caches must be {list of T_x cell caches, x}, each cell cache starting
-- with that step's a_next and a_prev.
local function check_caches(caches, x, a0, a, T_x, tag)
  expect.type(caches, "table", "caches" .. tag)
  expect.equal(#caches, 2, "#caches" .. tag)
  expect.equal(caches[2], x, "caches[2] (x)" .. tag)
  expect.type(caches[1], "table", "caches[1]" .. tag)
  expect.equal(#caches[1], T_x, "#caches[1], one cache per step" .. tag)
  for t = 1, T_x do
    local what = ("caches[1][%d]"):format(t)
    expect.type(caches[1][t], "table", what .. tag)
    expect.close(caches[1][t][1], a:select(3, t),
      { rtol = 0, what = what .. "[1], a_next of step " .. t .. tag })
  end
  expect.equal(caches[1][1][2], a0, "caches[1][1][2] (a_prev of step 1 is a0)" .. tag)
end

return {
  functions = { "rnn_forward" },
  tests = {
    {
      name = "returns a, y_pred and caches",
      run = function(M)
        local r = course_case(M)
        expect.type(r.a, "tensor", "a")
        expect.type(r.y_pred, "tensor", "y_pred")
        expect.type(r.caches, "table", "caches")
      end,
    },
    {
      name = "a is (5, 10, 4) and y_pred is (2, 10, 4), in float64",
      after = "returns a, y_pred and caches",
      run = function(M)
        local r = course_case(M)
        expect.shape(r.a, { 5, 10, 4 }, "a")
        expect.shape(r.y_pred, { 2, 10, 4 }, "y_pred")
        expect.equal(r.a:dtype(), "float64", "a:dtype()")
        expect.equal(r.y_pred:dtype(), "float64", "y_pred:dtype()")
      end,
    },
    {
      name = "a matches the course",
      points = 2,
      after = "a is (5, 10, 4) and y_pred is (2, 10, 4), in float64",
      run = function(M)
        local r = course_case(M)
        expect.close(r.a[5][2], { -0.99999375, 0.77911235, -0.99861469,
          -0.99833267 }, course("a[5][2]"))
      end,
    },
    {
      name = "y_pred matches the course",
      points = 2,
      after = "a is (5, 10, 4) and y_pred is (2, 10, 4), in float64",
      run = function(M)
        local r = course_case(M)
        expect.close(r.y_pred[2][4], { 0.79560373, 0.86224861, 0.11118257,
          0.81515947 }, course("y_pred[2][4]"))
      end,
    },
    {
      name = "caches is {list of 4 cell caches, x}",
      after = "a is (5, 10, 4) and y_pred is (2, 10, 4), in float64",
      run = function(M)
        local r = course_case(M)
        check_caches(r.caches, r.x, r.a0, r.a, 4, "")
        expect.close(r.caches[2][2][4], { -1.1425182, -0.34934272,
          -0.20889423, 0.58662319 }, course("caches[2][2][4]"))
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = "a is (5, 10, 4) and y_pred is (2, 10, 4), in float64",
      run = function(M)
        for _, g in ipairs(golden()) do
          local x, a0, parameters = inputs(g.seed, g.n_x, g.n_a, g.n_y, g.m, g.T_x)
          local a, y_pred, caches = M.rnn_forward(x, a0, parameters)
          local tag = (" (seed %d)"):format(g.seed)
          expect.close(a, g.a, tight("a" .. tag))
          expect.close(y_pred, g.y_pred, tight("y_pred" .. tag))
          check_caches(caches, x, a0, a, g.T_x, tag)
        end
      end,
    },
  },
}
