/* The typed reader of metrics.json; see run_metrics.h and docs/results.md. */
#include "results/run_metrics.h"
#include "core/error.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int dsml_metrics_recall_k[DSML_METRICS_RECALL_K] = {1, 2, 4, 8, 16, 32};

/* A metric: a number, else NaN (null is how the writer records a NaN). */
static double metric(const dsml_jv *root, const char *key)
{
    const dsml_jv *v = dsml_jv_get(root, key);
    return v && v->type == DSML_JV_NUMBER ? v->number : NAN;
}

/* A whole number in lo..hi at key, else 0. */
static int whole(const dsml_jv *root, const char *key, double lo, double hi)
{
    const dsml_jv *v = dsml_jv_get(root, key);
    return v && v->type == DSML_JV_NUMBER && v->number == floor(v->number) && v->number >= lo && v->number <= hi
               ? (int)v->number
               : 0;
}

static void read_ranking(const dsml_jv *root, const char *block, dsml_ranking_metrics *r)
{
    char key[96];
    snprintf(key, sizeof key, "metrics.%s", block);
    const dsml_jv *b = dsml_jv_get(root, key);
    r->present = b && b->type == DSML_JV_OBJECT;
    for (int i = 0; i < DSML_METRICS_RECALL_K; i++) {
        snprintf(key, sizeof key, "recall@%d", dsml_metrics_recall_k[i]);
        r->recall[i] = metric(b, key);
    }
    r->map = metric(b, "map");
    r->map_at_t = metric(b, "map@t");
    r->f1_at_t = metric(b, "f1@t");
    r->map_at_r = metric(b, "map@r");
    r->r_precision = metric(b, "r_precision");
}

void dsml_run_metrics_free(dsml_run_metrics *m)
{
    free(m->path);
    free(m->loss_per_epoch);
    if (m->doc.arena) dsml_json_doc_free(&m->doc);
    memset(m, 0, sizeof *m);
}

int dsml_run_metrics_read(dsml_run_metrics *m, const char *path)
{
    memset(m, 0, sizeof *m);
    int rc = dsml_json_parse_file(&m->doc, path);
    if (rc) return rc;
    const dsml_jv *root = m->doc.root;
    m->path = strdup(path);
    if (!m->path) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
    else if (root->type != DSML_JV_OBJECT) rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected a JSON object", path);
    if (rc) {
        dsml_run_metrics_free(m);
        return rc;
    }
    m->dataset = dsml_jv_string(root, "config.dataset", NULL);
    m->protocol = dsml_jv_string(root, "config.protocol", NULL);
    m->split = dsml_jv_string(root, "config.split", NULL);
    m->model = dsml_jv_string(root, "config.model", NULL);
    m->loss = dsml_jv_string(root, "config.loss", NULL);
    m->distance = dsml_jv_string(root, "config.distance", NULL);
    m->equations = dsml_jv_string(root, "config.equations", "common");
    m->gpw_mining = dsml_jv_string(root, "config.gpw_mining", NULL);
    m->gpw_weighting = dsml_jv_string(root, "config.gpw_weighting", NULL);
    m->dim = whole(root, "config.dim", 1, 65536);
    m->seed = whole(root, "config.seed", 0, INT_MAX);
    m->epochs = (int)dsml_jv_number(root, "config.epochs", 0);
    m->map_at = (long)dsml_jv_number(root, "config.map_at", 0);
    m->f1_at = (long)dsml_jv_number(root, "config.f1_at", 0);
    m->density = dsml_jv_number(root, "config.density", 0);

    m->train = (long)dsml_jv_number(root, "data.split.train", 0);
    m->eval_queries = (long)dsml_jv_number(root, "data.split.eval_queries",
                                           dsml_jv_number(root, "data.split.query", 0));
    m->eval_database = (long)dsml_jv_number(root, "data.split.eval_database",
                                            dsml_jv_number(root, "data.split.database", 0));
    const dsml_jv *val = dsml_jv_get(root, "data.split.evaluated_on_validation");
    m->evaluated_on_validation = val && val->type == DSML_JV_BOOL && val->number != 0;

    read_ranking(root, "euclidean", &m->euclidean);
    read_ranking(root, "hamming", &m->hamming);
    m->nmi = metric(root, "metrics.clustering.nmi");
    m->cluster_f1 = metric(root, "metrics.clustering.f1");
    m->vmf_accuracy = metric(root, "metrics.vmf.accuracy");

    const dsml_jv *curve = dsml_jv_get(root, "training.loss_per_epoch");
    m->n_loss = -1;
    if (curve && curve->type == DSML_JV_ARRAY) {
        m->loss_per_epoch = malloc(sizeof *m->loss_per_epoch * (size_t)(curve->count ? curve->count : 1));
        if (!m->loss_per_epoch) {
            dsml_run_metrics_free(m);
            return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
        }
        m->n_loss = 0;
        for (const dsml_jv *v = curve->child; v; v = v->next)
            m->loss_per_epoch[m->n_loss++] = v->type == DSML_JV_NUMBER ? v->number : NAN;
    }
    m->wall_total = dsml_jv_number(root, "wall_seconds.total", NAN);
    return DSML_OK;
}

/* What a value is, for messages: none, null, true, 16, "x", a list, an object. */
static void describe(const dsml_jv *v, char *out, size_t size)
{
    if (!v) snprintf(out, size, "none");
    else if (v->type == DSML_JV_NULL) snprintf(out, size, "null");
    else if (v->type == DSML_JV_BOOL) snprintf(out, size, "%s", v->number ? "true" : "false");
    else if (v->type == DSML_JV_NUMBER) snprintf(out, size, "%.17g", v->number);
    else if (v->type == DSML_JV_STRING) snprintf(out, size, "\"%.40s\"", v->string);
    else snprintf(out, size, "%s", v->type == DSML_JV_ARRAY ? "a list" : "an object");
}

int dsml_run_metrics_check(const dsml_run_metrics *m)
{
    static const char *const strings[] = {"config.dataset", "config.loss", "config.distance"};
    const char *const have[] = {m->dataset, m->loss, m->distance};
    char found[96];
    for (int i = 0; i < 3; i++)
        if (!have[i]) {
            describe(dsml_jv_get(m->doc.root, strings[i]), found, sizeof found);
            return dsml_fail(DSML_ERR_FORMAT, "%s: %s: expected a string, found %s", m->path, strings[i], found);
        }
    static const struct { const char *key; double lo, hi; } ints[] = {
        {"config.dim", 1, 65536}, {"config.seed", 0, INT_MAX}};
    for (int i = 0; i < 2; i++) {
        const dsml_jv *v = dsml_jv_get(m->doc.root, ints[i].key);
        if (!v || v->type != DSML_JV_NUMBER || v->number != floor(v->number) || v->number < ints[i].lo ||
            v->number > ints[i].hi) {
            describe(v, found, sizeof found);
            return dsml_fail(DSML_ERR_FORMAT, "%s: %s: expected an integer %.0f..%.0f, found %s", m->path,
                             ints[i].key, ints[i].lo, ints[i].hi, found);
        }
    }
    return DSML_OK;
}

dsml_metrics_value dsml_run_metrics_get(const dsml_run_metrics *m, const char *key)
{
    dsml_metrics_value out = {DSML_METRICS_ABSENT, 0, NULL, 0};
    const dsml_jv *v = dsml_jv_get(m->doc.root, key);
    if (!v) return out;
    switch (v->type) {
    case DSML_JV_NULL: out.kind = DSML_METRICS_NULL; break;
    case DSML_JV_BOOL: out.kind = DSML_METRICS_BOOL; out.number = v->number; break;
    case DSML_JV_NUMBER: out.kind = DSML_METRICS_NUMBER; out.number = v->number; break;
    case DSML_JV_STRING: out.kind = DSML_METRICS_STRING; out.string = v->string; break;
    case DSML_JV_ARRAY: out.kind = DSML_METRICS_LIST; out.count = v->count; break;
    case DSML_JV_OBJECT: out.kind = DSML_METRICS_OBJECT; out.count = v->count; break;
    }
    return out;
}

double dsml_run_metrics_list_number(const dsml_run_metrics *m, const char *key, int i)
{
    const dsml_jv *v = dsml_jv_get(m->doc.root, key);
    const dsml_jv *c = v && v->type == DSML_JV_ARRAY ? v->child : NULL;
    for (; c && i > 0; i--) c = c->next;
    return c && i == 0 && c->type == DSML_JV_NUMBER ? c->number : NAN;
}
