-- Tests for deep_rnn_forward.
--
-- This exercise is not in the course, so the expected values come from
-- the float64 numpy reference in tests/golden/gen/w1_beyond.py (checked
-- there against a step-by-step loop over both layers), which also checks
-- that the numbers written below agree with it.
--
-- Visible case, two layers of 5 and 4 units: np.random.seed(1),
-- x (3, 10, 4), a0[1] (5, 10), a0[2] (4, 10), then layer 1's
-- Wax (5, 3), Waa (5, 5), ba (5, 1), layer 2's Wax (4, 5), Waa (4, 4),
-- ba (4, 1), Wy (2, 4) and by (2, 1), in that order.  numpy counts from 0
-- and seqlab from 1: numpy's a1[4][1] (unit 5, example 2, every step) is
-- a[1][5][2] here.  The numbers below carry 9 significant digits, hence
-- the atol.
--
-- The hidden tests use other seeds and sizes (one of them a single
-- example and a single time step).  Their expected values are in
-- tests/w1_beyond_golden.lua, written by tests/golden/gen/w1_beyond.py
-- and read with the grader's test_data() (only inside a test: it does not
-- exist while this file is loading).

local function golden() return test_data("w1_beyond_golden.lua").deep_rnn_forward end

local function shown(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

local function layer(n_in, n_a)
  local p = {}
  p.Wax = np.random.randn(n_a, n_in)
  p.Waa = np.random.randn(n_a, n_a)
  p.ba = np.random.randn(n_a, 1)
  return p
end

-- The draw order: x, a0[1], a0[2], layer 1 {Wax, Waa, ba}, layer 2
-- {Wax, Waa, ba}, Wy, by.
local function inputs(seed, n_x, n_a1, n_a2, n_y, m, T_x)
  np.random.seed(seed)
  local x = np.random.randn(n_x, m, T_x)
  local a0 = { np.random.randn(n_a1, m), np.random.randn(n_a2, m) }
  local p = { layers = {} }
  p.layers[1] = layer(n_x, n_a1)
  p.layers[2] = layer(n_a1, n_a2)
  p.Wy = np.random.randn(n_y, n_a2)
  p.by = np.random.randn(n_y, 1)
  return x, a0, p
end

local function course_case(M)
  local a, y_pred = M.deep_rnn_forward(inputs(1, 3, 5, 4, 2, 10, 4))
  return { a = a, y_pred = y_pred }
end

local RETURNS = "returns a, a list of 2 tensors, and y_pred"
local SHAPES = "a[1] is (5, 10, 4), a[2] is (4, 10, 4), y_pred is (2, 10, 4), in float64"

return {
  functions = { "deep_rnn_forward" },
  tests = {
    {
      name = RETURNS,
      run = function(M)
        local r = course_case(M)
        expect.type(r.a, "table", "a")
        expect.type(r.a[1], "tensor", "a[1]")
        expect.type(r.a[2], "tensor", "a[2]")
        expect.equal(#r.a, 2, "#a")
        expect.type(r.y_pred, "tensor", "y_pred")
      end,
    },
    {
      name = SHAPES,
      after = RETURNS,
      run = function(M)
        local r = course_case(M)
        expect.shape(r.a[1], { 5, 10, 4 }, "a[1]")
        expect.shape(r.a[2], { 4, 10, 4 }, "a[2]")
        expect.shape(r.y_pred, { 2, 10, 4 }, "y_pred")
        expect.equal(r.a[1]:dtype(), "float64", "a[1]:dtype()")
        expect.equal(r.a[2]:dtype(), "float64", "a[2]:dtype()")
        expect.equal(r.y_pred:dtype(), "float64", "y_pred:dtype()")
      end,
    },
    {
      name = "layer 1 states",
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.a[1][5][2], { -0.986043144, -0.900555222, 0.999999371,
          -0.817259872 }, shown("a[1][5][2]"))
      end,
    },
    {
      name = "layer 2 states",
      points = 2,
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.a[2][4][2], { 0.435699073, 0.84216412, -0.915711717,
          -0.98902804 }, shown("a[2][4][2]"))
      end,
    },
    {
      name = "y_pred reads the top layer",
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.y_pred[2][4], { 0.233782294, 0.830772114, 0.415140399,
          0.857363776 }, shown("y_pred[2][4]"))
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = SHAPES,
      run = function(M)
        for _, g in ipairs(golden()) do
          local a, y_pred = M.deep_rnn_forward(inputs(g.seed, g.n_x, g.n_a1,
            g.n_a2, g.n_y, g.m, g.T_x))
          local tag = (" (seed %d)"):format(g.seed)
          expect.type(a, "table", "a" .. tag)
          expect.close(a[1], g.a[1], tight("a[1]" .. tag))
          expect.close(a[2], g.a[2], tight("a[2]" .. tag))
          expect.close(y_pred, g.y_pred, tight("y_pred" .. tag))
        end
      end,
    },
  },
}
