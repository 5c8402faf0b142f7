/* dsml plots: the paper's figures (1, 3, 4) and training-loss curves from a
 * results tree, as data files and gnuplot images (docs/plots.md). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "report/plots.h"

static const char usage_text[] =
"usage: dsml plots [--results DIR] [--out DIR] [--scripts DIR] [--seed N] [--tsne-points N]\n"
"                  [--tsne-iterations N] [--no-gnuplot]\n"
"\n"
"Writes the data files (.dat) of Figure 1 (synthetic SNR-distance curves), Figure 3\n"
"(Recall@K per dataset), Figure 4 (t-SNE of query embeddings, contrastive and DSML(cont))\n"
"and the training-loss curves, then draws them with gnuplot (PNG, SVG and PDF; the PDF\n"
"only where gnuplot has the pdfcairo terminal).\n"
"\n"
"  --results DIR           results tree: DIR/<dataset>/<run>/metrics.json (results)\n"
"  --out DIR               where data, images, render.sh and gnuplot.log go (plots)\n"
"  --scripts DIR           where fig1.gp, fig3_recall.gp, fig4_tsne.gp, loss_curves.gp and\n"
"                          terminal.gp are (plots)\n"
"  --seed N                figure 1 noise, t-SNE subsample and initialisation (1)\n"
"  --tsne-points N         queries kept per t-SNE, at most (1000)\n"
"  --tsne-iterations N     (1000)\n"
"  --no-gnuplot            write data files and render.sh only\n"
"\n"
"A figure without inputs is skipped with a note. Exit status 0 when everything that had\n"
"inputs was written (also when gnuplot is not installed), 1 when a metrics.json or\n"
"embeddings.bin could not be read, gnuplot failed, or the output could not be written.\n";

int cmd_plots(int argc, char **argv)
{
    dsml_plots_config cfg;
    dsml_plots_defaults(&cfg);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            return 0;
        } else if (!strcmp(a, "--results") && has_value) {
            cfg.results_dir = argv[++i];
        } else if (!strcmp(a, "--out") && has_value) {
            cfg.out_dir = argv[++i];
        } else if (!strcmp(a, "--scripts") && has_value) {
            cfg.scripts_dir = argv[++i];
        } else if (!strcmp(a, "--seed") && has_value) {
            if (option_u64("plots", a, argv[++i], &cfg.seed)) return 2;
        } else if (!strcmp(a, "--tsne-points") && has_value) {
            if (option_int("plots", a, argv[++i], 4, 100000, &cfg.tsne_max_points)) return 2;
        } else if (!strcmp(a, "--tsne-iterations") && has_value) {
            if (option_int("plots", a, argv[++i], 1, 100000, &cfg.tsne_iterations)) return 2;
        } else if (!strcmp(a, "--no-gnuplot")) {
            cfg.gnuplot = NULL;
        } else {
            fprintf(stderr, "dsml plots: unknown option or missing value '%s'\n", a);
            fputs(usage_text, stderr);
            return 2;
        }
    }
    dsml_plots_report report;
    int rc = dsml_plots_run(&cfg, stderr, &report);
    if (rc) {
        fprintf(stderr, "dsml plots: %s\n", dsml_last_error());
        return 1;
    }
    fprintf(stderr, "dsml plots: %d data files and %d images (%d PNG, %d SVG, %d PDF) in %s; "
                    "%d figures skipped for missing inputs",
            report.data_files, report.images, report.images_of[DSML_PLOTS_PNG], report.images_of[DSML_PLOTS_SVG],
            report.images_of[DSML_PLOTS_PDF], cfg.out_dir, report.skipped);
    if (report.bad_files) fprintf(stderr, "; %d unreadable input files", report.bad_files);
    if (report.gnuplot_failed) fprintf(stderr, "; gnuplot failed %d times (see %s/gnuplot.log)",
                                       report.gnuplot_failed, cfg.out_dir);
    fputc('\n', stderr);
    if (report.pdf_skipped)
        fprintf(stderr, "dsml plots: no PDF for %d figures: this gnuplot has no pdfcairo terminal "
                        "(see %s/gnuplot.log)\n", report.pdf_skipped, cfg.out_dir);
    if (report.gnuplot_missing)
        fprintf(stderr, "dsml plots: gnuplot is not installed: data files written; draw them later with "
                        "%s/render.sh (needs gnuplot)\n", cfg.out_dir);
    else if (!cfg.gnuplot)
        fprintf(stderr, "dsml plots: --no-gnuplot: draw the images with %s/render.sh\n", cfg.out_dir);
    return report.bad_files || report.gnuplot_failed ? 1 : 0;
}
