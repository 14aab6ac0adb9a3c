/* test_rng.c — the engine's fast generator: published reference outputs,
 * determinism, loose statistical checks, and the tensor fillers. */
#include "testutil.h"

#include <pthread.h>

#include "seq/rng.h"

/* ---- the generator ----------------------------------------------------- */

/* splitmix64 from 0 starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, ... (the
 * reference outputs of Vigna's splitmix64.c). */
static void test_seed_fills_the_state_with_splitmix64_outputs(void **state)
{
    struct seq_rng r;
    seq_rng_seed(&r, 0);
    assert_true(r.s[0] == UINT64_C(0xe220a8397b1dcdaf));
    assert_true(r.s[1] == UINT64_C(0x6e789e6aa1b965f4));
    assert_true(r.s[2] == UINT64_C(0x06c45d188009454f));
    assert_true(r.s[3] == UINT64_C(0xf88bb8a8724c81ec));
}

/* The reference xoshiro256** outputs from the state {1, 2, 3, 4}. */
static void test_u64_follows_the_xoshiro256starstar_reference(void **state)
{
    static const uint64_t want[] = {
        UINT64_C(11520),
        UINT64_C(0),
        UINT64_C(1509978240),
        UINT64_C(1215971899390074240),
        UINT64_C(1216172134540287360),
        UINT64_C(607988272756665600),
        UINT64_C(16172922978634559625),
        UINT64_C(8476171486693032832),
        UINT64_C(10595114339597558777),
        UINT64_C(2904607092377533576),
    };
    struct seq_rng r = {{1, 2, 3, 4}, false, 0.0};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_true(seq_rng_u64(&r) == want[i]);
}

static void test_same_seed_gives_the_same_stream(void **state)
{
    struct seq_rng a, b;
    seq_rng_seed(&a, 1234);
    seq_rng_seed(&b, 1234);
    for (int i = 0; i < 1000; i++) {
        assert_true(seq_rng_u64(&a) == seq_rng_u64(&b));
        assert_true(seq_rng_normal(&a) == seq_rng_normal(&b));
        assert_true(seq_rng_double(&a) == seq_rng_double(&b));
    }
}

static void test_reseeding_forgets_the_cached_normal(void **state)
{
    struct seq_rng r;
    seq_rng_seed(&r, 77);
    double first = seq_rng_normal(&r); /* caches a second value */
    seq_rng_seed(&r, 77);
    assert_true(seq_rng_normal(&r) == first);
}

static void test_different_seeds_give_different_streams(void **state)
{
    static const uint64_t seeds[] = {0, 1, 2, 42, UINT64_MAX};
    enum { NSEEDS = sizeof seeds / sizeof seeds[0], DRAWS = 64 };
    uint64_t first[NSEEDS][DRAWS];
    for (int k = 0; k < NSEEDS; k++) {
        struct seq_rng r;
        seq_rng_seed(&r, seeds[k]);
        for (int i = 0; i < DRAWS; i++)
            first[k][i] = seq_rng_u64(&r);
    }
    for (int a = 0; a < NSEEDS; a++)
        for (int b = a + 1; b < NSEEDS; b++) {
            int same = 0;
            for (int i = 0; i < DRAWS; i++)
                same += first[a][i] == first[b][i];
            assert_int_equal(same, 0);
        }
}

/* Mean and variance of n samples (Welford). */
struct moments {
    int64_t n;
    double mean, m2;
};

static void moments_add(struct moments *m, double x)
{
    m->n++;
    double d = x - m->mean;
    m->mean += d / (double)m->n;
    m->m2 += d * (x - m->mean);
}

static double moments_var(const struct moments *m)
{
    return m->m2 / (double)m->n;
}

/* With 200000 draws the standard error of the mean is ~0.0006 for U(0,1)
 * and ~0.002 for N(0,1); the bounds below are several times wider. */
enum { NSTAT = 200000 };

/* U(0, 1) has mean 1/2 and variance 1/12. */
static void assert_unit_uniform_moments(const struct moments *m)
{
    assert_true(fabs(m->mean - 0.5) < 0.005);
    assert_true(fabs(moments_var(m) - 1.0 / 12.0) < 0.002);
}

static void test_double_is_uniform_on_the_unit_interval(void **state)
{
    struct seq_rng r;
    struct moments m = {0};
    seq_rng_seed(&r, 2024);
    for (int i = 0; i < NSTAT; i++) {
        double u = seq_rng_double(&r);
        assert_true(u >= 0.0 && u < 1.0);
        moments_add(&m, u);
    }
    assert_unit_uniform_moments(&m);
}

static void test_float_is_uniform_on_the_unit_interval(void **state)
{
    struct seq_rng r;
    struct moments m = {0};
    seq_rng_seed(&r, 7);
    for (int i = 0; i < NSTAT; i++) {
        float u = seq_rng_float(&r);
        assert_true(u >= 0.0f && u < 1.0f);
        moments_add(&m, u);
    }
    assert_unit_uniform_moments(&m);
}

static void test_normal_has_zero_mean_and_unit_std(void **state)
{
    struct seq_rng r;
    struct moments m = {0};
    int64_t within_one = 0;
    seq_rng_seed(&r, 99);
    for (int i = 0; i < NSTAT; i++) {
        double z = seq_rng_normal(&r);
        assert_true(isfinite(z));
        moments_add(&m, z);
        within_one += fabs(z) < 1.0;
    }
    assert_true(fabs(m.mean) < 0.01);
    assert_true(fabs(sqrt(moments_var(&m)) - 1.0) < 0.01);
    /* P(|Z| < 1) = 0.6827 */
    assert_true(fabs((double)within_one / NSTAT - 0.6827) < 0.01);
}

/* Two normals per pair of uniforms: the second call draws nothing. */
static void test_normal_uses_two_uniforms_per_two_values(void **state)
{
    struct seq_rng a, b;
    seq_rng_seed(&a, 5);
    seq_rng_seed(&b, 5);
    (void)seq_rng_normal(&a);
    (void)seq_rng_normal(&a);
    (void)seq_rng_u64(&b);
    (void)seq_rng_u64(&b);
    assert_true(seq_rng_u64(&a) == seq_rng_u64(&b));
}

static void test_below_stays_in_range_and_is_even(void **state)
{
    enum { N = 7, DRAWS = 70000 };
    struct seq_rng r;
    int64_t count[N] = {0};
    seq_rng_seed(&r, 11);
    for (int i = 0; i < DRAWS; i++) {
        uint64_t v = seq_rng_below(&r, N);
        assert_true(v < N);
        count[v]++;
    }
    /* Each count is ~10000 +- 93; allow 5%. */
    for (int k = 0; k < N; k++)
        assert_true(fabs((double)count[k] - DRAWS / N) < DRAWS / N / 20.0);
}

static void test_below_handles_the_extremes(void **state)
{
    const uint64_t big = (UINT64_C(1) << 63) + 1; /* rejects ~half */
    struct seq_rng r;
    seq_rng_seed(&r, 3);
    assert_true(seq_rng_below(&r, 0) == 0);
    for (int i = 0; i < 1000; i++) {
        assert_true(seq_rng_below(&r, 1) == 0);
        assert_true(seq_rng_below(&r, big) < big);
        (void)seq_rng_below(&r, UINT64_MAX);
    }
}

/* ---- the default generator --------------------------------------------- */

static void test_manual_seed_reseeds_the_default_generator(void **state)
{
    struct seq_rng twin;
    seq_rng_seed(&twin, 31337);
    seq_rng_manual_seed(31337);
    assert_true(seq_rng_u64(seq_rng_default()) == seq_rng_u64(&twin));
    seq_rng_manual_seed(31337);
    seq_rng_seed(&twin, 31337);
    assert_true(seq_rng_u64(seq_rng_default()) == seq_rng_u64(&twin));
}

static void *first_default_draw(void *out)
{
    *(uint64_t *)out = seq_rng_u64(seq_rng_default());
    return NULL;
}

static void test_each_thread_has_its_own_default_generator(void **state)
{
    struct seq_rng fresh;
    seq_rng_seed(&fresh, SEQ_RNG_DEFAULT_SEED);
    seq_rng_manual_seed(1); /* must not leak into the new thread */
    uint64_t got = 0;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, first_default_draw, &got), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true(got == seq_rng_u64(&fresh));
}

/* ---- tensors ----------------------------------------------------------- */

static void test_uniform_tensor_is_in_c_order_and_deterministic(void **state)
{
    struct seq_rng r, twin;
    seq_rng_seed(&r, 8);
    seq_rng_seed(&twin, 8);
    struct seq_tensor *t;
    assert_ok(seq_rng_uniform_tensor(&t, &r, SEQ_FLOAT64, 2, (int64_t[]){3, 4},
                                     -1.0, 2.0));
    assert_shape(t, 2, (int64_t[]){3, 4});
    const double *x = seq_data(t);
    for (int i = 0; i < 12; i++)
        assert_true(x[i] == -1.0 + 3.0 * seq_rng_double(&twin));
    seq_release(t);
}

static void test_uniform_float32_tensor_has_uniform_moments(void **state)
{
    struct seq_rng r;
    seq_rng_seed(&r, 21);
    struct seq_tensor *t;
    assert_ok(seq_rng_uniform_tensor(&t, &r, SEQ_FLOAT32, 2,
                                     (int64_t[]){200, 1000}, -2.0, 3.0));
    assert_int_equal(t->dtype, SEQ_FLOAT32);
    const float *x = seq_data(t);
    struct moments m = {0};
    for (int64_t i = 0; i < seq_numel(t); i++) {
        assert_true(x[i] >= -2.0f && x[i] <= 3.0f);
        moments_add(&m, x[i]);
    }
    assert_true(fabs(m.mean - 0.5) < 0.03);
    assert_true(fabs(moments_var(&m) - 25.0 / 12.0) < 0.03);
    seq_release(t);
}

static void test_normal_tensor_has_the_requested_mean_and_std(void **state)
{
    struct seq_rng r;
    seq_rng_seed(&r, 22);
    struct seq_tensor *t;
    assert_ok(seq_rng_normal_tensor(&t, &r, SEQ_FLOAT64, 1, (int64_t[]){NSTAT},
                                    3.0, 0.5));
    const double *x = seq_data(t);
    struct moments m = {0};
    for (int64_t i = 0; i < NSTAT; i++)
        moments_add(&m, x[i]);
    assert_true(fabs(m.mean - 3.0) < 0.005);
    assert_true(fabs(sqrt(moments_var(&m)) - 0.5) < 0.005);
    seq_release(t);
}

/* A transposed view is filled in its own C order, through its strides. */
static void test_fill_in_place_writes_a_strided_view_in_c_order(void **state)
{
    struct seq_rng r, twin;
    seq_rng_seed(&r, 9);
    seq_rng_seed(&twin, 9);
    struct seq_tensor *base, *view;
    assert_ok(seq_zeros(&base, SEQ_FLOAT32, 2, (int64_t[]){4, 6}));
    assert_ok(seq_transpose(&view, base, 0, 1));
    assert_false(seq_is_contiguous(view));
    assert_ok(seq_rng_normal_(view, &r, 0.0, 1.0));
    for (int64_t i = 0; i < 6; i++)
        for (int64_t j = 0; j < 4; j++) {
            double got;
            assert_ok(seq_get(&got, view, (int64_t[]){i, j}));
            assert_true(got == (double)(float)seq_rng_normal(&twin));
        }
    seq_release(view);
    seq_release(base);
}

static void test_fill_in_place_bumps_the_storage_version(void **state)
{
    struct seq_tensor *t;
    assert_ok(seq_zeros(&t, SEQ_FLOAT64, 1, (int64_t[]){5}));
    uint32_t before = t->storage->version;
    assert_ok(seq_rng_uniform_(t, NULL, 0.0, 1.0));
    assert_true(t->storage->version != before);
    seq_release(t);
}

static void test_fill_in_place_refuses_a_tensor_that_requires_grad(void **state)
{
    struct seq_tensor *t;
    assert_ok(seq_zeros(&t, SEQ_FLOAT32, 1, (int64_t[]){5}));
    assert_ok(seq_set_requires_grad(t, true));
    assert_fails(seq_rng_uniform_(t, NULL, 0.0, 1.0), SEQ_EGRAD, "uniform_");
    bool prev = seq_set_grad_enabled(false); /* as nn.init does */
    assert_ok(seq_rng_normal_(t, NULL, 0.0, 0.02));
    seq_set_grad_enabled(prev);
    seq_release(t);
}

static void test_fillers_reject_int64_and_bad_arguments(void **state)
{
    struct seq_tensor *t = NULL, *i64;
    const int64_t shape[] = {3};
    assert_fails(seq_rng_uniform_tensor(&t, NULL, SEQ_INT64, 1, shape, 0, 1),
                 SEQ_EDTYPE, "uniform: needs a float32 or float64 tensor");
    assert_null(t);
    assert_fails(seq_rng_uniform_tensor(&t, NULL, SEQ_FLOAT32, 1, shape, 2, 1),
                 SEQ_EINVAL, "lo <= hi");
    assert_fails(seq_rng_normal_tensor(&t, NULL, SEQ_FLOAT64, 1, shape, 0, -1),
                 SEQ_EINVAL, "std >= 0");
    assert_ok(seq_zeros(&i64, SEQ_INT64, 1, shape));
    assert_fails(seq_rng_normal_(i64, NULL, 0, 1), SEQ_EDTYPE, "normal_");
    seq_release(i64);
}

static void test_null_generator_means_the_default_one(void **state)
{
    struct seq_rng twin;
    seq_rng_manual_seed(4242);
    seq_rng_seed(&twin, 4242);
    struct seq_tensor *t;
    assert_ok(seq_rng_uniform_tensor(&t, NULL, SEQ_FLOAT64, 1, (int64_t[]){4},
                                     0.0, 1.0));
    const double *x = seq_data(t);
    for (int i = 0; i < 4; i++)
        assert_true(x[i] == seq_rng_double(&twin));
    seq_release(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_fills_the_state_with_splitmix64_outputs),
        cmocka_unit_test(test_u64_follows_the_xoshiro256starstar_reference),
        cmocka_unit_test(test_same_seed_gives_the_same_stream),
        cmocka_unit_test(test_reseeding_forgets_the_cached_normal),
        cmocka_unit_test(test_different_seeds_give_different_streams),
        cmocka_unit_test(test_double_is_uniform_on_the_unit_interval),
        cmocka_unit_test(test_float_is_uniform_on_the_unit_interval),
        cmocka_unit_test(test_normal_has_zero_mean_and_unit_std),
        cmocka_unit_test(test_normal_uses_two_uniforms_per_two_values),
        cmocka_unit_test(test_below_stays_in_range_and_is_even),
        cmocka_unit_test(test_below_handles_the_extremes),
        cmocka_unit_test(test_manual_seed_reseeds_the_default_generator),
        cmocka_unit_test(test_each_thread_has_its_own_default_generator),
        cmocka_unit_test(test_uniform_tensor_is_in_c_order_and_deterministic),
        cmocka_unit_test(test_uniform_float32_tensor_has_uniform_moments),
        cmocka_unit_test(test_normal_tensor_has_the_requested_mean_and_std),
        cmocka_unit_test(test_fill_in_place_writes_a_strided_view_in_c_order),
        cmocka_unit_test(test_fill_in_place_bumps_the_storage_version),
        cmocka_unit_test(
            test_fill_in_place_refuses_a_tensor_that_requires_grad),
        cmocka_unit_test(test_fillers_reject_int64_and_bad_arguments),
        cmocka_unit_test(test_null_generator_means_the_default_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
