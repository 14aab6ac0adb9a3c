-- music_inference_model — the model that improvises: the trained cell and
-- dense layer, run for Ty steps, each step fed the value the step before
-- chose.
--
-- Fill in the parts marked YOUR CODE HERE, then run the tests.
local M = {}

local InferenceModel = nn.Module:extend("MusicInferenceModel")

--- MusicInferenceModel(LSTM_cell, densor, Ty): keeps the layers it is
--- given (the trained ones: no new weights) and the number of steps.
function InferenceModel:init(LSTM_cell, densor, Ty)
  self.LSTM_cell, self.densor, self.Ty = LSTM_cell, densor, Ty
end

--- model(x0, a0, c0) -> outputs
---   x0      (m, n_values) the first input (zeros: "no value yet")
---   a0, c0  (m, n_a) the initial hidden state and memory cell
--- Returns the list of the Ty outputs, each (m, n_values), the softmax
--- over the values at that step.  The input of step t + 1 is the one-hot
--- of the most likely value of output t.
function InferenceModel:forward(x0, a0, c0)
  local n_values = self.densor.out_features
  local x, a, c = x0, a0, c0
  local outputs = {}
  for t = 1, self.Ty do
    -- YOUR CODE HERE: one step of self.LSTM_cell from {a, c} on x, then
    -- self.densor and a softmax over the values: outputs[t]

    -- YOUR CODE HERE: the next x, the one-hot row (n_values wide, in the
    -- output's dtype) of the most likely value of each example
  end
  return outputs
end

--- music_inference_model(LSTM_cell, densor, Ty) -> the model
--- (Ty = 100 when nil, as in the course).
function M.music_inference_model(LSTM_cell, densor, Ty)
  return InferenceModel(LSTM_cell, densor, Ty or 100)
end

return M
