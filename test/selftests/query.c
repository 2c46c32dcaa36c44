// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-query - IOCTL_QUERY_VMA, the module's find_vma(), against
 * what the kernel shows elsewhere: exact answers at and around VMA
 * boundaries and gaps, below the first and above the last VMA, the backing
 * class (device, file, anon, special) and the VMA flags (/proc/self/smaps
 * VmFlags), nr_vmas against /proc/self/maps, the "before" report of
 * IOCTL_ALLOC_VMA, tagged addresses (arm64), and over 1000 random
 * addresses compared with /proc/self/maps.  The report is what users of
 * the tool read, so every field is checked against an independent source.
 *
 * MMAP_TEST_SEED=<n> fixes the seed of the random comparison (the seed is
 * printed).
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded (buffer_pages >= 8; every test SKIPs
 * below that, and when /dev/mmap-test does not exist): mmap-test-query.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/mmap_test.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "mt_maps.h"
#include "mt_rng.h"
#include "selftests.h"

#define MAX_LINES 1024

/*
 * Compare a QUERY report with the expectation from maps; returns NULL if
 * they agree or a static description of the first difference.
 */
static const char *check_report(const struct mt_maps_entry *tab, int n,
				unsigned long addr,
				const struct mmap_test_vma_report *r)
{
	static char why[MT_MAPS_PATH + 128];
	int i = mt_maps_find_vma(tab, n, addr);
	const struct mt_maps_entry *l;
	int backing;
	__u64 rwx;

	if ((__u32)n != r->nr_vmas) {
		snprintf(why, sizeof(why), "nr_vmas %u, maps has %d lines",
			 r->nr_vmas, n);
		return why;
	}
	if (r->addr != addr)
		return "addr not echoed";
	if (i < 0) {
		if (r->found || r->contains || r->vm_start || r->vm_end ||
		    r->gap || r->flags || r->vm_pgoff ||
		    r->backing != MMAP_TEST_BACKING_NONE)
			return "expected NULL (nothing at or above) with all fields 0";
		return NULL;
	}
	l = &tab[i];
	backing = mt_maps_backing(l);
	if (!r->found)
		return "found == 0 but maps has a VMA at or above";
	if (r->vm_start != l->start || r->vm_end != l->end) {
		snprintf(why, sizeof(why), "maps says [0x%lx,0x%lx) %s",
			 l->start, l->end, l->path);
		return why;
	}
	if (r->contains != (l->start <= addr))
		return "contains disagrees with maps";
	if (r->gap != (l->start <= addr ? 0 : l->start - addr))
		return "gap != vm_start - addr";
	if (backing >= 0 && r->backing != (__u32)backing) {
		snprintf(why, sizeof(why), "backing %s, maps name '%s' means %s",
			 mt_backing_name(r->backing), l->path,
			 mt_backing_name(backing));
		return why;
	}
	rwx = (l->perms[0] == 'r' ? VF_READ : 0) |
	      (l->perms[1] == 'w' ? VF_WRITE : 0) |
	      (l->perms[2] == 'x' ? VF_EXEC : 0);
	if ((r->flags & (VF_READ | VF_WRITE | VF_EXEC)) != rwx) {
		snprintf(why, sizeof(why), "flags 0x%llx vs perms %s",
			 (unsigned long long)r->flags, l->perms);
		return why;
	}
	if (!!(r->flags & VF_MAYSHARE) != (l->perms[3] == 's'))
		return "VM_MAYSHARE vs perms p/s";
	if ((backing == MMAP_TEST_BACKING_FILE ||
	     backing == MMAP_TEST_BACKING_DEVICE) &&
	    r->vm_pgoff != l->offset >> pg_shift) {
		snprintf(why, sizeof(why), "vm_pgoff 0x%llx vs offset 0x%lx",
			 (unsigned long long)r->vm_pgoff, l->offset);
		return why;
	}
	return NULL;
}

MT_FIXTURE(mt, MT_MIN_PAGES);

/* Three PROT_NONE pages with the middle one unmapped: a one-page gap. */
TEST_F(mt, query_gap_exact)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char *p;

	p = guarded_hole(_metadata, c, 1);

	/* at vm_start: contained */
	r = mt_ctx_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ(1U, r.found) TH_LOG("%s", report_str(&r));
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", report_str(&r));
	ASSERT_EQ(p2u(p), r.vm_start);
	ASSERT_EQ(p2u(p + pg), r.vm_end);
	ASSERT_EQ(0ULL, r.gap);
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, r.backing);
	ASSERT_EQ(0ULL, r.flags & (VF_READ | VF_WRITE | VF_EXEC));

	/* last byte: contained */
	r = mt_ctx_query(_metadata, c->fd, p2u(p + pg - 1));
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", report_str(&r));
	ASSERT_EQ(p2u(p), r.vm_start);

	/* at vm_end == start of the gap: not contained, next VMA */
	r = mt_ctx_query(_metadata, c->fd, p2u(p + pg));
	ASSERT_EQ(1U, r.found) TH_LOG("%s", report_str(&r));
	ASSERT_EQ(0U, r.contains) TH_LOG("%s", report_str(&r));
	ASSERT_EQ(p2u(p + 2 * pg), r.vm_start) TH_LOG("%s", report_str(&r));
	ASSERT_EQ(p2u(p + 3 * pg), r.vm_end);
	ASSERT_EQ((__u64)pg, r.gap) TH_LOG("%s", report_str(&r));

	/* inside the gap: gap == vm_start - addr exactly */
	r = mt_ctx_query(_metadata, c->fd, p2u(p + pg + 100));
	ASSERT_EQ(1U, r.found);
	ASSERT_EQ(0U, r.contains);
	ASSERT_EQ(p2u(p + 2 * pg), r.vm_start);
	ASSERT_EQ((__u64)(pg - 100), r.gap) TH_LOG("%s", report_str(&r));

	/* last byte of the gap */
	r = mt_ctx_query(_metadata, c->fd, p2u(p + 2 * pg - 1));
	ASSERT_EQ(0U, r.contains);
	ASSERT_EQ(1ULL, r.gap) TH_LOG("%s", report_str(&r));
}

TEST_F(mt, query_middle_of_vma)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char *p;

	p = mt_ctx_anon(c, NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	r = mt_ctx_query(_metadata, c->fd, p2u(p + 4 * pg + 123));
	ASSERT_EQ(1U, r.found);
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", report_str(&r));
	ASSERT_LE(r.vm_start, p2u(p));
	ASSERT_GE(r.vm_end, p2u(p + 8 * pg));
	ASSERT_EQ(0ULL, r.gap);
	ASSERT_EQ(VF_READ | VF_WRITE,
		  r.flags & (VF_READ | VF_WRITE | VF_EXEC | VF_SHARED));
}

/* Below the first VMA: 0, 0x1000 and mmap_min_addr find the lowest VMA. */
TEST_F(mt, query_below_first_vma)
{
	static struct mt_maps_entry tab[MAX_LINES];
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	unsigned long addrs[3] = { 0, 0x1000, 65536 };
	unsigned long v;
	int n, i;
	FILE *f;

	f = fopen("/proc/sys/vm/mmap_min_addr", "r");
	if (f) {
		if (fscanf(f, "%lu", &v) == 1 && v)
			addrs[2] = v;
		fclose(f);
	}
	n = mt_maps_read(0, tab, MAX_LINES, MT_MAPS_VMAS_ONLY);
	ASSERT_LT(0, n);
	ASSERT_LT(addrs[0], tab[0].start);
	for (i = 0; i < 3; i++) {
		if (addrs[i] >= tab[0].start)
			continue;
		r = mt_ctx_query(_metadata, c->fd, addrs[i]);
		ASSERT_EQ(1U, r.found) TH_LOG("%s", report_str(&r));
		ASSERT_EQ(0U, r.contains);
		ASSERT_EQ((__u64)tab[0].start, r.vm_start)
			TH_LOG("%s; maps' first VMA 0x%lx", report_str(&r),
			       tab[0].start);
		ASSERT_EQ((__u64)tab[0].end, r.vm_end);
		ASSERT_EQ((__u64)(tab[0].start - addrs[i]), r.gap);
	}
}

/* Above the highest VMA, up to and beyond TASK_SIZE: NULL, all zero. */
TEST_F(mt, query_above_last_vma)
{
	static struct mt_maps_entry tab[MAX_LINES];
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	unsigned long ts = mt_mem_task_size(NULL);
	unsigned long addrs[8];
	int n, i, na = 0;

	n = mt_maps_read(0, tab, MAX_LINES, MT_MAPS_VMAS_ONLY);
	ASSERT_LT(0, n);
	if (tab[n - 1].end < ts) {
		addrs[na++] = tab[n - 1].end;
		addrs[na++] = ts - 1;
		addrs[na++] = tab[n - 1].end + (ts - tab[n - 1].end) / 2;
	}
	addrs[na++] = ts;
	addrs[na++] = past_task_size(1);
	addrs[na++] = 1UL << 63;
	addrs[na++] = ~0UL;
	addrs[na++] = 0xffffffffff600000UL;	/* x86 vsyscall: not a VMA */
	for (i = 0; i < na; i++) {
		/* arm64: 1 << 63 is a tagged 0 (query_tagged_* test it) */
		if (mt_untag(addrs[i]) != addrs[i])
			continue;
		r = mt_ctx_query(_metadata, c->fd, addrs[i]);
		ASSERT_EQ(0U, r.found) TH_LOG("%s", report_str(&r));
		ASSERT_EQ(0U, r.contains);
		ASSERT_EQ((__u32)MMAP_TEST_BACKING_NONE, r.backing);
		ASSERT_EQ(0ULL, r.vm_start);
		ASSERT_EQ(0ULL, r.vm_end);
		ASSERT_EQ(0ULL, r.gap);
		ASSERT_EQ(0ULL, r.flags);
		ASSERT_EQ(0ULL, r.vm_pgoff);
		ASSERT_EQ((__u32)n, r.nr_vmas);
	}
}

/* QUERY @addr; the report must name @backing (log it otherwise). */
static struct mmap_test_vma_report
query_backing(struct __test_metadata *_metadata, struct mt_ctx *c,
	      __u64 addr, __u32 backing)
{
	struct mmap_test_vma_report r = mt_ctx_query(_metadata, c->fd, addr);

	ASSERT_EQ(backing, r.backing) TH_LOG("%s", report_str(&r));
	return r;
}

TEST_F(mt, query_backing_device)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char *p, *q;

	p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 1, PROT_READ,
		       MMAP_TEST_SHARED);
	r = query_backing(_metadata, c, p2u(p + pg), MMAP_TEST_BACKING_DEVICE);
	ASSERT_EQ(1U, r.contains);
	ASSERT_EQ(p2u(p), r.vm_start);
	ASSERT_EQ(p2u(p + 2 * pg), r.vm_end);
	ASSERT_EQ(1ULL, r.vm_pgoff);
	ASSERT_EQ(VF_READ | VF_SHARED | VF_MAYSHARE,
		  r.flags & (VF_READ | VF_WRITE | VF_EXEC | VF_SHARED |
			     VF_MAYSHARE));

	/* the same through mmap(2) on the fd, private this time */
	q = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, c->fd, 2 * pg);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mmap(2) device: %s", strerror(errno));
	mt_ctx_track(c, q, pg);
	r = query_backing(_metadata, c, p2u(q), MMAP_TEST_BACKING_DEVICE);
	ASSERT_EQ(2ULL, r.vm_pgoff);
	ASSERT_EQ(0ULL, r.flags & VF_MAYSHARE);
}

/* Device VMAs carry VM_DONTEXPAND | VM_DONTDUMP (contract). */
TEST_F(mt, query_device_vm_flags)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char *p;

	p = mt_ctx_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ | PROT_WRITE,
		       MMAP_TEST_PRIVATE);
	r = mt_ctx_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ(VF_DONTEXPAND | VF_DONTDUMP,
		  r.flags & (VF_DONTEXPAND | VF_DONTDUMP))
		TH_LOG("%s", report_str(&r));
	ASSERT_EQ(VF_READ | VF_WRITE,
		  r.flags & (VF_READ | VF_WRITE | VF_SHARED));
}

/*
 * The MMAP_TEST_VMA_* flags of the VMA holding @addr, from the names that
 * /proc/self/smaps prints in "VmFlags:".  Names that the report has no
 * flag for are ignored.  0 with *found = false when no VMA holds @addr.
 */
static __u64 smaps_flags(unsigned long addr, bool *found)
{
	static char buf[1 << 20];
	char *line, *next, name[8];
	bool in = false;
	ssize_t n, total = 0;
	__u64 flags = 0;
	unsigned int bit;
	int fd, pos, used;

	*found = false;
	fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while ((size_t)total < sizeof(buf) - 1) {
		n = read(fd, buf + total, sizeof(buf) - 1 - total);
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	for (line = buf; line && *line; line = next) {
		unsigned long s, e;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* A VMA's first line: "start-end perms ..." */
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2) {
			in = s <= addr && addr < e;
			continue;
		}
		if (!in || strncmp(line, "VmFlags:", 8))
			continue;
		*found = true;
		for (pos = 8; sscanf(line + pos, "%7s%n", name, &used) == 1;
		     pos += used)
			for (bit = 0; bit < 64; bit++)
				if (mt_vma_flag_name(bit) &&
				    !strcmp(name, mt_vma_flag_name(bit)))
					flags |= 1ULL << bit;
		break;
	}
	return flags;
}

/*
 * The report's flags are this ABI's MMAP_TEST_VMA_* bits: the same set
 * that /proc/self/smaps names in "VmFlags:", for device, anonymous, shmem
 * and stack VMAs.  (MTE_ALLOWED has no smaps name: left out.)
 */
TEST_F(mt, query_flags_match_smaps)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char fr[256], fs[256];
	unsigned long addrs[6];
	__u64 want, got;
	bool found;
	size_t i;
	char *p;

	addrs[0] = p2u(mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 0,
				  PROT_READ | PROT_WRITE, MMAP_TEST_SHARED));
	addrs[1] = p2u(mt_ctx_map(_metadata, c, c->fd, 0, pg, 1, PROT_READ,
				  MMAP_TEST_PRIVATE));
	p = mt_ctx_anon(c, NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	p[0] = 1;
	ASSERT_EQ(0, madvise(p, 4 * pg, MADV_DONTFORK));
	addrs[2] = p2u(p);
	p = mt_ctx_anon(c, NULL, pg, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, p);
	addrs[3] = p2u(p);
	p = mt_ctx_anon(c, NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_NORESERVE);
	ASSERT_NE(NULL, p);
	addrs[4] = p2u(p);
	addrs[5] = p2u(&r);	/* the stack */
	for (i = 0; i < MT_ARRAY_SIZE(addrs); i++) {
		r = mt_ctx_query(_metadata, c->fd, addrs[i]);
		want = smaps_flags(addrs[i], &found);
		ASSERT_TRUE(found) TH_LOG("0x%lx not in /proc/self/smaps",
					  addrs[i]);
		ASSERT_EQ(1U, r.contains);
		got = r.flags & ~(__u64)MMAP_TEST_VMA_ARM64_MTE_ALLOWED;
		mt_format_vma_flags(got, fr, sizeof(fr));
		mt_format_vma_flags(want, fs, sizeof(fs));
		EXPECT_EQ(want, got) TH_LOG("0x%lx: report \"%s\", smaps \"%s\"",
					    addrs[i], fr, fs);
		EXPECT_EQ(0ULL, r.flags & ~(__u64)MMAP_TEST_VMA_ALL);
	}
}

TEST_F(mt, query_backing_file)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char *m;
	int mfd;

	/* our own text: a mapping of /proc/self/exe */
	r = mt_ctx_query(_metadata, c->fd, p2u((void *)&mt_mem_task_size));
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", report_str(&r));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_FILE, r.backing)
		TH_LOG("%s", report_str(&r));
	ASSERT_EQ(VF_EXEC, r.flags & VF_EXEC);

	/* a memfd mapped at page offset 1 */
	mfd = memfd_create("mmap-test-selftest", MFD_CLOEXEC);
	ASSERT_LE(0, mfd) TH_LOG("memfd_create: %s", strerror(errno));
	ASSERT_EQ(0, ftruncate(mfd, 2 * pg));
	m = mmap(NULL, pg, PROT_READ, MAP_SHARED, mfd, pg);
	close(mfd);
	ASSERT_NE(MAP_FAILED, m);
	mt_ctx_track(c, m, pg);
	r = query_backing(_metadata, c, p2u(m), MMAP_TEST_BACKING_FILE);
	ASSERT_EQ(1ULL, r.vm_pgoff);
	ASSERT_EQ(p2u(m), r.vm_start);
}

/*
 * One anonymous page mapped with mmap(2) (@mmap_flags) and one anonymous
 * ALLOC (@alloc_flags): both must report @backing; the report of the
 * mmap(2) one.
 */
static struct mmap_test_vma_report
anon_backing(struct __test_metadata *_metadata, struct mt_ctx *c,
	     int mmap_flags, __u32 alloc_flags, __u32 backing)
{
	struct mmap_test_vma_report r;
	char *p, *q;

	p = mt_ctx_anon(c, NULL, pg, PROT_READ | PROT_WRITE, mmap_flags);
	ASSERT_NE(NULL, p);
	r = query_backing(_metadata, c, p2u(p), backing);
	q = mt_ctx_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ,
		       alloc_flags | MMAP_TEST_ANON);
	query_backing(_metadata, c, p2u(q), backing);
	return r;
}

TEST_F(mt, query_backing_anon)
{
	struct mmap_test_vma_report r;

	r = anon_backing(_metadata, &self->c, MAP_PRIVATE, MMAP_TEST_PRIVATE,
			 MMAP_TEST_BACKING_ANON);
	ASSERT_EQ(1U, r.contains);
}

/* MAP_SHARED|MAP_ANONYMOUS is a shmem file: FILE, not ANON. */
TEST_F(mt, query_backing_shared_anon_is_file)
{
	struct mmap_test_vma_report r;

	r = anon_backing(_metadata, &self->c, MAP_SHARED, MMAP_TEST_SHARED,
			 MMAP_TEST_BACKING_FILE);
	ASSERT_EQ(VF_MAYSHARE, r.flags & VF_MAYSHARE);
}

TEST_F(mt, query_backing_special)
{
	static struct mt_maps_entry tab[MAX_LINES];
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	unsigned long vdso = getauxval(AT_SYSINFO_EHDR);
	volatile char *heap;
	char local = 1;
	int n, i;

	r = mt_ctx_query(_metadata, c->fd, p2u(&local));
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", report_str(&r));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_SPECIAL, r.backing)
		TH_LOG("[stack]: %s", report_str(&r));

	ASSERT_NE(0UL, vdso);
	r = mt_ctx_query(_metadata, c->fd, vdso);
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", report_str(&r));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_SPECIAL, r.backing)
		TH_LOG("[vdso]: %s", report_str(&r));

	/* [heap]: make sure brk memory exists */
	heap = malloc(64);
	ASSERT_NE(NULL, heap);
	heap[0] = 1;
	n = mt_maps_read(0, tab, MAX_LINES, MT_MAPS_VMAS_ONLY);
	i = mt_maps_find_path(tab, n, "[heap]");
	if (i >= 0) {
		r = mt_ctx_query(_metadata, c->fd, tab[i].start);
		ASSERT_EQ(1U, r.contains);
		ASSERT_EQ((__u32)MMAP_TEST_BACKING_SPECIAL, r.backing)
			TH_LOG("[heap]: %s", report_str(&r));
	}
	i = mt_maps_find_path(tab, n, "[vvar]");
	if (i >= 0) {
		r = mt_ctx_query(_metadata, c->fd, tab[i].start);
		ASSERT_EQ((__u32)MMAP_TEST_BACKING_SPECIAL, r.backing)
			TH_LOG("[vvar]: %s", report_str(&r));
	}
	free((void *)heap);
}

/* nr_vmas == lines of /proc/self/maps without [vsyscall], +1 per map. */
TEST_F(mt, query_nr_vmas_matches_maps)
{
	static struct mt_maps_entry tab[MAX_LINES];
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	int n;

	n = mt_maps_read(0, tab, MAX_LINES, MT_MAPS_VMAS_ONLY);
	r = mt_ctx_query(_metadata, c->fd, 0);
	ASSERT_EQ((__u32)n, r.nr_vmas);

	ASSERT_NE(NULL, mt_ctx_anon(c, NULL, pg, PROT_READ, MAP_PRIVATE));
	n = mt_maps_read(0, tab, MAX_LINES, MT_MAPS_VMAS_ONLY);
	r = mt_ctx_query(_metadata, c->fd, 0);
	ASSERT_EQ((__u32)n, r.nr_vmas);

	mt_ctx_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ, MMAP_TEST_SHARED);
	n = mt_maps_read(0, tab, MAX_LINES, MT_MAPS_VMAS_ONLY);
	r = mt_ctx_query(_metadata, c->fd, 0);
	ASSERT_EQ((__u32)n, r.nr_vmas);
}

/*
 * A random address: inside a VMA of @tab, on or next to one of its
 * boundaries, anywhere below TASK_SIZE @ts, or anything at all.
 */
static unsigned long random_addr(const struct mt_maps_entry *tab, int n,
				 unsigned long ts, uint64_t *st)
{
	uint64_t x = mt_rng_xorshift64(st);
	const struct mt_maps_entry *l = &tab[x % n];

	switch ((x >> 32) % 10) {
	case 0: case 1: case 2: case 3:		/* inside a VMA */
		return l->start + (mt_rng_xorshift64(st) % (l->end - l->start));
	case 4: case 5:				/* on a boundary */
		switch ((x >> 40) % 6) {
		case 0: return l->start;
		case 1: return l->end;
		case 2: return l->start - 1;
		case 3: return l->end - 1;
		case 4: return l->start - pg;
		default: return l->end + pg;
		}
	case 6: case 7: case 8:			/* anywhere below TASK_SIZE */
		return mt_rng_xorshift64(st) % ts;
	default:				/* anything at all */
		return mt_rng_xorshift64(st);
	}
}

/* >= 1000 random addresses: QUERY agrees with /proc/self/maps. */
TEST_F_TIMEOUT(mt, query_random_vs_maps, 120)
{
	static struct mt_maps_entry tab[MAX_LINES], tab2[MAX_LINES];
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	unsigned long ts = mt_mem_task_size(NULL);
	unsigned int seed;
	uint64_t st;
	const char *why;
	int n, n2, i, k, bad = 0, hits = 0, mfd, ret;
	const char *env = getenv("MMAP_TEST_SEED");
	char *m;

	/* one mapping of every backing class */
	mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 1, PROT_READ, MMAP_TEST_SHARED);
	mt_ctx_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ | PROT_WRITE,
		   MMAP_TEST_PRIVATE);
	ASSERT_NE(NULL, mt_ctx_anon(c, NULL, 3 * pg, PROT_READ, MAP_SHARED));
	ASSERT_NE(NULL, mt_ctx_anon(c, NULL, 5 * pg, PROT_NONE, MAP_PRIVATE));
	mfd = memfd_create("mmap-test-random", MFD_CLOEXEC);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, 4 * pg));
	m = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE, mfd, 2 * pg);
	close(mfd);
	ASSERT_NE(MAP_FAILED, m);
	mt_ctx_track(c, m, 2 * pg);

	seed = env ? (unsigned int)strtoul(env, NULL, 0) :
		     (unsigned int)time(NULL) ^ (unsigned int)getpid() << 8;
	TH_LOG("seed %u (MMAP_TEST_SEED=%u reproduces)", seed, seed);
	st = 0x9E3779B97F4A7C15ULL ^ seed;
	if (!st)
		st = 1;

	n = mt_maps_read(0, tab, MAX_LINES, MT_MAPS_VMAS_ONLY);
	ASSERT_LT(2, n);
	for (k = 0; k < 1200; k++) {
		unsigned long addr = random_addr(tab, n, ts, &st);

		ret = mt_ioctl_query(c->fd, addr, &r);
		if (ret) {
			why = "ioctl failed";
			TH_LOG("QUERY 0x%lx: %s", addr, strerror(-ret));
			bad++;
			continue;
		}
		hits += r.contains;
		/* arm64: a random address may carry a tag. */
		why = check_report(tab, n, mt_untag(addr), &r);
		if (why) {
			if (bad < 10)
				TH_LOG("0x%lx: %s; %s", addr, why,
				       report_str(&r));
			bad++;
		}
	}
	n2 = mt_maps_read(0, tab2, MAX_LINES, MT_MAPS_VMAS_ONLY);
	ASSERT_EQ(n, n2) TH_LOG("the address space changed during the comparison");
	for (i = 0; i < n; i++) {
		ASSERT_EQ(tab[i].start, tab2[i].start);
		ASSERT_EQ(tab[i].end, tab2[i].end);
	}
	ASSERT_EQ(0, bad) TH_LOG("%d of 1200 queries disagree with /proc/self/maps (seed %u)",
				 bad, seed);
	ASSERT_LT(200, hits) TH_LOG("too few addresses inside VMAs were tried");
}

/* The `before` report of ALLOC is find_vma(hint) taken before mapping. */
TEST_F(mt, query_alloc_before_report)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_alloc a;
	char *p;
	int ret;

	p = guarded_hole(_metadata, c, 1);
	ret = mt_ioctl_alloc(c->fd, p2u(p + pg), pg, 0, PROT_READ,
			     MMAP_TEST_PRIVATE | MMAP_TEST_ANON, &a);
	ASSERT_EQ(0, ret) TH_LOG("%s", mt_errno_name(ret));
	mt_ctx_track(c, u2p(a.mapped), pg);
	ASSERT_EQ(p2u(p + pg), a.mapped) TH_LOG("free hint not honoured");
	ASSERT_EQ(p2u(p + pg), a.before.addr);
	ASSERT_EQ(1U, a.before.found);
	ASSERT_EQ(0U, a.before.contains) TH_LOG("%s", report_str(&a.before));
	ASSERT_EQ(p2u(p + 2 * pg), a.before.vm_start);
	ASSERT_EQ((__u64)pg, a.before.gap);
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, a.before.backing);
	/* before the mapping: one VMA fewer than now */
	ASSERT_EQ(a.before.nr_vmas + 1, mt_ctx_nr_vmas(_metadata, c->fd));
}

TEST_F(mt, query_tagged_pointer_like_untagged)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report want;
	struct mmap_test_query q;
	__u64 addrs[3];
	size_t i, j;
	char *p, *h;
	int ret;

#ifndef __aarch64__
	SKIP(return, NO_TAGGED_POINTERS);
#endif
	enable_tagged_abi(_metadata);
	p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	h = find_hole(4);
	ASSERT_NE(NULL, h);
	addrs[0] = p2u(p) + pg + 123;	/* inside a device VMA */
	addrs[1] = p2u(h) + pg;		/* in a hole */
	addrs[2] = 0;			/* below every VMA */
	for (i = 0; i < MT_ARRAY_SIZE(addrs); i++) {
		want = mt_ctx_query(_metadata, c->fd, addrs[i]);
		for (j = 0; j < MT_ARRAY_SIZE(addr_tags); j++) {
			memset(&q, 0xaa, sizeof(q));
			q.addr = tagged(addrs[i], addr_tags[j]);
			q.reserved = 0;
			ret = mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q);
			ASSERT_EQ(0, ret) TH_LOG("QUERY 0x%llx: %s",
						 (unsigned long long)q.addr,
						 mt_errno_name(ret));
			ASSERT_EQ(tagged(addrs[i], addr_tags[j]), q.addr)
				TH_LOG("QUERY changed its input address");
			ASSERT_EQ(0, memcmp(&want, &q.report, sizeof(want)))
				TH_LOG("QUERY 0x%llx: %s; untagged: %s",
				       (unsigned long long)q.addr,
				       report_str(&q.report),
				       report_str(&want));
		}
	}
}

/*
 * The name that the QUERY line of @start logged after its backing
 * ("special [vdso]", "file /usr/lib/...", "anon"), read from /dev/kmsg
 * into @name: 0, -ENOENT if no such line, -EBADMSG if it has another shape.
 */
static int logged_name(int kfd, unsigned long start, char *name, size_t n)
{
	char rec[8192], head[64], *msg, *b, *e;
	int r;

	snprintf(head, sizeof(head), "QUERY find_vma(%#lx) -> [", start);
	while ((r = mt_kmsg_read(kfd, rec, sizeof(rec), &msg)) > 0 ||
	       r == -EPIPE) {
		b = r > 0 ? strstr(msg, head) : NULL;
		if (!b)
			continue;
		/* "[start,end) <backing>[ <name>], contains: yes; done" */
		b = strchr(b + strlen(head), ')');
		e = b ? strstr(b, ", contains: yes;") : NULL;
		if (!e || e - b < 2)
			return -EBADMSG;
		/* /dev/kmsg writes '\\', bytes >= 0x7f and controls as \xNN */
		for (b += 2; b < e && n > 1; n--) {
			unsigned int c;

			if (b[0] == '\\' && b[1] == 'x' &&
			    sscanf(b + 2, "%2x", &c) == 1) {
				*name++ = (char)c;
				b += 4;
			} else {
				*name++ = *b++;
			}
		}
		*name = '\0';
		return b < e ? -EBADMSG : 0;
	}
	return -ENOENT;
}

/*
 * @path of maps as the module logs it: maps' "\012" (a newline) and any
 * other control character as '?'.  @out has MT_MAPS_PATH bytes.
 */
static void maps_as_logged(char *out, const char *path)
{
	size_t i = 0;

	while (*path && i < MT_MAPS_PATH - 1) {
		if (!strncmp(path, "\\012", 4)) {
			out[i++] = '?';
			path += 4;
		} else {
			unsigned char c = *path++;

			out[i++] = c < ' ' || c == 0x7f ? '?' : c;
		}
	}
	out[i] = '\0';
}

/*
 * A file whose path is longer than the module's log has room for
 * (MMAP_TEST_NAME_LEN, 96 bytes), made of two-byte UTF-8 characters with a
 * control character near its end, mapped shared: its log line keeps the
 * path's tail from the start of a character, with '?' for the control
 * character.  Its path to @path, its mapping to *@map; 0 or -errno.
 */
static int map_long_name(char *dir, char *path, size_t n, void **map)
{
	size_t len;
	int fd, i;

	if (!mkdtemp(dir))
		return -errno;
	len = snprintf(path, n, "%s/", dir);
	for (i = 0; i < 50 && len + 3 < n; i++)
		len += snprintf(path + len, n - len, "\xc3\xa9");	/* U+00E9 */
	snprintf(path + len, n - len, "\x01" "end");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, getpagesize())) {
		i = -errno;
		if (fd >= 0)
			close(fd);
		unlink(path);
		rmdir(dir);
		return i;
	}
	*map = mmap(NULL, getpagesize(), PROT_READ, MAP_SHARED, fd, 0);
	i = *map == MAP_FAILED ? -errno : 0;
	close(fd);
	if (i) {
		unlink(path);
		rmdir(dir);
	}
	return i;
}

/*
 * The kernel log's QUERY line names the VMA found as /proc/self/maps does:
 * "special [vdso]" for a bracketed name, "file " and the path maps prints
 * (" (deleted)" included; when the log's room is short, " ..." and the
 * path's tail, from the start of a UTF-8 character), nothing after "anon" or
 * "device"; a control character as '?'.  One QUERY at the start of every VMA
 * of this process, one of them a file with a long name (map_long_name()).  The lines are read back first and checked
 * after the rate limit is restored, so that a failure leaves it as it was.
 */
TEST_F(mt, query_log_names_the_vma)
{
	static struct mt_maps_entry tab[MAX_LINES];
	static char names[MAX_LINES][MT_MAPS_PATH];
	static int qret[MAX_LINES], lret[MAX_LINES];
	struct mt_ctx *c = &self->c;
	char burst[16], dir[] = "/tmp/mt-query-XXXXXX", path[MT_MAPS_PATH - 16];
	int n, i, kfd, ret, named = 0, long_seen = 0;
	void *map = MAP_FAILED;

	if (mt_file_read_bool(MT_PARAM_DIR "log_calls") != 1)
		SKIP(return, "log_calls is off: QUERY logs no line to read back");
	kfd = mt_kmsg_open();
	if (kfd < 0)
		SKIP(return, "cannot open /dev/kmsg: %s", strerror(-kfd));
	ret = map_long_name(dir, path, sizeof(path), &map);
	if (ret)
		close(kfd);
	ASSERT_EQ(0, ret) TH_LOG("a file with a long name in /tmp: %s", strerror(-ret));
	ret = log_burst_unlimit(burst, sizeof(burst));
	if (ret)
		close(kfd);
	ASSERT_EQ(0, ret) TH_LOG("log_burst: %s", strerror(-ret));
	n = mt_maps_read(0, tab, MAX_LINES, MT_MAPS_VMAS_ONLY);
	for (i = 0; i < n; i++) {
		struct mmap_test_vma_report r;

		if (!strncmp(tab[i].path, "[anon", 5))	/* PR_SET_VMA names */
			continue;
		memset(&r, 0, sizeof(r));
		qret[i] = mt_ioctl_query(c->fd, tab[i].start, &r);
		if (!qret[i] && !r.contains)
			qret[i] = -ESRCH;
		lret[i] = qret[i] ? 0 : logged_name(kfd, tab[i].start, names[i],
						    sizeof(names[i]));
	}
	log_burst_restore(burst);
	close(kfd);
	munmap(map, getpagesize());
	unlink(path);
	rmdir(dir);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		const char *name = names[i];
		char p[MT_MAPS_PATH];

		if (!strncmp(tab[i].path, "[anon", 5))
			continue;
		maps_as_logged(p, tab[i].path);
		ASSERT_EQ(0, qret[i]) TH_LOG("QUERY %#lx (%s): %s", tab[i].start,
					     p, qret[i] == -ESRCH ?
					     "no VMA contains it" :
					     strerror(-qret[i]));
		ASSERT_EQ(0, lret[i]) TH_LOG("QUERY %#lx (%s): %s", tab[i].start,
					     p, lret[i] == -ENOENT ?
					     "no log line" : "a line of another shape");
		if (!*p) {
			ASSERT_STREQ("anon", name);
		} else if (!strcmp(p, MMAP_TEST_DEVICE)) {
			ASSERT_STREQ("device", name);
		} else if (p[0] == '[') {
			ASSERT_TRUE(!strncmp(name, "special ", 8) &&
				    !strcmp(name + 8, p))
				TH_LOG("maps %s, log \"%s\"", p, name);
		} else if (strlen(tab[i].path) >= MT_MAPS_PATH - 1) {
			continue;	/* maps' path cut by mt_maps_read() */
		} else if (!strncmp(name, "file ...", 8)) {
			size_t pl = strlen(p), nl = strlen(name + 8);

			ASSERT_TRUE(nl && nl < pl && !strcmp(p + pl - nl, name + 8))
				TH_LOG("maps %s, log \"%s\"", p, name);
			/* the tail starts on a character, not inside one */
			ASSERT_NE(0x80, (unsigned char)name[8] & 0xc0)
				TH_LOG("log \"%s\" starts inside a character", name);
			long_seen += (tab[i].start == (unsigned long)map);
		} else {
			ASSERT_TRUE(!strncmp(name, "file ", 5) &&
				    !strcmp(name + 5, p))
				TH_LOG("maps %s, log \"%s\"", p, name);
		}
		named += p[0] == '[' || p[0] == '/';
	}
	ASSERT_LT(0, named) TH_LOG("no named VMA in /proc/self/maps");
	ASSERT_EQ(1, long_seen) TH_LOG("the file with a long name (%s) was not logged with its tail",
			path);
}

TEST_HARNESS_MAIN
