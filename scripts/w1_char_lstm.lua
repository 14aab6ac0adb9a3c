-- w1_char_lstm.lua — a character-level LSTM language model on Hamlet, trained
-- the way real models are: mini-batches, truncated backpropagation through
-- time, Adam, gradient clipping and checkpoints you can resume from.
--
-- What it shows
--   * The model: nn.Embedding (one learned vector per character) -> nn.LSTM
--     -> nn.Linear (a score for every character), trained to predict the
--     next character.  The text is assets/text/hamlet.txt (66 characters).
--   * Truncated BPTT: the text is cut into --batch parallel streams and
--     read --bptt characters at a time.  The LSTM's state (h, c) is carried
--     from one chunk to the next, so the model sees long context, but it is
--     detached first, so the gradient only flows back --bptt steps and each
--     step costs the same.
--   * Adam, and clipping by the global norm of all gradients
--     (nn.utils.clip_grad_norm): the norm is printed, and you can see when
--     clipping kicks in.
--   * Checkpoints (seq.save / seq.load, safetensors): the weights, Adam's
--     moments, the carried state, the step and the loss history.  Stop a run
--     and pick it up later with --resume: it continues exactly where it
--     stopped.
--   * Sampling with a temperature: below 1 the text is safer and repetitive,
--     above 1 more adventurous and misspelt.
--
-- How to run it
--   seqlab run scripts/w1_char_lstm.lua                    600 steps, ~40 s
--   seqlab run scripts/w1_char_lstm.lua --quick            30 small steps, ~1 s
--   seqlab run scripts/w1_char_lstm.lua --iterations 1200 --resume char_lstm.safetensors
--   seqlab run scripts/w1_char_lstm.lua --resume char_lstm.safetensors --iterations 0 \
--       --temperature 0.5 --sample-len 600                 only sample from a checkpoint
--   options: --iterations N (total steps, counting those of a resumed run)
--            --every N (report and sample)  --save PATH (default
--            char_lstm.safetensors; "none" to not save)  --save-every N
--            --resume PATH  --temperature X  --sample-len N  --batch N
--            --bptt N  --embed N  --hidden N  --layers N  --lr X  --clip X
--            --seed N  --quick  --help
--
-- What to look for
--   * The loss starts near ln(66) = 4.19 (a uniform guess).  It drops to ~3
--     within a few dozen steps (letter frequencies), then more slowly as the
--     model learns words, the speakers' names ("Ham.", "King."), line
--     breaks and stage directions.  Around 1.5 the samples look like a play.
--   * The gradient norm (measured before clipping): with this model and a
--     mean loss it stays well below --clip 5, so clipping is a safety net
--     for rare spikes here; the end of the run counts the clipped steps.
--     Try --clip 0.2 to see it act on most steps.
--   * Resume a run twice as long as the first: the loss goes on from where
--     it stopped instead of starting again from 4.19.
--   * The last line, "loss: first ..., last ...", sums the run up.

local nn = require "nn"
local optim = require "optim"
local viz = require "viz"
local F = nn.functional

-- ---- command line --------------------------------------------------------------

local DEFAULTS = { iterations = 600, every = 100, ["plot-every"] = 300, save = "char_lstm.safetensors",
  ["save-every"] = 100, resume = "", temperature = 0.8, ["sample-len"] = 300, batch = 32, bptt = 64,
  embed = 32, hidden = 256, layers = 1, lr = 3e-3, clip = 5.0, seed = 1, prime = "", quick = false, help = false }
local QUICK = { iterations = 30, every = 10, ["plot-every"] = 30, ["save-every"] = 10,
  ["sample-len"] = 80, batch = 16, bptt = 32, hidden = 64,
  save = (os.getenv("TMPDIR") or "/tmp") .. "/w1_char_lstm_quick.safetensors" }

local opt, usage_error = require("seqlab.args").parse(arg, {
  script = "w1_char_lstm.lua", defaults = DEFAULTS, quick = QUICK,
  usage = "usage: seqlab run scripts/w1_char_lstm.lua [--quick] [--iterations N] [--every N]\n" ..
    "       [--save PATH|none] [--save-every N] [--resume PATH] [--temperature X] [--sample-len N]\n" ..
    "       [--prime TEXT]" ..
    "       [--batch N] [--bptt N] [--embed N] [--hidden N] [--layers N] [--lr X] [--clip X] [--seed N]",
})
for k, min in pairs({ iterations = 0, every = 1, ["plot-every"] = 1, ["save-every"] = 1, ["sample-len"] = 0,
  batch = 1, bptt = 1, embed = 1, hidden = 1, layers = 1, seed = 0 }) do
  opt[k] = math.tointeger(opt[k])
  if not opt[k] or opt[k] < min then usage_error(("--%s must be a whole number >= %d"):format(k, min)) end
end

local function find_asset(rel)
  local dir = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
  for _, p in ipairs({ dir .. "/../assets/" .. rel, "assets/" .. rel }) do
    local f = io.open(p, "r")
    if f then f:close(); return p end
  end
  error("cannot find assets/" .. rel .. " (run from the seqlab folder)", 0)
end

-- ---- a checkpoint to resume from -----------------------------------------------------
-- Read first: the model's sizes come from the checkpoint when resuming.

local ckpt, meta
if opt.resume ~= "" then
  ckpt, meta = seq.load(opt.resume)
  if not ckpt then error("cannot resume: " .. tostring(meta), 0) end
  for _, k in ipairs({ "embed", "hidden", "layers", "batch", "bptt" }) do
    opt[k] = math.tointeger(tonumber(meta[k])) or error("checkpoint " .. opt.resume .. " has no '" .. k .. "'", 0)
  end
  print(("resuming from %s: step %s, embed %d, hidden %d, layers %d, batch %d, bptt %d"):format(
    opt.resume, meta.step, opt.embed, opt.hidden, opt.layers, opt.batch, opt.bptt))
end

-- ---- the data: characters -> indices ----------------------------------------------------

local path = find_asset("text/hamlet.txt")
local f = assert(io.open(path, "rb"))
local text = f:read("a")
f:close()

-- Characters, not bytes: the em dash "—" is three bytes of UTF-8.
local chars, seen = {}, {}
for _, code in utf8.codes(text) do
  if not seen[code] then seen[code] = true; chars[#chars + 1] = code end
end
table.sort(chars)
local itos, stoi = {}, {}
for i, code in ipairs(chars) do itos[i] = utf8.char(code); stoi[code] = i end
local V = #chars
local vocab_string = table.concat(itos)
if meta and meta.vocab ~= vocab_string then
  error("the checkpoint was trained on another character set", 0)
end

local ids = {}
for _, code in utf8.codes(text) do ids[#ids + 1] = stoi[code] end
local N = #ids
print(("%s: %d characters, %d distinct"):format(path, N, V))

-- --batch streams side by side: stream b is the b-th slice of the text.
-- data[b][k] is character k of stream b.
local B, T = opt.batch, opt.bptt
local L = N // B
local data = seq.tensor(ids, "int64"):narrow(1, 1, B * L):view(B, L)
if L <= T then usage_error("the text is too short for --batch and --bptt") end

-- ---- the model -------------------------------------------------------------------------------

local CharLSTM = nn.Module:extend("CharLSTM")

function CharLSTM:init(vocab, embed, hidden, layers)
  self.embed = nn.Embedding(vocab, embed)
  self.lstm = nn.LSTM(embed, hidden, { layers = layers })
  self.head = nn.Linear(hidden, vocab)
end

-- idx (T, B) of character indices -> scores (T, B, vocab), and the new state
function CharLSTM:forward(idx, state)
  local y, new_state = self.lstm(self.embed(idx), state)
  return self.head(y), new_state
end

seq.manual_seed(opt.seed)
local model = CharLSTM(V, opt.embed, opt.hidden, opt.layers)
local opt_adam = optim.Adam(model:parameters(), { lr = opt.lr })
print(model)
print(("%d parameters; Adam lr %g; clip the global gradient norm at %g; %d streams x %d characters per step"):format(
  model:num_parameters(), opt.lr, opt.clip, B, T))

-- ---- checkpoints --------------------------------------------------------------------------------
-- One safetensors file: the weights under their state_dict names, Adam's
-- two moments per parameter under "adam.<name>.exp_avg" / ".exp_avg_sq",
-- the carried LSTM state, the loss history; the numbers go in the metadata.

local step, pos, state = 0, 1, nil -- steps done, next chunk's first column, carried state
local losses = {}

local function save_checkpoint(p)
  local tensors = {}
  for name, t in pairs(model:state_dict()) do tensors[name] = t end
  for name, prm in model:named_parameters() do
    local st = opt_adam.state[prm]
    if st and st.step then
      tensors["adam." .. name .. ".exp_avg"] = st.exp_avg
      tensors["adam." .. name .. ".exp_avg_sq"] = st.exp_avg_sq
    end
  end
  if state then tensors["state.h"], tensors["state.c"] = state[1], state[2] end
  if #losses > 0 then tensors.losses = seq.tensor(losses, "float64") end
  local ok, err = seq.save(p, tensors, {
    step = tostring(step), pos = tostring(pos), vocab = vocab_string,
    embed = tostring(opt.embed), hidden = tostring(opt.hidden), layers = tostring(opt.layers),
    batch = tostring(B), bptt = tostring(T), lr = tostring(opt.lr) })
  if not ok then error("cannot save the checkpoint: " .. tostring(err), 0) end
end

if ckpt then
  local weights = {}
  for name in model:named_parameters() do weights[name] = ckpt[name] end
  model:load_state_dict(weights)
  step = math.tointeger(tonumber(meta.step))
  pos = math.tointeger(tonumber(meta.pos))
  for name, prm in model:named_parameters() do
    local m, v = ckpt["adam." .. name .. ".exp_avg"], ckpt["adam." .. name .. ".exp_avg_sq"]
    if m and v then opt_adam.state[prm] = { step = step, exp_avg = m, exp_avg_sq = v } end
  end
  if ckpt["state.h"] then state = { ckpt["state.h"], ckpt["state.c"] } end
  if ckpt.losses then losses = ckpt.losses:totable() end
end

-- ---- sampling -------------------------------------------------------------------------------------

-- A model trained with a carried state has rarely started from a blank one
-- (only at the top of each stream), so from zeros its first characters are
-- noise.  We warm it up first: the passage just before "To be, or not to
-- be" goes through the model silently, then `prime`; the sample continues
-- from there.  The generator is seeded, so a sample is repeatable.
local WARMUP
do
  local s = text:find("To be, or not to be", 1, true) or 301
  local b = math.max(1, s - 300)
  while b < s and (text:byte(b) & 0xC0) == 0x80 do b = b + 1 end -- not inside a UTF-8 character
  WARMUP = text:sub(b, s - 1)
end

local function sample(prime, n, temperature, seed)
  local g = seq.Generator(seed)
  local out = {}
  seq.no_grad(function()
    local st, scores = nil, nil
    for _, code in utf8.codes(WARMUP .. prime) do
      local ix = stoi[code] or stoi[32] -- a character Hamlet lacks reads as a space
      scores, st = model(seq.tensor({ { ix } }), st) -- one step: (1, 1, V)
    end
    for _ = 1, n do
      local ix = seq.sample(scores[1][1], { temperature = temperature, logits = true, rng = g })
      out[#out + 1] = itos[ix]
      scores, st = model(seq.tensor({ { ix } }), st)
    end
  end)
  return table.concat(out)
end

local function show_sample(title)
  print(("---- %s, temperature %g ----"):format(title, opt.temperature))
  -- the end of the warm-up passage (the play's text) for context, then the
  -- model's own text
  local lines = {}
  for line in (WARMUP .. opt.prime):gmatch("[^\n]*\n?") do
    if line ~= "" then lines[#lines + 1] = line end
  end
  local context = table.concat(lines, "", math.max(1, #lines - 3))
  io.write(context)
  print(sample(opt.prime, opt["sample-len"], opt.temperature, 1234))
  print("----")
end

local function draw_curve(title)
  if #losses < 2 then return end
  viz.line({ loss = losses }, { title = title, xlabel = "step", height = 14 })
end

-- ---- training ---------------------------------------------------------------------------------

if step >= opt.iterations then
  print(("the checkpoint has %d steps already (--iterations %d): sampling only"):format(step, opt.iterations))
end
local t0, done, clipped = os.clock(), 0, 0
while step < opt.iterations do
  if pos + T > L then -- the streams are used up: start again at the top, from a zero state
    pos, state = 1, nil
  end
  -- inputs are characters pos .. pos+T-1, targets the characters one later
  local x = data:narrow(2, pos, T):t():contiguous()     -- (T, B)
  local y = data:narrow(2, pos + 1, T):t():contiguous() -- (T, B)

  -- truncated BPTT: keep the state's values, forget how they were computed
  if state then state = { state[1]:detach(), state[2]:detach() } end

  opt_adam:zero_grad()
  local scores
  scores, state = model(x, state)
  local loss = F.cross_entropy(scores, y)
  loss:backward()
  local norm = nn.utils.clip_grad_norm(model, opt.clip) -- the norm before clipping
  if norm > opt.clip then clipped = clipped + 1 end
  opt_adam:step()

  step, pos, done = step + 1, pos + T, done + 1
  losses[#losses + 1] = loss:item()

  if step % opt.every == 0 or step == opt.iterations then
    print(("step %5d/%d  loss %.4f  grad norm %7.3f%s  (%.0f ms CPU/step)"):format(step, opt.iterations,
      losses[#losses], norm, norm > opt.clip and " clipped" or "        ",
      (os.clock() - t0) / done * 1000))
  end
  if step % opt["plot-every"] == 0 and step < opt.iterations then
    show_sample(("sample after %d steps"):format(step))
    draw_curve(("training loss, step %d"):format(step))
  end
  if opt.save ~= "none" and (step % opt["save-every"] == 0 or step == opt.iterations) then
    save_checkpoint(opt.save)
  end
end

if done > 0 then
  print(("%d steps in %.1f s of CPU time, %d of them clipped; checkpoint: %s"):format(done, os.clock() - t0, clipped,
    opt.save ~= "none" and opt.save or "not saved"))
end
show_sample(("sample after %d steps"):format(step))
draw_curve(("training loss over %d steps"):format(step))
if #losses > 0 then
  -- the first and last losses, each averaged over a few steps (one chunk is noisy)
  local w = math.max(1, math.min(10, #losses // 4))
  local function mean(a, b)
    local s = 0
    for i = a, b do s = s + losses[i] end
    return s / (b - a + 1)
  end
  print(("loss: first %.4f, last %.4f (mean of the first and the last %d steps; step %d)"):format(
    mean(1, w), mean(#losses - w + 1, #losses), w, step))
end
