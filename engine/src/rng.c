/* rng.c — xoshiro256** seeded by splitmix64, its derived draws (uniform,
 * normal, bounded integers), a per-thread default generator and tensor
 * fillers.  Bit-compatibility with numpy lives in nprandom.c, not here. */
#include "seq/rng.h"

#include <math.h>

#include "internal.h"

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* splitmix64: a 64-bit counter through a strong mixer, so that nearby
 * seeds give unrelated states (and never the all-zero one, which
 * xoshiro cannot leave). */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void seq_rng_seed(struct seq_rng *st, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        st->s[i] = splitmix64(&seed);
    st->has_spare = false;
    st->spare = 0.0;
}

uint64_t seq_rng_u64(struct seq_rng *st)
{
    uint64_t *s = st->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* The top bits are the strongest; k of them scaled by 2^-k are exact. */
double seq_rng_double(struct seq_rng *st)
{
    return (double)(seq_rng_u64(st) >> 11) * 0x1.0p-53;
}

float seq_rng_float(struct seq_rng *st)
{
    return (float)(seq_rng_u64(st) >> 40) * 0x1.0p-24f;
}

double seq_rng_normal(struct seq_rng *st)
{
    if (st->has_spare) {
        st->has_spare = false;
        return st->spare;
    }
    /* Box-Muller: with u1 in (0, 1] (so the log is finite) and u2 in
     * [0, 1), r = sqrt(-2 ln u1) and theta = 2 pi u2 give two independent
     * normals r cos theta and r sin theta. */
    const double two_pi = 6.283185307179586;
    double u1 = 1.0 - seq_rng_double(st);
    double u2 = seq_rng_double(st);
    double r = sqrt(-2.0 * log(u1));
    st->spare = r * sin(two_pi * u2);
    st->has_spare = true;
    return r * cos(two_pi * u2);
}

uint64_t seq_rng_below(struct seq_rng *st, uint64_t n)
{
    if (n == 0)
        return 0;
    /* 2^64 mod n values at the bottom would make small results more
     * likely; drawing again when we land there leaves an exact multiple
     * of n equally likely values. */
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = seq_rng_u64(st);
        if (x >= threshold)
            return x % n;
    }
}

/* ---- the default generator ------------------------------------------- */

static _Thread_local struct seq_rng default_rng;
static _Thread_local bool default_seeded;

struct seq_rng *seq_rng_default(void)
{
    if (!default_seeded) {
        seq_rng_seed(&default_rng, SEQ_RNG_DEFAULT_SEED);
        default_seeded = true;
    }
    return &default_rng;
}

void seq_rng_manual_seed(uint64_t seed)
{
    seq_rng_seed(&default_rng, seed);
    default_seeded = true;
}

/* ---- tensors --------------------------------------------------------- */

enum fill_kind { FILL_UNIFORM, FILL_NORMAL };

struct fill_ctx {
    struct seq_rng *rng;
    enum seq_dtype dt;
    enum fill_kind kind;
    double a, b; /* lo and hi - lo, or mean and std */
};

static void fill_loop(void *vctx, char **ptr, const int64_t *step, int64_t n)
{
    const struct fill_ctx *c = vctx;
    char *p = ptr[0];
    for (int64_t i = 0; i < n; i++, p += step[0]) {
        double u = c->kind == FILL_UNIFORM ? seq_rng_double(c->rng)
                                           : seq_rng_normal(c->rng);
        seq_store(p, c->dt, c->a + c->b * u);
    }
}

static int check_fill(const char *op, enum seq_dtype dt, enum fill_kind kind,
                      double a, double b)
{
    if (!seq_dtype_is_float(dt))
        return seq_fail(SEQ_EDTYPE,
                        "%s: needs a float32 or float64 tensor, "
                        "got %s",
                        op, seq_dtype_name(dt));
    if (kind == FILL_UNIFORM && !(a <= b && isfinite(b - a)))
        return seq_fail(SEQ_EINVAL,
                        "%s: needs lo <= hi with a finite range "
                        "(lo %g, hi %g)",
                        op, a, b);
    if (kind == FILL_NORMAL && !(b >= 0 && isfinite(a) && isfinite(b)))
        return seq_fail(SEQ_EINVAL,
                        "%s: needs a finite mean and std >= 0 "
                        "(mean %g, std %g)",
                        op, a, b);
    return SEQ_OK;
}

/* Fills any view of t in C order; the arguments are already checked. */
static void fill(struct seq_tensor *t, struct seq_rng *st, enum fill_kind kind,
                 double a, double b)
{
    struct fill_ctx c = {st ? st : seq_rng_default(), t->dtype, kind, a,
                         kind == FILL_UNIFORM ? b - a : b};
    char *base = seq_data(t);
    size_t es = seq_dtype_size(t->dtype);
    int64_t strides[1][SEQ_MAX_DIMS];
    memcpy(strides[0], t->stride, sizeof strides[0]);
    seq_foreach(1, &base, strides, &es, t->ndim, t->shape, fill_loop, &c);
}

static int fill_(const char *op, struct seq_tensor *t, struct seq_rng *st,
                 enum fill_kind kind, double a, double b)
{
    int rc = check_fill(op, t->dtype, kind, a, b);
    if (rc == SEQ_OK)
        rc = seq_check_inplace(op, t);
    if (rc != SEQ_OK)
        return rc;
    fill(t, st, kind, a, b);
    seq_bump_version(t);
    return SEQ_OK;
}

static int fill_new(const char *op, struct seq_tensor **out, struct seq_rng *st,
                    enum seq_dtype dt, int ndim, const int64_t *shape,
                    enum fill_kind kind, double a, double b)
{
    *out = NULL;
    int rc = check_fill(op, dt, kind, a, b);
    if (rc != SEQ_OK)
        return rc;
    struct seq_tensor *t;
    rc = seq_empty(&t, dt, ndim, shape);
    if (rc != SEQ_OK)
        return seq_error_prefix(rc, op);
    fill(t, st, kind, a, b);
    *out = t;
    return SEQ_OK;
}

int seq_rng_uniform_(struct seq_tensor *t, struct seq_rng *st, double lo,
                     double hi)
{
    return fill_("uniform_", t, st, FILL_UNIFORM, lo, hi);
}

int seq_rng_normal_(struct seq_tensor *t, struct seq_rng *st, double mean,
                    double std)
{
    return fill_("normal_", t, st, FILL_NORMAL, mean, std);
}

int seq_rng_uniform_tensor(struct seq_tensor **out, struct seq_rng *st,
                           enum seq_dtype dt, int ndim, const int64_t *shape,
                           double lo, double hi)
{
    return fill_new("uniform", out, st, dt, ndim, shape, FILL_UNIFORM, lo, hi);
}

int seq_rng_normal_tensor(struct seq_tensor **out, struct seq_rng *st,
                          enum seq_dtype dt, int ndim, const int64_t *shape,
                          double mean, double std)
{
    return fill_new("normal", out, st, dt, ndim, shape, FILL_NORMAL, mean, std);
}
