/* P x K class-balanced batch sampler; see sampler.h. */
#include "data/sampler.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

void dsml_sampler_free(dsml_sampler *s)
{
    if (!s) return;
    free(s->class_start);
    free(s->members);
    free(s->cursor);
    free(s->eligible);
    memset(s, 0, sizeof *s);
}

int dsml_sampler_init(dsml_sampler *s, const int32_t *labels, const int *indices, int n, int n_classes, int P, int K,
                      uint64_t seed)
{
    memset(s, 0, sizeof *s);
    if (P < 1 || K < 1 || n < 1 || n_classes < 1)
        return dsml_fail(DSML_ERR_ARG, "sampler: P=%d classes x K=%d images from %d images of %d classes: expected "
                         "all >= 1", P, K, n, n_classes);
    s->n = n;
    s->n_classes = n_classes;
    s->P = P;
    s->K = K;
    s->labels = labels;
    s->class_start = calloc((size_t)n_classes + 1, sizeof(int));
    s->members = malloc(sizeof(int) * (size_t)n);
    s->cursor = calloc((size_t)n_classes, sizeof(int));
    s->eligible = malloc(sizeof(int) * (size_t)n_classes);
    if (!s->class_start || !s->members || !s->cursor || !s->eligible) {
        dsml_sampler_free(s);
        return dsml_fail(DSML_ERR_NOMEM, "sampler: cannot allocate for %d images", n);
    }
    for (int i = 0; i < n; i++) {
        int32_t y = labels[indices[i]];
        if (y < 0 || y >= n_classes) {
            dsml_sampler_free(s);
            return dsml_fail(DSML_ERR_ARG, "sampler: image %d: label %d, expected 0..%d", indices[i], (int)y,
                             n_classes - 1);
        }
        s->class_start[y + 1]++;
    }
    for (int c = 0; c < n_classes; c++) {
        if (s->class_start[c + 1] >= K) s->eligible[s->n_eligible++] = c;
        s->class_start[c + 1] += s->class_start[c];
    }
    if (s->n_eligible < P) {
        int have = s->n_eligible;
        dsml_sampler_free(s);
        return dsml_fail(DSML_ERR_ARG, "sampler: %d classes have at least K=%d images, P=%d needed", have, K, P);
    }
    /* cursor doubles as the fill position while grouping */
    for (int i = 0; i < n; i++) {
        int y = labels[indices[i]];
        s->members[s->class_start[y] + s->cursor[y]++] = indices[i];
    }
    dsml_rng_seed(&s->rng, seed);
    for (int c = 0; c < n_classes; c++) {
        s->cursor[c] = 0;
        dsml_rng_shuffle_int(&s->rng, s->members + s->class_start[c], (size_t)(s->class_start[c + 1] - s->class_start[c]));
    }
    return DSML_OK;
}

int dsml_sampler_batches_per_epoch(const dsml_sampler *s)
{
    return s->n / (s->P * s->K);
}

void dsml_sampler_next(dsml_sampler *s, int *batch_indices, int *batch_labels)
{
    int K = s->K;
    for (int p = 0; p < s->P; p++) {
        /* partial Fisher-Yates: a uniformly random class among those not yet taken */
        int j = p + (int)dsml_rng_below(&s->rng, (uint64_t)(s->n_eligible - p));
        int c = s->eligible[j];
        s->eligible[j] = s->eligible[p];
        s->eligible[p] = c;

        int *group = s->members + s->class_start[c];
        int count = s->class_start[c + 1] - s->class_start[c];
        int used = s->cursor[c];
        int *rows = batch_indices + p * K;
        if (used + K <= count) {
            memcpy(rows, group + used, sizeof(int) * (size_t)K);
            s->cursor[c] = used + K;
        } else {
            /* The round ends with the `left` unused images; the next round is
             * a fresh permutation whose first K - left images are drawn from
             * the images already used, so the batch holds K distinct images
             * and every image is seen exactly once per round. */
            int left = count - used, take = K - left;
            memcpy(rows, group + used, sizeof(int) * (size_t)left);
            dsml_rng_shuffle_int(&s->rng, group, (size_t)used);
            memcpy(rows + left, group, sizeof(int) * (size_t)take);
            dsml_rng_shuffle_int(&s->rng, group + take, (size_t)(count - take));
            s->cursor[c] = take;
        }
        for (int k = 0; k < K; k++) batch_labels[p * K + k] = c;
    }
}
