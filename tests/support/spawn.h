/* Running a command in the background from tests, to kill it or starve it:
 * `sh -c COMMAND` in a process group of its own, its stdout and stderr read
 * through one pipe, and SIGKILL sent to the whole group (make and every
 * program it started) once a condition holds: a number of output lines, a
 * file (a glob pattern, so "<dir>/metrics.json.tmp.*" matches any temp file)
 * of at least some bytes, or a delay. A file size limit (RLIMIT_FSIZE, with
 * SIGXFSZ ignored) makes every write past it fail with EFBIG: a full disk,
 * at a byte the test chooses.
 *
 * Which moment the kill lands on depends on the machine; a test asserts only
 * what must hold whatever the moment (status tells whether the command had
 * already ended). */
#ifndef DSML_TESTS_SPAWN_H
#define DSML_TESTS_SPAWN_H

/* When to kill; the first condition that holds wins, none set: never. */
typedef struct {
    const char *label;    /* names the point in failure messages */
    int lines;            /* after this many lines of output (0: not this) */
    const char *file;     /* once a file matching this glob pattern exists (NULL: not this) ... */
    long min_bytes;       /* ... and holds at least this many bytes */
    int delay_ms;         /* this long after the start (0: not this) */
} spawn_kill;

typedef struct {
    int status;           /* exit code, or 128 + signal (137: killed) */
    char out[65536];      /* stdout and stderr as they came, truncated */
} spawn_result;

/* Runs `sh -c command` to its end, or until `kill` holds (NULL: to its end);
 * fsize_limit > 0 limits every file it writes to that many bytes. */
void spawn_run(spawn_result *r, const char *command, const spawn_kill *kill, long long fsize_limit);

/* The last part of the output, short enough for a test's failure message. */
const char *spawn_tail(const spawn_result *r);

/* 1 when the command was killed by SIGKILL. */
int spawn_killed(const spawn_result *r);

#endif
