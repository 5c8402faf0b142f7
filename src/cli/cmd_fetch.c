/* dsml fetch NAME [--data DIR] [--url URL] [--stall-timeout S] [--quiet]:
 * downloads and verifies the files of a dataset's or pretrained weights'
 * manifest (datasets/NAME.manifest) into DIR/downloads/ (see docs/fetch.md). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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
            "usage: dsml fetch NAME [--data DIR] [--url URL] [--stall-timeout S] [--quiet]\n"
            "\n"
            "Downloads the files listed in datasets/NAME.manifest (a dataset or pretrained\n"
            "weights) into DIR/downloads/, resuming partial downloads, and checks their\n"
            "size and checksums. A file already in DIR/downloads/ or DIR/ that verifies\n"
            "is not downloaded again. A file the manifest gives no checksum for is\n"
            "reported UNVERIFIED and its SHA-256 written to DIR/downloads/FILE.sha256.\n"
            "\n"
            "  --data DIR   data root (default $DSML_DATA, else datasets)\n"
            "  --url URL    download from URL instead of the manifest's URLs; a URL\n"
            "               ending in '/' gets each file name appended\n"
            "  --stall-timeout S\n"
            "               give up on a URL that sends less than 1 byte/s for S\n"
            "               seconds, 1 to 86400 (default 60); it is not tried again\n"
            "  --quiet      no progress output (warnings are still printed)\n"
            "\n"
            "Manifests are read from $DSML_MANIFESTS, else from the datasets/ folder\n"
            "next to the program's bin/ folder, else (an installed dsml) from\n"
            "share/dsml/datasets/ beside it.\n"
            "\n"
            "Datasets:           cifar10, fashion-mnist, cub200 (downloaded);\n"
            "                    cars196, nus-wide (obtained by hand: see their manifests)\n"
            "Pretrained weights: alexnet-imagenet (torchvision's ImageNet AlexNet,\n"
            "                    alexnet-owt-7be5be79.pth, checked by its SHA-256 prefix)\n"
            "                    cnn-f-imagenet (MatConvNet's ImageNet CNN-F/VGG-F,\n"
            "                    imagenet-vgg-f.mat, checked by its published MD5)\n");
}

enum { STALL_MAX_S = 86400 };

/* A whole number of seconds in 1..STALL_MAX_S: 0, else -1. */
static int parse_seconds(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 1 || v > STALL_MAX_S) return -1;
    *out = v;
    return 0;
}

int cmd_fetch(int argc, char **argv)
{
    enum { ARG_DATA, ARG_URL, ARG_STALL, ARG_QUIET, N_ARGS };
    data_arg args[N_ARGS] = {{"--data", 1, NULL}, {"--url", 1, NULL}, {"--stall-timeout", 1, NULL},
                             {"--quiet", 0, NULL}};
    const char *name;
    int rc = data_args_parse("dsml fetch", argc, argv, args, N_ARGS, &name, fetch_usage);
    if (rc) return rc == 1 ? 0 : rc;
    if (!name) { fetch_usage(stderr); return 2; }
    if (strchr(name, '/') || name[0] == '.') {
        fprintf(stderr, "dsml fetch: '%s' is not a dataset name\n", name);
        return 2;
    }
    const char *data = data_args_root(args[ARG_DATA].value), *url = args[ARG_URL].value;
    dsml_fetch_options o;
    dsml_fetch_options_default(&o, data);
    if (args[ARG_STALL].value && parse_seconds(args[ARG_STALL].value, &o.stall_timeout_s)) {
        fprintf(stderr, "dsml fetch: --stall-timeout '%s': expected whole seconds from 1 to %d\n",
                args[ARG_STALL].value, STALL_MAX_S);
        return 2;
    }

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
        if (!r.verified) /* said even with --quiet: nothing vouches for these bytes */
            fprintf(stderr, "dsml fetch: warning: %s is UNVERIFIED: the manifest has no checksum for it%s%s\n",
                    m.files[i].name, r.sha256_path[0] ? "; its sha256 is recorded in " : "", r.sha256_path);
        printf("%s  %s\n", r.sha256, r.path);
    }
    return 0;
}
