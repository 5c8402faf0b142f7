/* Tests of the imagefolder reader (src/data/imagefolder.c): nested classes
 * and split folders, the folder's source hash, corrupt and misplaced images
 * (with and without skip_bad), an empty folder, hidden entries, symbolic
 * links (broken, out of the tree, back up the tree), and tar.gz and zip
 * archives of the same tree, including escaping members and a decompression
 * bomb. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/sha256.h"
#include "data/dataset.h"
#include "data/imagefolder.h"
#include "support/archive_files.h"
#include "support/files.h"
#include "support/image_files.h"
#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"

/* The tree: every image an 8x8 solid gray PNG of a distinct value. */
static const struct {
    const char *path;
    int value; /* gray value; -1: not an image; -2: corrupt PNG */
} tree[] = {
    {"README", -1},
    {"train/.DS_Store", -1},
    {"train/alpha/a2/img2.png", 60},
    {"train/alpha/a1/img1.png", 40},
    {"train/alpha/a1/notes.txt", -1},
    {"train/beta/b1/x.png", 80},
    {"test/alpha/a1/img3.png", 20},
};
#define TREE_N (int)(sizeof tree / sizeof tree[0])

static void write_tree_file(const char *root, const char *rel, int value)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    if (value == -1) {
        file_write(path, "not an image\n", 13);
    } else {
        uint8_t g[64];
        memset(g, value < 0 ? 0 : value, sizeof g);
        png_write(path, 8, 8, PNG_COLOR_TYPE_GRAY, 8, g, NULL, 0);
        if (value == -2) {
            bytes b = file_read(path);
            file_write(path, b.data, b.size - 20); /* truncated */
            free(b.data);
        }
    }
}

static void make_tree(const char *root)
{
    mkdir(root, 0755);
    for (int i = 0; i < TREE_N; i++) write_tree_file(root, tree[i].path, tree[i].value);
}

/* A fresh test folder `name` with the tree in tree/; the tree's path. */
static const char *make_test_tree(const char *name)
{
    static char root[4096];
    const char *dir = testdir_make(name);
    ck_assert_ptr_nonnull(dir);
    snprintf(root, sizeof root, "%s/tree", dir);
    make_tree(root);
    return root;
}

static dsml_imagefolder_options options(int split_dirs)
{
    dsml_imagefolder_options o = {0};
    o.channels = 1;
    o.height = 4;
    o.width = 4;
    o.split_dirs = split_dirs;
    o.name = "tree";
    return o;
}

/* Every image of ds is solid `value`. */
static void check_image(const dsml_dataset *ds, int i, int value)
{
    size_t bytes_per = dsml_dataset_image_bytes(ds);
    for (size_t j = 0; j < bytes_per; j++) ck_assert_int_eq(ds->pixels[i * bytes_per + j], value);
}

START_TEST(test_imagefolder_nested_classes_and_splits)
{
    const char *root = make_test_tree("imagefolder");
    dsml_dataset ds;
    dsml_imagefolder_info info;
    dsml_imagefolder_options o = options(0);
    int rc = dsml_imagefolder_read(&ds, root, &o, NULL, &info);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_str_eq(ds.name, "tree");
    ck_assert_int_eq(ds.n, 4);
    ck_assert_int_eq(ds.channels, 1);
    ck_assert_int_eq(ds.height, 4);
    ck_assert_int_eq(info.n_ignored, 3);
    ck_assert_int_eq(info.n_skipped, 0);
    ck_assert_int_eq(info.n_splits, 0);
    /* without split_dirs the split level is part of the class */
    ck_assert_int_eq(ds.n_classes, 4);
    ck_assert_str_eq(ds.class_names[0], "test/alpha/a1");
    ck_assert_str_eq(ds.class_names[3], "train/beta/b1");
    dsml_dataset_free(&ds);
    dsml_imagefolder_info_free(&info);

    o = options(1);
    rc = dsml_imagefolder_read(&ds, root, &o, NULL, &info);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n_classes, 3);
    ck_assert_str_eq(ds.class_names[0], "alpha/a1");
    ck_assert_str_eq(ds.class_names[1], "alpha/a2");
    ck_assert_str_eq(ds.class_names[2], "beta/b1");
    ck_assert_int_eq(info.n_splits, 2);
    ck_assert_str_eq(info.split_names[0], "test");
    ck_assert_str_eq(info.split_names[1], "train");
    /* images by path: test/alpha/a1/img3, train/alpha/a1/img1, train/alpha/a2/img2, train/beta/b1/x */
    const int labels[4] = {0, 0, 1, 2}, splits[4] = {0, 1, 1, 1}, values[4] = {20, 40, 60, 80};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(ds.labels[i], labels[i]);
        ck_assert_int_eq(info.split[i], splits[i]);
        check_image(&ds, i, values[i]);
    }
    char hex[65];
    dsml_dataset_content_sha256(&ds, hex);
    ck_assert_str_eq(ds.content_sha256, hex);
    ck_assert(dsml_sha256_is_hex(ds.source_sha256));
    dsml_dataset_free(&ds);
    dsml_imagefolder_info_free(&info);

    /* three channels: gray replicated */
    o.channels = 3;
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, NULL), 0);
    ck_assert_int_eq(ds.channels, 3);
    check_image(&ds, 3, 80);
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

START_TEST(test_imagefolder_folder_source_hash)
{
    const char *dir = testdir_make("imagefolder-hash");
    ck_assert_ptr_nonnull(dir);
    write_tree_file(dir, "c/b.png", 7);
    write_tree_file(dir, "README", -1);
    char hex_png[65], hex_readme[65], want[65], line[512];
    ck_assert_int_eq(dsml_sha256_file(testdir_path("c/b.png"), hex_png), 0);
    ck_assert_int_eq(dsml_sha256_file(testdir_path("README"), hex_readme), 0);
    struct stat st;
    ck_assert_int_eq(stat(testdir_path("c/b.png"), &st), 0);
    dsml_sha256 h;
    dsml_sha256_init(&h);
    snprintf(line, sizeof line, "%s 13 README\n", hex_readme);
    dsml_sha256_update(&h, line, strlen(line));
    snprintf(line, sizeof line, "%s %lld c/b.png\n", hex_png, (long long)st.st_size);
    dsml_sha256_update(&h, line, strlen(line));
    dsml_sha256_final_hex(&h, want);
    dsml_dataset ds;
    dsml_imagefolder_options o = options(0);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, dir, &o, NULL, NULL), 0);
    ck_assert_str_eq(ds.source_sha256, want);
    ck_assert_str_eq(ds.class_names[0], "c");
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

/* Reads the tree with o (skip_bad set): the four good images, and `skipped`
 * the one file skipped, with a log line holding "skipped " and `logged`. */
static void read_skipping_one(const char *root, const dsml_imagefolder_options *o, const char *skipped,
                              const char *logged)
{
    dsml_dataset ds;
    dsml_imagefolder_info info;
    FILE *log = tmpfile();
    ck_assert_ptr_nonnull(log);
    int rc = dsml_imagefolder_read(&ds, root, o, log, &info);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, 4);
    ck_assert_int_eq(info.n_skipped, 1);
    ck_assert_str_eq(info.skipped[0], skipped);
    char text[1024] = "";
    rewind(log);
    text[fread(text, 1, sizeof text - 1, log)] = '\0';
    fclose(log);
    ck_assert_msg(strstr(text, "skipped ") && strstr(text, logged), "log: %s", text);
    dsml_dataset_free(&ds);
    dsml_imagefolder_info_free(&info);
}

START_TEST(test_imagefolder_bad_images)
{
    const char *root = make_test_tree("imagefolder-bad");
    write_tree_file(root, "train/beta/b1/bad.png", -2);
    dsml_dataset ds;
    dsml_imagefolder_info info;
    dsml_imagefolder_options o = options(1);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, &info), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "train/beta/b1/bad.png"), "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, 0);
    ck_assert_ptr_null(ds.pixels);

    o.skip_bad = 1;
    read_skipping_one(root, &o, "train/beta/b1/bad.png", "bad.png");

    /* an image in the root folder */
    write_tree_file(root, "stray.png", 9);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, NULL), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "stray.png"), "%s", dsml_last_error());
    /* with split_dirs, an image right under a split folder has no class */
    remove(testdir_path("tree/stray.png"));
    write_tree_file(root, "test/loose.png", 9);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, NULL), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "test/loose.png"), "%s", dsml_last_error());
    /* no images at all */
    ck_assert_int_eq(dsml_imagefolder_read(&ds, testdir_path("tree/train/alpha/a1/notes.txt"), &o, NULL, NULL),
                     DSML_ERR_FORMAT);
    o.channels = 2;
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, NULL), DSML_ERR_ARG);
    testdir_done(1);
}
END_TEST

START_TEST(test_imagefolder_empty_folder)
{
    const char *dir = testdir_make("imagefolder-empty");
    ck_assert_ptr_nonnull(dir);
    dsml_dataset ds;
    dsml_imagefolder_options o = options(0);
    /* no entries at all: the walk collects nothing (and sorts nothing) */
    ck_assert_int_eq(dsml_imagefolder_read(&ds, dir, &o, NULL, NULL), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "no JPEG or PNG images found (0 other files, 0 skipped)"), "%s",
                  dsml_last_error());
    ck_assert_ptr_null(ds.pixels);
    testdir_done(1);
}
END_TEST

/* ln -s target <root>/<rel> */
static void link_at(const char *root, const char *rel, const char *target)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    ck_assert_msg(symlink(target, path) == 0, "symlink %s", path);
}

START_TEST(test_imagefolder_hidden_entries)
{
    const char *root = make_test_tree("imagefolder-hidden");
    dsml_dataset ds;
    dsml_imagefolder_info info;
    dsml_imagefolder_options o = options(1);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, NULL), 0);
    char source[65];
    snprintf(source, sizeof source, "%s", ds.source_sha256);
    dsml_dataset_free(&ds);
    /* a hidden image, a hidden folder of images, an editor's lock link to
     * nowhere, a hidden link to a folder: all ignored, with or without skip_bad */
    write_tree_file(root, "train/alpha/a1/.thumb.png", 99);
    write_tree_file(root, "train/.cache/beta/b1/y.png", 99);
    link_at(root, "train/beta/b1/.#x.png", "user@host.1234:1700000000");
    link_at(root, ".everything", ".");
    for (int skip = 0; skip < 2; skip++) {
        o.skip_bad = skip;
        int rc = dsml_imagefolder_read(&ds, root, &o, NULL, &info);
        ck_assert_msg(rc == 0, "%s", dsml_last_error());
        ck_assert_int_eq(ds.n, 4);
        ck_assert_int_eq(info.n_skipped, 0);
        ck_assert_int_eq(info.n_ignored, 3 + 4);
        ck_assert_str_eq(ds.source_sha256, source); /* hidden files are not part of the source */
        dsml_dataset_free(&ds);
        dsml_imagefolder_info_free(&info);
    }
    /* an archive of the same tree: the same images (hidden members ignored, links not followed) */
    dsml_dataset folder;
    ck_assert_int_eq(dsml_imagefolder_read(&folder, root, &o, NULL, NULL), 0);
    char command[8400], tgz[4200];
    snprintf(tgz, sizeof tgz, "%s", testdir_path("tree.tar.gz"));
    snprintf(command, sizeof command, "tar -C %s -czf %s .", root, tgz);
    cmd_result r;
    run_shell(&r, command);
    ck_assert_msg(r.status == 0, "%s", r.err);
    int rc = dsml_imagefolder_read(&ds, tgz, &o, NULL, &info);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, 4);
    ck_assert_int_eq(info.n_ignored, 3 + 2);
    ck_assert_str_eq(ds.content_sha256, folder.content_sha256);
    dsml_dataset_free(&ds);
    dsml_dataset_free(&folder);
    dsml_imagefolder_info_free(&info);
    testdir_done(1);
}
END_TEST

START_TEST(test_imagefolder_broken_link)
{
    const char *root = make_test_tree("imagefolder-broken-link");
    link_at(root, "train/beta/b1/gone.png", "/nonexistent/gone.png");
    dsml_dataset ds;
    dsml_imagefolder_info info;
    dsml_imagefolder_options o = options(1);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, &info), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "train/beta/b1/gone.png: symbolic link to /nonexistent/gone.png") &&
                  strstr(dsml_last_error(), "No such file"), "%s", dsml_last_error());
    ck_assert_ptr_null(ds.pixels);
    /* with skip_bad: skipped and listed like a corrupt image */
    o.skip_bad = 1;
    read_skipping_one(root, &o, "train/beta/b1/gone.png", "gone.png: symbolic link to");
    /* a link loop is as broken as a missing target */
    link_at(root, "train/beta/b1/loop.png", "loop.png");
    o.skip_bad = 0;
    remove(testdir_path("tree/train/beta/b1/gone.png"));
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, NULL), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "loop.png: symbolic link to loop.png"), "%s", dsml_last_error());
    testdir_done(1);
}
END_TEST

START_TEST(test_imagefolder_links)
{
    const char *dir = testdir_make("imagefolder-links");
    ck_assert_ptr_nonnull(dir);
    char root[4096];
    snprintf(root, sizeof root, "%s/tree", dir);
    write_tree_file(root, "cat/a.png", 10);
    write_tree_file(dir, "outside/x/b.png", 30);
    write_tree_file(dir, "outside/y/c.png", 50);
    mkdir(testdir_path("tree/fish"), 0755);
    link_at(root, "cat/up", "..");                          /* back up the tree: would recur forever */
    link_at(root, "cat/self", ".");
    link_at(root, "dog", "cat");                            /* a folder inside the root: walked */
    link_at(root, "bird", "../outside/x");                  /* a folder out of the root: not walked */
    link_at(root, "fish/b.png", "../../outside/y/c.png");   /* a file anywhere: read */
    dsml_dataset ds;
    dsml_imagefolder_options o = options(0);
    int rc = dsml_imagefolder_read(&ds, root, &o, NULL, NULL);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, 3);
    ck_assert_int_eq(ds.n_classes, 3);
    ck_assert_str_eq(ds.class_names[0], "cat");
    ck_assert_str_eq(ds.class_names[1], "dog");
    ck_assert_str_eq(ds.class_names[2], "fish");
    check_image(&ds, 0, 10);
    check_image(&ds, 1, 10);
    check_image(&ds, 2, 50);
    dsml_dataset_free(&ds);
    /* the root given through a link: the same tree */
    char via[4200];
    snprintf(via, sizeof via, "%s/via", dir);
    ck_assert_int_eq(symlink("tree", via), 0);
    rc = dsml_imagefolder_read(&ds, via, &o, NULL, NULL);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, 3);
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

/* Writes an archive (GNU tar + gzip, or zip) of the tree's files under root,
 * in reverse order (the reader must sort); extra: one more member (name,
 * extra_size zeros) or NULL. */
static void write_tree_archive(const char *path, int zip, const char *root, const char *extra_name,
                               size_t extra_size)
{
    archive_member m[TREE_N + 1];
    bytes data[TREE_N + 1];
    int n = 0;
    for (int i = TREE_N - 1; i >= 0; i--) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", root, tree[i].path);
        data[n] = file_read(full);
        m[n] = (archive_member){tree[i].path, data[n].data, data[n].size, NULL};
        n++;
    }
    if (extra_name) {
        data[n] = (bytes){calloc(1, extra_size + 1), extra_size, extra_size};
        m[n] = (archive_member){extra_name, data[n].data, extra_size, NULL};
        n++;
    }
    archive_write_members(path, m, n, zip ? TEST_ARCHIVE_ZIP : TEST_ARCHIVE_GNUTAR_GZ);
    for (int i = 0; i < n; i++) free(data[i].data);
}

START_TEST(test_imagefolder_archives_match_folder)
{
    const char *root = make_test_tree("imagefolder-archive");
    char tgz[4096], zip[4096];
    snprintf(tgz, sizeof tgz, "%s", testdir_path("tree.tar.gz"));
    snprintf(zip, sizeof zip, "%s", testdir_path("tree.zip"));
    write_tree_archive(tgz, 0, root, NULL, 0);
    write_tree_archive(zip, 1, root, NULL, 0);
    dsml_imagefolder_options o = options(1);
    dsml_dataset folder, ds;
    dsml_imagefolder_info info;
    ck_assert_int_eq(dsml_imagefolder_read(&folder, root, &o, NULL, NULL), 0);
    const char *archives[2] = {tgz, zip};
    for (int k = 0; k < 2; k++) {
        int rc = dsml_imagefolder_read(&ds, archives[k], &o, NULL, &info);
        ck_assert_msg(rc == 0, "%s", dsml_last_error());
        ck_assert_str_eq(ds.content_sha256, folder.content_sha256);
        char hex[65];
        ck_assert_int_eq(dsml_sha256_file(archives[k], hex), 0);
        ck_assert_str_eq(ds.source_sha256, hex);
        ck_assert_int_eq(info.is_archive, 1);
        ck_assert_int_eq(info.n_ignored, 3);
        ck_assert_int_eq(info.n_splits, 2);
        ck_assert_int_eq(info.split[0], 0);
        ck_assert_int_eq(info.split[3], 1);
        ck_assert_str_eq(ds.class_names[2], "beta/b1");
        dsml_dataset_free(&ds);
        dsml_imagefolder_info_free(&info);
    }
    dsml_dataset_free(&folder);
    testdir_done(1);
}
END_TEST

START_TEST(test_imagefolder_archive_escape_and_bomb)
{
    const char *root = make_test_tree("imagefolder-evil");
    char path[4096];
    dsml_imagefolder_options o = options(1);
    dsml_dataset ds;
    for (int zip = 0; zip < 2; zip++) {
        snprintf(path, sizeof path, "%s", testdir_path(zip ? "escape.zip" : "escape.tar.gz"));
        write_tree_archive(path, zip, root, "train/../../evil.png", 10);
        ck_assert_int_eq(dsml_imagefolder_read(&ds, path, &o, NULL, NULL), DSML_ERR_FORMAT);
        ck_assert_msg(strstr(dsml_last_error(), "evil.png") && strstr(dsml_last_error(), ".."), "%s",
                      dsml_last_error());
        snprintf(path, sizeof path, "%s", testdir_path(zip ? "bomb.zip" : "bomb.tar.gz"));
        write_tree_archive(path, zip, root, "train/alpha/zeros.bin", 3 << 20);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_int_lt(st.st_size, 100000); /* small on disk */
        o.max_total_bytes = 1 << 20;
        ck_assert_int_eq(dsml_imagefolder_read(&ds, path, &o, NULL, NULL), DSML_ERR_FORMAT);
        ck_assert_msg(strstr(dsml_last_error(), "decompression bomb"), "%s", dsml_last_error());
        o.max_total_bytes = 0; /* the default allows it: the zeros are ignored */
        int rc = dsml_imagefolder_read(&ds, path, &o, NULL, NULL);
        ck_assert_msg(rc == 0, "%s", dsml_last_error());
        ck_assert_int_eq(ds.n, 4);
        dsml_dataset_free(&ds);
    }
    /* not an archive at all */
    file_write(testdir_path("junk.tar.gz"), "plain text, not an archive", 26);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, testdir_path("junk.tar.gz"), &o, NULL, NULL), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "junk.tar.gz"), "%s", dsml_last_error());
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"folder", 30, (const TTest *[]){test_imagefolder_nested_classes_and_splits,
                                         test_imagefolder_folder_source_hash, NULL}},
        {"bad", 30, (const TTest *[]){test_imagefolder_bad_images, test_imagefolder_empty_folder, NULL}},
        {"links", 30, (const TTest *[]){test_imagefolder_hidden_entries, test_imagefolder_broken_link,
                                        test_imagefolder_links, NULL}},
        {"archive", 30, (const TTest *[]){test_imagefolder_archives_match_folder,
                                          test_imagefolder_archive_escape_and_bomb, NULL}},
    };
    return suite_run_cases("imagefolder", cases, SUITE_CASES(cases));
}
