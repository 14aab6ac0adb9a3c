-- predict_and_sample — run the inference model once and read off the
-- values it chose (reference solution).
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

  -- the Ty outputs; no gradients are needed to generate
  local pred = seq.no_grad(function()
    return inference_model(x_initializer, a_initializer, c_initializer)
  end)

  -- (Ty, 1, n_values) -> the most likely value of each step: (Ty, 1)
  local indices = seq.stack(pred):argmax(3)

  -- one one-hot row per step: (Ty, n_values)
  local results = seq.one_hot(indices:squeeze(2), n_values, x_initializer:dtype())

  return results, indices
end

return M
