/* Tests of the downloads (src/data/fetch.c) from a small HTTP server each
 * test starts on 127.0.0.1 (tests/support/http_fixture.h): clean, resumed,
 * restarted (the server ignores Range), files already present; checksum
 * mismatches, 404 and dropped connections; mirrors, manual files and a URL
 * override; SHA-256 prefixes; the pretrained weights' manifests through
 * `dsml fetch`; and a CIFAR-10 archive in the official layout fetched and read. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/sha256.h"
#include "data/cifar.h"
#include "data/dataset.h"
#include "data/fetch.h"
#include "data/manifest.h"
#include "support/dataset_files.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/http_fixture.h"
#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"

/* ------------------------------------------------------------ downloads */

START_TEST(test_fetch_clean)
{
    fetch_case c;
    fetch_case_begin(&c, "fetch-clean", NULL, 0, NULL);
    fetch_case_manifest(&c, "blob.bin", "200000", BODY_SHA256, BODY_MD5, NULL);
    FILE *progress = tmpfile();
    c.options.progress = progress;
    dsml_fetch_result r;
    fetch_case_ok(&c, &r);
    ck_assert_int_eq(r.downloaded, 1);
    ck_assert_str_eq(r.path, testdir_path("downloads/blob.bin"));
    ck_assert_str_eq(r.sha256, BODY_SHA256);
    assert_is_body(r.path);
    ck_assert(!file_exists(testdir_path("downloads/blob.bin.part")));
    ck_assert_int_eq(http_server_requests(&c.server), 1);
    ck_assert(!http_server_saw_range(&c.server, 0));
    /* progress went to the stream given, and names the file */
    char text[4096] = "";
    rewind(progress);
    size_t n = fread(text, 1, sizeof text - 1, progress);
    text[n] = '\0';
    fclose(progress);
    ck_assert_ptr_nonnull(strstr(text, "blob.bin: downloading http://127.0.0.1:"));

    /* a second fetch finds it in downloads/ and sends nothing */
    c.options.progress = NULL;
    ck_assert_int_eq(dsml_fetch_file(&c.manifest.files[0], &c.options, &r), DSML_OK);
    ck_assert_int_eq(r.downloaded, 0);
    ck_assert_int_eq(http_server_requests(&c.server), 1);
    fetch_case_end(&c);
}
END_TEST

/* A download that starts from a .part or is cut short: resumed with a Range
 * request, or restarted from zero when the server ignores Range (a .part of
 * wrong bytes would fail the checksum otherwise). */
START_TEST(test_fetch_resumes)
{
    static const struct {
        const char *name;
        http_server_config config;
        size_t part;      /* bytes of .part before the fetch: the body's, or 0xaa (junk) */
        int junk;
        int requests;     /* answers the server gives */
        long long range;  /* the offset of the Range request seen */
    } cases[] = {
        {"fetch-resume", {.mode = HTTP_SERVER_NORMAL, .max_requests = 4}, BODY_SIZE / 2, 0, 1, BODY_SIZE / 2},
        {"fetch-norange", {.mode = HTTP_SERVER_IGNORE_RANGE, .max_requests = 4}, 1000, 1, 1, 1000},
        {"fetch-drop", {.mode = HTTP_SERVER_DROP, .drop_after = 50000, .drop_requests = 1, .max_requests = 4}, 0, 0,
         2, 50000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fetch_case c;
        fetch_case_begin(&c, cases[i].name, NULL, 0, &cases[i].config);
        if (cases[i].part) {
            uint8_t *part = fetch_body();
            if (cases[i].junk) memset(part, 0xaa, cases[i].part);
            file_write(testdir_path("downloads/blob.bin.part"), part, cases[i].part);
            free(part);
        }
        fetch_case_manifest(&c, "blob.bin", "200000", BODY_SHA256, "unknown", NULL);
        fetch_case_ok(&c, NULL);
        ck_assert_int_eq(http_server_requests(&c.server), cases[i].requests);
        ck_assert(http_server_saw_range(&c.server, cases[i].range));
        assert_is_body(testdir_path("downloads/blob.bin"));
        ck_assert(!file_exists(testdir_path("downloads/blob.bin.part")));
        fetch_case_end(&c);
    }
}
END_TEST

/* A file the user dropped into the data root is used without any request;
 * one with the wrong bytes is ignored and the file downloaded. */
START_TEST(test_fetch_already_present)
{
    fetch_case c;
    fetch_case_begin(&c, "fetch-present", NULL, 0, NULL);
    file_write(testdir_path("blob.bin"), c.body, BODY_SIZE);
    fetch_case_manifest(&c, "blob.bin", "200000", BODY_SHA256, BODY_MD5, NULL);
    dsml_fetch_result r;
    ck_assert_int_eq(dsml_fetch_file(&c.manifest.files[0], &c.options, &r), DSML_OK);
    ck_assert_int_eq(r.downloaded, 0);
    ck_assert_str_eq(r.path, testdir_path("blob.bin"));
    ck_assert_int_eq(http_server_requests(&c.server), 0);

    /* unknown checksums: the size alone decides */
    fetch_case_manifest(&c, "blob.bin", "200000", "unknown", "unknown", NULL);
    ck_assert_int_eq(dsml_fetch_file(&c.manifest.files[0], &c.options, &r), DSML_OK);
    ck_assert_int_eq(r.downloaded, 0);
    ck_assert_int_eq(http_server_requests(&c.server), 0);

    uint8_t *changed = fetch_body();
    changed[7] ^= 1;
    file_write(testdir_path("blob.bin"), changed, BODY_SIZE);
    free(changed);
    fetch_case_manifest(&c, "blob.bin", "200000", BODY_SHA256, BODY_MD5, NULL);
    fetch_case_ok(&c, &r);
    ck_assert_int_eq(r.downloaded, 1);
    ck_assert_int_eq(http_server_requests(&c.server), 1);
    assert_is_body(testdir_path("downloads/blob.bin"));
    fetch_case_end(&c);
}
END_TEST

/* ------------------------------------------------------------- failures */

START_TEST(test_fetch_checksum_mismatch)
{
    fetch_case c;
    fetch_case_begin(&c, "fetch-checksum", NULL, 0, NULL);
    fetch_case_manifest(&c, "blob.bin", "200000", OTHER_SHA256, "unknown", NULL);
    expect_error(dsml_fetch_file(&c.manifest.files[0], &c.options, NULL), DSML_ERR_CHECKSUM,
                 "blob.bin: sha256 expected " OTHER_SHA256 ", found " BODY_SHA256);
    ck_assert(!file_exists(testdir_path("downloads/blob.bin")));
    ck_assert(!file_exists(testdir_path("downloads/blob.bin.part")));

    /* a wrong MD5 (SHA-256 unknown) is caught too */
    fetch_case_manifest(&c, "blob.bin", "200000", "unknown", "00000000000000000000000000000000", NULL);
    expect_error(dsml_fetch_file(&c.manifest.files[0], &c.options, NULL), DSML_ERR_CHECKSUM,
                 "blob.bin: md5 expected 00000000000000000000000000000000, found " BODY_MD5);
    ck_assert(!file_exists(testdir_path("downloads/blob.bin.part")));
    /* and a size that differs */
    fetch_case_manifest(&c, "blob.bin", "199999", "unknown", "unknown", NULL);
    expect_error(dsml_fetch_file(&c.manifest.files[0], &c.options, NULL), DSML_ERR_CHECKSUM,
                 "blob.bin: size expected 199999 bytes, found 200000");
    ck_assert(!file_exists(testdir_path("downloads/blob.bin")));
    fetch_case_end(&c);
}
END_TEST

START_TEST(test_fetch_404)
{
    fetch_case c;
    const http_server_config not_found = {.mode = HTTP_SERVER_NOT_FOUND, .max_requests = 4};
    fetch_case_begin(&c, "fetch-404", "x", 1, &not_found);
    fetch_case_manifest(&c, "missing.bin", "unknown", "unknown", "unknown", NULL);
    int rc = dsml_fetch_file(&c.manifest.files[0], &c.options, NULL);
    char want[4300];
    snprintf(want, sizeof want, "%s: HTTP 404", http_server_url(&c.server, "missing.bin"));
    expect_error(rc, DSML_ERR_NETWORK, want);
    ck_assert_int_eq(http_server_requests(&c.server), 1); /* a 404 is not retried */
    ck_assert(!file_exists(testdir_path("downloads/missing.bin")));
    fetch_case_end(&c);
}
END_TEST

START_TEST(test_fetch_drop_exhausted)
{
    fetch_case c;
    const http_server_config drops = {
        .mode = HTTP_SERVER_DROP, .drop_after = 50000, .drop_requests = 100, .max_requests = 10};
    fetch_case_begin(&c, "fetch-drop-fail", NULL, 0, &drops);
    fetch_case_manifest(&c, "blob.bin", "200000", BODY_SHA256, "unknown", NULL);
    c.options.attempts = 2;
    expect_error(dsml_fetch_file(&c.manifest.files[0], &c.options, NULL), DSML_ERR_NETWORK,
                 http_server_url(&c.server, "blob.bin"));
    ck_assert_int_eq(http_server_requests(&c.server), 2);
    ck_assert(http_server_saw_range(&c.server, 50000));
    ck_assert(!file_exists(testdir_path("downloads/blob.bin")));
    /* what arrived is kept for the next run to resume */
    struct stat st;
    ck_assert_int_eq(stat(testdir_path("downloads/blob.bin.part"), &st), 0);
    ck_assert_int_eq(st.st_size, 100000);
    fetch_case_end(&c);
}
END_TEST

/* -------------------------------------------------------------- sources */

/* The official URL answers 404; the mirror has the file. */
START_TEST(test_fetch_mirror)
{
    fetch_case c;
    const http_server_config not_found = {.mode = HTTP_SERVER_NOT_FOUND, .max_requests = 4};
    fetch_case_begin(&c, "fetch-mirror", "x", 1, &not_found);
    http_server good;
    fetch_case_serve(&good, c.body, BODY_SIZE, NULL, "log-good");
    fetch_case_manifest(&c, "blob.bin", "200000", BODY_SHA256, BODY_MD5, http_server_url(&good, "blob.bin"));
    fetch_case_ok(&c, NULL);
    ck_assert_int_eq(http_server_requests(&c.server), 1);
    ck_assert_int_eq(http_server_requests(&good), 1);
    assert_is_body(testdir_path("downloads/blob.bin"));
    http_server_stop(&good);
    fetch_case_end(&c);
}
END_TEST

START_TEST(test_fetch_manual_and_url_override)
{
    fetch_case c;
    fetch_case_begin(&c, "fetch-manual", NULL, 0, NULL);
    ck_assert_int_eq(dsml_manifest_parse(&c.manifest,
                                         "name t\nfile a.zip size unknown sha256 unknown md5 unknown\n"
                                         "manual request it from the authors\n",
                                         "t.manifest"),
                     DSML_OK);
    expect_error(dsml_fetch_file(&c.manifest.files[0], &c.options, NULL), DSML_ERR_STATE, "a.zip: not in ");
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "request it from the authors"));

    /* --url with a trailing '/' gets the file name appended */
    c.options.url = http_server_url(&c.server, "files/");
    ck_assert_msg(dsml_fetch_dataset(&c.manifest, &c.options) == DSML_OK, "%s", dsml_last_error());
    assert_is_body(testdir_path("downloads/a.zip"));
    bytes log = file_read(testdir_path("log"));
    ck_assert_int_eq(strncmp((const char *)log.data, "GET /files/a.zip range=- ", 25), 0);
    free(log.data);

    /* several files need a URL prefix */
    ck_assert_int_eq(dsml_manifest_parse(&c.manifest,
                                         "name t\nfile a size 1 sha256 unknown md5 unknown\nurl http://h/a\n"
                                         "file b size 1 sha256 unknown md5 unknown\nurl http://h/b\n",
                                         "t.manifest"),
                     DSML_OK);
    c.options.url = "http://127.0.0.1:1/x";
    expect_error(dsml_fetch_dataset(&c.manifest, &c.options), DSML_ERR_ARG, "t has 2 files");
    fetch_case_end(&c);
}
END_TEST

/* ------------------------------------------------- pretrained weights */

#define BODY_SHA256_PREFIX "5ef84e33" /* the first 8 digits of BODY_SHA256 */

/* A manifest that knows only the SHA-256's first digits ("5ef84e33...") checks
 * those, and reports the whole SHA-256 it computed. */
START_TEST(test_fetch_sha256_prefix)
{
    fetch_case c;
    fetch_case_begin(&c, "fetch-prefix", NULL, 0, NULL);
    fetch_case_manifest(&c, "w.pth", "unknown", "00000000...", "unknown", NULL);
    expect_error(dsml_fetch_file(&c.manifest.files[0], &c.options, NULL), DSML_ERR_CHECKSUM,
                 "w.pth: sha256 expected 00000000..., found " BODY_SHA256);
    ck_assert(!file_exists(testdir_path("downloads/w.pth")));
    ck_assert(!file_exists(testdir_path("downloads/w.pth.part")));

    fetch_case_manifest(&c, "w.pth", "unknown", BODY_SHA256_PREFIX "...", "unknown", NULL);
    FILE *progress = tmpfile();
    c.options.progress = progress;
    dsml_fetch_result r;
    fetch_case_ok(&c, &r);
    ck_assert_str_eq(r.sha256, BODY_SHA256);
    assert_is_body(testdir_path("downloads/w.pth"));
    char text[4096] = "";
    rewind(progress);
    text[fread(text, 1, sizeof text - 1, progress)] = '\0';
    fclose(progress);
    ck_assert_ptr_nonnull(strstr(text, "w.pth: sha256 " BODY_SHA256 " (only a prefix in the manifest; verified: its "
                                       "first 8 digits)"));
    fetch_case_end(&c);
}
END_TEST

/* datasets/<name>.manifest copied into the test's manifests/ folder with one
 * value replaced (the generated body cannot match the real checksums). */
static void copy_manifest(const char *name, const char *from, const char *to)
{
    char src[4096], dst[4096];
    snprintf(src, sizeof src, "datasets/%s.manifest", name);
    snprintf(dst, sizeof dst, "%s/%s.manifest", testdir_path("manifests"), name);
    bytes text = file_read(src);
    char *at = strstr((char *)text.data, from);
    ck_assert_ptr_nonnull(at);
    bytes out = {0};
    bytes_add(&out, text.data, (size_t)(at - (char *)text.data));
    bytes_add(&out, to, strlen(to));
    bytes_add(&out, at + strlen(from), text.size - (size_t)(at - (char *)text.data) - strlen(from));
    file_write(dst, out.data, out.size);
    free(text.data);
    free(out.data);
}

/* `dsml fetch NAME --url <local server>` with the repository's weights
 * manifest (the body fails its checksum: a clear error, nothing left behind),
 * then with a copy whose checksum is the body's, resuming a .part. */
static void fetch_weights_cli(const char *name, const char *file, const char *real, const char *body_value,
                              const char *want_error)
{
    if (!file_exists("datasets/alexnet-imagenet.manifest")) {
        fprintf(stderr, "fetch_weights_cli: datasets/ not found (run from the repository root); skipped\n");
        return;
    }
    fetch_case c;
    fetch_case_begin(&c, name, NULL, 0, NULL);
    char args[8192], final[4096], part[4200];
    snprintf(final, sizeof final, "%s/downloads/%s", c.root, file);
    snprintf(part, sizeof part, "%s.part", final);
    snprintf(args, sizeof args, "fetch %s --data '%s' --url '%s' --quiet", name, c.root,
             http_server_url(&c.server, file));
    cmd_result r;
    char manifests[4096];
    ck_assert_ptr_nonnull(getcwd(manifests, sizeof manifests - 16));
    strcat(manifests, "/datasets"); /* the repository's, wherever the binary under test lives */
    setenv("DSML_MANIFESTS", manifests, 1);
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, want_error) != NULL, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "the partial file was removed"));
    ck_assert(!file_exists(final));
    ck_assert(!file_exists(part));

    copy_manifest(name, real, body_value);
    setenv("DSML_MANIFESTS", testdir_path("manifests"), 1);
    file_write(part, c.body, BODY_SIZE / 2);
    run_dsml(&r, args);
    unsetenv("DSML_MANIFESTS");
    ck_assert_msg(r.status == 0, "%s", r.err);
    char want[8192];
    snprintf(want, sizeof want, "%s  %s\n", BODY_SHA256, final);
    ck_assert_str_eq(r.out, want);
    ck_assert(http_server_saw_range(&c.server, BODY_SIZE / 2));
    ck_assert_int_eq(http_server_requests(&c.server), 2);
    assert_is_body(final);
    ck_assert(!file_exists(part));
    fetch_case_end(&c);
}

START_TEST(test_fetch_alexnet_imagenet)
{
    fetch_weights_cli("alexnet-imagenet", "alexnet-owt-7be5be79.pth", "sha256 7be5be79...",
                      "sha256 " BODY_SHA256_PREFIX "...",
                      "dsml fetch: alexnet-owt-7be5be79.pth: sha256 expected 7be5be79..., found " BODY_SHA256);
}
END_TEST

START_TEST(test_fetch_cnn_f_imagenet)
{
    fetch_weights_cli("cnn-f-imagenet", "imagenet-vgg-f.mat", "md5 f666c61dc968c413ef664a7e17b01144",
                      "md5 " BODY_MD5,
                      "dsml fetch: imagenet-vgg-f.mat: md5 expected f666c61dc968c413ef664a7e17b01144, found " BODY_MD5);
}
END_TEST

/* ------------------------------------------------------ CIFAR-10 fixture */

START_TEST(test_fetch_cifar_fixture_then_read)
{
    ck_assert_ptr_nonnull(testdir_make("fetch-cifar-fixture"));
    write_cifar_archive(testdir_path("fixture.tar.gz"), NULL);
    bytes data = file_read(testdir_path("fixture.tar.gz"));
    testdir_done(1);
    char sha[65], md5[33], size_text[32];
    dsml_sha256_hex(data.data, data.size, sha);
    dsml_fetch_md5_hex(data.data, data.size, md5);
    snprintf(size_text, sizeof size_text, "%zu", data.size);

    fetch_case c;
    const http_server_config two = {.mode = HTTP_SERVER_NORMAL, .max_requests = 2};
    fetch_case_begin(&c, "fetch-cifar", data.data, data.size, &two);
    fetch_case_manifest(&c, "cifar-10-binary.tar.gz", size_text, sha, md5, NULL);
    dsml_fetch_result r;
    fetch_case_ok(&c, &r);
    ck_assert_str_eq(r.sha256, sha);

    dsml_dataset ds;
    memset(&ds, 0, sizeof ds);
    ck_assert_msg(dsml_cifar10_read(&ds, r.path, CIFAR_R) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, 6 * CIFAR_R);
    ck_assert_int_eq(ds.channels, 3);
    ck_assert_int_eq(ds.n_classes, 10);
    ck_assert_str_eq(ds.class_names[9], "truck");
    ck_assert_str_eq(ds.source_sha256, sha);
    for (int i = 0; i < ds.n; i++) {
        ck_assert_int_eq(ds.labels[i], cifar_label(i));
        ck_assert_uint_eq(ds.pixels[(size_t)i * 3072 + 1500], pixel_value(i, 1500));
    }
    dsml_dataset_free(&ds);
    free(data.data);
    fetch_case_end(&c);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"download", 30, (const TTest *[]){test_fetch_clean, test_fetch_resumes, test_fetch_already_present, NULL}},
        {"failures", 30, (const TTest *[]){test_fetch_checksum_mismatch, test_fetch_404, test_fetch_drop_exhausted,
                                           NULL}},
        {"sources", 30, (const TTest *[]){test_fetch_mirror, test_fetch_manual_and_url_override, NULL}},
        {"weights", 30, (const TTest *[]){test_fetch_sha256_prefix, test_fetch_alexnet_imagenet,
                                          test_fetch_cnn_f_imagenet, NULL}},
        {"cifar", 30, (const TTest *[]){test_fetch_cifar_fixture_then_read, NULL}},
    };
    return suite_run_cases("fetch", cases, SUITE_CASES(cases));
}
