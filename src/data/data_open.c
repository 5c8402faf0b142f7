/* dsml_data_open and dsml_data_prepare: the one path from a dataset's name to
 * its open cache (see dataset.h and kind.h): find the kind in the registry,
 * resolve its source, build its parameters string, and refresh the cache
 * once, or use the existing cache as it is when no source is found. */
#include "data/dataset.h"
#include "core/error.h"
#include "core/names.h"
#include "data/cache.h"
#include "data/imageset.h"
#include "data/kind.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void dsml_data_options_default(dsml_data_options *o)
{
    memset(o, 0, sizeof *o);
    o->channels = 3;
    o->height = 32;
    o->width = 32;
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

/* "a, b or c" over the kinds whose local_name is `local` (-1: all), then
 * `last` when not NULL. */
static void kind_list(char *buf, size_t size, int local, const char *last)
{
    const char *names[DSML_DATA_KINDS_MAX + 1];
    int n = dsml_data_kind_names(names, DSML_DATA_KINDS_MAX, 0, local);
    if (last) names[n++] = last;
    dsml_names_join(names, n, buf, size);
}

/* ------------------------------------------------------------------ source */

/* 1 when `path` is readable and, with a probe "a|b", holds a or b. */
static int candidate_holds(const char *path, const char *probe)
{
    if (access(path, R_OK) != 0) return 0;
    if (!probe) return 1;
    char file[8192];
    for (const char *p = probe; *p;) {
        size_t len = strcspn(p, "|");
        snprintf(file, sizeof file, "%s/%.*s", path, (int)len, p);
        if (access(file, R_OK) == 0) return 1;
        p += len + (p[len] == '|');
    }
    return 0;
}

/* The source of `kind` into found: o->from (which must exist), else the
 * first of the kind's candidates that exists; "" when none does, with the
 * candidates listed in `tried`. An absolute_source kind gets the real path. */
static int resolve_source(const dsml_data_kind *kind, const char *name, const char *root, const dsml_data_options *o,
                          char found[PATH_MAX], char *tried, size_t tried_cap)
{
    found[0] = '\0';
    tried[0] = '\0';
    char candidate[4096];
    const char *source = o->from;
    if (!source && !kind->candidates[0].path)
        return dsml_fail(DSML_ERR_ARG, "%s %s: a source folder or archive (--from) is needed", kind->name, name);
    const char *system = o->fashion_mnist_dir && o->fashion_mnist_dir[0] ? o->fashion_mnist_dir : kind->system_dir;
    for (int i = 0; !source && i < DSML_DATA_CANDIDATES && kind->candidates[i].path; i++) {
        const dsml_data_candidate *c = &kind->candidates[i];
        snprintf(candidate, sizeof candidate, "%s%s%s", c->in_system_dir ? system : root, c->path[0] ? "/" : "",
                 c->path);
        size_t used = strlen(tried);
        snprintf(tried + used, tried_cap - used, "%s%s", i ? ", " : "", candidate);
        if (!found[0] && candidate_holds(candidate, c->probe)) snprintf(found, PATH_MAX, "%s", candidate);
    }
    if (found[0]) source = found;
    if (!source) return DSML_OK;
    if (kind->absolute_source) {
        char given[PATH_MAX];
        snprintf(given, sizeof given, "%s", source);
        if (!realpath(given, found)) return dsml_fail(DSML_ERR_IO, "%s: %s: %s", name, given, strerror(errno));
    } else {
        if (o->from && access(o->from, R_OK) != 0)
            return dsml_fail(DSML_ERR_IO, "%s: %s: %s", name, o->from, strerror(errno));
        if (source != found) snprintf(found, PATH_MAX, "%s", source);
    }
    return DSML_OK;
}

/* No source found: the existing cache as it is, or an error that says where
 * the source was looked for and how to get it. */
static int open_without_source(dsml_dataset *ds, const dsml_data_kind *kind, const char *name, const char *cache,
                               const char *tried, FILE *log)
{
    if (log) fprintf(log, "data: %s: no source at %s\n", name, tried);
    int rc = dsml_cache_ensure(ds, cache, "", NULL, NULL, DSML_CACHE_VERIFY_CONTENT, log);
    if (rc && access(cache, F_OK) == 0)
        return dsml_fail_context(rc, "%s: no source found (looked at %s), and the cache", name, tried);
    if (rc)
        return dsml_fail(DSML_ERR_STATE, "%s: no prepared cache at %s and no source found (looked at %s)%s", name,
                         cache, tried, kind->missing ? kind->missing : "");
    return DSML_OK;
}

/* ---------------------------------------------------------------- the path */

typedef struct {
    const dsml_data_kind *kind;
    const char *source, *name;
    const dsml_data_options *o;
} read_request;

/* dsml_cache_refresh's prepare step: the kind's reader. */
static int read_source(dsml_dataset *ds, void *context)
{
    const read_request *r = context;
    return r->kind->read(ds, r->source, r->name, r->o);
}

/* Source -> parameters -> one cache refresh (or the cache as it is). */
static int open_kind(dsml_dataset *ds, const dsml_data_kind *kind, const char *name, const char *root,
                     const char *cache, const dsml_data_options *o, int *prepared)
{
    char found[PATH_MAX], tried[20000];
    int rc = resolve_source(kind, name, root, o, found, tried, sizeof tried);
    if (rc) return rc;
    if (!found[0]) return open_without_source(ds, kind, name, cache, tried, o->log);
    if (kind->options & DSML_DATA_OPT_SHAPE) {
        dsml_reader_options shape = {o->channels, o->height, o->width, {0, 0}};
        rc = dsml_reader_options_check(&shape, name);
        if (rc) return rc;
    }
    char params[DSML_CACHE_PARAMS];
    rc = kind->params(params, kind, found, o);
    if (rc) return rc;
    if (o->log) fprintf(o->log, "data: %s: source %s\n", name, found);
    read_request request = {kind, found, name, o};
    rc = dsml_cache_refresh(ds, cache, params, read_source, &request, DSML_CACHE_VERIFY_CONTENT, o->log, prepared);
    if (rc) return dsml_fail_context(rc, "preparing %s from %s", name, found);
    return DSML_OK;
}

int dsml_data_prepare(dsml_dataset *ds, const char *kind_name, const char *name, const char *root,
                      const dsml_data_options *o, int *prepared)
{
    memset(ds, 0, sizeof *ds);
    if (prepared) *prepared = 0;
    const dsml_data_kind *kind = dsml_data_kind_find(kind_name);
    char list[512];
    if (!kind) {
        kind_list(list, sizeof list, -1, NULL);
        return dsml_fail(DSML_ERR_ARG, "dataset \"%s\": unknown, expected %s", kind_name, list);
    }
    if (!kind->local_name && name && strcmp(name, kind->name) != 0) {
        kind_list(list, sizeof list, 1, NULL);
        return dsml_fail(DSML_ERR_ARG, "%s: a local name (\"%s\") is for %s datasets only", kind->name, name, list);
    }
    if (kind->local_name && !name)
        return dsml_fail(DSML_ERR_ARG, "%s: a local name for the prepared dataset is needed", kind->name);
    if (kind->local_name && dsml_data_kind_find(name))
        return dsml_fail(DSML_ERR_ARG, "%s: local name \"%s\" is taken by a built-in dataset", kind->name, name);
    if (!name) name = kind->name;
    char cache[4096];
    int rc = dsml_data_cache_path(root, name, cache, sizeof cache);
    if (rc) return rc;
    return open_kind(ds, kind, name, root, cache, o, prepared);
}

int dsml_data_available(const char *name, const char *root, const dsml_data_options *o, char *why, size_t cap)
{
    if (why && cap) why[0] = '\0';
    char cache[4096];
    if (dsml_data_cache_path(root, name, cache, sizeof cache)) {
        if (why) snprintf(why, cap, "%s", dsml_last_error());
        return 0;
    }
    if (access(cache, F_OK) == 0) return 1;
    const dsml_data_kind *kind = dsml_data_kind_find(name);
    if (!kind || kind->local_name) {
        if (why) snprintf(why, cap, "no prepared cache %s (dsml prepare imagefolder --from PATH --name %s)", cache, name);
        return 0;
    }
    if (o->from && o->from[0]) return 1; /* a given source is checked when the run opens it */
    char found[PATH_MAX], tried[20000];
    if (resolve_source(kind, name, root, o, found, tried, sizeof tried)) {
        if (why) snprintf(why, cap, "%s", dsml_last_error());
        return 0;
    }
    if (found[0]) return 1;
    if (why) snprintf(why, cap, "no prepared cache %s and no source at %s%s", cache, tried, kind->missing ? kind->missing : "");
    return 0;
}

/* ------------------------------------------------------- opening by name */

/* The parameters string of the cache at `path` (header and labels checked). */
static int cache_params(const char *path, char params[DSML_CACHE_PARAMS])
{
    dsml_dataset ds;
    int rc = dsml_cache_open(&ds, path, DSML_CACHE_TRUST_CONTENT, params);
    dsml_dataset_free(&ds);
    return rc;
}

/* The local-name kind whose name starts `params`, else the first one (whose
 * reading of params then says what was expected). */
static const dsml_data_kind *local_kind(const char *params)
{
    int count;
    const dsml_data_kind *kinds = dsml_data_kinds(&count), *first = NULL;
    for (int i = 0; i < count; i++) {
        if (!kinds[i].local_name) continue;
        if (!first) first = &kinds[i];
        size_t len = strlen(kinds[i].name);
        if (params && !strncmp(params, kinds[i].name, len) && params[len] == ' ') return &kinds[i];
    }
    return first;
}

/* A dataset prepared under a local name: its kind, options and source read
 * back from the cache's parameters string; prepared again from there (or
 * from o->from) when stale, used as it is when the source is gone. */
static int open_local(dsml_dataset *ds, const char *name, const char *root, dsml_data_options *o)
{
    const char *local = local_kind(NULL)->name;
    char cache[4096], list[512], last[128];
    snprintf(last, sizeof last, "the local name of a prepared %s", local);
    kind_list(list, sizeof list, 0, last);
    if (dsml_data_cache_path(root, name, cache, sizeof cache) != DSML_OK || dsml_data_kind_find(name))
        return dsml_fail(DSML_ERR_ARG, "dataset \"%s\": unknown, expected %s", name, list);
    if (access(cache, F_OK) != 0)
        return dsml_fail(DSML_ERR_ARG, "dataset \"%s\": unknown, expected %s (no %s; prepare it with `dsml prepare "
                         "%s --from PATH --name %s`)", name, list, cache, local, name);
    char params[DSML_CACHE_PARAMS], recorded[DSML_CACHE_PARAMS];
    int rc = cache_params(cache, params);
    if (rc) return dsml_fail_context(rc, "%s: prepare it again with `dsml prepare %s --from PATH --name %s`", name,
                                     local, name);
    const dsml_data_kind *kind = local_kind(params);
    rc = dsml_data_params_read(params, kind, o, recorded, sizeof recorded);
    if (rc) return dsml_fail_context(rc, "%s", cache);
    if (!o->from && access(recorded, R_OK) != 0) {
        if (o->log) fprintf(o->log, "data: %s: source %s is gone\n", name, recorded);
        return dsml_cache_ensure(ds, cache, "", NULL, NULL, DSML_CACHE_VERIFY_CONTENT, o->log);
    }
    if (!o->from) o->from = recorded;
    return dsml_data_prepare(ds, kind->name, name, root, o, NULL);
}

int dsml_data_open(dsml_dataset *ds, const char *name, const char *root, const dsml_data_options *given)
{
    memset(ds, 0, sizeof *ds);
    dsml_data_options o;
    dsml_data_options_default(&o);
    o.from = given->from;
    o.log = given->log;
    o.fashion_mnist_dir = given->fashion_mnist_dir;
    o.max_total_bytes = given->max_total_bytes;
    o.max_entry_bytes = given->max_entry_bytes;
    const dsml_data_kind *kind = dsml_data_kind_find(name);
    if (!kind || kind->local_name) return open_local(ds, name, root, &o);
    char cache[4096], params[DSML_CACHE_PARAMS];
    int rc = dsml_data_cache_path(root, name, cache, sizeof cache);
    if (rc) return rc;
    /* the options it was prepared with, so that opening it by name keeps them */
    if ((kind->options & DSML_DATA_OPT_SHAPE) && access(cache, F_OK) == 0 &&
        (cache_params(cache, params) || dsml_data_params_read(params, kind, &o, NULL, 0)))
        dsml_clear_error();
    return open_kind(ds, kind, name, root, cache, &o, NULL);
}
