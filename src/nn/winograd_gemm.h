/* The small products of Winograd's transformed domain, without packing.
 *
 * Each of the 36 tile positions multiplies a (tiles x C) slice by a C x F
 * matrix with C, F = 32 or 64: an inner dimension so short that BLIS spends
 * about as long packing its operands as multiplying them. These kernels read
 * the operands in place instead (rows of 8-float vectors, register-blocked:
 * 3 rows x 32 columns of accumulators), on the calling thread, in a fixed
 * order (deterministic). They need the column counts to be multiples of 8
 * and pay off only while both channel counts stay at 64 or below
 * (dsml_winograd_gemm_fits); winograd.c uses BLIS otherwise. From AlexNet's
 * 64 -> 192 on, BLIS's packed kernels win: its training step took 1.5-1.6 s
 * at batch 100 on 2 threads against 2.2 s with these (the weight-gradient
 * product, a^T b over thousands of rows, re-reads its operands once per
 * 3 x 32 block).
 *
 * Every matrix is row-major with a leading dimension in floats. */
#ifndef DSML_NN_WINOGRAD_GEMM_H
#define DSML_NN_WINOGRAD_GEMM_H

/* 1 when both channel counts are positive multiples of 8, at most 64. */
int dsml_winograd_gemm_fits(int cin, int cout);

/* c[rows x n] = a[rows x k] b[k x n]   (b contiguous: ldb = n). */
void dsml_winograd_gemm_nn(int rows, int n, int k, const float *a, int lda, const float *b, float *c, int ldc);

/* c[k x n] (+)= a[rows x k]^T b[rows x n]   (c contiguous: ldc = n; accumulate 0 overwrites). */
void dsml_winograd_gemm_tn(int rows, int n, int k, const float *a, int lda, const float *b, int ldb, float *c,
                           int accumulate);

#endif
