/* The inputs of `dsml eval`: embeddings and labels from any framework, read
 * from .npy files, members of .npz archives, or a dsml run's embeddings.bin,
 * and checked once before any ranking (docs/eval.md).
 *
 * A file spec is "PATH" (an .npy, or an .npz whose member is the caller's
 * default name) or "PATH.npz:NAME" (member NAME or NAME.npy of the archive).
 * Embeddings: a 2-D float array, N x d ('<f4', or '<f8' narrowed to float32
 * as it is read), every value finite. Labels: one integer class >= 0 per row
 * (a 1-D array, or an N x 1 column), or a 0/1 matrix N x L of label sets
 * (multi-label: relevant when a label is shared), stored as bitsets of
 * ceil(L / 64) words per row.
 *
 * Legend: N rows, d embedding size, L label columns.
 * Memory: every array is owned by its struct and released by the _free
 * function; on failure nothing is left allocated and the message names the
 * file, the row or member, and what was expected against what was found. */
#ifndef DSML_EVAL_EVAL_INPUTS_H
#define DSML_EVAL_EVAL_INPUTS_H

#include <stdint.h>

#include "eval/retrieval.h"

#define DSML_EVAL_MAX_LABELS 65536 /* label columns of a multi-label matrix */

/* One side of the evaluation (queries or database). */
typedef struct {
    int n, d;
    float *x;            /* n x d */
    int *classes;        /* n class ids, or NULL for label sets */
    uint64_t *sets;      /* n x words bitsets when classes is NULL */
    int words, width;    /* words per row and L, the label columns (multi-label) */
    char source[1100];   /* the spec the embeddings were read from, for messages */
    char label_source[1100];
} dsml_eval_side;

/* Everything an evaluation needs. Without a database the queries rank each
 * other: database aliases query (nothing more is read or copied) and each
 * query is left out of its own ranking. */
typedef struct {
    dsml_eval_side query, database;
    int has_database;       /* 0: the queries are the database */
    int *query_db_index;    /* nq: a query's own row in the database (-1: none), or NULL */
} dsml_eval_inputs;

/* Reads a float embedding matrix (N x d, finite) into side->x, side->n, side->d. */
int dsml_eval_read_embeddings(const char *spec, const char *default_member, dsml_eval_side *side);

/* Reads labels for the side->n rows already read: class ids or a 0/1 matrix. */
int dsml_eval_read_labels(const char *spec, const char *default_member, dsml_eval_side *side);

/* Reads a dsml run's embeddings.bin: queries, database and their labels, and
 * query_db_index from the dataset indices (a query is left out of its own
 * ranking when its image is in the database, exactly as the trainer did). */
int dsml_eval_read_run_embeddings(const char *path, dsml_eval_inputs *in);

/* After the sides are read: checks that query and database agree (d, kind of
 * labels, label width) and, without a database, points the database at the
 * queries and sets each query's own row as left out. */
int dsml_eval_inputs_finish(dsml_eval_inputs *in);

/* The dsml_labels of a side, for the evaluator. */
dsml_labels dsml_eval_side_labels(const dsml_eval_side *side);

void dsml_eval_inputs_free(dsml_eval_inputs *in);

#endif
