/* MAT v5 files for tests, built element by element (docs/formats.md, "MAT
 * v5"): the layout of Stanford Cars' annotation files. */
#ifndef DSML_TESTS_MAT5_FILES_H
#define DSML_TESTS_MAT5_FILES_H

#include <stdint.h>

#include "files.h"

/* The 128-byte file header: `text`, blank-padded, then version 0x0100 and the
 * endian indicator: "IM" (little-endian) or "MI" (big_endian). */
void mat_header(bytes *b, const char *text, int big_endian);
/* A data element: tag, data, zero padding to 8 bytes (the small element
 * format when small and size <= 4). */
void mat_el(bytes *b, uint32_t type, const void *data, uint32_t size, int small);
/* The start of a miMATRIX body: array flags (class mx_class), dimensions
 * rows x cols, name. */
void mat_head(bytes *b, int mx_class, int rows, int cols, const char *name);
/* body as one miMATRIX element. */
void mat_wrap(bytes *out, const bytes *body);

/* One image of an `annotations` struct array. */
typedef struct {
    const char *path;
    int cls, test;
} mat_ann;

/* A whole file: a struct array `annotations` 1 x n with fields path_field,
 * bbox_x1..y2 (10..13), class (and test when with_test), and a cell
 * `class_names`; each variable in a miCOMPRESSED element when compress. */
bytes mat_file(const char *path_field, const mat_ann *ann, int n, int with_test, const char *const *classes,
               int n_classes, int compress);

#endif
