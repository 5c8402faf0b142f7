/* Recursive folder walk with a depth cap, hidden entries and symbolic links
 * sorted out as walk.h says. */
#include "data/walk.h"
#include "core/error.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *root;
    char root_real[PATH_MAX]; /* the root with every link resolved; "" until a link to a folder needs it */
    dsml_walk_entry_fn fn;
    void *context;
    struct { dev_t dev; ino_t ino; } open[DSML_WALK_MAX_DEPTH + 2]; /* the folders being walked, root first */
    int n_open;
} walker;

/* 1 when the folder st is one of those being walked (a link back up the tree). */
static int is_open(const walker *w, const struct stat *st)
{
    for (int i = 0; i < w->n_open; i++)
        if (w->open[i].dev == st->st_dev && w->open[i].ino == st->st_ino) return 1;
    return 0;
}

/* 1 when the link `path` to a folder resolves inside the root, 0 outside, or an error. */
static int inside_root(walker *w, const char *path, int *inside)
{
    char target[PATH_MAX];
    if (!w->root_real[0] && !realpath(w->root, w->root_real))
        return dsml_fail(DSML_ERR_IO, "%s: cannot resolve: %s", w->root, strerror(errno));
    if (!realpath(path, target)) return dsml_fail(DSML_ERR_IO, "%s: cannot resolve: %s", path, strerror(errno));
    size_t len = strlen(w->root_real);
    if (len == 1) len = 0; /* the root is "/" */
    *inside = !strncmp(target, w->root_real, len) && (target[len] == '/' || target[len] == '\0');
    return DSML_OK;
}

static int walk(walker *w, const char *rel, const struct stat *dir_st, int depth);

/* One directory entry `name` of the folder rel (full path dir_path). */
static int visit(walker *w, const char *dir_path, const char *rel, const struct dirent *e, int depth)
{
    char child_rel[4096], child[8192];
    int len = snprintf(child_rel, sizeof child_rel, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
    if (len < 0 || (size_t)len >= sizeof child_rel)
        return dsml_fail(DSML_ERR_FORMAT, "%s/%s: path too long", dir_path, e->d_name);
    snprintf(child, sizeof child, "%s/%s", w->root, child_rel);
    dsml_walk_entry entry = {DSML_WALK_HIDDEN, child_rel, NULL, "", 0};
    if (e->d_name[0] == '.') return w->fn(&entry, w->context);

    struct stat st, lst;
    int is_link = e->d_type == DT_LNK;
    if (e->d_type == DT_UNKNOWN) is_link = lstat(child, &lst) == 0 && S_ISLNK(lst.st_mode);
    if (stat(child, &st) != 0) {
        int saved = errno;
        if (!is_link && !(lstat(child, &lst) == 0 && S_ISLNK(lst.st_mode)))
            return dsml_fail(DSML_ERR_IO, "%s: cannot stat: %s", child, strerror(saved));
        char target[4096];
        ssize_t n = readlink(child, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        entry = (dsml_walk_entry){DSML_WALK_BROKEN_LINK, child_rel, NULL, target, saved};
        return w->fn(&entry, w->context);
    }
    if (S_ISREG(st.st_mode)) {
        entry = (dsml_walk_entry){DSML_WALK_FILE, child_rel, &st, "", 0};
        return w->fn(&entry, w->context);
    }
    if (!S_ISDIR(st.st_mode) || is_open(w, &st)) return DSML_OK;
    if (is_link) {
        int inside, rc = inside_root(w, child, &inside);
        if (rc || !inside) return rc;
    }
    return walk(w, child_rel, &st, depth + 1);
}

static int walk(walker *w, const char *rel, const struct stat *dir_st, int depth)
{
    char dir_path[8192];
    snprintf(dir_path, sizeof dir_path, "%s%s%s", w->root, rel[0] ? "/" : "", rel);
    if (depth > DSML_WALK_MAX_DEPTH)
        return dsml_fail(DSML_ERR_FORMAT, "%s: more than %d folder levels", dir_path, DSML_WALK_MAX_DEPTH);
    DIR *dir = opendir(dir_path);
    if (!dir) return dsml_fail(DSML_ERR_IO, "%s: cannot open folder: %s", dir_path, strerror(errno));
    w->open[w->n_open].dev = dir_st->st_dev;
    w->open[w->n_open].ino = dir_st->st_ino;
    w->n_open++;
    int rc = DSML_OK;
    struct dirent *e;
    while (!rc && (e = readdir(dir)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) rc = visit(w, dir_path, rel, e, depth);
    w->n_open--;
    closedir(dir);
    return rc;
}

int dsml_walk_entries(const char *root, dsml_walk_entry_fn fn, void *context)
{
    walker *w = calloc(1, sizeof *w);
    if (!w) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", root);
    w->root = root;
    w->fn = fn;
    w->context = context;
    struct stat st;
    int rc = stat(root, &st) != 0 ? dsml_fail(DSML_ERR_IO, "%s: cannot open folder: %s", root, strerror(errno))
                                  : walk(w, "", &st, 0);
    free(w);
    return rc;
}

typedef struct {
    dsml_walk_fn fn;
    void *context;
} files_only;

/* dsml_walk's entry callback: regular files on to the caller, the rest passed over. */
static int file_entry(const dsml_walk_entry *e, void *context)
{
    const files_only *f = context;
    return e->kind == DSML_WALK_FILE ? f->fn(e->rel, e->st, f->context) : DSML_OK;
}

int dsml_walk(const char *root, dsml_walk_fn fn, void *context)
{
    files_only f = {fn, context};
    return dsml_walk_entries(root, file_entry, &f);
}
