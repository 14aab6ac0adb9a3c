-- test_assets.lua — the data files in assets/: the names list for the
-- character-level model (W1A2), Hamlet for word/char-level text, the jazz
-- corpus MIDI, and assets/README.md describing each of them.
-- Run with `seqlab run tests/lua/test_assets.lua` from the repository root.
local T = dofile("tests/lua/tap.lua")

local function slurp(path)
  local f, err = io.open(path, "rb")
  T.ok(f, err)
  local s = f:read("a")
  f:close()
  return s
end

T.test("names/genera.txt: lower-case a-z, one name per line, sorted, unique", function()
  local text = slurp("assets/names/genera.txt")
  T.eq(text:sub(-1), "\n", "ends with a newline")
  T.ok(not text:find("\r", 1, true), "no CR characters")
  local names, seen, prev = {}, {}, ""
  for line in text:gmatch("([^\n]*)\n") do
    T.ok(line:match("^[a-z]+$"), ("line %d %q is not a-z only"):format(#names + 1, line))
    T.ok(not seen[line], "duplicate " .. line)
    T.ok(line > prev, ("not sorted at %q after %q"):format(line, prev))
    seen[line], prev = true, line
    names[#names + 1] = line
  end
  -- 1,704 animal genera in WordNet 3.0 (the course's dinos.txt has 1,536)
  T.ok(#names >= 1500 and #names <= 2000, "count " .. #names)
  T.eq(#names, 1704)
  for _, n in ipairs({ "allosaurus", "tyrannosaurus", "velociraptor", "carcharodon", "thylacinus" }) do
    T.ok(seen[n], n .. " is missing")
  end
end)

T.test("names/genera.txt: the char-LM vocabulary is 27 symbols", function()
  local text = slurp("assets/names/genera.txt")
  local chars = {}
  for c in text:gmatch(".") do chars[c] = true end
  local n = 0
  for _ in pairs(chars) do n = n + 1 end
  T.eq(n, 27) -- '\n' and all 26 letters, as dinos.txt
  local len, lines, longest = 0, 0, 0
  for line in text:gmatch("[^\n]+") do
    lines, len, longest = lines + 1, len + #line, math.max(longest, #line)
  end
  T.ok(len / lines > 8 and len / lines < 10, "mean length " .. len / lines)
  T.eq(longest, 18)
end)

T.test("text/hamlet.txt: the play without the Gutenberg header and trailer", function()
  local text = slurp("assets/text/hamlet.txt")
  T.ok(#text > 150000 and #text < 200000, "size " .. #text)
  T.eq(#text, 173306)
  T.eq(text:sub(1, 25), "HAMLET, PRINCE OF DENMARK")
  T.ok(text:find("To be, or not to be", 1, true), "the soliloquy is there")
  T.ok(text:sub(-30):find("shot off.]\n", 1, true), "ends with the last stage direction")
  local lower = text:lower()
  for _, w in ipairs({ "gutenberg", "etext", "small print", "donation", "copyright" }) do
    T.ok(not lower:find(w, 1, true), "boilerplate word '" .. w .. "' found")
  end
  T.ok(utf8.len(text), "valid UTF-8")
  T.ok(not text:find("\r", 1, true), "Unix line ends")
end)

T.test("music/jazz_corpus.mid: a format 1 file of a few minutes", function()
  local p = assert(seq.midi.read("assets/music/jazz_corpus.mid"))
  T.eq(p.format, 1)
  T.eq(p.ntracks, 4) -- tempo map, melody, chords, bass
  T.ok(p.seconds >= 180 and p.seconds <= 600, "length " .. p.seconds .. " s")
  T.ok(#p.notes > 2000, #p.notes .. " notes")
end)

T.test("assets/README.md describes every asset with source and licence", function()
  local readme = slurp("assets/README.md")
  for _, f in ipairs({ "names/genera.txt", "text/hamlet.txt", "music/jazz_corpus.mid" }) do
    T.ok(readme:find(f, 1, true), f .. " is not described")
  end
  for _, w in ipairs({ "WordNet 3.0 Copyright 2006 by Princeton University", "public domain",
    "wordnet-base", "word2vec", "gen_jazz_corpus.lua" }) do
    T.ok(readme:find(w, 1, true), "README lacks '" .. w .. "'")
  end
end)

T.done()
