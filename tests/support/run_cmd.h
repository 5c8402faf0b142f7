/* Running bin/dsml from tests: the command's exit status, stdout and stderr
 * captured into buffers. DSML_BIN (set by `make check`) names the binary. */
#ifndef DSML_TESTS_RUN_CMD_H
#define DSML_TESTS_RUN_CMD_H

typedef struct {
    int status;        /* exit code, or 128+signal */
    char out[65536];   /* stdout, truncated */
    char err[65536];   /* stderr, truncated */
} cmd_result;

/* Runs `$DSML_BIN <args>` through /bin/sh (args is a shell fragment). */
void run_dsml(cmd_result *r, const char *args);
/* Runs an arbitrary shell command. */
void run_shell(cmd_result *r, const char *command);
/* Reads a whole small file into a static buffer ("" if missing). */
const char *read_text(const char *path);

#endif
