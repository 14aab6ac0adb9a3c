-- clip_by_value — clip every gradient entry to [-max_value, max_value]
-- (reference solution).
local M = {}

--- Clips each entry of each gradient to [-max_value, max_value].
---   gradients  a table of named tensors, e.g. {dWax = ..., dWaa = ...,
---              dWya = ..., db = ..., dby = ...}; any names and shapes
---   max_value  a positive number
--- Returns a new table with the same names, holding clipped copies; the
--- tensors passed in are left unchanged.
function M.clip_by_value(gradients, max_value)
  local clipped = {}
  for name, g in pairs(gradients) do
    -- clamp makes a new tensor: g itself is not modified
    clipped[name] = g:clamp(-max_value, max_value)
  end
  return clipped
end

return M
