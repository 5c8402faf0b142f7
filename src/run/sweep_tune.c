/* Tuning: score the tune runs of a sweep by validation MAP@R, pick the best
 * configuration per loss x distance and write its values into the sweep
 * file's dml lines; see sweep.h and docs/sweep.md. */
#include "run/sweep.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "results/run_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_GRID_PARAMS 5   /* dataset, loss, distance, dim, seed: always a run's first params */

/* The non-grid keys and values of a run, "key=value " each: its configuration. */
static void signature(const dsml_sweep_run *r, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = N_GRID_PARAMS; i < r->n_params && len < cap; i++) {
        if (!strcmp(r->params[i].key, "from")) continue;
        int n = snprintf(out + len, cap - len, "%s=%s ", r->params[i].key, r->params[i].value);
        if (n < 0) break;
        len += (size_t)n;
    }
}

/* The reading of the paper's equations a run computes: "common" unless it gives equations=. */
static const char *equations_of(const dsml_sweep_run *r)
{
    const char *v = dsml_sweep_run_get(r, "equations");
    return v ? v : "common";
}

/* 1 when run r belongs to cell c: the same loss, distance and equations. */
static int in_cell(const dsml_sweep_run *r, const dsml_tune_cell *c)
{
    return !strcmp(r->loss, c->loss) && !strcmp(r->distance, c->distance) && !strcmp(equations_of(r), c->equations);
}

/* "contrastive/snr", or "contrastive/snr (paper)" for the paper's equations, for notes. */
static const char *cell_name(const dsml_tune_cell *c, char *buf, size_t cap)
{
    int paper = strcmp(c->equations, "common") != 0;
    snprintf(buf, cap, "%s/%s%s%s%s", c->loss, c->distance, paper ? " (" : "", paper ? c->equations : "",
             paper ? ")" : "");
    return buf;
}

/* Validation MAP@R of a finished tune run; NAN when unfinished or stale. */
static int run_score(const dsml_sweep_run *r, double *score)
{
    *score = NAN;
    dsml_run_state st;
    int rc = dsml_sweep_run_state(r, &st, NULL, 0, NULL);
    if (rc || st != DSML_RUN_FINISHED) return rc;
    char path[DSML_SWEEP_PATH + 32];
    snprintf(path, sizeof path, "%s/metrics.json", r->dir);
    dsml_run_metrics m;
    rc = dsml_run_metrics_read(&m, path);
    if (rc) return rc;
    if (!m.evaluated_on_validation)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected a run evaluated on its validation carve-out "
                                        "(data.split.evaluated_on_validation true), found none", path);
    else if (!isfinite(m.euclidean.map_at_r))
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected a number at metrics.euclidean.map@r, found none", path);
    else
        *score = m.euclidean.map_at_r;
    dsml_run_metrics_free(&m);
    return rc;
}

static int varying_key(const dsml_sweep *sw, const dsml_tune_cell *c, const char *key)
{
    const char *first = NULL;
    int seen = 0;
    for (int i = 0; i < sw->n_tune; i++) {
        const dsml_sweep_run *r = &sw->tune[i];
        if (!in_cell(r, c)) continue;
        const char *v = dsml_sweep_run_get(r, key);
        if (!seen) {
            first = v;
            seen = 1;
        } else if ((v == NULL) != (first == NULL) || (v && strcmp(v, first)))
            return 1;
    }
    return 0;
}

/* Adds to c->keys the non-grid keys written on sweep line `line` (1-based). */
static void add_line_keys(const dsml_sweep *sw, int line, dsml_tune_cell *c)
{
    static const char *const skip[] = {"dataset", "loss", "distance", "dim", "seed", "from"};
    const char *p = line >= 1 && line <= sw->n_lines ? sw->lines[line - 1] : "";
    while (*p && c->n_keys < DSML_SWEEP_MAX_PARAMS) {
        p += strspn(p, " \t\r");
        if (*p == '#') break;
        size_t len = strcspn(p, " \t\r#");
        const char *eq = memchr(p, '=', len);
        size_t key_len = eq ? (size_t)(eq - p) : 0;
        int keep = eq && key_len < DSML_SWEEP_KEY;
        for (size_t k = 0; keep && k < sizeof skip / sizeof skip[0]; k++)
            keep = !(strlen(skip[k]) == key_len && !strncmp(p, skip[k], key_len));
        for (int j = 0; keep && j < c->n_keys; j++)
            keep = !(strlen(c->keys[j]) == key_len && !strncmp(p, c->keys[j], key_len));
        if (keep) snprintf(c->keys[c->n_keys++], DSML_SWEEP_KEY, "%.*s", (int)key_len, p);
        p += len;
    }
}

static int score_cell(const dsml_sweep *sw, dsml_tune_cell *c)
{
    int n = sw->n_tune, rc = DSML_OK;
    char (*sig)[2048] = malloc(sizeof *sig * (size_t)(n ? n : 1));
    double *sum = calloc((size_t)(n ? n : 1), sizeof *sum);
    int *count = calloc((size_t)(n ? n : 1), sizeof *count), *first = calloc((size_t)(n ? n : 1), sizeof *first);
    int n_cfg = 0;
    if (!sig || !sum || !count || !first) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
    c->best = c->runner_up = -1;
    c->best_score = c->runner_up_score = NAN;
    for (int i = 0; i < n && !rc; i++) {
        const dsml_sweep_run *r = &sw->tune[i];
        if (!in_cell(r, c)) continue;
        char s[2048];
        signature(r, s, sizeof s);
        int k = 0;
        while (k < n_cfg && strcmp(sig[k], s)) k++;
        if (k == n_cfg) {
            snprintf(sig[k], sizeof sig[k], "%s", s);
            first[k] = i;
            n_cfg++;
        }
        c->n_runs++;
        double score;
        rc = run_score(r, &score);
        if (!rc && !isnan(score)) {
            c->n_finished++;
            sum[k] += score;
            count[k]++;
        }
    }
    c->n_configs = n_cfg;
    for (int k = 0; k < n_cfg && !rc; k++) {
        if (!count[k]) continue;
        double s = sum[k] / count[k];
        if (c->best < 0 || s > c->best_score) {
            c->runner_up = c->best;
            c->runner_up_score = c->best_score;
            c->best = first[k];
            c->best_score = s;
            c->best_runs = count[k];
        } else if (c->runner_up < 0 || s > c->runner_up_score) {
            c->runner_up = first[k];
            c->runner_up_score = s;
        }
    }
    /* keys that vary in the cell: the ones tuning chose */
    if (!rc && n_cfg) {
        for (int t = 0; t < n && c->n_keys < DSML_SWEEP_MAX_PARAMS; t++) {
            const dsml_sweep_run *r = &sw->tune[t];
            if (!in_cell(r, c)) continue;
            for (int i = N_GRID_PARAMS; i < r->n_params && c->n_keys < DSML_SWEEP_MAX_PARAMS; i++) {
                const char *key = r->params[i].key;
                int known = 0;
                for (int j = 0; j < c->n_keys; j++) known |= !strcmp(c->keys[j], key);
                if (!known && strcmp(key, "from") && varying_key(sw, c, key))
                    snprintf(c->keys[c->n_keys++], DSML_SWEEP_KEY, "%s", key);
            }
        }
        c->n_varied = c->n_keys;
        /* and the single values the tune lines give: the configuration scored holds them too */
        for (int t = 0; t < n; t++)
            if (in_cell(&sw->tune[t], c)) add_line_keys(sw, sw->tune[t].line, c);
    }
    free(sig);
    free(sum);
    free(count);
    free(first);
    return rc;
}

int dsml_sweep_tune_cells(const dsml_sweep *sw, dsml_tune_cell **cells, int *n_cells)
{
    *cells = NULL;
    *n_cells = 0;
    dsml_tune_cell *c = calloc((size_t)(sw->n_tune ? sw->n_tune : 1), sizeof *c);
    if (!c) return dsml_fail(DSML_ERR_NOMEM, "out of memory");
    int n = 0, rc = DSML_OK;
    for (int i = 0; i < sw->n_tune && !rc; i++) {
        const dsml_sweep_run *r = &sw->tune[i];
        int k = 0;
        while (k < n && !in_cell(r, &c[k])) k++;
        if (k < n) continue;
        snprintf(c[n].loss, sizeof c[n].loss, "%s", r->loss);
        snprintf(c[n].distance, sizeof c[n].distance, "%s", r->distance);
        snprintf(c[n].equations, sizeof c[n].equations, "%s", equations_of(r));
        rc = score_cell(sw, &c[n]);
        n++;
    }
    if (rc) {
        free(c);
        return rc;
    }
    *cells = c;
    *n_cells = n;
    return DSML_OK;
}

/* "lr=0.01 margin=0.5" for the cell's keys in run r. */
static void describe(const dsml_tune_cell *c, const dsml_sweep_run *r, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int j = 0; j < c->n_varied && len < cap; j++) {
        const char *v = dsml_sweep_run_get(r, c->keys[j]);
        int n = snprintf(out + len, cap - len, "%s%s=%s", j ? " " : "", c->keys[j], v ? v : "(default)");
        if (n < 0) break;
        len += (size_t)n;
    }
}

/* The line with the cell's keys set to the values of run `best`. */
static int rewrite_line(const char *line, const dsml_tune_cell *c, const dsml_sweep_run *best, char *out, size_t cap,
                        const char *file, int line_no)
{
    char body[8192];
    snprintf(body, sizeof body, "%s", line);
    const char *comment = strchr(line, '#');
    char *hash = strchr(body, '#');
    if (hash) *hash = '\0';
    int done[DSML_SWEEP_MAX_PARAMS] = {0};
    size_t len = 0;
    out[0] = '\0';
    char *save = NULL;
    for (char *tok = strtok_r(body, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
        const char *eq = strchr(tok, '=');
        int j = -1;
        for (int k = 0; eq && k < c->n_keys; k++)
            if (strlen(c->keys[k]) == (size_t)(eq - tok) && !strncmp(tok, c->keys[k], (size_t)(eq - tok))) j = k;
        int n;
        if (j < 0) n = snprintf(out + len, cap - len, "%s%s", len ? " " : "", tok);
        else {
            done[j] = 1;
            const char *v = dsml_sweep_run_get(best, c->keys[j]);
            n = v ? snprintf(out + len, cap - len, " %s=%s", c->keys[j], v) : 0;
        }
        if (n < 0 || (size_t)n >= cap - len) goto too_long;
        len += (size_t)n;
    }
    for (int j = 0; j < c->n_keys; j++) {
        const char *v = dsml_sweep_run_get(best, c->keys[j]);
        if (done[j] || !v) continue;
        int n = snprintf(out + len, cap - len, " %s=%s", c->keys[j], v);
        if (n < 0 || (size_t)n >= cap - len) goto too_long;
        len += (size_t)n;
    }
    if (comment) {
        int n = snprintf(out + len, cap - len, " %s", comment);
        if (n < 0 || (size_t)n >= cap - len) goto too_long;
    }
    return DSML_OK;
too_long:
    return dsml_fail(DSML_ERR_FORMAT, "%s:%d: the tuned line would be longer than %zu characters", file, line_no, cap - 1);
}

static int is_tuned_comment(const char *line)
{
    return !strncmp(line, "# tuned:", 8);
}

int dsml_sweep_tune_apply(const dsml_sweep *sw, const char *out_path, int allow_partial, FILE *notes,
                          int *applied)
{
    *applied = 0;
    dsml_tune_cell *cells;
    int n_cells;
    int rc = dsml_sweep_tune_cells(sw, &cells, &n_cells);
    if (rc) return rc;
    char name[128];
    int *use = calloc((size_t)(n_cells ? n_cells : 1), sizeof *use);
    /* per line: the cell applied to it (-1 none) */
    int *line_cell = malloc(sizeof *line_cell * (size_t)(sw->n_lines ? sw->n_lines : 1));
    if (!use || !line_cell) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
    for (int k = 0; k < n_cells && !rc; k++) {
        dsml_tune_cell *c = &cells[k];
        use[k] = c->best >= 0 && (allow_partial || c->n_finished == c->n_runs);
        if (!notes) continue;
        if (c->best < 0)
            fprintf(notes, "%s: no finished tuning run of %d; nothing chosen\n", cell_name(c, name, sizeof name),
                    c->n_runs);
        else if (!use[k])
            fprintf(notes, "%s: %d of %d tuning runs unfinished; nothing chosen (make tune first, or --partial)\n",
                    cell_name(c, name, sizeof name), c->n_runs - c->n_finished, c->n_runs);
    }
    for (int i = 0; i < sw->n_lines && !rc; i++) {
        line_cell[i] = -1;
        for (int k = 0; k < n_cells && !rc; k++) {
            if (!use[k]) continue;
            int hit = 0, other = 0;
            for (int r = 0; r < sw->n_runs; r++) {
                const dsml_sweep_run *run = &sw->runs[r];
                if (run->line != i + 1 || run->kind != DSML_SWEEP_DML) continue;
                if (in_cell(run, &cells[k])) hit = 1;
                else other = 1; /* a line's runs share their equations (one value per line) */
            }
            if (hit && other)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: expected one loss and one distance on a dml line that takes "
                                                "tuned values (%s), found several; give each its own line",
                               sw->path, i + 1, cell_name(&cells[k], name, sizeof name));
            else if (hit)
                line_cell[i] = k;
        }
    }
    dsml_atomic_file f;
    if (!rc) rc = dsml_atomic_begin(&f, out_path);
    if (rc) {
        free(use);
        free(line_cell);
        free(cells);
        return rc;
    }
    char text[8192], what[1024], other[1024];
    for (int i = 0; i < sw->n_lines && !rc; i++) {
        int next_tuned = i + 1 < sw->n_lines && line_cell[i + 1] >= 0;
        if (is_tuned_comment(sw->lines[i]) && next_tuned) continue; /* replaced below */
        int k = line_cell[i];
        if (k < 0) {
            fprintf(f.fp, "%s\n", sw->lines[i]);
            continue;
        }
        const dsml_tune_cell *c = &cells[k];
        const dsml_sweep_run *best = &sw->tune[c->best];
        describe(c, best, what, sizeof what);
        fprintf(f.fp, "# tuned: %s (validation MAP@R %.4f, mean of %d run%s", what, c->best_score, c->best_runs,
                c->best_runs == 1 ? "" : "s");
        if (c->runner_up >= 0) {
            describe(c, &sw->tune[c->runner_up], other, sizeof other);
            fprintf(f.fp, "; runner-up %s: %.4f", other, c->runner_up_score);
        }
        fprintf(f.fp, "; %d configurations, %d of %d runs finished)\n", c->n_configs, c->n_finished, c->n_runs);
        rc = rewrite_line(sw->lines[i], c, best, text, sizeof text, sw->path, i + 1);
        if (!rc) {
            fprintf(f.fp, "%s\n", text);
            (*applied)++;
        }
    }
    for (int k = 0; k < n_cells && notes && !rc; k++) {
        if (!use[k]) continue;
        describe(&cells[k], &sw->tune[cells[k].best], what, sizeof what);
        int lines = 0;
        for (int i = 0; i < sw->n_lines; i++) lines += line_cell[i] == k;
        fprintf(notes, "%s: %s, validation MAP@R %.4f (%d configurations); %d dml line%s updated\n",
                cell_name(&cells[k], name, sizeof name), what, cells[k].best_score, cells[k].n_configs, lines,
                lines == 1 ? "" : "s");
    }
    if (rc) dsml_atomic_abort(&f);
    else rc = dsml_atomic_commit(&f);
    free(use);
    free(line_cell);
    free(cells);
    return rc;
}
