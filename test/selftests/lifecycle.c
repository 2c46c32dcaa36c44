// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-lifecycle - the VMAs of the device through the mm's own
 * operations, counted by the module's ->open/->close: anonymous ALLOCs
 * merge and device ones do not, partial FREE and munmap(2) split,
 * mremap() shrinks and moves but cannot grow (VM_DONTEXPAND), mprotect()
 * splits, MADV_DONTNEED refaults, fork() opens and exit closes a copy of
 * every device VMA.
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded (buffer_pages >= 8; every test SKIPs
 * below that, and when /dev/mmap-test does not exist): mmap-test-lifecycle.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/mmap_test.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "selftests.h"

/* Number of VMAs of this device inside [start, end), walking find_vma. */
static int count_dev_vmas(struct __test_metadata *_metadata, int fd,
			  __u64 start, __u64 end)
{
	struct mmap_test_vma_report r;
	__u64 a = start;
	int n = 0;

	while (a < end) {
		r = mt_ctx_query(_metadata, fd, a);
		if (!r.found || r.vm_start >= end)
			break;
		if (r.backing == MMAP_TEST_BACKING_DEVICE)
			n++;
		a = r.vm_end;
	}
	return n;
}

MT_FIXTURE(mt, MT_MIN_PAGES);

TEST_F(mt, life_anon_allocs_merge)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	__u32 nr0;
	char *g, *a, *b;

	/* PROT_NONE guard pages on both sides keep other VMAs out */
	g = guarded_hole(_metadata, c, 4);
	nr0 = mt_ctx_nr_vmas(_metadata, c->fd);
	a = mt_ctx_map(_metadata, c, c->fd, p2u(g + pg), 2 * pg, 0,
		       PROT_READ | PROT_WRITE, MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
		       MMAP_TEST_FIXED_NOREPLACE);
	ASSERT_EQ(g + pg, a);
	ASSERT_EQ(nr0 + 1, mt_ctx_nr_vmas(_metadata, c->fd));
	b = mt_ctx_map(_metadata, c, c->fd, p2u(g + 3 * pg), 2 * pg, 0,
		       PROT_READ | PROT_WRITE, MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
		       MMAP_TEST_FIXED_NOREPLACE);
	ASSERT_EQ(g + 3 * pg, b);
	r = mt_ctx_query(_metadata, c->fd, p2u(a));
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

	g = guarded_hole(_metadata, c, 4);
	nr0 = mt_ctx_nr_vmas(_metadata, c->fd);
	mt_ctx_map(_metadata, c, c->fd, p2u(g + pg), 2 * pg, 0, PROT_READ,
		   MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE);
	mt_ctx_map(_metadata, c, c->fd, p2u(g + 3 * pg), 2 * pg, 2, PROT_READ,
		   MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE);
	ASSERT_EQ(nr0 + 2, mt_ctx_nr_vmas(_metadata, c->fd));
	s = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(2ULL, s.live_vmas);
	ASSERT_EQ(2, count_dev_vmas(_metadata, c->fd, p2u(g), p2u(g + 6 * pg)));
}

/* FREE of the middle page of a 3-page device VMA splits it in two. */
TEST_F(mt, life_partial_free_splits)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1, s2;
	struct mmap_test_vma_report r;
	__u32 nr0;
	char *p;

	tag_all(_metadata, c, c->fd);
	p = mt_ctx_map(_metadata, c, c->fd, 0, 3 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	s0 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(1ULL, s0.live_vmas);
	nr0 = mt_ctx_nr_vmas(_metadata, c->fd);
	ASSERT_EQ(0, mt_ioctl_free(c->fd, p2u(p + pg), pg));
	s1 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(2ULL, s1.live_vmas);
	ASSERT_EQ(2ULL, s1.vma_opens - s0.vma_opens)
		TH_LOG("two splits, two ->open calls expected");
	ASSERT_EQ(1ULL, s1.vma_closes - s0.vma_closes);
	ASSERT_EQ(s0.total_live_vmas + 1, s1.total_live_vmas);
	ASSERT_EQ(nr0 + 1, mt_ctx_nr_vmas(_metadata, c->fd));
	ASSERT_EQ(2, count_dev_vmas(_metadata, c->fd, p2u(p), p2u(p + 3 * pg)));
	r = mt_ctx_query(_metadata, c->fd, p2u(p + 2 * pg));
	ASSERT_EQ(p2u(p + 2 * pg), r.vm_start);
	ASSERT_EQ(2ULL, r.vm_pgoff);
	ASSERT_EQ(0, strncmp(p + 2 * pg, "mmap-test buffer page 000002", 28));
	r = mt_ctx_query(_metadata, c->fd, p2u(p + pg));
	ASSERT_EQ(0U, r.contains);
	/* the hole faults */
	ASSERT_EQ(SIGSEGV, mt_mem_touch(p + pg, MT_ACCESS_READ, 0, NULL, NULL));
	ASSERT_EQ(0, mt_ioctl_free(c->fd, p2u(p), 3 * pg));
	mt_ctx_untrack(c, p, 3 * pg);
	s2 = mt_ctx_stats(_metadata, c->fd);
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

	tag_all(_metadata, c, c->fd);
	p = mt_ctx_map(_metadata, c, c->fd, 0, 3 * pg, 0, PROT_READ,
		       MMAP_TEST_PRIVATE);
	s0 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(0, munmap(p, pg));
	s1 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(1ULL, s1.live_vmas);
	ASSERT_EQ(1ULL, s1.vma_opens - s0.vma_opens);
	ASSERT_EQ(1ULL, s1.vma_closes - s0.vma_closes);
	r = mt_ctx_query(_metadata, c->fd, p2u(p));
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

	p = mt_ctx_map(_metadata, c, c->fd, 0, 4 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	nr0 = mt_ctx_nr_vmas(_metadata, c->fd);
	s0 = mt_ctx_stats(_metadata, c->fd);
	q = mremap(p, 4 * pg, 2 * pg, 0);
	ASSERT_EQ(p, q) TH_LOG("mremap shrink: %s", strerror(errno));
	s1 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(1ULL, s1.live_vmas);
	ASSERT_EQ(s1.vma_opens - s0.vma_opens, s1.vma_closes - s0.vma_closes);
	r = mt_ctx_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ(p2u(p + 2 * pg), r.vm_end);
	ASSERT_EQ(nr0, r.nr_vmas);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
}

TEST_F(mt, life_mremap_expand_efault)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	char *p;

	p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	s0 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(MAP_FAILED, mremap(p, 2 * pg, 4 * pg, 0));
	ASSERT_EQ(EFAULT, errno) TH_LOG("mremap grow in place: %s", strerror(errno));
	ASSERT_EQ(MAP_FAILED, mremap(p, 2 * pg, 4 * pg, MREMAP_MAYMOVE));
	ASSERT_EQ(EFAULT, errno) TH_LOG("mremap grow, may move: %s", strerror(errno));
	s1 = mt_ctx_stats(_metadata, c->fd);
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

	p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	h = find_hole(4);
	ASSERT_NE(NULL, h);
	q = mremap(p, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, h + pg);
	ASSERT_EQ(h + pg, q) TH_LOG("mremap move: %s", strerror(errno));
	mt_ctx_untrack(c, p, 2 * pg);
	mt_ctx_track(c, q, 2 * pg);
	s = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(1ULL, s.live_vmas);
	r = mt_ctx_query(_metadata, c->fd, p2u(q));
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

	p = mt_ctx_map(_metadata, c, c->fd, 0, 3 * pg, 0, PROT_READ | PROT_WRITE,
		       MMAP_TEST_SHARED);
	nr0 = mt_ctx_nr_vmas(_metadata, c->fd);
	s0 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(0, mprotect(p + pg, pg, PROT_READ));
	s1 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(3ULL, s1.live_vmas);
	ASSERT_EQ(2ULL, s1.vma_opens - s0.vma_opens);
	ASSERT_EQ(0ULL, s1.vma_closes - s0.vma_closes);
	ASSERT_EQ(nr0 + 2, mt_ctx_nr_vmas(_metadata, c->fd));
	ASSERT_EQ(3, count_dev_vmas(_metadata, c->fd, p2u(p), p2u(p + 3 * pg)));
	r = mt_ctx_query(_metadata, c->fd, p2u(p + pg));
	ASSERT_EQ(0ULL, r.flags & VF_WRITE);
	ASSERT_EQ(1ULL, r.vm_pgoff);
	ASSERT_EQ(SIGSEGV, mt_mem_touch(p + pg, MT_ACCESS_WRITE, 'x',
					NULL, NULL));
	ASSERT_EQ(0, mt_mem_touch(p + 2 * pg, MT_ACCESS_WRITE, 'x', NULL, NULL));
	/* back to RW: however many VMAs result, the count matches */
	ASSERT_EQ(0, mprotect(p + pg, pg, PROT_READ | PROT_WRITE));
	s1 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ((__u64)count_dev_vmas(_metadata, c->fd, p2u(p),
					p2u(p + 3 * pg)), s1.live_vmas);
	ASSERT_EQ(0, mt_ctx_unmap(c, p, 3 * pg));
	s1 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(0ULL, s1.live_vmas);
}

/*
 * 2 pages of the device mapped read-write with @flags; @str (with its NUL)
 * written at byte @off, then MADV_DONTNEED over both; *s0: the stats after.
 */
static char *write_dontneed(struct __test_metadata *_metadata,
			    struct mt_ctx *c, __u32 flags, size_t off,
			    const char *str, struct mmap_test_stats *s0)
{
	char *p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 0,
			     PROT_READ | PROT_WRITE, flags);

	memcpy(p + off, str, strlen(str) + 1);
	ASSERT_EQ(0, madvise(p, 2 * pg, MADV_DONTNEED));
	*s0 = mt_ctx_stats(_metadata, c->fd);
	return p;
}

TEST_F(mt, life_madvise_dontneed_shared)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	char *p;

	p = write_dontneed(_metadata, c, MMAP_TEST_SHARED, pg + 8, "survives",
			   &s0);
	ASSERT_STREQ("survives", p + pg + 8);
	s1 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_LE(1ULL, s1.faults - s0.faults) TH_LOG("no re-fault after MADV_DONTNEED");
	ASSERT_EQ(1ULL, s1.live_vmas);
}

TEST_F(mt, life_madvise_dontneed_private)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	char *p;

	p = write_dontneed(_metadata, c, MMAP_TEST_PRIVATE, 0,
			   "overwritten privately", &s0);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)))
		TH_LOG("private content did not revert to the device's");
	s1 = mt_ctx_stats(_metadata, c->fd);
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

	p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		       MMAP_TEST_SHARED);
	mt_ctx_map(_metadata, c, c->fd, 0, pg, 1, PROT_READ, MMAP_TEST_PRIVATE);
	s0 = mt_ctx_stats(_metadata, c->fd);
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
	s1 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(4ULL, s1.live_vmas) TH_LOG("fork must ->open each device VMA");
	ASSERT_EQ(2ULL, s1.vma_opens - s0.vma_opens);
	ASSERT_EQ(s0.total_live_vmas + 2, s1.total_live_vmas);
	ASSERT_EQ('c', p[100]);
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	s2 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(2ULL, s2.live_vmas) TH_LOG("child's VMAs not closed at exit");
	ASSERT_EQ(2ULL, s2.vma_closes - s1.vma_closes);
	ASSERT_EQ(s0.total_live_vmas, s2.total_live_vmas);
}

TEST_HARNESS_MAIN
