/* dsml prepare NAME [--from PATH] [--name LOCALNAME] [--data DIR] [--channels 1|3]
 * [--size HxW] [--split-dirs] [--skip-bad] [--max-bytes N] [--max-entry-bytes N]
 * [--quiet]: prepares a dataset's cache under DIR/cache/ (or finds it up to
 * date) and prints one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/error.h"
#include "data/dataset.h"

static void prepare_usage(FILE *fp)
{
    fprintf(fp,
            "usage: dsml prepare NAME [--from PATH] [--name LOCALNAME] [--data DIR]\n"
            "                    [--channels 1|3] [--size HxW] [--split-dirs] [--skip-bad]\n"
            "                    [--max-bytes N] [--max-entry-bytes N] [--quiet]\n"
            "\n"
            "Prepares the cache DIR/cache/<name>.dsd of a dataset, or finds it up to date,\n"
            "and prints one line about it. NAME is fashion-mnist, cifar10, cub200, cars196,\n"
            "nus-wide, imagefolder, or the local name of an imagefolder prepared before\n"
            "(checked, prepared again when its source changed).\n"
            "\n"
            "  --from PATH       source folder or archive (required for imagefolder; the\n"
            "                    others have default locations in the data root)\n"
            "  --name LOCALNAME  the name an imagefolder is prepared under (required for\n"
            "                    imagefolder; letters, digits, '.', '_', '-')\n"
            "  --data DIR        data root (default $DSML_DATA, else datasets)\n"
            "  --channels 1|3    imagefolder, cub200, cars196, nus-wide: channels of the\n"
            "                    prepared images (default 3)\n"
            "  --size HxW        the same: the model's input size (default 32x32)\n"
            "  --split-dirs      imagefolder: the first folder level names a split (train/, test/)\n"
            "  --skip-bad        imagefolder: skip corrupt images (listed and counted) instead of\n"
            "                    failing; nus-wide: skip listed images that are absent\n"
            "  --max-bytes N     any archive: refuse more than N decompressed bytes in all\n"
            "                    (suffix K, M, G; default 64G)\n"
            "  --max-entry-bytes N  any archive: refuse a member of more than N bytes (default 1G)\n"
            "  --quiet           no progress lines on stderr\n"
            "\n"
            "See docs/imagefolder.md and docs/formats.md.\n");
}

/* "123", "64K", "16M", "2G" (powers of 1024) into *out. */
static int parse_bytes(const char *option, const char *value, int64_t *out)
{
    char *end;
    long long v = strtoll(value, &end, 10);
    int shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10, end++;
    else if (*end == 'M' || *end == 'm') shift = 20, end++;
    else if (*end == 'G' || *end == 'g') shift = 30, end++;
    if (end == value || *end || v < 1 || v > (1LL << 40) || value[0] == '-' || value[0] == '+') {
        fprintf(stderr, "dsml prepare: %s %s: expected a byte count, e.g. 512M or 64G\n", option, value);
        return 2;
    }
    *out = (int64_t)v << shift;
    return 0;
}

static int parse_size(const char *value, int *height, int *width)
{
    char *end;
    long h = strtol(value, &end, 10);
    if (end == value || (*end != 'x' && *end != 'X')) goto bad;
    const char *w_start = end + 1;
    long w = strtol(w_start, &end, 10);
    if (end == w_start || *end || h < 1 || w < 1 || h > 4096 || w > 4096 || value[0] == '-' || value[0] == '+' ||
        w_start[0] == '-' || w_start[0] == '+')
        goto bad;
    *height = (int)h;
    *width = (int)w;
    return 0;
bad:
    fprintf(stderr, "dsml prepare: --size %s: expected HxW, each 1..4096 (e.g. 32x32)\n", value);
    return 2;
}

int cmd_prepare(int argc, char **argv)
{
    const char *kind = NULL, *local = NULL, *data = NULL;
    dsml_data_options o;
    dsml_data_options_default(&o);
    int quiet = 0, folder_opts = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { prepare_usage(stdout); return 0; }
        if (!strcmp(a, "--quiet")) { quiet = 1; continue; }
        if (!strcmp(a, "--split-dirs")) { o.split_dirs = 1; folder_opts = 1; continue; }
        if (!strcmp(a, "--skip-bad")) { o.skip_bad = 1; folder_opts = 1; continue; }
        if (!strcmp(a, "--from") || !strcmp(a, "--name") || !strcmp(a, "--data") || !strcmp(a, "--channels") ||
            !strcmp(a, "--size") || !strcmp(a, "--max-bytes") || !strcmp(a, "--max-entry-bytes")) {
            if (i + 1 >= argc) { fprintf(stderr, "dsml prepare: %s needs a value\n", a); return 2; }
            const char *v = argv[++i];
            if (!strcmp(a, "--from")) o.from = v;
            else if (!strcmp(a, "--name")) local = v;
            else if (!strcmp(a, "--data")) data = v;
            else if (!strcmp(a, "--max-bytes")) { if (parse_bytes(a, v, &o.max_total_bytes)) return 2; }
            else if (!strcmp(a, "--max-entry-bytes")) { if (parse_bytes(a, v, &o.max_entry_bytes)) return 2; }
            else if (!strcmp(a, "--channels")) {
                if (strcmp(v, "1") && strcmp(v, "3")) {
                    fprintf(stderr, "dsml prepare: --channels %s: expected 1 or 3\n", v);
                    return 2;
                }
                o.channels = atoi(v);
                folder_opts = 1;
            } else {
                if (parse_size(v, &o.height, &o.width)) return 2;
                folder_opts = 1;
            }
            continue;
        }
        if (a[0] == '-') {
            fprintf(stderr, "dsml prepare: unknown option '%s'\n", a);
            prepare_usage(stderr);
            return 2;
        }
        if (kind) { fprintf(stderr, "dsml prepare: one dataset name expected, got '%s' and '%s'\n", kind, a); return 2; }
        kind = a;
    }
    if (!kind) { prepare_usage(stderr); return 2; }
    if (!data) data = getenv("DSML_DATA") && getenv("DSML_DATA")[0] ? getenv("DSML_DATA") : "datasets";
    int is_folder = !strcmp(kind, "imagefolder"), builtin = dsml_data_is_builtin(kind);
    int annotated = dsml_data_is_annotated(kind);
    char cache[4096];
    if (is_folder) {
        if (!o.from || !local) {
            fprintf(stderr, "dsml prepare: imagefolder needs --from PATH and --name LOCALNAME\n");
            return 2;
        }
        if (dsml_data_is_builtin(local) || !strcmp(local, "imagefolder") ||
            dsml_data_cache_path(data, local, cache, sizeof cache)) {
            fprintf(stderr, "dsml prepare: --name %s: expected a new name of 1..63 letters, digits, '.', '_' or '-' "
                    "(not a built-in dataset's name or imagefolder)\n", local);
            return 2;
        }
    } else if (local || (folder_opts && !annotated) || (annotated && o.split_dirs) ||
               (annotated && o.skip_bad && strcmp(kind, "nus-wide"))) {
        fprintf(stderr, "dsml prepare: --name and --split-dirs are for imagefolder only; --channels and --size for "
                "imagefolder, cub200, cars196 and nus-wide; --skip-bad for imagefolder and nus-wide\n");
        return 2;
    } else if (!builtin && dsml_data_cache_path(data, kind, cache, sizeof cache)) {
        fprintf(stderr, "dsml prepare: '%s' is not a dataset name (fashion-mnist, cifar10, cub200, cars196, nus-wide, "
                "imagefolder)\n", kind);
        return 2;
    }
    o.log = quiet ? NULL : stderr;

    dsml_dataset ds;
    int prepared = 0, rc;
    const char *name = is_folder ? local : kind;
    if (is_folder || builtin) rc = dsml_data_prepare(&ds, kind, name, data, &o, &prepared);
    else rc = dsml_data_open(&ds, kind, data, o.from, o.log); /* a local name prepared before */
    if (rc) {
        fprintf(stderr, "dsml prepare: %s\n", dsml_last_error());
        return 1;
    }
    dsml_data_cache_path(data, name, cache, sizeof cache);
    printf("%s: %s: %d images, %d classes, %dx%dx%d, content %.16s", name,
           prepared ? "prepared" : (is_folder || builtin) ? "up to date" : "ready", ds.n, ds.n_classes, ds.channels,
           ds.height, ds.width, ds.content_sha256);
    if (ds.n_skipped) printf(", %d skipped", ds.n_skipped);
    if (ds.n_ignored) printf(", %d ignored", ds.n_ignored);
    if (ds.n_splits) printf(", %d splits", ds.n_splits);
    if (ds.n_labels) printf(", multi-label over %d labels", ds.n_labels);
    printf(" (%s)\n", cache);
    dsml_dataset_free(&ds);
    return 0;
}
