/* test_reduce.c — forward values, shapes and dtypes of the reductions and
 * lane ops: sum, mean, max/min, argmax/argmin, var/std, norm, cumsum,
 * logsumexp, softmax and log_softmax.
 *
 * Expected values come from numpy 1.24 in float64 (tests print the numpy
 * expression next to them) or are worked by hand; gradients are tested
 * elsewhere.  A fixture fails any test that leaves engine memory
 * allocated. */
#include "testutil.h"

#include "seq/error.h"


/* X = ((arange(24) * 7) % 11 - 5).reshape(2, 3, 4) */
static struct seq_tensor *cube(enum seq_dtype dt)
{
    return tensor_of(dt, 3, SHAPE(2, 3, 4),
                     VALUES(-5, 2, -2, 5, 1, -3, 4, 0, -4, 3, -1, -5, 2, -2, 5,
                            1, -3, 4, 0, -4, 3, -1, -5, 2));
}

/* Rows with ties in them, for max/min. */
static struct seq_tensor *ties(void)
{
    return tensor_of(SEQ_FLOAT64, 2, SHAPE(3, 4),
                     VALUES(3, 7, 7, 1, 2, -1, 5, -1, 9, 0, 9, 4));
}

/* S = [[1, 2, 3], [-1, 0, 5]], for logsumexp and softmax. */
static struct seq_tensor *scores(enum seq_dtype dt)
{
    return tensor_of(dt, 2, SHAPE(2, 3), VALUES(1, 2, 3, -1, 0, 5));
}

static struct seq_tensor *ints(int64_t n, const int64_t *v)
{
    struct seq_tensor *t = NULL;
    assert_ok(seq_from_buffer(&t, SEQ_INT64, 1, &n, v));
    return t;
}

/* ---- sum / mean -------------------------------------------------------- */

static void test_sum_over_dim_0(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_sum(&r, x, 0, false));
    assert_shape(r, 2, SHAPE(3, 4));
    assert_values(r, -3, 0, 3, 6, -2, 1, 4, -4, -1, 2, -6, -3);
    seq_release(x);
    seq_release(r);
}

static void test_sum_over_dim_1(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT32), *r = NULL;
    assert_ok(seq_sum(&r, x, 1, false));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_shape(r, 2, SHAPE(2, 4));
    assert_values(r, -8, 2, 1, 0, 2, 1, 0, -1);
    seq_release(x);
    seq_release(r);
}

static void test_sum_over_the_last_dim_by_negative_index(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_sum(&r, x, -1, false));
    assert_shape(r, 2, SHAPE(2, 3));
    assert_values(r, 0, 2, -7, 6, -3, -1);
    seq_release(x);
    seq_release(r);
}

static void test_sum_with_keepdim_keeps_a_size_one_dim(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_sum(&r, x, 1, true));
    assert_shape(r, 3, SHAPE(2, 1, 4));
    assert_values(r, -8, 2, 1, 0, 2, 1, 0, -1);
    seq_release(x);
    seq_release(r);
}

static void test_sum_over_all_dims_gives_a_zero_dim_tensor(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_sum(&r, x, SEQ_DIM_ALL, false));
    assert_int_equal(r->ndim, 0);
    assert_values(r, -3);
    seq_release(x);
    seq_release(r);
}

static void test_sum_over_all_dims_with_keepdim_keeps_every_dim(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_sum(&r, x, SEQ_DIM_ALL, true));
    assert_shape(r, 3, SHAPE(1, 1, 1));
    assert_values(r, -3);
    seq_release(x);
    seq_release(r);
}

static void test_sum_of_int64_stays_int64_and_exact(void **state)
{
    (void)state;
    const int64_t big = (int64_t)1 << 53;
    struct seq_tensor *x = ints(3, (const int64_t[]){big, 1, 1}), *r = NULL;
    assert_ok(seq_sum(&r, x, 0, false));
    assert_int_equal(r->dtype, SEQ_INT64);
    /* a double accumulator would give 2^53 */
    assert_true(*(const int64_t *)seq_data(r) == big + 2);
    seq_release(x);
    seq_release(r);
}

static void test_sum_of_an_empty_dim_is_zero(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    assert_ok(seq_ones(&x, SEQ_FLOAT32, 2, SHAPE(2, 0)));
    assert_ok(seq_sum(&r, x, 1, false));
    assert_shape(r, 1, SHAPE(2));
    assert_values(r, 0, 0);
    seq_release(x);
    seq_release(r);
}

static void test_sum_of_a_transposed_view_reduces_the_right_dim(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT64), *t = NULL, *r = NULL;
    assert_ok(seq_transpose(&t, x, 0, 2)); /* (4,3,2) */
    assert_ok(seq_sum(&r, t, 2, false));   /* = X.sum(0).T */
    assert_shape(r, 2, SHAPE(4, 3));
    assert_values(r, -3, -2, -1, 0, 1, 2, 3, 4, -6, 6, -4, -3);
    seq_release(x);
    seq_release(t);
    seq_release(r);
}

static void test_sum_rejects_an_out_of_range_dim(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT64), *r = NULL;
    assert_fails(seq_sum(&r, x, 3, false), SEQ_EINDEX, "sum");
    assert_fails(seq_sum(&r, x, -4, false), SEQ_EINDEX, "dimension -4");
    assert_null(r);
    seq_release(x);
}

static void test_sum_over_dim_0_of_a_zero_dim_tensor_is_itself(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    assert_ok(seq_scalar(&x, SEQ_FLOAT32, 2.5));
    assert_ok(seq_sum(&r, x, 0, false));
    assert_int_equal(r->ndim, 0);
    assert_values(r, 2.5);
    seq_release(x);
    seq_release(r);
}

static void test_mean_over_a_dim_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_mean(&r, x, 1, false));
    assert_shape(r, 2, SHAPE(2, 4));
    assert_values_near(r, 1e-15, -2.6666666666666665, 0.6666666666666666,
                       0.3333333333333333, 0.0, 0.6666666666666666,
                       0.3333333333333333, 0.0, -0.3333333333333333);
    seq_release(x);
    seq_release(r);
}

static void test_mean_over_all_dims(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT32), *r = NULL;
    assert_ok(seq_mean(&r, x, SEQ_DIM_ALL, false));
    assert_int_equal(r->ndim, 0);
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, -0.125);
    seq_release(x);
    seq_release(r);
}

static void test_mean_of_int64_is_float32(void **state)
{
    (void)state;
    struct seq_tensor *x = ints(4, (const int64_t[]){1, 2, 4, 8}), *r = NULL;
    assert_ok(seq_mean(&r, x, 0, false));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, 3.75);
    seq_release(x);
    seq_release(r);
}

static void test_mean_of_an_empty_tensor_is_nan(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    assert_ok(seq_zeros(&x, SEQ_FLOAT64, 1, SHAPE(0)));
    assert_ok(seq_mean(&r, x, SEQ_DIM_ALL, false));
    assert_values(r, NAN);
    seq_release(x);
    seq_release(r);
}

/* ---- max / min / argmax / argmin --------------------------------------- */

static void test_max_along_a_dim_gives_values_and_first_indices(void **state)
{
    (void)state;
    struct seq_tensor *x = ties(), *v = NULL, *i = NULL;
    assert_ok(seq_max(&v, &i, x, 1, false));
    assert_shape(v, 1, SHAPE(3));
    assert_int_equal(i->dtype, SEQ_INT64);
    assert_values(v, 7, 5, 9);
    assert_values(i, 1, 2, 0); /* ties: 7 at 1 and 2, 9 at 0 and 2 */
    seq_release(x);
    seq_release(v);
    seq_release(i);
}

static void test_min_along_dim_0_gives_values_and_first_indices(void **state)
{
    (void)state;
    struct seq_tensor *x = ties(), *v = NULL, *i = NULL;
    assert_ok(seq_min(&v, &i, x, 0, false));
    assert_values(v, 2, -1, 5, -1);
    assert_values(i, 1, 1, 1, 1);
    seq_release(x);
    seq_release(v);
    seq_release(i);
}

static void test_min_along_a_row_with_tied_minima_picks_the_first(void **state)
{
    (void)state;
    struct seq_tensor *x = ties(), *v = NULL, *i = NULL;
    assert_ok(seq_min(&v, &i, x, 1, true));
    assert_shape(v, 2, SHAPE(3, 1));
    assert_shape(i, 2, SHAPE(3, 1));
    assert_values(v, 1, -1, 0);
    assert_values(i, 3, 1, 1);
    seq_release(x);
    seq_release(v);
    seq_release(i);
}

static void test_max_over_all_dims_gives_the_value_only(void **state)
{
    (void)state;
    struct seq_tensor *x = ties(), *v = NULL;
    assert_ok(seq_max(&v, NULL, x, SEQ_DIM_ALL, false));
    assert_int_equal(v->ndim, 0);
    assert_values(v, 9);
    seq_release(x);
    seq_release(v);
}

static void test_max_indices_over_all_dims_are_refused(void **state)
{
    (void)state;
    struct seq_tensor *x = ties(), *v = NULL, *i = NULL;
    assert_fails(seq_max(&v, &i, x, SEQ_DIM_ALL, false), SEQ_EINVAL, "argmax");
    assert_null(v);
    assert_null(i);
    seq_release(x);
}

static void test_max_and_min_propagate_nan_with_its_index(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *v = NULL, *i = NULL, *w = NULL, *j = NULL;
    x = tensor_of(SEQ_FLOAT32, 1, SHAPE(4), VALUES(1, NAN, 3, NAN));
    assert_ok(seq_max(&v, &i, x, 0, false));
    assert_ok(seq_min(&w, &j, x, 0, false));
    assert_values(v, NAN);
    assert_values(i, 1);
    assert_values(w, NAN);
    assert_values(j, 1);
    seq_release(x);
    seq_release(v);
    seq_release(i);
    seq_release(w);
    seq_release(j);
}

static void test_max_of_int64_keeps_the_dtype(void **state)
{
    (void)state;
    struct seq_tensor *x = ints(3, (const int64_t[]){-4, 9, 0}), *v = NULL;
    assert_ok(seq_max(&v, NULL, x, 0, false));
    assert_int_equal(v->dtype, SEQ_INT64);
    assert_values(v, 9);
    seq_release(x);
    seq_release(v);
}

static void test_max_and_min_of_int64_return_an_element_exactly(void **state)
{
    (void)state;
    /* 2^53 + 1 has no double: a double lane would return 2^53 */
    const int64_t big = ((int64_t)1 << 53) + 1;
    struct seq_tensor *x = ints(2, (const int64_t[]){big, -big});
    struct seq_tensor *mx = NULL, *mn = NULL;
    assert_ok(seq_max(&mx, NULL, x, 0, false));
    assert_ok(seq_min(&mn, NULL, x, 0, false));
    int64_t got_max = *(const int64_t *)seq_data(mx);
    int64_t got_min = *(const int64_t *)seq_data(mn);
    seq_release(x);
    seq_release(mx);
    seq_release(mn);
    if (got_max != big || got_min != -big)
        fail_msg("max %lld, min %lld; expected %lld, %lld", (long long)got_max,
                 (long long)got_min, (long long)big, (long long)-big);
}

static void test_max_of_an_empty_dim_fails(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *v = NULL, *i = NULL;
    assert_ok(seq_zeros(&x, SEQ_FLOAT32, 2, SHAPE(3, 0)));
    assert_fails(seq_max(&v, &i, x, 1, false), SEQ_ESHAPE, "empty");
    assert_fails(seq_min(&v, NULL, x, SEQ_DIM_ALL, false), SEQ_ESHAPE, "empty");
    assert_null(v);
    assert_null(i);
    seq_release(x);
}

static void test_argmax_along_a_dim(void **state)
{
    (void)state;
    struct seq_tensor *x = ties(), *r = NULL;
    assert_ok(seq_argmax(&r, x, 0, false));
    assert_int_equal(r->dtype, SEQ_INT64);
    assert_shape(r, 1, SHAPE(4));
    assert_values(r, 2, 0, 2, 2);
    seq_release(x);
    seq_release(r);
}

static void test_argmin_along_a_dim_with_keepdim(void **state)
{
    (void)state;
    struct seq_tensor *x = ties(), *r = NULL;
    assert_ok(seq_argmin(&r, x, -1, true));
    assert_shape(r, 2, SHAPE(3, 1));
    assert_values(r, 3, 1, 1);
    seq_release(x);
    seq_release(r);
}

static void test_argmax_over_all_dims_gives_the_first_flat_index(void **state)
{
    (void)state;
    struct seq_tensor *x = ties(), *r = NULL;
    assert_ok(seq_argmax(&r, x, SEQ_DIM_ALL, false));
    assert_int_equal(r->ndim, 0);
    assert_values(r, 8); /* 9 at (2,0) and (2,2) */
    seq_release(x);
    seq_release(r);
}

static void test_argmin_over_all_dims_of_a_transposed_view(void **state)
{
    (void)state;
    struct seq_tensor *x = ties(), *t = NULL, *r = NULL;
    assert_ok(seq_transpose(&t, x, 0, 1));
    /* t = [[3,2,9],[7,-1,0],[7,5,9],[1,-1,4]]: first -1 at flat 4 */
    assert_ok(seq_argmin(&r, t, SEQ_DIM_ALL, false));
    assert_values(r, 4);
    seq_release(x);
    seq_release(t);
    seq_release(r);
}

static void test_argmax_of_an_empty_tensor_fails(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    assert_ok(seq_zeros(&x, SEQ_FLOAT64, 1, SHAPE(0)));
    assert_fails(seq_argmax(&r, x, 0, false), SEQ_ESHAPE, "argmax");
    assert_fails(seq_argmin(&r, x, SEQ_DIM_ALL, false), SEQ_ESHAPE, "argmin");
    assert_null(r);
    seq_release(x);
}

/* ---- var / std ----------------------------------------------------------- */

/* V: rows of different spread, the last constant. */
static struct seq_tensor *spread(enum seq_dtype dt)
{
    return tensor_of(dt, 2, SHAPE(3, 4),
                     VALUES(2.5, -1, 4, 7.25, 0, 3, 3, -6.5, 1, 1, 1, 1));
}

static void test_var_with_correction_0_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = spread(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_var(&r, x, 1, 0, false));
    assert_values_near(r, 1e-14, 8.79296875, 15.046875, 0.0); /* V.var(1) */
    seq_release(x);
    seq_release(r);
}

static void test_var_with_correction_1_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = spread(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_var(&r, x, 1, 1, false));
    /* V.var(1, ddof=1) */
    assert_values_near(r, 1e-14, 11.723958333333334, 20.0625, 0.0);
    seq_release(x);
    seq_release(r);
}

static void test_var_along_dim_0_with_keepdim(void **state)
{
    (void)state;
    struct seq_tensor *x = spread(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_var(&r, x, 0, 1, true));
    assert_shape(r, 2, SHAPE(1, 4));
    /* V.var(0, ddof=1) */
    assert_values_near(r, 1e-14, 1.5833333333333335, 4.0, 2.333333333333333,
                       47.395833333333336);
    seq_release(x);
    seq_release(r);
}

static void test_var_over_all_dims(void **state)
{
    (void)state;
    struct seq_tensor *x = spread(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_var(&r, x, SEQ_DIM_ALL, 1, false));
    assert_int_equal(r->ndim, 0);
    assert_values_near(r, 1e-14, 10.73248106060606); /* V.var(ddof=1) */
    seq_release(x);
    seq_release(r);
}

static void test_std_with_correction_1_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = spread(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_std(&r, x, 1, 1, false));
    /* V.std(1, ddof=1) */
    assert_values_near(r, 1e-14, 3.424026625675293, 4.479118216792229, 0.0);
    seq_release(x);
    seq_release(r);
}

static void test_std_with_correction_0_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = spread(SEQ_FLOAT32), *r = NULL;
    assert_ok(seq_std(&r, x, 0, 0, false));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    /* V.std(0) */
    assert_values_near(r, 1e-6, 1.0274023338281628, 1.632993161855452,
                       1.247219128924647, 5.621140651346685);
    seq_release(x);
    seq_release(r);
}

static void test_var_of_int64_is_float32(void **state)
{
    (void)state;
    struct seq_tensor *x = ints(4, (const int64_t[]){4, -1, 2, 7});
    struct seq_tensor *r = NULL;
    assert_ok(seq_var(&r, x, 0, 1, false));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    /* mean 3, squares 1+16+1+16 = 34, / 3 */
    assert_values_near(r, 1e-6, 34.0 / 3);
    seq_release(x);
    seq_release(r);
}

static void test_var_of_one_element_with_correction_1_is_nan(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT64, 2, SHAPE(2, 1), VALUES(3, 4));
    assert_ok(seq_var(&r, x, 1, 1, false));
    assert_values(r, NAN, NAN);
    seq_release(x);
    seq_release(r);
}

static void
test_var_with_correction_above_the_count_is_not_negative(void **state)
{
    (void)state;
    /* PyTorch divides by max(0, N - correction): 0.5 / 0 = inf */
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT64, 1, SHAPE(2), VALUES(1, 2));
    assert_ok(seq_var(&r, x, 0, 3, false));
    assert_values(r, INFINITY);
    seq_release(x);
    seq_release(r);
}

static void test_var_rejects_a_negative_correction(void **state)
{
    (void)state;
    struct seq_tensor *x = spread(SEQ_FLOAT64), *r = NULL;
    assert_fails(seq_var(&r, x, 1, -1, false), SEQ_EINVAL, "correction");
    assert_null(r);
    seq_release(x);
}

/* ---- norm ---------------------------------------------------------------- */

static struct seq_tensor *norm_input(void)
{
    return tensor_of(SEQ_FLOAT64, 2, SHAPE(2, 3), VALUES(3, -4, 12, 1, -2, 2));
}

static void test_norm_1_sums_absolute_values(void **state)
{
    (void)state;
    struct seq_tensor *x = norm_input(), *r = NULL, *c = NULL;
    assert_ok(seq_norm(&r, x, 1, 1, false));
    assert_ok(seq_norm(&c, x, 1, 0, false));
    assert_values(r, 19, 5);
    assert_values(c, 4, 6, 14);
    seq_release(x);
    seq_release(r);
    seq_release(c);
}

static void test_norm_2_is_the_euclidean_length(void **state)
{
    (void)state;
    struct seq_tensor *x = norm_input(), *r = NULL, *c = NULL;
    assert_ok(seq_norm(&r, x, 2, 1, false));
    assert_ok(seq_norm(&c, x, 2, 0, true));
    assert_values_near(r, 1e-15, 13, 3);
    assert_shape(c, 2, SHAPE(1, 3));
    /* np.linalg.norm(N, axis=0) */
    assert_values_near(c, 1e-15, 3.1622776601683795, 4.47213595499958,
                       12.165525060596439);
    seq_release(x);
    seq_release(r);
    seq_release(c);
}

static void test_norm_inf_is_the_largest_absolute_value(void **state)
{
    (void)state;
    struct seq_tensor *x = norm_input(), *r = NULL, *c = NULL;
    assert_ok(seq_norm(&r, x, INFINITY, 1, false));
    assert_ok(seq_norm(&c, x, INFINITY, 0, false));
    assert_values(r, 12, 2);
    assert_values(c, 3, 4, 12);
    seq_release(x);
    seq_release(r);
    seq_release(c);
}

static void test_norm_3_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = norm_input(), *r = NULL, *c = NULL;
    assert_ok(seq_norm(&r, x, 3, 1, false));
    assert_ok(seq_norm(&c, x, 3, 0, false));
    /* np.linalg.norm(N, ord=3, axis=1 / axis=0) */
    assert_values_near(r, 1e-14, 12.207054953820636, 2.571281590658235);
    assert_values_near(c, 1e-14, 3.0365889718756622, 4.160167646103808,
                       12.018490013834732);
    seq_release(x);
    seq_release(r);
    seq_release(c);
}

static void test_norm_over_all_dims(void **state)
{
    (void)state;
    struct seq_tensor *x = norm_input(), *r2 = NULL, *r3 = NULL;
    assert_ok(seq_norm(&r2, x, 2, SEQ_DIM_ALL, false));
    assert_ok(seq_norm(&r3, x, 3, SEQ_DIM_ALL, false));
    assert_int_equal(r2->ndim, 0);
    assert_values_near(r2, 1e-15, 13.341664064126334);
    assert_values_near(r3, 1e-14, 12.244965305752043);
    seq_release(x);
    seq_release(r2);
    seq_release(r3);
}

static void test_norm_2_of_huge_values_does_not_overflow(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT64, 1, SHAPE(2), VALUES(1e200, 1e200));
    assert_ok(seq_norm(&r, x, 2, 0, false));
    assert_values_near(r, 1e-15, 1.4142135623730951e200); /* np.hypot */
    seq_release(x);
    seq_release(r);
}

static void test_norm_2_of_tiny_values_does_not_underflow(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT64, 1, SHAPE(2), VALUES(3e-200, -4e-200));
    assert_ok(seq_norm(&r, x, 2, 0, false));
    assert_values_near(r, 1e-15, 5e-200);
    seq_release(x);
    seq_release(r);
}

static void test_norm_2_of_several_infinities_is_infinity(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT64, 2, SHAPE(2, 3),
                  VALUES(INFINITY, -INFINITY, 1, INFINITY, NAN, 1));
    assert_ok(seq_norm(&r, x, 2, 1, false));
    assert_values(r, INFINITY, NAN); /* a NaN anywhere still wins */
    seq_release(x);
    seq_release(r);
}

static void test_norm_of_int64_is_float32(void **state)
{
    (void)state;
    struct seq_tensor *x = ints(2, (const int64_t[]){3, -4}), *r = NULL;
    assert_ok(seq_norm(&r, x, 2, 0, false));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, 5);
    seq_release(x);
    seq_release(r);
}

static void test_norm_rejects_a_non_positive_p(void **state)
{
    (void)state;
    struct seq_tensor *x = norm_input(), *r = NULL;
    assert_fails(seq_norm(&r, x, 0, 1, false), SEQ_EINVAL, "p");
    assert_fails(seq_norm(&r, x, NAN, 1, false), SEQ_EINVAL, "norm");
    assert_null(r);
    seq_release(x);
}

/* ---- cumsum -------------------------------------------------------------- */

static void test_cumsum_along_dim_0(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT64, 2, SHAPE(2, 3), VALUES(1, 2, 3, 4, 5, 6));
    assert_ok(seq_cumsum(&r, x, 0));
    assert_shape(r, 2, SHAPE(2, 3));
    assert_values(r, 1, 2, 3, 5, 7, 9);
    seq_release(x);
    seq_release(r);
}

static void test_cumsum_along_the_last_dim(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT32, 2, SHAPE(2, 3), VALUES(1, 2, 3, 4, 5, 6));
    assert_ok(seq_cumsum(&r, x, -1));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, 1, 3, 6, 4, 9, 15);
    seq_release(x);
    seq_release(r);
}

static void test_cumsum_of_int64_stays_int64(void **state)
{
    (void)state;
    struct seq_tensor *x = ints(4, (const int64_t[]){5, -2, 7, 1}), *r = NULL;
    assert_ok(seq_cumsum(&r, x, 0));
    assert_int_equal(r->dtype, SEQ_INT64);
    assert_values(r, 5, 3, 10, 11);
    seq_release(x);
    seq_release(r);
}

static void test_cumsum_of_int64_is_exact_past_2_to_the_53(void **state)
{
    (void)state;
    const int64_t big = (int64_t)1 << 53;
    struct seq_tensor *x = ints(3, (const int64_t[]){big, 1, 1}), *r = NULL;
    assert_ok(seq_cumsum(&r, x, 0));
    const int64_t *p = seq_data(r);
    int64_t got1 = p[1], got2 = p[2];
    seq_release(x);
    seq_release(r);
    if (got1 != big + 1 || got2 != big + 2)
        fail_msg("cumsum gave %lld, %lld; expected %lld, %lld", (long long)got1,
                 (long long)got2, (long long)(big + 1), (long long)(big + 2));
}

static void test_cumsum_rejects_an_out_of_range_dim(void **state)
{
    (void)state;
    struct seq_tensor *x = ints(2, (const int64_t[]){1, 2}), *r = NULL;
    assert_fails(seq_cumsum(&r, x, 1), SEQ_EINDEX, "cumsum");
    assert_null(r);
    seq_release(x);
}

/* ---- logsumexp ----------------------------------------------------------- */

static void test_logsumexp_along_each_dim_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = scores(SEQ_FLOAT64), *r1 = NULL, *r0 = NULL;
    assert_ok(seq_logsumexp(&r1, x, 1, false));
    assert_ok(seq_logsumexp(&r0, x, 0, true));
    /* np.log(np.exp(S).sum(axis)) */
    assert_values_near(r1, 1e-15, 3.40760596444438, 5.0091744845917345);
    assert_shape(r0, 2, SHAPE(1, 3));
    assert_values_near(r0, 1e-15, 1.1269280110429725, 2.1269280110429722,
                       5.126928011042972);
    seq_release(x);
    seq_release(r1);
    seq_release(r0);
}

static void test_logsumexp_over_all_dims(void **state)
{
    (void)state;
    struct seq_tensor *x = scores(SEQ_FLOAT32), *r = NULL;
    assert_ok(seq_logsumexp(&r, x, SEQ_DIM_ALL, false));
    assert_int_equal(r->ndim, 0);
    assert_values_near(r, 1e-6, 5.1928119148004015);
    seq_release(x);
    seq_release(r);
}

static void test_logsumexp_of_large_values_is_finite(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        enum seq_dtype dt = k ? SEQ_FLOAT64 : SEQ_FLOAT32;
        struct seq_tensor *x = NULL, *r = NULL;
        x = tensor_of(dt, 1, SHAPE(2), VALUES(1000, 1000));
        assert_ok(seq_logsumexp(&r, x, 0, false));
        /* 1000 + log 2 */
        assert_values_near(r, k ? 1e-15 : 1e-7, 1000.6931471805599);
        seq_release(x);
        seq_release(r);
    }
}

static void test_logsumexp_of_all_minus_infinity_is_minus_infinity(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT64, 2, SHAPE(2, 2),
                  VALUES(-INFINITY, -INFINITY, 0, -INFINITY));
    assert_ok(seq_logsumexp(&r, x, 1, false));
    assert_values(r, -INFINITY, 0);
    seq_release(x);
    seq_release(r);
}

static void test_logsumexp_with_plus_infinity_is_plus_infinity(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT64, 1, SHAPE(3), VALUES(1, INFINITY, -2));
    assert_ok(seq_logsumexp(&r, x, 0, false));
    assert_values(r, INFINITY);
    seq_release(x);
    seq_release(r);
}

static void test_logsumexp_of_int64_is_float32(void **state)
{
    (void)state;
    struct seq_tensor *x = ints(2, (const int64_t[]){0, 0}), *r = NULL;
    assert_ok(seq_logsumexp(&r, x, 0, false));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values_near(r, 1e-7, 0.6931471805599453);
    seq_release(x);
    seq_release(r);
}

/* ---- softmax / log_softmax ------------------------------------------------
 */

static void test_softmax_along_the_last_dim_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = scores(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_softmax(&r, x, -1));
    assert_shape(r, 2, SHAPE(2, 3));
    assert_values_near(r, 1e-14, 0.09003057317038046, 0.24472847105479767,
                       0.6652409557748219, 0.002456114904450954,
                       0.006676412513376451, 0.9908674725821726);
    seq_release(x);
    seq_release(r);
}

static void test_softmax_along_dim_0_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = scores(SEQ_FLOAT32), *r = NULL;
    assert_ok(seq_softmax(&r, x, 0));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values_near(r, 1e-6, 0.8807970779778824, 0.8807970779778824,
                       0.11920292202211756, 0.11920292202211759,
                       0.11920292202211755, 0.8807970779778824);
    seq_release(x);
    seq_release(r);
}

static void test_log_softmax_along_each_dim_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = scores(SEQ_FLOAT64), *r1 = NULL, *r0 = NULL;
    assert_ok(seq_log_softmax(&r1, x, 1));
    assert_ok(seq_log_softmax(&r0, x, 0));
    /* x - log(sum(exp(x))) in 40-digit mpmath, rounded to double */
    assert_values_near(r1, 1e-14, -2.40760596444438, -1.4076059644443804,
                       -0.4076059644443803, -6.0091744845917345,
                       -5.0091744845917345, -0.009174484591734701);
    assert_values_near(r0, 1e-14, -0.1269280110429725, -0.1269280110429725,
                       -2.1269280110429727, -2.1269280110429727,
                       -2.1269280110429727, -0.1269280110429725);
    seq_release(x);
    seq_release(r1);
    seq_release(r0);
}

/* Sums of a (2,3,4) tensor along dim d, computed here from copied-out
 * values, each compared to 1. */
static void assert_lanes_sum_to_one(const struct seq_tensor *t, int d)
{
    double v[24], sums[24] = {0};
    const int64_t stride[3] = {12, 4, 1};
    assert_ok(seq_copy_out(v, SEQ_FLOAT64, t));
    for (int i = 0; i < 24; i++) {
        int64_t idx = i - ((i / stride[d]) % t->shape[d]) * stride[d];
        sums[idx] += v[i];
    }
    for (int i = 0; i < 24; i++)
        if ((i / stride[d]) % t->shape[d] == 0 && fabs(sums[i] - 1) > 1e-12)
            fail_msg("dim %d: lane at %d sums to %.17g", d, i, sums[i]);
}

static void test_softmax_lanes_sum_to_one_along_each_dim(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT64);
    for (int d = 0; d < 3; d++) {
        struct seq_tensor *r = NULL;
        assert_ok(seq_softmax(&r, x, d));
        assert_shape(r, 3, SHAPE(2, 3, 4));
        assert_lanes_sum_to_one(r, d);
        seq_release(r);
    }
    seq_release(x);
}

static void test_exp_of_log_softmax_sums_to_one_along_each_dim(void **state)
{
    (void)state;
    struct seq_tensor *x = cube(SEQ_FLOAT64);
    for (int d = 0; d < 3; d++) {
        struct seq_tensor *r = NULL, *e = NULL;
        assert_ok(seq_log_softmax(&r, x, d));
        assert_ok(seq_exp(&e, r));
        assert_lanes_sum_to_one(e, d);
        seq_release(r);
        seq_release(e);
    }
    seq_release(x);
}

static void test_softmax_is_unchanged_by_adding_a_constant(void **state)
{
    (void)state;
    struct seq_tensor *x = scores(SEQ_FLOAT64), *y = NULL, *a = NULL, *b = NULL,
                      *la = NULL, *lb = NULL;
    double want[6], lwant[6];
    assert_ok(seq_binary_scalar(&y, SEQ_OP_ADD, x, 100, false));
    assert_ok(seq_softmax(&a, x, 1));
    assert_ok(seq_softmax(&b, y, 1));
    assert_ok(seq_log_softmax(&la, x, 1));
    assert_ok(seq_log_softmax(&lb, y, 1));
    assert_ok(seq_copy_out(want, SEQ_FLOAT64, a));
    assert_ok(seq_copy_out(lwant, SEQ_FLOAT64, la));
    assert_tensor_close(b, want, 6, 1e-12, 1e-15);
    assert_tensor_close(lb, lwant, 6, 1e-12, 1e-12);
    seq_release(x);
    seq_release(y);
    seq_release(a);
    seq_release(b);
    seq_release(la);
    seq_release(lb);
}

static void test_softmax_of_a_huge_gap_is_finite(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        enum seq_dtype dt = k ? SEQ_FLOAT64 : SEQ_FLOAT32;
        struct seq_tensor *x = NULL, *s = NULL, *l = NULL;
        x = tensor_of(dt, 1, SHAPE(2), VALUES(1000, 0));
        assert_ok(seq_softmax(&s, x, 0));
        assert_ok(seq_log_softmax(&l, x, 0));
        assert_values(s, 1, 0); /* exp(-1000) underflows to 0 */
        assert_values(l, 0, -1000);
        seq_release(x);
        seq_release(s);
        seq_release(l);
    }
}

static void
test_softmax_of_a_transposed_view_equals_that_of_a_copy(void **state)
{
    (void)state;
    struct seq_tensor *x = scores(SEQ_FLOAT64), *t = NULL, *c = NULL,
                      *r1 = NULL, *r2 = NULL;
    double want[6];
    assert_ok(seq_transpose(&t, x, 0, 1));
    assert_ok(seq_contiguous(&c, t));
    assert_ok(seq_softmax(&r1, t, 1));
    assert_ok(seq_softmax(&r2, c, 1));
    assert_ok(seq_copy_out(want, SEQ_FLOAT64, r2));
    assert_tensor_close(r1, want, 6, 0, 0);
    seq_release(x);
    seq_release(t);
    seq_release(c);
    seq_release(r1);
    seq_release(r2);
}

static void test_softmax_of_int64_is_float32(void **state)
{
    (void)state;
    struct seq_tensor *x = ints(2, (const int64_t[]){3, 3}), *r = NULL;
    assert_ok(seq_softmax(&r, x, 0));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, 0.5, 0.5);
    seq_release(x);
    seq_release(r);
}

static void test_softmax_rejects_an_out_of_range_dim(void **state)
{
    (void)state;
    struct seq_tensor *x = scores(SEQ_FLOAT32), *r = NULL;
    assert_fails(seq_softmax(&r, x, 2), SEQ_EINDEX, "softmax");
    assert_fails(seq_log_softmax(&r, x, -3), SEQ_EINDEX, "log_softmax");
    assert_null(r);
    seq_release(x);
}

#define T(f) cmocka_unit_test_setup_teardown(f, note_memory, check_no_leak)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sum_over_dim_0),
        T(test_sum_over_dim_1),
        T(test_sum_over_the_last_dim_by_negative_index),
        T(test_sum_with_keepdim_keeps_a_size_one_dim),
        T(test_sum_over_all_dims_gives_a_zero_dim_tensor),
        T(test_sum_over_all_dims_with_keepdim_keeps_every_dim),
        T(test_sum_of_int64_stays_int64_and_exact),
        T(test_sum_of_an_empty_dim_is_zero),
        T(test_sum_of_a_transposed_view_reduces_the_right_dim),
        T(test_sum_rejects_an_out_of_range_dim),
        T(test_sum_over_dim_0_of_a_zero_dim_tensor_is_itself),
        T(test_mean_over_a_dim_matches_numpy),
        T(test_mean_over_all_dims),
        T(test_mean_of_int64_is_float32),
        T(test_mean_of_an_empty_tensor_is_nan),
        T(test_max_along_a_dim_gives_values_and_first_indices),
        T(test_min_along_dim_0_gives_values_and_first_indices),
        T(test_min_along_a_row_with_tied_minima_picks_the_first),
        T(test_max_over_all_dims_gives_the_value_only),
        T(test_max_indices_over_all_dims_are_refused),
        T(test_max_and_min_propagate_nan_with_its_index),
        T(test_max_of_int64_keeps_the_dtype),
        T(test_max_and_min_of_int64_return_an_element_exactly),
        T(test_max_of_an_empty_dim_fails),
        T(test_argmax_along_a_dim),
        T(test_argmin_along_a_dim_with_keepdim),
        T(test_argmax_over_all_dims_gives_the_first_flat_index),
        T(test_argmin_over_all_dims_of_a_transposed_view),
        T(test_argmax_of_an_empty_tensor_fails),
        T(test_var_with_correction_0_matches_numpy),
        T(test_var_with_correction_1_matches_numpy),
        T(test_var_along_dim_0_with_keepdim),
        T(test_var_over_all_dims),
        T(test_std_with_correction_1_matches_numpy),
        T(test_std_with_correction_0_matches_numpy),
        T(test_var_of_int64_is_float32),
        T(test_var_of_one_element_with_correction_1_is_nan),
        T(test_var_with_correction_above_the_count_is_not_negative),
        T(test_var_rejects_a_negative_correction),
        T(test_norm_1_sums_absolute_values),
        T(test_norm_2_is_the_euclidean_length),
        T(test_norm_inf_is_the_largest_absolute_value),
        T(test_norm_3_matches_numpy),
        T(test_norm_over_all_dims),
        T(test_norm_2_of_huge_values_does_not_overflow),
        T(test_norm_2_of_tiny_values_does_not_underflow),
        T(test_norm_2_of_several_infinities_is_infinity),
        T(test_norm_of_int64_is_float32),
        T(test_norm_rejects_a_non_positive_p),
        T(test_cumsum_along_dim_0),
        T(test_cumsum_along_the_last_dim),
        T(test_cumsum_of_int64_stays_int64),
        T(test_cumsum_of_int64_is_exact_past_2_to_the_53),
        T(test_cumsum_rejects_an_out_of_range_dim),
        T(test_logsumexp_along_each_dim_matches_numpy),
        T(test_logsumexp_over_all_dims),
        T(test_logsumexp_of_large_values_is_finite),
        T(test_logsumexp_of_all_minus_infinity_is_minus_infinity),
        T(test_logsumexp_with_plus_infinity_is_plus_infinity),
        T(test_logsumexp_of_int64_is_float32),
        T(test_softmax_along_the_last_dim_matches_numpy),
        T(test_softmax_along_dim_0_matches_numpy),
        T(test_log_softmax_along_each_dim_matches_numpy),
        T(test_softmax_lanes_sum_to_one_along_each_dim),
        T(test_exp_of_log_softmax_sums_to_one_along_each_dim),
        T(test_softmax_is_unchanged_by_adding_a_constant),
        T(test_softmax_of_a_huge_gap_is_finite),
        T(test_softmax_of_a_transposed_view_equals_that_of_a_copy),
        T(test_softmax_of_int64_is_float32),
        T(test_softmax_rejects_an_out_of_range_dim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
