/* Reading and checking the inputs of `dsml eval`; see eval_inputs.h. */
#include "eval/eval_inputs.h"
#include "core/error.h"
#include "data/archive.h"
#include "data/npy.h"
#include "results/embeddings.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits "x.npz:NAME" into the archive path and the member; "x.npz" gets the
 * default member; anything else is a plain .npy (member NULL). */
static int split_spec(const char *spec, const char *default_member, char *path, size_t path_size, char *member,
                      size_t member_size, int *is_npz)
{
    const char *colon = strstr(spec, ".npz:");
    size_t len = strlen(spec);
    *is_npz = 0;
    if (colon) {
        len = (size_t)(colon - spec) + 4;
        snprintf(member, member_size, "%s", colon + 5);
        *is_npz = 1;
    } else if (len >= 4 && !strcmp(spec + len - 4, ".npz")) {
        snprintf(member, member_size, "%s", default_member);
        *is_npz = 1;
    }
    if (len >= path_size) return dsml_fail(DSML_ERR_ARG, "%s: path too long", spec);
    memcpy(path, spec, len);
    path[len] = '\0';
    if (*is_npz && !member[0]) return dsml_fail(DSML_ERR_ARG, "%s: empty member name after ':'", spec);
    /* numpy.savez names member NAME "NAME.npy" */
    if (*is_npz && (strlen(member) < 4 || strcmp(member + strlen(member) - 4, ".npy")))
        strncat(member, ".npy", member_size - strlen(member) - 1);
    return DSML_OK;
}

/* Reads member `member` of the zip at path. A missing member lists those there. */
static int read_npz_member(const char *path, const char *member, dsml_npy *out)
{
    dsml_archive *a;
    int rc = dsml_archive_open(&a, path, NULL);
    if (rc) return rc;
    char seen[512] = "", name[1200];
    dsml_archive_member m;
    int found = 0;
    while (!(rc = dsml_archive_next(a, &m)) && m.name) {
        if (m.is_file && !strcmp(m.name, member)) {
            snprintf(name, sizeof name, "%s:%s", path, member);
            rc = dsml_npy_read_member(a, m.size, name, out);
            found = 1;
            break;
        }
        if (strlen(seen) + strlen(m.name) + 4 < sizeof seen)
            snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s%s", seen[0] ? ", " : "", m.name);
    }
    dsml_archive_close(a, NULL);
    if (!rc && !found)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: no member '%s' (the archive holds: %s)", path, member,
                       seen[0] ? seen : "nothing");
    if (rc) dsml_npy_free(out);
    return rc;
}

/* Reads the array a spec names; *what gets the name for messages. */
static int read_spec(const char *spec, const char *default_member, dsml_npy *out, char *what, size_t what_size)
{
    char path[1024], member[256];
    int is_npz;
    memset(out, 0, sizeof *out);
    int rc = split_spec(spec, default_member, path, sizeof path, member, sizeof member, &is_npz);
    if (rc) return rc;
    snprintf(what, what_size, is_npz ? "%s:%s" : "%s", path, member);
    return is_npz ? read_npz_member(path, member, out) : dsml_npy_read(path, out);
}

int dsml_eval_read_embeddings(const char *spec, const char *default_member, dsml_eval_side *side)
{
    dsml_npy a;
    int rc = read_spec(spec, default_member, &a, side->source, sizeof side->source);
    if (rc) return rc;
    if (a.dtype != DSML_NPY_FLOAT32 || a.ndim != 2 || a.shape[0] < 1 || a.shape[1] < 1 ||
        a.shape[0] > DSML_EMBEDDINGS_MAX_ITEMS || a.shape[1] > DSML_EMBEDDINGS_MAX_D) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s array of %d dimension%s (%" PRId64 " x %" PRId64 "), expected "
                       "float embeddings N x d ('<f4' or '<f8', 1 <= N < 2^28, 1 <= d <= %d)", side->source,
                       a.dtype == DSML_NPY_FLOAT32 ? "a float" : "an integer", a.ndim, a.ndim == 1 ? "" : "s",
                       a.shape[0], a.ndim > 1 ? a.shape[1] : 1, DSML_EMBEDDINGS_MAX_D);
        dsml_npy_free(&a);
        return rc;
    }
    const float *x = a.data;
    int64_t count = a.shape[0] * a.shape[1];
    for (int64_t i = 0; i < count; i++)
        if (!isfinite(x[i])) {
            rc = dsml_fail(DSML_ERR_NUMERIC, "%s: row %" PRId64 ", column %" PRId64 " is %g, expected a finite "
                           "number", side->source, i / a.shape[1], i % a.shape[1], (double)x[i]);
            dsml_npy_free(&a);
            return rc;
        }
    side->x = a.data;
    side->n = (int)a.shape[0];
    side->d = (int)a.shape[1];
    return DSML_OK;
}

/* An N x L 0/1 matrix (int32 after reading) into bitsets. */
static int pack_sets(dsml_eval_side *side, const int32_t *v, int64_t width)
{
    const char *what = side->label_source;
    if (width > DSML_EVAL_MAX_LABELS)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %" PRId64 " label columns, expected at most %d", what, width,
                         DSML_EVAL_MAX_LABELS);
    int words = (int)((width + 63) / 64);
    uint64_t *sets = calloc((size_t)side->n * (size_t)words, sizeof *sets);
    if (!sets) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate the label sets", what);
    for (int i = 0; i < side->n; i++)
        for (int64_t c = 0; c < width; c++) {
            int32_t b = v[(int64_t)i * width + c];
            if (b != 0 && b != 1) {
                free(sets);
                return dsml_fail(DSML_ERR_FORMAT, "%s: row %d, column %" PRId64 " is %d, expected 0 or 1 (a "
                                 "multi-label matrix)", what, i, c, (int)b);
            }
            if (b) sets[(size_t)i * (size_t)words + (size_t)(c / 64)] |= (uint64_t)1 << (c % 64);
        }
    side->sets = sets;
    side->words = words;
    side->width = (int)width;
    return DSML_OK;
}

int dsml_eval_read_labels(const char *spec, const char *default_member, dsml_eval_side *side)
{
    dsml_npy a;
    int rc = read_spec(spec, default_member, &a, side->label_source, sizeof side->label_source);
    if (rc) return rc;
    const char *what = side->label_source;
    int64_t rows = a.ndim >= 1 ? a.shape[0] : 0;
    if (a.dtype != DSML_NPY_INT32 || (a.ndim != 1 && a.ndim != 2))
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s array of %d dimensions, expected integer labels: one class per "
                       "row (N,) or a 0/1 matrix (N, L)", what, a.dtype == DSML_NPY_FLOAT32 ? "a float" : "an integer",
                       a.ndim);
    else if (rows != side->n)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: %" PRId64 " rows of labels, expected %d (the rows of %s)", what, rows,
                       side->n, side->source);
    else if (a.ndim == 2 && a.shape[1] < 1)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: 0 label columns, expected at least 1", what);
    if (rc) {
        dsml_npy_free(&a);
        return rc;
    }
    const int32_t *v = a.data;
    if (a.ndim == 1 || a.shape[1] == 1) { /* class ids; an N x 1 column counts as one class per row */
        for (int i = 0; i < side->n; i++)
            if (v[i] < 0) {
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: row %d has label %d, expected a class >= 0", what, i, (int)v[i]);
                dsml_npy_free(&a);
                return rc;
            }
        side->classes = a.data;
        return DSML_OK;
    }
    rc = pack_sets(side, v, a.shape[1]);
    dsml_npy_free(&a);
    return rc;
}

typedef struct {
    int image, row;
} image_row;

static int compare_image(const void *a, const void *b)
{
    const image_row *x = a, *y = b;
    return (x->image > y->image) - (x->image < y->image);
}

/* For each query, the database row holding the same dataset image, or -1. */
static int self_rows(const dsml_embeddings *e, int *out)
{
    image_row *rows = malloc(sizeof *rows * (size_t)(e->ndb ? e->ndb : 1));
    if (!rows) return dsml_fail(DSML_ERR_NOMEM, "cannot allocate %d database indices", e->ndb);
    for (int i = 0; i < e->ndb; i++) rows[i] = (image_row){e->database_index[i], i};
    qsort(rows, (size_t)e->ndb, sizeof *rows, compare_image);
    for (int q = 0; q < e->nq; q++) {
        image_row key = {e->query_index[q], 0};
        const image_row *hit = bsearch(&key, rows, (size_t)e->ndb, sizeof *rows, compare_image);
        out[q] = hit ? hit->row : -1;
    }
    free(rows);
    return DSML_OK;
}

int dsml_eval_read_run_embeddings(const char *path, dsml_eval_inputs *in)
{
    dsml_embeddings e;
    int rc = dsml_embeddings_read(path, DSML_EMBEDDINGS_ALL, &e);
    if (rc) return rc;
    in->query_db_index = malloc(sizeof(int) * (size_t)(e.nq ? e.nq : 1));
    if (!in->query_db_index) rc = dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %d indices", path, e.nq);
    if (!rc) rc = self_rows(&e, in->query_db_index);
    if (rc) {
        free(in->query_db_index);
        in->query_db_index = NULL;
        dsml_embeddings_free(&e);
        return rc;
    }
    dsml_eval_side *q = &in->query, *db = &in->database;
    q->n = e.nq;
    q->d = e.d;
    q->x = e.queries;
    q->classes = e.query_labels;
    db->n = e.ndb;
    db->d = e.d;
    db->x = e.database;
    db->classes = e.database_labels;
    snprintf(q->source, sizeof q->source, "%s (queries)", path);
    snprintf(db->source, sizeof db->source, "%s (database)", path);
    snprintf(q->label_source, sizeof q->label_source, "%s (query labels)", path);
    snprintf(db->label_source, sizeof db->label_source, "%s (database labels)", path);
    free(e.query_index);
    free(e.database_index);
    in->has_database = 1;
    /* the trainer wrote what it evaluated; a value that is not finite means a diverged run */
    for (int s = 0; s < 2; s++) {
        const dsml_eval_side *side = s ? db : q;
        for (long i = 0; i < (long)side->n * side->d; i++)
            if (!isfinite(side->x[i])) {
                rc = dsml_fail(DSML_ERR_NUMERIC, "%s: row %ld, column %ld is %g, expected a finite number",
                               side->source, i / side->d, i % side->d, (double)side->x[i]);
                dsml_eval_inputs_free(in);
                return rc;
            }
    }
    return DSML_OK;
}

int dsml_eval_inputs_finish(dsml_eval_inputs *in)
{
    dsml_eval_side *q = &in->query, *db = &in->database;
    if (!in->has_database) {
        *db = *q;  /* borrowed: dsml_eval_inputs_free releases the queries' arrays once */
        if (!in->query_db_index) {
            in->query_db_index = malloc(sizeof(int) * (size_t)(q->n ? q->n : 1));
            if (!in->query_db_index) return dsml_fail(DSML_ERR_NOMEM, "cannot allocate %d indices", q->n);
            for (int i = 0; i < q->n; i++) in->query_db_index[i] = i;
        }
        return DSML_OK;
    }
    if (q->d != db->d)
        return dsml_fail(DSML_ERR_FORMAT, "%s: embeddings of size %d, but the queries (%s) have %d", db->source,
                         db->d, q->source, q->d);
    if (!q->classes != !db->classes)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s, but %s has %s: both must be class ids or both 0/1 matrices",
                         db->label_source, db->classes ? "class ids" : "a multi-label matrix", q->label_source,
                         q->classes ? "class ids" : "a multi-label matrix");
    if (!q->classes && q->width != db->width)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %d label columns, but %s has %d", db->label_source, db->width,
                         q->label_source, q->width);
    return DSML_OK;
}

dsml_labels dsml_eval_side_labels(const dsml_eval_side *side)
{
    return side->classes ? dsml_labels_single(side->classes) : dsml_labels_multi(side->sets, side->words);
}

static void side_free(dsml_eval_side *s)
{
    free(s->x);
    free(s->classes);
    free(s->sets);
}

void dsml_eval_inputs_free(dsml_eval_inputs *in)
{
    side_free(&in->query);
    if (in->has_database) side_free(&in->database);
    free(in->query_db_index);
    memset(in, 0, sizeof *in);
}
