/* Tests of --classes (src/data/class_subset.c and its option row): parsing
 * class lists and their errors, cutting a dataset down to a subset
 * (relabelling, pixels, class names, the official split, label bits, ds left
 * as it was on failure), the option as the table builds, records and compares
 * it, a sweep key, and `dsml train --classes` end to end on a small
 * imagefolder of ten classes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_parse.h"
#include "data/class_subset.h"
#include "results/embeddings.h"
#include "results/run_metrics.h"
#include "run/sweep.h"
#include "run/train_options.h"
#include "support/dataset_files.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/image_files.h"
#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static dsml_class_subset parsed(const char *text)
{
    dsml_class_subset s;
    char expected[300];
    ck_assert_msg(dsml_class_subset_parse(text, &s, expected, sizeof expected) == DSML_OK, "%s: %s", text, expected);
    return s;
}

/* ---- parsing ---------------------------------------------------------------------- */

START_TEST(test_parse)
{
    dsml_class_subset s = parsed("5-9");
    ck_assert_int_eq(s.n_ranges, 1);
    ck_assert_int_eq(s.lo[0], 5);
    ck_assert_int_eq(s.hi[0], 9);
    ck_assert_int_eq(s.n_classes, 5);
    s = parsed("0-2,7");
    ck_assert_int_eq(s.n_ranges, 2);
    ck_assert_int_eq(s.n_classes, 4);
    static const int ranks[] = {0, 1, 2, -1, -1, -1, -1, 3, -1};
    for (int c = 0; c < 9; c++) ck_assert_int_eq(dsml_class_subset_rank(&s, c), ranks[c]);
    s = parsed("0,2,4");
    ck_assert_int_eq(s.n_ranges, 3);
    ck_assert_int_eq(dsml_class_subset_rank(&s, 4), 2);
    /* the same classes however listed: order, single numbers, adjacent ranges */
    dsml_class_subset a = parsed("0-2,7"), b = parsed("7,2,0-1"), c = parsed("5,6,7,8,9"), d = parsed("5-6,7-9");
    ck_assert(dsml_class_subset_equal(&a, &b));
    ck_assert(dsml_class_subset_equal(&c, &d));
    s = parsed("5-9");
    ck_assert(dsml_class_subset_equal(&c, &s));
    ck_assert(!dsml_class_subset_equal(&a, &c));
    s = parsed("5-8");
    ck_assert(!dsml_class_subset_equal(&c, &s));
    s = parsed("3-3,999999");
    ck_assert_int_eq(s.n_classes, 2);
    ck_assert_int_eq(dsml_class_subset_rank(&s, 999999), 1);
}
END_TEST

START_TEST(test_parse_errors)
{
    static const struct { const char *text, *expected; } cases[] = {
        {"", "class numbers and ranges such as 5-9, 0,2,4 or 0-2,7 (the list is empty)"},
        {"3", "at least 2 classes (metric learning tells classes apart)"},
        {"4-4", "at least 2 classes"},
        {"9-5", "ranges from low to high (9-5 runs backwards)"},
        {"1,2,1", "each class once (class 1 is listed twice)"},
        {"0-4,3-6", "each class once (class 3 is listed twice)"},
        {"a", "such as 5-9, 0,2,4 or 0-2,7 (at character 1: \"a\")"},
        {"5-", "(the text ends after \"5-\")"},
        {"5,", "(the text ends after \"5,\")"},
        {"5,,6", "(at character 3: \",6\")"},
        {"-5", "(at character 1: \"-5\")"},
        {"5 - 9", "(at character 2: \" - 9\")"},
        {"5-9x", "(at character 4: \"x\")"},
        {"1000000,1", "class numbers up to 999999 (1000000 is larger)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dsml_class_subset s;
        memset(&s, 0x5a, sizeof s);
        char expected[300] = "";
        ck_assert_msg(dsml_class_subset_parse(cases[i].text, &s, expected, sizeof expected) == DSML_ERR_ARG, "%s",
                      cases[i].text);
        ck_assert_msg(strstr(expected, cases[i].expected), "%s: '%s'", cases[i].text, expected);
        ck_assert_int_eq(s.n_ranges, 0x5a5a5a5a); /* left alone */
    }
    /* at most DSML_CLASS_SUBSET_RANGES items */
    char text[1024] = "";
    for (int k = 0; k <= DSML_CLASS_SUBSET_RANGES; k++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s%d", k ? "," : "", 2 * k);
    dsml_class_subset s;
    char expected[300];
    ck_assert_int_eq(dsml_class_subset_parse(text, &s, expected, sizeof expected), DSML_ERR_ARG);
    ck_assert_str_eq(expected, "at most 128 numbers or ranges");
    ck_assert_int_eq(dsml_class_subset_parse(NULL, &s, expected, sizeof expected), DSML_ERR_ARG);
}
END_TEST

/* ---- cutting a dataset -------------------------------------------------------------- */

enum { TOY_N = 40, TOY_CLASSES = 5 };

static int toy_label(int i) { return (i * 3) % TOY_CLASSES; }

/* 40 images of 1x2x3, class (3i) mod 5, named k0..k4, pixel_value's bytes;
 * official split: odd images train. */
static void toy(dsml_dataset *ds)
{
    uint8_t *pixels;
    int32_t *labels;
    ck_assert_int_eq(dsml_dataset_alloc(ds, "toy", TOY_N, 1, 2, 3, TOY_CLASSES, &pixels, &labels), DSML_OK);
    int8_t train[TOY_N];
    for (int i = 0; i < TOY_N; i++) {
        labels[i] = toy_label(i);
        for (int b = 0; b < 6; b++) pixels[i * 6 + b] = pixel_value(i, b);
        train[i] = i % 2;
    }
    for (int c = 0; c < TOY_CLASSES; c++) snprintf(ds->class_names[c], DSML_DATASET_NAME, "k%d", c);
    ck_assert_int_eq(dsml_dataset_set_train_test(ds, train, "toy"), DSML_OK);
    snprintf(ds->source_sha256, sizeof ds->source_sha256, "%064d", 1);
    dsml_dataset_content_sha256(ds, ds->content_sha256);
}

START_TEST(test_apply)
{
    dsml_dataset ds;
    toy(&ds);
    char content[65];
    memcpy(content, ds.content_sha256, sizeof content);
    dsml_class_subset s = parsed("4,1,3");
    ck_assert_int_eq(dsml_class_subset_apply(&ds, &s), DSML_OK);
    ck_assert_int_eq(ds.n, 24);
    ck_assert_int_eq(ds.n_classes, 3);
    ck_assert_str_eq(ds.name, "toy");
    ck_assert_str_eq(ds.class_names[0], "k1");
    ck_assert_str_eq(ds.class_names[1], "k3");
    ck_assert_str_eq(ds.class_names[2], "k4");
    static const int new_label[TOY_CLASSES] = {-1, 0, -1, 1, 2};
    int j = 0;
    for (int i = 0; i < TOY_N; i++) {
        if (new_label[toy_label(i)] < 0) continue;
        ck_assert_int_eq(ds.labels[j], new_label[toy_label(i)]);
        for (int b = 0; b < 6; b++) ck_assert_int_eq(ds.pixels[j * 6 + b], pixel_value(i, b));
        ck_assert_int_eq(ds.split[j], i % 2); /* split 1 is "train" */
        j++;
    }
    ck_assert_int_eq(j, ds.n);
    ck_assert_int_eq(ds.n_splits, 2);
    ck_assert_str_eq(ds.split_names[1], "train");
    /* the checksums are the prepared cache's, not the subset's */
    ck_assert_str_eq(ds.content_sha256, content);
    char own[65];
    dsml_dataset_content_sha256(&ds, own);
    ck_assert_str_ne(own, content);
    ck_assert_ptr_eq(ds.pixels, ds.owned_pixels);
    ck_assert_ptr_null(ds.label_bits);
    /* every split works on the subset: zero-shot trains on the first half of its classes */
    dsml_split split;
    dsml_split_request req = {DSML_SPLIT_ZERO_SHOT, 1, 1, 0, 1};
    ck_assert_int_eq(dsml_split_make(&split, &ds, &req, NULL), DSML_OK);
    ck_assert_int_eq(split.n_train, 8);
    ck_assert_int_eq(split.n_query, 16);
    dsml_split_free(&split);
    dsml_dataset_free(&ds);
}
END_TEST

START_TEST(test_apply_errors_leave_the_dataset)
{
    dsml_dataset ds;
    toy(&ds);
    const uint8_t *pixels = ds.pixels;
    dsml_class_subset s = parsed("3,12");
    dsml_clear_error();
    expect_error(dsml_class_subset_apply(&ds, &s), DSML_ERR_ARG,
                 "toy has 5 classes (0..4), class 12 is not one of them");
    s = parsed("4-5");
    expect_error(dsml_class_subset_apply(&ds, &s), DSML_ERR_ARG, "class 5 is not one of them");
    memset(&s, 0, sizeof s); /* not one that parsed */
    expect_error(dsml_class_subset_apply(&ds, &s), DSML_ERR_ARG, "toy: a class subset of 0 ranges, expected 1..128");
    ck_assert_ptr_eq(ds.pixels, pixels);
    ck_assert_int_eq(ds.n, TOY_N);
    ck_assert_int_eq(ds.n_classes, TOY_CLASSES);
    /* a listed class without images */
    for (int i = 0; i < TOY_N; i++) ds.owned_labels[i] = i % 2 ? 4 : 0;
    s = parsed("0-1");
    expect_error(dsml_class_subset_apply(&ds, &s), DSML_ERR_ARG, "toy: class 1 (k1) has no images");
    ck_assert_int_eq(ds.n, TOY_N);
    ck_assert_ptr_eq(ds.pixels, pixels);
    dsml_dataset_free(&ds);
}
END_TEST

/* A multi-label dataset: images keep the listed labels they carry, renumbered. */
START_TEST(test_apply_multilabel)
{
    static const uint64_t bits[6] = {0x1, 0x2, 0xa, 0x4, 0x5, 0x8};
    dsml_dataset ds;
    uint8_t *pixels;
    int32_t *labels;
    ck_assert_int_eq(dsml_dataset_alloc(&ds, "multi", 6, 1, 1, 1, 4, &pixels, &labels), DSML_OK);
    ds.owned_label_bits = malloc(sizeof bits);
    memcpy(ds.owned_label_bits, bits, sizeof bits);
    ds.label_bits = ds.owned_label_bits;
    ds.n_labels = 4;
    for (int i = 0; i < 6; i++) {
        labels[i] = __builtin_ctzll(bits[i]);
        pixels[i] = (uint8_t)(10 + i);
    }
    dsml_class_subset s = parsed("1-2");
    ck_assert_int_eq(dsml_class_subset_apply(&ds, &s), DSML_OK);
    /* images 1 {1}, 2 {1,3}, 3 {2}, 4 {0,2}; 0 {0} and 5 {3} carry no listed label */
    static const uint8_t kept[4] = {11, 12, 13, 14};
    static const uint64_t new_bits[4] = {0x1, 0x1, 0x2, 0x2};
    ck_assert_int_eq(ds.n, 4);
    ck_assert_int_eq(ds.n_labels, 2);
    for (int j = 0; j < 4; j++) {
        ck_assert_int_eq(ds.pixels[j], kept[j]);
        ck_assert_uint_eq(ds.label_bits[j], new_bits[j]);
        ck_assert_int_eq(ds.labels[j], j < 2 ? 0 : 1);
    }
    dsml_dataset_free(&ds);
}
END_TEST

/* ---- the option --------------------------------------------------------------------- */

#define GIVEN(...) ((const dsml_option_given[]){__VA_ARGS__})

START_TEST(test_option)
{
    dsml_train_config cfg;
    ck_assert_int_eq(dsml_train_config_build(&cfg, GIVEN({"classes", "7,0-2"}, {"split", "zero-shot"}), 2), DSML_OK);
    ck_assert_str_eq(cfg.classes, "7,0-2");
    ck_assert_int_eq(dsml_train_config_build(&cfg, NULL, 0), DSML_OK);
    ck_assert_str_eq(cfg.classes, "");
    dsml_clear_error();
    expect_error(dsml_train_config_build(&cfg, GIVEN({"classes", "9-5"}), 1), DSML_ERR_ARG,
                 "--classes 9-5: expected ranges from low to high (9-5 runs backwards)");
    expect_error(dsml_train_config_build(&cfg, GIVEN({"classes", "2"}), 1), DSML_ERR_ARG,
                 "--classes 2: expected at least 2 classes");
    /* a config filled some other way is checked too */
    dsml_train_config_default(&cfg);
    snprintf(cfg.classes, sizeof cfg.classes, "1,x");
    expect_error(dsml_train_config_check(&cfg), DSML_ERR_ARG, "--classes 1,x: expected class numbers and ranges");
    /* the help names it */
    static char help[32768];
    FILE *fp = fmemopen(help, sizeof help, "w");
    dsml_train_options_help(fp, 1u << DSML_SECTION_DATA);
    fclose(fp);
    ck_assert_ptr_nonnull(strstr(help, "--classes LIST"));
}
END_TEST

/* What a finished run recorded, as the sweep's stale check asks: the same classes however listed. */
START_TEST(test_recorded)
{
    ck_assert_ptr_nonnull(testdir_make("class-subset-recorded"));
    const dsml_train_option *o = dsml_train_option_find("classes");
    ck_assert_ptr_nonnull(o);
    ck_assert(o->flags & DSML_OPT_SWEEP);
    const char *path = testdir_path("metrics.json");
    testdir_write_text(path, "{\"config\": {\"classes\": \"5-9\"}}");
    dsml_run_metrics m;
    ck_assert_int_eq(dsml_run_metrics_read(&m, path), DSML_OK);
    char why[256] = "";
    ck_assert_int_eq(dsml_train_option_recorded(o, "5-9", &m, why, sizeof why), 1);
    ck_assert_int_eq(dsml_train_option_recorded(o, "9,5-8", &m, why, sizeof why), 1);
    ck_assert_int_eq(dsml_train_option_recorded(o, "5-8", &m, why, sizeof why), 0);
    ck_assert_str_eq(why, "classes: sweep 5-8, run 5-9");
    dsml_run_metrics_free(&m);
    testdir_write_text(path, "{\"config\": {\"dataset\": \"cifar10\"}}");
    ck_assert_int_eq(dsml_run_metrics_read(&m, path), DSML_OK);
    ck_assert_int_eq(dsml_train_option_recorded(o, "5-9", &m, why, sizeof why), 0);
    ck_assert_str_eq(why, "classes: sweep 5-9, the run records none (config.classes)");
    dsml_run_metrics_free(&m);
    testdir_done(1);
}
END_TEST

/* A sweep key whose commas belong to the value, not a list of runs. */
START_TEST(test_sweep_key)
{
    dsml_sweep sw;
    ck_assert_msg(dsml_sweep_parse(&sw, "s.sweep", "dml dataset=cifar10 loss=triplet distance=euclidean dim=8 seed=1 "
                                   "classes=0-2,7 batch=20 images-per-class=5\n", "r") == DSML_OK,
                  "%s", dsml_last_error());
    ck_assert_int_eq(sw.n_runs, 1);
    char line[4096];
    ck_assert_int_eq(dsml_sweep_train_args(&sw.runs[0], 0, NULL, line, sizeof line), DSML_OK);
    ck_assert_msg(strstr(line, "--classes 0-2,7"), "%s", line);
    dsml_sweep_free(&sw);
    dsml_clear_error();
    ck_assert_int_ne(dsml_sweep_parse(&sw, "s.sweep", "dml dataset=cifar10 loss=triplet distance=euclidean dim=8 "
                                      "seed=1 classes=9-5\n", "r"), DSML_OK);
    ck_assert_msg(strstr(dsml_last_error(),
                         "s.sweep:1: expected ranges from low to high (9-5 runs backwards), found classes=9-5"),
                  "%s", dsml_last_error());
    /* the subset is not part of a run's directory: two subsets of one run are refused, not merged */
    ck_assert_int_ne(dsml_sweep_parse(&sw, "s.sweep", "set dataset=cifar10 loss=triplet distance=euclidean dim=8 "
                                      "seed=1 batch=20 images-per-class=5\ndml classes=0-4\ndml classes=5-9\n", "r"),
                     DSML_OK);
    ck_assert_msg(strstr(dsml_last_error(), "already comes from line 2"), "%s", dsml_last_error());
}
END_TEST

/* ---- dsml train --classes ------------------------------------------------------------ */

static cmd_result r;
static char args[16384];

/* <dir>/c0 .. c9, six 4x4 PNGs each, every pixel of image k of class c (20c + k, 3k, 255 - 20c). */
static void ten_classes(const char *dir)
{
    char path[8192];
    for (int c = 0; c < 10; c++)
        for (int k = 0; k < 6; k++) {
            snprintf(path, sizeof path, "%s/c%d/%d.png", dir, c, k);
            bytes b = png_solid(4, 4, 20 * c + k, 3 * k, 255 - 20 * c);
            file_write(path, b.data, b.size);
            free(b.data);
        }
}

static dsml_json_doc doc;

static const dsml_jv *metrics(const char *run_dir)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/metrics.json", run_dir);
    ck_assert_int_eq(dsml_json_parse_file(&doc, path), 0);
    return doc.root;
}

#define TRAIN "train --dataset ten --model mlp --hidden 8 --dim 4 --epochs 1 --queries-per-class 2 " \
              "--train-per-class 3 --batch 10 --images-per-class 2 --threads 1 --quiet"

START_TEST(test_train_with_classes)
{
    const char *dir = testdir_make("class-subset-train");
    char src[4096], root[4096], run[4096], content[65];
    snprintf(src, sizeof src, "%s/src", dir);
    snprintf(root, sizeof root, "%s/root", dir);
    ten_classes(src);
    snprintf(args, sizeof args, "prepare imagefolder --from %s --name ten --data %s --size 4x4 --quiet", src, root);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    snprintf(args, sizeof args, "data info ten --data %s", root);
    run_dsml(&r, args);
    ck_assert_int_eq(dsml_json_parse(&doc, "data info", r.out, strlen(r.out)), 0);
    snprintf(content, sizeof content, "%s", dsml_jv_string(doc.root, "content_sha256", ""));
    dsml_json_doc_free(&doc);

    snprintf(run, sizeof run, "%s/subset", dir);
    snprintf(args, sizeof args, TRAIN " --data %s --classes 5-9 --out %s", root, run);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s: %s", args, r.err);
    const dsml_jv *m = metrics(run);
    ck_assert_str_eq(dsml_jv_string(m, "config.classes", ""), "5-9");
    const dsml_jv *key = dsml_jv_get(m, "config")->child; /* recorded right after the split */
    while (key && strcmp(key->key, "split")) key = key->next;
    ck_assert_msg(key && key->next && !strcmp(key->next->key, "classes"), "config.classes not after config.split");
    ck_assert_int_eq((int)dsml_jv_number(m, "data.images", 0), 30);
    ck_assert_int_eq((int)dsml_jv_number(m, "data.classes", 0), 5);
    ck_assert_int_eq((int)dsml_jv_number(m, "data.split.query", 0), 10);
    ck_assert_int_eq((int)dsml_jv_number(m, "data.split.database", 0), 20);
    ck_assert_int_eq((int)dsml_jv_number(m, "data.split.train", 0), 15);
    ck_assert_str_eq(dsml_jv_string(m, "data.content_sha256", ""), content); /* the cache's, unchanged */
    dsml_json_doc_free(&doc);
    /* the queries and the database hold the five classes, relabelled 0..4, two queries of each */
    char path[8192];
    snprintf(path, sizeof path, "%s/embeddings.bin", run);
    dsml_embeddings e;
    ck_assert_int_eq(dsml_embeddings_read(path, DSML_EMBEDDINGS_ALL, &e), DSML_OK);
    int per_class[5] = {0};
    for (int i = 0; i < e.nq; i++) {
        ck_assert_int_lt(e.query_labels[i], 5);
        per_class[e.query_labels[i]]++;
    }
    for (int c = 0; c < 5; c++) ck_assert_int_eq(per_class[c], 2);
    for (int i = 0; i < e.ndb; i++) ck_assert_int_lt(e.database_labels[i], 5);
    dsml_embeddings_free(&e);

    /* zero-shot on the subset: its first half (2, 4) trains, the rest (6, 8) is queries and database */
    snprintf(run, sizeof run, "%s/zero-shot", dir);
    snprintf(args, sizeof args,
             TRAIN " --data %s --classes 8,2,4,6 --split zero-shot --batch 4 --no-embeddings --out %s", root, run);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s: %s", args, r.err);
    m = metrics(run);
    ck_assert_int_eq((int)dsml_jv_number(m, "data.split.train", 0), 12);
    ck_assert_int_eq((int)dsml_jv_number(m, "data.split.query", 0), 12);
    dsml_json_doc_free(&doc);

    /* the same cache without --classes: all of it, nothing recorded */
    snprintf(run, sizeof run, "%s/all", dir);
    snprintf(args, sizeof args, TRAIN " --data %s --no-embeddings --out %s", root, run);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s: %s", args, r.err);
    m = metrics(run);
    ck_assert_ptr_null(dsml_jv_get(m, "config.classes")); /* recorded only when given: older files stay as they were */
    ck_assert_int_eq((int)dsml_jv_number(m, "data.images", 0), 60);
    ck_assert_str_eq(dsml_jv_string(m, "data.content_sha256", ""), content);
    dsml_json_doc_free(&doc);

    /* errors name the option, the dataset and its classes */
    snprintf(args, sizeof args, TRAIN " --data %s --classes 8-10 --out %s/bad", root, dir);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "--classes 8-10: ten has 10 classes (0..9), class 10 is not one of them"), "%s", r.err);
    char bad[600];
    snprintf(bad, sizeof bad, "%s/bad", dir);
    ck_assert_msg(!file_exists(bad), "%s: a failed run left its folder", bad);
    snprintf(args, sizeof args, TRAIN " --data %s --classes 7 --out %s/bad", root, dir);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--classes 7: expected at least 2 classes"), "%s", r.err);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"parse", 10, (const TTest *[]){test_parse, test_parse_errors, NULL}},
        {"apply", 10, (const TTest *[]){test_apply, test_apply_errors_leave_the_dataset, test_apply_multilabel, NULL}},
        {"option", 10, (const TTest *[]){test_option, test_recorded, test_sweep_key, NULL}},
        {"train", 60, (const TTest *[]){test_train_with_classes, NULL}},
    };
    return suite_run_cases("class_subset", cases, SUITE_CASES(cases));
}
