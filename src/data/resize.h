/* Resizing an image to a model's input size: scale so that the image covers
 * H x W (the shorter side to the target for a square target), then crop the
 * centre. Per axis: area averaging when shrinking, bilinear interpolation
 * (pixel centres aligned, edges clamped) when enlarging, a copy when equal.
 * Deterministic: the same bytes on every machine (double arithmetic, no
 * contraction, round half up). See docs/imagefolder.md for the exact rules. */
#ifndef DSML_DATA_RESIZE_H
#define DSML_DATA_RESIZE_H

#include <stddef.h>
#include <stdint.h>

/* Reusable scratch memory of dsml_resize: zero-initialise, release with
 * dsml_resize_work_free. It grows to the largest resize done with it. */
typedef struct {
    void *buf;
    size_t capacity;
} dsml_resize_work;

/* The scaled size before the crop: (sh, sw) with sh >= H, sw >= W, one of
 * them equal to its target, the aspect ratio kept (the other side rounded to
 * nearest, halves up). */
void dsml_resize_scaled_size(int h, int w, int H, int W, int *sh, int *sw);

/* Resizes src (C x h x w, planar) into dst (C x H x W, planar). src and dst
 * are borrowed. Errors: DSML_ERR_ARG on a non-positive size, DSML_ERR_NOMEM. */
int dsml_resize(const uint8_t *src, int channels, int h, int w, uint8_t *dst, int H, int W, dsml_resize_work *work);

void dsml_resize_work_free(dsml_resize_work *work);

#endif
