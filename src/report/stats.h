/* Statistics over seeds: a sample is one metric of one group of runs
 * (dataset, loss, distance, dim) over seeds, and the difference of two
 * samples, SNR minus Euclidean: paired by seed when both hold exactly the
 * same seeds, else the difference of the means (Welch's standard error, with
 * min(n1, n2) - 1 degrees of freedom, a conservative choice). Intervals and
 * p-values use Student's t, computed from the regularised incomplete beta
 * function; the same critical value decides "the 95% interval excludes 0"
 * and "p < 0.05", so the two never disagree. Equivalence is two one-sided
 * tests (TOST) against a margin; multiplicity is Holm's step-down. */
#ifndef DSML_REPORT_STATS_H
#define DSML_REPORT_STATS_H

#define DSML_MAX_SEEDS 64

typedef struct {
    int n;
    int seeds[DSML_MAX_SEEDS];     /* ascending */
    double values[DSML_MAX_SEEDS]; /* values[i] belongs to seeds[i] */
} dsml_sample;

/* Mean and sample standard deviation (n - 1 denominator; sd = 0 when n < 2). */
void dsml_stats_mean_sd(const double *x, int n, double *mean, double *sd);
/* Regularised incomplete beta I_x(a, b) for a, b > 0, 0 <= x <= 1 (NaN
 * outside), by its continued fraction (modified Lentz). */
double dsml_stats_betainc(double a, double b, double x);
/* Student's t with `dof` >= 1 degrees of freedom: P(T <= t), and its
 * inverse for 0 < p < 1 (NaN for dof < 1 or p outside). */
double dsml_stats_t_cdf(double t, int dof);
double dsml_stats_t_quantile(double p, int dof);
/* Two-sided 95% critical value, dsml_stats_t_quantile(0.975, dof);
 * infinite for dof < 1. */
double dsml_stats_t95(int dof);
/* Two-sided critical value at level alpha (0 < alpha < 1), dsml_stats_t_quantile(1 - alpha / 2, dof);
 * infinite for dof < 1. dsml_stats_t_crit(0.05, dof) == dsml_stats_t95(dof) exactly. */
double dsml_stats_t_crit(double alpha, int dof);

typedef struct {
    int n_snr, n_euclidean;
    int paired;        /* 1: same seeds, differences per seed */
    int has_ci;        /* 0 when a side has fewer than 2 seeds */
    int dof;
    double mean;       /* mean difference SNR - Euclidean */
    double half_width; /* CI = mean +- half_width */
    double se;         /* standard error of mean (has_ci only); half_width = t95(dof) * se */
} dsml_diff;

/* Difference snr - euclidean. Returns DSML_ERR_ARG when a sample is empty. */
int dsml_stats_diff(const dsml_sample *snr, const dsml_sample *euclidean, dsml_diff *out);

/* Two-sided p of t = mean / se with d->dof degrees of freedom (the test of
 * "no difference"); NaN without an interval. se = 0: 0 when mean != 0, else 1. */
double dsml_stats_p_diff(const dsml_diff *d);
/* TOST against the margin (-delta, +delta): the larger of the one-sided p's
 * of H0 "difference <= -delta" and H0 "difference >= +delta"; NaN without
 * an interval. p < 0.05 exactly when dsml_stats_equivalent says so. */
double dsml_stats_p_tost(const dsml_diff *d, double delta);
/* 1 when the 90% interval mean +- t(0.95, dof) * se lies inside
 * (-delta, +delta); 0 otherwise or without an interval. */
int dsml_stats_equivalent(const dsml_diff *d, double delta);
/* The same at level alpha: the (1 - 2 alpha) interval mean +- t(1 - alpha, dof) * se inside
 * (-delta, +delta), exactly when dsml_stats_p_tost < alpha. At alpha 0.05 it is dsml_stats_equivalent. */
int dsml_stats_equivalent_at(const dsml_diff *d, double delta, double alpha);

/* Holm's step-down at family-wise level alpha over the n p-values: sorted
 * ascending (ties by index), p_(k) (k = 0..m-1) is rejected while
 * p_(k) < alpha / (m - k); the first that is not stops it. NaN p-values
 * (no test) are not in the family (m counts the others) and never rejected.
 * reject[i] = 1 for the rejected ones. O(n^2), allocates nothing. */
void dsml_stats_holm(const double *p, int n, double alpha, int *reject);

#endif
