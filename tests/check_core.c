/* Tests of src/core: errors (worker threads included), names, RNG, GEMM
 * against the naive reference, atomic writes and the removal of temp files
 * left by ended processes, the JSON writer (valid UTF-8 whatever the input)
 * and reader. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/rng.h"
#include "core/gemm.h"
#include "core/atomic_file.h"
#include "core/json.h"
#include "core/json_parse.h"
#include "core/names.h"
#include "support/run_cmd.h"
#include "support/stale_temps.h"
#include "support/testdir.h"
#include "support/suite_run.h"

START_TEST(test_error_message_and_context)
{
    int rc = dsml_fail(DSML_ERR_FORMAT, "data_batch_2.bin: record %d: label %d, expected 0..9", 4, 200);
    ck_assert_int_eq(rc, DSML_ERR_FORMAT);
    ck_assert_str_eq(dsml_last_error(), "data_batch_2.bin: record 4: label 200, expected 0..9");
    dsml_fail_context(DSML_ERR_FORMAT, "preparing %s", "cifar10");
    ck_assert_str_eq(dsml_last_error(), "preparing cifar10: data_batch_2.bin: record 4: label 200, expected 0..9");
    ck_assert_str_eq(dsml_strerror(DSML_ERR_IO), "input/output error");
    ck_assert_str_eq(dsml_strerror(999), "unknown error");
}
END_TEST

START_TEST(test_names_both_ways)
{
    static const char *const names[] = {"euclidean", NULL, "sqeuclidean", "snr"};
    int k = -1;
    ck_assert_int_eq(dsml_names_parse("distance", names, DSML_NAMES_COUNT(names), "snr", &k), DSML_OK);
    ck_assert_int_eq(k, 3);
    ck_assert_int_eq(dsml_names_parse("distance", names, DSML_NAMES_COUNT(names), "cosine", &k), DSML_ERR_ARG);
    ck_assert_int_eq(k, 3);
    ck_assert_str_eq(dsml_last_error(), "distance 'cosine': expected euclidean, sqeuclidean or snr");
    ck_assert_int_eq(dsml_names_parse("distance", names, DSML_NAMES_COUNT(names), NULL, &k), DSML_ERR_ARG);
    ck_assert_str_eq(dsml_names_get(names, DSML_NAMES_COUNT(names), 0), "euclidean");
    ck_assert_str_eq(dsml_names_get(names, DSML_NAMES_COUNT(names), 1), "unknown");
    ck_assert_str_eq(dsml_names_get(names, DSML_NAMES_COUNT(names), 4), "unknown");
    ck_assert_str_eq(dsml_names_get(names, DSML_NAMES_COUNT(names), -1), "unknown");
    char buf[16];
    dsml_names_join(names, DSML_NAMES_COUNT(names), buf, sizeof buf); /* cut to fit */
    ck_assert_str_eq(buf, "euclidean, sqeu");
    static const char *const two[] = {"mlp", "convnet"};
    dsml_names_join(two, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "mlp or convnet");
}
END_TEST

/* A library loop that fails on one OpenMP worker: the code comes back
 * through a reduction, the message through error.c. */
static int fail_on_worker(int items, int bad)
{
    int failed = 0;
#pragma omp parallel for num_threads(2) schedule(static, 1) reduction(| : failed)
    for (int i = 0; i < items; i++)
        if (i == bad) failed |= dsml_fail(DSML_ERR_FORMAT, "record %d: worker failure", i) != 0;
    return failed ? DSML_ERR_FORMAT : DSML_OK;
}

START_TEST(test_error_from_worker_thread_reaches_caller)
{
    dsml_clear_error();
    ck_assert_int_eq(fail_on_worker(8, 5), DSML_ERR_FORMAT); /* item 5 runs on the second thread */
    ck_assert_str_eq(dsml_last_error(), "record 5: worker failure");
    dsml_fail_context(DSML_ERR_FORMAT, "reading %s", "cache");
    ck_assert_str_eq(dsml_last_error(), "reading cache: record 5: worker failure");
    /* a newer message of the caller's own hides the worker's */
    dsml_fail(DSML_ERR_IO, "later");
    ck_assert_str_eq(dsml_last_error(), "later");
    /* a second region's failure replaces the first once the caller recorded in between */
    ck_assert_int_eq(fail_on_worker(8, 3), DSML_ERR_FORMAT);
    ck_assert_str_eq(dsml_last_error(), "record 3: worker failure");
    dsml_clear_error();
    ck_assert_str_eq(dsml_last_error(), "");
}
END_TEST

START_TEST(test_rng_deterministic_and_uniform)
{
    dsml_rng a, b;
    dsml_rng_seed(&a, 42);
    dsml_rng_seed(&b, 42);
    for (int i = 0; i < 100; i++) ck_assert_uint_eq(dsml_rng_next(&a), dsml_rng_next(&b));
    dsml_rng_seed(&b, 43);
    ck_assert_uint_ne(dsml_rng_next(&a), dsml_rng_next(&b));

    /* below(n) covers [0,n) evenly: chi-square on 10 bins, 100k draws. */
    int bins[10] = {0};
    dsml_rng_seed(&a, 7);
    for (int i = 0; i < 100000; i++) {
        uint64_t v = dsml_rng_below(&a, 10);
        ck_assert_uint_lt(v, 10);
        bins[v]++;
    }
    double chi = 0;
    for (int i = 0; i < 10; i++) chi += (bins[i] - 10000.0) * (bins[i] - 10000.0) / 10000.0;
    ck_assert_double_lt(chi, 30.0); /* p < 1e-3 for 9 dof at 27.9 */

    /* normal: mean ~0, variance ~1 */
    double s = 0, s2 = 0;
    for (int i = 0; i < 100000; i++) { double x = dsml_rng_normal(&a); s += x; s2 += x * x; }
    ck_assert_double_eq_tol(s / 100000, 0.0, 0.02);
    ck_assert_double_eq_tol(s2 / 100000, 1.0, 0.02);
}
END_TEST

START_TEST(test_rng_shuffle_is_permutation)
{
    dsml_rng r;
    dsml_rng_seed(&r, 1);
    int a[100], seen[100] = {0};
    for (int i = 0; i < 100; i++) a[i] = i;
    dsml_rng_shuffle_int(&r, a, 100);
    int moved = 0;
    for (int i = 0; i < 100; i++) { seen[a[i]]++; moved += a[i] != i; }
    for (int i = 0; i < 100; i++) ck_assert_int_eq(seen[i], 1);
    ck_assert_int_gt(moved, 80);
}
END_TEST

static void fill(dsml_rng *r, float *x, int n)
{
    for (int i = 0; i < n; i++) x[i] = (float)dsml_rng_normal(r);
}

START_TEST(test_gemm_matches_naive_all_layouts)
{
    dsml_rng r;
    dsml_rng_seed(&r, 3);
    const int m = 37, n = 29, k = 53;
    float *a = malloc(sizeof(float) * 64 * 64), *b = malloc(sizeof(float) * 64 * 64);
    float *c1 = malloc(sizeof(float) * 64 * 64), *c2 = malloc(sizeof(float) * 64 * 64);
    fill(&r, a, 64 * 64);
    fill(&r, b, 64 * 64);
    for (int threads = 1; threads <= 2; threads++) {
        dsml_set_threads(threads);
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                fill(&r, c1, 64 * 64);
                memcpy(c2, c1, sizeof(float) * 64 * 64);
                /* leading dimensions larger than the logical width */
                dsml_gemm(ta, tb, m, n, k, 0.5f, a, 64, b, 60, 2.0f, c1, 63);
                dsml_gemm_naive(ta, tb, m, n, k, 0.5f, a, 64, b, 60, 2.0f, c2, 63);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                        ck_assert_float_eq_tol(c1[i * 63 + j], c2[i * 63 + j], 1e-3f);
            }
    }
    /* beta = 0 must ignore NaN garbage in C */
    for (int i = 0; i < 64 * 64; i++) c1[i] = NAN;
    dsml_gemm(DSML_NO_TRANS, DSML_NO_TRANS, 4, 4, 4, 1.0f, a, 4, b, 4, 0.0f, c1, 4);
    for (int i = 0; i < 16; i++) ck_assert(isfinite(c1[i]));
    free(a); free(b); free(c1); free(c2);
    dsml_set_threads(1);
}
END_TEST

START_TEST(test_atomic_write_replaces_whole_file)
{
    ck_assert_ptr_nonnull(testdir_make("atomic"));
    const char *path = testdir_path("out.txt");
    ck_assert_int_eq(dsml_atomic_write(path, "old", 3), DSML_OK);
    dsml_atomic_file f;
    ck_assert_int_eq(dsml_atomic_begin(&f, path), DSML_OK);
    fputs("new content", f.fp);
    /* before commit the old file is intact */
    FILE *fp = fopen(path, "rb");
    char buf[32] = {0};
    ck_assert_uint_eq(fread(buf, 1, sizeof buf, fp), 3);
    fclose(fp);
    ck_assert_int_eq(dsml_atomic_commit(&f), DSML_OK);
    fp = fopen(path, "rb");
    memset(buf, 0, sizeof buf);
    ck_assert_uint_eq(fread(buf, 1, sizeof buf, fp), 11);
    fclose(fp);
    ck_assert_str_eq(buf, "new content");
    ck_assert_int_ne(access(f.temp, F_OK), 0);

    /* abort leaves the old file and no temp file */
    ck_assert_int_eq(dsml_atomic_begin(&f, path), DSML_OK);
    fputs("half", f.fp);
    dsml_atomic_abort(&f);
    ck_assert_int_ne(access(f.temp, F_OK), 0);

    /* a directory that does not exist: clear error naming the path */
    int rc = dsml_atomic_write(testdir_path("missing/dir/x"), "x", 1);
    ck_assert_int_eq(rc, DSML_ERR_IO);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "missing/dir/x"));

    ck_assert_int_eq(dsml_mkdirs(testdir_path("a/b/c")), DSML_OK);
    struct stat st;
    ck_assert_int_eq(stat(testdir_path("a/b/c"), &st), 0);
    testdir_done(1);
}
END_TEST

START_TEST(test_atomic_remove_stale)
{
    const char *dir = testdir_make("stale");
    ck_assert_ptr_nonnull(dir);
    const char *host = temp_host();
    long dead = dead_pid(), alive = (long)getpid();
    char kept[4][8192], gone[2][8192];
    snprintf(gone[0], sizeof gone[0], "%s", write_temp(testdir_path("cache.dsd"), host, dead));
    snprintf(gone[1], sizeof gone[1], "%s", write_temp(testdir_path("metrics.json"), NULL, dead)); /* older form */
    snprintf(kept[0], sizeof kept[0], "%s", write_temp(testdir_path("embeddings.bin"), host, alive));
    snprintf(kept[1], sizeof kept[1], "%s", write_temp(testdir_path("embeddings.bin"), "other-node", dead));
    snprintf(kept[2], sizeof kept[2], "%s", write_temp(testdir_path("metrics.json"), NULL, alive));
    snprintf(kept[3], sizeof kept[3], "%s", testdir_path("notes.tmp.txt"));
    testdir_write_text(kept[3], "not a temp file");
    char folder[8192]; /* a temp name on a folder: not a file this writes */
    snprintf(folder, sizeof folder, "%s/sub.tmp.%s.%ld", dir, host, dead);
    ck_assert_int_eq(mkdir(folder, 0755), 0);

    int removed = -1;
    ck_assert_int_eq(dsml_atomic_remove_stale(dir, &removed), DSML_OK);
    ck_assert_int_eq(removed, 2);
    for (int i = 0; i < 2; i++) ck_assert_msg(access(gone[i], F_OK) != 0, "%s left", gone[i]);
    for (int i = 0; i < 4; i++) ck_assert_msg(access(kept[i], F_OK) == 0, "%s removed", kept[i]);
    ck_assert_int_eq(access(folder, F_OK), 0);
    ck_assert_int_eq(dsml_atomic_remove_stale(dir, &removed), DSML_OK);
    ck_assert_int_eq(removed, 0);
    /* a folder not made yet holds nothing */
    ck_assert_int_eq(dsml_atomic_remove_stale(testdir_path("missing"), &removed), DSML_OK);
    ck_assert_int_eq(removed, 0);

    /* the writer's own temp name carries host and pid */
    dsml_atomic_file f;
    ck_assert_int_eq(dsml_atomic_begin(&f, testdir_path("x.bin")), DSML_OK);
    char want[8192];
    snprintf(want, sizeof want, "%s.tmp.%s.%ld", testdir_path("x.bin"), host, alive);
    ck_assert_str_eq(f.temp, want);
    ck_assert_int_eq(dsml_atomic_remove_stale(dir, &removed), DSML_OK); /* its writer is alive */
    ck_assert_int_eq(access(f.temp, F_OK), 0);
    dsml_atomic_abort(&f);
    testdir_done(1);
}
END_TEST

START_TEST(test_json_writer)
{
    char *text = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&text, &size);
    dsml_json j;
    dsml_json_init(&j, fp);
    dsml_json_object_begin(&j);
    dsml_json_kv_string(&j, "name", "a\"b\n");
    dsml_json_kv_double(&j, "x", 0.1);
    dsml_json_kv_double(&j, "bad", NAN);
    dsml_json_key(&j, "list");
    dsml_json_array_begin(&j);
    dsml_json_int(&j, 1);
    dsml_json_int(&j, 2);
    dsml_json_array_end(&j);
    dsml_json_key(&j, "empty");
    dsml_json_object_begin(&j);
    dsml_json_object_end(&j);
    dsml_json_object_end(&j);
    fclose(fp);
    ck_assert_str_eq(text, "{\n  \"name\": \"a\\\"b\\n\",\n  \"x\": 0.10000000000000001,\n  \"bad\": null,\n"
                           "  \"list\": [\n    1,\n    2\n  ],\n  \"empty\": {}\n}\n");
    free(text);
}
END_TEST

/* Strings that are not UTF-8 (a Latin-1 folder name, an overlong form, a
 * sequence cut short, a surrogate) are written with U+FFFD, so that the
 * document parses, here and in Python's strict json module. */
START_TEST(test_json_writer_invalid_utf8)
{
#define FFFD "\xEF\xBF\xBD"
    static const struct { const char *in, *out; } cases[] = {
        {"caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80"}, /* valid: kept */
        {"Fran\xe7ois", "Fran" FFFD "ois"},                                 /* Latin-1 byte */
        {"a\xff" "b", "a" FFFD "b"},
        {"\xc0\xaf/", FFFD FFFD "/"},                                       /* overlong '/' */
        {"x\xe2\x82", "x" FFFD},                                            /* truncated at the end */
        {"\xe2\x82y", FFFD "y"},                                            /* truncated inside */
        {"\xed\xa0\x80", FFFD FFFD FFFD},                                   /* a surrogate */
        {"\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD},                           /* above U+10FFFF */
        {"tab\t\x01", "tab\\t\\u0001"},
    };
    ck_assert_ptr_nonnull(testdir_make("json-utf8"));
    const char *path = testdir_path("names.json");
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    dsml_json j;
    dsml_json_init(&j, fp);
    dsml_json_object_begin(&j);
    dsml_json_key(&j, "names");
    dsml_json_array_begin(&j);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) dsml_json_string(&j, cases[i].in);
    dsml_json_array_end(&j);
    dsml_json_kv_string(&j, "k\xfe", "v");
    dsml_json_object_end(&j);
    ck_assert_int_eq(fclose(fp), 0);

    const char *text = read_text(path);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char quoted[256];
        snprintf(quoted, sizeof quoted, "\"%s\"", cases[i].out);
        ck_assert_msg(strstr(text, quoted), "case %zu: %s not in %s", i, quoted, text);
    }
    dsml_json_doc doc;
    ck_assert_int_eq(dsml_json_parse(&doc, path, text, strlen(text)), DSML_OK);
    const dsml_jv *names = dsml_jv_get(doc.root, "names");
    ck_assert_ptr_nonnull(names);
    ck_assert_str_eq(names->child->next->string, "Fran" FFFD "ois");
    ck_assert_str_eq(dsml_jv_string(doc.root, "k" FFFD, ""), "v");
    dsml_json_doc_free(&doc);

    cmd_result r;
    char command[8400];
    snprintf(command, sizeof command, "python3 -c 'import json, sys; d = json.load(open(sys.argv[1], "
             "encoding=\"utf-8\", errors=\"strict\")); print(len(d[\"names\"]), d[\"names\"][1])' %s", path);
    run_shell(&r, "command -v python3");
    if (r.status != 0) {
        fprintf(stderr, "SKIP: no python3 to read %s with\n", path);
    } else {
        run_shell(&r, command);
        ck_assert_msg(r.status == 0, "python3 cannot read it: %s", r.err);
        ck_assert_str_eq(r.out, "9 Fran\xEF\xBF\xBDois\n");
    }
    testdir_done(1);
#undef FFFD
}
END_TEST

START_TEST(test_json_reader_round_trip_and_errors)
{
    const char *text = "{\"a\": {\"b\": [1, 2.5e3, -0.25], \"s\": \"x\\\"y\\n\", \"t\": true, \"n\": null},"
                       " \"recall@1\": 0.875}";
    dsml_json_doc doc;
    ck_assert_int_eq(dsml_json_parse(&doc, "t.json", text, strlen(text)), DSML_OK);
    const dsml_jv *b = dsml_jv_get(doc.root, "a.b");
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(b->type, DSML_JV_ARRAY);
    ck_assert_int_eq(b->count, 3);
    ck_assert_double_eq(b->child->next->number, 2500.0);
    ck_assert_double_eq(b->child->next->next->number, -0.25);
    ck_assert_str_eq(dsml_jv_string(doc.root, "a.s", ""), "x\"y\n");
    ck_assert_double_eq(dsml_jv_number(doc.root, "a.t", -1), 1.0);
    ck_assert_double_eq(dsml_jv_number(doc.root, "recall@1", -1), 0.875);
    ck_assert_double_eq(dsml_jv_number(doc.root, "a.missing", -7), -7.0);
    ck_assert_ptr_null(dsml_jv_get(doc.root, "a.b.c"));
    dsml_json_doc_free(&doc);

    static const struct { const char *text, *message; } bad[] = {
        {"{\"a\": }", "t.json: byte 6: expected a value"},
        {"{\"a\": 1", "t.json: byte 7: expected ',' or '}'"},
        {"[1, 2] x", "t.json: byte 7: trailing characters"},
        {"{\"a\": \"open", "unterminated string"},
        {"", "unexpected end of document"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(dsml_json_parse(&doc, "t.json", bad[i].text, strlen(bad[i].text)), DSML_ERR_FORMAT);
        ck_assert_msg(strstr(dsml_last_error(), bad[i].message), "%s -> %s", bad[i].text, dsml_last_error());
    }

    /* what the writer writes, the reader reads back exactly */
    char *out = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&out, &size);
    dsml_json j;
    dsml_json_init(&j, fp);
    dsml_json_object_begin(&j);
    dsml_json_kv_double(&j, "x", 0.1);
    dsml_json_kv_double(&j, "y", 1.0 / 3.0);
    dsml_json_object_end(&j);
    fclose(fp);
    ck_assert_int_eq(dsml_json_parse(&doc, "mem", out, size), DSML_OK);
    ck_assert(dsml_jv_number(doc.root, "x", 0) == 0.1);
    ck_assert(dsml_jv_number(doc.root, "y", 0) == 1.0 / 3.0);
    dsml_json_doc_free(&doc);
    free(out);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"errors", 60, (const TTest *[]){test_error_message_and_context,
                                         test_error_from_worker_thread_reaches_caller, NULL}},
        {"names", 60, (const TTest *[]){test_names_both_ways, NULL}},
        {"rng", 60, (const TTest *[]){test_rng_deterministic_and_uniform, test_rng_shuffle_is_permutation, NULL}},
        {"gemm", 120, (const TTest *[]){test_gemm_matches_naive_all_layouts, NULL}},
        {"files", 60, (const TTest *[]){test_atomic_write_replaces_whole_file, test_atomic_remove_stale, NULL}},
        {"json", 60, (const TTest *[]){test_json_writer, test_json_writer_invalid_utf8,
                                       test_json_reader_round_trip_and_errors, NULL}},
    };
    return suite_run_cases("core", cases, SUITE_CASES(cases));
}
