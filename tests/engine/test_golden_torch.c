/* test_golden_torch.c — the engine against PyTorch's own numbers.
 *
 * tests/golden/torch_core.txt holds inputs, outputs and gradients computed
 * by PyTorch 1.13 (tests/golden/gen/torch_core.py).  Each test rebuilds one
 * computation from the engine API and compares, in float64 to rtol 1e-10
 * and in float32 to rtol 1e-4.  Tests are rows of one table: a runner for
 * the kind of computation plus the case it reads from the file. */
#include "testutil.h"

#include <stdlib.h>

#include "golden.h"

#define GOLDEN_FILE  "torch_core.txt"
#define NAME_MAX_LEN 128

/* How a dtype is compared and what the generator called it. */
struct precision {
    enum seq_dtype dtype;
    const char *tag; /* "f64": the dtype part of the names in the file */
    double rtol, atol;
};

static const struct precision F64 = {SEQ_FLOAT64, "f64", 1e-10, 1e-12};
static const struct precision F32 = {SEQ_FLOAT32, "f32", 1e-4, 1e-5};

enum transposed { TRANS_NONE, TRANS_A, TRANS_B };

typedef int (*softmax_fn)(struct seq_tensor **out, struct seq_tensor *t,
                          int dim);

struct golden_case;
typedef void (*loss_fn)(struct golden *g, const struct golden_case *c,
                        struct seq_tensor **loss, struct seq_tensor *logits,
                        const struct seq_tensor *target, int64_t ignore);

/* One row of the table: which case of the file, and how to rebuild it. */
struct golden_case {
    const char *what; /* the case's part of the names: "2d" */
    const struct precision *prec;
    bool backward;              /* compare gradients instead of outputs */
    enum transposed transposed; /* matmul: operand used transposed */
    softmax_fn softmax;         /* seq_softmax or seq_log_softmax */
    loss_fn loss;               /* nll_path or cross_entropy_path */
    enum seq_reduction reduction;
    bool ignore; /* one target equals ignore_index */
};

struct fixture {
    struct golden *g;
    const struct golden_case *c;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->c = *state;
    f->g = golden_load(GOLDEN_FILE);
    if (!f->g) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    golden_free(f->g);
    free(f);
    return 0;
}

/* Runs an engine call that writes `out`, fails the test with the engine's
 * message when it fails, and lets the golden set release `out`. */
#define KEEP_OK(g, out, call)                                                  \
    do {                                                                       \
        (out) = NULL;                                                          \
        assert_ok(call);                                                       \
        golden_keep((g), (out));                                               \
    } while (0)

/* ---- names in the file --------------------------------------------------- */

static struct seq_tensor *get(struct golden *g, const char *prefix,
                              const char *role)
{
    char name[NAME_MAX_LEN];
    snprintf(name, sizeof name, "%s%s", prefix, role);
    return golden_get(g, name);
}

static void check(struct golden *g, const struct seq_tensor *t,
                  const char *prefix, const char *role,
                  const struct precision *p)
{
    char name[NAME_MAX_LEN];
    snprintf(name, sizeof name, "%s%s", prefix, role);
    golden_assert_close(g, t, name, p->rtol, p->atol);
}

static struct seq_tensor *
leaf_requiring_grad(struct golden *g, const char *prefix, const char *role)
{
    struct seq_tensor *t = get(g, prefix, role);
    assert_ok(seq_set_requires_grad(t, true));
    return t;
}

/* The generator's objective for a non-scalar result: sum(r * out), so that
 * d/d(out) = r and every gradient below is a vector-Jacobian product. */
static void backward_weighted_sum(struct golden *g, struct seq_tensor *out,
                                  struct seq_tensor *r)
{
    struct seq_tensor *prod, *total;
    KEEP_OK(g, prod, seq_mul(&prod, r, out));
    KEEP_OK(g, total, seq_sum(&total, prod, SEQ_DIM_ALL, false));
    assert_ok(seq_backward(total, NULL, false));
}

/* ---- matmul -------------------------------------------------------------- */

static void run_matmul(void **state)
{
    const struct fixture *f = *state;
    const struct golden_case *c = f->c;
    struct golden *g = f->g;
    char p[NAME_MAX_LEN];
    snprintf(p, sizeof p, "matmul/%s/%s/", c->what, c->prec->tag);

    struct seq_tensor *a = get(g, p, "a"), *b = get(g, p, "b");
    if (c->backward) {
        assert_ok(seq_set_requires_grad(a, true));
        assert_ok(seq_set_requires_grad(b, true));
    }
    /* The stored operand is the untransposed one; the product uses a
     * strided view of it, as a.t() does in PyTorch. */
    struct seq_tensor *lhs = a, *rhs = b, *out;
    if (c->transposed == TRANS_A)
        KEEP_OK(g, lhs, seq_transpose(&lhs, a, 0, 1));
    if (c->transposed == TRANS_B)
        KEEP_OK(g, rhs, seq_transpose(&rhs, b, 0, 1));
    KEEP_OK(g, out, seq_matmul(&out, lhs, rhs));

    if (!c->backward) {
        check(g, out, p, "out", c->prec);
        return;
    }
    backward_weighted_sum(g, out, get(g, p, "r"));
    check(g, a->grad, p, "grad_a", c->prec);
    check(g, b->grad, p, "grad_b", c->prec);
}

/* ---- softmax and log_softmax --------------------------------------------- */

/* Every dim of the (3,4,5) input, each from a fresh leaf. */
static void run_softmax(void **state)
{
    const struct fixture *f = *state;
    const struct golden_case *c = f->c;
    struct golden *g = f->g;
    char xname[NAME_MAX_LEN], p[NAME_MAX_LEN];
    snprintf(xname, sizeof xname, "softmax/%s/", c->prec->tag);

    for (int dim = 0; dim < 3; dim++) {
        snprintf(p, sizeof p, "%s/dim%d/%s/", c->what, dim, c->prec->tag);
        struct seq_tensor *x = get(g, xname, "x"), *out;
        if (c->backward)
            assert_ok(seq_set_requires_grad(x, true));
        KEEP_OK(g, out, c->softmax(&out, x, dim));
        if (!c->backward) {
            check(g, out, p, "out", c->prec);
            continue;
        }
        backward_weighted_sum(g, out, get(g, p, "r"));
        check(g, x->grad, p, "grad_x", c->prec);
    }
}

/* ---- nll_loss and cross_entropy ------------------------------------------ */

static void nll_path(struct golden *g, const struct golden_case *c,
                     struct seq_tensor **loss, struct seq_tensor *logits,
                     const struct seq_tensor *target, int64_t ignore)
{
    struct seq_tensor *logp;
    KEEP_OK(g, logp, seq_log_softmax(&logp, logits, 1));
    KEEP_OK(g, *loss, seq_nll_loss(loss, logp, target, ignore, c->reduction));
}

static void cross_entropy_path(struct golden *g, const struct golden_case *c,
                               struct seq_tensor **loss,
                               struct seq_tensor *logits,
                               const struct seq_tensor *target, int64_t ignore)
{
    KEEP_OK(g, *loss,
            seq_cross_entropy(loss, logits, target, ignore, c->reduction));
}

/* The (6,5) logits against int64 targets; `what` is "nll/mean" etc. */
static void run_loss(void **state)
{
    const struct fixture *f = *state;
    const struct golden_case *c = f->c;
    struct golden *g = f->g;
    char p[NAME_MAX_LEN];
    snprintf(p, sizeof p, "%s/", c->what);

    int64_t n;
    const double *ignore = golden_values(g, "loss/ignore_index", &n);
    assert_int_equal(n, 1);
    struct seq_tensor *logits = get(g, "loss/", "logits"), *loss;
    struct seq_tensor *target =
        get(g, "loss/", c->ignore ? "target_ignored" : "target");
    if (c->backward)
        assert_ok(seq_set_requires_grad(logits, true));
    c->loss(g, c, &loss, logits, target, (int64_t)ignore[0]);

    if (!c->backward) {
        check(g, loss, p, "loss", c->prec);
        return;
    }
    if (c->reduction == SEQ_REDUCE_NONE)
        backward_weighted_sum(g, loss, get(g, "loss/", "w"));
    else
        assert_ok(seq_backward(loss, NULL, false));
    check(g, logits->grad, p, "grad_logits", c->prec);
}

/* ---- a two-layer MLP ----------------------------------------------------- */

/* PyTorch's Linear: y = x @ W.T + b with W (out, in) and b (out). */
static struct seq_tensor *linear(struct golden *g, struct seq_tensor *x,
                                 struct seq_tensor *w, struct seq_tensor *b)
{
    struct seq_tensor *wt, *xw, *y;
    KEEP_OK(g, wt, seq_transpose(&wt, w, 0, 1));
    KEEP_OK(g, xw, seq_matmul(&xw, x, wt));
    KEEP_OK(g, y, seq_add(&y, xw, b));
    return y;
}

/* x (8,5) -> Linear(5,7) -> tanh -> Linear(7,3) -> cross_entropy(mean). */
static void run_mlp(void **state)
{
    const struct fixture *f = *state;
    const struct golden_case *c = f->c;
    struct golden *g = f->g;
    char p[NAME_MAX_LEN];
    snprintf(p, sizeof p, "mlp/%s/", c->prec->tag);

    struct seq_tensor *x = leaf_requiring_grad(g, p, "x");
    struct seq_tensor *w1 = leaf_requiring_grad(g, p, "w1");
    struct seq_tensor *b1 = leaf_requiring_grad(g, p, "b1");
    struct seq_tensor *w2 = leaf_requiring_grad(g, p, "w2");
    struct seq_tensor *b2 = leaf_requiring_grad(g, p, "b2");
    struct seq_tensor *y = get(g, p, "y");

    struct seq_tensor *h, *logits, *loss;
    KEEP_OK(g, h, seq_tanh(&h, linear(g, x, w1, b1))); /* (8,7) */
    logits = linear(g, h, w2, b2);                     /* (8,3) */
    KEEP_OK(g, loss,
            seq_cross_entropy(&loss, logits, y, -100, SEQ_REDUCE_MEAN));

    if (!c->backward) {
        check(g, h, p, "h", c->prec);
        check(g, logits, p, "logits", c->prec);
        check(g, loss, p, "loss", c->prec);
        return;
    }
    assert_ok(seq_backward(loss, NULL, false));
    check(g, w2->grad, p, "grad_w2", c->prec);
    check(g, b2->grad, p, "grad_b2", c->prec);
    check(g, w1->grad, p, "grad_w1", c->prec);
    check(g, b1->grad, p, "grad_b1", c->prec);
    check(g, x->grad, p, "grad_x", c->prec);
}

/* ---- the reader itself --------------------------------------------------- */

static void test_golden_reader_reads_every_dtype_and_a_scalar(void **state)
{
    (void)state;
    static const char text[] = "# a comment\n"
                               "tensor m float64 2 2 3\n"
                               "1 -2.5 3e-3\n"
                               "  4 5 0.1\n"
                               "\n"
                               "tensor s float32 0\n"
                               "0.5\n"
                               "tensor i int64 1 4\n"
                               "0 -100 7 3\n";
    struct golden *g = golden_parse(text, "reader test");
    assert_non_null(g);

    int64_t n;
    const double *m = golden_values(g, "m", &n);
    assert_int_equal(n, 6);
    assert_true(m[1] == -2.5 && m[2] == 3e-3 && m[5] == 0.1);

    struct seq_tensor *s = golden_get(g, "s");
    assert_int_equal(s->dtype, SEQ_FLOAT32);
    assert_int_equal(s->ndim, 0);
    double v;
    assert_ok(seq_item(&v, s));
    assert_true(v == 0.5);

    struct seq_tensor *i = golden_get(g, "i");
    int64_t iv[4];
    assert_int_equal(i->dtype, SEQ_INT64);
    assert_ok(seq_copy_out(iv, SEQ_INT64, i));
    assert_int_equal(iv[1], -100);
    assert_int_equal(iv[2], 7);
    golden_free(g);
}

static void test_golden_reader_rejects_malformed_blocks(void **state)
{
    (void)state;
    /* Two values where (2,2) needs four: the next header is not a number. */
    static const char text[] = "tensor a float64 2 2 2\n1 2\n"
                               "tensor b float64 1 1\n3\n";
    assert_null(golden_parse(text, "short block"));
    assert_null(golden_parse("tensor a float16 1 1\n1\n", "bad dtype"));
    assert_null(golden_parse("tensor a float64 1 3\n1 2\n", "truncated"));
    assert_null(golden_parse("tensor a int64 1 1\n9007199254740993\n",
                             "integer beyond float64"));
}

/* ---- the table ----------------------------------------------------------- */

/* A test named `name` running `runner` on the case given by the
 * designated initializers that follow. */
// clang-format off
#define GOLDEN_TEST(name, runner, ...)                                        \
    {#name, runner, setup, teardown,                                          \
     (void *)&(const struct golden_case){__VA_ARGS__}}
// clang-format on

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_reader_reads_every_dtype_and_a_scalar),
        cmocka_unit_test(test_golden_reader_rejects_malformed_blocks),

        /* matmul, float64 */
        GOLDEN_TEST(test_matmul_2d_matches_torch, run_matmul, .what = "2d",
                    .prec = &F64),
        GOLDEN_TEST(test_matmul_matrix_vector_matches_torch, run_matmul,
                    .what = "matrix_vector", .prec = &F64),
        GOLDEN_TEST(test_matmul_vector_matrix_matches_torch, run_matmul,
                    .what = "vector_matrix", .prec = &F64),
        GOLDEN_TEST(test_matmul_vector_dot_matches_torch, run_matmul,
                    .what = "vector_dot", .prec = &F64),
        GOLDEN_TEST(test_matmul_batched_matches_torch, run_matmul,
                    .what = "batched", .prec = &F64),
        GOLDEN_TEST(test_matmul_batched_broadcast_matches_torch, run_matmul,
                    .what = "batched_broadcast", .prec = &F64),
        GOLDEN_TEST(test_matmul_transposed_lhs_matches_torch, run_matmul,
                    .what = "transposed_a", .prec = &F64,
                    .transposed = TRANS_A),
        GOLDEN_TEST(test_matmul_transposed_rhs_matches_torch, run_matmul,
                    .what = "transposed_b", .prec = &F64,
                    .transposed = TRANS_B),
        GOLDEN_TEST(test_matmul_2d_backward_matches_torch, run_matmul,
                    .what = "2d", .prec = &F64, .backward = true),
        GOLDEN_TEST(test_matmul_matrix_vector_backward_matches_torch,
                    run_matmul, .what = "matrix_vector", .prec = &F64,
                    .backward = true),
        GOLDEN_TEST(test_matmul_vector_matrix_backward_matches_torch,
                    run_matmul, .what = "vector_matrix", .prec = &F64,
                    .backward = true),
        GOLDEN_TEST(test_matmul_vector_dot_backward_matches_torch, run_matmul,
                    .what = "vector_dot", .prec = &F64, .backward = true),
        GOLDEN_TEST(test_matmul_batched_backward_matches_torch, run_matmul,
                    .what = "batched", .prec = &F64, .backward = true),
        GOLDEN_TEST(test_matmul_batched_broadcast_backward_matches_torch,
                    run_matmul, .what = "batched_broadcast", .prec = &F64,
                    .backward = true),
        GOLDEN_TEST(test_matmul_transposed_lhs_backward_matches_torch,
                    run_matmul, .what = "transposed_a", .prec = &F64,
                    .transposed = TRANS_A, .backward = true),
        GOLDEN_TEST(test_matmul_transposed_rhs_backward_matches_torch,
                    run_matmul, .what = "transposed_b", .prec = &F64,
                    .transposed = TRANS_B, .backward = true),

        /* matmul, float32 */
        GOLDEN_TEST(test_matmul_2d_matches_torch_float32, run_matmul,
                    .what = "2d", .prec = &F32),
        GOLDEN_TEST(test_matmul_matrix_vector_matches_torch_float32, run_matmul,
                    .what = "matrix_vector", .prec = &F32),
        GOLDEN_TEST(test_matmul_vector_matrix_matches_torch_float32, run_matmul,
                    .what = "vector_matrix", .prec = &F32),
        GOLDEN_TEST(test_matmul_vector_dot_matches_torch_float32, run_matmul,
                    .what = "vector_dot", .prec = &F32),
        GOLDEN_TEST(test_matmul_batched_matches_torch_float32, run_matmul,
                    .what = "batched", .prec = &F32),
        GOLDEN_TEST(test_matmul_batched_broadcast_matches_torch_float32,
                    run_matmul, .what = "batched_broadcast", .prec = &F32),
        GOLDEN_TEST(test_matmul_transposed_lhs_matches_torch_float32,
                    run_matmul, .what = "transposed_a", .prec = &F32,
                    .transposed = TRANS_A),
        GOLDEN_TEST(test_matmul_transposed_rhs_matches_torch_float32,
                    run_matmul, .what = "transposed_b", .prec = &F32,
                    .transposed = TRANS_B),
        GOLDEN_TEST(test_matmul_2d_backward_matches_torch_float32, run_matmul,
                    .what = "2d", .prec = &F32, .backward = true),
        GOLDEN_TEST(test_matmul_matrix_vector_backward_matches_torch_float32,
                    run_matmul, .what = "matrix_vector", .prec = &F32,
                    .backward = true),
        GOLDEN_TEST(test_matmul_vector_matrix_backward_matches_torch_float32,
                    run_matmul, .what = "vector_matrix", .prec = &F32,
                    .backward = true),
        GOLDEN_TEST(test_matmul_vector_dot_backward_matches_torch_float32,
                    run_matmul, .what = "vector_dot", .prec = &F32,
                    .backward = true),
        GOLDEN_TEST(test_matmul_batched_backward_matches_torch_float32,
                    run_matmul, .what = "batched", .prec = &F32,
                    .backward = true),
        GOLDEN_TEST(
            test_matmul_batched_broadcast_backward_matches_torch_float32,
            run_matmul, .what = "batched_broadcast", .prec = &F32,
            .backward = true),
        GOLDEN_TEST(test_matmul_transposed_lhs_backward_matches_torch_float32,
                    run_matmul, .what = "transposed_a", .prec = &F32,
                    .transposed = TRANS_A, .backward = true),
        GOLDEN_TEST(test_matmul_transposed_rhs_backward_matches_torch_float32,
                    run_matmul, .what = "transposed_b", .prec = &F32,
                    .transposed = TRANS_B, .backward = true),

        /* softmax and log_softmax along dims 0, 1 and 2 of a (3,4,5) */
        GOLDEN_TEST(test_softmax_matches_torch_along_every_dim, run_softmax,
                    .what = "softmax", .prec = &F64, .softmax = seq_softmax),
        GOLDEN_TEST(test_softmax_backward_matches_torch_along_every_dim,
                    run_softmax, .what = "softmax", .prec = &F64,
                    .softmax = seq_softmax, .backward = true),
        GOLDEN_TEST(test_log_softmax_matches_torch_along_every_dim, run_softmax,
                    .what = "log_softmax", .prec = &F64,
                    .softmax = seq_log_softmax),
        GOLDEN_TEST(test_log_softmax_backward_matches_torch_along_every_dim,
                    run_softmax, .what = "log_softmax", .prec = &F64,
                    .softmax = seq_log_softmax, .backward = true),
        GOLDEN_TEST(test_softmax_matches_torch_float32, run_softmax,
                    .what = "softmax", .prec = &F32, .softmax = seq_softmax),
        GOLDEN_TEST(test_softmax_backward_matches_torch_float32, run_softmax,
                    .what = "softmax", .prec = &F32, .softmax = seq_softmax,
                    .backward = true),
        GOLDEN_TEST(test_log_softmax_matches_torch_float32, run_softmax,
                    .what = "log_softmax", .prec = &F32,
                    .softmax = seq_log_softmax),
        GOLDEN_TEST(test_log_softmax_backward_matches_torch_float32,
                    run_softmax, .what = "log_softmax", .prec = &F32,
                    .softmax = seq_log_softmax, .backward = true),

        /* log_softmax + nll_loss on (6,5) logits */
        GOLDEN_TEST(test_nll_loss_mean_matches_torch, run_loss,
                    .what = "nll/mean", .prec = &F64, .loss = nll_path,
                    .reduction = SEQ_REDUCE_MEAN),
        GOLDEN_TEST(test_nll_loss_sum_matches_torch, run_loss,
                    .what = "nll/sum", .prec = &F64, .loss = nll_path,
                    .reduction = SEQ_REDUCE_SUM),
        GOLDEN_TEST(test_nll_loss_none_matches_torch, run_loss,
                    .what = "nll/none", .prec = &F64, .loss = nll_path,
                    .reduction = SEQ_REDUCE_NONE),
        GOLDEN_TEST(test_nll_loss_mean_skips_ignored_target_like_torch,
                    run_loss, .what = "nll/ignore_mean", .prec = &F64,
                    .loss = nll_path, .reduction = SEQ_REDUCE_MEAN,
                    .ignore = true),
        GOLDEN_TEST(test_nll_loss_none_zeroes_ignored_target_like_torch,
                    run_loss, .what = "nll/ignore_none", .prec = &F64,
                    .loss = nll_path, .reduction = SEQ_REDUCE_NONE,
                    .ignore = true),
        GOLDEN_TEST(test_nll_loss_mean_backward_matches_torch, run_loss,
                    .what = "nll/mean", .prec = &F64, .loss = nll_path,
                    .reduction = SEQ_REDUCE_MEAN, .backward = true),
        GOLDEN_TEST(test_nll_loss_sum_backward_matches_torch, run_loss,
                    .what = "nll/sum", .prec = &F64, .loss = nll_path,
                    .reduction = SEQ_REDUCE_SUM, .backward = true),
        GOLDEN_TEST(test_nll_loss_none_backward_matches_torch, run_loss,
                    .what = "nll/none", .prec = &F64, .loss = nll_path,
                    .reduction = SEQ_REDUCE_NONE, .backward = true),
        GOLDEN_TEST(test_nll_loss_ignored_mean_backward_matches_torch, run_loss,
                    .what = "nll/ignore_mean", .prec = &F64, .loss = nll_path,
                    .reduction = SEQ_REDUCE_MEAN, .ignore = true,
                    .backward = true),
        GOLDEN_TEST(test_nll_loss_ignored_none_backward_matches_torch, run_loss,
                    .what = "nll/ignore_none", .prec = &F64, .loss = nll_path,
                    .reduction = SEQ_REDUCE_NONE, .ignore = true,
                    .backward = true),

        /* cross_entropy on the same logits */
        GOLDEN_TEST(test_cross_entropy_mean_matches_torch, run_loss,
                    .what = "cross_entropy/mean", .prec = &F64,
                    .loss = cross_entropy_path, .reduction = SEQ_REDUCE_MEAN),
        GOLDEN_TEST(test_cross_entropy_sum_matches_torch, run_loss,
                    .what = "cross_entropy/sum", .prec = &F64,
                    .loss = cross_entropy_path, .reduction = SEQ_REDUCE_SUM),
        GOLDEN_TEST(test_cross_entropy_none_matches_torch, run_loss,
                    .what = "cross_entropy/none", .prec = &F64,
                    .loss = cross_entropy_path, .reduction = SEQ_REDUCE_NONE),
        GOLDEN_TEST(test_cross_entropy_mean_skips_ignored_target_like_torch,
                    run_loss, .what = "cross_entropy/ignore_mean", .prec = &F64,
                    .loss = cross_entropy_path, .reduction = SEQ_REDUCE_MEAN,
                    .ignore = true),
        GOLDEN_TEST(test_cross_entropy_none_zeroes_ignored_target_like_torch,
                    run_loss, .what = "cross_entropy/ignore_none", .prec = &F64,
                    .loss = cross_entropy_path, .reduction = SEQ_REDUCE_NONE,
                    .ignore = true),
        GOLDEN_TEST(test_cross_entropy_mean_backward_matches_torch, run_loss,
                    .what = "cross_entropy/mean", .prec = &F64,
                    .loss = cross_entropy_path, .reduction = SEQ_REDUCE_MEAN,
                    .backward = true),
        GOLDEN_TEST(test_cross_entropy_sum_backward_matches_torch, run_loss,
                    .what = "cross_entropy/sum", .prec = &F64,
                    .loss = cross_entropy_path, .reduction = SEQ_REDUCE_SUM,
                    .backward = true),
        GOLDEN_TEST(test_cross_entropy_none_backward_matches_torch, run_loss,
                    .what = "cross_entropy/none", .prec = &F64,
                    .loss = cross_entropy_path, .reduction = SEQ_REDUCE_NONE,
                    .backward = true),
        GOLDEN_TEST(test_cross_entropy_ignored_mean_backward_matches_torch,
                    run_loss, .what = "cross_entropy/ignore_mean", .prec = &F64,
                    .loss = cross_entropy_path, .reduction = SEQ_REDUCE_MEAN,
                    .ignore = true, .backward = true),
        GOLDEN_TEST(test_cross_entropy_ignored_none_backward_matches_torch,
                    run_loss, .what = "cross_entropy/ignore_none", .prec = &F64,
                    .loss = cross_entropy_path, .reduction = SEQ_REDUCE_NONE,
                    .ignore = true, .backward = true),

        /* the two-layer MLP */
        GOLDEN_TEST(test_mlp_forward_matches_torch, run_mlp, .prec = &F64),
        GOLDEN_TEST(test_mlp_backward_matches_torch, run_mlp, .prec = &F64,
                    .backward = true),
        GOLDEN_TEST(test_mlp_forward_matches_torch_float32, run_mlp,
                    .prec = &F32),
        GOLDEN_TEST(test_mlp_backward_matches_torch_float32, run_mlp,
                    .prec = &F32, .backward = true),
    };
    return cmocka_run_group_tests_name("golden_torch", tests, NULL, NULL);
}
