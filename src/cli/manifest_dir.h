/* The folder of the *.manifest files (datasets and pretrained weights), which
 * the library never looks up itself: $DSML_MANIFESTS when set and not empty,
 * else the datasets/ folder next to the program's bin/ folder
 * (/proc/self/exe/../../datasets), else, for an installed program (make
 * install), ../share/dsml/datasets beside its bin/, else "datasets". Used by dsml fetch and
 * by the commands that take `--weights NAME` (dsml_weights_locate), which
 * resolve it through manifest_weights_path. */
#ifndef DSML_CLI_MANIFEST_DIR_H
#define DSML_CLI_MANIFEST_DIR_H

#include <stddef.h>

/* Writes the folder into out[size]; 0, or -1 when it does not fit. */
int manifest_dir(char *out, size_t size);

/* `--weights NAME|FILE` of the command `cmd` ("dsml train"): a fetched
 * manifest's name ("alexnet-imagenet", its file looked for under data_root)
 * or a path, turned into the file's path in path[cap] by dsml_weights_locate.
 * 0, or 1 after printing "<cmd>: --weights: <why>" on stderr (the command
 * exits 1): the file missing (with the `dsml fetch` that gets it), an
 * unknown name, a path that does not fit. */
int manifest_weights_path(const char *cmd, const char *weights, const char *data_root, char *path, size_t cap);

#endif
