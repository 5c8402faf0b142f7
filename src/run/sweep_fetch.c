/* Fetching and preparing what a sweep's runs need, and the record of it
 * (fetch.json). See sweep_fetch.h and docs/sweep.md ("Fetching"). */
#include "run/sweep_fetch.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/json.h"
#include "core/json_parse.h"
#include "data/fetch.h"
#include "data/manifest.h"

static const char *const statuses[] = {"available", "fetched", "failed", "manual", "off", "unknown"};

/* src into dst[cap], cut to fit (a long manual text is still one line) */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void need_set(dsml_sweep_need *need, const char *status, const char *reason, const char *get)
{
    need->status = status;
    copy_text(need->reason, sizeof need->reason, reason);
    copy_text(need->get, sizeof need->get, get);
}

/* The manifest of `name`: 1 loaded, 0 none there, -1 broken (message in why). */
static int load_manifest(dsml_manifest *m, const char *name, const char *manifest_dir, char *why, size_t cap)
{
    char path[4096];
    if (strchr(name, '/') || name[0] == '.' ||
        snprintf(path, sizeof path, "%s/%s.manifest", manifest_dir, name) >= (int)sizeof path ||
        access(path, F_OK) != 0)
        return 0;
    if (dsml_manifest_load(m, path)) {
        snprintf(why, cap, "%s", dsml_last_error());
        return -1;
    }
    return 1;
}

/* Each file's manual text, joined with spaces (a text given twice once). */
static int manual_steps(const dsml_manifest *m, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < m->n_files; i++) {
        const char *t = m->files[i].manual;
        if (!t[0] || strstr(out, t)) continue;
        int len = snprintf(out + used, cap - used, "%s%s", used ? " " : "", t);
        if (len < 0 || (size_t)len >= cap - used) break;
        used += (size_t)len;
    }
    return used > 0;
}

void dsml_sweep_get_command(const char *name, const char *manifest_dir, char *get, size_t cap, int *manual)
{
    dsml_manifest m;
    char why[1024], steps[900];
    int is_manual = 0;
    get[0] = '\0';
    if (load_manifest(&m, name, manifest_dir, why, sizeof why) == 1) {
        is_manual = manual_steps(&m, steps, sizeof steps);
        /* manifests are named as they are in the repository: no machine's absolute path */
        if (is_manual) snprintf(get, cap, "see datasets/%s.manifest: %s", name, steps);
        else snprintf(get, cap, "dsml fetch %s", name);
    }
    if (manual) *manual = is_manual;
}

/* The manifest's files downloaded and verified: 1, or 0 with need set. */
static int fetch_files(dsml_sweep_need *need, const dsml_manifest *m, const char *root, FILE *progress,
                       const char *get)
{
    dsml_fetch_options fo;
    dsml_fetch_options_default(&fo, root);
    fo.progress = progress;
    for (int i = 0; i < m->n_files; i++) {
        if (dsml_fetch_file(&m->files[i], &fo, NULL) == DSML_OK) continue;
        char reason[1024];
        snprintf(reason, sizeof reason, "not downloaded: %s", dsml_last_error());
        need_set(need, "failed", reason, get);
        return 0;
    }
    return 1;
}

/* The steps common to datasets and weights, up to the download: 1 when the
 * files are now in root/downloads/, 0 when need says why not. */
static int fetch_manifest(dsml_sweep_need *need, const char *name, const char *what, const char *manifest_dir,
                          const char *root, int fetch_on, FILE *progress)
{
    dsml_manifest m;
    char why[1024], reason[1200], get[1024];
    int found = load_manifest(&m, name, manifest_dir, why, sizeof why), manual = 0;
    if (found == 0) {
        snprintf(reason, sizeof reason, "%s %s is not there and there is no manifest %s.manifest to download it from",
                 what, name, name);
        need_set(need, "unknown", reason, "");
        return 0;
    }
    if (found < 0) {
        snprintf(reason, sizeof reason, "its manifest is broken: %s", why);
        need_set(need, "failed", reason, "");
        return 0;
    }
    dsml_sweep_get_command(name, manifest_dir, get, sizeof get, &manual);
    if (manual) {
        snprintf(reason, sizeof reason, "manual %s: it is not downloaded automatically", what);
        need_set(need, "manual", reason, get);
        return 0;
    }
    if (!fetch_on) {
        need_set(need, "off", "not downloaded: downloading is turned off (FETCH=no, --no-fetch)", get);
        return 0;
    }
    return fetch_files(need, &m, root, progress, get);
}

int dsml_sweep_fetch_dataset(dsml_sweep_need *need, const char *name, const char *manifest_dir, const char *root,
                             const dsml_data_options *data, int fetch_on, FILE *progress)
{
    if (!need || !name || !manifest_dir || !root || !data)
        return dsml_fail(DSML_ERR_ARG, "sweep fetch: an argument is NULL");
    memset(need, 0, sizeof *need);
    snprintf(need->name, sizeof need->name, "%s", name);
    if (!fetch_manifest(need, name, "dataset", manifest_dir, root, fetch_on, progress)) return DSML_OK;

    dsml_data_options o = *data;
    char downloads[4096];
    o.from = NULL;
    o.log = progress;
    snprintf(downloads, sizeof downloads, "%s/downloads", root);
    if (!dsml_data_available(name, root, &o, NULL, 0)) o.from = downloads; /* a kind that looks elsewhere */
    dsml_dataset ds;
    int prepared = 0;
    if (dsml_data_prepare(&ds, name, NULL, root, &o, &prepared)) {
        char reason[1024], get[1024];
        snprintf(reason, sizeof reason, "prepare failed: %s", dsml_last_error());
        snprintf(get, sizeof get, "dsml prepare %s", name);
        need_set(need, "failed", reason, get);
        return DSML_OK;
    }
    dsml_dataset_free(&ds);
    need_set(need, "fetched", "", "");
    return DSML_OK;
}

int dsml_sweep_fetch_weights(dsml_sweep_need *need, const char *name, const char *manifest_dir, const char *root,
                             int fetch_on, FILE *progress)
{
    if (!need || !name || !manifest_dir || !root) return dsml_fail(DSML_ERR_ARG, "sweep fetch: an argument is NULL");
    memset(need, 0, sizeof *need);
    need->weights = 1;
    snprintf(need->name, sizeof need->name, "%s", name);
    if (fetch_manifest(need, name, "weights file", manifest_dir, root, fetch_on, progress))
        need_set(need, "fetched", "", "");
    return DSML_OK;
}

static void write_needs(dsml_json *j, const dsml_sweep_need *needs, int n, int weights)
{
    dsml_json_key(j, weights ? "weights" : "datasets");
    dsml_json_array_begin(j);
    for (int i = 0; i < n; i++) {
        if (needs[i].weights != weights) continue;
        dsml_json_object_begin(j);
        dsml_json_kv_string(j, "name", needs[i].name);
        dsml_json_kv_string(j, "status", needs[i].status);
        dsml_json_kv_string(j, "reason", needs[i].reason);
        dsml_json_kv_string(j, "get", needs[i].get);
        dsml_json_object_end(j);
    }
    dsml_json_array_end(j);
}

int dsml_sweep_fetch_write(const dsml_sweep_need *needs, int n, int fetch_on, FILE *fp)
{
    dsml_json j;
    dsml_json_init(&j, fp);
    dsml_json_object_begin(&j);
    dsml_json_kv_int(&j, "format_version", 1);
    dsml_json_kv_bool(&j, "fetch", fetch_on);
    write_needs(&j, needs, n, 0);
    write_needs(&j, needs, n, 1);
    dsml_json_object_end(&j);
    fputc('\n', fp);
    return ferror(fp) ? dsml_fail(DSML_ERR_IO, "fetch.json: write failed") : DSML_OK;
}

int dsml_sweep_fetch_lookup(const char *path, const char *name, int weights, dsml_sweep_need *need)
{
    if (access(path, F_OK) != 0) return 0;
    dsml_json_doc doc;
    if (dsml_json_parse_file(&doc, path)) return DSML_ERR_FORMAT;
    const dsml_jv *list = dsml_jv_get(doc.root, weights ? "weights" : "datasets");
    int found = 0;
    for (const dsml_jv *e = list && list->type == DSML_JV_ARRAY ? list->child : NULL; e && !found; e = e->next) {
        if (strcmp(dsml_jv_string(e, "name", ""), name)) continue;
        const char *status = dsml_jv_string(e, "status", "");
        memset(need, 0, sizeof *need);
        snprintf(need->name, sizeof need->name, "%s", name);
        need->weights = weights;
        need->status = statuses[5];
        for (size_t s = 0; s < sizeof statuses / sizeof statuses[0]; s++)
            if (!strcmp(statuses[s], status)) need->status = statuses[s];
        snprintf(need->reason, sizeof need->reason, "%s", dsml_jv_string(e, "reason", ""));
        snprintf(need->get, sizeof need->get, "%s", dsml_jv_string(e, "get", ""));
        found = 1;
    }
    dsml_json_doc_free(&doc);
    return found;
}
