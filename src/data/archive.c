/* libarchive streaming with a hashing read callback; see archive.h. */
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

int dsml_archive_open(dsml_archive **out, const char *path)
{
    *out = NULL;
    dsml_archive *a = calloc(1, sizeof *a);
    if (!a) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate an archive reader", path);
    snprintf(a->path, sizeof a->path, "%s", path);
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
    if (archive_read_open(a->ar, a, NULL, read_callback, NULL) != ARCHIVE_OK) {
        int rc = dsml_fail(DSML_ERR_FORMAT, "%s: not a readable tar archive: %s", path,
                           a->read_error ? strerror(a->read_error) : archive_error_string(a->ar));
        dsml_archive_close(a, NULL);
        return rc;
    }
    *out = a;
    return DSML_OK;
}

/* A member name that could escape the folder it is extracted to. */
static int unsafe_name(const char *name)
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

int dsml_archive_next(dsml_archive *a, dsml_archive_member *m)
{
    memset(m, 0, sizeof *m);
    struct archive_entry *entry;
    int r = archive_read_next_header(a->ar, &entry);
    if (r == ARCHIVE_EOF) return DSML_OK;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return dsml_fail(DSML_ERR_FORMAT, "%s: after member %s: %s", a->path, a->name[0] ? a->name : "(none)",
                         a->read_error ? strerror(a->read_error) : archive_error_string(a->ar));
    const char *name = archive_entry_pathname(entry);
    if (!name || !*name) return dsml_fail(DSML_ERR_FORMAT, "%s: a member without a name", a->path);
    if (unsafe_name(name))
        return dsml_fail(DSML_ERR_FORMAT, "%s: member \"%s\": absolute path or \"..\" component, refused", a->path,
                         name);
    while (name[0] == '.' && name[1] == '/') name += 2;
    if (strlen(name) >= sizeof a->name)
        return dsml_fail(DSML_ERR_FORMAT, "%s: member name longer than %zu bytes", a->path, sizeof a->name - 1);
    snprintf(a->name, sizeof a->name, "%s", name);
    m->name = a->name;
    const char *slash = strrchr(a->name, '/');
    m->base = slash ? slash + 1 : a->name;
    m->is_file = archive_entry_filetype(entry) == AE_IFREG;
    m->size = m->is_file ? archive_entry_size(entry) : 0;
    return DSML_OK;
}

int dsml_archive_read(dsml_archive *a, void *buf, size_t size)
{
    size_t got = 0;
    while (got < size) {
        la_ssize_t r = archive_read_data(a->ar, (uint8_t *)buf + got, size - got);
        if (r < 0)
            return dsml_fail(DSML_ERR_FORMAT, "%s: %s: %s", a->path, a->name,
                             a->read_error ? strerror(a->read_error) : archive_error_string(a->ar));
        if (r == 0) break;
        got += (size_t)r;
    }
    if (got < size)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s: %zu bytes expected, %zu found", a->path, a->name, size, got);
    return DSML_OK;
}

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
