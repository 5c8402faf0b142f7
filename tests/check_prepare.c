/* `dsml prepare` and `dsml data info` end to end, on small image trees the
 * tests write (PNG with libpng): folders and tar.gz archives, a corrupt image
 * with and without --skip-bad, --split-dirs, staleness and the cache's
 * version-2 extension, a broken symbolic link, class names that are not
 * UTF-8 (valid JSON all the same), temp files of killed writers removed by
 * the next prepare and train, `data info` on a dataset never prepared, usage
 * errors, a CUB-200-2011 archive prepared and trained on, and the
 * environment the CLI reads for the library ($DSML_FASHION_MNIST). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/json_parse.h"
#include "support/dataset_files.h"
#include "support/files.h"
#include "support/image_files.h"
#include "support/run_cmd.h"
#include "support/stale_temps.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static cmd_result r;
static char args[16384];

/* An RGB PNG of w x h, every pixel (v, 2v, 255 - v). */
static void write_png(const char *path, int w, int h, int v)
{
    bytes b = png_solid(w, h, v, 2 * v, 255 - v);
    file_write(path, b.data, b.size);
    free(b.data);
}

/* <dir>/<prefix>cat/{0,1,2}.png (8x6), <dir>/<prefix>dog/{0,1}.png (5x9),
 * and a README that is not an image. */
static void make_tree(const char *dir, const char *prefix)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%scat", dir, prefix);
    ck_assert_int_eq(dsml_mkdirs(path), 0);
    snprintf(path, sizeof path, "%s/%sdog", dir, prefix);
    ck_assert_int_eq(dsml_mkdirs(path), 0);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%scat/%d.png", dir, prefix, i);
        write_png(path, 8, 6, 10 * i);
    }
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%sdog/%d.png", dir, prefix, i);
        write_png(path, 5, 9, 100 + i);
    }
    snprintf(path, sizeof path, "%s/README", dir);
    testdir_write_text(path, "not an image\n");
}

/* True when bin/dsml has the commands (they are registered in src/cli/main.c). */
static int have_commands(void)
{
    run_dsml(&r, "prepare --help");
    if (r.status == 0 && strstr(r.out, "--split-dirs")) return 1;
    fprintf(stderr, "SKIP: bin/dsml has no `prepare` command (register cmd_prepare and cmd_data in src/cli/main.c)\n");
    return 0;
}

/* Runs `dsml ARGS`: it must exit with `status` and name `fragment` on stderr. */
static void expect_exit(const char *command_args, int status, const char *fragment)
{
    run_dsml(&r, command_args);
    ck_assert_msg(r.status == status, "%s: status %d, expected %d: %s", command_args, r.status, status, r.err);
    ck_assert_msg(strstr(r.err, fragment), "%s: stderr was: %s", command_args, r.err);
}

static dsml_json_doc doc;

/* Runs `data info NAME --data ROOT` and parses its JSON into doc. */
static const dsml_jv *info_json(const char *name, const char *root)
{
    snprintf(args, sizeof args, "data info %s --data %s", name, root);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "data info %s: status %d: %s", name, r.status, r.err);
    ck_assert_msg(dsml_json_parse(&doc, "data info", r.out, strlen(r.out)) == 0, "not JSON: %s", r.out);
    return doc.root;
}

static const dsml_jv *jget(const dsml_jv *v, const char *key)
{
    const dsml_jv *f = dsml_jv_get(v, key);
    ck_assert_msg(f != NULL, "no \"%s\" in %s", key, r.out);
    return f;
}

static const dsml_jv *jat(const dsml_jv *array, int i)
{
    ck_assert_int_eq(array->type, DSML_JV_ARRAY);
    ck_assert_int_lt(i, array->count);
    const dsml_jv *e = array->child;
    while (i-- > 0) e = e->next;
    return e;
}

static int jlen(const dsml_jv *v) { return v->count; }
static double jnum(const dsml_jv *v) { return v->number; }
static const char *jstring(const dsml_jv *v) { return v->string; }
static long long jint(const dsml_jv *v, const char *key) { return (long long)jget(v, key)->number; }
static const char *jstr(const dsml_jv *v, const char *key) { return jget(v, key)->string; }

START_TEST(test_prepare_folder_and_info)
{
    if (!have_commands()) return;
    const char *dir = testdir_make("prepare-folder");
    char src[4096], root[4096];
    snprintf(src, sizeof src, "%s/src", dir);
    snprintf(root, sizeof root, "%s/root", dir);
    make_tree(src, "");
    snprintf(args, sizeof args, "prepare imagefolder --from %s --name pets --data %s --size 4x6 --quiet", src, root);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "pets: prepared: 5 images, 2 classes, 3x4x6"), "%s", r.out);
    ck_assert_str_eq(r.err, "");

    const dsml_jv *v = info_json("pets", root);
    ck_assert_str_eq(jstr(v, "name"), "pets");
    ck_assert_int_eq(jint(v, "images"), 5);
    ck_assert_int_eq(jint(v, "classes"), 2);
    const dsml_jv *shape = jget(v, "shape");
    ck_assert_int_eq(jlen(shape), 3);
    ck_assert_int_eq((int)jnum(jat(shape, 0)), 3);
    ck_assert_int_eq((int)jnum(jat(shape, 1)), 4);
    ck_assert_int_eq((int)jnum(jat(shape, 2)), 6);
    const dsml_jv *names = jget(v, "class_names"), *counts = jget(v, "class_counts");
    ck_assert_str_eq(jstring(jat(names, 0)), "cat");
    ck_assert_str_eq(jstring(jat(names, 1)), "dog");
    ck_assert_int_eq((int)jnum(jat(counts, 0)), 3);
    ck_assert_int_eq((int)jnum(jat(counts, 1)), 2);
    const dsml_jv *split = jget(v, "dml_split");
    ck_assert_int_eq(jint(split, "queries_per_class"), 100);
    ck_assert_msg(strstr(jstr(split, "error"), "too few images: class \"dog\" has 2"), "%s", r.out);
    ck_assert_int_eq(strlen(jstr(v, "source_sha256")), 64);
    ck_assert_int_eq(strlen(jstr(v, "content_sha256")), 64);
    ck_assert_int_eq(jint(jget(v, "skipped"), "count"), 0);
    ck_assert_int_eq(jint(v, "ignored"), 1);
    ck_assert_ptr_null(dsml_jv_get(v, "splits"));
    char source_sha[65];
    snprintf(source_sha, sizeof source_sha, "%s", jstr(v, "source_sha256"));
    dsml_json_doc_free(&doc);

    /* the same inputs again: up to date, the file not rewritten */
    snprintf(args, sizeof args, "prepare imagefolder --from %s --name pets --data %s --size 4x6 --quiet", src, root);
    char cache[4200];
    snprintf(cache, sizeof cache, "%s/cache/pets.dsd", root);
    struct stat before, after;
    ck_assert_int_eq(stat(cache, &before), 0);
    usleep(20000);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "pets: up to date: 5 images"), "%s", r.out);
    ck_assert_int_eq(stat(cache, &after), 0);
    ck_assert_int_eq(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
    ck_assert_int_eq(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
    ck_assert_int_eq(before.st_ino, after.st_ino);

    /* another --size: prepared again with the new shape */
    snprintf(args, sizeof args, "prepare imagefolder --from %s --name pets --data %s --size 8x8 --channels 1 --quiet",
             src, root);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "pets: prepared: 5 images, 2 classes, 1x8x8"), "%s", r.out);

    /* a changed image: prepared again, and the source hash follows */
    write_png(testdir_path("src/dog/1.png"), 5, 9, 200);
    run_dsml(&r, args);
    ck_assert_msg(strstr(r.out, "pets: prepared:"), "%s", r.out);
    v = info_json("pets", root);
    ck_assert_str_ne(jstr(v, "source_sha256"), source_sha);
    dsml_json_doc_free(&doc);

    /* `prepare LOCALNAME` alone finds the recorded source and options */
    snprintf(args, sizeof args, "prepare pets --data %s --quiet", root);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0 && strstr(r.out, "pets: ready: 5 images, 2 classes, 1x8x8"), "%s%s", r.out, r.err);
    testdir_done(1);
}
END_TEST

START_TEST(test_prepare_archive)
{
    if (!have_commands()) return;
    const char *dir = testdir_make("prepare-archive");
    char tree[4096], root[4096], tgz[4096], folder_root[4096];
    snprintf(tree, sizeof tree, "%s/tree", dir);
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(folder_root, sizeof folder_root, "%s/root2", dir);
    snprintf(tgz, sizeof tgz, "%s/pets.tar.gz", dir);
    make_tree(tree, "");
    snprintf(args, sizeof args, "tar -C %s -czf %s .", tree, tgz);
    run_shell(&r, args);
    ck_assert_int_eq(r.status, 0);
    snprintf(args, sizeof args, "prepare imagefolder --from %s --name pets-tgz --data %s --quiet", tgz, root);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0 && strstr(r.out, "pets-tgz: prepared: 5 images, 2 classes, 3x32x32"), "%s%s", r.out,
                  r.err);
    snprintf(args, sizeof args, "prepare imagefolder --from %s --name pets --data %s --quiet", tree, folder_root);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 0);

    /* the archive and the folder decode to the same content; the archive's
     * source hash is the SHA-256 of its bytes */
    const dsml_jv *a = info_json("pets-tgz", root);
    char content[65], source[65];
    snprintf(content, sizeof content, "%s", jstr(a, "content_sha256"));
    snprintf(source, sizeof source, "%s", jstr(a, "source_sha256"));
    dsml_json_doc_free(&doc);
    const dsml_jv *b = info_json("pets", folder_root);
    ck_assert_str_eq(jstr(b, "content_sha256"), content);
    dsml_json_doc_free(&doc);
    snprintf(args, sizeof args, "sha256sum %s", tgz);
    run_shell(&r, args);
    ck_assert_int_eq(strncmp(r.out, source, 64), 0);

    /* again: up to date */
    snprintf(args, sizeof args, "prepare imagefolder --from %s --name pets-tgz --data %s --quiet", tgz, root);
    run_dsml(&r, args);
    ck_assert_msg(strstr(r.out, "pets-tgz: up to date"), "%s", r.out);
    testdir_done(1);
}
END_TEST

START_TEST(test_corrupt_image_and_skip_bad)
{
    if (!have_commands()) return;
    const char *dir = testdir_make("prepare-corrupt");
    char src[4096], root[4096], cache_dir[4200];
    snprintf(src, sizeof src, "%s/src", dir);
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", root);
    make_tree(src, "");
    png_write_corrupt(testdir_path("src/cat/bad.png"));

    snprintf(args, sizeof args, "prepare imagefolder --from %s --name pets --data %s --quiet", src, root);
    expect_exit(args, 1, "cat/bad.png");
    ck_assert_str_eq(r.out, "");
    snprintf(args, sizeof args, "ls -A %s", cache_dir);
    run_shell(&r, args);
    ck_assert_msg(strstr(r.out, ".dsd") == NULL && strstr(r.out, "tmp") == NULL, "left in the cache: %s", r.out);

    snprintf(args, sizeof args, "prepare imagefolder --from %s --name pets --data %s --skip-bad", src, root);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "pets: prepared: 5 images, 2 classes, 3x32x32") && strstr(r.out, "1 skipped"), "%s",
                  r.out);
    ck_assert_msg(strstr(r.err, "cat/bad.png"), "the skipped file is named on stderr: %s", r.err);

    const dsml_jv *v = info_json("pets", root);
    const dsml_jv *skipped = jget(v, "skipped");
    ck_assert_int_eq(jint(skipped, "count"), 1);
    const dsml_jv *files = jget(skipped, "files");
    ck_assert_int_eq(jlen(files), 1);
    ck_assert_str_eq(jstring(jat(files, 0)), "cat/bad.png");
    ck_assert_int_eq(jint(v, "ignored"), 1);
    ck_assert_int_eq((int)jnum(jat(jget(v, "class_counts"), 0)), 3);
    dsml_json_doc_free(&doc);

    /* the version-2 header on disk: version 2, and the extension block after
     * the two class names holds 1 ignored, 1 skipped, 0 splits */
    FILE *fp = fopen(testdir_path("root/cache/pets.dsd"), "rb");
    ck_assert_ptr_nonnull(fp);
    unsigned char head[1536];
    ck_assert_uint_eq(fread(head, 1, sizeof head, fp), sizeof head);
    fclose(fp);
    ck_assert_uint_eq(head[8], 2);
    ck_assert_uint_eq(head[1408], 1);     /* n_ignored */
    ck_assert_uint_eq(head[1412], 1);     /* n_skipped */
    ck_assert_uint_eq(head[1416], 0);     /* n_splits */
    ck_assert_uint_eq(head[1424], 12);    /* "cat/bad.png" + NUL */
    ck_assert_str_eq((const char *)head + 1472, "cat/bad.png");

    snprintf(args, sizeof args, "prepare imagefolder --from %s --name pets --data %s --quiet", src, root);
    /* without --skip-bad again: stale, and the corrupt image stops it; the
     * earlier cache is left as it was */
    expect_exit(args, 1, "cat/bad.png");
    v = info_json("pets", root);
    ck_assert_int_eq(jint(jget(v, "skipped"), "count"), 1);
    dsml_json_doc_free(&doc);
    testdir_done(1);
}
END_TEST

/* A fresh test folder `name` with the paths of its src/ and root/ (4096 bytes each). */
static const char *test_dirs(const char *name, char *src, char *root)
{
    const char *dir = testdir_make(name);
    ck_assert_ptr_nonnull(dir);
    snprintf(src, 4096, "%s/src", dir);
    snprintf(root, 4096, "%s/root", dir);
    return dir;
}

START_TEST(test_broken_link_and_stale_temps)
{
    if (!have_commands()) return;
    char src[4096], root[4096], cache[4200];
    test_dirs("prepare-link", src, root);
    snprintf(cache, sizeof cache, "%s/cache/pets.dsd", root);
    make_tree(src, "");
    ck_assert_int_eq(symlink("/nonexistent/gone.png", testdir_path("src/dog/gone.png")), 0);
    ck_assert_int_eq(symlink("/nonexistent/lock", testdir_path("src/cat/.#0.png")), 0); /* hidden: ignored */

    /* temp files of writers that were killed: this host's are removed, another host's are kept */
    ck_assert_int_eq(dsml_mkdirs(testdir_path("root/cache")), 0);
    const char *host = temp_host();
    long dead = dead_pid();
    char gone[2][8192], kept[8192];
    snprintf(gone[0], sizeof gone[0], "%s", write_temp(cache, host, dead));
    snprintf(gone[1], sizeof gone[1], "%s", write_temp(cache, NULL, dead));
    snprintf(kept, sizeof kept, "%s", write_temp(cache, "node-b", dead));

    /* without --skip-bad the link stops the prepare, named with its target, in the usual context */
    snprintf(args, sizeof args, "prepare imagefolder --from %s --name pets --data %s --quiet", src, root);
    expect_exit(args, 1, "preparing pets from ");
    ck_assert_msg(strstr(r.err, "dog/gone.png: symbolic link to /nonexistent/gone.png"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "removed 2 temp files left in ") && strstr(r.err, "/cache by processes that ended"),
                  "%s", r.err);
    for (int i = 0; i < 2; i++) ck_assert_msg(access(gone[i], F_OK) != 0, "%s left", gone[i]);
    ck_assert_int_eq(access(kept, F_OK), 0);

    /* with --skip-bad it is skipped and counted like a corrupt image */
    snprintf(args, sizeof args, "prepare imagefolder --from %s --name pets --data %s --skip-bad --quiet", src, root);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "pets: prepared: 5 images, 2 classes") && strstr(r.out, "1 skipped") &&
                  strstr(r.out, "2 ignored"), "%s", r.out);
    ck_assert_msg(!strstr(r.err, "temp file"), "nothing left to remove: %s", r.err);
    const dsml_jv *v = info_json("pets", root);
    ck_assert_str_eq(jstring(jat(jget(jget(v, "skipped"), "files"), 0)), "dog/gone.png");
    dsml_json_doc_free(&doc);
    testdir_done(1);
}
END_TEST

/* Folder names that are not UTF-8 (Latin-1 "caf\xe9", an overlong '/') become
 * class names that `data info` writes with U+FFFD: the JSON parses here and
 * in Python's strict json module. */
START_TEST(test_info_non_utf8_class_names)
{
    if (!have_commands()) return;
    char src[4096], root[4096], path[8192];
    const char *dir = test_dirs("prepare-utf8", src, root);
    static const char *const classes[3] = {"caf\xe9", "x\xc0\xaf", "ok"};
    for (int c = 0; c < 3; c++) {
        snprintf(path, sizeof path, "%s/%s/%d.png", src, classes[c], c);
        write_png(path, 4, 4, 10 * c);
    }
    snprintf(args, sizeof args, "prepare imagefolder --from %s --name names --data %s --quiet", src, root);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    const dsml_jv *v = info_json("names", root);
    const dsml_jv *names = jget(v, "class_names");
    ck_assert_str_eq(jstring(jat(names, 0)), "caf\xEF\xBF\xBD");
    ck_assert_str_eq(jstring(jat(names, 1)), "ok");
    ck_assert_str_eq(jstring(jat(names, 2)), "x\xEF\xBF\xBD\xEF\xBF\xBD");
    dsml_json_doc_free(&doc);
    snprintf(path, sizeof path, "%s/info.json", dir);
    testdir_write_text(path, r.out);
    run_shell(&r, "command -v python3");
    if (r.status != 0) {
        fprintf(stderr, "SKIP: no python3 to read %s with\n", path);
    } else {
        snprintf(args, sizeof args, "python3 -c 'import json, sys; d = json.load(open(sys.argv[1], encoding=\"utf-8\", "
                 "errors=\"strict\")); print(\"|\".join(d[\"class_names\"]))' %s", path);
        run_shell(&r, args);
        ck_assert_msg(r.status == 0, "python3 cannot read it: %s", r.err);
        ck_assert_str_eq(r.out, "caf\xEF\xBF\xBD|ok|x\xEF\xBF\xBD\xEF\xBF\xBD\n");
    }
    testdir_done(1);
}
END_TEST

START_TEST(test_split_dirs)
{
    if (!have_commands()) return;
    const char *dir = testdir_make("prepare-splits");
    char src[4096], root[4096];
    snprintf(src, sizeof src, "%s/src", dir);
    snprintf(root, sizeof root, "%s/root", dir);
    make_tree(src, "train/");
    ck_assert_int_eq(dsml_mkdirs(testdir_path("src/test/cat")), 0);
    write_png(testdir_path("src/test/cat/9.png"), 4, 4, 50);

    snprintf(args, sizeof args, "prepare imagefolder --from %s --name sp --data %s --split-dirs --quiet", src, root);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0 && strstr(r.out, "sp: prepared: 6 images, 2 classes") && strstr(r.out, "2 splits"),
                  "%s%s", r.out, r.err);
    const dsml_jv *v = info_json("sp", root);
    const dsml_jv *splits = jget(v, "splits");
    ck_assert_int_eq(jlen(splits), 2);
    ck_assert_str_eq(jstr(jat(splits, 0), "name"), "test");
    ck_assert_int_eq(jint(jat(splits, 0), "images"), 1);
    ck_assert_str_eq(jstr(jat(splits, 1), "name"), "train");
    ck_assert_int_eq(jint(jat(splits, 1), "images"), 5);
    ck_assert_str_eq(jstring(jat(jget(v, "class_names"), 0)), "cat");
    dsml_json_doc_free(&doc);

    /* without --split-dirs the split folder is part of the class */
    snprintf(args, sizeof args, "prepare imagefolder --from %s --name nosp --data %s --quiet", src, root);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0 && strstr(r.out, "nosp: prepared: 6 images, 3 classes"), "%s%s", r.out, r.err);
    v = info_json("nosp", root);
    ck_assert_ptr_null(dsml_jv_get(v, "splits"));
    ck_assert_str_eq(jstring(jat(jget(v, "class_names"), 0)), "test/cat");
    dsml_json_doc_free(&doc);
    testdir_done(1);
}
END_TEST

START_TEST(test_info_unprepared_and_usage)
{
    if (!have_commands()) return;
    const char *dir = testdir_make("prepare-usage");
    char root[4096];
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(args, sizeof args, "data info pets --data %s", root);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "pets is not prepared") && strstr(r.err, "dsml prepare imagefolder"), "%s", r.err);
    snprintf(args, sizeof args, "data info cifar10 --data %s", root);
    expect_exit(args, 1, "`dsml prepare cifar10`");
    ck_assert_int_eq(access(root, F_OK), -1); /* nothing was created */

    /* cifar10 with no archive anywhere: how to get it */
    snprintf(args, sizeof args, "prepare cifar10 --data %s --quiet", root);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "dsml fetch cifar10") && strstr(r.err, "--from"), "%s", r.err);

    static const struct { const char *args, *message; } cases[] = {
        {"prepare", "usage: dsml prepare"},
        {"prepare imagefolder --name x", "imagefolder needs --from PATH and --name LOCALNAME"},
        {"prepare imagefolder --from . --name ../x", "--name ../x: expected"},
        {"prepare imagefolder --from . --name cifar10", "--name cifar10: expected"},
        {"prepare imagefolder --from . --name x --size 32", "--size 32: expected HxW"},
        {"prepare imagefolder --from . --name x --size 0x4", "--size 0x4: expected HxW"},
        {"prepare imagefolder --from . --name x --channels 2", "--channels 2: expected 1 or 3"},
        {"prepare cifar10 --size 8x8", "for imagefolder only"},
        {"prepare imagefolder --from . --name x --bogus", "unknown option '--bogus'"},
        {"data info", "usage: dsml data info"},
        {"data frob", "unknown subcommand 'frob'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_exit(cases[i].args, 2, cases[i].message);
    }
    /* a missing source is an error naming it */
    snprintf(args, sizeof args, "prepare imagefolder --from %s/nope --name x --data %s --quiet", dir, root);
    expect_exit(args, 1, "nope");
    testdir_done(1);
}
END_TEST

/* A CUB-200-2011 archive of 4 classes x 6 PNG images (train: the first 3 of
 * each class), made with tar; then prepare, data info, and two short
 * trainings: the paper split and the zero-shot split. */
START_TEST(test_prepare_cub200_and_train)
{
    if (!have_commands()) return;
    const char *dir = testdir_make("prepare-cub");
    char src[4096], root[4096], path[8192], images[4096] = "", labels[4096] = "", split[4096] = "";
    snprintf(src, sizeof src, "%s/src/CUB_200_2011", dir);
    snprintf(root, sizeof root, "%s/root", dir);
    for (int c = 0; c < 4; c++) {
        snprintf(path, sizeof path, "%s/images/%03d.bird%d", src, c + 1, c);
        ck_assert_int_eq(dsml_mkdirs(path), 0);
        for (int k = 0; k < 6; k++) {
            int id = 6 * c + k + 1;
            snprintf(path, sizeof path, "%s/images/%03d.bird%d/%d.png", src, c + 1, c, id);
            write_png(path, 10, 12, 10 * c + k);
            size_t used = strlen(images);
            snprintf(images + used, sizeof images - used, "%d %03d.bird%d/%d.png\n", id, c + 1, c, id);
            used = strlen(labels);
            snprintf(labels + used, sizeof labels - used, "%d %d\n", id, c + 1);
            used = strlen(split);
            snprintf(split + used, sizeof split - used, "%d %d\n", id, k < 3);
        }
    }
    snprintf(path, sizeof path, "%s/images.txt", src);
    testdir_write_text(path, images);
    snprintf(path, sizeof path, "%s/image_class_labels.txt", src);
    testdir_write_text(path, labels);
    snprintf(path, sizeof path, "%s/train_test_split.txt", src);
    testdir_write_text(path, split);
    snprintf(path, sizeof path, "%s/classes.txt", src);
    testdir_write_text(path, "1 001.bird0\n2 002.bird1\n3 003.bird2\n4 004.bird3\n");
    snprintf(args, sizeof args, "tar -C %s/src -czf %s/CUB_200_2011.tgz CUB_200_2011", dir, dir);
    run_shell(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);

    /* the archive cap: refused as a bomb, nothing written */
    snprintf(args, sizeof args, "prepare cub200 --from %s/CUB_200_2011.tgz --data %s --max-bytes 2K --quiet", dir, root);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "decompression bomb") && strstr(r.err, "CUB_200_2011.tgz"), "%s", r.err);
    snprintf(path, sizeof path, "%s/cache/cub200.dsd", root);
    ck_assert_int_eq(access(path, F_OK), -1);
    static const struct { const char *args, *message; } usage[] = {
        {"prepare cub200 --max-bytes lots", "--max-bytes lots: expected a byte count"},
        {"prepare cub200 --split-dirs", "--split-dirs are for imagefolder only"},
        {"prepare cub200 --skip-bad", "--skip-bad for imagefolder and nus-wide"},
        {"prepare cub200 --name birds", "--name and --split-dirs are for imagefolder only"},
        {"prepare imagefolder --from . --name cars196", "--name cars196: expected"},
    };
    for (size_t i = 0; i < sizeof usage / sizeof usage[0]; i++) {
        expect_exit(usage[i].args, 2, usage[i].message);
    }
    snprintf(args, sizeof args, "prepare cub200 --from %s/CUB_200_2011.tgz --data %s --size 8x8 --channels 1 --quiet",
             dir, root);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "cub200: prepared: 24 images, 4 classes, 1x8x8") && strstr(r.out, "2 splits"), "%s",
                  r.out);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0 && strstr(r.out, "up to date"), "%s%s", r.out, r.err);
    const dsml_jv *v = info_json("cub200", root);
    const dsml_jv *splits = jget(v, "splits");
    ck_assert_str_eq(jstr(jat(splits, 0), "name"), "test");
    ck_assert_int_eq(jint(jat(splits, 0), "images"), 12);
    ck_assert_int_eq(jint(jat(splits, 1), "images"), 12);
    ck_assert_str_eq(jstring(jat(jget(v, "class_names"), 3)), "004.bird3");
    dsml_json_doc_free(&doc);

    static const struct { const char *split, *kind; int train; } runs[] = {
        {"", "paper", 12}, {"--split zero-shot", "zero-shot", 12}};
    for (int i = 0; i < 2; i++) {
        snprintf(args, sizeof args, "train --dataset cub200 --data %s %s --model mlp --hidden 8 --dim 4 --epochs 1 "
                 "--batch 4 --images-per-class 2 --threads 1 --quiet --no-embeddings --out %s/run%d",
                 root, runs[i].split, dir, i);
        run_dsml(&r, args);
        ck_assert_msg(r.status == 0, "%s: %s", args, r.err);
        snprintf(path, sizeof path, "%s/run%d/metrics.json", dir, i);
        const char *text = read_text(path);
        ck_assert_msg(dsml_json_parse(&doc, "metrics.json", text, strlen(text)) == 0, "%s", text);
        const dsml_jv *sp = jget(jget(doc.root, "data"), "split");
        ck_assert_str_eq(jstr(sp, "kind"), runs[i].kind);
        ck_assert_int_eq(jint(sp, "train"), runs[i].train);
        ck_assert_int_eq(jint(sp, "query"), 12);
        ck_assert_int_eq(jint(sp, "database"), 12);
        ck_assert_int_eq(jget(sp, "query_is_database")->type, DSML_JV_BOOL);
        ck_assert_int_eq(jint(sp, "query_is_database"), 1);
        dsml_json_doc_free(&doc);
    }
    /* temp files of a run killed while writing: the next run in that folder removes them and says so */
    snprintf(path, sizeof path, "%s/run2", dir);
    ck_assert_int_eq(dsml_mkdirs(path), 0);
    long dead = dead_pid();
    char gone[2][8192], kept[8192];
    snprintf(path, sizeof path, "%s/run2/metrics.json", dir);
    snprintf(gone[0], sizeof gone[0], "%s", write_temp(path, temp_host(), dead));
    snprintf(kept, sizeof kept, "%s", write_temp(path, temp_host(), (long)getpid())); /* a live writer's */
    snprintf(path, sizeof path, "%s/run2/embeddings.bin", dir);
    snprintf(gone[1], sizeof gone[1], "%s", write_temp(path, NULL, dead));
    snprintf(args, sizeof args, "train --dataset cub200 --data %s --model mlp --hidden 8 --dim 4 --epochs 1 "
             "--batch 4 --images-per-class 2 --threads 1 --no-embeddings --out %s/run2", root, dir);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s: %s", args, r.err);
    ck_assert_msg(strstr(r.err, "run: removed 2 temp files left in ") && strstr(r.err, "run2 by processes that ended"),
                  "%s", r.err);
    for (int i = 0; i < 2; i++) ck_assert_msg(access(gone[i], F_OK) != 0, "%s left", gone[i]);
    ck_assert_int_eq(access(kept, F_OK), 0);
    snprintf(args, sizeof args, "train --dataset cub200 --data %s --split hashy --out %s/bad", root, dir);
    expect_exit(args, 2, "--split hashy: expected default, dml, hashing, paper or zero-shot");
    testdir_done(1);
}
END_TEST

/* $DSML_FASHION_MNIST is read by the commands (the library never reads the
 * environment): `dsml prepare` and `dsml train` look for Fashion-MNIST there. */
START_TEST(test_fashion_mnist_dir_from_environment)
{
    if (!have_commands()) return;
    const char *dir = testdir_make("prepare-env");
    write_fashion(1); /* 30 + 10 images: not the real counts, so reading them fails naming the files */
    char root[4096], nope[4200], want[4300];
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(nope, sizeof nope, "%s/nope", dir);
    setenv("DSML_FASHION_MNIST", dir, 1);
    snprintf(args, sizeof args, "prepare fashion-mnist --data %s --quiet", root);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "preparing fashion-mnist from ") && strstr(r.err, dir) &&
                  strstr(r.err, "train-images-idx3-ubyte.gz: 30 images, expected 60000"), "%s", r.err);

    /* a folder that does not exist: no source, and the message names it */
    setenv("DSML_FASHION_MNIST", nope, 1);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    snprintf(want, sizeof want, "no source found (looked at %s)", nope);
    ck_assert_msg(strstr(r.err, want) && strstr(r.err, "set DSML_FASHION_MNIST"), "%s", r.err);
    /* a run into a folder holding a finished run fails before replacing anything: that run is left whole */
    char run_dir[4200], finished[4300], aside[4300];
    snprintf(run_dir, sizeof run_dir, "%s/run", dir);
    snprintf(finished, sizeof finished, "%s/metrics.json", run_dir);
    snprintf(aside, sizeof aside, "%s/metrics.stale.json", run_dir);
    ck_assert_int_eq(mkdir(run_dir, 0755), 0);
    testdir_write_text(finished, "{\"earlier\": 1}\n");
    snprintf(args, sizeof args, "train --dataset fashion-mnist --data %s --out %s --quiet", root, run_dir);
    run_dsml(&r, args);
    ck_assert_int_ne(r.status, 0);
    ck_assert_msg(strstr(r.err, want), "%s", r.err);
    ck_assert_str_eq(read_text(finished), "{\"earlier\": 1}\n");
    ck_assert_int_eq(access(aside, F_OK), -1);
    unsetenv("DSML_FASHION_MNIST");
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"imagefolder", 60, (const TTest *[]){test_prepare_folder_and_info, test_prepare_archive,
                                              test_corrupt_image_and_skip_bad, test_split_dirs,
                                              test_broken_link_and_stale_temps, test_info_non_utf8_class_names,
                                              NULL}},
        {"usage", 60, (const TTest *[]){test_info_unprepared_and_usage, NULL}},
        {"annotated", 60, (const TTest *[]){test_prepare_cub200_and_train, NULL}},
        {"environment", 60, (const TTest *[]){test_fashion_mnist_dir_from_environment, NULL}},
    };
    return suite_run_cases("prepare", cases, SUITE_CASES(cases));
}
