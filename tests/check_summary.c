/* Tests of `dsml summary` (src/report/summary.h, src/cli/cmd_summary.c): the
 * rows and their order, summary.csv's cells, the Markdown table's rounding,
 * a dataset's own folder as the directory, unfinished runs named, the
 * folders of a results directory that hold none of its runs (baseline/,
 * slurm/, reference/) left alone, and values of the wrong type, out of range
 * or missing from their block refused, named. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "support/run_cmd.h"
#include "support/run_fixture.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static cmd_result r;

/* metrics.euclidean as the writer writes it (summary's columns of it, at
 * least): recall@1 and map as given, the rest 0.5. */
static void euclidean_block(fixture_doc *d, double recall1, double map)
{
    static const char *const rest[] = {"recall@2", "recall@4", "recall@8", "recall@16", "recall@32",
                                       "map@t",    "map@r",    "r_precision", "f1@t"};
    char key[96];
    fixture_num(d, "metrics.euclidean.recall@1", recall1);
    fixture_num(d, "metrics.euclidean.map", map);
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++) {
        snprintf(key, sizeof key, "metrics.euclidean.%s", rest[i]);
        fixture_num(d, key, 0.5);
    }
}

/* A finished run with a few of summary's columns: no hamming block, no wall times. */
static void run_doc(fixture_doc *d, const char *dataset, const char *loss, int seed, double map)
{
    fixture_run(d, dataset, loss, "snr", 32, seed);
    fixture_str(d, "config.model", "mlp");
    fixture_num(d, "config.lr", 0.0099999997764825821);
    euclidean_block(d, 0.123456789, map);
    fixture_raw(d, "metrics.clustering.nmi", "null");
    fixture_num(d, "metrics.clustering.f1", 0.75);
    fixture_num(d, "training.images_per_second", 1234.56);
}

static void write_run(const char *root, const char *dataset, const char *run, const char *loss, int seed, double map)
{
    fixture_doc d;
    run_doc(&d, dataset, loss, seed, map);
    fixture_write_run(&d, root, dataset, run);
}

START_TEST(test_rows_order_and_cells)
{
    ck_assert_ptr_nonnull(testdir_make("summary-rows"));
    const char *root = testdir_path("res");
    char results[4200];
    snprintf(results, sizeof results, "%s", root);
    write_run(results, "fashion-mnist", "triplet-snr-d32-s2", "triplet", 2, 0.5);
    write_run(results, "fashion-mnist", "triplet-snr-d32-s1", "triplet", 1, 0.25);
    write_run(results, "fashion-mnist-hashing", "dpsh-snr-32b-s1", "dpsh", 1, 0.75);
    char args[8400];
    snprintf(args, sizeof args, "summary %s", results);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "3 finished runs; wrote "), "%s", r.err);
    /* rows sorted by their name, "<dataset>/<run>" ('-' sorts before '/') */
    const char *csv = read_text(testdir_path("res/summary.csv"));
    const char *h = strstr(csv, "fashion-mnist-hashing/dpsh-snr-32b-s1,");
    const char *s1 = strstr(csv, "fashion-mnist/triplet-snr-d32-s1,");
    const char *s2 = strstr(csv, "fashion-mnist/triplet-snr-d32-s2,");
    ck_assert_msg(h && s1 && s2 && h < s1 && s1 < s2, "%s", csv);
    ck_assert_msg(!strncmp(csv, "run,dataset,model,loss,distance,dim,seed,epochs,lr,margin,lambda,recall@1,", 73), "%s",
                  csv);
    /* %.6g cells, absent and null values empty */
    ck_assert_msg(strstr(csv, "fashion-mnist/triplet-snr-d32-s1,fashion-mnist,mlp,triplet,snr,32,1,,0.01,,,0.123457,"),
                  "%s", csv);
    ck_assert_msg(strstr(csv, ",0.25,0.5,0.5,0.5,0.5,,,,,0.75,1234.56,\n"), "%s", csv);
    /* the table: rates rounded to 4 places, counts to integers */
    ck_assert_msg(strstr(r.out, "| fashion-mnist/triplet-snr-d32-s1 | fashion-mnist | triplet | snr | 32 | 1 | 0.1235 "
                                "| 0.2500 | 0.5000 | 0.5000 |  |  | 1235 |"),
                  "%s", r.out);

    /* a dataset's own folder: its runs by folder name; a broken metrics.json fails, named */
    snprintf(args, sizeof args, "summary --csv %s %s/fashion-mnist", testdir_path("one.csv"), results);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(read_text(testdir_path("one.csv")), "\ntriplet-snr-d32-s1,fashion-mnist,"));
    testdir_write_text(testdir_path("res/fashion-mnist/triplet-snr-d32-s2/metrics.json"), "[1, 2]");
    snprintf(args, sizeof args, "summary %s", results);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "triplet-snr-d32-s2/metrics.json: expected a JSON object"), "%s", r.err);
    testdir_done(1);
}
END_TEST

/* A value summary would print that is not what the writer writes fails the
 * command, naming the file and the key; nothing is written. */
START_TEST(test_summary_refuses_bad_values)
{
    ck_assert_ptr_nonnull(testdir_make("summary-values"));
    static const struct { const char *key, *json, *message; } cases[] = {
        {"metrics.euclidean.recall@1", "\"NaN\"",
         "metrics.euclidean.recall@1 is the string \"NaN\", expected a number in [0, 1]"},
        {"metrics.euclidean.recall@1", "7.5", "metrics.euclidean.recall@1 is 7.5, expected a number in [0, 1]"},
        {"metrics.euclidean.map", "-3", "metrics.euclidean.map is -3, expected a number in [0, 1]"},
        {"training.images_per_second", "-1", "training.images_per_second is -1, expected a non-negative number"},
        {"metrics.euclidean.map@r", NULL, "metrics.euclidean.map@r is missing, expected a number in [0, 1]"},
        {"metrics.clustering.f1", NULL, "metrics.clustering.f1 is missing, expected a number in [0, 1]"},
        {"config.lr", "\"0.01\"", "config.lr is the string \"0.01\", expected a number"},
        {"config.loss", "7", "config.loss is 7, expected a string"},
        {"metrics.hamming.map", "[0.5]", "metrics.hamming.map is a list, expected a number in [0, 1]"},
    };
    char args[8400];
    snprintf(args, sizeof args, "summary %s", testdir_path("res"));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture_doc d;
        run_doc(&d, "fashion-mnist", "triplet", 1, 0.5);
        fixture_set(&d, cases[i].key, cases[i].json);
        fixture_write_run(&d, testdir_path("res"), "fashion-mnist", "triplet-snr-d32-s1");
        run_dsml(&r, args);
        ck_assert_msg(r.status == 1, "case %zu: status %d", i, r.status);
        ck_assert_msg(strstr(r.err, "triplet-snr-d32-s1/metrics.json: ") && strstr(r.err, cases[i].message),
                      "case %zu: %s", i, r.err);
        ck_assert_msg(access(testdir_path("res/summary.csv"), F_OK) != 0, "case %zu: summary.csv written", i);
    }
    testdir_done(1);
}
END_TEST

/* dsml summary over results/ does not take results/baseline, results/slurm or the nested
 * results/reference for unfinished runs. */
START_TEST(test_summary_skips_baseline)
{
    ck_assert_ptr_nonnull(testdir_make("regress-summary"));
    ck_assert_int_eq(dsml_mkdirs(testdir_path("baseline")), DSML_OK);
    ck_assert_int_eq(dsml_mkdirs(testdir_path("slurm")), DSML_OK);
    ck_assert_int_eq(dsml_mkdirs(testdir_path("fashion-mnist/killed-run")), DSML_OK);
    ck_assert_int_eq(dsml_mkdirs(testdir_path("reference/fashion-mnist/contrastive-snr-d32-s1")), DSML_OK);
    testdir_write_text(testdir_path("baseline/regress.json"), "{}");
    testdir_write_text(testdir_path("slurm/1_0.out"), "log");
    char args[8192];
    snprintf(args, sizeof args, "summary %s", testdir_path(""));
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "/fashion-mnist/killed-run: no metrics.json (unfinished run), skipped"), "%s", r.err);
    ck_assert_msg(!strstr(r.err, "baseline") && !strstr(r.err, "slurm") && !strstr(r.err, "reference"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "0 finished runs"), "%s", r.err);
    /* no such folder: exit 1, named */
    snprintf(args, sizeof args, "summary %s", testdir_path("none"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "/none: cannot open directory: No such file or directory"), "%s", r.err);
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
    fixture_doc d;
    fixture_init(&d);
    fixture_str(&d, "config.dataset", "fashion-mnist");
    fixture_str(&d, "config.loss", "triplet");
    fixture_str(&d, "config.distance", "snr");
    fixture_int(&d, "config.dim", 32);
    euclidean_block(&d, 0.875, 0.75);
    fixture_write(&d, testdir_path("fm/run-a/metrics.json"));
    /* no dim, no metrics: empty cells */
    fixture_init(&d);
    fixture_str(&d, "config.dataset", "fashion-mnist");
    fixture_str(&d, "config.loss", "contrastive");
    fixture_str(&d, "config.distance", "euclidean");
    fixture_write(&d, testdir_path("fm/run-b/metrics.json"));
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
    const suite_case cases[] = {
        {"rows", 30, (const TTest *[]){test_rows_order_and_cells, test_summary_lists_finished_runs, NULL}},
        {"values", 60, (const TTest *[]){test_summary_refuses_bad_values, NULL}},
        {"folders", 30, (const TTest *[]){test_summary_skips_baseline, NULL}},
    };
    return suite_run_cases("summary", cases, SUITE_CASES(cases));
}
