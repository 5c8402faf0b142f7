/* Stanford Cars reader: annotations from MAT v5 files (mat5.h), images from
 * the tgz archives or their extracted folders (imageset.h); see cars.h. */
#include "data/cars.h"
#include "core/error.h"
#include "data/mat5.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 6

typedef struct {
    const char *source;         /* the path given */
    char dir[4096];             /* the folder holding the files */
    int n, n_classes;
    char **paths;               /* n image paths (owned strings) */
    int32_t *labels;
    uint8_t *train;
    char (*class_names)[DSML_DATASET_NAME];
    const char *hashed[MAX_FILES]; /* files that make the source hash */
    char hashed_buf[MAX_FILES][4200];
    int n_hashed;
} cars;

static void cars_free(cars *c)
{
    for (int i = 0; c->paths && i < c->n; i++) free(c->paths[i]);
    free(c->paths);
    free(c->labels);
    free(c->train);
    free(c->class_names);
}

static int exists(const char *dir, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, name);
    return access(out, F_OK) == 0;
}

static void add_hashed(cars *c, const char *path)
{
    if (c->n_hashed < MAX_FILES) {
        snprintf(c->hashed_buf[c->n_hashed], sizeof c->hashed_buf[0], "%s", path);
        c->hashed[c->n_hashed] = c->hashed_buf[c->n_hashed];
        c->n_hashed++;
    }
}

/* The variable `name` of m, an array of `kind` (`what`: "cell array") with
 * 1..max entries, into *out. */
static int mat_list(const dsml_mat_file *m, const char *name, dsml_mat_kind kind, const char *what, int64_t max,
                    const char *file, const dsml_mat_array **out)
{
    const dsml_mat_array *v = dsml_mat_var(m, name);
    if (!v || v->kind != kind) return dsml_fail(DSML_ERR_FORMAT, "%s: no %s `%s`", file, what, name);
    if (v->numel < 1 || v->numel > max)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s: %lld entries, expected 1..%lld", file, name, (long long)v->numel,
                         (long long)max);
    *out = v;
    return DSML_OK;
}

/* class_names: a cell array of strings; sets n_classes and the names. */
static int read_class_names(cars *c, const dsml_mat_file *m, const char *file)
{
    const dsml_mat_array *names;
    int rc = mat_list(m, "class_names", DSML_MAT_CELL, "cell array", 100000, file, &names);
    if (rc) return rc;
    c->n_classes = (int)names->numel;
    c->class_names = calloc((size_t)c->n_classes, sizeof *c->class_names);
    if (!c->class_names) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", file);
    for (int k = 0; k < c->n_classes; k++)
        if (dsml_mat_string(&names->items[k], c->class_names[k], DSML_DATASET_NAME))
            return dsml_fail(DSML_ERR_FORMAT, "%s: class_names{%d}: not a string of at most %d bytes", file, k + 1,
                             DSML_DATASET_NAME - 1);
    return DSML_OK;
}

/* Grows the image lists to hold `more` more images. */
static int grow(cars *c, int more, const char *file)
{
    int n = c->n + more;
    char **paths = realloc(c->paths, sizeof *paths * (size_t)n);
    if (paths) c->paths = paths;
    int32_t *labels = realloc(c->labels, sizeof *labels * (size_t)n);
    if (labels) c->labels = labels;
    uint8_t *train = realloc(c->train, (size_t)n);
    if (train) c->train = train;
    if (!paths || !labels || !train) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", file);
    for (int i = c->n; i < n; i++) c->paths[i] = NULL;
    return DSML_OK;
}

/* A numeric field of annotations(i) as an integer in [lo, hi]. */
static int int_field(const dsml_mat_array *ann, int64_t i, const char *field, long lo, long hi, const char *file,
                     long *out)
{
    const dsml_mat_array *f = dsml_mat_field(ann, i, field);
    double v;
    if (!f || dsml_mat_scalar(f, &v))
        return dsml_fail(DSML_ERR_FORMAT, "%s: annotations(%lld).%s: missing or not one number", file,
                         (long long)i + 1, field);
    if (v != (double)(long)v || v < lo || v > hi)
        return dsml_fail(DSML_ERR_FORMAT, "%s: annotations(%lld).%s = %g, expected an integer in %ld..%ld", file,
                         (long long)i + 1, field, v, lo, hi);
    *out = (long)v;
    return DSML_OK;
}

/* Appends the images of an `annotations` struct array. path_field: the
 * field naming the image; folder: prepended to it ("" or "cars_train/");
 * train: the split flag of them all, or -1 to read the `test` field. */
static int read_annotations(cars *c, const dsml_mat_file *m, const char *file, const char *path_field,
                            const char *folder, int train)
{
    const dsml_mat_array *ann;
    int rc = mat_list(m, "annotations", DSML_MAT_STRUCT, "struct array", 10000000, file, &ann);
    if (rc) return rc;
    static const char *const boxes[4] = {"bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2"};
    for (int b = 0; b < 4; b++)
        if (!dsml_mat_field(ann, 0, boxes[b]))
            return dsml_fail(DSML_ERR_FORMAT, "%s: annotations: no field %s", file, boxes[b]);
    int first = c->n;
    rc = grow(c, (int)ann->numel, file);
    if (rc) return rc;
    for (int64_t i = 0; i < ann->numel; i++) {
        char name[1024], full[1100];
        const dsml_mat_array *p = dsml_mat_field(ann, i, path_field);
        if (!p || dsml_mat_string(p, name, sizeof name) || !name[0])
            return dsml_fail(DSML_ERR_FORMAT, "%s: annotations(%lld).%s: missing or not a file name", file,
                             (long long)i + 1, path_field);
        snprintf(full, sizeof full, "%s%s", folder, name);
        if (dsml_archive_unsafe_name(full))
            return dsml_fail(DSML_ERR_FORMAT, "%s: annotations(%lld).%s = \"%s\": absolute or with \"..\"", file,
                             (long long)i + 1, path_field, name);
        long cls, test = train ? 0 : 1;
        rc = int_field(ann, i, "class", 1, c->n_classes, file, &cls);
        if (!rc && train < 0) rc = int_field(ann, i, "test", 0, 1, file, &test);
        if (rc) return rc;
        int k = first + (int)i;
        if (!(c->paths[k] = strdup(full))) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", file);
        c->labels[k] = (int32_t)(cls - 1);
        c->train[k] = (uint8_t)(test ? 0 : 1);
        c->n = k + 1;
    }
    return DSML_OK;
}

/* A .mat file from the folder, or else from inside the devkit archive. */
static int mat_from(dsml_mat_file *m, const char *dir, const char *name, const char *devkit,
                    const dsml_archive_limits *limits, cars *c, int required)
{
    char path[4200];
    if (exists(dir, name, path, sizeof path)) {
        add_hashed(c, path);
        return dsml_mat_read(m, path, 0);
    }
    memset(m, 0, sizeof *m);
    if (devkit) {
        dsml_archive *a;
        int rc = dsml_archive_open(&a, devkit, limits);
        if (rc) return rc;
        dsml_archive_member mem;
        uint8_t *buf = NULL;
        size_t cap = 0, size = 0;
        int found = 0;
        char label[8400];
        while (!(rc = dsml_archive_next(a, &mem)) && mem.name) {
            if (!mem.is_file || strcmp(mem.base, name)) continue;
            snprintf(label, sizeof label, "%s: %s", devkit, mem.name); /* mem's strings die with a */
            rc = dsml_archive_read_member(a, &buf, &cap, &size);
            found = 1;
            break;
        }
        dsml_archive_close(a, NULL);
        if (!rc && found) rc = dsml_mat_parse(m, buf, size, label, 0);
        free(buf);
        if (rc || found) return rc;
    }
    if (!required) return DSML_ERR_STATE;
    return dsml_fail(DSML_ERR_FORMAT, "%s: %s missing (looked in the folder%s)", dir, name,
                     devkit ? " and in car_devkit.tgz" : "");
}

/* Decodes images under `name` (an archive <name>.tgz in dir, or the folder
 * dir/<name>). */
static int read_images(dsml_imageset *set, const char *dir, const char *name, const dsml_archive_limits *limits,
                       cars *c)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.tgz", dir, name);
    if (access(path, F_OK) == 0) {
        add_hashed(c, path);
        dsml_archive *a;
        int rc = dsml_archive_open(&a, path, limits);
        if (rc) return rc;
        rc = dsml_imageset_read_archive(set, a);
        dsml_archive_close(a, NULL);
        return rc;
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return dsml_imageset_read_folder(set, dir);
    return dsml_fail(DSML_ERR_FORMAT, "%s: neither %s.tgz nor a %s/ folder", dir, name, name);
}

static int read_car_ims(cars *c)
{
    char path[4200];
    exists(c->dir, "cars_annos.mat", path, sizeof path);
    dsml_mat_file m;
    int rc = dsml_mat_read(&m, path, 0);
    if (rc) return rc;
    rc = read_class_names(c, &m, path);
    if (!rc) rc = read_annotations(c, &m, path, "relative_im_path", "", -1);
    dsml_mat_free(&m);
    return rc;
}

static int read_devkit(cars *c, const dsml_reader_options *o)
{
    char devkit[4200];
    int has_devkit = exists(c->dir, "car_devkit.tgz", devkit, sizeof devkit);
    const char *dk = has_devkit ? devkit : NULL;
    dsml_mat_file meta, train, test;
    memset(&train, 0, sizeof train);
    memset(&test, 0, sizeof test);
    int rc = mat_from(&meta, c->dir, "cars_meta.mat", dk, &o->limits, c, 1);
    if (!rc) rc = read_class_names(c, &meta, "cars_meta.mat");
    if (!rc) rc = mat_from(&train, c->dir, "cars_train_annos.mat", dk, &o->limits, c, 1);
    if (!rc) rc = read_annotations(c, &train, "cars_train_annos.mat", "fname", "cars_train/", 1);
    if (!rc) rc = mat_from(&test, c->dir, "cars_test_annos_withlabels.mat", dk, &o->limits, c, 1);
    if (!rc) rc = read_annotations(c, &test, "cars_test_annos_withlabels.mat", "fname", "cars_test/", 0);
    if (has_devkit) {
        /* the devkit archive goes first in the hash: move it to the front */
        add_hashed(c, devkit);
        const char *last = c->hashed[c->n_hashed - 1];
        memmove(&c->hashed[1], &c->hashed[0], sizeof c->hashed[0] * (size_t)(c->n_hashed - 1));
        c->hashed[0] = last;
    }
    dsml_mat_free(&meta);
    dsml_mat_free(&train);
    dsml_mat_free(&test);
    return rc;
}

int dsml_cars196_read(dsml_dataset *ds, const char *path, const dsml_reader_options *o)
{
    int is_dir;
    int rc = dsml_reader_start(ds, path, o, &is_dir);
    if (rc) return rc;
    cars c;
    memset(&c, 0, sizeof c);
    c.source = path;
    if (is_dir) {
        snprintf(c.dir, sizeof c.dir, "%s", path);
    } else {
        snprintf(c.dir, sizeof c.dir, "%s", path);
        char *slash = strrchr(c.dir, '/');
        if (slash) *slash = '\0';
        else snprintf(c.dir, sizeof c.dir, ".");
        const char *base = slash ? slash + 1 : path;
        if (strcmp(base, "car_ims.tgz"))
            return dsml_fail(DSML_ERR_ARG, "%s: expected a folder or car_ims.tgz", path);
    }
    char probe[4200];
    int car_ims = exists(c.dir, "cars_annos.mat", probe, sizeof probe);
    if (car_ims) {
        rc = read_car_ims(&c);
    } else if (exists(c.dir, "car_devkit.tgz", probe, sizeof probe) ||
               exists(c.dir, "cars_train_annos.mat", probe, sizeof probe)) {
        rc = read_devkit(&c, o);
    } else {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: neither cars_annos.mat (with car_ims.tgz) nor car_devkit.tgz (with "
                       "cars_train.tgz and cars_test.tgz) found", c.dir);
    }
    if (!rc)
        rc = dsml_imageset_dataset(ds, "cars196", c.n, c.labels, c.n_classes, c.class_names, (const int8_t *)c.train,
                                   o, path);
    dsml_imageset set;
    memset(&set, 0, sizeof set);
    if (!rc) rc = dsml_imageset_init(&set, ds, (const char *const *)c.paths, "");
    if (!rc && car_ims) {
        rc = read_images(&set, c.dir, "car_ims", &o->limits, &c);
        /* the .mat file was read first but hashes after the images */
        if (!rc) {
            char mat[4200];
            exists(c.dir, "cars_annos.mat", mat, sizeof mat);
            add_hashed(&c, mat);
        }
    } else if (!rc) {
        rc = read_images(&set, c.dir, "cars_train", &o->limits, &c);
        if (!rc) rc = read_images(&set, c.dir, "cars_test", &o->limits, &c);
    }
    if (!rc) {
        int missing = dsml_imageset_first_missing(&set);
        if (missing >= 0)
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: image %d (%s): in the annotations, not among the images", c.dir,
                           missing + 1, c.paths[missing]);
    }
    dsml_imageset_free(&set);
    if (!rc) rc = dsml_source_sha256(c.hashed, c.n_hashed, ds->source_sha256);
    if (!rc) dsml_dataset_content_sha256(ds, ds->content_sha256);
    cars_free(&c);
    if (rc) dsml_dataset_free(ds);
    return rc;
}
