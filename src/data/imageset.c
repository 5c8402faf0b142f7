/* Decoding listed images from an archive or a folder into their slots; see
 * imageset.h. */
#include "data/imageset.h"
#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int dsml_reader_options_check(const dsml_reader_options *o, const char *name)
{
    if (o->channels != 1 && o->channels != 3)
        return dsml_fail(DSML_ERR_ARG, "%s: %d channels, expected 1 or 3", name, o->channels);
    if (o->height < 1 || o->width < 1 || o->height > 4096 || o->width > 4096)
        return dsml_fail(DSML_ERR_ARG, "%s: size %dx%d, expected 1..4096 a side", name, o->height, o->width);
    return DSML_OK;
}

int dsml_reader_start(dsml_dataset *ds, const char *path, const dsml_reader_options *o, int *is_dir)
{
    memset(ds, 0, sizeof *ds);
    int rc = dsml_reader_options_check(o, path);
    if (rc) return rc;
    struct stat st;
    if (stat(path, &st) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));
    *is_dir = S_ISDIR(st.st_mode);
    return DSML_OK;
}

char *dsml_text_line(char **cursor, int *line_no)
{
    char *p = *cursor;
    if (!*p) return NULL;
    char *end = strchr(p, '\n');
    if (end) {
        *end = '\0';
        *cursor = end + 1;
    } else {
        end = p + strlen(p);
        *cursor = end;
    }
    while (end > p && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t')) *--end = '\0';
    (*line_no)++;
    return p;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const dsml_imageset_entry *)a)->path, ((const dsml_imageset_entry *)b)->path);
}

int dsml_imageset_dataset(dsml_dataset *ds, const char *name, int n, const int32_t *labels, int n_classes,
                          const char (*class_names)[DSML_DATASET_NAME], const int8_t *train,
                          const dsml_reader_options *o, const char *source)
{
    uint8_t *pixels;
    int32_t *ds_labels;
    int rc = dsml_dataset_alloc(ds, name, n, o->channels, o->height, o->width, n_classes, &pixels, &ds_labels);
    if (rc) return rc;
    memcpy(ds_labels, labels, sizeof *labels * (size_t)n);
    memcpy(ds->class_names, class_names, sizeof *class_names * (size_t)n_classes);
    return dsml_dataset_set_train_test(ds, train, source);
}

int dsml_imageset_init(dsml_imageset *set, dsml_dataset *ds, const char *const *paths, const char *prefix)
{
    memset(set, 0, sizeof *set);
    int n = ds->n;
    if (n < 1 || !ds->owned_pixels) return dsml_fail(DSML_ERR_ARG, "image set: %d images", n);
    if (strlen(prefix) >= sizeof set->prefix)
        return dsml_fail(DSML_ERR_ARG, "image set: prefix \"%.100s...\" too long", prefix);
    snprintf(set->prefix, sizeof set->prefix, "%s", prefix);
    set->ds = ds;
    set->paths = paths;
    set->found = calloc((size_t)n, 1);
    set->order = malloc(sizeof *set->order * (size_t)n);
    if (!set->found || !set->order) {
        dsml_imageset_free(set);
        return dsml_fail(DSML_ERR_NOMEM, "image set: cannot allocate lists for %d images", n);
    }
    for (int i = 0; i < n; i++) {
        set->order[i].path = paths[i];
        set->order[i].index = i;
    }
    qsort(set->order, (size_t)n, sizeof *set->order, cmp_entry);
    for (int i = 1; i < n; i++)
        if (!strcmp(set->order[i - 1].path, set->order[i].path)) {
            int a = set->order[i - 1].index, b = set->order[i].index;
            int rc = dsml_fail(DSML_ERR_FORMAT, "image %s listed twice (images %d and %d)", set->order[i].path,
                               (a < b ? a : b) + 1, (a < b ? b : a) + 1);
            dsml_imageset_free(set);
            return rc;
        }
    return DSML_OK;
}

/* The index of `path` (relative to the prefix), or -1. */
static int lookup(const dsml_imageset *set, const char *path)
{
    int lo = 0, hi = set->ds->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(path, set->order[mid].path);
        if (c == 0) return set->order[mid].index;
        if (c < 0) hi = mid - 1;
        else lo = mid + 1;
    }
    return -1;
}

static int decode_into(dsml_imageset *set, int index, size_t size, const char *name)
{
    dsml_dataset *ds = set->ds;
    int rc = dsml_image_decode(&set->img, set->file, size, ds->channels, name);
    if (rc) return rc;
    rc = dsml_resize(set->img.pixels, set->img.channels, set->img.height, set->img.width,
                     ds->owned_pixels + (size_t)index * dsml_dataset_image_bytes(ds), ds->height, ds->width,
                     &set->work);
    if (rc) return rc;
    set->found[index] = 1;
    return DSML_OK;
}

int dsml_imageset_read_archive(dsml_imageset *set, dsml_archive *a)
{
    size_t prefix_len = strlen(set->prefix);
    dsml_archive_member m;
    int rc;
    while (!(rc = dsml_archive_next(a, &m)) && m.name) {
        if (!m.is_file || strncmp(m.name, set->prefix, prefix_len) != 0) continue;
        int index = lookup(set, m.name + prefix_len);
        if (index < 0) continue;
        char name[4400];
        snprintf(name, sizeof name, "%s: %s", dsml_archive_path(a), m.name);
        if (set->found[index]) return dsml_fail(DSML_ERR_FORMAT, "%s: a second copy of this image", name);
        size_t size;
        rc = dsml_archive_read_member(a, &set->file, &set->file_cap, &size);
        if (!rc) rc = decode_into(set, index, size, name);
        if (rc) return rc;
    }
    return rc;
}

int dsml_imageset_read_folder(dsml_imageset *set, const char *root)
{
    for (int i = 0; i < set->ds->n; i++) {
        if (set->found[i]) continue;
        char path[8192];
        int len = snprintf(path, sizeof path, "%s/%s%s", root, set->prefix, set->paths[i]);
        if (len < 0 || (size_t)len >= sizeof path) return dsml_fail(DSML_ERR_ARG, "%s/%s: path too long", root, set->paths[i]);
        FILE *fp = fopen(path, "rb");
        if (!fp) {
            if (errno == ENOENT) continue;
            return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        }
        size_t size = 0, got;
        int rc = DSML_OK;
        for (;;) {
            if (set->file_cap < size + (1 << 16)) {
                size_t cap = set->file_cap ? 2 * set->file_cap : (1 << 17);
                uint8_t *p = realloc(set->file, cap);
                if (!p) {
                    rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
                    break;
                }
                set->file = p;
                set->file_cap = cap;
            }
            got = fread(set->file + size, 1, set->file_cap - size, fp);
            size += got;
            if (got == 0) break;
            if ((int64_t)size > DSML_ARCHIVE_MAX_ENTRY_BYTES) {
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: more than %lld bytes, refused", path,
                               (long long)DSML_ARCHIVE_MAX_ENTRY_BYTES);
                break;
            }
        }
        if (!rc && ferror(fp)) rc = dsml_fail(DSML_ERR_IO, "%s: read failed", path);
        fclose(fp);
        if (!rc) rc = decode_into(set, i, size, path);
        if (rc) return rc;
    }
    return DSML_OK;
}

int dsml_imageset_first_missing(const dsml_imageset *set)
{
    for (int i = 0; i < set->ds->n; i++)
        if (!set->found[i]) return i;
    return -1;
}

void dsml_imageset_free(dsml_imageset *set)
{
    if (!set) return;
    free(set->found);
    free(set->order);
    dsml_image_free(&set->img);
    dsml_resize_work_free(&set->work);
    free(set->file);
    memset(set, 0, sizeof *set);
}
