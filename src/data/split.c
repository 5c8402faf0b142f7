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

static void finish(dsml_split *s)
{
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
    int need = queries_per_class + train_per_class;
    char need_text[128];
    snprintf(need_text, sizeof need_text, "%d queries + %d training images", queries_per_class, train_per_class);
    int *order, *start;
    int rc = group(labels, n, n_classes, need, need_text, &order, &start);
    if (rc) return rc;
    rc = allocate(s, queries_per_class * n_classes, n - queries_per_class * n_classes,
                  (train_per_class - validation_per_class) * n_classes, validation_per_class * n_classes);
    if (rc) {
        free(order);
        free(start);
        return rc;
    }
    dsml_rng rng;
    dsml_rng_seed(&rng, seed);
    for (int c = 0; c < n_classes; c++) {
        int *members = order + start[c];
        int count = start[c + 1] - start[c];
        dsml_rng_shuffle_int(&rng, members, (size_t)count);
        int k = 0;
        for (; k < queries_per_class; k++) s->query[s->n_query++] = members[k];
        for (int j = k; j < count; j++) s->database[s->n_database++] = members[j];
        for (int v = 0; v < validation_per_class; v++, k++) s->validation[s->n_validation++] = members[k];
        for (int t = validation_per_class; t < train_per_class; t++, k++) s->train[s->n_train++] = members[k];
    }
    free(order);
    free(start);
    finish(s);
    return DSML_OK;
}

int dsml_split_hashing(dsml_split *s, const int32_t *labels, int n, int n_classes, int queries_per_class,
                       uint64_t seed)
{
    memset(s, 0, sizeof *s);
    if (queries_per_class < 1 || queries_per_class >= n)
        return dsml_fail(DSML_ERR_ARG, "split: %d queries per class, expected 1..%d", queries_per_class, n - 1);
    char need_text[128];
    snprintf(need_text, sizeof need_text, "%d queries + at least 1 database image", queries_per_class);
    int *order, *start;
    int rc = group(labels, n, n_classes, queries_per_class + 1, need_text, &order, &start);
    if (rc) return rc;
    int n_query = queries_per_class * n_classes;
    rc = allocate(s, n_query, n - n_query, n - n_query, 0);
    if (rc) {
        free(order);
        free(start);
        return rc;
    }
    dsml_rng rng;
    dsml_rng_seed(&rng, seed);
    for (int c = 0; c < n_classes; c++) {
        int *members = order + start[c];
        int count = start[c + 1] - start[c];
        dsml_rng_shuffle_int(&rng, members, (size_t)count);
        for (int k = 0; k < count; k++) {
            if (k < queries_per_class) {
                s->query[s->n_query++] = members[k];
            } else {
                s->database[s->n_database++] = members[k];
                s->train[s->n_train++] = members[k];
            }
        }
    }
    free(order);
    free(start);
    finish(s);
    return DSML_OK;
}
