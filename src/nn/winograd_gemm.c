/* Unpacked small GEMMs for the Winograd domain; see winograd_gemm.h.
 *
 * Blocks of up to 3 rows x 4 vectors (32 floats) of the result live in 12
 * vector registers while the inner dimension streams by: per step, 4 vector
 * loads and up to 3 broadcasts feed 12 fused multiply-adds. The block shape
 * is a compile-time constant in each instantiation (always_inline, unrolled),
 * so the accumulators stay in registers. Built with -ffp-contract=fast
 * (Makefile) so that a * b + c compiles to one FMA. */
#include "nn/winograd_gemm.h"

#include <stddef.h>
#include <string.h>

typedef float v8 __attribute__((vector_size(32)));

enum { W = 8, MAX_ROWS = 3, MAX_VECS = 4 };

static inline v8 load8(const float *p)
{
    v8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store8(float *p, v8 v) { memcpy(p, &v, sizeof v); }

static inline v8 splat(float x) { return (v8){x, x, x, x, x, x, x, x}; }

enum { MAX_CHANNELS = 64 };

int dsml_winograd_gemm_fits(int cin, int cout)
{
    return cin > 0 && cout > 0 && cin <= MAX_CHANNELS && cout <= MAX_CHANNELS && cin % W == 0 && cout % W == 0;
}

/* c[R x V*8] (+)= sum over p < steps of a(r, p) b[p, :], where a(r, p) is
 * a[r * a_row + p * a_step]: a[R x k] b for the plain product (a_step 1),
 * a^T b for the transposed one (a_row 1). */
static inline __attribute__((always_inline)) void block(const int R, const int V, int steps, const float *a,
                                                         int a_row, int a_step, const float *b, int ldb, float *c,
                                                         int ldc, int accumulate)
{
    v8 acc[MAX_ROWS][MAX_VECS] = {{{0}}};
    for (int p = 0; p < steps; p++) {
        v8 bv[MAX_VECS];
#pragma GCC unroll 4
        for (int v = 0; v < V; v++) bv[v] = load8(b + (size_t)p * ldb + v * W);
#pragma GCC unroll 3
        for (int r = 0; r < R; r++) {
            v8 x = splat(a[(size_t)r * a_row + (size_t)p * a_step]);
#pragma GCC unroll 4
            for (int v = 0; v < V; v++) acc[r][v] += x * bv[v];
        }
    }
#pragma GCC unroll 3
    for (int r = 0; r < R; r++)
#pragma GCC unroll 4
        for (int v = 0; v < V; v++) {
            float *dst = c + (size_t)r * ldc + v * W;
            store8(dst, accumulate ? load8(dst) + acc[r][v] : acc[r][v]);
        }
}

/* One instantiation per block shape: R rows (1..3) x V vectors (1..4). */
#define DISPATCH(R, V, ...)                                                                                            \
    do {                                                                                                               \
        switch (V) {                                                                                                   \
        case 1: block(R, 1, __VA_ARGS__); break;                                                                       \
        case 2: block(R, 2, __VA_ARGS__); break;                                                                       \
        case 3: block(R, 3, __VA_ARGS__); break;                                                                       \
        default: block(R, 4, __VA_ARGS__); break;                                                                      \
        }                                                                                                              \
    } while (0)

static void nn_rows(int rows, int vecs, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc)
{
    int t = 0;
    for (; t + MAX_ROWS <= rows; t += MAX_ROWS)
        DISPATCH(3, vecs, k, a + (size_t)t * lda, lda, 1, b, ldb, c + (size_t)t * ldc, ldc, 0);
    if (rows - t == 2) DISPATCH(2, vecs, k, a + (size_t)t * lda, lda, 1, b, ldb, c + (size_t)t * ldc, ldc, 0);
    if (rows - t == 1) DISPATCH(1, vecs, k, a + (size_t)t * lda, lda, 1, b, ldb, c + (size_t)t * ldc, ldc, 0);
}

void dsml_winograd_gemm_nn(int rows, int n, int k, const float *a, int lda, const float *b, float *c, int ldc)
{
    for (int j = 0; j < n; j += MAX_VECS * W) {
        int vecs = (n - j) / W < MAX_VECS ? (n - j) / W : MAX_VECS;
        nn_rows(rows, vecs, k, a, lda, b + j, n, c + j, ldc);
    }
}

static void tn_cols(int rows, int vecs, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc,
                    int accumulate)
{
    int r = 0;
    for (; r + MAX_ROWS <= k; r += MAX_ROWS)
        DISPATCH(3, vecs, rows, a + r, 1, lda, b, ldb, c + (size_t)r * ldc, ldc, accumulate);
    if (k - r == 2) DISPATCH(2, vecs, rows, a + r, 1, lda, b, ldb, c + (size_t)r * ldc, ldc, accumulate);
    if (k - r == 1) DISPATCH(1, vecs, rows, a + r, 1, lda, b, ldb, c + (size_t)r * ldc, ldc, accumulate);
}

void dsml_winograd_gemm_tn(int rows, int n, int k, const float *a, int lda, const float *b, int ldb, float *c,
                           int accumulate)
{
    for (int j = 0; j < n; j += MAX_VECS * W) {
        int vecs = (n - j) / W < MAX_VECS ? (n - j) / W : MAX_VECS;
        tn_cols(rows, vecs, k, a, lda, b + j, ldb, c + j, n, accumulate);
    }
}
