/* Tests of `dsml sweep --only` (src/cli/cmd_sweep.c): a pattern matches a
 * run's directory under the results root (what users type: cifar10/...,
 * *-snr-*) or its full path, and a pattern that matches no run of the sweep
 * is an error listing what it could match, so that `make reproduce ONLY=...`
 * never goes on to rebuild the tables from nothing new. --only repeats: a run
 * matching any pattern is selected; patterns matching nothing together fail. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static cmd_result r;

static const char *const sweep_text =
    "set dataset=fashion-mnist,cifar10 dim=16 seed=1 epochs=1\n"
    "dml loss=triplet distance=euclidean,snr\n"
    "hashing dataset=cifar10 loss=dpsh distance=euclidean\n";

/* `dsml sweep list --only PATTERN` on the test sweep, results under <testdir>/r. */
static void list_only(const char *pattern, const char *kind)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "DSML_DATA=%s $DSML_BIN sweep list --kind %s --results %s --only '%s' %s",
             testdir_path("data"), kind, testdir_path("r"), pattern, testdir_path("t.sweep"));
    run_shell(&r, cmd);
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++) n += *p == '\n';
    return n;
}

START_TEST(test_only_matches_under_the_results_root)
{
    ck_assert_ptr_nonnull(testdir_make("sweep-only"));
    testdir_write_text(testdir_path("t.sweep"), sweep_text);
    list_only("fashion-mnist/*-snr-*", "dml");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(count_lines(r.out), 1);
    ck_assert_msg(strstr(r.out, "/r/fashion-mnist/triplet-snr-d16-s1\t"), "%s", r.out);
    list_only("*snr*", "dml");
    ck_assert_msg(r.status == 0 && count_lines(r.out) == 1, "%s%s", r.out, r.err);
    /* the full path still matches, as before */
    list_only("*/r/fashion-mnist/*", "dml");
    ck_assert_msg(r.status == 0 && count_lines(r.out) == 2, "%s%s", r.out, r.err);
    /* runs that exist in the sweep but whose dataset is absent: skipped, not an error */
    list_only("cifar10/*", "dml");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(count_lines(r.out), 0);
    ck_assert_msg(strstr(r.err, "sweep: skipping the cifar10 runs"), "%s", r.err);
    /* a pattern matching only runs of another kind selects none of this kind, without error
     * (make reproduce runs the dml and the hashing kinds one after the other) */
    list_only("cifar10-hashing/*", "dml");
    ck_assert_msg(r.status == 0 && count_lines(r.out) == 0, "%s%s", r.out, r.err);
    testdir_done(1);
}
END_TEST

START_TEST(test_only_matching_nothing_is_an_error)
{
    ck_assert_ptr_nonnull(testdir_make("sweep-only-none"));
    testdir_write_text(testdir_path("t.sweep"), sweep_text);
    list_only("fashion/*", "runs");
    ck_assert_int_eq(r.status, 1);
    ck_assert_int_eq(count_lines(r.out), 0);
    ck_assert_msg(strstr(r.err, "--only 'fashion/*' matches none of the 5 runs of "), "%s", r.err);
    ck_assert_msg(strstr(r.err, "fashion-mnist/*  (e.g. fashion-mnist/triplet-euclidean-d16-s1)"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "cifar10-hashing/*  (e.g. cifar10-hashing/dpsh-euclidean-16b-s1)"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "'*-snr-*'"), "%s", r.err);
    /* every command that selects runs refuses it, the make fragment included */
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "$DSML_BIN sweep makefile --results %s --only 'nothing' --out %s %s",
             testdir_path("r"), testdir_path("s.mk"), testdir_path("t.sweep"));
    run_shell(&r, cmd);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "--only 'nothing' matches none"), "%s", r.err);
    ck_assert_msg(access(testdir_path("s.mk"), F_OK) != 0, "a fragment was written for a pattern that matches nothing");
    testdir_done(1);
}
END_TEST

/* --only is repeatable: a run is selected when any pattern matches; only patterns that together match
 * nothing are an error. */
START_TEST(test_only_repeatable)
{
    ck_assert_ptr_nonnull(testdir_make("sweep-only-many"));
    testdir_write_text(testdir_path("t.sweep"), sweep_text);
    list_only("fashion-mnist/*-snr-*' --only 'fashion-mnist/*-euclidean-*", "dml");
    ck_assert_msg(r.status == 0 && count_lines(r.out) == 2, "%s%s", r.out, r.err);
    /* one pattern matching nothing beside one that matches: no error */
    list_only("fashion-mnist/*-snr-*' --only 'nothing", "dml");
    ck_assert_msg(r.status == 0 && count_lines(r.out) == 1, "%s%s", r.out, r.err);
    list_only("nothing' --only 'nothing-else", "runs");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "--only 'nothing', 'nothing-else' match none of the 5 runs of "), "%s", r.err);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"root", 60, (const TTest *[]){test_only_matches_under_the_results_root, NULL}},
        {"none", 60, (const TTest *[]){test_only_matching_nothing_is_an_error, NULL}},
        {"many", 60, (const TTest *[]){test_only_repeatable, NULL}},
    };
    return suite_run_cases("sweep_only", cases, SUITE_CASES(cases));
}
