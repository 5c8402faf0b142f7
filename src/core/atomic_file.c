/* Temp file + fsync + rename; see atomic_file.h. */
#include "core/atomic_file.h"
#include "core/error.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOST_CAP 65 /* a host name as it goes into temp names, NUL included */

static int host_char(char c) { return isalnum((unsigned char)c) || c == '-' || c == '_'; }

/* This host's name as temp names hold it: no '.' or '/' (so the name parses
 * back), at most 64 bytes, "localhost" when the system has none. */
static void temp_host(char out[HOST_CAP])
{
    char raw[256] = "";
    if (gethostname(raw, sizeof raw) != 0) raw[0] = '\0';
    raw[sizeof raw - 1] = '\0';
    size_t i = 0;
    for (; raw[i] && i + 1 < HOST_CAP; i++) out[i] = host_char(raw[i]) ? raw[i] : '_';
    out[i] = '\0';
    if (!out[0]) snprintf(out, HOST_CAP, "localhost");
}

int dsml_atomic_begin(dsml_atomic_file *f, const char *path)
{
    memset(f, 0, sizeof *f);
    if (strlen(path) + 32 + HOST_CAP >= sizeof f->path)
        return dsml_fail(DSML_ERR_ARG, "%s: path too long", path);
    char host[HOST_CAP];
    temp_host(host);
    snprintf(f->path, sizeof f->path, "%s", path);
    snprintf(f->temp, sizeof f->temp, "%s.tmp.%s.%ld", path, host, (long)getpid());
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

/* Reads a temp file name: "<name>.tmp.<host>.<pid>" (host copied out) or
 * "<name>.tmp.<pid>" (host ""), with a non-empty <name>; 0 for any other name. */
static int parse_temp(const char *name, char host[HOST_CAP], long *pid)
{
    size_t len = strlen(name), digits = len;
    while (digits > 0 && isdigit((unsigned char)name[digits - 1])) digits--;
    if (digits == len || len - digits > 9 || digits < 2 || name[digits - 1] != '.') return 0;
    *pid = strtol(name + digits, NULL, 10);
    const char *dot = name + digits - 1, *seg = dot; /* seg: the part before the pid */
    while (seg > name && seg[-1] != '.') seg--;
    size_t seg_len = (size_t)(dot - seg);
    if (*pid <= 0 || seg <= name) return 0;
    if (seg - name > 5 && !strncmp(seg - 5, ".tmp.", 5) && seg_len > 0 && seg_len < HOST_CAP) {
        for (const char *c = seg; c < dot; c++)
            if (!host_char(*c)) return 0;
        memcpy(host, seg, seg_len);
        host[seg_len] = '\0';
        return 1;
    }
    host[0] = '\0';
    return seg_len == 3 && !strncmp(seg, "tmp", 3) && seg - name > 1; /* the older form, without a host */
}

int dsml_atomic_remove_stale(const char *dir, int *removed)
{
    if (removed) *removed = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return DSML_OK;
        return dsml_fail(DSML_ERR_IO, "%s: cannot open folder: %s", dir, strerror(errno));
    }
    char here[HOST_CAP], host[HOST_CAP], path[8192];
    temp_host(here);
    int rc = DSML_OK, count = 0;
    for (struct dirent *e; !rc && (e = readdir(d));) {
        long pid;
        if (!parse_temp(e->d_name, host, &pid) || (host[0] && strcmp(host, here))) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive, or not ours to judge */
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (unlink(path) == 0) count++;
        else if (errno != ENOENT) /* ENOENT: another process removed it first */
            rc = dsml_fail(DSML_ERR_IO, "%s: left by process %ld, which has ended: cannot remove: %s", path, pid,
                           strerror(errno));
    }
    closedir(d);
    if (removed) *removed = count;
    return rc;
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
