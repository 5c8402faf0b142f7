/* Seeded pseudo-random numbers: xoshiro256** seeded through splitmix64.
 *
 * Every random choice in dsml (initialisation, sampling, splits, dropout,
 * k-means++) draws from a dsml_rng passed in explicitly, so that a seed fixes
 * the whole run. No global state. */
#ifndef DSML_CORE_RNG_H
#define DSML_CORE_RNG_H

#include <stdint.h>
#include <stddef.h>

typedef struct {
    uint64_t s[4];
} dsml_rng;

void dsml_rng_seed(dsml_rng *rng, uint64_t seed);
/* An independent stream derived from (seed, stream id): used so that, e.g.,
 * the split does not change when the model's initialisation draws more. */
void dsml_rng_seed_stream(dsml_rng *rng, uint64_t seed, uint64_t stream);
uint64_t dsml_rng_next(dsml_rng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double dsml_rng_uniform(dsml_rng *rng);
/* Uniform float in [lo, hi). */
float dsml_rng_uniform_range(dsml_rng *rng, float lo, float hi);
/* Standard normal (Box-Muller, no cached second value: simpler to reason about). */
double dsml_rng_normal(dsml_rng *rng);
/* Uniform integer in [0, n), unbiased (Lemire's method); n > 0. */
uint64_t dsml_rng_below(dsml_rng *rng, uint64_t n);
/* Fisher-Yates shuffle. */
void dsml_rng_shuffle_int(dsml_rng *rng, int *a, size_t n);

#endif
