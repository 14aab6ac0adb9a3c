/* test_autograd.c — the semantics of the tape rather than of single ops:
 * accumulation, retain_graph, grad mode, detach, retain_grad, in-place
 * checks, shared inputs, long chains on a small stack, op names and memory
 * given back after a graph is released.  Expected gradients are worked out
 * by hand (or by an independent recursion in C), never read back from the
 * engine. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* pthread_attr_setstacksize */
#endif
#include <pthread.h>

#include "testutil.h"

/* ---- helpers ----------------------------------------------------------- */

/* A float64 leaf that requires grad. */
static struct seq_tensor *leaf(int ndim, const int64_t *shape, const double *v)
{
    struct seq_tensor *t = tensor_of(SEQ_FLOAT64, ndim, shape, v);
    assert_ok(seq_set_requires_grad(t, true));
    return t;
}

static struct seq_tensor *vec(int n, const double *v)
{
    return tensor_of(SEQ_FLOAT64, 1, (int64_t[]){n}, v);
}

static struct seq_tensor *leaf_vec(int n, const double *v)
{
    return leaf(1, (int64_t[]){n}, v);
}

static struct seq_tensor *sum_all(struct seq_tensor *t)
{
    struct seq_tensor *s = NULL;
    assert_ok(seq_sum(&s, t, SEQ_DIM_ALL, false));
    return s;
}

static struct seq_tensor *mul(struct seq_tensor *a, struct seq_tensor *b)
{
    struct seq_tensor *r = NULL;
    assert_ok(seq_mul(&r, a, b));
    return r;
}

static struct seq_tensor *add(struct seq_tensor *a, struct seq_tensor *b)
{
    struct seq_tensor *r = NULL;
    assert_ok(seq_add(&r, a, b));
    return r;
}

static struct seq_tensor *unary(enum seq_unop op, struct seq_tensor *a)
{
    struct seq_tensor *r = NULL;
    assert_ok(seq_unary(&r, op, a));
    return r;
}

static int64_t live_bytes(void)
{
    struct seq_memstats m;
    seq_memory(&m);
    return m.live_bytes;
}

static void release_all(int n, struct seq_tensor **ts)
{
    for (int i = 0; i < n; i++)
        seq_release(ts[i]);
}

/* ---- accumulation and retain_graph ------------------------------------- */

static void test_grads_accumulate_over_two_backward_calls(void **state)
{
    struct seq_tensor *x = leaf_vec(3, (double[]){1, -2, 0.5});
    struct seq_tensor *y = mul(x, x), *s = sum_all(y);
    assert_ok(seq_backward(s, NULL, true));
    assert_tensor_close(x->grad, (double[]){2, -4, 1}, 3, 0, 0);
    assert_ok(seq_backward(s, NULL, false));
    /* d(x^2) = 2x, twice */
    assert_tensor_close(x->grad, (double[]){4, -8, 2}, 3, 0, 0);
    release_all(3, (struct seq_tensor *[]){s, y, x});
}

static void test_a_retained_graph_can_be_walked_three_times(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){0.5, -1});
    struct seq_tensor *e = unary(SEQ_OP_EXP, x), *s = sum_all(e);
    assert_ok(seq_backward(s, NULL, true));
    assert_ok(seq_backward(s, NULL, true));
    assert_ok(seq_backward(s, NULL, false));
    assert_tensor_close(x->grad, (double[]){3 * exp(0.5), 3 * exp(-1)}, 2,
                        1e-15, 0);
    release_all(3, (struct seq_tensor *[]){s, e, x});
}

static void
test_zero_grad_drops_the_grad_so_the_next_backward_starts_fresh(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){3, -1});
    struct seq_tensor *y = mul(x, x), *s = sum_all(y);
    assert_ok(seq_backward(s, NULL, true));
    seq_zero_grad(x);
    assert_null(x->grad);
    assert_ok(seq_backward(s, NULL, false));
    assert_tensor_close(x->grad, (double[]){6, -2}, 2, 0, 0);
    seq_zero_grad(x);
    seq_zero_grad(x); /* idempotent */
    assert_null(x->grad);
    release_all(3, (struct seq_tensor *[]){s, y, x});
}

static void
test_backward_twice_without_retain_graph_fails_naming_retain_graph(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *y = mul(x, x), *s = sum_all(y);
    assert_ok(seq_backward(s, NULL, false));
    assert_fails(seq_backward(s, NULL, false), SEQ_EGRAD, "retain_graph");
    /* the first backward's gradient is still there, unchanged */
    assert_tensor_close(x->grad, (double[]){2, 4}, 2, 0, 0);
    release_all(3, (struct seq_tensor *[]){s, y, x});
}

static void test_backward_through_a_freed_intermediate_fails(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *y = mul(x, x), *s1 = sum_all(y), *s2 = NULL;
    assert_ok(seq_backward(s1, NULL, false));
    /* a new root on top of the freed MulBackward */
    assert_ok(seq_mean(&s2, y, SEQ_DIM_ALL, false));
    assert_fails(seq_backward(s2, NULL, false), SEQ_EGRAD, "retain_graph");
    release_all(4, (struct seq_tensor *[]){s2, s1, y, x});
}

static void test_backward_of_a_non_scalar_without_grad_fails(void **state)
{
    struct seq_tensor *x = leaf_vec(3, (double[]){1, 2, 3});
    struct seq_tensor *y = mul(x, x);
    assert_fails(seq_backward(y, NULL, false), SEQ_EGRAD, "one-element");
    assert_null(x->grad);
    release_all(2, (struct seq_tensor *[]){y, x});
}

static void
test_backward_of_a_non_scalar_with_an_explicit_grad_works(void **state)
{
    struct seq_tensor *x = leaf_vec(3, (double[]){1, 2, 3});
    struct seq_tensor *y = mul(x, x);
    struct seq_tensor *g = vec(3, (double[]){1, 10, -100});
    assert_ok(seq_backward(y, g, false));
    /* 2 x g */
    assert_tensor_close(x->grad, (double[]){2, 40, -600}, 3, 0, 0);
    release_all(3, (struct seq_tensor *[]){g, y, x});
}

static void test_backward_rejects_a_grad_of_the_wrong_shape(void **state)
{
    struct seq_tensor *x = leaf_vec(3, (double[]){1, 2, 3});
    struct seq_tensor *y = mul(x, x);
    struct seq_tensor *g = vec(2, (double[]){1, 1});
    assert_fails(seq_backward(y, g, false), SEQ_ESHAPE, "(2)");
    release_all(3, (struct seq_tensor *[]){g, y, x});
}

static void
test_backward_on_a_tensor_that_does_not_require_grad_fails(void **state)
{
    struct seq_tensor *x = vec(2, (double[]){1, 2});
    struct seq_tensor *s = sum_all(x);
    assert_false(s->requires_grad);
    assert_fails(seq_backward(s, NULL, false), SEQ_EGRAD,
                 "does not require grad");
    release_all(2, (struct seq_tensor *[]){s, x});
}

static void test_backward_from_a_leaf_root_gives_it_the_seed(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *g = vec(2, (double[]){0.5, -3});
    assert_ok(seq_backward(x, g, false));
    assert_tensor_close(x->grad, (double[]){0.5, -3}, 2, 0, 0);
    release_all(2, (struct seq_tensor *[]){g, x});
}

static void test_grad_has_its_own_storage_not_the_seeds(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *zero = vec(2, (double[]){0, 0});
    struct seq_tensor *y = add(x, zero); /* AddBackward passes g through */
    struct seq_tensor *g = vec(2, (double[]){4, 5});
    assert_ok(seq_backward(y, g, true));
    assert_ok(seq_fill_(g, -7));
    assert_tensor_close(x->grad, (double[]){4, 5}, 2, 0, 0);
    assert_ok(seq_backward(y, g, false));
    assert_tensor_close(x->grad, (double[]){-3, -2}, 2, 0, 0);
    assert_tensor_close(g, (double[]){-7, -7}, 2, 0, 0);
    release_all(4, (struct seq_tensor *[]){g, y, zero, x});
}

static void test_a_leaf_grad_accumulates_across_separate_graphs(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){2, -1});
    struct seq_tensor *y1 = mul(x, x), *s1 = sum_all(y1);
    struct seq_tensor *y2 = unary(SEQ_OP_NEG, x), *s2 = sum_all(y2);
    assert_ok(seq_backward(s1, NULL, false));
    assert_ok(seq_backward(s2, NULL, false));
    /* 2x - 1 */
    assert_tensor_close(x->grad, (double[]){3, -3}, 2, 0, 0);
    release_all(5, (struct seq_tensor *[]){s1, y1, s2, y2, x});
}

/* ---- grad mode and what gets recorded ---------------------------------- */

static void test_no_grad_mode_records_nothing(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    bool prev = seq_set_grad_enabled(false);
    struct seq_tensor *y = mul(x, x), *s = sum_all(y);
    seq_set_grad_enabled(prev);
    assert_null(y->grad_fn);
    assert_false(y->requires_grad);
    assert_null(s->grad_fn);
    assert_null(seq_grad_fn_name(s));
    assert_fails(seq_backward(s, NULL, false), SEQ_EGRAD,
                 "does not require grad");
    release_all(3, (struct seq_tensor *[]){s, y, x});
}

static void test_set_grad_enabled_returns_the_previous_mode(void **state)
{
    assert_true(seq_grad_enabled());
    assert_true(seq_set_grad_enabled(false));
    assert_false(seq_grad_enabled());
    assert_false(seq_set_grad_enabled(false));
    assert_false(seq_set_grad_enabled(true));
    assert_true(seq_grad_enabled());
}

static void test_backward_records_none_of_its_own_work(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *y = unary(SEQ_OP_TANH, x), *s = sum_all(y);
    assert_ok(seq_backward(s, NULL, false));
    assert_non_null(x->grad);
    assert_null(x->grad->grad_fn);
    assert_false(x->grad->requires_grad);
    assert_true(seq_grad_enabled()); /* and grad mode is back on */
    release_all(3, (struct seq_tensor *[]){s, y, x});
}

static void test_ops_on_tensors_without_grad_are_not_recorded(void **state)
{
    struct seq_tensor *a = vec(2, (double[]){1, 2});
    struct seq_tensor *b = vec(2, (double[]){3, 4});
    struct seq_tensor *y = mul(a, b);
    assert_false(y->requires_grad);
    assert_null(y->grad_fn);
    release_all(3, (struct seq_tensor *[]){y, b, a});
}

static void test_an_input_that_does_not_require_grad_gets_no_grad(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *c = vec(2, (double[]){3, 4});
    struct seq_tensor *y = mul(x, c), *s = sum_all(y);
    assert_true(y->requires_grad);
    assert_ok(seq_backward(s, NULL, false));
    assert_tensor_close(x->grad, (double[]){3, 4}, 2, 0, 0);
    assert_null(c->grad);
    release_all(4, (struct seq_tensor *[]){s, y, c, x});
}

static void test_a_leaf_off_the_backward_path_gets_no_grad(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *w = leaf_vec(2, (double[]){5, 6});
    struct seq_tensor *y = mul(x, x), *z = mul(w, w), *s = sum_all(y);
    assert_ok(seq_backward(s, NULL, false));
    assert_non_null(x->grad);
    assert_null(w->grad);
    release_all(5, (struct seq_tensor *[]){s, z, y, w, x});
}

static void test_requires_grad_on_int64_fails(void **state)
{
    struct seq_tensor *t = NULL;
    assert_ok(seq_arange(&t, SEQ_INT64, 0, 3, 1));
    assert_fails(seq_set_requires_grad(t, true), SEQ_EDTYPE, "floating-point");
    assert_false(t->requires_grad);
    assert_ok(seq_set_requires_grad(t, false)); /* turning it off is fine */
    seq_release(t);
}

static void
test_requires_grad_cannot_be_turned_off_on_a_computed_tensor(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *y = mul(x, x);
    assert_fails(seq_set_requires_grad(y, false), SEQ_EGRAD, "detach");
    assert_true(y->requires_grad);
    release_all(2, (struct seq_tensor *[]){y, x});
}

static void
test_float32_leaf_gets_a_float32_grad_from_a_float64_graph(void **state)
{
    struct seq_tensor *x =
        tensor_of(SEQ_FLOAT32, 1, (int64_t[]){2}, (double[]){1.5, -2});
    struct seq_tensor *w = leaf_vec(2, (double[]){0.25, 4});
    assert_ok(seq_set_requires_grad(x, true));
    struct seq_tensor *y = mul(x, w), *s = sum_all(y);
    assert_int_equal(y->dtype, SEQ_FLOAT64);
    assert_ok(seq_backward(s, NULL, false));
    assert_int_equal(x->grad->dtype, SEQ_FLOAT32);
    assert_tensor_close(x->grad, (double[]){0.25, 4}, 2, 0, 0);
    assert_int_equal(w->grad->dtype, SEQ_FLOAT64);
    assert_tensor_close(w->grad, (double[]){1.5, -2}, 2, 0, 0);
    release_all(4, (struct seq_tensor *[]){s, y, w, x});
}

static void
test_to_float32_and_back_routes_the_gradient_as_float64(void **state)
{
    struct seq_tensor *x = leaf_vec(3, (double[]){0.1, 0.2, 0.3});
    struct seq_tensor *f = NULL, *d = NULL;
    assert_ok(seq_to(&f, x, SEQ_FLOAT32));
    assert_ok(seq_to(&d, f, SEQ_FLOAT64));
    assert_string_equal(seq_grad_fn_name(f), "ToCopyBackward");
    /* values exact in float32, so the copies pass them through unchanged */
    struct seq_tensor *g = vec(3, (double[]){0.5, -2, 1024});
    assert_ok(seq_backward(d, g, false));
    assert_int_equal(x->grad->dtype, SEQ_FLOAT64);
    assert_tensor_close(x->grad, (double[]){0.5, -2, 1024}, 3, 0, 0);
    release_all(4, (struct seq_tensor *[]){g, d, f, x});
}

/* ---- detach and retain_grad -------------------------------------------- */

static void test_detach_cuts_the_graph(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){2, -3});
    struct seq_tensor *y = mul(x, x), *d = NULL;
    assert_ok(seq_detach(&d, y));
    assert_null(d->grad_fn);
    assert_false(d->requires_grad);
    assert_ptr_equal(seq_data(d), seq_data(y)); /* same storage */
    struct seq_tensor *z = mul(d, x), *s = sum_all(z);
    assert_ok(seq_backward(s, NULL, false));
    /* d is a constant x^2 here: dz/dx = x^2, not 3 x^2 */
    assert_tensor_close(x->grad, (double[]){4, 9}, 2, 0, 0);
    release_all(5, (struct seq_tensor *[]){s, z, d, y, x});
}

/* h_t = tanh(W h_{t-1} + x_t) for T steps with retain_grad on every h_t;
 * L = sum(r * h_T).  The retained grads must satisfy the backward
 * recursion dL/dh_{t-1} = W^T ((1 - h_t^2) * dL/dh_t), computed here in
 * plain C from the forward values. */
static void test_retain_grad_gives_every_hidden_state_its_gradient(void **state)
{
    enum { T = 4, H = 3 };
    const double W[H * H] = {0.5, -0.3, 0.8, 0.1, 0.9, -0.6, -0.7, 0.2, 0.4};
    const double X[T * H] = {0.1,  -0.2, 0.3, 0.5, 0.0, -0.4,
                             -0.3, 0.6,  0.2, 0.2, 0.2, -0.1};
    const double R[H] = {1.0, -0.5, 2.0};
    struct seq_tensor *w = tensor_of(SEQ_FLOAT64, 2, (int64_t[]){H, H}, W);
    struct seq_tensor *xs = tensor_of(SEQ_FLOAT64, 2, (int64_t[]){T, H}, X);
    struct seq_tensor *h[T + 1];
    h[0] = leaf_vec(H, (double[]){0.3, -0.1, 0.2});
    for (int t = 1; t <= T; t++) {
        struct seq_tensor *xt = NULL, *u = NULL;
        assert_ok(seq_select(&xt, xs, 0, t - 1));
        assert_ok(seq_matmul(&u, w, h[t - 1]));
        struct seq_tensor *a = add(u, xt);
        h[t] = unary(SEQ_OP_TANH, a);
        assert_ok(seq_retain_grad(h[t]));
        release_all(3, (struct seq_tensor *[]){a, u, xt});
    }
    struct seq_tensor *r = vec(H, R);
    assert_ok(seq_backward(h[T], r, false));

    double g[H], hv[H], gpre[H];
    memcpy(g, R, sizeof g);
    for (int t = T; t >= 1; t--) {
        assert_non_null(h[t]->grad);
        assert_tensor_close(h[t]->grad, g, H, 1e-13, 1e-15);
        assert_ok(seq_copy_out(hv, SEQ_FLOAT64, h[t]));
        for (int i = 0; i < H; i++)
            gpre[i] = g[i] * (1 - hv[i] * hv[i]);
        for (int j = 0; j < H; j++) {
            g[j] = 0;
            for (int i = 0; i < H; i++)
                g[j] += W[i * H + j] * gpre[i];
        }
    }
    assert_tensor_close(h[0]->grad, g, H, 1e-13, 1e-15);
    release_all(T + 1, h);
    release_all(3, (struct seq_tensor *[]){r, xs, w});
}

static void test_a_non_retained_intermediate_has_no_grad(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *a = mul(x, x), *b = unary(SEQ_OP_EXP, a);
    struct seq_tensor *s = sum_all(b);
    assert_ok(seq_retain_grad(b));
    assert_ok(seq_backward(s, NULL, false));
    assert_null(a->grad);
    assert_non_null(b->grad);
    assert_tensor_close(b->grad, (double[]){1, 1}, 2, 0, 0);
    assert_non_null(x->grad);
    release_all(4, (struct seq_tensor *[]){s, b, a, x});
}

static void test_retained_grads_accumulate_like_leaf_grads(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, -2});
    struct seq_tensor *two = vec(2, (double[]){2, 2});
    struct seq_tensor *a = mul(x, two), *y = mul(a, a), *s = sum_all(y);
    assert_ok(seq_retain_grad(a));
    assert_ok(seq_backward(s, NULL, true));
    assert_ok(seq_backward(s, NULL, false));
    /* a = 2x; d(a^2)/da = 2a, twice: 4a = 8x */
    assert_tensor_close(a->grad, (double[]){8, -16}, 2, 0, 0);
    release_all(5, (struct seq_tensor *[]){s, y, a, two, x});
}

static void test_retain_grad_on_a_tensor_without_grad_fails(void **state)
{
    struct seq_tensor *c = vec(2, (double[]){1, 2});
    assert_fails(seq_retain_grad(c), SEQ_EGRAD, "does not require grad");
    seq_release(c);
}

/* ---- in-place modification --------------------------------------------- */

static void test_modifying_a_saved_tensor_in_place_fails_backward(void **state)
{
    int64_t base = live_bytes();
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *zero = vec(2, (double[]){0, 0});
    struct seq_tensor *a = add(x, zero); /* an intermediate */
    struct seq_tensor *b = mul(a, a);    /* MulBackward saves a */
    struct seq_tensor *s = sum_all(b);
    bool prev = seq_set_grad_enabled(false);
    assert_ok(seq_fill_(a, 5));
    seq_set_grad_enabled(prev);
    assert_fails(seq_backward(s, NULL, false), SEQ_EGRAD, "modified in place");
    assert_non_null(strstr(seq_error(), "MulBackward"));
    release_all(5, (struct seq_tensor *[]){s, b, a, zero, x});
    /* the failed backward left nothing behind */
    assert_int_equal(live_bytes(), base);
}

static void
test_modifying_a_saved_output_through_a_detached_alias_fails(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){0.5, 1});
    struct seq_tensor *e = unary(SEQ_OP_EXP, x); /* saves its output */
    struct seq_tensor *s = sum_all(e), *d = NULL;
    assert_ok(seq_detach(&d, e));
    assert_ok(seq_fill_(d, 0)); /* d does not require grad: allowed */
    assert_fails(seq_backward(s, NULL, false), SEQ_EGRAD, "modified in place");
    release_all(4, (struct seq_tensor *[]){d, s, e, x});
}

static void test_modifying_a_saved_leaf_in_place_fails_backward(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *w = vec(2, (double[]){3, 4});
    struct seq_tensor *y = mul(x, w), *s = sum_all(y);
    bool prev = seq_set_grad_enabled(false);
    assert_ok(seq_fill_(w, 0)); /* w is saved for x's gradient */
    seq_set_grad_enabled(prev);
    assert_fails(seq_backward(s, NULL, false), SEQ_EGRAD, "modified in place");
    release_all(4, (struct seq_tensor *[]){s, y, w, x});
}

static void
test_modifying_an_unsaved_input_in_place_does_not_block_backward(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    struct seq_tensor *c = vec(2, (double[]){3, 4});
    struct seq_tensor *y = add(x, c), *s = sum_all(y); /* add saves nothing */
    assert_ok(seq_fill_(c, 0));
    assert_ok(seq_backward(s, NULL, false));
    assert_tensor_close(x->grad, (double[]){1, 1}, 2, 0, 0);
    release_all(4, (struct seq_tensor *[]){s, y, c, x});
}

static void test_fill_on_a_leaf_that_requires_grad_fails(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, 2});
    assert_fails(seq_fill_(x, 0), SEQ_EGRAD, "in place");
    assert_tensor_close(x, (double[]){1, 2}, 2, 0, 0);
    seq_release(x);
}

static void test_an_sgd_step_under_no_grad_updates_a_leaf_in_place(void **state)
{
    struct seq_tensor *x = leaf_vec(2, (double[]){1, -2});
    struct seq_tensor *y = mul(x, x), *s = sum_all(y);
    assert_ok(seq_backward(s, NULL, false));
    bool prev = seq_set_grad_enabled(false);
    assert_ok(seq_add_(x, x->grad, -0.25)); /* x -= 0.25 * 2x */
    seq_set_grad_enabled(prev);
    assert_tensor_close(x, (double[]){0.5, -1}, 2, 0, 0);
    assert_true(x->requires_grad);
    assert_null(x->grad_fn);
    release_all(3, (struct seq_tensor *[]){s, y, x});
}

/* ---- graph shapes ------------------------------------------------------ */

static void test_an_input_used_twice_gets_both_contributions(void **state)
{
    struct seq_tensor *x = leaf_vec(3, (double[]){1.5, -2, 0.25});
    struct seq_tensor *y = mul(x, x), *s = sum_all(y);
    assert_ok(seq_backward(s, NULL, false));
    assert_tensor_close(x->grad, (double[]){3, -4, 0.5}, 3, 0, 0);
    release_all(3, (struct seq_tensor *[]){s, y, x});
}

/* a = exp(x) feeds two branches that meet again: d = a*a + sqrt(a).
 * dd/dx = (2a + 1 / (2 sqrt a)) a. */
static void test_a_diamond_graph_sums_both_paths(void **state)
{
    const double xv[3] = {0.3, -1.2, 0.8};
    struct seq_tensor *x = leaf_vec(3, xv);
    struct seq_tensor *a = unary(SEQ_OP_EXP, x), *b = mul(a, a);
    struct seq_tensor *c = unary(SEQ_OP_SQRT, a), *d = add(b, c);
    struct seq_tensor *s = sum_all(d);
    assert_ok(seq_backward(s, NULL, false));
    double want[3];
    for (int i = 0; i < 3; i++) {
        double av = exp(xv[i]);
        want[i] = (2 * av + 1 / (2 * sqrt(av))) * av;
    }
    assert_tensor_close(x->grad, want, 3, 1e-14, 0);
    release_all(6, (struct seq_tensor *[]){s, d, c, b, a, x});
}

/* y_0 = x, y_{k+1} = y_k + x: after N adds y = (N + 1) x. */
struct chain_job {
    int n;
    bool backward;
    int status;
    char error[256];
    double grad[2];
    int64_t leaked;
};

static void *chain_thread(void *arg)
{
    struct chain_job *job = arg;
    int64_t base = live_bytes();
    struct seq_tensor *x = NULL, *y = NULL, *s = NULL;
    int st =
        seq_from_buffer(&x, SEQ_FLOAT64, 1, (int64_t[]){2}, (double[]){1, -2});
    if (st == SEQ_OK)
        st = seq_set_requires_grad(x, true);
    y = seq_retain(x);
    for (int i = 0; st == SEQ_OK && i < job->n; i++) {
        struct seq_tensor *next = NULL;
        st = seq_add(&next, y, x);
        seq_release(y);
        y = next;
    }
    if (st == SEQ_OK)
        st = seq_sum(&s, y, SEQ_DIM_ALL, false);
    if (st == SEQ_OK && job->backward)
        st = seq_backward(s, NULL, false);
    if (st == SEQ_OK && job->backward)
        st = seq_copy_out(job->grad, SEQ_FLOAT64, x->grad);
    if (st)
        snprintf(job->error, sizeof job->error, "%s", seq_error());
    job->status = st;
    seq_release(y); /* the whole chain goes here, not at s */
    seq_release(s);
    seq_release(x);
    job->leaked = live_bytes() - base;
    return NULL;
}

/* Runs the chain on a thread with a 512 KiB stack: a recursive release or
 * backward of 20000 nodes would overflow it. */
static void run_chain(struct chain_job *job)
{
    pthread_attr_t attr;
    pthread_t th;
    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, 512 * 1024), 0);
    assert_int_equal(pthread_create(&th, &attr, chain_thread, job), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    pthread_attr_destroy(&attr);
    if (job->status)
        fail_msg("chain of %d adds: %s: %s", job->n,
                 seq_status_name(job->status), job->error);
}

static void
test_a_chain_of_20000_adds_backpropagates_on_a_small_stack(void **state)
{
    struct chain_job job = {.n = 20000, .backward = true};
    run_chain(&job);
    assert_true(job.grad[0] == 20001 && job.grad[1] == 20001);
    assert_int_equal(job.leaked, 0);
}

static void
test_releasing_an_unused_chain_of_20000_adds_on_a_small_stack(void **state)
{
    struct chain_job job = {.n = 20000, .backward = false};
    run_chain(&job);
    assert_int_equal(job.leaked, 0);
}

/* ---- names ------------------------------------------------------------- */

static void test_grad_fn_name_names_the_op(void **state)
{
    struct seq_tensor *x = leaf(2, (int64_t[]){2, 2}, (double[]){1, 2, 3, 4});
    struct seq_tensor *m = mul(x, x), *a = add(x, m), *t = NULL, *mm = NULL;
    struct seq_tensor *th = unary(SEQ_OP_TANH, a), *s = sum_all(th);
    assert_ok(seq_transpose(&t, x, 0, 1));
    assert_ok(seq_matmul(&mm, x, t));
    assert_null(seq_grad_fn_name(x));
    assert_string_equal(seq_grad_fn_name(m), "MulBackward");
    assert_string_equal(seq_grad_fn_name(a), "AddBackward");
    assert_string_equal(seq_grad_fn_name(th), "TanhBackward");
    assert_string_equal(seq_grad_fn_name(s), "SumBackward");
    assert_string_equal(seq_grad_fn_name(t), "PermuteBackward");
    assert_string_equal(seq_grad_fn_name(mm), "MmBackward");
    release_all(7, (struct seq_tensor *[]){mm, t, s, th, a, m, x});
}

/* ---- memory ------------------------------------------------------------ */

/* A small MLP loss; every tensor it makes is put in keep[]. */
static struct seq_tensor *mlp_loss(struct seq_tensor **keep, int *nkeep,
                                   struct seq_tensor *x, struct seq_tensor *w1,
                                   struct seq_tensor *w2,
                                   const struct seq_tensor *target)
{
    struct seq_tensor *z = NULL, *h = NULL, *o = NULL, *l = NULL;
    assert_ok(seq_matmul(&z, x, w1));
    assert_ok(seq_tanh(&h, z));
    assert_ok(seq_matmul(&o, h, w2));
    assert_ok(seq_cross_entropy(&l, o, target, -100, SEQ_REDUCE_MEAN));
    keep[(*nkeep)++] = z;
    keep[(*nkeep)++] = h;
    keep[(*nkeep)++] = o;
    keep[(*nkeep)++] = l;
    return l;
}

/* mode 0: no backward; 1: backward; 2: backward with retain_graph */
static void check_memory_returns(int mode)
{
    int64_t base = live_bytes();
    struct seq_tensor *keep[8];
    int nk = 0;
    struct seq_tensor *x = NULL, *w1 = NULL, *w2 = NULL, *target = NULL;
    assert_ok(seq_full(&x, SEQ_FLOAT64, 2, (int64_t[]){4, 3}, 0.5));
    assert_ok(seq_full(&w1, SEQ_FLOAT64, 2, (int64_t[]){3, 8}, 0.1));
    assert_ok(seq_full(&w2, SEQ_FLOAT64, 2, (int64_t[]){8, 5}, -0.2));
    assert_ok(seq_set_requires_grad(w1, true));
    assert_ok(seq_set_requires_grad(w2, true));
    assert_ok(seq_arange(&target, SEQ_INT64, 0, 4, 1));
    struct seq_tensor *l = mlp_loss(keep, &nk, x, w1, w2, target);
    if (mode >= 1)
        assert_ok(seq_backward(l, NULL, mode == 2));
    if (mode >= 1)
        assert_non_null(w1->grad);
    assert_true(live_bytes() > base);
    release_all(nk, keep);
    release_all(4, (struct seq_tensor *[]){target, w2, w1, x});
    assert_int_equal(live_bytes(), base);
}

static void test_memory_returns_to_baseline_after_an_unused_graph(void **state)
{
    check_memory_returns(0);
}

static void test_memory_returns_to_baseline_after_backward(void **state)
{
    check_memory_returns(1);
}

static void test_memory_returns_to_baseline_after_a_retained_graph(void **state)
{
    check_memory_returns(2);
}

/* exp saves its output; once the intermediate is released, only the graph
 * holds it, and a backward without retain_graph must let it go. */
static void
test_backward_without_retain_graph_frees_the_saved_tensors(void **state)
{
    int64_t delta[2];
    for (int retain = 0; retain < 2; retain++) {
        struct seq_tensor *x = NULL, *e = NULL, *s = NULL;
        assert_ok(seq_full(&x, SEQ_FLOAT64, 1, (int64_t[]){1000}, 0.1));
        assert_ok(seq_set_requires_grad(x, true));
        assert_ok(seq_exp(&e, x));
        assert_ok(seq_sum(&s, e, SEQ_DIM_ALL, false));
        seq_release(e);
        int64_t before = live_bytes();
        assert_ok(seq_backward(s, NULL, retain));
        delta[retain] = live_bytes() - before;
        seq_release(s);
        seq_release(x);
    }
    /* both add x.grad (8000 bytes); only the retained graph keeps exp's
     * 8000-byte output */
    assert_true(delta[1] - delta[0] >= 8000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grads_accumulate_over_two_backward_calls),
        cmocka_unit_test(test_a_retained_graph_can_be_walked_three_times),
        cmocka_unit_test(
            test_zero_grad_drops_the_grad_so_the_next_backward_starts_fresh),
        cmocka_unit_test(
            test_backward_twice_without_retain_graph_fails_naming_retain_graph),
        cmocka_unit_test(test_backward_through_a_freed_intermediate_fails),
        cmocka_unit_test(test_backward_of_a_non_scalar_without_grad_fails),
        cmocka_unit_test(
            test_backward_of_a_non_scalar_with_an_explicit_grad_works),
        cmocka_unit_test(test_backward_rejects_a_grad_of_the_wrong_shape),
        cmocka_unit_test(
            test_backward_on_a_tensor_that_does_not_require_grad_fails),
        cmocka_unit_test(test_backward_from_a_leaf_root_gives_it_the_seed),
        cmocka_unit_test(test_grad_has_its_own_storage_not_the_seeds),
        cmocka_unit_test(test_a_leaf_grad_accumulates_across_separate_graphs),
        cmocka_unit_test(test_no_grad_mode_records_nothing),
        cmocka_unit_test(test_set_grad_enabled_returns_the_previous_mode),
        cmocka_unit_test(test_backward_records_none_of_its_own_work),
        cmocka_unit_test(test_ops_on_tensors_without_grad_are_not_recorded),
        cmocka_unit_test(test_an_input_that_does_not_require_grad_gets_no_grad),
        cmocka_unit_test(test_a_leaf_off_the_backward_path_gets_no_grad),
        cmocka_unit_test(test_requires_grad_on_int64_fails),
        cmocka_unit_test(
            test_requires_grad_cannot_be_turned_off_on_a_computed_tensor),
        cmocka_unit_test(
            test_float32_leaf_gets_a_float32_grad_from_a_float64_graph),
        cmocka_unit_test(
            test_to_float32_and_back_routes_the_gradient_as_float64),
        cmocka_unit_test(test_detach_cuts_the_graph),
        cmocka_unit_test(
            test_retain_grad_gives_every_hidden_state_its_gradient),
        cmocka_unit_test(test_a_non_retained_intermediate_has_no_grad),
        cmocka_unit_test(test_retained_grads_accumulate_like_leaf_grads),
        cmocka_unit_test(test_retain_grad_on_a_tensor_without_grad_fails),
        cmocka_unit_test(test_modifying_a_saved_tensor_in_place_fails_backward),
        cmocka_unit_test(
            test_modifying_a_saved_output_through_a_detached_alias_fails),
        cmocka_unit_test(test_modifying_a_saved_leaf_in_place_fails_backward),
        cmocka_unit_test(
            test_modifying_an_unsaved_input_in_place_does_not_block_backward),
        cmocka_unit_test(test_fill_on_a_leaf_that_requires_grad_fails),
        cmocka_unit_test(
            test_an_sgd_step_under_no_grad_updates_a_leaf_in_place),
        cmocka_unit_test(test_an_input_used_twice_gets_both_contributions),
        cmocka_unit_test(test_a_diamond_graph_sums_both_paths),
        cmocka_unit_test(
            test_a_chain_of_20000_adds_backpropagates_on_a_small_stack),
        cmocka_unit_test(
            test_releasing_an_unused_chain_of_20000_adds_on_a_small_stack),
        cmocka_unit_test(test_grad_fn_name_names_the_op),
        cmocka_unit_test(test_memory_returns_to_baseline_after_an_unused_graph),
        cmocka_unit_test(test_memory_returns_to_baseline_after_backward),
        cmocka_unit_test(
            test_memory_returns_to_baseline_after_a_retained_graph),
        cmocka_unit_test(
            test_backward_without_retain_graph_frees_the_saved_tensors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
