/* Class lists ("5-9", "0,2,4") and the dataset cut down to them; see class_subset.h. */
#include "data/class_subset.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_EXAMPLE "class numbers and ranges such as 5-9, 0,2,4 or 0-2,7"

/* Reads the digits at *p into *out and moves *p past them: 1, or 0 when
 * there are none, or -1 when the number exceeds DSML_CLASS_SUBSET_MAX. */
static int read_number(const char **p, int *out)
{
    const char *s = *p;
    long v = 0;
    if (*s < '0' || *s > '9') return 0;
    for (; *s >= '0' && *s <= '9'; s++)
        if ((v = v * 10 + (*s - '0')) > DSML_CLASS_SUBSET_MAX) return -1;
    *out = (int)v;
    *p = s;
    return 1;
}

/* What a syntax error at p expected, and where it is. */
static void found_at(const char *text, const char *p, char *expected, size_t cap)
{
    if (*p) snprintf(expected, cap, "%s (at character %d: \"%s\")", LIST_EXAMPLE, (int)(p - text) + 1, p);
    else snprintf(expected, cap, "%s (the text ends after \"%s\")", LIST_EXAMPLE, text);
}

/* Sorts the ranges by their first class (at most DSML_CLASS_SUBSET_RANGES: insertion sort). */
static void sort_ranges(dsml_class_subset *s)
{
    for (int i = 1; i < s->n_ranges; i++) {
        int lo = s->lo[i], hi = s->hi[i], j = i;
        for (; j > 0 && s->lo[j - 1] > lo; j--) {
            s->lo[j] = s->lo[j - 1];
            s->hi[j] = s->hi[j - 1];
        }
        s->lo[j] = lo;
        s->hi[j] = hi;
    }
}

int dsml_class_subset_parse(const char *text, dsml_class_subset *out, char *expected, size_t cap)
{
    dsml_class_subset s;
    memset(&s, 0, sizeof s);
    if (!text || !*text) {
        snprintf(expected, cap, "%s (the list is empty)", LIST_EXAMPLE);
        return DSML_ERR_ARG;
    }
    for (const char *p = text;;) {
        const char *item = p;
        int lo, hi, got = read_number(&p, &lo);
        if (got == 1 && *p == '-') {
            p++;
            got = read_number(&p, &hi);
        } else
            hi = lo;
        if (got < 0) {
            snprintf(expected, cap, "class numbers up to %d (%.*s is larger)", DSML_CLASS_SUBSET_MAX,
                     (int)strcspn(item, ","), item);
            return DSML_ERR_ARG;
        }
        if (got == 0 || (*p && *p != ',')) {
            found_at(text, p, expected, cap);
            return DSML_ERR_ARG;
        }
        if (hi < lo) {
            snprintf(expected, cap, "ranges from low to high (%.*s runs backwards)", (int)(p - item), item);
            return DSML_ERR_ARG;
        }
        if (s.n_ranges == DSML_CLASS_SUBSET_RANGES) {
            snprintf(expected, cap, "at most %d numbers or ranges", DSML_CLASS_SUBSET_RANGES);
            return DSML_ERR_ARG;
        }
        s.lo[s.n_ranges] = lo;
        s.hi[s.n_ranges++] = hi;
        if (!*p) break;
        p++; /* the comma; an empty item after it is a syntax error above */
    }
    sort_ranges(&s);
    int n = 0;
    for (int r = 0; r < s.n_ranges; r++) {
        if (n > 0 && s.lo[r] <= s.hi[n - 1]) {
            snprintf(expected, cap, "each class once (class %d is listed twice)", s.lo[r]);
            return DSML_ERR_ARG;
        }
        if (n > 0 && s.lo[r] == s.hi[n - 1] + 1) { /* adjacent: one range */
            s.hi[n - 1] = s.hi[r];
            continue;
        }
        s.lo[n] = s.lo[r];
        s.hi[n++] = s.hi[r];
    }
    s.n_ranges = n;
    for (int r = 0; r < n; r++) s.n_classes += s.hi[r] - s.lo[r] + 1;
    if (s.n_classes < 2) {
        snprintf(expected, cap, "at least 2 classes (metric learning tells classes apart)");
        return DSML_ERR_ARG;
    }
    *out = s;
    return DSML_OK;
}

int dsml_class_subset_equal(const dsml_class_subset *a, const dsml_class_subset *b)
{
    if (a->n_ranges != b->n_ranges) return 0;
    for (int r = 0; r < a->n_ranges; r++)
        if (a->lo[r] != b->lo[r] || a->hi[r] != b->hi[r]) return 0;
    return 1;
}

int dsml_class_subset_rank(const dsml_class_subset *s, int c)
{
    int before = 0;
    for (int r = 0; r < s->n_ranges && s->lo[r] <= c; r++) {
        if (c <= s->hi[r]) return before + c - s->lo[r];
        before += s->hi[r] - s->lo[r] + 1;
    }
    return -1;
}

/* Image i's new label, or -1 when it is left out; *bits its new label bits
 * (multi-label datasets; else 0). rank: per class of ds, its rank or -1. */
static int new_label(const dsml_dataset *ds, const int *rank, int i, uint64_t *bits)
{
    *bits = 0;
    if (!ds->label_bits) {
        int label = ds->labels[i];
        return label >= 0 && label < ds->n_classes ? rank[label] : -1;
    }
    for (uint64_t rest = ds->label_bits[i]; rest; rest &= rest - 1) {
        int c = __builtin_ctzll(rest);
        if (c < ds->n_classes && rank[c] >= 0) *bits |= 1ull << rank[c];
    }
    return *bits ? __builtin_ctzll(*bits) : -1;
}

/* Images kept, after checking that every listed class has one; count: k entries, zeroed. */
static int count_kept(const dsml_dataset *ds, const dsml_class_subset *s, const int *rank, int *count, int *kept)
{
    *kept = 0;
    for (int i = 0; i < ds->n; i++) {
        uint64_t bits;
        int label = new_label(ds, rank, i, &bits);
        if (label < 0) continue;
        (*kept)++;
        if (!bits) count[label]++;
        for (; bits; bits &= bits - 1) count[__builtin_ctzll(bits)]++;
    }
    for (int r = 0; r < s->n_ranges; r++)
        for (int c = s->lo[r]; c <= s->hi[r]; c++)
            if (!count[rank[c]])
                return dsml_fail(DSML_ERR_ARG, "%s: class %d (%s) has no images", ds->name, c, ds->class_names[c]);
    return DSML_OK;
}

/* The official split and its names, for the kept images (out->n of them, in order). */
static int copy_split(dsml_dataset *out, const dsml_dataset *ds, const int *rank)
{
    out->split_names = calloc((size_t)ds->n_splits, sizeof *out->split_names);
    out->owned_split = malloc((size_t)out->n);
    if (!out->split_names || !out->owned_split) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", ds->name);
    memcpy(out->split_names, ds->split_names, (size_t)ds->n_splits * sizeof *out->split_names);
    out->n_splits = ds->n_splits;
    out->split = out->owned_split;
    for (int i = 0, j = 0; i < ds->n; i++) {
        uint64_t bits;
        if (new_label(ds, rank, i, &bits) >= 0) out->owned_split[j++] = ds->split[i];
    }
    return DSML_OK;
}

/* Fills out (allocated for the kept images) from ds. */
static int fill(dsml_dataset *out, const dsml_dataset *ds, const int *rank, uint8_t *pixels, int32_t *labels)
{
    size_t image = dsml_dataset_image_bytes(ds);
    if (ds->label_bits) {
        out->owned_label_bits = malloc((size_t)out->n * sizeof *out->owned_label_bits);
        if (!out->owned_label_bits) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", ds->name);
        out->label_bits = out->owned_label_bits;
        out->n_labels = out->n_classes;
    }
    for (int i = 0, j = 0; i < ds->n; i++) {
        uint64_t bits;
        int label = new_label(ds, rank, i, &bits);
        if (label < 0) continue;
        memcpy(pixels + (size_t)j * image, ds->pixels + (size_t)i * image, image);
        labels[j] = label;
        if (out->owned_label_bits) out->owned_label_bits[j] = bits;
        j++;
    }
    for (int c = 0; c < ds->n_classes; c++)
        if (rank[c] >= 0) memcpy(out->class_names[rank[c]], ds->class_names[c], DSML_DATASET_NAME);
    memcpy(out->source_sha256, ds->source_sha256, sizeof out->source_sha256);
    memcpy(out->content_sha256, ds->content_sha256, sizeof out->content_sha256);
    return ds->split && ds->n_splits > 0 ? copy_split(out, ds, rank) : DSML_OK;
}

int dsml_class_subset_apply(dsml_dataset *ds, const dsml_class_subset *s)
{
    if (s->n_ranges < 1 || s->n_ranges > DSML_CLASS_SUBSET_RANGES)
        return dsml_fail(DSML_ERR_ARG, "%s: a class subset of %d ranges, expected 1..%d (one that parsed)", ds->name,
                         s->n_ranges, DSML_CLASS_SUBSET_RANGES);
    int last = s->hi[s->n_ranges - 1];
    if (last >= ds->n_classes)
        return dsml_fail(DSML_ERR_ARG, "%s has %d classes (0..%d), class %d is not one of them", ds->name,
                         ds->n_classes, ds->n_classes - 1, last);
    int *rank = malloc((size_t)ds->n_classes * sizeof *rank);
    int *count = calloc((size_t)s->n_classes, sizeof *count);
    if (!rank || !count) {
        free(rank);
        free(count);
        return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", ds->name);
    }
    for (int c = 0; c < ds->n_classes; c++) rank[c] = dsml_class_subset_rank(s, c);
    int kept;
    int rc = count_kept(ds, s, rank, count, &kept);
    dsml_dataset out;
    memset(&out, 0, sizeof out);
    uint8_t *pixels;
    int32_t *labels;
    if (!rc) rc = dsml_dataset_alloc(&out, ds->name, kept, ds->channels, ds->height, ds->width, s->n_classes, &pixels,
                                     &labels);
    if (!rc) rc = fill(&out, ds, rank, pixels, labels);
    free(rank);
    free(count);
    if (rc) {
        dsml_dataset_free(&out);
        return rc;
    }
    dsml_dataset_free(ds);
    *ds = out;
    return DSML_OK;
}
