/* kill -9 at any moment leaves nothing that looks finished and is not: `dsml
 * train` (a small mlp on Fashion-MNIST), `dsml prepare` (a
 * folder of PNGs) and `make reproduce` on a sweep of three runs, each killed
 * with SIGKILL after a number of output lines, once a file or a temp file
 * appears, or after a delay. The moment a kill lands on depends on the
 * machine; the verdict does not: whatever the moment, a metrics.json or a
 * cache that exists is whole and equals what an unkilled run writes, the
 * same command run again finishes, and a sweep's runs that had finished are
 * not run again. Temp files a killed process leaves are not looked at
 * (removing them is the next run's business, or nobody's). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "support/files.h"
#include "support/image_files.h"
#include "support/run_checks.h"
#include "support/run_cmd.h"
#include "support/spawn.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static spawn_result r;
static cmd_result run_out;

/* A copy of `at` whose file pattern is under `dir`. */
static spawn_kill kill_under(const spawn_kill *at, const char *dir, char *pattern, size_t cap)
{
    spawn_kill k = *at;
    if (at->file) {
        path_format(pattern, cap, "%s/%s", dir, at->file);
        k.file = pattern;
    }
    return k;
}

/* The killed command either ended by itself (status 0) or was killed; anything else is a failure of its own. */
static void expect_ended_or_killed(const char *label)
{
    ck_assert_msg(r.status == 0 || spawn_killed(&r), "killed %s: status %d:\n%s", label, r.status, spawn_tail(&r));
}

static void mkdir_in(const char *dir, const char *sub)
{
    char path[4096];
    path_format(path, sizeof path, "%s/%s", dir, sub);
    ck_assert_int_eq(dsml_mkdirs(path), 0);
}

/* ---- dsml train ------------------------------------------------------------------------ */

#define TRAIN_ARGS "train --dataset fashion-mnist --data %s/data --model mlp --hidden 32 --dim 8 " \
                   "--queries-per-class 10 --train-per-class 100 --batch 50 --images-per-class 5 --epochs 4 "   \
                   "--threads 1 --out %s/out"

typedef struct {
    spawn_kill at;  /* file patterns under the point's folder: data/ (the data root) and out/ */
    int fresh_data; /* 1: no cache yet (the run prepares it); 0: the reference's cache, hard-linked */
} train_point;

/* The lines of a run whose cache is ready: source, cache up to date, model, train, epoch 1/4, ... */
static const train_point train_points[] = {
    {{"while the cache is written", 0, "data/cache/fashion-mnist.dsd.tmp.*", 1 << 20, 0}, 1},
    {{"after the first epoch", 5, NULL, 0, 0}, 0},
    {{"as embeddings.bin is written", 0, "out/embeddings.bin.tmp.*", 0, 0}, 0},
    {{"once embeddings.bin is in place", 0, "out/embeddings.bin", 1, 0}, 0},
    {{"as metrics.json is written", 0, "out/metrics.json.tmp.*", 0, 0}, 0},
    {{"after 200 ms", 0, NULL, 0, 200}, 0},
};

static int same_inode(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The folder's cache and run equal the reference's (in `ref`/data and `ref`/out), where they exist. */
static void expect_train_files(const char *dir, const char *ref, const char *label)
{
    char cache[4096], ref_cache[4096], out[4096], ref_out[4096];
    path_format(cache, sizeof cache, "%s/data/cache/fashion-mnist.dsd", dir);
    path_format(ref_cache, sizeof ref_cache, "%s/data/cache/fashion-mnist.dsd", ref);
    path_format(out, sizeof out, "%s/out", dir);
    path_format(ref_out, sizeof ref_out, "%s/out", ref);
    /* a cache of its own (not the reference's, hard-linked) is checked whole and compared */
    if (!same_inode(cache, ref_cache) && cache_whole(cache)) file_expect_bytes(cache, ref_cache, label);
    if (run_whole(out, 1)) run_expect_same(out, ref_out);
    char emb[4096], ref_emb[4096];
    path_format(emb, sizeof emb, "%s/embeddings.bin", out);
    path_format(ref_emb, sizeof ref_emb, "%s/embeddings.bin", ref_out);
    /* written before metrics.json: whole, and the reference's, when it is there */
    if (file_exists(emb)) file_expect_bytes(emb, ref_emb, label);
}

START_TEST(test_train_killed)
{
    if (!fashion_mnist_present()) return;
    const char *bin = dsml_binary();
    const char *dir = testdir_make("kill-train");
    ck_assert_ptr_nonnull(dir);
    char ref[4096], cmd[16384];
    path_format(ref, sizeof ref, "%s/ref", dir);
    /* the reference: the same command, never killed */
    path_format(cmd, sizeof cmd, "%s " TRAIN_ARGS, bin, ref, ref);
    spawn_run(&r, cmd, NULL, 0);
    ck_assert_msg(r.status == 0, "%s:\n%s", cmd, spawn_tail(&r));
    ck_assert_msg(strstr(r.out, "epoch 4/4"), "%s", spawn_tail(&r));

    for (size_t i = 0; i < sizeof train_points / sizeof train_points[0]; i++) {
        const train_point *p = &train_points[i];
        char point[4096], pattern[4096], cache[4096], ref_cache[4096];
        path_format(point, sizeof point, "%s/p%zu", dir, i);
        mkdir_in(point, "data/cache");
        path_format(cache, sizeof cache, "%s/data/cache/fashion-mnist.dsd", point);
        path_format(ref_cache, sizeof ref_cache, "%s/data/cache/fashion-mnist.dsd", ref);
        if (!p->fresh_data) ck_assert_int_eq(link(ref_cache, cache), 0);
        file_mark cache_mark;
        file_mark_take(&cache_mark, cache);
        path_format(cmd, sizeof cmd, "%s " TRAIN_ARGS, bin, point, point);
        spawn_kill k = kill_under(&p->at, point, pattern, sizeof pattern);
        spawn_run(&r, cmd, &k, 0);
        expect_ended_or_killed(p->at.label);
        expect_train_files(point, ref, p->at.label);
        if (r.status == 0) {
            path_format(pattern, sizeof pattern, "%s/out", point);
            ck_assert_msg(run_whole(pattern, 1), "%s: ended with 0 but no metrics.json", p->at.label);
        }
        /* again, to its end: it finishes, with the reference's results; a cache that was ready is not redone */
        spawn_run(&r, cmd, NULL, 0);
        ck_assert_msg(r.status == 0, "run again after a kill %s: status %d:\n%s", p->at.label, r.status,
                      spawn_tail(&r));
        expect_train_files(point, ref, p->at.label);
        path_format(pattern, sizeof pattern, "%s/out", point);
        ck_assert_msg(run_whole(pattern, 1), "run again after a kill %s: no metrics.json", p->at.label);
        if (!p->fresh_data) file_mark_expect_same(&cache_mark, cache);
        file_mark_free(&cache_mark);
    }
    testdir_done(1);
}
END_TEST

/* Over an earlier, finished run (the reference, seed 1) a run of seed 2 is killed: the folder's metrics.json,
 * when there is one, is always the one of the embeddings.bin beside it (the earlier run's, or the new one's). */
static const spawn_kill over_points[] = {
    {"after the first epoch", 5, NULL, 0, 0},
    {"as embeddings.bin is written", 0, "out/embeddings.bin.tmp.*", 0, 0},
    {"as metrics.json is written", 0, "out/metrics.json.tmp.*", 0, 0},
    {"after 200 ms", 0, NULL, 0, 200},
};

static int same_bytes(const char *a, const char *b)
{
    static cmd_result c;
    char cmd[9000];
    path_format(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
    run_shell(&c, cmd);
    return c.status == 0;
}

START_TEST(test_train_killed_over_earlier_run)
{
    if (!fashion_mnist_present()) return;
    const char *bin = dsml_binary();
    const char *dir = testdir_make("kill-over");
    ck_assert_ptr_nonnull(dir);
    char a[4096], b[4096], cmd[16384];
    path_format(a, sizeof a, "%s/a", dir);
    path_format(b, sizeof b, "%s/b", dir);
    path_format(cmd, sizeof cmd, "%s " TRAIN_ARGS, bin, a, a);
    spawn_run(&r, cmd, NULL, 0);
    ck_assert_msg(r.status == 0, "%s:\n%s", cmd, spawn_tail(&r));
    path_format(cmd, sizeof cmd, "%s " TRAIN_ARGS " --seed 2", bin, b, b);
    spawn_run(&r, cmd, NULL, 0);
    ck_assert_msg(r.status == 0, "%s:\n%s", cmd, spawn_tail(&r));

    for (size_t i = 0; i < sizeof over_points / sizeof over_points[0]; i++) {
        const spawn_kill *p = &over_points[i];
        char point[4096], pattern[4096], out[4200], metrics[4300], emb[4300], a_metrics[4300], a_emb[4300];
        path_format(point, sizeof point, "%s/p%zu", dir, i);
        path_format(out, sizeof out, "%s/out", point);
        path_format(metrics, sizeof metrics, "%s/metrics.json", out);
        path_format(emb, sizeof emb, "%s/embeddings.bin", out);
        path_format(a_metrics, sizeof a_metrics, "%s/out/metrics.json", a);
        path_format(a_emb, sizeof a_emb, "%s/out/embeddings.bin", a);
        char cache[4300], a_cache[4300], b_out[4200];
        mkdir_in(point, "data/cache");
        path_format(cache, sizeof cache, "%s/data/cache/fashion-mnist.dsd", point);
        path_format(a_cache, sizeof a_cache, "%s/data/cache/fashion-mnist.dsd", a);
        path_format(b_out, sizeof b_out, "%s/out", b);
        ck_assert_int_eq(link(a_cache, cache), 0);
        path_format(cmd, sizeof cmd, "cp -R '%s/out' '%s/'", a, point);
        run_shell(&run_out, cmd);
        ck_assert_msg(run_out.status == 0, "%s", run_out.err);
        path_format(cmd, sizeof cmd, "%s " TRAIN_ARGS " --seed 2", bin, point, point);
        spawn_kill k = kill_under(p, point, pattern, sizeof pattern);
        spawn_run(&r, cmd, &k, 0);
        expect_ended_or_killed(p->label);
        if (run_whole(out, 1)) {
            if (same_bytes(metrics, a_metrics))
                ck_assert_msg(same_bytes(emb, a_emb), "killed %s: the earlier run's metrics.json beside other "
                              "embeddings", p->label);
            else
                run_expect_same(out, b_out);
        }
        spawn_run(&r, cmd, NULL, 0);
        ck_assert_msg(r.status == 0, "run again after a kill %s: status %d:\n%s", p->label, r.status,
                      spawn_tail(&r));
        ck_assert_msg(run_whole(out, 1), "run again after a kill %s: no metrics.json", p->label);
        run_expect_same(out, b_out);
    }
    /* a run that writes no embeddings over a finished one: the earlier embeddings.bin goes with its metrics */
    char p0[4200], out0[4300], emb0[4400];
    path_format(p0, sizeof p0, "%s/p0", dir);
    path_format(out0, sizeof out0, "%s/out", p0);
    path_format(emb0, sizeof emb0, "%s/embeddings.bin", out0);
    path_format(cmd, sizeof cmd, "%s " TRAIN_ARGS " --no-embeddings", bin, p0, p0);
    spawn_run(&r, cmd, NULL, 0);
    ck_assert_msg(r.status == 0, "%s:\n%s", cmd, spawn_tail(&r));
    ck_assert_msg(run_whole(out0, 0), "no metrics.json after a --no-embeddings run");
    ck_assert_msg(!file_exists(emb0), "%s: an earlier run's embeddings beside new metrics", emb0);
    testdir_done(1);
}
END_TEST

/* ---- dsml prepare ---------------------------------------------------------------------- */

#define PREPARE_ARGS "prepare imagefolder --from %s --name pets --data %s/data --size 32x32"

static const spawn_kill prepare_points[] = {
    {"after the first line", 1, NULL, 0, 0},
    {"while the cache is written", 0, "data/cache/pets.dsd.tmp.*", 0, 0},
    {"after 20 ms", 0, NULL, 0, 20},
    {"after 100 ms", 0, NULL, 0, 100},
};

/* The folder's cache, when it exists, is whole and the reference's. */
static void expect_same_cache(const char *cache, const char *ref_cache, const char *label)
{
    if (cache_whole(cache)) file_expect_bytes(cache, ref_cache, label);
}

START_TEST(test_prepare_killed)
{
    const char *bin = dsml_binary();
    const char *dir = testdir_make("kill-prepare");
    ck_assert_ptr_nonnull(dir);
    char src[4096], cmd[16384], ref_cache[4096];
    /* 2 classes of 60 images, 48 x 40 */
    for (int i = 0; i < 120; i++) {
        path_format(src, sizeof src, "%s/src/%s/%03d.png", dir, i % 2 ? "dog" : "cat", i);
        bytes b = png_solid(48, 40, i, 2 * i, 255 - i);
        file_write(src, b.data, b.size);
        free(b.data);
    }
    path_format(src, sizeof src, "%s/src", dir);
    path_format(cmd, sizeof cmd, "%s " PREPARE_ARGS, bin, src, testdir_path("ref"));
    spawn_run(&r, cmd, NULL, 0);
    ck_assert_msg(r.status == 0, "%s:\n%s", cmd, spawn_tail(&r));
    path_format(ref_cache, sizeof ref_cache, "%s", testdir_path("ref/data/cache/pets.dsd"));
    ck_assert(cache_whole(ref_cache));

    for (size_t i = 0; i < sizeof prepare_points / sizeof prepare_points[0]; i++) {
        const spawn_kill *p = &prepare_points[i];
        char point[4096], pattern[4096], cache[4096];
        path_format(point, sizeof point, "%s/p%zu", dir, i);
        path_format(cache, sizeof cache, "%s/data/cache/pets.dsd", point);
        path_format(cmd, sizeof cmd, "%s " PREPARE_ARGS, bin, src, point);
        spawn_kill k = kill_under(p, point, pattern, sizeof pattern);
        spawn_run(&r, cmd, &k, 0);
        expect_ended_or_killed(p->label);
        expect_same_cache(cache, ref_cache, p->label);
        if (r.status == 0) ck_assert_msg(file_exists(cache), "%s: ended with 0 but no cache", p->label);
        spawn_run(&r, cmd, NULL, 0);
        ck_assert_msg(r.status == 0, "prepare again after a kill %s: status %d:\n%s", p->label, r.status,
                      spawn_tail(&r));
        ck_assert_msg(cache_whole(cache), "prepare again after a kill %s: no cache", p->label);
        expect_same_cache(cache, ref_cache, p->label);
        /* once more: up to date, not written again */
        file_mark mark;
        file_mark_take(&mark, cache);
        spawn_run(&r, cmd, NULL, 0);
        ck_assert_msg(r.status == 0 && strstr(r.out, "up to date"), "%s", spawn_tail(&r));
        file_mark_expect_same(&mark, cache);
        file_mark_free(&mark);
    }
    testdir_done(1);
}
END_TEST

/* ---- make reproduce -------------------------------------------------------------------- */

/* Three runs of 200 training images each. */
#define TINY_SWEEP "set dataset=fashion-mnist dim=8 seed=1 model=mlp hidden=16 queries-per-class=10 "            \
                   "train-per-class=20 batch=20 images-per-class=2 epochs=2\n"                                  \
                   "dml loss=contrastive distance=euclidean,snr\n"                                              \
                   "dml loss=triplet distance=euclidean\n"
static const char *const sweep_runs[3] = {"contrastive-euclidean-d8-s1", "contrastive-snr-d8-s1",
                                          "triplet-euclidean-d8-s1"};

/* Points under the point's folder: r/ (RESULTS), t/ (TABLES). */
static const spawn_kill reproduce_points[] = {
    {"once the first run is finished", 0, "r/fashion-mnist/contrastive-euclidean-d8-s1/metrics.json", 0, 0},
    {"as a run writes embeddings.bin", 0, "r/fashion-mnist/*/embeddings.bin.tmp.*", 0, 0},
    {"as the tables are written", 0, "t/table1.md", 0, 0},
    {"after 12 lines", 12, NULL, 0, 0},
    {"after 700 ms", 0, NULL, 0, 700},
};

/* `make reproduce` in the project (the current folder, where make check runs the tests) on the point's own
 * sweep, results, build, tables and figures; the binary is taken as it is (-o: never rebuilt, here or in
 * the sub-makes), and the caller's make (its flags and jobserver) is not inherited. */
static void reproduce_command(char *cmd, size_t cap, const char *bin, const char *repo, const char *dir,
                              const char *point)
{
    path_format(cmd, cap,
                "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES DSML_DATA=%s/data "
                "make -C %s MAKE='make -o %s' -o %s reproduce SWEEP=%s/tiny.sweep RESULTS=%s/r BUILD=%s/b "
                "TABLES=%s/t PLOTS=%s/plots DSML=%s THREADS=1",
                dir, repo, bin, bin, dir, point, point, point, point, bin);
}

/* The project's root, or NULL (the test is skipped) when the tests do not run there. */
static const char *project_root(void)
{
    static char cwd[4096];
    if (getcwd(cwd, sizeof cwd) && strstr(read_text("Makefile"), "\nreproduce:")) return cwd;
    fprintf(stderr, "SKIP: the current folder has no Makefile with `reproduce` (make check runs the tests in the "
                    "project's root)\n");
    return NULL;
}

/* Kills `make reproduce` at points [first, first + count): the runs finished at the kill are whole, and the same
 * command run again runs only the others (the finished ones' files keep their inode, mtime and bytes). */
static void reproduce_killed(const char *name, int first, int count)
{
    const char *bin = dsml_binary();
    const char *repo = project_root();
    if (!repo || !fashion_mnist_present()) return;
    const char *dir = testdir_make(name);
    ck_assert_ptr_nonnull(dir);
    char cmd[16384];
    testdir_write_text(testdir_path("tiny.sweep"), TINY_SWEEP);
    /* the data first: the kills here are in the sweep (check_kill's train case kills a cache being written) */
    path_format(cmd, sizeof cmd, "%s prepare fashion-mnist --data %s/data --quiet", bin, dir);
    spawn_run(&r, cmd, NULL, 0);
    ck_assert_msg(r.status == 0, "%s:\n%s", cmd, spawn_tail(&r));

    for (int i = first; i < first + count; i++) {
        const spawn_kill *p = &reproduce_points[i];
        char point[4096], pattern[4096], run[3][4096], metrics[3][4096];
        path_format(point, sizeof point, "%s/p%d", dir, i);
        reproduce_command(cmd, sizeof cmd, bin, repo, dir, point);
        spawn_kill k = kill_under(p, point, pattern, sizeof pattern);
        spawn_run(&r, cmd, &k, 0);
        expect_ended_or_killed(p->label);
        int finished[3];
        file_mark marks[3];
        for (int j = 0; j < 3; j++) {
            path_format(run[j], sizeof run[j], "%s/r/fashion-mnist/%s", point, sweep_runs[j]);
            path_format(metrics[j], sizeof metrics[j], "%s/metrics.json", run[j]);
            finished[j] = run_whole(run[j], 1);
            ck_assert_msg(finished[j] || r.status != 0, "%s: make ended with 0, %s unfinished:\n%s", p->label,
                          run[j], spawn_tail(&r));
            file_mark_take(&marks[j], metrics[j]);
        }
        spawn_run(&r, cmd, NULL, 0);
        ck_assert_msg(r.status == 0, "reproduce again after a kill %s: status %d:\n%s", p->label, r.status,
                      spawn_tail(&r));
        for (int j = 0; j < 3; j++) {
            char started[4096];
            path_format(started, sizeof started, "sweep: starting %s (", run[j]);
            ck_assert_msg(run_whole(run[j], 1), "reproduce again after a kill %s: %s unfinished", p->label, run[j]);
            if (!finished[j]) continue;
            ck_assert_msg(!strstr(r.out, started), "killed %s: %s, finished before, ran again:\n%s", p->label, run[j],
                          spawn_tail(&r));
            file_mark_expect_same(&marks[j], metrics[j]);
            file_mark_free(&marks[j]);
        }
        ck_assert_msg(strstr(r.out, "sweep: 3/3 runs finished"), "%s", spawn_tail(&r));
    }
    testdir_done(1);
}

START_TEST(test_reproduce_killed_on_files)
{
    reproduce_killed("kill-reproduce-files", 0, 3);
}
END_TEST

START_TEST(test_reproduce_killed_on_lines_and_delays)
{
    reproduce_killed("kill-reproduce-lines", 3, 2);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"train", 40, (const TTest *[]){test_train_killed, test_train_killed_over_earlier_run, NULL}},
        {"prepare", 20, (const TTest *[]){test_prepare_killed, NULL}},
        {"reproduce", 40, (const TTest *[]){test_reproduce_killed_on_files, test_reproduce_killed_on_lines_and_delays,
                                            NULL}},
    };
    return suite_run_cases("kill", cases, SUITE_CASES(cases));
}
