/* Exact retrieval evaluation of embeddings: every query ranks the whole
 * database, by Euclidean distance or by Hamming distance after sign()
 * quantisation, and the ranking is scored with Recall@K, MAP, MAP@T,
 * precision/recall/F1@T, MAP@R and R-precision (definitions, ties and edge
 * cases: docs/metrics.md).
 *
 * Dimensions: nq queries, ndb database items, d embedding size (or B code
 * bits). Matrices are row-major float (nq x d, ndb x d).
 *
 * Ranking: ascending distance, ties broken by database index (the lower index
 * ranks first). Euclidean distances are squared distances
 * |q|^2 + |x|^2 - 2 q.x computed block by block through dsml_gemm (memory
 * O(block x ndb), never the full nq x ndb matrix), each row ranked by a stable
 * radix sort on the float bits. Hamming distances are popcounts, ranked by a
 * counting sort. Queries run in parallel (dsml_get_threads() threads) and the
 * per-query scores are summed in query order, so the results do not depend on
 * the thread count.
 *
 * Relevance: an item is relevant to a query when it has the same class
 * (single-label) or shares at least one label (multi-label bitsets). Queries
 * with no relevant item in the database are counted in
 * queries_without_relevant and left out of every average.
 *
 * Memory: every function borrows its inputs, allocates its own scratch and
 * frees it before returning; `out` is caller-owned. Functions return DSML_OK or
 * an error code (bad sizes, NaN/inf, negative labels, bad config, no memory)
 * with a message in dsml_last_error(). */
#ifndef DSML_EVAL_RETRIEVAL_H
#define DSML_EVAL_RETRIEVAL_H

#include <stdint.h>

#define DSML_MAX_RECALL_K 16

typedef struct {
    int recall_k[DSML_MAX_RECALL_K]; int n_recall_k;  /* default 1,2,4,8,16,32 */
    int map_at;        /* T of MAP@T; 0 or >= ndb means the whole database */
    int f1_at;         /* T of precision/recall/F1@T (paper: 5000); 0 or >= ndb means the whole database */
    int block;         /* queries per block (0 = default: about 16 MiB of distances) */
    const int *query_db_index; /* NULL, or for each query its index in the database to exclude (-1: none) */
} dsml_retrieval_config;

/* recall_k = {1,2,4,8,16,32}, map_at = 0 (whole database), f1_at = 5000,
 * block = 0, query_db_index = NULL. */
void dsml_retrieval_config_default(dsml_retrieval_config *cfg);

typedef struct {
    double recall[DSML_MAX_RECALL_K]; /* recall[i] is Recall@recall_k[i]; unused entries 0 */
    double map, map_at_t, precision_at_t, recall_at_t, f1_at_t, map_at_r, r_precision;
    int queries;                  /* nq: queries evaluated */
    int queries_without_relevant; /* of those, queries with no relevant item (not in the averages) */
} dsml_retrieval_result;

/* Labels of a set of items: either one class id (>= 0) per item, or a bitset
 * of `words` uint64 words per item (bit c set: the item has label c). Queries
 * and database must use the same kind (and the same words). */
typedef struct {
    const int *classes;    /* n class ids, or NULL for bitsets */
    const uint64_t *sets;  /* n x words bitsets, used when classes is NULL */
    int words;
} dsml_labels;

static inline dsml_labels dsml_labels_single(const int *classes)
{
    dsml_labels l = {classes, 0, 0};
    return l;
}

static inline dsml_labels dsml_labels_multi(const uint64_t *sets, int words)
{
    dsml_labels l = {0, sets, words};
    return l;
}

/* Euclidean ranking, single-label. cfg NULL means the defaults. */
int dsml_eval_euclidean(const float *queries, const int *query_labels, int nq,
                        const float *database, const int *database_labels, int ndb, int d,
                        const dsml_retrieval_config *cfg, dsml_retrieval_result *out);

/* Hamming ranking of sign() codes (bit set when h >= 0), single-label. */
int dsml_eval_hamming(const float *queries, const int *query_labels, int nq,
                      const float *database, const int *database_labels, int ndb, int d,
                      const dsml_retrieval_config *cfg, dsml_retrieval_result *out);

/* Euclidean ranking with either kind of labels. */
int dsml_eval_euclidean_labels(const float *queries, dsml_labels query_labels, int nq,
                               const float *database, dsml_labels database_labels, int ndb, int d,
                               const dsml_retrieval_config *cfg, dsml_retrieval_result *out);

/* Hamming ranking of sign() codes with either kind of labels. */
int dsml_eval_hamming_labels(const float *queries, dsml_labels query_labels, int nq,
                             const float *database, dsml_labels database_labels, int ndb, int d,
                             const dsml_retrieval_config *cfg, dsml_retrieval_result *out);

/* Hamming ranking of codes already packed as in eval/hamming.h: nq x W and
 * ndb x W words, W = dsml_hamming_words(bits); bits above `bits` in the last
 * word must be zero. */
int dsml_eval_hamming_codes(const uint64_t *query_codes, dsml_labels query_labels, int nq,
                            const uint64_t *database_codes, dsml_labels database_labels, int ndb, int bits,
                            const dsml_retrieval_config *cfg, dsml_retrieval_result *out);

#endif
