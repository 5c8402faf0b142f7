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

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: dsml loss --embeddings E.txt --labels L.txt --loss NAME --distance NAME\n"
"                 [--margin A] [--beta B] [--lambda L] [--lifted-hard] [--grad G.txt]\n"
"\n"
"E.txt: one embedding per line, whitespace-separated floats. L.txt: one integer\n"
"label per line. For npair: two rows per class, the first the anchor and the\n"
"second its positive. Prints the loss with full precision as the last line of\n"
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
        {"grad", required_argument, 0, 'g'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *emb_path = NULL, *label_path = NULL, *grad_path = NULL;
    dsml_loss_kind loss = DSML_LOSS_CONTRASTIVE;
    dsml_distance_kind distance = DSML_DIST_EUCLIDEAN;
    int have_loss = 0, have_distance = 0, have_margin = 0, have_beta = 0, have_lambda = 0, hard = 0;
    float margin = 0, beta = 0, lambda = 0;
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
                fprintf(stderr, "dsml loss: --loss %s: expected contrastive, triplet, lifted or npair\n", optarg);
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
    if (have_beta) p.beta = beta;
    if (have_lambda) p.lambda = lambda;
    p.lifted_hard = hard;
    double value = 0;
    if (!rc) rc = dsml_loss_ws_create(&ws, n, d);
    if (!rc && !(dh = malloc(sizeof(float) * (size_t)n * d))) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
    if (!rc) rc = dsml_loss_compute(&p, h, labels, n, d, dh, ws, &value);
    if (!rc && grad_path) rc = text_write_matrix(grad_path, dh, n, d);
    if (rc) {
        fail(dsml_last_error()[0] ? dsml_last_error() : dsml_strerror(rc));
    } else {
        printf("%.17g\n", value);
        status = 0;
    }
    if (ws) dsml_loss_ws_free(ws);
    free(h);
    free(dh);
    free(labels);
    return status;
}
