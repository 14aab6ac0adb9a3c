/* seq/tensor.h — n-dimensional tensors (float32, float64, int64) with
 * reference-counted storage shared by views, numpy broadcasting and
 * define-by-run autograd.
 *
 * Conventions
 *  - Shapes are in PyTorch order (last dimension fastest); strides are in
 *    elements.  Dimensions and indices are 0-based here; negative ones count
 *    from the end, as in Python.  (The Lua layer converts from 1-based.)
 *  - Every function that can fail returns an int status (seq/error.h) and
 *    writes its result through the first argument, which the caller then
 *    owns (one reference; drop it with seq_release).  Inputs are borrowed.
 *  - Ops record themselves for autograd when grad mode is on and an input
 *    requires grad.  In-place functions end in an underscore and refuse to
 *    modify a tensor that autograd needs.
 *  - Element type promotion: float64 > float32 > int64.  A 0-dim tensor of
 *    the same kind (both floating, or both integer) does not promote a
 *    tensor with dimensions, as in PyTorch: float32 matrix + float64 scalar
 *    stays float32.  Comparisons return 0/1 in the promoted dtype. */
#ifndef SEQ_TENSOR_H
#define SEQ_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seq/error.h"

#define SEQ_MAX_DIMS 8
/* Pass as `dim` to a reduction to reduce over every element. */
#define SEQ_DIM_ALL  1000

enum seq_dtype { SEQ_FLOAT32 = 0, SEQ_FLOAT64 = 1, SEQ_INT64 = 2 };

struct seq_storage {
    void *data;       /* 64-byte aligned, from seq_alloc */
    int64_t nbytes;
    int refcount;
    uint32_t version; /* bumped by every in-place write */
};

struct seq_node; /* an autograd graph node, private to autograd.c */

struct seq_tensor {
    struct seq_storage *storage;
    int64_t offset; /* in elements, into storage */
    int ndim;
    int64_t shape[SEQ_MAX_DIMS];
    int64_t stride[SEQ_MAX_DIMS];
    enum seq_dtype dtype;
    int refcount;
    bool requires_grad;
    bool retains_grad;          /* non-leaf keeps .grad after backward */
    struct seq_tensor *grad;    /* owned; NULL until a backward reaches it */
    struct seq_node *grad_fn;   /* owned; NULL for leaves */
};

/* ---- dtypes ------------------------------------------------------------ */
const char *seq_dtype_name(enum seq_dtype dt); /* "float32" */
int seq_dtype_parse(enum seq_dtype *out, const char *name); /* also "f32",
                                                   "double", "long", ... */
size_t seq_dtype_size(enum seq_dtype dt);
bool seq_dtype_is_float(enum seq_dtype dt);
enum seq_dtype seq_promote(const struct seq_tensor *a,
                           const struct seq_tensor *b);

/* ---- lifetime ---------------------------------------------------------- */
struct seq_tensor *seq_retain(struct seq_tensor *t); /* NULL-safe */
void seq_release(struct seq_tensor *t);              /* NULL-safe */

/* ---- creation ---------------------------------------------------------- */
int seq_empty(struct seq_tensor **out, enum seq_dtype dt, int ndim,
              const int64_t *shape); /* zero-filled */
int seq_zeros(struct seq_tensor **out, enum seq_dtype dt, int ndim,
              const int64_t *shape);
int seq_ones(struct seq_tensor **out, enum seq_dtype dt, int ndim,
             const int64_t *shape);
int seq_full(struct seq_tensor **out, enum seq_dtype dt, int ndim,
             const int64_t *shape, double value);
int seq_scalar(struct seq_tensor **out, enum seq_dtype dt, double value);
/* [start, end) in steps of `step`, like torch.arange. */
int seq_arange(struct seq_tensor **out, enum seq_dtype dt, double start,
               double end, double step);
int seq_linspace(struct seq_tensor **out, enum seq_dtype dt, double start,
                 double end, int64_t steps);
int seq_eye(struct seq_tensor **out, enum seq_dtype dt, int64_t n,
            int64_t m);
/* Copies numel elements of type `dt` from `data` (C order). */
int seq_from_buffer(struct seq_tensor **out, enum seq_dtype dt, int ndim,
                    const int64_t *shape, const void *data);
int seq_zeros_like(struct seq_tensor **out, const struct seq_tensor *t);
int seq_ones_like(struct seq_tensor **out, const struct seq_tensor *t);

/* ---- inspection -------------------------------------------------------- */
int64_t seq_numel(const struct seq_tensor *t);
bool seq_is_contiguous(const struct seq_tensor *t);
bool seq_same_shape(const struct seq_tensor *a, const struct seq_tensor *b);
/* Pointer to element 0 of the view. */
void *seq_data(const struct seq_tensor *t);
/* Writes "(5,3)" into buf; returns buf. */
char *seq_shape_str(char *buf, size_t n, int ndim, const int64_t *shape);
#define SEQ_SHAPE_BUF 96
/* Element access by a full index (negative entries count from the end). */
int seq_get(double *out, const struct seq_tensor *t, const int64_t *index);
int seq_set(struct seq_tensor *t, const int64_t *index, double value);
/* The value of a one-element tensor. */
int seq_item(double *out, const struct seq_tensor *t);
/* Copies the elements (C order, converted to dt) into buf of numel items. */
int seq_copy_out(void *buf, enum seq_dtype dt, const struct seq_tensor *t);

/* ---- copies and conversion (differentiable) ---------------------------- */
/* Returns t itself (retained) when already contiguous. */
int seq_contiguous(struct seq_tensor **out, struct seq_tensor *t);
int seq_clone(struct seq_tensor **out, struct seq_tensor *t);
int seq_to(struct seq_tensor **out, struct seq_tensor *t, enum seq_dtype dt);
/* Shares storage, no grad_fn, requires_grad false. */
int seq_detach(struct seq_tensor **out, struct seq_tensor *t);

/* ---- views and shape ops (differentiable) ------------------------------ */
/* A view with a new shape; one entry may be -1.  Fails if the strides do
 * not allow a view (use seq_reshape). */
int seq_view(struct seq_tensor **out, struct seq_tensor *t, int ndim,
             const int64_t *shape);
/* A view when possible, otherwise a contiguous copy. */
int seq_reshape(struct seq_tensor **out, struct seq_tensor *t, int ndim,
                const int64_t *shape);
int seq_flatten(struct seq_tensor **out, struct seq_tensor *t);
int seq_transpose(struct seq_tensor **out, struct seq_tensor *t, int d0,
                  int d1);
int seq_permute(struct seq_tensor **out, struct seq_tensor *t,
                const int *perm);
/* Elements start, start+step, ... < end along dim (Python slice rules:
 * negative start/end count from the end and are clamped; step >= 1). */
int seq_slice(struct seq_tensor **out, struct seq_tensor *t, int dim,
              int64_t start, int64_t end, int64_t step);
int seq_narrow(struct seq_tensor **out, struct seq_tensor *t, int dim,
               int64_t start, int64_t length);
/* Removes dim, taking element `index` (negative counts from the end). */
int seq_select(struct seq_tensor **out, struct seq_tensor *t, int dim,
               int64_t index);
/* dim == SEQ_DIM_ALL removes every size-1 dimension. */
int seq_squeeze(struct seq_tensor **out, struct seq_tensor *t, int dim);
int seq_unsqueeze(struct seq_tensor **out, struct seq_tensor *t, int dim);
/* Broadcast view; -1 keeps a size; new leading dims allowed. */
int seq_expand(struct seq_tensor **out, struct seq_tensor *t, int ndim,
               const int64_t *shape);
int seq_cat(struct seq_tensor **out, int n, struct seq_tensor *const *ts,
            int dim);
int seq_stack(struct seq_tensor **out, int n, struct seq_tensor *const *ts,
              int dim);
/* Views of at most `size` along dim; *nout pieces written to outs (which
 * must hold max_out entries). */
int seq_split(struct seq_tensor **outs, int max_out, int *nout,
              struct seq_tensor *t, int64_t size, int dim);
int seq_chunk(struct seq_tensor **outs, int max_out, int *nout,
              struct seq_tensor *t, int64_t chunks, int dim);

/* ---- indexing (differentiable w.r.t. the non-index inputs) ------------- */
/* index: 1-D int64. */
int seq_index_select(struct seq_tensor **out, struct seq_tensor *t, int dim,
                     const struct seq_tensor *index);
/* index: int64 with t's ndim; out[i][j] = t[index[i][j]][j] for dim 0. */
int seq_gather(struct seq_tensor **out, struct seq_tensor *t, int dim,
               const struct seq_tensor *index);
/* Out-of-place: out = t, then out[index[i][j]][j] += src[i][j] (dim 0). */
int seq_scatter_add(struct seq_tensor **out, struct seq_tensor *t, int dim,
                    const struct seq_tensor *index, struct seq_tensor *src);
/* mask broadcasts to t; non-zero entries are replaced by value. */
int seq_masked_fill(struct seq_tensor **out, struct seq_tensor *t,
                    const struct seq_tensor *mask, double value);
/* index: int64 of any shape; out has one more trailing dim of size n. */
int seq_one_hot(struct seq_tensor **out, const struct seq_tensor *index,
                int64_t num_classes, enum seq_dtype dt);
/* cond non-zero -> a else b, all three broadcast together. */
int seq_where(struct seq_tensor **out, const struct seq_tensor *cond,
              struct seq_tensor *a, struct seq_tensor *b);

/* ---- elementwise (differentiable, numpy broadcasting) ------------------ */
enum seq_binop {
    SEQ_OP_ADD, SEQ_OP_SUB, SEQ_OP_MUL, SEQ_OP_DIV, SEQ_OP_POW,
    SEQ_OP_MAXIMUM, SEQ_OP_MINIMUM,
    SEQ_OP_EQ, SEQ_OP_NE, SEQ_OP_LT, SEQ_OP_LE, SEQ_OP_GT, SEQ_OP_GE,
};
enum seq_unop {
    SEQ_OP_NEG, SEQ_OP_EXP, SEQ_OP_LOG, SEQ_OP_SQRT, SEQ_OP_ABS,
    SEQ_OP_TANH, SEQ_OP_SIGMOID, SEQ_OP_RELU, SEQ_OP_SIGN, SEQ_OP_SQUARE,
};
int seq_binary(struct seq_tensor **out, enum seq_binop op,
               struct seq_tensor *a, struct seq_tensor *b);
/* a op s (or s op a when scalar_first); s takes a's kind (PyTorch's
 * wrapped-number rule: float32 tensor + 0.5 is float32). */
int seq_binary_scalar(struct seq_tensor **out, enum seq_binop op,
                      struct seq_tensor *a, double s, bool scalar_first);
int seq_unary(struct seq_tensor **out, enum seq_unop op,
              struct seq_tensor *a);
int seq_add(struct seq_tensor **out, struct seq_tensor *a,
            struct seq_tensor *b);
int seq_sub(struct seq_tensor **out, struct seq_tensor *a,
            struct seq_tensor *b);
int seq_mul(struct seq_tensor **out, struct seq_tensor *a,
            struct seq_tensor *b);
int seq_div(struct seq_tensor **out, struct seq_tensor *a,
            struct seq_tensor *b);
int seq_pow(struct seq_tensor **out, struct seq_tensor *a,
            struct seq_tensor *b);
int seq_maximum(struct seq_tensor **out, struct seq_tensor *a,
                struct seq_tensor *b);
int seq_minimum(struct seq_tensor **out, struct seq_tensor *a,
                struct seq_tensor *b);
int seq_neg(struct seq_tensor **out, struct seq_tensor *a);
int seq_exp(struct seq_tensor **out, struct seq_tensor *a);
int seq_log(struct seq_tensor **out, struct seq_tensor *a);
int seq_sqrt(struct seq_tensor **out, struct seq_tensor *a);
int seq_abs(struct seq_tensor **out, struct seq_tensor *a);
int seq_tanh(struct seq_tensor **out, struct seq_tensor *a);
int seq_sigmoid(struct seq_tensor **out, struct seq_tensor *a);
int seq_relu(struct seq_tensor **out, struct seq_tensor *a);
/* NAN for lo or hi means "no bound". */
int seq_clamp(struct seq_tensor **out, struct seq_tensor *a, double lo,
              double hi);

/* ---- reductions (differentiable) --------------------------------------- */
/* dim may be SEQ_DIM_ALL (keepdim then keeps every dim as size 1). */
int seq_sum(struct seq_tensor **out, struct seq_tensor *t, int dim,
            bool keepdim);
int seq_mean(struct seq_tensor **out, struct seq_tensor *t, int dim,
             bool keepdim);
/* values and/or indices (either may be NULL; indices are int64 and need a
 * real dim).  Ties pick the first index, as numpy does. */
int seq_max(struct seq_tensor **values, struct seq_tensor **indices,
            struct seq_tensor *t, int dim, bool keepdim);
int seq_min(struct seq_tensor **values, struct seq_tensor **indices,
            struct seq_tensor *t, int dim, bool keepdim);
/* Over all elements (dim == SEQ_DIM_ALL) gives the flat index. */
int seq_argmax(struct seq_tensor **out, struct seq_tensor *t, int dim,
               bool keepdim);
int seq_argmin(struct seq_tensor **out, struct seq_tensor *t, int dim,
               bool keepdim);
/* correction: 1 for the unbiased (PyTorch default), 0 for numpy's. */
int seq_var(struct seq_tensor **out, struct seq_tensor *t, int dim,
            int correction, bool keepdim);
int seq_std(struct seq_tensor **out, struct seq_tensor *t, int dim,
            int correction, bool keepdim);
/* p-norm; p = INFINITY for the max-norm. */
int seq_norm(struct seq_tensor **out, struct seq_tensor *t, double p,
             int dim, bool keepdim);
int seq_cumsum(struct seq_tensor **out, struct seq_tensor *t, int dim);
int seq_logsumexp(struct seq_tensor **out, struct seq_tensor *t, int dim,
                  bool keepdim);
int seq_softmax(struct seq_tensor **out, struct seq_tensor *t, int dim);
int seq_log_softmax(struct seq_tensor **out, struct seq_tensor *t, int dim);

/* ---- linear algebra (differentiable) ----------------------------------- */
/* numpy/PyTorch matmul: 1-D x 1-D dot, 2-D, and batched with broadcast
 * batch dims.  GEMMs go through blas.c with transposes as flags. */
int seq_matmul(struct seq_tensor **out, struct seq_tensor *a,
               struct seq_tensor *b);
int seq_outer(struct seq_tensor **out, struct seq_tensor *a,
              struct seq_tensor *b);

/* ---- losses (differentiable) ------------------------------------------- */
enum seq_reduction { SEQ_REDUCE_MEAN, SEQ_REDUCE_SUM, SEQ_REDUCE_NONE };
/* logp (N, C) or (C); target int64 (N) or scalar.  Targets equal to
 * ignore_index contribute nothing and are left out of the mean. */
int seq_nll_loss(struct seq_tensor **out, struct seq_tensor *logp,
                 const struct seq_tensor *target, int64_t ignore_index,
                 enum seq_reduction red);
/* log_softmax over the class dim (dim 1, or 0 for 1-D) + nll_loss. */
int seq_cross_entropy(struct seq_tensor **out, struct seq_tensor *logits,
                      const struct seq_tensor *target, int64_t ignore_index,
                      enum seq_reduction red);

/* ---- in-place (not recorded; refused on tensors autograd needs) -------- */
int seq_fill_(struct seq_tensor *t, double value);
/* dst = src (broadcast, converting dtype). */
int seq_copy_(struct seq_tensor *dst, const struct seq_tensor *src);
/* dst += alpha * src (broadcast). */
int seq_add_(struct seq_tensor *dst, const struct seq_tensor *src,
             double alpha);
int seq_mul_scalar_(struct seq_tensor *dst, double s);

/* ---- runtime ----------------------------------------------------------- */
/* OpenBLAS's thread pool is the engine's only one. */
void seq_set_num_threads(int n);
int seq_get_num_threads(void);
const char *seq_blas_info(void); /* OpenBLAS build configuration */

/* ---- autograd ---------------------------------------------------------- */
bool seq_grad_enabled(void);
/* Returns the previous mode (for a no_grad scope: save, set false, restore). */
bool seq_set_grad_enabled(bool on);
/* Only floating leaves may require grad. */
int seq_set_requires_grad(struct seq_tensor *t, bool on);
int seq_retain_grad(struct seq_tensor *t);
/* Backpropagates from root.  grad may be NULL for a one-element root.
 * Without retain_graph the graph's saved tensors are freed and a second
 * backward through it fails with SEQ_EGRAD. */
int seq_backward(struct seq_tensor *root, struct seq_tensor *grad,
                 bool retain_graph);
/* Drops t->grad. */
void seq_zero_grad(struct seq_tensor *t);
/* The name of the op that made t ("MulBackward"), or NULL for a leaf. */
const char *seq_grad_fn_name(const struct seq_tensor *t);

#endif
