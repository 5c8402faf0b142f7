/* Fuzzes the weights reader on MatConvNet SimpleNN .mat files (src/weights/matconvnet.c over src/data/mat5.c):
 * the input is one weights file (fuzz_weights.h). */
#include "fuzz_weights.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_weights_one("input.mat", data, size);
}
