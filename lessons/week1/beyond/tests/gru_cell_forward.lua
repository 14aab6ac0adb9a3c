-- Tests for gru_cell_forward.
--
-- This exercise is not in the course, so the expected values come from
-- the float64 numpy reference in tests/golden/gen/w1_beyond.py, which
-- also checks that the numbers written below agree with it.
--
-- Visible case, the sizes of the course's cell tests: np.random.seed(1),
-- xt (3, 10), a_prev (5, 10), then Wu (5, 8), bu (5, 1), Wr, br, Wc, bc,
-- Wy (2, 5) and by (2, 1), in that order.  numpy's a_next[4] is a_next[5]
-- here.  The numbers below carry 9 significant digits, hence the atol.
--
-- The hidden tests use other seeds and sizes (one of them a single
-- example) and also check the gates kept in the cache.  Their expected
-- values are in tests/w1_beyond_golden.lua, written by
-- tests/golden/gen/w1_beyond.py and read with the grader's test_data()
-- (only inside a test: it does not exist while this file is loading).

local function golden() return test_data("w1_beyond_golden.lua").gru_cell_forward end

local function shown(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

-- The draw order: xt, a_prev, then Wu, bu, Wr, br, Wc, bc, Wy, by.
local function draw(seed, n_x, n_a, n_y, m)
  np.random.seed(seed)
  local xt = np.random.randn(n_x, m)
  local a_prev = np.random.randn(n_a, m)
  local p = {}
  for _, g in ipairs { "u", "r", "c" } do
    p["W" .. g] = np.random.randn(n_a, n_a + n_x)
    p["b" .. g] = np.random.randn(n_a, 1)
  end
  p.Wy = np.random.randn(n_y, n_a)
  p.by = np.random.randn(n_y, 1)
  return xt, a_prev, p
end

local function course_case(M)
  local xt, a_prev, p = draw(1, 3, 5, 2, 10)
  local a_next, yt_pred, cache = M.gru_cell_forward(xt, a_prev, p)
  return { a_next = a_next, yt_pred = yt_pred, cache = cache, xt = xt,
           a_prev = a_prev, parameters = p }
end

local RETURNS = "returns a_next, yt_pred and cache"
local SHAPES = "a_next is (5, 10) and yt_pred is (2, 10)"

return {
  functions = { "gru_cell_forward" },
  tests = {
    {
      name = RETURNS,
      run = function(M)
        local r = course_case(M)
        expect.type(r.a_next, "tensor", "a_next")
        expect.type(r.yt_pred, "tensor", "yt_pred")
        expect.type(r.cache, "table", "cache")
      end,
    },
    {
      name = SHAPES,
      after = RETURNS,
      run = function(M)
        local r = course_case(M)
        expect.shape(r.a_next, { 5, 10 }, "a_next")
        expect.shape(r.yt_pred, { 2, 10 }, "yt_pred")
      end,
    },
    {
      name = "a_next values",
      points = 2,
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.a_next[5], { -1.41231107, -0.482490484, 0.139713344,
          0.88753152, 0.251933621, -0.0456811829, -0.306716634, 0.819163712,
          0.205960171, 0.0241850744 }, shown("a_next[5]"))
      end,
    },
    {
      name = "yt_pred values",
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        expect.close(r.yt_pred[2], { 0.755314271, 0.00261151613,
          0.0439270142, 0.0391587591, 0.0952721529, 0.251496703, 0.133126399,
          0.109933147, 0.017687426, 0.533239707 }, shown("yt_pred[2]"))
      end,
    },
    {
      name = "cache is {a_next, a_prev, ut, rt, cct, xt, parameters}",
      after = SHAPES,
      run = function(M)
        local r = course_case(M)
        local cache = r.cache
        for i, name in ipairs { "a_next", "a_prev", "ut", "rt", "cct", "xt" } do
          expect.type(cache[i], "tensor", ("cache[%d] (%s)"):format(i, name))
        end
        expect.type(cache[7], "table", "cache[7] (parameters)")
        expect.equal(#cache, 7, "#cache")
        expect.equal(cache[1], r.a_next, "cache[1] (a_next)")
        expect.equal(cache[2], r.a_prev, "cache[2] (a_prev)")
        expect.equal(cache[6], r.xt, "cache[6] (xt)")
        expect.equal(cache[7].Wu, r.parameters.Wu, "cache[7].Wu")
        expect.close(cache[5][3], { 0.99151856, -0.977085086, 0.814972028,
          0.35865866, 0.999780538, -0.996961024, 0.888164217, -0.827603815,
          0.88969836, 0.998074386 }, shown("cache[5][3] (cct)"))
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = SHAPES,
      run = function(M)
        for _, g in ipairs(golden()) do
          local xt, a_prev, p = draw(g.seed, g.n_x, g.n_a, g.n_y, g.m)
          local a_next, yt_pred, cache = M.gru_cell_forward(xt, a_prev, p)
          local tag = (" (seed %d)"):format(g.seed)
          expect.close(a_next, g.a_next, tight("a_next" .. tag))
          expect.close(yt_pred, g.yt_pred, tight("yt_pred" .. tag))
          expect.type(cache, "table", "cache" .. tag)
          expect.close(cache[3], g.ut, tight("cache[3] (ut)" .. tag))
          expect.close(cache[4], g.rt, tight("cache[4] (rt)" .. tag))
          expect.close(cache[5], g.cct, tight("cache[5] (cct)" .. tag))
        end
      end,
    },
  },
}
