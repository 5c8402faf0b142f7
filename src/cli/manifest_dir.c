/* Where the manifests are, and `--weights NAME` found through them; see
 * manifest_dir.h. */
#include "cli/manifest_dir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "data/weights_locate.h"

int manifest_dir(char *out, size_t size)
{
    const char *env = getenv("DSML_MANIFESTS");
    if (env && env[0]) return snprintf(out, size, "%s", env) < (int)size ? 0 : -1;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return snprintf(out, size, "datasets") < (int)size ? 0 : -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    /* a checkout's bin/dsml: its datasets/; an installed one (make install): PREFIX/share/dsml/datasets */
    if (snprintf(out, size, "%s/../datasets", exe) >= (int)size) return -1;
    struct stat st;
    if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
    char shared[PATH_MAX + 32];
    snprintf(shared, sizeof shared, "%s/../share/dsml/datasets", exe);
    if (stat(shared, &st) == 0 && S_ISDIR(st.st_mode)) return snprintf(out, size, "%s", shared) < (int)size ? 0 : -1;
    return 0;
}

int manifest_weights_path(const char *cmd, const char *weights, const char *data_root, char *path, size_t cap)
{
    char dir[1024];
    if (manifest_dir(dir, sizeof dir)) {
        fprintf(stderr, "%s: --weights: the manifest folder's path is too long\n", cmd);
        return 1;
    }
    if (dsml_weights_locate(weights, dir, data_root, path, cap)) {
        fprintf(stderr, "%s: --weights: %s\n", cmd, dsml_last_error());
        return 1;
    }
    return 0;
}
