/* NUS-WIDE in the layout hashing papers use (docs/formats.md, "NUS-WIDE"),
 * multi-label: the images of the 21 most frequent of the 81 concepts.
 *
 * Read from one folder (the data root, or --from) holding:
 *   ImageList.zip or ImageList/   ImageList/Imagelist.txt: one image path per
 *                                 line (the official file's
 *                                 "C:\ImageData\Flickr\actor\0001_2124494179.jpg"
 *                                 is read as Flickr/actor/0001_2124494179.jpg:
 *                                 '\' becomes '/', a drive and a leading
 *                                 ImageData/ are cut)
 *   Groundtruth.zip or Groundtruth/   .../AllLabels/Labels_<concept>.txt: one
 *                                 0 or 1 per line, in Imagelist.txt's order
 *   nus-wide-images/ or nus-wide-images.{tar,tar.gz,tgz,zip}: the images,
 *                                 at the paths of the list
 * Concepts are the AllLabels files, sorted by name; each concept's frequency
 * is its count of 1s. The 21 most frequent are kept (ties: the name first in
 * byte order); an image is kept when it has at least one of them. Classes are
 * the 21 kept concepts in name order; ds->label_bits has bit k set when the
 * image has concept k; ds->labels is its lowest set bit (a single label for
 * code that needs one). Images keep the list's order. */
#ifndef DSML_DATA_NUSWIDE_H
#define DSML_DATA_NUSWIDE_H

#include "data/dataset.h"
#include "data/imageset.h"

#define DSML_NUSWIDE_CONCEPTS 21 /* kept, the most frequent */

/* Reads NUS-WIDE from the folder `path` into ds (owned). n_concepts: how
 * many of the most frequent concepts to keep (DSML_NUSWIDE_CONCEPTS; 1..64).
 * skip_missing: 1: a listed image absent from the images is dropped and
 * recorded in ds->skipped; 0: it is an error. source_sha256: the
 * sha256sum-style hash of Imagelist.txt then the label files, in concept
 * order. Errors name the file and line (a label file with fewer or more lines
 * than the list, a value other than 0 or 1). */
int dsml_nuswide_read(dsml_dataset *ds, const char *path, const dsml_reader_options *o, int n_concepts,
                      int skip_missing);

#endif
