/* The von Mises-Fisher loss and its class mean directions (vmf.h):
 *
 *   L = -(1/N) sum_i log( exp(kappa mu_{y_i} . hn_i) / sum_c exp(kappa mu_c . hn_i) ),
 *   hn_i = h_i / |h_i|,
 *
 * the negative log posterior of the true class under C vMF densities of equal
 * concentration kappa and equal priors (the normalising constants C_D(kappa)
 * cancel). The means are constants for the loss: they are estimated from the
 * whole training set by the trainer (dsml_vmf_means_*), never by SGD.
 * Formulas, sources and choices: docs/losses.md, "vMF". */
#include "metric/vmf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/gemm.h"
#include "metric/l2norm.h"
#include "metric/loss_internal.h"

int dsml_vmf_means_create(dsml_vmf_means **out, int classes, int d, int max_n)
{
    *out = NULL;
    if (classes < 1 || d < 1 || max_n < 1)
        return dsml_fail(DSML_ERR_ARG, "vmf means: %d classes of %d values for batches of %d, expected all >= 1",
                         classes, d, max_n);
    dsml_vmf_means *m = calloc(1, sizeof *m);
    if (!m) return dsml_fail(DSML_ERR_NOMEM, "vmf means: out of memory");
    m->classes = classes;
    m->d = d;
    m->max_n = max_n;
    m->mu = calloc((size_t)classes * d, sizeof(float));
    m->sum = calloc((size_t)classes * d, sizeof(double));
    m->count = calloc((size_t)classes, sizeof(long));
    m->logits = calloc((size_t)max_n * classes, sizeof(float));
    if (!m->mu || !m->sum || !m->count || !m->logits) {
        dsml_vmf_means_free(m);
        return dsml_fail(DSML_ERR_NOMEM, "vmf means: out of memory for %d classes x %d", classes, d);
    }
    *out = m;
    return DSML_OK;
}

void dsml_vmf_means_free(dsml_vmf_means *m)
{
    if (!m) return;
    free(m->mu);
    free(m->sum);
    free(m->count);
    free(m->logits);
    free(m);
}

void dsml_vmf_means_begin(dsml_vmf_means *m)
{
    memset(m->sum, 0, sizeof(double) * (size_t)m->classes * m->d);
    memset(m->count, 0, sizeof(long) * (size_t)m->classes);
}

int dsml_vmf_means_add(dsml_vmf_means *m, const float *h, const int *labels, long n)
{
    int d = m->d;
    for (long i = 0; i < n; i++) {
        int c = labels[i];
        if (c < 0 || c >= m->classes)
            return dsml_fail(DSML_ERR_ARG, "vmf means: embedding %ld: label %d, expected 0..%d", i, c,
                             m->classes - 1);
        const float *hi = h + (size_t)i * d;
        double sq = 0;
        for (int k = 0; k < d; k++) {
            if (!isfinite(hi[k]))
                return dsml_fail(DSML_ERR_NUMERIC, "vmf means: embedding %ld, value %d is %g, expected a finite number",
                                 i, k, hi[k]);
            sq += (double)hi[k] * hi[k];
        }
        double r = sqrt(sq);
        if (r < DSML_L2NORM_MIN) r = DSML_L2NORM_MIN;
        double *s = m->sum + (size_t)c * d;
        for (int k = 0; k < d; k++) s[k] += hi[k] / r;
        m->count[c]++;
    }
    return DSML_OK;
}

int dsml_vmf_means_finish(dsml_vmf_means *m)
{
    long total = 0;
    for (int c = 0; c < m->classes; c++) total += m->count[c];
    if (!total) return dsml_fail(DSML_ERR_STATE, "vmf means: no embedding was added since begin");
    int d = m->d;
    for (int c = 0; c < m->classes; c++) {
        const double *s = m->sum + (size_t)c * d;
        double sq = 0;
        for (int k = 0; k < d; k++) sq += s[k] * s[k];
        if (!m->count[c] || sq <= 0) continue;
        double r = sqrt(sq);
        float *mu = m->mu + (size_t)c * d;
        for (int k = 0; k < d; k++) mu[k] = (float)(s[k] / r);
    }
    m->updates++;
    return DSML_OK;
}

int dsml_vmf_known(const dsml_vmf_means *m, const int *labels, long n)
{
    for (long i = 0; i < n; i++) {
        int c = labels[i];
        if (c < 0 || c >= m->classes) return 0;
        const float *mu = m->mu + (size_t)c * m->d;
        int nonzero = 0;
        for (int k = 0; k < m->d && !nonzero; k++) nonzero = mu[k] != 0.0f;
        if (!nonzero) return 0;
    }
    return 1;
}

double dsml_vmf_classify(const dsml_vmf_means *m, const float *h, const int *labels, long n, int *pred)
{
    int d = m->d;
    long correct = 0;
    for (long i = 0; i < n; i++) {
        const float *hi = h + (size_t)i * d;
        int best = 0;
        double best_dot = -INFINITY;
        for (int c = 0; c < m->classes; c++) {
            const float *mu = m->mu + (size_t)c * d;
            double dot = 0;
            for (int k = 0; k < d; k++) dot += (double)mu[k] * hi[k];
            if (dot > best_dot) {
                best_dot = dot;
                best = c;
            }
        }
        if (pred) pred[i] = best;
        if (labels && labels[i] == best) correct++;
    }
    return labels && n > 0 ? (double)correct / n : 0.0;
}

static int vmf(const dsml_loss_params *p, const float *h, const dsml_loss_batch *b, float *dh, dsml_loss_ws *ws,
               double *loss)
{
    const int *labels = b->labels;
    int n = b->n, d = b->d;
    dsml_vmf_means *m = p->vmf.means;
    if (!m || !m->updates)
        return dsml_fail(DSML_ERR_STATE, "vmf: the class mean directions are not set (estimate them from the "
                                         "training set first)");
    if (m->d != d || n > m->max_n)
        return dsml_fail(DSML_ERR_ARG, "vmf: batch of %d x %d, the means hold %d values for batches of up to %d", n,
                         d, m->d, m->max_n);
    int classes = m->classes;
    for (int i = 0; i < n; i++)
        if (labels[i] < 0 || labels[i] >= classes)
            return dsml_fail(DSML_ERR_ARG, "vmf: row %d: label %d, expected 0..%d", i, labels[i], classes - 1);
    double kappa = p->vmf.kappa, inv_n = 1.0 / n, total = 0;
    float *z = m->logits;
    dsml_l2norm_forward(h, n, d, ws->hn, ws->norm);
    /* Z = kappa Hn Mu^T: A = Hn (N x D), B = Mu stored C x D, used transposed. */
    dsml_gemm(DSML_NO_TRANS, DSML_TRANS, n, classes, d, (float)kappa, ws->hn, d, m->mu, d, 0.0f, z, classes);
    for (int i = 0; i < n; i++) {
        float *zi = z + (size_t)i * classes;
        double mx = -INFINITY, sum = 0;
        for (int c = 0; c < classes; c++)
            if (zi[c] > mx) mx = zi[c];
        for (int c = 0; c < classes; c++) sum += exp(zi[c] - mx);
        total += mx + log(sum) - zi[labels[i]];
        /* dL/dz_ic = (softmax_ic - [c = y_i]) / N, written over the logits. */
        for (int c = 0; c < classes; c++) {
            double g = exp(zi[c] - mx) / sum - (c == labels[i]);
            zi[c] = (float)(g * inv_n);
        }
    }
    /* dL/dHn = kappa dZ Mu: A = dZ (N x C), B = Mu (C x D). */
    dsml_gemm(DSML_NO_TRANS, DSML_NO_TRANS, n, d, classes, (float)kappa, z, classes, m->mu, d, 0.0f, ws->dhn, d);
    dsml_l2norm_backward(ws->hn, ws->norm, ws->dhn, n, d, dh);
    *loss = total * inv_n;
    return DSML_OK;
}

/* No margin and no L_r: the loss lives on the unit sphere. */
static void defaults(dsml_loss_params *p)
{
    p->margin = 0.0f;
    p->lambda = 0.0f;
}

static int check(const dsml_loss_params *p)
{
    const char *name = dsml_loss_vmf_entry.name;
    int rc = dsml_loss_check_common_equations(name, p);
    return rc ? rc : dsml_loss_check_positive(name, "kappa", p->vmf.kappa);
}

static const char *const options[] = {"kappa", NULL};

const dsml_loss_entry dsml_loss_vmf_entry = {
    .kind = DSML_LOSS_VMF,
    .name = "vmf",
    .summary = "von Mises-Fisher: softmax over cosines to the class mean directions",
    .options = options,
    .distances = DSML_LOSS_DISTANCE(DSML_DIST_EUCLIDEAN),
    .works_on = "cosine similarities",
    .class_means = 1,
    .unit_sphere = 1,
    .defaults = defaults,
    .check = check,
    .on_embeddings = vmf,
};
