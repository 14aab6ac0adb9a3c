-- w1_dinosaurs.lua — the character-level name model of the course's
-- "Dinosaurus Island" lab (Week 1, W1A2), written out in full.
--
-- What it shows
--   A plain RNN (50 hidden units, a tanh cell and a softmax over 27 symbols:
--   the letters a–z and the newline that ends a name) learns to spell
--   Latin-looking names.  Everything is done by hand, the way the course's
--   numpy code does it:
--     * the forward pass, one character at a time:
--         a<t> = tanh(Wax x<t> + Waa a<t-1> + b),  y<t> = softmax(Wya a<t> + by)
--     * the loss: -sum over t of log y<t>[next character]
--     * backpropagation through time, written out step by step,
--     * clipping of every gradient entry to [-5, 5],
--     * a plain SGD update (learning rate 0.01), one name per step,
--     * the course's "smoothed" loss, 0.999 * old + 0.001 * new, starting
--       from ln(27) * 7 = 23.07 (the loss of a uniform guess on 7 letters),
--     * the course's sampling: feed each sampled letter back in until the
--       model writes a newline (or 50 letters).
--   The data is assets/names/genera.txt: 1,704 animal genus names (the
--   stand-in for the course's dinos.txt).  The random numbers come from
--   np.random, which reproduces numpy's, and are drawn in the notebook's
--   order, so with the course's own dinos.txt (--data dinos.txt --every
--   1000) the first reports should match the notebook's; rounding
--   differences make long runs drift apart slowly.
--
-- How to run it
--   seqlab run scripts/w1_dinosaurs.lua                  22,001 steps (the notebook's run), ~15 s
--   seqlab run scripts/w1_dinosaurs.lua --quick          2,500 steps, a few seconds
--   seqlab run scripts/w1_dinosaurs.lua --iterations 35000 --every 5000
--   options: --iterations N  --every N (print the loss and samples)
--            --plot-every N (redraw the loss curve)  --names N (samples
--            each time)  --hidden N  --lr X  --clip X  --data FILE
--            --quick  --help
--
-- What to look for
--   * The smoothed loss starts at the course's 23.07 and first goes UP:
--     a name here is ~9.8 symbols with its newline, so a uniform guess
--     really costs ln(27) * 9.8 = 32, and the average forgets its starting
--     value slowly (0.999 per step).  After ~3,000 steps it falls, and ends
--     near 21.  The loss is summed over a name, so 21 is ~2.1 nats a letter.
--   * The samples: at iteration 0 random letters; after a few thousand
--     steps pronounceable words; later Latin-looking endings such as -us,
--     -ia, -ops and -odon.  Sampling is seeded the same way at every report,
--     so you see the same "dice" thrown at a changing model.
--   * The last line, "loss: first ..., last ...", compares the raw loss per
--     name over the first and the last 200 names.

local np = require "np"
local viz = require "viz"

-- ---- command line --------------------------------------------------------------

local DEFAULTS = { iterations = 22001, every = 2000, ["plot-every"] = 5000, names = 7,
  hidden = 50, lr = 0.01, clip = 5.0, data = "", quick = false, help = false }
-- --quick: a few seconds, for tests and a first look
local QUICK = { iterations = 2500, every = 500, ["plot-every"] = 1250, names = 3 }

local opt, usage_error = require("seqlab.args").parse(arg, {
  script = "w1_dinosaurs.lua", defaults = DEFAULTS, quick = QUICK,
  usage = "usage: seqlab run scripts/w1_dinosaurs.lua [--quick] [--iterations N] [--every N]\n" ..
    "       [--plot-every N] [--names N] [--hidden N] [--lr X] [--clip X] [--data FILE]",
})

for k, min in pairs({ iterations = 1, every = 1, ["plot-every"] = 1, names = 0, hidden = 1 }) do
  opt[k] = math.tointeger(opt[k])
  if not opt[k] or opt[k] < min then usage_error(("--%s must be a whole number >= %d"):format(k, min)) end
end

-- The data file: --data, else assets/names/genera.txt next to this script's
-- folder, else under the current folder.
local function find_asset(rel)
  local dir = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
  for _, p in ipairs({ dir .. "/../assets/" .. rel, "assets/" .. rel }) do
    local f = io.open(p, "r")
    if f then f:close(); return p end
  end
  error("cannot find assets/" .. rel .. " (run from the seqlab folder or pass --data FILE)", 0)
end

-- ---- the data --------------------------------------------------------------------

local path = opt.data ~= "" and opt.data or find_asset("names/genera.txt")
local f = assert(io.open(path, "r"))
local text = f:read("a"):lower()
f:close()

-- The vocabulary: the sorted distinct characters, so "\n" -> 0, "a" -> 1, ...
-- Indices are 0-based here, like the course's char_to_ix; add 1 to index a
-- Lua table or a tensor row.
local seen, chars = {}, {}
for c in text:gmatch(".") do
  if not seen[c] then seen[c] = true; chars[#chars + 1] = c end
end
table.sort(chars)
local char_to_ix, ix_to_char = {}, {}
for i, c in ipairs(chars) do char_to_ix[c], ix_to_char[i - 1] = i - 1, c end
local vocab_size = #chars
local NEWLINE = char_to_ix["\n"]
if not NEWLINE then error(path .. ": expected one name per line", 0) end

local examples = {}
for line in text:gmatch("[^\n]+") do
  local name = line:match("^%s*(.-)%s*$") -- the course's x.strip()
  if name ~= "" then examples[#examples + 1] = name end
end
print(("There are %d total characters and %d unique characters in your data (%d names, %s)."):format(
  #text, vocab_size, #examples, path))

-- ---- the model, as in the course's utils.py ------------------------------------------

local function initialize_parameters(n_a, n_x, n_y)
  np.random.seed(1)
  return {
    Wax = np.random.randn(n_a, n_x) * 0.01, -- input to hidden
    Waa = np.random.randn(n_a, n_a) * 0.01, -- hidden to hidden
    Wya = np.random.randn(n_y, n_a) * 0.01, -- hidden to output
    b = np.zeros(n_a, 1),
    by = np.zeros(n_y, 1),
  }
end

-- softmax over a column; the max is subtracted for numerical safety
local function softmax(z)
  local e = (z - z:max()):exp()
  return e / e:sum()
end

-- one-hot column for a 0-based index, or zeros for nil (the first input)
local function one_hot(ix)
  local x = seq.zeros(vocab_size, 1, "float64")
  if ix ~= nil then x:set(ix + 1, 1, 1) end
  return x
end

local function rnn_step_forward(p, a_prev, x)
  local a_next = np.tanh(np.dot(p.Wax, x) + np.dot(p.Waa, a_prev) + p.b)
  local p_t = softmax(np.dot(p.Wya, a_next) + p.by)
  return a_next, p_t
end

-- X: input indices (X[1] = nil for the empty first input), Y: the targets.
-- Returns the loss and what the backward pass needs.
local function rnn_forward(X, Y, a0, p, T)
  local x, a, y_hat = {}, { [0] = a0 }, {}
  local loss = 0
  for t = 1, T do
    x[t] = one_hot(X[t])
    a[t], y_hat[t] = rnn_step_forward(p, a[t - 1], x[t])
    loss = loss - math.log(y_hat[t]:get(Y[t] + 1, 1))
  end
  return loss, { y_hat = y_hat, a = a, x = x }
end

-- One step of backpropagation through time: adds this step's share to every
-- gradient and passes da_next on to the step before.
-- (x:add_(y) is numpy's x += y: it adds in place.)
local function rnn_step_backward(dy, g, p, x, a, a_prev)
  g.dWya:add_(np.dot(dy, a:t()))
  g.dby:add_(dy)
  local da = np.dot(p.Wya:t(), dy) + g.da_next   -- from the output and from step t+1
  local daraw = (1 - a * a) * da                 -- back through tanh
  g.db:add_(daraw)
  g.dWax:add_(np.dot(daraw, x:t()))
  g.dWaa:add_(np.dot(daraw, a_prev:t()))
  g.da_next = np.dot(p.Waa:t(), daraw)
  return g
end

local function rnn_backward(Y, p, cache, T)
  local g = { dWax = np.zeros_like(p.Wax), dWaa = np.zeros_like(p.Waa), dWya = np.zeros_like(p.Wya),
    db = np.zeros_like(p.b), dby = np.zeros_like(p.by), da_next = np.zeros_like(cache.a[1]) }
  for t = T, 1, -1 do
    -- d loss / d z for softmax + cross-entropy: y_hat minus the one-hot target
    local dy = cache.y_hat[t]:clone()
    dy:set(Y[t] + 1, 1, dy:get(Y[t] + 1, 1) - 1)
    rnn_step_backward(dy, g, p, cache.x[t], cache.a[t], cache.a[t - 1])
  end
  return g
end

-- The course's clip(): every entry of every gradient into [-maxValue, maxValue].
local function clip(g, maxValue)
  for _, k in ipairs({ "dWax", "dWaa", "dWya", "db", "dby" }) do
    np.clip(g[k], -maxValue, maxValue, g[k])
  end
  return g
end

-- plain gradient descent, in place: W -= lr * dW
local function update_parameters(p, g, lr)
  p.Wax:add_(g.dWax, -lr)
  p.Waa:add_(g.dWaa, -lr)
  p.Wya:add_(g.dWya, -lr)
  p.b:add_(g.db, -lr)
  p.by:add_(g.dby, -lr)
end

-- forward, backward, clip, update; returns the loss and the last hidden state
local function optimize(X, Y, a_prev, p, lr)
  local T = #Y
  local loss, cache = rnn_forward(X, Y, a_prev, p, T)
  local g = rnn_backward(Y, p, cache, T)
  clip(g, opt.clip)
  update_parameters(p, g, lr)
  return loss, g, cache.a[T]
end

-- The course's sample(): np.random is reseeded before each letter (with
-- seed, seed+2, seed+4, ... as in the notebook), so a report is repeatable.
local function sample(p, seed)
  local n_a = p.Waa:size(1)
  local x, a_prev = np.zeros(vocab_size, 1), np.zeros(n_a, 1)
  local indices, idx, counter = {}, -1, 0
  while idx ~= NEWLINE and counter ~= 50 do
    local a = np.tanh(np.dot(p.Wax, x) + np.dot(p.Waa, a_prev) + p.b)
    local y = softmax(np.dot(p.Wya, a) + p.by)
    np.random.seed(counter + seed)
    idx = np.random.choice(vocab_size, { p = y:view(-1) })
    indices[#indices + 1] = idx
    x = one_hot(idx)
    a_prev = a
    seed = seed + 1
    counter = counter + 1
  end
  if counter == 50 then indices[#indices + 1] = NEWLINE end
  return indices
end

local function get_sample(indices)
  local s = {}
  for _, ix in ipairs(indices) do
    if ix ~= NEWLINE then s[#s + 1] = ix_to_char[ix] end
  end
  local name = table.concat(s)
  return name:sub(1, 1):upper() .. name:sub(2)
end

local function smooth(loss, cur) return loss * 0.999 + cur * 0.001 end
local function get_initial_loss(V, seq_len) return -math.log(1.0 / V) * seq_len end

-- ---- training --------------------------------------------------------------------------

local params = initialize_parameters(opt.hidden, vocab_size, vocab_size)
local loss = get_initial_loss(vocab_size, 7) -- the course uses dino_names = 7 here
local start_loss = loss

np.random.seed(0)
np.random.shuffle(examples)
local a_prev = np.zeros(opt.hidden, 1)

-- the raw (unsmoothed) loss, averaged over the first and the last names
local window = math.max(1, math.min(200, opt.iterations // 5))
local first_sum, last_sum = 0, 0

local curve, curve_x = {}, {}
-- store ~400 points of the curve, whatever the run's length
local curve_every = math.max(1, opt.iterations // 400)
local function draw_curve(title)
  viz.line({ ["smoothed loss"] = curve }, { x = curve_x, title = title, xlabel = "iteration", height = 14 })
end

print(("RNN: %d hidden units, %d iterations, SGD lr %g, clipping at %g"):format(
  opt.hidden, opt.iterations, opt.lr, opt.clip))
local t0 = os.clock()
for j = 0, opt.iterations - 1 do
  local name = examples[j % #examples + 1]
  -- X = [None] + the letters; Y = the letters + "\n" (X shifted by one)
  local X, Y = { [1] = nil }, {}
  for k = 1, #name do
    local ix = char_to_ix[name:sub(k, k)]
    X[k + 1] = ix
    Y[k] = ix
  end
  Y[#name + 1] = NEWLINE

  local cur, _grads
  cur, _grads, a_prev = optimize(X, Y, a_prev, params, opt.lr)
  loss = smooth(loss, cur)
  if j < window then first_sum = first_sum + cur end
  if j >= opt.iterations - window then last_sum = last_sum + cur end

  if j % curve_every == 0 then
    curve[#curve + 1] = loss
    curve_x[#curve_x + 1] = j
  end
  if j % opt.every == 0 then
    print(("\nIteration: %d, Loss: %f"):format(j, loss))
    for s = 0, opt.names - 1 do print("  " .. get_sample(sample(params, s))) end
  end
  if j > 0 and j % opt["plot-every"] == 0 then
    draw_curve(("smoothed loss, iteration %d"):format(j))
  end
end

print(("\ntrained %d iterations in %.1f s of CPU time"):format(opt.iterations, os.clock() - t0))
draw_curve(("smoothed loss over %d iterations"):format(opt.iterations))
print(("smoothed loss: start %.4f, end %.4f"):format(start_loss, loss))
print(("loss: first %.4f, last %.4f (mean per name over the first and the last %d names)"):format(
  first_sum / window, last_sum / window, window))
