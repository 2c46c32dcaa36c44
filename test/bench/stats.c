// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - the statistics of mmap-test-bench: medians, and the 95%
 * percentile-bootstrap confidence interval of a median (fixed seed: the
 * same data give the same interval).
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* qsort() order of doubles. */
int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n values; @v is left sorted. */
double median_of(double *v, unsigned long n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median of @n values, @v untouched. */
static double median_copy(const double *v, int n)
{
	double s[MAX_REPEATS];

	memcpy(s, v, n * sizeof(*v));
	return median_of(s, n);
}

/*
 * The median of @q[0..@n) and its 95% percentile-bootstrap interval:
 * BOOT_N resamples with replacement (a fixed seed: the same data give the
 * same interval).
 */
void bootstrap_median(const double *q, int n, double *med,
		      double *lo, double *hi)
{
	static double meds[BOOT_N];
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	double s[MAX_REPEATS];
	int b, i;

	*med = median_copy(q, n);
	for (b = 0; b < BOOT_N; b++) {
		for (i = 0; i < n; i++)
			s[i] = q[mt_rng_xorshift64(&seed) % n];
		meds[b] = median_of(s, n);
	}
	qsort(meds, BOOT_N, sizeof(meds[0]), cmp_double);
	*lo = meds[(int)(0.025 * BOOT_N)];
	*hi = meds[(int)(0.975 * BOOT_N) - 1];
}
