-- test_optim.lua: optim.SGD/Adam/AdamW and nn.utils.clip_grad_norm/value.
-- Parameters after 1 and 3 steps, and clipped gradients, are compared with
-- PyTorch (tests/golden/torch_nn.lua, written by tests/golden/gen/torch_nn.py).
-- Run from the repo root: build/seqlab run tests/lua/test_optim.lua
local T = dofile("tests/lua/tap.lua")
local seq = require "seq"
local nn = require "nn"
local optim = require "optim"
local F = nn.functional

local G = dofile("tests/golden/torch_nn.lua")

local function tensor(e)
  return seq.tensor(e.data, e.dtype):reshape(e.shape)
end

-- The golden problem: loss = mse_loss(tanh(X W^T + b), Y).
local function problem(prob)
  local W, b = tensor(prob.W):requires_grad(), tensor(prob.b):requires_grad()
  local X, Y = tensor(prob.X), tensor(prob.Y)
  local function loss() return F.mse_loss((X:matmul(W:t()) + b):tanh(), Y) end
  return W, b, loss
end

-- Runs 3 steps as the generator did and compares after steps 1 and 3.
local function check_steps(prob, make_opt, steps, tol)
  local W, b, loss = problem(prob)
  local opt = make_opt({ W, b })
  for k = 1, 3 do
    opt:zero_grad()
    loss():backward()
    opt:step()
    if k == 1 or k == 3 then
      T.close(W, tensor(steps[k].W), tol, "W after step " .. k)
      T.close(b, tensor(steps[k].b), tol, "b after step " .. k)
    end
  end
end

-- ---- golden optimizer steps ------------------------------------------------

for _, c in ipairs(G.optim.cases) do
  local opts = {}
  local desc = {}
  for k, v in pairs(c.opts) do
    opts[k] = v
    desc[#desc + 1] = k .. "=" .. (type(v) == "table" and "{" .. table.concat(v, ",") .. "}" or tostring(v))
  end
  table.sort(desc)
  T.test(("optim.%s(%s) matches torch after 1 and 3 steps"):format(c.class, table.concat(desc, ", ")),
    function()
      check_steps(G.optim.problem, function(params) return optim[c.class](params, opts) end,
        c.steps, 1e-10)
    end)
end

T.test("optim.Adam on float32 parameters matches torch to 1e-5", function()
  local c = G.optim.adam_f32
  check_steps(c.problem, function(params) return optim.Adam(params, { lr = 0.01 }) end,
    c.steps, 1e-5)
end)

-- ---- optimizer behaviour ---------------------------------------------------

T.test("the learning rate is a field that can change between steps", function()
  local p = seq.tensor({ 1, 2 }, "float64"):requires_grad()
  local opt = optim.SGD({ p }, { lr = 0.5 })
  local function step()
    opt:zero_grad()
    local l = (p * seq.tensor({ 1, -1 }, "float64")):sum() -- gradient (1, -1)
    l:backward()
    opt:step()
  end
  step()
  T.close(p, { 0.5, 2.5 }, 1e-15)
  opt.lr = 0.25
  step()
  T.close(p, { 0.25, 2.75 }, 1e-15)
  opt.lr = 0
  step()
  T.close(p, { 0.25, 2.75 }, 0)
end)

T.test("step skips parameters without a gradient; zero_grad drops gradients", function()
  local a = seq.tensor({ 1.0 }, "float64"):requires_grad()
  local b = seq.tensor({ 1.0 }, "float64"):requires_grad()
  local opt = optim.Adam({ a, b }, { lr = 0.1 })
  a:mul(3):sum():backward()
  opt:step()
  T.close(b, { 1 }, 0, "b had no gradient")
  T.ok(a:item() < 1, "a moved")
  T.eq(opt.state[b], nil, "no state for a parameter never updated")
  T.eq(opt.state[a].step, 1)
  opt:zero_grad()
  T.eq(a.grad, nil)
  T.ok(a:is_leaf() and a:grad_required(), "updates keep the parameter a trainable leaf")
end)

T.test("optimizers take a module and step(closure) returns the loss", function()
  seq.manual_seed(5)
  local lin = nn.Linear(3, 1):double()
  local opt = optim.SGD(lin, { lr = 0.1, momentum = 0.9 })
  T.eq(#opt.params, 2)
  local x, y = seq.randn(16, 3, "float64"), seq.randn(16, 1, "float64")
  local function closure()
    opt:zero_grad()
    local loss = F.mse_loss(lin(x), y)
    loss:backward()
    return loss
  end
  local first = opt:step(closure):item()
  local last
  for _ = 1, 30 do last = opt:step(closure):item() end
  T.ok(last < first, ("loss went down (%g -> %g)"):format(first, last))
end)

T.test("Adam trains a small MLP on XOR", function()
  seq.manual_seed(1)
  local net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)):double()
  local opt = optim.Adam(net:parameters(), { lr = 0.05 })
  local x = seq.tensor({ { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } }, "float64")
  local y = seq.tensor({ 1, 2, 2, 1 })
  local loss
  for _ = 1, 200 do
    opt:zero_grad()
    loss = F.cross_entropy(net(x), y)
    loss:backward()
    opt:step()
  end
  T.ok(loss:item() < 0.05, "final loss " .. loss:item())
  T.eq(net(x):argmax(2):totable(), { 1, 2, 2, 1 })
end)

T.test("tostring shows the optimizer and its options", function()
  local p = seq.zeros(2):requires_grad()
  T.eq(tostring(optim.SGD({ p }, { lr = 0.1, momentum = 0.9 })),
    "SGD(lr=0.1, momentum=0.9, dampening=0, weight_decay=0, nesterov=false)")
  T.eq(tostring(optim.Adam({ p })),
    "Adam(lr=0.001, betas={0.9, 0.999}, eps=1e-08, weight_decay=0, amsgrad=false)")
  T.eq(tostring(optim.AdamW({ p })),
    "AdamW(lr=0.001, betas={0.9, 0.999}, eps=1e-08, weight_decay=0.01, amsgrad=false)")
end)

T.test("bad optimizer arguments raise clear errors", function()
  local p = seq.zeros(2):requires_grad()
  T.raises(function() optim.SGD({ p }, {}) end, "optim.SGD: lr is required")
  T.raises(function() optim.SGD({}, { lr = 0.1 }) end, "optim.SGD: got an empty parameter list")
  T.raises(function() optim.SGD({ p }, { lr = 0.1, nesterov = true }) end,
    "Nesterov momentum requires a momentum and zero dampening")
  T.raises(function() optim.SGD({ p }, { lr = -1 }) end, "invalid learning rate: -1")
  T.raises(function() optim.Adam({ p }, { betas = { 0.9, 1.0 } }) end,
    "invalid beta parameter at index 2")
  T.raises(function() optim.Adam({ p, 3 }) end, "parameter 2 is a number, not a tensor")
  T.raises(function() optim.Adam({ p * 2 }) end, "parameter 1 is not a leaf tensor")
end)

-- ---- gradient clipping -----------------------------------------------------

-- Two parameters whose gradients are exactly g1, g2: d sum(p * g) / dp = g.
local function params_with_grads()
  local c = G.clip
  local p1, p2 = seq.zeros(3, 4, "float64"):requires_grad(), seq.zeros(5, "float64"):requires_grad()
  local l = (p1 * tensor(c.g1)):sum() + (p2 * tensor(c.g2)):sum()
  l:backward()
  return p1, p2
end

for _, c in ipairs(G.clip.norm) do
  local nt = c.norm_type == math.huge and "inf" or tostring(c.norm_type)
  T.test(("clip_grad_norm(max_norm=%g, norm_type=%s) matches torch"):format(c.max_norm, nt), function()
    local p1, p2 = params_with_grads()
    local total = nn.utils.clip_grad_norm({ p1, p2 }, c.max_norm, c.norm_type)
    T.eq(type(total), "number")
    T.close(total, c.total, 1e-12, "total norm")
    T.close(p1.grad, tensor(c.g1), 1e-12, "g1")
    T.close(p2.grad, tensor(c.g2), 1e-12, "g2")
  end)
end

T.test("clip_grad_value matches torch", function()
  local p1, p2 = params_with_grads()
  nn.utils.clip_grad_value({ p1, p2 }, G.clip.value.clip_value)
  T.close(p1.grad, tensor(G.clip.value.g1), 0)
  T.close(p2.grad, tensor(G.clip.value.g2), 0)
end)

T.test("clip_grad_norm accepts a module, skips missing gradients, and has the _ alias", function()
  local lin = nn.Linear(3, 2)
  T.eq(nn.utils.clip_grad_norm(lin, 1.0), 0.0, "no gradients: norm 0")
  lin(seq.ones(1, 3)):sum():backward() -- grad W = ones, grad b = ones: norm sqrt(8)
  local total = nn.utils.clip_grad_norm_(lin, 1.0)
  T.close(total, math.sqrt(8), 1e-6)
  local after = 0
  for _, p in ipairs(lin:parameters()) do after = after + p.grad:square():sum():item() end
  T.close(math.sqrt(after), 1.0, 1e-5, "clipped norm")
  T.raises(function() nn.utils.clip_grad_norm(lin, "big") end, "max_norm must be a number")
end)

T.done()
