/* xoshiro256** (Blackman and Vigna), seeded with splitmix64. */
#include "core/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void dsml_rng_seed(dsml_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&x);
}

void dsml_rng_seed_stream(dsml_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = stream * 0xd1b54a32d192ed03ULL;
    dsml_rng_seed(rng, seed ^ splitmix64(&x));
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t dsml_rng_next(dsml_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double dsml_rng_uniform(dsml_rng *rng)
{
    return (double)(dsml_rng_next(rng) >> 11) * 0x1.0p-53;
}

float dsml_rng_uniform_range(dsml_rng *rng, float lo, float hi)
{
    float v = lo + (hi - lo) * (float)dsml_rng_uniform(rng);
    return v < hi ? v : lo; /* rounding may reach hi */
}

double dsml_rng_normal(dsml_rng *rng)
{
    double u1 = dsml_rng_uniform(rng);
    double u2 = dsml_rng_uniform(rng);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

uint64_t dsml_rng_below(dsml_rng *rng, uint64_t n)
{
    /* Lemire's nearly-divisionless method with rejection for exactness. */
    unsigned __int128 m = (unsigned __int128)dsml_rng_next(rng) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (unsigned __int128)dsml_rng_next(rng) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

void dsml_rng_shuffle_int(dsml_rng *rng, int *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)dsml_rng_below(rng, i);
        int t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}
