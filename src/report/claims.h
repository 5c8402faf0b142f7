/* Statistics over seeds and the verdict on each of the paper's comparisons.
 *
 * A sample is one metric of one group of runs (dataset, loss, distance, dim)
 * over seeds. A comparison takes the SNR sample minus the Euclidean sample:
 * paired by seed when both hold exactly the same seeds, else the difference
 * of the means (Welch's standard error, with min(n1, n2) - 1 degrees of
 * freedom, a conservative choice). The 95% interval uses Student's t from a
 * table for 1..30 degrees of freedom and 1.96 beyond. */
#ifndef DSML_REPORT_CLAIMS_H
#define DSML_REPORT_CLAIMS_H

#include <stdio.h>

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

typedef enum {
    DSML_VERDICT_REPRODUCED,   /* CI excludes 0 on the side of the paper's difference */
    DSML_VERDICT_CONTRADICTED, /* CI excludes 0 on the other side (or the paper shows no difference) */
    DSML_VERDICT_INCONCLUSIVE, /* CI includes 0, or a single seed (no CI) */
    DSML_VERDICT_NOT_RUN,      /* one side (or both) has no runs */
    DSML_VERDICT_COUNT
} dsml_verdict;

/* `paper_diff`: the paper's SNR - Euclidean (or ours - theirs) difference; its
 * sign is the claim. `d` NULL means not run. */
dsml_verdict dsml_verdict_decide(double paper_diff, const dsml_diff *d);
const char *dsml_verdict_name(dsml_verdict v);

struct dsml_run_set;
struct dsml_published;

/* Writes claims.md to `fp`: every comparison of Tables 1-3 (DSML(x) vs x per
 * dataset, size, metric) on the datasets with runs, Table 4 (DSNRH vs each
 * other method) where hashing runs exist, and the qualitative claim "SNR
 * beats Euclidean for every loss" on each dataset with runs but no published
 * values; then counts per verdict. `counts` (may be NULL) receives them. */
int dsml_claims_write(FILE *fp, const struct dsml_run_set *runs, const struct dsml_published *pub,
                      int counts[DSML_VERDICT_COUNT]);

#endif
