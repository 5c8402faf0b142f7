/* Small datasets in their real formats; see dataset_files.h. */
#include "dataset_files.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive_files.h"
#include "data/cifar.h"
#include "data/idx.h"
#include "files.h"
#include "image_files.h"
#include "testdir.h"

uint8_t pixel_value(int image, int byte) { return (uint8_t)(image * 7 + byte * 13 + 1); }

dsml_reader_options reader_options(int channels, int size)
{
    dsml_reader_options o;
    memset(&o, 0, sizeof o);
    o.channels = channels;
    o.height = size;
    o.width = size;
    return o;
}

int32_t *make_labels(int *n_out)
{
    int n = 0;
    for (int c = 0; c < 10; c++) n += 130 + 7 * c;
    int32_t *labels = malloc(sizeof(int32_t) * (size_t)n);
    ck_assert_ptr_nonnull(labels);
    int left[10];
    for (int c = 0; c < 10; c++) left[c] = 130 + 7 * c;
    for (int i = 0, c = 0; i < n; c = (c + 1) % 10)
        if (left[c]) { labels[i++] = c; left[c]--; }
    *n_out = n;
    return labels;
}

/* ------------------------------------------------------------- Fashion-MNIST */

static void write_bytes(const char *path, const void *data, size_t size, int gzip)
{
    if (gzip) file_write_gzip(path, data, size);
    else file_write(path, data, size);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

void write_idx_images(const char *path, uint32_t magic, int n, int first, size_t pixel_bytes, int gzip)
{
    size_t size = 16 + pixel_bytes;
    uint8_t *buf = malloc(size);
    put_be32(buf, magic);
    put_be32(buf + 4, (uint32_t)n);
    put_be32(buf + 8, 28);
    put_be32(buf + 12, 28);
    for (size_t j = 0; j < pixel_bytes; j++) buf[16 + j] = pixel_value(first + (int)(j / 784), (int)(j % 784));
    write_bytes(path, buf, size, gzip);
    free(buf);
}

int fashion_label(int image) { return (image * 3 + 1) % 10; }

void write_idx_labels(const char *path, uint32_t magic, int n, int first, int gzip)
{
    uint8_t *buf = malloc(8 + (size_t)n);
    put_be32(buf, magic);
    put_be32(buf + 4, (uint32_t)n);
    for (int i = 0; i < n; i++) buf[8 + i] = (uint8_t)fashion_label(first + i);
    write_bytes(path, buf, 8 + (size_t)n, gzip);
    free(buf);
}

void write_fashion(int gzip)
{
    const char *suffix = gzip ? ".gz" : "";
    char name[128];
    snprintf(name, sizeof name, "train-images-idx3-ubyte%s", suffix);
    write_idx_images(testdir_path(name), DSML_IDX_MAGIC_UBYTE_3D, 30, 0, 30 * 784, gzip);
    snprintf(name, sizeof name, "train-labels-idx1-ubyte%s", suffix);
    write_idx_labels(testdir_path(name), DSML_IDX_MAGIC_UBYTE_1D, 30, 0, gzip);
    snprintf(name, sizeof name, "t10k-images-idx3-ubyte%s", suffix);
    write_idx_images(testdir_path(name), DSML_IDX_MAGIC_UBYTE_3D, 10, 30, 10 * 784, gzip);
    snprintf(name, sizeof name, "t10k-labels-idx1-ubyte%s", suffix);
    write_idx_labels(testdir_path(name), DSML_IDX_MAGIC_UBYTE_1D, 10, 30, gzip);
}

/* ------------------------------------------------------------------ CIFAR-10 */

const char *const cifar_files[6] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                    "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
static const char cifar_meta[] = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";

int cifar_label(int image) { return (image * 7 + 3) % 10; }

uint8_t *cifar_batch(int slot, size_t *size)
{
    *size = (size_t)CIFAR_R * DSML_CIFAR10_RECORD;
    uint8_t *buf = malloc(*size);
    for (int r = 0; r < CIFAR_R; r++) {
        int image = slot * CIFAR_R + r;
        uint8_t *rec = buf + (size_t)r * DSML_CIFAR10_RECORD;
        rec[0] = (uint8_t)cifar_label(image);
        for (int j = 0; j < 3072; j++) rec[1 + j] = pixel_value(image, j);
    }
    return buf;
}

const char *write_cifar_folder(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s", testdir_path("cifar-10-batches-bin"));
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    char path[8192];
    snprintf(path, sizeof path, "%s/batches.meta.txt", dir);
    file_write(path, cifar_meta, strlen(cifar_meta));
    for (int s = 0; s < 6; s++) {
        size_t size;
        uint8_t *buf = cifar_batch(s, &size);
        snprintf(path, sizeof path, "%s/%s", dir, cifar_files[s]);
        file_write(path, buf, size);
        free(buf);
    }
    return dir;
}

void write_cifar_archive(const char *path, const char *evil)
{
    archive_member m[9];
    char names[6][64];
    uint8_t *batches[6];
    int n = 0;
    m[n++] = (archive_member){"cifar-10-batches-bin/", NULL, 0, NULL};
    m[n++] = (archive_member){"cifar-10-batches-bin/batches.meta.txt", cifar_meta, strlen(cifar_meta), NULL};
    if (evil) m[n++] = (archive_member){evil, "x", 1, NULL};
    for (int s = 0; s < 6; s++) {
        size_t size;
        batches[s] = cifar_batch(s, &size);
        snprintf(names[s], sizeof names[s], "cifar-10-batches-bin/%s", cifar_files[s]);
        m[n++] = (archive_member){names[s], batches[s], size, NULL};
    }
    archive_write_members(path, m, n, TEST_ARCHIVE_TGZ);
    for (int s = 0; s < 6; s++) free(batches[s]);
}

/* ------------------------------------------------------------------ NUS-WIDE */

const char *const nus_concepts[4] = {"animal", "beach", "cloud", "dog"};

int nus_has(int k, int i)
{
    switch (k) {
    case 0: return i < 6;
    case 1: return i >= 8;
    case 2: return i >= 5;
    default: return i == 2;
    }
}

static void nus_texts(char list[2048], char labels[4][256], const char *bad_line)
{
    list[0] = '\0';
    for (int i = 0; i < NUS_N; i++) {
        size_t used = strlen(list);
        snprintf(list + used, 2048 - used, "C:\\ImageData\\Flickr\\%s\\%04d_%d.jpg\r\n", i < 5 ? "actor" : "zoo", i,
                 1000 + i);
    }
    for (int k = 0; k < 4; k++) {
        labels[k][0] = '\0';
        for (int i = 0; i < NUS_N; i++) strcat(labels[k], nus_has(k, i) ? "1 \n" : "0\n");
    }
    if (bad_line) strcpy(labels[2] + 4, bad_line); /* after two lines of "cloud" */
}

static bytes nus_png[NUS_N];

void nus_make_pngs(void)
{
    for (int i = 0; i < NUS_N; i++) nus_png[i] = png_gray(2, 2, 10 + 20 * i);
}

void nus_free_pngs(void)
{
    for (int i = 0; i < NUS_N; i++) free(nus_png[i].data);
}

void nus_folder(const char *root, const char *bad_line, int drop_image, int extra)
{
    char list[2048], labels[4][256], path[8192];
    nus_texts(list, labels, bad_line);
    snprintf(path, sizeof path, "%s/ImageList/Imagelist.txt", root);
    file_write(path, list, strlen(list));
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/Groundtruth/AllLabels/Labels_%s.txt", root, nus_concepts[k]);
        file_write(path, labels[k], strlen(labels[k]));
    }
    for (int k = 0; k < extra; k++) {
        char zeros[64] = "";
        for (int i = 0; i < NUS_N; i++) strcat(zeros, "0\n");
        snprintf(path, sizeof path, "%s/Groundtruth/AllLabels/Labels_zz%02d.txt", root, k);
        file_write(path, zeros, strlen(zeros));
    }
    snprintf(path, sizeof path, "%s/Groundtruth/TrainTestLabels/Labels_animal_Train.txt", root);
    file_write(path, "1\n", 2); /* not an AllLabels file: ignored */
    for (int i = 0; i < NUS_N; i++) {
        if (i == drop_image) continue;
        snprintf(path, sizeof path, "%s/nus-wide-images/Flickr/%s/%04d_%d.jpg", root, i < 5 ? "actor" : "zoo", i,
                 1000 + i);
        file_write(path, nus_png[i].data, nus_png[i].size);
    }
}

void nus_archives(const char *root)
{
    char list[2048], labels[4][256], path[8192], names[NUS_N][128];
    nus_texts(list, labels, NULL);
    archive_member m[NUS_N + 4];
    m[0] = (archive_member){"ImageList/Imagelist.txt", list, strlen(list), NULL};
    snprintf(path, sizeof path, "%s/ImageList.zip", root);
    archive_write_members(path, m, 1, TEST_ARCHIVE_ZIP);
    char label_names[4][128];
    for (int k = 0; k < 4; k++) {
        snprintf(label_names[k], sizeof label_names[k], "Groundtruth/AllLabels/Labels_%s.txt", nus_concepts[k]);
        m[k] = (archive_member){label_names[k], labels[k], strlen(labels[k]), NULL};
    }
    snprintf(path, sizeof path, "%s/Groundtruth.zip", root);
    archive_write_members(path, m, 4, TEST_ARCHIVE_ZIP);
    for (int i = 0; i < NUS_N; i++) {
        snprintf(names[i], sizeof names[i], "Flickr/%s/%04d_%d.jpg", i < 5 ? "actor" : "zoo", i, 1000 + i);
        m[NUS_N - 1 - i] = (archive_member){names[i], nus_png[i].data, nus_png[i].size, NULL};
    }
    snprintf(path, sizeof path, "%s/nus-wide-images.tar.gz", root);
    archive_write_members(path, m, NUS_N, TEST_ARCHIVE_TGZ);
}
