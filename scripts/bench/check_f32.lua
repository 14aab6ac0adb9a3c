-- check_f32.lua: the float32 fast paths against float64, over sizes that
-- exercise the vector bodies and their tails and over inputs from tiny to
-- saturating.  The float32 fused kernels (engine/src/rnn.c) and the
-- elementwise ops (engine/src/elementwise.c) have their own vector code
-- paths; this compares every output and gradient with the same
-- computation in float64 (libm) and fails above a bound, so a change to
-- those paths can be checked in a second:
--
--   build/seqlab run scripts/bench/check_f32.lua
--
-- `make bench` runs it first.  The goldens (tests/) check float32 against
-- PyTorch at 1e-5; the bounds here are relative to the size of each
-- tensor (max |f32 - f64| / max(1, max |f64|)).
local failures = 0

local function maxdiff(a, b)
  local d = (a:double() - b):abs():max():item()
  local s = math.max(1, b:abs():max():item())
  return d / s
end

local function check(name, got, want, bound)
  local d = maxdiff(got, want)
  local ok = d <= bound and d == d
  if not ok then failures = failures + 1 end
  io.write(("%-4s %-44s %.2e (bound %.1e)\n"):format(ok and "ok" or "FAIL", name, d, bound))
end

-- ---- fused recurrent kernels --------------------------------------------------

local CELLS = {
  { "rnn", function(x, h, c, wi, wh, bi, bh) return seq.rnn(x, h, wi, wh, bi, bh) end },
  { "relu", function(x, h, c, wi, wh, bi, bh)
      return seq.rnn(x, h, wi, wh, bi, bh, { nonlinearity = "relu" })
    end },
  { "lstm", function(x, h, c, wi, wh, bi, bh) return seq.lstm(x, h, c, wi, wh, bi, bh) end },
  { "gru", function(x, h, c, wi, wh, bi, bh) return seq.gru(x, h, wi, wh, bi, bh) end },
}
local GATES = { rnn = 1, relu = 1, lstm = 4, gru = 3 }

seq.manual_seed(7)
for _, cell in ipairs(CELLS) do
  local name, fn = cell[1], cell[2]
  -- H = 1, 3 (tail only), 8 (body only), 13 (both), 50; scale 0.5 (linear
  -- region) to 20 (saturated gates)
  -- N = 1 runs the per-step products as matrix-vector products
  for _, case in ipairs({ { 5, 2, 3, 1, 0.5 }, { 7, 3, 4, 3, 1 }, { 6, 2, 5, 8, 3 },
                          { 9, 4, 6, 13, 20 }, { 8, 1, 5, 13, 1 }, { 25, 1, 50, 50, 0.3 } }) do
    local T, N, D, H, scale = table.unpack(case)
    local G = GATES[name]
    local p64 = {
      x = seq.randn(T, N, D, "float64") * scale,
      h = seq.randn(N, H, "float64"),
      c = seq.randn(N, H, "float64"),
      wi = seq.randn(G * H, D, "float64") * scale,
      wh = seq.randn(G * H, H, "float64") * scale,
      bi = seq.randn(G * H, "float64"),
      bh = seq.randn(G * H, "float64"),
    }
    local r = {}
    local function run(dtype)
      local p = {}
      for k, v in pairs(p64) do p[k] = v:detach():to(dtype):clone():requires_grad() end
      local y, h, c = fn(p.x, p.h, p.c, p.wi, p.wh, p.bi, p.bh)
      -- a random projection of every output
      r.y = r.y or seq.randn(y:shape(), "float64")
      r.h = r.h or seq.randn(h:shape(), "float64")
      local obj = (y * r.y:to(dtype)):sum() + (h * r.h:to(dtype)):sum()
      if c then
        r.c = r.c or seq.randn(c:shape(), "float64")
        obj = obj + (c * r.c:to(dtype)):sum()
      end
      obj:backward()
      return y, h, c, p
    end
    local y64, h64, c64, q64 = run("float64")
    local y32, h32, c32, q32 = run("float32")
    local tag = ("%s T=%d N=%d D=%d H=%d scale=%g"):format(name, T, N, D, H, scale)
    -- float32 rounding moves the pre-activations (of size ~scale^2) by
    -- ~1e-7 * scale^2 before any kernel runs, and the recurrence can
    -- amplify that over T steps (OpenBLAS's products reach 7e-6 on the
    -- rnn T=8 N=1 case); a broken kernel is off by far more
    local fb, bb = 1e-5 * math.max(1, scale ^ 2), 1e-4 * math.max(1, scale ^ 2)
    check(tag .. " y", y32, y64, fb)
    check(tag .. " h_n", h32, h64, fb)
    if c64 then check(tag .. " c_n", c32, c64, fb) end
    for _, k in ipairs({ "x", "h", "c", "wi", "wh", "bi", "bh" }) do
      if q64[k].grad then check(tag .. " grad " .. k, q32[k].grad, q64[k].grad, bb) end
    end
  end
end

-- extreme inputs: saturation, infinities and NaN come out as in float64.
-- The values go in through the bias (x and the weights are zero), so the
-- products never see them.
do
  local vals = { -math.huge, -1e30, -100, -20, -1e-3, 0, 1e-3, 20, 100, 1e30, math.huge, 0 / 0 }
  local H = #vals
  local function run(cell, dtype)
    local G = cell == "lstm" and 4 or 1
    local b = {}
    for g = 1, G do for _, v in ipairs(vals) do b[#b + 1] = v end end
    local x = seq.zeros(1, 1, 1, dtype)
    local wi, wh = seq.zeros(G * H, 1, dtype), seq.zeros(G * H, H, dtype)
    local bias = seq.tensor(b, dtype)
    if cell == "lstm" then
      local _, h, c = seq.lstm(x, nil, nil, wi, wh, bias, nil)
      return h:totable()[1], c:totable()[1]
    end
    return seq.rnn(x, nil, wi, wh, bias, nil):totable()[1][1]
  end
  local function same(a, b)
    local worst = 0
    for i = 1, #a do
      if (a[i] ~= a[i]) ~= (b[i] ~= b[i]) then return math.huge end
      if a[i] == a[i] then worst = math.max(worst, math.abs(a[i] - b[i])) end
    end
    return worst
  end
  local function report(name, d)
    local ok = d <= 2e-7
    if not ok then failures = failures + 1 end
    io.write(("%-4s %-44s %.2e (bound 2e-07)\n"):format(ok and "ok" or "FAIL", name, d))
  end
  report("rnn tanh of -inf .. inf, nan", same(run("rnn", "float32"), run("rnn", "float64")))
  local h32, c32 = run("lstm", "float32")
  local h64, c64 = run("lstm", "float64")
  report("lstm h of -inf .. inf, nan", same(h32, h64))
  report("lstm c of -inf .. inf, nan", same(c32, c64))
end

-- a dense scan of the activations: x (T=1, N, D=1) through W_ih = 1 (a
-- product by one is exact), H = 1, against float64 on the same float32
-- values
do
  local n = 200001
  local x64 = seq.linspace(-30, 30, n, "float64"):float():double():reshape(1, n, 1)
  local x32 = x64:float()
  local function run(cell, x)
    local dt = x:dtype()
    local G = cell == "lstm" and 4 or cell == "gru" and 3 or 1
    local wi, wh = seq.ones(G, 1, dt), seq.zeros(G, 1, dt)
    if cell == "lstm" then
      local y, _, c = seq.lstm(x, nil, nil, wi, wh, nil, nil)
      return y, c
    elseif cell == "gru" then
      return seq.gru(x, nil, wi, wh, nil, nil)
    end
    return seq.rnn(x, nil, wi, wh, nil, nil)
  end
  check("rnn tanh, dense scan of [-30, 30]", run("rnn", x32), run("rnn", x64), 2.5e-7)
  check("gru, dense scan of [-30, 30]", run("gru", x32), run("gru", x64), 2.5e-7)
  local y32, c32 = run("lstm", x32)
  local y64, c64 = run("lstm", x64)
  check("lstm h, dense scan of [-30, 30]", y32, y64, 2.5e-7)
  check("lstm c, dense scan of [-30, 30]", c32, c64, 2.5e-7)
end

-- ---- elementwise ops ------------------------------------------------------------

do
  for _, n in ipairs({ 1, 3, 4, 7, 64, 1001 }) do
    local a64 = seq.randn(n, "float64") * 3
    local b64 = seq.randn(n, "float64") * 3 + 0.1
    local a, b = a64:float(), b64:float()
    -- compare against float64 ops on the float32-rounded inputs: these
    -- are correctly rounded, so the bound is half an ulp
    local A, Bv = a:double(), b:double()
    local tag = ("n=%d "):format(n)
    check(tag .. "add", a + b, A + Bv, 6e-8)
    check(tag .. "sub", a - b, A - Bv, 6e-8)
    check(tag .. "mul", a * b, A * Bv, 6e-8)
    check(tag .. "div", a / b, A / Bv, 6e-8 * math.max(1, (A / Bv):abs():max():item()))
    check(tag .. "sqrt", a:abs():sqrt(), A:abs():sqrt(), 6e-8)
    check(tag .. "square", a:square(), A:square(), 6e-8)
    check(tag .. "scalar div", a / 3, A / 3, 6e-8)
  end
end

io.write(failures == 0 and "check_f32: all within bounds\n"
  or ("check_f32: %d FAILED\n"):format(failures))
if failures > 0 then os.exit(1) end
