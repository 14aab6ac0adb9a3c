/* test_tensor.c — tensor creation, dtypes and promotion, conversion and
 * copies, element access, in-place writes, shape checks, memory accounting
 * and shape strings.
 *
 * Expected values are written by hand (or by numpy, where noted), never
 * taken from the engine.  Every test runs between a fixture that checks the
 * engine's live block count is unchanged, so a leak fails the test that
 * caused it.  Views are tested in test_view.c, arithmetic in
 * test_elementwise.c. */
#include "testutil.h"

#include <stdlib.h>

#include "seq/error.h"


/* A 2x3 float64 matrix 0..5 and its (3,2) transposed view. */
static struct seq_tensor *matrix_2x3(void)
{
    return tensor_of(SEQ_FLOAT64, 2, SHAPE(2, 3), VALUES(0, 1, 2, 3, 4, 5));
}

/* ---- creation ------------------------------------------------------------ */

static void test_zeros_makes_a_contiguous_zero_filled_tensor(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_zeros(&t, SEQ_FLOAT32, 2, SHAPE(2, 3)));
    assert_int_equal(t->dtype, SEQ_FLOAT32);
    assert_shape(t, 2, SHAPE(2, 3));
    assert_int_equal(t->stride[0], 3);
    assert_int_equal(t->stride[1], 1);
    assert_true(seq_is_contiguous(t));
    assert_values(t, 0, 0, 0, 0, 0, 0);
    seq_release(t);
}

static void test_ones_fills_every_element_with_one(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_ones(&t, SEQ_INT64, 1, SHAPE(4)));
    assert_int_equal(t->dtype, SEQ_INT64);
    const int64_t *p = seq_data(t);
    for (int i = 0; i < 4; i++)
        assert_int_equal(p[i], 1);
    seq_release(t);
}

static void test_full_fills_with_the_value(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_full(&t, SEQ_FLOAT64, 2, SHAPE(2, 2), -2.5));
    assert_values(t, -2.5, -2.5, -2.5, -2.5);
    seq_release(t);
}

static void test_full_of_int64_truncates_a_fractional_value(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_full(&t, SEQ_INT64, 1, SHAPE(3), -2.9));
    assert_values(t, -2, -2, -2);
    seq_release(t);
}

static void test_scalar_is_a_zero_dim_tensor_with_one_element(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    double v = 0;
    assert_ok(seq_scalar(&t, SEQ_FLOAT64, 7.25));
    assert_int_equal(t->ndim, 0);
    assert_int_equal(seq_numel(t), 1);
    assert_ok(seq_item(&v, t));
    assert_true(v == 7.25);
    seq_release(t);
}

static void test_zeros_like_and_ones_like_copy_shape_and_dtype(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL, *z = NULL, *o = NULL;
    assert_ok(seq_full(&t, SEQ_INT64, 2, SHAPE(3, 1), 9));
    assert_ok(seq_zeros_like(&z, t));
    assert_ok(seq_ones_like(&o, t));
    assert_int_equal(z->dtype, SEQ_INT64);
    assert_int_equal(o->dtype, SEQ_INT64);
    assert_shape(z, 2, SHAPE(3, 1));
    assert_shape(o, 2, SHAPE(3, 1));
    assert_values(z, 0, 0, 0);
    assert_values(o, 1, 1, 1);
    seq_release(t);
    seq_release(z);
    seq_release(o);
}

static void test_a_zero_size_dimension_gives_an_empty_tensor(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_zeros(&t, SEQ_FLOAT32, 2, SHAPE(3, 0)));
    assert_shape(t, 2, SHAPE(3, 0));
    assert_int_equal(seq_numel(t), 0);
    seq_release(t);
}

static void test_arange_counts_up_to_but_excluding_end(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_arange(&t, SEQ_FLOAT32, 0, 5, 1));
    assert_shape(t, 1, SHAPE(5));
    assert_values(t, 0, 1, 2, 3, 4);
    seq_release(t);
}

static void test_arange_with_a_fractional_step(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_arange(&t, SEQ_FLOAT64, 1, 2.5, 0.5));
    assert_values(t, 1, 1.5, 2);
    seq_release(t);
}

static void test_arange_with_a_negative_step_counts_down(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_arange(&t, SEQ_INT64, 3, -1, -1));
    assert_int_equal(t->dtype, SEQ_INT64);
    assert_values(t, 3, 2, 1, 0);
    seq_release(t);
}

static void test_arange_with_a_negative_fractional_step(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    /* ceil((0 - 1) / -0.3) = 4 elements, as numpy.arange(1, 0, -0.3) */
    assert_ok(seq_arange(&t, SEQ_FLOAT64, 1, 0, -0.3));
    assert_tensor_close(t, VALUES(1, 0.7, 0.4, 0.1), 4, 1e-12, 1e-15);
    seq_release(t);
}

static void test_arange_with_start_equal_to_end_is_empty(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_arange(&t, SEQ_FLOAT32, 2, 2, 1));
    assert_shape(t, 1, SHAPE(0));
    seq_release(t);
}

static void test_arange_rejects_a_zero_step(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_fails(seq_arange(&t, SEQ_FLOAT32, 0, 5, 0), SEQ_EINVAL, "arange");
    assert_null(t);
}

static void test_arange_rejects_a_step_going_away_from_end(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_fails(seq_arange(&t, SEQ_FLOAT32, 0, 5, -1), SEQ_EINVAL, "arange");
    assert_fails(seq_arange(&t, SEQ_FLOAT32, 5, 0, 1), SEQ_EINVAL, "arange");
    assert_null(t);
}

static void test_arange_rejects_non_finite_bounds(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_fails(seq_arange(&t, SEQ_FLOAT64, 0, INFINITY, 1), SEQ_EINVAL,
                 "finite");
    assert_fails(seq_arange(&t, SEQ_FLOAT64, NAN, 3, 1), SEQ_EINVAL, "finite");
    assert_null(t);
}

static void test_arange_with_too_many_elements_fails_cleanly(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_fails(seq_arange(&t, SEQ_FLOAT32, 0, 1e18, 1), SEQ_ENOMEM, "arange");
    assert_null(t);
}

static void test_linspace_includes_both_ends(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_linspace(&t, SEQ_FLOAT64, -1, 1, 5));
    assert_values(t, -1, -0.5, 0, 0.5, 1);
    seq_release(t);
}

static void test_linspace_last_element_is_exactly_end(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    double last = 0;
    /* 0 + 3 * 0.1 is 0.30000000000000004; the last element must be 0.3 */
    assert_ok(seq_linspace(&t, SEQ_FLOAT64, 0, 0.3, 4));
    assert_ok(seq_get(&last, t, SHAPE(3)));
    assert_true(last == 0.3);
    seq_release(t);
}

static void test_linspace_with_zero_steps_is_empty(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_linspace(&t, SEQ_FLOAT32, 0, 1, 0));
    assert_shape(t, 1, SHAPE(0));
    seq_release(t);
}

static void test_linspace_with_one_step_is_the_start(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    /* numpy.linspace(2, 5, 1) and torch.linspace(2, 5, 1) are [2.] */
    assert_ok(seq_linspace(&t, SEQ_FLOAT64, 2, 5, 1));
    assert_shape(t, 1, SHAPE(1));
    assert_values(t, 2);
    seq_release(t);
}

static void test_linspace_rejects_negative_steps(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_fails(seq_linspace(&t, SEQ_FLOAT32, 0, 1, -2), SEQ_EINVAL,
                 "linspace");
    assert_null(t);
}

static void test_eye_with_negative_m_is_square_identity(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_eye(&t, SEQ_FLOAT32, 3, -1));
    assert_shape(t, 2, SHAPE(3, 3));
    assert_values(t, 1, 0, 0, 0, 1, 0, 0, 0, 1);
    seq_release(t);
}

static void test_eye_wide_has_ones_on_the_leading_diagonal(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_eye(&t, SEQ_INT64, 2, 3));
    assert_shape(t, 2, SHAPE(2, 3));
    assert_values(t, 1, 0, 0, 0, 1, 0);
    seq_release(t);
}

static void test_eye_tall_has_ones_on_the_leading_diagonal(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_eye(&t, SEQ_FLOAT64, 3, 2));
    assert_shape(t, 2, SHAPE(3, 2));
    assert_values(t, 1, 0, 0, 1, 0, 0);
    seq_release(t);
}

static void test_from_buffer_copies_the_data(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    float buf[4] = {1.5f, -2, 3, 4};
    assert_ok(seq_from_buffer(&t, SEQ_FLOAT32, 2, SHAPE(2, 2), buf));
    buf[0] = 100; /* the tensor owns a copy */
    assert_values(t, 1.5, -2, 3, 4);
    seq_release(t);
}

static void test_from_buffer_keeps_int64_values_exactly(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    const int64_t buf[3] = {INT64_MAX, INT64_MIN, ((int64_t)1 << 53) + 1};
    assert_ok(seq_from_buffer(&t, SEQ_INT64, 1, SHAPE(3), buf));
    const int64_t *p = seq_data(t);
    assert_true(p[0] == INT64_MAX);
    assert_true(p[1] == INT64_MIN);
    assert_true(p[2] == ((int64_t)1 << 53) + 1);
    seq_release(t);
}

/* ---- dtypes and promotion ----------------------------------------------- */

static void test_dtype_names_are_numpy_names(void **state)
{
    (void)state;
    assert_string_equal(seq_dtype_name(SEQ_FLOAT32), "float32");
    assert_string_equal(seq_dtype_name(SEQ_FLOAT64), "float64");
    assert_string_equal(seq_dtype_name(SEQ_INT64), "int64");
}

static void test_dtype_parse_accepts_names_and_aliases(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum seq_dtype dt;
    } cases[] = {
        {"float32", SEQ_FLOAT32}, {"float", SEQ_FLOAT32},  {"f32", SEQ_FLOAT32},
        {"float64", SEQ_FLOAT64}, {"double", SEQ_FLOAT64}, {"f64", SEQ_FLOAT64},
        {"int64", SEQ_INT64},     {"long", SEQ_INT64},     {"i64", SEQ_INT64},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum seq_dtype dt = SEQ_FLOAT32;
        assert_ok(seq_dtype_parse(&dt, cases[i].name));
        if (dt != cases[i].dt)
            fail_msg("\"%s\" parsed as %s", cases[i].name, seq_dtype_name(dt));
    }
}

static void test_dtype_parse_rejects_an_unknown_name_naming_it(void **state)
{
    (void)state;
    enum seq_dtype dt = SEQ_FLOAT64;
    assert_fails(seq_dtype_parse(&dt, "int32"), SEQ_EDTYPE, "'int32'");
    assert_int_equal(dt, SEQ_FLOAT64);
}

static void test_dtype_sizes_and_kinds(void **state)
{
    (void)state;
    assert_int_equal(seq_dtype_size(SEQ_FLOAT32), 4);
    assert_int_equal(seq_dtype_size(SEQ_FLOAT64), 8);
    assert_int_equal(seq_dtype_size(SEQ_INT64), 8);
    assert_true(seq_dtype_is_float(SEQ_FLOAT32));
    assert_true(seq_dtype_is_float(SEQ_FLOAT64));
    assert_false(seq_dtype_is_float(SEQ_INT64));
}

/* Returns the promoted dtype of a tensor of (dta, nda dims) with one of
 * (dtb, ndb dims). */
static enum seq_dtype promoted(enum seq_dtype dta, int nda, enum seq_dtype dtb,
                               int ndb)
{
    struct seq_tensor *a = NULL, *b = NULL;
    assert_ok(seq_ones(&a, dta, nda, SHAPE(2, 2)));
    assert_ok(seq_ones(&b, dtb, ndb, SHAPE(2, 2)));
    enum seq_dtype dt = seq_promote(a, b);
    assert_int_equal(seq_promote(b, a), dt); /* symmetric */
    seq_release(a);
    seq_release(b);
    return dt;
}

static void test_promote_float32_and_float64_matrices_to_float64(void **state)
{
    (void)state;
    assert_int_equal(promoted(SEQ_FLOAT32, 2, SEQ_FLOAT64, 2), SEQ_FLOAT64);
}

static void
test_promote_float32_matrix_with_float64_scalar_stays_float32(void **state)
{
    (void)state;
    assert_int_equal(promoted(SEQ_FLOAT32, 2, SEQ_FLOAT64, 0), SEQ_FLOAT32);
}

static void test_promote_int64_with_float32_gives_float32(void **state)
{
    (void)state;
    assert_int_equal(promoted(SEQ_INT64, 2, SEQ_FLOAT32, 2), SEQ_FLOAT32);
    assert_int_equal(promoted(SEQ_INT64, 0, SEQ_FLOAT32, 2), SEQ_FLOAT32);
}

static void
test_promote_int64_matrix_with_float64_scalar_gives_float64(void **state)
{
    (void)state;
    /* a 0-d operand of a higher kind still promotes (PyTorch) */
    assert_int_equal(promoted(SEQ_INT64, 2, SEQ_FLOAT64, 0), SEQ_FLOAT64);
}

static void test_promote_two_zero_dim_floats_gives_float64(void **state)
{
    (void)state;
    assert_int_equal(promoted(SEQ_FLOAT32, 0, SEQ_FLOAT64, 0), SEQ_FLOAT64);
}

static void
test_add_of_float32_matrix_and_float64_scalar_is_float32(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *s = NULL, *r = NULL;
    a = tensor_of(SEQ_FLOAT32, 1, SHAPE(2), VALUES(1, 2));
    assert_ok(seq_scalar(&s, SEQ_FLOAT64, 0.5));
    assert_ok(seq_add(&r, a, s));
    assert_int_equal(r->dtype, SEQ_FLOAT32);
    assert_values(r, 1.5, 2.5);
    seq_release(a);
    seq_release(s);
    seq_release(r);
}

/* ---- conversion -----------------------------------------------------------
 */

static void test_to_int64_truncates_toward_zero(void **state)
{
    (void)state;
    struct seq_tensor *f = NULL, *i = NULL;
    f = tensor_of(SEQ_FLOAT32, 1, SHAPE(5), VALUES(1.7, -1.7, 2.5, -0.5, 3));
    assert_ok(seq_to(&i, f, SEQ_INT64));
    assert_int_equal(i->dtype, SEQ_INT64);
    assert_values(i, 1, -1, 2, 0, 3);
    seq_release(f);
    seq_release(i);
}

static void
test_to_int64_maps_nan_to_zero_and_saturates_huge_values(void **state)
{
    (void)state;
    struct seq_tensor *f = NULL, *i = NULL;
    f = tensor_of(SEQ_FLOAT64, 1, SHAPE(5),
                  VALUES(NAN, 1e30, -1e30, INFINITY, -INFINITY));
    assert_ok(seq_to(&i, f, SEQ_INT64));
    const int64_t *p = seq_data(i);
    assert_true(p[0] == 0);
    assert_true(p[1] == INT64_MAX);
    assert_true(p[2] == INT64_MIN);
    assert_true(p[3] == INT64_MAX);
    assert_true(p[4] == INT64_MIN);
    seq_release(f);
    seq_release(i);
}

static void test_to_float32_rounds_to_nearest_float(void **state)
{
    (void)state;
    struct seq_tensor *d = NULL, *f = NULL;
    d = tensor_of(SEQ_FLOAT64, 1, SHAPE(2), VALUES(0.1, 16777217));
    assert_ok(seq_to(&f, d, SEQ_FLOAT32));
    const float *p = seq_data(f);
    assert_true(p[0] == 0.1f);
    assert_true(p[1] == 16777216.0f); /* 2^24 + 1 rounds to even */
    seq_release(d);
    seq_release(f);
}

static void test_to_float64_from_int64_is_exact(void **state)
{
    (void)state;
    struct seq_tensor *i = NULL, *d = NULL;
    const int64_t buf[3] = {-3, (int64_t)1 << 53, 123456789012345};
    assert_ok(seq_from_buffer(&i, SEQ_INT64, 1, SHAPE(3), buf));
    assert_ok(seq_to(&d, i, SEQ_FLOAT64));
    assert_int_equal(d->dtype, SEQ_FLOAT64);
    assert_values(d, -3, 9007199254740992.0, 123456789012345.0);
    seq_release(i);
    seq_release(d);
}

static void test_to_the_same_dtype_returns_the_same_tensor(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *b = NULL;
    assert_ok(seq_to(&b, a, SEQ_FLOAT64));
    assert_ptr_equal(a, b);
    assert_int_equal(a->refcount, 2);
    seq_release(b);
    seq_release(a);
}

static void test_to_converts_a_transposed_view_in_c_order(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *t = NULL, *r = NULL;
    assert_ok(seq_transpose(&t, a, 0, 1));
    assert_ok(seq_to(&r, t, SEQ_INT64));
    assert_shape(r, 2, SHAPE(3, 2));
    assert_true(seq_is_contiguous(r));
    assert_values(r, 0, 3, 1, 4, 2, 5);
    seq_release(a);
    seq_release(t);
    seq_release(r);
}

/* ---- contiguous and clone ----------------------------------------------- */

static void test_contiguous_of_a_contiguous_tensor_is_itself(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *c = NULL;
    assert_ok(seq_contiguous(&c, a));
    assert_ptr_equal(a, c);
    seq_release(c);
    seq_release(a);
}

static void test_contiguous_of_a_transposed_view_copies_in_c_order(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *t = NULL, *c = NULL;
    assert_ok(seq_transpose(&t, a, 0, 1));
    assert_false(seq_is_contiguous(t));
    assert_ok(seq_contiguous(&c, t));
    assert_true(seq_is_contiguous(c));
    assert_ptr_not_equal(c->storage, a->storage);
    assert_int_equal(c->stride[0], 2);
    assert_int_equal(c->stride[1], 1);
    assert_values(c, 0, 3, 1, 4, 2, 5);
    seq_release(a);
    seq_release(t);
    seq_release(c);
}

static void test_writing_a_clone_leaves_the_source_unchanged(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *c = NULL;
    assert_ok(seq_clone(&c, a));
    assert_ptr_not_equal(c->storage, a->storage);
    assert_ok(seq_set(c, SHAPE(0, 0), 99));
    assert_ok(seq_fill_(c, -1));
    assert_values(a, 0, 1, 2, 3, 4, 5);
    assert_values(c, -1, -1, -1, -1, -1, -1);
    seq_release(a);
    seq_release(c);
}

static void test_writing_the_source_leaves_a_clone_unchanged(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *c = NULL;
    assert_ok(seq_clone(&c, a));
    assert_ok(seq_set(a, SHAPE(1, 2), 99));
    assert_values(c, 0, 1, 2, 3, 4, 5);
    seq_release(a);
    seq_release(c);
}

static void test_clone_of_a_strided_view_is_contiguous(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *s = NULL, *c = NULL;
    assert_ok(seq_slice(&s, a, 1, 0, 3, 2)); /* columns 0 and 2 */
    assert_ok(seq_clone(&c, s));
    assert_shape(c, 2, SHAPE(2, 2));
    assert_true(seq_is_contiguous(c));
    assert_int_equal(c->offset, 0);
    assert_values(c, 0, 2, 3, 5);
    seq_release(a);
    seq_release(s);
    seq_release(c);
}

/* ---- element access -------------------------------------------------------
 */

static void test_get_reads_an_element_with_negative_indices(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3();
    double v = 0;
    assert_ok(seq_get(&v, a, SHAPE(-1, -3)));
    assert_true(v == 3);
    assert_ok(seq_get(&v, a, SHAPE(0, -1)));
    assert_true(v == 2);
    seq_release(a);
}

static void test_get_rejects_an_index_past_either_end(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3();
    double v = 42;
    assert_fails(seq_get(&v, a, SHAPE(0, 3)), SEQ_EINDEX, "index 3");
    assert_fails(seq_get(&v, a, SHAPE(-3, 0)), SEQ_EINDEX, "index -3");
    assert_true(v == 42);
    seq_release(a);
}

static void test_get_of_a_zero_dim_tensor_takes_no_index(void **state)
{
    (void)state;
    struct seq_tensor *s = NULL;
    double v = 0;
    assert_ok(seq_scalar(&s, SEQ_INT64, -4));
    assert_ok(seq_get(&v, s, NULL));
    assert_true(v == -4);
    seq_release(s);
}

static void test_set_writes_an_element_with_negative_indices(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3();
    assert_ok(seq_set(a, SHAPE(-2, -1), 20));
    assert_ok(seq_set(a, SHAPE(1, 0), -30));
    assert_values(a, 0, 1, 20, -30, 4, 5);
    seq_release(a);
}

static void test_set_rejects_an_out_of_range_index(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3();
    assert_fails(seq_set(a, SHAPE(2, 0), 1), SEQ_EINDEX, "dimension 0");
    assert_values(a, 0, 1, 2, 3, 4, 5);
    seq_release(a);
}

static void test_set_on_int64_truncates_the_value(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_ok(seq_zeros(&t, SEQ_INT64, 1, SHAPE(2)));
    assert_ok(seq_set(t, SHAPE(0), 7.9));
    assert_ok(seq_set(t, SHAPE(1), -7.9));
    assert_values(t, 7, -7);
    seq_release(t);
}

static void test_item_reads_a_one_element_tensor_of_any_rank(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    double v = 0;
    assert_ok(seq_full(&t, SEQ_FLOAT32, 3, SHAPE(1, 1, 1), 0.25));
    assert_ok(seq_item(&v, t));
    assert_true(v == 0.25);
    seq_release(t);
}

static void test_item_rejects_a_tensor_with_several_elements(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3();
    double v = 0;
    assert_fails(seq_item(&v, a), SEQ_ESHAPE, "(2,3)");
    seq_release(a);
}

static void test_copy_out_writes_a_view_in_c_order_converted(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *t = NULL;
    float buf[6] = {0};
    assert_ok(seq_transpose(&t, a, 0, 1));
    assert_ok(seq_copy_out(buf, SEQ_FLOAT32, t));
    const float want[6] = {0, 3, 1, 4, 2, 5};
    for (int i = 0; i < 6; i++)
        assert_true(buf[i] == want[i]);
    seq_release(a);
    seq_release(t);
}

static void test_copy_out_to_int64_truncates(void **state)
{
    (void)state;
    struct seq_tensor *f = NULL;
    int64_t buf[3] = {0};
    f = tensor_of(SEQ_FLOAT64, 1, SHAPE(3), VALUES(2.99, -2.99, 0.5));
    assert_ok(seq_copy_out(buf, SEQ_INT64, f));
    assert_int_equal(buf[0], 2);
    assert_int_equal(buf[1], -2);
    assert_int_equal(buf[2], 0);
    seq_release(f);
}

/* ---- in-place writes --------------------------------------------------------
 */

static void test_fill_writes_only_the_elements_of_a_view(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *col = NULL;
    assert_ok(seq_select(&col, a, 1, 1)); /* column 1 */
    assert_ok(seq_fill_(col, 7));
    assert_values(a, 0, 7, 2, 3, 7, 5);
    seq_release(a);
    seq_release(col);
}

static void test_copy_broadcasts_a_row_into_every_row(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *row = NULL;
    row = tensor_of(SEQ_FLOAT64, 1, SHAPE(3), VALUES(-1, -2, -3));
    assert_ok(seq_copy_(a, row));
    assert_values(a, -1, -2, -3, -1, -2, -3);
    seq_release(a);
    seq_release(row);
}

static void test_copy_converts_the_source_dtype(void **state)
{
    (void)state;
    struct seq_tensor *dst = NULL, *src = NULL;
    assert_ok(seq_zeros(&dst, SEQ_INT64, 1, SHAPE(3)));
    src = tensor_of(SEQ_FLOAT32, 1, SHAPE(3), VALUES(1.5, -2.5, 8));
    assert_ok(seq_copy_(dst, src));
    assert_int_equal(dst->dtype, SEQ_INT64);
    assert_values(dst, 1, -2, 8);
    seq_release(dst);
    seq_release(src);
}

static void test_copy_into_a_transposed_view_writes_the_base(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *t = NULL, *src = NULL;
    assert_ok(seq_transpose(&t, a, 0, 1)); /* (3,2) */
    src =
        tensor_of(SEQ_FLOAT64, 2, SHAPE(3, 2), VALUES(10, 11, 12, 13, 14, 15));
    assert_ok(seq_copy_(t, src));
    assert_values(a, 10, 12, 14, 11, 13, 15);
    seq_release(a);
    seq_release(t);
    seq_release(src);
}

static void test_copy_rejects_a_source_that_does_not_fit(void **state)
{
    (void)state;
    struct seq_tensor *dst = NULL, *src = NULL;
    assert_ok(seq_zeros(&dst, SEQ_FLOAT32, 2, SHAPE(2, 1)));
    assert_ok(seq_ones(&src, SEQ_FLOAT32, 1, SHAPE(3)));
    /* (3) broadcasts with (2,1) only to (2,3), which is not dst's shape */
    assert_fails(seq_copy_(dst, src), SEQ_ESHAPE, "(2,1)");
    assert_values(dst, 0, 0);
    seq_release(dst);
    seq_release(src);
}

static void test_add_inplace_adds_alpha_times_a_broadcast_source(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *col = NULL;
    col = tensor_of(SEQ_FLOAT64, 2, SHAPE(2, 1), VALUES(1, 10));
    assert_ok(seq_add_(a, col, -2));
    assert_values(a, -2, -1, 0, -17, -16, -15);
    seq_release(a);
    seq_release(col);
}

static void test_add_inplace_of_float_into_int64_truncates(void **state)
{
    (void)state;
    struct seq_tensor *dst = NULL, *src = NULL;
    assert_ok(seq_full(&dst, SEQ_INT64, 1, SHAPE(2), 10));
    src = tensor_of(SEQ_FLOAT32, 1, SHAPE(2), VALUES(0.75, -0.75));
    assert_ok(seq_add_(dst, src, 1));
    assert_values(dst, 10, 9); /* 10.75 -> 10, 9.25 -> 9 */
    seq_release(dst);
    seq_release(src);
}

static void test_add_inplace_rejects_a_source_that_would_grow_dst(void **state)
{
    (void)state;
    struct seq_tensor *dst = NULL, *src = NULL;
    assert_ok(seq_zeros(&dst, SEQ_FLOAT64, 1, SHAPE(3)));
    assert_ok(seq_ones(&src, SEQ_FLOAT64, 2, SHAPE(2, 3)));
    assert_fails(seq_add_(dst, src, 1), SEQ_ESHAPE, "(2,3)");
    assert_values(dst, 0, 0, 0);
    seq_release(dst);
    seq_release(src);
}

static void test_mul_scalar_inplace_scales_a_strided_view(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *s = NULL;
    assert_ok(seq_slice(&s, a, 1, 0, 3, 2)); /* columns 0 and 2 */
    assert_ok(seq_mul_scalar_(s, -3));
    assert_values(a, 0, 1, -6, -9, 4, -15);
    seq_release(a);
    seq_release(s);
}

/* ---- shape checks
 * ------------------------------------------------------------ */

static void test_creation_rejects_more_than_max_dims(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    const int64_t shape[SEQ_MAX_DIMS + 1] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    assert_fails(seq_zeros(&t, SEQ_FLOAT32, SEQ_MAX_DIMS + 1, shape),
                 SEQ_EINVAL, "dimensions");
    assert_fails(seq_zeros(&t, SEQ_FLOAT32, -1, shape), SEQ_EINVAL,
                 "dimensions");
    assert_null(t);
}

static void test_creation_accepts_exactly_max_dims(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    const int64_t shape[SEQ_MAX_DIMS] = {1, 2, 1, 2, 1, 2, 1, 2};
    assert_ok(seq_ones(&t, SEQ_FLOAT32, SEQ_MAX_DIMS, shape));
    assert_int_equal(seq_numel(t), 16);
    seq_release(t);
}

static void test_creation_rejects_a_negative_size_naming_the_shape(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_fails(seq_zeros(&t, SEQ_FLOAT64, 2, SHAPE(3, -2)), SEQ_EINVAL,
                 "(3,-2)");
    assert_null(t);
}

static void test_creation_of_an_overflowing_shape_fails_cleanly(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    const int64_t big = (int64_t)1 << 40;
    int st = seq_zeros(&t, SEQ_FLOAT32, 2, SHAPE(big, big));
    assert_true(st == SEQ_ENOMEM || st == SEQ_EINVAL);
    assert_null(t);
    st = seq_zeros(&t, SEQ_FLOAT64, 3, SHAPE(INT64_MAX, 2, 2));
    assert_true(st == SEQ_ENOMEM || st == SEQ_EINVAL);
    assert_null(t);
}

static void
test_creation_of_an_unallocatable_shape_fails_with_enomem(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    const int64_t n = (int64_t)1 << 25; /* 2^50 elements, 4 PiB */
    assert_fails(seq_zeros(&t, SEQ_FLOAT32, 2, SHAPE(n, n)), SEQ_ENOMEM,
                 "zeros");
    assert_null(t);
}

static void test_creation_rejects_an_invalid_dtype(void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    assert_fails(seq_zeros(&t, (enum seq_dtype)7, 1, SHAPE(2)), SEQ_EDTYPE,
                 "dtype");
    assert_null(t);
}

/* ---- memory accounting
 * --------------------------------------------------------- */

static void test_live_bytes_rise_by_the_tensor_size_and_fall_back(void **state)
{
    (void)state;
    struct seq_memstats m0, m1, m2;
    struct seq_tensor *t = NULL;
    seq_memory(&m0);
    assert_ok(seq_zeros(&t, SEQ_FLOAT64, 2, SHAPE(10, 5)));
    seq_memory(&m1);
    assert_int_equal(m1.live_bytes - m0.live_bytes, 400);
    assert_int_equal(m1.live_blocks - m0.live_blocks, 1);
    seq_release(t);
    seq_memory(&m2);
    assert_int_equal(m2.live_bytes, m0.live_bytes);
    assert_int_equal(m2.live_blocks, m0.live_blocks);
}

static void test_a_view_allocates_no_storage(void **state)
{
    (void)state;
    struct seq_memstats m0, m1;
    struct seq_tensor *a = matrix_2x3(), *t = NULL;
    seq_memory(&m0);
    assert_ok(seq_transpose(&t, a, 0, 1));
    seq_memory(&m1);
    assert_int_equal(m1.live_bytes, m0.live_bytes);
    seq_release(a); /* the view keeps the storage alive */
    assert_values(t, 0, 3, 1, 4, 2, 5);
    seq_release(t);
}

static void test_peak_bytes_keep_the_high_water_mark(void **state)
{
    (void)state;
    struct seq_memstats m0, m1;
    struct seq_tensor *t = NULL;
    seq_reset_peak();
    seq_memory(&m0);
    assert_int_equal(m0.peak_bytes, m0.live_bytes);
    assert_ok(seq_zeros(&t, SEQ_FLOAT32, 1, SHAPE(1000)));
    seq_release(t);
    seq_memory(&m1);
    assert_int_equal(m1.peak_bytes, m0.live_bytes + 4000);
    assert_int_equal(m1.live_bytes, m0.live_bytes);
}

static int64_t saved_limit;

static int save_memory_limit(void **state)
{
    struct seq_memstats m;
    seq_memory(&m);
    saved_limit = m.limit_bytes;
    return note_memory(state);
}

static int restore_memory_limit(void **state)
{
    seq_set_memory_limit(saved_limit);
    return check_no_leak(state);
}

static void test_memory_limit_makes_a_large_allocation_fail(void **state)
{
    (void)state;
    struct seq_memstats m;
    struct seq_tensor *t = NULL;
    seq_memory(&m);
    seq_set_memory_limit(m.live_bytes + (1 << 20));
    seq_memory(&m);
    assert_true(m.limit_bytes > 0);
    assert_fails(seq_zeros(&t, SEQ_FLOAT32, 2, SHAPE(1024, 1024)), SEQ_ENOMEM,
                 "out of memory");
    assert_null(t);
}

static void test_memory_limit_allows_allocations_under_it(void **state)
{
    (void)state;
    struct seq_memstats m;
    struct seq_tensor *t = NULL;
    seq_memory(&m);
    seq_set_memory_limit(m.live_bytes + (1 << 20));
    assert_ok(seq_zeros(&t, SEQ_FLOAT32, 1, SHAPE(1024)));
    seq_release(t);
}

static void test_removing_the_memory_limit_allows_the_allocation(void **state)
{
    (void)state;
    struct seq_memstats m;
    struct seq_tensor *t = NULL;
    seq_memory(&m);
    seq_set_memory_limit(m.live_bytes + 1024);
    assert_int_equal(seq_zeros(&t, SEQ_FLOAT64, 1, SHAPE(4096)), SEQ_ENOMEM);
    seq_set_memory_limit(0);
    seq_memory(&m);
    assert_int_equal(m.limit_bytes, 0);
    assert_ok(seq_zeros(&t, SEQ_FLOAT64, 1, SHAPE(4096)));
    seq_release(t);
}

/* ---- inspection and shape strings
 * ------------------------------------------------ */

static void test_shape_str_writes_sizes_in_parentheses(void **state)
{
    (void)state;
    char buf[SEQ_SHAPE_BUF];
    assert_string_equal(seq_shape_str(buf, sizeof buf, 2, SHAPE(5, 3)),
                        "(5,3)");
    assert_string_equal(seq_shape_str(buf, sizeof buf, 1, SHAPE(7)), "(7)");
    assert_string_equal(seq_shape_str(buf, sizeof buf, 3, SHAPE(2, 0, 1048576)),
                        "(2,0,1048576)");
}

static void
test_shape_str_of_a_zero_dim_shape_is_empty_parentheses(void **state)
{
    (void)state;
    char buf[SEQ_SHAPE_BUF];
    assert_string_equal(seq_shape_str(buf, sizeof buf, 0, NULL), "()");
}

static void test_shape_str_truncates_within_a_small_buffer(void **state)
{
    (void)state;
    char buf[16];
    memset(buf, 'x', sizeof buf);
    seq_shape_str(buf, 8, 3, SHAPE(123456, 7890, 12));
    assert_true(memchr(buf, '\0', 8) != NULL);
    assert_true(strncmp(buf, "(123456", 7) == 0);
    assert_true(buf[8] == 'x'); /* nothing written past n */
}

static void test_shape_str_fits_max_dims_of_large_sizes(void **state)
{
    (void)state;
    char buf[SEQ_SHAPE_BUF];
    const int64_t s[SEQ_MAX_DIMS] = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX,
                                     1,         1,         1,         1};
    seq_shape_str(buf, sizeof buf, SEQ_MAX_DIMS, s);
    assert_true(strlen(buf) < sizeof buf);
    assert_true(strncmp(buf, "(9223372036854775807,", 21) == 0);
}

static void test_is_contiguous_is_false_for_a_transposed_view(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *t = NULL;
    assert_true(seq_is_contiguous(a));
    assert_ok(seq_transpose(&t, a, 0, 1));
    assert_false(seq_is_contiguous(t));
    seq_release(a);
    seq_release(t);
}

static void test_same_shape_compares_rank_and_sizes(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *b = NULL, *c = NULL;
    assert_ok(seq_zeros(&a, SEQ_FLOAT32, 2, SHAPE(2, 3)));
    assert_ok(seq_zeros(&b, SEQ_INT64, 2, SHAPE(2, 3)));
    assert_ok(seq_zeros(&c, SEQ_FLOAT32, 3, SHAPE(1, 2, 3)));
    assert_true(seq_same_shape(a, b));
    assert_false(seq_same_shape(a, c));
    seq_release(a);
    seq_release(b);
    seq_release(c);
}

static void test_data_points_at_the_first_element_of_a_view(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *row = NULL;
    assert_ok(seq_select(&row, a, 0, 1));
    assert_ptr_equal(seq_data(row), (double *)seq_data(a) + 3);
    assert_true(*(double *)seq_data(row) == 3);
    seq_release(a);
    seq_release(row);
}

static void test_retain_and_release_count_references(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3();
    assert_ptr_equal(seq_retain(a), a);
    assert_int_equal(a->refcount, 2);
    seq_release(a);
    assert_int_equal(a->refcount, 1);
    assert_null(seq_retain(NULL));
    seq_release(NULL);
    seq_release(a);
}

static void test_detach_shares_storage_without_grad(void **state)
{
    (void)state;
    struct seq_tensor *a = matrix_2x3(), *d = NULL;
    assert_ok(seq_detach(&d, a));
    assert_ptr_equal(d->storage, a->storage);
    assert_false(d->requires_grad);
    assert_null(d->grad_fn);
    assert_ok(seq_set(d, SHAPE(0, 1), -8));
    assert_values(a, 0, -8, 2, 3, 4, 5);
    seq_release(a);
    seq_release(d);
}

#define T(f) cmocka_unit_test_setup_teardown(f, note_memory, check_no_leak)
#define T_LIMIT(f)                                                             \
    cmocka_unit_test_setup_teardown(f, save_memory_limit, restore_memory_limit)

static void test_a_shape_with_a_zero_is_empty_however_large_the_rest(
    void **state)
{
    (void)state;
    struct seq_tensor *t = NULL;
    int64_t big = (int64_t)1 << 62;
    assert_ok(seq_zeros(&t, SEQ_FLOAT32, 2, SHAPE(big, 0)));
    assert_int_equal(seq_numel(t), 0);
    seq_release(t);
    assert_ok(seq_zeros(&t, SEQ_FLOAT32, 2, SHAPE(0, big)));
    assert_int_equal(seq_numel(t), 0);
    seq_release(t);
    t = NULL;
    assert_fails(seq_zeros(&t, SEQ_FLOAT32, 2, SHAPE(big, 2)), SEQ_ENOMEM,
                 "too large");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_shape_with_a_zero_is_empty_however_large_the_rest,
            note_memory, check_no_leak),
        T(test_zeros_makes_a_contiguous_zero_filled_tensor),
        T(test_ones_fills_every_element_with_one),
        T(test_full_fills_with_the_value),
        T(test_full_of_int64_truncates_a_fractional_value),
        T(test_scalar_is_a_zero_dim_tensor_with_one_element),
        T(test_zeros_like_and_ones_like_copy_shape_and_dtype),
        T(test_a_zero_size_dimension_gives_an_empty_tensor),
        T(test_arange_counts_up_to_but_excluding_end),
        T(test_arange_with_a_fractional_step),
        T(test_arange_with_a_negative_step_counts_down),
        T(test_arange_with_a_negative_fractional_step),
        T(test_arange_with_start_equal_to_end_is_empty),
        T(test_arange_rejects_a_zero_step),
        T(test_arange_rejects_a_step_going_away_from_end),
        T(test_arange_rejects_non_finite_bounds),
        T(test_arange_with_too_many_elements_fails_cleanly),
        T(test_linspace_includes_both_ends),
        T(test_linspace_last_element_is_exactly_end),
        T(test_linspace_with_zero_steps_is_empty),
        T(test_linspace_with_one_step_is_the_start),
        T(test_linspace_rejects_negative_steps),
        T(test_eye_with_negative_m_is_square_identity),
        T(test_eye_wide_has_ones_on_the_leading_diagonal),
        T(test_eye_tall_has_ones_on_the_leading_diagonal),
        T(test_from_buffer_copies_the_data),
        T(test_from_buffer_keeps_int64_values_exactly),
        T(test_dtype_names_are_numpy_names),
        T(test_dtype_parse_accepts_names_and_aliases),
        T(test_dtype_parse_rejects_an_unknown_name_naming_it),
        T(test_dtype_sizes_and_kinds),
        T(test_promote_float32_and_float64_matrices_to_float64),
        T(test_promote_float32_matrix_with_float64_scalar_stays_float32),
        T(test_promote_int64_with_float32_gives_float32),
        T(test_promote_int64_matrix_with_float64_scalar_gives_float64),
        T(test_promote_two_zero_dim_floats_gives_float64),
        T(test_add_of_float32_matrix_and_float64_scalar_is_float32),
        T(test_to_int64_truncates_toward_zero),
        T(test_to_int64_maps_nan_to_zero_and_saturates_huge_values),
        T(test_to_float32_rounds_to_nearest_float),
        T(test_to_float64_from_int64_is_exact),
        T(test_to_the_same_dtype_returns_the_same_tensor),
        T(test_to_converts_a_transposed_view_in_c_order),
        T(test_contiguous_of_a_contiguous_tensor_is_itself),
        T(test_contiguous_of_a_transposed_view_copies_in_c_order),
        T(test_writing_a_clone_leaves_the_source_unchanged),
        T(test_writing_the_source_leaves_a_clone_unchanged),
        T(test_clone_of_a_strided_view_is_contiguous),
        T(test_get_reads_an_element_with_negative_indices),
        T(test_get_rejects_an_index_past_either_end),
        T(test_get_of_a_zero_dim_tensor_takes_no_index),
        T(test_set_writes_an_element_with_negative_indices),
        T(test_set_rejects_an_out_of_range_index),
        T(test_set_on_int64_truncates_the_value),
        T(test_item_reads_a_one_element_tensor_of_any_rank),
        T(test_item_rejects_a_tensor_with_several_elements),
        T(test_copy_out_writes_a_view_in_c_order_converted),
        T(test_copy_out_to_int64_truncates),
        T(test_fill_writes_only_the_elements_of_a_view),
        T(test_copy_broadcasts_a_row_into_every_row),
        T(test_copy_converts_the_source_dtype),
        T(test_copy_into_a_transposed_view_writes_the_base),
        T(test_copy_rejects_a_source_that_does_not_fit),
        T(test_add_inplace_adds_alpha_times_a_broadcast_source),
        T(test_add_inplace_of_float_into_int64_truncates),
        T(test_add_inplace_rejects_a_source_that_would_grow_dst),
        T(test_mul_scalar_inplace_scales_a_strided_view),
        T(test_creation_rejects_more_than_max_dims),
        T(test_creation_accepts_exactly_max_dims),
        T(test_creation_rejects_a_negative_size_naming_the_shape),
        T(test_creation_of_an_overflowing_shape_fails_cleanly),
        T(test_creation_of_an_unallocatable_shape_fails_with_enomem),
        T(test_creation_rejects_an_invalid_dtype),
        T(test_live_bytes_rise_by_the_tensor_size_and_fall_back),
        T(test_a_view_allocates_no_storage),
        T(test_peak_bytes_keep_the_high_water_mark),
        T_LIMIT(test_memory_limit_makes_a_large_allocation_fail),
        T_LIMIT(test_memory_limit_allows_allocations_under_it),
        T_LIMIT(test_removing_the_memory_limit_allows_the_allocation),
        T(test_shape_str_writes_sizes_in_parentheses),
        T(test_shape_str_of_a_zero_dim_shape_is_empty_parentheses),
        T(test_shape_str_truncates_within_a_small_buffer),
        T(test_shape_str_fits_max_dims_of_large_sizes),
        T(test_is_contiguous_is_false_for_a_transposed_view),
        T(test_same_shape_compares_rank_and_sizes),
        T(test_data_points_at_the_first_element_of_a_view),
        T(test_retain_and_release_count_references),
        T(test_detach_shares_storage_without_grad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
