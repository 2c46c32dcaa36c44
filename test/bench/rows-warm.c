// SPDX-License-Identifier: GPL-2.0
/*
 * rows-warm.c - the "warm" group of mmap-test-bench: a second mapping
 * of pages that exist already, device shared/private against a filled
 * memfd mapped again; each row has a file of its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

/* A memfd of @n pages, filled with nonzero bytes through write(). */
static int make_memfd(unsigned long n)
{
	size_t chunk = 1 << 20;
	unsigned long len = n * page_size, off;
	char *buf;
	int fd = make_memfd_empty(len);

	buf = malloc(chunk);
	if (!buf)
		bench_fail("out of memory");
	memset(buf, 0x5a, chunk);
	for (off = 0; off < len; off += chunk) {
		size_t c = len - off < chunk ? len - off : chunk;

		if (pwrite(fd, buf, c, off) != (ssize_t)c)
			bench_fail("write memfd: %s", strerror(errno));
	}
	free(buf);
	return fd;
}

/* Write every page of a fresh mapping of @fd (device): its pages exist. */
static void fill_dev(int fd, unsigned long n)
{
	char *p = map_kind(K_DEV_SHARED, fd, n * page_size, 0);

	touch_pages(p, n, SEQ_WRITE);
	munmap(p, n * page_size);
}

void bench_warm(void)
{
	static const enum kind kinds[] = {
		K_MEMFD_SHARED, K_MEMFD_PRIVATE, K_DEV_SHARED, K_DEV_PRIVATE,
	};
	const int nk = MT_ARRAY_SIZE(kinds);
	char key[64], label[72];
	int pat, k;
	int fds[MAX_SET];

	/*
	 * One file per row, like for like: a device file per device row (so
	 * that GET_STATS counts that row's faults only), its first mapping
	 * creating its pages, and a filled memfd per memfd row.
	 */
	for (k = 0; k < nk; k++) {
		if (!kind_is_dev(kinds[k])) {
			fds[k] = make_memfd(opt.pages);
			continue;
		}
		fds[k] = open_dev();
		fill_dev(fds[k], opt.pages);
	}
	touch_patterns("warm faults", kinds, fds, nk);
	for (pat = SEQ_READ; pat <= RAND_READ; pat++) {
		for (k = 0; k < nk; k++) {
			fault_row_name("warm", pat, kinds[k], key, sizeof(key),
				       label, sizeof(label));
			add_fig("warm", key, label, "ns/page",
				samples[pat * nk + k] + 1, opt.repeats,
				kind_is_dev(kinds[k]), 1);
		}
	}
	for (k = 0; k < nk; k++)
		close(fds[k]);
}
