-- test_music.lua — seq.midi (read/write from Lua) and the music module: the
-- 90-token vocabulary, tokenize/detokenize against hand-worked examples and
-- as exact inverses on generated melodies, generator determinism and its
-- musical rules, the accompaniment, the shipped corpus file, training data
-- shapes and the piano roll.
-- Run with `seqlab run tests/lua/test_music.lua`; prints TAP.
local T = dofile("tests/lua/tap.lua")
local music = require("music")

local CORPUS = "assets/music/jazz_corpus.mid"

local function tmpfile()
  local p = os.tmpname()
  return p
end

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function cmaj() return { { name = "Cmaj7", root = 0, quality = "maj7", start = 0, dur = 16 } } end

-- comparable copies of notes (drops fields such as track)
local function plain(notes)
  local out = {}
  for i, n in ipairs(notes) do
    out[i] = { start = n.start, dur = n.dur, pitch = n.pitch, velocity = n.velocity, channel = n.channel }
  end
  return out
end

local function tok(name) -- token id from its name, e.g. "3^ 2/3"
  for id, n in ipairs(music.vocab) do if n == name then return id end end
  error("no token named " .. name)
end

-- ---- vocabulary ----------------------------------------------------------------

T.test("the vocabulary has 90 distinct tokens", function()
  T.eq(music.VOCAB_SIZE, 90)
  T.eq(#music.vocab, 90)
  local seen = {}
  for _, name in ipairs(music.vocab) do
    T.ok(not seen[name], "duplicate token name " .. name)
    seen[name] = true
  end
  T.eq(#music.ACTIONS * #music.DURATIONS, 90)
end)

T.test("token_info decodes action and duration", function()
  local i = music.token_info(tok("3^ 2/3"))
  T.eq({ i.class, i.dir, i.units }, { 2, 1, 2 })
  i = music.token_info(tok("13v 4/3"))
  T.eq({ i.class, i.dir, i.units }, { 7, -1, 4 })
  T.ok(music.token_info(tok("rest 2")).rest)
  T.ok(music.token_info(tok("= 1/3")).repeat_)
  T.close(music.token_info(tok("Av 1")).beats, 1)
  T.raises(function() music.token_info(0) end, "not an integer from 1 to 90")
  T.raises(function() music.token_info(91) end, "not an integer from 1 to 90")
  T.raises(function() music.token_info(2.5) end, "not an integer")
end)

-- ---- chords ---------------------------------------------------------------------

T.test("parse_chord reads roots, accidentals and qualities", function()
  T.eq(music.parse_chord("Bbm7b5"), { root = 10, quality = "m7b5", name = "Bbm7b5" })
  T.eq(music.parse_chord("F#7").root, 6)
  T.eq(music.parse_chord("Cb7b9").root, 11)
  T.eq(music.parse_chord("Ddim7").quality, "dim7")
  T.raises(function() music.parse_chord("H7") end, "cannot read chord 'H7'")
  T.raises(function() music.parse_chord("Cmaj9") end, "cannot read chord")
end)

T.test("class_of names chord tones, tensions and approach tones", function()
  local g7 = music.parse_chord("G7")
  -- worked by hand: G B D F are chord tones, A C E tensions, the rest approach
  T.eq(music.class_of(67, g7), 1) -- G
  T.eq(music.class_of(71, g7), 2) -- B
  T.eq(music.class_of(62, g7), 3) -- D
  T.eq(music.class_of(65, g7), 4) -- F
  T.eq(music.class_of(69, g7), 5) -- A  (9th)
  T.eq(music.class_of(72, g7), 6) -- C  (11th)
  T.eq(music.class_of(76, g7), 7) -- E  (13th)
  T.eq(music.class_of(68, g7), 8) -- Ab
  T.eq(music.class_of(68, music.parse_chord("G7b9")), 5) -- Ab is the b9 there
end)

T.test("progression transposes and lays chords end to end", function()
  local p = music.progression("ii-V-I", "Bb", 8)
  T.eq(#p, 3)
  T.eq({ p[1].name, p[2].name, p[3].name }, { "Cm7", "F7", "Bbmaj7" })
  T.eq({ p[1].start, p[2].start, p[3].start, p[3].dur }, { 8, 12, 16, 8 })
  local b = music.progression("blues", "F")
  local total = 0
  for _, c in ipairs(b) do total = total + c.dur end
  T.eq(total, 48) -- 12 bars
  T.raises(function() music.progression("giant steps", "C") end, "unknown progression")
end)

-- ---- tokenize / detokenize by hand ------------------------------------------------

local HAND_TOKENS = { "3^ 1", "5v 2/3", "= 1/3", "rest 1", "A^ 1", "9^ 2" }
-- from the reference G4 (67) over Cmaj7: E5 (nearest E above), G4 (nearest G
-- below), G4 again, a beat of rest, G#4 (the nearest pitch outside C major
-- above G4), D5 (the 9th of C: the nearest D above G#4).  Velocities follow
-- the onset: 100 on beat 1, 88 on other beats, 72 off the beat.
local HAND_NOTES = {
  { start = 0, dur = 1, pitch = 76, velocity = 100, channel = 0 },
  { start = 1, dur = 2 / 3, pitch = 67, velocity = 88, channel = 0 },
  { start = 5 / 3, dur = 1 / 3, pitch = 67, velocity = 72, channel = 0 },
  { start = 3, dur = 1, pitch = 68, velocity = 88, channel = 0 },
  { start = 4, dur = 2, pitch = 74, velocity = 100, channel = 0 },
}

T.test("detokenize realises tokens as worked out by hand", function()
  local ids = {}
  for i, n in ipairs(HAND_TOKENS) do ids[i] = tok(n) end
  T.eq(music.detokenize(ids, cmaj()), HAND_NOTES)
  -- another reference pitch moves everything
  local notes = music.detokenize({ tok("R^ 1") }, cmaj(), { ref = 60, start = 2, channel = 3 })
  T.eq(notes, { { start = 2, dur = 1, pitch = 72, velocity = 88, channel = 3 } })
end)

T.test("tokenize inverts the hand example", function()
  local ids = {}
  for i, n in ipairs(HAND_TOKENS) do ids[i] = tok(n) end
  T.eq(music.tokenize(HAND_NOTES, cmaj()), ids)
end)

T.test("tokenize keeps the top voice, rounds to 1/3 beat and splits long notes", function()
  local notes = {
    { start = 0.02, dur = 0.9, pitch = 64, channel = 0 }, -- E4 with a lower C4
    { start = 0, dur = 1, pitch = 60, channel = 0 },
    { start = 1.01, dur = 3, pitch = 67, channel = 0 },    -- 3 beats: 2 + a rest
    { start = 4.5, dur = 0.5, pitch = 83, channel = 0 },   -- onset 4.5 -> 4 2/3 (rounded)
    { start = 7, dur = 1, pitch = 99, channel = 5 },       -- another channel
  }
  local got = music.tokenize(notes, cmaj(), { channel = 0, stop = 6 })
  local want = {}
  -- E4 (3rd, below the reference G4), G4 held 2 of its 3 beats, the gap of
  -- 5/3 beat split longest first, B5 (7th) for 2/3, rests up to `stop`
  for i, n in ipairs({ "3v 1", "5^ 2", "rest 4/3", "rest 1/3", "7^ 2/3", "rest 2/3" }) do want[i] = tok(n) end
  T.eq(got, want)
end)

T.test("a leap of more than an octave lands on the nearest pitch of its class", function()
  local notes = { { start = 0, dur = 1, pitch = 60, channel = 0 }, { start = 1, dur = 1, pitch = 76, channel = 0 } }
  local ids = music.tokenize(notes, cmaj(), { ref = 60 })
  T.eq(ids, { tok("= 1"), tok("3^ 1") })
  T.eq(music.detokenize(ids, cmaj(), { ref = 60 })[2].pitch, 64) -- documented loss
end)

T.test("detokenize folds drifting samples back into range", function()
  local ids = {}
  for i = 1, 40 do ids[i] = tok("R^ 1/3") end -- an octave up each time
  local notes = music.detokenize(ids, cmaj(), { lo = 48, hi = 84 })
  for _, n in ipairs(notes) do T.ok(n.pitch >= 48 and n.pitch <= 84, "pitch " .. n.pitch) end
  T.raises(function() music.detokenize({ 1, 95 }, cmaj()) end, "token 2")
end)

-- ---- the generator ------------------------------------------------------------

local function sections()
  local out = {}
  for i, name in ipairs(music.PROGRESSION_NAMES) do
    out[i] = music.progression(name, music.CORPUS_KEYS[i])
  end
  return out
end

T.test("the generator is deterministic per seed", function()
  local chords = music.progression("blues", "Bb")
  local a = music.generate(chords, { seed = 7 })
  local b = music.generate(chords, { seed = 7 })
  local c = music.generate(chords, { seed = 8 })
  T.eq(a.tokens, b.tokens)
  T.eq(a.notes, b.notes)
  local same = #a.tokens == #c.tokens
  if same then
    for i = 1, #a.tokens do same = same and a.tokens[i] == c.tokens[i] end
  end
  T.ok(not same, "seeds 7 and 8 gave the same melody")
  T.raises(function() music.generate(chords, { seed = 1.5 }) end, "seed must be an integer")
end)

T.test("tokenize and detokenize are exact inverses on generated melodies", function()
  for seed = 1, 12 do
    for _, chords in ipairs(sections()) do
      local m = music.generate(chords, { seed = seed })
      T.eq(music.tokenize(m.notes, chords, { start = m.start, stop = m.stop }), m.tokens,
        "tokenize, seed " .. seed)
      T.eq(music.detokenize(m.tokens, chords, { start = m.start }), m.notes, "detokenize, seed " .. seed)
    end
  end
end)

T.test("generated melodies follow the rules", function()
  for seed = 1, 8 do
    for _, chords in ipairs(sections()) do
      local m = music.generate(chords, { seed = seed })
      local units = 0
      for _, id in ipairs(m.tokens) do
        T.ok(math.type(id) == "integer" and id >= 1 and id <= 90)
        units = units + music.token_info(id).units
      end
      local last = chords[#chords]
      T.eq(units, (last.start + last.dur) * 3, "tokens fill the progression")
      for _, n in ipairs(m.notes) do
        T.ok(n.pitch >= 57 and n.pitch <= 81, "range A3..A5: " .. n.pitch)
        local u = math.floor(n.start * 3 + 0.5)
        if u % 6 == 0 then -- beats 1 and 3: a chord tone
          local class = music.class_of(n.pitch, music.chord_at(chords, n.start))
          T.ok(class <= 4, ("beat %g: class %d"):format(n.start, class))
        end
      end
    end
  end
end)

T.test("a melody starts where it is told", function()
  local chords = music.progression("ii-V-I", "D", 32)
  local m = music.generate(chords, { seed = 3, channel = 4 })
  T.eq(m.start, 32)
  T.eq(m.stop, 48)
  for _, n in ipairs(m.notes) do
    T.ok(n.start >= 32 and n.start + n.dur <= 48 + 1e-9)
    T.eq(n.channel, 4)
  end
end)

-- ---- accompaniment ----------------------------------------------------------------

T.test("chords_from_notes reads back the accompaniment's chords", function()
  local chords = {}
  for _, s in ipairs(sections()) do
    local off = #chords > 0 and chords[#chords].start + chords[#chords].dur or 0
    for _, c in ipairs(s) do
      chords[#chords + 1] = { name = c.name, root = c.root, quality = c.quality, start = c.start + off, dur = c.dur }
    end
  end
  local acc = music.accompany(chords, { seed = 2 })
  T.eq(music.chords_from_notes(acc, 1), chords)
  local bass = 0
  for _, n in ipairs(acc) do if n.channel == 2 then bass = bass + 1 end end
  T.eq(bass, chords[#chords].start + chords[#chords].dur) -- a quarter note per beat
  T.raises(function()
    music.chords_from_notes({ { start = 0, dur = 1, pitch = 60, channel = 1 },
      { start = 0, dur = 1, pitch = 61, channel = 1 } })
  end, "not a known voicing")
end)

-- ---- seq.midi from Lua ----------------------------------------------------------------

T.test("seq.midi.write then read restores generated notes exactly", function()
  local chords = music.progression("iii-VI-ii-V-I", "Eb")
  local m = music.generate(chords, { seed = 5 })
  local path = tmpfile()
  for _, o in ipairs({ {}, { format = 0 }, { running_status = false, ticks_per_beat = 96 } }) do
    T.eq(seq.midi.write(path, m.notes, o), true)
    local p = assert(seq.midi.read(path))
    T.eq(plain(p.notes), m.notes)
    T.eq(p.format, o.format or 1)
    T.eq(p.ticks_per_beat, o.ticks_per_beat or 480)
  end
  os.remove(path)
end)

T.test("seq.midi.read reports tempo, time signature and length", function()
  local path = tmpfile()
  local notes = { { start = 0, dur = 1, pitch = 60 }, { start = 1 / 3, dur = 0.5, pitch = 64, velocity = 30, channel = 9 } }
  assert(seq.midi.write(path, notes, { tempos = { { beat = 0, bpm = 100 }, { beat = 2, bpm = 150 } },
    time_signature = { 3, 4 }, length = 6, ticks_per_beat = 96 }))
  local p = assert(seq.midi.read(path))
  T.eq(p.tempo, 100)
  T.eq(p.tempos, { { beat = 0, bpm = 100 }, { beat = 2, bpm = 150 } })
  T.eq(p.time_signature, { 3, 4 })
  T.eq(p.time_signatures, { { beat = 0, numerator = 3, denominator = 4 } })
  T.eq(p.length, 6)
  T.close(p.seconds, 2 * 0.6 + 4 * 0.4, 1e-12)
  T.eq(p.ntracks, 3) -- tempo track, channel 0, channel 9
  T.eq(plain(p.notes), {
    { start = 0, dur = 1, pitch = 60, velocity = 100, channel = 0 },
    { start = 1 / 3, dur = 0.5, pitch = 64, velocity = 30, channel = 9 } })
  T.eq(p.notes[2].track, 3)
  -- a piece from read can be written again as it is
  local path2 = tmpfile()
  assert(seq.midi.write(path2, p))
  T.eq(slurp(path2), slurp(path))
  -- MIDI stores whole microseconds per beat: 90 bpm comes back as 60e6 / 666667
  assert(seq.midi.write(path, notes, { tempo = 90 }))
  T.close(assert(seq.midi.read(path)).tempo, 60e6 / 666667, 1e-12)
  os.remove(path)
  os.remove(path2)
end)

T.test("seq.midi.write rejects bad notes and options with clear errors", function()
  local path = tmpfile()
  T.raises(function() seq.midi.write(path, { { start = 0, dur = 1, pitch = 128 } }) end,
    "note 1: 'pitch' must be an integer from 0 to 127")
  T.raises(function() seq.midi.write(path, { { start = 0, dur = 1, pitch = 60, velocity = 0 } }) end,
    "'velocity' must be an integer from 1 to 127")
  T.raises(function() seq.midi.write(path, { { start = 0, dur = 1, pitch = 60 }, { dur = 1, pitch = 60 } }) end,
    "note 2 needs a number 'start'")
  T.raises(function() seq.midi.write(path, { { start = -1, dur = 1, pitch = 60 } }) end,
    "'start' must be a time of 0 beats or more")
  T.raises(function() seq.midi.write(path, { 60 }) end, "note 1 is number")
  T.raises(function() seq.midi.write(path, {}, { tempo = 0 }) end, "tempo")
  T.raises(function() seq.midi.write(path, {}, { format = 2 }) end, "'format' must be an integer from 0 to 1")
  T.raises(function() seq.midi.write(path, {}, { time_signature = { 3, 5 } }) end, "power of two")
  T.raises(function() seq.midi.write(path, "notes") end, "bad argument #2")
  os.remove(path)
end)

T.test("seq.midi.read returns nil and a message for bad files", function()
  local p, err = seq.midi.read("tests/lua/no_such_file.mid")
  T.eq(p, nil)
  T.ok(err:find("no_such_file.mid", 1, true), err)
  local path = tmpfile()
  local f = assert(io.open(path, "wb"))
  f:write("MThd\0\0\0\6\0\1\0\2\1\224MTrk\0\0\0\4\0\255\47\0") -- says 2 tracks, has 1
  f:close()
  p, err = seq.midi.read(path)
  T.eq(p, nil)
  T.ok(err:find("ends after 1 of 2 tracks", 1, true), err)
  p, err = seq.midi.read("tests/lua/tap.lua")
  T.ok(p == nil and err:find("not a Standard MIDI File", 1, true), err)
  local ok, dir_err = seq.midi.write("/nonexistent-dir/x.mid", {})
  T.eq(ok, nil)
  T.ok(dir_err:find("x.mid", 1, true), dir_err)
  os.remove(path)
end)

-- ---- the shipped corpus -----------------------------------------------------------------

T.test("jazz_corpus.mid is what scripts/gen_jazz_corpus.lua makes", function()
  local c = music.corpus()
  local path = tmpfile()
  assert(seq.midi.write(path, c.notes, { tempo = c.tempo, ticks_per_beat = 480 }))
  T.ok(slurp(path) == slurp(CORPUS), "the shipped file differs from music.corpus(); "
    .. "rerun: seqlab run scripts/gen_jazz_corpus.lua")
  os.remove(path)
end)

T.test("load_corpus recovers chords and tokens from the MIDI file", function()
  local c = music.corpus()
  local loaded = music.load_corpus(CORPUS)
  T.eq(loaded.piece.tempo, 150)
  T.eq(#loaded.chords, #c.chords)
  for i, ch in ipairs(c.chords) do
    T.eq(loaded.chords[i], ch, "chord " .. i)
  end
  T.eq(plain(loaded.melody), c.melody)
  T.eq(loaded.tokens, c.tokens)
  T.ok(#c.tokens > 1000, "a corpus of a few minutes")
  T.ok(c.length / c.tempo >= 3, "at least three minutes")
end)

T.test("training_data builds the course's one-hot shapes", function()
  local tokens = music.corpus().tokens
  local X, Y = music.training_data(tokens, 30, 60)
  T.eq(X:shape(), { 60, 30, 90 })
  T.eq(Y:shape(), { 30, 60, 90 })
  T.close(X:sum(), 60 * 30)
  T.close(Y:sum(), 60 * 30)
  -- window 1 starts at the first token, window 60 ends at the last
  T.close(X[1][1][tokens[1]], 1)
  T.close(Y[30][60][tokens[#tokens]], 1)
  -- Y at t is X at t + 1
  T.close(Y:narrow(1, 1, 29):permute(2, 1, 3), X:narrow(2, 2, 29))
  T.raises(function() music.training_data({ 1, 2 }, 30, 1) end, "cannot make windows")
end)

-- ---- piano roll -------------------------------------------------------------------------

T.test("piano_roll marks the cells each note sounds in", function()
  local notes = {
    { start = 0, dur = 1, pitch = 62, velocity = 127 },
    { start = 1, dur = 1 / 3, pitch = 60, velocity = 127 },
  }
  local roll, opts = music.piano_roll(notes, { binary = true })
  T.eq(#roll, 3) -- D4, Db4, C4
  T.eq(opts.ylabels, { "D4", "Db4", "C4" })
  T.eq(roll, { { 1, 1, 1, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 1 } })
  local roll2 = music.piano_roll(notes, { step = 1, lo = 60, hi = 61, from = 0, to = 3 })
  T.eq(roll2, { { 0, 0, 0 }, { 0, 1, 0 } })
  T.eq(opts.min, 0)
  T.eq(opts.max, 1)
end)

T.done()
