/* NUS-WIDE reader: image list, per-concept label files (folders or zips),
 * the most frequent concepts, images through imageset.h; see nuswide.h. */
#include "data/nuswide.h"
#include "core/error.h"
#include "core/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CONCEPTS 1000
#define MAX_TEXT (256LL << 20)

typedef struct {
    char name[DSML_DATASET_NAME];
    uint8_t *has;       /* n flags */
    int count;
    char sha[65];       /* of its file */
} concept;

typedef struct {
    const char *dir;
    char list_label[8400];  /* where Imagelist.txt came from, for messages */
    uint8_t *list_text;
    size_t list_cap;
    int n;
    char **paths;       /* n, into list_text */
    int *line_of;       /* n, line numbers in Imagelist.txt */
    char list_sha[65];
    concept *concepts;
    int n_concepts, cap_concepts;
} nus;

static void nus_free(nus *u)
{
    free(u->list_text);
    free(u->paths);
    free(u->line_of);
    for (int k = 0; k < u->n_concepts; k++) free(u->concepts[k].has);
    free(u->concepts);
}

static int is_dir(const char *dir, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, name);
    struct stat st;
    return stat(out, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *dir, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, name);
    struct stat st;
    return stat(out, &st) == 0 && S_ISREG(st.st_mode);
}

static int read_file(const char *path, uint8_t **buf, size_t *cap, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int rc = DSML_OK;
    if (fstat(fileno(fp), &st) != 0 || st.st_size > MAX_TEXT) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: cannot stat, or more than %lld bytes", path, (long long)MAX_TEXT);
    } else {
        if (*cap < (size_t)st.st_size + 1) {
            uint8_t *p = realloc(*buf, (size_t)st.st_size + 1);
            if (!p) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
            else {
                *buf = p;
                *cap = (size_t)st.st_size + 1;
            }
        }
        if (!rc && fread(*buf, 1, (size_t)st.st_size, fp) != (size_t)st.st_size)
            rc = dsml_fail(DSML_ERR_IO, "%s: short read", path);
        if (!rc) {
            (*buf)[st.st_size] = 0;
            *size = (size_t)st.st_size;
        }
    }
    fclose(fp);
    return rc;
}

/* "C:\ImageData\Flickr\actor\x.jpg" -> "Flickr/actor/x.jpg", in place. */
static char *normalise_path(char *p)
{
    for (char *q = p; *q; q++)
        if (*q == '\\') *q = '/';
    if (((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':') p += 2;
    while (*p == '/') p++;
    if (!strncmp(p, "ImageData/", 10)) p += 10;
    return p;
}

static int parse_list(nus *u, size_t size)
{
    char *text = (char *)u->list_text;
    if (memchr(text, '\0', size)) return dsml_fail(DSML_ERR_FORMAT, "%s: a NUL byte: not a text file", u->list_label);
    int lines = 1;
    for (size_t i = 0; i < size; i++) lines += text[i] == '\n';
    u->paths = malloc(sizeof *u->paths * (size_t)lines);
    u->line_of = malloc(sizeof *u->line_of * (size_t)lines);
    if (!u->paths || !u->line_of) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", u->list_label);
    char *line, *cursor = text;
    int line_no = 0, blank_at = 0;
    while ((line = dsml_text_line(&cursor, &line_no))) {
        while (*line == ' ' || *line == '\t') line++;
        if (!*line) {
            if (!blank_at) blank_at = line_no;
            continue;
        }
        if (blank_at)
            return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: empty line inside the list (each line is an image)",
                             u->list_label, blank_at);
        char *path = normalise_path(line);
        if (!*path || dsml_archive_unsafe_name(path))
            return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: image path \"%.200s\": empty, or with \"..\"",
                             u->list_label, line_no, line);
        u->line_of[u->n] = line_no;
        u->paths[u->n++] = path;
    }
    if (u->n < 1) return dsml_fail(DSML_ERR_FORMAT, "%s: no image paths", u->list_label);
    return DSML_OK;
}

/* Reads the image list from ImageList/Imagelist.txt or ImageList.zip. */
static int read_list(nus *u, const dsml_reader_options *o)
{
    char path[4200];
    size_t size = 0;
    int rc;
    if (is_file(u->dir, "ImageList/Imagelist.txt", path, sizeof path)) {
        snprintf(u->list_label, sizeof u->list_label, "%s", path);
        rc = read_file(path, &u->list_text, &u->list_cap, &size);
    } else if (is_file(u->dir, "ImageList.zip", path, sizeof path)) {
        dsml_archive *a;
        rc = dsml_archive_open(&a, path, &o->limits);
        if (rc) return rc;
        dsml_archive_member m;
        int found = 0;
        while (!(rc = dsml_archive_next(a, &m)) && m.name) {
            if (!m.is_file || strcmp(m.base, "Imagelist.txt")) continue;
            snprintf(u->list_label, sizeof u->list_label, "%s: %s", path, m.name);
            rc = dsml_archive_read_member(a, &u->list_text, &u->list_cap, &size);
            found = 1;
            break;
        }
        dsml_archive_close(a, NULL);
        if (!rc && !found) rc = dsml_fail(DSML_ERR_FORMAT, "%s: no Imagelist.txt in it", path);
    } else {
        return dsml_fail(DSML_ERR_FORMAT, "%s: neither ImageList/Imagelist.txt nor ImageList.zip (the image list) "
                         "found", u->dir);
    }
    if (rc) return rc;
    dsml_sha256_hex(u->list_text, size, u->list_sha);
    return parse_list(u, size);
}

/* "Labels_<concept>.txt" -> "<concept>", or 0 when base is not one. */
static int concept_name(const char *base, char out[DSML_DATASET_NAME])
{
    size_t len = strlen(base);
    if (len <= 11 || strncmp(base, "Labels_", 7) || strcmp(base + len - 4, ".txt")) return 0;
    if (len - 11 >= DSML_DATASET_NAME) return 0;
    memcpy(out, base + 7, len - 11);
    out[len - 11] = '\0';
    return 1;
}

/* One label file's text (label names it in messages) into a new concept. */
static int add_concept(nus *u, const char *name, const char *label, char *text, size_t size)
{
    for (int k = 0; k < u->n_concepts; k++)
        if (!strcmp(u->concepts[k].name, name)) return dsml_fail(DSML_ERR_FORMAT, "%s: a second Labels_%s.txt", label, name);
    if (u->n_concepts == MAX_CONCEPTS) return dsml_fail(DSML_ERR_FORMAT, "%s: more than %d concepts", label, MAX_CONCEPTS);
    if (u->n_concepts == u->cap_concepts) {
        int cap = u->cap_concepts ? 2 * u->cap_concepts : 128;
        concept *p = realloc(u->concepts, sizeof *p * (size_t)cap);
        if (!p) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", label);
        u->concepts = p;
        u->cap_concepts = cap;
    }
    concept *c = &u->concepts[u->n_concepts];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    dsml_sha256_hex(text, size, c->sha);
    c->has = malloc((size_t)u->n);
    if (!c->has) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", label);
    u->n_concepts++;
    if (memchr(text, '\0', size)) return dsml_fail(DSML_ERR_FORMAT, "%s: a NUL byte: not a text file", label);
    char *line, *cursor = text;
    int line_no = 0, i = 0;
    while ((line = dsml_text_line(&cursor, &line_no))) {
        while (*line == ' ' || *line == '\t') line++;
        if (!*line && i == u->n) continue; /* blank lines at the end */
        if (i == u->n)
            return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: more lines than the %d images of the list", label, line_no,
                             u->n);
        if (strcmp(line, "0") && strcmp(line, "1"))
            return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: \"%.40s\", expected 0 or 1", label, line_no, line);
        c->has[i] = line[0] == '1';
        c->count += c->has[i];
        i++;
    }
    if (i != u->n)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %d lines, expected one per image of the list (%d)", label, i, u->n);
    return DSML_OK;
}

/* Every .../AllLabels/Labels_<concept>.txt of Groundtruth/ or Groundtruth.zip. */
static int read_labels(nus *u, const dsml_reader_options *o)
{
    char path[4200];
    uint8_t *buf = NULL;
    size_t cap = 0, size = 0;
    int rc = DSML_OK;
    if (is_dir(u->dir, "Groundtruth/AllLabels", path, sizeof path)) {
        DIR *d = opendir(path);
        if (!d) return dsml_fail(DSML_ERR_IO, "%s: cannot open folder: %s", path, strerror(errno));
        struct dirent *e;
        while (!rc && (e = readdir(d))) {
            char name[DSML_DATASET_NAME], file[8400];
            if (!concept_name(e->d_name, name)) continue;
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            rc = read_file(file, &buf, &cap, &size);
            if (!rc) rc = add_concept(u, name, file, (char *)buf, size);
        }
        closedir(d);
    } else if (is_file(u->dir, "Groundtruth.zip", path, sizeof path)) {
        dsml_archive *a;
        rc = dsml_archive_open(&a, path, &o->limits);
        if (rc) return rc;
        dsml_archive_member m;
        while (!(rc = dsml_archive_next(a, &m)) && m.name) {
            char name[DSML_DATASET_NAME], label[8400];
            size_t dir_len = (size_t)(m.base - m.name);
            if (!m.is_file || !concept_name(m.base, name) || dir_len < 10 ||
                strncmp(m.base - 10, "AllLabels/", 10) || (dir_len > 10 && m.base[-11] != '/'))
                continue;
            snprintf(label, sizeof label, "%s: %s", path, m.name);
            rc = dsml_archive_read_member(a, &buf, &cap, &size);
            if (!rc) rc = add_concept(u, name, label, (char *)buf, size);
            if (rc) break;
        }
        dsml_archive_close(a, NULL);
    } else {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: neither Groundtruth/AllLabels/ nor Groundtruth.zip (the label files) "
                       "found", u->dir);
    }
    free(buf);
    if (!rc && u->n_concepts == 0)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: no AllLabels/Labels_<concept>.txt files found", u->dir);
    return rc;
}

static int cmp_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_concept_name(const void *a, const void *b)
{
    return strcmp(((const concept *)a)->name, ((const concept *)b)->name);
}

static int cmp_concept_count(const void *a, const void *b)
{
    const concept *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Where the images are: a folder (prefix "nus-wide-images/", read from dir)
 * or an archive. */
static int read_images(nus *u, dsml_imageset *set, const dsml_reader_options *o)
{
    char path[4200];
    if (is_dir(u->dir, "nus-wide-images", path, sizeof path)) return dsml_imageset_read_folder(set, u->dir);
    static const char *const archives[4] = {"nus-wide-images.tar", "nus-wide-images.tar.gz", "nus-wide-images.tgz",
                                            "nus-wide-images.zip"};
    for (int k = 0; k < 4; k++) {
        if (!is_file(u->dir, archives[k], path, sizeof path)) continue;
        set->prefix[0] = '\0';
        dsml_archive *a;
        int rc = dsml_archive_open(&a, path, &o->limits);
        if (rc) return rc;
        rc = dsml_imageset_read_archive(set, a);
        dsml_archive_close(a, NULL);
        return rc;
    }
    return dsml_fail(DSML_ERR_FORMAT, "%s: no nus-wide-images/ folder or nus-wide-images.tar[.gz]|.tgz|.zip archive",
                     u->dir);
}

int dsml_nuswide_read(dsml_dataset *ds, const char *path, const dsml_reader_options *o, int n_concepts,
                      int skip_missing)
{
    memset(ds, 0, sizeof *ds);
    int rc = dsml_reader_options_check(o, path);
    if (rc) return rc;
    if (n_concepts < 1 || n_concepts > 64)
        return dsml_fail(DSML_ERR_ARG, "%s: %d concepts to keep, expected 1..64", path, n_concepts);
    nus u;
    memset(&u, 0, sizeof u);
    u.dir = path;
    rc = read_list(&u, o);
    if (!rc) rc = read_labels(&u, o);
    if (!rc && u.n_concepts < n_concepts)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: %d concepts found, %d to keep", path, u.n_concepts, n_concepts);
    char source[65];
    if (!rc) { /* source hash: Imagelist.txt then the label files in name order */
        qsort(u.concepts, (size_t)u.n_concepts, sizeof *u.concepts, cmp_concept_name);
        dsml_sha256 h;
        dsml_sha256_init(&h);
        char line[200];
        int len = snprintf(line, sizeof line, "%s  Imagelist.txt\n", u.list_sha);
        dsml_sha256_update(&h, line, (size_t)len);
        for (int k = 0; k < u.n_concepts; k++) {
            len = snprintf(line, sizeof line, "%s  Labels_%s.txt\n", u.concepts[k].sha, u.concepts[k].name);
            dsml_sha256_update(&h, line, (size_t)len);
        }
        dsml_sha256_final_hex(&h, source);
        /* the most frequent first, then the kept ones back in name order */
        qsort(u.concepts, (size_t)u.n_concepts, sizeof *u.concepts, cmp_concept_count);
        qsort(u.concepts, (size_t)n_concepts, sizeof *u.concepts, cmp_concept_name);
    }
    uint64_t *bits = NULL;
    char **kept_paths = NULL;
    int *kept_line = NULL, n_kept = 0;
    if (!rc) {
        bits = malloc(sizeof *bits * (size_t)u.n);
        kept_paths = malloc(sizeof *kept_paths * (size_t)u.n);
        kept_line = malloc(sizeof *kept_line * (size_t)u.n);
        if (!bits || !kept_paths || !kept_line) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
    }
    for (int i = 0; !rc && i < u.n; i++) {
        uint64_t b = 0;
        for (int k = 0; k < n_concepts; k++)
            if (u.concepts[k].has[i]) b |= (uint64_t)1 << k;
        if (!b) continue;
        bits[n_kept] = b;
        kept_line[n_kept] = u.line_of[i];
        kept_paths[n_kept++] = u.paths[i];
    }
    if (!rc && n_kept == 0) rc = dsml_fail(DSML_ERR_FORMAT, "%s: no image has any of the kept concepts", path);
    uint8_t *pixels = NULL;
    int32_t *labels = NULL;
    if (!rc) rc = dsml_dataset_alloc(ds, "nus-wide", n_kept, o->channels, o->height, o->width, n_concepts, &pixels,
                                     &labels);
    dsml_imageset set;
    memset(&set, 0, sizeof set);
    if (!rc) rc = dsml_imageset_init(&set, ds, (const char *const *)kept_paths, "nus-wide-images/");
    if (!rc) rc = read_images(&u, &set, o);
    int n_found = 0, n_missing = 0;
    size_t image_bytes = (size_t)o->channels * o->height * o->width;
    for (int i = 0; !rc && i < n_kept; i++) {
        if (!set.found[i]) {
            if (!skip_missing) {
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: %s: listed with a kept concept, not among the images",
                               u.list_label, kept_line[i], kept_paths[i]);
                break;
            }
            n_missing++;
            continue;
        }
        if (n_found != i) memmove(pixels + n_found * image_bytes, pixels + i * image_bytes, image_bytes);
        bits[n_found] = bits[i];
        labels[n_found] = (int32_t)__builtin_ctzll(bits[i]);
        n_found++;
    }
    if (!rc && n_found == 0) rc = dsml_fail(DSML_ERR_FORMAT, "%s: none of the %d listed images found", path, n_kept);
    if (!rc && n_missing) {
        ds->skipped = calloc((size_t)n_missing, sizeof *ds->skipped);
        if (!ds->skipped) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
        for (int i = 0; !rc && i < n_kept; i++) {
            if (set.found[i]) continue;
            if (!(ds->skipped[ds->n_skipped] = strdup(kept_paths[i]))) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
            else ds->n_skipped++;
        }
    }
    dsml_imageset_free(&set);
    if (!rc && ds->n_skipped) qsort(ds->skipped, (size_t)ds->n_skipped, sizeof *ds->skipped, cmp_string);
    if (!rc) {
        ds->n = n_found;
        for (int k = 0; k < n_concepts; k++) snprintf(ds->class_names[k], DSML_DATASET_NAME, "%s", u.concepts[k].name);
        ds->owned_label_bits = bits;
        ds->label_bits = bits;
        ds->n_labels = n_concepts;
        bits = NULL;
        memcpy(ds->source_sha256, source, 65);
        dsml_dataset_content_sha256(ds, ds->content_sha256);
    }
    free(bits);
    free(kept_paths);
    free(kept_line);
    nus_free(&u);
    if (rc) dsml_dataset_free(ds);
    return rc;
}
