/* dsml: the command line. Dispatches to one file per subcommand; the only
 * code that prints to the user or exits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/gemm.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"train", cmd_train, "train an embedding network, evaluate it, write metrics.json"},
    {"embed", cmd_embed, "a network's outputs for a .npy of images, with weights read from a file"},
    {"eval", cmd_eval, "retrieval and clustering metrics of embeddings from any framework (.npy, .npz, a run)"},
    {"loss", cmd_loss, "the loss and gradient of one batch read from text files"},
    {"fetch", cmd_fetch, "download and verify a dataset's files (datasets/NAME.manifest)"},
    {"prepare", cmd_prepare, "prepare a dataset's cache (fashion-mnist, cifar10, imagefolder)"},
    {"data", cmd_data, "dsml data info NAME: what a prepared dataset holds, as JSON"},
    {"summary", cmd_summary, "one row per finished run: a table and summary.csv"},
    {"tables", cmd_tables, "the paper's Tables 1-4 from results/, published values beside ours, claims"},
    {"plots", cmd_plots, "the paper's figures from results/ as data files and gnuplot images"},
    {"report", cmd_report, "one self-contained HTML page: tables, claims, figures, provenance"},
    {"sweep", cmd_sweep, "expand a sweep file (paper.sweep) into runs: list, makefile, status, slurm, tune"},
    {"regress", cmd_regress, "compare a regression run's metrics with results/baseline/regress.json"},
    {"version", cmd_version, "print the program and library versions"},
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: dsml COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\n`dsml COMMAND --help` describes a command's options.\n");
}

int main(int argc, char **argv)
{
    /* BLIS reads its kernel choice from the environment once; the user's wins. */
    const char *arch = dsml_blis_preferred_arch();
    if (arch && !getenv("BLIS_ARCH_TYPE")) setenv("BLIS_ARCH_TYPE", arch, 0);
    if (argc < 2) { usage(stderr); return 2; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "dsml: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
