/* The verdict on each of the paper's comparisons, and claims.md.
 *
 * A comparison takes the SNR sample minus the Euclidean sample of one metric
 * (report/stats.h) and checks its 95% interval against the sign of the
 * paper's difference. */
#ifndef DSML_REPORT_CLAIMS_H
#define DSML_REPORT_CLAIMS_H

#include <stdio.h>

#include "report/published.h"
#include "report/runs.h"
#include "report/stats.h"

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

/* Writes claims.md to `fp`: every comparison of Tables 1-3 (DSML(x) vs x per
 * dataset, size, metric) on the datasets with runs, Table 4 (DSNRH vs each
 * other method) where hashing runs exist, and the qualitative claim "SNR
 * beats Euclidean for every loss" on each dataset with runs but no published
 * values; then counts per verdict. `counts` (may be NULL) receives them. */
int dsml_claims_write(FILE *fp, const dsml_run_set *runs, const dsml_published *pub, int counts[DSML_VERDICT_COUNT]);

#endif
