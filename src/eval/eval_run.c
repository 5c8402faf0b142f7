/* `dsml eval`'s rankings and clustering; see eval_run.h. */
#include "eval/eval_run.h"
#include "core/error.h"
#include "core/rng.h"
#include "eval/cluster.h"
#include "metric/l2norm.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    dsml_eval_ranking_set bit;
} ranking_names[] = {
    {"euclidean", DSML_EVAL_EUCLIDEAN},
    {"hamming", DSML_EVAL_HAMMING},
    {"snr", DSML_EVAL_SNR},
    {"cosine", DSML_EVAL_COSINE},
};
#define N_RANKINGS (int)(sizeof ranking_names / sizeof ranking_names[0])

int dsml_eval_rankings_parse(const char *list, unsigned *rankings)
{
    *rankings = 0;
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        int found = 0;
        for (int i = 0; i < N_RANKINGS; i++)
            if (len == strlen(ranking_names[i].name) && !strncmp(p, ranking_names[i].name, len)) {
                *rankings |= (unsigned)ranking_names[i].bit;
                found = 1;
            }
        if (!found)
            return dsml_fail(DSML_ERR_ARG, "ranking '%.*s' in '%s': expected a comma-separated list of euclidean, "
                             "hamming, snr and cosine", (int)len, p, list);
        if (!p[len]) return DSML_OK;
        p += len + 1;
    }
}

void dsml_eval_center_rows(float *x, long n, int d)
{
    for (long i = 0; i < n; i++) {
        float *r = x + (size_t)i * (size_t)d;
        double sum = 0;
        for (int k = 0; k < d; k++) sum += r[k];
        float mean = (float)(sum / d);
        for (int k = 0; k < d; k++) r[k] -= mean;
    }
}

/* Rows transformed for one ranking: normalised (cosine) or centred (snr). */
static void transform(dsml_eval_ranking_set which, float *x, long n, int d)
{
    if (which == DSML_EVAL_COSINE) dsml_l2norm_rows(x, n, d);
    else dsml_eval_center_rows(x, n, d);
}

/* Euclidean ranking of the rows after `which`'s transform: in place when
 * `in_place`, else on copies (freed before returning). */
static int transformed_ranking(dsml_eval_ranking_set which, dsml_eval_inputs *in, int in_place,
                               const dsml_retrieval_config *cfg, dsml_retrieval_result *out)
{
    const dsml_eval_side *q = &in->query, *db = &in->database;
    size_t nq = (size_t)q->n * (size_t)q->d, ndb = in->has_database ? (size_t)db->n * (size_t)db->d : 0;
    float *qx = q->x, *dbx = db->x, *copy = NULL;
    if (!in_place) {
        copy = malloc(sizeof(float) * (nq + ndb));
        if (!copy) return dsml_fail(DSML_ERR_NOMEM, "cannot allocate a copy of %zu embedding values", nq + ndb);
        qx = copy;
        memcpy(qx, q->x, sizeof(float) * nq);
        dbx = qx;
        if (in->has_database) {
            dbx = copy + nq;
            memcpy(dbx, db->x, sizeof(float) * ndb);
        }
    }
    transform(which, qx, q->n, q->d);
    if (in->has_database) transform(which, dbx, db->n, db->d);
    int rc = dsml_eval_ranking(DSML_RANK_EUCLIDEAN, qx, dsml_eval_side_labels(q), q->n, dbx,
                               dsml_eval_side_labels(db), db->n, q->d, cfg, out);
    free(copy);
    return rc;
}

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The number of distinct class ids among n (a sorted copy: memory n ints,
 * whatever the largest id). */
static int distinct_classes(const int *classes, int n, int *out)
{
    int *sorted = malloc(sizeof *sorted * (size_t)(n ? n : 1));
    if (!sorted) return dsml_fail(DSML_ERR_NOMEM, "cannot allocate %d labels", n);
    memcpy(sorted, classes, sizeof *sorted * (size_t)n);
    qsort(sorted, (size_t)n, sizeof *sorted, compare_int);
    int distinct = 0;
    for (int i = 0; i < n; i++) distinct += i == 0 || sorted[i] != sorted[i - 1];
    free(sorted);
    *out = distinct;
    return DSML_OK;
}

/* k-means on the queries with the trainer's seed stream and iterations. */
static int cluster_queries(const dsml_eval_inputs *in, const dsml_eval_options *opt, dsml_eval_report *out)
{
    const dsml_eval_side *q = &in->query;
    if (!q->classes)
        return dsml_fail(DSML_ERR_ARG, "%s: clustering scores need one class per query, not label sets",
                         q->label_source);
    int k = opt->clusters, rc = DSML_OK;
    if (!k && (rc = distinct_classes(q->classes, q->n, &k)) != DSML_OK) return rc;
    if (k > q->n)
        return dsml_fail(DSML_ERR_ARG, "%d clusters for %d queries: expected at most one cluster per query", k, q->n);
    int *assignment = malloc(sizeof *assignment * (size_t)q->n);
    if (!assignment) return dsml_fail(DSML_ERR_NOMEM, "cannot allocate %d cluster ids", q->n);
    dsml_rng rng;
    dsml_rng_seed_stream(&rng, opt->seed, DSML_EVAL_KMEANS_STREAM);
    rc = dsml_kmeans(q->x, q->n, q->d, k, dsml_rng_next(&rng), DSML_EVAL_KMEANS_ITERATIONS, assignment);
    if (!rc) {
        out->have_clustering = 1;
        out->clusters = k;
        out->nmi = dsml_nmi(q->classes, assignment, q->n);
        out->pairwise_f1 = dsml_pairwise_f1(q->classes, assignment, q->n);
    }
    free(assignment);
    return rc;
}

int dsml_eval_run(dsml_eval_inputs *in, const dsml_eval_options *opt, dsml_eval_report *out)
{
    memset(out, 0, sizeof *out);
    out->rankings = opt->rankings;
    out->n_database = in->database.n;
    if (opt->f1_at < 1 || opt->map_at < 0)
        return dsml_fail(DSML_ERR_ARG, "map_at %d and f1_at %d: expected map_at >= 0 and f1_at >= 1", opt->map_at,
                         opt->f1_at);
    dsml_retrieval_config cfg;
    dsml_retrieval_config_default(&cfg);
    cfg.map_at = opt->map_at;
    cfg.f1_at = opt->f1_at;
    cfg.query_db_index = in->query_db_index;
    const dsml_eval_side *q = &in->query, *db = &in->database;
    dsml_labels ql = dsml_eval_side_labels(q), dl = dsml_eval_side_labels(db);
    int rc = DSML_OK;
    if (opt->rankings & DSML_EVAL_EUCLIDEAN)
        rc = dsml_eval_ranking(DSML_RANK_EUCLIDEAN, q->x, ql, q->n, db->x, dl, db->n, q->d, &cfg, &out->euclidean);
    if (!rc && (opt->rankings & DSML_EVAL_HAMMING))
        rc = dsml_eval_ranking(DSML_RANK_HAMMING, q->x, ql, q->n, db->x, dl, db->n, q->d, &cfg, &out->hamming);
    /* before any transform: the clustering sees the rows as given */
    if (!rc && opt->clustering) rc = cluster_queries(in, opt, out);
    int both = (opt->rankings & DSML_EVAL_SNR) && (opt->rankings & DSML_EVAL_COSINE);
    if (!rc && (opt->rankings & DSML_EVAL_SNR)) rc = transformed_ranking(DSML_EVAL_SNR, in, !both, &cfg, &out->snr);
    if (!rc && (opt->rankings & DSML_EVAL_COSINE))
        rc = transformed_ranking(DSML_EVAL_COSINE, in, 1, &cfg, &out->cosine);
    return rc;
}
