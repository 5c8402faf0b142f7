/* Shorter-side scaling and centre crop, separable (rows first, then columns);
 * see resize.h. Each output index along an axis gets a list of (source index,
 * weight) taps, computed once per call. */
#include "data/resize.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Taps of one output index: source indices first .. first + count - 1. */
typedef struct {
    int first, count;
    size_t weight; /* offset of the first weight in the weights array */
} tap;

void dsml_resize_scaled_size(int h, int w, int H, int W, int *sh, int *sw)
{
    /* Scale by max(H / h, W / w), compared exactly in integers. */
    if ((long long)H * w >= (long long)W * h) {
        *sh = H;
        *sw = (int)(((long long)w * H * 2 + h) / (2LL * h));
        if (*sw < W) *sw = W;
    } else {
        *sw = W;
        *sh = (int)(((long long)h * W * 2 + w) / (2LL * w));
        if (*sh < H) *sh = H;
    }
}

/* Number of weights the taps of `n_out` outputs from `src` inputs (scaled to
 * `scaled`) need at most. */
static size_t weights_needed(int src, int scaled, int n_out)
{
    if (scaled >= src) return 2 * (size_t)n_out;
    return ((size_t)(src / scaled) + 2) * (size_t)n_out;
}

/* Taps for output indices offset .. offset + n_out - 1 of an axis scaled from
 * `src` to `scaled` samples. */
static void make_taps(int src, int scaled, int offset, int n_out, tap *taps, double *weights)
{
    size_t used = 0;
    double step = (double)src / scaled; /* source samples per output sample */
    for (int j = 0; j < n_out; j++) {
        int o = offset + j;
        tap *t = &taps[j];
        t->weight = used;
        if (scaled == src) {
            t->first = o;
            t->count = 1;
            weights[used++] = 1.0;
        } else if (scaled > src) {
            /* bilinear: the output centre (o + 0.5) maps to source x - 0.5 */
            double x = (o + 0.5) * step - 0.5;
            if (x < 0) x = 0;
            if (x > src - 1) x = src - 1;
            int i0 = (int)floor(x);
            double f = x - i0;
            if (i0 >= src - 1) {
                i0 = src - 1;
                f = 0;
            }
            t->first = i0;
            t->count = f > 0 ? 2 : 1;
            weights[used++] = 1.0 - f;
            if (f > 0) weights[used++] = f;
        } else {
            /* area: output o covers source [o * step, (o + 1) * step) */
            double lo = o * step, hi = (o + 1) * step;
            if (hi > src) hi = src;
            int i0 = (int)floor(lo), i1 = (int)ceil(hi);
            if (i1 > src) i1 = src;
            t->first = i0;
            t->count = 0;
            for (int i = i0; i < i1; i++) {
                double a = i < lo ? lo : i, b = i + 1 > hi ? hi : i + 1;
                weights[used++] = (b - a) / step;
                t->count++;
            }
        }
    }
}

int dsml_resize(const uint8_t *src, int channels, int h, int w, uint8_t *dst, int H, int W, dsml_resize_work *work)
{
    if (channels < 1 || h < 1 || w < 1 || H < 1 || W < 1)
        return dsml_fail(DSML_ERR_ARG, "resize: %d channels %dx%d -> %dx%d, expected positive sizes", channels, h, w,
                         H, W);
    int sh, sw;
    dsml_resize_scaled_size(h, w, H, W, &sh, &sw);
    int oy = (sh - H) / 2, ox = (sw - W) / 2;
    size_t n_wy = weights_needed(h, sh, H), n_wx = weights_needed(w, sw, W);
    size_t bytes = (size_t)(H + W) * sizeof(tap) + (n_wy + n_wx) * sizeof(double) +
                   (size_t)h * W * sizeof(double);
    if (bytes > work->capacity) {
        void *p = realloc(work->buf, bytes);
        if (!p) return dsml_fail(DSML_ERR_NOMEM, "resize: cannot allocate %zu bytes", bytes);
        work->buf = p;
        work->capacity = bytes;
    }
    tap *ty = work->buf, *tx = ty + H;
    double *wy = (double *)(tx + W), *wx = wy + n_wy, *rows = wx + n_wx;
    make_taps(h, sh, oy, H, ty, wy);
    make_taps(w, sw, ox, W, tx, wx);
    for (int k = 0; k < channels; k++) {
        const uint8_t *plane = src + (size_t)k * h * w;
        /* horizontal pass: every source row to W columns */
        for (int r = 0; r < h; r++) {
            const uint8_t *in = plane + (size_t)r * w;
            double *out = rows + (size_t)r * W;
            for (int c = 0; c < W; c++) {
                const double *wt = wx + tx[c].weight;
                double s = 0;
                for (int i = 0; i < tx[c].count; i++) s += wt[i] * in[tx[c].first + i];
                out[c] = s;
            }
        }
        /* vertical pass */
        uint8_t *out = dst + (size_t)k * H * W;
        for (int r = 0; r < H; r++) {
            const double *wt = wy + ty[r].weight;
            for (int c = 0; c < W; c++) {
                double s = 0;
                for (int i = 0; i < ty[r].count; i++) s += wt[i] * rows[(size_t)(ty[r].first + i) * W + c];
                s = floor(s + 0.5);
                out[(size_t)r * W + c] = (uint8_t)(s < 0 ? 0 : s > 255 ? 255 : s);
            }
        }
    }
    return DSML_OK;
}

void dsml_resize_work_free(dsml_resize_work *work)
{
    if (!work) return;
    free(work->buf);
    memset(work, 0, sizeof *work);
}
