-- w1_jazz.lua — "Improvise a jazz solo with an LSTM" (the course's Week 1,
-- W1A3), end to end: train on a corpus, improvise, write a MIDI file.
--
-- What it shows
--   * The data: assets/music/jazz_corpus.mid, a melody over chord changes
--     (ii-V-I, minor ii-V-i, turnarounds, blues).  The music module turns the
--     melody into "values": 90 tokens, each a musical move and a duration,
--     e.g. "3^ 2/3" = for 2/3 of a beat, play the chord's third above the
--     last note.  Tokens name no key, so the model learns phrasing, not keys.
--   * The course's model: ONE LSTM cell (64 units) and ONE dense layer,
--     shared by all Tx = 30 time steps.  At step t the cell reads x<t> (a
--     one-hot token) and its state (a, c) and the dense layer scores the
--     next token y<t> = x<t+1>.  The loss is the sum over the 30 steps of
--     the cross-entropy, as Keras reports it (so it starts near
--     30 * ln(90) = 135).  m = 60 windows of the corpus, shuffled each
--     epoch into mini-batches of 32 as Keras's fit does; Adam, lr 0.01 with
--     the course's decay lr / (1 + 0.01 * updates).
--   * Improvisation: start from a zero input and state; at each step the
--     cell's output goes through the dense layer, a token is sampled
--     (seq.sample, --temperature) and fed back in as the next input, until
--     the solo fills the chord changes.  The course takes the argmax
--     instead (--temperature 0): one fixed solo per trained model, where
--     sampling gives a new one for every --seed.
--   * The tokens become notes over a chord progression (music.detokenize),
--     a walking bass and chords are added (music.accompany), and the result
--     is written with seq.midi.write to a .mid file you can play
--     (timidity, fluidsynth, a DAW, or a browser MIDI player).
--   * A piano roll of the solo (viz.heatmap): pitch against time.
--
-- How to run it
--   seqlab run scripts/w1_jazz.lua                    300 epochs, ~6 s
--   seqlab run scripts/w1_jazz.lua --quick            20 epochs, one chorus, ~1 s
--   seqlab run scripts/w1_jazz.lua --out solo.mid --progression ii-V-I --key Bb --choruses 4
--   options: --epochs N  --every N  --out PATH (default jazz_solo.mid)
--            --progression NAME (ii-V-I, ii-V-i, I-vi-ii-V, iii-VI-ii-V-I,
--            blues)  --key K  --choruses N  --temperature X  --tempo BPM
--            --hidden N  --Tx N  --m N  --batch N  --lr X  --seed N
--            --quick  --help
--
-- What to look for
--   * The loss falls from ~135 to ~12 (0.4 per step).  The corpus is
--     small (1,161 tokens) and the 60 windows overlap, so the model ends up
--     knowing much of it by heart: the course's model does the same (its
--     loss ends near 9).  Our LSTM starts the PyTorch way and needs more
--     epochs than the course's 100 in Keras.
--   * The solo's tokens and the piano roll: phrases of a few bars, rests
--     between them, lines that move by steps and leaps.  Lower the
--     temperature for safer lines, raise it (1.5) for more leaps and
--     approach tones.
--   * Then play the .mid file.

local nn = require "nn"
local optim = require "optim"
local viz = require "viz"
local music = require "music"
local np = require "np"
local F = nn.functional

-- ---- command line --------------------------------------------------------------

local DEFAULTS = { epochs = 300, every = 25, out = "jazz_solo.mid", progression = "blues", key = "F",
  choruses = 2, temperature = 1.0, tempo = 150, hidden = 64, Tx = 30, m = 60, batch = 32, lr = 0.01, seed = 1,
  quick = false, help = false }
local QUICK = { epochs = 20, every = 5, choruses = 1,
  out = (os.getenv("TMPDIR") or "/tmp") .. "/w1_jazz_quick.mid" }

local opt, usage_error = require("seqlab.args").parse(arg, {
  script = "w1_jazz.lua", defaults = DEFAULTS, quick = QUICK,
  usage = "usage: seqlab run scripts/w1_jazz.lua [--quick] [--epochs N] [--every N] [--out PATH]\n" ..
    "       [--progression NAME] [--key K] [--choruses N] [--temperature X] [--tempo BPM]\n" ..
    "       [--hidden N] [--Tx N] [--m N] [--batch N] [--lr X] [--seed N]",
})
for k, min in pairs({ epochs = 0, every = 1, choruses = 1, hidden = 1, Tx = 1, m = 1, batch = 1, seed = 0 }) do
  opt[k] = math.tointeger(opt[k])
  if not opt[k] or opt[k] < min then usage_error(("--%s must be a whole number >= %d"):format(k, min)) end
end
if not music.PROGRESSIONS[opt.progression] then
  usage_error(("unknown progression '%s' (one of: %s)"):format(opt.progression,
    table.concat(music.PROGRESSION_NAMES, ", ")))
end

local function find_asset(rel)
  local dir = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
  for _, p in ipairs({ dir .. "/../assets/" .. rel, "assets/" .. rel }) do
    local f = io.open(p, "r")
    if f then f:close(); return p end
  end
  error("cannot find assets/" .. rel .. " (run from the seqlab folder)", 0)
end

-- ---- the data ---------------------------------------------------------------------------

local corpus_path = find_asset("music/jazz_corpus.mid")
local corpus = music.load_corpus(corpus_path)
local n_values = music.VOCAB_SIZE -- 90, the course's n_values
local Tx, m = opt.Tx, opt.m
-- X (m, Tx, 90): m one-hot windows of Tx tokens; Y (Tx, m, 90): the next tokens
local X, Y = music.training_data(corpus.tokens, Tx, m)
X = X:float()
local targets = Y:argmax(3) -- (Tx, m): the index of each one-hot target
local seen, distinct = {}, 0
for _, t in ipairs(corpus.tokens) do
  if not seen[t] then seen[t], distinct = true, distinct + 1 end
end
print(("%s: %d melody notes over %d chords -> %d tokens (%d distinct of %d)"):format(corpus_path,
  #corpus.melody, #corpus.chords, #corpus.tokens, distinct, n_values))
print(("number of training examples: %d, Tx: %d, X %s, Y %s"):format(m, Tx,
  nn.utils.shape_str(X), nn.utils.shape_str(Y)))
local first = {}
for i = 1, 8 do first[i] = music.vocab[corpus.tokens[i]] end
print("the corpus starts: " .. table.concat(first, " | "))

-- ---- the model: one LSTM cell and one dense layer, shared over the Tx steps -----------------------

seq.manual_seed(opt.seed)
local n_a = opt.hidden
local LSTM_cell = nn.LSTMCell(n_values, n_a)
local densor = nn.Linear(n_a, n_values) -- scores; softmax is inside the loss and the sampler
local params = {}
for _, mod in ipairs({ LSTM_cell, densor }) do
  for _, p in ipairs(mod:parameters()) do params[#params + 1] = p end
end
local n_params = LSTM_cell:num_parameters() + densor:num_parameters()
-- (Keras's LSTM has one bias vector per gate, PyTorch's two, b_ih and b_hh:
-- 4 * 64 = 256 more numbers than the course's 45,530, for the same model.)
print(("LSTM cell %d + dense %d = %d parameters (the course's Keras model: 45,530, one bias fewer)"):format(
  LSTM_cell:num_parameters(), densor:num_parameters(), n_params))

-- The course's djmodel: for t = 1..Tx, x = X[:, t, :]; a, c = LSTM_cell(x, [a, c]);
-- out = densor(a).  Returns the loss summed over the Tx outputs, for the
-- examples (windows) listed in idx.
local function djmodel_loss(idx)
  local Xb, Yb = X:index_select(1, idx), targets:index_select(2, idx) -- (b, Tx, 90), (Tx, b)
  local a, c -- nil: zeros, the course's a0 and c0
  local loss = 0
  for t = 1, Tx do
    local x = Xb:select(2, t) -- (b, 90)
    a, c = LSTM_cell(x, a and { a, c })
    loss = loss + F.cross_entropy(densor(a), Yb[t])
  end
  return loss
end

-- Keras's model.fit: each epoch shuffles the m examples and takes them in
-- mini-batches of 32 (so 2 updates per epoch for m = 60).
local adam = optim.Adam(params, { lr = opt.lr, betas = { 0.9, 0.999 } })
local losses, updates = {}, 0
print(("\ntraining for %d epochs: mini-batches of %d, Adam lr %g / (1 + 0.01 * update)"):format(
  opt.epochs, opt.batch, opt.lr))
np.random.seed(opt.seed)
local t0 = os.clock()
for epoch = 1, opt.epochs do
  local perm = np.random.permutation(m):totable()
  local sum, count = 0, 0
  for start = 1, m, opt.batch do
    local idx = {}
    for i = start, math.min(m, start + opt.batch - 1) do idx[#idx + 1] = perm[i] + 1 end
    adam.lr = opt.lr / (1 + 0.01 * updates) -- Keras's "decay=0.01", per update
    adam:zero_grad()
    local loss = djmodel_loss(idx)
    loss:backward()
    adam:step()
    updates = updates + 1
    sum, count = sum + loss:item() * #idx, count + #idx
  end
  losses[epoch] = sum / count -- the epoch's mean, as Keras prints it
  if epoch == 1 or epoch % opt.every == 0 or epoch == opt.epochs then
    print(("epoch %4d/%d  loss %8.3f  (%.2f per step)"):format(epoch, opt.epochs, losses[epoch],
      losses[epoch] / Tx))
  end
end
if opt.epochs > 0 then
  print(("trained in %.1f s of CPU time"):format(os.clock() - t0))
  if opt.epochs > 1 then
    viz.line({ loss = losses }, { title = ("training loss (summed over the %d steps)"):format(Tx),
      xlabel = "epoch", height = 12 })
  end
end

-- ---- improvise --------------------------------------------------------------------------------

-- The chord changes: --choruses times round the progression in --key.
local chords, total = {}, 0
for _ = 1, opt.choruses do
  for _, ch in ipairs(music.progression(opt.progression, opt.key, total)) do chords[#chords + 1] = ch end
  total = chords[#chords].start + chords[#chords].dur
end

-- The course's music_inference_model, sampling instead of argmax: feed each
-- sampled token back in, until the tokens fill `total` beats.
local function improvise(beats, temperature, seed)
  local g = seq.Generator(seed)
  local ids, t = {}, 0
  seq.no_grad(function()
    local x = seq.zeros(1, n_values) -- x0: no token yet
    local a, c
    while t < beats - 1e-9 do
      a, c = LSTM_cell(x, a and { a, c })
      local scores = densor(a)[1] -- (90)
      local id = seq.sample(scores, { logits = true, temperature = temperature, rng = g })
      ids[#ids + 1] = id
      t = t + music.token_info(id).beats
      x = seq.one_hot({ id }, n_values) -- (1, 90)
    end
  end)
  return ids
end

local ids = improvise(total, opt.temperature, opt.seed)
-- tokens -> notes (channel 0); a line that drifts out of the corpus's range,
-- A3 to A5, is folded back by octaves
local solo = music.detokenize(ids, chords, { lo = 57, hi = 81 })
-- the last token may run past the end of the changes: cut it there
for _, n in ipairs(solo) do n.dur = math.min(n.dur, total - n.start) end
local names = {}
for i = 1, math.min(16, #ids) do names[i] = music.vocab[ids[i]] end
print(("\nthe solo: %d tokens over %d choruses of %s in %s (%d beats), temperature %g"):format(
  #ids, opt.choruses, opt.progression, opt.key, total, opt.temperature))
print("first tokens: " .. table.concat(names, " | ") .. (#ids > 16 and " | ..." or ""))
local pitches = {}
for i = 1, math.min(16, #solo) do pitches[i] = music.pitch_name(solo[i].pitch) end
print(("%d notes; first notes: %s"):format(#solo, table.concat(pitches, " ")))

-- the piano roll, one chorus at a time (the first two): a column is 1/3
-- beat when it fits, coarser for long progressions
local chorus_len = total / opt.choruses
local step = math.max(1, math.ceil(chorus_len * 3 / 96)) / 3
for k = 1, math.min(2, opt.choruses) do
  local from = (k - 1) * chorus_len
  local roll, roll_opts = music.piano_roll(solo, { step = step, from = from, to = from + chorus_len,
    lo = 57, hi = 81 })
  roll_opts.height = 81 - 57 + 1 + 3 -- a row per pitch, plus the title and the colour bar
  roll_opts.title = ("piano roll, chorus %d of %d (a column is %s beat)"):format(k, opt.choruses,
    step == 1 / 3 and "1/3" or step == 2 / 3 and "2/3" or ("%g"):format(step))
  viz.heatmap(roll, roll_opts)
end

-- ---- write the MIDI file ------------------------------------------------------------------------

local notes = {}
for _, n in ipairs(solo) do notes[#notes + 1] = n end
for _, n in ipairs(music.accompany(chords, { seed = opt.seed })) do notes[#notes + 1] = n end
local ok, err = seq.midi.write(opt.out, notes, { tempo = opt.tempo, length = total })
if not ok then error("cannot write " .. opt.out .. ": " .. tostring(err), 0) end
print(("wrote %s: %d notes (melody %d on channel 0, chords and bass on 1 and 2), %d beats at %d bpm = %.0f s"):format(
  opt.out, #notes, #solo, total, opt.tempo, total * 60 / opt.tempo))
print("play it with e.g.  timidity " .. opt.out .. "   or   fluidsynth -i SOUNDFONT.sf2 " .. opt.out)
if #losses > 0 then
  local w = math.max(1, math.min(5, #losses // 4))
  local function mean(a, b)
    local s = 0
    for i = a, b do s = s + losses[i] end
    return s / (b - a + 1)
  end
  print(("loss: first %.4f, last %.4f (mean of the first and the last %d epochs)"):format(
    mean(1, w), mean(#losses - w + 1, #losses), w))
end
