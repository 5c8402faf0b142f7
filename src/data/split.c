/* Per-class seeded splits and their hash; see split.h. */
#include "data/split.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dsml_split_free(dsml_split *s)
{
    if (!s) return;
    free(s->train);
    free(s->query);
    free(s->database);
    free(s->validation);
    memset(s, 0, sizeof *s);
}

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void hash_list(dsml_sha256 *h, const int *list, int n)
{
    uint8_t buf[4 * 256];
    uint32_t count = (uint32_t)n;
    uint8_t head[4] = {(uint8_t)count, (uint8_t)(count >> 8), (uint8_t)(count >> 16), (uint8_t)(count >> 24)};
    dsml_sha256_update(h, head, 4);
    for (int i = 0; i < n;) {
        int m = 0;
        for (; m < 256 && i < n; m++, i++) {
            uint32_t v = (uint32_t)list[i];
            buf[4 * m] = (uint8_t)v;
            buf[4 * m + 1] = (uint8_t)(v >> 8);
            buf[4 * m + 2] = (uint8_t)(v >> 16);
            buf[4 * m + 3] = (uint8_t)(v >> 24);
        }
        dsml_sha256_update(h, buf, (size_t)m * 4);
    }
}

static void finish(dsml_split *s, const char *kind)
{
    snprintf(s->kind, sizeof s->kind, "%s", kind);
    qsort(s->query, (size_t)s->n_query, sizeof(int), compare_int);
    qsort(s->database, (size_t)s->n_database, sizeof(int), compare_int);
    qsort(s->train, (size_t)s->n_train, sizeof(int), compare_int);
    if (s->validation) qsort(s->validation, (size_t)s->n_validation, sizeof(int), compare_int);
    dsml_sha256 h;
    dsml_sha256_init(&h);
    dsml_sha256_update(&h, "dsml-split-1\n", 13);
    hash_list(&h, s->query, s->n_query);
    hash_list(&h, s->database, s->n_database);
    hash_list(&h, s->train, s->n_train);
    hash_list(&h, s->validation, s->n_validation);
    dsml_sha256_final_hex(&h, s->hash);
}

/* Groups indices by class: order[start[c] .. start[c+1]) are class c's images
 * in ascending order. Checks labels and the minimum class size. */
static int group(const int32_t *labels, int n, int n_classes, int need, const char *need_text, int **order_out,
                 int **start_out)
{
    *order_out = NULL;
    *start_out = NULL;
    if (n < 1 || n_classes < 1) return dsml_fail(DSML_ERR_ARG, "split: %d images, %d classes", n, n_classes);
    int *start = calloc((size_t)n_classes + 1, sizeof(int));
    int *order = malloc(sizeof(int) * (size_t)n);
    int *fill = calloc((size_t)n_classes, sizeof(int));
    if (!start || !order || !fill) {
        free(start); free(order); free(fill);
        return dsml_fail(DSML_ERR_NOMEM, "split: cannot allocate index lists for %d images", n);
    }
    for (int i = 0; i < n; i++) {
        if (labels[i] < 0 || labels[i] >= n_classes) {
            int bad = labels[i];
            free(start); free(order); free(fill);
            return dsml_fail(DSML_ERR_ARG, "split: image %d: label %d, expected 0..%d", i, bad, n_classes - 1);
        }
        start[labels[i] + 1]++;
    }
    for (int c = 0; c < n_classes; c++) {
        if (start[c + 1] < need) {
            int have = start[c + 1];
            free(start); free(order); free(fill);
            return dsml_fail(DSML_ERR_ARG, "split: class %d has %d images, the split needs %d (%s)", c, have, need,
                             need_text);
        }
        start[c + 1] += start[c];
    }
    for (int i = 0; i < n; i++) order[start[labels[i]] + fill[labels[i]]++] = i;
    free(fill);
    *order_out = order;
    *start_out = start;
    return DSML_OK;
}

static int allocate(dsml_split *s, int n_query, int n_database, int n_train, int n_validation)
{
    s->query = malloc(sizeof(int) * (size_t)(n_query ? n_query : 1));
    s->database = malloc(sizeof(int) * (size_t)(n_database ? n_database : 1));
    s->train = malloc(sizeof(int) * (size_t)(n_train ? n_train : 1));
    if (n_validation) s->validation = malloc(sizeof(int) * (size_t)n_validation);
    if (!s->query || !s->database || !s->train || (n_validation && !s->validation)) {
        dsml_split_free(s);
        return dsml_fail(DSML_ERR_NOMEM, "split: cannot allocate index lists");
    }
    return DSML_OK;
}

/* Per class: Q queries, T training images (of which V validation), from
 * members already shuffled. */
typedef struct {
    int queries, train, validation;
} per_class;

/* Hands one class's shuffled members to the lists of a split. */
typedef void (*assign_fn)(dsml_split *s, const int *members, int count, const per_class *p);

/* The seeded per-class split: groups the images by class (each class with
 * at least `need`), allocates the lists (sizes: query, database, train,
 * validation), shuffles each class's members in class order with one stream
 * seeded by `seed`, and hands them to `assign`. */
static int split_per_class(dsml_split *s, const int32_t *labels, int n, int n_classes, int need,
                           const char *need_text, const int sizes[4], uint64_t seed, assign_fn assign,
                           const per_class *p, const char *kind)
{
    int *order, *start;
    int rc = group(labels, n, n_classes, need, need_text, &order, &start);
    if (!rc) rc = allocate(s, sizes[0], sizes[1], sizes[2], sizes[3]);
    if (!rc) {
        dsml_rng rng;
        dsml_rng_seed(&rng, seed);
        for (int c = 0; c < n_classes; c++) {
            int *members = order + start[c];
            int count = start[c + 1] - start[c];
            dsml_rng_shuffle_int(&rng, members, (size_t)count);
            assign(s, members, count, p);
        }
        finish(s, kind);
    }
    free(order);
    free(start);
    return rc;
}

/* DML: the first Q queries, every other image the database; of these the
 * next V validation and the T - V after them training. */
static void assign_dml(dsml_split *s, const int *members, int count, const per_class *p)
{
    int k = 0;
    for (; k < p->queries; k++) s->query[s->n_query++] = members[k];
    for (int j = k; j < count; j++) s->database[s->n_database++] = members[j];
    for (int v = 0; v < p->validation; v++, k++) s->validation[s->n_validation++] = members[k];
    for (int t = p->validation; t < p->train; t++, k++) s->train[s->n_train++] = members[k];
}

/* Hashing: the first Q queries, the rest both database and training set. */
static void assign_hashing(dsml_split *s, const int *members, int count, const per_class *p)
{
    for (int k = 0; k < count; k++) {
        if (k < p->queries) {
            s->query[s->n_query++] = members[k];
        } else {
            s->database[s->n_database++] = members[k];
            s->train[s->n_train++] = members[k];
        }
    }
}

int dsml_split_dml(dsml_split *s, const int32_t *labels, int n, int n_classes, int queries_per_class,
                   int train_per_class, int validation_per_class, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    if (queries_per_class < 1 || train_per_class < 1 || validation_per_class < 0 ||
        validation_per_class >= train_per_class)
        return dsml_fail(DSML_ERR_ARG,
                         "split: %d queries, %d training and %d validation images per class: expected Q >= 1, "
                         "T >= 1, 0 <= V < T", queries_per_class, train_per_class, validation_per_class);
    if (queries_per_class > n || train_per_class > n)
        return dsml_fail(DSML_ERR_ARG, "split: %d queries + %d training images per class, only %d images",
                         queries_per_class, train_per_class, n);
    char need_text[128];
    snprintf(need_text, sizeof need_text, "%d queries + %d training images", queries_per_class, train_per_class);
    const int sizes[4] = {queries_per_class * n_classes, n - queries_per_class * n_classes,
                          (train_per_class - validation_per_class) * n_classes, validation_per_class * n_classes};
    const per_class p = {queries_per_class, train_per_class, validation_per_class};
    return split_per_class(s, labels, n, n_classes, queries_per_class + train_per_class, need_text, sizes, seed,
                           assign_dml, &p, "dml");
}

int dsml_split_hashing(dsml_split *s, const int32_t *labels, int n, int n_classes, int queries_per_class,
                       uint64_t seed)
{
    memset(s, 0, sizeof *s);
    if (queries_per_class < 1 || queries_per_class >= n)
        return dsml_fail(DSML_ERR_ARG, "split: %d queries per class, expected 1..%d", queries_per_class, n - 1);
    char need_text[128];
    snprintf(need_text, sizeof need_text, "%d queries + at least 1 database image", queries_per_class);
    int n_query = queries_per_class * n_classes;
    const int sizes[4] = {n_query, n - n_query, n - n_query, 0};
    const per_class p = {queries_per_class, 0, 0};
    return split_per_class(s, labels, n, n_classes, queries_per_class + 1, need_text, sizes, seed, assign_hashing,
                           &p, "hashing");
}

/* Test images (is_test[i]) become both queries and database, the rest train. */
static int query_is_database_split(dsml_split *s, const uint8_t *is_test, int n, const char *what)
{
    int n_test = 0;
    for (int i = 0; i < n; i++) n_test += is_test[i] != 0;
    if (n_test == 0 || n_test == n)
        return dsml_fail(DSML_ERR_ARG, "split (%s): %d test and %d training images, both must be non-empty", what,
                         n_test, n - n_test);
    int rc = allocate(s, n_test, n_test, n - n_test, 0);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        if (is_test[i]) {
            s->query[s->n_query++] = i;
            s->database[s->n_database++] = i;
        } else {
            s->train[s->n_train++] = i;
        }
    }
    s->query_is_database = 1;
    finish(s, what);
    return DSML_OK;
}

int dsml_split_official(dsml_split *s, const uint8_t *is_train, int n)
{
    memset(s, 0, sizeof *s);
    if (n < 2 || !is_train) return dsml_fail(DSML_ERR_ARG, "split (paper): %d images, or no official split", n);
    uint8_t *is_test = malloc((size_t)n);
    if (!is_test) return dsml_fail(DSML_ERR_NOMEM, "split: cannot allocate %d flags", n);
    int rc = DSML_OK;
    for (int i = 0; i < n && !rc; i++) {
        if (is_train[i] > 1) rc = dsml_fail(DSML_ERR_ARG, "split (paper): image %d: flag %d, expected 0 or 1", i,
                                            is_train[i]);
        is_test[i] = !is_train[i];
    }
    if (!rc) rc = query_is_database_split(s, is_test, n, "paper");
    free(is_test);
    return rc;
}

int dsml_split_zero_shot(dsml_split *s, const int32_t *labels, int n, int n_classes, int n_train_classes)
{
    memset(s, 0, sizeof *s);
    if (n < 2 || n_train_classes < 1 || n_train_classes >= n_classes)
        return dsml_fail(DSML_ERR_ARG, "split (zero-shot): %d images, %d training classes of %d: expected "
                         "1 <= training classes < classes", n, n_train_classes, n_classes);
    uint8_t *is_test = malloc((size_t)n);
    if (!is_test) return dsml_fail(DSML_ERR_NOMEM, "split: cannot allocate %d flags", n);
    int rc = DSML_OK;
    for (int i = 0; i < n && !rc; i++) {
        if (labels[i] < 0 || labels[i] >= n_classes)
            rc = dsml_fail(DSML_ERR_ARG, "split (zero-shot): image %d: label %d, expected 0..%d", i, labels[i],
                           n_classes - 1);
        is_test[i] = labels[i] >= n_train_classes;
    }
    if (!rc) rc = query_is_database_split(s, is_test, n, "zero-shot");
    free(is_test);
    return rc;
}

int dsml_split_multilabel(dsml_split *s, const uint64_t *label_bits, int n, int n_labels, int queries_per_label,
                          uint64_t seed)
{
    memset(s, 0, sizeof *s);
    if (n < 1 || n_labels < 1 || n_labels > 64 || queries_per_label < 1 ||
        (int64_t)queries_per_label * n_labels >= n)
        return dsml_fail(DSML_ERR_ARG, "split (multi-label): %d images, %d labels, %d queries per label: expected "
                         "1..64 labels and fewer queries than images", n, n_labels, queries_per_label);
    uint8_t *drawn = calloc((size_t)n, 1);
    int *candidates = malloc(sizeof(int) * (size_t)n);
    if (!drawn || !candidates) {
        free(drawn);
        free(candidates);
        return dsml_fail(DSML_ERR_NOMEM, "split: cannot allocate lists for %d images", n);
    }
    int n_query = queries_per_label * n_labels;
    int rc = DSML_OK;
    for (int i = 0; i < n && !rc; i++)
        if (!label_bits[i] || (n_labels < 64 && label_bits[i] >> n_labels))
            rc = dsml_fail(DSML_ERR_ARG, "split (multi-label): image %d: label bits 0x%llx, expected at least one "
                           "of bits 0..%d", i, (unsigned long long)label_bits[i], n_labels - 1);
    if (!rc) rc = allocate(s, n_query, n - n_query, n - n_query, 0);
    dsml_rng rng;
    dsml_rng_seed(&rng, seed);
    for (int k = 0; k < n_labels && !rc; k++) {
        int count = 0;
        for (int i = 0; i < n; i++)
            if (!drawn[i] && (label_bits[i] >> k & 1)) candidates[count++] = i;
        if (count < queries_per_label) {
            rc = dsml_fail(DSML_ERR_ARG, "split (multi-label): label %d has %d images not drawn by an earlier label, "
                           "%d queries needed", k, count, queries_per_label);
            break;
        }
        dsml_rng_shuffle_int(&rng, candidates, (size_t)count);
        for (int q = 0; q < queries_per_label; q++) {
            drawn[candidates[q]] = 1;
            s->query[s->n_query++] = candidates[q];
        }
    }
    for (int i = 0; i < n && !rc; i++)
        if (!drawn[i]) {
            s->database[s->n_database++] = i;
            s->train[s->n_train++] = i;
        }
    free(drawn);
    free(candidates);
    if (rc) {
        dsml_split_free(s);
        return rc;
    }
    finish(s, "multi-label");
    return DSML_OK;
}

void dsml_split_query_db_index(const dsml_split *s, int *out)
{
    for (int q = 0; q < s->n_query; q++) {
        const int *hit = bsearch(&s->query[q], s->database, (size_t)s->n_database, sizeof(int), compare_int);
        out[q] = hit ? (int)(hit - s->database) : -1;
    }
}

static const char *const kind_names[] = {"default", "dml", "hashing", "paper", "zero-shot"};

int dsml_split_kind_parse(const char *name, dsml_split_kind *out)
{
    for (int k = 0; k < (int)(sizeof kind_names / sizeof kind_names[0]); k++)
        if (name && !strcmp(name, kind_names[k])) {
            *out = (dsml_split_kind)k;
            return DSML_OK;
        }
    return dsml_fail(DSML_ERR_ARG, "split '%s': expected paper, zero-shot, dml or hashing", name ? name : "(null)");
}

const char *dsml_split_kind_name(dsml_split_kind kind)
{
    return kind >= 0 && (int)kind < (int)(sizeof kind_names / sizeof kind_names[0]) ? kind_names[kind] : "unknown";
}

/* The official split as train flags: 1 for "train", 0 for "test"; NULL when
 * ds has no such split (the caller frees the flags). */
static uint8_t *official_flags(const dsml_dataset *ds)
{
    if (ds->n_splits != 2 || !ds->split) return NULL;
    int train = -1, test = -1;
    for (int k = 0; k < 2; k++) {
        if (!strcmp(ds->split_names[k], "train")) train = k;
        if (!strcmp(ds->split_names[k], "test")) test = k;
    }
    if (train < 0 || test < 0) return NULL;
    uint8_t *flags = malloc((size_t)ds->n);
    if (flags)
        for (int i = 0; i < ds->n; i++) flags[i] = ds->split[i] == train;
    return flags;
}

int dsml_split_make(dsml_split *s, const dsml_dataset *ds, const dsml_split_request *req, dsml_split_kind *used)
{
    memset(s, 0, sizeof *s);
    dsml_split_kind kind = req->kind;
    uint8_t *flags = official_flags(ds);
    if (kind == DSML_SPLIT_DEFAULT) kind = flags ? DSML_SPLIT_PAPER : ds->label_bits ? DSML_SPLIT_HASHING : DSML_SPLIT_DML;
    if (used) *used = kind;
    int rc;
    switch (kind) {
    case DSML_SPLIT_PAPER:
        rc = flags ? dsml_split_official(s, flags, ds->n)
                   : dsml_fail(DSML_ERR_ARG, "%s: split paper needs the dataset's official train/test split (cub200, "
                               "cars196, or an imagefolder with --split-dirs train/ test/)", ds->name);
        break;
    case DSML_SPLIT_ZERO_SHOT:
        rc = dsml_split_zero_shot(s, ds->labels, ds->n, ds->n_classes, ds->n_classes / 2);
        break;
    case DSML_SPLIT_HASHING:
        rc = ds->label_bits ? dsml_split_multilabel(s, ds->label_bits, ds->n, ds->n_labels, req->queries_per_class,
                                                    req->seed)
                            : dsml_split_hashing(s, ds->labels, ds->n, ds->n_classes, req->queries_per_class, req->seed);
        break;
    case DSML_SPLIT_DML:
        rc = dsml_split_dml(s, ds->labels, ds->n, ds->n_classes, req->queries_per_class, req->train_per_class,
                            req->validation_per_class, req->seed);
        break;
    default:
        rc = dsml_fail(DSML_ERR_ARG, "split kind %d: unknown", (int)kind);
    }
    free(flags);
    return rc;
}
