/* The parameters string of a cache (what produced it: reader version,
 * options, the source's files with their sizes and mtimes), written for a
 * source and read back from a cache; the layouts are in kind.h and
 * docs/formats.md. A change to any of it makes the cache stale, so each
 * layout is kept byte for byte as earlier releases wrote it. */
#include "data/kind.h"
#include "core/error.h"
#include "data/idx.h"
#include "data/walk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Appends text to params, or fails naming `path` (what made it too long). */
static int append(char params[DSML_CACHE_PARAMS], const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int append(char params[DSML_CACHE_PARAMS], const char *path, const char *fmt, ...)
{
    size_t used = strlen(params);
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(params + used, DSML_CACHE_PARAMS - used, fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= DSML_CACHE_PARAMS - used) {
        params[used] = '\0';
        return dsml_fail(DSML_ERR_ARG, "%s: source path too long for the cache's parameters string", path);
    }
    return DSML_OK;
}

/* ------------------------------------------ idx, stat: every file required */

/* Appends " <base>=<size>:<mtime s>" for `path`, which must exist. */
static int append_stat(char params[DSML_CACHE_PARAMS], const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));
    const char *base = strrchr(path, '/');
    return append(params, path, " %s=%lld:%lld", base ? base + 1 : path, (long long)st.st_size,
                  (long long)st.st_mtime);
}

int dsml_data_params_idx(char params[DSML_CACHE_PARAMS], const dsml_data_kind *kind, const char *source,
                         const dsml_data_options *o)
{
    (void)o;
    params[0] = '\0';
    int rc = append(params, source, "%s reader=%s from=%s", kind->name, kind->reader, source);
    char paths[4][4096];
    if (!rc) rc = dsml_fashion_mnist_files(source, paths);
    for (int i = 0; !rc && i < 4; i++) rc = append_stat(params, paths[i]);
    return rc;
}

int dsml_data_params_stat(char params[DSML_CACHE_PARAMS], const dsml_data_kind *kind, const char *source,
                          const dsml_data_options *o)
{
    (void)o;
    params[0] = '\0';
    int rc = append(params, source, "%s reader=%s from=%s", kind->name, kind->reader, source);
    if (rc) return rc;
    struct stat st;
    if (stat(source, &st) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s", source, strerror(errno));
    if (!S_ISDIR(st.st_mode) || !kind->stamp_files) return append_stat(params, source);
    char path[4096];
    for (int i = 0; !rc && kind->stamp_files[i]; i++) {
        int len = snprintf(path, sizeof path, "%s/%s", source, kind->stamp_files[i]);
        if (len < 0 || (size_t)len >= sizeof path) return dsml_fail(DSML_ERR_ARG, "%s: path too long", source);
        rc = append_stat(params, path);
    }
    return rc;
}

/* ------------------------------------- entries, folder: options, then stamps */

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

/* Appends " <label>=file<sep><size>:<mtime s>.<ns>" for a file, or
 * " <label>=tree<sep><files>:<bytes>:<digest>" for a folder; nothing when
 * `path` is absent and not `required`. */
static int append_stamp(char params[DSML_CACHE_PARAMS], const char *path, const char *label, char sep, int required)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (!required) return DSML_OK; /* absent: not part of the source */
        return dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return append(params, path, " %s=file%c%lld:%lld.%09ld", label, sep, (long long)st.st_size,
                      (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    tree_stat t = {0, 0, 0};
    int rc = dsml_walk(path, stat_file, &t);
    if (rc) return rc;
    return append(params, path, " %s=tree%c%lld:%lld:%016llx", label, sep, t.files, t.bytes,
                  (unsigned long long)t.digest);
}

/* "<name> reader=R channels=C size=HxW [split_dirs=S] skip_bad=B": the
 * options a kind honours, as given (split_dirs only for a kind that honours
 * it; skip_bad 0 for one that does not). */
static int append_options(char params[DSML_CACHE_PARAMS], const dsml_data_kind *kind, const dsml_data_options *o)
{
    params[0] = '\0';
    int rc = append(params, kind->name, "%s reader=%s channels=%d size=%dx%d", kind->name, kind->reader,
                    o->channels, o->height, o->width);
    if (!rc && (kind->options & DSML_DATA_OPT_SPLIT_DIRS))
        rc = append(params, kind->name, " split_dirs=%d", o->split_dirs ? 1 : 0);
    if (!rc)
        rc = append(params, kind->name, " skip_bad=%d", (kind->options & DSML_DATA_OPT_SKIP_BAD) && o->skip_bad);
    return rc;
}

int dsml_data_params_entries(char params[DSML_CACHE_PARAMS], const dsml_data_kind *kind, const char *source,
                             const dsml_data_options *o)
{
    int rc = append_options(params, kind, o);
    if (rc) return rc;
    struct stat st;
    if (stat(source, &st) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s", source, strerror(errno));
    char path[8192];
    if (S_ISDIR(st.st_mode) && kind->stamp_files) {
        for (int i = 0; !rc && kind->stamp_files[i]; i++) {
            snprintf(path, sizeof path, "%s/%s", source, kind->stamp_files[i]);
            rc = append_stamp(params, path, kind->stamp_files[i], ':', 0);
        }
    } else {
        rc = append_stamp(params, source, "source", ':', 1);
        const char *slash = strrchr(source, '/');
        if (!rc && !S_ISDIR(st.st_mode) && kind->stamp_beside && slash) { /* e.g. the .mat beside car_ims.tgz */
            snprintf(path, sizeof path, "%.*s%s", (int)(slash + 1 - source), source, kind->stamp_beside);
            rc = append_stamp(params, path, kind->stamp_beside, ':', 0);
        }
    }
    if (!rc) rc = append(params, source, " from=%s", source);
    return rc;
}

int dsml_data_params_folder(char params[DSML_CACHE_PARAMS], const dsml_data_kind *kind, const char *source,
                            const dsml_data_options *o)
{
    int rc = append_options(params, kind, o);
    if (!rc) rc = append_stamp(params, source, "source", '=', 1);
    if (!rc) rc = append(params, source, " from=%s", source); /* last: the path may hold spaces */
    return rc;
}

/* -------------------------------------------------------------- read back */

int dsml_data_params_read(const char *params, const dsml_data_kind *kind, dsml_data_options *o, char *from_out,
                          size_t cap)
{
    int split_dirs = kind->options & DSML_DATA_OPT_SPLIT_DIRS;
    char head[DSML_DATASET_NAME + 16], reader[64];
    int channels, height, width, skip_bad, dirs = 0, used = 0;
    snprintf(head, sizeof head, "%s reader=", kind->name);
    size_t head_len = strlen(head);
    const char *p = params + head_len, *from = strstr(params, " from=");
    int ok = !strncmp(params, head, head_len) &&
             sscanf(p, "%63s channels=%d size=%dx%d%n", reader, &channels, &height, &width, &used) == 4;
    if (ok && split_dirs) {
        p += used;
        ok = sscanf(p, " split_dirs=%d%n", &dirs, &used) == 1;
    }
    if (ok) ok = sscanf(p + used, " skip_bad=%d", &skip_bad) == 1;
    if (ok && from_out) ok = from && from[6];
    if (!ok)
        return dsml_fail(DSML_ERR_FORMAT, "parameters \"%.200s\": expected \"%sR channels=C size=HxW%s skip_bad=B "
                         "...%s\"", params, head, split_dirs ? " split_dirs=S" : "", from_out ? " from=PATH" : "");
    o->channels = channels;
    o->height = height;
    o->width = width;
    if (split_dirs) o->split_dirs = dirs;
    o->skip_bad = skip_bad;
    if (from_out) snprintf(from_out, cap, "%s", from + 6);
    return DSML_OK;
}
