/* The paper's figures from a results tree: plain-column data files (.dat)
 * written here, images drawn by gnuplot from the committed scripts in plots/.
 *
 *   fig1_curves.dat, fig1_snr.dat -> fig1.{png,svg,pdf}   synthetic SNR-distance curves (sec. 3.1)
 *   fig3_<dataset>.dat            -> fig3_<dataset>.*     Recall@K, dashed Euclidean, solid SNR
 *   fig4_<dataset>_<run>.dat      -> fig4_<dataset>.*     t-SNE of query embeddings, contrastive
 *                                                         and DSML(cont) side by side at one scale,
 *                                                         the legend naming the classes where the
 *                                                         dataset has fixed names (data/class_names.h)
 *   loss_<dataset>.dat            -> loss_<dataset>.*     training loss per epoch, one line per run
 *   render.sh                                             the gnuplot commands, to redraw by hand
 *
 * Layouts of every file: docs/plots.md. Runs are found by results/scan.h and
 * read by results/run_metrics.h and results/embeddings.h; the method labels
 * are report/paper.h's. A missing input skips its figure with a note; a
 * metrics.json or embeddings.bin that cannot be read is named in a note with
 * what was expected, counted in dsml_plots_report.bad_files, and the other
 * figures are still made. gnuplot's own output goes to <out>/gnuplot.log. */
#ifndef DSML_REPORT_PLOTS_H
#define DSML_REPORT_PLOTS_H

#include <stdint.h>
#include <stdio.h>

/* ---- Figure 1: synthetic anchor and compared features ---------------------- */

#define DSML_FIG1_DIMS 32
#define DSML_FIG1_CURVES 4
/* sigma^2 of the four noise levels of section 3.1: 0.2, 0.5, 1.0, 2.0. */
extern const double dsml_fig1_sigma2[DSML_FIG1_CURVES];

/* SNR distance var(b - a) / var(a) (population variances, in double) of a
 * compared feature b against the anchor a, both of `dims` floats; NaN when
 * var(a) is 0 or dims < 1. A copy of the definition, not the metric module's
 * dsml_distance_forward: that one works in float through one GEMM on a
 * batch and adds DSML_DIST_VAR_EPS to the denominator, so it would not give
 * fig1_snr.dat's values (printed with 9 digits), nor NaN for a constant
 * anchor. */
double dsml_plots_snr_distance(const float *anchor, const float *compared, int dims);

/* anchor[dims] ~ N(0, 1); compared[c * dims + k] = anchor[k] + N(0, sigma2[c])
 * for c < curves; measured[c] = dsml_plots_snr_distance(anchor, compared_c).
 * Draws from dsml_rng seeded with `seed` (anchor first, then each curve's
 * noise in order). All buffers are the caller's. DSML_ERR_ARG for dims < 2,
 * curves < 1 or a sigma2 that is not a finite number >= 0. */
int dsml_plots_synthetic_snr(uint64_t seed, int dims, const double *sigma2, int curves, float *anchor,
                             float *compared, double *measured);

/* ---- the whole command ------------------------------------------------------ */

typedef struct {
    const char *results_dir;  /* results/<dataset>/<run>/metrics.json ("results") */
    const char *out_dir;      /* where .dat, images, render.sh and gnuplot.log go ("plots") */
    const char *scripts_dir;  /* the committed fig1.gp, fig3_recall.gp, fig4_tsne.gp, loss_curves.gp and
                               * the terminal.gp they load ("plots") */
    const char *gnuplot;      /* the program, looked up in PATH ("gnuplot"); NULL: write data only */
    uint64_t seed;            /* figure 1 noise, t-SNE subsample and initialisation (1) */
    int tsne_max_points;      /* queries kept for t-SNE (1000) */
    int tsne_iterations;      /* (1000) */
} dsml_plots_config;

/* The image formats every script writes, in this order (images_of[]). */
enum { DSML_PLOTS_PNG, DSML_PLOTS_SVG, DSML_PLOTS_PDF, DSML_PLOTS_FORMATS };

typedef struct {
    int data_files;       /* .dat files written */
    int images;           /* image files gnuplot wrote, every format counted */
    int images_of[DSML_PLOTS_FORMATS]; /* of which PNG, SVG, PDF */
    int pdf_skipped;      /* figures gnuplot drew without a PDF (no pdfcairo terminal; not a failure) */
    int skipped;          /* figures skipped for missing inputs */
    int bad_files;        /* metrics.json / embeddings.bin that could not be read */
    int gnuplot_missing;  /* 1 when gnuplot could not be started (data and render.sh still written) */
    int gnuplot_failed;   /* scripts gnuplot ran but exited non-zero on */
} dsml_plots_report;

void dsml_plots_defaults(dsml_plots_config *cfg);

/* Writes every figure it has inputs for. Notes (what was written, what was
 * skipped and why) go to `notes` when not NULL. Returns DSML_OK unless the
 * output directory cannot be made or a data file cannot be written; bad input
 * files are reported in `report`, not as a failure. */
int dsml_plots_run(const dsml_plots_config *cfg, FILE *notes, dsml_plots_report *report);

#endif
