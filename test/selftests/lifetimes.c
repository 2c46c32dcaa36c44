// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-lifetimes - mappings outliving their fd (made by ALLOC and by
 * mmap(2)) keep working and keep their file and its pages counted until
 * the last of them goes; open files have independent buffers; read(),
 * write() and lseek() see the bytes the mappings see.
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded (buffer_pages >= 8; every test SKIPs
 * below that, and when /dev/mmap-test does not exist): mmap-test-lifetimes.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/mmap_test.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "selftests.h"

MT_FIXTURE(mt, MT_MIN_PAGES);

static void lifetime_check(struct __test_metadata *_metadata,
			   struct mt_ctx *c, bool via_ioctl)
{
	struct mmap_test_stats s0, s1, s2;
	struct mmap_test_vma_report r;
	int fd2, fd3;
	char *p;

	s0 = mt_ctx_stats(_metadata, c->fd);
	fd2 = mt_ctx_open(c, O_RDWR);
	ASSERT_LE(0, fd2);
	if (via_ioctl) {
		p = mt_ctx_map(_metadata, c, fd2, 0, 2 * pg, 0,
			       PROT_READ | PROT_WRITE, MMAP_TEST_SHARED);
	} else {
		p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd2, 0);
		ASSERT_NE(MAP_FAILED, p);
		mt_ctx_track(c, p, 2 * pg);
	}
	strcpy(p + pg, "before close");
	mt_ctx_close(c, fd2);

	/* the mapping still works */
	ASSERT_STREQ("before close", p + pg);
	ASSERT_EQ(0, memcmp(p, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)));
	strcpy(p + pg + 100, "after close");
	ASSERT_STREQ("after close", p + pg + 100);
	r = mt_ctx_query(_metadata, c->fd, p2u(p));
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_DEVICE, r.backing);

	/* the old file is still counted */
	fd3 = mt_ctx_open(c, O_RDWR);
	ASSERT_LE(0, fd3);
	s1 = mt_ctx_stats(_metadata, fd3);
	ASSERT_EQ(s0.total_files + 2, s1.total_files)
		TH_LOG("closed-but-mapped file not counted in total_files");
	ASSERT_EQ(s0.total_live_vmas + 1, s1.total_live_vmas);
	ASSERT_EQ(0ULL, s1.live_vmas);
	ASSERT_LE(s0.total_pages + 2, s1.total_pages);

	ASSERT_EQ(0, mt_ctx_unmap(c, p, 2 * pg));
	s2 = mt_ctx_stats(_metadata, fd3);
	ASSERT_EQ(s0.total_files + 1, s2.total_files)
		TH_LOG("file not released with its last mapping");
	ASSERT_EQ(s0.total_live_vmas, s2.total_live_vmas);
	ASSERT_EQ(s0.total_pages + s2.pages, s2.total_pages)
		TH_LOG("buffer pages not freed at the last release");
	mt_ctx_close(c, fd3);
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

	s0 = mt_ctx_stats(_metadata, c->fd);
	fd2 = mt_ctx_open(c, O_RDWR);
	ASSERT_LE(0, fd2);
	s1 = mt_ctx_stats(_metadata, fd2);
	ASSERT_EQ(s0.total_files + 1, s1.total_files);
	ASSERT_EQ(0ULL, s1.faults);
	ASSERT_EQ(0ULL, s1.live_vmas);
	ASSERT_EQ(6, pwrite(fd2, "other", 6, 0));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(10, pread(c->fd, buf, 10, 0));
	ASSERT_EQ(0, memcmp(buf, MMAP_TEST_GREETING, 10))
		TH_LOG("a write to one open file changed another's buffer");
	mt_ctx_close(c, fd2);
	s2 = mt_ctx_stats(_metadata, c->fd);
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
	p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ,
		       MMAP_TEST_SHARED);
	ASSERT_STREQ("abc", p + pg + 5);
	/* the last byte can be written, the next one not */
	ASSERT_EQ(1, pwrite(c->fd, "z", 1, size - 1));
	ASSERT_EQ(1, pread(c->fd, buf, 4, size - 1));
	ASSERT_EQ('z', buf[0]);
	ASSERT_EQ(0, pread(c->fd, buf, 4, size));
	/* at the end, a zero-length write is 0, one byte more is ENOSPC */
	ASSERT_EQ(0, pwrite(c->fd, "z", 0, size));
	ASSERT_EQ(-1, pwrite(c->fd, "z", 1, size));
	ASSERT_EQ(ENOSPC, errno);
}

TEST_HARNESS_MAIN
