/* The reader of account.json; see account.h and docs/results.md. */
#include "results/account.h"
#include "core/error.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const dataset_words[] = {"complete", "incomplete", "skipped"};
static const char *const weights_words[] = {"present", "missing", "failed"};

const char *dsml_account_status_name(dsml_account_status s)
{
    return (unsigned)s < 3 ? dataset_words[s] : "?";
}

const char *dsml_weights_status_name(dsml_weights_status s)
{
    return (unsigned)s < 3 ? weights_words[s] : "?";
}

/* ---- one value -------------------------------------------------------------------- */

/* Where a value sits, for messages: "datasets[2]." and the member's name. */
typedef struct {
    const char *path;      /* the file */
    const dsml_jv *object; /* the object the members are read from */
    char prefix[48];       /* "" at the top, "datasets[2]." inside a list */
} place;

/* "<file>: <prefix><key> is <what v is>, expected <expected>". */
static int refuse(const place *p, const char *key, const dsml_jv *v, const char *expected)
{
    char found[80];
    if (!v) snprintf(found, sizeof found, "missing");
    else if (v->type == DSML_JV_STRING) snprintf(found, sizeof found, "the string \"%.40s\"", v->string);
    else if (v->type == DSML_JV_NUMBER) snprintf(found, sizeof found, "%.17g", v->number);
    else {
        static const char *const kinds[] = {"null", "a boolean", "a number", "a string", "a list", "an object"};
        snprintf(found, sizeof found, "%s", kinds[v->type]);
    }
    return dsml_fail(DSML_ERR_FORMAT, "%s: %s%s is %s, expected %s", p->path, p->prefix, key, found, expected);
}

/* A member of p's object, and only that member (a dotted name would reach deeper). */
static const dsml_jv *member(const place *p, const char *key)
{
    for (const dsml_jv *v = p->object->child; v; v = v->next)
        if (!strcmp(v->key, key)) return v;
    return NULL;
}

/* An integer in lo..hi. */
static int read_int(const place *p, const char *key, int lo, int hi, const char *expected, int *out)
{
    const dsml_jv *v = member(p, key);
    if (!v || v->type != DSML_JV_NUMBER || v->number != floor(v->number) || v->number < lo || v->number > hi)
        return refuse(p, key, v, expected);
    *out = (int)v->number;
    return DSML_OK;
}

static int read_count(const place *p, const char *key, int *out)
{
    return read_int(p, key, 0, INT_MAX, "an integer in 0..2147483647", out);
}

/* A string; a non-empty one when `nonempty`. */
static int read_string(const place *p, const char *key, int nonempty, const char **out)
{
    const dsml_jv *v = member(p, key);
    if (!v || v->type != DSML_JV_STRING || (nonempty && !v->string[0]))
        return refuse(p, key, v, nonempty ? "a non-empty string" : "a string");
    *out = v->string;
    return DSML_OK;
}

/* One of three words: *out its index. */
static int read_word(const place *p, const char *key, const char *const words[3], int *out)
{
    const dsml_jv *v = member(p, key);
    for (int i = 0; v && v->type == DSML_JV_STRING && i < 3; i++)
        if (!strcmp(v->string, words[i])) {
            *out = i;
            return DSML_OK;
        }
    char expected[96];
    snprintf(expected, sizeof expected, "one of \"%s\", \"%s\", \"%s\"", words[0], words[1], words[2]);
    return refuse(p, key, v, expected);
}

/* ---- the lists -------------------------------------------------------------------- */

static int read_dataset(const place *p, dsml_account_dataset *d)
{
    int status = 0;
    int rc = read_string(p, "name", 1, &d->name);
    if (!rc) rc = read_count(p, "runs", &d->runs);
    if (!rc) rc = read_count(p, "finished", &d->finished);
    if (!rc) rc = read_count(p, "failed", &d->failed);
    if (!rc) rc = read_count(p, "not_started", &d->not_started);
    if (!rc) rc = read_count(p, "skipped", &d->skipped);
    if (!rc) rc = read_word(p, "status", dataset_words, &status);
    if (!rc) rc = read_string(p, "reason", 0, &d->reason);
    if (!rc) rc = read_string(p, "get", 0, &d->get);
    if (rc) return rc;
    d->status = (dsml_account_status)status;
    /* every selected run is in exactly one of the four counts */
    long long sum = (long long)d->finished + d->failed + d->not_started + d->skipped;
    if (sum != d->runs)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %sruns is %d, expected finished + failed + not_started + skipped = %lld",
                         p->path, p->prefix, d->runs, sum);
    return DSML_OK;
}

static int read_weights(const place *p, dsml_account_weights *w)
{
    int status = 0;
    int rc = read_string(p, "name", 1, &w->name);
    if (!rc) rc = read_count(p, "runs", &w->runs);
    if (!rc) rc = read_word(p, "status", weights_words, &status);
    if (!rc) rc = read_string(p, "reason", 0, &w->reason);
    if (!rc) rc = read_string(p, "get", 0, &w->get);
    w->status = (dsml_weights_status)status;
    return rc;
}

/* The list at `key` of the top level: each element an object with a name no
 * earlier element has, read by `read_one` into items[i] (item_size bytes). */
static int read_list(const place *top, const char *key, size_t item_size, void **items, int *count,
                     int (*read_one)(const place *, void *))
{
    const dsml_jv *list = member(top, key);
    if (!list || list->type != DSML_JV_ARRAY) return refuse(top, key, list, "a list of objects");
    *items = calloc(list->count ? (size_t)list->count : 1, item_size);
    if (!*items) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", top->path);
    int i = 0;
    for (const dsml_jv *e = list->child; e; e = e->next, i++) {
        char element[40];
        snprintf(element, sizeof element, "%s[%d]", key, i);
        if (e->type != DSML_JV_OBJECT) return refuse(top, element, e, "an object");
        place p = {top->path, e, ""};
        snprintf(p.prefix, sizeof p.prefix, "%s.", element);
        char *item = (char *)*items + (size_t)i * item_size;
        int rc = read_one(&p, item);
        if (rc) return rc;
        *count = i + 1;
        const char *name = *(const char *const *)item; /* each item's first field (asserted below) */
        for (int k = 0; k < i; k++)
            if (!strcmp(*(const char *const *)((char *)*items + (size_t)k * item_size), name))
                return dsml_fail(DSML_ERR_FORMAT, "%s: %sname is \"%.40s\", expected a name not already given at "
                                 "%s[%d]", top->path, p.prefix, name, key, k);
    }
    return DSML_OK;
}

_Static_assert(offsetof(dsml_account_dataset, name) == 0, "read_list reads the name as the first field");
_Static_assert(offsetof(dsml_account_weights, name) == 0, "read_list reads the name as the first field");
static int read_dataset_item(const place *p, void *item) { return read_dataset(p, item); }
static int read_weights_item(const place *p, void *item) { return read_weights(p, item); }

/* ---- the file --------------------------------------------------------------------- */

void dsml_account_free(dsml_account *a)
{
    free(a->path);
    free(a->datasets);
    free(a->weights);
    if (a->doc.arena) dsml_json_doc_free(&a->doc);
    memset(a, 0, sizeof *a);
}

static int read_top(dsml_account *a, const char *path)
{
    const dsml_jv *root = a->doc.root;
    if (root->type != DSML_JV_OBJECT) return dsml_fail(DSML_ERR_FORMAT, "%s: expected a JSON object", path);
    place top = {path, root, ""};
    int version = 0;
    /* the version first: a later format is refused as such, not for its first unfamiliar key */
    int rc = read_int(&top, "format_version", DSML_ACCOUNT_FORMAT_VERSION, DSML_ACCOUNT_FORMAT_VERSION,
                      "1 (the account format this dsml reads)", &version);
    if (!rc) rc = read_string(&top, "sweep", 0, &a->sweep);
    if (!rc) rc = read_string(&top, "kinds", 1, &a->kinds);
    if (!rc) rc = read_list(&top, "datasets", sizeof *a->datasets, (void **)&a->datasets, &a->n_datasets,
                            read_dataset_item);
    if (!rc) rc = read_list(&top, "weights", sizeof *a->weights, (void **)&a->weights, &a->n_weights,
                            read_weights_item);
    if (!rc) rc = read_int(&top, "exit_status", 0, 1, "0 or 1", &a->exit_status);
    return rc;
}

int dsml_account_read(const char *path, dsml_account *out)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT) return DSML_OK; /* no account: the sweep has not written one */
    int rc = dsml_json_parse_file(&out->doc, path);
    if (rc) return rc;
    out->path = strdup(path);
    rc = out->path ? read_top(out, path) : dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
    if (rc) {
        dsml_account_free(out);
        return rc;
    }
    out->present = 1;
    return DSML_OK;
}

const dsml_account_dataset *dsml_account_find(const dsml_account *a, const char *name)
{
    for (int i = 0; a && a->present && i < a->n_datasets; i++)
        if (!strcmp(a->datasets[i].name, name)) return &a->datasets[i];
    return NULL;
}
