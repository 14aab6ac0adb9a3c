/* seq/sample.h — drawing class indices from a distribution over the last
 * dimension: the sampling step of a language model (greedy, temperature,
 * top-k), driven by the engine's seedable generator (seq/rng.h).
 *
 * The input is (C) or (..., C) of any dtype: either probabilities or
 * weights such as int64 counts (non-negative, finite, not all zero; they
 * need not sum to one) or, with
 * opts.logits, unnormalised log-probabilities (finite or -inf, not all
 * -inf).  Each row gives one 0-based int64 index; the result has the
 * input's shape without its last dim (0-d for a 1-d input).  Nothing here
 * is differentiable.  Exactly one uniform draw is taken per row (none
 * when greedy), so a seeded generator replays the same samples. */
#ifndef SEQ_SAMPLE_H
#define SEQ_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "seq/rng.h"
#include "seq/tensor.h"

struct seq_sample_opts {
    /* p_i^(1/temperature), renormalised (for logits: softmax(x / T)).
     * 1 keeps the distribution, below 1 sharpens it, above 1 flattens
     * it; 0 is greedy (the first largest entry). */
    double temperature;
    /* Only the top_k most likely classes can be drawn (ties broken
     * towards the lower index); 0 = all of them. */
    int64_t top_k;
    /* The input holds logits instead of probabilities. */
    bool logits;
};

/* temperature 1, every class, probabilities. */
#define SEQ_SAMPLE_DEFAULTS ((struct seq_sample_opts){1.0, 0, false})

/* One index per row of p.  opts NULL means SEQ_SAMPLE_DEFAULTS, rng NULL
 * the thread's default generator.  SEQ_EINVAL for a bad option or row
 * (the message names the row and class), SEQ_ESHAPE for a 0-d input or
 * an empty class dim. */
int seq_sample(struct seq_tensor **out, const struct seq_tensor *p,
               const struct seq_sample_opts *opts, struct seq_rng *rng);

/* The index of the first largest entry of every row (no randomness);
 * the same as seq_sample with temperature 0. */
int seq_sample_greedy(struct seq_tensor **out, const struct seq_tensor *p);

#endif
