/* The command line end to end: the commands, `dsml train`'s options and
 * their errors, and small `dsml train` runs on the real Fashion-MNIST files
 * (skipped with a message where Debian's dataset-fashion-mnist is absent).
 * `dsml loss` has check_loss_command.c, `dsml summary` check_summary.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json_parse.h"
#include "support/run_cmd.h"
#include "support/testdir.h"
#include "support/suite_run.h"

static cmd_result r;

static int have_fashion_mnist(void)
{
    if (access("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", R_OK) == 0) return 1;
    fprintf(stderr, "SKIP: /usr/share/datasets/fashion-mnist is absent (apt-get install dataset-fashion-mnist)\n");
    return 0;
}

START_TEST(test_help_and_unknown_command)
{
    run_dsml(&r, "--help");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "train"));
    run_dsml(&r, "train --help");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "--distance"));
    run_dsml(&r, "frobnicate");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "unknown command 'frobnicate'"));
}
END_TEST

START_TEST(test_train_rejects_bad_options)
{
    static const struct { const char *args, *message; } cases[] = {
        {"train --out x --bogus", "unknown or incomplete option '--bogus'"},
        {"train --out x --lr abc", "--lr abc: expected a finite number"},
        {"train --out x --lr nan", "--lr nan: expected a finite number"},
        {"train --out x --dim 0", "--dim 0: expected an integer in 1..4096"},
        {"train --out x --loss hinge", "--loss hinge: expected contrastive, triplet, lifted, npair, vmf, gpw, dpsh or dtsh"},
        {"train --out x --distance cosine", "--distance cosine: expected euclidean, sqeuclidean or snr"},
        {"train --out x --loss npair --margin 1", "--margin: not an option of npair (contrastive, triplet, lifted or dtsh take it)"},
        {"train --out x --loss gpw --distance snr", "gpw: works on cosine similarities, expected distance euclidean"},
        {"train --out x --hidden 64", "--hidden: not an option of the network convnet"},
        {"train --out x --protocol hashing --train-per-class 5", "--train-per-class: not an option of the hashing protocol"},
        {"train --out x --lifted-hard --loss lifted --beta 0.5 --gpw-alpha 2", "--gpw-alpha: not an option of lifted (gpw takes it)"},
        {"train --out x --batch 15", "--batch 15 is not a multiple of --images-per-class 10"},
        {"train --dim 8", "--out DIR is required"},
        {"train --out x --epochs", "unknown or incomplete option"},
        {"train --out x --epochs 0", "--epochs 0: expected an integer in 1..1000"},
        {"train --out x --model mlp --hidden 256,,3", "--hidden 256,,3: expected a comma-separated list of at most 8 "
                                                      "integers in 1..1048576 (element 2 is empty)"},
        {"train --out x --model mlp --hidden 256,", "--hidden 256,: expected a comma-separated list"},
        {"train --out x --dim 8x", "--dim 8x: expected an integer in 1..4096"},
        {"tables --equivalence-margin 0x1", "--equivalence-margin: expected a positive number of percentage points, "
                                            "found '0x1'"},
        {"tables --equivalence-margin ' 1'", "--equivalence-margin: expected a positive number of percentage points, "
                                             "found ' 1'"},
        {"tables --looks +2", "--looks +2: expected an integer in 1..1000"},
        {"prepare imagefolder --from none --size '32x 32'", "--size 32x 32: expected HxW, each 1..4096"},
        {"prepare imagefolder --from none --size ' 32x32'", "--size  32x32: expected HxW, each 1..4096"},
        {"prepare imagefolder --from none --max-bytes ' 5M'", "--max-bytes  5M: expected a byte count"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_dsml(&r, cases[i].args);
        ck_assert_msg(r.status == 2, "%s: status %d", cases[i].args, r.status);
        ck_assert_msg(strstr(r.err, cases[i].message), "%s: stderr was: %s", cases[i].args, r.err);
    }
}
END_TEST

#define TINY_RUN "train --model mlp --hidden 64 --dim 16 --epochs 2 --queries-per-class 20 " \
                 "--train-per-class 50 --batch 50 --images-per-class 5 --threads 2 --quiet"

static void train_tiny(const char *data, const char *out, const char *extra)
{
    char args[8192];
    snprintf(args, sizeof args, "%s --data %s --out %s %s", TINY_RUN, data, out, extra);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "dsml %s failed: %s", args, r.err);
}

/* The "metrics" and "training.loss_per_epoch" parts of a metrics.json, as text. */
static void metrics_text(const char *path, char *out, size_t size)
{
    dsml_json_doc doc;
    ck_assert_int_eq(dsml_json_parse_file(&doc, path), 0);
    const dsml_jv *m = dsml_jv_get(doc.root, "metrics.euclidean");
    ck_assert_ptr_nonnull(m);
    size_t used = 0;
    for (const char *section = "metrics.euclidean"; section;
         section = !strcmp(section, "metrics.euclidean") ? "metrics.hamming"
                   : !strcmp(section, "metrics.hamming") ? "metrics.clustering" : NULL) {
        for (const dsml_jv *c = dsml_jv_get(doc.root, section)->child; c; c = c->next)
            used += (size_t)snprintf(out + used, size - used, "%s=%.17g ", c->key, c->number);
    }
    const dsml_jv *losses = dsml_jv_get(doc.root, "training.loss_per_epoch");
    for (const dsml_jv *c = losses->child; c; c = c->next)
        used += (size_t)snprintf(out + used, size - used, "%.17g ", c->number);
    dsml_json_doc_free(&doc);
}

START_TEST(test_train_writes_results_and_is_deterministic)
{
    if (!have_fashion_mnist()) return;
    ck_assert_ptr_nonnull(testdir_make("cli-train"));
    char data[4096], a[4096], b[4096], c[4096];
    snprintf(data, sizeof data, "%s", testdir_path("data"));
    snprintf(a, sizeof a, "%s", testdir_path("a"));
    snprintf(b, sizeof b, "%s", testdir_path("b"));
    snprintf(c, sizeof c, "%s", testdir_path("c"));
    train_tiny(data, a, "--seed 7 --loss triplet --distance snr");
    train_tiny(data, b, "--seed 7 --loss triplet --distance snr");
    train_tiny(data, c, "--seed 8 --loss triplet --distance snr");

    char path[4200];
    snprintf(path, sizeof path, "%s/metrics.json", a);
    dsml_json_doc doc;
    ck_assert_int_eq(dsml_json_parse_file(&doc, path), 0);
    ck_assert_str_eq(dsml_jv_string(doc.root, "config.loss", ""), "triplet");
    ck_assert_str_eq(dsml_jv_string(doc.root, "config.distance", ""), "snr");
    ck_assert_int_eq((int)dsml_jv_number(doc.root, "data.images", 0), 70000);
    ck_assert_int_eq((int)dsml_jv_number(doc.root, "data.split.query", 0), 200);
    ck_assert_int_eq((int)dsml_jv_number(doc.root, "data.split.database", 0), 69800);
    ck_assert_int_eq((int)dsml_jv_number(doc.root, "data.split.train", 0), 500);
    ck_assert_int_eq(strlen(dsml_jv_string(doc.root, "data.content_sha256", "")), 64);
    double r1 = dsml_jv_number(doc.root, "metrics.euclidean.recall@1", -1);
    double r32 = dsml_jv_number(doc.root, "metrics.euclidean.recall@32", -1);
    /* ten classes: chance Recall@1 is 0.1; even this tiny run learns far more */
    ck_assert_msg(r1 > 0.4 && r1 <= r32 && r32 <= 1.0, "recall@1 %g recall@32 %g", r1, r32);
    double nmi = dsml_jv_number(doc.root, "metrics.clustering.nmi", -1);
    ck_assert(nmi > 0.1 && nmi <= 1.0);
    dsml_json_doc_free(&doc);

    static char ta[65536], tb[65536], tc[65536];
    metrics_text(path, ta, sizeof ta);
    snprintf(path, sizeof path, "%s/metrics.json", b);
    metrics_text(path, tb, sizeof tb);
    snprintf(path, sizeof path, "%s/metrics.json", c);
    metrics_text(path, tc, sizeof tc);
    ck_assert_str_eq(ta, tb);   /* same seed, same threads: identical metrics */
    ck_assert_str_ne(ta, tc);   /* another seed: another run */

    /* embeddings.bin: header and size */
    snprintf(path, sizeof path, "%s/embeddings.bin", a);
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    unsigned char head[24];
    ck_assert_uint_eq(fread(head, 1, 24, fp), 24);
    ck_assert_int_eq(memcmp(head, "DSMLEMB1", 8), 0);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fclose(fp);
    ck_assert_int_eq(size, 24 + 8L * (200 + 69800) + 4L * 16 * (200 + 69800));
    testdir_done(1);
}
END_TEST

START_TEST(test_train_divergence_is_an_error)
{
    if (!have_fashion_mnist()) return;
    ck_assert_ptr_nonnull(testdir_make("cli-diverge"));
    char args[8192];
    snprintf(args, sizeof args, "%s --data %s --out %s --lr 1000 --momentum 0.99 --epochs 5", TINY_RUN,
             testdir_path("data"), testdir_path("run"));
    run_dsml(&r, args);
    ck_assert_msg(r.status == 1, "status %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "not finite"), "%s", r.err);
    /* nothing that looks finished */
    ck_assert_int_ne(access(testdir_path("run/metrics.json"), F_OK), 0);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"commands", 60, (const TTest *[]){test_help_and_unknown_command, NULL}},
        {"train options", 120, (const TTest *[]){test_train_rejects_bad_options, NULL}},
        {"train runs", 300, (const TTest *[]){test_train_writes_results_and_is_deterministic,
                                              test_train_divergence_is_an_error, NULL}},
    };
    return suite_run_cases("cli", cases, SUITE_CASES(cases));
}
