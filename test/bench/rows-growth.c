// SPDX-License-Identifier: GPL-2.0
/*
 * rows-growth.c - the "growth" group of mmap-test-bench: the per-page
 * cold fault cost of device shared mappings of --sizes MiB, with anon
 * nohugepage as a reference without the module.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

/*
 * @maps mappings of @n cold pages each, one after the other: device: on
 * disjoint ranges of one fresh fd; anon nohugepage: the reference, a path
 * without the module.  Primary: the whole touch; secondary: median chunk.
 */
static void growth_once(enum kind k, unsigned long n, unsigned long maps,
			enum pattern pat, struct sample *out)
{
	unsigned long chunk = n < TOUCH_CHUNK ? n : TOUCH_CHUNK;
	unsigned long m, c, nc = 0, len = n * page_size;
	struct mmap_test_stats st0, st1;
	int dev = kind_is_dev(k);
	int fd = dev ? open_dev() : -1;
	double *cns, whole = 0;
	long flt = 0;

	cns = calloc(maps * ((n + chunk - 1) / chunk), sizeof(*cns));
	if (!cns)
		bench_fail("out of memory");

	if (dev)
		get_stats(fd, &st0);
	for (m = 0; m < maps; m++) {
		double t0 = mt_time_now_ns();
		char *p = dev ? mmap(NULL, len, PROT_READ | PROT_WRITE,
				     MAP_SHARED, fd, (off_t)(m * len)) :
				map_kind(k, -1, len, 0);
		long f0;

		if (p == MAP_FAILED)
			bench_fail("mmap %lu bytes of the device at %lu: %s", len,
				   m * len, strerror(errno));
		whole += mt_time_now_ns() - t0;
		f0 = minflt_now();
		for (c = 0; c < n; c += chunk) {
			unsigned long cnt = n - c < chunk ? n - c : chunk;
			double t = touch_range(p, c, cnt, pat);

			whole += t;
			cns[nc++] = t / cnt;
		}
		flt += minflt_now() - f0;
		munmap(p, len);
	}
	out->ns = whole / (n * maps);
	out->ns2 = median_of(cns, nc);
	free(cns);
	out->minflt = (double)flt / (n * maps);
	if (dev) {
		get_stats(fd, &st1);
		close(fd);
		out->faults = (double)(st1.faults - st0.faults) / (n * maps);
		out->around = (double)(st1.pages_around - st0.pages_around) /
			      (n * maps);
	}
}

static int growth_repeats(unsigned long mib)
{
	return mib >= 512 ? opt.big_repeats : opt.repeats;
}

/* The rows of each size: device seq read, seq write; anon reference. */
static const struct {
	enum kind kind;
	enum pattern pat;
	const char *key;
} growth_rows[] = {
	{ K_DEV_SHARED, SEQ_READ, "seq_read" },
	{ K_DEV_SHARED, SEQ_WRITE, "seq_write" },
	{ K_ANON_NOHUGE, SEQ_WRITE, "ref_anon_nohuge_seq_write" },
};
#define NR_GROWTH_ROWS	((int)MT_ARRAY_SIZE(growth_rows))

void bench_growth(void)
{
	int si, r, j, g, max_reps = 0;
	char key[64], label[72];

	for (si = 0; si < opt.nr_sizes; si++)
		if (growth_repeats(opt.sizes[si]) > max_reps)
			max_reps = growth_repeats(opt.sizes[si]);
	clear_samples();
	for (r = 0; r <= max_reps; r++) {
		bench_progress("growth: %s %d of %d", r ? "repeat" : "warm-up", r,
			       max_reps);
		for (j = 0; j < opt.nr_sizes * NR_GROWTH_ROWS; j++) {
			int v = variant_at(j, r, opt.nr_sizes * NR_GROWTH_ROWS);
			unsigned long mib, n, maps;

			si = v / NR_GROWTH_ROWS;
			g = v % NR_GROWTH_ROWS;
			mib = opt.sizes[si];
			n = mib * (1048576 / page_size);
			maps = n >= opt.pages ? 1 : opt.pages / n;
			if (r > growth_repeats(mib))
				continue;
			growth_once(growth_rows[g].kind, n, maps,
				    growth_rows[g].pat, &samples[v][r]);
		}
	}
	for (g = 0; g < NR_GROWTH_ROWS; g++) {
		for (si = 0; si < opt.nr_sizes; si++) {
			unsigned long mib = opt.sizes[si];
			unsigned long n = mib * (1048576 / page_size);
			unsigned long maps = n >= opt.pages ? 1 :
					     opt.pages / n;
			enum kind k = growth_rows[g].kind;

			snprintf(key, sizeof(key), "growth.%s.%lu_mib",
				 growth_rows[g].key, mib);
			snprintf(label, sizeof(label), "cold %-9s %s %5lu MiB",
				 pattern_labels[growth_rows[g].pat].name,
				 k == K_DEV_SHARED ? "device shared" :
				 "ref: anon nohugepage", mib);
			add_fig("growth", key, label, "ns/page",
				samples[si * NR_GROWTH_ROWS + g] + 1,
				growth_repeats(mib), kind_is_dev(k), 1);
			if (maps > 1)
				snprintf(figs[nr_figs - 1].note,
					 sizeof(figs[0].note),
					 "%lu mappings per repeat", maps);
		}
	}
}
