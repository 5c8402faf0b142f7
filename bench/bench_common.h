/* Helpers shared by dsml's benchmark programs: peak memory, seeded random
 * inputs, labelled Gaussian clusters, .npy files (NumPy's format, version
 * 1.0) through which the peers read exactly the inputs dsml used and compare
 * their results with dsml's, and the training steps every network's training
 * benchmark times.
 *
 * The benchmarks are programs, not library code: on a failed allocation or
 * write they print a line and exit (bench_fail), like the CLI. */
#ifndef DSML_BENCH_COMMON_H
#define DSML_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "metric/loss.h"
#include "nn/model.h"

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
/* The same for any shape: ndim (1..8) sizes in shape. */
void bench_npy_write_nd(const char *dir, const char *name, const char *dtype, const void *data, int ndim,
                        const long *shape);

/* "dir/name" into a static buffer (valid until the next call). */
const char *bench_path(const char *dir, const char *name);

/* The model of cfg, its parameters drawn from seed 1 (the peers load them
 * from params.npy); `what` names it in the message when creation fails. The
 * caller frees it with dsml_model_free. */
dsml_model *bench_model_create(const dsml_model_config *cfg, const char *what);

/* Writes the model's parameter block (model.h's order and layouts) as
 * work/params.npy. */
void bench_write_params(dsml_model *model, const char *work);

/* The steps the peers repeat before they time anything: the warm-up and the
 * agreement check. */
enum { BENCH_CHECK_STEPS = 3 };

/* What bench_train_steps measured. */
typedef struct {
    float losses[BENCH_CHECK_STEPS]; /* the check steps' losses */
    double seconds;                  /* the `iters` timed steps */
    double loss_seconds;             /* of which in dsml_loss_compute */
} bench_steps;

/* BENCH_CHECK_STEPS then `iters` timed SGD steps (lr 0.01, momentum 0.9,
 * weight decay 5e-4) of forward, loss (lp), backward and update; step s
 * trains on batch s % batches of x (batches x batch rows of the model's
 * C*H*W floats, labels batches x batch). h0 (batch x the model's dim floats,
 * the caller's) receives the embeddings of the first step. Allocates its loss
 * workspace, optimiser and gradient buffer before the first step and frees
 * them after the last. */
bench_steps bench_train_steps(dsml_model *model, const dsml_loss_params *lp, const float *x, const int *labels,
                              int batches, int batch, int iters, float *h0);

#endif
