/* Figures from a results tree: data files and gnuplot runs; see plots.h and
 * docs/plots.md. */
#include "report/plots.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/class_names.h"
#include "data/class_subset.h"
#include "eval/tsne.h"
#include "report/paper.h"
#include "results/embeddings.h"
#include "results/run_metrics.h"
#include "results/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const double dsml_fig1_sigma2[DSML_FIG1_CURVES] = {0.2, 0.5, 1.0, 2.0};

#define N_RECALL DSML_METRICS_RECALL_K
#define MAX_LOSSES 16
#define PATH_SIZE 4096
#define LEGEND_SIZE 4096 /* figure 4's class names, '|'-separated */

/* ---- Figure 1 ---------------------------------------------------------------- */

double dsml_plots_snr_distance(const float *anchor, const float *compared, int dims)
{
    if (dims < 1) return NAN;
    double sa = 0, sn = 0, sa2 = 0, sn2 = 0;
    for (int k = 0; k < dims; k++) {
        sa += anchor[k];
        sn += (double)compared[k] - anchor[k];
    }
    double ma = sa / dims, mn = sn / dims;
    for (int k = 0; k < dims; k++) {
        double a = anchor[k] - ma, noise = (double)compared[k] - anchor[k] - mn;
        sa2 += a * a;
        sn2 += noise * noise;
    }
    return sa2 > 0 ? sn2 / sa2 : NAN; /* (sn2 / dims) / (sa2 / dims) */
}

int dsml_plots_synthetic_snr(uint64_t seed, int dims, const double *sigma2, int curves, float *anchor,
                             float *compared, double *measured)
{
    if (dims < 2 || curves < 1)
        return dsml_fail(DSML_ERR_ARG, "synthetic SNR curves: %d dims, %d curves, expected >= 2 and >= 1", dims,
                         curves);
    for (int c = 0; c < curves; c++)
        if (!(sigma2[c] >= 0) || !isfinite(sigma2[c]))
            return dsml_fail(DSML_ERR_ARG, "synthetic SNR curves: sigma^2 %g, expected a finite number >= 0",
                             sigma2[c]);
    dsml_rng rng;
    dsml_rng_seed(&rng, seed);
    for (int k = 0; k < dims; k++) anchor[k] = (float)dsml_rng_normal(&rng);
    for (int c = 0; c < curves; c++) {
        double sd = sqrt(sigma2[c]);
        float *b = compared + (long)c * dims;
        for (int k = 0; k < dims; k++) b[k] = (float)(anchor[k] + sd * dsml_rng_normal(&rng));
        measured[c] = dsml_plots_snr_distance(anchor, b, dims);
    }
    return DSML_OK;
}

/* ---- the command's state ------------------------------------------------------ */

typedef struct {
    const dsml_results_run *found; /* the run's folder (name, dir), borrowed from the scan */
    dsml_run_metrics m;            /* its metrics.json */
    int has_recall;                /* the six Recall@K are numbers */
    int hashing;                   /* a hashing-protocol run: Hamming metrics only */
    int epochs;                    /* entries of training.loss_per_epoch; 0 when none */
} run_info;

typedef struct {
    const dsml_plots_config *cfg;
    FILE *notes;
    dsml_plots_report *report;
    dsml_atomic_file render;
    int render_open;
    char log_path[PATH_SIZE];
} plot_ctx;

static void note(plot_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(plot_ctx *ctx, const char *fmt, ...)
{
    if (!ctx->notes) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(ctx->notes, fmt, ap);
    va_end(ap);
    fputc('\n', ctx->notes);
}

/* Names that go into gnuplot strings and file names: [A-Za-z0-9._-]. */
static int plain_name(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* Paths that go inside gnuplot's single quotes and the shell's double quotes. */
static int quotable_path(const char *s)
{
    return strpbrk(s, "'\"$`\\\n") == NULL;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long)st.st_size : -1;
}

static void out_path(const plot_ctx *ctx, char *buf, const char *name)
{
    snprintf(buf, PATH_SIZE, "%s/%s", ctx->cfg->out_dir, name);
}

/* Runs `gnuplot -e VARS SCRIPT`, its output appended to <out>/gnuplot.log,
 * and counts the images outbase.png, .svg and .pdf it left. Also records the
 * command in render.sh. */
static void draw(plot_ctx *ctx, const char *script_name, const char *vars, const char *outbase_name)
{
    char script[PATH_SIZE];
    snprintf(script, sizeof script, "%s/%s", ctx->cfg->scripts_dir, script_name);
    if (ctx->render_open) fprintf(ctx->render.fp, "gnuplot -e \"%s\" \"%s\"\n", vars, script);
    if (!ctx->cfg->gnuplot || ctx->report->gnuplot_missing) return;
    if (!is_file(script)) {
        note(ctx, "%s: gnuplot script not found (run from the repository root or pass --scripts DIR); "
                  "data written, no image", script);
        ctx->report->gnuplot_failed++;
        return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, ctx->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {(char *)ctx->cfg->gnuplot, "-e", (char *)vars, script, NULL};
    extern char **environ;
    pid_t pid;
    int err = posix_spawnp(&pid, ctx->cfg->gnuplot, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err) {
        ctx->report->gnuplot_missing = 1;
        note(ctx, "%s: cannot start (%s): writing data files and render.sh only", ctx->cfg->gnuplot, strerror(err));
        return;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        ctx->report->gnuplot_missing = 1;
        note(ctx, "%s: not found: writing data files and render.sh only", ctx->cfg->gnuplot);
        return;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        ctx->report->gnuplot_failed++;
        note(ctx, "gnuplot failed on %s: see %s", script, ctx->log_path);
        return;
    }
    /* A script that ran to the end wrote every format its gnuplot has: a PNG
     * and an SVG always, a PDF unless pdfcairo is missing (the script skips
     * it with a note in gnuplot.log), so only a missing PDF is not a failure. */
    static const char *const ext[DSML_PLOTS_FORMATS] = {"png", "svg", "pdf"};
    for (int i = 0; i < DSML_PLOTS_FORMATS; i++) {
        char name[512], path[PATH_SIZE];
        snprintf(name, sizeof name, "%s.%s", outbase_name, ext[i]);
        out_path(ctx, path, name);
        if (file_size(path) > 0) {
            ctx->report->images++;
            ctx->report->images_of[i]++;
            note(ctx, "wrote %s", path);
        } else if (i == DSML_PLOTS_PDF) {
            ctx->report->pdf_skipped++;
            note(ctx, "gnuplot wrote no %s (no pdfcairo terminal? see %s)", path, ctx->log_path);
        } else {
            ctx->report->gnuplot_failed++;
            note(ctx, "gnuplot left no %s (see %s)", path, ctx->log_path);
        }
    }
}

/* Opens <out>/<name> for a data file. */
static int data_begin(plot_ctx *ctx, dsml_atomic_file *f, const char *name)
{
    char path[PATH_SIZE];
    out_path(ctx, path, name);
    return dsml_atomic_begin(f, path);
}

static int data_commit(plot_ctx *ctx, dsml_atomic_file *f)
{
    if (ferror(f->fp)) {
        dsml_atomic_abort(f);
        return dsml_fail(DSML_ERR_IO, "%s: write failed", f->path);
    }
    int rc = dsml_atomic_commit(f);
    if (!rc) {
        ctx->report->data_files++;
        note(ctx, "wrote %s", f->path);
    }
    return rc;
}

/* ---- Figure 1 output -------------------------------------------------------- */

static int figure1(plot_ctx *ctx)
{
    float anchor[DSML_FIG1_DIMS], compared[DSML_FIG1_CURVES * DSML_FIG1_DIMS];
    double measured[DSML_FIG1_CURVES];
    int rc = dsml_plots_synthetic_snr(ctx->cfg->seed, DSML_FIG1_DIMS, dsml_fig1_sigma2, DSML_FIG1_CURVES, anchor,
                                      compared, measured);
    if (rc) return rc;
    dsml_atomic_file f;
    if ((rc = data_begin(ctx, &f, "fig1_curves.dat"))) return rc;
    fprintf(f.fp, "# Figure 1: a %d-dim anchor ~ N(0,1) and compared = anchor + N(0, sigma^2) noise, seed %llu\n",
            DSML_FIG1_DIMS, (unsigned long long)ctx->cfg->seed);
    fprintf(f.fp, "dim anchor");
    for (int c = 0; c < DSML_FIG1_CURVES; c++) fprintf(f.fp, " sigma2=%g", dsml_fig1_sigma2[c]);
    fputc('\n', f.fp);
    for (int k = 0; k < DSML_FIG1_DIMS; k++) {
        fprintf(f.fp, "%d %.9g", k + 1, anchor[k]);
        for (int c = 0; c < DSML_FIG1_CURVES; c++) fprintf(f.fp, " %.9g", compared[c * DSML_FIG1_DIMS + k]);
        fputc('\n', f.fp);
    }
    if ((rc = data_commit(ctx, &f))) return rc;

    if ((rc = data_begin(ctx, &f, "fig1_snr.dat"))) return rc;
    fprintf(f.fp, "# measured SNR distance var(compared - anchor) / var(anchor) (population variances)\n");
    fprintf(f.fp, "sigma2 measured\n");
    for (int c = 0; c < DSML_FIG1_CURVES; c++) fprintf(f.fp, "%g %.9g\n", dsml_fig1_sigma2[c], measured[c]);
    if ((rc = data_commit(ctx, &f))) return rc;

    char vars[2 * PATH_SIZE], sig[128] = "", meas[256] = "";
    for (int c = 0; c < DSML_FIG1_CURVES; c++) {
        size_t ls = strlen(sig), lm = strlen(meas);
        snprintf(sig + ls, sizeof sig - ls, "%s%g", c ? " " : "", dsml_fig1_sigma2[c]);
        snprintf(meas + lm, sizeof meas - lm, "%s%.3f", c ? " " : "", measured[c]);
    }
    snprintf(vars, sizeof vars, "datafile='%s/fig1_curves.dat'; outbase='%s/fig1'; sig='%s'; meas='%s'; dims=%d",
             ctx->cfg->out_dir, ctx->cfg->out_dir, sig, meas, DSML_FIG1_DIMS);
    draw(ctx, "fig1.gp", vars, "fig1");
    return DSML_OK;
}

/* ---- reading runs ----------------------------------------------------------- */

/* Fills r from the run's metrics.json. Fails (naming the file and the key)
 * when the run's identity is not there (dsml_run_metrics_check). Missing
 * recall or loss values only clear has_recall / epochs (noted). */
static int read_run(plot_ctx *ctx, const dsml_results_run *found, run_info *r)
{
    memset(r, 0, sizeof *r);
    r->found = found;
    int rc = dsml_run_metrics_read(&r->m, found->metrics);
    if (!rc && (rc = dsml_run_metrics_check(&r->m))) dsml_run_metrics_free(&r->m);
    if (rc) return rc;
    r->hashing = r->m.protocol && !strcmp(r->m.protocol, "hashing");
    r->has_recall = !r->hashing; /* hashing runs have no Euclidean Recall@K to plot */
    for (int k = 0; k < N_RECALL && r->has_recall; k++)
        if (isnan(r->m.euclidean.recall[k])) {
            note(ctx, "%s: expected a number at metrics.euclidean.recall@%d: run left out of Recall@K", found->metrics,
                 dsml_metrics_recall_k[k]);
            r->has_recall = 0;
        }
    r->epochs = r->m.n_loss > 0 ? r->m.n_loss : 0;
    if (!r->epochs)
        note(ctx, "%s: expected an array at training.loss_per_epoch: run left out of the loss curves", found->metrics);
    return DSML_OK;
}

/* The run's network as metrics.json names it ("?" when it does not). */
static const char *model_name(const run_info *r)
{
    return r->m.model ? r->m.model : "?";
}

/* ---- Figure 3 ------------------------------------------------------------------ */

/* The losses present, the paper's four first in its order, then others in
 * order of appearance. */
static int loss_order(const run_info *runs, int n, const char *losses[MAX_LOSSES])
{
    int count = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < (pass ? n : DSML_PAPER_LOSSES); i++) {
            const char *l = pass ? runs[i].m.loss : dsml_paper_rows[2 * i].loss;
            int present = 0, listed = 0;
            for (int j = 0; j < n && !present; j++) present = !strcmp(runs[j].m.loss, l);
            for (int j = 0; j < count && !listed; j++) listed = !strcmp(losses[j], l);
            if (present && !listed && count < MAX_LOSSES) losses[count++] = l;
        }
    return count;
}

static int figure3(plot_ctx *ctx, const char *dataset, const run_info *runs, int n)
{
    int dim = 0;
    for (int i = 0; i < n; i++)
        if (runs[i].has_recall && (!strcmp(runs[i].m.distance, "euclidean") || !strcmp(runs[i].m.distance, "snr"))) {
            if (runs[i].m.dim == 64) dim = 64;
            else if (dim != 64 && runs[i].m.dim > dim) dim = runs[i].m.dim;
        }
    int all_hashing = n > 0;
    for (int i = 0; i < n; i++) all_hashing &= runs[i].hashing;
    if (!dim && all_hashing) return DSML_OK; /* Figure 3 is about metric learning */
    if (!dim) {
        ctx->report->skipped++;
        note(ctx, "figure 3 (%s): skipped: no run with Recall@K", dataset);
        return DSML_OK;
    }
    const char *losses[MAX_LOSSES];
    int nl = loss_order(runs, n, losses);
    double mean[MAX_LOSSES][2][N_RECALL] = {{{0}}};
    int seeds[MAX_LOSSES][2] = {{0}};
    for (int i = 0; i < n; i++) {
        if (!runs[i].has_recall || runs[i].m.dim != dim) continue;
        int snr = !strcmp(runs[i].m.distance, "snr");
        if (!snr && strcmp(runs[i].m.distance, "euclidean")) continue;
        for (int l = 0; l < nl; l++)
            if (!strcmp(losses[l], runs[i].m.loss)) {
                for (int k = 0; k < N_RECALL; k++) mean[l][snr][k] += runs[i].m.euclidean.recall[k];
                seeds[l][snr]++;
            }
    }
    char name[512];
    snprintf(name, sizeof name, "fig3_%s.dat", dataset);
    dsml_atomic_file f;
    int rc = data_begin(ctx, &f, name);
    if (rc) return rc;
    fprintf(f.fp, "# Figure 3: Recall@K (Euclidean ranking) of %s/%s at embedding size %d, mean over seeds\n",
            ctx->cfg->results_dir, dataset, dim);
    fprintf(f.fp, "# columns: K, then per loss its Euclidean and its SNR (DSML) run; NaN = no such run\n# seeds:");
    char label[96], cols[256] = "";
    for (int l = 0; l < nl; l++)
        for (int s = 0; s < 2; s++) {
            dsml_paper_method_label(losses[l], s, label, sizeof label);
            fprintf(f.fp, " %s=%d", label, seeds[l][s]);
            if (seeds[l][s]) {
                size_t len = strlen(cols);
                snprintf(cols + len, sizeof cols - len, "%s%d", len ? " " : "", 2 + 2 * l + s);
            }
        }
    fprintf(f.fp, "\nK");
    for (int l = 0; l < nl; l++)
        for (int s = 0; s < 2; s++) {
            dsml_paper_method_label(losses[l], s, label, sizeof label);
            fprintf(f.fp, " \"%s\"", label);
        }
    fputc('\n', f.fp);
    for (int k = 0; k < N_RECALL; k++) {
        fprintf(f.fp, "%d", dsml_metrics_recall_k[k]);
        for (int l = 0; l < nl; l++)
            for (int s = 0; s < 2; s++) {
                if (seeds[l][s]) fprintf(f.fp, " %.6f", mean[l][s][k] / seeds[l][s]);
                else fprintf(f.fp, " NaN");
            }
        fputc('\n', f.fp);
    }
    if ((rc = data_commit(ctx, &f))) return rc;
    char title[512], vars[3 * PATH_SIZE];
    snprintf(title, sizeof title, "Recall@K on %s, embedding size %d%s (%s trained from scratch; the paper: ImageNet AlexNet)",
             dataset, dim, dim == 64 ? "" : " (no size-64 runs)", model_name(&runs[0]));
    snprintf(vars, sizeof vars, "datafile='%s/%s'; outbase='%s/fig3_%s'; cols='%s'; plottitle='%s'",
             ctx->cfg->out_dir, name, ctx->cfg->out_dir, dataset, cols, title);
    char outbase[512];
    snprintf(outbase, sizeof outbase, "fig3_%s", dataset);
    draw(ctx, "fig3_recall.gp", vars, outbase);
    return DSML_OK;
}

/* ---- Figure 4 ------------------------------------------------------------------ */

static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* t-SNE of one run's queries into <out>/<name>; *classes gets max label + 1.
 * An error with *bad_input set means embeddings.bin could not be used; other
 * errors (writing the data file, memory) are fatal. DSML_OK with
 * *written = 0 when there are too few queries (noted). */
static int tsne_run_file(plot_ctx *ctx, const run_info *r, const char *name, int *classes, int *written,
                         int *bad_input)
{
    *written = 0;
    *bad_input = 1;
    char path[PATH_SIZE + 32];
    snprintf(path, sizeof path, "%s/embeddings.bin", r->found->dir);
    dsml_embeddings e;
    int rc = dsml_embeddings_read(path, DSML_EMBEDDINGS_QUERIES, &e);
    if (rc) return rc;
    if (e.d != r->m.dim) {
        dsml_embeddings_free(&e);
        return dsml_fail(DSML_ERR_FORMAT, "%s: embedding size %d, expected %d as in metrics.json", path, e.d, r->m.dim);
    }
    int keep = e.nq < ctx->cfg->tsne_max_points ? e.nq : ctx->cfg->tsne_max_points;
    if (keep < 4) {
        dsml_embeddings_free(&e);
        note(ctx, "figure 4: %s: %d queries, t-SNE needs at least 4", path, e.nq);
        return DSML_OK;
    }
    int *idx = malloc(sizeof *idx * (size_t)e.nq);
    float *x = malloc(sizeof *x * (size_t)keep * (size_t)e.d), *y = malloc(sizeof *y * 2 * (size_t)keep);
    if (!idx || !x || !y) {
        rc = dsml_fail(DSML_ERR_NOMEM, "out of memory for t-SNE of %s", path);
        goto done;
    }
    for (int i = 0; i < e.nq; i++) idx[i] = i;
    dsml_rng rng;
    dsml_rng_seed_stream(&rng, ctx->cfg->seed, 4);
    dsml_rng_shuffle_int(&rng, idx, (size_t)e.nq);
    qsort(idx, (size_t)keep, sizeof *idx, compare_ints);
    for (int i = 0; i < keep; i++) memcpy(x + (long)i * e.d, e.queries + (long)idx[i] * e.d, sizeof *x * (size_t)e.d);
    dsml_tsne_params p;
    dsml_tsne_defaults(&p);
    p.seed = ctx->cfg->seed;
    p.iterations = ctx->cfg->tsne_iterations;
    if (3.0 * p.perplexity > keep - 1) p.perplexity = (keep - 1) / 3.0;
    if (p.perplexity <= 1.0) {
        note(ctx, "figure 4: %s: %d queries are too few for t-SNE (perplexity above 1 needs at least 5)", path, keep);
        goto done;
    }
    dsml_tsne_info info;
    rc = dsml_tsne_run(x, keep, e.d, &p, y, &info);
    if (rc) {
        rc = dsml_fail_context(rc, "t-SNE of %s", path);
        goto done;
    }
    *bad_input = 0;
    dsml_atomic_file f;
    if ((rc = data_begin(ctx, &f, name))) goto done;
    fprintf(f.fp, "# Figure 4: t-SNE of %d of the %d queries of %s (seed %llu, perplexity %g, %d iterations, "
                  "KL %.4f)\n# x y label query\n",
            keep, e.nq, path, (unsigned long long)ctx->cfg->seed, p.perplexity, p.iterations, info.kl_final);
    int max_label = 0;
    for (int i = 0; i < keep; i++) {
        int label = e.query_labels[idx[i]];
        if (label > max_label) max_label = label;
        fprintf(f.fp, "%.6g %.6g %d %d\n", y[2 * i], y[2 * i + 1], label, idx[i]);
    }
    if (!(rc = data_commit(ctx, &f))) {
        *written = 1;
        if (max_label + 1 > *classes) *classes = max_label + 1;
    }
done:
    free(idx);
    free(x);
    free(y);
    dsml_embeddings_free(&e);
    return rc;
}

/* Whether <out>/<name> of both picked runs is a figure 4 data file that tsne_run_file wrote from
 * that run's embeddings.bin with this seed, point count and iterations (its first line says so); *classes gets max label + 1
 * of their rows. Lets `dsml plots` draw figure 4 from the committed data files when the runs'
 * embeddings.bin, which is not committed, is absent. */
static int fig4_data_kept(plot_ctx *ctx, const run_info *const pick[2], const char names[2][512], int *classes)
{
    int max_label = -1;
    for (int s = 0; s < 2; s++) {
        char path[PATH_SIZE + 600], want[PATH_SIZE + 96], line[PATH_SIZE + 256];
        snprintf(path, sizeof path, "%s/%s", ctx->cfg->out_dir, names[s]);
        snprintf(want, sizeof want, " queries of %s/embeddings.bin (seed %llu, ", pick[s]->found->dir,
                 (unsigned long long)ctx->cfg->seed);
        FILE *fp = fopen(path, "r");
        if (!fp) return 0;
        /* the same t-SNE as asked: points kept of the run's queries, iterations */
        int keep = 0, nq = 0;
        char iterations[48];
        snprintf(iterations, sizeof iterations, ", %d iterations, ", ctx->cfg->tsne_iterations);
        int ok = fgets(line, sizeof line, fp) && sscanf(line, "# Figure 4: t-SNE of %d of the %d ", &keep, &nq) == 2 &&
                 keep == (nq < ctx->cfg->tsne_max_points ? nq : ctx->cfg->tsne_max_points) && strstr(line, want) &&
                 strstr(strstr(line, want), iterations);
        int rows = 0;
        while (ok && fgets(line, sizeof line, fp)) {
            if (line[0] == '#') continue;
            double x, y;
            int label, query;
            char end;
            if (sscanf(line, "%lf %lf %d %d %c", &x, &y, &label, &query, &end) != 4 || label < 0) ok = 0;
            else if (label > max_label) max_label = label;
            rows++;
        }
        fclose(fp);
        if (!ok || rows < 4) return 0;
    }
    *classes = max_label + 1;
    return 1;
}

/* Names that can stand in figure 4's legend: not empty, without the list's
 * separator '|' or what would end gnuplot's single-quoted string or the
 * shell's double quotes in render.sh. Spaces and '/' are fine. */
static int legend_safe(const char *name)
{
    return *name && !strpbrk(name, "|'\"$`\\\n");
}

/* The class that label `label` of a run stands for when the run kept the
 * subset s ("2,5,9": label 1 is class 5); -1 beyond the subset. */
static int subset_class(const dsml_class_subset *s, int label)
{
    for (int i = 0; i < s->n_ranges; i++) {
        int width = s->hi[i] - s->lo[i] + 1;
        if (label < width) return s->lo[i] + label;
        label -= width;
    }
    return -1;
}

/* Figure 4's legend for labels 0..classes-1 of run r, '|'-separated, into
 * buf: each label's class name where the run's dataset (metrics.json
 * data.name, which names the prepared dataset also for a folder such as
 * cifar10-hashing; else config.dataset) has fixed names (data/class_names.h),
 * through config.classes when the run kept a subset; the label's number
 * where there is no name. "" when the list does not fit (the script then
 * numbers every class). */
static void legend_names(const run_info *r, int classes, char *buf, size_t cap)
{
    dsml_metrics_value data_name = dsml_run_metrics_get(&r->m, "data.name");
    int count;
    const char *const *names =
        dsml_class_names(data_name.kind == DSML_METRICS_STRING ? data_name.string : r->m.dataset, &count);
    dsml_metrics_value kept = dsml_run_metrics_get(&r->m, "config.classes");
    dsml_class_subset subset;
    char expected[256];
    int has_subset = kept.kind == DSML_METRICS_STRING &&
                     !dsml_class_subset_parse(kept.string, &subset, expected, sizeof expected);
    if (kept.kind != DSML_METRICS_ABSENT && !has_subset) names = NULL; /* a subset it cannot read: numbers */
    size_t len = 0;
    buf[0] = '\0';
    for (int label = 0; label < classes; label++) {
        int c = has_subset ? subset_class(&subset, label) : label;
        char number[16];
        snprintf(number, sizeof number, "%d", label);
        const char *text = names && c >= 0 && c < count && legend_safe(names[c]) ? names[c] : number;
        int n = snprintf(buf + len, cap - len, "%s%s", label ? "|" : "", text);
        if (n < 0 || (size_t)n >= cap - len) {
            buf[0] = '\0';
            return;
        }
        len += (size_t)n;
    }
}

/* How much a size is preferred for figure 4: 64, then 32, then the largest. */
static double size_preference(int dim)
{
    return dim == 64 ? 3.0 : dim == 32 ? 2.0 : 1.0 + dim / 1e6;
}

/* Picks the seed 1 contrastive runs with both distances at size 64, else 32,
 * else the largest size that has both. */
static int figure4(plot_ctx *ctx, const char *dataset, const run_info *runs, int n)
{
    const run_info *pick[2] = {NULL, NULL}; /* [0] euclidean, [1] snr */
    for (int i = 0; i < n; i++) {
        if (strcmp(runs[i].m.loss, "contrastive") || runs[i].m.seed != 1 || strcmp(runs[i].m.distance, "euclidean"))
            continue;
        for (int j = 0; j < n; j++) {
            if (strcmp(runs[j].m.loss, "contrastive") || runs[j].m.seed != 1 || strcmp(runs[j].m.distance, "snr") ||
                runs[j].m.dim != runs[i].m.dim)
                continue;
            if (!pick[0] || size_preference(runs[i].m.dim) > size_preference(pick[0]->m.dim)) {
                pick[0] = &runs[i];
                pick[1] = &runs[j];
            }
        }
    }
    if (!pick[0]) {
        ctx->report->skipped++;
        note(ctx, "figure 4 (%s): skipped: needs contrastive runs with both distances (euclidean, snr) at seed 1 "
                  "and one size", dataset);
        return DSML_OK;
    }
    char names[2][512];
    for (int s = 0; s < 2; s++) snprintf(names[s], sizeof names[s], "fig4_%s_%s.dat", dataset, pick[s]->found->name);
    int classes = 0;
    for (int s = 0; s < 2; s++) {
        char path[PATH_SIZE + 32];
        snprintf(path, sizeof path, "%s/embeddings.bin", pick[s]->found->dir);
        if (is_file(path)) continue;
        /* embeddings.bin is not committed; the data files made from it are */
        if (fig4_data_kept(ctx, pick, names, &classes)) {
            note(ctx, "figure 4 (%s): %s: no such file; drawn from the data files in %s made from these runs "
                      "with the same seed and t-SNE settings", dataset, path, ctx->cfg->out_dir);
            goto draw_it;
        }
        ctx->report->skipped++;
        note(ctx, "figure 4 (%s): skipped: %s: no such file (run trained with --no-embeddings?)", dataset, path);
        return DSML_OK;
    }
    for (int s = 0; s < 2; s++) {
        int written = 0, bad_input = 0;
        int rc = tsne_run_file(ctx, pick[s], names[s], &classes, &written, &bad_input);
        if (rc && (!bad_input || rc == DSML_ERR_NOMEM)) return rc;
        if (rc) {
            ctx->report->bad_files++;
            note(ctx, "figure 4 (%s): skipped: %s", dataset, dsml_last_error());
            return DSML_OK;
        }
        if (!written) {
            ctx->report->skipped++;
            return DSML_OK;
        }
    }
draw_it:;
    /* one legend for both panels: the runs must agree on what each label is */
    char legend[2][LEGEND_SIZE];
    for (int s = 0; s < 2; s++) legend_names(pick[s], classes, legend[s], sizeof legend[s]);
    if (strcmp(legend[0], legend[1])) {
        note(ctx, "figure 4 (%s): %s and %s name their classes differently (dataset or config.classes): "
                  "legend numbered", dataset, pick[0]->found->name, pick[1]->found->name);
        legend[0][0] = '\0';
    }
    char vars[4 * PATH_SIZE + LEGEND_SIZE], outbase[512];
    snprintf(outbase, sizeof outbase, "fig4_%s", dataset);
    snprintf(vars, sizeof vars,
             "leftfile='%s/%s'; rightfile='%s/%s'; outbase='%s/%s'; classes=%d; classnames='%s'; "
             "lefttitle='contrastive (%s)'; righttitle='DSML(cont) (%s)'; "
             "plottitle='t-SNE of %s query embeddings, size %d (%s trained from scratch)'",
             ctx->cfg->out_dir, names[0], ctx->cfg->out_dir, names[1], ctx->cfg->out_dir, outbase, classes,
             legend[0], pick[0]->found->name, pick[1]->found->name, dataset, pick[0]->m.dim, model_name(pick[0]));
    draw(ctx, "fig4_tsne.gp", vars, outbase);
    return DSML_OK;
}

/* ---- training-loss curves ------------------------------------------------------- */

static int loss_curves(plot_ctx *ctx, const char *dataset, const run_info *runs, int n)
{
    int max_epochs = 0, with_curve = 0;
    for (int i = 0; i < n; i++) {
        if (runs[i].epochs > max_epochs) max_epochs = runs[i].epochs;
        with_curve += runs[i].epochs > 0;
    }
    if (!with_curve) {
        ctx->report->skipped++;
        note(ctx, "loss curves (%s): skipped: no run with training.loss_per_epoch", dataset);
        return DSML_OK;
    }
    char name[512];
    snprintf(name, sizeof name, "loss_%s.dat", dataset);
    dsml_atomic_file f;
    int rc = data_begin(ctx, &f, name);
    if (rc) return rc;
    fprintf(f.fp, "# training loss per epoch (training.loss_per_epoch) of each run in %s/%s; NaN = no value\nepoch",
            ctx->cfg->results_dir, dataset);
    for (int i = 0; i < n; i++)
        if (runs[i].epochs > 0) fprintf(f.fp, " \"%s\"", runs[i].found->name);
    fputc('\n', f.fp);
    for (int e = 0; e < max_epochs; e++) {
        fprintf(f.fp, "%d", e + 1);
        for (int i = 0; i < n; i++) {
            if (runs[i].epochs <= 0) continue;
            const double *curve = runs[i].m.loss_per_epoch;
            if (e < runs[i].epochs && isfinite(curve[e])) fprintf(f.fp, " %.9g", curve[e]);
            else fprintf(f.fp, " NaN");
        }
        fputc('\n', f.fp);
    }
    if ((rc = data_commit(ctx, &f))) return rc;
    char vars[3 * PATH_SIZE], outbase[512];
    snprintf(outbase, sizeof outbase, "loss_%s", dataset);
    snprintf(vars, sizeof vars, "datafile='%s/%s'; outbase='%s/%s'; ncols=%d; plottitle='Training loss per epoch, %s'",
             ctx->cfg->out_dir, name, ctx->cfg->out_dir, outbase, with_curve + 1, dataset);
    draw(ctx, "loss_curves.gp", vars, outbase);
    return DSML_OK;
}

/* ---- one dataset, and the whole tree ------------------------------------------- */

/* The figures of one dataset folder from its `count` runs (in scan order). */
static int dataset_figures(plot_ctx *ctx, const char *dataset, const dsml_results_run *found, int count)
{
    char dir[PATH_SIZE];
    snprintf(dir, sizeof dir, "%s/%s", ctx->cfg->results_dir, dataset);
    run_info *runs = calloc(count ? (size_t)count : 1, sizeof *runs);
    int n = 0, rc = DSML_OK;
    if (!runs) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
    for (int i = 0; !rc && i < count; i++) {
        if (!found[i].finished) {
            dsml_results_note_unfinished(ctx->notes, &found[i]);
            continue;
        }
        if (!plain_name(found[i].name)) {
            note(ctx, "%s: run name has characters other than A-Z a-z 0-9 . _ -: left out", found[i].dir);
            continue;
        }
        int r = read_run(ctx, &found[i], &runs[n]);
        if (r == DSML_ERR_NOMEM) rc = r;
        else if (r) {
            ctx->report->bad_files++;
            note(ctx, "%s", dsml_last_error());
        } else if (!strcmp(runs[n].m.equations, "paper")) { /* the figures show the common equations arm */
            dsml_run_metrics_free(&runs[n].m);
        } else {
            n++;
        }
    }
    if (!rc && n == 0) {
        ctx->report->skipped += 3;
        note(ctx, "%s: no finished runs: figures 3, 4 and the loss curves skipped", dir);
    } else if (!rc) {
        note(ctx, "%s: %d finished runs", dir, n);
        rc = figure3(ctx, dataset, runs, n);
        if (!rc) rc = figure4(ctx, dataset, runs, n);
        if (!rc) rc = loss_curves(ctx, dataset, runs, n);
    }
    for (int i = 0; runs && i < n; i++) dsml_run_metrics_free(&runs[i].m);
    free(runs);
    return rc;
}

/* Figures 3, 4 and the loss curves of every dataset folder. */
static int dataset_figures_all(plot_ctx *ctx)
{
    const dsml_plots_config *cfg = ctx->cfg;
    dsml_results_list found;
    int rc = dsml_results_scan(cfg->results_dir, &found);
    if (rc) {
        if (rc == DSML_ERR_NOMEM) return rc;
        ctx->report->skipped++;
        note(ctx, "%s: figures 3, 4 and the loss curves skipped", dsml_last_error());
        return DSML_OK;
    }
    if (found.count == 0) {
        ctx->report->skipped++;
        note(ctx, "%s: no dataset directories: figures 3, 4 and the loss curves skipped", cfg->results_dir);
    }
    for (int i = 0, next; !rc && i < found.count; i = next) {
        const char *dataset = found.runs[i].dataset;
        for (next = i + 1; next < found.count && !strcmp(found.runs[next].dataset, dataset);) next++;
        if (!dataset[0]) { /* runs directly under the results directory */
            for (int k = i; k < next; k++) dsml_results_note_outside(ctx->notes, &found.runs[k]);
        } else if (!plain_name(dataset)) {
            note(ctx, "%s/%s: name has characters other than A-Z a-z 0-9 . _ -: left out", cfg->results_dir, dataset);
        } else if (strcmp(dataset, "tune")) { /* tuning runs (evaluated on validation images) are not the paper's */
            rc = dataset_figures(ctx, dataset, &found.runs[i], next - i);
        }
    }
    dsml_results_list_free(&found);
    return rc;
}

void dsml_plots_defaults(dsml_plots_config *cfg)
{
    cfg->results_dir = "results";
    cfg->out_dir = "plots";
    cfg->scripts_dir = "plots";
    cfg->gnuplot = "gnuplot";
    cfg->seed = 1;
    cfg->tsne_max_points = 1000;
    cfg->tsne_iterations = 1000;
}

int dsml_plots_run(const dsml_plots_config *cfg, FILE *notes, dsml_plots_report *report)
{
    memset(report, 0, sizeof *report);
    if (!cfg->results_dir || !cfg->out_dir || !cfg->scripts_dir)
        return dsml_fail(DSML_ERR_ARG, "plots: results, output and scripts directories are required");
    if (!quotable_path(cfg->out_dir) || !quotable_path(cfg->scripts_dir) || !quotable_path(cfg->results_dir))
        return dsml_fail(DSML_ERR_ARG, "plots: directory names may not contain quotes, $, `, \\ or newlines");
    if (cfg->tsne_max_points < 4 || cfg->tsne_iterations < 1)
        return dsml_fail(DSML_ERR_ARG, "plots: t-SNE of %d points for %d iterations, expected >= 4 and >= 1",
                         cfg->tsne_max_points, cfg->tsne_iterations);
    int rc = dsml_mkdirs(cfg->out_dir);
    if (rc) return rc;
    plot_ctx ctx = {.cfg = cfg, .notes = notes, .report = report};
    out_path(&ctx, ctx.log_path, "gnuplot.log");
    unlink(ctx.log_path);
    char render_path[PATH_SIZE], cwd[PATH_SIZE];
    out_path(&ctx, render_path, "render.sh");
    if ((rc = dsml_atomic_begin(&ctx.render, render_path))) return rc;
    ctx.render_open = 1;
    if (!getcwd(cwd, sizeof cwd) || !quotable_path(cwd)) snprintf(cwd, sizeof cwd, ".");
    fprintf(ctx.render.fp, "#!/bin/sh\n# Redraws the figures from the data files (written by `dsml plots`).\n"
                           "set -e\ncd \"%s\"\n", cwd);

    rc = figure1(&ctx);
    if (!rc) rc = dataset_figures_all(&ctx);
    if (rc) {
        dsml_atomic_abort(&ctx.render);
        return rc;
    }
    if ((rc = dsml_atomic_commit(&ctx.render))) return rc;
    chmod(render_path, 0755);
    return DSML_OK;
}
