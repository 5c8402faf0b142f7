/* The networks dsml offers: one description and one registry entry each.
 * A description lists the layers in PyTorch's order (conv, ReLU, pool...);
 * how they run is the executor's business (network.h). Adding a network is
 * a describe function here, an entry in the table and a dsml_model_kind
 * value (model.h; its number is the parameter file's kind field). */
#include "nn/registry.h"
#include "core/error.h"
#include "core/names.h"
#include "nn/network.h"

#include <string.h>

/* The small convnet: two 5x5 convolutions (32, 64 channels) with 2x2 max
 * pooling, then fc 256 and the embedding layer. */
static int describe_convnet(const dsml_model_config *c, dsml_layer_spec *layers)
{
    const dsml_layer_spec convnet[] = {
        dsml_layer_conv(32, 5, 1, 2), dsml_layer_relu(), dsml_layer_maxpool(2, 2),
        dsml_layer_conv(64, 5, 1, 2), dsml_layer_relu(), dsml_layer_maxpool(2, 2),
        dsml_layer_flatten(),
        dsml_layer_linear(256), dsml_layer_relu(),
        dsml_layer_dropout(c->dropout),
        dsml_layer_linear(c->dim),
    };
    memcpy(layers, convnet, sizeof convnet);
    return (int)(sizeof convnet / sizeof convnet[0]);
}

/* The MLP: a linear layer and a ReLU per --hidden size, then the embedding layer. */
static int describe_mlp(const dsml_model_config *c, dsml_layer_spec *layers)
{
    int n = 0;
    layers[n++] = dsml_layer_flatten();
    for (int i = 0; i < c->n_hidden; i++) {
        layers[n++] = dsml_layer_linear(c->hidden[i]);
        layers[n++] = dsml_layer_relu();
    }
    layers[n++] = dsml_layer_dropout(c->dropout);
    layers[n++] = dsml_layer_linear(c->dim);
    return n;
}

/* torchvision's AlexNet (the one-tower version of "One weird trick", no LRN)
 * with fc8 replaced by the embedding layer. At 227x227 (the paper's size)
 * conv1 gives 56x56 (55x55 at torchvision's 224), then the pools 27, 13 and
 * 6: 6x6x256 = 9216 features, the adaptive pool the identity at both sizes. */
static int describe_alexnet(const dsml_model_config *c, dsml_layer_spec *layers)
{
    const dsml_layer_spec alexnet[] = {
        dsml_layer_conv(64, 11, 4, 2), dsml_layer_relu(), dsml_layer_maxpool(3, 2),
        dsml_layer_conv(192, 5, 1, 2), dsml_layer_relu(), dsml_layer_maxpool(3, 2),
        dsml_layer_conv(384, 3, 1, 1), dsml_layer_relu(),
        dsml_layer_conv(256, 3, 1, 1), dsml_layer_relu(),
        dsml_layer_conv(256, 3, 1, 1), dsml_layer_relu(), dsml_layer_maxpool(3, 2),
        dsml_layer_avgpool(6, 6),
        dsml_layer_flatten(),
        dsml_layer_dropout(c->dropout), dsml_layer_linear(4096), dsml_layer_relu(),
        dsml_layer_dropout(c->dropout), dsml_layer_linear(4096), dsml_layer_relu(),
        dsml_layer_linear(c->dim),
    };
    memcpy(layers, alexnet, sizeof alexnet);
    return (int)(sizeof alexnet / sizeof alexnet[0]);
}

/* CNN-F (Chatfield et al. 2014, MatConvNet's imagenet-vgg-f) with fc8
 * replaced by the embedding layer, at 224x224: 224 -> 54 -> 27 -> 13 -> 6.
 * MatConvNet's norm [5 2 1e-4 0.75] divides by (2 + 1e-4 sum a^2)^0.75, which is
 * PyTorch's LocalResponseNorm(5, alpha = 5 * 1e-4, 0.75, 2); its pools' padding
 * [0 1 0 1] is ceil_mode. fc6 (a 6x6 convolution over 6x6 in MatConvNet) is
 * the linear layer after the flatten. */
static int describe_cnn_f(const dsml_model_config *c, dsml_layer_spec *layers)
{
    const dsml_layer_spec cnn_f[] = {
        dsml_layer_conv(64, 11, 4, 0), dsml_layer_relu(), dsml_layer_lrn(5, 5e-4f, 0.75f, 2.0f),
        dsml_layer_maxpool_ceil(3, 2),
        dsml_layer_conv(256, 5, 1, 2), dsml_layer_relu(), dsml_layer_lrn(5, 5e-4f, 0.75f, 2.0f),
        dsml_layer_maxpool_ceil(3, 2),
        dsml_layer_conv(256, 3, 1, 1), dsml_layer_relu(),
        dsml_layer_conv(256, 3, 1, 1), dsml_layer_relu(),
        dsml_layer_conv(256, 3, 1, 1), dsml_layer_relu(), dsml_layer_maxpool_ceil(3, 2),
        dsml_layer_flatten(),
        dsml_layer_linear(4096), dsml_layer_relu(), dsml_layer_dropout(c->dropout),
        dsml_layer_linear(4096), dsml_layer_relu(), dsml_layer_dropout(c->dropout),
        dsml_layer_linear(c->dim),
    };
    memcpy(layers, cnn_f, sizeof cnn_f);
    return (int)(sizeof cnn_f / sizeof cnn_f[0]);
}

static const char *const mlp_options[] = {"hidden", NULL};

static const dsml_model_entry registry[DSML_MODEL_KINDS] = {
    [DSML_MODEL_MLP] = {"mlp", "flatten, then a linear layer and a ReLU per --hidden size, dropout, linear to --dim",
                        mlp_options, 1, 0, 0, describe_mlp},
    [DSML_MODEL_CONVNET] = {"convnet", "conv 5x5 (32) + pool, conv 5x5 (64) + pool, fc 256, dropout, fc to --dim; "
                            "height and width divisible by 4", NULL, 4, 0, 0, describe_convnet},
    [DSML_MODEL_ALEXNET] = {"alexnet", "torchvision's AlexNet (5 conv, 3 max pools, avgpool 6x6, fc 4096, fc 4096, "
                            "dropout before each) with fc to --dim; 227x227 (or 224)", NULL, 1, 227, 3, describe_alexnet},
    [DSML_MODEL_CNN_F] = {"cnn-f", "CNN-F (Chatfield et al. 2014: 5 conv, 2 LRN, 3 max pools, fc 4096, fc 4096, "
                          "dropout after each) with fc to --dim; 224x224", NULL, 1, 224, 3, describe_cnn_f},
};

const dsml_model_entry *dsml_model_entry_of(dsml_model_kind kind)
{
    return (int)kind >= 0 && kind < DSML_MODEL_KINDS ? &registry[kind] : NULL;
}

void dsml_model_names(const char *names[DSML_MODEL_KINDS])
{
    for (int i = 0; i < DSML_MODEL_KINDS; i++) names[i] = registry[i].name;
}

int dsml_model_parse_kind(const char *name, dsml_model_kind *out)
{
    const char *names[DSML_MODEL_KINDS];
    dsml_model_names(names);
    int index;
    int rc = dsml_names_parse("model", names, DSML_MODEL_KINDS, name, &index);
    if (rc == DSML_OK) *out = (dsml_model_kind)index;
    return rc;
}

const char *dsml_model_kind_name(dsml_model_kind kind)
{
    const dsml_model_entry *e = dsml_model_entry_of(kind);
    return e ? e->name : "unknown";
}

void dsml_model_native_input(dsml_model_kind kind, int *size, int *channels)
{
    const dsml_model_entry *e = dsml_model_entry_of(kind);
    *size = e ? e->input_size : 0;
    *channels = e ? e->input_channels : 0;
}

const char *dsml_model_summary(dsml_model_kind kind)
{
    const dsml_model_entry *e = dsml_model_entry_of(kind);
    return e ? e->summary : "unknown";
}

int dsml_model_takes_option(dsml_model_kind kind, const char *option)
{
    const dsml_model_entry *e = dsml_model_entry_of(kind);
    for (int i = 0; e && e->options && e->options[i]; i++)
        if (!strcmp(e->options[i], option)) return 1;
    return 0;
}
