/* Tests of the registry of dataset kinds and the one path from a name to an
 * open cache (src/data/kinds.c, params.c, data_open.c): every kind resolves,
 * unknown names list the kinds, a missing source gives the kind's hint, the
 * Fashion-MNIST folder comes from the options (never the environment), the
 * parameters strings follow their documented layouts byte for byte, local
 * names read their options and source back from the cache; and the real
 * Fashion-MNIST files when present (skipped with a message when not). */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "data/cache.h"
#include "data/dataset.h"
#include "data/kind.h"
#include "data/nuswide.h"
#include "support/dataset_files.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/image_files.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static dsml_data_options options_from(const char *from, FILE *log)
{
    dsml_data_options o;
    dsml_data_options_default(&o);
    o.from = from;
    o.log = log;
    return o;
}

/* ---------------------------------------------------------------- registry */

START_TEST(test_registry_kinds)
{
    static const char *const names[] = {"fashion-mnist", "cifar10", "cub200", "cars196", "nus-wide", "imagefolder"};
    static const unsigned honoured[] = {0, 0, DSML_DATA_OPT_SHAPE, DSML_DATA_OPT_SHAPE,
                                        DSML_DATA_OPT_SHAPE | DSML_DATA_OPT_SKIP_BAD,
                                        DSML_DATA_OPT_SHAPE | DSML_DATA_OPT_SPLIT_DIRS | DSML_DATA_OPT_SKIP_BAD};
    int count;
    const dsml_data_kind *kinds = dsml_data_kinds(&count);
    ck_assert_int_eq(count, 6);
    ck_assert_int_le(count, DSML_DATA_KINDS_MAX);
    char cache[4096];
    for (int i = 0; i < count; i++) {
        const dsml_data_kind *k = &kinds[i];
        ck_assert_str_eq(k->name, names[i]);
        ck_assert_ptr_eq(dsml_data_kind_find(names[i]), k);
        ck_assert_msg(k->reader && k->reader[0] && k->params && k->read, "%s: incomplete entry", k->name);
        ck_assert_uint_eq(k->options, honoured[i]);
        ck_assert_int_eq(k->local_name, !strcmp(k->name, "imagefolder"));
        /* a kind opened by its name has default sources and says how to get them */
        ck_assert_int_eq(k->candidates[0].path != NULL, !k->local_name);
        ck_assert_int_eq(k->missing != NULL, !k->local_name);
        ck_assert_int_eq(dsml_data_cache_path("root", k->name, cache, sizeof cache), DSML_OK);
        for (int j = 0; j < i; j++) ck_assert_str_ne(kinds[j].name, k->name);
    }
    ck_assert_ptr_null(dsml_data_kind_find("mnist"));
    ck_assert_ptr_null(dsml_data_kind_find(""));
    ck_assert_ptr_null(dsml_data_kind_find(NULL));
    const char *list[DSML_DATA_KINDS_MAX];
    ck_assert_int_eq(dsml_data_kind_names(list, DSML_DATA_KINDS_MAX, DSML_DATA_OPT_SKIP_BAD, -1), 2);
    ck_assert_str_eq(list[0], "nus-wide");
    ck_assert_str_eq(list[1], "imagefolder");
    ck_assert_int_eq(dsml_data_kind_names(list, DSML_DATA_KINDS_MAX, 0, 0), 5);
    ck_assert_int_eq(dsml_data_kind_names(list, 1, 0, 1), 1);
    ck_assert_str_eq(list[0], "imagefolder");
}
END_TEST

START_TEST(test_registry_unknown_lists_kinds)
{
    const char *root = testdir_make("registry-unknown");
    dsml_dataset ds;
    dsml_data_options o = options_from(NULL, NULL);
    expect_error(dsml_data_prepare(&ds, "mnist", NULL, root, &o, NULL), DSML_ERR_ARG,
                 "dataset \"mnist\": unknown, expected fashion-mnist, cifar10, cub200, cars196, nus-wide or "
                 "imagefolder");
    expect_error(dsml_data_open(&ds, "mnist", root, &o), DSML_ERR_ARG,
                 "dataset \"mnist\": unknown, expected fashion-mnist, cifar10, cub200, cars196, nus-wide or the local "
                 "name of a prepared imagefolder (no ");
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "prepare it with `dsml prepare imagefolder --from PATH --name "
                                                    "mnist`"));
    expect_error(dsml_data_open(&ds, "imagefolder", root, &o), DSML_ERR_ARG, "\"imagefolder\": unknown");
    expect_error(dsml_data_open(&ds, "../x", root, &o), DSML_ERR_ARG, "\"../x\": unknown");
    ck_assert_ptr_null(ds.pixels);
    /* local names: for imagefolder only, required there, never a kind's name */
    expect_error(dsml_data_prepare(&ds, "cifar10", "x", root, &o, NULL), DSML_ERR_ARG,
                 "cifar10: a local name (\"x\") is for imagefolder datasets only");
    expect_error(dsml_data_prepare(&ds, "imagefolder", NULL, root, &o, NULL), DSML_ERR_ARG,
                 "imagefolder: a local name for the prepared dataset is needed");
    expect_error(dsml_data_prepare(&ds, "imagefolder", "cub200", root, &o, NULL), DSML_ERR_ARG,
                 "imagefolder: local name \"cub200\" is taken by a built-in dataset");
    expect_error(dsml_data_prepare(&ds, "imagefolder", "pets", root, &o, NULL), DSML_ERR_ARG,
                 "imagefolder pets: a source folder or archive (--from) is needed");
    expect_error(dsml_data_prepare(&ds, "imagefolder", "no/slash", root, &o, NULL), DSML_ERR_ARG,
                 "dataset name \"no/slash\": expected 1..63 letters");
    ck_assert_int_eq(access(testdir_path("cache"), F_OK), -1); /* nothing was created */
    testdir_done(1);
}
END_TEST

START_TEST(test_registry_missing_source_hint)
{
    const char *root = testdir_make("registry-missing");
    char *text = NULL;
    size_t text_size = 0;
    FILE *log = open_memstream(&text, &text_size);
    dsml_data_options o = options_from(NULL, log);
    char fashion_dir[4096], want[8192];
    snprintf(fashion_dir, sizeof fashion_dir, "%s", testdir_path("no-fashion-mnist"));
    o.fashion_mnist_dir = fashion_dir;
    int count;
    const dsml_data_kind *kinds = dsml_data_kinds(&count);
    dsml_dataset ds;
    for (int i = 0; i < count; i++) {
        const dsml_data_kind *k = &kinds[i];
        if (k->local_name) continue;
        expect_error(dsml_data_prepare(&ds, k->name, NULL, root, &o, NULL), DSML_ERR_STATE, k->missing);
        snprintf(want, sizeof want, "%s: no prepared cache at %s/cache/%s.dsd and no source found (looked at ",
                 k->name, root, k->name);
        ck_assert_msg(strstr(dsml_last_error(), want), "%s", dsml_last_error());
        for (int c = 0; c < DSML_DATA_CANDIDATES && k->candidates[c].path; c++) { /* every place looked at is named */
            const char *dir = k->candidates[c].in_system_dir ? fashion_dir : root;
            snprintf(want, sizeof want, "%s%s%s", dir, k->candidates[c].path[0] ? "/" : "", k->candidates[c].path);
            ck_assert_msg(strstr(dsml_last_error(), want), "%s lacks %s", dsml_last_error(), want);
        }
        ck_assert_ptr_null(ds.pixels);
    }
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "; see datasets/nus-wide.manifest, or give the source with --from"));
    /* a folder candidate counts only when it holds the dataset's files */
    file_write(testdir_path("downloads/README"), "x", 1);
    expect_error(dsml_data_prepare(&ds, "cars196", NULL, root, &o, NULL), DSML_ERR_STATE, "cars196.manifest");

    /* no source, but a valid cache: used as it is */
    dsml_dataset small;
    uint8_t *pixels;
    int32_t *labels;
    ck_assert_int_eq(dsml_dataset_alloc(&small, "cifar10", 3, 3, 2, 2, 2, &pixels, &labels), DSML_OK);
    labels[1] = 1;
    dsml_sha256_hex("source", 6, small.source_sha256);
    char cache[4096];
    snprintf(cache, sizeof cache, "%s/cache", root);
    ck_assert_int_eq(dsml_mkdirs(cache), DSML_OK);
    ck_assert_int_eq(dsml_cache_write(testdir_path("cache/cifar10.dsd"), &small, "cifar10 reader=old"), DSML_OK);
    dsml_dataset_free(&small);
    ck_assert_int_eq(dsml_data_open(&ds, "cifar10", root, &o), DSML_OK);
    ck_assert_int_eq(ds.n, 3);
    ck_assert_int_eq(ds.labels[1], 1);
    dsml_dataset_free(&ds);
    fclose(log);
    ck_assert_ptr_nonnull(strstr(text, "data: cifar10: no source at "));
    ck_assert_ptr_nonnull(strstr(text, "source not found, using the cache as prepared (cifar10 reader=old)"));
    free(text);
    testdir_done(1);
}
END_TEST

/* The Fashion-MNIST folder is dsml_data_options.fashion_mnist_dir; the
 * library never reads $DSML_FASHION_MNIST (the CLI passes it on). */
START_TEST(test_registry_fashion_dir_from_options)
{
    const char *dir = testdir_make("registry-fashion");
    write_fashion(1); /* 30 + 10 images: not the real counts, so reading them fails naming the files */
    char root[4096], missing[4096], want[8192];
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(missing, sizeof missing, "%s/no-such-folder", dir);
    setenv("DSML_FASHION_MNIST", missing, 1);
    dsml_data_options o = options_from(NULL, NULL);
    o.fashion_mnist_dir = dir;
    dsml_dataset ds;
    snprintf(want, sizeof want, "preparing fashion-mnist from %s: ", dir);
    expect_error(dsml_data_prepare(&ds, "fashion-mnist", NULL, root, &o, NULL), DSML_ERR_FORMAT, want);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "train-images-idx3-ubyte.gz: 30 images, expected 60000"));
    expect_error(dsml_data_open(&ds, "fashion-mnist", root, &o), DSML_ERR_FORMAT, want);

    /* the other way round: the environment names the files, the option a
     * folder that does not exist; only the option is looked at */
    setenv("DSML_FASHION_MNIST", dir, 1);
    o.fashion_mnist_dir = missing;
    snprintf(want, sizeof want, "no source found (looked at %s)", missing);
    expect_error(dsml_data_open(&ds, "fashion-mnist", root, &o), DSML_ERR_STATE, want);
    unsetenv("DSML_FASHION_MNIST");
    ck_assert_ptr_null(ds.pixels);
    testdir_done(1);
}
END_TEST

/* ------------------------------------------------------ parameters strings */

#define STAMP_S 1600000000LL
#define STAMP_NS 123456789L

/* Writes `size` bytes at path with the mtime STAMP_S.STAMP_NS. */
static void stamped(const char *path, size_t size)
{
    uint8_t data[64] = {0};
    ck_assert_uint_le(size, sizeof data);
    file_write(path, data, size);
    struct timespec times[2] = {{STAMP_S, STAMP_NS}, {STAMP_S, STAMP_NS}};
    ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t size)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < size; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* The documented folder digest (docs/formats.md) of files rel[0..n) of the
 * given sizes, all stamped: the sum over files of FNV-1a 64 of the relative
 * path with its NUL, then the size and the mtime in ns as int64. */
static uint64_t tree_digest(const char *const *rel, const size_t *sizes, int n)
{
    uint64_t digest = 0;
    for (int i = 0; i < n; i++) {
        int64_t fields[2] = {(int64_t)sizes[i], STAMP_S * 1000000000 + STAMP_NS};
        digest += fnv1a(fnv1a(14695981039346656037ull, rel[i], strlen(rel[i]) + 1), fields, sizeof fields);
    }
    return digest;
}

static void expect_params(const char *kind_name, const char *source, const dsml_data_options *o, const char *want)
{
    const dsml_data_kind *kind = dsml_data_kind_find(kind_name);
    char params[DSML_CACHE_PARAMS];
    int rc = kind->params(params, kind, source, o);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
    ck_assert_str_eq(params, want);
}

START_TEST(test_params_stat_layouts)
{
    const char *dir = testdir_make("params-stat");
    dsml_data_options o = options_from(NULL, NULL);
    char path[4096], want[8192];
    /* fashion-mnist: the four files, .gz when there is one */
    static const char *const idx[4] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                       "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte"};
    int len = snprintf(want, sizeof want, "fashion-mnist reader=idx-1 from=%s/fashion", dir);
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/fashion/%s", dir, idx[i]);
        stamped(path, (size_t)(10 + i));
        len += snprintf(want + len, sizeof want - (size_t)len, " %s=%d:%lld", idx[i], 10 + i, STAMP_S);
    }
    stamped(testdir_path("fashion/train-images-idx3-ubyte"), 5); /* the .gz is preferred */
    snprintf(path, sizeof path, "%s/fashion", dir);
    expect_params("fashion-mnist", path, &o, want);
    /* cifar10: the seven files of a folder, in order; an archive alone */
    static const char *const batches[7] = {"batches.meta.txt", "data_batch_1.bin", "data_batch_2.bin",
                                           "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
                                           "test_batch.bin"};
    len = snprintf(want, sizeof want, "cifar10 reader=cifar-bin-1 from=%s/cifar", dir);
    for (int i = 0; i < 7; i++) {
        snprintf(path, sizeof path, "%s/cifar/%s", dir, batches[i]);
        stamped(path, (size_t)(20 + i));
        len += snprintf(want + len, sizeof want - (size_t)len, " %s=%d:%lld", batches[i], 20 + i, STAMP_S);
    }
    stamped(testdir_path("cifar/readme.html"), 1); /* not read: not stamped */
    snprintf(path, sizeof path, "%s/cifar", dir);
    expect_params("cifar10", path, &o, want);
    stamped(testdir_path("c.tar.gz"), 33);
    snprintf(want, sizeof want, "cifar10 reader=cifar-bin-1 from=%s c.tar.gz=33:%lld", testdir_path("c.tar.gz"),
             STAMP_S);
    expect_params("cifar10", testdir_path("c.tar.gz"), &o, want);
    /* a batch missing from the folder */
    unlink(testdir_path("cifar/data_batch_3.bin"));
    const dsml_data_kind *cifar = dsml_data_kind_find("cifar10");
    char params[DSML_CACHE_PARAMS];
    expect_error(cifar->params(params, cifar, path, &o), DSML_ERR_IO, "data_batch_3.bin: No such file");
    testdir_done(1);
}
END_TEST

START_TEST(test_params_entries_and_folder_layouts)
{
    const char *dir = testdir_make("params-entries");
    dsml_data_options o = options_from(NULL, NULL);
    o.channels = 1;
    o.height = 8;
    o.width = 4;
    o.skip_bad = 1;
    o.split_dirs = 1;
    char want[8192], path[4096];
    /* cub200, an archive: the source itself; skip_bad is not cub200's */
    stamped(testdir_path("CUB_200_2011.tgz"), 40);
    snprintf(want, sizeof want, "cub200 reader=cub-1 channels=1 size=8x4 skip_bad=0 source=file:40:%lld.%09ld from=%s",
             STAMP_S, STAMP_NS, testdir_path("CUB_200_2011.tgz"));
    expect_params("cub200", testdir_path("CUB_200_2011.tgz"), &o, want);
    /* cars196, car_ims.tgz: the .mat beside it too */
    stamped(testdir_path("cars/car_ims.tgz"), 41);
    stamped(testdir_path("cars/cars_annos.mat"), 42);
    snprintf(path, sizeof path, "%s/cars/car_ims.tgz", dir);
    snprintf(want, sizeof want, "cars196 reader=cars-1 channels=1 size=8x4 skip_bad=0 source=file:41:%lld.%09ld "
             "cars_annos.mat=file:42:%lld.%09ld from=%s", STAMP_S, STAMP_NS, STAMP_S, STAMP_NS, path);
    expect_params("cars196", path, &o, want);
    /* nus-wide, a folder: the entries it reads (a folder as a tree), nothing else */
    stamped(testdir_path("nus/ImageList/Imagelist.txt"), 7);
    stamped(testdir_path("nus/ImageList/notes/a.txt"), 3);
    stamped(testdir_path("nus/nus-wide-images.zip"), 43);
    stamped(testdir_path("nus/other-download.tgz"), 44);
    static const char *const rel[2] = {"Imagelist.txt", "notes/a.txt"};
    static const size_t sizes[2] = {7, 3};
    snprintf(path, sizeof path, "%s/nus", dir);
    snprintf(want, sizeof want, "nus-wide reader=nuswide-1 channels=1 size=8x4 skip_bad=1 "
             "ImageList=tree:2:10:%016llx nus-wide-images.zip=file:43:%lld.%09ld from=%s",
             (unsigned long long)tree_digest(rel, sizes, 2), STAMP_S, STAMP_NS, path);
    expect_params("nus-wide", path, &o, want);
    /* imagefolder: a folder as one tree, an archive as one file; split_dirs is its own */
    snprintf(path, sizeof path, "%s/nus/ImageList", dir);
    snprintf(want, sizeof want, "imagefolder reader=imagefolder-2 channels=1 size=8x4 split_dirs=1 skip_bad=1 "
             "source=tree=2:10:%016llx from=%s", (unsigned long long)tree_digest(rel, sizes, 2), path);
    expect_params("imagefolder", path, &o, want);
    o.split_dirs = 0;
    o.skip_bad = 0;
    snprintf(want, sizeof want, "imagefolder reader=imagefolder-2 channels=1 size=8x4 split_dirs=0 skip_bad=0 "
             "source=file=40:%lld.%09ld from=%s", STAMP_S, STAMP_NS, testdir_path("CUB_200_2011.tgz"));
    expect_params("imagefolder", testdir_path("CUB_200_2011.tgz"), &o, want);
    testdir_done(1);
}
END_TEST

START_TEST(test_params_read_back)
{
    const dsml_data_kind *folder = dsml_data_kind_find("imagefolder"), *cub = dsml_data_kind_find("cub200");
    dsml_data_options o = options_from(NULL, NULL);
    char from[DSML_CACHE_PARAMS];
    ck_assert_int_eq(dsml_data_params_read("imagefolder reader=imagefolder-2 channels=1 size=8x6 split_dirs=1 "
                                           "skip_bad=1 source=tree=1:2:0000000000000003 from=/a path/with spaces",
                                           folder, &o, from, sizeof from),
                     DSML_OK);
    ck_assert_int_eq(o.channels, 1);
    ck_assert_int_eq(o.height, 8);
    ck_assert_int_eq(o.width, 6);
    ck_assert_int_eq(o.split_dirs, 1);
    ck_assert_int_eq(o.skip_bad, 1);
    ck_assert_str_eq(from, "/a path/with spaces");
    dsml_data_options_default(&o);
    ck_assert_int_eq(dsml_data_params_read("cub200 reader=cub-1 channels=1 size=16x16 skip_bad=0 "
                                           "source=file:1:2.000000003 from=/x", cub, &o, NULL, 0),
                     DSML_OK);
    ck_assert_int_eq(o.height, 16);
    ck_assert_int_eq(o.split_dirs, 0);
    /* another kind's string, or one cut short: what was expected, o unchanged */
    expect_error(dsml_data_params_read("cub200 reader=cub-1 channels=3 size=9x9 skip_bad=0 from=/x", folder, &o,
                                       from, sizeof from),
                 DSML_ERR_FORMAT, "expected \"imagefolder reader=R channels=C size=HxW split_dirs=S skip_bad=B ... "
                                  "from=PATH\"");
    ck_assert_int_eq(o.height, 16);
    expect_error(dsml_data_params_read("imagefolder reader=imagefolder-2 channels=3 size=9x9 split_dirs=0 skip_bad=0",
                                       folder, &o, from, sizeof from),
                 DSML_ERR_FORMAT, "parameters \"imagefolder reader=imagefolder-2");
}
END_TEST

/* -------------------------------------------------------- the open path */

START_TEST(test_data_open_errors)
{
    const char *dir = testdir_make("data-open");
    dsml_dataset ds;
    dsml_data_options none = options_from(NULL, NULL), nope = options_from(testdir_path("nope.tar.gz"), NULL);
    expect_error(dsml_data_open(&ds, "mnist", dir, &none), DSML_ERR_ARG, "\"mnist\": unknown");
    expect_error(dsml_data_open(&ds, "cifar10", dir, &none), DSML_ERR_STATE, "cifar-10-binary.tar.gz");
    expect_error(dsml_data_open(&ds, "cifar10", dir, &nope), DSML_ERR_IO, "nope.tar.gz");
    /* a source that is not the real CIFAR-10: the reader's error, with context */
    write_cifar_archive(testdir_path("downloads.tar.gz"), NULL);
    ck_assert_int_eq(dsml_mkdirs(testdir_path("downloads")), DSML_OK);
    ck_assert_int_eq(rename(testdir_path("downloads.tar.gz"), testdir_path("downloads/cifar-10-binary.tar.gz")), 0);
    expect_error(dsml_data_open(&ds, "cifar10", dir, &none), DSML_ERR_FORMAT,
                 "preparing cifar10 from");
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "data_batch_1.bin: 20 records, expected 10000"));
    ck_assert_ptr_null(ds.pixels);
    testdir_done(1);
}
END_TEST

START_TEST(test_data_prepare_annotated)
{
    const char *dir = testdir_make("prepare-annotated");
    ck_assert_ptr_nonnull(dir);
    char src[4096], root[4096];
    snprintf(src, sizeof src, "%s/nus", dir);
    snprintf(root, sizeof root, "%s/root", dir);
    nus_make_pngs();
    nus_folder(src, NULL, 4, 18); /* 22 concepts, of which 21 are kept */
    dsml_data_options o;
    dsml_data_options_default(&o);
    o.from = src;
    o.channels = 1;
    o.height = o.width = 4;
    dsml_dataset ds;
    int prepared = 0;
    /* image 4 is absent: an error, no cache written */
    expect_error(dsml_data_prepare(&ds, "nus-wide", NULL, root, &o, &prepared), DSML_ERR_FORMAT, "0004_1004.jpg");
    char cache[8192];
    snprintf(cache, sizeof cache, "%s/cache/nus-wide.dsd", root);
    ck_assert_int_eq(access(cache, F_OK), -1);
    o.skip_bad = 1;
    int rc = dsml_data_prepare(&ds, "nus-wide", NULL, root, &o, &prepared);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(prepared, 1);
    ck_assert_int_eq(ds.n, NUS_N - 1);
    ck_assert_int_eq(ds.n_labels, DSML_NUSWIDE_CONCEPTS);
    ck_assert_str_eq(ds.class_names[3], "dog");
    ck_assert_str_eq(ds.class_names[4], "zz00"); /* the least frequent (zz17, no image) is dropped */
    ck_assert_str_eq(ds.class_names[20], "zz16");
    dsml_dataset_free(&ds);
    /* opened by name: the options come back from the cache, nothing is prepared again */
    char *text = NULL;
    size_t text_size = 0;
    FILE *log = open_memstream(&text, &text_size);
    dsml_data_options by_name = options_from(src, log);
    rc = dsml_data_open(&ds, "nus-wide", root, &by_name);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.height, 4);
    ck_assert_int_eq(ds.n_skipped, 1);
    ck_assert_ptr_nonnull(ds.label_bits);
    dsml_dataset_free(&ds);
    fclose(log);
    ck_assert_msg(strstr(text, "nus-wide.dsd: up to date") && !strstr(text, "written"), "%s", text);
    free(text);
    nus_free_pngs();
    testdir_done(1);
}
END_TEST

/* An imagefolder prepared under a local name: opened by that name with the
 * options and source its cache recorded, used as it is when the source is
 * gone, refused when the cache is broken. */
START_TEST(test_open_local_name)
{
    const char *dir = testdir_make("open-local");
    char src[4096], moved[4096], root[4096];
    snprintf(src, sizeof src, "%s/pets", dir);
    snprintf(moved, sizeof moved, "%s/pets-moved", dir);
    snprintf(root, sizeof root, "%s/root", dir);
    for (int i = 0; i < 4; i++) {
        bytes png = png_gray(5, 7, 40 * i);
        char path[4200];
        snprintf(path, sizeof path, "%s/%s/%d.png", src, i < 2 ? "cat" : "dog", i);
        file_write(path, png.data, png.size);
        free(png.data);
    }
    char *text = NULL;
    size_t text_size = 0;
    FILE *log = open_memstream(&text, &text_size);
    dsml_data_options o = options_from(src, log);
    o.channels = 1;
    o.height = 6;
    o.width = 3;
    dsml_dataset ds;
    int prepared = 0;
    ck_assert_msg(dsml_data_prepare(&ds, "imagefolder", "pets", root, &o, &prepared) == DSML_OK, "%s",
                  dsml_last_error());
    ck_assert_int_eq(prepared, 1);
    dsml_dataset_free(&ds);
    /* by name alone: the recorded options, nothing prepared again */
    dsml_data_options by_name = options_from(NULL, log);
    ck_assert_msg(dsml_data_open(&ds, "pets", root, &by_name) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(ds.channels, 1);
    ck_assert_int_eq(ds.height, 6);
    ck_assert_int_eq(ds.width, 3);
    ck_assert_int_eq(ds.n, 4);
    dsml_dataset_free(&ds);
    /* the source moved: the cache as it is; given again with from: prepared from there */
    ck_assert_int_eq(rename(src, moved), 0);
    ck_assert_msg(dsml_data_open(&ds, "pets", root, &by_name) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, 4);
    dsml_dataset_free(&ds);
    dsml_data_options moved_from = options_from(moved, log);
    ck_assert_msg(dsml_data_open(&ds, "pets", root, &moved_from) == DSML_OK, "%s", dsml_last_error());
    ck_assert_int_eq(ds.height, 6);
    dsml_dataset_free(&ds);
    fclose(log);
    ck_assert_ptr_nonnull(strstr(text, "pets.dsd: up to date"));
    char want[8192];
    snprintf(want, sizeof want, "data: pets: source %s is gone", src);
    ck_assert_msg(strstr(text, want), "%s", text);
    ck_assert_ptr_nonnull(strstr(text, "pets.dsd: stale (prepared with \"imagefolder reader=imagefolder-2 channels=1 "
                                       "size=6x3 split_dirs=0 skip_bad=0 source=tree=4:"));
    free(text);
    /* a broken cache: how to prepare it again */
    ck_assert_int_eq(truncate(testdir_path("root/cache/pets.dsd"), 100), 0);
    expect_error(dsml_data_open(&ds, "pets", root, &by_name), DSML_ERR_FORMAT,
                 "pets: prepare it again with `dsml prepare imagefolder --from PATH --name pets`");
    testdir_done(1);
}
END_TEST

/* -------------------------------------------------------------- real data */

START_TEST(test_fashion_mnist_real_files)
{
    const char *src = "/usr/share/datasets/fashion-mnist";
    if (access(src, R_OK) != 0) {
        fprintf(stderr, "SKIP test_fashion_mnist_real_files: %s absent (Debian package dataset-fashion-mnist)\n", src);
        return;
    }
    const char *root = testdir_make("fashion-real");
    ck_assert_ptr_nonnull(root);
    char *text = NULL;
    size_t text_size = 0;
    FILE *log = open_memstream(&text, &text_size);
    dsml_dataset ds;
    dsml_data_options o = options_from(src, log);
    ck_assert_int_eq(dsml_data_open(&ds, "fashion-mnist", root, &o), DSML_OK);
    ck_assert_int_eq(ds.n, 70000);
    ck_assert_int_eq(ds.channels, 1);
    ck_assert_int_eq(ds.height, 28);
    ck_assert_int_eq(ds.width, 28);
    ck_assert_int_eq(ds.n_classes, 10);
    ck_assert_str_eq(ds.class_names[9], "Ankle boot");
    int counts[10] = {0};
    for (int i = 0; i < ds.n; i++) counts[ds.labels[i]]++;
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 7000);
    /* training image 0 is an ankle boot, test image 0 too (the IDX files' first labels) */
    ck_assert_int_eq(ds.labels[0], 9);
    ck_assert_int_eq(ds.labels[60000], 9);
    char content[65];
    memcpy(content, ds.content_sha256, 65);
    dsml_dataset_free(&ds);
    ck_assert_int_eq(access(testdir_path("cache/fashion-mnist.dsd"), R_OK), 0);
    /* the second open uses the cache */
    ck_assert_int_eq(dsml_data_open(&ds, "fashion-mnist", root, &o), DSML_OK);
    ck_assert_str_eq(ds.content_sha256, content);
    ck_assert_ptr_nonnull(ds.map_base);
    dsml_dataset_free(&ds);
    fclose(log);
    ck_assert_ptr_nonnull(strstr(text, "not prepared yet"));
    ck_assert_ptr_nonnull(strstr(text, "up to date"));
    free(text);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"registry", 30, (const TTest *[]){test_registry_kinds, test_registry_unknown_lists_kinds,
                                           test_registry_missing_source_hint, test_registry_fashion_dir_from_options,
                                           NULL}},
        {"params", 30, (const TTest *[]){test_params_stat_layouts, test_params_entries_and_folder_layouts,
                                         test_params_read_back, NULL}},
        {"open", 30, (const TTest *[]){test_data_open_errors, test_data_prepare_annotated, test_open_local_name,
                                       NULL}},
        {"real", 120, (const TTest *[]){test_fashion_mnist_real_files, NULL}},
    };
    return suite_run_cases("data_open", cases, SUITE_CASES(cases));
}
