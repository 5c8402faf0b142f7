/* What a sweep needs before its runs (`dsml sweep fetch`, the first step of
 * `make reproduce`): each dataset that is not available is downloaded from its
 * manifest (data/fetch.h: sizes, checksums, resume, retries) and its cache
 * prepared (data/dataset.h), each missing pretrained weights file downloaded
 * and verified; what could not be had is recorded with its reason and the one
 * command (or the manual steps) that gets it. A manifest with a `manual` file
 * is never downloaded. Nothing half-downloaded looks finished: fetch keeps a
 * .part until the file verifies.
 *
 * The outcomes go to $RESULTS/fetch.json (written by the CLI, atomically),
 * where `dsml sweep account` finds the reasons:
 *   {"format_version": 1, "fetch": true|false,
 *    "datasets": [{"name", "status", "reason", "get"}], "weights": [same]}
 * status: "available" (nothing to do), "fetched" (downloaded and prepared or
 * verified now), "failed", "manual" (obtained by hand), "off" (downloading
 * turned off), "unknown" (no manifest to fetch it from). */
#ifndef DSML_RUN_SWEEP_FETCH_H
#define DSML_RUN_SWEEP_FETCH_H

#include <stdio.h>

#include "data/dataset.h"

typedef struct {
    char name[64];
    int weights;                /* 1: a pretrained weights file, 0: a dataset */
    const char *status;         /* a static string, see above */
    char reason[1024];          /* one sentence without final period, "" when nothing is missing */
    char get[1024];             /* "dsml fetch NAME", or the manual steps in one line, or "" */
} dsml_sweep_need;

/* Makes dataset `name` available: downloads the files of
 * manifest_dir/<name>.manifest into root/downloads/ (unless fetch_on is 0 or
 * the manifest is manual) and prepares its cache with `data`'s options (its
 * `from` is ignored; when the kind does not look in root/downloads/ for its
 * source, as fashion-mnist, the cache is prepared from there). Call it only
 * for a dataset dsml_data_available says is not there. The outcome, failures
 * included, is in *need; the return value is DSML_OK unless an argument is
 * bad. Progress goes to `progress` (may be NULL). */
int dsml_sweep_fetch_dataset(dsml_sweep_need *need, const char *name, const char *manifest_dir, const char *root,
                             const dsml_data_options *data, int fetch_on, FILE *progress);

/* The same for pretrained weights `name` (a manifest name; a path is never
 * downloaded): downloaded into root/downloads/ and verified by its manifest. */
int dsml_sweep_fetch_weights(dsml_sweep_need *need, const char *name, const char *manifest_dir, const char *root,
                             int fetch_on, FILE *progress);

/* "dsml fetch NAME" for a manifest that downloads, its manual steps ("see
 * datasets/NAME.manifest: ...") for a manual one, "" without a manifest.
 * *manual (may be NULL) is 1 for a manual manifest. */
void dsml_sweep_get_command(const char *name, const char *manifest_dir, char *get, size_t cap, int *manual);

/* fetch.json (above) of n outcomes into fp. */
int dsml_sweep_fetch_write(const dsml_sweep_need *needs, int n, int fetch_on, FILE *fp);

/* The outcome recorded for `name` (weights: 1 for a weights file) in the
 * fetch.json at `path`: 1 and *need filled, 0 when the file or the entry is
 * not there, or DSML_ERR_FORMAT when the file does not parse. */
int dsml_sweep_fetch_lookup(const char *path, const char *name, int weights, dsml_sweep_need *need);

#endif
