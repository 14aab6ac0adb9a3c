-- Tests for lstm_forward.
--
-- The visible tests replay the course's own test case: np.random.seed(1),
-- x (3, 10, 7) and a0 (5, 10), then the parameters in the course's order
-- (Wf, bf, Wi, bi, Wo, bo, Wc, bc, Wy, by), compared with the numbers the
-- course prints.  numpy counts from 0 and seqlab from 1: the course's
-- a[4][3][6] is a:get(5, 4, 7) here, and its caches[1][1][1] (x's row 1,
-- column 1) is caches[2][2][2].  The course prints 8 to 12 digits, hence
-- the small atol next to rtol = 1e-7.
--
-- The hidden tests use other seeds and sizes (one of them a single time
-- step).  Their expected values are in
-- tests/w1_forward_golden.lua, written by tests/golden/gen/w1_forward.py
-- from an independent float64 numpy implementation and read with the
-- grader's test_data() (only inside a test: it does not exist while this
-- file is loading).

local function golden() return test_data("w1_forward_golden.lua").lstm_forward end

local function course(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

-- The course's draw order: x, a0, then each gate's W and b (f, i, o, c),
-- then Wy and by.
local function inputs(seed, n_x, n_a, n_y, m, T_x)
  np.random.seed(seed)
  local x = np.random.randn(n_x, m, T_x)
  local a0 = np.random.randn(n_a, m)
  local parameters = {}
  for _, g in ipairs { "f", "i", "o", "c" } do
    parameters["W" .. g] = np.random.randn(n_a, n_a + n_x)
    parameters["b" .. g] = np.random.randn(n_a, 1)
  end
  parameters.Wy = np.random.randn(n_y, n_a)
  parameters.by = np.random.randn(n_y, 1)
  return x, a0, parameters
end

local function course_case(M)
  local x, a0, parameters = inputs(1, 3, 5, 2, 10, 7)
  local a, y, c, caches = M.lstm_forward(x, a0, parameters)
  return { a = a, y = y, c = c, caches = caches, x = x, a0 = a0 }
end

-- caches must be {list of T_x cell caches, x}; each cell cache starts with
-- that step's a_next, c_next, a_prev, c_prev.
local function check_caches(caches, x, a0, a, c, T_x, tag)
  expect.type(caches, "table", "caches" .. tag)
  expect.equal(#caches, 2, "#caches" .. tag)
  expect.equal(caches[2], x, "caches[2] (x)" .. tag)
  expect.type(caches[1], "table", "caches[1]" .. tag)
  expect.equal(#caches[1], T_x, "#caches[1], one cache per step" .. tag)
  for t = 1, T_x do
    local what = ("caches[1][%d]"):format(t)
    expect.type(caches[1][t], "table", what .. tag)
    expect.equal(#caches[1][t], 10, "#" .. what .. tag)
    expect.close(caches[1][t][1], a:select(3, t),
      { rtol = 0, what = what .. "[1], a_next of step " .. t .. tag })
    expect.close(caches[1][t][2], c:select(3, t),
      { rtol = 0, what = what .. "[2], c_next of step " .. t .. tag })
  end
  expect.equal(caches[1][1][3], a0, "caches[1][1][3] (a_prev of step 1 is a0)" .. tag)
  expect.close(caches[1][1][4], seq.zeros_like(a0),
    { rtol = 0, what = "caches[1][1][4] (c_prev of step 1 is zeros)" .. tag })
end

local SHAPES = "a and c are (5, 10, 7), y is (2, 10, 7), in float64"

return {
  functions = { "lstm_forward" },
  tests = {
    {
      name = "returns a, y, c and caches",
      run = function(M)
        local r = course_case(M)
        expect.type(r.a, "tensor", "a")
        expect.type(r.y, "tensor", "y")
        expect.type(r.c, "tensor", "c")
        expect.type(r.caches, "table", "caches")
      end,
    },
    {
      name = SHAPES,
      after = "returns a, y, c and caches",
      run = function(M)
        local r = course_case(M)
        expect.shape(r.a, { 5, 10, 7 }, "a")
        expect.shape(r.y, { 2, 10, 7 }, "y")
        expect.shape(r.c, { 5, 10, 7 }, "c")
        for _, k in ipairs { "a", "y", "c" } do
          expect.equal(r[k]:dtype(), "float64", k .. ":dtype()")
        end
      end,
    },
    {
      name = "a matches the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.a:get(5, 4, 7), 0.172117767533, course("a:get(5, 4, 7)"))
      end,
    },
    {
      name = "y matches the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.y:get(2, 5, 4), 0.95087346185, course("y:get(2, 5, 4)"))
      end,
    },
    {
      name = "c matches the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.c:get(2, 3, 2), -0.855544916718, course("c:get(2, 3, 2)"))
      end,
    },
    {
      name = "caches is {list of 7 cell caches, x}",
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        check_caches(r.caches, r.x, r.a0, r.a, r.c, 7, "")
        expect.close(r.caches[2][2][2], { 0.82797464, 0.23009474, 0.76201118,
          -0.22232814, -0.20075807, 0.18656139, 0.41005165 },
          course("caches[2][2][2]"))
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = SHAPES,
      run = function(M)
        for _, g in ipairs(golden()) do
          local x, a0, parameters = inputs(g.seed, g.n_x, g.n_a, g.n_y, g.m, g.T_x)
          local a, y, c, caches = M.lstm_forward(x, a0, parameters)
          local tag = (" (seed %d)"):format(g.seed)
          expect.close(a, g.a, tight("a" .. tag))
          expect.close(y, g.y, tight("y" .. tag))
          expect.close(c, g.c, tight("c" .. tag))
          check_caches(caches, x, a0, a, c, g.T_x, tag)
        end
      end,
    },
  },
}
