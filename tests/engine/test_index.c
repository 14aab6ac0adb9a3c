/* test_index.c — cat, stack, split, chunk, index_select, gather,
 * scatter_add, masked_fill, one_hot and where: values, shapes, dtypes,
 * every error, and gradients (hand-computed vector-Jacobian products plus
 * central differences in float64).  Expected values were worked out by hand
 * and checked with numpy.  Each test's tensors are released in the
 * teardown, which also fails the test if engine memory leaked. */
#include "testutil.h"

#include <stdlib.h>

/* ---- fixture: tensors a test made, released in the teardown ----------- */

#define MAX_KEPT 96

static struct seq_tensor *kept[MAX_KEPT];
static int nkept;
static int64_t live_before;

static struct seq_tensor *keep(struct seq_tensor *t)
{
    if (nkept == MAX_KEPT)
        fail_msg("test keeps more than %d tensors", MAX_KEPT);
    kept[nkept++] = t;
    return t;
}

static int setup(void **state)
{
    struct seq_memstats m;
    (void)state;
    nkept = 0;
    seq_set_grad_enabled(true);
    seq_memory(&m);
    live_before = m.live_bytes;
    return 0;
}

static int teardown(void **state)
{
    struct seq_memstats m;
    (void)state;
    for (int i = 0; i < nkept; i++)
        seq_release(kept[i]);
    nkept = 0;
    seq_set_grad_enabled(true);
    seq_memory(&m);
    if (m.live_bytes != live_before) {
        fprintf(stderr, "leak: %lld bytes still live after the test\n",
                (long long)(m.live_bytes - live_before));
        return -1;
    }
    return 0;
}

/* Runs an engine call that writes `out` and keeps the result. */
#define RUN(out, call)                                                         \
    do {                                                                       \
        (out) = NULL;                                                          \
        assert_ok(call);                                                       \
        keep(out);                                                             \
    } while (0)

/* clang-format off */
#define VALS(...)  (double[]){__VA_ARGS__}
/* clang-format on */
#define NVALS(...) ((int64_t)(sizeof((double[]){__VA_ARGS__}) / sizeof(double)))

/* A kept tensor of the given dtype, shape and values. */
static struct seq_tensor *tensor(enum seq_dtype dt, int ndim,
                                 const int64_t *shape, const double *values)
{
    return keep(tensor_of(dt, ndim, shape, values));
}

static struct seq_tensor *f64(int ndim, const int64_t *shape,
                              const double *values)
{
    return tensor(SEQ_FLOAT64, ndim, shape, values);
}

static struct seq_tensor *i64(int ndim, const int64_t *shape,
                              const double *values)
{
    return tensor(SEQ_INT64, ndim, shape, values);
}

/* 0, 1, 2, ... as a float64 tensor of the given shape. */
static struct seq_tensor *arange_f64(int ndim, const int64_t *shape)
{
    struct seq_tensor *flat, *t;
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    RUN(flat, seq_arange(&flat, SEQ_FLOAT64, 0, (double)n, 1));
    RUN(t, seq_reshape(&t, flat, ndim, shape));
    return t;
}

static struct seq_tensor *leaf(struct seq_tensor *t)
{
    assert_ok(seq_set_requires_grad(t, true));
    return t;
}

/* Backpropagates the gradient r (out's shape, C order) from out: the same
 * as backward of sum(out * r), so each .grad is a vector-Jacobian product. */
static void backprop(struct seq_tensor *out, const double *r)
{
    struct seq_tensor *g = f64(out->ndim, out->shape, r);
    assert_ok(seq_backward(out, g, false));
}

#define assert_close_values(t, ...)                                                  \
    assert_tensor_close((t), VALS(__VA_ARGS__), NVALS(__VA_ARGS__), 1e-12,     \
                        1e-12)

/* ---- central differences ----------------------------------------------- */

/* One differentiable op of x with everything else fixed in ctx. */
typedef int (*op_of_x)(struct seq_tensor **out, struct seq_tensor *x,
                       void *ctx);

/* Fixed, distinct weights so that no two output elements look alike. */
static double weight(int64_t i)
{
    return 0.5 + 0.25 * (double)((i * 7) % 11);
}

static double weighted_sum(op_of_x op, struct seq_tensor *x, void *ctx)
{
    struct seq_tensor *y = NULL;
    assert_ok(op(&y, x, ctx));
    int64_t n = seq_numel(y);
    double *v = malloc(sizeof(double) * (size_t)(n ? n : 1)), s = 0;
    assert_non_null(v);
    int st = seq_copy_out(v, SEQ_FLOAT64, y);
    seq_release(y);
    assert_int_equal(st, SEQ_OK);
    for (int64_t i = 0; i < n; i++)
        s += weight(i) * v[i];
    free(v);
    return s;
}

/* Checks x's gradient of sum(op(x) * w) from backward against central
 * differences; x is a contiguous float64 tensor that does not yet require
 * grad. */
static void gradcheck(op_of_x op, struct seq_tensor *x, void *ctx)
{
    const double h = 1e-4;
    struct seq_tensor *y;
    leaf(x);
    RUN(y, op(&y, x, ctx));
    int64_t ny = seq_numel(y), nx = seq_numel(x);
    double *w = malloc(sizeof(double) * (size_t)(ny ? ny : 1));
    double *ana = malloc(sizeof(double) * (size_t)(nx ? nx : 1));
    assert_non_null(w);
    assert_non_null(ana);
    for (int64_t i = 0; i < ny; i++)
        w[i] = weight(i);
    struct seq_tensor *g = f64(y->ndim, y->shape, w);
    free(w);
    assert_ok(seq_backward(y, g, false));
    assert_non_null(x->grad);
    assert_ok(seq_copy_out(ana, SEQ_FLOAT64, x->grad));

    bool prev = seq_set_grad_enabled(false);
    for (int64_t k = 0; k < nx; k++) {
        int64_t idx[SEQ_MAX_DIMS], rest = k;
        for (int d = x->ndim - 1; d >= 0; d--) {
            idx[d] = rest % x->shape[d];
            rest /= x->shape[d];
        }
        double x0;
        assert_ok(seq_get(&x0, x, idx));
        assert_ok(seq_set(x, idx, x0 + h));
        double fp = weighted_sum(op, x, ctx);
        assert_ok(seq_set(x, idx, x0 - h));
        double fm = weighted_sum(op, x, ctx);
        assert_ok(seq_set(x, idx, x0));
        double num = (fp - fm) / (2 * h);
        if (fabs(num - ana[k]) > 1e-7 * (1 + fabs(num))) {
            double a = ana[k];
            free(ana);
            seq_set_grad_enabled(prev);
            fail_msg("element %lld: backward gives %.10g, differences %.10g",
                     (long long)k, a, num);
        }
    }
    seq_set_grad_enabled(prev);
    free(ana);
}

/* ---- cat --------------------------------------------------------------- */

static void test_cat_joins_rows_along_dim_0(void **state)
{
    struct seq_tensor *a = arange_f64(2, SHAPE(2, 3));
    struct seq_tensor *b = f64(2, SHAPE(1, 3), VALS(6, 7, 8)), *r;
    RUN(r, seq_cat(&r, 2, (struct seq_tensor *[]){a, b}, 0));
    assert_shape(r, 2, SHAPE(3, 3));
    assert_close_values(r, 0, 1, 2, 3, 4, 5, 6, 7, 8);
}

static void test_cat_joins_columns_along_a_negative_dim(void **state)
{
    struct seq_tensor *a = f64(2, SHAPE(2, 2), VALS(1, 2, 3, 4));
    struct seq_tensor *b = f64(2, SHAPE(2, 1), VALS(5, 6)), *r;
    RUN(r, seq_cat(&r, 2, (struct seq_tensor *[]){a, b}, -1));
    assert_shape(r, 2, SHAPE(2, 3));
    assert_close_values(r, 1, 2, 5, 3, 4, 6);
}

static void test_cat_reads_strided_inputs(void **state)
{
    /* a.T = [[0,2,4],[1,3,5]] */
    struct seq_tensor *a = arange_f64(2, SHAPE(3, 2)), *at, *r;
    RUN(at, seq_transpose(&at, a, 0, 1));
    RUN(r, seq_cat(&r, 2, (struct seq_tensor *[]){at, at}, 1));
    assert_shape(r, 2, SHAPE(2, 6));
    assert_close_values(r, 0, 2, 4, 0, 2, 4, 1, 3, 5, 1, 3, 5);
}

static void test_cat_promotes_to_the_common_dtype(void **state)
{
    struct seq_tensor *i = i64(1, SHAPE(2), VALS(1, 2));
    struct seq_tensor *f = tensor(SEQ_FLOAT32, 1, SHAPE(1), VALS(0.5));
    struct seq_tensor *d = f64(1, SHAPE(1), VALS(2.25)), *r1, *r2;
    RUN(r1, seq_cat(&r1, 2, (struct seq_tensor *[]){i, f}, 0));
    assert_int_equal(r1->dtype, SEQ_FLOAT32);
    assert_close_values(r1, 1, 2, 0.5);
    RUN(r2, seq_cat(&r2, 3, (struct seq_tensor *[]){f, i, d}, 0));
    assert_int_equal(r2->dtype, SEQ_FLOAT64);
    assert_close_values(r2, 0.5, 1, 2, 2.25);
}

static void test_cat_copies_int64_values_exactly(void **state)
{
    int64_t big[2] = {((int64_t)1 << 53) + 1, INT64_MAX}, got[3];
    struct seq_tensor *a = NULL, *b = i64(1, SHAPE(1), VALS(-7)), *r;
    assert_ok(seq_from_buffer(&a, SEQ_INT64, 1, SHAPE(2), big));
    keep(a);
    RUN(r, seq_cat(&r, 2, (struct seq_tensor *[]){a, b}, 0));
    assert_int_equal(r->dtype, SEQ_INT64);
    assert_ok(seq_copy_out(got, SEQ_INT64, r));
    assert_true(got[0] == big[0]);
    assert_true(got[1] == INT64_MAX);
    assert_true(got[2] == -7);
}

static void test_cat_skips_empty_1d_tensors_like_pytorch(void **state)
{
    struct seq_tensor *e, *a = f64(2, SHAPE(2, 2), VALS(1, 2, 3, 4)), *r;
    RUN(e, seq_zeros(&e, SEQ_FLOAT64, 1, SHAPE(0)));
    leaf(e);
    RUN(r, seq_cat(&r, 3, (struct seq_tensor *[]){e, a, e}, 1));
    assert_shape(r, 2, SHAPE(2, 2));
    assert_close_values(r, 1, 2, 3, 4);
    backprop(r, VALS(1, 1, 1, 1));
    assert_shape(e->grad, 1, SHAPE(0));
}

static void test_cat_rejects_an_empty_list(void **state)
{
    struct seq_tensor *r = NULL;
    assert_fails(seq_cat(&r, 0, NULL, 0), SEQ_EINVAL, "cat: expected a non");
    assert_null(r);
}

static void test_cat_rejects_sizes_that_differ_outside_dim(void **state)
{
    struct seq_tensor *a = arange_f64(2, SHAPE(2, 3));
    struct seq_tensor *b = arange_f64(2, SHAPE(2, 4)), *r = NULL;
    assert_fails(seq_cat(&r, 2, (struct seq_tensor *[]){a, b}, 0), SEQ_ESHAPE,
                 "cat: tensor 1 has shape (2,4) but tensor 0 has shape (2,3)");
    assert_null(r);
}

static void test_cat_rejects_tensors_of_different_ndim(void **state)
{
    struct seq_tensor *a = arange_f64(2, SHAPE(2, 3));
    struct seq_tensor *b = arange_f64(1, SHAPE(3)), *r = NULL;
    assert_fails(seq_cat(&r, 2, (struct seq_tensor *[]){a, b}, 0), SEQ_ESHAPE,
                 "tensor 1 has shape (3)");
}

static void test_cat_rejects_zero_dim_tensors_and_bad_dims(void **state)
{
    struct seq_tensor *s, *a = arange_f64(2, SHAPE(2, 3)), *r = NULL;
    RUN(s, seq_scalar(&s, SEQ_FLOAT64, 1));
    assert_fails(seq_cat(&r, 2, (struct seq_tensor *[]){a, s}, 0), SEQ_ESHAPE,
                 "cat: tensor 1 is 0-d");
    assert_fails(seq_cat(&r, 1, &a, 2), SEQ_EINDEX, "cat: dimension 2");
    assert_fails(seq_cat(&r, 1, &a, -3), SEQ_EINDEX, "cat: dimension -3");
    assert_null(r);
}

static void test_cat_backward_gives_each_input_its_slice(void **state)
{
    struct seq_tensor *a = leaf(arange_f64(2, SHAPE(2, 3)));
    struct seq_tensor *b = leaf(arange_f64(2, SHAPE(2, 2))), *r;
    struct seq_tensor *c = arange_f64(2, SHAPE(2, 1)); /* no grad */
    RUN(r, seq_cat(&r, 3, (struct seq_tensor *[]){a, c, b}, 1));
    assert_string_equal(seq_grad_fn_name(r), "CatBackward");
    backprop(r, VALS(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
    assert_close_values(a->grad, 1, 2, 3, 7, 8, 9);
    assert_close_values(b->grad, 5, 6, 11, 12);
    assert_null(c->grad);
}

static void test_cat_backward_converts_to_each_inputs_dtype(void **state)
{
    struct seq_tensor *a = tensor(SEQ_FLOAT32, 1, SHAPE(2), VALS(1, 2));
    struct seq_tensor *b = f64(1, SHAPE(1), VALS(3)), *e, *r;
    RUN(e, seq_zeros(&e, SEQ_FLOAT64, 1, SHAPE(0)));
    leaf(a);
    leaf(e);
    RUN(r, seq_cat(&r, 3, (struct seq_tensor *[]){a, e, b}, 0));
    assert_int_equal(r->dtype, SEQ_FLOAT64);
    backprop(r, VALS(0.5, 0.25, 4));
    assert_int_equal(a->grad->dtype, SEQ_FLOAT32);
    assert_close_values(a->grad, 0.5, 0.25);
    assert_shape(e->grad, 1, SHAPE(0));
}

struct cat_ctx {
    struct seq_tensor *other;
    int dim;
};

static int cat_op(struct seq_tensor **out, struct seq_tensor *x, void *vctx)
{
    struct cat_ctx *c = vctx;
    return seq_cat(out, 3, (struct seq_tensor *[]){c->other, x, c->other},
                   c->dim);
}

static void test_cat_gradient_matches_central_differences(void **state)
{
    struct cat_ctx c = {arange_f64(3, SHAPE(2, 1, 3)), 1};
    gradcheck(cat_op, arange_f64(3, SHAPE(2, 2, 3)), &c);
}

/* ---- stack ------------------------------------------------------------- */

static void test_stack_adds_a_new_leading_dim(void **state)
{
    struct seq_tensor *a = f64(1, SHAPE(2), VALS(1, 2));
    struct seq_tensor *b = f64(1, SHAPE(2), VALS(3, 4)), *r;
    RUN(r, seq_stack(&r, 2, (struct seq_tensor *[]){a, b}, 0));
    assert_shape(r, 2, SHAPE(2, 2));
    assert_close_values(r, 1, 2, 3, 4);
}

static void test_stack_with_dim_minus_1_adds_a_last_dim(void **state)
{
    struct seq_tensor *a = f64(1, SHAPE(2), VALS(1, 2));
    struct seq_tensor *b = i64(1, SHAPE(2), VALS(3, 4)), *r;
    struct seq_tensor *c = f64(1, SHAPE(2), VALS(5, 6));
    RUN(r, seq_stack(&r, 3, (struct seq_tensor *[]){a, b, c}, -1));
    assert_shape(r, 2, SHAPE(2, 3));
    assert_int_equal(r->dtype, SEQ_FLOAT64);
    assert_close_values(r, 1, 3, 5, 2, 4, 6);
}

static void test_stack_rejects_unequal_shapes_naming_the_first(void **state)
{
    struct seq_tensor *a = arange_f64(1, SHAPE(2)),
                      *b = arange_f64(1, SHAPE(3));
    struct seq_tensor *r = NULL;
    assert_fails(seq_stack(&r, 3, (struct seq_tensor *[]){a, a, b}, 0),
                 SEQ_ESHAPE,
                 "stack: tensor 2 has shape (3) but tensor 0 has shape (2)");
    assert_fails(seq_stack(&r, 0, NULL, 0), SEQ_EINVAL, "stack: expected");
    assert_fails(seq_stack(&r, 1, &a, 2), SEQ_EINDEX, "stack: dimension 2");
    assert_null(r);
}

static void test_stack_backward_unstacks_the_gradient(void **state)
{
    struct seq_tensor *a = leaf(f64(1, SHAPE(2), VALS(1, 2)));
    struct seq_tensor *b = leaf(f64(1, SHAPE(2), VALS(3, 4))), *r;
    RUN(r, seq_stack(&r, 2, (struct seq_tensor *[]){a, b}, 1));
    backprop(r, VALS(1, 2, 3, 4));
    assert_close_values(a->grad, 1, 3);
    assert_close_values(b->grad, 2, 4);
}

/* ---- split / chunk ----------------------------------------------------- */

static void test_split_leaves_the_remainder_in_the_last_piece(void **state)
{
    struct seq_tensor *t = arange_f64(2, SHAPE(2, 5)), *p[4];
    int n = 0;
    assert_ok(seq_split(p, 4, &n, t, 2, -1));
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++)
        keep(p[i]);
    assert_shape(p[0], 2, SHAPE(2, 2));
    assert_shape(p[2], 2, SHAPE(2, 1));
    assert_close_values(p[1], 2, 3, 7, 8);
    assert_close_values(p[2], 4, 9);
    /* Pieces are views of t's storage. */
    assert_ptr_equal(p[1]->storage, t->storage);
}

static void test_split_size_beyond_the_dim_gives_one_piece(void **state)
{
    struct seq_tensor *t = arange_f64(1, SHAPE(5)), *e, *p[2];
    int n = 0;
    assert_ok(seq_split(p, 2, &n, t, 7, 0));
    assert_int_equal(n, 1);
    keep(p[0]);
    assert_close_values(p[0], 0, 1, 2, 3, 4);
    /* An empty dim splits into one empty piece, even with size 0. */
    RUN(e, seq_zeros(&e, SEQ_FLOAT64, 2, SHAPE(0, 3)));
    assert_ok(seq_split(p, 2, &n, e, 0, 0));
    assert_int_equal(n, 1);
    keep(p[0]);
    assert_shape(p[0], 2, SHAPE(0, 3));
}

static void test_split_rejects_too_few_outputs_and_bad_sizes(void **state)
{
    struct seq_tensor *t = arange_f64(1, SHAPE(5)), *s, *p[2] = {NULL, NULL};
    int n = -1;
    assert_fails(seq_split(p, 2, &n, t, 2, 0), SEQ_EINVAL,
                 "split: 3 pieces do not fit in 2 outputs");
    assert_int_equal(n, 0);
    assert_null(p[0]);
    assert_fails(seq_split(p, 2, &n, t, 0, 0), SEQ_EINVAL,
                 "split: size must be positive");
    assert_fails(seq_split(p, 2, &n, t, -1, 0), SEQ_EINVAL, "got -1");
    assert_fails(seq_split(p, 2, &n, t, 2, 1), SEQ_EINDEX,
                 "split: dimension 1");
    RUN(s, seq_scalar(&s, SEQ_FLOAT64, 1));
    assert_fails(seq_split(p, 2, &n, s, 1, 0), SEQ_ESHAPE, "0-d");
    assert_null(p[0]);
}

static void test_chunk_uses_pieces_of_ceil_n_over_chunks(void **state)
{
    struct seq_tensor *t5 = arange_f64(1, SHAPE(5)), *p[4];
    struct seq_tensor *t6 = arange_f64(1, SHAPE(6));
    int n = 0;
    /* 5 in 4 chunks: pieces of 2 -> 2, 2, 1 (three pieces, as PyTorch) */
    assert_ok(seq_chunk(p, 4, &n, t5, 4, 0));
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++)
        keep(p[i]);
    assert_close_values(p[0], 0, 1);
    assert_close_values(p[2], 4);
    /* 6 in 4 chunks: pieces of 2 -> 2, 2, 2 */
    assert_ok(seq_chunk(p, 4, &n, t6, 4, -1));
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++)
        keep(p[i]);
    assert_close_values(p[2], 4, 5);
}

static void test_chunk_of_an_empty_dim_gives_chunks_empty_pieces(void **state)
{
    struct seq_tensor *e, *p[3];
    int n = 0;
    RUN(e, seq_zeros(&e, SEQ_FLOAT32, 2, SHAPE(3, 0)));
    assert_ok(seq_chunk(p, 3, &n, e, 3, 1));
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++) {
        keep(p[i]);
        assert_shape(p[i], 2, SHAPE(3, 0));
    }
}

static void test_chunk_rejects_nonpositive_chunks_and_few_outputs(void **state)
{
    struct seq_tensor *t = arange_f64(1, SHAPE(6)), *p[2] = {NULL, NULL};
    int n = -1;
    assert_fails(seq_chunk(p, 2, &n, t, 0, 0), SEQ_EINVAL,
                 "chunk: chunks must be positive, got 0");
    assert_fails(seq_chunk(p, 2, &n, t, 3, 0), SEQ_EINVAL,
                 "chunk: 3 pieces do not fit in 2 outputs");
    assert_int_equal(n, 0);
    assert_null(p[0]);
}

static void test_split_pieces_carry_gradient_to_their_slice(void **state)
{
    struct seq_tensor *t = leaf(arange_f64(1, SHAPE(5))), *p[3];
    int n = 0;
    assert_ok(seq_split(p, 3, &n, t, 2, 0));
    for (int i = 0; i < n; i++)
        keep(p[i]);
    backprop(p[1], VALS(1, 2));
    assert_close_values(t->grad, 0, 0, 1, 2, 0);
}

/* ---- index_select ------------------------------------------------------ */

static void test_index_select_picks_rows_with_repeats(void **state)
{
    struct seq_tensor *t = arange_f64(2, SHAPE(5, 3)), *r;
    struct seq_tensor *idx = i64(1, SHAPE(3), VALS(4, 0, 4));
    RUN(r, seq_index_select(&r, t, 0, idx));
    assert_shape(r, 2, SHAPE(3, 3));
    assert_close_values(r, 12, 13, 14, 0, 1, 2, 12, 13, 14);
}

static void test_index_select_along_a_negative_dim(void **state)
{
    struct seq_tensor *t = f64(2, SHAPE(2, 3), VALS(1, 2, 3, 4, 5, 6)), *r;
    struct seq_tensor *idx = i64(1, SHAPE(2), VALS(2, 0));
    RUN(r, seq_index_select(&r, t, -1, idx));
    assert_shape(r, 2, SHAPE(2, 2));
    assert_close_values(r, 3, 1, 6, 4);
}

static void test_index_select_copies_every_dtype_and_strides(void **state)
{
    int64_t big[3] = {INT64_MAX, -5, ((int64_t)1 << 60) + 3}, got[2];
    struct seq_tensor *ti = NULL, *tf, *a, *at, *r1, *r2, *r3;
    struct seq_tensor *idx = i64(1, SHAPE(2), VALS(2, 0));
    assert_ok(seq_from_buffer(&ti, SEQ_INT64, 1, SHAPE(3), big));
    keep(ti);
    RUN(r1, seq_index_select(&r1, ti, 0, idx));
    assert_int_equal(r1->dtype, SEQ_INT64);
    assert_ok(seq_copy_out(got, SEQ_INT64, r1));
    assert_true(got[0] == big[2] && got[1] == INT64_MAX);

    tf = tensor(SEQ_FLOAT32, 1, SHAPE(3), VALS(0.5, 1.5, 2.5));
    RUN(r2, seq_index_select(&r2, tf, 0, idx));
    assert_int_equal(r2->dtype, SEQ_FLOAT32);
    assert_close_values(r2, 2.5, 0.5);

    /* a.T = [[0,2,4],[1,3,5]]; the index is itself a strided view */
    a = arange_f64(2, SHAPE(3, 2));
    RUN(at, seq_transpose(&at, a, 0, 1));
    struct seq_tensor *i2 = i64(2, SHAPE(2, 2), VALS(1, 9, 2, 9)), *icol;
    RUN(icol, seq_select(&icol, i2, 1, 0)); /* [1, 2], stride 2 */
    RUN(r3, seq_index_select(&r3, at, 1, icol));
    assert_close_values(r3, 2, 4, 3, 5);
}

static void test_index_select_rejects_an_out_of_range_index(void **state)
{
    struct seq_tensor *t = arange_f64(2, SHAPE(5, 2)), *r = NULL;
    struct seq_tensor *idx = i64(1, SHAPE(3), VALS(1, 7, 2));
    assert_fails(seq_index_select(&r, t, 0, idx), SEQ_EINDEX,
                 "index_select: index 7 out of range for dimension 0 of "
                 "size 5");
    assert_null(r);
}

static void test_index_select_rejects_negative_indices(void **state)
{
    struct seq_tensor *t = arange_f64(2, SHAPE(5, 2)), *r = NULL;
    struct seq_tensor *idx = i64(1, SHAPE(2), VALS(0, -1));
    assert_fails(seq_index_select(&r, t, 0, idx), SEQ_EINDEX,
                 "index -1 out of range for dimension 0 of size 5");
    assert_null(r);
}

static void test_index_select_rejects_bad_index_dtype_and_ndim(void **state)
{
    struct seq_tensor *t = arange_f64(2, SHAPE(5, 2)), *s, *r = NULL;
    struct seq_tensor *fidx = f64(1, SHAPE(1), VALS(0));
    struct seq_tensor *idx2 = i64(2, SHAPE(1, 1), VALS(0));
    assert_fails(seq_index_select(&r, t, 0, fidx), SEQ_EDTYPE,
                 "index_select: index must be int64, got float64");
    assert_fails(seq_index_select(&r, t, 0, idx2), SEQ_ESHAPE,
                 "index_select: index must be 1-d, got shape (1,1)");
    assert_fails(seq_index_select(&r, t, 2, idx2), SEQ_EINDEX,
                 "index_select: dimension 2");
    RUN(s, seq_scalar(&s, SEQ_FLOAT64, 1));
    assert_fails(seq_index_select(&r, s, 0, fidx), SEQ_ESHAPE, "0-d");
    assert_null(r);
}

static void test_index_select_backward_adds_up_repeated_rows(void **state)
{
    struct seq_tensor *t = leaf(arange_f64(2, SHAPE(5, 3))), *r;
    struct seq_tensor *idx = i64(1, SHAPE(3), VALS(4, 0, 4));
    RUN(r, seq_index_select(&r, t, 0, idx));
    assert_string_equal(seq_grad_fn_name(r), "IndexSelectBackward");
    backprop(r, VALS(1, 2, 3, 4, 5, 6, 7, 8, 9));
    assert_close_values(t->grad, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 10, 12);
}

struct pick_ctx {
    int dim;
    const struct seq_tensor *index;
    struct seq_tensor *other; /* t or src for scatter_add */
};

static int index_select_op(struct seq_tensor **out, struct seq_tensor *x,
                           void *vctx)
{
    struct pick_ctx *c = vctx;
    return seq_index_select(out, x, c->dim, c->index);
}

static void test_index_select_gradient_matches_differences(void **state)
{
    struct pick_ctx c = {1, i64(1, SHAPE(4), VALS(2, 0, 2, 2)), NULL};
    gradcheck(index_select_op, arange_f64(3, SHAPE(2, 3, 2)), &c);
}

/* ---- gather ------------------------------------------------------------ */

static void test_gather_along_dim_1_reads_index_columns(void **state)
{
    /* PyTorch's documentation example. */
    struct seq_tensor *t = f64(2, SHAPE(2, 2), VALS(1, 2, 3, 4)), *r;
    struct seq_tensor *idx = i64(2, SHAPE(2, 2), VALS(0, 0, 1, 0));
    RUN(r, seq_gather(&r, t, 1, idx));
    assert_shape(r, 2, SHAPE(2, 2));
    assert_close_values(r, 1, 1, 4, 3);
}

static void test_gather_takes_an_index_smaller_than_t(void **state)
{
    struct seq_tensor *t = arange_f64(2, SHAPE(3, 3)), *r1, *r2;
    struct seq_tensor *i1 = i64(2, SHAPE(1, 3), VALS(2, 1, 0));
    struct seq_tensor *i2 = i64(2, SHAPE(2, 2), VALS(0, 2, 1, 0));
    RUN(r1, seq_gather(&r1, t, 0, i1));
    assert_shape(r1, 2, SHAPE(1, 3));
    assert_close_values(r1, 6, 4, 2);
    RUN(r2, seq_gather(&r2, t, -2, i2));
    assert_close_values(r2, 0, 7, 3, 1);
}

static void test_gather_works_on_int64_and_zero_dim_tensors(void **state)
{
    struct seq_tensor *t = i64(2, SHAPE(2, 3), VALS(10, 20, 30, 40, 50, 60));
    struct seq_tensor *idx = i64(2, SHAPE(2, 1), VALS(2, 0)), *r, *s, *z, *rs;
    RUN(r, seq_gather(&r, t, 1, idx));
    assert_int_equal(r->dtype, SEQ_INT64);
    assert_close_values(r, 30, 40);
    RUN(s, seq_scalar(&s, SEQ_FLOAT64, 2.5));
    RUN(z, seq_scalar(&z, SEQ_INT64, 0));
    RUN(rs, seq_gather(&rs, s, 0, z));
    assert_int_equal(rs->ndim, 0);
    assert_close_values(rs, 2.5);
}

static void test_gather_rejects_bad_indices(void **state)
{
    struct seq_tensor *t = arange_f64(2, SHAPE(2, 3)), *r = NULL;
    struct seq_tensor *wide = i64(2, SHAPE(3, 1), VALS(0, 0, 0));
    struct seq_tensor *flat = i64(1, SHAPE(2), VALS(0, 0));
    struct seq_tensor *far = i64(2, SHAPE(1, 2), VALS(0, 3));
    struct seq_tensor *fidx = f64(2, SHAPE(1, 1), VALS(0));
    assert_fails(seq_gather(&r, t, 1, wide), SEQ_ESHAPE,
                 "gather: index of shape (3,1) is larger than t of shape "
                 "(2,3) in dimension 0");
    assert_fails(seq_gather(&r, t, 1, flat), SEQ_ESHAPE,
                 "must have the same number of dimensions");
    assert_fails(seq_gather(&r, t, 1, far), SEQ_EINDEX,
                 "gather: index 3 out of range for dimension 1 of size 3");
    assert_fails(seq_gather(&r, t, 1, fidx), SEQ_EDTYPE, "int64");
    assert_fails(seq_gather(&r, t, 2, far), SEQ_EINDEX, "dimension 2");
    assert_null(r);
}

static void test_gather_backward_scatters_the_gradient(void **state)
{
    struct seq_tensor *t = leaf(arange_f64(2, SHAPE(2, 3))), *r;
    struct seq_tensor *idx = i64(2, SHAPE(2, 3), VALS(0, 0, 2, 1, 1, 1));
    RUN(r, seq_gather(&r, t, 1, idx));
    assert_string_equal(seq_grad_fn_name(r), "GatherBackward");
    backprop(r, VALS(1, 2, 3, 4, 5, 6));
    assert_close_values(t->grad, 3, 0, 3, 0, 15, 0);
}

static int gather_op(struct seq_tensor **out, struct seq_tensor *x, void *vctx)
{
    struct pick_ctx *c = vctx;
    return seq_gather(out, x, c->dim, c->index);
}

static void test_gather_gradient_matches_differences(void **state)
{
    struct pick_ctx c = {0, i64(3, SHAPE(3, 2, 1), VALS(1, 0, 1, 1, 2, 1)),
                         NULL};
    gradcheck(gather_op, arange_f64(3, SHAPE(3, 2, 2)), &c);
}

/* ---- scatter_add ------------------------------------------------------- */

static void test_scatter_add_accumulates_repeated_targets(void **state)
{
    struct seq_tensor *t, *r;
    struct seq_tensor *idx = i64(2, SHAPE(2, 3), VALS(0, 1, 0, 3, 3, 2));
    struct seq_tensor *src = f64(2, SHAPE(2, 3), VALS(1, 2, 3, 4, 5, 6));
    RUN(t, seq_ones(&t, SEQ_FLOAT64, 2, SHAPE(2, 4)));
    RUN(r, seq_scatter_add(&r, t, 1, idx, src));
    assert_shape(r, 2, SHAPE(2, 4));
    assert_close_values(r, 5, 3, 1, 1, 1, 1, 7, 10);
    /* Out of place: t is untouched. */
    assert_close_values(t, 1, 1, 1, 1, 1, 1, 1, 1);
}

static void test_scatter_add_uses_only_the_indexed_part_of_src(void **state)
{
    struct seq_tensor *t, *r;
    struct seq_tensor *idx = i64(2, SHAPE(1, 2), VALS(2, 0));
    struct seq_tensor *src = i64(2, SHAPE(2, 2), VALS(7, 8, 9, 10));
    RUN(t, seq_zeros(&t, SEQ_INT64, 2, SHAPE(3, 2)));
    RUN(r, seq_scatter_add(&r, t, 0, idx, src));
    assert_int_equal(r->dtype, SEQ_INT64);
    assert_close_values(r, 0, 8, 0, 0, 7, 0);
}

static void test_scatter_add_rejects_bad_arguments(void **state)
{
    struct seq_tensor *t = arange_f64(2, SHAPE(2, 3)), *r = NULL;
    struct seq_tensor *src = f64(2, SHAPE(1, 2), VALS(1, 1));
    struct seq_tensor *src32 = tensor(SEQ_FLOAT32, 2, SHAPE(1, 2), VALS(1, 1));
    struct seq_tensor *ok = i64(2, SHAPE(1, 2), VALS(0, 2));
    struct seq_tensor *far = i64(2, SHAPE(1, 2), VALS(0, 3));
    struct seq_tensor *big = i64(2, SHAPE(1, 3), VALS(0, 0, 0));
    struct seq_tensor *flat = i64(1, SHAPE(2), VALS(0, 0));
    assert_fails(seq_scatter_add(&r, t, 1, ok, src32), SEQ_EDTYPE,
                 "scatter_add: src is float32 but t is float64");
    assert_fails(seq_scatter_add(&r, t, 1, far, src), SEQ_EINDEX,
                 "scatter_add: index 3 out of range for dimension 1 of "
                 "size 3");
    assert_fails(seq_scatter_add(&r, t, 1, big, src), SEQ_ESHAPE,
                 "index of shape (1,3) is larger than src of shape (1,2)");
    assert_fails(seq_scatter_add(&r, t, 1, flat, src), SEQ_ESHAPE,
                 "same number of dimensions");
    assert_fails(seq_scatter_add(&r, t, -3, ok, src), SEQ_EINDEX,
                 "dimension -3");
    assert_null(r);
    /* Nothing was written into t either. */
    assert_close_values(t, 0, 1, 2, 3, 4, 5);
}

static void test_scatter_add_backward_passes_g_and_gathers_it(void **state)
{
    struct seq_tensor *t = leaf(arange_f64(2, SHAPE(2, 4))), *r;
    struct seq_tensor *src = leaf(arange_f64(2, SHAPE(2, 3)));
    struct seq_tensor *idx = i64(2, SHAPE(2, 3), VALS(0, 1, 0, 3, 3, 2));
    RUN(r, seq_scatter_add(&r, t, 1, idx, src));
    assert_string_equal(seq_grad_fn_name(r), "ScatterAddBackward");
    backprop(r, VALS(1, 2, 3, 4, 5, 6, 7, 8));
    assert_close_values(t->grad, 1, 2, 3, 4, 5, 6, 7, 8);
    assert_close_values(src->grad, 1, 2, 1, 8, 8, 7);
}

static void test_scatter_add_backward_zeroes_unindexed_src(void **state)
{
    struct seq_tensor *t = arange_f64(2, SHAPE(3, 2)), *r;
    struct seq_tensor *src = leaf(arange_f64(2, SHAPE(2, 2)));
    struct seq_tensor *idx = i64(2, SHAPE(1, 2), VALS(2, 0));
    RUN(r, seq_scatter_add(&r, t, 0, idx, src));
    backprop(r, VALS(1, 2, 3, 4, 5, 6));
    assert_close_values(src->grad, 5, 2, 0, 0);
    assert_null(t->grad);
}

static int scatter_t_op(struct seq_tensor **out, struct seq_tensor *x,
                        void *vctx)
{
    struct pick_ctx *c = vctx;
    return seq_scatter_add(out, x, c->dim, c->index, c->other);
}

static int scatter_src_op(struct seq_tensor **out, struct seq_tensor *x,
                          void *vctx)
{
    struct pick_ctx *c = vctx;
    return seq_scatter_add(out, c->other, c->dim, c->index, x);
}

static void test_scatter_add_gradients_match_differences(void **state)
{
    struct seq_tensor *idx = i64(2, SHAPE(2, 2), VALS(1, 1, 0, 2));
    struct pick_ctx ct = {0, idx, arange_f64(2, SHAPE(3, 3))};
    struct pick_ctx cs = {0, idx, arange_f64(2, SHAPE(3, 3))};
    gradcheck(scatter_t_op, arange_f64(2, SHAPE(3, 3)), &ct);
    gradcheck(scatter_src_op, arange_f64(2, SHAPE(3, 3)), &cs);
}

/* ---- masked_fill ------------------------------------------------------- */

static void test_masked_fill_broadcasts_the_mask(void **state)
{
    struct seq_tensor *t = arange_f64(2, SHAPE(2, 3)), *r1, *r2;
    struct seq_tensor *row = i64(1, SHAPE(3), VALS(1, 0, 1));
    struct seq_tensor *col = f64(2, SHAPE(2, 1), VALS(0, 2.5));
    RUN(r1, seq_masked_fill(&r1, t, row, -1));
    assert_shape(r1, 2, SHAPE(2, 3));
    assert_close_values(r1, -1, 1, -1, -1, 4, -1);
    RUN(r2, seq_masked_fill(&r2, t, col, 9));
    assert_close_values(r2, 0, 1, 2, 9, 9, 9);
}

static void test_masked_fill_keeps_t_dtype(void **state)
{
    struct seq_tensor *t = i64(1, SHAPE(3), VALS(5, 6, 7)), *r1, *r2;
    struct seq_tensor *f = tensor(SEQ_FLOAT32, 1, SHAPE(3), VALS(5, 6, 7));
    struct seq_tensor *mask = i64(1, SHAPE(3), VALS(0, 1, 0));
    RUN(r1, seq_masked_fill(&r1, t, mask, 2.75));
    assert_int_equal(r1->dtype, SEQ_INT64);
    assert_close_values(r1, 5, 2, 7);
    RUN(r2, seq_masked_fill(&r2, f, mask, -INFINITY));
    assert_int_equal(r2->dtype, SEQ_FLOAT32);
    assert_close_values(r2, 5, -INFINITY, 7);
}

static void test_masked_fill_rejects_a_mask_that_does_not_fit(void **state)
{
    struct seq_tensor *t = arange_f64(1, SHAPE(3)), *r = NULL;
    struct seq_tensor *wider = i64(2, SHAPE(2, 3), VALS(0, 0, 0, 0, 0, 0));
    struct seq_tensor *wrong = i64(1, SHAPE(2), VALS(0, 0));
    assert_fails(seq_masked_fill(&r, t, wider, 0), SEQ_ESHAPE,
                 "masked_fill: mask of shape (2,3) does not broadcast to "
                 "(3)");
    assert_fails(seq_masked_fill(&r, t, wrong, 0), SEQ_ESHAPE,
                 "masked_fill: shapes (3) and (2) cannot be broadcast");
    assert_null(r);
}

static void test_masked_fill_backward_zeroes_filled_positions(void **state)
{
    struct seq_tensor *t = leaf(arange_f64(2, SHAPE(2, 3))), *r;
    struct seq_tensor *mask = i64(2, SHAPE(2, 3), VALS(1, 0, 0, 0, 0, 1));
    RUN(r, seq_masked_fill(&r, t, mask, 100));
    assert_string_equal(seq_grad_fn_name(r), "MaskedFillBackward");
    backprop(r, VALS(1, 2, 3, 4, 5, 6));
    assert_close_values(t->grad, 0, 2, 3, 4, 5, 0);
}

static int masked_fill_op(struct seq_tensor **out, struct seq_tensor *x,
                          void *vctx)
{
    return seq_masked_fill(out, x, vctx, -3);
}

static void test_masked_fill_gradient_matches_differences(void **state)
{
    struct seq_tensor *mask = i64(2, SHAPE(3, 1), VALS(0, 1, 0));
    gradcheck(masked_fill_op, arange_f64(2, SHAPE(3, 2)), mask);
}

/* ---- where ------------------------------------------------------------- */

static void test_where_broadcasts_cond_a_and_b(void **state)
{
    struct seq_tensor *cond = i64(2, SHAPE(2, 1), VALS(1, 0)), *r;
    struct seq_tensor *a = f64(2, SHAPE(2, 3), VALS(1, 2, 3, 4, 5, 6));
    struct seq_tensor *b = f64(1, SHAPE(3), VALS(10, 20, 30));
    RUN(r, seq_where(&r, cond, a, b));
    assert_shape(r, 2, SHAPE(2, 3));
    assert_close_values(r, 1, 2, 3, 10, 20, 30);
}

static void test_where_promotes_a_and_b(void **state)
{
    struct seq_tensor *cond = f64(1, SHAPE(3), VALS(0.5, 0, -1)), *r1, *r2;
    struct seq_tensor *ai = i64(1, SHAPE(3), VALS(1, 2, 3));
    struct seq_tensor *bf = tensor(SEQ_FLOAT32, 1, SHAPE(3), VALS(.5, .5, .5));
    struct seq_tensor *s;
    RUN(r1, seq_where(&r1, cond, ai, bf));
    assert_int_equal(r1->dtype, SEQ_FLOAT32);
    assert_close_values(r1, 1, 0.5, 3);
    /* A float64 0-d operand does not widen a float32 tensor. */
    RUN(s, seq_scalar(&s, SEQ_FLOAT64, 7));
    RUN(r2, seq_where(&r2, cond, bf, s));
    assert_int_equal(r2->dtype, SEQ_FLOAT32);
    assert_close_values(r2, 0.5, 7, 0.5);
}

static void test_where_copies_int64_values_exactly(void **state)
{
    int64_t big[2] = {((int64_t)1 << 62) + 1, -((int64_t)1 << 55) - 1};
    int64_t got[2];
    struct seq_tensor *a = NULL, *r;
    struct seq_tensor *cond = i64(1, SHAPE(2), VALS(1, 0));
    assert_ok(seq_from_buffer(&a, SEQ_INT64, 1, SHAPE(2), big));
    keep(a);
    RUN(r, seq_where(&r, cond, a, a));
    assert_ok(seq_copy_out(got, SEQ_INT64, r));
    assert_true(got[0] == big[0] && got[1] == big[1]);
}

static void test_where_rejects_shapes_that_do_not_broadcast(void **state)
{
    struct seq_tensor *cond = i64(1, SHAPE(2), VALS(1, 0)), *r = NULL;
    struct seq_tensor *a = arange_f64(1, SHAPE(3));
    assert_fails(seq_where(&r, cond, a, a), SEQ_ESHAPE,
                 "where: shapes (2) and (3) cannot be broadcast");
    assert_null(r);
}

static void test_where_backward_splits_and_sums_the_gradient(void **state)
{
    struct seq_tensor *cond = i64(2, SHAPE(1, 3), VALS(1, 0, 1)), *r;
    struct seq_tensor *a = leaf(arange_f64(2, SHAPE(2, 3)));
    struct seq_tensor *b = leaf(f64(1, SHAPE(1), VALS(-1)));
    RUN(r, seq_where(&r, cond, a, b));
    assert_string_equal(seq_grad_fn_name(r), "WhereBackward");
    backprop(r, VALS(1, 2, 3, 4, 5, 6));
    assert_close_values(a->grad, 1, 0, 3, 4, 0, 6);
    assert_shape(b->grad, 1, SHAPE(1));
    assert_close_values(b->grad, 7);
}

struct where_ctx {
    const struct seq_tensor *cond;
    struct seq_tensor *other;
};

static int where_a_op(struct seq_tensor **out, struct seq_tensor *x, void *vctx)
{
    struct where_ctx *c = vctx;
    return seq_where(out, c->cond, x, c->other);
}

static int where_b_op(struct seq_tensor **out, struct seq_tensor *x, void *vctx)
{
    struct where_ctx *c = vctx;
    return seq_where(out, c->cond, c->other, x);
}

static void test_where_gradients_match_differences(void **state)
{
    struct seq_tensor *cond = i64(2, SHAPE(2, 3), VALS(1, 0, 0, 1, 1, 0));
    struct where_ctx ca = {cond, arange_f64(2, SHAPE(2, 1))};
    struct where_ctx cb = {cond, arange_f64(1, SHAPE(3))};
    gradcheck(where_a_op, arange_f64(1, SHAPE(3)), &ca);
    gradcheck(where_b_op, arange_f64(2, SHAPE(2, 1)), &cb);
}

/* ---- one_hot ----------------------------------------------------------- */

static void test_one_hot_adds_a_class_dim(void **state)
{
    struct seq_tensor *idx = i64(2, SHAPE(2, 2), VALS(0, 2, 1, 0)), *r;
    RUN(r, seq_one_hot(&r, idx, 3, SEQ_FLOAT32));
    assert_shape(r, 3, SHAPE(2, 2, 3));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_close_values(r, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0);
}

static void test_one_hot_infers_the_class_count(void **state)
{
    struct seq_tensor *idx = i64(1, SHAPE(3), VALS(0, 3, 1)), *it, *r1, *r2;
    RUN(r1, seq_one_hot(&r1, idx, -1, SEQ_INT64));
    assert_shape(r1, 2, SHAPE(3, 4));
    assert_close_values(r1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0);
    /* A strided index is read in its logical order. */
    struct seq_tensor *i2 = i64(2, SHAPE(2, 2), VALS(0, 1, 0, 1));
    RUN(it, seq_transpose(&it, i2, 0, 1)); /* [[0,0],[1,1]] */
    RUN(r2, seq_one_hot(&r2, it, 0, SEQ_FLOAT64));
    assert_shape(r2, 3, SHAPE(2, 2, 2));
    assert_close_values(r2, 1, 0, 1, 0, 0, 1, 0, 1);
}

static void test_one_hot_rejects_bad_classes(void **state)
{
    struct seq_tensor *idx = i64(1, SHAPE(2), VALS(0, 3)), *e, *r = NULL;
    struct seq_tensor *neg = i64(1, SHAPE(2), VALS(1, -2));
    struct seq_tensor *fidx = f64(1, SHAPE(1), VALS(0));
    assert_fails(seq_one_hot(&r, idx, 3, SEQ_FLOAT32), SEQ_EINDEX,
                 "one_hot: class 3 out of range for 3 classes");
    assert_fails(seq_one_hot(&r, neg, 5, SEQ_FLOAT32), SEQ_EINDEX,
                 "one_hot: class -2 is negative");
    assert_fails(seq_one_hot(&r, fidx, 5, SEQ_FLOAT32), SEQ_EDTYPE,
                 "one_hot: index must be int64");
    RUN(e, seq_zeros(&e, SEQ_INT64, 1, SHAPE(0)));
    assert_fails(seq_one_hot(&r, e, 0, SEQ_FLOAT32), SEQ_EINVAL,
                 "one_hot: cannot infer the number of classes");
    assert_null(r);
}

/* ---- autograd bookkeeping ---------------------------------------------- */

static void test_index_ops_record_nothing_in_no_grad_mode(void **state)
{
    struct seq_tensor *t = leaf(arange_f64(2, SHAPE(2, 3))), *r1, *r2;
    struct seq_tensor *idx = i64(1, SHAPE(1), VALS(1));
    bool prev = seq_set_grad_enabled(false);
    RUN(r1, seq_index_select(&r1, t, 1, idx));
    RUN(r2, seq_cat(&r2, 2, (struct seq_tensor *[]){t, t}, 0));
    seq_set_grad_enabled(prev);
    assert_null(r1->grad_fn);
    assert_false(r2->requires_grad);
}

static void test_backward_fails_if_the_saved_index_was_changed(void **state)
{
    struct seq_tensor *t = leaf(arange_f64(1, SHAPE(3))), *r;
    struct seq_tensor *idx = i64(1, SHAPE(2), VALS(0, 2));
    RUN(r, seq_index_select(&r, t, 0, idx));
    assert_ok(seq_set(idx, SHAPE(0), 1));
    struct seq_tensor *g = f64(1, SHAPE(2), VALS(1, 1));
    assert_fails(seq_backward(r, g, false), SEQ_EGRAD, "modified in place");
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_cat_joins_rows_along_dim_0),
        TEST(test_cat_joins_columns_along_a_negative_dim),
        TEST(test_cat_reads_strided_inputs),
        TEST(test_cat_promotes_to_the_common_dtype),
        TEST(test_cat_copies_int64_values_exactly),
        TEST(test_cat_skips_empty_1d_tensors_like_pytorch),
        TEST(test_cat_rejects_an_empty_list),
        TEST(test_cat_rejects_sizes_that_differ_outside_dim),
        TEST(test_cat_rejects_tensors_of_different_ndim),
        TEST(test_cat_rejects_zero_dim_tensors_and_bad_dims),
        TEST(test_cat_backward_gives_each_input_its_slice),
        TEST(test_cat_backward_converts_to_each_inputs_dtype),
        TEST(test_cat_gradient_matches_central_differences),
        TEST(test_stack_adds_a_new_leading_dim),
        TEST(test_stack_with_dim_minus_1_adds_a_last_dim),
        TEST(test_stack_rejects_unequal_shapes_naming_the_first),
        TEST(test_stack_backward_unstacks_the_gradient),
        TEST(test_split_leaves_the_remainder_in_the_last_piece),
        TEST(test_split_size_beyond_the_dim_gives_one_piece),
        TEST(test_split_rejects_too_few_outputs_and_bad_sizes),
        TEST(test_chunk_uses_pieces_of_ceil_n_over_chunks),
        TEST(test_chunk_of_an_empty_dim_gives_chunks_empty_pieces),
        TEST(test_chunk_rejects_nonpositive_chunks_and_few_outputs),
        TEST(test_split_pieces_carry_gradient_to_their_slice),
        TEST(test_index_select_picks_rows_with_repeats),
        TEST(test_index_select_along_a_negative_dim),
        TEST(test_index_select_copies_every_dtype_and_strides),
        TEST(test_index_select_rejects_an_out_of_range_index),
        TEST(test_index_select_rejects_negative_indices),
        TEST(test_index_select_rejects_bad_index_dtype_and_ndim),
        TEST(test_index_select_backward_adds_up_repeated_rows),
        TEST(test_index_select_gradient_matches_differences),
        TEST(test_gather_along_dim_1_reads_index_columns),
        TEST(test_gather_takes_an_index_smaller_than_t),
        TEST(test_gather_works_on_int64_and_zero_dim_tensors),
        TEST(test_gather_rejects_bad_indices),
        TEST(test_gather_backward_scatters_the_gradient),
        TEST(test_gather_gradient_matches_differences),
        TEST(test_scatter_add_accumulates_repeated_targets),
        TEST(test_scatter_add_uses_only_the_indexed_part_of_src),
        TEST(test_scatter_add_rejects_bad_arguments),
        TEST(test_scatter_add_backward_passes_g_and_gathers_it),
        TEST(test_scatter_add_backward_zeroes_unindexed_src),
        TEST(test_scatter_add_gradients_match_differences),
        TEST(test_masked_fill_broadcasts_the_mask),
        TEST(test_masked_fill_keeps_t_dtype),
        TEST(test_masked_fill_rejects_a_mask_that_does_not_fit),
        TEST(test_masked_fill_backward_zeroes_filled_positions),
        TEST(test_masked_fill_gradient_matches_differences),
        TEST(test_where_broadcasts_cond_a_and_b),
        TEST(test_where_promotes_a_and_b),
        TEST(test_where_copies_int64_values_exactly),
        TEST(test_where_rejects_shapes_that_do_not_broadcast),
        TEST(test_where_backward_splits_and_sums_the_gradient),
        TEST(test_where_gradients_match_differences),
        TEST(test_one_hot_adds_a_class_dim),
        TEST(test_one_hot_infers_the_class_count),
        TEST(test_one_hot_rejects_bad_classes),
        TEST(test_index_ops_record_nothing_in_no_grad_mode),
        TEST(test_backward_fails_if_the_saved_index_was_changed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
