// SPDX-License-Identifier: GPL-2.0
/*
 * groups.c - the groups of mmap-test-bench, the one list of them.
 *
 * To add a group: write bench_<name>() in a rows-<name>.c (it measures its
 * variants and records one figure per row with add_fig()), declare it in
 * bench.h, and add a row below: --only's name, the table's title above the
 * group's rows and its note below them (or NULL), the function, and BG_*
 * flags for what the device's buffer must hold.  A group's bit in --only's
 * mask is its index here; groups run in this order.
 */
#include <string.h>

#include "bench.h"

const struct bench_group bench_groups[] = {
	{ "faults", bench_faults, BG_PAGES,
	  "Cold faults: fresh mapping each repeat; device: fresh fd (pages allocated on first touch); value: mmap + whole touch per page",
	  "chunk med: the median 512-page chunk (secondary).  Device shared read faults use fault-around (filemap_map_pages);\n  the reference driver's prefault row does all its work in mmap()." },
	{ "sparse", bench_sparse, BG_PAGES,
	  "Sparse random read: one page in every 64 of a fresh mapping, in random order; value: mmap + touches per page touched",
	  "pages the file holds: afterwards, per page touched (device: GET_STATS pages, memfd: st_blocks).  The device's read\n  fault fills its whole fault-around window; shmem allocates only the page read." },
	{ "warm", bench_warm, BG_PAGES,
	  "Warm faults: pages exist (a first mapping wrote them); a new mapping faults them in",
	  NULL },
	{ "populate", bench_populate, BG_PAGES,
	  "Populate: the populating call itself, then a seq-read touch of the populated mapping",
	  NULL },
	{ "syscalls", bench_syscalls, 0,
	  "Syscall paths: ns per ALLOC+FREE / mmap+munmap pair, or per call (batches of 50 calls per timestamp pair)",
	  "ALLOC_VMA and FREE_VMA each add two find_vma() reports under mmap_lock and, with log_calls=1, one dev_info() line;\n  log_calls is toggled through sysfs around the log_calls=0 batches of the same run." },
	{ "fork", bench_fork, BG_PAGES,
	  "fork + _exit + waitpid with one populated mapping (written whole before each fork, untimed)",
	  NULL },
	{ "teardown", bench_teardown, BG_PAGES,
	  "Teardown: munmap, then close of the last fd, of a populated mapping (pages freed at close)",
	  NULL },
	{ "scaling", bench_scaling, BG_PAGES,
	  "Scaling: cold write-touch of one fresh mapping, wall time per page, by 1 thread or by 2 threads on 2 CPUs\n(in turns of 1024 pages, interleaved; 2 threads: 512 pages each)",
	  NULL },
	{ "growth", bench_growth, BG_SIZES,
	  "Growth: cold faults against the mapping size (small sizes: several mappings, one after the other,\nof disjoint ranges of one fresh fd); the anon nohugepage rows are a reference without the module",
	  NULL },
	{ "vmas", bench_vmas, 0,
	  "VMA count: 1-page device shared ALLOC_VMA / FREE_VMA / mmap(2) with N extra anon VMAs\n(log_calls=0; batches of 50 calls per timestamp pair; each repeat: the median batch)",
	  NULL },
	{ "huge", bench_huge, BG_PAGES,
	  "Huge device mappings: cold seq write-touch with the module reloaded with huge=1 (this group only, run first),\nagainst anon private MADV_HUGEPAGE; fresh mapping each repeat, value: mmap + whole touch per page",
	  NULL },
};

const size_t nr_bench_groups = MT_ARRAY_SIZE(bench_groups);

/* --only's mask is an unsigned int, and main.c forms 1U << nr_bench_groups. */
_Static_assert(MT_ARRAY_SIZE(bench_groups) < 32, "too many groups for --only's mask");

const struct bench_group *bench_group(const char *name)
{
	size_t i;

	for (i = 0; i < nr_bench_groups; i++)
		if (!strcmp(name, bench_groups[i].name))
			return &bench_groups[i];
	return NULL;
}

/* Whether --only (default: all) selected the group @name, a name in the table. */
bool group_on(const char *name)
{
	const struct bench_group *g = bench_group(name);

	if (!g)
		bench_fail("internal error: no group named \"%s\" in groups.c", name);
	return opt.groups & (1U << (g - bench_groups));
}
