/* dsml tables: the paper's Tables 1-4 rebuilt from results/ with the
 * published values beside ours, and claims.md with a verdict on each of the
 * paper's comparisons (src/report/tables.h, docs/tables.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/value.h"
#include "report/claims.h"
#include "report/methods_table.h"
#include "report/tables.h"

static void usage(FILE *fp)
{
    fprintf(fp, "usage: dsml tables [--results DIR] [--out DIR] [--published FILE] [--published-methods FILE]\n"
            "                   [--equivalence-margin PP] [--manifests DIR] [--looks K] [--undecided FILE]\n\n"
            "Reads every DIR/<dataset>/<run>/metrics.json (default results/), groups runs by dataset, loss,\n"
            "distance and size over seeds, and writes into --out (default paper-tables/):\n"
            "  table1.md/.tex  CARS196        table2.md/.tex  CUB200-2011\n"
            "  table3.md/.tex  CIFAR10, and the same layout for our other datasets\n"
            "  table4.md/.tex  hashing        claims.md       every comparison with a verdict\n"
            "  methods.md/.tex every method (DSML, vMF, GPW, density variants) on every dataset run\n"
            "Each cell: our mean +- sample std over seeds, the paper's value in parentheses\n"
            "(--published, default paper-tables/published.tsv; for methods.md --published-methods,\n"
            "default paper-tables/published-methods.tsv).\n"
            "claims.md: a difference whose 95%% interval includes 0 is 'equivalent' when its 90%% interval lies\n"
            "inside +-PP percentage points (--equivalence-margin, default 1.0; +-PP/100 for Table 4's MAP).\n"
            "Every file names each dataset's source SHA-256 and checks it against DIR/<dataset>.manifest\n"
            "(--manifests, default datasets/).\n"
            "--looks K: adaptive mode looked at the data up to K times; every test runs at 0.05/K (default: the\n"
            "'looks K' line of DIR/adaptive.txt, which make reproduce-adaptive writes, else 1).\n"
            "--undecided FILE: one line per cell with a claim still inconclusive after Holm while both sides have\n"
            "runs, 'dataset loss size arm seeds' (docs/tables.md, Adaptive seeds), written atomically.\n");
}

int cmd_tables(int argc, char **argv)
{
    const char *results = "results", *out = "paper-tables", *published = "paper-tables/published.tsv";
    const char *published_methods = "paper-tables/published-methods.tsv", *undecided = NULL;
    int looks = 0; /* 0: from adaptive.txt */
    dsml_tables_options opt;
    dsml_tables_defaults(&opt);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--results") && i + 1 < argc) {
            results = argv[++i];
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--published") && i + 1 < argc) {
            published = argv[++i];
        } else if (!strcmp(argv[i], "--published-methods") && i + 1 < argc) {
            published_methods = argv[++i];
        } else if (!strcmp(argv[i], "--looks") && i + 1 < argc) {
            if (option_int("tables", "--looks", argv[++i], 1, 1000, &looks)) return 2;
        } else if (!strcmp(argv[i], "--undecided") && i + 1 < argc) {
            undecided = argv[++i];
        } else if (!strcmp(argv[i], "--manifests") && i + 1 < argc) {
            opt.manifests_dir = argv[++i];
        } else if (!strcmp(argv[i], "--equivalence-margin") && i + 1 < argc) {
            const char *text = argv[++i];
            char expected[128]; /* the whole text a plain decimal (core/value.h), and above 0 */
            if (dsml_value_number(text, 0, HUGE_VAL, &opt.equivalence_margin, expected, sizeof expected) ||
                !(opt.equivalence_margin > 0)) {
                fprintf(stderr, "dsml tables: --equivalence-margin: expected a positive number of percentage points, "
                        "found '%s'\n", text);
                return 2;
            }
        } else {
            fprintf(stderr, "dsml tables: %s '%s'\n",
                    argv[i][0] == '-' && i + 1 >= argc ? "option needs a value:" : "unknown argument", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!looks && dsml_claims_looks_read(results, &looks)) {
        fprintf(stderr, "dsml tables: %s\n", dsml_last_error());
        return 1;
    }
    opt.looks = looks;
    dsml_atomic_file list;
    if (undecided) {
        if (dsml_atomic_begin(&list, undecided)) {
            fprintf(stderr, "dsml tables: %s\n", dsml_last_error());
            return 1;
        }
        opt.undecided = list.fp;
    }
    if (dsml_tables_write(results, out, published, &opt, stderr) ||
        dsml_methods_table_write(results, out, published_methods, opt.manifests_dir, stderr) ||
        (undecided && dsml_atomic_commit(&list))) {
        fprintf(stderr, "dsml tables: %s\n", dsml_last_error());
        if (undecided) dsml_atomic_abort(&list);
        return 1;
    }
    return 0;
}
