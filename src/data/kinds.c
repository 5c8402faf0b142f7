/* The registry of dataset kinds: one entry per kind, and the one-line
 * adapters from dsml_data_options to each reader; see kind.h. */
#include "data/kind.h"
#include "core/error.h"
#include "data/cars.h"
#include "data/cifar.h"
#include "data/cub.h"
#include "data/idx.h"
#include "data/imagefolder.h"
#include "data/nuswide.h"

#include <string.h>

/* What the readers of annotated datasets (cub200, cars196, nus-wide) take. */
static dsml_reader_options reader_options(const dsml_data_options *o)
{
    dsml_reader_options r;
    memset(&r, 0, sizeof r);
    r.channels = o->channels;
    r.height = o->height;
    r.width = o->width;
    r.limits.max_total_bytes = o->max_total_bytes;
    r.limits.max_entry_bytes = o->max_entry_bytes;
    return r;
}

static int read_fashion_mnist(dsml_dataset *ds, const char *source, const char *name, const dsml_data_options *o)
{
    (void)name;
    (void)o;
    return dsml_fashion_mnist_read(ds, source, DSML_FASHION_MNIST_TRAIN, DSML_FASHION_MNIST_TEST);
}

static int read_cifar10(dsml_dataset *ds, const char *source, const char *name, const dsml_data_options *o)
{
    (void)name;
    dsml_archive_limits limits = {o->max_total_bytes, o->max_entry_bytes};
    return dsml_cifar10_read_with(ds, source, DSML_CIFAR10_RECORDS_PER_BATCH, &limits);
}

static int read_cub200(dsml_dataset *ds, const char *source, const char *name, const dsml_data_options *o)
{
    (void)name;
    dsml_reader_options r = reader_options(o);
    return dsml_cub200_read(ds, source, &r);
}

static int read_cars196(dsml_dataset *ds, const char *source, const char *name, const dsml_data_options *o)
{
    (void)name;
    dsml_reader_options r = reader_options(o);
    return dsml_cars196_read(ds, source, &r);
}

static int read_nuswide(dsml_dataset *ds, const char *source, const char *name, const dsml_data_options *o)
{
    (void)name;
    dsml_reader_options r = reader_options(o);
    return dsml_nuswide_read(ds, source, &r, DSML_NUSWIDE_CONCEPTS, o->skip_bad);
}

/* Reads the imagefolder and moves what the read found besides the images
 * (ignored, skipped, splits) into ds, which then owns it. */
static int read_imagefolder(dsml_dataset *ds, const char *source, const char *name, const dsml_data_options *o)
{
    dsml_imagefolder_options opt;
    memset(&opt, 0, sizeof opt);
    opt.channels = o->channels;
    opt.height = o->height;
    opt.width = o->width;
    opt.split_dirs = o->split_dirs;
    opt.skip_bad = o->skip_bad;
    opt.max_total_bytes = o->max_total_bytes;
    opt.max_entry_bytes = o->max_entry_bytes;
    opt.name = name;
    dsml_imagefolder_info info;
    int rc = dsml_imagefolder_read(ds, source, &opt, o->log, &info);
    if (rc) return rc;
    ds->n_ignored = info.n_ignored;
    ds->n_skipped = info.n_skipped;
    ds->skipped = info.skipped;
    ds->n_splits = info.n_splits;
    ds->split_names = info.split_names;
    ds->owned_split = info.split;
    ds->split = info.split;
    memset(&info, 0, sizeof info); /* handed over to ds */
    return DSML_OK;
}

/* The files of a source folder a reader may read: the rest of the folder
 * (e.g. other datasets' downloads) does not make the cache stale. */
static const char *const cifar10_files[] = {"batches.meta.txt", "data_batch_1.bin", "data_batch_2.bin",
                                            "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
                                            "test_batch.bin", NULL};
static const char *const cars196_files[] = {"car_ims.tgz", "car_ims", "cars_annos.mat", "car_devkit.tgz",
                                            "cars_train.tgz", "cars_train", "cars_test.tgz", "cars_test",
                                            "cars_meta.mat", "cars_train_annos.mat",
                                            "cars_test_annos_withlabels.mat", NULL};
static const char *const nuswide_files[] = {"ImageList.zip", "ImageList", "Groundtruth.zip", "Groundtruth",
                                            "nus-wide-images", "nus-wide-images.tar", "nus-wide-images.tar.gz",
                                            "nus-wide-images.tgz", "nus-wide-images.zip", NULL};

/* Registry order is the order names are listed in messages. */
static const dsml_data_kind kinds[] = {
    {
        .name = "fashion-mnist",
        .reader = "idx-1",
        .system_dir = "/usr/share/datasets/fashion-mnist",
        .candidates = {{.in_system_dir = 1, .path = ""}},
        .params = dsml_data_params_idx,
        .read = read_fashion_mnist,
        .missing = "; install Debian's dataset-fashion-mnist or set DSML_FASHION_MNIST",
    },
    {
        .name = "cifar10",
        .reader = "cifar-bin-1",
        .candidates = {{.path = "downloads/cifar-10-binary.tar.gz"}, {.path = "cifar-10-binary.tar.gz"}},
        .stamp_files = cifar10_files,
        .params = dsml_data_params_stat,
        .read = read_cifar10,
        .missing = "; get it with `dsml fetch cifar10`, or put cifar-10-binary.tar.gz into the data root, or "
                   "give its path with --from",
    },
    {
        .name = "cub200",
        .reader = "cub-1",
        .candidates = {{.path = "downloads/CUB_200_2011.tgz"}, {.path = "CUB_200_2011.tgz"},
                       {.path = "CUB_200_2011"}},
        .params = dsml_data_params_entries,
        .read = read_cub200,
        .options = DSML_DATA_OPT_SHAPE,
        .absolute_source = 1,
        .missing = "; get it with `dsml fetch cub200`, or put CUB_200_2011.tgz into the data root, or give its "
                   "path with --from",
    },
    {
        .name = "cars196",
        .reader = "cars-1",
        .candidates = {{.path = "downloads", .probe = "cars_annos.mat|car_devkit.tgz"},
                       {.path = "", .probe = "cars_annos.mat|car_devkit.tgz"}},
        .stamp_files = cars196_files,
        .stamp_beside = "cars_annos.mat",
        .params = dsml_data_params_entries,
        .read = read_cars196,
        .options = DSML_DATA_OPT_SHAPE,
        .absolute_source = 1,
        .missing = "; see datasets/cars196.manifest, or give the source with --from",
    },
    {
        .name = "nus-wide",
        .reader = "nuswide-1",
        .candidates = {{.path = "downloads", .probe = "ImageList.zip|ImageList"},
                       {.path = "", .probe = "ImageList.zip|ImageList"}},
        .stamp_files = nuswide_files,
        .params = dsml_data_params_entries,
        .read = read_nuswide,
        .options = DSML_DATA_OPT_SHAPE | DSML_DATA_OPT_SKIP_BAD,
        .absolute_source = 1,
        .missing = "; see datasets/nus-wide.manifest, or give the source with --from",
    },
    {
        .name = "imagefolder",
        .reader = "imagefolder-2",
        .params = dsml_data_params_folder,
        .read = read_imagefolder,
        .options = DSML_DATA_OPT_SHAPE | DSML_DATA_OPT_SPLIT_DIRS | DSML_DATA_OPT_SKIP_BAD,
        .local_name = 1,
        .absolute_source = 1,
    },
};

_Static_assert(sizeof kinds / sizeof kinds[0] <= DSML_DATA_KINDS_MAX, "raise DSML_DATA_KINDS_MAX");

const dsml_data_kind *dsml_data_kinds(int *count)
{
    *count = (int)(sizeof kinds / sizeof kinds[0]);
    return kinds;
}

const dsml_data_kind *dsml_data_kind_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i].name, name)) return &kinds[i];
    return NULL;
}

int dsml_data_kind_names(const char **names, int cap, unsigned options, int local)
{
    int n = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && n < cap; i++)
        if ((kinds[i].options & options) == options && (local < 0 || kinds[i].local_name == local))
            names[n++] = kinds[i].name;
    return n;
}
