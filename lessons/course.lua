-- course.lua — the manifest of seqlab's bundled course: four weeks on
-- sequence models.  The format is described in docs/course-format.md.
--
-- Only lessons with real content are listed.  Still to be written, in
-- the order they will appear:
--
--   Week 1  rnn-step-by-step (more): backpropagation through time for
--             the RNN and the LSTM (the course's optional part)
--           dinosaur-island   Character-level language model
--                             (Dinosaur Island): clip, sample, optimize,
--                             model
--           jazz              Jazz improvisation with an LSTM
--           beyond-rnn        Beyond the course: GRU, bidirectional and
--                             deep RNNs
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
