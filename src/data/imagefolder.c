/* The imagefolder reader: walks a folder or streams an archive, decodes and
 * resizes every JPEG/PNG, then sorts images by path and numbers the classes
 * in name order; see imagefolder.h and docs/imagefolder.md. */
#include "data/imagefolder.h"
#include "core/error.h"
#include "core/sha256.h"
#include "data/archive.h"
#include "data/image.h"
#include "data/resize.h"
#include "data/walk.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK (1 << 16)

typedef struct {
    char *path;   /* relative path, owned */
    size_t index; /* image index in the reader's pixel store */
} image_rec;

typedef struct {
    dsml_imagefolder_options opt; /* with defaults filled in */
    const char *root;             /* the path given, for messages */
    int is_archive;
    FILE *log;
    dsml_image img;
    dsml_resize_work work;
    uint8_t *store;               /* decoded images, C*H*W bytes each, in reading order */
    size_t store_cap, n_images;
    image_rec *recs;
    size_t recs_cap;
    char **skipped;
    size_t skipped_cap;
    int n_skipped, n_ignored;
    uint8_t *file;                /* the bytes of the current file */
    size_t file_cap;
} reader;

static void reader_free(reader *r)
{
    dsml_image_free(&r->img);
    dsml_resize_work_free(&r->work);
    free(r->store);
    for (size_t i = 0; i < r->n_images; i++) free(r->recs[i].path);
    free(r->recs);
    for (int i = 0; i < r->n_skipped; i++) free(r->skipped[i]);
    free(r->skipped);
    free(r->file);
}

static int grow(void **buf, size_t *cap, size_t need, size_t elem, const char *what)
{
    if (need <= *cap) return DSML_OK;
    size_t n = *cap ? *cap : 16, bytes;
    while (n < need && n <= SIZE_MAX / 2) n *= 2;
    void *p = n < need || __builtin_mul_overflow(n, elem, &bytes) ? NULL : realloc(*buf, bytes);
    if (!p) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", what);
    *buf = p;
    *cap = n;
    return DSML_OK;
}

/* How a file is named in messages. */
static const char *display_name(const reader *r, const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, r->is_archive ? "%s: %s" : "%s/%s", r->root, rel);
    return buf;
}

/* Records a corrupt image: an error, or with skip_bad a line on the log. */
static int bad_image(reader *r, const char *rel, int rc)
{
    if (!r->opt.skip_bad || rc != DSML_ERR_FORMAT) return rc;
    if (r->log) fprintf(r->log, "skipped %s\n", dsml_last_error());
    dsml_clear_error();
    if (grow((void **)&r->skipped, &r->skipped_cap, (size_t)r->n_skipped + 1, sizeof *r->skipped, r->root))
        return DSML_ERR_NOMEM;
    r->skipped[r->n_skipped] = strdup(rel);
    if (!r->skipped[r->n_skipped]) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", r->root);
    r->n_skipped++;
    return DSML_OK;
}

/* Decodes and resizes one image file into the store. */
static int add_image(reader *r, const char *rel, const uint8_t *data, size_t size)
{
    char name[4200];
    display_name(r, rel, name, sizeof name);
    if ((int64_t)size > r->opt.max_file_bytes)
        return bad_image(r, rel, dsml_fail(DSML_ERR_FORMAT, "%s: image of %zu bytes, more than the limit of %lld",
                                           name, size, (long long)r->opt.max_file_bytes));
    int rc = dsml_image_decode(&r->img, data, size, r->opt.channels, name);
    if (rc) return bad_image(r, rel, rc);
    size_t image_bytes = (size_t)r->opt.channels * r->opt.height * r->opt.width;
    size_t cap_images = r->store_cap / image_bytes;
    if (grow((void **)&r->store, &cap_images, r->n_images + 1, image_bytes, r->root)) return DSML_ERR_NOMEM;
    r->store_cap = cap_images * image_bytes;
    if (grow((void **)&r->recs, &r->recs_cap, r->n_images + 1, sizeof *r->recs, r->root)) return DSML_ERR_NOMEM;
    rc = dsml_resize(r->img.pixels, r->img.channels, r->img.height, r->img.width,
                     r->store + r->n_images * image_bytes, r->opt.height, r->opt.width, &r->work);
    if (rc) return rc;
    r->recs[r->n_images].path = strdup(rel);
    if (!r->recs[r->n_images].path) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", r->root);
    r->recs[r->n_images].index = r->n_images;
    r->n_images++;
    return DSML_OK;
}

/* ---------------------------------------------------------------- folder */

typedef struct {
    char *rel;
    int64_t size;
    dsml_walk_kind kind;
    char *target; /* DSML_WALK_BROKEN_LINK: what the link says */
    int error;    /* DSML_WALK_BROKEN_LINK: why it cannot be followed */
} file_ent;

typedef struct {
    file_ent *v;
    size_t n, cap;
} file_list;

/* dsml_walk_entries' callback: collects every regular file, hidden entry and broken link. */
static int collect_file(const dsml_walk_entry *e, void *context)
{
    file_list *files = context;
    if (grow((void **)&files->v, &files->cap, files->n + 1, sizeof *files->v, "folder walk")) return DSML_ERR_NOMEM;
    file_ent *f = &files->v[files->n];
    *f = (file_ent){strdup(e->rel), e->st ? e->st->st_size : 0, e->kind, NULL, e->error};
    if (f->rel && e->kind == DSML_WALK_BROKEN_LINK) f->target = strdup(e->target);
    if (!f->rel || (e->kind == DSML_WALK_BROKEN_LINK && !f->target)) {
        free(f->rel);
        return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", e->rel);
    }
    files->n++;
    return DSML_OK;
}

static int cmp_file(const void *a, const void *b) { return strcmp(((const file_ent *)a)->rel, ((const file_ent *)b)->rel); }

/* A link that cannot be followed is a bad file: an error naming it and its
 * target, or with skip_bad skipped and listed like a corrupt image. */
static int broken_link(reader *r, const file_ent *f)
{
    char name[4200];
    return bad_image(r, f->rel, dsml_fail(DSML_ERR_FORMAT, "%s: symbolic link to %s, which cannot be followed: %s",
                                          display_name(r, f->rel, name, sizeof name), f->target,
                                          strerror(f->error)));
}

static int read_folder(reader *r, char source_hex[65])
{
    file_list files = {0};
    int rc = dsml_walk_entries(r->root, collect_file, &files);
    if (!rc && files.n > 1) qsort(files.v, files.n, sizeof *files.v, cmp_file); /* qsort(NULL, 0) is undefined */
    dsml_sha256 list;
    dsml_sha256_init(&list);
    for (size_t i = 0; !rc && i < files.n; i++) {
        if (files.v[i].kind != DSML_WALK_FILE) { /* hidden entries are ignored, as other files are */
            if (files.v[i].kind == DSML_WALK_HIDDEN) r->n_ignored++;
            else rc = broken_link(r, &files.v[i]);
            continue;
        }
        char full[8192], hex[65];
        snprintf(full, sizeof full, "%s/%s", r->root, files.v[i].rel);
        FILE *fp = fopen(full, "rb");
        if (!fp) {
            rc = dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", full, strerror(errno));
            break;
        }
        uint8_t head[8];
        size_t n_head = fread(head, 1, sizeof head, fp);
        int is_image = dsml_image_sniff(head, n_head) != DSML_IMAGE_NONE;
        if (is_image && files.v[i].size <= r->opt.max_file_bytes) {
            size_t size = (size_t)files.v[i].size;
            rc = grow((void **)&r->file, &r->file_cap, size + 1, 1, r->root);
            if (!rc) {
                memcpy(r->file, head, n_head);
                size_t got = n_head + (size > n_head ? fread(r->file + n_head, 1, size - n_head, fp) : 0);
                if (got != size || ferror(fp))
                    rc = dsml_fail(DSML_ERR_IO, "%s: %zu bytes expected, %zu read", full, size, got);
            }
            fclose(fp);
            if (rc) break;
            dsml_sha256_hex(r->file, size, hex);
            rc = add_image(r, files.v[i].rel, r->file, size);
        } else {
            fclose(fp);
            rc = dsml_sha256_file(full, hex);
            if (!rc && is_image) {
                char name[4200];
                rc = bad_image(r, files.v[i].rel,
                               dsml_fail(DSML_ERR_FORMAT, "%s: image of %lld bytes, more than the limit of %lld",
                                         display_name(r, files.v[i].rel, name, sizeof name),
                                         (long long)files.v[i].size, (long long)r->opt.max_file_bytes));
            } else if (!rc) {
                r->n_ignored++;
            }
        }
        if (rc) break;
        char line[4200];
        int len = snprintf(line, sizeof line, "%s %lld %s\n", hex, (long long)files.v[i].size, files.v[i].rel);
        dsml_sha256_update(&list, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
    }
    if (!rc) dsml_sha256_final_hex(&list, source_hex);
    for (size_t i = 0; i < files.n; i++) {
        free(files.v[i].rel);
        free(files.v[i].target);
    }
    free(files.v);
    return rc;
}

/* --------------------------------------------------------------- archive */

/* Reads the current member; keeps the bytes of an image (up to
 * max_file_bytes + CHUNK), discards the rest. *is_image: 0 not an image,
 * 1 an image in r->file[0..*kept), 2 an image over max_file_bytes. */
static int read_member(reader *r, dsml_archive *a, uint8_t *discard, size_t *kept, int *is_image)
{
    size_t got = 0;
    int known = 0;
    *is_image = 0;
    for (;;) {
        int keep = !known || *is_image == 1;
        if (keep && grow((void **)&r->file, &r->file_cap, got + CHUNK, 1, r->root)) return DSML_ERR_NOMEM;
        size_t n;
        int rc = dsml_archive_read_some(a, keep ? r->file + got : discard, CHUNK, &n);
        if (rc) return rc;
        if (n == 0) break;
        if (keep) got += n;
        if (!known && got >= 8) {
            known = 1;
            *is_image = dsml_image_sniff(r->file, got) != DSML_IMAGE_NONE;
        }
        if (*is_image == 1 && (int64_t)got > r->opt.max_file_bytes) *is_image = 2; /* too large: drain the rest */
    }
    if (!known) *is_image = dsml_image_sniff(r->file, got) != DSML_IMAGE_NONE;
    *kept = got;
    return DSML_OK;
}

/* 1 when a folder or the file in the member path starts with '.' (as the
 * folder walk does, hidden entries are ignored). */
static int hidden_member(const char *name)
{
    for (const char *p = name;;) {
        if (p[0] == '.' && p[1] != '/' && p[1] != '\0') return 1;
        const char *slash = strchr(p, '/');
        if (!slash) return 0;
        p = slash + 1;
    }
}

static int read_archive(reader *r, char source_hex[65])
{
    dsml_archive_limits limits = {r->opt.max_total_bytes, r->opt.max_entry_bytes};
    dsml_archive *a;
    int rc = dsml_archive_open(&a, r->root, &limits);
    if (rc) return rc;
    uint8_t *discard = malloc(CHUNK);
    if (!discard) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", r->root);
    dsml_archive_member m;
    while (!rc && !(rc = dsml_archive_next(a, &m)) && m.name) {
        if (!m.is_file) continue; /* folders, links: nothing to read */
        if (hidden_member(m.name)) {
            r->n_ignored++;
            continue;
        }
        size_t size = 0;
        int is_image = 0;
        rc = read_member(r, a, discard, &size, &is_image);
        if (rc) break;
        if (is_image == 1) {
            rc = add_image(r, m.name, r->file, size);
        } else if (is_image == 2) {
            char shown[4200];
            rc = bad_image(r, m.name,
                           dsml_fail(DSML_ERR_FORMAT, "%s: image larger than the limit of %lld bytes",
                                     display_name(r, m.name, shown, sizeof shown), (long long)r->opt.max_file_bytes));
        } else {
            r->n_ignored++;
        }
    }
    free(discard);
    int close_rc = dsml_archive_close(a, rc ? NULL : source_hex);
    return rc ? rc : close_rc;
}

/* ---------------------------------------------------------------- finish */

typedef char name64[DSML_DATASET_NAME];

static int cmp_rec(const void *a, const void *b) { return strcmp(((const image_rec *)a)->path, ((const image_rec *)b)->path); }
static int cmp_name(const void *a, const void *b) { return strcmp(*(const name64 *)a, *(const name64 *)b); }
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorts and removes duplicates; returns the count left. */
static int unique_names(name64 *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_name);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || strcmp(v[m - 1], v[i])) memmove(v[m++], v[i], sizeof *v);
    return m;
}

/* Copies the `len` bytes at `start`, a part of the image path `path`, into a
 * name of at most 63 bytes, or fails naming the image and `what`. */
static int take_name(const reader *r, const char *path, const char *start, size_t len, const char *what,
                     name64 out)
{
    if (len >= DSML_DATASET_NAME) {
        char shown[4200];
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s name longer than %d bytes",
                         display_name(r, path, shown, sizeof shown), what, DSML_DATASET_NAME - 1);
    }
    memcpy(out, start, len);
    out[len] = '\0';
    return DSML_OK;
}

/* Splits an image path into its split (with split_dirs) and class names. */
static int path_names(const reader *r, const char *path, name64 split, name64 class_name)
{
    char shown[4200];
    const char *rest = path;
    split[0] = '\0';
    if (r->opt.split_dirs) {
        const char *slash = strchr(path, '/');
        if (!slash || !strchr(slash + 1, '/'))
            return dsml_fail(DSML_ERR_FORMAT, "%s: image outside a <split>/<class>/ folder",
                             display_name(r, path, shown, sizeof shown));
        int rc = take_name(r, path, path, (size_t)(slash - path), "split", split);
        if (rc) return rc;
        rest = slash + 1;
    }
    const char *last = strrchr(rest, '/');
    if (!last)
        return dsml_fail(DSML_ERR_FORMAT, "%s: image in the root folder, expected <class>/<image>",
                         display_name(r, path, shown, sizeof shown));
    return take_name(r, path, rest, (size_t)(last - rest), "class", class_name);
}

static int finish(reader *r, dsml_dataset *ds, dsml_imagefolder_info *info, const char source_hex[65])
{
    int n = (int)r->n_images;
    if (n == 0)
        return dsml_fail(DSML_ERR_FORMAT, "%s: no JPEG or PNG images found (%d other files, %d skipped)", r->root,
                         r->n_ignored, r->n_skipped);
    qsort(r->recs, (size_t)n, sizeof *r->recs, cmp_rec);
    for (int i = 1; i < n; i++)
        if (!strcmp(r->recs[i - 1].path, r->recs[i].path))
            return dsml_fail(DSML_ERR_FORMAT, "%s: %s: appears twice", r->root, r->recs[i].path);
    name64 *splits = calloc((size_t)n, sizeof *splits), *classes = calloc((size_t)n, sizeof *classes);
    name64 *split_set = calloc((size_t)n, sizeof *split_set), *class_set = calloc((size_t)n, sizeof *class_set);
    uint8_t *split_of = calloc((size_t)n, 1);
    int rc = DSML_OK;
    if (!splits || !classes || !split_set || !class_set || !split_of)
        rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", r->root);
    for (int i = 0; !rc && i < n; i++) rc = path_names(r, r->recs[i].path, splits[i], classes[i]);
    int n_classes = 0, n_splits = 0;
    if (!rc) {
        memcpy(class_set, classes, r->n_images * sizeof *classes);
        memcpy(split_set, splits, r->n_images * sizeof *splits);
        n_classes = unique_names(class_set, n);
        n_splits = r->opt.split_dirs ? unique_names(split_set, n) : 0;
        if (n_splits > DSML_IMAGEFOLDER_MAX_SPLITS)
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: %d split folders, at most %d expected", r->root, n_splits,
                           DSML_IMAGEFOLDER_MAX_SPLITS);
    }
    uint8_t *pixels;
    int32_t *labels;
    if (!rc) rc = dsml_dataset_alloc(ds, r->opt.name, n, r->opt.channels, r->opt.height, r->opt.width, n_classes,
                                     &pixels, &labels);
    if (!rc) {
        size_t image_bytes = dsml_dataset_image_bytes(ds);
        for (int c = 0; c < n_classes; c++) memcpy(ds->class_names[c], class_set[c], sizeof *class_set);
        for (int i = 0; i < n; i++) {
            const name64 *c = bsearch(classes[i], class_set, (size_t)n_classes, sizeof *class_set, cmp_name);
            labels[i] = (int32_t)(c - class_set);
            if (n_splits) {
                const name64 *s = bsearch(splits[i], split_set, (size_t)n_splits, sizeof *split_set, cmp_name);
                split_of[i] = (uint8_t)(s - split_set);
            }
            memcpy(pixels + (size_t)i * image_bytes, r->store + r->recs[i].index * image_bytes, image_bytes);
        }
        memcpy(ds->source_sha256, source_hex, 65);
        dsml_dataset_content_sha256(ds, ds->content_sha256);
    }
    if (!rc && info) {
        info->n_ignored = r->n_ignored;
        info->is_archive = r->is_archive;
        if (r->n_skipped) qsort(r->skipped, (size_t)r->n_skipped, sizeof *r->skipped, cmp_str);
        info->n_skipped = r->n_skipped;
        info->skipped = r->skipped; /* handed over */
        r->skipped = NULL;
        r->n_skipped = 0;
        info->n_splits = n_splits;
        if (n_splits) {
            info->split_names = calloc((size_t)n_splits, sizeof *info->split_names);
            if (!info->split_names) {
                rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", r->root);
            } else {
                memcpy(info->split_names, split_set, (size_t)n_splits * sizeof *split_set);
                info->split = split_of;
                split_of = NULL;
            }
        }
    }
    free(splits);
    free(classes);
    free(split_set);
    free(class_set);
    free(split_of);
    return rc;
}

int dsml_imagefolder_read(dsml_dataset *ds, const char *path, const dsml_imagefolder_options *opt, FILE *log,
                          dsml_imagefolder_info *info)
{
    memset(ds, 0, sizeof *ds);
    if (info) memset(info, 0, sizeof *info);
    reader r;
    memset(&r, 0, sizeof r);
    r.opt = *opt;
    r.root = path;
    r.log = log;
    if (!r.opt.name) r.opt.name = "imagefolder";
    if (r.opt.max_total_bytes <= 0) r.opt.max_total_bytes = DSML_IMAGEFOLDER_MAX_TOTAL_BYTES;
    if (r.opt.max_file_bytes <= 0) r.opt.max_file_bytes = DSML_IMAGEFOLDER_MAX_FILE_BYTES;
    if (r.opt.channels != 1 && r.opt.channels != 3)
        return dsml_fail(DSML_ERR_ARG, "%s: %d channels requested, expected 1 or 3", path, r.opt.channels);
    if (r.opt.height < 1 || r.opt.width < 1 || r.opt.height > 4096 || r.opt.width > 4096)
        return dsml_fail(DSML_ERR_ARG, "%s: input size %dx%d, expected 1..4096 a side", path, r.opt.height,
                         r.opt.width);
    struct stat st;
    if (stat(path, &st) != 0) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    r.is_archive = !S_ISDIR(st.st_mode);
    char source_hex[65] = "";
    int rc = r.is_archive ? read_archive(&r, source_hex) : read_folder(&r, source_hex);
    if (!rc) rc = finish(&r, ds, info, source_hex);
    reader_free(&r);
    if (rc) {
        dsml_dataset_free(ds);
        dsml_imagefolder_info_free(info);
    }
    return rc;
}

void dsml_imagefolder_info_free(dsml_imagefolder_info *info)
{
    if (!info) return;
    for (int i = 0; i < info->n_skipped; i++) free(info->skipped[i]);
    free(info->skipped);
    free(info->split_names);
    free(info->split);
    memset(info, 0, sizeof *info);
}
