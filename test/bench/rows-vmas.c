// SPDX-License-Identifier: GPL-2.0
/*
 * rows-vmas.c - the "vmas" group of mmap-test-bench: ALLOC_VMA, FREE_VMA
 * and mmap(2) cost with --vmas extra VMAs in the mm.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

/* The number of VMAs in the mm (QUERY_VMA's nr_vmas). */
static __u32 nr_vmas_now(int fd)
{
	struct mmap_test_vma_report r;
	int ret = mt_ioctl_query(fd, 0, &r);

	if (ret)
		bench_fail("IOCTL_QUERY_VMA: %s", strerror(-ret));
	return r.nr_vmas;
}

/* @n extra anon VMAs: pages alternating PROT_NONE / PROT_READ. */
static char *make_vmas(unsigned long n, unsigned long *len)
{
	unsigned long i;
	char *p;

	*len = n * page_size;
	p = mmap(NULL, *len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		bench_fail("mmap %lu pages for VMAs: %s", n, strerror(errno));
	for (i = 1; i < n; i += 2)
		if (mprotect(p + i * page_size, page_size, PROT_READ))
			bench_fail("mprotect page %lu of %lu: %s (vm.max_map_count?)",
				   i, n, strerror(errno));
	return p;
}

/*
 * Let deferred work of a big mm change (RCU-freed maple tree nodes, TLB
 * flushes) finish before timing starts.
 */
static void settle(void)
{
	usleep(200000);
}

/*
 * One VMA count, one repeat: batches of BATCH ALLOC_VMAs, then as many
 * FREE_VMAs, then as many mmap(2)s (their munmaps untimed), each batch
 * timed whole; the values: the median batch, per call.
 */
static void vmas_once(int fd, struct sample *s)
{
	unsigned long nb = (opt.calls + BATCH - 1) / BATCH, b, i;
	__u64 addr[BATCH];
	double *t[3], t0;
	int w;

	for (w = 0; w < 3; w++) {
		t[w] = calloc(nb, sizeof(double));
		if (!t[w])
			bench_fail("out of memory");
	}
	for (b = 0; b < nb; b++) {
		struct mmap_test_alloc a;

		t0 = mt_time_now_ns();
		for (i = 0; i < BATCH; i++) {
			ioctl_alloc(fd, &a, MMAP_TEST_SHARED);
			addr[i] = a.mapped;
		}
		t[0][b] = (mt_time_now_ns() - t0) / BATCH;
		t0 = mt_time_now_ns();
		for (i = 0; i < BATCH; i++)
			ioctl_free(fd, addr[i]);
		t[1][b] = (mt_time_now_ns() - t0) / BATCH;
		t0 = mt_time_now_ns();
		for (i = 0; i < BATCH; i++) {
			void *p = mmap(NULL, page_size,
				       PROT_READ | PROT_WRITE, MAP_SHARED,
				       fd, 0);

			if (p == MAP_FAILED)
				bench_fail("mmap: %s", strerror(errno));
			addr[i] = (uintptr_t)p;
		}
		t[2][b] = (mt_time_now_ns() - t0) / BATCH;
		for (i = 0; i < BATCH; i++)
			munmap((void *)(uintptr_t)addr[i], page_size);
	}
	for (w = 0; w < 3; w++) {
		s[w].ns = median_of(t[w], nb);
		s[w].ns2 = -1;
		free(t[w]);
	}
}

void bench_vmas(void)
{
	__u32 with[MAX_LIST];
	char key[64], label[72];
	int fd, j, vi, r;

	fd = open_dev();
	clear_samples();
	/* the printk of each call would be the same at every VMA count */
	set_log_calls(0);
	for (r = 0; r <= opt.repeats; r++) {
		bench_progress("vmas: %s %d of %d", r ? "repeat" : "warm-up", r,
			       opt.repeats);
		for (j = 0; j < opt.nr_vmas; j++) {
			unsigned long len;
			char *region;
			struct sample s[3];

			vi = variant_at(j, r, opt.nr_vmas);
			region = make_vmas(opt.vmas[vi], &len);
			with[vi] = nr_vmas_now(fd);
			settle();
			vmas_once(fd, s);
			samples[3 * vi][r] = s[0];
			samples[3 * vi + 1][r] = s[1];
			samples[3 * vi + 2][r] = s[2];
			munmap(region, len);
			settle();
		}
	}
	restore_log_calls();
	for (vi = 0; vi < opt.nr_vmas; vi++) {
		unsigned long extra = opt.vmas[vi];
		static const char * const what[] = {
			"alloc", "free", "mmap",
		};
		static const char * const name[] = {
			"ALLOC_VMA", "FREE_VMA", "mmap(2)",
		};
		int w;

		for (w = 0; w < 3; w++) {
			snprintf(key, sizeof(key), "vmas.%s.%lu", what[w],
				 extra);
			snprintf(label, sizeof(label),
				 "%-10s +%5lu VMAs (mm: %u)%s", name[w], extra,
				 with[vi], env.log_calls_rw || w == 2 ? "" :
				 " log_calls as loaded");
			add_fig("vmas", key, label, "ns/call",
				samples[3 * vi + w] + 1, opt.repeats, 0, 0);
		}
	}
	close(fd);
}
