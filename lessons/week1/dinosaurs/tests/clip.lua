-- Tests for clip.
--
-- The visible tests replay the course's clip_test: np.random.seed(3), then
-- dWax (5, 3), dWaa (5, 5), dWya (2, 5), db (5, 1), dby (2, 1), each
-- randn * 10, clipped with maxValue 10 and with maxValue 5.  The course
-- indexes from 0: its dWaa[1][2] is dWaa[2][3] here, its db[4] is db[5].
--
-- The hidden tests draw other sizes and seeds in the same order; their
-- expected results are in tests/w1_dinosaurs_golden.lua, written by
-- tests/golden/gen/w1_dinosaurs.py from a float64 numpy reference.

local KEYS = { "dWaa", "dWax", "dWya", "db", "dby" }

local function golden() return test_data("w1_dinosaurs_golden.lua").clip end

-- clip_test's draws
local function gradients(seed, n_x, n_a, n_y)
  np.random.seed(seed)
  return {
    dWax = np.random.randn(n_a, n_x) * 10,
    dWaa = np.random.randn(n_a, n_a) * 10,
    dWya = np.random.randn(n_y, n_a) * 10,
    db = np.random.randn(n_a, 1) * 10,
    dby = np.random.randn(n_y, 1) * 10,
  }
end

local function copy(g)
  local c = {}
  for _, k in ipairs(KEYS) do c[k] = g[k]:clone() end
  return c
end

local function check_table(out, shapes, prefix)
  prefix = prefix or ""
  expect.type(out, "table", prefix .. "the result of clip")
  for _, k in ipairs(KEYS) do
    expect.type(out[k], "tensor", prefix .. "result." .. k)
    expect.shape(out[k], shapes[k], prefix .. "result." .. k)
  end
end

-- every entry of the result is the entry of `before` clipped to [-m, m]
local function check_clipped(out, before, m, prefix)
  for _, k in ipairs(KEYS) do
    expect.close(out[k], before[k]:clamp(-m, m), { rtol = 0, what = prefix .. k })
  end
end

local SHAPES = { dWax = { 5, 3 }, dWaa = { 5, 5 }, dWya = { 2, 5 }, db = { 5, 1 },
                 dby = { 2, 1 } }

return {
  functions = { "clip" },
  tests = {
    {
      name = "returns a table of the five gradients",
      run = function(M)
        check_table(M.clip(gradients(3, 3, 5, 2), 10), SHAPES)
      end,
    },
    {
      name = "maxValue = 10 matches the course",
      points = 2,
      after = "returns a table of the five gradients",
      run = function(M)
        local g = M.clip(gradients(3, 3, 5, 2), 10)
        expect.close(g.dWaa:get(2, 3), 10.0, { what = "dWaa[2][3]" })
        expect.close(g.dWax:get(4, 2), -10.0, { what = "dWax[4][2]" })
        expect.close(g.dWya:get(2, 3), 0.2971381536101662, { what = "dWya[2][3]" })
        expect.close(g.db[5], { 10.0 }, { what = "db[5]" })
        expect.close(g.dby[2], { 8.45833407 }, { rtol = 1e-7, atol = 5e-9, what = "dby[2]" })
      end,
    },
    {
      name = "maxValue = 5 matches the course",
      after = "returns a table of the five gradients",
      run = function(M)
        local g = M.clip(gradients(3, 3, 5, 2), 5)
        expect.close(g.dWaa:get(2, 3), 5.0, { what = "dWaa[2][3]" })
        expect.close(g.dWax:get(4, 2), -5.0, { what = "dWax[4][2]" })
        expect.close(g.dWya:get(2, 3), 0.2971381536101662, { what = "dWya[2][3]" })
        expect.close(g.db[5], { 5.0 }, { what = "db[5]" })
        expect.close(g.dby[2], { 5.0 }, { what = "dby[2]" })
      end,
    },
    {
      name = "every entry is clipped, and entries within the range are kept",
      after = "returns a table of the five gradients",
      run = function(M)
        for _, m in ipairs { 10, 5, 0.5 } do
          local g = gradients(3, 3, 5, 2)
          local before = copy(g)
          check_clipped(M.clip(g, m), before, m, ("maxValue %g: result."):format(m))
        end
      end,
    },
    {
      name = "clips in place: the tensors passed in are clipped too",
      after = "returns a table of the five gradients",
      run = function(M)
        local g = gradients(3, 3, 5, 2)
        local before = copy(g)
        M.clip(g, 5)
        check_clipped(g, before, 5, "the table passed to clip: ")
      end,
    },
    {
      name = "other seeds and sizes",
      points = 2,
      visibility = "hidden",
      after = "returns a table of the five gradients",
      run = function(M)
        for _, c in ipairs(golden()) do
          local tag = ("seed %d: "):format(c.seed)
          local g = M.clip(gradients(c.seed, c.n_x, c.n_a, c.n_y), c.maxValue)
          check_table(g, { dWax = { c.n_a, c.n_x }, dWaa = { c.n_a, c.n_a },
            dWya = { c.n_y, c.n_a }, db = { c.n_a, 1 }, dby = { c.n_y, 1 } }, tag)
          for _, k in ipairs(KEYS) do
            expect.close(g[k], c[k], { rtol = 0, what = tag .. k })
          end
        end
      end,
    },
  },
}
