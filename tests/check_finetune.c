/* Fine-tuning from the command line: dsml train with --weights (a file, a
 * manifest's name, a missing one), --freeze, --lr-new-layer-mult (refused
 * when the file fills every layer), --steps, --no-eval and the input
 * pipeline's options, as metrics.json records them; dsml embed over .npy
 * files, its weights from a file or a fetched manifest's name; the sweep
 * skipping runs whose weights are missing. Runs that need a PyTorch
 * checkpoint make one with Debian's python3-torch and skip with a message
 * where it is absent (safetensors files are written here, without Python);
 * runs on Fashion-MNIST skip where Debian's dataset-fashion-mnist is absent. */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "data/npy.h"
#include "results/run_metrics.h"
#include "support/files.h"
#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static int have_fashion_mnist(void)
{
    if (access("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", R_OK) == 0) return 1;
    fprintf(stderr, "SKIP: /usr/share/datasets/fashion-mnist is absent (apt-get install dataset-fashion-mnist)\n");
    return 0;
}

static int have_torch(void)
{
    cmd_result r;
    run_shell(&r, "/usr/bin/python3 -c 'import torch' 2>/dev/null");
    if (r.status == 0) return 1;
    fprintf(stderr, "SKIP: /usr/bin/python3 cannot import torch (make bench-deps installs python3-torch)\n");
    return 0;
}

/* A small training run's options (no --epochs: --steps replaces it); the output folder and extras follow. */
#define SMALL_RUN "train --dataset fashion-mnist --model mlp --hidden 64 --dim 8 --train-per-class 20 " \
                  "--queries-per-class 10 --threads 2 --quiet --data %s"

/* A state dict in the layout of dsml's mlp with one hidden layer of 64 for
 * 1 x 28 x 28 images, classifier 10 wide, saved by torch.save (the mlp keeps
 * the evaluation cheap under the sanitizers; the layouts of conv layers are
 * tested in check_pretrained). */
static void write_mlp_pth(const char *path)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import torch, torch.nn as nn; torch.manual_seed(0); "
             "m = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Dropout(0), nn.Linear(64, 10)); "
             "torch.save(m.state_dict(), '%s')\"", path);
    cmd_result r;
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "%s: %s", cmd, r.err);
}

/* One tensor of a safetensors file: rows x cols (cols 0: a vector of rows). */
typedef struct {
    const char *name;
    int rows, cols;
} st_tensor;

/* Element i of tensor k of write_safetensors' files: exact in float32, small
 * enough that a training step stays finite. */
static float st_value(int k, int i) { return (float)((k * 31 + i) % 17 - 8) / 1024.0f; }

/* A safetensors file of F32 tensors in the given order, values st_value. */
static void write_safetensors(const char *path, const st_tensor *t, int n)
{
    char header[4096];
    int len = snprintf(header, sizeof header, "{");
    size_t offset = 0;
    for (int k = 0; k < n; k++) {
        size_t numel = (size_t)t[k].rows * (t[k].cols ? t[k].cols : 1);
        char shape[64];
        if (t[k].cols) snprintf(shape, sizeof shape, "%d,%d", t[k].rows, t[k].cols);
        else snprintf(shape, sizeof shape, "%d", t[k].rows);
        len += snprintf(header + len, sizeof header - (size_t)len,
                        "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%s],\"data_offsets\":[%zu,%zu]}", k ? "," : "",
                        t[k].name, shape, offset, offset + numel * 4);
        offset += numel * 4;
    }
    len += snprintf(header + len, sizeof header - (size_t)len, "}");
    while (len % 8) header[len++] = ' '; /* the data 8-aligned, as the safetensors library writes it */
    ck_assert_int_lt(len, (int)sizeof header);
    bytes b = {0};
    uint8_t size[8];
    for (int i = 0; i < 8; i++) size[i] = (uint8_t)((uint64_t)len >> (8 * i));
    bytes_add(&b, size, 8);
    bytes_add(&b, header, (size_t)len);
    for (int k = 0; k < n; k++)
        for (int i = 0; i < t[k].rows * (t[k].cols ? t[k].cols : 1); i++) {
            float v = st_value(k, i);
            bytes_add(&b, &v, sizeof v); /* little-endian, as the machines dsml runs on */
        }
    file_write(path, b.data, b.size);
    free(b.data);
}

static void read_run(dsml_run_metrics *m, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/metrics.json", dir);
    ck_assert_msg(dsml_run_metrics_read(m, path) == DSML_OK, "%s", dsml_last_error());
}

START_TEST(test_train_from_weights)
{
    if (!have_fashion_mnist() || !have_torch()) return;
    testdir_make("finetune-weights");
    const char *pth = testdir_path("mlp.pth");
    write_mlp_pth(pth);
    char args[2048];
    snprintf(args, sizeof args, SMALL_RUN " --epochs 1 --weights %s --freeze 1 --lr-new-layer-mult 10 --out %s",
             testdir_path("data"), pth, testdir_path("run"));
    cmd_result r;
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    dsml_run_metrics m;
    read_run(&m, testdir_path("run"));
    ck_assert_str_eq(dsml_run_metrics_get(&m, "config.weights").string, pth);
    ck_assert_int_eq((int)dsml_run_metrics_get(&m, "config.freeze").number, 1);
    ck_assert_double_eq(dsml_run_metrics_get(&m, "config.lr_new_layer_mult").number, 10);
    ck_assert_str_eq(dsml_run_metrics_get(&m, "pretrained.format").string, "torch");
    ck_assert_int_eq((int)strlen(dsml_run_metrics_get(&m, "pretrained.sha256").string), 64);
    ck_assert_int_eq((int)dsml_run_metrics_get(&m, "pretrained.frozen_layers").number, 1);
    dsml_metrics_value layers = dsml_run_metrics_get(&m, "pretrained.layers");
    ck_assert_int_eq(layers.kind, DSML_METRICS_LIST);
    ck_assert_int_eq(layers.count, 2);
    /* the Sequential's prefix of the hidden layer, and the fresh embedding layer */
    char compact[65536];
    size_t n = 0;
    for (const char *c = read_text(testdir_path("run/metrics.json")); *c && n + 1 < sizeof compact; c++)
        if (*c != ' ' && *c != '\n') compact[n++] = *c;
    compact[n] = '\0';
    ck_assert_msg(strstr(compact, "\"layers\":[\"1\",null]"), "%s", compact);
    ck_assert_int_eq(dsml_run_metrics_get(&m, "metrics.euclidean").kind, DSML_METRICS_OBJECT);
    dsml_run_metrics_free(&m);
    testdir_done(1);
}
END_TEST

/* A missing weights file stops the run before any work, naming the fetch command. */
START_TEST(test_missing_weights)
{
    testdir_make("finetune-missing");
    char args[2048];
    snprintf(args, sizeof args, SMALL_RUN " --weights alexnet-imagenet --out %s", testdir_path("data"),
             testdir_path("run"));
    cmd_result r;
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "alexnet-owt-7be5be79.pth is missing; get it with `dsml fetch alexnet-imagenet`"),
                  "%s", r.err);
    ck_assert_int_eq(access(testdir_path("run"), F_OK), -1);
    snprintf(args, sizeof args, SMALL_RUN " --weights %s --out %s", testdir_path("data"), testdir_path("no.pth"),
             testdir_path("run"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "no.pth"), "%s", r.err);
    /* options that need weights are refused without them */
    snprintf(args, sizeof args, SMALL_RUN " --freeze 1 --out %s", testdir_path("data"), testdir_path("run"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--freeze: only with --weights"), "%s", r.err);
    snprintf(args, sizeof args, SMALL_RUN " --epochs 1 --steps 2 --out %s", testdir_path("data"),
             testdir_path("run"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--steps 2 replaces --epochs: give one of them"), "%s", r.err);
    snprintf(args, sizeof args, SMALL_RUN " --norm weights --out %s", testdir_path("data"), testdir_path("run"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--norm weights: only with --weights"), "%s", r.err);
    testdir_done(1);
}
END_TEST

/* --steps, --no-eval and the input pipeline: what metrics.json says. */
START_TEST(test_steps_no_eval_input)
{
    if (!have_fashion_mnist()) return;
    testdir_make("finetune-steps");
    char args[2048];
    snprintf(args, sizeof args, SMALL_RUN " --steps 3 --no-eval --resize 40 --input-size 36 --augment "
             "--batch 20 --images-per-class 2 --out %s", testdir_path("data"), testdir_path("run"));
    cmd_result r;
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    dsml_run_metrics m;
    read_run(&m, testdir_path("run"));
    ck_assert_int_eq((int)dsml_run_metrics_get(&m, "training.images").number, 60);
    ck_assert_int_eq((int)dsml_run_metrics_get(&m, "training.epochs").number, 1);
    ck_assert_int_eq(dsml_run_metrics_get(&m, "metrics").kind, DSML_METRICS_ABSENT);
    ck_assert_int_eq(dsml_run_metrics_get(&m, "config.no_eval").kind, DSML_METRICS_BOOL);
    ck_assert_int_eq((int)dsml_run_metrics_get(&m, "config.steps").number, 3);
    ck_assert_int_eq((int)dsml_run_metrics_get(&m, "config.resize").number, 40);
    ck_assert_int_eq(dsml_run_metrics_get(&m, "input").kind, DSML_METRICS_OBJECT);
    ck_assert_str_eq(dsml_run_metrics_get(&m, "input.train_crop").string, "random");
    ck_assert_int_eq(dsml_run_metrics_get(&m, "input.flip").kind, DSML_METRICS_BOOL);
    ck_assert_msg(strstr(dsml_run_metrics_get(&m, "model").string, "1x36x36"), "%s",
                  dsml_run_metrics_get(&m, "model").string);
    ck_assert_int_eq(access(testdir_path("run/embeddings.bin"), F_OK), -1);
    dsml_run_metrics_free(&m);
    /* without the new options nothing new is recorded */
    snprintf(args, sizeof args, SMALL_RUN " --epochs 1 --out %s", testdir_path("data"), testdir_path("plain"));
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    read_run(&m, testdir_path("plain"));
    ck_assert_int_eq(dsml_run_metrics_get(&m, "input").kind, DSML_METRICS_ABSENT);
    ck_assert_int_eq(dsml_run_metrics_get(&m, "pretrained").kind, DSML_METRICS_ABSENT);
    ck_assert_int_eq(dsml_run_metrics_get(&m, "config.steps").kind, DSML_METRICS_ABSENT);
    ck_assert_int_eq(dsml_run_metrics_get(&m, "config.weights").kind, DSML_METRICS_ABSENT);
    dsml_run_metrics_free(&m);
    testdir_done(1);
}
END_TEST

START_TEST(test_embed)
{
    testdir_make("finetune-embed");
    float x[3 * 1 * 8 * 8];
    for (int i = 0; i < 3 * 64; i++) x[i] = (float)sin(i * 0.1);
    ck_assert_int_eq(dsml_npy_write_f32(testdir_path("x.npy"), x, 4, (int64_t[]){3, 1, 8, 8}), DSML_OK);
    ck_assert_int_eq(dsml_npy_write_f32(testdir_path("flat.npy"), x, 2, (int64_t[]){3, 64}), DSML_OK);
    char args[2048];
    cmd_result r;
    snprintf(args, sizeof args, "embed --model convnet --input %s --out %s --dim 8 --quiet", testdir_path("x.npy"),
             testdir_path("y.npy"));
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    dsml_npy y;
    ck_assert_int_eq(dsml_npy_read_as(testdir_path("y.npy"), DSML_NPY_FLOAT32, 2, &y), DSML_OK);
    ck_assert_int_eq(y.shape[0], 3);
    ck_assert_int_eq(y.shape[1], 8);
    for (int i = 0; i < 24; i++) ck_assert(isfinite(((float *)y.data)[i]));
    dsml_npy_free(&y);
    static const struct {
        const char *args, *message;
        int status;
    } bad[] = {
        {"embed --model convnet --input %s --out %s", "--dim is required without --weights", 1},
        {"embed --model convnet --input %s --out %s --dim 4 --weights /nonexistent.pth", "/nonexistent.pth", 1},
        {"embed --model resnet --input %s --out %s --dim 4", "--model", 2},
        {"embed --model convnet --input %s --out %s --dim 0", "--dim", 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(args, sizeof args, bad[i].args, testdir_path("x.npy"), testdir_path("bad.npy"));
        run_dsml(&r, args);
        ck_assert_int_eq(r.status, bad[i].status);
        ck_assert_msg(strstr(r.err, bad[i].message), "%s: %s", args, r.err);
        ck_assert_int_eq(access(testdir_path("bad.npy"), F_OK), -1);
    }
    snprintf(args, sizeof args, "embed --model mlp --input %s --out %s --dim 4", testdir_path("flat.npy"),
             testdir_path("bad.npy"));
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "expected float32 with 4 dimensions"), "%s", r.err);
    testdir_done(1);
}
END_TEST

/* dsml <args> with the environment assignments `env` (a shell fragment) before it. */
static void run_dsml_env(cmd_result *r, const char *env, const char *args)
{
    const char *bin = getenv("DSML_BIN");
    if (!bin) bin = "bin/dsml";
    size_t len = strlen(env) + strlen(bin) + strlen(args) + 8;
    char *command = malloc(len);
    ck_assert_ptr_nonnull(command);
    snprintf(command, len, "%s %s %s", env, bin, args);
    run_shell(r, command);
    free(command);
}

/* With a file that fills every layer (its last layer as wide as --dim) there is no new layer for
 * --lr-new-layer-mult to scale: refused once the weights are applied, naming the file, with nothing
 * written in the run folder. At 1 the run goes ahead; with another --dim the embedding layer is
 * fresh and the multiplier is taken. */
START_TEST(test_lr_mult_without_new_layer)
{
    if (!have_fashion_mnist()) return;
    testdir_make("finetune-lr-mult");
    static const st_tensor mlp[] = {{"fc1.weight", 64, 784}, {"fc1.bias", 64, 0}, {"fc2.weight", 8, 64},
                                    {"fc2.bias", 8, 0}};
    char file[1024], data[1024], run[1024], args[4096], want[4096];
    snprintf(file, sizeof file, "%s", testdir_path("mlp.safetensors"));
    snprintf(data, sizeof data, "%s", testdir_path("data"));
    snprintf(run, sizeof run, "%s", testdir_path("run"));
    write_safetensors(file, mlp, 4);
    snprintf(args, sizeof args, SMALL_RUN " --steps 1 --no-eval --weights %s --lr-new-layer-mult 10 --out %s", data,
             file, run);
    cmd_result r;
    run_dsml(&r, args);
    ck_assert_int_eq(r.status, 1);
    snprintf(want, sizeof want, "dsml train: --lr-new-layer-mult 10: every layer with parameters (2 of 2) was loaded "
             "from %s, so there is no new layer for it to act on", file);
    ck_assert_msg(strstr(r.err, want), "%s", r.err);
    ck_assert_int_eq(file_exists(run) ? dir_entries(run) : 0, 0);

    snprintf(args, sizeof args, SMALL_RUN " --steps 1 --no-eval --weights %s --lr-new-layer-mult 1 --out %s", data,
             file, run);
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(read_text(testdir_path("run/metrics.json")), "\"fc2\""), "%s",
                  read_text(testdir_path("run/metrics.json")));

    snprintf(args, sizeof args, SMALL_RUN " --dim 4 --steps 1 --no-eval --weights %s --lr-new-layer-mult 10 --out %s",
             data, file, testdir_path("fresh"));
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    dsml_run_metrics m;
    read_run(&m, testdir_path("fresh"));
    ck_assert_double_eq(dsml_run_metrics_get(&m, "config.lr_new_layer_mult").number, 10);
    dsml_metrics_value layers = dsml_run_metrics_get(&m, "pretrained.layers");
    ck_assert_int_eq(layers.count, 2);
    ck_assert_msg(!strstr(read_text(testdir_path("fresh/metrics.json")), "\"fc2\""), "the fresh layer named");
    dsml_run_metrics_free(&m);
    testdir_done(1);
}
END_TEST

/* dsml embed --weights NAME: the file a manifest of that name lists, where dsml fetch puts it under
 * --data (or $DSML_DATA); a missing file and an unknown name give dsml train's messages. */
START_TEST(test_embed_weights_by_name)
{
    testdir_make("finetune-embed-name");
    float x[3 * 64];
    for (int i = 0; i < 3 * 64; i++) x[i] = (float)sin(i * 0.1);
    char x_path[1024], y_path[1024], data[1024], env[4096], args[4096], want[4096];
    snprintf(x_path, sizeof x_path, "%s", testdir_path("x.npy"));
    snprintf(y_path, sizeof y_path, "%s", testdir_path("y.npy"));
    snprintf(data, sizeof data, "%s", testdir_path("data"));
    snprintf(env, sizeof env, "DSML_MANIFESTS='%s'", testdir_path("m"));
    ck_assert_int_eq(dsml_npy_write_f32(x_path, x, 4, (int64_t[]){3, 1, 8, 8}), DSML_OK);
    static const st_tensor fc[] = {{"fc.weight", 4, 64}, {"fc.bias", 4, 0}}; /* the mlp with no hidden layer */
    write_safetensors(testdir_path("data/downloads/w.safetensors"), fc, 2);
    char manifest[512];
    snprintf(manifest, sizeof manifest, "name w-net\nfile w.safetensors size %ld sha256 unknown md5 unknown\n"
             "url https://example.org/w.safetensors\n", file_size(testdir_path("data/downloads/w.safetensors")));
    file_write(testdir_path("m/w-net.manifest"), manifest, strlen(manifest));

    /* fetched: read from there, D the file's last layer's width, y = W x + b */
    snprintf(args, sizeof args, "embed --model mlp --weights w-net --data %s --input %s --out %s", data, x_path,
             y_path);
    cmd_result r;
    run_dsml_env(&r, env, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "data/downloads/w.safetensors (safetensors, sha256 "), "%s", r.err);
    dsml_npy y;
    ck_assert_int_eq(dsml_npy_read_as(y_path, DSML_NPY_FLOAT32, 2, &y), DSML_OK);
    ck_assert_int_eq(y.shape[0], 3);
    ck_assert_int_eq(y.shape[1], 4);
    for (int n = 0; n < 3; n++)
        for (int o = 0; o < 4; o++) {
            double want_y = st_value(1, o);
            for (int i = 0; i < 64; i++) want_y += (double)st_value(0, o * 64 + i) * x[n * 64 + i];
            ck_assert_double_eq_tol(((float *)y.data)[n * 4 + o], want_y, 1e-5);
        }
    dsml_npy_free(&y);
    unlink(y_path);

    /* not fetched (the data root from $DSML_DATA): dsml train's message, with the command that gets it */
    snprintf(env, sizeof env, "DSML_MANIFESTS='%s' DSML_DATA='%s'", testdir_path("m"), testdir_path("empty"));
    snprintf(args, sizeof args, "embed --model mlp --weights w-net --input %s --out %s", x_path, y_path);
    run_dsml_env(&r, env, args);
    ck_assert_int_eq(r.status, 1);
    snprintf(want, sizeof want, "dsml embed: --weights: w-net: %s/downloads/w.safetensors is missing; get it with "
             "`dsml fetch w-net`\n", testdir_path("empty"));
    ck_assert_str_eq(r.err, want);
    ck_assert_int_eq(file_exists(y_path), 0);

    /* an unknown name: word for word what dsml train says */
    snprintf(args, sizeof args, "embed --model mlp --weights no-such-net --data %s --input %s --out %s", data, x_path,
             y_path);
    run_dsml_env(&r, env, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "dsml embed: --weights: no-such-net: no such file, and no weights manifest "), "%s",
                  r.err);
    char *embed_err = strdup(r.err + strlen("dsml embed: "));
    snprintf(args, sizeof args, "train --dataset fashion-mnist --model mlp --weights no-such-net --data %s --out %s",
             data, testdir_path("run"));
    run_dsml_env(&r, env, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(!strncmp(r.err, "dsml train: ", strlen("dsml train: ")), "%s", r.err);
    ck_assert_str_eq(r.err + strlen("dsml train: "), embed_err);
    free(embed_err);
    /* --data without --weights would be ignored: refused */
    snprintf(args, sizeof args, "embed --model mlp --dim 4 --data %s --input %s --out %s", data, x_path, y_path);
    run_dsml_env(&r, env, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "dsml embed: --data says where --weights NAME was fetched"), "%s", r.err);
    ck_assert_int_eq(file_exists(y_path), 0);
    testdir_done(1);
}
END_TEST

START_TEST(test_sweep_skips_missing_weights)
{
    testdir_make("finetune-sweep");
    testdir_write_text(testdir_path("w.sweep"), "set dataset=fashion-mnist dim=8 seed=1 epochs=1\n"
                                                "dml loss=triplet distance=euclidean\n"
                                                "dml loss=triplet distance=snr weights=alexnet-imagenet\n");
    char args[2048];
    snprintf(args, sizeof args, "sweep list --results %s --data %s %s", testdir_path("results"),
             testdir_path("data"), testdir_path("w.sweep"));
    cmd_result r;
    run_dsml(&r, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "sweep: skipping the runs that start from alexnet-imagenet: alexnet-imagenet: "),
                  "%s", r.err);
    ck_assert_msg(strstr(r.err, "get it with `dsml fetch alexnet-imagenet`"), "%s", r.err);
    ck_assert_msg(strstr(r.out, "triplet-euclidean-d8-s1"), "%s", r.out);
    ck_assert_msg(!strstr(r.out, "triplet-snr"), "%s", r.out);
    testdir_done(1);
}
END_TEST

int main(void)
{
    /* the repository's manifests, wherever the binary under test lives (build/sanitize/dsml too) */
    char manifests[4096];
    if (getcwd(manifests, sizeof manifests - 16)) setenv("DSML_MANIFESTS", strcat(manifests, "/datasets"), 1);
    const suite_case cases[] = {
        {"weights", 120, (const TTest *[]){test_train_from_weights, test_missing_weights, NULL}},
        {"lr-mult", 120, (const TTest *[]){test_lr_mult_without_new_layer, NULL}},
        {"runs", 120, (const TTest *[]){test_steps_no_eval_input, NULL}},
        {"embed", 30, (const TTest *[]){test_embed, test_embed_weights_by_name, NULL}},
        {"sweep", 30, (const TTest *[]){test_sweep_skips_missing_weights, NULL}},
    };
    return suite_run_cases("finetune", cases, SUITE_CASES(cases));
}
