/* seq/rng.h — the engine's fast, seedable generator, for weight
 * initialisation, dropout masks and sampling.
 *
 * xoshiro256** (Blackman and Vigna), its 256-bit state filled from a 64-bit
 * seed by splitmix64.  Every draw is deterministic given the seed, and the
 * same on every platform except for libm's last bit in normal().  For
 * numbers that must match numpy's np.random, use seq/nprandom.h instead. */
#ifndef SEQ_RNG_H
#define SEQ_RNG_H

#include <stdbool.h>
#include <stdint.h>

#include "seq/tensor.h"

/* The seed of each thread's default generator until seq_rng_manual_seed. */
#define SEQ_RNG_DEFAULT_SEED UINT64_C(0x5eed5eed5eed5eed)

struct seq_rng {
    uint64_t s[4];  /* xoshiro256** state; never all zero */
    bool has_spare; /* normal() makes two values per draw ... */
    double spare;   /* ... and keeps the second for the next call */
};

void seq_rng_seed(struct seq_rng *st, uint64_t seed);
uint64_t seq_rng_u64(struct seq_rng *st);
/* Uniform on [0, 1): 53 random bits. */
double seq_rng_double(struct seq_rng *st);
/* Uniform on [0, 1): 24 random bits. */
float seq_rng_float(struct seq_rng *st);
/* Standard normal (Box-Muller; every other call returns the cached sine
 * half). */
double seq_rng_normal(struct seq_rng *st);
/* Uniform on [0, n) without modulo bias; 0 when n is 0. */
uint64_t seq_rng_below(struct seq_rng *st, uint64_t n);

/* The calling thread's default generator, seeded with SEQ_RNG_DEFAULT_SEED
 * on first use.  Each thread has its own. */
struct seq_rng *seq_rng_default(void);
/* Reseeds the calling thread's default generator (torch.manual_seed). */
void seq_rng_manual_seed(uint64_t seed);

/* ---- tensors ------------------------------------------------------------
 * A NULL generator means seq_rng_default().  Elements are drawn in C order.
 * Only float32 and float64 are accepted (SEQ_EDTYPE otherwise); lo <= hi
 * with a finite range, and std >= 0 (SEQ_EINVAL otherwise).  float32
 * values are drawn in double and rounded, so uniform may round up to hi. */

/* In place, like torch.nn.init.uniform_/normal_: any strides, and refused
 * (SEQ_EGRAD) on a tensor that requires grad while grad mode is on. */
int seq_rng_uniform_(struct seq_tensor *t, struct seq_rng *st, double lo,
                     double hi);
int seq_rng_normal_(struct seq_tensor *t, struct seq_rng *st, double mean,
                    double std);
/* New contiguous tensors of dtype dt and the given shape. */
int seq_rng_uniform_tensor(struct seq_tensor **out, struct seq_rng *st,
                           enum seq_dtype dt, int ndim, const int64_t *shape,
                           double lo, double hi);
int seq_rng_normal_tensor(struct seq_tensor **out, struct seq_rng *st,
                          enum seq_dtype dt, int ndim, const int64_t *shape,
                          double mean, double std);

#endif
