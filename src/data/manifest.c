/* Dataset manifest parser; see manifest.h and docs/fetch.md. */
#include "data/manifest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define MANIFEST_MAX_BYTES (1 << 20)

/* Next whitespace-separated word of *p, NUL-terminated in place; NULL at end. */
static char *next_word(char **p)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t') s++;
    if (!*s) { *p = s; return NULL; }
    char *w = s;
    while (*s && *s != ' ' && *s != '\t') s++;
    if (*s) *s++ = '\0';
    *p = s;
    return w;
}

/* The rest of the line after leading blanks, trailing blanks removed. */
static char *rest_of_line(char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r')) p[--n] = '\0';
    return p;
}

static int is_hex_of(const char *s, size_t len)
{
    if (strlen(s) != len) return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

static int is_url(const char *s)
{
    if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) return 0;
    for (const char *c = s; *c; c++)
        if (isspace((unsigned char)*c) || !isprint((unsigned char)*c)) return 0;
    return 1;
}

static int is_plain_name(const char *s)
{
    if (!s[0] || !strcmp(s, ".") || !strcmp(s, "..")) return 0;
    for (const char *c = s; *c; c++)
        if (*c == '/' || *c == '\\' || !isgraph((unsigned char)*c)) return 0;
    return 1;
}

/* Appends text to a fixed buffer, joined with one space; 0 when it does not fit. */
static int append_text(char *dst, size_t size, const char *text)
{
    size_t used = strlen(dst), add = strlen(text) + (used ? 1 : 0);
    if (used + add + 1 > size) return 0;
    if (used) dst[used++] = ' ';
    memcpy(dst + used, text, strlen(text) + 1);
    return 1;
}

/* A checksum of `digits` lowercase hex digits into out (digits + 1 bytes). */
static int hex_field(char *out, int digits, const char *key, const char *value, const char *source, int line)
{
    if (!is_hex_of(value, (size_t)digits))
        return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: %s '%s', expected %d lowercase hex digits or 'unknown'",
                         source, line, key, value, digits);
    memcpy(out, value, (size_t)digits + 1);
    return DSML_OK;
}

/* A SHA-256: 64 lowercase hex digits, or a prefix of 8..63 of them followed
 * by "..." (torchvision names its files after the first 8 digits and checks
 * only those; the "..." keeps a digest cut short by mistake from passing as a
 * prefix). Stored without the dots. */
static int sha256_field(char out[65], const char *value, const char *source, int line)
{
    size_t len = strlen(value), digits = len;
    if (len >= 3 && !strcmp(value + len - 3, "...")) digits = len - 3;
    char hex[65] = "";
    if (digits == len ? digits == 64 : digits >= DSML_MANIFEST_SHA256_PREFIX_MIN && digits < 64) {
        memcpy(hex, value, digits);
        hex[digits] = '\0';
    }
    if (!hex[0] || !is_hex_of(hex, digits))
        return dsml_fail(DSML_ERR_FORMAT,
                         "%s: line %d: sha256 '%s', expected 64 lowercase hex digits, a prefix of %d to 63 of them "
                         "followed by '...', or 'unknown'", source, line, value, DSML_MANIFEST_SHA256_PREFIX_MIN);
    memcpy(out, hex, digits + 1);
    return DSML_OK;
}

/* Parses "size N sha256 H md5 H" after the file name. */
static int parse_file_fields(dsml_manifest_file *f, char *p, const char *source, int line)
{
    int have_size = 0, have_sha = 0, have_md5 = 0;
    char *key;
    while ((key = next_word(&p))) {
        char *value = next_word(&p);
        if (!value)
            return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: '%s' has no value, expected '%s <value>'", source,
                             line, key, key);
        int unknown = !strcmp(value, "unknown");
        if (!strcmp(key, "size") && !have_size) {
            have_size = 1;
            f->size = -1;
            if (unknown) continue;
            char *end;
            errno = 0;
            long long v = strtoll(value, &end, 10);
            if (errno || *end || end == value || v < 0 || value[0] == '-' || value[0] == '+')
                return dsml_fail(DSML_ERR_FORMAT,
                                 "%s: line %d: size '%s', expected a byte count or 'unknown'", source, line, value);
            f->size = v;
        } else if (!strcmp(key, "sha256") && !have_sha) {
            have_sha = 1;
            int rc = unknown ? DSML_OK : sha256_field(f->sha256, value, source, line);
            if (rc) return rc;
        } else if (!strcmp(key, "md5") && !have_md5) {
            have_md5 = 1;
            int rc = unknown ? DSML_OK : hex_field(f->md5, 32, key, value, source, line);
            if (rc) return rc;
        } else {
            return dsml_fail(DSML_ERR_FORMAT,
                             "%s: line %d: unexpected '%s', expected each of size, sha256 and md5 once", source,
                             line, key);
        }
    }
    if (!have_size || !have_sha || !have_md5)
        return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: file '%s' lacks %s (write 'unknown' when it is not known)",
                         source, line, f->name, !have_size ? "size" : !have_sha ? "sha256" : "md5");
    return DSML_OK;
}

/* "sha256 HEX NOTE..." after `copy`: a known non-official copy. */
static int parse_copy(dsml_manifest *m, char *p, const char *source, int line)
{
    char *key = next_word(&p), *hex = next_word(&p);
    char *note = rest_of_line(p);
    if (!key || strcmp(key, "sha256") || !hex || !is_hex_of(hex, 64) || !note[0])
        return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: copy: expected 'copy sha256 <64 lowercase hex digits> <note>', "
                         "found 'copy %s%s%s'", source, line, key ? key : "", hex ? " " : "", hex ? hex : "");
    if (m->n_copies == DSML_MANIFEST_MAX_COPIES)
        return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: more than %d copy lines", source, line,
                         DSML_MANIFEST_MAX_COPIES);
    if (dsml_manifest_find_copy(m, hex))
        return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: copy sha256 %s listed twice", source, line, hex);
    dsml_manifest_copy *c = &m->copies[m->n_copies];
    memcpy(c->sha256, hex, 65);
    if (strlen(note) >= sizeof c->note)
        return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: copy note longer than %d bytes", source, line,
                         DSML_MANIFEST_TEXT - 1);
    memcpy(c->note, note, strlen(note) + 1);
    m->n_copies++;
    return DSML_OK;
}

static int check_file_complete(const dsml_manifest *m, const char *source, int line)
{
    if (m->n_files == 0) return DSML_OK;
    const dsml_manifest_file *f = &m->files[m->n_files - 1];
    if (f->n_urls == 0 && !f->manual[0])
        return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: file '%s' has neither a url nor a manual line", source, line,
                         f->name);
    return DSML_OK;
}

int dsml_manifest_parse(dsml_manifest *m, const char *text, const char *source)
{
    memset(m, 0, sizeof *m);
    size_t len = strlen(text);
    if (len > MANIFEST_MAX_BYTES)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %zu bytes, expected at most %d", source, len, MANIFEST_MAX_BYTES);
    char *copy = malloc(len + 1);
    if (!copy) return dsml_fail(DSML_ERR_NOMEM, "%s: no memory for %zu bytes", source, len + 1);
    memcpy(copy, text, len + 1);

    int rc = DSML_OK, line = 0;
    char *cursor = copy;
    while (rc == DSML_OK && *cursor) {
        char *p = cursor;
        char *nl = strchr(cursor, '\n');
        if (nl) { *nl = '\0'; cursor = nl + 1; } else cursor += strlen(cursor);
        line++;
        char *key = next_word(&p);
        if (!key || key[0] == '#') continue;
        char *rest = rest_of_line(p);
        dsml_manifest_file *f = m->n_files ? &m->files[m->n_files - 1] : NULL;
        int per_file = !strcmp(key, "url") || !strcmp(key, "mirror") || !strcmp(key, "manual");
        if (per_file && !f) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: '%s' before any 'file' line", source, line, key);
        } else if (!rest[0]) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: '%s' has no value", source, line, key);
        } else if (!strcmp(key, "name")) {
            if (m->name[0]) rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: a second 'name'", source, line);
            else if (!is_plain_name(rest) || strlen(rest) >= sizeof m->name)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: name '%s', expected one word without '/'", source,
                               line, rest);
            else snprintf(m->name, sizeof m->name, "%s", rest);
        } else if (!strcmp(key, "homepage")) {
            if (!is_url(rest) || strlen(rest) >= sizeof m->homepage)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: homepage '%s', expected an http(s) URL", source, line,
                               rest);
            else snprintf(m->homepage, sizeof m->homepage, "%s", rest);
        } else if (!strcmp(key, "licence")) {
            if (!append_text(m->licence, sizeof m->licence, rest))
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: licence text longer than %d bytes", source, line,
                               DSML_MANIFEST_TEXT - 1);
        } else if (!strcmp(key, "note")) {
            /* for people reading the file */
        } else if (!strcmp(key, "file")) {
            rc = check_file_complete(m, source, line);
            if (rc) break;
            if (m->n_files == DSML_MANIFEST_MAX_FILES) {
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: more than %d files", source, line,
                               DSML_MANIFEST_MAX_FILES);
                break;
            }
            f = &m->files[m->n_files++];
            char *fp = rest;
            char *fname = next_word(&fp);
            if (!is_plain_name(fname) || strlen(fname) >= sizeof f->name)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: file name '%s', expected a plain file name", source,
                               line, fname);
            else {
                snprintf(f->name, sizeof f->name, "%s", fname);
                for (int i = 0; i < m->n_files - 1; i++)
                    if (!strcmp(m->files[i].name, f->name))
                        rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: file '%s' listed twice", source, line,
                                       f->name);
                if (!rc) rc = parse_file_fields(f, fp, source, line);
            }
        } else if (!strcmp(key, "url") || !strcmp(key, "mirror")) {
            int is_official = !strcmp(key, "url");
            if (!is_url(rest) || strlen(rest) >= DSML_MANIFEST_URL)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: %s '%s', expected one http(s) URL", source, line, key,
                               rest);
            else if (is_official && f->n_urls > 0)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: a second 'url' for '%s' (use 'mirror')", source, line,
                               f->name);
            else if (!is_official && f->n_urls == 0)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: 'mirror' before the 'url' of '%s'", source, line,
                               f->name);
            else if (f->n_urls == DSML_MANIFEST_MAX_URLS)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: more than %d URLs for '%s'", source, line,
                               DSML_MANIFEST_MAX_URLS, f->name);
            else snprintf(f->urls[f->n_urls++], DSML_MANIFEST_URL, "%s", rest);
        } else if (!strcmp(key, "copy")) {
            rc = parse_copy(m, rest, source, line);
        } else if (!strcmp(key, "manual")) {
            if (!append_text(f->manual, sizeof f->manual, rest))
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %d: manual text longer than %d bytes", source, line,
                               DSML_MANIFEST_TEXT - 1);
        } else {
            rc = dsml_fail(DSML_ERR_FORMAT,
                           "%s: line %d: unknown directive '%s', expected name, homepage, licence, note, file, url, "
                           "mirror, manual or copy", source, line, key);
        }
    }
    free(copy);
    if (rc) return rc;
    if ((rc = check_file_complete(m, source, line))) return rc;
    if (!m->name[0]) return dsml_fail(DSML_ERR_FORMAT, "%s: no 'name' line", source);
    if (m->n_files == 0) return dsml_fail(DSML_ERR_FORMAT, "%s: no 'file' line", source);
    return DSML_OK;
}

int dsml_manifest_load(dsml_manifest *m, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));
    char *buf = malloc(MANIFEST_MAX_BYTES + 2);
    if (!buf) { fclose(fp); return dsml_fail(DSML_ERR_NOMEM, "%s: no memory", path); }
    size_t n = fread(buf, 1, MANIFEST_MAX_BYTES + 1, fp);
    int read_error = ferror(fp);
    fclose(fp);
    int rc;
    if (read_error) rc = dsml_fail(DSML_ERR_IO, "%s: read error", path);
    else if (n > MANIFEST_MAX_BYTES)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: larger than %d bytes", path, MANIFEST_MAX_BYTES);
    else if (memchr(buf, '\0', n)) rc = dsml_fail(DSML_ERR_FORMAT, "%s: contains a NUL byte, expected text", path);
    else {
        buf[n] = '\0';
        rc = dsml_manifest_parse(m, buf, path);
    }
    free(buf);
    return rc;
}

const dsml_manifest_file *dsml_manifest_find(const dsml_manifest *m, const char *name)
{
    for (int i = 0; i < m->n_files; i++)
        if (!strcmp(m->files[i].name, name)) return &m->files[i];
    return NULL;
}

const dsml_manifest_copy *dsml_manifest_find_copy(const dsml_manifest *m, const char *sha256)
{
    for (int i = 0; i < m->n_copies; i++)
        if (!strcmp(m->copies[i].sha256, sha256)) return &m->copies[i];
    return NULL;
}
