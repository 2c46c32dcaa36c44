// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-pages - the device buffer behind the mappings: the greeting,
 * every page's content through write() and a mapping, pgoff (in kernel
 * pages) views, mappings past the buffer's end refused, the exact fault
 * count of writes, bounded read faults, pages allocated on first use,
 * POPULATE, and fault-around (mt.fault_around_64_pages: 64 sequential
 * shared reads take few faults; needs buffer_pages >= 64, else SKIP).
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded (buffer_pages >= 8; every test SKIPs
 * below that, and when /dev/mmap-test does not exist): mmap-test-pages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/mmap_test.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "selftests.h"

MT_FIXTURE(mt, MT_MIN_PAGES);

TEST_F(mt, pages_greeting)
{
	struct mt_ctx *c = &self->c;
	size_t glen = strlen(MMAP_TEST_GREETING);
	char buf[128];
	char *p;

	memset(buf, 0, sizeof(buf));
	ASSERT_EQ((ssize_t)glen, read(c->fd, buf, glen));
	ASSERT_STREQ(MMAP_TEST_GREETING, buf);
	p = mt_ctx_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ, MMAP_TEST_PRIVATE);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, glen));
}

TEST_F(mt, pages_tag_every_page)
{
	struct mt_ctx *c = &self->c;
	char tag[64], buf[64];
	unsigned long i;
	char *p;

	tag_all(_metadata, c, c->fd);
	p = mt_ctx_map(_metadata, c, c->fd, 0, c->bp * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	for (i = 0; i < c->bp; i++) {
		tag_page(tag, sizeof(tag), i);
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

	P = c->bp - 5;
	tag_all(_metadata, c, c->fd);
	p = mt_ctx_map(_metadata, c, c->fd, 0, 4 * pg, P, PROT_READ,
		       MMAP_TEST_SHARED);
	q = mmap(NULL, 4 * pg, PROT_READ, MAP_PRIVATE, c->fd, P * pg);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mmap(2) pgoff %lu: %s", P, strerror(errno));
	mt_ctx_track(c, q, 4 * pg);
	for (N = 0; N < 4; N++) {
		tag_page(tag, sizeof(tag), P + N);
		ASSERT_STREQ(tag, p + N * pg) TH_LOG("ALLOC pgoff %lu page %lu", P, N);
		ASSERT_STREQ(tag, q + N * pg) TH_LOG("mmap(2) pgoff %lu page %lu", P, N);
	}
	r = mt_ctx_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ((__u64)P, r.vm_pgoff);
	r = mt_ctx_query(_metadata, c->fd, p2u(q));
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
	p = mt_ctx_map(_metadata, c, c->fd, 0, pg, 1, PROT_READ,
		       MMAP_TEST_SHARED);
	ASSERT_STREQ(at_page, p);
	r = mt_ctx_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ(1ULL, r.vm_pgoff);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, c->fd, pg);
	ASSERT_NE(MAP_FAILED, p);
	mt_ctx_track(c, p, pg);
	ASSERT_STREQ(at_page, p);
	ASSERT_EQ(1ULL, mt_ctx_query(_metadata, c->fd, p2u(p)).vm_pgoff);
}

TEST_F(mt, pages_map_past_buffer_einval)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_alloc a;
	unsigned long bp = c->bp;
	struct { unsigned long pgoff, pages; } cases[] = {
		{ bp - 1, 2 }, { bp, 1 }, { 0, bp + 1 }, { bp + 100, 1 },
	};
	__u32 nr = mt_ctx_nr_vmas(_metadata, c->fd);
	char *p;
	size_t i;
	int ret;

	for (i = 0; i < MT_ARRAY_SIZE(cases); i++) {
		ret = mt_ioctl_alloc(c->fd, 0, cases[i].pages * pg, cases[i].pgoff,
				     PROT_READ, MMAP_TEST_SHARED, &a);
		if (!ret)
			mt_ctx_track(c, u2p(a.mapped), cases[i].pages * pg);
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
	ASSERT_EQ(nr, mt_ctx_nr_vmas(_metadata, c->fd));
	/* the exact fits work */
	p = mt_ctx_map(_metadata, c, c->fd, 0, pg, bp - 1, PROT_READ,
		       MMAP_TEST_SHARED);
	ASSERT_EQ(0, mt_ctx_unmap(c, p, pg));
	p = mt_ctx_map(_metadata, c, c->fd, 0, bp * pg, 0, PROT_READ,
		       MMAP_TEST_PRIVATE);
	ASSERT_EQ(0, mt_ctx_unmap(c, p, bp * pg));
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

	p = mt_ctx_map(_metadata, c, c->fd, 0, 8 * pg, 0, PROT_READ | PROT_WRITE,
		       share);
	*s0 = mt_ctx_stats(_metadata, c->fd);
	for (i = 0; i < MT_ARRAY_SIZE(touched); i++)
		p[touched[i] * pg + 5] = 'w';
	*s1 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ((__u64)NR_TOUCHED, s1->faults - s0->faults)
		TH_LOG("%d distinct pages written, %llu faults counted",
		       NR_TOUCHED, (unsigned long long)(s1->faults - s0->faults));
}

TEST_F(mt, pages_faults_private_write_exact)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;

	write_touched_pages(_metadata, c, MMAP_TEST_PRIVATE, &s0, &s1);
	ASSERT_EQ(s1.faults - s0.faults, s1.total_faults - s0.total_faults);
	ASSERT_EQ(0ULL, s1.pages_around - s0.pages_around);
}

TEST_F(mt, pages_faults_shared_write_exact)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;

	write_touched_pages(_metadata, c, MMAP_TEST_SHARED, &s0, &s1);
}

TEST_F(mt, pages_faults_shared_read_bounded)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	volatile char sink;
	size_t i;
	char *p;

	p = mt_ctx_map(_metadata, c, c->fd, 0, 8 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	s0 = mt_ctx_stats(_metadata, c->fd);
	for (i = 0; i < MT_ARRAY_SIZE(touched); i++)
		sink = p[touched[i] * pg + 5];
	(void)sink;
	s1 = mt_ctx_stats(_metadata, c->fd);
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

	p = mt_ctx_map(_metadata, c, c->fd, 0, 8 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	sink = p[6 * pg];
	(void)sink;
	s = mt_ctx_stats(_metadata, c->fd);
	ASSERT_LE(1ULL, s.pages);
	ASSERT_GE((__u64)c->bp, s.pages);
	ASSERT_LE(s.pages, s.total_pages);
	ASSERT_LE(c->base.total_pages + s.pages - c->base.pages, s.total_pages);
}

/*
 * 8 pages of the device mapped read-write with POPULATE and @flags; *s0 and
 * *s1 are the stats before and after.
 */
static char *map_populated(struct __test_metadata *_metadata,
			   struct mt_ctx *c, __u32 flags,
			   struct mmap_test_stats *s0,
			   struct mmap_test_stats *s1)
{
	char *p;

	*s0 = mt_ctx_stats(_metadata, c->fd);
	p = mt_ctx_map(_metadata, c, c->fd, 0, 8 * pg, 0, PROT_READ | PROT_WRITE,
		       flags | MMAP_TEST_POPULATE);
	*s1 = mt_ctx_stats(_metadata, c->fd);
	return p;
}

/* No fault since @s1: touching the populated pages found them mapped. */
static void assert_no_refault(struct __test_metadata *_metadata,
			      struct mt_ctx *c,
			      const struct mmap_test_stats *s1)
{
	struct mmap_test_stats s2 = mt_ctx_stats(_metadata, c->fd);

	ASSERT_EQ(0ULL, s2.faults - s1->faults)
		TH_LOG("touching populated pages faulted %llu times",
		       (unsigned long long)(s2.faults - s1->faults));
}

TEST_F(mt, pages_populate_shared_no_refault)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	volatile char sink;
	unsigned long i;
	char *p;

	p = map_populated(_metadata, c, MMAP_TEST_SHARED, &s0, &s1);
	ASSERT_LE(1ULL, s1.faults - s0.faults) TH_LOG("POPULATE faulted nothing in");
	ASSERT_GE(8ULL, s1.faults - s0.faults);
	for (i = 0; i < 8; i++)
		sink = p[i * pg + 9];
	(void)sink;
	assert_no_refault(_metadata, c, &s1);
}

TEST_F(mt, pages_populate_private_no_refault)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	unsigned long i;
	char *p;

	p = map_populated(_metadata, c, MMAP_TEST_PRIVATE, &s0, &s1);
	/* populate of a private writable mapping write-faults every page */
	ASSERT_EQ(8ULL, s1.faults - s0.faults)
		TH_LOG("POPULATE of 8 private pages: %llu faults",
		       (unsigned long long)(s1.faults - s0.faults));
	for (i = 0; i < 8; i++)
		p[i * pg + 2048] = 'x';
	assert_no_refault(_metadata, c, &s1);
	/* the COW copies hold the device content */
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
}

/*
 * Sequential read of 64 shared pages: fault-around keeps it to at most two
 * faults per fault-around window (fault_around_bytes, 64 KiB by default:
 * 16 pages of 4 KiB, 4 pages of 16 KiB), so <= 8 faults with 4 KiB pages;
 * with 64 KiB pages the window is one page, and every page faults.
 */
TEST_F(mt, fault_around_64_pages)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	unsigned long long window, max_faults;
	volatile char sink;
	unsigned long i;
	bool known;
	char *p;

	if (c->bp < 64)
		SKIP(return, "buffer_pages is %lu, needs >= 64 (load the module with buffer_pages=256)",
		     c->bp);
	window = mt_mem_fault_around_bytes(&known) / pg;
	if (!known)
		TH_LOG("no debugfs fault_around_bytes: assuming the default 65536");
	/*
	 * A window of one page (the default 64 KiB with 64 KiB pages): no
	 * fault-around at all (should_fault_around()), a fault per page.
	 */
	max_faults = window < 2 ? 64 : 2 * (64 + window - 1) / window;
	p = mt_ctx_map(_metadata, c, c->fd, 0, 64 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	s0 = mt_ctx_stats(_metadata, c->fd);
	for (i = 0; i < 64; i++)
		sink = p[i * pg];
	(void)sink;
	s1 = mt_ctx_stats(_metadata, c->fd);
	TH_LOG("%llu faults, %llu pages mapped around (window %llu pages)",
	       (unsigned long long)(s1.faults - s0.faults),
	       (unsigned long long)(s1.pages_around - s0.pages_around), window);
	ASSERT_LE(1ULL, s1.faults - s0.faults);
	ASSERT_GE(max_faults, s1.faults - s0.faults)
		TH_LOG("%llu faults for 64 sequential pages, more than %llu: no fault-around (->map_pages)",
		       (unsigned long long)(s1.faults - s0.faults), max_faults);
	if (window < 2) {
		ASSERT_EQ(64ULL, s1.faults - s0.faults);
		ASSERT_EQ(0ULL, s1.pages_around - s0.pages_around)
			TH_LOG("->map_pages ran with a one-page fault-around window");
		return;
	}
	ASSERT_LE(56ULL, s1.pages_around - s0.pages_around);
}

TEST_HARNESS_MAIN
