-- clip — keep every gradient entry within [-maxValue, maxValue].
--
-- Fill in the part marked YOUR CODE HERE, then run the tests.
-- The page "Training a character model" explains why.
local M = {}

--- Clips the gradients of the character model, entry by entry.
---   gradients  a table with the tensors dWaa, dWax, dWya, db, dby
---   maxValue   a positive number
--- Every entry above maxValue becomes maxValue, every entry below
--- -maxValue becomes -maxValue, the others are kept.  Like the course's
--- np.clip(..., out = gradient), the tensors are changed in place; the
--- function returns a table holding them under the same five keys.
function M.clip(gradients, maxValue)
  local dWaa, dWax, dWya = gradients.dWaa, gradients.dWax, gradients.dWya
  local db, dby = gradients.db, gradients.dby

  for _, gradient in ipairs { dWax, dWaa, dWya, db, dby } do
    -- YOUR CODE HERE: clip `gradient` to [-maxValue, maxValue], in place
  end

  return { dWaa = dWaa, dWax = dWax, dWya = dWya, db = db, dby = dby }
end

return M
