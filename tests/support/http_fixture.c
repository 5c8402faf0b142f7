/* Download tests' fixture; see http_fixture.h. */
#include "http_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "files.h"
#include "testdir.h"

uint8_t *fetch_body(void)
{
    uint8_t *b = malloc(BODY_SIZE);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < BODY_SIZE; i++) b[i] = (uint8_t)(((i * 31 + 7) ^ (i >> 8)) & 0xff);
    return b;
}

void fetch_case_serve(http_server *s, const void *data, size_t size, const http_server_config *config,
                      const char *log_name)
{
    static const http_server_config normal = {.mode = HTTP_SERVER_NORMAL, .max_requests = 4};
    ck_assert_int_eq(http_server_start(s, data, size, config ? config : &normal, testdir_path(log_name)), 0);
}

void fetch_case_begin(fetch_case *c, const char *name, const void *data, size_t size,
                      const http_server_config *config)
{
    memset(c, 0, sizeof *c);
    c->root = testdir_make(name);
    ck_assert_ptr_nonnull(c->root);
    setenv("no_proxy", "*", 1);
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    c->body = fetch_body();
    fetch_case_serve(&c->server, data ? data : c->body, data ? size : BODY_SIZE, config, "log");
    dsml_fetch_options_default(&c->options, c->root);
    c->options.attempts = 3;
    c->options.backoff_s = 0.01;
    c->options.connect_timeout_s = 60; /* generous: a busy machine never trips them */
    c->options.stall_timeout_s = 60;
}

void fetch_case_manifest(fetch_case *c, const char *file, const char *size, const char *sha, const char *md5,
                         const char *mirror)
{
    char text[4096];
    snprintf(text, sizeof text, "name test\nfile %s size %s sha256 %s md5 %s\nurl %s\n%s%s%s", file, size, sha, md5,
             http_server_url(&c->server, file), mirror ? "mirror " : "", mirror ? mirror : "", mirror ? "\n" : "");
    ck_assert_msg(dsml_manifest_parse(&c->manifest, text, "test.manifest") == DSML_OK, "%s", dsml_last_error());
}

void fetch_case_ok(fetch_case *c, dsml_fetch_result *r)
{
    int rc = dsml_fetch_file(&c->manifest.files[0], &c->options, r);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
}

void fetch_case_end(fetch_case *c)
{
    http_server_stop(&c->server);
    free(c->body);
    testdir_done(1);
}

void assert_is_body(const char *path)
{
    bytes got = file_read(path);
    ck_assert_uint_eq(got.size, BODY_SIZE);
    uint8_t *want = fetch_body();
    ck_assert_int_eq(memcmp(got.data, want, BODY_SIZE), 0);
    free(got.data);
    free(want);
}
