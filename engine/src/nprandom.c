/* nprandom.c — numpy 1.24's legacy RandomState on MT19937, reimplemented
 * from the published algorithms so that seeded course exercises draw the
 * same numbers as the notebooks.
 *
 * Bit-exactness rests on three things: consuming the 32-bit stream in the
 * same order as numpy, doing the floating-point arithmetic in the same
 * order (ISO C mode keeps the compiler from fusing a*b+c), and libm's
 * log/sqrt, which numpy also takes from the C library. */
#include "seq/nprandom.h"

#include <math.h>
#include <string.h>

#define MT_N        SEQ_NPRANDOM_N
#define MT_M        397
#define MT_MATRIX_A 0x9908b0dfu
#define MT_UPPER    0x80000000u
#define MT_LOWER    0x7fffffffu

/* ---- MT19937 ----------------------------------------------------------- */

static void reset_gauss(struct seq_nprandom *st)
{
    st->has_gauss = false;
    st->gauss = 0.0;
}

/* init_genrand: Knuth's multiplier spreads the seed over the key. */
static void init_genrand(struct seq_nprandom *st, uint32_t seed)
{
    st->mt[0] = seed;
    for (int i = 1; i < MT_N; i++) {
        uint32_t prev = st->mt[i - 1];
        st->mt[i] = 1812433253u * (prev ^ (prev >> 30)) + (uint32_t)i;
    }
    st->pos = MT_N;
}

void seq_nprandom_seed(struct seq_nprandom *st, uint32_t seed)
{
    init_genrand(st, seed);
    reset_gauss(st);
}

int seq_nprandom_seed_array(struct seq_nprandom *st, const uint32_t *key,
                            size_t n)
{
    if (n == 0)
        return seq_fail(SEQ_EINVAL, "seed: the seed array must be non-empty");
    uint32_t *mt = st->mt;
    init_genrand(st, 19650218u);
    /* Two mixing passes over the key; index 0 is skipped and rewritten
     * from the last word each time i wraps, as the reference does. */
    size_t i = 1, j = 0;
    for (size_t k = n > MT_N ? n : MT_N; k > 0; k--) {
        uint32_t prev = mt[i - 1];
        mt[i] =
            (mt[i] ^ ((prev ^ (prev >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
        if (++i >= MT_N) {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
        if (++j >= n)
            j = 0;
    }
    for (size_t k = MT_N - 1; k > 0; k--) {
        uint32_t prev = mt[i - 1];
        mt[i] = (mt[i] ^ ((prev ^ (prev >> 30)) * 1566083941u)) - (uint32_t)i;
        if (++i >= MT_N) {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
    }
    /* The top bit alone guarantees a non-zero state. */
    mt[0] = 0x80000000u;
    st->pos = MT_N;
    reset_gauss(st);
    return SEQ_OK;
}

static uint32_t twist(uint32_t cur, uint32_t next, uint32_t far)
{
    uint32_t y = (cur & MT_UPPER) | (next & MT_LOWER);
    return far ^ (y >> 1) ^ ((0u - (y & 1u)) & MT_MATRIX_A);
}

static void regenerate(struct seq_nprandom *st)
{
    uint32_t *mt = st->mt;
    for (int i = 0; i < MT_N; i++)
        mt[i] = twist(mt[i], mt[(i + 1) % MT_N], mt[(i + MT_M) % MT_N]);
    st->pos = 0;
}

uint32_t seq_nprandom_u32(struct seq_nprandom *st)
{
    if (st->pos >= MT_N)
        regenerate(st);
    uint32_t y = st->mt[st->pos++];
    /* Tempering: improves equidistribution of the raw key words. */
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* numpy's next_uint64 for MT19937: the first word is the high half. */
static uint64_t next_u64(struct seq_nprandom *st)
{
    uint64_t hi = seq_nprandom_u32(st);
    return hi << 32 | seq_nprandom_u32(st);
}

/* ---- scalar draws ------------------------------------------------------ */

double seq_nprandom_double(struct seq_nprandom *st)
{
    /* 27 + 26 bits: a * 2^26 + b is an exact 53-bit integer. */
    uint32_t a = seq_nprandom_u32(st) >> 5;
    uint32_t b = seq_nprandom_u32(st) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

double seq_nprandom_gauss(struct seq_nprandom *st)
{
    if (st->has_gauss) {
        double g = st->gauss;
        reset_gauss(st);
        return g;
    }
    /* Marsaglia's polar method: a point uniform in the unit disc gives two
     * independent normals, f*x1 and f*x2 with f = sqrt(-2 ln r2 / r2). */
    double x1, x2, r2;
    do {
        x1 = 2.0 * seq_nprandom_double(st) - 1.0;
        x2 = 2.0 * seq_nprandom_double(st) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = sqrt(-2.0 * log(r2) / r2);
    st->gauss = f * x1;
    st->has_gauss = true;
    return f * x2;
}

uint64_t seq_nprandom_interval(struct seq_nprandom *st, uint64_t max)
{
    if (max == 0)
        return 0;
    /* The smallest all-ones mask covering max keeps the rejection rate
     * below one half. */
    uint64_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    uint64_t v;
    if (max <= 0xffffffffu) {
        do
            v = seq_nprandom_u32(st) & mask;
        while (v > max);
    } else {
        do
            v = next_u64(st) & mask;
        while (v > max);
    }
    return v;
}

static int check_uniform(double lo, double hi)
{
    if (!isfinite(hi - lo))
        return seq_fail(SEQ_EINVAL,
                        "uniform: range exceeds valid bounds (low %g, "
                        "high %g)",
                        lo, hi);
    return SEQ_OK;
}

int seq_nprandom_uniform(double *out, struct seq_nprandom *st, double lo,
                         double hi)
{
    int rc = check_uniform(lo, hi);
    if (rc != SEQ_OK)
        return rc;
    *out = lo + (hi - lo) * seq_nprandom_double(st);
    return SEQ_OK;
}

/* numpy's non-negative constraint tests the sign bit, so -0.0 is refused
 * and NaN is let through. */
static int check_normal(double scale)
{
    if (!isnan(scale) && signbit(scale))
        return seq_fail(SEQ_EINVAL, "normal: scale < 0 (scale %g)", scale);
    return SEQ_OK;
}

int seq_nprandom_normal(double *out, struct seq_nprandom *st, double loc,
                        double scale)
{
    int rc = check_normal(scale);
    if (rc != SEQ_OK)
        return rc;
    *out = loc + scale * seq_nprandom_gauss(st);
    return SEQ_OK;
}

static int check_randint(int64_t lo, int64_t hi)
{
    if (lo >= hi)
        return seq_fail(SEQ_EINVAL,
                        "randint: low >= high (low %lld, "
                        "high %lld)",
                        (long long)lo, (long long)hi);
    return SEQ_OK;
}

/* numpy's bounded fill for int64 draws on the closed range [lo, lo + rng]
 * with rng = hi - lo - 1 computed in uint64.  Its special cases (rng == 0
 * draws nothing, rng == 2^32-1 takes a raw word) coincide with
 * random_interval, so that one function serves both. */
static int64_t randint_unchecked(struct seq_nprandom *st, int64_t lo,
                                 int64_t hi)
{
    uint64_t rng = (uint64_t)hi - (uint64_t)lo - 1u;
    return (int64_t)((uint64_t)lo + seq_nprandom_interval(st, rng));
}

int seq_nprandom_randint(int64_t *out, struct seq_nprandom *st, int64_t lo,
                         int64_t hi)
{
    int rc = check_randint(lo, hi);
    if (rc != SEQ_OK)
        return rc;
    *out = randint_unchecked(st, lo, hi);
    return SEQ_OK;
}

/* ---- sequences --------------------------------------------------------- */

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
    unsigned char tmp[64];
    while (size > 0) {
        size_t k = size < sizeof tmp ? size : sizeof tmp;
        memcpy(tmp, a, k);
        memcpy(a, b, k);
        memcpy(b, tmp, k);
        a += k;
        b += k;
        size -= k;
    }
}

void seq_nprandom_shuffle(struct seq_nprandom *st, void *base, size_t n,
                          size_t elemsize)
{
    unsigned char *x = base;
    for (size_t i = n > 0 ? n - 1 : 0; i >= 1; i--) {
        size_t j = (size_t)seq_nprandom_interval(st, i);
        if (j != i)
            swap_bytes(x + i * elemsize, x + j * elemsize, elemsize);
    }
}

void seq_nprandom_permutation(struct seq_nprandom *st, int64_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (int64_t)i;
    seq_nprandom_shuffle(st, out, n, sizeof *out);
}

/* ---- choice ------------------------------------------------------------ */

/* numpy validates p with a compensated sum, not the cumsum used later. */
static double kahan_sum(const double *x, int64_t n)
{
    if (n == 0)
        return 0.0;
    double sum = x[0], c = 0.0;
    for (int64_t i = 1; i < n; i++) {
        double y = x[i] - c;
        double t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    return sum;
}

static int check_p(const double *p, int64_t n)
{
    /* sqrt(DBL_EPSILON), numpy's tolerance for float64 probabilities. */
    const double atol = 1.4901161193847656e-08;
    double sum = kahan_sum(p, n);
    if (isnan(sum))
        return seq_fail(SEQ_EINVAL, "choice: probabilities contain NaN");
    for (int64_t i = 0; i < n; i++)
        if (p[i] < 0)
            return seq_fail(SEQ_EINVAL,
                            "choice: probabilities are not non-negative "
                            "(p[%lld] = %g)",
                            (long long)i, p[i]);
    if (fabs(sum - 1.0) > atol)
        return seq_fail(SEQ_EINVAL,
                        "choice: probabilities do not sum to 1 (sum %.17g)",
                        sum);
    return SEQ_OK;
}

/* cdf = cumsum(p) / its last entry, summed left to right like
 * np.cumsum so that the division sees the same rounding. */
static void normalised_cdf(double *cdf, const double *p, int64_t n)
{
    double acc = 0.0;
    for (int64_t i = 0; i < n; i++) {
        acc += p[i];
        cdf[i] = acc;
    }
    double last = cdf[n - 1];
    for (int64_t i = 0; i < n; i++)
        cdf[i] /= last;
}

/* searchsorted(cdf, u, side='right'): the number of entries <= u. */
static int64_t search_right(const double *cdf, int64_t n, double u)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] <= u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Scratch space of `count` items of `elem` bytes, counted against the
 * engine's memory limit like any other allocation. */
static void *scratch(int64_t *nbytes, int64_t count, int64_t elem)
{
    if (count > INT64_MAX / elem) {
        seq_fail(SEQ_ENOMEM, "choice: population of %lld is too large",
                 (long long)count);
        return NULL;
    }
    *nbytes = count * elem;
    return seq_alloc(*nbytes, "choice");
}

static int choice_with_p(int64_t *out, struct seq_nprandom *st, int64_t n,
                         int64_t size, const double *p)
{
    int64_t nbytes;
    double *cdf = scratch(&nbytes, n, sizeof(double));
    if (!cdf)
        return SEQ_ENOMEM;
    normalised_cdf(cdf, p, n);
    for (int64_t i = 0; i < size; i++)
        out[i] = search_right(cdf, n, seq_nprandom_double(st));
    seq_free(cdf, nbytes);
    return SEQ_OK;
}

static int choice_unique(int64_t *out, struct seq_nprandom *st, int64_t n,
                         int64_t size)
{
    if (n == 0)
        return SEQ_OK;
    int64_t nbytes;
    int64_t *perm = scratch(&nbytes, n, sizeof(int64_t));
    if (!perm)
        return SEQ_ENOMEM;
    seq_nprandom_permutation(st, perm, (size_t)n);
    memcpy(out, perm, (size_t)size * sizeof *out);
    seq_free(perm, nbytes);
    return SEQ_OK;
}

/* numpy's loop: draw as many uniforms as indices are still missing, map
 * them through the cdf of the probabilities not yet taken, keep each new
 * index at its first hit (in draw order), and repeat.  Indices already
 * taken have probability 0 and so can never be hit again. */
static int choice_unique_with_p(int64_t *out, struct seq_nprandom *st,
                                int64_t n, int64_t size, const double *p)
{
    int64_t nonzero = 0;
    for (int64_t i = 0; i < n; i++)
        nonzero += p[i] > 0;
    if (nonzero < size)
        return seq_fail(SEQ_EINVAL,
                        "choice: fewer non-zero entries in p than size "
                        "(%lld non-zero, size %lld)",
                        (long long)nonzero, (long long)size);
    /* Scratch: remaining p (n), cdf (n), draws (size <= n) and taken
     * flags (n bytes), in units of doubles. */
    int64_t nbytes;
    double *q = scratch(&nbytes, 3 * n + (n + 7) / 8, sizeof(double));
    if (!q)
        return SEQ_ENOMEM;
    double *cdf = q + n, *u = cdf + n;
    unsigned char *taken = (unsigned char *)(u + size);
    memcpy(q, p, (size_t)n * sizeof *q);

    int64_t found = 0;
    while (found < size) {
        int64_t want = size - found;
        for (int64_t i = 0; i < want; i++)
            u[i] = seq_nprandom_double(st);
        normalised_cdf(cdf, q, n);
        int64_t before = found;
        for (int64_t i = 0; i < want; i++) {
            int64_t k = search_right(cdf, n, u[i]);
            if (!taken[k]) {
                taken[k] = 1;
                out[found++] = k;
            }
        }
        for (int64_t i = before; i < found; i++)
            q[out[i]] = 0.0;
    }
    seq_free(q, nbytes);
    return SEQ_OK;
}

int seq_nprandom_choice(int64_t *out, struct seq_nprandom *st, int64_t n,
                        int64_t size, bool replace, const double *p)
{
    if (n < 0 || size < 0)
        return seq_fail(SEQ_EINVAL,
                        "choice: negative population or size (n %lld, "
                        "size %lld)",
                        (long long)n, (long long)size);
    if (n == 0 && size > 0)
        return seq_fail(SEQ_EINVAL, "choice: a must be greater than 0 "
                                    "unless no samples are taken");
    if (p) {
        int rc = check_p(p, n);
        if (rc != SEQ_OK)
            return rc;
    }
    if (!replace && size > n)
        return seq_fail(SEQ_EINVAL,
                        "choice: cannot take a larger sample than "
                        "population when replace is false (size %lld, "
                        "population %lld)",
                        (long long)size, (long long)n);
    /* numpy shuffles the whole population even for a sample of 0. */
    if (!replace && !p)
        return choice_unique(out, st, n, size);
    if (size == 0)
        return SEQ_OK;
    if (p && replace)
        return choice_with_p(out, st, n, size, p);
    if (p)
        return choice_unique_with_p(out, st, n, size, p);
    for (int64_t i = 0; i < size; i++)
        out[i] = randint_unchecked(st, 0, n);
    return SEQ_OK;
}

/* ---- tensors ----------------------------------------------------------- */

enum draw_kind { DRAW_RAND, DRAW_RANDN, DRAW_UNIFORM, DRAW_NORMAL };

/* One float64 tensor, one draw per element in C order.  a, b are the
 * kind's two parameters (lo/hi or loc/scale), already validated. */
static int float_tensor(struct seq_tensor **out, struct seq_nprandom *st,
                        const char *op, enum draw_kind kind, int ndim,
                        const int64_t *shape, double a, double b)
{
    *out = NULL;
    struct seq_tensor *t;
    int rc = seq_empty(&t, SEQ_FLOAT64, ndim, shape);
    if (rc != SEQ_OK)
        return seq_error_prefix(rc, op);
    double *x = seq_data(t);
    int64_t n = seq_numel(t);
    for (int64_t i = 0; i < n; i++) {
        switch (kind) {
        case DRAW_RAND:
            x[i] = seq_nprandom_double(st);
            break;
        case DRAW_RANDN:
            x[i] = seq_nprandom_gauss(st);
            break;
        case DRAW_UNIFORM:
            x[i] = a + (b - a) * seq_nprandom_double(st);
            break;
        case DRAW_NORMAL:
            x[i] = a + b * seq_nprandom_gauss(st);
            break;
        }
    }
    *out = t;
    return SEQ_OK;
}

int seq_nprandom_rand_tensor(struct seq_tensor **out, struct seq_nprandom *st,
                             int ndim, const int64_t *shape)
{
    return float_tensor(out, st, "rand", DRAW_RAND, ndim, shape, 0, 0);
}

int seq_nprandom_randn_tensor(struct seq_tensor **out, struct seq_nprandom *st,
                              int ndim, const int64_t *shape)
{
    return float_tensor(out, st, "randn", DRAW_RANDN, ndim, shape, 0, 0);
}

int seq_nprandom_uniform_tensor(struct seq_tensor **out,
                                struct seq_nprandom *st, int ndim,
                                const int64_t *shape, double lo, double hi)
{
    *out = NULL;
    int rc = check_uniform(lo, hi);
    if (rc != SEQ_OK)
        return rc;
    return float_tensor(out, st, "uniform", DRAW_UNIFORM, ndim, shape, lo, hi);
}

int seq_nprandom_normal_tensor(struct seq_tensor **out, struct seq_nprandom *st,
                               int ndim, const int64_t *shape, double loc,
                               double scale)
{
    *out = NULL;
    int rc = check_normal(scale);
    if (rc != SEQ_OK)
        return rc;
    return float_tensor(out, st, "normal", DRAW_NORMAL, ndim, shape, loc,
                        scale);
}

int seq_nprandom_randint_tensor(struct seq_tensor **out,
                                struct seq_nprandom *st, int ndim,
                                const int64_t *shape, int64_t lo, int64_t hi)
{
    *out = NULL;
    int rc = check_randint(lo, hi);
    if (rc != SEQ_OK)
        return rc;
    struct seq_tensor *t;
    rc = seq_empty(&t, SEQ_INT64, ndim, shape);
    if (rc != SEQ_OK)
        return seq_error_prefix(rc, "randint");
    int64_t *x = seq_data(t);
    int64_t n = seq_numel(t);
    for (int64_t i = 0; i < n; i++)
        x[i] = randint_unchecked(st, lo, hi);
    *out = t;
    return SEQ_OK;
}
