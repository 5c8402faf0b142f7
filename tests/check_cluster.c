/* Tests of src/eval/cluster.c: k-means on blobs (deterministic for a seed,
 * independent of the thread count), hand cases and edges, NMI and pairwise F1
 * on known contingency tables and against a dense-table reference. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/gemm.h"
#include "core/rng.h"
#include "eval/cluster.h"
#include "support/suite_run.h"

/* ----------------------------------------------------------- clustering */

START_TEST(test_kmeans_recovers_blobs_deterministically)
{
    enum { PER = 60, K = 5, D = 3, N = PER * K };
    static float x[N * D];
    static int labels[N], a1[N], a2[N];
    dsml_rng rng;
    dsml_rng_seed(&rng, 31);
    /* Centres on the axes, 20 apart; noise sd 1. Points interleaved by class. */
    for (int i = 0; i < N; i++) {
        int c = i % K;
        labels[i] = c;
        for (int j = 0; j < D; j++) {
            float centre = c < 3 ? (j == c ? 20.0f : 0.0f) : (c == 3 ? -20.0f : 20.0f);
            x[i * D + j] = centre + (float)dsml_rng_normal(&rng);
        }
    }
    dsml_kmeans_info info;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        ck_assert_int_eq(dsml_kmeans_run(x, N, D, K, seed, 100, a1, NULL, &info), DSML_OK);
        ck_assert_int_eq(info.converged, 1);
        ck_assert_double_eq_tol(dsml_nmi(labels, a1, N), 1.0, 1e-12);
        ck_assert_double_eq_tol(dsml_pairwise_f1(labels, a1, N), 1.0, 1e-12);
        ck_assert_int_eq(dsml_kmeans(x, N, D, K, seed, 100, a2), DSML_OK);
        ck_assert_int_eq(memcmp(a1, a2, sizeof a1), 0);
    }
    /* Same seed, two threads: same assignment. */
    dsml_set_threads(2);
    ck_assert_int_eq(dsml_kmeans(x, N, D, K, 5, 100, a2), DSML_OK);
    dsml_set_threads(1);
    ck_assert_int_eq(memcmp(a1, a2, sizeof a1), 0);
}
END_TEST

/* 1-D points 0 1 10 11, k = 2: clusters {0,1} and {10,11}, centroids 0.5 and 10.5,
 * inertia 4 x 0.25 = 1 (Lloyd reaches this split from any k-means++ seeding of these points). */
START_TEST(test_kmeans_hand_case_and_edges)
{
    const float x[] = {0, 1, 10, 11};
    int a[4];
    float c[2];
    dsml_kmeans_info info;
    ck_assert_int_eq(dsml_kmeans_run(x, 4, 1, 2, 7, 50, a, c, &info), DSML_OK);
    ck_assert_int_eq(a[0], a[1]);
    ck_assert_int_eq(a[2], a[3]);
    ck_assert_int_ne(a[0], a[2]);
    ck_assert_double_eq_tol(c[a[0]], 0.5, 1e-6);
    ck_assert_double_eq_tol(c[a[2]], 10.5, 1e-6);
    ck_assert_double_eq_tol(info.inertia, 1.0, 1e-6);
    ck_assert_int_eq(info.converged, 1);

    /* k = n: every point its own cluster, inertia 0. */
    ck_assert_int_eq(dsml_kmeans_run(x, 4, 1, 4, 3, 50, a, NULL, &info), DSML_OK);
    int seen[4] = {0};
    for (int i = 0; i < 4; i++) seen[a[i]]++;
    for (int i = 0; i < 4; i++) ck_assert_int_eq(seen[i], 1);
    ck_assert_double_eq_tol(info.inertia, 0.0, 1e-9);

    /* Fewer distinct points than k: valid ids, converges, inertia 0. */
    const float dup[] = {0, 0, 0, 5};
    ck_assert_int_eq(dsml_kmeans_run(dup, 4, 1, 3, 9, 50, a, NULL, &info), DSML_OK);
    for (int i = 0; i < 4; i++) ck_assert(a[i] >= 0 && a[i] < 3);
    ck_assert_int_eq(a[0], a[1]);
    ck_assert_int_ne(a[0], a[3]);
    ck_assert_int_eq(info.converged, 1);
    ck_assert_double_eq_tol(info.inertia, 0.0, 1e-9);

    /* max_iter = 0: the assignment to the k-means++ seeds. */
    ck_assert_int_eq(dsml_kmeans_run(x, 4, 1, 2, 7, 0, a, NULL, &info), DSML_OK);
    ck_assert_int_eq(info.iterations, 0);

    ck_assert_int_eq(dsml_kmeans(x, 4, 1, 5, 1, 10, a), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "k = 5"));
    ck_assert_int_eq(dsml_kmeans(x, 4, 1, 0, 1, 10, a), DSML_ERR_ARG);
    const float bad[] = {0, NAN, 1, 2};
    ck_assert_int_eq(dsml_kmeans(bad, 4, 1, 2, 1, 10, a), DSML_ERR_NUMERIC);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "point 1"));
}
END_TEST

START_TEST(test_nmi_and_pairwise_f1_hand_cases)
{
    /* Perfect clustering under renamed, non-dense ids. */
    const int y1[] = {0, 0, 1, 1, 2, 2}, c1[] = {5, 5, 3, 3, 900000, 900000};
    ck_assert_double_eq_tol(dsml_nmi(y1, c1, 6), 1.0, 1e-12);
    ck_assert_double_eq_tol(dsml_pairwise_f1(y1, c1, 6), 1.0, 1e-12);

    /* labels 0 0 0 1 1 1, clusters 0 0 1 1 1 1: table (0,0)=2 (0,1)=1 (1,1)=3, classes 3 3, clusters 2 4
     * H(Y) = ln 2 = 0.693147, H(C) = (1/3) ln 3 + (2/3) ln 1.5 = 0.636514,
     * H(Y,C) = (1/3) ln 3 + (1/6) ln 6 + (1/2) ln 2 = 1.011404, I = 0.318257,
     * NMI = 2 I / (H(Y) + H(C)) = 0.478704.
     * Pairs: same cluster 1 + 6 = 7, same class 3 + 3 = 6, both 1 + 0 + 3 = 4:
     * P = 4/7, R = 4/6, F1 = 2 P R / (P + R) = 16/26 = 0.615385. */
    const int y2[] = {0, 0, 0, 1, 1, 1}, c2[] = {0, 0, 1, 1, 1, 1};
    ck_assert_double_eq_tol(dsml_nmi(y2, c2, 6), 0.47870397138568, 1e-9);
    ck_assert_double_eq_tol(dsml_pairwise_f1(y2, c2, 6), 16.0 / 26.0, 1e-12);
    double nmi, f1;
    ck_assert_int_eq(dsml_cluster_scores(y2, c2, 6, &nmi, &f1), DSML_OK);
    ck_assert_double_eq_tol(nmi, 0.47870397138568, 1e-9);
    ck_assert_double_eq_tol(f1, 16.0 / 26.0, 1e-12);
    /* NMI is symmetric; pairwise F1 too (P and R swap). */
    ck_assert_double_eq_tol(dsml_nmi(c2, y2, 6), 0.47870397138568, 1e-9);
    ck_assert_double_eq_tol(dsml_pairwise_f1(c2, y2, 6), 16.0 / 26.0, 1e-12);

    /* Independent: labels 0 0 1 1, clusters 0 1 0 1: I = 0; no same-cluster pair is same-class. */
    const int y3[] = {0, 0, 1, 1}, c3[] = {0, 1, 0, 1};
    ck_assert_double_eq_tol(dsml_nmi(y3, c3, 4), 0.0, 1e-12);
    ck_assert_double_eq_tol(dsml_pairwise_f1(y3, c3, 4), 0.0, 1e-12);

    /* One class and one cluster: identical trivial partitions, NMI 1 (0/0 defined), F1 1 (P = R = 1). */
    const int z[] = {4, 4, 4};
    ck_assert_double_eq_tol(dsml_nmi(z, z, 3), 1.0, 1e-12);
    ck_assert_double_eq_tol(dsml_pairwise_f1(z, z, 3), 1.0, 1e-12);
    /* One cluster for two classes: H(C) = 0 so I = 0, NMI 0; P = 2/6 (pairs 1+1 of 6), R = 1, F1 = 0.5. */
    const int y4[] = {0, 0, 1, 1}, c4[] = {0, 0, 0, 0};
    ck_assert_double_eq_tol(dsml_nmi(y4, c4, 4), 0.0, 1e-12);
    ck_assert_double_eq_tol(dsml_pairwise_f1(y4, c4, 4), 0.5, 1e-12);
    /* All singletons on both sides: no pair anywhere, F1 defined as 1. Singletons vs one class: F1 0. */
    const int s[] = {0, 1, 2};
    ck_assert_double_eq_tol(dsml_pairwise_f1(s, s, 3), 1.0, 1e-12);
    ck_assert_double_eq_tol(dsml_pairwise_f1(z, s, 3), 0.0, 1e-12);

    const int neg[] = {0, -2, 1};
    ck_assert(isnan(dsml_nmi(neg, s, 3)));
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "point 1: label -2"));
    ck_assert(isnan(dsml_pairwise_f1(s, neg, 3)));
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "point 1: cluster -2"));
    ck_assert_int_eq(dsml_cluster_scores(s, s, 0, &nmi, &f1), DSML_ERR_ARG);
}
END_TEST

/* NMI and F1 against a naive dense contingency table on random labels. */
START_TEST(test_cluster_scores_match_dense_table)
{
    enum { N = 2000, L = 7, C = 5 };
    static int y[N], c[N];
    dsml_rng rng;
    dsml_rng_seed(&rng, 41);
    double table[L][C] = {{0}}, a[L] = {0}, b[C] = {0};
    for (int i = 0; i < N; i++) {
        y[i] = (int)dsml_rng_below(&rng, L);
        c[i] = dsml_rng_below(&rng, 3) == 0 ? (int)dsml_rng_below(&rng, C) : y[i] % C; /* correlated */
        table[y[i]][c[i]]++;
        a[y[i]]++;
        b[c[i]]++;
    }
    double mi = 0, hy = 0, hc = 0, tp = 0, py = 0, pc = 0;
    for (int i = 0; i < L; i++) {
        if (a[i]) hy -= a[i] / N * log(a[i] / N);
        py += a[i] * (a[i] - 1) / 2;
        for (int j = 0; j < C; j++) {
            if (table[i][j]) mi += table[i][j] / N * log(N * table[i][j] / (a[i] * b[j]));
            tp += table[i][j] * (table[i][j] - 1) / 2;
        }
    }
    for (int j = 0; j < C; j++) {
        if (b[j]) hc -= b[j] / N * log(b[j] / N);
        pc += b[j] * (b[j] - 1) / 2;
    }
    double p = tp / pc, r = tp / py;
    ck_assert_double_eq_tol(dsml_nmi(y, c, N), 2 * mi / (hy + hc), 1e-9);
    ck_assert_double_eq_tol(dsml_pairwise_f1(y, c, N), 2 * p * r / (p + r), 1e-12);
    ck_assert_double_gt(dsml_nmi(y, c, N), 0.1);
    ck_assert_double_lt(dsml_nmi(y, c, N), 0.9);
}
END_TEST


int main(void)
{
    const suite_case cases[] = {
        {"kmeans", 60, (const TTest *[]){test_kmeans_recovers_blobs_deterministically,
                                         test_kmeans_hand_case_and_edges, NULL}},
        {"scores", 60, (const TTest *[]){test_nmi_and_pairwise_f1_hand_cases, test_cluster_scores_match_dense_table,
                                         NULL}},
    };
    return suite_run_cases("cluster", cases, SUITE_CASES(cases));
}
