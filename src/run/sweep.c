/* Sweep files: parsing, expansion into runs, run ids, `dsml train` argument
 * lists and the finished/stale check against metrics.json; see sweep.h. */
#include "run/sweep.h"
#include "core/error.h"
#include "core/value.h"
#include "results/run_metrics.h"
#include "run/train_options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The keys a sweep line may give are the options the training option table
 * marks for sweeps (run/train_options.h): the grid keys first, in the order
 * runs carry them, then the others in the table's order; "bits" is another
 * name for dim. */
enum { K_DATASET, K_LOSS, K_DISTANCE, K_DIM, K_SEED, N_GRID, MAX_KEYS = 64 };
/* values in one comma list; a longer list is refused, never cut short */
enum { MAX_LIST = 64 };
static const char *const grid_names[N_GRID] = {"dataset", "loss", "distance", "dim", "seed"};

static const dsml_train_option *keys[MAX_KEYS];
static int n_keys;
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

static void list_keys(void)
{
    for (int g = 0; g < N_GRID; g++) keys[n_keys++] = dsml_train_option_find(grid_names[g]);
    for (int i = 0; i < dsml_train_option_count() && n_keys < MAX_KEYS; i++) {
        const dsml_train_option *o = dsml_train_option_at(i);
        int grid = 0;
        for (int g = 0; g < N_GRID; g++) grid |= o == keys[g];
        if ((o->flags & DSML_OPT_SWEEP) && !grid) keys[n_keys++] = o;
    }
}

static int key_count(void)
{
    pthread_once(&keys_once, list_keys);
    return n_keys;
}

/* The values a line gives (or inherits) for each key, as written: comma
 * lists included. NULL where absent. */
typedef struct {
    const char *value[MAX_KEYS];
    int line[MAX_KEYS];
} key_values;

static int key_index(const char *key)
{
    if (!strcmp(key, "bits")) return K_DIM;
    for (int i = 0; i < key_count(); i++)
        if (!strcmp(keys[i]->name, key)) return i;
    return -1;
}

/* A key whose value is never a comma list (a list of sizes or classes, a path). */
static int takes_whole_value(const dsml_train_option *o)
{
    return o->type == DSML_OPT_INT_LIST || o->type == DSML_OPT_PATH || o->type == DSML_OPT_CLASSES;
}

static int fail_at(const char *file, int line, const char *what, const char *found)
{
    return dsml_fail(DSML_ERR_FORMAT, "%s:%d: expected %s, found %s", file, line, what, found);
}

/* One element of a value (no commas, except in a list of sizes); paths
 * must also need no shell quoting, since run commands are built from them. */
static int check_element(const char *file, int line, const dsml_train_option *k, const char *v)
{
    char found[DSML_SWEEP_VALUE + 32], expected[600];
    snprintf(found, sizeof found, "%s=%s", k->name, v);
    if (!*v) return fail_at(file, line, "a value", found);
    if (dsml_train_option_check_value(k, v, expected, sizeof expected) ||
        (k->type == DSML_OPT_PATH && dsml_value_plain_path(v, expected, sizeof expected)))
        return fail_at(file, line, expected, found);
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
    const dsml_train_option *k = keys[ki];
    if (takes_whole_value(k)) return check_element(file, line, k, value);
    int is_list = strchr(value, ',') != NULL;
    if (is_list && !lists_everywhere && ki >= N_GRID) {
        char found[DSML_SWEEP_VALUE + 32];
        snprintf(found, sizeof found, "%s=%s", k->name, value);
        return fail_at(file, line, "one value (lists only for dataset, loss, distance, dim, seed; "
                                   "other lists belong in tune lines)", found);
    }
    if (value[0] == ',' || (*value && value[strlen(value) - 1] == ',') || strstr(value, ",,")) {
        char found[DSML_SWEEP_VALUE + 32];
        snprintf(found, sizeof found, "%s=%s", k->name, value);
        return fail_at(file, line, "a comma-separated list without empty elements", found);
    }
    int commas = 0;
    for (const char *p = value; *p; p++) commas += *p == ',';
    if (commas >= MAX_LIST) {
        char found[DSML_SWEEP_VALUE + 32];
        snprintf(found, sizeof found, "%d values in %s", commas + 1, k->name);
        char expected[64];
        snprintf(expected, sizeof expected, "at most %d comma-separated values", MAX_LIST);
        return fail_at(file, line, expected, found);
    }
    char buf[DSML_SWEEP_VALUE];
    const char *el[MAX_LIST];
    int n = split_list(value, buf, sizeof buf, el, MAX_LIST);
    if (n == 0) return check_element(file, line, k, value); /* "key=" with nothing after it */
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
    const char *seeds;   /* "1,2,...,N" replacing the run lines' seed lists, or NULL */
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
 * does not share its base run's directory), e.g. contrastive-snr-density0.1-d32-s1
 * or contrastive-snr-paper-d32-s1. `plain` is the value that makes no variant
 * (compared as a number for a number option; NULL: every value makes one). */
static const struct {
    const char *key, *tag, *plain;
} variant_keys[] = {{"density", "density", "0"},
                    {"gpw-mining", "mining-", NULL},
                    {"gpw-weighting", "weighting-", NULL},
                    {"equations", "", "common"}};

static int is_plain(const dsml_train_option *o, const char *value, const char *plain)
{
    if (!plain) return 0;
    return o->type == DSML_OPT_FLOAT ? strtod(value, NULL) == strtod(plain, NULL) : !strcmp(value, plain);
}

/* Appends "-TAGVALUE" for each variant option of the choice to buf (len so
 * far); `only` (NULL: all) restricts it to one option. */
static int variant_suffix(char *buf, size_t cap, const char *const *choice, const char *only)
{
    int len = 0;
    buf[0] = 0;
    for (size_t v = 0; v < sizeof variant_keys / sizeof variant_keys[0]; v++) {
        if (only && strcmp(only, variant_keys[v].key)) continue;
        int k = key_index(variant_keys[v].key);
        const char *value = choice[k];
        if (!value || is_plain(keys[k], value, variant_keys[v].plain)) continue;
        int n = snprintf(buf + len, cap - (size_t)len, "-%s%s", variant_keys[v].tag, value);
        if (n < 0 || (size_t)(len + n) >= cap) return -1;
        len += n;
    }
    return len;
}

/* The run's options as `dsml train` will take them, so that a run it would
 * refuse (an option its loss does not take, a batch that is not a multiple
 * of the images per class) fails here, naming the line, not hours later. */
static int check_run(const parser *ps, const dsml_sweep_run *run)
{
    dsml_option_given given[DSML_SWEEP_MAX_PARAMS + 1];
    int n = 0;
    if (run->kind == DSML_SWEEP_HASHING) given[n++] = (dsml_option_given){"protocol", "hashing"};
    for (int i = 0; i < run->n_params; i++) given[n++] = (dsml_option_given){run->params[i].key, run->params[i].value};
    dsml_train_config *cfg = malloc(sizeof *cfg);
    if (!cfg) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", ps->file);
    int rc = dsml_train_config_build(cfg, given, n);
    free(cfg);
    if (rc) return dsml_fail_context(DSML_ERR_FORMAT, "%s:%d: run %s", ps->file, run->line, run->id);
    return DSML_OK;
}

/* Fills one run from one choice of every key's value. */
static int make_run(parser *ps, dsml_sweep_kind kind, int line, int group, const char *const *choice, const int *n_choices)
{
    dsml_sweep_run run;
    memset(&run, 0, sizeof run);
    run.kind = kind;
    run.line = line;
    run.group = group;
    for (int k = 0; k < key_count(); k++) {
        if (!choice[k]) continue;
        if (run.n_params == DSML_SWEEP_MAX_PARAMS)
            return dsml_fail(DSML_ERR_FORMAT, "%s:%d: too many keys", ps->file, line);
        snprintf(run.params[run.n_params].key, DSML_SWEEP_KEY, "%s", keys[k]->name);
        snprintf(run.params[run.n_params].value, DSML_SWEEP_VALUE, "%s", choice[k]);
        run.n_params++;
    }
    snprintf(run.dataset, sizeof run.dataset, "%s", choice[K_DATASET]);
    snprintf(run.loss, sizeof run.loss, "%s", choice[K_LOSS]);
    snprintf(run.distance, sizeof run.distance, "%s", choice[K_DISTANCE]);
    run.dim = atoi(choice[K_DIM]);
    run.seed = atol(choice[K_SEED]);
    /* tune ids carry only the equations of the variants, so that the two readings' tuning runs never share a
       directory while every other tune id stays as it was */
    char variant[sizeof run.id];
    int len = variant_suffix(variant, sizeof variant, choice, kind == DSML_SWEEP_TUNE ? "equations" : NULL);
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
        len = snprintf(run.id, sizeof run.id, "%s-%s-%s%s-d%d-s%ld", run.dataset, run.loss, run.distance, variant,
                       run.dim, run.seed);
        for (int k = N_GRID; k < key_count() && len > 0 && (size_t)len < sizeof run.id; k++)
            if (n_choices[k] > 1 && strcmp(keys[k]->name, "equations")) /* already in the variant */
                len += snprintf(run.id + len, sizeof run.id - (size_t)len, "-%s%s", keys[k]->name, choice[k]);
        if (len > 0 && (size_t)len < sizeof run.id)
            len = snprintf(run.dir, sizeof run.dir, "%s/tune/%s", ps->root, run.id);
    }
    if (len < 0 || (size_t)len >= sizeof run.dir)
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: run id or directory longer than %zu characters", ps->file, line,
                         sizeof run.dir - 1);
    int rc = check_run(ps, &run);
    return rc ? rc : push_run(ps, &run);
}

/* Expands a line's values (lists in any key) into every combination. */
static int expand(parser *ps, dsml_sweep_kind kind, int line, int group, const key_values *given)
{
    static const char *const what[N_GRID] = {"dataset=NAME", "loss=NAME", "distance=NAME", "dim=N", "seed=N"};
    key_values seeded = *given;
    if (ps->seeds && kind != DSML_SWEEP_TUNE) seeded.value[K_SEED] = ps->seeds;
    const key_values *kv = &seeded;
    for (int k = 0; k < N_GRID; k++)
        if (!kv->value[k]) return fail_at(ps->file, line, what[k], "none (give it on this line or a set line above)");
    if (kind == DSML_SWEEP_TUNE) {
        const char *v = kv->value[key_index("validation-per-class")];
        if (!v || !strcmp(v, "0") || strchr(v, ','))
            return fail_at(ps->file, line, "validation-per-class=N with one N > 0 (tuning never looks at the queries)",
                           v ? v : "none");
    }
    char bufs[MAX_KEYS][DSML_SWEEP_VALUE];
    const char *el[MAX_KEYS][MAX_LIST];
    int n[MAX_KEYS], idx[MAX_KEYS];
    for (int k = 0; k < key_count(); k++) {
        idx[k] = 0;
        if (!kv->value[k]) n[k] = 0;
        else if (takes_whole_value(keys[k])) {
            snprintf(bufs[k], sizeof bufs[k], "%s", kv->value[k]);
            el[k][0] = bufs[k];
            n[k] = 1;
        } else
            n[k] = split_list(kv->value[k], bufs[k], sizeof bufs[k], el[k], MAX_LIST);
    }
    /* odometer over the keys, the last key fastest */
    for (;;) {
        const char *choice[MAX_KEYS];
        int nc[MAX_KEYS];
        for (int k = 0; k < key_count(); k++) {
            choice[k] = n[k] ? el[k][idx[k]] : NULL;
            nc[k] = n[k];
        }
        int rc = make_run(ps, kind, line, group, choice, nc);
        if (rc) return rc;
        int k = key_count() - 1;
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

/* `claims equivalence-margin=PP`: how the tables judge the runs (docs/tables.md), kept with the grid. */
static int parse_claims(parser *ps, int line_no, char **save)
{
    for (char *tok; (tok = strtok_r(NULL, " \t\r", save));) {
        static const char key[] = "equivalence-margin=";
        if (strncmp(tok, key, sizeof key - 1))
            return fail_at(ps->file, line_no, "equivalence-margin=PP on a claims line", tok);
        if (ps->sw->equivalence_margin > 0) return fail_at(ps->file, line_no, "one equivalence margin per file", tok);
        char *end;
        double v = strtod(tok + sizeof key - 1, &end);
        if (end == tok + sizeof key - 1 || *end || !(v > 0 && v <= 100))
            return fail_at(ps->file, line_no, "a margin in percentage points in (0, 100]", tok);
        ps->sw->equivalence_margin = v;
    }
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
    if (!strcmp(directive, "claims")) return parse_claims(ps, line_no, &save);
    if (!strcmp(directive, "set")) is_set = 1;
    else if (!strcmp(directive, "tune-set")) is_tune_set = 1;
    else if (!strcmp(directive, "dml")) kind = DSML_SWEEP_DML;
    else if (!strcmp(directive, "hashing")) kind = DSML_SWEEP_HASHING;
    else if (!strcmp(directive, "tune")) kind = DSML_SWEEP_TUNE;
    else return fail_at(ps->file, line_no, "set, dml, hashing, tune-set, tune or claims", directive);
    int tune_like = is_tune_set || (!is_set && kind == DSML_SWEEP_TUNE);
    key_values here = tune_like ? *tune_defaults : *defaults;
    int seen[MAX_KEYS] = {0};
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
        for (int k = 0; k < key_count(); k++) {
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
    return dsml_sweep_parse_seeds(sw, name, text, results_root, 0);
}

int dsml_sweep_parse_seeds(dsml_sweep *sw, const char *name, const char *text, const char *results_root, int seeds)
{
    memset(sw, 0, sizeof *sw);
    if (seeds < 0 || seeds > DSML_SWEEP_MAX_SEEDS)
        return dsml_fail(DSML_ERR_ARG, "%s: seeds: expected 1..%d, found %d", name, DSML_SWEEP_MAX_SEEDS, seeds);
    char seed_list[DSML_SWEEP_VALUE] = "";
    for (int s = 1, len = 0; s <= seeds; s++) len += snprintf(seed_list + len, sizeof seed_list - (size_t)len,
                                                                 "%s%d", s > 1 ? "," : "", s);
    snprintf(sw->path, sizeof sw->path, "%s", name);
    parser ps = {.file = name, .root = results_root, .seeds = seeds ? seed_list : NULL, .sw = sw};
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
            for (int k = 0; k < key_count() && !rc; k++) {
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
    return dsml_sweep_load_seeds(sw, path, results_root, 0);
}

int dsml_sweep_load_seeds(dsml_sweep *sw, const char *path, const char *results_root, int seeds)
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
    if (!rc) rc = dsml_sweep_parse_seeds(sw, path, text, results_root, seeds);
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

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether the run recorded `value` for option o. A metrics.json from before
 * --equations records no config.equations: such a run computed the common
 * reading, and run_metrics reads the absent key as "common". */
static int recorded(const dsml_train_option *o, const char *value, const dsml_run_metrics *m, char *why, size_t cap)
{
    if (strcmp(o->name, "equations")) return dsml_train_option_recorded(o, value, m, why, cap);
    if (!strcmp(m->equations, value)) return 1;
    snprintf(why, cap, "%s: sweep %s, run %s", o->name, value, m->equations);
    return 0;
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
        const dsml_train_option *o = dsml_train_option_find(run->params[i].key);
        if (o && !recorded(o, run->params[i].value, &m, why, why_cap)) {
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
