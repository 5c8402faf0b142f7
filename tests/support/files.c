/* Files for tests; see files.h. */
#include "files.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/atomic_file.h"

void bytes_add(bytes *b, const void *data, size_t size)
{
    if (b->size + size + 1 > b->cap) {
        b->cap = (b->size + size) * 2 + 64;
        b->data = realloc(b->data, b->cap);
        ck_assert_ptr_nonnull(b->data);
    }
    if (size) memcpy(b->data + b->size, data, size);
    b->size += size;
}

/* The folder of `path`, created. */
static void make_folder_of(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        ck_assert_msg(dsml_mkdirs(dir) == 0, "%s: cannot create", dir);
    }
}

void file_write(const char *path, const void *data, size_t size)
{
    make_folder_of(path);
    FILE *fp = fopen(path, "wb");
    ck_assert_msg(fp != NULL, "%s: cannot create", path);
    if (size) ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
    ck_assert_int_eq(fclose(fp), 0);
}

void file_write_gzip(const char *path, const void *data, size_t size)
{
    make_folder_of(path);
    gzFile gz = gzopen(path, "wb");
    ck_assert_msg(gz != NULL, "%s: cannot create", path);
    if (size) ck_assert_int_eq(gzwrite(gz, data, (unsigned)size), (int)size);
    ck_assert_int_eq(gzclose(gz), Z_OK);
}

bytes file_read(const char *path)
{
    bytes b = {0};
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "%s: cannot open", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    b.data = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(b.data);
    ck_assert_uint_eq(fread(b.data, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    b.size = b.cap = (size_t)n;
    b.data[n] = 0;
    return b;
}

void file_poke(const char *path, long offset, uint8_t value)
{
    FILE *fp = fopen(path, "r+b");
    ck_assert_msg(fp != NULL, "%s: cannot open", path);
    fseek(fp, offset, SEEK_SET);
    fputc(value, fp);
    fclose(fp);
}

long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

int file_exists(const char *path) { return access(path, F_OK) == 0; }

int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "%s: cannot open", dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}
