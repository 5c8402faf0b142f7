/* Binary codes for Hamming ranking: sign() quantisation of real embeddings
 * into bits packed in uint64 words, and the popcount Hamming distance.
 *
 * Layout: a B-bit code occupies dsml_hamming_words(B) consecutive uint64
 * words; bit j of the code is bit (j % 64) of word (j / 64), set when
 * h[j] >= 0. Bits at or above B in the last word are zero. */
#ifndef DSML_EVAL_HAMMING_H
#define DSML_EVAL_HAMMING_H

#include <stdint.h>

/* uint64 words per code of `bits` bits. */
static inline int dsml_hamming_words(int bits) { return (bits + 63) / 64; }

/* Packs n rows of h (n x d, row-major) into codes (n x dsml_hamming_words(d)
 * words, caller-owned): bit j of row i is (h[i][j] >= 0). NaN gives 0 bits;
 * callers that care check their inputs first. */
void dsml_hamming_pack(const float *h, int n, int d, uint64_t *codes);

/* Number of differing bits between two codes of `words` words each. */
static inline int dsml_hamming_distance(const uint64_t *a, const uint64_t *b, int words)
{
    int dist = 0;
    for (int w = 0; w < words; w++) dist += __builtin_popcountll(a[w] ^ b[w]);
    return dist;
}

#endif
