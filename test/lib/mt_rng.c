// SPDX-License-Identifier: GPL-2.0
/*
 * mt_rng.c - xoshiro256** seeded with splitmix64 (the fuzzer's threads),
 * and xorshift64 (the random find_vma() comparison, the benchmark's
 * shuffles and bootstrap): deterministic generators whose sequences the
 * programs' seeds and results depend on, so they must never change.
 */
#include "mt_rng.h"

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void mt_rng_seed(struct mt_rng *r, uint64_t *sm)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = mt_rng_splitmix64(sm);
}

uint64_t mt_rng_next(struct mt_rng *r)
{
	uint64_t *s = r->s;
	uint64_t ret = rotl(s[1] * 5, 7) * 9;
	uint64_t x = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= x;
	s[3] = rotl(s[3], 45);
	return ret;
}

unsigned long mt_rng_below(struct mt_rng *r, unsigned long n)
{
	return n ? mt_rng_next(r) % n : 0;
}

bool mt_rng_chance(struct mt_rng *r, unsigned int per_mille)
{
	return mt_rng_below(r, 1000) < per_mille;
}

uint64_t mt_rng_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t mt_rng_xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}
