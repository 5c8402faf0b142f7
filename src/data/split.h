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

typedef struct {
    int *train, *query, *database, *validation;   /* owned; validation NULL when empty */
    int n_train, n_query, n_database, n_validation;
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

/* Releases the lists and zeroes s; safe on a zeroed s. */
void dsml_split_free(dsml_split *s);

#endif
