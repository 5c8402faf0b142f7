/* Tests of `dsml loss` (src/cli/cmd_loss.c) against the loss registry: an
 * option the chosen loss does not take is refused naming the losses that
 * take it, the --loss list and the help come from the registry, and the
 * options that reach a loss give the values worked out by hand. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metric/loss.h"
#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static cmd_result r;

/* `dsml loss` on e.txt and l.txt of the test's directory with `rest`. */
static void run_loss(const char *rest)
{
    char args[8192];
    snprintf(args, sizeof args, "loss --embeddings %s --labels %s %s", testdir_path("e.txt"),
             testdir_path("l.txt"), rest);
    run_dsml(&r, args);
}

/* The value printed as the last line of stdout. */
static double printed_value(void)
{
    ck_assert_msg(r.status == 0, "%s", r.err);
    const char *last = r.out, *nl;
    while ((nl = strchr(last, '\n')) && nl[1]) last = nl + 1;
    return strtod(last, NULL);
}

static void write_batch(const char *embeddings, const char *labels)
{
    testdir_write_text(testdir_path("e.txt"), embeddings);
    testdir_write_text(testdir_path("l.txt"), labels);
}

START_TEST(test_refuses_options_of_other_losses)
{
    ck_assert_ptr_nonnull(testdir_make("loss-command-options"));
    write_batch("0 0\n0.6 0\n0 0.8\n1 1\n", "3\n3\n5\n5\n");
    static const struct { const char *args, *message; } cases[] = {
        {"--loss contrastive --distance snr --beta 2", "--beta: not an option of contrastive (lifted takes it)"},
        {"--loss contrastive --distance snr --lifted-hard", "--lifted-hard: not an option of contrastive (lifted takes it)"},
        {"--loss npair --distance euclidean --margin 1",
         "--margin: not an option of npair (contrastive, triplet, lifted or dtsh take it)"},
        {"--loss lifted --distance euclidean --density 1",
         "--density: not an option of lifted (contrastive, triplet or npair take it)"},
        {"--loss dpsh --distance euclidean --kappa 4", "--kappa: not an option of dpsh (vmf takes it)"},
        {"--loss vmf --distance euclidean --quant 0.5", "--quant: not an option of vmf (dpsh or dtsh take it)"},
        {"--loss triplet --distance euclidean --gpw-mining none", "--gpw-mining: not an option of triplet (gpw takes it)"},
        {"--loss triplet --distance euclidean --means m.txt", "--means: not an option of triplet (vmf takes it)"},
        {"--loss hinge --distance euclidean",
         "--loss hinge: expected contrastive, triplet, lifted, npair, vmf, gpw, dpsh or dtsh"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_loss(cases[i].args);
        ck_assert_msg(r.status == 2, "%s: exit %d", cases[i].args, r.status);
        ck_assert_msg(strstr(r.err, cases[i].message), "%s: %s", cases[i].args, r.err);
    }
    /* a distance vmf and gpw do not work on: refused with the options, before any file is read */
    run_loss("--loss gpw --distance snr");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "gpw: works on cosine similarities, expected distance euclidean (the default), found snr"),
                  "%s", r.err);
    /* the common options are every loss's */
    run_loss("--loss gpw --distance euclidean --lambda 0.1");
    ck_assert_msg(r.status == 0, "%s", r.err);
    testdir_done(1);
}
END_TEST

START_TEST(test_help_lists_the_registry)
{
    run_dsml(&r, "loss --help");
    ck_assert_int_eq(r.status, 0);
    for (int k = 0; k < DSML_LOSS_COUNT; k++) {
        const dsml_loss_entry *e = dsml_loss_entry_of((dsml_loss_kind)k);
        ck_assert_msg(strstr(r.out, e->name) && strstr(r.out, e->summary), "%s", e->name);
    }
    ck_assert_ptr_nonnull(strstr(r.out, "--npair-l2 W"));
    ck_assert_ptr_nonnull(strstr(r.out, "--means M.txt"));
}
END_TEST

/* N-pair by hand (check_pair_losses.c): log(1 + e^-1) plus Sohn's penalty
 * at weight 0.4, 0.4 more. */
START_TEST(test_npair_l2_reaches_the_loss)
{
    ck_assert_ptr_nonnull(testdir_make("loss-command-npair"));
    write_batch("1 0\n2 0\n0 1\n1 1\n", "7\n7\n9\n9\n");
    run_loss("--loss npair --distance euclidean");
    ck_assert_double_eq_tol(printed_value(), 0.31326168751822286, 1e-6);
    run_loss("--loss npair --distance euclidean --npair-l2 0.4");
    ck_assert_double_eq_tol(printed_value(), 0.31326168751822286 + 0.4, 1e-6);
    testdir_done(1);
}
END_TEST

/* --equations reaches the loss: contrastive by hand (check_pair_losses.c),
 * 1.7 as non-zero means, 5.6 as eq. 8's sums; dpsh refuses paper. */
START_TEST(test_equations_reach_the_loss)
{
    ck_assert_ptr_nonnull(testdir_make("loss-command-equations"));
    write_batch("0 0\n0.6 0\n0 0.8\n", "3\n3\n5\n");
    run_loss("--loss contrastive --distance euclidean --margin 2 --equations common");
    ck_assert_double_eq_tol(printed_value(), 1.7, 1e-6);
    run_loss("--loss contrastive --distance euclidean --margin 2 --equations paper");
    ck_assert_double_eq_tol(printed_value(), 5.6, 1e-6);
    run_loss("--loss dpsh --distance euclidean --equations paper");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "dpsh: --equations paper applies to the paper's losses"), "%s", r.err);
    testdir_done(1);
}
END_TEST

/* vMF by hand (check_related.c): means (1, 0), (0, 1), kappa 2. */
START_TEST(test_vmf_means_and_kappa)
{
    ck_assert_ptr_nonnull(testdir_make("loss-command-vmf"));
    write_batch("2 0\n1 1\n", "0\n1\n");
    testdir_write_text(testdir_path("m.txt"), "5 0\n0 0.5\n");
    char rest[4096];
    snprintf(rest, sizeof rest, "--loss vmf --distance euclidean --kappa 2 --means %s", testdir_path("m.txt"));
    run_loss(rest);
    ck_assert_double_eq_tol(printed_value(), (log(1 + exp(-2.0)) + log(2.0)) / 2, 1e-6);
    run_loss("--loss vmf --distance euclidean");
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "vmf needs --means M.txt"));
    testdir_done(1);
}
END_TEST

/* GPW, MS weighting, no mining, two rows at S = 0 of different classes
 * (check_related.c): 1/b log(1 + e^{b(0 - l)}). --gpw-weighting resets the
 * scales to its defaults before --gpw-beta, whatever the order given. */
START_TEST(test_gpw_options_in_order)
{
    ck_assert_ptr_nonnull(testdir_make("loss-command-gpw"));
    write_batch("1 0\n0 2\n", "0\n1\n");
    run_loss("--loss gpw --distance euclidean --gpw-mining none --gpw-beta 4 --gpw-lambda -0.25 --gpw-weighting ms");
    ck_assert_double_eq_tol(printed_value(), log(1 + exp(1.0)) / 4, 1e-6);
    testdir_done(1);
}
END_TEST

START_TEST(test_loss_command_errors_name_file_and_line)
{
    ck_assert_ptr_nonnull(testdir_make("cli-loss"));
    testdir_write_text(testdir_path("e.txt"), "0 1\n1 0\n0.5 nan\n");
    testdir_write_text(testdir_path("ragged.txt"), "0 1\n1 0 3\n");
    testdir_write_text(testdir_path("l.txt"), "0\n0\n1\n");
    testdir_write_text(testdir_path("l2.txt"), "0\n1\n");
    char args[8192];
    snprintf(args, sizeof args, "loss --embeddings %s --labels %s --loss contrastive --distance snr",
             testdir_path("e.txt"), testdir_path("l.txt"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "e.txt: line 3, column 2") && strstr(r.err, "not a finite"), "%s", r.err);

    snprintf(args, sizeof args, "loss --embeddings %s --labels %s --loss triplet --distance euclidean",
             testdir_path("ragged.txt"), testdir_path("l2.txt"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "ragged.txt: line 2: 3 values, expected 2"), "%s", r.err);

    testdir_write_text(testdir_path("e.txt"), "0 1\n1 0\n0.5 0.5\n");
    snprintf(args, sizeof args, "loss --embeddings %s --labels %s --loss triplet --distance euclidean",
             testdir_path("e.txt"), testdir_path("l2.txt"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "2 labels for 3 embeddings"), "%s", r.err);
    testdir_done(1);
}
END_TEST

/* A bad value is quoted alone, with its line and column, never with the rest
 * of the line or its newline; labels are whole non-negative integers. */
START_TEST(test_loss_command_quotes_only_the_token)
{
    ck_assert_ptr_nonnull(testdir_make("cli-loss-token"));
    static const struct { const char *embeddings, *labels, *message; } cases[] = {
        {"0 1\n1x 0\n", "0\n1\n", "e.txt: line 2, column 1: '1x' is not a number\n"},
        {"0 1\n1 0,5\n", "0\n1\n", "e.txt: line 2, column 2: '0,5' is not a number\n"},
        {"0 1\n1 0x10\n", "0\n1\n", "e.txt: line 2, column 2: '0x10' is not a number\n"},
        {"0 1\n1 inf # note\n", "0\n1\n", "e.txt: line 2, column 2: inf is not a finite float\n"},
        {"0 1\n1 abcdefghijklmnopqrstuvwxyz0123456789\n", "0\n1\n",
         "e.txt: line 2, column 2: 'abcdefghijklmnopqrstuvwx...' is not a number\n"},
        {"0 1\n1 0\n", "0\n1.5 \n", "l.txt: line 2: '1.5' is not a label (an integer in 0..1000000000)\n"},
        {"0 1\n1 0\n", "-1\n1\n", "l.txt: line 1: '-1' is not a label (an integer in 0..1000000000)\n"},
        {"0 1\n1 0\n", "0\n# two\n1 2\n", "l.txt: line 3: more than one value, expected one integer label per "
                                              "line\n"},
        {"0 1\n1 0\n", "0\n1x\n", "l.txt: line 2: '1x' is not a label (an integer in 0..1000000000)\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_batch(cases[i].embeddings, cases[i].labels);
        run_loss("--loss contrastive --distance euclidean");
        ck_assert_msg(r.status == 1, "case %zu: status %d", i, r.status);
        size_t len = strlen(r.err), want = strlen(cases[i].message);
        ck_assert_msg(len >= want && !strcmp(r.err + len - want, cases[i].message), "case %zu: %s", i, r.err);
        ck_assert_msg(!strchr(r.err, '\n') || strchr(r.err, '\n') == r.err + len - 1, "case %zu: %s", i, r.err);
    }
    /* comments, blank lines and blanks around labels are fine */
    write_batch("0 1 # a\n\n1 0\n", "  0  # first\n\n\t1\n");
    run_loss("--loss contrastive --distance euclidean");
    ck_assert_msg(r.status == 0, "%s", r.err);
    testdir_done(1);
}
END_TEST

/* Three points, margin 2: a case small enough to do by hand, checked against
 * the value and the gradient file. Normalisation (docs/losses.md): mean over
 * positive ordered pairs + mean over negative ordered pairs with non-zero hinge. */
START_TEST(test_loss_command_value_and_gradient)
{
    ck_assert_ptr_nonnull(testdir_make("cli-loss-value"));
    /* h0=(0,0) h1=(0.6,0) same class; h2=(0,0.8) other class.
       positive ordered pairs (0,1),(1,0): d=0.6 -> mean 0.6
       negative (0,2),(2,0): d=0.8 -> 2-0.8=1.2; (1,2),(2,1): d=1.0 -> 1.0; mean 1.1
       loss = 0.6 + 1.1 = 1.7 */
    testdir_write_text(testdir_path("e.txt"), "0 0\n0.6 0\n0 0.8\n");
    testdir_write_text(testdir_path("l.txt"), "3\n3\n5\n");
    char args[8192];
    snprintf(args, sizeof args,
             "loss --embeddings %s --labels %s --loss contrastive --distance euclidean --margin 2 --lambda 0 "
             "--grad %s", testdir_path("e.txt"), testdir_path("l.txt"), testdir_path("g.txt"));
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    const char *last = r.out, *nl;
    while ((nl = strchr(last, '\n')) && nl[1]) last = nl + 1;
    ck_assert_double_eq_tol(strtod(last, NULL), 1.7, 1e-6);
    const char *grad = read_text(testdir_path("g.txt"));
    float g[6];
    ck_assert_int_eq(sscanf(grad, "%f %f %f %f %f %f", &g[0], &g[1], &g[2], &g[3], &g[4], &g[5]), 6);
    /* dh0: positive pairs 2 x (h0-h1)/0.6 / 2 = (-1, 0); negatives (0,2),(2,0): 2 x -(h0-h2)/0.8 / 4
       = (0, 0.5): total (-1, 0.5). dh1: (1, 0) + 2 x -(h1-h2)/1.0 / 4 = (1,0) + (-0.3, 0.4) = (0.7, 0.4).
       dh2: 2 x -(h2-h0)/0.8 / 4 + 2 x -(h2-h1)/1.0 / 4 = (0, -0.5) + (0.3, -0.4) = (0.3, -0.9). */
    static const float expected[6] = {-1.0f, 0.5f, 0.7f, 0.4f, 0.3f, -0.9f};
    for (int i = 0; i < 6; i++) ck_assert_float_eq_tol(g[i], expected[i], 1e-5f);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"options", 60, (const TTest *[]){test_refuses_options_of_other_losses, test_help_lists_the_registry, NULL}},
        {"values", 60,
         (const TTest *[]){test_npair_l2_reaches_the_loss, test_equations_reach_the_loss, test_vmf_means_and_kappa,
                           test_gpw_options_in_order, test_loss_command_value_and_gradient, NULL}},
        {"files", 60, (const TTest *[]){test_loss_command_errors_name_file_and_line,
                                        test_loss_command_quotes_only_the_token, NULL}},
    };
    return suite_run_cases("loss_command", cases, SUITE_CASES(cases));
}
