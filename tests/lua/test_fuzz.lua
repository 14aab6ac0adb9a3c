-- test_fuzz.lua — a bounded, seeded random walk over the seq API: every
-- function and method is called many times with random mixes of tensors
-- (random shapes, dtypes, views, freed ones), numbers, strings, tables and
-- nils.  Each call may fail, but only with a Lua error: the process must
-- never crash, and under `make asan` must stay clean.
local T = dofile("tests/lua/tap.lua")

local rng_state = 12345
local function rnd(n) -- deterministic, independent of math.random
  rng_state = (rng_state * 1103515245 + 12345) % 2147483648
  return rng_state % n + 1
end

local dtypes = { "float32", "float64", "int64" }
local function rand_shape()
  local nd = rnd(4) - 1
  local s = {}
  for i = 1, nd do s[i] = rnd(4) - (rnd(6) == 1 and 1 or 0) end
  return s
end

local function rand_tensor()
  local k = rnd(8)
  local t
  if k == 1 then
    t = seq.tensor(rnd(5) - 3)
  else
    local ok, r = pcall(seq.randn, rand_shape(), dtypes[rnd(2)])
    t = ok and r or seq.zeros(1)
    if rnd(3) == 1 then t = t:to(dtypes[rnd(3)]) end
  end
  if t:dim() >= 2 and rnd(3) == 1 then t = t:transpose(1, 2) end
  if rnd(4) == 1 then pcall(function() t = t:requires_grad() end) end
  if rnd(20) == 1 then local f = seq.ones(2); f:free(); return f end
  return t
end

local function rand_value()
  local k = rnd(10)
  if k <= 5 then return rand_tensor()
  elseif k == 6 then return rnd(7) - 4
  elseif k == 7 then return ({ 0.5, -1e300, 1 / 0, 0 / 0, 2 ^ 62 })[rnd(5)]
  elseif k == 8 then return ({ "x", "float64", "inf", "" })[rnd(4)]
  elseif k == 9 then return ({ {}, { 1, 2 }, { { 1 }, { 2 } }, { 1, "a" } })[rnd(4)]
  else return nil end
end

local names = {}
for k, v in pairs(seq) do
  if type(v) == "function" and k ~= "save" and k ~= "load"
     and k ~= "set_num_threads" and k ~= "manual_seed" then
    names[#names + 1] = k
  end
end
table.sort(names)

T.test("random calls across the whole API fail only with Lua errors", function()
  local calls, errors = 0, 0
  for _ = 1, 20000 do
    local f = seq[names[rnd(#names)]]
    local a, b, c, d = rand_value(), rand_value(), rand_value(), rand_value()
    local ok, r = pcall(f, a, b, c, d)
    calls = calls + 1
    if not ok then
      errors = errors + 1
      assert(type(r) == "string", "non-string error")
    elseif seq.is_tensor(r) and rnd(4) == 1 then
      -- use results too: print, backward, index
      pcall(tostring, r)
      pcall(function() r:sum():backward() end)
      pcall(function() return r[rnd(3) - 2] end)
    end
  end
  T.eq(calls, 20000)
  T.eq(errors > 0 and errors < calls, true)
end)

T.test("random operator expressions fail only with Lua errors", function()
  local ops = {
    function(x, y) return x + y end, function(x, y) return x - y end,
    function(x, y) return x * y end, function(x, y) return x / y end,
    function(x, y) return x ^ y end, function(x) return -x end,
    function(x) return #x end, function(x, y) return x[y] end,
    function(x, y) x[1] = y end,
  }
  for _ = 1, 10000 do
    local ok, err = pcall(ops[rnd(#ops)], rand_value(), rand_value())
    assert(ok or type(err) == "string")
  end
  collectgarbage()
  T.eq(seq.is_grad_enabled(), true)
end)

T.done()
