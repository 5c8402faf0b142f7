/* The convnet benchmarks: the SGEMM ceiling, training throughput and
 * forward-only embedding throughput, on real Fashion-MNIST images.
 *
 * With a work directory, each writes what its PyTorch peer
 * (bench/peers/torch_convnet.py) needs to compute the same thing and check
 * agreement: the initial parameters (params.npy, the model's block in
 * model.h's order and layouts), the normalised input batches (x.npy), labels,
 * dsml's embeddings and losses. */
#include "bench_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#include "bench_common.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/timer.h"
#include "data/idx.h"
#include "metric/loss.h"
#include "nn/model.h"
#include "run/batch.h"
#include "run/embed.h"
#include "run/input_pipeline.h"

#define IMAGE_FLOATS (28 * 28)

/* GFLOP/s of C = A B for one shape, best of `reps` after a warm-up. */
static double sgemm_rate(dsml_rng *rng, int m, int n, int k, int reps)
{
    float *a = bench_normal_floats(rng, (long)m * k), *b = bench_normal_floats(rng, (long)k * n);
    float *c = bench_alloc(sizeof(float) * (size_t)m * n);
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

int bench_sgemm(int threads, int size)
{
    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    /* The square case is BLIS's best; conv2 forward is (B*14*14) x 64 x 800 at batch 100. */
    double square = sgemm_rate(&rng, size, size, size, 5);
    double conv2 = sgemm_rate(&rng, 19600, 64, 800, 10);
    printf("{\"bench\": \"sgemm\", \"threads\": %d, \"size\": %d, \"gflops_square\": %.1f, "
           "\"gflops_conv2_shape\": %.1f}\n", threads, size, square, conv2);
    return 0;
}

static const char *fashion_mnist_dir(void)
{
    const char *dir = getenv("DSML_FASHION_MNIST");
    return dir && dir[0] ? dir : "/usr/share/datasets/fashion-mnist";
}

static void read_fashion_mnist(dsml_dataset *ds)
{
    int rc = dsml_fashion_mnist_read(ds, fashion_mnist_dir(), DSML_ANY_COUNT, DSML_ANY_COUNT);
    if (rc) bench_die("reading Fashion-MNIST", rc);
}

static dsml_model *make_convnet(int batch, int dim)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 1, .height = 28, .width = 28,
                             .dim = dim, .max_batch = batch};
    return bench_model_create(&cfg, "creating the convnet");
}

static void write_norm(const dsml_input_norm *norm, const char *work)
{
    /* The affine map dsml_batch_fill applies: x = pixel * scale + shift, in float. */
    float affine[2] = {norm->inv_std[0] / 255.0f, -norm->mean[0] * norm->inv_std[0]};
    bench_npy_write(work, "norm.npy", "<f4", affine, 2, 0);
}

/* Batches of 10 classes x 10 images of Fashion-MNIST: `batches` x 100 image
 * indices, each class's images in a seeded random order, class c at
 * positions 10c..10c+9 of every batch. */
static int *pk_batches(const dsml_dataset *ds, int batches)
{
    int *order = bench_alloc(sizeof(int) * (size_t)ds->n);
    int *idx = bench_alloc(sizeof(int) * (size_t)batches * 100);
    int next[10] = {0};
    for (int i = 0; i < ds->n; i++) order[i] = i;
    dsml_rng rng;
    dsml_rng_seed(&rng, 7);
    dsml_rng_shuffle_int(&rng, order, (size_t)ds->n);
    for (int b = 0; b < batches; b++)
        for (int c = 0; c < 10; c++)
            for (int k = 0; k < 10; k++) {
                while (next[c] < ds->n && ds->labels[order[next[c]]] != c) next[c]++;
                if (next[c] >= ds->n) bench_fail("Fashion-MNIST: too few images of class %d", c);
                idx[b * 100 + c * 10 + k] = order[next[c]++];
            }
    free(order);
    return idx;
}

int bench_train(int threads, const char *loss_name, const char *dist_name, int iters, const char *work)
{
    enum { BATCH = 100, DIM = 32, BATCHES = 20 };
    dsml_loss_kind lk;
    dsml_distance_kind dk;
    if (dsml_loss_parse(loss_name, &lk) || dsml_distance_parse(dist_name, &dk))
        bench_fail("train: unknown loss '%s' or distance '%s'", loss_name, dist_name);
    dsml_dataset ds;
    read_fashion_mnist(&ds);
    int *idx = pk_batches(&ds, BATCHES);
    dsml_input_norm norm;
    int rc = dsml_input_norm_fit(&norm, &ds, idx, BATCHES * BATCH);
    if (rc) bench_die("input normalisation", rc);
    float *x = bench_alloc(sizeof(float) * (size_t)BATCHES * BATCH * IMAGE_FLOATS);
    dsml_batch_fill(&ds, &norm, idx, BATCHES * BATCH, x);
    int labels[BATCHES * BATCH];
    for (int i = 0; i < BATCHES * BATCH; i++) labels[i] = ds.labels[idx[i]];

    dsml_model *model = make_convnet(BATCH, DIM);
    if (work) {
        bench_write_params(model, work);
        bench_npy_write(work, "x.npy", "<f4", x, (long)BATCHES * BATCH, IMAGE_FLOATS);
        bench_npy_write(work, "labels.npy", "<i4", labels, (long)BATCHES * BATCH, 0);
    }
    dsml_loss_params lp = dsml_loss_defaults(lk, dk);
    float h0[BATCH * DIM];
    bench_steps st = bench_train_steps(model, &lp, x, labels, BATCHES, BATCH, iters, h0);
    if (work) {
        bench_npy_write(work, "h0.npy", "<f4", h0, BATCH, DIM);
        bench_npy_write(work, "losses.npy", "<f4", st.losses, BENCH_CHECK_STEPS, 0);
    }
    double images_per_s = (double)iters * BATCH / st.seconds;
    double flops = dsml_model_flops_per_image(model, 1);
    printf("{\"bench\": \"train\", \"threads\": %d, \"loss\": \"%s\", \"distance\": \"%s\", \"batch\": %d, "
           "\"dim\": %d, \"margin\": %g, \"lambda\": %g, \"iters\": %d, \"images_per_s\": %.1f, "
           "\"gflop_per_image\": %.5f, "
           "\"gemm_gflops_effective\": %.1f, \"loss_share\": %.4f, \"losses\": [%.6g, %.6g, %.6g], "
           "\"peak_rss_mib\": %.1f}\n",
           threads, loss_name, dist_name, BATCH, DIM, lp.margin, lp.lambda, iters, images_per_s, flops / 1e9,
           images_per_s * flops / 1e9, st.loss_seconds / st.seconds, st.losses[0], st.losses[1], st.losses[2],
           bench_peak_rss_mib());
    free(x); free(idx);
    dsml_model_free(model);
    dsml_dataset_free(&ds);
    return 0;
}

int bench_embed(int threads, int n, const char *work)
{
    enum { BATCH = 100, DIM = 32 };
    dsml_dataset ds;
    read_fashion_mnist(&ds);
    if (n < 1 || n > ds.n) bench_fail("embed: %d images asked, Fashion-MNIST has %d", n, ds.n);
    int *idx = bench_alloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) idx[i] = i;
    dsml_input_norm norm;
    int rc = dsml_input_norm_fit(&norm, &ds, idx, n);
    if (rc) bench_die("input normalisation", rc);
    dsml_input_spec spec;
    dsml_input_spec_default(&spec); /* the cache's images, normalised as fitted: what dsml train does */
    dsml_input_pipeline pipe;
    if ((rc = dsml_input_pipeline_init(&pipe, &spec, &ds, &norm, BATCH, omp_get_max_threads())))
        bench_die("input pipeline", rc);
    dsml_model *model = make_convnet(BATCH, DIM);
    float *xbuf = bench_alloc(sizeof(float) * BATCH * IMAGE_FLOATS);
    float *out = bench_alloc(sizeof(float) * (size_t)n * DIM);
    /* warm-up: one batch */
    if ((rc = dsml_embed(model, DIM, &ds, &pipe, idx, n < BATCH ? n : BATCH, BATCH, xbuf, out)))
        bench_die("embed", rc);
    double start = dsml_now();
    if ((rc = dsml_embed(model, DIM, &ds, &pipe, idx, n, BATCH, xbuf, out))) bench_die("embed", rc);
    double elapsed = dsml_now() - start;
    if (work) {
        bench_write_params(model, work);
        write_norm(&norm, work);
        bench_npy_write(work, "embeddings.npy", "<f4", out, n, DIM);
    }
    printf("{\"bench\": \"embed\", \"threads\": %d, \"images\": %d, \"seconds\": %.3f, \"images_per_s\": %.1f, "
           "\"peak_rss_mib\": %.1f}\n", threads, n, elapsed, n / elapsed, bench_peak_rss_mib());
    free(idx); free(xbuf); free(out);
    dsml_model_free(model);
    dsml_input_pipeline_free(&pipe);
    dsml_dataset_free(&ds);
    return 0;
}
