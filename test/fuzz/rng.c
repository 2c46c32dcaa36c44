// SPDX-License-Identifier: GPL-2.0
/*
 * rng.c - the per-thread PRNG of mmap-test-fuzz: xoshiro256**, each
 * thread's state seeded from --seed through splitmix64, so that a seed
 * reproduces the calls of a run (with one thread, exactly).
 */
#include "fuzz.h"

/* xoshiro256** */
static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rnd64(struct thr *t)
{
	uint64_t *s = t->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9;
	uint64_t x = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= x;
	s[3] = rotl(s[3], 45);
	return r;
}

unsigned long rnd(struct thr *t, unsigned long n)
{
	return n ? rnd64(t) % n : 0;
}

bool chance(struct thr *t, unsigned int per_mille)
{
	return rnd(t, 1000) < per_mille;
}

uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
