/* dsml loss: the loss (and gradient) of one batch read from text files, so
 * that anyone can check a loss against another implementation. The losses,
 * their summaries and which options each takes come from the loss registry
 * (metric/loss.h); an option the chosen loss does not take is refused. */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/text_io.h"
#include "core/error.h"
#include "core/names.h"
#include "metric/loss.h"
#include "metric/vmf.h"

/* The loss parameters, named as dsml train's options; each sets one member
 * of dsml_loss_params. They are applied in this order, so gpw-weighting
 * (which resets the gpw scales to its defaults) comes before gpw-alpha. */
typedef enum { ARG_FLOAT, ARG_FLAG, ARG_MINING, ARG_WEIGHTING } arg_kind;
typedef struct {
    const char *name, *metavar, *help;
    arg_kind kind;
    double lo, hi;  /* ARG_FLOAT: the accepted range */
    size_t offset;  /* of the member it sets */
} loss_option;

#define AT(member) offsetof(dsml_loss_params, member)
static const loss_option loss_options[] = {
    {"lambda", "L", "weight of the zero-mean regulariser, eq. 7 (every loss)", ARG_FLOAT, 0, 1e6, AT(lambda)},
    {"margin", "A", "alpha of eqs. 8-10; dtsh: per bit (alpha = A x D)", ARG_FLOAT, 0, 1e6, AT(margin)},
    {"beta", "B", "beta of eq. 10", ARG_FLOAT, 0, 1e6, AT(lifted.beta)},
    {"lifted-hard", NULL, "eq. 10 with hard max instead of log-sum-exp", ARG_FLAG, 0, 0, AT(lifted.hard)},
    {"npair-l2", "W", "weight of Sohn's L2 embedding penalty", ARG_FLOAT, 0, 1e6, AT(npair.l2)},
    {"density", "W", "weight of the density regulariser (0 = off)", ARG_FLOAT, 0, 1e6, AT(density.weight)},
    {"density-ratio", "R", "its target intra/inter-class distance ratio", ARG_FLOAT, 1e-6, 1e6, AT(density.ratio)},
    {"kappa", "K", "concentration", ARG_FLOAT, 1e-6, 1e6, AT(vmf.kappa)},
    {"gpw-mining", "NAME", "ms or none", ARG_MINING, 0, 0, AT(gpw.mining)},
    {"gpw-weighting", "NAME", "ms, contrastive, binomial or lifted", ARG_WEIGHTING, 0, 0, AT(gpw.weighting)},
    {"gpw-alpha", "A", "scale of the positive terms", ARG_FLOAT, 1e-6, 1e6, AT(gpw.alpha)},
    {"gpw-beta", "B", "scale of the negative terms", ARG_FLOAT, 1e-6, 1e6, AT(gpw.beta)},
    {"gpw-lambda", "L", "similarity margin", ARG_FLOAT, -1e6, 1e6, AT(gpw.lambda)},
    {"gpw-epsilon", "E", "ms mining margin", ARG_FLOAT, 0, 1e6, AT(gpw.epsilon)},
    {"quant", "W", "weight of the quantisation penalty", ARG_FLOAT, 0, 1e6, AT(hashing.quant)},
};
#undef AT
enum { N_LOSS_OPTIONS = (int)(sizeof loss_options / sizeof loss_options[0]) };

/* getopt values: the command's own options, then 1000 + row of loss_options. */
enum { OPT_EMB = 256, OPT_LABELS, OPT_LOSS, OPT_DISTANCE, OPT_GRAD, OPT_MEANS, OPT_MULTI, OPT_HELP, OPT_PARAM = 1000 };

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: dsml loss --embeddings E.txt --labels L.txt --loss NAME --distance NAME\n"
"                 [--grad G.txt] [--lambda L] [the loss's options]\n"
"\n"
"E.txt: one embedding per line, whitespace-separated floats. L.txt: one integer\n"
"label per line. Prints the loss with full precision as the last line of\n"
"stdout; --grad writes dL/dE, one row per embedding.\n"
"\n"
"losses (--loss NAME) and the options each takes beyond --distance and --lambda:\n");
    for (int k = 0; k < DSML_LOSS_COUNT; k++) {
        const dsml_loss_entry *e = dsml_loss_entry_of((dsml_loss_kind)k);
        fprintf(fp, "  %-12s %s\n", e->name, e->summary);
        fprintf(fp, "  %-12s", "");
        for (int i = 0; i < N_LOSS_OPTIONS; i++) {
            const loss_option *o = &loss_options[i];
            if (strcmp(o->name, "lambda") && dsml_loss_takes_option(e->kind, o->name))
                fprintf(fp, " --%s%s%s", o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
        }
        if (e->class_means) fprintf(fp, " --means M.txt");
        if (e->label_sets) fprintf(fp, " --multi-label");
        fprintf(fp, "\n");
    }
    fprintf(fp, "\nloss options:\n");
    for (int i = 0; i < N_LOSS_OPTIONS; i++) {
        const loss_option *o = &loss_options[i];
        char flag[64];
        snprintf(flag, sizeof flag, "--%s%s%s", o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
        fprintf(fp, "  %-22s %s\n", flag, o->help);
    }
    fprintf(fp,
"  --means M.txt          one class mean direction per line (class 0 first; each row is\n"
"                         normalised); labels index its rows\n"
"  --multi-label          each label is a bitmask of labels, bit k = label k; rows sharing\n"
"                         a bit are similar\n"
"\n"
"For npair: two rows per class, the first the anchor and the second its positive.\n"
"Formulas, defaults and normalisations: docs/losses.md.\n");
}

/* The vmf means from M.txt, as the trainer would estimate them: each row
 * one class. *mu and *means are the caller's to free. */
static int read_means(const char *means_path, const char *emb_path, int n, int d, float **mu, dsml_vmf_means **means)
{
    int classes = 0, md = 0;
    if (!means_path) return dsml_fail(DSML_ERR_ARG, "vmf needs --means M.txt (one mean direction per class)");
    int rc = text_read_matrix(means_path, mu, &classes, &md);
    if (!rc && md != d)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: means of %d values, the embeddings in %s have %d", means_path, md,
                       emb_path, d);
    if (!rc) rc = dsml_vmf_means_create(means, classes, d, n);
    if (rc) return rc;
    int *ids = malloc(sizeof(int) * (size_t)classes);
    if (!ids) return dsml_fail(DSML_ERR_NOMEM, "out of memory");
    for (int c = 0; c < classes; c++) ids[c] = c;
    dsml_vmf_means_begin(*means);
    rc = dsml_vmf_means_add(*means, *mu, ids, classes);
    if (!rc) rc = dsml_vmf_means_finish(*means);
    free(ids);
    return rc;
}

/* Refuses --means for a loss without class means, naming those that take it. */
static int check_means_option(const dsml_loss_entry *chosen)
{
    if (chosen->class_means) return DSML_OK;
    const char *takers[DSML_LOSS_COUNT];
    int count = 0;
    for (int k = 0; k < DSML_LOSS_COUNT; k++) {
        const dsml_loss_entry *e = dsml_loss_entry_of((dsml_loss_kind)k);
        takers[k] = e->class_means ? e->name : NULL;
        count += e->class_means;
    }
    char list[256];
    dsml_names_join(takers, DSML_LOSS_COUNT, list, sizeof list);
    return dsml_fail(DSML_ERR_ARG, "--means: not an option of %s (%s %s it)", chosen->name, list,
                     count == 1 ? "takes" : "take");
}

/* Sets the member of one given loss option in *p. */
static void apply_option(const loss_option *o, float value, int name_index, dsml_loss_params *p)
{
    char *at = (char *)p + o->offset;
    switch (o->kind) {
    case ARG_FLOAT: *(float *)at = value; break;
    case ARG_FLAG: *(int *)at = 1; break;
    case ARG_MINING: *(dsml_gpw_mining *)at = (dsml_gpw_mining)name_index; break;
    case ARG_WEIGHTING: dsml_gpw_defaults(p, (dsml_gpw_weighting)name_index); break;
    }
}

int cmd_loss(int argc, char **argv)
{
    struct option opts[8 + N_LOSS_OPTIONS + 1] = {
        {"embeddings", required_argument, 0, OPT_EMB}, {"labels", required_argument, 0, OPT_LABELS},
        {"loss", required_argument, 0, OPT_LOSS}, {"distance", required_argument, 0, OPT_DISTANCE},
        {"grad", required_argument, 0, OPT_GRAD}, {"means", required_argument, 0, OPT_MEANS},
        {"multi-label", no_argument, 0, OPT_MULTI}, {"help", no_argument, 0, OPT_HELP},
    };
    for (int i = 0; i < N_LOSS_OPTIONS; i++)
        opts[8 + i] = (struct option){loss_options[i].name,
                                      loss_options[i].kind == ARG_FLAG ? no_argument : required_argument, 0,
                                      OPT_PARAM + i};
    const char *emb_path = NULL, *label_path = NULL, *grad_path = NULL, *means_path = NULL;
    dsml_loss_kind loss = DSML_LOSS_CONTRASTIVE;
    dsml_distance_kind distance = DSML_DIST_EUCLIDEAN;
    int have_loss = 0, have_distance = 0, multi_label = 0;
    int given[N_LOSS_OPTIONS] = {0}, name_index[N_LOSS_OPTIONS] = {0};
    float value[N_LOSS_OPTIONS] = {0};
    optind = 1;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) != -1;) {
        int rc = 0;
        switch (c) {
        case OPT_EMB: emb_path = optarg; break;
        case OPT_LABELS: label_path = optarg; break;
        case OPT_GRAD: grad_path = optarg; break;
        case OPT_MEANS: means_path = optarg; break;
        case OPT_MULTI: multi_label = 1; break;
        case OPT_LOSS:
            if (dsml_loss_parse(optarg, &loss)) {
                const char *names[DSML_LOSS_COUNT];
                for (int k = 0; k < DSML_LOSS_COUNT; k++) names[k] = dsml_loss_name((dsml_loss_kind)k);
                char list[256];
                dsml_names_join(names, DSML_LOSS_COUNT, list, sizeof list);
                fprintf(stderr, "dsml loss: --loss %s: expected %s\n", optarg, list);
                return 2;
            }
            have_loss = 1;
            break;
        case OPT_DISTANCE:
            if (dsml_distance_parse(optarg, &distance)) {
                fprintf(stderr, "dsml loss: --distance %s: expected euclidean, snr or sqeuclidean\n", optarg);
                return 2;
            }
            have_distance = 1;
            break;
        case 'h': case OPT_HELP: usage(stdout); return 0;
        default: {
            int i = c - OPT_PARAM;
            if (i < 0 || i >= N_LOSS_OPTIONS) {
                fprintf(stderr, "dsml loss: unknown or incomplete option '%s' (see dsml loss --help)\n",
                        argv[optind - 1]);
                return 2;
            }
            const loss_option *o = &loss_options[i];
            char flag[64];
            snprintf(flag, sizeof flag, "--%s", o->name);
            given[i] = 1;
            if (o->kind == ARG_FLOAT) {
                rc = option_float("loss", flag, optarg, o->lo, o->hi, &value[i]);
            } else if (o->kind == ARG_MINING) {
                dsml_gpw_mining m;
                if (dsml_gpw_mining_parse(optarg, &m)) {
                    fprintf(stderr, "dsml loss: --gpw-mining %s: expected ms or none\n", optarg);
                    return 2;
                }
                name_index[i] = (int)m;
            } else if (o->kind == ARG_WEIGHTING) {
                dsml_gpw_weighting w;
                if (dsml_gpw_weighting_parse(optarg, &w)) {
                    fprintf(stderr, "dsml loss: --gpw-weighting %s: expected ms, contrastive, binomial or lifted\n",
                            optarg);
                    return 2;
                }
                name_index[i] = (int)w;
            }
            break;
        }
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
    const dsml_loss_entry *entry = dsml_loss_entry_of(loss);
    for (int i = 0; i < N_LOSS_OPTIONS; i++)
        if (given[i] && dsml_loss_check_option(loss, loss_options[i].name)) {
            fprintf(stderr, "dsml loss: %s\n", dsml_last_error());
            return 2;
        }
    if (means_path && check_means_option(entry)) {
        fprintf(stderr, "dsml loss: %s\n", dsml_last_error());
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
    for (int i = 0; i < N_LOSS_OPTIONS; i++)
        if (given[i]) apply_option(&loss_options[i], value[i], name_index[i], &p);
    double value_out = 0;
    float *mu = NULL;
    dsml_vmf_means *means = NULL;
    if (!rc && entry->class_means) {
        rc = read_means(means_path, emb_path, n, d, &mu, &means);
        p.vmf.means = means;
    }
    if (!rc) rc = dsml_loss_ws_create(&ws, n, d);
    if (!rc && !(dh = malloc(sizeof(float) * (size_t)n * d))) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
    uint64_t *sets = NULL;
    if (!rc && multi_label) { /* labels are bitmasks of labels */
        if (!(sets = malloc(sizeof *sets * (size_t)n))) rc = dsml_fail(DSML_ERR_NOMEM, "out of memory");
        for (int i = 0; sets && i < n; i++) sets[i] = (uint64_t)(uint32_t)labels[i];
    }
    if (!rc && multi_label) rc = dsml_loss_compute_multi(&p, h, sets, 1, n, d, dh, ws, &value_out);
    else if (!rc) rc = dsml_loss_compute(&p, h, labels, n, d, dh, ws, &value_out);
    free(sets);
    if (!rc && grad_path) rc = text_write_matrix(grad_path, dh, n, d);
    if (rc) {
        fprintf(stderr, "dsml loss: %s\n", dsml_last_error()[0] ? dsml_last_error() : dsml_strerror(rc));
    } else {
        printf("%.17g\n", value_out);
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
