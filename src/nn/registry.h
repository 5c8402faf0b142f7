/* The network registry: one entry per dsml_model_kind, with its
 * description (registry.c). Internal to src/nn; model.h has the public
 * lookups. */
#ifndef DSML_NN_REGISTRY_H
#define DSML_NN_REGISTRY_H

#include "nn/layer_spec.h"
#include "nn/model.h"

typedef struct {
    const char *name;             /* as --model takes it */
    const char *summary;          /* one line for --help */
    const char *const *options;   /* training options only this network takes (without "--"), NULL-terminated; NULL: none */
    int size_multiple;            /* input height and width must be multiples of it */
    int input_size;               /* the side its pretrained weights expect (227, 224); 0: any */
    int input_channels;           /* the channels it expects (3); 0: any */
    /* Writes the network's layers for the config into layers (room for
     * DSML_NETWORK_MAX_LAYERS) and returns how many. The config is checked. */
    int (*describe)(const dsml_model_config *c, dsml_layer_spec *layers);
} dsml_model_entry;

/* The names in kind order, for dsml_names_parse and _join. */
void dsml_model_names(const char *names[DSML_MODEL_KINDS]);

/* The entry of a kind; NULL outside the registry. */
const dsml_model_entry *dsml_model_entry_of(dsml_model_kind kind);

#endif
