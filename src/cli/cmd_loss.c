/* dsml loss: the loss (and gradient) of one batch read from text files, so
 * that anyone can check a loss against another implementation. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/text_io.h"
#include "core/error.h"
#include "metric/loss.h"
#include "metric/vmf.h"

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: dsml loss --embeddings E.txt --labels L.txt --loss NAME --distance NAME\n"
"                 [--margin A] [--beta B] [--lambda L] [--lifted-hard] [--grad G.txt]\n"
"                 [--density W] [--density-ratio R] [--kappa K --means M.txt]\n"
"                 [--gpw-mining ms|none] [--gpw-weighting ms|contrastive|binomial|lifted]\n"
"                 [--gpw-alpha A] [--gpw-beta B] [--gpw-lambda L] [--gpw-epsilon E]\n"
"                 [--quant W]   (dpsh, dtsh: quantisation weight; dtsh's margin is per bit)\n"
"                 [--multi-label]   (contrastive, dpsh, dtsh: each label is a bitmask of labels,\n"
"                                   bit k = label k; rows sharing a bit are similar)\n"
"\n"
"E.txt: one embedding per line, whitespace-separated floats. L.txt: one integer\n"
"label per line. For npair: two rows per class, the first the anchor and the\n"
"second its positive. For vmf, M.txt holds one class mean direction per line\n"
"(class 0 first; each row is normalised) and labels index its rows. Prints the loss with full precision as the last line of\n"
"stdout; --grad writes dL/dE, one row per embedding.\n");
}

static int fail(const char *what)
{
    fprintf(stderr, "dsml loss: %s\n", what);
    return 1;
}

int cmd_loss(int argc, char **argv)
{
    static const struct option opts[] = {
        {"embeddings", required_argument, 0, 'e'}, {"labels", required_argument, 0, 'l'},
        {"loss", required_argument, 0, 'L'}, {"distance", required_argument, 0, 'd'},
        {"margin", required_argument, 0, 'm'}, {"beta", required_argument, 0, 'b'},
        {"lambda", required_argument, 0, 'r'}, {"lifted-hard", no_argument, 0, 'H'},
        {"grad", required_argument, 0, 'g'}, {"help", no_argument, 0, 'h'},
        {"density", required_argument, 0, 'D'}, {"density-ratio", required_argument, 0, 'R'},
        {"kappa", required_argument, 0, 'K'}, {"means", required_argument, 0, 'M'},
        {"gpw-mining", required_argument, 0, 'I'}, {"gpw-weighting", required_argument, 0, 'W'},
        {"gpw-alpha", required_argument, 0, 'A'}, {"gpw-beta", required_argument, 0, 'B'},
        {"gpw-lambda", required_argument, 0, 'Y'}, {"gpw-epsilon", required_argument, 0, 'E'},
        {"quant", required_argument, 0, 'Q'}, {"multi-label", no_argument, 0, 'S'}, {0, 0, 0, 0},
    };
    const char *emb_path = NULL, *label_path = NULL, *grad_path = NULL;
    dsml_loss_kind loss = DSML_LOSS_CONTRASTIVE;
    dsml_distance_kind distance = DSML_DIST_EUCLIDEAN;
    int have_loss = 0, have_distance = 0, have_margin = 0, have_beta = 0, have_lambda = 0, hard = 0;
    float margin = 0, beta = 0, lambda = 0;
    const char *means_path = NULL;
    float density = 0, density_ratio = 0, kappa = 0, ga = 0, gb = 0, gl = 0, ge = 0;
    float quant = 0;
    int have_quant = 0, multi_label = 0;
    int have_ratio = 0, have_kappa = 0, have_ga = 0, have_gb = 0, have_gl = 0, have_ge = 0;
    dsml_gpw_mining mining = DSML_GPW_MINE_MS;
    dsml_gpw_weighting weighting = DSML_GPW_WEIGHT_MS;
    optind = 1;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) != -1;) {
        int rc = 0;
        switch (c) {
        case 'e': emb_path = optarg; break;
        case 'l': label_path = optarg; break;
        case 'g': grad_path = optarg; break;
        case 'L':
            if (dsml_loss_parse(optarg, &loss)) {
                fprintf(stderr,
                        "dsml loss: --loss %s: expected contrastive, triplet, lifted or npair, or a related "
                        "method: vmf, gpw, or a hashing loss: dpsh, dtsh\n",
                        optarg);
                return 2;
            }
            have_loss = 1;
            break;
        case 'd':
            if (dsml_distance_parse(optarg, &distance)) {
                fprintf(stderr, "dsml loss: --distance %s: expected euclidean, snr or sqeuclidean\n", optarg);
                return 2;
            }
            have_distance = 1;
            break;
        case 'm': rc = option_float("loss", "--margin", optarg, 0, 1e6, &margin); have_margin = 1; break;
        case 'b': rc = option_float("loss", "--beta", optarg, 0, 1e6, &beta); have_beta = 1; break;
        case 'r': rc = option_float("loss", "--lambda", optarg, 0, 1e6, &lambda); have_lambda = 1; break;
        case 'H': hard = 1; break;
        case 'D': rc = option_float("loss", "--density", optarg, 0, 1e6, &density); break;
        case 'R':
            rc = option_float("loss", "--density-ratio", optarg, 1e-6, 1e6, &density_ratio);
            have_ratio = 1;
            break;
        case 'K': rc = option_float("loss", "--kappa", optarg, 1e-6, 1e6, &kappa); have_kappa = 1; break;
        case 'M': means_path = optarg; break;
        case 'I':
            if (dsml_gpw_mining_parse(optarg, &mining)) {
                fprintf(stderr, "dsml loss: --gpw-mining %s: expected ms or none\n", optarg);
                return 2;
            }
            break;
        case 'W':
            if (dsml_gpw_weighting_parse(optarg, &weighting)) {
                fprintf(stderr, "dsml loss: --gpw-weighting %s: expected ms, contrastive, binomial or lifted\n",
                        optarg);
                return 2;
            }
            break;
        case 'A': rc = option_float("loss", "--gpw-alpha", optarg, 1e-6, 1e6, &ga); have_ga = 1; break;
        case 'B': rc = option_float("loss", "--gpw-beta", optarg, 1e-6, 1e6, &gb); have_gb = 1; break;
        case 'Y': rc = option_float("loss", "--gpw-lambda", optarg, -1e6, 1e6, &gl); have_gl = 1; break;
        case 'E': rc = option_float("loss", "--gpw-epsilon", optarg, 0, 1e6, &ge); have_ge = 1; break;
        case 'Q': rc = option_float("loss", "--quant", optarg, 0, 1e6, &quant); have_quant = 1; break;
        case 'S': multi_label = 1; break;
        case 'h': usage(stdout); return 0;
        default:
            fprintf(stderr, "dsml loss: unknown or incomplete option '%s' (see dsml loss --help)\n", argv[optind - 1]);
            return 2;
        }
        if (rc) return rc;
    }
    if (optind < argc) {
        fprintf(stderr, "dsml loss: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!emb_path || !label_path || !have_loss || !have_distance) {
        fprintf(stderr, "dsml loss: --embeddings, --labels, --loss and --distance are required\n");
        return 2;
    }
    float *h = NULL, *dh = NULL;
    int *labels = NULL, n, d, n_labels, status = 1;
    dsml_loss_ws *ws = NULL;
    int rc = text_read_matrix(emb_path, &h, &n, &d);
    if (!rc) rc = text_read_labels(label_path, &labels, &n_labels);
    if (!rc && n_labels != n)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: %d labels for %d embeddings in %s", label_path, n_labels, n, emb_path);
    dsml_loss_params p = dsml_loss_defaults(loss, distance);
    if (have_margin) p.margin = margin;
    if (have_beta) p.lifted.beta = beta;
    if (have_lambda) p.lambda = lambda;
    p.lifted.hard = hard;
    if (have_quant) p.hashing.quant = quant;
    p.density.weight = density;
    if (have_ratio) p.density.ratio = density_ratio;
    if (have_kappa) p.vmf.kappa = kappa;
    p.gpw.mining = mining;
    dsml_gpw_defaults(&p, weighting);
    if (have_ga) p.gpw.alpha = ga;
    if (have_gb) p.gpw.beta = gb;
    if (have_gl) p.gpw.lambda = gl;
    if (have_ge) p.gpw.epsilon = ge;
    double value = 0;
    float *mu = NULL;
    dsml_vmf_means *means = NULL;
    if (!rc && loss == DSML_LOSS_VMF) {
        int classes = 0, md = 0;
        if (!means_path) rc = dsml_fail(DSML_ERR_ARG, "vmf needs --means M.txt (one mean direction per class)");
        if (!rc) rc = text_read_matrix(means_path, &mu, &classes, &md);
        if (!rc && md != d)
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: means of %d values, the embeddings in %s have %d", means_path, md,
                           emb_path, d);
        if (!rc) rc = dsml_vmf_means_create(&means, classes, d, n);
        if (!rc) {
            int *ids = malloc(sizeof(int) * (size_t)classes);
            if (!ids) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
            for (int c = 0; ids && c < classes; c++) ids[c] = c;
            dsml_vmf_means_begin(means);
            if (!rc) rc = dsml_vmf_means_add(means, mu, ids, classes);
            if (!rc) rc = dsml_vmf_means_finish(means);
            free(ids);
        }
        p.vmf.means = means;
    }
    if (!rc) rc = dsml_loss_ws_create(&ws, n, d);
    if (!rc && !(dh = malloc(sizeof(float) * (size_t)n * d))) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
    uint64_t *sets = NULL;
    if (!rc && multi_label) { /* labels are bitmasks of labels */
        if (!(sets = malloc(sizeof *sets * (size_t)n))) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
        for (int i = 0; sets && i < n; i++) sets[i] = (uint64_t)(uint32_t)labels[i];
    }
    if (!rc && multi_label) rc = dsml_loss_compute_multi(&p, h, sets, 1, n, d, dh, ws, &value);
    else if (!rc) rc = dsml_loss_compute(&p, h, labels, n, d, dh, ws, &value);
    free(sets);
    if (!rc && grad_path) rc = text_write_matrix(grad_path, dh, n, d);
    if (rc) {
        fail(dsml_last_error()[0] ? dsml_last_error() : dsml_strerror(rc));
    } else {
        printf("%.17g\n", value);
        status = 0;
    }
    if (ws) dsml_loss_ws_free(ws);
    dsml_vmf_means_free(means);
    free(mu);
    free(h);
    free(dh);
    free(labels);
    return status;
}
