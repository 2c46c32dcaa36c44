// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_test_selftest.c - the main kselftest suite of mmap-test.
 *
 * Every test opens /dev/mmap-test in its fixture (SKIP only when the
 * device does not exist; any other open error fails) and checks in the
 * fixture teardown that the module's counters are back where they were:
 * no VMA of the test's file alive once the test's mappings are gone, and
 * the module-wide live VMA, page and file counts back to their values at
 * setup.  A leak therefore fails the test that caused it.
 *
 * Groups (test names are <fixture>[.<variant>].<test>):
 *   mt.query_*        find_vma() truth, backing classes, /proc/self/maps
 *   mt.place_*        placement: hints, FIXED, FIXED_NOREPLACE, TASK_SIZE
 *   kinds.<kind>.*    private/shared x device/anon visibility and prot
 *   mt.kinds_*        read()/write() of the device vs. its mappings
 *   mt.pages_*        buffer pages, pgoff, fault counting, populate
 *   mt.fault_around_64_pages  64 sequential shared reads take <= 8 faults
 *                     (needs buffer_pages >= 64, else SKIP)
 *   mt.life_*         VMA merge/split/mremap/mprotect/madvise/fork counts
 *   mt.free_*         IOCTL_FREE_VMA against munmap(2)
 *   mt.lifetime_*     mappings outliving their fd
 *   bad.<case>.returns  one exact errno per bad input (table)
 *   mt.perm_*         permissions, fully defined output, dmesg pointers
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded (buffer_pages >= 8; the whole suite
 * SKIPs below that, and when /dev/mmap-test does not exist).
 * MMAP_TEST_SEED=<n> fixes the seed of the random find_vma() comparison
 * (the seed is printed).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/mmap_test.h>

#include "kselftest_harness.h"
#include "mmap_test_util.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE		1
#endif

/* Report flags (MMAP_TEST_VMA_*) used here, by short names. */
#define VF_READ		MMAP_TEST_VMA_READ
#define VF_WRITE	MMAP_TEST_VMA_WRITE
#define VF_EXEC		MMAP_TEST_VMA_EXEC
#define VF_SHARED	MMAP_TEST_VMA_SHARED
#define VF_MAYSHARE	MMAP_TEST_VMA_MAYSHARE
#define VF_DONTEXPAND	MMAP_TEST_VMA_DONTEXPAND
#define VF_DONTDUMP	MMAP_TEST_VMA_DONTDUMP

#define MT_MIN_PAGES	8	/* buffer pages the suite needs */
#define MT_MAX_MAPS	32
#define MT_MAX_FDS	8
#define MT_PAT64	0xAAAAAAAAAAAAAAAAULL
#define MT_PAT32	0xAAAAAAAAU

/* Page size and shift of this process, set by every fixture setup. */
static unsigned long pg;
static unsigned int pg_shift;

struct mt_region {
	char *addr;
	size_t len;
};

/* Per-test state shared by all fixtures. */
struct mt_ctx {
	int fd;				/* /dev/mmap-test, O_RDWR */
	unsigned long bp;		/* buffer pages of @fd */
	struct mmap_test_stats base;	/* GET_STATS right after open */
	struct mt_region maps[MT_MAX_MAPS];	/* unmapped at teardown */
	int nmaps;
	int fds[MT_MAX_FDS];		/* extra fds, closed at teardown */
	int nfds;
};

/* ------------------------------------------------------------------ */
/* small helpers                                                        */
/* ------------------------------------------------------------------ */

static unsigned long pg_align(unsigned long len)
{
	return (len + pg - 1) & ~(pg - 1);
}

static void *u2p(__u64 a)
{
	return (void *)(uintptr_t)a;
}

static __u64 p2u(const void *p)
{
	return (__u64)(uintptr_t)p;
}

static void mt_track(struct mt_ctx *c, void *addr, size_t len)
{
	if (c->nmaps < MT_MAX_MAPS) {
		c->maps[c->nmaps].addr = addr;
		c->maps[c->nmaps].len = len;
		c->nmaps++;
	}
}

static void mt_untrack(struct mt_ctx *c, void *addr, size_t len)
{
	int i;

	for (i = 0; i < c->nmaps; i++) {
		if (c->maps[i].addr == addr && c->maps[i].len == len) {
			c->maps[i] = c->maps[--c->nmaps];
			return;
		}
	}
}

/* munmap(2) and forget the region; returns munmap's result. */
static int mt_unmap(struct mt_ctx *c, void *addr, size_t len)
{
	int ret = munmap(addr, len);

	mt_untrack(c, addr, len);
	return ret;
}

static int mt_open_extra(struct mt_ctx *c, int flags)
{
	int fd = open(MMAP_TEST_DEVICE, flags | O_CLOEXEC);

	if (fd >= 0 && c->nfds < MT_MAX_FDS)
		c->fds[c->nfds++] = fd;
	return fd;
}

static void mt_close_extra(struct mt_ctx *c, int fd)
{
	int i;

	for (i = 0; i < c->nfds; i++) {
		if (c->fds[i] == fd) {
			c->fds[i] = c->fds[--c->nfds];
			break;
		}
	}
	close(fd);
}

/* An anonymous mapping made with mmap(2), tracked for teardown. */
static char *mt_anon(struct mt_ctx *c, void *hint, size_t len, int prot,
		     int flags)
{
	char *p = mmap(hint, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mt_track(c, p, len);
	return p;
}

/* Address of @pages free pages (mapped then unmapped). */
static char *mt_hole(size_t pages)
{
	char *p = mmap(NULL, pages * pg, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, pages * pg);
	return p;
}

/* mmap(2) outcome as 0 (then unmapped again) or errno. */
static int mmap_errno(unsigned long addr, size_t len, int prot, int flags,
		      int fd, off_t off)
{
	void *p = mmap(u2p(addr), len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

static int munmap_errno(unsigned long addr, size_t len)
{
	return munmap(u2p(addr), len) ? errno : 0;
}

static int mt_alloc_raw(int fd, __u64 addr, __u64 len, __u64 pgoff,
			__u32 prot, __u32 flags, struct mmap_test_alloc *a)
{
	memset(a, 0, sizeof(*a));
	a->addr = addr;
	a->len = len;
	a->pgoff = pgoff;
	a->prot = prot;
	a->flags = flags;
	return mt_ioctl(fd, IOCTL_ALLOC_VMA, a);
}

static int mt_free_raw(int fd, __u64 addr, __u64 len)
{
	struct mmap_test_free f = { .addr = addr, .len = len };

	return mt_ioctl(fd, IOCTL_FREE_VMA, &f);
}

static const char *mt_report_str(const struct mmap_test_vma_report *r)
{
	static char bufs[4][320];
	static int next;
	char *b = bufs[next++ & 3];
	size_t n;

	mt_explain_report(r, b, sizeof(bufs[0]));
	n = strlen(b);
	snprintf(b + n, sizeof(bufs[0]) - n,
		 " [backing %s, flags 0x%llx, pgoff 0x%llx, gap 0x%llx, nr_vmas %u]",
		 mt_backing_name(r->backing), (unsigned long long)r->flags,
		 (unsigned long long)r->vm_pgoff, (unsigned long long)r->gap,
		 r->nr_vmas);
	return b;
}

/* IOCTL_ALLOC_VMA that must succeed; the mapping is tracked. */
static char *mt_map(struct __test_metadata *_metadata, struct mt_ctx *c,
		    int fd, __u64 addr, size_t len, __u64 pgoff, __u32 prot,
		    __u32 flags)
{
	struct mmap_test_alloc a;
	char fl[96];
	int ret;

	ret = mt_alloc_raw(fd, addr, len, pgoff, prot, flags, &a);
	mt_format_flags(flags, fl, sizeof(fl));
	ASSERT_EQ(0, ret) TH_LOG("ALLOC addr=0x%llx len=0x%zx pgoff=%llu prot=0x%x flags=%s: %s",
				 (unsigned long long)addr, len,
				 (unsigned long long)pgoff, prot, fl,
				 mt_errno_name(ret));
	ASSERT_NE(0ULL, a.mapped) TH_LOG("ALLOC succeeded with mapped == 0");
	mt_track(c, u2p(a.mapped), pg_align(len));
	return u2p(a.mapped);
}

static struct mmap_test_vma_report
mt_query(struct __test_metadata *_metadata, int fd, __u64 addr)
{
	struct mmap_test_query q;
	int ret;

	memset(&q, 0, sizeof(q));
	q.addr = addr;
	ret = mt_ioctl(fd, IOCTL_QUERY_VMA, &q);
	ASSERT_EQ(0, ret) TH_LOG("QUERY 0x%llx: %s", (unsigned long long)addr,
				 mt_errno_name(ret));
	ASSERT_EQ(mt_untag(addr), q.report.addr);
	return q.report;
}

static struct mmap_test_stats mt_stats(struct __test_metadata *_metadata,
				       int fd)
{
	struct mmap_test_stats s;
	int ret;

	memset(&s, 0, sizeof(s));
	ret = mt_ioctl(fd, IOCTL_GET_STATS, &s);
	ASSERT_EQ(0, ret) TH_LOG("GET_STATS: %s", mt_errno_name(ret));
	return s;
}

static __u32 mt_nr_vmas(struct __test_metadata *_metadata, int fd)
{
	return mt_query(_metadata, fd, 0).nr_vmas;
}

/* Number of VMAs of this device inside [start, end), walking find_vma. */
static int mt_count_dev_vmas(struct __test_metadata *_metadata, int fd,
			     __u64 start, __u64 end)
{
	struct mmap_test_vma_report r;
	__u64 a = start;
	int n = 0;

	while (a < end) {
		r = mt_query(_metadata, fd, a);
		if (!r.found || r.vm_start >= end)
			break;
		if (r.backing == MMAP_TEST_BACKING_DEVICE)
			n++;
		a = r.vm_end;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* TASK_SIZE, probed with mmap(MAP_FIXED_NOREPLACE)                     */
/* ------------------------------------------------------------------ */

/* True when a one-page mapping at @a is inside the user range. */
static bool mt_page_in_range(unsigned long a)
{
	void *p = mmap(u2p(a), pg, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == MAP_FAILED)
		return errno != ENOMEM;	/* EEXIST: occupied, so in range */
	munmap(p, pg);
	return true;
}

static unsigned long mt_task_size(void)
{
	static unsigned long ts;
	unsigned long lo = 1UL << 32, hi = 1UL << 63, mid;

	if (ts)
		return ts;
	while (hi - lo > pg) {
		mid = lo + (((hi - lo) / 2) & ~(pg - 1));
		if (mt_page_in_range(mid))
			lo = mid;
		else
			hi = mid;
	}
	ts = hi;
	return ts;
}

/* ------------------------------------------------------------------ */
/* /proc/self/maps                                                      */
/* ------------------------------------------------------------------ */

struct mt_line {
	unsigned long start, end, off;
	char perms[8];
	int backing;		/* enum mmap_test_backing, -1: unknown */
	char name[96];
};

#define MT_MAX_LINES 1024
static char maps_text[256 * 1024];

/* Parse /proc/self/maps without allocating; [vsyscall] is not a VMA. */
static int mt_read_maps(struct mt_line *tab, int max)
{
	size_t n = 0;
	ssize_t r;
	char *line, *nl;
	int fd, cnt = 0;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (n < sizeof(maps_text) - 1 &&
	       (r = read(fd, maps_text + n, sizeof(maps_text) - 1 - n)) > 0)
		n += r;
	close(fd);
	maps_text[n] = '\0';

	for (line = maps_text; *line && cnt < max; line = nl + 1) {
		struct mt_line *l = &tab[cnt];
		int pos = 0;
		char *name;
		size_t len;

		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		else
			*nl = '\0';
		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %n", &l->start,
			   &l->end, l->perms, &l->off, &pos) < 4)
			continue;
		name = line + pos;
		len = strlen(name);
		while (len && isspace((unsigned char)name[len - 1]))
			name[--len] = '\0';
		snprintf(l->name, sizeof(l->name), "%s", name);
		if (!strcmp(name, "[vsyscall]"))
			continue;
		if (!*name)
			l->backing = MMAP_TEST_BACKING_ANON;
		else if (!strncmp(name, "[anon", 5))
			l->backing = -1;
		else if (name[0] == '[')
			l->backing = MMAP_TEST_BACKING_SPECIAL;
		else if (!strcmp(name, MMAP_TEST_DEVICE))
			l->backing = MMAP_TEST_BACKING_DEVICE;
		else if (name[0] == '/')
			l->backing = MMAP_TEST_BACKING_FILE;
		else
			l->backing = -1;
		cnt++;
	}
	return cnt;
}

/* Index of the first line with end > addr, or -1: find_vma() by hand. */
static int mt_maps_find(const struct mt_line *tab, int n, unsigned long addr)
{
	int i;

	for (i = 0; i < n; i++)
		if (tab[i].end > addr)
			return i;
	return -1;
}

static int mt_maps_find_name(const struct mt_line *tab, int n,
			     const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(tab[i].name, name))
			return i;
	return -1;
}

/*
 * Compare a QUERY report with the expectation from maps; returns NULL if
 * they agree or a static description of the first difference.
 */
static const char *mt_check_report(const struct mt_line *tab, int n,
				   unsigned long addr,
				   const struct mmap_test_vma_report *r)
{
	static char why[256];
	int i = mt_maps_find(tab, n, addr);
	const struct mt_line *l;
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
	if (!r->found)
		return "found == 0 but maps has a VMA at or above";
	if (r->vm_start != l->start || r->vm_end != l->end) {
		snprintf(why, sizeof(why), "maps says [0x%lx,0x%lx) %s",
			 l->start, l->end, l->name);
		return why;
	}
	if (r->contains != (l->start <= addr))
		return "contains disagrees with maps";
	if (r->gap != (l->start <= addr ? 0 : l->start - addr))
		return "gap != vm_start - addr";
	if (l->backing >= 0 && r->backing != (__u32)l->backing) {
		snprintf(why, sizeof(why), "backing %s, maps name '%s' means %s",
			 mt_backing_name(r->backing), l->name,
			 mt_backing_name(l->backing));
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
	if ((l->backing == MMAP_TEST_BACKING_FILE ||
	     l->backing == MMAP_TEST_BACKING_DEVICE) &&
	    r->vm_pgoff != l->off >> pg_shift) {
		snprintf(why, sizeof(why), "vm_pgoff 0x%llx vs offset 0x%lx",
			 (unsigned long long)r->vm_pgoff, l->off);
		return why;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* SIGSEGV/SIGBUS probe                                                 */
/* ------------------------------------------------------------------ */

static sigjmp_buf probe_env;
static volatile sig_atomic_t probe_sig;

static void probe_handler(int sig)
{
	probe_sig = sig;
	siglongjmp(probe_env, 1);
}

/* Access *p; returns 0 or the signal that the access raised. */
static int mt_probe(volatile char *p, bool write, char val, char *out)
{
	struct sigaction sa, old_segv, old_bus;
	int sig = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	probe_sig = 0;
	if (sigsetjmp(probe_env, 1) == 0) {
		if (write)
			*p = val;
		else if (out)
			*out = *p;
		else
			(void)*p;
	} else {
		sig = probe_sig;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return sig;
}

/* ------------------------------------------------------------------ */
/* fixture plumbing                                                     */
/* ------------------------------------------------------------------ */

static void ctx_setup(struct __test_metadata *_metadata, struct mt_ctx *c)
{
	int i;

	pg = sysconf(_SC_PAGESIZE);
	pg_shift = __builtin_ctzl(pg);
	c->fd = -1;
	c->nmaps = 0;
	c->nfds = 0;
	for (i = 0; i < MT_MAX_FDS; i++)
		c->fds[i] = -1;

	c->fd = open(MMAP_TEST_DEVICE, O_RDWR | O_CLOEXEC);
	if (c->fd < 0 && errno == ENOENT)
		SKIP(longjmp(_metadata->env, 1),
		     "%s does not exist: mmap_test.ko is not loaded",
		     MMAP_TEST_DEVICE);
	ASSERT_LE(0, c->fd) TH_LOG("open(%s, O_RDWR): %s (only ENOENT may skip)",
				   MMAP_TEST_DEVICE, strerror(errno));
	c->base = mt_stats(_metadata, c->fd);
	ASSERT_EQ(0ULL, c->base.live_vmas);
	ASSERT_LT(0ULL, c->base.buffer_pages);
	c->bp = c->base.buffer_pages;
	if (c->bp < MT_MIN_PAGES) {
		close(c->fd);
		c->fd = -1;
		SKIP(longjmp(_metadata->env, 1),
		     "the module's buffer_pages is %lu, the suite needs >= %d",
		     c->bp, MT_MIN_PAGES);
	}
}

static void ctx_teardown(struct __test_metadata *_metadata, struct mt_ctx *c)
{
	struct mmap_test_stats s, s2;
	int i, fd2;

	for (i = c->nmaps - 1; i >= 0; i--)
		munmap(c->maps[i].addr, c->maps[i].len);
	c->nmaps = 0;
	for (i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	c->nfds = 0;
	if (c->fd < 0)
		return;

	memset(&s, 0, sizeof(s));
	EXPECT_EQ(0, mt_ioctl(c->fd, IOCTL_GET_STATS, &s));
	EXPECT_EQ(0ULL, s.live_vmas)
		TH_LOG("leak: %llu VMAs of this file alive after every mapping of the test was unmapped (opens %llu closes %llu)",
		       (unsigned long long)s.live_vmas,
		       (unsigned long long)s.vma_opens,
		       (unsigned long long)s.vma_closes);
	close(c->fd);
	c->fd = -1;

	fd2 = open(MMAP_TEST_DEVICE, O_RDWR | O_CLOEXEC);
	EXPECT_LE(0, fd2) TH_LOG("reopen: %s", strerror(errno));
	if (fd2 < 0)
		return;
	memset(&s2, 0, sizeof(s2));
	EXPECT_EQ(0, mt_ioctl(fd2, IOCTL_GET_STATS, &s2));
	EXPECT_EQ(c->base.total_live_vmas - c->base.live_vmas,
		  s2.total_live_vmas)
		TH_LOG("module-wide live VMAs not back to the baseline");
	EXPECT_EQ(c->base.total_files, s2.total_files)
		TH_LOG("module-wide open files not back to the baseline (a file outlived its last mapping and fd)");
	EXPECT_EQ(c->base.total_pages - c->base.pages + s2.pages,
		  s2.total_pages)
		TH_LOG("module-wide buffer pages not back to the baseline (pages not freed at last release)");
	close(fd2);
}

FIXTURE(mt) {
	struct mt_ctx c;
};

FIXTURE_SETUP(mt)
{
	ctx_setup(_metadata, &self->c);
}

FIXTURE_TEARDOWN(mt)
{
	ctx_teardown(_metadata, &self->c);
}

/* Tag every buffer page through write(): page i starts with its tag. */
static void mt_tag(char *buf, size_t n, unsigned long i)
{
	snprintf(buf, n, "mmap-test buffer page %06lu", i);
}

static void mt_tag_all(struct __test_metadata *_metadata, struct mt_ctx *c,
		       int fd)
{
	char tag[64];
	unsigned long i;
	ssize_t w;

	for (i = 0; i < c->bp; i++) {
		mt_tag(tag, sizeof(tag), i);
		w = pwrite(fd, tag, strlen(tag) + 1, i * pg);
		ASSERT_EQ((ssize_t)strlen(tag) + 1, w)
			TH_LOG("pwrite tag at page %lu: %s", i, strerror(errno));
	}
}

/* ================================================================== */
/* 1. find_vma truth                                                    */
/* ================================================================== */

/* Three PROT_NONE pages with the middle one unmapped: a one-page gap. */
TEST_F(mt, query_gap_exact)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char *p;

	p = mt_anon(c, NULL, 3 * pg, PROT_NONE, MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p + pg, pg));

	/* at vm_start: contained */
	r = mt_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ(1U, r.found) TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(p2u(p), r.vm_start);
	ASSERT_EQ(p2u(p + pg), r.vm_end);
	ASSERT_EQ(0ULL, r.gap);
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, r.backing);
	ASSERT_EQ(0ULL, r.flags & (VF_READ | VF_WRITE | VF_EXEC));

	/* last byte: contained */
	r = mt_query(_metadata, c->fd, p2u(p + pg - 1));
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(p2u(p), r.vm_start);

	/* at vm_end == start of the gap: not contained, next VMA */
	r = mt_query(_metadata, c->fd, p2u(p + pg));
	ASSERT_EQ(1U, r.found) TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(0U, r.contains) TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(p2u(p + 2 * pg), r.vm_start) TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(p2u(p + 3 * pg), r.vm_end);
	ASSERT_EQ((__u64)pg, r.gap) TH_LOG("%s", mt_report_str(&r));

	/* inside the gap: gap == vm_start - addr exactly */
	r = mt_query(_metadata, c->fd, p2u(p + pg + 100));
	ASSERT_EQ(1U, r.found);
	ASSERT_EQ(0U, r.contains);
	ASSERT_EQ(p2u(p + 2 * pg), r.vm_start);
	ASSERT_EQ((__u64)(pg - 100), r.gap) TH_LOG("%s", mt_report_str(&r));

	/* last byte of the gap */
	r = mt_query(_metadata, c->fd, p2u(p + 2 * pg - 1));
	ASSERT_EQ(0U, r.contains);
	ASSERT_EQ(1ULL, r.gap) TH_LOG("%s", mt_report_str(&r));
}

TEST_F(mt, query_middle_of_vma)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char *p;

	p = mt_anon(c, NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	r = mt_query(_metadata, c->fd, p2u(p + 4 * pg + 123));
	ASSERT_EQ(1U, r.found);
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", mt_report_str(&r));
	ASSERT_LE(r.vm_start, p2u(p));
	ASSERT_GE(r.vm_end, p2u(p + 8 * pg));
	ASSERT_EQ(0ULL, r.gap);
	ASSERT_EQ(VF_READ | VF_WRITE,
		  r.flags & (VF_READ | VF_WRITE | VF_EXEC | VF_SHARED));
}

/* Below the first VMA: 0, 0x1000 and mmap_min_addr find the lowest VMA. */
TEST_F(mt, query_below_first_vma)
{
	static struct mt_line tab[MT_MAX_LINES];
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
	n = mt_read_maps(tab, MT_MAX_LINES);
	ASSERT_LT(0, n);
	ASSERT_LT(addrs[0], tab[0].start);
	for (i = 0; i < 3; i++) {
		if (addrs[i] >= tab[0].start)
			continue;
		r = mt_query(_metadata, c->fd, addrs[i]);
		ASSERT_EQ(1U, r.found) TH_LOG("%s", mt_report_str(&r));
		ASSERT_EQ(0U, r.contains);
		ASSERT_EQ((__u64)tab[0].start, r.vm_start)
			TH_LOG("%s; maps' first VMA 0x%lx", mt_report_str(&r),
			       tab[0].start);
		ASSERT_EQ((__u64)tab[0].end, r.vm_end);
		ASSERT_EQ((__u64)(tab[0].start - addrs[i]), r.gap);
	}
}

/* Above the highest VMA, up to and beyond TASK_SIZE: NULL, all zero. */
TEST_F(mt, query_above_last_vma)
{
	static struct mt_line tab[MT_MAX_LINES];
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	unsigned long ts = mt_task_size();
	unsigned long addrs[8];
	int n, i, na = 0;

	n = mt_read_maps(tab, MT_MAX_LINES);
	ASSERT_LT(0, n);
	if (tab[n - 1].end < ts) {
		addrs[na++] = tab[n - 1].end;
		addrs[na++] = ts - 1;
		addrs[na++] = tab[n - 1].end + (ts - tab[n - 1].end) / 2;
	}
	addrs[na++] = ts;
	addrs[na++] = ts + pg;
	addrs[na++] = 1UL << 63;
	addrs[na++] = ~0UL;
	addrs[na++] = 0xffffffffff600000UL;	/* x86 vsyscall: not a VMA */
	for (i = 0; i < na; i++) {
		/* arm64: 1 << 63 is a tagged 0 (query_tagged_* test it) */
		if (mt_untag(addrs[i]) != addrs[i])
			continue;
		r = mt_query(_metadata, c->fd, addrs[i]);
		ASSERT_EQ(0U, r.found) TH_LOG("%s", mt_report_str(&r));
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

TEST_F(mt, query_backing_device)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char *p, *q;

	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 1, PROT_READ,
		   MMAP_TEST_SHARED);
	r = mt_query(_metadata, c->fd, p2u(p + pg));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_DEVICE, r.backing)
		TH_LOG("%s", mt_report_str(&r));
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
	mt_track(c, q, pg);
	r = mt_query(_metadata, c->fd, p2u(q));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_DEVICE, r.backing)
		TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(2ULL, r.vm_pgoff);
	ASSERT_EQ(0ULL, r.flags & VF_MAYSHARE);
}

/* Device VMAs carry VM_DONTEXPAND | VM_DONTDUMP (contract). */
TEST_F(mt, query_device_vm_flags)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ | PROT_WRITE,
		   MMAP_TEST_PRIVATE);
	r = mt_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ(VF_DONTEXPAND | VF_DONTDUMP,
		  r.flags & (VF_DONTEXPAND | VF_DONTDUMP))
		TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(VF_READ | VF_WRITE,
		  r.flags & (VF_READ | VF_WRITE | VF_SHARED));
}

/*
 * The MMAP_TEST_VMA_* flags of the VMA holding @addr, from the names that
 * /proc/self/smaps prints in "VmFlags:".  Names that the report has no
 * flag for are ignored.  0 with *found = false when no VMA holds @addr.
 */
static __u64 mt_smaps_flags(unsigned long addr, bool *found)
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

	addrs[0] = p2u(mt_map(_metadata, c, c->fd, 0, 2 * pg, 0,
			      PROT_READ | PROT_WRITE, MMAP_TEST_SHARED));
	addrs[1] = p2u(mt_map(_metadata, c, c->fd, 0, pg, 1, PROT_READ,
			      MMAP_TEST_PRIVATE));
	p = mt_anon(c, NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	p[0] = 1;
	ASSERT_EQ(0, madvise(p, 4 * pg, MADV_DONTFORK));
	addrs[2] = p2u(p);
	p = mt_anon(c, NULL, pg, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, p);
	addrs[3] = p2u(p);
	p = mt_anon(c, NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_NORESERVE);
	ASSERT_NE(NULL, p);
	addrs[4] = p2u(p);
	addrs[5] = p2u(&r);	/* the stack */
	for (i = 0; i < MT_ARRAY_SIZE(addrs); i++) {
		r = mt_query(_metadata, c->fd, addrs[i]);
		want = mt_smaps_flags(addrs[i], &found);
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
	r = mt_query(_metadata, c->fd, p2u((void *)&mt_task_size));
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_FILE, r.backing)
		TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(VF_EXEC, r.flags & VF_EXEC);

	/* a memfd mapped at page offset 1 */
	mfd = memfd_create("mmap-test-selftest", MFD_CLOEXEC);
	ASSERT_LE(0, mfd) TH_LOG("memfd_create: %s", strerror(errno));
	ASSERT_EQ(0, ftruncate(mfd, 2 * pg));
	m = mmap(NULL, pg, PROT_READ, MAP_SHARED, mfd, pg);
	close(mfd);
	ASSERT_NE(MAP_FAILED, m);
	mt_track(c, m, pg);
	r = mt_query(_metadata, c->fd, p2u(m));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_FILE, r.backing)
		TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(1ULL, r.vm_pgoff);
	ASSERT_EQ(p2u(m), r.vm_start);
}

TEST_F(mt, query_backing_anon)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char *p, *q;

	p = mt_anon(c, NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	r = mt_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, r.backing)
		TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(1U, r.contains);

	/* and an anonymous ALLOC */
	q = mt_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ,
		   MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	r = mt_query(_metadata, c->fd, p2u(q));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, r.backing)
		TH_LOG("%s", mt_report_str(&r));
}

/* MAP_SHARED|MAP_ANONYMOUS is a shmem file: FILE, not ANON. */
TEST_F(mt, query_backing_shared_anon_is_file)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	char *p, *q;

	p = mt_anon(c, NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	r = mt_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_FILE, r.backing)
		TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ(VF_MAYSHARE, r.flags & VF_MAYSHARE);

	q = mt_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ,
		   MMAP_TEST_SHARED | MMAP_TEST_ANON);
	r = mt_query(_metadata, c->fd, p2u(q));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_FILE, r.backing)
		TH_LOG("%s", mt_report_str(&r));
}

TEST_F(mt, query_backing_special)
{
	static struct mt_line tab[MT_MAX_LINES];
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	unsigned long vdso = getauxval(AT_SYSINFO_EHDR);
	volatile char *heap;
	char local = 1;
	int n, i;

	r = mt_query(_metadata, c->fd, p2u(&local));
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_SPECIAL, r.backing)
		TH_LOG("[stack]: %s", mt_report_str(&r));

	ASSERT_NE(0UL, vdso);
	r = mt_query(_metadata, c->fd, vdso);
	ASSERT_EQ(1U, r.contains) TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_SPECIAL, r.backing)
		TH_LOG("[vdso]: %s", mt_report_str(&r));

	/* [heap]: make sure brk memory exists */
	heap = malloc(64);
	ASSERT_NE(NULL, heap);
	heap[0] = 1;
	n = mt_read_maps(tab, MT_MAX_LINES);
	i = mt_maps_find_name(tab, n, "[heap]");
	if (i >= 0) {
		r = mt_query(_metadata, c->fd, tab[i].start);
		ASSERT_EQ(1U, r.contains);
		ASSERT_EQ((__u32)MMAP_TEST_BACKING_SPECIAL, r.backing)
			TH_LOG("[heap]: %s", mt_report_str(&r));
	}
	i = mt_maps_find_name(tab, n, "[vvar]");
	if (i >= 0) {
		r = mt_query(_metadata, c->fd, tab[i].start);
		ASSERT_EQ((__u32)MMAP_TEST_BACKING_SPECIAL, r.backing)
			TH_LOG("[vvar]: %s", mt_report_str(&r));
	}
	free((void *)heap);
}

/* nr_vmas == lines of /proc/self/maps without [vsyscall], +1 per map. */
TEST_F(mt, query_nr_vmas_matches_maps)
{
	static struct mt_line tab[MT_MAX_LINES];
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	int n;

	n = mt_read_maps(tab, MT_MAX_LINES);
	r = mt_query(_metadata, c->fd, 0);
	ASSERT_EQ((__u32)n, r.nr_vmas);

	ASSERT_NE(NULL, mt_anon(c, NULL, pg, PROT_READ, MAP_PRIVATE));
	n = mt_read_maps(tab, MT_MAX_LINES);
	r = mt_query(_metadata, c->fd, 0);
	ASSERT_EQ((__u32)n, r.nr_vmas);

	mt_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ, MMAP_TEST_SHARED);
	n = mt_read_maps(tab, MT_MAX_LINES);
	r = mt_query(_metadata, c->fd, 0);
	ASSERT_EQ((__u32)n, r.nr_vmas);
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* >= 1000 random addresses: QUERY agrees with /proc/self/maps. */
TEST_F_TIMEOUT(mt, query_random_vs_maps, 120)
{
	static struct mt_line tab[MT_MAX_LINES], tab2[MT_MAX_LINES];
	struct mt_ctx *c = &self->c;
	struct mmap_test_query q;
	unsigned long ts = mt_task_size();
	unsigned int seed;
	uint64_t st;
	const char *why;
	int n, n2, i, k, bad = 0, hits = 0, mfd;
	const char *env = getenv("MMAP_TEST_SEED");
	char *m;

	/* one mapping of every backing class */
	mt_map(_metadata, c, c->fd, 0, 2 * pg, 1, PROT_READ, MMAP_TEST_SHARED);
	mt_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ | PROT_WRITE,
	       MMAP_TEST_PRIVATE);
	ASSERT_NE(NULL, mt_anon(c, NULL, 3 * pg, PROT_READ, MAP_SHARED));
	ASSERT_NE(NULL, mt_anon(c, NULL, 5 * pg, PROT_NONE, MAP_PRIVATE));
	mfd = memfd_create("mmap-test-random", MFD_CLOEXEC);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, 4 * pg));
	m = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE, mfd, 2 * pg);
	close(mfd);
	ASSERT_NE(MAP_FAILED, m);
	mt_track(c, m, 2 * pg);

	seed = env ? (unsigned int)strtoul(env, NULL, 0) :
		     (unsigned int)time(NULL) ^ (unsigned int)getpid() << 8;
	TH_LOG("seed %u (MMAP_TEST_SEED=%u reproduces)", seed, seed);
	st = 0x9E3779B97F4A7C15ULL ^ seed;
	if (!st)
		st = 1;

	n = mt_read_maps(tab, MT_MAX_LINES);
	ASSERT_LT(2, n);
	for (k = 0; k < 1200; k++) {
		uint64_t x = xorshift(&st);
		const struct mt_line *l = &tab[x % n];
		unsigned long addr;

		switch ((x >> 32) % 10) {
		case 0: case 1: case 2: case 3:		/* inside a VMA */
			addr = l->start + (xorshift(&st) % (l->end - l->start));
			break;
		case 4: case 5:				/* on a boundary */
			switch ((x >> 40) % 6) {
			case 0: addr = l->start; break;
			case 1: addr = l->end; break;
			case 2: addr = l->start - 1; break;
			case 3: addr = l->end - 1; break;
			case 4: addr = l->start - pg; break;
			default: addr = l->end + pg; break;
			}
			break;
		case 6: case 7: case 8:			/* anywhere below TASK_SIZE */
			addr = xorshift(&st) % ts;
			break;
		default:				/* anything at all */
			addr = xorshift(&st);
			break;
		}
		memset(&q, 0, sizeof(q));
		q.addr = addr;
		if (ioctl(c->fd, IOCTL_QUERY_VMA, &q)) {
			why = "ioctl failed";
			TH_LOG("QUERY 0x%lx: %s", addr, strerror(errno));
			bad++;
			continue;
		}
		hits += q.report.contains;
		/* arm64: a random address may carry a tag. */
		why = mt_check_report(tab, n, mt_untag(addr), &q.report);
		if (why) {
			if (bad < 10)
				TH_LOG("0x%lx: %s; %s", addr, why,
				       mt_report_str(&q.report));
			bad++;
		}
	}
	n2 = mt_read_maps(tab2, MT_MAX_LINES);
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

	p = mt_anon(c, NULL, 3 * pg, PROT_NONE, MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p + pg, pg));
	ret = mt_alloc_raw(c->fd, p2u(p + pg), pg, 0, PROT_READ,
			   MMAP_TEST_PRIVATE | MMAP_TEST_ANON, &a);
	ASSERT_EQ(0, ret) TH_LOG("%s", mt_errno_name(ret));
	mt_track(c, u2p(a.mapped), pg);
	ASSERT_EQ(p2u(p + pg), a.mapped) TH_LOG("free hint not honoured");
	ASSERT_EQ(p2u(p + pg), a.before.addr);
	ASSERT_EQ(1U, a.before.found);
	ASSERT_EQ(0U, a.before.contains) TH_LOG("%s", mt_report_str(&a.before));
	ASSERT_EQ(p2u(p + 2 * pg), a.before.vm_start);
	ASSERT_EQ((__u64)pg, a.before.gap);
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, a.before.backing);
	/* before the mapping: one VMA fewer than now */
	ASSERT_EQ(a.before.nr_vmas + 1, mt_nr_vmas(_metadata, c->fd));
}

/* ================================================================== */
/* 2. placement                                                         */
/* ================================================================== */

TEST_F(mt, place_free_hint_honoured)
{
	struct mt_ctx *c = &self->c;
	char *h = mt_hole(4);
	char *p;

	ASSERT_NE(NULL, h);
	p = mt_map(_metadata, c, c->fd, p2u(h + pg), 2 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	ASSERT_EQ(h + pg, p) TH_LOG("hint %p free, mapped at %p", h + pg, p);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
}

TEST_F(mt, place_occupied_hint_moved)
{
	struct mt_ctx *c = &self->c;
	char *o, *p;

	o = mt_anon(c, NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, o);
	strcpy(o, "occupant");
	p = mt_map(_metadata, c, c->fd, p2u(o), 2 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	ASSERT_NE(o, p);
	ASSERT_TRUE(p + 2 * pg <= o || p >= o + 2 * pg)
		TH_LOG("new mapping %p overlaps the occupant %p", p, o);
	ASSERT_STREQ("occupant", o);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
}

TEST_F(mt, place_hint_past_task_size_ignored)
{
	struct mt_ctx *c = &self->c;
	unsigned long ts = mt_task_size();
	unsigned long hints[3] = { ts, ts + 64 * pg, ~0UL & ~(pg - 1) };
	char *p;
	int i;

	for (i = 0; i < 3; i++) {
		p = mt_map(_metadata, c, c->fd, hints[i], pg, 0, PROT_READ,
			   MMAP_TEST_PRIVATE);
		ASSERT_LE(p2u(p) + pg, (__u64)ts)
			TH_LOG("hint 0x%lx: mapped %p above TASK_SIZE 0x%lx",
			       hints[i], p, ts);
		ASSERT_EQ(0, mt_unmap(c, p, pg));
	}
}

/* FIXED replaces: the anon marker is gone, the device page shows. */
TEST_F(mt, place_fixed_replaces)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	__u32 nr;
	char *o, *p;

	o = mt_anon(c, NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, o);
	strcpy(o, "anon marker");
	strcpy(o + pg, "anon marker 2");
	nr = mt_nr_vmas(_metadata, c->fd);
	p = mt_map(_metadata, c, c->fd, p2u(o), 2 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED | MMAP_TEST_FIXED);
	ASSERT_EQ(o, p);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
	ASSERT_STRNE("anon marker 2", p + pg);
	r = mt_query(_metadata, c->fd, p2u(o));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_DEVICE, r.backing);
	ASSERT_EQ(p2u(o + 2 * pg), r.vm_end);
	ASSERT_EQ(nr, r.nr_vmas);
}

TEST_F(mt, place_fixed_noreplace_eexist)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_alloc a;
	__u32 nr;
	char *o;
	int ret;

	o = mt_anon(c, NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, o);
	strcpy(o + pg, "still here");
	nr = mt_nr_vmas(_metadata, c->fd);
	ret = mt_alloc_raw(c->fd, p2u(o + pg), 2 * pg, 0, PROT_READ,
			   MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE, &a);
	if (!ret)
		mt_track(c, u2p(a.mapped), 2 * pg);
	ASSERT_EQ(-EEXIST, ret) TH_LOG("got %s", mt_errno_name(ret));
	ASSERT_EQ(0ULL, a.mapped);
	ASSERT_EQ(1U, a.before.contains) TH_LOG("%s", mt_report_str(&a.before));
	ASSERT_EQ(p2u(o), a.before.vm_start);
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, a.before.backing);
	ASSERT_STREQ("still here", o + pg);
	ASSERT_EQ(nr, mt_nr_vmas(_metadata, c->fd));
	/* mmap(2) says the same */
	ASSERT_EQ(EEXIST, mmap_errno(p2u(o + pg), 2 * pg, PROT_READ,
				     MAP_SHARED | MAP_FIXED_NOREPLACE, c->fd, 0));
}

TEST_F(mt, place_fixed_unaligned_einval)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_alloc a;
	char *h = mt_hole(2);
	__u32 nr;
	int ret;

	ASSERT_NE(NULL, h);
	nr = mt_nr_vmas(_metadata, c->fd);
	ret = mt_alloc_raw(c->fd, p2u(h + 8), pg, 0, PROT_READ,
			   MMAP_TEST_SHARED | MMAP_TEST_FIXED, &a);
	ASSERT_EQ(-EINVAL, ret) TH_LOG("got %s", mt_errno_name(ret));
	ASSERT_EQ(EINVAL, mmap_errno(p2u(h + 8), pg, PROT_READ,
				     MAP_SHARED | MAP_FIXED, c->fd, 0));
	ret = mt_alloc_raw(c->fd, p2u(h + 8), pg, 0, PROT_READ,
			   MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
			   MMAP_TEST_FIXED_NOREPLACE, &a);
	ASSERT_EQ(-EINVAL, ret) TH_LOG("got %s", mt_errno_name(ret));
	ASSERT_EQ(nr, mt_nr_vmas(_metadata, c->fd));
}

TEST_F(mt, place_fixed_past_task_size_enomem)
{
	struct mt_ctx *c = &self->c;
	unsigned long ts = mt_task_size();
	unsigned long addrs[3] = { ts, ts + 16 * pg, 1UL << 62 };
	struct mmap_test_alloc a;
	int ret, i;

	for (i = 0; i < 3; i++) {
		ret = mt_alloc_raw(c->fd, addrs[i], pg, 0, PROT_READ,
				   MMAP_TEST_SHARED | MMAP_TEST_FIXED, &a);
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("0x%lx: got %s", addrs[i],
					       mt_errno_name(ret));
		ASSERT_EQ(ENOMEM, mmap_errno(addrs[i], pg, PROT_READ,
					     MAP_SHARED | MAP_FIXED, c->fd, 0));
	}
	/* starts below TASK_SIZE, ends past it */
	ret = mt_alloc_raw(c->fd, ts - pg, 2 * pg, 0, PROT_READ,
			   MMAP_TEST_PRIVATE | MMAP_TEST_ANON | MMAP_TEST_FIXED,
			   &a);
	ASSERT_EQ(-ENOMEM, ret) TH_LOG("got %s", mt_errno_name(ret));
	ASSERT_EQ(ENOMEM, mmap_errno(ts - pg, 2 * pg, PROT_READ,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				     -1, 0));
#ifdef __x86_64__
	ret = mt_alloc_raw(c->fd, 0x800000000000UL, pg, 0, PROT_READ,
			   MMAP_TEST_SHARED | MMAP_TEST_FIXED, &a);
	if (!ret)
		mt_track(c, u2p(a.mapped), pg);
	if (ts <= 0x800000000000UL) {
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("got %s", mt_errno_name(ret));
	}
#endif
}

/* FIXED into the middle of an anon VMA splits it around the device VMA. */
TEST_F(mt, place_fixed_middle_splits_anon)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	__u32 nr;
	char *o, *p;

	o = mt_anon(c, NULL, 5 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, o);
	strcpy(o, "head");
	strcpy(o + 4 * pg, "tail");
	nr = mt_nr_vmas(_metadata, c->fd);
	p = mt_map(_metadata, c, c->fd, p2u(o + 2 * pg), pg, 0, PROT_READ,
		   MMAP_TEST_SHARED | MMAP_TEST_FIXED);
	ASSERT_EQ(o + 2 * pg, p);
	ASSERT_EQ(nr + 2, mt_nr_vmas(_metadata, c->fd));
	r = mt_query(_metadata, c->fd, p2u(o));
	ASSERT_EQ(p2u(o + 2 * pg), r.vm_end) TH_LOG("%s", mt_report_str(&r));
	r = mt_query(_metadata, c->fd, p2u(o + 3 * pg));
	ASSERT_EQ(p2u(o + 3 * pg), r.vm_start) TH_LOG("%s", mt_report_str(&r));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, r.backing);
	r = mt_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_DEVICE, r.backing);
	ASSERT_STREQ("head", o);
	ASSERT_STREQ("tail", o + 4 * pg);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
}

/* The probed TASK_SIZE is what the architecture defines. */
TEST_F(mt, place_task_size_matches_arch)
{
	unsigned long ts = mt_task_size();

	TH_LOG("TASK_SIZE probed with MAP_FIXED_NOREPLACE: 0x%lx", ts);
#if defined(__x86_64__)
	ASSERT_TRUE(ts == 0x7ffffffff000UL || ts == 0xfffffffffff000UL)
		TH_LOG("TASK_SIZE 0x%lx", ts);
#elif defined(__aarch64__)
	ASSERT_TRUE(ts == 1UL << 48 || ts == 1UL << 52 || ts == 1UL << 47 ||
		    ts == 1UL << 39 || ts == 1UL << 42)
		TH_LOG("TASK_SIZE 0x%lx", ts);
#else
	ASSERT_LT(1UL << 32, ts);
#endif
	/* the last page below is usable, the first page above is not */
	ASSERT_TRUE(mt_page_in_range(ts - pg));
	ASSERT_FALSE(mt_page_in_range(ts));
}

/* ================================================================== */
/* 3. the four mapping kinds                                            */
/* ================================================================== */

FIXTURE(kinds) {
	struct mt_ctx c;
};

FIXTURE_VARIANT(kinds) {
	bool shared;
	bool anon;
};

FIXTURE_VARIANT_ADD(kinds, device_shared) { .shared = true, .anon = false };
FIXTURE_VARIANT_ADD(kinds, device_private) { .shared = false, .anon = false };
FIXTURE_VARIANT_ADD(kinds, anon_shared) { .shared = true, .anon = true };
FIXTURE_VARIANT_ADD(kinds, anon_private) { .shared = false, .anon = true };

#define KIND_PAGES	4

FIXTURE_SETUP(kinds)
{
	char *buf;
	unsigned long i;

	ctx_setup(_metadata, &self->c);
	ASSERT_LE((unsigned long)KIND_PAGES, self->c.bp);
	/* device page i is filled with 'A' + i */
	buf = malloc(pg);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < KIND_PAGES; i++) {
		memset(buf, 'A' + i, pg);
		ASSERT_EQ((ssize_t)pg, pwrite(self->c.fd, buf, pg, i * pg));
	}
	free(buf);
}

FIXTURE_TEARDOWN(kinds)
{
	ctx_teardown(_metadata, &self->c);
}

static __u32 kind_flags(const FIXTURE_VARIANT(kinds) *v)
{
	return (v->shared ? MMAP_TEST_SHARED : MMAP_TEST_PRIVATE) |
	       (v->anon ? MMAP_TEST_ANON : 0);
}

/* What page @i of a fresh mapping of this kind holds. */
static char kind_orig(const FIXTURE_VARIANT(kinds) *v, int i)
{
	return v->anon ? 0 : 'A' + i;
}

/* Whether len bytes at p all equal ch. */
static bool all_eq(const char *p, char ch, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != ch)
			return false;
	return true;
}

TEST_F(kinds, second_mapping)
{
	struct mt_ctx *c = &self->c;
	size_t len = 2 * pg;
	char *p, *q;

	p = mt_map(_metadata, c, c->fd, 0, len, 0, PROT_READ | PROT_WRITE,
		   kind_flags(variant));
	if (!variant->anon) {
		q = mt_map(_metadata, c, c->fd, 0, len, 0,
			   PROT_READ | PROT_WRITE, kind_flags(variant));
	} else if (variant->shared) {
		/* the same shmem object mapped twice */
		q = mremap(p, 0, len, MREMAP_MAYMOVE);
		ASSERT_NE(MAP_FAILED, q) TH_LOG("mremap dup: %s", strerror(errno));
		mt_track(c, q, len);
	} else {
		/* duplicating a private mapping is refused by the kernel */
		q = mremap(p, 0, len, MREMAP_MAYMOVE);
		ASSERT_EQ(MAP_FAILED, q);
		ASSERT_EQ(EINVAL, errno);
		q = mt_map(_metadata, c, c->fd, 0, len, 0,
			   PROT_READ | PROT_WRITE, kind_flags(variant));
	}
	ASSERT_NE(p, q);
	ASSERT_TRUE(all_eq(q + 512, kind_orig(variant, 0), 16));

	memset(p + 512, 'M', 16);
	ASSERT_TRUE(all_eq(q + 512, variant->shared ? 'M' : kind_orig(variant, 0), 16))
		TH_LOG("write through the first mapping %s the second",
		       variant->shared ? "invisible in" : "leaked into");
	memset(q + pg + 1024, 'Q', 16);
	ASSERT_TRUE(all_eq(p + pg + 1024, variant->shared ? 'Q' : kind_orig(variant, 1), 16))
		TH_LOG("write through the second mapping %s the first",
		       variant->shared ? "invisible in" : "leaked into");
}

/* Child forked before the parent writes; child writes after. */
TEST_F(kinds, fork_before_write)
{
	struct mt_ctx *c = &self->c;
	int to_child[2], to_parent[2], status;
	char ch = 0;
	char *p;
	pid_t pid;

	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		   kind_flags(variant));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int code = 0;

		if (read(to_child[0], &ch, 1) != 1)
			_exit(20);
		if (!all_eq(p + 512, variant->shared ? 'M' : kind_orig(variant, 0), 16)) {
			fprintf(stderr, "# child: parent's write %s\n",
				variant->shared ? "not visible" : "leaked into the child");
			code = 21;
		}
		memset(p + pg + 1024, 'C', 16);
		if (write(to_parent[1], "x", 1) != 1)
			code = 22;
		_exit(code);
	}
	memset(p + 512, 'M', 16);
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(1, read(to_parent[0], &ch, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_TRUE(all_eq(p + pg + 1024, variant->shared ? 'C' : kind_orig(variant, 1), 16))
		TH_LOG("child's write %s", variant->shared ? "not visible" : "leaked into the parent");
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

/*
 * Child forked after the parent's write sees it (a COW copy when
 * private); the parent's later write is visible only when shared.  A
 * device child also maps the device afresh and reads what the device
 * holds.
 */
TEST_F(kinds, fork_after_write)
{
	struct mt_ctx *c = &self->c;
	int to_child[2], to_parent[2], status;
	char ch = 0;
	char *p;
	pid_t pid;

	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		   kind_flags(variant));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	memset(p + 512, 'M', 16);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mmap_test_alloc a;
		int code = 0;

		if (!all_eq(p + 512, 'M', 16)) {
			fprintf(stderr, "# child: the write made before fork is missing\n");
			code = 21;
		}
		if (!variant->anon) {
			if (mt_alloc_raw(c->fd, 0, pg, 0, PROT_READ,
					 kind_flags(variant), &a)) {
				fprintf(stderr, "# child: ALLOC failed\n");
				code = 23;
			} else {
				char want = variant->shared ? 'M' : 'A';

				if (!all_eq((char *)u2p(a.mapped) + 512, want, 16)) {
					fprintf(stderr, "# child: a new mapping of the device does not show '%c'\n",
						want);
					code = 24;
				}
				munmap(u2p(a.mapped), pg);
			}
		}
		if (write(to_parent[1], "x", 1) != 1)
			code = 22;
		if (read(to_child[0], &ch, 1) != 1)
			_exit(20);
		if (!all_eq(p + pg + 2048, variant->shared ? 'P' : kind_orig(variant, 1), 16)) {
			fprintf(stderr, "# child: parent's post-fork write %s\n",
				variant->shared ? "not visible" : "leaked into the child");
			code = 25;
		}
		_exit(code);
	}
	ASSERT_EQ(1, read(to_parent[0], &ch, 1));
	memset(p + pg + 2048, 'P', 16);
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_TRUE(all_eq(p + 512, 'M', 16));
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

TEST_F(kinds, readonly_write_segv)
{
	struct mt_ctx *c = &self->c;
	char v = 0x55;
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ,
		   kind_flags(variant));
	ASSERT_EQ(0, mt_probe(p + 100, false, 0, &v));
	ASSERT_EQ(kind_orig(variant, 0), v);
	ASSERT_EQ(SIGSEGV, mt_probe(p + 100, true, 'W', NULL))
		TH_LOG("writing a PROT_READ mapping did not raise SIGSEGV");
	ASSERT_EQ(kind_orig(variant, 0), p[100]);
}

TEST_F(kinds, none_access_segv)
{
	struct mt_ctx *c = &self->c;
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, pg, 0, PROT_NONE,
		   kind_flags(variant));
	ASSERT_EQ(SIGSEGV, mt_probe(p, false, 0, NULL))
		TH_LOG("reading a PROT_NONE mapping did not raise SIGSEGV");
	ASSERT_EQ(SIGSEGV, mt_probe(p + 7, true, 'W', NULL))
		TH_LOG("writing a PROT_NONE mapping did not raise SIGSEGV");
	/* mprotect makes it readable and shows the original content */
	ASSERT_EQ(0, mprotect(p, pg, PROT_READ));
	ASSERT_EQ(0, mt_probe(p, false, 0, NULL));
	ASSERT_EQ(kind_orig(variant, 0), p[7]);
}

TEST_F(kinds, mprotect_upgrade_write)
{
	struct mt_ctx *c = &self->c;
	char buf[16];
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ,
		   kind_flags(variant));
	ASSERT_EQ(SIGSEGV, mt_probe(p + 64, true, 'W', NULL));
	ASSERT_EQ(0, mprotect(p, pg, PROT_READ | PROT_WRITE))
		TH_LOG("mprotect RW: %s", strerror(errno));
	ASSERT_EQ(0, mt_probe(p + 64, true, 'W', NULL));
	ASSERT_EQ('W', p[64]);
	if (!variant->anon) {
		ASSERT_EQ(1, pread(c->fd, buf, 1, 64));
		ASSERT_EQ(variant->shared ? 'W' : 'A', buf[0])
			TH_LOG("read() after a write through a %s mapping",
			       variant->shared ? "shared" : "private");
	}
}

/* read()/write() of the device vs. its mappings */
TEST_F(mt, kinds_shared_write_visible_to_read)
{
	struct mt_ctx *c = &self->c;
	char buf[32];
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		   MMAP_TEST_SHARED);
	strcpy(p + pg + 10, "shared write");
	ASSERT_EQ(13, pread(c->fd, buf, 13, pg + 10));
	ASSERT_STREQ("shared write", buf);
	/* and write() shows in the mapping */
	ASSERT_EQ(6, pwrite(c->fd, "fromw", 6, 300));
	ASSERT_STREQ("fromw", p + 300);
}

TEST_F(mt, kinds_private_write_invisible_to_read)
{
	struct mt_ctx *c = &self->c;
	char buf[64];
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		   MMAP_TEST_PRIVATE);
	strcpy(p, "private write");
	ASSERT_EQ((ssize_t)strlen(MMAP_TEST_GREETING),
		  pread(c->fd, buf, strlen(MMAP_TEST_GREETING), 0));
	ASSERT_EQ(0, memcmp(buf, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)))
		TH_LOG("a private write reached the device buffer");
	ASSERT_STREQ("private write", p);
}

/* ================================================================== */
/* 4. pages                                                             */
/* ================================================================== */

TEST_F(mt, pages_greeting)
{
	struct mt_ctx *c = &self->c;
	size_t glen = strlen(MMAP_TEST_GREETING);
	char buf[128];
	char *p;

	memset(buf, 0, sizeof(buf));
	ASSERT_EQ((ssize_t)glen, read(c->fd, buf, glen));
	ASSERT_STREQ(MMAP_TEST_GREETING, buf);
	p = mt_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ, MMAP_TEST_PRIVATE);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, glen));
}

TEST_F(mt, pages_tag_every_page)
{
	struct mt_ctx *c = &self->c;
	char tag[64], buf[64];
	unsigned long i;
	char *p;

	mt_tag_all(_metadata, c, c->fd);
	p = mt_map(_metadata, c, c->fd, 0, c->bp * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	for (i = 0; i < c->bp; i++) {
		mt_tag(tag, sizeof(tag), i);
		ASSERT_STREQ(tag, p + i * pg);
		ASSERT_EQ((ssize_t)strlen(tag) + 1,
			  pread(c->fd, buf, strlen(tag) + 1, i * pg));
		ASSERT_STREQ(tag, buf);
	}
}

TEST_F(mt, pages_pgoff_view)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	unsigned long P, N;
	char tag[64];
	char *p, *q;

	if (c->bp < 8)
		SKIP(return, "needs buffer_pages >= 8, module has %lu", c->bp);
	P = c->bp - 5;
	mt_tag_all(_metadata, c, c->fd);
	p = mt_map(_metadata, c, c->fd, 0, 4 * pg, P, PROT_READ,
		   MMAP_TEST_SHARED);
	q = mmap(NULL, 4 * pg, PROT_READ, MAP_PRIVATE, c->fd, P * pg);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mmap(2) pgoff %lu: %s", P, strerror(errno));
	mt_track(c, q, 4 * pg);
	for (N = 0; N < 4; N++) {
		mt_tag(tag, sizeof(tag), P + N);
		ASSERT_STREQ(tag, p + N * pg) TH_LOG("ALLOC pgoff %lu page %lu", P, N);
		ASSERT_STREQ(tag, q + N * pg) TH_LOG("mmap(2) pgoff %lu page %lu", P, N);
	}
	r = mt_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ((__u64)P, r.vm_pgoff);
	r = mt_query(_metadata, c->fd, p2u(q));
	ASSERT_EQ((__u64)P, r.vm_pgoff);
}

/*
 * pgoff counts pages of the running kernel: PAGE_SIZE, which is what
 * sysconf(_SC_PAGESIZE) says (16K on arm64-16k, where a 4K-unit pgoff
 * would read offset 4096 instead).
 */
TEST_F(mt, pages_pgoff_is_in_kernel_pages)
{
	struct mt_ctx *c = &self->c;
	const char at_page[] = "at byte offset PAGE_SIZE";
	const char at_4k[] = "at byte offset 4096";
	struct mmap_test_vma_report r;
	char *p;

	TH_LOG("PAGE_SIZE %lu", pg);
	if (pg > 4096)
		ASSERT_EQ((ssize_t)sizeof(at_4k),
			  pwrite(c->fd, at_4k, sizeof(at_4k), 4096));
	ASSERT_EQ((ssize_t)sizeof(at_page),
		  pwrite(c->fd, at_page, sizeof(at_page), pg));
	p = mt_map(_metadata, c, c->fd, 0, pg, 1, PROT_READ,
		   MMAP_TEST_SHARED);
	ASSERT_STREQ(at_page, p);
	r = mt_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ(1ULL, r.vm_pgoff);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, c->fd, pg);
	ASSERT_NE(MAP_FAILED, p);
	mt_track(c, p, pg);
	ASSERT_STREQ(at_page, p);
	ASSERT_EQ(1ULL, mt_query(_metadata, c->fd, p2u(p)).vm_pgoff);
}

TEST_F(mt, pages_map_past_buffer_einval)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_alloc a;
	unsigned long bp = c->bp;
	struct { unsigned long pgoff, pages; } cases[] = {
		{ bp - 1, 2 }, { bp, 1 }, { 0, bp + 1 }, { bp + 100, 1 },
	};
	__u32 nr = mt_nr_vmas(_metadata, c->fd);
	char *p;
	size_t i;
	int ret;

	for (i = 0; i < MT_ARRAY_SIZE(cases); i++) {
		ret = mt_alloc_raw(c->fd, 0, cases[i].pages * pg, cases[i].pgoff,
				   PROT_READ, MMAP_TEST_SHARED, &a);
		if (!ret)
			mt_track(c, u2p(a.mapped), cases[i].pages * pg);
		ASSERT_EQ(-EINVAL, ret) TH_LOG("ALLOC pgoff %lu + %lu pages of %lu: %s",
					       cases[i].pgoff, cases[i].pages, bp,
					       mt_errno_name(ret));
		ASSERT_EQ(0ULL, a.mapped);
		ASSERT_EQ(EINVAL, mmap_errno(0, cases[i].pages * pg, PROT_READ,
					     MAP_SHARED, c->fd,
					     cases[i].pgoff * pg))
			TH_LOG("mmap(2) pgoff %lu + %lu pages", cases[i].pgoff,
			       cases[i].pages);
	}
	ASSERT_EQ(nr, mt_nr_vmas(_metadata, c->fd));
	/* the exact fits work */
	p = mt_map(_metadata, c, c->fd, 0, pg, bp - 1, PROT_READ,
		   MMAP_TEST_SHARED);
	ASSERT_EQ(0, mt_unmap(c, p, pg));
	p = mt_map(_metadata, c, c->fd, 0, bp * pg, 0, PROT_READ,
		   MMAP_TEST_PRIVATE);
	ASSERT_EQ(0, mt_unmap(c, p, bp * pg));
}

/* Touch pages 0,2,3,5,7 of 8 with writes, twice each. */
static const int touched[] = { 0, 2, 3, 5, 7, 0, 3, 7 };
#define NR_TOUCHED	5

/*
 * Map 8 pages read-write with @share, write the touched[] pages and check
 * that the file counted one fault per distinct page.  Write faults never use
 * fault-around, so the count is exact for private and shared mappings alike.
 */
static void write_touched_pages(struct __test_metadata *_metadata,
				struct mt_ctx *c, __u32 share,
				struct mmap_test_stats *s0,
				struct mmap_test_stats *s1)
{
	size_t i;
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, 8 * pg, 0, PROT_READ | PROT_WRITE,
		   share);
	*s0 = mt_stats(_metadata, c->fd);
	for (i = 0; i < MT_ARRAY_SIZE(touched); i++)
		p[touched[i] * pg + 5] = 'w';
	*s1 = mt_stats(_metadata, c->fd);
	ASSERT_EQ((__u64)NR_TOUCHED, s1->faults - s0->faults)
		TH_LOG("%d distinct pages written, %llu faults counted",
		       NR_TOUCHED, (unsigned long long)(s1->faults - s0->faults));
}

TEST_F(mt, pages_faults_private_write_exact)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;

	if (c->bp < 8)
		SKIP(return, "needs buffer_pages >= 8, module has %lu", c->bp);
	write_touched_pages(_metadata, c, MMAP_TEST_PRIVATE, &s0, &s1);
	ASSERT_EQ(s1.faults - s0.faults, s1.total_faults - s0.total_faults);
	ASSERT_EQ(0ULL, s1.pages_around - s0.pages_around);
}

TEST_F(mt, pages_faults_shared_write_exact)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;

	if (c->bp < 8)
		SKIP(return, "needs buffer_pages >= 8, module has %lu", c->bp);
	write_touched_pages(_metadata, c, MMAP_TEST_SHARED, &s0, &s1);
}

TEST_F(mt, pages_faults_shared_read_bounded)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	volatile char sink;
	size_t i;
	char *p;

	if (c->bp < 8)
		SKIP(return, "needs buffer_pages >= 8, module has %lu", c->bp);
	p = mt_map(_metadata, c, c->fd, 0, 8 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	s0 = mt_stats(_metadata, c->fd);
	for (i = 0; i < MT_ARRAY_SIZE(touched); i++)
		sink = p[touched[i] * pg + 5];
	(void)sink;
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_LE(1ULL, s1.faults - s0.faults);
	ASSERT_GE((__u64)NR_TOUCHED, s1.faults - s0.faults)
		TH_LOG("%llu faults for %d distinct pages read",
		       (unsigned long long)(s1.faults - s0.faults), NR_TOUCHED);
	ASSERT_GE(8ULL, s1.pages_around - s0.pages_around);
}

/* The pages were allocated on first use and are counted. */
TEST_F(mt, pages_allocated_on_use)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s;
	volatile char sink;
	char *p;

	if (c->bp < 8)
		SKIP(return, "needs buffer_pages >= 8, module has %lu", c->bp);
	p = mt_map(_metadata, c, c->fd, 0, 8 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	sink = p[6 * pg];
	(void)sink;
	s = mt_stats(_metadata, c->fd);
	ASSERT_LE(1ULL, s.pages);
	ASSERT_GE((__u64)c->bp, s.pages);
	ASSERT_LE(s.pages, s.total_pages);
	ASSERT_LE(c->base.total_pages + s.pages - c->base.pages, s.total_pages);
}

TEST_F(mt, pages_populate_shared_no_refault)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1, s2;
	volatile char sink;
	unsigned long i;
	char *p;

	if (c->bp < 8)
		SKIP(return, "needs buffer_pages >= 8, module has %lu", c->bp);
	s0 = mt_stats(_metadata, c->fd);
	p = mt_map(_metadata, c, c->fd, 0, 8 * pg, 0, PROT_READ | PROT_WRITE,
		   MMAP_TEST_SHARED | MMAP_TEST_POPULATE);
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_LE(1ULL, s1.faults - s0.faults) TH_LOG("POPULATE faulted nothing in");
	ASSERT_GE(8ULL, s1.faults - s0.faults);
	for (i = 0; i < 8; i++)
		sink = p[i * pg + 9];
	(void)sink;
	s2 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(0ULL, s2.faults - s1.faults)
		TH_LOG("touching populated pages faulted %llu times",
		       (unsigned long long)(s2.faults - s1.faults));
}

TEST_F(mt, pages_populate_private_no_refault)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1, s2;
	unsigned long i;
	char *p;

	if (c->bp < 8)
		SKIP(return, "needs buffer_pages >= 8, module has %lu", c->bp);
	s0 = mt_stats(_metadata, c->fd);
	p = mt_map(_metadata, c, c->fd, 0, 8 * pg, 0, PROT_READ | PROT_WRITE,
		   MMAP_TEST_PRIVATE | MMAP_TEST_POPULATE);
	s1 = mt_stats(_metadata, c->fd);
	/* populate of a private writable mapping write-faults every page */
	ASSERT_EQ(8ULL, s1.faults - s0.faults)
		TH_LOG("POPULATE of 8 private pages: %llu faults",
		       (unsigned long long)(s1.faults - s0.faults));
	for (i = 0; i < 8; i++)
		p[i * pg + 2048] = 'x';
	s2 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(0ULL, s2.faults - s1.faults)
		TH_LOG("touching populated pages faulted %llu times",
		       (unsigned long long)(s2.faults - s1.faults));
	/* the COW copies hold the device content */
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
}

/*
 * Sequential read of 64 shared pages: fault-around keeps it to at most two
 * faults per fault-around window (fault_around_bytes, 64 KiB by default:
 * 16 pages of 4 KiB, 4 pages of 16 KiB), so <= 8 faults with 4 KiB pages.
 */
TEST_F(mt, fault_around_64_pages)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	unsigned long long window = 65536, max_faults;
	volatile char sink;
	unsigned long i;
	FILE *f;
	char *p;

	if (c->bp < 64)
		SKIP(return, "buffer_pages is %lu, needs >= 64 (load the module with buffer_pages=256)",
		     c->bp);
	f = fopen("/sys/kernel/debug/fault_around_bytes", "r");
	if (!f || fscanf(f, "%llu", &window) != 1)
		TH_LOG("no debugfs fault_around_bytes: assuming the default 65536");
	if (f)
		fclose(f);
	window /= pg;
	ASSERT_LE(2ULL, window)
		TH_LOG("fault_around_bytes is below two pages: no fault-around to test");
	max_faults = 2 * (64 + window - 1) / window;
	p = mt_map(_metadata, c, c->fd, 0, 64 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	s0 = mt_stats(_metadata, c->fd);
	for (i = 0; i < 64; i++)
		sink = p[i * pg];
	(void)sink;
	s1 = mt_stats(_metadata, c->fd);
	TH_LOG("%llu faults, %llu pages mapped around (window %llu pages)",
	       (unsigned long long)(s1.faults - s0.faults),
	       (unsigned long long)(s1.pages_around - s0.pages_around), window);
	ASSERT_LE(1ULL, s1.faults - s0.faults);
	ASSERT_GE(max_faults, s1.faults - s0.faults)
		TH_LOG("%llu faults for 64 sequential pages, more than %llu: no fault-around (->map_pages)",
		       (unsigned long long)(s1.faults - s0.faults), max_faults);
	ASSERT_LE(56ULL, s1.pages_around - s0.pages_around);
}

/* ================================================================== */
/* 5. VMA lifecycle                                                     */
/* ================================================================== */

TEST_F(mt, life_anon_allocs_merge)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	__u32 nr0;
	char *g, *a, *b;

	/* PROT_NONE guard pages on both sides keep other VMAs out */
	g = mt_anon(c, NULL, 6 * pg, PROT_NONE, MAP_PRIVATE);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, munmap(g + pg, 4 * pg));
	nr0 = mt_nr_vmas(_metadata, c->fd);
	a = mt_map(_metadata, c, c->fd, p2u(g + pg), 2 * pg, 0,
		   PROT_READ | PROT_WRITE,
		   MMAP_TEST_PRIVATE | MMAP_TEST_ANON | MMAP_TEST_FIXED_NOREPLACE);
	ASSERT_EQ(g + pg, a);
	ASSERT_EQ(nr0 + 1, mt_nr_vmas(_metadata, c->fd));
	b = mt_map(_metadata, c, c->fd, p2u(g + 3 * pg), 2 * pg, 0,
		   PROT_READ | PROT_WRITE,
		   MMAP_TEST_PRIVATE | MMAP_TEST_ANON | MMAP_TEST_FIXED_NOREPLACE);
	ASSERT_EQ(g + 3 * pg, b);
	r = mt_query(_metadata, c->fd, p2u(a));
	ASSERT_EQ(nr0 + 1, r.nr_vmas) TH_LOG("adjacent compatible anon VMAs did not merge");
	ASSERT_EQ(p2u(a), r.vm_start);
	ASSERT_EQ(p2u(b + 2 * pg), r.vm_end);
}

/* Device VMAs never merge (they have ->close): two ALLOCs, two VMAs. */
TEST_F(mt, life_device_allocs_do_not_merge)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s;
	__u32 nr0;
	char *g;

	g = mt_anon(c, NULL, 6 * pg, PROT_NONE, MAP_PRIVATE);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, munmap(g + pg, 4 * pg));
	nr0 = mt_nr_vmas(_metadata, c->fd);
	mt_map(_metadata, c, c->fd, p2u(g + pg), 2 * pg, 0, PROT_READ,
	       MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE);
	mt_map(_metadata, c, c->fd, p2u(g + 3 * pg), 2 * pg, 2, PROT_READ,
	       MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE);
	ASSERT_EQ(nr0 + 2, mt_nr_vmas(_metadata, c->fd));
	s = mt_stats(_metadata, c->fd);
	ASSERT_EQ(2ULL, s.live_vmas);
	ASSERT_EQ(2, mt_count_dev_vmas(_metadata, c->fd, p2u(g), p2u(g + 6 * pg)));
}

/* FREE of the middle page of a 3-page device VMA splits it in two. */
TEST_F(mt, life_partial_free_splits)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1, s2;
	struct mmap_test_vma_report r;
	__u32 nr0;
	char *p;

	mt_tag_all(_metadata, c, c->fd);
	p = mt_map(_metadata, c, c->fd, 0, 3 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	s0 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(1ULL, s0.live_vmas);
	nr0 = mt_nr_vmas(_metadata, c->fd);
	ASSERT_EQ(0, mt_free_raw(c->fd, p2u(p + pg), pg));
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(2ULL, s1.live_vmas);
	ASSERT_EQ(2ULL, s1.vma_opens - s0.vma_opens)
		TH_LOG("two splits, two ->open calls expected");
	ASSERT_EQ(1ULL, s1.vma_closes - s0.vma_closes);
	ASSERT_EQ(s0.total_live_vmas + 1, s1.total_live_vmas);
	ASSERT_EQ(nr0 + 1, mt_nr_vmas(_metadata, c->fd));
	ASSERT_EQ(2, mt_count_dev_vmas(_metadata, c->fd, p2u(p), p2u(p + 3 * pg)));
	r = mt_query(_metadata, c->fd, p2u(p + 2 * pg));
	ASSERT_EQ(p2u(p + 2 * pg), r.vm_start);
	ASSERT_EQ(2ULL, r.vm_pgoff);
	ASSERT_EQ(0, strncmp(p + 2 * pg, "mmap-test buffer page 000002", 28));
	r = mt_query(_metadata, c->fd, p2u(p + pg));
	ASSERT_EQ(0U, r.contains);
	/* the hole faults */
	ASSERT_EQ(SIGSEGV, mt_probe(p + pg, false, 0, NULL));
	ASSERT_EQ(0, mt_free_raw(c->fd, p2u(p), 3 * pg));
	mt_untrack(c, p, 3 * pg);
	s2 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(0ULL, s2.live_vmas);
	ASSERT_EQ(s1.vma_closes + 2, s2.vma_closes);
}

/* munmap(2) of the head page: one split, the head closed, one VMA left. */
TEST_F(mt, life_munmap_head_page)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	struct mmap_test_vma_report r;
	char *p;

	mt_tag_all(_metadata, c, c->fd);
	p = mt_map(_metadata, c, c->fd, 0, 3 * pg, 0, PROT_READ,
		   MMAP_TEST_PRIVATE);
	s0 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(0, munmap(p, pg));
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(1ULL, s1.live_vmas);
	ASSERT_EQ(1ULL, s1.vma_opens - s0.vma_opens);
	ASSERT_EQ(1ULL, s1.vma_closes - s0.vma_closes);
	r = mt_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ(0U, r.contains);
	ASSERT_EQ(p2u(p + pg), r.vm_start);
	ASSERT_EQ(1ULL, r.vm_pgoff);
	ASSERT_EQ(0, strncmp(p + pg, "mmap-test buffer page 000001", 28));
}

TEST_F(mt, life_mremap_shrink)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	struct mmap_test_vma_report r;
	__u32 nr0;
	char *p, *q;

	p = mt_map(_metadata, c, c->fd, 0, 4 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	nr0 = mt_nr_vmas(_metadata, c->fd);
	s0 = mt_stats(_metadata, c->fd);
	q = mremap(p, 4 * pg, 2 * pg, 0);
	ASSERT_EQ(p, q) TH_LOG("mremap shrink: %s", strerror(errno));
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(1ULL, s1.live_vmas);
	ASSERT_EQ(s1.vma_opens - s0.vma_opens, s1.vma_closes - s0.vma_closes);
	r = mt_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ(p2u(p + 2 * pg), r.vm_end);
	ASSERT_EQ(nr0, r.nr_vmas);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
}

TEST_F(mt, life_mremap_expand_efault)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	s0 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(MAP_FAILED, mremap(p, 2 * pg, 4 * pg, 0));
	ASSERT_EQ(EFAULT, errno) TH_LOG("mremap grow in place: %s", strerror(errno));
	ASSERT_EQ(MAP_FAILED, mremap(p, 2 * pg, 4 * pg, MREMAP_MAYMOVE));
	ASSERT_EQ(EFAULT, errno) TH_LOG("mremap grow, may move: %s", strerror(errno));
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(s0.live_vmas, s1.live_vmas);
	ASSERT_EQ(s0.vma_opens, s1.vma_opens);
}

/* mremap moving a device VMA (same size) keeps one live VMA. */
TEST_F(mt, life_mremap_move)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s;
	struct mmap_test_vma_report r;
	char *p, *h, *q;

	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	h = mt_hole(4);
	ASSERT_NE(NULL, h);
	q = mremap(p, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, h + pg);
	ASSERT_EQ(h + pg, q) TH_LOG("mremap move: %s", strerror(errno));
	mt_untrack(c, p, 2 * pg);
	mt_track(c, q, 2 * pg);
	s = mt_stats(_metadata, c->fd);
	ASSERT_EQ(1ULL, s.live_vmas);
	r = mt_query(_metadata, c->fd, p2u(q));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_DEVICE, r.backing);
	ASSERT_EQ(0ULL, r.vm_pgoff);
	ASSERT_EQ(0, memcmp(q, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
}

TEST_F(mt, life_mprotect_middle_splits)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	struct mmap_test_vma_report r;
	__u32 nr0;
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, 3 * pg, 0, PROT_READ | PROT_WRITE,
		   MMAP_TEST_SHARED);
	nr0 = mt_nr_vmas(_metadata, c->fd);
	s0 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(0, mprotect(p + pg, pg, PROT_READ));
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(3ULL, s1.live_vmas);
	ASSERT_EQ(2ULL, s1.vma_opens - s0.vma_opens);
	ASSERT_EQ(0ULL, s1.vma_closes - s0.vma_closes);
	ASSERT_EQ(nr0 + 2, mt_nr_vmas(_metadata, c->fd));
	ASSERT_EQ(3, mt_count_dev_vmas(_metadata, c->fd, p2u(p), p2u(p + 3 * pg)));
	r = mt_query(_metadata, c->fd, p2u(p + pg));
	ASSERT_EQ(0ULL, r.flags & VF_WRITE);
	ASSERT_EQ(1ULL, r.vm_pgoff);
	ASSERT_EQ(SIGSEGV, mt_probe(p + pg, true, 'x', NULL));
	ASSERT_EQ(0, mt_probe(p + 2 * pg, true, 'x', NULL));
	/* back to RW: however many VMAs result, the count matches */
	ASSERT_EQ(0, mprotect(p + pg, pg, PROT_READ | PROT_WRITE));
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_EQ((__u64)mt_count_dev_vmas(_metadata, c->fd, p2u(p),
					   p2u(p + 3 * pg)), s1.live_vmas);
	ASSERT_EQ(0, mt_unmap(c, p, 3 * pg));
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(0ULL, s1.live_vmas);
}

TEST_F(mt, life_madvise_dontneed_shared)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		   MMAP_TEST_SHARED);
	strcpy(p + pg + 8, "survives");
	ASSERT_EQ(0, madvise(p, 2 * pg, MADV_DONTNEED));
	s0 = mt_stats(_metadata, c->fd);
	ASSERT_STREQ("survives", p + pg + 8);
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_LE(1ULL, s1.faults - s0.faults) TH_LOG("no re-fault after MADV_DONTNEED");
	ASSERT_EQ(1ULL, s1.live_vmas);
}

TEST_F(mt, life_madvise_dontneed_private)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		   MMAP_TEST_PRIVATE);
	memcpy(p, "overwritten privately", 22);
	ASSERT_EQ(0, madvise(p, 2 * pg, MADV_DONTNEED));
	s0 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)))
		TH_LOG("private content did not revert to the device's");
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_LE(1ULL, s1.faults - s0.faults);
	ASSERT_EQ(1ULL, s1.live_vmas);
}

TEST_F(mt, life_fork_counts)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1, s2;
	int status, to_parent[2], to_child[2];
	char ch;
	pid_t pid;
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		   MMAP_TEST_SHARED);
	mt_map(_metadata, c, c->fd, 0, pg, 1, PROT_READ, MMAP_TEST_PRIVATE);
	s0 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(2ULL, s0.live_vmas);
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		p[100] = 'c';
		if (write(to_parent[1], "x", 1) != 1 ||
		    read(to_child[0], &ch, 1) != 1)
			_exit(20);
		_exit(0);
	}
	ASSERT_EQ(1, read(to_parent[0], &ch, 1));
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(4ULL, s1.live_vmas) TH_LOG("fork must ->open each device VMA");
	ASSERT_EQ(2ULL, s1.vma_opens - s0.vma_opens);
	ASSERT_EQ(s0.total_live_vmas + 2, s1.total_live_vmas);
	ASSERT_EQ('c', p[100]);
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	s2 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(2ULL, s2.live_vmas) TH_LOG("child's VMAs not closed at exit");
	ASSERT_EQ(2ULL, s2.vma_closes - s1.vma_closes);
	ASSERT_EQ(s0.total_live_vmas, s2.total_live_vmas);
}

/* ================================================================== */
/* 6. FREE                                                              */
/* ================================================================== */

TEST_F(mt, free_unmapped_ok)
{
	struct mt_ctx *c = &self->c;
	char *h = mt_hole(4);
	__u32 nr;

	ASSERT_NE(NULL, h);
	nr = mt_nr_vmas(_metadata, c->fd);
	ASSERT_EQ(0, mt_free_raw(c->fd, p2u(h), 4 * pg));
	ASSERT_EQ(0, munmap_errno(p2u(h), 4 * pg));
	ASSERT_EQ(nr, mt_nr_vmas(_metadata, c->fd));
}

TEST_F(mt, free_whole_device_vma)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	__u32 nr;
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, 3 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	nr = mt_nr_vmas(_metadata, c->fd);
	s0 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(0, mt_free_raw(c->fd, p2u(p), 3 * pg));
	mt_untrack(c, p, 3 * pg);
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(0ULL, s1.live_vmas);
	ASSERT_EQ(1ULL, s1.vma_closes - s0.vma_closes);
	ASSERT_EQ(nr - 1, mt_nr_vmas(_metadata, c->fd));
	ASSERT_EQ(SIGSEGV, mt_probe(p, false, 0, NULL));
}

/* FREE and munmap(2) agree on every invalid range. */
TEST_F(mt, free_invalid_ranges_einval)
{
	struct mt_ctx *c = &self->c;
	unsigned long ts = mt_task_size();
	char *h = mt_hole(2);
	struct { unsigned long addr, len; const char *what; } cases[] = {
		{ p2u(h) + 1, pg, "unaligned" },
		{ p2u(h) + pg / 2, pg, "half page" },
		{ p2u(h), 0, "zero length" },
		{ p2u(h), -p2u(h), "addr + len wraps to 0" },
		{ p2u(h), ~0UL & ~(pg - 1), "addr + len wraps" },
		{ p2u(h), ~0UL, "len aligns to 0" },
		{ ts, pg, "at TASK_SIZE" },
		{ ts + 16 * pg, pg, "past TASK_SIZE" },
		{ ts - pg, 2 * pg, "ends past TASK_SIZE" },
		{ ~0UL & ~(pg - 1), pg, "last page of the address space" },
	};
	__u32 nr;
	size_t i;
	int ret;

	ASSERT_NE(NULL, h);
	nr = mt_nr_vmas(_metadata, c->fd);
	for (i = 0; i < MT_ARRAY_SIZE(cases); i++) {
		ret = mt_free_raw(c->fd, cases[i].addr, cases[i].len);
		ASSERT_EQ(-EINVAL, ret) TH_LOG("FREE %s (0x%lx, 0x%lx): %s",
					       cases[i].what, cases[i].addr,
					       cases[i].len, mt_errno_name(ret));
		ASSERT_EQ(EINVAL, munmap_errno(cases[i].addr, cases[i].len))
			TH_LOG("munmap %s", cases[i].what);
	}
	ASSERT_EQ(nr, mt_nr_vmas(_metadata, c->fd));
}

/*
 * Tagged pointers (arm64 top-byte-ignore): munmap(2) untags its address
 * with untagged_addr(), so FREE and QUERY do too.  The tagged-address ABI
 * (PR_SET_TAGGED_ADDR_CTRL) is what a program that passes tagged pointers
 * to syscalls enables; munmap() untags with or without it.  Only the
 * address inside the argument is tagged: the ioctl's argument pointer is
 * not (access_ok() of tagged pointers is a separate matter).
 */
#ifndef PR_SET_TAGGED_ADDR_CTRL
#define PR_SET_TAGGED_ADDR_CTRL	55
#endif
#ifndef PR_TAGGED_ADDR_ENABLE
#define PR_TAGGED_ADDR_ENABLE	(1UL << 0)
#endif

static const unsigned char mt_tags[] = { 0x01, 0x5a, 0xff };

static __u64 mt_tagged(__u64 addr, unsigned char tag)
{
	return (addr & ~(0xffULL << 56)) | ((__u64)tag << 56);
}

/* Enable the tagged-address ABI; log (not fail) where it is missing. */
static void mt_tagged_abi(struct __test_metadata *_metadata)
{
	if (prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE, 0, 0, 0))
		TH_LOG("PR_SET_TAGGED_ADDR_CTRL: %s (munmap(2) untags anyway)",
		       strerror(errno));
}

TEST_F(mt, free_tagged_pointer_like_munmap)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	struct mmap_test_stats s;
	int ref, ret;
	size_t i;
	char *p;

#ifndef __aarch64__
	SKIP(return, "tagged user pointers are arm64's top-byte-ignore; x86 LAM is not enabled here, so untagged_addr() is the identity");
#endif
	mt_tagged_abi(_metadata);
	for (i = 0; i < MT_ARRAY_SIZE(mt_tags); i++) {
		/* The reference: munmap(2) of a tagged anonymous mapping. */
		p = mt_anon(c, NULL, 2 * pg, PROT_READ, MAP_PRIVATE);
		ASSERT_NE(NULL, p);
		ref = munmap_errno(mt_tagged(p2u(p), mt_tags[i]), 2 * pg);
		if (!ref)
			mt_untrack(c, p, 2 * pg);
		r = mt_query(_metadata, c->fd, p2u(p));
		ASSERT_EQ(ref ? 1U : 0U, r.contains)
			TH_LOG("munmap(2) of tag 0x%02x gave %s", mt_tags[i],
			       mt_errno_name(ref));

		/* The same through FREE, on a device mapping. */
		p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ,
			   MMAP_TEST_SHARED);
		ret = mt_free_raw(c->fd, mt_tagged(p2u(p), mt_tags[i]), 2 * pg);
		if (!ret)
			mt_untrack(c, p, 2 * pg);
		ASSERT_EQ(-ref, ret)
			TH_LOG("tag 0x%02x: FREE %s, munmap(2) %s", mt_tags[i],
			       mt_errno_name(ret), mt_errno_name(ref));
		r = mt_query(_metadata, c->fd, p2u(p));
		ASSERT_EQ(ref ? 1U : 0U, r.contains);
		s = mt_stats(_metadata, c->fd);
		ASSERT_EQ(ref ? 1ULL : 0ULL, s.live_vmas);
		if (ref)
			ASSERT_EQ(0, mt_unmap(c, p, 2 * pg));
	}
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
	SKIP(return, "tagged user pointers are arm64's top-byte-ignore; x86 LAM is not enabled here, so untagged_addr() is the identity");
#endif
	mt_tagged_abi(_metadata);
	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	h = mt_hole(4);
	ASSERT_NE(NULL, h);
	addrs[0] = p2u(p) + pg + 123;	/* inside a device VMA */
	addrs[1] = p2u(h) + pg;		/* in a hole */
	addrs[2] = 0;			/* below every VMA */
	for (i = 0; i < MT_ARRAY_SIZE(addrs); i++) {
		want = mt_query(_metadata, c->fd, addrs[i]);
		for (j = 0; j < MT_ARRAY_SIZE(mt_tags); j++) {
			memset(&q, 0xaa, sizeof(q));
			q.addr = mt_tagged(addrs[i], mt_tags[j]);
			q.reserved = 0;
			ret = mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q);
			ASSERT_EQ(0, ret) TH_LOG("QUERY 0x%llx: %s",
						 (unsigned long long)q.addr,
						 mt_errno_name(ret));
			ASSERT_EQ(mt_tagged(addrs[i], mt_tags[j]), q.addr)
				TH_LOG("QUERY changed its input address");
			ASSERT_EQ(0, memcmp(&want, &q.report, sizeof(want)))
				TH_LOG("QUERY 0x%llx: %s; untagged: %s",
				       (unsigned long long)q.addr,
				       mt_report_str(&q.report),
				       mt_report_str(&want));
		}
	}
}

/* FREE over a range with two VMAs and holes unmaps both. */
TEST_F(mt, free_spanning_range)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s;
	char *g;
	__u32 nr0;

	g = mt_anon(c, NULL, 8 * pg, PROT_NONE, MAP_PRIVATE);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, munmap(g + pg, 6 * pg));
	nr0 = mt_nr_vmas(_metadata, c->fd);
	mt_map(_metadata, c, c->fd, p2u(g + 2 * pg), pg, 0, PROT_READ,
	       MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE);
	mt_map(_metadata, c, c->fd, p2u(g + 4 * pg), 2 * pg, 0, PROT_READ,
	       MMAP_TEST_PRIVATE | MMAP_TEST_FIXED_NOREPLACE);
	ASSERT_EQ(nr0 + 2, mt_nr_vmas(_metadata, c->fd));
	ASSERT_EQ(0, mt_free_raw(c->fd, p2u(g + pg), 6 * pg));
	ASSERT_EQ(nr0, mt_nr_vmas(_metadata, c->fd));
	s = mt_stats(_metadata, c->fd);
	ASSERT_EQ(0ULL, s.live_vmas);
}

/* ================================================================== */
/* 7. lifetimes                                                         */
/* ================================================================== */

static void lifetime_check(struct __test_metadata *_metadata,
			   struct mt_ctx *c, bool via_ioctl)
{
	struct mmap_test_stats s0, s1, s2;
	struct mmap_test_vma_report r;
	int fd2, fd3;
	char *p;

	s0 = mt_stats(_metadata, c->fd);
	fd2 = mt_open_extra(c, O_RDWR);
	ASSERT_LE(0, fd2);
	if (via_ioctl) {
		p = mt_map(_metadata, c, fd2, 0, 2 * pg, 0,
			   PROT_READ | PROT_WRITE, MMAP_TEST_SHARED);
	} else {
		p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd2, 0);
		ASSERT_NE(MAP_FAILED, p);
		mt_track(c, p, 2 * pg);
	}
	strcpy(p + pg, "before close");
	mt_close_extra(c, fd2);

	/* the mapping still works */
	ASSERT_STREQ("before close", p + pg);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
	strcpy(p + pg + 100, "after close");
	ASSERT_STREQ("after close", p + pg + 100);
	r = mt_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_DEVICE, r.backing);

	/* the old file is still counted */
	fd3 = mt_open_extra(c, O_RDWR);
	ASSERT_LE(0, fd3);
	s1 = mt_stats(_metadata, fd3);
	ASSERT_EQ(s0.total_files + 2, s1.total_files)
		TH_LOG("closed-but-mapped file not counted in total_files");
	ASSERT_EQ(s0.total_live_vmas + 1, s1.total_live_vmas);
	ASSERT_EQ(0ULL, s1.live_vmas);
	ASSERT_LE(s0.total_pages + 2, s1.total_pages);

	ASSERT_EQ(0, mt_unmap(c, p, 2 * pg));
	s2 = mt_stats(_metadata, fd3);
	ASSERT_EQ(s0.total_files + 1, s2.total_files)
		TH_LOG("file not released with its last mapping");
	ASSERT_EQ(s0.total_live_vmas, s2.total_live_vmas);
	ASSERT_EQ(s0.total_pages + s2.pages, s2.total_pages)
		TH_LOG("buffer pages not freed at the last release");
	mt_close_extra(c, fd3);
}

TEST_F(mt, lifetime_alloc_outlives_fd)
{
	lifetime_check(_metadata, &self->c, true);
}

TEST_F(mt, lifetime_mmap_outlives_fd)
{
	lifetime_check(_metadata, &self->c, false);
}

/* Each open file has its own buffer; total_files follows open/close. */
TEST_F(mt, lifetime_files_independent)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1, s2;
	char buf[64];
	int fd2;

	s0 = mt_stats(_metadata, c->fd);
	fd2 = mt_open_extra(c, O_RDWR);
	ASSERT_LE(0, fd2);
	s1 = mt_stats(_metadata, fd2);
	ASSERT_EQ(s0.total_files + 1, s1.total_files);
	ASSERT_EQ(0ULL, s1.faults);
	ASSERT_EQ(0ULL, s1.live_vmas);
	ASSERT_EQ(6, pwrite(fd2, "other", 6, 0));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(10, pread(c->fd, buf, 10, 0));
	ASSERT_EQ(0, memcmp(buf, MMAP_TEST_GREETING, 10))
		TH_LOG("a write to one open file changed another's buffer");
	mt_close_extra(c, fd2);
	s2 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(s0.total_files, s2.total_files);
}

/* read()/write()/lseek() see the bytes the mappings see. */
TEST_F(mt, lifetime_rw_lseek)
{
	struct mt_ctx *c = &self->c;
	off_t size = (off_t)(c->bp * pg);
	char buf[16];
	char *p;

	ASSERT_EQ(size, lseek(c->fd, 0, SEEK_END));
	ASSERT_EQ((off_t)pg + 5, lseek(c->fd, pg + 5, SEEK_SET));
	ASSERT_EQ(4, write(c->fd, "abc", 4));
	ASSERT_EQ((off_t)pg + 9, lseek(c->fd, 0, SEEK_CUR));
	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED);
	ASSERT_STREQ("abc", p + pg + 5);
	/* the last byte can be written, the next one not */
	ASSERT_EQ(1, pwrite(c->fd, "z", 1, size - 1));
	ASSERT_EQ(1, pread(c->fd, buf, 4, size - 1));
	ASSERT_EQ('z', buf[0]);
	ASSERT_EQ(0, pread(c->fd, buf, 4, size));
}

/* ================================================================== */
/* 8. bad input, one reported test per case                            */
/* ================================================================== */

FIXTURE(bad) {
	struct mt_ctx c;
};

typedef int (*bad_fn)(struct __test_metadata *_metadata, struct mt_ctx *c);

FIXTURE_VARIANT(bad) {
	bad_fn fn;
	int expect;		/* 0 or -errno */
};

FIXTURE_SETUP(bad)
{
	ctx_setup(_metadata, &self->c);
}

FIXTURE_TEARDOWN(bad)
{
	ctx_teardown(_metadata, &self->c);
}

/* maps and device VMAs unchanged around every case */
TEST_F(bad, returns)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	__u32 nr0, nr1;
	int ret;

	nr0 = mt_nr_vmas(_metadata, c->fd);
	s0 = mt_stats(_metadata, c->fd);
	ret = variant->fn(_metadata, c);
	ASSERT_EQ(variant->expect, ret)
		TH_LOG("got %s, the contract says %s", mt_errno_name(ret),
		       mt_errno_name(variant->expect));
	nr1 = mt_nr_vmas(_metadata, c->fd);
	ASSERT_EQ(nr0, nr1) TH_LOG("the address space changed: %u -> %u VMAs", nr0, nr1);
	s1 = mt_stats(_metadata, c->fd);
	ASSERT_EQ(s0.live_vmas, s1.live_vmas);
	ASSERT_EQ(s0.total_live_vmas, s1.total_live_vmas);
}

#define BAD_CASE(name, err)						\
	static int bad_##name(struct __test_metadata *_metadata,	\
			      struct mt_ctx *c);			\
	FIXTURE_VARIANT_ADD(bad, name) { .fn = bad_##name, .expect = err }; \
	static int bad_##name(struct __test_metadata __attribute__((unused)) *_metadata, \
			      struct mt_ctx *c)

enum { COPY_NONE = 1, COPY_BEFORE };

/*
 * Run ALLOC with @in; on the expected error check what was copied out:
 * COPY_NONE (validation error: the struct is untouched) or COPY_BEFORE
 * (vm_mmap() failed: mapped == 0 and the before report filled in).
 */
static int bad_alloc(struct __test_metadata *_metadata, struct mt_ctx *c,
		     int fd, const struct mmap_test_alloc *in, int expect,
		     int copy)
{
	struct mmap_test_alloc a = *in, snap;
	__u32 nr = mt_nr_vmas(_metadata, c->fd);
	int ret;

	a.mapped = 0x5a5a5a5a5a5a5a5aULL;
	memset(&a.before, 0x5a, sizeof(a.before));
	snap = a;
	ret = mt_ioctl(fd, IOCTL_ALLOC_VMA, &a);
	if (!ret) {
		if (a.mapped && in->len < (1UL << 40))
			munmap(u2p(a.mapped), pg_align(in->len));
		return 0;
	}
	if (ret != expect)
		return ret;
	if (copy == COPY_NONE) {
		ASSERT_EQ(0, memcmp(&a, &snap, sizeof(a)))
			TH_LOG("a validation error (%s) wrote into the struct: mapped 0x%llx",
			       mt_errno_name(ret), (unsigned long long)a.mapped);
	} else if (copy == COPY_BEFORE) {
		ASSERT_EQ(0ULL, a.mapped) TH_LOG("mapped must be 0 when vm_mmap failed");
		ASSERT_EQ(in->addr, a.before.addr)
			TH_LOG("the before report was not copied out on a vm_mmap failure");
		ASSERT_EQ(nr, a.before.nr_vmas);
		ASSERT_TRUE(a.before.found <= 1 && a.before.contains <= 1 &&
			    a.before.backing <= MMAP_TEST_BACKING_SPECIAL);
	}
	return ret;
}

static struct mmap_test_alloc alloc_args(__u64 addr, __u64 len, __u64 pgoff,
					 __u32 prot, __u32 flags)
{
	struct mmap_test_alloc a;

	memset(&a, 0, sizeof(a));
	a.addr = addr;
	a.len = len;
	a.pgoff = pgoff;
	a.prot = prot;
	a.flags = flags;
	return a;
}

#define ANON_PRIV	(MMAP_TEST_PRIVATE | MMAP_TEST_ANON)

static void *unmapped_ptr(void)
{
	return mt_hole(1);
}

/* A page holding a copy of @src, then made read-only. */
static void *ro_copy(struct mt_ctx *c, const void *src, size_t n)
{
	char *p = mt_anon(c, NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	if (!p)
		return NULL;
	memcpy(p, src, n);
	if (mprotect(p, pg, PROT_READ))
		return NULL;
	return p;
}

/* --- unknown commands and wrong sizes: ENOTTY --- */

BAD_CASE(cmd_unknown_nr, -ENOTTY)
{
	struct mmap_test_query q = { 0 };

	return mt_ioctl(c->fd, _IOWR(MMAP_TEST_IOC_MAGIC, 99, struct mmap_test_query), &q);
}

BAD_CASE(cmd_unknown_magic, -ENOTTY)
{
	struct mmap_test_query q = { 0 };

	return mt_ioctl(c->fd, _IOWR('x', 3, struct mmap_test_query), &q);
}

BAD_CASE(cmd_zero, -ENOTTY)
{
	return mt_ioctl(c->fd, 0, NULL);
}

BAD_CASE(cmd_nr0_noarg, -ENOTTY)
{
	return mt_ioctl(c->fd, _IO(MMAP_TEST_IOC_MAGIC, 0), NULL);
}

BAD_CASE(alloc_size_short, -ENOTTY)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ, ANON_PRIV);

	return mt_ioctl(c->fd, _IOC(_IOC_READ | _IOC_WRITE, MMAP_TEST_IOC_MAGIC,
				    1, sizeof(a) - 8), &a);
}

BAD_CASE(alloc_size_long, -ENOTTY)
{
	struct { struct mmap_test_alloc a; __u64 pad[4]; } b;

	memset(&b, 0, sizeof(b));
	b.a = alloc_args(0, pg, 0, PROT_READ, ANON_PRIV);
	return mt_ioctl(c->fd, _IOC(_IOC_READ | _IOC_WRITE, MMAP_TEST_IOC_MAGIC,
				    1, sizeof(b.a) + 8), &b);
}

BAD_CASE(alloc_dir_write_only, -ENOTTY)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ, ANON_PRIV);

	return mt_ioctl(c->fd, _IOW(MMAP_TEST_IOC_MAGIC, 1, struct mmap_test_alloc), &a);
}

BAD_CASE(free_size_wrong, -ENOTTY)
{
	__u64 f[4] = { p2u(mt_hole(1)), pg, 0, 0 };

	return mt_ioctl(c->fd, _IOC(_IOC_WRITE, MMAP_TEST_IOC_MAGIC, 2,
				    sizeof(struct mmap_test_free) + 8), f);
}

BAD_CASE(query_size_wrong, -ENOTTY)
{
	struct mmap_test_query q = { 0 };

	return mt_ioctl(c->fd, _IOC(_IOC_READ | _IOC_WRITE, MMAP_TEST_IOC_MAGIC,
				    3, sizeof(q) - 4), &q);
}

BAD_CASE(stats_size_wrong, -ENOTTY)
{
	struct mmap_test_stats s;

	return mt_ioctl(c->fd, _IOC(_IOC_READ, MMAP_TEST_IOC_MAGIC, 4,
				    sizeof(s) - 8), &s);
}

BAD_CASE(stats_dir_wrong, -ENOTTY)
{
	struct mmap_test_stats s;

	memset(&s, 0, sizeof(s));
	return mt_ioctl(c->fd, _IOWR(MMAP_TEST_IOC_MAGIC, 4, struct mmap_test_stats), &s);
}

/* --- bad pointers: EFAULT --- */

BAD_CASE(alloc_null, -EFAULT)
{
	return mt_ioctl(c->fd, IOCTL_ALLOC_VMA, NULL);
}

BAD_CASE(free_null, -EFAULT)
{
	return mt_ioctl(c->fd, IOCTL_FREE_VMA, NULL);
}

BAD_CASE(query_null, -EFAULT)
{
	return mt_ioctl(c->fd, IOCTL_QUERY_VMA, NULL);
}

BAD_CASE(stats_null, -EFAULT)
{
	return mt_ioctl(c->fd, IOCTL_GET_STATS, NULL);
}

BAD_CASE(alloc_unmapped, -EFAULT)
{
	return mt_ioctl(c->fd, IOCTL_ALLOC_VMA, unmapped_ptr());
}

BAD_CASE(free_unmapped_arg, -EFAULT)
{
	return mt_ioctl(c->fd, IOCTL_FREE_VMA, unmapped_ptr());
}

BAD_CASE(query_unmapped, -EFAULT)
{
	return mt_ioctl(c->fd, IOCTL_QUERY_VMA, unmapped_ptr());
}

BAD_CASE(stats_unmapped, -EFAULT)
{
	return mt_ioctl(c->fd, IOCTL_GET_STATS, unmapped_ptr());
}

BAD_CASE(alloc_kernel_ptr, -EFAULT)
{
	return mt_ioctl(c->fd, IOCTL_ALLOC_VMA, u2p(0xffff888000000000ULL));
}

/* arg straddling the end of a mapping: the copy faults half way */
BAD_CASE(query_straddles_end, -EFAULT)
{
	char *p = mt_anon(c, NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	int ret;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p + pg, pg));
	memset(p + pg - 8, 0, 8);	/* addr = 0, the rest unmapped */
	ret = mt_ioctl(c->fd, IOCTL_QUERY_VMA, p + pg - 8);
	mt_unmap(c, p, 2 * pg);
	return ret;
}

/* out struct in read-only memory */
BAD_CASE(query_ro_out, -EFAULT)
{
	struct mmap_test_query q = { .addr = 0 };
	void *ro = ro_copy(c, &q, sizeof(q));
	int ret;

	ASSERT_NE(NULL, ro);
	ret = mt_ioctl(c->fd, IOCTL_QUERY_VMA, ro);
	mt_unmap(c, ro, pg);
	return ret;
}

BAD_CASE(stats_ro_out, -EFAULT)
{
	struct mmap_test_stats s = { 0 };
	void *ro = ro_copy(c, &s, sizeof(s));
	int ret;

	ASSERT_NE(NULL, ro);
	ret = mt_ioctl(c->fd, IOCTL_GET_STATS, ro);
	mt_unmap(c, ro, pg);
	return ret;
}

/* the argument cannot be written: EFAULT before anything is mapped */
BAD_CASE(alloc_ro_out_anon, -EFAULT)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ, ANON_PRIV);
	void *ro = ro_copy(c, &a, sizeof(a));
	int ret;

	ASSERT_NE(NULL, ro);
	ret = mt_ioctl(c->fd, IOCTL_ALLOC_VMA, ro);
	mt_unmap(c, ro, pg);
	return ret;
}

BAD_CASE(alloc_ro_out_device, -EFAULT)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ,
					      MMAP_TEST_SHARED);
	void *ro = ro_copy(c, &a, sizeof(a));
	int ret;

	ASSERT_NE(NULL, ro);
	ret = mt_ioctl(c->fd, IOCTL_ALLOC_VMA, ro);
	mt_unmap(c, ro, pg);
	return ret;
}

/* FREE only reads its argument: read-only memory is fine */
BAD_CASE(free_ro_arg_ok, 0)
{
	struct mmap_test_free f = { .addr = p2u(mt_hole(1)), .len = pg };
	void *ro = ro_copy(c, &f, sizeof(f));
	int ret;

	ASSERT_NE(NULL, ro);
	ret = mt_ioctl(c->fd, IOCTL_FREE_VMA, ro);
	mt_unmap(c, ro, pg);
	return ret;
}

/* --- reserved fields: EINVAL --- */

BAD_CASE(query_reserved, -EINVAL)
{
	struct mmap_test_query q = { .addr = 0, .reserved = 1 };

	return mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q);
}

BAD_CASE(query_reserved_high_bit, -EINVAL)
{
	struct mmap_test_query q = { .addr = 0, .reserved = 1ULL << 63 };

	return mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q);
}

BAD_CASE(free_reserved, -EINVAL)
{
	char *p = mt_anon(c, NULL, pg, PROT_READ, MAP_PRIVATE);
	struct mmap_test_free f = { .addr = p2u(p), .len = pg, .reserved = 1 };
	int ret;

	ASSERT_NE(NULL, p);
	ret = mt_ioctl(c->fd, IOCTL_FREE_VMA, &f);
	/* and the mapping was not freed */
	ASSERT_EQ(1U, mt_query(_metadata, c->fd, p2u(p)).contains);
	mt_unmap(c, p, pg);
	return ret;
}

static int bad_alloc_reserved(struct __test_metadata *_metadata,
			      struct mt_ctx *c, int i)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ, ANON_PRIV);

	a.reserved[i] = 1ULL << (i * 20);
	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_NONE);
}

BAD_CASE(alloc_reserved0, -EINVAL)
{
	return bad_alloc_reserved(_metadata, c, 0);
}

BAD_CASE(alloc_reserved1, -EINVAL)
{
	return bad_alloc_reserved(_metadata, c, 1);
}

BAD_CASE(alloc_reserved2, -EINVAL)
{
	return bad_alloc_reserved(_metadata, c, 2);
}

/* --- flags --- */

BAD_CASE(alloc_flag_bit6, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ,
					      ANON_PRIV | (1U << 6));

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_NONE);
}

BAD_CASE(alloc_flag_bit31, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ,
					      MMAP_TEST_SHARED | (1U << 31));

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_NONE);
}

BAD_CASE(alloc_shared_and_private, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ,
					      MMAP_TEST_SHARED | MMAP_TEST_PRIVATE);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_NONE);
}

BAD_CASE(alloc_neither_shared_nor_private, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ, 0);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_NONE);
}

BAD_CASE(alloc_anon_only, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ,
					      MMAP_TEST_ANON | MMAP_TEST_POPULATE);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_NONE);
}

/* --- len --- */

BAD_CASE(alloc_len_zero, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, 0, 0, PROT_READ,
					      MMAP_TEST_SHARED);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_NONE);
}

BAD_CASE(alloc_len_zero_anon, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, 0, 0, PROT_READ, ANON_PRIV);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_NONE);
}

/* len that page-aligns to 0: ENOMEM, like mmap(2) */
BAD_CASE(alloc_len_aligns_to_zero, -ENOMEM)
{
	struct mmap_test_alloc a = alloc_args(0, ~0ULL - 10, 0, PROT_READ,
					      ANON_PRIV);

	ASSERT_EQ(ENOMEM, mmap_errno(0, ~0UL - 10, PROT_READ,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	return bad_alloc(_metadata, c, c->fd, &a, -ENOMEM, COPY_BEFORE);
}

BAD_CASE(alloc_len_past_task_size_anon, -ENOMEM)
{
	struct mmap_test_alloc a = alloc_args(0, 1ULL << 62, 0, PROT_READ,
					      ANON_PRIV);

	ASSERT_EQ(ENOMEM, mmap_errno(0, 1UL << 62, PROT_READ,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	return bad_alloc(_metadata, c, c->fd, &a, -ENOMEM, COPY_BEFORE);
}

BAD_CASE(alloc_len_past_task_size_device, -ENOMEM)
{
	struct mmap_test_alloc a = alloc_args(0, mt_task_size() + pg, 0,
					      PROT_READ, MMAP_TEST_SHARED);

	ASSERT_EQ(ENOMEM, mmap_errno(0, mt_task_size() + pg, PROT_READ,
				     MAP_SHARED, c->fd, 0));
	return bad_alloc(_metadata, c, c->fd, &a, -ENOMEM, COPY_BEFORE);
}

BAD_CASE(alloc_len_past_buffer, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, (c->bp + 1) * pg, 0,
					      PROT_READ, MMAP_TEST_SHARED);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_BEFORE);
}

/* --- pgoff --- */

BAD_CASE(alloc_pgoff_overflow, -EOVERFLOW)
{
	struct mmap_test_alloc a = alloc_args(0, pg, (~0UL >> pg_shift) + 1,
					      PROT_READ, MMAP_TEST_SHARED);

	return bad_alloc(_metadata, c, c->fd, &a, -EOVERFLOW, COPY_NONE);
}

BAD_CASE(alloc_pgoff_max_u64, -EOVERFLOW)
{
	struct mmap_test_alloc a = alloc_args(0, pg, ~0ULL, PROT_READ,
					      MMAP_TEST_PRIVATE);

	return bad_alloc(_metadata, c, c->fd, &a, -EOVERFLOW, COPY_NONE);
}

/* byte offset + len wraps: vm_mmap()'s EINVAL */
BAD_CASE(alloc_offset_plus_len_wraps, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, pg, ~0UL >> pg_shift,
					      PROT_READ, MMAP_TEST_SHARED);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_BEFORE);
}

BAD_CASE(alloc_pgoff_past_buffer, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, pg, c->bp, PROT_READ,
					      MMAP_TEST_SHARED);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_BEFORE);
}

BAD_CASE(alloc_pgoff_last_page_ok, 0)
{
	struct mmap_test_alloc a = alloc_args(0, pg, c->bp - 1, PROT_READ,
					      MMAP_TEST_SHARED);

	return bad_alloc(_metadata, c, c->fd, &a, 0, 0);
}

/* --- prot --- */

BAD_CASE(alloc_prot_bit3, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ | 0x8,
					      ANON_PRIV);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_NONE);
}

BAD_CASE(alloc_prot_growsdown, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0,
					      PROT_READ | PROT_GROWSDOWN,
					      ANON_PRIV);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_NONE);
}

BAD_CASE(alloc_prot_bit31, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, 0x80000000U,
					      MMAP_TEST_SHARED);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_NONE);
}

/* --- permissions of the fd --- */

BAD_CASE(alloc_shared_write_rdonly_fd, -EACCES)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0,
					      PROT_READ | PROT_WRITE,
					      MMAP_TEST_SHARED);
	int fd = mt_open_extra(c, O_RDONLY);
	int ret;

	ASSERT_LE(0, fd);
	ASSERT_EQ(EACCES, mmap_errno(0, pg, PROT_READ | PROT_WRITE,
				     MAP_SHARED, fd, 0));
	ret = bad_alloc(_metadata, c, fd, &a, -EACCES, COPY_BEFORE);
	mt_close_extra(c, fd);
	return ret;
}

BAD_CASE(alloc_private_write_rdonly_fd_ok, 0)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0,
					      PROT_READ | PROT_WRITE,
					      MMAP_TEST_PRIVATE);
	int fd = mt_open_extra(c, O_RDONLY);
	int ret;

	ASSERT_LE(0, fd);
	ret = bad_alloc(_metadata, c, fd, &a, 0, 0);
	mt_close_extra(c, fd);
	return ret;
}

BAD_CASE(alloc_shared_read_rdonly_fd_ok, 0)
{
	struct mmap_test_alloc a = alloc_args(0, pg, 0, PROT_READ,
					      MMAP_TEST_SHARED);
	int fd = mt_open_extra(c, O_RDONLY);
	int ret;

	ASSERT_LE(0, fd);
	ret = bad_alloc(_metadata, c, fd, &a, 0, 0);
	mt_close_extra(c, fd);
	return ret;
}

BAD_CASE(mmap_shared_write_rdonly_fd, -EACCES)
{
	int fd = mt_open_extra(c, O_RDONLY);
	int e;

	ASSERT_LE(0, fd);
	e = mmap_errno(0, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	mt_close_extra(c, fd);
	return -e;
}

/* --- FIXED --- */

BAD_CASE(alloc_fixed_unaligned, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(p2u(mt_hole(2)) + 100, pg, 0,
					      PROT_READ,
					      MMAP_TEST_SHARED | MMAP_TEST_FIXED);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_BEFORE);
}

BAD_CASE(alloc_noreplace_unaligned, -EINVAL)
{
	struct mmap_test_alloc a = alloc_args(p2u(mt_hole(2)) + 1, pg, 0,
					      PROT_READ,
					      ANON_PRIV | MMAP_TEST_FIXED_NOREPLACE);

	return bad_alloc(_metadata, c, c->fd, &a, -EINVAL, COPY_BEFORE);
}

BAD_CASE(alloc_noreplace_occupied, -EEXIST)
{
	char *o = mt_anon(c, NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct mmap_test_alloc a;
	int ret;

	ASSERT_NE(NULL, o);
	strcpy(o + 2 * pg, "occupant");
	/* overlaps only the last page of the occupant */
	a = alloc_args(p2u(o + 2 * pg), 2 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE);
	ret = bad_alloc(_metadata, c, c->fd, &a, -EEXIST, COPY_BEFORE);
	ASSERT_STREQ("occupant", o + 2 * pg);
	mt_unmap(c, o, 3 * pg);
	return ret;
}

/* FIXED | FIXED_NOREPLACE: NOREPLACE wins, as with mmap(2) */
BAD_CASE(alloc_fixed_and_noreplace_occupied, -EEXIST)
{
	char *o = mt_anon(c, NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct mmap_test_alloc a;
	int ret;

	ASSERT_NE(NULL, o);
	strcpy(o, "occupant");
	ASSERT_EQ(EEXIST, mmap_errno(p2u(o), pg, PROT_READ,
				     MAP_SHARED | MAP_FIXED | MAP_FIXED_NOREPLACE,
				     c->fd, 0));
	a = alloc_args(p2u(o), pg, 0, PROT_READ,
		       MMAP_TEST_SHARED | MMAP_TEST_FIXED |
		       MMAP_TEST_FIXED_NOREPLACE);
	ret = bad_alloc(_metadata, c, c->fd, &a, -EEXIST, COPY_BEFORE);
	ASSERT_STREQ("occupant", o);
	mt_unmap(c, o, pg);
	return ret;
}

BAD_CASE(alloc_fixed_past_task_size, -ENOMEM)
{
	struct mmap_test_alloc a = alloc_args(mt_task_size(), pg, 0, PROT_READ,
					      MMAP_TEST_SHARED | MMAP_TEST_FIXED);

	return bad_alloc(_metadata, c, c->fd, &a, -ENOMEM, COPY_BEFORE);
}

BAD_CASE(alloc_fixed_ends_past_task_size, -ENOMEM)
{
	struct mmap_test_alloc a = alloc_args(mt_task_size() - pg, 2 * pg, 0,
					      PROT_READ,
					      ANON_PRIV | MMAP_TEST_FIXED_NOREPLACE);

	return bad_alloc(_metadata, c, c->fd, &a, -ENOMEM, COPY_BEFORE);
}

/* --- FREE --- */

BAD_CASE(free_unaligned, -EINVAL)
{
	return mt_free_raw(c->fd, p2u(mt_hole(1)) + 1, pg);
}

BAD_CASE(free_zero_len, -EINVAL)
{
	return mt_free_raw(c->fd, p2u(mt_hole(1)), 0);
}

BAD_CASE(free_wraps, -EINVAL)
{
	unsigned long a = p2u(mt_hole(1));

	return mt_free_raw(c->fd, a, ~0UL - a + 1 + pg);
}

BAD_CASE(free_len_aligns_to_zero, -EINVAL)
{
	return mt_free_raw(c->fd, p2u(mt_hole(1)), ~0ULL);
}

BAD_CASE(free_past_task_size, -EINVAL)
{
	return mt_free_raw(c->fd, mt_task_size(), pg);
}

BAD_CASE(free_unmapped_range_ok, 0)
{
	return mt_free_raw(c->fd, p2u(mt_hole(3)), 3 * pg);
}

/* --- mmap(2), mremap(2), read/write/lseek on the device --- */

BAD_CASE(mmap_pgoff_past_end, -EINVAL)
{
	return -mmap_errno(0, pg, PROT_READ, MAP_SHARED, c->fd, c->bp * pg);
}

BAD_CASE(mmap_len_past_end, -EINVAL)
{
	return -mmap_errno(0, 2 * pg, PROT_READ, MAP_PRIVATE, c->fd,
			   (c->bp - 1) * pg);
}

static int bad_mremap(struct __test_metadata *_metadata, struct mt_ctx *c,
		      size_t old, size_t new, int flags)
{
	char *p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ,
			 MMAP_TEST_SHARED);
	void *q = mremap(p, old, new, flags);
	int ret = q == MAP_FAILED ? -errno : 0;

	if (q != MAP_FAILED && q != p)
		munmap(q, new);
	mt_unmap(c, p, 2 * pg);
	return ret;
}

BAD_CASE(mremap_expand, -EFAULT)
{
	return bad_mremap(_metadata, c, 2 * pg, 3 * pg, 0);
}

BAD_CASE(mremap_expand_maymove, -EFAULT)
{
	return bad_mremap(_metadata, c, 2 * pg, 8 * pg, MREMAP_MAYMOVE);
}

BAD_CASE(mremap_duplicate, -EFAULT)
{
	return bad_mremap(_metadata, c, 0, 2 * pg, MREMAP_MAYMOVE);
}

BAD_CASE(write_at_end, -ENOSPC)
{
	return pwrite(c->fd, "x", 1, c->bp * pg) < 0 ? -errno : 0;
}

BAD_CASE(write_past_end, -ENOSPC)
{
	return pwrite(c->fd, "x", 1, c->bp * pg + 12345) < 0 ? -errno : 0;
}

/* a write crossing the end is short, not an error */
BAD_CASE(write_across_end_short, 0)
{
	ssize_t w = pwrite(c->fd, "abcd", 4, c->bp * pg - 2);

	ASSERT_EQ(2, w) TH_LOG("write across the end: %zd (%s)", w, strerror(errno));
	return 0;
}

BAD_CASE(read_at_end_zero, 0)
{
	char buf[8];
	ssize_t r = pread(c->fd, buf, sizeof(buf), c->bp * pg);

	ASSERT_EQ(0, r);
	r = pread(c->fd, buf, sizeof(buf), c->bp * pg + 4096 * 8);
	ASSERT_EQ(0, r);
	return 0;
}

BAD_CASE(lseek_past_end, -EINVAL)
{
	return lseek(c->fd, c->bp * pg + 1, SEEK_SET) < 0 ? -errno : 0;
}

BAD_CASE(lseek_negative, -EINVAL)
{
	return lseek(c->fd, -1, SEEK_SET) < 0 ? -errno : 0;
}

BAD_CASE(lseek_end_plus_one, -EINVAL)
{
	return lseek(c->fd, 1, SEEK_END) < 0 ? -errno : 0;
}

BAD_CASE(lseek_to_end_ok, 0)
{
	off_t o = lseek(c->fd, c->bp * pg, SEEK_SET);

	ASSERT_EQ((off_t)(c->bp * pg), o);
	return 0;
}

BAD_CASE(stats_rdonly_fd_ok, 0)
{
	struct mmap_test_stats s;
	int fd = mt_open_extra(c, O_RDONLY);
	int ret;

	ASSERT_LE(0, fd);
	ret = mt_ioctl(fd, IOCTL_GET_STATS, &s);
	mt_close_extra(c, fd);
	return ret;
}

/* ================================================================== */
/* 11. permissions and leaks                                            */
/* ================================================================== */

TEST_F(mt, perm_unprivileged_open_eacces)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to drop to uid 65534");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534)) {
			perror("# drop privileges");
			_exit(10);
		}
		if (getuid() != 65534 || geteuid() != 65534)
			_exit(11);
		fd = open(MMAP_TEST_DEVICE, O_RDWR);
		if (fd >= 0 || errno != EACCES) {
			fprintf(stderr, "# open O_RDWR as uid 65534: %s\n",
				fd >= 0 ? "succeeded" : strerror(errno));
			_exit(12);
		}
		fd = open(MMAP_TEST_DEVICE, O_RDONLY);
		if (fd >= 0 || errno != EACCES) {
			fprintf(stderr, "# open O_RDONLY as uid 65534: %s\n",
				fd >= 0 ? "succeeded" : strerror(errno));
			_exit(13);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* The device node itself is 0600 root. */
TEST_F(mt, perm_device_mode)
{
	struct stat st;

	ASSERT_EQ(0, stat(MMAP_TEST_DEVICE, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(0600U, st.st_mode & 07777);
	ASSERT_EQ(0U, st.st_uid);
}

static void check_report_defined(struct __test_metadata *_metadata,
				 const struct mmap_test_vma_report *r)
{
	ASSERT_NE(MT_PAT64, r->addr);
	ASSERT_NE(MT_PAT64, r->vm_start);
	ASSERT_NE(MT_PAT64, r->vm_end);
	ASSERT_NE(MT_PAT64, r->gap);
	ASSERT_NE(MT_PAT64, r->flags);
	ASSERT_NE(MT_PAT64, r->vm_pgoff);
	ASSERT_NE(MT_PAT32, r->found);
	ASSERT_NE(MT_PAT32, r->contains);
	ASSERT_NE(MT_PAT32, r->backing);
	ASSERT_NE(MT_PAT32, r->nr_vmas);
	ASSERT_GE(1U, r->found);
	ASSERT_GE(1U, r->contains);
	ASSERT_GE((__u32)MMAP_TEST_BACKING_SPECIAL, r->backing);
	ASSERT_LT(0U, r->nr_vmas);
}

TEST_F(mt, perm_query_out_defined)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_query q;
	char *p;

	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 1, PROT_READ,
		   MMAP_TEST_SHARED);
	memset(&q, 0xAA, sizeof(q));
	q.addr = p2u(p + pg);
	q.reserved = 0;
	ASSERT_EQ(0, mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q));
	ASSERT_EQ(0ULL, q.reserved);
	ASSERT_EQ(p2u(p + pg), q.addr);
	check_report_defined(_metadata, &q.report);
	ASSERT_EQ(p2u(p + pg), q.report.addr);
	ASSERT_EQ(p2u(p), q.report.vm_start);
	ASSERT_EQ(p2u(p + 2 * pg), q.report.vm_end);
	ASSERT_EQ(0ULL, q.report.gap);
	ASSERT_EQ(1ULL, q.report.vm_pgoff);
	ASSERT_EQ(1U, q.report.contains);

	/* found but not contained */
	memset(&q, 0xAA, sizeof(q));
	q.addr = 0;
	q.reserved = 0;
	ASSERT_EQ(0, mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q));
	check_report_defined(_metadata, &q.report);
	ASSERT_EQ(0U, q.report.contains);
	ASSERT_EQ(q.report.vm_start, q.report.gap);
}

TEST_F(mt, perm_query_null_report_zeroed)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_query q;
	__u32 nr = mt_nr_vmas(_metadata, c->fd);

	memset(&q, 0xAA, sizeof(q));
	q.addr = mt_task_size() + pg;
	q.reserved = 0;
	ASSERT_EQ(0, mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q));
	ASSERT_EQ(mt_task_size() + pg, q.report.addr);
	ASSERT_EQ(0U, q.report.found);
	ASSERT_EQ(0U, q.report.contains);
	ASSERT_EQ(0ULL, q.report.vm_start);
	ASSERT_EQ(0ULL, q.report.vm_end);
	ASSERT_EQ(0ULL, q.report.gap);
	ASSERT_EQ(0ULL, q.report.flags);
	ASSERT_EQ(0ULL, q.report.vm_pgoff);
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_NONE, q.report.backing);
	ASSERT_EQ(nr, q.report.nr_vmas);
}

TEST_F(mt, perm_alloc_out_defined)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r0;
	struct mmap_test_alloc a;
	char *h = mt_hole(3);

	ASSERT_NE(NULL, h);
	r0 = mt_query(_metadata, c->fd, p2u(h + pg));
	memset(&a, 0xAA, sizeof(a));
	a.addr = p2u(h + pg);
	a.len = pg;
	a.pgoff = 0;
	a.prot = PROT_READ;
	a.flags = MMAP_TEST_SHARED;
	memset(a.reserved, 0, sizeof(a.reserved));
	ASSERT_EQ(0, mt_ioctl(c->fd, IOCTL_ALLOC_VMA, &a));
	mt_track(c, u2p(a.mapped), pg);
	ASSERT_EQ(p2u(h + pg), a.mapped);
	ASSERT_EQ(0ULL, a.reserved[0]);
	ASSERT_EQ(0ULL, a.reserved[1]);
	ASSERT_EQ(0ULL, a.reserved[2]);
	check_report_defined(_metadata, &a.before);
	/* before == find_vma(hint) as QUERY saw it just before */
	ASSERT_EQ(0, memcmp(&r0, &a.before, sizeof(r0)))
		TH_LOG("before %s vs query %s", mt_report_str(&a.before),
		       mt_report_str(&r0));
}

/* vm_mmap() failed: mapped == 0, before defined and truthful. */
TEST_F(mt, perm_alloc_failure_out_defined)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_alloc a;
	char *o = mt_anon(c, NULL, pg, PROT_READ, MAP_PRIVATE);

	ASSERT_NE(NULL, o);
	memset(&a, 0xAA, sizeof(a));
	a.addr = p2u(o);
	a.len = pg;
	a.pgoff = 0;
	a.prot = PROT_READ;
	a.flags = MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE;
	memset(a.reserved, 0, sizeof(a.reserved));
	ASSERT_EQ(-EEXIST, mt_ioctl(c->fd, IOCTL_ALLOC_VMA, &a));
	ASSERT_EQ(0ULL, a.mapped);
	check_report_defined(_metadata, &a.before);
	ASSERT_EQ(p2u(o), a.before.addr);
	ASSERT_EQ(1U, a.before.contains);
	ASSERT_EQ(p2u(o), a.before.vm_start);
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, a.before.backing);
}

TEST_F(mt, perm_stats_out_defined)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s;
	__u64 *w = (__u64 *)&s;
	size_t i;

	memset(&s, 0xAA, sizeof(s));
	ASSERT_EQ(0, mt_ioctl(c->fd, IOCTL_GET_STATS, &s));
	for (i = 0; i < sizeof(s) / sizeof(__u64); i++)
		ASSERT_NE(MT_PAT64, w[i]) TH_LOG("word %zu left undefined", i);
	for (i = 0; i < MT_ARRAY_SIZE(s.reserved); i++)
		ASSERT_EQ(0ULL, s.reserved[i]);
	ASSERT_EQ((__u64)c->bp, s.buffer_pages);
	ASSERT_EQ(0ULL, s.live_vmas);
	ASSERT_EQ(0ULL, s.faults);
	ASSERT_LE(1ULL, s.total_files);
	ASSERT_LE(s.pages, s.total_pages);
	ASSERT_LE(s.faults, s.total_faults);
}

/* hex values of a kmsg line that look like kernel-half pointers */
static bool line_has_kernel_pointer(const char *s, unsigned long long *bad)
{
	const char *p = s;

	while (*p) {
		size_t n = 0;

		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		while (isxdigit((unsigned char)p[n]))
			n++;
		if (n >= 12) {
			char tmp[20];
			unsigned long long v;

			if (n > 16) {
				*bad = ~0ULL;
				return true;
			}
			memcpy(tmp, p, n);
			tmp[n] = '\0';
			v = strtoull(tmp, NULL, 16);
			if (v >= 0xffff800000000000ULL) {
				*bad = v;
				return true;
			}
		}
		p += n ? n : 1;
	}
	return false;
}

/*
 * The module's dev_info lines carry no kernel pointer.  The module echoes
 * user-supplied numbers (addresses, lengths), and other tests feed it
 * values in the kernel half on purpose, so only the lines produced by
 * this test's own operations, whose every input is a user address, are
 * scanned: every hex value in them must be below 0xffff800000000000.
 */
TEST_F(mt, perm_dmesg_no_kernel_pointers)
{
	static char rec[8192];
	struct mt_ctx *c = &self->c;
	struct mmap_test_alloc a;
	unsigned long long badv = 0;
	const unsigned long marker = 0x5a5a5000UL;
	int kfd, lines = 0, bad = 0, seen_marker = 0;
	char *p, *o, *msg;
	ssize_t n;

	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kfd) TH_LOG("open /dev/kmsg: %s", strerror(errno));
	ASSERT_LE(0, lseek(kfd, 0, SEEK_END)) TH_LOG("seek /dev/kmsg: %s",
						     strerror(errno));

	/* every log path: ALLOC ok/failed/rejected, FREE, QUERY x3 */
	p = mt_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		   MMAP_TEST_SHARED);
	p[0] = 1;
	o = mt_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ,
		   MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	ASSERT_EQ(-EEXIST, mt_alloc_raw(c->fd, p2u(o), pg, 0, PROT_READ,
					MMAP_TEST_SHARED |
					MMAP_TEST_FIXED_NOREPLACE, &a));
	ASSERT_EQ(-EINVAL, mt_alloc_raw(c->fd, 0, pg, 0, 0x8,
					MMAP_TEST_SHARED, &a));
	ASSERT_EQ(-EINVAL, mt_alloc_raw(c->fd, 0, (c->bp + 1) * pg, 0,
					PROT_READ, MMAP_TEST_SHARED, &a));
	mt_query(_metadata, c->fd, marker);
	mt_query(_metadata, c->fd, p2u(p + pg));
	mt_query(_metadata, c->fd, mt_task_size() + pg);
	ASSERT_EQ(-EINVAL, mt_free_raw(c->fd, p2u(p) + 1, pg));
	ASSERT_EQ(0, mt_free_raw(c->fd, p2u(p), 2 * pg));
	mt_untrack(c, p, 2 * pg);
	ASSERT_EQ(0, mt_free_raw(c->fd, p2u(o), pg));
	mt_untrack(c, o, pg);

	for (;;) {
		n = read(kfd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (!strstr(msg, "mmap"))
			continue;
		lines++;
		if (strstr(msg, "5a5a5000"))
			seen_marker++;
		if (line_has_kernel_pointer(msg, &badv)) {
			if (bad < 5)
				TH_LOG("kernel pointer 0x%llx in: %s", badv, msg);
			bad++;
		}
	}
	close(kfd);
	/* 4 ALLOC (one rejected), 3 QUERY, 3 FREE: one line each */
	ASSERT_LE(10, lines) TH_LOG("%d module lines for 10 ioctls", lines);
	ASSERT_EQ(1, seen_marker)
		TH_LOG("no dev_info line for QUERY of 0x%lx", marker);
	ASSERT_EQ(0, bad);
}

TEST_HARNESS_MAIN
