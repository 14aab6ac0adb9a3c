/* rnn.c — fused sequence kernels for the Elman RNN, the LSTM and the GRU
 * (seq/rnn.h): one layer, one direction, the whole sequence per call.
 *
 * Forward: the input projection of all T steps is ONE GEMM with T*N rows;
 * each step then does one GEMM (a GEMV when N == 1, seq_gemm switches)
 * for all gates of h_{t-1} and one pointwise pass.  Backward mirrors it:
 * per step a pointwise pass and one GEMM for dh_{t-1}; after the loop
 * dW_ih = dG^T X, dW_hh = dG^T H_prev and dX = dG W_ih are one GEMM each
 * over all T*N rows.  Pointwise kernels for float32 and float64 come from
 * one macro; everything else is dtype-agnostic (bytes and seq_gemm).
 *
 * Autograd: one node per call.  A node has one output tensor, so the
 * kernel writes one packed result P (T+1, N, H) — y in rows 0..T-1, h_T in
 * row T — with c_T in row T+1 for the LSTM, records the node on P, and
 * hands out y, h_T and c_T as narrow/select views of P.  Whatever reaches
 * the views is accumulated into P's gradient by the ordinary view
 * backwards, so the node runs BPTT once with dL/dy, dL/dh_T and dL/dc_T
 * together.  The node's inputs are always the seven slots x, h0, c0,
 * w_ih, w_hh, b_ih, b_hh (NULL where absent); it saves x, w_ih, w_hh and a
 * workspace holding everything else the backward reads.
 *
 * This file does not do layers, directions or dropout: nn.RNN/LSTM/GRU in
 * app/lua/lib/nn/rnn.lua stack these calls. */
#include "internal.h"

#include <stdio.h>

#include "seq/rnn.h"

enum cell { CELL_RNN, CELL_LSTM, CELL_GRU };

static const char *const cell_op[] = {"rnn", "lstm", "gru"};
static const char *const cell_node[] = {"RnnBackward", "LstmBackward",
                                        "GruBackward"};
static const int cell_gates[] = {1, 4, 3};

/* The node's input slots. */
enum { IN_X, IN_H0, IN_C0, IN_WIH, IN_WHH, IN_BIH, IN_BHH, IN_COUNT };
/* The node's saved tensors. */
enum { SV_X, SV_WIH, SV_WHH, SV_WS };
/* The node's integer arguments. */
enum { IA_CELL, IA_T, IA_N, IA_D, IA_H, IA_REVERSE, IA_RELU };

/* ---- sizes and the workspace --------------------------------------------
 * The workspace is one flat tensor of x's dtype, indexed by time t (not by
 * processing order, so reverse needs no special case in the GEMMs):
 *   act   (T, N, G*H)  gate pre-activations, overwritten by activations
 *   hprev (T, N, H)    the state entering the step at time t
 *   ex1   (T, N, H)    LSTM: c_{t-1}; GRU: W_hn h_{t-1} + b_hn
 *   ex2   (T, N, H)    LSTM: tanh(c_t)
 * and two scratch areas only the forward uses (in the same allocation, to
 * save two small ones per call, which shows in a sampling loop):
 *   bias  (G*H)        RNN, LSTM: b_ih + b_hh
 *   gh    (N, G*H)     GRU: h_{t-1} W_hh^T + b_hh of the current step   */
struct dims {
    enum cell cell;
    int64_t T, N, D, H, G;
};

struct layout {
    int64_t act, hprev, ex1, ex2, bias, gh, total; /* offsets and size */
};

static struct layout layout_of(const struct dims *d)
{
    int64_t row = d->T * d->N * d->H, gh = d->G * d->H;
    struct layout l;
    l.act = 0;
    l.hprev = d->T * d->N * gh;
    l.ex1 = l.hprev + row;
    l.ex2 = l.ex1 + (d->cell == CELL_RNN ? 0 : row);
    l.bias = l.ex2 + (d->cell == CELL_LSTM ? row : 0);
    l.gh = l.bias + (d->cell == CELL_GRU ? 0 : gh);
    l.total = l.gh + (d->cell == CELL_GRU ? d->N * gh : 0);
    return l;
}

/* ---- pointwise kernels ----------------------------------------------------
 * One time step of N rows.  Forward reads the pre-activations in act and
 * overwrites them with the activations the backward needs; backward reads
 * those and writes dL/d(pre-activation) into dgx (and dgh, GRU). */
struct step {
    int64_t N, H;
    bool relu;
    void *act;         /* (N, G*H) pre-activations in, activations out */
    const void *gh;    /* GRU: (N, 3H) h_{t-1} W_hh^T + b_hh */
    const void *hprev; /* (N, H) h_{t-1} */
    const void *cprev; /* LSTM: (N, H) c_{t-1} */
    void *h;           /* (N, H) out: h_t */
    void *c;           /* LSTM: (N, H) out: c_t */
    void *tanhc;       /* LSTM: (N, H) out: tanh(c_t) */
    void *ghn;         /* GRU: (N, H) out: W_hn h_{t-1} + b_hn */
    /* backward */
    const void *dy; /* (N, H) dL/dy_t from the output */
    void *dhc;      /* (N, H) in: dL/dh_t through step t+1;
                     * out (GRU only): the direct part z dh of dL/dh_{t-1} */
    void *dc;       /* LSTM: (N, H) in: dL/dc_t through step t+1;
                     * out: dL/dc_{t-1} */
    void *dgx;      /* (N, G*H) out: dL/d(x-side pre-activations) */
    void *dgh;      /* GRU: (N, 3H) out: dL/d(h-side pre-activations) */
};

/* float32 also has vector kernels for x86-64 CPUs with AVX2, built with
 * GCC or clang and chosen at run time (below); the scalar kernels of the
 * macro serve every other machine. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(SEQ_NO_SIMD)
#define RNN_SIMD 1
#endif

/* tanh for float32 through expf: 1 - 2 / (e^(2|x|) + 1) with the sign put
 * back, and the Taylor polynomial x - x^3/3 below |x| = 0.004, where the
 * subtraction would cancel.  Within 1.1e-7 of the exact tanh everywhere
 * (tanhf: 0.9e-7) and about three times faster than tanhf, which bounds
 * the LSTM forward at moderate batch sizes.  float64 uses libm's tanh. */
static inline float tanh_f32(float x)
{
    float a = fabsf(x);
    float r = a < 0.004f ? a - a * a * a * (1.0f / 3.0f)
                         : 1.0f - 2.0f / (expf(2.0f * a) + 1.0f);
    return copysignf(r, x);
}

#define DEF_CELL_KERNELS(SFX, T, EXP, TANH)                                    \
    /* Safe without a branch in IEEE arithmetic: for very negative v,          \
     * EXP(-v) = inf and 1 / inf = 0.  Gate signs are random, so a             \
     * branch on them would be mispredicted half the time. */                  \
    static inline T sigmoid_##SFX(T v)                                         \
    {                                                                          \
        return (T)1 / ((T)1 + EXP(-v));                                        \
    }                                                                          \
                                                                               \
    /* h = tanh(p) or relu(p). */                                              \
    static void rnn_forward_##SFX(const struct step *s)                        \
    {                                                                          \
        T *a = s->act, *h = s->h;                                              \
        for (int64_t i = 0; i < s->N * s->H; i++) {                            \
            T v = a[i];                                                        \
            v = s->relu ? ((v > 0 || v != v) ? v : (T)0) : TANH(v);            \
            a[i] = v;                                                          \
            h[i] = v;                                                          \
        }                                                                      \
    }                                                                          \
                                                                               \
    /* dp = dh (1 - h^2) for tanh, dh [h > 0] for relu, with                   \
     * dh = dy_t + (dL/dh_t through step t+1). */                              \
    static void rnn_backward_##SFX(const struct step *s)                       \
    {                                                                          \
        const T *a = s->act, *dy = s->dy, *dhc = s->dhc;                       \
        T *dg = s->dgx;                                                        \
        for (int64_t i = 0; i < s->N * s->H; i++) {                            \
            T dh = dy[i] + dhc[i], h = a[i];                                   \
            dg[i] = s->relu ? (h > 0 ? dh : (T)0) : dh * ((T)1 - h * h);       \
        }                                                                      \
    }                                                                          \
                                                                               \
    /* i, f, o = sigmoid, g = tanh; c = f c_prev + i g; h = o tanh(c). */      \
    static void lstm_forward_##SFX(const struct step *s)                       \
    {                                                                          \
        int64_t H = s->H;                                                      \
        for (int64_t n = 0; n < s->N; n++) {                                   \
            T *a = (T *)s->act + n * 4 * H;                                    \
            const T *cp = (const T *)s->cprev + n * H;                         \
            T *c = (T *)s->c + n * H, *tc = (T *)s->tanhc + n * H;             \
            T *h = (T *)s->h + n * H;                                          \
            for (int64_t j = 0; j < H; j++) {                                  \
                T i = sigmoid_##SFX(a[j]), f = sigmoid_##SFX(a[H + j]);        \
                T g = TANH(a[2 * H + j]), o = sigmoid_##SFX(a[3 * H + j]);     \
                T cn = f * cp[j] + i * g, t = TANH(cn);                        \
                a[j] = i;                                                      \
                a[H + j] = f;                                                  \
                a[2 * H + j] = g;                                              \
                a[3 * H + j] = o;                                              \
                c[j] = cn;                                                     \
                tc[j] = t;                                                     \
                h[j] = o * t;                                                  \
            }                                                                  \
        }                                                                      \
    }                                                                          \
                                                                               \
    /* From h = o tanh(c) and c = f c_prev + i g:                              \
     *   dc = dc_next + dh o (1 - tanh(c)^2)                                   \
     *   di = dc g, df = dc c_prev, dg = dc i, do = dh tanh(c),                \
     *   dc_prev = dc f,                                                       \
     * then through the activations: sigmoid' = s (1 - s), tanh' = 1 - t^2.    \
     */                                                                        \
    static void lstm_backward_##SFX(const struct step *s)                      \
    {                                                                          \
        int64_t H = s->H;                                                      \
        for (int64_t n = 0; n < s->N; n++) {                                   \
            const T *a = (const T *)s->act + n * 4 * H;                        \
            const T *cp = (const T *)s->cprev + n * H;                         \
            const T *tc = (const T *)s->tanhc + n * H;                         \
            const T *dy = (const T *)s->dy + n * H;                            \
            const T *dhc = (const T *)s->dhc + n * H;                          \
            T *dc = (T *)s->dc + n * H, *dg = (T *)s->dgx + n * 4 * H;         \
            for (int64_t j = 0; j < H; j++) {                                  \
                T i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j];  \
                T t = tc[j], dh = dy[j] + dhc[j];                              \
                T dct = dc[j] + dh * o * ((T)1 - t * t);                       \
                dg[j] = dct * g * i * ((T)1 - i);                              \
                dg[H + j] = dct * cp[j] * f * ((T)1 - f);                      \
                dg[2 * H + j] = dct * i * ((T)1 - g * g);                      \
                dg[3 * H + j] = dh * t * o * ((T)1 - o);                       \
                dc[j] = dct * f;                                               \
            }                                                                  \
        }                                                                      \
    }                                                                          \
                                                                               \
    /* act holds the x side (W_i* x + b_i*), gh the h side (W_h* h + b_h*):    \
     * r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z),                         \
     * n = tanh(x_n + r h_n), h = (1 - z) n + z h_prev. */                     \
    static void gru_forward_##SFX(const struct step *s)                        \
    {                                                                          \
        int64_t H = s->H;                                                      \
        for (int64_t n = 0; n < s->N; n++) {                                   \
            T *a = (T *)s->act + n * 3 * H;                                    \
            const T *gh = (const T *)s->gh + n * 3 * H;                        \
            const T *hp = (const T *)s->hprev + n * H;                         \
            T *ghn = (T *)s->ghn + n * H, *h = (T *)s->h + n * H;              \
            for (int64_t j = 0; j < H; j++) {                                  \
                T r = sigmoid_##SFX(a[j] + gh[j]);                             \
                T z = sigmoid_##SFX(a[H + j] + gh[H + j]);                     \
                T nn = TANH(a[2 * H + j] + r * gh[2 * H + j]);                 \
                a[j] = r;                                                      \
                a[H + j] = z;                                                  \
                a[2 * H + j] = nn;                                             \
                ghn[j] = gh[2 * H + j];                                        \
                h[j] = ((T)1 - z) * nn + z * hp[j];                            \
            }                                                                  \
        }                                                                      \
    }                                                                          \
                                                                               \
    /* From h = (1 - z) n + z h_prev and n = tanh(x_n + r h_n):                \
     *   dn = dh (1 - z), dz = dh (h_prev - n), dh_prev (direct) = dh z,       \
     *   dn_pre = dn (1 - n^2): dx_n = dn_pre, dh_n = dn_pre r,                \
     *   dr = dn_pre h_n; r and z see the same pre-activation gradient on      \
     * both sides (their pre-activations are plain sums). */                   \
    static void gru_backward_##SFX(const struct step *s)                       \
    {                                                                          \
        int64_t H = s->H;                                                      \
        for (int64_t n = 0; n < s->N; n++) {                                   \
            const T *a = (const T *)s->act + n * 3 * H;                        \
            const T *hp = (const T *)s->hprev + n * H;                         \
            const T *ghn = (const T *)s->ghn + n * H;                          \
            const T *dy = (const T *)s->dy + n * H;                            \
            T *dhc = (T *)s->dhc + n * H;                                      \
            T *dgx = (T *)s->dgx + n * 3 * H, *dgh = (T *)s->dgh + n * 3 * H;  \
            for (int64_t j = 0; j < H; j++) {                                  \
                T r = a[j], z = a[H + j], nn = a[2 * H + j];                   \
                T dh = dy[j] + dhc[j];                                         \
                T dnp = dh * ((T)1 - z) * ((T)1 - nn * nn);                    \
                T dzp = dh * (hp[j] - nn) * z * ((T)1 - z);                    \
                T drp = dnp * ghn[j] * r * ((T)1 - r);                         \
                dgx[j] = dgh[j] = drp;                                         \
                dgx[H + j] = dgh[H + j] = dzp;                                 \
                dgx[2 * H + j] = dnp;                                          \
                dgh[2 * H + j] = dnp * r;                                      \
                dhc[j] = dh * z;                                               \
            }                                                                  \
        }                                                                      \
    }

DEF_CELL_KERNELS(f32, float, expf, tanh_f32)
DEF_CELL_KERNELS(f64, double, exp, tanh)

/* ---- float32 kernels on vectors ------------------------------------------
 * The float32 gate passes bound the forward at small and moderate sizes
 * (expf is a libm call per gate and element, and -O2 does not vectorise
 * loops around calls).  On x86-64 CPUs with AVX2 they run on 8-lane
 * vectors (GNU vector extensions; the kernels carry target("avx2") and
 * are picked at run time, so the build needs no flags and still runs on
 * any x86-64) with an exp of their own: Cephes' expf, the range reduction
 * x = n ln2 + r and a degree-6 polynomial, within 2 ulp of libm's.  The
 * last n mod 8 entries of a row go through the same code on a zero-padded
 * copy, so every entry is computed the same way.  sigmoid and tanh are the
 * forms of the scalar code above: 1 / (1 + e^-x), and 1 - 2 / (e^2|x| + 1)
 * with x - x^3/3 below |x| = 0.004, the sign put back.  Both stay within
 * 2.5e-7 of the exact functions, NaN propagates and +-inf give the limits
 * (scripts/bench/check_f32.lua checks all of this against float64); the
 * scalar kernels differ from them by a few ulp.  float64 keeps libm: the
 * equivalence tests hold it to 1e-12 of the unfused engine ops.
 *
 * About 3x faster than the scalar kernels (LSTM forward, 6.9 against 22
 * ns per element at N = 32, H = 256).  The same code on SSE2 alone runs
 * 2x slower than scalar (8-lane vectors do not fit 16 registers of 4
 * lanes), hence no baseline version.  Vectors never cross a function
 * boundary by value (helpers take pointers and are always inlined), which
 * keeps 32-byte vectors out of the SSE2 calling convention. */
#ifdef RNN_SIMD
typedef float vf __attribute__((vector_size(32)));
typedef int32_t vi __attribute__((vector_size(32)));
enum { VL = 8 };

#define SIMD_KERNEL __attribute__((target("avx2"))) static void
#define SIMD_INLINE static inline __attribute__((always_inline))

#define VSET(v) ((vf){(v), (v), (v), (v), (v), (v), (v), (v)})
/* lanes of a where m is all ones, of b where it is zero */
#define VSELECT(m, a, b) ((vf)(((vi)(a) & (m)) | ((vi)(b) & ~(m))))

/* *v = n (<= VL) floats from p, zero in the other lanes */
SIMD_INLINE void vload(vf *v, const float *p, int64_t n)
{
    *v = VSET(0.0f);
    memcpy(v, p, (size_t)n * sizeof(float));
}

SIMD_INLINE void vstore(float *p, const vf *v, int64_t n)
{
    memcpy(p, v, (size_t)n * sizeof(float));
}

/* Runs the body (the macro's last argument) for j = 0, VL, 2 VL, ... < n
 * with w = the lanes in use: VL as a constant in full blocks (so vload and
 * vstore compile to plain vector moves), n - j in the last, partial one. */
#define FOR_LANES(j, w, n, ...)                                                \
    for (int64_t j = 0; j < (n); j += VL) {                                    \
        if ((n) - j >= VL) {                                                   \
            const int64_t w = VL;                                              \
            __VA_ARGS__                                                        \
        } else {                                                               \
            const int64_t w = (n) - j;                                         \
            __VA_ARGS__                                                        \
        }                                                                      \
    }

/* *x = e^*x */
SIMD_INLINE void v_exp(vf *x)
{
    const vf hi = VSET(88.3762626647949f), lo = VSET(-88.3762626647949f);
    vf v = *x;
    vi over = v > hi, under = v < lo, nan = v != v;
    /* clamped, NaN replaced by 0 so that the conversion below is defined */
    vf xc = VSELECT(over, hi, VSELECT(under, lo, VSELECT(nan, VSET(0.0f), v)));
    /* n = floor(x log2(e) + 1/2): truncate, then step down where the
     * truncation went up (negative values) */
    vf fx = xc * VSET(1.44269504088896341f) + VSET(0.5f);
    vi n = __builtin_convertvector(fx, vi);
    n += __builtin_convertvector(n, vf) > fx; /* true is -1 */
    vf nf = __builtin_convertvector(n, vf);
    /* r = x - n ln2, with ln2 split in two for the precision */
    vf r = xc - nf * VSET(0.693359375f) - nf * VSET(-2.12194440e-4f);
    vf p = VSET(1.9875691500e-4f);
    p = p * r + VSET(1.3981999507e-3f);
    p = p * r + VSET(8.3334519073e-3f);
    p = p * r + VSET(4.1665795894e-2f);
    p = p * r + VSET(1.6666665459e-1f);
    p = p * r + VSET(5.0000001201e-1f);
    vf y = p * (r * r) + r + VSET(1.0f);
    /* times 2^n through its exponent bits; n is in [-127, 127], and
     * n = -127 gives 0 where the exact result would be subnormal */
    y *= (vf)((n + 127) << 23);
    y = VSELECT(over, VSET(__builtin_inff()), y);
    y = VSELECT(under, VSET(0.0f), y);
    *x = VSELECT(nan, v, y);
}

/* *x = 1 / (1 + e^-*x) */
SIMD_INLINE void v_sigmoid(vf *x)
{
    vf e = -*x;
    v_exp(&e);
    *x = VSET(1.0f) / (VSET(1.0f) + e);
}

/* *x = tanh(*x) */
SIMD_INLINE void v_tanh(vf *x)
{
    const vi sbit = (vi)VSET(-0.0f); /* the sign bits */
    vf v = *x;
    vf a = (vf)((vi)v & ~sbit);
    vf e = VSET(2.0f) * a;
    v_exp(&e);
    vf big = VSET(1.0f) - VSET(2.0f) / (e + VSET(1.0f));
    vf small = a - a * a * a * VSET(1.0f / 3.0f);
    vf r = VSELECT(a < VSET(0.004f), small, big);
    *x = (vf)((vi)r | ((vi)v & sbit));
}

/* h = tanh(p) or relu(p) over the N*H contiguous entries. */
SIMD_KERNEL rnn_forward_v32(const struct step *s)
{
    float *a = s->act, *h = s->h;
    const int64_t n = s->N * s->H;
    FOR_LANES(i, w, n, {
        vf v;
        vload(&v, a + i, w);
        if (s->relu)
            v = VSELECT((v > VSET(0.0f)) | (v != v), v, VSET(0.0f));
        else
            v_tanh(&v);
        vstore(a + i, &v, w);
        vstore(h + i, &v, w);
    })
}

SIMD_KERNEL rnn_backward_v32(const struct step *s)
{
    const float *a = s->act, *dy = s->dy, *dhc = s->dhc;
    float *dg = s->dgx;
    const int64_t n = s->N * s->H;
    FOR_LANES(i, w, n, {
        vf y, c, h, d;
        vload(&y, dy + i, w);
        vload(&c, dhc + i, w);
        vload(&h, a + i, w);
        vf dh = y + c;
        if (s->relu)
            d = VSELECT(h > VSET(0.0f), dh, VSET(0.0f));
        else
            d = dh * (VSET(1.0f) - h * h);
        vstore(dg + i, &d, w);
    })
}

SIMD_KERNEL lstm_forward_v32(const struct step *s)
{
    const int64_t H = s->H;
    for (int64_t n = 0; n < s->N; n++) {
        float *a = (float *)s->act + n * 4 * H;
        const float *cp = (const float *)s->cprev + n * H;
        float *c = (float *)s->c + n * H, *tc = (float *)s->tanhc + n * H;
        float *h = (float *)s->h + n * H;
        FOR_LANES(j, w, H, {
            vf i, f, g, o, c0;
            vload(&i, a + j, w);
            vload(&f, a + H + j, w);
            vload(&g, a + 2 * H + j, w);
            vload(&o, a + 3 * H + j, w);
            vload(&c0, cp + j, w);
            v_sigmoid(&i);
            v_sigmoid(&f);
            v_tanh(&g);
            v_sigmoid(&o);
            vf cn = f * c0 + i * g, t = cn;
            v_tanh(&t);
            vf hv = o * t;
            vstore(a + j, &i, w);
            vstore(a + H + j, &f, w);
            vstore(a + 2 * H + j, &g, w);
            vstore(a + 3 * H + j, &o, w);
            vstore(c + j, &cn, w);
            vstore(tc + j, &t, w);
            vstore(h + j, &hv, w);
        })
    }
}

SIMD_KERNEL lstm_backward_v32(const struct step *s)
{
    const int64_t H = s->H;
    const vf one = VSET(1.0f);
    for (int64_t n = 0; n < s->N; n++) {
        const float *a = (const float *)s->act + n * 4 * H;
        const float *cp = (const float *)s->cprev + n * H;
        const float *tc = (const float *)s->tanhc + n * H;
        const float *dy = (const float *)s->dy + n * H;
        const float *dhc = (const float *)s->dhc + n * H;
        float *dc = (float *)s->dc + n * H, *dg = (float *)s->dgx + n * 4 * H;
        FOR_LANES(j, w, H, {
            vf i, f, g, o, t, y, hc, c1, c0;
            vload(&i, a + j, w);
            vload(&f, a + H + j, w);
            vload(&g, a + 2 * H + j, w);
            vload(&o, a + 3 * H + j, w);
            vload(&t, tc + j, w);
            vload(&y, dy + j, w);
            vload(&hc, dhc + j, w);
            vload(&c1, dc + j, w);
            vload(&c0, cp + j, w);
            vf dh = y + hc;
            vf dct = c1 + dh * o * (one - t * t);
            vf di = dct * g * i * (one - i), df = dct * c0 * f * (one - f);
            vf dgg = dct * i * (one - g * g), dO = dh * t * o * (one - o);
            vf dcp = dct * f;
            vstore(dg + j, &di, w);
            vstore(dg + H + j, &df, w);
            vstore(dg + 2 * H + j, &dgg, w);
            vstore(dg + 3 * H + j, &dO, w);
            vstore(dc + j, &dcp, w);
        })
    }
}

SIMD_KERNEL gru_forward_v32(const struct step *s)
{
    const int64_t H = s->H;
    for (int64_t n = 0; n < s->N; n++) {
        float *a = (float *)s->act + n * 3 * H;
        const float *gh = (const float *)s->gh + n * 3 * H;
        const float *hp = (const float *)s->hprev + n * H;
        float *ghn = (float *)s->ghn + n * H, *h = (float *)s->h + n * H;
        FOR_LANES(j, w, H, {
            vf xr, xz, xn, hr, hz, hn, h0;
            vload(&xr, a + j, w);
            vload(&xz, a + H + j, w);
            vload(&xn, a + 2 * H + j, w);
            vload(&hr, gh + j, w);
            vload(&hz, gh + H + j, w);
            vload(&hn, gh + 2 * H + j, w);
            vload(&h0, hp + j, w);
            vf r = xr + hr, z = xz + hz;
            v_sigmoid(&r);
            v_sigmoid(&z);
            vf nn = xn + r * hn;
            v_tanh(&nn);
            vf hv = (VSET(1.0f) - z) * nn + z * h0;
            vstore(a + j, &r, w);
            vstore(a + H + j, &z, w);
            vstore(a + 2 * H + j, &nn, w);
            vstore(ghn + j, &hn, w);
            vstore(h + j, &hv, w);
        })
    }
}

SIMD_KERNEL gru_backward_v32(const struct step *s)
{
    const int64_t H = s->H;
    const vf one = VSET(1.0f);
    for (int64_t n = 0; n < s->N; n++) {
        const float *a = (const float *)s->act + n * 3 * H;
        const float *hp = (const float *)s->hprev + n * H;
        const float *ghn = (const float *)s->ghn + n * H;
        const float *dy = (const float *)s->dy + n * H;
        float *dhc = (float *)s->dhc + n * H;
        float *dgx = (float *)s->dgx + n * 3 * H;
        float *dgh = (float *)s->dgh + n * 3 * H;
        FOR_LANES(j, w, H, {
            vf r, z, nn, y, hc, h0, hn;
            vload(&r, a + j, w);
            vload(&z, a + H + j, w);
            vload(&nn, a + 2 * H + j, w);
            vload(&y, dy + j, w);
            vload(&hc, dhc + j, w);
            vload(&h0, hp + j, w);
            vload(&hn, ghn + j, w);
            vf dh = y + hc;
            vf dnp = dh * (one - z) * (one - nn * nn);
            vf dzp = dh * (h0 - nn) * z * (one - z);
            vf drp = dnp * hn * r * (one - r);
            vf dnh = dnp * r, dhp = dh * z;
            vstore(dgx + j, &drp, w);
            vstore(dgh + j, &drp, w);
            vstore(dgx + H + j, &dzp, w);
            vstore(dgh + H + j, &dzp, w);
            vstore(dgx + 2 * H + j, &dnp, w);
            vstore(dgh + 2 * H + j, &dnh, w);
            vstore(dhc + j, &dhp, w);
        })
    }
}
#endif

typedef void (*step_fn)(const struct step *s);

/* [dtype][cell]; float32 and float64 are 0 and 1 in enum seq_dtype. */
static const step_fn forward_kernels[2][3] = {
    {rnn_forward_f32, lstm_forward_f32, gru_forward_f32},
    {rnn_forward_f64, lstm_forward_f64, gru_forward_f64},
};
static const step_fn backward_kernels[2][3] = {
    {rnn_backward_f32, lstm_backward_f32, gru_backward_f32},
    {rnn_backward_f64, lstm_backward_f64, gru_backward_f64},
};

/* The kernel for dtype and cell: the vector one for float32 where the CPU
 * has AVX2. */
static step_fn pick_kernel(enum seq_dtype dt, enum cell cell, bool forward)
{
#ifdef RNN_SIMD
    static const step_fn v32[2][3] = {
        {rnn_backward_v32, lstm_backward_v32, gru_backward_v32},
        {rnn_forward_v32, lstm_forward_v32, gru_forward_v32},
    };
    if (dt == SEQ_FLOAT32 && __builtin_cpu_supports("avx2"))
        return v32[forward][cell];
#endif
    return forward ? forward_kernels[dt][cell] : backward_kernels[dt][cell];
}

/* ---- argument checks ----------------------------------------------------- */

static const char *const slot_name[] = {"h0",        "c0",      "weight_ih",
                                        "weight_hh", "bias_ih", "bias_hh"};

static int check_dtype(const char *op, const struct seq_tensor *x,
                       const struct seq_tensor *t, const char *name)
{
    if (t && t->dtype != x->dtype)
        return seq_fail(SEQ_EDTYPE, "%s: %s is %s but the input is %s", op,
                        name, seq_dtype_name(t->dtype),
                        seq_dtype_name(x->dtype));
    return SEQ_OK;
}

static int check_shape(const char *op, const struct seq_tensor *t,
                       const char *name, int ndim, const int64_t *want,
                       const char *why)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF];
    bool ok = t->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++)
        ok = t->shape[i] == want[i];
    if (!ok)
        return seq_fail(SEQ_ESHAPE, "%s: %s has shape %s, expected %s %s", op,
                        name, seq_shape_str(b1, sizeof b1, t->ndim, t->shape),
                        seq_shape_str(b2, sizeof b2, ndim, want), why);
    return SEQ_OK;
}

/* Validates in[] (IN_COUNT slots, x and the weights required) and reads
 * the sizes: H from weight_hh, D and (T, N) from x. */
static int check_args(struct dims *d, struct seq_tensor *const *in)
{
    char b1[SEQ_SHAPE_BUF], b2[SEQ_SHAPE_BUF], why[160];
    const char *op = cell_op[d->cell];
    const struct seq_tensor *x = in[IN_X], *whh = in[IN_WHH];
    int st;
    d->G = cell_gates[d->cell];
    if (!seq_dtype_is_float(x->dtype))
        return seq_fail(SEQ_EDTYPE,
                        "%s: the input must be float32 or float64, got %s", op,
                        seq_dtype_name(x->dtype));
    for (int i = IN_H0; i < IN_COUNT; i++)
        if ((st = check_dtype(op, x, in[i], slot_name[i - 1])))
            return st;
    if (x->ndim != 3)
        return seq_fail(SEQ_ESHAPE,
                        "%s: the input must be 3-d (T, N, D), got %s", op,
                        seq_shape_str(b1, sizeof b1, x->ndim, x->shape));
    d->T = x->shape[0];
    d->N = x->shape[1];
    d->D = x->shape[2];
    if (d->T < 1 || d->N < 1 || d->D < 1)
        return seq_fail(SEQ_ESHAPE,
                        "%s: the input %s has an empty dimension (need at "
                        "least one time step, batch entry and feature)",
                        op, seq_shape_str(b1, sizeof b1, 3, x->shape));
    if (whh->ndim != 2 || whh->shape[1] < 1 ||
        whh->shape[0] != d->G * whh->shape[1])
        return seq_fail(SEQ_ESHAPE,
                        "%s: weight_hh has shape %s, expected (%d*H, H) "
                        "with the hidden size H >= 1",
                        op, seq_shape_str(b1, sizeof b1, whh->ndim, whh->shape),
                        (int)d->G);
    d->H = whh->shape[1];
    int64_t gh = d->G * d->H;
    snprintf(why, sizeof why, "for the input %s and hidden size %lld",
             seq_shape_str(b2, sizeof b2, 3, x->shape), (long long)d->H);
    int64_t w_ih[2] = {gh, d->D}, state[2] = {d->N, d->H}, bias[1] = {gh};
    if ((st = check_shape(op, in[IN_WIH], "weight_ih", 2, w_ih, why)))
        return st;
    for (int i = IN_H0; i <= IN_C0; i++)
        if (in[i] &&
            (st = check_shape(op, in[i], slot_name[i - 1], 2, state, why)))
            return st;
    for (int i = IN_BIH; i <= IN_BHH; i++)
        if (in[i] &&
            (st = check_shape(op, in[i], slot_name[i - 1], 1, bias, why)))
            return st;
    return SEQ_OK;
}

/* ---- forward ------------------------------------------------------------- */

static inline char *at(void *base, int64_t elems, size_t es)
{
    return (char *)base + elems * (int64_t)es;
}

/* Every row of dst (rows, cols) = v (cols); nothing when v is NULL (the
 * GEMM that follows then runs with beta = 0). */
static void fill_rows(void *dst, int64_t rows, int64_t cols, const void *v,
                      size_t es)
{
    size_t n = (size_t)cols * es;
    for (int64_t r = 0; v && r < rows; r++)
        memcpy(at(dst, r * cols, es), v, n);
}

/* The contiguous inputs of one call, in x's dtype. */
struct operands {
    void *x, *h0, *c0, *wih, *whh;
    void *bx; /* bias added to the x side: b_ih + b_hh (GRU: b_ih only) */
    void *bh; /* bias added to the h side every step (GRU: b_hh) */
};

/* Runs the recurrence.  P (T+1 or T+2, N, H) gets y, h_T, c_T; ws the
 * workspace; gh is (N, G*H) scratch for the GRU. */
static int run_forward(const struct dims *d, bool reverse, bool relu,
                       enum seq_dtype dt, const struct operands *in, void *P,
                       void *ws, void *gh)
{
    const struct layout l = layout_of(d);
    const size_t es = seq_dtype_size(dt);
    const int64_t T = d->T, N = d->N, H = d->H, GH = d->G * d->H;
    const int64_t row = N * H; /* elements of one (N, H) state */
    const size_t row_bytes = (size_t)row * es;
    char *act = at(ws, l.act, es), *hprev = at(ws, l.hprev, es);
    char *ex1 = (char *)ws, *ex2 = (char *)ws; /* used by LSTM and GRU */
    if (d->cell != CELL_RNN)
        ex1 = at(ws, l.ex1, es);
    if (d->cell == CELL_LSTM)
        ex2 = at(ws, l.ex2, es);
    step_fn fw = pick_kernel(dt, d->cell, true);
    int st;

    /* all input projections at once: act = X W_ih^T + bias, (T*N, G*H) */
    fill_rows(act, T * N, GH, in->bx, es);
    seq_gemm(dt, false, true, T * N, GH, d->D, 1.0, in->x, d->D, in->wih, d->D,
             in->bx ? 1.0 : 0.0, act, GH);

    int64_t tprev = 0;
    for (int64_t s = 0; s < T; s++) {
        if ((st = seq_poll_cancel()))
            return st;
        int64_t t = reverse ? T - 1 - s : s;
        int64_t tnext = reverse ? t - 1 : t + 1;
        struct step k = {.N = N, .H = H, .relu = relu};
        char *hp = at(hprev, t * row, es);
        if (s == 0) {
            if (in->h0)
                memcpy(hp, in->h0, row_bytes);
            else
                memset(hp, 0, row_bytes);
        } else {
            memcpy(hp, at(P, tprev * row, es), row_bytes);
        }
        k.act = at(act, t * N * GH, es);
        k.hprev = hp;
        k.h = at(P, t * row, es);
        if (d->cell == CELL_GRU) {
            /* gh = h_{t-1} W_hh^T + b_hh: r needs its n part on its own */
            fill_rows(gh, N, GH, in->bh, es);
            seq_gemm(dt, false, true, N, GH, H, 1.0, hp, H, in->whh, H,
                     in->bh ? 1.0 : 0.0, gh, GH);
            k.gh = gh;
            k.ghn = at(ex1, t * row, es);
        } else {
            seq_gemm(dt, false, true, N, GH, H, 1.0, hp, H, in->whh, H, 1.0,
                     k.act, GH);
        }
        if (d->cell == CELL_LSTM) {
            char *cp = at(ex1, t * row, es);
            if (s == 0) {
                if (in->c0)
                    memcpy(cp, in->c0, row_bytes);
                else
                    memset(cp, 0, row_bytes);
            }
            k.cprev = cp;
            /* c_t is the next step's c_prev; the last one is c_T in P */
            k.c =
                s + 1 < T ? at(ex1, tnext * row, es) : at(P, (T + 1) * row, es);
            k.tanhc = at(ex2, t * row, es);
        }
        fw(&k);
        tprev = t;
    }
    memcpy(at(P, T * row, es), at(P, tprev * row, es), row_bytes);
    return SEQ_OK;
}

/* ---- backward ------------------------------------------------------------ */

/* P = kernel(x, h0, c0, W_ih, W_hh, b_ih, b_hh); g = dL/dP holds dL/dy in
 * rows 0..T-1, dL/dh_T in row T and dL/dc_T in row T+1.  Walking the steps
 * in the opposite order to the forward:
 *   dG_t = pointwise(dy_t + dh_carry, ...)       (N, G*H)
 *   dh_carry = dGh_t W_hh (+ z dh for the GRU)   one GEMM per step
 * and afterwards, over all T*N rows at once:
 *   dX = dGx W_ih, dW_ih = dGx^T X, dW_hh = dGh^T H_prev,
 *   db_ih = sum_rows dGx, db_hh = sum_rows dGh,
 *   dh0 = dh_carry, dc0 = dc_carry.
 * dGh (the h-side pre-activation gradient) equals dGx except in the GRU's
 * n block, where it is scaled by r. */
static int rnn_node_backward(struct seq_node *n, struct seq_tensor *g,
                             struct seq_tensor **gin)
{
    struct dims d = {.cell = (enum cell)n->iargs[IA_CELL],
                     .T = n->iargs[IA_T],
                     .N = n->iargs[IA_N],
                     .D = n->iargs[IA_D],
                     .H = n->iargs[IA_H]};
    d.G = cell_gates[d.cell];
    const bool reverse = n->iargs[IA_REVERSE] != 0;
    struct seq_tensor *ws_t = n->saved[SV_WS], *whh = n->saved[SV_WHH];
    const enum seq_dtype dt = ws_t->dtype;
    const size_t es = seq_dtype_size(dt);
    const struct layout l = layout_of(&d);
    const int64_t T = d.T, N = d.N, H = d.H, GH = d.G * d.H, row = N * H;
    const size_t row_bytes = (size_t)row * es;
    struct seq_tensor *gc = NULL, *gcc = NULL, *dgx = NULL, *dgh = NULL,
                      *dhc = NULL, *dc = NULL, *ones = NULL;
    int st = SEQ_OK;

    SEQ_TRY(seq_to_nograd(&gc, g, dt));
    SEQ_TRY(seq_contiguous_nograd(&gcc, gc));
    int64_t gshape[2] = {T * N, GH}, sshape[2] = {N, H};
    SEQ_TRY(seq_empty(&dgx, dt, 2, gshape));
    if (d.cell == CELL_GRU)
        SEQ_TRY(seq_empty(&dgh, dt, 2, gshape));
    else
        dgh = seq_retain(dgx);
    SEQ_TRY(seq_empty(&dhc, dt, 2, sshape));
    char *gp = seq_data(gcc), *ws = seq_data(ws_t);
    memcpy(seq_data(dhc), at(gp, T * row, es), row_bytes);
    if (d.cell == CELL_LSTM) {
        SEQ_TRY(seq_empty(&dc, dt, 2, sshape));
        memcpy(seq_data(dc), at(gp, (T + 1) * row, es), row_bytes);
    }

    step_fn bw = pick_kernel(dt, d.cell, false);
    for (int64_t s = T - 1; s >= 0; s--) {
        SEQ_TRY(seq_poll_cancel());
        int64_t t = reverse ? T - 1 - s : s;
        struct step k = {.N = N, .H = H, .relu = n->iargs[IA_RELU] != 0};
        k.act = at(ws, l.act + t * N * GH, es);
        k.hprev = at(ws, l.hprev + t * row, es);
        if (d.cell == CELL_LSTM) {
            k.cprev = at(ws, l.ex1 + t * row, es);
            k.tanhc = at(ws, l.ex2 + t * row, es);
        } else if (d.cell == CELL_GRU) {
            k.ghn = at(ws, l.ex1 + t * row, es);
        }
        k.dy = at(gp, t * row, es);
        k.dhc = seq_data(dhc);
        k.dc = dc ? seq_data(dc) : NULL;
        k.dgx = at(seq_data(dgx), t * N * GH, es);
        k.dgh = at(seq_data(dgh), t * N * GH, es);
        bw(&k);
        /* dh_{t-1} = dGh_t W_hh, added to the GRU's direct part */
        seq_gemm(dt, false, false, N, H, GH, 1.0, k.dgh, GH, seq_data(whh), H,
                 d.cell == CELL_GRU ? 1.0 : 0.0, seq_data(dhc), H);
    }

    int64_t xshape[3] = {T, N, d.D}, wshape[2] = {GH, d.D}, hshape[2] = {GH, H};
    if (n->inputs[IN_X]) {
        SEQ_TRY(seq_empty(&gin[IN_X], dt, 3, xshape));
        seq_gemm(dt, false, false, T * N, d.D, GH, 1.0, seq_data(dgx), GH,
                 seq_data(n->saved[SV_WIH]), d.D, 0.0, seq_data(gin[IN_X]),
                 d.D);
    }
    if (n->inputs[IN_H0])
        gin[IN_H0] = seq_retain(dhc);
    if (n->inputs[IN_C0])
        gin[IN_C0] = seq_retain(dc);
    if (n->inputs[IN_WIH]) {
        SEQ_TRY(seq_empty(&gin[IN_WIH], dt, 2, wshape));
        seq_gemm(dt, true, false, GH, d.D, T * N, 1.0, seq_data(dgx), GH,
                 seq_data(n->saved[SV_X]), d.D, 0.0, seq_data(gin[IN_WIH]),
                 d.D);
    }
    if (n->inputs[IN_WHH]) {
        SEQ_TRY(seq_empty(&gin[IN_WHH], dt, 2, hshape));
        seq_gemm(dt, true, false, GH, H, T * N, 1.0, seq_data(dgh), GH,
                 at(ws, l.hprev, es), H, 0.0, seq_data(gin[IN_WHH]), H);
    }
    if (n->inputs[IN_BIH] || n->inputs[IN_BHH]) {
        /* column sums as one GEMV each: db = dG^T 1 */
        int64_t rows[1] = {T * N}, bshape[1] = {GH};
        SEQ_TRY(seq_ones(&ones, dt, 1, rows));
        for (int i = IN_BIH; i <= IN_BHH; i++) {
            if (!n->inputs[i])
                continue;
            SEQ_TRY(seq_empty(&gin[i], dt, 1, bshape));
            seq_gemv(dt, true, T * N, GH, 1.0,
                     seq_data(i == IN_BIH ? dgx : dgh), GH, seq_data(ones), 1,
                     0.0, seq_data(gin[i]), 1);
        }
    }
fail:
    seq_release(gc);
    seq_release(gcc);
    seq_release(dgx);
    seq_release(dgh);
    seq_release(dhc);
    seq_release(dc);
    seq_release(ones);
    return st;
}

/* ---- the entry point ----------------------------------------------------- */

/* c[i] = contiguous in[i] (NULL stays NULL). */
static int contiguous_all(struct seq_tensor **c, struct seq_tensor *const *in)
{
    for (int i = 0; i < IN_COUNT; i++) {
        c[i] = NULL;
        if (in[i]) {
            int st = seq_contiguous_nograd(&c[i], in[i]);
            if (st)
                return st;
        }
    }
    return SEQ_OK;
}

static void *data_or_null(struct seq_tensor *t)
{
    return t ? seq_data(t) : NULL;
}

static int rnn_call(enum cell cell, bool relu, bool reverse,
                    struct seq_tensor **out_y, struct seq_tensor **out_h,
                    struct seq_tensor **out_c, struct seq_tensor *const *in)
{
    struct dims d = {.cell = cell};
    struct seq_tensor *c[IN_COUNT] = {NULL}, *P = NULL, *ws = NULL, *y = NULL,
                      *h = NULL, *cT = NULL;
    struct seq_node *node = NULL;
    int st;
    if (!out_y || !in[IN_X] || !in[IN_WIH] || !in[IN_WHH])
        return seq_fail(SEQ_EINVAL,
                        "%s: the output y, the input and both weights are "
                        "required",
                        cell_op[cell]);
    SEQ_TRY(check_args(&d, in));
    SEQ_TRY(contiguous_all(c, in));
    const enum seq_dtype dt = in[IN_X]->dtype;

    struct operands ops = {
        .x = seq_data(c[IN_X]),
        .h0 = data_or_null(c[IN_H0]),
        .c0 = data_or_null(c[IN_C0]),
        .wih = seq_data(c[IN_WIH]),
        .whh = seq_data(c[IN_WHH]),
    };
    const struct layout l = layout_of(&d);
    const size_t es = seq_dtype_size(dt);
    int64_t pshape[3] = {d.T + (cell == CELL_LSTM ? 2 : 1), d.N, d.H};
    int64_t wsshape[1] = {l.total};
    SEQ_TRY(seq_empty(&P, dt, 3, pshape));
    SEQ_TRY(seq_empty(&ws, dt, 1, wsshape));
    if (cell == CELL_GRU) {
        ops.bx = data_or_null(c[IN_BIH]);
        ops.bh = data_or_null(c[IN_BHH]);
    } else if (c[IN_BIH] && c[IN_BHH]) {
        /* both biases meet the same pre-activation: add them once */
        const int64_t gh = d.G * d.H;
        void *sum = at(seq_data(ws), l.bias, es);
        if (dt == SEQ_FLOAT32) {
            const float *a = seq_data(c[IN_BIH]), *b = seq_data(c[IN_BHH]);
            for (int64_t i = 0; i < gh; i++)
                ((float *)sum)[i] = a[i] + b[i];
        } else {
            const double *a = seq_data(c[IN_BIH]), *b = seq_data(c[IN_BHH]);
            for (int64_t i = 0; i < gh; i++)
                ((double *)sum)[i] = a[i] + b[i];
        }
        ops.bx = sum;
    } else {
        ops.bx = data_or_null(c[IN_BIH] ? c[IN_BIH] : c[IN_BHH]);
    }
    SEQ_TRY(run_forward(&d, reverse, relu, dt, &ops, seq_data(P), seq_data(ws),
                        at(seq_data(ws), l.gh, es)));

    if (seq_should_record(IN_COUNT, in)) {
        SEQ_TRY(seq_record(P, cell_node[cell], rnn_node_backward, IN_COUNT, in,
                           &node));
        node->iargs[IA_CELL] = cell;
        node->iargs[IA_T] = d.T;
        node->iargs[IA_N] = d.N;
        node->iargs[IA_D] = d.D;
        node->iargs[IA_H] = d.H;
        node->iargs[IA_REVERSE] = reverse;
        node->iargs[IA_RELU] = relu;
        /* x for dW_ih, W_ih for dX; W_hh and the workspace always */
        SEQ_TRY(seq_node_save(node, node->inputs[IN_WIH] ? c[IN_X] : NULL));
        SEQ_TRY(seq_node_save(node, node->inputs[IN_X] ? c[IN_WIH] : NULL));
        SEQ_TRY(seq_node_save(node, c[IN_WHH]));
        SEQ_TRY(seq_node_save(node, ws));
    }
    SEQ_TRY(seq_narrow(&y, P, 0, 0, d.T));
    if (out_h)
        SEQ_TRY(seq_select(&h, P, 0, d.T));
    if (out_c)
        SEQ_TRY(seq_select(&cT, P, 0, d.T + 1));
    *out_y = y;
    if (out_h)
        *out_h = h;
    if (out_c)
        *out_c = cT;
    y = h = cT = NULL;
fail:
    for (int i = 0; i < IN_COUNT; i++)
        seq_release(c[i]);
    seq_release(P);
    seq_release(ws);
    seq_release(y);
    seq_release(h);
    seq_release(cT);
    return st;
}

int seq_rnn(struct seq_tensor **out_y, struct seq_tensor **out_h,
            struct seq_tensor *x, struct seq_tensor *h0,
            struct seq_tensor *w_ih, struct seq_tensor *w_hh,
            struct seq_tensor *b_ih, struct seq_tensor *b_hh,
            enum seq_rnn_nonlinearity nonlinearity, bool reverse)
{
    if (nonlinearity != SEQ_RNN_TANH && nonlinearity != SEQ_RNN_RELU)
        return seq_fail(SEQ_EINVAL, "rnn: unknown nonlinearity %d",
                        (int)nonlinearity);
    struct seq_tensor *in[IN_COUNT] = {x, h0, NULL, w_ih, w_hh, b_ih, b_hh};
    return rnn_call(CELL_RNN, nonlinearity == SEQ_RNN_RELU, reverse, out_y,
                    out_h, NULL, in);
}

int seq_lstm(struct seq_tensor **out_y, struct seq_tensor **out_h,
             struct seq_tensor **out_c, struct seq_tensor *x,
             struct seq_tensor *h0, struct seq_tensor *c0,
             struct seq_tensor *w_ih, struct seq_tensor *w_hh,
             struct seq_tensor *b_ih, struct seq_tensor *b_hh, bool reverse)
{
    struct seq_tensor *in[IN_COUNT] = {x, h0, c0, w_ih, w_hh, b_ih, b_hh};
    return rnn_call(CELL_LSTM, false, reverse, out_y, out_h, out_c, in);
}

int seq_gru(struct seq_tensor **out_y, struct seq_tensor **out_h,
            struct seq_tensor *x, struct seq_tensor *h0,
            struct seq_tensor *w_ih, struct seq_tensor *w_hh,
            struct seq_tensor *b_ih, struct seq_tensor *b_hh, bool reverse)
{
    struct seq_tensor *in[IN_COUNT] = {x, h0, NULL, w_ih, w_hh, b_ih, b_hh};
    return rnn_call(CELL_GRU, false, reverse, out_y, out_h, NULL, in);
}
