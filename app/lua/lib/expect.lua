-- expect: the checks exercise tests are written with.
--
-- Each check returns nothing when it holds and otherwise raises a failure
-- record (a table, not a string) that the grader turns into a report: what
-- was checked, expected and got, the first differing index (1-based) and
-- the largest difference.  expect.close runs its checks in a fixed chain:
-- the value exists, has the right type, the right shape, then the values.
local seq = require "seq"

local expect = {}
local FAILURE = {} -- marks failure records

--- expect.is_failure(v): true for a record raised by a failed check.
function expect.is_failure(v)
  return type(v) == "table" and getmetatable(v) == FAILURE
end

local function fail(rec)
  return error(setmetatable(rec, FAILURE), 0)
end

local function fmt(v)
  if type(v) == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    return string.format("%.10g", v)
  elseif seq.is_tensor(v) then
    local s = v:shape()
    local parts = {}
    for i, d in ipairs(s) do parts[i] = tostring(d) end
    return "a tensor of shape (" .. table.concat(parts, ", ") .. ")"
  elseif type(v) == "string" then
    return string.format("%q", v)
  end
  return tostring(v)
end

local function shape_str(s)
  local parts = {}
  for i, d in ipairs(s) do parts[i] = tostring(d) end
  return "(" .. table.concat(parts, ", ") .. ")"
end

local function kind(v)
  if seq.is_tensor(v) then return "tensor" end
  return type(v)
end

--- expect.defined(v, what): v is not nil.
function expect.defined(v, what)
  what = what or "value"
  if v == nil then
    fail { check = "exists", what = what,
      message = what .. " is nil (did the function return it?)" }
  end
end

--- expect.type(v, kind, what): kind is "tensor", "number", "table", ...
function expect.type(v, want, what)
  what = what or "value"
  expect.defined(v, what)
  if kind(v) ~= want then
    fail { check = "type", what = what, expected = want, got = kind(v),
      message = string.format("%s should be a %s, got a %s", what, want, kind(v)) }
  end
end

--- expect.shape(t, shape, what): a tensor of exactly that shape.
function expect.shape(t, shape, what)
  what = what or "value"
  expect.type(t, "tensor", what)
  local got = t:shape()
  local same = #got == #shape
  for i = 1, #shape do same = same and got[i] == shape[i] end
  if not same then
    fail { check = "shape", what = what, expected = shape_str(shape),
      got = shape_str(got),
      message = string.format("%s has shape %s, expected %s", what,
        shape_str(got), shape_str(shape)) }
  end
end

-- Flattens a nested table of numbers in C order, returning values and
-- shape; errors on ragged tables (a bug in the test, not the learner).
local function flatten(t, out, shape, depth)
  depth = depth or 1
  if type(t) ~= "table" then
    out[#out + 1] = t
    return
  end
  if shape[depth] == nil then shape[depth] = #t end
  assert(#t == shape[depth], "expect: ragged expected table")
  for i = 1, #t do flatten(t[i], out, shape, depth + 1) end
end

local function index_str(flat_i, shape)
  if #shape == 0 then return "" end
  local idx, rem = {}, flat_i - 1
  for d = #shape, 1, -1 do
    idx[d] = rem % shape[d] + 1
    rem = rem // shape[d]
  end
  local s = {}
  for d = 1, #shape do s[d] = "[" .. idx[d] .. "]" end
  return table.concat(s)
end

local function values_of(v)
  if seq.is_tensor(v) then
    local vals, shape = {}, v:shape()
    local ok = pcall(flatten, v:totable(), vals, {})
    assert(ok)
    return vals, shape
  elseif type(v) == "table" then
    local vals, shape = {}, {}
    flatten(v, vals, shape)
    return vals, shape
  end
  return { v }, {}
end

--- expect.close(got, want, opts): exists -> type -> shape -> values within
--- |got - want| <= atol + rtol * |want|.  opts: {rtol = 1e-7, atol = 0,
--- what = "a_next"}.  want: tensor, nested table or number.
function expect.close(got, want, opts)
  opts = opts or {}
  local what = opts.what or "value"
  local rtol, atol = opts.rtol or 1e-7, opts.atol or 0
  expect.defined(got, what)
  local wvals, wshape = values_of(want)
  if type(want) == "number" then
    if kind(got) ~= "number" and not (seq.is_tensor(got) and got:numel() == 1) then
      expect.type(got, "number", what)
    end
  else
    expect.type(got, "tensor", what)
    expect.shape(got, wshape, what)
  end
  local gvals = values_of(got)
  local worst, worst_i, first_i = 0, nil, nil
  for i = 1, #wvals do
    local g, w = gvals[i], wvals[i]
    local d = math.abs(g - w)
    local bad = not (d <= atol + rtol * math.abs(w))
    if g ~= g or w ~= w then bad = (g == g) ~= (w == w); d = bad and math.huge or 0 end
    if bad and not first_i then first_i = i end
    if d > worst then worst, worst_i = d, i end
  end
  if first_i then
    local at = index_str(first_i, wshape)
    fail { check = "values", what = what, index = at,
      expected = fmt(wvals[first_i]), got = fmt(gvals[first_i]),
      max_diff = worst, tolerance = string.format("rtol %g, atol %g", rtol, atol),
      message = string.format("%s%s: expected %s, got %s (max |diff| %.3g at %s; rtol %g, atol %g)",
        what, at, fmt(wvals[first_i]), fmt(gvals[first_i]), worst,
        worst_i and (index_str(worst_i, wshape) ~= "" and index_str(worst_i, wshape) or "it") or "?",
        rtol, atol) }
  end
end

local function deep_equal(a, b)
  if seq.is_tensor(a) then a = a:totable() end
  if seq.is_tensor(b) then b = b:totable() end
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

--- expect.equal(got, want, what): exact equality, deep for tables/tensors.
function expect.equal(got, want, what)
  what = what or "value"
  if not deep_equal(got, want) then
    fail { check = "equal", what = what, expected = fmt(want), got = fmt(got),
      message = string.format("%s: expected %s, got %s", what, fmt(want), fmt(got)) }
  end
end

--- expect.output(fn, want, what): fn() prints exactly want (a Lua pattern
--- when want starts with "~").
function expect.output(fn, want, what)
  what = what or "output"
  local lines = {}
  local saved = print
  print = function(...)
    local n = select("#", ...)
    local parts = {}
    for i = 1, n do parts[i] = tostring((select(i, ...))) end
    lines[#lines + 1] = table.concat(parts, "\t")
  end
  local ok, err = pcall(fn)
  print = saved
  if not ok then error(err, 0) end
  local text = table.concat(lines, "\n")
  if #lines > 0 then text = text .. "\n" end
  local good
  if want:sub(1, 1) == "~" then
    good = text:find(want:sub(2)) ~= nil
  else
    good = text == want
  end
  if not good then
    fail { check = "output", what = what, expected = fmt(want), got = fmt(text),
      message = string.format("%s: expected %s, got %s", what, fmt(want), fmt(text)) }
  end
end

--- expect.raises(fn, text, what): fn() raises an error containing text.
function expect.raises(fn, text, what)
  what = what or "call"
  local ok, err = pcall(fn)
  if ok then
    fail { check = "raises", what = what, expected = "an error",
      got = "no error", message = what .. " should raise an error but did not" }
  end
  if expect.is_failure(err) then error(err, 0) end
  if text and not tostring(err):find(text, 1, true) then
    fail { check = "raises", what = what, expected = fmt(text), got = fmt(tostring(err)),
      message = string.format("%s raised %s, expected a message containing %s",
        what, fmt(tostring(err)), fmt(text)) }
  end
end

return expect
