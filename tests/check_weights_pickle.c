/* Tests of the pieces under the weight readers: the pickle subset
 * (src/weights/pickle.c) on pickles as torch 1.13 writes them, by hand and
 * with every byte changed, and the half / bfloat16 conversions, against a
 * reference over all 65536 half values. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "support/expect.h"
#include "support/suite_run.h"
#include "weights/pickle.h"
#include "weights/weights_internal.h"

/* data.pkl of torch.save({'w': torch.arange(4.)}) by torch 1.13 */
static const char state_dict_pkl[] =
    "\x80\x02}q\x00X\x01\x00\x00\x00wq\x01" "ctorch._utils\n_rebuild_tensor_v2\nq\x02((X\x07\x00\x00\x00storageq\x03"
    "ctorch\nFloatStorage\nq\x04X\x01\x00\x00\x00" "0q\x05X\x03\x00\x00\x00" "cpuq\x06K\x04tq\x07QK\x00K\x04\x85q\x08"
    "K\x01\x85q\t\x89" "ccollections\nOrderedDict\nq\n)Rq\x0btq\x0cRq\rs.";

static int load(dsml_pickle *p, const char *bytes, size_t n)
{
    return dsml_pickle_load(p, (const uint8_t *)bytes, n, "x.pkl");
}

START_TEST(test_pickle_state_dict)
{
    dsml_pickle p;
    int rc = load(&p, state_dict_pkl, sizeof state_dict_pkl - 1);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    const dsml_pk_value *root = dsml_pk(&p, p.root);
    ck_assert_int_eq(root->kind, DSML_PK_DICT);
    ck_assert_int_eq(root->n, 2);
    int t = dsml_pk_dict_get(&p, p.root, "w");
    ck_assert_int_ge(t, 0);
    ck_assert_int_eq(dsml_pk_dict_get(&p, p.root, "x"), -1);
    const dsml_pk_value *tensor = dsml_pk(&p, t), *storage = dsml_pk(&p, tensor->storage);
    ck_assert_int_eq(tensor->kind, DSML_PK_TENSOR);
    ck_assert_int_eq(tensor->ndim, 1);
    ck_assert_int_eq(tensor->size[0], 4);
    ck_assert_int_eq(tensor->stride[0], 1);
    ck_assert_int_eq(tensor->i, 0);
    ck_assert_int_eq(storage->kind, DSML_PK_STORAGE);
    ck_assert_str_eq(storage->s, "0");
    ck_assert_int_eq(storage->i, 4);
    ck_assert_str_eq(storage->dtype->dtype, "float32");
    dsml_pickle_free(&p);
}
END_TEST

START_TEST(test_pickle_scalars_and_protocol_4)
{
    static const struct {
        const char *bytes;
        size_t n;
        int64_t value;
    } ints[] = {
        {"\x80\x02\x8a\x02\x00\xff.", 7, -256},  {"\x80\x02J\xff\xff\xff\xff.", 8, -1},
        {"\x80\x02M\x01\x02.", 6, 0x201},          {"\x80\x02\x8a\x00.", 5, 0},
        {"\x80\x02\x8a\x05\x00\x00\x00\x00\x01.", 11, 1LL << 32},
    };
    dsml_pickle p;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        ck_assert_msg(load(&p, ints[i].bytes, ints[i].n) == 0, "%s", dsml_last_error());
        ck_assert_int_eq(dsml_pk(&p, p.root)->kind, DSML_PK_INT);
        ck_assert_int_eq(dsml_pk(&p, p.root)->i, ints[i].value);
        dsml_pickle_free(&p);
    }
    ck_assert_int_eq(load(&p, "\x80\x02G\x3f\xb9\x99\x99\x99\x99\x99\x9a.", 12), 0);
    ck_assert_double_eq(dsml_pk(&p, p.root)->f, 0.1);
    dsml_pickle_free(&p);
    /* OrderedDict() as protocol 4 writes it: FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL */
    static const char p4[] = "\x80\x04\x95\x1f\x00\x00\x00\x00\x00\x00\x00\x8c\x0b" "collections\x94\x8c\x0b"
                             "OrderedDict\x94\x93\x94)R\x94h\x03.";
    ck_assert_msg(load(&p, p4, sizeof p4 - 1) == 0, "%s", dsml_last_error());
    ck_assert_int_eq(dsml_pk(&p, p.root)->kind, DSML_PK_DICT);
    dsml_pickle_free(&p);
}
END_TEST

START_TEST(test_pickle_refusals)
{
    static const struct {
        const char *bytes, *fragment;
        size_t n; /* 0: strlen(bytes) */
    } cases[] = {
        {"\x80\x02" "cbuiltins\neval\nq\x00.", "x.pkl: byte 2: global 'builtins eval' is not allowed", 0},
        {"\x80\x02" "cposix\nsystem\n.", "x.pkl: byte 2: global 'posix system' is not allowed", 0},
        {"\x80\x02" "ctorch\nFloatStorage\n)R.", "byte 23: REDUCE calls torch.FloatStorage", 0},
        {"\x80\x02h\x05.", "x.pkl: byte 2: memo index 5 was never set", 0},
        {"\x80\x02}K\x01s.", "byte 5: SETITEM with too few values", 0},
        {"\x80\x02]K\x01K\x02s.", "byte 7: SETITEM on a list", 0},
        {"\x80\x02(K\x01u.", "byte 5: stack empty", 0},
        {"\x80\x02K\x01", "byte 4: the pickle ends without a STOP opcode", 0},
        {"\x80\x02X\x09\x00\x00\x00" "ab.", "byte 2: truncated: 9 bytes needed, 3 left", 10},
        {"\x80\x02S'a'\n.", "byte 2: opcode 0x53 ('S') is not in the subset", 0},
        {"\x80\x07.", "byte 0: pickle protocol 7", 0},
        {"\x80\x02(K\x01tQ.", "byte 6: persistent id is not ('storage'", 0},
        {"\x80\x02K\x01r\x00\x00\x10\x00.", "byte 4: memo index 1048576", 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dsml_pickle p;
        size_t n = cases[i].n ? cases[i].n : strlen(cases[i].bytes);
        expect_error(load(&p, cases[i].bytes, n), DSML_ERR_FORMAT, cases[i].fragment);
        ck_assert_ptr_null(p.values);
    }
}
END_TEST

/* Each byte of a real pickle set to each value: read or refused, never a crash or a read out of bounds. */
START_TEST(test_pickle_every_byte_changed)
{
    size_t n = sizeof state_dict_pkl - 1;
    char buf[sizeof state_dict_pkl];
    int read = 0, refused = 0;
    for (size_t at = 0; at < n; at++)
        for (int v = 0; v < 256; v++) {
            memcpy(buf, state_dict_pkl, n);
            buf[at] = (char)v;
            dsml_pickle p;
            int rc = load(&p, buf, n);
            if (rc == 0) {
                read++;
                dsml_pickle_free(&p);
                continue;
            }
            refused++;
            ck_assert_int_eq(rc, DSML_ERR_FORMAT);
            ck_assert_msg(!strncmp(dsml_last_error(), "x.pkl: byte ", 12), "%s", dsml_last_error());
        }
    ck_assert_int_gt(read, 0);
    ck_assert_int_gt(refused, read);
}
END_TEST

/* Half's value by its definition: (-1)^s 2^(e-15) (1 + m/1024), subnormals 2^-14 (m/1024). */
static double half_reference(uint16_t h)
{
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    double v = e == 31 ? (m ? NAN : INFINITY) : e == 0 ? ldexp(m, -24) : ldexp(1024 + m, e - 25);
    return s ? -v : v;
}

START_TEST(test_half_exhaustive)
{
    for (uint32_t h = 0; h < 65536; h++) {
        float f = dsml_weights_f16((uint16_t)h);
        double r = half_reference((uint16_t)h);
        if (isnan(r)) {
            ck_assert_msg(isnan(f), "0x%04x", h);
        } else {
            ck_assert_msg(f == r && !signbit(f) == !signbit(r), "0x%04x: %a, expected %a", h, f, r);
        }
    }
    static const struct { uint16_t bits; float value; } bf[] = {
        {0x3f80, 1.0f}, {0xc000, -2.0f}, {0x3e80, 0.25f}, {0x7f80, INFINITY}, {0x0001, 0x1p-133f}, {0x4049, 3.140625f},
    };
    for (size_t i = 0; i < sizeof bf / sizeof bf[0]; i++)
        ck_assert_float_eq(dsml_weights_bf16(bf[i].bits), bf[i].value);
    /* little-endian bytes at an odd address */
    static const uint8_t le[9] = {0xee, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc1};
    float out[2];
    dsml_weights_f32_le(out, le + 1, 2);
    ck_assert(out[0] == 1.0f && out[1] == -10.0f);
    uint8_t h2[4] = {0x00, 0x3c, 0x00, 0xc0};
    dsml_weights_f16_le(out, h2, 2);
    ck_assert(out[0] == 1.0f && out[1] == -2.0f);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"pickle", 60, (const TTest *[]){test_pickle_state_dict, test_pickle_scalars_and_protocol_4,
                                         test_pickle_refusals, test_pickle_every_byte_changed, NULL}},
        {"half", 30, (const TTest *[]){test_half_exhaustive, NULL}},
    };
    return suite_run_cases("weights_pickle", cases, SUITE_CASES(cases));
}
