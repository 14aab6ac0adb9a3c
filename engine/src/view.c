/* view.c — ops that return a new view of the same storage: view/reshape,
 * transpose/permute, slice/narrow/select, squeeze/unsqueeze, expand.  Each
 * records a backward that maps the gradient back onto the input's shape. */
#include "internal.h"

/* ---- backward helpers -------------------------------------------------- */

/* Shape-only views: the gradient is g reshaped back to the input shape. */
static int reshape_backward(struct seq_node *n, struct seq_tensor *g,
                            struct seq_tensor **gin)
{
    return seq_reshape(&gin[0], g, n->in_ndim[0], n->in_shape[0]);
}

static int record_reshape(struct seq_tensor *r, struct seq_tensor *t,
                          const char *name)
{
    if (!seq_should_record(1, &t))
        return SEQ_OK;
    return seq_record(r, name, reshape_backward, 1, &t, NULL);
}

/* Finishes a view op: records it (if needed) or drops the result. */
static int finish(struct seq_tensor **out, struct seq_tensor *r, int st,
                  struct seq_tensor *t, const char *name,
                  seq_backward_fn bw, struct seq_node **node)
{
    if (st == SEQ_OK && seq_should_record(1, &t))
        st = seq_record(r, name, bw, 1, &t, node);
    if (st) {
        seq_release(r);
        return st;
    }
    *out = r;
    return SEQ_OK;
}

/* ---- view / reshape ---------------------------------------------------- */

/* Fills new_shape resolving one -1, checking the element count matches. */
static int infer_shape(const char *op, const struct seq_tensor *t, int ndim,
                       const int64_t *shape, int64_t *out)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    if (ndim < 0 || ndim > SEQ_MAX_DIMS)
        return seq_fail(SEQ_EINVAL, "%s: %d dimensions (at most %d)", op,
                        ndim, SEQ_MAX_DIMS);
    int infer = -1;
    int64_t known = 1, numel = seq_numel(t);
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == -1) {
            if (infer >= 0)
                return seq_fail(SEQ_EINVAL, "%s: only one dimension can be "
                                            "-1",
                                op);
            infer = i;
        } else if (shape[i] < 0) {
            return seq_fail(SEQ_EINVAL, "%s: invalid size %lld", op,
                            (long long)shape[i]);
        } else {
            if (shape[i] && known > INT64_MAX / shape[i])
                return seq_fail(SEQ_EINVAL, "%s: shape %s is too large", op,
                                seq_shape_str(b1, sizeof b1, ndim, shape));
            known *= shape[i];
        }
        out[i] = shape[i];
    }
    if (infer >= 0) {
        if (known == 0 || numel % known != 0)
            return seq_fail(SEQ_ESHAPE,
                            "%s: shape %s is invalid for input of size %lld",
                            op, seq_shape_str(b1, sizeof b1, ndim, shape),
                            (long long)numel);
        out[infer] = numel / known;
        known = numel;
    }
    if (known != numel)
        return seq_fail(SEQ_ESHAPE,
                        "%s: cannot reshape %s (%lld elements) into %s", op,
                        seq_shape_str(b1, sizeof b1, t->ndim, t->shape),
                        (long long)numel,
                        seq_shape_str(b2, sizeof b2, ndim, shape));
    return SEQ_OK;
}

/* Strides for viewing t with a new shape without copying, if the memory
 * layout allows it: dims are grouped into runs that are contiguous with
 * each other, and each run must map onto whole dims of the new shape. */
static bool view_strides(const struct seq_tensor *t, int ndim,
                         const int64_t *shape, int64_t *stride)
{
    if (seq_numel(t) <= 1 || seq_is_contiguous(t)) {
        seq_contiguous_strides(ndim, shape, stride);
        return true;
    }
    int vd = ndim - 1;
    int64_t base = t->stride[t->ndim - 1], tn = 1, vn = 1;
    for (int td = t->ndim - 1; td >= 0; td--) {
        tn *= t->shape[td];
        if (td == 0 || (t->shape[td - 1] != 1 &&
                        t->stride[td - 1] != tn * base)) {
            while (vd >= 0 && (vn < tn || shape[vd] == 1)) {
                stride[vd] = vn * base;
                vn *= shape[vd];
                vd--;
            }
            if (vn != tn)
                return false;
            if (td > 0) {
                base = t->stride[td - 1];
                tn = 1;
                vn = 1;
            }
        }
    }
    return vd == -1;
}

int seq_view(struct seq_tensor **out, struct seq_tensor *t, int ndim,
             const int64_t *shape)
{
    int64_t ns[SEQ_MAX_DIMS], nst[SEQ_MAX_DIMS];
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    int st = infer_shape("view", t, ndim, shape, ns);
    if (st)
        return st;
    if (!view_strides(t, ndim, ns, nst))
        return seq_fail(SEQ_ESHAPE,
                        "view: a %s tensor with these strides cannot be "
                        "viewed as %s without a copy (use reshape)",
                        seq_shape_str(b1, sizeof b1, t->ndim, t->shape),
                        seq_shape_str(b2, sizeof b2, ndim, ns));
    struct seq_tensor *r = NULL;
    st = seq_make_view(&r, t, t->offset, ndim, ns, nst);
    if (st == SEQ_OK)
        st = record_reshape(r, t, "ViewBackward");
    if (st) {
        seq_release(r);
        return st;
    }
    *out = r;
    return SEQ_OK;
}

int seq_reshape(struct seq_tensor **out, struct seq_tensor *t, int ndim,
                const int64_t *shape)
{
    int64_t ns[SEQ_MAX_DIMS], nst[SEQ_MAX_DIMS];
    int st = infer_shape("reshape", t, ndim, shape, ns);
    if (st)
        return st;
    if (view_strides(t, ndim, ns, nst))
        return seq_view(out, t, ndim, ns);
    struct seq_tensor *c = NULL;
    st = seq_clone(&c, t); /* records CloneBackward */
    if (st)
        return st;
    st = seq_view(out, c, ndim, ns);
    seq_release(c);
    return st;
}

int seq_flatten(struct seq_tensor **out, struct seq_tensor *t)
{
    int64_t n = -1;
    return seq_reshape(out, t, 1, &n);
}

/* ---- transpose / permute ----------------------------------------------- */

static int permute_backward(struct seq_node *n, struct seq_tensor *g,
                            struct seq_tensor **gin)
{
    int inv[SEQ_MAX_DIMS];
    for (int i = 0; i < g->ndim; i++)
        inv[n->iargs[i]] = i;
    return seq_permute(&gin[0], g, inv);
}

int seq_permute(struct seq_tensor **out, struct seq_tensor *t,
                const int *perm)
{
    int64_t shape[SEQ_MAX_DIMS], stride[SEQ_MAX_DIMS];
    bool seen[SEQ_MAX_DIMS] = {false};
    int p[SEQ_MAX_DIMS];
    for (int i = 0; i < t->ndim; i++) {
        int st = seq_wrap_dim("permute", perm[i], t->ndim, &p[i]);
        if (st)
            return st;
        if (seen[p[i]])
            return seq_fail(SEQ_EINVAL,
                            "permute: dimension %d appears twice", perm[i]);
        seen[p[i]] = true;
        shape[i] = t->shape[p[i]];
        stride[i] = t->stride[p[i]];
    }
    struct seq_tensor *r = NULL;
    struct seq_node *n = NULL;
    int st = seq_make_view(&r, t, t->offset, t->ndim, shape, stride);
    st = finish(out, r, st, t, "PermuteBackward", permute_backward, &n);
    if (st == SEQ_OK && n)
        for (int i = 0; i < t->ndim; i++)
            n->iargs[i] = p[i];
    return st;
}

int seq_transpose(struct seq_tensor **out, struct seq_tensor *t, int d0,
                  int d1)
{
    int a, b, perm[SEQ_MAX_DIMS];
    int st = seq_wrap_dim("transpose", d0, t->ndim, &a);
    if (st == SEQ_OK)
        st = seq_wrap_dim("transpose", d1, t->ndim, &b);
    if (st)
        return st;
    for (int i = 0; i < t->ndim; i++)
        perm[i] = i;
    perm[a] = b;
    perm[b] = a;
    return seq_permute(out, t, perm);
}

/* ---- slice / narrow / select ------------------------------------------- */

/* The gradient of a slice is zero except where the slice looked: take the
 * same slice of a zero tensor and write g into it. */
static int slice_backward(struct seq_node *n, struct seq_tensor *g,
                          struct seq_tensor **gin)
{
    struct seq_tensor *z = NULL, *v = NULL;
    int st = seq_zeros(&z, g->dtype, n->in_ndim[0], n->in_shape[0]);
    if (st)
        return st;
    int dim = (int)n->iargs[1];
    if (n->iargs[0] == 0)
        st = seq_slice(&v, z, dim, n->iargs[2], n->iargs[3], n->iargs[4]);
    else
        st = seq_select(&v, z, dim, n->iargs[2]);
    if (st == SEQ_OK)
        st = seq_copy_(v, g);
    seq_release(v);
    if (st) {
        seq_release(z);
        return st;
    }
    gin[0] = z;
    return SEQ_OK;
}

int seq_slice(struct seq_tensor **out, struct seq_tensor *t, int dim,
              int64_t start, int64_t end, int64_t step)
{
    int d, st = seq_wrap_dim("slice", dim, t->ndim, &d);
    if (st)
        return st;
    if (t->ndim == 0)
        return seq_fail(SEQ_EINDEX, "slice: cannot slice a 0-d tensor");
    if (step < 1)
        return seq_fail(SEQ_EINVAL, "slice: step must be positive, got %lld",
                        (long long)step);
    int64_t size = t->shape[d];
    if (start < 0)
        start += size;
    if (end < 0)
        end += size;
    start = start < 0 ? 0 : start > size ? size : start;
    end = end < start ? start : end > size ? size : end;
    /* written so that a huge step cannot overflow */
    int64_t len = end > start ? (end - start - 1) / step + 1 : 0;
    int64_t shape[SEQ_MAX_DIMS], stride[SEQ_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    memcpy(stride, t->stride, sizeof stride);
    shape[d] = len;
    stride[d] = len > 1 ? t->stride[d] * step : t->stride[d];
    struct seq_tensor *r = NULL;
    struct seq_node *n = NULL;
    st = seq_make_view(&r, t, t->offset + start * t->stride[d], t->ndim,
                       shape, stride);
    st = finish(out, r, st, t, "SliceBackward", slice_backward, &n);
    if (st == SEQ_OK && n) {
        n->iargs[0] = 0;
        n->iargs[1] = d;
        n->iargs[2] = start;
        n->iargs[3] = end;
        n->iargs[4] = step;
    }
    return st;
}

int seq_narrow(struct seq_tensor **out, struct seq_tensor *t, int dim,
               int64_t start, int64_t length)
{
    int d, st = seq_wrap_dim("narrow", dim, t->ndim, &d);
    if (st)
        return st;
    if (t->ndim == 0)
        return seq_fail(SEQ_EINDEX, "narrow: cannot narrow a 0-d tensor");
    int64_t size = t->shape[d];
    if (start < 0)
        start += size;
    if (start < 0 || start > size || length < 0 || length > size - start)
        return seq_fail(SEQ_EINDEX,
                        "narrow: start %lld and length %lld do not fit in "
                        "dimension %d of size %lld",
                        (long long)start, (long long)length, d,
                        (long long)size);
    return seq_slice(out, t, d, start, start + length, 1);
}

int seq_select(struct seq_tensor **out, struct seq_tensor *t, int dim,
               int64_t index)
{
    int d, st = seq_wrap_dim("select", dim, t->ndim, &d);
    if (st)
        return st;
    if (t->ndim == 0)
        return seq_fail(SEQ_EINDEX, "select: cannot index a 0-d tensor");
    int64_t size = t->shape[d];
    if (index < -size || index >= size)
        return seq_fail(SEQ_EINDEX,
                        "select: index %lld out of range for dimension %d "
                        "of size %lld",
                        (long long)index, d, (long long)size);
    if (index < 0)
        index += size;
    int64_t shape[SEQ_MAX_DIMS], stride[SEQ_MAX_DIMS];
    for (int i = 0, j = 0; i < t->ndim; i++)
        if (i != d) {
            shape[j] = t->shape[i];
            stride[j++] = t->stride[i];
        }
    struct seq_tensor *r = NULL;
    struct seq_node *n = NULL;
    st = seq_make_view(&r, t, t->offset + index * t->stride[d], t->ndim - 1,
                       shape, stride);
    st = finish(out, r, st, t, "SelectBackward", slice_backward, &n);
    if (st == SEQ_OK && n) {
        n->iargs[0] = 1;
        n->iargs[1] = d;
        n->iargs[2] = index;
    }
    return st;
}

/* ---- squeeze / unsqueeze ----------------------------------------------- */

int seq_squeeze(struct seq_tensor **out, struct seq_tensor *t, int dim)
{
    int64_t shape[SEQ_MAX_DIMS], stride[SEQ_MAX_DIMS];
    int nd = 0, d = -1;
    if (dim != SEQ_DIM_ALL) {
        int st = seq_wrap_dim("squeeze", dim, t->ndim, &d);
        if (st)
            return st;
    }
    for (int i = 0; i < t->ndim; i++) {
        bool drop = t->shape[i] == 1 && (dim == SEQ_DIM_ALL || i == d);
        if (!drop) {
            shape[nd] = t->shape[i];
            stride[nd++] = t->stride[i];
        }
    }
    struct seq_tensor *r = NULL;
    int st = seq_make_view(&r, t, t->offset, nd, shape, stride);
    return finish(out, r, st, t, "SqueezeBackward", reshape_backward, NULL);
}

int seq_unsqueeze(struct seq_tensor **out, struct seq_tensor *t, int dim)
{
    int d;
    if (t->ndim >= SEQ_MAX_DIMS)
        return seq_fail(SEQ_EINVAL, "unsqueeze: at most %d dimensions",
                        SEQ_MAX_DIMS);
    int st = seq_wrap_dim("unsqueeze", dim, t->ndim + 1, &d);
    if (st)
        return st;
    int64_t shape[SEQ_MAX_DIMS], stride[SEQ_MAX_DIMS];
    for (int i = 0, j = 0; i <= t->ndim; i++) {
        if (i == d) {
            shape[i] = 1;
            stride[i] = d < t->ndim ? t->stride[d] * t->shape[d] : 1;
        } else {
            shape[i] = t->shape[j];
            stride[i] = t->stride[j++];
        }
    }
    struct seq_tensor *r = NULL;
    st = seq_make_view(&r, t, t->offset, t->ndim + 1, shape, stride);
    return finish(out, r, st, t, "UnsqueezeBackward", reshape_backward, NULL);
}

/* ---- expand ------------------------------------------------------------ */

/* A broadcast view read the same input element many times: its gradient
 * sums the output gradient over the broadcast dims. */
static int expand_backward(struct seq_node *n, struct seq_tensor *g,
                           struct seq_tensor **gin)
{
    return seq_sum_to_shape(&gin[0], g, n->in_ndim[0], n->in_shape[0]);
}

int seq_expand(struct seq_tensor **out, struct seq_tensor *t, int ndim,
               const int64_t *shape)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    if (ndim < t->ndim || ndim > SEQ_MAX_DIMS)
        return seq_fail(SEQ_ESHAPE,
                        "expand: cannot expand %s to %d dimensions",
                        seq_shape_str(b1, sizeof b1, t->ndim, t->shape),
                        ndim);
    int64_t ns[SEQ_MAX_DIMS], nst[SEQ_MAX_DIMS];
    for (int i = 0; i < ndim; i++) {
        int j = t->ndim - ndim + i;
        int64_t want = shape[i];
        if (j < 0) {
            if (want < 0)
                return seq_fail(SEQ_EINVAL,
                                "expand: size -1 not allowed in a new "
                                "leading dimension");
            ns[i] = want;
            nst[i] = 0;
            continue;
        }
        if (want == -1)
            want = t->shape[j];
        if (want == t->shape[j]) {
            ns[i] = want;
            nst[i] = t->stride[j];
        } else if (t->shape[j] == 1 && want >= 0) {
            ns[i] = want;
            nst[i] = 0;
        } else {
            return seq_fail(SEQ_ESHAPE,
                            "expand: cannot expand %s to %s (dimension %d: "
                            "%lld is not 1)",
                            seq_shape_str(b1, sizeof b1, t->ndim, t->shape),
                            seq_shape_str(b2, sizeof b2, ndim, shape), i,
                            (long long)t->shape[j]);
        }
    }
    int st = seq_check_shape("expand", ndim, ns, NULL);
    if (st)
        return st;
    struct seq_tensor *r = NULL;
    st = seq_make_view(&r, t, t->offset, ndim, ns, nst);
    return finish(out, r, st, t, "ExpandBackward", expand_backward, NULL);
}
