/* test_matmul.c — forward values, shapes, dtypes and errors of matmul and
 * outer, and of the losses nll_loss and cross_entropy.
 *
 * Small cases are checked against values worked by hand or by numpy 1.24.
 * Larger ones are checked against a plain triple loop below that reads the
 * operands element by element (seq_get), so it shares nothing with the
 * BLAS path: operands hold small multiples of 1/4, which makes every sum
 * exact in float32 and float64 whatever order BLAS adds in.  Gradients are
 * tested elsewhere.  A fixture fails any test that leaves engine memory
 * allocated. */
#include "testutil.h"

#include <stdlib.h>

#include "seq/error.h"


static int64_t count(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    return n;
}

/* A tensor whose element i (C order) is ((i + seed) * 7 % 11 - 5) / 4. */
static struct seq_tensor *patterned(enum seq_dtype dt, int ndim,
                                    const int64_t *shape, int seed)
{
    int64_t n = count(ndim, shape);
    double *v = malloc(sizeof(double) * (size_t)(n ? n : 1));
    assert_non_null(v);
    for (int64_t i = 0; i < n; i++)
        v[i] = (double)(((i + seed) * 7) % 11 - 5) * 0.25;
    struct seq_tensor *t = tensor_of(dt, ndim, shape, v);
    free(v);
    return t;
}

/* out (C order, oshape of ndim >= 2) = a @ b by the definition, for a and
 * b of ndim >= 2 whose batch dims broadcast to oshape's. */
static void reference_matmul(double *out, const struct seq_tensor *a,
                             const struct seq_tensor *b, int ndim,
                             const int64_t *oshape)
{
    int64_t n = count(ndim, oshape), k = a->shape[a->ndim - 1];
    for (int64_t f = 0; f < n; f++) {
        int64_t idx[SEQ_MAX_DIMS], ia[SEQ_MAX_DIMS], ib[SEQ_MAX_DIMS];
        for (int64_t d = ndim - 1, r = f; d >= 0; d--) {
            idx[d] = r % oshape[d];
            r /= oshape[d];
        }
        for (int d = 0; d < a->ndim - 2; d++)
            ia[d] = a->shape[d] == 1 ? 0 : idx[ndim - a->ndim + d];
        for (int d = 0; d < b->ndim - 2; d++)
            ib[d] = b->shape[d] == 1 ? 0 : idx[ndim - b->ndim + d];
        ia[a->ndim - 2] = idx[ndim - 2];
        ib[b->ndim - 1] = idx[ndim - 1];
        double s = 0;
        for (int64_t p = 0; p < k; p++) {
            double x, y;
            ia[a->ndim - 1] = p;
            ib[b->ndim - 2] = p;
            assert_ok(seq_get(&x, a, ia));
            assert_ok(seq_get(&y, b, ib));
            s += x * y;
        }
        out[f] = s;
    }
}

/* Checks seq_matmul(a, b) has shape oshape, a's and b's promoted dtype
 * and the reference values.  Releases a and b. */
static void check_matmul(struct seq_tensor *a, struct seq_tensor *b, int ndim,
                         const int64_t *oshape)
{
    struct seq_tensor *r = NULL;
    int64_t n = count(ndim, oshape);
    double *want = malloc(sizeof(double) * (size_t)(n ? n : 1));
    assert_non_null(want);
    reference_matmul(want, a, b, ndim, oshape);
    assert_ok(seq_matmul(&r, a, b));
    assert_shape(r, ndim, oshape);
    assert_int_equal(r->dtype, seq_promote(a, b));
    assert_tensor_close(r, want, n, 0, 0);
    free(want);
    seq_release(r);
    seq_release(a);
    seq_release(b);
}

/* Checks that a @ b equals contiguous(a) @ contiguous(b) exactly.
 * Releases a and b. */
static void check_equals_contiguous(struct seq_tensor *a, struct seq_tensor *b)
{
    struct seq_tensor *ca = NULL, *cb = NULL, *r = NULL, *w = NULL;
    assert_ok(seq_contiguous(&ca, a));
    assert_ok(seq_contiguous(&cb, b));
    assert_ok(seq_matmul(&r, a, b));
    assert_ok(seq_matmul(&w, ca, cb));
    int64_t n = seq_numel(w);
    double *want = malloc(sizeof(double) * (size_t)(n ? n : 1));
    assert_non_null(want);
    assert_ok(seq_copy_out(want, SEQ_FLOAT64, w));
    assert_shape(r, w->ndim, w->shape);
    assert_tensor_close(r, want, n, 0, 0);
    free(want);
    seq_release(ca);
    seq_release(cb);
    seq_release(r);
    seq_release(w);
    seq_release(a);
    seq_release(b);
}

/* The transpose of a new (rows, cols) patterned matrix: a (cols, rows)
 * view with strides (1, cols). */
static struct seq_tensor *transposed(enum seq_dtype dt, int64_t rows,
                                     int64_t cols, int seed)
{
    struct seq_tensor *m = patterned(dt, 2, SHAPE(rows, cols), seed);
    struct seq_tensor *t = NULL;
    assert_ok(seq_transpose(&t, m, 0, 1));
    seq_release(m);
    return t;
}

/* ---- 2-D and 1-D values ---------------------------------------------------
 */

static struct seq_tensor *mat_a(enum seq_dtype dt)
{
    return tensor_of(dt, 2, SHAPE(2, 3), VALUES(1, 2, 3, 4, 5, 6));
}

static struct seq_tensor *mat_b(enum seq_dtype dt)
{
    return tensor_of(dt, 2, SHAPE(3, 2), VALUES(7, 8, 9, 10, 11, 12));
}

static void test_matmul_of_two_matrices(void **state)
{
    (void)state;
    struct seq_tensor *a = mat_a(SEQ_FLOAT32), *b = mat_b(SEQ_FLOAT32);
    struct seq_tensor *r = NULL;
    assert_ok(seq_matmul(&r, a, b));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_shape(r, 2, SHAPE(2, 2));
    assert_values(r, 58, 64, 139, 154);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_matmul_of_two_vectors_is_a_zero_dim_dot(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    a = tensor_of(SEQ_FLOAT64, 1, SHAPE(3), VALUES(1, 2, 3));
    b = tensor_of(SEQ_FLOAT64, 1, SHAPE(3), VALUES(4, -5, 6));
    assert_ok(seq_matmul(&r, a, b));
    assert_int_equal(r->ndim, 0);
    assert_values(r, 12);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_matmul_of_a_vector_and_a_matrix_drops_the_row_dim(void **state)
{
    (void)state;
    struct seq_tensor *v = NULL, *b = mat_b(SEQ_FLOAT32), *r = NULL;
    v = tensor_of(SEQ_FLOAT32, 1, SHAPE(3), VALUES(1, 2, 3));
    assert_ok(seq_matmul(&r, v, b));
    assert_shape(r, 1, SHAPE(2));
    assert_values(r, 58, 64);
    seq_release(v);
    seq_release(b);
    seq_release(r);
}

static void
test_matmul_of_a_matrix_and_a_vector_drops_the_column_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = mat_a(SEQ_FLOAT64), *v = NULL, *r = NULL;
    v = tensor_of(SEQ_FLOAT64, 1, SHAPE(3), VALUES(1, 0, -1));
    assert_ok(seq_matmul(&r, a, v));
    assert_shape(r, 1, SHAPE(2));
    assert_values(r, -2, -2);
    seq_release(a);
    seq_release(v);
    seq_release(r);
}

static void test_matmul_of_larger_matrices_matches_the_definition(void **state)
{
    (void)state;
    check_matmul(patterned(SEQ_FLOAT32, 2, SHAPE(17, 33), 0),
                 patterned(SEQ_FLOAT32, 2, SHAPE(33, 9), 3), 2, SHAPE(17, 9));
}

/* ---- batches ----------------------------------------------------------------
 */

static void test_batched_matmul_multiplies_each_pair(void **state)
{
    (void)state;
    check_matmul(patterned(SEQ_FLOAT64, 3, SHAPE(4, 2, 3), 1),
                 patterned(SEQ_FLOAT64, 3, SHAPE(4, 3, 5), 2), 3,
                 SHAPE(4, 2, 5));
}

static void test_batch_dims_broadcast(void **state)
{
    (void)state;
    check_matmul(patterned(SEQ_FLOAT32, 4, SHAPE(2, 1, 3, 4), 0),
                 patterned(SEQ_FLOAT32, 3, SHAPE(3, 4, 2), 5), 4,
                 SHAPE(2, 3, 3, 2));
}

static void test_a_matrix_times_a_batch_broadcasts_the_matrix(void **state)
{
    (void)state;
    check_matmul(patterned(SEQ_FLOAT64, 2, SHAPE(3, 4), 0),
                 patterned(SEQ_FLOAT64, 3, SHAPE(5, 4, 2), 1), 3,
                 SHAPE(5, 3, 2));
}

static void test_a_batch_times_a_matrix_folds_into_one_product(void **state)
{
    (void)state;
    /* (T, N, D) @ (D, H): a linear layer over a sequence */
    check_matmul(patterned(SEQ_FLOAT32, 3, SHAPE(3, 4, 5), 2),
                 patterned(SEQ_FLOAT32, 2, SHAPE(5, 6), 7), 3, SHAPE(3, 4, 6));
}

static void test_folded_product_with_a_transposed_weight(void **state)
{
    (void)state;
    /* x @ W^T with W (H, D), as a linear layer stores it */
    check_matmul(patterned(SEQ_FLOAT32, 3, SHAPE(3, 4, 5), 2),
                 transposed(SEQ_FLOAT32, 6, 5, 1), 3, SHAPE(3, 4, 6));
}

static void test_folded_product_with_a_permuted_batch(void **state)
{
    (void)state;
    struct seq_tensor *x = patterned(SEQ_FLOAT64, 3, SHAPE(4, 3, 5), 0);
    struct seq_tensor *p = NULL;
    assert_ok(seq_transpose(&p, x, 0, 1)); /* (3,4,5), not contiguous */
    seq_release(x);
    check_matmul(p, patterned(SEQ_FLOAT64, 2, SHAPE(5, 2), 4), 3,
                 SHAPE(3, 4, 2));
}

static void test_a_batch_times_a_vector_gives_a_batch_of_vectors(void **state)
{
    (void)state;
    struct seq_tensor *a = patterned(SEQ_FLOAT64, 3, SHAPE(2, 3, 4), 0);
    struct seq_tensor *v = patterned(SEQ_FLOAT64, 1, SHAPE(4), 3);
    struct seq_tensor *col = NULL, *r = NULL;
    double want[6];
    assert_ok(seq_unsqueeze(&col, v, 1)); /* (4,1) */
    reference_matmul(want, a, col, 3, SHAPE(2, 3, 1));
    assert_ok(seq_matmul(&r, a, v));
    assert_shape(r, 2, SHAPE(2, 3));
    assert_tensor_close(r, want, 6, 0, 0);
    seq_release(a);
    seq_release(v);
    seq_release(col);
    seq_release(r);
}

static void test_a_vector_times_a_batch_gives_a_batch_of_vectors(void **state)
{
    (void)state;
    struct seq_tensor *v = patterned(SEQ_FLOAT32, 1, SHAPE(3), 1);
    struct seq_tensor *b = patterned(SEQ_FLOAT32, 3, SHAPE(2, 3, 4), 2);
    struct seq_tensor *row = NULL, *r = NULL;
    double want[8];
    assert_ok(seq_unsqueeze(&row, v, 0)); /* (1,3) */
    reference_matmul(want, row, b, 3, SHAPE(2, 1, 4));
    assert_ok(seq_matmul(&r, v, b));
    assert_shape(r, 2, SHAPE(2, 4));
    assert_tensor_close(r, want, 8, 0, 0);
    seq_release(v);
    seq_release(b);
    seq_release(row);
    seq_release(r);
}

/* ---- layouts ---------------------------------------------------------------
 */

static void test_transposed_left_operand_equals_a_contiguous_copy(void **state)
{
    (void)state;
    check_equals_contiguous(transposed(SEQ_FLOAT32, 5, 4, 0),
                            patterned(SEQ_FLOAT32, 2, SHAPE(5, 3), 1));
}

static void test_transposed_right_operand_equals_a_contiguous_copy(void **state)
{
    (void)state;
    check_equals_contiguous(patterned(SEQ_FLOAT64, 2, SHAPE(4, 5), 0),
                            transposed(SEQ_FLOAT64, 3, 5, 2));
}

static void test_both_operands_transposed_match_the_definition(void **state)
{
    (void)state;
    check_matmul(transposed(SEQ_FLOAT32, 6, 4, 0),
                 transposed(SEQ_FLOAT32, 7, 6, 3), 2, SHAPE(4, 7));
}

static void test_transposed_batches_match_the_definition(void **state)
{
    (void)state;
    struct seq_tensor *a = patterned(SEQ_FLOAT64, 3, SHAPE(2, 5, 3), 0);
    struct seq_tensor *b = patterned(SEQ_FLOAT64, 3, SHAPE(2, 4, 5), 1);
    struct seq_tensor *ta = NULL, *tb = NULL;
    assert_ok(seq_transpose(&ta, a, -1, -2)); /* (2,3,5) */
    assert_ok(seq_transpose(&tb, b, -1, -2)); /* (2,5,4) */
    seq_release(a);
    seq_release(b);
    check_matmul(ta, tb, 3, SHAPE(2, 3, 4));
}

static void test_column_strided_operand_matches_the_definition(void **state)
{
    (void)state;
    /* every other column: unit stride nowhere, so it must be copied */
    struct seq_tensor *m = patterned(SEQ_FLOAT32, 2, SHAPE(4, 6), 0);
    struct seq_tensor *s = NULL;
    assert_ok(seq_slice(&s, m, 1, 0, 6, 2)); /* (4,3), strides (6,2) */
    seq_release(m);
    check_matmul(s, patterned(SEQ_FLOAT32, 2, SHAPE(3, 5), 2), 2, SHAPE(4, 5));
}

static void
test_row_strided_and_offset_operands_match_the_definition(void **state)
{
    (void)state;
    /* rows 6 apart (lda > K) times a column window (ldb > N) */
    struct seq_tensor *m = patterned(SEQ_FLOAT64, 2, SHAPE(6, 3), 0);
    struct seq_tensor *w = patterned(SEQ_FLOAT64, 2, SHAPE(3, 8), 1);
    struct seq_tensor *a = NULL, *b = NULL;
    assert_ok(seq_slice(&a, m, 0, 0, 6, 2)); /* (3,3), strides (6,1) */
    assert_ok(seq_slice(&b, w, 1, 1, 5, 1)); /* (3,4), offset 1 */
    seq_release(m);
    seq_release(w);
    check_matmul(a, b, 2, SHAPE(3, 4));
}

static void test_sliced_transposed_operand_matches_the_definition(void **state)
{
    (void)state;
    struct seq_tensor *m = patterned(SEQ_FLOAT32, 2, SHAPE(8, 3), 0);
    struct seq_tensor *s = NULL, *t = NULL;
    assert_ok(seq_slice(&s, m, 0, 2, 6, 1)); /* (4,3) */
    assert_ok(seq_transpose(&t, s, 0, 1));   /* (3,4), strides (1,3) */
    seq_release(m);
    seq_release(s);
    check_matmul(patterned(SEQ_FLOAT32, 2, SHAPE(5, 3), 4), t, 2, SHAPE(5, 4));
}

static void test_expanded_operand_matches_the_definition(void **state)
{
    (void)state;
    struct seq_tensor *row = patterned(SEQ_FLOAT64, 2, SHAPE(1, 3), 0);
    struct seq_tensor *e = NULL;
    assert_ok(seq_expand(&e, row, 2, SHAPE(4, 3))); /* row stride 0 */
    seq_release(row);
    check_matmul(e, patterned(SEQ_FLOAT64, 2, SHAPE(3, 2), 1), 2, SHAPE(4, 2));
}

/* ---- one row or one column (the GEMV path) ---------------------------------
 */

static void test_single_row_times_a_transposed_matrix(void **state)
{
    (void)state;
    check_matmul(patterned(SEQ_FLOAT32, 2, SHAPE(1, 5), 0),
                 transposed(SEQ_FLOAT32, 4, 5, 1), 2, SHAPE(1, 4));
}

static void test_single_row_taken_from_a_transposed_matrix(void **state)
{
    (void)state;
    /* a (1,K) row whose elements are 5 apart */
    struct seq_tensor *t = transposed(SEQ_FLOAT64, 4, 5, 0); /* (5,4) */
    struct seq_tensor *row = NULL;
    assert_ok(seq_slice(&row, t, 0, 2, 3, 1));
    assert_int_equal(row->stride[1], 5);
    seq_release(t);
    check_matmul(row, patterned(SEQ_FLOAT64, 2, SHAPE(4, 3), 1), 2,
                 SHAPE(1, 3));
}

static void test_vector_times_a_transposed_matrix(void **state)
{
    (void)state;
    struct seq_tensor *v = patterned(SEQ_FLOAT32, 1, SHAPE(5), 2);
    struct seq_tensor *t = transposed(SEQ_FLOAT32, 3, 5, 0); /* (5,3) */
    struct seq_tensor *row = NULL, *r = NULL;
    double want[3];
    assert_ok(seq_unsqueeze(&row, v, 0));
    reference_matmul(want, row, t, 2, SHAPE(1, 3));
    assert_ok(seq_matmul(&r, v, t));
    assert_shape(r, 1, SHAPE(3));
    assert_tensor_close(r, want, 3, 0, 0);
    seq_release(v);
    seq_release(t);
    seq_release(row);
    seq_release(r);
}

static void test_transposed_matrix_times_a_single_column(void **state)
{
    (void)state;
    check_matmul(transposed(SEQ_FLOAT64, 5, 3, 0),
                 patterned(SEQ_FLOAT64, 2, SHAPE(5, 1), 2), 2, SHAPE(3, 1));
}

static void test_matrix_times_a_column_taken_from_a_matrix(void **state)
{
    (void)state;
    /* a (K,1) column whose elements are 4 apart */
    struct seq_tensor *m = patterned(SEQ_FLOAT32, 2, SHAPE(5, 4), 1);
    struct seq_tensor *col = NULL;
    assert_ok(seq_slice(&col, m, 1, 2, 3, 1));
    seq_release(m);
    check_matmul(patterned(SEQ_FLOAT32, 2, SHAPE(3, 5), 0), col, 2,
                 SHAPE(3, 1));
}

static void test_transposed_matrix_times_a_transposed_row(void **state)
{
    (void)state;
    check_matmul(transposed(SEQ_FLOAT32, 4, 3, 0),
                 transposed(SEQ_FLOAT32, 1, 4, 2), 2, SHAPE(3, 1));
}

static void test_row_times_column_is_a_one_by_one_matrix(void **state)
{
    (void)state;
    check_matmul(transposed(SEQ_FLOAT64, 6, 1, 0),
                 patterned(SEQ_FLOAT64, 2, SHAPE(6, 1), 3), 2, SHAPE(1, 1));
}

static void test_batched_single_rows_match_the_definition(void **state)
{
    (void)state;
    check_matmul(patterned(SEQ_FLOAT32, 3, SHAPE(3, 1, 4), 0),
                 patterned(SEQ_FLOAT32, 3, SHAPE(3, 4, 5), 1), 3,
                 SHAPE(3, 1, 5));
}

static void test_batched_single_columns_match_the_definition(void **state)
{
    (void)state;
    check_matmul(patterned(SEQ_FLOAT64, 3, SHAPE(3, 4, 5), 0),
                 patterned(SEQ_FLOAT64, 3, SHAPE(3, 5, 1), 2), 3,
                 SHAPE(3, 4, 1));
}

static void test_folded_product_with_a_single_output_column(void **state)
{
    (void)state;
    check_matmul(patterned(SEQ_FLOAT32, 3, SHAPE(2, 3, 4), 0),
                 patterned(SEQ_FLOAT32, 2, SHAPE(4, 1), 2), 3, SHAPE(2, 3, 1));
}

/* ---- empty and degenerate -------------------------------------------------
 */

static void test_matmul_over_an_empty_inner_dim_gives_zeros(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    assert_ok(seq_ones(&a, SEQ_FLOAT32, 2, SHAPE(2, 0)));
    assert_ok(seq_ones(&b, SEQ_FLOAT32, 2, SHAPE(0, 3)));
    assert_ok(seq_matmul(&r, a, b));
    assert_shape(r, 2, SHAPE(2, 3));
    assert_values(r, 0, 0, 0, 0, 0, 0);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void
test_batched_matmul_over_an_empty_inner_dim_gives_zeros(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    assert_ok(seq_ones(&a, SEQ_FLOAT64, 3, SHAPE(2, 1, 0)));
    assert_ok(seq_ones(&b, SEQ_FLOAT64, 2, SHAPE(0, 2)));
    assert_ok(seq_matmul(&r, a, b));
    assert_shape(r, 3, SHAPE(2, 1, 2));
    assert_values(r, 0, 0, 0, 0);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_matmul_with_no_rows_gives_an_empty_result(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    assert_ok(seq_ones(&a, SEQ_FLOAT32, 2, SHAPE(0, 3)));
    assert_ok(seq_ones(&b, SEQ_FLOAT32, 2, SHAPE(3, 2)));
    assert_ok(seq_matmul(&r, a, b));
    assert_shape(r, 2, SHAPE(0, 2));
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

/* ---- dtypes -----------------------------------------------------------------
 */

static void test_float64_matmul_gives_float64(void **state)
{
    (void)state;
    check_matmul(patterned(SEQ_FLOAT64, 2, SHAPE(3, 4), 0),
                 patterned(SEQ_FLOAT64, 2, SHAPE(4, 5), 1), 2, SHAPE(3, 5));
}

static void test_int64_matmul_gives_int64(void **state)
{
    (void)state;
    struct seq_tensor *a = mat_a(SEQ_INT64), *b = mat_b(SEQ_INT64);
    struct seq_tensor *r = NULL;
    assert_ok(seq_matmul(&r, a, b));
    assert_int_equal(r->dtype, SEQ_INT64);
    assert_values(r, 58, 64, 139, 154);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_int64_matmul_is_exact_for_large_products(void **state)
{
    (void)state;
    const int64_t av[2] = {(int64_t)1 << 40, 3}, bv[2] = {(int64_t)1 << 20, 1};
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    assert_ok(seq_from_buffer(&a, SEQ_INT64, 2, SHAPE(1, 2), av));
    assert_ok(seq_from_buffer(&b, SEQ_INT64, 2, SHAPE(2, 1), bv));
    assert_ok(seq_matmul(&r, a, b));
    assert_true(*(const int64_t *)seq_data(r) == ((int64_t)1 << 60) + 3);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_int64_matmul_with_transposed_operands(void **state)
{
    (void)state;
    check_matmul(transposed(SEQ_INT64, 4, 3, 0), transposed(SEQ_INT64, 2, 4, 1),
                 2, SHAPE(3, 2));
}

static void test_float32_times_float64_gives_float64(void **state)
{
    (void)state;
    struct seq_tensor *a = mat_a(SEQ_FLOAT32), *b = mat_b(SEQ_FLOAT64);
    struct seq_tensor *r = NULL;
    assert_ok(seq_matmul(&r, a, b));
    assert_int_equal(r->dtype, SEQ_FLOAT64);
    assert_values(r, 58, 64, 139, 154);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_int64_times_float32_gives_float32(void **state)
{
    (void)state;
    struct seq_tensor *a = mat_a(SEQ_INT64), *b = mat_b(SEQ_FLOAT32);
    struct seq_tensor *r = NULL;
    assert_ok(seq_matmul(&r, a, b));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, 58, 64, 139, 154);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

/* ---- errors
 * ------------------------------------------------------------------ */

static void test_dot_of_two_empty_vectors_is_zero(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    assert_ok(seq_zeros(&a, SEQ_FLOAT32, 1, SHAPE(0)));
    assert_ok(seq_zeros(&b, SEQ_FLOAT32, 1, SHAPE(0)));
    assert_ok(seq_matmul(&r, a, b));
    assert_int_equal(r->ndim, 0);
    assert_values(r, 0);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_matmul_rejects_a_zero_dim_operand(void **state)
{
    (void)state;
    struct seq_tensor *s = NULL, *a = mat_a(SEQ_FLOAT32), *r = NULL;
    assert_ok(seq_scalar(&s, SEQ_FLOAT32, 2));
    assert_fails(seq_matmul(&r, s, a), SEQ_ESHAPE, "at least one dimension");
    assert_fails(seq_matmul(&r, a, s), SEQ_ESHAPE, "at least one dimension");
    assert_null(r);
    seq_release(s);
    seq_release(a);
}

static void test_matmul_rejects_mismatched_inner_dims_naming_them(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    assert_ok(seq_ones(&a, SEQ_FLOAT32, 2, SHAPE(5, 3)));
    assert_ok(seq_ones(&b, SEQ_FLOAT32, 2, SHAPE(5, 10)));
    assert_int_equal(seq_matmul(&r, a, b), SEQ_ESHAPE);
    assert_string_equal(
        seq_error(),
        "matmul: shapes (5,3) and (5,10) cannot be multiplied (3 != 5)");
    assert_null(r);
    seq_release(a);
    seq_release(b);
}

static void test_matmul_rejects_vectors_of_different_lengths(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    assert_ok(seq_ones(&a, SEQ_FLOAT64, 1, SHAPE(3)));
    assert_ok(seq_ones(&b, SEQ_FLOAT64, 1, SHAPE(4)));
    assert_fails(seq_matmul(&r, a, b), SEQ_ESHAPE, "(3) and (4)");
    assert_null(r);
    seq_release(a);
    seq_release(b);
}

static void test_matmul_rejects_batch_dims_that_do_not_broadcast(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    assert_ok(seq_ones(&a, SEQ_FLOAT32, 3, SHAPE(2, 3, 4)));
    assert_ok(seq_ones(&b, SEQ_FLOAT32, 3, SHAPE(3, 4, 5)));
    /* the message names the operands' shapes, not just their batch dims */
    assert_fails(seq_matmul(&r, a, b), SEQ_ESHAPE, "(2,3,4)");
    assert_fails(seq_matmul(&r, a, b), SEQ_ESHAPE, "(3,4,5)");
    assert_null(r);
    seq_release(a);
    seq_release(b);
}

/* ---- outer
 * ------------------------------------------------------------------- */

static void test_outer_multiplies_every_pair(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    a = tensor_of(SEQ_FLOAT64, 1, SHAPE(3), VALUES(1, 2, -1));
    b = tensor_of(SEQ_FLOAT64, 1, SHAPE(2), VALUES(3, 0.5));
    assert_ok(seq_outer(&r, a, b));
    assert_shape(r, 2, SHAPE(3, 2));
    assert_values(r, 3, 0.5, 6, 1, -3, -0.5);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_outer_rejects_a_matrix(void **state)
{
    (void)state;
    struct seq_tensor *a = mat_a(SEQ_FLOAT32), *b = NULL, *r = NULL;
    assert_ok(seq_ones(&b, SEQ_FLOAT32, 1, SHAPE(2)));
    assert_fails(seq_outer(&r, a, b), SEQ_ESHAPE, "(2,3)");
    assert_null(r);
    seq_release(a);
    seq_release(b);
}

/* ---- nll_loss
 * ------------------------------------------------------------------ */

#define IGNORE_NONE (-100)

static struct seq_tensor *logp_3x4(enum seq_dtype dt)
{
    return tensor_of(dt, 2, SHAPE(3, 4),
                     VALUES(-1.2, -0.3, -2.5, -4.0, -0.7, -1.1, -3.3, -0.9,
                            -2.0, -0.1, -5.0, -1.5));
}

static struct seq_tensor *targets(int64_t n, const int64_t *v)
{
    struct seq_tensor *t = NULL;
    assert_ok(seq_from_buffer(&t, SEQ_INT64, 1, &n, v));
    return t;
}

/* Row losses for targets (1, 3, 0): 0.3, 0.9, 2.0. */
static void test_nll_loss_mean_averages_the_picked_losses(void **state)
{
    (void)state;
    struct seq_tensor *lp = logp_3x4(SEQ_FLOAT64), *r = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, 3, 0});
    assert_ok(seq_nll_loss(&r, lp, t, IGNORE_NONE, SEQ_REDUCE_MEAN));
    assert_int_equal(r->ndim, 0);
    assert_values_near(r, 1e-15, 3.2 / 3);
    seq_release(lp);
    seq_release(t);
    seq_release(r);
}

static void test_nll_loss_sum_adds_the_picked_losses(void **state)
{
    (void)state;
    struct seq_tensor *lp = logp_3x4(SEQ_FLOAT32), *r = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, 3, 0});
    assert_ok(seq_nll_loss(&r, lp, t, IGNORE_NONE, SEQ_REDUCE_SUM));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values_near(r, 1e-6, 3.2);
    seq_release(lp);
    seq_release(t);
    seq_release(r);
}

static void test_nll_loss_none_gives_one_loss_per_row(void **state)
{
    (void)state;
    struct seq_tensor *lp = logp_3x4(SEQ_FLOAT64), *r = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, 3, 0});
    assert_ok(seq_nll_loss(&r, lp, t, IGNORE_NONE, SEQ_REDUCE_NONE));
    assert_shape(r, 1, SHAPE(3));
    assert_values(r, 0.3, 0.9, 2.0);
    seq_release(lp);
    seq_release(t);
    seq_release(r);
}

static void test_nll_loss_leaves_ignored_targets_out_of_the_mean(void **state)
{
    (void)state;
    struct seq_tensor *lp = logp_3x4(SEQ_FLOAT64), *m = NULL, *s = NULL,
                      *n = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, 3, 0});
    assert_ok(seq_nll_loss(&m, lp, t, 3, SEQ_REDUCE_MEAN));
    assert_ok(seq_nll_loss(&s, lp, t, 3, SEQ_REDUCE_SUM));
    assert_ok(seq_nll_loss(&n, lp, t, 3, SEQ_REDUCE_NONE));
    assert_values_near(m, 1e-15, 1.15); /* (0.3 + 2.0) / 2 */
    assert_values_near(s, 1e-15, 2.3);
    assert_values(n, 0.3, 0, 2.0);
    seq_release(lp);
    seq_release(t);
    seq_release(m);
    seq_release(s);
    seq_release(n);
}

static void test_nll_loss_mean_of_all_ignored_targets_is_nan(void **state)
{
    (void)state;
    struct seq_tensor *lp = logp_3x4(SEQ_FLOAT32), *m = NULL, *s = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){-100, -100, -100});
    assert_ok(seq_nll_loss(&m, lp, t, -100, SEQ_REDUCE_MEAN));
    assert_ok(seq_nll_loss(&s, lp, t, -100, SEQ_REDUCE_SUM));
    assert_values(m, NAN);
    assert_values(s, 0);
    seq_release(lp);
    seq_release(t);
    seq_release(m);
    seq_release(s);
}

static void test_nll_loss_of_one_row_takes_a_zero_dim_target(void **state)
{
    (void)state;
    struct seq_tensor *lp = NULL, *t = NULL, *m = NULL, *n = NULL;
    lp = tensor_of(SEQ_FLOAT64, 1, SHAPE(4), VALUES(-1.2, -0.3, -2.5, -4.0));
    assert_ok(seq_scalar(&t, SEQ_INT64, 2));
    assert_ok(seq_nll_loss(&m, lp, t, IGNORE_NONE, SEQ_REDUCE_MEAN));
    assert_ok(seq_nll_loss(&n, lp, t, IGNORE_NONE, SEQ_REDUCE_NONE));
    assert_int_equal(m->ndim, 0);
    assert_int_equal(n->ndim, 0);
    assert_values(m, 2.5);
    assert_values(n, 2.5);
    seq_release(lp);
    seq_release(t);
    seq_release(m);
    seq_release(n);
}

static void test_nll_loss_reads_a_strided_target(void **state)
{
    (void)state;
    struct seq_tensor *lp = logp_3x4(SEQ_FLOAT64), *r = NULL, *s = NULL;
    struct seq_tensor *t = targets(6, (const int64_t[]){1, 9, 3, 9, 0, 9});
    assert_ok(seq_slice(&s, t, 0, 0, 6, 2)); /* 1, 3, 0 */
    assert_ok(seq_nll_loss(&r, lp, s, IGNORE_NONE, SEQ_REDUCE_NONE));
    assert_values(r, 0.3, 0.9, 2.0);
    seq_release(lp);
    seq_release(t);
    seq_release(s);
    seq_release(r);
}

static void test_nll_loss_reads_a_transposed_input(void **state)
{
    (void)state;
    struct seq_tensor *lp = NULL, *t = NULL, *r = NULL;
    struct seq_tensor *tg = targets(3, (const int64_t[]){1, 3, 0});
    /* the transpose of logp_3x4's transpose */
    lp = tensor_of(SEQ_FLOAT64, 2, SHAPE(4, 3),
                   VALUES(-1.2, -0.7, -2.0, -0.3, -1.1, -0.1, -2.5, -3.3, -5.0,
                          -4.0, -0.9, -1.5));
    assert_ok(seq_transpose(&t, lp, 0, 1));
    assert_ok(seq_nll_loss(&r, t, tg, IGNORE_NONE, SEQ_REDUCE_NONE));
    assert_values(r, 0.3, 0.9, 2.0);
    seq_release(lp);
    seq_release(t);
    seq_release(tg);
    seq_release(r);
}

static void test_nll_loss_rejects_integer_input(void **state)
{
    (void)state;
    struct seq_tensor *lp = NULL, *r = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, 3, 0});
    assert_ok(seq_zeros(&lp, SEQ_INT64, 2, SHAPE(3, 4)));
    assert_fails(seq_nll_loss(&r, lp, t, IGNORE_NONE, SEQ_REDUCE_MEAN),
                 SEQ_EDTYPE, "floating");
    assert_null(r);
    seq_release(lp);
    seq_release(t);
}

static void test_nll_loss_rejects_a_float_target(void **state)
{
    (void)state;
    struct seq_tensor *lp = logp_3x4(SEQ_FLOAT32), *t = NULL, *r = NULL;
    t = tensor_of(SEQ_FLOAT32, 1, SHAPE(3), VALUES(1, 3, 0));
    assert_fails(seq_nll_loss(&r, lp, t, IGNORE_NONE, SEQ_REDUCE_MEAN),
                 SEQ_EDTYPE, "int64");
    assert_null(r);
    seq_release(lp);
    seq_release(t);
}

static void test_nll_loss_rejects_a_target_of_the_wrong_length(void **state)
{
    (void)state;
    struct seq_tensor *lp = logp_3x4(SEQ_FLOAT64), *r = NULL;
    struct seq_tensor *t = targets(2, (const int64_t[]){1, 3});
    assert_fails(seq_nll_loss(&r, lp, t, IGNORE_NONE, SEQ_REDUCE_MEAN),
                 SEQ_ESHAPE, "(3,4)");
    assert_fails(seq_nll_loss(&r, lp, t, IGNORE_NONE, SEQ_REDUCE_MEAN),
                 SEQ_ESHAPE, "(2)");
    assert_null(r);
    seq_release(lp);
    seq_release(t);
}

static void test_nll_loss_rejects_a_3d_input(void **state)
{
    (void)state;
    struct seq_tensor *lp = NULL, *r = NULL;
    struct seq_tensor *t = targets(2, (const int64_t[]){0, 1});
    assert_ok(seq_zeros(&lp, SEQ_FLOAT32, 3, SHAPE(2, 3, 4)));
    assert_fails(seq_nll_loss(&r, lp, t, IGNORE_NONE, SEQ_REDUCE_SUM),
                 SEQ_ESHAPE, "nll_loss");
    assert_null(r);
    seq_release(lp);
    seq_release(t);
}

static void test_nll_loss_rejects_a_target_past_the_last_class(void **state)
{
    (void)state;
    struct seq_tensor *lp = logp_3x4(SEQ_FLOAT64), *r = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, 4, 0});
    assert_fails(seq_nll_loss(&r, lp, t, IGNORE_NONE, SEQ_REDUCE_MEAN),
                 SEQ_EINDEX, "target 4 at position 1");
    assert_null(r);
    seq_release(lp);
    seq_release(t);
}

static void
test_nll_loss_rejects_a_negative_target_that_is_not_ignored(void **state)
{
    (void)state;
    struct seq_tensor *lp = logp_3x4(SEQ_FLOAT64), *r = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, -1, 0});
    assert_fails(seq_nll_loss(&r, lp, t, IGNORE_NONE, SEQ_REDUCE_MEAN),
                 SEQ_EINDEX, "target -1");
    assert_null(r);
    seq_release(lp);
    seq_release(t);
}

static void test_nll_loss_rejects_an_unknown_reduction(void **state)
{
    (void)state;
    struct seq_tensor *lp = logp_3x4(SEQ_FLOAT64), *r = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, 3, 0});
    assert_fails(seq_nll_loss(&r, lp, t, IGNORE_NONE, (enum seq_reduction)9),
                 SEQ_EINVAL, "reduction");
    assert_null(r);
    seq_release(lp);
    seq_release(t);
}

/* ---- cross_entropy
 * ------------------------------------------------------------- */

static struct seq_tensor *logits_3x4(enum seq_dtype dt)
{
    return tensor_of(dt, 2, SHAPE(3, 4),
                     VALUES(1, 2, 0.5, -1, 0, 0, 0, 0, 3, -2, 1, 2));
}

static void test_cross_entropy_none_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = logits_3x4(SEQ_FLOAT64), *r = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, 3, 0});
    assert_ok(seq_cross_entropy(&r, x, t, IGNORE_NONE, SEQ_REDUCE_NONE));
    assert_shape(r, 1, SHAPE(3));
    /* -log_softmax(L)[i, t_i]; the middle one is log 4 */
    assert_values_near(r, 1e-14, 0.495181898085856, 1.3862943611198906,
                       0.41207830689663716);
    seq_release(x);
    seq_release(t);
    seq_release(r);
}

static void test_cross_entropy_mean_and_sum_match_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = logits_3x4(SEQ_FLOAT32), *m = NULL, *s = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, 3, 0});
    assert_ok(seq_cross_entropy(&m, x, t, IGNORE_NONE, SEQ_REDUCE_MEAN));
    assert_ok(seq_cross_entropy(&s, x, t, IGNORE_NONE, SEQ_REDUCE_SUM));
    assert_int_equal(m->dtype, SEQ_FLOAT32);
    assert_values_near(m, 1e-6, 0.7645181887007947);
    assert_values_near(s, 1e-6, 2.293554566102384);
    seq_release(x);
    seq_release(t);
    seq_release(m);
    seq_release(s);
}

static void test_cross_entropy_leaves_ignored_targets_out(void **state)
{
    (void)state;
    struct seq_tensor *x = logits_3x4(SEQ_FLOAT64), *m = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, -100, 0});
    assert_ok(seq_cross_entropy(&m, x, t, -100, SEQ_REDUCE_MEAN));
    assert_values_near(m, 1e-14, 0.4536301024912466);
    seq_release(x);
    seq_release(t);
    seq_release(m);
}

static void test_cross_entropy_of_one_row_with_a_zero_dim_target(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *t = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT64, 1, SHAPE(3), VALUES(0.5, -1, 2));
    assert_ok(seq_scalar(&t, SEQ_INT64, 2));
    assert_ok(seq_cross_entropy(&r, x, t, IGNORE_NONE, SEQ_REDUCE_MEAN));
    assert_int_equal(r->ndim, 0);
    assert_values_near(r, 1e-14, 0.24131129665715703);
    seq_release(x);
    seq_release(t);
    seq_release(r);
}

static void test_cross_entropy_of_huge_logits_is_finite(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    struct seq_tensor *t = targets(2, (const int64_t[]){1, 0});
    x = tensor_of(SEQ_FLOAT32, 2, SHAPE(2, 2), VALUES(1000, 0, 1000, 0));
    assert_ok(seq_cross_entropy(&r, x, t, IGNORE_NONE, SEQ_REDUCE_NONE));
    assert_values(r, 1000, 0);
    seq_release(x);
    seq_release(t);
    seq_release(r);
}

static void test_cross_entropy_rejects_a_target_out_of_range(void **state)
{
    (void)state;
    struct seq_tensor *x = logits_3x4(SEQ_FLOAT64), *r = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, 3, 7});
    assert_fails(seq_cross_entropy(&r, x, t, IGNORE_NONE, SEQ_REDUCE_MEAN),
                 SEQ_EINDEX, "cross_entropy");
    assert_null(r);
    seq_release(x);
    seq_release(t);
}

static void test_cross_entropy_rejects_integer_logits(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    struct seq_tensor *t = targets(3, (const int64_t[]){1, 3, 0});
    assert_ok(seq_ones(&x, SEQ_INT64, 2, SHAPE(3, 4)));
    assert_fails(seq_cross_entropy(&r, x, t, IGNORE_NONE, SEQ_REDUCE_MEAN),
                 SEQ_EDTYPE, "cross_entropy");
    assert_null(r);
    seq_release(x);
    seq_release(t);
}

#define T(f) cmocka_unit_test_setup_teardown(f, note_memory, check_no_leak)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_matmul_of_two_matrices),
        T(test_matmul_of_two_vectors_is_a_zero_dim_dot),
        T(test_matmul_of_a_vector_and_a_matrix_drops_the_row_dim),
        T(test_matmul_of_a_matrix_and_a_vector_drops_the_column_dim),
        T(test_matmul_of_larger_matrices_matches_the_definition),
        T(test_batched_matmul_multiplies_each_pair),
        T(test_batch_dims_broadcast),
        T(test_a_matrix_times_a_batch_broadcasts_the_matrix),
        T(test_a_batch_times_a_matrix_folds_into_one_product),
        T(test_folded_product_with_a_transposed_weight),
        T(test_folded_product_with_a_permuted_batch),
        T(test_a_batch_times_a_vector_gives_a_batch_of_vectors),
        T(test_a_vector_times_a_batch_gives_a_batch_of_vectors),
        T(test_transposed_left_operand_equals_a_contiguous_copy),
        T(test_transposed_right_operand_equals_a_contiguous_copy),
        T(test_both_operands_transposed_match_the_definition),
        T(test_transposed_batches_match_the_definition),
        T(test_column_strided_operand_matches_the_definition),
        T(test_row_strided_and_offset_operands_match_the_definition),
        T(test_sliced_transposed_operand_matches_the_definition),
        T(test_expanded_operand_matches_the_definition),
        T(test_single_row_times_a_transposed_matrix),
        T(test_single_row_taken_from_a_transposed_matrix),
        T(test_vector_times_a_transposed_matrix),
        T(test_transposed_matrix_times_a_single_column),
        T(test_matrix_times_a_column_taken_from_a_matrix),
        T(test_transposed_matrix_times_a_transposed_row),
        T(test_row_times_column_is_a_one_by_one_matrix),
        T(test_batched_single_rows_match_the_definition),
        T(test_batched_single_columns_match_the_definition),
        T(test_folded_product_with_a_single_output_column),
        T(test_matmul_over_an_empty_inner_dim_gives_zeros),
        T(test_batched_matmul_over_an_empty_inner_dim_gives_zeros),
        T(test_matmul_with_no_rows_gives_an_empty_result),
        T(test_float64_matmul_gives_float64),
        T(test_int64_matmul_gives_int64),
        T(test_int64_matmul_is_exact_for_large_products),
        T(test_int64_matmul_with_transposed_operands),
        T(test_float32_times_float64_gives_float64),
        T(test_int64_times_float32_gives_float32),
        T(test_dot_of_two_empty_vectors_is_zero),
        T(test_matmul_rejects_a_zero_dim_operand),
        T(test_matmul_rejects_mismatched_inner_dims_naming_them),
        T(test_matmul_rejects_vectors_of_different_lengths),
        T(test_matmul_rejects_batch_dims_that_do_not_broadcast),
        T(test_outer_multiplies_every_pair),
        T(test_outer_rejects_a_matrix),
        T(test_nll_loss_mean_averages_the_picked_losses),
        T(test_nll_loss_sum_adds_the_picked_losses),
        T(test_nll_loss_none_gives_one_loss_per_row),
        T(test_nll_loss_leaves_ignored_targets_out_of_the_mean),
        T(test_nll_loss_mean_of_all_ignored_targets_is_nan),
        T(test_nll_loss_of_one_row_takes_a_zero_dim_target),
        T(test_nll_loss_reads_a_strided_target),
        T(test_nll_loss_reads_a_transposed_input),
        T(test_nll_loss_rejects_integer_input),
        T(test_nll_loss_rejects_a_float_target),
        T(test_nll_loss_rejects_a_target_of_the_wrong_length),
        T(test_nll_loss_rejects_a_3d_input),
        T(test_nll_loss_rejects_a_target_past_the_last_class),
        T(test_nll_loss_rejects_a_negative_target_that_is_not_ignored),
        T(test_nll_loss_rejects_an_unknown_reduction),
        T(test_cross_entropy_none_matches_numpy),
        T(test_cross_entropy_mean_and_sum_match_numpy),
        T(test_cross_entropy_leaves_ignored_targets_out),
        T(test_cross_entropy_of_one_row_with_a_zero_dim_target),
        T(test_cross_entropy_of_huge_logits_is_finite),
        T(test_cross_entropy_rejects_a_target_out_of_range),
        T(test_cross_entropy_rejects_integer_logits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
