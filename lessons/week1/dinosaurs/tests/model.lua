-- Tests for model.
--
-- The course trains on its 1,536 dinosaur names for 22,001 iterations;
-- that takes minutes, so these tests train on the project's list of 1,704
-- animal genera (assets/names/genera.txt, copied into
-- tests/w1_dinosaurs_golden.lua as `names`) for at most 2,001 iterations.
-- The visible tests check what training must achieve rather than exact
-- numbers: the cross-entropy per character falls well below that of the
-- untrained model, and the names sampled are made of the vocabulary.  The
-- trained model is kept between tests, so it is trained only once.
--
-- The hidden tests compare the trained parameters and the last sampled
-- name with a float64 numpy reference of the course's model
-- (tests/golden/gen/w1_dinosaurs.py): the whole list for 300 iterations
-- with n_a = 12, and its first 40 names for 130 iterations (more than one
-- pass over the shuffled list) with n_a = 9.

local PARAMS = { "Wax", "Waa", "Wya", "b", "by" }

local function data() return test_data("w1_dinosaurs_golden.lua") end

-- '\n' -> 0, 'a' -> 1, ..., 'z' -> 26, and back
local char_to_ix, ix_to_char = { ["\n"] = 0 }, { [0] = "\n" }
for i = 1, 26 do
  local c = string.char(96 + i)
  char_to_ix[c], ix_to_char[i] = i, c
end

local function check_parameters(p, n_a, tag)
  expect.type(p, "table", tag .. "parameters")
  local shapes = { Wax = { n_a, 27 }, Waa = { n_a, n_a }, Wya = { 27, n_a },
                   b = { n_a, 1 }, by = { 27, 1 } }
  for _, k in ipairs(PARAMS) do
    expect.type(p[k], "tensor", tag .. "parameters." .. k)
    expect.shape(p[k], shapes[k], tag .. "parameters." .. k)
  end
end

-- The mean cross-entropy per character of the model on every 8th name
-- (the end of each name, '\n', included), each name read from a zero state.
local function loss_per_char(p, names)
  local tot, n = 0, 0
  local n_a = p.Waa:size(1)
  for i = 1, #names, 8 do
    local name = names[i]
    local a, x = np.zeros(n_a, 1), np.zeros(27, 1)
    for k = 1, #name + 1 do
      a = np.tanh(p.Wax:matmul(x) + p.Waa:matmul(a) + p.b)
      local y = (p.Wya:matmul(a) + p.by):softmax(1)
      local c = k <= #name and char_to_ix[name:sub(k, k)] or 0
      tot, n = tot - math.log(y:get(c + 1, 1)), n + 1
      x = np.zeros(27, 1)
      x:set(c + 1, 1, 1)
    end
  end
  return tot / n
end

-- The course's starting point: initialize_parameters(n_a, 27, 27).
local function initial_parameters(n_a)
  np.random.seed(1)
  local p = {}
  p.Wax = np.random.randn(n_a, 27) * 0.01
  p.Waa = np.random.randn(n_a, n_a) * 0.01
  p.Wya = np.random.randn(27, n_a) * 0.01
  p.b, p.by = np.zeros(n_a, 1), np.zeros(27, 1)
  return p
end

-- 2,001 iterations with n_a = 50: the names are sampled at iterations 0
-- and 2000, so the last name comes from the trained model.
local trained = setmetatable({}, { __mode = "k" })
local function train(M)
  if not trained[M] then
    local p, name = M.model(data().names, ix_to_char, char_to_ix, 2001, 50, 7, 27)
    trained[M] = { p = p, name = name }
  end
  return trained[M].p, trained[M].name
end

-- made of the vocabulary: a capital or '\n' first, then lowercase letters,
-- ending with one '\n'
local function check_name(name)
  expect.type(name, "string", "last_dino_name")
  local shown = name:gsub("\n", "\\n")
  expect.equal(name:sub(-1) == "\n", true,
    ("last_dino_name \"%s\" ends with a newline"):format(shown))
  expect.equal(name:sub(1, -2):find("^[A-Z]?[a-z]*$") ~= nil, true,
    ("last_dino_name \"%s\" is letters a-z (the first one a capital) before it")
    :format(shown))
end

return {
  functions = { "model" },
  tests = {
    {
      name = "returns the parameters and the last sampled name",
      run = function(M)
        local p, name = M.model(data().names, ix_to_char, char_to_ix, 20, 10, 2, 27)
        check_parameters(p, 10, "")
        expect.type(name, "string", "last_dino_name")
      end,
    },
    {
      name = "training lowers the loss per character well below the untrained model's",
      points = 2,
      after = "returns the parameters and the last sampled name",
      run = function(M)
        local names = data().names
        local p = train(M)
        check_parameters(p, 50, "n_a = 50: ")
        local before = loss_per_char(initial_parameters(50), names)
        local after = loss_per_char(p, names)
        print(("loss per character: %.4f untrained, %.4f after 2001 iterations")
          :format(before, after))
        expect.equal(after < 0.85 * before, true,
          ("loss per character %.4f after training < 0.85 x %.4f before"):format(after, before))
      end,
    },
    {
      name = "the names sampled after training are made of the vocabulary",
      after = "returns the parameters and the last sampled name",
      run = function(M)
        local _, name = train(M)
        check_name(name)
      end,
    },
    {
      name = "the course's model step by step, on other sizes",
      points = 3,
      visibility = "hidden",
      after = "returns the parameters and the last sampled name",
      run = function(M)
        local all = data().names
        for _, c in ipairs(data().model) do
          local names = all
          if c.names ~= "all" then names = { table.unpack(all, 1, c.names) } end
          local tag = ("%s names, %d iterations: "):format(tostring(c.names), c.num_iterations)
          local p, name = M.model(names, ix_to_char, char_to_ix, c.num_iterations, c.n_a,
            c.dino_names, 27)
          check_parameters(p, c.n_a, tag)
          for _, k in ipairs(PARAMS) do
            expect.close(p[k], c[k], { rtol = 1e-6, atol = 1e-10, what = tag .. k })
          end
          expect.equal(name, c.last_dino_name, tag .. "last_dino_name")
        end
      end,
    },
  },
}
