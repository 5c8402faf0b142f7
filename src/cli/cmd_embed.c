/* dsml embed: a network's forward pass over a .npy of images, with weights
 * read from a file or a fetched manifest's file (run/embed_npy.h). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/data_args.h"
#include "cli/manifest_dir.h"
#include "cli/options.h"
#include "core/error.h"
#include "run/embed_npy.h"

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: dsml embed --model NAME --input X.npy --out Y.npy [--weights FILE|NAME] [--dim D]\n"
"                  [--data DIR] [--batch B] [--threads T] [--seed S] [--quiet]\n"
"\n"
"Runs the network in evaluation mode (no dropout) over X.npy, N x C x H x W float32 images\n"
"already normalised, and writes Y.npy, N x D float32. With --weights the network's layers are\n"
"read from FILE (a PyTorch checkpoint, a safetensors file or a MatConvNet .mat; docs/weights.md)\n"
"or from the file of the manifest NAME that dsml fetch got (`dsml fetch alexnet-imagenet`, then\n"
"--weights alexnet-imagenet, as dsml train takes it); without --dim, D is the file's last layer's\n"
"width (1000 for ImageNet weights), so an import can be compared with another framework's output.\n"
"A last layer of another width keeps its fresh initialisation (drawn from --seed, default 1) and\n"
"is reported.\n"
"\n"
"  --model NAME    %s\n"
"  --data DIR      data root where --weights NAME was fetched (default $DSML_DATA, else datasets)\n"
"  --batch B       images per forward pass (default 64)\n"
"  --threads T     OpenMP threads (default: all)\n"
"  --quiet         no progress or report on stderr\n",
            "mlp, convnet, alexnet, cnn-f (dsml train --help lists them)");
}

static void print_report(const dsml_embed_npy_config *c, const dsml_embed_npy_report *r)
{
    fprintf(stderr, "embed: %lld images %dx%dx%d -> %d in %.2f s\n", r->images, r->channels, r->height, r->width,
            r->dim, r->seconds);
    if (!c->weights) return;
    fprintf(stderr, "embed: %s (%s, sha256 %s): %d of %d layers loaded\n", c->weights, r->format, r->sha256,
            r->loaded.loaded, r->loaded.count);
    for (int i = 0; i < r->loaded.count; i++)
        if (r->loaded.layers[i].fresh)
            fprintf(stderr, "embed: layer %d of %d kept its fresh initialisation (the file's last layer is %d wide)\n",
                    i + 1, r->loaded.count, r->loaded.last_width);
}

int cmd_embed(int argc, char **argv)
{
    dsml_embed_npy_config c = {.model = DSML_MODEL_KINDS, .batch = 64, .seed = 1};
    int quiet = 0;
    const char *data = NULL;
    char weights_path[1024];
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(o, "--quiet")) quiet = 1;
        else if (!v) {
            fprintf(stderr, "dsml embed: unknown or incomplete option '%s' (see dsml embed --help)\n", o);
            return 2;
        } else if (!strcmp(o, "--model")) {
            if (dsml_model_parse_kind(v, &c.model)) {
                fprintf(stderr, "dsml embed: --model: %s\n", dsml_last_error());
                return 2;
            }
        } else if (!strcmp(o, "--weights")) c.weights = v;
        else if (!strcmp(o, "--data")) data = v;
        else if (!strcmp(o, "--input")) c.input = v;
        else if (!strcmp(o, "--out")) c.output = v;
        else if (!strcmp(o, "--dim")) rc = option_int("embed", o, v, 1, 65536, &c.dim);
        else if (!strcmp(o, "--batch")) rc = option_int("embed", o, v, 1, 4096, &c.batch);
        else if (!strcmp(o, "--threads")) rc = option_int("embed", o, v, 1, 1024, &c.threads);
        else if (!strcmp(o, "--seed")) {
            uint64_t s;
            rc = option_u64("embed", o, v, &s);
            c.seed = s;
        } else {
            fprintf(stderr, "dsml embed: unknown option '%s' (see dsml embed --help)\n", o);
            return 2;
        }
        if (rc) return rc;
        i++;
    }
    if (c.model == DSML_MODEL_KINDS || !c.input || !c.output) {
        fprintf(stderr, "dsml embed: --model, --input and --out are required (see dsml embed --help)\n");
        return 2;
    }
    if (data && !c.weights) {
        fprintf(stderr, "dsml embed: --data says where --weights NAME was fetched; without --weights it has nothing "
                        "to do\n");
        return 2;
    }
    if (c.weights) { /* a manifest's name ("alexnet-imagenet") or a path, as dsml train takes it */
        if (manifest_weights_path("dsml embed", c.weights, data_args_root(data), weights_path, sizeof weights_path))
            return 1;
        c.weights = weights_path;
    }
    if (!quiet) c.log = stderr;
    dsml_embed_npy_report r;
    if (dsml_embed_npy(&c, &r)) {
        fprintf(stderr, "dsml embed: %s\n", dsml_last_error());
        return 1;
    }
    if (!quiet) print_report(&c, &r);
    return 0;
}
