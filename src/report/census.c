/* The runs behind the report page, counted; see census.h. */
#include "report/census.h"
#include "core/error.h"
#include "results/run_metrics.h"
#include "results/scan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Counts one run of the combination (a, b, c); NULL fields count as "". */
static int tally_add(dsml_census_tally *t, const char *a, const char *b, const char *c)
{
    dsml_census_row row;
    memset(&row, 0, sizeof row);
    const char *in[3] = {a, b, c};
    for (int f = 0; f < 3; f++) snprintf(row.field[f], DSML_CENSUS_FIELD, "%s", in[f] ? in[f] : "");
    int i = 0, cmp = 1;
    for (; i < t->count; i++) {
        cmp = memcmp(t->rows[i].field, row.field, sizeof row.field);
        if (cmp >= 0) break;
    }
    if (i < t->count && cmp == 0) {
        t->rows[i].runs++;
        return DSML_OK;
    }
    if (t->count == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        dsml_census_row *grown = realloc(t->rows, (size_t)cap * sizeof *grown);
        if (!grown) return dsml_fail(DSML_ERR_NOMEM, "report: out of memory counting runs");
        t->rows = grown;
        t->cap = cap;
    }
    memmove(&t->rows[i + 1], &t->rows[i], (size_t)(t->count - i) * sizeof row);
    row.runs = 1;
    t->rows[i] = row;
    t->count++;
    return DSML_OK;
}

static int dataset_add(dsml_census *c, const char *name, const char *sha256)
{
    int i = 0;
    while (i < c->n_datasets && strcmp(c->datasets[i].name, name) < 0) i++;
    if (i == c->n_datasets || strcmp(c->datasets[i].name, name)) {
        dsml_census_dataset *grown = realloc(c->datasets, (size_t)(c->n_datasets + 1) * sizeof *grown);
        if (!grown) return dsml_fail(DSML_ERR_NOMEM, "report: out of memory counting datasets");
        c->datasets = grown;
        memmove(&grown[i + 1], &grown[i], (size_t)(c->n_datasets - i) * sizeof *grown);
        memset(&grown[i], 0, sizeof grown[i]);
        snprintf(grown[i].name, sizeof grown[i].name, "%s", name);
        c->n_datasets++;
    }
    dsml_sources_add(&c->datasets[i].sources, sha256);
    return DSML_OK;
}

/* The string at key, or NULL. */
static const char *string_at(const dsml_run_metrics *m, const char *key)
{
    dsml_metrics_value v = dsml_run_metrics_get(m, key);
    return v.kind == DSML_METRICS_STRING ? v.string : NULL;
}

static int count_run(dsml_census *c, const dsml_results_run *run)
{
    dsml_run_metrics m;
    int rc = dsml_run_metrics_read(&m, run->metrics);
    if (rc) return rc;
    const char *dataset = m.dataset ? m.dataset : run->dataset;
    const char *file = string_at(&m, "pretrained.file");
    if (file && strrchr(file, '/')) file = strrchr(file, '/') + 1; /* the name, not where it was */
    rc = tally_add(&c->folders, run->dataset, NULL, NULL);
    if (!rc) rc = dataset_add(c, dataset, string_at(&m, "data.source_sha256"));
    if (!rc && file)
        rc = tally_add(&c->weights, file, string_at(&m, "pretrained.format"), string_at(&m, "pretrained.sha256"));
    if (!rc) rc = tally_add(&c->networks, m.model ? m.model : "?", file ? "pretrained" : "from scratch", NULL);
    if (!rc)
        rc = tally_add(&c->programs, string_at(&m, "program.version"), string_at(&m, "program.libraries"), NULL);
    if (!rc) c->finished++;
    dsml_run_metrics_free(&m);
    return rc;
}

int dsml_census_load(dsml_census *c, const char *results_dir)
{
    memset(c, 0, sizeof *c);
    struct stat st;
    if (stat(results_dir, &st) != 0 && errno == ENOENT) return DSML_OK;
    dsml_results_list list;
    int rc = dsml_results_scan(results_dir, &list);
    if (rc) return rc;
    for (int i = 0; !rc && i < list.count; i++) {
        const dsml_results_run *run = &list.runs[i];
        if (!run->dataset[0]) c->outside++;
        else if (!run->finished) c->unfinished++;
        else rc = count_run(c, run);
    }
    dsml_results_list_free(&list);
    if (rc) dsml_census_free(c);
    return rc;
}

void dsml_census_free(dsml_census *c)
{
    free(c->folders.rows);
    free(c->weights.rows);
    free(c->networks.rows);
    free(c->programs.rows);
    free(c->datasets);
    memset(c, 0, sizeof *c);
}
