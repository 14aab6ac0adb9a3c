-- test_viz.lua — the viz module from Lua: each plot kind from tables and
-- tensors, the viz.Plot object, the plot list, the output override, and
-- errors for bad arguments (raised as Lua errors, never a crash).
-- Run with `seqlab run tests/lua/test_viz.lua`; prints TAP.

local viz = viz or require("viz")
local seq = seq or require("seq")

local n, failed = 0, 0
local function test(name, fn)
  n = n + 1
  local ok, err = pcall(fn)
  if ok then
    print(("ok %d - %s"):format(n, name))
  else
    failed = failed + 1
    print(("not ok %d - %s"):format(n, name))
    print("# " .. tostring(err):gsub("\n", "\n# "))
  end
end

local function eq(got, want, what)
  if got ~= want then
    error(("%s: expected %s, got %s"):format(what or "value",
      tostring(want), tostring(got)), 2)
  end
end

local function has(text, part, what)
  if not text:find(part, 1, true) then
    error(("%s: %q not found in:\n%s"):format(what or "text", part, text), 2)
  end
end

local function lacks(text, part, what)
  if text:find(part, 1, true) then
    error(("%s: %q should not be in:\n%s"):format(what or "text", part, text),
      2)
  end
end

-- pcall(f, ...) must fail with a message containing `part`.
local function fails(part, f, ...)
  local ok, err = pcall(f, ...)
  if ok then error("expected an error containing " .. part, 2) end
  if not tostring(err):find(part, 1, true) then
    error(("expected an error containing %q, got %q"):format(part,
      tostring(err)), 2)
  end
end

local function lines(text)
  local t = {}
  for l in text:gmatch("([^\n]*)\n") do t[#t + 1] = l end
  return t
end

local quiet = {show = false}
local function q(t)
  t = t or {}
  t.show = false
  return t
end

viz.output("ascii") -- plots printed by this suite stay plain text
viz.clear()

test("the module has the plotting functions", function()
  for _, f in ipairs {"line", "heatmap", "hist", "bar", "table", "plots",
                      "clear", "output"} do
    eq(type(viz[f]), "function", "viz." .. f)
  end
end)

-- ---- line -----------------------------------------------------------------

test("line from an array returns a viz.Plot", function()
  local p = viz.line({1, 2, 3, 2, 1}, q {title = "tri", width = 30,
                                        height = 8})
  eq(p:kind(), "line")
  eq(p:title(), "tri")
  local w, h = p:size()
  eq(w, 30, "width")
  eq(h, 8, "height")
  eq(tostring(p), 'viz.Plot: line "tri" (30x8)')
end)

test("line without a title has title nil", function()
  eq(viz.line({1, 2}, quiet):title(), nil)
end)

test("line render gives h lines of plain text", function()
  local p = viz.line({3, 1, 2}, q {width = 40, height = 10})
  local text = p:render()
  eq(#lines(text), 10, "lines")
  lacks(text, "\27", "escape")
  local small = p:render(20, 6)
  eq(#lines(small), 6, "lines at 20x6")
  for _, l in ipairs(lines(small)) do
    assert(#l <= 20, "line wider than 20: " .. l)
  end
end)

test("named series are drawn in name order with a legend", function()
  local p = viz.line({val = {3, 2.5, 2.4}, train = {3, 2, 1}},
    q {width = 50, height = 12})
  has(p:render(), "* train  + val", "legend")
end)

test("a list of series is named by position", function()
  local p = viz.line({{1, 2, 3}, {3, 2, 1}}, q {width = 40, height = 10})
  has(p:render(), "* 1  + 2", "legend")
end)

test("line takes 1-D tensors", function()
  local t = seq.tensor({0.5, 0.25, 0.125, 0.0625})
  local p = viz.line({rnn = t, lstm = {1, 1, 1, 1}}, q {logy = true,
    width = 40, height = 10})
  local text = p:render()
  has(text, "rnn", "legend")
  has(text, "0.1", "log tick")
  viz.line(t, quiet)
end)

test("logy skips zeros and negatives, NaN leaves a gap", function()
  local p = viz.line({1, 0, -1, 0 / 0, 100}, q {logy = true, width = 30,
                                                height = 8})
  local text = p:render()
  has(text, "100", "top decade")
  lacks(text, "nan")
  lacks(text, "inf")
end)

test("opts.x gives the x values", function()
  local p = viz.line({1, 2, 3}, q {x = {100, 200, 300}, width = 40,
                                   height = 8, xlabel = "iteration"})
  local text = p:render()
  has(text, "200", "x tick")
  has(text, "iteration", "x label")
  fails("option 'x' has 2 values but the series has 3", viz.line,
    {1, 2, 3}, q {x = {1, 2}})
end)

test("render modes: ascii, unicode and ansi", function()
  local p = viz.line({1, 3, 2}, q {width = 30, height = 8})
  lacks(p:render(30, 8, "ascii"), "\27")
  local uni = p:render(30, 8, "unicode")
  lacks(uni, "\27")
  assert(uni:find("[\226][\160-\163]"), "braille expected in:\n" .. uni)
  has(p:render(30, 8, "ansi"), "\27[0;38;5;", "SGR")
  fails("bad argument #4", p.render, p, 30, 8, "colour")
  fails("bad argument #2", p.render, p, 0, 8)
end)

test("line errors name the problem", function()
  fails("viz.line: expected a table of numbers, a 1-D tensor or a table "
        .. "of named series, got an empty table", viz.line, {})
  fails("got a number", viz.line, 42)
  fails("series 'a': item 2 is a string, expected a number", viz.line,
    {a = {1, "x"}})
  fails("series names must be strings", viz.line, {[true] = {1}})
  fails("must be a 1-D tensor or a table of numbers, got a 2-D tensor",
    viz.line, {a = seq.zeros(2, 2)})
  fails("option 'width' must be an integer from 1 to 4096", viz.line,
    {1, 2}, {width = 0})
  fails("option 'title' must be a string, got a table", viz.line, {1},
    {title = {1}})
  fails("bad argument #2", viz.line, {1}, 5)
end)

-- ---- heatmap --------------------------------------------------------------

test("heatmap from a table of rows with labels", function()
  local p = viz.heatmap({{0.1, 0.9}, {0.6, 0.4}},
    q {xlabels = {"I", "am"}, ylabels = {"je", "suis"}, title = "attn",
       width = 30})
  eq(p:kind(), "heatmap")
  eq(p:title(), "attn")
  local text = p:render()
  has(text, "attn")
  has(text, "suis")
  has(text, "am")
  has(text, "0.1 [", "colour bar min")
  has(text, "] 0.9", "colour bar max")
end)

test("heatmap from a 2-D tensor, with a fixed scale", function()
  local p = viz.heatmap(seq.tensor({{0, 0.5}, {1, 0.25}}),
    q {min = 0, max = 1, width = 40})
  has(p:render(), "(fixed scale)")
  local hm = viz.heatmap(seq.zeros(40, 80), q {cells = "half", width = 60,
                                               palette = "grey"})
  eq(#lines(hm:render(60, 12, "ansi")), 12, "lines")
end)

test("heatmap errors name the problem", function()
  fails("viz.heatmap: expected a 2-D tensor or a table of rows, got a 3-D "
        .. "tensor", viz.heatmap, seq.zeros(2, 3, 4))
  fails("expected a 2-D tensor or a table of rows, got a 1-D tensor",
    viz.heatmap, seq.zeros(3))
  fails("got a table of numbers", viz.heatmap, {1, 2, 3})
  fails("got an empty table", viz.heatmap, {})
  fails("got a string", viz.heatmap, "matrix")
  fails("row 2 has 1 value, row 1 has 2", viz.heatmap, {{1, 2}, {3}})
  fails("row 2: item 1 is a boolean", viz.heatmap, {{1, 2}, {true, 3}})
  fails("3 xlabels for 2 columns", viz.heatmap, {{1, 2}},
    {xlabels = {"a", "b", "c"}})
  fails("ylabels: item 1 is a table", viz.heatmap, {{1, 2}},
    {ylabels = {{1}}})
  fails("option 'palette' cannot be 'jet'", viz.heatmap, {{1}},
    {palette = "jet"})
  fails("the scale needs min < max", viz.heatmap, {{1}}, {min = 2, max = 1})
  fails("the matrix is empty (1 x 0)", viz.heatmap, seq.zeros(1, 0))
end)

-- ---- hist and bar ---------------------------------------------------------

test("hist counts values into bins", function()
  local data = {}
  for i = 0, 99 do data[#data + 1] = i end
  local p = viz.hist(data, q {bins = 4, title = "uniform", width = 40})
  eq(p:kind(), "hist")
  local text = p:render()
  has(text, "uniform")
  has(text, "[ 0.00, 24.75)", "first bin")
  has(text, " 25\n", "count")
  local h = viz.hist(seq.randn(10, 10), q {range = {-1, 1}})
  has(h:render(), "skipped", "values outside the range")
  fails("option 'range' must be {lo, hi}", viz.hist, {1}, {range = {2, 1}})
  fails("option 'bins' must be an integer from 1 to 1000", viz.hist, {1},
    {bins = 0})
  fails("the data: item 2 is a string", viz.hist, {1, "2"})
end)

test("bar takes labels and values, values alone, or a map", function()
  local p = viz.bar({"up", "down"}, {2, -1}, q {width = 20})
  eq(p:kind(), "bar")
  local text = p:render(20, 2)
  has(text, "up       |#######  2", "positive bar")
  has(text, "down ####|        -1", "negative bar")
  has(viz.bar({5, 6}, quiet):render(20, 2), "1 |")
  has(viz.bar(seq.tensor({1, 2}), quiet):render(20, 2), "2 |")
  local m = viz.bar({zeta = 1, alpha = 2}, q {title = "map"}):render(30, 3)
  assert(m:find("alpha") < m:find("zeta"), "names sorted:\n" .. m)
  fails("2 labels for 3 values", viz.bar, {"a", "b"}, {1, 2, 3})
  fails("the values must be a tensor or a table of numbers", viz.bar,
    {"a"}, "x")
  fails("got an empty table", viz.bar, {})
end)

-- ---- table ----------------------------------------------------------------

test("table aligns columns under a header rule", function()
  local p = viz.table({{"model", "loss"}, {"rnn", 1.5}, {"lstm", 0.25}},
    q {title = "results"})
  eq(p:kind(), "table")
  eq(p:render(30, 5),
    "results\nmodel  loss\n-----  ----\nrnn     1.5\nlstm   0.25\n")
  local noh = viz.table({{"a", "b"}}, q {header = false})
  eq(noh:render(10, 1), "a  b\n")
  fails("viz.table: row 2 is a number, expected a table", viz.table,
    {{"a"}, 5})
  fails("viz.table: expected a table of rows, got a string", viz.table, "x")
end)

-- ---- the plot list and output ---------------------------------------------

test("plots are recorded in order and cleared", function()
  viz.clear()
  eq(#viz.plots(), 0, "after clear")
  local a = viz.line({1, 2}, quiet)
  local b = viz.table({{"x"}}, quiet)
  local list = viz.plots()
  eq(#list, 2, "count")
  eq(list[1], a, "first")
  eq(list[2], b, "second")
  list[1] = nil -- a copy: the registry list is untouched
  eq(#viz.plots(), 2, "count after editing the copy")
  viz.clear()
  eq(#viz.plots(), 0, "after clear")
  eq(a:kind(), "line", "a cleared plot still works")
end)

test("the list keeps the newest 64 plots", function()
  viz.clear()
  local last
  for i = 1, 70 do last = viz.bar({i}, q {title = "p" .. i}) end
  local list = viz.plots()
  eq(#list, 64, "count")
  eq(list[1]:title(), "p7", "oldest kept")
  eq(list[64], last, "newest")
  viz.clear()
end)

test("output modes can be forced and read back", function()
  eq(viz.output("ansi"), "ascii", "previous")
  eq(viz.output(), "ansi", "current")
  eq(viz.output("auto"), "ansi")
  fails('expected "auto", "ansi" or "ascii", got "colour"', viz.output,
    "colour")
  viz.output("ascii")
end)

test("plots print at once unless show is false", function()
  -- printed in ASCII (viz.output above), between these TAP lines
  local p = viz.table({{"# printed", "table"}})
  eq(p:kind(), "table")
  p:show(20, 2)
end)

-- ---- robustness -----------------------------------------------------------

test("any bad argument is an error, never a crash", function()
  local bad = {nil, 0, "s", true, {}, {{}}, {false}, function() end,
               seq.zeros(0), seq.zeros(1, 0)}
  local fns = {viz.line, viz.heatmap, viz.hist, viz.bar, viz.table}
  for i = 1, 10 do
    for _, f in ipairs(fns) do
      local ok, err = pcall(f, bad[i], {show = false})
      if not ok then
        assert(type(err) == "string", "error is a string")
      end
    end
  end
end)

test("every kind renders at tiny sizes", function()
  local plots = {
    viz.line({a = {1, 2, 0 / 0, 4}, b = {4, 3, 2, 1}}, q {title = "t"}),
    viz.heatmap({{1, 2, 3}, {4, 5, 6}}, q {xlabels = {"a", "b", "c"}}),
    viz.hist({1, 2, 2, 3, 3, 3}, quiet),
    viz.bar({"a", "b"}, {-1, 1}, quiet),
    viz.table({{"a", "b"}, {1, 2}}, quiet),
  }
  for _, p in ipairs(plots) do
    for w = 1, 12 do
      for h = 1, 5 do
        eq(#lines(p:render(w, h)), h, p:kind() .. " lines")
        eq(#lines(p:render(w, h, "ansi")), h, p:kind() .. " ansi lines")
      end
    end
  end
end)

viz.output("auto")
viz.clear()
print("1.." .. n)
if failed > 0 and os and os.exit then os.exit(1) end
