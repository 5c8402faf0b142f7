/* dsml report: one self-contained HTML page from the tables, claims, figures
 * and runs (src/report/report_html.h, docs/report.md). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/error.h"
#include "report/report_html.h"

static const char usage_text[] =
"usage: dsml report [--results DIR] [--tables DIR] [--plots DIR] [--manifests DIR] [--out FILE]\n"
"\n"
"Writes one self-contained HTML page: the paper's Tables 1-4 and claims.md as `dsml tables`\n"
"wrote them (published values beside ours, verdicts and intervals), the figures `dsml plots`\n"
"drew (SVG, inline; a figure with data but no SVG is said missing), and the provenance of the\n"
"runs (dataset sources with their verdicts, pretrained weights, networks, program versions).\n"
"The page loads nothing from outside and holds no dates, hosts or paths.\n"
"\n"
"  --results DIR     runs: DIR/<dataset>/<run>/metrics.json (results)\n"
"  --tables DIR      table1.md .. table4.md and claims.md from `dsml tables` (paper-tables)\n"
"  --plots DIR       the figures' .dat and .svg files from `dsml plots` (plots)\n"
"  --manifests DIR   datasets' manifests for the provenance verdicts (datasets)\n"
"  --out FILE        the page, written atomically (report/index.html)\n"
"\n"
"Exit status 0 when the page was written, 1 when an input could not be read or is not what\n"
"`dsml tables` / `dsml plots` write (the message names the file and line), 2 on bad usage.\n";

int cmd_report(int argc, char **argv)
{
    dsml_report_config cfg;
    dsml_report_defaults(&cfg);
    const char *out = "report/index.html";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            return 0;
        } else if (!strcmp(a, "--results") && has_value) {
            cfg.results_dir = argv[++i];
        } else if (!strcmp(a, "--tables") && has_value) {
            cfg.tables_dir = argv[++i];
        } else if (!strcmp(a, "--plots") && has_value) {
            cfg.plots_dir = argv[++i];
        } else if (!strcmp(a, "--manifests") && has_value) {
            cfg.manifests_dir = argv[++i];
        } else if (!strcmp(a, "--out") && has_value) {
            out = argv[++i];
        } else {
            fprintf(stderr, "dsml report: unknown option or missing value '%s'\n", a);
            fputs(usage_text, stderr);
            return 2;
        }
    }
    dsml_report_summary sum;
    if (dsml_report_write(&cfg, out, &sum)) {
        fprintf(stderr, "dsml report: %s\n", dsml_last_error());
        return 1;
    }
    fprintf(stderr, "dsml report: wrote %s: %d finished runs, %d figures inline", out, sum.runs, sum.figures);
    if (sum.missing_figures) fprintf(stderr, ", %d missing (data but no SVG)", sum.missing_figures);
    fputc('\n', stderr);
    return 0;
}
