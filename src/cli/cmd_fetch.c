/* dsml fetch NAME [--data DIR] [--url URL] [--quiet]: downloads and verifies
 * the files of a dataset's or pretrained weights' manifest
 * (datasets/NAME.manifest) into DIR/downloads/ (see docs/fetch.md). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/data_args.h"
#include "cli/manifest_dir.h"
#include "core/error.h"
#include "data/fetch.h"
#include "data/manifest.h"

static void fetch_usage(FILE *fp)
{
    fprintf(fp,
            "usage: dsml fetch NAME [--data DIR] [--url URL] [--quiet]\n"
            "\n"
            "Downloads the files listed in datasets/NAME.manifest (a dataset or pretrained\n"
            "weights) into DIR/downloads/, resuming partial downloads, and checks their\n"
            "size and checksums. A file already in DIR/downloads/ or DIR/ that verifies\n"
            "is not downloaded again.\n"
            "\n"
            "  --data DIR   data root (default $DSML_DATA, else datasets)\n"
            "  --url URL    download from URL instead of the manifest's URLs; a URL\n"
            "               ending in '/' gets each file name appended\n"
            "  --quiet      no progress output\n"
            "\n"
            "Manifests are read from $DSML_MANIFESTS, else from the datasets/ folder\n"
            "next to the program's bin/ folder.\n"
            "\n"
            "Datasets:           cifar10, fashion-mnist, cub200 (downloaded);\n"
            "                    cars196, nus-wide (obtained by hand: see their manifests)\n"
            "Pretrained weights: alexnet-imagenet (torchvision's ImageNet AlexNet,\n"
            "                    alexnet-owt-7be5be79.pth, checked by its SHA-256 prefix)\n"
            "                    cnn-f-imagenet (MatConvNet's ImageNet CNN-F/VGG-F,\n"
            "                    imagenet-vgg-f.mat, checked by its published MD5)\n");
}

int cmd_fetch(int argc, char **argv)
{
    enum { ARG_DATA, ARG_URL, ARG_QUIET, N_ARGS };
    data_arg args[N_ARGS] = {{"--data", 1, NULL}, {"--url", 1, NULL}, {"--quiet", 0, NULL}};
    const char *name;
    int rc = data_args_parse("dsml fetch", argc, argv, args, N_ARGS, &name, fetch_usage);
    if (rc) return rc == 1 ? 0 : rc;
    if (!name) { fetch_usage(stderr); return 2; }
    if (strchr(name, '/') || name[0] == '.') {
        fprintf(stderr, "dsml fetch: '%s' is not a dataset name\n", name);
        return 2;
    }
    const char *data = data_args_root(args[ARG_DATA].value), *url = args[ARG_URL].value;

    char dir[PATH_MAX], path[PATH_MAX + 64];
    if (manifest_dir(dir, sizeof dir) || snprintf(path, sizeof path, "%s/%s.manifest", dir, name) >= (int)sizeof path) {
        fprintf(stderr, "dsml fetch: manifest path too long\n");
        return 2;
    }
    dsml_manifest m;
    if (dsml_manifest_load(&m, path)) {
        fprintf(stderr, "dsml fetch: %s\n", dsml_last_error());
        if (access(path, F_OK) != 0)
            fprintf(stderr, "dsml fetch: no manifest for '%s' (set DSML_MANIFESTS to the folder of *.manifest)\n",
                    name);
        return 1;
    }
    dsml_fetch_options o;
    dsml_fetch_options_default(&o, data);
    o.url = url;
    o.progress = args[ARG_QUIET].value ? NULL : stderr;
    if (url && m.n_files > 1 && (!url[0] || url[strlen(url) - 1] != '/')) {
        fprintf(stderr, "dsml fetch: %s has %d files: give a --url ending in '/'\n", name, m.n_files);
        return 2;
    }
    for (int i = 0; i < m.n_files; i++) {
        dsml_fetch_result r;
        if (dsml_fetch_file(&m.files[i], &o, &r)) {
            fprintf(stderr, "dsml fetch: %s\n", dsml_last_error());
            return 1;
        }
        printf("%s  %s\n", r.sha256, r.path);
    }
    return 0;
}
