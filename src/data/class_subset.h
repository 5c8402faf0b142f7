/* A subset of a dataset's classes (`dsml train --classes 5-9`): the list
 * parsed from text, and a loaded dataset cut down to the images of those
 * classes, relabelled 0..k-1 in ascending class order. The trainer applies it
 * after the cache was opened and its content hash checked, and before the
 * split, so every protocol and split works on the subset as if it were the
 * whole dataset.
 *
 * The text is a comma-separated list of class numbers and ranges low-high
 * ("5-9", "0,2,4", "0-2,7"): decimal digits only, no spaces, each class at
 * most once, at least two classes. The order the list gives does not matter:
 * "7,0-2" is the subset "0-2,7", with class 0 -> 0, 1 -> 1, 2 -> 2, 7 -> 3. */
#ifndef DSML_DATA_CLASS_SUBSET_H
#define DSML_DATA_CLASS_SUBSET_H

#include <stddef.h>

#include "data/dataset.h"

#define DSML_CLASS_SUBSET_RANGES 128    /* numbers or ranges in one list */
#define DSML_CLASS_SUBSET_MAX 999999    /* the largest class number (datasets hold at most 10^6 classes) */

/* The classes as disjoint ranges lo[r]..hi[r], ascending, adjacent ones
 * merged, so two lists of the same classes parse to the same struct. */
typedef struct {
    int lo[DSML_CLASS_SUBSET_RANGES], hi[DSML_CLASS_SUBSET_RANGES];
    int n_ranges;
    int n_classes;                      /* classes listed, >= 2 */
} dsml_class_subset;

/* Parses `text` into *out. On failure DSML_ERR_ARG, *out left alone, and
 * `expected` says what was expected and where the text differs, for the
 * caller to name the option ("--classes 9-5: expected ranges from low to
 * high (9-5 runs backwards)"); as core/value.h, the error message is not
 * touched. */
int dsml_class_subset_parse(const char *text, dsml_class_subset *out, char *expected, size_t cap);

/* 1 when a and b hold the same classes. */
int dsml_class_subset_equal(const dsml_class_subset *a, const dsml_class_subset *b);

/* The new label of class c (its rank in the subset), or -1 when c is not in it. */
int dsml_class_subset_rank(const dsml_class_subset *s, int c);

/* Replaces *ds by the images of the subset's classes, in their order in ds,
 * relabelled by rank; the classes' names follow them. What else a dataset
 * carries goes along: the official train/test split of each kept image, and
 * on a multi-label dataset (nus-wide) the label bits, where an image is kept
 * when it has any listed label, its other labels are dropped, and its single
 * label is its first kept one. The checksums stay those of the prepared cache
 * the subset was cut from (with the list, they identify it); what the read
 * skipped or ignored is not carried over.
 * The result owns its buffers (ds may have mapped a cache file, which is
 * unmapped). Fails, with ds unchanged, with DSML_ERR_ARG on a class beyond
 * the dataset's ("cifar10 has 10 classes (0..9), class 12 is not one of
 * them") or a listed class with no image, and DSML_ERR_NOMEM. */
int dsml_class_subset_apply(dsml_dataset *ds, const dsml_class_subset *s);

#endif
