-- Tests for lstm_cell_backward.
--
-- The visible tests replay the course's own test case (2021 notebook):
-- np.random.seed(1), xt (3, 10), a_prev and c_prev (5, 10), then each
-- gate's W (5, 8) and b (5, 1) in the order f, i, o, c, then Wy (2, 5) and
-- by (2, 1); the forward step; then da_next and dc_next (5, 10).  The
-- results are compared with the numbers the course prints.  numpy counts
-- from 0 and seqlab from 1: the course's dxt[1][2] is dxt:get(2, 3) here,
-- its dWf[3][1] is dWf:get(4, 2) and its dbf[4] is dbf[5].  The course
-- prints 8 to 12 digits, hence the small atol next to rtol = 1e-7.
--
-- The caches are built by the forward step below, not by the learner's
-- file, so only lstm_cell_backward is graded.
--
-- The hidden tests use other seeds and sizes (one of them a single
-- example).  Their expected values are in tests/w1_backward_golden.lua,
-- written by tests/golden/gen/w1_backward.py from an independent float64
-- numpy implementation (itself checked against the course's numbers and
-- against finite differences) and read with the grader's test_data()
-- (only inside a test: it does not exist while this file is loading).

local function golden() return test_data("w1_backward_golden.lua").lstm_cell_backward end

local function course(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

local KEYS = { "dxt", "da_prev", "dc_prev", "dWf", "dbf", "dWi", "dbi",
               "dWc", "dbc", "dWo", "dbo" }

-- The forward step, to build the cache
-- {a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters}.
local function forward(xt, a_prev, c_prev, p)
  local concat = seq.cat({ a_prev, xt }, 1)
  local ft = seq.sigmoid(p.Wf:matmul(concat) + p.bf)
  local it = seq.sigmoid(p.Wi:matmul(concat) + p.bi)
  local cct = seq.tanh(p.Wc:matmul(concat) + p.bc)
  local c_next = ft * c_prev + it * cct
  local ot = seq.sigmoid(p.Wo:matmul(concat) + p.bo)
  local a_next = ot * seq.tanh(c_next)
  return { a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p }
end

-- The course's draw order: xt, a_prev, c_prev, each gate's W and b
-- (f, i, o, c), Wy, by, then (after the forward step) da_next, dc_next.
local function inputs(seed, n_x, n_a, n_y, m)
  np.random.seed(seed)
  local xt = np.random.randn(n_x, m)
  local a_prev = np.random.randn(n_a, m)
  local c_prev = np.random.randn(n_a, m)
  local p = {}
  for _, g in ipairs { "f", "i", "o", "c" } do
    p["W" .. g] = np.random.randn(n_a, n_a + n_x)
    p["b" .. g] = np.random.randn(n_a, 1)
  end
  p.Wy = np.random.randn(n_y, n_a)
  p.by = np.random.randn(n_y, 1)
  local cache = forward(xt, a_prev, c_prev, p)
  local da_next = np.random.randn(n_a, m)
  local dc_next = np.random.randn(n_a, m)
  return da_next, dc_next, cache
end

local function course_case(M)
  return M.lstm_cell_backward(inputs(1, 3, 5, 2, 10))
end

local RETURNS = "returns a table with the 11 gradients"
local SHAPES = "dxt (3, 10), da_prev and dc_prev (5, 10), dW* (5, 8), db* (5, 1)"

return {
  functions = { "lstm_cell_backward" },
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
        expect.shape(g.dc_prev, { 5, 10 }, "dc_prev")
        for _, k in ipairs { "f", "i", "c", "o" } do
          expect.shape(g["dW" .. k], { 5, 8 }, "dW" .. k)
          expect.shape(g["db" .. k], { 5, 1 }, "db" .. k)
        end
      end,
    },
    {
      name = "dxt, da_prev and dc_prev match the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dxt:get(2, 3), 3.23055911511, course("dxt:get(2, 3)"))
        expect.close(g.da_prev:get(3, 4), -0.0639621419711,
          course("da_prev:get(3, 4)"))
        expect.close(g.dc_prev:get(3, 4), 0.797522038797,
          course("dc_prev:get(3, 4)"))
      end,
    },
    {
      name = "dWf, dWi, dWc and dWo match the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dWf:get(4, 2), -0.147954838164, course("dWf:get(4, 2)"))
        expect.close(g.dWi:get(2, 3), 1.05749805523, course("dWi:get(2, 3)"))
        expect.close(g.dWc:get(4, 2), 2.30456216369, course("dWc:get(4, 2)"))
        expect.close(g.dWo:get(2, 3), 0.331311595289, course("dWo:get(2, 3)"))
      end,
    },
    {
      name = "dbf, dbi, dbc and dbo match the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dbf[5], { 0.18864637 }, course("dbf[5]"))
        expect.close(g.dbi[5], { -0.40142491 }, course("dbi[5]"))
        expect.close(g.dbc[5], { 0.25587763 }, course("dbc[5]"))
        expect.close(g.dbo[5], { 0.13893342 }, course("dbo[5]"))
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = SHAPES,
      run = function(M)
        for _, c in ipairs(golden()) do
          local g = M.lstm_cell_backward(inputs(c.seed, c.n_x, c.n_a, c.n_y, c.m))
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
