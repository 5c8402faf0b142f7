/* Argument parsing and environment of the data commands; see data_args.h. */
#include "cli/data_args.h"

#include <stdlib.h>
#include <string.h>

int data_args_parse(const char *cmd, int argc, char **argv, data_arg *args, int n, const char **name,
                    void (*usage)(FILE *fp))
{
    *name = NULL;
    for (int k = 0; k < n; k++) args[k].value = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        }
        int k = 0;
        while (k < n && strcmp(a, args[k].option)) k++;
        if (k < n && !args[k].takes_value) {
            args[k].value = "";
        } else if (k < n) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: %s needs a value\n", cmd, a);
                return 2;
            }
            args[k].value = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, "%s: unknown option '%s'\n", cmd, a);
            usage(stderr);
            return 2;
        } else if (*name) {
            fprintf(stderr, "%s: one dataset name expected, got '%s' and '%s'\n", cmd, *name, a);
            return 2;
        } else {
            *name = a;
        }
    }
    return 0;
}

const char *data_args_root(const char *given)
{
    const char *env = getenv("DSML_DATA");
    return given ? given : env && env[0] ? env : "datasets";
}

const char *data_args_fashion_mnist_dir(void)
{
    const char *env = getenv("DSML_FASHION_MNIST");
    return env && env[0] ? env : NULL;
}
