/* Tests of dsml_weights_locate (src/data/weights_locate.c): a manifest name
 * to the file `dsml fetch` put in the data root, the message naming the fetch
 * command when it is missing, paths, and the repository's weights manifests. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "data/weights_locate.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/suite_run.h"
#include "support/testdir.h"

/* A small file, its folders created. */
static void write_text(const char *path, const char *text) { file_write(path, text, strlen(text)); }

#define W_MANIFEST "name w-net\nfile w.pth size 4 sha256 unknown md5 unknown\nurl https://example.org/w.pth\n"

START_TEST(test_locate_by_name)
{
    const char *root = testdir_make("locate-name");
    ck_assert_ptr_nonnull(root);
    write_text(testdir_path("m/w-net.manifest"), W_MANIFEST);
    char manifests[4096], want[4096], path[4096];
    snprintf(manifests, sizeof manifests, "%s", testdir_path("m"));

    /* missing: the path where fetch puts it, and the command that does */
    snprintf(want, sizeof want, "w-net: %s/downloads/w.pth is missing; get it with `dsml fetch w-net`", root);
    expect_error(dsml_weights_locate("w-net", manifests, root, path, sizeof path), DSML_ERR_STATE, want);

    /* a copy put in the data root by hand, then the fetched one, which wins */
    write_text(testdir_path("w.pth"), "abcd");
    ck_assert_int_eq(dsml_weights_locate("w-net", manifests, root, path, sizeof path), DSML_OK);
    ck_assert_str_eq(path, testdir_path("w.pth"));
    write_text(testdir_path("downloads/w.pth"), "efgh");
    ck_assert_int_eq(dsml_weights_locate("w-net", manifests, root, path, sizeof path), DSML_OK);
    ck_assert_str_eq(path, testdir_path("downloads/w.pth"));

    /* a size the manifest contradicts; a buffer too small */
    write_text(testdir_path("downloads/w.pth"), "efg");
    expect_error(dsml_weights_locate("w-net", manifests, root, path, sizeof path), DSML_ERR_CHECKSUM,
                 "size expected 4 bytes, found 3; get it again with `dsml fetch w-net`");
    write_text(testdir_path("downloads/w.pth"), "efgh");
    expect_error(dsml_weights_locate("w-net", manifests, root, path, 8), DSML_ERR_ARG, "does not fit");
    testdir_done(1);
}
END_TEST

START_TEST(test_locate_by_path_and_errors)
{
    const char *root = testdir_make("locate-path");
    ck_assert_ptr_nonnull(root);
    char manifests[4096], path[4096], file[4096];
    snprintf(manifests, sizeof manifests, "%s", testdir_path("m"));
    snprintf(file, sizeof file, "%s", testdir_path("my.pth"));
    write_text(file, "weights");
    ck_assert_int_eq(dsml_weights_locate(file, manifests, root, path, sizeof path), DSML_OK);
    ck_assert_str_eq(path, file);

    expect_error(dsml_weights_locate(testdir_path("nope.pth"), manifests, root, path, sizeof path), DSML_ERR_IO,
                 "nope.pth: No such file");
    expect_error(dsml_weights_locate(root, manifests, root, path, sizeof path), DSML_ERR_IO, "not a regular file");
    expect_error(dsml_weights_locate("no-such-net", manifests, root, path, sizeof path), DSML_ERR_IO,
                 "no-such-net: no such file, and no weights manifest");

    /* a manifest of two files is not a weights manifest; a manual file says how to get it */
    write_text(testdir_path("m/two.manifest"),
                       "name two\nfile a size 1 sha256 unknown md5 unknown\nurl http://h/a\n"
                       "file b size 1 sha256 unknown md5 unknown\nurl http://h/b\n");
    expect_error(dsml_weights_locate("two", manifests, root, path, sizeof path), DSML_ERR_FORMAT,
                 "two.manifest: 2 files, expected the one file");
    write_text(testdir_path("m/hand.manifest"),
                       "name hand\nfile h.mat size unknown sha256 unknown md5 unknown\nmanual ask the authors\n");
    expect_error(dsml_weights_locate("hand", manifests, root, path, sizeof path), DSML_ERR_STATE,
                 "h.mat is missing; ask the authors");
    expect_error(dsml_weights_locate("", manifests, root, path, sizeof path), DSML_ERR_ARG, "weights:");
    testdir_done(1);
}
END_TEST

/* The shipped manifests: the message the trainer shows when AlexNet is missing. */
START_TEST(test_locate_repository_weights)
{
    if (!file_exists("datasets/alexnet-imagenet.manifest")) {
        fprintf(stderr, "test_locate_repository_weights: datasets/ not found (run from the repository root); "
                        "skipped\n");
        return;
    }
    const char *root = testdir_make("locate-repo");
    ck_assert_ptr_nonnull(root);
    char path[4096], want[4096];
    snprintf(want, sizeof want,
             "alexnet-imagenet: %s/downloads/alexnet-owt-7be5be79.pth is missing; get it with `dsml fetch "
             "alexnet-imagenet`", root);
    expect_error(dsml_weights_locate("alexnet-imagenet", "datasets", root, path, sizeof path), DSML_ERR_STATE, want);
    ck_assert_str_eq(dsml_last_error(), want);
    write_text(testdir_path("downloads/imagenet-vgg-f.mat"), "MATLAB 5.0");
    ck_assert_int_eq(dsml_weights_locate("cnn-f-imagenet", "datasets", root, path, sizeof path), DSML_OK);
    ck_assert_str_eq(path, testdir_path("downloads/imagenet-vgg-f.mat"));
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"locate", 30, (const TTest *[]){test_locate_by_name, test_locate_by_path_and_errors,
                                         test_locate_repository_weights, NULL}},
    };
    return suite_run_cases("weights_locate", cases, SUITE_CASES(cases));
}
