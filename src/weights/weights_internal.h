/* What the format readers of src/weights/ share: a builder that adds tensors
 * to a set under the caps of weights.h, the readers themselves, and the
 * little-endian and half-precision conversions. Not for use outside
 * src/weights/. */
#ifndef DSML_WEIGHTS_INTERNAL_H
#define DSML_WEIGHTS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "weights/weights.h"

typedef struct {
    dsml_tensor_set *set;   /* borrowed: the set being filled */
    const char *path;       /* for messages */
    int cap;                /* tensors allocated in set->tensors */
    int64_t bytes;          /* float32 bytes allocated so far */
} dsml_weights_builder;

/* Appends a tensor called `name` of the given shape (dims >= 0, ndim <= 4)
 * with its data allocated (zeroed) and returned in *data, owned by the set.
 * Errors name the file and tensor: name too long or empty, too many dims or
 * tensors, more than DSML_WEIGHTS_MAX_TOTAL_BYTES in all. */
int dsml_weights_add(dsml_weights_builder *b, const char *name, int ndim, const int64_t *shape, float **data);
/* An error naming the first name given to two tensors (sorts a copy of the names). */
int dsml_weights_check_unique(const dsml_weights_builder *b);

/* The product of shape[0..ndim-1] into *numel; -1 when a dim is negative
 * or the product passes `cap`. */
int dsml_weights_numel(int ndim, const int64_t *shape, int64_t cap, int64_t *numel);

/* The readers: the whole file is in data[0..size-1]; path labels messages. */
int dsml_weights_read_torch(dsml_weights_builder *b, const uint8_t *data, size_t size);
int dsml_weights_read_safetensors(dsml_weights_builder *b, const uint8_t *data, size_t size);
int dsml_weights_read_matconvnet(dsml_weights_builder *b, const uint8_t *data, size_t size);

/* n little-endian values from src (any alignment) into dst as float32. */
void dsml_weights_f32_le(float *dst, const uint8_t *src, int64_t n);
void dsml_weights_f16_le(float *dst, const uint8_t *src, int64_t n);
void dsml_weights_bf16_le(float *dst, const uint8_t *src, int64_t n);
/* One IEEE half / bfloat16 value as float32, exactly (subnormals, inf, NaN). */
float dsml_weights_f16(uint16_t h);
float dsml_weights_bf16(uint16_t h);

#endif
