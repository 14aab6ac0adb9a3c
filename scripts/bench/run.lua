-- run.lua: the `make bench` driver.  Runs seqlab (scripts/bench/*.lua on
-- build/seqlab) and PyTorch (tests/bench/torch_bench.py on Debian's
-- python3-torch) side by side, one configuration after the other, takes
-- the median of each process's repetitions, prints a table of times and
-- ratios, and writes it with the machine's description to
-- docs/benchmarks.md (followed by scripts/bench/notes.md, the hand-written
-- analysis).
--
--   build/seqlab run scripts/bench/run.lua [--quick] [--reps N] [--rounds R]
--       [--out FILE] [--only dinosaur|h256|h512|sample|startup]
--       [--against OTHER_SEQLAB]
--
-- --against compares with another seqlab binary instead of PyTorch (an
-- engine change against the build before it: the same scripts, the other
-- binary's engine and embedded Lua library); it writes no target table
-- and, without --out, no file.
--
-- Each measurement runs R rounds (default 2) of one seqlab and one
-- PyTorch process each, back to back, with N repetitions (default 5) per
-- process; the median is over all R*N repetitions.
--
-- Environment: SEQLAB (the binary; default: the one running this), PYTHON (default
-- /usr/bin/python3, Debian's python3-torch lives there).
--
-- Threads.  seqlab: `seqlab run --threads N` (seq.set_num_threads).
-- PyTorch: torch.set_num_threads(N), but Debian's torch calls its BLAS
-- (the same OpenBLAS as seqlab) without telling it the thread count, so
-- OpenBLAS would still use every core; both sides therefore also run with
-- OPENBLAS_NUM_THREADS=N and OMP_NUM_THREADS=N.  On two cores PyTorch is
-- tried three ways (torch.set_num_threads(2); the same after
-- torch.set_num_interop_threads(1); PyTorch out of the box, with no
-- environment variables and no thread calls) and the fastest counts.
local B = dofile((arg[0]:match("^(.*/)") or "./") .. "common.lua")

local argv, QUICK = {}, false
for _, a in ipairs({ ... }) do
  if a == "--quick" then QUICK = true else argv[#argv + 1] = a end
end
local o = B.args(argv, { reps = 5, rounds = 2, out = "", only = "all", against = "" })
-- the report goes to docs/benchmarks.md, except for a comparison of two
-- builds (printed only, unless --out names a file)
if o.out == "" then o.out = o.against == "" and "docs/benchmarks.md" or "-" end
if QUICK then o.reps, o.rounds = math.min(o.reps, 3), 1 end

-- the program is the lowest index of `arg` (arg[-1] is "run")
local function program()
  local i = -1
  while arg[i - 1] do i = i - 1 end
  return arg[i] ~= "run" and arg[i] or nil
end
local SEQLAB = os.getenv("SEQLAB") or program() or "build/seqlab"
local PYTHON = os.getenv("PYTHON") or "/usr/bin/python3"
local HERE = arg[0]:match("^(.*/)") or "./"
local TORCH_SCRIPT = "tests/bench/torch_bench.py"

-- ---- running processes ----------------------------------------------------

local function sh_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs a command; returns its stdout (stderr goes to the terminal) and
-- whether it exited with status 0.
local function run(cmd)
  local f = assert(io.popen(cmd))
  local out = f:read("a")
  local ok = f:close()
  return out, ok
end

local function first_line(cmd)
  local out = run(cmd .. " 2>/dev/null")
  return (out:match("^[^\n]*") or ""):gsub("%s+$", "")
end

-- Parses the "rep <ms>" / "rss_kb <n>" protocol of common.lua.
local function parse(out)
  local reps = {}
  for v in out:gmatch("rep ([%d%.e%-]+)") do reps[#reps + 1] = tonumber(v) end
  return { reps = reps, median = B.median(reps), rss = tonumber(out:match("rss_kb (%d+)")) or 0 }
end

-- Pools the repetitions of several runs of one measurement (the peak RSS
-- is the largest).
local function pool(a, b)
  if not a then return b end
  for _, v in ipairs(b.reps) do a.reps[#a.reps + 1] = v end
  a.median = B.median(a.reps)
  a.rss = math.max(a.rss, b.rss)
  return a
end

local function env_threads(n)
  return ("OPENBLAS_NUM_THREADS=%d OMP_NUM_THREADS=%d "):format(n, n)
end

local function opts_string(t)
  local keys, parts = {}, {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do parts[#parts + 1] = ("--%s %s"):format(k, sh_quote(t[k])) end
  return table.concat(parts, " ")
end

local function seqlab_run(script, threads, args, binary)
  local cmd = ("%s%s run --threads %d %s %s"):format(env_threads(threads), binary or SEQLAB,
    threads, HERE .. script, opts_string(args))
  local out, ok = run(cmd)
  if not ok then error("benchmark failed: " .. cmd, 0) end
  return parse(out)
end

-- variant: "1" (one thread), "2" (set_num_threads(2)), "2i" (also
-- set_num_interop_threads(1)), "def" (PyTorch's defaults on two cores).
local function torch_run(what, variant, args)
  local a = {}
  for k, v in pairs(args) do a[k] = v end
  local threads = variant == "1" and 1 or 2
  if variant == "1" or variant == "2" or variant == "2i" then a.threads = threads end
  if variant == "2i" then a.interop = 1 end
  -- PyTorch as it starts on this machine: no environment, no thread calls
  -- (on Debian's build: one intra-op thread, OpenBLAS on every core)
  if variant == "def" then a.threads = 0 end
  local env = variant == "def" and "" or env_threads(threads)
  local cmd = ("%s%s %s %s %s"):format(env, PYTHON, TORCH_SCRIPT, what, opts_string(a))
  local out, ok = run(cmd)
  if not ok then error("benchmark failed: " .. cmd, 0) end
  return parse(out)
end

local TORCH_2CORE = { { "2", "set_num_threads(2)" }, { "2i", "set_num_threads(2), interop 1" },
                      { "def", "out of the box" } }

-- ---- the machine ------------------------------------------------------------

local function machine()
  local m = {}
  local f = io.open("/proc/cpuinfo")
  local info = f and f:read("a") or ""
  if f then f:close() end
  m.cpu = info:match("model name%s*:%s*([^\n]+)") or "unknown"
  local n = 0
  for _ in info:gmatch("\nprocessor%s*:") do n = n + 1 end
  if info:match("^processor") then n = n + 1 end
  m.cores = n
  m.flags = {}
  local flags = info:match("\nflags%s*:%s*([^\n]+)") or ""
  for _, fl in ipairs({ "avx2", "fma", "avx512f" }) do
    if flags:find("%f[%w]" .. fl .. "%f[^%w_]") then m.flags[#m.flags + 1] = fl end
  end
  local ver = run(SEQLAB .. " version 2>/dev/null")
  m.seqlab = ver:match("^([^\n]*)") or "?"
  m.blas = ver:match("blas: ([^\n]*)") or "?"
  local fm = io.open("/proc/meminfo")
  if fm then
    local kb = tonumber(fm:read("a"):match("MemTotal:%s*(%d+)"))
    fm:close()
    if kb then m.mem = ("%.1f GiB"):format(kb / 2 ^ 20) end
  end
  m.kernel = first_line("uname -sr")
  m.torch = first_line(PYTHON .. " -c 'import torch; print(torch.__version__)'")
  if m.torch == "" then m.torch = nil end
  m.date = first_line("date -u '+%Y-%m-%d %H:%M UTC'")
  return m
end

-- ---- the benchmarks ---------------------------------------------------------

local SIZES = {
  { key = "dinosaur", vocab = 27, hidden = 50, seq = 25, batch = 1 },
  { key = "h256", vocab = 65, hidden = 256, seq = 100, batch = 32 },
  { key = "h512", vocab = 65, hidden = 512, seq = 100, batch = 64 },
}
local CELLS = { "LSTM", "GRU", "RNN" }

local M = machine()
local AGAINST = o.against ~= "" and o.against or nil
local HAVE_TORCH = M.torch ~= nil and not AGAINST
local OTHER = AGAINST and "baseline" or "PyTorch"
local function want(k) return o.only == "all" or o.only == k end

io.write(("seqlab bench: %s, %d cores; %s\n"):format(M.cpu, M.cores, M.blas))
if AGAINST then
  io.write(("against the baseline %s (no PyTorch)\n"):format(AGAINST))
elseif HAVE_TORCH then
  io.write(("PyTorch %s (%s)\n"):format(M.torch, PYTHON))
else
  io.write(("PyTorch not found: %s cannot import torch (install Debian's python3-torch);"
    .. " running seqlab alone\n"):format(PYTHON))
end
io.write(("%d rounds x %d repetitions per measurement after warm-up, medians%s\n\n"):format(
  o.rounds, o.reps, QUICK and " (quick mode)" or ""))
io.stdout:flush()

-- one result row: s1, s2 = seqlab 1/2 threads, t1 = torch 1 thread,
-- t2 = torch's best 2-core setting (t2v its name)
local rows = {}

-- The PyTorch two-core variants measured so far for one row, pooled.
local function torch_2core(acc, what, args)
  for _, v in ipairs(TORCH_2CORE) do
    acc[v[1]] = pool(acc[v[1]], torch_run(what, v[1], args))
  end
end

-- The fastest of them, its name and a summary of all.
local function torch_best(acc)
  local best, name, all = nil, nil, {}
  for _, v in ipairs(TORCH_2CORE) do
    local r = acc[v[1]]
    if r then
      all[#all + 1] = ("%s %.3f"):format(v[2], r.median)
      if not best or r.median < best.median then best, name = r, v[2] end
    end
  end
  return best, name, table.concat(all, "; ")
end

local function fmt_ms(v)
  if not v then return "-" end
  if v >= 100 then return ("%.0f"):format(v) end
  if v >= 10 then return ("%.1f"):format(v) end
  if v >= 1 then return ("%.2f"):format(v) end
  return ("%.3f"):format(v)
end
local function ratio(t, s)
  if not t or not s or s <= 0 then return nil end
  return t / s
end
local function fmt_ratio(r) return r and ("%.2fx"):format(r) or "-" end
local function fmt_mb(kb) return kb and kb > 0 and ("%.0f"):format(kb / 1024) or "-" end

local function progress(row)
  io.write(("%-26s seqlab %8s / %8s ms   %s %8s / %8s ms   ratio %7s / %7s\n"):format(
    row.label, fmt_ms(row.s1 and row.s1.median), fmt_ms(row.s2 and row.s2.median), OTHER,
    fmt_ms(row.t1 and row.t1.median), fmt_ms(row.t2 and row.t2.median),
    fmt_ratio(row.r1), fmt_ratio(row.r2)))
  io.stdout:flush()
end

local function finish_row(row)
  row.r1 = ratio(row.t1 and row.t1.median, row.s1.median)
  row.r2 = ratio(row.t2 and row.t2.median, row.s2.median)
  -- memory: the one-thread processes of both sides
  row.mem = ratio(row.t1 and row.t1.rss, row.s1.rss)
  rows[#rows + 1] = row
  progress(row)
end

local reps_for = function(size)
  -- the largest size takes about a second per step on one thread
  if QUICK and size.key == "h512" then return 2 end
  return o.reps
end

-- One row: R rounds of seqlab and PyTorch on one and on two cores.
local function measure(row, script, what, args)
  local acc = {}
  for _ = 1, o.rounds do
    local a1, a2 = {}, {}
    for k, v in pairs(args) do a1[k], a2[k] = v, v end
    a1.threads, a2.threads = 1, 2
    row.s1 = pool(row.s1, seqlab_run(script, 1, a1))
    if HAVE_TORCH then row.t1 = pool(row.t1, torch_run(what, "1", args)) end
    if AGAINST then row.t1 = pool(row.t1, seqlab_run(script, 1, a1, AGAINST)) end
    row.s2 = pool(row.s2, seqlab_run(script, 2, a2))
    if HAVE_TORCH then torch_2core(acc, what, args) end
    if AGAINST then row.t2, row.t2v = pool(row.t2, seqlab_run(script, 2, a2, AGAINST)), "2 threads" end
  end
  if HAVE_TORCH then row.t2, row.t2v, row.t2all = torch_best(acc) end
  finish_row(row)
end

for _, size in ipairs(SIZES) do
  if want(size.key) then
    for _, cell in ipairs(CELLS) do
      local args = { cell = cell, vocab = size.vocab, hidden = size.hidden, seq = size.seq,
                     batch = size.batch, reps = reps_for(size),
                     warmup = size.key == "dinosaur" and 20 or 2 }
      measure({ kind = "charlm", size = size, cell = cell,
                label = ("%s %s (%d,%d,%d,%d)"):format(cell, size.key, size.vocab, size.hidden,
                  size.seq, size.batch) }, "charlm_step.lua", "charlm", args)
    end
  end
end

if want("sample") then
  measure({ kind = "sample", label = "LSTM sampling (65,256), per char" }, "sample.lua", "sample",
    { vocab = 65, hidden = 256, reps = o.reps, warmup = 50 })
end

-- Start-up: wall time of `seqlab run empty.lua` and `python3 -c 'import
-- torch'`, each minus the time of `true` measured the same way (the
-- date(1) calls around each command).
local startup
if want("startup") then
  local n = QUICK and 5 or 15
  local function times(cmd)
    local script = ("for i in $(seq %d); do a=$(date +%%s%%N); %s >/dev/null 2>&1; "
      .. "b=$(date +%%s%%N); echo $((b - a)); done"):format(n, cmd)
    local out = run("sh -c " .. sh_quote(script))
    local t = {}
    for v in out:gmatch("%d+") do t[#t + 1] = tonumber(v) * 1e-6 end
    return B.median(t)
  end
  local base = times("true")
  startup = { seqlab = times(SEQLAB .. " run " .. HERE .. "empty.lua") - base }
  if HAVE_TORCH then startup.torch = times(PYTHON .. " -c 'import torch'") - base end
  if AGAINST then startup.torch = times(AGAINST .. " run " .. HERE .. "empty.lua") - base end
  -- the resident size of an idle process: seqlab with its modules loaded,
  -- python with torch imported
  local rs = run(SEQLAB .. " run " .. HERE .. "idle.lua")
  startup.seqlab_rss = tonumber(rs:match("rss_kb (%d+)"))
  if HAVE_TORCH then
    local rt = run(PYTHON .. " " .. TORCH_SCRIPT .. " import")
    startup.torch_rss = tonumber(rt:match("rss_kb (%d+)"))
  elseif AGAINST then
    local rt = run(AGAINST .. " run " .. HERE .. "idle.lua")
    startup.torch_rss = tonumber(rt:match("rss_kb (%d+)"))
  end
  io.write(("%-26s seqlab %8s ms   %s %8s ms   ratio %7s\n"):format("start-up",
    fmt_ms(startup.seqlab), OTHER, fmt_ms(startup.torch), fmt_ratio(ratio(startup.torch, startup.seqlab))))
end

-- ---- the targets -------------------------------------------------------------

-- One target over the rows `filter` picks and one ratio field: "met",
-- "missed", or how many rows meet it, with the range of the ratio.
local function verdict(filter, field, need)
  local lo, hi, n, ok = nil, nil, 0, 0
  for _, r in ipairs(rows) do
    local v = filter(r) and r[field]
    if v then
      lo, hi = math.min(lo or v, v), math.max(hi or v, v)
      n = n + 1
      if v >= need then ok = ok + 1 end
    end
  end
  if n == 0 then return "" end
  local range = lo == hi and ("%.2fx"):format(lo) or ("%.2f-%.2fx"):format(lo, hi)
  local word = ok == n and "met" or ok == 0 and "missed" or ("met in %d of %d"):format(ok, n)
  return range .. ": " .. word
end

local targets = {}
local function target(name, filter, need, field2)
  targets[#targets + 1] = { name = name, v1 = verdict(filter, field2 or "r1", need),
                            v2 = field2 and "" or verdict(filter, "r2", need) }
end
if HAVE_TORCH then
  local dino = function(r) return r.kind == "charlm" and r.size.key == "dinosaur" end
  local big = function(r) return r.kind == "charlm" and r.size.key ~= "dinosaur" end
  local samp = function(r) return r.kind == "sample" end
  local any = function(r) return true end
  target("char-LM step, dinosaur size: >= 10x", dino, 10)
  target("char-LM step, hidden 256 and 512: >= 1.3x", big, 1.3)
  target("greedy sampling, hidden 256: >= 3x", samp, 3)
  target("peak RSS: <= 1/4 of PyTorch's (memory ratio >= 4)", any, 4, "mem")
end

-- ---- the report ----------------------------------------------------------------

local L = {}
local function w(fmt, ...) L[#L + 1] = select("#", ...) > 0 and fmt:format(...) or fmt end

w(AGAINST and "# Benchmarks: seqlab against a baseline build"
  or "# Benchmarks: seqlab against PyTorch on CPU")
w("")
w("Written by `make bench` (scripts/bench/run.lua) on %s; every run overwrites", M.date)
w("this file. The analysis after the tables is scripts/bench/notes.md.")
w("")
w("## Machine")
w("")
w("| | |")
w("| --- | --- |")
w("| CPU | %s, %d cores (%s) |", M.cpu, M.cores, table.concat(M.flags, ", "))
if M.mem then w("| memory | %s |", M.mem) end
w("| kernel | %s |", M.kernel)
w("| seqlab | %s, built with `-O2` |", M.seqlab)
w("| BLAS (`seqlab version`) | %s |", M.blas)
if AGAINST then
  w("| baseline | %s |", AGAINST)
else
  w("| PyTorch | %s |", HAVE_TORCH and (M.torch .. " (Debian python3-torch, CPU, same OpenBLAS)")
    or "not installed: seqlab alone")
end
w("")
w("## Method")
w("")
w("- Each cell is the **median of %d repetitions**: %d rounds, each running one", o.reps * o.rounds, o.rounds)
w("  seqlab and one PyTorch process per setting back to back, %d repetitions per", o.reps)
w("  process after warm-up. A repetition runs the unit (a training step, a")
w("  sampled character) enough times to last about 0.25 s. Both sides see the")
w("  same machine state; the machine is a shared 2-core VM and single numbers")
w("  move by several per cent between runs, so read the ratios.")
w("- **Char-LM training step**: `nn.Embedding(V, H) -> nn.LSTM/GRU/RNN(H, H) ->")
w("  nn.Linear(H, V)`, cross-entropy over all T*N positions, `backward`, `Adam`")
w("  step, on a fixed batch of T x N tokens (scripts/bench/charlm_step.lua and")
w("  `charlm` in tests/bench/torch_bench.py; sizes are (V, H, T, N)).")
w("- **Sampling**: greedy decoding one character at a time with the LSTM state")
w("  carried, batch 1, no gradients (scripts/bench/sample.lua, `sample`).")
w("- **Threads**: seqlab `seqlab run --threads N`; PyTorch `torch.set_num_threads(N)`.")
w("  Debian's torch does not pass its thread count to OpenBLAS, which would")
w("  otherwise use both cores at \"1 thread\", so both sides also get")
w("  `OPENBLAS_NUM_THREADS=N OMP_NUM_THREADS=N`. The two-core PyTorch column is")
w("  the best of `set_num_threads(2)`, `set_num_interop_threads(1)` +")
w("  `set_num_threads(2)` (both with the variables at 2) and PyTorch out of the")
w("  box (no variables, no calls: one intra-op thread, OpenBLAS on both cores).")
w("- **Ratio** = %s time / seqlab time (above 1: seqlab is faster).", OTHER)
w("- **Peak RSS** = `VmHWM` from /proc/self/status at the end of the one-thread")
w("  process of each side.")
w("")
w("## Results")
w("")
w("Times in milliseconds (per step, or per character for sampling).")
w("")
w("| benchmark | seqlab 1T | %s 1T | ratio 1T | seqlab 2T | %s 2T | ratio 2T | peak RSS seqlab / %s (MB) | memory ratio |",
  OTHER, AGAINST and OTHER or "PyTorch best", OTHER)
w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for _, r in ipairs(rows) do
  w("| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |", r.label, fmt_ms(r.s1.median),
    fmt_ms(r.t1 and r.t1.median), fmt_ratio(r.r1), fmt_ms(r.s2.median),
    r.t2 and (fmt_ms(r.t2.median) .. " (" .. r.t2v .. ")") or "-", fmt_ratio(r.r2),
    fmt_mb(r.s1.rss), fmt_mb(r.t1 and r.t1.rss), fmt_ratio(r.mem))
end
if startup then
  w("")
  w("Start-up: `seqlab run` of an empty script **%s ms**, %s **%s ms**"
    .. " (ratio %s; medians of wall time minus that of `true`). An idle process: seqlab %s MB,"
    .. " %s %s MB.", fmt_ms(startup.seqlab),
    AGAINST and "the baseline's" or "`python3 -c 'import torch'`", fmt_ms(startup.torch),
    fmt_ratio(ratio(startup.torch, startup.seqlab)), fmt_mb(startup.seqlab_rss),
    AGAINST and "the baseline" or "python with torch imported", fmt_mb(startup.torch_rss))
end
if #targets > 0 then
  w("")
  w("## Targets (issue \"Week 1 — RNNs\")")
  w("")
  w("The range of the ratio over the rows each target covers, and how many")
  w("of them meet it (two threads: against PyTorch's best two-core setting).")
  w("")
  w("| target | 1 thread | 2 threads |")
  w("| --- | --- | --- |")
  for _, t in ipairs(targets) do w("| %s | %s | %s |", t.name, t.v1, t.v2) end
end
if HAVE_TORCH and #rows > 0 then
  w("")
  w("<details><summary>PyTorch's two-core settings, every row (median ms)</summary>")
  w("")
  for _, r in ipairs(rows) do
    if r.t2all then w("- %s: %s", r.label, r.t2all) end
  end
  w("")
  w("</details>")
end
w("")

-- the measured tables on the terminal (not the notes' tables)
io.write("\n")
for _, line in ipairs(L) do
  if line:match("^|") then io.write(line, "\n") end
end

local notes = not AGAINST and io.open(HERE .. "notes.md")
if notes then
  w(notes:read("a"))
  notes:close()
end

local report = table.concat(L, "\n")
if o.out ~= "" and o.out ~= "-" then
  local f = assert(io.open(o.out, "w"))
  f:write(report)
  f:close()
  io.write(("\nwrote %s\n"):format(o.out))
end
