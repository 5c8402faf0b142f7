/* Linear-time ranking kernels for retrieval: a stable LSD radix sort of
 * (key, index) pairs on 32-bit keys, the float-to-key map for non-negative
 * distances, and a stable counting sort for small integer keys (Hamming
 * distances). Ties always keep the order the indices came in, so a ranking
 * built from indices 0..n-1 breaks ties by index.
 *
 * Every function works in caller-owned buffers and allocates nothing, so the
 * evaluation loops can call them per query. */
#ifndef DSML_EVAL_RANK_H
#define DSML_EVAL_RANK_H

#include <stdint.h>
#include <string.h>

/* The sort key of a distance d: its IEEE-754 bit pattern, after clamping d to
 * 0 when it is negative, -0 or NaN (rounding in |q|^2 + |x|^2 - 2 q.x can give
 * tiny negatives). For non-negative floats the bit patterns order exactly as
 * the values do, +inf last. */
static inline uint32_t dsml_rank_float_key(float d)
{
    if (!(d > 0.0f)) return 0u;
    uint32_t k;
    memcpy(&k, &d, sizeof k);
    return k;
}

/* Sorts n (keys[i], idx[i]) pairs by key, ascending and stable (equal keys keep
 * their input order). The result is left in keys/idx; keys_tmp and idx_tmp are
 * n-element scratch buffers owned by the caller. Three passes of 11 bits; a
 * pass in which every key has the same digit is skipped. */
void dsml_rank_radix_sort(uint32_t *keys, int *idx, int n, uint32_t *keys_tmp, int *idx_tmp);

/* Writes to order[0..n-1] the indices 0..n-1 sorted by (keys[i], i): a stable
 * counting sort. Every key must be <= max_key; counts is caller-owned scratch
 * of max_key + 2 ints. */
void dsml_rank_counting_sort(const uint32_t *keys, int n, uint32_t max_key, int *counts, int *order);

#endif
