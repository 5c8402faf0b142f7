/* Helpers shared by the benchmark programs (see bench_common.h). */
#include "bench_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"

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
void bench_npy_write(const char *dir, const char *name, const char *dtype, const void *data, long rows, long cols)
{
    size_t elem = !strcmp(dtype, "<u8") ? 8 : 4;
    char shape[64], header[256];
    if (cols > 0) snprintf(shape, sizeof shape, "(%ld, %ld)", rows, cols);
    else snprintf(shape, sizeof shape, "(%ld,)", rows);
    int len = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", dtype, shape);
    int total = 10 + len + 1;
    int padded = (total + 63) / 64 * 64;
    memset(header + len, ' ', (size_t)(padded - total));
    header[padded - 10 - 1] = '\n';
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)((padded - 10) & 0xff),
                             (unsigned char)((padded - 10) >> 8)};
    size_t count = (size_t)rows * (size_t)(cols > 0 ? cols : 1);
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
