/* A pickle reader for the subset of Python's pickle that a PyTorch state
 * dict uses (docs/weights.md, "The pickle subset"). The pickle is a program
 * for a stack machine; this one runs only the opcodes listed in pickle.c and
 * knows only three kinds of global: collections.OrderedDict (an empty dict),
 * torch._utils._rebuild_tensor_v2 (a tensor description) and the torch
 * storage types (torch.FloatStorage, ...). Nothing is executed and nothing is
 * imported: any other global or opcode is an error naming it and its byte
 * offset. The result is a tree of values, all owned by one dsml_pickle. */
#ifndef DSML_WEIGHTS_PICKLE_H
#define DSML_WEIGHTS_PICKLE_H

#include <stddef.h>
#include <stdint.h>

#define DSML_PICKLE_MAX_DIMS 8

typedef enum {
    DSML_PK_NONE, DSML_PK_BOOL, DSML_PK_INT, DSML_PK_FLOAT, DSML_PK_STRING,
    DSML_PK_TUPLE, DSML_PK_LIST, DSML_PK_DICT,
    DSML_PK_GLOBAL,   /* one of the allowed globals: `global` says which */
    DSML_PK_STORAGE,  /* a persistent id ('storage', type, key, location, numel) */
    DSML_PK_TENSOR,   /* what _rebuild_tensor_v2 was called with */
    DSML_PK_MARK      /* only on the stack while running */
} dsml_pk_kind;

typedef enum { DSML_PG_ORDERED_DICT, DSML_PG_REBUILD_TENSOR, DSML_PG_STORAGE } dsml_pk_global;

/* A storage type: torch's name, the dtype's name and its bytes per value. */
typedef struct {
    const char *storage;  /* "FloatStorage" */
    const char *dtype;    /* "float32" */
    int size;
} dsml_pk_dtype;

typedef struct {
    dsml_pk_kind kind;
    int64_t i;            /* BOOL, INT; STORAGE: numel; TENSOR: storage offset */
    double f;             /* FLOAT */
    char *s;              /* STRING (NUL-terminated, owned); STORAGE: key */
    int *items;           /* TUPLE, LIST: n values; DICT: n key/value pairs (2n); owned */
    int n, cap;
    dsml_pk_global global;
    const dsml_pk_dtype *dtype;                 /* GLOBAL storage type, STORAGE */
    int storage;                                /* TENSOR: its STORAGE value */
    int ndim;                                   /* TENSOR */
    int64_t size[DSML_PICKLE_MAX_DIMS], stride[DSML_PICKLE_MAX_DIMS];
    long offset;                                /* byte offset of the opcode that made it */
} dsml_pk_value;

typedef struct {
    dsml_pk_value *values;  /* every value made, referred to by index */
    int n, cap;
    int root;               /* what STOP returned */
} dsml_pickle;

/* Runs the pickle in data[0..size-1]; name labels errors ("f.pth: x/data.pkl").
 * On failure p holds nothing. */
int dsml_pickle_load(dsml_pickle *p, const uint8_t *data, size_t size, const char *name);
void dsml_pickle_free(dsml_pickle *p);

/* The value at index i (valid until dsml_pickle_free). */
static inline const dsml_pk_value *dsml_pk(const dsml_pickle *p, int i) { return &p->values[i]; }
/* The value of `key` (a string) in dict d, or -1. */
int dsml_pk_dict_get(const dsml_pickle *p, int d, const char *key);
/* A value kind's name for messages ("tuple"). */
const char *dsml_pk_kind_name(dsml_pk_kind k);

#endif
