/* Tests of the ranking kernels of src/eval (rank.c, hamming.c): radix and
 * counting sorts against qsort, the float sort key, sign() codes and popcount
 * against bit loops. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "eval/hamming.h"
#include "eval/rank.h"
#include "support/suite_run.h"

/* ------------------------------------------------------------ rank kernels */

typedef struct {
    uint32_t key;
    int idx;
} pair;

static int compare_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

START_TEST(test_radix_sort_matches_qsort)
{
    enum { N = 5000 };
    static uint32_t keys[N], keys_tmp[N];
    static int idx[N], idx_tmp[N];
    static pair ref[N];
    dsml_rng rng;
    dsml_rng_seed(&rng, 11);
    /* 0: full 32-bit keys; 1: 7 distinct keys (many ties); 2: keys differing only in high bits;
     * 3: float distances mapped through dsml_rank_float_key, incl. tiny negatives. */
    for (int kind = 0; kind < 4; kind++) {
        for (int n = 0; n <= N; n += (n < 10 ? 1 : 997)) {
            for (int i = 0; i < n; i++) {
                uint64_t r = dsml_rng_next(&rng);
                uint32_t k = (uint32_t)r;
                if (kind == 1) k = (uint32_t)(r % 7) * 1000003u;
                if (kind == 2) k = (uint32_t)(r % 5) << 27;
                if (kind == 3) k = dsml_rank_float_key((float)(dsml_rng_uniform(&rng) * 10.0 - 0.5));
                keys[i] = k;
                idx[i] = i;
                ref[i].key = k;
                ref[i].idx = i;
            }
            qsort(ref, (size_t)n, sizeof *ref, compare_pair);
            dsml_rank_radix_sort(keys, idx, n, keys_tmp, idx_tmp);
            for (int i = 0; i < n; i++) {
                ck_assert_uint_eq(keys[i], ref[i].key);
                ck_assert_int_eq(idx[i], ref[i].idx);
            }
        }
    }
}
END_TEST

START_TEST(test_counting_sort_matches_qsort)
{
    enum { N = 3000, MAX = 40 };
    static uint32_t keys[N];
    static int order[N], counts[MAX + 2];
    static pair ref[N];
    dsml_rng rng;
    dsml_rng_seed(&rng, 12);
    for (int i = 0; i < N; i++) {
        keys[i] = (uint32_t)dsml_rng_below(&rng, MAX + 1);
        ref[i].key = keys[i];
        ref[i].idx = i;
    }
    qsort(ref, N, sizeof *ref, compare_pair);
    dsml_rank_counting_sort(keys, N, MAX, counts, order);
    for (int i = 0; i < N; i++) ck_assert_int_eq(order[i], ref[i].idx);
}
END_TEST

START_TEST(test_float_key_orders_and_clamps)
{
    ck_assert_uint_eq(dsml_rank_float_key(-1e-7f), 0u);
    ck_assert_uint_eq(dsml_rank_float_key(-0.0f), 0u);
    ck_assert_uint_eq(dsml_rank_float_key(NAN), 0u);
    ck_assert_uint_eq(dsml_rank_float_key(0.0f), 0u);
    float v[] = {1e-30f, 1e-7f, 0.5f, 1.0f, 1.0000001f, 3.0f, 1e30f, INFINITY};
    for (int i = 1; i < 8; i++) ck_assert_uint_lt(dsml_rank_float_key(v[i - 1]), dsml_rank_float_key(v[i]));
}
END_TEST

/* --------------------------------------------------------- Hamming codes */

START_TEST(test_hamming_pack_and_popcount_match_bit_loops)
{
    enum { N = 20, D = 100 }; /* 2 words, 36 bits used in the second */
    static float h[N * D];
    static uint64_t codes[N * 2];
    dsml_rng rng;
    dsml_rng_seed(&rng, 13);
    for (int i = 0; i < N * D; i++) h[i] = (float)dsml_rng_normal(&rng);
    h[5] = 0.0f;  /* 0 -> bit set (h >= 0) */
    h[6] = -0.0f; /* -0 >= 0 too */
    ck_assert_int_eq(dsml_hamming_words(D), 2);
    ck_assert_int_eq(dsml_hamming_words(64), 1);
    ck_assert_int_eq(dsml_hamming_words(65), 2);
    dsml_hamming_pack(h, N, D, codes);
    ck_assert(codes[0] >> 5 & 1);
    ck_assert(codes[0] >> 6 & 1);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < D; j++) {
            int bit = (int)(codes[i * 2 + j / 64] >> (j % 64) & 1);
            ck_assert_int_eq(bit, h[i * D + j] >= 0.0f);
        }
        ck_assert_uint_eq(codes[i * 2 + 1] >> 36, 0); /* padding stays zero */
    }
    for (int a = 0; a < N; a++)
        for (int b = 0; b < N; b++) {
            int naive = 0;
            for (int j = 0; j < D; j++) naive += (h[a * D + j] >= 0.0f) != (h[b * D + j] >= 0.0f);
            ck_assert_int_eq(dsml_hamming_distance(codes + a * 2, codes + b * 2, 2), naive);
        }
}
END_TEST


int main(void)
{
    const suite_case cases[] = {
        {"sorts", 60, (const TTest *[]){test_radix_sort_matches_qsort, test_counting_sort_matches_qsort,
                                        test_float_key_orders_and_clamps, NULL}},
        {"codes", 60, (const TTest *[]){test_hamming_pack_and_popcount_match_bit_loops, NULL}},
    };
    return suite_run_cases("rank", cases, SUITE_CASES(cases));
}
