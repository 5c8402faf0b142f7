/* dsml data info NAME [--data DIR]: prints what a prepared dataset holds, as
 * JSON, from its cache alone (it never prepares anything). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/data_args.h"
#include "core/error.h"
#include "core/json.h"
#include "data/cache.h"
#include "data/dataset.h"
#include "data/kind.h"

/* The DML protocol's defaults (src/run/train.h): per class 100 queries, and
 * 500 training images taken from the rest (the database). */
#define DEFAULT_QUERIES_PER_CLASS 100
#define DEFAULT_TRAIN_PER_CLASS 500

static void data_usage(FILE *fp)
{
    fprintf(fp,
            "usage: dsml data info NAME [--data DIR]\n"
            "\n"
            "Prints, as JSON, what the prepared dataset NAME (fashion-mnist, cifar10, cub200,\n"
            "cars196, nus-wide, or an imagefolder's local name) holds: images, classes,\n"
            "shape, class names and counts, the split sizes of the DML protocol with its\n"
            "defaults, checksums, skipped and ignored files, given splits, label bits\n"
            "(multi-label datasets). Fails when NAME is not prepared\n"
            "(see `dsml prepare`).\n"
            "\n"
            "  --data DIR   data root (default $DSML_DATA, else datasets)\n");
}

static int print_info(const dsml_dataset *ds, const char *cache, const char *params)
{
    int *counts = calloc((size_t)ds->n_classes, sizeof *counts);
    int *split_counts = calloc((size_t)(ds->n_splits ? ds->n_splits : 1), sizeof *split_counts);
    if (!counts || !split_counts) {
        free(counts);
        free(split_counts);
        fprintf(stderr, "dsml data info: out of memory\n");
        return 1;
    }
    for (int i = 0; i < ds->n; i++) counts[ds->labels[i]]++;
    for (int i = 0; ds->n_splits && i < ds->n; i++) split_counts[ds->split[i]]++;
    int smallest = 0;
    for (int c = 1; c < ds->n_classes; c++)
        if (counts[c] < counts[smallest]) smallest = c;

    dsml_json j;
    dsml_json_init(&j, stdout);
    dsml_json_object_begin(&j);
    dsml_json_kv_string(&j, "name", ds->name);
    dsml_json_kv_string(&j, "cache", cache);
    dsml_json_kv_int(&j, "images", ds->n);
    dsml_json_kv_int(&j, "classes", ds->n_classes);
    dsml_json_key(&j, "shape");
    dsml_json_array_begin(&j);
    dsml_json_int(&j, ds->channels);
    dsml_json_int(&j, ds->height);
    dsml_json_int(&j, ds->width);
    dsml_json_array_end(&j);
    dsml_json_key(&j, "class_names");
    dsml_json_array_begin(&j);
    for (int c = 0; c < ds->n_classes; c++) dsml_json_string(&j, ds->class_names[c]);
    dsml_json_array_end(&j);
    dsml_json_key(&j, "class_counts");
    dsml_json_array_begin(&j);
    for (int c = 0; c < ds->n_classes; c++) dsml_json_int(&j, counts[c]);
    dsml_json_array_end(&j);

    dsml_json_key(&j, "dml_split");
    dsml_json_object_begin(&j);
    dsml_json_kv_int(&j, "queries_per_class", DEFAULT_QUERIES_PER_CLASS);
    dsml_json_kv_int(&j, "train_per_class", DEFAULT_TRAIN_PER_CLASS);
    int need = DEFAULT_QUERIES_PER_CLASS + DEFAULT_TRAIN_PER_CLASS;
    if (counts[smallest] < need) {
        char why[256];
        snprintf(why, sizeof why, "too few images: class \"%s\" has %d, the protocol needs %d per class",
                 ds->class_names[smallest], counts[smallest], need);
        dsml_json_kv_string(&j, "error", why);
    } else {
        long long queries = (long long)DEFAULT_QUERIES_PER_CLASS * ds->n_classes;
        dsml_json_kv_int(&j, "queries", queries);
        dsml_json_kv_int(&j, "database", ds->n - queries);
        dsml_json_kv_int(&j, "train", (long long)DEFAULT_TRAIN_PER_CLASS * ds->n_classes);
    }
    dsml_json_object_end(&j);

    dsml_json_kv_string(&j, "source_sha256", ds->source_sha256);
    dsml_json_kv_string(&j, "content_sha256", ds->content_sha256);
    dsml_json_key(&j, "skipped");
    dsml_json_object_begin(&j);
    dsml_json_kv_int(&j, "count", ds->n_skipped);
    dsml_json_key(&j, "files");
    dsml_json_array_begin(&j);
    for (int i = 0; i < ds->n_skipped; i++) dsml_json_string(&j, ds->skipped[i]);
    dsml_json_array_end(&j);
    dsml_json_object_end(&j);
    dsml_json_kv_int(&j, "ignored", ds->n_ignored);
    if (ds->n_splits) {
        dsml_json_key(&j, "splits");
        dsml_json_array_begin(&j);
        for (int k = 0; k < ds->n_splits; k++) {
            dsml_json_object_begin(&j);
            dsml_json_kv_string(&j, "name", ds->split_names[k]);
            dsml_json_kv_int(&j, "images", split_counts[k]);
            dsml_json_object_end(&j);
        }
        dsml_json_array_end(&j);
    }
    if (ds->n_labels) { /* multi-label: images per label, and label-set sizes */
        dsml_json_key(&j, "label_bits");
        dsml_json_object_begin(&j);
        dsml_json_kv_int(&j, "labels", ds->n_labels);
        long long per_label[64] = {0}, total = 0;
        int most = 0;
        for (int i = 0; i < ds->n; i++) {
            int bits = __builtin_popcountll(ds->label_bits[i]);
            total += bits;
            if (bits > most) most = bits;
            for (int k = 0; k < ds->n_labels; k++) per_label[k] += (ds->label_bits[i] >> k) & 1;
        }
        dsml_json_key(&j, "images_per_label");
        dsml_json_array_begin(&j);
        for (int k = 0; k < ds->n_labels; k++) dsml_json_int(&j, per_label[k]);
        dsml_json_array_end(&j);
        dsml_json_kv_double(&j, "mean_labels_per_image", (double)total / ds->n);
        dsml_json_kv_int(&j, "max_labels_per_image", most);
        dsml_json_object_end(&j);
    }
    dsml_json_kv_string(&j, "parameters", params);
    dsml_json_object_end(&j);
    free(counts);
    free(split_counts);
    return 0;
}

static int data_info(int argc, char **argv)
{
    data_arg args[1] = {{"--data", 1, NULL}};
    const char *name;
    int rc = data_args_parse("dsml data info", argc, argv, args, 1, &name, data_usage);
    if (rc) return rc == 1 ? 0 : rc;
    if (!name) { data_usage(stderr); return 2; }
    const char *data = data_args_root(args[0].value);
    char cache[4096];
    if (dsml_data_cache_path(data, name, cache, sizeof cache)) {
        fprintf(stderr, "dsml data info: %s\n", dsml_last_error());
        return 2;
    }
    if (access(cache, F_OK) != 0) {
        const dsml_data_kind *kind = dsml_data_kind_find(name);
        const char *local;
        dsml_data_kind_names(&local, 1, 0, 1);
        if (kind && !kind->local_name)
            fprintf(stderr, "dsml data info: %s is not prepared (no %s); prepare it with `dsml prepare %s`\n", name,
                    cache, name);
        else
            fprintf(stderr, "dsml data info: %s is not prepared (no %s); prepare it with "
                    "`dsml prepare %s --from PATH --name %s`\n", name, cache, local, name);
        return 1;
    }
    dsml_dataset ds;
    char params[DSML_CACHE_PARAMS];
    if (dsml_cache_open(&ds, cache, DSML_CACHE_VERIFY_CONTENT, params)) {
        fprintf(stderr, "dsml data info: %s\n", dsml_last_error());
        return 1;
    }
    rc = print_info(&ds, cache, params);
    dsml_dataset_free(&ds);
    return rc;
}

int cmd_data(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "info")) return data_info(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) { data_usage(stdout); return 0; }
    if (argc >= 2) fprintf(stderr, "dsml data: unknown subcommand '%s'\n", argv[1]);
    data_usage(stderr);
    return 2;
}
