/* test_elementwise.c — forward values, dtypes and broadcasting of the binary
 * and unary elementwise ops, the scalar forms and clamp.
 *
 * Expected values were computed by numpy 1.24 (float64 unless noted) or by
 * hand; none were copied from the engine.  Gradients are tested elsewhere.
 * A fixture fails any test that leaves engine memory allocated. */
#include "testutil.h"

#include "seq/error.h"


/* The two (2,3) operands most binary tests use. */
static struct seq_tensor *lhs(enum seq_dtype dt)
{
    return tensor_of(dt, 2, SHAPE(2, 3), VALUES(1.5, -2, 3, 0.5, 4, -1));
}

static struct seq_tensor *rhs(enum seq_dtype dt)
{
    return tensor_of(dt, 2, SHAPE(2, 3), VALUES(2, 0.5, -3, 0.25, 4, 2));
}

static struct seq_tensor *ints(int64_t n, const int64_t *v)
{
    struct seq_tensor *t = NULL;
    assert_ok(seq_from_buffer(&t, SEQ_INT64, 1, &n, v));
    return t;
}

/* Runs op on lhs/rhs in dt and checks the result against want (6 values). */
static void check_binary(enum seq_binop op, enum seq_dtype dt,
                         const double *want, double rtol)
{
    struct seq_tensor *a = lhs(dt), *b = rhs(dt), *r = NULL;
    assert_ok(seq_binary(&r, op, a, b));
    assert_int_equal(r->dtype, dt);
    assert_shape(r, 2, SHAPE(2, 3));
    assert_tensor_close(r, want, 6, rtol, 0);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

/* ---- binary ops ---------------------------------------------------------- */

static void test_add_adds_elementwise(void **state)
{
    (void)state;
    check_binary(SEQ_OP_ADD, SEQ_FLOAT64, VALUES(3.5, -1.5, 0, 0.75, 8, 1), 0);
}

static void test_sub_subtracts_elementwise(void **state)
{
    (void)state;
    check_binary(SEQ_OP_SUB, SEQ_FLOAT32, VALUES(-0.5, -2.5, 6, 0.25, 0, -3),
                 0);
}

static void test_mul_multiplies_elementwise(void **state)
{
    (void)state;
    check_binary(SEQ_OP_MUL, SEQ_FLOAT64, VALUES(3, -1, -9, 0.125, 16, -2), 0);
}

static void test_div_divides_elementwise(void **state)
{
    (void)state;
    check_binary(SEQ_OP_DIV, SEQ_FLOAT32, VALUES(0.75, -4, -1, 2, 1, -0.5), 0);
}

static void test_div_by_zero_gives_signed_infinity_and_nan(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *z = NULL, *r = NULL;
    a = tensor_of(SEQ_FLOAT64, 1, SHAPE(3), VALUES(1, -1, 0));
    assert_ok(seq_zeros(&z, SEQ_FLOAT64, 1, SHAPE(3)));
    assert_ok(seq_div(&r, a, z));
    assert_values(r, INFINITY, -INFINITY, NAN);
    seq_release(a);
    seq_release(z);
    seq_release(r);
}

static void test_pow_raises_elementwise(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    a = tensor_of(SEQ_FLOAT64, 1, SHAPE(6), VALUES(2, 3, 4, 9, 0.5, 1.5));
    b = tensor_of(SEQ_FLOAT64, 1, SHAPE(6), VALUES(3, 0.5, -1, 0.5, 2, 2.5));
    assert_ok(seq_pow(&r, a, b));
    assert_values_near(r, 1e-15, 8.0, 1.7320508075688772, 0.25, 3.0, 0.25,
                       2.7556759606310752);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_pow_in_float32_matches_numpy_float32(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    a = tensor_of(SEQ_FLOAT32, 1, SHAPE(3), VALUES(3, 9, 1.5));
    b = tensor_of(SEQ_FLOAT32, 1, SHAPE(3), VALUES(0.5, 0.5, 2.5));
    assert_ok(seq_pow(&r, a, b));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values_near(r, 1e-7, 1.732050895690918, 3.0, 2.755676031112671);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_int64_pow_stays_int64(void **state)
{
    (void)state;
    struct seq_tensor *a = ints(3, (const int64_t[]){2, -3, 7});
    struct seq_tensor *b = ints(3, (const int64_t[]){10, 3, 0}), *r = NULL;
    assert_ok(seq_pow(&r, a, b));
    assert_int_equal(r->dtype, SEQ_INT64);
    assert_values(r, 1024, -27, 1);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_maximum_and_minimum_pick_elementwise(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *mx = NULL, *mn = NULL;
    a = tensor_of(SEQ_FLOAT32, 1, SHAPE(4), VALUES(1, 5, 3, -2));
    b = tensor_of(SEQ_FLOAT32, 1, SHAPE(4), VALUES(4, 2, 3, -7));
    assert_ok(seq_maximum(&mx, a, b));
    assert_ok(seq_minimum(&mn, a, b));
    assert_values(mx, 4, 5, 3, -2);
    assert_values(mn, 1, 2, 3, -7);
    seq_release(a);
    seq_release(b);
    seq_release(mx);
    seq_release(mn);
}

static void
test_maximum_and_minimum_propagate_nan_from_either_side(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *mx = NULL, *mn = NULL;
    a = tensor_of(SEQ_FLOAT64, 1, SHAPE(4), VALUES(NAN, 1, 2, NAN));
    b = tensor_of(SEQ_FLOAT64, 1, SHAPE(4), VALUES(0, NAN, 1, NAN));
    assert_ok(seq_maximum(&mx, a, b));
    assert_ok(seq_minimum(&mn, a, b));
    assert_values(mx, NAN, NAN, 2, NAN);
    assert_values(mn, NAN, NAN, 1, NAN);
    seq_release(a);
    seq_release(b);
    seq_release(mx);
    seq_release(mn);
}

/* The six comparisons of x = (1, 2, 3) against y = (2, 2, 2). */
static void check_compare(enum seq_binop op, enum seq_dtype dt,
                          const double *want)
{
    struct seq_tensor *x = NULL, *y = NULL, *r = NULL;
    x = tensor_of(dt, 1, SHAPE(3), VALUES(1, 2, 3));
    y = tensor_of(dt, 1, SHAPE(3), VALUES(2, 2, 2));
    assert_ok(seq_binary(&r, op, x, y));
    assert_int_equal(r->dtype, dt);
    assert_tensor_close(r, want, 3, 0, 0);
    seq_release(x);
    seq_release(y);
    seq_release(r);
}

static void test_eq_gives_one_where_equal(void **state)
{
    (void)state;
    check_compare(SEQ_OP_EQ, SEQ_FLOAT32, VALUES(0, 1, 0));
}

static void test_ne_gives_one_where_different(void **state)
{
    (void)state;
    check_compare(SEQ_OP_NE, SEQ_FLOAT64, VALUES(1, 0, 1));
}

static void test_lt_gives_one_where_less(void **state)
{
    (void)state;
    check_compare(SEQ_OP_LT, SEQ_INT64, VALUES(1, 0, 0));
}

static void test_le_gives_one_where_less_or_equal(void **state)
{
    (void)state;
    check_compare(SEQ_OP_LE, SEQ_FLOAT32, VALUES(1, 1, 0));
}

static void test_gt_gives_one_where_greater(void **state)
{
    (void)state;
    check_compare(SEQ_OP_GT, SEQ_FLOAT64, VALUES(0, 0, 1));
}

static void test_ge_gives_one_where_greater_or_equal(void **state)
{
    (void)state;
    check_compare(SEQ_OP_GE, SEQ_INT64, VALUES(0, 1, 1));
}

static void test_comparisons_with_nan_are_false_except_ne(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *eq = NULL, *ne = NULL, *le = NULL;
    a = tensor_of(SEQ_FLOAT32, 1, SHAPE(2), VALUES(NAN, 1));
    b = tensor_of(SEQ_FLOAT32, 1, SHAPE(2), VALUES(NAN, NAN));
    assert_ok(seq_binary(&eq, SEQ_OP_EQ, a, b));
    assert_ok(seq_binary(&ne, SEQ_OP_NE, a, b));
    assert_ok(seq_binary(&le, SEQ_OP_LE, a, b));
    assert_values(eq, 0, 0);
    assert_values(ne, 1, 1);
    assert_values(le, 0, 0);
    seq_release(a);
    seq_release(b);
    seq_release(eq);
    seq_release(ne);
    seq_release(le);
}

static void test_binary_rejects_an_unknown_op(void **state)
{
    (void)state;
    struct seq_tensor *a = lhs(SEQ_FLOAT32), *r = NULL;
    assert_fails(seq_binary(&r, (enum seq_binop)99, a, a), SEQ_EINVAL,
                 "unknown op");
    assert_null(r);
    seq_release(a);
}

/* ---- broadcasting -------------------------------------------------------- */

static void test_row_plus_column_broadcasts_to_a_matrix(void **state)
{
    (void)state;
    struct seq_tensor *row = NULL, *col = NULL, *r = NULL;
    row = tensor_of(SEQ_FLOAT32, 2, SHAPE(1, 3), VALUES(1, 2, 3));
    col = tensor_of(SEQ_FLOAT32, 2, SHAPE(2, 1), VALUES(10, 20));
    assert_ok(seq_add(&r, row, col));
    assert_shape(r, 2, SHAPE(2, 3));
    assert_values(r, 11, 12, 13, 21, 22, 23);
    seq_release(row);
    seq_release(col);
    seq_release(r);
}

static void test_column_minus_row_broadcasts_in_operand_order(void **state)
{
    (void)state;
    struct seq_tensor *row = NULL, *col = NULL, *r = NULL;
    row = tensor_of(SEQ_FLOAT64, 1, SHAPE(3), VALUES(1, 2, 3));
    col = tensor_of(SEQ_FLOAT64, 2, SHAPE(2, 1), VALUES(10, 20));
    assert_ok(seq_sub(&r, col, row));
    assert_shape(r, 2, SHAPE(2, 3));
    assert_values(r, 9, 8, 7, 19, 18, 17);
    seq_release(row);
    seq_release(col);
    seq_release(r);
}

static void test_a_zero_dim_operand_broadcasts_to_every_element(void **state)
{
    (void)state;
    struct seq_tensor *a = lhs(SEQ_FLOAT64), *s = NULL, *r = NULL;
    assert_ok(seq_scalar(&s, SEQ_FLOAT64, 10));
    assert_ok(seq_sub(&r, s, a));
    assert_shape(r, 2, SHAPE(2, 3));
    assert_values(r, 8.5, 12, 7, 9.5, 6, 11);
    seq_release(a);
    seq_release(s);
    seq_release(r);
}

static void test_a_3d_tensor_times_a_1d_tensor_scales_the_last_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *v = NULL, *t = NULL, *r = NULL;
    assert_ok(seq_arange(&a, SEQ_FLOAT64, 0, 12, 1));
    assert_ok(seq_reshape(&t, a, 3, SHAPE(2, 2, 3)));
    v = tensor_of(SEQ_FLOAT64, 1, SHAPE(3), VALUES(1, 10, 100));
    assert_ok(seq_mul(&r, t, v));
    assert_shape(r, 3, SHAPE(2, 2, 3));
    assert_values(r, 0, 10, 200, 3, 40, 500, 6, 70, 800, 9, 100, 1100);
    seq_release(a);
    seq_release(v);
    seq_release(t);
    seq_release(r);
}

static void test_broadcasting_size_one_dims_on_both_sides(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    a = tensor_of(SEQ_FLOAT32, 3, SHAPE(2, 1, 2), VALUES(1, 2, 3, 4));
    b = tensor_of(SEQ_FLOAT32, 2, SHAPE(3, 1), VALUES(10, 20, 30));
    assert_ok(seq_add(&r, a, b));
    assert_shape(r, 3, SHAPE(2, 3, 2));
    assert_values(r, 11, 12, 21, 22, 31, 32, 13, 14, 23, 24, 33, 34);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_broadcasting_against_an_empty_dim_gives_empty(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    assert_ok(seq_ones(&a, SEQ_FLOAT32, 2, SHAPE(0, 3)));
    assert_ok(seq_ones(&b, SEQ_FLOAT32, 2, SHAPE(1, 3)));
    assert_ok(seq_add(&r, a, b));
    assert_shape(r, 2, SHAPE(0, 3));
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_incompatible_shapes_fail_naming_both_shapes(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *r = NULL;
    assert_ok(seq_ones(&a, SEQ_FLOAT32, 2, SHAPE(2, 3)));
    assert_ok(seq_ones(&b, SEQ_FLOAT32, 2, SHAPE(2, 4)));
    assert_fails(seq_add(&r, a, b), SEQ_ESHAPE, "(2,3)");
    assert_fails(seq_mul(&r, a, b), SEQ_ESHAPE, "(2,4)");
    assert_fails(seq_mul(&r, a, b), SEQ_ESHAPE, "mul");
    assert_null(r);
    seq_release(a);
    seq_release(b);
}

/* ---- dtypes -------------------------------------------------------------- */

static void test_float32_plus_float64_matrix_gives_float64(void **state)
{
    (void)state;
    struct seq_tensor *a = lhs(SEQ_FLOAT32), *b = rhs(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_add(&r, a, b));
    assert_int_equal(r->dtype, SEQ_FLOAT64);
    assert_values(r, 3.5, -1.5, 0, 0.75, 8, 1);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_int64_times_float32_gives_float32(void **state)
{
    (void)state;
    struct seq_tensor *a = ints(3, (const int64_t[]){1, -2, 3});
    struct seq_tensor *b = NULL, *r = NULL;
    b = tensor_of(SEQ_FLOAT32, 1, SHAPE(3), VALUES(0.5, 0.5, 0.25));
    assert_ok(seq_mul(&r, a, b));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, 0.5, -1, 0.75);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_int64_division_gives_float32(void **state)
{
    (void)state;
    struct seq_tensor *a = ints(3, (const int64_t[]){7, -7, 1});
    struct seq_tensor *b = ints(3, (const int64_t[]){2, 2, 3}), *r = NULL;
    assert_ok(seq_div(&r, a, b));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    /* numpy float32: 7/2, -7/2, 1/3 */
    assert_values(r, 3.5, -3.5, 0.3333333432674408);
    seq_release(a);
    seq_release(b);
    seq_release(r);
}

static void test_int64_add_sub_mul_stay_int64_and_exact(void **state)
{
    (void)state;
    const int64_t big = ((int64_t)1 << 53) + 1; /* not a double */
    struct seq_tensor *a = ints(2, (const int64_t[]){big, -5});
    struct seq_tensor *b = ints(2, (const int64_t[]){2, 3});
    struct seq_tensor *s = NULL, *d = NULL, *m = NULL;
    assert_ok(seq_add(&s, a, b));
    assert_ok(seq_sub(&d, a, b));
    assert_ok(seq_mul(&m, a, b));
    assert_int_equal(s->dtype, SEQ_INT64);
    const int64_t *ps = seq_data(s), *pd = seq_data(d), *pm = seq_data(m);
    assert_true(ps[0] == big + 2 && ps[1] == -2);
    assert_true(pd[0] == big - 2 && pd[1] == -8);
    assert_true(pm[0] == 2 * big && pm[1] == -15);
    seq_release(a);
    seq_release(b);
    seq_release(s);
    seq_release(d);
    seq_release(m);
}

static void test_int64_overflow_wraps_around(void **state)
{
    (void)state;
    struct seq_tensor *a =
        ints(3, (const int64_t[]){INT64_MAX, INT64_MIN, (int64_t)1 << 62});
    struct seq_tensor *one = ints(3, (const int64_t[]){1, 1, 4});
    struct seq_tensor *s = NULL, *d = NULL, *m = NULL;
    assert_ok(seq_add(&s, a, one));
    assert_ok(seq_sub(&d, a, one));
    assert_ok(seq_mul(&m, a, one));
    const int64_t *ps = seq_data(s), *pd = seq_data(d), *pm = seq_data(m);
    assert_true(ps[0] == INT64_MIN); /* MAX + 1 */
    assert_true(pd[1] == INT64_MAX); /* MIN - 1 */
    assert_true(pm[2] == 0);         /* 2^62 * 4 = 2^64 */
    assert_true(pm[0] == INT64_MAX); /* MAX * 1 */
    seq_release(a);
    seq_release(one);
    seq_release(s);
    seq_release(d);
    seq_release(m);
}

static void test_int64_negation_of_the_minimum_wraps(void **state)
{
    (void)state;
    struct seq_tensor *a = ints(2, (const int64_t[]){INT64_MIN, 5});
    struct seq_tensor *n = NULL, *ab = NULL;
    assert_ok(seq_neg(&n, a));
    assert_ok(seq_abs(&ab, a));
    assert_int_equal(n->dtype, SEQ_INT64);
    const int64_t *pn = seq_data(n), *pa = seq_data(ab);
    assert_true(pn[0] == INT64_MIN && pn[1] == -5);
    assert_true(pa[0] == INT64_MIN && pa[1] == 5);
    seq_release(a);
    seq_release(n);
    seq_release(ab);
}

/* ---- scalar forms -------------------------------------------------------- */

static void test_binary_scalar_puts_the_number_second(void **state)
{
    (void)state;
    struct seq_tensor *a = lhs(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_binary_scalar(&r, SEQ_OP_POW, a, 2, false));
    assert_values(r, 2.25, 4, 9, 0.25, 16, 1);
    seq_release(a);
    seq_release(r);
}

static void test_binary_scalar_first_puts_the_number_first(void **state)
{
    (void)state;
    struct seq_tensor *a = lhs(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_binary_scalar(&r, SEQ_OP_DIV, a, 1, true));
    assert_values_near(r, 1e-15, 0.6666666666666666, -0.5, 0.3333333333333333,
                       2.0, 0.25, -1.0);
    seq_release(a);
    seq_release(r);
}

static void test_binary_scalar_keeps_a_float32_tensor_float32(void **state)
{
    (void)state;
    struct seq_tensor *a = lhs(SEQ_FLOAT32), *r = NULL;
    assert_ok(seq_binary_scalar(&r, SEQ_OP_SUB, a, 10, true));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, 8.5, 12, 7, 9.5, 6, 11);
    seq_release(a);
    seq_release(r);
}

static void test_int64_tensor_plus_a_fraction_becomes_float32(void **state)
{
    (void)state;
    struct seq_tensor *a = ints(3, (const int64_t[]){1, -2, 3}), *r = NULL;
    assert_ok(seq_binary_scalar(&r, SEQ_OP_ADD, a, 0.5, false));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, 1.5, -1.5, 3.5);
    seq_release(a);
    seq_release(r);
}

static void test_int64_tensor_times_a_whole_number_stays_int64(void **state)
{
    (void)state;
    struct seq_tensor *a = ints(3, (const int64_t[]){1, -2, 3}), *r = NULL;
    assert_ok(seq_binary_scalar(&r, SEQ_OP_MUL, a, 3, false));
    assert_int_equal(r->dtype, SEQ_INT64);
    assert_values(r, 3, -6, 9);
    seq_release(a);
    seq_release(r);
}

static void
test_int64_tensor_plus_infinity_becomes_float32_infinity(void **state)
{
    (void)state;
    /* an int64 cannot hold the number: it must not saturate and wrap */
    struct seq_tensor *a = ints(2, (const int64_t[]){1, -2}), *r = NULL;
    assert_ok(seq_binary_scalar(&r, SEQ_OP_ADD, a, INFINITY, false));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, INFINITY, INFINITY);
    seq_release(a);
    seq_release(r);
}

static void
test_int64_tensor_compared_with_a_fraction_compares_exactly(void **state)
{
    (void)state;
    /* 1 < 1.5 must not become 1 < 1 by truncating the number */
    struct seq_tensor *a = ints(3, (const int64_t[]){1, 2, 3}), *r = NULL;
    assert_ok(seq_binary_scalar(&r, SEQ_OP_LT, a, 1.5, false));
    assert_values(r, 1, 0, 0);
    seq_release(a);
    seq_release(r);
}

/* ---- unary ops ----------------------------------------------------------- */

/* x = (-2, -0.5, 0, 0.5, 2) in dt through op, against want. */
static void check_unary(enum seq_unop op, enum seq_dtype dt, const double *want,
                        double rtol)
{
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(dt, 1, SHAPE(5), VALUES(-2, -0.5, 0, 0.5, 2));
    assert_ok(seq_unary(&r, op, x));
    assert_int_equal(r->dtype, dt);
    assert_shape(r, 1, SHAPE(5));
    assert_tensor_close(r, want, 5, rtol, 0);
    seq_release(x);
    seq_release(r);
}

static void test_neg_flips_the_sign(void **state)
{
    (void)state;
    check_unary(SEQ_OP_NEG, SEQ_FLOAT32, VALUES(2, 0.5, 0, -0.5, -2), 0);
}

static void test_exp_matches_numpy(void **state)
{
    (void)state;
    check_unary(SEQ_OP_EXP, SEQ_FLOAT64,
                VALUES(0.13533528323661267, 0.6065306597126334, 1.0,
                       1.6487212707001282, 7.38905609893065),
                1e-15);
}

static void test_abs_drops_the_sign(void **state)
{
    (void)state;
    check_unary(SEQ_OP_ABS, SEQ_FLOAT64, VALUES(2, 0.5, 0, 0.5, 2), 0);
}

static void test_tanh_matches_numpy(void **state)
{
    (void)state;
    check_unary(SEQ_OP_TANH, SEQ_FLOAT64,
                VALUES(-0.9640275800758169, -0.46211715726000974, 0.0,
                       0.46211715726000974, 0.9640275800758169),
                1e-15);
}

static void test_sigmoid_matches_numpy(void **state)
{
    (void)state;
    check_unary(SEQ_OP_SIGMOID, SEQ_FLOAT64,
                VALUES(0.11920292202211755, 0.3775406687981454, 0.5,
                       0.6224593312018546, 0.8807970779778825),
                1e-15);
}

static void test_sigmoid_in_float32_matches_numpy(void **state)
{
    (void)state;
    check_unary(SEQ_OP_SIGMOID, SEQ_FLOAT32,
                VALUES(0.11920292202211755, 0.3775406687981454, 0.5,
                       0.6224593312018546, 0.8807970779778825),
                1e-6);
}

static void test_relu_zeroes_negatives(void **state)
{
    (void)state;
    check_unary(SEQ_OP_RELU, SEQ_FLOAT64, VALUES(0, 0, 0, 0.5, 2), 0);
}

static void test_sign_gives_minus_one_zero_or_one(void **state)
{
    (void)state;
    check_unary(SEQ_OP_SIGN, SEQ_FLOAT32, VALUES(-1, -1, 0, 1, 1), 0);
}

static void test_square_multiplies_by_itself(void **state)
{
    (void)state;
    check_unary(SEQ_OP_SQUARE, SEQ_FLOAT64, VALUES(4, 0.25, 0, 0.25, 4), 0);
}

static void test_int64_abs_relu_sign_square_stay_int64(void **state)
{
    (void)state;
    check_unary(SEQ_OP_ABS, SEQ_INT64, VALUES(2, 0, 0, 0, 2), 0);
    check_unary(SEQ_OP_RELU, SEQ_INT64, VALUES(0, 0, 0, 0, 2), 0);
    check_unary(SEQ_OP_SIGN, SEQ_INT64, VALUES(-1, 0, 0, 0, 1), 0);
    check_unary(SEQ_OP_SQUARE, SEQ_INT64, VALUES(4, 0, 0, 0, 4), 0);
}

static void test_log_and_sqrt_match_numpy(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *lg = NULL, *sq = NULL;
    x = tensor_of(SEQ_FLOAT64, 1, SHAPE(4), VALUES(0.25, 1, 4, 10));
    assert_ok(seq_log(&lg, x));
    assert_ok(seq_sqrt(&sq, x));
    assert_values_near(lg, 1e-15, -1.3862943611198906, 0.0, 1.3862943611198906,
                       2.3025850929940455);
    assert_values_near(sq, 1e-15, 0.5, 1.0, 2.0, 3.1622776601683795);
    seq_release(x);
    seq_release(lg);
    seq_release(sq);
}

static void test_log_of_zero_and_negative_and_sqrt_of_negative(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *lg = NULL, *sq = NULL;
    x = tensor_of(SEQ_FLOAT32, 1, SHAPE(2), VALUES(0, -1));
    assert_ok(seq_log(&lg, x));
    assert_ok(seq_sqrt(&sq, x));
    assert_values(lg, -INFINITY, NAN);
    assert_values(sq, 0, NAN);
    seq_release(x);
    seq_release(lg);
    seq_release(sq);
}

static void
test_sigmoid_at_plus_and_minus_1000_is_exactly_one_and_zero(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        enum seq_dtype dt = k ? SEQ_FLOAT64 : SEQ_FLOAT32;
        struct seq_tensor *x = NULL, *r = NULL;
        x = tensor_of(dt, 1, SHAPE(2), VALUES(1000, -1000));
        assert_ok(seq_sigmoid(&r, x));
        assert_values(r, 1, 0);
        seq_release(x);
        seq_release(r);
    }
}

static void test_tanh_saturates_to_plus_and_minus_one(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT32, 1, SHAPE(2), VALUES(1000, -1000));
    assert_ok(seq_tanh(&r, x));
    assert_values(r, 1, -1);
    seq_release(x);
    seq_release(r);
}

static void test_nan_passes_through_relu_sign_and_abs(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *a = NULL, *b = NULL, *c = NULL;
    x = tensor_of(SEQ_FLOAT64, 1, SHAPE(1), VALUES(NAN));
    assert_ok(seq_relu(&a, x));
    assert_ok(seq_unary(&b, SEQ_OP_SIGN, x));
    assert_ok(seq_abs(&c, x));
    assert_values(a, NAN);
    assert_values(b, NAN);
    assert_values(c, NAN);
    seq_release(x);
    seq_release(a);
    seq_release(b);
    seq_release(c);
}

static void test_exp_and_log_of_int64_give_float32(void **state)
{
    (void)state;
    struct seq_tensor *a = ints(3, (const int64_t[]){0, 1, -2});
    struct seq_tensor *b = ints(4, (const int64_t[]){1, 2, 3, 10});
    struct seq_tensor *e = NULL, *l = NULL;
    assert_ok(seq_exp(&e, a));
    assert_ok(seq_log(&l, b));
    assert_int_equal(e->dtype, SEQ_FLOAT32);
    assert_int_equal(l->dtype, SEQ_FLOAT32);
    /* numpy float32 */
    assert_values_near(e, 1e-7, 1.0, 2.7182819843292236, 0.1353352814912796);
    assert_values_near(l, 1e-7, 0.0, 0.6931471824645996, 1.0986123085021973,
                       2.3025851249694824);
    seq_release(a);
    seq_release(b);
    seq_release(e);
    seq_release(l);
}

static void test_sqrt_tanh_sigmoid_of_int64_give_float32(void **state)
{
    (void)state;
    struct seq_tensor *a = ints(2, (const int64_t[]){4, 0});
    struct seq_tensor *s = NULL, *t = NULL, *g = NULL;
    assert_ok(seq_sqrt(&s, a));
    assert_ok(seq_tanh(&t, a));
    assert_ok(seq_sigmoid(&g, a));
    assert_int_equal(s->dtype, SEQ_FLOAT32);
    assert_int_equal(t->dtype, SEQ_FLOAT32);
    assert_int_equal(g->dtype, SEQ_FLOAT32);
    assert_values(s, 2, 0);
    /* numpy float32 */
    assert_values_near(t, 1e-7, 0.9993293285369873, 0);
    assert_values_near(g, 1e-7, 0.9820137619972229, 0.5);
    seq_release(a);
    seq_release(s);
    seq_release(t);
    seq_release(g);
}

static void test_unary_rejects_an_unknown_op(void **state)
{
    (void)state;
    struct seq_tensor *a = lhs(SEQ_FLOAT32), *r = NULL;
    assert_fails(seq_unary(&r, (enum seq_unop)42, a), SEQ_EINVAL, "unknown op");
    assert_null(r);
    seq_release(a);
}

static void test_unary_of_a_zero_dim_tensor_is_zero_dim(void **state)
{
    (void)state;
    struct seq_tensor *s = NULL, *r = NULL;
    assert_ok(seq_scalar(&s, SEQ_FLOAT64, -3));
    assert_ok(seq_neg(&r, s));
    assert_int_equal(r->ndim, 0);
    assert_values(r, 3);
    seq_release(s);
    seq_release(r);
}

/* ---- clamp --------------------------------------------------------------- */

static struct seq_tensor *clamp_input(enum seq_dtype dt)
{
    return tensor_of(dt, 1, SHAPE(5), VALUES(-3, -1, 0, 2, 5));
}

static void test_clamp_limits_to_both_bounds(void **state)
{
    (void)state;
    struct seq_tensor *x = clamp_input(SEQ_FLOAT32), *r = NULL;
    assert_ok(seq_clamp(&r, x, -1, 2));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, -1, -1, 0, 2, 2);
    seq_release(x);
    seq_release(r);
}

static void test_clamp_with_nan_lower_bound_has_no_lower_bound(void **state)
{
    (void)state;
    struct seq_tensor *x = clamp_input(SEQ_FLOAT64), *r = NULL;
    assert_ok(seq_clamp(&r, x, NAN, 1));
    assert_values(r, -3, -1, 0, 1, 1);
    seq_release(x);
    seq_release(r);
}

static void test_clamp_with_nan_upper_bound_has_no_upper_bound(void **state)
{
    (void)state;
    struct seq_tensor *x = clamp_input(SEQ_INT64), *r = NULL;
    assert_ok(seq_clamp(&r, x, 0, NAN));
    assert_int_equal(r->dtype, SEQ_INT64);
    assert_values(r, 0, 0, 0, 2, 5);
    seq_release(x);
    seq_release(r);
}

static void test_clamp_rejects_a_lower_bound_above_the_upper(void **state)
{
    (void)state;
    struct seq_tensor *x = clamp_input(SEQ_FLOAT32), *r = NULL;
    assert_fails(seq_clamp(&r, x, 3, 1), SEQ_EINVAL, "clamp");
    assert_null(r);
    seq_release(x);
}

static void test_clamp_keeps_nan_elements(void **state)
{
    (void)state;
    struct seq_tensor *x = NULL, *r = NULL;
    x = tensor_of(SEQ_FLOAT64, 1, SHAPE(2), VALUES(NAN, 7));
    assert_ok(seq_clamp(&r, x, 0, 1));
    assert_values(r, NAN, 1);
    seq_release(x);
    seq_release(r);
}

static void test_clamp_of_a_transposed_view_gives_c_order(void **state)
{
    (void)state;
    struct seq_tensor *a = lhs(SEQ_FLOAT64), *t = NULL, *r = NULL;
    assert_ok(seq_transpose(&t, a, 0, 1)); /* [[1.5,.5],[-2,4],[3,-1]] */
    assert_ok(seq_clamp(&r, t, -1, 2));
    assert_shape(r, 2, SHAPE(3, 2));
    assert_values(r, 1.5, 0.5, -1, 2, 2, -1);
    seq_release(a);
    seq_release(t);
    seq_release(r);
}

/* ---- non-contiguous inputs ----------------------------------------------- */

/* M = arange(12)/2 - 2 as (3,4); returns M^T, a (4,3) view. */
static struct seq_tensor *transposed_input(void)
{
    struct seq_tensor *a = NULL, *m = NULL, *s = NULL, *t = NULL;
    assert_ok(seq_arange(&a, SEQ_FLOAT64, 0, 12, 1));
    assert_ok(seq_binary_scalar(&s, SEQ_OP_MUL, a, 0.5, false));
    seq_release(a);
    assert_ok(seq_binary_scalar(&a, SEQ_OP_SUB, s, 2, false));
    assert_ok(seq_reshape(&m, a, 2, SHAPE(3, 4)));
    assert_ok(seq_transpose(&t, m, 0, 1));
    seq_release(a);
    seq_release(s);
    seq_release(m);
    return t;
}

static void test_binary_on_transposed_inputs_matches_numpy(void **state)
{
    (void)state;
    struct seq_tensor *t = transposed_input(), *sq = NULL, *r = NULL;
    assert_false(seq_is_contiguous(t));
    assert_ok(seq_mul(&sq, t, t));
    assert_ok(seq_add(&r, sq, t));
    assert_shape(r, 2, SHAPE(4, 3));
    /* numpy: M.T**2 + M.T */
    assert_values(r, 2.0, 0.0, 6.0, 0.75, 0.75, 8.75, 0.0, 2.0, 12.0, -0.25,
                  3.75, 15.75);
    seq_release(t);
    seq_release(sq);
    seq_release(r);
}

static void
test_binary_of_transposed_and_contiguous_equals_contiguous(void **state)
{
    (void)state;
    struct seq_tensor *t = transposed_input(), *c = NULL, *r1 = NULL,
                      *r2 = NULL, *w = NULL;
    double want[12];
    assert_ok(seq_contiguous(&c, t));
    assert_ptr_not_equal(c, t);
    assert_ok(seq_sub(&r1, t, c)); /* mixed layouts: all zero */
    assert_ok(seq_maximum(&r2, c, t));
    assert_ok(seq_maximum(&w, c, c));
    assert_ok(seq_copy_out(want, SEQ_FLOAT64, w));
    assert_values(r1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assert_tensor_close(r2, want, 12, 0, 0);
    seq_release(t);
    seq_release(c);
    seq_release(r1);
    seq_release(r2);
    seq_release(w);
}

static void test_unary_of_a_transposed_view_equals_that_of_a_copy(void **state)
{
    (void)state;
    struct seq_tensor *t = transposed_input(), *c = NULL, *r1 = NULL,
                      *r2 = NULL;
    double want[12];
    assert_ok(seq_contiguous(&c, t));
    assert_ok(seq_tanh(&r1, t));
    assert_ok(seq_tanh(&r2, c));
    assert_true(seq_is_contiguous(r1));
    assert_ok(seq_copy_out(want, SEQ_FLOAT64, r2));
    assert_tensor_close(r1, want, 12, 0, 0);
    seq_release(t);
    seq_release(c);
    seq_release(r1);
    seq_release(r2);
}

static void test_binary_on_strided_slices_reads_the_right_elements(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *ev = NULL, *od = NULL, *r = NULL;
    assert_ok(seq_arange(&a, SEQ_INT64, 0, 10, 1));
    assert_ok(seq_slice(&ev, a, 0, 0, 10, 2)); /* 0 2 4 6 8 */
    assert_ok(seq_slice(&od, a, 0, 1, 10, 2)); /* 1 3 5 7 9 */
    assert_ok(seq_mul(&r, ev, od));
    assert_values(r, 0, 6, 20, 42, 72);
    seq_release(a);
    seq_release(ev);
    seq_release(od);
    seq_release(r);
}

static void test_binary_on_an_expanded_view_broadcasts_its_values(void **state)
{
    (void)state;
    struct seq_tensor *col = NULL, *e = NULL, *t = NULL, *r = NULL;
    col = tensor_of(SEQ_FLOAT32, 2, SHAPE(2, 1), VALUES(1, 2));
    assert_ok(seq_expand(&e, col, 2, SHAPE(2, 3)));
    assert_ok(seq_transpose(&t, e, 0, 1)); /* (3,2), strides (0,1) */
    assert_ok(seq_add(&r, t, t));
    assert_values(r, 2, 4, 2, 4, 2, 4);
    seq_release(col);
    seq_release(e);
    seq_release(t);
    seq_release(r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, note_memory, check_no_leak)

static void test_int_pow_with_negative_exponent_is_an_error(void **state)
{
    (void)state;
    struct seq_tensor *a = tensor_of(SEQ_INT64, 1, SHAPE(3), VALUES(2, 3, 4));
    struct seq_tensor *e = tensor_of(SEQ_INT64, 1, SHAPE(3), VALUES(1, -1, 2));
    struct seq_tensor *r = NULL;
    assert_fails(seq_pow(&r, a, e), SEQ_EINVAL, "negative integer powers");
    assert_null(r);
    seq_release(e);
    e = tensor_of(SEQ_INT64, 1, SHAPE(3), VALUES(0, 1, 3));
    assert_ok(seq_pow(&r, a, e));
    assert_values(r, 1, 3, 64);
    seq_release(r);
    seq_release(a);
    seq_release(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_int_pow_with_negative_exponent_is_an_error, note_memory,
            check_no_leak),
        T(test_add_adds_elementwise),
        T(test_sub_subtracts_elementwise),
        T(test_mul_multiplies_elementwise),
        T(test_div_divides_elementwise),
        T(test_div_by_zero_gives_signed_infinity_and_nan),
        T(test_pow_raises_elementwise),
        T(test_pow_in_float32_matches_numpy_float32),
        T(test_int64_pow_stays_int64),
        T(test_maximum_and_minimum_pick_elementwise),
        T(test_maximum_and_minimum_propagate_nan_from_either_side),
        T(test_eq_gives_one_where_equal),
        T(test_ne_gives_one_where_different),
        T(test_lt_gives_one_where_less),
        T(test_le_gives_one_where_less_or_equal),
        T(test_gt_gives_one_where_greater),
        T(test_ge_gives_one_where_greater_or_equal),
        T(test_comparisons_with_nan_are_false_except_ne),
        T(test_binary_rejects_an_unknown_op),
        T(test_row_plus_column_broadcasts_to_a_matrix),
        T(test_column_minus_row_broadcasts_in_operand_order),
        T(test_a_zero_dim_operand_broadcasts_to_every_element),
        T(test_a_3d_tensor_times_a_1d_tensor_scales_the_last_dim),
        T(test_broadcasting_size_one_dims_on_both_sides),
        T(test_broadcasting_against_an_empty_dim_gives_empty),
        T(test_incompatible_shapes_fail_naming_both_shapes),
        T(test_float32_plus_float64_matrix_gives_float64),
        T(test_int64_times_float32_gives_float32),
        T(test_int64_division_gives_float32),
        T(test_int64_add_sub_mul_stay_int64_and_exact),
        T(test_int64_overflow_wraps_around),
        T(test_int64_negation_of_the_minimum_wraps),
        T(test_binary_scalar_puts_the_number_second),
        T(test_binary_scalar_first_puts_the_number_first),
        T(test_binary_scalar_keeps_a_float32_tensor_float32),
        T(test_int64_tensor_plus_a_fraction_becomes_float32),
        T(test_int64_tensor_times_a_whole_number_stays_int64),
        T(test_int64_tensor_plus_infinity_becomes_float32_infinity),
        T(test_int64_tensor_compared_with_a_fraction_compares_exactly),
        T(test_neg_flips_the_sign),
        T(test_exp_matches_numpy),
        T(test_abs_drops_the_sign),
        T(test_tanh_matches_numpy),
        T(test_sigmoid_matches_numpy),
        T(test_sigmoid_in_float32_matches_numpy),
        T(test_relu_zeroes_negatives),
        T(test_sign_gives_minus_one_zero_or_one),
        T(test_square_multiplies_by_itself),
        T(test_int64_abs_relu_sign_square_stay_int64),
        T(test_log_and_sqrt_match_numpy),
        T(test_log_of_zero_and_negative_and_sqrt_of_negative),
        T(test_sigmoid_at_plus_and_minus_1000_is_exactly_one_and_zero),
        T(test_tanh_saturates_to_plus_and_minus_one),
        T(test_nan_passes_through_relu_sign_and_abs),
        T(test_exp_and_log_of_int64_give_float32),
        T(test_sqrt_tanh_sigmoid_of_int64_give_float32),
        T(test_unary_rejects_an_unknown_op),
        T(test_unary_of_a_zero_dim_tensor_is_zero_dim),
        T(test_clamp_limits_to_both_bounds),
        T(test_clamp_with_nan_lower_bound_has_no_lower_bound),
        T(test_clamp_with_nan_upper_bound_has_no_upper_bound),
        T(test_clamp_rejects_a_lower_bound_above_the_upper),
        T(test_clamp_keeps_nan_elements),
        T(test_clamp_of_a_transposed_view_gives_c_order),
        T(test_binary_on_transposed_inputs_matches_numpy),
        T(test_binary_of_transposed_and_contiguous_equals_contiguous),
        T(test_unary_of_a_transposed_view_equals_that_of_a_copy),
        T(test_binary_on_strided_slices_reads_the_right_elements),
        T(test_binary_on_an_expanded_view_broadcasts_its_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
