/* NumPy .npy files (numpy/lib/format.py, NEP 1): the subset dsml reads and
 * writes. Read: little-endian, C-order arrays of 0 to 4 dimensions, float32
 * ('<f4', '<f8' narrowed) or int32 (from '<i4'; '<i8', '<i2', '|i1', '<u8',
 * '<u4', '<u2', '|u1' with a range check; '|b1' bools as 0/1), format
 * versions 1.0, 2.0 and 3.0, from a file or from a member of an archive (an
 * .npz, which is a zip of .npy files). Write: float32 or int32, version
 * 1.0, as numpy.save writes them. Format and refusals: docs/formats.md. */
#ifndef DSML_DATA_NPY_H
#define DSML_DATA_NPY_H

#include <stdint.h>

struct dsml_archive;

#define DSML_NPY_MAX_DIMS 4
#define DSML_NPY_MAX_HEADER 65536   /* bytes of header dict; numpy itself refuses more than 10,000 */

/* The element type in memory; the values are the characters the struct's
 * users may compare with ('f', 'i'). */
typedef enum {
    DSML_NPY_FLOAT32 = 'f',
    DSML_NPY_INT32 = 'i',
} dsml_npy_dtype;

/* An array in memory, C order: element (i0, i1, ...) of a 2-D array is at
 * i0 * shape[1] + i1. data is malloc'd, owned by the struct (dsml_npy_free);
 * it is a float * for DSML_NPY_FLOAT32 and an int32_t * for DSML_NPY_INT32.
 * shape[k] for k >= ndim is 1; a 0-dimensional array holds one element. */
typedef struct {
    int ndim;
    int64_t shape[DSML_NPY_MAX_DIMS];
    dsml_npy_dtype dtype;
    void *data;
} dsml_npy;

/* Reads a whole .npy file into *out (which the caller frees with
 * dsml_npy_free). '<f4' and '<f8' give float32 ('<f8' values outside
 * float32's range are refused); the integer types give int32 (values outside
 * int32's range are refused); '|b1' gives 0 and 1 (any other byte is
 * refused). The data must be exactly as long as the
 * shape says; the file size is checked before anything is allocated. On
 * failure *out is empty (data NULL) and the message names the file and what
 * was expected against what was found. */
int dsml_npy_read(const char *path, dsml_npy *out);

/* The same from the current member of an archive (data/archive.h), `size`
 * bytes long as the archive declares it (a member without a declared size is
 * refused); `name` ("x.npz:query.npy") is what messages call it. Reads the
 * member from its start, and no further than its end. */
int dsml_npy_read_member(struct dsml_archive *a, int64_t size, const char *name, dsml_npy *out);

/* dsml_npy_read, then requires the dtype and the number of dimensions
 * (ndim < 0: any): "x.npy: int32 (5,), expected float32 with 2 dimensions". */
int dsml_npy_read_as(const char *path, dsml_npy_dtype dtype, int ndim, dsml_npy *out);

/* The number of elements: the product of the shape (1 for 0 dimensions). */
int64_t dsml_npy_count(const dsml_npy *a);

/* Writes ndim (0..4) dimensions of float32 / int32 data, C order, as a
 * version 1.0 file (byte for byte what numpy.save writes), atomically:
 * a reader sees the old file or the whole new one. x is borrowed. */
int dsml_npy_write_f32(const char *path, const float *x, int ndim, const int64_t *shape);
int dsml_npy_write_i32(const char *path, const int32_t *x, int ndim, const int64_t *shape);

/* Releases the data and empties the struct; safe on an empty struct. */
void dsml_npy_free(dsml_npy *a);

#endif
