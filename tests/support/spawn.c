/* A command in the background, killed when a condition holds; see spawn.h. */
#include "spawn.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* 1 when a file matching the pattern exists with at least min_bytes. */
static int file_reached(const char *pattern, long min_bytes)
{
    glob_t g;
    int found = 0;
    if (glob(pattern, 0, NULL, &g) != 0) return 0;
    for (size_t i = 0; i < g.gl_pathc && !found; i++) {
        struct stat st;
        found = stat(g.gl_pathv[i], &st) == 0 && st.st_size >= min_bytes;
    }
    globfree(&g);
    return found;
}

static int should_kill(const spawn_kill *k, int lines, double elapsed_ms)
{
    if (!k) return 0;
    if (k->lines > 0 && lines >= k->lines) return 1;
    if (k->delay_ms > 0 && elapsed_ms >= k->delay_ms) return 1;
    return k->file && file_reached(k->file, k->min_bytes);
}

/* The child: its own process group (so one kill reaches everything it
 * starts), stdin from /dev/null, stdout and stderr into the pipe. */
static void child(const char *command, int out_fd, long long fsize_limit)
{
    setpgid(0, 0);
    if (fsize_limit > 0) {
        /* EFBIG from write() instead of death by SIGXFSZ; an ignored signal stays ignored across exec */
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit lim = {(rlim_t)fsize_limit, (rlim_t)fsize_limit};
        if (setrlimit(RLIMIT_FSIZE, &lim) != 0) _exit(126);
    }
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0) _exit(126);
    execl("/bin/sh", "sh", "-c", command, (char *)NULL);
    _exit(127);
}

void spawn_run(spawn_result *r, const char *command, const spawn_kill *kill_at, long long fsize_limit)
{
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    double start = now_ms();
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) child(command, fds[1], fsize_limit);
    setpgid(pid, pid); /* also here: a kill may come before the child ran */
    close(fds[1]);

    size_t len = 0;
    int lines = 0, sent = 0;
    for (;;) {
        struct pollfd p = {fds[0], POLLIN, 0};
        int ready = poll(&p, 1, 2);
        if (ready < 0 && errno != EINTR) ck_abort_msg("poll: %s", strerror(errno));
        if (ready > 0) {
            char buf[4096];
            ssize_t n = read(fds[0], buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break; /* every writer is gone */
            for (ssize_t i = 0; i < n; i++) lines += buf[i] == '\n';
            size_t keep = sizeof r->out - 1 - len < (size_t)n ? sizeof r->out - 1 - len : (size_t)n;
            memcpy(r->out + len, buf, keep);
            len += keep;
        }
        if (!sent && should_kill(kill_at, lines, now_ms() - start)) {
            kill(-pid, SIGKILL);
            sent = 1;
        }
    }
    r->out[len] = '\0';
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0) ck_assert_int_eq(errno, EINTR);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int spawn_killed(const spawn_result *r)
{
    return r->status == 128 + SIGKILL;
}

const char *spawn_tail(const spawn_result *r)
{
    size_t len = strlen(r->out);
    return len > 2000 ? r->out + len - 2000 : r->out;
}
