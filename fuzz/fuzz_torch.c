/* Fuzzes the weights reader on PyTorch zip checkpoints (src/weights/torch_zip.c, with pickle.c for data.pkl):
 * the input is one weights file (fuzz_weights.h). */
#include "fuzz_weights.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_weights_one("input.pth", data, size);
}
