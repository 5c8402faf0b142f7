/* One evaluation of embeddings from any source (`dsml eval`): the chosen
 * rankings, each scored as the trainer scores its runs (eval/retrieval.h),
 * and k-means clustering of the queries (eval/cluster.h). docs/eval.md.
 *
 * Rankings:
 *   euclidean  squared Euclidean distance (the evaluator's)
 *   hamming    Hamming distance of sign() codes (the evaluator's)
 *   cosine     rows L2-normalised (metric/l2norm.h, as the trainer does for
 *              unit-sphere losses), then Euclidean order: on unit rows
 *              |q - x|^2 = 2 - 2 cos(q, x)
 *   snr        the SNR distance d_S(q, x) = var(x - q) / var(q). For a fixed
 *              query var(q) is a constant, so the order is that of
 *              var(x - q) = |c(x) - c(q)|^2 / d, c() the row minus its mean:
 *              rows centred (dsml_eval_center_rows), then Euclidean order.
 * Ties always go to the lower database index. */
#ifndef DSML_EVAL_EVAL_RUN_H
#define DSML_EVAL_EVAL_RUN_H

#include <stdint.h>

#include "eval/eval_inputs.h"
#include "eval/retrieval.h"

/* The random stream run/train.c derives its k-means seed from (its
 * STREAM_KMEANS), so that `dsml eval --run` repeats the trainer's clustering. */
#define DSML_EVAL_KMEANS_STREAM 5
#define DSML_EVAL_KMEANS_ITERATIONS 100 /* the trainer's max_iter */

typedef enum {
    DSML_EVAL_EUCLIDEAN = 1,
    DSML_EVAL_HAMMING = 2,
    DSML_EVAL_SNR = 4,
    DSML_EVAL_COSINE = 8,
} dsml_eval_ranking_set;

/* Parses "euclidean,snr" into a set of rankings; DSML_ERR_ARG naming the
 * unknown word otherwise. */
int dsml_eval_rankings_parse(const char *list, unsigned *rankings);

typedef struct {
    unsigned rankings;  /* dsml_eval_ranking_set bits */
    int map_at;         /* T of MAP@T (0: the whole database) */
    int f1_at;          /* T of precision/recall/F1@T (>= 1) */
    int clustering;     /* 1: k-means on the queries, NMI and pairwise F1 (single-label only) */
    int clusters;       /* K; 0: the number of distinct query labels */
    uint64_t seed;      /* the run's seed; k-means draws from its DSML_EVAL_KMEANS_STREAM stream */
} dsml_eval_options;

typedef struct {
    dsml_retrieval_result euclidean, hamming, snr, cosine; /* those in rankings */
    unsigned rankings;
    int n_database;       /* rows each query ranked (with itself, when left out) */
    int have_clustering, clusters;
    double nmi, pairwise_f1;
} dsml_eval_report;

/* Scores the rankings and the clustering of `in` (finished with
 * dsml_eval_inputs_finish). To keep one copy of the inputs, the last ranking
 * that transforms the rows (cosine, snr) does so in place: afterwards
 * in->query.x and in->database.x may hold centred or normalised rows; a
 * second transforming ranking works on a copy. */
int dsml_eval_run(dsml_eval_inputs *in, const dsml_eval_options *opt, dsml_eval_report *out);

/* Subtracts each row's mean from the row (x: n x d, in place); the mean is
 * summed in double. */
void dsml_eval_center_rows(float *x, long n, int d);

#endif
