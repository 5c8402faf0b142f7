/* What the report page says about the runs behind it (report/report_html.h):
 * every finished run of a results directory (results/scan.h, read by
 * results/run_metrics.h; tuning and variant runs included, unlike the
 * tables), counted per dataset folder, per dataset source (report/provenance.h),
 * per pretrained weights file (metrics.json "pretrained": its file name
 * without the folder, format and SHA-256) and per program (metrics.json
 * "program": version and libraries). Nothing here holds a path, a date or a
 * host name: the page stays reproducible from the results alone. */
#ifndef DSML_REPORT_CENSUS_H
#define DSML_REPORT_CENSUS_H

#include "report/provenance.h"

#define DSML_CENSUS_FIELD 256

/* One distinct combination of up to three fields, and its runs. */
typedef struct {
    char field[3][DSML_CENSUS_FIELD];
    int runs;
} dsml_census_row;

/* Rows sorted by their fields (strcmp), each combination once. */
typedef struct {
    dsml_census_row *rows; /* owned */
    int count, cap;
} dsml_census_tally;

typedef struct {
    char name[64];         /* config.dataset */
    dsml_sources sources;  /* data.source_sha256 over its runs */
} dsml_census_dataset;

typedef struct {
    int finished, unfinished;
    int outside;                   /* runs directly under the results directory (no dataset folder) */
    dsml_census_tally folders;     /* dataset folder */
    dsml_census_tally weights;     /* pretrained file name, format, sha256 ("" fields when absent) */
    dsml_census_tally networks;    /* config.model, and whether pretrained ("pretrained" / "from scratch") */
    dsml_census_tally programs;    /* program.version, program.libraries */
    dsml_census_dataset *datasets; /* owned, by name ascending */
    int n_datasets;
} dsml_census;

/* Reads every run under results_dir. A missing directory is an empty census;
 * a metrics.json that does not parse fails, naming it (results/run_metrics.h).
 * On failure *c is empty. Free with dsml_census_free. */
int dsml_census_load(dsml_census *c, const char *results_dir);
void dsml_census_free(dsml_census *c);

#endif
