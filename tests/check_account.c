/* Tests of the account.json reader (src/results/account.h): a file as `dsml
 * sweep account` writes it, read field by field; a missing file is no
 * account; each broken key refused with the file and the key named, the
 * account left empty; and the account's sentences (src/report/account_note.h)
 * in Markdown and LaTeX. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "report/account_note.h"
#include "results/account.h"
#include "support/run_fixture.h"
#include "support/suite_run.h"
#include "support/testdir.h"

#define WEIGHTS "[{\"name\": \"alexnet-imagenet\", \"runs\": 72, \"status\": \"missing\", \"reason\": \"FETCH=no\", " \
                "\"get\": \"dsml fetch alexnet-imagenet\"}]"

START_TEST(test_read_fields)
{
    const char *dir = testdir_make("account");
    char datasets[4096];
    snprintf(datasets, sizeof datasets, "[%s, %s]",
             fixture_account_dataset("cifar10", 40, 1, 1, 0, "1 run failed", ""),
             fixture_account_dataset("cub200", 0, 0, 0, 36, "download failed: HTTP 404", "dsml fetch cub200"));
    fixture_account(dir, datasets, WEIGHTS);
    dsml_account a;
    ck_assert_msg(dsml_account_read(testdir_path("account.json"), &a) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(a.present, 1);
    ck_assert_str_eq(a.sweep, "paper.sweep");
    ck_assert_str_eq(a.kinds, "runs");
    ck_assert_int_eq(a.exit_status, 1);
    ck_assert_int_eq(a.n_datasets, 2);
    const dsml_account_dataset *c = dsml_account_find(&a, "cifar10"), *u = dsml_account_find(&a, "cub200");
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->runs, 42);
    ck_assert_int_eq(c->finished, 40);
    ck_assert_int_eq(c->failed, 1);
    ck_assert_int_eq(c->not_started, 1);
    ck_assert_int_eq(c->skipped, 0);
    ck_assert_int_eq(c->status, DSML_ACCOUNT_INCOMPLETE);
    ck_assert_str_eq(c->reason, "1 run failed");
    ck_assert_str_eq(c->get, "");
    ck_assert_int_eq(u->status, DSML_ACCOUNT_SKIPPED);
    ck_assert_str_eq(u->get, "dsml fetch cub200");
    ck_assert_ptr_null(dsml_account_find(&a, "cars196"));
    ck_assert_int_eq(a.n_weights, 1);
    ck_assert_str_eq(a.weights[0].name, "alexnet-imagenet");
    ck_assert_int_eq(a.weights[0].runs, 72);
    ck_assert_int_eq(a.weights[0].status, DSML_WEIGHTS_MISSING);
    ck_assert_str_eq(dsml_account_status_name(u->status), "skipped");
    ck_assert_str_eq(dsml_weights_status_name(a.weights[0].status), "missing");
    dsml_account_free(&a);
    dsml_account_free(&a); /* twice is harmless */

    /* no file: no account, no error */
    ck_assert_int_eq(dsml_account_read(testdir_path("none/account.json"), &a), DSML_OK);
    ck_assert_int_eq(a.present, 0);
    ck_assert_ptr_null(dsml_account_find(&a, "cifar10"));
    dsml_account_free(&a);
    testdir_done(1);
}
END_TEST

/* One document with one thing broken, and the message that must name it. */
static const struct { const char *json, *message; } broken[] = {
    {"{\"format_version\": 2, \"sweep\": \"s\"}",
     "format_version is 2, expected 1 (the account format this dsml reads)"},
    {"{\"sweep\": \"s\"}", "format_version is missing, expected 1"},
    {"[1]", "expected a JSON object"},
    {"{\"format_version\": 1,", "account.json"}, /* not JSON: the parser names the file and byte */
    {"{\"format_version\": 1, \"sweep\": 3}", "sweep is 3, expected a string"},
    {"{\"format_version\": 1, \"sweep\": \"s\", \"kinds\": \"\"}", "kinds is the string \"\", expected a non-empty"},
    {"{\"format_version\": 1, \"sweep\": \"s\", \"kinds\": \"runs\", \"datasets\": {}}",
     "datasets is an object, expected a list of objects"},
    {"{\"format_version\": 1, \"sweep\": \"s\", \"kinds\": \"runs\", \"datasets\": [7]}",
     "datasets[0] is 7, expected an object"},
    {"{\"format_version\": 1, \"sweep\": \"s\", \"kinds\": \"runs\", \"datasets\": [{\"name\": \"a\", \"runs\": 1, "
     "\"finished\": \"1\"}]}", "datasets[0].finished is the string \"1\", expected an integer in 0..2147483647"},
    {"{\"format_version\": 1, \"sweep\": \"s\", \"kinds\": \"runs\", \"datasets\": [{\"name\": \"a\", \"runs\": 1.5}]}",
     "datasets[0].runs is 1.5, expected an integer"},
    {"{\"format_version\": 1, \"sweep\": \"s\", \"kinds\": \"runs\", \"datasets\": [{\"name\": \"a\", \"runs\": 1, "
     "\"finished\": 1, \"failed\": 0, \"not_started\": 0, \"skipped\": 0, \"status\": \"done\"}]}",
     "datasets[0].status is the string \"done\", expected one of \"complete\", \"incomplete\", \"skipped\""},
    {"{\"format_version\": 1, \"sweep\": \"s\", \"kinds\": \"runs\", \"datasets\": [{\"name\": \"a\", \"runs\": 1, "
     "\"finished\": 1, \"failed\": 0, \"not_started\": 0, \"skipped\": 0, \"status\": \"complete\", "
     "\"reason\": null}]}",
     "datasets[0].reason is null, expected a string"},
    {"{\"format_version\": 1, \"sweep\": \"s\", \"kinds\": \"runs\", \"datasets\": [{\"name\": \"a\", \"runs\": 3, "
     "\"finished\": 1, \"failed\": 1, \"not_started\": 0, \"skipped\": 0, \"status\": \"incomplete\", "
     "\"reason\": \"\", \"get\": \"\"}]}",
     "datasets[0].runs is 3, expected finished + failed + not_started + skipped = 2"},
};

START_TEST(test_refuses_broken_files)
{
    const char *dir = testdir_make("account-broken");
    const char *path = testdir_path("account.json");
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        testdir_write_text(path, broken[i].json);
        dsml_account a;
        ck_assert_int_ne(dsml_account_read(path, &a), DSML_OK);
        ck_assert_msg(strstr(dsml_last_error(), path) && strstr(dsml_last_error(), broken[i].message), "case %zu: %s",
                      i, dsml_last_error());
        ck_assert_int_eq(a.present, 0);
        ck_assert_ptr_null(a.datasets);
    }
    /* the lists' later keys, and a name given twice */
    char datasets[4096];
    const char *one = fixture_account_dataset("cifar10", 1, 0, 0, 0, "", "");
    snprintf(datasets, sizeof datasets, "[%s, %s]", one, one);
    fixture_account(dir, datasets, "[]");
    dsml_account a;
    ck_assert_int_eq(dsml_account_read(path, &a), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "datasets[1].name is \"cifar10\", expected a name not already given at "
                                            "datasets[0]"), "%s", dsml_last_error());
    snprintf(datasets, sizeof datasets, "[%s]", one);
    fixture_account(dir, datasets, "[{\"name\": \"w\", \"runs\": 2, \"status\": \"gone\"}]");
    ck_assert_int_eq(dsml_account_read(path, &a), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "weights[0].status is the string \"gone\", expected one of \"present\", "
                                            "\"missing\", \"failed\""), "%s", dsml_last_error());
    /* exit_status is 0 or 1; a key the format does not have is ignored */
    testdir_write_text(path, "{\"format_version\": 1, \"sweep\": \"s\", \"kinds\": \"runs\", \"datasets\": [], "
                             "\"weights\": [], \"exit_status\": 2}");
    ck_assert_int_eq(dsml_account_read(path, &a), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "exit_status is 2, expected 0 or 1"));
    testdir_write_text(path, "{\"format_version\": 1, \"sweep\": \"s\", \"kinds\": \"runs\", \"datasets\": [], "
                             "\"weights\": [], \"exit_status\": 0, \"later\": {\"x\": 1}}");
    ck_assert_msg(dsml_account_read(path, &a) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(a.present, 1);
    dsml_account_free(&a);
    testdir_done(1);
}
END_TEST

/* The sentence of one entry into a string. */
static const char *note_of(const dsml_account_dataset *d, int has_runs, int tex)
{
    static char text[2048];
    FILE *fp = fmemopen(text, sizeof text, "w");
    ck_assert_ptr_nonnull(fp);
    int wrote = dsml_account_note(fp, d, has_runs, "|", tex);
    fclose(fp);
    return wrote ? text : NULL;
}

START_TEST(test_note_sentences)
{
    dsml_account_dataset skipped = {"nus-wide", 12, 0, 0, 0, 12, DSML_ACCOUNT_SKIPPED, "manual dataset",
                                    "see datasets/nus-wide.manifest: put Groundtruth_2.zip into $DSML_DATA/ ~{x}^\\"};
    ck_assert_str_eq(note_of(&skipped, 0, 0), "|skipped by `make reproduce`: manual dataset; see "
                                              "datasets/nus-wide.manifest: put Groundtruth_2.zip into $DSML_DATA/ "
                                              "~{x}^\\");
    ck_assert_str_eq(note_of(&skipped, 0, 1),
                     "|skipped by \\texttt{make reproduce}: manual dataset; see "
                     "datasets/nus-wide.manifest: put Groundtruth\\_2.zip into \\$DSML\\_DATA/ "
                     "\\textasciitilde{}\\{x\\}\\textasciicircum{}\\textbackslash{}");
    ck_assert_str_eq(note_of(&skipped, 1, 0), "|skipped by `make reproduce` (the cells come from earlier runs): manual "
                                              "dataset; see datasets/nus-wide.manifest: put Groundtruth_2.zip "
                                              "into $DSML_DATA/ ~{x}^\\");
    dsml_account_dataset part = {"cifar10", 42, 39, 1, 1, 1, DSML_ACCOUNT_INCOMPLETE, "", ""};
    ck_assert_str_eq(note_of(&part, 1, 0), "|`make reproduce` finished 39 of the 42 runs it selected on this dataset "
                                           "(1 failed, 1 not started, 1 skipped)");
    part.failed = 2;
    part.not_started = part.skipped = 0;
    part.reason = "out of memory";
    ck_assert_str_eq(note_of(&part, 0, 1), "|\\texttt{make reproduce} finished 39 of the 42 runs it selected on this "
                                           "dataset (2 failed: out of memory)");
    dsml_account_dataset done = {"fashion-mnist", 56, 56, 0, 0, 0, DSML_ACCOUNT_COMPLETE, "", ""};
    ck_assert_ptr_null(note_of(&done, 1, 0));
    ck_assert_ptr_null(note_of(NULL, 0, 0));
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"read", 30, (const TTest *[]){test_read_fields, test_refuses_broken_files, NULL}},
        {"note", 30, (const TTest *[]){test_note_sentences, NULL}},
    };
    return suite_run_cases("account", cases, SUITE_CASES(cases));
}
