-- seqlab.args: command-line options for scripts run with `seqlab run`.
--
--   local args = require "seqlab.args"
--   local opt, fail = args.parse(arg, {
--     script = "w1_dinosaurs.lua",
--     defaults = { iterations = 22001, lr = 0.01, quick = false, help = false },
--     quick = { iterations = 2500 },        -- applied by --quick
--     usage = "usage: seqlab run scripts/w1_dinosaurs.lua [--quick] ...",
--   })
--
-- Reads "--name value", "--name=value" and "--flag" (for boolean
-- defaults).  Values keep the type of their default: numbers stay numbers.
-- --help prints the usage and exits 0; a mistake prints one line to stderr
-- and exits 64, as seqlab does for its own options.  `fail(msg)` does the
-- same for checks the script makes afterwards.
local M = {}

--- args.parse(argv, spec) -> options, fail
function M.parse(argv, spec)
  local function fail(msg)
    io.stderr:write(spec.script or "script", ": ", msg, "\n")
    os.exit(64)
  end
  local defaults = spec.defaults or {}
  local given, i = {}, 1
  argv = argv or {}
  while i <= #argv do
    local a = argv[i]
    local key, val = a:match("^%-%-([%w%-_]+)=(.*)$")
    if not key then key = a:match("^%-%-([%w%-_]+)$") end
    if not key or defaults[key] == nil then
      fail("unknown argument '" .. a .. "' (try --help)")
    end
    if type(defaults[key]) == "boolean" then
      given[key] = true
    else
      if val == nil then
        i = i + 1
        val = argv[i]
        if val == nil then fail("--" .. key .. " needs a value") end
      end
      if type(defaults[key]) == "number" then
        val = tonumber(val) or fail("--" .. key .. " expects a number, got '" .. val .. "'")
      end
      given[key] = val
    end
    i = i + 1
  end
  if given.help then
    print(spec.usage or ("usage: seqlab run " .. (spec.script or "script")))
    os.exit(0)
  end
  local o = {}
  for k, v in pairs(defaults) do o[k] = v end
  if given.quick and spec.quick then
    for k, v in pairs(spec.quick) do o[k] = v end
  end
  for k, v in pairs(given) do o[k] = v end
  return o, fail
end

return M
