-- predict_and_sample — run the inference model once and read off the
-- values it chose.
--
-- Fill in the parts marked YOUR CODE HERE, then run the tests.
local M = {}

--- predict_and_sample(inference_model, x_initializer, a_initializer,
---                    c_initializer) -> results, indices
---   inference_model  from music_inference_model: called as
---                    inference_model(x, a, c), it returns Ty outputs,
---                    each (1, n_values)
---   x_initializer    (1, n_values) the first input, a_initializer and
---                    c_initializer (1, n_a) the first state
--- Returns results (Ty, n_values), the one-hot rows of the values chosen
--- (in x_initializer's dtype), and indices (Ty, 1), an int64 tensor of
--- those values as token ids, 1 to n_values (the course's are 0-based).
function M.predict_and_sample(inference_model, x_initializer, a_initializer, c_initializer)
  local n_values = x_initializer:size(-1)

  -- YOUR CODE HERE: the Ty outputs of the inference model on the three
  -- initializers (inside seq.no_grad: no gradients are needed)
  local pred = nil

  -- YOUR CODE HERE: indices (Ty, 1), the most likely value of each step
  local indices = nil

  -- YOUR CODE HERE: results (Ty, n_values), one one-hot row per step
  local results = nil

  return results, indices
end

return M
