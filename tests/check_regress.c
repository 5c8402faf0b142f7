/* Tests of the regression check (src/run/regress.h, src/cli/cmd_regress.c):
 * a baseline written from metrics.json files reads back as passing; metrics
 * moved inside and outside their tolerances (hand cases at the boundary),
 * missing runs and metrics, broken baselines; the command's output and exit
 * status; the committed baseline against the committed sweep. */
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
#include "support/run_fixture.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static cmd_result r;

/* A metrics.json as dsml train writes it (the parts the check reads). */
static void write_metrics(const char *path, double recall1, double map_r, double nmi, double final_loss)
{
    fixture_doc d;
    fixture_init(&d);
    fixture_int(&d, "format_version", 1);
    fixture_num(&d, "metrics.euclidean.recall@1", recall1);
    fixture_num(&d, "metrics.euclidean.recall@8", 0.9);
    fixture_num(&d, "metrics.euclidean.map", 0.6);
    fixture_num(&d, "metrics.euclidean.map@r", map_r);
    fixture_num(&d, "metrics.euclidean.f1@t", 0.5);
    fixture_num(&d, "metrics.hamming.map", 0.45);
    fixture_num(&d, "metrics.clustering.nmi", nmi);
    fixture_num(&d, "metrics.clustering.f1", 0.6);
    char curve[128];
    snprintf(curve, sizeof curve, "[3.0, 2.0, %.17g]", final_loss);
    fixture_raw(&d, "training.loss_per_epoch", curve);
    fixture_write(&d, path);
}

static const dsml_regress_row *find_row(const dsml_regress_row *rows, int n, const char *run, const char *metric)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(rows[i].run, run) && !strcmp(rows[i].metric->name, metric)) return &rows[i];
    return NULL;
}

/* Two runs' metrics.json (a: 0.80, 0.40, 0.70, loss 1; b: 0.60, 0.30, 0.50,
 * loss 2) and the baseline written from them, in a fresh test folder. */
typedef struct {
    char a[4096], b[4096], base[4096];
    dsml_regress_run runs[2];
} two_runs;

static void two_runs_make(two_runs *t, const char *name)
{
    ck_assert_ptr_nonnull(testdir_make(name));
    snprintf(t->a, sizeof t->a, "%s", testdir_path("a.json"));
    snprintf(t->b, sizeof t->b, "%s", testdir_path("b.json"));
    snprintf(t->base, sizeof t->base, "%s", testdir_path("base.json"));
    write_metrics(t->a, 0.80, 0.40, 0.70, 1.0);
    write_metrics(t->b, 0.60, 0.30, 0.50, 2.0);
    t->runs[0] = (dsml_regress_run){"ds/a", t->a};
    t->runs[1] = (dsml_regress_run){"ds/b", t->b};
    ck_assert_msg(dsml_regress_write_baseline(t->base, "x.sweep", t->runs, 2) == DSML_OK, "%s", dsml_last_error());
}

START_TEST(test_baseline_round_trip)
{
    two_runs t;
    two_runs_make(&t, "regress-round-trip");
    const char *text = read_text(t.base);
    ck_assert_ptr_nonnull(strstr(text, "\"format_version\": 1"));
    ck_assert_ptr_nonnull(strstr(text, "\"run\": \"ds/b\""));
    ck_assert_ptr_nonnull(strstr(text, "\"final_loss\": 2"));

    dsml_regress_row *rows;
    int n, failures;
    ck_assert_int_eq(dsml_regress_compare(t.base, t.runs, 2, &rows, &n, &failures), DSML_OK);
    ck_assert_int_eq(n, 2 * dsml_regress_n_metrics);
    ck_assert_int_eq(failures, 0);
    free(rows);
    testdir_done(1);
}
END_TEST

START_TEST(test_tolerances_at_the_boundary)
{
    two_runs t;
    two_runs_make(&t, "regress-tolerances");
    dsml_regress_row *rows;
    int n, failures;
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
        write_metrics(t.a, cases[i].recall1, cases[i].map_r, cases[i].nmi, cases[i].loss);
        ck_assert_int_eq(dsml_regress_compare(t.base, t.runs, 2, &rows, &n, &failures), DSML_OK);
        ck_assert_msg(failures == cases[i].failures, "case %zu: %d failures", i, failures);
        if (cases[i].failing) {
            const dsml_regress_row *row = find_row(rows, n, "ds/a", cases[i].failing);
            ck_assert_ptr_nonnull(row);
            ck_assert_int_eq(row->ok, 0);
        }
        ck_assert_int_eq(find_row(rows, n, "ds/b", "euclidean.map@r")->ok, 1);
        free(rows);
    }
    testdir_done(1);
}
END_TEST

START_TEST(test_missing_runs_and_metrics)
{
    two_runs t;
    two_runs_make(&t, "regress-missing");
    dsml_regress_row *rows;
    int n, failures;
    const dsml_regress_row *row;
    /* a run without a baseline, a baseline run not given */
    dsml_regress_run other[2] = {{"ds/a", t.a}, {"ds/c", t.b}};
    ck_assert_int_eq(dsml_regress_compare(t.base, other, 2, &rows, &n, &failures), DSML_OK);
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
    const char *text = read_text(testdir_path("table.txt"));
    ck_assert_ptr_nonnull(strstr(text, "FAIL (no baseline)"));
    ck_assert_ptr_nonnull(strstr(text, "FAIL (missing)"));
    ck_assert_ptr_null(strstr(text, "ds/a "));
    free(rows);

    /* a metric missing from metrics.json */
    fixture_doc d;
    fixture_init(&d);
    fixture_num(&d, "metrics.euclidean.map", 0.6);
    fixture_write(&d, t.a);
    ck_assert_int_eq(dsml_regress_compare(t.base, t.runs, 2, &rows, &n, &failures), DSML_OK);
    row = find_row(rows, n, "ds/a", "euclidean.map@r");
    ck_assert(row && isnan(row->value) && !row->ok);
    ck_assert_int_eq(find_row(rows, n, "ds/a", "euclidean.map")->ok, 1);
    free(rows);
    ck_assert_int_eq(dsml_regress_write_baseline(testdir_path("new.json"), "x", t.runs, 2), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "a.json: expected a number at metrics.euclidean.recall@1"), "%s",
                  dsml_last_error());
    /* a final loss that is null (a NaN loss) is missing too */
    fixture_raw(&d, "training.loss_per_epoch", "[1.5, null]");
    fixture_write(&d, t.a);
    ck_assert_int_eq(dsml_regress_compare(t.base, t.runs, 2, &rows, &n, &failures), DSML_OK);
    row = find_row(rows, n, "ds/a", "training.final_loss");
    ck_assert(row && isnan(row->value) && !row->ok);
    free(rows);
    testdir_done(1);
}
END_TEST

START_TEST(test_broken_baselines)
{
    two_runs t;
    two_runs_make(&t, "regress-broken");
    dsml_regress_row *rows;
    int n, failures;
    testdir_write_text(testdir_path("v2.json"), "{\"format_version\": 2, \"runs\": []}");
    ck_assert_int_eq(dsml_regress_compare(testdir_path("v2.json"), t.runs, 2, &rows, &n, &failures), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "expected format_version 1"));
    testdir_write_text(testdir_path("noname.json"), "{\"format_version\": 1, \"runs\": [{\"metrics\": {}}]}");
    ck_assert_int_eq(dsml_regress_compare(testdir_path("noname.json"), t.runs, 2, &rows, &n, &failures),
                     DSML_ERR_FORMAT);
    testdir_write_text(testdir_path("cut.json"), "{\"format_version\": 1, \"runs\": [");
    ck_assert_int_eq(dsml_regress_compare(testdir_path("cut.json"), t.runs, 2, &rows, &n, &failures), DSML_ERR_FORMAT);
    /* a metrics.json that does not parse is an error too, naming it */
    testdir_write_text(t.a, "{\"metrics\": ");
    ck_assert_int_eq(dsml_regress_compare(t.base, t.runs, 2, &rows, &n, &failures), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "a.json: byte 12: unexpected end of document"), "%s", dsml_last_error());
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
    const suite_case cases[] = {
        {"baseline", 30, (const TTest *[]){test_baseline_round_trip, test_tolerances_at_the_boundary,
                                           test_missing_runs_and_metrics, test_broken_baselines, NULL}},
        {"command", 60, (const TTest *[]){test_command, test_committed_baseline_matches_sweep, NULL}},
    };
    return suite_run_cases("regress", cases, SUITE_CASES(cases));
}
