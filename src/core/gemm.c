/* dsml_gemm on BLIS's typed API with an explicit thread count (rntm_t), so
 * results depend only on the count dsml sets, not on the environment. */
#include "core/gemm.h"

#include <blis.h>
#include <pthread.h>
#include <stdio.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static int gemm_threads = 1;
static pthread_once_t kernels_once = PTHREAD_ONCE_INIT;

/* BLIS 0.9 does not recognise AMD processors newer than Zen 3 and falls back
 * to its generic kernels, 4-5x slower. Such processors run BLIS's Skylake-X
 * (AVX-512) kernels well. BLIS takes the choice only from the environment
 * (BLIS_ARCH_TYPE, read once at its first call), which the library leaves to
 * the program: dsml_blis_preferred_arch says what to set. */
const char *dsml_blis_preferred_arch(void)
{
    static char value[16];
    __builtin_cpu_init();
    if (!(__builtin_cpu_is("amd") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
          __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")))
        return NULL;
    snprintf(value, sizeof value, "%d", (int)BLIS_ARCH_SKX);
    return value;
}

static void select_kernels(void) { bli_init(); }

static void ensure_kernels(void) { pthread_once(&kernels_once, select_kernels); }

void dsml_set_threads(int threads)
{
    ensure_kernels();
    gemm_threads = threads < 1 ? 1 : threads;
#ifdef _OPENMP
    omp_set_num_threads(gemm_threads);
#endif
}

int dsml_get_threads(void) { return gemm_threads; }

const char *dsml_blas_version(void)
{
    static char version[64];
    ensure_kernels();
    if (!version[0])
        snprintf(version, sizeof version, "BLIS %s (%s kernels)", bli_info_get_version_str(),
                 bli_arch_string(bli_arch_query_id()));
    return version;
}

static void gemm_with_threads(int threads, dsml_transpose trans_a, dsml_transpose trans_b, int m, int n, int k,
                              float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c,
                              int ldc)
{
    if (m <= 0 || n <= 0) return;
    if (k <= 0) { /* BLIS handles it too, but be explicit: C = beta * C */
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) c[(long)i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[(long)i * ldc + j];
        return;
    }
    ensure_kernels();
    rntm_t rntm = BLIS_RNTM_INITIALIZER;
    bli_rntm_set_num_threads(threads, &rntm);
    /* Row-major storage: row stride = leading dimension, column stride = 1. */
    bli_sgemm_ex(trans_a == DSML_TRANS ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 trans_b == DSML_TRANS ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 m, n, k, &alpha, (float *)a, lda, 1, (float *)b, ldb, 1,
                 &beta, c, ldc, 1, NULL, &rntm);
}

void dsml_gemm(dsml_transpose trans_a, dsml_transpose trans_b, int m, int n, int k,
               float alpha, const float *a, int lda, const float *b, int ldb,
               float beta, float *c, int ldc)
{
    gemm_with_threads(gemm_threads, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void dsml_gemm_serial(dsml_transpose trans_a, dsml_transpose trans_b, int m, int n, int k,
                      float alpha, const float *a, int lda, const float *b, int ldb,
                      float beta, float *c, int ldc)
{
    gemm_with_threads(1, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void dsml_gemm_naive(dsml_transpose trans_a, dsml_transpose trans_b, int m, int n, int k,
                     float alpha, const float *a, int lda, const float *b, int ldb,
                     float beta, float *c, int ldc)
{
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int p = 0; p < k; p++) {
                float av = trans_a == DSML_TRANS ? a[(long)p * lda + i] : a[(long)i * lda + p];
                float bv = trans_b == DSML_TRANS ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
                sum += (double)av * bv;
            }
            float *cij = &c[(long)i * ldc + j];
            *cij = (float)(alpha * sum + (beta == 0.0f ? 0.0 : (double)beta * *cij));
        }
    }
}
