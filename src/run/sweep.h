/* Sweep files (paper.sweep, docs/sweep.md): the experimental grid as plain
 * text, expanded into `dsml train` runs.
 *
 *   # comment (also after a line's last field)
 *   set KEY=VALUE ...        defaults for the run lines below it (later sets override)
 *   dml KEY=VALUE ...        metric-learning runs: dataset x loss x distance x dim x seed
 *   hashing KEY=VALUE ...    hashing runs: dataset x loss x distance x dim (bits) x seed
 *   tune-set KEY=VALUE ...   defaults for the tune lines below it
 *   tune KEY=VALUE ...       a tuning grid: the product of every listed value
 *
 * In run lines (and sets) the grid keys dataset, loss, distance, dim (alias
 * bits) and seed take comma-separated lists; every other key is one value of
 * a `dsml train` option (lr, epochs, margin, ...). In tune lines every key may
 * be a list. Values are checked here (numbers, names, safe characters), so a
 * generated command line never needs shell quoting.
 *
 * Run ids and directories (under the results root R):
 *   dml      R/<dataset>/<loss>-<distance>[<variant>]-d<dim>-s<seed>
 *   hashing  R/<dataset>-hashing/<loss>-<distance>[<variant>]-<dim>b-s<seed>
 *   tune     R/tune/<dataset>-<loss>-<distance>[-paper]-d<dim>-s<seed>[-<key><value>...]
 *            (one -<key><value> per key listed with several values)
 * with <variant> -density<W>, -mining-<name>, -weighting-<name>, -paper
 * (equations=paper) as docs/sweep.md lists them.
 *
 * A run is finished when its metrics.json exists and records the sweep's
 * values for every key the sweep gives it (dsml_sweep_run_state); otherwise
 * it is unfinished, or stale when a metrics.json records other values. */
#ifndef DSML_RUN_SWEEP_H
#define DSML_RUN_SWEEP_H

#include <stdio.h>

#define DSML_SWEEP_MAX_PARAMS 48   /* keys of one run */
#define DSML_SWEEP_KEY 32
#define DSML_SWEEP_VALUE 256
#define DSML_SWEEP_PATH 1024

typedef enum { DSML_SWEEP_DML, DSML_SWEEP_HASHING, DSML_SWEEP_TUNE } dsml_sweep_kind;

typedef struct {
    char key[DSML_SWEEP_KEY];      /* a `dsml train` option without "--", e.g. "lr" */
    char value[DSML_SWEEP_VALUE];
} dsml_sweep_param;

/* One `dsml train` run. params holds every key, the grid keys (dataset, loss,
 * distance, dim, seed) first, in a fixed order. */
typedef struct {
    dsml_sweep_kind kind;
    int line;                      /* the sweep line that produced it */
    int group;                     /* index of that line among the file's run (or tune) lines */
    char dataset[64], loss[32], distance[32];
    int dim;
    long seed;
    char id[256];                  /* run id (see above) */
    char dir[DSML_SWEEP_PATH];     /* results root + "/" + subdirectory + "/" + id */
    dsml_sweep_param params[DSML_SWEEP_MAX_PARAMS];
    int n_params;
} dsml_sweep_run;

typedef struct {
    char path[DSML_SWEEP_PATH];
    char **lines;                  /* the file's lines without '\n', owned (kept for rewriting) */
    int n_lines;
    dsml_sweep_run *runs;          /* dml and hashing runs, in file order, owned */
    int n_runs;
    dsml_sweep_run *tune;          /* tuning runs, owned */
    int n_tune;
    int n_tune_groups;             /* tune lines */
    double equivalence_margin;     /* `claims equivalence-margin=PP`: claims.md's margin; 0 when not given */
} dsml_sweep;

/* Reads and expands a sweep file; results_root prefixes every run's dir
 * ("results"). Errors name "file:line: expected ..., found ...". On failure
 * *sw is zeroed (nothing to free). */
int dsml_sweep_load(dsml_sweep *sw, const char *path, const char *results_root);
/* The same from text in memory (`name` for messages). */
int dsml_sweep_parse(dsml_sweep *sw, const char *name, const char *text, const char *results_root);
/* The same with every dml and hashing line's seed list replaced by 1..seeds
 * (1 <= seeds <= DSML_SWEEP_MAX_SEEDS; 0: as written); tune lines keep theirs.
 * Run ids do not change: seed s is "-s<s>" whichever list it came from. What
 * `dsml sweep --seeds N` and adaptive mode (docs/tables.md) use. */
#define DSML_SWEEP_MAX_SEEDS 64
int dsml_sweep_load_seeds(dsml_sweep *sw, const char *path, const char *results_root, int seeds);
int dsml_sweep_parse_seeds(dsml_sweep *sw, const char *name, const char *text, const char *results_root, int seeds);
void dsml_sweep_free(dsml_sweep *sw);

/* The value of `key` in a run, or NULL. */
const char *dsml_sweep_run_get(const dsml_sweep_run *run, const char *key);

/* The `dsml train` arguments of a run, space-separated, without the program
 * name: "train --dataset ... --out DIR", plus "--threads N" when threads > 0
 * and "--from PATH" when from is not NULL. Fails when it does not fit. */
int dsml_sweep_train_args(const dsml_sweep_run *run, int threads, const char *from, char *out, size_t cap);

typedef enum {
    DSML_RUN_UNFINISHED,           /* no metrics.json */
    DSML_RUN_FINISHED,             /* metrics.json recording the sweep's values */
    DSML_RUN_STALE                 /* metrics.json recording other values */
} dsml_run_state;

/* Looks at run->dir/metrics.json. When stale, `why` (may be NULL) names the
 * first key that differs ("lr: sweep 0.01, run 0.03"); *wall_s (may be NULL)
 * gets wall_seconds.total of a finished run (0 otherwise). A metrics.json
 * that does not parse is an error. */
int dsml_sweep_run_state(const dsml_sweep_run *run, dsml_run_state *state, char *why, size_t why_cap,
                         double *wall_s);

/* Runs per job from GNU make's MAKEFLAGS ("-j2", "-j 2", "--jobs=2"; "-j"
 * alone means `cores`); 1 when there is no -j. */
int dsml_sweep_make_jobs(const char *makeflags, int cores);
/* max(1, cores / jobs). */
int dsml_sweep_threads_per_run(int cores, int jobs);

/* ---- tuning (sweep_tune.c) ----
 * The tune runs fall into cells, one per (loss, distance, equations). Within a cell,
 * runs with the same values of every non-grid key form a configuration; its
 * score is the mean validation MAP@R (metrics.euclidean.map@r of runs
 * evaluated on their validation carve-out) over its runs (seeds, datasets,
 * sizes). The best score wins; ties go to the configuration listed first. */
typedef struct {
    char loss[32], distance[32];
    char equations[16];               /* "common" (also when the runs do not give it) or "paper" */
    int n_runs, n_finished;           /* tune runs of the cell, and how many are finished */
    int n_configs;
    int best;                         /* index in sw->tune of the best configuration's first run, -1: none */
    double best_score;
    int runner_up;                    /* the same for the second best, -1: none */
    double runner_up_score;
    int best_runs;                    /* runs averaged for best_score */
    /* keys[0..n_varied): the non-grid keys that vary in the cell (what tuning chose); then the
     * single-valued keys its tune lines give, written too, so that a dml line runs the configuration
     * that was scored */
    char keys[DSML_SWEEP_MAX_PARAMS][DSML_SWEEP_KEY];
    int n_keys, n_varied;
} dsml_tune_cell;

/* The cells of sw's tune runs, in order of first appearance (*cells malloc'd,
 * caller frees). A metrics.json that does not parse, or a finished tune run
 * not evaluated on validation images, is an error. */
int dsml_sweep_tune_cells(const dsml_sweep *sw, dsml_tune_cell **cells, int *n_cells);

/* Writes the sweep again to out_path (atomically; usually sw->path) with
 * each chosen configuration's values on every `dml` line of that loss,
 * distance and equations, above it a "# tuned:" comment with the validation scores (an
 * older "# tuned:" comment there is replaced); every other line as it was.
 * Cells with unfinished runs are left out unless allow_partial. One note per
 * cell goes to `notes` (may be NULL); *applied counts the lines changed. A dml
 * line giving several losses or distances that include a cell's is an error
 * (give each loss x distance its own line). */
int dsml_sweep_tune_apply(const dsml_sweep *sw, const char *out_path, int allow_partial, FILE *notes,
                          int *applied);

/* ---- generated files (sweep_gen.c) ---- */
typedef struct {
    const dsml_sweep_run *run;
    dsml_run_state state;
    const char *from;              /* --from for this run, or NULL */
} dsml_sweep_item;

/* A make fragment with one rule per item, target <dir>/metrics.json:
 *   SWEEP_DML_RUNS, SWEEP_HASHING_RUNS, SWEEP_TUNE_RUNS   the targets by kind
 *   <dir>/metrics.json:              (stale ones depend on sweep-force and first
 *                                     move the old metrics.json to
 *                                     metrics.stale.json; the rules do not
 *                                     build $(DSML): the including make does)
 *       $(DSML) train ... --threads <threads> --out <dir>
 *       then status_command (may be NULL), e.g. "$(DSML) sweep status --line ..."
 * `jobs` is only reported in the header comment. */
int dsml_sweep_write_makefile(FILE *fp, const char *sweep_path, const dsml_sweep_item *items, int n, int threads,
                              int jobs, const char *status_command);

typedef struct {
    const char *dsml;              /* absolute path of the dsml binary */
    const char *workdir;           /* absolute path the runs' directories are relative to */
    const char *log_dir;           /* where each task's output goes (relative to workdir or absolute) */
    const char *job_name;          /* "dsml-sweep" */
    int cpus_per_task;             /* also each run's --threads */
    int max_parallel;              /* > 0: at most this many tasks at once (--array=...%N) */
    const char *time_limit;        /* NULL, or sbatch --time */
    const char *partition;         /* NULL, or sbatch --partition */
} dsml_slurm_options;

/* An sbatch script with one array task per item that is not finished (task
 * i runs the i-th such item's `dsml train` line, with --threads
 * cpus_per_task). *tasks gets their number; with none, no script is written
 * and DSML_OK returned. A stale run's old metrics.json is moved to
 * metrics.stale.json by its task before training. */
int dsml_sweep_write_slurm(FILE *fp, const char *sweep_path, const dsml_sweep_item *items, int n,
                           const dsml_slurm_options *o, int *tasks);

#endif
