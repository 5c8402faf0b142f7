/* MAT v5 files for tests; see mat5_files.h. */
#include "mat5_files.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void mat_header(bytes *b, const char *text, int big_endian)
{
    uint8_t header[128];
    memset(header, ' ', 116);
    memcpy(header, text, strlen(text) + 1);
    memset(header + 116, 0, 8);
    header[124] = big_endian ? 0x01 : 0x00;
    header[125] = big_endian ? 0x00 : 0x01;
    header[126] = big_endian ? 'M' : 'I';
    header[127] = big_endian ? 'I' : 'M';
    bytes_add(b, header, 128);
}

void mat_el(bytes *b, uint32_t type, const void *data, uint32_t size, int small)
{
    uint8_t tag[8];
    if (small && size <= 4) {
        uint32_t w = size << 16 | type;
        memcpy(tag, &w, 4);
        memset(tag + 4, 0, 4);
        if (size) memcpy(tag + 4, data, size);
        bytes_add(b, tag, 8);
        return;
    }
    memcpy(tag, &type, 4);
    memcpy(tag + 4, &size, 4);
    bytes_add(b, tag, 8);
    bytes_add(b, data, size);
    static const uint8_t zeros[8];
    bytes_add(b, zeros, (8 - size % 8) % 8);
}

void mat_head(bytes *b, int mx_class, int rows, int cols, const char *name)
{
    uint32_t flags[2] = {(uint32_t)mx_class, 0};
    int32_t dims[2] = {rows, cols};
    mat_el(b, 6, flags, 8, 0);
    mat_el(b, 5, dims, 8, 0);
    mat_el(b, 1, name, (uint32_t)strlen(name), 1);
}

void mat_wrap(bytes *out, const bytes *body)
{
    mat_el(out, 14, body->data, (uint32_t)body->size, 0);
}

/* A double scalar stored as uint8 (as MATLAB does for small integers). */
static void mat_number(bytes *out, const char *name, int value)
{
    bytes body = {0};
    mat_head(&body, 6, 1, 1, name);
    uint8_t v = (uint8_t)value;
    mat_el(&body, 2, &v, 1, 1);
    mat_wrap(out, &body);
    free(body.data);
}

/* A char row vector in UTF-16 (miUINT16). */
static void mat_text(bytes *out, const char *name, const char *text)
{
    bytes body = {0};
    int n = (int)strlen(text);
    mat_head(&body, 4, 1, n, name);
    uint16_t u[256];
    for (int i = 0; i < n; i++) u[i] = (uint8_t)text[i];
    mat_el(&body, 4, u, (uint32_t)(2 * n), 0);
    mat_wrap(out, &body);
    free(body.data);
}

bytes mat_file(const char *path_field, const mat_ann *ann, int n, int with_test, const char *const *classes,
               int n_classes, int compress)
{
    bytes file = {0};
    mat_header(&file, "MATLAB 5.0 MAT-file, written by check_datasets", 0);

    const char *fields[7] = {path_field, "bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2", "class", "test"};
    int n_fields = with_test ? 7 : 6;
    bytes vars[2] = {{0}, {0}};
    bytes body = {0};
    mat_head(&body, 2, 1, n, "annotations");
    int32_t len = 32;
    mat_el(&body, 5, &len, 4, 1);
    char names[7 * 32];
    memset(names, 0, sizeof names);
    for (int f = 0; f < n_fields; f++) memcpy(names + 32 * f, fields[f], strlen(fields[f]));
    mat_el(&body, 1, names, (uint32_t)(32 * n_fields), 0);
    for (int i = 0; i < n; i++) {
        mat_text(&body, "", ann[i].path);
        for (int k = 0; k < 4; k++) mat_number(&body, "", 10 + k);
        mat_number(&body, "", ann[i].cls);
        if (with_test) mat_number(&body, "", ann[i].test);
    }
    mat_wrap(&vars[0], &body);
    body.size = 0;
    mat_head(&body, 1, 1, n_classes, "class_names");
    for (int k = 0; k < n_classes; k++) mat_text(&body, "", classes[k]);
    mat_wrap(&vars[1], &body);
    free(body.data);
    for (int v = 0; v < 2; v++) {
        if (compress) {
            uLongf size = compressBound(vars[v].size);
            uint8_t *z = malloc(size);
            ck_assert_int_eq(compress2(z, &size, vars[v].data, vars[v].size, 6), Z_OK);
            uint32_t tag[2] = {15, (uint32_t)size};
            bytes_add(&file, tag, 8);
            bytes_add(&file, z, size); /* compressed elements are not padded */
            free(z);
        } else {
            bytes_add(&file, vars[v].data, vars[v].size);
        }
        free(vars[v].data);
    }
    return file;
}

