-- charlm_step.lua: one training step of a character language model,
--   nn.Embedding(V, H) -> nn.LSTM/GRU/RNN(H, H) -> nn.Linear(H, V)
--   -> cross-entropy over all T*N positions -> backward -> Adam step,
-- timed on a fixed random batch (data loading is not part of the step).
-- The model of tests/bench/torch_bench.py `charlm`, line for line.
--
--   build/seqlab run scripts/bench/charlm_step.lua --cell LSTM \
--       --vocab 65 --hidden 256 --seq 100 --batch 32 --threads 1
--
-- Prints "rep <ms per step>" per repetition and "rss_kb <peak RSS>"
-- (scripts/bench/common.lua).
local B = dofile((arg[0]:match("^(.*/)") or "./") .. "common.lua")
local F = nn.functional

local o = B.args({ ... }, { cell = "LSTM", vocab = 27, hidden = 50, seq = 25, batch = 1,
                            threads = 1, reps = 7, warmup = 3, min_time = 0.25, seed = 1 })
if not nn[o.cell] then error("unknown cell " .. o.cell, 0) end
seq.set_num_threads(o.threads)
seq.manual_seed(o.seed)

local CharLM = nn.Module:extend("CharLM")
function CharLM:init(cell, V, H)
  self.emb = nn.Embedding(V, H)
  self.rnn = nn[cell](H, H)
  self.head = nn.Linear(H, V)
end
function CharLM:forward(x)
  local y = self.rnn(self.emb(x))    -- (T, N, H)
  return self.head(y)                -- (T, N, V)
end

local V, T, N = o.vocab, o.seq, o.batch
local model = CharLM(o.cell, V, o.hidden)
local opt = optim.Adam(model:parameters(), { lr = 2e-3 })
-- tokens 1..V: inputs are the first T, targets the same shifted by one
local data = (seq.rand(T + 1, N) * V):long() + 1
local x, y = data:narrow(1, 1, T):contiguous(), data:narrow(1, 2, T):contiguous()

local function step()
  opt:zero_grad()
  local loss = F.cross_entropy(model(x), y)
  loss:backward()
  opt:step()
end

B.bench(step, o)
B.finish()
