/* The verdict on each of the paper's comparisons, and claims.md.
 *
 * A comparison takes the SNR sample minus the Euclidean sample of one metric
 * (report/stats.h). Its raw verdict: reproduced or contradicted when the 95%
 * interval excludes 0 (on the side of the paper's difference, or the other);
 * else equivalent when two one-sided tests show the difference inside
 * (-delta, +delta); else inconclusive. The verdict after Holm's correction
 * takes the same decisions from p-values, Holm-adjusted over the family of
 * one claims.md section (one table of one dataset, one equations arm):
 * the two-sided p of the difference, then, separately, the TOST p.
 *
 * Adaptive mode (docs/tables.md, "Adaptive seeds") looks at the data up to K
 * times, adding seeds to the cells still undecided; every test then runs at
 * level alpha / K (Bonferroni over the looks), intervals included. K is
 * dsml_claims_options.looks, recorded in <results>/adaptive.txt. */
#ifndef DSML_REPORT_CLAIMS_H
#define DSML_REPORT_CLAIMS_H

#include <stdio.h>

#include "report/published.h"
#include "report/runs.h"
#include "report/stats.h"
#include "results/account.h"

#define DSML_CLAIMS_ALPHA 0.05
#define DSML_CLAIMS_MARGIN 1.0 /* default equivalence margin, percentage points */

typedef enum {
    DSML_VERDICT_REPRODUCED,   /* CI excludes 0 on the side of the paper's difference */
    DSML_VERDICT_CONTRADICTED, /* CI excludes 0 on the other side (or the paper shows no difference) */
    DSML_VERDICT_EQUIVALENT,   /* CI includes 0 and the 90% interval lies inside (-delta, +delta) */
    DSML_VERDICT_INCONCLUSIVE, /* neither, or a single seed (no CI) */
    DSML_VERDICT_NOT_RUN,      /* one side (or both) has no runs */
    DSML_VERDICT_COUNT
} dsml_verdict;

/* `paper_diff`: the paper's SNR - Euclidean (or ours - theirs) difference; its
 * sign is the claim. `d` NULL means not run. `delta`: the equivalence margin
 * in d's unit. */
dsml_verdict dsml_verdict_decide(double paper_diff, const dsml_diff *d, double delta);
/* The same at level alpha: the (1 - alpha) interval mean +- t_crit(alpha) * se
 * (not d->half_width) and TOST at alpha. At 0.05 it decides as dsml_verdict_decide
 * on a difference from dsml_stats_diff. */
dsml_verdict dsml_verdict_decide_at(double paper_diff, const dsml_diff *d, double delta, double alpha);
const char *dsml_verdict_name(dsml_verdict v);

/* One comparison with its tests. Set paper_diff, run and (when run) d, then
 * dsml_claim_test; dsml_claims_holm over the family sets holm. */
typedef struct {
    double paper_diff;    /* the claim: its sign */
    int run;              /* both sides have runs: d is set */
    dsml_diff d;
    double p_diff;        /* two-sided p of "no difference"; NaN without an interval */
    double p_tost;        /* TOST p of "a difference of delta or more"; NaN without an interval */
    dsml_verdict raw;     /* dsml_verdict_decide */
    dsml_verdict holm;    /* after Holm's correction over the family */
} dsml_claim;

/* Fills p_diff, p_tost and raw (and holm = raw) for margin delta, at level
 * DSML_CLAIMS_ALPHA (dsml_claim_test) or alpha. */
void dsml_claim_test(dsml_claim *c, double delta);
void dsml_claim_test_at(dsml_claim *c, double delta, double alpha);
/* Holm over the n claims of one family at family-wise level alpha: the
 * difference tests first (a rejection gives reproduced or contradicted by
 * the sign of our mean difference), then the TOST p's of the others, Holm
 * over the whole family separately (a rejection gives equivalent). Claims
 * without an interval keep their raw verdict and are not in the family. */
void dsml_claims_holm(dsml_claim *c, int n, double alpha);

typedef struct {
    double margin;             /* equivalence margin in percentage points (Table 4's fractions: margin / 100) */
    const char *manifests_dir; /* datasets/<name>.manifest for the provenance lines; NULL: none */
    int looks;                 /* K: every test at DSML_CLAIMS_ALPHA / K; < 1 counts as 1 (one look) */
    FILE *undecided;           /* NULL, or where the undecided cells go (dsml_claims_write) */
    const dsml_account *account; /* NULL, or the sweep's account: the summary says why datasets were not run */
} dsml_claims_options;

typedef struct {
    int raw[DSML_VERDICT_COUNT];
    int holm[DSML_VERDICT_COUNT];
} dsml_claims_counts;

/* Writes claims.md to `fp`: every comparison of Tables 1-3 (DSML(x) vs x per
 * dataset, size, metric) on the datasets with runs, Table 4 (DSNRH vs each
 * other method) where hashing runs exist, and the qualitative claim "SNR
 * beats Euclidean for every loss" on each dataset with runs but no published
 * values, a section per equations arm present (report/runs.h); a summary
 * line per section, counts per verdict, and the data's provenance.
 * `counts` (may be NULL) receives the counts.
 *
 * With opt->undecided, one line per cell (dataset folder, loss, size,
 * equations arm) that has a comparison whose Holm verdict is inconclusive
 * while both sides have runs, in the order of claims.md, each cell once:
 *   "cifar10 triplet 32 common 3"   the last field: the seeds both sides have
 *                                   (the fewest over the cell's comparisons)
 * A paper-arm row whose runs are all borrowed from the common arm (triplet)
 * names the common arm: that is where seeds would be added. Table 4's cells:
 * "cifar10-hashing dpsh 16 common 3" (DSNRH vs DPSH at 16 bits, the other
 * method's loss in lower case). */
int dsml_claims_write(FILE *fp, const dsml_run_set *runs, const dsml_published *pub, const dsml_claims_options *opt,
                      dsml_claims_counts *counts);

/* The looks recorded by adaptive mode in <results_dir>/adaptive.txt, one line
 * "looks K" (1 <= K <= 1000): *looks = K, or 1 when the file is absent. A file
 * that says anything else fails, naming it and what it found. */
int dsml_claims_looks_read(const char *results_dir, int *looks);

#endif
