-- np: the few numpy helpers the course's exercises use, as thin aliases over
-- seq that produce float64 like numpy.  np.random (numpy's legacy generator,
-- bit for bit) is implemented in C (app/lua/l_np.c).
--
-- Dimensions are 1-based here, as everywhere in seqlab's Lua API:
-- np.sum(x, 1) sums over the first axis (numpy's axis=0).
local seq = require "seq"
local np = require "np.core"

local function f64(x)
  if seq.is_tensor(x) then return x end
  return seq.tensor(x, "float64")
end

--- np.zeros(shape) / np.ones(shape): float64 arrays; shape is a table or sizes.
local function with_f64(fn, ...)
  local args = table.pack(...)
  args.n = args.n + 1
  args[args.n] = "float64"
  return fn(table.unpack(args, 1, args.n))
end
function np.zeros(...) return with_f64(seq.zeros, ...) end
function np.ones(...) return with_f64(seq.ones, ...) end
function np.zeros_like(x) return seq.zeros_like(x) end
function np.ones_like(x) return seq.ones_like(x) end
--- np.array(nested_table): a float64 tensor.
function np.array(t, dtype) return seq.tensor(t, dtype or "float64") end
function np.arange(...) return seq.arange(...) end

--- Elementwise helpers accept tensors or numbers.
for _, name in ipairs { "exp", "log", "tanh", "sqrt", "abs", "sigmoid" } do
  np[name] = function(x)
    if type(x) == "number" then return seq[name](seq.tensor(x, "float64")):item() end
    return seq[name](x)
  end
end
function np.maximum(a, b) return seq.maximum(f64(a), b) end
function np.minimum(a, b) return seq.minimum(f64(a), b) end
function np.multiply(a, b) return seq.mul(f64(a), b) end
function np.add(a, b) return seq.add(f64(a), b) end
function np.power(a, p) return seq.pow(f64(a), p) end

--- np.clip(x, lo, hi [, out]): like numpy, writes into `out` when given.
function np.clip(x, lo, hi, out)
  local r = seq.clamp(x, lo, hi)
  if out then out:copy_(r); return out end
  return r
end

--- np.dot(a, b): matrix product (or inner product of vectors).
function np.dot(a, b) return seq.matmul(f64(a), f64(b)) end
np.matmul = np.dot

--- Reductions: np.sum(x [, axis [, keepdims]]), axis 1-based.
function np.sum(x, axis, keepdims) return x:sum(axis, keepdims) end
function np.mean(x, axis, keepdims) return x:mean(axis, keepdims) end
function np.max(x, axis, keepdims)
  if axis == nil then return x:max() end
  return (x:max(axis, keepdims))
end
--- np.argmax(x [, axis]): a 1-based position (seqlab indexes from 1).
function np.argmax(x, axis) return x:argmax(axis) end

--- np.shape(x): a table of sizes.
function np.shape(x) return x:shape() end

return np
