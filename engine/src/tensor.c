/* tensor.c — tensor structs, storage and lifetime, creation, element access,
 * conversion and copies, in-place writes, and the strided loop that every
 * elementwise kernel runs on.  Views live in view.c, math in the op files. */
#include "internal.h"

#include <stdio.h>

/* ---- dtypes ------------------------------------------------------------ */

const char *seq_dtype_name(enum seq_dtype dt)
{
    switch (dt) {
    case SEQ_FLOAT32: return "float32";
    case SEQ_FLOAT64: return "float64";
    case SEQ_INT64:   return "int64";
    }
    return "?";
}

int seq_dtype_parse(enum seq_dtype *out, const char *name)
{
    static const struct {
        const char *name;
        enum seq_dtype dt;
    } names[] = {
        {"float32", SEQ_FLOAT32}, {"float", SEQ_FLOAT32},
        {"f32", SEQ_FLOAT32},     {"float64", SEQ_FLOAT64},
        {"double", SEQ_FLOAT64},  {"f64", SEQ_FLOAT64},
        {"int64", SEQ_INT64},     {"long", SEQ_INT64},
        {"i64", SEQ_INT64},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].dt;
            return SEQ_OK;
        }
    return seq_fail(SEQ_EDTYPE,
                    "unknown dtype '%s' (expected float32, float64 or int64)",
                    name);
}

size_t seq_dtype_size(enum seq_dtype dt)
{
    return dt == SEQ_FLOAT32 ? 4 : 8;
}

bool seq_dtype_is_float(enum seq_dtype dt)
{
    return dt != SEQ_INT64;
}

enum seq_dtype seq_promote(const struct seq_tensor *a,
                           const struct seq_tensor *b)
{
    if (a->dtype == b->dtype)
        return a->dtype;
    bool fa = seq_dtype_is_float(a->dtype), fb = seq_dtype_is_float(b->dtype);
    /* Same kind: a 0-dim operand defers to the one with dimensions. */
    if (fa == fb) {
        if (a->ndim == 0 && b->ndim > 0)
            return b->dtype;
        if (b->ndim == 0 && a->ndim > 0)
            return a->dtype;
        return SEQ_FLOAT64; /* float32 with float64 */
    }
    return fa ? a->dtype : b->dtype;
}

/* ---- shape helpers ----------------------------------------------------- */

char *seq_shape_str(char *buf, size_t n, int ndim, const int64_t *shape)
{
    size_t used = 0;
    used += (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < ndim && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%lld",
                                 i ? "," : "", (long long)shape[i]);
    if (used < n)
        snprintf(buf + used, n - used, ")");
    return buf;
}

void seq_contiguous_strides(int ndim, const int64_t *shape, int64_t *stride)
{
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        stride[i] = s;
        s *= shape[i] > 0 ? shape[i] : 1;
    }
}

int seq_check_shape(const char *op, int ndim, const int64_t *shape,
                    int64_t *numel)
{
    char sb[SEQ_SHAPE_BUF];
    if (ndim < 0 || ndim > SEQ_MAX_DIMS)
        return seq_fail(SEQ_EINVAL, "%s: %d dimensions (at most %d)", op,
                        ndim, SEQ_MAX_DIMS);
    int64_t n = 1;
    bool empty = false;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return seq_fail(SEQ_EINVAL, "%s: negative size %lld in shape %s",
                            op, (long long)shape[i],
                            seq_shape_str(sb, sizeof sb, ndim, shape));
        empty = empty || shape[i] == 0;
    }
    /* a shape with a zero holds nothing, however large the other sizes */
    for (int i = 0; i < ndim && !empty; i++) {
        if (n > ((int64_t)1 << 50) / shape[i])
            return seq_fail(SEQ_ENOMEM, "%s: shape %s is too large", op,
                            seq_shape_str(sb, sizeof sb, ndim, shape));
        n *= shape[i];
    }
    if (empty)
        n = 0;
    if (numel)
        *numel = n;
    return SEQ_OK;
}

int seq_wrap_dim(const char *op, int dim, int ndim, int *out)
{
    int lo = ndim ? -ndim : -1, hi = ndim ? ndim - 1 : 0;
    if (dim < lo || dim > hi)
        return seq_fail(SEQ_EINDEX,
                        "%s: dimension %d out of range for a %d-d tensor "
                        "(expected %d to %d)",
                        op, dim, ndim, lo, hi);
    *out = dim < 0 ? dim + (ndim ? ndim : 1) : dim;
    return SEQ_OK;
}

int64_t seq_numel(const struct seq_tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++)
        n *= t->shape[i];
    return n;
}

bool seq_is_contiguous(const struct seq_tensor *t)
{
    int64_t s = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        if (t->shape[i] != 1 && t->stride[i] != s)
            return false;
        s *= t->shape[i];
    }
    return true;
}

bool seq_same_shape(const struct seq_tensor *a, const struct seq_tensor *b)
{
    if (a->ndim != b->ndim)
        return false;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return false;
    return true;
}

void *seq_data(const struct seq_tensor *t)
{
    return (char *)t->storage->data + t->offset * (int64_t)seq_dtype_size(t->dtype);
}

/* ---- lifetime ---------------------------------------------------------- */

static void storage_release(struct seq_storage *s)
{
    if (s && --s->refcount == 0) {
        seq_free(s->data, s->nbytes);
        free(s);
    }
}

struct seq_tensor *seq_retain(struct seq_tensor *t)
{
    if (t)
        t->refcount++;
    return t;
}

/* Releasing a tensor can release its grad_fn, whose inputs are tensors,
 * whose grad_fns ... : a long recurrence is a long chain.  Nested releases
 * are queued and drained by the outermost call, so the C stack stays flat
 * however deep the graph. */
static _Thread_local struct seq_tensor **rel_queue;
static _Thread_local size_t rel_len, rel_cap;
static _Thread_local bool rel_active;

static void destroy(struct seq_tensor *t)
{
    struct seq_node *n = t->grad_fn;
    if (n && n->out == t)
        n->out = NULL;
    seq_release(t->grad);
    storage_release(t->storage);
    free(t);
    if (n)
        seq_node_release(n);
}

void seq_release(struct seq_tensor *t)
{
    if (!t || --t->refcount > 0)
        return;
    if (rel_active) {
        if (rel_len == rel_cap) {
            size_t cap = rel_cap ? rel_cap * 2 : 64;
            struct seq_tensor **q = realloc(rel_queue, cap * sizeof *q);
            if (!q) { /* out of memory: fall back to recursion */
                destroy(t);
                return;
            }
            rel_queue = q;
            rel_cap = cap;
        }
        rel_queue[rel_len++] = t;
        return;
    }
    rel_active = true;
    destroy(t);
    while (rel_len)
        destroy(rel_queue[--rel_len]);
    free(rel_queue); /* a thread-local buffer would leak at thread exit */
    rel_queue = NULL;
    rel_cap = 0;
    rel_active = false;
}

/* ---- creation ---------------------------------------------------------- */

static int tensor_new(struct seq_tensor **out, const char *op,
                      enum seq_dtype dt, int ndim, const int64_t *shape)
{
    int64_t n;
    int st = seq_check_shape(op, ndim, shape, &n);
    if (st)
        return st;
    if (dt != SEQ_FLOAT32 && dt != SEQ_FLOAT64 && dt != SEQ_INT64)
        return seq_fail(SEQ_EDTYPE, "%s: invalid dtype %d", op, (int)dt);
    struct seq_tensor *t = calloc(1, sizeof *t);
    struct seq_storage *s = calloc(1, sizeof *s);
    if (!t || !s) {
        free(t);
        free(s);
        return seq_fail(SEQ_ENOMEM, "%s: out of memory", op);
    }
    s->nbytes = n * (int64_t)seq_dtype_size(dt);
    s->data = seq_alloc(s->nbytes, op);
    if (!s->data) {
        free(t);
        free(s);
        return SEQ_ENOMEM;
    }
    s->refcount = 1;
    t->storage = s;
    t->ndim = ndim;
    if (ndim > 0)
        memcpy(t->shape, shape, sizeof(int64_t) * (size_t)ndim);
    seq_contiguous_strides(ndim, shape, t->stride);
    t->dtype = dt;
    t->refcount = 1;
    *out = t;
    return SEQ_OK;
}

int seq_empty(struct seq_tensor **out, enum seq_dtype dt, int ndim,
              const int64_t *shape)
{
    return tensor_new(out, "empty", dt, ndim, shape);
}

int seq_zeros(struct seq_tensor **out, enum seq_dtype dt, int ndim,
              const int64_t *shape)
{
    return tensor_new(out, "zeros", dt, ndim, shape);
}

static void fill_contig(void *p, enum seq_dtype dt, int64_t n, double v)
{
    switch (dt) {
    case SEQ_FLOAT32:
        for (int64_t i = 0; i < n; i++)
            ((float *)p)[i] = (float)v;
        break;
    case SEQ_FLOAT64:
        for (int64_t i = 0; i < n; i++)
            ((double *)p)[i] = v;
        break;
    case SEQ_INT64: {
        int64_t iv;
        seq_store(&iv, SEQ_INT64, v);
        for (int64_t i = 0; i < n; i++)
            ((int64_t *)p)[i] = iv;
        break;
    }
    }
}

int seq_full(struct seq_tensor **out, enum seq_dtype dt, int ndim,
             const int64_t *shape, double value)
{
    int st = tensor_new(out, "full", dt, ndim, shape);
    if (st == SEQ_OK && value != 0)
        fill_contig(seq_data(*out), dt, seq_numel(*out), value);
    return st;
}

int seq_ones(struct seq_tensor **out, enum seq_dtype dt, int ndim,
             const int64_t *shape)
{
    return seq_full(out, dt, ndim, shape, 1.0);
}

int seq_scalar(struct seq_tensor **out, enum seq_dtype dt, double value)
{
    return seq_full(out, dt, 0, NULL, value);
}

int seq_zeros_like(struct seq_tensor **out, const struct seq_tensor *t)
{
    return seq_zeros(out, t->dtype, t->ndim, t->shape);
}

int seq_ones_like(struct seq_tensor **out, const struct seq_tensor *t)
{
    return seq_ones(out, t->dtype, t->ndim, t->shape);
}

int seq_arange(struct seq_tensor **out, enum seq_dtype dt, double start,
               double end, double step)
{
    if (step == 0 || !isfinite(step) || !isfinite(start) || !isfinite(end))
        return seq_fail(SEQ_EINVAL,
                        "arange: start, end and step must be finite and "
                        "step non-zero (got %g, %g, %g)",
                        start, end, step);
    if ((step > 0 && end < start) || (step < 0 && end > start))
        return seq_fail(SEQ_EINVAL,
                        "arange: step %g goes away from end (%g to %g)", step,
                        start, end);
    double count = ceil((end - start) / step);
    if (count > 1e15)
        return seq_fail(SEQ_ENOMEM, "arange: %g elements is too many", count);
    int64_t n = (int64_t)count;
    int st = tensor_new(out, "arange", dt, 1, &n);
    if (st)
        return st;
    void *p = seq_data(*out);
    for (int64_t i = 0; i < n; i++)
        seq_store((char *)p + i * (int64_t)seq_dtype_size(dt), dt,
                  start + (double)i * step);
    return SEQ_OK;
}

int seq_linspace(struct seq_tensor **out, enum seq_dtype dt, double start,
                 double end, int64_t steps)
{
    if (steps < 0)
        return seq_fail(SEQ_EINVAL, "linspace: steps must be >= 0, got %lld",
                        (long long)steps);
    int st = tensor_new(out, "linspace", dt, 1, &steps);
    if (st)
        return st;
    void *p = seq_data(*out);
    double step = steps > 1 ? (end - start) / (double)(steps - 1) : 0;
    /* Fill symmetrically from both ends, as PyTorch does, so the last
     * element is exactly `end`; a single step is `start`, as in numpy. */
    int64_t half = steps == 1 ? 1 : steps / 2;
    for (int64_t i = 0; i < steps; i++) {
        double v = i < half ? start + step * (double)i
                            : end - step * (double)(steps - 1 - i);
        seq_store((char *)p + i * (int64_t)seq_dtype_size(dt), dt, v);
    }
    return SEQ_OK;
}

int seq_eye(struct seq_tensor **out, enum seq_dtype dt, int64_t n, int64_t m)
{
    int64_t shape[2] = {n, m < 0 ? n : m};
    int st = tensor_new(out, "eye", dt, 2, shape);
    if (st)
        return st;
    char *p = seq_data(*out);
    size_t es = seq_dtype_size(dt);
    for (int64_t i = 0; i < shape[0] && i < shape[1]; i++)
        seq_store(p + (i * shape[1] + i) * (int64_t)es, dt, 1.0);
    return SEQ_OK;
}

int seq_from_buffer(struct seq_tensor **out, enum seq_dtype dt, int ndim,
                    const int64_t *shape, const void *data)
{
    int st = tensor_new(out, "from_buffer", dt, ndim, shape);
    if (st == SEQ_OK && seq_numel(*out))
        memcpy(seq_data(*out), data,
               (size_t)seq_numel(*out) * seq_dtype_size(dt));
    return st;
}

int seq_make_view(struct seq_tensor **out, const struct seq_tensor *base,
                  int64_t offset, int ndim, const int64_t *shape,
                  const int64_t *stride)
{
    struct seq_tensor *t = calloc(1, sizeof *t);
    if (!t)
        return seq_fail(SEQ_ENOMEM, "view: out of memory");
    t->storage = base->storage;
    t->storage->refcount++;
    t->offset = offset;
    t->ndim = ndim;
    if (ndim > 0) {
        memcpy(t->shape, shape, sizeof(int64_t) * (size_t)ndim);
        memcpy(t->stride, stride, sizeof(int64_t) * (size_t)ndim);
    }
    t->dtype = base->dtype;
    t->refcount = 1;
    *out = t;
    return SEQ_OK;
}

/* ---- broadcasting and the strided loop --------------------------------- */

int seq_broadcast_shapes(const char *op, int na, const int64_t *sa, int nb,
                         const int64_t *sb, int *nout, int64_t *out)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    int n = na > nb ? na : nb;
    for (int i = 0; i < n; i++) {
        int ia = na - n + i, ib = nb - n + i;
        int64_t da = ia >= 0 ? sa[ia] : 1, db = ib >= 0 ? sb[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return seq_fail(SEQ_ESHAPE,
                            "%s: shapes %s and %s cannot be broadcast "
                            "(dimension %d: %lld vs %lld)",
                            op, seq_shape_str(b1, sizeof b1, na, sa),
                            seq_shape_str(b2, sizeof b2, nb, sb), i,
                            (long long)da, (long long)db);
        out[i] = da == 1 ? db : da;
    }
    *nout = n;
    return SEQ_OK;
}

void seq_broadcast_strides(const struct seq_tensor *t, int ndim,
                           const int64_t *shape, int64_t *stride)
{
    for (int i = 0; i < ndim; i++) {
        int j = t->ndim - ndim + i;
        stride[i] = (j >= 0 && t->shape[j] == shape[i] && shape[i] != 1)
                        ? t->stride[j]
                        : 0;
    }
}

void seq_foreach(int nops, char **base, int64_t (*strides)[SEQ_MAX_DIMS],
                 const size_t *elsize, int ndim, const int64_t *shape,
                 seq_loop_fn fn, void *ctx)
{
    int64_t sh[SEQ_MAX_DIMS], st[4][SEQ_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 0)
            return;
        if (shape[i] == 1)
            continue;
        /* Merge with the previous kept dim when every operand is
         * contiguous across the two. */
        if (nd > 0) {
            bool merge = true;
            for (int k = 0; k < nops; k++)
                if (st[k][nd - 1] != strides[k][i] * shape[i])
                    merge = false;
            if (merge) {
                sh[nd - 1] *= shape[i];
                for (int k = 0; k < nops; k++)
                    st[k][nd - 1] = strides[k][i];
                continue;
            }
        }
        sh[nd] = shape[i];
        for (int k = 0; k < nops; k++)
            st[k][nd] = strides[k][i];
        nd++;
    }
    int64_t inner = nd ? sh[nd - 1] : 1;
    int64_t step[4];
    for (int k = 0; k < nops; k++)
        step[k] = nd ? st[k][nd - 1] * (int64_t)elsize[k] : 0;
    int64_t idx[SEQ_MAX_DIMS] = {0};
    char *p[4];
    for (;;) {
        for (int k = 0; k < nops; k++) {
            int64_t off = 0;
            for (int d = 0; d < nd - 1; d++)
                off += idx[d] * st[k][d];
            p[k] = base[k] + off * (int64_t)elsize[k];
        }
        fn(ctx, p, step, inner);
        int d = nd - 2;
        for (; d >= 0; d--) {
            if (++idx[d] < sh[d])
                break;
            idx[d] = 0;
        }
        if (d < 0)
            break;
    }
}

/* ---- copies and conversion --------------------------------------------- */

struct convert_ctx {
    enum seq_dtype from, to;
};

static void convert_loop(void *vctx, char **p, const int64_t *step, int64_t n)
{
    const struct convert_ctx *c = vctx;
    char *dst = p[0], *src = p[1];
    if (c->from == c->to) {
        size_t es = seq_dtype_size(c->to);
        if (step[0] == (int64_t)es && step[1] == (int64_t)es) {
            memcpy(dst, src, (size_t)n * es);
            return;
        }
        for (int64_t i = 0; i < n; i++, dst += step[0], src += step[1])
            memcpy(dst, src, es);
        return;
    }
    for (int64_t i = 0; i < n; i++, dst += step[0], src += step[1])
        seq_store(dst, c->to, seq_load(src, c->from));
}

/* dst[...] = src[...] with broadcasting from src to dst's shape; no checks
 * beyond broadcastability, no autograd. */
static int copy_into(struct seq_tensor *dst, const struct seq_tensor *src,
                     const char *op)
{
    int nd;
    int64_t shape[SEQ_MAX_DIMS];
    int st = seq_broadcast_shapes(op, dst->ndim, dst->shape, src->ndim,
                                  src->shape, &nd, shape);
    if (st)
        return st;
    if (!(nd == dst->ndim &&
          memcmp(shape, dst->shape, sizeof(int64_t) * (size_t)nd) == 0)) {
        char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
        return seq_fail(SEQ_ESHAPE, "%s: cannot write %s into %s", op,
                        seq_shape_str(b1, sizeof b1, src->ndim, src->shape),
                        seq_shape_str(b2, sizeof b2, dst->ndim, dst->shape));
    }
    int64_t strides[2][SEQ_MAX_DIMS];
    memcpy(strides[0], dst->stride, sizeof(int64_t) * (size_t)nd);
    seq_broadcast_strides(src, nd, shape, strides[1]);
    char *base[2] = {seq_data(dst), seq_data(src)};
    size_t es[2] = {seq_dtype_size(dst->dtype), seq_dtype_size(src->dtype)};
    struct convert_ctx c = {src->dtype, dst->dtype};
    seq_foreach(2, base, strides, es, nd, shape, convert_loop, &c);
    return SEQ_OK;
}

static int copy_new(struct seq_tensor **out, struct seq_tensor *t,
                    enum seq_dtype dt, const char *op)
{
    struct seq_tensor *r = NULL;
    int st = tensor_new(&r, op, dt, t->ndim, t->shape);
    if (st)
        return st;
    st = copy_into(r, t, op);
    if (st) {
        seq_release(r);
        return st;
    }
    *out = r;
    return SEQ_OK;
}

int seq_contiguous_nograd(struct seq_tensor **out, struct seq_tensor *t)
{
    if (seq_is_contiguous(t)) {
        *out = seq_retain(t);
        return SEQ_OK;
    }
    return copy_new(out, t, t->dtype, "contiguous");
}

int seq_to_nograd(struct seq_tensor **out, struct seq_tensor *t,
                  enum seq_dtype dt)
{
    if (t->dtype == dt) {
        *out = seq_retain(t);
        return SEQ_OK;
    }
    return copy_new(out, t, dt, "to");
}

/* Copy-like ops pass the gradient straight through (converted back to the
 * input's dtype for `to`). */
static int copy_backward(struct seq_node *n, struct seq_tensor *g,
                         struct seq_tensor **gin)
{
    return seq_to_nograd(&gin[0], g, (enum seq_dtype)n->iargs[0]);
}

static int record_copy(struct seq_tensor *r, struct seq_tensor *t,
                       const char *name)
{
    struct seq_node *n;
    if (!seq_should_record(1, &t))
        return SEQ_OK;
    int st = seq_record(r, name, copy_backward, 1, &t, &n);
    if (st == SEQ_OK)
        n->iargs[0] = t->dtype;
    return st;
}

int seq_contiguous(struct seq_tensor **out, struct seq_tensor *t)
{
    if (seq_is_contiguous(t)) {
        *out = seq_retain(t);
        return SEQ_OK;
    }
    return seq_clone(out, t);
}

int seq_clone(struct seq_tensor **out, struct seq_tensor *t)
{
    struct seq_tensor *r = NULL;
    int st = copy_new(&r, t, t->dtype, "clone");
    if (st == SEQ_OK)
        st = record_copy(r, t, "CloneBackward");
    if (st) {
        seq_release(r);
        return st;
    }
    *out = r;
    return SEQ_OK;
}

int seq_to(struct seq_tensor **out, struct seq_tensor *t, enum seq_dtype dt)
{
    if (t->dtype == dt) {
        *out = seq_retain(t);
        return SEQ_OK;
    }
    struct seq_tensor *r = NULL;
    int st = copy_new(&r, t, dt, "to");
    if (st == SEQ_OK && seq_dtype_is_float(dt))
        st = record_copy(r, t, "ToCopyBackward");
    if (st) {
        seq_release(r);
        return st;
    }
    *out = r;
    return SEQ_OK;
}

int seq_detach(struct seq_tensor **out, struct seq_tensor *t)
{
    return seq_make_view(out, t, t->offset, t->ndim, t->shape, t->stride);
}

/* ---- element access ---------------------------------------------------- */

static int element_offset(const char *op, const struct seq_tensor *t,
                          const int64_t *index, int64_t *off)
{
    int64_t o = t->offset;
    for (int i = 0; i < t->ndim; i++) {
        int64_t ix = index[i];
        if (ix < -t->shape[i] || ix >= t->shape[i])
            return seq_fail(SEQ_EINDEX,
                            "%s: index %lld out of range for dimension %d "
                            "of size %lld",
                            op, (long long)ix, i, (long long)t->shape[i]);
        if (ix < 0)
            ix += t->shape[i];
        o += ix * t->stride[i];
    }
    *off = o;
    return SEQ_OK;
}

int seq_get(double *out, const struct seq_tensor *t, const int64_t *index)
{
    int64_t off;
    int st = element_offset("get", t, index, &off);
    if (st == SEQ_OK)
        *out = seq_load((char *)t->storage->data +
                            off * (int64_t)seq_dtype_size(t->dtype),
                        t->dtype);
    return st;
}

int seq_set(struct seq_tensor *t, const int64_t *index, double value)
{
    int64_t off;
    int st = seq_check_inplace("set", t);
    if (st == SEQ_OK)
        st = element_offset("set", t, index, &off);
    if (st == SEQ_OK) {
        seq_store((char *)t->storage->data +
                      off * (int64_t)seq_dtype_size(t->dtype),
                  t->dtype, value);
        seq_bump_version(t);
    }
    return st;
}

int seq_item(double *out, const struct seq_tensor *t)
{
    char sb[SEQ_SHAPE_BUF];
    if (seq_numel(t) != 1)
        return seq_fail(SEQ_ESHAPE,
                        "item: only a one-element tensor has an item "
                        "(shape %s has %lld elements)",
                        seq_shape_str(sb, sizeof sb, t->ndim, t->shape),
                        (long long)seq_numel(t));
    *out = seq_load(seq_data(t), t->dtype);
    return SEQ_OK;
}

int seq_copy_out(void *buf, enum seq_dtype dt, const struct seq_tensor *t)
{
    struct seq_tensor dst = *t;
    struct seq_storage s = {buf, seq_numel(t) * (int64_t)seq_dtype_size(dt),
                            1, 0};
    dst.storage = &s;
    dst.offset = 0;
    dst.dtype = dt;
    seq_contiguous_strides(t->ndim, t->shape, dst.stride);
    return copy_into(&dst, t, "copy_out");
}

/* ---- in-place writes --------------------------------------------------- */

int seq_check_inplace(const char *op, const struct seq_tensor *t)
{
    if (t->requires_grad && seq_grad_enabled())
        return seq_fail(SEQ_EGRAD,
                        "%s: a tensor that requires grad cannot be modified "
                        "in place (do it inside no_grad, or on a detached "
                        "copy)",
                        op);
    return SEQ_OK;
}

void seq_bump_version(struct seq_tensor *t)
{
    t->storage->version++;
}

int seq_fill_(struct seq_tensor *t, double value)
{
    struct seq_tensor *s = NULL;
    int st = seq_check_inplace("fill_", t);
    if (st == SEQ_OK)
        st = seq_scalar(&s, t->dtype, value);
    if (st == SEQ_OK)
        st = copy_into(t, s, "fill_");
    seq_release(s);
    if (st == SEQ_OK)
        seq_bump_version(t);
    return st;
}

int seq_copy_(struct seq_tensor *dst, const struct seq_tensor *src)
{
    int st = seq_check_inplace("copy_", dst);
    if (st == SEQ_OK)
        st = copy_into(dst, src, "copy_");
    if (st == SEQ_OK)
        seq_bump_version(dst);
    return st;
}

struct axpy_ctx {
    enum seq_dtype dt, sdt;
    double alpha;
};

static void axpy_loop(void *vctx, char **p, const int64_t *step, int64_t n)
{
    const struct axpy_ctx *c = vctx;
    char *y = p[0], *x = p[1];
    if (c->dt == SEQ_FLOAT32 && c->sdt == SEQ_FLOAT32) {
        float a = (float)c->alpha;
        for (int64_t i = 0; i < n; i++, y += step[0], x += step[1])
            *(float *)y += a * *(float *)x;
    } else if (c->dt == SEQ_FLOAT64 && c->sdt == SEQ_FLOAT64) {
        for (int64_t i = 0; i < n; i++, y += step[0], x += step[1])
            *(double *)y += c->alpha * *(double *)x;
    } else {
        for (int64_t i = 0; i < n; i++, y += step[0], x += step[1])
            seq_store(y, c->dt,
                      seq_load(y, c->dt) + c->alpha * seq_load(x, c->sdt));
    }
}

int seq_add_(struct seq_tensor *dst, const struct seq_tensor *src,
             double alpha)
{
    int nd;
    int64_t shape[SEQ_MAX_DIMS];
    int st = seq_check_inplace("add_", dst);
    if (st == SEQ_OK)
        st = seq_broadcast_shapes("add_", dst->ndim, dst->shape, src->ndim,
                                  src->shape, &nd, shape);
    if (st)
        return st;
    if (nd != dst->ndim ||
        memcmp(shape, dst->shape, sizeof(int64_t) * (size_t)nd) != 0) {
        char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
        return seq_fail(SEQ_ESHAPE, "add_: cannot add %s into %s",
                        seq_shape_str(b1, sizeof b1, src->ndim, src->shape),
                        seq_shape_str(b2, sizeof b2, dst->ndim, dst->shape));
    }
    int64_t strides[2][SEQ_MAX_DIMS];
    memcpy(strides[0], dst->stride, sizeof(int64_t) * (size_t)nd);
    seq_broadcast_strides(src, nd, shape, strides[1]);
    char *base[2] = {seq_data(dst), seq_data(src)};
    size_t es[2] = {seq_dtype_size(dst->dtype), seq_dtype_size(src->dtype)};
    struct axpy_ctx c = {dst->dtype, src->dtype, alpha};
    seq_foreach(2, base, strides, es, nd, shape, axpy_loop, &c);
    seq_bump_version(dst);
    return SEQ_OK;
}

static void scale_loop(void *vctx, char **p, const int64_t *step, int64_t n)
{
    const struct axpy_ctx *c = vctx;
    char *y = p[0];
    for (int64_t i = 0; i < n; i++, y += step[0])
        seq_store(y, c->dt, seq_load(y, c->dt) * c->alpha);
}

int seq_mul_scalar_(struct seq_tensor *dst, double s)
{
    int st = seq_check_inplace("mul_", dst);
    if (st)
        return st;
    int64_t strides[1][SEQ_MAX_DIMS];
    memcpy(strides[0], dst->stride, sizeof(int64_t) * (size_t)dst->ndim);
    char *base[1] = {seq_data(dst)};
    size_t es[1] = {seq_dtype_size(dst->dtype)};
    struct axpy_ctx c = {dst->dtype, dst->dtype, s};
    seq_foreach(1, base, strides, es, dst->ndim, dst->shape, scale_loop, &c);
    seq_bump_version(dst);
    return SEQ_OK;
}
