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

-- Garbage collection after an update.  Lua sees a tensor as a small box,
-- not as the memory behind it, so the graph of a training step (outputs,
-- activations, the workspaces of the recurrent kernels) stays allocated
-- until the collector happens to run; the binding forces a collection
-- only when tensor memory doubles, from 64 MB up.  After an update that
-- graph is garbage, so step() collects once tensor memory has grown by
-- more than max(16 MB, what was live after the last collection): peak
-- memory stays near one step's working set, and a full collection
-- (tens of microseconds) runs at most every few steps of a small model.
local GC_SLACK = 4 * 2 ^ 20

function Optimizer:_collect()
  local live = seq.memory()
  local base = self._gc_base
  if not base or live - base > math.max(GC_SLACK, base) then
    collectgarbage()
    self._gc_base = seq.memory()
  end
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
  self:_collect()
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
-- The same operations as PyTorch's single-tensor Adam, in the same order.
-- Temporaries are freed as soon as they are used (the garbage collector
-- cannot see tensor memory, so they would otherwise pile up until the next
-- collection).
function Adam:_update(p, g, st)
  local tmp = {}
  if self.maximize then g = -g; tmp[#tmp + 1] = g end
  if self.weight_decay ~= 0 then
    if getmetatable(self) == AdamW then
      p:mul_(1 - self.lr * self.weight_decay)
    else
      g = g + p * self.weight_decay
      tmp[#tmp + 1] = g
    end
  end
  if not st.step then
    st.step = 0
    st.exp_avg = seq.zeros_like(p)
    st.exp_avg_sq = seq.zeros_like(p)
    if self.amsgrad then st.max_exp_avg_sq = seq.zeros_like(p) end
  end
  st.step = st.step + 1
  self:_moments(st.exp_avg, st.exp_avg_sq, st.max_exp_avg_sq, g, st.step, p, tmp)
  for _, t in ipairs(tmp) do t:free() end
end

-- The moments and the parameter update of one step, for one parameter or
-- for all of them at once (m, v, vmax and g flat, then `apply` adds the
-- update to the parameters).  Temporaries go into tmp for the caller to
-- free.
function Adam:_moments(m, v, vmax, g, step, apply, tmp)
  local b1, b2 = self.betas[1], self.betas[2]
  -- m + (1 - b1) (g - m) is b1 m + (1 - b1) g (PyTorch's form) up to
  -- rounding, and takes two fast passes where mul_ + add_ take two slow
  -- ones; likewise for v
  local d = g - m
  m:add_(d, 1 - b1)
  d:free()
  local gg = g * g
  d = gg - v
  gg:free()
  v:add_(d, 1 - b2)
  d:free()
  local bias_correction1 = 1 - b1 ^ step
  local bias_correction2_sqrt = math.sqrt(1 - b2 ^ step)
  if self.amsgrad then
    local mx = seq.maximum(vmax, v)
    vmax:copy_(mx)
    mx:free()
    v = vmax
  end
  -- m / (sqrt(v) / bc2 + eps) = bc2 m / (sqrt(v) + eps bc2): one pass less
  local denom = v:sqrt()
  denom:add_(self.eps * bias_correction2_sqrt)
  local upd = m / denom
  denom:free()
  tmp[#tmp + 1] = upd
  local step_size = -self.lr * bias_correction2_sqrt / bias_correction1
  if type(apply) == "function" then apply(upd, step_size) else apply:add_(upd, step_size) end
end

-- ---- one flat update for every parameter ----------------------------------
-- When every parameter has a gradient, the same dtype and the same step
-- count (the usual training loop), Adam keeps m and v of all parameters in
-- two flat tensors (opt.state[p].exp_avg and exp_avg_sq are views of them)
-- and runs each operation once over all of them instead of once per
-- parameter: a model of a few small tensors spends most of an update in
-- per-call overhead otherwise.  The arithmetic is the same, element for
-- element.

-- The flat buffers for self.params, created (or filled from per-parameter
-- state) on first use; nil when the parameters cannot share them.
function Adam:_flat_state()
  if self._flat ~= nil then return self._flat or nil end
  local ps = self.params
  local dtype, total, step = ps[1]:dtype(), 0, nil
  for i, p in ipairs(ps) do
    if p:dtype() ~= dtype then self._flat = false; return nil end
    local st = self.state[p]
    local s = st and st.step or 0
    if i > 1 and s ~= step then return nil end -- retried at the next step
    step = s
    total = total + p:numel()
  end
  local f = { dtype = dtype, total = total, m = seq.zeros(total, dtype),
              v = seq.zeros(total, dtype), offsets = {}, sizes = {}, shapes = {} }
  if self.amsgrad then f.vmax = seq.zeros(total, dtype) end
  local off = 1
  for i, p in ipairs(ps) do
    local n, shape = p:numel(), p:shape()
    f.offsets[i], f.sizes[i], f.shapes[i] = off, n, shape
    local st = self.state[p] or { step = 0 }
    self.state[p] = st
    for key, flat in pairs({ exp_avg = f.m, exp_avg_sq = f.v, max_exp_avg_sq = f.vmax }) do
      local view = flat:narrow(1, off, n):view(shape)
      if st[key] then view:copy_(st[key]) end
      st[key] = view
    end
    off = off + n
  end
  self._flat = f
  return f
end

function Adam:step(closure)
  local loss
  if closure then loss = closure() end
  local ps = self.params
  local grads = {}
  for i, p in ipairs(ps) do
    grads[i] = p.grad
    if not grads[i] then
      Optimizer.step(self) -- some parameters are skipped: one at a time
      return loss
    end
  end
  local f = self:_flat_state()
  if not f then
    Optimizer.step(self)
    return loss
  end
  seq.no_grad(function()
    local tmp = {}
    local flat = {}
    for i, g in ipairs(grads) do flat[i] = g:reshape(-1) end
    local g = seq.cat(flat, 1)
    tmp[1] = g
    if self.maximize then g = -g; tmp[#tmp + 1] = g end
    if self.weight_decay ~= 0 then
      if getmetatable(self) == AdamW then
        for _, p in ipairs(ps) do p:mul_(1 - self.lr * self.weight_decay) end
      else
        local pf = {}
        for i, p in ipairs(ps) do pf[i] = p:reshape(-1) end
        local pcat = seq.cat(pf, 1)
        g = g + pcat * self.weight_decay
        tmp[#tmp + 1] = pcat
        tmp[#tmp + 1] = g
      end
    end
    local step = self.state[ps[1]].step + 1
    for _, p in ipairs(ps) do self.state[p].step = step end
    self:_moments(f.m, f.v, f.vmax, g, step, function(upd, step_size)
      for i, p in ipairs(ps) do
        p:add_(upd:narrow(1, f.offsets[i], f.sizes[i]):view(f.shapes[i]), step_size)
      end
    end, tmp)
    for _, t in ipairs(tmp) do t:free() end
  end)
  self:_collect()
  return loss
end

optim.Optimizer = Optimizer

return optim
