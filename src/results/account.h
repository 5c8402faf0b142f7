/* account.json, read: what `dsml sweep account` recorded at the end of a
 * sweep (make reproduce), per dataset and per weights file: how many of the
 * selected runs finished, failed, were not started or were skipped, and for
 * what did not run the reason and the command that gets it. The reports
 * (`dsml tables`) say from it why a dataset has no runs. Layout of the file:
 * docs/results.md, "account.json".
 *
 * Reading is strict: format_version must be 1, and every key of the format
 * must be there with its type (counts non-negative integers that add up to
 * the runs, statuses one of their words, strings for names, reasons and
 * commands); anything else fails naming the file, the key and what was
 * expected:
 *   "<path>: datasets[1].failed is the string "2", expected an integer in 0..2147483647"
 * Keys the format does not have are ignored. A file that does not exist is
 * not an error: the account is absent (dsml_account.present = 0). */
#ifndef DSML_RESULTS_ACCOUNT_H
#define DSML_RESULTS_ACCOUNT_H

#include "core/json_parse.h"

#define DSML_ACCOUNT_FORMAT_VERSION 1

typedef enum {
    DSML_ACCOUNT_COMPLETE,   /* every selected run finished */
    DSML_ACCOUNT_INCOMPLETE, /* some runs failed, were not started or were skipped */
    DSML_ACCOUNT_SKIPPED,    /* the dataset could not be had: no run of it ran */
} dsml_account_status;

typedef enum {
    DSML_WEIGHTS_PRESENT,
    DSML_WEIGHTS_MISSING,    /* not on disk (fetching off, or a manual file) */
    DSML_WEIGHTS_FAILED,     /* fetching or verifying failed */
} dsml_weights_status;

/* Strings are borrowed from the document: valid until dsml_account_free. */
typedef struct {
    const char *name;        /* config.dataset's name: "cifar10" */
    int runs;                /* selected runs of the dataset: finished + failed + not_started + skipped */
    int finished;            /* with metrics.json */
    int failed;              /* started (folder exists) without metrics.json */
    int not_started;         /* no folder, the dataset available */
    int skipped;             /* the dataset or the run's weights could not be had */
    dsml_account_status status;
    const char *reason;      /* "" or one sentence without final period */
    const char *get;         /* "" or the command (or manual steps) that gets the dataset */
} dsml_account_dataset;

typedef struct {
    const char *name;        /* "alexnet-imagenet" */
    int runs;                /* selected runs that use it */
    dsml_weights_status status;
    const char *reason, *get;
} dsml_account_weights;

typedef struct {
    int present;             /* 0: no account.json; every other field empty */
    char *path;              /* the file read (owned) */
    const char *sweep;       /* the sweep file as given */
    const char *kinds;       /* the account's --kind: dml, hashing, tune, runs, all */
    int n_datasets, n_weights;
    dsml_account_dataset *datasets; /* in file order (owned) */
    dsml_account_weights *weights;  /* in file order (owned) */
    int exit_status;         /* 0, or 1 when a selected run could not be run or failed */
    dsml_json_doc doc;
} dsml_account;

/* Reads path into *out. A missing file: DSML_OK with out->present = 0. A file
 * that cannot be read, is not JSON, or breaks the rules above: an error
 * naming the file (and the key), *out empty. On success *out owns its memory
 * (dsml_account_free, also safe on an absent or empty account). */
int dsml_account_read(const char *path, dsml_account *out);
void dsml_account_free(dsml_account *a);

/* The dataset named `name`, or NULL (also for an absent account or NULL a). */
const dsml_account_dataset *dsml_account_find(const dsml_account *a, const char *name);

/* The format's words: "complete", "incomplete", "skipped"; "present", "missing", "failed". */
const char *dsml_account_status_name(dsml_account_status s);
const char *dsml_weights_status_name(dsml_weights_status s);

#endif
