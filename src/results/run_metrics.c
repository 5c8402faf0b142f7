/* The typed reader of metrics.json; see run_metrics.h and docs/results.md. */
#include "results/run_metrics.h"
#include "core/error.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int dsml_metrics_recall_k[DSML_METRICS_RECALL_K] = {1, 2, 4, 8, 16, 32};

/* A metric: a number, else NaN (null is how the writer records a NaN). */
static double metric(const dsml_jv *root, const char *key)
{
    const dsml_jv *v = dsml_jv_get(root, key);
    return v && v->type == DSML_JV_NUMBER ? v->number : NAN;
}

/* A whole number in lo..hi at key, else 0. */
static int whole(const dsml_jv *root, const char *key, double lo, double hi)
{
    const dsml_jv *v = dsml_jv_get(root, key);
    return v && v->type == DSML_JV_NUMBER && v->number == floor(v->number) && v->number >= lo && v->number <= hi
               ? (int)v->number
               : 0;
}

/* ---- what each value must be ----------------------------------------------------- */

/* The kinds of value metrics.json holds where a number belongs (docs/results.md).
 * null is the writer's NaN: accepted for every kind but a count. */
typedef enum {
    V_UNIT,     /* a rate: recall, precision, MAP, F1, NMI, accuracy, in [0, 1] */
    V_COUNT,    /* an integer in 0..2147483647 */
    V_NONNEG,   /* seconds, images per second, weights: >= 0 */
    V_FINITE,   /* a loss */
} value_kind;

static const char *const expected_text[] = {
    [V_UNIT] = "a number in [0, 1]",
    [V_COUNT] = "an integer in 0..2147483647",
    [V_NONNEG] = "a non-negative number",
    [V_FINITE] = "a finite number",
};

/* A rule: the value at `key` (or every element, for a list) is of `kind`. */
typedef struct {
    const char *key;
    value_kind kind;
    int list;
} value_rule;

/* Keys outside the ranking blocks. */
static const value_rule fixed_rules[] = {
    {"config.epochs", V_COUNT, 0},          {"config.map_at", V_COUNT, 0},
    {"config.f1_at", V_COUNT, 0},           {"config.density", V_NONNEG, 0},
    {"data.split.train", V_COUNT, 0},       {"data.split.query", V_COUNT, 0},
    {"data.split.database", V_COUNT, 0},    {"data.split.validation", V_COUNT, 0},
    {"data.split.eval_queries", V_COUNT, 0}, {"data.split.eval_database", V_COUNT, 0},
    {"metrics.clustering.nmi", V_UNIT, 0},  {"metrics.clustering.f1", V_UNIT, 0},
    {"metrics.vmf.accuracy", V_UNIT, 0},
    {"training.epochs", V_COUNT, 0},        {"training.images", V_COUNT, 0},
    {"training.images_per_second", V_NONNEG, 0},
    {"training.loss_per_epoch", V_FINITE, 1}, {"training.seconds_per_epoch", V_NONNEG, 1},
    {"wall_seconds.load", V_NONNEG, 0},     {"wall_seconds.train", V_NONNEG, 0},
    {"wall_seconds.embed", V_NONNEG, 0},    {"wall_seconds.evaluate", V_NONNEG, 0},
    {"wall_seconds.total", V_NONNEG, 0},
};

/* Members of metrics.euclidean and metrics.hamming; a name ending in '@' is
 * a prefix (map@59000, precision@100, f1@t, map@r). */
static const value_rule ranking_rules[] = {
    {"recall@", V_UNIT, 0},          {"recall_at@", V_UNIT, 0},       {"precision@", V_UNIT, 0},
    {"f1@", V_UNIT, 0},              {"map@", V_UNIT, 0},             {"map", V_UNIT, 0},
    {"r_precision", V_UNIT, 0},      {"precision_within_radius", V_UNIT, 0},
    {"recall_within_radius", V_UNIT, 0}, {"pr_curve_precision", V_UNIT, 1}, {"pr_curve_recall", V_UNIT, 1},
    {"map_t", V_COUNT, 0},           {"radius", V_COUNT, 0},          {"queries", V_COUNT, 0},
    {"queries_without_relevant", V_COUNT, 0}, {"queries_empty_radius", V_COUNT, 0},
};

/* The objects that hold the values above, when present. */
static const char *const objects[] = {"config", "data", "data.split", "metrics", "metrics.euclidean",
                                      "metrics.hamming", "metrics.clustering", "metrics.vmf", "training",
                                      "wall_seconds"};

static const value_rule *ranking_rule(const char *name)
{
    for (size_t i = 0; i < sizeof ranking_rules / sizeof ranking_rules[0]; i++) {
        const char *r = ranking_rules[i].key;
        size_t len = strlen(r);
        if (r[len - 1] == '@' ? !strncmp(name, r, len) && name[len] : !strcmp(name, r)) return &ranking_rules[i];
    }
    return NULL;
}

/* The rule for a dotted key, NULL when the reader checks no such key. */
static const value_rule *rule_of(const char *key)
{
    for (size_t i = 0; i < sizeof fixed_rules / sizeof fixed_rules[0]; i++)
        if (!strcmp(fixed_rules[i].key, key)) return &fixed_rules[i];
    static const char *const blocks[] = {"metrics.euclidean.", "metrics.hamming."};
    for (int b = 0; b < 2; b++)
        if (!strncmp(key, blocks[b], strlen(blocks[b]))) return ranking_rule(key + strlen(blocks[b]));
    return NULL;
}

/* Whether v is a value of the kind (null: the writer's NaN, not for counts). */
static int value_ok(const dsml_jv *v, value_kind kind)
{
    if (v->type == DSML_JV_NULL) return kind != V_COUNT;
    if (v->type != DSML_JV_NUMBER || !isfinite(v->number)) return 0;
    switch (kind) {
    case V_UNIT: return v->number >= 0 && v->number <= 1;
    case V_COUNT: return v->number >= 0 && v->number <= INT_MAX && v->number == floor(v->number);
    case V_NONNEG: return v->number >= 0;
    case V_FINITE: return 1;
    }
    return 0;
}

/* What a value is, in a message: missing, null, true, 7.5, the string "NaN", a list, an object. */
static void what_it_is(const dsml_jv *v, char *out, size_t size)
{
    if (!v) snprintf(out, size, "missing");
    else if (v->type == DSML_JV_NULL) snprintf(out, size, "null");
    else if (v->type == DSML_JV_BOOL) snprintf(out, size, "%s", v->number ? "true" : "false");
    else if (v->type == DSML_JV_NUMBER) snprintf(out, size, "%.17g", v->number);
    else if (v->type == DSML_JV_STRING) snprintf(out, size, "the string \"%.40s%s\"", v->string,
                                                 strlen(v->string) > 40 ? "..." : "");
    else snprintf(out, size, "%s", v->type == DSML_JV_ARRAY ? "a list" : "an object");
}

/* "<path>: <key> is <what>, expected <expected>". */
static int bad_value(const char *path, const char *key, const dsml_jv *v, const char *expected)
{
    char found[96];
    what_it_is(v, found, sizeof found);
    return dsml_fail(DSML_ERR_FORMAT, "%s: %s is %s, expected %s", path, key, found, expected);
}

/* The value v at key against rule r (a list element by element). */
static int check_value(const char *path, const char *key, const dsml_jv *v, const value_rule *r)
{
    if (!r->list) return value_ok(v, r->kind) ? DSML_OK : bad_value(path, key, v, expected_text[r->kind]);
    char what[160];
    if (v->type != DSML_JV_ARRAY) {
        snprintf(what, sizeof what, "a list of values, each %s", expected_text[r->kind]);
        return bad_value(path, key, v, what);
    }
    int i = 0;
    for (const dsml_jv *e = v->child; e; e = e->next, i++)
        if (!value_ok(e, r->kind)) {
            snprintf(what, sizeof what, "%s[%d]", key, i);
            return bad_value(path, what, e, expected_text[r->kind]);
        }
    return DSML_OK;
}

/* Every value the reader knows, where present: type and range. */
static int check_values(const char *path, const dsml_jv *root)
{
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
        const dsml_jv *o = dsml_jv_get(root, objects[i]);
        if (o && o->type != DSML_JV_OBJECT) return bad_value(path, objects[i], o, "an object");
    }
    for (size_t i = 0; i < sizeof fixed_rules / sizeof fixed_rules[0]; i++) {
        const dsml_jv *v = dsml_jv_get(root, fixed_rules[i].key);
        int rc = v ? check_value(path, fixed_rules[i].key, v, &fixed_rules[i]) : DSML_OK;
        if (rc) return rc;
    }
    static const char *const blocks[] = {"metrics.euclidean", "metrics.hamming"};
    for (int b = 0; b < 2; b++) {
        const dsml_jv *block = dsml_jv_get(root, blocks[b]);
        for (const dsml_jv *v = block ? block->child : NULL; v; v = v->next) {
            const value_rule *r = ranking_rule(v->key);
            char key[160];
            snprintf(key, sizeof key, "%s.%s", blocks[b], v->key);
            int rc = r ? check_value(path, key, v, r) : DSML_OK;
            if (rc) return rc;
        }
    }
    return DSML_OK;
}

/* ---- reading ---------------------------------------------------------------------- */

static void read_ranking(const dsml_jv *root, const char *block, dsml_ranking_metrics *r)
{
    char key[96];
    snprintf(key, sizeof key, "metrics.%s", block);
    const dsml_jv *b = dsml_jv_get(root, key);
    r->present = b && b->type == DSML_JV_OBJECT;
    for (int i = 0; i < DSML_METRICS_RECALL_K; i++) {
        snprintf(key, sizeof key, "recall@%d", dsml_metrics_recall_k[i]);
        r->recall[i] = metric(b, key);
    }
    r->map = metric(b, "map");
    r->map_at_t = metric(b, "map@t");
    r->f1_at_t = metric(b, "f1@t");
    r->map_at_r = metric(b, "map@r");
    r->r_precision = metric(b, "r_precision");
}

void dsml_run_metrics_free(dsml_run_metrics *m)
{
    free(m->path);
    free(m->loss_per_epoch);
    if (m->doc.arena) dsml_json_doc_free(&m->doc);
    memset(m, 0, sizeof *m);
}

int dsml_run_metrics_read(dsml_run_metrics *m, const char *path)
{
    memset(m, 0, sizeof *m);
    int rc = dsml_json_parse_file(&m->doc, path);
    if (rc) return rc;
    const dsml_jv *root = m->doc.root;
    m->path = strdup(path);
    if (!m->path) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
    else if (root->type != DSML_JV_OBJECT) rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected a JSON object", path);
    else rc = check_values(path, root);
    if (rc) {
        dsml_run_metrics_free(m);
        return rc;
    }
    m->dataset = dsml_jv_string(root, "config.dataset", NULL);
    m->protocol = dsml_jv_string(root, "config.protocol", NULL);
    m->split = dsml_jv_string(root, "config.split", NULL);
    m->model = dsml_jv_string(root, "config.model", NULL);
    m->loss = dsml_jv_string(root, "config.loss", NULL);
    m->distance = dsml_jv_string(root, "config.distance", NULL);
    m->equations = dsml_jv_string(root, "config.equations", "common");
    m->gpw_mining = dsml_jv_string(root, "config.gpw_mining", NULL);
    m->gpw_weighting = dsml_jv_string(root, "config.gpw_weighting", NULL);
    m->dim = whole(root, "config.dim", 1, 65536);
    m->seed = whole(root, "config.seed", 0, INT_MAX);
    m->epochs = whole(root, "config.epochs", 0, INT_MAX);
    m->map_at = (long)dsml_jv_number(root, "config.map_at", 0);
    m->f1_at = (long)dsml_jv_number(root, "config.f1_at", 0);
    m->density = dsml_jv_number(root, "config.density", 0);

    m->train = (long)dsml_jv_number(root, "data.split.train", 0);
    m->eval_queries = (long)dsml_jv_number(root, "data.split.eval_queries",
                                           dsml_jv_number(root, "data.split.query", 0));
    m->eval_database = (long)dsml_jv_number(root, "data.split.eval_database",
                                            dsml_jv_number(root, "data.split.database", 0));
    const dsml_jv *val = dsml_jv_get(root, "data.split.evaluated_on_validation");
    m->evaluated_on_validation = val && val->type == DSML_JV_BOOL && val->number != 0;

    read_ranking(root, "euclidean", &m->euclidean);
    read_ranking(root, "hamming", &m->hamming);
    m->nmi = metric(root, "metrics.clustering.nmi");
    m->cluster_f1 = metric(root, "metrics.clustering.f1");
    m->vmf_accuracy = metric(root, "metrics.vmf.accuracy");

    const dsml_jv *curve = dsml_jv_get(root, "training.loss_per_epoch");
    m->n_loss = -1;
    if (curve && curve->type == DSML_JV_ARRAY) {
        m->loss_per_epoch = malloc(sizeof *m->loss_per_epoch * (size_t)(curve->count ? curve->count : 1));
        if (!m->loss_per_epoch) {
            dsml_run_metrics_free(m);
            return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
        }
        m->n_loss = 0;
        for (const dsml_jv *v = curve->child; v; v = v->next)
            m->loss_per_epoch[m->n_loss++] = v->type == DSML_JV_NUMBER ? v->number : NAN;
    }
    m->wall_total = dsml_jv_number(root, "wall_seconds.total", NAN);
    return DSML_OK;
}

/* What a value is, for messages: none, null, true, 16, "x", a list, an object. */
static void describe(const dsml_jv *v, char *out, size_t size)
{
    if (!v) snprintf(out, size, "none");
    else if (v->type == DSML_JV_NULL) snprintf(out, size, "null");
    else if (v->type == DSML_JV_BOOL) snprintf(out, size, "%s", v->number ? "true" : "false");
    else if (v->type == DSML_JV_NUMBER) snprintf(out, size, "%.17g", v->number);
    else if (v->type == DSML_JV_STRING) snprintf(out, size, "\"%.40s\"", v->string);
    else snprintf(out, size, "%s", v->type == DSML_JV_ARRAY ? "a list" : "an object");
}

int dsml_run_metrics_check(const dsml_run_metrics *m)
{
    static const char *const strings[] = {"config.dataset", "config.loss", "config.distance"};
    const char *const have[] = {m->dataset, m->loss, m->distance};
    char found[96];
    for (int i = 0; i < 3; i++)
        if (!have[i]) {
            describe(dsml_jv_get(m->doc.root, strings[i]), found, sizeof found);
            return dsml_fail(DSML_ERR_FORMAT, "%s: %s: expected a string, found %s", m->path, strings[i], found);
        }
    static const struct { const char *key; double lo, hi; } ints[] = {
        {"config.dim", 1, 65536}, {"config.seed", 0, INT_MAX}};
    for (int i = 0; i < 2; i++) {
        const dsml_jv *v = dsml_jv_get(m->doc.root, ints[i].key);
        if (!v || v->type != DSML_JV_NUMBER || v->number != floor(v->number) || v->number < ints[i].lo ||
            v->number > ints[i].hi) {
            describe(v, found, sizeof found);
            return dsml_fail(DSML_ERR_FORMAT, "%s: %s: expected an integer %.0f..%.0f, found %s", m->path,
                             ints[i].key, ints[i].lo, ints[i].hi, found);
        }
    }
    return DSML_OK;
}

const char *dsml_run_metrics_expected(const char *key)
{
    const value_rule *r = rule_of(key);
    return r && !r->list ? expected_text[r->kind] : NULL;
}

int dsml_run_metrics_require(const dsml_run_metrics *m, const char *key, int allow_null)
{
    const dsml_jv *v = dsml_jv_get(m->doc.root, key);
    if (v && (allow_null || v->type != DSML_JV_NULL)) return DSML_OK;
    const char *expected = dsml_run_metrics_expected(key);
    return bad_value(m->path, key, v, expected ? expected : "a value");
}

int dsml_run_metrics_refuse(const dsml_run_metrics *m, const char *key, const char *expected)
{
    return bad_value(m->path, key, dsml_jv_get(m->doc.root, key), expected);
}

dsml_metrics_value dsml_run_metrics_get(const dsml_run_metrics *m, const char *key)
{
    dsml_metrics_value out = {DSML_METRICS_ABSENT, 0, NULL, 0};
    const dsml_jv *v = dsml_jv_get(m->doc.root, key);
    if (!v) return out;
    switch (v->type) {
    case DSML_JV_NULL: out.kind = DSML_METRICS_NULL; break;
    case DSML_JV_BOOL: out.kind = DSML_METRICS_BOOL; out.number = v->number; break;
    case DSML_JV_NUMBER: out.kind = DSML_METRICS_NUMBER; out.number = v->number; break;
    case DSML_JV_STRING: out.kind = DSML_METRICS_STRING; out.string = v->string; break;
    case DSML_JV_ARRAY: out.kind = DSML_METRICS_LIST; out.count = v->count; break;
    case DSML_JV_OBJECT: out.kind = DSML_METRICS_OBJECT; out.count = v->count; break;
    }
    return out;
}

double dsml_run_metrics_list_number(const dsml_run_metrics *m, const char *key, int i)
{
    const dsml_jv *v = dsml_jv_get(m->doc.root, key);
    const dsml_jv *c = v && v->type == DSML_JV_ARRAY ? v->child : NULL;
    for (; c && i > 0; i--) c = c->next;
    return c && i == 0 && c->type == DSML_JV_NUMBER ? c->number : NAN;
}
