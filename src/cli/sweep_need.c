/* dsml sweep fetch: the datasets and pretrained weights the selected runs need
 * and lack, downloaded and prepared once per sweep (run/sweep_fetch.h), the
 * outcomes in RESULTS/fetch.json. dsml sweep account: every selected run
 * counted per dataset and weights file (run/sweep_account.h), one line each
 * on stdout (the last lines of `make reproduce`), RESULTS/account.json, exit 1
 * when a run could not be run. See docs/sweep.md ("Fetching", "The account"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/manifest_dir.h"
#include "cli/sweep_need.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/weights_locate.h"
#include "run/sweep_account.h"
#include "run/sweep_fetch.h"

/* What the selected runs need: each dataset and weights file once, sorted
 * by name, with whether it is there now. */
typedef struct {
    char name[64];
    int weights;
    const char *from;      /* a dataset's --from (the option, else its first run's `from=`), or NULL */
    int available;
    char why[4096];        /* when not available: where it was looked for */
} need_item;

typedef struct {
    need_item *items;
    int n, cap;
    char manifests[4096];
} need_list;

static need_item *need_find(need_list *l, const char *name, int weights)
{
    for (int i = 0; i < l->n; i++)
        if (l->items[i].weights == weights && !strcmp(l->items[i].name, name)) return &l->items[i];
    return NULL;
}

static int need_add(need_list *l, const char *name, int weights, const char *from)
{
    if (need_find(l, name, weights)) return 0;
    if (l->n == l->cap) {
        int grown = l->cap ? l->cap * 2 : 16;
        need_item *p = realloc(l->items, (size_t)grown * sizeof *p);
        if (!p) return -1;
        l->items = p;
        l->cap = grown;
    }
    need_item *it = &l->items[l->n++];
    memset(it, 0, sizeof *it);
    snprintf(it->name, sizeof it->name, "%s", name);
    it->weights = weights;
    it->from = from;
    return 0;
}

static int by_name(const void *x, const void *y)
{
    const need_item *a = x, *b = y;
    return a->weights != b->weights ? a->weights - b->weights : strcmp(a->name, b->name);
}

static void data_options(const need_item *it, dsml_data_options *data)
{
    dsml_data_options_default(data);
    data->from = it->from;
    data->fashion_mnist_dir = getenv("DSML_FASHION_MNIST");
}

/* Whether each item is there now. */
static void need_check(const sweep_opts *o, need_list *l)
{
    for (int i = 0; i < l->n; i++) {
        need_item *it = &l->items[i];
        if (it->weights) {
            char path[4096];
            it->available = dsml_weights_locate(it->name, l->manifests, o->data_root, path, sizeof path) == 0;
            if (!it->available) snprintf(it->why, sizeof it->why, "%s", dsml_last_error());
            continue;
        }
        dsml_data_options data;
        data_options(it, &data);
        it->available = dsml_data_available(it->name, o->data_root, &data, it->why, sizeof it->why);
    }
}

/* The needs of the runs selected by kind and --only. 0, or 1 after the message. */
static int need_collect(const sweep_opts *o, const dsml_sweep *sw, need_list *l)
{
    memset(l, 0, sizeof *l);
    if (o->n_only && sweep_check_only(o, sw)) return 1;
    if (manifest_dir(l->manifests, sizeof l->manifests)) {
        fprintf(stderr, "dsml sweep: the manifest folder's path is too long\n");
        return 1;
    }
    int total = sw->n_runs + sw->n_tune;
    for (int i = 0; i < total; i++) {
        const dsml_sweep_run *r = i < sw->n_runs ? &sw->runs[i] : &sw->tune[i - sw->n_runs];
        if (!(o->kind_mask & sweep_kind_bit(r->kind)) || !sweep_only_matches(o, r)) continue;
        const char *from = sweep_from_for(o, r->dataset), *weights = dsml_sweep_run_get(r, "weights");
        if (!from) from = dsml_sweep_run_get(r, "from");
        if (need_add(l, r->dataset, 0, from) || (weights && weights[0] && need_add(l, weights, 1, NULL))) {
            fprintf(stderr, "dsml sweep: out of memory\n");
            return 1;
        }
    }
    if (l->n) qsort(l->items, (size_t)l->n, sizeof *l->items, by_name);
    need_check(o, l);
    return 0;
}

/* RESULTS/NAME into path; 0, or 1 after the message. */
static int results_file(const sweep_opts *o, const char *name, char *path, size_t cap)
{
    if (snprintf(path, cap, "%s/%s", o->results, name) >= (int)cap) {
        fprintf(stderr, "dsml sweep: --results %s: path too long\n", o->results);
        return 1;
    }
    if (dsml_mkdirs(o->results)) {
        fprintf(stderr, "dsml sweep: %s\n", dsml_last_error());
        return 1;
    }
    return 0;
}

/* --out PATH into path, its folder made; 0, or 1 after the message. */
static int out_file(const char *out, char *path, size_t cap)
{
    if (snprintf(path, cap, "%s", out) >= (int)cap) {
        fprintf(stderr, "dsml sweep: --out %s: path too long\n", out);
        return 1;
    }
    char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0;
    *slash = '\0';
    int rc = dsml_mkdirs(path);
    *slash = '/';
    if (rc) fprintf(stderr, "dsml sweep: %s\n", dsml_last_error());
    return rc ? 1 : 0;
}

/* Writes through write() into path atomically; 0, or 1 after the message. */
static int write_atomic(const char *path, int (*write)(const void *, FILE *), const void *arg)
{
    dsml_atomic_file f;
    if (dsml_atomic_begin(&f, path) || write(arg, f.fp)) {
        fprintf(stderr, "dsml sweep: %s: %s\n", path, dsml_last_error());
        if (f.fp) dsml_atomic_abort(&f);
        return 1;
    }
    if (dsml_atomic_commit(&f)) {
        fprintf(stderr, "dsml sweep: %s\n", dsml_last_error());
        return 1;
    }
    return 0;
}

typedef struct {
    const dsml_sweep_need *needs;
    int n, fetch_on;
} fetch_record;

static int write_fetch(const void *arg, FILE *fp)
{
    const fetch_record *r = arg;
    return dsml_sweep_fetch_write(r->needs, r->n, r->fetch_on, fp);
}

int sweep_fetch_needs(const sweep_opts *o, const dsml_sweep *sw)
{
    need_list l;
    char path[4096];
    if (need_collect(o, sw, &l) || results_file(o, "fetch.json", path, sizeof path)) {
        free(l.items);
        return 1;
    }
    dsml_sweep_need *needs = calloc((size_t)(l.n ? l.n : 1), sizeof *needs);
    if (!needs) {
        free(l.items);
        fprintf(stderr, "dsml sweep: out of memory\n");
        return 1;
    }
    int fetched = 0, missing = 0;
    for (int i = 0; i < l.n; i++) {
        const need_item *it = &l.items[i];
        dsml_sweep_need *need = &needs[i];
        if (it->available) {
            snprintf(need->name, sizeof need->name, "%s", it->name);
            need->weights = it->weights;
            need->status = "available";
            continue;
        }
        fprintf(stderr, "sweep fetch: %s %s is not there%s\n", it->weights ? "weights file" : "dataset", it->name,
                o->no_fetch ? "" : "; getting it");
        if (it->weights && strchr(it->name, '/')) { /* a path, not a manifest's name: nothing to download */
            snprintf(need->name, sizeof need->name, "%s", it->name);
            need->weights = 1;
            need->status = "unknown";
            snprintf(need->reason, sizeof need->reason, "%.1000s", it->why);
        } else if (it->weights) {
            dsml_sweep_fetch_weights(need, it->name, l.manifests, o->data_root, !o->no_fetch, stderr);
        } else {
            dsml_data_options data;
            data_options(it, &data);
            dsml_sweep_fetch_dataset(need, it->name, l.manifests, o->data_root, &data, !o->no_fetch, stderr);
        }
        if (!strcmp(need->status, "fetched")) {
            fetched++;
            fprintf(stderr, "sweep fetch: %s: downloaded and %s\n", it->name, it->weights ? "verified" : "prepared");
        } else {
            missing++;
            fprintf(stderr, "sweep fetch: %s: %s%s%s\n", it->name, need->reason, need->get[0] ? "; " : "", need->get);
        }
    }
    fprintf(stderr, "sweep fetch: %d needed, %d already there, %d fetched now, %d missing (%s)\n", l.n,
            l.n - fetched - missing, fetched, missing, path);
    fetch_record rec = {needs, l.n, !o->no_fetch};
    int rc = write_atomic(path, write_fetch, &rec);
    free(needs);
    free(l.items);
    return rc;
}

/* ------------------------------------------------------------ account */

/* Why a missing item is missing and how to get it: fetch.json's record when
 * it has one, else where it was looked for and its manifest's command. */
static void missing_reason(const need_item *it, const char *fetch_json, const char *manifests, char *reason,
                           size_t reason_cap, char *get, size_t get_cap, int *fetch_failed)
{
    dsml_sweep_need rec;
    *fetch_failed = 0;
    int found = dsml_sweep_fetch_lookup(fetch_json, it->name, it->weights, &rec);
    if (found == 1 && rec.reason[0]) {
        snprintf(reason, reason_cap, "%s", rec.reason);
        snprintf(get, get_cap, "%s", rec.get);
        *fetch_failed = !strcmp(rec.status, "failed");
        return;
    }
    if (found < 0) fprintf(stderr, "dsml sweep: warning: %s: %s\n", fetch_json, dsml_last_error());
    int manual;
    dsml_sweep_get_command(it->name, manifests, get, get_cap, &manual);
    /* no machine's paths in the account: "the data root" ($DSML_DATA, --data) */
    if (!get[0]) snprintf(reason, reason_cap, "not there: %.4000s", it->why); /* no manifest: the where is the how */
    else if (it->weights) snprintf(reason, reason_cap, "not downloaded: not in the data root");
    else snprintf(reason, reason_cap, "%s: no prepared cache or source in the data root",
                  manual ? "manual dataset" : "not downloaded");
}

static int write_account(const void *arg, FILE *fp)
{
    return dsml_sweep_account_write_json(arg, fp);
}

static const char *kinds_name(int mask)
{
    return mask == 1 ? "dml" : mask == 2 ? "hashing" : mask == 4 ? "tune" : mask == 3 ? "runs" : "all";
}

/* The state of a run from its folder: finished, failed (started, no metrics.json) or not started. */
static int run_state(const dsml_sweep_run *r, dsml_account_run_state *state)
{
    dsml_run_state st;
    if (dsml_sweep_run_state(r, &st, NULL, 0, NULL)) return 1;
    struct stat sb;
    if (st == DSML_RUN_FINISHED) *state = DSML_ACCOUNT_RUN_FINISHED;
    else if (st == DSML_RUN_UNFINISHED && stat(r->dir, &sb) == 0) *state = DSML_ACCOUNT_RUN_FAILED;
    else *state = DSML_ACCOUNT_RUN_NOT_STARTED;
    return 0;
}

/* Each selected run into the account, the missing weights first. 0, or 1 after the message. */
static int account_runs(const sweep_opts *o, const dsml_sweep *sw, need_list *l, const char *fetch_json,
                        dsml_sweep_account *a)
{
    char reason[4096], get[1024];
    int fetch_failed;
    for (int i = 0; i < l->n; i++) {
        const need_item *w = &l->items[i];
        if (!w->weights || w->available) continue;
        missing_reason(w, fetch_json, l->manifests, reason, sizeof reason, get, sizeof get,
                       &fetch_failed);
        if (dsml_sweep_account_weights_missing(a, w->name, fetch_failed, reason, get)) goto failed;
    }
    int total = sw->n_runs + sw->n_tune;
    for (int i = 0; i < total; i++) {
        const dsml_sweep_run *r = i < sw->n_runs ? &sw->runs[i] : &sw->tune[i - sw->n_runs];
        if (!(o->kind_mask & sweep_kind_bit(r->kind)) || !sweep_only_matches(o, r)) continue;
        const char *weights = dsml_sweep_run_get(r, "weights");
        const need_item *d = need_find(l, r->dataset, 0), *w = weights && weights[0] ? need_find(l, weights, 1) : NULL;
        dsml_account_run_state state;
        if (run_state(r, &state)) goto failed;
        int rc;
        /* a finished run counts as finished even when its dataset is no longer there */
        if (state != DSML_ACCOUNT_RUN_FINISHED && (!d->available || (w && !w->available))) {
            missing_reason(!d->available ? d : w, fetch_json, l->manifests, reason, sizeof reason, get,
                           sizeof get, &fetch_failed);
            rc = dsml_sweep_account_add(a, r->dataset, weights, NULL, DSML_ACCOUNT_RUN_SKIPPED, reason, get);
        } else {
            rc = dsml_sweep_account_add(a, r->dataset, weights, sweep_run_subdir(o, r), state, NULL, NULL);
        }
        if (rc) goto failed;
    }
    return 0;
failed:
    fprintf(stderr, "dsml sweep: %s\n", dsml_last_error());
    return 1;
}

int sweep_account(const sweep_opts *o, const dsml_sweep *sw)
{
    need_list l;
    char fetch_json[4096], path[4096];
    if (need_collect(o, sw, &l) || results_file(o, "fetch.json", fetch_json, sizeof fetch_json) ||
        (o->out ? out_file(o->out, path, sizeof path) : results_file(o, "account.json", path, sizeof path))) {
        free(l.items);
        return 1;
    }
    dsml_sweep_account a;
    dsml_sweep_account_init(&a, o->file, kinds_name(o->kind_mask));
    a.pending_ok = o->pending_ok;
    int rc = account_runs(o, sw, &l, fetch_json, &a);
    if (!rc) {
        dsml_sweep_account_finish(&a);
        rc = write_atomic(path, write_account, &a);
    }
    if (!rc) {
        fflush(stderr);
        dsml_sweep_account_print(&a, stdout);
        rc = a.exit_status;
    }
    dsml_sweep_account_free(&a);
    free(l.items);
    return rc;
}
