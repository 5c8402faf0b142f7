/* dsml version: the program's version and the libraries it runs on. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/version.h"

int cmd_version(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: dsml version\n\n"
               "Prints `dsml VERSION` (git describe of the build) on the first line, then the\n"
               "versions of the libraries it runs on and the BLIS kernels in use.\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "dsml version: takes no options, got '%s' (see dsml version --help)\n", argv[1]);
        return 2;
    }
    printf("dsml %s\n", dsml_version());
    printf("%s\n", dsml_library_versions());
    return 0;
}
