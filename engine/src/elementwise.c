/* elementwise.c — unary and binary elementwise ops with numpy broadcasting
 * and their backwards.  The kernels for float32, float64 and int64 come
 * from one macro each, so the three dtypes cannot drift apart.  Integer
 * arithmetic wraps (computed in uint64) rather than overflowing. */
#include "internal.h"

/* ---- kernels ----------------------------------------------------------- */

/* Vectors for the contiguous float loops.  GCC and clang do not vectorise
 * the -O2 loops below on their own (their cheap cost model refuses loops
 * that need a runtime alias check or an epilogue), so +, -, *, / and
 * square on float32 and float64 run on 16-byte GNU vectors (SSE2 on
 * x86-64, NEON on arm64, no flags needed), and sqrt on SSE2's sqrtps and
 * sqrtpd where the target has them.  Every lane computes the same
 * correctly rounded IEEE operation as the scalar loop, so the results are
 * bit for bit those of the scalar code; only the speed changes (an Adam
 * step, which is all elementwise ops, runs about 3x faster). */
#if defined(__GNUC__) && !defined(SEQ_NO_SIMD)
#define EW_SIMD 1
typedef float ew_v_float __attribute__((vector_size(16)));
typedef double ew_v_double __attribute__((vector_size(16)));
#if defined(__SSE2__)
#include <emmintrin.h>
#define EW_SQRT 1
#endif
#endif

/* A binary loop: contiguous, scalar-right, and general strided cases. */
#define DEF_BIN(NAME, T, EXPR)                                                \
    static void NAME(void *ctx, char **p, const int64_t *s, int64_t n)        \
    {                                                                         \
        (void)ctx;                                                            \
        T *o = (T *)p[0];                                                     \
        const T *pa = (const T *)p[1], *pb = (const T *)p[2];                 \
        int64_t so = s[0] / (int64_t)sizeof(T);                               \
        int64_t sa = s[1] / (int64_t)sizeof(T);                               \
        int64_t sb = s[2] / (int64_t)sizeof(T);                               \
        if (so == 1 && sa == 1 && sb == 1) {                                  \
            for (int64_t i = 0; i < n; i++) {                                 \
                T x = pa[i], y = pb[i];                                       \
                o[i] = (EXPR);                                                \
            }                                                                 \
        } else if (so == 1 && sa == 1 && sb == 0) {                           \
            const T y = pb[0];                                                \
            for (int64_t i = 0; i < n; i++) {                                 \
                T x = pa[i];                                                  \
                o[i] = (EXPR);                                                \
            }                                                                 \
        } else {                                                              \
            for (int64_t i = 0; i < n; i++) {                                 \
                T x = pa[i * sa], y = pb[i * sb];                             \
                o[i * so] = (EXPR);                                           \
            }                                                                 \
        }                                                                     \
    }

#ifdef EW_SIMD
/* DEF_BIN with the contiguous and scalar-right cases on vectors of
 * ew_v_T: EXPR is then evaluated on whole vectors (x and y of vector
 * type), the remainder on scalars. */
#define DEF_BIN_VEC(NAME, T, EXPR)                                            \
    static void NAME(void *ctx, char **p, const int64_t *s, int64_t n)        \
    {                                                                         \
        (void)ctx;                                                            \
        typedef ew_v_##T V;                                                   \
        enum { W = sizeof(V) / sizeof(T) };                                   \
        T *o = (T *)p[0];                                                     \
        const T *pa = (const T *)p[1], *pb = (const T *)p[2];                 \
        int64_t so = s[0] / (int64_t)sizeof(T);                               \
        int64_t sa = s[1] / (int64_t)sizeof(T);                               \
        int64_t sb = s[2] / (int64_t)sizeof(T);                               \
        if (so == 1 && sa == 1 && (sb == 1 || sb == 0)) {                     \
            int64_t i = 0;                                                    \
            if (sb == 1) {                                                    \
                for (; i + W <= n; i += W) {                                  \
                    V x, y, r;                                                \
                    memcpy(&x, pa + i, sizeof x);                             \
                    memcpy(&y, pb + i, sizeof y);                             \
                    r = (EXPR);                                               \
                    memcpy(o + i, &r, sizeof r);                              \
                }                                                             \
                for (; i < n; i++) {                                          \
                    T x = pa[i], y = pb[i];                                   \
                    o[i] = (EXPR);                                            \
                }                                                             \
            } else {                                                          \
                {                                                             \
                    V y; /* pb[0] in every lane (keeps -0 and NaN) */         \
                    for (int k = 0; k < W; k++)                               \
                        y[k] = pb[0];                                         \
                    for (; i + W <= n; i += W) {                              \
                        V x, r;                                               \
                        memcpy(&x, pa + i, sizeof x);                         \
                        r = (EXPR);                                           \
                        memcpy(o + i, &r, sizeof r);                          \
                    }                                                         \
                }                                                             \
                for (; i < n; i++) {                                          \
                    T x = pa[i], y = pb[0];                                   \
                    o[i] = (EXPR);                                            \
                }                                                             \
            }                                                                 \
        } else {                                                              \
            for (int64_t i = 0; i < n; i++) {                                 \
                T x = pa[i * sa], y = pb[i * sb];                             \
                o[i * so] = (EXPR);                                           \
            }                                                                 \
        }                                                                     \
    }
#else
#define DEF_BIN_VEC(NAME, T, EXPR) DEF_BIN(NAME, T, EXPR)
#endif

#define DEF_UN(NAME, T, EXPR)                                                 \
    static void NAME(void *ctx, char **p, const int64_t *s, int64_t n)        \
    {                                                                         \
        (void)ctx;                                                            \
        T *o = (T *)p[0];                                                     \
        const T *pa = (const T *)p[1];                                        \
        int64_t so = s[0] / (int64_t)sizeof(T);                               \
        int64_t sa = s[1] / (int64_t)sizeof(T);                               \
        if (so == 1 && sa == 1) {                                             \
            for (int64_t i = 0; i < n; i++) {                                 \
                T x = pa[i];                                                  \
                o[i] = (EXPR);                                                \
            }                                                                 \
        } else {                                                              \
            for (int64_t i = 0; i < n; i++) {                                 \
                T x = pa[i * sa];                                             \
                o[i * so] = (EXPR);                                           \
            }                                                                 \
        }                                                                     \
    }

#ifdef EW_SIMD
/* DEF_UN with the contiguous case on vectors (VEXPR on a vector x). */
#define DEF_UN_VEC(NAME, T, EXPR, VEXPR)                                      \
    static void NAME(void *ctx, char **p, const int64_t *s, int64_t n)        \
    {                                                                         \
        (void)ctx;                                                            \
        typedef ew_v_##T V;                                                   \
        enum { W = sizeof(V) / sizeof(T) };                                   \
        T *o = (T *)p[0];                                                     \
        const T *pa = (const T *)p[1];                                        \
        int64_t so = s[0] / (int64_t)sizeof(T);                               \
        int64_t sa = s[1] / (int64_t)sizeof(T);                               \
        if (so == 1 && sa == 1) {                                             \
            int64_t i = 0;                                                    \
            for (; i + W <= n; i += W) {                                      \
                V x, r;                                                       \
                memcpy(&x, pa + i, sizeof x);                                 \
                r = (VEXPR);                                                  \
                memcpy(o + i, &r, sizeof r);                                  \
            }                                                                 \
            for (; i < n; i++) {                                              \
                T x = pa[i];                                                  \
                o[i] = (EXPR);                                                \
            }                                                                 \
        } else {                                                              \
            for (int64_t i = 0; i < n; i++) {                                 \
                T x = pa[i * sa];                                             \
                o[i * so] = (EXPR);                                           \
            }                                                                 \
        }                                                                     \
    }
#else
#define DEF_UN_VEC(NAME, T, EXPR, VEXPR) DEF_UN(NAME, T, EXPR)
#endif

/* sqrt on vectors where the target has a vector square root */
#ifdef EW_SQRT
#define VSQRT_float(x) ((ew_v_float)_mm_sqrt_ps((__m128)(x)))
#define VSQRT_double(x) ((ew_v_double)_mm_sqrt_pd((__m128d)(x)))
#define DEF_SQRT(NAME, T, SQRT) DEF_UN_VEC(NAME, T, SQRT(x), VSQRT_##T(x))
#else
#define DEF_SQRT(NAME, T, SQRT) DEF_UN(NAME, T, SQRT(x))
#endif

/* NaN propagates through maximum/minimum, as in numpy and PyTorch. */
#define FLOAT_KERNELS(SFX, T, EXP, LOG, SQRT, TANH, POW, FABS)                \
    DEF_BIN_VEC(add_##SFX, T, x + y)                                          \
    DEF_BIN_VEC(sub_##SFX, T, x - y)                                          \
    DEF_BIN_VEC(mul_##SFX, T, x * y)                                          \
    DEF_BIN_VEC(div_##SFX, T, x / y)                                          \
    DEF_BIN(pow_##SFX, T, POW(x, y))                                          \
    DEF_BIN(max_##SFX, T, (x > y || x != x) ? x : y)                          \
    DEF_BIN(min_##SFX, T, (x < y || x != x) ? x : y)                          \
    DEF_BIN(eq_##SFX, T, (T)(x == y))                                         \
    DEF_BIN(ne_##SFX, T, (T)(x != y))                                         \
    DEF_BIN(lt_##SFX, T, (T)(x < y))                                          \
    DEF_BIN(le_##SFX, T, (T)(x <= y))                                         \
    DEF_BIN(gt_##SFX, T, (T)(x > y))                                          \
    DEF_BIN(ge_##SFX, T, (T)(x >= y))                                         \
    DEF_UN_VEC(neg_##SFX, T, -x, -x)                                          \
    DEF_UN(exp_##SFX, T, EXP(x))                                              \
    DEF_UN(log_##SFX, T, LOG(x))                                              \
    DEF_SQRT(sqrt_##SFX, T, SQRT)                                             \
    DEF_UN(abs_##SFX, T, FABS(x))                                             \
    DEF_UN(tanh_##SFX, T, TANH(x))                                            \
    DEF_UN(sigmoid_##SFX, T,                                                  \
           x >= 0 ? (T)1 / ((T)1 + EXP(-x)) : EXP(x) / ((T)1 + EXP(x)))       \
    DEF_UN(relu_##SFX, T, (x > 0 || x != x) ? x : (T)0)                       \
    DEF_UN(sign_##SFX, T, x != x ? x : (T)((x > 0) - (x < 0)))                \
    DEF_UN_VEC(square_##SFX, T, x * x, x * x)

FLOAT_KERNELS(f32, float, expf, logf, sqrtf, tanhf, powf, fabsf)
FLOAT_KERNELS(f64, double, exp, log, sqrt, tanh, pow, fabs)

#define U(v) ((uint64_t)(v))
/* b^e by squaring, wrapping like the other integer ops; e >= 0 (negative
 * exponents are refused before any kernel runs). */
static int64_t ipow(int64_t b, int64_t e)
{
    uint64_t r = 1, ub = U(b);
    while (e > 0) {
        if (e & 1)
            r *= ub;
        ub *= ub;
        e >>= 1;
    }
    return (int64_t)r;
}
DEF_BIN(add_i64, int64_t, (int64_t)(U(x) + U(y)))
DEF_BIN(sub_i64, int64_t, (int64_t)(U(x) - U(y)))
DEF_BIN(mul_i64, int64_t, (int64_t)(U(x) * U(y)))
DEF_BIN(pow_i64, int64_t, ipow(x, y))
DEF_BIN(max_i64, int64_t, x > y ? x : y)
DEF_BIN(min_i64, int64_t, x < y ? x : y)
DEF_BIN(eq_i64, int64_t, x == y)
DEF_BIN(ne_i64, int64_t, x != y)
DEF_BIN(lt_i64, int64_t, x < y)
DEF_BIN(le_i64, int64_t, x <= y)
DEF_BIN(gt_i64, int64_t, x > y)
DEF_BIN(ge_i64, int64_t, x >= y)
DEF_UN(neg_i64, int64_t, (int64_t)(0 - U(x)))
DEF_UN(abs_i64, int64_t, x < 0 ? (int64_t)(0 - U(x)) : x)
DEF_UN(relu_i64, int64_t, x > 0 ? x : 0)
DEF_UN(sign_i64, int64_t, (x > 0) - (x < 0))
DEF_UN(square_i64, int64_t, (int64_t)(U(x) * U(x)))
#undef U

/* Indexed by [dtype][op]; NULL means "promote to float first". */
static const seq_loop_fn bin_kernels[3][SEQ_OP_GE + 1] = {
    {add_f32, sub_f32, mul_f32, div_f32, pow_f32, max_f32, min_f32, eq_f32,
     ne_f32, lt_f32, le_f32, gt_f32, ge_f32},
    {add_f64, sub_f64, mul_f64, div_f64, pow_f64, max_f64, min_f64, eq_f64,
     ne_f64, lt_f64, le_f64, gt_f64, ge_f64},
    {add_i64, sub_i64, mul_i64, NULL, pow_i64, max_i64, min_i64, eq_i64,
     ne_i64, lt_i64, le_i64, gt_i64, ge_i64},
};
static const seq_loop_fn un_kernels[3][SEQ_OP_SQUARE + 1] = {
    {neg_f32, exp_f32, log_f32, sqrt_f32, abs_f32, tanh_f32, sigmoid_f32,
     relu_f32, sign_f32, square_f32},
    {neg_f64, exp_f64, log_f64, sqrt_f64, abs_f64, tanh_f64, sigmoid_f64,
     relu_f64, sign_f64, square_f64},
    {neg_i64, NULL, NULL, NULL, abs_i64, NULL, NULL, relu_i64, sign_i64,
     square_i64},
};

static const char *const bin_names[] = {
    "add", "sub", "mul", "div", "pow", "maximum", "minimum",
    "eq",  "ne",  "lt",  "le",  "gt",  "ge",
};

/* Integers to negative integer powers have no integer result; refuse them
 * as PyTorch does rather than return 0. */
static int check_int_exponents(struct seq_tensor *e)
{
    struct seq_tensor *c = NULL;
    int st = seq_contiguous_nograd(&c, e);
    if (st)
        return st;
    const int64_t *v = seq_data(c);
    for (int64_t i = 0, n = seq_numel(c); i < n; i++)
        if (v[i] < 0) {
            long long bad = (long long)v[i]; /* read before the release */
            seq_release(c);
            return seq_fail(SEQ_EINVAL,
                            "pow: integers to negative integer powers are "
                            "not allowed (exponent %lld; convert to float "
                            "first)",
                            bad);
        }
    seq_release(c);
    return SEQ_OK;
}

/* ---- raw forward (no autograd) ----------------------------------------- */

static int binary_raw(struct seq_tensor **out, enum seq_binop op,
                      struct seq_tensor *a, struct seq_tensor *b)
{
    const char *name = bin_names[op];
    enum seq_dtype dt = seq_promote(a, b);
    if (!bin_kernels[dt][op])
        dt = SEQ_FLOAT32; /* integer true division gives floats */
    int nd;
    int64_t shape[SEQ_MAX_DIMS];
    struct seq_tensor *ca = NULL, *cb = NULL, *r = NULL;
    int st = seq_broadcast_shapes(name, a->ndim, a->shape, b->ndim, b->shape,
                                  &nd, shape);
    SEQ_TRY(st);
    SEQ_TRY(seq_to_nograd(&ca, a, dt));
    SEQ_TRY(seq_to_nograd(&cb, b, dt));
    if (op == SEQ_OP_POW && dt == SEQ_INT64)
        SEQ_TRY(check_int_exponents(cb));
    SEQ_TRY(seq_empty(&r, dt, nd, shape));
    int64_t strides[3][SEQ_MAX_DIMS];
    memcpy(strides[0], r->stride, sizeof(int64_t) * (size_t)nd);
    seq_broadcast_strides(ca, nd, shape, strides[1]);
    seq_broadcast_strides(cb, nd, shape, strides[2]);
    char *base[3] = {seq_data(r), seq_data(ca), seq_data(cb)};
    size_t es[3] = {seq_dtype_size(dt), seq_dtype_size(dt),
                    seq_dtype_size(dt)};
    seq_foreach(3, base, strides, es, nd, shape, bin_kernels[dt][op], NULL);
    *out = r;
    r = NULL;
fail:
    seq_release(ca);
    seq_release(cb);
    seq_release(r);
    return st;
}

static int unary_raw(struct seq_tensor **out, enum seq_unop op,
                     struct seq_tensor *a)
{
    enum seq_dtype dt = a->dtype;
    if (!un_kernels[dt][op])
        dt = SEQ_FLOAT32;
    struct seq_tensor *ca = NULL, *r = NULL;
    int st;
    SEQ_TRY(seq_to_nograd(&ca, a, dt));
    SEQ_TRY(seq_empty(&r, dt, a->ndim, a->shape));
    int64_t strides[2][SEQ_MAX_DIMS];
    memcpy(strides[0], r->stride, sizeof(int64_t) * (size_t)a->ndim);
    memcpy(strides[1], ca->stride, sizeof(int64_t) * (size_t)a->ndim);
    char *base[2] = {seq_data(r), seq_data(ca)};
    size_t es[2] = {seq_dtype_size(dt), seq_dtype_size(dt)};
    seq_foreach(2, base, strides, es, a->ndim, a->shape, un_kernels[dt][op],
                NULL);
    *out = r;
    r = NULL;
fail:
    seq_release(ca);
    seq_release(r);
    return st;
}

/* ---- backward of binary ops -------------------------------------------- */

static int scalar_like(struct seq_tensor **out, const struct seq_tensor *t,
                       double v)
{
    return seq_scalar(out, t->dtype, v);
}

/* Gradients are computed at the broadcast shape and summed back to each
 * input's shape.  saved[0] = a, saved[1] = b, saved[2] = output. */
static int reduce_to(struct seq_tensor **gin, struct seq_node *n, int i,
                     struct seq_tensor *full)
{
    int st = seq_sum_to_shape(gin, full, n->in_ndim[i], n->in_shape[i]);
    seq_release(full);
    return st;
}

/* d(a^b)/da = b a^(b-1) */
static int pow_grad_base(struct seq_tensor **out, struct seq_tensor *g,
                         struct seq_tensor *a, struct seq_tensor *b)
{
    struct seq_tensor *one = NULL, *bm1 = NULL, *p = NULL, *t = NULL;
    int st;
    SEQ_TRY(scalar_like(&one, b, 1.0));
    SEQ_TRY(binary_raw(&bm1, SEQ_OP_SUB, b, one));
    SEQ_TRY(binary_raw(&p, SEQ_OP_POW, a, bm1));
    SEQ_TRY(binary_raw(&t, SEQ_OP_MUL, p, b));
    SEQ_TRY(binary_raw(out, SEQ_OP_MUL, g, t));
fail:
    seq_release(one);
    seq_release(bm1);
    seq_release(p);
    seq_release(t);
    return st;
}

/* d(a^b)/db = a^b ln(a), taken as 0 where a == 0 (PyTorch's convention)
 * instead of 0 * -inf. */
static int pow_grad_exponent(struct seq_tensor **out, struct seq_tensor *g,
                             struct seq_tensor *a, struct seq_tensor *y)
{
    struct seq_tensor *lg = NULL, *zero = NULL, *nz = NULL, *safe = NULL,
                      *t = NULL;
    int st;
    SEQ_TRY(unary_raw(&lg, SEQ_OP_LOG, a));
    SEQ_TRY(scalar_like(&zero, lg, 0.0));
    SEQ_TRY(binary_raw(&nz, SEQ_OP_NE, a, zero));
    SEQ_TRY(seq_where(&safe, nz, lg, zero));
    SEQ_TRY(binary_raw(&t, SEQ_OP_MUL, safe, y));
    SEQ_TRY(binary_raw(out, SEQ_OP_MUL, g, t));
fail:
    seq_release(lg);
    seq_release(zero);
    seq_release(nz);
    seq_release(safe);
    seq_release(t);
    return st;
}

/* The gradient of maximum goes to the larger input (minimum: the smaller);
 * ties split it in half between both, as PyTorch does:
 * ga = g * ([a wins] + 0.5 [a == b]). */
static int extremum_grad(struct seq_tensor **out, struct seq_tensor *g,
                         enum seq_binop win, struct seq_tensor *x,
                         struct seq_tensor *other)
{
    struct seq_tensor *w = NULL, *eq = NULL, *half = NULL, *hv = NULL,
                      *m = NULL;
    int st;
    SEQ_TRY(binary_raw(&w, win, x, other));
    SEQ_TRY(binary_raw(&eq, SEQ_OP_EQ, x, other));
    SEQ_TRY(scalar_like(&half, eq, 0.5));
    SEQ_TRY(binary_raw(&hv, SEQ_OP_MUL, eq, half));
    SEQ_TRY(binary_raw(&m, SEQ_OP_ADD, w, hv));
    SEQ_TRY(binary_raw(out, SEQ_OP_MUL, g, m));
fail:
    seq_release(w);
    seq_release(eq);
    seq_release(half);
    seq_release(hv);
    seq_release(m);
    return st;
}

static int binary_backward(struct seq_node *n, struct seq_tensor *g,
                           struct seq_tensor **gin)
{
    enum seq_binop op = (enum seq_binop)n->iargs[0];
    struct seq_tensor *a = n->saved[0], *b = n->saved[1], *y = n->saved[2];
    struct seq_tensor *ga = NULL, *gb = NULL, *t = NULL;
    bool wa = n->inputs[0] != NULL, wb = n->inputs[1] != NULL;
    int st = SEQ_OK;
    switch (op) {
    case SEQ_OP_ADD: /* d(a+b) = da + db */
        ga = wa ? seq_retain(g) : NULL;
        gb = wb ? seq_retain(g) : NULL;
        break;
    case SEQ_OP_SUB: /* d(a-b) = da - db */
        ga = wa ? seq_retain(g) : NULL;
        if (wb)
            SEQ_TRY(unary_raw(&gb, SEQ_OP_NEG, g));
        break;
    case SEQ_OP_MUL: /* d(ab) = b da + a db */
        if (wa)
            SEQ_TRY(binary_raw(&ga, SEQ_OP_MUL, g, b));
        if (wb)
            SEQ_TRY(binary_raw(&gb, SEQ_OP_MUL, g, a));
        break;
    case SEQ_OP_DIV: /* d(a/b) = da / b - (a/b) db / b */
        if (wa)
            SEQ_TRY(binary_raw(&ga, SEQ_OP_DIV, g, b));
        if (wb) {
            struct seq_tensor *u = NULL;
            SEQ_TRY(binary_raw(&t, SEQ_OP_MUL, g, y));
            st = binary_raw(&u, SEQ_OP_DIV, t, b);
            if (st == SEQ_OK)
                st = unary_raw(&gb, SEQ_OP_NEG, u);
            seq_release(u);
            SEQ_TRY(st);
        }
        break;
    case SEQ_OP_POW:
        if (wa)
            SEQ_TRY(pow_grad_base(&ga, g, a, b));
        if (wb)
            SEQ_TRY(pow_grad_exponent(&gb, g, a, y));
        break;
    case SEQ_OP_MAXIMUM:
    case SEQ_OP_MINIMUM: {
        enum seq_binop win = op == SEQ_OP_MAXIMUM ? SEQ_OP_GT : SEQ_OP_LT;
        if (wa)
            SEQ_TRY(extremum_grad(&ga, g, win, a, b));
        if (wb)
            SEQ_TRY(extremum_grad(&gb, g, win, b, a));
        break;
    }
    default:
        break; /* comparisons are never recorded */
    }
    if (ga) {
        st = reduce_to(&gin[0], n, 0, ga);
        ga = NULL;
        SEQ_TRY(st);
    }
    if (gb) {
        st = reduce_to(&gin[1], n, 1, gb);
        gb = NULL;
        SEQ_TRY(st);
    }
fail:
    seq_release(ga);
    seq_release(gb);
    seq_release(t);
    return st;
}

int seq_binary(struct seq_tensor **out, enum seq_binop op,
               struct seq_tensor *a, struct seq_tensor *b)
{
    if ((unsigned)op > SEQ_OP_GE)
        return seq_fail(SEQ_EINVAL, "binary: unknown op %d", (int)op);
    struct seq_tensor *r = NULL;
    struct seq_tensor *in[2] = {a, b};
    struct seq_node *n = NULL;
    int st = binary_raw(&r, op, a, b);
    if (st)
        return st;
    if (op < SEQ_OP_EQ && seq_dtype_is_float(r->dtype) &&
        seq_should_record(2, in)) {
        SEQ_TRY(seq_record(r, "BinaryBackward", binary_backward, 2, in, &n));
        n->iargs[0] = op;
        static const char *const names[] = {
            "AddBackward", "SubBackward", "MulBackward", "DivBackward",
            "PowBackward", "MaximumBackward", "MinimumBackward"};
        n->name = names[op];
        bool need_a = op >= SEQ_OP_MUL, need_b = op >= SEQ_OP_MUL;
        SEQ_TRY(seq_node_save(n, need_a ? a : NULL));
        SEQ_TRY(seq_node_save(n, need_b ? b : NULL));
        SEQ_TRY(seq_node_save(n, (op == SEQ_OP_DIV || op == SEQ_OP_POW) ? r
                                                                        : NULL));
    }
    *out = r;
    return SEQ_OK;
fail:
    seq_release(r);
    return st;
}

int seq_binary_scalar(struct seq_tensor **out, enum seq_binop op,
                      struct seq_tensor *a, double s, bool scalar_first)
{
    /* The number takes the tensor's kind: float tensors keep their dtype;
     * an integer tensor with a fractional number, or one no int64 holds
     * (inf, nan, |s| >= 2^63), becomes float32. */
    enum seq_dtype dt = a->dtype;
    if (dt == SEQ_INT64 && (s != floor(s) || !(fabs(s) < 0x1p63)))
        dt = SEQ_FLOAT32;
    struct seq_tensor *sc = NULL;
    int st = seq_scalar(&sc, dt, s);
    if (st)
        return st;
    st = scalar_first ? seq_binary(out, op, sc, a) : seq_binary(out, op, a, sc);
    seq_release(sc);
    return st;
}

int seq_add(struct seq_tensor **out, struct seq_tensor *a,
            struct seq_tensor *b)
{
    return seq_binary(out, SEQ_OP_ADD, a, b);
}

int seq_sub(struct seq_tensor **out, struct seq_tensor *a,
            struct seq_tensor *b)
{
    return seq_binary(out, SEQ_OP_SUB, a, b);
}

int seq_mul(struct seq_tensor **out, struct seq_tensor *a,
            struct seq_tensor *b)
{
    return seq_binary(out, SEQ_OP_MUL, a, b);
}

int seq_div(struct seq_tensor **out, struct seq_tensor *a,
            struct seq_tensor *b)
{
    return seq_binary(out, SEQ_OP_DIV, a, b);
}

int seq_pow(struct seq_tensor **out, struct seq_tensor *a,
            struct seq_tensor *b)
{
    return seq_binary(out, SEQ_OP_POW, a, b);
}

int seq_maximum(struct seq_tensor **out, struct seq_tensor *a,
                struct seq_tensor *b)
{
    return seq_binary(out, SEQ_OP_MAXIMUM, a, b);
}

int seq_minimum(struct seq_tensor **out, struct seq_tensor *a,
                struct seq_tensor *b)
{
    return seq_binary(out, SEQ_OP_MINIMUM, a, b);
}

/* ---- unary ops --------------------------------------------------------- */

/* saved[0] = input, saved[1] = output. */
static int unary_backward(struct seq_node *n, struct seq_tensor *g,
                          struct seq_tensor **gin)
{
    enum seq_unop op = (enum seq_unop)n->iargs[0];
    struct seq_tensor *x = n->saved[0], *y = n->saved[1];
    struct seq_tensor *t1 = NULL, *t2 = NULL, *c = NULL;
    int st = SEQ_OK;
    switch (op) {
    case SEQ_OP_NEG: /* d(-x) = -dx */
        SEQ_TRY(unary_raw(&gin[0], SEQ_OP_NEG, g));
        break;
    case SEQ_OP_EXP: /* d(e^x) = e^x dx */
        SEQ_TRY(binary_raw(&gin[0], SEQ_OP_MUL, g, y));
        break;
    case SEQ_OP_LOG: /* d(ln x) = dx / x */
        SEQ_TRY(binary_raw(&gin[0], SEQ_OP_DIV, g, x));
        break;
    case SEQ_OP_SQRT: /* d(sqrt x) = dx / (2 sqrt x) */
        SEQ_TRY(scalar_like(&c, y, 2.0));
        SEQ_TRY(binary_raw(&t1, SEQ_OP_MUL, y, c));
        SEQ_TRY(binary_raw(&gin[0], SEQ_OP_DIV, g, t1));
        break;
    case SEQ_OP_ABS: /* d|x| = sign(x) dx (0 at 0) */
        SEQ_TRY(unary_raw(&t1, SEQ_OP_SIGN, x));
        SEQ_TRY(binary_raw(&gin[0], SEQ_OP_MUL, g, t1));
        break;
    case SEQ_OP_TANH: /* d(tanh x) = (1 - tanh^2 x) dx */
        SEQ_TRY(unary_raw(&t1, SEQ_OP_SQUARE, y));
        SEQ_TRY(scalar_like(&c, y, 1.0));
        SEQ_TRY(binary_raw(&t2, SEQ_OP_SUB, c, t1));
        SEQ_TRY(binary_raw(&gin[0], SEQ_OP_MUL, g, t2));
        break;
    case SEQ_OP_SIGMOID: /* d(s(x)) = s(x) (1 - s(x)) dx */
        SEQ_TRY(scalar_like(&c, y, 1.0));
        SEQ_TRY(binary_raw(&t1, SEQ_OP_SUB, c, y));
        SEQ_TRY(binary_raw(&t2, SEQ_OP_MUL, y, t1));
        SEQ_TRY(binary_raw(&gin[0], SEQ_OP_MUL, g, t2));
        break;
    case SEQ_OP_RELU: /* d(max(x, 0)) = [x > 0] dx */
        SEQ_TRY(scalar_like(&c, x, 0.0));
        SEQ_TRY(binary_raw(&t1, SEQ_OP_GT, x, c));
        SEQ_TRY(binary_raw(&gin[0], SEQ_OP_MUL, g, t1));
        break;
    case SEQ_OP_SIGN: /* piecewise constant: zero gradient */
        SEQ_TRY(seq_zeros_like(&gin[0], g));
        break;
    case SEQ_OP_SQUARE: /* d(x^2) = 2x dx */
        SEQ_TRY(scalar_like(&c, x, 2.0));
        SEQ_TRY(binary_raw(&t1, SEQ_OP_MUL, x, c));
        SEQ_TRY(binary_raw(&gin[0], SEQ_OP_MUL, g, t1));
        break;
    }
fail:
    seq_release(t1);
    seq_release(t2);
    seq_release(c);
    return st;
}

int seq_unary(struct seq_tensor **out, enum seq_unop op,
              struct seq_tensor *a)
{
    if ((unsigned)op > SEQ_OP_SQUARE)
        return seq_fail(SEQ_EINVAL, "unary: unknown op %d", (int)op);
    struct seq_tensor *r = NULL;
    struct seq_node *n = NULL;
    int st = unary_raw(&r, op, a);
    if (st)
        return st;
    if (seq_dtype_is_float(r->dtype) && seq_should_record(1, &a)) {
        static const char *const names[] = {
            "NegBackward",  "ExpBackward",     "LogBackward",
            "SqrtBackward", "AbsBackward",     "TanhBackward",
            "SigmoidBackward", "ReluBackward", "SignBackward",
            "SquareBackward"};
        SEQ_TRY(seq_record(r, names[op], unary_backward, 1, &a, &n));
        n->iargs[0] = op;
        bool need_x = op == SEQ_OP_LOG || op == SEQ_OP_ABS ||
                      op == SEQ_OP_RELU || op == SEQ_OP_SQUARE;
        bool need_y = op == SEQ_OP_EXP || op == SEQ_OP_SQRT ||
                      op == SEQ_OP_TANH || op == SEQ_OP_SIGMOID;
        SEQ_TRY(seq_node_save(n, need_x ? a : NULL));
        SEQ_TRY(seq_node_save(n, need_y ? r : NULL));
    }
    *out = r;
    return SEQ_OK;
fail:
    seq_release(r);
    return st;
}

int seq_neg(struct seq_tensor **out, struct seq_tensor *a)
{
    return seq_unary(out, SEQ_OP_NEG, a);
}

int seq_exp(struct seq_tensor **out, struct seq_tensor *a)
{
    return seq_unary(out, SEQ_OP_EXP, a);
}

int seq_log(struct seq_tensor **out, struct seq_tensor *a)
{
    return seq_unary(out, SEQ_OP_LOG, a);
}

int seq_sqrt(struct seq_tensor **out, struct seq_tensor *a)
{
    return seq_unary(out, SEQ_OP_SQRT, a);
}

int seq_abs(struct seq_tensor **out, struct seq_tensor *a)
{
    return seq_unary(out, SEQ_OP_ABS, a);
}

int seq_tanh(struct seq_tensor **out, struct seq_tensor *a)
{
    return seq_unary(out, SEQ_OP_TANH, a);
}

int seq_sigmoid(struct seq_tensor **out, struct seq_tensor *a)
{
    return seq_unary(out, SEQ_OP_SIGMOID, a);
}

int seq_relu(struct seq_tensor **out, struct seq_tensor *a)
{
    return seq_unary(out, SEQ_OP_RELU, a);
}

/* ---- clamp ------------------------------------------------------------- */

struct clamp_ctx {
    enum seq_dtype dt;
    double lo, hi;
};

static void clamp_loop(void *vctx, char **p, const int64_t *s, int64_t n)
{
    const struct clamp_ctx *c = vctx;
    char *o = p[0], *x = p[1];
    for (int64_t i = 0; i < n; i++, o += s[0], x += s[1]) {
        double v = seq_load(x, c->dt);
        if (v < c->lo)
            v = c->lo;
        if (v > c->hi)
            v = c->hi;
        seq_store(o, c->dt, v);
    }
}

/* d clamp(x) = [lo <= x <= hi] dx; saved[0] = x. */
static int clamp_backward(struct seq_node *n, struct seq_tensor *g,
                          struct seq_tensor **gin)
{
    struct seq_tensor *lo = NULL, *hi = NULL, *m1 = NULL, *m2 = NULL,
                      *m = NULL, *x = n->saved[0];
    int st;
    SEQ_TRY(scalar_like(&lo, x, n->dargs[0]));
    SEQ_TRY(scalar_like(&hi, x, n->dargs[1]));
    SEQ_TRY(binary_raw(&m1, SEQ_OP_GE, x, lo));
    SEQ_TRY(binary_raw(&m2, SEQ_OP_LE, x, hi));
    SEQ_TRY(binary_raw(&m, SEQ_OP_MUL, m1, m2));
    SEQ_TRY(binary_raw(&gin[0], SEQ_OP_MUL, g, m));
fail:
    seq_release(lo);
    seq_release(hi);
    seq_release(m1);
    seq_release(m2);
    seq_release(m);
    return st;
}

int seq_clamp(struct seq_tensor **out, struct seq_tensor *a, double lo,
              double hi)
{
    if (isnan(lo))
        lo = -INFINITY;
    if (isnan(hi))
        hi = INFINITY;
    if (lo > hi)
        return seq_fail(SEQ_EINVAL, "clamp: min %g is larger than max %g",
                        lo, hi);
    struct seq_tensor *r = NULL;
    struct seq_node *n = NULL;
    int st;
    SEQ_TRY(seq_empty(&r, a->dtype, a->ndim, a->shape));
    int64_t strides[2][SEQ_MAX_DIMS];
    memcpy(strides[0], r->stride, sizeof(int64_t) * (size_t)a->ndim);
    memcpy(strides[1], a->stride, sizeof(int64_t) * (size_t)a->ndim);
    char *base[2] = {seq_data(r), seq_data(a)};
    size_t es[2] = {seq_dtype_size(a->dtype), seq_dtype_size(a->dtype)};
    struct clamp_ctx c = {a->dtype, lo, hi};
    seq_foreach(2, base, strides, es, a->ndim, a->shape, clamp_loop, &c);
    if (seq_should_record(1, &a)) {
        SEQ_TRY(seq_record(r, "ClampBackward", clamp_backward, 1, &a, &n));
        n->dargs[0] = lo;
        n->dargs[1] = hi;
        SEQ_TRY(seq_node_save(n, a));
    }
    *out = r;
    return SEQ_OK;
fail:
    seq_release(r);
    return st;
}
