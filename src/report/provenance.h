/* Where a table's data came from: the source SHA-256 each run records
 * (metrics.json data.source_sha256), counted per dataset, and a verdict on
 * it against the dataset's manifest (datasets/<name>.manifest, docs/fetch.md):
 * the official archive, a known copy (a `copy` line), or not verifiable
 * because the authors publish no SHA-256. Every table file prints these
 * lines for the datasets it shows; they hold no paths, dates or host names,
 * so the tables stay reproducible from the results and manifests alone. */
#ifndef DSML_REPORT_PROVENANCE_H
#define DSML_REPORT_PROVENANCE_H

#include <stddef.h>
#include <stdio.h>

#include "data/manifest.h"

#define DSML_SOURCES_MAX 16

typedef struct {
    char sha256[65]; /* "" when the runs recorded none */
    int runs;
} dsml_source_count;

/* The distinct sources of one dataset's runs, by SHA-256 ascending. Start
 * zeroed ({0}); nothing is allocated. */
typedef struct {
    int count;
    int dropped; /* runs of sources beyond DSML_SOURCES_MAX (not listed) */
    dsml_source_count sources[DSML_SOURCES_MAX];
} dsml_sources;

/* Counts one run with this source hash (NULL or "" when not recorded). */
void dsml_sources_add(dsml_sources *s, const char *sha256);

/* The verdict on one source hash, one sentence without a final period:
 *   "official archive (SHA-256 matches the manifest)"
 *   "not the official archive: <the copy line's note>"
 *   "official SHA-256 not published; not verified (manifest: MD5 <hex>, <N> bytes)"
 * and for the rest (no manifest, no hash recorded, a hash that is neither).
 * A manifest of several files (Fashion-MNIST's four) is compared through the
 * SHA-256 of their `sha256sum` listing, the source hash the readers record
 * (docs/formats.md). `m` NULL: no manifest for the dataset. */
void dsml_provenance_verdict(const dsml_manifest *m, const char *sha256, char *out, size_t size);

/* The same verdict with the manifest read from manifests_dir/<dataset>.manifest
 * (none there: the no-manifest verdict); one that does not parse fails,
 * naming the file and line. */
int dsml_provenance_verdict_of(const char *manifests_dir, const char *dataset, const char *sha256, char *out,
                               size_t size);

/* Writes the provenance of one dataset: its sources with run counts and
 * verdicts, as a Markdown paragraph (tex = 0) or LaTeX text for a caption
 * (tex = 1). Reads manifests_dir/<dataset>.manifest (a missing one is said
 * in the text; one that does not parse fails, naming the file and line). */
int dsml_provenance_write(FILE *fp, const char *manifests_dir, const char *dataset, const dsml_sources *s, int tex);

#endif
