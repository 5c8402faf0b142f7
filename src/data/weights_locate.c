/* Manifest name or path to a weights file; see weights_locate.h. */
#include "data/weights_locate.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "data/manifest.h"

/* Copies src into path[cap]; DSML_ERR_ARG when it does not fit. */
static int put_path(char *path, size_t cap, const char *src)
{
    if (strlen(src) >= cap)
        return dsml_fail(DSML_ERR_ARG, "%s: path of %zu bytes does not fit a buffer of %zu", src, strlen(src), cap);
    memcpy(path, src, strlen(src) + 1);
    return DSML_OK;
}

static int is_regular(const char *p, int64_t *size)
{
    struct stat st;
    if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    if (size) *size = (int64_t)st.st_size;
    return 1;
}

static int locate_path(const char *p, char *path, size_t cap)
{
    struct stat st;
    if (stat(p, &st) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s", p, strerror(errno));
    if (!S_ISREG(st.st_mode)) return dsml_fail(DSML_ERR_IO, "%s: not a regular file", p);
    return put_path(path, cap, p);
}

static int locate_named(const char *name, const char *manifest, const char *root, char *path, size_t cap)
{
    dsml_manifest m;
    int rc = dsml_manifest_load(&m, manifest);
    if (rc) return rc;
    if (m.n_files != 1)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %d files, expected the one file of a weights manifest", manifest,
                         m.n_files);
    const dsml_manifest_file *f = &m.files[0];
    char fetched[4096], dropped[4096];
    if (snprintf(fetched, sizeof fetched, "%s/downloads/%s", root, f->name) >= (int)sizeof fetched ||
        snprintf(dropped, sizeof dropped, "%s/%s", root, f->name) >= (int)sizeof dropped)
        return dsml_fail(DSML_ERR_ARG, "%s: data root path too long", root);
    const char *places[2] = {fetched, dropped};
    for (int i = 0; i < 2; i++) {
        int64_t size;
        if (!is_regular(places[i], &size)) continue;
        if (f->size >= 0 && size != f->size)
            return dsml_fail(DSML_ERR_CHECKSUM, "%s: %s: size expected %lld bytes, found %lld; get it again with "
                             "`dsml fetch %s`", name, places[i], (long long)f->size, (long long)size, name);
        return put_path(path, cap, places[i]);
    }
    if (f->n_urls == 0)
        return dsml_fail(DSML_ERR_STATE, "%s: %s is missing; %s", name, fetched,
                         f->manual[0] ? f->manual : "no URL is known");
    return dsml_fail(DSML_ERR_STATE, "%s: %s is missing; get it with `dsml fetch %s`", name, fetched, name);
}

int dsml_weights_locate(const char *name_or_path, const char *manifest_dir, const char *data_root, char *path,
                        size_t cap)
{
    if (!name_or_path || !name_or_path[0] || !manifest_dir || !data_root || !data_root[0] || !path || cap == 0)
        return dsml_fail(DSML_ERR_ARG, "weights: a name or path, a manifest folder, a data root and a buffer are "
                         "needed");
    char manifest[4096];
    int plain = !strchr(name_or_path, '/') && name_or_path[0] != '.';
    if (plain && snprintf(manifest, sizeof manifest, "%s/%s.manifest", manifest_dir, name_or_path) <
                     (int)sizeof manifest && is_regular(manifest, NULL))
        return locate_named(name_or_path, manifest, data_root, path, cap);
    if (plain && !is_regular(name_or_path, NULL))
        return dsml_fail(DSML_ERR_IO, "%s: no such file, and no weights manifest %s/%s.manifest", name_or_path,
                         manifest_dir, name_or_path);
    return locate_path(name_or_path, path, cap);
}
