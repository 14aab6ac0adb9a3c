/* seq/nprandom.h — numpy's legacy RandomState (np.random.seed, rand, randn,
 * uniform, normal, randint, shuffle, permutation, choice), bit for bit.
 *
 * The course's notebooks print numbers drawn after np.random.seed(s); the
 * exercises only reproduce them if every draw consumes the MT19937 stream
 * exactly as numpy 1.24 does.  This generator is for that and nothing else:
 * use seq/rng.h for initialisation, dropout and sampling, which is faster.
 *
 * Every function is deterministic given the state.  Arrays are filled in C
 * order, one draw per element, as numpy does.  Functions that can reject an
 * argument return a status (seq/error.h) with a numpy-like message. */
#ifndef SEQ_NPRANDOM_H
#define SEQ_NPRANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seq/tensor.h"

#define SEQ_NPRANDOM_N 624

struct seq_nprandom {
    uint32_t mt[SEQ_NPRANDOM_N]; /* MT19937 key */
    int pos;                     /* next word of mt to temper; N = refill */
    bool has_gauss;              /* randn's polar method made two values */
    double gauss;                /* ... and this one is still to be used */
};

/* ---- seeding ----------------------------------------------------------- */
/* np.random.seed(seed) for an integer seed (numpy accepts 0 .. 2**32-1):
 * MT19937 init_genrand.  Also forgets a cached gaussian. */
void seq_nprandom_seed(struct seq_nprandom *st, uint32_t seed);
/* np.random.seed(key) for a 1-D array of n >= 1 words: MT19937
 * init_by_array.  SEQ_EINVAL when n is 0 (numpy: "Seed must be
 * non-empty"). */
int seq_nprandom_seed_array(struct seq_nprandom *st, const uint32_t *key,
                            size_t n);

/* ---- scalar draws ------------------------------------------------------ */
/* The next raw 32-bit MT19937 output. */
uint32_t seq_nprandom_u32(struct seq_nprandom *st);
/* random_sample / rand(): 53 random bits in [0, 1). */
double seq_nprandom_double(struct seq_nprandom *st);
/* randn(): the legacy polar method; every other call returns the value the
 * previous one cached. */
double seq_nprandom_gauss(struct seq_nprandom *st);
/* random_interval: uniform on [0, max] by masked rejection (32-bit draws
 * when max fits in 32 bits, 64-bit draws otherwise).  max == 0 draws
 * nothing. */
uint64_t seq_nprandom_interval(struct seq_nprandom *st, uint64_t max);
/* uniform(lo, hi) = lo + (hi - lo) * rand().  SEQ_EINVAL when hi - lo is
 * not finite (numpy raises OverflowError). */
int seq_nprandom_uniform(double *out, struct seq_nprandom *st, double lo,
                         double hi);
/* normal(loc, scale) = loc + scale * randn().  SEQ_EINVAL when scale < 0. */
int seq_nprandom_normal(double *out, struct seq_nprandom *st, double loc,
                        double scale);
/* randint(lo, hi) with numpy's default int64 dtype: uniform on [lo, hi).
 * When hi - lo == 1 it returns lo without drawing.  SEQ_EINVAL when
 * lo >= hi. */
int seq_nprandom_randint(int64_t *out, struct seq_nprandom *st, int64_t lo,
                         int64_t hi);

/* ---- sequences --------------------------------------------------------- */
/* shuffle(x) for a list or 1-D array of n elements of elemsize bytes each:
 * for i = n-1 down to 1, swap x[i] with x[interval(i)]. */
void seq_nprandom_shuffle(struct seq_nprandom *st, void *base, size_t n,
                          size_t elemsize);
/* permutation(n): out[0..n) = a shuffled 0, 1, ..., n-1. */
void seq_nprandom_permutation(struct seq_nprandom *st, int64_t *out, size_t n);
/* choice(n, size, replace, p): writes `size` indices into [0, n) to out.
 *  - replace, no p:    randint(0, n) per sample;
 *  - replace, p:       searchsorted(cumsum(p) / sum, rand(), 'right');
 *  - no replace, no p: the first `size` entries of permutation(n) (which
 *                      draws even when size is 0, as numpy's does);
 *  - no replace, p:    numpy's loop (draw the missing count, zero the
 *                      probabilities already taken, keep first hits).
 * p (n entries, or NULL for uniform) must be non-negative and sum to 1
 * within sqrt(double eps).  SEQ_EINVAL for a bad p, n == 0 with size > 0,
 * or size > n (or more than the non-zero entries of p) without
 * replacement; SEQ_ENOMEM if scratch space cannot be had. */
int seq_nprandom_choice(int64_t *out, struct seq_nprandom *st, int64_t n,
                        int64_t size, bool replace, const double *p);

/* ---- tensors ----------------------------------------------------------- */
/* New contiguous tensors of the given shape, filled in C order.  rand,
 * randn and uniform are float64, randint is int64, as in numpy.  On failure
 * *out is NULL and no numbers have been drawn. */
int seq_nprandom_rand_tensor(struct seq_tensor **out, struct seq_nprandom *st,
                             int ndim, const int64_t *shape);
int seq_nprandom_randn_tensor(struct seq_tensor **out, struct seq_nprandom *st,
                              int ndim, const int64_t *shape);
int seq_nprandom_uniform_tensor(struct seq_tensor **out,
                                struct seq_nprandom *st, int ndim,
                                const int64_t *shape, double lo, double hi);
int seq_nprandom_normal_tensor(struct seq_tensor **out, struct seq_nprandom *st,
                               int ndim, const int64_t *shape, double loc,
                               double scale);
int seq_nprandom_randint_tensor(struct seq_tensor **out,
                                struct seq_nprandom *st, int ndim,
                                const int64_t *shape, int64_t lo, int64_t hi);

#endif
