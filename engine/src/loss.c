/* loss.c — negative log-likelihood and cross-entropy over class scores, with
 * PyTorch's ignore_index and reductions.  cross_entropy is log_softmax
 * followed by nll_loss in one fused pass; its gradient is softmax - onehot. */
#include "internal.h"

/* Checks logp (N, C) or (C) against target (N) or () and returns N, C. */
static int check_nll(const char *op, const struct seq_tensor *logp,
                     const struct seq_tensor *target, int64_t ignore,
                     int64_t *nrows, int64_t *ncls)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    if (!seq_dtype_is_float(logp->dtype))
        return seq_fail(SEQ_EDTYPE, "%s: input must be floating point, got "
                                    "%s",
                        op, seq_dtype_name(logp->dtype));
    if (target->dtype != SEQ_INT64)
        return seq_fail(SEQ_EDTYPE,
                        "%s: target must hold int64 class indices, got %s",
                        op, seq_dtype_name(target->dtype));
    bool ok = (logp->ndim == 2 && target->ndim == 1 &&
               target->shape[0] == logp->shape[0]) ||
              (logp->ndim == 1 && target->ndim == 0);
    if (!ok)
        return seq_fail(SEQ_ESHAPE,
                        "%s: input %s and target %s do not match (expected "
                        "input (N, C) with target (N), or (C) with a scalar)",
                        op,
                        seq_shape_str(b1, sizeof b1, logp->ndim, logp->shape),
                        seq_shape_str(b2, sizeof b2, target->ndim,
                                      target->shape));
    *nrows = logp->ndim == 2 ? logp->shape[0] : 1;
    *ncls = logp->shape[logp->ndim - 1];
    for (int64_t i = 0; i < *nrows; i++) {
        int64_t ix[1] = {i};
        double v;
        seq_get(&v, target, target->ndim ? ix : NULL);
        int64_t c = (int64_t)v;
        if (c != ignore && (c < 0 || c >= *ncls))
            return seq_fail(SEQ_EINDEX,
                            "%s: target %lld at position %lld is out of "
                            "range for %lld classes",
                            op, (long long)c, (long long)i, (long long)*ncls);
    }
    return SEQ_OK;
}

/* loss_i = -logp[i, t_i]; saved[0] = target, dargs[0] = the mean's
 * divisor.  d loss / d logp[i, t_i] = -g_i (or -g / count for the mean). */
static int nll_backward(struct seq_node *n, struct seq_tensor *g,
                        struct seq_tensor **gin)
{
    const struct seq_tensor *target = n->saved[0];
    enum seq_reduction red = (enum seq_reduction)n->iargs[0];
    int64_t ignore = n->iargs[1], rows = n->iargs[2], ncls = n->iargs[3];
    struct seq_tensor *r = NULL, *gc = NULL;
    int st;
    SEQ_TRY(seq_zeros(&r, g->dtype, n->in_ndim[0], n->in_shape[0]));
    SEQ_TRY(seq_contiguous_nograd(&gc, g));
    char *rp = seq_data(r);
    size_t es = seq_dtype_size(r->dtype);
    for (int64_t i = 0; i < rows; i++) {
        int64_t ix[1] = {i};
        double tv, gv;
        seq_get(&tv, target, target->ndim ? ix : NULL);
        int64_t c = (int64_t)tv;
        if (c == ignore)
            continue;
        gv = red == SEQ_REDUCE_NONE ? seq_load((char *)seq_data(gc) +
                                                   i * (int64_t)es,
                                               gc->dtype)
                                    : seq_load(seq_data(gc), gc->dtype);
        if (red == SEQ_REDUCE_MEAN)
            gv /= n->dargs[0];
        seq_store(rp + (i * ncls + c) * (int64_t)es, r->dtype, -gv);
    }
    gin[0] = r;
    r = NULL;
fail:
    seq_release(r);
    seq_release(gc);
    return st;
}

int seq_nll_loss(struct seq_tensor **out, struct seq_tensor *logp,
                 const struct seq_tensor *target, int64_t ignore_index,
                 enum seq_reduction red)
{
    int64_t rows, ncls;
    struct seq_tensor *r = NULL, *tc = NULL;
    int st;
    SEQ_TRY(check_nll("nll_loss", logp, target, ignore_index, &rows, &ncls));
    if ((unsigned)red > SEQ_REDUCE_NONE)
        return seq_fail(SEQ_EINVAL, "nll_loss: unknown reduction %d",
                        (int)red);
    int64_t rshape[1] = {rows};
    bool none = red == SEQ_REDUCE_NONE;
    SEQ_TRY(seq_empty(&r, logp->dtype, none ? target->ndim : 0, rshape));
    double total = 0, count = 0;
    for (int64_t i = 0; i < rows; i++) {
        int64_t ix[1] = {i}, at[2] = {i, 0};
        double tv, v = 0;
        seq_get(&tv, target, target->ndim ? ix : NULL);
        int64_t c = (int64_t)tv;
        if (c != ignore_index) {
            at[logp->ndim - 1] = c;
            seq_get(&v, logp, at);
            v = -v;
            count += 1;
            total += v;
        }
        if (none)
            seq_store((char *)seq_data(r) +
                          i * (int64_t)seq_dtype_size(r->dtype),
                      r->dtype, v);
    }
    if (!none)
        /* a mean over zero targets is nan, as in PyTorch */
        seq_store(seq_data(r), r->dtype,
                  red == SEQ_REDUCE_SUM ? total : total / count);
    if (seq_should_record(1, &logp)) {
        struct seq_node *n = NULL;
        SEQ_TRY(seq_record(r, "NllLossBackward", nll_backward, 1, &logp, &n));
        n->iargs[0] = red;
        n->iargs[1] = ignore_index;
        n->iargs[2] = rows;
        n->iargs[3] = ncls;
        n->dargs[0] = count;
        /* the target is an input of ours only by value: keep a copy */
        SEQ_TRY(seq_contiguous_nograd(&tc, (struct seq_tensor *)target));
        SEQ_TRY(seq_node_save(n, tc));
    }
    *out = r;
    r = NULL;
fail:
    seq_release(r);
    seq_release(tc);
    return st;
}

/* ---- cross-entropy, fused ------------------------------------------------
 * One pass over the logits per row: m = max x, s = sum e^(x - m),
 *   loss_i = -((x_t - m) - log s)    (log_softmax's formula, in double)
 * and the probabilities p = e^(x - m) / s are kept for the backward,
 *   dx_ik = scale_i (p_ik - [k == t_i])
 * with scale_i = g (sum), g / count (mean) or g_i (none), 0 for rows whose
 * target is ignore_index.  This is log_softmax followed by nll_loss, with
 * the same values and gradients, but one node, one exp per logit instead
 * of two, and no per-element dispatch (it matters for (T*N, vocab) logits
 * in a char-LM step). */

#define DEF_CE_KERNELS(SFX, T)                                                 \
    /* loss[i] for each row (0 where ignored); probs gets the softmax. */      \
    static void ce_forward_##SFX(const T *x, const int64_t *tgt, T *probs,     \
                                 int64_t rows, int64_t C, int64_t ignore,      \
                                 double *loss, double *e)                      \
    {                                                                          \
        for (int64_t i = 0; i < rows; i++) {                                   \
            const T *xi = x + i * C;                                           \
            double m = -INFINITY, s = 0;                                       \
            for (int64_t k = 0; k < C; k++)                                    \
                if (xi[k] > m)                                                 \
                    m = xi[k];                                                 \
            for (int64_t k = 0; k < C; k++) {                                  \
                e[k] = exp((double)xi[k] - m);                                 \
                s += e[k];                                                     \
            }                                                                  \
            int64_t c = tgt[i];                                                \
            loss[i] = c == ignore ? 0 : -(((double)xi[c] - m) - log(s));       \
            for (int64_t k = 0; k < C; k++)                                    \
                probs[i * C + k] = (T)(e[k] / s);                              \
        }                                                                      \
    }                                                                          \
                                                                               \
    static void ce_backward_##SFX(T *dx, const T *probs, const int64_t *tgt,  \
                                  const double *scale, int64_t rows,           \
                                  int64_t C, int64_t ignore)                   \
    {                                                                          \
        for (int64_t i = 0; i < rows; i++) {                                   \
            T *d = dx + i * C;                                                 \
            const T *p = probs + i * C;                                        \
            int64_t c = tgt[i];                                                \
            if (c == ignore) {                                                 \
                memset(d, 0, (size_t)C * sizeof(T));                           \
                continue;                                                      \
            }                                                                  \
            double sc = scale[i];                                              \
            for (int64_t k = 0; k < C; k++)                                    \
                d[k] = (T)(sc * (double)p[k]);                                 \
            d[c] = (T)(sc * ((double)p[c] - 1.0));                             \
        }                                                                      \
    }

DEF_CE_KERNELS(f32, float)
DEF_CE_KERNELS(f64, double)

/* saved[0] = probabilities (rows, C), saved[1] = target (rows);
 * iargs: reduction, ignore_index, rows, C; dargs[0] = the mean's count. */
static int ce_backward(struct seq_node *n, struct seq_tensor *g,
                       struct seq_tensor **gin)
{
    const struct seq_tensor *probs = n->saved[0], *target = n->saved[1];
    enum seq_reduction red = (enum seq_reduction)n->iargs[0];
    int64_t ignore = n->iargs[1], rows = n->iargs[2], ncls = n->iargs[3];
    struct seq_tensor *r = NULL, *gc = NULL;
    double *scale = NULL;
    int st;
    SEQ_TRY(seq_empty(&r, probs->dtype, n->in_ndim[0], n->in_shape[0]));
    SEQ_TRY(seq_contiguous_nograd(&gc, g));
    scale = malloc(sizeof(double) * (size_t)rows);
    if (!scale) {
        st = seq_fail(SEQ_ENOMEM, "cross_entropy: out of memory");
        goto fail;
    }
    size_t ges = seq_dtype_size(gc->dtype);
    for (int64_t i = 0; i < rows; i++) {
        double gv = seq_load((char *)seq_data(gc) +
                                 (red == SEQ_REDUCE_NONE ? i * (int64_t)ges : 0),
                             gc->dtype);
        scale[i] = red == SEQ_REDUCE_MEAN ? gv / n->dargs[0] : gv;
    }
    if (r->dtype == SEQ_FLOAT32)
        ce_backward_f32(seq_data(r), seq_data(probs), seq_data(target), scale,
                        rows, ncls, ignore);
    else
        ce_backward_f64(seq_data(r), seq_data(probs), seq_data(target), scale,
                        rows, ncls, ignore);
    gin[0] = r;
    r = NULL;
fail:
    free(scale);
    seq_release(r);
    seq_release(gc);
    return st;
}

int seq_cross_entropy(struct seq_tensor **out, struct seq_tensor *logits,
                      const struct seq_tensor *target, int64_t ignore_index,
                      enum seq_reduction red)
{
    int64_t rows, ncls;
    struct seq_tensor *x = NULL, *tc = NULL, *probs = NULL, *r = NULL;
    double *buf = NULL;
    int st;
    SEQ_TRY(check_nll("cross_entropy", logits, target, ignore_index, &rows,
                      &ncls));
    if ((unsigned)red > SEQ_REDUCE_NONE)
        return seq_fail(SEQ_EINVAL, "cross_entropy: unknown reduction %d",
                        (int)red);
    SEQ_TRY(seq_contiguous_nograd(&x, logits));
    SEQ_TRY(seq_contiguous_nograd(&tc, (struct seq_tensor *)target));
    int64_t pshape[2] = {rows, ncls};
    SEQ_TRY(seq_empty(&probs, x->dtype, 2, pshape));
    /* per-row losses, then a row of exponentials as scratch */
    buf = malloc(sizeof(double) * (size_t)(rows + ncls));
    if (!buf) {
        st = seq_fail(SEQ_ENOMEM, "cross_entropy: out of memory");
        goto fail;
    }
    if (x->dtype == SEQ_FLOAT32)
        ce_forward_f32(seq_data(x), seq_data(tc), seq_data(probs), rows, ncls,
                       ignore_index, buf, buf + rows);
    else
        ce_forward_f64(seq_data(x), seq_data(tc), seq_data(probs), rows, ncls,
                       ignore_index, buf, buf + rows);
    bool none = red == SEQ_REDUCE_NONE;
    int64_t rshape[1] = {rows};
    SEQ_TRY(seq_empty(&r, x->dtype, none ? target->ndim : 0, rshape));
    double total = 0, count = 0;
    const int64_t *t = seq_data(tc);
    size_t es = seq_dtype_size(r->dtype);
    for (int64_t i = 0; i < rows; i++) {
        if (t[i] != ignore_index) {
            total += buf[i];
            count += 1;
        }
        if (none)
            seq_store((char *)seq_data(r) + i * (int64_t)es, r->dtype, buf[i]);
    }
    if (!none)
        /* a mean over zero targets is nan, as in PyTorch */
        seq_store(seq_data(r), r->dtype,
                  red == SEQ_REDUCE_SUM ? total : total / count);
    if (seq_should_record(1, &logits)) {
        struct seq_node *n = NULL;
        SEQ_TRY(seq_record(r, "CrossEntropyBackward", ce_backward, 1, &logits,
                           &n));
        n->iargs[0] = red;
        n->iargs[1] = ignore_index;
        n->iargs[2] = rows;
        n->iargs[3] = ncls;
        n->dargs[0] = count;
        SEQ_TRY(seq_node_save(n, probs));
        SEQ_TRY(seq_node_save(n, tc));
    }
    *out = r;
    r = NULL;
fail:
    free(buf);
    seq_release(x);
    seq_release(tc);
    seq_release(probs);
    seq_release(r);
    return st;
}
