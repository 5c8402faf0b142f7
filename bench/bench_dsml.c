/* dsml's own benchmarks, one JSON object per line on stdout:
 *
 *   bench_dsml sgemm  THREADS            SGEMM GFLOP/s at the convnet's GEMM shapes and at 2000^3
 *   bench_dsml train  THREADS LOSS DIST [ITERS]  convnet training images/s (1x28x28, batch 100, d=32)
 *   bench_dsml embed  THREADS [N]        convnet forward-only images/s
 *   bench_dsml eval   THREADS [NQ NDB D] exact retrieval evaluation, Euclidean and Hamming
 *
 * Inputs are random (seeded): these figures measure speed, not accuracy.
 * Peak memory is the process's VmHWM, read from /proc/self/status. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/gemm.h"
#include "core/rng.h"
#include "core/timer.h"
#include "eval/retrieval.h"
#include "metric/loss.h"
#include "nn/model.h"
#include "nn/sgd.h"

static long peak_rss_kib(void)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (fp && fgets(line, sizeof line, fp))
        if (!strncmp(line, "VmHWM:", 6)) kib = strtol(line + 6, NULL, 10);
    if (fp) fclose(fp);
    return kib;
}

static float *random_floats(dsml_rng *rng, long n)
{
    float *x = malloc(sizeof(float) * (size_t)n);
    if (!x) { fprintf(stderr, "out of memory\n"); exit(1); }
    for (long i = 0; i < n; i++) x[i] = (float)dsml_rng_normal(rng);
    return x;
}

static int die(int rc)
{
    fprintf(stderr, "bench_dsml: %s\n", dsml_last_error()[0] ? dsml_last_error() : dsml_strerror(rc));
    return 1;
}

/* GFLOP/s of C = A B for one shape, best of `reps` after a warm-up. */
static double sgemm_rate(dsml_rng *rng, int m, int n, int k, int reps)
{
    float *a = random_floats(rng, (long)m * k), *b = random_floats(rng, (long)k * n);
    float *c = calloc((size_t)m * n, sizeof(float));
    dsml_gemm(DSML_NO_TRANS, DSML_NO_TRANS, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t = dsml_now();
        dsml_gemm(DSML_NO_TRANS, DSML_NO_TRANS, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
        t = dsml_now() - t;
        if (t < best) best = t;
    }
    free(a); free(b); free(c);
    return 2.0 * m * n * k / best / 1e9;
}

static int bench_sgemm(int threads)
{
    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    /* The square case is BLIS's best; conv2 forward is (B*14*14) x 64 x 800 at batch 100. */
    double square = sgemm_rate(&rng, 2000, 2000, 2000, 5);
    double conv2 = sgemm_rate(&rng, 19600, 64, 800, 10);
    printf("{\"bench\": \"sgemm\", \"threads\": %d, \"gflops_2000\": %.1f, \"gflops_conv2_shape\": %.1f}\n",
           threads, square, conv2);
    return 0;
}

static int make_convnet(dsml_model **model, int batch, int dim)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 1, .height = 28, .width = 28,
                             .dim = dim, .max_batch = batch};
    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    return dsml_model_create(model, &cfg, &rng);
}

static int bench_train(int threads, const char *loss_name, const char *dist_name, int iters)
{
    const int batch = 100, dim = 32, row = 28 * 28;
    dsml_loss_kind lk;
    dsml_distance_kind dk;
    if (dsml_loss_parse(loss_name, &lk) || dsml_distance_parse(dist_name, &dk)) {
        fprintf(stderr, "bench_dsml train: unknown loss or distance\n");
        return 2;
    }
    dsml_model *model;
    int rc = make_convnet(&model, batch, dim);
    if (rc) return die(rc);
    dsml_loss_params lp = dsml_loss_defaults(lk, dk);
    dsml_loss_ws *ws;
    if ((rc = dsml_loss_ws_create(&ws, batch, dim))) return die(rc);
    size_t n_params;
    float *params = dsml_model_params(model, &n_params);
    float *grads = dsml_model_grads(model, &n_params);
    dsml_sgd sgd;
    if ((rc = dsml_sgd_init(&sgd, n_params, 0.001f, 0.9f, 5e-4f))) return die(rc);
    dsml_rng rng;
    dsml_rng_seed(&rng, 2);
    float *x = random_floats(&rng, (long)batch * row);
    float *dh = malloc(sizeof(float) * batch * dim);
    int labels[100];
    for (int i = 0; i < batch; i++) labels[i] = lk == DSML_LOSS_NPAIR ? i / 2 : i / 10;
    double loss_time = 0, start = 0;
    for (int it = -3; it < iters; it++) { /* three warm-up steps */
        if (it == 0) { start = dsml_now(); loss_time = 0; }
        const float *h;
        if ((rc = dsml_model_forward(model, x, batch, 1, &rng, &h))) return die(rc);
        double t = dsml_now();
        double loss;
        if ((rc = dsml_loss_compute(&lp, h, labels, batch, dim, dh, ws, &loss))) return die(rc);
        loss_time += dsml_now() - t;
        dsml_model_zero_grad(model);
        if ((rc = dsml_model_backward(model, dh, batch))) return die(rc);
        dsml_sgd_step(&sgd, params, grads);
    }
    double elapsed = dsml_now() - start;
    double images_per_s = (double)iters * batch / elapsed;
    double flops = dsml_model_flops_per_image(model, 1);
    printf("{\"bench\": \"train\", \"threads\": %d, \"loss\": \"%s\", \"distance\": \"%s\", \"batch\": %d, "
           "\"dim\": %d, \"images_per_s\": %.1f, \"gemm_gflops_effective\": %.1f, \"loss_share\": %.4f}\n",
           threads, loss_name, dist_name, batch, dim, images_per_s, images_per_s * flops / 1e9,
           loss_time / elapsed);
    free(x); free(dh);
    dsml_sgd_free(&sgd);
    dsml_loss_ws_free(ws);
    dsml_model_free(model);
    return 0;
}

static int bench_embed(int threads, int n)
{
    const int batch = 100, dim = 32, row = 28 * 28;
    dsml_model *model;
    int rc = make_convnet(&model, batch, dim);
    if (rc) return die(rc);
    dsml_rng rng;
    dsml_rng_seed(&rng, 3);
    float *x = random_floats(&rng, (long)batch * row);
    const float *h;
    dsml_model_forward(model, x, batch, 0, NULL, &h);
    double start = dsml_now();
    for (int done = 0; done < n; done += batch) {
        int count = n - done < batch ? n - done : batch;
        if ((rc = dsml_model_forward(model, x, count, 0, NULL, &h))) return die(rc);
    }
    double elapsed = dsml_now() - start;
    printf("{\"bench\": \"embed\", \"threads\": %d, \"images\": %d, \"seconds\": %.3f, \"images_per_s\": %.1f}\n",
           threads, n, elapsed, n / elapsed);
    free(x);
    dsml_model_free(model);
    return 0;
}

static int bench_eval(int threads, int nq, int ndb, int d)
{
    dsml_rng rng;
    dsml_rng_seed(&rng, 4);
    /* Ten Gaussian clusters, so that the metrics are neither 0 nor 1. */
    float *centres = random_floats(&rng, 10L * d);
    float *q = malloc(sizeof(float) * (size_t)nq * d), *db = malloc(sizeof(float) * (size_t)ndb * d);
    int *ql = malloc(sizeof(int) * (size_t)nq), *dl = malloc(sizeof(int) * (size_t)ndb);
    for (int i = 0; i < nq + ndb; i++) {
        int label = (int)dsml_rng_below(&rng, 10);
        float *row = i < nq ? q + (long)i * d : db + (long)(i - nq) * d;
        for (int j = 0; j < d; j++) row[j] = centres[label * d + j] + 1.5f * (float)dsml_rng_normal(&rng);
        if (i < nq) ql[i] = label; else dl[i - nq] = label;
    }
    long rss_before = peak_rss_kib();
    dsml_retrieval_config cfg;
    dsml_retrieval_config_default(&cfg);
    cfg.f1_at = 5000;
    dsml_retrieval_result re, rh;
    double t0 = dsml_now();
    int rc = dsml_eval_euclidean(q, ql, nq, db, dl, ndb, d, &cfg, &re);
    double t1 = dsml_now();
    if (!rc) rc = dsml_eval_hamming(q, ql, nq, db, dl, ndb, d, &cfg, &rh);
    double t2 = dsml_now();
    if (rc) return die(rc);
    printf("{\"bench\": \"eval\", \"threads\": %d, \"queries\": %d, \"database\": %d, \"dim\": %d, "
           "\"euclidean_s\": %.3f, \"hamming_s\": %.3f, \"total_s\": %.3f, \"peak_rss_mib\": %.1f, "
           "\"inputs_mib\": %.1f, \"recall@1\": %.4f, \"map\": %.4f, \"hamming_map\": %.4f}\n",
           threads, nq, ndb, d, t1 - t0, t2 - t1, t2 - t0, peak_rss_kib() / 1024.0,
           rss_before / 1024.0, re.recall[0], re.map, rh.map);
    free(centres); free(q); free(db); free(ql); free(dl);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_dsml sgemm|train|embed|eval THREADS [ARGS]\n");
        return 2;
    }
    int threads = atoi(argv[2]);
    dsml_set_threads(threads);
    if (!strcmp(argv[1], "sgemm")) return bench_sgemm(threads);
    if (!strcmp(argv[1], "train") && argc >= 5)
        return bench_train(threads, argv[3], argv[4], argc > 5 ? atoi(argv[5]) : 50);
    if (!strcmp(argv[1], "embed")) return bench_embed(threads, argc > 3 ? atoi(argv[3]) : 70000);
    if (!strcmp(argv[1], "eval"))
        return bench_eval(threads, argc > 3 ? atoi(argv[3]) : 1000, argc > 4 ? atoi(argv[4]) : 69000,
                          argc > 5 ? atoi(argv[5]) : 32);
    fprintf(stderr, "bench_dsml: unknown benchmark '%s'\n", argv[1]);
    return 2;
}
