/* The paper's Tables 1-4 rebuilt from the results directory; see tables.h. */
#include "report/tables.h"
#include "results/scan.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_parse.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const dsml_paper_row dsml_paper_rows[DSML_PAPER_ROWS] = {
    {"contrastive", "contrastive", "euclidean"}, {"DSML(cont)", "contrastive", "snr"},
    {"triplet", "triplet", "euclidean"},         {"DSML(tri)", "triplet", "snr"},
    {"lifted", "lifted", "euclidean"},           {"DSML(lifted)", "lifted", "snr"},
    {"N-pair", "npair", "euclidean"},            {"DSML(N-pair)", "npair", "snr"},
};

const int dsml_table_sizes[DSML_TABLE_SIZES] = {16, 32, 64};

static const dsml_table_column columns_t12[DSML_TABLE_COLUMNS] = {
    {"F1", "F1 (clustering)", "clustering.f1", DSML_TM_CLUSTER_F1},
    {"NMI", "NMI", "clustering.nmi", DSML_TM_NMI},
    {"Recall@1", "Recall@1", "euclidean.recall@1", DSML_TM_RECALL1},
    {"Recall@2", "Recall@2", "euclidean.recall@2", DSML_TM_RECALL2},
};
static const dsml_table_column columns_t3[DSML_TABLE_COLUMNS] = {
    {"MAP@59000", "MAP@59000 (Euclidean ranking)", "euclidean.map@59000", DSML_TM_EUC_MAP},
    {"F1@5000", "F1@5000 (Euclidean ranking)", "euclidean.f1@5000", DSML_TM_EUC_F1},
    {"MAP@59000", "MAP@59000 (Hamming ranking)", "hamming.map@59000", DSML_TM_HAM_MAP},
    {"F1@5000", "F1@5000 (Hamming ranking)", "hamming.f1@5000", DSML_TM_HAM_F1},
};

const dsml_table_column *dsml_table_columns(int table)
{
    if (table == 1 || table == 2) return columns_t12;
    if (table == 3) return columns_t3;
    return NULL;
}

static const char *metric_paths[DSML_TM_COUNT] = {
    "metrics.clustering.f1", "metrics.clustering.nmi", "metrics.euclidean.recall@1", "metrics.euclidean.recall@2",
    "metrics.euclidean.map@t", "metrics.euclidean.f1@t", "metrics.hamming.map@t", "metrics.hamming.f1@t",
};

int dsml_tables_metric_of(const char *name)
{
    static const struct { const char *name; dsml_table_metric metric; } map[] = {
        {"clustering.f1", DSML_TM_CLUSTER_F1},      {"clustering.nmi", DSML_TM_NMI},
        {"euclidean.recall@1", DSML_TM_RECALL1},    {"euclidean.recall@2", DSML_TM_RECALL2},
        {"euclidean.map@59000", DSML_TM_EUC_MAP},   {"euclidean.f1@5000", DSML_TM_EUC_F1},
        {"hamming.map@59000", DSML_TM_HAM_MAP},     {"hamming.f1@5000", DSML_TM_HAM_F1},
        {"hamming.map@50000", DSML_TM_HAM_MAP},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].name, name)) return (int)map[i].metric;
    return -1;
}

/* ---- loading runs ------------------------------------------------------------- */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int skip_entry(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Copies a required string member, failing with the file and key. */
static int need_string(const dsml_jv *root, const char *key, char *dst, size_t size, const char *path)
{
    const char *s = dsml_jv_string(root, key, NULL);
    if (!s) return dsml_fail(DSML_ERR_FORMAT, "%s: %s: expected a string, found none", path, key);
    if (strlen(s) >= size)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s: expected at most %zu characters, found '%s'", path, key,
                         size - 1, s);
    strcpy(dst, s);
    return DSML_OK;
}

static int need_int(const dsml_jv *root, const char *key, int *out, const char *path)
{
    const dsml_jv *v = dsml_jv_get(root, key);
    if (!v || v->type != DSML_JV_NUMBER || v->number != floor(v->number) || fabs(v->number) > 1e9)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s: expected an integer, found %s", path, key,
                         v ? "another value" : "none");
    *out = (int)v->number;
    return DSML_OK;
}

static int read_run(dsml_run_record *r, const char *run_dir, const char *path, int *validation_only)
{
    dsml_json_doc doc;
    int rc = dsml_json_parse_file(&doc, path);
    if (rc) return rc;
    const dsml_jv *root = doc.root;
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s", run_dir);
    if ((rc = need_string(root, "config.dataset", r->dataset, sizeof r->dataset, path)) ||
        (rc = need_string(root, "config.loss", r->loss, sizeof r->loss, path)) ||
        (rc = need_string(root, "config.distance", r->distance, sizeof r->distance, path)) ||
        (rc = need_int(root, "config.dim", &r->dim, path)) || (rc = need_int(root, "config.seed", &r->seed, path))) {
        dsml_json_doc_free(&doc);
        return rc;
    }
    snprintf(r->model, sizeof r->model, "%s", dsml_jv_string(root, "config.model", "?"));
    r->epochs = (int)dsml_jv_number(root, "config.epochs", 0);
    r->map_at = (long)dsml_jv_number(root, "config.map_at", 0);
    r->f1_at = (long)dsml_jv_number(root, "config.f1_at", 0);
    r->query = (long)dsml_jv_number(root, "data.split.eval_queries", dsml_jv_number(root, "data.split.query", 0));
    r->database = (long)dsml_jv_number(root, "data.split.eval_database",
                                       dsml_jv_number(root, "data.split.database", 0));
    r->train = (long)dsml_jv_number(root, "data.split.train", 0);
    for (int m = 0; m < DSML_TM_COUNT; m++) {
        const dsml_jv *v = dsml_jv_get(root, metric_paths[m]);
        r->metric[m] = v && v->type == DSML_JV_NUMBER ? v->number : NAN;
    }
    const char *protocol = dsml_jv_string(root, "config.protocol", "");
    if (!strcmp(r->loss, "dsnrh")) strcpy(r->hash_method, "DSNRH");
    else if (!strcmp(r->loss, "dpsh")) strcpy(r->hash_method, "DPSH");
    else if (!strcmp(r->loss, "dtsh")) strcpy(r->hash_method, "DTSH");
    else if (!strcmp(protocol, "hashing")) {
        if (!strcmp(r->loss, "contrastive") && !strcmp(r->distance, "snr")) strcpy(r->hash_method, "DSNRH");
        else if (!strcmp(r->loss, "contrastive")) strcpy(r->hash_method, "Contrastive");
        else strcpy(r->hash_method, "other");
    }
    const dsml_jv *val = dsml_jv_get(root, "data.split.evaluated_on_validation");
    *validation_only = val && val->type == DSML_JV_BOOL && val->number != 0;
    /* a density-adaptive variant is not the paper's row (methods.md has it) */
    if (!*validation_only && dsml_jv_number(root, "config.density", 0) > 0) *validation_only = 2;
    dsml_json_doc_free(&doc);
    return DSML_OK;
}

static int same_group(const dsml_run_record *a, const dsml_run_record *b)
{
    return a->dim == b->dim && !strcmp(a->dataset, b->dataset) && !strcmp(a->loss, b->loss) &&
           !strcmp(a->distance, b->distance) && !strcmp(a->hash_method, b->hash_method);
}

int dsml_runs_load(dsml_run_set *set, const char *dir, FILE *notes)
{
    set->runs = NULL;
    set->count = 0;
    snprintf(set->source, sizeof set->source, "%s", dir);
    for (size_t n = strlen(set->source); n > 1 && set->source[n - 1] == '/'; n--) set->source[n - 1] = '\0';
    if (!is_dir(dir)) {
        if (notes) fprintf(notes, "%s: no results directory; every cell is 'not run'\n", dir);
        return DSML_OK;
    }
    struct dirent **datasets = NULL;
    int nd = scandir(dir, &datasets, skip_entry, alphasort);
    if (nd < 0) return dsml_fail(DSML_ERR_IO, "%s: %s", dir, strerror(errno));
    int cap = 0, rc = DSML_OK;
    char dpath[2048], rpath[2400], mpath[2500];
    for (int i = 0; i < nd && !rc; i++) {
        snprintf(dpath, sizeof dpath, "%s/%s", dir, datasets[i]->d_name);
        if (!is_dir(dpath) || dsml_results_foreign(datasets[i]->d_name)) continue;
        struct dirent **runs = NULL;
        int nr = scandir(dpath, &runs, skip_entry, alphasort);
        if (nr < 0) { rc = dsml_fail(DSML_ERR_IO, "%s: %s", dpath, strerror(errno)); break; }
        for (int j = 0; j < nr; j++) {
            if (!rc) {
                snprintf(rpath, sizeof rpath, "%s/%s", dpath, runs[j]->d_name);
                snprintf(mpath, sizeof mpath, "%s/metrics.json", rpath);
                struct stat st;
                if (!is_dir(rpath)) {
                    /* summary.csv and the like */
                } else if (stat(mpath, &st) != 0) {
                    if (notes) fprintf(notes, "%s: no metrics.json (unfinished run), skipped\n", rpath);
                } else {
                    if (set->count == cap) {
                        cap = cap ? 2 * cap : 64;
                        dsml_run_record *grown = realloc(set->runs, (size_t)cap * sizeof *grown);
                        if (!grown) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", rpath);
                        else set->runs = grown;
                    }
                    int validation_only = 0;
                    if (!rc) rc = read_run(&set->runs[set->count], rpath, mpath, &validation_only);
                    if (!rc && validation_only) {
                        if (notes)
                            fprintf(notes, "%s: %s, skipped\n", rpath,
                                    validation_only == 2 ? "density-adaptive variant (in methods.md only)"
                                                         : "evaluated on the validation carve-out (tuning)");
                    } else if (!rc) {
                        const dsml_run_record *r = &set->runs[set->count];
                        int dup = -1;
                        for (int k = 0; k < set->count && dup < 0; k++)
                            if (set->runs[k].seed == r->seed && same_group(&set->runs[k], r)) dup = k;
                        if (dup >= 0) {
                            if (notes)
                                fprintf(notes, "%s: seed %d of %s %s-%s d%d already read from %s, skipped\n", rpath,
                                        r->seed, r->dataset, r->loss, r->distance, r->dim, set->runs[dup].dir);
                        } else {
                            set->count++;
                        }
                    }
                }
            }
            free(runs[j]);
        }
        free(runs);
    }
    for (int i = 0; i < nd; i++) free(datasets[i]);
    free(datasets);
    if (rc) dsml_runs_free(set);
    return rc;
}

void dsml_runs_free(dsml_run_set *set)
{
    free(set->runs);
    set->runs = NULL;
    set->count = 0;
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
                      dsml_table_metric metric, dsml_sample *out)
{
    out->n = 0;
    for (int i = 0; i < set->count; i++) {
        const dsml_run_record *r = &set->runs[i];
        if (!r->hash_method[0] && r->dim == dim && !strcmp(r->dataset, dataset) && !strcmp(r->loss, loss) &&
            !strcmp(r->distance, distance))
            sample_add(out, r->seed, r->metric[metric]);
    }
}

void dsml_runs_sample_hashing(const dsml_run_set *set, const char *dataset, const char *method, int bits,
                              dsml_table_metric metric, dsml_sample *out)
{
    out->n = 0;
    size_t len = strlen(method);
    if (len > 0 && method[len - 1] == '*') len--;
    for (int i = 0; i < set->count; i++) {
        const dsml_run_record *r = &set->runs[i];
        if (r->hash_method[0] && r->dim == bits && !strcmp(r->dataset, dataset) && strlen(r->hash_method) == len &&
            !strncmp(r->hash_method, method, len))
            sample_add(out, r->seed, r->metric[metric]);
    }
}

int dsml_runs_count(const dsml_run_set *set, const char *dataset, int hashing)
{
    int n = 0;
    for (int i = 0; i < set->count; i++)
        n += !strcmp(set->runs[i].dataset, dataset) && (set->runs[i].hash_method[0] != '\0') == (hashing != 0);
    return n;
}

/* ---- cells and captions ------------------------------------------------------- */

typedef enum { FMT_MD, FMT_TEX } out_format;

/* "ours mean ± std (paper)", "mean (paper)" for one seed, "not run (paper)". */
static void format_cell(char *buf, size_t size, const dsml_sample *s, double scale, int decimals,
                        const dsml_published_value *pv, out_format fmt)
{
    const char *pm = fmt == FMT_TEX ? " $\\pm$ " : " ± ";
    int len;
    if (s->n == 0) {
        len = snprintf(buf, size, "not run");
    } else {
        double mean, sd;
        double v[DSML_MAX_SEEDS];
        for (int i = 0; i < s->n; i++) v[i] = s->values[i] * scale;
        dsml_stats_mean_sd(v, s->n, &mean, &sd);
        if (s->n >= 2) len = snprintf(buf, size, "%.*f%s%.*f", decimals, mean, pm, decimals, sd);
        else len = snprintf(buf, size, "%.*f", decimals, mean);
    }
    if (pv && len > 0 && (size_t)len < size) snprintf(buf + len, size - (size_t)len, " (%.*f)", pv->decimals, pv->value);
}

typedef struct {
    int runs, n_min, n_max;
    char models[128];
    char epochs[64];
} run_info;

static void append_unique(char *list, size_t size, const char *item)
{
    char padded[160];
    snprintf(padded, sizeof padded, ", %s,", item);
    char probe[512];
    snprintf(probe, sizeof probe, ", %s,", list);
    if (list[0] && strstr(probe, padded)) return;
    size_t len = strlen(list);
    snprintf(list + len, size - len, "%s%s", len ? ", " : "", item);
}

/* Models and epochs of a dataset's runs (hashing or not). */
static void collect_info(const dsml_run_set *set, const char *dataset, int hashing, run_info *info)
{
    memset(info, 0, sizeof *info);
    info->n_min = 1 << 30;
    for (int i = 0; i < set->count; i++) {
        const dsml_run_record *r = &set->runs[i];
        if (strcmp(r->dataset, dataset) || (r->hash_method[0] != '\0') != (hashing != 0)) continue;
        info->runs++;
        char e[32];
        snprintf(e, sizeof e, "%d", r->epochs);
        append_unique(info->models, sizeof info->models, r->model);
        append_unique(info->epochs, sizeof info->epochs, e);
    }
}

static void note_n(run_info *info, int n)
{
    if (n <= 0) return;
    if (n < info->n_min) info->n_min = n;
    if (n > info->n_max) info->n_max = n;
}

/* The caption's sentence about our protocol. */
static void our_protocol(FILE *fp, const run_info *info, const char *pm)
{
    if (info->runs == 0) {
        fprintf(fp, "Ours: not run on this dataset (every cell says \"not run\")");
        return;
    }
    fprintf(fp, "Ours: %s trained from scratch (no ImageNet pre-training), %s epochs; each cell is our mean %s sample "
            "std over seeds (n = ", info->models, info->epochs, pm);
    if (info->n_min == info->n_max) fprintf(fp, "%d", info->n_min);
    else fprintf(fp, "%d to %d", info->n_min, info->n_max);
    fprintf(fp, " per cell; a cell without %s comes from one seed)", pm);
}

/* The T of MAP@T and F1@T over a dataset's runs (0 when they disagree). */
static void ranking_depths(const dsml_run_set *set, const char *dataset, long *map_t, int *map_whole, long *f1_t)
{
    *map_t = -1;
    *f1_t = -1;
    *map_whole = 1;
    for (int i = 0; i < set->count; i++) {
        const dsml_run_record *r = &set->runs[i];
        if (strcmp(r->dataset, dataset) || r->hash_method[0]) continue;
        long t = r->map_at > 0 && r->map_at < r->database ? r->map_at : r->database;
        if (r->map_at > 0 && r->map_at < r->database) *map_whole = 0;
        long f = r->f1_at > 0 && r->f1_at < r->database ? r->f1_at : r->database;
        *map_t = *map_t < 0 || *map_t == t ? t : 0;
        *f1_t = *f1_t < 0 || *f1_t == f ? f : 0;
    }
}

/* Text for LaTeX: escapes the characters that are special there. */
static void tex_text(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (strchr("_%#&$", *s)) fprintf(fp, "\\%c", *s);
        else fputc(*s, fp);
    }
}

/* ---- Tables 1-3 ----------------------------------------------------------------- */

typedef struct {
    int table;               /* 1..3: published values of this table; 0: none */
    const char *dataset;     /* our dataset name */
    const char *title;       /* "Table 1. Results on CARS196" */
    const char *task_left, *task_right;
    const char *labels[DSML_TABLE_COLUMNS]; /* column group headers */
    const dsml_table_column *columns;
    const char *paper_note;  /* the paper's protocol, for the caption */
} dml_table;

static void write_dml_table(FILE *md, FILE *tex, const dml_table *t, const dsml_run_set *set,
                            const dsml_published *pub, const char *extra_caption)
{
    run_info info;
    collect_info(set, t->dataset, 0, &info);
    char cell[160];
    dsml_sample s;
    /* seeds per cell first, for the caption */
    for (int row = 0; row < DSML_PAPER_ROWS; row++)
        for (int c = 0; c < DSML_TABLE_COLUMNS; c++)
            for (int k = 0; k < DSML_TABLE_SIZES; k++) {
                dsml_runs_sample(set, t->dataset, dsml_paper_rows[row].loss, dsml_paper_rows[row].distance,
                                 dsml_table_sizes[k], t->columns[c].metric, &s);
                note_n(&info, s.n);
            }
    if (info.runs && info.n_max == 0) info.n_min = 0;

    /* Markdown */
    fprintf(md, "## %s\n\n", t->title);
    our_protocol(md, &info, "±");
    fprintf(md, ". %s %s\n\n", t->table ? "In parentheses: the paper's value." : "No published values: the paper "
            "does not use this dataset.", t->paper_note);
    if (extra_caption && extra_caption[0]) fprintf(md, "%s\n\n", extra_caption);
    fprintf(md, "Column groups: %s (%s | %s) and %s (%s | %s); sizes 16, 32, 64. Scores in %%.\n\n", t->task_left,
            t->labels[0], t->labels[1], t->task_right, t->labels[2], t->labels[3]);
    fprintf(md, "| score (%%) |");
    for (int c = 0; c < DSML_TABLE_COLUMNS; c++)
        for (int k = 0; k < DSML_TABLE_SIZES; k++) fprintf(md, " %s %d |", t->labels[c], dsml_table_sizes[k]);
    fprintf(md, "\n|---|");
    for (int i = 0; i < DSML_TABLE_COLUMNS * DSML_TABLE_SIZES; i++) fprintf(md, "---|");
    fprintf(md, "\n");

    /* LaTeX */
    fprintf(tex, "%% %s (generated by dsml tables)\n\\begin{table*}[t]\n\\centering\n\\scriptsize\n", t->title);
    fprintf(tex, "\\begin{tabular}{l|ccc|ccc|ccc|ccc}\n\\hline\n");
    fprintf(tex, "Tasks & \\multicolumn{6}{c|}{%s} & \\multicolumn{6}{c}{%s} \\\\\n", t->task_left, t->task_right);
    fprintf(tex, "score (\\%%) & \\multicolumn{3}{c|}{%s} & \\multicolumn{3}{c|}{%s} & \\multicolumn{3}{c|}{%s} & "
            "\\multicolumn{3}{c}{%s} \\\\\n", t->labels[0], t->labels[1], t->labels[2], t->labels[3]);
    fprintf(tex, "embedding size");
    for (int c = 0; c < DSML_TABLE_COLUMNS; c++)
        for (int k = 0; k < DSML_TABLE_SIZES; k++) fprintf(tex, " & %d", dsml_table_sizes[k]);
    fprintf(tex, " \\\\\n\\hline\n");

    for (int row = 0; row < DSML_PAPER_ROWS; row++) {
        const dsml_paper_row *pr = &dsml_paper_rows[row];
        fprintf(md, "| %s |", pr->method);
        fprintf(tex, "%s", pr->method);
        for (int c = 0; c < DSML_TABLE_COLUMNS; c++)
            for (int k = 0; k < DSML_TABLE_SIZES; k++) {
                int size = dsml_table_sizes[k];
                dsml_runs_sample(set, t->dataset, pr->loss, pr->distance, size, t->columns[c].metric, &s);
                const dsml_published_value *pv =
                    t->table ? dsml_published_find(pub, t->table, t->dataset, pr->method, t->columns[c].published, size)
                             : NULL;
                format_cell(cell, sizeof cell, &s, 100.0, 1, pv, FMT_MD);
                fprintf(md, " %s |", cell);
                format_cell(cell, sizeof cell, &s, 100.0, 1, pv, FMT_TEX);
                fprintf(tex, " & %s", cell);
            }
        fprintf(md, "\n");
        fprintf(tex, " \\\\\n");
    }
    fprintf(md, "\n");
    fprintf(tex, "\\hline\n\\end{tabular}\n\\caption{");
    tex_text(tex, t->title);
    fprintf(tex, ". ");
    our_protocol(tex, &info, "$\\pm$");
    fprintf(tex, ". %s %s", t->table ? "In parentheses: the paper's value." : "No published values.", t->paper_note);
    if (extra_caption && extra_caption[0]) {
        fputc(' ', tex);
        tex_text(tex, extra_caption);
    }
    fprintf(tex, "}\n\\end{table*}\n\n");
}

/* Writes a memstream's bytes to path atomically; closes the stream. */
static int finish_file(FILE *fp, char **buf, size_t *len, const char *path, FILE *notes)
{
    if (fclose(fp) != 0) return dsml_fail(DSML_ERR_NOMEM, "%s: could not build the text", path);
    int rc = dsml_atomic_write(path, *buf, *len);
    free(*buf);
    *buf = NULL;
    if (!rc && notes) fprintf(notes, "wrote %s\n", path);
    return rc;
}

static const char *paper_t12 = "Paper: AlexNet pre-trained on ImageNet and fine-tuned (227x227 inputs), one run.";

static int write_table12(const char *out_dir, int table, const dsml_run_set *set, const dsml_published *pub,
                         FILE *notes)
{
    dml_table t = {table, table == 1 ? "cars196" : "cub200",
                   table == 1 ? "Table 1. Results on CARS196" : "Table 2. Results on CUB200-2011",
                   "Image Clustering", "Image Retrieval", {"F1", "NMI", "Recall@1", "Recall@2"},
                   dsml_table_columns(table), paper_t12};
    char path[4200];
    char *mdb = NULL, *texb = NULL;
    size_t mdn = 0, texn = 0;
    FILE *md = open_memstream(&mdb, &mdn), *tex = open_memstream(&texb, &texn);
    if (!md || !tex) {
        if (md) fclose(md);
        if (tex) fclose(tex);
        free(mdb);
        free(texb);
        return dsml_fail(DSML_ERR_NOMEM, "table %d: out of memory", table);
    }
    fprintf(md, "# %s\n\nGenerated by `dsml tables` from %s/; do not edit.\n\n", t.title, set->source);
    write_dml_table(md, tex, &t, set, pub, "");
    snprintf(path, sizeof path, "%s/table%d.md", out_dir, table);
    int rc = finish_file(md, &mdb, &mdn, path, notes);
    snprintf(path, sizeof path, "%s/table%d.tex", out_dir, table);
    int rc2 = finish_file(tex, &texb, &texn, path, notes);
    return rc ? rc : rc2;
}

static int write_table3(const char *out_dir, const dsml_run_set *set, const dsml_published *pub, FILE *notes)
{
    char path[4200];
    char *mdb = NULL, *texb = NULL;
    size_t mdn = 0, texn = 0;
    FILE *md = open_memstream(&mdb, &mdn), *tex = open_memstream(&texb, &texn);
    if (!md || !tex) {
        if (md) fclose(md);
        if (tex) fclose(tex);
        free(mdb);
        free(texb);
        return dsml_fail(DSML_ERR_NOMEM, "table 3: out of memory");
    }
    fprintf(md, "# Table 3. Retrieval results on CIFAR10, and the same layout for our other datasets\n\n"
            "Generated by `dsml tables` from %s/; do not edit.\n\n", set->source);
    /* the datasets: cifar10 first, then every other dataset with DML runs
     * that no published table covers */
    const char *names[64];
    int nn = 0;
    names[nn++] = "cifar10";
    for (int i = 0; i < set->count && nn < 64; i++) {
        const dsml_run_record *r = &set->runs[i];
        if (r->hash_method[0] || !strcmp(r->dataset, "cifar10") || !strcmp(r->dataset, "cars196") ||
            !strcmp(r->dataset, "cub200"))
            continue;
        int seen = 0;
        for (int k = 0; k < nn; k++) seen |= !strcmp(names[k], r->dataset);
        if (!seen) names[nn++] = r->dataset;
    }
    for (int d = 0; d < nn; d++) {
        long map_t, f1_t;
        int whole;
        ranking_depths(set, names[d], &map_t, &whole, &f1_t);
        char map_label[32], f1_label[32], title[128], extra[512];
        if (map_t > 0) snprintf(map_label, sizeof map_label, "MAP@%ld", map_t);
        else snprintf(map_label, sizeof map_label, "%s", d == 0 ? "MAP@59000" : "MAP@T");
        if (f1_t > 0) snprintf(f1_label, sizeof f1_label, "F1@%ld", f1_t);
        else snprintf(f1_label, sizeof f1_label, "%s", d == 0 ? "F1@5000" : "F1@T");
        extra[0] = '\0';
        const dsml_run_record *first = NULL;
        for (int i = 0; i < set->count && !first; i++)
            if (!set->runs[i].hash_method[0] && !strcmp(set->runs[i].dataset, names[d])) first = &set->runs[i];
        if (first)
            snprintf(extra, sizeof extra, "Our split: %ld queries, %ld database images, %ld training images. Our "
                     "%s is metrics.*.map@t%s; our %s is metrics.*.f1@t.%s", first->query, first->database,
                     first->train, map_label, whole ? " with config.map_at = 0, i.e. the whole database" : "",
                     f1_label, map_t == 0 || f1_t == 0 ? " Runs differ in T; the labels show T only when all agree." : "");
        if (d == 0) snprintf(title, sizeof title, "Table 3. Retrieval results on CIFAR10");
        else snprintf(title, sizeof title, "Table 3 layout: retrieval results on %s (no published values)", names[d]);
        dml_table t = {d == 0 ? 3 : 0, names[d], title, "Euclidean Ranking", "Hamming Ranking",
                       {map_label, f1_label, map_label, f1_label}, dsml_table_columns(3),
                       d == 0 ? "Paper: AlexNet pre-trained on ImageNet; 100 queries per class, the other 59,000 "
                                "images the database, 500 images per class trained; one run."
                              : "The paper reports nothing on this dataset; the comparison SNR vs Euclidean is "
                                "tested in claims.md."};
        write_dml_table(md, tex, &t, set, pub, extra);
    }
    snprintf(path, sizeof path, "%s/table3.md", out_dir);
    int rc = finish_file(md, &mdb, &mdn, path, notes);
    snprintf(path, sizeof path, "%s/table3.tex", out_dir);
    int rc2 = finish_file(tex, &texb, &texn, path, notes);
    return rc ? rc : rc2;
}

/* ---- Table 4 ------------------------------------------------------------------- */

static const char *t4_datasets[2] = {"cifar10", "nus-wide"};
static const char *t4_titles[2] = {"CIFAR10", "NUS-WIDE"};
static const int t4_bits[4] = {16, 24, 32, 48};

/* The methods of Table 4 for one dataset, in file order. */
static int t4_methods(const dsml_published *pub, const char *dataset, const char **out, int max)
{
    int n = 0;
    for (int i = 0; i < pub->count; i++) {
        const dsml_published_value *v = &pub->values[i];
        if (v->table != 4 || strcmp(v->dataset, dataset)) continue;
        int seen = 0;
        for (int k = 0; k < n; k++) seen |= !strcmp(out[k], v->method);
        if (!seen && n < max) out[n++] = v->method;
    }
    return n;
}

/* The Euclidean twin of DSNRH (the same contrastive loss and regulariser),
 * which the paper does not list but which isolates the distance. */
#define T4_OUR_BASELINE "Contrastive"
static const char *t4_our_methods[4] = {"DSNRH", T4_OUR_BASELINE, "DPSH", "DTSH"};

static int is_t4_dataset(const char *dataset)
{
    return !strcmp(dataset, t4_datasets[0]) || !strcmp(dataset, t4_datasets[1]);
}

/* Our hashing runs on datasets the paper's Table 4 does not have (e.g.
 * fashion-mnist): the same layout, our values only, one block per dataset. */
static void write_table4_others(FILE *md, FILE *tex, const dsml_run_set *set)
{
    char done[512] = "", cell[160];
    dsml_sample s;
    for (int i = 0; i < set->count; i++) {
        const char *dataset = set->runs[i].dataset;
        if (!set->runs[i].hash_method[0] || is_t4_dataset(dataset)) continue;
        char probe[576], padded[160];
        snprintf(probe, sizeof probe, ", %s,", done);
        snprintf(padded, sizeof padded, ", %s,", dataset);
        if (done[0] && strstr(probe, padded)) continue;
        append_unique(done, sizeof done, dataset);
        run_info info;
        collect_info(set, dataset, 1, &info);
        fprintf(md, "\n## %s (not in the paper)\n\nThe same protocol (1,000 queries per class, the rest training set "
                "and database) on %s; hashing runs with %s, %s epochs, trained from scratch; MAP@T with "
                "T = min(50000, database size). No published values.\n\n"
                "| method | 16 bits | 24 bits | 32 bits | 48 bits |\n|---|---|---|---|---|\n",
                dataset, dataset, info.models, info.epochs);
        fprintf(tex, "\n%% %s (not in the paper)\n\\begin{table}[t]\n\\centering\n\\scriptsize\n"
                "\\begin{tabular}{l|cccc}\n\\hline\nmethod & 16 bits & 24 bits & 32 bits & 48 bits \\\\\n\\hline\n",
                dataset);
        for (int m = 0; m < 4; m++) {
            fprintf(md, "| %s |", t4_our_methods[m]);
            fprintf(tex, "%s", t4_our_methods[m]);
            for (int b = 0; b < 4; b++) {
                dsml_runs_sample_hashing(set, dataset, t4_our_methods[m], t4_bits[b], DSML_TM_HAM_MAP, &s);
                format_cell(cell, sizeof cell, &s, 1.0, 3, NULL, FMT_MD);
                fprintf(md, " %s |", cell);
                format_cell(cell, sizeof cell, &s, 1.0, 3, NULL, FMT_TEX);
                fprintf(tex, " & %s", cell);
            }
            fprintf(md, "\n");
            fprintf(tex, " \\\\\n");
        }
        fprintf(tex, "\\hline\n\\end{tabular}\n\\caption{MAP of Hamming ranking on %s (not in the paper), "
                "hashing runs trained from scratch; no published values.}\n\\end{table}\n", dataset);
    }
}

static int write_table4(const char *out_dir, const dsml_run_set *set, const dsml_published *pub, FILE *notes)
{
    char path[4200], cell[160];
    char *mdb = NULL, *texb = NULL;
    size_t mdn = 0, texn = 0;
    FILE *md = open_memstream(&mdb, &mdn), *tex = open_memstream(&texb, &texn);
    if (!md || !tex) {
        if (md) fclose(md);
        if (tex) fclose(tex);
        free(mdb);
        free(texb);
        return dsml_fail(DSML_ERR_NOMEM, "table 4: out of memory");
    }
    const char *methods[2][16];
    int nm[2], rows = 0;
    for (int d = 0; d < 2; d++) {
        nm[d] = t4_methods(pub, t4_datasets[d], methods[d], 15);
        methods[d][nm[d]++] = T4_OUR_BASELINE; /* not in the paper: DSNRH with Euclidean distance */
        if (nm[d] > rows) rows = nm[d];
    }
    run_info info[2];
    for (int d = 0; d < 2; d++) collect_info(set, t4_datasets[d], 1, &info[d]);
    /* not-implemented methods, from the notes */
    char absent[256] = "";
    for (int i = 0; i < pub->count; i++)
        if (pub->values[i].table == 4 && strstr(pub->values[i].note, "not implemented"))
            append_unique(absent, sizeof absent, pub->values[i].method);

    const char *title = "Table 4. MAP@50000 of Hamming Ranking on CIFAR10 and NUS-WIDE";
    fprintf(md, "# %s\n\nGenerated by `dsml tables` from %s/; do not edit.\n\n", title, set->source);
    fprintf(md, "Paper: CNN-F pre-trained on ImageNet (224x224 inputs); CIFAR10 with 1,000 queries per class and the "
            "rest as training set and database; NUS-WIDE (21 most frequent concepts, 195,834 images) with 2,100 "
            "queries. DPSH* is the paper's re-run of the DPSH authors' code. In parentheses: the paper's value "
            "(MAP as a fraction). ");
    if (info[0].runs + info[1].runs == 0)
        fprintf(md, "Ours: no hashing runs (config.protocol \"hashing\", or loss dsnrh, dpsh, dtsh) on these two datasets yet, so "
                "every cell is \"not run\". ");
    else
        fprintf(md, "Ours: hashing runs with %s%s%s trained from scratch; mean ± sample std over seeds of "
                "metrics.hamming.map@t (a cell without ± is one seed). ", info[0].models, info[1].runs ? ", " : "",
                info[1].models);
    fprintf(md, "dsml does not implement %s: those rows can only show the paper's values. The row %s is "
            "not in the paper: DSNRH's loss with Euclidean distance, the baseline that isolates the distance.\n\n",
            absent, T4_OUR_BASELINE);
    fprintf(md, "| method | 16 bits | 24 bits | 32 bits | 48 bits | method | 16 bits | 24 bits | 32 bits | 48 bits |\n");
    fprintf(md, "|---|---|---|---|---|---|---|---|---|---|\n");
    fprintf(md, "| **%s** | | | | | **%s** | | | | |\n", t4_titles[0], t4_titles[1]);
    fprintf(tex, "%% %s (generated by dsml tables)\n\\begin{table*}[t]\n\\centering\n\\scriptsize\n", title);
    fprintf(tex, "\\begin{tabular}{l|cccc|l|cccc}\n\\hline\nmethod & \\multicolumn{4}{c|}{%s} & method & "
            "\\multicolumn{4}{c}{%s} \\\\\n", t4_titles[0], t4_titles[1]);
    fprintf(tex, "method & 16 bits & 24 bits & 32 bits & 48 bits & method & 16 bits & 24 bits & 32 bits & 48 bits "
            "\\\\\n\\hline\n");
    dsml_sample s;
    for (int row = 0; row < rows; row++) {
        fprintf(md, "|");
        for (int d = 0; d < 2; d++) {
            const char *m = row < nm[d] ? methods[d][row] : "";
            fprintf(md, " %s |", m);
            fprintf(tex, "%s%s", d ? " & " : "", m);
            for (int b = 0; b < 4; b++) {
                cell[0] = '\0';
                if (m[0]) {
                    dsml_runs_sample_hashing(set, t4_datasets[d], m, t4_bits[b], DSML_TM_HAM_MAP, &s);
                    const dsml_published_value *pv = dsml_published_find(pub, 4, t4_datasets[d], m,
                                                                         "hamming.map@50000", t4_bits[b]);
                    format_cell(cell, sizeof cell, &s, 1.0, 3, pv, FMT_MD);
                    fprintf(md, " %s |", cell);
                    format_cell(cell, sizeof cell, &s, 1.0, 3, pv, FMT_TEX);
                    fprintf(tex, " & %s", cell);
                } else {
                    fprintf(md, " |");
                    fprintf(tex, " &");
                }
            }
        }
        fprintf(md, "\n");
        fprintf(tex, " \\\\\n");
    }
    fprintf(tex, "\\hline\n\\end{tabular}\n\\caption{%s. Paper: CNN-F pre-trained on ImageNet. DPSH* is the paper's "
            "re-run of the DPSH authors' code. In parentheses: the paper's value. %s dsml does not implement %s.}\n"
            "\\end{table*}\n", title, info[0].runs + info[1].runs ? "Ours: hashing runs trained from scratch, mean "
            "$\\pm$ sample std over seeds." : "Ours: no hashing runs yet (every cell \"not run\").", absent);
    write_table4_others(md, tex, set);
    snprintf(path, sizeof path, "%s/table4.md", out_dir);
    int rc = finish_file(md, &mdb, &mdn, path, notes);
    snprintf(path, sizeof path, "%s/table4.tex", out_dir);
    int rc2 = finish_file(tex, &texb, &texn, path, notes);
    return rc ? rc : rc2;
}

/* ---- the command ---------------------------------------------------------------- */

int dsml_tables_write(const char *results_dir, const char *out_dir, const char *published_path, FILE *notes)
{
    dsml_published pub;
    int rc = dsml_published_load(&pub, published_path);
    if (rc) return rc;
    for (int i = 0; i < pub.count; i++)
        if (dsml_tables_metric_of(pub.values[i].metric) < 0) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: metric: expected one of the tables' metrics, found '%s'",
                           published_path, pub.values[i].line, pub.values[i].metric);
            dsml_published_free(&pub);
            return rc;
        }
    dsml_run_set set;
    rc = dsml_runs_load(&set, results_dir, notes);
    if (!rc) rc = dsml_mkdirs(out_dir);
    if (!rc) rc = write_table12(out_dir, 1, &set, &pub, notes);
    if (!rc) rc = write_table12(out_dir, 2, &set, &pub, notes);
    if (!rc) rc = write_table3(out_dir, &set, &pub, notes);
    if (!rc) rc = write_table4(out_dir, &set, &pub, notes);
    if (!rc) {
        char path[4200];
        char *buf = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&buf, &len);
        if (!fp) rc = dsml_fail(DSML_ERR_NOMEM, "claims: out of memory");
        if (!rc) {
            int counts[DSML_VERDICT_COUNT];
            rc = dsml_claims_write(fp, &set, &pub, counts);
            snprintf(path, sizeof path, "%s/claims.md", out_dir);
            if (rc) {
                fclose(fp);
                free(buf);
            } else {
                rc = finish_file(fp, &buf, &len, path, notes);
                if (!rc && notes)
                    fprintf(notes, "claims: %d reproduced, %d contradicted, %d inconclusive, %d not run\n",
                            counts[DSML_VERDICT_REPRODUCED], counts[DSML_VERDICT_CONTRADICTED],
                            counts[DSML_VERDICT_INCONCLUSIVE], counts[DSML_VERDICT_NOT_RUN]);
            }
        }
    }
    dsml_runs_free(&set);
    dsml_published_free(&pub);
    return rc;
}
