-- tap.lua: a tiny TAP harness for seqlab's Lua test suites, which the
-- Makefile runs as `build/seqlab run tests/lua/test_NAME.lua` from the repo
-- root.
--
--   local T = dofile("tests/lua/tap.lua")
--   T.test("linear forward matches torch", function()
--     T.close(y, expected, 1e-10)       -- tensor or number vs table/number/tensor
--     T.eq(#model:parameters(), 4)      -- exact equality (tables compared deeply)
--     T.ok(x:is_leaf(), "x is a leaf")  -- any truthy value
--     T.raises(function() lin(bad) end, "last dim 4")
--   end)
--   T.done()                            -- prints the plan; exits 1 on failure
--
-- Each T.test prints "ok N - name" or "not ok N - name" followed by the
-- error as "# " comment lines.  The checks raise an error on failure, so the
-- first failing check ends its test.  Tolerances are mixed: |got - want| <=
-- tol * (1 + |want|).
local T = {}

local count, failed = 0, 0

local function fmt(v)
  if type(v) == "number" then return ("%.17g"):format(v) end
  return tostring(v)
end

--- T.test(name, fn): runs fn and prints one TAP line for it.
function T.test(name, fn)
  count = count + 1
  local traceback = debug and debug.traceback or tostring
  local ok, err = xpcall(fn, function(e) return traceback(tostring(e), 2) end)
  if ok then
    print(("ok %d - %s"):format(count, name))
  else
    failed = failed + 1
    print(("not ok %d - %s"):format(count, name))
    print("# " .. tostring(err):gsub("\n", "\n# "))
  end
end

--- T.ok(v [, msg]): fails unless v is truthy.
function T.ok(v, msg)
  if not v then error(msg or "expected a true value", 2) end
  return v
end

local function deep_eq(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do
    if not deep_eq(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

local function show(v)
  if type(v) ~= "table" then return fmt(v) end
  local parts = {}
  for i, x in ipairs(v) do parts[i] = show(x) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

--- T.eq(got, want [, msg]): exact equality; tables are compared deeply.
function T.eq(got, want, msg)
  if not deep_eq(got, want) then
    error(("%sgot %s, expected %s"):format(msg and msg .. ": " or "", show(got), show(want)), 2)
  end
end

-- Flattens a number, a nested table or a tensor into (values, shape).
local function flatten(v)
  if type(v) == "number" then return { v }, {} end
  if type(v) == "userdata" and v.totable then
    local shape = v:shape()
    v = v:dim() == 0 and v:item() or v:totable()
    if type(v) == "number" then return { v }, shape end
  end
  if type(v) ~= "table" then error("T.close: cannot compare a " .. type(v), 3) end
  local out, shape = {}, {}
  local t = v
  while type(t) == "table" do
    shape[#shape + 1] = #t
    t = t[1]
  end
  local function walk(x)
    if type(x) == "table" then
      for _, y in ipairs(x) do walk(y) end
    else
      out[#out + 1] = x
    end
  end
  walk(v)
  return out, shape
end

--- T.close(got, want [, tol = 1e-6 [, msg]]): got (tensor or number) matches want
--- (number, nested table or tensor) in shape and in every element.
function T.close(got, want, tol, msg)
  tol = tol or 1e-6
  local prefix = msg and msg .. ": " or ""
  local g, gs = flatten(got)
  local w, ws = flatten(want)
  -- a 1-element want may be given as a plain number
  if not (type(want) == "number" and #g == 1) and not deep_eq(gs, ws) then
    error(("%sshape %s, expected %s"):format(prefix, show(gs), show(ws)), 2)
  end
  for i = 1, #w do
    local a, b = g[i], w[i]
    local same = (a == b) or (a ~= a and b ~= b) or math.abs(a - b) <= tol * (1 + math.abs(b))
    if not same then
      error(("%selement %d: got %s, expected %s (tol %g)"):format(prefix, i, fmt(a), fmt(b), tol), 2)
    end
  end
end

--- T.raises(fn, pattern [, msg]): fn must raise an error whose message contains
--- pattern (as plain text, or else as a Lua pattern).
function T.raises(fn, pattern, msg)
  local ok, err = pcall(fn)
  local prefix = msg and msg .. ": " or ""
  if ok then error(prefix .. "expected an error matching '" .. pattern .. "', none raised", 2) end
  err = tostring(err)
  if not (err:find(pattern, 1, true) or err:find(pattern)) then
    error(("%serror '%s' does not match '%s'"):format(prefix, err, pattern), 2)
  end
  return err
end

--- T.done(): prints the plan "1..N"; exits with status 1 if a test failed.
function T.done()
  print("1.." .. count)
  if failed > 0 then
    print(("# %d of %d tests failed"):format(failed, count))
    os.exit(1)
  end
end

return T
