/* Progress reporting for long work. On a terminal: one line redrawn in place
 * with done/total, rate and ETA. Elsewhere (CI logs, pipes): a plain line at
 * most every `interval` seconds, and none at all when quiet is set. */
#ifndef DSML_CORE_PROGRESS_H
#define DSML_CORE_PROGRESS_H

#include <stdio.h>

typedef struct {
    FILE *fp;
    const char *label;
    const char *unit;      /* what `done` counts, e.g. "img" */
    double total;
    double start, last_print;
    double interval;       /* seconds between plain lines */
    int tty;
    int quiet;
} dsml_progress;

/* fp NULL means quiet. */
void dsml_progress_begin(dsml_progress *p, FILE *fp, const char *label, const char *unit, double total);
/* `extra` is appended (e.g. "loss 0.1234"); may be NULL. */
void dsml_progress_update(dsml_progress *p, double done, const char *extra);
void dsml_progress_end(dsml_progress *p, double done, const char *extra);

#endif
