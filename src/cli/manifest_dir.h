/* The folder of the *.manifest files (datasets and pretrained weights), which
 * the library never looks up itself: $DSML_MANIFESTS when set and not empty,
 * else the datasets/ folder next to the program's bin/ folder
 * (/proc/self/exe/../../datasets), else "datasets". Used by dsml fetch and
 * by the commands that take `--weights NAME` (dsml_weights_locate). */
#ifndef DSML_CLI_MANIFEST_DIR_H
#define DSML_CLI_MANIFEST_DIR_H

#include <stddef.h>

/* Writes the folder into out[size]; 0, or -1 when it does not fit. */
int manifest_dir(char *out, size_t size);

#endif
