/* Helpers shared by the benchmark programs (see bench_common.h). */
#include "bench_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/timer.h"
#include "nn/sgd.h"

static double proc_status_mib(const char *key)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    size_t len = strlen(key);
    double mib = -1;
    while (fp && fgets(line, sizeof line, fp))
        if (!strncmp(line, key, len)) mib = strtol(line + len, NULL, 10) / 1024.0;
    if (fp) fclose(fp);
    return mib;
}

double bench_peak_rss_mib(void) { return proc_status_mib("VmHWM:"); }
double bench_rss_mib(void) { return proc_status_mib("VmRSS:"); }

void bench_die(const char *what, int rc)
{
    const char *msg = dsml_last_error();
    fprintf(stderr, "bench_dsml: %s: %s\n", what, msg[0] ? msg : dsml_strerror(rc));
    exit(1);
}

void bench_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_dsml: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void *bench_alloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) bench_fail("out of memory (%zu bytes)", bytes);
    return p;
}

float *bench_normal_floats(dsml_rng *rng, long n)
{
    float *x = bench_alloc(sizeof(float) * (size_t)n);
    for (long i = 0; i < n; i++) x[i] = (float)dsml_rng_normal(rng);
    return x;
}

void bench_gaussian_clusters(dsml_rng *rng, int n, int d, int clusters, float spread, float *x, int *labels)
{
    float *centres = bench_normal_floats(rng, (long)clusters * d);
    for (long j = 0; j < (long)clusters * d; j++) centres[j] *= spread;
    for (int i = 0; i < n; i++) {
        int c = (int)dsml_rng_below(rng, (uint64_t)clusters);
        labels[i] = c;
        for (int j = 0; j < d; j++) x[(long)i * d + j] = centres[(long)c * d + j] + (float)dsml_rng_normal(rng);
    }
    free(centres);
}

const char *bench_path(const char *dir, const char *name)
{
    static char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        bench_fail("%s/%s: path too long", dir, name);
    return path;
}

/* NPY 1.0: magic, version, little-endian uint16 header length, then a Python
 * dict literal padded with spaces and a newline so that the data starts at a
 * multiple of 64 bytes. */
void bench_npy_write_nd(const char *dir, const char *name, const char *dtype, const void *data, int ndim,
                        const long *shape)
{
    size_t elem = !strcmp(dtype, "<u8") ? 8 : 4, count = 1;
    char dims[128] = "(", header[256];
    for (int i = 0; i < ndim; i++) {
        size_t used = strlen(dims);
        snprintf(dims + used, sizeof dims - used, "%ld%s", shape[i], ndim == 1 ? ",)" : i + 1 < ndim ? ", " : ")");
        count *= (size_t)shape[i];
    }
    int len = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", dtype, dims);
    int total = 10 + len + 1;
    int padded = (total + 63) / 64 * 64;
    memset(header + len, ' ', (size_t)(padded - total));
    header[padded - 10 - 1] = '\n';
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)((padded - 10) & 0xff),
                             (unsigned char)((padded - 10) >> 8)};
    const char *path = bench_path(dir, name);
    dsml_atomic_file f;
    int rc = dsml_atomic_begin(&f, path);
    if (rc) bench_die(path, rc);
    if (fwrite(pre, 1, 10, f.fp) != 10 || fwrite(header, 1, (size_t)(padded - 10), f.fp) != (size_t)(padded - 10) ||
        fwrite(data, elem, count, f.fp) != count) {
        dsml_atomic_abort(&f);
        bench_fail("%s: write failed", path);
    }
    if ((rc = dsml_atomic_commit(&f))) bench_die(path, rc);
}

void bench_npy_write(const char *dir, const char *name, const char *dtype, const void *data, long rows, long cols)
{
    long shape[2] = {rows, cols};
    bench_npy_write_nd(dir, name, dtype, data, cols > 0 ? 2 : 1, shape);
}

dsml_model *bench_model_create(const dsml_model_config *cfg, const char *what)
{
    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    dsml_model *model;
    int rc = dsml_model_create(&model, cfg, &rng);
    if (rc) bench_die(what, rc);
    return model;
}

void bench_write_params(dsml_model *model, const char *work)
{
    size_t n;
    const float *p = dsml_model_params(model, &n);
    bench_npy_write(work, "params.npy", "<f4", p, (long)n, 0);
}

bench_steps bench_train_steps(dsml_model *model, const dsml_loss_params *lp, const float *x, const int *labels,
                              int batches, int batch, int iters, float *h0)
{
    const dsml_model_config *cfg = dsml_model_get_config(model);
    long row = (long)cfg->channels * cfg->height * cfg->width;
    int dim = cfg->dim, rc;
    dsml_loss_ws *ws;
    if ((rc = dsml_loss_ws_create(&ws, batch, dim))) bench_die("loss workspace", rc);
    size_t n_params;
    float *params = dsml_model_params(model, &n_params);
    float *grads = dsml_model_grads(model, &n_params);
    dsml_sgd sgd;
    if ((rc = dsml_sgd_init(&sgd, n_params, 0.01f, 0.9f, 5e-4f))) bench_die("SGD", rc);
    float *dh = bench_alloc(sizeof(float) * (size_t)batch * dim);
    bench_steps out = {{0}, 0, 0};
    double start = 0;
    /* The first BENCH_CHECK_STEPS steps are the warm-up and the agreement
     * check (the peer repeats them from the same parameters); then `iters` timed. */
    for (int it = -BENCH_CHECK_STEPS; it < iters; it++) {
        if (it == 0) { start = dsml_now(); out.loss_seconds = 0; }
        int b = (it + BENCH_CHECK_STEPS) % batches;
        const float *h;
        if ((rc = dsml_model_forward(model, x + (long)b * batch * row, batch, 1, NULL, &h))) bench_die("forward", rc);
        if (it == -BENCH_CHECK_STEPS) memcpy(h0, h, sizeof(float) * (size_t)batch * dim);
        double t = dsml_now(), loss;
        if ((rc = dsml_loss_compute(lp, h, labels + (long)b * batch, batch, dim, dh, ws, &loss))) bench_die("loss", rc);
        out.loss_seconds += dsml_now() - t;
        if (it < 0) out.losses[it + BENCH_CHECK_STEPS] = (float)loss;
        dsml_model_zero_grad(model);
        if ((rc = dsml_model_backward(model, dh, batch))) bench_die("backward", rc);
        dsml_sgd_step(&sgd, params, grads);
    }
    out.seconds = dsml_now() - start;
    free(dh);
    dsml_sgd_free(&sgd);
    dsml_loss_ws_free(ws);
    return out;
}
