/* Downloads of manifest files: the options, a file already present, and the
 * order of tries (URL, then mirrors; `attempts` tries each with back-off)
 * around one HTTP request each (fetch_http.c), ending in verification
 * (fetch_verify.c) and the rename of the .part. See fetch.h, docs/fetch.md. */
#include "data/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/fetch_internal.h"

/* ------------------------------------------------------------ helpers */

void dsml_fetch_options_default(dsml_fetch_options *o, const char *root)
{
    memset(o, 0, sizeof *o);
    o->root = root;
    o->attempts = 4;
    o->backoff_s = 2.0;
    o->connect_timeout_s = 30;
    o->stall_timeout_s = 60;
}

void dsml_fetch_note(const dsml_fetch_options *o, const char *fmt, ...)
{
    if (!o->progress) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o->progress, fmt, ap);
    va_end(ap);
    fputc('\n', o->progress);
    fflush(o->progress);
}

int64_t dsml_fetch_file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    return (int64_t)st.st_size;
}

/* After a download whose full SHA-256 the manifest does not give: the
 * computed one, and what the manifest let fetch verify. */
static void note_computed(const dsml_fetch_options *o, const dsml_manifest_file *f, const char sha[65])
{
    char checked[128] = "";
    size_t used = 0;
    if (f->size >= 0) used += (size_t)snprintf(checked + used, sizeof checked - used, ", size");
    if (f->sha256[0])
        used += (size_t)snprintf(checked + used, sizeof checked - used, ", its first %zu digits", strlen(f->sha256));
    if (f->md5[0]) snprintf(checked + used, sizeof checked - used, ", MD5");
    dsml_fetch_note(o, "%s: sha256 %s (%s in the manifest; verified: %s)", f->name, sha,
                    f->sha256[0] ? "only a prefix" : "not", checked[0] ? checked + 2 : "nothing");
}

static void sleep_seconds(double s)
{
    if (s <= 0) return;
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* ------------------------------------------------------------ public */

static void set_result(dsml_fetch_result *r, const char *path, const char sha[65], int downloaded, int verified,
                       const char *sha256_path)
{
    snprintf(r->path, sizeof r->path, "%s", path);
    memcpy(r->sha256, sha, 65);
    r->downloaded = downloaded;
    r->verified = verified;
    snprintf(r->sha256_path, sizeof r->sha256_path, "%s", sha256_path);
}

/* The complete .part verified and moved into place, with the SHA-256 of a
 * file the manifest has no checksum for recorded beside it. A checksum
 * mismatch removes the .part (DSML_ERR_CHECKSUM: the caller tries the next
 * URL); any other error is the data root's (DSML_ERR_IO). */
static int finish(const dsml_manifest_file *f, const dsml_fetch_options *o, const char *url, const char *part,
                  const char *meta, const char *final, const char *record, dsml_fetch_result *result)
{
    char sha[65];
    int rc = dsml_fetch_verify(f, part, sha);
    if (rc == DSML_ERR_CHECKSUM) {
        char why[1024];
        snprintf(why, sizeof why, "%s", dsml_last_error()); /* not the buffer dsml_fail writes */
        dsml_fetch_part_drop(part, meta);
        return dsml_fail(DSML_ERR_CHECKSUM, "%s (downloaded from %s; the partial file was removed)", why, url);
    }
    if (rc) return DSML_ERR_IO;
    int verified = dsml_fetch_has_checksum(f);
    if (!verified && (rc = dsml_fetch_record_sha256(record, f->name, sha))) return DSML_ERR_IO;
    if (rename(part, final) != 0) return dsml_fail(DSML_ERR_IO, "%s -> %s: %s", part, final, strerror(errno));
    remove(meta);
    if (!verified)
        dsml_fetch_note(o, "%s: UNVERIFIED (no checksum in the manifest): sha256 %s, recorded in %s", f->name, sha,
                        record);
    else if (strlen(f->sha256) < 64)
        note_computed(o, f, sha);
    if (result) set_result(result, final, sha, 1, verified, verified ? "" : record);
    return DSML_OK;
}

static int try_present(const dsml_manifest_file *f, const dsml_fetch_options *o, const char *path,
                       dsml_fetch_result *result)
{
    if (dsml_fetch_file_size(path) < 0) return 0;
    char sha[65];
    if (dsml_fetch_verify(f, path, sha) != DSML_OK) {
        dsml_fetch_note(o, "%s: ignoring %s: %s", f->name, path, dsml_last_error());
        return 0;
    }
    int verified = dsml_fetch_has_checksum(f);
    dsml_fetch_note(o, "%s: present at %s (%s), sha256 %s", f->name, path,
                    verified ? "verified" : "UNVERIFIED: no checksum in the manifest", sha);
    if (result) set_result(result, path, sha, 0, verified, "");
    return 1;
}

int dsml_fetch_file(const dsml_manifest_file *f, const dsml_fetch_options *o, dsml_fetch_result *result)
{
    if (!o->root || !o->root[0]) return dsml_fail(DSML_ERR_ARG, "fetch %s: no data root given", f->name);
    if (o->attempts < 1) return dsml_fail(DSML_ERR_ARG, "fetch %s: attempts %d, expected >= 1", f->name, o->attempts);
    if (o->stall_timeout_s < 1)
        return dsml_fail(DSML_ERR_ARG, "fetch %s: stall limit %ld s, expected >= 1", f->name, o->stall_timeout_s);
    char dir[4096], final[4096], alt[4096], part[4096], meta[4096], record[4104];
    if (snprintf(dir, sizeof dir, "%s/downloads", o->root) >= (int)sizeof dir ||
        snprintf(final, sizeof final, "%s/%s", dir, f->name) >= (int)sizeof final ||
        snprintf(alt, sizeof alt, "%s/%s", o->root, f->name) >= (int)sizeof alt ||
        snprintf(part, sizeof part, "%s.part", final) >= (int)sizeof part ||
        snprintf(meta, sizeof meta, "%s.part.meta", final) >= (int)sizeof meta ||
        snprintf(record, sizeof record, "%s.sha256", final) >= (int)sizeof record)
        return dsml_fail(DSML_ERR_ARG, "%s: data root path too long", o->root);
    if (try_present(f, o, final, result) || try_present(f, o, alt, result)) return DSML_OK;

    /* The URLs to try, in order. */
    char override[DSML_MANIFEST_URL * 2];
    const char *urls[DSML_MANIFEST_MAX_URLS];
    int n_urls = 0;
    if (o->url) {
        size_t len = strlen(o->url);
        if (snprintf(override, sizeof override, "%s%s", o->url, len && o->url[len - 1] == '/' ? f->name : "") >=
            (int)sizeof override)
            return dsml_fail(DSML_ERR_ARG, "%s: URL too long", o->url);
        urls[n_urls++] = override;
    } else {
        for (int i = 0; i < f->n_urls; i++) urls[n_urls++] = f->urls[i];
    }
    if (n_urls == 0)
        return dsml_fail(DSML_ERR_STATE, "%s: not in %s/downloads/ or %s/, and it is not downloaded automatically: %s",
                         f->name, o->root, o->root, f->manual[0] ? f->manual : "no URL is known");

    int rc = dsml_mkdirs(dir);
    if (rc) return rc;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return dsml_fail(DSML_ERR_NETWORK, "%s: libcurl could not be initialised", f->name);
    CURL *curl = curl_easy_init();
    if (!curl) {
        curl_global_cleanup();
        return dsml_fail(DSML_ERR_NOMEM, "%s: libcurl could not create a handle", f->name);
    }

    char last[2048] = "", checksum_msg[2048] = "";
    rc = DSML_ERR_NETWORK;
    for (int u = 0; u < n_urls && rc != DSML_OK && rc != DSML_ERR_IO; u++) {
        for (int attempt = 1; attempt <= o->attempts; attempt++) {
            if (attempt > 1) {
                double wait = o->backoff_s * pow(2.0, attempt - 2);
                dsml_fetch_note(o, "%s: try %d of %d in %.1f s (%s)", f->name, attempt, o->attempts, wait, last);
                sleep_seconds(wait);
            }
            dsml_fetch_step step = dsml_fetch_transfer(curl, f, o, urls[u], part, meta);
            if (step == DSML_FETCH_RETRY || step == DSML_FETCH_NEXT_URL) {
                snprintf(last, sizeof last, "%s", dsml_last_error());
                if (step == DSML_FETCH_RETRY) continue;
                if (u + 1 < n_urls) dsml_fetch_note(o, "%s: %s; trying the next URL", f->name, last);
                break;
            }
            int v = step == DSML_FETCH_FATAL ? DSML_ERR_IO : finish(f, o, urls[u], part, meta, final, record, result);
            snprintf(last, sizeof last, "%s", dsml_last_error());
            if (v == DSML_ERR_CHECKSUM) snprintf(checksum_msg, sizeof checksum_msg, "%s", last); /* next URL */
            else rc = v ? DSML_ERR_IO : DSML_OK;
            break;
        }
    }
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    if (rc == DSML_OK) return DSML_OK;
    if (rc == DSML_ERR_IO) return dsml_fail(DSML_ERR_IO, "%s", last);
    if (checksum_msg[0]) return dsml_fail(DSML_ERR_CHECKSUM, "%s", checksum_msg);
    return dsml_fail(DSML_ERR_NETWORK, "%s: download failed: %s", f->name, last);
}

int dsml_fetch_dataset(const dsml_manifest *m, const dsml_fetch_options *o)
{
    if (o->url && m->n_files > 1) {
        size_t len = strlen(o->url);
        if (!len || o->url[len - 1] != '/')
            return dsml_fail(DSML_ERR_ARG,
                             "%s has %d files: give a URL ending in '/' (each file name is appended to it)", m->name,
                             m->n_files);
    }
    for (int i = 0; i < m->n_files; i++) {
        int rc = dsml_fetch_file(&m->files[i], o, NULL);
        if (rc) return rc;
    }
    return DSML_OK;
}
