/* gradcheck.c — the numerical gradient checker (see gradcheck.h).
 *
 * The analytic side seeds backward with r itself: for loss = sum(r * out),
 * d loss / d out = r, so seeding with r gives the loss's gradient without
 * putting mul and sum of the engine under every test.  The numerical side
 * evaluates sum(r * out) in double here, with grad mode off, perturbing one
 * input element at a time in place (the leaves are ours and no graph holds
 * them while we do). */
#include "gradcheck.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deterministic inputs ---------------------------------------------- */

void gc_seed(struct gc_rng *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t gc_next(struct gc_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double gc_unit(struct gc_rng *r)
{
    return (double)(gc_next(r) >> 11) * 0x1.0p-53;
}

static int64_t shape_numel(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    return n;
}

static double *values_buffer(int64_t n)
{
    double *v = malloc(sizeof(double) * (size_t)(n ? n : 1));
    if (!v)
        fail_msg("gradcheck: out of memory");
    return v;
}

/* A leaf that requires grad holding v (C order); v is freed. */
static struct seq_tensor *leaf_from(int ndim, const int64_t *shape, double *v)
{
    struct seq_tensor *t = NULL;
    int st = seq_from_buffer(&t, SEQ_FLOAT64, ndim, shape, v);
    free(v);
    if (st == SEQ_OK && (st = seq_set_requires_grad(t, true)) != SEQ_OK)
        seq_release(t);
    if (st)
        fail_msg("gradcheck: making an input failed: %s: %s",
                 seq_status_name(st), seq_error());
    return t;
}

struct seq_tensor *gc_uniform(struct gc_rng *r, int ndim, const int64_t *shape,
                              double lo, double hi)
{
    int64_t n = shape_numel(ndim, shape);
    double *v = values_buffer(n);
    for (int64_t i = 0; i < n; i++)
        v[i] = lo + (hi - lo) * gc_unit(r);
    return leaf_from(ndim, shape, v);
}

struct seq_tensor *gc_signed(struct gc_rng *r, int ndim, const int64_t *shape,
                             double lo, double hi)
{
    int64_t n = shape_numel(ndim, shape);
    double *v = values_buffer(n);
    for (int64_t i = 0; i < n; i++) {
        double a = lo + (hi - lo) * gc_unit(r);
        v[i] = (gc_next(r) & 1) ? -a : a;
    }
    return leaf_from(ndim, shape, v);
}

struct seq_tensor *gc_distinct(struct gc_rng *r, int ndim, const int64_t *shape,
                               double lo, double hi, bool random_sign)
{
    int64_t n = shape_numel(ndim, shape);
    double *v = values_buffer(n);
    for (int64_t i = 0; i < n; i++)
        v[i] = n > 1 ? lo + (hi - lo) * (double)i / (double)(n - 1) : lo;
    /* Fisher-Yates */
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(gc_next(r) % (uint64_t)(i + 1));
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
    if (random_sign)
        for (int64_t i = 0; i < n; i++)
            if (gc_next(r) & 1)
                v[i] = -v[i];
    return leaf_from(ndim, shape, v);
}

struct seq_tensor *gc_avoiding(struct gc_rng *r, int ndim, const int64_t *shape,
                               double lo, double hi,
                               const struct seq_tensor *avoid, double margin)
{
    int64_t n = shape_numel(ndim, shape), na = seq_numel(avoid);
    double *v = values_buffer(n), *bad = values_buffer(na);
    if (seq_copy_out(bad, SEQ_FLOAT64, avoid) != SEQ_OK) {
        free(v);
        free(bad);
        fail_msg("gc_avoiding: %s", seq_error());
    }
    for (int64_t i = 0; i < n; i++) {
        bool ok = false;
        for (int tries = 0; !ok && tries < 10000; tries++) {
            v[i] = lo + (hi - lo) * gc_unit(r);
            ok = true;
            for (int64_t k = 0; ok && k < na; k++)
                ok = fabs(v[i] - bad[k]) >= margin;
        }
        if (!ok) {
            free(v);
            free(bad);
            fail_msg("gc_avoiding: [%g, %g] has no room %g away from the "
                     "%lld values to avoid",
                     lo, hi, margin, (long long)na);
        }
    }
    free(bad);
    return leaf_from(ndim, shape, v);
}

struct seq_tensor *gc_index(int ndim, const int64_t *shape,
                            const int64_t *values)
{
    struct seq_tensor *t = NULL;
    int st = seq_from_buffer(&t, SEQ_INT64, ndim, shape, values);
    if (st)
        fail_msg("gc_index: %s: %s", seq_status_name(st), seq_error());
    return t;
}

void gc_release_all(int n, struct seq_tensor **ts)
{
    for (int i = 0; i < n; i++) {
        seq_release(ts[i]);
        ts[i] = NULL;
    }
}

/* ---- the check --------------------------------------------------------- */

/* Everything a check holds, so that one cleanup frees it before any
 * failure is reported (fail_msg does not return). */
struct gc_run {
    gc_fn f;
    const void *ctx;
    int n;
    struct seq_tensor *const *in;
    struct seq_tensor *r; /* the projection, shaped like the output */
    double *rv;           /* its values */
    int64_t rn;
    double *out;       /* scratch for one output */
    double **analytic; /* per input, C order */
    char msg[512];     /* set when the check cannot go on */
};

static void run_free(struct gc_run *run)
{
    seq_release(run->r);
    free(run->rv);
    free(run->out);
    if (run->analytic)
        for (int i = 0; i < run->n; i++)
            free(run->analytic[i]);
    free(run->analytic);
}

static bool run_error(struct gc_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool run_error(struct gc_run *run, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(run->msg, sizeof run->msg, fmt, ap);
    va_end(ap);
    return false;
}

/* The fixed projection: |r| in [0.5, 1.5] with random signs, so every
 * output element weighs in and sign errors cannot cancel. */
static bool make_projection(struct gc_run *run, const struct seq_tensor *out)
{
    struct gc_rng rng;
    gc_seed(&rng, 0x5EED0000u + (uint64_t)seq_numel(out));
    run->rn = seq_numel(out);
    run->rv = malloc(sizeof(double) * (size_t)(run->rn ? run->rn : 1));
    run->out = malloc(sizeof(double) * (size_t)(run->rn ? run->rn : 1));
    if (!run->rv || !run->out)
        return run_error(run, "out of memory");
    for (int64_t i = 0; i < run->rn; i++) {
        double a = 0.5 + gc_unit(&rng);
        run->rv[i] = (gc_next(&rng) & 1) ? -a : a;
    }
    int st =
        seq_from_buffer(&run->r, SEQ_FLOAT64, out->ndim, out->shape, run->rv);
    if (st)
        return run_error(run, "making r: %s", seq_error());
    return true;
}

/* Forward with grad, backward seeded with r, .grad copied out and dropped.
 * Also checks that releasing the graph gives back every byte. */
static bool analytic_pass(struct gc_run *run)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    struct seq_memstats m0, m1;
    struct seq_tensor *out = NULL;
    bool ok = false;
    seq_memory(&m0);
    int st = run->f(&out, run->in, run->ctx);
    if (st)
        return run_error(run, "f failed: %s: %s", seq_status_name(st),
                         seq_error());
    if (out->dtype != SEQ_FLOAT64) {
        run_error(run, "f returned %s, expected float64",
                  seq_dtype_name(out->dtype));
        goto done;
    }
    if (!out->requires_grad) {
        run_error(run, "the output does not require grad (nothing was "
                       "recorded)");
        goto done;
    }
    if (!make_projection(run, out))
        goto done;
    if ((st = seq_backward(out, run->r, false))) {
        run_error(run, "backward failed: %s: %s", seq_status_name(st),
                  seq_error());
        goto done;
    }
    for (int i = 0; i < run->n; i++) {
        const struct seq_tensor *x = run->in[i], *g = x->grad;
        int64_t nx = seq_numel(x);
        double *a = calloc((size_t)(nx ? nx : 1), sizeof(double));
        run->analytic[i] = a;
        if (!a) {
            run_error(run, "out of memory");
            goto done;
        }
        if (!g)
            continue; /* no gradient reached it: zero */
        if (!seq_same_shape(g, x) || g->dtype != x->dtype) {
            run_error(run, "input %d is %s %s but its grad is %s %s", i,
                      seq_dtype_name(x->dtype),
                      seq_shape_str(b1, sizeof b1, x->ndim, x->shape),
                      seq_dtype_name(g->dtype),
                      seq_shape_str(b2, sizeof b2, g->ndim, g->shape));
            goto done;
        }
        if (seq_copy_out(a, SEQ_FLOAT64, g)) {
            run_error(run, "reading grad %d: %s", i, seq_error());
            goto done;
        }
    }
    ok = true;
done:
    seq_release(out);
    seq_release(run->r);
    run->r = NULL;
    for (int i = 0; i < run->n; i++)
        seq_zero_grad(run->in[i]);
    seq_memory(&m1);
    if (ok && m1.live_bytes != m0.live_bytes)
        ok = run_error(run,
                       "%lld bytes (%lld blocks) stayed live after the "
                       "graph, its output and the grads were released",
                       (long long)(m1.live_bytes - m0.live_bytes),
                       (long long)(m1.live_blocks - m0.live_blocks));
    return ok;
}

/* sum(r * f(in)) in double, grad mode off. */
static bool projected_loss(struct gc_run *run, double *loss)
{
    struct seq_tensor *out = NULL;
    int st = run->f(&out, run->in, run->ctx);
    if (st)
        return run_error(run, "f failed with perturbed inputs: %s: %s",
                         seq_status_name(st), seq_error());
    if (seq_numel(out) != run->rn) {
        seq_release(out);
        return run_error(run, "f changed its output size");
    }
    st = seq_copy_out(run->out, SEQ_FLOAT64, out);
    seq_release(out);
    if (st)
        return run_error(run, "reading the output: %s", seq_error());
    double s = 0;
    for (int64_t k = 0; k < run->rn; k++)
        s += run->rv[k] * run->out[k];
    *loss = s;
    return true;
}

static double rel_error(double a, double num)
{
    double scale = fmax(1.0, fmax(fabs(a), fabs(num)));
    double e = fabs(a - num) / scale;
    return e == e ? e : INFINITY;
}

static bool numerical_pass(struct gc_run *run, struct gc_report *rep)
{
    for (int i = 0; i < run->n; i++) {
        double *x = seq_data(run->in[i]);
        int64_t nx = seq_numel(run->in[i]);
        for (int64_t j = 0; j < nx; j++) {
            double x0 = x[j], lp, lm;
            x[j] = x0 + GC_EPS;
            bool ok = projected_loss(run, &lp);
            x[j] = x0 - GC_EPS;
            ok = ok && projected_loss(run, &lm);
            x[j] = x0;
            if (!ok)
                return false;
            double num = (lp - lm) / (2 * GC_EPS);
            double a = run->analytic[i][j], e = rel_error(a, num);
            if (e > rep->worst || (i == 0 && j == 0)) {
                rep->worst = e;
                rep->input = i;
                rep->element = j;
                rep->analytic = a;
                rep->numerical = num;
            }
        }
    }
    return true;
}

/* "(1,0,2)" for flat index j of t. */
static char *index_str(char *buf, size_t size, const struct seq_tensor *t,
                       int64_t j)
{
    int64_t pos[SEQ_MAX_DIMS];
    for (int d = t->ndim - 1; d >= 0; d--) {
        pos[d] = t->shape[d] ? j % t->shape[d] : 0;
        j = t->shape[d] ? j / t->shape[d] : 0;
    }
    return seq_shape_str(buf, size, t->ndim, pos);
}

struct gc_report gradcheck_tol(gc_fn f, const void *ctx, int n,
                               struct seq_tensor *const *in, double tol)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    struct gc_report rep = {0, 0, 0, 0, 0};
    struct gc_run run;
    memset(&run, 0, sizeof run);
    run.f = f;
    run.ctx = ctx;
    run.n = n;
    run.in = in;
    for (int i = 0; i < n; i++) {
        const struct seq_tensor *x = in[i];
        if (x->dtype != SEQ_FLOAT64 || !seq_is_contiguous(x) ||
            !x->requires_grad || x->grad_fn || x->grad)
            fail_msg("gradcheck: input %d must be a contiguous float64 leaf "
                     "that requires grad and has no .grad yet",
                     i);
    }
    run.analytic = calloc((size_t)(n ? n : 1), sizeof *run.analytic);
    if (!run.analytic)
        fail_msg("gradcheck: out of memory");

    bool prev = seq_set_grad_enabled(true);
    bool ok = analytic_pass(&run);
    seq_set_grad_enabled(false);
    ok = ok && numerical_pass(&run, &rep);
    seq_set_grad_enabled(prev);
    run_free(&run);

    if (!ok)
        fail_msg("gradcheck: %s", run.msg);
    if (!(rep.worst <= tol))
        fail_msg("gradcheck: input %d %s, element %lld %s: analytic %.10g, "
                 "numerical %.10g (error %.3g > %.3g)",
                 rep.input,
                 seq_shape_str(b1, sizeof b1, in[rep.input]->ndim,
                               in[rep.input]->shape),
                 (long long)rep.element,
                 index_str(b2, sizeof b2, in[rep.input], rep.element),
                 rep.analytic, rep.numerical, rep.worst, tol);
    return rep;
}

struct gc_report gradcheck(gc_fn f, const void *ctx, int n,
                           struct seq_tensor *const *in)
{
    return gradcheck_tol(f, ctx, n, in, GC_TOL);
}
