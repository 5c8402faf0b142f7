/* Tests of the results module (src/results/): the metrics.json writer read
 * back by the typed reader, the order of its blocks, the hashing protocol's
 * file; the reader on minimal, truncated, garbled and incomplete files with
 * the exact messages, and its lookups by key; embeddings.bin written and
 * read back, and every header field and count checked against broken files;
 * the scan of a results directory: layout, order, unfinished runs, foreign
 * folders. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json.h"
#include "results/embeddings.h"
#include "results/metrics_write.h"
#include "results/run_metrics.h"
#include "results/scan.h"
#include "support/run_cmd.h"
#include "support/run_fixture.h"
#include "support/suite_run.h"
#include "support/testdir.h"

/* The last error is "<file>: <message>" (or begins so, when `prefix`). */
static void assert_error(const char *file, const char *message, int prefix, size_t case_no)
{
    char want[4400];
    snprintf(want, sizeof want, "%s: %s", file, message);
    const char *got = dsml_last_error();
    ck_assert_msg(prefix ? !strncmp(got, want, strlen(want)) : !strcmp(got, want), "case %zu: %s", case_no, got);
}

/* ---- the writer ------------------------------------------------------------------ */

/* The options of the test's "run", written by the writer's callback. */
typedef struct {
    const char *dataset, *loss, *distance;
    int dim, seed, epochs, map_at, f1_at;
    double density;
} test_config;

static void write_test_config(dsml_json *j, const void *config)
{
    const test_config *c = config;
    dsml_json_object_begin(j);
    dsml_json_kv_string(j, "dataset", c->dataset);
    dsml_json_kv_string(j, "protocol", "dml");
    dsml_json_kv_string(j, "model", "mlp");
    dsml_json_kv_int(j, "dim", c->dim);
    dsml_json_key(j, "hidden");
    dsml_json_array_begin(j);
    dsml_json_int(j, 64);
    dsml_json_int(j, 32);
    dsml_json_array_end(j);
    dsml_json_kv_string(j, "loss", c->loss);
    dsml_json_kv_string(j, "distance", c->distance);
    dsml_json_kv_double(j, "density", c->density);
    dsml_json_kv_int(j, "epochs", c->epochs);
    dsml_json_kv_int(j, "seed", c->seed);
    dsml_json_kv_int(j, "map_at", c->map_at);
    dsml_json_kv_int(j, "f1_at", c->f1_at);
    dsml_json_object_end(j);
}

static const test_config toy_config = {"toy", "triplet", "snr", 8, 3, 2, 0, 5, 0.5};

/* A finished run of 20 queries against 40 database items; every metric a
 * distinct value. Owned by the caller (free). */
static dsml_finished_run *toy_run(void)
{
    dsml_finished_run *run = calloc(1, sizeof *run);
    ck_assert_ptr_nonnull(run);
    run->write_config = write_test_config;
    run->config = &toy_config;
    run->dataset = "toy";
    run->images = 60, run->classes = 3, run->channels = 1, run->height = 2, run->width = 4;
    run->source_sha256 = "ab", run->content_sha256 = "cd";
    run->protocol = "dml", run->split_kind = "dml";
    run->queries_per_class = 5, run->train_per_class = 10, run->validation_per_class = 2;
    run->n_query = 20, run->n_database = 40, run->n_train = 30, run->n_validation = 6;
    run->split_hash = "ef";
    run->eval_on_validation = 1;
    run->n_eval_queries = 6, run->n_eval_database = 30;
    snprintf(run->model_description, sizeof run->model_description, "mlp 1x2x4 -> 8");
    run->epochs_done = 2;
    run->epoch_loss[0] = 1.25, run->epoch_loss[1] = NAN, run->epoch_seconds[0] = 0.5, run->epoch_seconds[1] = 0.25;
    run->images_trained = 120;
    run->train_images_per_second = 240;
    run->map_at = toy_config.map_at, run->f1_at = toy_config.f1_at;
    for (int b = 0; b < 2; b++) {
        dsml_retrieval_result *r = b ? &run->hamming : &run->euclidean;
        for (int i = 0; i < 6; i++) r->recall[i] = 0.5 + 0.01 * i + 0.1 * b;
        double up = 0.5 * b; /* every rate stays in [0, 1], which the reader checks */
        r->map = 0.31 + up, r->map_at_t = 0.32 + up, r->f1_at_t = 0.33 + up, r->map_at_r = 0.34 + up;
        r->r_precision = 0.35 + up, r->precision_at_t = 0.36 + up, r->recall_at_t = 0.37 + up;
        r->queries = 6;
    }
    run->hamming.curve_points = 3;
    run->hamming.hamming_radius = 2;
    run->nmi = 0.61, run->pairwise_f1 = 0.62, run->have_vmf = 1, run->vmf_accuracy = 0.63;
    run->load_s = 1, run->train_s = 2, run->embed_s = 3, run->eval_s = 4, run->total_s = 10;
    return run;
}

START_TEST(test_writer_round_trip)
{
    ck_assert_ptr_nonnull(testdir_make("results-writer"));
    dsml_finished_run *run = toy_run();
    const char *path = testdir_path("metrics.json");
    ck_assert_msg(dsml_metrics_write(run, path) == DSML_OK, "%s", dsml_last_error());
    dsml_run_metrics m;
    ck_assert_msg(dsml_run_metrics_read(&m, path) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(dsml_run_metrics_check(&m), DSML_OK);
    ck_assert_str_eq(m.path, path);
    ck_assert_str_eq(m.dataset, "toy");
    ck_assert_str_eq(m.protocol, "dml");
    ck_assert_str_eq(m.model, "mlp");
    ck_assert_str_eq(m.loss, "triplet");
    ck_assert_str_eq(m.distance, "snr");
    ck_assert_ptr_null(m.split);
    ck_assert_ptr_null(m.gpw_mining);
    ck_assert_int_eq(m.dim, 8);
    ck_assert_int_eq(m.seed, 3);
    ck_assert_int_eq(m.epochs, 2);
    ck_assert_int_eq(m.map_at, 0);
    ck_assert_int_eq(m.f1_at, 5);
    ck_assert_double_eq(m.density, 0.5);
    ck_assert_int_eq(m.train, 30);
    ck_assert_int_eq(m.eval_queries, 6);
    ck_assert_int_eq(m.eval_database, 30);
    ck_assert_int_eq(m.evaluated_on_validation, 1);
    for (int b = 0; b < 2; b++) {
        const dsml_ranking_metrics *r = b ? &m.hamming : &m.euclidean;
        ck_assert_int_eq(r->present, 1);
        for (int i = 0; i < DSML_METRICS_RECALL_K; i++) ck_assert_double_eq(r->recall[i], 0.5 + 0.01 * i + 0.1 * b);
        ck_assert_double_eq(r->map, 0.31 + 0.5 * b);
        ck_assert_double_eq(r->map_at_t, 0.32 + 0.5 * b);
        ck_assert_double_eq(r->f1_at_t, 0.33 + 0.5 * b);
        ck_assert_double_eq(r->map_at_r, 0.34 + 0.5 * b);
        ck_assert_double_eq(r->r_precision, 0.35 + 0.5 * b);
    }
    ck_assert_double_eq(m.nmi, 0.61);
    ck_assert_double_eq(m.cluster_f1, 0.62);
    ck_assert_double_eq(m.vmf_accuracy, 0.63);
    ck_assert_int_eq(m.n_loss, 2);
    ck_assert_double_eq(m.loss_per_epoch[0], 1.25);
    ck_assert(isnan(m.loss_per_epoch[1])); /* a NaN loss is written as null */
    ck_assert_double_eq(m.wall_total, 10);

    /* the keys that depend on T: map@<T> with T the database (map_at 0), f1@<f1_at> */
    dsml_metrics_value v = dsml_run_metrics_get(&m, "metrics.euclidean.map@30");
    ck_assert_int_eq(v.kind, DSML_METRICS_NUMBER);
    ck_assert_double_eq(v.number, 0.32);
    ck_assert_double_eq(dsml_run_metrics_get(&m, "metrics.euclidean.map_t").number, 30);
    ck_assert_double_eq(dsml_run_metrics_get(&m, "metrics.hamming.f1@5").number, 0.33 + 0.5);
    ck_assert_double_eq(dsml_run_metrics_get(&m, "metrics.hamming.precision@5").number, 0.36 + 0.5);
    ck_assert_double_eq(dsml_run_metrics_get(&m, "metrics.hamming.radius").number, 2);
    ck_assert_int_eq(dsml_run_metrics_get(&m, "metrics.hamming.pr_curve_recall").count, 3);
    ck_assert_str_eq(dsml_run_metrics_get(&m, "data.split.kind").string, "dml");
    ck_assert_double_eq(dsml_run_metrics_list_number(&m, "data.shape", 2), 4);
    ck_assert_double_eq(dsml_run_metrics_list_number(&m, "config.hidden", 1), 32);
    ck_assert_str_eq(dsml_run_metrics_get(&m, "program.name").string, "dsml");
    dsml_run_metrics_free(&m);
    free(run);
    testdir_done(1);
}
END_TEST

/* The blocks come in the documented order, and the config object is the
 * callback's, under "config". */
START_TEST(test_writer_layout)
{
    ck_assert_ptr_nonnull(testdir_make("results-layout"));
    dsml_finished_run *run = toy_run();
    const char *path = testdir_path("metrics.json");
    ck_assert_int_eq(dsml_metrics_write(run, path), DSML_OK);
    const char *text = read_text(path);
    static const char *const order[] = {
        "{\n  \"format_version\": 1,\n  \"program\": {\n    \"name\": \"dsml\",", "\n  \"config\": {\n    \"dataset\": \"toy\",",
        "\n  \"data\": {\n    \"name\": \"toy\",",   "\"shape\": [\n      1,\n      2,\n      4\n    ],",
        "\n    \"split\": {\n      \"protocol\": \"dml\",\n      \"kind\": \"dml\",",
        "\"evaluated_on_validation\": true,\n      \"eval_queries\": 6,\n      \"eval_database\": 30\n    }\n  },",
        "\n  \"model\": \"mlp 1x2x4 -> 8\",",        "\n  \"metrics\": {\n    \"euclidean\": {",
        "\n    \"hamming\": {",                         "\n    \"clustering\": {\n      \"nmi\": 0.60999999999999999,",
        "\n    \"vmf\": {\n      \"accuracy\": 0.63,", "\n  \"training\": {\n    \"epochs\": 2,",
        "\"loss_per_epoch\": [\n      1.25,\n      null\n    ],",
        "\n  \"wall_seconds\": {\n    \"load\": 1,",   "\"total\": 10\n  }\n}\n",
    };
    const char *at = text;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *found = strstr(at, order[i]);
        ck_assert_msg(found, "missing, or out of order: %s\n%s", order[i], text);
        at = found;
    }
    ck_assert_ptr_null(strstr(text, "multi_label"));
    /* the hashing protocol: no Euclidean block; label sets recorded */
    run->euclidean_skipped = 1;
    run->multi_label_eval = 1;
    ck_assert_int_eq(dsml_metrics_write(run, path), DSML_OK);
    text = read_text(path);
    ck_assert_ptr_null(strstr(text, "\"euclidean\""));
    ck_assert_ptr_nonnull(strstr(text, "\"multi_label_evaluation\": true,\n    \"multi_label_training\": false,"));
    dsml_run_metrics m;
    ck_assert_int_eq(dsml_run_metrics_read(&m, path), DSML_OK);
    ck_assert_int_eq(m.euclidean.present, 0);
    ck_assert(isnan(m.euclidean.recall[0]) && isnan(m.euclidean.map_at_t));
    ck_assert_int_eq(m.hamming.present, 1);
    dsml_run_metrics_free(&m);
    /* a folder that is not there: the path named */
    ck_assert_int_eq(dsml_metrics_write(run, testdir_path("none/metrics.json")), DSML_ERR_IO);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "none/metrics.json"));
    free(run);
    testdir_done(1);
}
END_TEST

/* ---- the reader ------------------------------------------------------------------ */

START_TEST(test_reader_minimal_and_old_files)
{
    ck_assert_ptr_nonnull(testdir_make("results-reader"));
    const char *path = testdir_path("metrics.json");
    testdir_write_text(path, "{}");
    dsml_run_metrics m;
    ck_assert_int_eq(dsml_run_metrics_read(&m, path), DSML_OK);
    ck_assert(!m.dataset && !m.protocol && !m.split && !m.model && !m.loss && !m.distance);
    ck_assert_int_eq(m.dim, 0);
    ck_assert_int_eq(m.epochs, 0);
    ck_assert_int_eq(m.eval_queries, 0);
    ck_assert_int_eq(m.evaluated_on_validation, 0);
    ck_assert_int_eq(m.euclidean.present, 0);
    ck_assert(isnan(m.nmi) && isnan(m.cluster_f1) && isnan(m.vmf_accuracy) && isnan(m.hamming.map));
    ck_assert_int_eq(m.n_loss, -1);
    ck_assert(isnan(m.wall_total));
    ck_assert_int_eq(dsml_run_metrics_check(&m), DSML_ERR_FORMAT);
    assert_error(path, "config.dataset: expected a string, found none", 0, 0);
    dsml_run_metrics_free(&m);

    /* older files: the split's sizes stand for the evaluation's; "true" only
     * as a boolean; a block without some of its metrics reads them as NaN */
    fixture_doc d;
    fixture_run(&d, "toy", "contrastive", "euclidean", 16, 0);
    fixture_int(&d, "data.split.query", 100);
    fixture_int(&d, "data.split.database", 900);
    fixture_int(&d, "data.split.evaluated_on_validation", 1);
    fixture_num(&d, "metrics.euclidean.map@t", 0.5);
    fixture_raw(&d, "training.loss_per_epoch", "[]");
    fixture_write(&d, path);
    ck_assert_int_eq(dsml_run_metrics_read(&m, path), DSML_OK);
    ck_assert_int_eq(dsml_run_metrics_check(&m), DSML_OK);
    ck_assert_int_eq(m.seed, 0);
    ck_assert_int_eq(m.eval_queries, 100);
    ck_assert_int_eq(m.eval_database, 900);
    ck_assert_int_eq(m.evaluated_on_validation, 0);
    ck_assert_int_eq(m.euclidean.present, 1);
    ck_assert(isnan(m.euclidean.map));
    ck_assert_int_eq(m.n_loss, 0);
    dsml_run_metrics_free(&m);
    testdir_done(1);
}
END_TEST

/* Each key of a run's identity, missing or wrong, with the message. */
START_TEST(test_reader_check_messages)
{
    ck_assert_ptr_nonnull(testdir_make("results-check"));
    const char *path = testdir_path("metrics.json");
    static const struct { const char *key, *json, *message; } cases[] = {
        {"config.loss", "7", "config.loss: expected a string, found 7"},
        {"config.distance", "null", "config.distance: expected a string, found null"},
        {"config.dataset", "[\"toy\"]", "config.dataset: expected a string, found a list"},
        {"config.dim", "\"16\"", "config.dim: expected an integer 1..65536, found \"16\""},
        {"config.dim", "0", "config.dim: expected an integer 1..65536, found 0"},
        {"config.dim", "1.5", "config.dim: expected an integer 1..65536, found 1.5"},
        {"config.dim", "65537", "config.dim: expected an integer 1..65536, found 65537"},
        {"config.seed", "-1", "config.seed: expected an integer 0..2147483647, found -1"},
        {"config.seed", "3000000000", "config.seed: expected an integer 0..2147483647, found 3000000000"},
        {"config.seed", "true", "config.seed: expected an integer 0..2147483647, found true"},
        {"config.seed", "{}", "config.seed: expected an integer 0..2147483647, found an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture_doc d;
        fixture_run(&d, "toy", "triplet", "snr", 16, 1);
        for (int k = 0; k < d.n; k++)
            if (!strcmp(d.key[k], cases[i].key)) snprintf(d.value[k], sizeof d.value[k], "%s", cases[i].json);
        fixture_write(&d, path);
        dsml_run_metrics m;
        ck_assert_int_eq(dsml_run_metrics_read(&m, path), DSML_OK);
        ck_assert_int_eq(dsml_run_metrics_check(&m), DSML_ERR_FORMAT);
        assert_error(path, cases[i].message, 0, i);
        dsml_run_metrics_free(&m);
    }
    testdir_done(1);
}
END_TEST

/* A value of the wrong type or out of range at a key the reader knows fails
 * the read, naming the file, the key, what it holds and what was expected;
 * null (the writer's NaN) reads as NaN; keys the reader does not know are
 * left alone. */
START_TEST(test_reader_refuses_bad_values)
{
    ck_assert_ptr_nonnull(testdir_make("results-values"));
    const char *path = testdir_path("metrics.json");
    static const struct { const char *key, *json, *message; } cases[] = {
        {"metrics.euclidean.recall@1", "\"NaN\"",
         "metrics.euclidean.recall@1 is the string \"NaN\", expected a number in [0, 1]"},
        {"metrics.euclidean.recall@1", "7.5", "metrics.euclidean.recall@1 is 7.5, expected a number in [0, 1]"},
        {"metrics.euclidean.map@r", "-3", "metrics.euclidean.map@r is -3, expected a number in [0, 1]"},
        {"metrics.hamming.map@50000", "1.0001", "metrics.hamming.map@50000 is 1.0001, expected a number in [0, 1]"},
        {"metrics.hamming.f1@t", "false", "metrics.hamming.f1@t is false, expected a number in [0, 1]"},
        {"metrics.clustering.nmi", "true", "metrics.clustering.nmi is true, expected a number in [0, 1]"},
        {"metrics.clustering.f1", "{}", "metrics.clustering.f1 is an object, expected a number in [0, 1]"},
        {"metrics.vmf.accuracy", "[0.5]", "metrics.vmf.accuracy is a list, expected a number in [0, 1]"},
        {"metrics.euclidean.queries", "-1", "metrics.euclidean.queries is -1, expected an integer in 0..2147483647"},
        {"metrics.euclidean.queries", "2.5", "metrics.euclidean.queries is 2.5, expected an integer in 0..2147483647"},
        {"metrics.hamming.queries_empty_radius", "null",
         "metrics.hamming.queries_empty_radius is null, expected an integer in 0..2147483647"},
        {"metrics.hamming.pr_curve_precision", "[0.5, 2]",
         "metrics.hamming.pr_curve_precision[1] is 2, expected a number in [0, 1]"},
        {"metrics.hamming.pr_curve_recall", "0.5",
         "metrics.hamming.pr_curve_recall is 0.5, expected a list of values, each a number in [0, 1]"},
        {"training.loss_per_epoch", "[1, \"x\"]",
         "training.loss_per_epoch[1] is the string \"x\", expected a finite number"},
        {"training.seconds_per_epoch", "[-1]", "training.seconds_per_epoch[0] is -1, expected a non-negative number"},
        {"training.images_per_second", "\"fast\"",
         "training.images_per_second is the string \"fast\", expected a non-negative number"},
        {"wall_seconds.total", "-0.5", "wall_seconds.total is -0.5, expected a non-negative number"},
        {"config.epochs", "-1", "config.epochs is -1, expected an integer in 0..2147483647"},
        {"data.split.eval_queries", "1e12", "data.split.eval_queries is 1000000000000, expected an integer in "
                                             "0..2147483647"},
        {"metrics", "[]", "metrics is a list, expected an object"},
        {"metrics.euclidean", "\"x\"", "metrics.euclidean is the string \"x\", expected an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture_doc d;
        fixture_run(&d, "toy", "triplet", "snr", 16, 1);
        fixture_num(&d, "metrics.euclidean.map", 0.5);
        fixture_raw(&d, cases[i].key, cases[i].json);
        fixture_write(&d, path);
        dsml_run_metrics m;
        ck_assert_msg(dsml_run_metrics_read(&m, path) == DSML_ERR_FORMAT, "case %zu read", i);
        assert_error(path, cases[i].message, 0, i);
        ck_assert_ptr_null(m.path);
    }
    /* the edges of each range, null, and keys the reader does not know */
    fixture_doc d;
    fixture_run(&d, "toy", "triplet", "snr", 16, 1);
    fixture_num(&d, "metrics.euclidean.recall@1", 0);
    fixture_num(&d, "metrics.euclidean.recall@2", 1);
    fixture_raw(&d, "metrics.euclidean.map", "null");
    fixture_str(&d, "metrics.euclidean.note", "free text");
    fixture_raw(&d, "training.loss_per_epoch", "[-2.5, null]");
    fixture_int(&d, "metrics.euclidean.queries", 0);
    fixture_write(&d, path);
    dsml_run_metrics m;
    ck_assert_msg(dsml_run_metrics_read(&m, path) == DSML_OK, "%s", dsml_last_error());
    ck_assert_double_eq(m.euclidean.recall[1], 1);
    ck_assert(isnan(m.euclidean.map));
    ck_assert_double_eq(m.loss_per_epoch[0], -2.5);
    /* a value a command needs: missing, or null where it must be a number */
    ck_assert_int_eq(dsml_run_metrics_require(&m, "metrics.euclidean.recall@1", 0), DSML_OK);
    ck_assert_int_eq(dsml_run_metrics_require(&m, "metrics.euclidean.map@t", 1), DSML_ERR_FORMAT);
    assert_error(path, "metrics.euclidean.map@t is missing, expected a number in [0, 1]", 0, 0);
    ck_assert_int_eq(dsml_run_metrics_require(&m, "metrics.euclidean.map", 1), DSML_OK);
    ck_assert_int_eq(dsml_run_metrics_require(&m, "metrics.euclidean.map", 0), DSML_ERR_FORMAT);
    assert_error(path, "metrics.euclidean.map is null, expected a number in [0, 1]", 0, 0);
    ck_assert_int_eq(dsml_run_metrics_require(&m, "config.margin", 0), DSML_ERR_FORMAT);
    assert_error(path, "config.margin is missing, expected a value", 0, 0);
    ck_assert_str_eq(dsml_run_metrics_expected("metrics.hamming.map@59000"), "a number in [0, 1]");
    ck_assert_str_eq(dsml_run_metrics_expected("wall_seconds.total"), "a non-negative number");
    ck_assert_ptr_null(dsml_run_metrics_expected("metrics.euclidean.note"));
    dsml_run_metrics_free(&m);
    testdir_done(1);
}
END_TEST

/* Files that are not a metrics.json: each fails, naming the file and where. */
START_TEST(test_reader_broken_files)
{
    ck_assert_ptr_nonnull(testdir_make("results-broken"));
    const char *path = testdir_path("metrics.json");
    static const struct { const char *text, *message; int code; } cases[] = {
        {"{\"config\": {\"dim\": 1", "byte 20: expected ',' or '}'", DSML_ERR_FORMAT},
        {"{\"config\": ", "byte 11: unexpected end of document", DSML_ERR_FORMAT},
        {"{\"config\": x}", "byte 11: expected a value", DSML_ERR_FORMAT},
        {"{\"a\": 1} {", "byte 9: trailing characters after the document", DSML_ERR_FORMAT},
        {"", "byte 0: unexpected end of document", DSML_ERR_FORMAT},
        {"[1, 2]", "expected a JSON object", DSML_ERR_FORMAT},
        {"\"metrics\"", "expected a JSON object", DSML_ERR_FORMAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        testdir_write_text(path, cases[i].text);
        dsml_run_metrics m;
        ck_assert_int_eq(dsml_run_metrics_read(&m, path), cases[i].code);
        assert_error(path, cases[i].message, 0, i);
        ck_assert_ptr_null(m.path);
        ck_assert_ptr_null(m.doc.arena);
    }
    dsml_run_metrics m;
    ck_assert_int_eq(dsml_run_metrics_read(&m, testdir_path("absent.json")), DSML_ERR_IO);
    assert_error(testdir_path("absent.json"), "cannot open: No such file or directory", 0, 0);
    testdir_done(1);
}
END_TEST

START_TEST(test_reader_lookup_by_key)
{
    ck_assert_ptr_nonnull(testdir_make("results-lookup"));
    const char *path = testdir_path("metrics.json");
    fixture_doc d;
    fixture_init(&d);
    fixture_raw(&d, "a.null", "null");
    fixture_bool(&d, "a.yes", 1);
    fixture_num(&d, "a.x", 2.5);
    fixture_str(&d, "a.s", "text");
    fixture_raw(&d, "a.list", "[1, \"two\", 3]");
    fixture_write(&d, path);
    dsml_run_metrics m;
    ck_assert_int_eq(dsml_run_metrics_read(&m, path), DSML_OK);
    static const struct { const char *key; dsml_metrics_kind kind; double number; int count; } cases[] = {
        {"a.missing", DSML_METRICS_ABSENT, 0, 0}, {"b.x", DSML_METRICS_ABSENT, 0, 0},
        {"a.x.y", DSML_METRICS_ABSENT, 0, 0},     {"a.null", DSML_METRICS_NULL, 0, 0},
        {"a.yes", DSML_METRICS_BOOL, 1, 0},       {"a.x", DSML_METRICS_NUMBER, 2.5, 0},
        {"a.s", DSML_METRICS_STRING, 0, 0},       {"a.list", DSML_METRICS_LIST, 0, 3},
        {"a", DSML_METRICS_OBJECT, 0, 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dsml_metrics_value v = dsml_run_metrics_get(&m, cases[i].key);
        ck_assert_msg(v.kind == cases[i].kind, "%s: kind %d", cases[i].key, (int)v.kind);
        ck_assert_double_eq(v.number, cases[i].number);
        ck_assert_int_eq(v.count, cases[i].count);
        ck_assert(cases[i].kind == DSML_METRICS_STRING ? v.string && !strcmp(v.string, "text") : !v.string);
    }
    ck_assert_double_eq(dsml_run_metrics_list_number(&m, "a.list", 0), 1);
    ck_assert(isnan(dsml_run_metrics_list_number(&m, "a.list", 1))); /* a string */
    ck_assert_double_eq(dsml_run_metrics_list_number(&m, "a.list", 2), 3);
    ck_assert(isnan(dsml_run_metrics_list_number(&m, "a.list", 3)));
    ck_assert(isnan(dsml_run_metrics_list_number(&m, "a.list", -1)));
    ck_assert(isnan(dsml_run_metrics_list_number(&m, "a.x", 0)));
    dsml_run_metrics_free(&m);
    testdir_done(1);
}
END_TEST

/* ---- embeddings.bin -------------------------------------------------------------- */

START_TEST(test_embeddings_round_trip)
{
    ck_assert_ptr_nonnull(testdir_make("results-emb"));
    enum { D = 3, NQ = 4, NDB = 5 };
    float q[NQ * D], db[NDB * D];
    int ql[NQ] = {0, 2, 1, 7}, qi[NQ] = {10, 11, 12, 13}, dl[NDB] = {1, 1, 0, 2, 7}, di[NDB] = {0, 1, 2, 3, 99};
    for (int i = 0; i < NQ * D; i++) q[i] = 0.25f * (float)i - 1;
    for (int i = 0; i < NDB * D; i++) db[i] = -0.5f * (float)i;
    const char *path = testdir_path("embeddings.bin");
    ck_assert_int_eq(dsml_embeddings_write(path, D, q, ql, qi, NQ, db, dl, di, NDB), DSML_OK);
    dsml_embeddings e;
    ck_assert_msg(dsml_embeddings_read(path, DSML_EMBEDDINGS_ALL, &e) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(e.d, D);
    ck_assert_int_eq(e.nq, NQ);
    ck_assert_int_eq(e.ndb, NDB);
    ck_assert_int_eq(memcmp(e.query_labels, ql, sizeof ql), 0);
    ck_assert_int_eq(memcmp(e.query_index, qi, sizeof qi), 0);
    ck_assert_int_eq(memcmp(e.database_labels, dl, sizeof dl), 0);
    ck_assert_int_eq(memcmp(e.database_index, di, sizeof di), 0);
    ck_assert_int_eq(memcmp(e.queries, q, sizeof q), 0);
    ck_assert_int_eq(memcmp(e.database, db, sizeof db), 0);
    dsml_embeddings_free(&e);
    ck_assert_ptr_null(e.queries);
    /* the queries part only */
    ck_assert_int_eq(dsml_embeddings_read(path, DSML_EMBEDDINGS_QUERIES, &e), DSML_OK);
    ck_assert_int_eq(e.ndb, NDB);
    ck_assert_int_eq(memcmp(e.queries, q, sizeof q), 0);
    ck_assert(!e.database && !e.database_labels && !e.database_index);
    dsml_embeddings_free(&e);
    /* the size of the documented layout */
    ck_assert_int_eq(access(path, R_OK), 0);
    FILE *fp = fopen(path, "rb");
    fseek(fp, 0, SEEK_END);
    ck_assert_int_eq(ftell(fp), 24 + 8 * (NQ + NDB) + 4 * D * (NQ + NDB));
    fclose(fp);
    /* a folder that is not there */
    ck_assert_int_eq(dsml_embeddings_write(testdir_path("none/e.bin"), D, q, ql, qi, NQ, db, dl, di, NDB), DSML_ERR_IO);
    testdir_done(1);
}
END_TEST

START_TEST(test_embeddings_read_queries_and_broken_files)
{
    ck_assert_ptr_nonnull(testdir_make("results-emb-broken"));
    int labels[3] = {2, 0, 1};
    float q[3 * 2] = {0.5f, -1, 2, 3, 4.25f, 5};
    const char *good = testdir_path("good.bin");
    fixture_embeddings(good, 2, 3, 4, labels, q, "DSMLEMB1", 1);
    dsml_embeddings e;
    ck_assert_int_eq(dsml_embeddings_read(good, DSML_EMBEDDINGS_QUERIES, &e), DSML_OK);
    ck_assert_int_eq(e.d, 2);
    ck_assert_int_eq(e.nq, 3);
    ck_assert_int_eq(e.ndb, 4);
    for (int i = 0; i < 3; i++) ck_assert_int_eq(e.query_labels[i], labels[i]);
    for (int i = 0; i < 3; i++) ck_assert_int_eq(e.query_index[i], 1000 + i);
    for (int i = 0; i < 6; i++) ck_assert_float_eq(e.queries[i], q[i]);
    dsml_embeddings_free(&e);
    ck_assert_int_eq(dsml_embeddings_read(good, DSML_EMBEDDINGS_ALL, &e), DSML_OK);
    for (int i = 0; i < 4; i++) ck_assert_int_eq(e.database_labels[i], i % 3);
    for (int i = 0; i < 8; i++) ck_assert_float_eq(e.database[i], -1.0f);
    dsml_embeddings_free(&e);

    /* every header field and count; the message names the file */
    static const int negative[3] = {2, -2, 1};
    static const struct { const char *magic; uint32_t version; int d, nq, ndb; const int *labels; long cut;
                          const char *message; } cases[] = {
        {"DSMLEMB2", 1, 2, 3, 4, NULL, 0, "offset 0: magic is not DSMLEMB1 (not an embeddings.bin)"},
        {"DSMLEMB1", 2, 2, 3, 4, NULL, 0, "offset 8: version 2, expected 1"},
        {"DSMLEMB1", 1, 0, 3, 4, NULL, 0, "offset 12: d 0, expected 1..65536"},
        {"DSMLEMB1", 1, 70000, 0, 0, NULL, 0, "offset 12: d 70000, expected 1..65536"},
        {"DSMLEMB1", 1, 2, 1 << 28, 0, NULL, 24, "offset 16: nq 268435456, expected < 2^28"},
        {"DSMLEMB1", 1, 2, 3, 1 << 28, NULL, 24, "offset 20: ndb 268435456, expected < 2^28"},
        /* truncated by one byte: 24 + 8 * 7 + 4 * 2 * 7 = 136 bytes expected */
        {"DSMLEMB1", 1, 2, 3, 4, NULL, 135, "135 bytes, expected 136 for d 2, 3 queries and 4 database items"},
        {"DSMLEMB1", 1, 2, 3, 4, NULL, 10, "10 bytes, expected a 24-byte header"},
        {"DSMLEMB1", 1, 2, 3, 4, negative, 0, "query 1: label -2, expected >= 0"},
    };
    const char *bad = testdir_path("bad.bin");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int nq = cases[i].cut == 24 ? 0 : cases[i].nq, ndb = cases[i].cut == 24 ? 0 : cases[i].ndb;
        fixture_embeddings(bad, cases[i].d, nq, ndb, cases[i].labels ? cases[i].labels : labels, q, cases[i].magic,
                           cases[i].version);
        if (cases[i].cut == 24) { /* only the header, claiming the counts */
            FILE *fp = fopen(bad, "r+b");
            uint32_t counts[2] = {(uint32_t)cases[i].nq, (uint32_t)cases[i].ndb};
            fseek(fp, 16, SEEK_SET);
            fwrite(counts, 4, 2, fp);
            fclose(fp);
        } else if (cases[i].cut) {
            ck_assert_int_eq(truncate(bad, cases[i].cut), 0);
        }
        ck_assert_int_eq(dsml_embeddings_read(bad, DSML_EMBEDDINGS_ALL, &e), DSML_ERR_FORMAT);
        assert_error(bad, cases[i].message, 1, i);
        ck_assert_ptr_null(e.queries);
    }
    /* one byte too many; a database item's index below 0 (read only when the database is) */
    fixture_embeddings(bad, 2, 3, 4, labels, q, "DSMLEMB1", 1);
    FILE *fp = fopen(bad, "ab");
    fputc(0, fp);
    fclose(fp);
    ck_assert_int_eq(dsml_embeddings_read(bad, DSML_EMBEDDINGS_QUERIES, &e), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "bad.bin: 137 bytes, expected 136"));
    fixture_embeddings(bad, 2, 3, 4, labels, q, "DSMLEMB1", 1);
    fp = fopen(bad, "r+b");
    int32_t minus_one = -1;
    fseek(fp, 24 + 8 * 3 + 4 * 4 + 4 * 2, SEEK_SET); /* database index 2 */
    fwrite(&minus_one, 4, 1, fp);
    fclose(fp);
    ck_assert_int_eq(dsml_embeddings_read(bad, DSML_EMBEDDINGS_ALL, &e), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "bad.bin: database item 2: index -1, expected >= 0"));
    ck_assert_int_eq(dsml_embeddings_read(bad, DSML_EMBEDDINGS_QUERIES, &e), DSML_OK);
    dsml_embeddings_free(&e);
    ck_assert_int_eq(dsml_embeddings_read(testdir_path("absent.bin"), DSML_EMBEDDINGS_QUERIES, &e), DSML_ERR_IO);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "absent.bin: cannot open: No such file or directory"));
    testdir_done(1);
}
END_TEST

/* ---- the scan --------------------------------------------------------------------- */

static void finished(const char *rel)
{
    fixture_doc d;
    fixture_init(&d);
    fixture_int(&d, "format_version", 1);
    char path[4400];
    snprintf(path, sizeof path, "%s/metrics.json", testdir_path(rel));
    fixture_write(&d, path);
}

START_TEST(test_scan_layout_order_and_notes)
{
    ck_assert_ptr_nonnull(testdir_make("results-scan"));
    char root[4200];
    snprintf(root, sizeof root, "%s", testdir_path("res"));
    finished("res/fashion-mnist/b-run");
    finished("res/fashion-mnist/a-run");
    ck_assert_int_eq(dsml_mkdirs(testdir_path("res/fashion-mnist/c-killed")), DSML_OK);
    ck_assert_int_eq(dsml_mkdirs(testdir_path("res/fashion-mnist/.hidden")), DSML_OK);
    testdir_write_text(testdir_path("res/fashion-mnist/notes.txt"), "not a run\n");
    finished("res/fashion-mnist-hashing/dpsh-16b-s1");
    finished("res/tune/x-lr0.01");
    finished("res/lone-run");                            /* a run directly under the folder */
    ck_assert_int_eq(dsml_mkdirs(testdir_path("res/empty")), DSML_OK); /* a run that never wrote anything */
    finished("res/baseline/x");                          /* foreign folders */
    finished("res/reference/fashion-mnist/a-run");
    ck_assert_int_eq(dsml_mkdirs(testdir_path("res/slurm")), DSML_OK);
    testdir_write_text(testdir_path("res/summary.csv"), "run\n");

    dsml_results_list list;
    ck_assert_msg(dsml_results_scan(root, &list) == DSML_OK, "%s", dsml_last_error());
    static const struct { const char *dataset, *name; int finished; } want[] = {
        {"", "empty", 0},
        {"fashion-mnist", "a-run", 1},
        {"fashion-mnist", "b-run", 1},
        {"fashion-mnist", "c-killed", 0},
        {"fashion-mnist-hashing", "dpsh-16b-s1", 1},
        {"", "lone-run", 1},
        {"tune", "x-lr0.01", 1},
    };
    ck_assert_int_eq(list.count, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < list.count; i++) {
        const dsml_results_run *r = &list.runs[i];
        ck_assert_str_eq(r->dataset, want[i].dataset);
        ck_assert_str_eq(r->name, want[i].name);
        ck_assert_int_eq(r->finished, want[i].finished);
        char dir[4400], metrics[4500];
        snprintf(dir, sizeof dir, "%s/%s%s%s", root, want[i].dataset, want[i].dataset[0] ? "/" : "", want[i].name);
        snprintf(metrics, sizeof metrics, "%s/metrics.json", dir);
        ck_assert_str_eq(r->dir, dir);
        ck_assert_str_eq(r->metrics, metrics);
    }
    /* the one note of an unfinished run */
    char *text = NULL;
    size_t len = 0;
    FILE *notes = open_memstream(&text, &len);
    dsml_results_note_unfinished(notes, &list.runs[3]);
    dsml_results_note_unfinished(NULL, &list.runs[3]);
    dsml_results_note_outside(notes, &list.runs[5]);
    dsml_results_note_outside(NULL, &list.runs[5]);
    fclose(notes);
    char line[9000];
    snprintf(line, sizeof line, "%s/fashion-mnist/c-killed: no metrics.json (unfinished run), skipped\n"
             "%s/lone-run: not in a dataset folder (<results>/<dataset>/<run>), skipped\n", root, root);
    ck_assert_str_eq(text, line);
    free(text);
    dsml_results_list_free(&list);
    ck_assert_ptr_null(list.runs);
    ck_assert_int_eq(list.count, 0);

    /* a dataset's own folder: its runs are directly under it */
    snprintf(root, sizeof root, "%s", testdir_path("res/fashion-mnist"));
    ck_assert_int_eq(dsml_results_scan(root, &list), DSML_OK);
    ck_assert_int_eq(list.count, 3);
    ck_assert_str_eq(list.runs[0].dataset, "");
    ck_assert_str_eq(list.runs[2].name, "c-killed");
    dsml_results_list_free(&list);
    testdir_done(1);
}
END_TEST

START_TEST(test_scan_missing_and_foreign)
{
    ck_assert_int_eq(dsml_results_foreign("baseline"), 1);
    ck_assert_int_eq(dsml_results_foreign("slurm"), 1);
    ck_assert_int_eq(dsml_results_foreign("reference"), 1);
    ck_assert_int_eq(dsml_results_foreign("tune"), 0);
    ck_assert_int_eq(dsml_results_foreign("cifar10"), 0);
    dsml_results_list list;
    ck_assert_int_eq(dsml_results_scan("/nonexistent/results", &list), DSML_ERR_IO);
    ck_assert_str_eq(dsml_last_error(), "/nonexistent/results: cannot open directory: No such file or directory");
    ck_assert_int_eq(list.count, 0);
    ck_assert_ptr_null(list.runs);
    /* an empty folder: no runs, no error */
    ck_assert_ptr_nonnull(testdir_make("results-empty"));
    ck_assert_int_eq(dsml_results_scan(testdir_path(""), &list), DSML_OK);
    ck_assert_int_eq(list.count, 0);
    dsml_results_list_free(&list);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"writer", 30, (const TTest *[]){test_writer_round_trip, test_writer_layout, NULL}},
        {"reader", 30, (const TTest *[]){test_reader_minimal_and_old_files, test_reader_check_messages,
                                         test_reader_refuses_bad_values, test_reader_broken_files,
                                         test_reader_lookup_by_key, NULL}},
        {"embeddings", 30, (const TTest *[]){test_embeddings_round_trip, test_embeddings_read_queries_and_broken_files,
                                             NULL}},
        {"scan", 30, (const TTest *[]){test_scan_layout_order_and_notes, test_scan_missing_and_foreign, NULL}},
    };
    return suite_run_cases("results", cases, SUITE_CASES(cases));
}
