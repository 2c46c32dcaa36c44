/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mt_rng.h - small, fast, reproducible pseudo-random numbers: a seed
 * printed by a test or the fuzzer gives the same sequence again, on every
 * machine.  Not for anything secret.
 *
 *   mt_rng_seed(r, sm)		fill r from the splitmix64 state *sm (advances it)
 *   mt_rng_next(r)		next 64 bits (xoshiro256**)
 *   mt_rng_below(r, n)		mt_rng_next(r) % n; 0 for n == 0
 *   mt_rng_chance(r, per_mille) true with probability per_mille / 1000
 *   mt_rng_splitmix64(x)	next value of the splitmix64 sequence *x
 *   mt_rng_xorshift64(s)	next value of Marsaglia's xorshift64 (13, 7, 17)
 */
#ifndef MT_RNG_H
#define MT_RNG_H

#include <stdbool.h>
#include <stdint.h>

/* xoshiro256** state; seed it with mt_rng_seed(). */
struct mt_rng {
	uint64_t s[4];
};

/*
 * Four consecutive splitmix64 values of *sm: seeding several generators
 * from one *sm in turn gives each its own sequence.
 */
void mt_rng_seed(struct mt_rng *r, uint64_t *sm);
uint64_t mt_rng_next(struct mt_rng *r);
unsigned long mt_rng_below(struct mt_rng *r, unsigned long n);
bool mt_rng_chance(struct mt_rng *r, unsigned int per_mille);
uint64_t mt_rng_splitmix64(uint64_t *x);
/* *s must not be 0 (the sequence would stay 0). */
uint64_t mt_rng_xorshift64(uint64_t *s);

#endif /* MT_RNG_H */
