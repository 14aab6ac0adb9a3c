-- test_rnn.lua: nn.RNN / nn.LSTM / nn.GRU, the cells, the seq.rnn/lstm/gru
-- kernels from Lua, and sampling (seq.sample, seq.greedy, seq.Generator).
-- Layer values are checked against PyTorch (tests/golden/torch_rnn.lua,
-- written by tests/golden/gen/torch_rnn.py); everything else against
-- independent computations or statistics.
-- Run from the repo root: build/seqlab run tests/lua/test_rnn.lua
local T = dofile("tests/lua/tap.lua")
local seq = require "seq"
local nn = require "nn"
local optim = require "optim"

local G = dofile("tests/golden/torch_rnn.lua")

local TOL = { float64 = 1e-10, float32 = 1e-5 }

local function tensor(e)
  return seq.tensor(e.data, e.dtype):reshape(e.shape)
end

local function weighted(out, r)
  return (out * tensor(r)):sum()
end

-- ---- golden: layers ------------------------------------------------------------

-- A module built like the golden case, holding its parameters (load_state_dict
-- is strict, so this also checks the parameter names and shapes).
local function build_module(c)
  local opts = { layers = c.num_layers, bidirectional = c.bidirectional,
                 batch_first = c.batch_first, bias = c.bias, dtype = c.dtype }
  if c.mode == "RNN" then opts.nonlinearity = c.nonlinearity end
  local m = nn[c.mode](c.input_size, c.hidden_size, opts)
  local sd = {}
  for name, t in pairs(c.params) do sd[name] = tensor(t) end
  m:load_state_dict(sd)
  return m
end

local function check_module(name)
  local c = G.modules[name]
  local tol = TOL[c.dtype]
  local m = build_module(c)
  local lstm = c.mode == "LSTM"
  local x = tensor(c.x):requires_grad()
  local h0, c0, state
  if c.state then
    h0 = tensor(c.h0):requires_grad()
    if lstm then
      c0 = tensor(c.c0):requires_grad()
      state = { h0, c0 }
    else
      state = h0
    end
  end
  local y, st = m(x, state)
  local h_n, c_n = st, nil
  if lstm then h_n, c_n = st[1], st[2] end
  T.eq(y:dtype(), c.dtype, "y dtype")
  T.close(y, tensor(c.y), tol, "y")
  T.close(h_n, tensor(c.h_n), tol, "h_n")
  local obj = weighted(y, c.r_y) + weighted(h_n, c.r_h)
  if lstm then
    T.close(c_n, tensor(c.c_n), tol, "c_n")
    obj = obj + weighted(c_n, c.r_c)
  end
  obj:backward()
  T.close(x.grad, tensor(c.grad_x), tol, "grad_x")
  if c.state then
    T.close(h0.grad, tensor(c.grad_h0), tol, "grad_h0")
    if lstm then T.close(c0.grad, tensor(c.grad_c0), tol, "grad_c0") end
  end
  local n = 0
  for pname, g in pairs(c.grads) do
    T.ok(m[pname].grad, pname .. " has a gradient")
    T.close(m[pname].grad, tensor(g), tol, "grad " .. pname)
    n = n + 1
  end
  T.eq(n, #m:parameters(), "every parameter checked")
end

T.test("LSTM with 2 layers, bidirectional, initial state matches torch", function()
  check_module("lstm_2layer_bidir_state")
end)

T.test("LSTM batch_first without initial state matches torch", function()
  check_module("lstm_batch_first_zero")
end)

T.test("LSTM with 2 layers in float32 matches torch", function()
  check_module("lstm_2layer_f32")
end)

T.test("LSTM without bias matches torch", function()
  check_module("lstm_nobias")
end)

T.test("GRU with 2 layers, bidirectional, batch_first, initial state matches torch", function()
  check_module("gru_2layer_bidir_batch_first_state")
end)

T.test("GRU without initial state matches torch", function()
  check_module("gru_zero")
end)

T.test("GRU on one unbatched sequence (T, D) matches torch", function()
  check_module("gru_unbatched_state")
end)

T.test("RNN tanh with 2 layers, bidirectional, from zeros matches torch", function()
  check_module("rnn_tanh_2layer_bidir_zero")
end)

T.test("RNN relu with 2 layers and initial state matches torch", function()
  check_module("rnn_relu_2layer_state")
end)

-- ---- golden: cells -------------------------------------------------------------

local function check_cell(name)
  local c = G.cells[name]
  local cell = nn[name](c.input_size, c.hidden_size, { dtype = "float64" })
  local sd = {}
  for pname, t in pairs(c.params) do sd[pname] = tensor(t) end
  cell:load_state_dict(sd)
  local x, h = tensor(c.x):requires_grad(), tensor(c.h):requires_grad()
  local obj
  if name == "LSTMCell" then
    local cc = tensor(c.c):requires_grad()
    local h1, c1 = cell(x, { h, cc })
    T.close(h1, tensor(c.h_out), 1e-10, "h'")
    T.close(c1, tensor(c.c_out), 1e-10, "c'")
    obj = weighted(h1, c.r_h) + weighted(c1, c.r_c)
    obj:backward()
    T.close(cc.grad, tensor(c.grad_c), 1e-10, "grad_c")
  else
    local h1 = cell(x, h)
    T.close(h1, tensor(c.h_out), 1e-10, "h'")
    weighted(h1, c.r_h):backward()
  end
  T.close(x.grad, tensor(c.grad_x), 1e-10, "grad_x")
  T.close(h.grad, tensor(c.grad_h), 1e-10, "grad_h")
  for pname, g in pairs(c.grads) do
    T.close(cell[pname].grad, tensor(g), 1e-10, "grad " .. pname)
  end
end

T.test("RNNCell matches torch", function() check_cell("RNNCell") end)
T.test("LSTMCell matches torch", function() check_cell("LSTMCell") end)
T.test("GRUCell matches torch", function() check_cell("GRUCell") end)

-- ---- structure -----------------------------------------------------------------

T.test("LSTM parameters have PyTorch's names, order and shapes", function()
  local lstm = nn.LSTM(10, 20, { layers = 2, bidirectional = true })
  local got = {}
  for name, p in lstm:named_parameters() do
    got[#got + 1] = name .. " " .. table.concat(p:shape(), "x")
  end
  T.eq(got, {
    "weight_ih_l0 80x10", "weight_hh_l0 80x20", "bias_ih_l0 80", "bias_hh_l0 80",
    "weight_ih_l0_reverse 80x10", "weight_hh_l0_reverse 80x20",
    "bias_ih_l0_reverse 80", "bias_hh_l0_reverse 80",
    "weight_ih_l1 80x40", "weight_hh_l1 80x20", "bias_ih_l1 80", "bias_hh_l1 80",
    "weight_ih_l1_reverse 80x40", "weight_hh_l1_reverse 80x20",
    "bias_ih_l1_reverse 80", "bias_hh_l1_reverse 80",
  })
end)

T.test("GRU and RNN stack 3 and 1 gate blocks; bias=false drops the biases", function()
  local gru = nn.GRU(5, 7, { bias = false })
  T.eq(#gru:parameters(), 2)
  T.eq(gru.weight_ih_l0:shape(), { 21, 5 })
  T.eq(gru.weight_hh_l0:shape(), { 21, 7 })
  local rnn = nn.RNN(5, 7, { num_layers = 3 })
  T.eq(#rnn:parameters(), 12)
  T.eq(rnn.weight_ih_l2:shape(), { 7, 7 })
  local cell = nn.LSTMCell(5, 7)
  T.eq(cell.weight_ih:shape(), { 28, 5 })
  T.eq(cell.bias_hh:shape(), { 28 })
end)

T.test("parameters start uniform in [-1/sqrt(H), 1/sqrt(H)]", function()
  seq.manual_seed(3)
  local H = 25
  local lstm = nn.LSTM(30, H, { dtype = "float64" })
  local k = 1 / math.sqrt(H)
  local w = lstm.weight_hh_l0 -- (100, 25): 2500 draws
  T.ok(w:max():item() <= k and w:min():item() >= -k, "inside the bound")
  T.ok(w:max():item() > 0.9 * k and w:min():item() < -0.9 * k, "fills the bound")
  -- U(-k, k) has standard deviation k / sqrt(3)
  T.close(w:std():item(), k / math.sqrt(3), 0.05)
end)

T.test("modules print like PyTorch", function()
  T.eq(tostring(nn.LSTM(10, 20, { layers = 2, bidirectional = true })),
    "LSTM(10, 20, num_layers=2, bidirectional=true)")
  T.eq(tostring(nn.GRU(3, 4, { batch_first = true, dropout = 0.25, layers = 2 })),
    "GRU(3, 4, num_layers=2, batch_first=true, dropout=0.25)")
  T.eq(tostring(nn.RNN(3, 4, { nonlinearity = "relu", bias = false })),
    "RNN(3, 4, nonlinearity=relu, bias=false)")
  T.eq(tostring(nn.GRUCell(3, 4)), "GRUCell(3, 4)")
  T.eq(tostring(nn.Sequential(nn.LSTMCell(2, 3))), "Sequential(\n  (1): LSTMCell(2, 3)\n)")
end)

T.test("output and state shapes: batch_first, bidirectional, unbatched", function()
  local lstm = nn.LSTM(3, 4, { layers = 2, bidirectional = true, batch_first = true })
  local y, st = lstm(seq.randn(2, 5, 3)) -- (N, T, D)
  T.eq(y:shape(), { 2, 5, 8 })
  T.eq(st[1]:shape(), { 4, 2, 4 })
  T.eq(st[2]:shape(), { 4, 2, 4 })
  local gru = nn.GRU(3, 4)
  local y1, h1 = gru(seq.randn(5, 3)) -- one sequence (T, D)
  T.eq(y1:shape(), { 5, 4 })
  T.eq(h1:shape(), { 1, 4 })
end)

-- ---- behaviour -----------------------------------------------------------------

T.test("the last output step equals the final state of a 1-layer layer", function()
  local rnn = nn.RNN(3, 4, { dtype = "float64" })
  local y, h = rnn(seq.randn(6, 2, 3, "float64"))
  T.close(h[1], y[6], 0)
end)

T.test("running two halves with the carried state equals one run", function()
  local lstm = nn.LSTM(3, 5, { layers = 2, dtype = "float64" })
  local x = seq.randn(8, 2, 3, "float64")
  local y, st = lstm(x)
  local ya, sa = lstm(x:narrow(1, 1, 4))
  local yb, sb = lstm(x:narrow(1, 5, 4), sa)
  T.close(seq.cat({ ya, yb }, 1), y, 1e-12)
  T.close(sb[1], st[1], 1e-12)
  T.close(sb[2], st[2], 1e-12)
end)

T.test("a cell step equals one time step of the layer with the same weights", function()
  local gru = nn.GRU(3, 4, { dtype = "float64" })
  local cell = nn.GRUCell(3, 4, { dtype = "float64" })
  cell:load_state_dict({ weight_ih = gru.weight_ih_l0, weight_hh = gru.weight_hh_l0,
                         bias_ih = gru.bias_ih_l0, bias_hh = gru.bias_hh_l0 })
  local x, h0 = seq.randn(1, 2, 3, "float64"), seq.randn(1, 2, 4, "float64")
  local y = gru(x, h0)
  T.close(cell(x[1], h0[1]), y[1], 1e-14)
  -- unbatched: (D) with (H)
  T.close(cell(x[1][2], h0[1][2]), y[1][2], 1e-14)
end)

T.test("the reverse direction reads the sequence backwards", function()
  local x = seq.randn(5, 2, 3, "float64")
  local w_ih, w_hh = seq.randn(16, 3, "float64") * 0.5, seq.randn(16, 4, "float64") * 0.5
  local idx = seq.tensor({ 5, 4, 3, 2, 1 })
  local yr, hr, cr = seq.lstm(x, nil, nil, w_ih, w_hh, nil, nil, { reverse = true })
  local yf, hf, cf = seq.lstm(x:index_select(1, idx), nil, nil, w_ih, w_hh)
  T.close(yr, yf:index_select(1, idx), 1e-13)
  T.close(hr, hf, 1e-13)
  T.close(cr, cf, 1e-13)
end)

T.test("seq.rnn applies tanh or relu and defaults to tanh", function()
  local x = seq.randn(3, 2, 4, "float64")
  local w_ih, w_hh = seq.randn(5, 4, "float64"), seq.randn(5, 5, "float64")
  local y1 = seq.rnn(x, nil, w_ih, w_hh)
  -- the first step from h0 = 0 is act(W_ih x_1)
  local pre = x[1]:matmul(w_ih:t())
  T.close(y1[1], pre:tanh(), 1e-13)
  local y2 = seq.rnn(x, nil, w_ih, w_hh, nil, nil, { nonlinearity = "relu" })
  T.close(y2[1], pre:relu(), 1e-13)
end)

T.test("dropout acts between layers in training only", function()
  local lstm = nn.LSTM(3, 6, { layers = 2, dropout = 0.5, dtype = "float64" })
  local plain = nn.LSTM(3, 6, { layers = 2, dtype = "float64" })
  plain:load_state_dict(lstm:state_dict())
  local x = seq.randn(4, 3, 3, "float64")
  local want = plain(x)
  lstm:eval()
  T.close(lstm(x), want, 0, "eval: no dropout")
  lstm:train()
  local got = lstm(x)
  T.ok((got - want):abs():max():item() > 1e-6, "training: the second layer sees dropout")
  -- one layer: nothing to drop between
  local one = nn.GRU(3, 6, { dropout = 0.5, dtype = "float64" })
  local one_plain = nn.GRU(3, 6, { dtype = "float64" })
  one_plain:load_state_dict(one:state_dict())
  T.close(one(x), one_plain(x), 0)
end)

T.test("an LSTM language model learns a repeating sequence", function()
  seq.manual_seed(7)
  local V, H = 4, 16
  local emb = nn.Embedding(V, 8)
  local lstm = nn.LSTM(8, H)
  local head = nn.Linear(H, V)
  local params = {}
  for _, m in ipairs({ emb, lstm, head }) do
    for _, p in ipairs(m:parameters()) do params[#params + 1] = p end
  end
  local opt = optim.Adam(params, { lr = 0.05 })
  -- "abcdabcd...": each symbol predicts the next
  local seqn = {}
  for t = 1, 13 do seqn[t] = (t - 1) % V + 1 end
  local inp = seq.tensor({ table.unpack(seqn, 1, 12) }):reshape(12, 1)
  local tgt = seq.tensor({ table.unpack(seqn, 2, 13) })
  local first, last
  for step = 1, 40 do
    local y = lstm(emb(inp))
    local loss = seq.cross_entropy(head(y):reshape(12, V), tgt)
    opt:zero_grad()
    loss:backward()
    opt:step()
    if step == 1 then first = loss:item() end
    last = loss:item()
  end
  T.ok(last < 0.1 * first, ("loss %g -> %g"):format(first, last))
end)

-- ---- errors --------------------------------------------------------------------

T.test("an input of the wrong size names the layer and the shapes", function()
  local lstm = nn.LSTM(64, 128)
  T.raises(function() lstm(seq.zeros(50, 32, 65)) end,
    "nn.LSTM(64 -> 128): input (50, 32, 65) has last dim 65, expected 64")
  T.raises(function() lstm(seq.zeros(2, 3, 4, 64)) end,
    "nn.LSTM(64 -> 128): input (2, 3, 4, 64) must be 3-d")
  T.raises(function() lstm(seq.zeros(5, 2, 64, "float64")) end,
    "nn.LSTM(64 -> 128): input is float64 but the parameters are float32")
  T.raises(function() lstm("x") end, "expected an input tensor, got string")
end)

T.test("a state of the wrong shape or kind is refused", function()
  local lstm = nn.LSTM(3, 4, { layers = 2 })
  local x = seq.zeros(5, 2, 3)
  T.raises(function() lstm(x, { seq.zeros(1, 2, 4), seq.zeros(2, 2, 4) }) end,
    "nn.LSTM(3 -> 4): h0 has shape (1, 2, 4), expected (2, 2, 4) "
    .. "(num_layers * num_directions, batch, hidden_size)")
  T.raises(function() lstm(x, seq.zeros(2, 2, 4)) end,
    "nn.LSTM(3 -> 4): the state must be a table {h0, c0}, got a tensor")
  T.raises(function() lstm(x, { seq.zeros(2, 2, 4) }) end, "c0 must be a tensor, got nil")
  local gru = nn.GRU(3, 4, { bidirectional = true })
  T.raises(function() gru(x, seq.zeros(1, 2, 4)) end, "expected (2, 2, 4)")
  local cell = nn.LSTMCell(3, 4)
  T.raises(function() cell(seq.zeros(2, 3), { seq.zeros(2, 4), seq.zeros(3, 4) }) end,
    "nn.LSTMCell(3 -> 4): c has shape (3, 4), expected (2, 4)")
  T.raises(function() cell(seq.zeros(2, 5)) end, "nn.LSTMCell(3 -> 4): input (2, 5) must be (N, 3) or (3)")
end)

T.test("bad constructor arguments are refused", function()
  T.raises(function() nn.LSTM(0, 4) end, "nn.LSTM: input_size must be a positive integer, got 0")
  T.raises(function() nn.GRU(3, 4, { layer = 2 }) end, "nn.GRU: unknown option 'layer'")
  T.raises(function() nn.LSTM(3, 4, { nonlinearity = "relu" }) end, "unknown option 'nonlinearity'")
  T.raises(function() nn.RNN(3, 4, { nonlinearity = "sigmoid" }) end,
    "nn.RNN: nonlinearity must be \"tanh\" or \"relu\", got sigmoid")
  T.raises(function() nn.RNN(3, 4, { dropout = 2 }) end, "dropout must be a number between 0 and 1")
  T.raises(function() nn.RNN(3, 4, { bidirectional = 1 }) end, "bidirectional must be true or false")
end)

T.test("the kernels' own shape errors reach Lua", function()
  local x = seq.randn(3, 2, 4)
  T.raises(function() seq.gru(x, nil, seq.randn(12, 5), seq.randn(12, 4)) end,
    "gru: weight_ih has shape (12,5), expected (12,4)")
  T.raises(function() seq.lstm(x, nil, nil, seq.randn(16, 4), seq.randn(16, 4), nil, nil, { rev = true }) end,
    "lstm: unknown option 'rev'")
  T.raises(function() seq.rnn(x, nil, seq.randn(4, 4), seq.randn(4, 4), nil, nil, { nonlinearity = "gelu" }) end,
    "rnn: option 'nonlinearity' must be \"tanh\" or \"relu\", got gelu")
end)

-- ---- sampling ------------------------------------------------------------------

local P = seq.tensor({ 0.1, 0.2, 0.3, 0.4 }, "float64")

local function draws(n, p, opts)
  local out = {}
  for i = 1, n do out[i] = seq.sample(p, opts) end
  return out
end

local function frequencies(list, k)
  local f = {}
  for i = 1, k do f[i] = 0 end
  for _, v in ipairs(list) do f[v] = f[v] + 1 end
  for i = 1, k do f[i] = f[i] / #list end
  return f
end

T.test("sampling with a seeded generator is deterministic", function()
  local a = draws(50, P, { rng = seq.Generator(42) })
  local g = seq.Generator(42)
  local b = draws(50, P, { rng = g })
  T.eq(a, b)
  local c = draws(50, P, { rng = seq.Generator(43) })
  T.ok(not (table.concat(a) == table.concat(c)), "another seed gives another stream")
  g:manual_seed(42)
  T.eq(draws(50, P, { generator = g }), a, "manual_seed restarts the stream")
  T.eq(g:initial_seed(), 42)
  T.eq(tostring(g), "seq.Generator(seed=42)")
  -- the default generator follows seq.manual_seed
  seq.manual_seed(9)
  local d = draws(20, P)
  seq.manual_seed(9)
  T.eq(draws(20, P), d)
end)

T.test("sampled frequencies follow the probabilities", function()
  local n = 20000
  local f = frequencies(draws(n, P, { rng = seq.Generator(1) }), 4)
  for i, p in ipairs({ 0.1, 0.2, 0.3, 0.4 }) do
    -- 5 standard deviations of a binomial proportion
    local sd = math.sqrt(p * (1 - p) / n)
    T.ok(math.abs(f[i] - p) < 5 * sd, ("class %d: %g vs %g"):format(i, f[i], p))
  end
end)

T.test("unnormalised weights and int64 counts are probabilities up to scale", function()
  local n = 20000
  local f = frequencies(draws(n, seq.tensor({ 1, 0, 3 }), { rng = seq.Generator(2) }), 3)
  T.eq(f[2], 0, "a zero count is never drawn")
  T.ok(math.abs(f[3] - 0.75) < 5 * math.sqrt(0.75 * 0.25 / n), "3:1")
end)

T.test("temperature reshapes the distribution as p^(1/T)", function()
  local n = 20000
  local f = frequencies(draws(n, P, { temperature = 0.5, rng = seq.Generator(3) }), 4)
  -- p^2 normalised: 1, 4, 9, 16 over 30
  for i, w in ipairs({ 1, 4, 9, 16 }) do
    local p = w / 30
    T.ok(math.abs(f[i] - p) < 5 * math.sqrt(p * (1 - p) / n), ("class %d: %g vs %g"):format(i, f[i], p))
  end
  local hot = frequencies(draws(n, P, { temperature = 1e6, rng = seq.Generator(4) }), 4)
  for i = 1, 4 do T.ok(math.abs(hot[i] - 0.25) < 0.02, "a huge temperature is uniform") end
end)

T.test("temperature 0 and seq.greedy take the argmax", function()
  T.eq(seq.sample(seq.tensor({ 0.3, 0.1, 0.6 }), { temperature = 0 }), 3)
  T.eq(seq.greedy(seq.tensor({ 0.3, 0.1, 0.6 })), 3)
  -- ties go to the first; logits may be negative
  T.eq(seq.greedy(seq.tensor({ -2.0, 5.0, 5.0, -1.0 })), 2)
  T.eq(seq.sample(seq.tensor({ -2.0, 5.0, 1.0 }), { temperature = 0, logits = true }), 2)
  local rows = seq.greedy(seq.tensor({ { 1, 9, 2 }, { 7, 0, 1 } }))
  T.eq(rows:dtype(), "int64")
  T.eq(rows:totable(), { 2, 1 })
end)

T.test("top_k restricts the support to the k most likely classes", function()
  local n = 4000
  local f = frequencies(draws(n, P, { top_k = 2, rng = seq.Generator(5) }), 4)
  T.eq(f[1] + f[2], 0, "classes outside the top 2 never appear")
  -- renormalised over {0.3, 0.4}
  T.ok(math.abs(f[4] - 4 / 7) < 5 * math.sqrt((4 / 7) * (3 / 7) / n), "0.4 : 0.3")
  T.eq(seq.sample(P, { top_k = 1, rng = seq.Generator(6) }), 4)
  T.eq(#draws(10, P, { top_k = 10 }), 10, "k above the class count keeps all")
end)

T.test("logits are softmaxed: the same draws as their probabilities", function()
  local logp = P:log()
  T.eq(draws(200, logp, { logits = true, rng = seq.Generator(8) }),
    draws(200, P, { rng = seq.Generator(8) }))
end)

T.test("a batch of rows gives an int64 tensor of 1-based indices", function()
  local probs = seq.tensor({ { 1, 0, 0 }, { 0, 0, 1 }, { 0, 1, 0 } })
  local s = seq.sample(probs)
  T.eq(s:dtype(), "int64")
  T.eq(s:totable(), { 1, 3, 2 })
  local logits = seq.randn(2, 5, 7)
  T.eq(seq.sample(logits, { logits = true }):shape(), { 2, 5 })
end)

T.test("bad distributions and options are refused with a reason", function()
  T.raises(function() seq.sample(seq.tensor({ 0.5, -0.1 })) end,
    "sample: row 0 has the probability -0.1 at class 1")
  T.raises(function() seq.sample(seq.tensor({ 0, 0 })) end, "no class with a positive probability")
  T.raises(function() seq.sample(seq.tensor({ 0.5, 0 / 0 })) end, "NaN at class 1")
  T.raises(function() seq.sample(P, { temperature = -1 }) end, "temperature must be finite and >= 0")
  T.raises(function() seq.sample(P, { top_k = -2 }) end, "top_k must be >= 0")
  T.raises(function() seq.sample(P, { top_k = 1.5 }) end, "option 'top_k' must be an integer, got a float")
  T.raises(function() seq.sample(P, { rng = 42 }) end, "option 'rng' must be a seq.Generator, got number")
  T.raises(function() seq.sample(P, { temp = 2 }) end, "sample: unknown option 'temp'")
  T.raises(function() seq.sample(seq.tensor(1.0)) end, "expected (C) or (..., C)")
end)

T.done()
