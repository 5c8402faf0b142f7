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
 * radix sort on the float bits. Hamming distances are popcounts (at most B+1
 * values), ranked by counting: a histogram of the distances gives where each
 * distance's items start, and one pass in database order gives every item its
 * rank (a counting sort that keeps only the ranks of relevant items, so no
 * ranking is ever materialised). Queries run in parallel (dsml_get_threads() threads) and the
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
#define DSML_MAX_PRECISION_K 8
#define DSML_HAMMING_CURVE 65  /* points of the Hamming precision-recall curve: radii 0..64 */
#define DSML_HAMMING_MAX_BITS 16384

typedef struct {
    int recall_k[DSML_MAX_RECALL_K]; int n_recall_k;  /* default 1,2,4,8,16,32 */
    int precision_k[DSML_MAX_PRECISION_K]; int n_precision_k; /* precision@K; default 100,500,1000 */
    int map_at;        /* T of MAP@T; 0 or >= ndb means the whole database */
    int f1_at;         /* T of precision/recall/F1@T (paper: 5000); 0 or >= ndb means the whole database */
    int hamming_radius; /* Hamming ranking: precision/recall of the items within this distance (default 2) */
    int block;         /* queries per block (0 = default: about 16 MiB of distances) */
    const int *query_db_index; /* NULL, or for each query its index in the database to exclude (-1: none) */
} dsml_retrieval_config;

/* recall_k = {1,2,4,8,16,32}, precision_k = {100,500,1000}, map_at = 0
 * (whole database), f1_at = 5000, hamming_radius = 2, block = 0,
 * query_db_index = NULL. */
void dsml_retrieval_config_default(dsml_retrieval_config *cfg);

typedef struct {
    double recall[DSML_MAX_RECALL_K]; /* recall[i] is Recall@recall_k[i]; unused entries 0 */
    double map, map_at_t, precision_at_t, recall_at_t, f1_at_t, map_at_r, r_precision;
    int precision_k[DSML_MAX_PRECISION_K]; int n_precision_k; /* the cut-offs, copied from the config */
    double precision_at_k[DSML_MAX_PRECISION_K];              /* precision of the top min(K, n) */
    /* Hamming ranking only (all zero for Euclidean ranking): */
    int hamming_radius;           /* the radius r of the next three, copied from the config */
    double precision_radius;      /* relevant / retrieved among the items at distance <= r (0 if none) */
    double recall_radius;         /* relevant items at distance <= r / all relevant items */
    int queries_empty_radius;     /* scored queries with no item at distance <= r */
    int curve_points;             /* min(B, 64) + 1; 0 for Euclidean ranking */
    double curve_precision[DSML_HAMMING_CURVE]; /* [r]: precision within radius r, r = 0..curve_points-1 */
    double curve_recall[DSML_HAMMING_CURVE];    /* [r]: recall within radius r */
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

typedef enum { DSML_RANK_EUCLIDEAN, DSML_RANK_HAMMING } dsml_ranking;

/* "euclidean", "hamming"; "unknown" for anything else. */
const char *dsml_ranking_name(dsml_ranking ranking);

/* Ranks the database for every query by `ranking` (Euclidean distance, or
 * Hamming distance of sign() codes: bit set when h >= 0) and scores the
 * rankings. Labels of either kind (queries and database alike). cfg NULL
 * means the defaults. */
int dsml_eval_ranking(dsml_ranking ranking, const float *queries, dsml_labels query_labels, int nq,
                      const float *database, dsml_labels database_labels, int ndb, int d,
                      const dsml_retrieval_config *cfg, dsml_retrieval_result *out);

/* Hamming ranking of codes already packed as in eval/hamming.h: nq x W and
 * ndb x W words, W = dsml_hamming_words(bits); bits above `bits` in the last
 * word must be zero. bits <= DSML_HAMMING_MAX_BITS, ndb < 2^26. Memory: per
 * thread 8 bytes per database item plus O(B) counters. */
int dsml_eval_hamming_codes(const uint64_t *query_codes, dsml_labels query_labels, int nq,
                            const uint64_t *database_codes, dsml_labels database_labels, int ndb, int bits,
                            const dsml_retrieval_config *cfg, dsml_retrieval_result *out);

#endif
