/* Tests of the weight readers (src/weights/) on the committed fixtures of
 * tests/fixtures/weights/ (make_fixtures.py says how each was made and by
 * what rule its values go): every value of the good ones, the exact error of
 * each broken one, and that a failure leaves an empty set. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/sha256.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/suite_run.h"
#include "support/testdir.h"
#include "weights/weights.h"

#define FIXTURES "tests/fixtures/weights/"

static dsml_tensor_set read_ok(const char *file, const char *format)
{
    dsml_tensor_set s;
    int rc = dsml_weights_read(file, &s);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_str_eq(s.format, format);
    char sha[65];
    ck_assert_int_eq(dsml_sha256_file(file, sha), 0);
    ck_assert_str_eq(s.sha256, sha);
    return s;
}

static const dsml_tensor *expect_tensor(const dsml_tensor_set *s, const char *name, int ndim, const int64_t *shape)
{
    const dsml_tensor *t = dsml_tensor_set_find(s, name);
    ck_assert_msg(t != NULL, "no tensor %s", name);
    ck_assert_int_eq(t->ndim, ndim);
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++) {
        ck_assert_int_eq(t->shape[i], shape[i]);
        numel *= shape[i];
    }
    ck_assert_int_eq(t->numel, numel);
    return t;
}

/* tiny.pth's state dict: tensor k, element i is (1000 k + i) / 1024 */
static void check_tiny(const dsml_tensor_set *s)
{
    static const char *const names[6] = {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight",
                                         "fc.bias"};
    static const int nd[6] = {4, 1, 4, 1, 2, 1};
    static const int64_t shapes[6][4] = {{4, 3, 3, 3}, {4}, {2, 4, 2, 2}, {2}, {5, 8}, {5}};
    ck_assert_int_eq(s->count, 6);
    for (int k = 0; k < 6; k++) {
        ck_assert_str_eq(s->tensors[k].name, names[k]);
        const dsml_tensor *t = expect_tensor(s, names[k], nd[k], shapes[k]);
        for (int64_t i = 0; i < t->numel; i++)
            ck_assert_msg(t->data[i] == (float)((1000.0 * k + (double)i) / 1024), "%s[%lld] = %g", names[k],
                          (long long)i, t->data[i]);
    }
}

START_TEST(test_torch_state_dict)
{
    static const char *const files[3] = {FIXTURES "tiny.pth", FIXTURES "tiny_deflate.pth", FIXTURES "wrapped.pth"};
    for (int f = 0; f < 3; f++) {
        dsml_tensor_set s = read_ok(files[f], "torch");
        check_tiny(&s);
        dsml_tensor_set_free(&s);
        ck_assert_int_eq(s.count, 0);
        ck_assert_ptr_null(s.tensors);
    }
}
END_TEST

START_TEST(test_torch_views_of_one_storage)
{
    /* base = arange(15) / 4; a = base[2:5], b = base[5:].view(2, 5), s = base[1] */
    dsml_tensor_set s = read_ok(FIXTURES "views.pth", "torch");
    ck_assert_int_eq(s.count, 3);
    const dsml_tensor *a = expect_tensor(&s, "a", 1, (int64_t[]){3});
    const dsml_tensor *b = expect_tensor(&s, "b", 2, (int64_t[]){2, 5});
    const dsml_tensor *sc = expect_tensor(&s, "s", 0, NULL);
    for (int i = 0; i < 3; i++) ck_assert_float_eq(a->data[i], (2 + i) / 4.0f);
    for (int i = 0; i < 10; i++) ck_assert_float_eq(b->data[i], (5 + i) / 4.0f);
    ck_assert_float_eq(sc->data[0], 0.25f);
    ck_assert_ptr_null(dsml_tensor_set_find(&s, "base"));
    dsml_tensor_set_free(&s);
}
END_TEST

START_TEST(test_safetensors)
{
    dsml_tensor_set s = read_ok(FIXTURES "tiny.safetensors", "safetensors");
    check_tiny(&s);
    dsml_tensor_set_free(&s);

    /* F16 and BF16: element i is (i mod 64 - 32) / 8, converted exactly */
    s = read_ok(FIXTURES "half.safetensors", "safetensors");
    ck_assert_int_eq(s.count, 3);
    static const char *const names[2] = {"h", "b"};
    for (int k = 0; k < 2; k++) {
        const dsml_tensor *t = expect_tensor(&s, names[k], 2, (int64_t[]){2, 32});
        for (int i = 0; i < 64; i++) ck_assert_float_eq(t->data[i], (float)(i % 64 - 32) / 8);
    }
    const dsml_tensor *sp = expect_tensor(&s, "special", 1, (int64_t[]){6});
    ck_assert_float_eq(sp->data[0], 0.0f);
    ck_assert(!signbit(sp->data[0]));
    ck_assert(sp->data[1] == 0.0f && signbit(sp->data[1]));
    ck_assert_float_eq(sp->data[2], ldexpf(1, -24));
    ck_assert_float_eq(sp->data[3], 65504.0f);
    ck_assert(isinf(sp->data[4]) && sp->data[4] > 0);
    ck_assert(isinf(sp->data[5]) && sp->data[5] < 0);
    dsml_tensor_set_free(&s);
}
END_TEST

START_TEST(test_matconvnet)
{
    dsml_tensor_set s = read_ok(FIXTURES "net.mat", "matconvnet");
    static const char *const order[10] = {"conv1.weight", "conv1.bias", "conv1.conv", "norm1.lrn", "pool1.pool",
                                          "fc2.weight", "fc2.bias", "fc2.conv", "normalization.average_image",
                                          "normalization.image_size"};
    ck_assert_int_eq(s.count, 10);
    for (int i = 0; i < 10; i++) ck_assert_str_eq(s.tensors[i].name, order[i]);
    /* filters(h, w, c, o) = h + 10 w + 100 c + 1000 o, H x W x Cin x Cout = 3 x 2 x 3 x 4, in OIHW */
    const dsml_tensor *w = expect_tensor(&s, "conv1.weight", 4, (int64_t[]){4, 3, 3, 2});
    for (int o = 0; o < 4; o++)
        for (int c = 0; c < 3; c++)
            for (int h = 0; h < 3; h++)
                for (int x = 0; x < 2; x++)
                    ck_assert_float_eq(w->data[((o * 3 + c) * 3 + h) * 2 + x], h + 10 * x + 100 * c + 1000 * o);
    const dsml_tensor *b = expect_tensor(&s, "conv1.bias", 1, (int64_t[]){4});
    for (int o = 0; o < 4; o++) ck_assert_float_eq(b->data[o], o + 0.5f);
    static const float conv1[6] = {2, 3, 1, 0, 2, 1}, fc2[6] = {1, 1, 0, 0, 0, 0};
    static const float lrn[4] = {5, 1, 2e-5f, 0.75f}, pool[9] = {3, 2, 2, 2, 0, 1, 0, 1, 0};
    const dsml_tensor *t = expect_tensor(&s, "conv1.conv", 1, (int64_t[]){6});
    for (int i = 0; i < 6; i++) ck_assert_float_eq(t->data[i], conv1[i]);
    t = expect_tensor(&s, "fc2.conv", 1, (int64_t[]){6});
    for (int i = 0; i < 6; i++) ck_assert_float_eq(t->data[i], fc2[i]);
    t = expect_tensor(&s, "norm1.lrn", 1, (int64_t[]){4});
    for (int i = 0; i < 4; i++) ck_assert_float_eq(t->data[i], lrn[i]);
    t = expect_tensor(&s, "pool1.pool", 1, (int64_t[]){9});
    for (int i = 0; i < 9; i++) ck_assert_float_eq(t->data[i], pool[i]);
    w = expect_tensor(&s, "fc2.weight", 4, (int64_t[]){2, 4, 1, 1});
    for (int o = 0; o < 2; o++)
        for (int c = 0; c < 4; c++) ck_assert_float_eq(w->data[o * 4 + c], 100 * c + 1000 * o);
    b = expect_tensor(&s, "fc2.bias", 1, (int64_t[]){2});
    ck_assert(b->data[0] == 0.5f && b->data[1] == 1.5f);
    /* averageImage(h, w, c) = 100 c + 10 h + w, 4 x 5 x 3, as 3 x 4 x 5 */
    const dsml_tensor *avg = expect_tensor(&s, "normalization.average_image", 3, (int64_t[]){3, 4, 5});
    for (int c = 0; c < 3; c++)
        for (int h = 0; h < 4; h++)
            for (int x = 0; x < 5; x++) ck_assert_float_eq(avg->data[(c * 4 + h) * 5 + x], 100 * c + 10 * h + x);
    t = expect_tensor(&s, "normalization.image_size", 1, (int64_t[]){3});
    ck_assert(t->data[0] == 4 && t->data[1] == 5 && t->data[2] == 3);
    dsml_tensor_set_free(&s);
}
END_TEST

START_TEST(test_matconvnet_old_layout)
{
    /* filters and biases as fields, 'normalize' for LRN, normalization at the top level */
    dsml_tensor_set s = read_ok(FIXTURES "net_old.mat", "matconvnet");
    ck_assert_int_eq(s.count, 6);
    const dsml_tensor *w = expect_tensor(&s, "conv1.weight", 4, (int64_t[]){4, 3, 3, 2});
    ck_assert_float_eq(w->data[((3 * 3 + 2) * 3 + 1) * 2 + 1], 1 + 10 + 200 + 3000);
    const dsml_tensor *t = expect_tensor(&s, "conv1.conv", 1, (int64_t[]){6});
    ck_assert(t->data[0] == 1 && t->data[1] == 1 && t->data[2] == 0 && t->data[5] == 0);
    expect_tensor(&s, "conv1.bias", 1, (int64_t[]){4});
    t = expect_tensor(&s, "norm1.lrn", 1, (int64_t[]){4});
    ck_assert_float_eq(t->data[3], 0.75f);
    t = expect_tensor(&s, "normalization.average_image", 1, (int64_t[]){3});
    ck_assert(t->data[0] == 122.5f && t->data[1] == 114.25f && t->data[2] == 101.75f);
    t = expect_tensor(&s, "normalization.image_size", 1, (int64_t[]){3});
    ck_assert_float_eq(t->data[0], 224);
    dsml_tensor_set_free(&s);
}
END_TEST

static void expect_refused(const char *file, int code, const char *fragment)
{
    dsml_tensor_set s;
    memset(&s, 0xab, sizeof s);
    expect_error(dsml_weights_read(file, &s), code, fragment);
    ck_assert_int_eq(s.count, 0);
    ck_assert_ptr_null(s.tensors);
}

START_TEST(test_broken_fixtures)
{
    static const struct {
        const char *file, *fragment;
    } cases[] = {
        {"truncated.pth", "truncated.pth: not a readable zip archive"},
        {"global_os_system.pth", "global_os_system.pth: tiny/data.pkl: byte 104: global 'os system' is not allowed"},
        {"unknown_opcode.pth", "unknown_opcode.pth: tiny/data.pkl: byte 2: opcode 0xfe ('?') is not in the subset"},
        {"short_storage.pth", "short_storage.pth: tiny/data/0: 428 bytes, storage '0' of tensor 'conv1.weight' "
                              "needs 432"},
        {"storage_numel.pth", "storage_numel.pth: tensor 'w': 1 dims from offset 0 do not fit in storage '0' of 2 "
                              "values"},
        {"noncontiguous.pth", "noncontiguous.pth: tensor 'w': stride 3 in dim 1, expected 1: not C-contiguous"},
        {"int64.pth", "int64.pth: tensor 'n': dtype int64 (torch.LongStorage), only float32 is read"},
        {"legacy.pth", "legacy.pth: a legacy (pre-1.6, non-zip) torch.save checkpoint, which is not supported; "
                       "re-save it with torch >= 1.6"},
        {"header_past_end.safetensors", "header_past_end.safetensors: header of 1048576 bytes runs past the end of "
                                        "the file (72 bytes)"},
        {"overlap.safetensors", "overlap.safetensors: tensors 'a' [0, 8) and 'b' [4, 12) overlap"},
        {"f64.safetensors", "f64.safetensors: tensor 'd': dtype F64 is not supported (F32, F16 and BF16 are)"},
        {"no_layers.mat", "no_layers.mat: no variable 'layers': not a MatConvNet network"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, FIXTURES "%s", cases[i].file);
        expect_refused(path, DSML_ERR_FORMAT, cases[i].fragment);
    }
    expect_refused(FIXTURES "missing.pth", DSML_ERR_IO, "missing.pth: cannot open");
}
END_TEST

START_TEST(test_unknown_and_empty_files)
{
    testdir_make("weights");
    const char *empty = testdir_path("empty.bin"), *text = testdir_path("text.bin");
    testdir_write(empty, "", 0);
    testdir_write_text(text, "hello, world");
    expect_refused(empty, DSML_ERR_FORMAT, "empty.bin: unknown weights format (first bytes none: empty file)");
    expect_refused(text, DSML_ERR_FORMAT, "text.bin: unknown weights format (first bytes 68 65 6c 6c 6f 2c 20 77)");
    testdir_done(1);
}
END_TEST

/* Every proper prefix of a good fixture is refused cleanly (run under `make
 * sanitize` this also shows that no read goes past the bytes there are). */
START_TEST(test_every_truncation_is_refused)
{
    static const char *const files[4] = {FIXTURES "tiny.pth", FIXTURES "tiny.safetensors", FIXTURES "net.mat",
                                         FIXTURES "net_old.mat"};
    testdir_make("weights-cut");
    const char *cut = testdir_path("cut.bin");
    for (int f = 0; f < 4; f++) {
        bytes whole = file_read(files[f]);
        for (size_t n = 0; n < whole.size; n += (whole.size < 1400 ? 1 : 3)) {
            file_write(cut, whole.data, n);
            dsml_tensor_set s;
            int rc = dsml_weights_read(cut, &s);
            if (rc == 0) {
                /* a MAT file cut after a whole variable is a good file without the variables after it */
                ck_assert_msg(!strcmp(s.format, "matconvnet") && !dsml_tensor_set_find(&s, "normalization.image_size"),
                              "%s cut to %zu bytes was read", files[f], n);
                dsml_tensor_set_free(&s);
                continue;
            }
            ck_assert_msg(strstr(dsml_last_error(), "cut.bin"), "%zu: %s", n, dsml_last_error());
            ck_assert_int_eq(s.count, 0);
        }
        free(whole.data);
    }
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"torch", 30, (const TTest *[]){test_torch_state_dict, test_torch_views_of_one_storage, NULL}},
        {"safetensors", 30, (const TTest *[]){test_safetensors, NULL}},
        {"matconvnet", 30, (const TTest *[]){test_matconvnet, test_matconvnet_old_layout, NULL}},
        {"broken", 60, (const TTest *[]){test_broken_fixtures, test_unknown_and_empty_files,
                                         test_every_truncation_is_refused, NULL}},
    };
    return suite_run_cases("weights", cases, SUITE_CASES(cases));
}
