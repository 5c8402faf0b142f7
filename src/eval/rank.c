/* Radix and counting sorts behind the retrieval rankings (see rank.h). */
#include "eval/rank.h"

#define RADIX_BITS 11
#define RADIX_SIZE (1 << RADIX_BITS)
#define RADIX_MASK (RADIX_SIZE - 1)
#define RADIX_PASSES 3 /* 3 x 11 bits >= 32 */

void dsml_rank_radix_sort(uint32_t *keys, int *idx, int n, uint32_t *keys_tmp, int *idx_tmp)
{
    if (n <= 1) return;
    /* One sweep builds the histograms of all three digits. */
    int hist[RADIX_PASSES][RADIX_SIZE];
    memset(hist, 0, sizeof hist);
    for (int i = 0; i < n; i++) {
        uint32_t k = keys[i];
        hist[0][k & RADIX_MASK]++;
        hist[1][(k >> RADIX_BITS) & RADIX_MASK]++;
        hist[2][k >> (2 * RADIX_BITS)]++;
    }
    uint32_t *src_k = keys, *dst_k = keys_tmp;
    int *src_i = idx, *dst_i = idx_tmp;
    for (int pass = 0; pass < RADIX_PASSES; pass++) {
        int shift = pass * RADIX_BITS;
        int *h = hist[pass];
        /* Skip a pass whose digit is the same for every key: it would not move anything. */
        uint32_t first_digit = (src_k[0] >> shift) & RADIX_MASK;
        if (h[first_digit] == n) continue;
        int sum = 0;
        for (int b = 0; b < RADIX_SIZE; b++) {
            int c = h[b];
            h[b] = sum;
            sum += c;
        }
        for (int i = 0; i < n; i++) {
            uint32_t k = src_k[i];
            int pos = h[(k >> shift) & RADIX_MASK]++;
            dst_k[pos] = k;
            dst_i[pos] = src_i[i];
        }
        uint32_t *tk = src_k; src_k = dst_k; dst_k = tk;
        int *ti = src_i; src_i = dst_i; dst_i = ti;
    }
    if (src_k != keys) {
        memcpy(keys, src_k, (size_t)n * sizeof *keys);
        memcpy(idx, src_i, (size_t)n * sizeof *idx);
    }
}

void dsml_rank_counting_sort(const uint32_t *keys, int n, uint32_t max_key, int *counts, int *order)
{
    memset(counts, 0, ((size_t)max_key + 2) * sizeof *counts);
    for (int i = 0; i < n; i++) counts[keys[i] + 1]++;
    for (uint32_t v = 1; v <= max_key + 1; v++) counts[v] += counts[v - 1];
    /* counts[v] is now the first position of key v. */
    for (int i = 0; i < n; i++) order[counts[keys[i]]++] = i;
}
