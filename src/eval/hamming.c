/* sign() packing of embeddings into binary codes (see hamming.h). */
#include "eval/hamming.h"

#include <string.h>

void dsml_hamming_pack(const float *h, int n, int d, uint64_t *codes)
{
    int words = dsml_hamming_words(d);
    for (int i = 0; i < n; i++) {
        const float *row = h + (size_t)i * d;
        uint64_t *code = codes + (size_t)i * words;
        memset(code, 0, (size_t)words * sizeof *code);
        for (int j = 0; j < d; j++)
            if (row[j] >= 0.0f) code[j >> 6] |= 1ULL << (j & 63);
    }
}
