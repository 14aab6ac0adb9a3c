/* sample.c — class indices drawn from probabilities or logits, one per row
 * of the last dim (seq/sample.h): greedy, temperature and top-k.
 *
 * Rows are read into a double buffer, turned into non-negative weights,
 * cut to the k largest when asked, and sampled by inverse CDF with one
 * uniform draw of the given generator.  It does not normalise anything a
 * caller sees and records nothing for autograd. */
#include "internal.h"

#include "seq/sample.h"

/* ---- weights ------------------------------------------------------------- */

/* Checks one row; `row` and the class index go into the message, marked
 * 0-based since Lua users read these messages too. */
static int check_row(const double *v, int64_t C, bool logits, int64_t row)
{
    bool any = false;
    for (int64_t i = 0; i < C; i++) {
        double x = v[i];
        if (x != x)
            return seq_fail(SEQ_EINVAL,
                            "sample: row %lld has NaN at class %lld "
                            "(0-based)",
                            (long long)row, (long long)i);
        if (logits) {
            if (x == INFINITY)
                return seq_fail(SEQ_EINVAL,
                                "sample: row %lld has a logit of +inf at "
                                "class %lld (0-based)",
                                (long long)row, (long long)i);
            any = any || x > -INFINITY;
        } else {
            if (x < 0 || x == INFINITY)
                return seq_fail(SEQ_EINVAL,
                                "sample: row %lld has the probability %g at "
                                "class %lld (0-based; expected finite values "
                                ">= 0)",
                                (long long)row, x, (long long)i);
            any = any || x > 0;
        }
    }
    if (!any)
        return seq_fail(SEQ_EINVAL,
                        "sample: row %lld (0-based) has no class with a "
                        "positive probability",
                        (long long)row);
    return SEQ_OK;
}

static int64_t first_max(const double *v, int64_t C)
{
    int64_t best = 0;
    for (int64_t i = 1; i < C; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* Turns v into weights proportional to p^(1/T) (logits: exp(x / T)),
 * scaled so that the largest is 1. */
static void to_weights(double *v, int64_t C, bool logits, double temp)
{
    if (!logits && temp == 1.0)
        return; /* the probabilities themselves */
    for (int64_t i = 0; i < C; i++)
        v[i] = logits ? v[i] : (v[i] > 0 ? log(v[i]) : -INFINITY);
    double top = v[first_max(v, C)];
    for (int64_t i = 0; i < C; i++)
        v[i] = v[i] == -INFINITY ? 0.0 : exp((v[i] - top) / temp);
}

struct ranked {
    double w;
    int64_t i;
};

/* Larger weights first; equal ones by index. */
static int by_weight(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Zeroes every weight outside the k largest.  rank is scratch for C. */
static void keep_top_k(double *w, int64_t C, int64_t k, struct ranked *rank)
{
    for (int64_t i = 0; i < C; i++)
        rank[i] = (struct ranked){w[i], i};
    qsort(rank, (size_t)C, sizeof *rank, by_weight);
    for (int64_t j = k; j < C; j++)
        w[rank[j].i] = 0.0;
}

/* Inverse CDF: the first class whose cumulative weight passes u * total.
 * Rounding can leave u * total at the very end; the last class with a
 * positive weight takes it. */
static int64_t draw(const double *w, int64_t C, struct seq_rng *rng)
{
    double total = 0;
    int64_t last = 0;
    for (int64_t i = 0; i < C; i++)
        if (w[i] > 0) {
            total += w[i];
            last = i;
        }
    double u = seq_rng_double(rng) * total, cum = 0;
    for (int64_t i = 0; i < C; i++) {
        cum += w[i];
        if (w[i] > 0 && u < cum)
            return i;
    }
    return last;
}

/* ---- the entry points ---------------------------------------------------- */

static int check_input(const char *op, const struct seq_tensor *p)
{
    char b[SEQ_SHAPE_BUF];
    if (p->ndim == 0 || p->shape[p->ndim - 1] == 0)
        return seq_fail(SEQ_ESHAPE,
                        "%s: expected (C) or (..., C) with at least one "
                        "class, got %s",
                        op, seq_shape_str(b, sizeof b, p->ndim, p->shape));
    return SEQ_OK;
}

static int run(const char *op, struct seq_tensor **out,
               const struct seq_tensor *p, const struct seq_sample_opts *o,
               struct seq_rng *rng, bool greedy)
{
    int64_t C = p->shape[p->ndim - 1], n = seq_numel(p), rows = n / C;
    double *v = NULL;
    struct ranked *rank = NULL;
    struct seq_tensor *r = NULL;
    int st = SEQ_OK;
    v = malloc(sizeof(double) * (size_t)n);
    if (o->top_k > 0 && o->top_k < C)
        rank = malloc(sizeof *rank * (size_t)C);
    if (!v || (o->top_k > 0 && o->top_k < C && !rank)) {
        st = seq_fail(SEQ_ENOMEM, "%s: out of memory for %lld values", op,
                      (long long)n);
        goto fail;
    }
    SEQ_TRY(seq_copy_out(v, SEQ_FLOAT64, p));
    SEQ_TRY(seq_empty(&r, SEQ_INT64, p->ndim - 1, p->shape));
    int64_t *idx = seq_data(r);
    for (int64_t k = 0; k < rows; k++) {
        double *row = v + k * C;
        if (greedy) {
            for (int64_t i = 0; i < C; i++)
                if (row[i] != row[i]) {
                    st = seq_fail(SEQ_EINVAL,
                                  "%s: row %lld has NaN at class %lld "
                                  "(0-based)",
                                  op, (long long)k, (long long)i);
                    goto fail;
                }
        } else {
            SEQ_TRY(check_row(row, C, o->logits, k));
        }
        if (greedy || o->temperature == 0) {
            idx[k] = first_max(row, C);
            continue;
        }
        to_weights(row, C, o->logits, o->temperature);
        if (rank)
            keep_top_k(row, C, o->top_k, rank);
        idx[k] = draw(row, C, rng);
    }
    *out = r;
    r = NULL;
fail:
    free(v);
    free(rank);
    seq_release(r);
    return st;
}

int seq_sample(struct seq_tensor **out, const struct seq_tensor *p,
               const struct seq_sample_opts *opts, struct seq_rng *rng)
{
    struct seq_sample_opts o = opts ? *opts : SEQ_SAMPLE_DEFAULTS;
    int st = check_input("sample", p);
    if (st)
        return st;
    if (!(o.temperature >= 0) || !isfinite(o.temperature))
        return seq_fail(SEQ_EINVAL,
                        "sample: temperature must be finite and >= 0, got %g",
                        o.temperature);
    if (o.top_k < 0)
        return seq_fail(SEQ_EINVAL, "sample: top_k must be >= 0, got %lld",
                        (long long)o.top_k);
    return run("sample", out, p, &o, rng ? rng : seq_rng_default(), false);
}

int seq_sample_greedy(struct seq_tensor **out, const struct seq_tensor *p)
{
    struct seq_sample_opts o = {0.0, 0, true};
    int st = check_input("greedy", p);
    if (st)
        return st;
    return run("greedy", out, p, &o, NULL, true);
}
