/* The body the weights harnesses share: the input as one weights file, read
 * through dsml_weights_read (which sniffs the format from the first bytes, so
 * each harness's seeds keep it mostly in its own reader), every tensor's size
 * checked against its shape. */
#ifndef DSML_FUZZ_WEIGHTS_H
#define DSML_FUZZ_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

/* name: the file's name in the temporary folder ("input.pth"). */
int fuzz_weights_one(const char *name, const uint8_t *data, size_t size);

#endif
