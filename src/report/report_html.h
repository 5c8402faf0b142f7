/* `dsml report`: one self-contained HTML page (docs/report.md) holding the
 * reproduced Tables 1-4 with the published values beside ours, the claims
 * with their verdicts and intervals, the figures drawn inline, and the
 * provenance of the runs: each dataset's sources with their verdicts
 * (report/provenance.h), the pretrained weights files and networks, and the
 * program versions, with run counts (report/census.h).
 *
 * The tables and claims are the Markdown files `dsml tables` wrote
 * (table1..4.md, claims.md), converted by the strict converter of
 * report/html.h, which fails on anything it does not know; the figures are
 * the SVG files `dsml plots` wrote, inlined by report/svg_inline.h. A figure
 * whose data file is there but whose SVG is not is said, not shown broken.
 * The page loads nothing: no scripts, stylesheets, fonts or images from
 * outside it, and holds no date, host name or path, so the same inputs give
 * the same bytes. */
#ifndef DSML_REPORT_REPORT_HTML_H
#define DSML_REPORT_REPORT_HTML_H

typedef struct {
    const char *results_dir;   /* runs: <results>/<dataset>/<run>/metrics.json ("results") */
    const char *tables_dir;    /* table1.md .. table4.md and claims.md ("paper-tables") */
    const char *plots_dir;     /* the figures' .dat and .svg files ("plots") */
    const char *manifests_dir; /* datasets/<name>.manifest for the provenance verdicts ("datasets") */
} dsml_report_config;

typedef struct {
    int runs;            /* finished runs counted */
    int figures;         /* figures inlined */
    int missing_figures; /* figures with data but no SVG */
} dsml_report_summary;

void dsml_report_defaults(dsml_report_config *cfg);

/* Writes the page to out_path atomically (its folder created if needed).
 * Fails, writing nothing, when a table file is missing or not in the subset
 * report/html.h converts, an SVG cannot be inlined, or a metrics.json does
 * not parse; the message names the file. `summary` may be NULL. */
int dsml_report_write(const dsml_report_config *cfg, const char *out_path, dsml_report_summary *summary);

#endif
