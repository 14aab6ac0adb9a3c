-- test_course_w1.lua — the course's published rnn_cell_forward and
-- lstm_cell_forward test cases (W1A1 tests 1 and 3), reproduced from
-- np.random draws and seq ops.  The expected numbers are the notebook's.
local T = dofile("tests/lua/tap.lua")

local function softmax0(z) return z:softmax(1) end -- over the first axis

T.test("rnn_cell_forward reproduces the course's test 1", function()
  np.random.seed(1)
  local xt = np.random.randn(3, 10)
  local a_prev = np.random.randn(5, 10)
  local Waa = np.random.randn(5, 5)
  local Wax = np.random.randn(5, 3)
  local Wya = np.random.randn(2, 5)
  local ba = np.random.randn(5, 1)
  local by = np.random.randn(2, 1)
  local a_next = seq.tanh(Wax:matmul(xt) + Waa:matmul(a_prev) + ba)
  local yt_pred = softmax0(Wya:matmul(a_next) + by)
  T.eq(a_next:shape(), { 5, 10 })
  T.eq(yt_pred:shape(), { 2, 10 })
  -- the notebook's a_next[4] and yt_pred[1] are rows 5 and 2 here
  T.close(a_next[5], { 0.59584544, 0.18141802, 0.61311866, 0.99808218,
    0.85016201, 0.99980978, -0.18887155, 0.99815551, 0.6531151, 0.82872037 },
    1e-8)
  T.close(yt_pred[2], { 0.9888161, 0.01682021, 0.21140899, 0.36817467,
    0.98988387, 0.88945212, 0.36920224, 0.9966312, 0.9982559, 0.17746526 },
    1e-8)
end)

T.test("lstm_cell_forward reproduces the course's test 3", function()
  np.random.seed(1)
  local xt = np.random.randn(3, 10)
  local a_prev = np.random.randn(5, 10)
  local c_prev = np.random.randn(5, 10)
  local Wf, bf = np.random.randn(5, 8), np.random.randn(5, 1)
  local Wi, bi = np.random.randn(5, 8), np.random.randn(5, 1)
  local Wo, bo = np.random.randn(5, 8), np.random.randn(5, 1)
  local Wc, bc = np.random.randn(5, 8), np.random.randn(5, 1)
  local Wy, by = np.random.randn(2, 5), np.random.randn(2, 1)
  local concat = seq.cat({ a_prev, xt }, 1)
  local ft = seq.sigmoid(Wf:matmul(concat) + bf)
  local it = seq.sigmoid(Wi:matmul(concat) + bi)
  local cct = seq.tanh(Wc:matmul(concat) + bc)
  local c_next = ft * c_prev + it * cct
  local ot = seq.sigmoid(Wo:matmul(concat) + bo)
  local a_next = ot * seq.tanh(c_next)
  local yt = softmax0(Wy:matmul(a_next) + by)
  T.close(a_next[5], { -0.66408471, 0.0036921, 0.02088357, 0.22834167,
    -0.85575339, 0.00138482, 0.76566531, 0.34631421, -0.00215674,
    0.43827275 }, 1e-8)
  T.close(c_next[3], { 0.63267805, 1.00570849, 0.35504474, 0.20690913,
    -1.64566718, 0.11832942, 0.76449811, -0.0981561, -0.74348425,
    -0.26810932 }, 1e-8)
  T.close(yt[2], { 0.79913913, 0.15986619, 0.22412122, 0.15606108,
    0.97057211, 0.31146381, 0.00943007, 0.12666353, 0.39380172,
    0.07828381 }, 1e-8)
  -- the notebook's cache[1][3] is c_next's row 4 (cache[1] is c_next)
  T.close(c_next[4], { -0.16263996, 1.03729328, 0.72938082, -0.54101719,
    0.02752074, -0.30821874, 0.07651101, -1.03752894, 1.41219977,
    -0.37647422 }, 1e-8)
end)

T.test("np.random.randint reproduces the course's seed-5 draws", function()
  np.random.seed(5)
  local got = {}
  for i = 1, 5 do got[i] = np.random.randint(0, 9084) end
  T.eq(got, { 2915, 2254, 4079, 3046, 7286 })
end)

T.done()
