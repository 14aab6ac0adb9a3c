-- sample.lua: greedy sampling, one character at a time with the state
-- carried, batch 1, under seq.no_grad:
--   nn.Embedding(V, H) -> nn.LSTM(H, H) -> nn.Linear(H, V) -> seq.greedy
-- The loop of tests/bench/torch_bench.py `sample`, line for line.
--
--   build/seqlab run scripts/bench/sample.lua --hidden 256 --threads 1
--
-- Prints "rep <ms per character>" per repetition and "rss_kb <peak RSS>".
local B = dofile((arg[0]:match("^(.*/)") or "./") .. "common.lua")

local o = B.args({ ... }, { vocab = 65, hidden = 256, threads = 1, reps = 7, warmup = 20,
                            min_time = 0.25, seed = 1 })
seq.set_num_threads(o.threads)
seq.manual_seed(o.seed)

local V, H = o.vocab, o.hidden
local emb, rnn, head = nn.Embedding(V, H), nn.LSTM(H, H), nn.Linear(H, V)
local out, ix, state = {}, 1, nil

local function one_char()
  local y
  y, state = rnn(emb(seq.tensor({ { ix } })), state)   -- (1, 1, H)
  ix = seq.greedy(head(y[1][1]))
  out[#out + 1] = ix
  if #out > 10000 then out = {} end
end

seq.no_grad(function() B.bench(one_char, o) end)
B.finish()
