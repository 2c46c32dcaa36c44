// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - the statistics of mmap-test-bench: medians, the
 * distribution-free confidence interval of a median at its true level,
 * and the order in which the variants of a repeat run.
 */
#include <math.h>
#include <stdint.h>
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

/*
 * The coverage of the interval between the @k-th smallest and the @k-th
 * largest of @n values as an interval of their median:
 * 1 - 2 P(Bin(@n, 1/2) <= @k - 1), for any continuous distribution.
 */
double median_ci_level(int n, int k)
{
	double c = 1, tail = 0;	/* c: binomial(n, i) */
	int i;

	for (i = 0; i < k; i++) {
		tail += c;
		c = c * (n - i) / (i + 1);
	}
	return 1 - 2 * tail / ldexp(1, n);
}

/*
 * The median of @q[0..@n) and its confidence interval: the @k-th smallest
 * and the @k-th largest value, with the largest k whose level
 * (median_ci_level()) is at least CI_LEVEL; k = 1, the whole range, when
 * @n is too small for that.  Returns the interval's level: what it is, not
 * what was asked.
 */
double median_ci(const double *q, int n, double *med, double *lo, double *hi)
{
	double s[MAX_REPEATS];
	int k = 1;

	memcpy(s, q, n * sizeof(*q));
	*med = median_of(s, n);
	while (2 * (k + 1) <= n + 1 && median_ci_level(n, k + 1) >= CI_LEVEL)
		k++;
	*lo = s[k - 1];
	*hi = s[n - k];
	return median_ci_level(n, k);
}

/*
 * The order of the variants in repeat @r: variant_at(i, r, nv) is the one
 * that runs @i-th of @nv.  A permutation drawn for each repeat from
 * opt.seed (Fisher-Yates), so that no variant always follows the same
 * one, and the same seed gives the same order.
 */
int variant_at(int i, int r, int nv)
{
	static int cache_r = -1, cache_nv, perm[MAX_VARIANTS];
	static uint64_t cache_seed;
	uint64_t st;
	int j, k, t;

	if (nv <= 1)
		return 0;
	if (nv > MAX_VARIANTS)
		bench_fail("internal error: %d variants, at most %d", nv,
			   MAX_VARIANTS);
	if (r != cache_r || nv != cache_nv || opt.seed != cache_seed) {
		st = opt.seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(r + 1)) ^
		     ((uint64_t)nv << 32);
		if (!st)	/* xorshift's zero state stays zero */
			st = 1;
		mt_rng_xorshift64(&st);
		for (j = 0; j < nv; j++)
			perm[j] = j;
		for (j = nv - 1; j > 0; j--) {
			k = mt_rng_xorshift64(&st) % (j + 1);
			t = perm[j];
			perm[j] = perm[k];
			perm[k] = t;
		}
		cache_r = r;
		cache_nv = nv;
		cache_seed = opt.seed;
	}
	return perm[i];
}

/* One self-check: prints "FAIL" and the text if !@ok; returns 1 then. */
static int check(int ok, const char *fmt, double a, double b)
{
	if (ok)
		return 0;
	printf("FAIL ");
	printf(fmt, a, b);
	printf("\n");
	return 1;
}

/*
 * mmap-test-bench --self-check: the interval's level against the binomial
 * sums done by hand, the interval's order statistics, and the order of the
 * variants (a permutation in every repeat, the same for the same seed, and
 * no variant always after the same one).  Prints each failure, then
 * "mmap-test-bench self-check: PASS" or "FAIL"; returns the failures.
 */
int self_check(void)
{
	static const struct { int n, k; double level; } lv[] = {
		{ 11, 3, 1 - 2 * 67.0 / 2048 },		/* 0.9346: the old "95%" */
		{ 11, 2, 1 - 2 * 12.0 / 2048 },
		{ 9, 2, 1 - 2 * 10.0 / 512 },
		{ 15, 4, 1 - 2 * 576.0 / 32768 },
		{ 17, 5, 1 - 2 * 3214.0 / 131072 },
	};
	double q[15], med, lo, hi, level;
	int fails = 0, i, r, nv, seen[MAX_VARIANTS], prev[MAX_VARIANTS];
	int npred[MAX_VARIANTS], pred[MAX_VARIANTS][MAX_VARIANTS], first[2][8];
	size_t t;

	for (t = 0; t < MT_ARRAY_SIZE(lv); t++)
		fails += check(fabs(median_ci_level(lv[t].n, lv[t].k) -
				    lv[t].level) < 1e-12,
			       "median_ci_level(n, k) = %.6f, by hand %.6f",
			       median_ci_level(lv[t].n, lv[t].k), lv[t].level);
	for (i = 0; i < 15; i++)
		q[i] = (i * 7) % 15 + 1;	/* 1..15, shuffled */
	level = median_ci(q, 15, &med, &lo, &hi);
	fails += check(med == 8 && lo == 4 && hi == 12,
		       "15 values 1..15: median %.0f, CI from %.0f (want 8, [4, 12])",
		       med, lo);
	fails += check(fabs(level - lv[3].level) < 1e-12,
		       "15 values: level %.4f, want %.4f", level, lv[3].level);
	level = median_ci(q, 5, &med, &lo, &hi);
	fails += check(level < CI_LEVEL && lo == 1 && hi == 15,
		       "5 values: the whole range, at level %.4f (< %.2f: said, not hidden)",
		       level, CI_LEVEL);

	opt.seed = 12345;
	for (nv = 2; nv <= 12; nv++) {
		memset(npred, 0, sizeof(npred));
		for (r = 0; r < 200; r++) {
			memset(seen, 0, sizeof(seen));
			for (i = 0; i < nv; i++) {
				int v = variant_at(i, r, nv), j;

				seen[v]++;
				if (i) {
					for (j = 0; j < npred[v]; j++)
						if (pred[v][j] == prev[0])
							break;
					if (j == npred[v])
						pred[v][npred[v]++] = prev[0];
				}
				prev[0] = v;
			}
			for (i = 0; i < nv; i++)
				if (seen[i] != 1)
					return fails + check(0, "nv %.0f, repeat %.0f: not a permutation",
							     nv, r);
		}
		for (i = 0; i < nv; i++)
			if (nv >= 3 && npred[i] < 2)
				return fails + check(0, "nv %.0f: variant %.0f always follows the same one",
						     nv, i);
	}
	fails += check(1, "variant_at(): a permutation per repeat, nv %.0f to %.0f, 200 repeats; varied predecessors",
		       2, 12);
	for (t = 0; t < 2; t++) {
		opt.seed = 777;
		for (i = 0; i < 8; i++)
			first[t][i] = variant_at(i, 7, 8);
		opt.seed = 778;		/* another seed in between */
		for (i = 0; i < 8; i++)
			prev[i] = variant_at(i, 8, 8);
	}
	fails += check(!memcmp(first[0], first[1], sizeof(first[0])),
		       "the same seed gives the same order (%.0f variants, repeat %.0f)",
		       8, 7);
	printf("mmap-test-bench self-check: %s\n", fails ? "FAIL" : "PASS");
	return fails;
}
