/* Checks of run folders, caches and untouched files; see run_checks.h. */
#include "run_checks.h"

#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "data/cache.h"
#include "data/dataset.h"
#include "results/embeddings.h"
#include "results/run_metrics.h"

const char *dsml_binary(void)
{
    const char *bin = getenv("DSML_BIN");
    ck_assert_msg(bin != NULL, "DSML_BIN is not set (make check sets it)");
    return bin;
}

int fashion_mnist_present(void)
{
    if (access("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", R_OK) == 0) return 1;
    fprintf(stderr, "SKIP: /usr/share/datasets/fashion-mnist is absent (apt-get install dataset-fashion-mnist)\n");
    return 0;
}

void path_format(char *out, size_t cap, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(out, cap, format, ap);
    va_end(ap);
    ck_assert_msg(n >= 0 && (size_t)n < cap, "path too long: %s...", out);
}

/* ---- untouched files ---------------------------------------------------------------- */

void file_mark_take(file_mark *m, const char *path)
{
    memset(m, 0, sizeof *m);
    m->exists = stat(path, &m->st) == 0;
    if (m->exists && m->st.st_size <= FILE_MARK_BYTES) m->data = file_read(path);
}

void file_mark_expect_same(const file_mark *m, const char *path)
{
    struct stat st;
    int exists = stat(path, &st) == 0;
    ck_assert_msg(exists == m->exists, "%s: %s", path, exists ? "appeared" : "disappeared");
    if (!exists) return;
    ck_assert_msg(st.st_ino == m->st.st_ino && st.st_dev == m->st.st_dev, "%s: replaced (another inode)", path);
    ck_assert_msg(st.st_mtim.tv_sec == m->st.st_mtim.tv_sec && st.st_mtim.tv_nsec == m->st.st_mtim.tv_nsec,
                  "%s: modified (another mtime)", path);
    ck_assert_msg(st.st_size == m->st.st_size, "%s: %lld bytes, before %lld", path, (long long)st.st_size,
                  (long long)m->st.st_size);
    if (m->st.st_size > FILE_MARK_BYTES) return;
    bytes now = file_read(path);
    ck_assert_msg(!memcmp(now.data, m->data.data, now.size), "%s: other bytes", path);
    free(now.data);
}

void file_mark_free(file_mark *m)
{
    free(m->data.data);
    memset(m, 0, sizeof *m);
}

void file_expect_bytes(const char *path, const char *ref, const char *label)
{
    bytes a = file_read(path), b = file_read(ref);
    ck_assert_msg(a.size == b.size && !memcmp(a.data, b.data, a.size), "%s: %s: other bytes than %s", label, path, ref);
    free(a.data);
    free(b.data);
}

/* ---- runs and caches ---------------------------------------------------------------- */

int run_whole(const char *dir, int embeddings)
{
    char path[4200];
    path_format(path, sizeof path, "%s/metrics.json", dir);
    if (!file_exists(path)) return 0;
    dsml_run_metrics m;
    ck_assert_msg(dsml_run_metrics_read(&m, path) == DSML_OK, "a metrics.json that is not whole: %s",
                  dsml_last_error());
    ck_assert_msg(m.euclidean.present && !isnan(m.euclidean.map) && m.n_loss > 0 && !isnan(m.wall_total),
                  "%s: parses but lacks the metrics, the losses or the wall time", path);
    dsml_run_metrics_free(&m);
    if (!embeddings) return 1;
    path_format(path, sizeof path, "%s/embeddings.bin", dir);
    dsml_embeddings e;
    ck_assert_msg(dsml_embeddings_read(path, DSML_EMBEDDINGS_ALL, &e) == DSML_OK,
                  "metrics.json is in place but embeddings.bin is not whole: %s", dsml_last_error());
    dsml_embeddings_free(&e);
    return 1;
}

/* a and b are the same double, NaN included */
static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || !memcmp(&a, &b, sizeof a);
}

void run_expect_same(const char *dir, const char *ref)
{
    char path[4200], ref_path[4200];
    path_format(path, sizeof path, "%s/metrics.json", dir);
    path_format(ref_path, sizeof ref_path, "%s/metrics.json", ref);
    dsml_run_metrics m, r;
    ck_assert_msg(dsml_run_metrics_read(&m, path) == DSML_OK, "%s", dsml_last_error());
    ck_assert_msg(dsml_run_metrics_read(&r, ref_path) == DSML_OK, "%s", dsml_last_error());
    int same = m.n_loss == r.n_loss && same_double(m.euclidean.map, r.euclidean.map) &&
               same_double(m.euclidean.map_at_r, r.euclidean.map_at_r) && same_double(m.hamming.map, r.hamming.map) &&
               same_double(m.nmi, r.nmi);
    for (int k = 0; same && k < DSML_METRICS_RECALL_K; k++)
        same = same_double(m.euclidean.recall[k], r.euclidean.recall[k]);
    for (int e = 0; same && e < m.n_loss; e++) same = same_double(m.loss_per_epoch[e], r.loss_per_epoch[e]);
    dsml_run_metrics_free(&m);
    dsml_run_metrics_free(&r);
    ck_assert_msg(same, "%s: other losses or metrics than %s", path, ref_path);
    path_format(path, sizeof path, "%s/embeddings.bin", dir);
    path_format(ref_path, sizeof ref_path, "%s/embeddings.bin", ref);
    file_expect_bytes(path, ref_path, "embeddings.bin");
}

int cache_whole(const char *path)
{
    if (!file_exists(path)) return 0;
    dsml_dataset ds;
    ck_assert_msg(dsml_cache_open(&ds, path, DSML_CACHE_VERIFY_CONTENT, NULL) == DSML_OK,
                  "a cache that is not whole: %s", dsml_last_error());
    dsml_dataset_free(&ds);
    return 1;
}
