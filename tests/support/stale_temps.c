/* Temp files as a killed writer leaves them; see stale_temps.h. */
#include "stale_temps.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "testdir.h"

long dead_pid(void)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) _exit(0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(kill(pid, 0) != 0 && errno == ESRCH, "pid %ld still in use", (long)pid);
    return (long)pid;
}

const char *temp_host(void)
{
    static char host[256];
    char path[4096];
    snprintf(path, sizeof path, "%s", testdir_path("host-probe")); /* a test folder must exist */
    dsml_atomic_file f;
    ck_assert_int_eq(dsml_atomic_begin(&f, path), 0);
    dsml_atomic_abort(&f);
    char suffix[64];
    snprintf(suffix, sizeof suffix, ".%ld", (long)getpid());
    size_t prefix = strlen(path) + strlen(".tmp."), len = strlen(f.temp);
    ck_assert_msg(!strncmp(f.temp + strlen(path), ".tmp.", 5) && len > prefix + strlen(suffix) &&
                  !strcmp(f.temp + len - strlen(suffix), suffix), "temp name %s", f.temp);
    snprintf(host, sizeof host, "%.*s", (int)(len - prefix - strlen(suffix)), f.temp + prefix);
    return host;
}

const char *write_temp(const char *path, const char *host, long pid)
{
    static char name[8192];
    if (host) snprintf(name, sizeof name, "%s.tmp.%s.%ld", path, host, pid);
    else snprintf(name, sizeof name, "%s.tmp.%ld", path, pid);
    testdir_write_text(name, "half written");
    return name;
}
