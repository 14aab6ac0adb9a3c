-- nn.functional: stateless activations, dropout and losses with the names
-- and defaults of torch.nn.functional.  Everything is composed of seq ops,
-- so autograd differentiates it; nothing here holds parameters.
--
-- seqlab conventions that differ from PyTorch:
--  * dims are 1-based and softmax/log_softmax default to the last dim;
--  * class targets are 1-based (1..C) and so is ignore_index; the default
--    ignore_index, -100, never names a real class;
--  * cross_entropy and nll_loss take the classes in the LAST dim: input
--    (C), (N, C) or (N, T, ..., C) with target (), (N) or (N, T, ...).
--    Higher dims are flattened to (N*T*..., C); reduction "none" returns
--    the target's shape.  (PyTorch puts the classes in dim 2 instead.)
--  * mse_loss and binary_cross_entropy refuse a target whose shape differs
--    from the input's (PyTorch only warns, then broadcasts).
local seq = require "seq"
local shape_str = require("nn.utils").shape_str

local F = {}

local function check_tensor(x, fname, what)
  if not seq.is_tensor(x) then
    error(("%s: %s must be a tensor, got %s"):format(fname, what or "input", type(x)), 0)
  end
  return x
end

-- The reduction from a string or an options table (default "mean").
local function reduction_of(opts, fname)
  local r = opts
  if type(opts) == "table" then r = opts.reduction end
  r = r or "mean"
  if r ~= "mean" and r ~= "sum" and r ~= "none" then
    error(("%s: reduction must be 'mean', 'sum' or 'none', got '%s'"):format(fname, tostring(r)), 0)
  end
  return r
end

local function reduce(l, reduction)
  if reduction == "mean" then return l:mean() end
  if reduction == "sum" then return l:sum() end
  return l
end

local function same_shape(a, b)
  if a:dim() ~= b:dim() then return false end
  local sa, sb = a:shape(), b:shape()
  for i = 1, #sa do
    if sa[i] ~= sb[i] then return false end
  end
  return true
end

-- A target given as a table or number becomes a tensor (like: its dtype).
local function as_tensor(t, like)
  if seq.is_tensor(t) then return t end
  if like then return seq.tensor(t, like:dtype()) end
  return seq.tensor(t)
end

-- ---- activations --------------------------------------------------------

--- F.relu(x): max(x, 0) elementwise.
function F.relu(x) return check_tensor(x, "relu"):relu() end
--- F.tanh(x): hyperbolic tangent elementwise.
function F.tanh(x) return check_tensor(x, "tanh"):tanh() end
--- F.sigmoid(x): 1 / (1 + exp(-x)) elementwise.
function F.sigmoid(x) return check_tensor(x, "sigmoid"):sigmoid() end
--- F.softmax(x [, dim = -1]): exp(x) / sum(exp(x)) along dim (1-based).
function F.softmax(x, dim) return check_tensor(x, "softmax"):softmax(dim or -1) end
--- F.log_softmax(x [, dim = -1]): log(softmax(x)), computed stably.
function F.log_softmax(x, dim) return check_tensor(x, "log_softmax"):log_softmax(dim or -1) end

--- F.dropout(x [, p = 0.5 [, training = true]]): zeroes entries with
--- probability p and scales the rest by 1/(1-p); x itself when not training.
function F.dropout(x, p, training)
  check_tensor(x, "dropout")
  p = p or 0.5
  if training == nil then training = true end
  if type(p) ~= "number" or p < 0 or p > 1 then
    error("dropout: probability has to be between 0 and 1, but got " .. tostring(p), 0)
  end
  if not training or p == 0 then return x end
  if p == 1 then return x * 0 end
  -- keep each entry with probability 1 - p (seq.rand is U[0, 1))
  local keep = seq.rand(x:shape(), x:dtype()):lt(1 - p)
  return x * (keep * (1 / (1 - p)))
end

-- ---- classification losses ----------------------------------------------

-- cross_entropy and nll_loss share their argument handling: the engine
-- takes (C) or (N, C); higher dims are flattened here.
local function class_loss(fname, engine_fn, input, target, opts)
  check_tensor(input, fname)
  if target == nil then error(fname .. ": target is missing", 0) end
  target = as_tensor(target)
  if type(opts) == "string" then opts = { reduction = opts } end
  opts = opts or {}
  local reduction = reduction_of(opts, fname)
  if target:dtype() ~= "int64" then
    error(("%s: target must hold class indices (int64), got %s (use target:long())")
      :format(fname, target:dtype()), 0)
  end
  local nd = input:dim()
  if nd == 0 then
    error(fname .. ": input must have a class dimension, got a 0-d tensor", 0)
  end
  -- target's expected shape: input's without its last (class) dim
  local want = input:shape()
  local C = table.remove(want)
  local ok = target:dim() == #want
  if ok then
    local ts = target:shape()
    for i = 1, #want do ok = ok and ts[i] == want[i] end
  end
  if not ok then
    error(("%s: input %s (classes in the last dim) needs target %s, got %s")
      :format(fname, shape_str(input), shape_str(want), shape_str(target)), 0)
  end
  local x, t = input, target
  if nd > 2 then
    x = input:reshape(-1, C)
    t = target:reshape(-1)
  end
  local out = engine_fn(x, t, { ignore_index = opts.ignore_index or -100,
                                reduction = reduction })
  if nd > 2 and reduction == "none" then out = out:reshape(want) end
  return out
end

--- F.cross_entropy(logits, target [, {ignore_index = -100, reduction = "mean"}]):
--- log_softmax over the last dim + nll_loss; targets are 1-based classes.
function F.cross_entropy(input, target, opts)
  return class_loss("cross_entropy", seq.cross_entropy, input, target, opts)
end

--- F.nll_loss(logp, target [, {ignore_index = -100, reduction = "mean"}]):
--- minus the log-probability of each target class (1-based).
function F.nll_loss(input, target, opts)
  return class_loss("nll_loss", seq.nll_loss, input, target, opts)
end

-- ---- regression and binary losses ---------------------------------------

local function check_pair(fname, input, target)
  check_tensor(input, fname)
  if target == nil then error(fname .. ": target is missing", 0) end
  target = as_tensor(target, input)
  if not same_shape(input, target) then
    error(("%s: target %s must have the input's shape %s")
      :format(fname, shape_str(target), shape_str(input)), 0)
  end
  return target
end

--- F.mse_loss(input, target [, reduction = "mean"]): mean of (input - target)^2.
function F.mse_loss(input, target, reduction)
  reduction = reduction_of(reduction, "mse_loss")
  target = check_pair("mse_loss", input, target)
  return reduce((input - target):square(), reduction)
end

-- log(x) clamped below at -100 as PyTorch's binary_cross_entropy does.  The
-- log only sees entries above e^-100 (others read 1), so the gradient of a
-- clamped entry is 0 instead of 0 * inf = nan.
local LOG_FLOOR = math.exp(-100)
local function clamped_log(x)
  local inside = x:ge(LOG_FLOOR)
  return seq.where(inside, seq.where(inside, x, 1):log(), -100)
end

--- F.binary_cross_entropy(p, target [, reduction = "mean"]): -(t log p +
--- (1 - t) log(1 - p)) with each log clamped at -100, as PyTorch.
function F.binary_cross_entropy(input, target, reduction)
  reduction = reduction_of(reduction, "binary_cross_entropy")
  target = check_pair("binary_cross_entropy", input, target)
  local l = -(target * clamped_log(input) + (1 - target) * clamped_log(1 - input))
  return reduce(l, reduction)
end

--- F.binary_cross_entropy_with_logits(x, target [, reduction = "mean"]):
--- binary_cross_entropy(sigmoid(x), target) computed stably from logits.
function F.binary_cross_entropy_with_logits(input, target, reduction)
  reduction = reduction_of(reduction, "binary_cross_entropy_with_logits")
  target = check_pair("binary_cross_entropy_with_logits", input, target)
  -- max(x, 0) - x t + log(1 + e^-|x|): no overflow for any x
  local l = input:relu() - input * target + ((-input:abs()):exp() + 1):log()
  return reduce(l, reduction)
end

return F
