-- optim: optimizers with the update rules of torch.optim (as of PyTorch
-- 1.13, single-tensor path): SGD (momentum, dampening, Nesterov, weight
-- decay), Adam (bias correction, amsgrad) and AdamW (decoupled decay).
--
--   local opt = optim.Adam(model:parameters(), { lr = 1e-3 })
--   loss:backward(); opt:step(); opt:zero_grad()
--   opt.lr = opt.lr * 0.5          -- the learning rate is a plain field
--
-- One parameter group: the options are fields of the optimizer (opt.lr,
-- opt.momentum, opt.betas, ...), read at every step.  The per-parameter
-- state (momentum buffers, Adam's moments) is in opt.state[p].  Updates run
-- under seq.no_grad with in-place ops; parameters without a gradient are
-- skipped.
local seq = require "seq"
local parameter_list = require("nn.utils").parameter_list

local optim = {}

local function fail(fmt, ...) error(fmt:format(...), 0) end

local Optimizer = {}
Optimizer.__index = Optimizer

-- The parameter list from a list of tensors, one tensor or a module.
local function param_list(params, who)
  local list = parameter_list(params, who)
  for i, p in ipairs(list) do
    if not p:is_leaf() then
      fail("%s: parameter %d is not a leaf tensor (it was computed from others); "
        .. "optimize the tensors it came from", who, i)
    end
  end
  if #list == 0 then fail("%s: got an empty parameter list", who) end
  return list
end

local function check_number(who, name, v, lo)
  if type(v) ~= "number" or v < lo then
    fail("%s: invalid %s: %s (expected a number >= %s)", who, name, tostring(v), tostring(lo))
  end
end

local function new_optimizer(cls, who, params, fields)
  local self = setmetatable(fields, cls)
  self.params = param_list(params, who)
  self.state = {}
  self._who = who
  return self
end

-- The options each optimizer prints, in order.
local SHOWN = {
  SGD = { "lr", "momentum", "dampening", "weight_decay", "nesterov" },
  Adam = { "lr", "betas", "eps", "weight_decay", "amsgrad" },
}

--- tostring(opt): the class and its options, e.g. "SGD(lr=0.1, momentum=0.9, ...)".
function Optimizer.__tostring(self)
  local name = getmetatable(self).__name
  local parts = {}
  for _, k in ipairs(SHOWN[name] or SHOWN.Adam) do
    local v = self[k]
    if type(v) == "table" then v = "{" .. table.concat(v, ", ") .. "}" end
    parts[#parts + 1] = k .. "=" .. tostring(v)
  end
  return name .. "(" .. table.concat(parts, ", ") .. ")"
end

--- opt:zero_grad(): drops the gradient of every parameter.
function Optimizer:zero_grad()
  for _, p in ipairs(self.params) do p:zero_grad() end
end

--- opt:step([closure]): one update; closure, if given, recomputes and returns the loss.
function Optimizer:step(closure)
  local loss
  if closure then loss = closure() end
  seq.no_grad(function()
    for _, p in ipairs(self.params) do
      local g = p.grad
      if g then
        local st = self.state[p]
        if not st then
          st = {}
          self.state[p] = st
        end
        self:_update(p, g, st)
      end
    end
  end)
  return loss
end

-- ---- SGD ----------------------------------------------------------------

local SGD = setmetatable({}, { __index = Optimizer })
SGD.__index = SGD
SGD.__tostring = Optimizer.__tostring
SGD.__name = "SGD"

--- optim.SGD(params, {lr =, momentum = 0, dampening = 0, weight_decay = 0,
--- nesterov = false, maximize = false}): stochastic gradient descent.
function optim.SGD(params, opts)
  local who = "optim.SGD"
  opts = opts or {}
  if opts.lr == nil then fail("%s: lr is required (e.g. optim.SGD(params, {lr = 0.1}))", who) end
  local self = new_optimizer(SGD, who, params, {
    lr = opts.lr, momentum = opts.momentum or 0, dampening = opts.dampening or 0,
    weight_decay = opts.weight_decay or 0, nesterov = opts.nesterov or false,
    maximize = opts.maximize or false,
  })
  check_number(who, "learning rate", self.lr, 0)
  check_number(who, "momentum value", self.momentum, 0)
  check_number(who, "weight_decay value", self.weight_decay, 0)
  if self.nesterov and (self.momentum <= 0 or self.dampening ~= 0) then
    fail("%s: Nesterov momentum requires a momentum and zero dampening", who)
  end
  return self
end

-- d = g + wd p;  buf = d (first step) or momentum buf + (1 - dampening) d;
-- d = d + momentum buf (Nesterov) or buf;  p -= lr d
function SGD:_update(p, g, st)
  local d = self.maximize and -g or g
  if self.weight_decay ~= 0 then d = d + p * self.weight_decay end
  if self.momentum ~= 0 then
    local buf = st.momentum_buffer
    if not buf then
      buf = d:clone()
      st.momentum_buffer = buf
    else
      buf:mul_(self.momentum):add_(d, 1 - self.dampening)
    end
    if self.nesterov then d = d + buf * self.momentum else d = buf end
  end
  p:add_(d, -self.lr)
end

-- ---- Adam and AdamW -----------------------------------------------------

local Adam = setmetatable({}, { __index = Optimizer })
Adam.__index = Adam
Adam.__tostring = Optimizer.__tostring
Adam.__name = "Adam"

local AdamW = setmetatable({}, { __index = Adam })
AdamW.__index = AdamW
AdamW.__tostring = Optimizer.__tostring
AdamW.__name = "AdamW"

local function adam_options(who, cls, params, opts, default_wd)
  opts = opts or {}
  local betas = opts.betas or { 0.9, 0.999 }
  local self = new_optimizer(cls, who, params, {
    lr = opts.lr or 1e-3, betas = { betas[1], betas[2] }, eps = opts.eps or 1e-8,
    weight_decay = opts.weight_decay or default_wd, amsgrad = opts.amsgrad or false,
    maximize = opts.maximize or false,
  })
  check_number(who, "learning rate", self.lr, 0)
  check_number(who, "epsilon value", self.eps, 0)
  check_number(who, "weight_decay value", self.weight_decay, 0)
  for i = 1, 2 do
    local b = self.betas[i]
    if type(b) ~= "number" or b < 0 or b >= 1 then
      fail("%s: invalid beta parameter at index %d: %s (expected 0 <= beta < 1)", who, i, tostring(b))
    end
  end
  return self
end

--- optim.Adam(params, {lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8,
--- weight_decay = 0, amsgrad = false, maximize = false}): Adam (L2 decay added to g).
function optim.Adam(params, opts)
  return adam_options("optim.Adam", Adam, params, opts, 0)
end

--- optim.AdamW(params, {lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8,
--- weight_decay = 1e-2, amsgrad = false}): Adam with decoupled weight decay.
function optim.AdamW(params, opts)
  return adam_options("optim.AdamW", AdamW, params, opts, 1e-2)
end

-- m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  (t = step count)
-- p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
function Adam:_update(p, g, st)
  local b1, b2 = self.betas[1], self.betas[2]
  if self.maximize then g = -g end
  if self.weight_decay ~= 0 then
    if getmetatable(self) == AdamW then
      p:mul_(1 - self.lr * self.weight_decay)
    else
      g = g + p * self.weight_decay
    end
  end
  if not st.step then
    st.step = 0
    st.exp_avg = seq.zeros_like(p)
    st.exp_avg_sq = seq.zeros_like(p)
    if self.amsgrad then st.max_exp_avg_sq = seq.zeros_like(p) end
  end
  st.step = st.step + 1
  st.exp_avg:mul_(b1):add_(g, 1 - b1)
  st.exp_avg_sq:mul_(b2):add_(g * g, 1 - b2)
  local bias_correction1 = 1 - b1 ^ st.step
  local bias_correction2_sqrt = math.sqrt(1 - b2 ^ st.step)
  local v = st.exp_avg_sq
  if self.amsgrad then
    st.max_exp_avg_sq:copy_(seq.maximum(st.max_exp_avg_sq, v))
    v = st.max_exp_avg_sq
  end
  local denom = v:sqrt() / bias_correction2_sqrt + self.eps
  p:add_(st.exp_avg / denom, -self.lr / bias_correction1)
end

optim.Optimizer = Optimizer

return optim
