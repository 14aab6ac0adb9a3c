-- clip_by_global_norm — rescale all the gradients together when their
-- global norm is too large (reference solution).
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
  local sum_sq = 0
  for _, g in pairs(gradients) do
    sum_sq = sum_sq + (g * g):sum():item()
  end
  local total_norm = math.sqrt(sum_sq)

  -- one factor for every tensor, so the direction of the whole update
  -- is kept
  local scale = 1
  if total_norm > max_norm then scale = max_norm / total_norm end

  local clipped = {}
  for name, g in pairs(gradients) do
    clipped[name] = g * scale -- a new tensor
  end
  return clipped, total_norm
end

return M
