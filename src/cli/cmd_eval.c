/* dsml eval: retrieval and clustering metrics of embeddings from any
 * framework (.npy, .npz, a dsml run's embeddings.bin), printed as the
 * "metrics" object of metrics.json; --run DIR scores a dsml run again from
 * its embeddings.bin with the options its metrics.json records. docs/eval.md. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/json.h"
#include "core/json_parse.h"
#include "eval/eval_run.h"
#include "results/metrics_write.h"

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: dsml eval --query Q.npy --query-labels QL.npy [--database D.npy --database-labels DL.npy]\n"
"                 [--ranking euclidean|hamming|snr|cosine[,...]] [--map-at T] [--f1-at T]\n"
"                 [--clusters K] [--seed S] [--no-clustering] [--threads T] [--out M.json]\n"
"       dsml eval --embeddings RUN/embeddings.bin [options as above]\n"
"       dsml eval --run DIR [--threads T] [--out M.json]\n"
"\n"
"Scores embeddings as dsml train scores its runs and prints the \"metrics\" object of metrics.json\n"
"(recall@K, map, map@T, f1@T, map@r, r_precision, precision@K per ranking; NMI and pairwise F1 of\n"
"k-means on the queries). Without a database every query ranks the other queries, itself left out\n"
"(the CUB-200/Cars-196 protocol). Ties go to the lower database index (docs/metrics.md).\n"
"\n"
"  --query, --database FILE  float embeddings N x d: .npy ('<f4' or '<f8'), or X.npz[:NAME] (default\n"
"                     members query, database)\n"
"  --query-labels, --database-labels FILE  integer labels: one class >= 0 per row, or a 0/1 (bool)\n"
"                     matrix N x L for multi-label (relevant when a label is shared); .npy or\n"
"                     X.npz[:NAME] (default members query_labels, database_labels; with an .npz\n"
"                     embeddings file the labels default to the same archive)\n"
"  --embeddings FILE  a dsml run's embeddings.bin: queries, database, labels; a query whose image is\n"
"                     in the database is left out of its own ranking, as the trainer did\n"
"  --run DIR          DIR/embeddings.bin scored with DIR/metrics.json's options: repeats its metrics\n"
"  --ranking LIST     euclidean, hamming (sign codes), snr (the SNR distance var(x-q)/var(q)),\n"
"                     cosine (default euclidean,hamming)\n"
"  --map-at T         T of MAP@T, 0 = the whole database (default 0)\n"
"  --f1-at T          T of precision/recall/F1@T (default 5000)\n"
"  --clusters K       k-means clusters (default: the number of distinct query labels)\n"
"  --seed S           seed of the run whose k-means stream is used (default 1, as dsml train)\n"
"  --no-clustering    no k-means (single-label inputs only have it)\n"
"  --threads T        OpenMP threads (default: all); the results do not depend on it\n"
"  --out FILE         write the JSON there (atomically) instead of stdout\n");
}

typedef struct {
    const char *query, *query_labels, *database, *database_labels, *embeddings, *run, *out;
    const char *ranking;
    int map_at, f1_at, clusters, no_clustering, threads;
    int have_map_at, have_f1_at, have_seed;
    uint64_t seed;
} eval_args;

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "dsml eval: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, " (see dsml eval --help)\n");
    return 2;
}

/* Parses argv into *a; 0, or the exit status (help: -1). */
static int parse_args(int argc, char **argv, eval_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            return -1;
        } else if (!strcmp(o, "--no-clustering")) {
            a->no_clustering = 1;
            continue;
        } else if (!v) {
            return usage_error("unknown or incomplete option '%s'%s", o, "");
        } else if (!strcmp(o, "--query")) a->query = v;
        else if (!strcmp(o, "--query-labels")) a->query_labels = v;
        else if (!strcmp(o, "--database")) a->database = v;
        else if (!strcmp(o, "--database-labels")) a->database_labels = v;
        else if (!strcmp(o, "--embeddings")) a->embeddings = v;
        else if (!strcmp(o, "--run")) a->run = v;
        else if (!strcmp(o, "--out")) a->out = v;
        else if (!strcmp(o, "--ranking")) a->ranking = v;
        else if (!strcmp(o, "--map-at")) rc = option_int("eval", o, v, 0, 1 << 30, &a->map_at), a->have_map_at = 1;
        else if (!strcmp(o, "--f1-at")) rc = option_int("eval", o, v, 1, 1 << 30, &a->f1_at), a->have_f1_at = 1;
        else if (!strcmp(o, "--clusters")) rc = option_int("eval", o, v, 1, 1 << 28, &a->clusters);
        else if (!strcmp(o, "--threads")) rc = option_int("eval", o, v, 1, 1024, &a->threads);
        else if (!strcmp(o, "--seed")) rc = option_u64("eval", o, v, &a->seed), a->have_seed = 1;
        else return usage_error("unknown option '%s'%s", o, "");
        if (rc) return rc;
        i++;
    }
    return 0;
}

/* An .npz spec: labels may default to the same archive. */
static int is_npz(const char *spec)
{
    size_t n = strlen(spec);
    return strstr(spec, ".npz:") || (n >= 4 && !strcmp(spec + n - 4, ".npz"));
}

/* The archive part of an .npz spec, for the labels' default member. */
static const char *npz_path(const char *spec, char *buf, size_t size)
{
    const char *colon = strstr(spec, ".npz:");
    snprintf(buf, size, "%.*s", colon ? (int)(colon - spec) + 4 : (int)strlen(spec), spec);
    return buf;
}

/* Checks the combinations of options; 0 or exit status 2. */
static int check_args(const eval_args *a)
{
    if (a->run) {
        const char *set = a->query ? "--query" : a->database ? "--database" : a->embeddings ? "--embeddings"
                        : a->query_labels ? "--query-labels" : a->database_labels ? "--database-labels"
                        : a->ranking ? "--ranking" : a->have_map_at ? "--map-at" : a->have_f1_at ? "--f1-at"
                        : a->clusters ? "--clusters" : a->have_seed ? "--seed" : a->no_clustering ? "--no-clustering"
                        : NULL;
        if (set) return usage_error("--run takes its inputs and options from the run's metrics.json; %s%s cannot "
                                    "change them", set, " is not allowed with it");
        return 0;
    }
    if (a->embeddings && (a->query || a->query_labels || a->database || a->database_labels))
        return usage_error("--embeddings holds the queries, database and labels; %s%s", "--query/--database and "
                           "their labels", " are not allowed with it");
    if (!a->embeddings && !a->query) return usage_error("--query, --embeddings or --run is required%s%s", "", "");
    if (a->query && !a->query_labels && !is_npz(a->query))
        return usage_error("--query %s needs --query-labels%s", a->query, "");
    if (a->database_labels && !a->database)
        return usage_error("--database-labels without --database%s%s", "", "");
    if (a->database && !a->database_labels && !is_npz(a->database))
        return usage_error("--database %s needs --database-labels%s", a->database, "");
    if (a->no_clustering && (a->clusters || a->have_seed))
        return usage_error("%s has nothing to do with --no-clustering%s", a->clusters ? "--clusters" : "--seed", "");
    return 0;
}

/* Reads the inputs the options name. */
static int read_inputs(const eval_args *a, dsml_eval_inputs *in)
{
    if (a->embeddings) return dsml_eval_read_run_embeddings(a->embeddings, in);
    char archive[1100];
    int rc = dsml_eval_read_embeddings(a->query, "query", &in->query);
    if (!rc) rc = dsml_eval_read_labels(a->query_labels ? a->query_labels : npz_path(a->query, archive, sizeof archive),
                                        "query_labels", &in->query);
    if (rc || !a->database) return rc;
    in->has_database = 1;
    rc = dsml_eval_read_embeddings(a->database, "database", &in->database);
    if (!rc)
        rc = dsml_eval_read_labels(a->database_labels ? a->database_labels
                                                      : npz_path(a->database, archive, sizeof archive),
                                   "database_labels", &in->database);
    return rc;
}

/* --run DIR: the options of the run's metrics.json. */
static int run_options(const char *dir, dsml_eval_options *opt, char *bin, size_t bin_size)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/metrics.json", dir);
    snprintf(bin, bin_size, "%s/embeddings.bin", dir);
    dsml_json_doc doc;
    if (dsml_json_parse_file(&doc, path)) return 1;
    const dsml_jv *root = doc.root, *m = dsml_jv_get(root, "metrics");
    const dsml_jv *multi = dsml_jv_get(root, "data.multi_label_evaluation");
    int rc = 0;
    double seed = dsml_jv_number(root, "config.seed", -1), classes = dsml_jv_number(root, "data.classes", -1);
    if (!m || m->type != DSML_JV_OBJECT) {
        fprintf(stderr, "dsml eval: %s: no \"metrics\" object (a run trained with --no-eval): nothing to repeat\n",
                path);
        rc = 1;
    } else if (multi && multi->number) {
        fprintf(stderr, "dsml eval: %s: a multi-label run (relevance by shared labels); embeddings.bin stores one "
                        "class per item, not the label sets, so its metrics cannot be repeated from it\n", path);
        rc = 1;
    } else if (seed < 0 || seed > 9007199254740992.0 || classes < 1) {
        fprintf(stderr, "dsml eval: %s: config.seed (an integer up to 2^53) and data.classes (>= 1) are needed\n",
                path);
        rc = 1;
    } else {
        opt->map_at = (int)dsml_jv_number(root, "config.map_at", 0);
        opt->f1_at = (int)dsml_jv_number(root, "config.f1_at", 5000);
        opt->seed = (uint64_t)seed;
        opt->clusters = (int)classes; /* the trainer clusters into the dataset's classes */
        opt->rankings = (dsml_jv_get(m, "euclidean") ? DSML_EVAL_EUCLIDEAN : 0u) |
                        (dsml_jv_get(m, "hamming") ? DSML_EVAL_HAMMING : 0u);
        opt->clustering = dsml_jv_get(m, "clustering") != NULL;
        if (dsml_jv_get(m, "vmf"))
            fprintf(stderr, "dsml eval: %s: metrics.vmf (classification by the loss's trained mean directions) "
                            "needs the model, not in embeddings.bin: not repeated\n", path);
    }
    dsml_json_doc_free(&doc);
    return rc;
}

static int write_report(const char *out, const dsml_eval_options *opt, const dsml_eval_report *r)
{
    dsml_metrics_set m = {
        .euclidean = (r->rankings & DSML_EVAL_EUCLIDEAN) ? &r->euclidean : NULL,
        .hamming = (r->rankings & DSML_EVAL_HAMMING) ? &r->hamming : NULL,
        .snr = (r->rankings & DSML_EVAL_SNR) ? &r->snr : NULL,
        .cosine = (r->rankings & DSML_EVAL_COSINE) ? &r->cosine : NULL,
        .map_at = opt->map_at,
        .f1_at = opt->f1_at,
        .n_database = r->n_database,
        .have_clustering = r->have_clustering,
        .nmi = r->nmi,
        .pairwise_f1 = r->pairwise_f1,
    };
    dsml_json j;
    if (!out) {
        dsml_json_init(&j, stdout);
        dsml_metrics_write_object(&j, &m);
        fputc('\n', stdout);
        return fflush(stdout) ? 1 : 0;
    }
    dsml_atomic_file f;
    if (dsml_atomic_begin(&f, out)) return 1;
    dsml_json_init(&j, f.fp);
    dsml_metrics_write_object(&j, &m);
    fputc('\n', f.fp);
    return dsml_atomic_commit(&f) ? 1 : 0;
}

int cmd_eval(int argc, char **argv)
{
    eval_args a = {.f1_at = 5000, .seed = 1};
    int rc = parse_args(argc, argv, &a);
    if (rc) return rc < 0 ? 0 : rc;
    if ((rc = check_args(&a)) != 0) return rc;
    if (a.threads) dsml_set_threads(a.threads);
    dsml_eval_options opt = {.map_at = a.map_at, .f1_at = a.f1_at, .clustering = !a.no_clustering,
                             .clusters = a.clusters, .seed = a.seed};
    opt.rankings = DSML_EVAL_EUCLIDEAN | DSML_EVAL_HAMMING; /* what a dml run's metrics.json has */
    char bin[1300];
    if (a.run && run_options(a.run, &opt, bin, sizeof bin)) {
        if (dsml_last_error()[0]) fprintf(stderr, "dsml eval: %s\n", dsml_last_error());
        return 1;
    }
    if (a.run) a.embeddings = bin;
    if (a.ranking && dsml_eval_rankings_parse(a.ranking, &opt.rankings)) {
        fprintf(stderr, "dsml eval: --ranking: %s\n", dsml_last_error());
        return 2;
    }
    dsml_eval_inputs in = {0};
    dsml_clear_error();
    rc = read_inputs(&a, &in);
    if (!rc) rc = dsml_eval_inputs_finish(&in);
    if (!rc && !in.query.classes && opt.clustering) {
        if (a.clusters || a.have_seed) {
            fprintf(stderr, "dsml eval: %s: multi-label queries have no clustering scores; --%s cannot apply\n",
                    in.query.label_source, a.clusters ? "clusters" : "seed");
            dsml_eval_inputs_free(&in);
            return 2;
        }
        fprintf(stderr, "dsml eval: %s: multi-label queries: no clustering scores (NMI and F1 need one class "
                        "per query)\n", in.query.label_source);
        opt.clustering = 0;
    }
    dsml_eval_report report;
    if (!rc) rc = dsml_eval_run(&in, &opt, &report);
    dsml_eval_inputs_free(&in);
    if (rc) {
        fprintf(stderr, "dsml eval: %s\n", dsml_last_error());
        return rc == DSML_ERR_ARG ? 2 : 1;
    }
    if (write_report(a.out, &opt, &report)) {
        fprintf(stderr, "dsml eval: %s\n", dsml_last_error()[0] ? dsml_last_error() : "cannot write the output");
        return 1;
    }
    return 0;
}
