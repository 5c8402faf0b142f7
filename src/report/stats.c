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

/* The continued fraction of I_x(a, b) (Numerical Recipes' betacf, modified
 * Lentz), converging fast for x < (a + 1) / (a + b + 2). */
static double beta_fraction(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-16;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 1000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < eps) break;
    }
    return h;
}

double dsml_stats_betainc(double a, double b, double x)
{
    if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1)) return NAN;
    if (x == 0 || x == 1) return x;
    double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
    return 1 - front * beta_fraction(b, a, 1 - x) / b; /* the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) */
}

/* P(|T| >= |t|): I_{dof / (dof + t^2)}(dof / 2, 1 / 2), exact in the tails. */
static double t_two_tail(double t, int dof)
{
    if (isinf(t)) return 0;
    return dsml_stats_betainc(0.5 * dof, 0.5, dof / (dof + t * t));
}

double dsml_stats_t_cdf(double t, int dof)
{
    if (dof < 1 || isnan(t)) return NAN;
    double tail = 0.5 * t_two_tail(t, dof);
    return t > 0 ? 1 - tail : tail;
}

/* P(T >= t), without the cancellation of 1 - cdf in the upper tail. */
static double t_upper(double t, int dof)
{
    double tail = 0.5 * t_two_tail(t, dof);
    return t > 0 ? tail : 1 - tail;
}

double dsml_stats_t_quantile(double p, int dof)
{
    if (dof < 1 || !(p > 0) || !(p < 1)) return NAN;
    if (p == 0.5) return 0;
    if (p < 0.5) return -dsml_stats_t_quantile(1 - p, dof);
    double lo = 0, hi = 1;
    while (dsml_stats_t_cdf(hi, dof) < p && hi < 1e300) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) { /* bisection: the cdf is monotone */
        double mid = 0.5 * (lo + hi);
        if (dsml_stats_t_cdf(mid, dof) < p) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

double dsml_stats_t95(int dof)
{
    return dof < 1 ? INFINITY : dsml_stats_t_quantile(0.975, dof);
}

double dsml_stats_t_crit(double alpha, int dof)
{
    return dof < 1 ? INFINITY : dsml_stats_t_quantile(1 - alpha / 2, dof);
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
            out->se = sd / sqrt((double)snr->n);
            out->half_width = dsml_stats_t95(out->dof) * out->se;
        }
    } else {
        double ms, ss, me, se;
        dsml_stats_mean_sd(snr->values, snr->n, &ms, &ss);
        dsml_stats_mean_sd(euclidean->values, euclidean->n, &me, &se);
        out->mean = ms - me;
        if (snr->n >= 2 && euclidean->n >= 2) {
            out->has_ci = 1;
            out->dof = (snr->n < euclidean->n ? snr->n : euclidean->n) - 1;
            out->se = sqrt(ss * ss / snr->n + se * se / euclidean->n);
            out->half_width = dsml_stats_t95(out->dof) * out->se;
        }
    }
    return DSML_OK;
}

double dsml_stats_p_diff(const dsml_diff *d)
{
    if (!d->has_ci) return NAN;
    if (d->se == 0) return d->mean != 0 ? 0 : 1;
    return t_two_tail(d->mean / d->se, d->dof);
}

double dsml_stats_p_tost(const dsml_diff *d, double delta)
{
    if (!d->has_ci) return NAN;
    double p_low, p_high; /* H0: difference <= -delta; H0: difference >= +delta */
    if (d->se == 0) {
        p_low = d->mean > -delta ? 0 : 1;
        p_high = d->mean < delta ? 0 : 1;
    } else {
        p_low = t_upper((d->mean + delta) / d->se, d->dof);
        p_high = dsml_stats_t_cdf((d->mean - delta) / d->se, d->dof);
    }
    return p_low > p_high ? p_low : p_high;
}

int dsml_stats_equivalent(const dsml_diff *d, double delta)
{
    return dsml_stats_equivalent_at(d, delta, 0.05);
}

int dsml_stats_equivalent_at(const dsml_diff *d, double delta, double alpha)
{
    if (!d->has_ci) return 0;
    double h = dsml_stats_t_quantile(1 - alpha, d->dof) * d->se; /* 1 - 0.05 is 0.95 exactly in double */
    return d->mean - h > -delta && d->mean + h < delta;
}

/* The 0-based rank of p[i] among the p-values that are not NaN: ascending,
 * ties by index. */
static int holm_rank(const double *p, int n, int i)
{
    int rank = 0;
    for (int j = 0; j < n; j++) rank += !isnan(p[j]) && (p[j] < p[i] || (p[j] == p[i] && j < i));
    return rank;
}

void dsml_stats_holm(const double *p, int n, double alpha, int *reject)
{
    int m = 0;
    for (int i = 0; i < n; i++) m += !isnan(p[i]);
    /* the first rank (0-based, ascending p, ties by index) that fails stops the procedure */
    int stop = m;
    for (int i = 0; i < n; i++) {
        if (isnan(p[i])) continue;
        int rank = holm_rank(p, n, i);
        if (!(p[i] < alpha / (m - rank)) && rank < stop) stop = rank;
    }
    for (int i = 0; i < n; i++) {
        reject[i] = !isnan(p[i]) && holm_rank(p, n, i) < stop;
    }
}
