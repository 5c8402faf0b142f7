/* Statistics over seeds; see stats.h. */
#include "report/stats.h"
#include "core/error.h"

#include <math.h>
#include <string.h>

void dsml_stats_mean_sd(const double *x, int n, double *mean, double *sd)
{
    double m = 0, ss = 0;
    for (int i = 0; i < n; i++) m += x[i];
    m = n > 0 ? m / n : 0;
    for (int i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(ss / (n - 1)) : 0;
}

double dsml_stats_t95(int dof)
{
    static const double t[31] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201, 2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
                                 2.074, 2.069,  2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (dof < 1) return INFINITY;
    return dof <= 30 ? t[dof] : 1.96;
}

int dsml_stats_diff(const dsml_sample *snr, const dsml_sample *euclidean, dsml_diff *out)
{
    memset(out, 0, sizeof *out);
    if (snr->n < 1 || euclidean->n < 1)
        return dsml_fail(DSML_ERR_ARG, "difference of samples: expected at least 1 value each, found %d and %d",
                         snr->n, euclidean->n);
    out->n_snr = snr->n;
    out->n_euclidean = euclidean->n;
    int paired = snr->n == euclidean->n;
    for (int i = 0; paired && i < snr->n; i++) paired = snr->seeds[i] == euclidean->seeds[i];
    out->paired = paired;
    if (paired) {
        double d[DSML_MAX_SEEDS], mean, sd;
        for (int i = 0; i < snr->n; i++) d[i] = snr->values[i] - euclidean->values[i];
        dsml_stats_mean_sd(d, snr->n, &mean, &sd);
        out->mean = mean;
        if (snr->n >= 2) {
            out->has_ci = 1;
            out->dof = snr->n - 1;
            out->half_width = dsml_stats_t95(out->dof) * sd / sqrt((double)snr->n);
        }
    } else {
        double ms, ss, me, se;
        dsml_stats_mean_sd(snr->values, snr->n, &ms, &ss);
        dsml_stats_mean_sd(euclidean->values, euclidean->n, &me, &se);
        out->mean = ms - me;
        if (snr->n >= 2 && euclidean->n >= 2) {
            out->has_ci = 1;
            out->dof = (snr->n < euclidean->n ? snr->n : euclidean->n) - 1;
            out->half_width = dsml_stats_t95(out->dof) * sqrt(ss * ss / snr->n + se * se / euclidean->n);
        }
    }
    return DSML_OK;
}
