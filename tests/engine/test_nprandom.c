/* test_nprandom.c — numpy's legacy RandomState, bit for bit.
 *
 * Most expectations come from tests/golden/nprandom_vectors.h, written by
 * numpy itself (tests/golden/gen/nprandom_vectors.py): each case seeds, then
 * replays numpy's calls in order, so a draw taken or skipped by mistake
 * shifts every later value.  The course's own printed values are checked
 * separately, and exactly. */
#include "testutil.h"

#include <stdlib.h>

#include "seq/nprandom.h"

#include "../golden/nprandom_vectors.h"

/* ---- replaying the golden cases ---------------------------------------- */

/* Scalar replay calls the one-value functions; tensor replay builds each
 * rand/randn/uniform/normal/randint step as a tensor of numpy's shape. */
enum replay_mode { REPLAY_SCALAR, REPLAY_TENSOR };

struct where {
    const struct npv_case *c;
    int step;
};

static void fail_at(struct where w, int64_t i, const char *what)
{
    fail_msg("%s %s, step %d (%s), element %lld: %s", w.c->group, w.c->label,
             w.step, w.c->steps[w.step].label, (long long)i, what);
}

/* Exact: the same bits, so -0.0 and 0.0 differ too. */
static void check_doubles(struct where w, const double *got, const double *want,
                          int64_t n)
{
    char msg[128];
    for (int64_t i = 0; i < n; i++) {
        if (memcmp(&got[i], &want[i], sizeof(double)) != 0) {
            snprintf(msg, sizeof msg, "got %.17g, numpy %.17g", got[i],
                     want[i]);
            fail_at(w, i, msg);
        }
    }
}

static void check_ints(struct where w, const int64_t *got, const int64_t *want,
                       int64_t n)
{
    char msg[128];
    for (int64_t i = 0; i < n; i++) {
        if (got[i] != want[i]) {
            snprintf(msg, sizeof msg, "got %lld, numpy %lld", (long long)got[i],
                     (long long)want[i]);
            fail_at(w, i, msg);
        }
    }
}

static void seed_case(struct seq_nprandom *st, const struct npv_case *c)
{
    if (c->nkey > 0)
        assert_ok(seq_nprandom_seed_array(st, c->key, c->nkey));
    else
        seq_nprandom_seed(st, c->seed);
}

/* The step's shape: numpy's, or one dimension of `count`. */
static int step_shape(const struct npv_step *s, int64_t *shape)
{
    if (s->ndim == 0) {
        shape[0] = s->count;
        return 1;
    }
    memcpy(shape, s->shape, sizeof(int64_t) * (size_t)s->ndim);
    return s->ndim;
}

/* Builds the step's tensor; returns NULL for ops without a tensor form. */
static struct seq_tensor *step_tensor(struct seq_nprandom *st,
                                      const struct npv_step *s)
{
    int64_t shape[4];
    int ndim = step_shape(s, shape);
    struct seq_tensor *t = NULL;
    switch (s->op) {
    case NPV_RAND:
        assert_ok(seq_nprandom_rand_tensor(&t, st, ndim, shape));
        break;
    case NPV_RANDN:
        assert_ok(seq_nprandom_randn_tensor(&t, st, ndim, shape));
        break;
    case NPV_UNIFORM:
        assert_ok(seq_nprandom_uniform_tensor(&t, st, ndim, shape, s->a, s->b));
        break;
    case NPV_NORMAL:
        assert_ok(seq_nprandom_normal_tensor(&t, st, ndim, shape, s->a, s->b));
        break;
    case NPV_RANDINT:
        assert_ok(
            seq_nprandom_randint_tensor(&t, st, ndim, shape, s->lo, s->hi));
        break;
    default:
        return NULL;
    }
    assert_int_equal(t->ndim, ndim);
    for (int d = 0; d < ndim; d++)
        assert_int_equal(t->shape[d], shape[d]);
    assert_int_equal(t->dtype, s->op == NPV_RANDINT ? SEQ_INT64 : SEQ_FLOAT64);
    return t;
}

/* One value per element through the scalar API, into f or i. */
static void step_scalar(struct seq_nprandom *st, const struct npv_step *s,
                        double *f, int64_t *i)
{
    for (int64_t k = 0; k < s->count; k++) {
        switch (s->op) {
        case NPV_U32:
            i[k] = seq_nprandom_u32(st);
            break;
        case NPV_RAND:
            f[k] = seq_nprandom_double(st);
            break;
        case NPV_RANDN:
            f[k] = seq_nprandom_gauss(st);
            break;
        case NPV_UNIFORM:
            assert_ok(seq_nprandom_uniform(&f[k], st, s->a, s->b));
            break;
        case NPV_NORMAL:
            assert_ok(seq_nprandom_normal(&f[k], st, s->a, s->b));
            break;
        case NPV_RANDINT:
            assert_ok(seq_nprandom_randint(&i[k], st, s->lo, s->hi));
            break;
        default:
            fail_msg("step_scalar: op %d has no scalar form", (int)s->op);
        }
    }
}

static void replay_shuffle(struct where w, struct seq_nprandom *st,
                           const struct npv_step *s)
{
    const char **x = malloc(sizeof *x * (size_t)s->count);
    assert_non_null(x);
    memcpy(x, s->items, sizeof *x * (size_t)s->count);
    seq_nprandom_shuffle(st, x, (size_t)s->count, sizeof *x);
    for (int64_t k = 0; k < s->count; k++) {
        if (strcmp(x[k], s->want_s[k]) != 0) {
            char msg[128];
            snprintf(msg, sizeof msg, "got \"%s\", numpy \"%s\"", x[k],
                     s->want_s[k]);
            free(x);
            fail_at(w, k, msg);
        }
    }
    free(x);
}

static void replay_step(struct where w, struct seq_nprandom *st,
                        enum replay_mode mode)
{
    const struct npv_step *s = &w.c->steps[w.step];
    int64_t n = s->op == NPV_CHOICE ? s->size : s->count;
    double *f = calloc((size_t)n + 1, sizeof *f);
    int64_t *i = calloc((size_t)n + 1, sizeof *i);
    assert_true(f && i);
    struct seq_tensor *t = NULL;

    if (s->op == NPV_SHUFFLE_STRINGS)
        replay_shuffle(w, st, s);
    else if (s->op == NPV_PERMUTATION)
        seq_nprandom_permutation(st, i, (size_t)n);
    else if (s->op == NPV_CHOICE)
        assert_ok(
            seq_nprandom_choice(i, st, s->count, s->size, s->replace, s->p));
    else if (mode == REPLAY_TENSOR && (t = step_tensor(st, s)) != NULL)
        memcpy(t->dtype == SEQ_INT64 ? (void *)i : (void *)f, seq_data(t),
               (size_t)n * sizeof(double));
    else
        step_scalar(st, s, f, i);
    seq_release(t);

    if (s->want_f)
        check_doubles(w, f, s->want_f, n);
    if (s->want_i)
        check_ints(w, i, s->want_i, n);
    free(f);
    free(i);
}

/* Replays every golden case of `group`; the group must exist. */
static void replay_group(const char *group, enum replay_mode mode)
{
    int found = 0;
    for (size_t ci = 0; ci < NPV_NCASES; ci++) {
        const struct npv_case *c = &npv_cases[ci];
        if (strcmp(c->group, group) != 0)
            continue;
        found++;
        struct seq_nprandom st;
        seed_case(&st, c);
        for (int k = 0; k < c->nsteps; k++)
            replay_step((struct where){c, k}, &st, mode);
    }
    if (found == 0)
        fail_msg("no golden cases in group \"%s\"", group);
}

/* ---- the generator itself ---------------------------------------------- */

static void test_seed_gives_numpys_raw_mt19937_words(void **state)
{
    replay_group("u32", REPLAY_SCALAR);
}

static void test_seed_array_matches_numpy_init_by_array(void **state)
{
    replay_group("seed_array", REPLAY_SCALAR);
}

static void test_seed_array_rejects_an_empty_key(void **state)
{
    struct seq_nprandom st;
    uint32_t key[1] = {0};
    assert_fails(seq_nprandom_seed_array(&st, key, 0), SEQ_EINVAL, "non-empty");
}

static void test_seed_forgets_the_cached_gaussian(void **state)
{
    struct seq_nprandom st;
    seq_nprandom_seed(&st, 3);
    double first = seq_nprandom_gauss(&st); /* caches a second value */
    seq_nprandom_seed(&st, 3);
    assert_true(seq_nprandom_gauss(&st) == first);
    seq_nprandom_seed(&st, 3);
    (void)seq_nprandom_gauss(&st);
    assert_ok(seq_nprandom_seed_array(&st, (uint32_t[]){3}, 1));
    assert_false(st.has_gauss);
}

static void test_interval_of_zero_draws_nothing(void **state)
{
    struct seq_nprandom a, b;
    seq_nprandom_seed(&a, 11);
    seq_nprandom_seed(&b, 11);
    assert_int_equal(seq_nprandom_interval(&a, 0), 0);
    assert_int_equal(seq_nprandom_u32(&a), seq_nprandom_u32(&b));
}

static void test_interval_stays_within_its_bound(void **state)
{
    static const uint64_t maxes[] = {
        1,         2, 5, 1000, 0xffffffffu, 0x100000000u, 0x123456789abcdefu,
        UINT64_MAX};
    struct seq_nprandom st;
    seq_nprandom_seed(&st, 99);
    for (size_t m = 0; m < sizeof maxes / sizeof maxes[0]; m++)
        for (int k = 0; k < 200; k++)
            assert_true(seq_nprandom_interval(&st, maxes[m]) <= maxes[m]);
}

/* ---- floats ------------------------------------------------------------ */

static void test_rand_matches_numpy_bit_for_bit(void **state)
{
    replay_group("rand", REPLAY_SCALAR);
    replay_group("rand_long", REPLAY_SCALAR);
}

static void test_randn_with_an_odd_count_matches_numpy(void **state)
{
    replay_group("randn_odd", REPLAY_SCALAR);
}

static void test_randn_with_an_even_count_matches_numpy(void **state)
{
    replay_group("randn_even", REPLAY_SCALAR);
    replay_group("randn_long", REPLAY_SCALAR);
}

static void test_randn_cached_value_survives_interleaved_rand(void **state)
{
    replay_group("randn_interleaved", REPLAY_SCALAR);
}

static void test_uniform_matches_numpy(void **state)
{
    replay_group("uniform", REPLAY_SCALAR);
}

static void test_uniform_rejects_a_range_that_is_not_finite(void **state)
{
    struct seq_nprandom st;
    double x;
    seq_nprandom_seed(&st, 0);
    assert_fails(seq_nprandom_uniform(&x, &st, -1e308, 1e308), SEQ_EINVAL,
                 "uniform: range exceeds valid bounds");
    assert_fails(seq_nprandom_uniform(&x, &st, 0, NAN), SEQ_EINVAL, "uniform");
}

static void test_normal_matches_numpy_and_shares_the_cache(void **state)
{
    replay_group("normal", REPLAY_SCALAR);
}

static void test_normal_rejects_a_negative_scale(void **state)
{
    struct seq_nprandom st;
    double x;
    seq_nprandom_seed(&st, 0);
    assert_fails(seq_nprandom_normal(&x, &st, 0, -1), SEQ_EINVAL,
                 "normal: scale < 0");
    /* numpy tests the sign bit. */
    assert_fails(seq_nprandom_normal(&x, &st, 0, -0.0), SEQ_EINVAL,
                 "scale < 0");
}

/* ---- integers ---------------------------------------------------------- */

static void test_randint_small_ranges_match_numpy(void **state)
{
    replay_group("randint_small", REPLAY_SCALAR);
}

static void test_randint_range_of_one_returns_low_without_drawing(void **state)
{
    replay_group("randint_range_one", REPLAY_SCALAR);
}

static void test_randint_with_negative_low_matches_numpy(void **state)
{
    replay_group("randint_negative", REPLAY_SCALAR);
}

static void test_randint_ranges_beyond_32_bits_match_numpy(void **state)
{
    replay_group("randint_large", REPLAY_SCALAR);
}

static void test_randint_rejects_low_not_below_high(void **state)
{
    struct seq_nprandom st;
    int64_t x;
    seq_nprandom_seed(&st, 0);
    assert_fails(seq_nprandom_randint(&x, &st, 4, 4), SEQ_EINVAL,
                 "randint: low >= high");
    assert_fails(seq_nprandom_randint(&x, &st, 5, -5), SEQ_EINVAL,
                 "low >= high");
}

/* course5.md section 0: np.random.seed(5); randint(0, 9084), as printed by
 * the notebook (independent of the golden file). */
static void test_course_seed_5_randint_draws_the_notebook_values(void **state)
{
    static const int64_t want[] = {2915, 2254, 4079, 3046, 7286};
    struct seq_nprandom st;
    seq_nprandom_seed(&st, 5);
    for (int k = 0; k < 5; k++) {
        int64_t x;
        assert_ok(seq_nprandom_randint(&x, &st, 0, 9084));
        assert_int_equal(x, want[k]);
    }
    replay_group("course_randint", REPLAY_SCALAR);
}

/* ---- shuffles ---------------------------------------------------------- */

static void test_permutation_matches_numpy(void **state)
{
    replay_group("permutation", REPLAY_SCALAR);
}

static void test_shuffle_of_a_string_list_matches_numpy(void **state)
{
    replay_group("shuffle_strings", REPLAY_SCALAR);
}

/* The Dinosaurus Island notebook: np.random.seed(0), then shuffle the 1536
 * lines of dinos.txt; it prints turiasaurus, pandoravenator, ilokelesia,
 * chubutisaurus first, which are lines 1408, 1018, 651 and 303 (0-based)
 * of that file. */
static void
test_course_seed_0_shuffle_of_dinos_puts_turiasaurus_first(void **state)
{
    enum { NDINOS = 1536 };
    static const int64_t want[] = {1408, 1018, 651, 303};
    int64_t lines[NDINOS];
    for (int k = 0; k < NDINOS; k++)
        lines[k] = k;
    struct seq_nprandom st;
    seq_nprandom_seed(&st, 0);
    seq_nprandom_shuffle(&st, lines, NDINOS, sizeof lines[0]);
    for (int k = 0; k < 4; k++)
        assert_int_equal(lines[k], want[k]);
}

/* Elements wider than the swap buffer move whole, exactly as the indices
 * of a permutation drawn from the same seed say. */
static void test_shuffle_moves_wide_elements_whole(void **state)
{
    enum { N = 23, WIDE = 150 };
    static unsigned char x[N][WIDE];
    for (int k = 0; k < N; k++)
        memset(x[k], k + 1, WIDE);
    int64_t perm[N];
    struct seq_nprandom a, b;
    seq_nprandom_seed(&a, 2024);
    seq_nprandom_seed(&b, 2024);
    seq_nprandom_shuffle(&a, x, N, WIDE);
    seq_nprandom_permutation(&b, perm, N);
    for (int k = 0; k < N; k++)
        for (int byte = 0; byte < WIDE; byte++)
            assert_int_equal(x[k][byte], perm[k] + 1);
}

/* ---- choice ------------------------------------------------------------ */

static void test_choice_with_replacement_matches_numpy(void **state)
{
    replay_group("choice_replace", REPLAY_SCALAR);
}

static void test_choice_with_p_matches_numpy(void **state)
{
    replay_group("choice_p", REPLAY_SCALAR);
}

static void test_choice_without_replacement_matches_numpy(void **state)
{
    replay_group("choice_no_replace", REPLAY_SCALAR);
}

static void test_choice_without_replacement_with_p_matches_numpy(void **state)
{
    replay_group("choice_no_replace_p", REPLAY_SCALAR);
}

static void test_choice_rejects_p_that_does_not_sum_to_one(void **state)
{
    struct seq_nprandom st;
    int64_t out[2];
    seq_nprandom_seed(&st, 0);
    assert_fails(
        seq_nprandom_choice(out, &st, 3, 2, true, (double[]){0.5, 0.5, 0.1}),
        SEQ_EINVAL, "choice: probabilities do not sum to 1");
    /* numpy's tolerance is sqrt(eps) ~ 1.49e-8. */
    assert_fails(
        seq_nprandom_choice(out, &st, 2, 2, true, (double[]){0.5, 0.5 + 1e-7}),
        SEQ_EINVAL, "do not sum to 1");
    assert_ok(
        seq_nprandom_choice(out, &st, 2, 2, true, (double[]){0.5, 0.5 + 1e-9}));
}

static void test_choice_rejects_negative_or_nan_p(void **state)
{
    struct seq_nprandom st;
    int64_t out[2];
    seq_nprandom_seed(&st, 0);
    assert_fails(
        seq_nprandom_choice(out, &st, 3, 2, true, (double[]){0.5, 0.7, -0.2}),
        SEQ_EINVAL, "choice: probabilities are not non-negative");
    assert_fails(
        seq_nprandom_choice(out, &st, 2, 2, true, (double[]){NAN, 1.0}),
        SEQ_EINVAL, "choice: probabilities contain NaN");
}

static void
test_choice_rejects_a_sample_larger_than_the_population(void **state)
{
    struct seq_nprandom st;
    int64_t out[4];
    seq_nprandom_seed(&st, 0);
    assert_fails(seq_nprandom_choice(out, &st, 3, 4, false, NULL), SEQ_EINVAL,
                 "choice: cannot take a larger sample than population "
                 "when replace is false");
    assert_fails(
        seq_nprandom_choice(out, &st, 3, 3, false, (double[]){0.5, 0.5, 0.0}),
        SEQ_EINVAL, "fewer non-zero entries in p than size");
    assert_fails(seq_nprandom_choice(out, &st, 0, 1, true, NULL), SEQ_EINVAL,
                 "a must be greater than 0");
}

static void test_rejected_arguments_draw_nothing(void **state)
{
    struct seq_nprandom a, b;
    struct seq_tensor *t = NULL;
    int64_t out[4];
    seq_nprandom_seed(&a, 8);
    seq_nprandom_seed(&b, 8);
    (void)seq_nprandom_gauss(&a); /* leave a gaussian cached in both */
    (void)seq_nprandom_gauss(&b);
    assert_int_not_equal(seq_nprandom_choice(out, &a, 3, 4, false, NULL),
                         SEQ_OK);
    assert_int_not_equal(
        seq_nprandom_choice(out, &a, 2, 1, true, (double[]){0.2, 0.2}), SEQ_OK);
    assert_int_not_equal(
        seq_nprandom_randint_tensor(&t, &a, 1, (int64_t[]){3}, 2, 1), SEQ_OK);
    assert_null(t);
    assert_int_not_equal(
        seq_nprandom_normal_tensor(&t, &a, 1, (int64_t[]){3}, 0, -1), SEQ_OK);
    assert_true(seq_nprandom_gauss(&a) == seq_nprandom_gauss(&b));
    assert_int_equal(seq_nprandom_u32(&a), seq_nprandom_u32(&b));
}

/* ---- tensors ----------------------------------------------------------- */

static void test_rand_tensor_fills_c_order_like_numpy(void **state)
{
    replay_group("rand_2d", REPLAY_TENSOR);
    replay_group("rand_long", REPLAY_TENSOR);
}

static void test_randn_tensor_matches_numpy(void **state)
{
    replay_group("randn_odd", REPLAY_TENSOR);
    replay_group("randn_interleaved", REPLAY_TENSOR);
}

static void test_uniform_and_normal_tensors_match_numpy(void **state)
{
    replay_group("uniform", REPLAY_TENSOR);
    replay_group("normal", REPLAY_TENSOR);
}

static void test_randint_tensor_is_int64_and_matches_numpy(void **state)
{
    replay_group("randint_small", REPLAY_TENSOR);
    replay_group("randint_large", REPLAY_TENSOR);
    replay_group("randint_range_one", REPLAY_TENSOR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_gives_numpys_raw_mt19937_words),
        cmocka_unit_test(test_seed_array_matches_numpy_init_by_array),
        cmocka_unit_test(test_seed_array_rejects_an_empty_key),
        cmocka_unit_test(test_seed_forgets_the_cached_gaussian),
        cmocka_unit_test(test_interval_of_zero_draws_nothing),
        cmocka_unit_test(test_interval_stays_within_its_bound),
        cmocka_unit_test(test_rand_matches_numpy_bit_for_bit),
        cmocka_unit_test(test_randn_with_an_odd_count_matches_numpy),
        cmocka_unit_test(test_randn_with_an_even_count_matches_numpy),
        cmocka_unit_test(test_randn_cached_value_survives_interleaved_rand),
        cmocka_unit_test(test_uniform_matches_numpy),
        cmocka_unit_test(test_uniform_rejects_a_range_that_is_not_finite),
        cmocka_unit_test(test_normal_matches_numpy_and_shares_the_cache),
        cmocka_unit_test(test_normal_rejects_a_negative_scale),
        cmocka_unit_test(test_randint_small_ranges_match_numpy),
        cmocka_unit_test(test_randint_range_of_one_returns_low_without_drawing),
        cmocka_unit_test(test_randint_with_negative_low_matches_numpy),
        cmocka_unit_test(test_randint_ranges_beyond_32_bits_match_numpy),
        cmocka_unit_test(test_randint_rejects_low_not_below_high),
        cmocka_unit_test(test_course_seed_5_randint_draws_the_notebook_values),
        cmocka_unit_test(test_permutation_matches_numpy),
        cmocka_unit_test(test_shuffle_of_a_string_list_matches_numpy),
        cmocka_unit_test(
            test_course_seed_0_shuffle_of_dinos_puts_turiasaurus_first),
        cmocka_unit_test(test_shuffle_moves_wide_elements_whole),
        cmocka_unit_test(test_choice_with_replacement_matches_numpy),
        cmocka_unit_test(test_choice_with_p_matches_numpy),
        cmocka_unit_test(test_choice_without_replacement_matches_numpy),
        cmocka_unit_test(test_choice_without_replacement_with_p_matches_numpy),
        cmocka_unit_test(test_choice_rejects_p_that_does_not_sum_to_one),
        cmocka_unit_test(test_choice_rejects_negative_or_nan_p),
        cmocka_unit_test(
            test_choice_rejects_a_sample_larger_than_the_population),
        cmocka_unit_test(test_rejected_arguments_draw_nothing),
        cmocka_unit_test(test_rand_tensor_fills_c_order_like_numpy),
        cmocka_unit_test(test_randn_tensor_matches_numpy),
        cmocka_unit_test(test_uniform_and_normal_tensors_match_numpy),
        cmocka_unit_test(test_randint_tensor_is_int64_and_matches_numpy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
