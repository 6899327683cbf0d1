#include "vaesweep/rng.h"

#include <math.h>

void rng_init(rng_t *r, uint64_t seed, uint64_t stream,
              enum rng_purpose purpose)
{
    r->key.v[0] = seed;
    r->key.v[1] = stream;
    r->ctr.v[0] = 0;
    r->ctr.v[1] = 0;
    r->ctr.v[2] = 0;
    r->ctr.v[3] = (uint64_t)purpose;
    r->used = 4;
    r->has_spare = 0;
    r->spare = 0.0;
}

uint64_t rng_u64(rng_t *r)
{
    if (r->used == 4) {
        r->block = philox4x64(r->ctr, r->key);
        r->ctr.v[0]++;
        r->used = 0;
    }
    return r->block.v[r->used++];
}

double rng_uniform(rng_t *r)
{
    return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

double rng_uniform_range(rng_t *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_uniform(r);
}

/* Uniform on (0, 1): the log in Box-Muller must never see 0. */
static double rng_open01(rng_t *r)
{
    return ((double)(rng_u64(r) >> 11) + 0.5) * 0x1.0p-53;
}

double rng_normal(rng_t *r)
{
    const double two_pi = 6.283185307179586476925;
    double radius, angle;

    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    radius = sqrt(-2.0 * log(rng_open01(r)));
    angle = two_pi * rng_open01(r);
    r->spare = radius * sin(angle);
    r->has_spare = 1;
    return radius * cos(angle);
}

uint64_t rng_below(rng_t *r, uint64_t n)
{
    /* Reject the top partial copy of [0, n) so every value is equally
     * likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;

    do {
        x = rng_u64(r);
    } while (x >= limit);
    return x % n;
}

void rng_shuffle(rng_t *r, size_t *idx, size_t n)
{
    size_t i;

    for (i = n; i > 1; i--) {
        size_t j = (size_t)rng_below(r, i);
        size_t tmp = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = tmp;
    }
}
