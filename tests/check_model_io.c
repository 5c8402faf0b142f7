/* Tests of the parameter files (src/nn/model_io.c): a round trip, the layout
 * model.h documents (built here byte by byte), corrupt files and files of
 * another architecture, each refused with the model left unchanged. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "nn/model.h"
#include "support/nn_fixtures.h"
#include "support/suite_run.h"
#include "support/testdir.h"

enum { HEADER_BYTES = 76 };

/* The whole file at path, in a malloc'd buffer of *size bytes (+1 spare). */
static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
    long len = ftell(fp);
    ck_assert_int_ge(len, 0);
    rewind(fp);
    unsigned char *bytes = malloc((size_t)len + 1);
    ck_assert_uint_eq(fread(bytes, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *size = (size_t)len;
    return bytes;
}

/* A fresh test directory with model.bin saved from a 1x8x8 convnet of dim 6
 * (seed 1), which it returns; *path is the file's. */
static dsml_model *saved_model(const char **path)
{
    ck_assert_ptr_nonnull(testdir_make("nn"));
    dsml_model *a = nn_small_convnet(1, 6);
    *path = testdir_path("model.bin");
    ck_assert_int_eq(dsml_model_save(a, *path), DSML_OK);
    return a;
}

START_TEST(test_save_load_round_trip)
{
    const char *path;
    dsml_model *a = saved_model(&path), *b = nn_small_convnet(2, 6);
    size_t count;
    float *pa = dsml_model_params(a, &count), *pb = dsml_model_params(b, NULL);
    ck_assert_int_ne(memcmp(pa, pb, count * sizeof(float)), 0);
    ck_assert_int_eq(dsml_model_load_params(b, path), DSML_OK);
    ck_assert_int_eq(memcmp(pa, pb, count * sizeof(float)), 0);

    /* The file is exactly header + floats, and starts with the magic. */
    size_t size;
    unsigned char *bytes = read_file(path, &size);
    ck_assert_uint_eq(size, HEADER_BYTES + count * sizeof(float));
    ck_assert_int_eq(memcmp(bytes, "DSMLMDL1", 8), 0);
    free(bytes);
    dsml_model_free(a), dsml_model_free(b);
    testdir_done(1);
}
END_TEST

/* A file in model.h's layout, field by field: the format stays readable by
 * files written before (kind 0 mlp, 1 convnet), whatever builds the model. */
static unsigned char *documented_file(const dsml_model_config *c, const float *params, size_t count, size_t *size)
{
    int32_t ints[14] = {(int32_t)c->kind, c->channels, c->height, c->width, c->dim, c->n_hidden};
    for (int i = 0; i < c->n_hidden; i++) ints[6 + i] = c->hidden[i];
    float dropout = 0.75f; /* informational: not checked on load */
    uint64_t count64 = count;
    *size = HEADER_BYTES + count * sizeof(float);
    unsigned char *bytes = malloc(*size);
    memcpy(bytes, "DSMLMDL1", 8);
    memcpy(bytes + 8, ints, sizeof ints);
    memcpy(bytes + 64, &dropout, 4);
    memcpy(bytes + 68, &count64, 8);
    memcpy(bytes + HEADER_BYTES, params, count * sizeof(float));
    return bytes;
}

START_TEST(test_documented_layout_loads)
{
    ck_assert_ptr_nonnull(testdir_make("nn"));
    dsml_model_config cfgs[2] = {
        {.kind = DSML_MODEL_MLP, .channels = 2, .height = 3, .width = 3, .dim = 4, .hidden = {7, 6}, .n_hidden = 2,
         .max_batch = 2},
        {.kind = DSML_MODEL_CONVNET, .channels = 3, .height = 8, .width = 4, .dim = 5, .max_batch = 2},
    };
    ck_assert_int_eq(DSML_MODEL_MLP, 0);
    ck_assert_int_eq(DSML_MODEL_CONVNET, 1);
    for (int t = 0; t < 2; t++) {
        dsml_rng rng;
        dsml_rng_seed(&rng, 40 + t);
        dsml_model *m;
        ck_assert_int_eq(dsml_model_create(&m, &cfgs[t], &rng), DSML_OK);
        size_t count, size;
        dsml_model_params(m, &count);
        float *want = nn_floats(count);
        nn_fill_normal(&rng, want, count, 1.0f);
        unsigned char *bytes = documented_file(&cfgs[t], want, count, &size);
        const char *path = testdir_path("documented.bin");
        testdir_write(path, bytes, size);
        ck_assert_int_eq(dsml_model_load_params(m, path), DSML_OK);
        ck_assert_int_eq(memcmp(dsml_model_params(m, NULL), want, count * sizeof(float)), 0);
        /* And save writes those very bytes back, but for the dropout field. */
        ck_assert_int_eq(dsml_model_save(m, path), DSML_OK);
        size_t saved_size;
        unsigned char *saved = read_file(path, &saved_size);
        ck_assert_uint_eq(saved_size, size);
        ck_assert_int_eq(memcmp(saved, bytes, 64), 0);
        ck_assert_int_eq(memcmp(saved + 68, bytes + 68, size - 68), 0);
        /* Another hidden size is another architecture. */
        if (cfgs[t].kind == DSML_MODEL_MLP) {
            int32_t other = 5;
            memcpy(bytes + 8 + 4 * 7, &other, 4);
            testdir_write(path, bytes, size);
            ck_assert_int_eq(dsml_model_load_params(m, path), DSML_ERR_ARG);
            ck_assert_ptr_nonnull(strstr(dsml_last_error(), "offset 36: hidden size 5 in the file, the model has 6"));
        }
        free(want), free(bytes), free(saved);
        dsml_model_free(m);
    }
    testdir_done(1);
}
END_TEST

START_TEST(test_corrupt_files_rejected)
{
    const char *path;
    dsml_model *a = saved_model(&path);
    size_t size;
    unsigned char *bytes = read_file(path, &size);

    dsml_model *c = nn_small_convnet(3, 6);
    float *pc = dsml_model_params(c, NULL);
    float first = pc[0];
    const char *bad = testdir_path("bad.bin");
    /* Bad magic. */
    bytes[0] = 'X';
    testdir_write(bad, bytes, size);
    ck_assert_int_eq(dsml_model_load_params(c, bad), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "not a dsml model file"));
    bytes[0] = 'D';
    /* Truncated by one float. */
    testdir_write(bad, bytes, size - 4);
    ck_assert_int_eq(dsml_model_load_params(c, bad), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "truncated"));
    /* A trailing byte. */
    bytes[size] = 0;
    testdir_write(bad, bytes, size + 1);
    ck_assert_int_eq(dsml_model_load_params(c, bad), DSML_ERR_FORMAT);
    /* A NaN parameter. */
    float nan = NAN;
    memcpy(bytes + HEADER_BYTES + 8, &nan, 4);
    testdir_write(bad, bytes, size);
    ck_assert_int_eq(dsml_model_load_params(c, bad), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "parameter 2 is nan"));
    /* Header only. */
    testdir_write(bad, bytes, 40);
    ck_assert_int_eq(dsml_model_load_params(c, bad), DSML_ERR_FORMAT);
    ck_assert_float_eq(pc[0], first); /* failed loads leave the model alone */
    /* Missing file. */
    ck_assert_int_eq(dsml_model_load_params(c, testdir_path("missing.bin")), DSML_ERR_IO);
    free(bytes);
    dsml_model_free(a), dsml_model_free(c);
    testdir_done(1);
}
END_TEST

START_TEST(test_other_architecture_rejected)
{
    const char *path;
    dsml_model *a = saved_model(&path);
    /* Another architecture: dim 7 against a file of dim 6. */
    dsml_model *d = nn_small_convnet(4, 7);
    ck_assert_int_eq(dsml_model_load_params(d, path), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "dim 6 in the file, the model has 7"));
    dsml_model_free(a), dsml_model_free(d);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"round trip", 30, (const TTest *[]){test_save_load_round_trip, test_documented_layout_loads, NULL}},
        {"refused", 30, (const TTest *[]){test_corrupt_files_rejected, test_other_architecture_rejected, NULL}},
    };
    return suite_run_cases("model_io", cases, SUITE_CASES(cases));
}
