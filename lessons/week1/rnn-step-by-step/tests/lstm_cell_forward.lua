-- Tests for lstm_cell_forward.
--
-- The visible tests replay the course's own test case: np.random.seed(1),
-- xt (3, 10), a_prev and c_prev (5, 10), then the parameters in the
-- course's order (Wf, bf, Wi, bi, Wo, bo, Wc, bc, Wy, by), compared with
-- the numbers the course prints.  numpy counts from 0 and seqlab from 1:
-- the course's a_next[4] is a_next[5] here, and its cache[1][3] (row 3 of
-- c_next) is cache[2][4].  The course prints 8 decimals, hence the small
-- atol next to rtol = 1e-7.
--
-- The hidden tests use other seeds and sizes, and also check the gates
-- kept in the cache.  Their expected values are in
-- tests/w1_forward_golden.lua, written by tests/golden/gen/w1_forward.py
-- from an independent float64 numpy implementation and read with the
-- grader's test_data() (only inside a test: it does not exist while this
-- file is loading).

local function golden() return test_data("w1_forward_golden.lua").lstm_cell_forward end

local function course(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

-- The course's draw order: xt, a_prev, c_prev, then each gate's W and b
-- (f, i, o, c), then Wy and by.
local function inputs(seed, n_x, n_a, n_y, m)
  np.random.seed(seed)
  local xt = np.random.randn(n_x, m)
  local a_prev = np.random.randn(n_a, m)
  local c_prev = np.random.randn(n_a, m)
  local parameters = {}
  for _, g in ipairs { "f", "i", "o", "c" } do
    parameters["W" .. g] = np.random.randn(n_a, n_a + n_x)
    parameters["b" .. g] = np.random.randn(n_a, 1)
  end
  parameters.Wy = np.random.randn(n_y, n_a)
  parameters.by = np.random.randn(n_y, 1)
  return xt, a_prev, c_prev, parameters
end

local function course_case(M)
  local xt, a_prev, c_prev, parameters = inputs(1, 3, 5, 2, 10)
  local a_next, c_next, yt_pred, cache =
    M.lstm_cell_forward(xt, a_prev, c_prev, parameters)
  return { a_next = a_next, c_next = c_next, yt_pred = yt_pred,
           cache = cache, xt = xt, a_prev = a_prev, c_prev = c_prev,
           parameters = parameters }
end

local SHAPES = "a_next and c_next are (5, 10), yt_pred is (2, 10)"

return {
  functions = { "lstm_cell_forward" },
  tests = {
    {
      name = "returns a_next, c_next, yt_pred and cache",
      run = function(M)
        local r = course_case(M)
        expect.type(r.a_next, "tensor", "a_next")
        expect.type(r.c_next, "tensor", "c_next")
        expect.type(r.yt_pred, "tensor", "yt_pred")
        expect.type(r.cache, "table", "cache")
      end,
    },
    {
      name = SHAPES,
      after = "returns a_next, c_next, yt_pred and cache",
      run = function(M)
        local r = course_case(M)
        expect.shape(r.a_next, { 5, 10 }, "a_next")
        expect.shape(r.c_next, { 5, 10 }, "c_next")
        expect.shape(r.yt_pred, { 2, 10 }, "yt_pred")
      end,
    },
    {
      name = "a_next matches the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.a_next[5], { -0.66408471, 0.0036921, 0.02088357,
          0.22834167, -0.85575339, 0.00138482, 0.76566531, 0.34631421,
          -0.00215674, 0.43827275 }, course("a_next[5]"))
      end,
    },
    {
      name = "c_next matches the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.c_next[3], { 0.63267805, 1.00570849, 0.35504474,
          0.20690913, -1.64566718, 0.11832942, 0.76449811, -0.0981561,
          -0.74348425, -0.26810932 }, course("c_next[3]"))
      end,
    },
    {
      name = "yt_pred matches the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.yt_pred[2], { 0.79913913, 0.15986619, 0.22412122,
          0.15606108, 0.97057211, 0.31146381, 0.00943007, 0.12666353,
          0.39380172, 0.07828381 }, course("yt_pred[2]"))
      end,
    },
    {
      name = "cache holds the 10 values in the course's order",
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        local cache = r.cache
        for i, name in ipairs { "a_next", "c_next", "a_prev", "c_prev", "ft",
                                "it", "cct", "ot", "xt" } do
          expect.type(cache[i], "tensor", ("cache[%d] (%s)"):format(i, name))
        end
        expect.type(cache[10], "table", "cache[10] (parameters)")
        expect.equal(#cache, 10, "#cache")
        expect.equal(cache[1], r.a_next, "cache[1] (a_next)")
        expect.equal(cache[2], r.c_next, "cache[2] (c_next)")
        expect.equal(cache[3], r.a_prev, "cache[3] (a_prev)")
        expect.equal(cache[4], r.c_prev, "cache[4] (c_prev)")
        expect.equal(cache[9], r.xt, "cache[9] (xt)")
        expect.equal(cache[10].Wf, r.parameters.Wf, "cache[10].Wf")
        expect.close(cache[2][4], { -0.16263996, 1.03729328, 0.72938082,
          -0.54101719, 0.02752074, -0.30821874, 0.07651101, -1.03752894,
          1.41219977, -0.37647422 }, course("cache[2][4]"))
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = SHAPES,
      run = function(M)
        for _, g in ipairs(golden()) do
          local xt, a_prev, c_prev, parameters =
            inputs(g.seed, g.n_x, g.n_a, g.n_y, g.m)
          local a_next, c_next, yt_pred, cache =
            M.lstm_cell_forward(xt, a_prev, c_prev, parameters)
          local tag = (" (seed %d)"):format(g.seed)
          expect.close(a_next, g.a_next, tight("a_next" .. tag))
          expect.close(c_next, g.c_next, tight("c_next" .. tag))
          expect.close(yt_pred, g.yt, tight("yt_pred" .. tag))
          expect.type(cache, "table", "cache" .. tag)
          expect.close(cache[5], g.ft, tight("cache[5] (ft)" .. tag))
          expect.close(cache[6], g.it, tight("cache[6] (it)" .. tag))
          expect.close(cache[7], g.cct, tight("cache[7] (cct)" .. tag))
          expect.close(cache[8], g.ot, tight("cache[8] (ot)" .. tag))
        end
      end,
    },
  },
}
