/* What the sweep's account (results/account.h) says of a dataset, in the
 * words the reports use: a table's note on why its dataset has no runs, or
 * on how many of the selected runs are behind its cells, and claims.md's
 * paragraph on the datasets not run. Markdown, or LaTeX (code in \texttt,
 * every special character escaped). Layout of the sentences: docs/tables.md,
 * "Datasets not run". */
#ifndef DSML_REPORT_ACCOUNT_NOTE_H
#define DSML_REPORT_ACCOUNT_NOTE_H

#include <stdio.h>

#include "results/account.h"

/* Writes `lead` then the account's sentence on dataset d (NULL: none) for a
 * table that shows runs of it (has_runs) or none, and returns 1; writes
 * nothing and returns 0 when there is nothing to say (no entry, or every
 * selected run finished):
 *   no runs, skipped:  skipped by `make reproduce`: <reason>; get it: `<get>`
 *   otherwise:         `make reproduce` finished 40 of the 42 runs it selected on this dataset
 *                      (1 failed, 1 not started: <reason>; get it: `<get>`)
 * (the reason and the command left out when empty). */
int dsml_account_note(FILE *fp, const dsml_account_dataset *d, int has_runs, const char *lead, int tex);

/* claims.md's paragraph (Markdown), ending in a blank line: the datasets
 * skipped with their reasons and commands, those with runs that did not
 * finish, the weights that could not be had; nothing when the account is
 * absent or every run finished. */
void dsml_account_summary(FILE *fp, const dsml_account *a);

#endif
