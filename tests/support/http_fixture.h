/* A download test: its folder (the data root), the local HTTP server
 * (http_server.h) serving a known body, fast fetch options and a one-file
 * manifest pointing at the server.
 *
 *   fetch_case c;
 *   fetch_case_begin(&c, "fetch-clean", NULL, 0, NULL);
 *   fetch_case_manifest(&c, "blob.bin", "200000", BODY_SHA256, BODY_MD5, NULL);
 *   fetch_case_ok(&c, NULL);
 *   fetch_case_end(&c);
 */
#ifndef DSML_TESTS_HTTP_FIXTURE_H
#define DSML_TESTS_HTTP_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "data/fetch.h"
#include "data/manifest.h"
#include "http_server.h"

#define BODY_SIZE 200000
/* MD5 and SHA-256 of the body, computed independently (Python hashlib). */
#define BODY_MD5 "d954d97c7f22cb7d1f1864f9d00e57d9"
#define BODY_SHA256 "5ef84e339e38c67c479ca673f690490766555bd7df6b07c9ebf7f868b88c5ec5"
#define OTHER_SHA256 "0000000000000000000000000000000000000000000000000000000000000001"

typedef struct {
    const char *root;           /* the test's folder: the data root */
    uint8_t *body;              /* the BODY_SIZE known bytes, owned */
    http_server server;
    dsml_fetch_options options; /* a few quick tries, short timeouts */
    dsml_manifest manifest;     /* from fetch_case_manifest */
} fetch_case;

/* The known body (malloc'd, BODY_SIZE bytes). */
uint8_t *fetch_body(void);

/* Makes the test's folder, turns proxies off, and starts the server with
 * `config` (NULL: normal answers, 4 requests) serving data (NULL: the body),
 * its request log in the folder's "log". */
void fetch_case_begin(fetch_case *c, const char *name, const void *data, size_t size,
                      const http_server_config *config);
/* Starts another server (log in the folder's `log_name`). */
void fetch_case_serve(http_server *s, const void *data, size_t size, const http_server_config *config,
                      const char *log_name);
/* The manifest of one file served at the server's /<file>, with `mirror`
 * (may be NULL) as its mirror; sizes and checksums may be "unknown". */
void fetch_case_manifest(fetch_case *c, const char *file, const char *size, const char *sha, const char *md5,
                         const char *mirror);
/* Fetches the manifest's first file, which must succeed (r may be NULL). */
void fetch_case_ok(fetch_case *c, dsml_fetch_result *r);
/* Stops the server and removes the folder. */
void fetch_case_end(fetch_case *c);

/* Fails the test unless `path` holds exactly the body. */
void assert_is_body(const char *path);

#endif
