/* Files for tests: bytes in memory, and whole files written, read and
 * patched in one call; every failure fails the test. */
#ifndef DSML_TESTS_FILES_H
#define DSML_TESTS_FILES_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer; release data with free(). */
typedef struct {
    uint8_t *data;
    size_t size, cap;
} bytes;

void bytes_add(bytes *b, const void *data, size_t size);

/* Writes a file in one go, creating its folders. */
void file_write(const char *path, const void *data, size_t size);
/* The same, gzip-compressed. */
void file_write_gzip(const char *path, const void *data, size_t size);
/* The whole file (it must exist); data NUL-terminated one byte past size. */
bytes file_read(const char *path);
/* Overwrites the byte at `offset`. */
void file_poke(const char *path, long offset, uint8_t value);
/* Its size, or -1 when it does not exist. */
long file_size(const char *path);
int file_exists(const char *path);
/* The entries of a folder other than "." and "..". */
int dir_entries(const char *dir);

#endif
