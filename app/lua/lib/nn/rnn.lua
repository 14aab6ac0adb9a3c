-- nn.rnn: the recurrent layers nn.RNN, nn.LSTM, nn.GRU and the single-step
-- cells nn.RNNCell, nn.LSTMCell, nn.GRUCell, with PyTorch's constructors,
-- parameter names, shapes and initialisation.  nn.lua installs them with
-- require("nn.rnn").install(nn).
--
-- Each layer and direction is one call of the engine's fused kernel
-- (seq.rnn / seq.lstm / seq.gru: the whole sequence in C, one autograd
-- node); this file only stacks layers, runs the reverse direction, applies
-- dropout between layers and handles batch_first and unbatched input.
--
--   local lstm = nn.LSTM(64, 128, { layers = 2, dropout = 0.1 })
--   local y, state = lstm(x)          -- x (T, N, 64): y (T, N, 128)
--   y, state = lstm(x2, state)        -- state = {h, c}, each (2, N, 128)
local seq = require "seq"
local F = require "nn.functional"
local shape_str = require("nn.utils").shape_str

local M = {}

local function fail(fmt, ...) error(fmt:format(...), 0) end

-- gates per cell: the first dim of the weights is gates * hidden_size
local GATES = { RNN = 1, LSTM = 4, GRU = 3 }

local function check_size(v, who, what)
  if math.type(v) ~= "integer" or v < 1 then
    fail("%s: %s must be a positive integer, got %s", who, what, tostring(v))
  end
end

-- Reads the options table against the list of keys it may hold.
local function read_options(opts, who, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then fail("%s: options must be a table, got %s", who, type(opts)) end
  for k in pairs(opts) do
    if not allowed[k] then
      local names = {}
      for n in pairs(allowed) do names[#names + 1] = n end
      table.sort(names)
      fail("%s: unknown option '%s' (expected one of %s)", who, tostring(k),
        table.concat(names, ", "))
    end
  end
  return opts
end

local function check_boolean(v, who, what, default)
  if v == nil then return default end
  if type(v) ~= "boolean" then fail("%s: %s must be true or false, got %s", who, what, tostring(v)) end
  return v
end

local function check_nonlinearity(v, who)
  v = v or "tanh"
  if v ~= "tanh" and v ~= "relu" then
    fail("%s: nonlinearity must be \"tanh\" or \"relu\", got %s", who, tostring(v))
  end
  return v
end

local function check_dtype(dtype, who)
  if dtype ~= nil and dtype ~= "float32" and dtype ~= "float64" then
    fail("%s: dtype must be \"float32\" or \"float64\", got %s", who, tostring(dtype))
  end
end

-- U(-k, k) with k = 1/sqrt(hidden_size), as PyTorch initialises every
-- recurrent weight and bias.
local function uniform_parameter(shape, k, dtype)
  return (seq.rand(shape, dtype) * (2 * k) - k):requires_grad()
end

-- The options tables of the kernels, made once (a step of a sampling loop
-- is a few microseconds; building and checking a table per call shows).
local REVERSE = { reverse = true }
local RNN_OPTS = {
  [false] = { tanh = nil, relu = { nonlinearity = "relu" } },
  [true] = { tanh = REVERSE, relu = { nonlinearity = "relu", reverse = true } },
}

-- One call of the fused kernel for `mode`; returns y, h_n, c_n.
local function run_kernel(mode, nonlinearity, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse)
  if mode == "LSTM" then
    return seq.lstm(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse and REVERSE or nil)
  elseif mode == "GRU" then
    return seq.gru(x, h0, w_ih, w_hh, b_ih, b_hh, reverse and REVERSE or nil)
  end
  return seq.rnn(x, h0, w_ih, w_hh, b_ih, b_hh, RNN_OPTS[reverse and true or false][nonlinearity])
end

-- The parameter names of layer l (0-based), direction d (1 forward, 2
-- reverse): {weight_ih, weight_hh, bias_ih, bias_hh}, built once.
local NAMES = {}
local function param_names(l, d)
  local byl = NAMES[l]
  if not byl then byl = {}; NAMES[l] = byl end
  local n = byl[d]
  if not n then
    local sfx = ("_l%d%s"):format(l, d == 2 and "_reverse" or "")
    n = { "weight_ih" .. sfx, "weight_hh" .. sfx, "bias_ih" .. sfx, "bias_hh" .. sfx }
    byl[d] = n
  end
  return n
end

-- true when tensor t has exactly the sizes in want
local function has_shape(t, want)
  if t:dim() ~= #want then return false end
  for i = 1, #want do
    if t:size(i) ~= want[i] then return false end
  end
  return true
end

function M.install(nn)
  local Module = nn.Module

  -- ---- multi-layer, optionally bidirectional layers ---------------------

  local RNNBase = Module:extend("RNNBase")

  local base_options = { layers = true, num_layers = true, bidirectional = true,
                         dropout = true, batch_first = true, bias = true, dtype = true }
  local rnn_options = { nonlinearity = true }
  for k in pairs(base_options) do rnn_options[k] = true end

  -- init for every mode: mode is "RNN", "LSTM" or "GRU".
  local function base_init(self, mode, input_size, hidden_size, opts)
    local who = "nn." .. mode
    check_size(input_size, who, "input_size")
    check_size(hidden_size, who, "hidden_size")
    opts = read_options(opts, who, mode == "RNN" and rnn_options or base_options)
    if opts.layers ~= nil and opts.num_layers ~= nil and opts.layers ~= opts.num_layers then
      fail("%s: layers = %s and num_layers = %s disagree", who, tostring(opts.layers),
        tostring(opts.num_layers))
    end
    local layers = opts.layers or opts.num_layers or 1
    check_size(layers, who, "layers")
    local dropout = opts.dropout or 0
    if type(dropout) ~= "number" or dropout < 0 or dropout > 1 then
      fail("%s: dropout must be a number between 0 and 1, got %s", who, tostring(dropout))
    end
    check_dtype(opts.dtype, who)
    self.mode = mode
    self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, layers
    self.bidirectional = check_boolean(opts.bidirectional, who, "bidirectional", false)
    self.batch_first = check_boolean(opts.batch_first, who, "batch_first", false)
    self.bias = check_boolean(opts.bias, who, "bias", true)
    self.dropout = dropout
    if mode == "RNN" then self.nonlinearity = check_nonlinearity(opts.nonlinearity, who) end

    -- PyTorch's order and names: per layer, per direction, w_ih, w_hh,
    -- b_ih, b_hh; "_reverse" marks the backward direction.
    local gh, k = GATES[mode] * hidden_size, 1 / math.sqrt(hidden_size)
    local dirs = self.bidirectional and 2 or 1
    for l = 0, layers - 1 do
      local in_size = l == 0 and input_size or hidden_size * dirs
      for d = 1, dirs do
        local sfx = ("_l%d%s"):format(l, d == 2 and "_reverse" or "")
        self["weight_ih" .. sfx] = uniform_parameter({ gh, in_size }, k, opts.dtype)
        self["weight_hh" .. sfx] = uniform_parameter({ gh, hidden_size }, k, opts.dtype)
        if self.bias then
          self["bias_ih" .. sfx] = uniform_parameter({ gh }, k, opts.dtype)
          self["bias_hh" .. sfx] = uniform_parameter({ gh }, k, opts.dtype)
        end
      end
    end
  end

  --- rnn:__desc(): the layer as named in error messages ("nn.LSTM(64 -> 128)").
  function RNNBase:__desc()
    return ("nn.%s(%d -> %d)"):format(self.mode, self.input_size, self.hidden_size)
  end

  --- rnn:extra_repr(): "3, 4, num_layers=2, bidirectional=true", as PyTorch prints it.
  function RNNBase:extra_repr()
    local s = ("%d, %d"):format(self.input_size, self.hidden_size)
    if self.num_layers ~= 1 then s = s .. ", num_layers=" .. self.num_layers end
    if self.nonlinearity and self.nonlinearity ~= "tanh" then
      s = s .. ", nonlinearity=" .. self.nonlinearity
    end
    if not self.bias then s = s .. ", bias=false" end
    if self.batch_first then s = s .. ", batch_first=true" end
    if self.dropout ~= 0 then s = s .. ", dropout=" .. self.dropout end
    if self.bidirectional then s = s .. ", bidirectional=true" end
    return s
  end

  -- The parameter dtype (every parameter has the same one).
  local function param_dtype(self) return self.weight_ih_l0:dtype() end

  -- Checks one initial-state tensor: (layers * dirs, N, H), or
  -- (layers * dirs, H) for an unbatched input.
  local function check_state(self, t, what, want)
    if not seq.is_tensor(t) then
      fail("%s: %s must be a tensor, got %s", self:__desc(), what, type(t))
    end
    if not has_shape(t, want) then
      fail("%s: %s has shape %s, expected %s (num_layers * num_directions, %shidden_size)",
        self:__desc(), what, shape_str(t), shape_str(want), #want == 3 and "batch, " or "")
    end
    if t:dtype() ~= param_dtype(self) then
      fail("%s: %s is %s but the parameters are %s", self:__desc(), what, t:dtype(),
        param_dtype(self))
    end
  end

  --- rnn:forward(x [, state]) -> y, state.
  --- x is (T, N, input_size), (N, T, input_size) with batch_first, or
  --- (T, input_size) unbatched.  state is h0 (RNN, GRU) or {h0, c0} (LSTM),
  --- each (num_layers * num_directions, N, hidden_size); nil means zeros.
  --- y is (T, N, num_directions * hidden_size) (batch_first: (N, T, ...)),
  --- and the returned state holds the final h (and c) of every layer and
  --- direction in the same layout as the initial one.
  function RNNBase:forward(x, state)
    local mode = self.mode
    if not seq.is_tensor(x) then fail("%s: expected an input tensor, got %s", self:__desc(), type(x)) end
    local nd = x:dim()
    if nd ~= 2 and nd ~= 3 then
      fail("%s: input %s must be 3-d (%s, input_size) or 2-d (T, input_size) for one sequence",
        self:__desc(), shape_str(x), self.batch_first and "N, T" or "T, N")
    end
    if x:size(-1) ~= self.input_size then
      fail("%s: input %s has last dim %d, expected %d", self:__desc(), shape_str(x), x:size(-1),
        self.input_size)
    end
    if x:dtype() ~= param_dtype(self) then
      fail("%s: input is %s but the parameters are %s (convert one of them with :to())",
        self:__desc(), x:dtype(), param_dtype(self))
    end
    local unbatched = nd == 2
    local seqs = x
    if unbatched then
      seqs = x:unsqueeze(2)
    elseif self.batch_first then
      seqs = x:transpose(1, 2)
    end
    local dirs = self.bidirectional and 2 or 1
    local n_states, N, H = self.num_layers * dirs, seqs:size(2), self.hidden_size
    local want = unbatched and { n_states, H } or { n_states, N, H }

    local h0, c0
    if state ~= nil then
      if mode == "LSTM" then
        if type(state) ~= "table" or seq.is_tensor(state) then
          fail("%s: the state must be a table {h0, c0}, got %s", self:__desc(),
            seq.is_tensor(state) and "a tensor" or type(state))
        end
        h0, c0 = state[1], state[2]
        check_state(self, h0, "h0", want)
        check_state(self, c0, "c0", want)
      else
        h0 = state
        check_state(self, h0, "h0", want)
      end
      if unbatched then
        h0 = h0:unsqueeze(2)
        if c0 then c0 = c0:unsqueeze(2) end
      end
    end

    local hs, cs = {}, {}
    local inp = seqs
    for l = 0, self.num_layers - 1 do
      local ys = {}
      for d = 1, dirs do
        local k = l * dirs + d -- 1-based index into the state's first dim
        local names = param_names(l, d)
        local y, h, c = run_kernel(mode, self.nonlinearity, inp,
          h0 and h0:select(1, k), c0 and c0:select(1, k),
          self[names[1]], self[names[2]], self[names[3]], self[names[4]], d == 2)
        ys[d], hs[k], cs[k] = y, h, c
      end
      inp = dirs == 2 and seq.cat(ys, 3) or ys[1]
      if l < self.num_layers - 1 and self.dropout > 0 and self.training then
        inp = F.dropout(inp, self.dropout, true)
      end
    end

    local y, h_n, c_n = inp, nil, nil
    if #hs == 1 and seqs:size(1) == 1 then
      -- one layer, one step (a sampling loop): views of the kernel's small
      -- result instead of copies
      h_n = hs[1]:unsqueeze(1)
      c_n = mode == "LSTM" and cs[1]:unsqueeze(1) or nil
    else
      h_n = seq.stack(hs, 1)
      c_n = mode == "LSTM" and seq.stack(cs, 1) or nil
    end
    if unbatched then
      y, h_n = y:squeeze(2), h_n:squeeze(2)
      if c_n then c_n = c_n:squeeze(2) end
    elseif self.batch_first then
      y = y:transpose(1, 2)
    end
    if mode == "LSTM" then return y, { h_n, c_n } end
    return y, h_n
  end

  local RNN = RNNBase:extend("RNN")
  nn.RNN = RNN
  --- nn.RNN(input_size, hidden_size [, {layers = 1, nonlinearity = "tanh",
  ---   bias = true, batch_first = false, dropout = 0, bidirectional = false,
  ---   dtype = "float32"}]): h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh).
  function RNN:init(input_size, hidden_size, opts)
    base_init(self, "RNN", input_size, hidden_size, opts)
  end

  local LSTM = RNNBase:extend("LSTM")
  nn.LSTM = LSTM
  --- nn.LSTM(input_size, hidden_size [, options as nn.RNN, without nonlinearity]):
  --- gates i, f, g, o stacked in weight_ih (4H, D); state {h, c}.
  function LSTM:init(input_size, hidden_size, opts)
    base_init(self, "LSTM", input_size, hidden_size, opts)
  end

  local GRU = RNNBase:extend("GRU")
  nn.GRU = GRU
  --- nn.GRU(input_size, hidden_size [, options as nn.LSTM]): gates r, z, n
  --- with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
  function GRU:init(input_size, hidden_size, opts)
    base_init(self, "GRU", input_size, hidden_size, opts)
  end

  -- ---- cells: one time step ---------------------------------------------

  local CellBase = Module:extend("RNNCellBase")
  local cell_options = { bias = true, dtype = true }
  local rnn_cell_options = { bias = true, dtype = true, nonlinearity = true }

  local function cell_init(self, mode, input_size, hidden_size, opts)
    local who = "nn." .. mode .. "Cell"
    check_size(input_size, who, "input_size")
    check_size(hidden_size, who, "hidden_size")
    opts = read_options(opts, who, mode == "RNN" and rnn_cell_options or cell_options)
    check_dtype(opts.dtype, who)
    self.mode = mode
    self.input_size, self.hidden_size = input_size, hidden_size
    self.bias = check_boolean(opts.bias, who, "bias", true)
    if mode == "RNN" then self.nonlinearity = check_nonlinearity(opts.nonlinearity, who) end
    local gh, k = GATES[mode] * hidden_size, 1 / math.sqrt(hidden_size)
    self.weight_ih = uniform_parameter({ gh, input_size }, k, opts.dtype)
    self.weight_hh = uniform_parameter({ gh, hidden_size }, k, opts.dtype)
    if self.bias then
      self.bias_ih = uniform_parameter({ gh }, k, opts.dtype)
      self.bias_hh = uniform_parameter({ gh }, k, opts.dtype)
    end
  end

  --- cell:__desc(): the cell as named in error messages ("nn.LSTMCell(3 -> 4)").
  function CellBase:__desc()
    return ("nn.%sCell(%d -> %d)"):format(self.mode, self.input_size, self.hidden_size)
  end

  --- cell:extra_repr(): "3, 4" plus bias/nonlinearity when not the default.
  function CellBase:extra_repr()
    local s = ("%d, %d"):format(self.input_size, self.hidden_size)
    if not self.bias then s = s .. ", bias=false" end
    if self.nonlinearity and self.nonlinearity ~= "tanh" then
      s = s .. ", nonlinearity=" .. self.nonlinearity
    end
    return s
  end

  local function check_cell_state(self, t, what, want)
    if not seq.is_tensor(t) then
      fail("%s: %s must be a tensor, got %s", self:__desc(), what, type(t))
    end
    if not has_shape(t, want) then
      fail("%s: %s has shape %s, expected %s", self:__desc(), what, shape_str(t), shape_str(want))
    end
  end

  --- cell:forward(x [, state]) -> h' (RNNCell, GRUCell) or h', c' (LSTMCell).
  --- x is (N, input_size) or (input_size); state is h or {h, c} of
  --- (N, hidden_size) (or (hidden_size)); nil means zeros.
  function CellBase:forward(x, state)
    if not seq.is_tensor(x) then fail("%s: expected an input tensor, got %s", self:__desc(), type(x)) end
    local nd = x:dim()
    if (nd ~= 1 and nd ~= 2) or x:size(-1) ~= self.input_size then
      fail("%s: input %s must be (N, %d) or (%d)", self:__desc(), shape_str(x), self.input_size,
        self.input_size)
    end
    if x:dtype() ~= self.weight_ih:dtype() then
      fail("%s: input is %s but the parameters are %s", self:__desc(), x:dtype(),
        self.weight_ih:dtype())
    end
    local want = nd == 2 and { x:size(1), self.hidden_size } or { self.hidden_size }
    local h, c
    if state ~= nil then
      if self.mode == "LSTM" then
        if type(state) ~= "table" or seq.is_tensor(state) then
          fail("%s: the state must be a table {h, c}, got %s", self:__desc(),
            seq.is_tensor(state) and "a tensor" or type(state))
        end
        h, c = state[1], state[2]
        check_cell_state(self, c, "c", want)
      else
        h = state
      end
      check_cell_state(self, h, "h", want)
    end
    -- one time step of the sequence kernel: (1, N, D)
    local xs = nd == 2 and x:unsqueeze(1) or x:reshape(1, 1, self.input_size)
    if nd == 1 then
      h = h and h:unsqueeze(1)
      c = c and c:unsqueeze(1)
    end
    local _, h1, c1 = run_kernel(self.mode, self.nonlinearity, xs, h, c, self.weight_ih,
      self.weight_hh, self.bias_ih, self.bias_hh, false)
    if nd == 1 then
      h1 = h1:squeeze(1)
      c1 = c1 and c1:squeeze(1)
    end
    if self.mode == "LSTM" then return h1, c1 end
    return h1
  end

  local RNNCell = CellBase:extend("RNNCell")
  nn.RNNCell = RNNCell
  --- nn.RNNCell(input_size, hidden_size [, {bias = true, nonlinearity = "tanh", dtype =}]).
  function RNNCell:init(i, h, opts) cell_init(self, "RNN", i, h, opts) end

  local LSTMCell = CellBase:extend("LSTMCell")
  nn.LSTMCell = LSTMCell
  --- nn.LSTMCell(input_size, hidden_size [, {bias = true, dtype =}]): h, c = cell(x, {h, c}).
  function LSTMCell:init(i, h, opts) cell_init(self, "LSTM", i, h, opts) end

  local GRUCell = CellBase:extend("GRUCell")
  nn.GRUCell = GRUCell
  --- nn.GRUCell(input_size, hidden_size [, {bias = true, dtype =}]): h = cell(x, h).
  function GRUCell:init(i, h, opts) cell_init(self, "GRU", i, h, opts) end

  return nn
end

return M
