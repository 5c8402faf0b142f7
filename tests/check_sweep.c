/* Tests of sweep files and what is made from them (src/run/sweep.h,
 * src/cli/cmd_sweep.c): parsing and its errors, expansion and run ids,
 * dsml train lines, finished/unfinished/stale against metrics.json, the
 * -jN rule, the make fragment (run by make, resumed, a stale run redone, a
 * killed run), the SLURM script (run live on a one-node cluster by
 * tests/check_slurm.sh, `make check-slurm`), tuning (choice and rewriting),
 * and the committed paper.sweep. */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset.h"
#include "run/sweep.h"
#include "support/run_cmd.h"
#include "support/testdir.h"
#include "support/suite_run.h"

static cmd_result r;

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int have_fashion_mnist(void)
{
    if (access("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", R_OK) == 0) return 1;
    fprintf(stderr, "SKIP: /usr/share/datasets/fashion-mnist is absent (apt-get install dataset-fashion-mnist)\n");
    return 0;
}

/* A metrics.json with the keys the sweep compares, as dsml train writes them. */
static void write_metrics(const char *dir, const char *loss, const char *distance, int dim, int seed, double lr,
                          double margin, int epochs, int validation, int evaluated_on_validation, double map_at_r)
{
    ck_assert_int_eq(dsml_mkdirs(dir), DSML_OK);
    char path[4096], text[4096];
    snprintf(path, sizeof path, "%s/metrics.json", dir);
    snprintf(text, sizeof text,
             "{\"format_version\": 1, \"config\": {\"dataset\": \"fashion-mnist\", \"model\": \"mlp\", \"hidden\": [64],"
             " \"dim\": %d, \"loss\": \"%s\", \"distance\": \"%s\", \"margin\": %.9g, \"beta\": 1, \"lambda\": 0,"
             " \"epochs\": %d, \"classes_per_batch\": 10, \"images_per_class\": 5, \"lr\": %.9g,"
             " \"momentum\": 0.89999997615814209, \"seed\": %d},"
             " \"data\": {\"split\": {\"queries_per_class\": 100, \"train_per_class\": 500,"
             " \"validation_per_class\": %d, \"evaluated_on_validation\": %s}},"
             " \"metrics\": {\"euclidean\": {\"map@r\": %.6f}}, \"wall_seconds\": {\"total\": 12.5}}\n",
             dim, loss, distance, (double)(float)margin, epochs, (double)(float)lr, seed, validation,
             evaluated_on_validation ? "true" : "false", map_at_r);
    testdir_write_text(path, text);
}

/* ---- parsing and expansion ------------------------------------------------------------ */

#define GOOD "# a comment line\n" \
             "set dataset=fashion-mnist,cifar10 dim=16,32 seed=1 epochs=2 # trailing comment\n" \
             "\n" \
             "dml loss=contrastive distance=euclidean,snr lr=0.01 hidden=64,32 model=mlp\n" \
             "set seed=1,2\n" \
             "hashing dataset=cifar10 loss=dpsh distance=euclidean bits=16,24 lr=0.02\n" \
             "tune-set dataset=fashion-mnist dim=32 seed=1 validation-per-class=50\n" \
             "tune loss=triplet distance=snr lr=0.003,0.01 margin=0.25,0.5 epochs=1\n"

START_TEST(test_parse_and_expand)
{
    dsml_sweep sw;
    ck_assert_msg(dsml_sweep_parse(&sw, "good.sweep", GOOD, "res") == DSML_OK, "%s", dsml_last_error());
    /* dml: 2 datasets x 1 loss x 2 distances x 2 dims x 1 seed; hashing: 1 x 1 x 1 x 2 bits x 2 seeds */
    ck_assert_int_eq(sw.n_runs, 8 + 4);
    ck_assert_int_eq(sw.n_tune, 4);
    ck_assert_int_eq(sw.n_tune_groups, 1);
    ck_assert_int_eq(sw.n_lines, 8);
    const dsml_sweep_run *a = &sw.runs[0];
    ck_assert_int_eq(a->kind, DSML_SWEEP_DML);
    ck_assert_int_eq(a->line, 4);
    ck_assert_str_eq(a->id, "contrastive-euclidean-d16-s1");
    ck_assert_str_eq(a->dir, "res/fashion-mnist/contrastive-euclidean-d16-s1");
    ck_assert_str_eq(sw.runs[1].id, "contrastive-euclidean-d32-s1");
    ck_assert_str_eq(sw.runs[2].id, "contrastive-snr-d16-s1");
    ck_assert_str_eq(sw.runs[4].dir, "res/cifar10/contrastive-euclidean-d16-s1");
    /* grid keys first, then the others in the table's order */
    ck_assert_str_eq(a->params[0].key, "dataset");
    ck_assert_str_eq(a->params[4].key, "seed");
    ck_assert_str_eq(dsml_sweep_run_get(a, "hidden"), "64,32");
    ck_assert_str_eq(dsml_sweep_run_get(a, "epochs"), "2");
    ck_assert_ptr_null(dsml_sweep_run_get(a, "margin"));
    const dsml_sweep_run *h = &sw.runs[8];
    ck_assert_int_eq(h->kind, DSML_SWEEP_HASHING);
    ck_assert_str_eq(h->dir, "res/cifar10-hashing/dpsh-euclidean-16b-s1");
    ck_assert_str_eq(sw.runs[9].id, "dpsh-euclidean-16b-s2");
    ck_assert_str_eq(sw.runs[11].id, "dpsh-euclidean-24b-s2");
    /* tune runs: only the keys with several values in the id */
    ck_assert_str_eq(sw.tune[0].dir, "res/tune/fashion-mnist-triplet-snr-d32-s1-margin0.25-lr0.003");
    ck_assert_str_eq(sw.tune[3].id, "fashion-mnist-triplet-snr-d32-s1-margin0.5-lr0.01");
    ck_assert_str_eq(dsml_sweep_run_get(&sw.tune[0], "validation-per-class"), "50");
    /* tune lines do not inherit set lines */
    ck_assert_ptr_null(dsml_sweep_run_get(&sw.tune[0], "hidden"));

    char args[4096];
    ck_assert_int_eq(dsml_sweep_train_args(a, 3, NULL, args, sizeof args), DSML_OK);
    ck_assert_str_eq(args, "train --dataset fashion-mnist --loss contrastive --distance euclidean --dim 16 --seed 1 "
                           "--model mlp --hidden 64,32 --epochs 2 --lr 0.01 --threads 3 "
                           "--out res/fashion-mnist/contrastive-euclidean-d16-s1");
    ck_assert_int_eq(dsml_sweep_train_args(h, 0, "/data/c.tar.gz", args, sizeof args), DSML_OK);
    ck_assert_str_eq(args, "train --protocol hashing --dataset cifar10 --loss dpsh --distance euclidean --dim 16 "
                           "--seed 1 --epochs 2 --lr 0.02 --from /data/c.tar.gz "
                           "--out res/cifar10-hashing/dpsh-euclidean-16b-s1");
    char small[40];
    ck_assert_int_eq(dsml_sweep_train_args(a, 1, NULL, small, sizeof small), DSML_ERR_ARG);
    dsml_sweep_free(&sw);
}
END_TEST

/* claims equivalence-margin=PP: kept with the grid, read by `dsml sweep claims-options` for `make tables`. */
START_TEST(test_claims_line)
{
    dsml_sweep sw;
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s", "set dataset=fashion-mnist dim=16 seed=1\n"
                                                "claims equivalence-margin=0.5 # looser\n"
                                                "dml loss=triplet distance=snr\n", "r"), DSML_OK);
    ck_assert_double_eq(sw.equivalence_margin, 0.5);
    ck_assert_int_eq(sw.n_runs, 1);
    dsml_sweep_free(&sw);
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s", "dml dataset=fashion-mnist loss=triplet distance=snr dim=16 seed=1\n",
                                      "r"), DSML_OK);
    ck_assert_double_eq(sw.equivalence_margin, 0);
    dsml_sweep_free(&sw);
    run_dsml(&r, "sweep claims-options paper.sweep");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, "--equivalence-margin 1\n");
}
END_TEST

START_TEST(test_parse_errors_name_file_and_line)
{
    static const struct { const char *text, *message; } cases[] = {
        {"run dataset=x\n", "s.sweep:1: expected set, dml, hashing, tune-set, tune or claims, found run"},
        {"claims margin=1\n", "s.sweep:1: expected equivalence-margin=PP on a claims line, found margin=1"},
        {"claims equivalence-margin=0\n", "s.sweep:1: expected a margin in percentage points in (0, 100], found"},
        {"claims equivalence-margin=1x\n", "s.sweep:1: expected a margin in percentage points in (0, 100]"},
        {"claims equivalence-margin=1\nclaims equivalence-margin=2\n",
         "s.sweep:2: expected one equivalence margin per file, found equivalence-margin=2"},
        {"set dim=16\n\ndml lr\n", "s.sweep:3: expected KEY=VALUE, found lr"},
        {"dml colour=red\n", "s.sweep:1: expected a key of docs/sweep.md"},
        {"set dataset=fashion-mnist loss=triplet distance=snr dim=16 seed=1\ndml lr=fast\n",
         "s.sweep:2: expected a finite number in [1e-12, 1000], found lr=fast"},
        {"dml dim=0\n", "s.sweep:1: expected an integer in 1..4096, found dim=0"},
        {"dml dim=16,,32\n", "s.sweep:1: expected a comma-separated list without empty elements, found dim=16,,32"},
        {"set dataset=fashion-mnist loss=triplet distance=snr dim=16 seed=1\ndml lr=0.1,0.2\n",
         "s.sweep:2: expected one value (lists only for dataset, loss, distance, dim, seed"},
        {"dml dataset=fashion-mnist loss=triplet distance=snr dim=16\n",
         "s.sweep:1: expected seed=N, found none (give it on this line or a set line above)"},
        {"set dataset=fashion-mnist loss=triplet dim=16 seed=1\ndml distance=cosine\n",
         "s.sweep:2: expected euclidean, sqeuclidean or snr, found distance=cosine"},
        {"set dataset=fashion-mnist distance=snr dim=16 seed=1\ndml loss=hinge\n",
         "s.sweep:2: expected contrastive, triplet, lifted, npair, vmf, gpw, dpsh or dtsh, found loss=hinge"},
        {"set dataset=fashion-mnist distance=snr dim=16 seed=1\ndml loss=npair margin=1\n",
         "s.sweep:2: run npair-snr-d16-s1: --margin: not an option of npair"},
        {"set dataset=fashion-mnist distance=snr dim=16 seed=1\ndml loss=triplet batch=25\n",
         "s.sweep:2: run triplet-snr-d16-s1: --batch 25 is not a multiple of --images-per-class 10"},
        {"hashing dataset=cifar10 loss=dpsh distance=euclidean dim=16 seed=1 train-per-class=9\n",
         "s.sweep:1: run dpsh-euclidean-16b-s1: --train-per-class: not an option of the hashing protocol"},
        {"set dataset=Fashion dim=16 seed=1 loss=triplet distance=snr\ndml\n",
         "s.sweep:1: expected a name of lower-case letters"},
        {"set dataset=fashion-mnist dim=16 seed=1 loss=triplet distance=snr\ndml\ndml lr=0.1\n",
         "s.sweep:3: run r/fashion-mnist/triplet-snr-d16-s1 already comes from line 2"},
        {"tune dataset=fashion-mnist loss=triplet distance=snr dim=16 seed=1 lr=0.1,0.2\n",
         "s.sweep:1: expected validation-per-class=N with one N > 0 (tuning never looks at the queries), found none"},
        {"set dataset=fashion-mnist dim=16 seed=1 loss=triplet distance=snr from=/x;rm\ndml\n",
         "s.sweep:1: expected a path of letters"},
        {"set dim=16 dim=32\n", "s.sweep:1: expected each key once, found dim=32"},
        /* found by fuzz_sweep: an empty value left the run without a seed (atol(NULL)) */
        {"dml dataset=fashion-mnist loss=triplet distance=snr dim=16 seed=\n",
         "s.sweep:1: expected a value, found seed="},
        {"set seed=\ndml dataset=fashion-mnist loss=triplet distance=snr dim=16\n",
         "s.sweep:1: expected a value, found seed="},
        {"dml dataset= loss= distance= bits= seed=\n", "s.sweep:1: expected a value, found dataset="},
        /* a list longer than expansion takes is refused, not cut to its first 64 values */
        {"dml dataset=fashion-mnist loss=triplet distance=snr dim=16 seed=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,"
         "17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,"
         "51,52,53,54,55,56,57,58,59,60,61,62,63,64,65\n",
         "s.sweep:1: expected at most 64 comma-separated values, found 65 values in seed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dsml_sweep sw;
        int rc = dsml_sweep_parse(&sw, "s.sweep", cases[i].text, "r");
        ck_assert_msg(rc == DSML_ERR_FORMAT, "case %zu: rc %d", i, rc);
        ck_assert_msg(strstr(dsml_last_error(), cases[i].message), "case %zu: %s", i, dsml_last_error());
        ck_assert_int_eq(sw.n_runs, 0);
        ck_assert_ptr_null(sw.lines);
    }
    /* hashing lines take losses of the hashing trainer */
    dsml_sweep sw;
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s.sweep", "hashing dataset=cifar10 loss=dtsh distance=euclidean dim=48 "
                                                      "seed=3\n", "r"), DSML_OK);
    ck_assert_int_eq(sw.n_runs, 1);
    dsml_sweep_free(&sw);
    /* options of the related methods, negative where the option allows it */
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s.sweep", "set dataset=cub200 distance=euclidean dim=64 seed=1\n"
                                                      "dml loss=gpw gpw-lambda=-0.5\n"
                                                      "dml loss=vmf kappa=16\n"
                                                      "dml loss=contrastive density=0.1\n", "r"), DSML_OK);
    ck_assert_str_eq(dsml_sweep_run_get(&sw.runs[0], "gpw-lambda"), "-0.5");
    ck_assert_str_eq(dsml_sweep_run_get(&sw.runs[1], "kappa"), "16");
    ck_assert_str_eq(sw.runs[2].id, "contrastive-euclidean-density0.1-d64-s1");
    dsml_sweep_free(&sw);
    /* a density or GPW variant has its own run id; density 0 is the base run */
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s.sweep", "dml dataset=cifar10 loss=triplet distance=snr dim=32 seed=1 "
                                                      "density=0\n"
                                                      "dml dataset=cifar10 loss=triplet distance=snr dim=32 seed=1 "
                                                      "density=0.5\n"
                                                      "dml dataset=cifar10 loss=gpw distance=euclidean dim=32 seed=1 "
                                                      "gpw-mining=none gpw-weighting=binomial\n"
                                                      "hashing dataset=cifar10 loss=contrastive distance=snr dim=16 "
                                                      "seed=1 density=0.1\n", "r"), DSML_OK);
    ck_assert_int_eq(sw.n_runs, 4);
    ck_assert_str_eq(sw.runs[0].id, "triplet-snr-d32-s1");
    ck_assert_str_eq(sw.runs[1].id, "triplet-snr-density0.5-d32-s1");
    ck_assert_str_eq(sw.runs[2].id, "gpw-euclidean-mining-none-weighting-binomial-d32-s1");
    ck_assert_str_eq(sw.runs[3].id, "contrastive-snr-density0.1-16b-s1");
    dsml_sweep_free(&sw);
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s.sweep", "dml dataset=cub200 loss=vmf distance=euclidean dim=64 "
                                                      "seed=1 kappa=-1\n", "r"), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "expected a finite number in [1e-06, 1e+06], found kappa=-1"));
    ck_assert_int_eq(dsml_sweep_load(&sw, "/nonexistent/x.sweep", "r"), DSML_ERR_IO);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "/nonexistent/x.sweep: cannot open"));
}
END_TEST

/* ---- states, jobs, datasets --------------------------------------------------------- */

START_TEST(test_run_state_finished_unfinished_stale)
{
    ck_assert_ptr_nonnull(testdir_make("sweep-state"));
    char root[4096];
    snprintf(root, sizeof root, "%s/res", testdir_path(""));
    dsml_sweep sw;
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s", "dml dataset=fashion-mnist loss=triplet distance=snr dim=16 seed=1 "
                                                "lr=0.01 margin=0.5 epochs=3 model=mlp hidden=64 batch=50 "
                                                "momentum=0.9 from=/somewhere\n", root), DSML_OK);
    const dsml_sweep_run *run = &sw.runs[0];
    dsml_run_state st;
    double wall = -1;
    char why[512];
    ck_assert_int_eq(dsml_sweep_run_state(run, &st, why, sizeof why, &wall), DSML_OK);
    ck_assert_int_eq(st, DSML_RUN_UNFINISHED);
    ck_assert_double_eq(wall, 0);

    /* values recorded as float (0.01f = 0.0099999998), momentum 0.9f: finished */
    write_metrics(run->dir, "triplet", "snr", 16, 1, 0.01, 0.5, 3, 0, 0, 0.5);
    ck_assert_int_eq(dsml_sweep_run_state(run, &st, why, sizeof why, &wall), DSML_OK);
    ck_assert_msg(st == DSML_RUN_FINISHED, "%s", why);
    ck_assert_double_eq_tol(wall, 12.5, 1e-12);

    write_metrics(run->dir, "triplet", "snr", 16, 1, 0.03, 0.5, 3, 0, 0, 0.5);
    ck_assert_int_eq(dsml_sweep_run_state(run, &st, why, sizeof why, &wall), DSML_OK);
    ck_assert_int_eq(st, DSML_RUN_STALE);
    ck_assert_msg(strstr(why, "lr: sweep 0.01, run 0.03"), "%s", why);
    ck_assert_double_eq(wall, 0);

    write_metrics(run->dir, "triplet", "snr", 16, 1, 0.01, 0.5, 4, 0, 0, 0.5);
    ck_assert_int_eq(dsml_sweep_run_state(run, &st, why, sizeof why, NULL), DSML_OK);
    ck_assert_int_eq(st, DSML_RUN_STALE);
    ck_assert_msg(strstr(why, "epochs: sweep 3, run 4"), "%s", why);

    dsml_sweep_free(&sw);
    /* batch is classes_per_batch x images_per_class (10 x 5 in write_metrics) */
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s", "dml dataset=fashion-mnist loss=triplet distance=snr dim=16 seed=1 "
                                                "lr=0.01 batch=40\n", root), DSML_OK);
    ck_assert_int_eq(dsml_sweep_run_state(&sw.runs[0], &st, why, sizeof why, NULL), DSML_OK);
    ck_assert_int_eq(st, DSML_RUN_STALE);
    ck_assert_msg(strstr(why, "batch: sweep 40, run 50"), "%s", why);
    dsml_sweep_free(&sw);
    /* a hidden list that differs, and a key the run does not record */
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s", "dml dataset=fashion-mnist loss=triplet distance=snr dim=16 seed=1 "
                                                "model=mlp hidden=64,32\n", root), DSML_OK);
    ck_assert_int_eq(dsml_sweep_run_state(&sw.runs[0], &st, why, sizeof why, NULL), DSML_OK);
    ck_assert_int_eq(st, DSML_RUN_STALE);
    ck_assert_msg(strstr(why, "hidden: sweep 64,32, the run records another list"), "%s", why);
    dsml_sweep_free(&sw);
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s", "dml dataset=fashion-mnist loss=triplet distance=snr dim=16 seed=1 "
                                                "dropout=0.1\n", root), DSML_OK);
    ck_assert_int_eq(dsml_sweep_run_state(&sw.runs[0], &st, why, sizeof why, NULL), DSML_OK);
    ck_assert_int_eq(st, DSML_RUN_STALE);
    ck_assert_msg(strstr(why, "the run records none (config.dropout)"), "%s", why);

    /* a metrics.json that does not parse is an error */
    char path[4200];
    snprintf(path, sizeof path, "%s/metrics.json", sw.runs[0].dir);
    testdir_write_text(path, "{\"config\": ");
    ck_assert_int_eq(dsml_sweep_run_state(&sw.runs[0], &st, why, sizeof why, NULL), DSML_ERR_FORMAT);
    dsml_sweep_free(&sw);
    testdir_done(1);
}
END_TEST

START_TEST(test_make_jobs_and_threads)
{
    ck_assert_int_eq(dsml_sweep_make_jobs(NULL, 8), 1);
    ck_assert_int_eq(dsml_sweep_make_jobs("", 8), 1);
    ck_assert_int_eq(dsml_sweep_make_jobs("k", 8), 1);
    ck_assert_int_eq(dsml_sweep_make_jobs(" -j2 --jobserver-auth=3,4", 8), 2);
    ck_assert_int_eq(dsml_sweep_make_jobs("ks -j16 --jobserver-auth=fifo:/tmp/x", 8), 16);
    ck_assert_int_eq(dsml_sweep_make_jobs("-j 3", 8), 3);
    ck_assert_int_eq(dsml_sweep_make_jobs("--jobs=5", 8), 5);
    ck_assert_int_eq(dsml_sweep_make_jobs(" -j --jobserver-auth=3,4", 8), 8);
    ck_assert_int_eq(dsml_sweep_make_jobs("-- DSML=bin/-j9", 8), 1);
    ck_assert_int_eq(dsml_sweep_threads_per_run(2, 1), 2);
    ck_assert_int_eq(dsml_sweep_threads_per_run(2, 2), 1);
    ck_assert_int_eq(dsml_sweep_threads_per_run(2, 4), 1);
    ck_assert_int_eq(dsml_sweep_threads_per_run(16, 3), 5);
    ck_assert_int_eq(dsml_sweep_threads_per_run(16, 0), 16);

    /* what GNU make really puts into a recipe's MAKEFLAGS (a make of its own, whatever runs the test) */
    ck_assert_ptr_nonnull(testdir_make("sweep-makeflags"));
    testdir_write_text(testdir_path("Makefile"), "all:\n\t@echo \"$$MAKEFLAGS\"\n");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -j3 -C %s", testdir_path(""));
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(dsml_sweep_make_jobs(r.out, 8) == 3, "MAKEFLAGS was '%s'", r.out);
    snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C %s", testdir_path(""));
    run_shell(&r, cmd);
    ck_assert_msg(dsml_sweep_make_jobs(r.out, 8) == 1, "MAKEFLAGS was '%s'", r.out);
    testdir_done(1);
}
END_TEST

START_TEST(test_dataset_present)
{
    ck_assert_ptr_nonnull(testdir_make("sweep-present"));
    char why[24000];
    const char *root = testdir_path("");
    dsml_data_options o;
    dsml_data_options_default(&o);
    o.fashion_mnist_dir = testdir_path("no-fashion-mnist-here");
    ck_assert_int_eq(dsml_data_available("fashion-mnist", root, &o, why, sizeof why), 0);
    ck_assert_msg(strstr(why, "dataset-fashion-mnist"), "%s", why);
    ck_assert_int_eq(dsml_data_available("cifar10", root, &o, why, sizeof why), 0);
    ck_assert_msg(strstr(why, "cifar-10-binary.tar.gz") && strstr(why, "dsml fetch cifar10"), "%s", why);
    o.from = "/some/archive.tar.gz";
    ck_assert_int_eq(dsml_data_available("cifar10", root, &o, why, sizeof why), 1);
    o.from = NULL;
    ck_assert_int_eq(dsml_mkdirs(testdir_path("downloads")), DSML_OK);
    testdir_write_text(testdir_path("downloads/cifar-10-binary.tar.gz"), "x");
    ck_assert_int_eq(dsml_data_available("cifar10", root, &o, why, sizeof why), 1);
    ck_assert_int_eq(dsml_data_available("cub200", root, &o, why, sizeof why), 0);
    ck_assert_msg(strstr(why, "cache/cub200.dsd"), "%s", why);
    ck_assert_int_eq(dsml_data_available("my-images", root, &o, why, sizeof why), 0);
    ck_assert_msg(strstr(why, "dsml prepare imagefolder"), "%s", why);
    ck_assert_int_eq(dsml_mkdirs(testdir_path("cache")), DSML_OK);
    testdir_write_text(testdir_path("cache/cub200.dsd"), "x");
    ck_assert_int_eq(dsml_data_available("cub200", root, &o, why, sizeof why), 1);
    testdir_write_text(testdir_path("cache/fashion-mnist.dsd"), "x");
    ck_assert_int_eq(dsml_data_available("fashion-mnist", root, &o, why, sizeof why), 1);
    testdir_done(1);
}
END_TEST

/* ---- generated files ---------------------------------------------------------------------- */

START_TEST(test_makefile_and_slurm_text)
{
    ck_assert_ptr_nonnull(testdir_make("sweep-gen"));
    dsml_sweep sw;
    ck_assert_int_eq(dsml_sweep_parse(&sw, "g.sweep", "set dataset=fashion-mnist loss=triplet dim=8 seed=1 lr=0.01\n"
                                                      "dml distance=euclidean,snr,sqeuclidean\n", "res"), DSML_OK);
    dsml_sweep_item items[3] = {
        {&sw.runs[0], DSML_RUN_FINISHED, NULL}, {&sw.runs[1], DSML_RUN_STALE, NULL},
        {&sw.runs[2], DSML_RUN_UNFINISHED, "/d/f"},
    };
    FILE *fp = fopen(testdir_path("f.mk"), "w");
    ck_assert_int_eq(dsml_sweep_write_makefile(fp, "g.sweep", items, 3, 2, 1, "$(DSML) sweep status --line"), DSML_OK);
    fclose(fp);
    const char *mk = read_text(testdir_path("f.mk"));
    ck_assert_ptr_nonnull(strstr(mk, "3 runs: 1 finished, 1 stale, 1 unfinished"));
    ck_assert_ptr_nonnull(strstr(mk, "SWEEP_DML_RUNS := \\\n    res/fashion-mnist/triplet-euclidean-d8-s1/metrics.json \\\n"));
    ck_assert_ptr_nonnull(strstr(mk, "\nres/fashion-mnist/triplet-euclidean-d8-s1/metrics.json:\n"));
    ck_assert_ptr_nonnull(strstr(mk, "\nres/fashion-mnist/triplet-snr-d8-s1/metrics.json: sweep-force\n"));
    ck_assert_ptr_nonnull(strstr(mk, "\t@mv -f $@ $(@D)/metrics.stale.json\n"));
    ck_assert_ptr_nonnull(strstr(mk, "--lr 0.01 --threads 2 --from /d/f --out res/fashion-mnist/triplet-sqeuclidean-d8-s1\n"
                                     "\t@$(DSML) sweep status --line\n"));
    ck_assert_ptr_nonnull(strstr(mk, "(2 of 2 to run when this file was made)"));

    dsml_slurm_options o = {.dsml = "/opt/dsml", .workdir = "/repo", .log_dir = "logs", .job_name = "j",
                            .cpus_per_task = 4, .max_parallel = 3, .time_limit = "01:00:00"};
    int tasks = -1;
    fp = fopen(testdir_path("s.sh"), "w");
    ck_assert_int_eq(dsml_sweep_write_slurm(fp, "g.sweep", items, 3, &o, &tasks), DSML_OK);
    fclose(fp);
    ck_assert_int_eq(tasks, 2);
    const char *sh = read_text(testdir_path("s.sh"));
    ck_assert_ptr_nonnull(strstr(sh, "#!/bin/bash\n"));
    ck_assert_ptr_nonnull(strstr(sh, "#SBATCH --array=0-1%3\n"));
    ck_assert_ptr_nonnull(strstr(sh, "#SBATCH --cpus-per-task=4\n#SBATCH --chdir=/repo\n#SBATCH --output=logs/%A_%a.out\n"
                                     "#SBATCH --time=01:00:00\n"));
    ck_assert_ptr_nonnull(strstr(sh, "0) out=res/fashion-mnist/triplet-snr-d8-s1 stale=1\n"));
    ck_assert_ptr_nonnull(strstr(sh, "1) out=res/fashion-mnist/triplet-sqeuclidean-d8-s1\n   args=\"train --dataset"));
    ck_assert_ptr_nonnull(strstr(sh, "--threads 4 --from /d/f --out res/fashion-mnist/triplet-sqeuclidean-d8-s1\" ;;\n"));
    ck_assert_ptr_null(strstr(sh, "triplet-euclidean-d8-s1"));
    /* the script is valid shell */
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "bash -n %s", testdir_path("s.sh"));
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    /* relative paths are refused; with every run finished there is no task */
    o.dsml = "bin/dsml";
    fp = fopen(testdir_path("t.sh"), "w");
    ck_assert_int_eq(dsml_sweep_write_slurm(fp, "g.sweep", items, 3, &o, &tasks), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_sweep_write_slurm(fp, "g.sweep", items, 1, &o, &tasks), DSML_OK);
    ck_assert_int_eq(tasks, 0);
    fclose(fp);
    dsml_sweep_free(&sw);
    testdir_done(1);
}
END_TEST

/* ---- make: run, resume, stale, killed -------------------------------------------------------- */

#define TINY "set dataset=fashion-mnist dim=8 seed=1 model=mlp hidden=32 queries-per-class=10 " \
             "train-per-class=20 batch=20 images-per-class=2 lr=%s\n" \
             "dml loss=contrastive distance=euclidean,snr epochs=1\n"

START_TEST(test_make_runs_resumes_and_redoes_stale)
{
    if (!have_fashion_mnist()) return;
    const char *bin = getenv("DSML_BIN");
    ck_assert_msg(bin != NULL, "DSML_BIN is not set (make check sets it)");
    ck_assert_ptr_nonnull(testdir_make("sweep-make"));
    char text[1024], cmd[16384], dir[4096];
    snprintf(dir, sizeof dir, "%s", testdir_path(""));
    snprintf(text, sizeof text, TINY, "0.01");
    testdir_write_text(testdir_path("t.sweep"), text);
    /* a fragment, and a Makefile that includes it as the project's does */
    testdir_write_text(testdir_path("Makefile"), "include $(SWEEP_MK)\nall: $(SWEEP_DML_RUNS)\n");
#define GEN "cd %s && %s sweep makefile --jobs 2 --cores 2 --results res --status-command '$(DSML) sweep status --line --results res " \
            "t.sweep' --out sweep.mk t.sweep && make -s -j2 SWEEP_MK=sweep.mk DSML=%s all"
    snprintf(cmd, sizeof cmd, GEN, dir, bin, bin);
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "%s\n%s", r.out, r.err);
    ck_assert_msg(strstr(r.out, "sweep: starting res/fashion-mnist/contrastive-snr-d8-s1 ("), "%s", r.out);
    ck_assert_msg(strstr(r.out, "sweep: 2/2 runs finished (0 stale, 0 unfinished), ETA 0 s"), "%s", r.out);
    ck_assert(exists(testdir_path("res/fashion-mnist/contrastive-euclidean-d8-s1/metrics.json")));
    ck_assert(exists(testdir_path("res/fashion-mnist/contrastive-snr-d8-s1/metrics.json")));
    ck_assert_ptr_nonnull(strstr(read_text(testdir_path("sweep.mk")), "1 thread each"));
    /* again: nothing to do */
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(!strstr(r.out, "starting"), "a finished run was repeated: %s", r.out);
    /* a changed learning rate makes both stale: they run again, the old files kept aside */
    snprintf(text, sizeof text, TINY, "0.02");
    testdir_write_text(testdir_path("t.sweep"), text);
    snprintf(cmd, sizeof cmd, "cd %s && %s sweep status --results res t.sweep", dir, bin);
    run_shell(&r, cmd);
    ck_assert_msg(strstr(r.out, "stale      dml     res/fashion-mnist/contrastive-snr-d8-s1: lr: sweep 0.02, run 0.01"),
                  "%s", r.out);
    ck_assert_msg(strstr(r.out, "sweep: 0/2 runs finished (2 stale, 0 unfinished)"), "%s", r.out);
    snprintf(cmd, sizeof cmd, GEN, dir, bin, bin);
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "stale: hyper-parameters changed"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "sweep: 2/2 runs finished"), "%s", r.out);
    ck_assert(exists(testdir_path("res/fashion-mnist/contrastive-snr-d8-s1/metrics.stale.json")));
    testdir_done(1);
}
END_TEST

/* kill -9 in the middle of a run: nothing looks finished, the sweep says unfinished. */
START_TEST(test_killed_run_looks_unfinished)
{
    if (!have_fashion_mnist()) return;
    const char *bin = getenv("DSML_BIN");
    ck_assert_msg(bin != NULL, "DSML_BIN is not set (make check sets it)");
    ck_assert_ptr_nonnull(testdir_make("sweep-kill"));
    char text[1024], root[4096];
    snprintf(root, sizeof root, "%s/res", testdir_path(""));
    snprintf(text, sizeof text, "dml dataset=fashion-mnist loss=triplet distance=snr dim=8 seed=1 model=mlp hidden=32 "
                                "epochs=1000 train-per-class=50 batch=50 images-per-class=5\n");
    dsml_sweep sw;
    ck_assert_int_eq(dsml_sweep_parse(&sw, "k", text, root), DSML_OK);
    char args[8192];
    ck_assert_int_eq(dsml_sweep_train_args(&sw.runs[0], 1, NULL, args, sizeof args), DSML_OK);
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        char *argv[64];
        int n = 0;
        argv[n++] = (char *)bin;
        for (char *save = NULL, *t = strtok_r(args, " ", &save); t && n < 62; t = strtok_r(NULL, " ", &save)) argv[n++] = t;
        argv[n++] = "--quiet";
        argv[n] = NULL;
        execv(bin, argv);
        _exit(127);
    }
    /* until training has started (the run directory exists), then a little more */
    for (int i = 0; i < 200 && !exists(sw.runs[0].dir); i++) usleep(20000);
    usleep(300000);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFSIGNALED(status));
    char path[4200];
    snprintf(path, sizeof path, "%s/metrics.json", sw.runs[0].dir);
    ck_assert(!exists(path));
    dsml_run_state st;
    ck_assert_int_eq(dsml_sweep_run_state(&sw.runs[0], &st, NULL, 0, NULL), DSML_OK);
    ck_assert_int_eq(st, DSML_RUN_UNFINISHED);
    dsml_sweep_free(&sw);
    testdir_done(1);
}
END_TEST

/* ---- tuning --------------------------------------------------------------------------------- */

#define TUNE_SWEEP "# header comment\n" \
                   "set dataset=fashion-mnist dim=16 seed=1\n" \
                   "dml loss=triplet distance=snr lr=0.01 margin=0.5 # keep me\n" \
                   "dml loss=triplet distance=euclidean lr=0.01\n" \
                   "tune-set dataset=fashion-mnist dim=32 seed=1,2 epochs=1 validation-per-class=20\n" \
                   "tune loss=triplet distance=snr lr=0.003,0.01 margin=0.25,0.5\n" \
                   "tune loss=triplet distance=euclidean lr=0.01,0.03 margin=0.75\n"

START_TEST(test_tune_choose_and_apply)
{
    ck_assert_ptr_nonnull(testdir_make("sweep-tune"));
    char root[4096], path[4200];
    snprintf(root, sizeof root, "%s/res", testdir_path(""));
    snprintf(path, sizeof path, "%s", testdir_path("p.sweep"));
    testdir_write_text(path, TUNE_SWEEP);
    dsml_sweep sw;
    ck_assert_int_eq(dsml_sweep_load(&sw, path, root), DSML_OK);
    ck_assert_int_eq(sw.n_tune, 8 + 4);
    /* scores (seed 1, seed 2) per configuration of triplet/snr: the best mean is lr 0.01 margin 0.25
       (0.60 and 0.50: mean 0.55), though lr 0.003 margin 0.5 has the best single run (0.58, 0.40: 0.49) */
    static const struct { const char *lr, *margin; double s1, s2; } snr[] = {
        {"0.003", "0.25", 0.30, 0.32}, {"0.003", "0.5", 0.58, 0.40}, {"0.01", "0.25", 0.60, 0.50},
        {"0.01", "0.5", 0.45, 0.44},
    };
    for (int i = 0; i < sw.n_tune; i++) {
        const dsml_sweep_run *t = &sw.tune[i];
        const char *lr = dsml_sweep_run_get(t, "lr"), *margin = dsml_sweep_run_get(t, "margin");
        double score = 0.2;
        if (!strcmp(t->distance, "snr"))
            for (int k = 0; k < 4; k++)
                if (!strcmp(lr, snr[k].lr) && !strcmp(margin, snr[k].margin)) score = t->seed == 1 ? snr[k].s1 : snr[k].s2;
        if (!strcmp(t->distance, "euclidean")) score = !strcmp(lr, "0.03") ? 0.35 : 0.30;
        /* leave one euclidean run unfinished */
        if (!strcmp(t->distance, "euclidean") && t->seed == 2 && !strcmp(lr, "0.03")) continue;
        write_metrics(t->dir, "triplet", t->distance, 32, (int)t->seed, atof(lr), margin ? atof(margin) : 1.0, 1, 20,
                      1, score);
    }
    dsml_tune_cell *cells;
    int n_cells;
    ck_assert_msg(dsml_sweep_tune_cells(&sw, &cells, &n_cells) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(n_cells, 2);
    ck_assert_str_eq(cells[0].distance, "snr");
    ck_assert_int_eq(cells[0].n_runs, 8);
    ck_assert_int_eq(cells[0].n_finished, 8);
    ck_assert_int_eq(cells[0].n_configs, 4);
    ck_assert_str_eq(dsml_sweep_run_get(&sw.tune[cells[0].best], "lr"), "0.01");
    ck_assert_str_eq(dsml_sweep_run_get(&sw.tune[cells[0].best], "margin"), "0.25");
    ck_assert_double_eq_tol(cells[0].best_score, 0.55, 1e-9);
    ck_assert_double_eq_tol(cells[0].runner_up_score, 0.49, 1e-9);
    ck_assert_int_eq(cells[0].best_runs, 2);
    ck_assert_int_eq(cells[0].n_keys, 2);
    ck_assert_int_eq(cells[1].n_finished, 3);
    /* the euclidean cell chose lr; its tune line's single margin is written too */
    ck_assert_int_eq(cells[1].n_varied, 1);
    ck_assert_int_eq(cells[1].n_keys, 2);
    ck_assert_str_eq(cells[1].keys[1], "margin");
    free(cells);

    /* the euclidean cell is incomplete: left alone without --partial */
    int applied = -1;
    ck_assert_msg(dsml_sweep_tune_apply(&sw, path, 0, NULL, &applied) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(applied, 1);
    const char *text = read_text(path);
    ck_assert_msg(strstr(text, "# header comment\nset dataset=fashion-mnist dim=16 seed=1\n"
                               "# tuned: margin=0.25 lr=0.01 (validation MAP@R 0.5500, mean of 2 runs; runner-up "
                               "margin=0.5 lr=0.003: 0.4900; 4 configurations, 8 of 8 runs finished)\n"
                               "dml loss=triplet distance=snr lr=0.01 margin=0.25 # keep me\n"
                               "dml loss=triplet distance=euclidean lr=0.01\n"), "%s", text);
    dsml_sweep_free(&sw);

    /* --partial: the euclidean cell from its 3 finished runs; applied twice, one comment each */
    for (int pass = 0; pass < 2; pass++) {
        ck_assert_int_eq(dsml_sweep_load(&sw, path, root), DSML_OK);
        ck_assert_int_eq(dsml_sweep_tune_apply(&sw, path, 1, NULL, &applied), DSML_OK);
        ck_assert_int_eq(applied, 2);
        dsml_sweep_free(&sw);
    }
    text = read_text(path);
    ck_assert_msg(strstr(text, "# tuned: lr=0.03 (validation MAP@R 0.3500, mean of 1 run; runner-up lr=0.01: 0.3000; "
                               "2 configurations, 3 of 4 runs finished)\ndml loss=triplet distance=euclidean lr=0.03 "
                               "margin=0.75\n"),
                  "%s", text);
    ck_assert_ptr_null(strstr(strstr(text, "# tuned:") + 1, "# tuned: margin"));
    ck_assert_ptr_nonnull(strstr(text, "tune loss=triplet distance=snr lr=0.003,0.01 margin=0.25,0.5\n"));

    /* a dml line with several distances cannot take one cell's values */
    testdir_write_text(path, "set dataset=fashion-mnist dim=16 seed=1\ndml loss=triplet distance=snr,euclidean\n"
                     "tune-set dataset=fashion-mnist dim=32 seed=1,2 epochs=1 validation-per-class=20\n"
                     "tune loss=triplet distance=snr lr=0.003,0.01 margin=0.25,0.5\n");
    ck_assert_int_eq(dsml_sweep_load(&sw, path, root), DSML_OK);
    ck_assert_int_eq(dsml_sweep_tune_apply(&sw, path, 0, NULL, &applied), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "p.sweep:2: expected one loss and one distance"), "%s", dsml_last_error());
    dsml_sweep_free(&sw);
    /* a tune run evaluated on the queries is refused */
    testdir_write_text(path, "tune dataset=fashion-mnist loss=triplet distance=snr dim=32 seed=1 validation-per-class=20 "
                     "lr=0.5,0.6\n");
    ck_assert_int_eq(dsml_sweep_load(&sw, path, root), DSML_OK);
    write_metrics(sw.tune[0].dir, "triplet", "snr", 32, 1, 0.5, 0.5, 1, 20, 0, 0.9);
    ck_assert_int_eq(dsml_sweep_tune_cells(&sw, &cells, &n_cells), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "expected a run evaluated on its validation carve-out"), "%s",
                  dsml_last_error());
    dsml_sweep_free(&sw);
    testdir_done(1);
}
END_TEST

/* write_metrics, recording config.equations "paper" as dsml train --equations paper does. */
static void write_paper_metrics(const char *dir, const char *loss, const char *distance, int dim, int seed, double lr,
                                int epochs, int validation, int evaluated_on_validation, double map_at_r)
{
    write_metrics(dir, loss, distance, dim, seed, lr, 1.0, epochs, validation, evaluated_on_validation, map_at_r);
    char path[4096], text[4200];
    snprintf(path, sizeof path, "%s/metrics.json", dir);
    const char *old = read_text(path), *config = strstr(old, "\"config\": {");
    ck_assert_ptr_nonnull(config);
    size_t head = (size_t)(config - old) + strlen("\"config\": {");
    snprintf(text, sizeof text, "%.*s\"equations\": \"paper\", %s", (int)head, old, old + head);
    testdir_write_text(path, text);
}

#define EQUATIONS_SWEEP "set dataset=fashion-mnist dim=16 seed=1\n" \
                        "dml loss=contrastive distance=snr\n" \
                        "dml loss=contrastive distance=snr equations=paper\n" \
                        "tune-set dataset=fashion-mnist dim=32 seed=1 epochs=1 validation-per-class=20\n" \
                        "tune loss=contrastive distance=snr lr=0.003,0.01\n" \
                        "tune loss=contrastive distance=snr lr=0.003,0.01 equations=paper\n"

/* --equations paper: the -paper variant in run ids (common adds nothing),
 * runs from before the option (no config.equations) read as common, and
 * tuning per loss x distance x equations. */
START_TEST(test_equations_variant_state_and_tune)
{
    ck_assert_ptr_nonnull(testdir_make("sweep-equations"));
    char root[4096], path[4200], args[4096], why[512];
    snprintf(root, sizeof root, "%s/res", testdir_path(""));
    snprintf(path, sizeof path, "%s", testdir_path("e.sweep"));
    testdir_write_text(path, EQUATIONS_SWEEP);
    dsml_sweep sw;
    ck_assert_msg(dsml_sweep_load(&sw, path, root) == DSML_OK, "%s", dsml_last_error());
    ck_assert_str_eq(sw.runs[0].id, "contrastive-snr-d16-s1");
    ck_assert_str_eq(sw.runs[1].id, "contrastive-snr-paper-d16-s1");
    ck_assert_ptr_nonnull(strstr(sw.runs[1].dir, "/res/fashion-mnist/contrastive-snr-paper-d16-s1"));
    ck_assert_int_eq(dsml_sweep_train_args(&sw.runs[1], 0, NULL, args, sizeof args), DSML_OK);
    ck_assert_msg(strstr(args, " --equations paper "), "%s", args);
    ck_assert_str_eq(sw.tune[0].id, "fashion-mnist-contrastive-snr-d32-s1-lr0.003");
    ck_assert_str_eq(sw.tune[3].id, "fashion-mnist-contrastive-snr-paper-d32-s1-lr0.01");

    /* a metrics.json without config.equations is a common run: finished for the common line (and for
       equations=common), stale for the paper one until it records paper */
    dsml_run_state st;
    write_metrics(sw.runs[0].dir, "contrastive", "snr", 16, 1, 0.01, 1.0, 10, 0, 0, 0.5);
    ck_assert_int_eq(dsml_sweep_run_state(&sw.runs[0], &st, why, sizeof why, NULL), DSML_OK);
    ck_assert_msg(st == DSML_RUN_FINISHED, "%s", why);
    write_metrics(sw.runs[1].dir, "contrastive", "snr", 16, 1, 0.01, 1.0, 10, 0, 0, 0.5);
    ck_assert_int_eq(dsml_sweep_run_state(&sw.runs[1], &st, why, sizeof why, NULL), DSML_OK);
    ck_assert_int_eq(st, DSML_RUN_STALE);
    ck_assert_str_eq(why, "equations: sweep paper, run common");
    write_paper_metrics(sw.runs[1].dir, "contrastive", "snr", 16, 1, 0.01, 10, 0, 0, 0.5);
    ck_assert_int_eq(dsml_sweep_run_state(&sw.runs[1], &st, why, sizeof why, NULL), DSML_OK);
    ck_assert_msg(st == DSML_RUN_FINISHED, "%s", why);
    dsml_sweep_free(&sw);
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s", "dml dataset=fashion-mnist loss=contrastive distance=snr dim=16 "
                                                "seed=1 equations=common\n", root), DSML_OK);
    ck_assert_str_eq(sw.runs[0].id, "contrastive-snr-d16-s1");
    ck_assert_int_eq(dsml_sweep_run_state(&sw.runs[0], &st, why, sizeof why, NULL), DSML_OK);
    ck_assert_msg(st == DSML_RUN_FINISHED, "%s", why);
    dsml_sweep_free(&sw);
    /* a tune line listing both readings: one id each, told apart by the variant alone */
    ck_assert_int_eq(dsml_sweep_parse(&sw, "s", "tune dataset=fashion-mnist loss=lifted distance=snr dim=32 seed=1 "
                                                "validation-per-class=20 equations=common,paper\n", root), DSML_OK);
    ck_assert_str_eq(sw.tune[0].id, "fashion-mnist-lifted-snr-d32-s1");
    ck_assert_str_eq(sw.tune[1].id, "fashion-mnist-lifted-snr-paper-d32-s1");
    dsml_sweep_free(&sw);

    /* tuning: the common cell prefers lr 0.003, the paper cell lr 0.01; each goes to its own dml line */
    ck_assert_int_eq(dsml_sweep_load(&sw, path, root), DSML_OK);
    for (int i = 0; i < sw.n_tune; i++) {
        const dsml_sweep_run *t = &sw.tune[i];
        double lr = atof(dsml_sweep_run_get(t, "lr"));
        if (dsml_sweep_run_get(t, "equations"))
            write_paper_metrics(t->dir, "contrastive", "snr", 32, 1, lr, 1, 20, 1, lr == 0.01 ? 0.7 : 0.6);
        else
            write_metrics(t->dir, "contrastive", "snr", 32, 1, lr, 1.0, 1, 20, 1, lr == 0.01 ? 0.4 : 0.5);
    }
    dsml_tune_cell *cells;
    int n_cells, applied;
    ck_assert_int_eq(dsml_sweep_tune_cells(&sw, &cells, &n_cells), DSML_OK);
    ck_assert_int_eq(n_cells, 2);
    ck_assert_str_eq(cells[0].equations, "common");
    ck_assert_str_eq(cells[1].equations, "paper");
    ck_assert_int_eq(cells[0].n_finished, 2);
    ck_assert_int_eq(cells[1].n_finished, 2);
    free(cells);
    ck_assert_msg(dsml_sweep_tune_apply(&sw, path, 0, NULL, &applied) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(applied, 2);
    const char *text = read_text(path);
    ck_assert_msg(strstr(text, "# tuned: lr=0.003 (validation MAP@R 0.5000, mean of 1 run; runner-up lr=0.01: 0.4000; "
                               "2 configurations, 2 of 2 runs finished)\ndml loss=contrastive distance=snr lr=0.003\n"
                               "# tuned: lr=0.01 (validation MAP@R 0.7000, mean of 1 run; runner-up lr=0.003: 0.6000; "
                               "2 configurations, 2 of 2 runs finished)\n"
                               "dml loss=contrastive distance=snr equations=paper lr=0.01\n"), "%s", text);
    dsml_sweep_free(&sw);
    testdir_done(1);
}
END_TEST

/* ---- the committed sweep and the command ------------------------------------------------------ */

START_TEST(test_paper_sweep_and_command)
{
    dsml_sweep sw;
    ck_assert_msg(dsml_sweep_load(&sw, "paper.sweep", "results") == DSML_OK, "%s", dsml_last_error());
    /* 4 datasets x 4 losses x 2 distances x 3 sizes x 3 seeds, and the paper's equations: 4 datasets x 6
     * lines at d = 32 x 3 seeds; 3 datasets x 4 methods x 4 bits x 3 seeds; 8 + 6 cells x 6 */
    ck_assert_int_eq(sw.n_runs, 4 * 4 * 2 * 3 * 3 + 4 * 6 * 3 + 3 * 4 * 4 * 3);
    ck_assert_int_eq(sw.n_tune, (8 + 6) * 6);
    int dims[65] = {0}, bits[49] = {0};
    for (int i = 0; i < sw.n_runs; i++) {
        if (sw.runs[i].kind == DSML_SWEEP_DML) dims[sw.runs[i].dim]++;
        else bits[sw.runs[i].dim]++;
    }
    ck_assert_int_eq(dims[16], 96);
    ck_assert_int_eq(dims[32], 96 + 72);
    ck_assert_int_eq(dims[64], 96);
    ck_assert(bits[16] == 36 && bits[24] == 36 && bits[32] == 36 && bits[48] == 36);
    for (int i = 0; i < sw.n_tune; i++) ck_assert_ptr_nonnull(dsml_sweep_run_get(&sw.tune[i], "validation-per-class"));
    dsml_sweep_free(&sw);

    ck_assert_ptr_nonnull(testdir_make("sweep-cli"));
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "DSML_DATA=%s MAKEFLAGS=' -j2 --jobserver-auth=3,4' $DSML_BIN sweep list --cores 2 "
                              "--results %s paper.sweep", testdir_path(""), testdir_path("r"));
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "sweep: skipping the cifar10 runs: no "), "%s", r.err);
    ck_assert_msg(strstr(r.out, "/r/fashion-mnist/npair-snr-d64-s1\ttrain --dataset fashion-mnist --loss npair "), "%s",
                  r.out);
    /* the learning rate is whatever `make tune` last wrote; the rest is fixed */
    ck_assert_msg(strstr(r.out, "--batch 20 --images-per-class 2 --lr "), "no N-pair batch of 20 in the list");
    ck_assert_msg(strstr(r.out, " --momentum 0.9 --wd 0.0005 --threads 1 "), "no --threads 1 for -j2 on 2 cores");
    ck_assert_ptr_null(strstr(r.out, "cifar10"));
    snprintf(cmd, sizeof cmd, "DSML_DATA=%s $DSML_BIN sweep status --line --kind all --results %s "
                              "--from cifar10=/x.tar.gz paper.sweep", testdir_path(""), testdir_path("r"));
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "sweep: 0/"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "ETA unknown until a run finishes"), "%s", r.out);
    run_dsml(&r, "sweep frobnicate");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "unknown command 'frobnicate'"));
    run_dsml(&r, "sweep list --kind nope paper.sweep");
    ck_assert_int_eq(r.status, 2);
    run_dsml(&r, "sweep list --jobs");
    ck_assert_int_eq(r.status, 2);
    testdir_write_text(testdir_path("bad.sweep"), "set dim=16\ndml lr=x\n");
    snprintf(cmd, sizeof cmd, "sweep list %s", testdir_path("bad.sweep"));
    run_dsml(&r, cmd);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "bad.sweep:2: expected a finite number"), "%s", r.err);
    testdir_done(1);
}
END_TEST

int main(void)
{
    /* one case per test, so that CK_RUN_CASE=<name> runs one alone */
    const suite_case cases[] = {
        {"parse", 120, (const TTest *[]){test_parse_and_expand, NULL}},
        {"parse_errors", 120, (const TTest *[]){test_parse_errors_name_file_and_line, test_claims_line, NULL}},
        {"state", 120, (const TTest *[]){test_run_state_finished_unfinished_stale, NULL}},
        {"jobs", 120, (const TTest *[]){test_make_jobs_and_threads, NULL}},
        {"present", 120, (const TTest *[]){test_dataset_present, NULL}},
        {"generated", 120, (const TTest *[]){test_makefile_and_slurm_text, NULL}},
        {"make", 120, (const TTest *[]){test_make_runs_resumes_and_redoes_stale, NULL}},
        {"killed", 120, (const TTest *[]){test_killed_run_looks_unfinished, NULL}},
        {"tune", 120, (const TTest *[]){test_tune_choose_and_apply, NULL}},
        {"equations", 120, (const TTest *[]){test_equations_variant_state_and_tune, NULL}},
        {"paper", 120, (const TTest *[]){test_paper_sweep_and_command, NULL}},
    };
    return suite_run_cases("sweep", cases, SUITE_CASES(cases));
}
