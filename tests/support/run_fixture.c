/* Fake runs for tests; see run_fixture.h. */
#include "run_fixture.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"

void fixture_init(fixture_doc *d)
{
    d->n = 0;
}

void fixture_raw(fixture_doc *d, const char *key, const char *json)
{
    ck_assert_msg(d->n < FIXTURE_MAX_KEYS, "fixture: more than %d keys", FIXTURE_MAX_KEYS);
    ck_assert_msg(strlen(key) < sizeof d->key[0] && strlen(json) < sizeof d->value[0], "fixture: %s too long", key);
    strcpy(d->key[d->n], key);
    strcpy(d->value[d->n], json);
    d->n++;
}

void fixture_str(fixture_doc *d, const char *key, const char *value)
{
    char json[512];
    snprintf(json, sizeof json, "\"%s\"", value);
    fixture_raw(d, key, json);
}

void fixture_num(fixture_doc *d, const char *key, double value)
{
    char json[64];
    snprintf(json, sizeof json, "%.17g", value);
    fixture_raw(d, key, json);
}

void fixture_int(fixture_doc *d, const char *key, long long value)
{
    char json[64];
    snprintf(json, sizeof json, "%lld", value);
    fixture_raw(d, key, json);
}

void fixture_bool(fixture_doc *d, const char *key, int value)
{
    fixture_raw(d, key, value ? "true" : "false");
}

void fixture_run(fixture_doc *d, const char *dataset, const char *loss, const char *distance, int dim, int seed)
{
    fixture_init(d);
    fixture_str(d, "config.dataset", dataset);
    fixture_str(d, "config.loss", loss);
    fixture_str(d, "config.distance", distance);
    fixture_int(d, "config.dim", dim);
    fixture_int(d, "config.seed", seed);
}

void fixture_set(fixture_doc *d, const char *key, const char *json)
{
    int k = 0;
    while (k < d->n && strcmp(d->key[k], key)) k++;
    if (k == d->n) {
        if (json) fixture_raw(d, key, json);
        return;
    }
    if (json) {
        ck_assert_msg(strlen(json) < sizeof d->value[k], "fixture: %s too long", key);
        strcpy(d->value[k], json);
        return;
    }
    for (d->n--; k < d->n; k++) {
        memcpy(d->key[k], d->key[k + 1], sizeof d->key[k]);
        memcpy(d->value[k], d->value[k + 1], sizeof d->value[k]);
    }
}

void fixture_recalls(fixture_doc *d, const char *block, double base)
{
    static const int k[6] = {1, 2, 4, 8, 16, 32};
    char key[96];
    for (int i = 0; i < 6; i++) {
        snprintf(key, sizeof key, "metrics.%s.recall@%d", block, k[i]);
        fixture_num(d, key, base + k[i] / 100.0);
    }
}

/* The name of key i's member below `prefix` (a key or "" for the root) into
 * out; 0 when key i is not below it. */
static int member(const fixture_doc *d, int i, const char *prefix, char *out, size_t size)
{
    size_t lp = strlen(prefix);
    const char *k = d->key[i];
    if (lp && (strncmp(k, prefix, lp) || k[lp] != '.')) return 0;
    const char *start = lp ? k + lp + 1 : k, *dot = strchr(start, '.');
    size_t len = dot ? (size_t)(dot - start) : strlen(start);
    snprintf(out, size, "%.*s", (int)len, start);
    return 1;
}

static void write_object(FILE *fp, const fixture_doc *d, const char *prefix, int depth)
{
    char done[FIXTURE_MAX_KEYS][96];
    int n_done = 0;
    fputc('{', fp);
    for (int i = 0; i < d->n; i++) {
        char name[96], path[200];
        if (!member(d, i, prefix, name, sizeof name)) continue;
        int seen = 0;
        for (int k = 0; k < n_done && !seen; k++) seen = !strcmp(done[k], name);
        if (seen) continue;
        strcpy(done[n_done++], name);
        fprintf(fp, "%s\n%*s\"%s\": ", n_done > 1 ? "," : "", 2 * (depth + 1), "", name);
        snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", name);
        int leaf = -1;
        for (int k = 0; k < d->n && leaf < 0; k++)
            if (!strcmp(d->key[k], path)) leaf = k;
        if (leaf >= 0) fputs(d->value[leaf], fp);
        else write_object(fp, d, path, depth + 1);
    }
    fprintf(fp, "\n%*s}", 2 * depth, "");
}

void fixture_write(const fixture_doc *d, const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        ck_assert_msg(dsml_mkdirs(dir) == DSML_OK, "%s", dsml_last_error());
    }
    FILE *fp = fopen(path, "w");
    ck_assert_msg(fp != NULL, "%s: cannot create", path);
    write_object(fp, d, "", 0);
    fputc('\n', fp);
    ck_assert_int_eq(fclose(fp), 0);
}

void fixture_write_run(const fixture_doc *d, const char *root, const char *dataset, const char *run)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s/%s/metrics.json", root, dataset, run);
    fixture_write(d, path);
}

static void put_u32(FILE *fp, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    fwrite(b, 1, 4, fp);
}

static void put_float(FILE *fp, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, 4);
    put_u32(fp, bits);
}

void fixture_embeddings(const char *path, int d, int nq, int ndb, const int *qlabels, const float *q,
                        const char *magic, uint32_t version)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_msg(fp != NULL, "%s: cannot create", path);
    fwrite(magic, 1, 8, fp);
    put_u32(fp, version);
    put_u32(fp, (uint32_t)d);
    put_u32(fp, (uint32_t)nq);
    put_u32(fp, (uint32_t)ndb);
    for (int i = 0; i < nq; i++) put_u32(fp, (uint32_t)qlabels[i]);
    for (int i = 0; i < nq; i++) put_u32(fp, (uint32_t)(1000 + i));
    for (int i = 0; i < ndb; i++) put_u32(fp, (uint32_t)(i % 3));
    for (int i = 0; i < ndb; i++) put_u32(fp, (uint32_t)i);
    for (int i = 0; i < nq * d; i++) put_float(fp, q[i]);
    for (int i = 0; i < ndb * d; i++) put_float(fp, -1.0f);
    ck_assert_int_eq(fclose(fp), 0);
}

/* ---- account.json ----------------------------------------------------------------- */

void fixture_account(const char *results, const char *datasets_json, const char *weights_json)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/account.json", results);
    int incomplete = strstr(datasets_json, "\"incomplete\"") || strstr(datasets_json, "\"skipped\"");
    FILE *fp = fopen(path, "w");
    ck_assert_msg(fp != NULL, "%s: cannot write", path);
    fprintf(fp, "{\n  \"format_version\": 1,\n  \"sweep\": \"paper.sweep\",\n  \"kinds\": \"runs\",\n"
            "  \"datasets\": %s,\n  \"weights\": %s,\n  \"exit_status\": %d\n}\n",
            datasets_json, weights_json, incomplete);
    ck_assert_int_eq(fclose(fp), 0);
}

const char *fixture_account_dataset(const char *name, int finished, int failed, int not_started, int skipped,
                                    const char *reason, const char *get)
{
    static char text[4][1024]; /* a few entries per list */
    static int slot;
    char *out = text[slot++ % 4];
    int runs = finished + failed + not_started + skipped;
    const char *status = runs == skipped ? "skipped" : finished == runs ? "complete" : "incomplete";
    snprintf(out, sizeof text[0], "{\"name\": \"%s\", \"runs\": %d, \"finished\": %d, \"failed\": %d, "
             "\"not_started\": %d, \"skipped\": %d, \"status\": \"%s\", \"reason\": \"%s\", \"get\": \"%s\"}",
             name, runs, finished, failed, not_started, skipped, status, reason, get);
    return out;
}
