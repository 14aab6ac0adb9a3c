-- Tests for brnn_forward.
--
-- This exercise is not in the course, so the expected values come from
-- the float64 numpy reference in tests/golden/gen/w1_beyond.py (checked
-- there against a plain RNN run on the time-reversed input), which also
-- checks that the numbers written below agree with it.
--
-- Visible case: np.random.seed(1), x (3, 10, 4), a0_f (5, 10),
-- a0_b (5, 10), then fwd.Wax (5, 3), fwd.Waa (5, 5), fwd.ba (5, 1),
-- bwd.Wax, bwd.Waa, bwd.ba, Wy (2, 10) and by (2, 1), in that order.
-- numpy counts from 0 and seqlab from 1: numpy's a[2][1] (forward unit 3,
-- example 2, every step) is a[3][2] here, and a[8][2] is backward unit 3.
-- The numbers below carry 9 significant digits, hence the atol.
--
-- The hidden tests use other seeds and sizes (one of them a single
-- example and a single time step).  Their expected values are in
-- tests/w1_beyond_golden.lua, written by tests/golden/gen/w1_beyond.py
-- and read with the grader's test_data() (only inside a test: it does not
-- exist while this file is loading).

local function golden() return test_data("w1_beyond_golden.lua").brnn_forward end

local function shown(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

local function layer(n_in, n_a)
  local p = {}
  p.Wax = np.random.randn(n_a, n_in)
  p.Waa = np.random.randn(n_a, n_a)
  p.ba = np.random.randn(n_a, 1)
  return p
end

-- The draw order: x, a0_f, a0_b, fwd {Wax, Waa, ba}, bwd {Wax, Waa, ba},
-- Wy, by.
local function inputs(seed, n_x, n_a, n_y, m, T_x)
  np.random.seed(seed)
  local x = np.random.randn(n_x, m, T_x)
  local a0_f = np.random.randn(n_a, m)
  local a0_b = np.random.randn(n_a, m)
  local p = {}
  p.fwd = layer(n_x, n_a)
  p.bwd = layer(n_x, n_a)
  p.Wy = np.random.randn(n_y, 2 * n_a)
  p.by = np.random.randn(n_y, 1)
  return x, a0_f, a0_b, p
end

local function course_case(M)
  local a, y_pred = M.brnn_forward(inputs(1, 3, 5, 2, 10, 4))
  return { a = a, y_pred = y_pred }
end

local RETURNS = "returns a and y_pred"
local SHAPES = "a is (10, 10, 4) and y_pred is (2, 10, 4), in float64"

return {
  functions = { "brnn_forward" },
  tests = {
    {
      name = RETURNS,
      run = function(M)
        local r = course_case(M)
        expect.type(r.a, "tensor", "a")
        expect.type(r.y_pred, "tensor", "y_pred")
      end,
    },
    {
      name = SHAPES,
      after = RETURNS,
      run = function(M)
        local r = course_case(M)
        expect.shape(r.a, { 10, 10, 4 }, "a")
        expect.shape(r.y_pred, { 2, 10, 4 }, "y_pred")
        expect.equal(r.a:dtype(), "float64", "a:dtype()")
        expect.equal(r.y_pred:dtype(), "float64", "y_pred:dtype()")
      end,
    },
    {
      name = "the forward states (rows 1 to 5)",
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.a[3][2], { -0.99896763, 0.976753221, 0.659338873,
          -0.993633512 }, shown("a[3][2]"))
      end,
    },
    {
      name = "the backward states (rows 6 to 10)",
      points = 2,
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.a[8][2], { -0.090519887, -0.999493693, 0.963229406,
          -0.374142174 }, shown("a[8][2]"))
      end,
    },
    {
      name = "y_pred reads both directions",
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.y_pred[2][4], { 0.909020711, 0.558122585, 0.857530032,
          0.261543274 }, shown("y_pred[2][4]"))
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = SHAPES,
      run = function(M)
        for _, g in ipairs(golden()) do
          local a, y_pred = M.brnn_forward(inputs(g.seed, g.n_x, g.n_a, g.n_y,
                                                  g.m, g.T_x))
          local tag = (" (seed %d)"):format(g.seed)
          expect.close(a, g.a, tight("a" .. tag))
          expect.close(y_pred, g.y_pred, tight("y_pred" .. tag))
        end
      end,
    },
  },
}
