// SPDX-License-Identifier: GPL-2.0
/*
 * rows-populate.c - the "populate" group of mmap-test-bench: the cost of
 * the populating call itself (ALLOC_VMA with MMAP_TEST_POPULATE, mmap with
 * MAP_POPULATE) and of the read touch after it.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "bench.h"

enum pop_kind { P_DEV_IOCTL, P_DEV_MMAP, P_ANON, P_ANON_NOHUGE, P_SHMEM,
		NR_POP };

static const struct label pop_labels[] = {
	[P_DEV_IOCTL] = { "device shared ALLOC_VMA+POPULATE",
		"dev_shared_ioctl" },
	[P_DEV_MMAP] = { "device shared mmap MAP_POPULATE", "dev_shared_mmap" },
	[P_ANON] = { "anon private mmap MAP_POPULATE", "anon_private" },
	[P_ANON_NOHUGE] = { "anon private MAP_POPULATE, THP disabled",
		"anon_private_nohuge" },
	[P_SHMEM] = { "shmem shared mmap MAP_POPULATE", "shmem_shared" },
};

/* One populate repeat: @call gets the call, @after the read touch. */
static void populate_once(enum pop_kind pk, struct sample *call,
			  struct sample *after)
{
	unsigned long n = opt.pages, len = n * page_size;
	struct mmap_test_stats st0, st1, st2;
	int dev = pk == P_DEV_IOCTL || pk == P_DEV_MMAP;
	double t0, t1;
	long f0, f1, f2;
	int fd = -1;
	char *p;

	if (dev) {
		fd = open_dev();
		get_stats(fd, &st0);
	}
	if (pk == P_ANON_NOHUGE && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		bench_fail("PR_SET_THP_DISABLE: %s", strerror(errno));
	f0 = minflt_now();
	t0 = mt_time_now_ns();
	if (pk == P_DEV_IOCTL) {
		struct mmap_test_alloc a;
		int ret = mt_ioctl_alloc(fd, 0, len, 0, PROT_READ | PROT_WRITE,
					 MMAP_TEST_SHARED | MMAP_TEST_POPULATE,
					 &a);

		if (ret)
			bench_fail("IOCTL_ALLOC_VMA populate %lu bytes: %s", len,
				   strerror(-ret));
		p = (char *)(uintptr_t)a.mapped;
	} else if (pk == P_DEV_MMAP) {
		p = map_kind(K_DEV_SHARED, fd, len, MAP_POPULATE);
	} else if (pk == P_ANON || pk == P_ANON_NOHUGE) {
		p = map_kind(K_ANON_PRIVATE, -1, len, MAP_POPULATE);
	} else {
		p = map_kind(K_SHMEM_SHARED, -1, len, MAP_POPULATE);
	}
	t1 = mt_time_now_ns();
	f1 = minflt_now();
	if (pk == P_ANON_NOHUGE)
		prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	if (dev)
		get_stats(fd, &st1);
	after->ns = touch_pages(p, n, SEQ_READ) / n;
	after->ns2 = -1;
	f2 = minflt_now();
	call->ns = (t1 - t0) / n;
	call->ns2 = -1;
	call->minflt = (double)(f1 - f0) / n;
	after->minflt = (double)(f2 - f1) / n;
	if (dev) {
		get_stats(fd, &st2);
		call->faults = (double)(st1.faults - st0.faults) / n;
		call->around = (double)(st1.pages_around -
					st0.pages_around) / n;
		after->faults = (double)(st2.faults - st1.faults) / n;
		after->around = (double)(st2.pages_around -
					 st1.pages_around) / n;
	}
	munmap(p, len);
	if (fd >= 0)
		close(fd);
}

void bench_populate(void)
{
	char key[64], label[72];
	int pk, j, r;

	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		bench_progress("populate: %s %d of %d", r ? "repeat" : "warm-up", r,
			       opt.repeats);
		for (j = 0; j < NR_POP; j++) {
			pk = variant_at(j, r, NR_POP);
			populate_once(pk, &samples[2 * pk][r],
				      &samples[2 * pk + 1][r]);
		}
	}
	for (pk = P_DEV_IOCTL; pk < NR_POP; pk++) {
		const struct label *pl = &pop_labels[pk];
		int dev = pk == P_DEV_IOCTL || pk == P_DEV_MMAP;

		snprintf(key, sizeof(key), "populate.call.%s", pl->key);
		snprintf(label, sizeof(label), "call  %s", pl->name);
		add_fig("populate", key, label, "ns/page",
			samples[2 * pk] + 1, opt.repeats, dev, 1);
		snprintf(key, sizeof(key), "populate.touch.%s", pl->key);
		snprintf(label, sizeof(label), "touch %s", pl->name);
		add_fig("populate", key, label, "ns/page",
			samples[2 * pk + 1] + 1, opt.repeats, dev, 1);
	}
}
