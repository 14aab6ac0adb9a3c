-- w1_vanishing_gradients.lua — how far back does the gradient reach?
-- Vanishing gradients in RNN, GRU and LSTM cells, and exploding gradients
-- with and without clipping.
--
-- What it shows
--   1. Vanishing.  A long-range task: a sequence of T = 50 symbols where only
--      the first one matters (the label is x<1>; x<2> ... x<50> are
--      distractors).  The loss is computed from the last hidden state a<50>.
--      We step the cells (nn.RNNCell, nn.GRUCell, nn.LSTMCell) one time step
--      at a time, call retain_grad() on every a<t>, run backward once and
--      read ||dL/da<t>|| for every t: how much the loss "hears" of step t.
--      Plotted on a log scale, the RNN's curve falls like a straight line
--      (a geometric decay: one factor Waa * tanh' per step).
--        a) with PyTorch's initialisation the gates start about half open
--           (sigmoid of a number near 0), so the GRU and the LSTM forget
--           just as fast;
--        b) with the forget gate (LSTM) and the update gate (GRU) biased
--           towards "keep" (+3 here; biasing the forget gate, usually by
--           +1, is a common trick), their memory carries the gradient back
--           over all 50 steps.  The RNN has no such gate.
--   2. Exploding.  The same RNN with large recurrent weights,
--      Waa = gain * randn / sqrt(hidden), whose largest eigenvalues are
--      about --gain in size (PyTorch's initialisation gives about 0.6): now
--      the gradient grows geometrically going back.  nn.utils.clip_grad_norm rescales all
--      gradients together so their global norm is at most --clip: same
--      direction, shorter step.  The histograms of log10|gradient entry|
--      before and after clipping have the same shape, shifted.
--   3. Training with and without clipping, side by side: a ReLU RNN
--      (nonlinearity = "relu": its state is unbounded) with large recurrent
--      weights, plain SGD, on a short-memory task.  Without clipping one
--      oversized step sends the loss to inf/nan; with clipping it learns.
--
-- How to run it
--   seqlab run scripts/w1_vanishing_gradients.lua            ~1 s
--   seqlab run scripts/w1_vanishing_gradients.lua --quick    fewer training steps (80)
--   options: --T N (sequence length)  --hidden N  --batch N  --symbols N
--            --gate-bias X  --gain X  --relu-gain X (part 3)  --clip X
--            --steps N  --lr X  --seed N  --quick  --help
--
-- What to look for
--   * Plot 1: all three curves fall by many powers of ten from t = 50 to
--     t = 1.  Plot 2: the GRU and LSTM curves stay high, the RNN's does not.
--     A curve that falls 10x every k steps means the loss can barely learn
--     from anything more than a few k steps back.
--   * The exploding curve rises as t goes back; the global norm before
--     clipping is huge, after clipping it is exactly --clip.
--   * The training curves: "no clipping" stops where the loss becomes nan
--     (a gap in the plot); "clipped" keeps going down.
--   * The summary lines at the end ("vanishing ...", "exploding: ...",
--     "clipping: ...").

local nn = require "nn"
local optim = require "optim"
local np = require "np"
local viz = require "viz"
local F = nn.functional

-- ---- command line --------------------------------------------------------------

local DEFAULTS = { T = 50, hidden = 32, batch = 32, symbols = 4, ["gate-bias"] = 3.0, gain = 3.0,
  ["relu-gain"] = 1.3, clip = 1.0, steps = 150, lr = 0.5, seed = 1, quick = false, help = false }
local QUICK = { steps = 80 }

local opt, usage_error = require("seqlab.args").parse(arg, {
  script = "w1_vanishing_gradients.lua", defaults = DEFAULTS, quick = QUICK,
  usage = "usage: seqlab run scripts/w1_vanishing_gradients.lua [--quick] [--T N] [--hidden N] [--batch N]\n" ..
    "       [--symbols N] [--gate-bias X] [--gain X] [--relu-gain X] [--clip X] [--steps N] [--lr X] [--seed N]",
})
for k, min in pairs({ T = 3, hidden = 1, batch = 1, symbols = 2, steps = 1, seed = 0 }) do
  opt[k] = math.tointeger(opt[k])
  if not opt[k] or opt[k] < min then usage_error(("--%s must be a whole number >= %d"):format(k, min)) end
end

local T, H, N, K = opt.T, opt.hidden, opt.batch, opt.symbols
local D = 2 * K -- input size: K label symbols, then K distractor symbols
np.random.seed(opt.seed)

-- ---- helpers ---------------------------------------------------------------------------

local function fmt(x) return ("%.2e"):format(x) end

-- the global norm of the gradients of a list of parameters: sqrt(sum of squares)
local function global_norm(params)
  local s = 0
  for _, p in ipairs(params) do
    if p.grad then s = s + p.grad:norm():item() ^ 2 end
  end
  return math.sqrt(s)
end

local function params_of(...)
  local list = {}
  for _, m in ipairs({ ... }) do
    for _, p in ipairs(m:parameters()) do list[#list + 1] = p end
  end
  return list
end

-- The long-range task: x (T, N, D) one-hot, labels (N) in 1..K.
-- x<1> is the label's symbol; x<2..T> are distractors K+1..2K.
local function long_range_batch()
  local labels = np.random.randint(1, K + 1, { N })
  local idx = np.random.randint(K + 1, D + 1, { T, N })
  idx[1] = labels
  return seq.one_hot(idx, D), labels
end

-- Steps `cell` over x, keeping every hidden state a<t> (retain_grad: after
-- backward, a[t].grad is dL/da<t>); the loss is the cross-entropy of
-- head(a<T>).  Returns the loss and ||dL/da<t>|| for t = 1..T.
local function grad_norms_per_step(kind, cell, head, x, labels)
  local a, h, c = {}, nil, nil
  for t = 1, T do
    if kind == "lstm" then
      h, c = cell(x[t], h and { h, c })
    else
      h = cell(x[t], h)
    end
    a[t] = h:retain_grad()
  end
  local loss = F.cross_entropy(head(a[T]), labels)
  loss:backward()
  local norms = {}
  for t = 1, T do norms[t] = a[t].grad:norm():item() end
  return loss:item(), norms
end

local CELLS = { rnn = nn.RNNCell, gru = nn.GRUCell, lstm = nn.LSTMCell }

-- A fresh cell and output layer, from the same seed for every kind.
local function make(kind, opts)
  seq.manual_seed(opt.seed)
  local cell = CELLS[kind](D, H, opts)
  local head = nn.Linear(H, K)
  return cell, head
end

-- Bias the "keep" gate: PyTorch's gate blocks are LSTM (i, f, g, o) and
-- GRU (r, z, n), so the forget gate f and the update gate z are both the
-- second block of H rows.  (In the GRU, h' = (1 - z) n + z h: z near 1 keeps h.)
local function bias_keep_gate(cell, b)
  seq.no_grad(function()
    cell.bias_ih:narrow(1, H + 1, H):fill_(b)
    cell.bias_hh:narrow(1, H + 1, H):zero_()
  end)
end

-- ---- 1. vanishing gradients -------------------------------------------------------------

print(("1. Vanishing gradients: T = %d steps, the loss depends only on x<1>; %d hidden units, batch %d"):format(
  T, H, N))
local x, labels = long_range_batch()

local default_norms, biased_norms = {}, {}
for _, kind in ipairs({ "rnn", "gru", "lstm" }) do
  local cell, head = make(kind)
  local _, norms = grad_norms_per_step(kind, cell, head, x, labels)
  default_norms[kind] = norms
  if kind ~= "rnn" then
    cell, head = make(kind)
    bias_keep_gate(cell, opt["gate-bias"])
    _, norms = grad_norms_per_step(kind, cell, head, x, labels)
  end
  biased_norms[kind] = norms
end

local function norm_table(title, series)
  local marks = { 1, T // 5, T // 2, T - T // 5, T }
  local rows = { { "cell" } }
  for _, t in ipairs(marks) do rows[1][#rows[1] + 1] = "t = " .. t end
  rows[1][#rows[1] + 1] = "t=1 / t=T"
  for _, kind in ipairs({ "rnn", "gru", "lstm" }) do
    local row = { kind }
    for _, t in ipairs(marks) do row[#row + 1] = fmt(series[kind][t]) end
    row[#row + 1] = fmt(series[kind][1] / series[kind][T])
    rows[#rows + 1] = row
  end
  viz.table(rows, { title = title })
end

norm_table("||dL/da<t>||, PyTorch's initialisation", default_norms)
viz.line(default_norms, { logy = true, xlabel = "t", height = 14,
  title = "||dL/da<t>|| at initialisation (log scale)" })
print()
norm_table(("||dL/da<t>||, GRU update gate and LSTM forget gate biased to +%g"):format(opt["gate-bias"]),
  biased_norms)
viz.line(biased_norms, { logy = true, xlabel = "t", height = 14,
  title = ("||dL/da<t>||, keep-gates biased to +%g (log scale)"):format(opt["gate-bias"]) })

-- ---- 2. exploding gradients ---------------------------------------------------------------

print(("\n2. Exploding gradients: the same RNN with Waa scaled to a gain of %g per step"):format(opt.gain))
local cell, head = make("rnn")
seq.no_grad(function() cell.weight_hh:copy_(seq.randn(H, H) * (opt.gain / math.sqrt(H))) end)
local _, big_norms = grad_norms_per_step("rnn", cell, head, x, labels)
viz.line({ ["rnn, default Waa"] = default_norms.rnn, ["rnn, large Waa"] = big_norms },
  { logy = true, xlabel = "t", height = 14, title = "||dL/da<t>||: vanishing and exploding (log scale)" })

-- every gradient entry, as log10 |g|
local params = params_of(cell, head)
local function log_abs_entries()
  local out = {}
  for _, p in ipairs(params) do
    for _, v in ipairs(p.grad:abs():clamp(1e-30, nil):log():div(math.log(10)):reshape(-1):totable()) do
      out[#out + 1] = v
    end
  end
  return out
end
local before_entries = log_abs_entries()
local norm_before = global_norm(params)
local returned = nn.utils.clip_grad_norm(params, opt.clip) -- returns the norm before clipping
local norm_after = global_norm(params)
local after_entries = log_abs_entries()
print(("global gradient norm: before clipping %s (clip_grad_norm returned %s), after clip_grad_norm(params, %g): %s"):format(
  fmt(norm_before), fmt(returned), opt.clip, fmt(norm_after)))
print(("||dL/da<1>|| = %s, ||dL/da<%d>|| = %s"):format(fmt(big_norms[1]), T, fmt(big_norms[T])))

local lo, hi = math.huge, -math.huge
for _, list in ipairs({ before_entries, after_entries }) do
  for _, v in ipairs(list) do
    if v > -29 then lo, hi = math.min(lo, v), math.max(hi, v) end
  end
end
lo, hi = math.floor(lo), math.ceil(hi)
viz.hist(before_entries, { range = { lo, hi }, bins = hi - lo,
  title = "log10 |gradient entry|, before clipping" })
viz.hist(after_entries, { range = { lo, hi }, bins = hi - lo,
  title = ("log10 |gradient entry|, after clipping to norm %g"):format(opt.clip) })

-- ---- 3. training with and without clipping ------------------------------------------------------

-- A short-memory task (the label is the symbol 2 steps before the end) that
-- a ReLU RNN learns quickly -- if its updates stay sane.
local LAG = 2
local function lag_batch()
  local idx = np.random.randint(1, K + 1, { T, N })
  return seq.one_hot(idx, K), idx[T - LAG]:clone()
end

local function train(clip)
  seq.manual_seed(opt.seed)
  np.random.seed(opt.seed + 1) -- both runs see the same batches
  local rcell = nn.RNNCell(K, H, { nonlinearity = "relu" })
  local rhead = nn.Linear(H, K)
  seq.no_grad(function() rcell.weight_hh:copy_(seq.randn(H, H) * (opt["relu-gain"] / math.sqrt(H))) end)
  local ps = params_of(rcell, rhead)
  local sgd = optim.SGD(ps, { lr = opt.lr })
  local losses, norms, nan_at = {}, {}, nil
  for step = 1, opt.steps do
    local xb, yb = lag_batch()
    sgd:zero_grad()
    local h
    for t = 1, T do h = rcell(xb[t], h) end
    local loss = F.cross_entropy(rhead(h), yb)
    local l = loss:item()
    losses[step] = l
    if l ~= l or l == math.huge then -- nan or inf: training is over
      nan_at = step
      for s = step + 1, opt.steps do losses[s] = 0 / 0 end
      break
    end
    loss:backward()
    norms[step] = clip and nn.utils.clip_grad_norm(ps, opt.clip) or global_norm(ps)
    sgd:step()
  end
  return losses, norms, nan_at
end

print(("\n3. Training a ReLU RNN (Waa gain %g, T = %d, SGD lr %g, %d steps), the label is x<T-%d>"):format(
  opt["relu-gain"], T, opt.lr, opt.steps, LAG))
local loss_plain, norm_plain, nan_plain = train(false)
local loss_clip, norm_clip, nan_clip = train(true)

local function tail_mean(l)
  local s, n = 0, 0
  for i = math.max(1, #l - 9), #l do
    if l[i] == l[i] then s, n = s + l[i], n + 1 end
  end
  return n > 0 and s / n or 0 / 0
end
local function max_of(list)
  local m = 0
  for _, v in pairs(list) do if v == v then m = math.max(m, v) end end
  return m
end
-- the blow-up reaches 1e20 and more: draw losses above CAP at CAP, so the
-- rest of the curves stays readable
local CAP = 10
local function capped(l)
  local out = {}
  for i, v in ipairs(l) do out[i] = v == v and math.min(v, CAP) or v end
  return out
end
viz.line({ ["no clipping"] = capped(loss_plain), ["clipped"] = capped(loss_clip) }, { xlabel = "step",
  height = 14, title = ("training loss, with and without clipping at %g (drawn up to %g)"):format(opt.clip, CAP) })
viz.line({ ["no clipping"] = norm_plain, ["clipped (norm before clipping)"] = norm_clip },
  { logy = true, xlabel = "step", height = 12, title = "global gradient norm per step (log scale)" })
print(("no clipping: %s; largest gradient norm %s"):format(
  nan_plain and ("the loss became nan/inf at step " .. nan_plain) or
  ("final loss " .. ("%.4f"):format(tail_mean(loss_plain))), fmt(max_of(norm_plain))))
print(("clipped at %g: %s; largest gradient norm before clipping %s"):format(opt.clip,
  nan_clip and ("the loss became nan/inf at step " .. nan_clip) or
  ("final loss " .. ("%.4f"):format(tail_mean(loss_clip))), fmt(max_of(norm_clip))))

-- ---- summary ----------------------------------------------------------------------------------

print()
print(("vanishing at init, ||dL/da<1>|| / ||dL/da<%d>||: rnn %s, gru %s, lstm %s"):format(T,
  fmt(default_norms.rnn[1] / default_norms.rnn[T]), fmt(default_norms.gru[1] / default_norms.gru[T]),
  fmt(default_norms.lstm[1] / default_norms.lstm[T])))
print(("vanishing with keep-gates at +%g, ||dL/da<1>|| / ||dL/da<%d>||: gru %s, lstm %s"):format(
  opt["gate-bias"], T, fmt(biased_norms.gru[1] / biased_norms.gru[T]),
  fmt(biased_norms.lstm[1] / biased_norms.lstm[T])))
print(("exploding: global norm before %s, after %s"):format(fmt(norm_before), fmt(norm_after)))
print(("clipping: final loss without %s, with %s"):format(
  nan_plain and "nan" or ("%.4f"):format(tail_mean(loss_plain)),
  nan_clip and "nan" or ("%.4f"):format(tail_mean(loss_clip))))
