/* A reader for the subset of MATLAB's Level 5 MAT-file format ("MAT v5",
 * what `save -v7` writes; not v7.3, which is HDF5) that dataset annotation
 * files use: numeric, char, cell and struct arrays, plain or in
 * zlib-compressed elements. Layout (docs/formats.md has the full table):
 *
 *   header   128 bytes: 116 bytes of text ("MATLAB 5.0 MAT-file..."), 8 bytes
 *            subsystem offset, u16 version 0x0100, 2 bytes endian indicator
 *            "IM" (little-endian file) or "MI" (big-endian)
 *   elements one after another to the end of the file, each a tag then data:
 *            tag = u32 type, u32 byte count, data padded to 8 bytes; or the
 *            small format (count < 5): u16 count in the high half, u16 type in
 *            the low half of the first word, data in the second word
 *   types    1 int8, 2 uint8, 3 int16, 4 uint16, 5 int32, 6 uint32, 7 single,
 *            9 double, 12 int64, 13 uint64, 14 miMATRIX, 15 miCOMPRESSED
 *            (a zlib stream holding one element), 16 utf8, 17 utf16, 18 utf32
 *   miMATRIX array flags (uint32 x 2: class in the low byte, 0x0800 complex,
 *            0x0200 logical), dimensions (int32 x n), name (int8), then by
 *            class: numeric (6..15): real part, imaginary part if complex,
 *            each in any numeric type; char (4): the characters; cell (1): one
 *            miMATRIX per element; struct (2): field-name length (int32), the
 *            names (int8, length bytes each, NUL-padded), then one miMATRIX
 *            per element and field (element-major). Elements are
 *            column-major. Other classes (sparse, object, function handles)
 *            are kept as DSML_MAT_OTHER without their data.
 *
 * Every count is checked against the bytes left; an inflated element may be
 * at most max_inflated bytes (it is inflated chunk by chunk, and refused as
 * soon as it passes the cap); nesting is at most 32 levels deep. Errors name
 * the file, the byte offset and the variable being read. */
#ifndef DSML_DATA_MAT5_H
#define DSML_DATA_MAT5_H

#include <stddef.h>
#include <stdint.h>

#define DSML_MAT_MAX_INFLATED (64LL << 20) /* default cap on one compressed element, inflated */

typedef enum {
    DSML_MAT_OTHER = 0,   /* a class this reader does not decode (sparse, object, ...) */
    DSML_MAT_CELL = 1,
    DSML_MAT_STRUCT = 2,
    DSML_MAT_CHAR = 4,
    DSML_MAT_NUMERIC = 6, /* any of double, single, int8..uint64 (and logical) */
} dsml_mat_kind;

typedef struct dsml_mat_array dsml_mat_array;

/* One array. Every pointer is owned by the array (released with the file). */
struct dsml_mat_array {
    char name[64];            /* variable or (inside a struct) field name; "" in cells */
    dsml_mat_kind kind;
    int mx_class;             /* MATLAB's class number (6 double, 9 uint8, ...) */
    int n_dims;
    int64_t dims[8];
    int64_t numel;            /* product of dims */
    double *re;               /* numeric: numel values (real part), converted to double */
    char *text;               /* char: numel characters as UTF-8, column-major, NUL-terminated */
    int n_fields;             /* struct: fields */
    char (*field_names)[64];
    dsml_mat_array *items;    /* cell: numel; struct: numel x n_fields, element-major */
};

typedef struct {
    dsml_mat_array *vars;     /* the top-level variables, in file order (owned) */
    int n_vars;
    char header[117];         /* the descriptive text, NUL-terminated */
} dsml_mat_file;

/* Parses a whole MAT file held in memory; name labels errors; max_inflated
 * <= 0 means DSML_MAT_MAX_INFLATED. On failure m is zeroed. */
int dsml_mat_parse(dsml_mat_file *m, const uint8_t *data, size_t size, const char *name, int64_t max_inflated);
/* Reads and parses the file at path (at most 256 MiB). */
int dsml_mat_read(dsml_mat_file *m, const char *path, int64_t max_inflated);
void dsml_mat_free(dsml_mat_file *m);

/* The top-level variable `name`, or NULL. */
const dsml_mat_array *dsml_mat_var(const dsml_mat_file *m, const char *name);
/* Field `field` of element i (0-based, column-major) of a struct array, or
 * NULL (not a struct, no such field, i out of range). */
const dsml_mat_array *dsml_mat_field(const dsml_mat_array *s, int64_t i, const char *field);
/* A char array as one string (its characters in storage order) into out;
 * DSML_ERR_FORMAT when a is not char or does not fit in cap. */
int dsml_mat_string(const dsml_mat_array *a, char *out, size_t cap);
/* The single value of a numeric array with exactly one element. */
int dsml_mat_scalar(const dsml_mat_array *a, double *out);

#endif
