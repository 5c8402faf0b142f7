/* When a .part left by an earlier try may be continued, and the side file
 * that makes it safe: <file>.part.meta, written (atomically) when a download
 * starts from byte 0, holds the validator of the response the bytes came
 * from, which the next try sends back as If-Range. A server holding another
 * version then answers 200 with the whole file instead of appending the rest
 * of a different one. Format, one "key value" per line, unknown keys ignored:
 *
 *   url <the URL the bytes came from>      (for people)
 *   etag <strong ETag, quotes included>    (sent as If-Range when present)
 *   last-modified <HTTP date>              (sent as If-Range otherwise)
 */
#include <stdio.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/fetch_internal.h"

enum { META_MAX = 4096, VALIDATOR_MAX = 256 };

/* A header value fit to be sent back: printable ASCII, not too long. */
static int validator_ok(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n >= VALIDATOR_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0x20 || v[i] > 0x7e) return 0;
    return 1;
}

/* A weak ETag (W/"...") may not be used with If-Range (RFC 9110, 13.1.5). */
static int strong_etag(const char *etag)
{
    return validator_ok(etag) && strncmp(etag, "W/", 2) != 0;
}

/* The If-Range value recorded in `meta` into out[cap]: 1 found, 0 none. */
static int read_validator(const char *meta, char *out, size_t cap)
{
    FILE *fp = fopen(meta, "r");
    if (!fp) return 0;
    char text[META_MAX + 1];
    size_t n = fread(text, 1, META_MAX, fp);
    fclose(fp);
    text[n] = '\0';
    char etag[META_MAX] = "", date[META_MAX] = "";
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "etag ", 5)) snprintf(etag, sizeof etag, "%s", line + 5);
        else if (!strncmp(line, "last-modified ", 14)) snprintf(date, sizeof date, "%s", line + 14);
    }
    const char *v = strong_etag(etag) ? etag : validator_ok(date) ? date : NULL;
    if (!v || strlen(v) >= cap) return 0;
    snprintf(out, cap, "%s", v);
    return 1;
}

void dsml_fetch_part_drop(const char *part, const char *meta)
{
    remove(part);
    remove(meta);
}

int64_t dsml_fetch_part_plan(const dsml_manifest_file *f, const dsml_fetch_options *o, const char *part,
                             const char *meta, char *if_range, size_t cap)
{
    if_range[0] = '\0';
    int64_t have = dsml_fetch_file_size(part);
    if (have <= 0) {
        dsml_fetch_part_drop(part, meta);
        return 0;
    }
    if (f->size >= 0 && have > f->size) {
        dsml_fetch_note(o, "%s: discarding %s: %lld bytes, longer than the file's %lld", f->name, part,
                        (long long)have, (long long)f->size);
        dsml_fetch_part_drop(part, meta);
        return 0;
    }
    if (read_validator(meta, if_range, cap) || dsml_fetch_has_checksum(f)) return have;
    /* Nothing would notice if the server now holds another version: the
     * result would be the old bytes followed by the new file's tail. */
    dsml_fetch_note(o, "%s: discarding the %lld bytes of %s: no validator (ETag, Last-Modified) was recorded for "
                    "them and the manifest has no checksum to catch a mix of versions; starting from byte 0",
                    f->name, (long long)have, part);
    dsml_fetch_part_drop(part, meta);
    return 0;
}

int dsml_fetch_part_record(const char *meta, const char *url, const char *etag, const char *last_modified)
{
    int use_etag = strong_etag(etag), use_date = validator_ok(last_modified);
    if (!use_etag && !use_date) {
        remove(meta);
        return DSML_OK;
    }
    char text[META_MAX];
    /* the URL is for people and cut to fit; each validator is under VALIDATOR_MAX: no line can overflow */
    int n = snprintf(text, sizeof text, "url %.2048s\n", url);
    if (use_etag) n += snprintf(text + n, sizeof text - (size_t)n, "etag %s\n", etag);
    if (use_date) n += snprintf(text + n, sizeof text - (size_t)n, "last-modified %s\n", last_modified);
    return dsml_atomic_write(meta, text, (size_t)n);
}
