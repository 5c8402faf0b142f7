/* The account of a sweep (`dsml sweep account`, the last lines of `make
 * reproduce`): per dataset and per pretrained weights file, how many of the
 * selected runs finished, failed, were not started or were skipped because
 * the dataset (or the weights) could not be had, and why. The caller decides
 * each run's state (it looks at the data root and the run's folder); this
 * module counts, words and writes. The JSON format, field by field, is in
 * docs/sweep.md ("The account"):
 *
 *   {"format_version": 1, "sweep": "paper.sweep", "kinds": "runs",
 *    "datasets": [{"name", "runs", "finished", "failed", "not_started", "skipped",
 *                  "status": "complete"|"incomplete"|"skipped", "reason", "get"}],
 *    "weights":  [{"name", "runs", "status": "present"|"missing"|"failed", "reason", "get"}],
 *    "exit_status": 0|1}
 *
 * Datasets and weights are sorted by name; nothing in it depends on the
 * machine or the time, so the same results give the same bytes. */
#ifndef DSML_RUN_SWEEP_ACCOUNT_H
#define DSML_RUN_SWEEP_ACCOUNT_H

#include <stdio.h>

#define DSML_SWEEP_ACCOUNT_NAME 64
#define DSML_SWEEP_ACCOUNT_TEXT 1024

typedef enum {
    DSML_ACCOUNT_RUN_FINISHED,     /* metrics.json recording the sweep's values */
    DSML_ACCOUNT_RUN_FAILED,       /* started (its folder exists), no metrics.json */
    DSML_ACCOUNT_RUN_NOT_STARTED,  /* no folder (or a stale metrics.json), the dataset is there */
    DSML_ACCOUNT_RUN_SKIPPED       /* its dataset or its weights could not be had */
} dsml_account_run_state;

typedef struct {
    char name[DSML_SWEEP_ACCOUNT_NAME];
    int runs, finished, failed, not_started, skipped;
    char first_failed[256];            /* a failed run's directory, for the reason */
    const char *status;                /* set by dsml_sweep_account_finish (static strings) */
    char reason[DSML_SWEEP_ACCOUNT_TEXT];    /* one sentence without final period, or "" */
    char get[DSML_SWEEP_ACCOUNT_TEXT];       /* the command (or manual steps) that gets it, or "" */
    int unavailable;                   /* weights: 1 when missing, 2 when a download of it failed */
} dsml_sweep_account_entry;

typedef struct {
    char sweep[1024];                  /* the sweep file as given */
    char kinds[16];                    /* dml, hashing, tune, runs or all */
    dsml_sweep_account_entry *datasets, *weights; /* owned */
    int n_datasets, n_weights, cap_datasets, cap_weights;
    int pending_ok;                    /* 1: runs not started do not fail the account (a submitted SLURM array) */
    int exit_status;                   /* set by dsml_sweep_account_finish */
} dsml_sweep_account;

/* An empty account; sweep and kinds are copied. Release with dsml_sweep_account_free. */
void dsml_sweep_account_init(dsml_sweep_account *a, const char *sweep, const char *kinds);
void dsml_sweep_account_free(dsml_sweep_account *a);

/* Counts one selected run of `dataset` (weights: NULL or "" when it starts
 * from none). For a skipped run, `reason` and `get` say why and how to get
 * what was missing (the first reason given for a dataset is kept). `dir` is
 * the run's directory under the results root (named in the reason of failed
 * runs). DSML_ERR_NOMEM, else DSML_OK. */
int dsml_sweep_account_add(dsml_sweep_account *a, const char *dataset, const char *weights, const char *dir,
                     dsml_account_run_state state, const char *reason, const char *get);

/* Weights file `name` is missing (fetch_failed: a download of it failed), why
 * and how to get it; its runs are counted by dsml_sweep_account_add. */
int dsml_sweep_account_weights_missing(dsml_sweep_account *a, const char *name, int fetch_failed, const char *reason,
                                 const char *get);

/* Sorts the entries, sets each one's status and the reason of failed or
 * unstarted runs, and a->exit_status: 1 when any run was skipped, failed or
 * (unless pending_ok) not started. */
void dsml_sweep_account_finish(dsml_sweep_account *a);

/* One line per dataset, then per weights file:
 *   "account: cifar10        56 runs: 40 finished, 1 failed, 15 not started"
 *   "account: cifar10        56 runs: skipped: <reason>; get it: dsml fetch cifar10"
 *   "account: weights alexnet-imagenet  72 runs: present" */
void dsml_sweep_account_print(const dsml_sweep_account *a, FILE *fp);

/* The JSON above into fp (DSML_ERR_IO when the stream failed). */
int dsml_sweep_account_write_json(const dsml_sweep_account *a, FILE *fp);

#endif
