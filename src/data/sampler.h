/* P x K batch sampler: each batch holds P distinct classes, drawn at random
 * among the classes with at least K images, and K distinct images of each,
 * class-grouped (rows p*K .. p*K+K-1 are class p; N-pair's K = 2 gives anchor
 * then positive on adjacent rows).
 *
 * Images are taken by walking a shuffled list per class in rounds: every
 * image of a class is seen once per round, so counts within a class differ by
 * at most one. When fewer than K images are left in a round, the batch takes
 * them plus K - left images of the next round, drawn from those already used
 * (so the K images stay distinct). An epoch is floor(n / (P*K)) batches. Seeded and deterministic; all
 * memory is allocated by init, none by next. */
#ifndef DSML_DATA_SAMPLER_H
#define DSML_DATA_SAMPLER_H

#include <stdint.h>

#include "core/rng.h"

typedef struct {
    int n, n_classes, P, K;
    int *class_start;    /* n_classes + 1 offsets into members */
    int *members;        /* the n indices grouped by class, each group in its walk order */
    int *cursor;         /* per class: next position in its group */
    int *eligible;       /* classes with >= K images (a permutation, partly reshuffled per batch) */
    int n_eligible;
    const int32_t *labels; /* borrowed */
    dsml_rng rng;
} dsml_sampler;

/* Indexes the n images `indices` (borrowed; labels[indices[i]] in
 * [0, n_classes)). Fails (DSML_ERR_ARG) when P < 1, K < 1, or fewer than P
 * classes have K images. Release with dsml_sampler_free. */
int dsml_sampler_init(dsml_sampler *s, const int32_t *labels, const int *indices, int n, int n_classes, int P, int K,
                      uint64_t seed);
int dsml_sampler_batches_per_epoch(const dsml_sampler *s);
/* Writes P*K image indices and their labels, class-grouped. Allocates nothing. */
void dsml_sampler_next(dsml_sampler *s, int *batch_indices, int *batch_labels);
void dsml_sampler_free(dsml_sampler *s);

#endif
