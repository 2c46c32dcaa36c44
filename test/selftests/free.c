// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-free - IOCTL_FREE_VMA against munmap(2): an unmapped range is
 * fine, a whole device VMA goes with one ->close, every invalid range gives
 * EINVAL as munmap(2) does, a range spanning VMAs and holes unmaps them
 * all, and a tagged pointer (arm64) is untagged as munmap(2) untags it.
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded (buffer_pages >= 8; every test SKIPs
 * below that, and when /dev/mmap-test does not exist): mmap-test-free.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <linux/mmap_test.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "selftests.h"

static int munmap_errno(unsigned long addr, size_t len)
{
	return munmap(u2p(addr), len) ? errno : 0;
}

MT_FIXTURE(mt, MT_MIN_PAGES);

TEST_F(mt, free_unmapped_ok)
{
	struct mt_ctx *c = &self->c;
	char *h = find_hole(4);
	__u32 nr;

	ASSERT_NE(NULL, h);
	nr = mt_ctx_nr_vmas(_metadata, c->fd);
	ASSERT_EQ(0, mt_ioctl_free(c->fd, p2u(h), 4 * pg));
	ASSERT_EQ(0, munmap_errno(p2u(h), 4 * pg));
	ASSERT_EQ(nr, mt_ctx_nr_vmas(_metadata, c->fd));
}

TEST_F(mt, free_whole_device_vma)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s0, s1;
	__u32 nr;
	char *p;

	p = mt_ctx_map(_metadata, c, c->fd, 0, 3 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	nr = mt_ctx_nr_vmas(_metadata, c->fd);
	s0 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(0, mt_ioctl_free(c->fd, p2u(p), 3 * pg));
	mt_ctx_untrack(c, p, 3 * pg);
	s1 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(0ULL, s1.live_vmas);
	ASSERT_EQ(1ULL, s1.vma_closes - s0.vma_closes);
	ASSERT_EQ(nr - 1, mt_ctx_nr_vmas(_metadata, c->fd));
	ASSERT_EQ(SIGSEGV, mt_mem_touch(p, MT_ACCESS_READ, 0, NULL, NULL));
}

/* FREE and munmap(2) agree on every invalid range. */
TEST_F(mt, free_invalid_ranges_einval)
{
	struct mt_ctx *c = &self->c;
	unsigned long ts = mt_mem_task_size(NULL);
	char *h = find_hole(2);
	struct { unsigned long addr, len; const char *what; } cases[] = {
		{ p2u(h) + 1, pg, "unaligned" },
		{ p2u(h) + pg / 2, pg, "half page" },
		{ p2u(h), 0, "zero length" },
		{ p2u(h), -p2u(h), "addr + len wraps to 0" },
		{ p2u(h), ~0UL & ~(pg - 1), "addr + len wraps" },
		{ p2u(h), ~0UL, "len aligns to 0" },
		{ ts, pg, "at TASK_SIZE" },
		{ past_task_size(16), pg, "past TASK_SIZE" },
		{ ts - pg, 2 * pg, "ends past TASK_SIZE" },
		{ ~0UL & ~(pg - 1), pg, "last page of the address space" },
	};
	__u32 nr;
	size_t i;
	int ret;

	ASSERT_NE(NULL, h);
	nr = mt_ctx_nr_vmas(_metadata, c->fd);
	for (i = 0; i < MT_ARRAY_SIZE(cases); i++) {
		ret = mt_ioctl_free(c->fd, cases[i].addr, cases[i].len);
		ASSERT_EQ(-EINVAL, ret) TH_LOG("FREE %s (0x%lx, 0x%lx): %s",
					       cases[i].what, cases[i].addr,
					       cases[i].len, mt_errno_name(ret));
		ASSERT_EQ(EINVAL, munmap_errno(cases[i].addr, cases[i].len))
			TH_LOG("munmap %s", cases[i].what);
	}
	ASSERT_EQ(nr, mt_ctx_nr_vmas(_metadata, c->fd));
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
	SKIP(return, NO_TAGGED_POINTERS);
#endif
	enable_tagged_abi(_metadata);
	for (i = 0; i < MT_ARRAY_SIZE(addr_tags); i++) {
		/* The reference: munmap(2) of a tagged anonymous mapping. */
		p = mt_ctx_anon(c, NULL, 2 * pg, PROT_READ, MAP_PRIVATE);
		ASSERT_NE(NULL, p);
		ref = munmap_errno(tagged(p2u(p), addr_tags[i]), 2 * pg);
		if (!ref)
			mt_ctx_untrack(c, p, 2 * pg);
		r = mt_ctx_query(_metadata, c->fd, p2u(p));
		ASSERT_EQ(ref ? 1U : 0U, r.contains)
			TH_LOG("munmap(2) of tag 0x%02x gave %s", addr_tags[i],
			       mt_errno_name(ref));

		/* The same through FREE, on a device mapping. */
		p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ,
			       MMAP_TEST_SHARED);
		ret = mt_ioctl_free(c->fd, tagged(p2u(p), addr_tags[i]), 2 * pg);
		if (!ret)
			mt_ctx_untrack(c, p, 2 * pg);
		ASSERT_EQ(-ref, ret)
			TH_LOG("tag 0x%02x: FREE %s, munmap(2) %s", addr_tags[i],
			       mt_errno_name(ret), mt_errno_name(ref));
		r = mt_ctx_query(_metadata, c->fd, p2u(p));
		ASSERT_EQ(ref ? 1U : 0U, r.contains);
		s = mt_ctx_stats(_metadata, c->fd);
		ASSERT_EQ(ref ? 1ULL : 0ULL, s.live_vmas);
		if (ref)
			ASSERT_EQ(0, mt_ctx_unmap(c, p, 2 * pg));
	}
}

/* FREE over a range with two VMAs and holes unmaps both. */
TEST_F(mt, free_spanning_range)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s;
	char *g;
	__u32 nr0;

	g = guarded_hole(_metadata, c, 6);
	nr0 = mt_ctx_nr_vmas(_metadata, c->fd);
	mt_ctx_map(_metadata, c, c->fd, p2u(g + 2 * pg), pg, 0, PROT_READ,
		   MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE);
	mt_ctx_map(_metadata, c, c->fd, p2u(g + 4 * pg), 2 * pg, 0, PROT_READ,
		   MMAP_TEST_PRIVATE | MMAP_TEST_FIXED_NOREPLACE);
	ASSERT_EQ(nr0 + 2, mt_ctx_nr_vmas(_metadata, c->fd));
	ASSERT_EQ(0, mt_ioctl_free(c->fd, p2u(g + pg), 6 * pg));
	ASSERT_EQ(nr0, mt_ctx_nr_vmas(_metadata, c->fd));
	s = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(0ULL, s.live_vmas);
}

TEST_HARNESS_MAIN
