/* `dsml tables`: the paper's Tables 1-4 rebuilt from results/, our mean and
 * sample std over seeds beside each published value, as Markdown and LaTeX,
 * and claims.md (see claims.h). Layout of the outputs: docs/tables.md.
 *
 * The runs are report/runs.h's (grouped by dataset, loss, distance and dim
 * over seeds); the rows, columns and sizes are the paper's (report/paper.h). */
#ifndef DSML_REPORT_TABLES_H
#define DSML_REPORT_TABLES_H

#include <stdio.h>

typedef struct {
    double equivalence_margin; /* claims' equivalence margin in percentage points (> 0) */
    const char *manifests_dir; /* the datasets' manifests, for the provenance lines */
    int looks;                 /* claims' looks K: each test at 0.05 / K (claims.h) */
    FILE *undecided;           /* NULL, or where claims.md's undecided cells go (claims.h) */
} dsml_tables_options;

/* Margin DSML_CLAIMS_MARGIN (1.0), manifests "datasets", 1 look, no undecided list. */
void dsml_tables_defaults(dsml_tables_options *opt);

/* The whole command: loads the runs and `published_path`, writes
 * table1..4.md/.tex (the common equations arm) and claims.md (both arms)
 * into out_dir (created if needed), each atomically, with the data's
 * provenance against the manifests. <results_dir>/account.json, when there
 * (results/account.h), says in the notes and claims.md why a dataset was not
 * run; one that does not read fails the command. Notes (skipped runs, files
 * written) go to `notes`. */
int dsml_tables_write(const char *results_dir, const char *out_dir, const char *published_path,
                      const dsml_tables_options *opt, FILE *notes);

#endif
