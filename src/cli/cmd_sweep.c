/* dsml sweep: expand a sweep file (paper.sweep) into runs and report on them:
 * list, makefile, status, slurm, tune-plan, tune-apply; fetch what the runs
 * need and account for them at the end (cli/sweep_need.c). See
 * src/run/sweep.h and docs/sweep.md. */
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/manifest_dir.h"
#include "cli/sweep_need.h"
#include "data/weights_locate.h"
#include "cli/options.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset.h"
#include "run/sweep.h"


static void usage(FILE *fp)
{
    fprintf(fp,
"usage: dsml sweep COMMAND [OPTIONS] [FILE]\n"
"\n"
"Expands a sweep file (default paper.sweep; format in docs/sweep.md) into dsml train runs.\n"
"\n"
"commands:\n"
"  list        one line per run: its directory, a tab, its dsml train arguments\n"
"  makefile    a make fragment with one rule per run (what `make reproduce` includes)\n"
"  status      finished, unfinished and stale runs, progress and ETA (--line: one line)\n"
"  slurm       an sbatch job-array script, one task per run to do\n"
"  tune-plan   the tuning runs (list of the tune lines' grid)\n"
"  tune-apply  write the best tuned values into FILE, with their validation scores\n"
"  claims-options  the dsml tables options FILE's claims line sets (--equivalence-margin PP)\n"
"  fetch       download and prepare the datasets and weights the selected runs need and lack\n"
"              (outcomes in RESULTS/fetch.json; exit 0 even when some could not be had)\n"
"  account     per dataset and weights file: runs finished, failed, not started, skipped and why;\n"
"              written to RESULTS/account.json; exit 1 when a selected run was not run or failed\n"
"\n"
"options:\n"
"  --results DIR         results root (default results)\n"
"  --data DIR            data root (default $DSML_DATA, else datasets)\n"
"  --from DATASET=PATH   source files of a dataset (repeatable); its runs get --from PATH\n"
"  --kind K              dml, hashing, tune, runs (dml and hashing, the default) or all\n"
"  --only PATTERN        only runs whose directory under the results root matches the shell pattern\n"
"                        (cifar10/*, *-snr-*); repeatable: a run is selected when any pattern matches;\n"
"                        patterns that together match no run are an error\n"
"  --seeds N             every dml and hashing line runs seeds 1..N instead of its own list (the tune\n"
"                        lines keep theirs; run ids do not change): more seeds for chosen cells\n"
"  --jobs N              runs at once (default: -jN of $MAKEFLAGS, else 1)\n"
"  --cores N             cores to share (default: the online processors)\n"
"  --threads N           threads per run (default max(1, cores / jobs))\n"
"  --out PATH            write the output there (atomically) instead of stdout\n"
"  --line                status: only the one-line summary\n"
"  --status-command CMD  makefile: run after each run (default: dsml sweep status --line)\n"
"  --partial             tune-apply: choose among the finished runs of incomplete cells\n"
"  --no-fetch            fetch: download nothing (FETCH=no); what is missing is recorded as such\n"
"  --pending-ok          account: runs not started yet (a submitted SLURM array) do not fail it\n"
"slurm:\n"
"  --dsml PATH           the binary tasks run (default: this one)\n"
"  --cpus-per-task N     also each run's --threads (default 2)\n"
"  --max-parallel N      at most N tasks at once\n"
"  --time T, --partition P, --log-dir DIR (default results/slurm), --job-name NAME\n");
}

int sweep_kind_bit(dsml_sweep_kind k)
{
    return k == DSML_SWEEP_DML ? 1 : k == DSML_SWEEP_HASHING ? 2 : 4;
}

static const char *kind_name(dsml_sweep_kind k)
{
    return k == DSML_SWEEP_DML ? "dml" : k == DSML_SWEEP_HASHING ? "hashing" : "tune";
}

const char *sweep_from_for(const sweep_opts *o, const char *dataset)
{
    for (int i = 0; i < o->n_from; i++)
        if (!strcmp(o->from_name[i], dataset)) return o->from_path[i];
    return NULL;
}

/* The runs selected by kind, --only and dataset presence, with their states. */
/* Whether a run's --weights (a manifest's name or a path) is there; once
 * per missing name, a line saying which file and how to get it. Such runs are
 * skipped like those of a missing dataset: never started from a fresh
 * initialisation instead. */
static int weights_present(const char *weights, const char *data_root, char skipped[][64], int *n_skipped,
                           int quiet)
{
    char dir[1024], path[4096];
    if (manifest_dir(dir, sizeof dir) == 0 && dsml_weights_locate(weights, dir, data_root, path, sizeof path) == 0)
        return 1;
    int seen = 0;
    for (int s = 0; s < *n_skipped; s++) seen |= !strcmp(skipped[s], weights);
    if (!seen && *n_skipped < 64) {
        snprintf(skipped[(*n_skipped)++], 64, "%s", weights);
        if (!quiet) fprintf(stderr, "sweep: skipping the runs that start from %s: %s\n", weights, dsml_last_error());
    }
    return 0;
}

/* A run's directory under the results root ("cifar10/contrastive-snr-d32-s1"), what --only
 * patterns are written against; the full path (with the root) matches too. */
const char *sweep_run_subdir(const sweep_opts *o, const dsml_sweep_run *r)
{
    size_t n = strlen(o->results);
    return !strncmp(r->dir, o->results, n) && r->dir[n] == '/' ? r->dir + n + 1 : r->dir;
}

int sweep_only_matches(const sweep_opts *o, const dsml_sweep_run *r)
{
    for (int i = 0; i < o->n_only; i++)
        if (fnmatch(o->only[i], sweep_run_subdir(o, r), 0) == 0 || fnmatch(o->only[i], r->dir, 0) == 0) return 1;
    return o->n_only == 0;
}

/* --only that matches no run of the sweep, of any kind, is an error: the
 * message lists the folders the runs are in and one run of each. */
int sweep_check_only(const sweep_opts *o, const dsml_sweep *sw)
{
    int total = sw->n_runs + sw->n_tune;
    for (int i = 0; i < total; i++)
        if (sweep_only_matches(o, i < sw->n_runs ? &sw->runs[i] : &sw->tune[i - sw->n_runs])) return 0;
    fprintf(stderr, "dsml sweep: --only '%s'", o->only[0]);
    for (int i = 1; i < o->n_only; i++) fprintf(stderr, ", '%s'", o->only[i]);
    fprintf(stderr, " match%s none of the %d runs of %s; patterns match a run's directory under %s/, e.g.:\n",
            o->n_only == 1 ? "es" : "", total, o->file, o->results);
    char shown[64][256];
    int n_shown = 0;
    for (int i = 0; i < total && n_shown < 64; i++) {
        const char *sub = sweep_run_subdir(o, i < sw->n_runs ? &sw->runs[i] : &sw->tune[i - sw->n_runs]);
        const char *slash = strchr(sub, '/');
        int len = slash ? (int)(slash - sub) : (int)strlen(sub), seen = 0;
        for (int s = 0; s < n_shown; s++) seen |= !strncmp(shown[s], sub, (size_t)len) && shown[s][len] == '/';
        if (seen) continue;
        snprintf(shown[n_shown++], sizeof shown[0], "%s", sub);
        fprintf(stderr, "  %.*s/*  (e.g. %s)\n", len, sub, sub);
    }
    fprintf(stderr, "  or a part of the run id in any folder: '*-snr-*', '*/triplet-*', '*-d32-*'\n");
    return 1;
}

static int select_items(const sweep_opts *o, const dsml_sweep *sw, dsml_sweep_item **items, int *n_items,
                        double **wall, int quiet)
{
    if (o->n_only && sweep_check_only(o, sw)) return 1;
    int total = sw->n_runs + sw->n_tune, n = 0;
    dsml_sweep_item *it = calloc((size_t)(total ? total : 1), sizeof *it);
    double *w = calloc((size_t)(total ? total : 1), sizeof *w);
    char skipped[64][64];
    int n_skipped = 0;
    if (!it || !w) {
        free(it);
        free(w);
        fprintf(stderr, "dsml sweep: out of memory\n");
        return 1;
    }
    for (int i = 0; i < total; i++) {
        const dsml_sweep_run *r = i < sw->n_runs ? &sw->runs[i] : &sw->tune[i - sw->n_runs];
        if (!(o->kind_mask & sweep_kind_bit(r->kind))) continue;
        if (!sweep_only_matches(o, r)) continue;
        const char *from = sweep_from_for(o, r->dataset);
        if (!from) from = dsml_sweep_run_get(r, "from");
        char why[24000];
        dsml_data_options data;
        dsml_data_options_default(&data);
        data.from = from;
        data.fashion_mnist_dir = getenv("DSML_FASHION_MNIST");
        if (!dsml_data_available(r->dataset, o->data_root, &data, why, sizeof why)) {
            int seen = 0;
            for (int s = 0; s < n_skipped; s++) seen |= !strcmp(skipped[s], r->dataset);
            if (!seen && n_skipped < 64) {
                snprintf(skipped[n_skipped++], sizeof skipped[0], "%s", r->dataset);
                if (!quiet) fprintf(stderr, "sweep: skipping the %s runs: %s\n", r->dataset, why);
            }
            continue;
        }
        const char *weights = dsml_sweep_run_get(r, "weights");
        if (weights && weights[0] && !weights_present(weights, o->data_root, skipped, &n_skipped, quiet)) continue;
        it[n].run = r;
        it[n].from = sweep_from_for(o, r->dataset);
        char stale_why[512];
        if (dsml_sweep_run_state(r, &it[n].state, stale_why, sizeof stale_why, &w[n])) {
            fprintf(stderr, "dsml sweep: %s\n", dsml_last_error());
            free(it);
            free(w);
            return 1;
        }
        n++;
    }
    *items = it;
    *n_items = n;
    if (wall) *wall = w;
    else free(w);
    return 0;
}

/* Seconds a run is expected to take: the mean of the finished runs of the
 * same kind and dataset, else of the same kind, else NAN. */
static double estimate(const dsml_sweep_item *items, const double *wall, int n, const dsml_sweep_run *r)
{
    double sum = 0, sum_kind = 0;
    int count = 0, count_kind = 0;
    for (int i = 0; i < n; i++) {
        if (items[i].state != DSML_RUN_FINISHED || items[i].run->kind != r->kind || !(wall[i] > 0)) continue;
        sum_kind += wall[i];
        count_kind++;
        if (!strcmp(items[i].run->dataset, r->dataset)) {
            sum += wall[i];
            count++;
        }
    }
    return count ? sum / count : count_kind ? sum_kind / count_kind : NAN;
}

static void format_duration(double s, char *out, size_t cap)
{
    if (!isfinite(s)) snprintf(out, cap, "unknown until a run finishes");
    else if (s < 90) snprintf(out, cap, "%.0f s", s);
    else if (s < 5400) snprintf(out, cap, "%.0f min", s / 60);
    else snprintf(out, cap, "%.1f h", s / 3600);
}

static int do_status(const sweep_opts *o, const dsml_sweep *sw, const dsml_sweep_item *items, const double *wall,
                     int n)
{
    int count[3] = {0, 0, 0};
    double remaining = 0, done_s = 0;
    for (int i = 0; i < n; i++) {
        count[items[i].state]++;
        if (items[i].state == DSML_RUN_FINISHED) done_s += wall[i];
        else remaining += estimate(items, wall, n, items[i].run);
    }
    if (!o->line) {
        printf("sweep %s: %d runs selected\n", sw->path, n);
        for (int i = 0; i < n; i++) {
            if (items[i].state == DSML_RUN_FINISHED) continue;
            char why[512] = "";
            dsml_run_state st;
            dsml_sweep_run_state(items[i].run, &st, why, sizeof why, NULL);
            printf("  %-10s %-7s %s%s%s\n", st == DSML_RUN_STALE ? "stale" : "unfinished", kind_name(items[i].run->kind),
                   items[i].run->dir, why[0] ? ": " : "", why);
        }
        char took[64];
        format_duration(done_s, took, sizeof took);
        printf("finished runs took %s of wall time in all\n", n ? took : "0 s");
    }
    int jobs = o->jobs;
    char eta[64];
    format_duration(remaining / jobs, eta, sizeof eta);
    char at[48] = "";
    if (jobs > 1) snprintf(at, sizeof at, " at %d runs at once", jobs);
    printf("sweep: %d/%d runs finished (%d stale, %d unfinished), ETA %s%s\n", count[DSML_RUN_FINISHED], n,
           count[DSML_RUN_STALE], count[DSML_RUN_UNFINISHED], count[DSML_RUN_FINISHED] == n ? "0 s" : eta, at);
    return 0;
}

static int do_list(const dsml_sweep_item *items, int n, int threads, FILE *fp)
{
    char args[8192];
    for (int i = 0; i < n; i++) {
        if (dsml_sweep_train_args(items[i].run, threads, items[i].from, args, sizeof args)) {
            fprintf(stderr, "dsml sweep: %s\n", dsml_last_error());
            return 1;
        }
        fprintf(fp, "%s\t%s\n", items[i].run->dir, args);
    }
    return 0;
}

/* Writes through gen() into o->out atomically, or to stdout. */
static int emit(const sweep_opts *o, int (*gen)(const sweep_opts *, const dsml_sweep *, const dsml_sweep_item *, int,
                                                FILE *, int *),
                const dsml_sweep *sw, const dsml_sweep_item *items, int n, int *extra)
{
    if (!o->out) return gen(o, sw, items, n, stdout, extra);
    dsml_atomic_file f;
    if (dsml_atomic_begin(&f, o->out)) {
        fprintf(stderr, "dsml sweep: %s\n", dsml_last_error());
        return 1;
    }
    int rc = gen(o, sw, items, n, f.fp, extra);
    if (rc || (extra && *extra == 0)) { /* nothing to write (slurm: no task) leaves no file */
        dsml_atomic_abort(&f);
        return rc;
    }
    if (dsml_atomic_commit(&f)) {
        fprintf(stderr, "dsml sweep: %s\n", dsml_last_error());
        return 1;
    }
    return 0;
}

static int gen_list(const sweep_opts *o, const dsml_sweep *sw, const dsml_sweep_item *items, int n, FILE *fp,
                    int *extra)
{
    (void)sw;
    (void)extra;
    return do_list(items, n, o->threads, fp);
}

/* A generator's result: 0, or 1 after the message, which names the file being written when writing failed
 * (the generator knows only its stream). */
static int gen_failed(const sweep_opts *o, int rc)
{
    if (!rc) return 0;
    if (rc == DSML_ERR_IO && o->out) fprintf(stderr, "dsml sweep: %s: %s\n", o->out, dsml_last_error());
    else fprintf(stderr, "dsml sweep: %s\n", dsml_last_error());
    return 1;
}

static int gen_makefile(const sweep_opts *o, const dsml_sweep *sw, const dsml_sweep_item *items, int n, FILE *fp,
                        int *extra)
{
    (void)extra;
    char status[4096];
    const char *cmd = o->status_command;
    if (!cmd) {
        char seeds[32] = "";
        if (o->seeds) snprintf(seeds, sizeof seeds, " --seeds %d", o->seeds);
        snprintf(status, sizeof status, "$(DSML) sweep status --line --results %s --kind %s%s %s", o->results,
                 o->kind_mask == 1 ? "dml" : o->kind_mask == 2 ? "hashing" : o->kind_mask == 4 ? "tune" : "runs",
                 seeds, sw->path);
        cmd = status;
    }
    return gen_failed(o, dsml_sweep_write_makefile(fp, sw->path, items, n, o->threads, o->jobs, cmd));
}

static int gen_slurm(const sweep_opts *o, const dsml_sweep *sw, const dsml_sweep_item *items, int n, FILE *fp,
                     int *tasks)
{
    return gen_failed(o, dsml_sweep_write_slurm(fp, sw->path, items, n, &o->slurm, tasks));
}

static int parse_args(int argc, char **argv, sweep_opts *o)
{
    memset(o, 0, sizeof *o);
    o->command = argv[1];
    o->file = "paper.sweep";
    o->results = "results";
    o->kind_mask = 3;
    o->slurm.cpus_per_task = 2;
    o->slurm.log_dir = "results/slurm";
    o->slurm.job_name = "dsml-sweep";
    const char *env_root = getenv("DSML_DATA");
    snprintf(o->data_root, sizeof o->data_root, "%s", env_root && *env_root ? env_root : "datasets");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->cores = cores > 0 ? (int)cores : 1;
    int have_file = 0, rc = 0;
    const char *dsml = NULL;
    for (int i = 2; i < argc && !rc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--line")) { o->line = 1; takes = 0; }
        else if (!strcmp(a, "--partial")) { o->partial = 1; takes = 0; }
        else if (!strcmp(a, "--no-fetch")) { o->no_fetch = 1; takes = 0; }
        else if (!strcmp(a, "--pending-ok")) { o->pending_ok = 1; takes = 0; }
        else if (a[0] == '-' && a[1] == '-' && !v) {
            fprintf(stderr, "dsml sweep: %s: expected a value after it\n", a);
            return 2;
        } else if (!strcmp(a, "--results")) o->results = v;
        else if (!strcmp(a, "--data")) rc = option_string("sweep", a, v, o->data_root, sizeof o->data_root);
        else if (!strcmp(a, "--only")) {
            if (o->n_only == MAX_ONLY) {
                fprintf(stderr, "dsml sweep: --only: at most %d patterns\n", MAX_ONLY);
                return 2;
            }
            o->only[o->n_only++] = v;
        } else if (!strcmp(a, "--seeds")) rc = option_int("sweep", a, v, 1, DSML_SWEEP_MAX_SEEDS, &o->seeds);
        else if (!strcmp(a, "--out")) o->out = v;
        else if (!strcmp(a, "--status-command")) o->status_command = v;
        else if (!strcmp(a, "--jobs")) rc = option_int("sweep", a, v, 1, 4096, &o->jobs);
        else if (!strcmp(a, "--cores")) rc = option_int("sweep", a, v, 1, 4096, &o->cores);
        else if (!strcmp(a, "--threads")) rc = option_int("sweep", a, v, 1, 256, &o->threads);
        else if (!strcmp(a, "--cpus-per-task")) rc = option_int("sweep", a, v, 1, 256, &o->slurm.cpus_per_task);
        else if (!strcmp(a, "--max-parallel")) rc = option_int("sweep", a, v, 1, 100000, &o->slurm.max_parallel);
        else if (!strcmp(a, "--time")) o->slurm.time_limit = v;
        else if (!strcmp(a, "--partition")) o->slurm.partition = v;
        else if (!strcmp(a, "--log-dir")) o->slurm.log_dir = v;
        else if (!strcmp(a, "--job-name")) o->slurm.job_name = v;
        else if (!strcmp(a, "--dsml")) dsml = v;
        else if (!strcmp(a, "--kind")) {
            o->kind_mask = !strcmp(v, "dml") ? 1 : !strcmp(v, "hashing") ? 2 : !strcmp(v, "tune") ? 4
                         : !strcmp(v, "runs") ? 3 : !strcmp(v, "all") ? 7 : 0;
            if (!o->kind_mask) {
                fprintf(stderr, "dsml sweep: --kind %s: expected dml, hashing, tune, runs or all\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--from")) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || !eq[1] || o->n_from == MAX_FROM) {
                fprintf(stderr, "dsml sweep: --from %s: expected DATASET=PATH (at most %d)\n", v, MAX_FROM);
                return 2;
            }
            /* argv outlives the command: cut the name in place */
            argv[i + 1][eq - v] = '\0';
            o->from_name[o->n_from] = argv[i + 1];
            o->from_path[o->n_from++] = argv[i + 1] + (eq - v) + 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "dsml sweep: unknown option '%s' (see dsml sweep --help)\n", a);
            return 2;
        } else if (!have_file) {
            o->file = a;
            have_file = 1;
            takes = 0;
        } else {
            fprintf(stderr, "dsml sweep: unexpected argument '%s'\n", a);
            return 2;
        }
        i += takes;
    }
    if (rc) return rc;
    /* a flag of one command given to another would be silently ignored: refused */
    const struct { int set; const char *flag, *command; } own[] = {
        {o->no_fetch, "--no-fetch", "fetch"}, {o->pending_ok, "--pending-ok", "account"}};
    for (size_t k = 0; k < sizeof own / sizeof own[0]; k++)
        if (own[k].set && strcmp(o->command, own[k].command)) {
            fprintf(stderr, "dsml sweep %s: %s is an option of dsml sweep %s only\n", o->command, own[k].flag,
                    own[k].command);
            return 2;
        }
    if (!o->jobs) o->jobs = dsml_sweep_make_jobs(getenv("MAKEFLAGS"), o->cores);
    if (!o->threads) o->threads = dsml_sweep_threads_per_run(o->cores, o->jobs);
    if (!strcmp(o->command, "tune-plan") || !strcmp(o->command, "tune-apply")) o->kind_mask = 4;
    if (!dsml) {
        ssize_t len = readlink("/proc/self/exe", o->dsml_abs, sizeof o->dsml_abs - 1);
        if (len > 0) o->dsml_abs[len] = '\0';
    } else if (!realpath(dsml, o->dsml_abs)) {
        fprintf(stderr, "dsml sweep: --dsml %s: no such file\n", dsml);
        return 2;
    }
    o->slurm.dsml = o->dsml_abs;
    if (getcwd(o->workdir, sizeof o->workdir)) o->slurm.workdir = o->workdir;
    return 0;
}

int cmd_sweep(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    static const char *const commands[] = {"list", "makefile", "status", "slurm", "tune-plan", "tune-apply",
                                           "claims-options", "fetch", "account"};
    int known = 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) known |= !strcmp(argv[1], commands[i]);
    if (!known) {
        fprintf(stderr, "dsml sweep: unknown command '%s' (expected list, makefile, status, slurm, tune-plan, "
                        "tune-apply, claims-options, fetch or account)\n", argv[1]);
        return 2;
    }
    sweep_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc) return rc;
    dsml_sweep sw;
    if (dsml_sweep_load_seeds(&sw, o.file, o.results, o.seeds)) {
        fprintf(stderr, "dsml sweep: %s\n", dsml_last_error());
        return 1;
    }
    if (!strcmp(o.command, "claims-options")) { /* what `make tables` passes to dsml tables */
        if (sw.equivalence_margin > 0) printf("--equivalence-margin %g\n", sw.equivalence_margin);
        dsml_sweep_free(&sw);
        return 0;
    }
    if (!strcmp(o.command, "tune-apply")) {
        int applied = 0;
        const char *out = o.out ? o.out : o.file;
        rc = dsml_sweep_tune_apply(&sw, out, o.partial, stderr, &applied) ? 1 : 0;
        if (rc) fprintf(stderr, "dsml sweep: %s\n", dsml_last_error());
        else fprintf(stderr, "sweep: %d dml line%s of %s updated\n", applied, applied == 1 ? "" : "s", out);
        dsml_sweep_free(&sw);
        return rc;
    }
    if (!strcmp(o.command, "fetch") || !strcmp(o.command, "account")) {
        rc = !strcmp(o.command, "fetch") ? sweep_fetch_needs(&o, &sw) : sweep_account(&o, &sw);
        dsml_sweep_free(&sw);
        return rc;
    }
    dsml_sweep_item *items = NULL;
    double *wall = NULL;
    int n = 0;
    rc = select_items(&o, &sw, &items, &n, &wall, o.line);
    if (!rc) {
        if (!strcmp(o.command, "list") || !strcmp(o.command, "tune-plan")) rc = emit(&o, gen_list, &sw, items, n, NULL);
        else if (!strcmp(o.command, "makefile")) rc = emit(&o, gen_makefile, &sw, items, n, NULL);
        else if (!strcmp(o.command, "status")) rc = do_status(&o, &sw, items, wall, n);
        else {
            int tasks = 0;
            rc = emit(&o, gen_slurm, &sw, items, n, &tasks);
            if (!rc) fprintf(stderr, "sweep: %d array task%s%s\n", tasks, tasks == 1 ? "" : "s",
                             tasks ? "" : ": every selected run is finished, no script written");
        }
    }
    free(items);
    free(wall);
    dsml_sweep_free(&sw);
    return rc;
}
