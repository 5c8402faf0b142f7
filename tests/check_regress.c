/* Tests of the regression check (src/run/regress.h, src/cli/cmd_regress.c):
 * a baseline written from metrics.json files reads back as passing; metrics
 * moved inside and outside their tolerances (hand cases at the boundary),
 * missing runs and metrics, broken baselines; the command's output and exit
 * status; the committed baseline against the committed sweep; and dsml
 * summary leaving results/baseline alone. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "run/regress.h"
#include "run/sweep.h"
#include "support/run_cmd.h"
#include "support/testdir.h"
#include "support/suite_run.h"

static cmd_result r;

/* A metrics.json as dsml train writes it (the parts the check reads). */
static void write_metrics(const char *path, double recall1, double map_r, double nmi, double final_loss)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"format_version\": 1, \"metrics\": {\"euclidean\": {\"recall@1\": %.17g, \"recall@8\": 0.9, "
             "\"map\": 0.6, \"map@r\": %.17g, \"f1@t\": 0.5}, \"hamming\": {\"map\": 0.45}, "
             "\"clustering\": {\"nmi\": %.17g, \"f1\": 0.6}}, "
             "\"training\": {\"loss_per_epoch\": [3.0, 2.0, %.17g]}}\n",
             recall1, map_r, nmi, final_loss);
    testdir_write_text(path, text);
}

static const dsml_regress_row *find_row(const dsml_regress_row *rows, int n, const char *run, const char *metric)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(rows[i].run, run) && !strcmp(rows[i].metric->name, metric)) return &rows[i];
    return NULL;
}

START_TEST(test_baseline_round_trip_and_tolerances)
{
    ck_assert_ptr_nonnull(testdir_make("regress"));
    char a[4096], b[4096], base[4096];
    snprintf(a, sizeof a, "%s", testdir_path("a.json"));
    snprintf(b, sizeof b, "%s", testdir_path("b.json"));
    snprintf(base, sizeof base, "%s", testdir_path("base.json"));
    write_metrics(a, 0.80, 0.40, 0.70, 1.0);
    write_metrics(b, 0.60, 0.30, 0.50, 2.0);
    dsml_regress_run runs[2] = {{"ds/a", a}, {"ds/b", b}};
    ck_assert_msg(dsml_regress_write_baseline(base, "x.sweep", runs, 2) == DSML_OK, "%s", dsml_last_error());
    const char *text = read_text(base);
    ck_assert_ptr_nonnull(strstr(text, "\"format_version\": 1"));
    ck_assert_ptr_nonnull(strstr(text, "\"run\": \"ds/b\""));
    ck_assert_ptr_nonnull(strstr(text, "\"final_loss\": 2"));

    dsml_regress_row *rows;
    int n, failures;
    ck_assert_int_eq(dsml_regress_compare(base, runs, 2, &rows, &n, &failures), DSML_OK);
    ck_assert_int_eq(n, 2 * dsml_regress_n_metrics);
    ck_assert_int_eq(failures, 0);
    free(rows);

    /* hand cases: recall@1 tolerance 0.03 (absolute), map@r 0.02, nmi 0.04, final loss 5% (relative) */
    static const struct { double recall1, map_r, nmi, loss; int failures; const char *failing; } cases[] = {
        {0.80 + 0.03, 0.40 - 0.02, 0.70 + 0.04, 1.05, 0, NULL},  /* every one at its boundary: within */
        {0.80 + 0.031, 0.40, 0.70, 1.0, 1, "euclidean.recall@1"},
        {0.80, 0.40 - 0.021, 0.70, 1.0, 1, "euclidean.map@r"},
        {0.80, 0.40, 0.70 - 0.05, 1.0, 1, "clustering.nmi"},
        {0.80, 0.40, 0.70, 0.94, 1, "training.final_loss"},
        {0.50, 0.10, 0.70, 1.0, 2, "euclidean.map@r"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_metrics(a, cases[i].recall1, cases[i].map_r, cases[i].nmi, cases[i].loss);
        ck_assert_int_eq(dsml_regress_compare(base, runs, 2, &rows, &n, &failures), DSML_OK);
        ck_assert_msg(failures == cases[i].failures, "case %zu: %d failures", i, failures);
        if (cases[i].failing) {
            const dsml_regress_row *row = find_row(rows, n, "ds/a", cases[i].failing);
            ck_assert_ptr_nonnull(row);
            ck_assert_int_eq(row->ok, 0);
        }
        ck_assert_int_eq(find_row(rows, n, "ds/b", "euclidean.map@r")->ok, 1);
        free(rows);
    }
    const dsml_regress_row *row;

    /* a run without a baseline, a baseline run not given */
    write_metrics(a, 0.80, 0.40, 0.70, 1.0);
    dsml_regress_run other[2] = {{"ds/a", a}, {"ds/c", b}};
    ck_assert_int_eq(dsml_regress_compare(base, other, 2, &rows, &n, &failures), DSML_OK);
    ck_assert_int_eq(n, 3 * dsml_regress_n_metrics);
    ck_assert_int_eq(failures, 2 * dsml_regress_n_metrics);
    row = find_row(rows, n, "ds/c", "euclidean.map");
    ck_assert(row && isnan(row->baseline) && !row->ok);
    row = find_row(rows, n, "ds/b", "euclidean.map");
    ck_assert(row && isnan(row->value) && !row->ok);
    ck_assert_double_eq_tol(row->baseline, 0.6, 1e-12);
    /* printing names the failures */
    FILE *fp = fopen(testdir_path("table.txt"), "w");
    dsml_regress_print(fp, rows, n, 1);
    fclose(fp);
    text = read_text(testdir_path("table.txt"));
    ck_assert_ptr_nonnull(strstr(text, "FAIL (no baseline)"));
    ck_assert_ptr_nonnull(strstr(text, "FAIL (missing)"));
    ck_assert_ptr_null(strstr(text, "ds/a "));
    free(rows);

    /* a metric missing from metrics.json */
    testdir_write_text(a, "{\"metrics\": {\"euclidean\": {\"map\": 0.6}}}");
    ck_assert_int_eq(dsml_regress_compare(base, runs, 2, &rows, &n, &failures), DSML_OK);
    row = find_row(rows, n, "ds/a", "euclidean.map@r");
    ck_assert(row && isnan(row->value) && !row->ok);
    ck_assert_int_eq(find_row(rows, n, "ds/a", "euclidean.map")->ok, 1);
    free(rows);
    ck_assert_int_eq(dsml_regress_write_baseline(testdir_path("new.json"), "x", runs, 2), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "a.json: expected a number at metrics.euclidean.recall@1"), "%s",
                  dsml_last_error());

    /* broken baselines */
    testdir_write_text(testdir_path("v2.json"), "{\"format_version\": 2, \"runs\": []}");
    ck_assert_int_eq(dsml_regress_compare(testdir_path("v2.json"), runs, 2, &rows, &n, &failures), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "expected format_version 1"));
    testdir_write_text(testdir_path("noname.json"), "{\"format_version\": 1, \"runs\": [{\"metrics\": {}}]}");
    ck_assert_int_eq(dsml_regress_compare(testdir_path("noname.json"), runs, 2, &rows, &n, &failures),
                     DSML_ERR_FORMAT);
    testdir_write_text(testdir_path("cut.json"), "{\"format_version\": 1, \"runs\": [");
    ck_assert_int_eq(dsml_regress_compare(testdir_path("cut.json"), runs, 2, &rows, &n, &failures), DSML_ERR_FORMAT);
    testdir_done(1);
}
END_TEST

/* dsml regress check|baseline on a results tree laid out as a sweep says. */
START_TEST(test_command)
{
    ck_assert_ptr_nonnull(testdir_make("regress-cli"));
    testdir_write_text(testdir_path("r.sweep"), "set dataset=fashion-mnist dim=8 seed=1\ndml loss=triplet distance=euclidean,snr\n");
    ck_assert_int_eq(dsml_mkdirs(testdir_path("res/fashion-mnist/triplet-euclidean-d8-s1")), DSML_OK);
    ck_assert_int_eq(dsml_mkdirs(testdir_path("res/fashion-mnist/triplet-snr-d8-s1")), DSML_OK);
    write_metrics(testdir_path("res/fashion-mnist/triplet-euclidean-d8-s1/metrics.json"), 0.8, 0.4, 0.7, 1.0);
    write_metrics(testdir_path("res/fashion-mnist/triplet-snr-d8-s1/metrics.json"), 0.7, 0.3, 0.6, 1.5);
    char args[8192];
    snprintf(args, sizeof args, "regress baseline --sweep %s --results %s --baseline %s", testdir_path("r.sweep"),
             testdir_path("res"), testdir_path("b.json"));
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    snprintf(args, sizeof args, "regress check --sweep %s --results %s --baseline %s", testdir_path("r.sweep"),
             testdir_path("res"), testdir_path("b.json"));
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    ck_assert_msg(strstr(r.out, "regress: 18 of 18 metrics of 2 runs within tolerance"), "%s", r.out);
    write_metrics(testdir_path("res/fashion-mnist/triplet-snr-d8-s1/metrics.json"), 0.7, 0.2, 0.6, 1.5);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.out, "fashion-mnist/triplet-snr-d8-s1") && strstr(r.out, "euclidean.map@r") &&
                  strstr(r.out, "0.3000") && strstr(r.out, "0.2000") && strstr(r.out, "-0.1000") &&
                  strstr(r.out, "FAIL"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "17 of 18 metrics") && strstr(r.out, "FAILED"), "%s", r.out);
    ck_assert_ptr_null(strstr(r.out, "recall@8"));
    run_dsml(&r, "regress frobnicate");
    ck_assert_int_eq(r.status, 2);
    run_dsml(&r, "regress check --bogus");
    ck_assert_int_eq(r.status, 2);
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
    ck_assert_msg(strstr(r.err, "unfinished run (no metrics.json): fashion-mnist/killed-run"), "%s", r.err);
    ck_assert_msg(!strstr(r.err, "baseline") && !strstr(r.err, "slurm") && !strstr(r.err, "reference"), "%s", r.err);
    testdir_done(1);
}
END_TEST

/* The committed baseline names exactly the runs of the committed sweep, with every metric. */
START_TEST(test_committed_baseline_matches_sweep)
{
    dsml_sweep sw;
    ck_assert_msg(dsml_sweep_load(&sw, "results/baseline/regress.sweep", "build/regress") == DSML_OK, "%s",
                  dsml_last_error());
    ck_assert_int_ge(sw.n_runs, 2);
    const char *text = read_text("results/baseline/regress.json");
    ck_assert_ptr_nonnull(strstr(text, "\"format_version\": 1"));
    for (int i = 0; i < sw.n_runs; i++) {
        char name[600];
        snprintf(name, sizeof name, "\"run\": \"%s\"", sw.runs[i].dir + strlen("build/regress/"));
        ck_assert_msg(strstr(text, name), "results/baseline/regress.json lacks %s", name);
    }
    for (int m = 0; m < dsml_regress_n_metrics; m++) {
        const char *leaf = strchr(dsml_regress_metrics[m].name, '.') + 1;
        char key[96];
        snprintf(key, sizeof key, "\"%s\":", leaf);
        ck_assert_msg(strstr(text, key), "baseline lacks %s", dsml_regress_metrics[m].name);
    }
    dsml_sweep_free(&sw);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("regress");
    TCase *tc = tcase_create("regress");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_baseline_round_trip_and_tolerances);
    tcase_add_test(tc, test_command);
    tcase_add_test(tc, test_committed_baseline_matches_sweep);
    tcase_add_test(tc, test_summary_skips_baseline);
    suite_add_tcase(s, tc);
    return suite_run(s);
}
