/* The runs of a results directory; see scan.h and docs/results.md. */
#include "results/scan.h"
#include "core/error.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int dsml_results_foreign(const char *name)
{
    return !strcmp(name, "baseline") || !strcmp(name, "slurm") || !strcmp(name, "reference");
}

void dsml_results_note_unfinished(FILE *notes, const dsml_results_run *run)
{
    if (notes) fprintf(notes, "%s: no metrics.json (unfinished run), skipped\n", run->dir);
}

void dsml_results_note_outside(FILE *notes, const dsml_results_run *run)
{
    if (notes) fprintf(notes, "%s: not in a dataset folder (<results>/<dataset>/<run>), skipped\n", run->dir);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* "a/b", malloc'd (NULL when out of memory). */
static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (s) {
        memcpy(s, a, la);
        s[la] = '/';
        memcpy(s + la + 1, b, lb + 1);
    }
    return s;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(char **names, int count)
{
    for (int i = 0; i < count; i++) free(names[i]);
    free(names);
}

/* The visible subfolders of dir, sorted; foreign ones left out when asked. */
static int list_folders(const char *dir, int skip_foreign, char ***names, int *count)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d) return dsml_fail(DSML_ERR_IO, "%s: cannot open directory: %s", dir, strerror(errno));
    int cap = 0, rc = DSML_OK;
    for (struct dirent *e; !rc && (e = readdir(d));) {
        if (e->d_name[0] == '.' || (skip_foreign && dsml_results_foreign(e->d_name))) continue;
        char *path = join(dir, e->d_name);
        if (!path) {
            rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", dir);
            break;
        }
        int folder = is_dir(path);
        free(path);
        if (!folder) continue;
        if (*count == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(*names, sizeof *grown * (size_t)cap);
            if (!grown) {
                rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", dir);
                break;
            }
            *names = grown;
        }
        if (!((*names)[*count] = strdup(e->d_name))) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", dir);
        else (*count)++;
    }
    closedir(d);
    if (rc) {
        names_free(*names, *count);
        *names = NULL;
        *count = 0;
        return rc;
    }
    if (*count) qsort(*names, (size_t)*count, sizeof **names, compare_names);
    return DSML_OK;
}

static void run_free(dsml_results_run *r)
{
    free(r->dataset);
    free(r->name);
    free(r->dir);
    free(r->metrics);
}

void dsml_results_list_free(dsml_results_list *list)
{
    for (int i = 0; i < list->count; i++) run_free(&list->runs[i]);
    free(list->runs);
    memset(list, 0, sizeof *list);
}

/* Adds the run in `dir` (taking the string), finished or not. */
static int add_run(dsml_results_list *list, const char *dataset, const char *name, char *dir)
{
    dsml_results_run r = {strdup(dataset), strdup(name), dir, join(dir, "metrics.json"), 0};
    if (r.dataset && r.name && r.metrics && list->count == list->cap) {
        int cap = list->cap ? 2 * list->cap : 64;
        dsml_results_run *grown = realloc(list->runs, sizeof *grown * (size_t)cap);
        if (grown) {
            list->runs = grown;
            list->cap = cap;
        }
    }
    if (!r.dataset || !r.name || !r.metrics || list->count == list->cap) {
        int rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", dir);
        run_free(&r);
        return rc;
    }
    r.finished = is_file(r.metrics);
    list->runs[list->count++] = r;
    return DSML_OK;
}

/* The run folders of root/<dataset>/. */
static int scan_dataset(const char *root, const char *dataset, dsml_results_list *list)
{
    char *dir = join(root, dataset);
    if (!dir) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", root);
    char **names;
    int count;
    int rc = list_folders(dir, 0, &names, &count);
    for (int i = 0; !rc && i < count; i++) {
        char *run_dir = join(dir, names[i]);
        rc = run_dir ? add_run(list, dataset, names[i], run_dir) : dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", dir);
    }
    names_free(names, count);
    free(dir);
    return rc;
}

/* 1 when dir has a visible subfolder. */
static int has_subfolder(const char *dir)
{
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *e; d && !found && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char *sub = join(dir, e->d_name);
        found = sub && is_dir(sub);
        free(sub);
    }
    if (d) closedir(d);
    return found;
}

int dsml_results_scan(const char *root, dsml_results_list *list)
{
    memset(list, 0, sizeof *list);
    char **names;
    int count;
    int rc = list_folders(root, 1, &names, &count);
    for (int i = 0; !rc && i < count; i++) {
        char *dir = join(root, names[i]), *metrics = dir ? join(dir, "metrics.json") : NULL;
        if (!metrics) {
            rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", root);
            free(dir);
        } else if (is_file(metrics) || !has_subfolder(dir)) {
            rc = add_run(list, "", names[i], dir); /* a run directly under root */
        } else {
            free(dir);
            rc = scan_dataset(root, names[i], list);
        }
        free(metrics);
    }
    names_free(names, count);
    if (rc) dsml_results_list_free(list);
    return rc;
}
