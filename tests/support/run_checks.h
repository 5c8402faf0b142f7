/* What must hold of dsml's files after a kill or a full disk: a run folder
 * that holds metrics.json is whole (it parses, with its metrics, and its
 * embeddings.bin reads back), a cache that exists opens with its content
 * hash verified, and a file that must not have been rewritten has the same
 * inode, mtime and bytes as before. Also what those tests need from the
 * machine. Every failure fails the test. */
#ifndef DSML_TESTS_RUN_CHECKS_H
#define DSML_TESTS_RUN_CHECKS_H

#include <stddef.h>
#include <sys/stat.h>

#include "files.h"

/* $DSML_BIN, the binary under test (make check sets it); the test fails without it. */
const char *dsml_binary(void);
/* 1 when /usr/share/datasets/fashion-mnist is there; else 0, saying that the test is skipped. */
int fashion_mnist_present(void);

/* snprintf into a path buffer; a path that does not fit fails the test. */
void path_format(char *out, size_t cap, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* A file as it was (or its absence), to tell later that nothing touched it:
 * its inode, mtime and size, and its bytes when it has at most
 * FILE_MARK_BYTES (a bigger one, a cache, is told by the others). */
#define FILE_MARK_BYTES (4L << 20)
typedef struct {
    int exists;
    struct stat st;
    bytes data;
} file_mark;

void file_mark_take(file_mark *m, const char *path);
/* Fails unless path is still absent, or has the same inode, mtime, size and bytes. */
void file_mark_expect_same(const file_mark *m, const char *path);
void file_mark_free(file_mark *m);
/* Fails unless path holds the bytes of ref (`label` names the moment in the message). */
void file_expect_bytes(const char *path, const char *ref, const char *label);

/* 0 when dir holds no metrics.json; else 1, after checking that it parses
 * with a training loss and Euclidean metrics and that dir/embeddings.bin
 * (when `embeddings`) reads back whole. */
int run_whole(const char *dir, int embeddings);
/* dir's run equals ref's: the metrics and losses bit for bit, embeddings.bin
 * byte for byte. */
void run_expect_same(const char *dir, const char *ref);
/* 0 when there is no cache at path; 1 when it opens with every header field,
 * size and the content hash checked. */
int cache_whole(const char *path);

#endif
