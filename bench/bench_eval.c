/* The evaluation benchmarks: exact Euclidean retrieval, Hamming ranking of
 * binary codes, k-means with NMI, and the SNR distance matrix of one batch.
 *
 * Inputs are seeded synthetic data with labels (Gaussian clusters; codes
 * scattered around class prototypes), so the metrics are neither 0 nor 1.
 * With a work directory each writes its inputs and results as .npy files for
 * the peers (the scripts in bench/peers/), which compute the same thing and compare.
 * Peak memory is VmHWM; "inputs" is the resident set before the measured
 * call, so peak minus inputs is what the call itself needed. */
#include "bench_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "core/error.h"
#include "core/timer.h"
#include "eval/cluster.h"
#include "eval/hamming.h"
#include "eval/retrieval.h"
#include "metric/distance.h"

/* The retrieval metrics as JSON fields, with enough digits for a 1e-6 check. */
static void print_metrics(const dsml_retrieval_config *cfg, const dsml_retrieval_result *r)
{
    printf("\"recall_k\": [");
    for (int i = 0; i < cfg->n_recall_k; i++) printf("%s%d", i ? ", " : "", cfg->recall_k[i]);
    printf("], \"recall\": [");
    for (int i = 0; i < cfg->n_recall_k; i++) printf("%s%.9f", i ? ", " : "", r->recall[i]);
    printf("], \"map\": %.9f, \"map_at_t\": %.9f, \"map_at_r\": %.9f, \"precision_at_t\": %.9f, "
           "\"f1_at_t\": %.9f", r->map, r->map_at_t, r->map_at_r, r->precision_at_t, r->f1_at_t);
}

int bench_eval(int threads, int nq, int ndb, int d, const char *work)
{
    dsml_rng rng;
    dsml_rng_seed(&rng, 4);
    float *x = bench_alloc(sizeof(float) * (size_t)(nq + ndb) * d);
    int *labels = bench_alloc(sizeof(int) * (size_t)(nq + ndb));
    /* Ten clusters whose centres are closer than the noise: Recall@1 about 0.5-0.9 */
    bench_gaussian_clusters(&rng, nq + ndb, d, 10, 0.6f, x, labels);
    const float *q = x, *db = x + (long)nq * d;
    if (work) {
        bench_npy_write(work, "queries.npy", "<f4", q, nq, d);
        bench_npy_write(work, "database.npy", "<f4", db, ndb, d);
        bench_npy_write(work, "query_labels.npy", "<i4", labels, nq, 0);
        bench_npy_write(work, "database_labels.npy", "<i4", labels + nq, ndb, 0);
    }
    double inputs = bench_rss_mib();
    dsml_retrieval_config cfg;
    dsml_retrieval_config_default(&cfg);
    cfg.f1_at = 5000;
    dsml_retrieval_result r;
    double t = dsml_now();
    int rc = dsml_eval_ranking(DSML_RANK_EUCLIDEAN, q, dsml_labels_single(labels), nq, db,
                               dsml_labels_single(labels + nq), ndb, d, &cfg, &r);
    t = dsml_now() - t;
    if (rc) bench_die("eval", rc);
    printf("{\"bench\": \"eval\", \"threads\": %d, \"queries\": %d, \"database\": %d, \"dim\": %d, "
           "\"seconds\": %.4f, \"peak_rss_mib\": %.1f, \"inputs_mib\": %.1f, \"f1_at\": %d, ",
           threads, nq, ndb, d, t, bench_peak_rss_mib(), inputs, cfg.f1_at);
    print_metrics(&cfg, &r);
    printf("}\n");
    free(x); free(labels);
    return 0;
}

/* Queries the Hamming peers rank (the first ones of the set). */
#define HAMMING_CHECK_QUERIES 1000

int bench_hamming(int threads, int nq, int ndb, int bits, const char *work)
{
    enum { CLASSES = 10 };
    if (bits < 1 || bits > 64) bench_fail("hamming: %d bits, expected 1..64", bits);
    dsml_rng rng;
    dsml_rng_seed(&rng, 5);
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1, proto[CLASSES];
    for (int c = 0; c < CLASSES; c++) proto[c] = dsml_rng_next(&rng) & mask;
    int n = nq + ndb;
    uint64_t *codes = bench_alloc(sizeof(uint64_t) * (size_t)n);
    int *labels = bench_alloc(sizeof(int) * (size_t)n);
    /* Each code is its class's prototype with every bit flipped with probability 0.3. */
    for (int i = 0; i < n; i++) {
        int c = (int)dsml_rng_below(&rng, CLASSES);
        uint64_t code = proto[c];
        for (int j = 0; j < bits; j++)
            if (dsml_rng_uniform(&rng) < 0.3) code ^= 1ull << j;
        codes[i] = code;
        labels[i] = c;
    }
    if (work) {
        bench_npy_write(work, "codes.npy", "<u8", codes, n, 1);
        bench_npy_write(work, "labels.npy", "<i4", labels, n, 0);
    }
    double inputs = bench_rss_mib();
    dsml_retrieval_config cfg;
    dsml_retrieval_config_default(&cfg);
    cfg.map_at = 50000;
    cfg.f1_at = 5000;
    dsml_retrieval_result r, check;
    double t = dsml_now();
    int rc = dsml_eval_hamming_codes(codes, dsml_labels_single(labels), nq, codes + nq,
                                     dsml_labels_single(labels + nq), ndb, bits, &cfg, &r);
    t = dsml_now() - t;
    if (rc) bench_die("hamming", rc);
    double peak = bench_peak_rss_mib();
    /* The peers are slower by an order of magnitude: they rank the first
     * check_nq queries only, and compare with dsml's scores of those. */
    int check_nq = nq < HAMMING_CHECK_QUERIES ? nq : HAMMING_CHECK_QUERIES;
    if ((rc = dsml_eval_hamming_codes(codes, dsml_labels_single(labels), check_nq, codes + nq,
                                      dsml_labels_single(labels + nq), ndb, bits, &cfg, &check)))
        bench_die("hamming", rc);
    printf("{\"bench\": \"hamming\", \"threads\": %d, \"queries\": %d, \"database\": %d, \"bits\": %d, "
           "\"map_at\": %d, \"f1_at\": %d, \"seconds\": %.4f, \"queries_per_s\": %.1f, \"peak_rss_mib\": %.1f, "
           "\"inputs_mib\": %.1f, ", threads, nq, ndb, bits, cfg.map_at, cfg.f1_at, t, nq / t, peak, inputs);
    print_metrics(&cfg, &r);
    printf(", \"check_queries\": %d, \"check\": {", check_nq);
    print_metrics(&cfg, &check);
    printf("}}\n");
    free(codes); free(labels);
    return 0;
}

int bench_kmeans(int threads, int n, int d, int k, const char *work)
{
    enum { MAX_ITER = 100 };
    dsml_rng rng;
    dsml_rng_seed(&rng, 6);
    float *x = bench_alloc(sizeof(float) * (size_t)n * d);
    int *labels = bench_alloc(sizeof(int) * (size_t)n), *assign = bench_alloc(sizeof(int) * (size_t)n);
    float *centroids = bench_alloc(sizeof(float) * (size_t)k * d);
    /* k overlapping clusters: NMI clearly below 1, so the comparison means something. */
    bench_gaussian_clusters(&rng, n, d, k, 0.6f, x, labels);
    if (work) {
        bench_npy_write(work, "x.npy", "<f4", x, n, d);
        bench_npy_write(work, "labels.npy", "<i4", labels, n, 0);
    }
    double inputs = bench_rss_mib();
    dsml_kmeans_info info;
    double t = dsml_now();
    int rc = dsml_kmeans_run(x, n, d, k, 1, MAX_ITER, assign, centroids, &info);
    t = dsml_now() - t;
    if (rc) bench_die("kmeans", rc);
    double nmi;
    if ((rc = dsml_cluster_scores(labels, assign, n, &nmi, NULL))) bench_die("NMI", rc);
    printf("{\"bench\": \"kmeans\", \"threads\": %d, \"points\": %d, \"dim\": %d, \"k\": %d, \"max_iter\": %d, "
           "\"iterations\": %d, \"seconds\": %.4f, \"peak_rss_mib\": %.1f, \"inputs_mib\": %.1f, \"nmi\": %.6f, "
           "\"inertia\": %.6g}\n",
           threads, n, d, k, MAX_ITER, info.iterations, t, bench_peak_rss_mib(), inputs, nmi, info.inertia);
    free(x); free(labels); free(assign); free(centroids);
    return 0;
}

int bench_snr(int threads, int n, int d, int reps, const char *work)
{
    dsml_rng rng;
    dsml_rng_seed(&rng, 8);
    /* Rows with their own offset and scale: the SNR distance ignores the first
     * and divides by the anchor's variance, so both matter to a wrong formula. */
    float *h = bench_normal_floats(&rng, (long)n * d);
    for (int i = 0; i < n; i++) {
        float offset = (float)dsml_rng_normal(&rng), scale = 0.5f + (float)dsml_rng_uniform(&rng);
        for (int j = 0; j < d; j++) h[(long)i * d + j] = offset + scale * h[(long)i * d + j];
    }
    double inputs = bench_rss_mib();
    float *dist = bench_alloc(sizeof(float) * (size_t)n * n);
    dsml_distance_ws *ws;
    int rc = dsml_distance_ws_create(&ws, n, d);
    if (rc) bench_die("distance workspace", rc);
    double best = 1e30;
    for (int r = 0; r <= reps; r++) { /* the first is a warm-up */
        double t = dsml_now();
        if ((rc = dsml_distance_forward(DSML_DIST_SNR, dist, h, n, d, ws))) bench_die("snr", rc);
        t = dsml_now() - t;
        if (r > 0 && t < best) best = t;
    }
    double peak = bench_peak_rss_mib();
    if (work) {
        bench_npy_write(work, "h.npy", "<f4", h, n, d);
        bench_npy_write(work, "dist.npy", "<f4", dist, n, n);
    }
    printf("{\"bench\": \"snr\", \"threads\": %d, \"n\": %d, \"dim\": %d, \"seconds\": %.6f, "
           "\"peak_rss_mib\": %.1f, \"inputs_mib\": %.1f}\n",
           threads, n, d, best, peak, inputs);
    dsml_distance_ws_free(ws);
    free(h); free(dist);
    return 0;
}
