/* Tests of the hashing protocol's record (src/run/train.h, record.c): the
 * protocol's names, and the metrics.json keys a hashing run leaves for
 * `dsml tables` (Table 4), written by the real writer and read back. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json_parse.h"
#include "metric/loss.h"
#include "results/metrics_write.h"
#include "run/train_options.h"
#include "run/train.h"
#include "support/suite_run.h"
#include "support/testdir.h"

START_TEST(test_protocol_names)
{
    dsml_protocol p = DSML_PROTOCOL_DML;
    ck_assert_int_eq(dsml_protocol_parse("hashing", &p), DSML_OK);
    ck_assert_int_eq(p, DSML_PROTOCOL_HASHING);
    ck_assert_str_eq(dsml_protocol_name(p), "hashing");
    ck_assert_int_eq(dsml_protocol_parse("dml", &p), DSML_OK);
    ck_assert_str_eq(dsml_protocol_name(p), "dml");
    ck_assert_int_eq(dsml_protocol_parse("hash", &p), DSML_ERR_ARG);
    ck_assert_int_eq(p, DSML_PROTOCOL_DML);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "expected dml or hashing"));
    ck_assert_str_eq(dsml_protocol_name((dsml_protocol)9), "unknown");
}
END_TEST

static void write_config(dsml_json *j, const void *cfg)
{
    dsml_train_config_write_json(j, cfg);
}

/* metrics.json of a hashing run: what Table 4 reads (config.protocol,
 * config.loss, metrics.hamming.map@t) and the lookup metrics, with no
 * Euclidean block. Written by the real writer and read back by the JSON
 * reader. */
START_TEST(test_hashing_metrics_json)
{
    ck_assert_ptr_nonnull(testdir_make("hashing_json"));
    dsml_train_config cfg;
    dsml_train_config_default(&cfg);
    cfg.protocol = DSML_PROTOCOL_HASHING;
    cfg.loss = dsml_loss_defaults(DSML_LOSS_DPSH, DSML_DIST_EUCLIDEAN);
    cfg.dim = 16;
    cfg.queries_per_class = DSML_HASHING_QUERIES_PER_CLASS;
    cfg.map_at = DSML_HASHING_MAP_AT;
    dsml_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "cifar10");
    ds.n = 60000;
    ds.n_classes = 10;
    dsml_split split;
    memset(&split, 0, sizeof split);
    split.n_query = 10000;
    split.n_database = split.n_train = 50000;
    dsml_finished_run *rec = calloc(1, sizeof *rec);
    ck_assert_ptr_nonnull(rec);
    rec->write_config = write_config;
    rec->config = &cfg;
    rec->dataset = ds.name;
    rec->images = ds.n;
    rec->classes = ds.n_classes;
    rec->source_sha256 = ds.source_sha256;
    rec->content_sha256 = ds.content_sha256;
    rec->protocol = dsml_protocol_name(cfg.protocol);
    rec->split_kind = split.kind;
    rec->n_query = split.n_query;
    rec->n_database = split.n_database;
    rec->n_train = split.n_train;
    rec->split_hash = split.hash;
    rec->map_at = cfg.map_at;
    rec->f1_at = cfg.f1_at;
    rec->n_eval_queries = 10000;
    rec->n_eval_database = 50000;
    rec->euclidean_skipped = 1;
    dsml_retrieval_result *h = &rec->hamming;
    h->map_at_t = 0.625;
    h->n_precision_k = 3;
    h->precision_k[0] = 100, h->precision_k[1] = 500, h->precision_k[2] = 1000;
    h->precision_at_k[0] = 0.75, h->precision_at_k[1] = 0.5, h->precision_at_k[2] = 0.25;
    h->hamming_radius = 2;
    h->precision_radius = 0.875;
    h->recall_radius = 0.125;
    h->curve_points = 17;
    for (int r = 0; r < 17; r++) {
        h->curve_precision[r] = 1.0 - r / 32.0;
        h->curve_recall[r] = r / 16.0;
    }
    h->queries = 10000;
    const char *path = testdir_path("metrics.json");
    ck_assert_int_eq(dsml_metrics_write(rec, path), DSML_OK);
    dsml_json_doc doc;
    ck_assert_int_eq(dsml_json_parse_file(&doc, path), DSML_OK);
    ck_assert_str_eq(dsml_jv_string(doc.root, "config.protocol", ""), "hashing");
    ck_assert_str_eq(dsml_jv_string(doc.root, "data.split.protocol", ""), "hashing");
    ck_assert_str_eq(dsml_jv_string(doc.root, "config.loss", ""), "dpsh");
    ck_assert_double_eq_tol(dsml_jv_number(doc.root, "config.quant", -1), 0.1, 1e-7);
    ck_assert_double_eq(dsml_jv_number(doc.root, "config.map_at", -1), 50000);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.map@50000", -1), 0.625);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.map@t", -1), 0.625);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.map_t", -1), 50000);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.precision@500", -1), 0.5);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.radius", -1), 2);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.precision_within_radius", -1), 0.875);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.recall_within_radius", -1), 0.125);
    const dsml_jv *curve = dsml_jv_get(doc.root, "metrics.hamming.pr_curve_recall");
    ck_assert_ptr_nonnull(curve);
    ck_assert_int_eq(curve->type, DSML_JV_ARRAY);
    ck_assert_int_eq(curve->count, 17);
    ck_assert_ptr_null(dsml_jv_get(doc.root, "metrics.euclidean"));
    dsml_json_doc_free(&doc);
    free(rec);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"names", 30, (const TTest *[]){test_protocol_names, NULL}},
        {"record", 30, (const TTest *[]){test_hashing_metrics_json, NULL}},
    };
    return suite_run_cases("hashing_protocol", cases, SUITE_CASES(cases));
}
