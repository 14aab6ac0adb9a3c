-- common.lua: shared helpers for the seqlab benchmark scripts
-- (scripts/bench/*.lua): a wall clock, option parsing, the peak RSS of
-- this process, the timing loop and the one output format the driver
-- (scripts/bench/run.lua) and tests/bench/torch_bench.py share:
--
--   rep <ms>        one line per repetition: milliseconds per unit
--                   (training step, sampled character)
--   rss_kb <n>      peak resident set size of the process (VmHWM)
--
-- seqlab has no wall clock in Lua (os.clock is CPU time, summed over the
-- BLAS threads), so now() asks date(1) for CLOCK_REALTIME in nanoseconds.
-- One call costs about 1.5 ms; the timing loop measures that cost and
-- subtracts it, and every timed block runs long enough (--min-time,
-- 0.25 s by default) for the remaining error to stay below 0.1 %.
local M = {}

--- M.now(): seconds (wall clock) as a float, about 1 microsecond resolution.
function M.now()
  local f = assert(io.popen("date +%s.%N"))
  local s = f:read("l")
  f:close()
  local sec, ns = s:match("^(%d+)%.(%d+)$")
  -- subtract a fixed epoch so the double keeps nanoseconds
  return (tonumber(sec) - 1.7e9) + tonumber(ns) * 1e-9
end

--- M.args(argv, defaults): "--key value" pairs into a table; numbers
--- become numbers; unknown keys are an error.
function M.args(argv, defaults)
  local o = {}
  for k, v in pairs(defaults) do o[k] = v end
  local i = 1
  while i <= #argv do
    local k = argv[i]:match("^%-%-([%w_]+)$")
    if not k or o[k] == nil then error("unknown option " .. tostring(argv[i]), 0) end
    local v = argv[i + 1]
    if v == nil then error("option --" .. k .. " needs a value", 0) end
    o[k] = tonumber(v) or v
    i = i + 2
  end
  return o
end

--- M.peak_rss_kb(): VmHWM of this process from /proc/self/status (kB).
function M.peak_rss_kb()
  local f = io.open("/proc/self/status")
  if not f then return 0 end
  local s = f:read("a")
  f:close()
  return tonumber(s:match("VmHWM:%s*(%d+)")) or 0
end

--- M.median(list): the median of a list of numbers.
function M.median(t)
  local s = {}
  for i, v in ipairs(t) do s[i] = v end
  table.sort(s)
  local n = #s
  if n == 0 then return 0 / 0 end
  if n % 2 == 1 then return s[(n + 1) // 2] end
  return (s[n // 2] + s[n // 2 + 1]) / 2
end

--- M.bench(fn, opts): runs fn() (one unit of work) opts.warmup times,
--- picks the number of calls per block so that a block lasts about
--- opts.min_time seconds, then times opts.reps blocks; prints
--- "rep <ms per call>" per block and returns the list.
function M.bench(fn, opts)
  local overhead = {}
  for i = 1, 3 do
    local a = M.now()
    overhead[i] = M.now() - a
  end
  local clock_cost = M.median(overhead)
  -- warm-up (caches, page faults, OpenBLAS's thread start, the
  -- allocator's free lists), then the number of calls per block: doubled
  -- until a block takes a tenth of min_time, then scaled up to min_time
  for _ = 1, opts.warmup do fn() end
  local calls = 1
  while true do
    local a = M.now()
    for _ = 1, calls do fn() end
    local dt = M.now() - a - clock_cost
    if dt >= opts.min_time / 10 then
      calls = math.max(1, math.ceil(calls * opts.min_time / dt))
      break
    end
    calls = calls * 2
  end
  local reps = {}
  for r = 1, opts.reps do
    local a = M.now()
    for _ = 1, calls do fn() end
    local dt = M.now() - a - clock_cost
    reps[r] = dt / calls * 1e3
    io.write(("rep %.6f\n"):format(reps[r]))
    io.stdout:flush()
  end
  io.write(("calls %d\n"):format(calls))
  return reps
end

--- M.finish(): prints the peak RSS line; call at the end of a benchmark.
function M.finish()
  io.write(("rss_kb %d\n"):format(M.peak_rss_kb()))
end

return M
