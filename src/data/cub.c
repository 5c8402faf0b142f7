/* CUB-200-2011 reader: annotation files in a first pass over the archive,
 * images in a second; see cub.h. */
#include "data/cub.h"
#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { F_IMAGES, F_LABELS, F_SPLIT, F_CLASSES, N_FILES };
static const char *const file_names[N_FILES] = {"images.txt", "image_class_labels.txt", "train_test_split.txt",
                                                "classes.txt"};
#define MAX_TEXT (64LL << 20) /* bytes of one annotation file */
#define MAX_IMAGES 10000000

typedef struct {
    const char *source;      /* the path given, for messages */
    char dir[1024];          /* folder of the annotation files inside the source, "" or "x/" */
    uint8_t *text[N_FILES];  /* each NUL-terminated, owned */
    size_t cap[N_FILES];
    int n, n_classes;
    char **paths;            /* n, pointing into text[F_IMAGES] */
    int32_t *labels;         /* n, -1 until set */
    int8_t *train;           /* n, -1 until set */
    char (*class_names)[DSML_DATASET_NAME];
} cub;

static void cub_free(cub *c)
{
    for (int f = 0; f < N_FILES; f++) free(c->text[f]);
    free(c->paths);
    free(c->labels);
    free(c->train);
    free(c->class_names);
}

/* "<archive>: <member>" or "<folder>/<file>" into buf. */
static const char *file_label(const cub *c, int f, int is_archive, char *buf, size_t cap)
{
    snprintf(buf, cap, is_archive ? "%s: %s%s" : "%s/%s%s", c->source, c->dir, file_names[f]);
    return buf;
}

/* Parses "<id> <rest>" with id a positive decimal; rest non-empty. */
static int split_line(const char *line, long *id, const char **rest)
{
    char *end;
    errno = 0;
    *id = strtol(line, &end, 10);
    if (errno || end == line || (*end != ' ' && *end != '\t')) return 0;
    while (*end == ' ' || *end == '\t') end++;
    if (!*end) return 0;
    *rest = end;
    return 1;
}

/* Counts the non-blank lines of a text. */
static int count_lines(const char *text)
{
    int n = 0, blank = 1;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            n += !blank;
            blank = 1;
        } else if (*p != '\r' && *p != ' ' && *p != '\t') {
            blank = 0;
        }
    }
    return n + !blank;
}

/* The next non-blank line "<id> <rest>" of *cursor, with id in 1..n and (for
 * value not NULL) rest a whole number, into *id, *rest (and *value); *id is 0
 * at the end. An error names `label`, the line and `expect` ("<image id>
 * <path>"); `what` ("class", "image") names the id. */
static int next_entry(char **cursor, int *line_no, const char *label, const char *expect, const char *what, int n,
                      long *id, const char **rest, long *value)
{
    char *line;
    *id = 0;
    while ((line = dsml_text_line(cursor, line_no)) && !*line) continue;
    if (!line) return DSML_OK;
    char *end;
    if (!split_line(line, id, rest) || (value && (*value = strtol(*rest, &end, 10), *end)))
        return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: expected \"%s\", found \"%.80s\"", label, *line_no, expect,
                         line);
    if (*id < 1 || *id > n)
        return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: %s id %ld, expected 1..%d", label, *line_no, what, *id, n);
    return DSML_OK;
}

static int appears_again(const char *label, int line_no, const char *what, long id)
{
    return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: %s id %ld appears a second time", label, line_no, what, id);
}

static int parse_classes(cub *c, const char *label)
{
    char *cursor = (char *)c->text[F_CLASSES];
    c->n_classes = count_lines(cursor);
    if (c->n_classes < 1 || c->n_classes > 1000000)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %d classes, expected 1..1000000", label, c->n_classes);
    c->class_names = calloc((size_t)c->n_classes, sizeof *c->class_names);
    if (!c->class_names) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", label);
    int line_no = 0, rc;
    long id;
    const char *name;
    while ((rc = next_entry(&cursor, &line_no, label, "<class id> <name>", "class", c->n_classes, &id, &name,
                            NULL)) == DSML_OK && id) {
        if (c->class_names[id - 1][0]) return appears_again(label, line_no, "class", id);
        if (strlen(name) >= DSML_DATASET_NAME)
            return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: class name of %zu bytes, at most %d", label, line_no,
                             strlen(name), DSML_DATASET_NAME - 1);
        snprintf(c->class_names[id - 1], DSML_DATASET_NAME, "%s", name);
    }
    return rc;
}

static int parse_images(cub *c, const char *label)
{
    char *cursor = (char *)c->text[F_IMAGES];
    c->n = count_lines(cursor);
    if (c->n < 1 || c->n > MAX_IMAGES)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %d images, expected 1..%d", label, c->n, MAX_IMAGES);
    c->paths = calloc((size_t)c->n, sizeof *c->paths);
    c->labels = malloc(sizeof *c->labels * (size_t)c->n);
    c->train = malloc((size_t)c->n);
    if (!c->paths || !c->labels || !c->train) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", label);
    memset(c->labels, 0xff, sizeof *c->labels * (size_t)c->n);
    memset(c->train, 0xff, (size_t)c->n);
    int line_no = 0, rc;
    long id;
    const char *path;
    while ((rc = next_entry(&cursor, &line_no, label, "<image id> <path>", "image", c->n, &id, &path, NULL)) ==
               DSML_OK && id) {
        if (c->paths[id - 1]) return appears_again(label, line_no, "image", id);
        if (dsml_archive_unsafe_name(path))
            return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: path \"%.200s\" is absolute or has \"..\"", label,
                             line_no, path);
        c->paths[id - 1] = (char *)path;
    }
    return rc;
}

/* image_class_labels.txt (is_split 0) or train_test_split.txt (is_split 1). */
static int parse_pairs(cub *c, int f, const char *label)
{
    int is_split = f == F_SPLIT;
    char *cursor = (char *)c->text[f];
    int line_no = 0, rc;
    long id, value;
    const char *rest;
    while ((rc = next_entry(&cursor, &line_no, label, is_split ? "<image id> <0 or 1>" : "<image id> <class id>",
                            "image", c->n, &id, &rest, &value)) == DSML_OK && id) {
        if (is_split ? c->train[id - 1] >= 0 : c->labels[id - 1] >= 0)
            return appears_again(label, line_no, "image", id);
        if (is_split && value != 0 && value != 1)
            return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: train flag %ld, expected 0 or 1", label, line_no, value);
        if (!is_split && (value < 1 || value > c->n_classes))
            return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: class id %ld, expected 1..%d", label, line_no, value,
                             c->n_classes);
        if (is_split) c->train[id - 1] = (int8_t)value;
        else c->labels[id - 1] = (int32_t)(value - 1);
    }
    for (int i = 0; !rc && i < c->n; i++)
        if (is_split ? c->train[i] < 0 : c->labels[i] < 0)
            return dsml_fail(DSML_ERR_FORMAT, "%s: image id %d (of %d in %s) has no line", label, i + 1, c->n,
                             file_names[F_IMAGES]);
    return rc;
}

static int parse_all(cub *c, int is_archive)
{
    char label[4400];
    int rc = parse_classes(c, file_label(c, F_CLASSES, is_archive, label, sizeof label));
    if (!rc) rc = parse_images(c, file_label(c, F_IMAGES, is_archive, label, sizeof label));
    if (!rc) rc = parse_pairs(c, F_LABELS, file_label(c, F_LABELS, is_archive, label, sizeof label));
    if (!rc) rc = parse_pairs(c, F_SPLIT, file_label(c, F_SPLIT, is_archive, label, sizeof label));
    return rc;
}

/* First pass: the four annotation files, found by base name; all must sit in
 * the same folder. */
static int read_annotations(cub *c, const dsml_reader_options *o, char sha[65])
{
    dsml_archive *a;
    int rc = dsml_archive_open(&a, c->source, &o->limits);
    if (rc) return rc;
    int seen[N_FILES] = {0};
    char dirs[N_FILES][1024];
    dsml_archive_member m;
    while (!(rc = dsml_archive_next(a, &m)) && m.name) {
        if (!m.is_file) continue;
        int f = 0;
        while (f < N_FILES && strcmp(m.base, file_names[f])) f++;
        if (f == N_FILES) continue;
        if (seen[f]) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s: a second %s (the first in \"%s\")", c->source, m.name,
                           file_names[f], dirs[f]);
            break;
        }
        if (m.size > MAX_TEXT) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s: %lld bytes, more than %lld expected for an annotation file",
                           c->source, m.name, (long long)m.size, (long long)MAX_TEXT);
            break;
        }
        if ((size_t)(m.base - m.name) >= sizeof dirs[f]) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s: folder name too long", c->source, m.name);
            break;
        }
        snprintf(dirs[f], sizeof dirs[f], "%.*s", (int)(m.base - m.name), m.name);
        size_t size;
        rc = dsml_archive_read_member(a, &c->text[f], &c->cap[f], &size);
        if (rc) break;
        if (memchr(c->text[f], '\0', size)) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s: a NUL byte: not a text file", c->source, m.name);
            break;
        }
        seen[f] = 1;
    }
    for (int f = 0; !rc && f < N_FILES; f++)
        if (!seen[f])
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s missing (expected CUB_200_2011/%s)", c->source, file_names[f],
                           file_names[f]);
    for (int f = 1; !rc && f < N_FILES; f++)
        if (strcmp(dirs[f], dirs[F_IMAGES]))
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s%s and %s%s: in different folders", c->source, dirs[F_IMAGES],
                           file_names[F_IMAGES], dirs[f], file_names[f]);
    if (!rc) snprintf(c->dir, sizeof c->dir, "%s", dirs[F_IMAGES]);
    int close_rc = dsml_archive_close(a, rc ? NULL : sha);
    return rc ? rc : close_rc;
}

static int read_text_file(const char *path, uint8_t **buf, size_t *cap)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (errno == ENOENT) return dsml_fail(DSML_ERR_FORMAT, "%s: missing", path);
        return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    struct stat st;
    int rc = DSML_OK;
    if (fstat(fileno(fp), &st) != 0 || st.st_size > MAX_TEXT) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: cannot stat, or more than %lld bytes", path, (long long)MAX_TEXT);
    } else {
        *cap = (size_t)st.st_size + 1;
        *buf = malloc(*cap);
        if (!*buf) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
        else if (fread(*buf, 1, (size_t)st.st_size, fp) != (size_t)st.st_size)
            rc = dsml_fail(DSML_ERR_IO, "%s: short read", path);
        else (*buf)[st.st_size] = 0;
        if (!rc && memchr(*buf, '\0', (size_t)st.st_size))
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: a NUL byte: not a text file", path);
    }
    fclose(fp);
    return rc;
}

/* The first image not decoded, as an error naming images.txt's line. */
static int missing_image(const cub *c, int index, int is_archive)
{
    char label[4400];
    return dsml_fail(DSML_ERR_FORMAT, "%s: image id %d (%s): listed, but no %simages/%s in %s",
                     file_label(c, F_IMAGES, is_archive, label, sizeof label), index + 1, c->paths[index], c->dir,
                     c->paths[index], c->source);
}

int dsml_cub200_read(dsml_dataset *ds, const char *path, const dsml_reader_options *o)
{
    int is_dir;
    int rc = dsml_reader_start(ds, path, o, &is_dir);
    if (rc) return rc;
    int is_archive = !is_dir;
    cub c;
    memset(&c, 0, sizeof c);
    c.source = path;
    char sha1[65] = "", sha2[65] = "";
    if (is_archive) {
        rc = read_annotations(&c, o, sha1);
    } else {
        char probe[4400];
        snprintf(probe, sizeof probe, "%s/images.txt", path);
        snprintf(c.dir, sizeof c.dir, "%s", access(probe, F_OK) == 0 ? "" : "CUB_200_2011/");
        char files[N_FILES][4400];
        const char *list[N_FILES];
        for (int f = 0; !rc && f < N_FILES; f++) {
            file_label(&c, f, 0, files[f], sizeof files[f]);
            list[f] = files[f];
            rc = read_text_file(files[f], &c.text[f], &c.cap[f]);
        }
        if (!rc) rc = dsml_source_sha256(list, N_FILES, sha2);
    }
    if (!rc) rc = parse_all(&c, is_archive);
    if (!rc) rc = dsml_imageset_dataset(ds, "cub200", c.n, c.labels, c.n_classes, c.class_names, c.train, o, path);
    dsml_imageset set;
    memset(&set, 0, sizeof set);
    char prefix[1100];
    snprintf(prefix, sizeof prefix, "%simages/", c.dir);
    if (!rc) rc = dsml_imageset_init(&set, ds, (const char *const *)c.paths, prefix);
    if (!rc && is_archive) {
        dsml_archive *a;
        rc = dsml_archive_open(&a, path, &o->limits);
        if (!rc) {
            rc = dsml_imageset_read_archive(&set, a);
            int close_rc = dsml_archive_close(a, rc ? NULL : sha2);
            if (!rc) rc = close_rc;
        }
        if (!rc && strcmp(sha1, sha2))
            rc = dsml_fail(DSML_ERR_IO, "%s: changed between the two passes (SHA-256 %.16s..., then %.16s...)", path,
                           sha1, sha2);
    } else if (!rc) {
        rc = dsml_imageset_read_folder(&set, path);
    }
    if (!rc) {
        int missing = dsml_imageset_first_missing(&set);
        if (missing >= 0) rc = missing_image(&c, missing, is_archive);
    }
    dsml_imageset_free(&set);
    if (!rc) {
        memcpy(ds->source_sha256, sha2, 65);
        dsml_dataset_content_sha256(ds, ds->content_sha256);
    }
    cub_free(&c);
    if (rc) dsml_dataset_free(ds);
    return rc;
}
