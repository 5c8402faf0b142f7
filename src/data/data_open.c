/* dsml_data_open and dsml_data_prepare: find the source of a named dataset
 * (fashion-mnist, cifar10, or a local imagefolder name), and open its
 * prepared cache, preparing it first when missing or stale; see dataset.h. */
#include "data/dataset.h"
#include "core/error.h"
#include "data/cache.h"
#include "data/cars.h"
#include "data/cifar.h"
#include "data/cub.h"
#include "data/idx.h"
#include "data/imagefolder.h"
#include "data/nuswide.h"
#include "data/walk.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bump when a reader's output changes, so that old caches are prepared again. */
#define FASHION_READER "idx-1"
#define CIFAR_READER "cifar-bin-1"
#define IMAGEFOLDER_READER "imagefolder-1"
#define CUB_READER "cub-1"
#define CARS_READER "cars-1"
#define NUSWIDE_READER "nuswide-1"

typedef struct {
    const char *name;
    const char *from;
    dsml_archive_limits limits;
} source;

static int prepare_fashion(dsml_dataset *ds, void *context)
{
    const source *src = context;
    return dsml_fashion_mnist_read(ds, src->from, DSML_FASHION_MNIST_TRAIN, DSML_FASHION_MNIST_TEST);
}

static int prepare_cifar(dsml_dataset *ds, void *context)
{
    const source *src = context;
    return dsml_cifar10_read_with(ds, src->from, DSML_CIFAR10_RECORDS_PER_BATCH, &src->limits);
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
        int len = snprintf(path, sizeof path, "%s/%s", from, files[i]);
        if (len < 0 || (size_t)len >= sizeof path) return dsml_fail(DSML_ERR_ARG, "%s: path too long", from);
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

void dsml_data_options_default(dsml_data_options *o)
{
    memset(o, 0, sizeof *o);
    o->channels = 3;
    o->height = 32;
    o->width = 32;
}

int dsml_data_is_annotated(const char *name)
{
    return !strcmp(name, "cub200") || !strcmp(name, "cars196") || !strcmp(name, "nus-wide");
}

int dsml_data_is_builtin(const char *name)
{
    return !strcmp(name, "fashion-mnist") || !strcmp(name, "cifar10") || dsml_data_is_annotated(name);
}

int dsml_data_cache_path(const char *root, const char *name, char *out, size_t cap)
{
    size_t len = strlen(name);
    if (len == 0 || len >= DSML_DATASET_NAME || name[0] == '.' || strspn(name, "abcdefghijklmnopqrstuvwxyz"
                                                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != len)
        return dsml_fail(DSML_ERR_ARG, "dataset name \"%s\": expected 1..%d letters, digits, '.', '_' or '-', "
                         "not starting with '.'", name, DSML_DATASET_NAME - 1);
    int n = snprintf(out, cap, "%s/cache/%s.dsd", root, name);
    if (n < 0 || (size_t)n >= cap) return dsml_fail(DSML_ERR_ARG, "%s: data root path too long", root);
    return DSML_OK;
}

/* ------------------------------------------------------------ imagefolder */

typedef struct {
    const char *from;
    const char *name;
    const dsml_data_options *o;
} folder_source;

/* Reads the imagefolder and moves what the read found besides the images
 * (ignored, skipped, splits) into ds, which then owns it. */
static int prepare_imagefolder(dsml_dataset *ds, void *context)
{
    const folder_source *src = context;
    dsml_imagefolder_options opt;
    memset(&opt, 0, sizeof opt);
    opt.channels = src->o->channels;
    opt.height = src->o->height;
    opt.width = src->o->width;
    opt.split_dirs = src->o->split_dirs;
    opt.skip_bad = src->o->skip_bad;
    opt.max_total_bytes = src->o->max_total_bytes;
    opt.max_entry_bytes = src->o->max_entry_bytes;
    opt.name = src->name;
    dsml_imagefolder_info info;
    int rc = dsml_imagefolder_read(ds, src->from, &opt, src->o->log, &info);
    if (rc) return rc;
    ds->n_ignored = info.n_ignored;
    ds->n_skipped = info.n_skipped;
    ds->skipped = info.skipped;
    ds->n_splits = info.n_splits;
    ds->split_names = info.split_names;
    ds->owned_split = info.split;
    ds->split = info.split;
    memset(&info, 0, sizeof info); /* handed over to ds */
    return DSML_OK;
}

/* What identifies a folder's files without reading them: the count, the
 * total size, and an order-independent digest (sum of FNV-1a 64) of every
 * regular file's relative path, size and mtime (ns). */
typedef struct {
    long long files, bytes;
    uint64_t digest;
} tree_stat;

static uint64_t fnv1a(uint64_t h, const void *data, size_t size)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < size; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* dsml_walk's callback: adds one file to the tree's count, size and digest. */
static int stat_file(const char *rel, const struct stat *st, void *context)
{
    tree_stat *t = context;
    int64_t fields[2] = {(int64_t)st->st_size, (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec};
    uint64_t h = fnv1a(14695981039346656037ull, rel, strlen(rel) + 1);
    t->digest += fnv1a(h, fields, sizeof fields);
    t->files++;
    t->bytes += st->st_size;
    return DSML_OK;
}

/* "imagefolder reader=R channels=C size=HxW split_dirs=S skip_bad=B
 *  source=... from=ABSPATH" (from last: the path may hold spaces). */
static int imagefolder_params(char params[DSML_CACHE_PARAMS], const char *from, const dsml_data_options *o)
{
    struct stat st;
    if (stat(from, &st) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s", from, strerror(errno));
    char source[128];
    if (S_ISDIR(st.st_mode)) {
        tree_stat t = {0, 0, 0};
        int rc = dsml_walk(from, stat_file, &t);
        if (rc) return rc;
        snprintf(source, sizeof source, "tree=%lld:%lld:%016llx", t.files, t.bytes, (unsigned long long)t.digest);
    } else {
        snprintf(source, sizeof source, "file=%lld:%lld.%09ld", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                 (long)st.st_mtim.tv_nsec);
    }
    int len = snprintf(params, DSML_CACHE_PARAMS,
                       "imagefolder reader=%s channels=%d size=%dx%d split_dirs=%d skip_bad=%d source=%s from=%s",
                       IMAGEFOLDER_READER, o->channels, o->height, o->width, o->split_dirs ? 1 : 0,
                       o->skip_bad ? 1 : 0, source, from);
    if (len < 0 || len >= DSML_CACHE_PARAMS)
        return dsml_fail(DSML_ERR_ARG, "%s: source path too long for the cache's parameters string", from);
    return DSML_OK;
}

/* Reads the options and source path back from an imagefolder's parameters
 * string; from_out gets the recorded absolute path. */
static int parse_imagefolder_params(const char *params, dsml_data_options *o, char *from_out, size_t cap)
{
    char reader[64];
    int channels, height, width, split_dirs, skip_bad;
    const char *from = strstr(params, " from=");
    if (sscanf(params, "imagefolder reader=%63s channels=%d size=%dx%d split_dirs=%d skip_bad=%d", reader,
               &channels, &height, &width, &split_dirs, &skip_bad) != 6 || !from || !from[6])
        return dsml_fail(DSML_ERR_FORMAT, "parameters \"%.200s\": not those of an imagefolder", params);
    o->channels = channels;
    o->height = height;
    o->width = width;
    o->split_dirs = split_dirs;
    o->skip_bad = skip_bad;
    snprintf(from_out, cap, "%s", from + 6);
    return DSML_OK;
}

static int prepare_folder_cache(dsml_dataset *ds, const char *name, const char *cache, const dsml_data_options *o,
                                int *prepared)
{
    if (!o->from) return dsml_fail(DSML_ERR_ARG, "imagefolder %s: a source folder or archive (--from) is needed", name);
    char from[PATH_MAX];
    if (!realpath(o->from, from)) return dsml_fail(DSML_ERR_IO, "%s: %s: %s", name, o->from, strerror(errno));
    if (o->channels != 1 && o->channels != 3)
        return dsml_fail(DSML_ERR_ARG, "%s: %d channels, expected 1 or 3", name, o->channels);
    if (o->height < 1 || o->width < 1 || o->height > 4096 || o->width > 4096)
        return dsml_fail(DSML_ERR_ARG, "%s: size %dx%d, expected 1..4096 a side", name, o->height, o->width);
    char params[DSML_CACHE_PARAMS];
    int rc = imagefolder_params(params, from, o);
    if (rc) return rc;
    if (o->log) fprintf(o->log, "data: %s: source %s\n", name, from);
    folder_source src = {from, name, o};
    rc = dsml_cache_refresh(ds, cache, params, prepare_imagefolder, &src, DSML_CACHE_VERIFY_CONTENT, o->log,
                            prepared);
    if (rc) return dsml_fail_context(rc, "preparing %s from %s", name, from);
    return DSML_OK;
}

/* -------------------------------------------------- fashion-mnist, cifar10 */

static int open_builtin(dsml_dataset *ds, const char *name, const char *root, const char *cache,
                        const dsml_data_options *o, int *prepared)
{
    int is_fashion = strcmp(name, "fashion-mnist") == 0;
    FILE *log = o->log;
    char found[4096], tried[8400];
    if (o->from) {
        if (access(o->from, R_OK) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s: %s", name, o->from, strerror(errno));
        snprintf(found, sizeof found, "%s", o->from);
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
                                        : "; get it with `dsml fetch cifar10`, or put cifar-10-binary.tar.gz "
                                          "into the data root, or give its path with --from");
        return DSML_OK;
    }
    char params[DSML_CACHE_PARAMS];
    rc = make_params(params, name, found);
    if (rc) return rc;
    if (log) fprintf(log, "data: %s: source %s\n", name, found);
    source src = {name, found, {o->max_total_bytes, o->max_entry_bytes}};
    rc = dsml_cache_refresh(ds, cache, params, is_fashion ? prepare_fashion : prepare_cifar, &src,
                            DSML_CACHE_VERIFY_CONTENT, log, prepared);
    if (rc) return dsml_fail_context(rc, "preparing %s from %s", name, found);
    return DSML_OK;
}

/* ------------------------------------------------ cub200, cars196, nus-wide */

typedef struct {
    const char *kind;
    const char *from;
    const dsml_data_options *o;
} annotated_source;

static int prepare_annotated(dsml_dataset *ds, void *context)
{
    const annotated_source *src = context;
    dsml_reader_options r;
    memset(&r, 0, sizeof r);
    r.channels = src->o->channels;
    r.height = src->o->height;
    r.width = src->o->width;
    r.limits.max_total_bytes = src->o->max_total_bytes;
    r.limits.max_entry_bytes = src->o->max_entry_bytes;
    if (!strcmp(src->kind, "cub200")) return dsml_cub200_read(ds, src->from, &r);
    if (!strcmp(src->kind, "cars196")) return dsml_cars196_read(ds, src->from, &r);
    return dsml_nuswide_read(ds, src->from, &r, DSML_NUSWIDE_CONCEPTS, src->o->skip_bad);
}

/* The files of a source folder that a reader may read (the rest of the
 * folder, e.g. other datasets' downloads, does not make the cache stale). */
static const char *const cars_files[] = {"car_ims.tgz", "car_ims", "cars_annos.mat", "car_devkit.tgz",
                                         "cars_train.tgz", "cars_train", "cars_test.tgz", "cars_test",
                                         "cars_meta.mat", "cars_train_annos.mat",
                                         "cars_test_annos_withlabels.mat", NULL};
static const char *const nuswide_files[] = {"ImageList.zip", "ImageList", "Groundtruth.zip", "Groundtruth",
                                            "nus-wide-images", "nus-wide-images.tar", "nus-wide-images.tar.gz",
                                            "nus-wide-images.tgz", "nus-wide-images.zip", NULL};

/* Appends " <name>=file:<size>:<mtime ns>" or " <name>=tree:<files>:<bytes>:<digest>". */
static int append_source(char *params, size_t cap, const char *path, const char *name)
{
    struct stat st;
    if (stat(path, &st) != 0) return DSML_OK; /* absent: not part of the source */
    char text[256];
    if (S_ISDIR(st.st_mode)) {
        tree_stat t = {0, 0, 0};
        int rc = dsml_walk(path, stat_file, &t);
        if (rc) return rc;
        snprintf(text, sizeof text, " %s=tree:%lld:%lld:%016llx", name, t.files, t.bytes,
                 (unsigned long long)t.digest);
    } else {
        snprintf(text, sizeof text, " %s=file:%lld:%lld.%09ld", name, (long long)st.st_size,
                 (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    }
    size_t used = strlen(params);
    if (used + strlen(text) >= cap)
        return dsml_fail(DSML_ERR_ARG, "%s: too many source files for the cache's parameters string", path);
    memcpy(params + used, text, strlen(text) + 1);
    return DSML_OK;
}

/* "<kind> reader=R channels=C size=HxW skip_bad=B <sources...> from=ABSPATH". */
static int annotated_params(char params[DSML_CACHE_PARAMS], const char *kind, const char *from,
                            const dsml_data_options *o)
{
    const char *reader = !strcmp(kind, "cub200") ? CUB_READER : !strcmp(kind, "cars196") ? CARS_READER : NUSWIDE_READER;
    int len = snprintf(params, DSML_CACHE_PARAMS, "%s reader=%s channels=%d size=%dx%d skip_bad=%d", kind, reader,
                       o->channels, o->height, o->width, !strcmp(kind, "nus-wide") && o->skip_bad ? 1 : 0);
    if (len < 0 || len >= DSML_CACHE_PARAMS) return dsml_fail(DSML_ERR_ARG, "%s: parameters too long", kind);
    struct stat st;
    if (stat(from, &st) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s", from, strerror(errno));
    const char *const *files = !strcmp(kind, "cars196") ? cars_files : !strcmp(kind, "nus-wide") ? nuswide_files : NULL;
    int rc = DSML_OK;
    if (S_ISDIR(st.st_mode) && files) {
        char path[8192];
        for (int i = 0; !rc && files[i]; i++) {
            snprintf(path, sizeof path, "%s/%s", from, files[i]);
            rc = append_source(params, DSML_CACHE_PARAMS, path, files[i]);
        }
    } else {
        rc = append_source(params, DSML_CACHE_PARAMS, from, "source");
        if (!rc && !S_ISDIR(st.st_mode) && !strcmp(kind, "cars196")) { /* car_ims.tgz: the .mat beside it */
            char dir[8192];
            snprintf(dir, sizeof dir, "%s", from);
            char *slash = strrchr(dir, '/');
            if (slash) {
                snprintf(slash + 1, sizeof dir - (size_t)(slash + 1 - dir), "cars_annos.mat");
                rc = append_source(params, DSML_CACHE_PARAMS, dir, "cars_annos.mat");
            }
        }
    }
    if (rc) return rc;
    size_t used = strlen(params);
    len = snprintf(params + used, DSML_CACHE_PARAMS - used, " from=%s", from);
    if (len < 0 || (size_t)len >= DSML_CACHE_PARAMS - used)
        return dsml_fail(DSML_ERR_ARG, "%s: source path too long for the cache's parameters string", from);
    return DSML_OK;
}

/* The default source of an annotated dataset in the data root, or "". */
static void annotated_default(const char *kind, const char *root, char *out, size_t cap, char *tried, size_t tried_cap)
{
    out[0] = '\0';
    tried[0] = '\0';
    char candidates[4][4096];
    const char *probe[4] = {NULL, NULL, NULL, NULL}; /* a file that must be in a candidate folder */
    int n = 0;
    if (!strcmp(kind, "cub200")) {
        snprintf(candidates[n++], sizeof candidates[0], "%s/downloads/CUB_200_2011.tgz", root);
        snprintf(candidates[n++], sizeof candidates[0], "%s/CUB_200_2011.tgz", root);
        snprintf(candidates[n++], sizeof candidates[0], "%s/CUB_200_2011", root);
    } else {
        int cars = !strcmp(kind, "cars196");
        snprintf(candidates[n], sizeof candidates[0], "%s/downloads", root);
        probe[n++] = cars ? "cars_annos.mat|car_devkit.tgz" : "ImageList.zip|ImageList";
        snprintf(candidates[n], sizeof candidates[0], "%s", root);
        probe[n++] = cars ? "cars_annos.mat|car_devkit.tgz" : "ImageList.zip|ImageList";
    }
    for (int i = 0; i < n; i++) {
        size_t used = strlen(tried);
        snprintf(tried + used, tried_cap - used, "%s%s", i ? ", " : "", candidates[i]);
        if (out[0] || access(candidates[i], R_OK) != 0) continue;
        if (!probe[i]) {
            snprintf(out, cap, "%s", candidates[i]);
            continue;
        }
        char names[64], path[8192];
        snprintf(names, sizeof names, "%s", probe[i]);
        for (char *save, *tok = strtok_r(names, "|", &save); tok && !out[0]; tok = strtok_r(NULL, "|", &save)) {
            snprintf(path, sizeof path, "%s/%s", candidates[i], tok);
            if (access(path, R_OK) == 0) snprintf(out, cap, "%s", candidates[i]);
        }
    }
}

static int open_annotated(dsml_dataset *ds, const char *kind, const char *root, const char *cache,
                          const dsml_data_options *o, int *prepared)
{
    char found[4096], tried[20000], from[PATH_MAX];
    if (o->from) snprintf(found, sizeof found, "%s", o->from);
    else annotated_default(kind, root, found, sizeof found, tried, sizeof tried);
    if (!found[0]) {
        if (o->log) fprintf(o->log, "data: %s: no source at %s\n", kind, tried);
        int rc = dsml_cache_ensure(ds, cache, "", NULL, NULL, DSML_CACHE_VERIFY_CONTENT, o->log);
        if (rc && access(cache, F_OK) == 0)
            return dsml_fail_context(rc, "%s: no source found (looked at %s), and the cache", kind, tried);
        if (rc)
            return dsml_fail(DSML_ERR_STATE, "%s: no prepared cache at %s and no source found (looked at %s); see "
                             "datasets/%s.manifest, or give the source with --from", kind, cache, tried, kind);
        return DSML_OK;
    }
    if (!realpath(found, from)) return dsml_fail(DSML_ERR_IO, "%s: %s: %s", kind, found, strerror(errno));
    if (o->channels != 1 && o->channels != 3)
        return dsml_fail(DSML_ERR_ARG, "%s: %d channels, expected 1 or 3", kind, o->channels);
    if (o->height < 1 || o->width < 1 || o->height > 4096 || o->width > 4096)
        return dsml_fail(DSML_ERR_ARG, "%s: size %dx%d, expected 1..4096 a side", kind, o->height, o->width);
    char params[DSML_CACHE_PARAMS];
    int rc = annotated_params(params, kind, from, o);
    if (rc) return rc;
    if (o->log) fprintf(o->log, "data: %s: source %s\n", kind, from);
    annotated_source src = {kind, from, o};
    rc = dsml_cache_refresh(ds, cache, params, prepare_annotated, &src, DSML_CACHE_VERIFY_CONTENT, o->log, prepared);
    if (rc) return dsml_fail_context(rc, "preparing %s from %s", kind, from);
    return DSML_OK;
}

/* The options an annotated dataset's cache was prepared with (channels,
 * size, skip_bad), so that opening it by name keeps them; o is left as it is
 * when there is no readable cache. */
static void annotated_recorded_options(const char *cache, dsml_data_options *o)
{
    dsml_dataset ds;
    char params[DSML_CACHE_PARAMS];
    if (access(cache, F_OK) != 0 || dsml_cache_open(&ds, cache, DSML_CACHE_TRUST_CONTENT, params) != DSML_OK) {
        dsml_clear_error();
        return;
    }
    dsml_dataset_free(&ds);
    const char *p = strstr(params, " channels=");
    int channels, height, width, skip_bad;
    if (p && sscanf(p, " channels=%d size=%dx%d skip_bad=%d", &channels, &height, &width, &skip_bad) == 4) {
        o->channels = channels;
        o->height = height;
        o->width = width;
        o->skip_bad = skip_bad;
    }
}

int dsml_data_prepare(dsml_dataset *ds, const char *kind, const char *name, const char *root,
                      const dsml_data_options *o, int *prepared)
{
    memset(ds, 0, sizeof *ds);
    if (prepared) *prepared = 0;
    int builtin = dsml_data_is_builtin(kind);
    if (!builtin && strcmp(kind, "imagefolder") != 0)
        return dsml_fail(DSML_ERR_ARG, "dataset \"%s\": unknown, expected fashion-mnist, cifar10, cub200, cars196, "
                         "nus-wide or imagefolder", kind);
    if (builtin && name && strcmp(name, kind) != 0)
        return dsml_fail(DSML_ERR_ARG, "%s: a local name (\"%s\") is for imagefolder datasets only", kind, name);
    if (!builtin && !name)
        return dsml_fail(DSML_ERR_ARG, "imagefolder: a local name for the prepared dataset is needed");
    if (!builtin && (dsml_data_is_builtin(name) || !strcmp(name, "imagefolder")))
        return dsml_fail(DSML_ERR_ARG, "imagefolder: local name \"%s\" is taken by a built-in dataset", name);
    if (!name) name = kind;
    char cache[4096];
    int rc = dsml_data_cache_path(root, name, cache, sizeof cache);
    if (rc) return rc;
    if (dsml_data_is_annotated(kind)) return open_annotated(ds, kind, root, cache, o, prepared);
    return builtin ? open_builtin(ds, name, root, cache, o, prepared)
                   : prepare_folder_cache(ds, name, cache, o, prepared);
}

int dsml_data_open(dsml_dataset *ds, const char *name, const char *root, const char *from, FILE *log)
{
    memset(ds, 0, sizeof *ds);
    dsml_data_options o;
    dsml_data_options_default(&o);
    o.from = from;
    o.log = log;
    if (dsml_data_is_annotated(name)) {
        char cache[4096];
        int rc = dsml_data_cache_path(root, name, cache, sizeof cache);
        if (rc) return rc;
        annotated_recorded_options(cache, &o);
    }
    if (dsml_data_is_builtin(name)) return dsml_data_prepare(ds, name, name, root, &o, NULL);
    char cache[4096];
    if (dsml_data_cache_path(root, name, cache, sizeof cache) != DSML_OK || !strcmp(name, "imagefolder"))
        return dsml_fail(DSML_ERR_ARG, "dataset \"%s\": unknown, expected fashion-mnist, cifar10, cub200, cars196, "
                         "nus-wide or the local name of a prepared imagefolder", name);
    if (access(cache, F_OK) != 0)
        return dsml_fail(DSML_ERR_ARG, "dataset \"%s\": unknown, expected fashion-mnist, cifar10, cub200, cars196, "
                         "nus-wide or the local name of a prepared imagefolder (no %s; prepare it with `dsml prepare "
                         "imagefolder --from PATH --name %s`)", name, cache, name);
    char params[DSML_CACHE_PARAMS], recorded[DSML_CACHE_PARAMS];
    int rc = dsml_cache_open(ds, cache, DSML_CACHE_TRUST_CONTENT, params);
    dsml_dataset_free(ds);
    if (rc) return dsml_fail_context(rc, "%s: prepare it again with `dsml prepare imagefolder --from PATH --name %s`",
                                     name, name);
    rc = parse_imagefolder_params(params, &o, recorded, sizeof recorded);
    if (rc) return dsml_fail_context(rc, "%s", cache);
    if (!from && access(recorded, R_OK) != 0) {
        if (log) fprintf(log, "data: %s: source %s is gone\n", name, recorded);
        return dsml_cache_ensure(ds, cache, "", NULL, NULL, DSML_CACHE_VERIFY_CONTENT, log);
    }
    if (!from) o.from = recorded;
    return dsml_data_prepare(ds, "imagefolder", name, root, &o, NULL);
}
