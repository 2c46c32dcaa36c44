// SPDX-License-Identifier: GPL-2.0
/*
 * machine.c - facts of this machine and process that explanations and
 * tour steps depend on, beyond the library's (TASK_SIZE: mt_mem.h, maps:
 * mt_maps.h, small files: mt_file.h): sysctls, the largest free gap, the
 * stack, the mmap layout.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "test-mmap.h"

/* A sysctl (a number); 0 if it cannot be read. */
unsigned long long read_sysctl(const char *path)
{
	unsigned long long v = 0;

	mt_file_read_ull(path, &v);
	return v;
}

/* ---- placement: mmap_base, the stack, the layout -------------------- */

/* /proc/self/maps, read afresh by each function below. */
static struct mt_maps_entry maps[512];

/* The largest free gap in [lo, hi), from /proc/self/maps; ~0: unknown. */
__u64 largest_gap(__u64 lo, __u64 hi)
{
	__u64 prev = lo, best = 0;
	int i, n = mt_maps_read(0, maps, 512, 0);

	if (n < 0 || n == 512)
		return ~0ULL;
	for (i = 0; i < n && prev < hi; i++) {
		if (maps[i].end <= prev)
			continue;
		if (maps[i].start > prev) {
			__u64 e = maps[i].start < hi ? maps[i].start : hi;

			if (e - prev > best)
				best = e - prev;
		}
		prev = maps[i].end;
	}
	if (prev < hi && hi - prev > best)
		best = hi - prev;
	return best;
}

/* The [stack] VMA; false if there is none. */
bool stack_range(__u64 *start, __u64 *end)
{
	int n = mt_maps_read(0, maps, 512, 0);
	int i = mt_maps_find_path(maps, n, "[stack]");

	if (i < 0)
		return false;
	*start = maps[i].start;
	*end = maps[i].end;
	return true;
}

/* Top-down, or the legacy bottom-up layout?  @why says which and why. */
bool layout_topdown(char *why, size_t n)
{
	struct rlimit rl;

	if (read_sysctl("/proc/sys/vm/legacy_va_layout")) {
		snprintf(why, n, "vm.legacy_va_layout is 1: mappings go bottom-up from TASK_UNMAPPED_BASE");
		return false;
	}
	if (!getrlimit(RLIMIT_STACK, &rl) && rl.rlim_cur == RLIM_INFINITY) {
		snprintf(why, n, "the stack rlimit is unlimited: the kernel uses the legacy bottom-up layout");
		return false;
	}
	snprintf(why, n, "top-down from mmap_base (vm.legacy_va_layout 0, stack rlimit %llu KiB)",
		 !getrlimit(RLIMIT_STACK, &rl) ?
		 (unsigned long long)rl.rlim_cur >> 10 : 0ULL);
	return true;
}
