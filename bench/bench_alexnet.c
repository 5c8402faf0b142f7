/* The AlexNet benchmarks: training and forward-only embedding throughput of
 * torchvision's AlexNet layout (3x227x227 in, the last layer 4096 -> 32) on
 * one batch of synthetic images, the size of the networks the paper trains.
 *
 * The images are standard normal noise: a network's speed does not depend on
 * what its pixels show, and noise needs no dataset on the machine. Dropout is
 * 0 (dsml train's default too), so that the PyTorch peer
 * (bench/peers/torch_alexnet.py) computes exactly the same steps from the
 * parameters in params.npy. */
#include "bench_jobs.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench_common.h"
#include "core/timer.h"
#include "metric/loss.h"
#include "nn/model.h"

enum { SIDE = 227, CHANNELS = 3, DIM = 32, CLASS_SIZE = 10 };
#define IMAGE_FLOATS ((long)CHANNELS * SIDE * SIDE)

static dsml_model *make_alexnet(int batch)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_ALEXNET, .channels = CHANNELS, .height = SIDE, .width = SIDE,
                             .dim = DIM, .max_batch = batch, .dropout = 0};
    return bench_model_create(&cfg, "creating AlexNet");
}

/* x.npy: batch x 3 x 227 x 227, as the peer feeds it to PyTorch. */
static void write_images(const float *x, int batch, const char *work)
{
    long shape[4] = {batch, CHANNELS, SIDE, SIDE};
    bench_npy_write_nd(work, "x.npy", "<f4", x, 4, shape);
}

/* batch images of standard normal pixels (CHW), from a seed of their own so
 * that they do not depend on the parameters' draws. Caller frees. */
static float *noise_batch(int batch)
{
    dsml_rng rng;
    dsml_rng_seed(&rng, 2);
    return bench_normal_floats(&rng, batch * IMAGE_FLOATS);
}

int bench_alexnet_train(int threads, const char *loss_name, const char *dist_name, int batch, int iters,
                        const char *work)
{
    dsml_loss_kind lk;
    dsml_distance_kind dk;
    if (dsml_loss_parse(loss_name, &lk) || dsml_distance_parse(dist_name, &dk))
        bench_fail("alexnet-train: unknown loss '%s' or distance '%s'", loss_name, dist_name);
    if (batch < CLASS_SIZE || batch % CLASS_SIZE || iters < 1)
        bench_fail("alexnet-train: batch %d, %d iterations; expected a batch that is a positive multiple of %d "
                   "(classes of %d images) and at least 1 iteration", batch, iters, CLASS_SIZE, CLASS_SIZE);
    float *x = noise_batch(batch);
    int *labels = bench_alloc(sizeof(int) * (size_t)batch);
    for (int i = 0; i < batch; i++) labels[i] = i / CLASS_SIZE; /* class c at 10c..10c+9 */
    dsml_model *model = make_alexnet(batch);
    if (work) {
        bench_write_params(model, work);
        write_images(x, batch, work);
        bench_npy_write(work, "labels.npy", "<i4", labels, batch, 0);
    }
    dsml_loss_params lp = dsml_loss_defaults(lk, dk);
    float *h0 = bench_alloc(sizeof(float) * (size_t)batch * DIM);
    bench_steps st = bench_train_steps(model, &lp, x, labels, 1, batch, iters, h0);
    if (work) {
        bench_npy_write(work, "h0.npy", "<f4", h0, batch, DIM);
        bench_npy_write(work, "losses.npy", "<f4", st.losses, BENCH_CHECK_STEPS, 0);
    }
    printf("{\"bench\": \"alexnet-train\", \"threads\": %d, \"loss\": \"%s\", \"distance\": \"%s\", \"batch\": %d, "
           "\"dim\": %d, \"margin\": %g, \"lambda\": %g, \"iters\": %d, \"images_per_s\": %.2f, "
           "\"gflop_per_image\": %.4f, \"losses\": [%.6g, %.6g, %.6g], \"peak_rss_mib\": %.1f}\n",
           threads, loss_name, dist_name, batch, DIM, lp.margin, lp.lambda, iters, (double)iters * batch / st.seconds,
           dsml_model_flops_per_image(model, 1) / 1e9, st.losses[0], st.losses[1], st.losses[2],
           bench_peak_rss_mib());
    free(x); free(labels); free(h0);
    dsml_model_free(model);
    return 0;
}

int bench_alexnet_embed(int threads, int batch, int reps, const char *work)
{
    if (batch < 1 || reps < 1)
        bench_fail("alexnet-embed: batch %d and %d passes; expected at least 1 each", batch, reps);
    float *x = noise_batch(batch);
    dsml_model *model = make_alexnet(batch);
    const float *h;
    int rc = dsml_model_forward(model, x, batch, 0, NULL, &h); /* warm-up */
    if (rc) bench_die("forward", rc);
    double start = dsml_now();
    for (int r = 0; r < reps; r++)
        if ((rc = dsml_model_forward(model, x, batch, 0, NULL, &h))) bench_die("forward", rc);
    double elapsed = dsml_now() - start;
    if (work) {
        bench_write_params(model, work);
        write_images(x, batch, work);
        bench_npy_write(work, "embeddings.npy", "<f4", h, batch, DIM);
    }
    long images = (long)batch * reps;
    printf("{\"bench\": \"alexnet-embed\", \"threads\": %d, \"batch\": %d, \"images\": %ld, \"seconds\": %.3f, "
           "\"images_per_s\": %.2f, \"gflop_per_image\": %.4f, \"peak_rss_mib\": %.1f}\n",
           threads, batch, images, elapsed, images / elapsed, dsml_model_flops_per_image(model, 0) / 1e9,
           bench_peak_rss_mib());
    free(x);
    dsml_model_free(model);
    return 0;
}
