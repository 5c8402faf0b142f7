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

/* The N of "Range: bytes=N-", or -1. */
static long long range_start(const char *head)
{
    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *l = line + 2;
        if (strncasecmp(l, "range:", 6)) continue;
        l += 6;
        while (*l == ' ') l++;
        if (strncmp(l, "bytes=", 6)) return -1;
        char *end;
        long long v = strtoll(l + 6, &end, 10);
        return end != l + 6 && *end == '-' && v >= 0 ? v : -1;
    }
    return -1;
}

static void serve_one(int fd, const char *body, size_t size, const http_server_config *c, int index,
                      const char *log_path)
{
    char head[8192], path[1024] = "?";
    if (read_head(fd, head, sizeof head)) return;
    sscanf(head, "GET %1023s", path);
    long long from = range_start(head);
    FILE *log = fopen(log_path, "a");
    if (log) {
        if (from >= 0) fprintf(log, "GET %s range=%lld\n", path, from);
        else fprintf(log, "GET %s range=-\n", path);
        fclose(log);
    }
    char reply[512];
    if (c->mode == HTTP_SERVER_NOT_FOUND) {
        static const char msg[] = "not found\n";
        int n = snprintf(reply, sizeof reply,
                         "HTTP/1.1 404 Not Found\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         sizeof msg - 1, msg);
        send_all(fd, reply, (size_t)n);
        return;
    }
    if (c->mode == HTTP_SERVER_IGNORE_RANGE || from < 0) from = 0;
    int partial = from > 0 || (c->mode != HTTP_SERVER_IGNORE_RANGE && range_start(head) == 0);
    if ((size_t)from > size) {
        int n = snprintf(reply, sizeof reply,
                         "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%zu\r\n"
                         "Content-Length: 0\r\nConnection: close\r\n\r\n", size);
        send_all(fd, reply, (size_t)n);
        return;
    }
    size_t len = size - (size_t)from;
    int n;
    if (partial)
        n = snprintf(reply, sizeof reply,
                     "HTTP/1.1 206 Partial Content\r\nContent-Length: %zu\r\nContent-Range: bytes %lld-%zu/%zu\r\n"
                     "Connection: close\r\n\r\n", len, from, size ? size - 1 : 0, size);
    else
        n = snprintf(reply, sizeof reply, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     len);
    if (send_all(fd, reply, (size_t)n)) return;
    if (c->mode == HTTP_SERVER_DROP && index < c->drop_requests) {
        size_t cut = c->drop_after < len ? c->drop_after : len;
        send_all(fd, body + from, cut);
        return; /* closing now: the client sees a short body */
    }
    send_all(fd, body + from, len);
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
        alarm(30); /* never outlives a stuck test */
        for (int i = 0; i < config->max_requests; i++) {
            int c = accept(fd, NULL, NULL);
            if (c < 0) { if (errno == EINTR) { i--; continue; } break; }
            struct timeval tv = {5, 0};
            setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            serve_one(c, body, size, config, i, s->log_path);
            shutdown(c, SHUT_WR);
            close(c);
        }
        close(fd);
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

int http_server_saw_range(const http_server *s, long long offset)
{
    FILE *fp = fopen(s->log_path, "r");
    if (!fp) return 0;
    char line[2048], want[64];
    snprintf(want, sizeof want, " range=%lld\n", offset);
    int found = 0;
    while (!found && fgets(line, sizeof line, fp)) {
        size_t n = strlen(line), w = strlen(want);
        found = n >= w && !strcmp(line + n - w, want);
    }
    fclose(fp);
    return found;
}

const char *http_server_url(const http_server *s, const char *path)
{
    static char urls[4][4200];
    static int next;
    char *url = urls[next++ % 4];
    snprintf(url, sizeof urls[0], "http://127.0.0.1:%d/%s", s->port, path);
    return url;
}
