/* Retrieval evaluation: blocked Euclidean and Hamming rankings of a query set
 * against a database, scored per query and averaged (see retrieval.h and
 * docs/metrics.md). */
#include "eval/retrieval.h"
#include "eval/hamming.h"
#include "eval/rank.h"
#include "core/error.h"
#include "core/names.h"
#include "core/gemm.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Per-query scores, in this order after the Recall@K values. */
enum {
    SCORE_AP = DSML_MAX_RECALL_K,
    SCORE_AP_T,
    SCORE_PRECISION_T,
    SCORE_RECALL_T,
    SCORE_F1_T,
    SCORE_AP_R,
    SCORE_R_PRECISION,
    SCORE_NO_RELEVANT, /* 1 when the query has no relevant item */
    SCORE_P_AT_K,      /* DSML_MAX_PRECISION_K values */
    SCORE_P_RADIUS = SCORE_P_AT_K + DSML_MAX_PRECISION_K,
    SCORE_R_RADIUS,
    SCORE_EMPTY_RADIUS, /* 1 when no item is within the radius */
    SCORE_CURVE_P,      /* DSML_HAMMING_CURVE values */
    SCORE_CURVE_R = SCORE_CURVE_P + DSML_HAMMING_CURVE,
    SCORE_COUNT = SCORE_CURVE_R + DSML_HAMMING_CURVE
};

#define DEFAULT_BLOCK_FLOATS (4 << 20) /* 16 MiB of distances per block */
#define MAX_DEFAULT_BLOCK 256

void dsml_retrieval_config_default(dsml_retrieval_config *cfg)
{
    static const int k[] = {1, 2, 4, 8, 16, 32};
    static const int pk[] = {100, 500, 1000};
    memset(cfg, 0, sizeof *cfg);
    cfg->n_recall_k = (int)(sizeof k / sizeof k[0]);
    for (int i = 0; i < cfg->n_recall_k; i++) cfg->recall_k[i] = k[i];
    cfg->n_precision_k = (int)(sizeof pk / sizeof pk[0]);
    for (int i = 0; i < cfg->n_precision_k; i++) cfg->precision_k[i] = pk[i];
    cfg->map_at = 0;
    cfg->f1_at = 5000;
    cfg->hamming_radius = 2;
    cfg->block = 0;
    cfg->query_db_index = NULL;
}

/* ---------------------------------------------------------------- scoring */

/* Everything a worker needs to score one query against the ranked database. */
typedef struct {
    const dsml_retrieval_config *cfg;
    dsml_labels query_labels, database_labels;
    int ndb;
} score_context;

static int is_relevant(const dsml_labels *db, int j, int query_class, const uint64_t *query_set)
{
    if (db->classes) return db->classes[j] == query_class;
    const uint64_t *s = db->sets + (size_t)j * db->words;
    for (int w = 0; w < db->words; w++)
        if (s[w] & query_set[w]) return 1;
    return 0;
}

/* What one query's ranking adds up to, whichever way it was ranked. */
typedef struct {
    int first;                   /* rank of the first relevant item */
    double ap, ap_t, ap_r;       /* precision summed at the relevant ranks: all, within T (MAP@T), within R */
    int hits_t, hits_r, hits_f1; /* relevant items within T (MAP@T), within R, within T (F1@T) */
    int t_f1, r_total;           /* T of F1@T; R, the relevant items */
} query_tally;

/* Recall@K, AP, AP@T, P/R/F1@T, AP@R and R-precision from a query's tally. */
static void tally_scores(const dsml_retrieval_config *cfg, const query_tally *t, double *s)
{
    for (int i = 0; i < cfg->n_recall_k; i++) s[i] = t->first <= cfg->recall_k[i] ? 1.0 : 0.0;
    s[SCORE_AP] = t->ap / t->r_total;
    s[SCORE_AP_T] = t->hits_t ? t->ap_t / t->hits_t : 0.0;
    double p = (double)t->hits_f1 / t->t_f1, rc = (double)t->hits_f1 / t->r_total;
    s[SCORE_PRECISION_T] = p;
    s[SCORE_RECALL_T] = rc;
    s[SCORE_F1_T] = p + rc > 0.0 ? 2.0 * p * rc / (p + rc) : 0.0;
    s[SCORE_AP_R] = t->ap_r / t->r_total;
    s[SCORE_R_PRECISION] = (double)t->hits_r / t->r_total;
}

/* Scores query q given `order`, the database indices sorted by (distance,
 * index). rel is ndb bytes of scratch; s receives SCORE_COUNT values. */
static void score_query(const score_context *ctx, int q, const int *order, unsigned char *rel, double *s)
{
    const dsml_retrieval_config *cfg = ctx->cfg;
    const dsml_labels *ql = &ctx->query_labels;
    int query_class = ql->classes ? ql->classes[q] : -1;
    const uint64_t *query_set = ql->classes ? NULL : ql->sets + (size_t)q * ql->words;
    int exclude = cfg->query_db_index ? cfg->query_db_index[q] : -1;

    /* Relevance in rank order, without the excluded item; R = relevant count. */
    int n = 0, r_total = 0;
    for (int r = 0; r < ctx->ndb; r++) {
        int j = order[r];
        if (j == exclude) continue;
        unsigned char v = (unsigned char)is_relevant(&ctx->database_labels, j, query_class, query_set);
        rel[n++] = v;
        r_total += v;
    }
    for (int i = 0; i < SCORE_COUNT; i++) s[i] = 0.0;
    if (r_total == 0) {
        s[SCORE_NO_RELEVANT] = 1.0;
        return;
    }
    int t_map = cfg->map_at <= 0 || cfg->map_at >= n ? n : cfg->map_at;
    int t_f1 = cfg->f1_at <= 0 || cfg->f1_at >= n ? n : cfg->f1_at;

    int hits = 0, first = 0, hits_t = 0, hits_r = 0, hits_f1 = 0;
    double ap = 0.0, ap_t = 0.0, ap_r = 0.0;
    for (int r = 1; r <= n; r++) {
        if (rel[r - 1]) {
            hits++;
            double precision = (double)hits / r;
            ap += precision;
            if (!first) first = r;
            if (r <= t_map) { ap_t += precision; hits_t = hits; }
            if (r <= r_total) { ap_r += precision; hits_r = hits; }
        }
        if (r == t_f1) hits_f1 = hits;
        for (int i = 0; i < cfg->n_precision_k; i++)
            if (r == (cfg->precision_k[i] < n ? cfg->precision_k[i] : n)) s[SCORE_P_AT_K + i] = (double)hits / r;
    }
    query_tally tally = {first, ap, ap_t, ap_r, hits_t, hits_r, hits_f1, t_f1, r_total};
    tally_scores(cfg, &tally, s);
}

/* Adds a block's per-query scores to the totals, in query order. */
static void accumulate(const double *scores, int m, double *totals)
{
    for (int q = 0; q < m; q++)
        for (int i = 0; i < SCORE_COUNT; i++) totals[i] += scores[(size_t)q * SCORE_COUNT + i];
}

/* Hamming curve points for B-bit codes; 0 for Euclidean ranking (bits = 0). */
static int curve_points(int bits)
{
    return bits <= 0 ? 0 : bits < DSML_HAMMING_CURVE - 1 ? bits + 1 : DSML_HAMMING_CURVE;
}

/* bits: the code length for Hamming ranking, 0 for Euclidean. */
static void finish(const double *totals, const dsml_retrieval_config *cfg, int nq, int bits,
                   dsml_retrieval_result *out)
{
    memset(out, 0, sizeof *out);
    out->queries = nq;
    out->queries_without_relevant = (int)totals[SCORE_NO_RELEVANT];
    out->n_precision_k = cfg->n_precision_k;
    for (int i = 0; i < cfg->n_precision_k; i++) out->precision_k[i] = cfg->precision_k[i];
    if (bits > 0) {
        out->hamming_radius = cfg->hamming_radius;
        out->curve_points = curve_points(bits);
        out->queries_empty_radius = (int)totals[SCORE_EMPTY_RADIUS];
    }
    int scored = nq - out->queries_without_relevant;
    if (scored <= 0) return;
    for (int i = 0; i < cfg->n_precision_k; i++) out->precision_at_k[i] = totals[SCORE_P_AT_K + i] / scored;
    if (bits > 0) {
        out->precision_radius = totals[SCORE_P_RADIUS] / scored;
        out->recall_radius = totals[SCORE_R_RADIUS] / scored;
        for (int r = 0; r < out->curve_points; r++) {
            out->curve_precision[r] = totals[SCORE_CURVE_P + r] / scored;
            out->curve_recall[r] = totals[SCORE_CURVE_R + r] / scored;
        }
    }
    for (int i = 0; i < cfg->n_recall_k; i++) out->recall[i] = totals[i] / scored;
    out->map = totals[SCORE_AP] / scored;
    out->map_at_t = totals[SCORE_AP_T] / scored;
    out->precision_at_t = totals[SCORE_PRECISION_T] / scored;
    out->recall_at_t = totals[SCORE_RECALL_T] / scored;
    out->f1_at_t = totals[SCORE_F1_T] / scored;
    out->map_at_r = totals[SCORE_AP_R] / scored;
    out->r_precision = totals[SCORE_R_PRECISION] / scored;
}

/* ------------------------------------------------------------- validation */

static int check_sizes(const char *fn, int nq, int ndb, int d, const char *d_name)
{
    if (nq < 1) return dsml_fail(DSML_ERR_ARG, "%s: %d queries, expected at least 1", fn, nq);
    if (ndb < 1) return dsml_fail(DSML_ERR_ARG, "%s: %d database items, expected at least 1", fn, ndb);
    if (d < 1) return dsml_fail(DSML_ERR_ARG, "%s: %s %d, expected at least 1", fn, d_name, d);
    return DSML_OK;
}

static int check_finite(const char *fn, const char *what, const float *x, int n, int d)
{
    if (!x) return dsml_fail(DSML_ERR_ARG, "%s: %s is NULL", fn, what);
    for (size_t i = 0; i < (size_t)n * d; i++)
        if (!isfinite(x[i]))
            return dsml_fail(DSML_ERR_NUMERIC, "%s: %s: row %zu, column %zu: %g, expected a finite number", fn,
                             what, i / (size_t)d, i % (size_t)d, (double)x[i]);
    return DSML_OK;
}

static int check_labels(const char *fn, const char *what, const dsml_labels *l, int n)
{
    if (l->classes) {
        for (int i = 0; i < n; i++)
            if (l->classes[i] < 0)
                return dsml_fail(DSML_ERR_ARG, "%s: %s: item %d: label %d, expected >= 0", fn, what, i,
                                 l->classes[i]);
        return DSML_OK;
    }
    if (!l->sets) return dsml_fail(DSML_ERR_ARG, "%s: %s: no labels (classes and sets both NULL)", fn, what);
    if (l->words < 1)
        return dsml_fail(DSML_ERR_ARG, "%s: %s: %d words per label bitset, expected at least 1", fn, what,
                         l->words);
    return DSML_OK;
}

static int check_config(const char *fn, const dsml_retrieval_config *cfg, int nq, int ndb)
{
    if (cfg->n_recall_k < 0 || cfg->n_recall_k > DSML_MAX_RECALL_K)
        return dsml_fail(DSML_ERR_ARG, "%s: %d recall cut-offs, expected 0..%d", fn, cfg->n_recall_k,
                         DSML_MAX_RECALL_K);
    for (int i = 0; i < cfg->n_recall_k; i++)
        if (cfg->recall_k[i] < 1)
            return dsml_fail(DSML_ERR_ARG, "%s: recall cut-off %d is %d, expected >= 1", fn, i, cfg->recall_k[i]);
    if (cfg->n_precision_k < 0 || cfg->n_precision_k > DSML_MAX_PRECISION_K)
        return dsml_fail(DSML_ERR_ARG, "%s: %d precision cut-offs, expected 0..%d", fn, cfg->n_precision_k,
                         DSML_MAX_PRECISION_K);
    for (int i = 0; i < cfg->n_precision_k; i++)
        if (cfg->precision_k[i] < 1)
            return dsml_fail(DSML_ERR_ARG, "%s: precision cut-off %d is %d, expected >= 1", fn, i,
                             cfg->precision_k[i]);
    if (cfg->hamming_radius < 0)
        return dsml_fail(DSML_ERR_ARG, "%s: hamming_radius %d, expected >= 0", fn, cfg->hamming_radius);
    if (cfg->map_at < 0) return dsml_fail(DSML_ERR_ARG, "%s: map_at %d, expected >= 0", fn, cfg->map_at);
    if (cfg->f1_at < 0) return dsml_fail(DSML_ERR_ARG, "%s: f1_at %d, expected >= 0", fn, cfg->f1_at);
    if (cfg->block < 0) return dsml_fail(DSML_ERR_ARG, "%s: block %d, expected >= 0", fn, cfg->block);
    if (cfg->query_db_index)
        for (int q = 0; q < nq; q++)
            if (cfg->query_db_index[q] < -1 || cfg->query_db_index[q] >= ndb)
                return dsml_fail(DSML_ERR_ARG, "%s: query %d: database index to exclude %d, expected -1..%d", fn,
                                 q, cfg->query_db_index[q], ndb - 1);
    return DSML_OK;
}

/* Checks labels of both sides and that they are of the same kind. */
static int check_label_pair(const char *fn, const dsml_labels *ql, int nq, const dsml_labels *dl, int ndb)
{
    int rc = check_labels(fn, "query labels", ql, nq);
    if (!rc) rc = check_labels(fn, "database labels", dl, ndb);
    if (rc) return rc;
    if (!ql->classes != !dl->classes)
        return dsml_fail(DSML_ERR_ARG, "%s: query labels are %s but database labels are %s", fn,
                         ql->classes ? "single-label" : "bitsets", dl->classes ? "single-label" : "bitsets");
    if (!ql->classes && ql->words != dl->words)
        return dsml_fail(DSML_ERR_ARG, "%s: query label bitsets have %d words, database ones %d", fn, ql->words,
                         dl->words);
    return DSML_OK;
}

static int check_common(const char *fn, const dsml_labels *ql, int nq, const dsml_labels *dl, int ndb,
                        const dsml_retrieval_config *cfg, dsml_retrieval_result *out)
{
    if (!out) return dsml_fail(DSML_ERR_ARG, "%s: result pointer is NULL", fn);
    int rc = check_label_pair(fn, ql, nq, dl, ndb);
    if (!rc) rc = check_config(fn, cfg, nq, ndb);
    return rc;
}

static int default_block(const dsml_retrieval_config *cfg, int nq, int ndb)
{
    long block = cfg->block > 0 ? cfg->block : DEFAULT_BLOCK_FLOATS / ndb;
    if (cfg->block <= 0 && block > MAX_DEFAULT_BLOCK) block = MAX_DEFAULT_BLOCK;
    if (block < 1) block = 1;
    if (block > nq) block = nq;
    return (int)block;
}

/* ------------------------------------------------------------ workspaces */

/* Scratch of every worker thread (t-th slice of each array) plus the block's scores. */
typedef struct {
    int threads, ndb;
    uint32_t *keys, *keys_tmp;
    int *order, *order_tmp;
    unsigned char *rel;
    double *scores;  /* block x SCORE_COUNT */
} workspace;

static void workspace_free(workspace *w)
{
    free(w->keys);
    free(w->keys_tmp);
    free(w->order);
    free(w->order_tmp);
    free(w->rel);
    free(w->scores);
    memset(w, 0, sizeof *w);
}

/* Allocates per-thread scratch of the Euclidean ranking (keys, order and
 * relevance per item, and the radix sort's second buffers). */
static int workspace_init(workspace *w, const char *fn, int ndb, int block)
{
    memset(w, 0, sizeof *w);
    w->threads = dsml_get_threads();
    w->ndb = ndb;
    size_t per = (size_t)w->threads * ndb;
    w->keys = malloc(per * sizeof *w->keys);
    w->order = malloc(per * sizeof *w->order);
    w->rel = malloc(per);
    w->scores = malloc((size_t)block * SCORE_COUNT * sizeof *w->scores);
    w->keys_tmp = malloc(per * sizeof *w->keys_tmp);
    w->order_tmp = malloc(per * sizeof *w->order_tmp);
    int ok = w->keys && w->order && w->rel && w->scores && w->keys_tmp && w->order_tmp;
    if (!ok) {
        workspace_free(w);
        return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory for the ranking scratch (%d threads x %d items)", fn,
                         dsml_get_threads(), ndb);
    }
    return DSML_OK;
}

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* -------------------------------------------------------------- Euclidean */

/* Squared norms of n rows in double, rounded to float; fails if one overflows. */
static int squared_norms(const char *fn, const char *what, const float *x, int n, int d, float *norms)
{
    for (int i = 0; i < n; i++) {
        const float *row = x + (size_t)i * d;
        double s = 0.0;
        for (int j = 0; j < d; j++) s += (double)row[j] * row[j];
        if (s > FLT_MAX / 4)
            return dsml_fail(DSML_ERR_NUMERIC, "%s: %s: row %d: squared norm %g overflows single precision", fn,
                             what, i, s);
        norms[i] = (float)s;
    }
    return DSML_OK;
}

static int eval_euclidean(const char *fn, const float *queries, dsml_labels ql, int nq, const float *database,
                          dsml_labels dl, int ndb, int d, const dsml_retrieval_config *cfg,
                          dsml_retrieval_result *out)
{
    dsml_retrieval_config defaults;
    if (!cfg) {
        dsml_retrieval_config_default(&defaults);
        cfg = &defaults;
    }
    int rc = check_sizes(fn, nq, ndb, d, "embedding size");
    if (!rc) rc = check_common(fn, &ql, nq, &dl, ndb, cfg, out);
    if (!rc) rc = check_finite(fn, "queries", queries, nq, d);
    if (!rc) rc = check_finite(fn, "database", database, ndb, d);
    if (rc) return rc;

    int block = default_block(cfg, nq, ndb);
    workspace w;
    rc = workspace_init(&w, fn, ndb, block);
    if (rc) return rc;
    float *db_norms = malloc((size_t)ndb * sizeof *db_norms);
    float *q_norms = malloc((size_t)nq * sizeof *q_norms);
    float *dist = malloc((size_t)block * ndb * sizeof *dist);
    if (!db_norms || !q_norms || !dist) {
        rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory for a %d x %d distance block", fn, block, ndb);
        goto done;
    }
    rc = squared_norms(fn, "database", database, ndb, d, db_norms);
    if (!rc) rc = squared_norms(fn, "queries", queries, nq, d, q_norms);
    if (rc) goto done;

    score_context ctx = {cfg, ql, dl, ndb};
    double totals[SCORE_COUNT] = {0};
    for (int q0 = 0; q0 < nq; q0 += block) {
        int m = nq - q0 < block ? nq - q0 : block;
        /* dist[m x ndb] = -2 Q[q0:q0+m] X^T: Q block stored m x d, X stored ndb x d (transposed). */
        dsml_gemm(DSML_NO_TRANS, DSML_TRANS, m, ndb, d, -2.0f, queries + (size_t)q0 * d, d, database, d, 0.0f,
                  dist, ndb);
#pragma omp parallel for num_threads(w.threads) schedule(dynamic, 1)
        for (int i = 0; i < m; i++) {
            int t = thread_id();
            uint32_t *keys = w.keys + (size_t)t * ndb, *keys_tmp = w.keys_tmp + (size_t)t * ndb;
            int *order = w.order + (size_t)t * ndb, *order_tmp = w.order_tmp + (size_t)t * ndb;
            const float *row = dist + (size_t)i * ndb;
            float qn = q_norms[q0 + i];
            for (int j = 0; j < ndb; j++) {
                keys[j] = dsml_rank_float_key(qn + db_norms[j] + row[j]);
                order[j] = j;
            }
            dsml_rank_radix_sort(keys, order, ndb, keys_tmp, order_tmp);
            score_query(&ctx, q0 + i, order, w.rel + (size_t)t * ndb, w.scores + (size_t)i * SCORE_COUNT);
        }
        accumulate(w.scores, m, totals);
    }
    finish(totals, cfg, nq, 0, out);

done:
    free(db_norms);
    free(q_norms);
    free(dist);
    workspace_free(&w);
    return rc;
}

/* ---------------------------------------------------------------- Hamming */

static int check_codes(const char *fn, const char *what, const uint64_t *codes, int n, int bits)
{
    if (!codes) return dsml_fail(DSML_ERR_ARG, "%s: %s is NULL", fn, what);
    int words = dsml_hamming_words(bits);
    if (bits % 64 == 0) return DSML_OK;
    uint64_t padding = ~0ULL << (bits % 64);
    for (int i = 0; i < n; i++)
        if (codes[(size_t)i * words + words - 1] & padding)
            return dsml_fail(DSML_ERR_ARG, "%s: %s: code %d has bits set above bit %d, expected zero padding", fn,
                             what, i, bits - 1);
    return DSML_OK;
}

/* The database is cut into this many contiguous chunks that pass 1 walks
 * side by side: their counters are independent, so one chunk's increments
 * do not wait for another's. */
#define HAMMING_CHUNKS 4
_Static_assert(HAMMING_CHUNKS == 4, "score_hamming_query writes the four chunks out by hand");

/* Per-thread scratch of the Hamming scorer: for each relevant item one
 * entry packing its distance (bits 48..63), the number of items of its chunk
 * at that distance before it (bits 24..47) and how many of those are relevant
 * (bits 0..23); chunk c's entries start at its first database index. Plus the
 * counters. */
typedef struct {
    uint64_t *list;
    int *counts; /* hamming_count_size(bits) */
} hamming_scratch;
#define HAMMING_MAX_ITEMS (1 << 24) /* items per chunk that fit the entry's 24-bit counts */

/* Counters per thread for B-bit codes: for each chunk a histogram over
 * 2 * distance + relevant, with one extra distance B + 1 for the excluded
 * item, and the chunk's rank offsets for all and for relevant items. */
static int hamming_count_size(int bits) { return HAMMING_CHUNKS * 4 * (bits + 2); }

/* Pass 1 for one item of a chunk at distance d (B + 1: excluded), rel 0 or 1:
 * counts it and, when relevant, keeps it as the chunk's list entry m
 * (branch-free: the entry is always written, the count advances by rel).
 * Returns the chunk's next entry. */
static inline int hamming_count_item(unsigned d, unsigned rel, int *hist, const hamming_scratch *hs, int m)
{
    uint64_t irrelevant = (uint64_t)hist[2 * d], relevant = (uint64_t)hist[2 * d + 1];
    hist[2 * d + rel]++;
    hs->list[m] = (uint64_t)d << 48 | (irrelevant + relevant) << 24 | relevant;
    return m + (int)rel;
}

/* Distance of database item i to a one-word query code; B + 1 for the excluded item. */
static inline unsigned hamming_one_word(uint64_t code, const uint64_t *dcodes, int i, int exclude, unsigned bins)
{
    unsigned d = (unsigned)__builtin_popcountll(code ^ dcodes[i]);
    return i == exclude ? bins : d;
}

/* Scores query q against the whole database without sorting it: the ranking
 * is a stable counting sort by distance, but only the ranks of the relevant
 * items are needed, and those follow from counts. Pass 1 computes every
 * item's distance and relevance and a histogram per chunk, and lists the
 * relevant items with their place among the items of their chunk at the same
 * distance (the database order is the tie order). The prefix sums of the
 * histograms give, for each distance b and chunk c, how many items (and how
 * many relevant ones) rank before the first item of chunk c at distance b;
 * pass 2 adds those offsets to each listed item to get its 1-based rank and
 * the number of relevant items ranked up to it, which is all that AP, MAP@T,
 * MAP@R, precision and recall need. The within-radius metrics and the curve
 * need only the histogram. s receives SCORE_COUNT values. */
static void score_hamming_query(const score_context *ctx, int q, const uint64_t *qc, const uint64_t *dcodes,
                                int bits, const hamming_scratch *hs, double *s)
{
    const dsml_retrieval_config *cfg = ctx->cfg;
    const dsml_labels *ql = &ctx->query_labels, *dl = &ctx->database_labels;
    int ndb = ctx->ndb, bins = bits + 1, words = dsml_hamming_words(bits);
    int query_class = ql->classes ? ql->classes[q] : -1;
    const uint64_t *query_set = ql->classes ? NULL : ql->sets + (size_t)q * ql->words;
    int exclude = cfg->query_db_index ? cfg->query_db_index[q] : -1;
    int *hist[HAMMING_CHUNKS], *off[HAMMING_CHUNKS], *off_rel[HAMMING_CHUNKS];
    int len = (ndb + HAMMING_CHUNKS - 1) / HAMMING_CHUNKS, begin[HAMMING_CHUNKS], end[HAMMING_CHUNKS];
    int m[HAMMING_CHUNKS], common = len;
    for (int c = 0; c < HAMMING_CHUNKS; c++) {
        hist[c] = hs->counts + (size_t)c * 4 * (bins + 1);
        off[c] = hist[c] + 2 * (bins + 1);
        off_rel[c] = off[c] + (bins + 1);
        begin[c] = c * len < ndb ? c * len : ndb;
        end[c] = begin[c] + len < ndb ? begin[c] + len : ndb;
        m[c] = begin[c];
        if (end[c] - begin[c] < common) common = end[c] - begin[c];
    }
    memset(hs->counts, 0, (size_t)hamming_count_size(bits) * sizeof *hs->counts);

    /* Pass 1. The excluded item goes to the extra distance B + 1. */
    if (words == 1 && dl->classes) {
        uint64_t code = qc[0];
        const int *classes = dl->classes;
        /* The four chunks written out, so their counters live in registers. */
        int m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3];
        int *h0 = hist[0], *h1 = hist[1], *h2 = hist[2], *h3 = hist[3];
        int i0 = begin[0], i1 = begin[1], i2 = begin[2], i3 = begin[3];
        for (int j = 0; j < common; j++, i0++, i1++, i2++, i3++) {
            m0 = hamming_count_item(hamming_one_word(code, dcodes, i0, exclude, (unsigned)bins),
                                    classes[i0] == query_class, h0, hs, m0);
            m1 = hamming_count_item(hamming_one_word(code, dcodes, i1, exclude, (unsigned)bins),
                                    classes[i1] == query_class, h1, hs, m1);
            m2 = hamming_count_item(hamming_one_word(code, dcodes, i2, exclude, (unsigned)bins),
                                    classes[i2] == query_class, h2, hs, m2);
            m3 = hamming_count_item(hamming_one_word(code, dcodes, i3, exclude, (unsigned)bins),
                                    classes[i3] == query_class, h3, hs, m3);
        }
        m[0] = m0, m[1] = m1, m[2] = m2, m[3] = m3;
        for (int c = 0; c < HAMMING_CHUNKS; c++)
            for (int i = begin[c] + common; i < end[c]; i++)
                m[c] = hamming_count_item(hamming_one_word(code, dcodes, i, exclude, (unsigned)bins),
                                          classes[i] == query_class, hist[c], hs, m[c]);
    } else {
        for (int c = 0; c < HAMMING_CHUNKS; c++)
            for (int i = begin[c]; i < end[c]; i++) {
                unsigned d = i == exclude ? (unsigned)bins
                                          : (unsigned)dsml_hamming_distance(qc, dcodes + (size_t)i * words, words);
                m[c] = hamming_count_item(d, (unsigned)is_relevant(dl, i, query_class, query_set), hist[c], hs, m[c]);
            }
    }

    /* Offsets: items (and relevant items) ranked before chunk c's first item
     * at distance b. off[0][b] is where distance b starts in the ranking. */
    int n = 0, r_total = 0;
    for (int b = 0; b < bins; b++)
        for (int c = 0; c < HAMMING_CHUNKS; c++) {
            off[c][b] = n;
            off_rel[c][b] = r_total;
            n += hist[c][2 * b] + hist[c][2 * b + 1];
            r_total += hist[c][2 * b + 1];
        }
    for (int i = 0; i < SCORE_COUNT; i++) s[i] = 0.0;
    if (r_total == 0) {
        s[SCORE_NO_RELEVANT] = 1.0;
        return;
    }

    /* Items within radius r are the ranking's prefix that ends where
     * distance r + 1 starts. */
    int points = curve_points(bits);
    for (int r = 0; r < points; r++) {
        int ball = r + 1 < bins ? off[0][r + 1] : n, ball_rel = r + 1 < bins ? off_rel[0][r + 1] : r_total;
        s[SCORE_CURVE_P + r] = ball ? (double)ball_rel / ball : 0.0;
        s[SCORE_CURVE_R + r] = (double)ball_rel / r_total;
    }
    int radius = cfg->hamming_radius < bits ? cfg->hamming_radius : bits;
    int ball = radius + 1 < bins ? off[0][radius + 1] : n;
    int ball_rel = radius + 1 < bins ? off_rel[0][radius + 1] : r_total;
    s[SCORE_P_RADIUS] = ball ? (double)ball_rel / ball : 0.0;
    s[SCORE_R_RADIUS] = (double)ball_rel / r_total;
    s[SCORE_EMPTY_RADIUS] = ball ? 0.0 : 1.0;

    /* Pass 2, over the relevant items only. */
    int t_map = cfg->map_at <= 0 || cfg->map_at >= n ? n : cfg->map_at;
    int t_f1 = cfg->f1_at <= 0 || cfg->f1_at >= n ? n : cfg->f1_at;
    int t_k[DSML_MAX_PRECISION_K], hits_k[DSML_MAX_PRECISION_K], nk = cfg->n_precision_k;
    for (int i = 0; i < nk; i++) {
        t_k[i] = cfg->precision_k[i] < n ? cfg->precision_k[i] : n;
        hits_k[i] = 0;
    }
    int first = n + 1, hits_t = 0, hits_r = 0, hits_f1 = 0;
    double ap = 0.0, ap_t = 0.0, ap_r = 0.0;
    for (int c = 0; c < HAMMING_CHUNKS; c++)
        for (int e = begin[c]; e < m[c]; e++) {
            uint64_t entry = hs->list[e];
            int b = (int)(entry >> 48);
            if (b >= bins) continue; /* the excluded item */
            int rank = off[c][b] + (int)(entry >> 24 & 0xFFFFFF) + 1;
            int hits = off_rel[c][b] + (int)(entry & 0xFFFFFF) + 1;
            double precision = (double)hits / rank;
            ap += precision;
            if (rank < first) first = rank;
            if (rank <= t_map) { ap_t += precision; hits_t++; }
            if (rank <= r_total) { ap_r += precision; hits_r++; }
            if (rank <= t_f1) hits_f1++;
            for (int k = 0; k < nk; k++) hits_k[k] += rank <= t_k[k];
        }
    for (int i = 0; i < nk; i++) s[SCORE_P_AT_K + i] = (double)hits_k[i] / t_k[i];
    query_tally tally = {first, ap, ap_t, ap_r, hits_t, hits_r, hits_f1, t_f1, r_total};
    tally_scores(cfg, &tally, s);
}

static int eval_hamming_codes(const char *fn, const uint64_t *qcodes, dsml_labels ql, int nq, const uint64_t *dcodes,
                              dsml_labels dl, int ndb, int bits, const dsml_retrieval_config *cfg,
                              dsml_retrieval_result *out)
{
    int words = dsml_hamming_words(bits);
    int block = default_block(cfg, nq, ndb);
    int threads = dsml_get_threads(), count_size = hamming_count_size(bits);
    uint64_t *list = malloc((size_t)threads * ndb * sizeof *list);
    int *counts = malloc((size_t)threads * count_size * sizeof *counts);
    double *scores = malloc((size_t)block * SCORE_COUNT * sizeof *scores);
    int rc = DSML_OK;
    if (!list || !counts || !scores) {
        rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory for the ranking scratch (%d threads x %d items)", fn,
                       threads, ndb);
        goto done;
    }
    score_context ctx = {cfg, ql, dl, ndb};
    double totals[SCORE_COUNT] = {0};
    for (int q0 = 0; q0 < nq; q0 += block) {
        int m = nq - q0 < block ? nq - q0 : block;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (int i = 0; i < m; i++) {
            int t = thread_id();
            hamming_scratch hs = {list + (size_t)t * ndb, counts + (size_t)t * count_size};
            score_hamming_query(&ctx, q0 + i, qcodes + (size_t)(q0 + i) * words, dcodes, bits, &hs,
                                scores + (size_t)i * SCORE_COUNT);
        }
        accumulate(scores, m, totals);
    }
    finish(totals, cfg, nq, bits, out);
done:
    free(list);
    free(counts);
    free(scores);
    return rc;
}

/* The checks both Hamming entry points make on sizes, labels and config;
 * *cfg NULL becomes the defaults, kept in *defaults. */
static int check_hamming(const char *fn, const char *bits_name, const dsml_labels *ql, int nq, const dsml_labels *dl,
                         int ndb, int bits, const dsml_retrieval_config **cfg, dsml_retrieval_config *defaults,
                         dsml_retrieval_result *out)
{
    if (!*cfg) {
        dsml_retrieval_config_default(defaults);
        *cfg = defaults;
    }
    int rc = check_sizes(fn, nq, ndb, bits, bits_name);
    if (!rc && bits > DSML_HAMMING_MAX_BITS)
        rc = dsml_fail(DSML_ERR_ARG, "%s: %d code bits, expected at most %d", fn, bits, DSML_HAMMING_MAX_BITS);
    if (!rc && ndb / HAMMING_CHUNKS >= HAMMING_MAX_ITEMS)
        rc = dsml_fail(DSML_ERR_ARG, "%s: %d database items, expected fewer than %d", fn, ndb,
                       HAMMING_CHUNKS * HAMMING_MAX_ITEMS);
    if (!rc) rc = check_common(fn, ql, nq, dl, ndb, *cfg, out);
    return rc;
}

int dsml_eval_hamming_codes(const uint64_t *query_codes, dsml_labels query_labels, int nq,
                            const uint64_t *database_codes, dsml_labels database_labels, int ndb, int bits,
                            const dsml_retrieval_config *cfg, dsml_retrieval_result *out)
{
    const char *fn = "dsml_eval_hamming_codes";
    dsml_retrieval_config defaults;
    int rc = check_hamming(fn, "code bits", &query_labels, nq, &database_labels, ndb, bits, &cfg, &defaults, out);
    if (!rc) rc = check_codes(fn, "query codes", query_codes, nq, bits);
    if (!rc) rc = check_codes(fn, "database codes", database_codes, ndb, bits);
    if (rc) return rc;
    return eval_hamming_codes(fn, query_codes, query_labels, nq, database_codes, database_labels, ndb, bits, cfg,
                              out);
}

static int eval_hamming(const char *fn, const float *queries, dsml_labels ql, int nq, const float *database,
                        dsml_labels dl, int ndb, int d, const dsml_retrieval_config *cfg, dsml_retrieval_result *out)
{
    dsml_retrieval_config defaults;
    int rc = check_hamming(fn, "embedding size", &ql, nq, &dl, ndb, d, &cfg, &defaults, out);
    if (!rc) rc = check_finite(fn, "queries", queries, nq, d);
    if (!rc) rc = check_finite(fn, "database", database, ndb, d);
    if (rc) return rc;
    int words = dsml_hamming_words(d);
    uint64_t *qcodes = malloc((size_t)nq * words * sizeof *qcodes);
    uint64_t *dcodes = malloc((size_t)ndb * words * sizeof *dcodes);
    if (!qcodes || !dcodes) {
        rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory for %d + %d codes of %d bits", fn, nq, ndb, d);
    } else {
        dsml_hamming_pack(queries, nq, d, qcodes);
        dsml_hamming_pack(database, ndb, d, dcodes);
        rc = eval_hamming_codes(fn, qcodes, ql, nq, dcodes, dl, ndb, d, cfg, out);
    }
    free(qcodes);
    free(dcodes);
    return rc;
}

static const char *const ranking_names[] = {[DSML_RANK_EUCLIDEAN] = "euclidean", [DSML_RANK_HAMMING] = "hamming"};

const char *dsml_ranking_name(dsml_ranking ranking)
{
    return dsml_names_get(ranking_names, DSML_NAMES_COUNT(ranking_names), (int)ranking);
}

int dsml_eval_ranking(dsml_ranking ranking, const float *queries, dsml_labels query_labels, int nq,
                      const float *database, dsml_labels database_labels, int ndb, int d,
                      const dsml_retrieval_config *cfg, dsml_retrieval_result *out)
{
    switch (ranking) {
    case DSML_RANK_EUCLIDEAN:
        return eval_euclidean("euclidean ranking", queries, query_labels, nq, database, database_labels, ndb, d, cfg,
                              out);
    case DSML_RANK_HAMMING:
        return eval_hamming("hamming ranking", queries, query_labels, nq, database, database_labels, ndb, d, cfg, out);
    }
    return dsml_fail(DSML_ERR_ARG, "evaluation: ranking %d, expected euclidean or hamming", (int)ranking);
}
