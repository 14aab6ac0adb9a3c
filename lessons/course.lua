-- course.lua — the manifest of seqlab's bundled course: four weeks on
-- sequence models.  The format is described in docs/course-format.md.
--
-- Only lessons with real content are listed.  Still to be written, in
-- the order they will appear:
--
--   Week 2  word-vectors      Operations on word vectors: cosine
--                             similarity, analogies, debiasing
--           emojify           Emojify: averaged embeddings, then an LSTM
--   Week 3  nmt-attention     Neural machine translation with attention
--           trigger-word      Trigger word detection
--   Week 4  transformer       The Transformer network
--           transformer-prep  Embeddings and positional encodings (lab)
--           ner               Named-entity recognition with a Transformer
--                             (lab)
--           qa                Extractive question answering (lab)

return {
  title = "Sequence Models",
  weeks = {
    {
      id = "w1",
      title = "Recurrent Neural Networks",
      lessons = {
        {
          id = "overview",
          title = "Week 1 at a glance",
          dir = "week1",
          items = {
            { page = "overview", title = "Week 1 overview" },
          },
        },
        {
          id = "rnn-step-by-step",
          title = "Building an RNN, step by step",
          dir = "week1/rnn-step-by-step",
          items = {
            { page = "notation", title = "Notation and why sequences" },
            { page = "rnn-cell", title = "The RNN cell and forward pass" },
            { exercise = "rnn_cell_forward", title = "The RNN cell" },
            { exercise = "rnn_forward", title = "The RNN forward pass" },
            { page = "lstm-cell", title = "The LSTM cell and forward pass" },
            { exercise = "lstm_cell_forward", title = "The LSTM cell" },
            { exercise = "lstm_forward", title = "The LSTM forward pass" },
          },
        },
        {
          id = "bptt",
          title = "Backpropagation through time",
          dir = "week1/bptt",
          items = {
            { page = "bptt", title = "Backpropagation through time" },
            { exercise = "rnn_cell_backward", title = "The RNN cell, backward" },
            { exercise = "rnn_backward", title = "The RNN backward pass" },
            { page = "lstm-backward", title = "The LSTM backward pass" },
            { exercise = "lstm_cell_backward", title = "The LSTM cell, backward" },
            { exercise = "lstm_backward", title = "The LSTM backward pass over time" },
          },
        },
        {
          id = "dinosaurs",
          title = "Character-level language model: Dinosaur Island",
          dir = "week1/dinosaurs",
          items = {
            { page = "language-models", title = "Language models and sampling" },
            { exercise = "sample", title = "Sampling a name" },
            { page = "training", title = "Training a character model" },
            { exercise = "clip", title = "Clipping the gradients" },
            { exercise = "optimize", title = "One step of training" },
            { exercise = "model", title = "The training loop", timeout = 20 },
          },
        },
        {
          id = "jazz",
          title = "Jazz improvisation with an LSTM",
          dir = "week1/jazz",
          items = {
            { page = "music-values", title = "Music as a sequence of values" },
            { page = "one-cell", title = "One cell, many steps: training and inference models" },
            { exercise = "djmodel", title = "The training model" },
            { exercise = "music_inference_model", title = "The inference model" },
            { exercise = "predict_and_sample", title = "Predicting and sampling" },
          },
        },
        {
          id = "beyond-rnn",
          title = "Beyond the course: GRU, bidirectional and deep RNNs",
          dir = "week1/beyond",
          items = {
            { page = "exploding-gradients", title = "Vanishing and exploding gradients, and clipping" },
            { exercise = "clip_by_value", title = "Clipping by value" },
            { exercise = "clip_by_global_norm", title = "Clipping by global norm" },
            { page = "gru", title = "The GRU" },
            { exercise = "gru_cell_forward", title = "The GRU cell" },
            { exercise = "gru_cell_backward", title = "The GRU cell, backward" },
            { page = "brnn-deep-rnn", title = "Bidirectional and deep RNNs" },
            { exercise = "brnn_forward", title = "A bidirectional RNN" },
            { exercise = "deep_rnn_forward", title = "A deep RNN" },
            { page = "layers-to-models", title = "Composing models from layers" },
          },
        },
      },
    },
    {
      id = "w2",
      title = "Natural Language Processing & Word Embeddings",
      lessons = {
        {
          id = "overview",
          title = "Week 2 at a glance",
          dir = "week2",
          items = {
            { page = "overview", title = "Week 2 overview" },
          },
        },
      },
    },
    {
      id = "w3",
      title = "Sequence Models & the Attention Mechanism",
      lessons = {
        {
          id = "overview",
          title = "Week 3 at a glance",
          dir = "week3",
          items = {
            { page = "overview", title = "Week 3 overview" },
          },
        },
      },
    },
    {
      id = "w4",
      title = "Transformer Networks",
      lessons = {
        {
          id = "overview",
          title = "Week 4 at a glance",
          dir = "week4",
          items = {
            { page = "overview", title = "Week 4 overview" },
          },
        },
      },
    },
  },
}
