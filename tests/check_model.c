/* Tests of the network registry and its descriptions (src/nn/registry.c,
 * model.c): names, summaries and options, each network's plan and
 * parameter order, PyTorch-style init, whole-model gradients against finite
 * differences, and the configs and calls the model refuses. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "nn/model.h"
#include "nn/network.h"
#include "support/nn_fixtures.h"
#include "support/suite_run.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the registry ---- */

START_TEST(test_registry_names_and_options)
{
    dsml_model_kind kind = DSML_MODEL_MLP;
    ck_assert_int_eq(dsml_model_parse_kind("convnet", &kind), DSML_OK);
    ck_assert_int_eq(kind, DSML_MODEL_CONVNET);
    ck_assert_int_eq(dsml_model_parse_kind("resnet", &kind), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "resnet"));
    ck_assert_int_eq(kind, DSML_MODEL_CONVNET);
    ck_assert_str_eq(dsml_model_kind_name(DSML_MODEL_MLP), "mlp");
    /* The message lists every network, in registry order. */
    ck_assert_str_eq(dsml_last_error(), "model 'resnet': expected mlp, convnet, alexnet or cnn-f");
    ck_assert_int_eq(dsml_model_parse_kind("mlp", &kind), DSML_OK);
    ck_assert_int_eq(kind, DSML_MODEL_MLP);
    ck_assert_str_eq(dsml_model_kind_name(DSML_MODEL_CONVNET), "convnet");
    ck_assert_str_eq(dsml_model_kind_name(DSML_MODEL_KINDS), "unknown");
    ck_assert_str_eq(dsml_model_kind_name((dsml_model_kind)-1), "unknown");
    /* Every network has a name that parses back to it and a one-line summary. */
    for (int k = 0; k < DSML_MODEL_KINDS; k++) {
        ck_assert_int_eq(dsml_model_parse_kind(dsml_model_kind_name((dsml_model_kind)k), &kind), DSML_OK);
        ck_assert_int_eq(kind, k);
        const char *summary = dsml_model_summary((dsml_model_kind)k);
        ck_assert_uint_gt(strlen(summary), 10);
        ck_assert_ptr_null(strchr(summary, '\n'));
    }
    ck_assert_str_eq(dsml_model_summary(DSML_MODEL_KINDS), "unknown");
    /* Only mlp takes --hidden; no network takes an option it does not list. */
    ck_assert_int_eq(dsml_model_takes_option(DSML_MODEL_MLP, "hidden"), 1);
    ck_assert_int_eq(dsml_model_takes_option(DSML_MODEL_CONVNET, "hidden"), 0);
    ck_assert_int_eq(dsml_model_takes_option(DSML_MODEL_MLP, "--hidden"), 0);
    ck_assert_int_eq(dsml_model_takes_option(DSML_MODEL_MLP, "dim"), 0);
    ck_assert_int_eq(dsml_model_takes_option(DSML_MODEL_KINDS, "hidden"), 0);
}
END_TEST

/* ---- the descriptions ---- */

/* Asserts the model's layers run as kinds[] with outputs of out[] features
 * per pixel (channels) and parameter tensors blocks[] in order. */
static void expect_plan(dsml_model *m, const dsml_layer_kind *kinds, const int *out, int count, const size_t *blocks,
                        int n_blocks)
{
    dsml_network *net = dsml_model_network(m);
    ck_assert_int_eq(dsml_network_layer_count(net), count);
    for (int i = 0; i < count; i++) {
        ck_assert_int_eq(dsml_network_layer_at(net, i)->spec.kind, kinds[i]);
        ck_assert_int_eq(dsml_network_layer_at(net, i)->out_c, out[i]);
    }
    size_t got[32];
    ck_assert_int_eq(nn_param_blocks(net, got, 32), n_blocks);
    for (int i = 0; i < n_blocks; i++) ck_assert_uint_eq(got[i], blocks[i]);
}

START_TEST(test_convnet_description)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 3, .height = 32, .width = 32, .dim = 16,
                             .max_batch = 2, .dropout = 0.5f};
    dsml_rng rng;
    dsml_rng_seed(&rng, 3);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    /* PyTorch's order conv-ReLU-pool runs as conv-pool-ReLU. */
    const dsml_layer_kind kinds[] = {DSML_LAYER_CONV,    DSML_LAYER_MAXPOOL, DSML_LAYER_RELU,   DSML_LAYER_CONV,
                                     DSML_LAYER_MAXPOOL, DSML_LAYER_RELU,    DSML_LAYER_FLATTEN, DSML_LAYER_LINEAR,
                                     DSML_LAYER_RELU,    DSML_LAYER_DROPOUT, DSML_LAYER_LINEAR};
    const int out[] = {32, 32, 32, 64, 64, 64, 8 * 8 * 64, 256, 256, 256, 16};
    const size_t blocks[] = {5 * 5 * 3 * 32, 32, 5 * 5 * 32 * 64, 64, 4096 * 256, 256, 256 * 16, 16};
    expect_plan(m, kinds, out, COUNT(kinds), blocks, COUNT(blocks));
    dsml_network *net = dsml_model_network(m);
    ck_assert_int_eq(dsml_network_layer_at(net, 1)->index, 2);
    ck_assert_int_eq(dsml_network_layer_at(net, 2)->index, 1);
    ck_assert_int_eq(dsml_network_layer_at(net, 0)->winograd, 0); /* conv1: 3 input channels, im2col */
    ck_assert_int_eq(dsml_network_layer_at(net, 3)->winograd, 1); /* conv2: Winograd F(2x2, 5x5) */
    ck_assert_int_eq(dsml_network_layer_at(net, 5)->spatial, 1);
    ck_assert_int_eq(dsml_network_layer_at(net, 6)->spatial, 0);
    ck_assert(fabsf(dsml_network_layer_at(net, 9)->spec.p - 0.5f) == 0.0f);
    dsml_model_free(m);
}
END_TEST

START_TEST(test_mlp_description)
{
    /* Hidden sizes from the config; entries past n_hidden are ignored (and cleared). */
    dsml_model_config cfg = {.kind = DSML_MODEL_MLP, .channels = 2, .height = 3, .width = 3, .dim = 4,
                             .hidden = {7, 6, 99}, .n_hidden = 2, .max_batch = 3};
    dsml_rng rng;
    dsml_rng_seed(&rng, 3);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    const dsml_layer_kind kinds[] = {DSML_LAYER_FLATTEN, DSML_LAYER_LINEAR, DSML_LAYER_RELU,    DSML_LAYER_LINEAR,
                                     DSML_LAYER_RELU,    DSML_LAYER_DROPOUT, DSML_LAYER_LINEAR};
    const int out[] = {18, 7, 7, 6, 6, 6, 4};
    const size_t blocks[] = {7 * 18, 7, 6 * 7, 6, 4 * 6, 4};
    expect_plan(m, kinds, out, COUNT(kinds), blocks, COUNT(blocks));
    ck_assert_int_eq(dsml_model_get_config(m)->hidden[2], 0);
    dsml_model_free(m);
    /* No hidden layer: flatten, dropout, linear. */
    cfg.n_hidden = 0;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    const dsml_layer_kind direct[] = {DSML_LAYER_FLATTEN, DSML_LAYER_DROPOUT, DSML_LAYER_LINEAR};
    const int direct_out[] = {18, 18, 4};
    const size_t direct_blocks[] = {4 * 18, 4};
    expect_plan(m, direct, direct_out, COUNT(direct), direct_blocks, COUNT(direct_blocks));
    dsml_model_free(m);
    /* A convnet config's hidden sizes are not its business. */
    dsml_model_config conv = {.kind = DSML_MODEL_CONVNET, .channels = 1, .height = 4, .width = 4, .dim = 2,
                              .hidden = {5}, .n_hidden = 1, .max_batch = 1};
    ck_assert_int_eq(dsml_model_create(&m, &conv, &rng), DSML_OK);
    ck_assert_int_eq(dsml_model_get_config(m)->n_hidden, 0);
    ck_assert_int_eq(dsml_model_get_config(m)->hidden[0], 0);
    dsml_model_free(m);
}
END_TEST

/* ---- whole-model gradients ---- */

/* Gradcheck of every parameter tensor of the model for cfg (about `samples`
 * coordinates each), blocks being its tensors in parameter order. */
static void check_model_gradients(const dsml_model_config *cfg, const size_t *blocks, int n_blocks, int samples)
{
    dsml_rng rng;
    /* A seed whose networks have no unit within ~1e-4 of a kink: such a unit is
     * straddled by every step and pulls every coordinate off (about 1 seed in 4). */
    dsml_rng_seed(&rng, 25);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, cfg, &rng), DSML_OK);
    size_t got[32];
    ck_assert_int_eq(nn_param_blocks(dsml_model_network(m), got, 32), n_blocks);
    for (int i = 0; i < n_blocks; i++) ck_assert_uint_eq(got[i], blocks[i]);
    nn_check_network_gradients(dsml_model_network(m), &rng, blocks, n_blocks, samples, dsml_model_kind_name(cfg->kind));
    dsml_model_free(m);
}

START_TEST(test_convnet_gradients)
{
    /* 3 channels exercises the CHW -> NHWC path; 8x4 is the smallest non-square input. */
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 3, .height = 8, .width = 4, .dim = 5,
                             .max_batch = 4, .dropout = 0.3f};
    size_t fc_in = 2 * 1 * 64;
    size_t blocks[] = {5 * 5 * 3 * 32, 32, 5 * 5 * 32 * 64, 64, 256 * fc_in, 256, 5 * 256, 5};
    check_model_gradients(&cfg, blocks, 8, 150);
}
END_TEST

START_TEST(test_mlp_gradients)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_MLP, .channels = 2, .height = 3, .width = 3, .dim = 4,
                             .hidden = {7, 6}, .n_hidden = 2, .max_batch = 3, .dropout = 0.25f};
    size_t blocks[] = {7 * 18, 7, 6 * 7, 6, 4 * 6, 4};
    check_model_gradients(&cfg, blocks, 6, 200);
}
END_TEST

/* ---- init ---- */

static void expect_uniform(const float *w, size_t n, double bound)
{
    double s = 0, s2 = 0, biggest = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_double_lt(fabs(w[i]), bound);
        s += w[i];
        s2 += (double)w[i] * w[i];
        biggest = fmax(biggest, fabs(w[i]));
    }
    double mean = s / n, var = s2 / n - mean * mean, want_var = bound * bound / 3;
    /* Tolerances are about 5 standard errors of the estimates. */
    ck_assert_double_eq_tol(mean, 0.0, 5 * sqrt(want_var / n));
    ck_assert_double_eq_tol(var, want_var, 5 * want_var * sqrt(0.8 / n));
    ck_assert_double_gt(biggest, bound * (1 - 20.0 / n));
}

START_TEST(test_init_matches_pytorch_default)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 1, .height = 28, .width = 28, .dim = 32,
                             .max_batch = 2};
    dsml_rng rng;
    dsml_rng_seed(&rng, 3);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    size_t count;
    const float *p = dsml_model_params(m, &count);
    /* conv1 800+32, conv2 51200+64, fc1 3136*256+256, fc2 256*32+32 */
    ck_assert_uint_eq(count, 863392);
    expect_uniform(p + 832, 51200, 1 / sqrt(800.0));          /* conv2 weight, fan_in 32*5*5 */
    expect_uniform(p + 52096, 802816, 1 / sqrt(3136.0));      /* fc1 weight, fan_in 7*7*64 */
    expect_uniform(p + 52096 + 802816, 256, 1 / sqrt(3136.0)); /* fc1 bias: same bound */
    const float *g = dsml_model_grads(m, &count);
    for (size_t i = 0; i < count; i++) ck_assert_float_eq(g[i], 0.0f);
    char buf[128];
    dsml_model_describe(m, buf, sizeof buf);
    ck_assert_str_eq(buf, "convnet 1x28x28 -> 32, 863,392 parameters");
    /* GEMM flops by hand: conv1 2*784*32*25, conv2 2*196*64*800, fc1 2*3136*256, fc2 2*256*32. */
    double fwd = 1254400.0 + 20070400.0 + 1605632.0 + 16384.0;
    ck_assert_double_eq_tol(dsml_model_flops_per_image(m, 0), fwd, 0.5);
    ck_assert_double_eq_tol(dsml_model_flops_per_image(m, 1), 3 * fwd - 1254400.0, 0.5);
    dsml_model_free(m);

    dsml_model_config mlp = {.kind = DSML_MODEL_MLP, .channels = 1, .height = 28, .width = 28, .dim = 32,
                             .hidden = {256}, .n_hidden = 1, .max_batch = 2, .dropout = 0.5f};
    ck_assert_int_eq(dsml_model_create(&m, &mlp, &rng), DSML_OK);
    dsml_model_describe(m, buf, sizeof buf);
    ck_assert_str_eq(buf, "mlp 1x28x28 -> 256 -> 32, 209,184 parameters, dropout 0.5");
    p = dsml_model_params(m, &count);
    expect_uniform(p, 784 * 256, 1 / sqrt(784.0));
    expect_uniform(p + 784 * 256 + 256, 256 * 32, 1 / sqrt(256.0));
    dsml_model_free(m);
}
END_TEST

START_TEST(test_forward_backward_state)
{
    dsml_model *m = nn_small_convnet(1, 4);
    float x[5 * 64] = {0}, dh[5 * 4] = {0};
    const float *h;
    ck_assert_int_eq(dsml_model_forward(m, x, 5, 0, NULL, &h), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "batch of 5 images, expected 1..4"));
    ck_assert_int_eq(dsml_model_forward(m, x, 0, 0, NULL, &h), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_model_backward(m, dh, 2), DSML_ERR_STATE);
    ck_assert_int_eq(dsml_model_forward(m, x, 4, 0, NULL, &h), DSML_OK);
    ck_assert_int_eq(dsml_model_backward(m, dh, 4), DSML_ERR_STATE); /* inference keeps nothing */
    ck_assert_int_eq(dsml_model_forward(m, x, 3, 1, NULL, &h), DSML_OK);
    ck_assert_int_eq(dsml_model_backward(m, dh, 2), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_model_backward(m, dh, 3), DSML_OK);
    ck_assert_int_eq(dsml_model_backward(m, dh, 3), DSML_ERR_STATE); /* consumed */
    dsml_model_free(m);
}
END_TEST

/* The plan of a registry network at size x size: each layer's output side (as run) up to the
 * flatten, which gets 6x6x256 = 9216 features, and the parameter count. */
static void expect_registry_plan(dsml_model_kind kind, int size, const int *sides, int n, size_t params)
{
    dsml_model_config cfg = {.kind = kind, .channels = 3, .height = size, .width = size, .dim = 64, .max_batch = 1};
    dsml_rng rng;
    dsml_rng_seed(&rng, 3);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    dsml_network *net = dsml_model_network(m);
    for (int i = 0; i < n; i++) ck_assert_int_eq(dsml_network_layer_at(net, i)->out_h, sides[i]);
    ck_assert_int_eq(dsml_network_layer_at(net, n - 1)->out_c, 256);
    ck_assert_int_eq(dsml_network_layer_at(net, n - 1)->out_w, 6);
    ck_assert_int_eq(dsml_network_layer_at(net, n)->spec.kind, DSML_LAYER_FLATTEN);
    ck_assert_int_eq(dsml_network_layer_at(net, n)->out_c, 9216);
    size_t count;
    dsml_model_params(m, &count);
    ck_assert_uint_eq(count, params);
    ck_assert_int_eq(dsml_network_out_features(net), 64);
    dsml_model_free(m);
}

START_TEST(test_alexnet_and_cnn_f_descriptions)
{
    /* torchvision's AlexNet with fc8 -> 64: 61,100,840 parameters less fc8's 4,097,000 plus 4096 * 64 + 64.
     * At 227: 56 after conv1, 27, 13, 6 after the pools (each ReLU runs after its pool); at 224: 55 first. */
    size_t alexnet = 61100840u - 4097000u + 4096u * 64 + 64;
    const int at227[] = {56, 27, 27, 27, 13, 13, 13, 13, 13, 13, 13, 6, 6, 6};
    const int at224[] = {55, 27, 27, 27, 13, 13, 13, 13, 13, 13, 13, 6, 6, 6};
    expect_registry_plan(DSML_MODEL_ALEXNET, 227, at227, COUNT(at227), alexnet);
    expect_registry_plan(DSML_MODEL_ALEXNET, 224, at224, COUNT(at224), alexnet);
    /* CNN-F (imagenet-vgg-f): conv 64x11x11x3, 256x5x5x64, 3 x 256x3x3x256, fc6 9216 -> 4096, fc7, fc8 -> 64;
     * 224 -> 54 (conv1), 27, 13, 6 after the ceil pools. */
    size_t cnn_f = (64u * 363 + 64) + (256u * 1600 + 256) + (256u * 2304 + 256) + (256u * 2304 + 256) * 2 +
                   (4096u * 9216 + 4096) + (4096u * 4096 + 4096) + (64u * 4096 + 64);
    const int cnn_f_sides[] = {54, 54, 54, 27, 27, 27, 27, 13, 13, 13, 13, 13, 13, 6, 6};
    expect_registry_plan(DSML_MODEL_CNN_F, 224, cnn_f_sides, COUNT(cnn_f_sides), cnn_f);

    /* Too small an input: refused naming the layer. */
    dsml_rng rng;
    dsml_rng_seed(&rng, 4);
    dsml_model *m;
    dsml_model_config cfg = {.kind = DSML_MODEL_ALEXNET, .channels = 3, .height = 30, .width = 30, .dim = 8,
                             .max_batch = 1};
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(
        strstr(dsml_last_error(), "layer 6 (maxpool 3x3/2): input 2x2, expected at least the window's 3x3"));
    cfg.kind = DSML_MODEL_CNN_F, cfg.height = cfg.width = 10;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "layer 1 (conv 11x11/4 pad 0 -> 64): input 10x10"));
}
END_TEST

START_TEST(test_bad_configs_rejected)
{
    dsml_model *m;
    float x[5 * 64] = {0};
    const float *h;
    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 1, .height = 30, .width = 28, .dim = 4,
                             .max_batch = 4};
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_ERR_ARG);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "divisible by 4"));
    cfg.height = 28;
    cfg.dropout = 1.0f;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_ERR_ARG);
    cfg.dropout = 0.5f;
    cfg.max_batch = 0;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_ERR_ARG);
    cfg.max_batch = 2;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    ck_assert_int_eq(dsml_model_forward(m, x, 1, 1, NULL, &h), DSML_ERR_ARG); /* dropout needs an rng */
    dsml_model_free(m);
    dsml_model_config mlp = {.kind = DSML_MODEL_MLP, .channels = 1, .height = 2, .width = 2, .dim = 4,
                             .n_hidden = 9, .max_batch = 2};
    ck_assert_int_eq(dsml_model_create(&m, &mlp, &rng), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "model: 9 hidden layers, expected 0..8"));
    mlp.n_hidden = 1; /* a hidden size of 0 */
    ck_assert_int_eq(dsml_model_create(&m, &mlp, &rng), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "model: hidden size 0 of layer 1, expected 1..16777216"));
    mlp.hidden[0] = 3;
    ck_assert_int_eq(dsml_model_create(&m, &mlp, NULL), DSML_ERR_ARG); /* no generator */
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "needs a random generator"));
    /* Sizes beyond an int, caught by the executor naming the layer. */
    mlp.height = mlp.width = 20000;
    mlp.max_batch = 100;
    ck_assert_int_eq(dsml_model_create(&m, &mlp, &rng), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "max_batch 100 of 1x20000x20000 images is too large"));

    /* A kind outside the registry. */
    dsml_model_config unknown = {.kind = DSML_MODEL_KINDS, .channels = 1, .height = 2, .width = 2, .dim = 4,
                                 .max_batch = 2};
    ck_assert_int_eq(dsml_model_create(&m, &unknown, &rng), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "model: kind 4, expected mlp, convnet, alexnet or cnn-f"));
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"registry", 30, (const TTest *[]){test_registry_names_and_options, NULL}},
        {"descriptions", 120, (const TTest *[]){test_convnet_description, test_mlp_description,
                                               test_alexnet_and_cnn_f_descriptions, NULL}},
        {"init", 30, (const TTest *[]){test_init_matches_pytorch_default, NULL}},
        {"gradients", 300, (const TTest *[]){test_convnet_gradients, test_mlp_gradients, NULL}},
        {"arguments", 30, (const TTest *[]){test_forward_backward_state, test_bad_configs_rejected, NULL}},
    };
    return suite_run_cases("model", cases, SUITE_CASES(cases));
}
