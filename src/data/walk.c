/* Recursive folder walk with a depth cap; see walk.h. */
#include "data/walk.h"
#include "core/error.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int walk(const char *root, const char *rel, int depth, dsml_walk_fn fn, void *context)
{
    char dir_path[8192];
    snprintf(dir_path, sizeof dir_path, "%s%s%s", root, rel[0] ? "/" : "", rel);
    if (depth > DSML_WALK_MAX_DEPTH)
        return dsml_fail(DSML_ERR_FORMAT, "%s: more than %d folder levels (a symbolic link loop?)", dir_path,
                         DSML_WALK_MAX_DEPTH);
    DIR *dir = opendir(dir_path);
    if (!dir) return dsml_fail(DSML_ERR_IO, "%s: cannot open folder: %s", dir_path, strerror(errno));
    int rc = DSML_OK;
    struct dirent *e;
    while (!rc && (e = readdir(dir))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char child_rel[4096], child[8192];
        int len = snprintf(child_rel, sizeof child_rel, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        if (len < 0 || (size_t)len >= sizeof child_rel) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s/%s: path too long", dir_path, e->d_name);
            break;
        }
        snprintf(child, sizeof child, "%s/%s", root, child_rel);
        struct stat st;
        if (stat(child, &st) != 0) rc = dsml_fail(DSML_ERR_IO, "%s: cannot stat: %s", child, strerror(errno));
        else if (S_ISDIR(st.st_mode)) rc = walk(root, child_rel, depth + 1, fn, context);
        else if (S_ISREG(st.st_mode)) rc = fn(child_rel, &st, context);
    }
    closedir(dir);
    return rc;
}

int dsml_walk(const char *root, dsml_walk_fn fn, void *context)
{
    return walk(root, "", 0, fn, context);
}
