/* The one door to BLIS: single-precision GEMM on row-major matrices.
 *
 *   C[m x n] = alpha * op(A) * op(B) + beta * C
 *
 * op(A) is m x k, op(B) is k x n. Every matrix is row-major with a leading
 * dimension (the distance between rows, in floats). DSML_NO_TRANS means the
 * matrix is stored as op(X); DSML_TRANS means it is stored transposed
 * (A stored k x m, B stored n x k). */
#ifndef DSML_CORE_GEMM_H
#define DSML_CORE_GEMM_H

typedef enum { DSML_NO_TRANS = 0, DSML_TRANS = 1 } dsml_transpose;

void dsml_gemm(dsml_transpose trans_a, dsml_transpose trans_b, int m, int n, int k,
               float alpha, const float *a, int lda, const float *b, int ldb,
               float beta, float *c, int ldc);

/* The same on one thread, whatever dsml_set_threads chose: for callers that
 * split the work across OpenMP threads themselves. */
void dsml_gemm_serial(dsml_transpose trans_a, dsml_transpose trans_b, int m, int n, int k,
                      float alpha, const float *a, int lda, const float *b, int ldb,
                      float beta, float *c, int ldc);

/* The same contract with three plain loops in double accumulation: the
 * reference the fast path is tested against. */
void dsml_gemm_naive(dsml_transpose trans_a, dsml_transpose trans_b, int m, int n, int k,
                     float alpha, const float *a, int lda, const float *b, int ldb,
                     float beta, float *c, int ldc);

/* Threads BLIS uses for every later dsml_gemm call (>= 1). Also sets the
 * OpenMP thread count used by dsml's own parallel loops. */
void dsml_set_threads(int threads);
int dsml_get_threads(void);

/* The value a program should give BLIS_ARCH_TYPE before its first GEMM when
 * the user has not set it (a number, as BLIS reads it), or NULL when BLIS's
 * own choice is right for this processor. The library never touches the
 * environment itself. */
const char *dsml_blis_preferred_arch(void);

/* "BLIS 0.9.0" etc., for result files. */
const char *dsml_blas_version(void);

#endif
