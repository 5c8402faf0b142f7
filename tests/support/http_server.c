/* The tests' HTTP/1.1 server; see http_server.h. */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static int send_all(int fd, const void *data, size_t size)
{
    const char *p = data;
    while (size) {
        ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Reads the request head (up to the blank line); 0 on success. */
static int read_head(int fd, char *buf, size_t size)
{
    size_t used = 0;
    while (used + 1 < size) {
        ssize_t n = recv(fd, buf + used, size - 1 - used, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        used += (size_t)n;
        buf[used] = '\0';
        if (strstr(buf, "\r\n\r\n")) return 0;
    }
    return -1;
}

/* The value of header `name` ("range") copied into out[cap] without
 * surrounding blanks; 0 when found, -1 when not. */
static int header_value(const char *head, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *l = line + 2;
        if (strncasecmp(l, name, n) || l[n] != ':') continue;
        l += n + 1;
        while (*l == ' ') l++;
        size_t len = strcspn(l, "\r\n");
        if (len >= cap) len = cap - 1;
        memcpy(out, l, len);
        out[len] = '\0';
        return 0;
    }
    return -1;
}

/* The N of "Range: bytes=N-", or -1. */
static long long range_start(const char *head)
{
    char v[128];
    if (header_value(head, "range", v, sizeof v) || strncmp(v, "bytes=", 6)) return -1;
    char *end;
    long long from = strtoll(v + 6, &end, 10);
    return end != v + 6 && *end == '-' && from >= 0 ? from : -1;
}

/* Whether a Range request may be honoured: no If-Range, or one naming the
 * version served (its ETag or Last-Modified, compared as strings). */
static int if_range_matches(const char *head, const http_server_config *c)
{
    char v[512];
    if (header_value(head, "if-range", v, sizeof v)) return 1;
    return (c->etag && !strcmp(v, c->etag)) || (c->last_modified && !strcmp(v, c->last_modified));
}

static void log_request(const char *log_path, const char *head)
{
    char path[1024] = "?", if_range[512] = "-";
    sscanf(head, "GET %1023s", path);
    header_value(head, "if-range", if_range, sizeof if_range);
    long long from = range_start(head);
    FILE *log = fopen(log_path, "a");
    if (!log) return;
    if (from >= 0) fprintf(log, "GET %s range=%lld if-range=%s\n", path, from, if_range);
    else fprintf(log, "GET %s range=- if-range=%s\n", path, if_range);
    fclose(log);
}

/* A reply without a body: status line, `extra` header lines, no content. */
static void send_empty(int fd, const char *status, const char *extra)
{
    char reply[1024];
    int n = snprintf(reply, sizeof reply, "HTTP/1.1 %s\r\n%sContent-Length: 0\r\nConnection: close\r\n\r\n", status,
                     extra);
    send_all(fd, reply, (size_t)n);
}

/* Answers one request; returns 1 when the connection must stay open (STALL). */
static int serve_one(int fd, const char *body, size_t size, const http_server_config *c, int index,
                     const char *log_path)
{
    char head[8192], extra[1024] = "";
    if (read_head(fd, head, sizeof head)) return 0;
    log_request(log_path, head);
    char reply[2048];
    if (c->mode == HTTP_SERVER_NOT_FOUND) {
        static const char msg[] = "not found\n";
        int n = snprintf(reply, sizeof reply,
                         "HTTP/1.1 404 Not Found\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         sizeof msg - 1, msg);
        send_all(fd, reply, (size_t)n);
        return 0;
    }
    if (c->mode == HTTP_SERVER_REDIRECT) {
        snprintf(extra, sizeof extra, "Location: %s\r\n", c->location ? c->location : "/");
        send_empty(fd, "302 Found", extra);
        return 0;
    }
    if (c->mode == HTTP_SERVER_STATUS && index < c->drop_requests) {
        char status[64];
        snprintf(status, sizeof status, "%d Status", c->status);
        send_empty(fd, status, "");
        return 0;
    }
    long long from = range_start(head);
    int ranged = from >= 0 && c->mode != HTTP_SERVER_IGNORE_RANGE && if_range_matches(head, c);
    if (!ranged) from = 0;
    if ((size_t)from > size) {
        snprintf(extra, sizeof extra, "Content-Range: bytes */%zu\r\n", size);
        send_empty(fd, "416 Range Not Satisfiable", extra);
        return 0;
    }
    size_t used = 0;
    if (c->etag) used += (size_t)snprintf(extra + used, sizeof extra - used, "ETag: %s\r\n", c->etag);
    if (c->last_modified)
        used += (size_t)snprintf(extra + used, sizeof extra - used, "Last-Modified: %s\r\n", c->last_modified);
    snprintf(extra + used, sizeof extra - used, "Content-Type: %s\r\n",
             c->content_type ? c->content_type : "application/octet-stream");
    size_t len = size - (size_t)from;
    int n;
    if (ranged)
        n = snprintf(reply, sizeof reply,
                     "HTTP/1.1 206 Partial Content\r\nContent-Length: %zu\r\nContent-Range: bytes %lld-%zu/%zu\r\n"
                     "%sConnection: close\r\n\r\n", len, from, size ? size - 1 : 0, size, extra);
    else
        n = snprintf(reply, sizeof reply, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
                     len, extra);
    if (send_all(fd, reply, (size_t)n)) return 0;
    if (c->mode == HTTP_SERVER_STALL || (c->mode == HTTP_SERVER_DROP && index < c->drop_requests)) {
        size_t cut = c->drop_after < len ? c->drop_after : len;
        send_all(fd, body + from, cut);
        return c->mode == HTTP_SERVER_STALL; /* DROP closes now: the client sees a short body */
    }
    send_all(fd, body + from, len);
    return 0;
}

int http_server_start(http_server *s, const void *body, size_t size, const http_server_config *config,
                      const char *log_path)
{
    memset(s, 0, sizeof *s);
    snprintf(s->log_path, sizeof s->log_path, "%s", log_path);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); return -1; }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) || listen(fd, 8) ||
        getsockname(fd, (struct sockaddr *)&addr, &len)) {
        perror("http_server bind/listen");
        close(fd);
        return -1;
    }
    s->port = ntohs(addr.sin_port);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); close(fd); return -1; }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        alarm(600); /* never outlives a stuck test (its death ends the server at once) */
        int stalled = 0;
        for (int i = 0; i < config->max_requests; i++) {
            int c = accept(fd, NULL, NULL);
            if (c < 0) { if (errno == EINTR) { i--; continue; } break; }
            struct timeval tv = {60, 0}; /* a client on a busy machine may take a while */
            setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            if (serve_one(c, body, size, config, i, s->log_path)) {
                stalled++; /* left open and silent: never closed, so the client waits */
                continue;
            }
            shutdown(c, SHUT_WR);
            close(c);
        }
        close(fd);
        while (stalled) pause(); /* exiting would close the stalled connections */
        _exit(0);
    }
    close(fd);
    s->pid = pid;
    return 0;
}

void http_server_stop(http_server *s)
{
    if (s->pid <= 0) return;
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

int http_server_requests(const http_server *s)
{
    FILE *fp = fopen(s->log_path, "r");
    if (!fp) return 0;
    int lines = 0, ch;
    while ((ch = fgetc(fp)) != EOF) lines += ch == '\n';
    fclose(fp);
    return lines;
}

int http_server_saw(const http_server *s, const char *fragment)
{
    FILE *fp = fopen(s->log_path, "r");
    if (!fp) return 0;
    char line[2048];
    int found = 0;
    while (!found && fgets(line, sizeof line, fp)) found = strstr(line, fragment) != NULL;
    fclose(fp);
    return found;
}

int http_server_saw_range(const http_server *s, long long offset)
{
    char want[64];
    snprintf(want, sizeof want, " range=%lld ", offset);
    return http_server_saw(s, want);
}

const char *http_server_url(const http_server *s, const char *path)
{
    static char urls[4][4200];
    static int next;
    char *url = urls[next++ % 4];
    snprintf(url, sizeof urls[0], "http://127.0.0.1:%d/%s", s->port, path);
    return url;
}
