// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-placement - where IOCTL_ALLOC_VMA puts a mapping: a free hint
 * is honoured, an occupied one moved, one past TASK_SIZE ignored; FIXED
 * replaces and splits, FIXED_NOREPLACE gives EEXIST, unaligned or
 * out-of-range FIXED addresses fail as mmap(2) fails.  TASK_SIZE is probed
 * with MAP_FIXED_NOREPLACE and checked against the architecture's value.
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded (buffer_pages >= 8; every test SKIPs
 * below that, and when /dev/mmap-test does not exist): mmap-test-placement.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/mmap_test.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "selftests.h"

/* True when a one-page mapping at @a is inside the user range. */
static bool page_in_range(unsigned long a)
{
	void *p = mmap(u2p(a), pg, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == MAP_FAILED)
		return errno != ENOMEM;	/* EEXIST: occupied, so in range */
	munmap(p, pg);
	return true;
}


MT_FIXTURE(mt, MT_MIN_PAGES);

TEST_F(mt, place_free_hint_honoured)
{
	struct mt_ctx *c = &self->c;
	char *h = find_hole(4);
	char *p;

	ASSERT_NE(NULL, h);
	p = mt_ctx_map(_metadata, c, c->fd, p2u(h + pg), 2 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	ASSERT_EQ(h + pg, p) TH_LOG("hint %p free, mapped at %p", h + pg, p);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
}

TEST_F(mt, place_occupied_hint_moved)
{
	struct mt_ctx *c = &self->c;
	char *o, *p;

	o = mt_ctx_anon(c, NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, o);
	strcpy(o, "occupant");
	p = mt_ctx_map(_metadata, c, c->fd, p2u(o), 2 * pg, 0, PROT_READ,
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
	unsigned long ts = mt_mem_task_size(NULL);
	unsigned long hints[3] = { ts, past_task_size(64), ~0UL & ~(pg - 1) };
	char *p;
	int i;

	for (i = 0; i < 3; i++) {
		p = mt_ctx_map(_metadata, c, c->fd, hints[i], pg, 0, PROT_READ,
			       MMAP_TEST_PRIVATE);
		ASSERT_LE(p2u(p) + pg, (__u64)ts)
			TH_LOG("hint 0x%lx: mapped %p above TASK_SIZE 0x%lx",
			       hints[i], p, ts);
		ASSERT_EQ(0, mt_ctx_unmap(c, p, pg));
	}
}

/* FIXED replaces: the anon marker is gone, the device page shows. */
TEST_F(mt, place_fixed_replaces)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r;
	__u32 nr;
	char *o, *p;

	o = mt_ctx_anon(c, NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, o);
	strcpy(o, "anon marker");
	strcpy(o + pg, "anon marker 2");
	nr = mt_ctx_nr_vmas(_metadata, c->fd);
	p = mt_ctx_map(_metadata, c, c->fd, p2u(o), 2 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED | MMAP_TEST_FIXED);
	ASSERT_EQ(o, p);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
	ASSERT_STRNE("anon marker 2", p + pg);
	r = mt_ctx_query(_metadata, c->fd, p2u(o));
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

	o = mt_ctx_anon(c, NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, o);
	strcpy(o + pg, "still here");
	nr = mt_ctx_nr_vmas(_metadata, c->fd);
	ret = mt_ioctl_alloc(c->fd, p2u(o + pg), 2 * pg, 0, PROT_READ,
			     MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE, &a);
	if (!ret)
		mt_ctx_track(c, u2p(a.mapped), 2 * pg);
	ASSERT_EQ(-EEXIST, ret) TH_LOG("got %s", mt_errno_name(ret));
	ASSERT_EQ(0ULL, a.mapped);
	ASSERT_EQ(1U, a.before.contains) TH_LOG("%s", report_str(&a.before));
	ASSERT_EQ(p2u(o), a.before.vm_start);
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, a.before.backing);
	ASSERT_STREQ("still here", o + pg);
	ASSERT_EQ(nr, mt_ctx_nr_vmas(_metadata, c->fd));
	/* mmap(2) says the same */
	ASSERT_EQ(EEXIST, mmap_errno(p2u(o + pg), 2 * pg, PROT_READ,
				     MAP_SHARED | MAP_FIXED_NOREPLACE, c->fd, 0));
}

TEST_F(mt, place_fixed_unaligned_einval)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_alloc a;
	char *h = find_hole(2);
	__u32 nr;
	int ret;

	ASSERT_NE(NULL, h);
	nr = mt_ctx_nr_vmas(_metadata, c->fd);
	ret = mt_ioctl_alloc(c->fd, p2u(h + 8), pg, 0, PROT_READ,
			     MMAP_TEST_SHARED | MMAP_TEST_FIXED, &a);
	ASSERT_EQ(-EINVAL, ret) TH_LOG("got %s", mt_errno_name(ret));
	ASSERT_EQ(EINVAL, mmap_errno(p2u(h + 8), pg, PROT_READ,
				     MAP_SHARED | MAP_FIXED, c->fd, 0));
	ret = mt_ioctl_alloc(c->fd, p2u(h + 8), pg, 0, PROT_READ,
			     MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
			     MMAP_TEST_FIXED_NOREPLACE, &a);
	ASSERT_EQ(-EINVAL, ret) TH_LOG("got %s", mt_errno_name(ret));
	ASSERT_EQ(nr, mt_ctx_nr_vmas(_metadata, c->fd));
}

TEST_F(mt, place_fixed_past_task_size_enomem)
{
	struct mt_ctx *c = &self->c;
	unsigned long ts = mt_mem_task_size(NULL);
	unsigned long addrs[3] = { ts, past_task_size(16), ~0UL & ~(pg - 1) };
	struct mmap_test_alloc a;
	int ret, i;

	for (i = 0; i < 3; i++) {
		ret = mt_ioctl_alloc(c->fd, addrs[i], pg, 0, PROT_READ,
				     MMAP_TEST_SHARED | MMAP_TEST_FIXED, &a);
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("0x%lx: got %s", addrs[i],
					       mt_errno_name(ret));
		ASSERT_EQ(ENOMEM, mmap_errno(addrs[i], pg, PROT_READ,
					     MAP_SHARED | MAP_FIXED, c->fd, 0));
	}
	/* starts below TASK_SIZE, ends past it */
	ret = mt_ioctl_alloc(c->fd, ts - pg, 2 * pg, 0, PROT_READ,
			     MMAP_TEST_PRIVATE | MMAP_TEST_ANON | MMAP_TEST_FIXED,
			     &a);
	ASSERT_EQ(-ENOMEM, ret) TH_LOG("got %s", mt_errno_name(ret));
	ASSERT_EQ(ENOMEM, mmap_errno(ts - pg, 2 * pg, PROT_READ,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				     -1, 0));
#ifdef __x86_64__
	ret = mt_ioctl_alloc(c->fd, 0x800000000000UL, pg, 0, PROT_READ,
			     MMAP_TEST_SHARED | MMAP_TEST_FIXED, &a);
	if (!ret)
		mt_ctx_track(c, u2p(a.mapped), pg);
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

	o = mt_ctx_anon(c, NULL, 5 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ASSERT_NE(NULL, o);
	strcpy(o, "head");
	strcpy(o + 4 * pg, "tail");
	nr = mt_ctx_nr_vmas(_metadata, c->fd);
	p = mt_ctx_map(_metadata, c, c->fd, p2u(o + 2 * pg), pg, 0, PROT_READ,
		       MMAP_TEST_SHARED | MMAP_TEST_FIXED);
	ASSERT_EQ(o + 2 * pg, p);
	ASSERT_EQ(nr + 2, mt_ctx_nr_vmas(_metadata, c->fd));
	r = mt_ctx_query(_metadata, c->fd, p2u(o));
	ASSERT_EQ(p2u(o + 2 * pg), r.vm_end) TH_LOG("%s", report_str(&r));
	r = mt_ctx_query(_metadata, c->fd, p2u(o + 3 * pg));
	ASSERT_EQ(p2u(o + 3 * pg), r.vm_start) TH_LOG("%s", report_str(&r));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, r.backing);
	r = mt_ctx_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_DEVICE, r.backing);
	ASSERT_STREQ("head", o);
	ASSERT_STREQ("tail", o + 4 * pg);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
}

/* The probed TASK_SIZE is what the architecture defines. */
TEST_F(mt, place_task_size_matches_arch)
{
	unsigned long ts = mt_mem_task_size(NULL);

	TH_LOG("TASK_SIZE probed with MAP_FIXED_NOREPLACE: 0x%lx", ts);
#if defined(__x86_64__)
	ASSERT_TRUE(ts == 0x7ffffffff000UL || ts == 0xfffffffffff000UL)
		TH_LOG("TASK_SIZE 0x%lx", ts);
#elif defined(__aarch64__)
	ASSERT_TRUE(ts == 1UL << 48 || ts == 1UL << 52 || ts == 1UL << 47 ||
		    ts == 1UL << 39 || ts == 1UL << 42)
		TH_LOG("TASK_SIZE 0x%lx", ts);
#elif defined(__riscv)
	/* by the MMU mode the kernel chose: Sv39, Sv48 or Sv57 */
	ASSERT_TRUE(ts == 1UL << 38 || ts == 1UL << 47 || ts == 1UL << 56)
		TH_LOG("TASK_SIZE 0x%lx", ts);
#elif defined(__powerpc64__)
	/* task_size_64.h: 64 TiB with 4K pages, 4 PiB with 64K pages */
	ASSERT_EQ(pg == 4096 ? 1UL << 46 : 1UL << 52, ts);
#elif defined(__s390x__)
	/* TASK_SIZE_MAX is -PAGE_SIZE; page-table levels follow on demand */
	ASSERT_EQ(-4096UL, ts);
#else
	ASSERT_LT(1UL << 32, ts);
#endif
	/* the last page below is usable, the first page above is not */
	ASSERT_TRUE(page_in_range(ts - pg));
	ASSERT_FALSE(page_in_range(ts));
}

TEST_HARNESS_MAIN
