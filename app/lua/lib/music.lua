-- music.lua — jazz-like melodies for the Week 1 LSTM lab: chord progressions,
-- a seeded melody generator, the course-style "value" vocabulary (tokens),
-- tokenise/detokenise, a walking-bass-and-chords accompaniment, and a piano
-- roll for viz.heatmap.  MIDI files go through seq.midi (C); this module only
-- works on Lua tables of notes {start=, dur=, pitch=, velocity=, channel=}
-- with times in beats.
--
-- The vocabulary (music.VOCAB_SIZE = 90, like the course's n_values = 90)
-- ------------------------------------------------------------------------
-- Time runs on a grid of 1/3 beat ("units"): swung eighths are 2/3 + 1/3,
-- triplets 1/3 each.  A melody is a gap-free chain of tokens; each token is
-- an ACTION and a DURATION, id = (action - 1) * 5 + duration_index:
--
--   durations (beats)   1/3  2/3  1  4/3  2         (units 1 2 3 4 6)
--   actions             R^ Rv  3^ 3v  5^ 5v  7^ 7v   chord tones
--                       9^ 9v 11^ 11v 13^ 13v        tensions (chord scale)
--                       A^ Av                        approach: not in the scale
--                       =                            repeat the last pitch
--                       .                            rest
--
-- "3^" means: the nearest pitch strictly above the previous note that is
-- the third of the chord sounding at this token's onset ("v": below).  The
-- class of a pitch comes from its interval above the chord root: each chord
-- quality names its 4 chord tones and 3 tensions (its chord scale), and
-- the 5 remaining pitch classes are approach tones.  Tokens never name a
-- key or an octave, so one tokenised phrase fits every key.
--
-- Round trips.  The generator chooses tokens and realises them with the
-- same rule as detokenize, so detokenize(generate().tokens) == generated
-- notes and tokenize(generated notes) == tokens, exactly.  Other melodies
-- lose detail: onsets are rounded to 1/3 beat, polyphony is reduced to the
-- highest voice, durations become the longest class that fits (the rest of
-- the time becomes rests), and a leap of an octave or more lands on the
-- nearest pitch of its class instead.
local M = {}

-- ---- vocabulary -----------------------------------------------------------

M.UNITS_PER_BEAT = 3
M.DUR_UNITS = { 1, 2, 3, 4, 6 }
M.DUR_NAMES = { "1/3", "2/3", "1", "4/3", "2" }
M.DURATIONS = {}
for i, u in ipairs(M.DUR_UNITS) do M.DURATIONS[i] = u / 3 end

-- classes: 1 root, 2 third, 3 fifth, 4 seventh, 5 ninth, 6 eleventh,
-- 7 thirteenth, 8 approach
M.CLASS_NAMES = { "R", "3", "5", "7", "9", "11", "13", "A" }
M.ACTIONS = {}
for c, name in ipairs(M.CLASS_NAMES) do
  M.ACTIONS[#M.ACTIONS + 1] = name .. "^"
  M.ACTIONS[#M.ACTIONS + 1] = name .. "v"
end
M.ACTIONS[#M.ACTIONS + 1] = "="
M.ACTIONS[#M.ACTIONS + 1] = "."
local ACT_REPEAT, ACT_REST = #M.ACTIONS - 1, #M.ACTIONS -- 17, 18
local NDUR = #M.DUR_UNITS
M.VOCAB_SIZE = #M.ACTIONS * NDUR -- 90

M.vocab = {}
for a, an in ipairs(M.ACTIONS) do
  for d, dn in ipairs(M.DUR_NAMES) do
    M.vocab[(a - 1) * NDUR + d] = (an == "." and "rest" or an) .. " " .. dn
  end
end

-- token id from an action number (1..18) and a duration index (1..5)
local function token_id(action, dur) return (action - 1) * NDUR + dur end

-- the index of the longest duration of at most `n` (n >= 1)
local function longest_fit(n)
  local d = NDUR
  while M.DUR_UNITS[d] > n do d = d - 1 end
  return d
end

-- Appends rest tokens filling n units, longest first: generate and tokenize
-- both split silence this way, so they agree token for token.
local function append_rests(tokens, n)
  while n > 0 do
    local d = longest_fit(n)
    tokens[#tokens + 1] = token_id(ACT_REST, d)
    n = n - M.DUR_UNITS[d]
  end
end

--- music.token_info(id) -> {action=, class=, dir=, units=, beats=, rest=, repeat_=}
function M.token_info(id)
  if math.type(id) ~= "integer" or id < 1 or id > M.VOCAB_SIZE then
    error(("music: token %s is not an integer from 1 to %d"):format(tostring(id), M.VOCAB_SIZE), 2)
  end
  local a, d = (id - 1) // NDUR + 1, (id - 1) % NDUR + 1
  local info = { action = a, name = M.vocab[id], units = M.DUR_UNITS[d], beats = M.DURATIONS[d] }
  if a == ACT_REST then
    info.rest = true
  elseif a == ACT_REPEAT then
    info.repeat_ = true
  else
    info.class = (a + 1) // 2
    info.dir = a % 2 == 1 and 1 or -1
  end
  return info
end

-- ---- chords -----------------------------------------------------------------

-- Each quality: its chord tones (root, 3rd, 5th, 7th) and tensions (9th, 11th,
-- 13th) as semitones above the root.  Chord scales stay inside the key of a
-- ii-V-I: maj7 ionian, m7 dorian, 7 mixolydian, m7b5 locrian, 7b9 the fifth
-- mode of harmonic minor, dim7 half-whole diminished.
M.QUALITIES = {
  maj7 = { 0, 4, 7, 11, 2, 5, 9 },
  m7 = { 0, 3, 7, 10, 2, 5, 9 },
  ["7"] = { 0, 4, 7, 10, 2, 5, 9 },
  m7b5 = { 0, 3, 6, 10, 1, 5, 8 },
  ["7b9"] = { 0, 4, 7, 10, 1, 5, 8 },
  dim7 = { 0, 3, 6, 9, 2, 5, 8 },
}
-- interval (0..11) -> class (1..8), per quality
local CLASS_OF = {}
for q, iv in pairs(M.QUALITIES) do
  local t = {}
  for i = 0, 11 do t[i] = 8 end
  for c, x in ipairs(iv) do t[x] = c end
  CLASS_OF[q] = t
end

local NOTE_NAMES = { "C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B" }
local LETTER_PC = { C = 0, D = 2, E = 4, F = 5, G = 7, A = 9, B = 11 }

--- music.pitch_name(60) -> "C4"
function M.pitch_name(p)
  return NOTE_NAMES[p % 12 + 1] .. tostring(p // 12 - 1)
end

local function chord_name(root, quality)
  return NOTE_NAMES[root % 12 + 1] .. quality
end

--- music.parse_chord("Bbm7b5") -> {root = 10, quality = "m7b5", name = "Bbm7b5"}
function M.parse_chord(s)
  local letter, acc, q = tostring(s):match("^([A-G])([#b]?)(.*)$")
  if not letter or not M.QUALITIES[q] then
    error(("music: cannot read chord '%s' (expected a root A-G, optional # or b, and one of maj7 m7 7 m7b5 7b9 dim7)")
      :format(tostring(s)), 2)
  end
  local root = (LETTER_PC[letter] + (acc == "#" and 1 or acc == "b" and -1 or 0)) % 12
  return { root = root, quality = q, name = chord_name(root, q) }
end

-- The class (1..8) of a MIDI pitch over a chord.
local function class_of(pitch, chord)
  return CLASS_OF[chord.quality][(pitch - chord.root) % 12]
end
M.class_of = class_of

-- The nearest pitch of `class` strictly above (dir 1) or below (dir -1) prev.
local function realise(class, dir, prev, chord)
  for k = 1, 12 do
    local q = prev + dir * k
    if class_of(q, chord) == class then return q end
  end
  error("music: no pitch of class " .. class .. " within an octave") -- unreachable
end

-- Progressions in C: {semitones above the key, quality, beats}.
M.PROGRESSIONS = {
  ["ii-V-I"] = { { 2, "m7", 4 }, { 7, "7", 4 }, { 0, "maj7", 8 } },
  ["ii-V-i"] = { { 2, "m7b5", 4 }, { 7, "7b9", 4 }, { 0, "m7", 8 } },
  ["I-vi-ii-V"] = { { 0, "maj7", 2 }, { 9, "m7", 2 }, { 2, "m7", 2 }, { 7, "7", 2 },
    { 0, "maj7", 2 }, { 9, "m7", 2 }, { 2, "m7", 2 }, { 7, "7", 2 } },
  ["iii-VI-ii-V-I"] = { { 4, "m7", 4 }, { 9, "7", 4 }, { 2, "m7", 4 }, { 7, "7", 4 },
    { 0, "maj7", 8 } },
  blues = { { 0, "7", 4 }, { 5, "7", 4 }, { 0, "7", 4 }, { 0, "7", 4 }, { 5, "7", 4 },
    { 6, "dim7", 4 }, { 0, "7", 4 }, { 9, "7", 4 }, { 2, "m7", 4 }, { 7, "7", 4 },
    { 0, "7", 2 }, { 9, "7", 2 }, { 2, "m7", 2 }, { 7, "7", 2 } },
}
M.PROGRESSION_NAMES = { "ii-V-I", "ii-V-i", "I-vi-ii-V", "iii-VI-ii-V-I", "blues" }

--- music.progression(name, key [, start]) -> chords {{name=, root=, quality=, start=, dur=}, ...}
--- key: "C", "Bb", ... or a pitch class 0..11; start in beats (default 0).
function M.progression(name, key, start)
  local p = M.PROGRESSIONS[name]
  if not p then error(("music: unknown progression '%s'"):format(tostring(name)), 2) end
  local k = type(key) == "number" and key % 12 or M.parse_chord(tostring(key or "C") .. "7").root
  local t, out = start or 0, {}
  for i, c in ipairs(p) do
    local root = (k + c[1]) % 12
    out[i] = { name = chord_name(root, c[2]), root = root, quality = c[2], start = t, dur = c[3] }
    t = t + c[3]
  end
  return out
end

-- The chord sounding at time t (beats); before the first chord the first
-- one, after the last the last one.
local function chord_at(chords, t)
  local lo, hi = 1, #chords
  if hi == 0 then error("music: no chords given", 3) end
  while lo < hi do -- last chord with start <= t (+ a little, for rounding)
    local mid = (lo + hi + 1) // 2
    if chords[mid].start <= t + 1e-9 then lo = mid else hi = mid - 1 end
  end
  return chords[lo]
end
M.chord_at = chord_at

-- ---- a seeded generator ------------------------------------------------------

-- splitmix64 (Steele, Lea, Flood 2014): 64-bit integer arithmetic wraps in
-- Lua 5.4 and >> is a logical shift, so this gives the same stream on every
-- platform, independent of math.random's state.
local function new_rng(seed)
  local s = math.tointeger(seed)
  if not s then error("music: seed must be an integer, got " .. tostring(seed), 3) end
  local r = {}
  function r.u64()
    s = s + 0x9E3779B97F4A7C15
    local z = s
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    return z ~ (z >> 31)
  end
  function r.float() return (r.u64() >> 11) * (1.0 / 9007199254740992.0) end
  function r.int(n) return 1 + math.floor(r.float() * n) end -- 1..n
  -- an index drawn with the given weights
  function r.pick(weights)
    local total = 0
    for _, w in ipairs(weights) do total = total + w end
    local x, acc = r.float() * total, 0
    for i, w in ipairs(weights) do
      acc = acc + w
      if x < acc then return i end
    end
    return #weights
  end
  return r
end
M.new_rng = new_rng

-- Velocity from the metric position (units from the start): accents on the
-- downbeat, then the beats, softer off-beats (the swing "ghosting").  A
-- pure function of time, so detokenize restores it exactly.
local function velocity_at(u)
  if u % 12 == 0 then return 100 end
  if u % 3 == 0 then return 88 end
  return 72
end

-- Rhythm cells, each filling one or two beats: unit durations, negative for
-- a rest.  Swung eighths dominate, with triplets, quarters, anticipations
-- (a note on the last third of a beat tied over the next beat) and pickups.
local CELLS = {
  { units = { 2, 1 }, w = 5 },          -- swung eighths
  { units = { 2, 1, 2, 1 }, w = 4 },
  { units = { 3 }, w = 2 },             -- quarter
  { units = { 1, 1, 1 }, w = 1 },       -- triplet
  { units = { 2, 4 }, w = 1.5 },        -- anticipation across the beat
  { units = { 3, 2, 1 }, w = 1.5 },
  { units = { -2, 1 }, w = 1 },         -- pickup
  { units = { -3 }, w = 0.5 },          -- a breath
  { units = { 6 }, w = 0.5 },           -- half note
}
local CELL_W = {}
for i, c in ipairs(CELLS) do
  c.len = 0
  for _, u in ipairs(c.units) do c.len = c.len + math.abs(u) end
  CELL_W[i] = c.w
end
local UNIT_DUR = {} -- units -> duration index
for i, u in ipairs(M.DUR_UNITS) do UNIT_DUR[u] = i end

local GEN_LO, GEN_HI = 57, 81 -- A3..A5: where generated melodies stay

-- Chooses the class of a note at onset u: chord tones on beats 1 and 3,
-- mostly chord tones on the other beats, colour (tensions, approach tones,
-- repeats) off the beat; a phrase's last note resolves to R, 3 or 5.
local function choose_class(rng, u, final)
  if final then return ({ 1, 2, 3 })[rng.pick({ 2, 3, 2 })] end
  local w
  if u % 6 == 0 then
    w = { 2, 4, 2, 3, 0, 0, 0, 0, 0 }
  elseif u % 3 == 0 then
    w = { 1, 3, 2, 3, 1.5, 0.5, 1, 0, 0.3 }
  else
    w = { 0.5, 1, 1, 1, 2, 1, 1.5, 2, 0.5 }
  end
  return rng.pick(w) -- 9 = repeat
end

--- music.generate(chords, opts) -> melody
--- Jazz-like phrases over `chords` (from music.progression or parse_chord
--- with start/dur).  opts: seed (integer, default 1), ref (the pitch the first
--- interval is taken from, default 67), channel (0), start (beats, default the
--- first chord's start), stop (default the last chord's end).
--- Returns {notes = {...}, tokens = {...}, start =, stop =}; the same seed and
--- chords always give the same melody.
function M.generate(chords, opts)
  opts = opts or {}
  local rng = new_rng(opts.seed or 1)
  if type(chords) ~= "table" or #chords == 0 then error("music.generate: expected a list of chords", 2) end
  local start = opts.start or chords[1].start
  local stop = opts.stop or (chords[#chords].start + chords[#chords].dur)
  local u0 = math.floor(start * 3 + 0.5)
  local total = math.floor((stop - start) * 3 + 0.5)
  local channel = opts.channel or 0
  local prev, dir = opts.ref or 67, 1
  local notes, tokens = {}, {}
  local u, pending = 0, 0 -- units played so far; silence not yet written

  -- Silence is collected and written as rests just before the next note,
  -- so that a breath followed by a pickup splits like any gap.
  local function flush_rest()
    append_rests(tokens, pending)
    pending = 0
  end
  local function emit_rest(len)
    pending, u = pending + len, u + len
  end

  local function emit_note(len, final)
    flush_rest()
    local t = (u0 + u) / 3
    local chord = chord_at(chords, t)
    local class = choose_class(rng, u0 + u, final)
    local pitch, action
    if class == 9 then
      pitch, action = prev, ACT_REPEAT
    else
      if rng.float() < 0.3 then dir = -dir end -- mostly keep the line's direction
      pitch = realise(class, dir, prev, chord)
      if pitch < GEN_LO or pitch > GEN_HI then
        dir = -dir
        pitch = realise(class, dir, prev, chord)
      end
      action = 2 * class - 1 + (dir == 1 and 0 or 1)
    end
    tokens[#tokens + 1] = token_id(action, UNIT_DUR[len])
    notes[#notes + 1] = { start = t, dur = len / 3, pitch = pitch, velocity = velocity_at(u0 + u),
      channel = channel }
    prev = pitch
    u = u + len
  end

  -- Phrases of 1 to 3 bars: rhythm cells of one or two beats, a long chord
  -- tone to end on, then a breath to the end of the bar (or a beat more).
  emit_rest(math.min(total, 3 * (rng.int(3) - 1))) -- enter on beat 1, 2 or 3
  while u < total do
    local bars = rng.pick({ 1, 3, 2 })
    local phrase_end = math.min(total, u + 12 * bars)
    while u < phrase_end do
      local left = phrase_end - u
      if left < 3 then -- only with chords off the beat grid
        emit_rest(left)
      elseif left <= 6 then
        emit_note(left == 6 and rng.float() < 0.5 and 6 or 3, true)
        break
      else
        local cell
        repeat cell = CELLS[rng.pick(CELL_W)] until cell.len <= left - 3
        for _, len in ipairs(cell.units) do
          if len < 0 then emit_rest(-len) else emit_note(len, false) end
        end
      end
    end
    local gap = (12 - u % 12) % 12 + 3 * (rng.int(2) - 1)
    emit_rest(math.min(gap > 0 and gap or 3, total - u))
  end
  flush_rest()
  return { notes = notes, tokens = tokens, start = start, stop = start + u / 3 }
end

-- ---- tokenise / detokenise --------------------------------------------------

local function units(beats) return math.floor(beats * 3 + 0.5) end

--- music.tokenize(notes, chords [, opts]) -> tokens
--- opts: ref (67), start (beats where the token chain starts, default 0),
--- stop (pad with rests up to here), channel (only notes of this channel).
function M.tokenize(notes, chords, opts)
  opts = opts or {}
  local mel = {}
  for _, n in ipairs(notes) do
    if opts.channel == nil or n.channel == opts.channel then
      mel[#mel + 1] = { u = units(n.start), d = units(n.dur), pitch = n.pitch }
    end
  end
  -- the top voice: per onset the highest pitch
  table.sort(mel, function(a, b)
    if a.u ~= b.u then return a.u < b.u end
    return a.pitch > b.pitch
  end)
  local tokens, prev = {}, opts.ref or 67
  local t = units(opts.start or 0)
  local i = 1
  while i <= #mel do
    local n = mel[i]
    local j = i + 1
    while j <= #mel and mel[j].u == n.u do j = j + 1 end -- skip lower voices
    if n.u >= t then
      append_rests(tokens, n.u - t)
      local len = math.max(1, n.d)
      if j <= #mel then len = math.min(len, mel[j].u - n.u) end
      local d = longest_fit(len)
      local action
      if n.pitch == prev then
        action = ACT_REPEAT
      else
        local chord = chord_at(chords, n.u / 3)
        local dir = n.pitch > prev and 1 or -1
        action = 2 * class_of(n.pitch, chord) - 1 + (dir == 1 and 0 or 1)
      end
      tokens[#tokens + 1] = token_id(action, d)
      prev = n.pitch
      t = n.u + M.DUR_UNITS[d]
    end -- an onset inside the previous token's time is dropped
    i = j
  end
  if opts.stop then append_rests(tokens, units(opts.stop) - t) end
  return tokens
end

--- music.detokenize(tokens, chords [, opts]) -> notes
--- opts: ref (67), start (0 beats), channel (0), lo/hi (36/96: pitches
--- outside are folded back by octaves, for sampled sequences that drift).
function M.detokenize(tokens, chords, opts)
  opts = opts or {}
  local lo, hi = opts.lo or 36, opts.hi or 96
  local prev = opts.ref or 67
  local u = units(opts.start or 0)
  local channel = opts.channel or 0
  local notes = {}
  for k, id in ipairs(tokens) do
    local ok, info = pcall(M.token_info, id)
    if not ok then error(("music.detokenize: token %d: %s"):format(k, info), 2) end
    if not info.rest then
      local pitch = prev
      if not info.repeat_ then
        pitch = realise(info.class, info.dir, prev, chord_at(chords, u / 3))
        while pitch > hi do pitch = pitch - 12 end
        while pitch < lo do pitch = pitch + 12 end
      end
      notes[#notes + 1] = { start = u / 3, dur = info.units / 3, pitch = pitch,
        velocity = velocity_at(u), channel = channel }
      prev = pitch
    end
    u = u + info.units
  end
  return notes
end

-- ---- accompaniment and chord recovery ----------------------------------------

--- music.accompany(chords [, opts]) -> notes
--- A chord track (channel 1: root-position voicings with the root in octave 3,
--- plus the b9 for 7b9, one hit per chord) and a walking bass (channel 2:
--- quarter notes, root on the chord's first beat, chord tones, then a
--- chromatic approach to the next root).  opts.seed (default 1).
function M.accompany(chords, opts)
  opts = opts or {}
  local rng = new_rng(opts.seed or 1)
  local out = {}
  for i, c in ipairs(chords) do
    local root3 = 48 + c.root
    local iv = M.QUALITIES[c.quality]
    local voicing = { iv[1], iv[2], iv[3], iv[4] }
    if c.quality == "7b9" then voicing[5] = 13 end
    for _, x in ipairs(voicing) do
      out[#out + 1] = { start = c.start, dur = math.max(1 / 3, c.dur - 1 / 3), pitch = root3 + x,
        velocity = 60, channel = 1 }
    end
    local nxt = chords[i + 1]
    local beats = math.floor(c.dur + 0.5)
    local bass = 36 + c.root
    for b = 0, beats - 1 do
      local p
      if b == 0 then
        p = bass
      elseif b == beats - 1 and nxt then -- a half step above or below the next root
        local target = 36 + nxt.root
        p = target + (rng.float() < 0.5 and 1 or -1)
      else
        p = bass + iv[({ 2, 3, 4, 5 })[rng.int(4)]] % 12
      end
      out[#out + 1] = { start = c.start + b, dur = 1, pitch = p, velocity = 80, channel = 2 }
    end
  end
  return out
end

local QUALITY_BY_SHAPE = {}
for q, iv in pairs(M.QUALITIES) do
  local shape = { iv[1], iv[2], iv[3], iv[4] }
  if q == "7b9" then shape[5] = 13 end
  QUALITY_BY_SHAPE[table.concat(shape, ",")] = q
end

--- music.chords_from_notes(notes [, channel = 1]) -> chords
--- Reads back the chord track music.accompany writes: notes starting
--- together form a chord, the lowest is the root, the intervals name the
--- quality; each chord lasts until the next one starts.
function M.chords_from_notes(notes, channel)
  channel = channel or 1
  local groups, order = {}, {}
  for _, n in ipairs(notes) do
    if n.channel == channel then
      local u = units(n.start)
      if not groups[u] then
        groups[u] = { u = u, pitches = {}, stop = u }
        order[#order + 1] = u
      end
      local g = groups[u]
      g.pitches[#g.pitches + 1] = n.pitch
      g.stop = math.max(g.stop, units(n.start + n.dur))
    end
  end
  table.sort(order)
  local chords = {}
  for k, u in ipairs(order) do
    local g = groups[u]
    table.sort(g.pitches)
    local shape = {}
    for i, p in ipairs(g.pitches) do shape[i] = p - g.pitches[1] end
    local q = QUALITY_BY_SHAPE[table.concat(shape, ",")]
    if not q then
      error(("music.chords_from_notes: the notes at beat %g (%s) are not a known voicing")
        :format(u / 3, table.concat(g.pitches, " ")), 2)
    end
    local stop = order[k + 1] or (g.stop + 1) -- the voicing ends 1/3 beat early
    local root = g.pitches[1] % 12
    chords[k] = { name = chord_name(root, q), root = root, quality = q, start = u / 3, dur = (stop - u) / 3 }
  end
  return chords
end

-- ---- the corpus ------------------------------------------------------------------

M.CORPUS_KEYS = { "C", "F", "Bb", "Eb", "G", "D", "Ab", "A" }

--- music.corpus([opts]) -> {notes=, melody=, chords=, tokens=, tempo=, length=}
--- The training corpus: `sections` (default 36) progressions in keys drawn
--- from music.CORPUS_KEYS, a melody over all of them (channel 0) and the
--- accompaniment (channels 1 and 2).  opts: seed (default 1), sections,
--- tempo (default 150 bpm).  assets/music/jazz_corpus.mid is music.corpus()
--- written by scripts/gen_jazz_corpus.lua.
function M.corpus(opts)
  opts = opts or {}
  local seed = opts.seed or 1
  local rng = new_rng(seed)
  local chords, t = {}, 0
  for _ = 1, opts.sections or 36 do
    local name = M.PROGRESSION_NAMES[rng.int(#M.PROGRESSION_NAMES)]
    local key = M.CORPUS_KEYS[rng.int(#M.CORPUS_KEYS)]
    for _, c in ipairs(M.progression(name, key, t)) do
      chords[#chords + 1] = c
      t = c.start + c.dur
    end
  end
  local mel = M.generate(chords, { seed = seed + 1 })
  local notes = {}
  for _, n in ipairs(mel.notes) do notes[#notes + 1] = n end
  for _, n in ipairs(M.accompany(chords, { seed = seed + 2 })) do notes[#notes + 1] = n end
  return { notes = notes, melody = mel.notes, chords = chords, tokens = mel.tokens,
    tempo = opts.tempo or 150, length = t }
end

--- music.load_corpus(path) -> {melody=, chords=, tokens=, piece=}
--- Reads a corpus MIDI file (melody on channel 0, chord track on channel 1)
--- and tokenises its melody.  Raises an error if the file cannot be read.
function M.load_corpus(path)
  local piece = assert(seq.midi.read(path))
  local melody = {}
  for _, n in ipairs(piece.notes) do
    if n.channel == 0 then melody[#melody + 1] = n end
  end
  local chords = M.chords_from_notes(piece.notes, 1)
  local tokens = M.tokenize(melody, chords, { start = 0, stop = piece.length })
  return { melody = melody, chords = chords, tokens = tokens, piece = piece }
end

--- music.training_data(tokens, Tx, m) -> X, Y
--- The course's shapes: X (m, Tx, 90) one-hot windows of the token list, and
--- Y (Tx, m, 90) time-major, where Y[t][i] is the token after X[i][t].
--- The m windows start evenly spaced over the list (float64 tensors).
function M.training_data(tokens, Tx, m)
  local n = #tokens
  if math.type(Tx) ~= "integer" or math.type(m) ~= "integer" or Tx < 1 or m < 1 then
    error("music.training_data: Tx and m must be positive integers", 2)
  end
  if n < Tx + 1 then
    error(("music.training_data: %d tokens cannot make windows of %d (+1 for the targets)"):format(n, Tx), 2)
  end
  local span = n - Tx - 1 -- the last start offset possible
  local xs, ys = {}, {}
  for i = 1, m do
    local s = m == 1 and 0 or ((i - 1) * span) // (m - 1)
    local row = {}
    for t = 1, Tx do
      row[t] = tokens[s + t]
      ys[t] = ys[t] or {}
      ys[t][i] = tokens[s + t + 1]
    end
    xs[i] = row
  end
  local X = seq.one_hot(seq.tensor(xs, "int64"), M.VOCAB_SIZE, "float64")
  local Y = seq.one_hot(seq.tensor(ys, "int64"), M.VOCAB_SIZE, "float64")
  return X, Y
end

-- ---- piano roll ---------------------------------------------------------------

--- music.piano_roll(notes [, opts]) -> matrix, heatmap_opts
--- A pitch-by-time matrix (highest pitch in the first row) of velocity/127
--- (1 with opts.binary), ready for viz.heatmap(music.piano_roll(notes)).
--- opts: step (beats per column, default 1/3), from/to (beats; default the
--- notes' span), lo/hi (pitches; default the notes' range), channel.
function M.piano_roll(notes, opts)
  opts = opts or {}
  local sel = {}
  for _, n in ipairs(notes) do
    if opts.channel == nil or n.channel == opts.channel then sel[#sel + 1] = n end
  end
  local step = opts.step or 1 / 3
  if not (type(step) == "number" and step > 0) then error("music.piano_roll: step must be > 0", 2) end
  local from, to, lo, hi = opts.from, opts.to, opts.lo, opts.hi
  for _, n in ipairs(sel) do
    if not opts.from then from = math.min(from or n.start, n.start) end
    if not opts.to then to = math.max(to or 0, n.start + n.dur) end
    if not opts.lo then lo = math.min(lo or n.pitch, n.pitch) end
    if not opts.hi then hi = math.max(hi or n.pitch, n.pitch) end
  end
  from, to, lo, hi = from or 0, to or 1, lo or 60, hi or 72
  local ncol = math.max(1, math.ceil((to - from) / step - 1e-9))
  local rows, labels = {}, {}
  for p = hi, lo, -1 do
    local row = {}
    for c = 1, ncol do row[c] = 0 end
    rows[#rows + 1] = row
    labels[#labels + 1] = M.pitch_name(p)
  end
  for _, n in ipairs(sel) do
    if n.pitch >= lo and n.pitch <= hi then
      local row = rows[hi - n.pitch + 1]
      local v = opts.binary and 1 or (n.velocity or 100) / 127
      -- a cell is on when any part of the note falls inside it, so short
      -- notes still show at a coarse step
      local c1 = math.floor((n.start - from) / step + 1e-9) + 1
      local c2 = math.max(c1, math.ceil((n.start + n.dur - from) / step - 1e-9))
      c1, c2 = math.max(1, c1), math.min(ncol, c2)
      for c = c1, c2 do row[c] = math.max(row[c], v) end
    end
  end
  return rows, { ylabels = labels, min = 0, max = 1, title = "piano roll" }
end

return M
