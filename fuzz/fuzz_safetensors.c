/* Fuzzes the weights reader on safetensors files (src/weights/safetensors.c):
 * the input is one weights file (fuzz_weights.h). */
#include "fuzz_weights.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_weights_one("input.safetensors", data, size);
}
