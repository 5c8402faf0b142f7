/* dsml_data_open: find the source of a named dataset, and open its prepared
 * cache, preparing it first when missing or stale; see dataset.h. */
#include "data/dataset.h"
#include "core/error.h"
#include "data/cache.h"
#include "data/cifar.h"
#include "data/idx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bump when a reader's output changes, so that old caches are prepared again. */
#define FASHION_READER "idx-1"
#define CIFAR_READER "cifar-bin-1"

typedef struct {
    const char *name;
    const char *from;
} source;

static int prepare_fashion(dsml_dataset *ds, void *context)
{
    const source *src = context;
    return dsml_fashion_mnist_read(ds, src->from, DSML_FASHION_MNIST_TRAIN, DSML_FASHION_MNIST_TEST);
}

static int prepare_cifar(dsml_dataset *ds, void *context)
{
    const source *src = context;
    return dsml_cifar10_read(ds, src->from, DSML_CIFAR10_RECORDS_PER_BATCH);
}

/* Appends " <base>=<size>:<mtime>" for `path` to params. */
static int append_stat(char *params, size_t cap, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t used = strlen(params);
    int len = snprintf(params + used, cap - used, " %s=%lld:%lld", base, (long long)st.st_size,
                       (long long)st.st_mtime);
    if (len < 0 || (size_t)len >= cap - used)
        return dsml_fail(DSML_ERR_ARG, "%s: source path too long for the cache's parameters string", path);
    return DSML_OK;
}

/* The parameters string: reader version, source path, and the size and mtime
 * of every source file, so that any change to them makes the cache stale. */
static int make_params(char params[DSML_CACHE_PARAMS], const char *name, const char *from)
{
    int is_fashion = strcmp(name, "fashion-mnist") == 0;
    int len = snprintf(params, DSML_CACHE_PARAMS, "%s reader=%s from=%s", name,
                       is_fashion ? FASHION_READER : CIFAR_READER, from);
    if (len < 0 || len >= DSML_CACHE_PARAMS)
        return dsml_fail(DSML_ERR_ARG, "%s: source path too long for the cache's parameters string", from);
    if (is_fashion) {
        char paths[4][4096];
        int rc = dsml_fashion_mnist_files(from, paths);
        for (int i = 0; !rc && i < 4; i++) rc = append_stat(params, DSML_CACHE_PARAMS, paths[i]);
        return rc;
    }
    struct stat st;
    if (stat(from, &st) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s", from, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return append_stat(params, DSML_CACHE_PARAMS, from);
    static const char *const files[] = {"batches.meta.txt", "data_batch_1.bin", "data_batch_2.bin",
                                        "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
                                        "test_batch.bin"};
    char path[4096];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", from, files[i]);
        int rc = append_stat(params, DSML_CACHE_PARAMS, path);
        if (rc) return rc;
    }
    return DSML_OK;
}

/* The default source of `name`, or "" when none of the candidates exists;
 * `tried` lists the candidates for the error message. */
static void default_source(const char *name, const char *root, char *out, size_t cap, char *tried, size_t tried_cap)
{
    out[0] = '\0';
    tried[0] = '\0';
    char candidates[2][4096];
    int n = 0;
    if (strcmp(name, "fashion-mnist") == 0) {
        const char *env = getenv("DSML_FASHION_MNIST");
        snprintf(candidates[n++], sizeof candidates[0], "%s",
                 env && *env ? env : "/usr/share/datasets/fashion-mnist");
    } else {
        snprintf(candidates[n++], sizeof candidates[0], "%s/downloads/cifar-10-binary.tar.gz", root);
        snprintf(candidates[n++], sizeof candidates[0], "%s/cifar-10-binary.tar.gz", root);
    }
    for (int i = 0; i < n; i++) {
        size_t used = strlen(tried);
        snprintf(tried + used, tried_cap - used, "%s%s", i ? ", " : "", candidates[i]);
        if (!out[0] && access(candidates[i], R_OK) == 0) snprintf(out, cap, "%s", candidates[i]);
    }
}

int dsml_data_open(dsml_dataset *ds, const char *name, const char *root, const char *from, FILE *log)
{
    memset(ds, 0, sizeof *ds);
    int is_fashion = strcmp(name, "fashion-mnist") == 0;
    if (!is_fashion && strcmp(name, "cifar10") != 0)
        return dsml_fail(DSML_ERR_ARG, "dataset \"%s\": unknown, expected fashion-mnist or cifar10", name);
    char cache[4096];
    int len = snprintf(cache, sizeof cache, "%s/cache/%s.dsd", root, name);
    if (len < 0 || len >= (int)sizeof cache) return dsml_fail(DSML_ERR_ARG, "%s: data root path too long", root);

    char found[4096], tried[8400];
    if (from) {
        if (access(from, R_OK) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s: %s", name, from, strerror(errno));
        snprintf(found, sizeof found, "%s", from);
    } else {
        default_source(name, root, found, sizeof found, tried, sizeof tried);
    }
    int rc;
    if (!found[0]) {
        if (log) fprintf(log, "data: %s: no source at %s\n", name, tried);
        rc = dsml_cache_ensure(ds, cache, "", NULL, NULL, DSML_CACHE_VERIFY_CONTENT, log);
        if (rc && access(cache, F_OK) == 0)
            return dsml_fail_context(rc, "%s: no source found (looked at %s), and the cache", name, tried);
        if (rc)
            return dsml_fail(DSML_ERR_STATE, "%s: no prepared cache at %s and no source found (looked at %s)%s",
                             name, cache, tried,
                             is_fashion ? "; install Debian's dataset-fashion-mnist or set DSML_FASHION_MNIST"
                                        : "; put cifar-10-binary.tar.gz there or pass its path");
        return DSML_OK;
    }
    char params[DSML_CACHE_PARAMS];
    rc = make_params(params, name, found);
    if (rc) return rc;
    if (log) fprintf(log, "data: %s: source %s\n", name, found);
    source src = {name, found};
    rc = dsml_cache_ensure(ds, cache, params, is_fashion ? prepare_fashion : prepare_cifar, &src,
                           DSML_CACHE_VERIFY_CONTENT, log);
    if (rc) return dsml_fail_context(rc, "preparing %s from %s", name, found);
    return DSML_OK;
}
