/* Pretrained weights read into one set of named float32 tensors, with no
 * Python at run time, from three formats (docs/weights.md, field by field):
 *
 *   torch        a PyTorch checkpoint as torch.save writes it since 1.6: a zip
 *                holding <prefix>/data.pkl (a protocol-2 pickle of the state
 *                dict, run by a small stack machine that knows only the
 *                opcodes and globals a state dict uses) and <prefix>/data/<key>
 *                (raw little-endian storages)
 *   safetensors  u64 header length, a JSON header, raw little-endian data
 *   matconvnet   a MatConvNet SimpleNN .mat (MAT v5): `layers`, a cell of
 *                layer structs, and the average image; filters come out in
 *                PyTorch's layout (Cout x Cin x H x W)
 *
 * The format is sniffed from the file's first bytes. The file is read once,
 * its SHA-256 computed on the way. Every count and size is checked against the
 * bytes there are and the caps below; on any error nothing is returned (the
 * set is empty) and the message names the file and what was wrong.
 *
 *   dsml_tensor_set w;
 *   if (dsml_weights_read("vgg-f.mat", &w)) { ... dsml_last_error() ... }
 *   const dsml_tensor *t = dsml_tensor_set_find(&w, "conv1.weight");
 *   dsml_tensor_set_free(&w);
 */
#ifndef DSML_WEIGHTS_WEIGHTS_H
#define DSML_WEIGHTS_WEIGHTS_H

#include <stdint.h>

#define DSML_TENSOR_MAX_DIMS 4
#define DSML_TENSOR_NAME_MAX 128                     /* bytes, with the NUL */
#define DSML_WEIGHTS_MAX_FILE_BYTES (4LL << 30)      /* the file is read whole */
#define DSML_WEIGHTS_MAX_TENSORS 100000
#define DSML_WEIGHTS_MAX_TOTAL_BYTES (8LL << 30)     /* float32 data of all tensors together */
#define DSML_WEIGHTS_MAX_PICKLE_BYTES (64LL << 20)   /* a checkpoint's data.pkl */
#define DSML_WEIGHTS_MAX_HEADER_BYTES (16LL << 20)   /* a safetensors JSON header */

/* One tensor: shape[0..ndim-1] in C order (the last index varies fastest);
 * ndim 0 is a scalar (one value). data is owned by the set. */
typedef struct {
    char name[DSML_TENSOR_NAME_MAX];
    int ndim;
    int64_t shape[DSML_TENSOR_MAX_DIMS];
    int64_t numel;
    float *data;
} dsml_tensor;

typedef struct {
    dsml_tensor *tensors;   /* in the file's order; owned */
    int count;
    char format[16];        /* "torch", "safetensors" or "matconvnet" */
    char sha256[65];        /* of the whole file, lowercase hex */
} dsml_tensor_set;

/* Reads the weights file at path into *out (zeroed first; released with
 * dsml_tensor_set_free). On failure *out is empty and the message names the
 * file, the tensor or byte offset, and what was expected. */
int dsml_weights_read(const char *path, dsml_tensor_set *out);

/* The tensor called `name`, or NULL. */
const dsml_tensor *dsml_tensor_set_find(const dsml_tensor_set *s, const char *name);

/* Releases every tensor; safe on a zeroed or already freed set. */
void dsml_tensor_set_free(dsml_tensor_set *s);

#endif
