/* The command line end to end: options and their errors, `dsml loss` on
 * text files, and small `dsml train` runs on the real Fashion-MNIST files
 * (skipped with a message where Debian's dataset-fashion-mnist is absent). */
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
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_dsml(&r, cases[i].args);
        ck_assert_msg(r.status == 2, "%s: status %d", cases[i].args, r.status);
        ck_assert_msg(strstr(r.err, cases[i].message), "%s: stderr was: %s", cases[i].args, r.err);
    }
}
END_TEST

START_TEST(test_loss_command_errors_name_file_and_line)
{
    ck_assert_ptr_nonnull(testdir_make("cli-loss"));
    testdir_write_text(testdir_path("e.txt"), "0 1\n1 0\n0.5 nan\n");
    testdir_write_text(testdir_path("ragged.txt"), "0 1\n1 0 3\n");
    testdir_write_text(testdir_path("l.txt"), "0\n0\n1\n");
    testdir_write_text(testdir_path("l2.txt"), "0\n1\n");
    char args[8192];
    snprintf(args, sizeof args, "loss --embeddings %s --labels %s --loss contrastive --distance snr",
             testdir_path("e.txt"), testdir_path("l.txt"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "e.txt: line 3, column 2") && strstr(r.err, "not a finite"), "%s", r.err);

    snprintf(args, sizeof args, "loss --embeddings %s --labels %s --loss triplet --distance euclidean",
             testdir_path("ragged.txt"), testdir_path("l2.txt"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "ragged.txt: line 2: 3 values, expected 2"), "%s", r.err);

    testdir_write_text(testdir_path("e.txt"), "0 1\n1 0\n0.5 0.5\n");
    snprintf(args, sizeof args, "loss --embeddings %s --labels %s --loss triplet --distance euclidean",
             testdir_path("e.txt"), testdir_path("l2.txt"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "2 labels for 3 embeddings"), "%s", r.err);
    testdir_done(1);
}
END_TEST

/* Three points, margin 2: a case small enough to do by hand, checked against
 * the value and the gradient file. Normalisation (docs/losses.md): mean over
 * positive ordered pairs + mean over negative ordered pairs with non-zero hinge. */
START_TEST(test_loss_command_value_and_gradient)
{
    ck_assert_ptr_nonnull(testdir_make("cli-loss-value"));
    /* h0=(0,0) h1=(0.6,0) same class; h2=(0,0.8) other class.
       positive ordered pairs (0,1),(1,0): d=0.6 -> mean 0.6
       negative (0,2),(2,0): d=0.8 -> 2-0.8=1.2; (1,2),(2,1): d=1.0 -> 1.0; mean 1.1
       loss = 0.6 + 1.1 = 1.7 */
    testdir_write_text(testdir_path("e.txt"), "0 0\n0.6 0\n0 0.8\n");
    testdir_write_text(testdir_path("l.txt"), "3\n3\n5\n");
    char args[8192];
    snprintf(args, sizeof args,
             "loss --embeddings %s --labels %s --loss contrastive --distance euclidean --margin 2 --lambda 0 "
             "--grad %s", testdir_path("e.txt"), testdir_path("l.txt"), testdir_path("g.txt"));
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    const char *last = r.out, *nl;
    while ((nl = strchr(last, '\n')) && nl[1]) last = nl + 1;
    ck_assert_double_eq_tol(strtod(last, NULL), 1.7, 1e-6);
    const char *grad = read_text(testdir_path("g.txt"));
    float g[6];
    ck_assert_int_eq(sscanf(grad, "%f %f %f %f %f %f", &g[0], &g[1], &g[2], &g[3], &g[4], &g[5]), 6);
    /* dh0: positive pairs 2 x (h0-h1)/0.6 / 2 = (-1, 0); negatives (0,2),(2,0): 2 x -(h0-h2)/0.8 / 4
       = (0, 0.5): total (-1, 0.5). dh1: (1, 0) + 2 x -(h1-h2)/1.0 / 4 = (1,0) + (-0.3, 0.4) = (0.7, 0.4).
       dh2: 2 x -(h2-h0)/0.8 / 4 + 2 x -(h2-h1)/1.0 / 4 = (0, -0.5) + (0.3, -0.4) = (0.3, -0.9). */
    static const float expected[6] = {-1.0f, 0.5f, 0.7f, 0.4f, 0.3f, -0.9f};
    for (int i = 0; i < 6; i++) ck_assert_float_eq_tol(g[i], expected[i], 1e-5f);
    testdir_done(1);
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

START_TEST(test_summary_lists_finished_runs)
{
    ck_assert_ptr_nonnull(testdir_make("cli-summary"));
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/fm/run-a %s/fm/run-b %s/fm/unfinished", testdir_path(""),
             testdir_path(""), testdir_path(""));
    run_shell(&r, cmd);
    testdir_write_text(testdir_path("fm/run-a/metrics.json"),
               "{\"config\": {\"dataset\": \"fashion-mnist\", \"loss\": \"triplet\", \"distance\": \"snr\", \"dim\": 32},"
               " \"metrics\": {\"euclidean\": {\"recall@1\": 0.875, \"map\": 0.75}}}");
    testdir_write_text(testdir_path("fm/run-b/metrics.json"),
               "{\"config\": {\"dataset\": \"fashion-mnist\", \"loss\": \"contrastive\", \"distance\": \"euclidean\"},"
               " \"metrics\": {\"euclidean\": {\"recall@1\": 0.5}}}");
    snprintf(cmd, sizeof cmd, "summary %s", testdir_path(""));
    run_dsml(&r, cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "| fm/run-a | fashion-mnist | triplet | snr | 32 |"));
    ck_assert_ptr_nonnull(strstr(r.out, "0.8750"));
    ck_assert_ptr_null(strstr(r.out, "unfinished"));
    ck_assert_msg(strstr(r.err, "/fm/unfinished: no metrics.json (unfinished run), skipped"), "%s", r.err);
    const char *csv = read_text(testdir_path("summary.csv"));
    ck_assert_ptr_nonnull(strstr(csv, "fm/run-a,fashion-mnist,,triplet,snr,32,"));
    ck_assert_ptr_nonnull(strstr(csv, "fm/run-b,fashion-mnist,,contrastive,euclidean,,"));

    testdir_write_text(testdir_path("fm/run-b/metrics.json"), "{\"config\": {\"dataset\": }");
    run_dsml(&r, cmd);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "run-b/metrics.json: byte 23: expected a value"), "%s", r.err);
    testdir_done(1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_help_and_unknown_command);
    tcase_add_test(tc, test_train_rejects_bad_options);
    tcase_add_test(tc, test_loss_command_errors_name_file_and_line);
    tcase_add_test(tc, test_loss_command_value_and_gradient);
    tcase_add_test(tc, test_train_writes_results_and_is_deterministic);
    tcase_add_test(tc, test_train_divergence_is_an_error);
    tcase_add_test(tc, test_summary_lists_finished_runs);
    suite_add_tcase(s, tc);
    return suite_run(s);
}
