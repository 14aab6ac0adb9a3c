/* internal.h — what the engine's op files share and nobody outside sees:
 * the autograd node and how an op records itself, strided iteration with
 * broadcasting, dtype dispatch and argument checks. */
#ifndef SEQ_INTERNAL_H
#define SEQ_INTERNAL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "seq/tensor.h"

/* ---- autograd nodes -----------------------------------------------------
 * A node is the grad_fn of exactly one output tensor.  It holds references
 * to the inputs that require grad (NULL for the others: they get no
 * gradient) and to detached aliases of whatever its backward needs.  The
 * output holds the node, the node holds earlier tensors, so the graph has
 * no cycles.  `out` is a weak back-pointer used for retain_grad. */
#define SEQ_NODE_SAVED 4
#define SEQ_NODE_IARGS (2 * SEQ_MAX_DIMS + 2)

struct seq_node;
/* Fills gin[i] (a new reference, or NULL) for every i with inputs[i] set.
 * gout is the gradient of the node's output; it is borrowed. */
typedef int (*seq_backward_fn)(struct seq_node *n, struct seq_tensor *gout,
                               struct seq_tensor **gin);

struct seq_node {
    const char *name;
    int refcount;
    int ninputs;
    struct seq_tensor **inputs;
    int nsaved;
    struct seq_tensor *saved[SEQ_NODE_SAVED];
    uint32_t saved_version[SEQ_NODE_SAVED];
    int64_t iargs[SEQ_NODE_IARGS]; /* small op arguments (dims, sizes) */
    double dargs[4];
    int in_ndim[2];                /* input shapes some backwards need */
    int64_t in_shape[2][SEQ_MAX_DIMS];
    seq_backward_fn backward;
    struct seq_tensor *gacc;       /* gradient accumulated during backward */
    struct seq_tensor *out;        /* weak */
    bool freed;                    /* saved tensors dropped after backward */
    uint64_t mark;                 /* traversal generation */
};

/* True when grad mode is on and any input requires grad. */
bool seq_should_record(int n, struct seq_tensor *const *inputs);
/* Attaches a new node to `out` (which must be a fresh result) and marks it
 * requires_grad.  Inputs that do not require grad are stored as NULL. */
int seq_record(struct seq_tensor *out, const char *name, seq_backward_fn bw,
               int n, struct seq_tensor *const *inputs,
               struct seq_node **node);
/* Saves a detached alias of t (or NULL) for the node's backward. */
int seq_node_save(struct seq_node *n, struct seq_tensor *t);
void seq_node_release(struct seq_node *n);

/* ---- construction helpers ---------------------------------------------- */
/* A new tensor struct viewing `base`'s storage (retained) with the given
 * geometry; no autograd.  */
int seq_make_view(struct seq_tensor **out, const struct seq_tensor *base,
                  int64_t offset, int ndim, const int64_t *shape,
                  const int64_t *stride);
void seq_contiguous_strides(int ndim, const int64_t *shape, int64_t *stride);
/* Checks the element count of a shape for overflow and negatives. */
int seq_check_shape(const char *op, int ndim, const int64_t *shape,
                    int64_t *numel);
/* Normalises a possibly negative dim against ndim; errors name the op. */
int seq_wrap_dim(const char *op, int dim, int ndim, int *out);
/* Refuses in-place writes that would corrupt autograd. */
int seq_check_inplace(const char *op, const struct seq_tensor *t);
void seq_bump_version(struct seq_tensor *t);

/* ---- broadcasting and strided loops ------------------------------------ */
int seq_broadcast_shapes(const char *op, int na, const int64_t *sa, int nb,
                         const int64_t *sb, int *nout, int64_t *out);
/* Strides of t seen with `ndim`/`shape` (0 where broadcast). */
void seq_broadcast_strides(const struct seq_tensor *t, int ndim,
                           const int64_t *shape, int64_t *stride);

/* An inner loop: n elements, operand k at ptr[k] advancing by step[k]
 * bytes. */
typedef void (*seq_loop_fn)(void *ctx, char **ptr, const int64_t *step,
                            int64_t n);
/* Runs `fn` over `shape` for `nops` operands, each with its own element
 * strides (already broadcast) and element size.  Dimensions are coalesced
 * so that contiguous operands see one long inner loop. */
void seq_foreach(int nops, char **base, int64_t (*strides)[SEQ_MAX_DIMS],
                 const size_t *elsize, int ndim, const int64_t *shape,
                 seq_loop_fn fn, void *ctx);

/* Sums gradient g down to `shape` (the reverse of broadcasting). */
int seq_sum_to_shape(struct seq_tensor **out, struct seq_tensor *g,
                     int ndim, const int64_t *shape);

/* Reads/writes one element of dtype dt at p as a double. */
static inline double seq_load(const void *p, enum seq_dtype dt)
{
    switch (dt) {
    case SEQ_FLOAT32: return *(const float *)p;
    case SEQ_FLOAT64: return *(const double *)p;
    default:          return (double)*(const int64_t *)p;
    }
}
static inline void seq_store(void *p, enum seq_dtype dt, double v)
{
    switch (dt) {
    case SEQ_FLOAT32: *(float *)p = (float)v; break;
    case SEQ_FLOAT64: *(double *)p = v; break;
    default:
        /* NaN and out-of-range values saturate instead of invoking UB. */
        if (v != v)
            *(int64_t *)p = 0;
        else if (v >= 9.2233720368547758e18)
            *(int64_t *)p = INT64_MAX;
        else if (v <= -9.2233720368547758e18)
            *(int64_t *)p = INT64_MIN;
        else
            *(int64_t *)p = (int64_t)v;
        break;
    }
}

/* Steal-style helpers for the goto-fail pattern. */
#define SEQ_TRY(expr)                                                         \
    do {                                                                      \
        if ((st = (expr)) != SEQ_OK)                                          \
            goto fail;                                                        \
    } while (0)

/* Grad mode scope used by backward passes. */
#define SEQ_NO_GRAD_BEGIN bool seq_prev_grad_ = seq_set_grad_enabled(false)
#define SEQ_NO_GRAD_END   seq_set_grad_enabled(seq_prev_grad_)

/* Contiguous view or copy without recording (for kernels). */
int seq_contiguous_nograd(struct seq_tensor **out, struct seq_tensor *t);
/* Conversion without recording. */
int seq_to_nograd(struct seq_tensor **out, struct seq_tensor *t,
                  enum seq_dtype dt);

/* blas.c: the only file that talks to OpenBLAS.  Row-major C = alpha *
 * op(A) op(B) + beta C with op = transpose when the flag is set. */
void seq_gemm(enum seq_dtype dt, bool ta, bool tb, int64_t m, int64_t n,
              int64_t k, double alpha, const void *a, int64_t lda,
              const void *b, int64_t ldb, double beta, void *c, int64_t ldc);
/* y = alpha op(A) x + beta y. */
void seq_gemv(enum seq_dtype dt, bool ta, int64_t m, int64_t n, double alpha,
              const void *a, int64_t lda, const void *x, int64_t incx,
              double beta, void *y, int64_t incy);

#endif
