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
    return a->m.dim == b->m.dim && !strcmp(a->m.dataset, b->m.dataset) && !strcmp(a->m.loss, b->m.loss) &&
           !strcmp(a->m.distance, b->m.distance) && !strcmp(a->hash_method, b->hash_method);
}

/* Reads one finished run into *r; *keep is 0 (and r freed) when it is noted
 * and skipped. */
static int read_run(dsml_run_set *set, const dsml_results_run *found, dsml_table_run *r, FILE *notes, int *keep)
{
    *keep = 0;
    int rc = dsml_run_metrics_read(&r->m, found->metrics);
    if (rc) return rc;
    if ((rc = dsml_run_metrics_check(&r->m))) {
        dsml_run_metrics_free(&r->m);
        return rc;
    }
    r->dir = found->dir;
    r->hash_method = dsml_paper_hash_method(r->m.loss, r->m.distance, r->m.protocol);
    int dup = -1;
    if (r->m.evaluated_on_validation) {
        if (notes) fprintf(notes, "%s: evaluated on the validation carve-out (tuning), skipped\n", r->dir);
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
            fprintf(notes, "%s: seed %d of %s %s-%s d%d already read from %s, skipped\n", r->dir, r->m.seed,
                    r->m.dataset, r->m.loss, r->m.distance, r->m.dim, set->runs[dup].dir);
    }
    dsml_run_metrics_free(&r->m);
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
    for (int i = 0; !rc && i < set->scanned.count; i++) {
        const dsml_results_run *found = &set->scanned.runs[i];
        int keep = 0;
        if (!found->dataset[0]) dsml_results_note_outside(notes, found);
        else if (!found->finished) dsml_results_note_unfinished(notes, found);
        else rc = read_run(set, found, &set->runs[set->count], notes, &keep);
        set->count += keep;
    }
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

/* Adds (seed, value) keeping seeds ascending. */
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
