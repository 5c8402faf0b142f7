/* dsml summary DIR: one row per finished run under DIR, as a Markdown table on
 * stdout and DIR/summary.csv (or --csv PATH). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/error.h"
#include "report/summary.h"

int cmd_summary(int argc, char **argv)
{
    const char *dir = NULL, *csv = NULL;
    char default_csv[4200];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: dsml summary [--csv PATH] DIR\n\nOne row per finished run (DIR/<run>/metrics.json or "
                   "DIR/<dataset>/<run>/metrics.json):\na Markdown table on stdout and DIR/summary.csv.\n");
            return 0;
        } else if (!strcmp(argv[i], "--csv") && i + 1 < argc) {
            csv = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "dsml summary: unknown option '%s'\n", argv[i]);
            return 2;
        } else if (!dir) {
            dir = argv[i];
        } else {
            fprintf(stderr, "dsml summary: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "usage: dsml summary [--csv PATH] DIR\n");
        return 2;
    }
    if (!csv) {
        snprintf(default_csv, sizeof default_csv, "%s/summary.csv", dir);
        csv = default_csv;
    }
    int runs = 0;
    int rc = dsml_summary_build(dir, csv, stdout, stderr, &runs);
    if (rc) {
        fprintf(stderr, "dsml summary: %s\n", dsml_last_error());
        return 1;
    }
    fprintf(stderr, "%d finished runs; wrote %s\n", runs, csv);
    return 0;
}
