/* Tests of exact retrieval (src/eval/retrieval.c): every metric on
 * hand-computed cases (ties, self-exclusion, queries without relevant items,
 * multi-label), an independent naive evaluation (full distance matrix + qsort)
 * on random data, blocked vs unblocked and 1 vs 2 threads, and the error
 * paths. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/gemm.h"
#include "core/rng.h"
#include "eval/hamming.h"
#include "eval/retrieval.h"
#include "support/suite_run.h"

#define TOL 1e-6

static dsml_ranking ranking_of(int hamming) { return hamming ? DSML_RANK_HAMMING : DSML_RANK_EUCLIDEAN; }

/* Single-label ranking, the form most cases below take. */
static int eval_single(dsml_ranking ranking, const float *q, const int *ql, int nq, const float *db, const int *dl,
                       int ndb, int d, const dsml_retrieval_config *cfg, dsml_retrieval_result *out)
{
    return dsml_eval_ranking(ranking, q, dsml_labels_single(ql), nq, db, dsml_labels_single(dl), ndb, d, cfg, out);
}

/* --------------------------------------------------- hand-computed metrics */

/* 1-D database, two queries. Squared distances and rankings:
 *
 *   database x      =  1  -1   2   3  -3   4      labels 1 0 0 1 0 1
 *   query 0 (x=0, label 0): d = 1 1 4 9 9 16
 *       ties 0/1 and 3/4 keep index order -> ranking 0 1 2 3 4 5, relevant 0 1 1 0 1 0, R = 3
 *       (breaking the tie the other way would make Recall@1 = 1)
 *       relevant at ranks 2, 3, 5: P = 1/2, 2/3, 3/5
 *       AP    = (1/2 + 2/3 + 3/5) / 3          = 0.5888889
 *       AP@3  = (1/2 + 2/3) / 2                = 0.5833333
 *       P@4 = 2/4, R@4 = 2/3, F1@4 = 2 (1/2)(2/3) / (1/2 + 2/3) = 0.5714286
 *       MAP@R = (1/2 + 2/3) / 3                = 0.3888889, R-precision = 2/3
 *   query 1 (x=10, label 1): d = 81 121 64 49 169 36
 *       ranking 5 3 2 0 1 4, relevant 1 1 0 1 0 0, R = 3, ranks 1, 2, 4: P = 1, 1, 3/4
 *       AP = (1 + 1 + 3/4) / 3 = 0.9166667, AP@3 = (1 + 1) / 2 = 1
 *       P@4 = 3/4, R@4 = 1, F1@4 = 1.5 / 1.75 = 0.8571429
 *       MAP@R = (1 + 1) / 3 = 0.6666667, R-precision = 2/3
 *   averages: R@1 = (0+1)/2, R@2 = 1, MAP = 0.7527778, MAP@3 = 0.7916667, P@4 = 0.625,
 *   R@4 = 0.8333333, F1@4 = 0.7142857, MAP@R = 0.5277778, R-precision = 0.6666667 */
static const float hand_db[] = {1, -1, 2, 3, -3, 4};
static const int hand_db_labels[] = {1, 0, 0, 1, 0, 1};
static const float hand_q[] = {0, 10};
static const int hand_q_labels[] = {0, 1};

static void hand_config(dsml_retrieval_config *cfg)
{
    dsml_retrieval_config_default(cfg);
    cfg->n_recall_k = 3;
    cfg->recall_k[0] = 1;
    cfg->recall_k[1] = 2;
    cfg->recall_k[2] = 100; /* beyond the database: the whole ranking */
    cfg->map_at = 3;
    cfg->f1_at = 4;
}

/* The first nq hand queries ranked by Euclidean distance. */
static int eval_hand(const dsml_retrieval_config *cfg, int nq, dsml_retrieval_result *r)
{
    return eval_single(DSML_RANK_EUCLIDEAN, hand_q, hand_q_labels, nq, hand_db, hand_db_labels, 6, 1, cfg, r);
}

START_TEST(test_euclidean_hand_case)
{
    dsml_retrieval_config cfg;
    hand_config(&cfg);
    dsml_retrieval_result r;
    ck_assert_int_eq(eval_hand(&cfg, 2, &r), DSML_OK);
    ck_assert_int_eq(r.queries, 2);
    ck_assert_int_eq(r.queries_without_relevant, 0);
    ck_assert_double_eq_tol(r.recall[0], 0.5, TOL);
    ck_assert_double_eq_tol(r.recall[1], 1.0, TOL);
    ck_assert_double_eq_tol(r.recall[2], 1.0, TOL);
    ck_assert_double_eq_tol(r.recall[3], 0.0, TOL); /* unused slot */
    ck_assert_double_eq_tol(r.map, (0.5888889 + 0.9166667) / 2, TOL);
    ck_assert_double_eq_tol(r.map_at_t, (0.5833333 + 1.0) / 2, TOL);
    ck_assert_double_eq_tol(r.precision_at_t, 0.625, TOL);
    ck_assert_double_eq_tol(r.recall_at_t, (2.0 / 3 + 1.0) / 2, TOL);
    ck_assert_double_eq_tol(r.f1_at_t, (0.5714286 + 0.8571429) / 2, TOL);
    ck_assert_double_eq_tol(r.map_at_r, (0.3888889 + 0.6666667) / 2, TOL);
    ck_assert_double_eq_tol(r.r_precision, 2.0 / 3, TOL);

    /* map_at = 0 and >= ndb both mean the full ranking: MAP@T = MAP. f1_at = 0: P = R/n, R@T = 1. */
    cfg.map_at = 0;
    cfg.f1_at = 0;
    ck_assert_int_eq(eval_hand(&cfg, 2, &r), DSML_OK);
    ck_assert_double_eq_tol(r.map_at_t, r.map, 1e-12);
    ck_assert_double_eq_tol(r.precision_at_t, 0.5, TOL); /* 3 relevant of 6, both queries */
    ck_assert_double_eq_tol(r.recall_at_t, 1.0, TOL);
    ck_assert_double_eq_tol(r.f1_at_t, 2 * 0.5 / 1.5, TOL);
    cfg.map_at = 6;
    dsml_retrieval_result r6;
    ck_assert_int_eq(eval_hand(&cfg, 2, &r6), DSML_OK);
    ck_assert_double_eq_tol(r6.map_at_t, r.map, 1e-12);

    /* AP@T is 0 when nothing relevant is in the top T: query 0 with T = 1 (rank 1 is item 0, label 1). */
    cfg.map_at = 1;
    ck_assert_int_eq(eval_hand(&cfg, 1, &r), DSML_OK);
    ck_assert_double_eq_tol(r.map_at_t, 0.0, TOL);
}
END_TEST

/* Hamming hand case, d = 4 bits; bit j set when h[j] >= 0 (0 counts as set).
 *   query  h = ( 1, 0, 2, 5)             code 1111, label 2
 *   item 0 h = (-1, 1, 1, 1)  code 0111, d 1, label 2
 *   item 1 h = ( 0, 0, 0, 0)  code 1111, d 0, label 5
 *   item 2 h = ( 1, 1, 1,-1)  code 1110, d 1, label 2
 *   item 3 h = (-1,-1,-1,-1)  code 0000, d 4, label 2
 *   item 4 h = ( 1,-2, 1, 1)  code 1011, d 1, label 5
 * ranking 1 | 0 2 4 (tie at 1, index order) | 3; relevant 0 1 1 0 1, R = 3, ranks 2, 3, 5
 *   Recall@1 = 0, Recall@2 = 1, AP = (1/2 + 2/3 + 3/5)/3 = 0.5888889, MAP@R = (1/2 + 2/3)/3 = 0.3888889,
 *   R-precision = 2/3, P@2 = 1/2, R@2 = 1/3, F1@2 = 2 (1/2)(1/3) / (5/6) = 0.4
 *   precision@K for K = 1, 2, 4, 9: 0, 1/2, 2/4, 3/5 (K > n: the whole ranking)
 *   within radius 2: items 1 0 2 4, 2 relevant: precision 2/4, recall 2/3; curve over radius 0..4:
 *   precision 0, 1/2, 1/2, 1/2, 3/5 and recall 0, 2/3, 2/3, 2/3, 1.
 * A second query, code 0101 (label 2: relevant 0, 2, 3 at distances 3, 1, 2) has no item at
 * distance 0: within radius 0 its precision and recall are 0 and it counts as empty. */
START_TEST(test_hamming_hand_case)
{
    const float q[] = {1, 0, 2, 5};
    const int ql[] = {2};
    const float db[] = {-1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, -1, -1, -1, -1, -1, 1, -2, 1, 1};
    const int dbl[] = {2, 5, 2, 2, 5};
    dsml_retrieval_config cfg;
    dsml_retrieval_config_default(&cfg);
    cfg.f1_at = 2;
    cfg.n_precision_k = 4;
    const int pk[] = {1, 2, 4, 9};
    memcpy(cfg.precision_k, pk, sizeof pk);
    dsml_retrieval_result r;
    ck_assert_int_eq(eval_single(DSML_RANK_HAMMING, q, ql, 1, db, dbl, 5, 4, &cfg, &r), DSML_OK);
    const double p_at_k[] = {0, 0.5, 0.5, 0.6}, curve_p[] = {0, 0.5, 0.5, 0.5, 0.6};
    const double curve_r[] = {0, 2.0 / 3, 2.0 / 3, 2.0 / 3, 1};
    ck_assert_int_eq(r.n_precision_k, 4);
    for (int k = 0; k < 4; k++) {
        ck_assert_int_eq(r.precision_k[k], pk[k]);
        ck_assert_double_eq_tol(r.precision_at_k[k], p_at_k[k], TOL);
    }
    ck_assert_int_eq(r.hamming_radius, 2);
    ck_assert_double_eq_tol(r.precision_radius, 0.5, TOL);
    ck_assert_double_eq_tol(r.recall_radius, 2.0 / 3, TOL);
    ck_assert_int_eq(r.queries_empty_radius, 0);
    ck_assert_int_eq(r.curve_points, 5);
    for (int k = 0; k < 5; k++) {
        ck_assert_double_eq_tol(r.curve_precision[k], curve_p[k], TOL);
        ck_assert_double_eq_tol(r.curve_recall[k], curve_r[k], TOL);
    }
    ck_assert_double_eq_tol(r.recall[0], 0.0, TOL);
    ck_assert_double_eq_tol(r.recall[1], 1.0, TOL);
    ck_assert_double_eq_tol(r.map, 0.5888889, TOL);
    ck_assert_double_eq_tol(r.map_at_t, 0.5888889, TOL);
    ck_assert_double_eq_tol(r.map_at_r, 0.3888889, TOL);
    ck_assert_double_eq_tol(r.r_precision, 2.0 / 3, TOL);
    ck_assert_double_eq_tol(r.precision_at_t, 0.5, TOL);
    ck_assert_double_eq_tol(r.recall_at_t, 1.0 / 3, TOL);
    ck_assert_double_eq_tol(r.f1_at_t, 0.4, TOL);

    /* The same through already-packed codes. */
    const uint64_t qc[] = {0xF};
    const uint64_t dc[] = {0xE, 0xF, 0x7, 0x0, 0xD}; /* bit j = dimension j */
    dsml_retrieval_result rc;
    ck_assert_int_eq(dsml_eval_hamming_codes(qc, dsml_labels_single(ql), 1, dc, dsml_labels_single(dbl), 5, 4, &cfg,
                                             &rc), DSML_OK);
    ck_assert_double_eq_tol(rc.map, r.map, 1e-12);
    ck_assert_double_eq_tol(rc.recall[0], r.recall[0], 1e-12);
    ck_assert_double_eq_tol(rc.f1_at_t, r.f1_at_t, 1e-12);

    /* Code 0101 against the same database, radius 0: an empty ball. */
    const uint64_t qc2[] = {0x5};
    cfg.hamming_radius = 0;
    ck_assert_int_eq(dsml_eval_hamming_codes(qc2, dsml_labels_single(ql), 1, dc, dsml_labels_single(dbl), 5, 4,
                                             &cfg, &rc), DSML_OK);
    ck_assert_int_eq(rc.queries_empty_radius, 1);
    ck_assert_double_eq_tol(rc.precision_radius, 0.0, TOL);
    ck_assert_double_eq_tol(rc.recall_radius, 0.0, TOL);
    ck_assert_double_eq_tol(rc.curve_precision[1], 0.5, TOL); /* radius 1: items 2 (relevant) and 4 */
    ck_assert_double_eq_tol(rc.curve_recall[1], 1.0 / 3, TOL);
    /* Euclidean ranking leaves the Hamming-only fields at zero. */
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 1, db, dbl, 5, 4, &cfg, &rc), DSML_OK);
    ck_assert_int_eq(rc.curve_points, 0);
    ck_assert_int_eq(rc.hamming_radius, 0);
    cfg.hamming_radius = 2;

    /* Padding bits above `bits` must be zero. */
    const uint64_t bad[] = {0x1F};
    ck_assert_int_eq(dsml_eval_hamming_codes(bad, dsml_labels_single(ql), 1, dc, dsml_labels_single(dbl), 5, 4, &cfg,
                                             &rc), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "query codes: code 0"));
}
END_TEST

/* Self-retrieval (Cars/CUB protocol): the database is the query set and each
 * query's own row is excluded.
 *   x = 0 1 2 10 20, labels 0 1 0 1 7
 *   q0 (x0, L0): others 1 (d1, L1), 2 (d4, L0), 3, 4   -> first relevant rank 2, R = 1, AP 1/2
 *   q1 (x1, L1): 0 (d1, L0), 2 (d1, L0; tie, index order), 3 (d81, L1) -> rank 3, AP 1/3
 *   q2 (x2, L0): 1 (d1, L1), 0 (d4, L0)                 -> rank 2, AP 1/2
 *   q3 (x10, L1): 2 (d64, L0), 1 (d81, L1)              -> rank 2, AP 1/2
 *   q4 (x20, L7): no other item of class 7              -> without relevant, left out
 *   Recall@1 = 0, Recall@2 = 3/4, Recall@4 = 1, MAP = (1/2 + 1/3 + 1/2 + 1/2) / 4 = 0.4583333
 *   MAP@R = R-precision = 0 (R = 1 and no query has a relevant item at rank 1).
 * Without exclusion every query finds itself first: Recall@1 = 1 over all 5 queries. */
START_TEST(test_exclude_self_and_queries_without_relevant)
{
    const float x[] = {0, 1, 2, 10, 20};
    const int l[] = {0, 1, 0, 1, 7};
    const int self[] = {0, 1, 2, 3, 4};
    dsml_retrieval_config cfg;
    dsml_retrieval_config_default(&cfg);
    cfg.n_recall_k = 3;
    cfg.recall_k[0] = 1;
    cfg.recall_k[1] = 2;
    cfg.recall_k[2] = 4;
    cfg.query_db_index = self;
    dsml_retrieval_result r;
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, x, l, 5, x, l, 5, 1, &cfg, &r), DSML_OK);
    ck_assert_int_eq(r.queries, 5);
    ck_assert_int_eq(r.queries_without_relevant, 1);
    ck_assert_double_eq_tol(r.recall[0], 0.0, TOL);
    ck_assert_double_eq_tol(r.recall[1], 0.75, TOL);
    ck_assert_double_eq_tol(r.recall[2], 1.0, TOL);
    ck_assert_double_eq_tol(r.map, (0.5 + 1.0 / 3 + 0.5 + 0.5) / 4, TOL);
    ck_assert_double_eq_tol(r.map_at_r, 0.0, TOL);
    ck_assert_double_eq_tol(r.r_precision, 0.0, TOL);

    /* -1 entries exclude nothing: only query 1 excluded here, others find themselves. */
    const int partial[] = {-1, 1, -1, -1, -1};
    cfg.query_db_index = partial;
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, x, l, 5, x, l, 5, 1, &cfg, &r), DSML_OK);
    ck_assert_int_eq(r.queries_without_relevant, 0);
    ck_assert_double_eq_tol(r.recall[0], 4.0 / 5, TOL);

    cfg.query_db_index = NULL;
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, x, l, 5, x, l, 5, 1, &cfg, &r), DSML_OK);
    ck_assert_int_eq(r.queries_without_relevant, 0);
    ck_assert_double_eq_tol(r.recall[0], 1.0, TOL);

    /* No query has a relevant item: every average is 0 and all are counted. */
    const int other[] = {9, 9};
    ck_assert_int_eq(eval_single(DSML_RANK_HAMMING, x, other, 2, x, l, 5, 1, &cfg, &r), DSML_OK);
    ck_assert_int_eq(r.queries, 2);
    ck_assert_int_eq(r.queries_without_relevant, 2);
    ck_assert_double_eq_tol(r.map, 0.0, TOL);
    ck_assert_double_eq_tol(r.recall[0], 0.0, TOL);
}
END_TEST

/* Multi-label: relevant when the bitsets share a bit.
 *   query 1-D x=0, labels {0, 3}; database x = 1 2 3 4, labels {1} {3} {0,5} {}
 *   ranking 0 1 2 3, relevant 0 1 1 0, R = 2: AP = (1/2 + 2/3) / 2 = 0.5833333, MAP@R = (1/2)/2 = 0.25
 *   query 2 labels {} -> without relevant */
START_TEST(test_multilabel_hand_case)
{
    const float q[] = {0, 0};
    const uint64_t qs[] = {(1u << 0) | (1u << 3), 0};
    const float db[] = {1, 2, 3, 4};
    const uint64_t ds[] = {1u << 1, 1u << 3, (1u << 0) | (1u << 5), 0};
    dsml_retrieval_result r;
    ck_assert_int_eq(dsml_eval_ranking(DSML_RANK_EUCLIDEAN, q, dsml_labels_multi(qs, 1), 2, db,
                                       dsml_labels_multi(ds, 1), 4, 1, NULL, &r),
                     DSML_OK);
    ck_assert_int_eq(r.queries_without_relevant, 1);
    ck_assert_double_eq_tol(r.map, 0.5833333, TOL);
    ck_assert_double_eq_tol(r.map_at_r, 0.25, TOL);
    ck_assert_double_eq_tol(r.recall[0], 0.0, TOL);
    ck_assert_double_eq_tol(r.recall[1], 1.0, TOL);

    /* Two-word bitsets: label 70 lives in the second word. */
    const uint64_t qs2[] = {0, 1u << 6};
    const uint64_t ds2[] = {1, 0, 0, 1u << 6, 0, 0, 0, 1u << 6};
    ck_assert_int_eq(dsml_eval_ranking(DSML_RANK_EUCLIDEAN, q, dsml_labels_multi(qs2, 2), 1, db,
                                       dsml_labels_multi(ds2, 2), 4, 1, NULL, &r),
                     DSML_OK);
    /* relevant 0 1 0 1, R = 2: AP = (1/2 + 2/4) / 2 = 0.5 */
    ck_assert_double_eq_tol(r.map, 0.5, TOL);

    /* Kinds must match. */
    const int single[] = {0, 0, 0, 0};
    ck_assert_int_eq(dsml_eval_ranking(DSML_RANK_EUCLIDEAN, q, dsml_labels_multi(qs, 1), 1, db,
                                       dsml_labels_single(single), 4, 1, NULL, &r),
                     DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "bitsets"));
}
END_TEST

/* -------------------------------------------------- naive reference on random data */

typedef struct {
    double d;
    int idx;
} naive_item;

static int compare_naive(const void *a, const void *b)
{
    const naive_item *x = a, *y = b;
    if (x->d != y->d) return x->d < y->d ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Metrics straight from their definitions: full distance matrix in double,
 * qsort on (distance, index), P(t) recounted from scratch for every t. */
static void naive_eval(const float *q, const int *ql, const uint64_t *qs, int nq, const float *db, const int *dl,
                       const uint64_t *ds, int ndb, int d, int hamming, const dsml_retrieval_config *cfg,
                       dsml_retrieval_result *out)
{
    naive_item *items = malloc((size_t)ndb * sizeof *items);
    int *rel = malloc((size_t)ndb * sizeof *rel);
    double *dist = malloc((size_t)nq * ndb * sizeof *dist);
    for (int i = 0; i < nq; i++)
        for (int j = 0; j < ndb; j++) {
            double s = 0.0;
            for (int c = 0; c < d; c++) {
                double a = q[i * d + c], b = db[j * d + c];
                if (hamming) s += (a >= 0) != (b >= 0);
                else s += (a - b) * (a - b);
            }
            dist[(size_t)i * ndb + j] = s;
        }
    double sum[DSML_MAX_RECALL_K + 8] = {0}, sum_pk[DSML_MAX_PRECISION_K] = {0};
    double sum_pr = 0, sum_rr = 0, sum_cp[DSML_HAMMING_CURVE] = {0}, sum_cr[DSML_HAMMING_CURVE] = {0};
    int skipped = 0, empty = 0, points = hamming ? (d + 1 < DSML_HAMMING_CURVE ? d + 1 : DSML_HAMMING_CURVE) : 0;
    for (int i = 0; i < nq; i++) {
        int n = 0;
        for (int j = 0; j < ndb; j++) {
            if (cfg->query_db_index && cfg->query_db_index[i] == j) continue;
            items[n].d = dist[(size_t)i * ndb + j];
            items[n].idx = j;
            n++;
        }
        qsort(items, (size_t)n, sizeof *items, compare_naive);
        int big_r = 0;
        for (int t = 0; t < n; t++) {
            int j = items[t].idx;
            rel[t] = qs ? (qs[i] & ds[j]) != 0 : ql[i] == dl[j];
            big_r += rel[t];
        }
        if (big_r == 0) { skipped++; continue; }
        int tm = cfg->map_at == 0 || cfg->map_at > n ? n : cfg->map_at;
        int tf = cfg->f1_at == 0 || cfg->f1_at > n ? n : cfg->f1_at;
        for (int k = 0; k < cfg->n_recall_k; k++) {
            int any = 0;
            for (int t = 0; t < n && t < cfg->recall_k[k]; t++) any |= rel[t];
            sum[k] += any;
        }
        double ap = 0, apt = 0, apr = 0;
        int relt = 0;
        for (int t = 1; t <= n; t++) {
            if (!rel[t - 1]) continue;
            int c = 0;
            for (int u = 0; u < t; u++) c += rel[u];
            double p = (double)c / t;
            ap += p;
            if (t <= tm) { apt += p; relt++; }
            if (t <= big_r) apr += p;
        }
        for (int k = 0; k < cfg->n_precision_k; k++) {
            int tk = cfg->precision_k[k] < n ? cfg->precision_k[k] : n, h = 0;
            for (int t = 0; t < tk; t++) h += rel[t];
            sum_pk[k] += (double)h / tk;
        }
        /* Within radius r: every ranked item whose distance is <= r, counted one by one. */
        for (int r = 0; hamming && r < (points > cfg->hamming_radius + 1 ? points : cfg->hamming_radius + 1); r++) {
            int ball = 0, hit = 0;
            for (int t = 0; t < n; t++)
                if (items[t].d <= r) { ball++; hit += rel[t]; }
            double pr = ball ? (double)hit / ball : 0.0, rr = (double)hit / big_r;
            if (r < points) { sum_cp[r] += pr; sum_cr[r] += rr; }
            if (r == cfg->hamming_radius) { sum_pr += pr; sum_rr += rr; empty += ball == 0; }
        }
        int hf = 0, hr = 0;
        for (int t = 0; t < tf; t++) hf += rel[t];
        for (int t = 0; t < big_r; t++) hr += rel[t];
        double p = (double)hf / tf, rc = (double)hf / big_r;
        sum[16] += ap / big_r;
        sum[17] += relt ? apt / relt : 0;
        sum[18] += p;
        sum[19] += rc;
        sum[20] += p + rc > 0 ? 2 * p * rc / (p + rc) : 0;
        sum[21] += apr / big_r;
        sum[22] += (double)hr / big_r;
    }
    int m = nq - skipped;
    memset(out, 0, sizeof *out);
    out->queries = nq;
    out->queries_without_relevant = skipped;
    for (int k = 0; k < cfg->n_recall_k; k++) out->recall[k] = sum[k] / m;
    out->map = sum[16] / m;
    out->map_at_t = sum[17] / m;
    out->precision_at_t = sum[18] / m;
    out->recall_at_t = sum[19] / m;
    out->f1_at_t = sum[20] / m;
    out->map_at_r = sum[21] / m;
    out->r_precision = sum[22] / m;
    out->n_precision_k = cfg->n_precision_k;
    for (int k = 0; k < cfg->n_precision_k; k++) {
        out->precision_k[k] = cfg->precision_k[k];
        out->precision_at_k[k] = sum_pk[k] / m;
    }
    if (hamming) {
        out->hamming_radius = cfg->hamming_radius;
        out->precision_radius = sum_pr / m;
        out->recall_radius = sum_rr / m;
        out->queries_empty_radius = empty;
        out->curve_points = points;
        for (int r = 0; r < points; r++) {
            out->curve_precision[r] = sum_cp[r] / m;
            out->curve_recall[r] = sum_cr[r] / m;
        }
    }
    free(items);
    free(rel);
    free(dist);
}

static void assert_results_close(const dsml_retrieval_result *a, const dsml_retrieval_result *b, int nk, double tol)
{
    ck_assert_int_eq(a->queries, b->queries);
    ck_assert_int_eq(a->queries_without_relevant, b->queries_without_relevant);
    for (int k = 0; k < nk; k++) ck_assert_double_eq_tol(a->recall[k], b->recall[k], tol);
    ck_assert_double_eq_tol(a->map, b->map, tol);
    ck_assert_double_eq_tol(a->map_at_t, b->map_at_t, tol);
    ck_assert_double_eq_tol(a->precision_at_t, b->precision_at_t, tol);
    ck_assert_double_eq_tol(a->recall_at_t, b->recall_at_t, tol);
    ck_assert_double_eq_tol(a->f1_at_t, b->f1_at_t, tol);
    ck_assert_double_eq_tol(a->map_at_r, b->map_at_r, tol);
    ck_assert_double_eq_tol(a->r_precision, b->r_precision, tol);
    ck_assert_int_eq(a->n_precision_k, b->n_precision_k);
    for (int k = 0; k < a->n_precision_k; k++) {
        ck_assert_int_eq(a->precision_k[k], b->precision_k[k]);
        ck_assert_double_eq_tol(a->precision_at_k[k], b->precision_at_k[k], tol);
    }
    ck_assert_int_eq(a->hamming_radius, b->hamming_radius);
    ck_assert_double_eq_tol(a->precision_radius, b->precision_radius, tol);
    ck_assert_double_eq_tol(a->recall_radius, b->recall_radius, tol);
    ck_assert_int_eq(a->queries_empty_radius, b->queries_empty_radius);
    ck_assert_int_eq(a->curve_points, b->curve_points);
    for (int r = 0; r < a->curve_points; r++) {
        ck_assert_double_eq_tol(a->curve_precision[r], b->curve_precision[r], tol);
        ck_assert_double_eq_tol(a->curve_recall[r], b->curve_recall[r], tol);
    }
}

/* One-word label sets for nq queries then ndb items: each of `labels` labels
 * present with probability 1/one_in. */
static void random_label_sets(dsml_rng *rng, uint64_t *qs, int nq, uint64_t *ds, int ndb, int labels, int one_in)
{
    for (int i = 0; i < nq + ndb; i++) {
        uint64_t s = 0;
        for (int b = 0; b < labels; b++)
            if (dsml_rng_below(rng, (uint64_t)one_in) == 0) s |= 1ULL << b;
        if (i < nq) qs[i] = s;
        else ds[i - nq] = s;
    }
}

/* integer: coordinates in -3..3 (exact distances, many ties); else Gaussian. */
static void random_data(dsml_rng *rng, float *x, int n, int d, int *labels, int classes, int integer)
{
    for (int i = 0; i < n * d; i++)
        x[i] = integer ? (float)((int)dsml_rng_below(rng, 7) - 3) : (float)dsml_rng_normal(rng);
    for (int i = 0; i < n; i++) labels[i] = (int)dsml_rng_below(rng, (uint64_t)classes);
}

START_TEST(test_matches_naive_evaluation)
{
    enum { NQ = 40, NDB = 300, D = 5 };
    static float q[NQ * D], db[NDB * D];
    static int ql[NQ], dl[NDB], self[NQ];
    dsml_rng rng;
    dsml_rng_seed(&rng, 21);
    dsml_retrieval_config cfg;
    dsml_retrieval_config_default(&cfg);
    cfg.n_recall_k = 5;
    int ks[] = {1, 3, 10, 64, 1000};
    memcpy(cfg.recall_k, ks, sizeof ks);
    cfg.n_precision_k = 4;
    int pks[] = {1, 7, 64, 1000};
    memcpy(cfg.precision_k, pks, sizeof pks);
    dsml_retrieval_result fast, ref;
    for (int integer = 1; integer >= 0; integer--) {
        for (int setting = 0; setting < 3; setting++) {
            random_data(&rng, q, NQ, D, ql, 9, integer);
            random_data(&rng, db, NDB, D, dl, 9, integer);
            cfg.map_at = setting == 0 ? 50 : setting == 1 ? 0 : NDB + 5;
            cfg.f1_at = setting == 0 ? 40 : setting == 1 ? 5000 : 1;
            cfg.block = setting == 2 ? 7 : 0;
            cfg.hamming_radius = setting == 0 ? 0 : setting == 1 ? 2 : D + 3;
            cfg.query_db_index = NULL;
            if (setting == 1) { /* queries are database rows 3, 10, 17, ... excluded from their rankings */
                for (int i = 0; i < NQ; i++) {
                    self[i] = 3 + 7 * i;
                    memcpy(q + i * D, db + self[i] * D, D * sizeof *q);
                    ql[i] = dl[self[i]];
                }
                cfg.query_db_index = self;
            }
            if (setting == 2) ql[0] = 99; /* one query without relevant items */
            for (int hamming = 0; hamming < 2; hamming++) {
                int rc = eval_single(ranking_of(hamming), q, ql, NQ, db, dl, NDB, D, &cfg, &fast);
                ck_assert_int_eq(rc, DSML_OK);
                naive_eval(q, ql, NULL, NQ, db, dl, NULL, NDB, D, hamming, &cfg, &ref);
                assert_results_close(&fast, &ref, cfg.n_recall_k, 1e-12);
            }
        }
    }
}
END_TEST

START_TEST(test_multilabel_matches_naive)
{
    enum { NQ = 30, NDB = 200, D = 6 };
    static float q[NQ * D], db[NDB * D];
    static int dummy_q[NQ], dummy_db[NDB];
    static uint64_t qs[NQ], ds[NDB];
    dsml_rng rng;
    dsml_rng_seed(&rng, 22);
    random_data(&rng, q, NQ, D, dummy_q, 2, 1);
    random_data(&rng, db, NDB, D, dummy_db, 2, 1);
    random_label_sets(&rng, qs, NQ, ds, NDB, 12, 6); /* some sets end up empty */
    dsml_retrieval_config cfg;
    dsml_retrieval_config_default(&cfg);
    cfg.map_at = 60;
    cfg.f1_at = 25;
    dsml_retrieval_result fast, ref;
    for (int hamming = 0; hamming < 2; hamming++) {
        int rc = dsml_eval_ranking(ranking_of(hamming), q, dsml_labels_multi(qs, 1), NQ, db, dsml_labels_multi(ds, 1),
                                   NDB, D, &cfg, &fast);
        ck_assert_int_eq(rc, DSML_OK);
        naive_eval(q, NULL, qs, NQ, db, NULL, ds, NDB, D, hamming, &cfg, &ref);
        assert_results_close(&fast, &ref, cfg.n_recall_k, 1e-12);
    }
}
END_TEST

/* Codes longer than one word (70 bits: the general path, the curve capped at
 * radius 64), single- and multi-label, with self-exclusion, against the
 * naive evaluation. */
START_TEST(test_hamming_multiword_matches_naive)
{
    enum { NQ = 25, NDB = 180, D = 70 };
    static float q[NQ * D], db[NDB * D];
    static int ql[NQ], dl[NDB], self[NQ];
    static uint64_t qs[NQ], ds[NDB];
    dsml_rng rng;
    dsml_rng_seed(&rng, 24);
    random_data(&rng, q, NQ, D, ql, 4, 0);
    random_data(&rng, db, NDB, D, dl, 4, 0);
    for (int i = 0; i < NQ; i++) { /* queries are database rows 5, 12, ...; a few near-duplicates of others */
        self[i] = 5 + 7 * i;
        memcpy(q + i * D, db + self[i] * D, D * sizeof *q);
        ql[i] = dl[self[i]];
    }
    for (int j = 1; j < NDB; j += 9) memcpy(db + j * D, db + (j - 1) * D, D * sizeof *db);
    random_label_sets(&rng, qs, NQ, ds, NDB, 9, 5);
    dsml_retrieval_config cfg;
    dsml_retrieval_config_default(&cfg);
    cfg.map_at = 70;
    cfg.f1_at = 30;
    cfg.hamming_radius = 30;
    cfg.query_db_index = self;
    dsml_retrieval_result fast, ref;
    ck_assert_int_eq(eval_single(DSML_RANK_HAMMING, q, ql, NQ, db, dl, NDB, D, &cfg, &fast), DSML_OK);
    naive_eval(q, ql, NULL, NQ, db, dl, NULL, NDB, D, 1, &cfg, &ref);
    ck_assert_int_eq(fast.curve_points, DSML_HAMMING_CURVE);
    assert_results_close(&fast, &ref, cfg.n_recall_k, 1e-12);
    ck_assert_int_eq(dsml_eval_ranking(DSML_RANK_HAMMING, q, dsml_labels_multi(qs, 1), NQ, db,
                                       dsml_labels_multi(ds, 1), NDB, D, &cfg, &fast),
                     DSML_OK);
    naive_eval(q, NULL, qs, NQ, db, NULL, ds, NDB, D, 1, &cfg, &ref);
    assert_results_close(&fast, &ref, cfg.n_recall_k, 1e-12);
}
END_TEST

START_TEST(test_blocked_and_threaded_results_identical)
{
    enum { NQ = 37, NDB = 250, D = 16 };
    static float q[NQ * D], db[NDB * D];
    static int ql[NQ], dl[NDB];
    dsml_rng rng;
    dsml_rng_seed(&rng, 23);
    random_data(&rng, q, NQ, D, ql, 5, 0);
    random_data(&rng, db, NDB, D, dl, 5, 0);
    dsml_retrieval_config cfg;
    dsml_retrieval_config_default(&cfg);
    cfg.map_at = 100;
    cfg.f1_at = 50;
    for (int hamming = 0; hamming < 2; hamming++) {
        dsml_retrieval_result base, r;
        dsml_set_threads(1);
        cfg.block = NQ;
        int rc = eval_single(ranking_of(hamming), q, ql, NQ, db, dl, NDB, D, &cfg, &base);
        ck_assert_int_eq(rc, DSML_OK);
        ck_assert_double_gt(base.map, 0.0);
        int blocks[] = {1, 5, 0, NQ + 100};
        for (int threads = 1; threads <= 2; threads++) {
            dsml_set_threads(threads);
            for (int b = 0; b < 4; b++) {
                cfg.block = blocks[b];
                memset(&r, 0xAB, sizeof r);
                rc = eval_single(ranking_of(hamming), q, ql, NQ, db, dl, NDB, D, &cfg, &r);
                ck_assert_int_eq(rc, DSML_OK);
                ck_assert_int_eq(memcmp(&r, &base, sizeof r), 0); /* bit-identical */
            }
        }
    }
    dsml_set_threads(1);
}
END_TEST

START_TEST(test_retrieval_errors)
{
    float q[] = {0, 1, 2, 3};
    int ql[] = {0, 1};
    float db[] = {0, 1, 2, 3, 4, 5};
    int dl[] = {0, 1, 1};
    dsml_retrieval_config cfg;
    dsml_retrieval_config_default(&cfg);
    dsml_retrieval_result r;

    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 0, db, dl, 3, 2, &cfg, &r), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "0 queries"));
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 2, db, dl, 3, 0, &cfg, &r), DSML_ERR_ARG);
    ck_assert_int_eq(eval_single(DSML_RANK_HAMMING, q, ql, 2, db, dl, 0, 2, &cfg, &r), DSML_ERR_ARG);

    q[3] = NAN;
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_ERR_NUMERIC);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "queries: row 1, column 1"));
    q[3] = 3;
    db[4] = INFINITY;
    ck_assert_int_eq(eval_single(DSML_RANK_HAMMING, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_ERR_NUMERIC);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "database: row 2, column 0"));
    db[4] = 1e30f; /* finite, but its squared norm overflows */
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_ERR_NUMERIC);
    db[4] = 4;

    dl[2] = -1;
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "database labels: item 2: label -1"));
    dl[2] = 1;

    cfg.n_recall_k = DSML_MAX_RECALL_K + 1;
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_ERR_ARG);
    dsml_retrieval_config_default(&cfg);
    cfg.recall_k[2] = 0;
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_ERR_ARG);
    dsml_retrieval_config_default(&cfg);
    cfg.map_at = -1;
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_ERR_ARG);
    dsml_retrieval_config_default(&cfg);
    cfg.precision_k[1] = 0;
    ck_assert_int_eq(eval_single(DSML_RANK_HAMMING, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "precision cut-off 1 is 0"));
    cfg.precision_k[1] = 5;
    cfg.n_precision_k = DSML_MAX_PRECISION_K + 1;
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_ERR_ARG);
    dsml_retrieval_config_default(&cfg);
    cfg.hamming_radius = -1;
    ck_assert_int_eq(eval_single(DSML_RANK_HAMMING, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "hamming_radius -1"));
    dsml_retrieval_config_default(&cfg);
    int bad_self[] = {0, 3};
    cfg.query_db_index = bad_self;
    ck_assert_int_eq(eval_single(DSML_RANK_HAMMING, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "query 1: database index to exclude 3"));
    dsml_retrieval_config_default(&cfg);
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 2, db, dl, 3, 2, &cfg, &r), DSML_OK);
    ck_assert_int_eq(eval_single(DSML_RANK_EUCLIDEAN, q, ql, 2, db, dl, 3, 2, NULL, &r), DSML_OK); /* NULL: defaults */
}
END_TEST


int main(void)
{
    const suite_case cases[] = {
        {"hand cases", 60, (const TTest *[]){test_euclidean_hand_case, test_hamming_hand_case,
                                             test_exclude_self_and_queries_without_relevant,
                                             test_multilabel_hand_case, NULL}},
        {"naive reference", 120, (const TTest *[]){test_matches_naive_evaluation, test_multilabel_matches_naive,
                                                   test_hamming_multiword_matches_naive, NULL}},
        {"blocks and threads", 120, (const TTest *[]){test_blocked_and_threaded_results_identical, NULL}},
        {"errors", 60, (const TTest *[]){test_retrieval_errors, NULL}},
    };
    return suite_run_cases("retrieval", cases, SUITE_CASES(cases));
}
