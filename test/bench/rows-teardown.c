// SPDX-License-Identifier: GPL-2.0
/*
 * rows-teardown.c - the "teardown" group of mmap-test-bench: munmap, then
 * close of the last fd, of a populated mapping: device against memfd.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

void bench_teardown(void)
{
	static const enum kind kinds[] = { K_DEV_SHARED, K_MEMFD_SHARED };
	static const char * const names[] = { "device shared",
					      "memfd shared" };
	unsigned long n = opt.pages, len = n * page_size;
	char key[64], label[72];
	int k, j, r, w;

	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		bench_progress("teardown: %s %d of %d", r ? "repeat" : "warm-up",
			       r, opt.repeats);
		for (j = 0; j < 2; j++) {
			double t0, t1, t2;
			int fd;
			char *p;

			k = variant_at(j, r, 2);
			fd = kinds[k] == K_DEV_SHARED ? open_dev() :
			     make_memfd_empty(len);
			p = map_kind(kinds[k], fd, len, 0);
			touch_pages(p, n, SEQ_WRITE);
			t0 = mt_time_now_ns();
			if (munmap(p, len))
				bench_fail("munmap: %s", strerror(errno));
			t1 = mt_time_now_ns();
			close(fd);
			t2 = mt_time_now_ns();
			samples[3 * k][r].ns = (t1 - t0) / n;
			samples[3 * k + 1][r].ns = (t2 - t1) / n;
			samples[3 * k + 2][r].ns = (t2 - t0) / n;
			for (w = 0; w < 3; w++)
				samples[3 * k + w][r].ns2 = -1;
		}
	}
	for (k = 0; k < 2; k++) {
		static const char * const what[] = {
			"munmap", "close", "munmap+close",
		};
		static const char * const wkey[] = {
			"munmap", "close", "munmap_close",
		};

		for (w = 0; w < 3; w++) {
			snprintf(key, sizeof(key), "teardown.%s.%s", wkey[w],
				 kind_labels[kinds[k]].key);
			snprintf(label, sizeof(label), "%-12s %s %lu MiB",
				 what[w], names[k], len >> 20);
			add_fig("teardown", key, label, "ns/page",
				samples[3 * k + w] + 1, opt.repeats, 0, 0);
		}
	}
}
