/* libarchive streaming with a hashing read callback, member-name and link
 * checks, and caps on decompressed bytes; see archive.h. */
#include "data/archive.h"
#include "core/error.h"
#include "core/sha256.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dsml_archive {
    struct archive *ar;
    FILE *fp;
    dsml_sha256 sha;
    int read_error;          /* errno of a failed fread, or 0 */
    int64_t max_total, max_entry;
    int64_t total;           /* decompressed bytes read so far */
    int64_t entry;           /* of the current member */
    int64_t declared;        /* the current member's declared size, or 0 */
    char path[4096];
    char name[4096];         /* current member */
    uint8_t buf[1 << 16];
};

static la_ssize_t read_callback(struct archive *ar, void *data, const void **out)
{
    (void)ar;
    dsml_archive *a = data;
    size_t got = fread(a->buf, 1, sizeof a->buf, a->fp);
    if (got == 0 && ferror(a->fp)) {
        a->read_error = errno ? errno : EIO;
        return -1;
    }
    dsml_sha256_update(&a->sha, a->buf, got);
    *out = a->buf;
    return (la_ssize_t)got;
}

static const char *message(const dsml_archive *a)
{
    if (a->read_error) return strerror(a->read_error);
    const char *m = archive_error_string(a->ar);
    return m ? m : "unknown error";
}

int dsml_archive_open(dsml_archive **out, const char *path, const dsml_archive_limits *limits)
{
    *out = NULL;
    dsml_archive *a = calloc(1, sizeof *a);
    if (!a) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate an archive reader", path);
    snprintf(a->path, sizeof a->path, "%s", path);
    a->max_total = limits && limits->max_total_bytes > 0 ? limits->max_total_bytes : DSML_ARCHIVE_MAX_TOTAL_BYTES;
    a->max_entry = limits && limits->max_entry_bytes > 0 ? limits->max_entry_bytes : DSML_ARCHIVE_MAX_ENTRY_BYTES;
    dsml_sha256_init(&a->sha);
    a->fp = fopen(path, "rb");
    if (!a->fp) {
        int saved = errno;
        free(a);
        return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(saved));
    }
    a->ar = archive_read_new();
    if (!a->ar) {
        fclose(a->fp);
        free(a);
        return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate an archive reader", path);
    }
    archive_read_support_filter_all(a->ar);
    archive_read_support_format_tar(a->ar);
    archive_read_support_format_gnutar(a->ar);
    archive_read_support_format_zip_streamable(a->ar);
    if (archive_read_open(a->ar, a, NULL, read_callback, NULL) != ARCHIVE_OK) {
        int rc = dsml_fail(DSML_ERR_FORMAT, "%s: not a readable archive (tar, tar.gz, zip): %s", path, message(a));
        dsml_archive_close(a, NULL);
        return rc;
    }
    *out = a;
    return DSML_OK;
}

int dsml_archive_unsafe_name(const char *name)
{
    if (name[0] == '/') return 1;
    for (const char *p = name; *p;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') return 1;
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

/* Walks `path` component by component from `depth` folders below the root;
 * returns the depth reached, or -1 as soon as it climbs above the root. */
static int walk_depth(const char *path, int depth, int last_is_file)
{
    for (const char *p = path; *p;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0) return -1;
        } else if (len && !(len == 1 && p[0] == '.') && (end || !last_is_file)) {
            depth++;
        }
        if (!end) break;
        p = end + 1;
    }
    return depth;
}

int dsml_archive_link_escapes(const char *name, const char *target)
{
    if (!target || !*target || target[0] == '/') return 1;
    int depth = walk_depth(name, 0, 1); /* the folders the link sits in */
    if (depth < 0) return 1;
    return walk_depth(target, depth, 0) < 0;
}

int dsml_archive_next(dsml_archive *a, dsml_archive_member *m)
{
    memset(m, 0, sizeof *m);
    /* what is skipped unread still had to be decompressed: count it too */
    if (a->declared > a->entry) a->total += a->declared - a->entry;
    a->declared = a->entry = 0;
    struct archive_entry *entry;
    int r = archive_read_next_header(a->ar, &entry);
    if (r == ARCHIVE_EOF) return DSML_OK;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return dsml_fail(DSML_ERR_FORMAT, "%s: after member %s: %s", a->path, a->name[0] ? a->name : "(none)",
                         message(a));
    const char *name = archive_entry_pathname(entry);
    if (!name || !*name)
        return dsml_fail(DSML_ERR_FORMAT, "%s: after member %s: a member without a name", a->path,
                         a->name[0] ? a->name : "(none)");
    if (dsml_archive_unsafe_name(name))
        return dsml_fail(DSML_ERR_FORMAT, "%s: member \"%s\": absolute path or \"..\" component, refused", a->path,
                         name);
    const char *hard = archive_entry_hardlink(entry);
    if (hard && dsml_archive_unsafe_name(hard))
        return dsml_fail(DSML_ERR_FORMAT, "%s: member \"%s\": hard link to \"%s\", outside the archive, refused",
                         a->path, name, hard);
    if (archive_entry_filetype(entry) == AE_IFLNK) {
        const char *target = archive_entry_symlink(entry);
        if (dsml_archive_link_escapes(name, target))
            return dsml_fail(DSML_ERR_FORMAT, "%s: member \"%s\": symbolic link to \"%s\", outside the archive, "
                             "refused", a->path, name, target ? target : "");
    }
    while (name[0] == '.' && name[1] == '/') name += 2;
    if (strlen(name) >= sizeof a->name)
        return dsml_fail(DSML_ERR_FORMAT, "%s: member name longer than %zu bytes", a->path, sizeof a->name - 1);
    snprintf(a->name, sizeof a->name, "%s", name);
    m->name = a->name;
    const char *slash = strrchr(a->name, '/');
    m->base = slash ? slash + 1 : a->name;
    m->is_file = archive_entry_filetype(entry) == AE_IFREG && !hard;
    m->size = !m->is_file ? 0 : archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1;
    if (m->size > a->max_entry)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s: declares %lld bytes, more than the %lld allowed for one member, "
                         "refused", a->path, a->name, (long long)m->size, (long long)a->max_entry);
    if (m->size > 0 && a->total + m->size > a->max_total)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s: declares %lld bytes, more than the %lld bytes allowed to be "
                         "decompressed from the archive (a decompression bomb?), refused", a->path, a->name,
                         (long long)m->size, (long long)a->max_total);
    a->declared = m->size > 0 ? m->size : 0;
    return DSML_OK;
}

int dsml_archive_read_some(dsml_archive *a, void *buf, size_t cap, size_t *got)
{
    *got = 0;
    la_ssize_t r = archive_read_data(a->ar, buf, cap);
    if (r < 0) return dsml_fail(DSML_ERR_FORMAT, "%s: %s: %s", a->path, a->name, message(a));
    a->total += r;
    a->entry += r;
    if (a->entry > a->max_entry)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s: more than %lld bytes in one member, refused", a->path, a->name,
                         (long long)a->max_entry);
    if (a->total > a->max_total)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s: more than %lld bytes decompressed from the archive (a "
                         "decompression bomb?), refused", a->path, a->name, (long long)a->max_total);
    *got = (size_t)r;
    return DSML_OK;
}

int dsml_archive_read(dsml_archive *a, void *buf, size_t size)
{
    size_t got = 0;
    while (got < size) {
        size_t n;
        int rc = dsml_archive_read_some(a, (uint8_t *)buf + got, size - got, &n);
        if (rc) return rc;
        if (n == 0) break;
        got += n;
    }
    if (got < size)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s: %zu bytes expected, %zu found", a->path, a->name, size, got);
    return DSML_OK;
}

int dsml_archive_read_member(dsml_archive *a, uint8_t **buf, size_t *cap, size_t *size)
{
    size_t used = 0;
    *size = 0;
    for (;;) {
        if (*cap < used + (1 << 16) + 1) {
            size_t n = *cap ? *cap : (1 << 16);
            while (n < used + (1 << 16) + 1) n *= 2;
            uint8_t *p = realloc(*buf, n);
            if (!p) return dsml_fail(DSML_ERR_NOMEM, "%s: %s: cannot allocate %zu bytes", a->path, a->name, n);
            *buf = p;
            *cap = n;
        }
        size_t got;
        int rc = dsml_archive_read_some(a, *buf + used, *cap - used - 1, &got);
        if (rc) return rc;
        if (got == 0) break;
        used += got;
    }
    (*buf)[used] = 0;
    *size = used;
    return DSML_OK;
}

const char *dsml_archive_path(const dsml_archive *a) { return a->path; }

int64_t dsml_archive_total(const dsml_archive *a) { return a->total; }

int dsml_archive_close(dsml_archive *a, char sha256_hex[65])
{
    if (!a) return DSML_OK;
    int rc = DSML_OK;
    if (a->ar) archive_read_free(a->ar);
    if (sha256_hex) {
        size_t got;
        while ((got = fread(a->buf, 1, sizeof a->buf, a->fp)) > 0) dsml_sha256_update(&a->sha, a->buf, got);
        if (ferror(a->fp)) rc = dsml_fail(DSML_ERR_IO, "%s: read failed: %s", a->path, strerror(errno));
        else dsml_sha256_final_hex(&a->sha, sha256_hex);
    }
    fclose(a->fp);
    free(a);
    return rc;
}
