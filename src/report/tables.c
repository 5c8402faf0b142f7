/* The paper's Tables 1-4 rebuilt from the results directory; see tables.h. */
#include "report/tables.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "report/account_note.h"
#include "report/claims.h"
#include "report/paper.h"
#include "report/provenance.h"
#include "report/published.h"
#include "report/runs.h"
#include "report/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
        const dsml_table_run *r = &set->runs[i];
        if (strcmp(r->m.dataset, dataset) || (r->hash_method[0] != '\0') != (hashing != 0)) continue;
        info->runs++;
        char e[32];
        snprintf(e, sizeof e, "%d", r->m.epochs);
        append_unique(info->models, sizeof info->models, r->m.model ? r->m.model : "?");
        append_unique(info->epochs, sizeof info->epochs, e);
    }
}

static void note_n(run_info *info, int n)
{
    if (n <= 0) return;
    if (n < info->n_min) info->n_min = n;
    if (n > info->n_max) info->n_max = n;
}

/* The caption's sentence about our protocol, with what the sweep's account
 * (NULL: none) says of the dataset when not every selected run finished. */
static void our_protocol(FILE *fp, const run_info *info, const char *pm, const dsml_account_dataset *acc, int tex)
{
    if (info->runs == 0) {
        fprintf(fp, "Ours: not run on this dataset (every cell says \"not run\")");
        dsml_account_note(fp, acc, 0, ": ", tex);
        return;
    }
    fprintf(fp, "Ours: %s trained from scratch (no ImageNet pre-training), %s epochs; each cell is our mean %s sample "
            "std over seeds (n = ", info->models, info->epochs, pm);
    if (info->n_min == info->n_max) fprintf(fp, "%d", info->n_min);
    else fprintf(fp, "%d to %d", info->n_min, info->n_max);
    fprintf(fp, " per cell; a cell without %s comes from one seed)", pm);
    dsml_account_note(fp, acc, 1, "; ", tex);
}

/* The T of MAP@T and F1@T over a dataset's runs (0 when they disagree). */
static void ranking_depths(const dsml_run_set *set, const char *dataset, long *map_t, int *map_whole, long *f1_t)
{
    *map_t = -1;
    *f1_t = -1;
    *map_whole = 1;
    for (int i = 0; i < set->count; i++) {
        const dsml_table_run *r = &set->runs[i];
        if (strcmp(r->m.dataset, dataset) || r->hash_method[0]) continue;
        long t = r->m.map_at > 0 && r->m.map_at < r->m.eval_database ? r->m.map_at : r->m.eval_database;
        if (r->m.map_at > 0 && r->m.map_at < r->m.eval_database) *map_whole = 0;
        long f = r->m.f1_at > 0 && r->m.f1_at < r->m.eval_database ? r->m.f1_at : r->m.eval_database;
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

/* The provenance of a dataset's DML (hashing = 0) or hashing runs: a
 * paragraph in md, a sentence (after a space) in tex; nothing without runs. */
static int provenance(FILE *md, FILE *tex, const dsml_run_set *set, const char *dataset, int hashing,
                      const char *manifests)
{
    dsml_sources src = {0};
    for (int i = 0; i < set->count; i++) {
        const dsml_table_run *r = &set->runs[i];
        if (!strcmp(r->m.dataset, dataset) && (r->hash_method[0] != '\0') == (hashing != 0))
            dsml_sources_add(&src, r->source_sha256);
    }
    if (src.count == 0) return DSML_OK;
    int rc = dsml_provenance_write(md, manifests, dataset, &src, 0);
    if (!rc) fputc(' ', tex);
    return rc ? rc : dsml_provenance_write(tex, manifests, dataset, &src, 1);
}

/* ---- Tables 1-3 ----------------------------------------------------------------- */

typedef struct {
    int table;               /* 1..3: published values of this table; 0: none */
    const char *dataset;     /* our dataset name */
    const char *title;       /* "Table 1. Results on CARS196" */
    const char *task_left, *task_right;
    const char *labels[DSML_PAPER_COLUMNS]; /* column group headers */
    const dsml_paper_column *columns;
    const char *paper_note;  /* the paper's protocol, for the caption */
} dml_table;

static int write_dml_table(FILE *md, FILE *tex, const dml_table *t, const dsml_run_set *set,
                           const dsml_published *pub, const char *extra_caption, const char *manifests,
                           const dsml_account *account)
{
    const dsml_account_dataset *acc = dsml_account_find(account, t->dataset);
    run_info info;
    collect_info(set, t->dataset, 0, &info);
    char cell[160];
    dsml_sample s;
    /* seeds per cell first, for the caption */
    for (int row = 0; row < DSML_PAPER_ROWS; row++)
        for (int c = 0; c < DSML_PAPER_COLUMNS; c++)
            for (int k = 0; k < DSML_PAPER_SIZES; k++) {
                dsml_runs_sample(set, t->dataset, dsml_paper_rows[row].loss, dsml_paper_rows[row].distance,
                                 dsml_paper_sizes[k], t->columns[c].metric, &s);
                note_n(&info, s.n);
            }
    if (info.runs && info.n_max == 0) info.n_min = 0;

    /* Markdown */
    fprintf(md, "## %s\n\n", t->title);
    our_protocol(md, &info, "±", acc, 0);
    fprintf(md, ". %s %s\n\n", t->table ? "In parentheses: the paper's value." : "No published values: the paper "
            "does not use this dataset.", t->paper_note);
    if (extra_caption && extra_caption[0]) fprintf(md, "%s\n\n", extra_caption);
    fprintf(md, "Column groups: %s (%s | %s) and %s (%s | %s); sizes 16, 32, 64. Scores in %%.\n\n", t->task_left,
            t->labels[0], t->labels[1], t->task_right, t->labels[2], t->labels[3]);
    fprintf(md, "| score (%%) |");
    for (int c = 0; c < DSML_PAPER_COLUMNS; c++)
        for (int k = 0; k < DSML_PAPER_SIZES; k++) fprintf(md, " %s %d |", t->labels[c], dsml_paper_sizes[k]);
    fprintf(md, "\n|---|");
    for (int i = 0; i < DSML_PAPER_COLUMNS * DSML_PAPER_SIZES; i++) fprintf(md, "---|");
    fprintf(md, "\n");

    /* LaTeX */
    fprintf(tex, "%% %s (generated by dsml tables)\n\\begin{table*}[t]\n\\centering\n\\scriptsize\n", t->title);
    fprintf(tex, "\\begin{tabular}{l|ccc|ccc|ccc|ccc}\n\\hline\n");
    fprintf(tex, "Tasks & \\multicolumn{6}{c|}{%s} & \\multicolumn{6}{c}{%s} \\\\\n", t->task_left, t->task_right);
    fprintf(tex, "score (\\%%) & \\multicolumn{3}{c|}{%s} & \\multicolumn{3}{c|}{%s} & \\multicolumn{3}{c|}{%s} & "
            "\\multicolumn{3}{c}{%s} \\\\\n", t->labels[0], t->labels[1], t->labels[2], t->labels[3]);
    fprintf(tex, "embedding size");
    for (int c = 0; c < DSML_PAPER_COLUMNS; c++)
        for (int k = 0; k < DSML_PAPER_SIZES; k++) fprintf(tex, " & %d", dsml_paper_sizes[k]);
    fprintf(tex, " \\\\\n\\hline\n");

    for (int row = 0; row < DSML_PAPER_ROWS; row++) {
        const dsml_paper_row *pr = &dsml_paper_rows[row];
        fprintf(md, "| %s |", pr->method);
        fprintf(tex, "%s", pr->method);
        for (int c = 0; c < DSML_PAPER_COLUMNS; c++)
            for (int k = 0; k < DSML_PAPER_SIZES; k++) {
                int size = dsml_paper_sizes[k];
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
    our_protocol(tex, &info, "$\\pm$", acc, 1);
    fprintf(tex, ". %s %s", t->table ? "In parentheses: the paper's value." : "No published values.", t->paper_note);
    if (extra_caption && extra_caption[0]) {
        fputc(' ', tex);
        tex_text(tex, extra_caption);
    }
    /* the provenance ends the caption (Markdown: after the table) */
    int rc = provenance(md, tex, set, t->dataset, 0, manifests);
    fprintf(tex, "}\n\\end{table*}\n\n");
    return rc;
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

/* A table's Markdown and LaTeX, built in memory, then written atomically as
 * tableN.md and tableN.tex. */
typedef struct {
    FILE *md, *tex;
    char *md_text, *tex_text;
    size_t md_len, tex_len;
} table_texts;

static int texts_open(table_texts *t, int table)
{
    memset(t, 0, sizeof *t);
    t->md = open_memstream(&t->md_text, &t->md_len);
    t->tex = open_memstream(&t->tex_text, &t->tex_len);
    if (t->md && t->tex) return DSML_OK;
    if (t->md) fclose(t->md);
    if (t->tex) fclose(t->tex);
    free(t->md_text);
    free(t->tex_text);
    return dsml_fail(DSML_ERR_NOMEM, "table %d: out of memory", table);
}

static void texts_discard(table_texts *t)
{
    fclose(t->md);
    fclose(t->tex);
    free(t->md_text);
    free(t->tex_text);
}

static int texts_write(table_texts *t, const char *out_dir, int table, FILE *notes)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/table%d.md", out_dir, table);
    int rc = finish_file(t->md, &t->md_text, &t->md_len, path, notes);
    if (rc) { /* the .md's failure is the one reported (a full disk): the .tex is not tried after it */
        fclose(t->tex);
        free(t->tex_text);
        return rc;
    }
    snprintf(path, sizeof path, "%s/table%d.tex", out_dir, table);
    return finish_file(t->tex, &t->tex_text, &t->tex_len, path, notes);
}

static const char *paper_t12 = "Paper: AlexNet pre-trained on ImageNet and fine-tuned (227x227 inputs), one run.";

static int write_table12(const char *out_dir, int table, const dsml_run_set *set, const dsml_published *pub,
                         const char *manifests, const dsml_account *account, FILE *notes)
{
    const dsml_paper_dataset *pd = &dsml_paper_dml_tables[table - 1];
    const dsml_paper_column *cols = dsml_paper_columns(table);
    char title[128];
    snprintf(title, sizeof title, "Table %d. Results on %s", table, pd->title);
    dml_table t = {table, pd->dataset, title, "Image Clustering", "Image Retrieval",
                   {cols[0].label, cols[1].label, cols[2].label, cols[3].label}, cols, paper_t12};
    table_texts out;
    int rc = texts_open(&out, table);
    if (rc) return rc;
    fprintf(out.md, "# %s\n\nGenerated by `dsml tables` from %s/; do not edit.\n\n", t.title, set->source);
    rc = write_dml_table(out.md, out.tex, &t, set, pub, "", manifests, account);
    if (rc) {
        texts_discard(&out);
        return rc;
    }
    return texts_write(&out, out_dir, table, notes);
}

static int write_table3(const char *out_dir, const dsml_run_set *set, const dsml_published *pub, const char *manifests,
                        const dsml_account *account, FILE *notes)
{
    table_texts out;
    int rc = texts_open(&out, 3);
    if (rc) return rc;
    FILE *md = out.md, *tex = out.tex;
    fprintf(md, "# Table 3. Retrieval results on CIFAR10, and the same layout for our other datasets\n\n"
            "Generated by `dsml tables` from %s/; do not edit.\n\n", set->source);
    /* the datasets: cifar10 first, then every other dataset with DML runs
     * that no published table covers */
    const char *names[64];
    int nn = 0;
    const dsml_paper_dataset *t3 = &dsml_paper_dml_tables[2];
    names[nn++] = t3->dataset;
    for (int i = 0; i < set->count && nn < 64; i++) {
        const dsml_table_run *r = &set->runs[i];
        if (r->hash_method[0] || dsml_paper_dml_table(r->m.dataset)) continue;
        int seen = 0;
        for (int k = 0; k < nn; k++) seen |= !strcmp(names[k], r->m.dataset);
        if (!seen) names[nn++] = r->m.dataset;
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
        const dsml_table_run *first = NULL;
        for (int i = 0; i < set->count && !first; i++)
            if (!set->runs[i].hash_method[0] && !strcmp(set->runs[i].m.dataset, names[d])) first = &set->runs[i];
        if (first)
            snprintf(extra, sizeof extra, "Our split: %ld queries, %ld database images, %ld training images. Our "
                     "%s is metrics.*.map@t%s; our %s is metrics.*.f1@t.%s", first->m.eval_queries,
                     first->m.eval_database, first->m.train, map_label, whole ? " with config.map_at = 0, i.e. the whole database" : "",
                     f1_label, map_t == 0 || f1_t == 0 ? " Runs differ in T; the labels show T only when all agree." : "");
        if (d == 0) snprintf(title, sizeof title, "Table %d. Retrieval results on %s", t3->table, t3->title);
        else snprintf(title, sizeof title, "Table 3 layout: retrieval results on %s (no published values)", names[d]);
        dml_table t = {d == 0 ? 3 : 0, names[d], title, "Euclidean Ranking", "Hamming Ranking",
                       {map_label, f1_label, map_label, f1_label}, dsml_paper_columns(3),
                       d == 0 ? "Paper: AlexNet pre-trained on ImageNet; 100 queries per class, the other 59,000 "
                                "images the database, 500 images per class trained; one run."
                              : "The paper reports nothing on this dataset; the comparison SNR vs Euclidean is "
                                "tested in claims.md."};
        rc = write_dml_table(md, tex, &t, set, pub, extra, manifests, account);
        if (rc) {
            texts_discard(&out);
            return rc;
        }
    }
    return texts_write(&out, out_dir, 3, notes);
}

/* ---- Table 4 ------------------------------------------------------------------- */


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

/* Our hashing runs on datasets the paper's Table 4 does not have (e.g.
 * fashion-mnist): the same layout, our values only, one block per dataset. */
static int write_table4_others(FILE *md, FILE *tex, const dsml_run_set *set, const char *manifests)
{
    char done[512] = "", cell[160];
    dsml_sample s;
    for (int i = 0; i < set->count; i++) {
        const char *dataset = set->runs[i].m.dataset;
        if (!set->runs[i].hash_method[0] || dsml_paper_is_hash_dataset(dataset)) continue;
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
        for (int m = 0; m < DSML_PAPER_OUR_HASHING; m++) {
            fprintf(md, "| %s |", dsml_paper_our_hashing[m]);
            fprintf(tex, "%s", dsml_paper_our_hashing[m]);
            for (int b = 0; b < DSML_PAPER_BITS; b++) {
                dsml_runs_sample_hashing(set, dataset, dsml_paper_our_hashing[m], dsml_paper_bits[b], DSML_PM_HAM_MAP, &s);
                format_cell(cell, sizeof cell, &s, 1.0, 3, NULL, FMT_MD);
                fprintf(md, " %s |", cell);
                format_cell(cell, sizeof cell, &s, 1.0, 3, NULL, FMT_TEX);
                fprintf(tex, " & %s", cell);
            }
            fprintf(md, "\n");
            fprintf(tex, " \\\\\n");
        }
        fprintf(md, "\n");
        fprintf(tex, "\\hline\n\\end{tabular}\n\\caption{MAP of Hamming ranking on %s (not in the paper), "
                "hashing runs trained from scratch; no published values.", dataset);
        int rc = provenance(md, tex, set, dataset, 1, manifests);
        fprintf(tex, "}\n\\end{table}\n");
        if (rc) return rc;
    }
    return DSML_OK;
}

/* Table 4's sentences from the account on its two datasets, each "<title>: ... . " when there is one. */
static void table4_account(FILE *fp, const run_info *info, const dsml_account *account, int tex)
{
    for (int d = 0; d < DSML_PAPER_HASH_DATASETS; d++) {
        char lead[64];
        snprintf(lead, sizeof lead, "%s: ", dsml_paper_hash_datasets[d].title);
        if (dsml_account_note(fp, dsml_account_find(account, dsml_paper_hash_datasets[d].dataset), info[d].runs > 0,
                              lead, tex))
            fputs(". ", fp);
    }
}

static int write_table4(const char *out_dir, const dsml_run_set *set, const dsml_published *pub, const char *manifests,
                        const dsml_account *account, FILE *notes)
{
    char cell[160];
    table_texts out;
    int rc = texts_open(&out, 4);
    if (rc) return rc;
    FILE *md = out.md, *tex = out.tex;
    const char *methods[DSML_PAPER_HASH_DATASETS][16];
    int nm[DSML_PAPER_HASH_DATASETS], rows = 0;
    for (int d = 0; d < DSML_PAPER_HASH_DATASETS; d++) {
        nm[d] = t4_methods(pub, dsml_paper_hash_datasets[d].dataset, methods[d], 15);
        methods[d][nm[d]++] = DSML_PAPER_EUCLIDEAN_TWIN; /* not in the paper: DSNRH with Euclidean distance */
        if (nm[d] > rows) rows = nm[d];
    }
    run_info info[DSML_PAPER_HASH_DATASETS];
    for (int d = 0; d < DSML_PAPER_HASH_DATASETS; d++) collect_info(set, dsml_paper_hash_datasets[d].dataset, 1, &info[d]);
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
    table4_account(md, info, account, 0);
    fprintf(md, "dsml does not implement %s: those rows can only show the paper's values. The row %s is "
            "not in the paper: DSNRH's loss with Euclidean distance, the baseline that isolates the distance.\n\n",
            absent, DSML_PAPER_EUCLIDEAN_TWIN);
    fprintf(md, "| method | 16 bits | 24 bits | 32 bits | 48 bits | method | 16 bits | 24 bits | 32 bits | 48 bits |\n");
    fprintf(md, "|---|---|---|---|---|---|---|---|---|---|\n");
    fprintf(md, "| **%s** | | | | | **%s** | | | | |\n", dsml_paper_hash_datasets[0].title,
            dsml_paper_hash_datasets[1].title);
    fprintf(tex, "%% %s (generated by dsml tables)\n\\begin{table*}[t]\n\\centering\n\\scriptsize\n", title);
    fprintf(tex, "\\begin{tabular}{l|cccc|l|cccc}\n\\hline\nmethod & \\multicolumn{4}{c|}{%s} & method & "
            "\\multicolumn{4}{c}{%s} \\\\\n", dsml_paper_hash_datasets[0].title, dsml_paper_hash_datasets[1].title);
    fprintf(tex, "method & 16 bits & 24 bits & 32 bits & 48 bits & method & 16 bits & 24 bits & 32 bits & 48 bits "
            "\\\\\n\\hline\n");
    dsml_sample s;
    for (int row = 0; row < rows; row++) {
        fprintf(md, "|");
        for (int d = 0; d < DSML_PAPER_HASH_DATASETS; d++) {
            const char *m = row < nm[d] ? methods[d][row] : "";
            fprintf(md, " %s |", m);
            fprintf(tex, "%s%s", d ? " & " : "", m);
            for (int b = 0; b < DSML_PAPER_BITS; b++) {
                cell[0] = '\0';
                if (m[0]) {
                    dsml_runs_sample_hashing(set, dsml_paper_hash_datasets[d].dataset, m, dsml_paper_bits[b],
                                             DSML_PM_HAM_MAP, &s);
                    const dsml_published_value *pv = dsml_published_find(pub, 4, dsml_paper_hash_datasets[d].dataset, m,
                                                                         "hamming.map@50000", dsml_paper_bits[b]);
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
    fprintf(md, "\n");
    fprintf(tex, "\\hline\n\\end{tabular}\n\\caption{%s. Paper: CNN-F pre-trained on ImageNet. DPSH* is the paper's "
            "re-run of the DPSH authors' code. In parentheses: the paper's value. %s ",
            title, info[0].runs + info[1].runs ? "Ours: hashing runs trained from scratch, mean "
            "$\\pm$ sample std over seeds." : "Ours: no hashing runs yet (every cell \"not run\").");
    table4_account(tex, info, account, 1);
    fprintf(tex, "dsml does not implement %s.", absent);
    for (int d = 0; !rc && d < DSML_PAPER_HASH_DATASETS; d++)
        rc = provenance(md, tex, set, dsml_paper_hash_datasets[d].dataset, 1, manifests);
    fprintf(tex, "}\n\\end{table*}\n");
    if (!rc) rc = write_table4_others(md, tex, set, manifests);
    if (rc) {
        texts_discard(&out);
        return rc;
    }
    return texts_write(&out, out_dir, 4, notes);
}

/* ---- the command ---------------------------------------------------------------- */

void dsml_tables_defaults(dsml_tables_options *opt)
{
    opt->equivalence_margin = DSML_CLAIMS_MARGIN;
    opt->manifests_dir = "datasets";
    opt->looks = 1;
    opt->undecided = NULL;
}

/* claims.md from the whole set (both equations arms). */
static int write_claims(const char *out_dir, const dsml_run_set *set, const dsml_published *pub,
                        const dsml_tables_options *opt, const dsml_account *account, FILE *notes)
{
    char path[4200];
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp) return dsml_fail(DSML_ERR_NOMEM, "claims: out of memory");
    dsml_claims_counts counts;
    dsml_claims_options copt = {opt->equivalence_margin, opt->manifests_dir, opt->looks, opt->undecided, account};
    int rc = dsml_claims_write(fp, set, pub, &copt, &counts);
    snprintf(path, sizeof path, "%s/claims.md", out_dir);
    if (rc) {
        fclose(fp);
        free(buf);
        return rc;
    }
    rc = finish_file(fp, &buf, &len, path, notes);
    if (!rc && notes) {
        const int *c = counts.raw, *h = counts.holm;
        fprintf(notes, "claims: %d reproduced, %d contradicted, %d equivalent, %d inconclusive, %d not run "
                "(Holm: %d reproduced, %d contradicted, %d equivalent, %d inconclusive)\n",
                c[DSML_VERDICT_REPRODUCED], c[DSML_VERDICT_CONTRADICTED], c[DSML_VERDICT_EQUIVALENT],
                c[DSML_VERDICT_INCONCLUSIVE], c[DSML_VERDICT_NOT_RUN], h[DSML_VERDICT_REPRODUCED],
                h[DSML_VERDICT_CONTRADICTED], h[DSML_VERDICT_EQUIVALENT], h[DSML_VERDICT_INCONCLUSIVE]);
    }
    return rc;
}

int dsml_tables_write(const char *results_dir, const char *out_dir, const char *published_path,
                      const dsml_tables_options *opt, FILE *notes)
{
    if (!(opt->equivalence_margin > 0) || !isfinite(opt->equivalence_margin))
        return dsml_fail(DSML_ERR_ARG, "equivalence margin: expected a positive number of percentage points, "
                         "found %g", opt->equivalence_margin);
    dsml_published pub;
    int rc = dsml_published_load(&pub, published_path);
    if (rc) return rc;
    for (int i = 0; i < pub.count; i++)
        if (dsml_paper_metric_of(pub.values[i].metric) < 0) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: metric: expected one of the tables' metrics, found '%s'",
                           published_path, pub.values[i].line, pub.values[i].metric);
            dsml_published_free(&pub);
            return rc;
        }
    /* the sweep's account, when make reproduce left one: why a dataset has no runs */
    dsml_account account;
    char account_path[4200];
    snprintf(account_path, sizeof account_path, "%s/account.json", results_dir);
    rc = dsml_account_read(account_path, &account);
    dsml_run_set set, common;
    memset(&common, 0, sizeof common);
    if (!rc) rc = dsml_runs_load(&set, results_dir, notes);
    if (rc) {
        dsml_account_free(&account);
        dsml_published_free(&pub);
        return rc;
    }
    /* Tables 1-4 show the common arm only; claims.md has both */
    rc = dsml_runs_arm_view(&set, DSML_ARM_COMMON, &common);
    if (!rc) rc = dsml_mkdirs(out_dir);
    if (!rc) rc = write_table12(out_dir, 1, &common, &pub, opt->manifests_dir, &account, notes);
    if (!rc) rc = write_table12(out_dir, 2, &common, &pub, opt->manifests_dir, &account, notes);
    if (!rc) rc = write_table3(out_dir, &common, &pub, opt->manifests_dir, &account, notes);
    if (!rc) rc = write_table4(out_dir, &common, &pub, opt->manifests_dir, &account, notes);
    if (!rc) rc = write_claims(out_dir, &set, &pub, opt, &account, notes);
    dsml_runs_view_free(&common);
    dsml_account_free(&account);
    dsml_runs_free(&set);
    dsml_published_free(&pub);
    return rc;
}
