/* The loss dispatcher: names, defaults, workspace, argument and finiteness
 * checks, then distance forward -> one loss -> distance backward, plus the
 * regulariser. See loss.h. */
#include "metric/loss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "metric/loss_internal.h"

static const char *const names[] = {
    [DSML_LOSS_CONTRASTIVE] = "contrastive",
    [DSML_LOSS_TRIPLET] = "triplet",
    [DSML_LOSS_LIFTED] = "lifted",
    [DSML_LOSS_NPAIR] = "npair",
    [DSML_LOSS_VMF] = "vmf",
    [DSML_LOSS_GPW] = "gpw",
    [DSML_LOSS_DPSH] = "dpsh",
    [DSML_LOSS_DTSH] = "dtsh",
};

int dsml_loss_parse(const char *name, dsml_loss_kind *out)
{
    for (int k = 0; k < (int)(sizeof names / sizeof names[0]); k++)
        if (name && strcmp(name, names[k]) == 0) {
            *out = (dsml_loss_kind)k;
            return DSML_OK;
        }
    return dsml_fail(DSML_ERR_ARG, "loss '%s': expected contrastive, triplet, lifted, npair, vmf, gpw, dpsh or dtsh", name ? name : "(null)");
}

const char *dsml_loss_name(dsml_loss_kind kind)
{
    if ((int)kind < 0 || (int)kind >= (int)(sizeof names / sizeof names[0])) return "unknown";
    return names[kind];
}

/* The table is in docs/losses.md; keep the two in step. */
dsml_loss_params dsml_loss_defaults(dsml_loss_kind loss, dsml_distance_kind distance)
{
    int snr = distance == DSML_DIST_SNR;
    dsml_loss_params p = {
        .loss = loss,
        .distance = distance,
        .margin = 1.0f,
        .beta = 1.0f,
        .lambda = snr ? 0.01f : 0.0f,
        .lifted_hard = 0,
        .npair_l2 = 0.0f,
        .density = 0.0f,
        .density_ratio = DSML_DENSITY_DEFAULT_RATIO,
        .gpw_mining = DSML_GPW_MINE_MS,
        .gpw_epsilon = 0.1f,
        .vmf_kappa = 16.0f,
    };
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_MS);
    switch (loss) {
    case DSML_LOSS_CONTRASTIVE: p.margin = 1.0f; break;
    case DSML_LOSS_TRIPLET: p.margin = snr ? 0.5f : 1.0f; break;
    case DSML_LOSS_LIFTED: p.margin = 1.0f; p.beta = 1.0f; break;
    case DSML_LOSS_NPAIR: p.margin = 0.0f; break;
    case DSML_LOSS_VMF: case DSML_LOSS_GPW: p.margin = 0.0f; p.lambda = 0.0f; break;
    case DSML_LOSS_DPSH: p.margin = 0.0f; p.lambda = 0.0f; p.quant = 0.1f; break;
    case DSML_LOSS_DTSH: p.margin = 0.5f; p.lambda = 0.0f; p.quant = 0.1f; break;
    }
    return p;
}

int dsml_loss_ws_create(dsml_loss_ws **out, int max_n, int d)
{
    *out = NULL;
    if (max_n < 1 || d < 1)
        return dsml_fail(DSML_ERR_ARG, "loss workspace: %d rows of %d values, expected both >= 1", max_n, d);
    dsml_loss_ws *ws = calloc(1, sizeof *ws);
    if (!ws) return dsml_fail(DSML_ERR_NOMEM, "loss workspace: out of memory");
    ws->max_n = max_n;
    ws->d = d;
    int rc = dsml_distance_ws_create(&ws->dist_ws, max_n, d);
    if (rc) {
        free(ws);
        return rc;
    }
    size_t nn = (size_t)max_n * max_n;
    ws->dist = malloc(sizeof(float) * nn);
    ws->w = malloc(sizeof(float) * nn);
    ws->row_a = malloc(sizeof(double) * max_n);
    ws->row_b = malloc(sizeof(double) * max_n);
    ws->row_c = malloc(sizeof(double) * max_n);
    ws->idx_a = malloc(sizeof(int) * max_n);
    ws->idx_b = malloc(sizeof(int) * max_n);
    ws->hn = malloc(sizeof(float) * (size_t)max_n * d);
    ws->dhn = malloc(sizeof(float) * (size_t)max_n * d);
    ws->norm = malloc(sizeof(double) * max_n);
    ws->mask = malloc(nn);
    ws->similar = malloc(nn);
    if (!ws->dist || !ws->w || !ws->row_a || !ws->row_b || !ws->row_c || !ws->idx_a || !ws->idx_b || !ws->hn ||
        !ws->dhn || !ws->norm || !ws->mask || !ws->similar) {
        dsml_loss_ws_free(ws);
        return dsml_fail(DSML_ERR_NOMEM, "loss workspace: out of memory for %d x %d", max_n, d);
    }
    *out = ws;
    return DSML_OK;
}

void dsml_loss_ws_free(dsml_loss_ws *ws)
{
    if (!ws) return;
    dsml_distance_ws_free(ws->dist_ws);
    free(ws->dist);
    free(ws->w);
    free(ws->row_a);
    free(ws->row_b);
    free(ws->row_c);
    free(ws->idx_a);
    free(ws->idx_b);
    free(ws->hn);
    free(ws->dhn);
    free(ws->norm);
    free(ws->mask);
    free(ws->similar);
    free(ws);
}

static int check_params(const dsml_loss_params *p)
{
    int rc;
    const char *loss = dsml_loss_name(p->loss);
    if ((int)p->loss < 0 || (int)p->loss >= (int)(sizeof names / sizeof names[0]))
        return dsml_fail(DSML_ERR_ARG, "loss: unknown loss kind %d", (int)p->loss);
    if ((int)p->distance < 0 || p->distance > DSML_DIST_SNR)
        return dsml_fail(DSML_ERR_ARG, "%s: unknown distance kind %d", loss, (int)p->distance);
    if (!isfinite(p->margin) || p->margin < 0)
        return dsml_fail(DSML_ERR_ARG, "%s: margin %g, expected a finite value >= 0", loss, p->margin);
    if (p->loss == DSML_LOSS_LIFTED && (!isfinite(p->beta) || p->beta <= 0))
        return dsml_fail(DSML_ERR_ARG, "lifted: beta %g, expected a finite value > 0", p->beta);
    if (!isfinite(p->lambda) || p->lambda < 0)
        return dsml_fail(DSML_ERR_ARG, "%s: lambda %g, expected a finite value >= 0", loss, p->lambda);
    if (!isfinite(p->npair_l2) || p->npair_l2 < 0)
        return dsml_fail(DSML_ERR_ARG, "%s: npair L2 weight %g, expected a finite value >= 0", loss, p->npair_l2);
    rc = dsml_loss_related_check(p);
    if (rc) return rc;
    if (!isfinite(p->quant) || p->quant < 0)
        return dsml_fail(DSML_ERR_ARG, "%s: quantisation weight %g, expected a finite value >= 0", loss, p->quant);
    if ((p->loss == DSML_LOSS_DPSH || p->loss == DSML_LOSS_DTSH) && p->distance != DSML_DIST_EUCLIDEAN)
        return dsml_fail(DSML_ERR_ARG, "%s: works on inner products, expected distance euclidean (the default), found %s",
                         loss, dsml_distance_name(p->distance));
    return DSML_OK;
}

/* labels (single-label) or sets of `words` words (multi-label, hashing losses only). */
static int compute(const dsml_loss_params *p, const float *h, const int *labels, const uint64_t *sets, int words,
                   int n, int d, float *dh, dsml_loss_ws *ws, double *loss)
{
    *loss = 0;
    int rc = check_params(p);
    if (rc) return rc;
    const char *name = dsml_loss_name(p->loss), *dname = dsml_distance_name(p->distance);
    if (n < 1 || n > ws->max_n || d != ws->d)
        return dsml_fail(DSML_ERR_ARG, "%s: batch of %d x %d, the loss workspace holds up to %d x %d", name, n, d,
                         ws->max_n, ws->d);
    if (!h || (!labels && !sets) || !dh)
        return dsml_fail(DSML_ERR_ARG, "%s: missing embeddings, labels or gradient buffer", name);
    int hashing = p->loss == DSML_LOSS_DPSH || p->loss == DSML_LOSS_DTSH;
    if (!labels && !dsml_loss_takes_label_sets(p))
        return dsml_fail(DSML_ERR_ARG, "%s: multi-label batches are for contrastive (without --density), dpsh and "
                                       "dtsh only", name);
    if (!labels && words < 1)
        return dsml_fail(DSML_ERR_ARG, "%s: %d words per label set, expected at least 1", name, words);
    for (size_t i = 0; i < (size_t)n * d; i++)
        if (!isfinite(h[i]))
            return dsml_fail(DSML_ERR_NUMERIC, "%s: input embedding %zu, value %zu is %g, expected a finite number",
                             name, i / d, i % d, h[i]);
    memset(dh, 0, sizeof(float) * (size_t)n * d);

    double value;
    if (hashing) {
        dsml_loss_similarity(ws->similar, labels, sets, words, n);
        value = p->loss == DSML_LOSS_DPSH ? dsml_loss_dpsh(p, h, ws->similar, n, d, dh, ws)
                                          : dsml_loss_dtsh(p, h, ws->similar, n, d, dh, ws);
    } else if (p->loss == DSML_LOSS_NPAIR) {
        rc = dsml_loss_npair(p, h, labels, n, d, dh, ws, &value);
        if (rc) return rc;
    } else if (p->loss == DSML_LOSS_VMF) {
        rc = dsml_loss_vmf(p, h, labels, n, d, dh, ws, &value);
        if (rc) return rc;
    } else if (p->loss == DSML_LOSS_GPW) {
        value = dsml_loss_gpw(p, h, labels, n, d, dh, ws);
    } else {
        rc = dsml_distance_forward(p->distance, ws->dist, h, n, d, ws->dist_ws);
        if (rc) return rc;
        for (size_t i = 0; i < (size_t)n * n; i++)
            if (!isfinite(ws->dist[i]))
                return dsml_fail(DSML_ERR_NUMERIC, "%s: %s distance (%zu, %zu) is not finite", name, dname,
                                 i / n, i % n);
        switch (p->loss) {
        case DSML_LOSS_CONTRASTIVE:
            dsml_loss_similarity(ws->similar, labels, sets, words, n);
            value = dsml_loss_contrastive(p, ws->dist, ws->similar, n, ws->w);
            break;
        case DSML_LOSS_TRIPLET: value = dsml_loss_triplet(p, ws->dist, labels, n, ws->w, ws); break;
        default: value = dsml_loss_lifted(p, ws->dist, labels, n, ws->w, ws); break;
        }
        rc = dsml_distance_backward(p->distance, dh, ws->w, ws->dist, n, d, ws->dist_ws);
        if (rc) return rc;
    }
    if (p->density > 0) {
        double extra;
        rc = dsml_loss_density(p, h, labels, n, d, dh, ws, &extra);
        if (rc) return rc;
        value += extra;
    }
    if (p->lambda > 0) value += dsml_loss_regulariser(p->lambda, h, n, d, dh);

    if (!isfinite(value))
        return dsml_fail(DSML_ERR_NUMERIC, "%s with %s distance: the loss is %g", name, dname, value);
    for (size_t i = 0; i < (size_t)n * d; i++)
        if (!isfinite(dh[i]))
            return dsml_fail(DSML_ERR_NUMERIC, "%s with %s distance: gradient of embedding %zu, value %zu is %g",
                             name, dname, i / d, i % d, dh[i]);
    *loss = value;
    return DSML_OK;
}

int dsml_loss_takes_label_sets(const dsml_loss_params *p)
{
    return p->loss == DSML_LOSS_DPSH || p->loss == DSML_LOSS_DTSH ||
           (p->loss == DSML_LOSS_CONTRASTIVE && p->density == 0);
}

int dsml_loss_check(const dsml_loss_params *p)
{
    return check_params(p);
}

int dsml_loss_compute(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh,
                      dsml_loss_ws *ws, double *loss)
{
    if (!labels) {
        *loss = 0;
        return dsml_fail(DSML_ERR_ARG, "%s: missing labels", dsml_loss_name(p->loss));
    }
    return compute(p, h, labels, NULL, 0, n, d, dh, ws, loss);
}

int dsml_loss_compute_multi(const dsml_loss_params *p, const float *h, const uint64_t *label_sets, int words, int n,
                            int d, float *dh, dsml_loss_ws *ws, double *loss)
{
    if (!label_sets) {
        *loss = 0;
        return dsml_fail(DSML_ERR_ARG, "%s: missing label sets", dsml_loss_name(p->loss));
    }
    return compute(p, h, NULL, label_sets, words, n, d, dh, ws, loss);
}
