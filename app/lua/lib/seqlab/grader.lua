-- seqlab.grader: runs one exercise's tests inside a sandboxed state and
-- returns a plain table of results for app/grade/grade.c to read.
--
-- The C side passes the learner's file, the test file, the lesson folder
-- and three trusted helpers: a traceback function (the sandbox has no debug
-- library) and begin/end functions for capturing printed output.  Errors
-- that mean a limit was reached (time, memory, interrupt) are re-raised so
-- the whole check stops with that status.
local expect = require "expect"

local R = {}

local function is_limit(msg)
  msg = tostring(msg)
  return msg:find("time limit exceeded", 1, true)
      or msg:find("memory limit exceeded", 1, true)
      or msg:find("not enough memory", 1, true)
      or msg:find(": out of memory", 1, true) -- a tensor over the cap
      or msg == "interrupted" or msg:find(": interrupted$")
end

-- Keeps the message and the traceback lines that point into `file`.
local function trim_traceback(tb, file)
  local keep = {}
  for line in tb:gmatch("[^\n]+") do
    if line:find(file, 1, true) and not line:find("^stack traceback") then
      keep[#keep + 1] = "  " .. line:gsub("^%s+", "")
    end
  end
  return table.concat(keep, "\n")
end

local function short(path)
  return path:match("[^/]+$") or path
end

function R.run(args)
  local result = { status = "pass", tests = {}, score = 0, max_score = 0, output = "" }
  local learner = args.learner

  -- 1. the learner's module
  args.capture_begin()
  local chunk, lerr = loadfile(learner, "t")
  if not chunk then
    args.capture_end()
    result.status = "error"
    result.message = "syntax error: " .. tostring(lerr)
    return result
  end
  local handler = function(e)
    if expect.is_failure(e) or is_limit(e) then return e end
    return { runtime = tostring(e), traceback = args.traceback("", 2) }
  end
  local ok, M = xpcall(chunk, handler)
  result.output = args.capture_end()
  if not ok then
    if is_limit(M) then error(M, 0) end
    result.status = "error"
    result.message = "error while loading " .. short(learner) .. ": " ..
        (type(M) == "table" and (M.runtime or M.message) or tostring(M))
    return result
  end
  if type(M) ~= "table" then
    result.status = "error"
    result.message = short(learner) .. " must return a table of functions " ..
        "(is `return M` missing at the end?), but it returned " .. type(M)
    return result
  end

  -- 2. the tests (a broken test file is the course's bug, reported as such)
  local spec_chunk, terr = loadfile(args.tests, "t")
  if not spec_chunk then
    result.status = "error"
    result.message = "the exercise's test file does not load: " .. tostring(terr)
    return result
  end
  local spec = spec_chunk()
  for _, name in ipairs(spec.functions or {}) do
    if type(M[name]) ~= "function" then
      result.status = "error"
      result.message = string.format(
        "%s does not define %s (expected `function M.%s(...)` and `return M` at the end)",
        short(learner), name, name)
      return result
    end
  end

  local cache = {}
  _G.test_data = function(name)
    if cache[name] == nil then
      local f, err = loadfile(args.dir .. "/tests/" .. name, "t")
      if not f then error("test_data: " .. tostring(err), 2) end
      cache[name] = f()
    end
    return cache[name]
  end
  _G.expect = expect

  -- 3. run them in file order
  local status_of = {}
  local nhidden, hidden_i = 0, 0
  for _, t in ipairs(spec.tests) do
    if t.visibility == "hidden" then nhidden = nhidden + 1 end
  end
  for i, t in ipairs(spec.tests) do
    local rec = {
      name = t.name or ("test " .. i),
      max_points = t.points or 1,
      points = 0,
      hidden = t.visibility == "hidden",
    }
    if rec.hidden then hidden_i = hidden_i + 1 end
    result.max_score = result.max_score + rec.max_points
    if t.after and status_of[t.after] ~= "pass" then
      rec.status = "not_run"
      rec.message = "not run: needs '" .. t.after .. "' to pass first"
    else
      np.random.seed(0)
      seq.manual_seed(0)
      args.capture_begin()
      local tok, err = xpcall(t.run, handler, M)
      rec.output = args.capture_end()
      if tok then
        rec.status = "pass"
        rec.points = rec.max_points
      elseif is_limit(err) then
        error(err, 0)
      elseif expect.is_failure(err) then
        rec.status = "fail"
        rec.message, rec.check = err.message, err.check
        rec.expected, rec.got = err.expected, err.got
        rec.index, rec.max_diff = err.index, err.max_diff
      else
        rec.status = "error"
        local tb = type(err) == "table" and err.traceback or ""
        local where = trim_traceback(tb, learner)
        rec.message = (type(err) == "table" and err.runtime or tostring(err)) ..
            (where ~= "" and ("\n" .. where) or "")
      end
      if rec.hidden and rec.status ~= "pass" then
        -- a hidden test never shows its inputs or expected values
        rec.message = string.format("hidden test %d of %d %s (%g %s)", hidden_i,
          nhidden, rec.status == "error" and "raised an error" or "failed",
          rec.max_points, rec.max_points == 1 and "point" or "points")
        rec.check, rec.expected, rec.got, rec.index, rec.max_diff = nil, nil, nil, nil, nil
        rec.output = nil
      end
    end
    status_of[rec.name] = rec.status
    result.score = result.score + rec.points
    result.tests[#result.tests + 1] = rec
    if rec.status ~= "pass" then result.status = "fail" end
  end
  return result
end

return R
