-- Tests for sample.
--
-- The visible tests replay the course's sample_test: np.random.seed(24),
-- n_a = 100, then Wax (100, 27), Waa (100, 100), Wya (27, 100), b (100, 1)
-- and by (27, 1) from randn, and sample(parameters, char_to_ix, 0).  The
-- indices are the course's own (0-based: '\n' is 0, 'a' is 1), so the
-- expected list is the one the course prints.
--
-- The hidden tests use other seeds, sizes and vocabularies (six
-- characters), a bias that keeps '\n' from ever being drawn (the loop
-- stops at 50 characters and appends '\n') and one that draws it at once.
-- Expected values: tests/w1_dinosaurs_golden.lua, from
-- tests/golden/gen/w1_dinosaurs.py.

local function golden() return test_data("w1_dinosaurs_golden.lua").sample end

local LETTERS = "abcdefghijklmnopqrstuvwxyz"

-- '\n' -> 0, then the first vocab_size - 1 letters -> 1, 2, ...
local function vocabulary(vocab_size)
  local char_to_ix = { ["\n"] = 0 }
  for i = 1, vocab_size - 1 do char_to_ix[LETTERS:sub(i, i)] = i end
  return char_to_ix
end

-- the course's draws: Wax, Waa, Wya, b, by, each randn * scale
local function parameters(seed, n_a, vocab_size, scale, newline_bias)
  np.random.seed(seed)
  local p = {}
  p.Wax = np.random.randn(n_a, vocab_size) * scale
  p.Waa = np.random.randn(n_a, n_a) * scale
  p.Wya = np.random.randn(vocab_size, n_a) * scale
  p.b = np.random.randn(n_a, 1) * scale
  p.by = np.random.randn(vocab_size, 1) * scale
  if newline_bias and newline_bias ~= 0 then
    p.by:set(1, 1, p.by:get(1, 1) + newline_bias)
  end
  return p
end

local function course_case(M)
  return M.sample(parameters(24, 100, 27, 1), vocabulary(27), 0)
end

local COURSE = { 23, 16, 26, 26, 24, 3, 21, 1, 7, 24, 15, 3, 25, 20, 6, 13, 10, 8,
                 20, 12, 2, 0 }

local function check_list(indices, vocab_size, prefix)
  expect.type(indices, "table", prefix .. "indices")
  for i, ix in ipairs(indices) do
    local what = ("%sindices[%d]"):format(prefix, i)
    expect.type(ix, "number", what)
    expect.equal(ix == math.floor(ix) and ix >= 0 and ix < vocab_size, true,
      ("%s = %s is a whole number from 0 to %d"):format(what, tostring(ix), vocab_size - 1))
  end
end

-- element by element, then the length, so that a failure names the first
-- index that differs
local function check_indices(got, want, prefix)
  for i = 1, math.min(#got, #want) do
    expect.equal(got[i], want[i], ("%sindices[%d]"):format(prefix, i))
  end
  expect.equal(#got, #want, prefix .. "#indices")
end

return {
  functions = { "sample" },
  tests = {
    {
      name = "returns a list of indices from 0 to 26",
      run = function(M)
        local indices = course_case(M)
        check_list(indices, 27, "")
        expect.equal(#indices > 0, true, "#indices > 0")
      end,
    },
    {
      name = "the list ends with '\\n' (index 0) and holds at most 51 indices",
      after = "returns a list of indices from 0 to 26",
      run = function(M)
        local indices = course_case(M)
        expect.equal(indices[#indices], 0, "the last index")
        expect.equal(#indices <= 51, true, "#indices <= 51")
      end,
    },
    {
      name = "the first six characters match the course",
      after = "returns a list of indices from 0 to 26",
      run = function(M)
        local indices = course_case(M)
        check_indices({ table.unpack(indices, 1, math.min(#indices, 6)) },
          { 23, 16, 26, 26, 24, 3 }, "the course's \"wpzzxc\": ")
      end,
    },
    {
      name = "the whole name matches the course",
      points = 2,
      after = "returns a list of indices from 0 to 26",
      run = function(M)
        check_indices(course_case(M), COURSE, "")
      end,
    },
    {
      name = "other seeds, sizes and vocabularies",
      points = 3,
      visibility = "hidden",
      after = "returns a list of indices from 0 to 26",
      run = function(M)
        for _, c in ipairs(golden()) do
          local tag = ("seed %d, vocab_size %d: "):format(c.seed, c.vocab_size)
          local p = parameters(c.seed, c.n_a, c.vocab_size, c.scale, c.newline_bias)
          local indices = M.sample(p, vocabulary(c.vocab_size), c.sample_seed)
          check_list(indices, c.vocab_size, tag)
          check_indices(indices, c.indices, tag)
        end
      end,
    },
  },
}
