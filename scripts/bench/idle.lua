-- idle.lua: prints the peak RSS of a seqlab process that has loaded its
-- modules and done nothing else (scripts/bench/run.lua).
dofile((arg[0]:match("^(.*/)") or "./") .. "common.lua").finish()
