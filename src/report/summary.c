/* Summary of finished runs; see summary.h. */
#include "report/summary.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "results/run_metrics.h"
#include "results/scan.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *header;  /* column name in csv and table */
    const char *path;    /* dotted path in metrics.json */
    int is_string;
    int in_table;
} column;

static const column columns[] = {
    {"dataset", "config.dataset", 1, 1},
    {"model", "config.model", 1, 0},
    {"loss", "config.loss", 1, 1},
    {"distance", "config.distance", 1, 1},
    {"dim", "config.dim", 0, 1},
    {"seed", "config.seed", 0, 1},
    {"epochs", "config.epochs", 0, 0},
    {"lr", "config.lr", 0, 0},
    {"margin", "config.margin", 0, 0},
    {"lambda", "config.lambda", 0, 0},
    {"recall@1", "metrics.euclidean.recall@1", 0, 1},
    {"recall@2", "metrics.euclidean.recall@2", 0, 0},
    {"recall@4", "metrics.euclidean.recall@4", 0, 0},
    {"recall@8", "metrics.euclidean.recall@8", 0, 0},
    {"recall@16", "metrics.euclidean.recall@16", 0, 0},
    {"recall@32", "metrics.euclidean.recall@32", 0, 0},
    {"map", "metrics.euclidean.map", 0, 1},
    {"map@t", "metrics.euclidean.map@t", 0, 0},
    {"map@r", "metrics.euclidean.map@r", 0, 1},
    {"r_precision", "metrics.euclidean.r_precision", 0, 0},
    {"f1@t", "metrics.euclidean.f1@t", 0, 1},
    {"hamming_map", "metrics.hamming.map", 0, 1},
    {"hamming_f1@t", "metrics.hamming.f1@t", 0, 0},
    {"hamming_recall@1", "metrics.hamming.recall@1", 0, 0},
    {"nmi", "metrics.clustering.nmi", 0, 1},
    {"cluster_f1", "metrics.clustering.f1", 0, 0},
    {"train_img_per_s", "training.images_per_second", 0, 1},
    {"total_s", "wall_seconds.total", 0, 0},
};
#define N_COLUMNS ((int)(sizeof columns / sizeof columns[0]))

typedef struct {
    char *name;          /* "<dataset>/<run>", or "<run>" for a run directly under the folder */
    dsml_run_metrics m;
} run_row;

typedef struct {
    run_row *rows;
    int n;
} row_list;

static int compare_names(const void *a, const void *b)
{
    return strcmp(((const run_row *)a)->name, ((const run_row *)b)->name);
}

/* Each cell's value, before any is written: a string column holds a string,
 * a number column a number or null (an empty cell), in the range the reader
 * checked. A column whose object is in the file must be there too (the
 * writer writes each object whole); a column of an absent object (a hashing
 * run's metrics.euclidean, a --no-eval run's metrics) is an empty cell, as is
 * an absent config key (older runs record fewer options). */
static int check_row(const run_row *row)
{
    for (int c = 0; c < N_COLUMNS; c++) {
        const column *col = &columns[c];
        dsml_metrics_value v = dsml_run_metrics_get(&row->m, col->path);
        if (v.kind == DSML_METRICS_ABSENT) {
            char parent[96];
            snprintf(parent, sizeof parent, "%.*s", (int)(strrchr(col->path, '.') - col->path), col->path);
            if (strncmp(col->path, "config.", 7) && dsml_run_metrics_get(&row->m, parent).kind != DSML_METRICS_ABSENT)
                return dsml_run_metrics_require(&row->m, col->path, 1);
        } else if (col->is_string && v.kind != DSML_METRICS_STRING) {
            return dsml_run_metrics_refuse(&row->m, col->path, "a string");
        } else if (!col->is_string && v.kind != DSML_METRICS_NUMBER && v.kind != DSML_METRICS_NULL) {
            const char *expected = dsml_run_metrics_expected(col->path);
            return dsml_run_metrics_refuse(&row->m, col->path, expected ? expected : "a number");
        }
    }
    return DSML_OK;
}

/* The row of a finished run. */
static int read_row(run_row *row, const dsml_results_run *run)
{
    size_t len = strlen(run->dataset) + strlen(run->name) + 2;
    row->name = malloc(len);
    if (!row->name) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", run->dir);
    snprintf(row->name, len, "%s%s%s", run->dataset, run->dataset[0] ? "/" : "", run->name);
    int rc = dsml_run_metrics_read(&row->m, run->metrics);
    if (!rc && (rc = check_row(row))) dsml_run_metrics_free(&row->m);
    if (rc) free(row->name);
    return rc;
}

static void format_cell(const run_row *row, const column *c, char *buf, size_t size)
{
    dsml_metrics_value v = dsml_run_metrics_get(&row->m, c->path);
    if (v.kind == DSML_METRICS_ABSENT || v.kind == DSML_METRICS_NULL) snprintf(buf, size, "%s", "");
    else if (v.kind == DSML_METRICS_STRING) snprintf(buf, size, "%s", v.string);
    else snprintf(buf, size, "%.6g", v.number);
}

int dsml_summary_build(const char *dir, const char *csv_path, FILE *table, FILE *notes, int *runs)
{
    dsml_results_list found;
    int rc = dsml_results_scan(dir, &found);
    row_list list = {0};
    list.rows = calloc((size_t)(found.count ? found.count : 1), sizeof *list.rows);
    if (!rc && !list.rows) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", dir);
    for (int i = 0; !rc && i < found.count; i++) {
        if (!found.runs[i].finished) dsml_results_note_unfinished(notes, &found.runs[i]);
        else if (!(rc = read_row(&list.rows[list.n], &found.runs[i]))) list.n++;
    }
    dsml_results_list_free(&found);
    if (!rc && list.n > 1) qsort(list.rows, (size_t)list.n, sizeof *list.rows, compare_names);
    char cell[256];
    if (!rc && csv_path) {
        dsml_atomic_file f;
        rc = dsml_atomic_begin(&f, csv_path);
        if (!rc) {
            fprintf(f.fp, "run");
            for (int c = 0; c < N_COLUMNS; c++) fprintf(f.fp, ",%s", columns[c].header);
            fputc('\n', f.fp);
            for (int r = 0; r < list.n; r++) {
                fprintf(f.fp, "%s", list.rows[r].name);
                for (int c = 0; c < N_COLUMNS; c++) {
                    format_cell(&list.rows[r], &columns[c], cell, sizeof cell);
                    fprintf(f.fp, ",%s", cell);
                }
                fputc('\n', f.fp);
            }
            rc = dsml_atomic_commit(&f);
        }
    }
    if (!rc && table) {
        fprintf(table, "| run |");
        for (int c = 0; c < N_COLUMNS; c++) if (columns[c].in_table) fprintf(table, " %s |", columns[c].header);
        fprintf(table, "\n|---|");
        for (int c = 0; c < N_COLUMNS; c++) if (columns[c].in_table) fprintf(table, "---|");
        fputc('\n', table);
        for (int r = 0; r < list.n; r++) {
            fprintf(table, "| %s |", list.rows[r].name);
            for (int c = 0; c < N_COLUMNS; c++) {
                if (!columns[c].in_table) continue;
                dsml_metrics_value v = dsml_run_metrics_get(&list.rows[r].m, columns[c].path);
                if (v.kind == DSML_METRICS_NUMBER && strchr(columns[c].header, '@') == NULL &&
                    strcmp(columns[c].header, "map") && strcmp(columns[c].header, "hamming_map") &&
                    strcmp(columns[c].header, "nmi"))
                    snprintf(cell, sizeof cell, "%.0f", v.number);
                else if (v.kind == DSML_METRICS_NUMBER)
                    snprintf(cell, sizeof cell, "%.4f", v.number);
                else
                    format_cell(&list.rows[r], &columns[c], cell, sizeof cell);
                fprintf(table, " %s |", cell);
            }
            fputc('\n', table);
        }
    }
    if (runs) *runs = list.n;
    for (int r = 0; r < list.n; r++) {
        free(list.rows[r].name);
        dsml_run_metrics_free(&list.rows[r].m);
    }
    free(list.rows);
    return rc;
}
