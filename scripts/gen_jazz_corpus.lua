-- gen_jazz_corpus.lua — writes assets/music/jazz_corpus.mid, the jazz-like
-- training corpus of the Week 1 LSTM lab, from app/lua/lib/music.lua.
--
--   seqlab run scripts/gen_jazz_corpus.lua [OUT.mid [SEED [SECTIONS]]]
--
-- Deterministic: the same seed and sections give a byte-identical file
-- (tests/lua/test_music.lua checks the shipped file against this recipe).
local music = require("music")

local out = arg[1] or "assets/music/jazz_corpus.mid"
local seed = math.tointeger(tonumber(arg[2] or "1"))
local sections = math.tointeger(tonumber(arg[3] or "36"))
assert(seed and sections, "usage: gen_jazz_corpus.lua [OUT.mid [SEED [SECTIONS]]]")

local c = music.corpus({ seed = seed, sections = sections })
assert(seq.midi.write(out, c.notes, { tempo = c.tempo, ticks_per_beat = 480 }))

local counts = { 0, 0, 0 }
for _, n in ipairs(c.notes) do counts[n.channel + 1] = counts[n.channel + 1] + 1 end
print(("%s: %d chords, %d beats (%.1f min at %d bpm), %d tokens"):format(
  out, #c.chords, c.length, c.length / c.tempo, c.tempo, #c.tokens))
print(("notes: melody %d, chords %d, bass %d"):format(counts[1], counts[2], counts[3]))
