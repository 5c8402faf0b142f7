/* The loss dispatcher: defaults, workspace, the common checks, then the
 * registry entry of the loss: distance forward -> the loss on the distance
 * matrix -> distance backward, or the loss on the embeddings; then the
 * density regulariser where it plugs in, and L_r. See loss.h. */
#include "metric/loss.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/names.h"
#include "metric/loss_internal.h"
#include "metric/pairs.h"

/* The table is in docs/losses.md; keep the two in step. Every sub-struct
 * gets its default whatever the loss, then the entry adjusts. */
dsml_loss_params dsml_loss_defaults(dsml_loss_kind loss, dsml_distance_kind distance)
{
    dsml_loss_params p = {
        .loss = loss,
        .distance = distance,
        .equations = DSML_EQUATIONS_COMMON,
        .margin = 1.0f,
        .lambda = distance == DSML_DIST_SNR ? 0.01f : 0.0f,
        .density = {.weight = 0.0f, .ratio = DSML_DENSITY_DEFAULT_RATIO},
        .lifted = {.beta = 1.0f, .hard = 0},
        .npair = {.l2 = 0.0f},
        .hashing = {.quant = 0.0f},
        .vmf = {.kappa = 16.0f, .means = NULL},
        .gpw = {.mining = DSML_GPW_MINE_MS, .epsilon = 0.1f},
    };
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_MS);
    const dsml_loss_entry *e = dsml_loss_entry_of(loss);
    if (e && e->defaults) e->defaults(&p);
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

static int with_density(const dsml_loss_entry *e) { return e->density; }
static int with_label_sets(const dsml_loss_entry *e) { return e->label_sets; }

/* "a, b or c": the names of the losses `pick` selects, from the registry,
 * joined with `last` before the last one; with `marked`, the ones the density
 * regulariser plugs into get " (without --density)". */
static void join_losses(int (*pick)(const dsml_loss_entry *), const char *last, int marked, char *buf, size_t size)
{
    int total = 0, seen = 0;
    for (int k = 0; k < DSML_LOSS_COUNT; k++) total += pick(dsml_loss_entry_of((dsml_loss_kind)k));
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < DSML_LOSS_COUNT && used < size; k++) {
        const dsml_loss_entry *e = dsml_loss_entry_of((dsml_loss_kind)k);
        if (!pick(e)) continue;
        const char *sep = seen == 0 ? "" : seen == total - 1 ? last : ", ";
        int w = snprintf(buf + used, size - used, "%s%s%s", sep, e->name,
                         marked && e->density ? " (without --density)" : "");
        used += w < 0 ? 0 : (size_t)w;
        seen++;
    }
}

/* The common checks, then the entry's. */
static int check_params(const dsml_loss_params *p)
{
    const dsml_loss_entry *e = dsml_loss_entry_of(p->loss);
    if (!e) return dsml_fail(DSML_ERR_ARG, "loss: unknown loss kind %d", (int)p->loss);
    const char *loss = e->name;
    if ((int)p->distance < 0 || p->distance > DSML_DIST_SNR)
        return dsml_fail(DSML_ERR_ARG, "%s: unknown distance kind %d", loss, (int)p->distance);
    if ((int)p->equations < 0 || p->equations > DSML_EQUATIONS_PAPER)
        return dsml_fail(DSML_ERR_ARG, "%s: unknown equations kind %d", loss, (int)p->equations);
    int rc = dsml_loss_check_nonnegative(loss, "lambda", p->lambda);
    if (rc) return rc;
    if (e->density) {
        rc = dsml_density_check(loss, &p->density);
    } else if (p->density.weight != 0) {
        char list[256];
        join_losses(with_density, " or ", 0, list, sizeof list);
        return dsml_fail(DSML_ERR_ARG, "%s: the density regulariser plugs into %s", loss, list);
    }
    if (!rc) rc = e->check(p);
    if (rc) return rc;
    if (!(e->distances & DSML_LOSS_DISTANCE(p->distance))) {
        const char *accepted[DSML_DIST_SNR + 1];
        for (int k = 0; k <= DSML_DIST_SNR; k++)
            accepted[k] = e->distances & DSML_LOSS_DISTANCE(k) ? dsml_distance_name((dsml_distance_kind)k) : NULL;
        char list[128];
        dsml_names_join(accepted, DSML_DIST_SNR + 1, list, sizeof list);
        int only_default = (e->distances & ((DSML_LOSS_DISTANCE(DSML_DIST_SNR + 1) - 1))) ==
                           DSML_LOSS_DISTANCE(DSML_DIST_EUCLIDEAN);
        return dsml_fail(DSML_ERR_ARG, "%s: works on %s, expected distance %s%s, found %s", loss,
                         e->works_on ? e->works_on : "some distances only", list, only_default ? " (the default)" : "",
                         dsml_distance_name(p->distance));
    }
    return DSML_OK;
}

/* labels (single-label) or sets of `words` words (multi-label, for entries
 * with label_sets). */
static int compute(const dsml_loss_params *p, const float *h, const int *labels, const uint64_t *sets, int words,
                   int n, int d, float *dh, dsml_loss_ws *ws, double *loss)
{
    *loss = 0;
    int rc = check_params(p);
    if (rc) return rc;
    const dsml_loss_entry *e = dsml_loss_entry_of(p->loss);
    const char *name = e->name, *dname = dsml_distance_name(p->distance);
    if (n < 1 || n > ws->max_n || d != ws->d)
        return dsml_fail(DSML_ERR_ARG, "%s: batch of %d x %d, the loss workspace holds up to %d x %d", name, n, d,
                         ws->max_n, ws->d);
    if (!h || (!labels && !sets) || !dh)
        return dsml_fail(DSML_ERR_ARG, "%s: missing embeddings, labels or gradient buffer", name);
    if (!labels && !dsml_loss_takes_label_sets(p)) {
        char list[256];
        join_losses(with_label_sets, " and ", 1, list, sizeof list);
        return dsml_fail(DSML_ERR_ARG, "%s: multi-label batches are for %s only", name, list);
    }
    if (!labels && words < 1)
        return dsml_fail(DSML_ERR_ARG, "%s: %d words per label set, expected at least 1", name, words);
    for (size_t i = 0; i < (size_t)n * d; i++)
        if (!isfinite(h[i]))
            return dsml_fail(DSML_ERR_NUMERIC, "%s: input embedding %zu, value %zu is %g, expected a finite number",
                             name, i / d, i % d, h[i]);
    memset(dh, 0, sizeof(float) * (size_t)n * d);

    dsml_loss_batch b = {.n = n, .d = d, .labels = labels};
    if (e->label_sets) {
        dsml_pairs_similarity(ws->similar, labels, sets, words, n);
        b.similar = ws->similar;
    }
    double value;
    if (e->on_distances) {
        rc = dsml_distance_forward(p->distance, ws->dist, h, n, d, ws->dist_ws);
        if (rc) return rc;
        for (size_t i = 0; i < (size_t)n * n; i++)
            if (!isfinite(ws->dist[i]))
                return dsml_fail(DSML_ERR_NUMERIC, "%s: %s distance (%zu, %zu) is not finite", name, dname,
                                 i / n, i % n);
        value = e->on_distances(p, ws->dist, &b, ws->w, ws);
        rc = dsml_distance_backward(p->distance, dh, ws->w, ws->dist, n, d, ws->dist_ws);
    } else {
        rc = e->on_embeddings(p, h, &b, dh, ws, &value);
    }
    if (rc) return rc;
    if (e->density && p->density.weight > 0) {
        double extra;
        rc = dsml_density_compute(p, h, labels, n, d, dh, ws, &extra);
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
    const dsml_loss_entry *e = dsml_loss_entry_of(p->loss);
    return e && e->label_sets && (!e->density || p->density.weight == 0);
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
