-- nn.utils: helpers that act on the gradients of a set of parameters, as
-- torch.nn.utils does (clip_grad_norm, clip_grad_value), plus two helpers
-- the other modules share: shape_str (shapes in error messages) and
-- parameter_list (what optimizers and clipping accept as "params").
--
-- "params" may be a list of tensors, one tensor, or an nn.Module (its
-- parameters() are used).  Parameters without a gradient are skipped.
-- Gradients are changed in place, under seq.no_grad.
local seq = require "seq"

local utils = {}

--- utils.shape_str(x): "(3, 4)" for a tensor or a table of sizes; "()" for 0-d.
function utils.shape_str(x)
  local shape = seq.is_tensor(x) and x:shape() or x
  local parts = {}
  for i, n in ipairs(shape) do parts[i] = tostring(n) end
  return "(" .. table.concat(parts, ", ") .. ")"
end

--- utils.parameter_list(params, who): the tensors of a module, a tensor or a list (checked).
function utils.parameter_list(params, who)
  if type(params) == "table" and type(params.parameters) == "function" then
    params = params:parameters()
  elseif seq.is_tensor(params) then
    params = { params }
  elseif type(params) ~= "table" then
    error(("%s: expected a module, a tensor or a list of tensors, got %s"):format(who, type(params)), 0)
  end
  local list = {}
  for i, p in ipairs(params) do
    if not seq.is_tensor(p) then
      error(("%s: parameter %d is a %s, not a tensor"):format(who, i, type(p)), 0)
    end
    list[i] = p
  end
  return list
end

-- The gradients of params; parameters without one are skipped.
local function grads_of(params, fname)
  local grads = {}
  for _, p in ipairs(utils.parameter_list(params, "nn.utils." .. fname)) do
    local g = p.grad
    if g then grads[#grads + 1] = g end
  end
  return grads
end

--- utils.clip_grad_norm(params, max_norm [, norm_type = 2]): scales the
--- gradients so their joint norm is at most max_norm; returns the norm before
--- clipping (a number), as torch.nn.utils.clip_grad_norm_.
function utils.clip_grad_norm(params, max_norm, norm_type)
  norm_type = norm_type or 2
  if norm_type == "inf" then norm_type = math.huge end
  if type(max_norm) ~= "number" then
    error("nn.utils.clip_grad_norm: max_norm must be a number, got " .. type(max_norm), 0)
  end
  if type(norm_type) ~= "number" or norm_type <= 0 then
    error("nn.utils.clip_grad_norm: norm_type must be a positive number or math.huge, got "
      .. tostring(norm_type), 0)
  end
  local grads = grads_of(params, "clip_grad_norm")
  if #grads == 0 then return 0.0 end
  -- the norm of the per-tensor norms is the norm of all entries together
  local total = 0.0
  for _, g in ipairs(grads) do
    local n = g:norm(norm_type):item()
    if norm_type == math.huge then
      total = math.max(total, n)
    else
      total = total + n ^ norm_type
    end
  end
  if norm_type ~= math.huge then total = total ^ (1 / norm_type) end
  local clip_coef = max_norm / (total + 1e-6)
  if clip_coef < 1 then
    seq.no_grad(function()
      for _, g in ipairs(grads) do g:mul_(clip_coef) end
    end)
  end
  return total
end

--- utils.clip_grad_value(params, v): clamps every gradient entry to [-v, v].
function utils.clip_grad_value(params, clip_value)
  if type(clip_value) ~= "number" or clip_value < 0 then
    error("nn.utils.clip_grad_value: clip_value must be a non-negative number, got "
      .. tostring(clip_value), 0)
  end
  local grads = grads_of(params, "clip_grad_value")
  seq.no_grad(function()
    for _, g in ipairs(grads) do g:copy_(g:clamp(-clip_value, clip_value)) end
  end)
end

-- PyTorch's names end in "_" (they work in place); both spellings work.
utils.clip_grad_norm_ = utils.clip_grad_norm
utils.clip_grad_value_ = utils.clip_grad_value

return utils
