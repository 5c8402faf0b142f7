/* The account's sentences in the reports; see account_note.h. */
#include "report/account_note.h"

#include <string.h>

/* Text: LaTeX's special characters escaped when tex. */
static void text(FILE *fp, const char *s, int tex)
{
    if (!tex) {
        fputs(s, fp);
        return;
    }
    for (; *s; s++) {
        if (strchr("_%#&${}", *s)) fprintf(fp, "\\%c", *s);
        else if (*s == '\\') fputs("\\textbackslash{}", fp);
        else if (*s == '~') fputs("\\textasciitilde{}", fp);
        else if (*s == '^') fputs("\\textasciicircum{}", fp);
        else fputc(*s, fp);
    }
}

/* A command: `s` in Markdown, \texttt{s} in LaTeX. */
static void code(FILE *fp, const char *s, int tex)
{
    fputs(tex ? "\\texttt{" : "`", fp);
    text(fp, s, tex);
    fputs(tex ? "}" : "`", fp);
}

/* ": <reason>; get it: `<get>`" (or "; <get>" for manual steps), each part only when there is one. */
static void reason_and_get(FILE *fp, const char *reason, const char *get, int tex)
{
    if (reason[0]) {
        fputs(": ", fp);
        text(fp, reason, tex);
    }
    if (!get[0]) return;
    if (!strncmp(get, "dsml ", 5)) {
        fputs("; get it: ", fp);
        code(fp, get, tex);
    } else { /* a manual dataset's steps ("see datasets/NAME.manifest: ..."), prose that may hold code */
        fputs("; ", fp);
        text(fp, get, tex);
    }
}

/* "(1 failed, 1 not started: <reason>; get it: `<get>`)": the runs that did not finish. */
static void unfinished(FILE *fp, const dsml_account_dataset *d, int tex)
{
    const char *sep = "(";
    const struct { int n; const char *what; } parts[] = {
        {d->failed, "failed"}, {d->not_started, "not started"}, {d->skipped, "skipped"}};
    for (int i = 0; i < 3; i++)
        if (parts[i].n) {
            fprintf(fp, "%s%d %s", sep, parts[i].n, parts[i].what);
            sep = ", ";
        }
    reason_and_get(fp, d->reason, d->get, tex);
    fputc(')', fp);
}

int dsml_account_note(FILE *fp, const dsml_account_dataset *d, int has_runs, const char *lead, int tex)
{
    if (!d || (d->status == DSML_ACCOUNT_COMPLETE && d->finished == d->runs)) return 0;
    fputs(lead, fp);
    if (d->status == DSML_ACCOUNT_SKIPPED) {
        fputs("skipped by ", fp);
        code(fp, "make reproduce", tex);
        if (has_runs) fputs(" (the cells come from earlier runs)", fp);
        reason_and_get(fp, d->reason, d->get, tex);
    } else {
        code(fp, "make reproduce", tex);
        fprintf(fp, " finished %d of the %d runs it selected on this dataset ", d->finished, d->runs);
        unfinished(fp, d, tex);
    }
    return 1;
}

/* The paragraph's opening before its first item, "; " before the others. */
static void next_item(FILE *fp, const dsml_account *a, int *said)
{
    if (!(*said)++) fprintf(fp, "Not run by `make reproduce` (%s, sweep `%s`): ", a->path, a->sweep);
    else fputs("; ", fp);
}

void dsml_account_summary(FILE *fp, const dsml_account *a)
{
    if (!a || !a->present) return;
    int said = 0;
    /* skipped datasets first, then the incomplete ones, then the weights */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < a->n_datasets; i++) {
            const dsml_account_dataset *d = &a->datasets[i];
            if (d->status != (pass ? DSML_ACCOUNT_INCOMPLETE : DSML_ACCOUNT_SKIPPED)) continue;
            next_item(fp, a, &said);
            if (pass) {
                fprintf(fp, "`%s`, %d of %d runs finished ", d->name, d->finished, d->runs);
                unfinished(fp, d, 0);
            } else {
                fprintf(fp, "`%s`, %d run%s skipped", d->name, d->runs, d->runs == 1 ? "" : "s");
                reason_and_get(fp, d->reason, d->get, 0);
            }
        }
    for (int i = 0; i < a->n_weights; i++) {
        const dsml_account_weights *w = &a->weights[i];
        if (w->status == DSML_WEIGHTS_PRESENT) continue;
        next_item(fp, a, &said);
        fprintf(fp, "weights `%s` %s, %d runs use them", w->name, dsml_weights_status_name(w->status), w->runs);
        reason_and_get(fp, w->reason, w->get, 0);
    }
    if (said) fputs(".\n\n", fp);
}
