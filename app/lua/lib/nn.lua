-- nn: neural-network modules with PyTorch's names and shapes, written in Lua
-- over seq's differentiable ops: the nn.Module base class (parameters,
-- submodules, train/eval, state_dict, save/load, printing), nn.Linear,
-- nn.Embedding, the containers nn.Sequential and nn.ModuleList, activation
-- and loss modules.  nn.functional and nn.utils are fields of this table.
--
-- A module is a Lua object whose class comes from nn.Module:extend(name):
--
--   local MLP = nn.Module:extend("MLP")
--   function MLP:init(n_in, n_hidden, n_out)
--     self.fc1 = nn.Linear(n_in, n_hidden)      -- a submodule
--     self.fc2 = nn.Linear(n_hidden, n_out)
--     self.scale = seq.ones(n_out):requires_grad()  -- a parameter
--   end
--   function MLP:forward(x) return self.fc2(self.fc1(x):tanh()) * self.scale end
--   local net = MLP(5, 16, 3)                    -- calls init
--   local y = net(x)                             -- calls forward
--
-- Assigning a field registers it: a leaf tensor that requires grad becomes
-- a parameter, a module becomes a submodule; anything else is a plain field.
-- parameters() lists a module's own parameters in the order they were first
-- assigned, then those of its submodules, in the order the submodules were
-- assigned (PyTorch's order); a tensor shared by two modules appears once.
-- Parameter names are dotted paths ("fc1.weight"); inside nn.Sequential the
-- children are named "1", "2", ... (1-based, where PyTorch says "0", ...).
local seq = require "seq"
local F = require "nn.functional"
local utils = require "nn.utils"

local shape_str = utils.shape_str

local nn = { functional = F, utils = utils }

local function fail(fmt, ...) error(fmt:format(...), 0) end

-- ---- the class machinery ------------------------------------------------

local Module = {}

local function is_module(v)
  if type(v) ~= "table" then return false end
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__module_class") == true
end

-- What v is, for error messages: "a number", "the class ReLU (call it ...)".
local function describe(v)
  local mt = type(v) == "table" and getmetatable(v)
  if mt and rawget(v, "__module_class") and rawget(v, "__name") then
    return ("the class %s (call it to make a module)"):format(v.__name)
  end
  return "a " .. (seq.is_tensor(v) and "tensor" or type(v))
end

local function is_parameter(v)
  return seq.is_tensor(v) and v:grad_required() and v:is_leaf()
end

--- nn.is_module(v): true when v is a module instance.
nn.is_module = is_module

--- nn.Parameter(t): t as a trainable leaf (t:requires_grad()); returns t.
function nn.Parameter(t)
  if not seq.is_tensor(t) then fail("nn.Parameter: expected a tensor, got %s", type(t)) end
  if not t:is_leaf() then t = t:detach() end
  return t:requires_grad()
end

-- Registered values live in three maps (_parameters, _buffers, _modules),
-- each with a list of its names in assignment order (in _names).

local function registry_set(self, kind, name, v)
  local map = rawget(self, kind)
  if map[name] == nil then
    local names = rawget(self, "_names")[kind]
    names[#names + 1] = name
  end
  map[name] = v
end

local function registry_remove(self, kind, name)
  local map = rawget(self, kind)
  if map[name] == nil then return end
  map[name] = nil
  local names = rawget(self, "_names")[kind]
  for i, n in ipairs(names) do
    if n == name then table.remove(names, i) break end
  end
end

-- Instances look in their registries first, then in the class chain;
-- integer keys name children ("1", "2", ... in nn.Sequential).
local function instance_index(self, k)
  local v = rawget(self, "_parameters")[k]
  if v ~= nil then return v end
  v = rawget(self, "_modules")[k]
  if v ~= nil then return v end
  v = rawget(self, "_buffers")[k]
  if v ~= nil then return v end
  if math.type(k) == "integer" then return rawget(self, "_modules")[tostring(k)] end
  return getmetatable(self)[k]
end

local function instance_newindex(self, k, v)
  local name = math.type(k) == "integer" and tostring(k) or k
  if type(name) ~= "string" then
    fail("%s: module fields must be named by strings or integers, got a %s",
      self:_get_name(), type(k))
  end
  local params, mods, bufs = rawget(self, "_parameters"), rawget(self, "_modules"),
    rawget(self, "_buffers")
  if is_parameter(v) then
    registry_remove(self, "_modules", name)
    registry_remove(self, "_buffers", name)
    registry_set(self, "_parameters", name, v)
  elseif is_module(v) then
    registry_remove(self, "_parameters", name)
    registry_remove(self, "_buffers", name)
    registry_set(self, "_modules", name, v)
  elseif bufs[name] ~= nil and (v == nil or seq.is_tensor(v)) then
    if v == nil then registry_remove(self, "_buffers", name)
    else bufs[name] = v end
  elseif v == nil and (params[name] ~= nil or mods[name] ~= nil) then
    registry_remove(self, "_parameters", name)
    registry_remove(self, "_modules", name)
  elseif params[name] ~= nil then
    fail("%s: cannot assign a %s to parameter '%s' (expected a tensor that requires "
      .. "grad, or nil; to change its values use %s:copy_(...) inside seq.no_grad)",
      self:_get_name(), seq.is_tensor(v) and "tensor that does not require grad" or type(v),
      name, name)
  elseif mods[name] ~= nil then
    fail("%s: cannot assign a %s to submodule '%s' (expected a module, or nil)",
      self:_get_name(), type(v), name)
  elseif type(v) == "table" and is_module(v[1]) then
    -- a plain list would hide its modules from parameters() and state_dict()
    fail("%s: '%s' is a plain list of modules; use nn.ModuleList({...}) so they are registered",
      self:_get_name(), name)
  else
    rawset(self, k, v)
  end
end

-- Metamethods must sit in each class table itself (Lua reads them raw), so
-- extend copies every "__" field of the parent.
local function construct(cls, ...)
  local self = { _parameters = {}, _buffers = {}, _modules = {},
                 _names = { _parameters = {}, _buffers = {}, _modules = {} },
                 training = true }
  setmetatable(self, cls)
  self:init(...)
  return self
end

local class_meta = {
  __call = construct,
  __tostring = function(cls) return "module class " .. rawget(cls, "__name") end,
}

--- nn.Module:extend(name): a new module class; define init and forward on it.
function Module:extend(name)
  if type(name) ~= "string" then
    fail("nn.Module:extend: expected a class name (string), got %s", type(name))
  end
  local cls = {}
  for k, v in pairs(self) do
    if type(k) == "string" and k:sub(1, 2) == "__" then cls[k] = v end
  end
  cls.__name = name
  cls.super = self
  return setmetatable(cls, { __index = self, __call = class_meta.__call,
                             __tostring = class_meta.__tostring })
end

Module.__name = "Module"
Module.__module_class = true
Module.__index = instance_index
Module.__newindex = instance_newindex
Module.__call = function(self, ...) return self:forward(...) end
Module.__tostring = function(self) return self:__repr() end
setmetatable(Module, { __call = class_meta.__call, __tostring = class_meta.__tostring })
nn.Module = Module

--- m:init(...): called by the constructor; subclasses register fields here.
function Module:init() end

--- m:forward(...): the computation; every subclass defines it.
function Module:forward()
  fail("%s has no forward method (define function %s:forward(x) ... end)",
    self:_get_name(), self:_get_name())
end

--- m:_get_name(): the class name ("Linear").
function Module:_get_name() return getmetatable(self).__name end

--- m:register_buffer(name, t): a tensor saved in state_dict but not trained.
function Module:register_buffer(name, t)
  if type(name) ~= "string" or (t ~= nil and not seq.is_tensor(t)) then
    fail("%s:register_buffer: expected a name and a tensor (or nil)", self:_get_name())
  end
  registry_remove(self, "_parameters", name)
  registry_remove(self, "_modules", name)
  rawset(self, name, nil)
  if t == nil then registry_remove(self, "_buffers", name)
  else registry_set(self, "_buffers", name, t) end
end

--- m:add_module(name, child): registers child under name (as m[name] = child).
function Module:add_module(name, child)
  if not is_module(child) then
    fail("%s:add_module: '%s' is %s, not a module", self:_get_name(), tostring(name), describe(child))
  end
  self[name] = child
  return self
end

-- ---- traversal ----------------------------------------------------------

-- Visits (prefix, module) for self and every submodule once, depth first.
local function walk(self, fn, prefix, seen)
  seen = seen or {}
  if seen[self] then return end
  seen[self] = true
  fn(prefix or "", self)
  for _, n in ipairs(rawget(self, "_names")._modules) do
    walk(rawget(self, "_modules")[n], fn, (prefix or "") .. n .. ".", seen)
  end
end

-- {name, tensor} pairs of one registry over the whole tree.
local function named_entries(self, kind, dedupe)
  local out, seen = {}, {}
  walk(self, function(prefix, m)
    for _, n in ipairs(rawget(m, "_names")[kind]) do
      local t = rawget(m, kind)[n]
      if not (dedupe and seen[t]) then
        seen[t] = true
        out[#out + 1] = { prefix .. n, t }
      end
    end
  end)
  return out
end

local function iterate_pairs(list)
  local i = 0
  return function()
    i = i + 1
    local e = list[i]
    if e then return e[1], e[2] end
  end
end

-- The tensors of one registry over the whole tree, each once.
local function tensors(self, kind)
  local out = {}
  for i, e in ipairs(named_entries(self, kind, true)) do out[i] = e[2] end
  return out
end

--- m:parameters(): a list of the parameter tensors (own first, then submodules').
function Module:parameters() return tensors(self, "_parameters") end

--- m:named_parameters(): an iterator: for name, p in m:named_parameters() do ... end
function Module:named_parameters()
  return iterate_pairs(named_entries(self, "_parameters", true))
end

--- m:buffers(): a list of the buffer tensors.
function Module:buffers() return tensors(self, "_buffers") end

--- m:children(): a list of the direct submodules.
function Module:children()
  local out = {}
  for i, n in ipairs(rawget(self, "_names")._modules) do out[i] = rawget(self, "_modules")[n] end
  return out
end

--- m:named_children(): an iterator over (name, submodule).
function Module:named_children()
  local list = {}
  for i, n in ipairs(rawget(self, "_names")._modules) do list[i] = { n, rawget(self, "_modules")[n] } end
  return iterate_pairs(list)
end

--- m:modules(): a list of m and all its submodules, depth first.
function Module:modules()
  local out = {}
  walk(self, function(_, m) out[#out + 1] = m end)
  return out
end

--- m:apply(fn): calls fn(module) on every submodule and then m; returns m.
function Module:apply(fn)
  for _, c in ipairs(self:children()) do c:apply(fn) end
  fn(self)
  return self
end

--- m:num_parameters([trainable_only]): the number of scalar parameters.
function Module:num_parameters(trainable_only)
  local n = 0
  for _, p in ipairs(self:parameters()) do
    if not trainable_only or p:grad_required() then n = n + p:numel() end
  end
  return n
end

-- ---- training state -----------------------------------------------------

--- m:zero_grad(): drops the gradient of every parameter.
function Module:zero_grad()
  for _, p in ipairs(self:parameters()) do p:zero_grad() end
end

--- m:train([mode = true]): sets training mode on m and its submodules; returns m.
function Module:train(mode)
  if mode == nil then mode = true end
  walk(self, function(_, m) rawset(m, "training", mode and true or false) end)
  return self
end

--- m:eval(): m:train(false) (dropout off); returns m.
function Module:eval() return self:train(false) end

--- m:requires_grad_([flag = true]): freezes (false) or unfreezes every parameter.
function Module:requires_grad_(flag)
  if flag == nil then flag = true end
  for _, p in ipairs(self:parameters()) do p:requires_grad(flag) end
  return self
end

--- m:to(dtype): converts parameters and floating buffers to dtype in place; returns m.
function Module:to(dtype)
  if dtype ~= "float32" and dtype ~= "float64" then
    fail("%s:to: expected \"float32\" or \"float64\", got %s", self:_get_name(), tostring(dtype))
  end
  local converted = {} -- a shared tensor stays shared
  local function convert(t, trainable)
    if t:dtype() == dtype or t:dtype() == "int64" then return t end
    if not converted[t] then
      local c = t:detach():to(dtype)
      if trainable then c:requires_grad() end
      converted[t] = c
    end
    return converted[t]
  end
  walk(self, function(_, m)
    local params, bufs = rawget(m, "_parameters"), rawget(m, "_buffers")
    for n, p in pairs(params) do params[n] = convert(p, p:grad_required()) end
    for n, b in pairs(bufs) do bufs[n] = convert(b, false) end
  end)
  return self
end

--- m:double(): m:to("float64").
function Module:double() return self:to("float64") end
--- m:float(): m:to("float32").
function Module:float() return self:to("float32") end

-- ---- checkpoints --------------------------------------------------------

--- m:state_dict(): a table name -> tensor of parameters and buffers (detached views).
function Module:state_dict()
  local sd = {}
  for _, kind in ipairs { "_parameters", "_buffers" } do
    for _, e in ipairs(named_entries(self, kind, false)) do sd[e[1]] = e[2]:detach() end
  end
  return sd
end

--- m:load_state_dict(sd [, strict = true]): copies sd's tensors into m;
--- returns the lists of missing and unexpected names.
function Module:load_state_dict(sd, strict)
  if strict == nil then strict = true end
  local who = self:_get_name() .. ":load_state_dict"
  if type(sd) ~= "table" then fail("%s: expected a table name -> tensor, got %s", who, type(sd)) end
  local own, names = {}, {}
  for _, kind in ipairs { "_parameters", "_buffers" } do
    for _, e in ipairs(named_entries(self, kind, false)) do
      own[e[1]] = e[2]
      names[#names + 1] = e[1]
    end
  end
  local missing, unexpected = {}, {}
  for _, n in ipairs(names) do
    local src = sd[n]
    if src == nil then
      missing[#missing + 1] = n
    elseif not seq.is_tensor(src) then
      fail("%s: entry '%s' is a %s, not a tensor", who, n, type(src))
    elseif shape_str(src) ~= shape_str(own[n]) then
      fail("%s: size mismatch for '%s': the checkpoint has %s, the model %s",
        who, n, shape_str(src), shape_str(own[n]))
    end
  end
  for k in pairs(sd) do
    if own[k] == nil then unexpected[#unexpected + 1] = tostring(k) end
  end
  table.sort(unexpected)
  if strict and (#missing > 0 or #unexpected > 0) then
    local parts = {}
    if #missing > 0 then parts[#parts + 1] = "missing " .. table.concat(missing, ", ") end
    if #unexpected > 0 then parts[#parts + 1] = "unexpected " .. table.concat(unexpected, ", ") end
    fail("%s: the keys do not match (%s)", who, table.concat(parts, "; "))
  end
  seq.no_grad(function()
    for _, n in ipairs(names) do
      if sd[n] ~= nil then own[n]:copy_(sd[n]) end
    end
  end)
  return missing, unexpected
end

--- m:save(path): writes state_dict() to a safetensors file; returns m.
function Module:save(path)
  local ok, err = seq.save(path, self:state_dict())
  if not ok then fail("%s:save: %s", self:_get_name(), tostring(err)) end
  return self
end

--- m:load(path): load_state_dict from a safetensors file (strict); returns m.
function Module:load(path)
  local sd, err = seq.load(path)
  if not sd then fail("%s:load: %s", self:_get_name(), tostring(err)) end
  self:load_state_dict(sd)
  return self
end

-- ---- printing -----------------------------------------------------------

--- m:extra_repr(): the text inside the parentheses of tostring(m) ("" here).
function Module:extra_repr() return "" end

-- Indents every line but the first (PyTorch's _addindent).
local function add_indent(s, n)
  return (s:gsub("\n", "\n" .. (" "):rep(n)))
end

--- m:__repr(): PyTorch's module printout, e.g. "Linear(in_features=5, out_features=7, bias=true)".
function Module:__repr()
  local lines = {}
  local extra = self:extra_repr()
  local n_extra = 0
  if extra ~= "" then
    for line in (extra .. "\n"):gmatch("(.-)\n") do
      lines[#lines + 1] = line
      n_extra = n_extra + 1
    end
  end
  for _, n in ipairs(rawget(self, "_names")._modules) do
    lines[#lines + 1] = "(" .. n .. "): " .. add_indent(tostring(rawget(self, "_modules")[n]), 2)
  end
  local s = self:_get_name() .. "("
  if #lines > 0 then
    if n_extra == 1 and #lines == 1 then
      s = s .. lines[1]
    else
      s = s .. "\n  " .. table.concat(lines, "\n  ") .. "\n"
    end
  end
  return s .. ")"
end

-- ---- layers -------------------------------------------------------------

local function check_size(v, who, what)
  if math.type(v) ~= "integer" or v < 1 then
    fail("%s: %s must be a positive integer, got %s", who, what, tostring(v))
  end
end

local function check_dtype(dtype, who)
  if dtype ~= nil and dtype ~= "float32" and dtype ~= "float64" then
    fail("%s: dtype must be \"float32\" or \"float64\", got %s", who, tostring(dtype))
  end
end

-- U(-bound, bound) leaf that requires grad.
local function uniform_parameter(shape, bound, dtype)
  return (seq.rand(shape, dtype) * (2 * bound) - bound):requires_grad()
end

local Linear = Module:extend("Linear")
nn.Linear = Linear

--- nn.Linear(in_features, out_features [, {bias = true, dtype = "float32"}]):
--- y = x W^T + b with W (out, in), both initialised U(-1/sqrt(in), 1/sqrt(in)).
function Linear:init(in_features, out_features, opts)
  check_size(in_features, "nn.Linear", "in_features")
  check_size(out_features, "nn.Linear", "out_features")
  local bias, dtype = true, nil
  if type(opts) == "boolean" then
    bias = opts
  elseif type(opts) == "table" then
    if opts.bias ~= nil then bias = opts.bias end
    dtype = opts.dtype
  end
  check_dtype(dtype, "nn.Linear")
  self.in_features, self.out_features = in_features, out_features
  local bound = 1 / math.sqrt(in_features)
  self.weight = uniform_parameter({ out_features, in_features }, bound, dtype)
  if bias then self.bias = uniform_parameter({ out_features }, bound, dtype) end
end

-- The layer as named in error messages.
function Linear:__desc()
  return ("nn.Linear(%d -> %d)"):format(self.in_features, self.out_features)
end

--- lin:forward(x): x (..., in) -> (..., out).
function Linear:forward(x)
  if not seq.is_tensor(x) then fail("%s: expected an input tensor, got %s", self:__desc(), type(x)) end
  local nd = x:dim()
  if nd == 0 or x:size(-1) ~= self.in_features then
    fail("%s: input %s has last dim %s, expected %d", self:__desc(), shape_str(x),
      nd == 0 and "none" or tostring(x:size(-1)), self.in_features)
  end
  local y
  if nd <= 2 then
    y = x:matmul(self.weight:t())
  else -- one GEMM over all leading dims
    local shape = x:shape()
    shape[nd] = self.out_features
    y = x:reshape(-1, self.in_features):matmul(self.weight:t()):reshape(shape)
  end
  if self.bias then y = y + self.bias end
  return y
end

--- lin:extra_repr(): "in_features=5, out_features=7, bias=true".
function Linear:extra_repr()
  return ("in_features=%d, out_features=%d, bias=%s"):format(self.in_features,
    self.out_features, tostring(self.bias ~= nil))
end

local Embedding = Module:extend("Embedding")
nn.Embedding = Embedding

--- nn.Embedding(num_embeddings, embedding_dim [, {padding_idx =, dtype =}]):
--- a lookup table (num, dim) initialised N(0, 1); padding_idx (1-based) is
--- a row of zeros that receives no gradient.
function Embedding:init(num_embeddings, embedding_dim, opts)
  check_size(num_embeddings, "nn.Embedding", "num_embeddings")
  check_size(embedding_dim, "nn.Embedding", "embedding_dim")
  opts = opts or {}
  check_dtype(opts.dtype, "nn.Embedding")
  self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
  local pad = opts.padding_idx
  if pad ~= nil then
    if math.type(pad) ~= "integer" or pad == 0 or pad > num_embeddings or pad < -num_embeddings then
      fail("nn.Embedding(%d, %d): padding_idx must be 1 to %d (or negative from the end), got %s",
        num_embeddings, embedding_dim, num_embeddings, tostring(pad))
    end
    if pad < 0 then pad = pad + num_embeddings + 1 end
  end
  self.padding_idx = pad
  local w = opts._weight
  if not w then
    w = seq.randn(num_embeddings, embedding_dim, opts.dtype)
    if pad then w[pad] = 0 end
  end
  self.weight = w:requires_grad()
end

--- nn.Embedding.from_pretrained(weights [, {freeze = true, padding_idx =}]): an Embedding holding weights.
function Embedding.from_pretrained(weights, opts)
  if not seq.is_tensor(weights) or weights:dim() ~= 2 then
    fail("nn.Embedding.from_pretrained: expected a 2-d tensor (num, dim), got %s",
      seq.is_tensor(weights) and shape_str(weights) or type(weights))
  end
  opts = opts or {}
  local e = Embedding(weights:size(1), weights:size(2),
    { padding_idx = opts.padding_idx, _weight = weights:detach():clone() })
  if opts.freeze ~= false then e.weight:requires_grad(false) end
  return e
end

-- The layer as named in error messages.
function Embedding:__desc()
  return ("nn.Embedding(%d, %d)"):format(self.num_embeddings, self.embedding_dim)
end

--- emb:forward(idx): int64 indices (any shape, values 1..num) -> (idx shape..., dim).
function Embedding:forward(idx)
  if type(idx) == "table" or math.type(idx) == "integer" then idx = seq.tensor(idx) end
  if not seq.is_tensor(idx) then fail("%s: expected int64 indices, got %s", self:__desc(), type(idx)) end
  if idx:dtype() ~= "int64" then
    fail("%s: indices must be int64, got %s (use idx:long())", self:__desc(), idx:dtype())
  end
  if idx:numel() > 0 then
    local lo, hi = idx:min():item(), idx:max():item()
    if lo < 1 or hi > self.num_embeddings then
      fail("%s: index %d out of range (valid indices are 1 to %d)", self:__desc(),
        lo < 1 and lo or hi, self.num_embeddings)
    end
  end
  local flat = idx:reshape(-1)
  local out = self.weight:index_select(1, flat) -- (n, dim)
  if self.padding_idx then
    -- the padding row is zero already; the mask stops its gradient
    out = out * flat:ne(self.padding_idx):to(out:dtype()):unsqueeze(2)
  end
  local shape = idx:shape()
  shape[#shape + 1] = self.embedding_dim
  return out:reshape(shape)
end

--- emb:extra_repr(): "10, 4" plus ", padding_idx=N" when set.
function Embedding:extra_repr()
  local s = ("%d, %d"):format(self.num_embeddings, self.embedding_dim)
  if self.padding_idx then s = s .. ", padding_idx=" .. self.padding_idx end
  return s
end

-- ---- containers ---------------------------------------------------------

-- Lists its children "1", "2", ...; m[i] and #m work, and so does ipairs.
local function list_init(self, who, ...)
  local mods = table.pack(...)
  local one = mods[1]
  if mods.n == 1 and type(one) == "table" and not is_module(one)
    and not rawget(one, "__module_class") then -- a plain list of modules
    mods = mods[1]
    mods.n = #mods
  end
  for i = 1, mods.n do
    if not is_module(mods[i]) then
      fail("%s: argument %d is %s, not a module", who, i, describe(mods[i]))
    end
    self:append(mods[i])
  end
end

local function list_append(self, m)
  if not is_module(m) then
    fail("%s:append: expected a module, got %s", self:_get_name(), describe(m))
  end
  self[#self + 1] = m
  return self
end

local function list_len(self) return #rawget(self, "_names")._modules end

local Sequential = Module:extend("Sequential")
nn.Sequential = Sequential
Sequential.__len = list_len

--- nn.Sequential(m1, m2, ...) (or a list): applies the modules in order; s[i] is the i-th.
function Sequential:init(...) list_init(self, "nn.Sequential", ...) end

--- s:append(m): adds m at the end; returns s.
Sequential.append = list_append
Sequential.add = list_append

--- s:forward(x): x through every module in turn.
function Sequential:forward(x)
  for _, n in ipairs(rawget(self, "_names")._modules) do x = rawget(self, "_modules")[n](x) end
  return x
end

local ModuleList = Module:extend("ModuleList")
nn.ModuleList = ModuleList
ModuleList.__len = list_len

--- nn.ModuleList({m1, m2, ...}): holds submodules in a list (no forward); l[i], #l, ipairs.
function ModuleList:init(...) list_init(self, "nn.ModuleList", ...) end

--- l:append(m): adds m at the end; returns l.
ModuleList.append = list_append

-- ---- activations and losses as modules ----------------------------------

-- A module class without parameters whose forward calls fn(self, ...).
local function simple(name, fn, init, extra_repr)
  local cls = Module:extend(name)
  cls.forward = fn
  if init then cls.init = init end
  if extra_repr then cls.extra_repr = extra_repr end
  nn[name] = cls
  return cls
end

--- nn.Identity(): returns its input.
simple("Identity", function(_, x) return x end)
--- nn.ReLU(): F.relu as a module.
simple("ReLU", function(_, x) return F.relu(x) end)
--- nn.Tanh(): F.tanh as a module.
simple("Tanh", function(_, x) return F.tanh(x) end)
--- nn.Sigmoid(): F.sigmoid as a module.
simple("Sigmoid", function(_, x) return F.sigmoid(x) end)

local function dim_init(self, dim)
  if dim ~= nil and math.type(dim) ~= "integer" then
    fail("nn.%s: dim must be an integer, got %s", self:_get_name(), tostring(dim))
  end
  self.dim = dim or -1
end
local function dim_repr(self) return "dim=" .. self.dim end
--- nn.Softmax([dim = -1]): F.softmax along dim.
simple("Softmax", function(self, x) return F.softmax(x, self.dim) end, dim_init, dim_repr)
--- nn.LogSoftmax([dim = -1]): F.log_softmax along dim.
simple("LogSoftmax", function(self, x) return F.log_softmax(x, self.dim) end, dim_init, dim_repr)

--- nn.Dropout([p = 0.5]): F.dropout while training, the identity in eval().
simple("Dropout", function(self, x) return F.dropout(x, self.p, self.training) end,
  function(self, p)
    p = p or 0.5
    if type(p) ~= "number" or p < 0 or p > 1 then
      fail("nn.Dropout: probability has to be between 0 and 1, but got %s", tostring(p))
    end
    self.p = p
  end,
  function(self) return "p=" .. self.p end)

-- Loss modules keep their options: {reduction =, ignore_index =} or a
-- reduction string.
local function loss_init(self, opts)
  if type(opts) == "string" then opts = { reduction = opts } end
  opts = opts or {}
  self.reduction = opts.reduction or "mean"
  self.ignore_index = opts.ignore_index
end

--- nn.CrossEntropyLoss([{ignore_index =, reduction =}]): crit(logits, target) = F.cross_entropy.
simple("CrossEntropyLoss", function(self, x, t)
  return F.cross_entropy(x, t, { reduction = self.reduction, ignore_index = self.ignore_index })
end, loss_init)
--- nn.NLLLoss([{ignore_index =, reduction =}]): crit(logp, target) = F.nll_loss.
simple("NLLLoss", function(self, x, t)
  return F.nll_loss(x, t, { reduction = self.reduction, ignore_index = self.ignore_index })
end, loss_init)
--- nn.MSELoss([reduction]): crit(pred, target) = F.mse_loss.
simple("MSELoss", function(self, x, t) return F.mse_loss(x, t, self.reduction) end, loss_init)
--- nn.BCELoss([reduction]): crit(p, target) = F.binary_cross_entropy.
simple("BCELoss", function(self, x, t) return F.binary_cross_entropy(x, t, self.reduction) end,
  loss_init)
--- nn.BCEWithLogitsLoss([reduction]): crit(x, target) = F.binary_cross_entropy_with_logits.
simple("BCEWithLogitsLoss", function(self, x, t)
  return F.binary_cross_entropy_with_logits(x, t, self.reduction)
end, loss_init)

require("nn.rnn").install(nn) -- RNN, LSTM, GRU and their cells

return nn
