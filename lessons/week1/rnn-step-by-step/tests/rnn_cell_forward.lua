-- Tests for rnn_cell_forward.
--
-- The visible tests replay the course's own test case: np.random.seed(1),
-- then the inputs drawn in the course's order, compared with the numbers
-- the course prints.  numpy counts rows from 0 and seqlab from 1, so the
-- course's a_next[4] is a_next[5] here.  The course prints 8 decimals,
-- hence the small atol next to rtol = 1e-7.
--
-- The hidden tests use other seeds and sizes.  Their expected values are in
-- tests/w1_forward_golden.lua, written by tests/golden/gen/w1_forward.py
-- from an independent float64 numpy implementation and read with the
-- grader's test_data() (only inside a test: it does not exist while this
-- file is loading).

local function golden() return test_data("w1_forward_golden.lua").rnn_cell_forward end

local function course(what) return { rtol = 1e-7, atol = 5e-9, what = what } end
local function tight(what) return { rtol = 1e-7, atol = 1e-12, what = what } end

-- The course's draw order: xt, a_prev, then Waa, Wax, Wya, ba, by.
local function inputs(seed, n_x, n_a, n_y, m)
  np.random.seed(seed)
  local xt = np.random.randn(n_x, m)
  local a_prev = np.random.randn(n_a, m)
  local parameters = {}
  parameters.Waa = np.random.randn(n_a, n_a)
  parameters.Wax = np.random.randn(n_a, n_x)
  parameters.Wya = np.random.randn(n_y, n_a)
  parameters.ba = np.random.randn(n_a, 1)
  parameters.by = np.random.randn(n_y, 1)
  return xt, a_prev, parameters
end

local function course_case(M)
  local xt, a_prev, parameters = inputs(1, 3, 5, 2, 10)
  local a_next, yt_pred, cache = M.rnn_cell_forward(xt, a_prev, parameters)
  return { a_next = a_next, yt_pred = yt_pred, cache = cache, xt = xt,
           a_prev = a_prev, parameters = parameters }
end

return {
  functions = { "rnn_cell_forward" },
  tests = {
    {
      name = "returns a_next, yt_pred and cache",
      run = function(M)
        local r = course_case(M)
        expect.type(r.a_next, "tensor", "a_next")
        expect.type(r.yt_pred, "tensor", "yt_pred")
        expect.type(r.cache, "table", "cache")
      end,
    },
    {
      name = "a_next is (5, 10) and yt_pred is (2, 10)",
      after = "returns a_next, yt_pred and cache",
      run = function(M)
        local r = course_case(M)
        expect.shape(r.a_next, { 5, 10 }, "a_next")
        expect.shape(r.yt_pred, { 2, 10 }, "yt_pred")
      end,
    },
    {
      name = "a_next matches the course",
      points = 2,
      after = "a_next is (5, 10) and yt_pred is (2, 10)",
      run = function(M)
        local r = course_case(M)
        expect.close(r.a_next[5], { 0.59584544, 0.18141802, 0.61311866,
          0.99808218, 0.85016201, 0.99980978, -0.18887155, 0.99815551,
          0.6531151, 0.82872037 }, course("a_next[5]"))
      end,
    },
    {
      name = "yt_pred matches the course",
      points = 2,
      after = "a_next is (5, 10) and yt_pred is (2, 10)",
      run = function(M)
        local r = course_case(M)
        expect.close(r.yt_pred[2], { 0.9888161, 0.01682021, 0.21140899,
          0.36817467, 0.98988387, 0.88945212, 0.36920224, 0.9966312,
          0.9982559, 0.17746526 }, course("yt_pred[2]"))
      end,
    },
    {
      name = "cache is {a_next, a_prev, xt, parameters}",
      after = "returns a_next, yt_pred and cache",
      run = function(M)
        local r = course_case(M)
        expect.equal(#r.cache, 4, "#cache")
        expect.equal(r.cache[1], r.a_next, "cache[1] (a_next)")
        expect.equal(r.cache[2], r.a_prev, "cache[2] (a_prev)")
        expect.equal(r.cache[3], r.xt, "cache[3] (xt)")
        expect.type(r.cache[4], "table", "cache[4] (parameters)")
        expect.equal(r.cache[4].Waa, r.parameters.Waa, "cache[4].Waa")
      end,
    },
    {
      name = "other seeds and sizes",
      points = 3,
      visibility = "hidden",
      after = "a_next is (5, 10) and yt_pred is (2, 10)",
      run = function(M)
        for _, g in ipairs(golden()) do
          local xt, a_prev, parameters = inputs(g.seed, g.n_x, g.n_a, g.n_y, g.m)
          local a_next, yt_pred = M.rnn_cell_forward(xt, a_prev, parameters)
          local tag = (" (seed %d)"):format(g.seed)
          expect.close(a_next, g.a_next, tight("a_next" .. tag))
          expect.close(yt_pred, g.yt_pred, tight("yt_pred" .. tag))
        end
      end,
    },
  },
}
