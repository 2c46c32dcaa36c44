// SPDX-License-Identifier: GPL-2.0
/*
 * rows-sparse.c - the "sparse" group of mmap-test-bench: a reader that
 * touches one page in every SPARSE_STRIDE of a fresh mapping, in random
 * order, device shared against memfd shared.  The device's read fault
 * fills its whole fault-around window, so a sparse reader makes it
 * allocate pages it never reads; the second row of each kind says how
 * many: the pages the file holds afterwards, per page touched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "bench.h"

#define SPARSE_STRIDE	64

/* The pages of @fd's file that exist: GET_STATS, or st_blocks. */
static double file_pages(enum kind k, int fd)
{
	struct mmap_test_stats st;
	struct stat sb;

	if (kind_is_dev(k)) {
		get_stats(fd, &st);
		return st.pages;
	}
	if (fstat(fd, &sb))
		bench_fail("fstat memfd: %s", strerror(errno));
	return (double)sb.st_blocks * 512 / page_size;
}

void bench_sparse(void)
{
	static const enum kind kinds[] = { K_DEV_SHARED, K_MEMFD_SHARED };
	const int nk = MT_ARRAY_SIZE(kinds);
	unsigned long n = opt.pages, len = n * page_size;
	unsigned long nt = n / SPARSE_STRIDE, i, t, *idx;
	uint64_t st = opt.seed | 1;
	char key[64], label[72];
	int k, j, r;

	if (!nt)
		bench_fail("sparse: --pages must be %d or more", SPARSE_STRIDE);
	/* one page at random in every stride, visited in random order */
	idx = malloc(nt * sizeof(*idx));
	if (!idx)
		bench_fail("out of memory");
	for (i = 0; i < nt; i++)
		idx[i] = i * SPARSE_STRIDE +
			 mt_rng_xorshift64(&st) % SPARSE_STRIDE;
	for (i = nt - 1; i > 0; i--) {
		unsigned long x = mt_rng_xorshift64(&st) % (i + 1);

		t = idx[i];
		idx[i] = idx[x];
		idx[x] = t;
	}
	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		bench_progress("sparse: %s %d of %d", r ? "repeat" : "warm-up",
			       r, opt.repeats);
		for (j = 0; j < nk; j++) {
			struct mmap_test_stats s0, s1;
			double t0, dt;
			int fd;
			char *p;

			k = variant_at(j, r, nk);
			fd = kind_is_dev(kinds[k]) ? open_dev() :
			     make_memfd_empty(len);
			if (kind_is_dev(kinds[k]))
				get_stats(fd, &s0);
			t0 = mt_time_now_ns();
			p = map_kind(kinds[k], fd, len, 0);
			for (i = 0; i < nt; i++)
				sink += ((volatile char *)p)[idx[i] * page_size];
			dt = mt_time_now_ns() - t0;
			samples[k][r].ns = dt / nt;
			samples[k][r].ns2 = -1;
			samples[nk + k][r].ns = file_pages(kinds[k], fd) / nt;
			samples[nk + k][r].ns2 = -1;
			if (kind_is_dev(kinds[k])) {
				get_stats(fd, &s1);
				samples[k][r].faults =
					(double)(s1.faults - s0.faults) / nt;
				samples[k][r].around =
					(double)(s1.pages_around -
						 s0.pages_around) / nt;
			}
			munmap(p, len);
			close(fd);
		}
	}
	free(idx);
	for (k = 0; k < nk; k++) {
		snprintf(key, sizeof(key), "sparse.rand_read.%s",
			 kind_labels[kinds[k]].key);
		snprintf(label, sizeof(label), "sparse rand-read 1/%d %s",
			 SPARSE_STRIDE, kind_labels[kinds[k]].name);
		add_fig("sparse", key, label, "ns/page", samples[k] + 1,
			opt.repeats, kind_is_dev(kinds[k]), 0);
		snprintf(key, sizeof(key), "sparse.alloc.%s",
			 kind_labels[kinds[k]].key);
		snprintf(label, sizeof(label),
			 "  pages the file holds, per page touched");
		add_fig("sparse", key, label, "pages", samples[nk + k] + 1,
			opt.repeats, 0, 0);
	}
}
