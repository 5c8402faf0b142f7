/* Summary of finished runs; see summary.h. */
#include "report/summary.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_parse.h"
#include "results/scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    char name[700];
    dsml_json_doc doc;
} run_row;

typedef struct {
    run_row *rows;
    int n, cap;
} row_list;

static int add_run(row_list *list, const char *name, const char *metrics_path)
{
    if (list->n == list->cap) {
        int cap = list->cap ? list->cap * 2 : 64;
        run_row *r = realloc(list->rows, sizeof *r * (size_t)cap);
        if (!r) return dsml_fail(DSML_ERR_NOMEM, "out of memory");
        list->rows = r;
        list->cap = cap;
    }
    run_row *row = &list->rows[list->n];
    snprintf(row->name, sizeof row->name, "%s", name);
    int rc = dsml_json_parse_file(&row->doc, metrics_path);
    if (rc) return rc;
    list->n++;
    return DSML_OK;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(((const run_row *)a)->name, ((const run_row *)b)->name);
}

static int has_subdirectory(const char *dir)
{
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *e; d && !found && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char sub[4400];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        found = stat(sub, &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (d) closedir(d);
    return found;
}

/* dir/<run>/metrics.json, and dir/<x>/<run>/metrics.json when depth allows.
 * A leaf directory without metrics.json is an unfinished run, named on `notes`;
 * the folders dsml_results_foreign names are not scanned. */
static int scan(row_list *list, const char *dir, const char *prefix, int depth, FILE *notes)
{
    DIR *d = opendir(dir);
    if (!d) return dsml_fail(DSML_ERR_IO, "%s: cannot open directory: %s", dir, strerror(errno));
    int rc = DSML_OK;
    for (struct dirent *e; !rc && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        if (!prefix[0] && dsml_results_foreign(e->d_name)) continue;
        char sub[4096], metrics[4200], name[600];
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        snprintf(metrics, sizeof metrics, "%s/metrics.json", sub);
        snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "/" : "", e->d_name);
        struct stat st;
        if (is_file(metrics)) rc = add_run(list, name, metrics);
        else if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (depth > 1 && has_subdirectory(sub)) rc = scan(list, sub, name, depth - 1, notes);
            else if (notes) fprintf(notes, "unfinished run (no metrics.json): %s\n", name);
        }
    }
    closedir(d);
    return rc;
}

static void format_cell(const run_row *row, const column *c, char *buf, size_t size)
{
    const dsml_jv *v = dsml_jv_get(row->doc.root, c->path);
    if (!v || v->type == DSML_JV_NULL) snprintf(buf, size, "%s", "");
    else if (v->type == DSML_JV_STRING) snprintf(buf, size, "%s", v->string);
    else snprintf(buf, size, "%.6g", v->number);
}

int dsml_summary_build(const char *dir, const char *csv_path, FILE *table, FILE *notes, int *runs)
{
    row_list list = {0};
    int rc = scan(&list, dir, "", 2, notes);
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
                const dsml_jv *v = dsml_jv_get(list.rows[r].doc.root, columns[c].path);
                if (v && v->type == DSML_JV_NUMBER && strchr(columns[c].header, '@') == NULL &&
                    strcmp(columns[c].header, "map") && strcmp(columns[c].header, "hamming_map") &&
                    strcmp(columns[c].header, "nmi"))
                    snprintf(cell, sizeof cell, "%.0f", v->number);
                else if (v && v->type == DSML_JV_NUMBER)
                    snprintf(cell, sizeof cell, "%.4f", v->number);
                else
                    format_cell(&list.rows[r], &columns[c], cell, sizeof cell);
                fprintf(table, " %s |", cell);
            }
            fputc('\n', table);
        }
    }
    if (runs) *runs = list.n;
    for (int r = 0; r < list.n; r++) dsml_json_doc_free(&list.rows[r].doc);
    free(list.rows);
    return rc;
}
