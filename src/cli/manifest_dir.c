/* Where the manifests are; see manifest_dir.h. */
#include "cli/manifest_dir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    return snprintf(out, size, "%s/../datasets", exe) < (int)size ? 0 : -1;
}
