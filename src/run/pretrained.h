/* Pretrained weights onto a network: the named tensors of a weights file
 * (weights/weights.h: a PyTorch checkpoint, safetensors or MatConvNet .mat)
 * copied into the parameter block of a dsml network, layer by layer.
 *
 * Matching is by order, then checked by shape: the file's parameter layers
 * (each "<prefix>.weight" with its "<prefix>.bias", in the file's order;
 * other tensors such as an average image are not layers) pair with the
 * network's layers that have parameters, in the order they run. A file layer
 * whose shape differs from its network layer is an error naming both shapes,
 * except the network's last layer (the embedding layer, which replaces the
 * classifier): when the file's last layer has another width, or the file has
 * one layer fewer, it keeps its fresh initialisation and the report says so.
 *
 * Layouts: the file holds PyTorch's (conv weights O x I x kH x kW, linear
 * O x I, the first linear after a spatial flatten reading features in C, H, W
 * order). dsml's conv weights are kH x kW x I x O and its flatten orders
 * features (y, x, c), so conv weights are transposed and that linear layer's
 * columns permuted on the way in. A first linear stored as a convolution over
 * the whole feature map (MatConvNet's fc6, O x C x H x W) or a 1 x 1
 * convolution (fc7, fc8) is read as the linear layer it is. */
#ifndef DSML_RUN_PRETRAINED_H
#define DSML_RUN_PRETRAINED_H

#include "nn/network.h"
#include "weights/weights.h"

/* What was loaded: one entry per network layer with parameters, in run order. */
typedef struct {
    int layer;                    /* its index in dsml_network_layer_at order */
    char source[DSML_TENSOR_NAME_MAX]; /* the file's prefix ("features.0"), "" when fresh */
    int fresh;                    /* 1: kept its fresh initialisation */
    size_t param_offset, param_count;
} dsml_pretrained_layer;

typedef struct {
    int count;                    /* layers with parameters */
    int loaded;                   /* of them, loaded from the file */
    int file_layers;              /* parameter layers in the file */
    int last_width;               /* the file's last layer's output width (0: none) */
    dsml_pretrained_layer layers[DSML_NETWORK_MAX_LAYERS];
} dsml_pretrained_report;

/* The file's parameter layers: how many, and the last one's output width
 * (what `dsml embed` uses as the embedding size when none is given).
 * DSML_ERR_FORMAT naming the tensor when a weight has no bias or the other
 * way round. */
int dsml_pretrained_last_width(const dsml_tensor_set *set, const char *path, int *layers, int *width);

/* Copies the tensors of set into net's parameter block as described above,
 * filling *report. path names the file in messages. On any error the
 * parameters are left unchanged (the copy is made only once every layer has
 * been checked): DSML_ERR_ARG naming the tensor, its expected and found
 * shapes, or the layer the file lacks. */
int dsml_pretrained_apply(dsml_network *net, const dsml_tensor_set *set, const char *path,
                          dsml_pretrained_report *report);

#endif
