// SPDX-License-Identifier: GPL-2.0
/*
 * machine.c - facts of this machine and process that explanations and
 * tour steps depend on: TASK_SIZE (measured), sysctls, the module's
 * parameters, /proc/self/maps, the stack, the mmap layout.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "test-mmap.h"

/* End of the highest mapping of this process, [vsyscall] excepted. */
static __u64 highest_mapping_end(void)
{
	unsigned long long start, end, top = 0;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "[vsyscall]"))
			continue;
		if (sscanf(line, "%llx-%llx", &start, &end) == 2 && end > top)
			top = end;
	}
	fclose(f);
	return top;
}

/*
 * Is the page at @addr inside user space?  A one-page MAP_FIXED_NOREPLACE
 * mmap(2) there gets ENOMEM only when it ends above TASK_SIZE (EEXIST: it
 * is inside, and in use).
 */
static bool user_page(__u64 addr, unsigned long page)
{
	void *p = mmap((void *)(uintptr_t)addr, page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == MAP_FAILED)
		return errno == EEXIST;
	munmap(p, page);
	return (uintptr_t)p == addr;	/* not a kernel that took a hint */
}

/*
 * TASK_SIZE of this process, measured: user space ends at 2^bits or 2^bits
 * minus a page (x86_64: 2^47 - 4K with 4-level paging, 2^56 - 4K with
 * 5-level paging; arm64: 2^VA_BITS), so probe the last two pages below
 * each power of two, from 2^57 down.  Cached: it does not change.
 */
struct task_top task_top(void)
{
	static struct task_top t;
	static bool done;
	unsigned long page = sysconf(_SC_PAGESIZE);
	__u64 end;
	int bits;

	if (done)
		return t;
	done = true;
	for (bits = 57; bits >= 32; bits--) {
		end = 1ULL << bits;
		if (!user_page(end - 2 * page, page))
			continue;
		t.end = user_page(end - page, page) ? end : end - page;
		t.exact = true;
		return t;
	}
	/* No probe worked: round the highest mapping up to a power of two. */
	end = highest_mapping_end();
	if (!end)
		return t;
	t.end = 1;
	while (t.end < end && t.end < (1ULL << 63))
		t.end <<= 1;
	return t;
}

unsigned long long read_sysctl(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* A module parameter's value, without its newline; false if unreadable. */
bool param_read(const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), MODULE_PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

bool param_write(const char *name, const char *val)
{
	char path[128];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), MODULE_PARAMS "%s", name);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok;
}

/* ---- placement: mmap_base, the stack, the layout -------------------- */

/* /proc/self/maps as ranges (ascending); the number read, -1 on error. */
int read_maps(struct vma_range *v, int max)
{
	unsigned long long start, end;
	char line[512], *name;
	int n = 0, pos;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		pos = 0;
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &start, &end,
			   &pos) < 2)
			continue;
		name = pos > 0 && pos <= (int)strlen(line) ? line + pos : "";
		v[n].start = start;
		v[n].end = end;
		snprintf(v[n].name, sizeof(v[n].name), "%s", name);
		n++;
	}
	fclose(f);
	return n;
}

/* The largest free gap in [lo, hi), from /proc/self/maps; ~0: unknown. */
__u64 largest_gap(__u64 lo, __u64 hi)
{
	static struct vma_range v[512];
	__u64 prev = lo, best = 0;
	int i, n = read_maps(v, 512);

	if (n < 0 || n == 512)
		return ~0ULL;
	for (i = 0; i < n && prev < hi; i++) {
		if (v[i].end <= prev)
			continue;
		if (v[i].start > prev) {
			__u64 e = v[i].start < hi ? v[i].start : hi;

			if (e - prev > best)
				best = e - prev;
		}
		prev = v[i].end;
	}
	if (prev < hi && hi - prev > best)
		best = hi - prev;
	return best;
}

/* The [stack] VMA; false if there is none. */
bool stack_range(__u64 *start, __u64 *end)
{
	static struct vma_range v[512];
	int i, n = read_maps(v, 512);

	for (i = 0; i < n; i++) {
		if (!strcmp(v[i].name, "[stack]")) {
			*start = v[i].start;
			*end = v[i].end;
			return true;
		}
	}
	return false;
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
