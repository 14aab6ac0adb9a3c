-- Tests for gru_cell_backward.
--
-- This exercise is not in the course, so the expected values come from
-- the float64 numpy reference in tests/golden/gen/w1_beyond.py (checked
-- there against finite differences), which also checks that the numbers
-- written below agree with it.
--
-- Visible case: np.random.seed(1), xt (3, 10), a_prev (5, 10), then
-- Wu (5, 8), bu (5, 1), Wr, br, Wc, bc, Wy (2, 5) and by (2, 1), in that
-- order; the forward step; then da_next (5, 10).  numpy counts from 0 and
-- seqlab from 1: numpy's dxt[1][2] is dxt:get(2, 3) here and its dbu[4]
-- is dbu[5].  The numbers below carry 9 significant digits, hence the
-- atol.
--
-- The caches are built by the forward step below, not by the learner's
-- file, so only gru_cell_backward is graded.
--
-- The hidden tests use other seeds and sizes (one of them a single
-- example).  Their expected values are in tests/w1_beyond_golden.lua,
-- written by tests/golden/gen/w1_beyond.py and read with the grader's
-- test_data() (only inside a test: it does not exist while this file is
-- loading).

local function golden() return test_data("w1_beyond_golden.lua").gru_cell_backward end

local function shown(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

local KEYS = { "dxt", "da_prev", "dWu", "dbu", "dWr", "dbr", "dWc", "dbc" }

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

-- The forward step, to build the cache
-- {a_next, a_prev, ut, rt, cct, xt, parameters}.
local function forward(xt, a_prev, p)
  local concat = seq.cat({ a_prev, xt }, 1)
  local ut = seq.sigmoid(p.Wu:matmul(concat) + p.bu)
  local rt = seq.sigmoid(p.Wr:matmul(concat) + p.br)
  local cct = seq.tanh(p.Wc:matmul(seq.cat({ rt * a_prev, xt }, 1)) + p.bc)
  local a_next = ut * cct + (1 - ut) * a_prev
  return { a_next, a_prev, ut, rt, cct, xt, p }
end

local function inputs(seed, n_x, n_a, n_y, m)
  local xt, a_prev, p = draw(seed, n_x, n_a, n_y, m)
  local cache = forward(xt, a_prev, p)
  local da_next = np.random.randn(n_a, m)
  return da_next, cache
end

local function course_case(M)
  return M.gru_cell_backward(inputs(1, 3, 5, 2, 10))
end

local RETURNS = "returns a table with the 8 gradients"
local SHAPES = "dxt (3, 10), da_prev (5, 10), dW* (5, 8), db* (5, 1)"

return {
  functions = { "gru_cell_backward" },
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
        for _, k in ipairs { "u", "r", "c" } do
          expect.shape(g["dW" .. k], { 5, 8 }, "dW" .. k)
          expect.shape(g["db" .. k], { 5, 1 }, "db" .. k)
        end
      end,
    },
    {
      name = "dxt and da_prev values",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dxt:get(2, 3), -0.551122746, shown("dxt:get(2, 3)"))
        expect.close(g.da_prev:get(3, 4), 0.43482724, shown("da_prev:get(3, 4)"))
      end,
    },
    {
      name = "dWu, dWr and dWc values",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dWu:get(4, 2), -0.0907624549, shown("dWu:get(4, 2)"))
        expect.close(g.dWr:get(2, 3), -0.333927757, shown("dWr:get(2, 3)"))
        expect.close(g.dWc:get(4, 2), 0.0925458088, shown("dWc:get(4, 2)"))
      end,
    },
    {
      name = "dbu, dbr and dbc values",
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dbu[5], { 0.473999634 }, shown("dbu[5]"))
        expect.close(g.dbr[5], { 0.185875983 }, shown("dbr[5]"))
        expect.close(g.dbc[5], { -0.82874075 }, shown("dbc[5]"))
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = SHAPES,
      run = function(M)
        for _, c in ipairs(golden()) do
          local g = M.gru_cell_backward(inputs(c.seed, c.n_x, c.n_a, c.n_y, c.m))
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
