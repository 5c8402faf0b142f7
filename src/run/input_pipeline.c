/* Per-batch resize, crop, flip and normalisation of cached images; see
 * input_pipeline.h. init checks the spec and precomputes everything that does
 * not depend on the image (taps, offsets, the normalisation, the mean image);
 * a fill draws the random choices serially, then writes one image per OpenMP
 * iteration, one output row at a time: the two source rows it blends are
 * interpolated along x once each and kept while later output rows reuse them. */
#include "run/input_pipeline.h"
#include "core/error.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define MAX_THREADS 1024 /* more threads than this is a mistake, not a machine */

static const char *const crop_names[] = {"none", "centre", "random"};
static const char *const norm_names[] = {"fit", "given", "mean_image"};

void dsml_input_spec_default(dsml_input_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->crop = DSML_INPUT_CROP_NONE;
    spec->norm = DSML_INPUT_NORM_FIT;
}

/* torchvision's CenterCrop offset, int(round((from - to) / 2.0)): Python
 * rounds halves to even, so (256 - 227) / 2 = 14.5 gives 14, 16.5 gives 16. */
static int centre_offset(int from, int to)
{
    int d = from - to, h = d / 2;
    if (d % 2 && h % 2) h++;
    return h;
}

/* A pair of sizes: both 0 (take `dflt`), or both in 1..DSML_INPUT_MAX_SIDE. */
static int resolve_size(const char *ds_name, const char *what, int h, int w, const int dflt[2], int out[2])
{
    if (h == 0 && w == 0) {
        out[0] = dflt[0];
        out[1] = dflt[1];
        return DSML_OK;
    }
    if (h < 1 || w < 1 || h > DSML_INPUT_MAX_SIDE || w > DSML_INPUT_MAX_SIDE)
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: %s %dx%d, expected both sides in 1..%d (or both 0)",
                         ds_name, what, h, w, DSML_INPUT_MAX_SIDE);
    out[0] = h;
    out[1] = w;
    return DSML_OK;
}

static int check_geometry(dsml_input_pipeline *p, const dsml_input_spec *spec, const dsml_dataset *ds)
{
    if (ds->channels < 1 || ds->channels > DSML_MAX_CHANNELS || ds->height < 1 || ds->width < 1)
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: images %dx%dx%d, expected 1..%d channels and positive "
                         "sizes", ds->name, ds->channels, ds->height, ds->width, DSML_MAX_CHANNELS);
    p->in_channels = ds->channels;
    p->in_h = ds->height;
    p->in_w = ds->width;
    p->channels = spec->channels ? spec->channels : ds->channels;
    if (p->channels < 1 || p->channels > DSML_MAX_CHANNELS || (p->channels != ds->channels && ds->channels != 1))
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: %d channels from a %d-channel cache, expected %d "
                         "(or any of 1..%d from a 1-channel cache)", ds->name, spec->channels, ds->channels,
                         ds->channels, DSML_MAX_CHANNELS);
    int in[2] = {ds->height, ds->width}, resized[2], out[2];
    int rc = resolve_size(ds->name, "resize", spec->resize_h, spec->resize_w, in, resized);
    if (!rc) rc = resolve_size(ds->name, "output size", spec->out_h, spec->out_w, resized, out);
    if (rc) return rc;
    p->resize_h = resized[0];
    p->resize_w = resized[1];
    p->out_h = out[0];
    p->out_w = out[1];
    if (spec->crop < DSML_INPUT_CROP_NONE || spec->crop > DSML_INPUT_CROP_RANDOM)
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: crop kind %d, expected none, centre or random", ds->name,
                         (int)spec->crop);
    if (spec->crop == DSML_INPUT_CROP_NONE && (p->out_h != p->resize_h || p->out_w != p->resize_w))
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: no crop, so the resized image %dx%d must be the "
                         "output size, found %dx%d", ds->name, p->resize_h, p->resize_w, p->out_h, p->out_w);
    if (p->out_h > p->resize_h || p->out_w > p->resize_w)
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: crop %dx%d larger than the resized image %dx%d",
                         ds->name, p->out_h, p->out_w, p->resize_h, p->resize_w);
    if (spec->flip != 0 && spec->flip != 1)
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: flip %d, expected 0 or 1", ds->name, spec->flip);
    p->centre_y = centre_offset(p->resize_h, p->out_h);
    p->centre_x = centre_offset(p->resize_w, p->out_w);
    return DSML_OK;
}

static int finite_values(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

/* MEAN_IMAGE with an image: copied, or resized to the output size once. */
static int set_mean_image(dsml_input_pipeline *p, const dsml_input_spec *spec, const char *ds_name)
{
    if (spec->mean_c != p->channels || spec->mean_h < 1 || spec->mean_w < 1 || spec->mean_h > DSML_INPUT_MAX_SIDE ||
        spec->mean_w > DSML_INPUT_MAX_SIDE)
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: mean image %dx%dx%d, expected %d channels and sides "
                         "in 1..%d", ds_name, spec->mean_c, spec->mean_h, spec->mean_w, p->channels,
                         DSML_INPUT_MAX_SIDE);
    size_t given = (size_t)spec->mean_c * spec->mean_h * spec->mean_w, plane = (size_t)p->out_h * p->out_w;
    if (!finite_values(spec->mean_image, given))
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: mean image has a value that is not finite", ds_name);
    p->mean_image = malloc(sizeof(float) * plane * (size_t)p->channels);
    if (!p->mean_image)
        return dsml_fail(DSML_ERR_NOMEM, "%s: input pipeline: cannot allocate a %dx%dx%d mean image", ds_name,
                         p->channels, p->out_h, p->out_w);
    if (spec->mean_h == p->out_h && spec->mean_w == p->out_w) {
        memcpy(p->mean_image, spec->mean_image, sizeof(float) * given);
    } else {
        int rc = dsml_bilinear_resize_f32(spec->mean_image, p->channels, spec->mean_h, spec->mean_w, p->mean_image,
                                          p->out_h, p->out_w);
        if (rc) return rc;
    }
    for (int c = 0; c < p->channels; c++) { /* recorded: the given image's average */
        double sum = 0;
        const float *m = spec->mean_image + (size_t)c * spec->mean_h * spec->mean_w;
        for (size_t k = 0; k < (size_t)spec->mean_h * spec->mean_w; k++) sum += m[k];
        p->pixel_mean[c] = (float)(sum / ((double)spec->mean_h * spec->mean_w));
    }
    return DSML_OK;
}

static int set_norm(dsml_input_pipeline *p, const dsml_input_spec *spec, const dsml_input_norm *fitted,
                    const char *ds_name)
{
    int C = p->channels;
    switch (spec->norm) {
    case DSML_INPUT_NORM_FIT:
        if (!fitted || fitted->channels != p->in_channels)
            return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: fitted statistics of %d channels, expected %d",
                             ds_name, fitted ? fitted->channels : 0, p->in_channels);
        for (int c = 0; c < C; c++) {
            int sc = p->in_channels == 1 ? 0 : c;
            /* the expressions of dsml_batch_fill, so that its batches are reproduced bit for bit */
            p->scale[c] = fitted->inv_std[sc] / 255.0f;
            p->shift[c] = -fitted->mean[sc] * fitted->inv_std[sc];
            p->mean01[c] = fitted->mean[sc];
            p->std01[c] = 1.0f / fitted->inv_std[sc];
        }
        return DSML_OK;
    case DSML_INPUT_NORM_GIVEN:
        for (int c = 0; c < C; c++) {
            if (!isfinite(spec->mean[c]) || !isfinite(spec->std[c]) || spec->std[c] <= 0)
                return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: channel %d: mean %g, std %g, expected finite "
                                 "values and std > 0", ds_name, c, spec->mean[c], spec->std[c]);
            p->scale[c] = (float)(1.0 / (255.0 * spec->std[c]));
            p->shift[c] = (float)(-(double)spec->mean[c] / spec->std[c]);
            p->mean01[c] = spec->mean[c];
            p->std01[c] = spec->std[c];
        }
        return DSML_OK;
    case DSML_INPUT_NORM_MEAN_IMAGE:
        if (spec->mean_image) return set_mean_image(p, spec, ds_name);
        for (int c = 0; c < C; c++) {
            if (!isfinite(spec->pixel_mean[c]))
                return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: channel %d: pixel mean %g, expected a finite "
                                 "value", ds_name, c, spec->pixel_mean[c]);
            p->scale[c] = 1.0f;
            p->shift[c] = -spec->pixel_mean[c];
            p->pixel_mean[c] = spec->pixel_mean[c];
        }
        return DSML_OK;
    }
    return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: normalisation kind %d, expected fit, given or mean_image",
                     ds_name, (int)spec->norm);
}

static int alloc_scratch(dsml_input_pipeline *p, const char *ds_name)
{
    int resized = p->resize_h != p->in_h || p->resize_w != p->in_w;
    if (resized) p->taps_y = malloc(sizeof *p->taps_y * ((size_t)p->resize_h + (size_t)p->resize_w));
    p->draws = malloc(sizeof *p->draws * 3 * (size_t)p->max_batch);
    p->rows = malloc(sizeof *p->rows * 2 * (size_t)p->out_w * (size_t)p->max_threads);
    if ((resized && !p->taps_y) || !p->draws || !p->rows)
        return dsml_fail(DSML_ERR_NOMEM, "%s: input pipeline: cannot allocate scratch for %d images on %d threads",
                         ds_name, p->max_batch, p->max_threads);
    if (resized) {
        p->taps_x = p->taps_y + p->resize_h;
        dsml_bilinear_taps(p->in_h, p->resize_h, p->taps_y);
        dsml_bilinear_taps(p->in_w, p->resize_w, p->taps_x);
    }
    return DSML_OK;
}

int dsml_input_pipeline_init(dsml_input_pipeline *p, const dsml_input_spec *spec, const dsml_dataset *ds,
                             const dsml_input_norm *fitted, int max_batch, int max_threads)
{
    memset(p, 0, sizeof *p);
    if (max_batch < 1 || max_threads < 1 || max_threads > MAX_THREADS)
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: batch %d on %d threads, expected a batch >= 1 and "
                         "1..%d threads", ds->name, max_batch, max_threads, MAX_THREADS);
    p->spec = *spec;
    p->spec.mean_image = NULL;
    p->max_batch = max_batch;
    p->max_threads = max_threads;
    int rc = check_geometry(p, spec, ds);
    if (!rc) rc = set_norm(p, spec, fitted, ds->name);
    if (!rc) rc = alloc_scratch(p, ds->name);
    if (rc) dsml_input_pipeline_free(p);
    return rc;
}

/* The two rows of the resized image that output row y blends, along x
 * already (cropped, flipped): y's taps name two source rows, interpolated
 * into the slots a and b unless they already hold them. Source rows advance
 * with y, so the pair slides down and each is interpolated about once. */
typedef struct {
    float *a, *b;
    int row_a, row_b; /* source row each holds, or -1 */
    const float *top, *bottom;
    float w_top, w_bottom;
} row_pair;

static void source_rows(const dsml_input_pipeline *p, const uint8_t *plane, int y, int ox, int flip, row_pair *rp)
{
    int W = p->out_w;
    if (!p->taps_y) { /* no resize: the crop of the cached row, exact (v * 1 + v * 0 = v) */
        const uint8_t *src = plane + (size_t)y * p->in_w + ox;
        if (flip)
            for (int x = 0; x < W; x++) rp->a[x] = (float)src[W - 1 - x];
        else
            for (int x = 0; x < W; x++) rp->a[x] = (float)src[x];
        rp->top = rp->bottom = rp->a;
        rp->w_top = 1.0f;
        rp->w_bottom = 0.0f;
        return;
    }
    const dsml_bilinear_tap *t = &p->taps_y[y];
    if (t->i0 != rp->row_a) {
        if (t->i0 == rp->row_b) {
            float *f = rp->a;
            rp->a = rp->b;
            rp->b = f;
            rp->row_b = rp->row_a;
        } else {
            dsml_bilinear_row_u8(plane + (size_t)t->i0 * p->in_w, p->taps_x + ox, W, flip, rp->a);
        }
        rp->row_a = t->i0;
    }
    rp->top = rp->bottom = rp->a;
    if (t->i1 != t->i0) {
        if (t->i1 != rp->row_b) {
            dsml_bilinear_row_u8(plane + (size_t)t->i1 * p->in_w, p->taps_x + ox, W, flip, rp->b);
            rp->row_b = t->i1;
        }
        rp->bottom = rp->b;
    }
    rp->w_top = t->w0;
    rp->w_bottom = t->w1;
}

/* One output row: the blend along y, normalised. The blend is rounded to
 * float before scaling, as if stored, so a plain copy reproduces
 * dsml_batch_fill's v * scale + shift bit for bit. */
static void blend_affine(float *restrict d, const float *restrict a, const float *restrict b, float wa, float wb,
                         float scale, float shift, int n)
{
    for (int x = 0; x < n; x++) {
        float v = wa * a[x] + wb * b[x];
        d[x] = v * scale + shift;
    }
}

static void blend_minus(float *restrict d, const float *restrict a, const float *restrict b, float wa, float wb,
                        const float *restrict mean, int n)
{
    for (int x = 0; x < n; x++) {
        float v = wa * a[x] + wb * b[x];
        d[x] = v - mean[x];
    }
}

/* One image: draws (crop row, crop column, flip), rows: 2 x out_w scratch. */
static void fill_one(const dsml_input_pipeline *p, const uint8_t *img, const int *draw, float *rows, float *dst)
{
    int H = p->out_h, W = p->out_w;
    size_t in_plane = (size_t)p->in_h * p->in_w, out_plane = (size_t)H * W;
    for (int sc = 0; sc < p->in_channels; sc++) {
        row_pair rp = {.a = rows, .b = rows + W, .row_a = -1, .row_b = -1};
        /* a 1-channel cache feeds every output channel */
        int c_first = sc, c_last = p->in_channels == 1 ? p->channels - 1 : sc;
        for (int y = 0; y < H; y++) {
            source_rows(p, img + sc * in_plane, y + draw[0], draw[1], draw[2], &rp);
            for (int c = c_first; c <= c_last; c++) {
                size_t at = c * out_plane + (size_t)y * W;
                if (p->mean_image)
                    blend_minus(dst + at, rp.top, rp.bottom, rp.w_top, rp.w_bottom, p->mean_image + at, W);
                else
                    blend_affine(dst + at, rp.top, rp.bottom, rp.w_top, rp.w_bottom, p->scale[c], p->shift[c], W);
            }
        }
    }
}

static int fill(dsml_input_pipeline *p, const dsml_dataset *ds, const int *indices, int n, dsml_rng *rng,
                float *out)
{
    if (n < 0 || n > p->max_batch)
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: batch of %d images, expected 0..%d", ds->name, n,
                         p->max_batch);
    if (ds->channels != p->in_channels || ds->height != p->in_h || ds->width != p->in_w)
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: images %dx%dx%d, built for %dx%dx%d", ds->name,
                         ds->channels, ds->height, ds->width, p->in_channels, p->in_h, p->in_w);
    for (int i = 0; i < n; i++)
        if (indices[i] < 0 || indices[i] >= ds->n)
            return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: batch row %d: image %d, expected 0..%d", ds->name, i,
                             indices[i], ds->n - 1);
    int random_crop = rng && p->spec.crop == DSML_INPUT_CROP_RANDOM, flip = rng && p->spec.flip;
    for (int i = 0; i < n; i++) { /* serially, so a seed gives one batch whatever the thread count */
        int *d = p->draws + 3 * (size_t)i;
        d[0] = p->centre_y;
        d[1] = p->centre_x;
        d[2] = 0;
        if (random_crop) {
            d[0] = (int)dsml_rng_below(rng, (uint64_t)(p->resize_h - p->out_h) + 1);
            d[1] = (int)dsml_rng_below(rng, (uint64_t)(p->resize_w - p->out_w) + 1);
        }
        if (flip) d[2] = (int)dsml_rng_below(rng, 2);
    }
    int threads = p->max_threads;
#ifdef _OPENMP
    if (omp_get_max_threads() < threads) threads = omp_get_max_threads();
#endif
    size_t in_row = dsml_dataset_image_bytes(ds), out_row = dsml_input_pipeline_row(p);
    #pragma omp parallel for num_threads(threads) schedule(static)
    for (int i = 0; i < n; i++) {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        fill_one(p, ds->pixels + (size_t)indices[i] * in_row, p->draws + 3 * (size_t)i,
                 p->rows + 2 * (size_t)p->out_w * t, out + (size_t)i * out_row);
    }
    return DSML_OK;
}

int dsml_input_fill_train(dsml_input_pipeline *p, const dsml_dataset *ds, const int *indices, int n, dsml_rng *rng,
                          float *out)
{
    if (!rng && (p->spec.crop == DSML_INPUT_CROP_RANDOM || p->spec.flip))
        return dsml_fail(DSML_ERR_ARG, "%s: input pipeline: a training batch with random choices needs an rng",
                         ds->name);
    return fill(p, ds, indices, n, rng, out);
}

int dsml_input_fill_eval(dsml_input_pipeline *p, const dsml_dataset *ds, const int *indices, int n, float *out)
{
    return fill(p, ds, indices, n, NULL, out);
}

size_t dsml_input_pipeline_row(const dsml_input_pipeline *p)
{
    return (size_t)p->channels * p->out_h * p->out_w;
}

size_t dsml_input_pipeline_scratch_bytes(const dsml_input_pipeline *p)
{
    size_t bytes = sizeof *p->draws * 3 * (size_t)p->max_batch;
    bytes += sizeof *p->rows * 2 * (size_t)p->out_w * (size_t)p->max_threads;
    if (p->taps_y) bytes += sizeof *p->taps_y * ((size_t)p->resize_h + (size_t)p->resize_w);
    if (p->mean_image) bytes += sizeof *p->mean_image * dsml_input_pipeline_row(p);
    return bytes;
}

/* The normalisation's values: FIT and GIVEN on [0, 1], MEAN_IMAGE in 0..255. */
static int norm_values(const dsml_input_pipeline *p, const float **first, const float **second)
{
    if (p->spec.norm == DSML_INPUT_NORM_MEAN_IMAGE) {
        *first = p->pixel_mean;
        *second = NULL;
    } else {
        *first = p->mean01;
        *second = p->std01;
    }
    return p->channels;
}

/* Appends printf-style text at *used, never past cap (truncates). */
__attribute__((format(printf, 4, 5))) static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    if (*used >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (k > 0) *used += (size_t)k < cap - *used ? (size_t)k : cap - *used - 1;
}

void dsml_input_pipeline_describe(const dsml_input_pipeline *p, char *buf, size_t cap)
{
    if (!cap) return;
    size_t used = 0;
    buf[0] = '\0';
    append(buf, cap, &used, "%dx%dx%d", p->in_h, p->in_w, p->in_channels);
    if (p->channels != p->in_channels) append(buf, cap, &used, " -> %d channels (replicated)", p->channels);
    if (p->taps_y) append(buf, cap, &used, " -> resize %dx%d", p->resize_h, p->resize_w);
    if (p->spec.crop == DSML_INPUT_CROP_NONE)
        append(buf, cap, &used, ", no crop");
    else
        append(buf, cap, &used, ", %s crop %dx%d%s", crop_names[p->spec.crop], p->out_h, p->out_w,
               p->spec.crop == DSML_INPUT_CROP_RANDOM ? " (eval centre)" : "");
    if (p->spec.flip) append(buf, cap, &used, ", flip");
    const float *first, *second;
    int C = norm_values(p, &first, &second);
    append(buf, cap, &used, ", norm %s %s", norm_names[p->spec.norm], second ? "mean" : "pixel mean");
    for (int c = 0; c < C; c++) append(buf, cap, &used, " %.4g", first[c]);
    if (second) {
        append(buf, cap, &used, " std");
        for (int c = 0; c < C; c++) append(buf, cap, &used, " %.4g", second[c]);
    }
    if (p->mean_image) append(buf, cap, &used, " (image %dx%d)", p->spec.mean_h, p->spec.mean_w);
}

static void json_ints(dsml_json *j, const char *key, const int *v, int n)
{
    dsml_json_key(j, key);
    dsml_json_array_begin(j);
    for (int i = 0; i < n; i++) dsml_json_int(j, v[i]);
    dsml_json_array_end(j);
}

static void json_floats(dsml_json *j, const char *key, const float *v, int n)
{
    dsml_json_key(j, key);
    dsml_json_array_begin(j);
    for (int i = 0; i < n; i++) dsml_json_double(j, v[i]);
    dsml_json_array_end(j);
}

void dsml_input_pipeline_write_json(dsml_json *j, const dsml_input_pipeline *p)
{
    dsml_json_object_begin(j);
    json_ints(j, "cache", (const int[]){p->in_channels, p->in_h, p->in_w}, 3);
    dsml_json_kv_int(j, "channels", p->channels);
    dsml_json_kv_bool(j, "replicated", p->channels != p->in_channels);
    json_ints(j, "resize", (const int[]){p->resize_h, p->resize_w}, 2);
    json_ints(j, "out", (const int[]){p->out_h, p->out_w}, 2);
    dsml_json_kv_string(j, "train_crop", crop_names[p->spec.crop]);
    dsml_json_kv_string(j, "eval_crop", crop_names[p->spec.crop == DSML_INPUT_CROP_RANDOM ? DSML_INPUT_CROP_CENTRE
                                                                                      : p->spec.crop]);
    dsml_json_kv_bool(j, "flip", p->spec.flip);
    dsml_json_kv_string(j, "norm", norm_names[p->spec.norm]);
    const float *first, *second;
    int C = norm_values(p, &first, &second);
    json_floats(j, second ? "mean" : "pixel_mean", first, C);
    if (second) json_floats(j, "std", second, C);
    if (p->mean_image) json_ints(j, "mean_image", (const int[]){p->spec.mean_c, p->spec.mean_h, p->spec.mean_w}, 3);
    dsml_json_object_end(j);
}

void dsml_input_pipeline_free(dsml_input_pipeline *p)
{
    if (!p) return;
    free(p->taps_y);
    free(p->draws);
    free(p->rows);
    free(p->mean_image);
    memset(p, 0, sizeof *p);
}
