/* dsml prepare NAME [--from PATH] [--name LOCALNAME] [--data DIR] [--channels 1|3]
 * [--size HxW] [--split-dirs] [--skip-bad] [--max-bytes N] [--max-entry-bytes N]
 * [--quiet]: prepares a dataset's cache under DIR/cache/ (or finds it up to
 * date) and prints one line. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/data_args.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/kind.h"

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
    if (!isdigit((unsigned char)value[0]) || end == value || *end || v < 1 || v > (1LL << 40)) {
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
    /* digits only: strtol would also take blanks and signs ("32x 32", "+32x32") */
    if (end == w_start || *end || h < 1 || w < 1 || h > 4096 || w > 4096 || !isdigit((unsigned char)value[0]) ||
        !isdigit((unsigned char)w_start[0]))
        goto bad;
    *height = (int)h;
    *width = (int)w;
    return 0;
bad:
    fprintf(stderr, "dsml prepare: --size %s: expected HxW, each 1..4096 (e.g. 32x32)\n", value);
    return 2;
}

/* "a, b and c" (sep ", ", then `last` before the last name) into buf: the
 * kinds that honour every option in `options`, those prepared under a local
 * name first. */
static void kind_list(unsigned options, const char *last, char *buf, size_t size)
{
    const char *names[DSML_DATA_KINDS_MAX];
    int n = dsml_data_kind_names(names, DSML_DATA_KINDS_MAX, options, 1);
    n += dsml_data_kind_names(names + n, DSML_DATA_KINDS_MAX - n, options, 0);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < size; i++) {
        int len = snprintf(buf + used, size - used, "%s%s", i == 0 ? "" : i == n - 1 ? last : ", ", names[i]);
        used += len > 0 ? (size_t)len : 0;
    }
}

enum { ARG_FROM, ARG_NAME, ARG_DATA, ARG_CHANNELS, ARG_SIZE, ARG_SPLIT_DIRS, ARG_SKIP_BAD, ARG_MAX_BYTES,
       ARG_MAX_ENTRY_BYTES, ARG_QUIET, N_ARGS };

/* The options that shape the data into o; *asked gets the DSML_DATA_OPT_*
 * given. 0, or 2 after a usage error. */
static int shape_options(const data_arg *args, dsml_data_options *o, unsigned *asked)
{
    *asked = 0;
    if (args[ARG_MAX_BYTES].value && parse_bytes("--max-bytes", args[ARG_MAX_BYTES].value, &o->max_total_bytes))
        return 2;
    if (args[ARG_MAX_ENTRY_BYTES].value &&
        parse_bytes("--max-entry-bytes", args[ARG_MAX_ENTRY_BYTES].value, &o->max_entry_bytes))
        return 2;
    const char *channels = args[ARG_CHANNELS].value;
    if (channels) {
        if (strcmp(channels, "1") && strcmp(channels, "3")) {
            fprintf(stderr, "dsml prepare: --channels %s: expected 1 or 3\n", channels);
            return 2;
        }
        o->channels = atoi(channels);
        *asked |= DSML_DATA_OPT_SHAPE;
    }
    if (args[ARG_SIZE].value) {
        if (parse_size(args[ARG_SIZE].value, &o->height, &o->width)) return 2;
        *asked |= DSML_DATA_OPT_SHAPE;
    }
    if (args[ARG_SPLIT_DIRS].value) o->split_dirs = 1, *asked |= DSML_DATA_OPT_SPLIT_DIRS;
    if (args[ARG_SKIP_BAD].value) o->skip_bad = 1, *asked |= DSML_DATA_OPT_SKIP_BAD;
    return 0;
}

/* 0 when the options given suit `kind` (NULL: a local name prepared
 * before), else 2 after the message. */
static int check_kind(const char *kind_name, const dsml_data_kind *kind, const char *local, const char *data,
                      const dsml_data_options *o, unsigned asked)
{
    char cache[4096], a[256], b[256], c[256];
    if (kind && kind->local_name) {
        if (!o->from || !local) {
            fprintf(stderr, "dsml prepare: %s needs --from PATH and --name LOCALNAME\n", kind->name);
            return 2;
        }
        if (dsml_data_kind_find(local) || dsml_data_cache_path(data, local, cache, sizeof cache)) {
            fprintf(stderr, "dsml prepare: --name %s: expected a new name of 1..63 letters, digits, '.', '_' or '-' "
                    "(not a built-in dataset's name or %s)\n", local, kind->name);
            return 2;
        }
    } else if (local || (asked & ~(kind ? kind->options : 0u))) {
        kind_list(DSML_DATA_OPT_SPLIT_DIRS, " and ", a, sizeof a);
        kind_list(DSML_DATA_OPT_SHAPE, " and ", b, sizeof b);
        kind_list(DSML_DATA_OPT_SKIP_BAD, " and ", c, sizeof c);
        fprintf(stderr, "dsml prepare: --name and --split-dirs are for %s only; --channels and --size for %s; "
                "--skip-bad for %s\n", a, b, c);
        return 2;
    } else if (!kind && dsml_data_cache_path(data, kind_name, cache, sizeof cache)) {
        int count;
        const dsml_data_kind *kinds = dsml_data_kinds(&count);
        a[0] = '\0';
        for (int i = 0; i < count; i++)
            snprintf(a + strlen(a), sizeof a - strlen(a), "%s%s", i ? ", " : "", kinds[i].name);
        fprintf(stderr, "dsml prepare: '%s' is not a dataset name (%s)\n", kind_name, a);
        return 2;
    }
    return 0;
}

/* Removes the temp files that killed writers left in the cache folder and
 * says how many; a failure there is a warning, not a reason to stop. */
static void remove_stale_temps(const char *data, const char *name)
{
    char cache[4096];
    if (dsml_data_cache_path(data, name, cache, sizeof cache)) return; /* the prepare names the problem */
    char *slash = strrchr(cache, '/');
    if (slash) *slash = '\0';
    int removed;
    if (dsml_atomic_remove_stale(slash ? cache : ".", &removed))
        fprintf(stderr, "dsml prepare: warning: %s\n", dsml_last_error());
    else if (removed)
        fprintf(stderr, "dsml prepare: removed %d temp file%s left in %s by processes that ended\n", removed,
                removed == 1 ? "" : "s", slash ? cache : ".");
    dsml_clear_error();
}

int cmd_prepare(int argc, char **argv)
{
    data_arg args[N_ARGS] = {
        [ARG_FROM] = {"--from", 1, NULL}, [ARG_NAME] = {"--name", 1, NULL}, [ARG_DATA] = {"--data", 1, NULL},
        [ARG_CHANNELS] = {"--channels", 1, NULL}, [ARG_SIZE] = {"--size", 1, NULL},
        [ARG_SPLIT_DIRS] = {"--split-dirs", 0, NULL}, [ARG_SKIP_BAD] = {"--skip-bad", 0, NULL},
        [ARG_MAX_BYTES] = {"--max-bytes", 1, NULL}, [ARG_MAX_ENTRY_BYTES] = {"--max-entry-bytes", 1, NULL},
        [ARG_QUIET] = {"--quiet", 0, NULL},
    };
    const char *kind_name;
    int rc = data_args_parse("dsml prepare", argc, argv, args, N_ARGS, &kind_name, prepare_usage);
    if (rc) return rc == 1 ? 0 : rc;
    if (!kind_name) { prepare_usage(stderr); return 2; }
    dsml_data_options o;
    dsml_data_options_default(&o);
    unsigned asked;
    if (shape_options(args, &o, &asked)) return 2;
    o.from = args[ARG_FROM].value;
    const char *local = args[ARG_NAME].value, *data = data_args_root(args[ARG_DATA].value);
    const dsml_data_kind *kind = dsml_data_kind_find(kind_name);
    if (check_kind(kind_name, kind, local, data, &o, asked)) return 2;
    o.log = args[ARG_QUIET].value ? NULL : stderr;
    o.fashion_mnist_dir = data_args_fashion_mnist_dir();

    dsml_dataset ds;
    int prepared = 0;
    const char *name = kind && kind->local_name ? local : kind_name;
    remove_stale_temps(data, name);
    if (kind) rc = dsml_data_prepare(&ds, kind_name, name, data, &o, &prepared);
    else rc = dsml_data_open(&ds, kind_name, data, &o); /* a local name prepared before */
    if (rc) {
        fprintf(stderr, "dsml prepare: %s\n", dsml_last_error());
        return 1;
    }
    char cache[4096];
    dsml_data_cache_path(data, name, cache, sizeof cache);
    printf("%s: %s: %d images, %d classes, %dx%dx%d, content %.16s", name,
           prepared ? "prepared" : kind ? "up to date" : "ready", ds.n, ds.n_classes, ds.channels, ds.height,
           ds.width, ds.content_sha256);
    if (ds.n_skipped) printf(", %d skipped", ds.n_skipped);
    if (ds.n_ignored) printf(", %d ignored", ds.n_ignored);
    if (ds.n_splits) printf(", %d splits", ds.n_splits);
    if (ds.n_labels) printf(", multi-label over %d labels", ds.n_labels);
    printf(" (%s)\n", cache);
    dsml_dataset_free(&ds);
    return 0;
}
