// SPDX-License-Identifier: GPL-2.0
/*
 * rows-fork.c - the "fork" group of mmap-test-bench: fork + _exit +
 * waitpid with one populated mapping: device shared, memfd shared, anon
 * private nohugepage, and device private and memfd private, whose written
 * pages are anonymous copies, so that fork copies their page-table
 * entries (a shared file mapping's are refilled by faults instead).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "bench.h"

#define FORKS_PER_REPEAT	5

static double fork_once(void)
{
	double t0 = mt_time_now_ns();
	pid_t pid = fork();
	int st;

	if (pid < 0)
		bench_fail("fork: %s", strerror(errno));
	if (!pid)
		_exit(0);
	if (waitpid(pid, &st, 0) != pid)
		bench_fail("waitpid: %s", strerror(errno));
	return mt_time_now_ns() - t0;
}

void bench_fork(void)
{
	static const enum kind kinds[] = {
		K_DEV_SHARED, K_MEMFD_SHARED, K_ANON_NOHUGE, K_DEV_PRIVATE,
		K_MEMFD_PRIVATE,
	};
	static const char * const names[] = {
		"device shared", "memfd shared", "anon private nohugepage",
		"device private", "memfd private",
	};
	const int nk = MT_ARRAY_SIZE(kinds);
	unsigned long n = opt.pages, len = n * page_size;
	char key[64], label[72];
	int fds[MT_ARRAY_SIZE(kinds)], k, j, r, f;
	char *p[MT_ARRAY_SIZE(kinds)];

	/*
	 * Before each fork, the variant's mapping is made and written whole
	 * (untimed), so that every fork finds the same populated state; only
	 * that one mapping is there while it forks.  Device and memfd keep
	 * one file for the group (its pages stay allocated), anon maps afresh.
	 */
	for (k = 0; k < nk; k++) {
		fds[k] = -1;
		if (kind_is_dev(kinds[k]))
			fds[k] = open_dev();
		else if (kinds[k] == K_MEMFD_SHARED ||
			 kinds[k] == K_MEMFD_PRIVATE)
			fds[k] = make_memfd_empty(len);
	}
	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		double sum[MT_ARRAY_SIZE(kinds)] = { 0 };

		bench_progress("fork: %s %d of %d", r ? "repeat" : "warm-up", r,
			       opt.repeats);
		for (f = 0; f < FORKS_PER_REPEAT; f++) {
			for (j = 0; j < nk; j++) {
				/* a permutation of its own for each fork */
				k = variant_at(j, r * FORKS_PER_REPEAT + f, nk);
				p[k] = map_kind(kinds[k], fds[k], len, 0);
				touch_pages(p[k], n, SEQ_WRITE);
				sum[k] += fork_once();
				munmap(p[k], len);
			}
		}
		for (k = 0; k < nk; k++) {
			samples[k][r].ns = sum[k] / FORKS_PER_REPEAT;
			samples[k][r].ns2 = -1;
		}
	}
	for (k = 0; k < nk; k++) {
		snprintf(key, sizeof(key), "fork.%s",
			 kind_labels[kinds[k]].key);
		snprintf(label, sizeof(label), "fork+exit+wait %s %lu MiB",
			 names[k], len >> 20);
		add_fig("fork", key, label, "ns/fork", samples[k] + 1,
			opt.repeats, 0, 0);
		if (fds[k] >= 0)
			close(fds[k]);
	}
}
