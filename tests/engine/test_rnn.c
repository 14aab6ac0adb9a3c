/* test_rnn.c — the fused RNN, LSTM and GRU kernels (seq/rnn.h).
 *
 *  - against PyTorch 1.13 (tests/golden/torch_rnn.txt, written by
 *    tests/golden/gen/torch_rnn.py): outputs, final states and the gradient
 *    of every input, float64 and float32, with and without initial state;
 *  - float64 gradchecks of every input, forward and reverse;
 *  - equivalence with the same cell stepped with engine ops (matmul,
 *    sigmoid, tanh, ...), and reverse == forward on the time-flipped input;
 *  - argument errors, cancellation, grad mode and memory. */
#include "testutil.h"

#include <stdlib.h>

#include "golden.h"
#include "gradcheck.h"
#include "seq/rnn.h"

#define GOLDEN_FILE  "torch_rnn.txt"
#define NAME_MAX_LEN 128

/* The engine's goto-fail helper, for the reference computations here. */
#define TRY(expr)                                                              \
    do {                                                                       \
        if ((st = (expr)) != SEQ_OK)                                           \
            goto fail;                                                         \
    } while (0)

enum kind { RNN_TANH, RNN_RELU, LSTM, GRU };

static const char *const kind_name[] = {"rnn_tanh", "rnn_relu", "lstm", "gru"};
static const int kind_gates[] = {1, 1, 4, 3};

/* The seven inputs in the order the kernels take them; any but x and the
 * weights may be NULL. */
enum { X, H0, C0, WIH, WHH, BIH, BHH, NIN };
static const char *const in_role[NIN] = {"x",    "h0",   "c0",  "w_ih",
                                         "w_hh", "b_ih", "b_hh"};

struct outs {
    struct seq_tensor *y, *h, *c;
};

static int run_kernel(enum kind k, bool reverse, struct seq_tensor *const *in,
                      struct outs *o)
{
    o->c = NULL;
    switch (k) {
    case RNN_TANH:
    case RNN_RELU:
        return seq_rnn(&o->y, &o->h, in[X], in[H0], in[WIH], in[WHH], in[BIH],
                       in[BHH], k == RNN_RELU ? SEQ_RNN_RELU : SEQ_RNN_TANH,
                       reverse);
    case LSTM:
        return seq_lstm(&o->y, &o->h, &o->c, in[X], in[H0], in[C0], in[WIH],
                        in[WHH], in[BIH], in[BHH], reverse);
    default:
        return seq_gru(&o->y, &o->h, in[X], in[H0], in[WIH], in[WHH], in[BIH],
                       in[BHH], reverse);
    }
}

static void outs_release(struct outs *o)
{
    seq_release(o->y);
    seq_release(o->h);
    seq_release(o->c);
    o->y = o->h = o->c = NULL;
}

/* Random float64 leaves for a cell: x (T, N, D), states (N, H), weights
 * and biases; c0 only for the LSTM.  Values in [-1, 1]. */
static void make_inputs(struct seq_tensor **in, struct gc_rng *r, enum kind k,
                        int64_t T, int64_t N, int64_t D, int64_t H)
{
    int64_t GH = kind_gates[k] * H;
    in[X] = gc_uniform(r, GC_SHAPE(T, N, D), -1, 1);
    in[H0] = gc_uniform(r, GC_SHAPE(N, H), -1, 1);
    in[C0] = k == LSTM ? gc_uniform(r, GC_SHAPE(N, H), -1, 1) : NULL;
    in[WIH] = gc_uniform(r, GC_SHAPE(GH, D), -0.8, 0.8);
    in[WHH] = gc_uniform(r, GC_SHAPE(GH, H), -0.8, 0.8);
    in[BIH] = gc_uniform(r, GC_SHAPE(GH), -0.5, 0.5);
    in[BHH] = gc_uniform(r, GC_SHAPE(GH), -0.5, 0.5);
}

/* sum(r_y * y) + sum(r_h * h) (+ sum(r_c * c)) as one scalar, recorded. */
static int objective(struct seq_tensor **out, const struct outs *o,
                     struct seq_tensor *const *r)
{
    struct seq_tensor *parts[3] = {o->y, o->h, o->c}, *total = NULL;
    int st = SEQ_OK;
    for (int i = 0; i < 3 && parts[i]; i++) {
        struct seq_tensor *p = NULL, *s = NULL, *t = NULL;
        TRY(seq_mul(&p, parts[i], r[i]));
        st = seq_sum(&s, p, SEQ_DIM_ALL, false);
        seq_release(p);
        TRY(st);
        if (total) {
            st = seq_add(&t, total, s);
            seq_release(s);
            seq_release(total);
            total = t;
            TRY(st);
        } else {
            total = s;
        }
    }
    *out = total;
    return SEQ_OK;
fail:
    seq_release(total);
    return st;
}

/* ---- PyTorch goldens ----------------------------------------------------- */

struct precision {
    const char *tag;
    double rtol, atol;
};
static const struct precision F64 = {"f64", 1e-10, 1e-12};
static const struct precision F32 = {"f32", 1e-4, 1e-5};

struct golden_case {
    enum kind kind;
    const char *what; /* "state", "zero", "n1", "nobias" */
    const struct precision *prec;
    bool state, bias;
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

static struct seq_tensor *golden_role(struct golden *g, const char *prefix,
                                      const char *role)
{
    char name[2 * NAME_MAX_LEN];
    snprintf(name, sizeof name, "%s%s", prefix, role);
    return golden_get(g, name);
}

static void check_role(struct golden *g, const struct seq_tensor *t,
                       const char *prefix, const char *role,
                       const struct precision *p)
{
    char name[2 * NAME_MAX_LEN];
    snprintf(name, sizeof name, "%s%s", prefix, role);
    if (!t)
        fail_msg("%s: no tensor (no gradient reached it?)", name);
    golden_assert_close(g, t, name, p->rtol, p->atol);
}

static void run_golden(void **state)
{
    const struct fixture *f = *state;
    const struct golden_case *c = f->c;
    struct golden *g = f->g;
    char p[NAME_MAX_LEN];
    snprintf(p, sizeof p, "rnn/%s/%s/%s/", kind_name[c->kind], c->what,
             c->prec->tag);
    bool lstm = c->kind == LSTM;

    struct seq_tensor *in[NIN] = {NULL};
    for (int i = 0; i < NIN; i++) {
        if ((i == H0 || i == C0) && !c->state)
            continue;
        if (i == C0 && !lstm)
            continue;
        if ((i == BIH || i == BHH) && !c->bias)
            continue;
        in[i] = golden_role(g, p, in_role[i]);
        assert_ok(seq_set_requires_grad(in[i], true));
    }
    struct outs o = {0};
    assert_ok(run_kernel(c->kind, false, in, &o));
    golden_keep(g, o.y);
    golden_keep(g, o.h);
    golden_keep(g, o.c);
    check_role(g, o.y, p, "y", c->prec);
    check_role(g, o.h, p, "h_n", c->prec);
    if (lstm)
        check_role(g, o.c, p, "c_n", c->prec);

    struct seq_tensor *r[3] = {golden_role(g, p, "r_y"),
                               golden_role(g, p, "r_h"),
                               lstm ? golden_role(g, p, "r_c") : NULL};
    struct seq_tensor *loss = NULL;
    assert_ok(objective(&loss, &o, r));
    golden_keep(g, loss);
    assert_ok(seq_backward(loss, NULL, false));
    for (int i = 0; i < NIN; i++) {
        if (!in[i])
            continue;
        char role[32];
        snprintf(role, sizeof role, "grad_%s", in_role[i]);
        check_role(g, in[i]->grad, p, role, c->prec);
    }
}

/* ---- gradcheck ----------------------------------------------------------- */

struct gc_ctx {
    enum kind kind;
    bool reverse;
};

/* The gradcheck inputs are the present slots of in[] packed in order; the
 * output is y, h_T (and c_T) flattened into one vector, so the random
 * projection covers every output. */
static int f_kernel(struct seq_tensor **out, struct seq_tensor *const *leaves,
                    const void *vctx)
{
    const struct gc_ctx *ctx = vctx;
    struct seq_tensor *in[NIN] = {NULL}, *flat[3] = {NULL};
    int j = 0;
    for (int i = 0; i < NIN; i++)
        if (i != C0 || ctx->kind == LSTM)
            in[i] = leaves[j++];
    struct outs o = {0};
    int st = run_kernel(ctx->kind, ctx->reverse, in, &o);
    if (st)
        return st;
    struct seq_tensor *parts[3] = {o.y, o.h, o.c};
    int n = o.c ? 3 : 2;
    int64_t minus1[1] = {-1};
    for (int i = 0; i < n; i++)
        TRY(seq_reshape(&flat[i], parts[i], 1, minus1));
    TRY(seq_cat(out, n, flat, 0));
fail:
    for (int i = 0; i < 3; i++)
        seq_release(flat[i]);
    outs_release(&o);
    return st;
}

static void check_kernel_gradient(enum kind k, bool reverse, uint64_t seed)
{
    struct gc_rng r;
    gc_seed(&r, seed);
    struct seq_tensor *in[NIN], *leaves[NIN];
    make_inputs(in, &r, k, 4, 2, 3, 3);
    int n = 0;
    for (int i = 0; i < NIN; i++)
        if (in[i])
            leaves[n++] = in[i];
    struct gc_ctx ctx = {k, reverse};
    gradcheck(f_kernel, &ctx, n, leaves);
    gc_release_all(NIN, in);
}

static void test_rnn_tanh_gradients_match_numerical(void **state)
{
    check_kernel_gradient(RNN_TANH, false, 11);
}

static void test_rnn_relu_gradients_match_numerical(void **state)
{
    check_kernel_gradient(RNN_RELU, false, 12);
}

static void test_lstm_gradients_match_numerical(void **state)
{
    check_kernel_gradient(LSTM, false, 13);
}

static void test_gru_gradients_match_numerical(void **state)
{
    check_kernel_gradient(GRU, false, 14);
}

static void test_reverse_rnn_gradients_match_numerical(void **state)
{
    check_kernel_gradient(RNN_TANH, true, 15);
}

static void test_reverse_lstm_gradients_match_numerical(void **state)
{
    check_kernel_gradient(LSTM, true, 16);
}

static void test_reverse_gru_gradients_match_numerical(void **state)
{
    check_kernel_gradient(GRU, true, 17);
}

/* ---- equivalence with engine ops ----------------------------------------- */

/* a @ w^T + b, recorded. */
static int linear(struct seq_tensor **out, struct seq_tensor *a,
                  struct seq_tensor *w, struct seq_tensor *b)
{
    struct seq_tensor *wt = NULL, *m = NULL;
    int st = SEQ_OK;
    TRY(seq_transpose(&wt, w, 0, 1));
    TRY(seq_matmul(&m, a, wt));
    TRY(seq_add(out, m, b));
fail:
    seq_release(wt);
    seq_release(m);
    return st;
}

/* Gate block j of a (N, G*H) pre-activation. */
static int gate(struct seq_tensor **out, struct seq_tensor *a, int j, int64_t H)
{
    return seq_narrow(out, a, 1, j * H, H);
}

/* Releases the listed temporaries of one step. */
static void drop(int n, struct seq_tensor **ts)
{
    for (int i = 0; i < n; i++) {
        seq_release(ts[i]);
        ts[i] = NULL;
    }
}

/* One step of each cell from engine ops, PyTorch's equations. */
static int reference_step(enum kind k, struct seq_tensor **h,
                          struct seq_tensor **c, struct seq_tensor *xt,
                          struct seq_tensor *const *in, int64_t H)
{
    struct seq_tensor *v[17] = {NULL};
    int st = SEQ_OK;
    struct seq_tensor *hp = *h, *cp = *c;
    if (k == RNN_TANH || k == RNN_RELU) {
        TRY(linear(&v[0], xt, in[WIH], in[BIH]));
        TRY(linear(&v[1], hp, in[WHH], in[BHH]));
        TRY(seq_add(&v[2], v[0], v[1]));
        TRY(k == RNN_TANH ? seq_tanh(h, v[2]) : seq_relu(h, v[2]));
    } else if (k == LSTM) {
        TRY(linear(&v[0], xt, in[WIH], in[BIH]));
        TRY(linear(&v[1], hp, in[WHH], in[BHH]));
        TRY(seq_add(&v[2], v[0], v[1]));
        TRY(gate(&v[3], v[2], 0, H));
        TRY(gate(&v[4], v[2], 1, H));
        TRY(gate(&v[5], v[2], 2, H));
        TRY(gate(&v[6], v[2], 3, H));
        TRY(seq_sigmoid(&v[7], v[3]));  /* i */
        TRY(seq_sigmoid(&v[8], v[4]));  /* f */
        TRY(seq_tanh(&v[9], v[5]));     /* g */
        TRY(seq_sigmoid(&v[10], v[6])); /* o */
        TRY(seq_mul(&v[11], v[8], cp));
        TRY(seq_mul(&v[12], v[7], v[9]));
        TRY(seq_add(c, v[11], v[12]));
        TRY(seq_tanh(&v[13], *c));
        TRY(seq_mul(h, v[10], v[13]));
    } else {
        TRY(linear(&v[0], xt, in[WIH], in[BIH]));
        TRY(linear(&v[1], hp, in[WHH], in[BHH]));
        TRY(gate(&v[2], v[0], 0, H));
        TRY(gate(&v[3], v[1], 0, H));
        TRY(seq_add(&v[4], v[2], v[3]));
        TRY(seq_sigmoid(&v[5], v[4])); /* r */
        TRY(gate(&v[6], v[0], 1, H));
        TRY(gate(&v[7], v[1], 1, H));
        TRY(seq_add(&v[8], v[6], v[7]));
        TRY(seq_sigmoid(&v[9], v[8])); /* z */
        TRY(gate(&v[10], v[0], 2, H));
        TRY(gate(&v[11], v[1], 2, H));
        TRY(seq_mul(&v[12], v[5], v[11]));
        TRY(seq_add(&v[13], v[10], v[12]));
        TRY(seq_tanh(&v[14], v[13])); /* n */
        /* h = (1 - z) n + z h_prev = n + z (h_prev - n) */
        TRY(seq_sub(&v[15], hp, v[14]));
        TRY(seq_mul(&v[16], v[9], v[15]));
        TRY(seq_add(h, v[14], v[16]));
    }
fail:
    drop(17, v);
    if (*h != hp)
        seq_release(hp);
    if (*c != cp)
        seq_release(cp);
    return st;
}

/* The whole sequence stepped with engine ops: y (T, N, H), h_T, c_T. */
static int reference_run(enum kind k, bool reverse,
                         struct seq_tensor *const *in, struct outs *o)
{
    int64_t T = in[X]->shape[0], H = in[WHH]->shape[1];
    struct seq_tensor **ys = calloc((size_t)T, sizeof *ys);
    struct seq_tensor *h = seq_retain(in[H0]), *c = seq_retain(in[C0]),
                      *xt = NULL;
    int st = SEQ_OK;
    if (!ys)
        return SEQ_ENOMEM;
    for (int64_t s = 0; s < T; s++) {
        int64_t t = reverse ? T - 1 - s : s;
        TRY(seq_select(&xt, in[X], 0, t));
        TRY(reference_step(k, &h, &c, xt, in, H));
        seq_release(xt);
        xt = NULL;
        ys[t] = seq_retain(h);
    }
    TRY(seq_stack(&o->y, (int)T, ys, 0));
    o->h = h;
    o->c = k == LSTM ? c : NULL;
    if (k != LSTM)
        seq_release(c);
    h = c = NULL;
fail:
    for (int64_t t = 0; t < T; t++)
        seq_release(ys[t]);
    free(ys);
    seq_release(xt);
    seq_release(h);
    seq_release(c);
    return st;
}

/* The output gradients r_y, r_h, r_c shaped like o's outputs. */
static void make_projections(struct seq_tensor **r, struct gc_rng *rng,
                             const struct outs *o)
{
    struct seq_tensor *parts[3] = {o->y, o->h, o->c};
    for (int i = 0; i < 3; i++)
        r[i] = parts[i]
                   ? gc_uniform(rng, parts[i]->ndim, parts[i]->shape, -1, 1)
                   : NULL;
}

/* Forward and every gradient of the fused kernel against the reference. */
static void check_equivalence(enum kind k, bool reverse, int64_t N)
{
    struct gc_rng rng;
    gc_seed(&rng, 100 + (uint64_t)k * 7 + (uint64_t)N + reverse);
    struct seq_tensor *in[NIN], *r[3], *loss = NULL;
    make_inputs(in, &rng, k, 5, N, 4, 3);
    double *want[NIN] = {NULL};
    struct outs ref = {0}, got = {0};

    assert_ok(reference_run(k, reverse, in, &ref));
    make_projections(r, &rng, &ref);
    assert_ok(objective(&loss, &ref, r));
    assert_ok(seq_backward(loss, NULL, false));
    seq_release(loss);
    for (int i = 0; i < NIN; i++) {
        if (!in[i])
            continue;
        want[i] = malloc(sizeof(double) * (size_t)seq_numel(in[i]));
        assert_non_null(want[i]);
        assert_ok(seq_copy_out(want[i], SEQ_FLOAT64, in[i]->grad));
        seq_zero_grad(in[i]);
    }
    double *wy = malloc(sizeof(double) * (size_t)seq_numel(ref.y));
    double *wh = malloc(sizeof(double) * (size_t)seq_numel(ref.h));
    assert_ok(seq_copy_out(wy, SEQ_FLOAT64, ref.y));
    assert_ok(seq_copy_out(wh, SEQ_FLOAT64, ref.h));

    assert_ok(run_kernel(k, reverse, in, &got));
    assert_tensor_close(got.y, wy, seq_numel(ref.y), 1e-12, 1e-13);
    assert_tensor_close(got.h, wh, seq_numel(ref.h), 1e-12, 1e-13);
    if (k == LSTM) {
        double *wc = malloc(sizeof(double) * (size_t)seq_numel(ref.c));
        assert_ok(seq_copy_out(wc, SEQ_FLOAT64, ref.c));
        assert_tensor_close(got.c, wc, seq_numel(ref.c), 1e-12, 1e-13);
        free(wc);
    }
    assert_ok(objective(&loss, &got, r));
    assert_ok(seq_backward(loss, NULL, false));
    for (int i = 0; i < NIN; i++)
        if (in[i]) {
            assert_non_null(in[i]->grad);
            assert_tensor_close(in[i]->grad, want[i], seq_numel(in[i]), 1e-11,
                                1e-12);
        }
    seq_release(loss);
    for (int i = 0; i < NIN; i++)
        free(want[i]);
    free(wy);
    free(wh);
    outs_release(&ref);
    outs_release(&got);
    gc_release_all(3, r);
    gc_release_all(NIN, in);
}

static void test_rnn_tanh_equals_stepping_the_cell_with_engine_ops(void **s)
{
    check_equivalence(RNN_TANH, false, 3);
}

static void test_rnn_relu_equals_stepping_the_cell_with_engine_ops(void **s)
{
    check_equivalence(RNN_RELU, false, 3);
}

static void test_lstm_equals_stepping_the_cell_with_engine_ops(void **s)
{
    check_equivalence(LSTM, false, 3);
}

static void test_gru_equals_stepping_the_cell_with_engine_ops(void **s)
{
    check_equivalence(GRU, false, 3);
}

static void test_batch_of_one_equals_stepping_the_cell(void **s)
{
    /* N == 1 takes the GEMV path in every per-step product */
    check_equivalence(LSTM, false, 1);
    check_equivalence(GRU, false, 1);
    check_equivalence(RNN_TANH, false, 1);
}

static void test_reverse_equals_stepping_the_cell_backwards(void **s)
{
    check_equivalence(LSTM, true, 2);
    check_equivalence(GRU, true, 2);
    check_equivalence(RNN_RELU, true, 2);
}

/* reverse = true on x equals reverse = false on x flipped in time, with y
 * flipped back; gradients agree the same way. */
static void check_reverse_is_flip(enum kind k)
{
    struct gc_rng rng;
    gc_seed(&rng, 300 + (uint64_t)k);
    const int64_t T = 6;
    struct seq_tensor *in[NIN], *fin[NIN], *r[3], *rf[3] = {NULL}, *loss;
    make_inputs(in, &rng, k, T, 2, 3, 4);
    int64_t rev_idx[6] = {5, 4, 3, 2, 1, 0};
    struct seq_tensor *idx = gc_index(GC_SHAPE(T), rev_idx);
    struct seq_tensor *xf = NULL, *yback = NULL;

    /* the flipped run uses its own leaves holding the same values */
    for (int i = 0; i < NIN; i++) {
        fin[i] = NULL;
        if (!in[i])
            continue;
        struct seq_tensor *d = NULL;
        assert_ok(seq_detach(&d, in[i]));
        assert_ok(seq_clone(&fin[i], d));
        seq_release(d);
        assert_ok(seq_set_requires_grad(fin[i], true));
    }
    assert_ok(seq_index_select(&xf, fin[X], 0, idx));

    struct outs a = {0}, b = {0};
    assert_ok(run_kernel(k, true, in, &a));
    struct seq_tensor *bin[NIN];
    memcpy(bin, fin, sizeof bin);
    bin[X] = xf;
    assert_ok(run_kernel(k, false, bin, &b));
    assert_ok(seq_index_select(&yback, b.y, 0, idx));

    double *v = malloc(sizeof(double) * (size_t)seq_numel(a.y));
    assert_ok(seq_copy_out(v, SEQ_FLOAT64, yback));
    assert_tensor_close(a.y, v, seq_numel(a.y), 1e-13, 1e-14);
    assert_ok(seq_copy_out(v, SEQ_FLOAT64, b.h));
    assert_tensor_close(a.h, v, seq_numel(a.h), 1e-13, 1e-14);

    make_projections(r, &rng, &a);
    assert_ok(seq_index_select(&rf[0], r[0], 0, idx));
    rf[1] = seq_retain(r[1]);
    rf[2] = seq_retain(r[2]);
    assert_ok(objective(&loss, &a, r));
    assert_ok(seq_backward(loss, NULL, false));
    seq_release(loss);
    assert_ok(objective(&loss, &b, rf));
    assert_ok(seq_backward(loss, NULL, false));
    seq_release(loss);
    for (int i = 0; i < NIN; i++) {
        if (!in[i])
            continue;
        int64_t n = seq_numel(in[i]);
        double *w = malloc(sizeof(double) * (size_t)n);
        assert_ok(seq_copy_out(w, SEQ_FLOAT64, fin[i]->grad));
        assert_tensor_close(in[i]->grad, w, n, 1e-12, 1e-13);
        free(w);
    }
    free(v);
    outs_release(&a);
    outs_release(&b);
    seq_release(xf);
    seq_release(yback);
    seq_release(idx);
    gc_release_all(3, r);
    gc_release_all(3, rf);
    gc_release_all(NIN, in);
    gc_release_all(NIN, fin);
}

static void test_reverse_equals_forward_on_the_flipped_sequence(void **s)
{
    check_reverse_is_flip(RNN_TANH);
    check_reverse_is_flip(LSTM);
    check_reverse_is_flip(GRU);
}

/* ---- behaviour ----------------------------------------------------------- */

static void test_missing_state_means_zeros(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 400);
    struct seq_tensor *in[NIN], *zeros[NIN];
    make_inputs(in, &rng, LSTM, 3, 2, 3, 4);
    memcpy(zeros, in, sizeof zeros);
    assert_ok(seq_zeros_like(&zeros[H0], in[H0]));
    assert_ok(seq_zeros_like(&zeros[C0], in[C0]));
    struct seq_tensor *none[NIN];
    memcpy(none, in, sizeof none);
    none[H0] = none[C0] = NULL;
    struct outs a = {0}, b = {0};
    assert_ok(run_kernel(LSTM, false, zeros, &a));
    assert_ok(run_kernel(LSTM, false, none, &b));
    double v[3 * 2 * 4];
    assert_ok(seq_copy_out(v, SEQ_FLOAT64, a.y));
    assert_tensor_close(b.y, v, 24, 0, 0);
    assert_ok(seq_copy_out(v, SEQ_FLOAT64, a.c));
    assert_tensor_close(b.c, v, 8, 0, 0);
    outs_release(&a);
    outs_release(&b);
    seq_release(zeros[H0]);
    seq_release(zeros[C0]);
    gc_release_all(NIN, in);
}

static void test_final_state_is_the_last_output_step(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 401);
    struct seq_tensor *in[NIN];
    make_inputs(in, &rng, GRU, 4, 2, 3, 5);
    for (int rev = 0; rev < 2; rev++) {
        struct outs o = {0};
        struct seq_tensor *last = NULL;
        assert_ok(run_kernel(GRU, rev, in, &o));
        int64_t want_shape[3] = {4, 2, 5};
        assert_shape(o.y, 3, want_shape);
        assert_ok(seq_select(&last, o.y, 0, rev ? 0 : 3));
        double v[10];
        assert_ok(seq_copy_out(v, SEQ_FLOAT64, last));
        assert_tensor_close(o.h, v, 10, 0, 0);
        seq_release(last);
        outs_release(&o);
    }
    gc_release_all(NIN, in);
}

static void test_outputs_record_one_kernel_node(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 402);
    struct seq_tensor *in[NIN];
    make_inputs(in, &rng, LSTM, 3, 2, 3, 4);
    struct outs o = {0};
    assert_ok(run_kernel(LSTM, false, in, &o));
    /* y, h and c are views of the kernel's packed output */
    assert_true(o.y->requires_grad && o.h->requires_grad && o.c->requires_grad);
    assert_ptr_equal(o.y->storage, o.h->storage);
    assert_ptr_equal(o.y->storage, o.c->storage);
    assert_string_equal(seq_grad_fn_name(o.y), "SliceBackward");
    assert_string_equal(seq_grad_fn_name(o.h), "SelectBackward");
    outs_release(&o);

    bool prev = seq_set_grad_enabled(false);
    assert_ok(run_kernel(LSTM, false, in, &o));
    seq_set_grad_enabled(prev);
    assert_false(o.y->requires_grad);
    assert_null(seq_grad_fn_name(o.y));
    outs_release(&o);
    gc_release_all(NIN, in);
}

static void test_gradient_of_only_the_final_state_reaches_every_input(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 403);
    struct seq_tensor *in[NIN], *sum = NULL;
    make_inputs(in, &rng, RNN_TANH, 3, 2, 3, 4);
    struct outs o = {0};
    assert_ok(run_kernel(RNN_TANH, false, in, &o));
    assert_ok(seq_sum(&sum, o.h, SEQ_DIM_ALL, false));
    assert_ok(seq_backward(sum, NULL, false));
    for (int i = 0; i < NIN; i++)
        if (in[i])
            assert_non_null(in[i]->grad);
    seq_release(sum);
    outs_release(&o);
    gc_release_all(NIN, in);
}

static void test_non_contiguous_weights_give_the_same_result(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 404);
    struct seq_tensor *in[NIN], *wt = NULL, *wview = NULL;
    make_inputs(in, &rng, LSTM, 3, 2, 3, 4);
    struct outs a = {0}, b = {0};
    assert_ok(run_kernel(LSTM, false, in, &a));
    /* the same values held transposed, seen through a transposed view */
    assert_ok(seq_transpose(&wt, in[WIH], 0, 1));
    struct seq_tensor *wtc = NULL;
    assert_ok(seq_contiguous(&wtc, wt));
    assert_ok(seq_transpose(&wview, wtc, 0, 1));
    assert_false(seq_is_contiguous(wview));
    struct seq_tensor *in2[NIN];
    memcpy(in2, in, sizeof in2);
    in2[WIH] = wview;
    assert_ok(run_kernel(LSTM, false, in2, &b));
    double v[3 * 2 * 4];
    assert_ok(seq_copy_out(v, SEQ_FLOAT64, a.y));
    assert_tensor_close(b.y, v, 24, 1e-14, 1e-15);
    outs_release(&a);
    outs_release(&b);
    seq_release(wt);
    seq_release(wtc);
    seq_release(wview);
    gc_release_all(NIN, in);
}

static void test_graph_returns_all_memory_when_released(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 405);
    struct seq_tensor *in[NIN], *r[3], *loss = NULL;
    make_inputs(in, &rng, GRU, 5, 3, 4, 6);
    struct seq_memstats m0, m1;
    seq_memory(&m0);
    struct outs o = {0};
    assert_ok(run_kernel(GRU, false, in, &o));
    make_projections(r, &rng, &o);
    assert_ok(objective(&loss, &o, r));
    assert_ok(seq_backward(loss, NULL, false));
    seq_release(loss);
    outs_release(&o);
    gc_release_all(3, r);
    for (int i = 0; i < NIN; i++)
        if (in[i])
            seq_zero_grad(in[i]);
    seq_memory(&m1);
    assert_int_equal(m1.live_bytes, m0.live_bytes);
    gc_release_all(NIN, in);
}

/* ---- errors -------------------------------------------------------------- */

static void test_rejects_a_2d_input(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 500);
    struct seq_tensor *in[NIN], *x2 = NULL;
    make_inputs(in, &rng, LSTM, 3, 2, 3, 4);
    assert_ok(seq_select(&x2, in[X], 1, 0));
    struct seq_tensor *y = NULL;
    assert_fails(seq_lstm(&y, NULL, NULL, x2, NULL, NULL, in[WIH], in[WHH],
                          NULL, NULL, false),
                 SEQ_ESHAPE,
                 "lstm: the input must be 3-d (T, N, D), got (3,3)");
    assert_null(y);
    seq_release(x2);
    gc_release_all(NIN, in);
}

static void test_rejects_an_input_size_the_weights_do_not_fit(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 501);
    struct seq_tensor *in[NIN], *x = gc_uniform(&rng, GC_SHAPE(3, 2, 5), 0, 1);
    make_inputs(in, &rng, GRU, 3, 2, 3, 4);
    struct seq_tensor *y = NULL;
    assert_fails(
        seq_gru(&y, NULL, x, NULL, in[WIH], in[WHH], NULL, NULL, false),
        SEQ_ESHAPE,
        "gru: weight_ih has shape (12,3), expected (12,5) for the "
        "input (3,2,5) and hidden size 4");
    seq_release(x);
    gc_release_all(NIN, in);
}

static void test_rejects_a_weight_hh_without_the_gate_blocks(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 502);
    struct seq_tensor *in[NIN];
    make_inputs(in, &rng, RNN_TANH, 3, 2, 3, 4);
    struct seq_tensor *y = NULL;
    /* an RNN's (4, 4) weight_hh given to the LSTM */
    assert_fails(seq_lstm(&y, NULL, NULL, in[X], NULL, NULL, in[WIH], in[WHH],
                          NULL, NULL, false),
                 SEQ_ESHAPE,
                 "lstm: weight_hh has shape (4,4), expected (4*H, H)");
    gc_release_all(NIN, in);
}

static void test_rejects_a_state_of_the_wrong_shape(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 503);
    struct seq_tensor *in[NIN], *h = gc_uniform(&rng, GC_SHAPE(3, 4), 0, 1);
    make_inputs(in, &rng, LSTM, 3, 2, 3, 4);
    struct seq_tensor *y = NULL;
    assert_fails(seq_lstm(&y, NULL, NULL, in[X], in[H0], h, in[WIH], in[WHH],
                          NULL, NULL, false),
                 SEQ_ESHAPE, "lstm: c0 has shape (3,4), expected (2,4)");
    assert_fails(seq_lstm(&y, NULL, NULL, in[X], h, NULL, in[WIH], in[WHH],
                          in[BIH], in[BHH], false),
                 SEQ_ESHAPE, "lstm: h0 has shape (3,4), expected (2,4)");
    seq_release(h);
    gc_release_all(NIN, in);
}

static void test_rejects_a_bias_of_the_wrong_size(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 504);
    struct seq_tensor *in[NIN], *b = gc_uniform(&rng, GC_SHAPE(4), 0, 1);
    make_inputs(in, &rng, GRU, 3, 2, 3, 4);
    struct seq_tensor *y = NULL;
    assert_fails(
        seq_gru(&y, NULL, in[X], NULL, in[WIH], in[WHH], in[BIH], b, false),
        SEQ_ESHAPE, "gru: bias_hh has shape (4), expected (12)");
    seq_release(b);
    gc_release_all(NIN, in);
}

static void test_rejects_mixed_dtypes_and_integer_input(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 505);
    struct seq_tensor *in[NIN], *w32 = NULL, *xi = NULL;
    make_inputs(in, &rng, RNN_TANH, 3, 2, 3, 4);
    assert_ok(seq_to(&w32, in[WHH], SEQ_FLOAT32));
    struct seq_tensor *y = NULL;
    assert_fails(seq_rnn(&y, NULL, in[X], NULL, in[WIH], w32, NULL, NULL,
                         SEQ_RNN_TANH, false),
                 SEQ_EDTYPE,
                 "rnn: weight_hh is float32 but the input is "
                 "float64");
    assert_ok(seq_to(&xi, in[X], SEQ_INT64));
    assert_fails(seq_rnn(&y, NULL, xi, NULL, in[WIH], in[WHH], NULL, NULL,
                         SEQ_RNN_TANH, false),
                 SEQ_EDTYPE, "rnn: the input must be float32 or float64");
    assert_fails(seq_rnn(&y, NULL, in[X], NULL, in[WIH], in[WHH], NULL, NULL,
                         (enum seq_rnn_nonlinearity)7, false),
                 SEQ_EINVAL, "rnn: unknown nonlinearity 7");
    seq_release(w32);
    seq_release(xi);
    gc_release_all(NIN, in);
}

static void test_rejects_an_empty_sequence(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 506);
    struct seq_tensor *in[NIN], *x0 = NULL;
    make_inputs(in, &rng, GRU, 3, 2, 3, 4);
    assert_ok(seq_narrow(&x0, in[X], 0, 0, 0));
    struct seq_tensor *y = NULL;
    assert_fails(
        seq_gru(&y, NULL, x0, NULL, in[WIH], in[WHH], NULL, NULL, false),
        SEQ_ESHAPE, "gru: the input (0,2,3) has an empty dimension");
    seq_release(x0);
    gc_release_all(NIN, in);
}

static int cancel_after(void *ud)
{
    int *left = ud;
    return (*left)-- <= 0;
}

static void test_forward_and_backward_stop_when_cancelled(void **s)
{
    struct gc_rng rng;
    gc_seed(&rng, 507);
    struct seq_tensor *in[NIN], *sum = NULL;
    make_inputs(in, &rng, LSTM, 8, 2, 3, 4);
    struct seq_memstats m0, m1;
    seq_memory(&m0);
    int left = 3;
    struct outs o = {0};
    seq_set_cancel_fn(cancel_after, &left);
    int st = run_kernel(LSTM, false, in, &o);
    seq_set_cancel_fn(NULL, NULL);
    assert_int_equal(st, SEQ_ECANCELED);
    assert_null(o.y);
    seq_memory(&m1);
    assert_int_equal(m1.live_bytes, m0.live_bytes);

    assert_ok(run_kernel(LSTM, false, in, &o));
    assert_ok(seq_sum(&sum, o.y, SEQ_DIM_ALL, false));
    left = 2;
    seq_set_cancel_fn(cancel_after, &left);
    st = seq_backward(sum, NULL, false);
    seq_set_cancel_fn(NULL, NULL);
    assert_int_equal(st, SEQ_ECANCELED);
    seq_release(sum);
    outs_release(&o);
    gc_release_all(NIN, in);
}

// clang-format off
#define GOLDEN_TEST(name, ...)                                                \
    {#name, run_golden, setup, teardown,                                      \
     (void *)&(const struct golden_case){__VA_ARGS__}}
// clang-format on

int main(void)
{
    const struct CMUnitTest tests[] = {
        GOLDEN_TEST(test_rnn_tanh_with_state_matches_torch, RNN_TANH, "state",
                    &F64, true, true),
        GOLDEN_TEST(test_rnn_tanh_from_zeros_matches_torch, RNN_TANH, "zero",
                    &F64, false, true),
        GOLDEN_TEST(test_rnn_tanh_batch_of_one_matches_torch, RNN_TANH, "n1",
                    &F64, true, true),
        GOLDEN_TEST(test_rnn_tanh_without_bias_matches_torch, RNN_TANH,
                    "nobias", &F64, true, false),
        GOLDEN_TEST(test_rnn_relu_with_state_matches_torch, RNN_RELU, "state",
                    &F64, true, true),
        GOLDEN_TEST(test_rnn_relu_from_zeros_matches_torch, RNN_RELU, "zero",
                    &F64, false, true),
        GOLDEN_TEST(test_rnn_relu_batch_of_one_matches_torch, RNN_RELU, "n1",
                    &F64, true, true),
        GOLDEN_TEST(test_rnn_relu_without_bias_matches_torch, RNN_RELU,
                    "nobias", &F64, true, false),
        GOLDEN_TEST(test_lstm_with_state_matches_torch, LSTM, "state", &F64,
                    true, true),
        GOLDEN_TEST(test_lstm_from_zeros_matches_torch, LSTM, "zero", &F64,
                    false, true),
        GOLDEN_TEST(test_lstm_batch_of_one_matches_torch, LSTM, "n1", &F64,
                    true, true),
        GOLDEN_TEST(test_lstm_without_bias_matches_torch, LSTM, "nobias", &F64,
                    true, false),
        GOLDEN_TEST(test_gru_with_state_matches_torch, GRU, "state", &F64, true,
                    true),
        GOLDEN_TEST(test_gru_from_zeros_matches_torch, GRU, "zero", &F64, false,
                    true),
        GOLDEN_TEST(test_gru_batch_of_one_matches_torch, GRU, "n1", &F64, true,
                    true),
        GOLDEN_TEST(test_gru_without_bias_matches_torch, GRU, "nobias", &F64,
                    true, false),
        GOLDEN_TEST(test_rnn_tanh_float32_matches_torch, RNN_TANH, "state",
                    &F32, true, true),
        GOLDEN_TEST(test_rnn_tanh_float32_from_zeros_matches_torch, RNN_TANH,
                    "zero", &F32, false, true),
        GOLDEN_TEST(test_rnn_relu_float32_matches_torch, RNN_RELU, "state",
                    &F32, true, true),
        GOLDEN_TEST(test_rnn_relu_float32_from_zeros_matches_torch, RNN_RELU,
                    "zero", &F32, false, true),
        GOLDEN_TEST(test_lstm_float32_matches_torch, LSTM, "state", &F32, true,
                    true),
        GOLDEN_TEST(test_lstm_float32_from_zeros_matches_torch, LSTM, "zero",
                    &F32, false, true),
        GOLDEN_TEST(test_gru_float32_matches_torch, GRU, "state", &F32, true,
                    true),
        GOLDEN_TEST(test_gru_float32_from_zeros_matches_torch, GRU, "zero",
                    &F32, false, true),

        cmocka_unit_test(test_rnn_tanh_gradients_match_numerical),
        cmocka_unit_test(test_rnn_relu_gradients_match_numerical),
        cmocka_unit_test(test_lstm_gradients_match_numerical),
        cmocka_unit_test(test_gru_gradients_match_numerical),
        cmocka_unit_test(test_reverse_rnn_gradients_match_numerical),
        cmocka_unit_test(test_reverse_lstm_gradients_match_numerical),
        cmocka_unit_test(test_reverse_gru_gradients_match_numerical),

        cmocka_unit_test(
            test_rnn_tanh_equals_stepping_the_cell_with_engine_ops),
        cmocka_unit_test(
            test_rnn_relu_equals_stepping_the_cell_with_engine_ops),
        cmocka_unit_test(test_lstm_equals_stepping_the_cell_with_engine_ops),
        cmocka_unit_test(test_gru_equals_stepping_the_cell_with_engine_ops),
        cmocka_unit_test(test_batch_of_one_equals_stepping_the_cell),
        cmocka_unit_test(test_reverse_equals_stepping_the_cell_backwards),
        cmocka_unit_test(test_reverse_equals_forward_on_the_flipped_sequence),

        cmocka_unit_test(test_missing_state_means_zeros),
        cmocka_unit_test(test_final_state_is_the_last_output_step),
        cmocka_unit_test(test_outputs_record_one_kernel_node),
        cmocka_unit_test(
            test_gradient_of_only_the_final_state_reaches_every_input),
        cmocka_unit_test(test_non_contiguous_weights_give_the_same_result),
        cmocka_unit_test(test_graph_returns_all_memory_when_released),

        cmocka_unit_test(test_rejects_a_2d_input),
        cmocka_unit_test(test_rejects_an_input_size_the_weights_do_not_fit),
        cmocka_unit_test(test_rejects_a_weight_hh_without_the_gate_blocks),
        cmocka_unit_test(test_rejects_a_state_of_the_wrong_shape),
        cmocka_unit_test(test_rejects_a_bias_of_the_wrong_size),
        cmocka_unit_test(test_rejects_mixed_dtypes_and_integer_input),
        cmocka_unit_test(test_rejects_an_empty_sequence),
        cmocka_unit_test(test_forward_and_backward_stop_when_cancelled),
    };
    return cmocka_run_group_tests_name("rnn", tests, NULL, NULL);
}
