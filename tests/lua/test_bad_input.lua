-- test_bad_input.lua — wrong types, shapes, dtypes, indices, freed tensors
-- and huge sizes: every call below must raise a Lua error whose message
-- says what was wrong, and the process must carry on.
local T = dofile("tests/lua/tap.lua")

local m = seq.zeros(5, 3)
local freed = seq.ones(2); freed:free()

local cases = {
  { "matmul with a number", function() m:matmul(nil) end, "seq.Tensor expected" },
  { "matmul shapes", function() m:matmul(seq.zeros(5, 10)) end, "cannot be multiplied" },
  { "add incompatible shapes", function() return m + seq.zeros(4) end, "cannot be broadcast" },
  { "add a string", function() return m + "x" end, "seq.Tensor expected" },
  { "dim out of range", function() m:sum(3) end, "dimension 3 out of range" },
  { "dim zero", function() m:softmax(0) end, "out of range" },
  { "row out of range", function() return m[6] end, "out of range" },
  { "non-integer index", function() return m[1.5] end, "integer" },
  { "get with too few indices", function() m:get(1) end, "needs 2 indices" },
  { "set out of range", function() m:set(1, 4, 0) end, "out of range" },
  { "unknown dtype", function() seq.zeros(2, "float16") end, "unknown dtype" },
  { "negative size", function() seq.zeros(-1, 3) end, "negative size" },
  { "huge size", function() seq.zeros(1 << 30, 1 << 30) end, "too large" },
  { "view not possible", function() m:t():view(15) end, "without a copy" },
  { "reshape wrong count", function() m:reshape(4, 4) end, "cannot reshape" },
  { "freed tensor", function() return freed:sum() end, "freed tensor" },
  { "freed tensor as argument", function() return m:matmul(freed) end, "freed tensor" },
  { "backward on non-scalar", function()
      local w = seq.ones(3):requires_grad(); (w * 2):backward() end,
    "one%-element output" },
  { "requires_grad on int64", function() seq.tensor { 1, 2 }:requires_grad() end,
    "floating" },
  { "in-place on a leaf needing grad", function()
      seq.ones(2):requires_grad():fill_(3) end, "in place" },
  { "cat of mismatched shapes", function() seq.cat({ seq.zeros(2, 3), seq.zeros(2, 4) }) end,
    "cat" },
  { "cat of an empty list", function() seq.cat({}) end, "non%-empty" },
  { "index_select with float indices", function() m:index_select(1, seq.ones(2)) end,
    "int64" },
  { "one_hot out of range", function() seq.one_hot({ 4 }, 3) end, "out of range" },
  { "cross_entropy target dtype", function() seq.cross_entropy(m, seq.ones(5)) end,
    "integer" },
  { "clamp with lo > hi", function() m:clamp(2, 1) end, "larger than max" },
  { "item of many elements", function() m:item() end, "one%-element" },
  { "len of 0-d", function() return #seq.tensor(3.5) end, "0%-d" },
  { "slice with step 0", function() m:slice(1, 1, 2, 0) end, "step" },
  { "permute repeated dim", function() m:permute(1, 1) end, "twice" },
  { "expand non-1 dim", function() m:expand(5, 4) end, "cannot expand" },
  { "arange bad step", function() seq.arange(0, 5, 0) end, "step" },
  { "assign unknown field", function() m.foo = 1 end, "no writable field" },
  { "np.random.seed negative", function() np.random.seed(-1) end, "seed" },
  { "np.random.choice bad p", function() np.random.choice(3, { p = { 0.5, 0.5, 0.5 } }) end,
    "sum to 1" },
  { "np.random.choice too many", function()
      np.random.choice(3, { size = 5, replace = false }) end, "larger sample" },
  { "save a non-tensor", function() seq.save(os.tmpname(), { w = 3 }) end, "name = tensor" },
}

for _, c in ipairs(cases) do
  T.test("bad input is a clear error: " .. c[1], function()
    T.raises(c[2], c[3])
  end)
end

T.test("after all that, the engine still works", function()
  T.eq((seq.ones(2) + 1):totable(), { 2, 2 })
end)

T.done()
