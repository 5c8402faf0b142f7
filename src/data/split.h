/* Seeded, deterministic splits of a labelled pool into index lists.
 *
 * DML protocol (the paper's, on CIFAR-10; also used for Fashion-MNIST): per
 * class Q images are queries and the rest is the database; per class T images
 * of the database are the training set. With V > 0, V of those T per class are
 * held out as validation queries, the training set keeps the other T - V, and
 * the validation queries are searched against the training set, so
 * hyper-parameters can be tuned without ever touching the queries.
 * Hashing protocol: per class Q queries; the rest is both the training set and
 * the database.
 * Paper split (cub200, cars196: the official train/test files): the training
 * images train; the test images are both the queries and the database, each
 * query's own image left out of its ranking. Zero-shot split (the lifted
 * structure protocol): images of the first n_train_classes classes (98 of
 * Cars196, 100 of CUB-200) train; the rest are queries and database as above.
 * Neither is random.
 * Multi-label split (nus-wide): for each label in order, Q images carrying
 * it are drawn (shuffled by the seeded rng) among those not drawn yet; an
 * image with several labels is drawn at most once, by the first of its labels
 * (in label order) to draw it, so there are exactly Q x n_labels distinct
 * queries (2,100 for NUS-WIDE's 21 concepts). The rest is both the training
 * set and the database.
 *
 * A subset of the classes (`--classes`, data/class_subset.h) is cut from the
 * dataset before any split, so each split sees the subset as the whole dataset.
 *
 * How: for each class in order, its images (ascending index) are shuffled by
 * one dsml_rng seeded with `seed` and cut in that order (queries, then
 * validation, then training, then the rest of the database). Every list is then
 * sorted ascending, so it depends only on which images it holds.
 *
 * The split hash is the SHA-256 of: "dsml-split-1\n", then for each list in the
 * order query, database, train, validation: a u32 LE count followed by its
 * indices as u32 LE. */
#ifndef DSML_DATA_SPLIT_H
#define DSML_DATA_SPLIT_H

#include <stdint.h>

#include "data/dataset.h"

typedef struct {
    int *train, *query, *database, *validation;   /* owned; validation NULL when empty */
    int n_train, n_query, n_database, n_validation;
    int query_is_database;   /* 1: query and database hold the same images (paper, zero-shot):
                                evaluation must leave each query's own image out */
    char kind[16];           /* "dml", "hashing", "paper", "zero-shot", "multi-label" */
    char hash[65];
} dsml_split;

/* DML protocol. queries_per_class >= 1, train_per_class >= 1,
 * 0 <= validation_per_class < train_per_class. Labels must be in
 * [0, n_classes); a class with fewer than Q + T images is an error naming it. */
int dsml_split_dml(dsml_split *s, const int32_t *labels, int n, int n_classes, int queries_per_class,
                   int train_per_class, int validation_per_class, uint64_t seed);

/* Hashing protocol: train and database hold the same indices (two arrays). */
int dsml_split_hashing(dsml_split *s, const int32_t *labels, int n, int n_classes, int queries_per_class,
                       uint64_t seed);

/* Paper split: is_train[i] is 1 for an official training image, 0 for a
 * test image. Both sets must be non-empty. */
int dsml_split_official(dsml_split *s, const uint8_t *is_train, int n);

/* Zero-shot split: classes 0..n_train_classes-1 train, the rest test
 * (1 <= n_train_classes < n_classes; labels in [0, n_classes)). */
int dsml_split_zero_shot(dsml_split *s, const int32_t *labels, int n, int n_classes, int n_train_classes);

/* Multi-label split: label_bits[i] bit k set when image i has label k
 * (k < n_labels <= 64). A label with fewer than Q images not drawn yet is an
 * error naming it; so is an image with no label. */
int dsml_split_multilabel(dsml_split *s, const uint64_t *label_bits, int n, int n_labels, int queries_per_label,
                          uint64_t seed);

/* For each query, its position in the database, or -1 when the query is not
 * in it: what the evaluation needs to leave a query's own image out of its
 * ranking (dsml_retrieval_config.query_db_index). out: n_query entries. */
void dsml_split_query_db_index(const dsml_split *s, int *out);

/* Which split a run uses (`dsml train --split`). */
typedef enum {
    DSML_SPLIT_DEFAULT = 0,  /* by dataset: paper when it has an official train/test split
                                (cub200, cars196), multi-label when it has label bits
                                (nus-wide), else dml */
    DSML_SPLIT_DML,          /* dsml_split_dml */
    DSML_SPLIT_HASHING,      /* dsml_split_hashing (on a multi-label dataset: dsml_split_multilabel) */
    DSML_SPLIT_PAPER,        /* dsml_split_official */
    DSML_SPLIT_ZERO_SHOT,    /* dsml_split_zero_shot, the first half of the classes train */
} dsml_split_kind;

/* "default", "dml", "hashing", "paper", "zero-shot" (DSML_ERR_ARG otherwise). */
int dsml_split_kind_parse(const char *name, dsml_split_kind *out);
const char *dsml_split_kind_name(dsml_split_kind kind);

typedef struct {
    dsml_split_kind kind;
    int queries_per_class;     /* dml, hashing (per label on a multi-label dataset) */
    int train_per_class;       /* dml */
    int validation_per_class;  /* dml */
    uint64_t seed;             /* dml, hashing */
} dsml_split_request;

/* Makes the split `req` asks for on ds; *used (may be NULL) gets the kind
 * actually made (DEFAULT resolved). paper needs ds's official split (two
 * splits named "test" and "train"); zero-shot trains on the first
 * n_classes / 2 classes (98 of Cars196's 196, 100 of CUB-200's 200). */
int dsml_split_make(dsml_split *s, const dsml_dataset *ds, const dsml_split_request *req, dsml_split_kind *used);

/* Releases the lists and zeroes s; safe on a zeroed s. */
void dsml_split_free(dsml_split *s);

#endif
