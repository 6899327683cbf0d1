/*
 * rng: counter-based random streams (Random123 Philox-4x64-10).
 *
 * A stream is named by (seed, stream, purpose): the VAE run index or the
 * scoring task index is the stream, and the purpose separates the draws
 * of one run (initial weights, batch order, noise).  Any rank can open
 * any stream and get the same numbers, which is what makes a sweep's
 * results independent of the number of ranks.
 */
#ifndef VAESWEEP_RNG_H
#define VAESWEEP_RNG_H

#include <stddef.h>
#include <stdint.h>

#include <Random123/philox.h>

enum rng_purpose {
    RNG_INIT = 1,    /* initial parameters */
    RNG_SHUFFLE = 2, /* batch order */
    RNG_NOISE = 3,   /* reparameterisation noise */
    RNG_SPLIT = 4,   /* train/validation split, folds */
    RNG_TREES = 5    /* random forest bootstrap and features */
};

typedef struct {
    philox4x64_key_t key;
    philox4x64_ctr_t ctr;
    philox4x64_ctr_t block; /* last output block */
    int used;               /* words of block already handed out */
    int has_spare;          /* Box-Muller gives normals in pairs */
    double spare;
} rng_t;

/* Open the stream (seed, stream, purpose) at its start.  Never fails. */
void rng_init(rng_t *r, uint64_t seed, uint64_t stream,
              enum rng_purpose purpose);

/* 64 uniformly random bits. */
uint64_t rng_u64(rng_t *r);

/* Uniform on [0, 1) with 53 random bits. */
double rng_uniform(rng_t *r);

/* Uniform on [lo, hi). */
double rng_uniform_range(rng_t *r, double lo, double hi);

/* Standard normal (Box-Muller on two open-interval uniforms). */
double rng_normal(rng_t *r);

/* Uniform integer in [0, n), without modulo bias; n > 0. */
uint64_t rng_below(rng_t *r, uint64_t n);

/* Fisher-Yates shuffle of idx[0..n). */
void rng_shuffle(rng_t *r, size_t *idx, size_t n);

#endif
