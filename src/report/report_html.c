/* The report page; see report_html.h. */
#include "report/report_html.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "report/census.h"
#include "report/html.h"
#include "report/svg_inline.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPORT_FILE_MAX (64L << 20) /* no table or figure is near this */

void dsml_report_defaults(dsml_report_config *cfg)
{
    cfg->results_dir = "results";
    cfg->tables_dir = "paper-tables";
    cfg->plots_dir = "plots";
    cfg->manifests_dir = "datasets";
}

/* The whole file, NUL-terminated, into *out (owned). */
static int read_text(const char *path, char **out, size_t *len)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || st.st_size > REPORT_FILE_MAX) {
        fclose(fp);
        return dsml_fail(DSML_ERR_FORMAT, "%s: expected a file of at most %ld bytes", path, REPORT_FILE_MAX);
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)st.st_size, fp) : 0;
    int bad = ferror(fp) || n != (size_t)st.st_size;
    fclose(fp);
    if (!buf) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
    if (bad) {
        free(buf);
        return dsml_fail(DSML_ERR_IO, "%s: short read (%zu of %lld bytes)", path, n, (long long)st.st_size);
    }
    buf[n] = '\0';
    size_t text_len = strlen(buf);
    if (text_len != n) {
        free(buf);
        return dsml_fail(DSML_ERR_FORMAT, "%s: a NUL byte at offset %zu, expected text", path, text_len);
    }
    *out = buf;
    *len = n;
    return DSML_OK;
}

/* ---- the page's frame ------------------------------------------------------------ */

static const char page_style[] =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;"
    "margin:0;color:#1b1b1b;background:#fff;line-height:1.45}\n"
    "header,main{max-width:1400px;margin:0 auto;padding:0 1.2rem}\n"
    "nav a{margin-right:1rem}\n"
    "code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"DejaVu Sans Mono\",monospace;font-size:.9em;"
    "overflow-wrap:anywhere}\n"
    "section{border-top:1px solid #ccc;margin-top:1.5rem}\n"
    ".table-wrap{overflow-x:auto;margin:.5rem 0 1rem}\n"
    "table{border-collapse:collapse;font-size:.85rem}\n"
    "th,td{border:1px solid #bbb;padding:.2rem .45rem;text-align:left;vertical-align:top}\n"
    "td{font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "thead th{background:#eef1f5}\n"
    "tbody tr:nth-child(even){background:#f7f8fa}\n"
    "figure{margin:1rem 0 2rem}\n"
    "svg.figure{display:block;width:100%;max-width:1100px;height:auto}\n"
    ".missing{color:#8a1c1c;font-weight:600}\n"
    "figcaption{font-size:.9rem;color:#444}\n";

static void page_begin(FILE *fp, const dsml_census *c)
{
    fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>dsml: reproduction report</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n"
            "<h1>Reproduction report: &#8220;Signal-to-Noise Ratio: A Robust Distance Metric for Deep Metric "
            "Learning&#8221; (Yuan et al., CVPR 2019)</h1>\n", page_style);
    fprintf(fp, "<p>The paper's Tables 1&#8211;4 rebuilt from our runs with the published values beside ours, "
            "its claims (DSML, the SNR distance, against the Euclidean distance) tested with confidence intervals, "
            "its figures, and where the data, weights and programs came from. Built by <code>dsml report</code> "
            "from %d finished run%s", c->finished, c->finished == 1 ? "" : "s");
    if (c->unfinished) fprintf(fp, " (%d unfinished run%s not counted)", c->unfinished, c->unfinished == 1 ? "" : "s");
    fprintf(fp, "; the tables and claims as <code>dsml tables</code> wrote them, the figures as "
            "<code>dsml plots</code> drew them.</p>\n");
    if (c->folders.count) {
        fprintf(fp, "<p>Runs per dataset folder:");
        for (int i = 0; i < c->folders.count; i++) {
            fprintf(fp, "%s <code>", i ? "," : "");
            dsml_html_text(fp, c->folders.rows[i].field[0]);
            fprintf(fp, "</code> %d", c->folders.rows[i].runs);
        }
        fprintf(fp, ".</p>\n");
    }
    fprintf(fp, "<nav><a href=\"#table1\">Table 1</a><a href=\"#table2\">Table 2</a><a href=\"#table3\">Table 3</a>"
            "<a href=\"#table4\">Table 4</a><a href=\"#claims\">Claims</a><a href=\"#methods\">All methods</a>"
            "<a href=\"#figures\">Figures</a>"
            "<a href=\"#provenance\">Provenance</a></nav>\n</header>\n<main>\n");
}

/* ---- tables and claims: dsml tables' Markdown ------------------------------------ */

/* Removes, in place, what a page does not need of a file dsml tables wrote: the sentence
 * "Generated by `dsml tables` from DIR/; do not edit.", and a "## T" heading that repeats the
 * file's "# T" title right below it. Only characters within lines go, never a newline, so the
 * converter's messages still give the file's line numbers. */
static void drop_file_notes(char *text)
{
    static const char mark[] = "Generated by `dsml tables` from ", tail[] = "; do not edit.";
    char *start = strstr(text, mark);
    char *end = start ? strstr(start, tail) : NULL;
    if (end && !memchr(start, '\n', (size_t)(end - start))) {
        end += strlen(tail);
        while (*end == ' ') end++;
        memmove(start, end, strlen(end) + 1);
    }
    if (strncmp(text, "# ", 2)) return;
    char *eol = strchr(text, '\n');
    if (!eol) return;
    size_t title = (size_t)(eol - text) - 2;
    char *next = eol + 1;
    while (*next == '\n') next++;
    if (!strncmp(next, "## ", 3) && !strncmp(next + 3, text + 2, title) && next[3 + title] == '\n')
        memmove(next, next + 3 + title, strlen(next + 3 + title) + 1);
}

static int markdown_section(FILE *fp, const char *tables_dir, const char *file, const char *id)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", tables_dir, file);
    char *text;
    size_t len;
    int rc = read_text(path, &text, &len);
    if (rc) return rc;
    drop_file_notes(text);
    fprintf(fp, "<section id=\"%s\">\n", id);
    rc = dsml_html_markdown(fp, path, text, 1);
    fprintf(fp, "</section>\n");
    free(text);
    return rc;
}

/* ---- figures: dsml plots' SVG files ------------------------------------------------ */

typedef struct {
    char stem[256];
    int has_svg;
} figure;

typedef struct {
    figure *items;
    int count;
} figure_list;

/* The figure a plots file belongs to: "fig1_snr.dat" -> "fig1", "fig4_<dataset>_<run>.dat" ->
 * "fig4_<dataset>", "x.svg" -> "x"; 0 for the files that are neither. */
static int figure_stem(const char *file, char *stem, size_t size, int *svg)
{
    size_t n = strlen(file);
    *svg = n > 4 && !strcmp(file + n - 4, ".svg");
    if (!*svg && !(n > 4 && !strcmp(file + n - 4, ".dat"))) return 0;
    if (n - 4 >= size) return 0;
    memcpy(stem, file, n - 4);
    stem[n - 4] = '\0';
    if (*svg) return 1;
    if (!strncmp(stem, "fig1_", 5)) stem[4] = '\0';
    char *cut = !strncmp(stem, "fig4_", 5) ? strchr(stem + 5, '_') : NULL;
    if (cut) *cut = '\0';
    return !strncmp(stem, "fig", 3) || !strncmp(stem, "loss_", 5);
}

static int figure_cmp(const void *a, const void *b)
{
    return strcmp(((const figure *)a)->stem, ((const figure *)b)->stem);
}

/* Every figure with a data file or an SVG in dir, sorted by name. A missing dir holds none. */
static int figures_list(const char *dir, figure_list *out)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? DSML_OK : dsml_fail(DSML_ERR_IO, "%s: %s", dir, strerror(errno));
    int rc = DSML_OK;
    for (struct dirent *e; !rc && (e = readdir(d));) {
        char stem[256];
        int svg, i;
        if (e->d_name[0] == '.' || !figure_stem(e->d_name, stem, sizeof stem, &svg)) continue;
        for (i = 0; i < out->count && strcmp(out->items[i].stem, stem); i++) {}
        if (i == out->count) {
            figure *grown = realloc(out->items, (size_t)(out->count + 1) * sizeof *grown);
            if (!grown) {
                rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory listing figures", dir);
                break;
            }
            out->items = grown;
            memset(&grown[i], 0, sizeof grown[i]);
            snprintf(grown[i].stem, sizeof grown[i].stem, "%s", stem);
            out->count++;
        }
        out->items[i].has_svg |= svg;
    }
    closedir(d);
    if (out->count) qsort(out->items, (size_t)out->count, sizeof *out->items, figure_cmp);
    return rc;
}

/* The caption of a figure by its name. */
static void figure_caption(FILE *fp, const char *stem)
{
    const char *u = strchr(stem, '_');
    const char *dataset = u ? u + 1 : "";
    if (!strcmp(stem, "fig1")) {
        fprintf(fp, "Figure 1. The SNR distance of features with growing noise from one anchor (synthetic, the "
                "paper's section 3.1).");
    } else if (!strncmp(stem, "fig3_", 5)) {
        fprintf(fp, "Figure 3. Recall@K on <code>");
        dsml_html_text(fp, dataset);
        fprintf(fp, "</code>: Euclidean dashed, SNR solid.");
    } else if (!strncmp(stem, "fig4_", 5)) {
        fprintf(fp, "Figure 4. t-SNE of the query embeddings of <code>");
        dsml_html_text(fp, dataset);
        fprintf(fp, "</code>: contrastive and DSML(cont).");
    } else if (!strncmp(stem, "loss_", 5)) {
        fprintf(fp, "Training loss per epoch on <code>");
        dsml_html_text(fp, dataset);
        fprintf(fp, "</code>, one line per run.");
    } else {
        dsml_html_text(fp, stem);
    }
}

static int figure_write(FILE *fp, const char *dir, const figure *f, int index, dsml_report_summary *sum)
{
    fprintf(fp, "<figure id=\"figure-");
    dsml_html_text(fp, f->stem);
    fprintf(fp, "\">\n");
    int rc = DSML_OK;
    if (f->has_svg) {
        char path[4200], prefix[32];
        snprintf(path, sizeof path, "%s/%s.svg", dir, f->stem);
        snprintf(prefix, sizeof prefix, "fig%d-", index + 1);
        char *svg;
        size_t len;
        rc = read_text(path, &svg, &len);
        if (!rc) rc = dsml_svg_inline(fp, path, svg, len, prefix, "figure");
        free(svg);
        sum->figures += !rc;
    } else {
        fprintf(fp, "<p class=\"missing\">Figure missing: <code>");
        dsml_html_text(fp, f->stem);
        fprintf(fp, ".svg</code> is not in the plots folder, its data file is (<code>make plots</code> draws it "
                "when gnuplot and the figure's inputs are there).</p>\n");
        sum->missing_figures++;
    }
    fprintf(fp, "<figcaption>");
    figure_caption(fp, f->stem);
    fprintf(fp, "</figcaption>\n</figure>\n");
    return rc;
}

static int figures_section(FILE *fp, const char *dir, dsml_report_summary *sum)
{
    figure_list list;
    int rc = figures_list(dir, &list);
    if (rc) return rc;
    fprintf(fp, "<section id=\"figures\">\n<h2>Figures</h2>\n");
    static const char *const kinds[][2] = {{"fig1", "Figure 1 (synthetic SNR distances)"},
                                           {"fig3_", "Figure 3 (Recall@K)"},
                                           {"fig4_", "Figure 4 (t-SNE; it needs the runs' embeddings.bin)"}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int any = 0;
        for (int i = 0; i < list.count; i++) any |= !strncmp(list.items[i].stem, kinds[k][0], strlen(kinds[k][0]));
        if (!any) fprintf(fp, "<p class=\"missing\">%s: no data in the plots folder, not drawn.</p>\n", kinds[k][1]);
    }
    for (int i = 0; !rc && i < list.count; i++) rc = figure_write(fp, dir, &list.items[i], i, sum);
    fprintf(fp, "</section>\n");
    free(list.items);
    return rc;
}

/* ---- provenance: the runs' data, weights and programs --------------------------- */

static void tally_table(FILE *fp, const dsml_census_tally *t, const char *const head[3], int fields, int code)
{
    fprintf(fp, "<div class=\"table-wrap\"><table><thead><tr>");
    for (int f = 0; f < fields; f++) fprintf(fp, "<th>%s</th>", head[f]);
    fprintf(fp, "<th>runs</th></tr></thead><tbody>\n");
    for (int i = 0; i < t->count; i++) {
        fprintf(fp, "<tr>");
        for (int f = 0; f < fields; f++) {
            fprintf(fp, "<td>%s", code & (1 << f) ? "<code>" : "");
            dsml_html_text(fp, t->rows[i].field[f][0] ? t->rows[i].field[f] : "(not recorded)");
            fprintf(fp, "%s</td>", code & (1 << f) ? "</code>" : "");
        }
        fprintf(fp, "<td>%d</td></tr>\n", t->rows[i].runs);
    }
    fprintf(fp, "</tbody></table></div>\n");
}

static int provenance_section(FILE *fp, const dsml_census *c, const char *manifests)
{
    fprintf(fp, "<section id=\"provenance\">\n<h2>Provenance</h2>\n<h3>Data</h3>\n");
    if (!c->n_datasets) fprintf(fp, "<p>No finished runs.</p>\n");
    for (int d = 0; d < c->n_datasets; d++) {
        const dsml_census_dataset *ds = &c->datasets[d];
        fprintf(fp, "<p>Dataset <code>");
        dsml_html_text(fp, ds->name);
        fprintf(fp, "</code>, source SHA-256 recorded by the runs (<code>data.source_sha256</code>):</p>\n<ul>\n");
        for (int i = 0; i < ds->sources.count; i++) {
            char verdict[2048];
            int rc = dsml_provenance_verdict_of(manifests, ds->name, ds->sources.sources[i].sha256, verdict,
                                                sizeof verdict);
            if (rc) return rc;
            fprintf(fp, "<li><code>%s</code> (%d run%s): ", ds->sources.sources[i].sha256[0] ?
                    ds->sources.sources[i].sha256 : "none", ds->sources.sources[i].runs,
                    ds->sources.sources[i].runs == 1 ? "" : "s");
            dsml_html_text(fp, verdict);
            fprintf(fp, "</li>\n");
        }
        if (ds->sources.dropped) fprintf(fp, "<li>%d more runs of other sources</li>\n", ds->sources.dropped);
        fprintf(fp, "</ul>\n");
    }
    static const char *const weights_head[3] = {"file", "format", "SHA-256"};
    static const char *const network_head[3] = {"network (<code>config.model</code>)", "initialisation"};
    static const char *const program_head[3] = {"version (<code>program.version</code>)", "libraries"};
    fprintf(fp, "<h3>Pretrained weights</h3>\n");
    if (c->weights.count) tally_table(fp, &c->weights, weights_head, 3, 1 | 4);
    else fprintf(fp, "<p>None: no run loaded pretrained weights (<code>pretrained</code> in metrics.json).</p>\n");
    fprintf(fp, "<h3>Networks</h3>\n");
    tally_table(fp, &c->networks, network_head, 2, 1);
    fprintf(fp, "<h3>Programs</h3>\n<p>The program version (<code>git describe</code>) and libraries each run "
            "recorded.</p>\n");
    tally_table(fp, &c->programs, program_head, 2, 1);
    fprintf(fp, "</section>\n");
    return DSML_OK;
}

/* ---- the page ---------------------------------------------------------------------- */

static int page_write(FILE *fp, const dsml_report_config *cfg, const dsml_census *c, dsml_report_summary *sum)
{
    static const char *const tables[][2] = {{"table1.md", "table1"}, {"table2.md", "table2"}, {"table3.md", "table3"},
                                            {"table4.md", "table4"}, {"claims.md", "claims"},
                                            {"methods.md", "methods"}};
    page_begin(fp, c);
    int rc = DSML_OK;
    for (size_t t = 0; !rc && t < sizeof tables / sizeof tables[0]; t++)
        rc = markdown_section(fp, cfg->tables_dir, tables[t][0], tables[t][1]);
    if (!rc) rc = figures_section(fp, cfg->plots_dir, sum);
    if (!rc) rc = provenance_section(fp, c, cfg->manifests_dir);
    fprintf(fp, "</main>\n</body>\n</html>\n");
    return rc;
}

int dsml_report_write(const dsml_report_config *cfg, const char *out_path, dsml_report_summary *summary)
{
    dsml_report_summary sum = {0, 0, 0};
    dsml_census census;
    int rc = dsml_census_load(&census, cfg->results_dir);
    if (rc) return rc;
    sum.runs = census.finished;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", out_path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        rc = dsml_mkdirs(dir);
    }
    dsml_atomic_file out;
    if (!rc) rc = dsml_atomic_begin(&out, out_path);
    if (rc) {
        dsml_census_free(&census);
        return rc;
    }
    rc = page_write(out.fp, cfg, &census, &sum);
    dsml_census_free(&census);
    if (rc) {
        dsml_atomic_abort(&out);
        return rc;
    }
    rc = dsml_atomic_commit(&out);
    if (!rc && summary) *summary = sum;
    return rc;
}
