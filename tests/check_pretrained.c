/* Pretrained weights onto networks (run/pretrained.h): the layouts (PyTorch's
 * OIHW conv weights, the (c, y, x) columns of the first linear layer), the
 * embedding layer left fresh, every refusal with the parameters untouched;
 * and, where Debian's PyTorch is installed, torchvision's AlexNet and a
 * PyTorch CNN-F (also as a MatConvNet .mat) against dsml: outputs, and the
 * parameter gradients of one training step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "data/npy.h"
#include "nn/model.h"
#include "run/pretrained.h"
#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"
#include "weights/weights.h"

/* ---- a tensor set made by hand --------------------------------------------------- */

enum { MAX_TENSORS = 16 };

typedef struct {
    dsml_tensor t[MAX_TENSORS];
    int allocated;         /* tensors made, freed by hand_free even when a test shortens the set */
    dsml_tensor_set set;
} hand_set;

/* A tensor whose value i is value(layer, i): its position can be read back. */
static float value(int layer, long i) { return (float)(layer * 1000000 + i) * 1e-6f; }

static void add(hand_set *h, const char *name, int layer, int ndim, const int64_t *shape)
{
    ck_assert_int_eq(h->set.count, h->allocated); /* tensors are only added to a whole set */
    dsml_tensor *t = &h->t[h->set.count++];
    h->allocated++;
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    t->numel = 1;
    for (int d = 0; d < ndim; d++) t->shape[d] = shape[d], t->numel *= shape[d];
    t->data = malloc(sizeof(float) * (size_t)t->numel);
    ck_assert_ptr_nonnull(t->data);
    for (long i = 0; i < t->numel; i++) t->data[i] = value(layer, i);
    h->set.tensors = h->t;
}

static void add_layer(hand_set *h, const char *prefix, int layer, int ndim, const int64_t *shape)
{
    char name[64];
    snprintf(name, sizeof name, "%s.weight", prefix);
    add(h, name, layer, ndim, shape);
    snprintf(name, sizeof name, "%s.bias", prefix);
    add(h, name, layer + 50, 1, shape);
}

static void hand_free(hand_set *h)
{
    for (int i = 0; i < h->allocated; i++) free(h->t[i].data);
    memset(h, 0, sizeof *h);
}

/* dsml's convnet on 3 x 8 x 8 images, embedding size 4: conv 3->32 5x5,
 * conv 32->64 5x5, linear 256 (64 x 2 x 2) -> 256, linear 256 -> 4. */
static dsml_model *small_convnet(void)
{
    dsml_model_config c = {.kind = DSML_MODEL_CONVNET, .channels = 3, .height = 8, .width = 8, .dim = 4,
                           .max_batch = 2};
    dsml_rng rng;
    dsml_rng_seed(&rng, 5);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &c, &rng), DSML_OK);
    return m;
}

/* The convnet's four layers in PyTorch's layout, the last one `last_out` wide. */
static void convnet_file(hand_set *h, int last_out)
{
    memset(h, 0, sizeof *h);
    add_layer(h, "features.0", 1, 4, (int64_t[]){32, 3, 5, 5});
    add_layer(h, "features.3", 2, 4, (int64_t[]){64, 32, 5, 5});
    add_layer(h, "classifier.0", 3, 2, (int64_t[]){256, 256});
    add_layer(h, "classifier.3", 4, 2, (int64_t[]){last_out, 256});
}

static const dsml_network_layer *param_layer(dsml_network *net, int which)
{
    for (int i = 0, seen = 0; i < dsml_network_layer_count(net); i++) {
        const dsml_network_layer *l = dsml_network_layer_at(net, i);
        if (l->param_count && seen++ == which) return l;
    }
    ck_abort_msg("no layer with parameters number %d", which);
    return NULL;
}

START_TEST(test_layouts)
{
    dsml_model *m = small_convnet();
    dsml_network *net = dsml_model_network(m);
    hand_set h;
    convnet_file(&h, 4);
    dsml_pretrained_report r;
    ck_assert_msg(dsml_pretrained_apply(net, &h.set, "small.pth", &r) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(r.count, 4);
    ck_assert_int_eq(r.loaded, 4);
    ck_assert_str_eq(r.layers[0].source, "features.0");
    ck_assert_str_eq(r.layers[3].source, "classifier.3");
    size_t n;
    const float *p = dsml_model_params(m, &n);
    /* conv: PyTorch's w[o][i][ky][kx] at ((ky * k + kx) * I + i) * O + o, then the biases */
    for (int layer = 0; layer < 2; layer++) {
        const dsml_network_layer *l = param_layer(net, layer);
        int O = l->spec.out, I = l->in_c, k = l->spec.k;
        const float *w = p + l->param_offset;
        for (int o = 0; o < O; o++)
            for (int i = 0; i < I; i++)
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                        ck_assert_float_eq(w[((ky * k + kx) * I + i) * O + o],
                                           value(layer + 1, ((o * I + i) * k + ky) * k + kx));
        for (int o = 0; o < O; o++) ck_assert_float_eq(w[(size_t)k * k * I * O + o], value(layer + 51, o));
    }
    /* the first linear layer: PyTorch's column (c, y, x) is dsml_network_flat_feature's column */
    const dsml_network_layer *fc = param_layer(net, 2);
    ck_assert_int_eq(fc->flat_c, 64);
    ck_assert_int_eq(fc->flat_h, 2);
    const float *w = p + fc->param_offset;
    for (int o = 0; o < 256; o += 17)
        for (int t = 0; t < 256; t++)
            ck_assert_float_eq(w[o * 256 + dsml_network_flat_feature(fc, t)], value(3, o * 256 + t));
    /* the last one: as stored */
    const dsml_network_layer *emb = param_layer(net, 3);
    for (int i = 0; i < 4 * 256; i++) ck_assert_float_eq(p[emb->param_offset + i], value(4, i));
    hand_free(&h);
    dsml_model_free(m);
}
END_TEST

/* A classifier of another width than the embedding layer: that layer stays as initialised. */
START_TEST(test_embedding_layer_fresh)
{
    for (int variant = 0; variant < 2; variant++) {
        dsml_model *m = small_convnet();
        dsml_network *net = dsml_model_network(m);
        size_t n;
        float *p = dsml_model_params(m, &n);
        const dsml_network_layer *emb = param_layer(net, 3);
        float *before = malloc(sizeof(float) * emb->param_count);
        memcpy(before, p + emb->param_offset, sizeof(float) * emb->param_count);
        hand_set h;
        convnet_file(&h, 1000);
        if (variant == 1) h.set.count -= 2; /* no classifier at all */
        dsml_pretrained_report r;
        ck_assert_msg(dsml_pretrained_apply(net, &h.set, "cls.pth", &r) == DSML_OK, "%s", dsml_last_error());
        ck_assert_int_eq(r.loaded, 3);
        ck_assert_int_eq(r.layers[3].fresh, 1);
        ck_assert_str_eq(r.layers[3].source, "");
        ck_assert_int_eq(r.last_width, variant == 0 ? 1000 : 256);
        ck_assert_int_eq(memcmp(before, p + emb->param_offset, sizeof(float) * emb->param_count), 0);
        ck_assert_float_eq(p[param_layer(net, 2)->param_offset + 256 * 256], value(53, 0)); /* fc bias loaded */
        int layers, width;
        ck_assert_int_eq(dsml_pretrained_last_width(&h.set, "cls.pth", &layers, &width), DSML_OK);
        ck_assert_int_eq(layers, variant == 0 ? 4 : 3);
        ck_assert_int_eq(width, variant == 0 ? 1000 : 256);
        free(before);
        hand_free(&h);
        dsml_model_free(m);
    }
}
END_TEST

/* Each bad file: an error naming what is wrong, and the parameters untouched. */
START_TEST(test_refusals)
{
    static const struct {
        int variant;
        const char *message;
    } cases[] = {
        {0, "bad.pth: tensor features.3.weight: expected 64x32x5x5 with a bias of 64, found 64x32x3x3 with a bias "
            "of 64 (network layer 4)"},
        {1, "bad.pth: 5 layers with parameters, the network has 4 (the first extra: extra)"},
        {2, "bad.pth: 2 layers with parameters, the network has 4: nothing for layer 8"},
        {3, "bad.pth: tensor lonely.weight has no lonely.bias"},
        {4, "bad.pth: tensor classifier.0.weight: expected 256x256 (or 256x64x2x2) with a bias of 256, found "
            "256x255 with a bias of 256 (network layer 8)"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        dsml_model *m = small_convnet();
        size_t n;
        float *p = dsml_model_params(m, &n);
        float *before = malloc(sizeof(float) * n);
        memcpy(before, p, sizeof(float) * n);
        hand_set h;
        convnet_file(&h, 4);
        if (cases[c].variant == 0) {
            hand_free(&h);
            add_layer(&h, "features.0", 1, 4, (int64_t[]){32, 3, 5, 5});
            add_layer(&h, "features.3", 2, 4, (int64_t[]){64, 32, 3, 3});
            add_layer(&h, "classifier.0", 3, 2, (int64_t[]){256, 256});
            add_layer(&h, "classifier.3", 4, 2, (int64_t[]){4, 256});
        } else if (cases[c].variant == 1) {
            add_layer(&h, "extra", 5, 2, (int64_t[]){4, 4});
        } else if (cases[c].variant == 2) {
            h.set.count = 4;
        } else if (cases[c].variant == 3) {
            add(&h, "lonely.weight", 6, 2, (int64_t[]){2, 2});
        } else {
            hand_free(&h);
            add_layer(&h, "features.0", 1, 4, (int64_t[]){32, 3, 5, 5});
            add_layer(&h, "features.3", 2, 4, (int64_t[]){64, 32, 5, 5});
            add_layer(&h, "classifier.0", 3, 2, (int64_t[]){256, 255});
            add_layer(&h, "classifier.3", 4, 2, (int64_t[]){4, 256});
        }
        dsml_pretrained_report r;
        ck_assert_int_ne(dsml_pretrained_apply(dsml_model_network(m), &h.set, "bad.pth", &r), DSML_OK);
        ck_assert_str_eq(dsml_last_error(), cases[c].message);
        ck_assert_int_eq(memcmp(before, p, sizeof(float) * n), 0);
        free(before);
        hand_free(&h);
        dsml_model_free(m);
    }
}
END_TEST

/* ---- against PyTorch ------------------------------------------------------------- */

static int have_torch(void)
{
    cmd_result r;
    run_shell(&r, "/usr/bin/python3 -c 'import torch, torchvision, numpy, scipy' 2>/dev/null");
    return r.status == 0;
}

static float *read_npy(const char *path, int ndim, int64_t *count)
{
    dsml_npy a;
    ck_assert_msg(dsml_npy_read_as(path, DSML_NPY_FLOAT32, ndim, &a) == DSML_OK, "%s", dsml_last_error());
    *count = dsml_npy_count(&a);
    return a.data;
}

/* max |a - b| <= tol * max |b| */
static void assert_close(const char *what, const float *a, const float *b, long n, double tol)
{
    double diff = 0, scale = 0;
    for (long i = 0; i < n; i++) {
        diff = fmax(diff, fabs((double)a[i] - b[i]));
        scale = fmax(scale, fabs((double)b[i]));
    }
    ck_assert_msg(scale > 0, "%s: the reference is all zero", what);
    ck_assert_msg(diff <= tol * scale, "%s: max difference %g, %g of the largest value %g", what, diff, diff / scale,
                  scale);
}

static dsml_model *imported(dsml_model_kind kind, int size, int dim, const char *weights, dsml_tensor_set *set)
{
    dsml_model_config c = {.kind = kind, .channels = 3, .height = size, .width = size, .dim = dim, .max_batch = 2};
    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    dsml_model *m;
    ck_assert_msg(dsml_model_create(&m, &c, &rng) == DSML_OK, "%s", dsml_last_error());
    ck_assert_msg(dsml_weights_read(weights, set) == DSML_OK, "%s", dsml_last_error());
    dsml_pretrained_report r;
    ck_assert_msg(dsml_pretrained_apply(dsml_model_network(m), set, weights, &r) == DSML_OK, "%s",
                  dsml_last_error());
    ck_assert_int_eq(r.loaded, r.count);
    return m;
}

/* The eval-mode outputs of the file's network on input.npy equal logits.npy. */
static void check_outputs(dsml_model_kind kind, int size, const char *dir, const char *weights)
{
    char path[512];
    int64_t nx, ny;
    snprintf(path, sizeof path, "%s/input.npy", dir);
    float *x = read_npy(path, 4, &nx);
    snprintf(path, sizeof path, "%s/logits.npy", dir);
    float *want = read_npy(path, 2, &ny);
    dsml_tensor_set set;
    snprintf(path, sizeof path, "%s/%s", dir, weights);
    dsml_model *m = imported(kind, size, 1000, path, &set);
    const float *y;
    ck_assert_int_eq(dsml_model_forward(m, x, 2, 0, NULL, &y), DSML_OK);
    assert_close(path, y, want, ny, 1e-4);
    dsml_tensor_set_free(&set);
    dsml_model_free(m);
    free(x);
    free(want);
}

/* One training step of 0.5 * sum(y^2) (dropout off): dsml's parameter
 * gradients equal PyTorch's, each layer's within 1e-4 of its largest. The
 * reference gradients are read as a tensor set named like the weights and
 * laid out by the importer, so both sides compare in dsml's layout. */
static void check_gradients(dsml_model_kind kind, int size, const char *dir, const char *weights)
{
    char path[512];
    int64_t nx, ny;
    snprintf(path, sizeof path, "%s/input.npy", dir);
    float *x = read_npy(path, 4, &nx);
    snprintf(path, sizeof path, "%s/embedding.npy", dir);
    float *want = read_npy(path, 2, &ny);
    dsml_tensor_set set, grads_set = {0};
    snprintf(path, sizeof path, "%s/%s", dir, weights);
    dsml_model *m = imported(kind, size, 16, path, &set);
    const float *y;
    ck_assert_int_eq(dsml_model_forward(m, x, 2, 1, NULL, &y), DSML_OK);
    assert_close("embedding", y, want, ny, 1e-4);
    dsml_model_zero_grad(m);
    ck_assert_int_eq(dsml_model_backward(m, y, 2), DSML_OK); /* d(0.5 sum y^2)/dy = y */

    grads_set.tensors = calloc((size_t)set.count, sizeof(dsml_tensor));
    grads_set.count = set.count;
    for (int i = 0; i < set.count; i++) {
        dsml_tensor *t = &grads_set.tensors[i];
        *t = set.tensors[i];
        snprintf(path, sizeof path, "%s/grads/%s.npy", dir, t->name);
        int64_t count;
        t->data = read_npy(path, -1, &count);
        ck_assert_int_eq(count, t->numel);
    }
    dsml_model_config c = *dsml_model_get_config(m);
    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    dsml_model *ref;
    ck_assert_int_eq(dsml_model_create(&ref, &c, &rng), DSML_OK);
    dsml_pretrained_report r;
    ck_assert_msg(dsml_pretrained_apply(dsml_model_network(ref), &grads_set, "grads", &r) == DSML_OK, "%s",
                  dsml_last_error());
    size_t n;
    const float *g = dsml_model_grads(m, &n), *want_g = dsml_model_params(ref, &n);
    for (int i = 0; i < r.count; i++) {
        char what[64];
        snprintf(what, sizeof what, "%s: gradient of %s", weights, r.layers[i].source);
        assert_close(what, g + r.layers[i].param_offset, want_g + r.layers[i].param_offset,
                     (long)r.layers[i].param_count, 1e-4);
    }
    dsml_tensor_set_free(&grads_set);
    dsml_tensor_set_free(&set);
    dsml_model_free(ref);
    dsml_model_free(m);
    free(x);
    free(want);
}

/* Runs a reference script into a fresh test folder; NULL (with a SKIP line)
 * where PyTorch is absent. */
static const char *reference(const char *test, const char *script, int seed)
{
    if (getenv("DSML_SANITIZE")) { /* AlexNet under the sanitizers takes minutes; the layers are covered */
        fprintf(stderr, "SKIP %s under make sanitize: make check runs it\n", test);
        return NULL;
    }
    if (!have_torch()) {
        fprintf(stderr, "SKIP %s: /usr/bin/python3 cannot import torch, torchvision, numpy and scipy (make "
                        "bench-deps installs them)\n", test);
        return NULL;
    }
    const char *dir = testdir_make(test);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/torch/%s --out %s --seed %d --n 2", script, dir, seed);
    cmd_result r;
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "%s failed: %s", cmd, r.err);
    return dir;
}

START_TEST(test_torch_alexnet)
{
    const char *dir = reference("pretrained-alexnet", "alexnet_reference.py", 3);
    if (!dir) return;
    check_outputs(DSML_MODEL_ALEXNET, 227, dir, "alexnet.pth");
    check_gradients(DSML_MODEL_ALEXNET, 227, dir, "alexnet16.pth");
    testdir_done(1);
}
END_TEST

START_TEST(test_torch_cnn_f)
{
    const char *dir = reference("pretrained-cnn-f", "cnnf_reference.py", 4);
    if (!dir) return;
    check_outputs(DSML_MODEL_CNN_F, 224, dir, "cnnf.pth");
    check_outputs(DSML_MODEL_CNN_F, 224, dir, "cnnf.mat");
    check_gradients(DSML_MODEL_CNN_F, 224, dir, "cnnf16.pth");
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"layouts", 30, (const TTest *[]){test_layouts, test_embedding_layer_fresh, NULL}},
        {"refusals", 30, (const TTest *[]){test_refusals, NULL}},
        {"torch", 300, (const TTest *[]){test_torch_alexnet, test_torch_cnn_f, NULL}},
    };
    return suite_run_cases("pretrained", cases, SUITE_CASES(cases));
}
