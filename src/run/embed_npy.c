/* The forward pass of a network over a .npy file; see embed_npy.h. */
#include "run/embed_npy.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/progress.h"
#include "core/rng.h"
#include "core/timer.h"
#include "data/npy.h"

/* The model for the input's shape and the chosen width, with the file's
 * weights in it. */
static int build_model(const dsml_embed_npy_config *c, const dsml_npy *x, const dsml_tensor_set *w,
                       dsml_model **model, dsml_embed_npy_report *r)
{
    int file_layers = 0, width = 0, rc;
    if (c->weights && (rc = dsml_pretrained_last_width(w, c->weights, &file_layers, &width)) != DSML_OK) return rc;
    int dim = c->dim ? c->dim : width;
    if (dim < 1)
        return dsml_fail(DSML_ERR_ARG, "%s", c->weights ? "the weights file has no layer to take the embedding "
                                                          "size from: give --dim"
                                                        : "--dim is required without --weights");
    dsml_model_config mc = {.kind = c->model, .dim = dim};
    mc.channels = (int)x->shape[1], mc.height = (int)x->shape[2], mc.width = (int)x->shape[3];
    mc.max_batch = (int)(x->shape[0] < c->batch ? x->shape[0] : c->batch);
    dsml_rng rng;
    dsml_rng_seed(&rng, c->seed);
    if ((rc = dsml_model_create(model, &mc, &rng)) != DSML_OK) return rc;
    r->dim = dim, r->channels = mc.channels, r->height = mc.height, r->width = mc.width;
    if (c->weights && (rc = dsml_pretrained_apply(dsml_model_network(*model), w, c->weights, &r->loaded)) != DSML_OK)
        return rc;
    return DSML_OK;
}

static int forward_all(const dsml_embed_npy_config *c, dsml_model *model, const dsml_npy *x, float *out,
                       const dsml_embed_npy_report *r)
{
    long long n = x->shape[0];
    size_t row = (size_t)r->channels * r->height * r->width;
    const float *px = x->data;
    dsml_progress progress;
    dsml_progress_begin(&progress, c->log, "embed", "img", (double)n);
    for (long long b0 = 0; b0 < n; b0 += c->batch) {
        int m = (int)(n - b0 < c->batch ? n - b0 : c->batch);
        const float *y;
        int rc = dsml_model_forward(model, px + (size_t)b0 * row, m, 0, NULL, &y);
        if (rc) return rc;
        for (size_t i = 0; i < (size_t)m * r->dim; i++)
            if (!isfinite(y[i]))
                return dsml_fail(DSML_ERR_NUMERIC, "%s: output of image %lld is not finite", c->input,
                                 b0 + (long long)(i / (size_t)r->dim));
        memcpy(out + (size_t)b0 * r->dim, y, sizeof(float) * (size_t)m * r->dim);
        dsml_progress_update(&progress, (double)(b0 + m), "");
    }
    dsml_progress_end(&progress, (double)n, "");
    return DSML_OK;
}

int dsml_embed_npy(const dsml_embed_npy_config *c, dsml_embed_npy_report *report)
{
    dsml_embed_npy_report r = {0};
    if (c->batch < 1 || c->batch > 4096) return dsml_fail(DSML_ERR_ARG, "batch %d, expected 1..4096", c->batch);
    if (c->threads > 0) omp_set_num_threads(c->threads);
    double start = dsml_now();
    dsml_npy x = {0};
    dsml_tensor_set w = {0};
    dsml_model *model = NULL;
    float *out = NULL;
    int rc = dsml_npy_read_as(c->input, DSML_NPY_FLOAT32, 4, &x);
    if (rc == DSML_OK && x.shape[0] < 1) rc = dsml_fail(DSML_ERR_ARG, "%s: no images (first dimension 0)", c->input);
    if (rc == DSML_OK) {
        int64_t count = dsml_npy_count(&x);
        const float *px = x.data;
        for (int64_t i = 0; i < count && rc == DSML_OK; i++)
            if (!isfinite(px[i]))
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: value %lld (image %lld) is not finite", c->input, (long long)i,
                               (long long)(i / (count / x.shape[0])));
    }
    if (rc == DSML_OK && c->weights) rc = dsml_weights_read(c->weights, &w);
    if (rc == DSML_OK) rc = build_model(c, &x, &w, &model, &r);
    if (rc == DSML_OK && !(out = malloc(sizeof(float) * (size_t)x.shape[0] * r.dim)))
        rc = dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate the output", c->output);
    if (rc == DSML_OK) rc = forward_all(c, model, &x, out, &r);
    if (rc == DSML_OK) {
        int64_t shape[2] = {x.shape[0], r.dim};
        rc = dsml_npy_write_f32(c->output, out, 2, shape);
    }
    if (rc == DSML_OK) {
        r.images = x.shape[0];
        if (c->weights) {
            snprintf(r.format, sizeof r.format, "%s", w.format);
            snprintf(r.sha256, sizeof r.sha256, "%s", w.sha256);
        }
        r.seconds = dsml_now() - start;
        *report = r;
    }
    free(out);
    dsml_model_free(model);
    dsml_tensor_set_free(&w);
    dsml_npy_free(&x);
    return rc;
}
