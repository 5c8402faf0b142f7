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
#include "cli/text_io.h"
#include "core/error.h"
#include "core/names.h"
#include "metric/loss.h"
#include "metric/vmf.h"
#include "run/train_options.h"

/* getopt values: the command's own options, then OPT_ROW + the row of the
 * training option table (run/train_options.h) for the loss's options. */
enum { OPT_EMB = 256, OPT_LABELS, OPT_GRAD, OPT_MEANS, OPT_MULTI, OPT_HELP, OPT_ROW = 1000, MAX_GIVEN = 256 };

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: dsml loss --embeddings E.txt --labels L.txt --loss NAME --distance NAME\n"
"                 [--grad G.txt] [--lambda L] [--equations common|paper] [the loss's options]\n"
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
        for (int i = 0; i < dsml_train_option_count(); i++) {
            const dsml_train_option *o = dsml_train_option_at(i);
            if (o->name && (o->flags & DSML_OPT_BY_LOSS) && dsml_loss_takes_option(e->kind, o->name))
                fprintf(fp, " --%s%s%s", o->name, o->value_name ? " " : "", o->value_name ? o->value_name : "");
        }
        if (e->class_means) fprintf(fp, " --means M.txt");
        if (e->label_sets) fprintf(fp, " --multi-label");
        fprintf(fp, "\n");
    }
    fprintf(fp, "\n");
    dsml_train_options_help(fp, 1u << DSML_SECTION_LOSS);
    fprintf(fp,
"  --means M.txt           one class mean direction per line (class 0 first; each row is\n"
"                          normalised); labels index its rows\n"
"  --multi-label           each label is a bitmask of labels, bit k = label k; rows sharing\n"
"                          a bit are similar\n"
"\n"
"For npair: two rows per class, the first the anchor and the second its positive.\n"
"--equations paper (contrastive, triplet, lifted, npair) computes eqs. 7-12 as printed.\n"
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

int cmd_loss(int argc, char **argv)
{
    struct option opts[6 + 64 + 1] = {
        {"embeddings", required_argument, 0, OPT_EMB}, {"labels", required_argument, 0, OPT_LABELS},
        {"grad", required_argument, 0, OPT_GRAD},      {"means", required_argument, 0, OPT_MEANS},
        {"multi-label", no_argument, 0, OPT_MULTI},    {"help", no_argument, 0, OPT_HELP},
    };
    int n_opts = 6;
    for (int i = 0; i < dsml_train_option_count() && n_opts < 6 + 64; i++) {
        const dsml_train_option *o = dsml_train_option_at(i);
        if (o->name && o->section == DSML_SECTION_LOSS)
            opts[n_opts++] = (struct option){o->name, o->type == DSML_OPT_FLAG ? no_argument : required_argument, 0,
                                             OPT_ROW + i};
    }
    opts[n_opts] = (struct option){0, 0, 0, 0};
    const char *emb_path = NULL, *label_path = NULL, *grad_path = NULL, *means_path = NULL;
    int have_loss = 0, have_distance = 0, multi_label = 0, n_given = 0;
    dsml_option_given given[MAX_GIVEN];
    optind = 1;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) != -1;) {
        switch (c) {
        case OPT_EMB: emb_path = optarg; break;
        case OPT_LABELS: label_path = optarg; break;
        case OPT_GRAD: grad_path = optarg; break;
        case OPT_MEANS: means_path = optarg; break;
        case OPT_MULTI: multi_label = 1; break;
        case 'h': case OPT_HELP: usage(stdout); return 0;
        default: {
            const dsml_train_option *o = c >= OPT_ROW ? dsml_train_option_at(c - OPT_ROW) : NULL;
            if (!o || n_given == MAX_GIVEN) {
                fprintf(stderr, "dsml loss: unknown or incomplete option '%s' (see dsml loss --help)\n",
                        argv[optind - 1]);
                return 2;
            }
            have_loss |= !strcmp(o->name, "loss");
            have_distance |= !strcmp(o->name, "distance");
            given[n_given++] = (dsml_option_given){o->name, o->type == DSML_OPT_FLAG ? NULL : optarg};
        }
        }
    }
    if (optind < argc) {
        fprintf(stderr, "dsml loss: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!emb_path || !label_path || !have_loss || !have_distance) {
        fprintf(stderr, "dsml loss: --embeddings, --labels, --loss and --distance are required\n");
        return 2;
    }
    /* the loss's options as dsml train takes them: the same checks, defaults and refusals */
    dsml_train_config *cfg = malloc(sizeof *cfg);
    if (!cfg || dsml_train_config_build(cfg, given, n_given)) {
        fprintf(stderr, "dsml loss: %s\n", cfg ? dsml_last_error() : "out of memory");
        free(cfg);
        return 2;
    }
    dsml_loss_params p = cfg->loss;
    free(cfg);
    const dsml_loss_entry *entry = dsml_loss_entry_of(p.loss);
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
