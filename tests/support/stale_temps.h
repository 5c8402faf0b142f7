/* Temp files as a killed writer leaves them ("<path>.tmp.<host>.<pid>", see
 * src/core/atomic_file.h): the pid of a process that has ended, and this
 * host's name as the library writes it into temp names. */
#ifndef DSML_TESTS_STALE_TEMPS_H
#define DSML_TESTS_STALE_TEMPS_H

/* The pid of a child that was started, exited and was reaped: no process
 * has it (checked with kill(pid, 0)). */
long dead_pid(void);

/* This host's part of temp names, as dsml_atomic_begin writes it (probed
 * in the current test folder, which must exist). */
const char *temp_host(void);

/* Writes the file "<path>.tmp.<host>.<pid>" (host NULL: the older
 * "<path>.tmp.<pid>") holding a few bytes; returns its name (static, valid
 * until the next call). */
const char *write_temp(const char *path, const char *host, long pid);

#endif
