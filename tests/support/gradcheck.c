/* Central differences with kink detection; see gradcheck.h. */
#include "gradcheck.h"

#include <math.h>

gradcheck_result gradcheck(gradcheck_objective f, void *ctx, float *x, const float *analytic,
                           int n, int step, double eps, double tolerance)
{
    gradcheck_result r = {0};
    r.worst_index = -1;
    double f0 = f(ctx);
    if (step < 1) step = 1;
    for (int i = 0; i < n; i += step) {
        float saved = x[i];
        volatile float plus = (float)(saved + eps), minus = (float)(saved - eps);
        x[i] = plus;
        double fp = f(ctx);
        x[i] = minus;
        double fm = f(ctx);
        x[i] = saved;
        double h = (double)plus - (double)minus; /* the step actually taken in float */
        double numeric = (fp - fm) / h;
        double forward = (fp - f0) / ((double)plus - saved);
        double backward = (f0 - fm) / (saved - (double)minus);
        double scale = fmax(1.0, fmax(fabs(forward), fabs(backward)));
        if (fabs(forward - backward) / scale > 10 * tolerance) {
            r.skipped_kinks++;
            continue;
        }
        double a = analytic[i];
        double err = fabs(numeric - a) / fmax(1.0, fmax(fabs(numeric), fabs(a)));
        r.checked++;
        if (err > tolerance) r.failed++;
        if (err > r.max_error || r.worst_index < 0) {
            if (err > r.max_error) r.max_error = err;
            r.worst_index = i;
            r.worst_numeric = numeric;
            r.worst_analytic = a;
        }
    }
    return r;
}
