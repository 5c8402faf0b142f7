/* Tests of the .npy reader and writer (src/data/npy.c): files numpy wrote
 * (tests/fixtures/npy/, made by make_fixtures.py there) of every accepted
 * kind and of the refused ones, hand-made broken files (magic, version,
 * header, shape, data length), and round trips through the writer, whose
 * files must equal numpy.save's byte for byte. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "data/archive.h"
#include "data/npy.h"
#include "support/archive_files.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/suite_run.h"
#include "support/testdir.h"

#define FIXTURES "tests/fixtures/npy/"

/* Element i of every float fixture (make_fixtures.py). */
static float fixture_value(int64_t i)
{
    return (float)i / 8 - 0.75f;
}

static void read_ok(const char *path, dsml_npy *a)
{
    int rc = dsml_npy_read(path, a);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
}

static void check_float_fixture(const dsml_npy *a, int ndim, const int64_t *shape)
{
    ck_assert_int_eq(a->dtype, DSML_NPY_FLOAT32);
    ck_assert_int_eq(a->ndim, ndim);
    int64_t n = 1;
    for (int k = 0; k < DSML_NPY_MAX_DIMS; k++) {
        ck_assert_int_eq(a->shape[k], k < ndim ? shape[k] : 1);
        if (k < ndim) n *= shape[k];
    }
    ck_assert_int_eq(dsml_npy_count(a), n);
    const float *x = a->data;
    for (int64_t i = 0; i < n; i++) ck_assert_float_eq(x[i], fixture_value(i));
}

START_TEST(test_npy_float_fixtures)
{
    static const int64_t shapes[5][4] = {{0}, {5}, {3, 4}, {2, 3, 4}, {2, 3, 4, 5}};
    static const char *const names[5] = {"f4_0d.npy", "f4_1d.npy", "f4_2d.npy", "f4_3d.npy", "f4_4d.npy"};
    char path[256];
    dsml_npy a;
    for (int ndim = 0; ndim <= 4; ndim++) {
        snprintf(path, sizeof path, FIXTURES "%s", names[ndim]);
        read_ok(path, &a);
        check_float_fixture(&a, ndim, shapes[ndim]);
        dsml_npy_free(&a);
        ck_assert_ptr_null(a.data);
    }
    /* version 2.0 and 3.0 headers, float64 narrowed: the same values */
    static const char *const same[3] = {FIXTURES "f4_v2.npy", FIXTURES "f4_v3.npy", FIXTURES "f8_2d.npy"};
    for (int i = 0; i < 3; i++) {
        read_ok(same[i], &a);
        check_float_fixture(&a, 2, shapes[2]);
        dsml_npy_free(&a);
    }
    /* column-major with one long axis is C order too; Python 2's "2L" and 16-byte padding */
    read_ok(FIXTURES "f4_fortran_column.npy", &a);
    check_float_fixture(&a, 2, (const int64_t[]){4, 1});
    dsml_npy_free(&a);
    read_ok(FIXTURES "f4_py2_long.npy", &a);
    check_float_fixture(&a, 2, (const int64_t[]){2, 3});
    dsml_npy_free(&a);
    /* no elements */
    read_ok(FIXTURES "f4_empty.npy", &a);
    ck_assert_int_eq(a.ndim, 2);
    ck_assert_int_eq(a.shape[0], 0);
    ck_assert_int_eq(a.shape[1], 3);
    ck_assert_int_eq(dsml_npy_count(&a), 0);
    ck_assert_ptr_nonnull(a.data);
    dsml_npy_free(&a);
}
END_TEST

START_TEST(test_npy_label_fixtures)
{
    dsml_npy a;
    read_ok(FIXTURES "i4_labels.npy", &a);
    ck_assert_int_eq(a.dtype, DSML_NPY_INT32);
    ck_assert_int_eq(a.ndim, 1);
    ck_assert_int_eq(a.shape[0], 6);
    static const int32_t want4[6] = {0, 1, 2, 1, 0, -3};
    ck_assert_mem_eq(a.data, want4, sizeof want4);
    dsml_npy_free(&a);

    int rc = dsml_npy_read_as(FIXTURES "i8_labels.npy", DSML_NPY_INT32, 1, &a);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
    static const int32_t want8[5] = {0, 1, 2, INT32_MAX, INT32_MIN};
    ck_assert_int_eq(a.shape[0], 5);
    ck_assert_mem_eq(a.data, want8, sizeof want8);
    dsml_npy_free(&a);

    /* numpy's '<u2' (refused before the integer types were all taken) */
    read_ok(FIXTURES "u2.npy", &a);
    static const int32_t want_u2[3] = {0, 1, 2};
    ck_assert_int_eq(a.shape[0], 3);
    ck_assert_mem_eq(a.data, want_u2, sizeof want_u2);
    dsml_npy_free(&a);

    expect_error(dsml_npy_read(FIXTURES "i8_too_big.npy", &a), DSML_ERR_FORMAT,
                 "i8_too_big.npy: element 2 is 2147483648, expected an int32 (-2147483648 to 2147483647)");
    ck_assert_ptr_null(a.data);
    expect_error(dsml_npy_read(FIXTURES "f8_too_big.npy", &a), DSML_ERR_FORMAT,
                 "f8_too_big.npy: element 1 is 1e+300, beyond float32's range");
    ck_assert_ptr_null(a.data);
}
END_TEST

/* Files numpy wrote that dsml does not take. */
START_TEST(test_npy_refused_fixtures)
{
    static const struct {
        const char *file, *error;
    } cases[] = {
        {"f4_fortran.npy", "f4_fortran.npy: fortran_order True (column-major), expected False (C order)"},
        {"f4_big_endian.npy", "f4_big_endian.npy: dtype '>f4' (big-endian), expected little-endian '<f4', '<f8', "
                              "'<i8', '<i4', '<i2', '|i1', '<u8', '<u4', '<u2', '|u1' or '|b1'"},
        {"object.npy", "object.npy: dtype '|O' (Python objects), expected little-endian"},
        {"structured.npy", "structured.npy: structured dtype (a list of fields), expected one of '<f4'"},
        {"f4_5d.npy", "f4_5d.npy: shape has 5 dimensions, expected 0 to 4"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, FIXTURES "%s", cases[i].file);
        dsml_npy a;
        expect_error(dsml_npy_read(path, &a), DSML_ERR_FORMAT, cases[i].error);
        ck_assert_ptr_null(a.data);
    }
}
END_TEST

/* A version `major`.0 file: prefix, the header text as given (no padding
 * added), then `data`. */
static void write_npy_raw(const char *path, int major, const char *header, const void *data, size_t size)
{
    bytes b = {0};
    size_t len = strlen(header);
    unsigned char pre[12] = {0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)major, 0, (unsigned char)len,
                             (unsigned char)(len >> 8), (unsigned char)(len >> 16), (unsigned char)(len >> 24)};
    bytes_add(&b, pre, major == 1 ? 10 : 12);
    bytes_add(&b, header, len);
    if (size) bytes_add(&b, data, size);
    file_write(path, b.data, b.size);
    free(b.data);
}

static void expect_header_error(int major, const char *header, const char *fragment)
{
    static const float zeros[6];
    const char *path = testdir_path("h.npy");
    write_npy_raw(path, major, header, zeros, sizeof zeros);
    dsml_npy a;
    expect_error(dsml_npy_read(path, &a), DSML_ERR_FORMAT, fragment);
    ck_assert_ptr_null(a.data);
}

START_TEST(test_npy_broken_headers)
{
    ck_assert_ptr_nonnull(testdir_make("npy-header"));
    /* the same header with small changes; 24 bytes of data fit shape (2, 3) */
    static const float six[6];
    write_npy_raw(testdir_path("h.npy"), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", six, 24);
    dsml_npy a;
    read_ok(testdir_path("h.npy"), &a);   /* the unbroken one, with no padding at all */
    ck_assert_int_eq(a.shape[1], 3);
    dsml_npy_free(&a);

    static const struct {
        const char *header, *error;
    } cases[] = {
        {"[1, 2]\n", "h.npy: header is not a dict: expected '{', found '[1, 2]\\x0a'"},
        {"", "h.npy: header is not a dict: expected '{', found 'the end of the header'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}",
         "h.npy: header key 'x', expected only 'descr', 'fortran_order' and 'shape'"},
        {"{'descr': '<f4', 'fortran_order': False}", "h.npy: header has no 'shape' key"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", "header key 'descr' twice"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", "h.npy: shape (6) is not a tuple, expected (6,)"},
        {"{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}", "h.npy: header byte 34: expected True or False, "
                                                               "found '0, 'shape': (6,)}'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", "expected a non-negative integer, found '-3)}'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } x", "expected only white space after the dict"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", "expected a quoted string, found 'the end"},
        {"{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2, 3)}",
         "expected the end of the string (no escapes)"},
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}", "expected ',' or '}' in the dict"},
        /* shapes that overflow, or that the file is far too short for: refused before allocating */
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,)}",
         "expected a dimension below 2^62, found '4611686018427387904,)}'"},
        /* 20 digits whose value times 10 would wrap past 2^64 to a small number (found by fuzz_npy) */
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (19000000000000000000,)}",
         "expected a dimension below 2^62, found '19000000000000000000,)}'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387903,)}", /* the largest dimension */
         "h.npy: shape (4611686018427387903,) of '<f4' is too large (more than 2^62 bytes)"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648, 2147483648, 4)}",
         "h.npy: shape (2147483648, 2147483648, 4) of '<f4' is too large (more than 2^62 bytes)"},
        {"{'descr': '<i8', 'fortran_order': False, 'shape': (1000000, 1000)}",
         "h.npy: truncated: shape (1000000, 1000) of '<i8' needs 8000000000 bytes of data, 24 found"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) expect_header_error(1, cases[i].header, cases[i].error);
    /* Python 2's long integers only in the versions Python 2 wrote */
    expect_header_error(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3)}",
                        "h.npy: header byte 52: expected ',' or ')' in the shape, found 'L, 3)}'");
    testdir_done(1);
}
END_TEST

/* The label types PyTorch and NumPy users save (bool and uint8 multi-label
 * matrices, torch.long, small integers), all read as int32, each checked
 * against its range; types still refused. */
START_TEST(test_npy_integer_dtypes)
{
    ck_assert_ptr_nonnull(testdir_make("npy-dtypes"));
    static const struct {
        const char *descr;
        unsigned char data[8];
        int size, n;
        int32_t want[4];
    } cases[] = {
        {"|b1", {1, 0, 1, 1}, 4, 4, {1, 0, 1, 1}},
        {"|u1", {255, 0, 7}, 3, 3, {255, 0, 7}},
        {"|i1", {0xff, 5, 0x80}, 3, 3, {-1, 5, -128}},
        {"<i2", {0xfe, 0xff, 0x00, 0x80}, 4, 2, {-2, -32768}},
        {"<u2", {0xff, 0xff, 0x01, 0x00}, 4, 2, {65535, 1}},
        {"<u4", {0xff, 0xff, 0xff, 0x7f, 3, 0, 0, 0}, 8, 2, {INT32_MAX, 3}},
        {"<u8", {7, 0, 0, 0, 0, 0, 0, 0}, 8, 1, {7}},
    };
    const char *path = testdir_path("t.npy");
    char header[128];
    dsml_npy a;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }", cases[i].descr,
                 cases[i].n);
        write_npy_raw(path, 1, header, cases[i].data, (size_t)cases[i].size);
        int rc = dsml_npy_read_as(path, DSML_NPY_INT32, 1, &a);
        ck_assert_msg(rc == DSML_OK, "%s: %s", cases[i].descr, dsml_last_error());
        ck_assert_int_eq(a.shape[0], cases[i].n);
        ck_assert_mem_eq(a.data, cases[i].want, sizeof(int32_t) * (size_t)cases[i].n);
        dsml_npy_free(&a);
    }
    static const struct {
        const char *descr;
        unsigned char data[8];
        int size;
        const char *error;
    } refused[] = {
        {"|b1", {0, 2}, 2, "t.npy: element 1 is the byte 2, expected a bool (0 or 1)"},
        {"<u4", {0, 0, 0, 0x80}, 4, "t.npy: element 0 is 2147483648, expected an int32 (0 to 2147483647)"},
        {"<u8", {0, 0, 0, 0, 0, 0, 0, 0x80}, 8, "t.npy: element 0 is 9223372036854775808, expected an int32"},
        {"<f2", {0, 0x3c}, 2, "t.npy: dtype '<f2', expected little-endian '<f4'"},
        {"<c8", {0, 0, 0, 0, 0, 0, 0, 0}, 8, "t.npy: dtype '<c8', expected little-endian '<f4'"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }",
                 refused[i].descr, refused[i].descr[1] == 'f' || refused[i].descr[1] == 'c' ? 1 : refused[i].size /
                 (refused[i].descr[2] - '0'));
        write_npy_raw(path, 1, header, refused[i].data, (size_t)refused[i].size);
        expect_error(dsml_npy_read(path, &a), DSML_ERR_FORMAT, refused[i].error);
        ck_assert_ptr_null(a.data);
    }
    testdir_done(1);
}
END_TEST

/* A member of a zip (an .npz): read from the archive stream, its declared
 * size checked against the shape. */
START_TEST(test_npy_archive_member)
{
    ck_assert_ptr_nonnull(testdir_make("npy-member"));
    bytes whole = file_read(FIXTURES "f4_2d.npy");
    const char *zip = testdir_path("x.npz");
    archive_member members[2] = {{"a.npy", whole.data, whole.size, NULL},
                                 {"cut.npy", whole.data, whole.size - 4, NULL}};
    archive_write_members(zip, members, 2, TEST_ARCHIVE_ZIP);
    dsml_archive *ar;
    ck_assert_int_eq(dsml_archive_open(&ar, zip, NULL), DSML_OK);
    dsml_archive_member m;
    dsml_npy a;
    ck_assert_int_eq(dsml_archive_next(ar, &m), DSML_OK);
    ck_assert_str_eq(m.name, "a.npy");
    int rc = dsml_npy_read_member(ar, m.size, "x.npz:a.npy", &a);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
    check_float_fixture(&a, 2, (const int64_t[]){3, 4});
    dsml_npy_free(&a);
    ck_assert_int_eq(dsml_archive_next(ar, &m), DSML_OK);
    expect_error(dsml_npy_read_member(ar, m.size, "x.npz:cut.npy", &a), DSML_ERR_FORMAT,
                 "x.npz:cut.npy: truncated: shape (3, 4) of '<f4' needs 48 bytes of data, 44 found");
    ck_assert_ptr_null(a.data);
    expect_error(dsml_npy_read_member(ar, -1, "x.npz:cut.npy", &a), DSML_ERR_FORMAT,
                 "x.npz:cut.npy: the archive does not declare the member's size");
    dsml_archive_close(ar, NULL);
    free(whole.data);
    testdir_done(1);
}
END_TEST

/* Copies a fixture into the test folder to break it there. */
static const char *copy_fixture(const char *name)
{
    char from[256];
    snprintf(from, sizeof from, FIXTURES "%s", name);
    bytes b = file_read(from);
    const char *to = testdir_path(name);
    file_write(to, b.data, b.size);
    free(b.data);
    return to;
}

START_TEST(test_npy_broken_files)
{
    ck_assert_ptr_nonnull(testdir_make("npy-file"));
    dsml_npy a;
    const char *p = copy_fixture("f4_2d.npy");   /* 128 bytes of header, 48 of data */
    ck_assert_int_eq(file_size(p), 176);
    file_poke(p, 1, 'M');
    expect_error(dsml_npy_read(p, &a), DSML_ERR_FORMAT,
                 "f4_2d.npy: magic '\\x93NUMPY' expected, found '\\x93MUMPY' (not a .npy file)");
    p = copy_fixture("f4_2d.npy");
    file_poke(p, 6, 4);
    expect_error(dsml_npy_read(p, &a), DSML_ERR_FORMAT, "f4_2d.npy: .npy version 4.0, expected 1.0, 2.0 or 3.0");
    p = copy_fixture("f4_2d.npy");
    file_poke(p, 7, 1);
    expect_error(dsml_npy_read(p, &a), DSML_ERR_FORMAT, "f4_2d.npy: .npy version 1.1, expected 1.0, 2.0 or 3.0");

    /* data cut short, data left over */
    p = copy_fixture("f4_2d.npy");
    ck_assert_int_eq(truncate(p, 172), 0);
    expect_error(dsml_npy_read(p, &a), DSML_ERR_FORMAT,
                 "f4_2d.npy: truncated: shape (3, 4) of '<f4' needs 48 bytes of data, 44 found");
    ck_assert_ptr_null(a.data);
    p = copy_fixture("f4_2d.npy");
    ck_assert_int_eq(truncate(p, 179), 0);
    expect_error(dsml_npy_read(p, &a), DSML_ERR_FORMAT,
                 "f4_2d.npy: 3 bytes after the 48 bytes of data that shape (3, 4) of '<f4' needs");
    p = copy_fixture("i8_labels.npy");
    ck_assert_int_eq(truncate(p, 128 + 39), 0);
    expect_error(dsml_npy_read(p, &a), DSML_ERR_FORMAT, "needs 40 bytes of data, 39 found");

    /* the header cut short, a header length beyond the file or beyond the cap */
    p = copy_fixture("f4_2d.npy");
    ck_assert_int_eq(truncate(p, 60), 0);
    expect_error(dsml_npy_read(p, &a), DSML_ERR_FORMAT, "f4_2d.npy: header of 118 bytes announced, 50 found");
    ck_assert_int_eq(truncate(p, 9), 0);
    expect_error(dsml_npy_read(p, &a), DSML_ERR_FORMAT, "f4_2d.npy: 9 bytes, expected at least 10 (a .npy prefix)");
    ck_assert_int_eq(truncate(p, 0), 0);
    expect_error(dsml_npy_read(p, &a), DSML_ERR_FORMAT, "f4_2d.npy: 0 bytes, expected at least 10");
    p = copy_fixture("f4_v2.npy");
    file_poke(p, 8, 0x70);   /* 0x00011170 = 70000 bytes, little-endian */
    file_poke(p, 9, 0x11);
    file_poke(p, 10, 0x01);
    expect_error(dsml_npy_read(p, &a), DSML_ERR_FORMAT, "f4_v2.npy: header of 70000 bytes, expected at most 65536");
    p = copy_fixture("f4_v2.npy");
    ck_assert_int_eq(truncate(p, 11), 0);
    expect_error(dsml_npy_read(p, &a), DSML_ERR_FORMAT, "f4_v2.npy: file ends inside the header length");

    /* a missing file */
    expect_error(dsml_npy_read(testdir_path("none.npy"), &a), DSML_ERR_IO, "none.npy: cannot open: ");
    ck_assert_ptr_null(a.data);
    testdir_done(1);
}
END_TEST

START_TEST(test_npy_read_as)
{
    dsml_npy a;
    int rc = dsml_npy_read_as(FIXTURES "f4_4d.npy", DSML_NPY_FLOAT32, 4, &a);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(a.shape[3], 5);
    dsml_npy_free(&a);
    ck_assert_int_eq(dsml_npy_read_as(FIXTURES "f4_1d.npy", DSML_NPY_FLOAT32, -1, &a), DSML_OK);
    dsml_npy_free(&a);
    expect_error(dsml_npy_read_as(FIXTURES "i4_labels.npy", DSML_NPY_FLOAT32, 2, &a), DSML_ERR_FORMAT,
                 "i4_labels.npy: int32 (6,), expected float32 with 2 dimensions");
    ck_assert_ptr_null(a.data);
    expect_error(dsml_npy_read_as(FIXTURES "f4_2d.npy", DSML_NPY_FLOAT32, 4, &a), DSML_ERR_FORMAT,
                 "f4_2d.npy: float32 (3, 4), expected float32 with 4 dimensions");
    expect_error(dsml_npy_read_as(FIXTURES "f4_0d.npy", DSML_NPY_INT32, -1, &a), DSML_ERR_FORMAT,
                 "f4_0d.npy: float32 (), expected int32");
    ck_assert_ptr_null(a.data);
}
END_TEST

/* The writer's file equals numpy.save's for the same array. */
static void expect_same_file(const char *written, const char *fixture)
{
    bytes w = file_read(written), f = file_read(fixture);
    ck_assert_msg(w.size == f.size, "%s: %zu bytes, numpy's %s has %zu", written, w.size, fixture, f.size);
    ck_assert_msg(!memcmp(w.data, f.data, w.size), "%s differs from numpy's %s", written, fixture);
    free(w.data);
    free(f.data);
}

START_TEST(test_npy_write_round_trip)
{
    const char *dir = testdir_make("npy-write");
    ck_assert_ptr_nonnull(dir);
    static const int64_t shapes[5][4] = {{0}, {5}, {3, 4}, {2, 3, 4}, {2, 3, 4, 5}};
    static const char *const names[5] = {"f4_0d.npy", "f4_1d.npy", "f4_2d.npy", "f4_3d.npy", "f4_4d.npy"};
    float x[120];
    for (int i = 0; i < 120; i++) x[i] = fixture_value(i);
    for (int ndim = 0; ndim <= 4; ndim++) {
        const char *p = testdir_path("out.npy");
        ck_assert_int_eq(dsml_npy_write_f32(p, x, ndim, shapes[ndim]), DSML_OK);
        char fixture[256];
        snprintf(fixture, sizeof fixture, FIXTURES "%s", names[ndim]);
        expect_same_file(p, fixture);
        dsml_npy a;
        read_ok(p, &a);
        check_float_fixture(&a, ndim, shapes[ndim]);
        dsml_npy_free(&a);
    }
    ck_assert_int_eq(dir_entries(dir), 1);   /* no temp file left behind */

    static const int32_t labels[6] = {0, 1, 2, 1, 0, -3};
    const char *p = testdir_path("labels.npy");
    ck_assert_int_eq(dsml_npy_write_i32(p, labels, 1, (const int64_t[]){6}), DSML_OK);
    expect_same_file(p, FIXTURES "i4_labels.npy");
    dsml_npy a;
    read_ok(p, &a);
    ck_assert_int_eq(a.dtype, DSML_NPY_INT32);
    ck_assert_mem_eq(a.data, labels, sizeof labels);
    dsml_npy_free(&a);

    /* empty arrays, even with long axes: numpy's 128-byte header */
    ck_assert_int_eq(dsml_npy_write_f32(p, NULL, 2, (const int64_t[]){0, 3}), DSML_OK);
    expect_same_file(p, FIXTURES "f4_empty.npy");
    ck_assert_int_eq(dsml_npy_write_f32(p, NULL, 4, (const int64_t[]){123456789012, 0, 77, 9999999999}), DSML_OK);
    read_ok(p, &a);
    ck_assert_int_eq(a.shape[0], 123456789012);
    ck_assert_int_eq(a.shape[3], 9999999999);
    ck_assert_int_eq(file_size(p), 128);
    dsml_npy_free(&a);

    /* bad arguments and an unwritable place */
    expect_error(dsml_npy_write_f32(p, x, 5, (const int64_t[]){1, 1, 1, 1, 1}), DSML_ERR_ARG,
                 "labels.npy: 5 dimensions, expected 0 to 4");
    expect_error(dsml_npy_write_f32(p, x, 2, (const int64_t[]){3, -1}), DSML_ERR_ARG, "dimension 1 is -1");
    expect_error(dsml_npy_write_f32(p, x, 2, (const int64_t[]){INT64_C(1) << 40, INT64_C(1) << 40}), DSML_ERR_ARG,
                 "dimension 1 is 1099511627776");
    expect_error(dsml_npy_write_f32(p, NULL, 1, (const int64_t[]){3}), DSML_ERR_ARG, "no data for 3 elements");
    expect_error(dsml_npy_write_f32(testdir_path("no/such/dir/x.npy"), x, 1, (const int64_t[]){3}), DSML_ERR_IO,
                 "x.npy.tmp.");
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"numpy", 30, (const TTest *[]){test_npy_float_fixtures, test_npy_label_fixtures, test_npy_refused_fixtures,
                                        test_npy_read_as, NULL}},
        {"broken", 30, (const TTest *[]){test_npy_broken_headers, test_npy_broken_files, NULL}},
        {"write", 30, (const TTest *[]){test_npy_write_round_trip, NULL}},
        {"labels", 30, (const TTest *[]){test_npy_integer_dtypes, test_npy_archive_member, NULL}},
    };
    return suite_run_cases("npy", cases, SUITE_CASES(cases));
}
