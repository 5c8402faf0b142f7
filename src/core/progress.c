/* Progress line; see progress.h. */
#include "core/progress.h"
#include "core/timer.h"

#include <unistd.h>

void dsml_progress_begin(dsml_progress *p, FILE *fp, const char *label, const char *unit, double total)
{
    p->fp = fp;
    p->label = label;
    p->unit = unit;
    p->total = total;
    p->start = p->last_print = dsml_now();
    p->quiet = fp == NULL;
    p->tty = fp && isatty(fileno(fp));
    p->interval = p->tty ? 0.2 : 30.0;
}

static void format_eta(char *buf, size_t size, double seconds)
{
    if (seconds < 0 || seconds > 1e7) { snprintf(buf, size, "--:--"); return; }
    long s = (long)(seconds + 0.5);
    if (s >= 3600) snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else snprintf(buf, size, "%02ld:%02ld", s / 60, s % 60);
}

static void print_line(dsml_progress *p, double done, const char *extra, int final)
{
    double now = dsml_now();
    double elapsed = now - p->start;
    double rate = elapsed > 0 ? done / elapsed : 0;
    char eta[32];
    format_eta(eta, sizeof eta, final ? elapsed : (rate > 0 ? (p->total - done) / rate : -1));
    fprintf(p->fp, "%s%s %3.0f%% %.0f/%.0f %s, %.0f %s/s, %s %s%s%s",
            p->tty ? "\r\033[K" : "", p->label, p->total > 0 ? 100.0 * done / p->total : 0.0,
            done, p->total, p->unit, rate, p->unit, final ? "took" : "ETA", eta,
            extra ? ", " : "", extra ? extra : "");
    if (!p->tty || final) fputc('\n', p->fp);
    fflush(p->fp);
    p->last_print = now;
}

void dsml_progress_update(dsml_progress *p, double done, const char *extra)
{
    if (p->quiet) return;
    if (dsml_now() - p->last_print < p->interval) return;
    print_line(p, done, extra, 0);
}

void dsml_progress_end(dsml_progress *p, double done, const char *extra)
{
    if (p->quiet) return;
    print_line(p, done, extra, 1);
}
