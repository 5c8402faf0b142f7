/* The runs of the paper's tables, read through results/; see runs.h. */
#include "report/runs.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int same_group(const dsml_table_run *a, const dsml_table_run *b)
{
    return a->arm == b->arm && a->m.dim == b->m.dim &&
           !strcmp(a->m.dataset, b->m.dataset) && !strcmp(a->m.loss, b->m.loss) &&
           !strcmp(a->m.distance, b->m.distance) && !strcmp(a->hash_method, b->hash_method);
}

/* Reads one finished run into *r; *keep is 0 (and r freed) when it is noted
 * and skipped. */
/* A tuning run adds to *tuning (named once in a count: a sweep has dozens). */
static int read_run(dsml_run_set *set, const dsml_results_run *found, dsml_table_run *r, FILE *notes, int *keep,
                    int *tuning)
{
    *keep = 0;
    int rc = dsml_run_metrics_read(&r->m, found->metrics);
    if (rc) return rc;
    if ((rc = dsml_run_metrics_check(&r->m))) {
        dsml_run_metrics_free(&r->m);
        return rc;
    }
    r->dir = found->dir;
    r->arm = r->m.equations && !strcmp(r->m.equations, "paper") ? DSML_ARM_PAPER : DSML_ARM_COMMON;
    r->borrowed = 0;
    dsml_metrics_value src = dsml_run_metrics_get(&r->m, "data.source_sha256");
    r->source_sha256 = src.string ? src.string : "";
    r->hash_method = dsml_paper_hash_method(r->m.loss, r->m.distance, r->m.protocol);
    int dup = -1;
    if (r->m.evaluated_on_validation) {
        (*tuning)++;
    } else if (r->m.density > 0) { /* a density-adaptive variant is not the paper's row (methods.md has it) */
        if (notes) fprintf(notes, "%s: density-adaptive variant (in methods.md only), skipped\n", r->dir);
    } else {
        for (int k = 0; k < set->count && dup < 0; k++)
            if (set->runs[k].m.seed == r->m.seed && same_group(&set->runs[k], r)) dup = k;
        if (dup < 0) {
            *keep = 1;
            return DSML_OK;
        }
        if (notes)
            fprintf(notes, "%s: seed %d of %s %s-%s d%d%s already read from %s, skipped\n", r->dir, r->m.seed,
                    r->m.dataset, r->m.loss, r->m.distance, r->m.dim,
                    r->arm == DSML_ARM_PAPER ? " (--equations paper)" : "", set->runs[dup].dir);
    }
    dsml_run_metrics_free(&r->m);
    return DSML_OK;
}

/* The metrics.json key each paper metric is read from, for messages. */
static const char *metric_key(dsml_paper_metric metric)
{
    switch (metric) {
    case DSML_PM_CLUSTER_F1: return "metrics.clustering.f1";
    case DSML_PM_NMI: return "metrics.clustering.nmi";
    case DSML_PM_RECALL1: return "metrics.euclidean.recall@1";
    case DSML_PM_RECALL2: return "metrics.euclidean.recall@2";
    case DSML_PM_EUC_MAP: return "metrics.euclidean.map@t";
    case DSML_PM_EUC_F1: return "metrics.euclidean.f1@t";
    case DSML_PM_HAM_MAP: return "metrics.hamming.map@t";
    case DSML_PM_HAM_F1: return "metrics.hamming.f1@t";
    case DSML_PM_COUNT: break;
    }
    return "metrics";
}

/* A cell is never built from fewer seeds than its group has: within a group
 * (dataset, loss, distance, size, arm, hashing method) each metric the
 * tables and claims read is in every run or in none (then the cell is "not
 * run"), and a group holds at most DSML_MAX_SEEDS runs. Checked once, before
 * anything is written; the message names the run that lacks the value. */
static int check_groups(const dsml_run_set *set)
{
    for (int i = 0; i < set->count; i++) {
        const dsml_table_run *r = &set->runs[i];
        int size = 1;
        for (int j = 0; j < i; j++) {
            const dsml_table_run *o = &set->runs[j];
            if (!same_group(o, r)) continue;
            if (++size > DSML_MAX_SEEDS)
                return dsml_fail(DSML_ERR_FORMAT, "%s: more than %d seeds of %s %s-%s d%d", r->m.path, DSML_MAX_SEEDS,
                                 r->m.dataset, r->m.loss, r->m.distance, r->m.dim);
            for (int k = 0; k < DSML_PM_COUNT; k++) {
                int has_r = !isnan(dsml_paper_metric_value(&r->m, (dsml_paper_metric)k));
                if (has_r == !isnan(dsml_paper_metric_value(&o->m, (dsml_paper_metric)k))) continue;
                const dsml_table_run *lacking = has_r ? o : r;
                char why[1024];
                dsml_run_metrics_require(&lacking->m, metric_key((dsml_paper_metric)k), 0);
                snprintf(why, sizeof why, "%s", dsml_last_error()); /* dsml_fail writes over it */
                return dsml_fail(DSML_ERR_FORMAT, "%s (seed %d of %s %s-%s d%d has it, in %s)", why,
                                 (has_r ? r : o)->m.seed, r->m.dataset, r->m.loss, r->m.distance, r->m.dim,
                                 (has_r ? r : o)->dir);
            }
        }
    }
    return DSML_OK;
}

int dsml_runs_load(dsml_run_set *set, const char *dir, FILE *notes)
{
    memset(set, 0, sizeof *set);
    snprintf(set->source, sizeof set->source, "%s", dir);
    for (size_t n = strlen(set->source); n > 1 && set->source[n - 1] == '/'; n--) set->source[n - 1] = '\0';
    if (!is_dir(dir)) {
        if (notes) fprintf(notes, "%s: no results directory; every cell is 'not run'\n", dir);
        return DSML_OK;
    }
    int rc = dsml_results_scan(dir, &set->scanned);
    if (rc) return rc;
    set->runs = calloc((size_t)(set->scanned.count ? set->scanned.count : 1), sizeof *set->runs);
    if (!set->runs) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", dir);
    int tuning = 0;
    for (int i = 0; !rc && i < set->scanned.count; i++) {
        const dsml_results_run *found = &set->scanned.runs[i];
        int keep = 0;
        if (!found->dataset[0]) dsml_results_note_outside(notes, found);
        else if (!found->finished) dsml_results_note_unfinished(notes, found);
        else rc = read_run(set, found, &set->runs[set->count], notes, &keep, &tuning);
        set->count += keep;
    }
    if (!rc) rc = check_groups(set);
    if (!rc && notes && tuning)
        fprintf(notes, "%s: %d tuning runs (evaluated on the validation carve-out) skipped\n", dir, tuning);
    if (rc) dsml_runs_free(set);
    return rc;
}

void dsml_runs_free(dsml_run_set *set)
{
    for (int i = 0; i < set->count; i++) dsml_run_metrics_free(&set->runs[i].m);
    free(set->runs);
    set->runs = NULL;
    set->count = 0;
    dsml_results_list_free(&set->scanned);
}

/* Adds (seed, value) keeping seeds ascending (check_groups made sure a
 * group's runs all have the value or none has it, and fit). */
static void sample_add(dsml_sample *s, int seed, double value)
{
    if (s->n == DSML_MAX_SEEDS || isnan(value)) return;
    int i = s->n;
    while (i > 0 && s->seeds[i - 1] > seed) {
        s->seeds[i] = s->seeds[i - 1];
        s->values[i] = s->values[i - 1];
        i--;
    }
    s->seeds[i] = seed;
    s->values[i] = value;
    s->n++;
}

void dsml_runs_sample(const dsml_run_set *set, const char *dataset, const char *loss, const char *distance, int dim,
                      dsml_paper_metric metric, dsml_sample *out)
{
    out->n = 0;
    for (int i = 0; i < set->count; i++) {
        const dsml_table_run *r = &set->runs[i];
        if (!r->hash_method[0] && r->m.dim == dim && !strcmp(r->m.dataset, dataset) && !strcmp(r->m.loss, loss) &&
            !strcmp(r->m.distance, distance))
            sample_add(out, r->m.seed, dsml_paper_metric_value(&r->m, metric));
    }
}

void dsml_runs_sample_hashing(const dsml_run_set *set, const char *dataset, const char *method, int bits,
                              dsml_paper_metric metric, dsml_sample *out)
{
    out->n = 0;
    size_t len = strlen(method);
    if (len > 0 && method[len - 1] == '*') len--;
    for (int i = 0; i < set->count; i++) {
        const dsml_table_run *r = &set->runs[i];
        if (r->hash_method[0] && r->m.dim == bits && !strcmp(r->m.dataset, dataset) &&
            strlen(r->hash_method) == len && !strncmp(r->hash_method, method, len))
            sample_add(out, r->m.seed, dsml_paper_metric_value(&r->m, metric));
    }
}

int dsml_runs_count(const dsml_run_set *set, const char *dataset, int hashing)
{
    int n = 0;
    for (int i = 0; i < set->count; i++)
        n += !strcmp(set->runs[i].m.dataset, dataset) && (set->runs[i].hash_method[0] != '\0') == (hashing != 0);
    return n;
}

int dsml_runs_count_own(const dsml_run_set *set, const char *dataset, int hashing)
{
    int n = 0;
    for (int i = 0; i < set->count; i++)
        n += !set->runs[i].borrowed && !strcmp(set->runs[i].m.dataset, dataset) &&
             (set->runs[i].hash_method[0] != '\0') == (hashing != 0);
    return n;
}

int dsml_runs_arm_neutral(const char *loss)
{
    return !strcmp(loss, "triplet");
}

const char *dsml_arm_name(dsml_arm arm)
{
    return arm == DSML_ARM_PAPER ? "paper" : "common";
}

/* Whether set holds a run of arm in r's group (any seed). */
static int group_has_arm(const dsml_run_set *set, const dsml_table_run *r, dsml_arm arm)
{
    for (int k = 0; k < set->count; k++) {
        const dsml_table_run *o = &set->runs[k];
        if (o->arm == arm && o->m.dim == r->m.dim && !strcmp(o->m.dataset, r->m.dataset) &&
            !strcmp(o->m.loss, r->m.loss) && !strcmp(o->m.distance, r->m.distance) &&
            !strcmp(o->hash_method, r->hash_method))
            return 1;
    }
    return 0;
}

int dsml_runs_arm_view(const dsml_run_set *set, dsml_arm arm, dsml_run_set *view)
{
    memset(view, 0, sizeof *view);
    memcpy(view->source, set->source, sizeof view->source);
    view->runs = calloc((size_t)(set->count ? set->count : 1), sizeof *view->runs);
    if (!view->runs) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", set->source);
    for (int i = 0; i < set->count; i++) {
        const dsml_table_run *r = &set->runs[i];
        int borrow = arm == DSML_ARM_PAPER && r->arm == DSML_ARM_COMMON && dsml_runs_arm_neutral(r->m.loss) &&
                     !group_has_arm(set, r, DSML_ARM_PAPER);
        if (r->arm != arm && !borrow) continue;
        view->runs[view->count] = *r;
        view->runs[view->count++].borrowed = borrow;
    }
    return DSML_OK;
}

void dsml_runs_view_free(dsml_run_set *view)
{
    free(view->runs);
    memset(view, 0, sizeof *view);
}
