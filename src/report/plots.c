/* Figures from a results tree: data files and gnuplot runs; see plots.h and
 * docs/plots.md. */
#include "report/plots.h"
#include "results/scan.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_parse.h"
#include "core/rng.h"
#include "eval/tsne.h"

#include <dirent.h>
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

static const int recall_k[] = {1, 2, 4, 8, 16, 32};
#define N_RECALL ((int)(sizeof recall_k / sizeof recall_k[0]))
#define MAX_LOSSES 16
#define PATH_SIZE 4096

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

/* ---- embeddings.bin ------------------------------------------------------------ */

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void dsml_query_embeddings_free(dsml_query_embeddings *e)
{
    free(e->labels);
    free(e->queries);
    e->labels = NULL;
    e->queries = NULL;
}

int dsml_plots_read_queries(const char *path, dsml_query_embeddings *out)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char h[24];
    struct stat st;
    int rc = DSML_OK;
    if (fstat(fileno(fp), &st) != 0) {
        rc = dsml_fail(DSML_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
        goto done;
    }
    if (fread(h, 1, sizeof h, fp) != sizeof h) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: %lld bytes, expected a 24-byte header", path, (long long)st.st_size);
        goto done;
    }
    if (memcmp(h, "DSMLEMB1", 8) != 0) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: offset 0: magic is not DSMLEMB1 (not an embeddings.bin)", path);
        goto done;
    }
    uint32_t version = le32(h + 8), d = le32(h + 12), nq = le32(h + 16), ndb = le32(h + 20);
    if (version != 1) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: offset 8: version %u, expected 1", path, version);
        goto done;
    }
    if (d < 1 || d > 1u << 16 || nq > 1u << 28 || ndb > 1u << 28) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: header: d %u, nq %u, ndb %u, expected 1 <= d <= 65536 and counts < 2^28",
                       path, d, nq, ndb);
        goto done;
    }
    long long items = (long long)nq + ndb;
    long long expected = 24 + 8 * items + 4LL * d * items;
    if ((long long)st.st_size != expected) {
        rc = dsml_fail(DSML_ERR_FORMAT,
                       "%s: %lld bytes, expected %lld for d %u, %u queries and %u database items "
                       "(24 + 8 (nq + ndb) + 4 d (nq + ndb))",
                       path, (long long)st.st_size, expected, d, nq, ndb);
        goto done;
    }
    out->d = (int)d;
    out->nq = (int)nq;
    out->ndb = (int)ndb;
    out->labels = malloc(sizeof *out->labels * (nq ? nq : 1));
    out->queries = malloc(sizeof *out->queries * (size_t)(nq ? nq : 1) * d);
    unsigned char *raw = malloc(4 * (size_t)(nq ? nq : 1));
    if (!out->labels || !out->queries || !raw) {
        free(raw);
        rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory for %u queries of size %u", path, nq, d);
        goto done;
    }
    int ok = fread(raw, 4, nq, fp) == nq;
    for (uint32_t i = 0; ok && i < nq; i++) out->labels[i] = (int32_t)le32(raw + 4 * i);
    free(raw);
    long long emb_offset = 24 + 8 * items;
    ok = ok && fseeko(fp, (off_t)emb_offset, SEEK_SET) == 0 &&
         fread(out->queries, sizeof(float), (size_t)nq * d, fp) == (size_t)nq * d;
    if (!ok) {
        rc = dsml_fail(DSML_ERR_IO, "%s: short read of the query labels or embeddings", path);
        goto done;
    }
    for (uint32_t i = 0; i < nq; i++)
        if (out->labels[i] < 0) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: query %u: label %d, expected >= 0", path, i, out->labels[i]);
            goto done;
        }
done:
    fclose(fp);
    if (rc) dsml_query_embeddings_free(out);
    return rc;
}

/* ---- the command's state ------------------------------------------------------ */

typedef struct {
    char name[256];           /* run directory name */
    char dir[PATH_SIZE];
    char loss[64], distance[32], model[64];
    int dim, seed;
    int has_recall;
    int hashing; /* a hashing-protocol run: Hamming metrics only */
    double recall[N_RECALL];
    int epochs;               /* 0 when no usable loss_per_epoch */
    double *loss_curve;
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
 * and counts the images outbase.png and outbase.svg it left. Also records
 * the command in render.sh. */
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
    static const char *const ext[] = {"png", "svg"};
    for (int i = 0; i < 2; i++) {
        char name[512], path[PATH_SIZE];
        snprintf(name, sizeof name, "%s.%s", outbase_name, ext[i]);
        out_path(ctx, path, name);
        if (file_size(path) > 0) {
            ctx->report->images++;
            note(ctx, "wrote %s", path);
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

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the subdirectories of dir (not starting with '.'). Caller
 * frees each name and the array. */
static int list_subdirs(const char *dir, char ***names, int *count)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d) return dsml_fail(DSML_ERR_IO, "%s: cannot open directory: %s", dir, strerror(errno));
    int cap = 0, rc = DSML_OK;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char sub[PATH_SIZE];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        if (*count == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(*names, sizeof *grown * (size_t)cap);
            if (!grown) { rc = dsml_fail(DSML_ERR_NOMEM, "out of memory listing %s", dir); break; }
            *names = grown;
        }
        if (!((*names)[*count] = strdup(e->d_name))) { rc = dsml_fail(DSML_ERR_NOMEM, "out of memory"); break; }
        (*count)++;
    }
    closedir(d);
    if (*count) qsort(*names, (size_t)*count, sizeof **names, compare_strings);
    return rc;
}

static void free_names(char **names, int count)
{
    for (int i = 0; i < count; i++) free(names[i]);
    free(names);
}

/* Fills r from dir/metrics.json. Returns DSML_ERR_FORMAT with the file and the
 * missing key when config.{loss,distance,dim,seed} are not there. Missing
 * recall or loss values only clear has_recall / epochs (noted). */
static int read_run(plot_ctx *ctx, const char *dir, const char *name, run_info *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    char path[PATH_SIZE + 16];
    snprintf(path, sizeof path, "%s/metrics.json", dir);
    dsml_json_doc doc;
    int rc = dsml_json_parse_file(&doc, path);
    if (rc) return rc;
    const dsml_jv *root = doc.root;
    const dsml_jv *loss = dsml_jv_get(root, "config.loss"), *dist = dsml_jv_get(root, "config.distance");
    const dsml_jv *dim = dsml_jv_get(root, "config.dim"), *seed = dsml_jv_get(root, "config.seed");
    if (!loss || loss->type != DSML_JV_STRING || !dist || dist->type != DSML_JV_STRING) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected strings at config.loss and config.distance", path);
        goto done;
    }
    if (!dim || dim->type != DSML_JV_NUMBER || !seed || seed->type != DSML_JV_NUMBER || dim->number < 1 ||
        dim->number > 65536 || dim->number != floor(dim->number) || seed->number < 0 || seed->number > 1e15) {
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected whole numbers at config.dim (1..65536) and config.seed", path);
        goto done;
    }
    snprintf(r->loss, sizeof r->loss, "%s", loss->string);
    snprintf(r->distance, sizeof r->distance, "%s", dist->string);
    snprintf(r->model, sizeof r->model, "%s", dsml_jv_string(root, "config.model", "?"));
    r->dim = (int)dim->number;
    r->seed = (int)seed->number;
    r->hashing = !strcmp(dsml_jv_string(root, "config.protocol", "dml"), "hashing");
    r->has_recall = !r->hashing; /* hashing runs have no Euclidean Recall@K to plot */
    for (int k = 0; k < N_RECALL && r->has_recall; k++) {
        char key[64];
        snprintf(key, sizeof key, "metrics.euclidean.recall@%d", recall_k[k]);
        const dsml_jv *v = dsml_jv_get(root, key);
        if (!v || v->type != DSML_JV_NUMBER) {
            note(ctx, "%s: expected a number at %s: run left out of Recall@K", path, key);
            r->has_recall = 0;
            break;
        }
        r->recall[k] = v->number;
    }
    const dsml_jv *curve = dsml_jv_get(root, "training.loss_per_epoch");
    if (curve && curve->type == DSML_JV_ARRAY && curve->count > 0) {
        r->loss_curve = malloc(sizeof *r->loss_curve * (size_t)curve->count);
        if (!r->loss_curve) { rc = dsml_fail(DSML_ERR_NOMEM, "out of memory"); goto done; }
        int e = 0;
        for (const dsml_jv *v = curve->child; v; v = v->next)
            r->loss_curve[e++] = v->type == DSML_JV_NUMBER ? v->number : NAN; /* null: a NaN loss */
        r->epochs = e;
    } else {
        note(ctx, "%s: expected an array at training.loss_per_epoch: run left out of the loss curves", path);
    }
done:
    dsml_json_doc_free(&doc);
    return rc;
}

/* ---- Figure 3 ------------------------------------------------------------------ */

static void method_label(const char *loss, int snr, char *buf, size_t size)
{
    static const char *const known[][3] = {
        {"contrastive", "contrastive", "DSML(cont)"},
        {"triplet", "triplet", "DSML(tri)"},
        {"lifted", "lifted", "DSML(lifted)"},
        {"npair", "N-pair", "DSML(N-pair)"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(loss, known[i][0])) {
            snprintf(buf, size, "%s", known[i][snr ? 2 : 1]);
            return;
        }
    if (snr) snprintf(buf, size, "DSML(%s)", loss);
    else snprintf(buf, size, "%s", loss);
}

/* The losses present, the paper's four first in its order, then others in
 * order of appearance. */
static int loss_order(const run_info *runs, int n, const char *losses[MAX_LOSSES])
{
    static const char *const paper[] = {"contrastive", "triplet", "lifted", "npair"};
    int count = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < (pass ? n : 4); i++) {
            const char *l = pass ? runs[i].loss : paper[i];
            int present = 0, listed = 0;
            for (int j = 0; j < n && !present; j++) present = !strcmp(runs[j].loss, l);
            for (int j = 0; j < count && !listed; j++) listed = !strcmp(losses[j], l);
            if (present && !listed && count < MAX_LOSSES) losses[count++] = l;
        }
    return count;
}

static int figure3(plot_ctx *ctx, const char *dataset, const run_info *runs, int n)
{
    int dim = 0;
    for (int i = 0; i < n; i++)
        if (runs[i].has_recall && (!strcmp(runs[i].distance, "euclidean") || !strcmp(runs[i].distance, "snr"))) {
            if (runs[i].dim == 64) dim = 64;
            else if (dim != 64 && runs[i].dim > dim) dim = runs[i].dim;
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
        if (!runs[i].has_recall || runs[i].dim != dim) continue;
        int snr = !strcmp(runs[i].distance, "snr");
        if (!snr && strcmp(runs[i].distance, "euclidean")) continue;
        for (int l = 0; l < nl; l++)
            if (!strcmp(losses[l], runs[i].loss)) {
                for (int k = 0; k < N_RECALL; k++) mean[l][snr][k] += runs[i].recall[k];
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
            method_label(losses[l], s, label, sizeof label);
            fprintf(f.fp, " %s=%d", label, seeds[l][s]);
            if (seeds[l][s]) {
                size_t len = strlen(cols);
                snprintf(cols + len, sizeof cols - len, "%s%d", len ? " " : "", 2 + 2 * l + s);
            }
        }
    fprintf(f.fp, "\nK");
    for (int l = 0; l < nl; l++)
        for (int s = 0; s < 2; s++) {
            method_label(losses[l], s, label, sizeof label);
            fprintf(f.fp, " \"%s\"", label);
        }
    fputc('\n', f.fp);
    for (int k = 0; k < N_RECALL; k++) {
        fprintf(f.fp, "%d", recall_k[k]);
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
             dataset, dim, dim == 64 ? "" : " (no size-64 runs)", runs[0].model);
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
    snprintf(path, sizeof path, "%s/embeddings.bin", r->dir);
    dsml_query_embeddings e;
    int rc = dsml_plots_read_queries(path, &e);
    if (rc) return rc;
    if (e.d != r->dim) {
        dsml_query_embeddings_free(&e);
        return dsml_fail(DSML_ERR_FORMAT, "%s: embedding size %d, expected %d as in metrics.json", path, e.d, r->dim);
    }
    int keep = e.nq < ctx->cfg->tsne_max_points ? e.nq : ctx->cfg->tsne_max_points;
    if (keep < 4) {
        dsml_query_embeddings_free(&e);
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
        int label = e.labels[idx[i]];
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
    dsml_query_embeddings_free(&e);
    return rc;
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
        if (strcmp(runs[i].loss, "contrastive") || runs[i].seed != 1 || strcmp(runs[i].distance, "euclidean"))
            continue;
        for (int j = 0; j < n; j++) {
            if (strcmp(runs[j].loss, "contrastive") || runs[j].seed != 1 || strcmp(runs[j].distance, "snr") ||
                runs[j].dim != runs[i].dim)
                continue;
            if (!pick[0] || size_preference(runs[i].dim) > size_preference(pick[0]->dim)) {
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
    for (int s = 0; s < 2; s++) {
        char path[PATH_SIZE + 32];
        snprintf(path, sizeof path, "%s/embeddings.bin", pick[s]->dir);
        if (!is_file(path)) {
            ctx->report->skipped++;
            note(ctx, "figure 4 (%s): skipped: %s: no such file (run trained with --no-embeddings?)", dataset, path);
            return DSML_OK;
        }
    }
    char names[2][512];
    int classes = 0;
    for (int s = 0; s < 2; s++) {
        snprintf(names[s], sizeof names[s], "fig4_%s_%s.dat", dataset, pick[s]->name);
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
    char vars[4 * PATH_SIZE], outbase[512];
    snprintf(outbase, sizeof outbase, "fig4_%s", dataset);
    snprintf(vars, sizeof vars,
             "leftfile='%s/%s'; rightfile='%s/%s'; outbase='%s/%s'; classes=%d; "
             "lefttitle='contrastive (%s)'; righttitle='DSML(cont) (%s)'; "
             "plottitle='t-SNE of %s query embeddings, size %d (%s trained from scratch)'",
             ctx->cfg->out_dir, names[0], ctx->cfg->out_dir, names[1], ctx->cfg->out_dir, outbase, classes,
             pick[0]->name, pick[1]->name, dataset, pick[0]->dim, pick[0]->model);
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
        if (runs[i].epochs > 0) fprintf(f.fp, " \"%s\"", runs[i].name);
    fputc('\n', f.fp);
    for (int e = 0; e < max_epochs; e++) {
        fprintf(f.fp, "%d", e + 1);
        for (int i = 0; i < n; i++) {
            if (runs[i].epochs <= 0) continue;
            if (e < runs[i].epochs && isfinite(runs[i].loss_curve[e])) fprintf(f.fp, " %.9g", runs[i].loss_curve[e]);
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

static int dataset_figures(plot_ctx *ctx, const char *dataset)
{
    char dir[PATH_SIZE];
    snprintf(dir, sizeof dir, "%s/%s", ctx->cfg->results_dir, dataset);
    char **names;
    int count;
    int rc = list_subdirs(dir, &names, &count);
    if (rc) {
        note(ctx, "%s", dsml_last_error());
        ctx->report->skipped++;
        return rc == DSML_ERR_NOMEM ? rc : DSML_OK;
    }
    run_info *runs = calloc(count ? (size_t)count : 1, sizeof *runs);
    int n = 0;
    if (!runs) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
    for (int i = 0; !rc && i < count; i++) {
        char run_dir[PATH_SIZE], metrics[PATH_SIZE + 16];
        if (snprintf(run_dir, sizeof run_dir, "%s/%s", dir, names[i]) >= (int)sizeof run_dir) {
            note(ctx, "%s/%s: path too long: left out", dir, names[i]);
            continue;
        }
        snprintf(metrics, sizeof metrics, "%s/metrics.json", run_dir);
        if (!is_file(metrics)) {
            note(ctx, "%s: no metrics.json (unfinished run): left out", run_dir);
            continue;
        }
        if (!plain_name(names[i])) {
            note(ctx, "%s: run name has characters other than A-Z a-z 0-9 . _ -: left out", run_dir);
            continue;
        }
        int r = read_run(ctx, run_dir, names[i], &runs[n]);
        if (r == DSML_ERR_NOMEM) rc = r;
        else if (r) {
            ctx->report->bad_files++;
            note(ctx, "%s", dsml_last_error());
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
    for (int i = 0; runs && i < n; i++) free(runs[i].loss_curve);
    free(runs);
    free_names(names, count);
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
    char **datasets = NULL;
    int count = 0;
    if (!rc) {
        int lr = list_subdirs(cfg->results_dir, &datasets, &count);
        if (lr == DSML_ERR_NOMEM) rc = lr;
        else if (lr) {
            report->skipped++;
            note(&ctx, "%s: figures 3, 4 and the loss curves skipped", dsml_last_error());
        } else if (count == 0) {
            report->skipped++;
            note(&ctx, "%s: no dataset directories: figures 3, 4 and the loss curves skipped", cfg->results_dir);
        }
    }
    for (int i = 0; !rc && i < count; i++) {
        if (!plain_name(datasets[i])) {
            note(&ctx, "%s/%s: name has characters other than A-Z a-z 0-9 . _ -: left out", cfg->results_dir,
                 datasets[i]);
            continue;
        }
        /* tuning runs (evaluated on validation images) are not the paper's runs */
        if (!strcmp(datasets[i], "tune") || dsml_results_foreign(datasets[i])) continue;
        rc = dataset_figures(&ctx, datasets[i]);
    }
    free_names(datasets, count);
    if (rc) {
        dsml_atomic_abort(&ctx.render);
        return rc;
    }
    if ((rc = dsml_atomic_commit(&ctx.render))) return rc;
    chmod(render_path, 0755);
    return DSML_OK;
}
