-- Tests for lstm_backward.
--
-- The visible tests replay the course's own test case (2021 notebook):
-- np.random.seed(1), x (3, 10, 7), a0 (5, 10), then each gate's W (5, 8)
-- and b (5, 1) in the order f, i, o, c; Wy and by are zeros (nothing is
-- drawn for them); the forward pass over the 7 steps; then da (5, 10, 4).
-- da covers only the first 4 steps, so only the first 4 caches are used
-- and dx is (3, 10, 4).  The results are compared with the numbers the
-- course prints.  numpy counts from 0 and seqlab from 1: the course's
-- dx[1][2] is dx[2][3] here, its da0[2][3] is da0:get(3, 4), its
-- dWf[3][1] is dWf:get(4, 2) and its dbf[4] is dbf[5].  The course prints
-- 8 to 12 digits, hence the small atol next to rtol = 1e-7.
--
-- The caches are built by the forward pass below, not by the learner's
-- file, so only lstm_backward is graded.
--
-- The hidden tests use other seeds and sizes (one with da shorter than
-- x, one with a single example and a single time step).  Their expected
-- values are in tests/w1_backward_golden.lua, written by
-- tests/golden/gen/w1_backward.py from an independent float64 numpy
-- implementation (itself checked against the course's numbers and against
-- finite differences) and read with the grader's test_data() (only inside
-- a test: it does not exist while this file is loading).

local function golden() return test_data("w1_backward_golden.lua").lstm_backward end

local function course(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

local KEYS = { "dx", "da0", "dWf", "dbf", "dWi", "dbi", "dWc", "dbc",
               "dWo", "dbo" }

-- The forward pass, to build caches = {list of the 10-value caches, x}.
local function forward(x, a0, p)
  local caches, a_next, c_next = {}, a0, np.zeros(a0:size(1), a0:size(2))
  for t = 1, x:size(3) do
    local xt, a_prev, c_prev = x:select(3, t), a_next, c_next
    local concat = seq.cat({ a_prev, xt }, 1)
    local ft = seq.sigmoid(p.Wf:matmul(concat) + p.bf)
    local it = seq.sigmoid(p.Wi:matmul(concat) + p.bi)
    local cct = seq.tanh(p.Wc:matmul(concat) + p.bc)
    c_next = ft * c_prev + it * cct
    local ot = seq.sigmoid(p.Wo:matmul(concat) + p.bo)
    a_next = ot * seq.tanh(c_next)
    caches[t] = { a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p }
  end
  return { caches, x }
end

-- The course's draw order: x, a0, each gate's W and b (f, i, o, c), Wy
-- and by set to zeros, then (after the forward pass) da with T_da steps.
local function inputs(seed, n_x, n_a, n_y, m, T_x, T_da)
  np.random.seed(seed)
  local x = np.random.randn(n_x, m, T_x)
  local a0 = np.random.randn(n_a, m)
  local p = {}
  for _, g in ipairs { "f", "i", "o", "c" } do
    p["W" .. g] = np.random.randn(n_a, n_a + n_x)
    p["b" .. g] = np.random.randn(n_a, 1)
  end
  p.Wy = np.zeros(n_y, n_a)
  p.by = np.zeros(n_y, 1)
  local caches = forward(x, a0, p)
  local da = np.random.randn(n_a, m, T_da)
  return da, caches
end

local function course_case(M)
  return M.lstm_backward(inputs(1, 3, 5, 2, 10, 7, 4))
end

local RETURNS = "returns a table with the 10 gradients"
local SHAPES = "dx (3, 10, 4) for da of 4 steps, da0 (5, 10), dW* (5, 8), db* (5, 1)"

return {
  functions = { "lstm_backward" },
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
        expect.shape(g.dx, { 3, 10, 4 }, "dx")
        expect.shape(g.da0, { 5, 10 }, "da0")
        for _, k in ipairs { "f", "i", "c", "o" } do
          expect.shape(g["dW" .. k], { 5, 8 }, "dW" .. k)
          expect.shape(g["db" .. k], { 5, 1 }, "db" .. k)
        end
      end,
    },
    {
      name = "dx and da0 match the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dx[2][3], { 0.00218254, 0.28205375, -0.48292508,
          -0.43281115 }, course("dx[2][3]"))
        expect.close(g.da0:get(3, 4), 0.312770310257, course("da0:get(3, 4)"))
      end,
    },
    {
      name = "dWf, dWi, dWc and dWo match the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dWf:get(4, 2), -0.0809802310938, course("dWf:get(4, 2)"))
        expect.close(g.dWi:get(2, 3), 0.40512433093, course("dWi:get(2, 3)"))
        expect.close(g.dWc:get(4, 2), -0.0793746735512, course("dWc:get(4, 2)"))
        expect.close(g.dWo:get(2, 3), 0.038948775763, course("dWo:get(2, 3)"))
      end,
    },
    {
      name = "dbf, dbi, dbc and dbo match the course",
      points = 2,
      after = SHAPES,
      run = function(M)
        local g = course_case(M)
        expect.close(g.dbf[5], { -0.15745657 }, course("dbf[5]"))
        expect.close(g.dbi[5], { -0.50848333 }, course("dbi[5]"))
        expect.close(g.dbc[5], { -0.42510818 }, course("dbc[5]"))
        expect.close(g.dbo[5], { -0.17958196 }, course("dbo[5]"))
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = SHAPES,
      run = function(M)
        for _, c in ipairs(golden()) do
          local g = M.lstm_backward(inputs(c.seed, c.n_x, c.n_a, c.n_y, c.m,
                                           c.T_x, c.T_da))
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
