/* Fixtures of the metric tests; see loss_cases.h. */
#include "loss_cases.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "gradcheck.h"

const int loss_cases_classes[12] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};
const int loss_cases_pairs[8] = {4, 4, 1, 1, 9, 9, 2, 2};

void loss_cases_normal(uint64_t seed, float *h, int n, int d, double scale)
{
    dsml_rng r;
    dsml_rng_seed(&r, seed);
    for (int i = 0; i < n * d; i++) h[i] = (float)(scale * dsml_rng_normal(&r));
}

void loss_cases_shifted(uint64_t seed, float *h, int n, int d, float offset)
{
    dsml_rng r;
    dsml_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        float shift = offset * (float)dsml_rng_normal(&r);
        for (int k = 0; k < d; k++) h[i * d + k] = (float)dsml_rng_normal(&r) + shift;
    }
}

static double naive_var(const double *a, int d)
{
    double mean = 0, v = 0;
    for (int k = 0; k < d; k++) mean += a[k];
    mean /= d;
    for (int k = 0; k < d; k++) v += (a[k] - mean) * (a[k] - mean);
    return v / d;
}

double loss_cases_naive_distance(dsml_distance_kind kind, const float *hi, const float *hj, int d)
{
    double diff[256], self[256], sq = 0;
    ck_assert_int_le(d, 256);
    for (int k = 0; k < d; k++) {
        diff[k] = (double)hj[k] - hi[k];
        self[k] = hi[k];
        sq += diff[k] * diff[k];
    }
    switch (kind) {
    case DSML_DIST_EUCLIDEAN: return sqrt(sq);
    case DSML_DIST_SQEUCLIDEAN: return sq;
    default: return naive_var(diff, d) / naive_var(self, d);
    }
}

double loss_cases_value(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh)
{
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, n, d), DSML_OK);
    float *scratch = dh ? NULL : malloc(sizeof(float) * (size_t)n * d);
    ck_assert(dh || scratch);
    double loss = NAN;
    int rc = dsml_loss_compute(p, h, labels, n, d, dh ? dh : scratch, ws, &loss);
    free(scratch);
    dsml_loss_ws_free(ws);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
    return loss;
}

double loss_case_objective(void *v)
{
    loss_case *c = v;
    double loss = NAN;
    int rc = c->labels ? dsml_loss_compute(&c->p, c->h, c->labels, c->n, c->d, c->dh, c->ws, &loss)
                       : dsml_loss_compute_multi(&c->p, c->h, c->sets, 1, c->n, c->d, c->dh, c->ws, &loss);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
    return loss;
}

void loss_case_assert_gradient(loss_case *c, const char *what, int min_percent)
{
    size_t size = (size_t)c->n * c->d;
    float *analytic = malloc(sizeof(float) * size);
    ck_assert_ptr_nonnull(analytic);
    double loss = loss_case_objective(c);
    ck_assert_msg(isfinite(loss) && loss > 0, "%s: loss %g: %s", what, loss, dsml_last_error());
    memcpy(analytic, c->dh, sizeof(float) * size);
    gradcheck_result g = gradcheck(loss_case_objective, c, c->h, analytic, (int)size, 1, 1e-3, 1e-2);
    free(analytic);
    ck_assert_msg(g.failed == 0 && g.checked >= (int)size * min_percent / 100,
                  "%s: %d failed, %d checked, %d kinks; worst %d: numeric %g analytic %g", what, g.failed, g.checked,
                  g.skipped_kinks, g.worst_index, g.worst_numeric, g.worst_analytic);
}

dsml_vmf_means *loss_cases_means(const float *rows, int classes, int d, int max_n)
{
    dsml_vmf_means *m;
    ck_assert_int_eq(dsml_vmf_means_create(&m, classes, d, max_n), DSML_OK);
    int ids[64];
    ck_assert_int_le(classes, 64);
    for (int c = 0; c < classes; c++) ids[c] = c;
    dsml_vmf_means_begin(m);
    ck_assert_int_eq(dsml_vmf_means_add(m, rows, ids, classes), DSML_OK);
    ck_assert_int_eq(dsml_vmf_means_finish(m), DSML_OK);
    return m;
}
