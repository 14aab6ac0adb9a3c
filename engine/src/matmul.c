/* matmul.c — matrix products with numpy's rules: 1-D operands are promoted
 * to a row or a column and the added dimension removed afterwards; leading
 * dimensions are batch dimensions and broadcast.  Each 2-D product goes to
 * seq_gemm with transposes as flags: a transposed view is never copied. */
#include "internal.h"

/* How one matrix operand is handed to BLAS. */
struct operand {
    bool trans;
    int64_t ld;
};

/* Reads the layout of t's last two dims: row-major (NoTrans, ld = row
 * stride) or column-major (Trans, ld = column stride).  False if neither
 * (the caller copies). */
static bool blas_layout(const struct seq_tensor *t, struct operand *op)
{
    int nd = t->ndim;
    int64_t rows = t->shape[nd - 2], cols = t->shape[nd - 1];
    int64_t sr = t->stride[nd - 2], sc = t->stride[nd - 1];
    if (cols <= 1 || sc == 1) {
        int64_t ld = rows <= 1 ? cols : sr;
        if (ld >= cols && ld >= 1) {
            op->trans = false;
            op->ld = ld;
            return true;
        }
    }
    if (rows <= 1 || sr == 1) {
        int64_t ld = cols <= 1 ? rows : sc;
        if (ld >= rows && ld >= 1) {
            op->trans = true;
            op->ld = ld;
            return true;
        }
    }
    return false;
}

static int ensure_layout(struct seq_tensor **t, struct operand *op)
{
    if (blas_layout(*t, op))
        return SEQ_OK;
    struct seq_tensor *c = NULL;
    int st = seq_contiguous_nograd(&c, *t);
    if (st)
        return st;
    seq_release(*t);
    *t = c;
    blas_layout(c, op);
    return SEQ_OK;
}

/* Batch strides of t aligned to a broadcast batch shape of nb dims. */
static void batch_strides(const struct seq_tensor *t, int nb,
                          const int64_t *bshape, int64_t *out)
{
    int tb = t->ndim - 2;
    for (int i = 0; i < nb; i++) {
        int j = tb - nb + i;
        out[i] = (j >= 0 && t->shape[j] == bshape[i] && bshape[i] != 1)
                     ? t->stride[j]
                     : 0;
    }
}

/* C = A @ B for operands with ndim >= 2, no autograd. */
static int matmul_raw(struct seq_tensor **out, struct seq_tensor *a,
                      struct seq_tensor *b)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    struct seq_tensor *ca = NULL, *cb = NULL, *r = NULL;
    int st = SEQ_OK;
    int64_t m = a->shape[a->ndim - 2], k = a->shape[a->ndim - 1];
    int64_t n = b->shape[b->ndim - 1];
    if (k != b->shape[b->ndim - 2])
        return seq_fail(SEQ_ESHAPE,
                        "matmul: shapes %s and %s cannot be multiplied "
                        "(%lld != %lld)",
                        seq_shape_str(b1, sizeof b1, a->ndim, a->shape),
                        seq_shape_str(b2, sizeof b2, b->ndim, b->shape),
                        (long long)k, (long long)b->shape[b->ndim - 2]);
    int nb;
    int64_t oshape[SEQ_MAX_DIMS + 2];
    if (seq_broadcast_shapes("matmul", a->ndim - 2, a->shape, b->ndim - 2,
                             b->shape, &nb, oshape))
        return seq_fail(SEQ_ESHAPE,
                        "matmul: the batch dimensions of %s and %s cannot "
                        "be broadcast",
                        seq_shape_str(b1, sizeof b1, a->ndim, a->shape),
                        seq_shape_str(b2, sizeof b2, b->ndim, b->shape));
    if (nb + 2 > SEQ_MAX_DIMS)
        return seq_fail(SEQ_EINVAL, "matmul: more than %d dimensions",
                        SEQ_MAX_DIMS);
    oshape[nb] = m;
    oshape[nb + 1] = n;
    enum seq_dtype dt = seq_promote(a, b);
    SEQ_TRY(seq_to_nograd(&ca, a, dt));
    SEQ_TRY(seq_to_nograd(&cb, b, dt));
    SEQ_TRY(seq_empty(&r, dt, nb + 2, oshape));
    if (seq_numel(r) == 0 || k == 0)
        goto done; /* empty, or a sum over nothing: zeros */

    size_t es = seq_dtype_size(dt);
    struct operand oa, ob;
    SEQ_TRY(ensure_layout(&cb, &ob));
    if (cb->ndim == 2 && ca->ndim > 2) {
        /* A batch of A against one B: fold the batch into the rows and do
         * one GEMM (a linear layer applied to (T, N, D)). */
        struct seq_tensor *c = NULL;
        SEQ_TRY(seq_contiguous_nograd(&c, ca));
        seq_release(ca);
        ca = c;
        seq_gemm(dt, false, ob.trans, seq_numel(ca) / k, n, k, 1.0,
                 seq_data(ca), k, seq_data(cb), ob.ld, 0.0, seq_data(r), n);
        goto done;
    }
    SEQ_TRY(ensure_layout(&ca, &oa));
    int64_t sa[SEQ_MAX_DIMS], sb[SEQ_MAX_DIMS], idx[SEQ_MAX_DIMS] = {0};
    batch_strides(ca, nb, oshape, sa);
    batch_strides(cb, nb, oshape, sb);
    char *pa = seq_data(ca), *pb = seq_data(cb), *pc = seq_data(r);
    int64_t nbatch = seq_numel(r) / (m * n);
    for (int64_t bi = 0; bi < nbatch; bi++) {
        int64_t offa = 0, offb = 0;
        for (int i = 0; i < nb; i++) {
            offa += idx[i] * sa[i];
            offb += idx[i] * sb[i];
        }
        seq_gemm(dt, oa.trans, ob.trans, m, n, k, 1.0,
                 pa + offa * (int64_t)es, oa.ld, pb + offb * (int64_t)es,
                 ob.ld, 0.0, pc + bi * m * n * (int64_t)es, n);
        for (int i = nb - 1; i >= 0; i--) {
            if (++idx[i] < oshape[i])
                break;
            idx[i] = 0;
        }
    }
done:
    *out = r;
    r = NULL;
fail:
    seq_release(ca);
    seq_release(cb);
    seq_release(r);
    return st;
}

/* C = A B  =>  dA = dC B^T and dB = A^T dC, each summed over the batch
 * dims that broadcasting added.  saved[0] = A, saved[1] = B. */
static int matmul_backward(struct seq_node *n, struct seq_tensor *g,
                           struct seq_tensor **gin)
{
    struct seq_tensor *a = n->saved[0], *b = n->saved[1];
    struct seq_tensor *t = NULL, *full = NULL;
    int st = SEQ_OK;
    if (n->inputs[0]) {
        SEQ_TRY(seq_transpose(&t, b, -1, -2));
        SEQ_TRY(matmul_raw(&full, g, t));
        SEQ_TRY(seq_sum_to_shape(&gin[0], full, n->in_ndim[0],
                                 n->in_shape[0]));
        seq_release(t);
        seq_release(full);
        t = full = NULL;
    }
    if (n->inputs[1]) {
        SEQ_TRY(seq_transpose(&t, a, -1, -2));
        SEQ_TRY(matmul_raw(&full, t, g));
        SEQ_TRY(seq_sum_to_shape(&gin[1], full, n->in_ndim[1],
                                 n->in_shape[1]));
    }
fail:
    seq_release(t);
    seq_release(full);
    return st;
}

static int matmul_nd(struct seq_tensor **out, struct seq_tensor *a,
                     struct seq_tensor *b)
{
    struct seq_tensor *r = NULL, *in[2] = {a, b};
    struct seq_node *n = NULL;
    int st = matmul_raw(&r, a, b);
    if (st)
        return st;
    if (seq_dtype_is_float(r->dtype) && seq_should_record(2, in)) {
        SEQ_TRY(seq_record(r, "MmBackward", matmul_backward, 2, in, &n));
        SEQ_TRY(seq_node_save(n, n->inputs[1] ? a : NULL));
        SEQ_TRY(seq_node_save(n, n->inputs[0] ? b : NULL));
    }
    *out = r;
    return SEQ_OK;
fail:
    seq_release(r);
    return st;
}

int seq_matmul(struct seq_tensor **out, struct seq_tensor *a,
               struct seq_tensor *b)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    struct seq_tensor *ua = NULL, *ub = NULL, *r = NULL;
    int st = SEQ_OK;
    if (a->ndim == 0 || b->ndim == 0)
        return seq_fail(SEQ_ESHAPE,
                        "matmul: both arguments need at least one dimension "
                        "(got %s and %s; use mul for scalars)",
                        seq_shape_str(b1, sizeof b1, a->ndim, a->shape),
                        seq_shape_str(b2, sizeof b2, b->ndim, b->shape));
    int64_t ka = a->shape[a->ndim - 1];
    int64_t kb = b->ndim == 1 ? b->shape[0] : b->shape[b->ndim - 2];
    if (ka != kb)
        return seq_fail(SEQ_ESHAPE,
                        "matmul: shapes %s and %s cannot be multiplied "
                        "(%lld != %lld)",
                        seq_shape_str(b1, sizeof b1, a->ndim, a->shape),
                        seq_shape_str(b2, sizeof b2, b->ndim, b->shape),
                        (long long)ka, (long long)kb);
    if (a->ndim >= 2 && b->ndim >= 2)
        return matmul_nd(out, a, b);
    /* 1-D operands: a becomes a row (1, K), b a column (K, 1); the added
     * dims are squeezed away afterwards, so autograd sees plain views. */
    if (a->ndim == 1)
        SEQ_TRY(seq_unsqueeze(&ua, a, 0));
    else
        ua = seq_retain(a);
    if (b->ndim == 1)
        SEQ_TRY(seq_unsqueeze(&ub, b, 1));
    else
        ub = seq_retain(b);
    SEQ_TRY(matmul_nd(&r, ua, ub));
    if (a->ndim == 1 && b->ndim == 1) {
        SEQ_TRY(seq_reshape(out, r, 0, NULL));
    } else if (a->ndim == 1) {
        SEQ_TRY(seq_squeeze(out, r, -2));
    } else {
        SEQ_TRY(seq_squeeze(out, r, -1));
    }
fail:
    seq_release(ua);
    seq_release(ub);
    seq_release(r);
    return st;
}

int seq_outer(struct seq_tensor **out, struct seq_tensor *a,
              struct seq_tensor *b)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    if (a->ndim != 1 || b->ndim != 1)
        return seq_fail(SEQ_ESHAPE, "outer: expected two 1-d tensors, got "
                                    "%s and %s",
                        seq_shape_str(b1, sizeof b1, a->ndim, a->shape),
                        seq_shape_str(b2, sizeof b2, b->ndim, b->shape));
    struct seq_tensor *ua = NULL, *ub = NULL;
    int st;
    SEQ_TRY(seq_unsqueeze(&ua, a, 1));
    SEQ_TRY(seq_unsqueeze(&ub, b, 0));
    SEQ_TRY(seq_mul(out, ua, ub));
fail:
    seq_release(ua);
    seq_release(ub);
    return st;
}
