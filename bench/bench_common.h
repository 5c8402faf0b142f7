/* Helpers shared by dsml's benchmark programs: peak memory, seeded random
 * inputs, labelled Gaussian clusters, and .npy files (NumPy's format, version
 * 1.0) through which the peers read exactly the inputs dsml used and compare
 * their results with dsml's.
 *
 * The benchmarks are programs, not library code: on a failed allocation or
 * write they print a line and exit (bench_fail), like the CLI. */
#ifndef DSML_BENCH_COMMON_H
#define DSML_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"

/* Peak resident set of this process so far (VmHWM), and the current one
 * (VmRSS), in MiB; -1 when /proc is not readable. */
double bench_peak_rss_mib(void);
double bench_rss_mib(void);

/* Prints "bench_dsml: <what>: <dsml_last_error()>" and exits 1. */
void bench_die(const char *what, int rc) __attribute__((noreturn));
void bench_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* malloc that exits on failure; the caller frees. */
void *bench_alloc(size_t bytes);

/* n standard normal floats (caller frees). */
float *bench_normal_floats(dsml_rng *rng, long n);

/* n points of d floats around `clusters` Gaussian centres drawn from
 * N(0, spread^2), each point a centre plus N(0, 1) noise; labels[i] is the
 * centre of point i, drawn uniformly. x (n x d) and labels (n) are the
 * caller's. */
void bench_gaussian_clusters(dsml_rng *rng, int n, int d, int clusters, float spread, float *x, int *labels);

/* Writes a C-order .npy file of rows x cols (cols 0: a 1-D array of rows)
 * with dtype "<f4", "<i4" or "<u8" (the element size follows from it). Exits
 * on failure. */
void bench_npy_write(const char *dir, const char *name, const char *dtype, const void *data, long rows,
                     long cols);

/* "dir/name" into a static buffer (valid until the next call). */
const char *bench_path(const char *dir, const char *name);

#endif
