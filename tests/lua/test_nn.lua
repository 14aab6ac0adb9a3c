-- test_nn.lua: nn modules, nn.functional and the Module machinery.  Values
-- are checked against PyTorch (tests/golden/torch_nn.lua, written by
-- tests/golden/gen/torch_nn.py); behaviour (registration, printing,
-- checkpoints, errors) against what PyTorch does.
-- Run from the repo root: build/seqlab run tests/lua/test_nn.lua
local T = dofile("tests/lua/tap.lua")
local seq = require "seq"
local nn = require "nn"
local F = nn.functional

local G = dofile("tests/golden/torch_nn.lua")

local TOL64, TOL32 = 1e-10, 1e-5

-- A golden tensor literal as a seq tensor.
local function tensor(e)
  return seq.tensor(e.data, e.dtype):reshape(e.shape)
end

-- forward/backward of objective sum(r * out), the way the golden file did.
local function backward_weighted(out, r)
  (out * tensor(r)):sum():backward()
end

local function load_linear(case, dtype)
  local lin = nn.Linear(case.in_features, case.out_features,
    { bias = case.bias ~= nil, dtype = dtype })
  local sd = { weight = tensor(case.weight) }
  if case.bias then sd.bias = tensor(case.bias) end
  lin:load_state_dict(sd)
  return lin
end

local function check_linear(case, dtype, tol)
  local lin = load_linear(case, dtype)
  local x = tensor(case.x):requires_grad()
  local y = lin(x)
  T.eq(y:dtype(), dtype, "output dtype")
  T.close(y, tensor(case.out), tol, "out")
  backward_weighted(y, case.r)
  T.close(lin.weight.grad, tensor(case.grad_weight), tol, "grad_weight")
  T.close(x.grad, tensor(case.grad_x), tol, "grad_x")
  if case.bias then T.close(lin.bias.grad, tensor(case.grad_bias), tol, "grad_bias") end
end

-- ---- golden: layers -------------------------------------------------------

T.test("Linear float64 forward and backward match torch", function()
  check_linear(G.linear.f64, "float64", TOL64)
end)

T.test("Linear on a 3-d input (2, 3, 5) matches torch", function()
  check_linear(G.linear.f64_3d, "float64", TOL64)
end)

T.test("Linear on a 1-d input matches torch", function()
  check_linear(G.linear.f64_1d, "float64", TOL64)
end)

T.test("Linear without bias matches torch and has only a weight", function()
  check_linear(G.linear.f64_nobias, "float64", TOL64)
  local lin = nn.Linear(4, 3, { bias = false })
  T.eq(#lin:parameters(), 1)
  T.eq(lin.bias, nil)
  T.eq(tostring(lin), "Linear(in_features=4, out_features=3, bias=false)")
end)

T.test("Linear float32 matches torch to 1e-5", function()
  check_linear(G.linear.f32, "float32", TOL32)
end)

T.test("Embedding with padding_idx matches torch (output and gradient)", function()
  local c = G.embedding.pad
  local emb = nn.Embedding(c.num, c.dim, { padding_idx = c.padding_idx, dtype = "float64" })
  -- a fresh Embedding has a zero padding row
  T.close(emb.weight[c.padding_idx], { 0, 0, 0, 0 }, 0)
  emb:load_state_dict({ weight = tensor(c.weight) })
  local y = emb(tensor(c.idx))
  T.eq(y:shape(), { 2, 3, 4 })
  T.close(y, tensor(c.out), TOL64, "out")
  backward_weighted(y, c.r)
  T.close(emb.weight.grad, tensor(c.grad_weight), TOL64, "grad_weight")
  T.close(emb.weight.grad[c.padding_idx], { 0, 0, 0, 0 }, 0, "padding row gets no gradient")
end)

T.test("Embedding accumulates the gradient of repeated indices like torch", function()
  local c = G.embedding.nopad
  local emb = nn.Embedding(c.num, c.dim):double()
  emb:load_state_dict({ weight = tensor(c.weight) })
  local y = emb(tensor(c.idx))
  T.close(y, tensor(c.out), TOL64, "out")
  backward_weighted(y, c.r)
  T.close(emb.weight.grad, tensor(c.grad_weight), TOL64, "grad_weight")
end)

local function check_mlp(case, dtype, tol)
  local net = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 4)):to(dtype)
  local sd = {}
  for name, e in pairs(case.state) do sd[name] = tensor(e) end
  net:load_state_dict(sd)
  local logits = net(tensor(case.x))
  T.close(logits, tensor(case.logits), tol, "logits")
  local loss = F.cross_entropy(logits, tensor(case.y))
  T.close(loss, tensor(case.loss), tol, "loss")
  loss:backward()
  local n = 0
  for name, p in net:named_parameters() do
    T.close(p.grad, tensor(case.grads[name]), tol, "grad of " .. name)
    n = n + 1
  end
  T.eq(n, 4, "number of parameters")
end

T.test("Sequential MLP float64: logits, loss and every gradient match torch", function()
  check_mlp(G.mlp.f64, "float64", TOL64)
end)

T.test("Sequential MLP float32 matches torch to 1e-5", function()
  check_mlp(G.mlp.f32, "float32", TOL32)
end)

-- ---- golden: losses --------------------------------------------------------

-- mean/sum/none of a class loss, each with its gradient (none: of sum(w * loss)).
local function check_class_loss(fn, c)
  for _, red in ipairs { "mean", "sum", "none" } do
    local x = tensor(c.x):requires_grad()
    local loss = fn(x, tensor(c.target), { reduction = red })
    T.close(loss, tensor(c[red].loss), TOL64, red .. " loss")
    if red == "none" then loss = (loss * tensor(c.w)):sum() end
    loss:backward()
    T.close(x.grad, tensor(c[red].grad_x), TOL64, red .. " grad")
  end
end

T.test("cross_entropy mean/sum/none with an ignored (-100) target matches torch", function()
  check_class_loss(F.cross_entropy, G.losses.cross_entropy)
end)

T.test("cross_entropy with ignore_index naming a class matches torch", function()
  local c = G.losses.cross_entropy.ignore_class
  local x = tensor(G.losses.cross_entropy.x):requires_grad()
  local loss = F.cross_entropy(x, tensor(c.target), { ignore_index = c.ignore_index })
  T.close(loss, tensor(c.loss), TOL64, "loss")
  loss:backward()
  T.close(x.grad, tensor(c.grad_x), TOL64, "grad")
end)

T.test("nll_loss mean/sum/none matches torch", function()
  check_class_loss(F.nll_loss, G.losses.nll_loss)
end)

T.test("cross_entropy on (N, T, C) flattens the leading dims", function()
  local c = G.losses.cross_entropy_3d
  local x = tensor(c.x):requires_grad()
  local loss = F.cross_entropy(x, tensor(c.target))
  T.close(loss, tensor(c.loss), TOL64, "loss")
  loss:backward()
  T.close(x.grad, tensor(c.grad_x), TOL64, "grad")
  local none = F.cross_entropy(tensor(c.x), tensor(c.target), { reduction = "none" })
  T.eq(none:shape(), { 2, 3 })
  T.close(none, tensor(c.loss_none), TOL64, "none")
end)

T.test("cross_entropy on one (C) vector with a 0-d target matches torch", function()
  local c = G.losses.cross_entropy_1d
  local x = tensor(c.x):requires_grad()
  local loss = F.cross_entropy(x, seq.tensor(c.target))
  T.close(loss, tensor(c.loss), TOL64, "loss")
  loss:backward()
  T.close(x.grad, tensor(c.grad_x), TOL64, "grad")
end)

-- A loss of (input, target, reduction) checked for the three reductions.
local function check_pair_loss(fn, c)
  for _, red in ipairs { "mean", "sum", "none" } do
    if c[red] then
      local p = tensor(c.input):requires_grad()
      local loss = fn(p, tensor(c.target), red)
      T.close(loss, tensor(c[red].loss), TOL64, red .. " loss")
      if red == "none" then loss = (loss * tensor(c.w)):sum() end
      loss:backward()
      T.close(p.grad, tensor(c[red].grad_input), TOL64, red .. " grad")
    end
  end
end

T.test("mse_loss mean/sum/none matches torch", function()
  check_pair_loss(F.mse_loss, G.losses.mse_loss)
end)

T.test("binary_cross_entropy mean/sum/none matches torch", function()
  check_pair_loss(F.binary_cross_entropy, G.losses.binary_cross_entropy)
end)

T.test("binary_cross_entropy clamps the log at -100 like torch, without nan gradients", function()
  local c = G.losses.binary_cross_entropy.edge
  local p = tensor(c.input):requires_grad()
  local loss = F.binary_cross_entropy(p, tensor(c.target), "none")
  T.close(loss, tensor(c.loss), TOL64)
  loss:sum():backward()
  for _, g in ipairs(p.grad:totable()) do T.ok(g == g, "gradient is not nan") end
end)

T.test("binary_cross_entropy_with_logits matches torch, also for |x| = 40", function()
  check_pair_loss(F.binary_cross_entropy_with_logits, G.losses.binary_cross_entropy_with_logits)
end)

T.test("loss modules give the functional results", function()
  local c = G.losses.cross_entropy
  local x, y = tensor(c.x), tensor(c.target)
  T.close(nn.CrossEntropyLoss()(x, y), tensor(c.mean.loss), TOL64)
  T.close(nn.CrossEntropyLoss({ reduction = "sum" })(x, y), tensor(c.sum.loss), TOL64)
  T.close(nn.NLLLoss()(x:log_softmax(2), y), tensor(c.mean.loss), TOL64)
  local m = G.losses.mse_loss
  T.close(nn.MSELoss()(tensor(m.input), tensor(m.target)), tensor(m.mean.loss), TOL64)
  T.close(nn.MSELoss("sum")(tensor(m.input), tensor(m.target)), tensor(m.sum.loss), TOL64)
  local b = G.losses.binary_cross_entropy
  T.close(nn.BCELoss()(tensor(b.input), tensor(b.target)), tensor(b.mean.loss), TOL64)
  local l = G.losses.binary_cross_entropy_with_logits
  T.close(nn.BCEWithLogitsLoss()(tensor(l.input), tensor(l.target)), tensor(l.mean.loss), TOL64)
end)

-- ---- activations -------------------------------------------------------------

T.test("activations and softmax modules compute the functional ops", function()
  local x = seq.tensor({ { -1, 0.5, 2 }, { 3, -2, 0 } }, "float64")
  T.close(nn.ReLU()(x), { { 0, 0.5, 2 }, { 3, 0, 0 } }, 0)
  T.close(nn.Tanh()(x), x:tanh(), 0)
  T.close(nn.Sigmoid()(x), x:sigmoid(), 0)
  T.close(nn.Identity()(x), x, 0)
  -- softmax defaults to the last dim; rows sum to one
  T.close(F.softmax(x):sum(2), { 1, 1 }, 1e-12)
  T.close(nn.Softmax(1)(x):sum(1), { 1, 1, 1 }, 1e-12)
  T.close(nn.LogSoftmax()(x), x:log_softmax(2), 0)
  T.close(F.log_softmax(x, 1), x:log_softmax(1), 0)
end)

T.test("dropout keeps about 1 - p of the entries, scaled by 1/(1 - p)", function()
  seq.manual_seed(7)
  local x = seq.ones(100, 100, "float64")
  local y = F.dropout(x, 0.3)
  local kept = y:ne(0):sum():item()
  T.ok(math.abs(kept / 10000 - 0.7) < 0.03, "kept fraction " .. kept / 10000)
  -- every kept entry is exactly 1 / 0.7
  T.close(y:sum():item() / kept, 1 / 0.7, 1e-12)
  T.close(F.dropout(x, 0.3, false), x, 0, "not training: identity")
  T.close(F.dropout(x, 1), seq.zeros(100, 100, "float64"), 0, "p = 1 drops everything")
  T.raises(function() F.dropout(x, 1.5) end, "between 0 and 1")
end)

T.test("train() and eval() switch dropout in nested modules", function()
  local Net = nn.Module:extend("Net")
  function Net:init() self.body = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5)) end
  function Net:forward(x) return self.body(x) end
  local net = Net():double()
  local x = seq.randn(64, 4, "float64")
  T.eq(net.training, true)
  net:eval()
  T.eq(net.body[2].training, false, "eval reaches the Dropout")
  local a, b = net(x), net(x)
  T.close(a, b, 0, "eval is deterministic")
  T.close(a, net.body[1](x), 0, "eval dropout is the identity")
  net:train()
  T.eq(net.body[2].training, true)
  local zeros = net(x):eq(0):sum():item()
  T.ok(zeros > 20, "training dropout zeroes entries (" .. zeros .. ")")
end)

-- ---- the Module machinery ----------------------------------------------------

T.test("a Module subclass registers parameters and submodules in assignment order", function()
  local Net = nn.Module:extend("Net")
  function Net:init(n)
    self.n = n -- a plain field
    self.fc2 = nn.Linear(3, 2)
    self.scale = seq.ones(2):requires_grad()
    self.fc1 = nn.Linear(n, 3)
    self.offset = seq.zeros(2):requires_grad()
    self.cache = seq.zeros(2) -- does not require grad: a plain field
  end
  function Net:forward(x) return self.fc2(self.fc1(x):relu()) * self.scale + self.offset end
  local net = Net(4)
  local names = {}
  for name in net:named_parameters() do names[#names + 1] = name end
  -- own parameters first, then submodules, each in assignment order (PyTorch)
  T.eq(names, { "scale", "offset", "fc2.weight", "fc2.bias", "fc1.weight", "fc1.bias" })
  local params = net:parameters()
  T.eq(#params, 6)
  T.ok(rawequal(params[1], net.scale), "parameters() returns the tensors themselves")
  T.eq(net.n, 4)
  T.eq(net:num_parameters(), 2 + 2 + 3 * 2 + 2 + 4 * 3 + 3)
  T.eq(net(seq.randn(5, 4)):shape(), { 5, 2 })
  T.eq(#net:children(), 2)
end)

T.test("a tensor shared by two modules is listed once", function()
  local a, b = nn.Linear(3, 3), nn.Linear(3, 3)
  b.weight = a.weight
  local s = nn.Sequential(a, b)
  T.eq(#s:parameters(), 3)
  local sd = s:state_dict()
  T.ok(sd["1.weight"] and sd["2.weight"], "state_dict still names both")
end)

T.test("reassigning fields updates the registry; bad assignments are refused", function()
  local lin = nn.Linear(3, 2)
  local w = seq.zeros(2, 3):requires_grad()
  lin.weight = w
  T.ok(rawequal(lin:parameters()[1], w), "new weight registered in place")
  lin.bias = nil
  T.eq(#lin:parameters(), 1, "nil removes a parameter")
  T.raises(function() lin.weight = seq.zeros(2, 3) end,
    "Linear: cannot assign a tensor that does not require grad to parameter 'weight'")
  local s = nn.Sequential(nn.ReLU())
  T.raises(function() s[1] = 5 end, "cannot assign a number to submodule '1'")
  local m = nn.Module()
  T.raises(function() m.layers = { nn.Linear(2, 2) } end,
    "Module: 'layers' is a plain list of modules; use nn.ModuleList")
end)

T.test("subclasses can extend built-in layers and call the parent's methods", function()
  local Scaled = nn.Linear:extend("ScaledLinear")
  function Scaled:init(i, o, s)
    nn.Linear.init(self, i, o)
    self.s = s
  end
  function Scaled:forward(x) return nn.Linear.forward(self, x) * self.s end
  function Scaled:extra_repr() return nn.Linear.extra_repr(self) .. ", s=" .. self.s end
  local m = Scaled(3, 2, 10)
  local x = seq.randn(4, 3)
  T.close(m(x), (x:matmul(m.weight:t()) + m.bias) * 10, 1e-5)
  T.eq(tostring(m), "ScaledLinear(in_features=3, out_features=2, bias=true, s=10)")
  T.eq(#m:parameters(), 2)
  T.raises(function() nn.Module:extend("NoForward")()(x) end, "NoForward has no forward method")
end)

T.test("tostring prints modules like PyTorch", function()
  T.eq(tostring(nn.Linear(5, 7)), "Linear(in_features=5, out_features=7, bias=true)")
  T.eq(tostring(nn.Embedding(10, 3)), "Embedding(10, 3)")
  T.eq(tostring(nn.Embedding(10, 3, { padding_idx = 1 })), "Embedding(10, 3, padding_idx=1)")
  T.eq(tostring(nn.Dropout(0.1)), "Dropout(p=0.1)")
  T.eq(tostring(nn.Softmax(2)), "Softmax(dim=2)")
  T.eq(tostring(nn.ReLU()), "ReLU()")
  T.eq(tostring(nn.CrossEntropyLoss()), "CrossEntropyLoss()")
  local Net = nn.Module:extend("Net")
  function Net:init()
    self.emb = nn.Embedding(10, 4)
    self.mlp = nn.Sequential(nn.Linear(4, 8), nn.Tanh())
  end
  T.eq(tostring(Net()), table.concat({
    "Net(",
    "  (emb): Embedding(10, 4)",
    "  (mlp): Sequential(",
    "    (1): Linear(in_features=4, out_features=8, bias=true)",
    "    (2): Tanh()",
    "  )",
    ")" }, "\n"))
  T.eq(tostring(nn.Sequential()), "Sequential()")
end)

T.test("Sequential indexing, length, append and ipairs", function()
  local s = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
  T.eq(#s, 2)
  T.eq(tostring(s[2]), "ReLU()")
  s:append(nn.Linear(3, 1))
  T.eq(#s, 3)
  local n = 0
  for i, m in ipairs(s) do n = n + 1; T.ok(rawequal(m, s[i])) end
  T.eq(n, 3)
  T.eq(s(seq.randn(4, 2)):shape(), { 4, 1 })
  local s2 = nn.Sequential({ nn.Tanh(), nn.Sigmoid() })
  T.eq(#s2, 2, "a list of modules works too")
  local l = nn.ModuleList({ nn.Linear(2, 2), nn.Linear(2, 2) })
  T.eq(#l, 2)
  T.eq(#l:parameters(), 4)
end)

T.test("zero_grad, requires_grad_ and buffers", function()
  local lin = nn.Linear(3, 2)
  lin(seq.randn(4, 3)):sum():backward()
  T.ok(lin.weight.grad, "has a gradient after backward")
  lin:zero_grad()
  T.eq(lin.weight.grad, nil)
  T.eq(lin.bias.grad, nil)
  lin:requires_grad_(false)
  T.eq(lin.weight:grad_required(), false)
  T.eq(lin:num_parameters(true), 0, "no trainable parameters left")
  T.eq(#lin:parameters(), 2, "frozen parameters stay registered")
  local m = nn.Module()
  m:register_buffer("running", seq.ones(3))
  m.w = seq.zeros(3):requires_grad()
  T.eq(#m:parameters(), 1)
  T.eq(#m:buffers(), 1)
  T.ok(m:state_dict().running, "buffers are saved")
  T.close(m.running, { 1, 1, 1 }, 0)
end)

T.test("double() and float() convert parameters and keep them trainable", function()
  local s = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
  s[2].weight = s[1].weight -- tied
  s:double()
  for _, p in ipairs(s:parameters()) do
    T.eq(p:dtype(), "float64")
    T.ok(p:grad_required() and p:is_leaf(), "a trainable leaf")
  end
  T.ok(rawequal(s[1].weight, s[2].weight), "tied weights stay tied")
  T.eq(#s:parameters(), 3)
  s:float()
  T.eq(s[1].weight:dtype(), "float32")
  local y = s(seq.randn(2, 3)):sum()
  y:backward()
  T.ok(s[1].weight.grad, "gradients flow after conversion")
end)

T.test("Linear initialises weight and bias U(-1/sqrt(in), 1/sqrt(in))", function()
  seq.manual_seed(3)
  local lin = nn.Linear(100, 200)
  local bound = 0.1
  local w = lin.weight
  T.eq(w:shape(), { 200, 100 })
  T.ok(w:max():item() <= bound and w:min():item() >= -bound, "within the bound")
  T.ok(w:max():item() > 0.99 * bound and w:min():item() < -0.99 * bound, "fills the range")
  T.ok(math.abs(w:mean():item()) < 0.003, "mean near 0")
  T.close(w:var():item(), bound * bound / 3, 0.05 * bound * bound / 3 / (1 + bound * bound / 3))
  T.ok(lin.bias:max():item() <= bound and lin.bias:min():item() >= -bound, "bias within the bound")
  T.eq(lin.weight:dtype(), "float32")
  T.eq(nn.Linear(2, 2, { dtype = "float64" }).bias:dtype(), "float64")
end)

T.test("Embedding initialises N(0, 1) and takes indices of any shape", function()
  seq.manual_seed(4)
  local emb = nn.Embedding(1000, 50)
  local w = emb.weight
  T.ok(math.abs(w:mean():item()) < 0.02, "mean near 0")
  T.ok(math.abs(w:std():item() - 1) < 0.02, "std near 1")
  T.eq(emb(seq.tensor(5)):shape(), { 50 }, "0-d index")
  T.eq(emb(seq.tensor({ { 1, 2, 3 } })):shape(), { 1, 3, 50 })
  T.eq(emb({ 1, 2 }):shape(), { 2, 50 }, "a Lua table of indices")
  T.close(emb(seq.tensor({ 7 }))[1], w[7], 0)
  local frozen = nn.Embedding.from_pretrained(seq.eye(3, "float64"))
  T.eq(frozen.weight:grad_required(), false)
  T.close(frozen(seq.tensor({ 2 })), { { 0, 1, 0 } }, 0)
end)

-- ---- checkpoints -----------------------------------------------------------

T.test("state_dict round trip through save/load reproduces the outputs", function()
  local function make() return nn.Sequential(nn.Embedding(7, 4), nn.Linear(4, 3)):double() end
  seq.manual_seed(11)
  local a = make()
  local path = os.tmpname()
  a:save(path)
  seq.manual_seed(12)
  local b = make()
  local idx = seq.tensor({ 1, 5, 7 })
  T.ok((a(idx) - b(idx)):abs():max():item() > 0, "different before loading")
  b:load(path)
  os.remove(path)
  T.close(b(idx), a(idx), 0)
  local keys = {}
  for k in pairs(a:state_dict()) do keys[#keys + 1] = k end
  table.sort(keys)
  T.eq(keys, { "1.weight", "2.bias", "2.weight" })
  -- loading copies values: the parameters stay trainable leaves
  T.ok(b[2].weight:grad_required() and b[2].weight:is_leaf())
end)

T.test("load_state_dict reports shape mismatches and missing or unexpected keys", function()
  local lin = nn.Linear(5, 7)
  T.raises(function() lin:load_state_dict({ weight = seq.zeros(5, 7), bias = seq.zeros(7) }) end,
    "Linear:load_state_dict: size mismatch for 'weight': the checkpoint has (5, 7), the model (7, 5)")
  T.raises(function() lin:load_state_dict({ weight = seq.zeros(7, 5) }) end, "missing bias")
  T.raises(function()
    lin:load_state_dict({ weight = seq.zeros(7, 5), bias = seq.zeros(7), extra = seq.zeros(1) })
  end, "unexpected extra")
  local missing, unexpected = lin:load_state_dict({ weight = seq.zeros(7, 5), extra = seq.zeros(1) }, false)
  T.eq(missing, { "bias" })
  T.eq(unexpected, { "extra" })
  T.close(lin.weight, seq.zeros(7, 5), 0, "non-strict still loads what matches")
  -- a failed strict load changes nothing
  local before = lin.bias:clone()
  pcall(lin.load_state_dict, lin, { weight = seq.ones(7, 5), bias = seq.ones(7, 1) })
  T.close(lin.weight, seq.zeros(7, 5), 0)
  T.close(lin.bias, before, 0)
  T.raises(function() lin:load("/nonexistent/dir/x.safetensors") end, "Linear:load:")
end)

-- ---- errors ------------------------------------------------------------------

T.test("bad inputs raise errors that name the layer and the shapes", function()
  local lin = nn.Linear(5, 7)
  T.raises(function() lin(seq.zeros(3, 4)) end,
    "nn.Linear(5 -> 7): input (3, 4) has last dim 4, expected 5")
  T.raises(function() lin("x") end, "nn.Linear(5 -> 7): expected an input tensor, got string")
  T.raises(function() nn.Linear(0, 3) end, "nn.Linear: in_features must be a positive integer")
  local emb = nn.Embedding(10, 4)
  T.raises(function() emb(seq.tensor({ 1, 11 })) end,
    "nn.Embedding(10, 4): index 11 out of range (valid indices are 1 to 10)")
  T.raises(function() emb(seq.tensor({ 0 })) end, "index 0 out of range")
  T.raises(function() emb(seq.tensor({ 1.5 })) end, "indices must be int64, got float32")
  T.raises(function() nn.Embedding(10, 4, { padding_idx = 11 }) end, "padding_idx must be 1 to 10")
  T.raises(function() F.cross_entropy(seq.zeros(4, 5, 10), seq.tensor({ 1, 2, 3, 4 })) end,
    "cross_entropy: input (4, 5, 10) (classes in the last dim) needs target (4, 5), got (4)")
  T.raises(function() F.cross_entropy(seq.zeros(2, 3), seq.tensor({ 1, 4 })) end,
    "target 4 out of range for 3 classes")
  T.raises(function() F.cross_entropy(seq.zeros(2, 3), seq.tensor({ 1.0, 2.0 })) end,
    "target must hold class indices (int64), got float32")
  T.raises(function() F.mse_loss(seq.zeros(3, 1), seq.zeros(3)) end,
    "mse_loss: target (3) must have the input's shape (3, 1)")
  T.raises(function() F.mse_loss(seq.zeros(3), seq.zeros(3), "avg") end,
    "reduction must be 'mean', 'sum' or 'none', got 'avg'")
  T.raises(function() nn.Sequential(nn.Linear(2, 2), nn.ReLU) end,
    "nn.Sequential: argument 2 is the class ReLU")
  T.raises(function() nn.Dropout(2) end, "between 0 and 1")
end)

T.done()
