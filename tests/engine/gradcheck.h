/* gradcheck.h — the numerical gradient checker for the engine's float64
 * gradcheck suites (engine-anchors §7.6).
 *
 * A check runs f on float64 leaves, seeds backward with a fixed random
 * projection r (so loss = sum(r * out)), and compares every leaf's .grad
 * with central differences of that loss.  It also checks that the graph
 * f built gave back all of its memory.  Inputs come from a small
 * deterministic RNG of its own, with helpers that keep values away from
 * the points where an op is not differentiable. */
#ifndef SEQ_TESTS_GRADCHECK_H
#define SEQ_TESTS_GRADCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "seq/tensor.h"

/* A shape literal: gc_uniform(&rng, GC_SHAPE(2, 3), -1, 1). */
#define GC_SHAPE(...)                                                          \
    (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), (int64_t[])     \
    {                                                                          \
        __VA_ARGS__                                                            \
    }

/* Central-difference step and the default tolerance on
 * |analytic - numerical| / max(1, |analytic|, |numerical|). */
#define GC_EPS 1e-6
#define GC_TOL 1e-6

/* ---- deterministic inputs ---------------------------------------------- */

/* splitmix64: tiny, seedable, and the same on every platform. */
struct gc_rng {
    uint64_t state;
};
void gc_seed(struct gc_rng *r, uint64_t seed);
uint64_t gc_next(struct gc_rng *r);
/* Uniform in [0, 1). */
double gc_unit(struct gc_rng *r);

/* Each helper returns a new contiguous float64 leaf that requires grad
 * (the caller releases it), or fails the test. */
/* Uniform in [lo, hi]. */
struct seq_tensor *gc_uniform(struct gc_rng *r, int ndim, const int64_t *shape,
                              double lo, double hi);
/* |x| uniform in [lo, hi] (lo > 0) with a random sign: for abs, relu,
 * sign-sensitive denominators. */
struct seq_tensor *gc_signed(struct gc_rng *r, int ndim, const int64_t *shape,
                             double lo, double hi);
/* numel evenly spaced values on [lo, hi], shuffled: every pair differs by
 * at least (hi - lo) / (numel - 1), so max/min have no ties.  With
 * random_sign each value's sign is flipped at random (lo > 0 then keeps
 * the absolute values distinct, for the inf-norm). */
struct seq_tensor *gc_distinct(struct gc_rng *r, int ndim, const int64_t *shape,
                               double lo, double hi, bool random_sign);
/* Uniform in [lo, hi] but at least `margin` away from every element of
 * `avoid` (any dtype and shape): for maximum/minimum against another input,
 * or clamp against its bounds. */
struct seq_tensor *gc_avoiding(struct gc_rng *r, int ndim, const int64_t *shape,
                               double lo, double hi,
                               const struct seq_tensor *avoid, double margin);
/* An int64 tensor (no grad) from a list of values. */
struct seq_tensor *gc_index(int ndim, const int64_t *shape,
                            const int64_t *values);
/* Releases n tensors (NULL entries are skipped). */
void gc_release_all(int n, struct seq_tensor **ts);

/* ---- the check --------------------------------------------------------- */

/* Builds the output from the inputs with engine ops; returns a status.
 * ctx carries whatever else the op needs (dims, indices, flags). */
typedef int (*gc_fn)(struct seq_tensor **out, struct seq_tensor *const *in,
                     const void *ctx);

struct gc_report {
    double worst;    /* the largest error over every element of every input */
    int input;       /* where it was */
    int64_t element; /* flat C-order index into that input */
    double analytic, numerical;
};

/* Checks d(sum(r * f(in)))/d(in[i]) for every one of the n inputs (float64
 * contiguous leaves that require grad and hold no .grad yet), and fails the
 * current test with the input and element of the worst error when it
 * exceeds tol.  The inputs' .grad is dropped again afterwards.  Returns
 * the report. */
struct gc_report gradcheck_tol(gc_fn f, const void *ctx, int n,
                               struct seq_tensor *const *in, double tol);
/* gradcheck_tol with GC_TOL. */
struct gc_report gradcheck(gc_fn f, const void *ctx, int n,
                           struct seq_tensor *const *in);

#endif
