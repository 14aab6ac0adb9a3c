-- midi_info.lua — reads a MIDI file back with seq.midi.read and prints one
-- line a shell test can check: the note count per channel, the tempo and
-- the length.  Used by tests/cli/test_scripts.sh for scripts/w1_jazz.lua.
--   seqlab run tests/cli/midi_info.lua FILE.mid
--   -> notes 321 ch0 113 ch1 118 ch2 90 tempo 150 beats 96 pitches 57..81
local path = assert(arg[1], "usage: midi_info.lua FILE.mid")
local piece, err = seq.midi.read(path)
if not piece then
  io.stderr:write("midi_info: ", tostring(err), "\n")
  os.exit(1)
end
local ch, lo, hi = { [0] = 0, [1] = 0, [2] = 0 }, 127, 0
for _, n in ipairs(piece.notes) do
  ch[n.channel] = (ch[n.channel] or 0) + 1
  if n.channel == 0 then lo, hi = math.min(lo, n.pitch), math.max(hi, n.pitch) end
end
print(("notes %d ch0 %d ch1 %d ch2 %d tempo %g beats %g pitches %d..%d"):format(#piece.notes, ch[0], ch[1],
  ch[2], math.floor(piece.tempo + 0.5), piece.length, lo, hi))
