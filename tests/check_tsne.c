/* Tests of t-SNE (src/eval/tsne.h), which `dsml plots` draws Figure 4 with:
 * blob separation, KL descent, determinism over seeds and threads, the
 * perplexity calibration against its entropy (and a hand case), bad inputs. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/gemm.h"
#include "core/rng.h"
#include "eval/tsne.h"
#include "support/suite_run.h"

/* 3 blobs of `per` points in d dims, centres 8 apart on the axes, unit noise. */
static void make_blobs(float *x, int *labels, int per, int d, uint64_t seed)
{
    dsml_rng r;
    dsml_rng_seed(&r, seed);
    for (int b = 0; b < 3; b++)
        for (int i = 0; i < per; i++) {
            int row = b * per + i;
            labels[row] = b;
            for (int k = 0; k < d; k++) x[row * d + k] = (float)((k == b ? 8.0 : 0.0) + dsml_rng_normal(&r));
        }
}

static double nn_label_agreement(const float *y, const int *labels, int n)
{
    int agree = 0;
    for (int i = 0; i < n; i++) {
        double best = INFINITY;
        int nn = -1;
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1], d2 = dx * dx + dy * dy;
            if (d2 < best) { best = d2; nn = j; }
        }
        agree += labels[nn] == labels[i];
    }
    return (double)agree / n;
}

START_TEST(test_tsne_separates_blobs_and_kl_decreases)
{
    enum { PER = 50, N = 3 * PER, D = 10 };
    float x[N * D], y[N * 2];
    int labels[N];
    make_blobs(x, labels, PER, D, 11);
    dsml_tsne_params p;
    dsml_tsne_defaults(&p);
    ck_assert_int_eq(p.iterations, 1000);
    ck_assert_int_eq(p.exaggeration_iters, 250);
    ck_assert_double_eq(p.exaggeration, 12.0);
    dsml_tsne_info info;
    ck_assert_int_eq(dsml_tsne_run(x, N, D, &p, y, &info), DSML_OK);
    ck_assert_double_gt(nn_label_agreement(y, labels, N), 0.95);
    /* the three blob means in 2-D are far apart relative to the blobs' spread */
    double mean[3][2] = {{0}}, spread = 0;
    for (int i = 0; i < N; i++) for (int k = 0; k < 2; k++) mean[labels[i]][k] += y[2 * i + k] / PER;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < 2; k++) spread += pow(y[2 * i + k] - mean[labels[i]][k], 2) / N;
    spread = sqrt(spread);
    for (int a = 0; a < 3; a++)
        for (int b = a + 1; b < 3; b++)
            ck_assert_double_gt(hypot(mean[a][0] - mean[b][0], mean[a][1] - mean[b][1]), 3 * spread);
    /* KL: traced every 20 iterations; it falls from the start and after exaggeration */
    ck_assert_int_eq(info.trace_every, 20);
    ck_assert_int_eq(info.trace_count, 49);
    ck_assert_int_eq(info.rows_not_calibrated, 0);
    double kl_after_exaggeration = info.kl_trace[260 / 20 - 1]; /* iteration 260 */
    ck_assert_double_lt(info.kl_final, info.kl_initial);
    ck_assert_double_lt(info.kl_final, kl_after_exaggeration);
    for (int t = 300 / 20; t < info.trace_count; t++) /* nearly monotone once P is true */
        ck_assert_double_le(info.kl_trace[t], info.kl_trace[t - 1] + 1e-3);
    ck_assert_double_gt(info.kl_final, 0.0);
}
END_TEST

START_TEST(test_tsne_deterministic_for_seed_and_threads)
{
    enum { PER = 30, N = 3 * PER, D = 6 };
    float x[N * D], a[N * 2], b[N * 2], c[N * 2];
    int labels[N];
    make_blobs(x, labels, PER, D, 5);
    dsml_tsne_params p;
    dsml_tsne_defaults(&p);
    p.perplexity = 10;
    p.iterations = 300;
    dsml_set_threads(1);
    ck_assert_int_eq(dsml_tsne_run(x, N, D, &p, a, NULL), DSML_OK);
    dsml_set_threads(3);
    ck_assert_int_eq(dsml_tsne_run(x, N, D, &p, b, NULL), DSML_OK);
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    p.seed = 2;
    ck_assert_int_eq(dsml_tsne_run(x, N, D, &p, c, NULL), DSML_OK);
    ck_assert_int_ne(memcmp(a, c, sizeof a), 0);
    dsml_set_threads(1);
}
END_TEST

START_TEST(test_tsne_perplexity_calibration_hits_entropy)
{
    enum { N = 200, D = 16 };
    static float x[N * D];
    static double cond[N * N], entropy[N];
    dsml_rng r;
    dsml_rng_seed(&r, 3);
    for (int i = 0; i < N * D; i++) x[i] = (float)(dsml_rng_normal(&r) * (i % D + 1)); /* unequal scales */
    const double perplexities[] = {2.5, 5, 30, 60};
    for (int t = 0; t < 4; t++) {
        int missed = -1;
        ck_assert_int_eq(dsml_tsne_affinities(x, N, D, perplexities[t], cond, entropy, &missed), DSML_OK);
        ck_assert_int_eq(missed, 0);
        for (int i = 0; i < N; i++) {
            const double *p = cond + (long)i * N;
            double sum = 0, h = 0;
            ck_assert_double_eq(p[i], 0.0);
            for (int j = 0; j < N; j++) {
                sum += p[j];
                if (p[j] > 0) h -= p[j] * log(p[j]);
            }
            ck_assert_double_eq_tol(sum, 1.0, 1e-12);
            ck_assert_double_eq_tol(h, log(perplexities[t]), 1e-4); /* H(P_i) = log(perplexity) */
            ck_assert_double_eq_tol(entropy[i], h, 1e-9);
        }
    }
    /* hand case, 1-D points 0, 1, 3: row 0 has distances 1 and 9, so
     * P(1|0) = 1 / (1 + exp(-8 beta)); entropy log 1.5 of (p, 1 - p) needs
     * p = 0.8742...: solve -p log p - (1-p) log(1-p) = log 1.5 by bisection here. */
    float line[4] = {0, 1, 3, 7};
    double c4[16];
    ck_assert_int_eq(dsml_tsne_affinities(line, 4, 1, 1.5, c4, NULL, NULL), DSML_OK);
    double lo = 0.5, hi = 1.0;
    for (int it = 0; it < 100; it++) {
        double m = (lo + hi) / 2, h = -m * log(m) - (1 - m) * log(1 - m);
        if (h > log(1.5)) lo = m; else hi = m;
    }
    /* row 0 has three neighbours (distances 1, 9, 49); the 49 term is tiny but
     * present, so compare the entropy, and the two-point answer loosely. */
    double h0 = 0;
    for (int j = 1; j < 4; j++) h0 -= c4[j] > 0 ? c4[j] * log(c4[j]) : 0;
    ck_assert_double_eq_tol(h0, log(1.5), 1e-4);
    ck_assert_double_eq_tol(c4[1], lo, 1e-3);
}
END_TEST

START_TEST(test_tsne_bad_inputs)
{
    float x[40 * 2] = {0};
    for (int i = 0; i < 80; i++) x[i] = (float)(i % 7) + 0.1f * i;
    float y[80];
    dsml_tsne_params p;
    dsml_tsne_defaults(&p);
    ck_assert_int_eq(dsml_tsne_run(x, 3, 2, &p, y, NULL), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "3 points, expected at least 4"));
    ck_assert_int_eq(dsml_tsne_run(x, 40, 2, &p, y, NULL), DSML_ERR_ARG); /* 30 > 39 / 3 */
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "perplexity 30 too large for 40 points"));
    p.perplexity = 13; /* exactly (40 - 1) / 3: allowed */
    p.iterations = 5;
    ck_assert_int_eq(dsml_tsne_run(x, 40, 2, &p, y, NULL), DSML_OK);
    p.perplexity = 1.0;
    ck_assert_int_eq(dsml_tsne_run(x, 40, 2, &p, y, NULL), DSML_ERR_ARG);
    p.perplexity = NAN;
    ck_assert_int_eq(dsml_tsne_run(x, 40, 2, &p, y, NULL), DSML_ERR_ARG);
    p.perplexity = 5;
    x[2 * 2 + 1] = NAN;
    ck_assert_int_eq(dsml_tsne_run(x, 40, 2, &p, y, NULL), DSML_ERR_NUMERIC);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "point 2, value 1: nan"));
    x[5] = 0;
    p.dims_out = 0;
    ck_assert_int_eq(dsml_tsne_run(x, 40, 2, &p, y, NULL), DSML_ERR_ARG);
    p.dims_out = 2;
    p.learning_rate = -1;
    ck_assert_int_eq(dsml_tsne_run(x, 40, 2, &p, y, NULL), DSML_ERR_ARG);
    double cond[16];
    ck_assert_int_eq(dsml_tsne_affinities(x, 4, 2, 3.0, cond, NULL, NULL), DSML_ERR_ARG); /* needs < n - 1 */
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"embedding", 60, (const TTest *[]){test_tsne_separates_blobs_and_kl_decreases,
                                            test_tsne_deterministic_for_seed_and_threads, NULL}},
        {"affinities", 60, (const TTest *[]){test_tsne_perplexity_calibration_hits_entropy, NULL}},
        {"inputs", 30, (const TTest *[]){test_tsne_bad_inputs, NULL}},
    };
    return suite_run_cases("tsne", cases, SUITE_CASES(cases));
}
