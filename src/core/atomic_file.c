/* Temp file + fsync + rename; see atomic_file.h. */
#include "core/atomic_file.h"
#include "core/error.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dsml_atomic_begin(dsml_atomic_file *f, const char *path)
{
    memset(f, 0, sizeof *f);
    if (strlen(path) + 32 >= sizeof f->path)
        return dsml_fail(DSML_ERR_ARG, "%s: path too long", path);
    snprintf(f->path, sizeof f->path, "%s", path);
    snprintf(f->temp, sizeof f->temp, "%s.tmp.%ld", path, (long)getpid());
    f->fp = fopen(f->temp, "wb");
    if (!f->fp) return dsml_fail(DSML_ERR_IO, "%s: cannot create: %s", f->temp, strerror(errno));
    return DSML_OK;
}

int dsml_atomic_commit(dsml_atomic_file *f)
{
    int failed = ferror(f->fp) || fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0;
    int saved = errno;
    if (fclose(f->fp) != 0 && !failed) { failed = 1; saved = errno; }
    f->fp = NULL;
    if (!failed && rename(f->temp, f->path) != 0) { failed = 1; saved = errno; }
    if (failed) {
        unlink(f->temp);
        return dsml_fail(DSML_ERR_IO, "%s: write failed: %s", f->path, strerror(saved));
    }
    return DSML_OK;
}

void dsml_atomic_abort(dsml_atomic_file *f)
{
    if (f->fp) fclose(f->fp);
    f->fp = NULL;
    if (f->temp[0]) unlink(f->temp);
}

int dsml_atomic_write(const char *path, const void *data, size_t size)
{
    dsml_atomic_file f;
    int rc = dsml_atomic_begin(&f, path);
    if (rc) return rc;
    if (size && fwrite(data, 1, size, f.fp) != size) {
        int saved = errno;
        dsml_atomic_abort(&f);
        return dsml_fail(DSML_ERR_IO, "%s: write failed: %s", path, strerror(saved));
    }
    return dsml_atomic_commit(&f);
}

int dsml_mkdirs(const char *path)
{
    char buf[4096];
    if (strlen(path) >= sizeof buf) return dsml_fail(DSML_ERR_ARG, "%s: path too long", path);
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return dsml_fail(DSML_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
            *p = saved;
            if (saved == '\0') break;
        }
    }
    return DSML_OK;
}
