/* reduce.c — reductions along one dimension (or all of them) and the ops
 * that work lane by lane: sum, mean, max/min with indices, argmax/argmin,
 * var/std, norm, cumsum, logsumexp, softmax, log_softmax.
 *
 * A tensor is viewed as (outer, n, inner) around the reduced dim; a "lane"
 * is the n elements at one (outer, inner) position.  Lanes are gathered
 * into a double buffer, so every dtype shares one implementation and every
 * accumulation is done in double precision. */
#include "internal.h"

struct lanes {
    struct seq_tensor *src; /* contiguous input */
    int64_t outer, n, inner;
    int dim;                /* normalised dim, or SEQ_DIM_ALL */
    int out_ndim;           /* shape of a per-lane result */
    int64_t out_shape[SEQ_MAX_DIMS];
};

static int lanes_init(struct lanes *L, const char *op, struct seq_tensor *t,
                      int dim, bool keepdim)
{
    memset(L, 0, sizeof *L);
    if (dim == SEQ_DIM_ALL) {
        L->dim = SEQ_DIM_ALL;
        L->outer = 1;
        L->n = seq_numel(t);
        L->inner = 1;
        L->out_ndim = keepdim ? t->ndim : 0;
        for (int i = 0; i < L->out_ndim; i++)
            L->out_shape[i] = 1;
    } else {
        int d;
        int st = seq_wrap_dim(op, dim, t->ndim, &d);
        if (st)
            return st;
        L->dim = d;
        L->outer = L->inner = 1;
        L->n = t->ndim ? t->shape[d] : 1;
        for (int i = 0; i < d; i++)
            L->outer *= t->shape[i];
        for (int i = d + 1; i < t->ndim; i++)
            L->inner *= t->shape[i];
        for (int i = 0; i < t->ndim; i++) {
            if (i == d && !keepdim)
                continue;
            L->out_shape[L->out_ndim++] = i == d ? 1 : t->shape[i];
        }
    }
    return seq_contiguous_nograd(&L->src, t);
}

static void lanes_free(struct lanes *L)
{
    seq_release(L->src);
}

static void lane_load(double *buf, const struct seq_tensor *c, int64_t o,
                      int64_t i, int64_t n, int64_t inner)
{
    int64_t base = o * n * inner + i;
    const void *p = seq_data(c);
    switch (c->dtype) {
    case SEQ_FLOAT32:
        for (int64_t k = 0; k < n; k++)
            buf[k] = ((const float *)p)[base + k * inner];
        break;
    case SEQ_FLOAT64:
        for (int64_t k = 0; k < n; k++)
            buf[k] = ((const double *)p)[base + k * inner];
        break;
    case SEQ_INT64:
        for (int64_t k = 0; k < n; k++)
            buf[k] = (double)((const int64_t *)p)[base + k * inner];
        break;
    }
}

static void lane_store(struct seq_tensor *c, const double *buf, int64_t o,
                       int64_t i, int64_t n, int64_t inner)
{
    int64_t base = o * n * inner + i;
    char *p = seq_data(c);
    size_t es = seq_dtype_size(c->dtype);
    for (int64_t k = 0; k < n; k++)
        seq_store(p + (base + k * inner) * (int64_t)es, c->dtype, buf[k]);
}

/* A lane reducer returns one value (and optionally an index). */
typedef double (*lane_reduce_fn)(const double *x, int64_t n, int64_t *idx,
                                 const double *arg);
/* A lane mapper writes n values. */
typedef void (*lane_map_fn)(double *y, const double *x, int64_t n,
                            const double *arg);

static bool int64_extremum(lane_reduce_fn fn);
static void extremum_i64(struct seq_tensor *r, struct seq_tensor *ix,
                         const struct lanes *L, lane_reduce_fn fn);

/* Reduces every lane of t into out (dtype dt), optionally writing indices. */
static int reduce_lanes(struct seq_tensor **out, struct seq_tensor **indices,
                        const char *op, struct seq_tensor *t, int dim,
                        bool keepdim, enum seq_dtype dt, lane_reduce_fn fn,
                        const double *arg)
{
    struct lanes L;
    struct seq_tensor *r = NULL, *ix = NULL;
    double *buf = NULL;
    int st;
    SEQ_TRY(lanes_init(&L, op, t, dim, keepdim));
    SEQ_TRY(seq_empty(&r, dt, L.out_ndim, L.out_shape));
    if (indices)
        SEQ_TRY(seq_empty(&ix, SEQ_INT64, L.out_ndim, L.out_shape));
    buf = malloc(sizeof(double) * (size_t)(L.n ? L.n : 1));
    if (!buf) {
        st = seq_fail(SEQ_ENOMEM, "%s: out of memory", op);
        goto fail;
    }
    char *rp = seq_data(r);
    size_t es = seq_dtype_size(dt);
    if (L.src->dtype == SEQ_INT64 && int64_extremum(fn)) {
        /* compared as integers: through double, int64 values past 2^53
         * would lose exactness */
        extremum_i64(r, ix, &L, fn);
        goto done;
    }
    for (int64_t o = 0; o < L.outer; o++)
        for (int64_t i = 0; i < L.inner; i++) {
            int64_t k = -1;
            lane_load(buf, L.src, o, i, L.n, L.inner);
            double v = fn(buf, L.n, &k, arg);
            seq_store(rp + (o * L.inner + i) * (int64_t)es, dt, v);
            if (ix)
                ((int64_t *)seq_data(ix))[o * L.inner + i] = k;
        }
done:
    *out = r;
    r = NULL;
    if (indices) {
        *indices = ix;
        ix = NULL;
    }
fail:
    lanes_free(&L);
    free(buf);
    seq_release(r);
    seq_release(ix);
    return st;
}

/* Maps every lane of t into a tensor of t's shape (dtype dt). */
static int map_lanes(struct seq_tensor **out, const char *op,
                     struct seq_tensor *t, int dim, enum seq_dtype dt,
                     lane_map_fn fn, const double *arg)
{
    struct lanes L;
    struct seq_tensor *r = NULL;
    double *buf = NULL, *res = NULL;
    int st;
    SEQ_TRY(lanes_init(&L, op, t, dim, true));
    SEQ_TRY(seq_empty(&r, dt, t->ndim, t->shape));
    buf = malloc(sizeof(double) * (size_t)(2 * L.n + 1));
    if (!buf) {
        st = seq_fail(SEQ_ENOMEM, "%s: out of memory", op);
        goto fail;
    }
    res = buf + L.n;
    for (int64_t o = 0; o < L.outer; o++)
        for (int64_t i = 0; i < L.inner; i++) {
            lane_load(buf, L.src, o, i, L.n, L.inner);
            fn(res, buf, L.n, arg);
            lane_store(r, res, o, i, L.n, L.inner);
        }
    *out = r;
    r = NULL;
fail:
    lanes_free(&L);
    free(buf);
    seq_release(r);
    return st;
}

/* Two-input lane maps for backward passes: y = fn(x1, x2) per lane, with
 * x1, x2 and y all of one shape.  `aux` receives both lanes back to back. */
static int map_lanes2(struct seq_tensor **out, const char *op,
                      struct seq_tensor *a, struct seq_tensor *b, int dim,
                      lane_map_fn fn)
{
    struct lanes La, Lb;
    struct seq_tensor *r = NULL;
    double *buf = NULL;
    int st;
    memset(&La, 0, sizeof La);
    memset(&Lb, 0, sizeof Lb);
    SEQ_TRY(lanes_init(&La, op, a, dim, true));
    SEQ_TRY(lanes_init(&Lb, op, b, dim, true));
    SEQ_TRY(seq_empty(&r, a->dtype, a->ndim, a->shape));
    buf = malloc(sizeof(double) * (size_t)(3 * La.n + 1));
    if (!buf) {
        st = seq_fail(SEQ_ENOMEM, "%s: out of memory", op);
        goto fail;
    }
    for (int64_t o = 0; o < La.outer; o++)
        for (int64_t i = 0; i < La.inner; i++) {
            lane_load(buf, La.src, o, i, La.n, La.inner);
            lane_load(buf + La.n, Lb.src, o, i, La.n, La.inner);
            fn(buf + 2 * La.n, buf, La.n, NULL);
            lane_store(r, buf + 2 * La.n, o, i, La.n, La.inner);
        }
    *out = r;
    r = NULL;
fail:
    lanes_free(&La);
    lanes_free(&Lb);
    free(buf);
    seq_release(r);
    return st;
}

/* Expands a reduced gradient (keepdim or not) back to the input's shape. */
static int expand_back(struct seq_tensor **out, struct seq_tensor *g,
                       struct seq_node *n)
{
    struct seq_tensor *k = NULL;
    int dim = (int)n->iargs[0];
    bool keepdim = n->iargs[1];
    int st;
    if (dim == SEQ_DIM_ALL) {
        int64_t ones[SEQ_MAX_DIMS];
        for (int i = 0; i < n->in_ndim[0]; i++)
            ones[i] = 1;
        st = seq_reshape(&k, g, n->in_ndim[0], ones);
    } else if (keepdim) {
        k = seq_retain(g);
        st = SEQ_OK;
    } else {
        st = seq_unsqueeze(&k, g, dim);
    }
    if (st)
        return st;
    st = seq_expand(out, k, n->in_ndim[0], n->in_shape[0]);
    seq_release(k);
    return st;
}

static struct seq_node *record1(struct seq_tensor *r, struct seq_tensor *t,
                                const char *name, seq_backward_fn bw,
                                int dim, bool keepdim, int *st)
{
    struct seq_node *n = NULL;
    *st = SEQ_OK;
    if (!seq_should_record(1, &t))
        return NULL;
    *st = seq_record(r, name, bw, 1, &t, &n);
    if (*st)
        return NULL;
    n->iargs[0] = dim == SEQ_DIM_ALL ? SEQ_DIM_ALL : dim;
    n->iargs[1] = keepdim;
    return n;
}

static int norm_dim(const char *op, struct seq_tensor *t, int dim, int *out)
{
    if (dim == SEQ_DIM_ALL) {
        *out = SEQ_DIM_ALL;
        return SEQ_OK;
    }
    return seq_wrap_dim(op, dim, t->ndim, out);
}

/* ---- sum / mean -------------------------------------------------------- */

static double lane_sum(const double *x, int64_t n, int64_t *idx,
                       const double *arg)
{
    double s = 0;
    for (int64_t k = 0; k < n; k++)
        s += x[k];
    return s;
}

/* Integer sums accumulate in int64 (wrapping), not in double. */
static int sum_int(struct seq_tensor **out, struct seq_tensor *t, int dim,
                   bool keepdim)
{
    struct lanes L;
    struct seq_tensor *r = NULL;
    int st;
    SEQ_TRY(lanes_init(&L, "sum", t, dim, keepdim));
    SEQ_TRY(seq_empty(&r, SEQ_INT64, L.out_ndim, L.out_shape));
    const int64_t *x = seq_data(L.src);
    int64_t *y = seq_data(r);
    for (int64_t o = 0; o < L.outer; o++)
        for (int64_t i = 0; i < L.inner; i++) {
            uint64_t s = 0;
            for (int64_t k = 0; k < L.n; k++)
                s += (uint64_t)x[(o * L.n + k) * L.inner + i];
            y[o * L.inner + i] = (int64_t)s;
        }
    *out = r;
    r = NULL;
fail:
    lanes_free(&L);
    seq_release(r);
    return st;
}

/* d(sum x) = dy broadcast back over the reduced dim. */
static int sum_backward(struct seq_node *n, struct seq_tensor *g,
                        struct seq_tensor **gin)
{
    return expand_back(&gin[0], g, n);
}

int seq_sum(struct seq_tensor **out, struct seq_tensor *t, int dim,
            bool keepdim)
{
    struct seq_tensor *r = NULL;
    int d, st;
    SEQ_TRY(norm_dim("sum", t, dim, &d));
    if (t->dtype == SEQ_INT64)
        return sum_int(out, t, d, keepdim);
    SEQ_TRY(reduce_lanes(&r, NULL, "sum", t, d, keepdim, t->dtype, lane_sum,
                         NULL));
    record1(r, t, "SumBackward", sum_backward, d, keepdim, &st);
    SEQ_TRY(st);
    *out = r;
    return SEQ_OK;
fail:
    seq_release(r);
    return st;
}

int seq_mean(struct seq_tensor **out, struct seq_tensor *t, int dim,
             bool keepdim)
{
    struct seq_tensor *f = NULL, *s = NULL;
    int d, st;
    SEQ_TRY(norm_dim("mean", t, dim, &d));
    SEQ_TRY(seq_to(&f, t, t->dtype == SEQ_INT64 ? SEQ_FLOAT32 : t->dtype));
    int64_t n = d == SEQ_DIM_ALL ? seq_numel(t) : (t->ndim ? t->shape[d] : 1);
    SEQ_TRY(seq_sum(&s, f, d, keepdim));
    /* mean = sum / n; n == 0 gives nan, as in numpy and PyTorch */
    SEQ_TRY(seq_binary_scalar(out, SEQ_OP_DIV, s, (double)n, false));
fail:
    seq_release(f);
    seq_release(s);
    return st;
}

/* ---- max / min / argmax / argmin --------------------------------------- */

/* NaN wins (it propagates, as in numpy); ties keep the first index. */
static double lane_max(const double *x, int64_t n, int64_t *idx,
                       const double *arg)
{
    int64_t b = 0;
    for (int64_t k = 1; k < n; k++)
        if (x[b] == x[b] && (x[k] > x[b] || x[k] != x[k]))
            b = k;
    *idx = b;
    return x[b];
}

static double lane_min(const double *x, int64_t n, int64_t *idx,
                       const double *arg)
{
    int64_t b = 0;
    for (int64_t k = 1; k < n; k++)
        if (x[b] == x[b] && (x[k] < x[b] || x[k] != x[k]))
            b = k;
    *idx = b;
    return x[b];
}

/* The gradient of a max goes to the element that was picked:
 * gin = zeros, gin[.., idx, ..] = g.  saved[0] = indices (keepdim). */
static int extremum_backward(struct seq_node *n, struct seq_tensor *g,
                             struct seq_tensor **gin)
{
    struct seq_tensor *z = NULL, *gk = NULL, *src = NULL, *r = NULL;
    struct seq_tensor *idx = n->saved[0];
    int dim = (int)n->iargs[0];
    int st;
    SEQ_TRY(seq_zeros(&z, g->dtype, n->in_ndim[0], n->in_shape[0]));
    if (dim == SEQ_DIM_ALL) {
        /* idx is a 0-d flat index into the contiguous input. */
        int64_t flat = *(int64_t *)seq_data(idx), pos[SEQ_MAX_DIMS];
        double v;
        for (int i = n->in_ndim[0] - 1; i >= 0; i--) {
            pos[i] = flat % n->in_shape[0][i];
            flat /= n->in_shape[0][i];
        }
        SEQ_TRY(seq_item(&v, g));
        SEQ_TRY(seq_set(z, pos, v));
        gin[0] = z;
        return SEQ_OK;
    }
    if (n->iargs[1])
        gk = seq_retain(g);
    else
        SEQ_TRY(seq_unsqueeze(&gk, g, dim));
    SEQ_TRY(seq_contiguous_nograd(&src, gk));
    SEQ_TRY(seq_scatter_add(&r, z, dim, idx, src));
    gin[0] = r;
    r = NULL;
fail:
    seq_release(z);
    seq_release(gk);
    seq_release(src);
    seq_release(r);
    return st;
}

static int extremum(struct seq_tensor **values, struct seq_tensor **indices,
                    const char *op, struct seq_tensor *t, int dim,
                    bool keepdim, lane_reduce_fn fn, const char *bwname)
{
    struct seq_tensor *v = NULL, *ix = NULL, *ixk = NULL;
    int d, st;
    SEQ_TRY(norm_dim(op, t, dim, &d));
    if (seq_numel(t) == 0 || (d != SEQ_DIM_ALL && t->ndim && t->shape[d] == 0))
        return seq_fail(SEQ_ESHAPE,
                        "%s: cannot reduce an empty tensor or dimension", op);
    if (indices && d == SEQ_DIM_ALL)
        return seq_fail(SEQ_EINVAL,
                        "%s: indices need a dimension (use argmax for a "
                        "flat index)",
                        op);
    SEQ_TRY(reduce_lanes(&v, &ix, op, t, d, keepdim, t->dtype, fn, NULL));
    struct seq_node *n = record1(v, t, bwname, extremum_backward, d, keepdim,
                                 &st);
    SEQ_TRY(st);
    if (n) {
        if (d != SEQ_DIM_ALL && !keepdim)
            SEQ_TRY(seq_unsqueeze(&ixk, ix, d));
        else
            ixk = seq_retain(ix);
        SEQ_TRY(seq_node_save(n, ixk));
    }
    if (values) {
        *values = v;
        v = NULL;
    }
    if (indices) {
        *indices = ix;
        ix = NULL;
    }
fail:
    seq_release(v);
    seq_release(ix);
    seq_release(ixk);
    return st;
}

int seq_max(struct seq_tensor **values, struct seq_tensor **indices,
            struct seq_tensor *t, int dim, bool keepdim)
{
    return extremum(values, indices, "max", t, dim, keepdim, lane_max,
                    "MaxBackward");
}

int seq_min(struct seq_tensor **values, struct seq_tensor **indices,
            struct seq_tensor *t, int dim, bool keepdim)
{
    return extremum(values, indices, "min", t, dim, keepdim, lane_min,
                    "MinBackward");
}

static double lane_argmax(const double *x, int64_t n, int64_t *idx,
                          const double *arg)
{
    lane_max(x, n, idx, arg);
    return (double)*idx;
}

static double lane_argmin(const double *x, int64_t n, int64_t *idx,
                          const double *arg)
{
    lane_min(x, n, idx, arg);
    return (double)*idx;
}

static bool int64_extremum(lane_reduce_fn fn)
{
    return fn == lane_max || fn == lane_min || fn == lane_argmax ||
           fn == lane_argmin;
}

/* max/min/argmax/argmin over int64 lanes; r receives values (or indices
 * for the arg forms, which are int64 too), ix the indices if wanted. */
static void extremum_i64(struct seq_tensor *r, struct seq_tensor *ix,
                         const struct lanes *L, lane_reduce_fn fn)
{
    bool is_max = fn == lane_max || fn == lane_argmax;
    bool want_index = fn == lane_argmax || fn == lane_argmin;
    const int64_t *x = seq_data(L->src);
    int64_t *y = seq_data(r);
    for (int64_t o = 0; o < L->outer; o++)
        for (int64_t i = 0; i < L->inner; i++) {
            const int64_t *lane = x + o * L->n * L->inner + i;
            int64_t b = 0;
            for (int64_t k = 1; k < L->n; k++)
                if (is_max ? lane[k * L->inner] > lane[b * L->inner]
                           : lane[k * L->inner] < lane[b * L->inner])
                    b = k;
            y[o * L->inner + i] = want_index ? b : lane[b * L->inner];
            if (ix)
                ((int64_t *)seq_data(ix))[o * L->inner + i] = b;
        }
}

static int arg_extremum(struct seq_tensor **out, const char *op,
                        struct seq_tensor *t, int dim, bool keepdim,
                        lane_reduce_fn fn)
{
    int d, st = norm_dim(op, t, dim, &d);
    if (st)
        return st;
    if (seq_numel(t) == 0)
        return seq_fail(SEQ_ESHAPE, "%s: cannot reduce an empty tensor", op);
    return reduce_lanes(out, NULL, op, t, d, keepdim, SEQ_INT64, fn, NULL);
}

int seq_argmax(struct seq_tensor **out, struct seq_tensor *t, int dim,
               bool keepdim)
{
    return arg_extremum(out, "argmax", t, dim, keepdim, lane_argmax);
}

int seq_argmin(struct seq_tensor **out, struct seq_tensor *t, int dim,
               bool keepdim)
{
    return arg_extremum(out, "argmin", t, dim, keepdim, lane_argmin);
}

/* ---- var / std --------------------------------------------------------- */

static double lane_var(const double *x, int64_t n, int64_t *idx,
                       const double *arg)
{
    double m = 0, s = 0;
    for (int64_t k = 0; k < n; k++)
        m += x[k];
    m /= (double)n;
    for (int64_t k = 0; k < n; k++)
        s += (x[k] - m) * (x[k] - m);
    /* PyTorch's divisor max(0, N - correction): never a negative var */
    double div = (double)n - arg[0];
    return s / (div > 0 ? div : 0);
}

/* var = sum (x - mean)^2 / (n - c)  =>  dvar/dx = 2 (x - mean) / (n - c).
 * saved[0] = x. */
static int var_backward(struct seq_node *n, struct seq_tensor *g,
                        struct seq_tensor **gin)
{
    struct seq_tensor *x = n->saved[0], *m = NULL, *dx = NULL, *ge = NULL,
                      *t1 = NULL;
    int dim = (int)n->iargs[0];
    int st;
    SEQ_TRY(seq_mean(&m, x, dim, true));
    SEQ_TRY(seq_sub(&dx, x, m));
    SEQ_TRY(expand_back(&ge, g, n));
    SEQ_TRY(seq_mul(&t1, dx, ge));
    SEQ_TRY(seq_binary_scalar(&gin[0], SEQ_OP_MUL, t1,
                              2.0 / n->dargs[0], false));
fail:
    seq_release(m);
    seq_release(dx);
    seq_release(ge);
    seq_release(t1);
    return st;
}

int seq_var(struct seq_tensor **out, struct seq_tensor *t, int dim,
            int correction, bool keepdim)
{
    struct seq_tensor *f = NULL, *r = NULL;
    int d, st;
    SEQ_TRY(norm_dim("var", t, dim, &d));
    if (correction < 0)
        return seq_fail(SEQ_EINVAL, "var: correction must be >= 0");
    SEQ_TRY(seq_to(&f, t, t->dtype == SEQ_INT64 ? SEQ_FLOAT32 : t->dtype));
    double c = correction;
    int64_t n = d == SEQ_DIM_ALL ? seq_numel(t) : (t->ndim ? t->shape[d] : 1);
    SEQ_TRY(reduce_lanes(&r, NULL, "var", f, d, keepdim, f->dtype, lane_var,
                         &c));
    struct seq_node *node = record1(r, f, "VarBackward", var_backward, d,
                                    keepdim, &st);
    SEQ_TRY(st);
    if (node) {
        node->dargs[0] = (double)n - c;
        SEQ_TRY(seq_node_save(node, f));
    }
    *out = r;
    r = NULL;
fail:
    seq_release(f);
    seq_release(r);
    return st;
}

int seq_std(struct seq_tensor **out, struct seq_tensor *t, int dim,
            int correction, bool keepdim)
{
    struct seq_tensor *v = NULL;
    int st = seq_var(&v, t, dim, correction, keepdim);
    if (st)
        return st;
    st = seq_sqrt(out, v);
    seq_release(v);
    return st;
}

/* ---- norm -------------------------------------------------------------- */

static double lane_norm2(const double *x, int64_t n, int64_t *idx,
                         const double *arg)
{
    /* scaled to avoid overflow for large entries */
    double scale = 0, ssq = 1;
    bool inf = false; /* inf / inf would make a NaN of two infinities */
    for (int64_t k = 0; k < n; k++) {
        double a = fabs(x[k]);
        if (a == 0)
            continue;
        if (a != a)
            return a;
        if (isinf(a)) {
            inf = true;
            continue;
        }
        if (scale < a) {
            ssq = 1 + ssq * (scale / a) * (scale / a);
            scale = a;
        } else {
            ssq += (a / scale) * (a / scale);
        }
    }
    return inf ? INFINITY : scale * sqrt(ssq);
}

/* d||x||_2 = x / ||x|| dy, and 0 where the norm is 0 (the subgradient
 * PyTorch picks).  saved[0] = x, saved[1] = norm (keepdim). */
static int norm2_backward(struct seq_node *n, struct seq_tensor *g,
                          struct seq_tensor **gin)
{
    struct seq_tensor *x = n->saved[0], *nm = n->saved[1];
    struct seq_tensor *ge = NULL, *q = NULL, *t1 = NULL, *zero = NULL,
                      *mask = NULL, *nmk = NULL;
    int st;
    SEQ_TRY(expand_back(&ge, g, n));
    SEQ_TRY(seq_scalar(&zero, nm->dtype, 0.0));
    SEQ_TRY(seq_binary(&mask, SEQ_OP_EQ, nm, zero));
    /* divide by 1 where the norm is 0: x is 0 there, so the result is 0 */
    SEQ_TRY(seq_add(&nmk, nm, mask));
    SEQ_TRY(seq_div(&q, x, nmk));
    SEQ_TRY(seq_mul(&t1, q, ge));
    gin[0] = t1;
    t1 = NULL;
fail:
    seq_release(ge);
    seq_release(q);
    seq_release(t1);
    seq_release(zero);
    seq_release(mask);
    seq_release(nmk);
    return st;
}

int seq_norm(struct seq_tensor **out, struct seq_tensor *t, double p,
             int dim, bool keepdim)
{
    struct seq_tensor *a = NULL, *s = NULL, *pw = NULL, *f = NULL,
                      *r = NULL, *rk = NULL;
    int d, st;
    SEQ_TRY(norm_dim("norm", t, dim, &d));
    if (!(p > 0))
        return seq_fail(SEQ_EINVAL, "norm: p must be positive, got %g", p);
    SEQ_TRY(seq_to(&f, t, t->dtype == SEQ_INT64 ? SEQ_FLOAT32 : t->dtype));
    if (p == 2) {
        SEQ_TRY(reduce_lanes(&r, NULL, "norm", f, d, keepdim, f->dtype,
                             lane_norm2, NULL));
        struct seq_node *n = record1(r, f, "NormBackward", norm2_backward, d,
                                     keepdim, &st);
        SEQ_TRY(st);
        if (n) {
            SEQ_TRY(seq_node_save(n, f));
            /* the saved norm must broadcast against x */
            if (d != SEQ_DIM_ALL && !keepdim)
                SEQ_TRY(seq_unsqueeze(&rk, r, d));
            else
                rk = seq_retain(r);
            SEQ_TRY(seq_node_save(n, rk));
        }
        *out = r;
        r = NULL;
    } else {
        SEQ_TRY(seq_abs(&a, f));
        if (isinf(p)) {
            SEQ_TRY(seq_max(out, NULL, a, d, keepdim));
        } else if (p == 1) {
            SEQ_TRY(seq_sum(out, a, d, keepdim));
        } else {
            SEQ_TRY(seq_binary_scalar(&pw, SEQ_OP_POW, a, p, false));
            SEQ_TRY(seq_sum(&s, pw, d, keepdim));
            SEQ_TRY(seq_binary_scalar(out, SEQ_OP_POW, s, 1.0 / p, false));
        }
    }
fail:
    seq_release(a);
    seq_release(s);
    seq_release(pw);
    seq_release(f);
    seq_release(r);
    seq_release(rk);
    return st;
}

/* ---- cumsum ------------------------------------------------------------ */

static void lane_cumsum(double *y, const double *x, int64_t n,
                        const double *arg)
{
    double s = 0;
    for (int64_t k = 0; k < n; k++)
        y[k] = (s += x[k]);
}

static void lane_rcumsum(double *y, const double *x, int64_t n,
                         const double *arg)
{
    double s = 0;
    for (int64_t k = n; k-- > 0;)
        y[k] = (s += x[k]);
}

/* Integer running sums stay in (wrapping) int64. */
static int cumsum_int(struct seq_tensor **out, struct seq_tensor *t, int d)
{
    struct lanes L;
    struct seq_tensor *r = NULL;
    int st;
    SEQ_TRY(lanes_init(&L, "cumsum", t, d, true));
    SEQ_TRY(seq_empty(&r, SEQ_INT64, t->ndim, t->shape));
    const int64_t *x = seq_data(L.src);
    int64_t *y = seq_data(r);
    for (int64_t o = 0; o < L.outer; o++)
        for (int64_t i = 0; i < L.inner; i++) {
            uint64_t s = 0;
            for (int64_t k = 0; k < L.n; k++) {
                int64_t at = (o * L.n + k) * L.inner + i;
                s += (uint64_t)x[at];
                y[at] = (int64_t)s;
            }
        }
    *out = r;
    r = NULL;
fail:
    lanes_free(&L);
    seq_release(r);
    return st;
}

/* y_k = sum_{j<=k} x_j  =>  dx_j = sum_{k>=j} dy_k, a reversed cumsum. */
static int cumsum_backward(struct seq_node *n, struct seq_tensor *g,
                           struct seq_tensor **gin)
{
    return map_lanes(&gin[0], "cumsum", g, (int)n->iargs[0], g->dtype,
                     lane_rcumsum, NULL);
}

int seq_cumsum(struct seq_tensor **out, struct seq_tensor *t, int dim)
{
    struct seq_tensor *r = NULL;
    int d, st;
    SEQ_TRY(seq_wrap_dim("cumsum", dim, t->ndim, &d));
    if (t->dtype == SEQ_INT64)
        return cumsum_int(out, t, d);
    SEQ_TRY(map_lanes(&r, "cumsum", t, d, t->dtype, lane_cumsum, NULL));
    if (seq_dtype_is_float(t->dtype)) {
        record1(r, t, "CumsumBackward", cumsum_backward, d, false, &st);
        SEQ_TRY(st);
    }
    *out = r;
    return SEQ_OK;
fail:
    seq_release(r);
    return st;
}

/* ---- logsumexp, softmax, log_softmax ----------------------------------- */

static double lane_lse(const double *x, int64_t n, int64_t *idx,
                       const double *arg)
{
    double m = -INFINITY, s = 0;
    for (int64_t k = 0; k < n; k++)
        if (x[k] > m || x[k] != x[k])
            m = x[k];
    if (m != m)
        return m;
    if (isinf(m))
        return m; /* all -inf (or +inf present) */
    for (int64_t k = 0; k < n; k++)
        s += exp(x[k] - m);
    return m + log(s);
}

static void lane_softmax(double *y, const double *x, int64_t n,
                         const double *arg)
{
    double m = -INFINITY, s = 0;
    for (int64_t k = 0; k < n; k++)
        if (x[k] > m)
            m = x[k];
    for (int64_t k = 0; k < n; k++)
        s += (y[k] = exp(x[k] - m));
    for (int64_t k = 0; k < n; k++)
        y[k] /= s;
}

static void lane_log_softmax(double *y, const double *x, int64_t n,
                             const double *arg)
{
    double m = -INFINITY, s = 0;
    for (int64_t k = 0; k < n; k++)
        if (x[k] > m)
            m = x[k];
    for (int64_t k = 0; k < n; k++)
        s += exp(x[k] - m);
    /* (x - m) - log s, not x - (m + log s): forming m + log s first
     * cancels digits when the result is near 0 */
    double ls = log(s);
    for (int64_t k = 0; k < n; k++)
        y[k] = (x[k] - m) - ls;
}

/* Lane pair (g, y) -> dx for y = softmax(x):
 * dx_k = y_k (g_k - sum_j g_j y_j). */
static void lane_softmax_bw(double *dx, const double *gy, int64_t n,
                            const double *arg)
{
    const double *g = gy, *y = gy + n;
    double dot = 0;
    for (int64_t k = 0; k < n; k++)
        dot += g[k] * y[k];
    for (int64_t k = 0; k < n; k++)
        dx[k] = y[k] * (g[k] - dot);
}

/* y = x - logsumexp(x):  dx_k = g_k - exp(y_k) sum_j g_j. */
static void lane_log_softmax_bw(double *dx, const double *gy, int64_t n,
                                const double *arg)
{
    const double *g = gy, *y = gy + n;
    double s = 0;
    for (int64_t k = 0; k < n; k++)
        s += g[k];
    for (int64_t k = 0; k < n; k++)
        dx[k] = g[k] - exp(y[k]) * s;
}

static int softmax_backward(struct seq_node *n, struct seq_tensor *g,
                            struct seq_tensor **gin)
{
    return map_lanes2(&gin[0], "softmax", g, n->saved[0], (int)n->iargs[0],
                      n->iargs[2] ? lane_log_softmax_bw : lane_softmax_bw);
}

static int softmax_common(struct seq_tensor **out, struct seq_tensor *t,
                          int dim, bool log_form)
{
    const char *op = log_form ? "log_softmax" : "softmax";
    struct seq_tensor *f = NULL, *r = NULL;
    int d, st;
    SEQ_TRY(seq_wrap_dim(op, dim, t->ndim, &d));
    SEQ_TRY(seq_to(&f, t, t->dtype == SEQ_INT64 ? SEQ_FLOAT32 : t->dtype));
    SEQ_TRY(map_lanes(&r, op, f, d, f->dtype,
                      log_form ? lane_log_softmax : lane_softmax, NULL));
    struct seq_node *n = record1(r, f,
                                 log_form ? "LogSoftmaxBackward"
                                          : "SoftmaxBackward",
                                 softmax_backward, d, false, &st);
    SEQ_TRY(st);
    if (n) {
        n->iargs[2] = log_form;
        SEQ_TRY(seq_node_save(n, r));
    }
    *out = r;
    r = NULL;
fail:
    seq_release(f);
    seq_release(r);
    return st;
}

int seq_softmax(struct seq_tensor **out, struct seq_tensor *t, int dim)
{
    return softmax_common(out, t, dim, false);
}

int seq_log_softmax(struct seq_tensor **out, struct seq_tensor *t, int dim)
{
    return softmax_common(out, t, dim, true);
}

/* d lse(x) = softmax(x) dy = exp(x - lse) dy.  saved: x, lse (keepdim). */
static int lse_backward(struct seq_node *n, struct seq_tensor *g,
                        struct seq_tensor **gin)
{
    struct seq_tensor *ge = NULL, *le = NULL, *d = NULL, *e = NULL;
    int st;
    SEQ_TRY(expand_back(&ge, g, n));
    SEQ_TRY(expand_back(&le, n->saved[1], n));
    SEQ_TRY(seq_sub(&d, n->saved[0], le));
    SEQ_TRY(seq_exp(&e, d));
    SEQ_TRY(seq_mul(&gin[0], e, ge));
fail:
    seq_release(ge);
    seq_release(le);
    seq_release(d);
    seq_release(e);
    return st;
}

int seq_logsumexp(struct seq_tensor **out, struct seq_tensor *t, int dim,
                  bool keepdim)
{
    struct seq_tensor *f = NULL, *r = NULL;
    int d, st;
    SEQ_TRY(norm_dim("logsumexp", t, dim, &d));
    SEQ_TRY(seq_to(&f, t, t->dtype == SEQ_INT64 ? SEQ_FLOAT32 : t->dtype));
    SEQ_TRY(reduce_lanes(&r, NULL, "logsumexp", f, d, keepdim, f->dtype,
                         lane_lse, NULL));
    struct seq_node *n = record1(r, f, "LogsumexpBackward", lse_backward, d,
                                 keepdim, &st);
    SEQ_TRY(st);
    if (n) {
        SEQ_TRY(seq_node_save(n, f));
        SEQ_TRY(seq_node_save(n, r));
    }
    *out = r;
    r = NULL;
fail:
    seq_release(f);
    seq_release(r);
    return st;
}
