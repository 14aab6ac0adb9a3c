-- optimize — one step of gradient descent for the character model
-- (reference solution).
local M = {}

-- ---- Given: the course's helpers (its utils.py), in seqlab Lua ------------
--
-- Characters are numbered as in the course, from 0: '\n' is 0, 'a' is 1,
-- ..., 'z' is 26.  Character ix is row ix + 1 of a one-hot column, since
-- seqlab counts rows from 1.

-- softmax of a column: subtract the largest score first, for stability
local function softmax(x)
  local e_x = np.exp(x - x:max())
  return e_x / e_x:sum()
end

-- One step of the RNN: a⟨t⟩ and the distribution ŷ⟨t⟩ over the next
-- character.
local function rnn_step_forward(parameters, a_prev, x)
  local p = parameters
  local a_next = np.tanh(p.Wax:matmul(x) + p.Waa:matmul(a_prev) + p.b)
  local p_t = softmax(p.Wya:matmul(a_next) + p.by)
  return a_next, p_t
end

-- One step of backpropagation through time: adds this step's share to
-- every gradient and passes da_next on to the step before.
local function rnn_step_backward(dy, gradients, parameters, x, a, a_prev)
  local g, p = gradients, parameters
  g.dWya:add_(dy:matmul(a:t()))
  g.dby:add_(dy)
  local da = p.Wya:t():matmul(dy) + g.da_next
  local daraw = (1 - a * a) * da           -- through the tanh
  g.db:add_(daraw)
  g.dWax:add_(daraw:matmul(x:t()))
  g.dWaa:add_(daraw:matmul(a_prev:t()))
  g.da_next = p.Waa:t():matmul(daraw)
  return g
end

-- Plain gradient descent, in place.
local function update_parameters(parameters, gradients, lr)
  parameters.Wax:add_(gradients.dWax, -lr)
  parameters.Waa:add_(gradients.dWaa, -lr)
  parameters.Wya:add_(gradients.dWya, -lr)
  parameters.b:add_(gradients.db, -lr)
  parameters.by:add_(gradients.dby, -lr)
  return parameters
end

-- The forward pass over one name.  X and Y are lists of character
-- indices; X[t] == false (the course's None) is an all-zero input.  The
-- loss is the cross-entropy summed over the steps.  Returns the loss and
-- the cache {y_hat, a, x}, where a[0] is a0 and a[t] the state after
-- step t.
local function rnn_forward(X, Y, a0, parameters, vocab_size)
  vocab_size = vocab_size or parameters.Wax:size(2)
  local x, a, y_hat = {}, {}, {}
  a[0] = a0:clone()
  local loss = 0
  for t = 1, #X do
    x[t] = np.zeros(vocab_size, 1)
    if X[t] then x[t]:set(X[t] + 1, 1, 1) end
    a[t], y_hat[t] = rnn_step_forward(parameters, a[t - 1], x[t])
    loss = loss - math.log(y_hat[t]:get(Y[t] + 1, 1))
  end
  return loss, { y_hat, a, x }
end

-- Backpropagation through time over the name: the gradients
-- {dWax, dWaa, dWya, db, dby, da_next} and the states a (a[0] .. a[#X]).
local function rnn_backward(X, Y, parameters, cache)
  local y_hat, a, x = cache[1], cache[2], cache[3]
  local p = parameters
  local gradients = {
    dWax = np.zeros_like(p.Wax), dWaa = np.zeros_like(p.Waa),
    dWya = np.zeros_like(p.Wya), db = np.zeros_like(p.b),
    dby = np.zeros_like(p.by), da_next = np.zeros_like(a[1]),
  }
  for t = #X, 1, -1 do
    local dy = y_hat[t]:clone()
    dy:set(Y[t] + 1, 1, dy:get(Y[t] + 1, 1) - 1)   -- ŷ − y for a one-hot y
    gradients = rnn_step_backward(dy, gradients, parameters, x[t], a[t], a[t - 1])
  end
  return gradients, a
end

-- Given: clip, from the exercise before (keeps every entry within
-- [-maxValue, maxValue], in place, and returns the five gradients).
local function clip(gradients, maxValue)
  local g = gradients
  for _, gradient in ipairs { g.dWax, g.dWaa, g.dWya, g.db, g.dby } do
    np.clip(gradient, -maxValue, maxValue, gradient)
  end
  return { dWaa = g.dWaa, dWax = g.dWax, dWya = g.dWya, db = g.db, dby = g.dby }
end

--- One step of training on one name.
---   X, Y           lists of character indices (0-based, as in the
---                  course): X is the input, Y the same characters one
---                  step ahead; X[1] may be false (the course's None)
---   a_prev         (n_a, 1) the state the name starts from
---   parameters     {Wax, Waa, Wya, b, by}, updated in place
---   learning_rate  the step size (0.01 when nil)
--- Runs the forward pass, backpropagation through time, clips the
--- gradients to [-5, 5] and updates the parameters.  Returns the loss,
--- the clipped gradients and the state after the last step, a[#X].
function M.optimize(X, Y, a_prev, parameters, learning_rate)
  learning_rate = learning_rate or 0.01

  -- forward through the name, then backward through time
  local loss, cache = rnn_forward(X, Y, a_prev, parameters)
  local gradients, a = rnn_backward(X, Y, parameters, cache)

  -- keep the gradients within [-5, 5], then take the step
  gradients = clip(gradients, 5)
  parameters = update_parameters(parameters, gradients, learning_rate)

  return loss, gradients, a[#X]
end

return M
