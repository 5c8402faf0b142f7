/* Where a pretrained weights file is: the one place the trainer, the sweep
 * and the CLI turn `--weights alexnet-imagenet` (a manifest name, fetched by
 * `dsml fetch alexnet-imagenet`) or `--weights path/to/file.pth` into a path,
 * and say how to get the file when it is missing. Reads no environment: the
 * caller passes the manifest folder and the data root. */
#ifndef DSML_DATA_WEIGHTS_LOCATE_H
#define DSML_DATA_WEIGHTS_LOCATE_H

#include <stddef.h>

/* `name_or_path` is a manifest name when it has no '/' and
 * `manifest_dir`/<name>.manifest exists; the manifest must list one file,
 * looked for where `dsml fetch` puts it, <data_root>/downloads/<file>, then
 * <data_root>/<file> (a copy put there by hand). Anything else is a path to a
 * regular file. On success writes the path found into path[cap].
 * Errors (the message names the file):
 *   DSML_ERR_STATE     a named file is in neither place: "alexnet-imagenet:
 *                      <root>/downloads/alexnet-owt-7be5be79.pth is missing;
 *                      get it with `dsml fetch alexnet-imagenet`"
 *                      (a `manual` file: the manifest's instructions instead);
 *   DSML_ERR_CHECKSUM  a named file's size differs from the manifest's;
 *   DSML_ERR_IO        a path that is not a readable regular file, or a name
 *                      that is neither a file nor a manifest;
 *   DSML_ERR_FORMAT    the manifest is broken or lists more than one file;
 *   DSML_ERR_ARG       path[cap] is too small, or an argument is NULL or "".
 * Sizes and checksums are not hashed here (dsml fetch verified them; the
 * weights reader checks the format, and the run records the file's SHA-256). */
int dsml_weights_locate(const char *name_or_path, const char *manifest_dir, const char *data_root, char *path,
                        size_t cap);

#endif
