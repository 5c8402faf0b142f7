/* Captures a command's output through temporary files; see run_cmd.h. */
#include "run_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void slurp(const char *path, char *buf, size_t size)
{
    FILE *fp = fopen(path, "rb");
    size_t n = 0;
    if (fp) {
        n = fread(buf, 1, size - 1, fp);
        fclose(fp);
    }
    buf[n] = '\0';
}

void run_shell(cmd_result *r, const char *command)
{
    char out_path[] = "/tmp/dsml-cmd-out-XXXXXX", err_path[] = "/tmp/dsml-cmd-err-XXXXXX";
    int fo = mkstemp(out_path), fe = mkstemp(err_path);
    close(fo);
    close(fe);
    size_t len = strlen(command) + 256;
    char *full = malloc(len);
    snprintf(full, len, "(%s) >%s 2>%s </dev/null", command, out_path, err_path);
    int st = system(full);
    free(full);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    slurp(out_path, r->out, sizeof r->out);
    slurp(err_path, r->err, sizeof r->err);
    unlink(out_path);
    unlink(err_path);
}

void run_dsml(cmd_result *r, const char *args)
{
    const char *bin = getenv("DSML_BIN");
    if (!bin) bin = "bin/dsml";
    size_t len = strlen(bin) + strlen(args) + 8;
    char *command = malloc(len);
    snprintf(command, len, "%s %s", bin, args);
    run_shell(r, command);
    free(command);
}

const char *read_text(const char *path)
{
    static char buf[1 << 20];
    slurp(path, buf, sizeof buf);
    return buf;
}
