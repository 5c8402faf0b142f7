/* Sweep files: parsing, expansion into runs, run ids, `dsml train` argument
 * lists and the finished/stale check against metrics.json; see sweep.h. */
#include "run/sweep.h"
#include "core/error.h"
#include "metric/distance.h"
#include "metric/loss.h"
#include "results/run_metrics.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef enum { V_NAME, V_INT, V_NUM, V_INT_LIST, V_PATH } value_type;

/* Every key a sweep line may give: how its value is checked and where
 * metrics.json records it (NULL: not compared). The grid keys come first, in
 * the order runs carry them. */
typedef struct {
    const char *key;
    value_type type;
    double lo, hi;
    const char *recorded;
} key_spec;

enum { K_DATASET, K_LOSS, K_DISTANCE, K_DIM, K_SEED, N_GRID };

static const key_spec keys[] = {
    {"dataset", V_NAME, 0, 0, "config.dataset"},
    {"loss", V_NAME, 0, 0, "config.loss"},
    {"distance", V_NAME, 0, 0, "config.distance"},
    {"dim", V_INT, 1, 4096, "config.dim"},
    {"seed", V_INT, 0, 2e9, "config.seed"},
    {"model", V_NAME, 0, 0, "config.model"},
    {"hidden", V_INT_LIST, 1, 1 << 20, "config.hidden"},
    {"dropout", V_NUM, 0, 0.95, "config.dropout"},
    {"margin", V_NUM, 0, 1e6, "config.margin"},
    {"beta", V_NUM, 0, 1e6, "config.beta"},
    {"lambda", V_NUM, 0, 1e6, "config.lambda"},
    {"npair-l2", V_NUM, 0, 1e6, "config.npair_l2"},
    {"epochs", V_INT, 0, 1000, "config.epochs"},
    {"batch", V_INT, 4, 100000, "batch"},
    {"images-per-class", V_INT, 2, 100000, "config.images_per_class"},
    {"lr", V_NUM, 1e-12, 1e3, "config.lr"},
    {"momentum", V_NUM, 0, 0.999999, "config.momentum"},
    {"wd", V_NUM, 0, 1, "config.weight_decay"},
    {"clip-grad", V_NUM, 0, 1e6, "config.clip_grad"},
    {"queries-per-class", V_INT, 1, 1000000, "data.split.queries_per_class"},
    {"train-per-class", V_INT, 1, 1000000, "data.split.train_per_class"},
    {"validation-per-class", V_INT, 0, 1000000, "data.split.validation_per_class"},
    {"map-at", V_INT, 0, 1 << 30, "config.map_at"},
    {"f1-at", V_INT, 1, 1 << 30, "config.f1_at"},
    {"split", V_NAME, 0, 0, "config.split"},
    /* hashing and related-method options (docs/losses.md) */
    {"quant", V_NUM, 0, 1e6, "config.quant"},
    {"density", V_NUM, 0, 1e6, "config.density"},
    {"density-ratio", V_NUM, 1e-6, 1e6, "config.density_ratio"},
    {"kappa", V_NUM, 1e-6, 1e6, "config.vmf_kappa"},
    {"gpw-mining", V_NAME, 0, 0, "config.gpw_mining"},
    {"gpw-weighting", V_NAME, 0, 0, "config.gpw_weighting"},
    {"gpw-alpha", V_NUM, 1e-6, 1e6, "config.gpw_alpha"},
    {"gpw-beta", V_NUM, 1e-6, 1e6, "config.gpw_beta"},
    {"gpw-lambda", V_NUM, -1e6, 1e6, "config.gpw_lambda"},
    {"gpw-epsilon", V_NUM, 0, 1e6, "config.gpw_epsilon"},
    {"from", V_PATH, 0, 0, NULL},
};
#define N_KEYS ((int)(sizeof keys / sizeof keys[0]))

/* The values a line gives (or inherits) for each key, as written: comma
 * lists included. NULL where absent. */
typedef struct {
    const char *value[N_KEYS];
    int line[N_KEYS];
} key_values;

static int key_index(const char *key)
{
    if (!strcmp(key, "bits")) return K_DIM;
    for (int i = 0; i < N_KEYS; i++)
        if (!strcmp(keys[i].key, key)) return i;
    return -1;
}

static int fail_at(const char *file, int line, const char *what, const char *found)
{
    return dsml_fail(DSML_ERR_FORMAT, "%s:%d: expected %s, found %s", file, line, what, found);
}

/* One element of a value (no commas, except in an int list). */
static int check_element(const char *file, int line, const key_spec *k, const char *v)
{
    char found[DSML_SWEEP_VALUE + 32];
    snprintf(found, sizeof found, "%s=%s", k->key, v);
    if (!*v) return fail_at(file, line, "a value", found);
    char *end;
    switch (k->type) {
    case V_NAME:
        for (const char *p = v; *p; p++)
            if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
                return fail_at(file, line, "a name of lower-case letters, digits, '-', '_' and '.'", found);
        if (strlen(v) >= 32) return fail_at(file, line, "a name of at most 31 characters", found);
        return DSML_OK;
    case V_INT: {
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno || *end || x < k->lo || x > k->hi) {
            char what[96];
            snprintf(what, sizeof what, "an integer in %.0f..%.0f", k->lo, k->hi);
            return fail_at(file, line, what, found);
        }
        return DSML_OK;
    }
    case V_NUM: {
        errno = 0;
        double x = strtod(v, &end);
        if (errno || *end || !isfinite(x) || x < k->lo || x > k->hi) {
            char what[96];
            snprintf(what, sizeof what, "a finite number in [%g, %g]", k->lo, k->hi);
            return fail_at(file, line, what, found);
        }
        return DSML_OK;
    }
    case V_INT_LIST:
        for (const char *p = v; *p;) {
            errno = 0;
            long x = strtol(p, &end, 10);
            if (end == p || errno || x < k->lo || x > k->hi || (*end && *end != ','))
                return fail_at(file, line, "comma-separated positive sizes", found);
            p = *end ? end + 1 : end;
        }
        return DSML_OK;
    case V_PATH:
        for (const char *p = v; *p; p++)
            if (!(isalnum((unsigned char)*p) || strchr("._-+/:@%=", *p)))
                return fail_at(file, line, "a path of letters, digits and . _ - + / : @ % = only", found);
        return DSML_OK;
    }
    return DSML_OK;
}

/* Splits a value on commas into at most `max` elements held in buf. */
static int split_list(const char *value, char *buf, size_t cap, const char **out, int max)
{
    snprintf(buf, cap, "%s", value);
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && n < max; tok = strtok_r(NULL, ",", &save))
        out[n++] = tok;
    return n;
}

/* Checks a value as given on a line: a list only where lists are allowed. */
static int check_value(const char *file, int line, int ki, const char *value, int lists_everywhere)
{
    const key_spec *k = &keys[ki];
    if (k->type == V_INT_LIST || k->type == V_PATH) return check_element(file, line, k, value);
    int is_list = strchr(value, ',') != NULL;
    if (is_list && !lists_everywhere && ki >= N_GRID) {
        char found[DSML_SWEEP_VALUE + 32];
        snprintf(found, sizeof found, "%s=%s", k->key, value);
        return fail_at(file, line, "one value (lists only for dataset, loss, distance, dim, seed; "
                                   "other lists belong in tune lines)", found);
    }
    if (value[0] == ',' || (*value && value[strlen(value) - 1] == ',') || strstr(value, ",,")) {
        char found[DSML_SWEEP_VALUE + 32];
        snprintf(found, sizeof found, "%s=%s", k->key, value);
        return fail_at(file, line, "a comma-separated list without empty elements", found);
    }
    char buf[DSML_SWEEP_VALUE];
    const char *el[64];
    int n = split_list(value, buf, sizeof buf, el, 64);
    for (int i = 0; i < n; i++) {
        int rc = check_element(file, line, k, el[i]);
        if (rc) return rc;
    }
    return DSML_OK;
}

/* ---- expansion ------------------------------------------------------------------ */

typedef struct {
    const char *file;
    const char *root;
    dsml_sweep *sw;
    int cap_runs, cap_tune;
} parser;

static int push_run(parser *ps, const dsml_sweep_run *run)
{
    dsml_sweep *sw = ps->sw;
    int tune = run->kind == DSML_SWEEP_TUNE;
    dsml_sweep_run **arr = tune ? &sw->tune : &sw->runs;
    int *n = tune ? &sw->n_tune : &sw->n_runs;
    int *cap = tune ? &ps->cap_tune : &ps->cap_runs;
    for (int i = 0; i < *n; i++)
        if (!strcmp((*arr)[i].dir, run->dir))
            return dsml_fail(DSML_ERR_FORMAT, "%s:%d: run %s already comes from line %d", ps->file, run->line,
                             run->dir, (*arr)[i].line);
    if (*n == *cap) {
        int c = *cap ? *cap * 2 : 64;
        dsml_sweep_run *p = realloc(*arr, sizeof *p * (size_t)c);
        if (!p) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", ps->file);
        *arr = p;
        *cap = c;
    }
    (*arr)[(*n)++] = *run;
    return DSML_OK;
}

/* Options that make another method of the same loss and distance: a
 * metric-learning or hashing run that gives one carries it in its id (so it
 * does not share its base run's directory), e.g. contrastive-snr-density0.1-d32-s1. */
static const struct {
    const char *key, *tag;
} variant_keys[] = {{"density", "density"}, {"gpw-mining", "mining-"}, {"gpw-weighting", "weighting-"}};

/* Appends "-TAGVALUE" for each variant option of the choice to buf (len so far). */
static int variant_suffix(char *buf, size_t cap, const char *const *choice)
{
    int len = 0;
    buf[0] = 0;
    for (size_t v = 0; v < sizeof variant_keys / sizeof variant_keys[0]; v++) {
        const char *value = choice[key_index(variant_keys[v].key)];
        if (!value || (!strcmp(variant_keys[v].key, "density") && strtod(value, NULL) == 0)) continue;
        int n = snprintf(buf + len, cap - (size_t)len, "-%s%s", variant_keys[v].tag, value);
        if (n < 0 || (size_t)(len + n) >= cap) return -1;
        len += n;
    }
    return len;
}

/* Fills one run from one choice of every key's value. */
static int make_run(parser *ps, dsml_sweep_kind kind, int line, int group, const char *const *choice, const int *n_choices)
{
    dsml_sweep_run run;
    memset(&run, 0, sizeof run);
    run.kind = kind;
    run.line = line;
    run.group = group;
    for (int k = 0; k < N_KEYS; k++) {
        if (!choice[k]) continue;
        if (run.n_params == DSML_SWEEP_MAX_PARAMS)
            return dsml_fail(DSML_ERR_FORMAT, "%s:%d: too many keys", ps->file, line);
        snprintf(run.params[run.n_params].key, DSML_SWEEP_KEY, "%s", keys[k].key);
        snprintf(run.params[run.n_params].value, DSML_SWEEP_VALUE, "%s", choice[k]);
        run.n_params++;
    }
    snprintf(run.dataset, sizeof run.dataset, "%s", choice[K_DATASET]);
    snprintf(run.loss, sizeof run.loss, "%s", choice[K_LOSS]);
    snprintf(run.distance, sizeof run.distance, "%s", choice[K_DISTANCE]);
    run.dim = atoi(choice[K_DIM]);
    run.seed = atol(choice[K_SEED]);
    char variant[sizeof run.id];
    int len = variant_suffix(variant, sizeof variant, choice);
    if (len < 0) return dsml_fail(DSML_ERR_FORMAT, "%s:%d: run id longer than %zu characters", ps->file, line,
                                  sizeof run.id - 1);
    if (kind == DSML_SWEEP_DML) {
        len = snprintf(run.id, sizeof run.id, "%s-%s%s-d%d-s%ld", run.loss, run.distance, variant, run.dim,
                       run.seed);
        if (len > 0 && (size_t)len < sizeof run.id)
            len = snprintf(run.dir, sizeof run.dir, "%s/%s/%s", ps->root, run.dataset, run.id);
    } else if (kind == DSML_SWEEP_HASHING) {
        len = snprintf(run.id, sizeof run.id, "%s-%s%s-%db-s%ld", run.loss, run.distance, variant, run.dim,
                       run.seed);
        if (len > 0 && (size_t)len < sizeof run.id)
            len = snprintf(run.dir, sizeof run.dir, "%s/%s-hashing/%s", ps->root, run.dataset, run.id);
    } else {
        len = snprintf(run.id, sizeof run.id, "%s-%s-%s-d%d-s%ld", run.dataset, run.loss, run.distance, run.dim,
                       run.seed);
        for (int k = N_GRID; k < N_KEYS && len > 0 && (size_t)len < sizeof run.id; k++)
            if (n_choices[k] > 1) len += snprintf(run.id + len, sizeof run.id - (size_t)len, "-%s%s", keys[k].key, choice[k]);
        if (len > 0 && (size_t)len < sizeof run.id)
            len = snprintf(run.dir, sizeof run.dir, "%s/tune/%s", ps->root, run.id);
    }
    if (len < 0 || (size_t)len >= sizeof run.dir)
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: run id or directory longer than %zu characters", ps->file, line,
                         sizeof run.dir - 1);
    return push_run(ps, &run);
}

/* Expands a line's values (lists in any key) into every combination. */
static int expand(parser *ps, dsml_sweep_kind kind, int line, int group, const key_values *kv)
{
    static const char *const what[N_GRID] = {"dataset=NAME", "loss=NAME", "distance=NAME", "dim=N", "seed=N"};
    for (int k = 0; k < N_GRID; k++)
        if (!kv->value[k]) return fail_at(ps->file, line, what[k], "none (give it on this line or a set line above)");
    if (kind == DSML_SWEEP_TUNE) {
        const char *v = kv->value[key_index("validation-per-class")];
        if (!v || !strcmp(v, "0") || strchr(v, ','))
            return fail_at(ps->file, line, "validation-per-class=N with one N > 0 (tuning never looks at the queries)",
                           v ? v : "none");
    }
    char bufs[N_KEYS][DSML_SWEEP_VALUE];
    const char *el[N_KEYS][64];
    int n[N_KEYS], idx[N_KEYS];
    for (int k = 0; k < N_KEYS; k++) {
        idx[k] = 0;
        if (!kv->value[k]) n[k] = 0;
        else if (keys[k].type == V_INT_LIST || keys[k].type == V_PATH) {
            snprintf(bufs[k], sizeof bufs[k], "%s", kv->value[k]);
            el[k][0] = bufs[k];
            n[k] = 1;
        } else
            n[k] = split_list(kv->value[k], bufs[k], sizeof bufs[k], el[k], 64);
    }
    /* loss and distance names the trainer knows (hashing losses are the hashing trainer's) */
    for (int i = 0; i < n[K_DISTANCE]; i++) {
        dsml_distance_kind d;
        if (dsml_distance_parse(el[K_DISTANCE][i], &d)) {
            char found[96];
            snprintf(found, sizeof found, "distance=%s", el[K_DISTANCE][i]);
            return fail_at(ps->file, line, "distance euclidean, snr or sqeuclidean", found);
        }
    }
    if (kind != DSML_SWEEP_HASHING)
        for (int i = 0; i < n[K_LOSS]; i++) {
            dsml_loss_kind l;
            if (dsml_loss_parse(el[K_LOSS][i], &l)) {
                char found[96];
                snprintf(found, sizeof found, "loss=%s", el[K_LOSS][i]);
                return fail_at(ps->file, line, "a loss dsml train knows (contrastive, triplet, lifted, npair)", found);
            }
        }
    /* odometer over the keys, the last key fastest */
    for (;;) {
        const char *choice[N_KEYS];
        int nc[N_KEYS];
        for (int k = 0; k < N_KEYS; k++) {
            choice[k] = n[k] ? el[k][idx[k]] : NULL;
            nc[k] = n[k];
        }
        int rc = make_run(ps, kind, line, group, choice, nc);
        if (rc) return rc;
        int k = N_KEYS - 1;
        for (; k >= 0; k--) {
            if (n[k] == 0) continue;
            if (++idx[k] < n[k]) break;
            idx[k] = 0;
        }
        if (k < 0) break;
    }
    return DSML_OK;
}

/* ---- the file ----------------------------------------------------------------------- */

static int add_line(dsml_sweep *sw, const char *start, size_t len, int *cap)
{
    if (sw->n_lines == *cap) {
        int c = *cap ? *cap * 2 : 64;
        char **p = realloc(sw->lines, sizeof *p * (size_t)c);
        if (!p) return dsml_fail(DSML_ERR_NOMEM, "out of memory");
        sw->lines = p;
        *cap = c;
    }
    char *s = malloc(len + 1);
    if (!s) return dsml_fail(DSML_ERR_NOMEM, "out of memory");
    memcpy(s, start, len);
    s[len] = '\0';
    sw->lines[sw->n_lines++] = s;
    return DSML_OK;
}

static int parse_line(parser *ps, int line_no, const char *text, key_values *defaults, key_values *tune_defaults,
                      int *group, int *tune_group, char *storage, size_t storage_cap)
{
    /* storage holds this line's tokens; key_values point into it (sets copy what they keep) */
    snprintf(storage, storage_cap, "%s", text);
    char *hash = strchr(storage, '#');
    if (hash) *hash = '\0';
    char *save = NULL;
    char *directive = strtok_r(storage, " \t\r", &save);
    if (!directive) return DSML_OK;
    dsml_sweep_kind kind = DSML_SWEEP_DML;
    int is_set = 0, is_tune_set = 0;
    if (!strcmp(directive, "set")) is_set = 1;
    else if (!strcmp(directive, "tune-set")) is_tune_set = 1;
    else if (!strcmp(directive, "dml")) kind = DSML_SWEEP_DML;
    else if (!strcmp(directive, "hashing")) kind = DSML_SWEEP_HASHING;
    else if (!strcmp(directive, "tune")) kind = DSML_SWEEP_TUNE;
    else return fail_at(ps->file, line_no, "set, dml, hashing, tune-set or tune", directive);
    int tune_like = is_tune_set || (!is_set && kind == DSML_SWEEP_TUNE);
    key_values here = tune_like ? *tune_defaults : *defaults;
    int seen[N_KEYS] = {0};
    for (char *tok; (tok = strtok_r(NULL, " \t\r", &save));) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok) return fail_at(ps->file, line_no, "KEY=VALUE", tok);
        *eq = '\0';
        int ki = key_index(tok);
        if (ki < 0) {
            *eq = '=';
            return fail_at(ps->file, line_no, "a key of docs/sweep.md (dataset, loss, distance, dim, seed, lr, epochs, "
                                              "margin, ...)", tok);
        }
        if (seen[ki]) {
            *eq = '=';
            return fail_at(ps->file, line_no, "each key once", tok);
        }
        seen[ki] = 1;
        if (strlen(eq + 1) >= DSML_SWEEP_VALUE) {
            *eq = '=';
            return fail_at(ps->file, line_no, "a value of at most 255 characters", tok);
        }
        int rc = check_value(ps->file, line_no, ki, eq + 1, tune_like);
        if (rc) return rc;
        here.value[ki] = eq + 1;
        here.line[ki] = line_no;
    }
    if (is_set || is_tune_set) {
        key_values *dst = is_set ? defaults : tune_defaults;
        for (int k = 0; k < N_KEYS; k++) {
            if (!seen[k]) continue;
            /* keep the value beyond this line: the line's own text in sw->lines outlives parsing */
            const char *line_text = ps->sw->lines[line_no - 1];
            const char *v = here.value[k];
            size_t off = (size_t)(v - storage);
            dst->value[k] = line_text + off;
            dst->line[k] = line_no;
        }
        return DSML_OK;
    }
    int g = kind == DSML_SWEEP_TUNE ? (*tune_group)++ : (*group)++;
    return expand(ps, kind, line_no, g, &here);
}

int dsml_sweep_parse(dsml_sweep *sw, const char *name, const char *text, const char *results_root)
{
    memset(sw, 0, sizeof *sw);
    snprintf(sw->path, sizeof sw->path, "%s", name);
    parser ps = {.file = name, .root = results_root, .sw = sw};
    int cap_lines = 0, rc = DSML_OK;
    for (const char *p = text; *p && !rc;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        rc = add_line(sw, p, len, &cap_lines);
        p += len + (nl ? 1 : 0);
    }
    /* set values point into sw->lines, so '#' and '=' must be cut there as well: copy and
       terminate the value in place once parse_line knows where it ends */
    key_values defaults, tune_defaults;
    memset(&defaults, 0, sizeof defaults);
    memset(&tune_defaults, 0, sizeof tune_defaults);
    int group = 0, tune_group = 0;
    char *storage = malloc(8192);
    char **set_copies = NULL;
    int n_copies = 0;
    if (!storage && !rc) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
    for (int i = 0; i < sw->n_lines && !rc; i++) {
        if (strlen(sw->lines[i]) >= 8192) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: expected a line of at most 8191 characters", name, i + 1);
            break;
        }
        key_values before = defaults, tune_before = tune_defaults;
        rc = parse_line(&ps, i + 1, sw->lines[i], &defaults, &tune_defaults, &group, &tune_group, storage, 8192);
        /* a set's values point into the raw line; give them a terminated copy of their own */
        for (int pass = 0; pass < 2 && !rc; pass++) {
            key_values *kv = pass ? &tune_defaults : &defaults;
            const key_values *old = pass ? &tune_before : &before;
            for (int k = 0; k < N_KEYS && !rc; k++) {
                if (kv->value[k] == old->value[k]) continue;
                size_t len = strcspn(kv->value[k], " \t\r#");
                char *copy = malloc(len + 1);
                char **more = realloc(set_copies, sizeof *more * (size_t)(n_copies + 1));
                if (!copy || !more) {
                    free(copy);
                    if (more) set_copies = more;
                    rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
                    break;
                }
                set_copies = more;
                memcpy(copy, kv->value[k], len);
                copy[len] = '\0';
                set_copies[n_copies++] = copy;
                kv->value[k] = copy;
            }
        }
    }
    sw->n_tune_groups = tune_group;
    for (int i = 0; i < n_copies; i++) free(set_copies[i]);
    free(set_copies);
    free(storage);
    if (rc) dsml_sweep_free(sw);
    return rc;
}

int dsml_sweep_load(dsml_sweep *sw, const char *path, const char *results_root)
{
    memset(sw, 0, sizeof *sw);
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    int rc = text ? DSML_OK : dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
    while (!rc) {
        if (len + 1 == cap) {
            if (cap >= (1u << 24)) {
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected a sweep file under 16 MiB", path);
                break;
            }
            char *p = realloc(text, cap * 2);
            if (!p) {
                rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            text = p;
            cap *= 2;
        }
        size_t got = fread(text + len, 1, cap - 1 - len, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp)) rc = dsml_fail(DSML_ERR_IO, "%s: read failed", path);
            break;
        }
    }
    fclose(fp);
    if (!rc) {
        text[len] = '\0';
        if (strlen(text) != len) rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected text, found a NUL byte", path);
    }
    if (!rc) rc = dsml_sweep_parse(sw, path, text, results_root);
    free(text);
    return rc;
}

void dsml_sweep_free(dsml_sweep *sw)
{
    for (int i = 0; i < sw->n_lines; i++) free(sw->lines[i]);
    free(sw->lines);
    free(sw->runs);
    free(sw->tune);
    memset(sw, 0, sizeof *sw);
}

const char *dsml_sweep_run_get(const dsml_sweep_run *run, const char *key)
{
    for (int i = 0; i < run->n_params; i++)
        if (!strcmp(run->params[i].key, key)) return run->params[i].value;
    return NULL;
}

int dsml_sweep_train_args(const dsml_sweep_run *run, int threads, const char *from, char *out, size_t cap)
{
    size_t len = 0;
    int n = snprintf(out, cap, "train%s", run->kind == DSML_SWEEP_HASHING ? " --protocol hashing" : "");
    for (int i = 0; i < run->n_params && n >= 0 && (size_t)n < cap - len; i++) {
        len += (size_t)n;
        const dsml_sweep_param *p = &run->params[i];
        if (!strcmp(p->key, "from") && from) {
            n = 0;
            continue;
        }
        n = snprintf(out + len, cap - len, " --%s %s", p->key, p->value);
    }
    if (n >= 0 && (size_t)n < cap - len) {
        len += (size_t)n;
        n = threads > 0 ? snprintf(out + len, cap - len, " --threads %d", threads) : 0;
    }
    if (n >= 0 && (size_t)n < cap - len) {
        len += (size_t)n;
        n = from ? snprintf(out + len, cap - len, " --from %s", from) : 0;
    }
    if (n >= 0 && (size_t)n < cap - len) {
        len += (size_t)n;
        n = snprintf(out + len, cap - len, " --out %s", run->dir);
    }
    if (n < 0 || (size_t)n >= cap - len)
        return dsml_fail(DSML_ERR_ARG, "%s: the dsml train command line is longer than %zu characters", run->dir,
                         cap - 1);
    return DSML_OK;
}

/* ---- finished, unfinished, stale ------------------------------------------------------ */

/* 1 when the run records `value` for key k, else 0 with the reason in why. */
static int compare(const dsml_run_metrics *m, const key_spec *k, const char *value, char *why, size_t cap)
{
    if (!strcmp(k->recorded, "batch")) {
        dsml_metrics_value p = dsml_run_metrics_get(m, "config.classes_per_batch");
        dsml_metrics_value q = dsml_run_metrics_get(m, "config.images_per_class");
        if (p.kind != DSML_METRICS_NUMBER || q.kind != DSML_METRICS_NUMBER) {
            snprintf(why, cap, "batch: sweep %s, the run records no classes_per_batch x images_per_class", value);
            return 0;
        }
        if (p.number * q.number != atof(value)) {
            snprintf(why, cap, "batch: sweep %s, run %.0f", value, p.number * q.number);
            return 0;
        }
        return 1;
    }
    dsml_metrics_value v = dsml_run_metrics_get(m, k->recorded);
    if (v.kind == DSML_METRICS_ABSENT || v.kind == DSML_METRICS_NULL) {
        snprintf(why, cap, "%s: sweep %s, the run records none (%s)", k->key, value, k->recorded);
        return 0;
    }
    switch (k->type) {
    case V_NAME:
        if (v.kind != DSML_METRICS_STRING || strcmp(v.string, value)) {
            snprintf(why, cap, "%s: sweep %s, run %s", k->key, value, v.kind == DSML_METRICS_STRING ? v.string : "?");
            return 0;
        }
        return 1;
    case V_INT:
        if (v.kind != DSML_METRICS_NUMBER || v.number != (double)atoll(value)) {
            snprintf(why, cap, "%s: sweep %s, run %.17g", k->key, value, v.kind == DSML_METRICS_NUMBER ? v.number : NAN);
            return 0;
        }
        return 1;
    case V_NUM: {
        /* the trainer keeps these as float: compare at float precision */
        double want = (float)atof(value);
        if (v.kind != DSML_METRICS_NUMBER || fabs(v.number - want) > 1e-6 * fmax(1.0, fabs(want))) {
            snprintf(why, cap, "%s: sweep %s, run %.7g", k->key, value, v.kind == DSML_METRICS_NUMBER ? v.number : NAN);
            return 0;
        }
        return 1;
    }
    case V_INT_LIST: {
        const char *p = value;
        int ok = v.kind == DSML_METRICS_LIST, i = 0;
        while (ok && *p) {
            char *end;
            long x = strtol(p, &end, 10);
            ok = dsml_run_metrics_list_number(m, k->recorded, i++) == (double)x;
            p = *end ? end + 1 : end;
        }
        if (!ok || i != v.count) {
            snprintf(why, cap, "%s: sweep %s, the run records another list", k->key, value);
            return 0;
        }
        return 1;
    }
    case V_PATH:
        return 1;
    }
    return 1;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int dsml_sweep_run_state(const dsml_sweep_run *run, dsml_run_state *state, char *why, size_t why_cap,
                         double *wall_s)
{
    char path[DSML_SWEEP_PATH + 32], scratch[512];
    if (!why) {
        why = scratch;
        why_cap = sizeof scratch;
    }
    why[0] = '\0';
    if (wall_s) *wall_s = 0;
    snprintf(path, sizeof path, "%s/metrics.json", run->dir);
    if (!is_file(path)) {
        *state = DSML_RUN_UNFINISHED;
        return DSML_OK;
    }
    dsml_run_metrics m;
    int rc = dsml_run_metrics_read(&m, path);
    if (rc) return rc;
    *state = DSML_RUN_FINISHED;
    for (int i = 0; i < run->n_params; i++) {
        int k = key_index(run->params[i].key);
        if (k < 0 || !keys[k].recorded) continue;
        if (!compare(&m, &keys[k], run->params[i].value, why, why_cap)) {
            *state = DSML_RUN_STALE;
            break;
        }
    }
    if (*state == DSML_RUN_FINISHED && wall_s) *wall_s = isnan(m.wall_total) ? 0 : m.wall_total;
    dsml_run_metrics_free(&m);
    return DSML_OK;
}

/* ---- make and machines ---------------------------------------------------------------- */

int dsml_sweep_make_jobs(const char *makeflags, int cores)
{
    if (!makeflags) return 1;
    if (cores < 1) cores = 1;
    int jobs = 1;
    const char *p = makeflags;
    while (*p) {
        while (*p == ' ') p++;
        const char *w = p;
        while (*p && *p != ' ') p++;
        size_t len = (size_t)(p - w);
        if (len >= 2 && w[0] == '-' && w[1] == 'j') {
            if (len == 2) {
                /* "-j N" or "-j" alone (no limit) */
                const char *q = p;
                while (*q == ' ') q++;
                if (isdigit((unsigned char)*q)) {
                    jobs = atoi(q);
                    while (*q && *q != ' ') q++;
                    p = q;
                } else
                    jobs = cores;
            } else if (isdigit((unsigned char)w[2]))
                jobs = atoi(w + 2);
        } else if (len > 7 && !strncmp(w, "--jobs=", 7))
            jobs = atoi(w + 7);
        else if (len == 6 && !strncmp(w, "--jobs", 6))
            jobs = cores;
    }
    return jobs < 1 ? 1 : jobs;
}

int dsml_sweep_threads_per_run(int cores, int jobs)
{
    if (jobs < 1) jobs = 1;
    int t = cores / jobs;
    return t < 1 ? 1 : t;
}
