/* The parts of `dsml sweep` (cmd_sweep.c) shared with its fetch and account
 * commands (sweep_need.c): the parsed options and the run selection by kind
 * and --only. */
#ifndef DSML_CLI_SWEEP_NEED_H
#define DSML_CLI_SWEEP_NEED_H

#include <limits.h>

#include "run/sweep.h"

#define MAX_FROM 16
#define MAX_ONLY 1024

typedef struct {
    const char *command, *file, *results, *out, *status_command;
    const char *only[MAX_ONLY];
    int n_only;
    int seeds;         /* --seeds N, 0: as the sweep says */
    char data_root[1024];
    const char *from_name[MAX_FROM], *from_path[MAX_FROM];
    int n_from;
    int kind_mask;     /* 1 dml, 2 hashing, 4 tune */
    int jobs, cores, threads, line, partial;
    int no_fetch;      /* fetch: --no-fetch */
    int pending_ok;    /* account: --pending-ok */
    dsml_slurm_options slurm;
    char dsml_abs[PATH_MAX], workdir[PATH_MAX];
} sweep_opts;

/* 1 dml, 2 hashing, 4 tune: the bit of kind_mask a run's kind is selected by. */
int sweep_kind_bit(dsml_sweep_kind k);
/* The --from PATH given for a dataset, or NULL. */
const char *sweep_from_for(const sweep_opts *o, const char *dataset);
/* A run's directory under the results root ("cifar10/contrastive-snr-d32-s1"). */
const char *sweep_run_subdir(const sweep_opts *o, const dsml_sweep_run *r);
/* 1 when no --only was given or one of the patterns matches the run. */
int sweep_only_matches(const sweep_opts *o, const dsml_sweep_run *r);
/* 0, or 1 after the message when the --only patterns match no run of the sweep. */
int sweep_check_only(const sweep_opts *o, const dsml_sweep *sw);

/* dsml sweep fetch, dsml sweep account: the command's exit status. */
int sweep_fetch_needs(const sweep_opts *o, const dsml_sweep *sw);
int sweep_account(const sweep_opts *o, const dsml_sweep *sw);

#endif
