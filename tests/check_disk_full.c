/* A full disk, simulated deterministically: each command runs with a file
 * size limit (RLIMIT_FSIZE, SIGXFSZ ignored), so the write that crosses it
 * fails with EFBIG at a byte the test chooses: the first byte, the middle or
 * the last byte of the cache (`dsml prepare`, and `dsml train` preparing its
 * data), embeddings.bin, metrics.json, a table, summary.csv and a sweep's
 * make fragment. Then a real ENOSPC: the output folder on a small tmpfs
 * mounted in a mount namespace of the command's own (skipped where mounting
 * is not permitted). Each time: a non-zero exit, a message naming the file
 * and the system's reason, no temp file left, no file that looks finished,
 * and a previous good file left as it was. */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "support/files.h"
#include "support/image_files.h"
#include "support/run_checks.h"
#include "support/run_fixture.h"
#include "support/spawn.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static spawn_result r;

#define EFBIG_TEXT "File too large"
#define ENOSPC_TEXT "No space left on device"

/* Runs `command` with every file it writes limited to `limit` bytes (0: no limit); it must succeed when
 * unlimited. */
static void run_limited(const char *command, long long limit)
{
    spawn_run(&r, command, NULL, limit);
    if (!limit) ck_assert_msg(r.status == 0, "%s: status %d:\n%s", command, r.status, spawn_tail(&r));
}

/* The command failed by itself (an exit status, not a signal), naming path and the reason; no temp file of
 * path is left. */
static void expect_failed_on(const char *path, const char *reason, long long limit)
{
    ck_assert_msg(r.status > 0 && r.status < 126, "limit %lld: status %d, expected a failure:\n%s", limit, r.status,
                  spawn_tail(&r));
    char want[4400];
    path_format(want, sizeof want, "%s: ", path);
    ck_assert_msg(strstr(r.out, want) && strstr(r.out, reason), "limit %lld: no message naming %s and \"%s\":\n%s",
                  limit, path, reason, spawn_tail(&r));
    glob_t g;
    path_format(want, sizeof want, "%s.tmp.*", path);
    int left = glob(want, 0, NULL, &g) == 0 ? (int)g.gl_pathc : 0;
    if (left) globfree(&g);
    ck_assert_msg(left == 0, "limit %lld: a temp file of %s was left", limit, path);
}

/* The limits for a file of `size` bytes: its first byte, its middle, and `last` (its last byte, or a little
 * before it for a file whose size varies from run to run). */
static void limits_for(long long size, long long last, long long out[3])
{
    out[0] = 1;
    out[1] = size / 2;
    out[2] = last;
}

/* ---- the cache ------------------------------------------------------------------------ */

#define PREPARE_ARGS "prepare imagefolder --from %s/src --name pets --data %s/data --size 32x32"

static void write_pets(int n)
{
    char path[4096];
    for (int i = 0; i < n; i++) {
        path_format(path, sizeof path, "%s/%s/%03d.png", testdir_path("src"), i % 2 ? "dog" : "cat", i);
        bytes b = png_solid(16, 16, i, 2 * i, 255 - i);
        file_write(path, b.data, b.size);
        free(b.data);
    }
}

START_TEST(test_cache)
{
    const char *bin = dsml_binary();
    const char *dir = testdir_make("full-cache");
    ck_assert_ptr_nonnull(dir);
    char cmd[16384], ref[4096], cache[4096];
    write_pets(40);
    path_format(cmd, sizeof cmd, "%s " PREPARE_ARGS, bin, dir, testdir_path("ref"));
    run_limited(cmd, 0);
    path_format(ref, sizeof ref, "%s", testdir_path("ref/data/cache/pets.dsd"));
    long long limits[3];
    limits_for(file_size(ref), file_size(ref) - 1, limits);
    path_format(cmd, sizeof cmd, "%s " PREPARE_ARGS, bin, dir, dir);
    path_format(cache, sizeof cache, "%s/data/cache/pets.dsd", dir);
    for (int i = 0; i < 3; i++) {
        run_limited(cmd, limits[i]);
        expect_failed_on(cache, EFBIG_TEXT, limits[i]);
        ck_assert_msg(!file_exists(cache), "limit %lld: a cache was left", limits[i]);
    }
    /* a good cache, then one more image: prepared again, which fails; the good one stays */
    run_limited(cmd, 0);
    ck_assert(cache_whole(cache));
    file_mark mark;
    file_mark_take(&mark, cache);
    write_pets(41);
    run_limited(cmd, file_size(ref) - 1);
    expect_failed_on(cache, EFBIG_TEXT, file_size(ref) - 1);
    file_mark_expect_same(&mark, cache);
    file_mark_free(&mark);
    testdir_done(1);
}
END_TEST

/* dsml train preparing Fashion-MNIST's cache as its first step. */
START_TEST(test_cache_from_train)
{
    if (!fashion_mnist_present()) return;
    const char *bin = dsml_binary();
    const char *dir = testdir_make("full-train-cache");
    ck_assert_ptr_nonnull(dir);
    char cmd[16384], cache[4096];
    path_format(cmd, sizeof cmd, "%s train --dataset fashion-mnist --data %s/data --model mlp --hidden 8 --dim 4 "
                "--epochs 1 --threads 1 --out %s/out", bin, dir, dir);
    path_format(cache, sizeof cache, "%s/data/cache/fashion-mnist.dsd", dir);
    run_limited(cmd, 1 << 20);
    expect_failed_on(cache, EFBIG_TEXT, 1 << 20);
    ck_assert(!file_exists(cache));
    ck_assert(!file_exists(testdir_path("out/metrics.json")));
    testdir_done(1);
}
END_TEST

/* ---- the run's files ------------------------------------------------------------------ */

#define TRAIN_ARGS "train --dataset fashion-mnist --data %s/data --model mlp --hidden 16 --dim 8 " \
                   "--queries-per-class 10 --train-per-class 20 --batch 20 --images-per-class 2 --epochs 1 "   \
                   "--threads 1 %s --out %s"

/* Trains into `out` (under the test folder) with the limit. */
static void train_limited(const char *bin, const char *dir, const char *extra, const char *out, long long limit)
{
    char cmd[16384];
    path_format(cmd, sizeof cmd, "%s " TRAIN_ARGS, bin, dir, extra, testdir_path(out));
    run_limited(cmd, limit);
}

/* A failure writing `file` of run folder `out` (absent before): nothing in it looks finished. */
static void expect_run_failed(const char *out, const char *file, const char *reason, long long limit)
{
    char path[4096];
    path_format(path, sizeof path, "%s/%s", testdir_path(out), file);
    expect_failed_on(path, reason, limit);
    ck_assert_msg(!run_whole(testdir_path(out), 1), "limit %lld: %s looks finished", limit, out);
    ck_assert_msg(!file_exists(path), "limit %lld: %s was left", limit, path);
}

START_TEST(test_run_files)
{
    if (!fashion_mnist_present()) return;
    const char *bin = dsml_binary();
    const char *dir = testdir_make("full-run");
    ck_assert_ptr_nonnull(dir);
    /* the data, then a good run: the sizes, and the files a failed run into the same folder must not touch */
    char cmd[16384];
    path_format(cmd, sizeof cmd, "%s prepare fashion-mnist --data %s/data --quiet", bin, dir);
    run_limited(cmd, 0);
    train_limited(bin, dir, "", "good", 0);
    ck_assert(run_whole(testdir_path("good"), 1));
    long long emb = file_size(testdir_path("good/embeddings.bin"));
    long long metrics = file_size(testdir_path("good/metrics.json"));
    file_mark marks[2];
    file_mark_take(&marks[0], testdir_path("good/embeddings.bin"));
    file_mark_take(&marks[1], testdir_path("good/metrics.json"));

    long long limits[3];
    char out[64];
    limits_for(emb, emb - 1, limits);
    for (int i = 0; i < 3; i++) {
        snprintf(out, sizeof out, "emb%d", i);
        train_limited(bin, dir, "", out, limits[i]);
        expect_run_failed(out, "embeddings.bin", EFBIG_TEXT, limits[i]);
        ck_assert(!file_exists(testdir_path(out)) || dir_entries(testdir_path(out)) == 0);
    }
    /* metrics.json holds times, whose digits vary: its last limit is some bytes before its end */
    limits_for(metrics, metrics - 64, limits);
    for (int i = 0; i < 3; i++) {
        snprintf(out, sizeof out, "metrics%d", i);
        train_limited(bin, dir, "--no-embeddings", out, limits[i]);
        expect_run_failed(out, "metrics.json", EFBIG_TEXT, limits[i]);
    }
    /* into the good run's folder: both failures leave its files as they were */
    train_limited(bin, dir, "", "good", emb - 1);
    expect_failed_on(testdir_path("good/embeddings.bin"), EFBIG_TEXT, emb - 1);
    train_limited(bin, dir, "--no-embeddings", "good", metrics - 64);
    expect_failed_on(testdir_path("good/metrics.json"), EFBIG_TEXT, metrics - 64);
    for (int i = 0; i < 2; i++) {
        file_mark_expect_same(&marks[i], testdir_path(i ? "good/metrics.json" : "good/embeddings.bin"));
        file_mark_free(&marks[i]);
    }
    testdir_done(1);
}
END_TEST

/* ---- single files: summary.csv, a sweep's make fragment ------------------------------------- */

/* `command` (a format with one %s: the file it writes) writes a good file at `good`; at limits of its first,
 * middle and last byte into fresh paths it fails naming the file and leaves none; over the good file it
 * leaves it as it was. */
static void expect_one_file(const char *command, const char *what)
{
    char cmd[16384], good[4096], path[4096];
    path_format(good, sizeof good, "%s", testdir_path("good"));
    path_format(cmd, sizeof cmd, command, good);
    run_limited(cmd, 0);
    long long size = file_size(good), limits[3];
    ck_assert_msg(size > 2, "%s: %lld bytes", what, size);
    limits_for(size, size - 1, limits);
    for (int i = 0; i < 3; i++) {
        path_format(path, sizeof path, "%s-%d", testdir_path(what), i);
        path_format(cmd, sizeof cmd, command, path);
        run_limited(cmd, limits[i]);
        expect_failed_on(path, EFBIG_TEXT, limits[i]);
        ck_assert_msg(!file_exists(path), "limit %lld: %s was left", limits[i], path);
    }
    file_mark mark;
    file_mark_take(&mark, good);
    path_format(cmd, sizeof cmd, command, good);
    run_limited(cmd, size - 1);
    expect_failed_on(good, EFBIG_TEXT, size - 1);
    file_mark_expect_same(&mark, good);
    file_mark_free(&mark);
}

/* Two finished runs as the tables and the summary read them. */
static void write_runs(const char *results)
{
    for (int i = 0; i < 2; i++) {
        fixture_doc d;
        fixture_run(&d, "fashion-mnist", "contrastive", i ? "snr" : "euclidean", 32, 1);
        fixture_int(&d, "config.epochs", 10);
        fixture_int(&d, "data.split.eval_queries", 1000);
        fixture_int(&d, "data.split.eval_database", 59000);
        fixture_recalls(&d, "euclidean", 0.5 + i / 10.0);
        fixture_num(&d, "metrics.euclidean.map@t", 0.4 + i / 10.0);
        /* the rest of the block summary reads (its reader insists on every column of a block present) */
        fixture_num(&d, "metrics.euclidean.map", 0.45 + i / 10.0);
        fixture_num(&d, "metrics.euclidean.map@r", 0.3);
        fixture_num(&d, "metrics.euclidean.r_precision", 0.35);
        fixture_num(&d, "metrics.euclidean.f1@t", 0.25);
        fixture_num(&d, "wall_seconds.total", 12.5);
        fixture_write_run(&d, results, "fashion-mnist", i ? "contrastive-snr-d32-s1" : "contrastive-euclidean-d32-s1");
    }
}

START_TEST(test_summary_and_sweep_fragment)
{
    const char *bin = dsml_binary();
    ck_assert_ptr_nonnull(testdir_make("full-files"));
    char command[8192];
    write_runs(testdir_path("results"));
    path_format(command, sizeof command, "%s summary --csv %%s %s", bin, testdir_path("results"));
    expect_one_file(command, "summary.csv");
    testdir_write_text(testdir_path("t.sweep"), "set dataset=fashion-mnist dim=8,16 seed=1,2,3 model=mlp\n"
                                               "dml loss=contrastive,triplet distance=euclidean,snr\n");
    path_format(command, sizeof command, "%s sweep makefile --results %s --out %%s %s", bin, testdir_path("results"),
                testdir_path("t.sweep"));
    expect_one_file(command, "sweep.mk");
    testdir_done(1);
}
END_TEST

/* ---- the tables ----------------------------------------------------------------------- */

/* The files an unlimited `dsml tables` wrote, in order, from its "wrote PATH" lines. */
static int written_files(char files[][4096], int cap)
{
    int n = 0;
    for (const char *p = r.out; (p = strstr(p, "wrote ")) && n < cap; p += 6) {
        if (p != r.out && p[-1] != '\n') continue;
        size_t len = strcspn(p + 6, "\n");
        path_format(files[n++], 4096, "%.*s", (int)len, p + 6);
    }
    return n;
}

START_TEST(test_tables)
{
    const char *bin = dsml_binary();
    ck_assert_ptr_nonnull(testdir_make("full-tables"));
    write_runs(testdir_path("results"));
    char cmd[16384], files[32][4096], failing[4096];
    path_format(cmd, sizeof cmd, "%s tables --results %s --out %s --published paper-tables/published.tsv", bin,
                testdir_path("results"), testdir_path("good"));
    run_limited(cmd, 0);
    int n = written_files(files, 32);
    ck_assert_msg(n >= 4, "%s", spawn_tail(&r));
    long long largest = 0;
    for (int i = 0; i < n; i++) largest = file_size(files[i]) > largest ? file_size(files[i]) : largest;
    /* at the first byte (the first file fails) and at the last byte of the largest (the first of that size
     * fails); the files before it are whole */
    const long long limits[2] = {1, largest - 1};
    for (int k = 0; k < 2; k++) {
        char out[64];
        snprintf(out, sizeof out, "out%d", k);
        path_format(cmd, sizeof cmd, "%s tables --results %s --out %s --published paper-tables/published.tsv", bin,
                    testdir_path("results"), testdir_path(out));
        run_limited(cmd, limits[k]);
        int first = 0;
        while (file_size(files[first]) <= limits[k]) first++;
        const char *name = strrchr(files[first], '/') + 1;
        path_format(failing, sizeof failing, "%s/%s", testdir_path(out), name);
        expect_failed_on(failing, EFBIG_TEXT, limits[k]);
        ck_assert_msg(!file_exists(failing), "limit %lld: %s was left", limits[k], failing);
        for (int i = 0; i < first; i++) {
            char done[4200];
            path_format(done, sizeof done, "%s/%s", testdir_path(out), strrchr(files[i], '/') + 1);
            file_expect_bytes(done, files[i], "a table written before the failure");
        }
    }
    /* over the good tables: every one stays as it was */
    file_mark marks[32];
    for (int i = 0; i < n; i++) file_mark_take(&marks[i], files[i]);
    path_format(cmd, sizeof cmd, "%s tables --results %s --out %s --published paper-tables/published.tsv", bin,
                testdir_path("results"), testdir_path("good"));
    run_limited(cmd, 1);
    expect_failed_on(files[0], EFBIG_TEXT, 1);
    for (int i = 0; i < n; i++) {
        file_mark_expect_same(&marks[i], files[i]);
        file_mark_free(&marks[i]);
    }
    testdir_done(1);
}
END_TEST

/* ---- a real full disk ------------------------------------------------------------------ */

/* How to get a mount namespace of our own: "unshare -m" (root), "unshare -r -m" (a user namespace), or NULL
 * (the test is skipped, saying why). */
static const char *mount_namespace(void)
{
    static const char *const ways[2] = {"unshare -m", "unshare -r -m"};
    char cmd[8192];
    for (int i = 0; i < 2; i++) {
        path_format(cmd, sizeof cmd, "%s sh -c 'mount -t tmpfs -o size=64k dsml-full %s' 2>&1", ways[i],
                    testdir_path("mnt"));
        spawn_run(&r, cmd, NULL, 0);
        if (r.status == 0) return ways[i];
    }
    fprintf(stderr, "SKIP: no real full disk: a tmpfs cannot be mounted here (neither `unshare -m` nor `unshare -r -m` "
                    "mounts one: %s); the RLIMIT_FSIZE cases stand for it\n", spawn_tail(&r));
    return NULL;
}

/* Runs `command` (a format with one %s: the tmpfs) with a full 64 KiB tmpfs at <test>/mnt in a mount namespace
 * of its own; what is on it afterwards is copied to <test>/<copy>. */
static void run_on_full_tmpfs(const char *ns, const char *command, const char *copy)
{
    char inner[8192], cmd[16384];
    const char *mnt = testdir_path("mnt");
    path_format(inner, sizeof inner, command, mnt);
    path_format(cmd, sizeof cmd,
                "%s sh -c 'mount -t tmpfs -o size=64k dsml-full %s && { cat /dev/zero > %s/fill; true; } 2>/dev/null "
                "&& %s; status=$?; mkdir -p %s && cp -a %s/. %s/; exit $status'",
                ns, mnt, mnt, inner, testdir_path(copy), mnt, testdir_path(copy));
    spawn_run(&r, cmd, NULL, 0);
}

START_TEST(test_no_space)
{
    const char *bin = dsml_binary();
    ck_assert_ptr_nonnull(testdir_make("full-tmpfs"));
    ck_assert_int_eq(dsml_mkdirs(testdir_path("mnt")), 0);
    const char *ns = mount_namespace();
    if (!ns) {
        testdir_done(1);
        return;
    }
    write_pets(40);
    char cmd[16384], path[4096];
    /* the cache, prepared onto the full disk */
    path_format(cmd, sizeof cmd, "%s " PREPARE_ARGS, bin, testdir_path(""), "%s");
    run_on_full_tmpfs(ns, cmd, "after-prepare");
    path_format(path, sizeof path, "%s/data/cache/pets.dsd", testdir_path("mnt"));
    expect_failed_on(path, ENOSPC_TEXT, 0);
    ck_assert(!file_exists(testdir_path("after-prepare/data/cache/pets.dsd")));
    /* a run onto the full disk, from a cache prepared elsewhere: embeddings.bin, then (without it) metrics.json */
    path_format(cmd, sizeof cmd, "%s " PREPARE_ARGS, bin, testdir_path(""), testdir_path(""));
    run_limited(cmd, 0);
    static const char *const extra[2] = {"", "--no-embeddings"}, *const file[2] = {"embeddings.bin", "metrics.json"};
    for (int i = 0; i < 2; i++) {
        char copy[64];
        snprintf(copy, sizeof copy, "after-train%d", i);
        path_format(cmd, sizeof cmd, "%s train --dataset pets --data %s/data --model mlp --hidden 8 --dim 4 "
                    "--queries-per-class 2 --train-per-class 10 --batch 10 --images-per-class 5 --epochs 1 "
                    "--threads 1 %s --out %%s/run", bin, testdir_path(""), extra[i]);
        run_on_full_tmpfs(ns, cmd, copy);
        path_format(path, sizeof path, "%s/run/%s", testdir_path("mnt"), file[i]);
        expect_failed_on(path, ENOSPC_TEXT, 0);
        path_format(path, sizeof path, "%s/run", testdir_path(copy));
        ck_assert_msg(!run_whole(path, 1), "%s looks finished", path);
        path_format(path, sizeof path, "%s/run/%s", testdir_path(copy), file[i]);
        ck_assert_msg(!file_exists(path), "%s was left", path);
    }
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"cache", 20, (const TTest *[]){test_cache, test_cache_from_train, NULL}},
        {"run files", 30, (const TTest *[]){test_run_files, NULL}},
        {"summary, sweep, tables", 20, (const TTest *[]){test_summary_and_sweep_fragment, test_tables, NULL}},
        {"no space", 20, (const TTest *[]){test_no_space, NULL}},
    };
    return suite_run_cases("disk_full", cases, SUITE_CASES(cases));
}
