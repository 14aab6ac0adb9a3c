-- model — train the character model and sample names from it
-- (reference solution).
local M = {}

-- ---- Given: the course's helpers (its utils.py), in seqlab Lua ------------
--
-- Characters are numbered as in the course, from 0: '\n' is 0, 'a' is 1,
-- ..., 'z' is 26.  Character ix is row ix + 1 of a one-hot column, since
-- seqlab counts rows from 1.

-- softmax of a column: subtract the largest score first, for stability
local function softmax(x)
  local e_x = np.exp(x - x:max())
  return e_x / e_x:sum()
end

-- One step of the RNN: a⟨t⟩ and the distribution ŷ⟨t⟩ over the next
-- character.
local function rnn_step_forward(parameters, a_prev, x)
  local p = parameters
  local a_next = np.tanh(p.Wax:matmul(x) + p.Waa:matmul(a_prev) + p.b)
  local p_t = softmax(p.Wya:matmul(a_next) + p.by)
  return a_next, p_t
end

-- One step of backpropagation through time: adds this step's share to
-- every gradient and passes da_next on to the step before.
local function rnn_step_backward(dy, gradients, parameters, x, a, a_prev)
  local g, p = gradients, parameters
  g.dWya:add_(dy:matmul(a:t()))
  g.dby:add_(dy)
  local da = p.Wya:t():matmul(dy) + g.da_next
  local daraw = (1 - a * a) * da           -- through the tanh
  g.db:add_(daraw)
  g.dWax:add_(daraw:matmul(x:t()))
  g.dWaa:add_(daraw:matmul(a_prev:t()))
  g.da_next = p.Waa:t():matmul(daraw)
  return g
end

-- Plain gradient descent, in place.
local function update_parameters(parameters, gradients, lr)
  parameters.Wax:add_(gradients.dWax, -lr)
  parameters.Waa:add_(gradients.dWaa, -lr)
  parameters.Wya:add_(gradients.dWya, -lr)
  parameters.b:add_(gradients.db, -lr)
  parameters.by:add_(gradients.dby, -lr)
  return parameters
end

-- The forward pass over one name.  X and Y are lists of character
-- indices; X[t] == false (the course's None) is an all-zero input.  The
-- loss is the cross-entropy summed over the steps.  Returns the loss and
-- the cache {y_hat, a, x}, where a[0] is a0 and a[t] the state after
-- step t.
local function rnn_forward(X, Y, a0, parameters, vocab_size)
  vocab_size = vocab_size or parameters.Wax:size(2)
  local x, a, y_hat = {}, {}, {}
  a[0] = a0:clone()
  local loss = 0
  for t = 1, #X do
    x[t] = np.zeros(vocab_size, 1)
    if X[t] then x[t]:set(X[t] + 1, 1, 1) end
    a[t], y_hat[t] = rnn_step_forward(parameters, a[t - 1], x[t])
    loss = loss - math.log(y_hat[t]:get(Y[t] + 1, 1))
  end
  return loss, { y_hat, a, x }
end

-- Backpropagation through time over the name: the gradients
-- {dWax, dWaa, dWya, db, dby, da_next} and the states a (a[0] .. a[#X]).
local function rnn_backward(X, Y, parameters, cache)
  local y_hat, a, x = cache[1], cache[2], cache[3]
  local p = parameters
  local gradients = {
    dWax = np.zeros_like(p.Wax), dWaa = np.zeros_like(p.Waa),
    dWya = np.zeros_like(p.Wya), db = np.zeros_like(p.b),
    dby = np.zeros_like(p.by), da_next = np.zeros_like(a[1]),
  }
  for t = #X, 1, -1 do
    local dy = y_hat[t]:clone()
    dy:set(Y[t] + 1, 1, dy:get(Y[t] + 1, 1) - 1)   -- ŷ − y for a one-hot y
    gradients = rnn_step_backward(dy, gradients, parameters, x[t], a[t], a[t - 1])
  end
  return gradients, a
end

-- ---- Given: the course's training utilities -----------------------------

-- The starting weights: small random numbers (np.random.seed(1)), zero
-- biases.
local function initialize_parameters(n_a, n_x, n_y)
  np.random.seed(1)
  local Wax = np.random.randn(n_a, n_x) * 0.01
  local Waa = np.random.randn(n_a, n_a) * 0.01
  local Wya = np.random.randn(n_y, n_a) * 0.01
  local b = np.zeros(n_a, 1)
  local by = np.zeros(n_y, 1)
  return { Wax = Wax, Waa = Waa, Wya = Wya, b = b, by = by }
end

-- The loss of a model that guesses uniformly over the vocabulary, for
-- seq_length characters: where the smoothed loss starts.
local function get_initial_loss(vocab_size, seq_length)
  return -math.log(1 / vocab_size) * seq_length
end

-- An exponential moving average: each new loss counts for 0.1 %.
local function smooth(loss, cur_loss)
  return loss * 0.999 + cur_loss * 0.001
end

-- A list of indices as text, with a capital first letter.
local function get_sample(sample_ix, ix_to_char)
  local chars = {}
  for i, ix in ipairs(sample_ix) do chars[i] = ix_to_char[ix] end
  local txt = table.concat(chars)
  return txt:sub(1, 1):upper() .. txt:sub(2)
end

-- Python's str.strip(): no leading or trailing white space.
local function strip(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- Given: clip, from an earlier exercise (keeps every entry within
-- [-maxValue, maxValue], in place, and returns the five gradients).
local function clip(gradients, maxValue)
  local g = gradients
  for _, gradient in ipairs { g.dWax, g.dWaa, g.dWya, g.db, g.dby } do
    np.clip(gradient, -maxValue, maxValue, gradient)
  end
  return { dWaa = g.dWaa, dWax = g.dWax, dWya = g.dWya, db = g.db, dby = g.dby }
end

-- Given: sample, from an earlier exercise (a list of 0-based indices
-- ending with that of "\n").
local function sample(parameters, char_to_ix, seed)
  local p = parameters
  local vocab_size, n_a = p.by:size(1), p.Waa:size(2)
  local x, a_prev = np.zeros(vocab_size, 1), np.zeros(n_a, 1)
  local indices, idx, counter = {}, -1, 0
  local newline_character = char_to_ix["\n"]
  while idx ~= newline_character and counter ~= 50 do
    local a = np.tanh(p.Wax:matmul(x) + p.Waa:matmul(a_prev) + p.b)
    local y = softmax(p.Wya:matmul(a) + p.by)
    np.random.seed(counter + seed)
    idx = np.random.choice(vocab_size, { p = y:view(-1) })
    indices[#indices + 1] = idx
    x = np.zeros(vocab_size, 1)
    x:set(idx + 1, 1, 1)
    a_prev = a
    seed = seed + 1
    counter = counter + 1
  end
  if counter == 50 then indices[#indices + 1] = newline_character end
  return indices
end

-- Given: optimize, from the exercise before (forward, backward, clip to
-- [-5, 5], update in place; returns the loss, the gradients and a[#X]).
local function optimize(X, Y, a_prev, parameters, learning_rate)
  local loss, cache = rnn_forward(X, Y, a_prev, parameters)
  local gradients, a = rnn_backward(X, Y, parameters, cache)
  gradients = clip(gradients, 5)
  update_parameters(parameters, gradients, learning_rate or 0.01)
  return loss, gradients, a[#X]
end

--- Trains the character model on a list of names, one name per step.
---   data_x          a list of names (strings; white space around them is
---                   stripped)
---   ix_to_char      index (0-based) -> character; char_to_ix the reverse
---   num_iterations  how many steps of optimize (35000 when nil)
---   n_a             the number of hidden units (50)
---   dino_names      how many names to sample for each report (7)
---   vocab_size      the number of characters, '\n' included (27)
--- Every 2000 iterations (the first one included) prints the smoothed
--- loss and dino_names sampled names (seeds 0, 1, ...).  Returns the
--- trained parameters and the last name sampled (with its "\n").
function M.model(data_x, ix_to_char, char_to_ix, num_iterations, n_a, dino_names,
                 vocab_size)
  num_iterations = num_iterations or 35000
  n_a = n_a or 50
  dino_names = dino_names or 7
  vocab_size = vocab_size or 27
  local n_x, n_y = vocab_size, vocab_size

  local parameters = initialize_parameters(n_a, n_x, n_y)
  local loss = get_initial_loss(vocab_size, dino_names)

  -- the names, stripped, in the course's shuffled order
  local examples = {}
  for i, name in ipairs(data_x) do examples[i] = strip(name) end
  np.random.seed(0)
  np.random.shuffle(examples)

  local a_prev = np.zeros(n_a, 1)
  local last_dino_name = "abc"

  for j = 0, num_iterations - 1 do
    -- the training pair of this step: X starts with no input (false),
    -- Y is X shifted by one and ends with '\n'
    local single_example = examples[j % #examples + 1]
    local X = { false }
    for c in single_example:gmatch(".") do X[#X + 1] = char_to_ix[c] end
    local Y = {}
    for t = 2, #X do Y[#Y + 1] = X[t] end
    Y[#Y + 1] = char_to_ix["\n"]

    -- one step of training; the state carries over to the next name
    local curr_loss, gradients
    curr_loss, gradients, a_prev = optimize(X, Y, a_prev, parameters, 0.01)

    loss = smooth(loss, curr_loss)

    if j % 2000 == 0 then
      print(("Iteration: %d, Loss: %f\n"):format(j, loss))
      local seed = 0
      for _ = 1, dino_names do
        local sampled_indices = sample(parameters, char_to_ix, seed)
        last_dino_name = get_sample(sampled_indices, ix_to_char)
        print((last_dino_name:gsub("\n", "")))
        seed = seed + 1
      end
      print("\n")
    end
  end

  return parameters, last_dino_name
end

return M
