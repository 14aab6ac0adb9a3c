-- sample — draw a name, one character at a time, from the character model.
--
-- Fill in the parts marked YOUR CODE HERE, then run the tests.
-- The page "Language models and sampling" describes the loop.
local M = {}

-- Given: the course's softmax of a column (largest score subtracted first).
local function softmax(x)
  local e_x = np.exp(x - x:max())
  return e_x / e_x:sum()
end

--- Samples a sequence of characters from the RNN.
---   parameters  {Waa, Wax, Wya, by, b}: Wax (n_a, vocab_size),
---               Waa (n_a, n_a), Wya (vocab_size, n_a), b (n_a, 1),
---               by (vocab_size, 1)
---   char_to_ix  character -> index, counted from 0 as in the course:
---               '\n' -> 0, 'a' -> 1, ..., 'z' -> 26
---   seed        a number; step k (k = 0, 1, ...) seeds np.random with
---               the course's counter + seed, where seed has also grown by k
--- Returns the list of sampled indices (0-based values, as in the course),
--- ending with the index of '\n'.
function M.sample(parameters, char_to_ix, seed)
  local Waa, Wax, Wya = parameters.Waa, parameters.Wax, parameters.Wya
  local by, b = parameters.by, parameters.b
  local vocab_size = by:size(1)
  local n_a = Waa:size(2)

  -- YOUR CODE HERE: the first input x, a zero column (vocab_size, 1), and
  -- the first state a_prev, a zero column (n_a, 1)
  local x = nil
  local a_prev = nil

  local indices = {}
  local idx = -1          -- the last index drawn
  local counter = 0       -- and how many were drawn
  local newline_character = char_to_ix["\n"]

  while idx ~= newline_character and counter ~= 50 do
    -- YOUR CODE HERE: one step forward: a, z = Wya·a + by, y = softmax(z)

    -- YOUR CODE HERE: np.random.seed(counter + seed), then draw idx from
    -- 0 .. vocab_size - 1 with the probabilities of y, and append it to
    -- indices

    -- YOUR CODE HERE: make x the one-hot column of idx (row idx + 1), and
    -- a the state a_prev of the next step

    seed = seed + 1
    counter = counter + 1
  end

  if counter == 50 then
    indices[#indices + 1] = char_to_ix["\n"]
  end
  return indices
end

return M
