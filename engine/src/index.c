/* index.c — ops that join, split, pick or place elements by position: cat,
 * stack, split, chunk, index_select, gather, scatter_add, masked_fill,
 * one_hot and where, each with its backward.  Every index value is checked
 * before anything is written; nothing here modifies an input. */
#include "internal.h"

/* ---- shared helpers ---------------------------------------------------- */

/* Size of dim d, treating a 0-d tensor as one element along its only dim. */
static int64_t size_at(const struct seq_tensor *t, int d)
{
    return t->ndim ? t->shape[d] : 1;
}

static int check_index_dtype(const char *op, const struct seq_tensor *index)
{
    if (index->dtype != SEQ_INT64)
        return seq_fail(SEQ_EDTYPE, "%s: index must be int64, got %s", op,
                        seq_dtype_name(index->dtype));
    return SEQ_OK;
}

struct bounds_ctx {
    int64_t lo, hi;
};

static void bounds_loop(void *vctx, char **p, const int64_t *step, int64_t n)
{
    struct bounds_ctx *c = vctx;
    const char *ix = p[0];
    for (int64_t i = 0; i < n; i++, ix += step[0]) {
        int64_t v = *(const int64_t *)ix;
        if (v < c->lo)
            c->lo = v;
        if (v > c->hi)
            c->hi = v;
    }
}

/* The smallest and largest value of an int64 tensor (lo > hi when it is
 * empty). */
static void index_bounds(const struct seq_tensor *index, int64_t *lo,
                         int64_t *hi)
{
    int64_t strides[1][SEQ_MAX_DIMS];
    memcpy(strides[0], index->stride, sizeof(int64_t) * (size_t)index->ndim);
    char *base[1] = {seq_data(index)};
    size_t es[1] = {sizeof(int64_t)};
    struct bounds_ctx c = {INT64_MAX, INT64_MIN};
    seq_foreach(1, base, strides, es, index->ndim, index->shape, bounds_loop,
                &c);
    *lo = c.lo;
    *hi = c.hi;
}

/* Every value of index must lie in [0, size). */
static int check_index_range(const char *op, const struct seq_tensor *index,
                             int dim, int64_t size)
{
    int64_t lo, hi;
    index_bounds(index, &lo, &hi);
    if (lo <= hi && (lo < 0 || hi >= size))
        return seq_fail(SEQ_EINDEX,
                        "%s: index %lld out of range for dimension %d of "
                        "size %lld",
                        op, (long long)(lo < 0 ? lo : hi), dim,
                        (long long)size);
    return SEQ_OK;
}

/* Records `name` on the fresh result r, keeping `dim` in iargs[0] and a
 * detached alias of `keep` (an index, mask or offsets) for the backward. */
static int record_op(struct seq_tensor *r, const char *name, seq_backward_fn bw,
                     int n, struct seq_tensor *const *ins, int dim,
                     const struct seq_tensor *keep)
{
    struct seq_node *node;
    if (!seq_should_record(n, ins))
        return SEQ_OK;
    int st = seq_record(r, name, bw, n, ins, &node);
    if (st)
        return st;
    node->iargs[0] = dim;
    /* The node only reads `keep`; saving it retains its storage. */
    return seq_node_save(node, (struct seq_tensor *)keep);
}

/* ---- the pick kernels ---------------------------------------------------
 * index_select, gather and scatter_add (and their backwards) are one loop
 * over an iteration shape with three operands: the picked tensor, whose
 * stride along `dim` is zeroed so that its pointer stays at position 0 of
 * that dim, the int64 index, and a dense tensor walked normally.  At each
 * position the index value i moves the picked pointer i steps along dim. */

struct pick_ctx {
    enum seq_dtype dt;
    size_t es;
    int64_t dstep; /* bytes per step along dim in the picked tensor */
};

/* dense = picked[index] */
static void take_loop(void *vctx, char **p, const int64_t *step, int64_t n)
{
    const struct pick_ctx *c = vctx;
    char *src = p[0], *ix = p[1], *dst = p[2];
    for (int64_t i = 0; i < n;
         i++, src += step[0], ix += step[1], dst += step[2])
        memcpy(dst, src + *(const int64_t *)ix * c->dstep, c->es);
}

/* clang-format off */
#define PUT_ADD_LOOP(T)                                                       \
    for (int64_t i = 0; i < n;                                                \
         i++, dst += step[0], ix += step[1], src += step[2])                  \
        *(T *)(dst + *(const int64_t *)ix * c->dstep) += *(const T *)src

/* picked[index] += dense; repeated indices accumulate. */
static void put_add_loop(void *vctx, char **p, const int64_t *step,
                         int64_t n)
{
    const struct pick_ctx *c = vctx;
    char *dst = p[0], *ix = p[1], *src = p[2];
    switch (c->dt) {
    case SEQ_FLOAT32: PUT_ADD_LOOP(float); break;
    case SEQ_FLOAT64: PUT_ADD_LOOP(double); break;
    case SEQ_INT64:   PUT_ADD_LOOP(int64_t); break;
    }
}
/* clang-format on */

/* Runs fn over `shape` (which fits inside picked except along dim, and
 * inside dense); istride are the index's strides seen with that shape.
 * picked and dense share a dtype; index values are already checked. */
static void run_pick(seq_loop_fn fn, struct seq_tensor *picked, int dim,
                     const struct seq_tensor *index, const int64_t *istride,
                     struct seq_tensor *dense, int ndim, const int64_t *shape)
{
    size_t es = seq_dtype_size(picked->dtype), bytes;
    int64_t strides[3][SEQ_MAX_DIMS];
    bytes = sizeof(int64_t) * (size_t)ndim;
    memcpy(strides[0], picked->stride, bytes);
    memcpy(strides[1], istride, bytes);
    memcpy(strides[2], dense->stride, bytes);
    struct pick_ctx c = {picked->dtype, es, 0};
    if (ndim) {
        strides[0][dim] = 0;
        c.dstep = picked->stride[dim] * (int64_t)es;
    }
    char *base[3] = {seq_data(picked), seq_data(index), seq_data(dense)};
    size_t elsize[3] = {es, sizeof(int64_t), es};
    seq_foreach(3, base, strides, elsize, ndim, shape, fn, &c);
}

/* A 1-D index used along dim of an ndim-d tensor: its one stride on dim,
 * zero (broadcast) elsewhere. */
static void select_strides(int64_t *istride, int ndim, int dim,
                           const struct seq_tensor *index)
{
    for (int i = 0; i < ndim; i++)
        istride[i] = i == dim ? index->stride[0] : 0;
}

/* ---- index_select ------------------------------------------------------ */

/* out[.., j, ..] = t[.., index[j], ..], so g[.., j, ..] flows back to slot
 * index[j] of t: dt = 0, then dt[.., index[j], ..] += g[.., j, ..] (repeated
 * indices add up). */
static int index_select_backward(struct seq_node *n, struct seq_tensor *g,
                                 struct seq_tensor **gin)
{
    struct seq_tensor *z = NULL;
    int dim = (int)n->iargs[0];
    int64_t istride[SEQ_MAX_DIMS];
    int st = seq_zeros(&z, g->dtype, n->in_ndim[0], n->in_shape[0]);
    if (st)
        return st;
    select_strides(istride, g->ndim, dim, n->saved[0]);
    run_pick(put_add_loop, z, dim, n->saved[0], istride, g, g->ndim, g->shape);
    gin[0] = z;
    return SEQ_OK;
}

int seq_index_select(struct seq_tensor **out, struct seq_tensor *t, int dim,
                     const struct seq_tensor *index)
{
    char sb[SEQ_SHAPE_BUF];
    struct seq_tensor *r = NULL;
    int64_t shape[SEQ_MAX_DIMS], istride[SEQ_MAX_DIMS];
    int d, st;
    if (t->ndim == 0)
        return seq_fail(SEQ_ESHAPE,
                        "index_select: cannot select from a 0-d tensor");
    if ((st = seq_wrap_dim("index_select", dim, t->ndim, &d)) ||
        (st = check_index_dtype("index_select", index)))
        return st;
    if (index->ndim != 1)
        return seq_fail(
            SEQ_ESHAPE, "index_select: index must be 1-d, got shape %s",
            seq_shape_str(sb, sizeof sb, index->ndim, index->shape));
    if ((st = check_index_range("index_select", index, d, t->shape[d])))
        return st;
    memcpy(shape, t->shape, sizeof shape);
    shape[d] = index->shape[0];
    SEQ_TRY(seq_empty(&r, t->dtype, t->ndim, shape));
    select_strides(istride, t->ndim, d, index);
    run_pick(take_loop, t, d, index, istride, r, r->ndim, r->shape);
    SEQ_TRY(record_op(r, "IndexSelectBackward", index_select_backward, 1, &t, d,
                      index));
    *out = r;
    return SEQ_OK;
fail:
    seq_release(r);
    return st;
}

/* ---- gather / scatter_add ---------------------------------------------- */

/* index must have t's ndim and fit inside `within` (all dims but dim) and
 * `all_of` (every dim, may be NULL); its values must index t's dim. */
static int check_pick_index(const char *op, const struct seq_tensor *t, int dim,
                            const struct seq_tensor *index,
                            const char *within_name,
                            const struct seq_tensor *within,
                            const char *all_name,
                            const struct seq_tensor *all_of)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    int st = check_index_dtype(op, index);
    if (st)
        return st;
    const struct seq_tensor *others[2] = {within, all_of};
    const char *names[2] = {within_name, all_name};
    for (int k = 0; k < 2; k++) {
        const struct seq_tensor *o = others[k];
        if (!o)
            continue;
        if (o->ndim != index->ndim)
            return seq_fail(
                SEQ_ESHAPE,
                "%s: index of shape %s and %s of shape %s must "
                "have the same number of dimensions",
                op, seq_shape_str(b1, sizeof b1, index->ndim, index->shape),
                names[k], seq_shape_str(b2, sizeof b2, o->ndim, o->shape));
        for (int i = 0; i < o->ndim; i++)
            if ((k == 1 || i != dim) && index->shape[i] > o->shape[i])
                return seq_fail(
                    SEQ_ESHAPE,
                    "%s: index of shape %s is larger than %s of "
                    "shape %s in dimension %d",
                    op, seq_shape_str(b1, sizeof b1, index->ndim, index->shape),
                    names[k], seq_shape_str(b2, sizeof b2, o->ndim, o->shape),
                    i);
    }
    return check_index_range(op, index, dim, size_at(t, dim));
}

/* out[p] = t[p with p[dim] replaced by index[p]]: each g[p] lands on the
 * element it was read from, so dt = zeros, then scatter_add g there. */
static int gather_backward(struct seq_node *n, struct seq_tensor *g,
                           struct seq_tensor **gin)
{
    struct seq_tensor *z = NULL, *index = n->saved[0];
    int st = seq_zeros(&z, g->dtype, n->in_ndim[0], n->in_shape[0]);
    if (st)
        return st;
    run_pick(put_add_loop, z, (int)n->iargs[0], index, index->stride, g,
             g->ndim, g->shape);
    gin[0] = z;
    return SEQ_OK;
}

int seq_gather(struct seq_tensor **out, struct seq_tensor *t, int dim,
               const struct seq_tensor *index)
{
    struct seq_tensor *r = NULL;
    int d, st;
    if ((st = seq_wrap_dim("gather", dim, t->ndim, &d)) ||
        (st = check_pick_index("gather", t, d, index, "t", t, NULL, NULL)))
        return st;
    SEQ_TRY(seq_empty(&r, t->dtype, index->ndim, index->shape));
    run_pick(take_loop, t, d, index, index->stride, r, r->ndim, r->shape);
    SEQ_TRY(record_op(r, "GatherBackward", gather_backward, 1, &t, d, index));
    *out = r;
    return SEQ_OK;
fail:
    seq_release(r);
    return st;
}

/* out = t + S(src) with S linear: dt = g.  S adds src[p] into
 * out[p with p[dim] -> index[p]], so dsrc[p] = g[p with p[dim] -> index[p]]
 * (a gather) where index covers src, and 0 where src is larger. */
static int scatter_add_backward(struct seq_node *n, struct seq_tensor *g,
                                struct seq_tensor **gin)
{
    struct seq_tensor *index = n->saved[0];
    if (n->inputs[0])
        gin[0] = seq_retain(g);
    if (n->inputs[1]) {
        int st = seq_zeros(&gin[1], g->dtype, n->in_ndim[1], n->in_shape[1]);
        if (st)
            return st;
        run_pick(take_loop, g, (int)n->iargs[0], index, index->stride, gin[1],
                 index->ndim, index->shape);
    }
    return SEQ_OK;
}

int seq_scatter_add(struct seq_tensor **out, struct seq_tensor *t, int dim,
                    const struct seq_tensor *index, struct seq_tensor *src)
{
    struct seq_tensor *r = NULL;
    struct seq_tensor *ins[2] = {t, src};
    int d, st;
    if ((st = seq_wrap_dim("scatter_add", dim, t->ndim, &d)))
        return st;
    if (src->dtype != t->dtype)
        return seq_fail(SEQ_EDTYPE,
                        "scatter_add: src is %s but t is %s (they must "
                        "match)",
                        seq_dtype_name(src->dtype), seq_dtype_name(t->dtype));
    if ((st = check_pick_index("scatter_add", t, d, index, "t", t, "src", src)))
        return st;
    SEQ_TRY(seq_empty(&r, t->dtype, t->ndim, t->shape));
    SEQ_TRY(seq_copy_(r, t));
    run_pick(put_add_loop, r, d, index, index->stride, src, index->ndim,
             index->shape);
    SEQ_TRY(record_op(r, "ScatterAddBackward", scatter_add_backward, 2, ins, d,
                      index));
    *out = r;
    return SEQ_OK;
fail:
    seq_release(r);
    return st;
}

/* ---- masked_fill ------------------------------------------------------- */

struct fill_ctx {
    enum seq_dtype mdt;
    size_t es;
    bool invert;               /* fill where the mask is zero instead */
    _Alignas(8) char value[8]; /* the fill value in the output's dtype */
};

static void fill_loop(void *vctx, char **p, const int64_t *step, int64_t n)
{
    const struct fill_ctx *c = vctx;
    char *o = p[0], *s = p[1], *m = p[2];
    for (int64_t i = 0; i < n; i++, o += step[0], s += step[1], m += step[2]) {
        bool hit = (seq_load(m, c->mdt) != 0) != c->invert;
        memcpy(o, hit ? c->value : s, c->es);
    }
}

/* out = mask ? value : t (mask broadcast to t's shape; `invert` swaps the
 * sense of the mask).  No autograd. */
static int fill_masked(struct seq_tensor **out, const char *op,
                       const struct seq_tensor *t,
                       const struct seq_tensor *mask, double value, bool invert)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    int64_t shape[SEQ_MAX_DIMS], strides[3][SEQ_MAX_DIMS];
    int nd;
    int st = seq_broadcast_shapes(op, t->ndim, t->shape, mask->ndim,
                                  mask->shape, &nd, shape);
    if (st)
        return st;
    if (nd != t->ndim ||
        memcmp(shape, t->shape, sizeof(int64_t) * (size_t)nd) != 0)
        return seq_fail(SEQ_ESHAPE,
                        "%s: mask of shape %s does not broadcast to %s", op,
                        seq_shape_str(b1, sizeof b1, mask->ndim, mask->shape),
                        seq_shape_str(b2, sizeof b2, t->ndim, t->shape));
    struct seq_tensor *r = NULL;
    if ((st = seq_empty(&r, t->dtype, t->ndim, t->shape)))
        return st;
    struct fill_ctx c = {mask->dtype, seq_dtype_size(t->dtype), invert, {0}};
    seq_store(c.value, t->dtype, value);
    memcpy(strides[0], r->stride, sizeof(int64_t) * (size_t)nd);
    memcpy(strides[1], t->stride, sizeof(int64_t) * (size_t)nd);
    seq_broadcast_strides(mask, nd, shape, strides[2]);
    char *base[3] = {seq_data(r), seq_data(t), seq_data(mask)};
    size_t es[3] = {c.es, c.es, seq_dtype_size(mask->dtype)};
    seq_foreach(3, base, strides, es, nd, shape, fill_loop, &c);
    *out = r;
    return SEQ_OK;
}

/* out = mask ? value : t, so dt = mask ? 0 : g. */
static int masked_fill_backward(struct seq_node *n, struct seq_tensor *g,
                                struct seq_tensor **gin)
{
    return fill_masked(&gin[0], "masked_fill", g, n->saved[0], 0.0, false);
}

int seq_masked_fill(struct seq_tensor **out, struct seq_tensor *t,
                    const struct seq_tensor *mask, double value)
{
    struct seq_tensor *r = NULL;
    int st = fill_masked(&r, "masked_fill", t, mask, value, false);
    if (st)
        return st;
    SEQ_TRY(record_op(r, "MaskedFillBackward", masked_fill_backward, 1, &t, 0,
                      mask));
    *out = r;
    return SEQ_OK;
fail:
    seq_release(r);
    return st;
}

/* ---- where ------------------------------------------------------------- */

struct where_ctx {
    enum seq_dtype dt, cdt, adt, bdt;
    size_t es;
};

static void where_loop(void *vctx, char **p, const int64_t *step, int64_t n)
{
    const struct where_ctx *c = vctx;
    char *o = p[0], *m = p[1], *a = p[2], *b = p[3];
    for (int64_t i = 0; i < n;
         i++, o += step[0], m += step[1], a += step[2], b += step[3]) {
        bool pick_a = seq_load(m, c->cdt) != 0;
        const char *s = pick_a ? a : b;
        enum seq_dtype sdt = pick_a ? c->adt : c->bdt;
        if (sdt == c->dt)
            memcpy(o, s, c->es); /* exact for int64 too */
        else
            seq_store(o, c->dt, seq_load(s, sdt));
    }
}

/* out = cond ? a : b after broadcasting, so da = sum_to_shape(cond ? g : 0)
 * and db = sum_to_shape(cond ? 0 : g). */
static int where_backward(struct seq_node *n, struct seq_tensor *g,
                          struct seq_tensor **gin)
{
    for (int i = 0; i < 2; i++) {
        struct seq_tensor *m = NULL;
        if (!n->inputs[i])
            continue;
        int st = fill_masked(&m, "where", g, n->saved[0], 0.0, i == 0);
        if (st == SEQ_OK)
            st = seq_sum_to_shape(&gin[i], m, n->in_ndim[i], n->in_shape[i]);
        seq_release(m);
        if (st)
            return st;
    }
    return SEQ_OK;
}

int seq_where(struct seq_tensor **out, const struct seq_tensor *cond,
              struct seq_tensor *a, struct seq_tensor *b)
{
    struct seq_tensor *r = NULL;
    struct seq_tensor *ins[2] = {a, b};
    int64_t s1[SEQ_MAX_DIMS], shape[SEQ_MAX_DIMS], strides[4][SEQ_MAX_DIMS];
    int n1, nd;
    int st = seq_broadcast_shapes("where", cond->ndim, cond->shape, a->ndim,
                                  a->shape, &n1, s1);
    if (st == SEQ_OK)
        st = seq_broadcast_shapes("where", n1, s1, b->ndim, b->shape, &nd,
                                  shape);
    if (st)
        return st;
    struct where_ctx c = {seq_promote(a, b), cond->dtype, a->dtype, b->dtype,
                          0};
    c.es = seq_dtype_size(c.dt);
    SEQ_TRY(seq_empty(&r, c.dt, nd, shape));
    memcpy(strides[0], r->stride, sizeof(int64_t) * (size_t)nd);
    seq_broadcast_strides(cond, nd, shape, strides[1]);
    seq_broadcast_strides(a, nd, shape, strides[2]);
    seq_broadcast_strides(b, nd, shape, strides[3]);
    char *base[4] = {seq_data(r), seq_data(cond), seq_data(a), seq_data(b)};
    size_t es[4] = {c.es, seq_dtype_size(cond->dtype), seq_dtype_size(a->dtype),
                    seq_dtype_size(b->dtype)};
    seq_foreach(4, base, strides, es, nd, shape, where_loop, &c);
    SEQ_TRY(record_op(r, "WhereBackward", where_backward, 2, ins, 0, cond));
    *out = r;
    return SEQ_OK;
fail:
    seq_release(r);
    return st;
}

/* ---- one_hot ----------------------------------------------------------- */

struct one_hot_ctx {
    char *out;
    int64_t pos, classes;
    enum seq_dtype dt;
    size_t es;
};

static void one_hot_loop(void *vctx, char **p, const int64_t *step, int64_t n)
{
    struct one_hot_ctx *c = vctx;
    const char *ix = p[0];
    for (int64_t i = 0; i < n; i++, ix += step[0], c->pos++) {
        int64_t k = c->pos * c->classes + *(const int64_t *)ix;
        seq_store(c->out + k * (int64_t)c->es, c->dt, 1.0);
    }
}

int seq_one_hot(struct seq_tensor **out, const struct seq_tensor *index,
                int64_t num_classes, enum seq_dtype dt)
{
    int64_t lo, hi, shape[SEQ_MAX_DIMS], strides[1][SEQ_MAX_DIMS];
    struct seq_tensor *r = NULL;
    int st = check_index_dtype("one_hot", index);
    if (st)
        return st;
    if (index->ndim >= SEQ_MAX_DIMS)
        return seq_fail(SEQ_EINVAL,
                        "one_hot: index has %d dimensions; the result would "
                        "have more than %d",
                        index->ndim, SEQ_MAX_DIMS);
    index_bounds(index, &lo, &hi);
    if (lo <= hi && lo < 0)
        return seq_fail(SEQ_EINDEX, "one_hot: class %lld is negative",
                        (long long)lo);
    if (num_classes <= 0) {
        if (lo > hi)
            return seq_fail(SEQ_EINVAL,
                            "one_hot: cannot infer the number of classes "
                            "from an empty index (pass num_classes)");
        num_classes = hi < INT64_MAX ? hi + 1 : hi;
    } else if (lo <= hi && hi >= num_classes) {
        return seq_fail(SEQ_EINDEX,
                        "one_hot: class %lld out of range for %lld classes",
                        (long long)hi, (long long)num_classes);
    }
    if (dt != SEQ_FLOAT32 && dt != SEQ_FLOAT64 && dt != SEQ_INT64)
        return seq_fail(SEQ_EDTYPE, "one_hot: invalid dtype %d", (int)dt);
    memcpy(shape, index->shape, sizeof(int64_t) * (size_t)index->ndim);
    shape[index->ndim] = num_classes;
    if ((st = seq_check_shape("one_hot", index->ndim + 1, shape, NULL)) ||
        (st = seq_zeros(&r, dt, index->ndim + 1, shape)))
        return st;
    struct one_hot_ctx c = {seq_data(r), 0, num_classes, dt,
                            seq_dtype_size(dt)};
    memcpy(strides[0], index->stride, sizeof(int64_t) * (size_t)index->ndim);
    char *base[1] = {seq_data(index)};
    size_t es[1] = {sizeof(int64_t)};
    /* seq_foreach walks in C order, so c.pos counts index elements. */
    seq_foreach(1, base, strides, es, index->ndim, index->shape, one_hot_loop,
                &c);
    *out = r;
    return SEQ_OK;
}

/* ---- cat / stack ------------------------------------------------------- */

/* out holds the inputs end to end along dim, so each input's gradient is
 * the matching narrow of g (a view; accumulation copies it).  A skipped
 * legacy empty (0,) input gets an empty gradient. */
static int cat_backward(struct seq_node *n, struct seq_tensor *g,
                        struct seq_tensor **gin)
{
    int dim = (int)n->iargs[0];
    const int64_t *start = seq_data(n->saved[0]);
    int64_t shape[SEQ_MAX_DIMS];
    memcpy(shape, g->shape, sizeof shape);
    for (int i = 0; i < n->ninputs; i++) {
        const struct seq_tensor *in = n->inputs[i];
        int st;
        if (!in)
            continue;
        if (in->ndim != g->ndim) {
            st = seq_zeros(&gin[i], g->dtype, in->ndim, in->shape);
        } else {
            shape[dim] = in->shape[dim];
            st =
                seq_make_view(&gin[i], g, g->offset + start[i] * g->stride[dim],
                              g->ndim, shape, g->stride);
        }
        if (st)
            return st;
    }
    return SEQ_OK;
}

int seq_cat(struct seq_tensor **out, int n, struct seq_tensor *const *ts,
            int dim)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    struct seq_tensor *r = NULL, *starts = NULL;
    int64_t shape[SEQ_MAX_DIMS];
    int d, st, ref = 0;
    if (n <= 0 || !ts)
        return seq_fail(SEQ_EINVAL,
                        "cat: expected a non-empty list of tensors");
    for (int i = 0; i < n; i++) {
        if (!ts[i])
            return seq_fail(SEQ_EINVAL, "cat: tensor %d is missing", i);
        if (ts[i]->ndim == 0)
            return seq_fail(SEQ_ESHAPE,
                            "cat: tensor %d is 0-d; zero-dimensional tensors "
                            "cannot be concatenated",
                            i);
    }
    /* As in PyTorch, 1-d empty tensors are skipped (the old idiom of
     * growing a result from an empty tensor); the first other tensor
     * sets the shape. */
    while (ref < n - 1 && ts[ref]->ndim == 1 && ts[ref]->shape[0] == 0)
        ref++;
    const struct seq_tensor *rt = ts[ref];
    if ((st = seq_wrap_dim("cat", dim, rt->ndim, &d)))
        return st;
    const struct seq_tensor *widest = ts[0];
    memcpy(shape, rt->shape, sizeof shape);
    shape[d] = 0;
    for (int i = 0; i < n; i++) {
        const struct seq_tensor *t = ts[i];
        if (seq_promote(widest, t) != widest->dtype)
            widest = t;
        if (rt->ndim != 1 && t->ndim == 1 && t->shape[0] == 0)
            continue;
        bool same = t->ndim == rt->ndim;
        for (int k = 0; same && k < t->ndim; k++)
            same = k == d || t->shape[k] == rt->shape[k];
        if (!same)
            return seq_fail(
                SEQ_ESHAPE,
                "cat: tensor %d has shape %s but tensor %d has "
                "shape %s (sizes must match except in dimension "
                "%d)",
                i, seq_shape_str(b1, sizeof b1, t->ndim, t->shape), ref,
                seq_shape_str(b2, sizeof b2, rt->ndim, rt->shape), d);
        if (t->shape[d] > ((int64_t)1 << 50) - shape[d])
            return seq_fail(SEQ_ENOMEM, "cat: the result is too large");
        shape[d] += t->shape[d];
    }
    int64_t nin = n;
    SEQ_TRY(seq_empty(&starts, SEQ_INT64, 1, &nin));
    SEQ_TRY(seq_empty(&r, widest->dtype, rt->ndim, shape));
    int64_t *start = seq_data(starts), off = 0;
    for (int i = 0; i < n; i++) {
        struct seq_tensor *v = NULL, *t = ts[i];
        start[i] = off;
        if (t->ndim != r->ndim)
            continue; /* skipped empty */
        SEQ_TRY(seq_make_view(&v, r, r->offset + off * r->stride[d], r->ndim,
                              t->shape, r->stride));
        st = seq_copy_(v, t); /* converts to the common dtype */
        seq_release(v);
        if (st)
            goto fail;
        off += t->shape[d];
    }
    SEQ_TRY(record_op(r, "CatBackward", cat_backward, n, ts, d, starts));
    seq_release(starts);
    *out = r;
    return SEQ_OK;
fail:
    seq_release(starts);
    seq_release(r);
    return st;
}

int seq_stack(struct seq_tensor **out, int n, struct seq_tensor *const *ts,
              int dim)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    struct seq_tensor **views = NULL;
    int d, st;
    if (n <= 0 || !ts)
        return seq_fail(SEQ_EINVAL,
                        "stack: expected a non-empty list of tensors");
    for (int i = 0; i < n; i++) {
        if (!ts[i])
            return seq_fail(SEQ_EINVAL, "stack: tensor %d is missing", i);
        if (!seq_same_shape(ts[i], ts[0]))
            return seq_fail(
                SEQ_ESHAPE,
                "stack: tensor %d has shape %s but tensor 0 has "
                "shape %s (all must be equal)",
                i, seq_shape_str(b1, sizeof b1, ts[i]->ndim, ts[i]->shape),
                seq_shape_str(b2, sizeof b2, ts[0]->ndim, ts[0]->shape));
    }
    if (ts[0]->ndim >= SEQ_MAX_DIMS)
        return seq_fail(SEQ_EINVAL,
                        "stack: tensors of %d dimensions cannot gain one "
                        "(at most %d)",
                        ts[0]->ndim, SEQ_MAX_DIMS);
    if ((st = seq_wrap_dim("stack", dim, ts[0]->ndim + 1, &d)))
        return st;
    views = calloc((size_t)n, sizeof *views);
    if (!views)
        return seq_fail(SEQ_ENOMEM, "stack: out of memory");
    /* unsqueeze + cat: both record, so autograd needs nothing more. */
    for (int i = 0; i < n; i++)
        SEQ_TRY(seq_unsqueeze(&views[i], ts[i], d));
    SEQ_TRY(seq_cat(out, n, views, d));
fail:
    for (int i = 0; i < n; i++)
        seq_release(views[i]);
    free(views);
    return st;
}

/* ---- split / chunk ----------------------------------------------------- */

/* Narrows t along dim into count pieces of `size`, the last one of `last`
 * (PyTorch's split_with_sizes for equal sizes). */
static int split_pieces(const char *op, struct seq_tensor **outs, int max_out,
                        int *nout, struct seq_tensor *t, int dim, int64_t count,
                        int64_t size, int64_t last)
{
    *nout = 0;
    if (count > max_out)
        return seq_fail(SEQ_EINVAL, "%s: %lld pieces do not fit in %d outputs",
                        op, (long long)count, max_out);
    for (int64_t i = 0; i < count; i++) {
        int st =
            seq_narrow(&outs[i], t, dim, i * size, i < count - 1 ? size : last);
        if (st) {
            while (i-- > 0) {
                seq_release(outs[i]);
                outs[i] = NULL;
            }
            return seq_error_prefix(st, op);
        }
    }
    *nout = (int)count;
    return SEQ_OK;
}

/* The dim that split and chunk cut along. */
static int cut_dim(const char *op, const struct seq_tensor *t, int dim, int *d)
{
    if (t->ndim == 0)
        return seq_fail(SEQ_ESHAPE, "%s: cannot cut a 0-d tensor into pieces",
                        op);
    return seq_wrap_dim(op, dim, t->ndim, d);
}

int seq_split(struct seq_tensor **outs, int max_out, int *nout,
              struct seq_tensor *t, int64_t size, int dim)
{
    int d, st = cut_dim("split", t, dim, &d);
    if (st)
        return st;
    int64_t n = t->shape[d];
    if (size < 0 || (size == 0 && n > 0))
        return seq_fail(SEQ_EINVAL,
                        "split: size must be positive (0 only for an empty "
                        "dimension), got %lld for dimension %d of size %lld",
                        (long long)size, d, (long long)n);
    /* At least one piece, even when size exceeds the dim or the dim is
     * empty. */
    int64_t count = size ? n / size + (n % size != 0) : 1;
    if (count == 0)
        count = 1;
    return split_pieces("split", outs, max_out, nout, t, d, count, size,
                        n - size * (count - 1));
}

int seq_chunk(struct seq_tensor **outs, int max_out, int *nout,
              struct seq_tensor *t, int64_t chunks, int dim)
{
    int d, st = cut_dim("chunk", t, dim, &d);
    if (st)
        return st;
    if (chunks <= 0)
        return seq_fail(SEQ_EINVAL, "chunk: chunks must be positive, got %lld",
                        (long long)chunks);
    int64_t n = t->shape[d];
    /* An empty dim gives `chunks` empty pieces; otherwise pieces of
     * ceil(n / chunks), so there may be fewer than `chunks` of them. */
    if (n == 0)
        return split_pieces("chunk", outs, max_out, nout, t, d, chunks, 0, 0);
    int64_t size = n / chunks + (n % chunks != 0);
    int64_t count = n / size + (n % size != 0);
    return split_pieces("chunk", outs, max_out, nout, t, d, count, size,
                        n - size * (count - 1));
}
