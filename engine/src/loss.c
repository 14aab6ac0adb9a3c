/* loss.c — negative log-likelihood and cross-entropy over class scores, with
 * PyTorch's ignore_index and reductions.  cross_entropy is log_softmax
 * followed by nll_loss, so its gradient is softmax - onehot for free. */
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

int seq_cross_entropy(struct seq_tensor **out, struct seq_tensor *logits,
                      const struct seq_tensor *target, int64_t ignore_index,
                      enum seq_reduction red)
{
    int64_t rows, ncls;
    struct seq_tensor *lp = NULL;
    int st;
    SEQ_TRY(check_nll("cross_entropy", logits, target, ignore_index, &rows,
                      &ncls));
    SEQ_TRY(seq_log_softmax(&lp, logits, logits->ndim - 1));
    SEQ_TRY(seq_nll_loss(out, lp, target, ignore_index, red));
fail:
    seq_release(lp);
    return st;
}
