/* Tests of the input pipeline (src/run/input_pipeline.c) and its bilinear
 * kernel (src/data/bilinear.c): PyTorch's bilinear against hand-computed
 * values, torch's own output (tests/reference/bilinear_torch.py) and a naive
 * reference; torchvision's centre-crop offsets, random crops and flips
 * replayed from the documented draw order; every normalisation, the
 * bit-identity with dsml_batch_fill; the same batch on 1 and 2 threads;
 * channel replication; the refusals; the scratch memory at AlexNet's size. */
#include <check.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/rng.h"
#include "data/bilinear.h"
#include "run/batch.h"
#include "run/input_pipeline.h"
#include "support/expect.h"
#include "support/suite_run.h"

static const float imagenet_mean[3] = {0.485f, 0.456f, 0.406f}, imagenet_std[3] = {0.229f, 0.224f, 0.225f};

/* n images C x h x w; pixel bytes from `seed` (0: image i's byte k is (i * 31 + k * 7) % 256). */
static void make_ds(dsml_dataset *ds, int n, int c, int h, int w, uint64_t seed)
{
    uint8_t *pixels;
    int32_t *labels;
    ck_assert_int_eq(dsml_dataset_alloc(ds, "toy", n, c, h, w, 2, &pixels, &labels), DSML_OK);
    dsml_rng rng;
    dsml_rng_seed(&rng, seed);
    size_t row = (size_t)c * h * w;
    for (int i = 0; i < n; i++) {
        labels[i] = i % 2;
        for (size_t k = 0; k < row; k++)
            pixels[i * row + k] = seed ? (uint8_t)dsml_rng_below(&rng, 256) : (uint8_t)((i * 31 + k * 7) % 256);
    }
}

/* A spec that leaves pixels as they are (0..255): MEAN_IMAGE with zero means. */
static dsml_input_spec raw_spec(void)
{
    dsml_input_spec s;
    dsml_input_spec_default(&s);
    s.norm = DSML_INPUT_NORM_MEAN_IMAGE;
    return s;
}

/* torchvision's ImageNet statistics on [0, 1] pixels, the rest default. */
static dsml_input_spec imagenet_spec(void)
{
    dsml_input_spec s;
    dsml_input_spec_default(&s);
    s.norm = DSML_INPUT_NORM_GIVEN;
    memcpy(s.mean, imagenet_mean, sizeof imagenet_mean);
    memcpy(s.std, imagenet_std, sizeof imagenet_std);
    return s;
}

static int *iota(int n)
{
    int *a = malloc(sizeof *a * (size_t)n);
    for (int i = 0; i < n; i++) a[i] = i;
    return a;
}

/* ---------------------------------------------------------------- bilinear */

/* [[10, 20], [30, 40]] to 4x4 by hand: along an axis s = 0.5, outputs read
 * x = 0 (clamped from -0.25), 0.25, 0.75, 1.25 (i0 clamped to 1). */
static const float up_2x2[4] = {10, 20, 30, 40};
static const float up_4x4[16] = {10, 12.5f, 17.5f, 20, 15, 17.5f, 22.5f, 25,
                                 25, 27.5f, 32.5f, 35, 30, 32.5f, 37.5f, 40};

START_TEST(test_bilinear_upsamples_as_by_hand)
{
    float out[16];
    ck_assert_int_eq(dsml_bilinear_resize_f32(up_2x2, 1, 2, 2, out, 4, 4), DSML_OK);
    for (int k = 0; k < 16; k++) ck_assert_float_eq(out[k], up_4x4[k]);
    /* the pipeline's uint8 path gives the same */
    dsml_dataset ds;
    uint8_t *pixels;
    int32_t *labels;
    ck_assert_int_eq(dsml_dataset_alloc(&ds, "toy", 1, 1, 2, 2, 1, &pixels, &labels), DSML_OK);
    for (int k = 0; k < 4; k++) pixels[k] = (uint8_t)up_2x2[k];
    dsml_input_spec s = raw_spec();
    s.resize_h = s.resize_w = 4;
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 1, 1), DSML_OK);
    int index = 0;
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, &index, 1, out), DSML_OK);
    for (int k = 0; k < 16; k++) ck_assert_float_eq(out[k], up_4x4[k]);
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

START_TEST(test_bilinear_downsamples_without_antialias)
{
    /* 4x4 -> 2x2: s = 2, outputs read 0.5 and 2.5: the mean of each 2x2 block */
    float src[16], out[4];
    for (int k = 0; k < 16; k++) src[k] = (float)(k * k);
    ck_assert_int_eq(dsml_bilinear_resize_f32(src, 1, 4, 4, out, 2, 2), DSML_OK);
    ck_assert_float_eq_tol(out[0], (0 + 1 + 16 + 25) / 4.0f, 1e-5);
    ck_assert_float_eq_tol(out[1], (4 + 9 + 36 + 49) / 4.0f, 1e-5);
    ck_assert_float_eq_tol(out[2], (64 + 81 + 144 + 169) / 4.0f, 1e-4);
    ck_assert_float_eq_tol(out[3], (100 + 121 + 196 + 225) / 4.0f, 1e-4);
    /* 1x5 -> 1x3: s = 5/3, outputs read 1/3, 2 and 11/3; the rows copy (1 -> 1) */
    const float row[5] = {0, 10, 20, 30, 40};
    ck_assert_int_eq(dsml_bilinear_resize_f32(row, 1, 1, 5, out, 1, 3), DSML_OK);
    ck_assert_float_eq_tol(out[0], 10.0f / 3, 1e-4);
    ck_assert_float_eq_tol(out[1], 20.0f, 1e-4);
    ck_assert_float_eq_tol(out[2], 110.0f / 3, 1e-4);
    /* a single column stretched: every output reads it */
    const float one = 7;
    ck_assert_int_eq(dsml_bilinear_resize_f32(&one, 1, 1, 1, out, 2, 2), DSML_OK);
    for (int k = 0; k < 4; k++) ck_assert_float_eq(out[k], 7);
}
END_TEST

START_TEST(test_bilinear_equal_sizes_copy_exactly)
{
    enum { C = 2, H = 5, W = 7 };
    float src[C * H * W], out[C * H * W];
    dsml_rng rng;
    dsml_rng_seed(&rng, 3);
    for (int k = 0; k < C * H * W; k++) src[k] = (float)dsml_rng_normal(&rng) * 1e3f;
    ck_assert_int_eq(dsml_bilinear_resize_f32(src, C, H, W, out, H, W), DSML_OK);
    ck_assert_int_eq(memcmp(src, out, sizeof src), 0);
    dsml_bilinear_tap taps[W];
    dsml_bilinear_taps(W, W, taps);
    for (int o = 0; o < W; o++) {
        ck_assert_int_eq(taps[o].i0, o);
        ck_assert_float_eq(taps[o].w0, 1.0f);
        ck_assert_float_eq(taps[o].w1, 0.0f);
    }
    expect_error(dsml_bilinear_resize_f32(src, C, H, W, out, 0, W), DSML_ERR_ARG, "expected positive sizes");
}
END_TEST

/* F.interpolate(x, size=(9, 4), mode='bilinear', align_corners=False) of the
 * 5x6 image x[r][c] = (r * 37 + c * 11) % 23 * 10 + c (float32), printed by
 * tests/reference/bilinear_torch.py with torch 1.13. */
static const float torch_5x6_to_9x4[36] = {
    27.75f, 194.25f, 130.75f, 124.75f, 55.2500038f, 164.25f,
    100.75f, 94.75f, 101.083344f, 114.25f, 50.7499962f, 44.7499924f,
    95.8055496f, 89.8055496f, 77.4166718f, 71.4166718f, 77.7500076f, 71.7500076f,
    123.249992f, 117.249992f, 123.583344f, 117.583344f, 105.194443f, 99.1944427f,
    156.63887f, 150.638885f, 99.9166794f, 93.9166794f, 138.583328f, 132.583328f,
    145.750015f, 139.750015f, 127.75f, 121.75f, 173.25f, 167.25f,
};

START_TEST(test_bilinear_matches_torch)
{
    float src[30], out[36];
    dsml_dataset ds;
    uint8_t *pixels;
    int32_t *labels;
    ck_assert_int_eq(dsml_dataset_alloc(&ds, "toy", 1, 1, 5, 6, 1, &pixels, &labels), DSML_OK);
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 6; c++) {
            src[r * 6 + c] = (float)((r * 37 + c * 11) % 23 * 10 + c);
            pixels[r * 6 + c] = (uint8_t)src[r * 6 + c];
        }
    ck_assert_int_eq(dsml_bilinear_resize_f32(src, 1, 5, 6, out, 9, 4), DSML_OK);
    for (int k = 0; k < 36; k++) ck_assert_float_eq_tol(out[k], torch_5x6_to_9x4[k], 1e-4);
    /* the pipeline's uint8 path */
    dsml_input_spec s = raw_spec();
    s.resize_h = 9;
    s.resize_w = 4;
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 1, 1), DSML_OK);
    int index = 0;
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, &index, 1, out), DSML_OK);
    for (int k = 0; k < 36; k++) ck_assert_float_eq_tol(out[k], torch_5x6_to_9x4[k], 1e-4);
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

/* The bilinear value at output (y, x) of a crop at (oy, ox) of src (h x w)
 * resized to rh x rw, flipped when flip: the formula of bilinear.h in double,
 * one pixel at a time (no taps, no row reuse). */
static double naive_pixel(const uint8_t *src, int h, int w, int rh, int rw, int oy, int ox, int out_w, int flip,
                          int y, int x)
{
    int ry = y + oy, rx = ox + (flip ? out_w - 1 - x : x);
    double pos[2] = {((double)ry + 0.5) * h / rh - 0.5, ((double)rx + 0.5) * w / rw - 0.5};
    int n[2] = {h, w}, i0[2], i1[2];
    double l[2];
    for (int a = 0; a < 2; a++) {
        if (pos[a] < 0) pos[a] = 0;
        i0[a] = (int)floor(pos[a]);
        if (i0[a] > n[a] - 1) i0[a] = n[a] - 1;
        l[a] = fmin(fmax(pos[a] - i0[a], 0), 1);
        i1[a] = i0[a] < n[a] - 1 ? i0[a] + 1 : i0[a];
    }
    double top = (1 - l[1]) * src[i0[0] * w + i0[1]] + l[1] * src[i0[0] * w + i1[1]];
    double bottom = (1 - l[1]) * src[i1[0] * w + i0[1]] + l[1] * src[i1[0] * w + i1[1]];
    return (1 - l[0]) * top + l[0] * bottom;
}

/* Resize up, down and mixed, with random crops and flips, against the naive
 * formula; the draws are replayed in the documented order. */
START_TEST(test_pipeline_matches_naive_bilinear)
{
    static const int shapes[][6] = {/* h, w, resize h, w, out h, w */
                                    {7, 5, 23, 17, 20, 11}, {37, 29, 11, 13, 9, 13}, {6, 9, 14, 4, 10, 3}};
    for (int k = 0; k < 3; k++) {
        const int *sh = shapes[k];
        dsml_dataset ds;
        make_ds(&ds, 6, 2, sh[0], sh[1], 10 + k);
        dsml_input_spec s = raw_spec();
        s.resize_h = sh[2];
        s.resize_w = sh[3];
        s.out_h = sh[4];
        s.out_w = sh[5];
        s.crop = DSML_INPUT_CROP_RANDOM;
        s.flip = 1;
        dsml_input_pipeline p;
        ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 6, 2), DSML_OK);
        int idx[6] = {5, 0, 3, 3, 1, 2};
        float *out = malloc(sizeof(float) * 6 * dsml_input_pipeline_row(&p));
        dsml_rng rng, replay;
        dsml_rng_seed(&rng, 100 + k);
        replay = rng;
        ck_assert_int_eq(dsml_input_fill_train(&p, &ds, idx, 6, &rng, out), DSML_OK);
        int flips = 0;
        for (int i = 0; i < 6; i++) {
            int oy = (int)dsml_rng_below(&replay, (uint64_t)(sh[2] - sh[4] + 1));
            int ox = (int)dsml_rng_below(&replay, (uint64_t)(sh[3] - sh[5] + 1));
            int flip = (int)dsml_rng_below(&replay, 2);
            flips += flip;
            for (int c = 0; c < 2; c++) {
                const uint8_t *src = ds.pixels + ((size_t)idx[i] * 2 + c) * sh[0] * sh[1];
                for (int y = 0; y < sh[4]; y++)
                    for (int x = 0; x < sh[5]; x++) {
                        double want = naive_pixel(src, sh[0], sh[1], sh[2], sh[3], oy, ox, sh[5], flip, y, x);
                        float got = out[(size_t)i * dsml_input_pipeline_row(&p) + ((size_t)c * sh[4] + y) * sh[5] + x];
                        ck_assert_msg(fabs(got - want) < 1e-3, "shape %d image %d (%d, %d, %d): %g, expected %g", k,
                                      i, c, y, x, got, want);
                    }
            }
        }
        ck_assert_mem_eq(&rng, &replay, sizeof rng); /* nothing else drawn */
        free(out);
        dsml_input_pipeline_free(&p);
        dsml_dataset_free(&ds);
    }
}
END_TEST

/* ------------------------------------------------------------ crop and flip */

START_TEST(test_centre_crop_rounds_like_torchvision)
{
    /* int(round((R - O) / 2.0)), halves to even */
    static const int cases[][3] = {{256, 227, 14}, {257, 224, 16}, {259, 224, 18}, {5, 2, 2},
                                   {6, 3, 2},      {4, 3, 0},      {256, 224, 16}, {227, 227, 0}};
    dsml_dataset ds;
    make_ds(&ds, 1, 1, 8, 8, 0);
    for (int k = 0; k < 8; k++) {
        dsml_input_spec s = raw_spec();
        s.resize_h = cases[k][0];
        s.resize_w = 300;
        s.out_h = cases[k][1];
        s.out_w = 300;
        s.crop = DSML_INPUT_CROP_CENTRE;
        dsml_input_pipeline p;
        ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 1, 1), DSML_OK);
        ck_assert_msg(p.centre_y == cases[k][2], "%d -> %d: offset %d, expected %d", cases[k][0], cases[k][1],
                      p.centre_y, cases[k][2]);
        ck_assert_int_eq(p.centre_x, 0);
        dsml_input_pipeline_free(&p);
    }
    /* the batch is that crop: 6x6 -> 3x3 at (2, 2), in training and evaluation alike */
    dsml_dataset_free(&ds);
    make_ds(&ds, 2, 1, 6, 6, 0);
    dsml_input_spec s = raw_spec();
    s.out_h = s.out_w = 3;
    s.crop = DSML_INPUT_CROP_CENTRE;
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 2, 1), DSML_OK);
    int idx[2] = {1, 0};
    float ev[18], tr[18];
    dsml_rng rng, before;
    dsml_rng_seed(&rng, 1);
    before = rng;
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, idx, 2, ev), DSML_OK);
    ck_assert_int_eq(dsml_input_fill_train(&p, &ds, idx, 2, &rng, tr), DSML_OK);
    ck_assert_mem_eq(&rng, &before, sizeof rng); /* a centre crop draws nothing */
    ck_assert_mem_eq(ev, tr, sizeof ev);
    for (int i = 0; i < 2; i++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++)
                ck_assert_float_eq(ev[i * 9 + y * 3 + x], ds.pixels[idx[i] * 36 + (y + 2) * 6 + x + 2]);
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

START_TEST(test_random_crop_and_flip_are_uniform_and_replayable)
{
    /* 6x5 -> 4x2 with no resize: offsets 0..2 x 0..3, each image's pixels checked */
    enum { N = 64, H = 6, W = 5, OH = 4, OW = 2 };
    dsml_dataset ds;
    make_ds(&ds, N, 1, H, W, 0);
    dsml_input_spec s = raw_spec();
    s.out_h = OH;
    s.out_w = OW;
    s.crop = DSML_INPUT_CROP_RANDOM;
    s.flip = 1;
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, N, 2), DSML_OK);
    int *idx = iota(N), seen[3][4] = {{0}}, flips = 0;
    float out[N * OH * OW];
    dsml_rng rng, replay;
    dsml_rng_seed(&rng, 8);
    for (int round = 0; round < 20; round++) {
        replay = rng;
        ck_assert_int_eq(dsml_input_fill_train(&p, &ds, idx, N, &rng, out), DSML_OK);
        for (int i = 0; i < N; i++) {
            int oy = (int)dsml_rng_below(&replay, H - OH + 1), ox = (int)dsml_rng_below(&replay, W - OW + 1);
            int flip = (int)dsml_rng_below(&replay, 2);
            seen[oy][ox]++;
            flips += flip;
            for (int y = 0; y < OH; y++)
                for (int x = 0; x < OW; x++) {
                    int sx = ox + (flip ? OW - 1 - x : x);
                    ck_assert_float_eq(out[(i * OH + y) * OW + x], ds.pixels[i * H * W + (oy + y) * W + sx]);
                }
        }
    }
    /* 1280 draws over 12 offsets (about 107 each) and 2 flips */
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 4; b++) ck_assert_msg(seen[a][b] > 60 && seen[a][b] < 160, "offset (%d, %d): %d", a, b,
                                                  seen[a][b]);
    ck_assert_int_gt(flips, 560);
    ck_assert_int_lt(flips, 720);
    free(idx);
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

START_TEST(test_flip_mirrors_the_resized_crop)
{
    /* centre crop of a resize, with flips: each training image is the
     * evaluation image or its exact mirror */
    enum { N = 16 };
    dsml_dataset ds;
    make_ds(&ds, N, 3, 9, 11, 4);
    dsml_input_spec s = raw_spec();
    s.resize_h = 20;
    s.resize_w = 25;
    s.out_h = 17;
    s.out_w = 19;
    s.crop = DSML_INPUT_CROP_CENTRE;
    s.flip = 1;
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, N, 2), DSML_OK);
    size_t row = dsml_input_pipeline_row(&p);
    float *ev = malloc(sizeof(float) * N * row), *tr = malloc(sizeof(float) * N * row);
    int *idx = iota(N), flipped = 0;
    dsml_rng rng;
    dsml_rng_seed(&rng, 2);
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, idx, N, ev), DSML_OK);
    ck_assert_int_eq(dsml_input_fill_train(&p, &ds, idx, N, &rng, tr), DSML_OK);
    for (int i = 0; i < N; i++) {
        const float *e = ev + i * row, *t = tr + i * row;
        int same = memcmp(e, t, sizeof(float) * row) == 0, mirror = 1;
        for (int r = 0; r < 3 * 17; r++)
            for (int x = 0; x < 19; x++) mirror &= t[r * 19 + x] == e[r * 19 + 18 - x];
        ck_assert_msg(same != mirror, "image %d: same %d, mirror %d", i, same, mirror);
        flipped += mirror;
    }
    ck_assert_int_gt(flipped, 0);
    ck_assert_int_lt(flipped, N);
    free(idx);
    free(ev);
    free(tr);
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

/* ------------------------------------------------------------ normalisation */

START_TEST(test_default_pipeline_is_batch_fill)
{
    enum { N = 20 };
    dsml_dataset ds;
    make_ds(&ds, N, 3, 5, 7, 6);
    int *idx = iota(N);
    dsml_input_norm norm;
    ck_assert_int_eq(dsml_input_norm_fit(&norm, &ds, idx, N), DSML_OK);
    dsml_input_spec s;
    dsml_input_spec_default(&s);
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, &norm, N, 2), DSML_OK);
    ck_assert_int_eq(dsml_input_pipeline_row(&p), 3 * 5 * 7);
    float want[N * 105], got[N * 105];
    int order[N];
    for (int i = 0; i < N; i++) order[i] = (i * 7) % N;
    dsml_batch_fill(&ds, &norm, order, N, want);
    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    ck_assert_int_eq(dsml_input_fill_train(&p, &ds, order, N, &rng, got), DSML_OK);
    ck_assert_mem_eq(want, got, sizeof want);
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, order, N, got), DSML_OK);
    ck_assert_mem_eq(want, got, sizeof want);
    /* recorded on [0, 1] */
    for (int c = 0; c < 3; c++) {
        ck_assert_float_eq(p.mean01[c], norm.mean[c]);
        ck_assert_float_eq_tol(p.std01[c] * norm.inv_std[c], 1.0f, 1e-6);
    }
    free(idx);
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

START_TEST(test_given_and_mean_value_normalisation)
{
    dsml_dataset ds;
    make_ds(&ds, 3, 3, 4, 4, 9);
    int idx[3] = {2, 0, 1};
    float out[3 * 48];
    dsml_input_spec s = imagenet_spec();
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 3, 1), DSML_OK);
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, idx, 3, out), DSML_OK);
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 48; k++) {
            int c = k / 16;
            double want = (ds.pixels[idx[i] * 48 + k] / 255.0 - imagenet_mean[c]) / imagenet_std[c];
            ck_assert_double_eq_tol(out[i * 48 + k], want, 2e-6);
        }
    dsml_input_pipeline_free(&p);
    /* CNN-F's 3 values: v - m in pixel units, exactly */
    s.norm = DSML_INPUT_NORM_MEAN_IMAGE;
    const float pm[3] = {122.5f, 115.25f, 103.75f};
    memcpy(s.pixel_mean, pm, sizeof pm);
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 3, 1), DSML_OK);
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, idx, 3, out), DSML_OK);
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 48; k++) ck_assert_float_eq(out[i * 48 + k], ds.pixels[idx[i] * 48 + k] - pm[k / 16]);
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

START_TEST(test_mean_image_subtracted_at_output_size)
{
    /* a 4x4 output from a 2x2 cache; the mean image given at 4x4, then at
     * 2x2 (resized once at init to the 4x4 of the upsampling case) */
    dsml_dataset ds;
    make_ds(&ds, 2, 3, 2, 2, 5);
    dsml_input_spec s = raw_spec();
    s.resize_h = s.resize_w = 4;
    float vals[2 * 48], out[2 * 48], img[48], small[12];
    int idx[2] = {1, 0};
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 2, 1), DSML_OK);
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, idx, 2, vals), DSML_OK);
    dsml_input_pipeline_free(&p);
    for (int k = 0; k < 48; k++) img[k] = (float)(k * 3) - 20.5f;
    s.mean_image = img;
    s.mean_c = 3;
    s.mean_h = s.mean_w = 4;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 2, 1), DSML_OK);
    ck_assert_ptr_null(p.spec.mean_image); /* copied, not kept */
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, idx, 2, out), DSML_OK);
    for (int k = 0; k < 96; k++) ck_assert_float_eq(out[k], vals[k] - img[k % 48]);
    ck_assert_float_eq_tol(p.pixel_mean[1], 48 + 22.5f - 20.5f, 1e-4); /* channel 1: mean of k*3 over 16..31 */
    dsml_input_pipeline_free(&p);
    for (int c = 0; c < 3; c++)
        for (int k = 0; k < 4; k++) small[c * 4 + k] = up_2x2[k] + c;
    s.mean_image = small;
    s.mean_h = s.mean_w = 2;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 2, 1), DSML_OK);
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, idx, 2, out), DSML_OK);
    for (int k = 0; k < 96; k++) ck_assert_float_eq(out[k], vals[k] - (up_4x4[k % 16] + (k % 48) / 16));
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

/* -------------------------------------------------- threads and channels */

START_TEST(test_same_batch_on_one_and_two_threads)
{
    enum { N = 24 };
    dsml_dataset ds;
    make_ds(&ds, N, 3, 13, 10, 12);
    dsml_input_spec s = imagenet_spec();
    s.resize_h = 40;
    s.resize_w = 36;
    s.out_h = 31;
    s.out_w = 29;
    s.crop = DSML_INPUT_CROP_RANDOM;
    s.flip = 1;
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, N, 2), DSML_OK);
    size_t row = dsml_input_pipeline_row(&p);
    float *a = malloc(sizeof(float) * N * row), *b = malloc(sizeof(float) * N * row);
    int *idx = iota(N);
    dsml_rng ra, rb;
    dsml_rng_seed(&ra, 77);
    dsml_rng_seed(&rb, 77);
    omp_set_num_threads(1);
    ck_assert_int_eq(dsml_input_fill_train(&p, &ds, idx, N, &ra, a), DSML_OK);
    omp_set_num_threads(2);
    ck_assert_int_eq(dsml_input_fill_train(&p, &ds, idx, N, &rb, b), DSML_OK);
    ck_assert_mem_eq(a, b, sizeof(float) * N * row);
    ck_assert_mem_eq(&ra, &rb, sizeof ra);
    /* another seed, another batch */
    dsml_rng_seed(&rb, 78);
    ck_assert_int_eq(dsml_input_fill_train(&p, &ds, idx, N, &rb, b), DSML_OK);
    ck_assert_int_ne(memcmp(a, b, sizeof(float) * N * row), 0);
    free(a);
    free(b);
    free(idx);
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

START_TEST(test_one_channel_replicated_to_three)
{
    dsml_dataset ds;
    make_ds(&ds, 4, 1, 6, 6, 13);
    int idx[2] = {3, 1};
    dsml_input_spec s = imagenet_spec();
    s.channels = 3;
    s.resize_h = s.resize_w = 9;
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 2, 1), DSML_OK);
    ck_assert_int_eq(p.channels, 3);
    ck_assert_int_eq(dsml_input_pipeline_row(&p), 3 * 81);
    float out[2 * 243], one[2 * 81];
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, idx, 2, out), DSML_OK);
    dsml_input_pipeline_free(&p);
    dsml_input_spec r = raw_spec();
    r.resize_h = r.resize_w = 9;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &r, &ds, NULL, 2, 1), DSML_OK);
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, idx, 2, one), DSML_OK);
    for (int i = 0; i < 2; i++)
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < 81; k++) {
                double want = (one[i * 81 + k] / 255.0 - imagenet_mean[c]) / imagenet_std[c];
                ck_assert_double_eq_tol(out[i * 243 + c * 81 + k], want, 2e-6);
            }
    dsml_input_pipeline_free(&p);
    /* fitted statistics of the one channel serve all three */
    int all[4] = {0, 1, 2, 3};
    dsml_input_norm norm;
    ck_assert_int_eq(dsml_input_norm_fit(&norm, &ds, all, 4), DSML_OK);
    dsml_input_spec_default(&s);
    s.channels = 3;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, &norm, 2, 1), DSML_OK);
    float three[2 * 108];
    ck_assert_int_eq(dsml_input_fill_eval(&p, &ds, idx, 2, three), DSML_OK);
    for (int i = 0; i < 2; i++)
        for (int c = 1; c < 3; c++) ck_assert_mem_eq(three + i * 108 + c * 36, three + i * 108, 36 * sizeof(float));
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

/* ------------------------------------------------------------ refusals */

static void expect_refused(const dsml_input_spec *s, const dsml_dataset *ds, const dsml_input_norm *norm,
                           const char *fragment)
{
    dsml_input_pipeline p;
    memset(&p, 0xab, sizeof p);
    expect_error(dsml_input_pipeline_init(&p, s, ds, norm, 4, 1), DSML_ERR_ARG, fragment);
    ck_assert_ptr_null(p.rows); /* zeroed, nothing held */
    ck_assert_ptr_null(p.mean_image);
}

START_TEST(test_bad_specs_refused)
{
    dsml_dataset ds, gray;
    make_ds(&ds, 4, 3, 32, 32, 0);
    make_ds(&gray, 4, 1, 28, 28, 0);
    dsml_input_spec s = raw_spec();
    s.resize_h = 200;
    s.resize_w = 200;
    s.out_h = s.out_w = 227;
    s.crop = DSML_INPUT_CROP_RANDOM;
    expect_refused(&s, &ds, NULL, "toy: input pipeline: crop 227x227 larger than the resized image 200x200");
    s.crop = DSML_INPUT_CROP_NONE;
    expect_refused(&s, &ds, NULL, "no crop, so the resized image 200x200 must be the output size, found 227x227");
    s = raw_spec();
    s.resize_h = 256;
    expect_refused(&s, &ds, NULL, "resize 256x0, expected both sides in 1..4096");
    s.resize_w = -3;
    expect_refused(&s, &ds, NULL, "resize 256x-3");
    s.resize_w = 5000;
    expect_refused(&s, &ds, NULL, "resize 256x5000");
    s = raw_spec();
    s.out_h = s.out_w = 4097;
    expect_refused(&s, &ds, NULL, "output size 4097x4097");
    s = raw_spec();
    s.channels = 1;
    expect_refused(&s, &ds, NULL, "1 channels from a 3-channel cache, expected 3");
    s.channels = 5;
    expect_refused(&s, &gray, NULL, "5 channels from a 1-channel cache");
    s = raw_spec();
    s.flip = 2;
    expect_refused(&s, &ds, NULL, "flip 2, expected 0 or 1");
    s = raw_spec();
    s.crop = (dsml_input_crop)7;
    expect_refused(&s, &ds, NULL, "crop kind 7");
    /* normalisation */
    dsml_input_spec_default(&s);
    expect_refused(&s, &ds, NULL, "fitted statistics of 0 channels, expected 3");
    dsml_input_norm norm1;
    int all[4] = {0, 1, 2, 3};
    ck_assert_int_eq(dsml_input_norm_fit(&norm1, &gray, all, 4), DSML_OK);
    expect_refused(&s, &ds, &norm1, "fitted statistics of 1 channels, expected 3");
    s.norm = DSML_INPUT_NORM_GIVEN;
    memcpy(s.mean, imagenet_mean, sizeof imagenet_mean);
    s.std[0] = 0.2f;
    s.std[1] = 0;
    s.std[2] = 0.2f;
    expect_refused(&s, &ds, NULL, "channel 1: mean 0.456, std 0, expected finite values and std > 0");
    s.norm = (dsml_input_norm_kind)9;
    expect_refused(&s, &ds, NULL, "normalisation kind 9");
    s = raw_spec();
    s.pixel_mean[2] = NAN;
    expect_refused(&s, &ds, NULL, "channel 2: pixel mean nan");
    float img[3 * 4 * 4] = {0};
    s = raw_spec();
    s.mean_image = img;
    s.mean_c = 1;
    s.mean_h = s.mean_w = 4;
    expect_refused(&s, &ds, NULL, "mean image 1x4x4, expected 3 channels");
    s.mean_c = 3;
    s.mean_w = 0;
    expect_refused(&s, &ds, NULL, "mean image 3x4x0");
    s.mean_w = 4;
    img[5] = INFINITY;
    expect_refused(&s, &ds, NULL, "mean image has a value that is not finite");
    /* sizes of the batch and threads */
    dsml_input_pipeline p;
    s = raw_spec();
    expect_error(dsml_input_pipeline_init(&p, &s, &ds, NULL, 0, 1), DSML_ERR_ARG, "batch 0 on 1 threads");
    expect_error(dsml_input_pipeline_init(&p, &s, &ds, NULL, 4, 0), DSML_ERR_ARG, "batch 4 on 0 threads");
    dsml_dataset_free(&gray);
    dsml_dataset_free(&ds);
}
END_TEST

START_TEST(test_bad_fills_refused)
{
    dsml_dataset ds, other;
    make_ds(&ds, 4, 3, 8, 8, 0);
    make_ds(&other, 4, 3, 8, 9, 0);
    dsml_input_spec s = raw_spec();
    s.out_h = s.out_w = 6;
    s.crop = DSML_INPUT_CROP_RANDOM;
    s.flip = 1;
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 2, 1), DSML_OK);
    float out[3 * 108];
    int idx[3] = {0, 4, 1};
    dsml_rng rng, before;
    dsml_rng_seed(&rng, 5);
    before = rng;
    expect_error(dsml_input_fill_train(&p, &ds, idx, 3, &rng, out), DSML_ERR_ARG, "batch of 3 images, expected 0..2");
    expect_error(dsml_input_fill_train(&p, &ds, idx, 2, &rng, out), DSML_ERR_ARG,
                 "toy: input pipeline: batch row 1: image 4, expected 0..3");
    expect_error(dsml_input_fill_eval(&p, &other, idx, 1, out), DSML_ERR_ARG, "images 3x8x9, built for 3x8x8");
    expect_error(dsml_input_fill_train(&p, &ds, idx, 1, NULL, out), DSML_ERR_ARG, "needs an rng");
    ck_assert_mem_eq(&rng, &before, sizeof rng); /* refused batches draw nothing */
    ck_assert_int_eq(dsml_input_fill_train(&p, &ds, idx, 0, &rng, out), DSML_OK);
    dsml_input_pipeline_free(&p);
    dsml_input_pipeline_free(&p); /* twice is safe */
    dsml_dataset_free(&other);
    dsml_dataset_free(&ds);
}
END_TEST

/* -------------------------------------------------- record and memory */

START_TEST(test_describe_and_json)
{
    dsml_dataset ds;
    make_ds(&ds, 2, 1, 28, 28, 0);
    dsml_input_spec s = imagenet_spec();
    s.channels = 3;
    s.resize_h = s.resize_w = 256;
    s.out_h = s.out_w = 227;
    s.crop = DSML_INPUT_CROP_RANDOM;
    s.flip = 1;
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 2, 1), DSML_OK);
    char line[256];
    dsml_input_pipeline_describe(&p, line, sizeof line);
    ck_assert_str_eq(line, "28x28x1 -> 3 channels (replicated) -> resize 256x256, random crop 227x227 (eval centre), "
                           "flip, norm given mean 0.485 0.456 0.406 std 0.229 0.224 0.225");
    char tiny[12];
    dsml_input_pipeline_describe(&p, tiny, sizeof tiny);
    ck_assert_str_eq(tiny, "28x28x1 -> ");
    char *text = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&text, &size);
    dsml_json j;
    dsml_json_init(&j, fp);
    dsml_input_pipeline_write_json(&j, &p);
    fclose(fp);
    static const char *const parts[] = {"\"cache\"", "\"channels\": 3", "\"replicated\": true", "\"resize\"", "256",
                                        "\"out\"", "227", "\"train_crop\": \"random\"", "\"eval_crop\": \"centre\"",
                                        "\"flip\": true", "\"norm\": \"given\"", "\"mean\"", "0.485", "\"std\"",
                                        "0.229"};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
        ck_assert_msg(strstr(text, parts[k]), "JSON lacks %s: %s", parts[k], text);
    free(text);
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

START_TEST(test_scratch_for_alexnet_batch)
{
    /* batch 100 of 32x32 CIFAR images at AlexNet's 227 (resize 256, random
     * crop), 2 threads: draws 100 x 3 ints, rows 2 x 2 x 227 floats, taps
     * (256 + 256) x 16 bytes: 13,024 bytes. A CNN-F mean image at 224 adds
     * 3 x 224 x 224 floats. The batch itself (100 x 3 x 227 x 227 floats,
     * 61.8 MB) is the caller's. */
    dsml_dataset ds;
    make_ds(&ds, 1, 3, 32, 32, 0);
    dsml_input_spec s = raw_spec();
    s.resize_h = s.resize_w = 256;
    s.out_h = s.out_w = 227;
    s.crop = DSML_INPUT_CROP_RANDOM;
    dsml_input_pipeline p;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 100, 2), DSML_OK);
    ck_assert_uint_eq(sizeof(dsml_bilinear_tap), 16);
    ck_assert_uint_eq(dsml_input_pipeline_scratch_bytes(&p), 1200 + 3632 + 8192);
    dsml_input_pipeline_free(&p);
    float avg[3] = {123.68f, 116.78f, 103.94f}, *img = malloc(sizeof(float) * 3 * 224 * 224);
    for (int k = 0; k < 3 * 224 * 224; k++) img[k] = avg[k / (224 * 224)];
    s.out_h = s.out_w = 224;
    s.mean_image = img;
    s.mean_c = 3;
    s.mean_h = s.mean_w = 224;
    ck_assert_int_eq(dsml_input_pipeline_init(&p, &s, &ds, NULL, 100, 2), DSML_OK);
    ck_assert_uint_eq(dsml_input_pipeline_scratch_bytes(&p), 1200 + 2 * 2 * 224 * 4 + 8192 + 3 * 224 * 224 * 4);
    free(img);
    dsml_input_pipeline_free(&p);
    dsml_dataset_free(&ds);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"bilinear", 30, (const TTest *[]){test_bilinear_upsamples_as_by_hand,
                                           test_bilinear_downsamples_without_antialias,
                                           test_bilinear_equal_sizes_copy_exactly, test_bilinear_matches_torch,
                                           test_pipeline_matches_naive_bilinear, NULL}},
        {"crop_flip", 30, (const TTest *[]){test_centre_crop_rounds_like_torchvision,
                                            test_random_crop_and_flip_are_uniform_and_replayable,
                                            test_flip_mirrors_the_resized_crop, NULL}},
        {"normalise", 30, (const TTest *[]){test_default_pipeline_is_batch_fill,
                                            test_given_and_mean_value_normalisation,
                                            test_mean_image_subtracted_at_output_size, NULL}},
        {"threads_channels", 30, (const TTest *[]){test_same_batch_on_one_and_two_threads,
                                                   test_one_channel_replicated_to_three, NULL}},
        {"refusals", 30, (const TTest *[]){test_bad_specs_refused, test_bad_fills_refused, NULL}},
        {"record", 30, (const TTest *[]){test_describe_and_json, test_scratch_for_alexnet_batch, NULL}},
    };
    return suite_run_cases("input_pipeline", cases, SUITE_CASES(cases));
}
