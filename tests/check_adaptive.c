/* Tests of adaptive seeds (docs/tables.md, "Adaptive seeds"): `dsml tables
 * --looks K` testing at 0.05 / K, exactly at that boundary, on hand-made runs
 * of known differences; <results>/adaptive.txt read when --looks is not
 * given; `--undecided FILE` listing exactly the cells left inconclusive;
 * `dsml sweep --seeds N` (run ids kept); and scripts/adaptive.sh on a tiny
 * real sweep, adding a seed to the undecided cell and stopping. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "report/claims.h"
#include "run/sweep.h"
#include "support/run_cmd.h"
#include "support/run_fixture.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static cmd_result r;

/* One DML run with a single metric (Euclidean MAP@T); the other metrics are
 * absent, so each comparison is a family of one and Holm is the raw test. */
static void write_run(const char *dataset, const char *loss, const char *distance, int seed, double map,
                      const char *equations)
{
    char run[128];
    snprintf(run, sizeof run, "%s-%s%s-d32-s%d", loss, distance, equations ? "-paper" : "", seed);
    fixture_doc d;
    fixture_run(&d, dataset, loss, distance, 32, seed);
    fixture_str(&d, "config.model", "convnet");
    fixture_int(&d, "config.epochs", 1);
    if (equations) fixture_str(&d, "config.equations", equations);
    fixture_num(&d, "metrics.euclidean.map@t", map);
    fixture_write_run(&d, testdir_path("results"), dataset, run);
}

static void write_hashing_run(const char *loss, const char *distance, int seed, double map)
{
    char run[128];
    snprintf(run, sizeof run, "%s-%s-16b-s%d", loss, distance, seed);
    fixture_doc d;
    fixture_run(&d, "cifar10", loss, distance, 16, seed);
    fixture_str(&d, "config.protocol", "hashing");
    fixture_str(&d, "config.model", "convnet");
    fixture_num(&d, "metrics.hamming.map@50000", map);
    fixture_num(&d, "metrics.hamming.map@t", map);
    fixture_int(&d, "metrics.hamming.map_t", 50000);
    fixture_write_run(&d, testdir_path("results"), "cifar10-hashing", run);
}

/* Three paired seeds whose differences (in percentage points) have mean 5 and a
 * two-sided p of exactly `p` (t with 2 dof: p = 1 - t / sqrt(2 + t^2)). */
static void write_cell_with_p(const char *dataset, double p)
{
    double t = sqrt(2.0) * (1 - p) / sqrt(1 - (1 - p) * (1 - p));
    double c = 5 * sqrt(3.0) / t; /* differences 5 - c, 5, 5 + c: sd c, se c / sqrt 3 */
    for (int s = 1; s <= 3; s++) {
        write_run(dataset, "contrastive", "euclidean", s, 0.5, NULL);
        write_run(dataset, "contrastive", "snr", s, 0.5 + (5 + (s - 2) * c) / 100, NULL);
    }
}

/* The results of the tables tests: p just under and just over 0.025 (= 0.05 / 2). */
static void write_results(void)
{
    write_cell_with_p("fashion-mnist", 0.02499);
    write_cell_with_p("kmnist", 0.02501);
    /* emnist: triplet, 2 seeds, differences +1 and -1 (inconclusive at any level); contrastive in the
     * paper arm, one seed a side (no interval); npair only on the SNR side (not run) */
    write_run("emnist", "triplet", "euclidean", 1, 0.50, NULL);
    write_run("emnist", "triplet", "euclidean", 2, 0.50, NULL);
    write_run("emnist", "triplet", "snr", 1, 0.51, NULL);
    write_run("emnist", "triplet", "snr", 2, 0.49, NULL);
    write_run("emnist", "contrastive", "euclidean", 1, 0.50, "paper");
    write_run("emnist", "contrastive", "snr", 1, 0.60, "paper");
    write_run("emnist", "npair", "snr", 1, 0.60, NULL);
    /* Table 4, CIFAR-10 at 16 bits: DSNRH vs DPSH, 2 seeds, differences -0.01 and +0.02 */
    write_hashing_run("contrastive", "snr", 1, 0.50);
    write_hashing_run("contrastive", "snr", 2, 0.52);
    write_hashing_run("dpsh", "euclidean", 1, 0.51);
    write_hashing_run("dpsh", "euclidean", 2, 0.50);
}

/* `dsml tables` on the results with `extra` options; claims.md's text. */
static const char *tables(const char *extra)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "tables --results %s --out %s --published paper-tables/published.tsv %s",
             testdir_path("results"), testdir_path("out"), extra);
    run_dsml(&r, cmd);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    return read_text(testdir_path("out/claims.md"));
}

/* The verdicts (raw, Holm) of the one compared row of a dataset's qualitative section (common arm). */
static const char *verdicts(const char *claims, const char *dataset)
{
    static char out[128];
    char head[128];
    snprintf(head, sizeof head, "## %s: \"SNR beats Euclidean", dataset);
    const char *s = strstr(claims, head);
    ck_assert_msg(s != NULL, "no section %s", head);
    const char *row = strstr(s, "| 3, 3 | ");
    const char *next = strstr(s + 1, "\n## ");
    ck_assert_msg(row && (!next || row < next), "no 3-seed row in %s", head);
    row = strchr(row + 9, '|'); /* after the p's */
    const char *end = strchr(row, '\n');
    snprintf(out, sizeof out, "%.*s", (int)(end - row), row);
    return out;
}

#define UNDECIDED_1 "emnist triplet 32 common 2\ncifar10-hashing dpsh 16 common 2\nemnist contrastive 32 paper 1\n"
#define UNDECIDED_2 "emnist triplet 32 common 2\nkmnist contrastive 32 common 3\ncifar10-hashing dpsh 16 common 2\n" \
                    "emnist contrastive 32 paper 1\n"

START_TEST(test_looks_boundary_and_undecided)
{
    ck_assert_ptr_nonnull(testdir_make("adaptive-looks"));
    write_results();
    char opts[4200];
    /* one look: both p's are under 0.05; the claims.md of today (no adaptive sentence, 95% intervals) */
    snprintf(opts, sizeof opts, "--undecided %s", testdir_path("undecided.txt"));
    const char *claims = tables(opts);
    ck_assert_msg(!strstr(claims, "adaptive mode"), "%s", claims);
    ck_assert_ptr_nonnull(strstr(claims, "[95% CI]"));
    ck_assert_ptr_nonnull(strstr(claims, "| +5.00 [+1.53, +8.47] paired | 3, 3 | 0.025, 0.981 |"));
    ck_assert_str_eq(verdicts(claims, "fashion-mnist"), "| reproduced | reproduced |"); /* p 0.02499 */
    ck_assert_str_eq(verdicts(claims, "kmnist"), "| reproduced | reproduced |");        /* p 0.02501 */
    ck_assert_str_eq(read_text(testdir_path("undecided.txt")), UNDECIDED_1);
    /* two looks, each at 0.025: 0.02499 is still reproduced (its 97.5% interval just excludes 0), 0.02501 is not */
    snprintf(opts, sizeof opts, "--looks 2 --undecided %s", testdir_path("undecided.txt"));
    claims = tables(opts);
    ck_assert_ptr_nonnull(strstr(claims, "adaptive mode: up to 2 looks, each test at alpha/K = 0.05/2 = 0.025"));
    ck_assert_ptr_nonnull(strstr(claims, "[97.5% CI]"));
    ck_assert_ptr_nonnull(strstr(claims, "| +5.00 [+0.00, +10.00] paired | 3, 3 | 0.025, 0.981 |"));
    ck_assert_str_eq(verdicts(claims, "fashion-mnist"), "| reproduced | reproduced |");
    ck_assert_str_eq(verdicts(claims, "kmnist"), "| inconclusive | inconclusive |");
    ck_assert_ptr_nonnull(strstr(claims, "family-wise level 0.025"));
    ck_assert_ptr_nonnull(strstr(claims, "the 95% interval lies inside")); /* TOST at 0.025 */
    ck_assert_str_eq(read_text(testdir_path("undecided.txt")), UNDECIDED_2);
    /* three looks (0.0167): both undecided */
    claims = tables("--looks 3");
    ck_assert_str_eq(verdicts(claims, "fashion-mnist"), "| inconclusive | inconclusive |");
    testdir_done(1);
}
END_TEST

START_TEST(test_adaptive_txt_read)
{
    ck_assert_ptr_nonnull(testdir_make("adaptive-txt"));
    write_results();
    testdir_write_text(testdir_path("results/adaptive.txt"), "looks 2\n");
    int looks = 0;
    ck_assert_int_eq(dsml_claims_looks_read(testdir_path("results"), &looks), DSML_OK);
    ck_assert_int_eq(looks, 2);
    /* without --looks the file's K; --looks overrides it */
    ck_assert_ptr_nonnull(strstr(tables(""), "adaptive mode: up to 2 looks"));
    ck_assert_ptr_nonnull(strstr(read_text(testdir_path("out/claims.md")), "| inconclusive | inconclusive |"));
    const char *claims = tables("--looks 1");
    ck_assert_msg(!strstr(claims, "adaptive mode"), "%s", claims);
    /* absent: one look */
    ck_assert_int_eq(dsml_claims_looks_read(testdir_path("nowhere"), &looks), DSML_OK);
    ck_assert_int_eq(looks, 1);
    /* anything but one line "looks K": an error naming the file, and no tables */
    static const char *const bad[] = {"looks two\n", "looks 2", "looks 0\n", "looks 2\nlooks 3\n", "", "looks -2\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        testdir_write_text(testdir_path("results/adaptive.txt"), bad[i]);
        ck_assert_int_eq(dsml_claims_looks_read(testdir_path("results"), &looks), DSML_ERR_FORMAT);
        ck_assert_msg(strstr(dsml_last_error(), "adaptive.txt: expected one line \"looks K\""), "%s",
                      dsml_last_error());
    }
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "tables --results %s --out %s --published paper-tables/published.tsv",
             testdir_path("results"), testdir_path("out2"));
    run_dsml(&r, cmd);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "adaptive.txt: expected one line"), "%s", r.err);
    ck_assert_int_ne(access(testdir_path("out2"), F_OK), 0);
    run_dsml(&r, "tables --looks 0");
    ck_assert_int_eq(r.status, 2);
    testdir_done(1);
}
END_TEST

START_TEST(test_sweep_seeds)
{
    static const char *const text = "set dataset=fashion-mnist dim=16 seed=1,2,3 epochs=1\n"
                                    "dml loss=triplet distance=euclidean,snr\n"
                                    "hashing dataset=cifar10 loss=dpsh distance=euclidean seed=7\n"
                                    "tune dataset=fashion-mnist loss=triplet distance=snr dim=16 seed=1,2 "
                                    "validation-per-class=10 lr=0.01,0.03\n";
    dsml_sweep sw, more;
    ck_assert_msg(dsml_sweep_parse(&sw, "t.sweep", text, "res") == DSML_OK, "%s", dsml_last_error());
    ck_assert_msg(dsml_sweep_parse_seeds(&more, "t.sweep", text, "res", 5) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(sw.n_runs, 6 + 1);
    ck_assert_int_eq(more.n_runs, 10 + 5);
    /* seeds 1..3 keep their ids and directories; 4 and 5 follow them */
    int kept = 0;
    for (int i = 0; i < sw.n_runs; i++)
        for (int j = 0; j < more.n_runs; j++) kept += !strcmp(sw.runs[i].dir, more.runs[j].dir);
    ck_assert_int_eq(kept, 6); /* the hashing line's seed 7 is replaced by 1..5 */
    ck_assert_str_eq(more.runs[4].dir, "res/fashion-mnist/triplet-euclidean-d16-s5");
    ck_assert_str_eq(more.runs[10].dir, "res/cifar10-hashing/dpsh-euclidean-16b-s1");
    ck_assert_str_eq(dsml_sweep_run_get(&more.runs[4], "seed"), "5");
    /* the tune lines keep theirs */
    ck_assert_int_eq(more.n_tune, sw.n_tune);
    ck_assert_int_eq(more.n_tune, 4);
    dsml_sweep_free(&sw);
    dsml_sweep_free(&more);
    ck_assert_int_eq(dsml_sweep_parse_seeds(&sw, "t.sweep", text, "res", DSML_SWEEP_MAX_SEEDS + 1), DSML_ERR_ARG);
    /* the command: --seeds with --only, a bad count refused */
    ck_assert_ptr_nonnull(testdir_make("adaptive-seeds"));
    testdir_write_text(testdir_path("t.sweep"), text);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "$DSML_BIN sweep list --kind dml --seeds 4 --results res --only 'fashion-mnist/*-snr-*' "
             "%s", testdir_path("t.sweep"));
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "res/fashion-mnist/triplet-snr-d16-s4\t") && !strstr(r.out, "-euclidean-"), "%s",
                  r.out);
    snprintf(cmd, sizeof cmd, "$DSML_BIN sweep list --seeds 65 %s", testdir_path("t.sweep"));
    run_shell(&r, cmd);
    ck_assert_int_eq(r.status, 2);
    testdir_done(1);
}
END_TEST

/* ---- the loop on a tiny real sweep ------------------------------------------------------ */

static int have_fashion_mnist(void)
{
    if (access("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", R_OK) == 0) return 1;
    fprintf(stderr, "SKIP: /usr/share/datasets/fashion-mnist is absent (apt-get install dataset-fashion-mnist)\n");
    return 0;
}

/* One seed a side: every comparison is inconclusive (no interval), so look 1 asks for seed 2. */
#define TINY "set dataset=fashion-mnist dim=8 seed=1 model=mlp hidden=16 queries-per-class=5 " \
             "train-per-class=10 batch=20 images-per-class=2 lr=0.01\n" \
             "dml loss=contrastive distance=euclidean,snr epochs=1\n"

START_TEST(test_loop_adds_a_seed_and_stops)
{
    if (!have_fashion_mnist()) return;
    const char *bin = getenv("DSML_BIN");
    ck_assert_msg(bin != NULL, "DSML_BIN is not set (make check sets it)");
    char repo[4096];
    ck_assert_ptr_nonnull(getcwd(repo, sizeof repo)); /* make check runs the tests from the repository */
    ck_assert_ptr_nonnull(testdir_make("adaptive-loop"));
    testdir_write_text(testdir_path("t.sweep"), TINY);
    /* the project Makefile's goals the script uses, on this folder */
    char mk[8192];
    snprintf(mk, sizeof mk, "ifdef SWEEP_MK\ninclude $(SWEEP_MK)\nendif\n"
             "sweep-dml-runs: $(SWEEP_DML_RUNS)\nsweep-hashing-runs: $(SWEEP_HASHING_RUNS)\n"
             "tables:\n\t$(DSML) tables --results res --out tables --published %s/paper-tables/published.tsv\n"
             "plots:\n\ttouch plots.done\n", repo);
    testdir_write_text(testdir_path("Makefile"), mk);
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "cd %s && %s sweep makefile --threads 1 --results res --status-command true "
             "--out first.mk t.sweep && make -s -j2 SWEEP_MK=first.mk DSML=%s sweep-dml-runs && "
             "DSML=%s MAKE='make -s -j2 DSML=%s' SWEEP=t.sweep RESULTS=res BUILD=build "
             "PUBLISHED=%s/paper-tables/published.tsv MAX_SEEDS=4 BUDGET_MIN=30 SWEEP_ARGS='--threads 1' "
             "sh %s/scripts/adaptive.sh", testdir_path(""), bin, bin, bin, bin, repo, repo);
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "%s\n%s", r.out, r.err);
    ck_assert_msg(strstr(r.out, "adaptive: look 1 of 2: seed 2 for 1 cells"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "adaptive: 2 looks, 1 cells got seeds 2, "), "%s", r.out);
    ck_assert_int_eq(access(testdir_path("res/fashion-mnist/contrastive-euclidean-d8-s2/metrics.json"), F_OK), 0);
    ck_assert_int_eq(access(testdir_path("res/fashion-mnist/contrastive-snr-d8-s2/metrics.json"), F_OK), 0);
    ck_assert_int_ne(access(testdir_path("res/fashion-mnist/contrastive-snr-d8-s3"), F_OK), 0);
    ck_assert_str_eq(read_text(testdir_path("res/adaptive.txt")), "looks 2\n");
    ck_assert_ptr_nonnull(strstr(read_text(testdir_path("tables/claims.md")), "adaptive mode: up to 2 looks"));
    ck_assert_int_eq(access(testdir_path("plots.done"), F_OK), 0);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"looks", 30, (const TTest *[]){test_looks_boundary_and_undecided, test_adaptive_txt_read, NULL}},
        {"seeds", 30, (const TTest *[]){test_sweep_seeds, NULL}},
        {"loop", 60, (const TTest *[]){test_loop_adds_a_seed_and_stops, NULL}},
    };
    return suite_run_cases("adaptive", cases, SUITE_CASES(cases));
}
