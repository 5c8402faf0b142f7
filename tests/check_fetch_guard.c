/* Tests of what downloads refuse or flag (src/data/fetch*.c), against the
 * local HTTP server (tests/support/http_fixture.h): a .part resumed only with
 * a validator (If-Range) or a manifest checksum; HTML pages refused; files
 * without a checksum recorded and reported unverified; a stalled server given
 * up on; redirects to other schemes and non-transient errors not retried. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "data/fetch.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/http_fixture.h"
#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"

#define PART "downloads/blob.bin.part"
#define META "downloads/blob.bin.part.meta"
#define DATE "Wed, 21 Oct 2015 07:28:00 GMT"

/* Everything the progress stream received. */
static const char *progress_text(FILE *progress)
{
    static char text[16384];
    rewind(progress);
    text[fread(text, 1, sizeof text - 1, progress)] = '\0';
    return text;
}

static void assert_no_part(void)
{
    ck_assert(!file_exists(testdir_path(PART)));
    ck_assert(!file_exists(testdir_path(META)));
}

/* ------------------------------------------------------------- resuming */

#define SERVE_ETAG(tag) {.mode = HTTP_SERVER_NORMAL, .max_requests = 4, .etag = tag}
/* Cuts the first answer at byte 50000. */
#define DROP_ONCE(tag, date) \
    {.mode = HTTP_SERVER_DROP, .drop_after = 50000, .drop_requests = 1, .max_requests = 4, .etag = tag, \
     .last_modified = date}

/* A .part left by an earlier run, for a manifest with no size or checksum:
 * continued only when a validator recorded beside it is sent back as
 * If-Range (a server holding another version answers 200: restart);
 * without one it is discarded, since nothing would catch a mix of versions. */
START_TEST(test_fetch_stale_part)
{
    static const struct {
        const char *name;
        http_server_config config;
        size_t part;          /* bytes of .part: the body's, or 0xaa (junk) */
        int junk;
        const char *meta;     /* the .part.meta, or NULL for none */
        long long range;      /* the Range offset sent, or -1 for none */
        const char *if_range; /* the If-Range sent ("-": none) */
    } cases[] = {
        {"stale-no-validator", SERVE_ETAG("\"v1\""), 1000, 1, NULL, -1, "-"},
        {"stale-other-etag", SERVE_ETAG("\"v1\""), 1000, 1, "etag \"v0\"\n", 1000, "\"v0\""},
        {"stale-same-etag", SERVE_ETAG("\"v1\""), BODY_SIZE / 2, 0, "url http://elsewhere/blob.bin\netag \"v1\"\n",
         BODY_SIZE / 2, "\"v1\""},
        {"stale-same-date", {.mode = HTTP_SERVER_NORMAL, .max_requests = 4, .last_modified = DATE}, BODY_SIZE / 2, 0,
         "last-modified " DATE "\n", BODY_SIZE / 2, DATE},
        {"stale-bad-meta", SERVE_ETAG("\"v1\""), 1000, 1, "etag\n", -1, "-"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fetch_case c;
        fetch_case_begin(&c, cases[i].name, NULL, 0, &cases[i].config);
        uint8_t *part = fetch_body();
        if (cases[i].junk) memset(part, 0xaa, cases[i].part);
        file_write(testdir_path(PART), part, cases[i].part);
        free(part);
        if (cases[i].meta) file_write(testdir_path(META), cases[i].meta, strlen(cases[i].meta));
        fetch_case_manifest(&c, "blob.bin", "unknown", "unknown", "unknown", NULL);
        FILE *progress = tmpfile();
        c.options.progress = progress;
        fetch_case_ok(&c, NULL);
        ck_assert_int_eq(http_server_requests(&c.server), 1);
        char want[600];
        if (cases[i].range >= 0)
            snprintf(want, sizeof want, " range=%lld if-range=%s\n", cases[i].range, cases[i].if_range);
        else
            snprintf(want, sizeof want, " range=- if-range=-\n");
        ck_assert_msg(http_server_saw(&c.server, want), "%s: no request with \"%s\"", cases[i].name, want);
        assert_is_body(testdir_path("downloads/blob.bin"));
        assert_no_part();
        if (cases[i].range < 0)
            ck_assert_ptr_nonnull(strstr(progress_text(progress), "blob.bin: discarding the 1000 bytes of "));
        fclose(progress);
        fetch_case_end(&c);
    }
}
END_TEST

/* A download cut short records the server's validator beside the .part,
 * and the next try sends it back; without a validator (and no checksum) the
 * next try starts from byte 0. */
START_TEST(test_fetch_validator_recorded)
{
    static const struct {
        const char *name;
        http_server_config config;
        const char *meta;     /* what .part.meta holds while the download is incomplete, NULL: none */
        const char *second;   /* the second request's log fragment */
    } cases[] = {
        {"record-etag", DROP_ONCE("\"v1\"", DATE), "etag \"v1\"\n", " range=50000 if-range=\"v1\"\n"},
        {"record-weak-etag", DROP_ONCE("W/\"v1\"", DATE), "last-modified " DATE "\n",
         " range=50000 if-range=" DATE "\n"},
        {"record-none", DROP_ONCE(NULL, NULL), NULL, " range=- if-range=-\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fetch_case c;
        fetch_case_begin(&c, cases[i].name, NULL, 0, &cases[i].config);
        fetch_case_manifest(&c, "blob.bin", "unknown", "unknown", "unknown", NULL);
        /* one try: the cut download stays behind as it would after a crash */
        c.options.attempts = 1;
        expect_error(dsml_fetch_file(&c.manifest.files[0], &c.options, NULL), DSML_ERR_NETWORK, "blob.bin");
        ck_assert_int_eq(file_size(testdir_path(PART)), 50000);
        if (cases[i].meta) {
            bytes meta = file_read(testdir_path(META));
            ck_assert_msg(strstr((char *)meta.data, cases[i].meta), "%s: meta \"%s\"", cases[i].name, meta.data);
            free(meta.data);
        } else {
            ck_assert(!file_exists(testdir_path(META)));
        }
        fetch_case_ok(&c, NULL);
        ck_assert_int_eq(http_server_requests(&c.server), 2);
        ck_assert_msg(http_server_saw(&c.server, cases[i].second), "%s: no \"%s\"", cases[i].name, cases[i].second);
        assert_is_body(testdir_path("downloads/blob.bin"));
        assert_no_part();
        fetch_case_end(&c);
    }
}
END_TEST

/* ----------------------------------------------------------- HTML pages */

static const char login_page[] = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
                                 "<body><form action=\"/login\">...</form></body></html>\n";

/* A login page answered with 200 is not saved as the dataset, whether it is
 * labelled text/html or not; the error says it was HTML, names the URL, and
 * the page is not asked for again. A file that is an HTML page is fetched. */
START_TEST(test_fetch_html_refused)
{
    static const struct {
        const char *name;
        const char *file;
        const char *size;
        const char *content_type;
        const char *want; /* error fragment, NULL: fetched */
    } cases[] = {
        {"html-labelled", "blob.bin", "unknown", "text/html; charset=utf-8",
         "blob.bin: download failed: server returned an HTML page (text/html; charset=utf-8), not the archive: "
         "a login or error page? URL http://"},
        {"html-xhtml", "blob.bin", "300000", "application/xhtml+xml",
         "server returned an HTML page (application/xhtml+xml), not the archive"},
        {"html-unlabelled", "blob.bin", "300000", NULL,
         "server returned an HTML page (sent as application/octet-stream), not the archive"},
        {"html-wanted", "page.html", "unknown", "text/html", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fetch_case c;
        const http_server_config config = {
            .mode = HTTP_SERVER_NORMAL, .max_requests = 4, .content_type = cases[i].content_type};
        fetch_case_begin(&c, cases[i].name, login_page, sizeof login_page - 1, &config);
        fetch_case_manifest(&c, cases[i].file, cases[i].size, "unknown", "unknown", NULL);
        if (!cases[i].want) {
            fetch_case_ok(&c, NULL);
            ck_assert_int_eq(file_size(testdir_path("downloads/page.html")), (long)sizeof login_page - 1);
            fetch_case_end(&c);
            continue;
        }
        expect_error(dsml_fetch_file(&c.manifest.files[0], &c.options, NULL), DSML_ERR_NETWORK, cases[i].want);
        ck_assert_ptr_nonnull(strstr(dsml_last_error(), http_server_url(&c.server, "blob.bin")));
        ck_assert_ptr_null(strstr(dsml_last_error(), "transfer ended"));
        ck_assert_int_eq(http_server_requests(&c.server), 1);
        ck_assert(!file_exists(testdir_path("downloads/blob.bin")));
        assert_no_part();
        fetch_case_end(&c);
    }
}
END_TEST

/* ----------------------------------------------------- unverified files */

/* Without a checksum in the manifest the SHA-256 of what arrived is written
 * beside the file (sha256sum's format) and the file is reported unverified;
 * with one, it is verified and nothing is written beside it. */
START_TEST(test_fetch_unverified_recorded)
{
    fetch_case c;
    fetch_case_begin(&c, "fetch-unverified", NULL, 0, NULL);
    fetch_case_manifest(&c, "blob.bin", "200000", "unknown", "unknown", NULL);
    FILE *progress = tmpfile();
    c.options.progress = progress;
    dsml_fetch_result r;
    fetch_case_ok(&c, &r);
    ck_assert_int_eq(r.verified, 0);
    ck_assert_str_eq(r.sha256, BODY_SHA256);
    ck_assert_str_eq(r.sha256_path, testdir_path("downloads/blob.bin.sha256"));
    bytes rec = file_read(testdir_path("downloads/blob.bin.sha256"));
    ck_assert_str_eq((char *)rec.data, BODY_SHA256 "  blob.bin\n");
    free(rec.data);
    ck_assert_ptr_nonnull(strstr(progress_text(progress), "blob.bin: UNVERIFIED (no checksum in the manifest): sha256 "
                                                          BODY_SHA256 ", recorded in "));
    fclose(progress);
    c.options.progress = NULL;

    /* present again: still unverified, nothing downloaded */
    ck_assert_int_eq(dsml_fetch_file(&c.manifest.files[0], &c.options, &r), DSML_OK);
    ck_assert_int_eq(r.downloaded, 0);
    ck_assert_int_eq(r.verified, 0);

    /* with a checksum: verified, no record written */
    remove(testdir_path("downloads/blob.bin"));
    remove(testdir_path("downloads/blob.bin.sha256"));
    fetch_case_manifest(&c, "blob.bin", "unknown", "unknown", BODY_MD5, NULL);
    fetch_case_ok(&c, &r);
    ck_assert_int_eq(r.verified, 1);
    ck_assert_str_eq(r.sha256_path, "");
    ck_assert(!file_exists(testdir_path("downloads/blob.bin.sha256")));
    fetch_case_end(&c);
}
END_TEST

/* `dsml fetch` with a manifest of unknowns (as cars196's) says so on stderr,
 * and still prints "<sha256>  <path>" on stdout. */
START_TEST(test_fetch_unverified_cli)
{
    fetch_case c;
    fetch_case_begin(&c, "fetch-unverified-cli", NULL, 0, NULL);
    char manifest[8192], args[8192];
    snprintf(manifest, sizeof manifest, "name t\nfile blob.bin size unknown sha256 unknown md5 unknown\nurl %s\n",
             http_server_url(&c.server, "blob.bin"));
    file_write(testdir_path("manifests/t.manifest"), manifest, strlen(manifest));
    setenv("DSML_MANIFESTS", testdir_path("manifests"), 1);
    snprintf(args, sizeof args, "fetch t --data '%s' --quiet", c.root);
    cmd_result r;
    run_dsml(&r, args);
    unsetenv("DSML_MANIFESTS");
    ck_assert_msg(r.status == 0, "%s", r.err);
    char want[8192];
    snprintf(want, sizeof want, "%s  %s/downloads/blob.bin\n", BODY_SHA256, c.root);
    ck_assert_str_eq(r.out, want);
    snprintf(want, sizeof want,
             "dsml fetch: warning: blob.bin is UNVERIFIED: the manifest has no checksum for it; its sha256 is "
             "recorded in %s/downloads/blob.bin.sha256\n", c.root);
    ck_assert_str_eq(r.err, want);
    fetch_case_end(&c);
}
END_TEST

/* ---------------------------------------------------------------- stalls */

/* A server that sends part of the file and then nothing, forever: given up
 * on after the stall limit, and not asked again (what arrived is kept). */
START_TEST(test_fetch_stall)
{
    fetch_case c;
    const http_server_config stall = {
        .mode = HTTP_SERVER_STALL, .drop_after = 1000, .max_requests = 4, .etag = "\"v1\""};
    fetch_case_begin(&c, "fetch-stall", NULL, 0, &stall);
    fetch_case_manifest(&c, "blob.bin", "200000", BODY_SHA256, "unknown", NULL);
    c.options.stall_timeout_s = 1;
    char want[4400];
    snprintf(want, sizeof want, "blob.bin: download failed: %s: stalled: less than 1 byte/s for 1 s",
             http_server_url(&c.server, "blob.bin"));
    expect_error(dsml_fetch_file(&c.manifest.files[0], &c.options, NULL), DSML_ERR_NETWORK, want);
    ck_assert_int_eq(http_server_requests(&c.server), 1);
    ck_assert_int_eq(file_size(testdir_path(PART)), 1000);
    ck_assert(!file_exists(testdir_path("downloads/blob.bin")));

    c.options.stall_timeout_s = 0;
    expect_error(dsml_fetch_file(&c.manifest.files[0], &c.options, NULL), DSML_ERR_ARG, "stall limit 0 s");
    fetch_case_end(&c);
}
END_TEST

/* `dsml fetch --stall-timeout S`: the limit reaches the library; a bad value
 * is a usage error. */
START_TEST(test_fetch_stall_cli)
{
    fetch_case c;
    const http_server_config stall = {.mode = HTTP_SERVER_STALL, .max_requests = 4};
    fetch_case_begin(&c, "fetch-stall-cli", NULL, 0, &stall);
    char args[8192], manifests[4096];
    ck_assert_ptr_nonnull(getcwd(manifests, sizeof manifests - 16));
    strcat(manifests, "/datasets"); /* the repository's, wherever the binary under test lives */
    setenv("DSML_MANIFESTS", manifests, 1);
    const char *url = http_server_url(&c.server, "alexnet-owt-7be5be79.pth");
    snprintf(args, sizeof args, "fetch alexnet-imagenet --data '%s' --url '%s' --quiet --stall-timeout 1", c.root, url);
    cmd_result r;
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "stalled: less than 1 byte/s for 1 s"), "%s", r.err);
    ck_assert_int_eq(http_server_requests(&c.server), 1);

    static const char *bad[] = {"0", "-3", "2x", "", "86401"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(args, sizeof args, "fetch alexnet-imagenet --data '%s' --stall-timeout '%s'", c.root, bad[i]);
        run_dsml(&r, args);
        ck_assert_int_eq(r.status, 2);
        ck_assert_msg(strstr(r.err, "dsml fetch: --stall-timeout"), "%s", r.err);
    }
    unsetenv("DSML_MANIFESTS");
    ck_assert_int_eq(http_server_requests(&c.server), 1);
    fetch_case_end(&c);
}
END_TEST

/* ------------------------------------------------- what is not retried */

/* A redirect to file:// is refused and not retried: only http and https
 * are fetched, and the file it names is not read. */
START_TEST(test_fetch_redirect_other_scheme)
{
    fetch_case c;
    const http_server_config redirect = {
        .mode = HTTP_SERVER_REDIRECT, .max_requests = 4, .location = "file:///etc/hostname"};
    fetch_case_begin(&c, "fetch-redirect", NULL, 0, &redirect);
    fetch_case_manifest(&c, "blob.bin", "unknown", "unknown", "unknown", NULL);
    expect_error(dsml_fetch_file(&c.manifest.files[0], &c.options, NULL), DSML_ERR_NETWORK,
                 "only http and https are fetched; not retried");
    ck_assert_int_eq(http_server_requests(&c.server), 1);
    ck_assert(!file_exists(testdir_path("downloads/blob.bin")));
    assert_no_part();
    fetch_case_end(&c);
}
END_TEST

/* Which HTTP answers are tried again (with the back-off) and which are not. */
START_TEST(test_fetch_status_retry)
{
    static const struct {
        int status;
        int ok;        /* the try after it succeeds */
        int requests;
    } cases[] = {
        {503, 1, 2}, {500, 1, 2}, {429, 1, 2}, {408, 1, 2}, {403, 0, 1}, {410, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fetch_case c;
        const http_server_config config = {
            .mode = HTTP_SERVER_STATUS, .drop_requests = 1, .max_requests = 4, .status = cases[i].status};
        fetch_case_begin(&c, "fetch-status", NULL, 0, &config);
        fetch_case_manifest(&c, "blob.bin", "200000", BODY_SHA256, "unknown", NULL);
        int rc = dsml_fetch_file(&c.manifest.files[0], &c.options, NULL);
        if (cases[i].ok) {
            ck_assert_msg(rc == DSML_OK, "HTTP %d: %s", cases[i].status, dsml_last_error());
            assert_is_body(testdir_path("downloads/blob.bin"));
        } else {
            char want[64];
            snprintf(want, sizeof want, ": HTTP %d", cases[i].status);
            expect_error(rc, DSML_ERR_NETWORK, want);
        }
        ck_assert_int_eq(http_server_requests(&c.server), cases[i].requests);
        fetch_case_end(&c);
    }
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"resume", 30, (const TTest *[]){test_fetch_stale_part, test_fetch_validator_recorded, NULL}},
        {"html", 30, (const TTest *[]){test_fetch_html_refused, NULL}},
        {"unverified", 30, (const TTest *[]){test_fetch_unverified_recorded, test_fetch_unverified_cli, NULL}},
        {"stall", 30, (const TTest *[]){test_fetch_stall, test_fetch_stall_cli, NULL}},
        {"retry", 30, (const TTest *[]){test_fetch_redirect_other_scheme, test_fetch_status_retry, NULL}},
    };
    return suite_run_cases("fetch_guard", cases, SUITE_CASES(cases));
}
