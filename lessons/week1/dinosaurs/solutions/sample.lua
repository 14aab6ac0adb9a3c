-- sample — draw a name, one character at a time, from the character
-- model (reference solution).
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

  -- the first input is all zeros, and so is the first state
  local x = np.zeros(vocab_size, 1)
  local a_prev = np.zeros(n_a, 1)

  local indices = {}
  local idx = -1          -- the last index drawn
  local counter = 0       -- and how many were drawn
  local newline_character = char_to_ix["\n"]

  while idx ~= newline_character and counter ~= 50 do
    -- one step forward
    local a = np.tanh(Wax:matmul(x) + Waa:matmul(a_prev) + b)
    local z = Wya:matmul(a) + by
    local y = softmax(z)

    -- the course's seeding rule, then one draw from the distribution y
    np.random.seed(counter + seed)
    idx = np.random.choice(vocab_size, { p = y:view(-1) })
    indices[#indices + 1] = idx

    -- the character just drawn is the next input (row idx + 1)
    x = np.zeros(vocab_size, 1)
    x:set(idx + 1, 1, 1)
    a_prev = a

    seed = seed + 1
    counter = counter + 1
  end

  if counter == 50 then
    indices[#indices + 1] = char_to_ix["\n"]
  end
  return indices
end

return M
