/* A tiny HTTP/1.1 server for tests, run in a forked child on 127.0.0.1 at an
 * ephemeral port. It answers GET for any path with one in-memory body,
 * honours "Range: bytes=N-" with 206 Partial Content (unless an If-Range
 * names another version than its ETag or Last-Modified: then 200 with the
 * whole body), serves a fixed number of requests (one per connection) and
 * exits. Each request is appended to a log file as one line:
 * "GET <path> range=<N or -> if-range=<value or ->". */
#ifndef DSML_TESTS_HTTP_SERVER_H
#define DSML_TESTS_HTTP_SERVER_H

#include <stddef.h>
#include <sys/types.h>

typedef enum {
    HTTP_SERVER_NORMAL,        /* 200, or 206 for a Range request */
    HTTP_SERVER_NOT_FOUND,     /* 404 for everything */
    HTTP_SERVER_DROP,          /* the first drop_requests answers close after drop_after body bytes */
    HTTP_SERVER_IGNORE_RANGE,  /* always 200 with the whole body */
    HTTP_SERVER_STATUS,        /* the first drop_requests answers are `status` (no body), then normal */
    HTTP_SERVER_STALL,         /* headers and drop_after body bytes, then nothing: the connection stays
                                  open, silent, until the server is stopped */
    HTTP_SERVER_REDIRECT,      /* 302 to `location` for everything */
} http_server_mode;

typedef struct {
    pid_t pid;
    int port;
    char log_path[4096];
} http_server;

typedef struct {
    http_server_mode mode;
    size_t drop_after;         /* DROP, STALL: body bytes sent before closing / going silent */
    int drop_requests;         /* DROP, STATUS: how many answers are cut / replaced */
    int max_requests;          /* requests served before the child exits */
    /* Optional (NULL / 0: not sent). */
    const char *etag;          /* ETag header, e.g. "\"v1\""; also what If-Range must name */
    const char *last_modified; /* Last-Modified header; also accepted in If-Range */
    const char *content_type;  /* Content-Type of 200/206 answers (default application/octet-stream) */
    const char *location;      /* REDIRECT: the Location header */
    int status;                /* STATUS: the HTTP status answered (e.g. 503) */
} http_server_config;

/* Forks the server; `body` is copied into the child by fork (the caller keeps
 * it). Returns 0, or -1 with a message on stderr. */
int http_server_start(http_server *s, const void *body, size_t size, const http_server_config *config,
                      const char *log_path);
/* Kills and reaps the child. */
void http_server_stop(http_server *s);
/* Lines in the request log (0 when there is none). */
int http_server_requests(const http_server *s);
/* 1 when some logged request line contains `fragment` (" if-range=\"v1\""), else 0. */
int http_server_saw(const http_server *s, const char *fragment);
/* 1 when some logged request carried "range=<offset>", else 0. */
int http_server_saw_range(const http_server *s, long long offset);
/* "http://127.0.0.1:<port>/<path>" into a static buffer (one of 4 used in
 * turn, so two URLs can be passed to one call). */
const char *http_server_url(const http_server *s, const char *path);

#endif
