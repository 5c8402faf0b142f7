/* The table of all methods (`dsml tables`: methods.md and methods.tex): every
 * method run on every dataset, mean and sample std over seeds of Recall@1,
 * MAP@R, MAP and NMI, with the related papers' published values beside ours
 * (docs/tables.md, "The table of all methods").
 *
 * A method is a loss with its variant: the paper's losses with each distance
 * (contrastive / DSML(cont), ...), the same with the density regulariser
 * ("+ DA"), vMF, and GPW with its mining and weighting. Runs are read from
 * <results>/<dataset>/<run>/metrics.json; validation-only (tuning) and
 * hashing runs are left out, and a repeated seed of a (dataset, method, dim)
 * group keeps the first run by directory name.
 *
 * The published values come from paper-tables/published-methods.tsv: one value
 * a line, tab-separated columns
 *
 *   table  dataset  method  metric  size  value  note
 *
 * with table "methods", dataset as our dataset names (cars196, cub200),
 * method as this table labels it ("GPW(ms, ms)", "contrastive + DA"), metric
 * one of euclidean.recall@1, euclidean.map@r, euclidean.map, clustering.nmi,
 * size the embedding size (0 when the source does not state it), value in
 * percent as printed, note the source. '#' lines and blank lines are skipped;
 * the first other line is the header above. */
#ifndef DSML_REPORT_METHODS_TABLE_H
#define DSML_REPORT_METHODS_TABLE_H

#include <stddef.h>
#include <stdio.h>

/* The method label of a run (see above) into out; DSML_ERR_ARG for a loss
 * or distance the table does not know. density <= 0 means none; mining and
 * weighting are read for gpw only. */
int dsml_methods_label(const char *loss, const char *distance, double density, const char *mining,
                       const char *weighting, char *out, size_t size);

typedef struct {
    char dataset[32], method[48], metric[32], note[256];
    int size, line, decimals;
    double value;
} dsml_methods_published;

/* Parses a published-methods file held in `text` (`name` for messages): on
 * success *out (owned, free()) holds *count values. Errors name name:line. */
int dsml_methods_published_parse(const char *name, const char *text, dsml_methods_published **out, int *count);

/* Loads the runs under results_dir (the common equations arm: runs with
 * config.equations "paper" are left out, named on notes) and the published
 * values (a missing published file is not an error: no published column),
 * and writes out_dir/methods.md and methods.tex atomically, each dataset's
 * section ending with its data's provenance against
 * manifests_dir/<dataset>.manifest (report/provenance.h), after what
 * results_dir/account.json (when there) says of a dataset not run or whose
 * runs did not all finish (report/account_note.h). Notes (skipped runs,
 * files written) go to `notes` (NULL: quiet). */
int dsml_methods_table_write(const char *results_dir, const char *out_dir, const char *published_path,
                             const char *manifests_dir, FILE *notes);

#endif
