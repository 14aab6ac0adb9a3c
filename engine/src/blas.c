/* blas.c — the only file that talks to OpenBLAS.  Row-major GEMM and GEMV
 * with transposes passed as flags (never materialised), a GEMV path when
 * one side of a product is a single row or column, a plain loop for int64,
 * and the BLAS thread count. */
#include "internal.h"

#include <cblas.h>

/* OpenBLAS extensions (declared in its cblas.h on Debian, but not in every
 * cblas.h). */
extern void openblas_set_num_threads(int num_threads);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);

static int64_t ld_ok(int64_t ld)
{
    return ld < 1 ? 1 : ld;
}

static void gemm_i64(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                     double alpha, const int64_t *a, int64_t lda,
                     const int64_t *b, int64_t ldb, double beta, int64_t *c,
                     int64_t ldc)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            uint64_t s = 0;
            for (int64_t p = 0; p < k; p++) {
                int64_t x = ta ? a[p * lda + i] : a[i * lda + p];
                int64_t y = tb ? b[j * ldb + p] : b[p * ldb + j];
                s += (uint64_t)x * (uint64_t)y;
            }
            uint64_t prev = beta != 0 ? (uint64_t)c[i * ldc + j] : 0;
            c[i * ldc + j] = (int64_t)((uint64_t)(int64_t)alpha * s +
                                       prev * (uint64_t)(int64_t)beta);
        }
}

void seq_gemv(enum seq_dtype dt, bool ta, int64_t m, int64_t n, double alpha,
              const void *a, int64_t lda, const void *x, int64_t incx,
              double beta, void *y, int64_t incy)
{
    enum CBLAS_TRANSPOSE t = ta ? CblasTrans : CblasNoTrans;
    if (dt == SEQ_FLOAT32)
        cblas_sgemv(CblasRowMajor, t, (int)m, (int)n, (float)alpha, a,
                    (int)ld_ok(lda), x, (int)incx, (float)beta, y, (int)incy);
    else
        cblas_dgemv(CblasRowMajor, t, (int)m, (int)n, alpha, a,
                    (int)ld_ok(lda), x, (int)incx, beta, y, (int)incy);
}

void seq_gemm(enum seq_dtype dt, bool ta, bool tb, int64_t m, int64_t n,
              int64_t k, double alpha, const void *a, int64_t lda,
              const void *b, int64_t ldb, double beta, void *c, int64_t ldc)
{
    if (m == 0 || n == 0)
        return;
    if (dt == SEQ_INT64) {
        gemm_i64(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    if (k > 0 && m == 1) {
        /* one output row: c = op(B)^T a, with a read along its row (or
         * down its column when transposed) */
        seq_gemv(dt, !tb, tb ? n : k, tb ? k : n, alpha, b, ldb, a,
                 ta ? lda : 1, beta, c, 1);
        return;
    }
    if (k > 0 && n == 1) {
        /* one output column: c = op(A) b */
        seq_gemv(dt, ta, ta ? k : m, ta ? m : k, alpha, a, lda, b,
                 tb ? 1 : ldb, beta, c, ldc);
        return;
    }
    enum CBLAS_TRANSPOSE TA = ta ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE TB = tb ? CblasTrans : CblasNoTrans;
    if (dt == SEQ_FLOAT32)
        cblas_sgemm(CblasRowMajor, TA, TB, (int)m, (int)n, (int)k,
                    (float)alpha, a, (int)ld_ok(lda), b, (int)ld_ok(ldb),
                    (float)beta, c, (int)ld_ok(ldc));
    else
        cblas_dgemm(CblasRowMajor, TA, TB, (int)m, (int)n, (int)k, alpha, a,
                    (int)ld_ok(lda), b, (int)ld_ok(ldb), beta, c,
                    (int)ld_ok(ldc));
}

void seq_set_num_threads(int n)
{
    openblas_set_num_threads(n < 1 ? 1 : n);
}

int seq_get_num_threads(void)
{
    return openblas_get_num_threads();
}

const char *seq_blas_info(void)
{
    return openblas_get_config();
}
