/* Tests of the table of all methods (src/report/methods_table.c): the row
 * labels, the published values' file and its errors, and the table written
 * from runs and a published file the test writes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/methods_table.h"
#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"

START_TEST(test_methods_labels)
{
    char b[48];
    ck_assert_int_eq(dsml_methods_label("contrastive", "snr", 0, NULL, NULL, b, sizeof b), DSML_OK);
    ck_assert_str_eq(b, "DSML(cont)");
    ck_assert_int_eq(dsml_methods_label("npair", "euclidean", 0.5, NULL, NULL, b, sizeof b), DSML_OK);
    ck_assert_str_eq(b, "N-pair + DA");
    ck_assert_int_eq(dsml_methods_label("triplet", "sqeuclidean", 0, NULL, NULL, b, sizeof b), DSML_OK);
    ck_assert_str_eq(b, "triplet (sq. Euclidean)");
    ck_assert_int_eq(dsml_methods_label("gpw", "euclidean", 0, "none", "binomial", b, sizeof b), DSML_OK);
    ck_assert_str_eq(b, "GPW(none, binomial)");
    ck_assert_int_eq(dsml_methods_label("vmf", "euclidean", 0, NULL, NULL, b, sizeof b), DSML_OK);
    ck_assert_str_eq(b, "vMF");
    ck_assert_int_eq(dsml_methods_label("dpsh", "euclidean", 0, NULL, NULL, b, sizeof b), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_methods_label("gpw", "euclidean", 0, "hard", "ms", b, sizeof b), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_methods_label("lifted", "cosine", 0, NULL, NULL, b, sizeof b), DSML_ERR_ARG);
}
END_TEST

#define PUB_HEADER "# comment\n\ntable\tdataset\tmethod\tmetric\tsize\tvalue\tnote\n"

START_TEST(test_methods_published_parse)
{
    dsml_methods_published *v;
    int n;
    ck_assert_int_eq(dsml_methods_published_parse("p.tsv",
                                                  PUB_HEADER "methods\tcub200\tGPW(ms, ms)\teuclidean.recall@1\t512\t65.7\tsrc\n"
                                                             "methods\tcars196\tvMF\tclustering.nmi\t0\t60.25\t\r\n",
                                                  &v, &n),
                     DSML_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(v[0].method, "GPW(ms, ms)");
    ck_assert_int_eq(v[0].size, 512);
    ck_assert_double_eq(v[0].value, 65.7);
    ck_assert_int_eq(v[0].decimals, 1);
    ck_assert_str_eq(v[0].note, "src");
    ck_assert_int_eq(v[1].line, 5);
    ck_assert_str_eq(v[1].note, "");
    ck_assert_int_eq(v[1].decimals, 2);
    free(v);
    static const struct { const char *text, *message; } bad[] = {
        {"table\tdataset\tmethod\tmetric\tsize\tvalue\n", "p.tsv:1: expected 7 tab-separated fields, found 6"},
        {"table\tdata\tmethod\tmetric\tsize\tvalue\tnote\n", "p.tsv:1: expected the header"},
        {"# only a comment\n", "expected the header line, found none"},
        {PUB_HEADER "5\tcub200\tvMF\teuclidean.recall@1\t0\t65.7\t\n", "p.tsv:4: table: expected 'methods', found '5'"},
        {PUB_HEADER "methods\tcub200\tvMF\teuclidean.recall@2\t0\t65.7\t\n", "p.tsv:4: metric: expected"},
        {PUB_HEADER "methods\tcub200\tvMF\teuclidean.recall@1\t-1\t65.7\t\n", "p.tsv:4: size: expected"},
        {PUB_HEADER "methods\tcub200\tvMF\teuclidean.recall@1\t0\t6,5\t\n", "p.tsv:4: value: expected"},
        {PUB_HEADER "methods\tcub200\tvMF\teuclidean.recall@1\t0\t165\t\n", "p.tsv:4: value: expected"},
        {PUB_HEADER "methods\t\tvMF\teuclidean.recall@1\t0\t65\t\n", "p.tsv:4: dataset: expected a value"},
        {PUB_HEADER "methods\tcub200\tvMF\teuclidean.map\t0\t65\t\nmethods\tcub200\tvMF\teuclidean.map\t0\t6\tx\n",
         "p.tsv:5: cub200 vMF euclidean.map size 0: already given at line 4"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = (dsml_methods_published *)1;
        ck_assert_int_eq(dsml_methods_published_parse("p.tsv", bad[i].text, &v, &n), DSML_ERR_FORMAT);
        ck_assert_msg(strstr(dsml_last_error(), bad[i].message), "case %zu: %s", i, dsml_last_error());
        ck_assert_ptr_null(v);
        ck_assert_int_eq(n, 0);
    }
}
END_TEST

/* A metrics.json with the members the table reads, in the layout of
 * docs/results.md. */
static void write_run(const char *root, const char *dataset, const char *name, const char *loss, const char *distance,
                      int seed, double density, const char *weighting, int validation, double recall1)
{
    char path[2048], text[2048];
    snprintf(path, sizeof path, "%s/%s", root, dataset);
    ck_assert_int_eq(dsml_mkdirs(path), DSML_OK);
    snprintf(path, sizeof path, "%s/%s/%s", root, dataset, name);
    ck_assert_int_eq(dsml_mkdirs(path), DSML_OK);
    snprintf(text, sizeof text,
             "{\"format_version\": 1, \"config\": {\"dataset\": \"%s\", \"model\": \"convnet\", \"dim\": 32, "
             "\"loss\": \"%s\", \"distance\": \"%s\", \"density\": %g, \"gpw_mining\": \"ms\", "
             "\"gpw_weighting\": \"%s\", \"seed\": %d},"
             " \"data\": {\"split\": {\"evaluated_on_validation\": %s}},"
             " \"metrics\": {\"euclidean\": {\"recall@1\": %g, \"map\": 0.5, \"map@r\": 0.25},"
             " \"clustering\": {\"nmi\": 0.625, \"f1\": 0.5}}}\n",
             dataset, loss, distance, density, weighting, seed, validation ? "true" : "false", recall1);
    snprintf(path, sizeof path, "%s/%s/%s/metrics.json", root, dataset, name);
    testdir_write_text(path, text);
}

START_TEST(test_methods_table_from_runs)
{
    const char *dir = testdir_make("methods-table");
    ck_assert_ptr_nonnull(dir);
    char results[1024], out[1024], pub[1024];
    snprintf(results, sizeof results, "%s/results", dir);
    snprintf(out, sizeof out, "%s/tables", dir);
    snprintf(pub, sizeof pub, "%s/published-methods.tsv", dir);
    write_run(results, "fashion-mnist", "a-cont-s1", "contrastive", "euclidean", 1, 0, "ms", 0, 0.80);
    write_run(results, "fashion-mnist", "a-cont-s2", "contrastive", "euclidean", 2, 0, "ms", 0, 0.84);
    write_run(results, "fashion-mnist", "b-cont-s1-again", "contrastive", "euclidean", 1, 0, "ms", 0, 0.10);
    write_run(results, "fashion-mnist", "c-cont-da", "contrastive", "euclidean", 1, 1.5, "ms", 0, 0.9);
    write_run(results, "fashion-mnist", "d-gpw", "gpw", "euclidean", 3, 0, "binomial", 0, 0.7);
    write_run(results, "fashion-mnist", "e-tune", "triplet", "snr", 1, 0, "ms", 1, 0.7);
    testdir_write_text(pub, PUB_HEADER "methods\tcub200\tGPW(ms, ms)\teuclidean.recall@1\t0\t65.7\tMS abstract\n"
                               "methods\tfashion-mnist\tvMF\tclustering.nmi\t32\t12.5\tinvented for the test\n");
    ck_assert_msg(dsml_methods_table_write(results, out, pub, NULL, NULL) == DSML_OK, "%s", dsml_last_error());
    char path[1200];
    snprintf(path, sizeof path, "%s/methods.md", out);
    const char *md = read_text(path);
    ck_assert_msg(md[0], "%s: missing or empty", path);
    /* recall 80 and 84: mean 82, sample std 4 / sqrt 2 = 2.83; the repeated seed 1 (10%) is not read */
    const char *cont = strstr(md, "| contrastive | 32 | 2 | 82.00 ± 2.83 | 25.00 ± 0.00 | 50.00 ± 0.00 | 62.50 ± 0.00 |");
    const char *da = strstr(md, "| contrastive + DA | 32 | 1 | 90.00 | 25.00 | 50.00 | 62.50 |");
    const char *vmf = strstr(md, "| vMF | 32 | 0 | – | – | – | not run (12.5) |");
    const char *gpw = strstr(md, "| GPW(ms, binomial) | 32 | 1 | 70.00 |");
    ck_assert_msg(cont && da && vmf && gpw, "%s", md);
    ck_assert(cont < da && da < vmf && vmf < gpw);
    ck_assert_ptr_nonnull(strstr(md, "## cub200"));
    ck_assert_ptr_nonnull(strstr(md, "| GPW(ms, ms) | – | 0 | not run (65.7) |"));
    ck_assert_ptr_null(strstr(md, "DSML(tri)")); /* the validation run */
    ck_assert(strstr(md, "## cub200") < strstr(md, "## fashion-mnist"));
    snprintf(path, sizeof path, "%s/methods.tex", out);
    const char *tex = read_text(path);
    ck_assert_msg(tex[0], "%s: missing or empty", path);
    ck_assert_ptr_nonnull(strstr(tex, "contrastive & 32 & 2 & 82.00 $\\pm$ 2.83"));
    ck_assert_ptr_nonnull(strstr(tex, "\\begin{tabular}"));

    /* a broken published file fails and names its line; a missing one is no error */
    testdir_write_text(pub, PUB_HEADER "methods\tcub200\tvMF\tnmi\t0\t1\t\n");
    ck_assert_int_eq(dsml_methods_table_write(results, out, pub, NULL, NULL), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "published-methods.tsv:4: metric"));
    snprintf(pub, sizeof pub, "%s/absent.tsv", dir);
    ck_assert_int_eq(dsml_methods_table_write(results, out, pub, NULL, NULL), DSML_OK);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"labels", 30, (const TTest *[]){test_methods_labels, NULL}},
        {"published", 30, (const TTest *[]){test_methods_published_parse, NULL}},
        {"table", 60, (const TTest *[]){test_methods_table_from_runs, NULL}},
    };
    return suite_run_cases("methods_table", cases, SUITE_CASES(cases));
}
