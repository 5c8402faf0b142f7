/* Regression checks against a committed baseline; see regress.h and
 * docs/regress.md. */
#include "run/regress.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json.h"
#include "core/json_parse.h"
#include "core/version.h"
#include "results/run_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Tolerances: docs/regress.md says where each comes from. */
const dsml_regress_metric dsml_regress_metrics[] = {
    {"euclidean.recall@1", "metrics.euclidean.recall@1", 0.03, 0},
    {"euclidean.recall@8", "metrics.euclidean.recall@8", 0.03, 0},
    {"euclidean.map", "metrics.euclidean.map", 0.02, 0},
    {"euclidean.map@r", "metrics.euclidean.map@r", 0.02, 0},
    {"euclidean.f1@t", "metrics.euclidean.f1@t", 0.02, 0},
    {"hamming.map", "metrics.hamming.map", 0.03, 0},
    {"clustering.nmi", "metrics.clustering.nmi", 0.04, 0},
    {"clustering.f1", "metrics.clustering.f1", 0.04, 0},
    {"training.final_loss", "training.final_loss", 0, 0.05},
};
const int dsml_regress_n_metrics = (int)(sizeof dsml_regress_metrics / sizeof dsml_regress_metrics[0]);

/* A metric of a run's metrics.json; NAN when absent. */
static double source_value(const dsml_run_metrics *m, const dsml_regress_metric *metric)
{
    if (!strcmp(metric->source, "training.final_loss"))
        return m->n_loss > 0 ? m->loss_per_epoch[m->n_loss - 1] : NAN;
    dsml_metrics_value v = dsml_run_metrics_get(m, metric->source);
    return v.kind == DSML_METRICS_NUMBER ? v.number : NAN;
}

int dsml_regress_write_baseline(const char *path, const char *sweep_path, const dsml_regress_run *runs, int n)
{
    dsml_run_metrics *read = calloc((size_t)(n ? n : 1), sizeof *read);
    if (!read) return dsml_fail(DSML_ERR_NOMEM, "out of memory");
    int rc = DSML_OK, parsed = 0;
    for (; parsed < n && !rc; parsed++) {
        rc = dsml_run_metrics_read(&read[parsed], runs[parsed].metrics_path);
        for (int m = 0; !rc && m < dsml_regress_n_metrics; m++)
            if (isnan(source_value(&read[parsed], &dsml_regress_metrics[m])))
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected a number at %s, found none", runs[parsed].metrics_path,
                               dsml_regress_metrics[m].source);
        if (rc) dsml_run_metrics_free(&read[parsed]);
    }
    if (rc) parsed--;
    dsml_atomic_file f;
    if (!rc) rc = dsml_atomic_begin(&f, path);
    if (!rc) {
        dsml_json j;
        dsml_json_init(&j, f.fp);
        dsml_json_object_begin(&j);
        dsml_json_kv_int(&j, "format_version", 1);
        dsml_json_kv_string(&j, "sweep", sweep_path ? sweep_path : "");
        dsml_json_kv_string(&j, "program", dsml_version());
        dsml_json_key(&j, "runs");
        dsml_json_array_begin(&j);
        for (int r = 0; r < n; r++) {
            dsml_json_object_begin(&j);
            dsml_json_kv_string(&j, "run", runs[r].name);
            dsml_json_key(&j, "metrics");
            dsml_json_object_begin(&j);
            /* group "a.b" names into objects "a": {"b": ...}; the table lists each group together */
            char group[64] = "";
            for (int m = 0; m < dsml_regress_n_metrics; m++) {
                const char *name = dsml_regress_metrics[m].name, *dot = strchr(name, '.');
                if (strlen(group) != (size_t)(dot - name) || strncmp(group, name, (size_t)(dot - name))) {
                    if (group[0]) dsml_json_object_end(&j);
                    snprintf(group, sizeof group, "%.*s", (int)(dot - name), name);
                    dsml_json_key(&j, group);
                    dsml_json_object_begin(&j);
                }
                dsml_json_kv_double(&j, dot + 1, source_value(&read[r], &dsml_regress_metrics[m]));
            }
            if (group[0]) dsml_json_object_end(&j);
            dsml_json_object_end(&j);
            dsml_json_object_end(&j);
        }
        dsml_json_array_end(&j);
        dsml_json_object_end(&j);
        fputc('\n', f.fp);
        rc = dsml_atomic_commit(&f);
    }
    for (int r = 0; r < parsed; r++) dsml_run_metrics_free(&read[r]);
    free(read);
    return rc;
}

static int push_row(dsml_regress_row **rows, int *n, int *cap, const char *run, const dsml_regress_metric *m,
                    double baseline, double value)
{
    if (*n == *cap) {
        int c = *cap ? *cap * 2 : 64;
        dsml_regress_row *p = realloc(*rows, sizeof *p * (size_t)c);
        if (!p) return dsml_fail(DSML_ERR_NOMEM, "out of memory");
        *rows = p;
        *cap = c;
    }
    dsml_regress_row *row = &(*rows)[(*n)++];
    snprintf(row->run, sizeof row->run, "%s", run);
    row->metric = m;
    row->baseline = baseline;
    row->value = value;
    row->ok = !isnan(baseline) && !isnan(value) &&
              fabs(value - baseline) <= m->abs_tol + m->rel_tol * fabs(baseline) + 1e-12;
    return DSML_OK;
}

static const dsml_jv *baseline_run(const dsml_jv *runs, const char *name)
{
    for (const dsml_jv *c = runs ? runs->child : NULL; c; c = c->next) {
        const dsml_jv *r = dsml_jv_get(c, "run");
        if (r && r->type == DSML_JV_STRING && !strcmp(r->string, name)) return c;
    }
    return NULL;
}

int dsml_regress_compare(const char *baseline_path, const dsml_regress_run *runs, int n, dsml_regress_row **rows,
                         int *n_rows, int *failures)
{
    *rows = NULL;
    *n_rows = *failures = 0;
    dsml_json_doc base;
    int rc = dsml_json_parse_file(&base, baseline_path);
    if (rc) return rc;
    const dsml_jv *list = dsml_jv_get(base.root, "runs");
    if (dsml_jv_number(base.root, "format_version", 0) != 1 || !list || list->type != DSML_JV_ARRAY) {
        dsml_json_doc_free(&base);
        return dsml_fail(DSML_ERR_FORMAT, "%s: expected format_version 1 and a \"runs\" array, found neither",
                         baseline_path);
    }
    for (const dsml_jv *c = list->child; c; c = c->next) {
        const dsml_jv *r = dsml_jv_get(c, "run");
        if (!r || r->type != DSML_JV_STRING) {
            dsml_json_doc_free(&base);
            return dsml_fail(DSML_ERR_FORMAT, "%s: expected a \"run\" name in every entry of \"runs\"", baseline_path);
        }
    }
    int cap = 0;
    for (int i = 0; i < n && !rc; i++) {
        dsml_run_metrics run;
        rc = dsml_run_metrics_read(&run, runs[i].metrics_path);
        if (rc) break;
        const dsml_jv *b = baseline_run(list, runs[i].name);
        const dsml_jv *bm = b ? dsml_jv_get(b, "metrics") : NULL;
        for (int m = 0; m < dsml_regress_n_metrics && !rc; m++) {
            const dsml_regress_metric *metric = &dsml_regress_metrics[m];
            const dsml_jv *bv = bm ? dsml_jv_get(bm, metric->name) : NULL;
            double base_value = bv && bv->type == DSML_JV_NUMBER ? bv->number : NAN;
            rc = push_row(rows, n_rows, &cap, runs[i].name, metric, base_value, source_value(&run, metric));
        }
        dsml_run_metrics_free(&run);
    }
    /* baseline runs that were not given */
    for (const dsml_jv *c = list->child; c && !rc; c = c->next) {
        const char *name = dsml_jv_get(c, "run")->string;
        int given = 0;
        for (int i = 0; i < n; i++) given |= !strcmp(runs[i].name, name);
        if (given) continue;
        for (int m = 0; m < dsml_regress_n_metrics && !rc; m++)
            rc = push_row(rows, n_rows, &cap, name, &dsml_regress_metrics[m],
                          dsml_jv_number(dsml_jv_get(c, "metrics"), dsml_regress_metrics[m].name, NAN), NAN);
    }
    dsml_json_doc_free(&base);
    if (rc) {
        free(*rows);
        *rows = NULL;
        *n_rows = 0;
        return rc;
    }
    for (int i = 0; i < *n_rows; i++) *failures += !(*rows)[i].ok;
    return DSML_OK;
}

void dsml_regress_print(FILE *fp, const dsml_regress_row *rows, int n, int only_failures)
{
    fprintf(fp, "%-44s %-22s %10s %10s %10s %10s  %s\n", "run", "metric", "baseline", "now", "difference",
            "tolerance", "verdict");
    for (int i = 0; i < n; i++) {
        const dsml_regress_row *r = &rows[i];
        if (only_failures && r->ok) continue;
        double tol = r->metric->abs_tol + r->metric->rel_tol * fabs(r->baseline);
        const char *verdict = r->ok ? "ok" : isnan(r->baseline) ? "FAIL (no baseline)"
                            : isnan(r->value) ? "FAIL (missing)" : "FAIL";
        fprintf(fp, "%-44s %-22s %10.4f %10.4f %+10.4f %10.4f  %s\n", r->run, r->metric->name, r->baseline, r->value,
                r->value - r->baseline, tol, verdict);
    }
}
