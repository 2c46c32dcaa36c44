// SPDX-License-Identifier: GPL-2.0
/*
 * tour-placement.c - tour steps about where mmap(2) places a mapping:
 * top-down from mmap_base, and the default window with a hint above it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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

/* Is [@addr, @addr + @len) free in /proc/self/maps? */
static bool range_free(__u64 addr, __u64 len)
{
	static struct mt_maps_entry v[512];
	int n = mt_maps_read(0, v, 512, MT_MAPS_VMAS_ONLY);
	int i = mt_maps_find_vma(v, n, addr);	/* the first ending above */

	return n >= 0 && (i < 0 || v[i].start >= addr + len);
}

/* The kernel's "mmu" line of /proc/cpuinfo (riscv64 "sv57", ppc64 "Radix"). */
static void cpu_mmu(char *buf, size_t n)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncasecmp(line, "mmu", 3) && strchr(line, ':')) {
			snprintf(buf, n, "%s", strchr(line, ':') + 1 +
				 strspn(strchr(line, ':') + 1, " \t"));
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	fclose(f);
}

/* VmPTE of /proc/self/status in kB: the page tables of this process. */
static long vm_pte_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * No address above the window here: the step skips, and says why and
 * which CPU or kernel shows it.
 */
static void window_skip(struct tour *t, __u64 task_size, const char *mmu)
{
	char why[320];

#if defined(__aarch64__)
	snprintf(why, sizeof(why), "TASK_SIZE 0x%llx is the window's end: no addresses above 48 bits to opt in to; CONFIG_ARM64_VA_BITS_52 on a CPU with 52-bit VA shows it (target arm64-7.3-16k: qemu -cpu max)",
		 (unsigned long long)task_size);
#elif defined(__riscv)
	snprintf(why, sizeof(why), "TASK_SIZE 0x%llx is the window's end: the MMU runs %s; a CPU with Sv57 shows it (qemu 7.2 -cpu rv64 has it, and the kernel takes the largest mode unless no5lvl or no4lvl is on its command line)",
		 (unsigned long long)task_size, *mmu ? mmu : "Sv48 or Sv39");
#elif defined(__powerpc64__)
	snprintf(why, sizeof(why), "TASK_SIZE 0x%llx is the window's end: with 4K pages ppc64's TASK_SIZE and DEFAULT_MAP_WINDOW are both 64 TiB; the 64K-page kernel has 4 PiB above a 128 TiB window (target ppc64el-6.12-64k)",
		 (unsigned long long)task_size);
#else
	snprintf(why, sizeof(why), "TASK_SIZE 0x%llx is the window's end: 4-level paging, no addresses above 47 bits to opt in to; 5-level paging shows it (target x86_64-6.1-la57: qemu -cpu max, la57)",
		 (unsigned long long)task_size);
#endif
	t_skip(t, why);
}

/* The first power of two above TASK_SIZE, or TASK_SIZE if it has none. */
static __u64 above_task_size(__u64 task_size)
{
	__u64 h = 1;

	while (h < task_size && h < (1ULL << 63))
		h <<= 1;
	return h >= task_size ? h : task_size;
}

/* A one-page hint at @addr: say what it got, check it against the maps. */
static int window_hint(struct tour *t, struct mmap_test_alloc *a, __u64 addr,
		       const char *what, const char *key)
{
	bool free_before = range_free(addr, t->c->page);
	int ret;

	ret = t_alloc(t, a, addr, 1, 0, PROT_READ,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, what, -ret);
		return ret;
	}
	say("hint 0x%llx (%s, %s in /proc/self/maps): mapped at 0x%llx, %s.\n",
	    (unsigned long long)addr, what, free_before ? "free" : "in use",
	    (unsigned long long)a->mapped,
	    a->mapped == addr ? "the hint itself" :
	    a->mapped < MAP_WINDOW_END ? "moved below the window" :
	    "moved, above the window");
	t_hex(t, key, a->mapped);
	return 0;
}

void tour_window(struct tour *t)
{
	__u64 pg = t->c->page, win = MAP_WINDOW_END, task_size, far_hint;
	struct mmap_test_alloc lo, below, at, hi, far, fx;
	long pte0, pte1;
	char why[256], mmu[64];
	bool exact;
	int ret;

	cpu_mmu(mmu, sizeof(mmu));
	if (!win) {
		t_broken(t, "finding [stack] in /proc/self/maps", ENOENT);
		return;
	}
	say("the stack ends below 2^%d: the default mmap window ends there (0x%llx; STACK_TOP is DEFAULT_MAP_WINDOW where the architecture has a window)%s%s.\n",
	    MAP_WINDOW_BITS, (unsigned long long)win,
	    *mmu ? "; the kernel says MMU: " : "", mmu);
	t_hex(t, "window_end", win);
	t_key(t, "mmu", "\"%s\"", mmu);
	ret = t_alloc(t, &lo, 0, 1, 0, PROT_READ,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "hint-less ALLOC_VMA", -ret);
		return;
	}
	say("no hint: mapped at 0x%llx.\n", (unsigned long long)lo.mapped);
	t_hex(t, "no_hint", lo.mapped);
	t_check(t, lo.mapped + pg <= win, "no hint: below 2^%d", MAP_WINDOW_BITS);
	/*
	 * Above the window first, before anything measures TASK_SIZE: on
	 * s390x that mapping is what adds page-table levels (VmPTE).
	 */
	pte0 = vm_pte_kb();
	if (window_hint(t, &hi, 2 * win, "twice the window's end", "hint_above_window"))
		goto free_lo;
	pte1 = vm_pte_kb();
	say("  page tables (VmPTE) %ld kB before that ALLOC, %ld kB after it, with no page touched%s.\n",
	    pte0, pte1, pte1 > pte0 ? ": the kernel added a page-table level to reach the address (s390x: crst_table_upgrade())" : "");
	t_num(t, "vmpte_kb_before", pte0);
	t_num(t, "vmpte_kb_after", pte1);
	task_size = mt_mem_task_size(&exact);
	say("TASK_SIZE here is 0x%llx (%s).\n", (unsigned long long)task_size,
	    exact ? "measured" : "estimated");
	t_hex(t, "task_size", task_size);
	if (task_size <= win) {
		t_check(t, hi.mapped + pg <= win,
			"nothing above TASK_SIZE: the hint above it was moved below 2^%d",
			MAP_WINDOW_BITS);
		t_free(t, hi.mapped, 1);
		t_free(t, lo.mapped, 1);
		window_skip(t, task_size, mmu);
		return;
	}
	t_check(t, hi.mapped == 2 * win,
		"a free hint above the window, below TASK_SIZE, is honoured");
	if (window_hint(t, &below, win - pg, "the last page below the window's end", "hint_below_end"))
		goto free_hi;
	t_check(t, below.mapped == win - pg || below.mapped + pg <= win,
		"a hint just below the window's end: the hint itself, or moved below it");
	if (window_hint(t, &at, win, "the window's end itself", "hint_at_end"))
		goto free_below;
	t_yes(t, "hint_at_end_honoured", at.mapped == win);
	say("  a hint at the window's end %s.\n", at.mapped == win ?
	    "opened it (x86_64: DEFAULT_MAP_WINDOW is 2^47 minus a page, so 2^47 is above it; riscv64 and s390x honour any free hint below TASK_SIZE)" :
	    "did not open it: the hint must be above the window's end (arm64 and ppc64: addr > DEFAULT_MAP_WINDOW)");
	t_check(t, at.mapped == win || at.mapped + pg <= win,
		"a hint at the window's end: the hint itself, or moved below it");
	far_hint = above_task_size(task_size);
	if (window_hint(t, &far, far_hint, "above TASK_SIZE, not usable itself", "hint_above_task_size"))
		goto free_at;
	t_yes(t, "hint_above_task_size_opens", far.mapped >= win);
	say("  %s\n", far.mapped >= win ?
	    "A hint above the window opts this one mapping in to the whole address space, even one above TASK_SIZE: the search's upper limit becomes TASK_SIZE (arch_get_mmap_end()).  Without one, mmap(2) never returns an address above the window, for programs that keep flags in the upper pointer bits." :
	    "A hint that cannot be used is ignored here: the search stays below the window (riscv64 from 6.11: arch_get_mmap_end() is STACK_TOP_MAX whatever the hint, and the top-down search starts at mmap_base; s390x has no window to open).");
	t_check(t, far.mapped + pg <= task_size,
		"a hint above TASK_SIZE still maps below it");
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
free_at:
	t_free(t, at.mapped, 1);
free_below:
	t_free(t, below.mapped, 1);
free_hi:
	t_free(t, hi.mapped, 1);
free_lo:
	t_free(t, lo.mapped, 1);
}
