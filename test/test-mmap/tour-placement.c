// SPDX-License-Identifier: GPL-2.0
/*
 * tour-placement.c - tour steps about where mmap(2) places a mapping:
 * top-down from mmap_base, and the default window with a hint above it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "tour.h"

#define PLACE_PAGES	5	/* the size of each hint-less mapping */

/*
 * Three hint-less ALLOCs (@m, the first below the stack at @stk0) and the
 * checks of where they went; -1 if an ALLOC failed (the step then stops).
 */
static int place_three(struct tour *t, __u64 *m, __u64 stk0)
{
	static const __u32 prots[3] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_READ,
	};
	unsigned long pg = t->c->page;
	const unsigned long pages = PLACE_PAGES;
	__u64 len = pages * pg, gap;
	struct mmap_test_alloc a;
	int i, ret;

	for (i = 0; i < 3; i++) {
		/* other prot than the neighbour: no merge hides the order */
		ret = t_alloc(t, &a, 0, pages, 0, prots[i],
			      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
		if (ret) {
			t_broken(t, "hint-less ALLOC_VMA", -ret);
			return -1;
		}
		m[i] = a.mapped;
		say("hint-less ALLOC %d of %lu anon pages (prot %s): mapped at 0x%llx.\n",
		    i + 1, pages, prots[i] & PROT_WRITE ? "rw" : "r",
		    (unsigned long long)m[i]);
	}
	say("  get_unmapped_area() searches top-down: each mapping takes the highest free gap big enough below mmap_base, so consecutive ones move down, and ordinary mappings need no gap between them (stack_guard_gap only keeps mappings away from a stack VMA).\n");
	t_hex(t, "stack_start", stk0);
	t_hex(t, "first", m[0]);
	t_hex(t, "second", m[1]);
	t_hex(t, "third", m[2]);
	t_check(t, m[1] < m[0] && m[2] < m[1],
		"consecutive hint-less ALLOCs move down (0x%llx > 0x%llx > 0x%llx)",
		(unsigned long long)m[0], (unsigned long long)m[1],
		(unsigned long long)m[2]);
	gap = largest_gap(m[2] + len, m[0]);
	t_num(t, "largest_gap_between_pages", gap == ~0ULL ? -1 : (long long)(gap / pg));
	t_check(t, gap < len,
		"no free gap of %lu pages was skipped between them (largest: %lld pages)",
		pages, gap == ~0ULL ? -1LL : (long long)(gap / pg));
	t_yes(t, "adjacent", m[1] + len == m[0] && m[2] + len == m[1]);
	say("  between the three: %s.\n",
	    m[1] + len == m[0] && m[2] + len == m[1] ?
	    "each ends where the one above starts (no gap)" :
	    "the gaps skipped are too small for 5 pages");
	t_check(t, m[0] + len + 256 * pg <= stk0,
		"the highest stays below the stack by at least stack_guard_gap (256 pages): 0x%llx + 0x%llx <= 0x%llx",
		(unsigned long long)m[0], (unsigned long long)len,
		(unsigned long long)stk0);
	return 0;
}

/* A hint: honoured where free, moved where not (and kept in the window). */
static void place_hint(struct tour *t)
{
	struct mmap_test_alloc h1, h2;
	__u64 hint;
	int ret;

	hint = (uintptr_t)mt_mem_find_hole(t->c->page);
	ret = hint ? t_alloc(t, &h1, hint, 1, 0, PROT_READ,
			     MMAP_TEST_PRIVATE | MMAP_TEST_ANON) : -ENOMEM;
	if (ret) {
		t_broken(t, "ALLOC_VMA at a free hint", -ret);
		return;
	}
	ret = t_alloc(t, &h2, hint, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC_VMA at an occupied hint", -ret);
		t_free(t, h1.mapped, 1);
		return;
	}
	say("hint 0x%llx, free: mapped there (0x%llx); the same hint again, now occupied: the top-down search placed it at 0x%llx.\n",
	    (unsigned long long)hint, (unsigned long long)h1.mapped,
	    (unsigned long long)h2.mapped);
	t_hex(t, "hint", hint);
	t_hex(t, "hint_moved_to", h2.mapped);
	t_check(t, h1.mapped == hint && h2.mapped != hint,
		"a free hint is honoured, an occupied one moved");
	t_check(t, h2.mapped < MAP_WINDOW_END,
		"the moved mapping stays in the default window (below 2^%d)",
		MAP_WINDOW_BITS);
	t_free(t, h1.mapped, 1);
	t_free(t, h2.mapped, 1);
}

void tour_placement(struct tour *t)
{
	__u64 m[3] = { 0 }, stk0, stk1;
	char why[160];
	int i;

	if (!layout_topdown(why, sizeof(why))) {
		t_skip(t, why);
		return;
	}
	if (!stack_range(&stk0, &stk1)) {
		t_broken(t, "finding [stack] in /proc/self/maps", ENOENT);
		return;
	}
	say("layout: %s; the stack is [0x%llx,0x%llx), and mmap_base lies below it by at least the stack rlimit and stack_guard_gap.\n",
	    why, (unsigned long long)stk0, (unsigned long long)stk1);
	if (!place_three(t, m, stk0))
		place_hint(t);
	for (i = 0; i < 3; i++)
		if (m[i])
			t_free(t, m[i], PLACE_PAGES);
}

/* No address above the window here: the step skips, and says where. */
static void window_skip(struct tour *t, __u64 task_size)
{
	char why[256];

#if defined(__aarch64__)
	snprintf(why, sizeof(why), "TASK_SIZE 0x%llx: no addresses above 48 bits to opt in to; CONFIG_ARM64_VA_BITS_52 on a CPU with 52-bit VA shows it (target arm64-7.3-16k: qemu -cpu max)",
		 (unsigned long long)task_size);
#else
	snprintf(why, sizeof(why), "TASK_SIZE 0x%llx: 4-level paging, no addresses above 47 bits to opt in to; 5-level paging shows it (target x86_64-6.1-la57: qemu -cpu max, la57)",
		 (unsigned long long)task_size);
#endif
	t_skip(t, why);
}

void tour_window(struct tour *t)
{
	bool exact;
	__u64 task_size = mt_mem_task_size(&exact);
	struct mmap_test_alloc lo, hi, far, fx;
	__u64 free_hi = MAP_WINDOW_END * 2, far_hint;
	char why[256];
	int ret;

	say("TASK_SIZE here is 0x%llx (%s); the default mmap window ends at 2^%d (0x%llx).\n",
	    (unsigned long long)task_size, exact ? "measured" : "estimated",
	    MAP_WINDOW_BITS, (unsigned long long)MAP_WINDOW_END);
	t_hex(t, "task_size", task_size);
	t_hex(t, "window_end", MAP_WINDOW_END);
	if (task_size <= MAP_WINDOW_END) {
		window_skip(t, task_size);
		return;
	}
	ret = t_alloc(t, &lo, 0, 1, 0, PROT_READ,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "hint-less ALLOC_VMA", -ret);
		return;
	}
	ret = t_alloc(t, &hi, free_hi, 1, 0, PROT_READ,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC_VMA with a hint above the window", -ret);
		goto free_lo;
	}
	/* The highest power of two of user space: itself above TASK_SIZE. */
	far_hint = 1;
	while (far_hint < task_size / 2)
		far_hint <<= 1;
	far_hint <<= 1;
	ret = t_alloc(t, &far, far_hint, 1, 0, PROT_READ,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC_VMA with a hint above TASK_SIZE", -ret);
		goto free_hi;
	}
	say("no hint: mapped at 0x%llx, below 2^%d. hint 0x%llx (above the window): mapped at 0x%llx. hint 0x%llx (above TASK_SIZE, not usable itself): mapped at 0x%llx.\n",
	    (unsigned long long)lo.mapped, MAP_WINDOW_BITS,
	    (unsigned long long)free_hi, (unsigned long long)hi.mapped,
	    (unsigned long long)far_hint, (unsigned long long)far.mapped);
	say("  A hint above the window opts this one mapping in to the whole address space (the search's upper limit becomes TASK_SIZE); without one, mmap(2) never returns an address above the window, for programs that keep flags in the upper pointer bits.\n");
	t_hex(t, "no_hint", lo.mapped);
	t_hex(t, "hint_above_window", hi.mapped);
	t_hex(t, "hint_above_task_size", far.mapped);
	t_check(t, lo.mapped + t->c->page <= MAP_WINDOW_END,
		"no hint: below 2^%d", MAP_WINDOW_BITS);
	t_check(t, hi.mapped == free_hi, "a free hint above the window is honoured");
	t_check(t, far.mapped >= MAP_WINDOW_END && far.mapped < task_size,
		"a hint above TASK_SIZE still opts in: mapped above 2^%d",
		MAP_WINDOW_BITS);
	ret = t_alloc(t, &fx, far_hint, 1, 0, PROT_READ,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
		      MMAP_TEST_FIXED_NOREPLACE);
	explain_error(t->c, REQ_ALLOC, -ret, &fx, why, sizeof(why));
	say("FIXED_NOREPLACE at 0x%llx: %s (%s).\n",
	    (unsigned long long)far_hint, ret ? mt_errno_name(-ret) : "mapped",
	    ret ? why : "");
	t_key(t, "fixed_above_errno", "\"%s\"", mt_errno_name(-ret));
	t_check(t, ret == -ENOMEM, "FIXED_NOREPLACE above TASK_SIZE: ENOMEM");
	if (!ret)
		t_free(t, fx.mapped, 1);
	t_free(t, far.mapped, 1);
free_hi:
	t_free(t, hi.mapped, 1);
free_lo:
	t_free(t, lo.mapped, 1);
}
