-- clip_by_global_norm — rescale all the gradients together when their
-- global norm is too large.
--
-- Fill in the parts marked YOUR CODE HERE, then run the tests.
-- Clipping is described on the page "Vanishing and exploding gradients,
-- and clipping".
local M = {}

--- Clips a set of gradients by their global norm.
---   gradients  a table of named tensors (any names and shapes)
---   max_norm   a positive number
--- The global norm is the square root of the sum of the squares of every
--- entry of every tensor: the length of all the gradients laid end to end
--- as one vector.  When it exceeds max_norm, every tensor is multiplied by
--- max_norm / total_norm; otherwise the values are kept as they are.
--- Returns a new table with the same names (the tensors passed in are
--- left unchanged) and total_norm, the global norm before clipping, as a
--- Lua number.
function M.clip_by_global_norm(gradients, max_norm)
  -- YOUR CODE HERE: the global norm of all the tensors together, a number
  local total_norm = nil

  -- YOUR CODE HERE: the factor to multiply every tensor by
  local scale = nil

  local clipped = {}
  for name, g in pairs(gradients) do
    -- YOUR CODE HERE: a rescaled copy of g
    clipped[name] = nil
  end
  return clipped, total_norm
end

return M
