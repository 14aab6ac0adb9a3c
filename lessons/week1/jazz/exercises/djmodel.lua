-- djmodel — the training model of the jazz lab: ONE LSTM cell and ONE
-- dense layer, applied at every one of the Tx steps.
--
-- Fill in the parts marked YOUR CODE HERE, then run the tests.  The page
-- "One cell, many steps" explains the model.
local M = {}

-- The model is an nn.Module, so that model:parameters(), optimizers and
-- state_dict see the cell and the dense layer.
local DJModel = nn.Module:extend("DJModel")

--- DJModel(Tx, n_a, n_values): the layers, created once.
---   self.LSTM_cell  nn.LSTMCell from n_values inputs to n_a hidden units
---   self.densor     nn.Linear from n_a to n_values
--- both in float64, the dtype of music.training_data.
function DJModel:init(Tx, n_a, n_values)
  self.Tx, self.n_a, self.n_values = Tx, n_a, n_values
  -- YOUR CODE HERE: the two layers, with the option { dtype = "float64" }
  self.LSTM_cell = nil
  self.densor = nil
end

--- model(X, a0, c0) -> outputs
---   X       (m, Tx, n_values) one-hot values
---   a0, c0  (m, n_a) the initial hidden state and memory cell
--- Returns the list of the Tx outputs, outputs[t] (m, n_values): for each
--- example, the softmax over the values of what comes after step t.
function DJModel:forward(X, a0, c0)
  local a, c = a0, c0
  local outputs = {}
  for t = 1, self.Tx do
    -- YOUR CODE HERE: step t of X for every example, one step of
    -- self.LSTM_cell from the state {a, c}, then self.densor and a
    -- softmax over the values; store it in outputs[t]
  end
  return outputs
end

--- djmodel(Tx, n_a, n_values) -> the model (the course: Tx = 30,
--- n_a = 64, n_values = 90).
function M.djmodel(Tx, n_a, n_values)
  return DJModel(Tx, n_a, n_values)
end

return M
