/* Tests of src/data/manifest and src/data/fetch: the manifest parser and the
 * repository's manifests, MD5 against RFC 1321 vectors, and downloads from a
 * small HTTP server this program starts on 127.0.0.1 (tests/support/
 * http_server.h): clean, resumed, restarted (server ignores Range), checksum
 * mismatch, 404, dropped connections, mirrors, files already present, and a
 * CIFAR-10 archive in the official layout fetched and then read. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "core/error.h"
#include "core/sha256.h"
#include "data/cifar.h"
#include "data/dataset.h"
#include "data/fetch.h"
#include "data/manifest.h"
#include "support/http_server.h"
#include "support/testdir.h"
#include "support/suite_run.h"

/* ---------------------------------------------------------------- helpers */

#define BODY_SIZE 200000
/* MD5 and SHA-256 of body() computed independently (Python hashlib). */
#define BODY_MD5 "d954d97c7f22cb7d1f1864f9d00e57d9"
#define BODY_SHA256 "5ef84e339e38c67c479ca673f690490766555bd7df6b07c9ebf7f868b88c5ec5"
#define OTHER_SHA256 "0000000000000000000000000000000000000000000000000000000000000001"

static uint8_t *body(void)
{
    uint8_t *b = malloc(BODY_SIZE);
    for (size_t i = 0; i < BODY_SIZE; i++) b[i] = (uint8_t)(((i * 31 + 7) ^ (i >> 8)) & 0xff);
    return b;
}

static void no_proxy(void)
{
    setenv("no_proxy", "*", 1);
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
}

static void fast_options(dsml_fetch_options *o, const char *root)
{
    dsml_fetch_options_default(o, root);
    o->attempts = 3;
    o->backoff_s = 0.01;
    o->connect_timeout_s = 5;
    o->low_speed_bytes = 1;
    o->low_speed_time_s = 5;
}

static void start_server(http_server *s, const void *data, size_t size, http_server_mode mode, size_t drop_after,
                         int drop_requests, int max_requests, const char *log_name)
{
    http_server_config c = {mode, drop_after, drop_requests, max_requests};
    ck_assert_int_eq(http_server_start(s, data, size, &c, testdir_path(log_name)), 0);
}

/* A one-file manifest for `name` with the given checksums and URL(s). */
static void one_file_manifest(dsml_manifest *m, const char *name, const char *size, const char *sha,
                              const char *md5, const char *url, const char *mirror)
{
    char text[4096];
    snprintf(text, sizeof text, "name test\nfile %s size %s sha256 %s md5 %s\nurl %s\n%s%s%s", name, size, sha, md5,
             url, mirror ? "mirror " : "", mirror ? mirror : "", mirror ? "\n" : "");
    ck_assert_msg(dsml_manifest_parse(m, text, "test.manifest") == DSML_OK, "%s", dsml_last_error());
}

static uint8_t *read_all(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *size = (size_t)n;
    return buf;
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

static void assert_is_body(const char *path)
{
    size_t n = 0;
    uint8_t *got = read_all(path, &n);
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(n, BODY_SIZE);
    uint8_t *want = body();
    ck_assert_int_eq(memcmp(got, want, BODY_SIZE), 0);
    free(got);
    free(want);
}

static void expect_error(int rc, int code, const char *needle)
{
    ck_assert_int_eq(rc, code);
    ck_assert_msg(strstr(dsml_last_error(), needle), "message '%s' lacks '%s'", dsml_last_error(), needle);
}

/* ------------------------------------------------------------------- MD5 */

START_TEST(test_md5_vectors)
{
    char hex[33];
    dsml_fetch_md5_hex("", 0, hex);
    ck_assert_str_eq(hex, "d41d8cd98f00b204e9800998ecf8427e");
    dsml_fetch_md5_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "900150983cd24fb0d6963f7d28e17f72");
    const char *digits = "12345678901234567890123456789012345678901234567890123456789012345678901234567890";
    dsml_fetch_md5_hex(digits, strlen(digits), hex); /* 80 bytes: two blocks */
    ck_assert_str_eq(hex, "57edf4a22be3c955ac49da2e2107b67a");
    uint8_t *b = body();
    dsml_fetch_md5_hex(b, BODY_SIZE, hex);
    ck_assert_str_eq(hex, BODY_MD5);
    free(b);
}
END_TEST

/* -------------------------------------------------------------- manifests */

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
                       "manual ask the authors\n";
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
    if (!exists(path)) {
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

    const char *others[] = {"cars196", "nus-wide"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s.manifest", dir, others[i]);
        ck_assert_msg(dsml_manifest_load(&m, path) == DSML_OK, "%s", dsml_last_error());
        ck_assert_str_eq(m.name, others[i]);
    }
    expect_error(dsml_manifest_load(&m, "no/such.manifest"), DSML_ERR_IO, "no/such.manifest");
}
END_TEST

/* --------------------------------------------------------------- fetching */

START_TEST(test_fetch_clean)
{
    const char *root = testdir_make("fetch-clean");
    ck_assert_ptr_nonnull(root);
    no_proxy();
    uint8_t *b = body();
    http_server s;
    start_server(&s, b, BODY_SIZE, HTTP_SERVER_NORMAL, 0, 0, 4, "log");
    dsml_manifest m;
    one_file_manifest(&m, "blob.bin", "200000", BODY_SHA256, BODY_MD5, http_server_url(&s, "blob.bin"), NULL);
    dsml_fetch_options o;
    fast_options(&o, root);
    FILE *progress = tmpfile();
    o.progress = progress;
    dsml_fetch_result r;
    int rc = dsml_fetch_file(&m.files[0], &o, &r);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(r.downloaded, 1);
    ck_assert_str_eq(r.path, testdir_path("downloads/blob.bin"));
    ck_assert_str_eq(r.sha256, BODY_SHA256);
    assert_is_body(r.path);
    ck_assert(!exists(testdir_path("downloads/blob.bin.part")));
    ck_assert_int_eq(http_server_requests(&s), 1);
    ck_assert(!http_server_saw_range(&s, 0));
    /* progress went to the stream given, and names the file */
    char text[4096] = "";
    rewind(progress);
    size_t n = fread(text, 1, sizeof text - 1, progress);
    text[n] = '\0';
    fclose(progress);
    ck_assert_ptr_nonnull(strstr(text, "blob.bin: downloading http://127.0.0.1:"));

    /* a second fetch finds it in downloads/ and sends nothing */
    o.progress = NULL;
    ck_assert_int_eq(dsml_fetch_file(&m.files[0], &o, &r), DSML_OK);
    ck_assert_int_eq(r.downloaded, 0);
    ck_assert_int_eq(http_server_requests(&s), 1);
    http_server_stop(&s);
    free(b);
    testdir_done(1);
}
END_TEST

START_TEST(test_fetch_resume)
{
    const char *root = testdir_make("fetch-resume");
    ck_assert_ptr_nonnull(root);
    no_proxy();
    uint8_t *b = body();
    ck_assert_int_eq(mkdir(testdir_path("downloads"), 0755), 0);
    testdir_write(testdir_path("downloads/blob.bin.part"), b, BODY_SIZE / 2);
    http_server s;
    start_server(&s, b, BODY_SIZE, HTTP_SERVER_NORMAL, 0, 0, 4, "log");
    dsml_manifest m;
    one_file_manifest(&m, "blob.bin", "200000", BODY_SHA256, "unknown", http_server_url(&s, "blob.bin"), NULL);
    dsml_fetch_options o;
    fast_options(&o, root);
    dsml_fetch_result r;
    ck_assert_msg(dsml_fetch_file(&m.files[0], &o, &r) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(http_server_requests(&s), 1);
    ck_assert(http_server_saw_range(&s, BODY_SIZE / 2));
    assert_is_body(testdir_path("downloads/blob.bin"));
    ck_assert(!exists(testdir_path("downloads/blob.bin.part")));
    http_server_stop(&s);
    free(b);
    testdir_done(1);
}
END_TEST

/* A .part of wrong bytes and a server that answers Range with 200: the
 * download must restart from zero, or the checksum would fail. */
START_TEST(test_fetch_server_ignores_range)
{
    const char *root = testdir_make("fetch-norange");
    ck_assert_ptr_nonnull(root);
    no_proxy();
    uint8_t *b = body();
    ck_assert_int_eq(mkdir(testdir_path("downloads"), 0755), 0);
    uint8_t junk[1000];
    memset(junk, 0xaa, sizeof junk);
    testdir_write(testdir_path("downloads/blob.bin.part"), junk, sizeof junk);
    http_server s;
    start_server(&s, b, BODY_SIZE, HTTP_SERVER_IGNORE_RANGE, 0, 0, 4, "log");
    dsml_manifest m;
    one_file_manifest(&m, "blob.bin", "200000", BODY_SHA256, "unknown", http_server_url(&s, "blob.bin"), NULL);
    dsml_fetch_options o;
    fast_options(&o, root);
    ck_assert_msg(dsml_fetch_file(&m.files[0], &o, NULL) == DSML_OK, "%s", dsml_last_error());
    ck_assert(http_server_saw_range(&s, 1000));
    ck_assert_int_eq(http_server_requests(&s), 1);
    assert_is_body(testdir_path("downloads/blob.bin"));
    http_server_stop(&s);
    free(b);
    testdir_done(1);
}
END_TEST

START_TEST(test_fetch_checksum_mismatch)
{
    const char *root = testdir_make("fetch-checksum");
    ck_assert_ptr_nonnull(root);
    no_proxy();
    uint8_t *b = body();
    http_server s;
    start_server(&s, b, BODY_SIZE, HTTP_SERVER_NORMAL, 0, 0, 4, "log");
    dsml_manifest m;
    one_file_manifest(&m, "blob.bin", "200000", OTHER_SHA256, "unknown", http_server_url(&s, "blob.bin"), NULL);
    dsml_fetch_options o;
    fast_options(&o, root);
    expect_error(dsml_fetch_file(&m.files[0], &o, NULL), DSML_ERR_CHECKSUM,
                 "blob.bin: sha256 expected " OTHER_SHA256 ", found " BODY_SHA256);
    ck_assert(!exists(testdir_path("downloads/blob.bin")));
    ck_assert(!exists(testdir_path("downloads/blob.bin.part")));

    /* a wrong MD5 (SHA-256 unknown) is caught too */
    one_file_manifest(&m, "blob.bin", "200000", "unknown", "00000000000000000000000000000000",
                      http_server_url(&s, "blob.bin"), NULL);
    expect_error(dsml_fetch_file(&m.files[0], &o, NULL), DSML_ERR_CHECKSUM,
                 "blob.bin: md5 expected 00000000000000000000000000000000, found " BODY_MD5);
    ck_assert(!exists(testdir_path("downloads/blob.bin.part")));
    /* and a size that differs */
    one_file_manifest(&m, "blob.bin", "199999", "unknown", "unknown", http_server_url(&s, "blob.bin"), NULL);
    expect_error(dsml_fetch_file(&m.files[0], &o, NULL), DSML_ERR_CHECKSUM,
                 "blob.bin: size expected 199999 bytes, found 200000");
    ck_assert(!exists(testdir_path("downloads/blob.bin")));
    http_server_stop(&s);
    free(b);
    testdir_done(1);
}
END_TEST

START_TEST(test_fetch_404)
{
    const char *root = testdir_make("fetch-404");
    ck_assert_ptr_nonnull(root);
    no_proxy();
    http_server s;
    start_server(&s, "x", 1, HTTP_SERVER_NOT_FOUND, 0, 0, 4, "log");
    dsml_manifest m;
    char url[4200];
    snprintf(url, sizeof url, "%s", http_server_url(&s, "missing.bin"));
    one_file_manifest(&m, "missing.bin", "unknown", "unknown", "unknown", url, NULL);
    dsml_fetch_options o;
    fast_options(&o, root);
    int rc = dsml_fetch_file(&m.files[0], &o, NULL);
    char want[4300];
    snprintf(want, sizeof want, "%s: HTTP 404", url);
    expect_error(rc, DSML_ERR_NETWORK, want);
    ck_assert_int_eq(http_server_requests(&s), 1); /* a 404 is not retried */
    ck_assert(!exists(testdir_path("downloads/missing.bin")));
    http_server_stop(&s);
    testdir_done(1);
}
END_TEST

/* The official URL answers 404; the mirror has the file. */
START_TEST(test_fetch_mirror)
{
    const char *root = testdir_make("fetch-mirror");
    ck_assert_ptr_nonnull(root);
    no_proxy();
    uint8_t *b = body();
    http_server dead, good;
    start_server(&dead, "x", 1, HTTP_SERVER_NOT_FOUND, 0, 0, 4, "log-dead");
    start_server(&good, b, BODY_SIZE, HTTP_SERVER_NORMAL, 0, 0, 4, "log-good");
    char url[4200];
    snprintf(url, sizeof url, "%s", http_server_url(&dead, "blob.bin"));
    dsml_manifest m;
    one_file_manifest(&m, "blob.bin", "200000", BODY_SHA256, BODY_MD5, url, http_server_url(&good, "blob.bin"));
    dsml_fetch_options o;
    fast_options(&o, root);
    ck_assert_msg(dsml_fetch_file(&m.files[0], &o, NULL) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(http_server_requests(&dead), 1);
    ck_assert_int_eq(http_server_requests(&good), 1);
    assert_is_body(testdir_path("downloads/blob.bin"));
    http_server_stop(&dead);
    http_server_stop(&good);
    free(b);
    testdir_done(1);
}
END_TEST

START_TEST(test_fetch_drop_then_resume)
{
    const char *root = testdir_make("fetch-drop");
    ck_assert_ptr_nonnull(root);
    no_proxy();
    uint8_t *b = body();
    http_server s;
    start_server(&s, b, BODY_SIZE, HTTP_SERVER_DROP, 50000, 1, 4, "log");
    dsml_manifest m;
    one_file_manifest(&m, "blob.bin", "200000", BODY_SHA256, "unknown", http_server_url(&s, "blob.bin"), NULL);
    dsml_fetch_options o;
    fast_options(&o, root);
    ck_assert_msg(dsml_fetch_file(&m.files[0], &o, NULL) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(http_server_requests(&s), 2);
    ck_assert(http_server_saw_range(&s, 50000));
    assert_is_body(testdir_path("downloads/blob.bin"));
    http_server_stop(&s);
    free(b);
    testdir_done(1);
}
END_TEST

START_TEST(test_fetch_drop_exhausted)
{
    const char *root = testdir_make("fetch-drop-fail");
    ck_assert_ptr_nonnull(root);
    no_proxy();
    uint8_t *b = body();
    http_server s;
    start_server(&s, b, BODY_SIZE, HTTP_SERVER_DROP, 50000, 100, 10, "log");
    dsml_manifest m;
    char url[4200];
    snprintf(url, sizeof url, "%s", http_server_url(&s, "blob.bin"));
    one_file_manifest(&m, "blob.bin", "200000", BODY_SHA256, "unknown", url, NULL);
    dsml_fetch_options o;
    fast_options(&o, root);
    o.attempts = 2;
    expect_error(dsml_fetch_file(&m.files[0], &o, NULL), DSML_ERR_NETWORK, url);
    ck_assert_int_eq(http_server_requests(&s), 2);
    ck_assert(http_server_saw_range(&s, 50000));
    ck_assert(!exists(testdir_path("downloads/blob.bin")));
    /* what arrived is kept for the next run to resume */
    struct stat st;
    ck_assert_int_eq(stat(testdir_path("downloads/blob.bin.part"), &st), 0);
    ck_assert_int_eq(st.st_size, 100000);
    http_server_stop(&s);
    free(b);
    testdir_done(1);
}
END_TEST

/* A file the user dropped into the data root is used without any request;
 * one with the wrong bytes is ignored and the file downloaded. */
START_TEST(test_fetch_already_present)
{
    const char *root = testdir_make("fetch-present");
    ck_assert_ptr_nonnull(root);
    no_proxy();
    uint8_t *b = body();
    testdir_write(testdir_path("blob.bin"), b, BODY_SIZE);
    http_server s;
    start_server(&s, b, BODY_SIZE, HTTP_SERVER_NORMAL, 0, 0, 4, "log");
    dsml_manifest m;
    one_file_manifest(&m, "blob.bin", "200000", BODY_SHA256, BODY_MD5, http_server_url(&s, "blob.bin"), NULL);
    dsml_fetch_options o;
    fast_options(&o, root);
    dsml_fetch_result r;
    ck_assert_int_eq(dsml_fetch_file(&m.files[0], &o, &r), DSML_OK);
    ck_assert_int_eq(r.downloaded, 0);
    ck_assert_str_eq(r.path, testdir_path("blob.bin"));
    ck_assert_int_eq(http_server_requests(&s), 0);

    /* unknown checksums: the size alone decides */
    one_file_manifest(&m, "blob.bin", "200000", "unknown", "unknown", http_server_url(&s, "blob.bin"), NULL);
    ck_assert_int_eq(dsml_fetch_file(&m.files[0], &o, &r), DSML_OK);
    ck_assert_int_eq(r.downloaded, 0);
    ck_assert_int_eq(http_server_requests(&s), 0);

    b[7] ^= 1;
    testdir_write(testdir_path("blob.bin"), b, BODY_SIZE);
    one_file_manifest(&m, "blob.bin", "200000", BODY_SHA256, BODY_MD5, http_server_url(&s, "blob.bin"), NULL);
    ck_assert_msg(dsml_fetch_file(&m.files[0], &o, &r) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(r.downloaded, 1);
    ck_assert_int_eq(http_server_requests(&s), 1);
    assert_is_body(testdir_path("downloads/blob.bin"));
    http_server_stop(&s);
    free(b);
    testdir_done(1);
}
END_TEST

START_TEST(test_fetch_manual_and_url_override)
{
    const char *root = testdir_make("fetch-manual");
    ck_assert_ptr_nonnull(root);
    no_proxy();
    dsml_manifest m;
    ck_assert_int_eq(dsml_manifest_parse(&m,
                                         "name t\nfile a.zip size unknown sha256 unknown md5 unknown\n"
                                         "manual request it from the authors\n",
                                         "t.manifest"),
                     DSML_OK);
    dsml_fetch_options o;
    fast_options(&o, root);
    expect_error(dsml_fetch_file(&m.files[0], &o, NULL), DSML_ERR_STATE, "a.zip: not in ");
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "request it from the authors"));

    /* --url with a trailing '/' gets the file name appended */
    uint8_t *b = body();
    http_server s;
    start_server(&s, b, BODY_SIZE, HTTP_SERVER_NORMAL, 0, 0, 4, "log");
    char base[4200];
    snprintf(base, sizeof base, "%s", http_server_url(&s, "files/"));
    o.url = base;
    ck_assert_msg(dsml_fetch_dataset(&m, &o) == DSML_OK, "%s", dsml_last_error());
    assert_is_body(testdir_path("downloads/a.zip"));
    FILE *log = fopen(testdir_path("log"), "r");
    char line[256] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, log));
    fclose(log);
    ck_assert_str_eq(line, "GET /files/a.zip range=-\n");
    http_server_stop(&s);
    free(b);

    /* several files need a URL prefix */
    ck_assert_int_eq(dsml_manifest_parse(&m,
                                         "name t\nfile a size 1 sha256 unknown md5 unknown\nurl http://h/a\n"
                                         "file b size 1 sha256 unknown md5 unknown\nurl http://h/b\n",
                                         "t.manifest"),
                     DSML_OK);
    o.url = "http://127.0.0.1:1/x";
    expect_error(dsml_fetch_dataset(&m, &o), DSML_ERR_ARG, "t has 2 files");
    testdir_done(1);
}
END_TEST

/* ------------------------------------------------------ CIFAR-10 fixture */

#define CIFAR_R 3 /* records per batch in the fixture */
static const char *const cifar_files[6] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                           "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
static const char cifar_meta[] = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";
static int cifar_label(int image) { return (image * 3 + 2) % 10; }
static uint8_t cifar_pixel(int image, int byte) { return (uint8_t)(image * 11 + byte * 5 + 3); }

static void add_member(struct archive *a, const char *name, const void *data, size_t size, int dir)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e, dir ? 0755 : 0644);
    archive_entry_set_size(e, dir ? 0 : (la_int64_t)size);
    ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
    if (!dir) ck_assert_int_eq(archive_write_data(a, data, size), (la_ssize_t)size);
    archive_entry_free(e);
}

/* cifar-10-binary.tar.gz in the official layout, 6 x CIFAR_R records. */
static void write_cifar_archive(const char *path)
{
    struct archive *a = archive_write_new();
    ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    ck_assert_int_eq(archive_write_set_format_ustar(a), ARCHIVE_OK);
    ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
    add_member(a, "cifar-10-batches-bin/", NULL, 0, 1);
    add_member(a, "cifar-10-batches-bin/batches.meta.txt", cifar_meta, strlen(cifar_meta), 0);
    uint8_t batch[CIFAR_R * DSML_CIFAR10_RECORD];
    for (int s = 0; s < 6; s++) {
        for (int r = 0; r < CIFAR_R; r++) {
            int image = s * CIFAR_R + r;
            uint8_t *rec = batch + (size_t)r * DSML_CIFAR10_RECORD;
            rec[0] = (uint8_t)cifar_label(image);
            for (int j = 0; j < 3072; j++) rec[1 + j] = cifar_pixel(image, j);
        }
        char name[128];
        snprintf(name, sizeof name, "cifar-10-batches-bin/%s", cifar_files[s]);
        add_member(a, name, batch, sizeof batch, 0);
    }
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

START_TEST(test_fetch_cifar_fixture_then_read)
{
    const char *root = testdir_make("fetch-cifar");
    ck_assert_ptr_nonnull(root);
    no_proxy();
    char fixture[4096];
    snprintf(fixture, sizeof fixture, "%s", testdir_path("fixture.tar.gz"));
    write_cifar_archive(fixture);
    size_t size = 0;
    uint8_t *data = read_all(fixture, &size);
    ck_assert_ptr_nonnull(data);
    char sha[65], md5[33], size_text[32];
    dsml_sha256_hex(data, size, sha);
    dsml_fetch_md5_hex(data, size, md5);
    snprintf(size_text, sizeof size_text, "%zu", size);
    remove(fixture);

    http_server s;
    start_server(&s, data, size, HTTP_SERVER_NORMAL, 0, 0, 2, "log");
    dsml_manifest m;
    one_file_manifest(&m, "cifar-10-binary.tar.gz", size_text, sha, md5,
                      http_server_url(&s, "~kriz/cifar-10-binary.tar.gz"), NULL);
    dsml_fetch_options o;
    fast_options(&o, root);
    dsml_fetch_result r;
    ck_assert_msg(dsml_fetch_file(&m.files[0], &o, &r) == DSML_OK, "%s", dsml_last_error());
    ck_assert_str_eq(r.sha256, sha);
    http_server_stop(&s);

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
        ck_assert_uint_eq(ds.pixels[(size_t)i * 3072 + 1500], cifar_pixel(i, 1500));
    }
    dsml_dataset_free(&ds);
    free(data);
    testdir_done(1);
}
END_TEST

static Suite *fetch_suite(void)
{
    Suite *s = suite_create("fetch");
    TCase *tc = tcase_create("manifest");
    tcase_add_test(tc, test_md5_vectors);
    tcase_add_test(tc, test_manifest_parse);
    tcase_add_test(tc, test_manifest_errors);
    tcase_add_test(tc, test_repository_manifests);
    suite_add_tcase(s, tc);
    tc = tcase_create("download");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_fetch_clean);
    tcase_add_test(tc, test_fetch_resume);
    tcase_add_test(tc, test_fetch_server_ignores_range);
    tcase_add_test(tc, test_fetch_checksum_mismatch);
    tcase_add_test(tc, test_fetch_404);
    tcase_add_test(tc, test_fetch_mirror);
    tcase_add_test(tc, test_fetch_drop_then_resume);
    tcase_add_test(tc, test_fetch_drop_exhausted);
    tcase_add_test(tc, test_fetch_already_present);
    tcase_add_test(tc, test_fetch_manual_and_url_override);
    tcase_add_test(tc, test_fetch_cifar_fixture_then_read);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return suite_run(fetch_suite());
}
