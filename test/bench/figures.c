// SPDX-License-Identifier: GPL-2.0
/*
 * figures.c - the figures of mmap-test-bench (one per table row, in the
 * order they are recorded) and the per-repeat samples a group collects
 * before it records them.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct fig figs[MAX_FIGS];
int nr_figs;

/*
 * Samples of up to MAX_VARIANTS variants: samples[variant][repeat], repeat
 * 0 being the warm-up.
 */
struct sample samples[MAX_VARIANTS][MAX_REPEATS + 1];

struct fig *find_fig(const char *key)
{
	int i;

	for (i = 0; i < nr_figs; i++)
		if (!strcmp(figs[i].key, key))
			return &figs[i];
	return NULL;
}

static struct fig *new_fig(const char *group, const char *key,
			   const char *label, const char *unit)
{
	struct fig *f;

	f = array_add(figs, &nr_figs, MAX_FIGS, sizeof(*f), "figures");
	snprintf(f->key, sizeof(f->key), "%s", key);
	snprintf(f->group, sizeof(f->group), "%s", group);
	snprintf(f->label, sizeof(f->label), "%s", label);
	f->unit = unit;
	f->med2 = -1;
	f->minflt = -1;
	f->faults = -1;
	f->around = -1;
	return f;
}

/* A row that could not be measured here, with the reason. */
void add_na(const char *group, const char *key, const char *label,
	    const char *unit, const char *why)
{
	struct fig *f = new_fig(group, key, label, unit);

	snprintf(f->na, sizeof(f->na), "%s", why);
}

/*
 * Record a figure from @n samples (in repeat order); @dev: the device's
 * fault columns apply; @flt: the minflt column applies.
 */
struct fig *add_fig(const char *group, const char *key,
		    const char *label, const char *unit,
		    const struct sample *s, int n, int dev, int flt)
{
	struct fig *f = new_fig(group, key, label, unit);
	double sorted[MAX_REPEATS], sec[MAX_REPEATS];
	int i, nsec = 0;

	f->n = n;
	f->minflt = flt ? 0 : -1;
	f->faults = dev ? 0 : -1;
	f->around = dev ? 0 : -1;
	for (i = 0; i < n; i++) {
		f->v[i] = s[i].ns;
		sorted[i] = s[i].ns;
		if (s[i].ns2 >= 0)
			sec[nsec++] = s[i].ns2;
		if (flt)
			f->minflt += s[i].minflt / n;
		if (dev) {
			f->faults += s[i].faults / n;
			f->around += s[i].around / n;
		}
	}
	qsort(sorted, n, sizeof(sorted[0]), cmp_double);
	f->min = sorted[0];
	f->max = sorted[n - 1];
	f->med = n % 2 ? sorted[n / 2] :
		 (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	if (nsec == n)
		f->med2 = median_of(sec, nsec);
	return f;
}

/* Reset the samples (a group starts). */
void clear_samples(void)
{
	int i, r;

	for (i = 0; i < MAX_VARIANTS; i++)
		for (r = 0; r <= MAX_REPEATS; r++) {
			memset(&samples[i][r], 0, sizeof(samples[i][r]));
			samples[i][r].ns2 = -1;
		}
}
