/* test_view.c — ops that return views: view/reshape/flatten, transpose and
 * permute, slice/narrow/select, squeeze/unsqueeze and expand.
 *
 * Each test checks the values (C order), and where it matters the shape,
 * strides and whether storage is shared.  Expected values are worked out by
 * hand from the base tensors below.  A fixture fails any test that leaves
 * engine memory allocated. */
#include "testutil.h"

#include "seq/error.h"


/* arange(n) as float64 with the given shape: element i holds i. */
static struct seq_tensor *iota(int ndim, const int64_t *shape)
{
    struct seq_tensor *a = NULL, *r = NULL;
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    assert_ok(seq_arange(&a, SEQ_FLOAT64, 0, (double)n, 1));
    assert_ok(seq_reshape(&r, a, ndim, shape));
    seq_release(a);
    return r;
}

static void assert_strides(const struct seq_tensor *t, int ndim,
                           const int64_t *stride)
{
    assert_int_equal(t->ndim, ndim);
    for (int i = 0; i < ndim; i++)
        if (t->stride[i] != stride[i])
            fail_msg("stride[%d] is %lld, expected %lld", i,
                     (long long)t->stride[i], (long long)stride[i]);
}

/* ---- view / reshape / flatten ---------------------------------------- */

static void
test_view_gives_the_values_in_c_order_with_the_new_shape(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 6)), *v = NULL;
    assert_ok(seq_view(&v, a, 3, SHAPE(3, 2, 2)));
    assert_shape(v, 3, SHAPE(3, 2, 2));
    assert_strides(v, 3, SHAPE(4, 2, 1));
    assert_values(v, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    seq_release(a);
    seq_release(v);
}

static void test_view_infers_a_minus_one_size(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(12)), *v = NULL;
    assert_ok(seq_view(&v, a, 3, SHAPE(2, -1, 3)));
    assert_shape(v, 3, SHAPE(2, 2, 3));
    seq_release(a);
    seq_release(v);
}

static void test_view_shares_storage_with_its_base(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(6)), *v = NULL;
    assert_ok(seq_view(&v, a, 2, SHAPE(3, 2)));
    assert_ptr_equal(v->storage, a->storage);
    assert_ok(seq_set(v, SHAPE(2, 0), -1));
    assert_values(a, 0, 1, 2, 3, -1, 5);
    seq_release(a);
    seq_release(v);
}

static void test_view_rejects_two_minus_ones(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(12)), *v = NULL;
    assert_fails(seq_view(&v, a, 2, SHAPE(-1, -1)), SEQ_EINVAL, "-1");
    assert_null(v);
    seq_release(a);
}

static void test_view_rejects_a_different_element_count(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(12)), *v = NULL;
    assert_fails(seq_view(&v, a, 2, SHAPE(5, 2)), SEQ_ESHAPE, "(5,2)");
    assert_fails(seq_view(&v, a, 2, SHAPE(5, -1)), SEQ_ESHAPE, "(5,-1)");
    assert_null(v);
    seq_release(a);
}

static void test_view_rejects_a_negative_size_other_than_minus_one(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(4)), *v = NULL;
    assert_fails(seq_view(&v, a, 2, SHAPE(-2, -2)), SEQ_EINVAL, "-2");
    assert_null(v);
    seq_release(a);
}

static void
test_view_of_a_transposed_tensor_fails_suggesting_reshape(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 3)), *t = NULL, *v = NULL;
    assert_ok(seq_transpose(&t, a, 0, 1));
    assert_fails(seq_view(&v, t, 1, SHAPE(6)), SEQ_ESHAPE, "reshape");
    assert_null(v);
    seq_release(a);
    seq_release(t);
}

static void test_view_of_a_column_slice_can_split_its_rows(void **state)
{
    (void)state;
    /* a (4,3) window of a (4,6) matrix: rows are 6 apart, so the rows can
     * be split into (2,2) without a copy */
    struct seq_tensor *a = iota(2, SHAPE(4, 6)), *s = NULL, *v = NULL;
    assert_ok(seq_slice(&s, a, 1, 1, 4, 1));
    assert_ok(seq_view(&v, s, 3, SHAPE(2, 2, 3)));
    assert_ptr_equal(v->storage, a->storage);
    assert_strides(v, 3, SHAPE(12, 6, 1));
    assert_values(v, 1, 2, 3, 7, 8, 9, 13, 14, 15, 19, 20, 21);
    seq_release(a);
    seq_release(s);
    seq_release(v);
}

static void test_view_of_a_column_slice_cannot_merge_its_rows(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(4, 6)), *s = NULL, *v = NULL;
    assert_ok(seq_slice(&s, a, 1, 1, 4, 1));
    assert_fails(seq_view(&v, s, 1, SHAPE(12)), SEQ_ESHAPE, "view");
    assert_null(v);
    seq_release(a);
    seq_release(s);
}

static void test_reshape_of_a_contiguous_tensor_is_a_view(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 3)), *r = NULL;
    assert_ok(seq_reshape(&r, a, 2, SHAPE(3, -1)));
    assert_shape(r, 2, SHAPE(3, 2));
    assert_ptr_equal(r->storage, a->storage);
    assert_values(r, 0, 1, 2, 3, 4, 5);
    seq_release(a);
    seq_release(r);
}

static void test_reshape_of_a_transposed_tensor_copies_in_c_order(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 3)), *t = NULL, *r = NULL;
    assert_ok(seq_transpose(&t, a, 0, 1)); /* [[0,3],[1,4],[2,5]] */
    assert_ok(seq_reshape(&r, t, 1, SHAPE(6)));
    assert_ptr_not_equal(r->storage, a->storage);
    assert_values(r, 0, 3, 1, 4, 2, 5);
    seq_release(a);
    seq_release(t);
    seq_release(r);
}

static void test_reshape_copy_does_not_write_back_to_the_base(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 3)), *t = NULL, *r = NULL;
    assert_ok(seq_transpose(&t, a, 0, 1));
    assert_ok(seq_reshape(&r, t, 2, SHAPE(2, 3)));
    assert_ok(seq_fill_(r, 9));
    assert_values(a, 0, 1, 2, 3, 4, 5);
    seq_release(a);
    seq_release(t);
    seq_release(r);
}

static void test_reshape_to_zero_dims_keeps_the_single_value(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *r = NULL;
    a = tensor_of(SEQ_FLOAT32, 2, SHAPE(1, 1), VALUES(4.5));
    assert_ok(seq_reshape(&r, a, 0, NULL));
    assert_int_equal(r->ndim, 0);
    assert_values(r, 4.5);
    seq_release(a);
    seq_release(r);
}

static void test_flatten_of_a_permuted_tensor_gives_c_order(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(3, SHAPE(2, 2, 2)), *p = NULL, *f = NULL;
    assert_ok(seq_permute(&p, a, (const int[]){2, 0, 1}));
    assert_ok(seq_flatten(&f, p));
    assert_shape(f, 1, SHAPE(8));
    /* p[i][j][k] = a[j][k][i] = 4j + 2k + i */
    assert_values(f, 0, 2, 4, 6, 1, 3, 5, 7);
    seq_release(a);
    seq_release(p);
    seq_release(f);
}

static void test_flatten_of_a_zero_dim_tensor_has_one_element(void **state)
{
    (void)state;
    struct seq_tensor *s = NULL, *f = NULL;
    assert_ok(seq_scalar(&s, SEQ_INT64, 3));
    assert_ok(seq_flatten(&f, s));
    assert_shape(f, 1, SHAPE(1));
    assert_values(f, 3);
    seq_release(s);
    seq_release(f);
}

/* ---- transpose / permute ----------------------------------------------- */

static void test_transpose_swaps_sizes_and_strides(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(3, SHAPE(2, 3, 4)), *t = NULL;
    assert_ok(seq_transpose(&t, a, 0, 2));
    assert_shape(t, 3, SHAPE(4, 3, 2));
    assert_strides(t, 3, SHAPE(1, 4, 12));
    assert_ptr_equal(t->storage, a->storage);
    seq_release(a);
    seq_release(t);
}

static void test_transpose_of_a_matrix_reads_columns_as_rows(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 3)), *t = NULL;
    assert_ok(seq_transpose(&t, a, 1, 0));
    assert_values(t, 0, 3, 1, 4, 2, 5);
    seq_release(a);
    seq_release(t);
}

static void test_transpose_accepts_negative_dims(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(3, SHAPE(2, 3, 4)), *t = NULL;
    assert_ok(seq_transpose(&t, a, -1, -2));
    assert_shape(t, 3, SHAPE(2, 4, 3));
    assert_strides(t, 3, SHAPE(12, 1, 4));
    seq_release(a);
    seq_release(t);
}

static void test_transpose_rejects_an_out_of_range_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 3)), *t = NULL;
    assert_fails(seq_transpose(&t, a, 0, 2), SEQ_EINDEX, "dimension 2");
    assert_fails(seq_transpose(&t, a, -3, 0), SEQ_EINDEX, "dimension -3");
    assert_null(t);
    seq_release(a);
}

static void test_permute_reorders_sizes_strides_and_values(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(3, SHAPE(2, 3, 4)), *p = NULL;
    double v = 0;
    assert_ok(seq_permute(&p, a, (const int[]){1, 2, 0}));
    assert_shape(p, 3, SHAPE(3, 4, 2));
    assert_strides(p, 3, SHAPE(4, 1, 12));
    /* p[i][j][k] = a[k][i][j] = 12k + 4i + j */
    assert_ok(seq_get(&v, p, SHAPE(2, 1, 1)));
    assert_true(v == 12 + 8 + 1);
    seq_release(a);
    seq_release(p);
}

static void test_permute_accepts_negative_dims(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(3, SHAPE(2, 3, 4)), *p = NULL;
    assert_ok(seq_permute(&p, a, (const int[]){-1, 0, -2}));
    assert_shape(p, 3, SHAPE(4, 2, 3));
    seq_release(a);
    seq_release(p);
}

static void test_permute_rejects_a_repeated_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(3, SHAPE(2, 3, 4)), *p = NULL;
    assert_fails(seq_permute(&p, a, (const int[]){0, 2, -1}), SEQ_EINVAL,
                 "twice");
    assert_null(p);
    seq_release(a);
}

static void
test_writing_through_a_transposed_view_changes_the_base(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 3)), *t = NULL;
    assert_ok(seq_transpose(&t, a, 0, 1));
    assert_ok(seq_set(t, SHAPE(2, 0), 50)); /* a[0][2] */
    assert_ok(seq_set(t, SHAPE(0, 1), 30)); /* a[1][0] */
    assert_values(a, 0, 1, 50, 30, 4, 5);
    seq_release(a);
    seq_release(t);
}

/* ---- slice / narrow / select ------------------------------------------- */

static void test_slice_with_a_step_takes_every_nth_element(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(10)), *s = NULL;
    assert_ok(seq_slice(&s, a, 0, 1, 8, 3));
    assert_shape(s, 1, SHAPE(3));
    assert_strides(s, 1, SHAPE(3));
    assert_int_equal(s->offset, 1);
    assert_values(s, 1, 4, 7);
    seq_release(a);
    seq_release(s);
}

static void
test_slice_with_negative_start_and_end_counts_from_the_end(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(10)), *s = NULL;
    assert_ok(seq_slice(&s, a, 0, -4, -1, 1)); /* a[-4:-1] */
    assert_values(s, 6, 7, 8);
    seq_release(a);
    seq_release(s);
}

static void test_slice_clamps_bounds_outside_the_dimension(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(5)), *s = NULL;
    assert_ok(seq_slice(&s, a, 0, -100, 100, 2)); /* a[-100:100:2] */
    assert_values(s, 0, 2, 4);
    seq_release(a);
    seq_release(s);
}

static void test_slice_with_end_before_start_is_empty(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(3, 5)), *s = NULL;
    assert_ok(seq_slice(&s, a, 1, 4, 2, 1));
    assert_shape(s, 2, SHAPE(3, 0));
    seq_release(a);
    seq_release(s);
}

static void test_slice_with_start_past_the_end_is_empty(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(5)), *s = NULL;
    assert_ok(seq_slice(&s, a, 0, 7, 9, 1));
    assert_shape(s, 1, SHAPE(0));
    seq_release(a);
    seq_release(s);
}

static void test_slice_along_the_last_dim_with_a_negative_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 4)), *s = NULL;
    assert_ok(seq_slice(&s, a, -1, 1, 4, 2));
    assert_shape(s, 2, SHAPE(2, 2));
    assert_values(s, 1, 3, 5, 7);
    seq_release(a);
    seq_release(s);
}

static void
test_slice_with_a_step_past_the_end_takes_only_the_first(void **state)
{
    (void)state;
    /* Python: list(range(5))[1:5:2**63 - 1] == [1] */
    struct seq_tensor *a = iota(1, SHAPE(5)), *s = NULL;
    assert_ok(seq_slice(&s, a, 0, 1, 5, INT64_MAX));
    assert_shape(s, 1, SHAPE(1));
    assert_values(s, 1);
    seq_release(a);
    seq_release(s);
}

static void test_slice_rejects_a_step_below_one(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(5)), *s = NULL;
    assert_fails(seq_slice(&s, a, 0, 0, 5, 0), SEQ_EINVAL, "step");
    assert_fails(seq_slice(&s, a, 0, 4, 0, -1), SEQ_EINVAL, "step");
    assert_null(s);
    seq_release(a);
}

static void test_slice_of_a_slice_composes_offsets_and_steps(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(20)), *s1 = NULL, *s2 = NULL;
    assert_ok(seq_slice(&s1, a, 0, 2, 20, 3)); /* 2 5 8 11 14 17 */
    assert_ok(seq_slice(&s2, s1, 0, 1, 6, 2)); /* 5 11 17 */
    assert_int_equal(s2->offset, 5);
    assert_strides(s2, 1, SHAPE(6));
    assert_values(s2, 5, 11, 17);
    seq_release(a);
    seq_release(s1);
    seq_release(s2);
}

static void test_narrow_takes_a_window_of_the_given_length(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(3, 4)), *n = NULL;
    assert_ok(seq_narrow(&n, a, 1, -3, 2)); /* columns 1 and 2 */
    assert_shape(n, 2, SHAPE(3, 2));
    assert_values(n, 1, 2, 5, 6, 9, 10);
    seq_release(a);
    seq_release(n);
}

static void test_narrow_rejects_a_window_past_the_end(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(3, 4)), *n = NULL;
    assert_fails(seq_narrow(&n, a, 1, 2, 3), SEQ_EINDEX, "size 4");
    assert_fails(seq_narrow(&n, a, 0, -5, 1), SEQ_EINDEX, "narrow");
    assert_fails(seq_narrow(&n, a, 0, 0, -1), SEQ_EINDEX, "narrow");
    assert_null(n);
    seq_release(a);
}

static void test_select_removes_the_dimension(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(3, SHAPE(2, 3, 4)), *s = NULL;
    assert_ok(seq_select(&s, a, 1, 2));
    assert_shape(s, 2, SHAPE(2, 4));
    assert_values(s, 8, 9, 10, 11, 20, 21, 22, 23);
    seq_release(a);
    seq_release(s);
}

static void test_select_with_a_negative_index_counts_from_the_end(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(3, 2)), *s = NULL;
    assert_ok(seq_select(&s, a, 0, -1));
    assert_values(s, 4, 5);
    seq_release(a);
    seq_release(s);
}

static void test_select_of_a_vector_gives_a_zero_dim_view(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(4)), *s = NULL;
    assert_ok(seq_select(&s, a, 0, 2));
    assert_int_equal(s->ndim, 0);
    assert_ok(seq_fill_(s, -7));
    assert_values(a, 0, 1, -7, 3);
    seq_release(a);
    seq_release(s);
}

static void test_select_rejects_an_out_of_range_index(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(3, 2)), *s = NULL;
    assert_fails(seq_select(&s, a, 0, 3), SEQ_EINDEX, "index 3");
    assert_fails(seq_select(&s, a, 1, -3), SEQ_EINDEX, "index -3");
    assert_null(s);
    seq_release(a);
}

static void test_select_rejects_an_out_of_range_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(3, 2)), *s = NULL;
    assert_fails(seq_select(&s, a, 2, 0), SEQ_EINDEX, "dimension 2");
    assert_null(s);
    seq_release(a);
}

static void test_select_rejects_a_zero_dim_tensor(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *s = NULL;
    assert_ok(seq_scalar(&a, SEQ_FLOAT32, 1));
    assert_fails(seq_select(&s, a, 0, 0), SEQ_EINDEX, "0-d");
    assert_null(s);
    seq_release(a);
}

/* ---- squeeze / unsqueeze ----------------------------------------------- */

static void test_squeeze_removes_one_size_one_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(4, SHAPE(1, 3, 1, 2)), *s = NULL;
    assert_ok(seq_squeeze(&s, a, 2));
    assert_shape(s, 3, SHAPE(1, 3, 2));
    assert_values(s, 0, 1, 2, 3, 4, 5);
    seq_release(a);
    seq_release(s);
}

static void test_squeeze_all_removes_every_size_one_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(4, SHAPE(1, 3, 1, 2)), *s = NULL;
    assert_ok(seq_squeeze(&s, a, SEQ_DIM_ALL));
    assert_shape(s, 2, SHAPE(3, 2));
    assert_strides(s, 2, SHAPE(2, 1));
    seq_release(a);
    seq_release(s);
}

static void test_squeeze_all_of_all_ones_gives_zero_dims(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *s = NULL;
    a = tensor_of(SEQ_FLOAT64, 3, SHAPE(1, 1, 1), VALUES(2.5));
    assert_ok(seq_squeeze(&s, a, SEQ_DIM_ALL));
    assert_int_equal(s->ndim, 0);
    assert_values(s, 2.5);
    seq_release(a);
    seq_release(s);
}

static void test_squeeze_of_a_dim_larger_than_one_is_a_no_op(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(3, SHAPE(1, 3, 2)), *s = NULL;
    assert_ok(seq_squeeze(&s, a, 1));
    assert_shape(s, 3, SHAPE(1, 3, 2));
    assert_values(s, 0, 1, 2, 3, 4, 5);
    seq_release(a);
    seq_release(s);
}

static void test_squeeze_accepts_a_negative_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(3, SHAPE(2, 3, 1)), *s = NULL;
    assert_ok(seq_squeeze(&s, a, -1));
    assert_shape(s, 2, SHAPE(2, 3));
    seq_release(a);
    seq_release(s);
}

static void test_squeeze_rejects_an_out_of_range_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(1, 3)), *s = NULL;
    assert_fails(seq_squeeze(&s, a, 2), SEQ_EINDEX, "squeeze");
    assert_null(s);
    seq_release(a);
}

static void test_unsqueeze_inserts_a_size_one_dim_at_each_position(void **state)
{
    (void)state;
    static const int64_t want[3][3] = {{1, 2, 3}, {2, 1, 3}, {2, 3, 1}};
    struct seq_tensor *a = iota(2, SHAPE(2, 3));
    for (int d = 0; d <= 2; d++) {
        struct seq_tensor *u = NULL;
        assert_ok(seq_unsqueeze(&u, a, d));
        assert_shape(u, 3, want[d]);
        assert_ptr_equal(u->storage, a->storage);
        assert_values(u, 0, 1, 2, 3, 4, 5);
        seq_release(u);
    }
    seq_release(a);
}

static void test_unsqueeze_with_a_negative_dim_counts_from_the_end(void **state)
{
    (void)state;
    /* PyTorch: dim -1 appends, -3 prepends for a 2-d tensor */
    struct seq_tensor *a = iota(2, SHAPE(2, 3)), *u = NULL, *v = NULL,
                      *w = NULL;
    assert_ok(seq_unsqueeze(&u, a, -1));
    assert_shape(u, 3, SHAPE(2, 3, 1));
    assert_ok(seq_unsqueeze(&v, a, -2));
    assert_shape(v, 3, SHAPE(2, 1, 3));
    assert_ok(seq_unsqueeze(&w, a, -3));
    assert_shape(w, 3, SHAPE(1, 2, 3));
    seq_release(a);
    seq_release(u);
    seq_release(v);
    seq_release(w);
}

static void test_unsqueeze_of_a_zero_dim_tensor_gives_a_vector(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *u = NULL;
    assert_ok(seq_scalar(&a, SEQ_FLOAT32, 3));
    assert_ok(seq_unsqueeze(&u, a, 0));
    assert_shape(u, 1, SHAPE(1));
    assert_values(u, 3);
    seq_release(a);
    seq_release(u);
}

static void test_unsqueeze_rejects_an_out_of_range_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 3)), *u = NULL;
    assert_fails(seq_unsqueeze(&u, a, 3), SEQ_EINDEX, "unsqueeze");
    assert_fails(seq_unsqueeze(&u, a, -4), SEQ_EINDEX, "unsqueeze");
    assert_null(u);
    seq_release(a);
}

static void test_unsqueeze_rejects_going_past_max_dims(void **state)
{
    (void)state;
    struct seq_tensor *a = NULL, *u = NULL;
    const int64_t shape[SEQ_MAX_DIMS] = {1, 1, 1, 1, 1, 1, 1, 1};
    assert_ok(seq_zeros(&a, SEQ_FLOAT32, SEQ_MAX_DIMS, shape));
    assert_fails(seq_unsqueeze(&u, a, 0), SEQ_EINVAL, "unsqueeze");
    assert_null(u);
    seq_release(a);
}

/* ---- expand ------------------------------------------------------------ */

static void test_expand_adds_leading_dims_with_zero_strides(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(3)), *e = NULL;
    assert_ok(seq_expand(&e, a, 3, SHAPE(2, 2, 3)));
    assert_shape(e, 3, SHAPE(2, 2, 3));
    assert_strides(e, 3, SHAPE(0, 0, 1));
    assert_ptr_equal(e->storage, a->storage);
    assert_values(e, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2);
    seq_release(a);
    seq_release(e);
}

static void test_expand_repeats_a_size_one_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 1)), *e = NULL;
    assert_ok(seq_expand(&e, a, 2, SHAPE(2, 3)));
    assert_strides(e, 2, SHAPE(1, 0));
    assert_values(e, 0, 0, 0, 1, 1, 1);
    seq_release(a);
    seq_release(e);
}

static void test_expand_minus_one_keeps_the_existing_size(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(3, 1)), *e = NULL;
    assert_ok(seq_expand(&e, a, 3, SHAPE(2, -1, 4)));
    assert_shape(e, 3, SHAPE(2, 3, 4));
    seq_release(a);
    seq_release(e);
}

static void test_expand_rejects_changing_a_dim_that_is_not_one(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 3)), *e = NULL;
    assert_fails(seq_expand(&e, a, 2, SHAPE(2, 6)), SEQ_ESHAPE, "(2,3)");
    assert_null(e);
    seq_release(a);
}

static void test_expand_rejects_fewer_dims_than_the_tensor(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(2, 3)), *e = NULL;
    assert_fails(seq_expand(&e, a, 1, SHAPE(3)), SEQ_ESHAPE, "expand");
    assert_null(e);
    seq_release(a);
}

static void test_expand_rejects_minus_one_in_a_new_leading_dim(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(3)), *e = NULL;
    assert_fails(seq_expand(&e, a, 2, SHAPE(-1, 3)), SEQ_EINVAL, "-1");
    assert_null(e);
    seq_release(a);
}

static void test_writing_the_base_shows_in_every_expanded_copy(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(1, SHAPE(2)), *e = NULL;
    assert_ok(seq_expand(&e, a, 2, SHAPE(3, 2)));
    assert_ok(seq_set(a, SHAPE(1), 9));
    assert_values(e, 0, 9, 0, 9, 0, 9);
    seq_release(a);
    seq_release(e);
}

/* ---- chains ------------------------------------------------------------ */

static void test_chained_views_read_the_right_elements(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(3, SHAPE(2, 3, 4)), *p = NULL, *s = NULL,
                      *q = NULL, *u = NULL, *c = NULL;
    /* p = a.permute(2, 0, 1): p[i][j][k] = a[j][k][i] = 12j + 4k + i */
    assert_ok(seq_permute(&p, a, (const int[]){2, 0, 1}));
    assert_ok(seq_slice(&s, p, 0, 1, 4, 2)); /* i in {1, 3} */
    assert_ok(seq_select(&q, s, 2, -1));     /* k = 2 */
    assert_ok(seq_unsqueeze(&u, q, 0));      /* (1, 2, 2): [i][j] */
    assert_shape(u, 3, SHAPE(1, 2, 2));
    /* (i, j) = (1,0) (1,1) (3,0) (3,1) -> 12j + 8 + i */
    assert_values(u, 9, 21, 11, 23);
    assert_ok(seq_contiguous(&c, u));
    assert_values(c, 9, 21, 11, 23);
    seq_release(a);
    seq_release(p);
    seq_release(s);
    seq_release(q);
    seq_release(u);
    seq_release(c);
}

static void test_a_chained_view_outlives_its_intermediates(void **state)
{
    (void)state;
    struct seq_tensor *a = iota(2, SHAPE(4, 4)), *t = NULL, *s = NULL;
    assert_ok(seq_transpose(&t, a, 0, 1));
    assert_ok(seq_slice(&s, t, 0, 1, 3, 1)); /* columns 1, 2 of a */
    seq_release(a);
    seq_release(t);
    assert_values(s, 1, 5, 9, 13, 2, 6, 10, 14);
    seq_release(s);
}

#define T(f) cmocka_unit_test_setup_teardown(f, note_memory, check_no_leak)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_view_gives_the_values_in_c_order_with_the_new_shape),
        T(test_view_infers_a_minus_one_size),
        T(test_view_shares_storage_with_its_base),
        T(test_view_rejects_two_minus_ones),
        T(test_view_rejects_a_different_element_count),
        T(test_view_rejects_a_negative_size_other_than_minus_one),
        T(test_view_of_a_transposed_tensor_fails_suggesting_reshape),
        T(test_view_of_a_column_slice_can_split_its_rows),
        T(test_view_of_a_column_slice_cannot_merge_its_rows),
        T(test_reshape_of_a_contiguous_tensor_is_a_view),
        T(test_reshape_of_a_transposed_tensor_copies_in_c_order),
        T(test_reshape_copy_does_not_write_back_to_the_base),
        T(test_reshape_to_zero_dims_keeps_the_single_value),
        T(test_flatten_of_a_permuted_tensor_gives_c_order),
        T(test_flatten_of_a_zero_dim_tensor_has_one_element),
        T(test_transpose_swaps_sizes_and_strides),
        T(test_transpose_of_a_matrix_reads_columns_as_rows),
        T(test_transpose_accepts_negative_dims),
        T(test_transpose_rejects_an_out_of_range_dim),
        T(test_permute_reorders_sizes_strides_and_values),
        T(test_permute_accepts_negative_dims),
        T(test_permute_rejects_a_repeated_dim),
        T(test_writing_through_a_transposed_view_changes_the_base),
        T(test_slice_with_a_step_takes_every_nth_element),
        T(test_slice_with_negative_start_and_end_counts_from_the_end),
        T(test_slice_clamps_bounds_outside_the_dimension),
        T(test_slice_with_end_before_start_is_empty),
        T(test_slice_with_start_past_the_end_is_empty),
        T(test_slice_with_a_step_past_the_end_takes_only_the_first),
        T(test_slice_along_the_last_dim_with_a_negative_dim),
        T(test_slice_rejects_a_step_below_one),
        T(test_slice_of_a_slice_composes_offsets_and_steps),
        T(test_narrow_takes_a_window_of_the_given_length),
        T(test_narrow_rejects_a_window_past_the_end),
        T(test_select_removes_the_dimension),
        T(test_select_with_a_negative_index_counts_from_the_end),
        T(test_select_of_a_vector_gives_a_zero_dim_view),
        T(test_select_rejects_an_out_of_range_index),
        T(test_select_rejects_an_out_of_range_dim),
        T(test_select_rejects_a_zero_dim_tensor),
        T(test_squeeze_removes_one_size_one_dim),
        T(test_squeeze_all_removes_every_size_one_dim),
        T(test_squeeze_all_of_all_ones_gives_zero_dims),
        T(test_squeeze_of_a_dim_larger_than_one_is_a_no_op),
        T(test_squeeze_accepts_a_negative_dim),
        T(test_squeeze_rejects_an_out_of_range_dim),
        T(test_unsqueeze_inserts_a_size_one_dim_at_each_position),
        T(test_unsqueeze_with_a_negative_dim_counts_from_the_end),
        T(test_unsqueeze_of_a_zero_dim_tensor_gives_a_vector),
        T(test_unsqueeze_rejects_an_out_of_range_dim),
        T(test_unsqueeze_rejects_going_past_max_dims),
        T(test_expand_adds_leading_dims_with_zero_strides),
        T(test_expand_repeats_a_size_one_dim),
        T(test_expand_minus_one_keeps_the_existing_size),
        T(test_expand_rejects_changing_a_dim_that_is_not_one),
        T(test_expand_rejects_fewer_dims_than_the_tensor),
        T(test_expand_rejects_minus_one_in_a_new_leading_dim),
        T(test_writing_the_base_shows_in_every_expanded_copy),
        T(test_chained_views_read_the_right_elements),
        T(test_a_chained_view_outlives_its_intermediates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
