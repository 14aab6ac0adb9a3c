-- Tests for clip_by_global_norm.
--
-- This exercise is not in the course, so the expected values come from
-- the float64 numpy reference in tests/golden/gen/w1_beyond.py, which
-- also checks that the numbers written below agree with it.
--
-- Visible cases: np.random.seed(2), then dWax (5, 3), dWaa (5, 5),
-- dWya (2, 5), db (5, 1) and dby (2, 1), in that order, each
-- np.random.randn(shape) * 10; their global norm is about 76.58, so
-- max_norm = 5 scales everything by 5 / 76.58 and max_norm = 100 changes
-- nothing.  The same draws scaled by 0.01 instead of 10, with
-- max_norm = 0.05, check a small norm, where an epsilon added to the
-- norm (as PyTorch's clip_grad_norm does) would show.  numpy's dWya[1]
-- is dWya[2] here.  The numbers below carry 9 significant digits, hence
-- the atol.
--
-- The hidden tests use other seeds, sizes, thresholds and names (the
-- LSTM's dWf, dbf, ...), and one case below the threshold.  Their
-- expected values are in tests/w1_beyond_golden.lua, written by
-- tests/golden/gen/w1_beyond.py and read with the grader's test_data()
-- (only inside a test: it does not exist while this file is loading).

local function golden() return test_data("w1_beyond_golden.lua").clip_by_global_norm end

local function shown(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function small(what) return { rtol = 1e-7, atol = 5e-12, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

-- The gradients: one tensor per name, drawn in this order as
-- np.random.randn(shape) * scale.  "rnn" names the course's RNN gradients,
-- "lstm" the LSTM's (n_y is not used then).
local function spec(kind, n_x, n_a, n_y)
  if kind == "rnn" then
    return { "dWax", "dWaa", "dWya", "db", "dby" },
      { { n_a, n_x }, { n_a, n_a }, { n_y, n_a }, { n_a, 1 }, { n_y, 1 } }
  end
  local names, shapes = {}, {}
  for _, g in ipairs { "f", "i", "c", "o" } do
    names[#names + 1], shapes[#shapes + 1] = "dW" .. g, { n_a, n_a + n_x }
    names[#names + 1], shapes[#shapes + 1] = "db" .. g, { n_a, 1 }
  end
  return names, shapes
end

local function draw(seed, kind, n_x, n_a, n_y, scale)
  local names, shapes = spec(kind, n_x, n_a, n_y)
  np.random.seed(seed)
  local g = {}
  for i, name in ipairs(names) do
    g[name] = np.random.randn(table.unpack(shapes[i])) * scale
  end
  return g, names, shapes
end

-- The visible case: seed 2, the RNN gradients for n_x = 3, n_a = 5,
-- n_y = 2, scaled by 10.
local function course_grads() return draw(2, "rnn", 3, 5, 2, 10) end

local RETURNS = "returns a table with the same five names and a number"
local SHAPES = "every clipped tensor keeps its shape"

return {
  functions = { "clip_by_global_norm" },
  tests = {
    {
      name = RETURNS,
      run = function(M)
        local g, names = course_grads()
        local c, total_norm = M.clip_by_global_norm(g, 5)
        expect.type(c, "table", "clipped")
        for _, name in ipairs(names) do
          expect.type(c[name], "tensor", "clipped." .. name)
        end
        expect.type(total_norm, "number", "total_norm")
      end,
    },
    {
      name = SHAPES,
      after = RETURNS,
      run = function(M)
        local g, names, shapes = course_grads()
        local c = M.clip_by_global_norm(g, 5)
        for i, name in ipairs(names) do
          expect.shape(c[name], shapes[i], "clipped." .. name)
        end
      end,
    },
    {
      name = "total_norm is the global norm before clipping",
      after = RETURNS,
      run = function(M)
        local _, total_norm = M.clip_by_global_norm(course_grads(), 5)
        expect.close(total_norm, 76.5786517, shown("total_norm"))
      end,
    },
    {
      name = "values, max_norm = 5",
      points = 2,
      after = SHAPES,
      run = function(M)
        local c = M.clip_by_global_norm(course_grads(), 5)
        expect.close(c.dWya[2], { -0.219171617, 0.399158751, 0.0313211259,
          -0.541361901, 0.0572680613 }, shown("clipped.dWya[2]"))
        expect.close(c.db, { { 0.653162379 }, { -0.248824254 },
          { -0.245283388 }, { -0.0486237099 }, { 0.283039934 } },
          shown("clipped.db"))
      end,
    },
    {
      name = "small gradients, max_norm = 0.05",
      after = SHAPES,
      run = function(M)
        local g = draw(2, "rnn", 3, 5, 2, 0.01)
        local c, total_norm = M.clip_by_global_norm(g, 0.05)
        expect.close(total_norm, 0.0765786517, small("total_norm"))
        expect.close(c.dWax[1], { -0.00272110985, -0.000367379328,
          -0.013947726 }, small("clipped.dWax[1]"))
        expect.close(c.dby, { { 0.0083468382 }, { -0.00414397023 } },
          small("clipped.dby"))
      end,
    },
    {
      name = "below the threshold nothing changes, max_norm = 100",
      after = SHAPES,
      run = function(M)
        local g, names = course_grads()
        local c, total_norm = M.clip_by_global_norm(g, 100)
        expect.close(total_norm, 76.5786517, shown("total_norm"))
        expect.close(c.db, { { 10.0036589 }, { -3.81092518 },
          { -3.75669423 }, { -0.744707629 }, { 4.3349633 } },
          shown("clipped.db"))
        for _, name in ipairs(names) do
          expect.close(c[name], g[name], { rtol = 0, what = "clipped." .. name })
        end
      end,
    },
    {
      name = "the gradients passed in are left unchanged",
      after = SHAPES,
      run = function(M)
        local g, names = course_grads()
        M.clip_by_global_norm(g, 5)
        local fresh = course_grads()
        for _, name in ipairs(names) do
          expect.close(g[name], fresh[name],
            { rtol = 0, what = "gradients." .. name })
        end
      end,
    },
    {
      name = "other seeds, sizes, thresholds and names",
      points = 2,
      visibility = "hidden",
      after = SHAPES,
      run = function(M)
        for _, c in ipairs(golden()) do
          local g, names = draw(c.seed, c.kind, c.n_x, c.n_a, c.n_y, c.scale)
          local got, total_norm = M.clip_by_global_norm(g, c.max_norm)
          local tag = (" (seed %d)"):format(c.seed)
          expect.type(got, "table", "clipped" .. tag)
          expect.close(total_norm, c.total_norm, tight("total_norm" .. tag))
          for _, name in ipairs(names) do
            expect.close(got[name], c.clipped[name], tight(name .. tag))
          end
        end
      end,
    },
  },
}
