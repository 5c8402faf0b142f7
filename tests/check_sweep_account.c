/* Tests of a sweep's account and fetch step (src/run/sweep_account.c,
 * src/run/sweep_fetch.c, `dsml sweep account|fetch`): runs counted per
 * dataset as finished, failed, not started or skipped; statuses, reasons and
 * the exit status; the JSON sorted and the same bytes for the same runs; a
 * manual manifest never fetched, FETCH=no recorded, fetch.json read back.
 * The download itself over HTTP is tests/check_reproduce_fetch.sh's. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_parse.h"
#include "run/sweep_account.h"
#include "run/sweep_fetch.h"
#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"

/* The account's JSON and its printed lines, in static buffers. */
static char json_text[16384], lines[8192];

static void render(const dsml_sweep_account *a)
{
    FILE *fp = fmemopen(json_text, sizeof json_text, "w");
    ck_assert_int_eq(dsml_sweep_account_write_json(a, fp), 0);
    fclose(fp);
    fp = fmemopen(lines, sizeof lines, "w");
    dsml_sweep_account_print(a, fp);
    fclose(fp);
}

static void add(dsml_sweep_account *a, const char *dataset, const char *weights, dsml_account_run_state st)
{
    int skipped = st == DSML_ACCOUNT_RUN_SKIPPED;
    ck_assert_int_eq(dsml_sweep_account_add(a, dataset, weights, "d/run", st, skipped ? "why" : NULL,
                                            skipped ? "dsml fetch x" : NULL), 0);
}

START_TEST(test_counts_and_statuses)
{
    dsml_sweep_account a;
    dsml_sweep_account_init(&a, "paper.sweep", "runs");
    add(&a, "fashion-mnist", NULL, DSML_ACCOUNT_RUN_FINISHED);
    add(&a, "fashion-mnist", NULL, DSML_ACCOUNT_RUN_FINISHED);
    add(&a, "cifar10", NULL, DSML_ACCOUNT_RUN_SKIPPED);
    add(&a, "cifar10", NULL, DSML_ACCOUNT_RUN_SKIPPED);
    add(&a, "cub200", NULL, DSML_ACCOUNT_RUN_FINISHED);
    add(&a, "cub200", NULL, DSML_ACCOUNT_RUN_FAILED);
    add(&a, "cub200", NULL, DSML_ACCOUNT_RUN_NOT_STARTED);
    dsml_sweep_account_finish(&a);
    ck_assert_int_eq(a.n_datasets, 3);
    /* sorted by name */
    ck_assert_str_eq(a.datasets[0].name, "cifar10");
    ck_assert_str_eq(a.datasets[1].name, "cub200");
    ck_assert_str_eq(a.datasets[2].name, "fashion-mnist");
    ck_assert_str_eq(a.datasets[0].status, "skipped");
    ck_assert_int_eq(a.datasets[0].skipped, 2);
    ck_assert_str_eq(a.datasets[0].reason, "why");
    ck_assert_str_eq(a.datasets[1].status, "incomplete");
    ck_assert_int_eq(a.datasets[1].runs, 3);
    ck_assert_int_eq(a.datasets[1].failed, 1);
    ck_assert_int_eq(a.datasets[1].not_started, 1);
    ck_assert_msg(strstr(a.datasets[1].reason, "1 run failed") && strstr(a.datasets[1].reason, "d/run"), "%s",
                  a.datasets[1].reason);
    ck_assert_str_eq(a.datasets[2].status, "complete");
    ck_assert_str_eq(a.datasets[2].reason, "");
    ck_assert_int_eq(a.exit_status, 1);
    render(&a);
    ck_assert_msg(strstr(lines, "account: cifar10") && strstr(lines, "2 runs: skipped: why; get it: dsml fetch x\n"),
                  "%s", lines);
    ck_assert_msg(strstr(lines, "3 runs: 1 finished, 1 failed (e.g. d/run), 1 not started\n"), "%s", lines);
    ck_assert_msg(strstr(lines, "2 runs: 2 finished\n"), "%s", lines);
    dsml_sweep_account_free(&a);
}
END_TEST

START_TEST(test_complete_exits_zero)
{
    dsml_sweep_account a;
    dsml_sweep_account_init(&a, "t.sweep", "dml");
    add(&a, "fashion-mnist", NULL, DSML_ACCOUNT_RUN_FINISHED);
    dsml_sweep_account_finish(&a);
    ck_assert_int_eq(a.exit_status, 0);
    dsml_sweep_account_free(&a);
    /* runs not started fail it, except a submitted SLURM array's */
    dsml_sweep_account_init(&a, "t.sweep", "dml");
    add(&a, "fashion-mnist", NULL, DSML_ACCOUNT_RUN_NOT_STARTED);
    dsml_sweep_account_finish(&a);
    ck_assert_int_eq(a.exit_status, 1);
    dsml_sweep_account_free(&a);
    dsml_sweep_account_init(&a, "t.sweep", "dml");
    a.pending_ok = 1;
    add(&a, "fashion-mnist", NULL, DSML_ACCOUNT_RUN_NOT_STARTED);
    dsml_sweep_account_finish(&a);
    ck_assert_int_eq(a.exit_status, 0);
    dsml_sweep_account_free(&a);
}
END_TEST

START_TEST(test_json_format_and_weights)
{
    dsml_sweep_account a;
    dsml_sweep_account_init(&a, "paper-alexnet.sweep", "runs");
    ck_assert_int_eq(dsml_sweep_account_weights_missing(&a, "alexnet-imagenet", 1, "not downloaded: x",
                                                        "dsml fetch a"), 0);
    add(&a, "cub200", "alexnet-imagenet", DSML_ACCOUNT_RUN_SKIPPED);
    add(&a, "cub200", "cnn-f-imagenet", DSML_ACCOUNT_RUN_FINISHED);
    dsml_sweep_account_finish(&a);
    render(&a);
    dsml_json_doc doc;
    ck_assert_int_eq(dsml_json_parse(&doc, "account.json", json_text, strlen(json_text)), 0);
    ck_assert_int_eq((int)dsml_jv_number(doc.root, "format_version", 0), 1);
    ck_assert_str_eq(dsml_jv_string(doc.root, "sweep", ""), "paper-alexnet.sweep");
    ck_assert_str_eq(dsml_jv_string(doc.root, "kinds", ""), "runs");
    ck_assert_int_eq((int)dsml_jv_number(doc.root, "exit_status", -1), 1);
    const dsml_jv *w = dsml_jv_get(doc.root, "weights");
    ck_assert_int_eq(w->count, 2);
    ck_assert_str_eq(dsml_jv_string(w->child, "name", ""), "alexnet-imagenet");
    ck_assert_str_eq(dsml_jv_string(w->child, "status", ""), "failed");
    ck_assert_int_eq((int)dsml_jv_number(w->child, "runs", 0), 1);
    ck_assert_str_eq(dsml_jv_string(w->child->next, "status", ""), "present");
    const dsml_jv *d = dsml_jv_get(doc.root, "datasets")->child;
    ck_assert_str_eq(dsml_jv_string(d, "status", ""), "incomplete");
    ck_assert_int_eq((int)dsml_jv_number(d, "skipped", 0), 1);
    dsml_json_doc_free(&doc);
    /* the keys in the documented order */
    const char *keys[] = {"\"format_version\"", "\"sweep\"", "\"kinds\"", "\"datasets\"", "\"name\"", "\"runs\"",
                          "\"finished\"", "\"failed\"", "\"not_started\"", "\"skipped\"", "\"status\"", "\"reason\"",
                          "\"get\"", "\"weights\"", "\"exit_status\""};
    const char *at = json_text;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *next = strstr(at, keys[i]);
        ck_assert_msg(next, "%s missing or out of order in %s", keys[i], json_text);
        at = next;
    }
    ck_assert_msg(strstr(lines, "account: weights alexnet-imagenet  1 run: failed: not downloaded: x; get it: "
                                "dsml fetch a\n"), "%s", lines);
    dsml_sweep_account_free(&a);
}
END_TEST

/* A manual manifest is never fetched; FETCH=no is recorded; no manifest says so; fetch.json reads back. */
START_TEST(test_fetch_manual_off_and_record)
{
    ck_assert_ptr_nonnull(testdir_make("sweep-fetch"));
    char dir[4096], root[4096], path[8192];
    snprintf(dir, sizeof dir, "%s", testdir_path("manifests"));
    snprintf(root, sizeof root, "%s", testdir_path("data"));
    ck_assert_int_eq(dsml_mkdirs(dir) | dsml_mkdirs(root), 0);
    snprintf(path, sizeof path, "%s/nus-wide.manifest", dir);
    testdir_write_text(path, "name nus-wide\nfile ImageList.zip size unknown sha256 unknown md5 unknown\n"
                             "manual Download ImageList.zip and put it in $DSML_DATA/.\n");
    snprintf(path, sizeof path, "%s/cifar10.manifest", dir);
    /* a URL nothing would answer: with fetching off it is never asked */
    testdir_write_text(path, "name cifar10\nfile cifar-10-binary.tar.gz size 10 sha256 unknown md5 unknown\n"
                             "url http://127.0.0.1:1/cifar-10-binary.tar.gz\n");
    dsml_data_options o;
    dsml_data_options_default(&o);
    dsml_sweep_need needs[4];
    ck_assert_int_eq(dsml_sweep_fetch_dataset(&needs[0], "nus-wide", dir, root, &o, 1, NULL), 0);
    ck_assert_str_eq(needs[0].status, "manual");
    ck_assert_str_eq(needs[0].get, "see datasets/nus-wide.manifest: Download ImageList.zip and put it in $DSML_DATA/.");
    ck_assert_int_eq(dsml_sweep_fetch_dataset(&needs[1], "cifar10", dir, root, &o, 0, NULL), 0);
    ck_assert_str_eq(needs[1].status, "off");
    ck_assert_msg(strstr(needs[1].reason, "FETCH=no"), "%s", needs[1].reason);
    ck_assert_str_eq(needs[1].get, "dsml fetch cifar10");
    ck_assert_int_eq(dsml_sweep_fetch_dataset(&needs[2], "cub200", dir, root, &o, 1, NULL), 0);
    ck_assert_str_eq(needs[2].status, "unknown");
    ck_assert_int_eq(dsml_sweep_fetch_weights(&needs[3], "alexnet-imagenet", dir, root, 0, NULL), 0);
    ck_assert_int_eq(needs[3].weights, 1);
    ck_assert_str_eq(needs[3].status, "unknown");

    snprintf(path, sizeof path, "%s/fetch.json", root);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(dsml_sweep_fetch_write(needs, 4, 0, fp), 0);
    fclose(fp);
    dsml_sweep_need back;
    ck_assert_int_eq(dsml_sweep_fetch_lookup(path, "cifar10", 0, &back), 1);
    ck_assert_str_eq(back.status, "off");
    ck_assert_str_eq(back.reason, needs[1].reason);
    ck_assert_str_eq(back.get, "dsml fetch cifar10");
    ck_assert_int_eq(dsml_sweep_fetch_lookup(path, "cifar10", 1, &back), 0);
    ck_assert_int_eq(dsml_sweep_fetch_lookup(path, "alexnet-imagenet", 1, &back), 1);
    ck_assert_int_eq(dsml_sweep_fetch_lookup(path, "fashion-mnist", 0, &back), 0);
    testdir_write_text(path, "{\"datasets\": [");
    ck_assert_int_eq(dsml_sweep_fetch_lookup(path, "cifar10", 0, &back), DSML_ERR_FORMAT);
    testdir_done(1);
}
END_TEST

/* `dsml sweep account` on a sweep whose CIFAR-10 runs cannot be had: skipped, exit 1, account.json. */
START_TEST(test_account_command)
{
    ck_assert_ptr_nonnull(testdir_make("sweep-account"));
    testdir_write_text(testdir_path("t.sweep"), "set seed=1,2 dim=8 epochs=1\n"
                                                "dml dataset=cifar10 loss=triplet distance=euclidean\n");
    cmd_result r;
    char cmd[8192];
    /* the manifests named, not found beside the binary: a sanitized one lives in build/sanitize/ */
    snprintf(cmd, sizeof cmd, "DSML_MANIFESTS=datasets DSML_DATA=%s $DSML_BIN sweep account --results %s %s",
             testdir_path("data"), testdir_path("r"), testdir_path("t.sweep"));
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 1, "status %d: %s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.out, "account: cifar10           2 runs: skipped: not downloaded: no prepared cache or "
                                "source in the data root; get it: dsml fetch cifar10\n"), "%s", r.out);
    char path[4096];
    snprintf(path, sizeof path, "%s/account.json", testdir_path("r"));
    dsml_json_doc doc;
    ck_assert_int_eq(dsml_json_parse_file(&doc, path), 0);
    ck_assert_int_eq((int)dsml_jv_number(doc.root, "exit_status", 0), 1);
    ck_assert_str_eq(dsml_jv_string(dsml_jv_get(doc.root, "datasets")->child, "status", ""), "skipped");
    dsml_json_doc_free(&doc);
    /* each command's own flag is refused by the others, not ignored */
    snprintf(cmd, sizeof cmd, "$DSML_BIN sweep list --pending-ok %s", testdir_path("t.sweep"));
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 2 && strstr(r.err, "--pending-ok is an option of dsml sweep account only"), "%d: %s",
                  r.status, r.err);
    snprintf(cmd, sizeof cmd, "$DSML_BIN sweep account --no-fetch --results %s %s", testdir_path("r"),
             testdir_path("t.sweep"));
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 2 && strstr(r.err, "--no-fetch is an option of dsml sweep fetch only"), "%d: %s",
                  r.status, r.err);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"counts", 30, (const TTest *[]){test_counts_and_statuses, test_complete_exits_zero, NULL}},
        {"json", 30, (const TTest *[]){test_json_format_and_weights, NULL}},
        {"fetch", 30, (const TTest *[]){test_fetch_manual_off_and_record, NULL}},
        {"command", 60, (const TTest *[]){test_account_command, NULL}},
    };
    return suite_run_cases("sweep_account", cases, SUITE_CASES(cases));
}
