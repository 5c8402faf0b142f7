/* dsml train: one training run with evaluation; see src/run/train.h. The
 * options, their checks and --help come from the table in
 * src/run/train_options.h; this file turns argv into that table's terms. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/manifest_dir.h"
#include "core/error.h"
#include "run/train.h"
#include "run/train_options.h"

enum { OPT_HELP = 256, OPT_FIRST_ROW = 257, MAX_OPTIONS = 128 };

static void usage(FILE *fp)
{
    fprintf(fp, "usage: dsml train [OPTIONS] --out DIR\n"
                "\n"
                "Trains an embedding network, evaluates it on the query/database split and writes\n"
                "DIR/metrics.json and DIR/embeddings.bin.\n"
                "\n");
    dsml_train_options_help(fp, ~0u);
}

/* getopt_long's table, one entry per named row of the option table. */
static int long_options(struct option *out, int cap)
{
    int n = 0;
    for (int i = 0; i < dsml_train_option_count() && n + 2 < cap; i++) {
        const dsml_train_option *o = dsml_train_option_at(i);
        if (!o->name) continue;
        out[n++] = (struct option){o->name, o->type == DSML_OPT_FLAG ? no_argument : required_argument, 0,
                                   OPT_FIRST_ROW + i};
    }
    out[n++] = (struct option){"help", no_argument, 0, OPT_HELP};
    out[n] = (struct option){0, 0, 0, 0};
    return n;
}

int cmd_train(int argc, char **argv)
{
    struct option options[MAX_OPTIONS + 2];
    long_options(options, MAX_OPTIONS + 2);
    /* $DSML_DATA is the data root unless --data says otherwise: given first, so a later --data wins. */
    dsml_option_given given[MAX_OPTIONS * 4];
    int n = 0, have_out = 0;
    const char *env_root = getenv("DSML_DATA");
    if (env_root && *env_root) given[n++] = (dsml_option_given){"data", env_root};
    optind = 1;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
        if (c == OPT_HELP || c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c < OPT_FIRST_ROW) {
            fprintf(stderr, "dsml train: unknown or incomplete option '%s' (see dsml train --help)\n",
                    argv[optind - 1]);
            return 2;
        }
        if (n == (int)(sizeof given / sizeof given[0])) {
            fprintf(stderr, "dsml train: more than %d options\n", n);
            return 2;
        }
        const dsml_train_option *o = dsml_train_option_at(c - OPT_FIRST_ROW);
        given[n++] = (dsml_option_given){o->name, o->type == DSML_OPT_FLAG ? NULL : optarg};
        have_out |= !strcmp(o->name, "out");
    }
    if (optind < argc) {
        fprintf(stderr, "dsml train: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!have_out) {
        fprintf(stderr, "dsml train: --out DIR is required (see dsml train --help)\n");
        return 2;
    }
    dsml_train_config cfg;
    if (dsml_train_config_build(&cfg, given, n)) {
        fprintf(stderr, "dsml train: %s\n", dsml_last_error());
        return 2;
    }
    const char *fashion = getenv("DSML_FASHION_MNIST");
    if (fashion && *fashion) snprintf(cfg.fashion_mnist_dir, sizeof cfg.fashion_mnist_dir, "%s", fashion);
    cfg.log = cfg.quiet ? NULL : stderr;
    /* a manifest's name ("alexnet-imagenet") or a path: before any work is done */
    if (cfg.weights[0] &&
        manifest_weights_path("dsml train", cfg.weights, cfg.data_root, cfg.weights_file, sizeof cfg.weights_file))
        return 1;

    int rc = dsml_train_run(&cfg);
    if (rc) {
        fprintf(stderr, "dsml train: %s\n", dsml_last_error()[0] ? dsml_last_error() : dsml_strerror(rc));
        return 1;
    }
    if (!cfg.quiet) fprintf(stderr, "wrote %s/metrics.json\n", cfg.out_dir);
    return 0;
}
