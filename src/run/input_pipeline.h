/* The input pipeline at a model's size: cached uint8 images (data/dataset.h,
 * C x H x W at the size chosen by `dsml prepare --size`) into float batches
 * of C' x out_h x out_w, resized, cropped, flipped and normalised per batch:
 *
 *   cached image --bilinear resize (data/bilinear.h)--> resize_h x resize_w
 *     --crop (none, centre, random)--> out_h x out_w --flip (training, p = 0.5)-->
 *     --normalise--> floats, CHW rows
 *
 * Only the output pixels are computed: the crop and the flip choose which
 * columns of the resized image the precomputed taps read, so nothing is
 * resized that the crop throws away. A 1-channel cache feeds a C-channel
 * model by replicating its channel (Fashion-MNIST into AlexNet).
 *
 * Normalisation, v the (resized) pixel in 0..255:
 *   FIT        (v / 255 - mean_c) / std_c, statistics of the training set
 *              (dsml_input_norm_fit on the cached images, run/batch.h);
 *   GIVEN      the same with given mean_c, std_c on [0, 1] pixels
 *              (torchvision's ImageNet 0.485 0.456 0.406 / 0.229 0.224 0.225);
 *   MEAN_IMAGE v - m_c(y, x), in 0..255 units with no scaling (MatConvNet's
 *              `averageImage`): 3 values, or a C x h x w image resized once,
 *              at init, to out_h x out_w.
 * With the cache's size, no crop and FIT statistics the batch is bit-identical
 * to dsml_batch_fill's.
 *
 * Training draws each image's crop offset and flip from a caller-given
 * dsml_rng serially, before the parallel per-image work, so a seed gives the
 * same batch whatever the thread count. Evaluation takes the centre crop
 * (torchvision CenterCrop's offset) and no flip. All memory is allocated by
 * init (dsml_input_pipeline_scratch_bytes says how much); fills allocate
 * nothing. See docs/input.md. */
#ifndef DSML_RUN_INPUT_PIPELINE_H
#define DSML_RUN_INPUT_PIPELINE_H

#include <stddef.h>

#include "core/json.h"
#include "core/rng.h"
#include "data/bilinear.h"
#include "data/dataset.h"
#include "run/batch.h"

#define DSML_INPUT_MAX_SIDE 4096 /* largest resize or output side accepted */

typedef enum {
    DSML_INPUT_CROP_NONE,   /* the resized image is the output (sizes must be equal) */
    DSML_INPUT_CROP_CENTRE, /* training and evaluation: the centre */
    DSML_INPUT_CROP_RANDOM, /* training: a uniform offset; evaluation: the centre */
} dsml_input_crop;

typedef enum {
    DSML_INPUT_NORM_FIT,        /* the training set's per-channel mean and std (run/batch.h) */
    DSML_INPUT_NORM_GIVEN,      /* mean[] and std[] on [0, 1] pixels */
    DSML_INPUT_NORM_MEAN_IMAGE, /* v - mean image (or pixel_mean[]), 0..255 units */
} dsml_input_norm_kind;

/* What the trainer fills from its options. dsml_input_spec_default gives the
 * pipeline of dsml_batch_fill: the cache's size and channels, no crop, no
 * flip, FIT. Sizes of 0 mean "the natural one" (see each field). */
typedef struct {
    int channels;           /* the model's input channels; 0: the cache's. A 1-channel cache into
                               more channels replicates its channel; other mismatches are refused */
    int resize_h, resize_w; /* bilinear resize of the cached image; 0, 0: keep the cache's size */
    int out_h, out_w;       /* the model's input size; 0, 0: the resized size */
    dsml_input_crop crop;   /* the training crop of out_h x out_w from the resized image */
    int flip;               /* 1: training images flipped left-right with probability 0.5 */
    dsml_input_norm_kind norm;
    float mean[DSML_MAX_CHANNELS], std[DSML_MAX_CHANNELS]; /* GIVEN: per output channel, on [0, 1] */
    float pixel_mean[DSML_MAX_CHANNELS]; /* MEAN_IMAGE without an image: per channel, 0..255 */
    const float *mean_image; /* MEAN_IMAGE: NULL, or mean_c x mean_h x mean_w floats (CHW, 0..255);
                                borrowed during init only (copied, resized to out_h x out_w) */
    int mean_c, mean_h, mean_w;
} dsml_input_spec;

/* A pipeline built for one dataset shape: the resolved sizes (read them to
 * shape the model: channels x out_h x out_w), the normalisation as applied,
 * and the scratch for max_batch images on max_threads threads. The fields
 * are read-only after init; `spec` keeps what was asked (mean_image NULL). */
typedef struct {
    dsml_input_spec spec;
    int in_channels, in_h, in_w;  /* the cache's image shape */
    int channels, out_h, out_w;   /* each output row: channels x out_h x out_w floats */
    int resize_h, resize_w;       /* resolved; equal to in_h, in_w when nothing is resized */
    int centre_y, centre_x;       /* the centre crop's offset in the resized image */
    /* Normalisation per output channel: x = v * scale + shift (FIT, GIVEN, MEAN_IMAGE without an
       image: scale 1, shift -pixel_mean), or x = v - mean_image (MEAN_IMAGE with an image). */
    float scale[DSML_MAX_CHANNELS], shift[DSML_MAX_CHANNELS];
    float mean01[DSML_MAX_CHANNELS], std01[DSML_MAX_CHANNELS]; /* FIT, GIVEN: on [0, 1], as recorded */
    float pixel_mean[DSML_MAX_CHANNELS]; /* MEAN_IMAGE: 0..255, the image's average when one is given */
    float *mean_image;            /* channels x out_h x out_w, owned, or NULL */
    int max_batch, max_threads;
    /* owned scratch, allocated once by init */
    dsml_bilinear_tap *taps_y, *taps_x; /* resize_h, resize_w taps (NULL when nothing is resized) */
    int *draws;                   /* max_batch x 3: crop row, crop column, flip of each image */
    float *rows;                  /* max_threads x 2 x out_w: two source rows interpolated along x */
} dsml_input_pipeline;

void dsml_input_spec_default(dsml_input_spec *spec);

/* Builds p for images of ds's shape (ds is only read for its shape and name).
 * fitted: the training set's statistics (dsml_input_norm_fit), required for
 * FIT, else ignored (may be NULL); borrowed during the call. max_batch: the
 * most images one fill writes; max_threads: the most OpenMP threads a fill
 * uses (>= 1; a fill uses min(this, omp_get_max_threads())).
 * Errors (p is then zeroed, nothing held): DSML_ERR_ARG naming the value, for
 * a size <= 0 or > DSML_INPUT_MAX_SIDE, a crop larger than the resized image,
 * no crop with the resized size other than the output size, a channel count
 * the cache cannot feed, a std <= 0 or non-finite statistic, a mean image of
 * another channel count or a bad size; DSML_ERR_NOMEM. */
int dsml_input_pipeline_init(dsml_input_pipeline *p, const dsml_input_spec *spec, const dsml_dataset *ds,
                             const dsml_input_norm *fitted, int max_batch, int max_threads);

/* Training batch: n images `indices` of ds into out (n rows of channels x
 * out_h x out_w floats, CHW). Draws from rng, per image in batch order: the
 * crop's row offset then its column offset (random crop only), then the flip
 * (flip only), each one dsml_rng_below call, all before the parallel work.
 * Allocates nothing; writes p's scratch, so one fill at a time per pipeline.
 * Errors (nothing written, nothing drawn): DSML_ERR_ARG when n is outside
 * 0..max_batch, ds's shape is not the one p was built for, or an index is
 * outside ds. */
int dsml_input_fill_train(dsml_input_pipeline *p, const dsml_dataset *ds, const int *indices, int n,
                          dsml_rng *rng, float *out);

/* Evaluation batch: the same with the centre crop (none when the spec has no
 * crop) and no flip; draws nothing. */
int dsml_input_fill_eval(dsml_input_pipeline *p, const dsml_dataset *ds, const int *indices, int n,
                         float *out);

/* Floats of one output row: channels x out_h x out_w. */
size_t dsml_input_pipeline_row(const dsml_input_pipeline *p);

/* Bytes of the scratch p owns (taps, draws, rows, mean image): the batch
 * buffer itself (max_batch x row floats) is the caller's and not included. */
size_t dsml_input_pipeline_scratch_bytes(const dsml_input_pipeline *p);

/* One line for logs and metrics.json's string fields, e.g.
 * "32x32x3 -> resize 256x256, random crop 227x227 (eval centre), flip, norm given
 * mean 0.485 0.456 0.406 std 0.229 0.224 0.225"; truncated to cap. */
void dsml_input_pipeline_describe(const dsml_input_pipeline *p, char *buf, size_t cap);

/* The choices as one JSON object value (write the key first), for
 * metrics.json: {"cache": [C, H, W], "channels": C', "replicated": bool,
 * "resize": [h, w], "out": [h, w], "train_crop": "none|centre|random",
 * "eval_crop": ..., "flip": bool, "norm": "fit|given|mean_image", then FIT and
 * GIVEN: "mean": [...], "std": [...] (on [0, 1]); MEAN_IMAGE: "pixel_mean":
 * [...] (0..255; the image's per-channel average when an image is given) and,
 * with an image, "mean_image": [C, h, w] as given}. */
void dsml_input_pipeline_write_json(dsml_json *j, const dsml_input_pipeline *p);

/* Releases what p owns and zeroes it; safe on a zeroed or freed p. */
void dsml_input_pipeline_free(dsml_input_pipeline *p);

#endif
