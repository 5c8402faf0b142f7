/* The table of all methods: methods.md and methods.tex from results/ and
 * paper-tables/published-methods.tsv; see methods_table.h. */
#include "report/methods_table.h"
#include "report/published.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/account_note.h"
#include "report/paper.h"
#include "report/provenance.h"
#include "report/stats.h"
#include "results/run_metrics.h"
#include "results/scan.h"

enum { M_RECALL1, M_MAPR, M_MAP, M_NMI, N_METRICS };
static const char *const metric_paths[N_METRICS] = {"euclidean.recall@1", "euclidean.map@r", "euclidean.map",
                                                    "clustering.nmi"};
static const char *const metric_labels[N_METRICS] = {"Recall@1", "MAP@R", "MAP", "NMI"};

/* ---- labels ------------------------------------------------------------------ */

static const char *const minings[] = {"none", "ms"};
static const char *const weightings[] = {"ms", "contrastive", "binomial", "lifted"};

static int index_of(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (name && !strcmp(names[i], name)) return i;
    return -1;
}

/* The label and a rank that orders rows: the paper's eight rows, their
 * squared-Euclidean variants, the density variants, vMF, GPW. */
static int label_rank(const char *loss, const char *distance, double density, const char *mining,
                      const char *weighting, char *out, size_t size, int *rank)
{
    int len = -1;
    if (!strcmp(loss, "vmf")) {
        len = snprintf(out, size, "vMF");
        *rank = 400;
    } else if (!strcmp(loss, "gpw")) {
        int m = index_of(minings, 2, mining), w = index_of(weightings, 4, weighting);
        if (m < 0 || w < 0)
            return dsml_fail(DSML_ERR_ARG, "gpw: mining '%s' / weighting '%s': expected none|ms / "
                                           "ms|contrastive|binomial|lifted",
                             mining ? mining : "(none)", weighting ? weighting : "(none)");
        len = snprintf(out, size, "GPW(%s, %s)", minings[m], weightings[w]);
        *rank = 500 + (1 - m) * 10 + w;
    } else {
        int b = dsml_paper_loss(loss);
        if (b < 0) return dsml_fail(DSML_ERR_ARG, "loss '%s': not a method of the table", loss);
        const char *name;
        if (!strcmp(distance, "euclidean")) {
            name = dsml_paper_rows[2 * b].method;
            *rank = 2 * b;
        } else if (!strcmp(distance, "snr")) {
            name = dsml_paper_rows[2 * b + 1].method;
            *rank = 2 * b + 1;
        } else if (!strcmp(distance, "sqeuclidean")) {
            name = dsml_paper_rows[2 * b].method;
            *rank = 100 + b;
        } else {
            return dsml_fail(DSML_ERR_ARG, "distance '%s': expected euclidean, sqeuclidean or snr", distance);
        }
        int sq = !strcmp(distance, "sqeuclidean");
        len = snprintf(out, size, "%s%s%s", name, sq ? " (sq. Euclidean)" : "", density > 0 ? " + DA" : "");
        if (density > 0) *rank += 200;
    }
    if (len < 0 || (size_t)len >= size) return dsml_fail(DSML_ERR_ARG, "method label longer than %zu", size - 1);
    return DSML_OK;
}

int dsml_methods_label(const char *loss, const char *distance, double density, const char *mining,
                       const char *weighting, char *out, size_t size)
{
    int rank;
    return label_rank(loss, distance, density, mining, weighting, out, size, &rank);
}

/* ---- published values ------------------------------------------------------------ */

static int parse_value(dsml_methods_published *v, const char *name, int line, const char **f, const size_t *fl)
{
    char buf[64], *end;
    int rc;
    memset(v, 0, sizeof *v);
    v->line = line;
    if (!(fl[0] == 7 && !strncmp(f[0], "methods", 7)))
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: table: expected 'methods', found '%.*s'", name, line, (int)fl[0],
                         f[0]);
    if ((rc = dsml_published_field(v->dataset, sizeof v->dataset, f[1], fl[1], 0, name, line, "dataset")) ||
        (rc = dsml_published_field(v->method, sizeof v->method, f[2], fl[2], 0, name, line, "method")) ||
        (rc = dsml_published_field(v->metric, sizeof v->metric, f[3], fl[3], 0, name, line, "metric")))
        return rc;
    if (index_of(metric_paths, N_METRICS, v->metric) < 0)
        return dsml_fail(DSML_ERR_FORMAT,
                         "%s:%d: metric: expected euclidean.recall@1, euclidean.map@r, euclidean.map or "
                         "clustering.nmi, found '%s'",
                         name, line, v->metric);
    if ((rc = dsml_published_field(buf, sizeof buf, f[4], fl[4], 0, name, line, "size"))) return rc;
    errno = 0;
    long size = strtol(buf, &end, 10);
    if (errno || *end || size < 0 || size > 65536)
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: size: expected an integer 0..65536, found '%s'", name, line, buf);
    v->size = (int)size;
    if ((rc = dsml_published_field(buf, sizeof buf, f[5], fl[5], 0, name, line, "value"))) return rc;
    errno = 0;
    double value = strtod(buf, &end);
    if (errno || *end || strspn(buf, "0123456789.") != strlen(buf) || !(value >= 0 && value <= 100))
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: value: expected a percentage 0..100 as a plain decimal, found '%s'",
                         name, line, buf);
    v->value = value;
    const char *dot = strchr(buf, '.');
    v->decimals = dot ? (int)strlen(dot + 1) : 0;
    if (fl[6] >= sizeof v->note)
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: note: expected at most %zu characters", name, line,
                         sizeof v->note - 1);
    memcpy(v->note, f[6], fl[6]);
    v->note[fl[6]] = '\0';
    return DSML_OK;
}

int dsml_methods_published_parse(const char *name, const char *text, dsml_methods_published **out, int *count)
{
    *out = NULL;
    *count = 0;
    int cap = 0, line = 0, header = 0, rc = DSML_OK;
    dsml_methods_published *vals = NULL;
    for (const char *p = text; *p && !rc;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        line++;
        if (len && p[len - 1] == '\r') len--;
        if (len == 0 || p[0] == '#') {
            p += len + (eol ? (p[len] == '\r' ? 2 : 1) : 0);
            if (!eol) break;
            continue;
        }
        const char *f[7];
        size_t fl[7];
        int nf = 0;
        const char *s = p;
        for (size_t i = 0; i <= len && nf <= 7; i++)
            if (i == len || p[i] == '\t') {
                if (nf < 7) {
                    f[nf] = s;
                    fl[nf] = (size_t)(p + i - s);
                }
                nf++;
                s = p + i + 1;
            }
        if (nf != 7) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: expected 7 tab-separated fields, found %d", name, line, nf);
        } else if (!header) {
            static const char *const want[7] = {"table", "dataset", "method", "metric", "size", "value", "note"};
            for (int i = 0; i < 7 && !rc; i++)
                if (fl[i] != strlen(want[i]) || strncmp(f[i], want[i], fl[i]))
                    rc = dsml_fail(DSML_ERR_FORMAT,
                                   "%s:%d: expected the header 'table dataset method metric size value note'", name,
                                   line);
            header = 1;
        } else {
            if (*count == cap) {
                cap = cap ? 2 * cap : 16;
                dsml_methods_published *grown = realloc(vals, (size_t)cap * sizeof *grown);
                if (!grown) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", name);
                else vals = grown;
            }
            if (!rc) rc = parse_value(&vals[*count], name, line, f, fl);
            for (int k = 0; k < *count && !rc; k++) {
                const dsml_methods_published *a = &vals[k], *b = &vals[*count];
                if (a->size == b->size && !strcmp(a->dataset, b->dataset) && !strcmp(a->method, b->method) &&
                    !strcmp(a->metric, b->metric))
                    rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: %s %s %s size %d: already given at line %d", name, line,
                                   b->dataset, b->method, b->metric, b->size, a->line);
            }
            if (!rc) (*count)++;
        }
        if (!eol) break;
        p = eol + 1;
    }
    if (!rc && !header) rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected the header line, found none", name);
    if (rc) {
        free(vals);
        *count = 0;
        return rc;
    }
    *out = vals;
    return DSML_OK;
}

/* ---- runs ---------------------------------------------------------------------- */

typedef struct {
    const char *dir;          /* borrowed from the scan */
    char dataset[32], method[48];
    int rank, dim, seed;
    double metric[N_METRICS];
    char source[65];          /* data.source_sha256, "" when absent */
} method_run;

typedef struct {
    method_run *runs;
    int count, cap;
    dsml_results_list scanned;
    int left_other, left_paper; /* validation-only or hashing runs, --equations paper runs: not the table's */
} run_list;

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static double metric_value(const dsml_run_metrics *m, int metric)
{
    switch (metric) {
    case M_RECALL1: return m->euclidean.recall[0];
    case M_MAPR: return m->euclidean.map_at_r;
    case M_MAP: return m->euclidean.map;
    default: return m->nmi;
    }
}

static int add_run(run_list *list, const method_run *r)
{
    if (list->count == list->cap) {
        int cap = list->cap ? 2 * list->cap : 32;
        method_run *grown = realloc(list->runs, (size_t)cap * sizeof *grown);
        if (!grown) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", r->dir);
        list->runs = grown;
        list->cap = cap;
    }
    list->runs[list->count++] = *r;
    return DSML_OK;
}

/* Adds the run, or names it on notes when the table leaves it out. */
static int read_run(run_list *list, const dsml_results_run *found, FILE *notes)
{
    dsml_run_metrics m;
    int rc = dsml_run_metrics_read(&m, found->metrics);
    if (rc) return rc;
    const char *dir = found->dir;
    method_run r;
    memset(&r, 0, sizeof r);
    if ((rc = dsml_run_metrics_check(&m))) {
        /* the file and the key are in the message */
    } else if (m.evaluated_on_validation || (m.protocol && !strcmp(m.protocol, "hashing"))) {
        list->left_other++;
    } else if (m.equations && !strcmp(m.equations, "paper")) { /* the table is the common arm's (docs/tables.md) */
        list->left_paper++;
    } else {
        rc = label_rank(m.loss, m.distance, m.density, m.gpw_mining ? m.gpw_mining : "ms",
                        m.gpw_weighting ? m.gpw_weighting : "ms", r.method, sizeof r.method, &r.rank);
        if (rc == DSML_ERR_ARG) {
            if (notes) fprintf(notes, "%s: %s, not in the methods table\n", dir, dsml_last_error());
            rc = DSML_OK;
        } else if (!rc) {
            r.dir = dir;
            snprintf(r.dataset, sizeof r.dataset, "%s", m.dataset);
            r.dim = m.dim;
            r.seed = m.seed;
            dsml_metrics_value src = dsml_run_metrics_get(&m, "data.source_sha256");
            if (src.string && strlen(src.string) < sizeof r.source)
                snprintf(r.source, sizeof r.source, "%s", src.string);
            for (int k = 0; k < N_METRICS; k++) r.metric[k] = metric_value(&m, k);
            int dup = -1;
            for (int k = 0; k < list->count && dup < 0; k++) {
                const method_run *o = &list->runs[k];
                if (o->seed == r.seed && o->dim == r.dim && !strcmp(o->dataset, r.dataset) && !strcmp(o->method, r.method))
                    dup = k;
            }
            if (dup < 0) rc = add_run(list, &r);
            else if (notes)
                fprintf(notes, "%s: seed %d of %s %s d%d already read from %s, skipped\n", dir, r.seed, r.dataset,
                        r.method, r.dim, list->runs[dup].dir);
        }
    }
    dsml_run_metrics_free(&m);
    return rc;
}

static void free_runs(run_list *list)
{
    free(list->runs);
    dsml_results_list_free(&list->scanned);
    memset(list, 0, sizeof *list);
}

/* The finished runs of the dataset folders under root (the ones left out
 * are not the table's to name: `dsml tables` named them already). */
static int load_runs(run_list *list, const char *root, FILE *notes)
{
    memset(list, 0, sizeof *list);
    if (!is_dir(root)) return DSML_OK;
    int rc = dsml_results_scan(root, &list->scanned);
    for (int i = 0; !rc && i < list->scanned.count; i++)
        if (list->scanned.runs[i].finished && list->scanned.runs[i].dataset[0])
            rc = read_run(list, &list->scanned.runs[i], notes);
    if (!rc && notes && list->left_other)
        fprintf(notes, "methods table: %d validation-only or hashing runs left out\n", list->left_other);
    if (!rc && notes && list->left_paper)
        fprintf(notes, "methods table: %d --equations paper runs left out (claims.md has them)\n", list->left_paper);
    if (rc) free_runs(list);
    return rc;
}

/* ---- the table ------------------------------------------------------------------ */

typedef struct {
    char method[48];
    int rank, dim, seeds;
    double mean[N_METRICS], sd[N_METRICS];
    int n[N_METRICS];
    const dsml_methods_published *pub[N_METRICS];
} table_row;

static int row_cmp(const void *a, const void *b)
{
    const table_row *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    if (x->dim != y->dim) return x->dim < y->dim ? -1 : 1;
    return strcmp(x->method, y->method);
}

/* A published label's rank, from the labels this table prints (unknown
 * labels sort last, by name). */
static int published_rank(const char *method)
{
    static const char *const distances[] = {"euclidean", "snr", "sqeuclidean"};
    char label[48];
    int rank;
    for (int l = 0; l < DSML_PAPER_LOSSES; l++)
        for (int d = 0; d < 3; d++)
            for (int da = 0; da < 2; da++)
                if (!label_rank(dsml_paper_rows[2 * l].loss, distances[d], da, NULL, NULL, label, sizeof label,
                                &rank) &&
                    !strcmp(label, method))
                    return rank;
    if (!strcmp(method, "vMF")) return 400;
    for (int m = 0; m < 2; m++)
        for (int w = 0; w < 4; w++)
            if (!label_rank("gpw", "", 0, minings[m], weightings[w], label, sizeof label, &rank) && !strcmp(label, method))
                return rank;
    dsml_clear_error();
    return 1000;
}

/* Rows of one dataset: the run groups and the published-only cells. *rows is
 * owned by the caller (free). */
static int dataset_rows(const run_list *runs, const dsml_methods_published *pub, int n_pub, const char *dataset,
                        table_row **rows, int *n_rows)
{
    int cap = runs->count + n_pub + 1, n = 0;
    table_row *out = calloc((size_t)cap, sizeof *out);
    if (!out) return dsml_fail(DSML_ERR_NOMEM, "methods table: out of memory");
    for (int i = 0; i < runs->count; i++) {
        const method_run *r = &runs->runs[i];
        if (strcmp(r->dataset, dataset)) continue;
        int k = 0;
        while (k < n && !(out[k].dim == r->dim && !strcmp(out[k].method, r->method))) k++;
        if (k == n) {
            snprintf(out[n].method, sizeof out[n].method, "%s", r->method);
            out[n].rank = r->rank;
            out[n].dim = r->dim;
            n++;
        }
        out[k].seeds++;
    }
    for (int i = 0; i < n_pub; i++) {
        if (strcmp(pub[i].dataset, dataset)) continue;
        int k = 0;
        while (k < n && !(out[k].dim == pub[i].size && !strcmp(out[k].method, pub[i].method))) k++;
        if (k == n) {
            snprintf(out[n].method, sizeof out[n].method, "%s", pub[i].method);
            out[n].rank = published_rank(pub[i].method);
            out[n].dim = pub[i].size;
            n++;
        }
        out[k].pub[index_of(metric_paths, N_METRICS, pub[i].metric)] = &pub[i];
    }
    for (int k = 0; k < n; k++)
        for (int m = 0; m < N_METRICS; m++) {
            double x[DSML_MAX_SEEDS];
            int c = 0;
            for (int i = 0; i < runs->count && c < DSML_MAX_SEEDS; i++) {
                const method_run *r = &runs->runs[i];
                if (!strcmp(r->dataset, dataset) && r->dim == out[k].dim && !strcmp(r->method, out[k].method) &&
                    !isnan(r->metric[m]))
                    x[c++] = 100.0 * r->metric[m];
            }
            out[k].n[m] = c;
            if (c) dsml_stats_mean_sd(x, c, &out[k].mean[m], &out[k].sd[m]);
        }
    qsort(out, (size_t)n, sizeof *out, row_cmp);
    *rows = out;
    *n_rows = n;
    return DSML_OK;
}

/* One cell: "mean ± sd (paper)", "mean (paper)", "not run (paper)", "–". */
static void cell(char *buf, size_t size, const table_row *r, int m, int tex)
{
    const char *pm = tex ? " $\\pm$ " : " ± ";
    int len = 0;
    if (r->n[m] > 1) len = snprintf(buf, size, "%.2f%s%.2f", r->mean[m], pm, r->sd[m]);
    else if (r->n[m] == 1) len = snprintf(buf, size, "%.2f", r->mean[m]);
    else if (r->seeds || r->pub[m]) len = snprintf(buf, size, "%s", r->seeds ? "n/a" : "not run");
    else len = snprintf(buf, size, "%s", tex ? "--" : "–");
    if (r->pub[m] && len >= 0 && (size_t)len < size)
        snprintf(buf + len, size - (size_t)len, " (%.*f)", r->pub[m]->decimals, r->pub[m]->value);
}

static void tex_escape(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (*s == '_' || *s == '&' || *s == '%' || *s == '#') fputc('\\', fp);
        fputc(*s, fp);
    }
}

static int write_file(const char *path, const char *text, size_t len, FILE *notes)
{
    int rc = dsml_atomic_write(path, text, len);
    if (!rc && notes) fprintf(notes, "wrote %s\n", path);
    return rc;
}

int dsml_methods_table_write(const char *results_dir, const char *out_dir, const char *published_path,
                             const char *manifests_dir, FILE *notes)
{
    dsml_methods_published *pub = NULL;
    int n_pub = 0, rc = DSML_OK;
    FILE *pf = published_path ? fopen(published_path, "rb") : NULL;
    if (pf) {
        char *text = NULL;
        size_t tlen = 0;
        FILE *mem = open_memstream(&text, &tlen);
        char chunk[4096];
        size_t got;
        while (mem && (got = fread(chunk, 1, sizeof chunk, pf)) > 0) fwrite(chunk, 1, got, mem);
        int bad = ferror(pf);
        fclose(pf);
        if (!mem) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", published_path);
        fclose(mem);
        rc = bad ? dsml_fail(DSML_ERR_IO, "%s: read failed", published_path)
                 : dsml_methods_published_parse(published_path, text, &pub, &n_pub);
        free(text);
        if (rc) return rc;
    } else if (published_path && notes) {
        fprintf(notes, "%s: no published values for the methods table\n", published_path);
    }
    run_list runs;
    dsml_account account; /* the sweep's account, when make reproduce left one */
    char account_path[1100];
    snprintf(account_path, sizeof account_path, "%s/account.json", results_dir);
    rc = dsml_account_read(account_path, &account);
    if (rc) {
        free(pub);
        return rc;
    }
    rc = load_runs(&runs, results_dir, notes);
    if (!rc) rc = dsml_mkdirs(out_dir);
    /* datasets: those with runs, then those with published values only, each once, sorted */
    const char *sets[64];
    int n_sets = 0;
    for (int i = 0; !rc && i < runs.count + n_pub; i++) {
        const char *d = i < runs.count ? runs.runs[i].dataset : pub[i - runs.count].dataset;
        int seen = 0;
        for (int k = 0; k < n_sets && !seen; k++) seen = !strcmp(sets[k], d);
        if (!seen && n_sets < 64) sets[n_sets++] = d;
    }
    for (int i = 1; i < n_sets; i++)
        for (int k = i; k > 0 && strcmp(sets[k - 1], sets[k]) > 0; k--) {
            const char *t = sets[k];
            sets[k] = sets[k - 1];
            sets[k - 1] = t;
        }
    char *md = NULL, *tex = NULL;
    size_t md_len = 0, tex_len = 0;
    FILE *fm = rc ? NULL : open_memstream(&md, &md_len), *ft = rc ? NULL : open_memstream(&tex, &tex_len);
    if (!rc && (!fm || !ft)) rc = dsml_fail(DSML_ERR_NOMEM, "methods table: out of memory");
    if (!rc) {
        fprintf(fm, "# All methods\n\n"
                    "Every method run, on every dataset: our mean ± sample std over seeds in percent (one value "
                    "when a single seed), with the published value in parentheses where a related paper reports "
                    "one for that dataset and embedding size (sources at the end). Methods: the paper's losses "
                    "with Euclidean distance and as DSML (SNR distance); \"+ DA\" adds the density regulariser; "
                    "vMF; GPW(mining, weighting). Recall@1, MAP@R and MAP rank by Euclidean distance (by cosine "
                    "similarity for vMF and GPW); NMI is k-means on the queries. A dim of 0 is a published value "
                    "whose source does not state the size.\n");
        fprintf(ft, "%% The table of all methods, written by dsml tables (docs/tables.md).\n");
    }
    for (int s = 0; !rc && s < n_sets; s++) {
        table_row *rows = NULL;
        int n_rows = 0;
        rc = dataset_rows(&runs, pub, n_pub, sets[s], &rows, &n_rows);
        if (rc) break;
        fprintf(fm, "\n## %s\n\n| method | dim | seeds |", sets[s]);
        for (int m = 0; m < N_METRICS; m++) fprintf(fm, " %s |", metric_labels[m]);
        fprintf(fm, "\n|---|---|---|---|---|---|---|\n");
        fprintf(ft, "\n\\begin{table}\n\\centering\n\\caption{All methods on ");
        tex_escape(ft, sets[s]);
        fprintf(ft, ": mean $\\pm$ std over seeds (\\%%), published values in parentheses.}\n"
                    "\\begin{tabular}{lrrllll}\n\\hline\nmethod & dim & seeds");
        for (int m = 0; m < N_METRICS; m++) fprintf(ft, " & %s", metric_labels[m]);
        fprintf(ft, " \\\\\n\\hline\n");
        for (int k = 0; k < n_rows; k++) {
            char c[96];
            char dim[16];
            snprintf(dim, sizeof dim, "%d", rows[k].dim);
            fprintf(fm, "| %s | %s | %d |", rows[k].method, rows[k].dim ? dim : "–", rows[k].seeds);
            tex_escape(ft, rows[k].method);
            fprintf(ft, " & %s & %d", rows[k].dim ? dim : "--", rows[k].seeds);
            for (int m = 0; m < N_METRICS; m++) {
                cell(c, sizeof c, &rows[k], m, 0);
                fprintf(fm, " %s |", c);
                cell(c, sizeof c, &rows[k], m, 1);
                fprintf(ft, " & %s", c);
            }
            fprintf(fm, "\n");
            fprintf(ft, " \\\\\n");
        }
        fprintf(ft, "\\hline\n\\end{tabular}\n");
        free(rows);
        /* the sweep's account: why the dataset has no runs, or how many did not finish */
        int has_runs = 0;
        for (int i = 0; i < runs.count && !has_runs; i++) has_runs = !strcmp(runs.runs[i].dataset, sets[s]);
        const dsml_account_dataset *acc = dsml_account_find(&account, sets[s]);
        const char *ours = has_runs ? "Ours: " : "Ours: not run on this dataset: ";
        char lead[96];
        snprintf(lead, sizeof lead, "\n%s", ours);
        if (dsml_account_note(fm, acc, has_runs, lead, 0)) fputs(".\n", fm);
        snprintf(lead, sizeof lead, "\\par\\footnotesize %s", ours);
        if (dsml_account_note(ft, acc, has_runs, lead, 1)) fputs(".\n", ft);
        dsml_sources src = {0};
        for (int i = 0; i < runs.count; i++)
            if (!strcmp(runs.runs[i].dataset, sets[s])) dsml_sources_add(&src, runs.runs[i].source);
        if (src.count) {
            fprintf(fm, "\n");
            fprintf(ft, "\\par\\footnotesize ");
            rc = dsml_provenance_write(fm, manifests_dir, sets[s], &src, 0);
            if (!rc) rc = dsml_provenance_write(ft, manifests_dir, sets[s], &src, 1);
            fprintf(ft, "\n");
        }
        fprintf(ft, "\\end{table}\n");
    }
    if (!rc && n_pub) {
        fprintf(fm, "\n## Published values\n\n");
        for (int i = 0; i < n_pub; i++)
            fprintf(fm, "- %s, %s, %s, size %d: %.*f. %s\n", pub[i].dataset, pub[i].method, pub[i].metric, pub[i].size,
                    pub[i].decimals, pub[i].value, pub[i].note);
    }
    char path[1200];
    if (fm) fclose(fm);
    if (ft) fclose(ft);
    if (!rc) {
        snprintf(path, sizeof path, "%s/methods.md", out_dir);
        rc = write_file(path, md, md_len, notes);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/methods.tex", out_dir);
        rc = write_file(path, tex, tex_len, notes);
    }
    free(md);
    free(tex);
    free_runs(&runs);
    dsml_account_free(&account);
    free(pub);
    return rc;
}
