/* test_gradcheck.c — every differentiable op in tensor.h against central
 * differences in float64 (gradcheck.h), including broadcasting, views of
 * non-contiguous tensors and composite chains.
 *
 * Each test builds its inputs from its own seed (a hash of the test's
 * name), away from the points where its op has no derivative.  One
 * behaviour per test, so a failure names the op and the case. */
#include "testutil.h"

#include "gradcheck.h"

/* ---- plumbing ---------------------------------------------------------- */

/* FNV-1a of the test's name: stable seeds that do not move when lines do. */
static uint64_t name_seed(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

#define RNG                                                                    \
    struct gc_rng rng;                                                         \
    gc_seed(&rng, name_seed(__func__))

static void check1(gc_fn f, const void *ctx, struct seq_tensor *a)
{
    struct seq_tensor *in[1] = {a};
    gradcheck(f, ctx, 1, in);
    gc_release_all(1, in);
}

static void check2(gc_fn f, const void *ctx, struct seq_tensor *a,
                   struct seq_tensor *b)
{
    struct seq_tensor *in[2] = {a, b};
    gradcheck(f, ctx, 2, in);
    gc_release_all(2, in);
}

static void checkn(gc_fn f, const void *ctx, int n, struct seq_tensor **in)
{
    gradcheck(f, ctx, n, in);
    gc_release_all(n, in);
}

/* A tensor of doubles that is not an input (bounds to avoid, constants). */
static struct seq_tensor *consts(int ndim, const int64_t *shape,
                                 const double *v)
{
    return tensor_of(SEQ_FLOAT64, ndim, shape, v);
}

/* ---- the checker itself ------------------------------------------------ */

/* Multiplies by w, whose element `bad` is 1.5 instead of 1 when grad mode
 * is off: the analytic and the numerical gradient then disagree there and
 * only there. */
static int f_two_faced(struct seq_tensor **out, struct seq_tensor *const *in,
                       const void *ctx)
{
    int64_t bad = *(const int64_t *)ctx, n = seq_numel(in[0]);
    struct seq_tensor *w = NULL;
    int st = seq_ones(&w, SEQ_FLOAT64, in[0]->ndim, in[0]->shape);
    if (st)
        return st;
    if (!seq_grad_enabled())
        ((double *)seq_data(w))[bad % n] = 1.5;
    st = seq_mul(out, in[0], w);
    seq_release(w);
    return st;
}

static void test_gradcheck_reports_the_worst_wrong_element(void **state)
{
    RNG;
    struct seq_tensor *in[1] = {gc_uniform(&rng, GC_SHAPE(2, 3), -1, 1)};
    int64_t bad = 4;
    struct gc_report rep = gradcheck_tol(f_two_faced, &bad, 1, in, INFINITY);
    assert_int_equal(rep.input, 0);
    assert_int_equal(rep.element, 4);
    /* |r| >= 0.5, so the gap is at least 0.25 */
    assert_true(rep.worst >= 0.25 / 1.5 - 1e-9);
    assert_true(fabs(rep.numerical - 1.5 * rep.analytic) < 1e-6);
    gc_release_all(1, in);
}

static void test_gradcheck_inputs_keep_their_promised_gaps(void **state)
{
    RNG;
    double d[24], v[24], a[24];
    struct seq_tensor *x = gc_distinct(&rng, GC_SHAPE(2, 3, 4), 0.2, 1.5, true);
    struct seq_tensor *y = gc_avoiding(&rng, GC_SHAPE(24), -1, 1, x, 0.01);
    struct seq_tensor *z = gc_signed(&rng, GC_SHAPE(24), 0.1, 1);
    assert_ok(seq_copy_out(d, SEQ_FLOAT64, x));
    assert_ok(seq_copy_out(v, SEQ_FLOAT64, y));
    assert_ok(seq_copy_out(a, SEQ_FLOAT64, z));
    for (int i = 0; i < 24; i++) {
        assert_true(fabs(d[i]) >= 0.2 - 1e-12 && fabs(d[i]) <= 1.5 + 1e-12);
        for (int j = 0; j < i; j++)
            assert_true(fabs(fabs(d[i]) - fabs(d[j])) > 0.05);
        for (int j = 0; j < 24; j++)
            assert_true(fabs(v[i] - d[j]) >= 0.01);
        assert_true(fabs(a[i]) >= 0.1 && fabs(a[i]) <= 1);
    }
    assert_true(x->requires_grad && y->requires_grad && z->requires_grad);
    seq_release(x);
    seq_release(y);
    seq_release(z);
}

static int f_sq_via_mul(struct seq_tensor **out, struct seq_tensor *const *in,
                        const void *ctx)
{
    return seq_mul(out, in[0], in[0]);
}

static void test_gradcheck_error_for_a_correct_gradient_is_tiny(void **state)
{
    RNG;
    struct seq_tensor *in[1] = {gc_uniform(&rng, GC_SHAPE(3, 4), -2, 2)};
    struct gc_report rep = gradcheck(f_sq_via_mul, NULL, 1, in);
    assert_true(rep.worst < 1e-8);
    gc_release_all(1, in);
}

/* ---- elementwise binary ------------------------------------------------ */

static int f_binary(struct seq_tensor **out, struct seq_tensor *const *in,
                    const void *ctx)
{
    return seq_binary(out, *(const enum seq_binop *)ctx, in[0], in[1]);
}

static const enum seq_binop OP_ADD = SEQ_OP_ADD, OP_SUB = SEQ_OP_SUB,
                            OP_MUL = SEQ_OP_MUL, OP_DIV = SEQ_OP_DIV,
                            OP_POW = SEQ_OP_POW, OP_MAX = SEQ_OP_MAXIMUM,
                            OP_MIN = SEQ_OP_MINIMUM;

static void test_add_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    check2(f_binary, &OP_ADD, a, b);
}

static void test_add_broadcast_row_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(2, 3), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(3), -1, 1);
    check2(f_binary, &OP_ADD, a, b);
}

static void
test_add_broadcast_both_ways_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 1), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(1, 4), -1, 1);
    check2(f_binary, &OP_ADD, a, b);
}

static void test_sub_broadcast_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(4, 1), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(2, 1, 3), -1, 1);
    check2(f_binary, &OP_SUB, a, b);
}

static void test_mul_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    check2(f_binary, &OP_MUL, a, b);
}

static void test_mul_broadcast_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(2, 1, 3), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(4, 3), -1, 1);
    check2(f_binary, &OP_MUL, a, b);
}

static void test_mul_by_0d_tensor_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(2, 3), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, 0, (int64_t[]){1}, -1, 1);
    check2(f_binary, &OP_MUL, a, b);
}

static void test_div_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    struct seq_tensor *b = gc_signed(&rng, GC_SHAPE(3, 4), 0.5, 2);
    check2(f_binary, &OP_DIV, a, b);
}

static void
test_div_broadcast_denominator_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(2, 3), -1, 1);
    struct seq_tensor *b = gc_signed(&rng, GC_SHAPE(2, 1), 0.5, 2);
    check2(f_binary, &OP_DIV, a, b);
}

static void test_pow_tensor_tensor_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 4), 0.5, 2);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(3, 4), -1.5, 1.5);
    check2(f_binary, &OP_POW, a, b);
}

static void
test_pow_tensor_tensor_broadcast_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(2, 3), 0.5, 2);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(3), -1.5, 1.5);
    check2(f_binary, &OP_POW, a, b);
}

static void test_maximum_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    struct seq_tensor *b = gc_avoiding(&rng, GC_SHAPE(3, 4), -1, 1, a, 1e-3);
    check2(f_binary, &OP_MAX, a, b);
}

static void test_maximum_broadcast_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    struct seq_tensor *b = gc_avoiding(&rng, GC_SHAPE(4), -1, 1, a, 1e-3);
    check2(f_binary, &OP_MAX, a, b);
}

static void test_minimum_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    struct seq_tensor *b = gc_avoiding(&rng, GC_SHAPE(3, 4), -1, 1, a, 1e-3);
    check2(f_binary, &OP_MIN, a, b);
}

static void test_minimum_broadcast_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 1), -1, 1);
    struct seq_tensor *b = gc_avoiding(&rng, GC_SHAPE(2, 1, 4), -1, 1, a, 1e-3);
    check2(f_binary, &OP_MIN, a, b);
}

/* a op s, or s op a */
struct scalar_case {
    enum seq_binop op;
    double s;
    bool scalar_first;
};

static int f_binary_scalar(struct seq_tensor **out,
                           struct seq_tensor *const *in, const void *ctx)
{
    const struct scalar_case *c = ctx;
    return seq_binary_scalar(out, c->op, in[0], c->s, c->scalar_first);
}

static void
test_pow_tensor_integer_scalar_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_binary_scalar, &(struct scalar_case){SEQ_OP_POW, 3.0, false},
           gc_signed(&rng, GC_SHAPE(3, 4), 0.2, 1.5));
}

static void
test_pow_tensor_fractional_scalar_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_binary_scalar, &(struct scalar_case){SEQ_OP_POW, 2.5, false},
           gc_uniform(&rng, GC_SHAPE(3, 4), 0.3, 2));
}

static void
test_pow_tensor_negative_scalar_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_binary_scalar, &(struct scalar_case){SEQ_OP_POW, -1.5, false},
           gc_uniform(&rng, GC_SHAPE(3, 4), 0.5, 2));
}

static void test_pow_scalar_tensor_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_binary_scalar, &(struct scalar_case){SEQ_OP_POW, 2.5, true},
           gc_uniform(&rng, GC_SHAPE(3, 4), -1.5, 1.5));
}

static void test_scalar_minus_tensor_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_binary_scalar, &(struct scalar_case){SEQ_OP_SUB, 2.0, true},
           gc_uniform(&rng, GC_SHAPE(2, 5), -1, 1));
}

static void test_scalar_over_tensor_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_binary_scalar, &(struct scalar_case){SEQ_OP_DIV, 3.0, true},
           gc_signed(&rng, GC_SHAPE(2, 5), 0.5, 2));
}

static void test_tensor_times_scalar_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_binary_scalar, &(struct scalar_case){SEQ_OP_MUL, -1.75, false},
           gc_uniform(&rng, GC_SHAPE(2, 5), -1, 1));
}

/* ---- elementwise unary ------------------------------------------------- */

static int f_unary(struct seq_tensor **out, struct seq_tensor *const *in,
                   const void *ctx)
{
    return seq_unary(out, *(const enum seq_unop *)ctx, in[0]);
}

static const enum seq_unop OP_NEG = SEQ_OP_NEG, OP_EXP = SEQ_OP_EXP,
                           OP_LOG = SEQ_OP_LOG, OP_SQRT = SEQ_OP_SQRT,
                           OP_ABS = SEQ_OP_ABS, OP_TANH = SEQ_OP_TANH,
                           OP_SIGMOID = SEQ_OP_SIGMOID, OP_RELU = SEQ_OP_RELU,
                           OP_SIGN = SEQ_OP_SIGN, OP_SQUARE = SEQ_OP_SQUARE;

static void test_neg_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_unary, &OP_NEG, gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static void test_exp_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_unary, &OP_EXP, gc_uniform(&rng, GC_SHAPE(3, 4), -2, 2));
}

static void test_log_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_unary, &OP_LOG, gc_uniform(&rng, GC_SHAPE(3, 4), 0.3, 3));
}

static void test_sqrt_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_unary, &OP_SQRT, gc_uniform(&rng, GC_SHAPE(3, 4), 0.3, 3));
}

static void test_abs_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_unary, &OP_ABS, gc_signed(&rng, GC_SHAPE(3, 4), 0.1, 1));
}

static void test_tanh_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_unary, &OP_TANH, gc_uniform(&rng, GC_SHAPE(3, 4), -2, 2));
}

static void test_sigmoid_gradient_matches_numerical(void **state)
{
    RNG;
    /* both branches of the stable formula */
    check1(f_unary, &OP_SIGMOID, gc_uniform(&rng, GC_SHAPE(3, 4), -6, 6));
}

static void test_relu_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_unary, &OP_RELU, gc_signed(&rng, GC_SHAPE(3, 4), 0.1, 1));
}

static void test_sign_gradient_is_zero_like_numerical(void **state)
{
    RNG;
    check1(f_unary, &OP_SIGN, gc_signed(&rng, GC_SHAPE(3, 4), 0.1, 1));
}

static void test_square_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_unary, &OP_SQUARE, gc_uniform(&rng, GC_SHAPE(3, 4), -2, 2));
}

static int f_tanh_of_transpose(struct seq_tensor **out,
                               struct seq_tensor *const *in, const void *ctx)
{
    struct seq_tensor *t = NULL;
    int st = seq_transpose(&t, in[0], 0, 1);
    if (st == SEQ_OK)
        st = seq_tanh(out, t);
    seq_release(t);
    return st;
}

static void
test_tanh_of_a_transposed_view_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_tanh_of_transpose, NULL, gc_uniform(&rng, GC_SHAPE(3, 4), -2, 2));
}

/* ---- clamp ------------------------------------------------------------- */

struct bounds {
    double lo, hi;
};

static int f_clamp(struct seq_tensor **out, struct seq_tensor *const *in,
                   const void *ctx)
{
    const struct bounds *b = ctx;
    return seq_clamp(out, in[0], b->lo, b->hi);
}

static void check_clamp(struct gc_rng *rng, double lo, double hi)
{
    struct seq_tensor *avoid = consts(
        1, (int64_t[]){2}, (double[]){isnan(lo) ? 0 : lo, isnan(hi) ? 0 : hi});
    struct seq_tensor *x =
        gc_avoiding(rng, GC_SHAPE(4, 5), -1.5, 1.5, avoid, 1e-3);
    seq_release(avoid);
    check1(f_clamp, &(struct bounds){lo, hi}, x);
}

static void test_clamp_both_bounds_gradient_matches_numerical(void **state)
{
    RNG;
    check_clamp(&rng, -0.5, 0.8);
}

static void test_clamp_lower_bound_only_gradient_matches_numerical(void **state)
{
    RNG;
    check_clamp(&rng, -0.2, NAN);
}

static void test_clamp_upper_bound_only_gradient_matches_numerical(void **state)
{
    RNG;
    check_clamp(&rng, NAN, 0.3);
}

/* ---- reductions -------------------------------------------------------- */

enum red_kind {
    R_SUM,
    R_MEAN,
    R_MAX,
    R_MAX_WITH_INDICES,
    R_MIN,
    R_VAR,
    R_STD,
    R_NORM,
    R_LSE,
};

struct red {
    enum red_kind kind;
    int dim;
    bool keepdim;
    double p; /* norm's p, var/std's correction */
};

static int f_reduce(struct seq_tensor **out, struct seq_tensor *const *in,
                    const void *ctx)
{
    const struct red *c = ctx;
    struct seq_tensor *ix = NULL;
    int st = SEQ_EINVAL;
    switch (c->kind) {
    case R_SUM:
        return seq_sum(out, in[0], c->dim, c->keepdim);
    case R_MEAN:
        return seq_mean(out, in[0], c->dim, c->keepdim);
    case R_MAX:
        return seq_max(out, NULL, in[0], c->dim, c->keepdim);
    case R_MAX_WITH_INDICES:
        st = seq_max(out, &ix, in[0], c->dim, c->keepdim);
        seq_release(ix);
        return st;
    case R_MIN:
        return seq_min(out, NULL, in[0], c->dim, c->keepdim);
    case R_VAR:
        return seq_var(out, in[0], c->dim, (int)c->p, c->keepdim);
    case R_STD:
        return seq_std(out, in[0], c->dim, (int)c->p, c->keepdim);
    case R_NORM:
        return seq_norm(out, in[0], c->p, c->dim, c->keepdim);
    case R_LSE:
        return seq_logsumexp(out, in[0], c->dim, c->keepdim);
    }
    return st;
}

#define ALL SEQ_DIM_ALL

static void test_sum_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_SUM, 1, false, 0},
           gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1));
}

static void
test_sum_keepdim_negative_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_SUM, -1, true, 0},
           gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1));
}

static void test_sum_all_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_SUM, ALL, false, 0},
           gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1));
}

static void test_sum_all_keepdim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_SUM, ALL, true, 0},
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static void test_mean_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_MEAN, 0, false, 0},
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static void test_mean_keepdim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_MEAN, 1, true, 0},
           gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1));
}

static void test_mean_all_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_MEAN, ALL, false, 0},
           gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1));
}

static void test_max_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_MAX, 1, false, 0},
           gc_distinct(&rng, GC_SHAPE(2, 3, 4), -1, 1, false));
}

static void
test_max_keepdim_with_indices_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_MAX_WITH_INDICES, 0, true, 0},
           gc_distinct(&rng, GC_SHAPE(3, 4), -1, 1, false));
}

static void test_max_all_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_MAX, ALL, false, 0},
           gc_distinct(&rng, GC_SHAPE(3, 4), -1, 1, false));
}

static void test_min_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_MIN, -1, false, 0},
           gc_distinct(&rng, GC_SHAPE(2, 3, 4), -1, 1, false));
}

static void test_min_all_keepdim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_MIN, ALL, true, 0},
           gc_distinct(&rng, GC_SHAPE(3, 4), -1, 1, false));
}

static void test_var_correction_0_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_VAR, 1, false, 0},
           gc_uniform(&rng, GC_SHAPE(3, 5), -1, 1));
}

static void
test_var_correction_1_keepdim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_VAR, 0, true, 1},
           gc_uniform(&rng, GC_SHAPE(4, 3), -1, 1));
}

static void test_var_all_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_VAR, ALL, false, 1},
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static void test_std_correction_0_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_STD, -1, false, 0},
           gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1));
}

static void
test_std_correction_1_keepdim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_STD, 1, true, 1},
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static void test_std_all_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_STD, ALL, false, 0},
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static void test_norm_1_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_NORM, 1, false, 1},
           gc_signed(&rng, GC_SHAPE(3, 4), 0.1, 1));
}

static void test_norm_1_all_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_NORM, ALL, false, 1},
           gc_signed(&rng, GC_SHAPE(3, 4), 0.1, 1));
}

static void test_norm_2_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_NORM, 0, false, 2},
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static void test_norm_2_keepdim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_NORM, -1, true, 2},
           gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1));
}

static void test_norm_2_all_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_NORM, ALL, false, 2},
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static void test_norm_3_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_NORM, 1, false, 3},
           gc_signed(&rng, GC_SHAPE(3, 4), 0.1, 1));
}

static void test_norm_3_all_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_NORM, ALL, false, 3},
           gc_signed(&rng, GC_SHAPE(3, 4), 0.1, 1));
}

static void test_norm_inf_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_NORM, 1, false, INFINITY},
           gc_distinct(&rng, GC_SHAPE(3, 4), 0.2, 1.5, true));
}

static void test_norm_inf_all_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_NORM, ALL, false, INFINITY},
           gc_distinct(&rng, GC_SHAPE(3, 4), 0.2, 1.5, true));
}

static void test_logsumexp_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_LSE, 1, false, 0},
           gc_uniform(&rng, GC_SHAPE(2, 3, 4), -2, 2));
}

static void test_logsumexp_keepdim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_LSE, 0, true, 0},
           gc_uniform(&rng, GC_SHAPE(3, 4), -2, 2));
}

static void test_logsumexp_all_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reduce, &(struct red){R_LSE, ALL, false, 0},
           gc_uniform(&rng, GC_SHAPE(3, 4), -2, 2));
}

/* ---- lane maps: cumsum, softmax, log_softmax --------------------------- */

enum lane_kind { L_CUMSUM, L_SOFTMAX, L_LOG_SOFTMAX };

struct lane {
    enum lane_kind kind;
    int dim;
};

static int f_lane(struct seq_tensor **out, struct seq_tensor *const *in,
                  const void *ctx)
{
    const struct lane *c = ctx;
    switch (c->kind) {
    case L_CUMSUM:
        return seq_cumsum(out, in[0], c->dim);
    case L_SOFTMAX:
        return seq_softmax(out, in[0], c->dim);
    case L_LOG_SOFTMAX:
        return seq_log_softmax(out, in[0], c->dim);
    }
    return SEQ_EINVAL;
}

static void check_lane(struct gc_rng *rng, enum lane_kind kind, int dim)
{
    check1(f_lane, &(struct lane){kind, dim},
           gc_uniform(rng, GC_SHAPE(2, 3, 4), -2, 2));
}

static void test_cumsum_dim_0_gradient_matches_numerical(void **state)
{
    RNG;
    check_lane(&rng, L_CUMSUM, 0);
}

static void test_cumsum_last_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check_lane(&rng, L_CUMSUM, -1);
}

static void test_softmax_dim_0_gradient_matches_numerical(void **state)
{
    RNG;
    check_lane(&rng, L_SOFTMAX, 0);
}

static void test_softmax_dim_1_gradient_matches_numerical(void **state)
{
    RNG;
    check_lane(&rng, L_SOFTMAX, 1);
}

static void test_softmax_dim_2_gradient_matches_numerical(void **state)
{
    RNG;
    check_lane(&rng, L_SOFTMAX, 2);
}

static void test_log_softmax_dim_0_gradient_matches_numerical(void **state)
{
    RNG;
    check_lane(&rng, L_LOG_SOFTMAX, 0);
}

static void test_log_softmax_dim_1_gradient_matches_numerical(void **state)
{
    RNG;
    check_lane(&rng, L_LOG_SOFTMAX, 1);
}

static void test_log_softmax_dim_2_gradient_matches_numerical(void **state)
{
    RNG;
    check_lane(&rng, L_LOG_SOFTMAX, 2);
}

static int f_softmax_of_transpose(struct seq_tensor **out,
                                  struct seq_tensor *const *in, const void *ctx)
{
    struct seq_tensor *t = NULL;
    int st = seq_transpose(&t, in[0], 0, 2);
    if (st == SEQ_OK)
        st = seq_softmax(out, t, 1);
    seq_release(t);
    return st;
}

static void
test_softmax_of_a_transposed_view_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_softmax_of_transpose, NULL,
           gc_uniform(&rng, GC_SHAPE(2, 3, 4), -2, 2));
}

/* ---- matmul ------------------------------------------------------------ */

static int f_matmul(struct seq_tensor **out, struct seq_tensor *const *in,
                    const void *ctx)
{
    return seq_matmul(out, in[0], in[1]);
}

static void check_matmul(struct gc_rng *rng, int na, const int64_t *sa, int nb,
                         const int64_t *sb)
{
    struct seq_tensor *a = gc_uniform(rng, na, sa, -1, 1);
    struct seq_tensor *b = gc_uniform(rng, nb, sb, -1, 1);
    check2(f_matmul, NULL, a, b);
}

static void test_matmul_1d_dot_1d_gradient_matches_numerical(void **state)
{
    RNG;
    check_matmul(&rng, GC_SHAPE(5), GC_SHAPE(5));
}

static void test_matmul_1d_by_2d_gradient_matches_numerical(void **state)
{
    RNG;
    check_matmul(&rng, GC_SHAPE(3), GC_SHAPE(3, 4));
}

static void test_matmul_2d_by_1d_gradient_matches_numerical(void **state)
{
    RNG;
    check_matmul(&rng, GC_SHAPE(3, 4), GC_SHAPE(4));
}

static void test_matmul_2d_gradient_matches_numerical(void **state)
{
    RNG;
    check_matmul(&rng, GC_SHAPE(3, 4), GC_SHAPE(4, 2));
}

static void test_matmul_batched_gradient_matches_numerical(void **state)
{
    RNG;
    check_matmul(&rng, GC_SHAPE(2, 3, 4), GC_SHAPE(2, 4, 5));
}

static void test_matmul_broadcast_batch_gradient_matches_numerical(void **state)
{
    RNG;
    check_matmul(&rng, GC_SHAPE(2, 1, 3, 4), GC_SHAPE(3, 4, 2));
}

static void test_matmul_batch_by_2d_gradient_matches_numerical(void **state)
{
    RNG;
    check_matmul(&rng, GC_SHAPE(2, 3, 4), GC_SHAPE(4, 5));
}

static void test_matmul_2d_by_batch_gradient_matches_numerical(void **state)
{
    RNG;
    check_matmul(&rng, GC_SHAPE(3, 4), GC_SHAPE(2, 4, 5));
}

static void test_matmul_1d_by_batch_gradient_matches_numerical(void **state)
{
    RNG;
    check_matmul(&rng, GC_SHAPE(4), GC_SHAPE(2, 4, 3));
}

static void test_matmul_batch_by_1d_gradient_matches_numerical(void **state)
{
    RNG;
    check_matmul(&rng, GC_SHAPE(2, 3, 4), GC_SHAPE(4));
}

/* which operand is handed over transposed: 0 = a, 1 = b, 2 = both */
static int f_matmul_transposed(struct seq_tensor **out,
                               struct seq_tensor *const *in, const void *ctx)
{
    int which = *(const int *)ctx;
    struct seq_tensor *a = NULL, *b = NULL;
    int st = SEQ_OK;
    if (which != 1)
        st = seq_transpose(&a, in[0], -1, -2);
    else
        a = seq_retain(in[0]);
    if (st == SEQ_OK && which != 0)
        st = seq_transpose(&b, in[1], -1, -2);
    else if (st == SEQ_OK)
        b = seq_retain(in[1]);
    if (st == SEQ_OK)
        st = seq_matmul(out, a, b);
    seq_release(a);
    seq_release(b);
    return st;
}

static void
test_matmul_transposed_right_operand_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(5, 4), -1, 1);
    check2(f_matmul_transposed, &(int){1}, a, b);
}

static void
test_matmul_transposed_left_operand_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(4, 3), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(4, 2), -1, 1);
    check2(f_matmul_transposed, &(int){0}, a, b);
}

static void
test_matmul_batched_both_transposed_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(2, 4, 3), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(2, 5, 4), -1, 1);
    check2(f_matmul_transposed, &(int){2}, a, b);
}

static int f_outer(struct seq_tensor **out, struct seq_tensor *const *in,
                   const void *ctx)
{
    return seq_outer(out, in[0], in[1]);
}

static void test_outer_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(4), -1, 1);
    check2(f_outer, NULL, a, b);
}

/* ---- losses ------------------------------------------------------------ */

struct loss_case {
    bool cross_entropy;
    const struct seq_tensor *target;
    int64_t ignore;
    enum seq_reduction red;
};

static int f_loss(struct seq_tensor **out, struct seq_tensor *const *in,
                  const void *ctx)
{
    const struct loss_case *c = ctx;
    if (c->cross_entropy)
        return seq_cross_entropy(out, in[0], c->target, c->ignore, c->red);
    return seq_nll_loss(out, in[0], c->target, c->ignore, c->red);
}

/* Rows of 5 classes against `target` (n rows, or a scalar when n == 0). */
static void check_loss(struct gc_rng *rng, bool ce, int n,
                       const int64_t *target, int64_t ignore,
                       enum seq_reduction red)
{
    struct seq_tensor *t = n ? gc_index(1, (int64_t[]){n}, target)
                             : gc_index(0, (int64_t[]){1}, target);
    struct seq_tensor *x =
        n ? gc_uniform(rng, GC_SHAPE(n, 5), ce ? -2 : -3, ce ? 2 : -0.1)
          : gc_uniform(rng, GC_SHAPE(5), ce ? -2 : -3, ce ? 2 : -0.1);
    check1(f_loss, &(struct loss_case){ce, t, ignore, red}, x);
    seq_release(t);
}

static void test_nll_loss_mean_gradient_matches_numerical(void **state)
{
    RNG;
    check_loss(&rng, false, 4, (int64_t[]){1, 0, 4, 1}, -100, SEQ_REDUCE_MEAN);
}

static void test_nll_loss_sum_gradient_matches_numerical(void **state)
{
    RNG;
    check_loss(&rng, false, 4, (int64_t[]){1, 0, 4, 1}, -100, SEQ_REDUCE_SUM);
}

static void test_nll_loss_none_gradient_matches_numerical(void **state)
{
    RNG;
    check_loss(&rng, false, 4, (int64_t[]){3, 0, 4, 2}, -100, SEQ_REDUCE_NONE);
}

static void
test_nll_loss_mean_with_ignore_index_gradient_matches_numerical(void **state)
{
    RNG;
    check_loss(&rng, false, 5, (int64_t[]){1, -100, 4, -100, 2}, -100,
               SEQ_REDUCE_MEAN);
}

static void
test_nll_loss_none_with_ignore_index_gradient_matches_numerical(void **state)
{
    RNG;
    check_loss(&rng, false, 4, (int64_t[]){2, 0, 2, 3}, 2, SEQ_REDUCE_NONE);
}

static void
test_nll_loss_1d_input_scalar_target_gradient_matches_numerical(void **state)
{
    RNG;
    check_loss(&rng, false, 0, (int64_t[]){3}, -100, SEQ_REDUCE_MEAN);
}

static void test_cross_entropy_mean_gradient_matches_numerical(void **state)
{
    RNG;
    check_loss(&rng, true, 4, (int64_t[]){1, 0, 4, 1}, -100, SEQ_REDUCE_MEAN);
}

static void
test_cross_entropy_sum_ignore_index_gradient_matches_numerical(void **state)
{
    RNG;
    check_loss(&rng, true, 4, (int64_t[]){1, -1, 4, 3}, -1, SEQ_REDUCE_SUM);
}

static void test_cross_entropy_none_gradient_matches_numerical(void **state)
{
    RNG;
    check_loss(&rng, true, 3, (int64_t[]){4, 2, 0}, -100, SEQ_REDUCE_NONE);
}

static void
test_cross_entropy_1d_logits_gradient_matches_numerical(void **state)
{
    RNG;
    check_loss(&rng, true, 0, (int64_t[]){2}, -100, SEQ_REDUCE_MEAN);
}

/* ---- views and shape ops ----------------------------------------------- */

static int f_reshape_of_transpose(struct seq_tensor **out,
                                  struct seq_tensor *const *in, const void *ctx)
{
    struct seq_tensor *t = NULL;
    int st = seq_transpose(&t, in[0], 0, 1); /* (4, 3), not contiguous */
    if (st == SEQ_OK)
        st = seq_reshape(out, t, 2, (int64_t[]){2, -1});
    seq_release(t);
    return st;
}

static void
test_reshape_of_non_contiguous_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reshape_of_transpose, NULL,
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static int f_view(struct seq_tensor **out, struct seq_tensor *const *in,
                  const void *ctx)
{
    return seq_view(out, in[0], 3, (int64_t[]){3, 2, 2});
}

static void test_view_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_view, NULL, gc_uniform(&rng, GC_SHAPE(2, 6), -1, 1));
}

/* (4, 6) transposed is (6, 4) with strides (1, 6); splitting its last dim
 * into (2, 2) needs no copy. */
static int f_view_of_transpose(struct seq_tensor **out,
                               struct seq_tensor *const *in, const void *ctx)
{
    struct seq_tensor *t = NULL;
    int st = seq_transpose(&t, in[0], 0, 1);
    if (st == SEQ_OK)
        st = seq_view(out, t, 3, (int64_t[]){6, 2, 2});
    seq_release(t);
    return st;
}

static void
test_view_splitting_a_strided_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_view_of_transpose, NULL, gc_uniform(&rng, GC_SHAPE(4, 6), -1, 1));
}

static int f_flatten_of_permute(struct seq_tensor **out,
                                struct seq_tensor *const *in, const void *ctx)
{
    struct seq_tensor *t = NULL;
    int st = seq_permute(&t, in[0], (int[]){1, 2, 0});
    if (st == SEQ_OK)
        st = seq_flatten(out, t);
    seq_release(t);
    return st;
}

static void test_flatten_of_permuted_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_flatten_of_permute, NULL,
           gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1));
}

static int f_transpose(struct seq_tensor **out, struct seq_tensor *const *in,
                       const void *ctx)
{
    return seq_transpose(out, in[0], 0, 2);
}

static void test_transpose_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_transpose, NULL, gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1));
}

static int f_permute(struct seq_tensor **out, struct seq_tensor *const *in,
                     const void *ctx)
{
    return seq_permute(out, in[0], (int[]){2, 0, 1});
}

static void test_permute_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_permute, NULL, gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1));
}

struct slice_case {
    int dim;
    int64_t start, end, step;
};

static int f_slice(struct seq_tensor **out, struct seq_tensor *const *in,
                   const void *ctx)
{
    const struct slice_case *c = ctx;
    return seq_slice(out, in[0], c->dim, c->start, c->end, c->step);
}

static void test_slice_with_step_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_slice, &(struct slice_case){0, 1, 7, 2},
           gc_uniform(&rng, GC_SHAPE(7, 3), -1, 1));
}

static void test_slice_negative_bounds_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_slice, &(struct slice_case){-1, -4, -1, 1},
           gc_uniform(&rng, GC_SHAPE(2, 6), -1, 1));
}

static void
test_slice_step_on_inner_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_slice, &(struct slice_case){1, 0, 100, 3},
           gc_uniform(&rng, GC_SHAPE(2, 7, 2), -1, 1));
}

static int f_narrow(struct seq_tensor **out, struct seq_tensor *const *in,
                    const void *ctx)
{
    return seq_narrow(out, in[0], 1, 1, 2);
}

static void test_narrow_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_narrow, NULL, gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

struct select_case {
    int dim;
    int64_t index;
};

static int f_select(struct seq_tensor **out, struct seq_tensor *const *in,
                    const void *ctx)
{
    const struct select_case *c = ctx;
    return seq_select(out, in[0], c->dim, c->index);
}

static void test_select_negative_index_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_select, &(struct select_case){0, -1},
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static void test_select_inner_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_select, &(struct select_case){-1, -3},
           gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1));
}

static int f_squeeze(struct seq_tensor **out, struct seq_tensor *const *in,
                     const void *ctx)
{
    return seq_squeeze(out, in[0], *(const int *)ctx);
}

static void test_squeeze_all_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_squeeze, &(int){SEQ_DIM_ALL},
           gc_uniform(&rng, GC_SHAPE(1, 3, 1, 2), -1, 1));
}

static void test_squeeze_one_dim_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_squeeze, &(int){2}, gc_uniform(&rng, GC_SHAPE(1, 3, 1, 2), -1, 1));
}

static int f_unsqueeze(struct seq_tensor **out, struct seq_tensor *const *in,
                       const void *ctx)
{
    return seq_unsqueeze(out, in[0], *(const int *)ctx);
}

static void test_unsqueeze_middle_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_unsqueeze, &(int){1}, gc_uniform(&rng, GC_SHAPE(3, 2), -1, 1));
}

static void test_unsqueeze_last_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_unsqueeze, &(int){-1}, gc_uniform(&rng, GC_SHAPE(3, 2), -1, 1));
}

static int f_expand_mul(struct seq_tensor **out, struct seq_tensor *const *in,
                        const void *ctx)
{
    struct seq_tensor *e = NULL;
    int st = seq_expand(&e, in[0], 3, (int64_t[]){2, -1, 4});
    if (st == SEQ_OK)
        st = seq_mul(out, e, in[1]);
    seq_release(e);
    return st;
}

static void test_expand_then_mul_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 1), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(2, 3, 4), -1, 1);
    check2(f_expand_mul, NULL, a, b);
}

static int f_contiguous_of_transpose(struct seq_tensor **out,
                                     struct seq_tensor *const *in,
                                     const void *ctx)
{
    struct seq_tensor *t = NULL;
    int st = seq_transpose(&t, in[0], 0, 1);
    if (st == SEQ_OK)
        st = seq_contiguous(out, t);
    seq_release(t);
    return st;
}

static void
test_contiguous_of_transposed_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_contiguous_of_transpose, NULL,
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static int f_contiguous(struct seq_tensor **out, struct seq_tensor *const *in,
                        const void *ctx)
{
    return seq_contiguous(out, in[0]);
}

static void test_contiguous_of_contiguous_gradient_is_identity(void **state)
{
    RNG;
    check1(f_contiguous, NULL, gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static int f_clone(struct seq_tensor **out, struct seq_tensor *const *in,
                   const void *ctx)
{
    return seq_clone(out, in[0]);
}

static void test_clone_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_clone, NULL, gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

static int f_to_float64_mul(struct seq_tensor **out,
                            struct seq_tensor *const *in, const void *ctx)
{
    struct seq_tensor *t = NULL;
    int st = seq_to(&t, in[0], SEQ_FLOAT64);
    if (st == SEQ_OK)
        st = seq_mul(out, t, in[1]);
    seq_release(t);
    return st;
}

static void test_to_float64_of_float64_gradient_is_identity(void **state)
{
    RNG;
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    check2(f_to_float64_mul, NULL, a, b);
}

/* ---- joining, splitting, picking --------------------------------------- */

static int f_cat(struct seq_tensor **out, struct seq_tensor *const *in,
                 const void *ctx)
{
    const int *c = ctx; /* {count, dim} */
    return seq_cat(out, c[0], in, c[1]);
}

static void test_cat_dim_0_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *in[2];
    in[0] = gc_uniform(&rng, GC_SHAPE(2, 3), -1, 1);
    in[1] = gc_uniform(&rng, GC_SHAPE(1, 3), -1, 1);
    checkn(f_cat, (int[]){2, 0}, 2, in);
}

static void test_cat_three_along_dim_1_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *in[3];
    in[0] = gc_uniform(&rng, GC_SHAPE(2, 1), -1, 1);
    in[1] = gc_uniform(&rng, GC_SHAPE(2, 3), -1, 1);
    in[2] = gc_uniform(&rng, GC_SHAPE(2, 2), -1, 1);
    checkn(f_cat, (int[]){3, 1}, 3, in);
}

static void
test_cat_with_a_skipped_empty_input_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *in[3];
    in[0] = gc_uniform(&rng, GC_SHAPE(0), -1, 1);
    in[1] = gc_uniform(&rng, GC_SHAPE(2, 3), -1, 1);
    in[2] = gc_uniform(&rng, GC_SHAPE(2, 2), -1, 1);
    checkn(f_cat, (int[]){3, -1}, 3, in);
}

static int f_stack(struct seq_tensor **out, struct seq_tensor *const *in,
                   const void *ctx)
{
    const int *c = ctx; /* {count, dim} */
    return seq_stack(out, c[0], in, c[1]);
}

static void test_stack_dim_0_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *in[3];
    for (int i = 0; i < 3; i++)
        in[i] = gc_uniform(&rng, GC_SHAPE(2, 3), -1, 1);
    checkn(f_stack, (int[]){3, 0}, 3, in);
}

static void test_stack_last_dim_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *in[2];
    for (int i = 0; i < 2; i++)
        in[i] = gc_uniform(&rng, GC_SHAPE(2, 3), -1, 1);
    checkn(f_stack, (int[]){2, -1}, 2, in);
}

/* Each piece goes through a different op before the pieces are joined in
 * another order, so a gradient routed to the wrong piece shows. */
static int f_split_pieces(struct seq_tensor **out, struct seq_tensor *const *in,
                          const void *ctx)
{
    struct seq_tensor *p[3] = {NULL, NULL, NULL}, *q[3] = {NULL, NULL, NULL};
    int n = 0;
    int st = seq_split(p, 3, &n, in[0], 2, 0); /* rows 2, 2, 1 */
    if (st == SEQ_OK && n != 3)
        st = seq_fail(SEQ_ESHAPE, "split gave %d pieces, expected 3", n);
    if (st == SEQ_OK)
        st = seq_tanh(&q[1], p[0]);
    if (st == SEQ_OK)
        st = seq_exp(&q[2], p[1]);
    if (st == SEQ_OK)
        st = seq_binary_scalar(&q[0], SEQ_OP_MUL, p[2], 3.0, false);
    if (st == SEQ_OK)
        st = seq_cat(out, 3, q, 0);
    gc_release_all(3, p);
    gc_release_all(3, q);
    return st;
}

static void test_split_pieces_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_split_pieces, NULL, gc_uniform(&rng, GC_SHAPE(5, 3), -1, 1));
}

/* chunk (3, 7) into column blocks of 3, 3, 1: out = cat(p2, p0 * p1). */
static int f_chunk_pieces(struct seq_tensor **out, struct seq_tensor *const *in,
                          const void *ctx)
{
    struct seq_tensor *p[3] = {NULL, NULL, NULL}, *q[2] = {NULL, NULL};
    int n = 0;
    int st = seq_chunk(p, 3, &n, in[0], 3, 1);
    if (st == SEQ_OK && n != 3)
        st = seq_fail(SEQ_ESHAPE, "chunk gave %d pieces, expected 3", n);
    if (st == SEQ_OK) {
        q[0] = seq_retain(p[2]);
        st = seq_mul(&q[1], p[0], p[1]);
    }
    if (st == SEQ_OK)
        st = seq_cat(out, 2, q, 1);
    gc_release_all(3, p);
    gc_release_all(2, q);
    return st;
}

static void test_chunk_pieces_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_chunk_pieces, NULL, gc_uniform(&rng, GC_SHAPE(3, 7), -1, 1));
}

struct pick_case {
    int dim;
    const struct seq_tensor *index;
};

static int f_index_select(struct seq_tensor **out, struct seq_tensor *const *in,
                          const void *ctx)
{
    const struct pick_case *c = ctx;
    return seq_index_select(out, in[0], c->dim, c->index);
}

static void
test_index_select_duplicates_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *ix = gc_index(GC_SHAPE(5), (int64_t[]){2, 0, 2, 3, 2});
    check1(f_index_select, &(struct pick_case){0, ix},
           gc_uniform(&rng, GC_SHAPE(4, 3), -1, 1));
    seq_release(ix);
}

static void test_index_select_inner_dim_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *ix = gc_index(GC_SHAPE(3), (int64_t[]){1, 1, 0});
    check1(f_index_select, &(struct pick_case){-1, ix},
           gc_uniform(&rng, GC_SHAPE(2, 3, 2), -1, 1));
    seq_release(ix);
}

static int f_gather(struct seq_tensor **out, struct seq_tensor *const *in,
                    const void *ctx)
{
    const struct pick_case *c = ctx;
    return seq_gather(out, in[0], c->dim, c->index);
}

static void test_gather_dim_1_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *ix =
        gc_index(GC_SHAPE(3, 2), (int64_t[]){3, 0, 1, 1, 2, 0});
    check1(f_gather, &(struct pick_case){1, ix},
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
    seq_release(ix);
}

static void test_gather_dim_0_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *ix =
        gc_index(GC_SHAPE(2, 4), (int64_t[]){2, 0, 1, 2, 2, 2, 0, 1});
    check1(f_gather, &(struct pick_case){0, ix},
           gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
    seq_release(ix);
}

static int f_scatter_add(struct seq_tensor **out, struct seq_tensor *const *in,
                         const void *ctx)
{
    const struct pick_case *c = ctx;
    return seq_scatter_add(out, in[0], c->dim, c->index, in[1]);
}

static void test_scatter_add_dim_0_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *ix =
        gc_index(GC_SHAPE(2, 4), (int64_t[]){2, 0, 1, 2, 2, 1, 0, 2});
    struct seq_tensor *t = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    struct seq_tensor *src = gc_uniform(&rng, GC_SHAPE(2, 4), -1, 1);
    check2(f_scatter_add, &(struct pick_case){0, ix}, t, src);
    seq_release(ix);
}

static void test_scatter_add_dim_1_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *ix =
        gc_index(GC_SHAPE(3, 2), (int64_t[]){4, 4, 0, 2, 1, 3});
    struct seq_tensor *t = gc_uniform(&rng, GC_SHAPE(3, 5), -1, 1);
    struct seq_tensor *src = gc_uniform(&rng, GC_SHAPE(3, 2), -1, 1);
    check2(f_scatter_add, &(struct pick_case){1, ix}, t, src);
    seq_release(ix);
}

static void
test_scatter_add_src_larger_than_index_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *ix = gc_index(GC_SHAPE(2, 2), (int64_t[]){1, 0, 2, 1});
    struct seq_tensor *t = gc_uniform(&rng, GC_SHAPE(3, 3), -1, 1);
    struct seq_tensor *src = gc_uniform(&rng, GC_SHAPE(3, 3), -1, 1);
    check2(f_scatter_add, &(struct pick_case){0, ix}, t, src);
    seq_release(ix);
}

static int f_masked_fill(struct seq_tensor **out, struct seq_tensor *const *in,
                         const void *ctx)
{
    return seq_masked_fill(out, in[0], ctx, 0.5);
}

static void
test_masked_fill_broadcast_mask_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *mask = gc_index(GC_SHAPE(1, 4), (int64_t[]){1, 0, 0, 1});
    check1(f_masked_fill, mask, gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
    seq_release(mask);
}

static int f_where(struct seq_tensor **out, struct seq_tensor *const *in,
                   const void *ctx)
{
    return seq_where(out, ctx, in[0], in[1]);
}

static void test_where_broadcast_cond_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *cond = gc_index(GC_SHAPE(3, 1), (int64_t[]){1, 0, 1});
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1);
    check2(f_where, cond, a, b);
    seq_release(cond);
}

static void
test_where_broadcast_operands_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *cond =
        consts(GC_SHAPE(2, 3), (double[]){1, 0, 0, 1, 1, 0}); /* a float cond */
    struct seq_tensor *a = gc_uniform(&rng, GC_SHAPE(3), -1, 1);
    struct seq_tensor *b = gc_uniform(&rng, GC_SHAPE(2, 1), -1, 1);
    check2(f_where, cond, a, b);
    seq_release(cond);
}

/* ---- composite chains -------------------------------------------------- */

/* tanh(W @ x + b): W (4, 3), x (3, 5), b (4, 1) broadcast over columns. */
static int f_tanh_affine(struct seq_tensor **out, struct seq_tensor *const *in,
                         const void *ctx)
{
    struct seq_tensor *z = NULL, *a = NULL;
    int st = seq_matmul(&z, in[0], in[1]);
    if (st == SEQ_OK)
        st = seq_add(&a, z, in[2]);
    if (st == SEQ_OK)
        st = seq_tanh(out, a);
    seq_release(z);
    seq_release(a);
    return st;
}

static void
test_tanh_of_affine_with_broadcast_bias_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *in[3];
    in[0] = gc_uniform(&rng, GC_SHAPE(4, 3), -1, 1);
    in[1] = gc_uniform(&rng, GC_SHAPE(3, 5), -1, 1);
    in[2] = gc_uniform(&rng, GC_SHAPE(4, 1), -1, 1);
    checkn(f_tanh_affine, NULL, 3, in);
}

/* A tanh RNN over T = 5 steps reusing one set of weights:
 * h_t = tanh(Wx @ x_t + Wh @ h_{t-1} + b); out = stack(h_1 .. h_T).
 * in: x (5, 3), h0 (4), Wx (4, 3), Wh (4, 4), b (4). */
static int f_rnn(struct seq_tensor **out, struct seq_tensor *const *in,
                 const void *ctx)
{
    enum { T = 5 };
    struct seq_tensor *hs[T] = {NULL}, *h = seq_retain(in[1]);
    int st = SEQ_OK;
    for (int t = 0; t < T && st == SEQ_OK; t++) {
        struct seq_tensor *xt = NULL, *u = NULL, *v = NULL, *s = NULL,
                          *a = NULL;
        st = seq_select(&xt, in[0], 0, t);
        if (st == SEQ_OK)
            st = seq_matmul(&u, in[2], xt);
        if (st == SEQ_OK)
            st = seq_matmul(&v, in[3], h);
        if (st == SEQ_OK)
            st = seq_add(&s, u, v);
        if (st == SEQ_OK)
            st = seq_add(&a, s, in[4]);
        if (st == SEQ_OK)
            st = seq_tanh(&hs[t], a);
        if (st == SEQ_OK) {
            seq_release(h);
            h = seq_retain(hs[t]);
        }
        seq_release(xt);
        seq_release(u);
        seq_release(v);
        seq_release(s);
        seq_release(a);
    }
    if (st == SEQ_OK)
        st = seq_stack(out, T, hs, 0);
    seq_release(h);
    gc_release_all(T, hs);
    return st;
}

static void
test_rnn_over_5_steps_sharing_weights_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *in[5];
    in[0] = gc_uniform(&rng, GC_SHAPE(5, 3), -1, 1);
    in[1] = gc_uniform(&rng, GC_SHAPE(4), -1, 1);
    in[2] = gc_uniform(&rng, GC_SHAPE(4, 3), -0.8, 0.8);
    in[3] = gc_uniform(&rng, GC_SHAPE(4, 4), -0.8, 0.8);
    in[4] = gc_uniform(&rng, GC_SHAPE(4), -0.5, 0.5);
    checkn(f_rnn, NULL, 5, in);
}

/* cross_entropy(relu(x @ W1 + b1) @ W2 + b2, target): a two-layer MLP
 * with row-broadcast biases. */
static int f_mlp_loss(struct seq_tensor **out, struct seq_tensor *const *in,
                      const void *ctx)
{
    struct seq_tensor *z1 = NULL, *a1 = NULL, *h = NULL, *z2 = NULL,
                      *logits = NULL;
    int st = seq_matmul(&z1, in[0], in[1]);
    if (st == SEQ_OK)
        st = seq_add(&a1, z1, in[2]);
    if (st == SEQ_OK)
        st = seq_relu(&h, a1);
    if (st == SEQ_OK)
        st = seq_matmul(&z2, h, in[3]);
    if (st == SEQ_OK)
        st = seq_add(&logits, z2, in[4]);
    if (st == SEQ_OK)
        st = seq_cross_entropy(out, logits, ctx, -100, SEQ_REDUCE_MEAN);
    seq_release(z1);
    seq_release(a1);
    seq_release(h);
    seq_release(z2);
    seq_release(logits);
    return st;
}

static void test_mlp_cross_entropy_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *target = gc_index(GC_SHAPE(4), (int64_t[]){2, 0, 1, 2});
    struct seq_tensor *in[5];
    in[0] = gc_uniform(&rng, GC_SHAPE(4, 3), -1, 1);
    in[1] = gc_uniform(&rng, GC_SHAPE(3, 5), -1, 1);
    in[2] = gc_uniform(&rng, GC_SHAPE(5), -0.5, 0.5);
    in[3] = gc_uniform(&rng, GC_SHAPE(5, 3), -1, 1);
    in[4] = gc_uniform(&rng, GC_SHAPE(3), -0.5, 0.5);
    checkn(f_mlp_loss, target, 5, in);
    seq_release(target);
}

/* softmax(Q K^T / sqrt(d)) V over a batch of 2: batched matmul with a
 * transposed operand, a scalar and softmax over the last dim. */
static int f_attention(struct seq_tensor **out, struct seq_tensor *const *in,
                       const void *ctx)
{
    struct seq_tensor *kt = NULL, *s = NULL, *sc = NULL, *p = NULL;
    int st = seq_transpose(&kt, in[1], -1, -2);
    if (st == SEQ_OK)
        st = seq_matmul(&s, in[0], kt);
    if (st == SEQ_OK)
        st = seq_binary_scalar(&sc, SEQ_OP_DIV, s, sqrt(3.0), false);
    if (st == SEQ_OK)
        st = seq_softmax(&p, sc, -1);
    if (st == SEQ_OK)
        st = seq_matmul(out, p, in[2]);
    seq_release(kt);
    seq_release(s);
    seq_release(sc);
    seq_release(p);
    return st;
}

static void test_attention_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *in[3];
    in[0] = gc_uniform(&rng, GC_SHAPE(2, 4, 3), -1, 1);
    in[1] = gc_uniform(&rng, GC_SHAPE(2, 5, 3), -1, 1);
    in[2] = gc_uniform(&rng, GC_SHAPE(2, 5, 2), -1, 1);
    checkn(f_attention, NULL, 3, in);
}

/* (x - mean) / sqrt(var + 1e-5) * g + b over the last dim: keepdim
 * reductions broadcast back against their input. */
static int f_layer_norm(struct seq_tensor **out, struct seq_tensor *const *in,
                        const void *ctx)
{
    struct seq_tensor *m = NULL, *d = NULL, *v = NULL, *ve = NULL, *sd = NULL,
                      *nx = NULL, *sg = NULL;
    int st = seq_mean(&m, in[0], -1, true);
    if (st == SEQ_OK)
        st = seq_sub(&d, in[0], m);
    if (st == SEQ_OK)
        st = seq_var(&v, in[0], -1, 0, true);
    if (st == SEQ_OK)
        st = seq_binary_scalar(&ve, SEQ_OP_ADD, v, 1e-5, false);
    if (st == SEQ_OK)
        st = seq_sqrt(&sd, ve);
    if (st == SEQ_OK)
        st = seq_div(&nx, d, sd);
    if (st == SEQ_OK)
        st = seq_mul(&sg, nx, in[1]);
    if (st == SEQ_OK)
        st = seq_add(out, sg, in[2]);
    seq_release(m);
    seq_release(d);
    seq_release(v);
    seq_release(ve);
    seq_release(sd);
    seq_release(nx);
    seq_release(sg);
    return st;
}

static void test_layer_norm_chain_gradient_matches_numerical(void **state)
{
    RNG;
    struct seq_tensor *in[3];
    in[0] = gc_uniform(&rng, GC_SHAPE(3, 5), -1, 1);
    in[1] = gc_uniform(&rng, GC_SHAPE(5), 0.5, 1.5);
    in[2] = gc_uniform(&rng, GC_SHAPE(5), -0.5, 0.5);
    checkn(f_layer_norm, NULL, 3, in);
}

/* x used by two branches that meet again: exp(x) * x + sum(x) */
static int f_reused_input(struct seq_tensor **out, struct seq_tensor *const *in,
                          const void *ctx)
{
    struct seq_tensor *e = NULL, *p = NULL, *s = NULL;
    int st = seq_exp(&e, in[0]);
    if (st == SEQ_OK)
        st = seq_mul(&p, e, in[0]);
    if (st == SEQ_OK)
        st = seq_sum(&s, in[0], 0, true);
    if (st == SEQ_OK)
        st = seq_add(out, p, s);
    seq_release(e);
    seq_release(p);
    seq_release(s);
    return st;
}

static void
test_input_reused_across_branches_gradient_matches_numerical(void **state)
{
    RNG;
    check1(f_reused_input, NULL, gc_uniform(&rng, GC_SHAPE(3, 4), -1, 1));
}

/* ---- main -------------------------------------------------------------- */

int main(void)
{
    seq_set_num_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradcheck_reports_the_worst_wrong_element),
        cmocka_unit_test(test_gradcheck_inputs_keep_their_promised_gaps),
        cmocka_unit_test(test_gradcheck_error_for_a_correct_gradient_is_tiny),
        /* binary */
        cmocka_unit_test(test_add_gradient_matches_numerical),
        cmocka_unit_test(test_add_broadcast_row_gradient_matches_numerical),
        cmocka_unit_test(
            test_add_broadcast_both_ways_gradient_matches_numerical),
        cmocka_unit_test(test_sub_broadcast_gradient_matches_numerical),
        cmocka_unit_test(test_mul_gradient_matches_numerical),
        cmocka_unit_test(test_mul_broadcast_gradient_matches_numerical),
        cmocka_unit_test(test_mul_by_0d_tensor_gradient_matches_numerical),
        cmocka_unit_test(test_div_gradient_matches_numerical),
        cmocka_unit_test(
            test_div_broadcast_denominator_gradient_matches_numerical),
        cmocka_unit_test(test_pow_tensor_tensor_gradient_matches_numerical),
        cmocka_unit_test(
            test_pow_tensor_tensor_broadcast_gradient_matches_numerical),
        cmocka_unit_test(
            test_pow_tensor_integer_scalar_gradient_matches_numerical),
        cmocka_unit_test(
            test_pow_tensor_fractional_scalar_gradient_matches_numerical),
        cmocka_unit_test(
            test_pow_tensor_negative_scalar_gradient_matches_numerical),
        cmocka_unit_test(test_pow_scalar_tensor_gradient_matches_numerical),
        cmocka_unit_test(test_maximum_gradient_matches_numerical),
        cmocka_unit_test(test_maximum_broadcast_gradient_matches_numerical),
        cmocka_unit_test(test_minimum_gradient_matches_numerical),
        cmocka_unit_test(test_minimum_broadcast_gradient_matches_numerical),
        cmocka_unit_test(test_scalar_minus_tensor_gradient_matches_numerical),
        cmocka_unit_test(test_scalar_over_tensor_gradient_matches_numerical),
        cmocka_unit_test(test_tensor_times_scalar_gradient_matches_numerical),
        /* unary */
        cmocka_unit_test(test_neg_gradient_matches_numerical),
        cmocka_unit_test(test_exp_gradient_matches_numerical),
        cmocka_unit_test(test_log_gradient_matches_numerical),
        cmocka_unit_test(test_sqrt_gradient_matches_numerical),
        cmocka_unit_test(test_abs_gradient_matches_numerical),
        cmocka_unit_test(test_tanh_gradient_matches_numerical),
        cmocka_unit_test(test_sigmoid_gradient_matches_numerical),
        cmocka_unit_test(test_relu_gradient_matches_numerical),
        cmocka_unit_test(test_sign_gradient_is_zero_like_numerical),
        cmocka_unit_test(test_square_gradient_matches_numerical),
        cmocka_unit_test(
            test_tanh_of_a_transposed_view_gradient_matches_numerical),
        cmocka_unit_test(test_clamp_both_bounds_gradient_matches_numerical),
        cmocka_unit_test(
            test_clamp_lower_bound_only_gradient_matches_numerical),
        cmocka_unit_test(
            test_clamp_upper_bound_only_gradient_matches_numerical),
        /* reductions */
        cmocka_unit_test(test_sum_dim_gradient_matches_numerical),
        cmocka_unit_test(
            test_sum_keepdim_negative_dim_gradient_matches_numerical),
        cmocka_unit_test(test_sum_all_gradient_matches_numerical),
        cmocka_unit_test(test_sum_all_keepdim_gradient_matches_numerical),
        cmocka_unit_test(test_mean_dim_gradient_matches_numerical),
        cmocka_unit_test(test_mean_keepdim_gradient_matches_numerical),
        cmocka_unit_test(test_mean_all_gradient_matches_numerical),
        cmocka_unit_test(test_max_dim_gradient_matches_numerical),
        cmocka_unit_test(
            test_max_keepdim_with_indices_gradient_matches_numerical),
        cmocka_unit_test(test_max_all_gradient_matches_numerical),
        cmocka_unit_test(test_min_dim_gradient_matches_numerical),
        cmocka_unit_test(test_min_all_keepdim_gradient_matches_numerical),
        cmocka_unit_test(test_var_correction_0_dim_gradient_matches_numerical),
        cmocka_unit_test(
            test_var_correction_1_keepdim_gradient_matches_numerical),
        cmocka_unit_test(test_var_all_gradient_matches_numerical),
        cmocka_unit_test(test_std_correction_0_dim_gradient_matches_numerical),
        cmocka_unit_test(
            test_std_correction_1_keepdim_gradient_matches_numerical),
        cmocka_unit_test(test_std_all_gradient_matches_numerical),
        cmocka_unit_test(test_norm_1_dim_gradient_matches_numerical),
        cmocka_unit_test(test_norm_1_all_gradient_matches_numerical),
        cmocka_unit_test(test_norm_2_dim_gradient_matches_numerical),
        cmocka_unit_test(test_norm_2_keepdim_gradient_matches_numerical),
        cmocka_unit_test(test_norm_2_all_gradient_matches_numerical),
        cmocka_unit_test(test_norm_3_dim_gradient_matches_numerical),
        cmocka_unit_test(test_norm_3_all_gradient_matches_numerical),
        cmocka_unit_test(test_norm_inf_dim_gradient_matches_numerical),
        cmocka_unit_test(test_norm_inf_all_gradient_matches_numerical),
        cmocka_unit_test(test_logsumexp_dim_gradient_matches_numerical),
        cmocka_unit_test(test_logsumexp_keepdim_gradient_matches_numerical),
        cmocka_unit_test(test_logsumexp_all_gradient_matches_numerical),
        cmocka_unit_test(test_cumsum_dim_0_gradient_matches_numerical),
        cmocka_unit_test(test_cumsum_last_dim_gradient_matches_numerical),
        cmocka_unit_test(test_softmax_dim_0_gradient_matches_numerical),
        cmocka_unit_test(test_softmax_dim_1_gradient_matches_numerical),
        cmocka_unit_test(test_softmax_dim_2_gradient_matches_numerical),
        cmocka_unit_test(test_log_softmax_dim_0_gradient_matches_numerical),
        cmocka_unit_test(test_log_softmax_dim_1_gradient_matches_numerical),
        cmocka_unit_test(test_log_softmax_dim_2_gradient_matches_numerical),
        cmocka_unit_test(
            test_softmax_of_a_transposed_view_gradient_matches_numerical),
        /* linear algebra */
        cmocka_unit_test(test_matmul_1d_dot_1d_gradient_matches_numerical),
        cmocka_unit_test(test_matmul_1d_by_2d_gradient_matches_numerical),
        cmocka_unit_test(test_matmul_2d_by_1d_gradient_matches_numerical),
        cmocka_unit_test(test_matmul_2d_gradient_matches_numerical),
        cmocka_unit_test(test_matmul_batched_gradient_matches_numerical),
        cmocka_unit_test(
            test_matmul_broadcast_batch_gradient_matches_numerical),
        cmocka_unit_test(test_matmul_batch_by_2d_gradient_matches_numerical),
        cmocka_unit_test(test_matmul_2d_by_batch_gradient_matches_numerical),
        cmocka_unit_test(test_matmul_1d_by_batch_gradient_matches_numerical),
        cmocka_unit_test(test_matmul_batch_by_1d_gradient_matches_numerical),
        cmocka_unit_test(
            test_matmul_transposed_right_operand_gradient_matches_numerical),
        cmocka_unit_test(
            test_matmul_transposed_left_operand_gradient_matches_numerical),
        cmocka_unit_test(
            test_matmul_batched_both_transposed_gradient_matches_numerical),
        cmocka_unit_test(test_outer_gradient_matches_numerical),
        /* losses */
        cmocka_unit_test(test_nll_loss_mean_gradient_matches_numerical),
        cmocka_unit_test(test_nll_loss_sum_gradient_matches_numerical),
        cmocka_unit_test(test_nll_loss_none_gradient_matches_numerical),
        cmocka_unit_test(
            test_nll_loss_mean_with_ignore_index_gradient_matches_numerical),
        cmocka_unit_test(
            test_nll_loss_none_with_ignore_index_gradient_matches_numerical),
        cmocka_unit_test(
            test_nll_loss_1d_input_scalar_target_gradient_matches_numerical),
        cmocka_unit_test(test_cross_entropy_mean_gradient_matches_numerical),
        cmocka_unit_test(
            test_cross_entropy_sum_ignore_index_gradient_matches_numerical),
        cmocka_unit_test(test_cross_entropy_none_gradient_matches_numerical),
        cmocka_unit_test(
            test_cross_entropy_1d_logits_gradient_matches_numerical),
        /* views */
        cmocka_unit_test(
            test_reshape_of_non_contiguous_gradient_matches_numerical),
        cmocka_unit_test(test_view_gradient_matches_numerical),
        cmocka_unit_test(
            test_view_splitting_a_strided_dim_gradient_matches_numerical),
        cmocka_unit_test(test_flatten_of_permuted_gradient_matches_numerical),
        cmocka_unit_test(test_transpose_gradient_matches_numerical),
        cmocka_unit_test(test_permute_gradient_matches_numerical),
        cmocka_unit_test(test_slice_with_step_gradient_matches_numerical),
        cmocka_unit_test(test_slice_negative_bounds_gradient_matches_numerical),
        cmocka_unit_test(
            test_slice_step_on_inner_dim_gradient_matches_numerical),
        cmocka_unit_test(test_narrow_gradient_matches_numerical),
        cmocka_unit_test(test_select_negative_index_gradient_matches_numerical),
        cmocka_unit_test(test_select_inner_dim_gradient_matches_numerical),
        cmocka_unit_test(test_squeeze_all_gradient_matches_numerical),
        cmocka_unit_test(test_squeeze_one_dim_gradient_matches_numerical),
        cmocka_unit_test(test_unsqueeze_middle_gradient_matches_numerical),
        cmocka_unit_test(test_unsqueeze_last_gradient_matches_numerical),
        cmocka_unit_test(test_expand_then_mul_gradient_matches_numerical),
        cmocka_unit_test(
            test_contiguous_of_transposed_gradient_matches_numerical),
        cmocka_unit_test(test_contiguous_of_contiguous_gradient_is_identity),
        cmocka_unit_test(test_clone_gradient_matches_numerical),
        cmocka_unit_test(test_to_float64_of_float64_gradient_is_identity),
        /* joining, splitting, picking */
        cmocka_unit_test(test_cat_dim_0_gradient_matches_numerical),
        cmocka_unit_test(test_cat_three_along_dim_1_gradient_matches_numerical),
        cmocka_unit_test(
            test_cat_with_a_skipped_empty_input_gradient_matches_numerical),
        cmocka_unit_test(test_stack_dim_0_gradient_matches_numerical),
        cmocka_unit_test(test_stack_last_dim_gradient_matches_numerical),
        cmocka_unit_test(test_split_pieces_gradient_matches_numerical),
        cmocka_unit_test(test_chunk_pieces_gradient_matches_numerical),
        cmocka_unit_test(
            test_index_select_duplicates_gradient_matches_numerical),
        cmocka_unit_test(
            test_index_select_inner_dim_gradient_matches_numerical),
        cmocka_unit_test(test_gather_dim_1_gradient_matches_numerical),
        cmocka_unit_test(test_gather_dim_0_gradient_matches_numerical),
        cmocka_unit_test(test_scatter_add_dim_0_gradient_matches_numerical),
        cmocka_unit_test(test_scatter_add_dim_1_gradient_matches_numerical),
        cmocka_unit_test(
            test_scatter_add_src_larger_than_index_gradient_matches_numerical),
        cmocka_unit_test(
            test_masked_fill_broadcast_mask_gradient_matches_numerical),
        cmocka_unit_test(test_where_broadcast_cond_gradient_matches_numerical),
        cmocka_unit_test(
            test_where_broadcast_operands_gradient_matches_numerical),
        /* composite */
        cmocka_unit_test(
            test_tanh_of_affine_with_broadcast_bias_gradient_matches_numerical),
        cmocka_unit_test(
            test_rnn_over_5_steps_sharing_weights_gradient_matches_numerical),
        cmocka_unit_test(test_mlp_cross_entropy_gradient_matches_numerical),
        cmocka_unit_test(test_attention_gradient_matches_numerical),
        cmocka_unit_test(test_layer_norm_chain_gradient_matches_numerical),
        cmocka_unit_test(
            test_input_reused_across_branches_gradient_matches_numerical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
