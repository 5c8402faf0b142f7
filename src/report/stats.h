/* Statistics over seeds: a sample is one metric of one group of runs
 * (dataset, loss, distance, dim) over seeds, and the difference of two
 * samples, SNR minus Euclidean: paired by seed when both hold exactly the
 * same seeds, else the difference of the means (Welch's standard error, with
 * min(n1, n2) - 1 degrees of freedom, a conservative choice). The 95%
 * interval uses Student's t from a table for 1..30 degrees of freedom and
 * 1.96 beyond. */
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
/* Two-sided 95% critical value of Student's t with `dof` degrees of freedom
 * (dof >= 1; 1.96 beyond 30). */
double dsml_stats_t95(int dof);

typedef struct {
    int n_snr, n_euclidean;
    int paired;        /* 1: same seeds, differences per seed */
    int has_ci;        /* 0 when a side has fewer than 2 seeds */
    int dof;
    double mean;       /* mean difference SNR - Euclidean */
    double half_width; /* CI = mean +- half_width */
} dsml_diff;

/* Difference snr - euclidean. Returns DSML_ERR_ARG when a sample is empty. */
int dsml_stats_diff(const dsml_sample *snr, const dsml_sample *euclidean, dsml_diff *out);

#endif
