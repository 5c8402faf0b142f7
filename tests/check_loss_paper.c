/* The paper's loss equations as printed (eqs. 7-12), transcribed here from
 * the paper's text in double precision, with distances of their own and
 * plain loops, against the library under --equations paper: the value and
 * dL/dh of contrastive, triplet, lifted structured and N-pair with the
 * Euclidean and the SNR distance, lambda > 0 so that L_r (eq. 7) is in
 * every case. The transcription calls nothing of the library's loss or
 * distance code; its gradient is taken by central differences in double.
 * Also: the common reading of contrastive is not eq. 8 as printed (so the
 * comparison can fail) and is still the mean over its non-zero terms.
 *
 * Legend: N = rows (n), D = values per row (d). Batches: 10 classes x 4
 * images (N-pair: 10 pairs, anchor then positive). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "metric/loss.h"
#include "support/loss_cases.h"
#include "support/suite_run.h"

enum { CLASSES = 10, PER_CLASS = 4, N = CLASSES * PER_CLASS, D = 8, MAX_N = N };

/* ---------- eqs. 6-12, as printed ---------- */

/* var(a) of eq. 1: the population variance of D values. */
static double variance(const double *a, int d)
{
    double mean = 0, v = 0;
    for (int k = 0; k < d; k++) mean += a[k];
    mean /= d;
    for (int k = 0; k < d; k++) v += (a[k] - mean) * (a[k] - mean);
    return v / d;
}

/* d(h_i, h_j): the Euclidean distance, or eq. 6's d_S = var(h_i - h_j) / var(h_i)
 * (h_i the anchor). */
static double distance(int snr, const double *hi, const double *hj, int d)
{
    double diff[D], sq = 0;
    for (int k = 0; k < d; k++) {
        diff[k] = hi[k] - hj[k];
        sq += diff[k] * diff[k];
    }
    return snr ? variance(diff, d) / variance(hi, d) : sqrt(sq);
}

/* Eq. 7, the weight applied once: lambda (1/N) sum_i |sum_m h_im|. */
static double eq7_regulariser(double lambda, const double *h, int n, int d)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double row = 0;
        for (int m = 0; m < d; m++) row += h[i * d + m];
        sum += fabs(row);
    }
    return lambda * sum / n;
}

typedef struct {
    dsml_loss_kind loss;
    int snr;
    double alpha, beta, lambda;
    const int *labels;
    int n;
} transcription;

/* Eq. 8: sum over positive pairs of d + sum over negative pairs of [alpha - d]_+,
 * the pairs ordered (an SNR pair counts with each anchor). */
static double eq8_contrastive(const transcription *t, const double *dist)
{
    double pos = 0, neg = 0;
    for (int i = 0; i < t->n; i++)
        for (int j = 0; j < t->n; j++) {
            if (i == j) continue;
            if (t->labels[i] == t->labels[j]) pos += dist[i * t->n + j];
            else neg += fmax(0.0, t->alpha - dist[i * t->n + j]);
        }
    return pos + neg;
}

/* Eq. 9 with the text's rule: all valid triplets, the sum averaged over the
 * ones with a positive loss. */
static double eq9_triplet(const transcription *t, const double *dist)
{
    double sum = 0;
    long positive = 0;
    for (int a = 0; a < t->n; a++)
        for (int p = 0; p < t->n; p++) {
            if (p == a || t->labels[p] != t->labels[a]) continue;
            for (int q = 0; q < t->n; q++) {
                if (t->labels[q] == t->labels[a]) continue;
                double l = dist[a * t->n + p] - dist[a * t->n + q] + t->alpha;
                if (l > 0) {
                    sum += l;
                    positive++;
                }
            }
        }
    return positive ? sum / positive : 0.0;
}

/* Eq. 10: J_ij = max(max_k alpha - beta d_ik, max_l alpha - beta d_jl) + beta d_ij
 * over the negatives k of i and l of j; 1/(2 |P|) sum over P of max(0, J_ij),
 * P the ordered positive pairs. */
static double eq10_lifted(const transcription *t, const double *dist)
{
    double sum = 0;
    long pairs = 0;
    for (int i = 0; i < t->n; i++)
        for (int j = 0; j < t->n; j++) {
            if (i == j || t->labels[i] != t->labels[j]) continue;
            pairs++;
            double m = -HUGE_VAL;
            for (int k = 0; k < t->n; k++) {
                if (t->labels[k] != t->labels[i]) m = fmax(m, t->alpha - t->beta * dist[i * t->n + k]);
                if (t->labels[k] != t->labels[j]) m = fmax(m, t->alpha - t->beta * dist[j * t->n + k]);
            }
            sum += fmax(0.0, m + t->beta * dist[i * t->n + j]);
        }
    return sum / (2.0 * pairs);
}

/* Eqs. 11-12 on N pairs (rows 2i, 2i+1: anchor, positive): S_ij = 1 / d_S(h_i, h_j+)^2
 * (eq. 11), or the inner product h_i . h_j+ of the Euclidean baseline;
 * (1/N) sum_i log(1 + sum_{j != i} exp(S_ij+ - S_ii+)). */
static double eq12_npair(const transcription *t, const double *h, int d)
{
    int pairs = t->n / 2;
    double sum = 0;
    for (int i = 0; i < pairs; i++) {
        double s[MAX_N];
        for (int j = 0; j < pairs; j++) {
            const double *a = h + (2 * i) * d, *p = h + (2 * j + 1) * d;
            if (t->snr) {
                double ds = distance(1, a, p, d);
                s[j] = 1.0 / (ds * ds);
            } else {
                s[j] = 0;
                for (int k = 0; k < d; k++) s[j] += a[k] * p[k];
            }
        }
        double z = 1;
        for (int j = 0; j < pairs; j++)
            if (j != i) z += exp(s[j] - s[i]);
        sum += log(z);
    }
    return sum / pairs;
}

/* J of eqs. 8-12 with lambda L_r. */
static double objective(const transcription *t, const double *h, int d)
{
    static double dist[MAX_N * MAX_N];
    double value;
    if (t->loss == DSML_LOSS_NPAIR) {
        value = eq12_npair(t, h, d);
    } else {
        for (int i = 0; i < t->n; i++)
            for (int j = 0; j < t->n; j++) dist[i * t->n + j] = i == j ? 0 : distance(t->snr, h + i * d, h + j * d, d);
        value = t->loss == DSML_LOSS_CONTRASTIVE ? eq8_contrastive(t, dist)
              : t->loss == DSML_LOSS_TRIPLET     ? eq9_triplet(t, dist)
                                                 : eq10_lifted(t, dist);
    }
    return value + eq7_regulariser(t->lambda, h, t->n, d);
}

/* dJ/dh by central differences in double; a coordinate where the forward and
 * backward differences disagree sits on a kink (a hinge, a max, a triplet
 * joining the average) and gets NAN. */
static void objective_gradient(const transcription *t, double *h, int d, double *grad)
{
    double f0 = objective(t, h, d);
    for (int i = 0; i < t->n * d; i++) {
        double saved = h[i], eps = 1e-6 * fmax(1.0, fabs(saved));
        h[i] = saved + eps;
        double fp = objective(t, h, d);
        h[i] = saved - eps;
        double fm = objective(t, h, d);
        h[i] = saved;
        double forward = (fp - f0) / eps, backward = (f0 - fm) / eps;
        int kink = fabs(forward - backward) > 1e-4 * fmax(1e-3, fmax(fabs(forward), fabs(backward)));
        grad[i] = kink ? NAN : (fp - fm) / (2 * eps);
    }
}

/* ---------- the batches ---------- */

/* 10 classes x 4 images (labels 0..9, class c on rows 4c..4c+3), each row its
 * class's centre plus noise and a shift of its own (so SNR's centring
 * matters); N-pair: the first 2 images of each class, anchor then positive. */
static int make_batch(int npair, uint64_t seed, float *h, int *labels)
{
    float centres[CLASSES * D], noise[N * D];
    loss_cases_normal(seed, centres, CLASSES, D, 1.0);
    loss_cases_shifted(seed + 1, noise, N, D, 0.5f);
    int per_class = npair ? 2 : PER_CLASS, n = CLASSES * per_class;
    for (int i = 0; i < n; i++) {
        labels[i] = i / per_class;
        for (int k = 0; k < D; k++) h[i * D + k] = centres[labels[i] * D + k] + 0.6f * noise[i * D + k];
    }
    return n;
}

/* The library's loss under --equations paper against the transcription:
 * value and every gradient entry to 1e-4 relative (entries below 1% of the
 * gradient's largest are compared against that 1%: the float sums cannot do
 * better there). Returns the library's value. */
static double check_case(dsml_loss_kind loss, int snr, double alpha, double beta, uint64_t seed)
{
    float h[MAX_N * D], dh[MAX_N * D];
    double hd[MAX_N * D], want[MAX_N * D];
    int labels[MAX_N];
    int n = make_batch(loss == DSML_LOSS_NPAIR, seed, h, labels);
    dsml_loss_params p = dsml_loss_defaults(loss, snr ? DSML_DIST_SNR : DSML_DIST_EUCLIDEAN);
    p.equations = DSML_EQUATIONS_PAPER;
    p.lambda = 0.05f;
    if (loss != DSML_LOSS_NPAIR) p.margin = (float)alpha;
    p.lifted.beta = (float)beta; /* lifted.hard stays 0: paper alone takes the hard max */
    transcription t = {loss, snr, p.margin, p.lifted.beta, p.lambda, labels, n};
    double got = loss_cases_value(&p, h, labels, n, D, dh);
    for (int i = 0; i < n * D; i++) hd[i] = h[i];
    double value = objective(&t, hd, D);
    const char *what = dsml_loss_name(loss), *dname = snr ? "snr" : "euclidean";
    ck_assert_msg(fabs(got - value) <= 1e-4 * fabs(value), "%s/%s: loss %.9g, eqs. 7-12 %.9g", what, dname, got,
                  value);
    objective_gradient(&t, hd, D, want);
    double largest = 0;
    int kinks = 0;
    for (int i = 0; i < n * D; i++) {
        if (isnan(want[i])) kinks++;
        else largest = fmax(largest, fabs(want[i]));
    }
    ck_assert_msg(kinks <= n * D / 10, "%s/%s: %d of %d coordinates on kinks", what, dname, kinks, n * D);
    ck_assert_msg(largest > 0, "%s/%s: a zero gradient", what, dname);
    for (int i = 0; i < n * D; i++) {
        if (isnan(want[i])) continue;
        double err = fabs(dh[i] - want[i]) / fmax(fabs(want[i]), 1e-2 * largest);
        ck_assert_msg(err <= 1e-4, "%s/%s: dL/dh[%d][%d] = %.9g, eqs. 7-12 %.9g", what, dname, i / D, i % D, dh[i],
                      want[i]);
    }
    return got;
}

/* ---------- the tests ---------- */

/* Each loss with each distance; margins in the distance's scale, so that
 * some hinges are open and some closed (Euclidean distances here are about
 * 1-5, SNR ones about 0.2-2.5); lifted at beta 2. */
START_TEST(test_losses_are_eqs_7_to_12)
{
    static const struct {
        dsml_loss_kind loss;
        int snr;
        double alpha, beta;
    } cases[] = {
        {DSML_LOSS_CONTRASTIVE, 0, 3.0, 1.0}, {DSML_LOSS_CONTRASTIVE, 1, 1.5, 1.0},
        {DSML_LOSS_TRIPLET, 0, 1.0, 1.0},     {DSML_LOSS_TRIPLET, 1, 0.5, 1.0},
        {DSML_LOSS_LIFTED, 0, 1.0, 2.0},      {DSML_LOSS_LIFTED, 1, 1.0, 2.0},
        {DSML_LOSS_NPAIR, 0, 0.0, 1.0},       {DSML_LOSS_NPAIR, 1, 0.0, 1.0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        check_case(cases[c].loss, cases[c].snr, cases[c].alpha, cases[c].beta, 11 + 10 * c);
}
END_TEST

/* The comparison can fail: the common reading of contrastive is not eq. 8
 * as printed; it is still the mean over the non-zero terms (as it always
 * was), here from the transcription's own distances; and the common lifted
 * (log-sum-exp) is not eq. 10. */
START_TEST(test_common_readings_differ)
{
    float h[MAX_N * D];
    double hd[MAX_N * D], dist[MAX_N * MAX_N];
    int labels[MAX_N];
    for (int snr = 0; snr < 2; snr++) {
        int n = make_batch(0, 51 + snr, h, labels);
        for (int i = 0; i < n * D; i++) hd[i] = h[i];
        double alpha = snr ? 1.5 : 3.0;
        dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, snr ? DSML_DIST_SNR : DSML_DIST_EUCLIDEAN);
        p.margin = (float)alpha;
        p.lambda = 0;
        ck_assert_int_eq(p.equations, DSML_EQUATIONS_COMMON);
        transcription t = {DSML_LOSS_CONTRASTIVE, snr, p.margin, 1.0, 0.0, labels, n};
        double common = loss_cases_value(&p, h, labels, n, D, NULL), paper = objective(&t, hd, D);
        ck_assert_msg(fabs(common - paper) > 0.5 * paper, "common %.9g, eq. 8 %.9g", common, paper);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) dist[i * n + j] = i == j ? 0 : distance(snr, hd + i * D, hd + j * D, D);
        double pos = 0, neg = 0;
        long n_pos = 0, n_neg = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double dij = dist[i * n + j];
                if (i == j) continue;
                if (labels[i] == labels[j] && dij > 0) pos += dij, n_pos++;
                else if (labels[i] != labels[j] && alpha - dij > 0) neg += alpha - dij, n_neg++;
            }
        ck_assert_int_gt(n_neg, 0);
        double means = pos / n_pos + neg / n_neg;
        ck_assert_msg(fabs(common - means) <= 1e-5 * means, "common %.9g, non-zero means %.9g", common, means);

        dsml_loss_params q = dsml_loss_defaults(DSML_LOSS_LIFTED, p.distance);
        q.lambda = 0;
        transcription lt = {DSML_LOSS_LIFTED, snr, q.margin, q.lifted.beta, 0.0, labels, n};
        double smooth = loss_cases_value(&q, h, labels, n, D, NULL), hard = objective(&lt, hd, D);
        ck_assert_msg(smooth > hard * (1 + 1e-3), "lifted: log-sum-exp %.9g, eq. 10 %.9g", smooth, hard);
    }
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"eqs. 7-12", 60, (const TTest *[]){test_losses_are_eqs_7_to_12, NULL}},
        {"common readings", 30, (const TTest *[]){test_common_readings_differ, NULL}},
    };
    return suite_run_cases("loss_paper", cases, SUITE_CASES(cases));
}
