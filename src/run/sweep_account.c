/* Counting a sweep's runs per dataset and weights file, and the account's
 * lines and JSON. See sweep_account.h and docs/sweep.md ("The account"). */
#include "run/sweep_account.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"

void dsml_sweep_account_init(dsml_sweep_account *a, const char *sweep, const char *kinds)
{
    memset(a, 0, sizeof *a);
    snprintf(a->sweep, sizeof a->sweep, "%s", sweep);
    snprintf(a->kinds, sizeof a->kinds, "%s", kinds);
}

void dsml_sweep_account_free(dsml_sweep_account *a)
{
    free(a->datasets);
    free(a->weights);
    memset(a, 0, sizeof *a);
}

/* The entry named `name` in *list, appended when new; NULL when out of memory. */
static dsml_sweep_account_entry *entry(dsml_sweep_account_entry **list, int *n, int *cap, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp((*list)[i].name, name)) return &(*list)[i];
    if (*n == *cap) {
        int grown = *cap ? *cap * 2 : 8;
        dsml_sweep_account_entry *p = realloc(*list, (size_t)grown * sizeof *p);
        if (!p) return NULL;
        *list = p;
        *cap = grown;
    }
    dsml_sweep_account_entry *e = &(*list)[(*n)++];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    return e;
}

static void keep_reason(dsml_sweep_account_entry *e, const char *reason, const char *get)
{
    if (e->reason[0] || !reason) return;
    snprintf(e->reason, sizeof e->reason, "%s", reason);
    snprintf(e->get, sizeof e->get, "%s", get ? get : "");
}

int dsml_sweep_account_add(dsml_sweep_account *a, const char *dataset, const char *weights, const char *dir,
                     dsml_account_run_state state, const char *reason, const char *get)
{
    dsml_sweep_account_entry *d = entry(&a->datasets, &a->n_datasets, &a->cap_datasets, dataset);
    if (!d) return dsml_fail(DSML_ERR_NOMEM, "account: out of memory");
    d->runs++;
    if (state == DSML_ACCOUNT_RUN_FINISHED) d->finished++;
    else if (state == DSML_ACCOUNT_RUN_NOT_STARTED) d->not_started++;
    else if (state == DSML_ACCOUNT_RUN_SKIPPED) {
        d->skipped++;
        keep_reason(d, reason, get);
    } else if (d->failed++ == 0) {
        snprintf(d->first_failed, sizeof d->first_failed, "%s", dir ? dir : "");
    }
    if (!weights || !weights[0]) return DSML_OK;
    dsml_sweep_account_entry *w = entry(&a->weights, &a->n_weights, &a->cap_weights, weights);
    if (!w) return dsml_fail(DSML_ERR_NOMEM, "account: out of memory");
    w->runs++;
    return DSML_OK;
}

int dsml_sweep_account_weights_missing(dsml_sweep_account *a, const char *name, int fetch_failed, const char *reason,
                                 const char *get)
{
    dsml_sweep_account_entry *w = entry(&a->weights, &a->n_weights, &a->cap_weights, name);
    if (!w) return dsml_fail(DSML_ERR_NOMEM, "account: out of memory");
    w->unavailable = fetch_failed ? 2 : 1;
    keep_reason(w, reason, get);
    return DSML_OK;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(((const dsml_sweep_account_entry *)x)->name, ((const dsml_sweep_account_entry *)y)->name);
}

void dsml_sweep_account_finish(dsml_sweep_account *a)
{
    if (a->n_datasets) qsort(a->datasets, (size_t)a->n_datasets, sizeof *a->datasets, by_name);
    if (a->n_weights) qsort(a->weights, (size_t)a->n_weights, sizeof *a->weights, by_name);
    a->exit_status = 0;
    for (int i = 0; i < a->n_datasets; i++) {
        dsml_sweep_account_entry *d = &a->datasets[i];
        d->status = d->finished == d->runs ? "complete" : d->skipped == d->runs ? "skipped" : "incomplete";
        if (d->skipped || d->failed || (d->not_started && !a->pending_ok)) a->exit_status = 1;
        if (d->skipped) continue; /* its reason is the skip's */
        if (d->failed)
            snprintf(d->reason, sizeof d->reason, "%d run%s failed (started, no metrics.json), e.g. %s", d->failed,
                     d->failed == 1 ? "" : "s", d->first_failed);
        /* runs not started need no reason: their count says it, and `make reproduce` runs them */
    }
    for (int i = 0; i < a->n_weights; i++) {
        dsml_sweep_account_entry *w = &a->weights[i];
        w->status = w->unavailable == 2 ? "failed" : w->unavailable ? "missing" : "present";
        if (!w->unavailable) w->reason[0] = w->get[0] = '\0';
    }
}

/* "skipped: <reason>; get it: <command>" (manual steps stand on their own). */
static void print_why(FILE *fp, const dsml_sweep_account_entry *e)
{
    fprintf(fp, "%s", e->reason);
    if (!e->get[0]) return;
    fprintf(fp, "; %s%s", strncmp(e->get, "dsml ", 5) ? "" : "get it: ", e->get);
}

void dsml_sweep_account_print(const dsml_sweep_account *a, FILE *fp)
{
    for (int i = 0; i < a->n_datasets; i++) {
        const dsml_sweep_account_entry *d = &a->datasets[i];
        fprintf(fp, "account: %-14s %4d run%s", d->name, d->runs, d->runs == 1 ? ": " : "s: ");
        if (d->skipped == d->runs) {
            fprintf(fp, "skipped: ");
            print_why(fp, d);
        } else {
            fprintf(fp, "%d finished", d->finished);
            if (d->failed) fprintf(fp, ", %d failed (e.g. %s)", d->failed, d->first_failed);
            if (d->not_started) fprintf(fp, ", %d not started", d->not_started);
            if (d->skipped) {
                fprintf(fp, ", %d skipped: ", d->skipped);
                print_why(fp, d);
            }
        }
        fputc('\n', fp);
    }
    for (int i = 0; i < a->n_weights; i++) {
        const dsml_sweep_account_entry *w = &a->weights[i];
        fprintf(fp, "account: weights %s  %d run%s: %s", w->name, w->runs, w->runs == 1 ? "" : "s", w->status);
        if (w->unavailable) {
            fprintf(fp, ": ");
            print_why(fp, w);
        }
        fputc('\n', fp);
    }
}

static void write_entry(dsml_json *j, const dsml_sweep_account_entry *e, int weights)
{
    dsml_json_object_begin(j);
    dsml_json_kv_string(j, "name", e->name);
    dsml_json_kv_int(j, "runs", e->runs);
    if (!weights) {
        dsml_json_kv_int(j, "finished", e->finished);
        dsml_json_kv_int(j, "failed", e->failed);
        dsml_json_kv_int(j, "not_started", e->not_started);
        dsml_json_kv_int(j, "skipped", e->skipped);
    }
    dsml_json_kv_string(j, "status", e->status);
    dsml_json_kv_string(j, "reason", e->reason);
    dsml_json_kv_string(j, "get", e->get);
    dsml_json_object_end(j);
}

int dsml_sweep_account_write_json(const dsml_sweep_account *a, FILE *fp)
{
    dsml_json j;
    dsml_json_init(&j, fp);
    dsml_json_object_begin(&j);
    dsml_json_kv_int(&j, "format_version", 1);
    dsml_json_kv_string(&j, "sweep", a->sweep);
    dsml_json_kv_string(&j, "kinds", a->kinds);
    dsml_json_key(&j, "datasets");
    dsml_json_array_begin(&j);
    for (int i = 0; i < a->n_datasets; i++) write_entry(&j, &a->datasets[i], 0);
    dsml_json_array_end(&j);
    dsml_json_key(&j, "weights");
    dsml_json_array_begin(&j);
    for (int i = 0; i < a->n_weights; i++) write_entry(&j, &a->weights[i], 1);
    dsml_json_array_end(&j);
    dsml_json_kv_int(&j, "exit_status", a->exit_status);
    dsml_json_object_end(&j);
    fputc('\n', fp);
    return ferror(fp) ? dsml_fail(DSML_ERR_IO, "account.json: write failed") : DSML_OK;
}
