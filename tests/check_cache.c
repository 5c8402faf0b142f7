/* Tests of the cache file (src/data/cache.c): the documented layout byte
 * by byte, truncated, corrupt and half-written files, and the refresh that
 * prepares a cache again when it is missing, broken or stale. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/error.h"
#include "core/sha256.h"
#include "data/cache.h"
#include "data/dataset.h"
#include "support/dataset_files.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/suite_run.h"
#include "support/testdir.h"

/* A small in-memory dataset: 60 images 2x3x4 of 4 classes. */
static void make_small_dataset(dsml_dataset *ds)
{
    uint8_t *pixels;
    int32_t *labels;
    ck_assert_int_eq(dsml_dataset_alloc(ds, "tiny", 60, 2, 3, 4, 4, &pixels, &labels), DSML_OK);
    for (int i = 0; i < 60; i++) {
        labels[i] = i % 4;
        for (int j = 0; j < 24; j++) pixels[i * 24 + j] = pixel_value(i, j);
    }
    for (int c = 0; c < 4; c++) snprintf(ds->class_names[c], DSML_DATASET_NAME, "class %d", c);
    dsml_sha256_hex("source", 6, ds->source_sha256);
    dsml_dataset_content_sha256(ds, ds->content_sha256);
}

START_TEST(test_cache_round_trip)
{
    ck_assert_ptr_nonnull(testdir_make("cache"));
    dsml_dataset ds, back;
    make_small_dataset(&ds);
    const char *path = testdir_path("tiny.dsd");
    ck_assert_int_eq(dsml_cache_write(path, &ds, "tiny reader=test-1"), DSML_OK);
    /* 1280 header + 4 x 64 names = 1536; labels 240 bytes -> pixels at 1792; 60 x 24 pixels */
    ck_assert_int_eq(file_size(path), 1792 + 60 * 24);
    char params[DSML_CACHE_PARAMS];
    ck_assert_int_eq(dsml_cache_open(&back, path, DSML_CACHE_VERIFY_CONTENT, params), DSML_OK);
    ck_assert_str_eq(params, "tiny reader=test-1");
    ck_assert_str_eq(back.name, "tiny");
    ck_assert_int_eq(back.n, 60);
    ck_assert_int_eq(back.channels, 2);
    ck_assert_int_eq(back.height, 3);
    ck_assert_int_eq(back.width, 4);
    ck_assert_int_eq(back.n_classes, 4);
    ck_assert_str_eq(back.class_names[3], "class 3");
    ck_assert_str_eq(back.source_sha256, ds.source_sha256);
    ck_assert_str_eq(back.content_sha256, ds.content_sha256);
    ck_assert_int_eq(memcmp(back.labels, ds.labels, 60 * sizeof(int32_t)), 0);
    ck_assert_int_eq(memcmp(back.pixels, ds.pixels, 60 * 24), 0);
    ck_assert_uint_eq((uintptr_t)back.pixels % 64, 0);
    ck_assert_ptr_nonnull(back.map_base);
    dsml_dataset_free(&back);
    ck_assert_ptr_null(back.map_base);

    /* the bytes on disk are the documented layout */
    FILE *fp = fopen(path, "rb");
    uint8_t head[1536];
    ck_assert_uint_eq(fread(head, 1, sizeof head, fp), sizeof head);
    fclose(fp);
    ck_assert_int_eq(memcmp(head, "DSMLDSD1", 8), 0);
    ck_assert_uint_eq(head[8], 1);                    /* version */
    ck_assert_uint_eq(head[12], 60);                  /* n */
    ck_assert_uint_eq(head[28], 4);                   /* n_classes */
    ck_assert_str_eq((const char *)head + 32, "tiny");
    ck_assert_int_eq(memcmp(head + 160, ds.content_sha256, 64), 0);
    ck_assert_str_eq((const char *)head + 224, "tiny reader=test-1");
    ck_assert_uint_eq(head[1248] | head[1249] << 8, 1536); /* labels_offset */
    ck_assert_uint_eq(head[1256] | head[1257] << 8, 1792); /* pixels_offset */
    ck_assert_str_eq((const char *)head + 1280 + 64, "class 1");

    /* bad input to the writer */
    dsml_dataset bad = ds;
    bad.source_sha256[0] = '\0';
    expect_error(dsml_cache_write(testdir_path("bad.dsd"), &bad, "x"), DSML_ERR_ARG, "source SHA-256");
    ck_assert_int_eq(access(testdir_path("bad.dsd"), F_OK), -1);
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

START_TEST(test_cache_truncated_rejected)
{
    ck_assert_ptr_nonnull(testdir_make("cache-trunc"));
    dsml_dataset ds, back;
    make_small_dataset(&ds);
    const char *path = testdir_path("tiny.dsd");
    ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
    long size = file_size(path);
    const struct {
        long size;
        const char *message;
    } cases[] = {
        {size - 1, "tiny.dsd: 3231 bytes, header says 3232 (truncated)"},
        {1400, "shorter than its 1536-byte header (truncated)"},
        {100, "100 bytes, shorter than the 1280-byte header"},
        {0, "0 bytes"},
        {size + 64, "trailing bytes"}, /* and trailing garbage */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
        ck_assert_int_eq(truncate(path, cases[i].size), 0);
        expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT, cases[i].message);
        ck_assert_ptr_null(back.map_base);
    }
    expect_error(dsml_cache_open(&back, testdir_path("none.dsd"), DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_IO,
                 "none.dsd: cannot open");
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

START_TEST(test_cache_corrupt_rejected)
{
    ck_assert_ptr_nonnull(testdir_make("cache-corrupt"));
    dsml_dataset ds, back;
    make_small_dataset(&ds);
    const char *path = testdir_path("tiny.dsd");
    static const struct {
        long offset;
        uint8_t value;
        const char *message;
    } cases[] = {
        {33, 'X', "corrupt header"},            /* a flipped letter of the name: caught by the header CRC */
        {1280 + 64 * 2, 'Z', "corrupt header"}, /* a class name */
        {7, '2', "magic \"DSMLDSD2\", expected \"DSMLDSD1\""},
        {8, 9, "version 9, expected 1"},
        {28, 5, "labels at offset 1536, expected 1600 for 5 classes"}, /* n_classes against the labels offset */
        {1536 + 4 * 7, 4, "image 7: label 4, expected 0..3"},         /* a label (outside the CRC) */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
        file_poke(path, cases[i].offset, cases[i].value);
        expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT, cases[i].message);
    }
    /* a pixel: only the content hash sees it */
    ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
    file_poke(path, 1792 + 100, 0xAB);
    ck_assert_int_eq(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_OK);
    dsml_dataset_free(&back);
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_VERIFY_CONTENT, NULL), DSML_ERR_CHECKSUM, "corrupt data");
    ck_assert_ptr_null(back.map_base);
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

START_TEST(test_cache_failed_write_leaves_nothing)
{
    const char *dir = testdir_make("cache-fail");
    dsml_dataset ds, back;
    make_small_dataset(&ds);
    const char *path = testdir_path("tiny.dsd");
    ck_assert_int_eq(dsml_cache_write(path, &ds, "old"), DSML_OK);
    long size = file_size(path);
    /* files may not grow past 2,000 bytes: the write fails half way */
    struct rlimit saved, small = {2000, 2000};
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, SIG_IGN);
    small.rlim_max = saved.rlim_max;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = dsml_cache_write(path, &ds, "new");
    setrlimit(RLIMIT_FSIZE, &saved);
    expect_error(rc, DSML_ERR_IO, "tiny.dsd");
    /* no temp file, and the old cache intact */
    ck_assert_int_eq(dir_entries(dir), 1);
    ck_assert_int_eq(file_size(path), size);
    char params[DSML_CACHE_PARAMS];
    ck_assert_int_eq(dsml_cache_open(&back, path, DSML_CACHE_VERIFY_CONTENT, params), DSML_OK);
    ck_assert_str_eq(params, "old");
    dsml_dataset_free(&back);
    /* a folder that does not exist */
    expect_error(dsml_cache_write(testdir_path("no/such/x.dsd"), &ds, "p"), DSML_ERR_IO, "no/such/x.dsd");
    ck_assert_int_eq(dir_entries(dir), 1);
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

typedef struct {
    int calls;
    int fail;
} prepare_counter;

static int prepare_small(dsml_dataset *ds, void *context)
{
    prepare_counter *c = context;
    c->calls++;
    if (c->fail) return dsml_fail(DSML_ERR_FORMAT, "source.bin: record 3: broken");
    make_small_dataset(ds);
    return DSML_OK;
}

START_TEST(test_cache_ensure_reprepares_when_stale)
{
    ck_assert_ptr_nonnull(testdir_make("cache-ensure"));
    const char *path = testdir_path("cache/tiny.dsd");  /* folder created on demand */
    prepare_counter counter = {0, 0};
    dsml_dataset ds;
    char *text = NULL;
    size_t text_size = 0;
    FILE *log = open_memstream(&text, &text_size);

    ck_assert_int_eq(dsml_cache_ensure(&ds, path, "params A", prepare_small, &counter, DSML_CACHE_VERIFY_CONTENT,
                                       log), DSML_OK);
    ck_assert_int_eq(counter.calls, 1);
    ck_assert_int_eq(ds.n, 60);
    ck_assert_ptr_nonnull(ds.map_base);
    dsml_dataset_free(&ds);
    /* same parameters: the cache is used */
    ck_assert_int_eq(dsml_cache_ensure(&ds, path, "params A", prepare_small, &counter, DSML_CACHE_VERIFY_CONTENT,
                                       log), DSML_OK);
    ck_assert_int_eq(counter.calls, 1);
    dsml_dataset_free(&ds);
    /* changed parameters: prepared again */
    ck_assert_int_eq(dsml_cache_ensure(&ds, path, "params B", prepare_small, &counter, DSML_CACHE_VERIFY_CONTENT,
                                       log), DSML_OK);
    ck_assert_int_eq(counter.calls, 2);
    dsml_dataset_free(&ds);
    char params[DSML_CACHE_PARAMS];
    ck_assert_int_eq(dsml_cache_open(&ds, path, DSML_CACHE_TRUST_CONTENT, params), DSML_OK);
    ck_assert_str_eq(params, "params B");
    dsml_dataset_free(&ds);
    /* a corrupt cache: prepared again */
    file_poke(path, 1792 + 5, 0xEE);
    ck_assert_int_eq(dsml_cache_ensure(&ds, path, "params B", prepare_small, &counter, DSML_CACHE_VERIFY_CONTENT,
                                       log), DSML_OK);
    ck_assert_int_eq(counter.calls, 3);
    dsml_dataset_free(&ds);
    /* no source: the cache as it is */
    ck_assert_int_eq(dsml_cache_ensure(&ds, path, "", NULL, NULL, DSML_CACHE_VERIFY_CONTENT, log), DSML_OK);
    dsml_dataset_free(&ds);
    /* a failing prepare leaves the old cache and reports the reader's error */
    counter.fail = 1;
    expect_error(dsml_cache_ensure(&ds, path, "params C", prepare_small, &counter, DSML_CACHE_VERIFY_CONTENT, log),
                 DSML_ERR_FORMAT, "source.bin: record 3: broken");
    ck_assert_int_eq(dsml_cache_open(&ds, path, DSML_CACHE_TRUST_CONTENT, params), DSML_OK);
    ck_assert_str_eq(params, "params B");
    dsml_dataset_free(&ds);
    fclose(log);
    ck_assert_ptr_nonnull(strstr(text, "not prepared yet"));
    ck_assert_ptr_nonnull(strstr(text, "up to date"));
    ck_assert_ptr_nonnull(strstr(text, "stale (prepared with \"params A\")"));
    ck_assert_ptr_nonnull(strstr(text, "unusable"));
    free(text);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"layout", 30, (const TTest *[]){test_cache_round_trip, NULL}},
        {"broken", 30, (const TTest *[]){test_cache_truncated_rejected, test_cache_corrupt_rejected,
                                         test_cache_failed_write_leaves_nothing, NULL}},
        {"refresh", 30, (const TTest *[]){test_cache_ensure_reprepares_when_stale, NULL}},
    };
    return suite_run_cases("cache", cases, SUITE_CASES(cases));
}
