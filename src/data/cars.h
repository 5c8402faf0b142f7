/* Stanford Cars (Cars196: 196 classes, 16,185 images), in either of the two
 * layouts it was published in (docs/formats.md, "Stanford Cars"):
 *
 *   car_ims layout: car_ims.tgz (car_ims/000001.jpg ...) and cars_annos.mat,
 *     a MAT v5 file with a struct array `annotations` (relative_im_path,
 *     bbox_x1, bbox_y1, bbox_x2, bbox_y2, class, test) and a cell array
 *     `class_names`. Images in annotation order.
 *   devkit layout: cars_train.tgz (cars_train/00001.jpg ...), cars_test.tgz
 *     (cars_test/...), car_devkit.tgz with devkit/cars_train_annos.mat and
 *     devkit/cars_meta.mat (`class_names`), and the test labels in
 *     cars_test_annos_withlabels.mat (beside the archives, or inside the
 *     devkit archive). The annotation structs have fields fname and class
 *     (and bounding boxes). Images: the training set then the test set.
 *
 * Either layout's extracted image folder (car_ims/, cars_train/, cars_test/)
 * may stand in for its archive. Labels are class - 1; the official split is
 * stored as the cache's split (names "test", "train"; index 1 = train).
 * Bounding boxes are read and checked for presence, not applied: the deep
 * metric learning protocol uses whole images. */
#ifndef DSML_DATA_CARS_H
#define DSML_DATA_CARS_H

#include "data/dataset.h"
#include "data/imageset.h"

/* Reads Cars196 from `path`: a folder holding either layout's files, or the
 * car_ims.tgz archive (with cars_annos.mat beside it). source_sha256 is the
 * sha256sum-style hash of the files read (archives and .mat files, in the
 * order named above; an image folder is not part of it). Errors name the
 * file and, for annotations, the element ("annotations(5).class"). */
int dsml_cars196_read(dsml_dataset *ds, const char *path, const dsml_reader_options *o);

#endif
