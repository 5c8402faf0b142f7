/* Tests of `dsml tables` (src/report/published.h, paper.h, stats.h,
 * claims.h, runs.h, tables.h, src/cli/cmd_tables.c): the transcription of
 * the paper's Tables 1-4 in paper-tables/published.tsv against the printed
 * values, the parser's errors, the paper's rows, labels and hashing methods,
 * mean/std/CI on hand cases, the verdict rule, and the command end to end on
 * a small results tree made here. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/claims.h"
#include "report/paper.h"
#include "report/published.h"
#include "report/stats.h"
#include "support/run_cmd.h"
#include "support/run_fixture.h"
#include "support/suite_run.h"
#include "support/testdir.h"

#define PUBLISHED "paper-tables/published.tsv"
#define HEADER "table\tdataset\tmethod\tmetric\tsize\tvalue\tnote\n"

/* ---- the transcription ------------------------------------------------------------ */

static double published(const dsml_published *p, int table, const char *ds, const char *method, const char *metric,
                        int size)
{
    const dsml_published_value *v = dsml_published_find(p, table, ds, method, metric, size);
    ck_assert_msg(v != NULL, "missing: table %d %s %s %s %d", table, ds, method, metric, size);
    return v->value;
}

START_TEST(test_published_counts_and_spot_checks)
{
    dsml_published p;
    ck_assert_msg(dsml_published_load(&p, PUBLISHED) == DSML_OK, "%s", dsml_last_error());
    /* 8 rows x 4 metrics x 3 sizes in Tables 1-3; 6 methods x 4 bits x 2 datasets in Table 4 */
    ck_assert_int_eq(dsml_published_count(&p, 1), 96);
    ck_assert_int_eq(dsml_published_count(&p, 2), 96);
    ck_assert_int_eq(dsml_published_count(&p, 3), 96);
    ck_assert_int_eq(dsml_published_count(&p, 4), 48);
    ck_assert_int_eq(dsml_published_count(&p, 0), 336);
    /* every cell of Tables 1-3 is there, and every metric is one the tables know */
    for (int t = 1; t <= 3; t++)
        for (int r = 0; r < DSML_PAPER_ROWS; r++)
            for (int c = 0; c < DSML_PAPER_COLUMNS; c++)
                for (int k = 0; k < DSML_PAPER_SIZES; k++)
                    published(&p, t, t == 1 ? "cars196" : t == 2 ? "cub200" : "cifar10", dsml_paper_rows[r].method,
                              dsml_paper_columns(t)[c].published, dsml_paper_sizes[k]);
    for (int i = 0; i < p.count; i++) ck_assert_int_ge(dsml_paper_metric_of(p.values[i].metric), 0);

    /* spot checks against the printed tables */
    ck_assert_double_eq_tol(published(&p, 1, "cars196", "triplet", "clustering.nmi", 16), 50.9, 1e-9);
    ck_assert_double_eq_tol(published(&p, 1, "cars196", "contrastive", "clustering.f1", 16), 9.2, 1e-9);
    ck_assert_double_eq_tol(published(&p, 1, "cars196", "DSML(tri)", "euclidean.recall@1", 64), 49.1, 1e-9);
    ck_assert_double_eq_tol(published(&p, 1, "cars196", "DSML(N-pair)", "euclidean.recall@2", 64), 48.6, 1e-9);
    ck_assert_double_eq_tol(published(&p, 2, "cub200", "lifted", "clustering.f1", 32), 36.5, 1e-9);
    ck_assert_double_eq_tol(published(&p, 2, "cub200", "N-pair", "euclidean.recall@2", 64), 46.9, 1e-9);
    ck_assert_double_eq_tol(published(&p, 2, "cub200", "DSML(tri)", "clustering.nmi", 64), 65.6, 1e-9);
    ck_assert_double_eq_tol(published(&p, 3, "cifar10", "DSML(cont)", "euclidean.map@59000", 32), 79.8, 1e-9);
    ck_assert_double_eq_tol(published(&p, 3, "cifar10", "lifted", "euclidean.f1@5000", 16), 60.6, 1e-9);
    ck_assert_double_eq_tol(published(&p, 3, "cifar10", "N-pair", "hamming.f1@5000", 64), 37.3, 1e-9);
    ck_assert_double_eq_tol(published(&p, 3, "cifar10", "DSML(lifted)", "hamming.map@59000", 16), 66.9, 1e-9);
    ck_assert_double_eq_tol(published(&p, 4, "nus-wide", "DSNRH", "hamming.map@50000", 48), 0.862, 1e-9);
    ck_assert_double_eq_tol(published(&p, 4, "cifar10", "DPSH*", "hamming.map@50000", 24), 0.885, 1e-9);
    ck_assert_double_eq_tol(published(&p, 4, "nus-wide", "DPSH", "hamming.map@50000", 16), 0.715, 1e-9);
    ck_assert_double_eq_tol(published(&p, 4, "cifar10", "DRSCH", "hamming.map@50000", 48), 0.631, 1e-9);
    ck_assert_ptr_null(dsml_published_find(&p, 4, "cifar10", "DPSH", "hamming.map@50000", 16)); /* printed DPSH* */

    /* the seed's typos: values corrected, the printed text kept in the note */
    const dsml_published_value *v =
        dsml_published_find(&p, 1, "cars196", "DSML(cont)", "euclidean.recall@2", 64);
    ck_assert_double_eq_tol(v->value, 20.1, 1e-9);
    ck_assert_ptr_nonnull(strstr(v->note, "\"201\""));
    v = dsml_published_find(&p, 2, "cub200", "DSML(lifted)", "clustering.nmi", 32);
    ck_assert_double_eq_tol(v->value, 64.5, 1e-9);
    ck_assert_ptr_nonnull(strstr(v->note, "6 <b>4.5</b>"));
    v = dsml_published_find(&p, 3, "cifar10", "DSML(cont)", "euclidean.map@59000", 32);
    ck_assert_ptr_nonnull(strstr(v->note, "bold"));
    v = dsml_published_find(&p, 4, "cifar10", "DSCH", "hamming.map@50000", 16);
    ck_assert_ptr_nonnull(strstr(v->note, "not implemented"));
    ck_assert_int_eq(v->decimals, 3);
    dsml_published_free(&p);
}
END_TEST

START_TEST(test_published_parser_accepts_and_rejects)
{
    dsml_published p;
    const char *good = "# comment\n\n" HEADER "1\tcars196\ttriplet\tclustering.nmi\t16\t50.9\t\r\n"
                       "4\tcifar10\tDSNRH\thamming.map@50000\t48\t0.940\tprinted DSNRH(Ours)";
    ck_assert_int_eq(dsml_published_parse(&p, "good.tsv", good), DSML_OK);
    ck_assert_int_eq(p.count, 2);
    ck_assert_int_eq(p.values[0].line, 4);
    ck_assert_int_eq(p.values[0].decimals, 1);
    ck_assert_str_eq(p.values[0].note, "");
    ck_assert_str_eq(p.values[1].note, "printed DSNRH(Ours)");
    ck_assert_int_eq(p.values[1].size, 48);
    dsml_published_free(&p);

    static const struct { const char *body; const char *message; } bad[] = {
        {"table\tdataset\tmethod\n", "bad.tsv:1: expected 7 tab-separated fields, found 3"},
        {"table\tdataset\tmethod\tmetric\tbits\tvalue\tnote\n", "bad.tsv:1: expected the header"},
        {HEADER "1\tcars196\ttriplet\tclustering.nmi\t16\t50.9\n", "bad.tsv:2: expected 7 tab-separated fields, "
                                                                   "found 6"},
        {HEADER "5\tcars196\ttriplet\tclustering.nmi\t16\t50.9\t\n", "bad.tsv:2: table: expected 1, 2, 3 or 4, found "
                                                                     "'5'"},
        {HEADER "1\tcars196\t\tclustering.nmi\t16\t50.9\t\n", "bad.tsv:2: method: expected a value"},
        {HEADER "1\tcars196\ttriplet\tclustering.nmi\tx16\t50.9\t\n", "bad.tsv:2: size: expected an integer"},
        {HEADER "# c\n1\tcars196\ttriplet\tclustering.nmi\t16\t201,5\t\n", "bad.tsv:3: value: expected a non-negative"},
        {HEADER "1\tcars196\ttriplet\tclustering.nmi\t16\t-1\t\n", "bad.tsv:2: value: expected a non-negative"},
        {HEADER "1\tcars196\ttriplet\tclustering.nmi\t16\t5e1\t\n", "bad.tsv:2: value: expected a non-negative"},
        {HEADER "1\tcars196\ttriplet\tclustering.nmi\t16\t50.9\t\n1\tcars196\ttriplet\tclustering.nmi\t16\t50.8\t\n",
         "bad.tsv:3: table 1 cars196 triplet clustering.nmi size 16: already given at line 2"},
        {"# only a comment\n", "bad.tsv: expected a header line, found none"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(dsml_published_parse(&p, "bad.tsv", bad[i].body), DSML_ERR_FORMAT);
        ck_assert_msg(strstr(dsml_last_error(), bad[i].message), "case %zu: %s", i, dsml_last_error());
        ck_assert_ptr_null(p.values);
        ck_assert_int_eq(p.count, 0);
    }
    ck_assert_int_eq(dsml_published_load(&p, "/nonexistent/published.tsv"), DSML_ERR_IO);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "/nonexistent/published.tsv"));
}
END_TEST

/* ---- the paper's layout ------------------------------------------------------------- */

START_TEST(test_paper_rows_and_labels)
{
    /* row 2l: loss l with the Euclidean distance; row 2l + 1: the same loss as DSML */
    for (int l = 0; l < DSML_PAPER_LOSSES; l++) {
        ck_assert_str_eq(dsml_paper_rows[2 * l].distance, "euclidean");
        ck_assert_str_eq(dsml_paper_rows[2 * l + 1].distance, "snr");
        ck_assert_str_eq(dsml_paper_rows[2 * l].loss, dsml_paper_rows[2 * l + 1].loss);
        ck_assert_int_eq(dsml_paper_loss(dsml_paper_rows[2 * l].loss), l);
    }
    ck_assert_int_eq(dsml_paper_loss("npair"), 3);
    ck_assert_int_eq(dsml_paper_loss("vmf"), -1);
    ck_assert_int_eq(dsml_paper_loss(NULL), -1);
    static const struct { const char *loss; int snr; const char *label; } labels[] = {
        {"contrastive", 0, "contrastive"}, {"contrastive", 1, "DSML(cont)"}, {"triplet", 1, "DSML(tri)"},
        {"lifted", 1, "DSML(lifted)"},     {"npair", 0, "N-pair"},           {"npair", 1, "DSML(N-pair)"},
        {"vmf", 0, "vmf"},                 {"vmf", 1, "DSML(vmf)"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        dsml_paper_method_label(labels[i].loss, labels[i].snr, buf, sizeof buf);
        ck_assert_str_eq(buf, labels[i].label);
    }
    /* the tables' datasets and columns */
    ck_assert_int_eq(dsml_paper_dml_table("cars196"), 1);
    ck_assert_int_eq(dsml_paper_dml_table("cub200"), 2);
    ck_assert_int_eq(dsml_paper_dml_table("cifar10"), 3);
    ck_assert_int_eq(dsml_paper_dml_table("fashion-mnist"), 0);
    ck_assert_str_eq(dsml_paper_dml_tables[1].title, "CUB200-2011");
    ck_assert_ptr_null(dsml_paper_columns(4));
    ck_assert_str_eq(dsml_paper_columns(2)[3].label, "Recall@2");
    ck_assert_int_eq(dsml_paper_columns(3)[2].metric, DSML_PM_HAM_MAP);
    ck_assert_int_eq(dsml_paper_sizes[2], 64);
}
END_TEST

START_TEST(test_paper_hashing_and_metrics)
{
    static const struct { const char *loss, *distance, *protocol, *method; } runs[] = {
        {"dpsh", "euclidean", NULL, "DPSH"},
        {"dtsh", "euclidean", "dml", "DTSH"},
        {"dsnrh", "snr", NULL, "DSNRH"},
        {"contrastive", "snr", "hashing", "DSNRH"},
        {"contrastive", "euclidean", "hashing", DSML_PAPER_EUCLIDEAN_TWIN},
        {"triplet", "snr", "hashing", "other"},
        {"contrastive", "snr", "dml", ""},
        {"contrastive", "snr", NULL, ""},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
        ck_assert_str_eq(dsml_paper_hash_method(runs[i].loss, runs[i].distance, runs[i].protocol), runs[i].method);
    ck_assert_int_eq(dsml_paper_is_hash_dataset("nus-wide"), 1);
    ck_assert_int_eq(dsml_paper_is_hash_dataset("cub200"), 0);
    ck_assert_str_eq(dsml_paper_hash_datasets[1].title, "NUS-WIDE");
    ck_assert_int_eq(dsml_paper_bits[3], 48);
    ck_assert_str_eq(dsml_paper_our_hashing[0], "DSNRH");

    ck_assert_int_eq(dsml_paper_metric_of("hamming.map@50000"), DSML_PM_HAM_MAP);
    ck_assert_int_eq(dsml_paper_metric_of("euclidean.f1@5000"), DSML_PM_EUC_F1);
    ck_assert_int_eq(dsml_paper_metric_of("euclidean.map"), -1);
    dsml_run_metrics m;
    memset(&m, 0, sizeof m);
    m.cluster_f1 = 0.1, m.nmi = 0.2, m.euclidean.recall[0] = 0.3, m.euclidean.recall[1] = 0.4;
    m.euclidean.map_at_t = 0.5, m.euclidean.f1_at_t = 0.6, m.hamming.map_at_t = 0.7, m.hamming.f1_at_t = 0.8;
    for (int k = 0; k < DSML_PM_COUNT; k++)
        ck_assert_double_eq_tol(dsml_paper_metric_value(&m, (dsml_paper_metric)k), 0.1 * (k + 1), 1e-12);
}
END_TEST

/* ---- statistics and verdicts ------------------------------------------------------ */

static dsml_sample make_sample(int n, const int *seeds, const double *values)
{
    dsml_sample s;
    s.n = n;
    for (int i = 0; i < n; i++) {
        s.seeds[i] = seeds[i];
        s.values[i] = values[i];
    }
    return s;
}

START_TEST(test_stats_hand_cases)
{
    double x[3] = {1, 2, 3}, mean, sd;
    dsml_stats_mean_sd(x, 3, &mean, &sd);
    ck_assert_double_eq_tol(mean, 2.0, 1e-12);
    ck_assert_double_eq_tol(sd, 1.0, 1e-12);
    dsml_stats_mean_sd(x, 1, &mean, &sd);
    ck_assert_double_eq_tol(mean, 1.0, 1e-12);
    ck_assert_double_eq(sd, 0.0);
    /* the printed two-sided 95% table (3 decimals) the CIs used before they were computed */
    static const double table[31] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                     2.201, 2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
                                     2.074, 2.069,  2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    for (int d = 1; d <= 30; d++) ck_assert_double_eq_tol(dsml_stats_t95(d), table[d], 5e-4);
    ck_assert_double_eq_tol(dsml_stats_t95(31), 2.0395134463964077, 1e-9); /* scipy.stats.t.ppf(0.975, 31) */
    ck_assert_double_eq_tol(dsml_stats_t95(1000), 1.9623390808264074, 1e-9);
    for (int d = 2; d <= 31; d++) ck_assert_double_lt(dsml_stats_t95(d), dsml_stats_t95(d - 1));

    /* paired: differences 1, 2, 3 -> mean 2, sd 1, CI 2 +- 4.303 / sqrt(3) */
    int seeds[3] = {1, 2, 3};
    double snr_v[3] = {11, 22, 33}, euc_v[3] = {10, 20, 30};
    dsml_sample snr = make_sample(3, seeds, snr_v), euc = make_sample(3, seeds, euc_v);
    dsml_diff d;
    ck_assert_int_eq(dsml_stats_diff(&snr, &euc, &d), DSML_OK);
    ck_assert_int_eq(d.paired, 1);
    ck_assert_int_eq(d.has_ci, 1);
    ck_assert_int_eq(d.dof, 2);
    ck_assert_double_eq_tol(d.mean, 2.0, 1e-12);
    ck_assert_double_eq_tol(d.se, 1 / sqrt(3.0), 1e-12);
    ck_assert_double_eq_tol(d.half_width, 4.302652729911275 / sqrt(3.0), 1e-9);

    /* unpaired (different seeds): means 4 and 1; sds sqrt(2) and 0;
     * se = sqrt(2/2 + 0/2) = 1, dof = min(2, 2) - 1 = 1 -> half width 12.706 */
    int s_seeds[2] = {1, 2}, e_seeds[2] = {3, 4};
    double s_v[2] = {3, 5}, e_v[2] = {1, 1};
    snr = make_sample(2, s_seeds, s_v);
    euc = make_sample(2, e_seeds, e_v);
    ck_assert_int_eq(dsml_stats_diff(&snr, &euc, &d), DSML_OK);
    ck_assert_int_eq(d.paired, 0);
    ck_assert_int_eq(d.has_ci, 1);
    ck_assert_double_eq_tol(d.mean, 3.0, 1e-12);
    ck_assert_double_eq_tol(d.se, 1.0, 1e-12);
    ck_assert_double_eq_tol(d.half_width, 12.706204736174707, 1e-9); /* scipy.stats.t.ppf(0.975, 1) */

    /* one seed each: a difference, no interval */
    snr = make_sample(1, seeds, snr_v);
    euc = make_sample(1, seeds, euc_v);
    ck_assert_int_eq(dsml_stats_diff(&snr, &euc, &d), DSML_OK);
    ck_assert_int_eq(d.has_ci, 0);
    ck_assert_double_eq_tol(d.mean, 1.0, 1e-12);
    euc.n = 0;
    ck_assert_int_eq(dsml_stats_diff(&snr, &euc, &d), DSML_ERR_ARG);
}
END_TEST

START_TEST(test_verdict_rule)
{
    /* dof 2, se such that the 95% half width is 1 (the 90% one is 2.920 / 4.303 = 0.679) */
    dsml_diff d = {.has_ci = 1, .dof = 2, .mean = 2, .half_width = 1, .se = 1 / dsml_stats_t95(2)}; /* CI [1, 3] */
    ck_assert_int_eq(dsml_verdict_decide(5.0, &d, 1.0), DSML_VERDICT_REPRODUCED);
    ck_assert_int_eq(dsml_verdict_decide(-5.0, &d, 1.0), DSML_VERDICT_CONTRADICTED);
    ck_assert_int_eq(dsml_verdict_decide(0.0, &d, 1.0), DSML_VERDICT_CONTRADICTED);
    ck_assert_int_eq(dsml_verdict_decide(5.0, &d, 100.0), DSML_VERDICT_REPRODUCED); /* excluding 0 comes first */
    d.mean = -2; /* CI [-3, -1] */
    ck_assert_int_eq(dsml_verdict_decide(5.0, &d, 1.0), DSML_VERDICT_CONTRADICTED);
    ck_assert_int_eq(dsml_verdict_decide(-1.9, &d, 1.0), DSML_VERDICT_REPRODUCED);
    d.mean = 0.5; /* CI [-0.5, 1.5] includes 0; 90% interval [-0.18, 1.18] */
    ck_assert_int_eq(dsml_verdict_decide(5.0, &d, 1.0), DSML_VERDICT_INCONCLUSIVE);
    ck_assert_int_eq(dsml_verdict_decide(5.0, &d, 1.2), DSML_VERDICT_EQUIVALENT);
    d.mean = 1.0; /* CI [0, 2]: touches 0, not entirely above it */
    ck_assert_int_eq(dsml_verdict_decide(5.0, &d, 1.0), DSML_VERDICT_INCONCLUSIVE);
    d.mean = 10;
    d.has_ci = 0; /* one seed: never more than inconclusive, whatever the margin */
    ck_assert_int_eq(dsml_verdict_decide(5.0, &d, 1e9), DSML_VERDICT_INCONCLUSIVE);
    ck_assert_int_eq(dsml_verdict_decide(5.0, NULL, 1.0), DSML_VERDICT_NOT_RUN);
    ck_assert_str_eq(dsml_verdict_name(DSML_VERDICT_EQUIVALENT), "equivalent");
    ck_assert_str_eq(dsml_verdict_name(DSML_VERDICT_REPRODUCED), "reproduced");
    ck_assert_str_eq(dsml_verdict_name(DSML_VERDICT_NOT_RUN), "not run");
}
END_TEST

/* ---- end to end ------------------------------------------------------------------- */

/* Writes root/<dataset>/<run>/metrics.json with the keys `dsml tables` reads.
 * m: clustering f1, nmi, recall@1, recall@2, euclidean map@t, f1@t, hamming map@t, f1@t. */
static void run_doc(fixture_doc *d, const char *dataset, const char *loss, const char *distance, int dim, int seed,
                    const double m[8], int validation)
{
    static const char *const keys[8] = {"metrics.clustering.f1",      "metrics.clustering.nmi",
                                        "metrics.euclidean.recall@1", "metrics.euclidean.recall@2",
                                        "metrics.euclidean.map@t",    "metrics.euclidean.f1@t",
                                        "metrics.hamming.map@t",      "metrics.hamming.f1@t"};
    fixture_run(d, dataset, loss, distance, dim, seed);
    fixture_str(d, "config.model", "convnet");
    fixture_int(d, "config.epochs", 10);
    fixture_int(d, "config.map_at", 0);
    fixture_int(d, "config.f1_at", 5000);
    fixture_int(d, "data.split.eval_queries", 1000);
    fixture_int(d, "data.split.eval_database", 59000);
    fixture_int(d, "data.split.train", 5000);
    fixture_bool(d, "data.split.evaluated_on_validation", validation);
    for (int i = 0; i < 8; i++) fixture_num(d, keys[i], m[i]);
}

static void write_run(const char *root, const char *dataset, const char *run, const char *loss, const char *distance,
                      int dim, int seed, const double m[8], int validation)
{
    fixture_doc d;
    run_doc(&d, dataset, loss, distance, dim, seed, m, validation);
    fixture_write_run(&d, root, dataset, run);
}

/* A hashing run (config.protocol "hashing") with its Hamming MAP@50000. */
static void write_hashing_run(const char *root, const char *dataset, const char *run, const char *loss,
                              const char *distance, int bits, int seed, double map)
{
    char folder[128];
    snprintf(folder, sizeof folder, "%s-hashing", dataset);
    fixture_doc d;
    fixture_run(&d, dataset, loss, distance, bits, seed);
    fixture_str(&d, "config.protocol", "hashing");
    fixture_str(&d, "config.model", "convnet");
    fixture_int(&d, "config.epochs", 2);
    fixture_num(&d, "metrics.hamming.map@50000", map);
    fixture_num(&d, "metrics.hamming.map@t", map);
    fixture_int(&d, "metrics.hamming.map_t", 50000);
    fixture_write_run(&d, root, folder, run);
}

/* Needs the `tables` command in the binary (src/cli/main.c dispatch). */
static void require_command(void)
{
    cmd_result r;
    run_dsml(&r, "tables --help");
    ck_assert_msg(r.status == 0 && strstr(r.out, "usage: dsml tables"),
                  "the binary (DSML_BIN or bin/dsml) has no working 'tables' command: %s", r.err);
}

START_TEST(test_command_end_to_end)
{
    require_command();
    const char *dir = testdir_make("tables");
    ck_assert_ptr_nonnull(dir);
    char results[4096], out[4096];
    snprintf(results, sizeof results, "%s/results", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    /* cifar10 triplet d32, seeds 1-3: euclidean MAP 30/32/34, SNR 31/34/37
     * (differences 1, 2, 3: CI [-0.48, +4.48], inconclusive); F1 differences
     * 5, 6, 7 (reproduced); Hamming MAP differences -5, -6, -7 (contradicted);
     * Hamming F1 equal (equivalent: a 90% interval [0, 0]). */
    static const double e_map[3] = {0.30, 0.32, 0.34}, s_map[3] = {0.31, 0.34, 0.37};
    static const double e_f1[3] = {0.20, 0.21, 0.22}, s_f1[3] = {0.25, 0.27, 0.29};
    static const double e_hm[3] = {0.40, 0.41, 0.42}, s_hm[3] = {0.35, 0.35, 0.35};
    char run[64];
    for (int s = 0; s < 3; s++) {
        double me[8] = {0.1, 0.2, 0.3, 0.4, e_map[s], e_f1[s], e_hm[s], 0.5};
        double ms[8] = {0.1, 0.2, 0.3, 0.4, s_map[s], s_f1[s], s_hm[s], 0.5};
        snprintf(run, sizeof run, "triplet-euclidean-d32-s%d", s + 1);
        write_run(results, "cifar10", run, "triplet", "euclidean", 32, s + 1, me, 0);
        snprintf(run, sizeof run, "triplet-snr-d32-s%d", s + 1);
        write_run(results, "cifar10", run, "triplet", "snr", 32, s + 1, ms, 0);
    }
    /* a repeated seed (ignored), a validation run (ignored), an unfinished run */
    double junk[8] = {0.9, 0.9, 0.9, 0.9, 0.99, 0.99, 0.99, 0.99};
    write_run(results, "cifar10", "triplet-euclidean-d32-s1-again", "triplet", "euclidean", 32, 1, junk, 0);
    write_run(results, "cifar10", "triplet-snr-d32-s9", "triplet", "snr", 32, 9, junk, 1);
    ck_assert_int_eq(dsml_mkdirs(testdir_path("results/cifar10/npair-snr-d32-s1")), DSML_OK);
    /* a run directly under the results directory is in no table (it would make contrastive d32 two seeds) */
    double lone[8] = {0.1, 0.2, 0.3, 0.4, 0.90, 0.40, 0.45, 0.35};
    write_run(dir, "results", "lone-run", "contrastive", "euclidean", 32, 2, lone, 0);
    /* a nested results directory (make reference) is not a dataset of this one */
    ck_assert_int_eq(dsml_mkdirs(testdir_path("results/reference/fashion-mnist/triplet-snr-d32-s1")), DSML_OK);
    /* contrastive d32: one seed each */
    double c1[8] = {0.1, 0.2, 0.3, 0.4, 0.50, 0.40, 0.45, 0.35}, c2[8] = {0.1, 0.2, 0.3, 0.4, 0.60, 0.50, 0.55, 0.45};
    write_run(results, "cifar10", "contrastive-euclidean-d32-s1", "contrastive", "euclidean", 32, 1, c1, 0);
    write_run(results, "cifar10", "contrastive-snr-d32-s1", "contrastive", "snr", 32, 1, c2, 0);
    /* fashion-mnist contrastive d32, seeds 1-2: MAP differences 10, 10.1 (reproduced), the rest equal;
     * the other three losses there are 12 "not run" rows of the qualitative claim */
    double fe1[8] = {0.1, 0.2, 0.3, 0.4, 0.50, 0.5, 0.5, 0.5}, fe2[8] = {0.1, 0.2, 0.3, 0.4, 0.60, 0.5, 0.5, 0.5};
    double fs1[8] = {0.1, 0.2, 0.3, 0.4, 0.60, 0.5, 0.5, 0.5}, fs2[8] = {0.1, 0.2, 0.3, 0.4, 0.701, 0.5, 0.5, 0.5};
    write_run(results, "fashion-mnist", "contrastive-euclidean-d32-s1", "contrastive", "euclidean", 32, 1, fe1, 0);
    write_run(results, "fashion-mnist", "contrastive-euclidean-d32-s2", "contrastive", "euclidean", 32, 2, fe2, 0);
    write_run(results, "fashion-mnist", "contrastive-snr-d32-s1", "contrastive", "snr", 32, 1, fs1, 0);
    write_run(results, "fashion-mnist", "contrastive-snr-d32-s2", "contrastive", "snr", 32, 2, fs2, 0);

    /* hashing: our Euclidean twin of DSNRH on cifar10 (its own row), and a dataset Table 4 lacks */
    write_hashing_run(results, "cifar10", "contrastive-euclidean-16b-s1", "contrastive", "euclidean", 16, 1, 0.5);
    write_hashing_run(results, "fashion-mnist", "contrastive-snr-24b-s1", "contrastive", "snr", 24, 1, 0.745);
    write_hashing_run(results, "fashion-mnist", "dpsh-euclidean-24b-s1", "dpsh", "euclidean", 24, 1, 0.618);

    char args[9000];
    snprintf(args, sizeof args, "tables --results %s --out %s --published " PUBLISHED, results, out);
    cmd_result r;
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "npair-snr-d32-s1: no metrics.json"));
    ck_assert_msg(!strstr(r.err, "reference/"), "%s", r.err);
    ck_assert_ptr_nonnull(
        strstr(r.err, "results/lone-run: not in a dataset folder (<results>/<dataset>/<run>), skipped"));
    ck_assert_msg(strstr(r.err, ": 1 tuning runs (evaluated on the validation carve-out) skipped"), "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "triplet-euclidean-d32-s1-again: seed 1 of cifar10 triplet-euclidean d32"));
    ck_assert_ptr_nonnull(strstr(r.err, "claims: 2 reproduced, 1 contradicted, 4 equivalent, 5 inconclusive, 72 not "
                                        "run "
                                        "(Holm: 2 reproduced, 1 contradicted, 4 equivalent, 5 inconclusive)"));

    const char *t3 = read_text(testdir_path("out/table3.md"));
    char from[4200];
    snprintf(from, sizeof from, "Generated by `dsml tables` from %s/; do not edit.", results);
    ck_assert_ptr_nonnull(strstr(t3, from)); /* the header names the folder read */
    ck_assert_ptr_nonnull(strstr(t3, "| triplet | not run (75.9) | 32.0 ± 2.0 (77.3) | not run (75.8) |"));
    ck_assert_ptr_nonnull(strstr(t3, "| DSML(tri) | not run (78.4) | 34.0 ± 3.0 (78.3) |"));
    ck_assert_ptr_nonnull(strstr(t3, "| contrastive | not run (75.5) | 50.0 (73.4) |")); /* one seed: no ± */
    ck_assert_ptr_nonnull(strstr(t3, "n = 1 to 3 per cell"));
    ck_assert_ptr_nonnull(strstr(t3, "MAP@59000 is metrics.*.map@t with config.map_at = 0"));
    ck_assert_ptr_nonnull(strstr(t3, "(no ImageNet pre-training)"));
    ck_assert_ptr_nonnull(strstr(t3, "Table 3 layout: retrieval results on fashion-mnist (no published values)"));
    ck_assert_ptr_nonnull(strstr(t3, "| contrastive | not run | 55.0 ± 7.1 | not run |"));
    const char *t3tex = read_text(testdir_path("out/table3.tex"));
    ck_assert_ptr_nonnull(strstr(t3tex, "& 32.0 $\\pm$ 2.0 (77.3) &"));
    ck_assert_ptr_nonnull(strstr(t3tex, "config.map\\_at"));

    const char *t1 = read_text(testdir_path("out/table1.md"));
    ck_assert_ptr_nonnull(strstr(t1, "| triplet | not run (19.4) | not run (16.9) | not run (15.4) | not run (50.9) "
                                     "|"));
    ck_assert_ptr_nonnull(strstr(t1, "not run (20.1) |\n"));
    ck_assert_ptr_nonnull(strstr(read_text(testdir_path("out/table2.tex")), "not run (64.5)"));
    const char *t4 = read_text(testdir_path("out/table4.md"));
    ck_assert_ptr_nonnull(strstr(t4, "| DSNRH | not run (0.925) |"));
    ck_assert_ptr_nonnull(strstr(t4, "not run (0.862) |\n"));
    ck_assert_ptr_nonnull(strstr(t4, "dsml does not implement DSRH, DSCH, DRSCH"));
    ck_assert_ptr_nonnull(strstr(t4, "| Contrastive | 0.500 | not run | not run | not run | Contrastive | not run |"));
    ck_assert_ptr_nonnull(strstr(t4, "## fashion-mnist (not in the paper)"));
    ck_assert_ptr_nonnull(strstr(t4, "| DSNRH | not run | 0.745 | not run | not run |"));
    ck_assert_ptr_nonnull(strstr(t4, "| DPSH | not run | 0.618 | not run | not run |"));
    ck_assert_ptr_nonnull(strstr(read_text(testdir_path("out/table4.tex")), "on fashion-mnist (not in the paper)"));

    const char *claims = read_text(testdir_path("out/claims.md"));
    ck_assert_ptr_nonnull(strstr(claims, from));
    ck_assert_ptr_nonnull(strstr(claims, "| reproduced | 2 | 2 |\n| contradicted | 1 | 1 |\n| equivalent | 4 | 4 |\n"
                                         "| inconclusive | 5 | 5 |\n| not run | 72 | 72 |"));
    /* p (scipy.stats.t): differences 1, 2, 3: t = 2 / (1 / sqrt 3), dof 2, two-sided p 0.0742; TOST with
     * margin 1: max(P(T >= 3 sqrt 3), P(T <= sqrt 3)) = 0.887. Differences 5, 6, 7: p 0.00913, TOST 0.993. */
    ck_assert_ptr_nonnull(strstr(claims, "| DSML(tri) vs triplet | 32 | MAP@59000 (Euclidean ranking) | +1.0 (78.3 "
                                         "vs 77.3) "
                                         "| +2.00 [-0.48, +4.48] paired | 3, 3 | 0.074, 0.887 | inconclusive | "
                                         "inconclusive |"));
    ck_assert_ptr_nonnull(strstr(claims, "| DSML(tri) vs triplet | 32 | F1@5000 (Euclidean ranking) | +1.3 (72.5 vs "
                                         "71.2) "
                                         "| +6.00 [+3.52, +8.48] paired | 3, 3 | 0.009, 0.993 | reproduced | "
                                         "reproduced |"));
    ck_assert_ptr_nonnull(strstr(claims, "| DSML(tri) vs triplet | 32 | MAP@59000 (Hamming ranking) | +0.8 (74.5 vs "
                                         "73.7) "
                                         "| -6.00 [-8.48, -3.52] paired | 3, 3 | 0.009, 0.993 | contradicted | "
                                         "contradicted |"));
    ck_assert_ptr_nonnull(strstr(claims, "| DSML(tri) vs triplet | 32 | F1@5000 (Hamming ranking) | +0.6 (70.8 vs "
                                         "70.2) "
                                         "| +0.00 [+0.00, +0.00] paired | 3, 3 | 1.000, <0.001 | equivalent | "
                                         "equivalent |"));
    ck_assert_ptr_nonnull(strstr(claims, "| DSML(cont) vs contrastive | 32 | MAP@59000 (Euclidean ranking) | +6.4 "
                                         "(79.8 "
                                         "vs 73.4) | +10.00 | 1, 1 | — | inconclusive (1 seed, no CI) | inconclusive "
                                         "|"));
    ck_assert_ptr_nonnull(strstr(claims, "| DSML(tri) vs triplet | 16 | MAP@59000 (Euclidean ranking) | +2.5 (78.4 "
                                         "vs 75.9) "
                                         "| — | 0, 0 | — | not run (neither side) | not run |"));
    ck_assert_ptr_nonnull(strstr(claims, "## Table 3: CIFAR10 (cifar10), common conventions (--equations common)"));
    ck_assert_ptr_nonnull(strstr(claims, "48 comparisons: 1 reproduced, 1 contradicted, 1 equivalent, 5 inconclusive, "
                                         "40 not run (Holm: 1 reproduced, 1 contradicted, 1 equivalent, 5 "
                                         "inconclusive)."));
    ck_assert_ptr_nonnull(strstr(claims, "inside ±1 percentage points"));
    ck_assert_msg(!strstr(claims, "equations as printed"), "no paper-arm runs, no paper-arm section");
    /* fashion-mnist: differences 10 and 10.1 -> mean 10.05, sd 0.0707, CI 10.05 +- 12.706 * 0.05 */
    ck_assert_ptr_nonnull(strstr(claims, "## fashion-mnist: \"SNR beats Euclidean for every loss\""));
    ck_assert_ptr_nonnull(strstr(claims, "| DSML(cont) vs contrastive | 32 | MAP@T (Euclidean ranking) | > 0 (claimed) "
                                         "| +10.05 [+9.41, +10.69] paired | 2, 2 | 0.003, 0.998 | reproduced | "
                                         "reproduced |"));
    ck_assert_ptr_nonnull(strstr(claims, "16 comparisons: 1 reproduced, 0 contradicted, 3 equivalent, 0 inconclusive, "
                                         "12 not run (Holm: 1 reproduced, 0 contradicted, 3 equivalent, 0 "
                                         "inconclusive)."));
    ck_assert_ptr_nonnull(strstr(claims, "- Table 1 (CARS196, `cars196`): 48 comparisons, dataset not run."));
    ck_assert_ptr_nonnull(strstr(claims, "- Table 4 (hashing, `nus-wide`): 20 comparisons"));

    /* a broken published file: exit 1, the error names file:line, nothing new written */
    FILE *fp = fopen(testdir_path("bad.tsv"), "w");
    fputs(HEADER "1\tcars196\ttriplet\tclustering.nmi\t16\tfifty\t\n", fp);
    fclose(fp);
    snprintf(args, sizeof args, "tables --results %s --out %s/out2 --published %s", results, dir,
             testdir_path("bad.tsv"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "bad.tsv:2: value: expected a non-negative decimal number, found 'fifty'"));
    struct stat st;
    ck_assert_int_ne(stat(testdir_path("out2"), &st), 0);
    /* no results at all: every cell "not run", exit 0; a bad option: exit 2 */
    snprintf(args, sizeof args, "tables --results %s/none --out %s/out3 --published " PUBLISHED, dir, dir);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(read_text(testdir_path("out3/claims.md")), "| not run | 0 | 0 |"));
    run_dsml(&r, "tables --bogus");
    ck_assert_int_eq(r.status, 2);
    testdir_done(1);
}
END_TEST

/* A run whose value `dsml tables` would use is not what the writer writes:
 * the whole build is refused (exit 1, the file and the key named, nothing
 * written), never a cell from the seeds that happened to read. */
START_TEST(test_command_refuses_bad_values)
{
    require_command();
    const char *dir = testdir_make("tables-values");
    ck_assert_ptr_nonnull(dir);
    char results[4096], args[9000];
    snprintf(results, sizeof results, "%s/results", dir);
    snprintf(args, sizeof args, "tables --results %s --out %s/out --published " PUBLISHED, results, dir);
    static const double m[8] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
    static const struct { const char *key, *json, *message; } cases[] = {
        {"metrics.euclidean.map@t", "\"NaN\"", "metrics.euclidean.map@t is the string \"NaN\", expected a number in "
                                               "[0, 1]"},
        {"metrics.euclidean.map@t", "7.5", "metrics.euclidean.map@t is 7.5, expected a number in [0, 1]"},
        {"metrics.euclidean.f1@t", "-3", "metrics.euclidean.f1@t is -3, expected a number in [0, 1]"},
        {"metrics.clustering.nmi", "true", "metrics.clustering.nmi is true, expected a number in [0, 1]"},
        {"data.split.train", "-5", "data.split.train is -5, expected an integer in 0..2147483647"},
        {"metrics.euclidean.map@t", NULL, "metrics.euclidean.map@t is missing, expected a number in [0, 1] (seed 1 "
                                          "of cifar10 triplet-snr d32 has it, in "},
        {"metrics.hamming.f1@t", "null", "metrics.hamming.f1@t is null, expected a number in [0, 1] (seed 1 of "
                                         "cifar10 triplet-snr d32 has it, in "},
        {"config.dim", "\"32\"", "config.dim: expected an integer 1..65536, found \"32\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture_doc d;
        run_doc(&d, "cifar10", "triplet", "snr", 32, 1, m, 0);
        fixture_write_run(&d, results, "cifar10", "triplet-snr-d32-s1");
        run_doc(&d, "cifar10", "triplet", "snr", 32, 2, m, 0);
        fixture_set(&d, cases[i].key, cases[i].json);
        fixture_write_run(&d, results, "cifar10", "triplet-snr-d32-s2");
        cmd_result r;
        run_dsml(&r, args);
        ck_assert_msg(r.status == 1, "case %zu: status %d: %s", i, r.status, r.err);
        ck_assert_msg(strstr(r.err, "triplet-snr-d32-s2/metrics.json: ") && strstr(r.err, cases[i].message),
                      "case %zu: %s", i, r.err);
        struct stat st;
        ck_assert_msg(stat(testdir_path("out"), &st) != 0, "case %zu: output written", i);
    }
    /* a hashing group: one seed without its MAP */
    fixture_doc d;
    run_doc(&d, "cifar10", "triplet", "snr", 32, 2, m, 0);
    fixture_write_run(&d, results, "cifar10", "triplet-snr-d32-s2");
    char run[64];
    for (int seed = 1; seed <= 2; seed++) {
        fixture_doc d;
        fixture_run(&d, "cifar10", "dpsh", "euclidean", 16, seed);
        fixture_str(&d, "config.protocol", "hashing");
        if (seed == 1) fixture_num(&d, "metrics.hamming.map@t", 0.5);
        else fixture_num(&d, "metrics.hamming.map", 0.5);
        snprintf(run, sizeof run, "dpsh-euclidean-16b-s%d", seed);
        fixture_write_run(&d, results, "cifar10-hashing", run);
    }
    cmd_result r;
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "dpsh-euclidean-16b-s2/metrics.json: metrics.hamming.map@t is missing, expected a "
                                "number in [0, 1] (seed 1 of cifar10 dpsh-euclidean d16 has it, in "),
                  "%s", r.err);
    /* the same tree with every value in place builds */
    fixture_num(&d, "metrics.hamming.map@t", 0.5);
    fixture_write_run(&d, results, "cifar10-hashing", "dpsh-euclidean-16b-s2");
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(read_text(testdir_path("out/table3.md")), "| DSML(tri) | not run (78.4) | 50.0 "));
    testdir_done(1);
}
END_TEST

/* The file under the test's folder holds text. */
static void expect_in(const char *file, const char *text)
{
    const char *have = read_text(testdir_path(file));
    ck_assert_msg(strstr(have, text), "%s lacks \"%s\":\n%.3000s", file, text, have);
}

/* The sweep's account (<results>/account.json): a table whose dataset has no
 * runs says why and how to get it, one whose runs did not all finish says how
 * many did, claims.md's summary lists what was not run; an account with
 * every run finished changes nothing, a broken one fails the command. */
START_TEST(test_command_account)
{
    require_command();
    const char *dir = testdir_make("tables-account");
    ck_assert_ptr_nonnull(dir);
    char results[4096], args[9000], datasets[4096], expected[9000];
    snprintf(results, sizeof results, "%s/results", dir);
    static const double m[8] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
    write_run(results, "cifar10", "triplet-snr-d32-s1", "triplet", "snr", 32, 1, m, 0);
    write_run(results, "cifar10", "triplet-euclidean-d32-s1", "triplet", "euclidean", 32, 1, m, 0);
    snprintf(datasets, sizeof datasets, "[%s, %s, %s]",
             fixture_account_dataset("cars196", 0, 0, 0, 36, "manual dataset",
                                     "see datasets/cars196.manifest: put car_ims.tgz into $DSML_DATA/"),
             fixture_account_dataset("cifar10", 2, 1, 1, 0, "a run failed: out of memory", ""),
             fixture_account_dataset("nus-wide", 0, 0, 0, 12, "no archive (FETCH=no)", "dsml fetch nus-wide"));
    fixture_account(results, datasets, "[{\"name\": \"alexnet-imagenet\", \"runs\": 72, \"status\": \"missing\", "
                                       "\"reason\": \"FETCH=no\", \"get\": \"dsml fetch alexnet-imagenet\"}]");
    snprintf(args, sizeof args, "tables --results %s --out %s/out --published " PUBLISHED, results, dir);
    cmd_result r;
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);

    /* a dataset skipped: the reason and the command, escaped for LaTeX */
    expect_in("out/table1.md", "Ours: not run on this dataset (every cell says \"not run\"): skipped by `make "
                               "reproduce`: manual dataset; see datasets/cars196.manifest: put car_ims.tgz "
                               "into $DSML_DATA/. In parentheses: the paper's value.");
    expect_in("out/table1.tex", "(every cell says \"not run\"): skipped by \\texttt{make reproduce}: manual dataset; "
                                "see datasets/cars196.manifest: put car\\_ims.tgz into "
                                "\\$DSML\\_DATA/. In parentheses");
    /* a dataset the account does not name: as without an account */
    expect_in("out/table2.md", "(every cell says \"not run\"). In ");
    /* a dataset with runs that did not all finish: how many did */
    expect_in("out/table3.md", "a cell without ± comes from one seed); `make reproduce` finished 2 of the 4 runs it "
                               "selected on this dataset (1 failed, 1 not started: a run failed: out of memory). In "
                               "parentheses");
    expect_in("out/table3.tex", "comes from one seed); \\texttt{make reproduce} finished 2 of the 4 runs it selected "
                                "on this dataset (1 failed, 1 not started: a run failed: out of memory). In");
    expect_in("out/table4.md", "NUS-WIDE: skipped by `make reproduce`: no archive (FETCH=no); get it: `dsml fetch "
                               "nus-wide`. dsml does not implement");
    expect_in("out/table4.tex", "NUS-WIDE: skipped by \\texttt{make reproduce}: no archive (FETCH=no); get it: "
                                "\\texttt{dsml fetch nus-wide}. dsml does not implement");
    expect_in("out/methods.md", "\nOurs: not run on this dataset: skipped by `make reproduce`: manual dataset;");
    /* claims.md's summary: one paragraph */
    snprintf(expected, sizeof expected,
             "\nNot run by `make reproduce` (%s/account.json, sweep `paper.sweep`): `cars196`, 36 runs skipped: manual "
             "dataset; see datasets/cars196.manifest: put car_ims.tgz into $DSML_DATA/; `nus-wide`, 12 runs "
             "skipped: no archive (FETCH=no); get it: `dsml fetch nus-wide`; `cifar10`, 2 of 4 runs finished (1 "
             "failed, 1 not started: a run failed: out of memory); weights `alexnet-imagenet` missing, 72 runs use "
             "them: FETCH=no; get it: `dsml fetch alexnet-imagenet`.\n\n## Data\n", results);
    const char *claims = read_text(testdir_path("out/claims.md"));
    ck_assert_msg(strstr(claims, expected), "%.3000s", claims);

    /* every run finished: the same bytes as without an account */
    snprintf(datasets, sizeof datasets, "[%s]", fixture_account_dataset("cifar10", 2, 0, 0, 0, "", ""));
    fixture_account(results, datasets, "[]");
    snprintf(args, sizeof args, "tables --results %s --out %s/complete --published " PUBLISHED, results, dir);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_int_eq(remove(testdir_path("results/account.json")), 0);
    snprintf(args, sizeof args, "tables --results %s --out %s/none --published " PUBLISHED, results, dir);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    expect_in("none/table1.md", "(every cell says \"not run\"). In ");
    ck_assert_msg(!strstr(read_text(testdir_path("none/claims.md")), "make reproduce"), "no account, no paragraph");
    snprintf(args, sizeof args, "diff -r %s/none %s/complete", dir, dir);
    run_shell(&r, args);
    ck_assert_msg(r.status == 0, "an account where every run finished changed the output:\n%.2000s", r.out);

    /* a broken account: exit 1, the file and the key named, nothing written */
    fixture_account(results, "[{\"name\": \"cifar10\", \"runs\": 2, \"finished\": \"2\", \"failed\": 0, "
                             "\"not_started\": 0, \"skipped\": 0, \"status\": \"complete\", \"reason\": \"\", "
                             "\"get\": \"\"}]", "[]");
    snprintf(args, sizeof args, "tables --results %s --out %s/bad --published " PUBLISHED, results, dir);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    snprintf(expected, sizeof expected, "%s/account.json: datasets[0].finished is the string \"2\", expected an "
             "integer in 0..2147483647", results);
    ck_assert_msg(strstr(r.err, expected), "%s", r.err);
    struct stat st;
    ck_assert_int_ne(stat(testdir_path("bad"), &st), 0);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"published", 30, (const TTest *[]){test_published_counts_and_spot_checks,
                                            test_published_parser_accepts_and_rejects, NULL}},
        {"paper", 30, (const TTest *[]){test_paper_rows_and_labels, test_paper_hashing_and_metrics, NULL}},
        {"stats", 30, (const TTest *[]){test_stats_hand_cases, test_verdict_rule, NULL}},
        {"command", 60, (const TTest *[]){test_command_end_to_end, NULL}},
        {"values", 120, (const TTest *[]){test_command_refuses_bad_values, NULL}},
        {"account", 60, (const TTest *[]){test_command_account, NULL}},
    };
    return suite_run_cases("tables", cases, SUITE_CASES(cases));
}
