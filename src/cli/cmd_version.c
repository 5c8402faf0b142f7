/* dsml version */
#include <stdio.h>

#include "cli/commands.h"
#include "core/version.h"

int cmd_version(int argc, char **argv)
{
    (void)argc; (void)argv;
    printf("dsml %s\n", dsml_version());
    printf("%s\n", dsml_library_versions());
    return 0;
}
