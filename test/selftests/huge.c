// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-huge - huge device mappings (module parameter huge=1).
 *
 *   write_pmd   a write-touch of every page of a PMD-aligned, PMD-size
 *               shared mapping of the buffer's first PMD takes one fault,
 *               and /proc/self/smaps shows the whole range FilePmdMapped
 *               (AnonHugePages would be an anonymous THP, not ours).  The
 *               buffer then has a PMD's worth of pages (counted in base
 *               pages), and read() sees what the mapping wrote.
 *   read_pmd    the greeting read through such a mapping: one fault maps
 *               the PMD, reading the rest of it faults no more.
 *   unaligned   a mapping that holds no whole PMD-aligned file range (file
 *               offset one page) is PTE-mapped: no FilePmdMapped, one
 *               fault per fault-around at least, the data is right.
 *
 * Each test SKIPs, with the reason, unless the module was loaded with
 * huge=1 (make check does so in its "huge" section, on kernels that have
 * it) and with a buffer of at least one PMD (two for unaligned).  The PMD
 * size is the kernel's (hpage_pmd_size): 2 MiB with 4 KiB pages, 32 MiB
 * with arm64's 16 KiB pages.
 *
 * Each test runs on the shared fixture (mt_fixture.h: baseline leak check
 * at teardown).
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded with huge=1: mmap-test-huge.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "selftests.h"

#define HUGE_PARAM	"/sys/module/mmap_test/parameters/huge"
#define PMD_SIZE_FILE	"/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"

FIXTURE(huge) {
	struct mt_ctx c;	/* c.fd < 0: every test SKIPs with @why */
	unsigned long pmd;	/* bytes */
	char why[160];
};

/* The setup records why the tests cannot run; each test SKIPs with it. */
FIXTURE_SETUP(huge)
{
	char v[64];
	int ret;

	mt_ctx_init(&self->c);
	ret = mt_file_read_line(HUGE_PARAM, v, sizeof(v));
	if (ret) {
		snprintf(self->why, sizeof(self->why),
			 "%s: %s (module not loaded, or without huge=)",
			 HUGE_PARAM, strerror(-ret));
		return;
	}
	if (strcmp(v, "Y")) {
		snprintf(self->why, sizeof(self->why),
			 "module loaded without huge=1 (make check loads it so in its huge section)");
		return;
	}
	ret = mt_file_read_line(PMD_SIZE_FILE, v, sizeof(v));
	if (ret) {
		snprintf(self->why, sizeof(self->why), "%s: %s (no THP)",
			 PMD_SIZE_FILE, strerror(-ret));
		return;
	}
	self->pmd = strtoul(v, NULL, 10);
	ASSERT_NE(0UL, self->pmd);
	mt_ctx_setup(_metadata, &self->c, 0);
}

FIXTURE_TEARDOWN(huge)
{
	mt_ctx_teardown(_metadata, &self->c);
}

static struct mmap_test_stats stats(struct __test_metadata *_metadata, int fd)
{
	struct mmap_test_stats s;

	EXPECT_EQ(0, mt_ioctl_stats(fd, &s));
	return s;
}

#define NEED_PMDS(n) do {						\
	if (self->c.fd < 0)						\
		SKIP(return, "%s", self->why);				\
	if (self->c.bp * pg < (n) * self->pmd)				\
		SKIP(return, "needs a buffer of %d PMD(s) (%lu pages of %lu KiB), module has buffer_pages=%lu", \
		     (n), (n) * self->pmd / pg, pg / 1024, self->c.bp);	\
} while (0)

TEST_F(huge, write_pmd)
{
	unsigned long n = self->pmd / pg, i;
	struct mmap_test_stats s0, s1;
	char buf[16];
	char *p;

	NEED_PMDS(1);
	s0 = stats(_metadata, self->c.fd);
	p = mmap(NULL, self->pmd, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->c.fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_EQ(0UL, (uintptr_t)p % self->pmd)
		TH_LOG("%p: get_unmapped_area did not align to the PMD", p);
	for (i = 0; i < n; i++)
		p[i * pg + 1] = (char)(i | 1);
	s1 = stats(_metadata, self->c.fd);
	TH_LOG("%lu pages written: %llu fault(s), FilePmdMapped %ld kB, %llu pages allocated",
	       n, (unsigned long long)(s1.faults - s0.faults),
	       file_pmd_kb(p), (unsigned long long)s1.pages);
	EXPECT_EQ(1ULL, s1.faults - s0.faults);
	EXPECT_EQ((long)(self->pmd / 1024), file_pmd_kb(p));
	EXPECT_EQ(n, s1.pages);
	/* read() sees the mapping's bytes, page 0 kept its greeting's first byte */
	EXPECT_EQ(2, pread(self->c.fd, buf, 2, (n - 1) * pg));
	EXPECT_EQ((char)((n - 1) | 1), buf[1]);
	EXPECT_EQ(MMAP_TEST_GREETING[0], p[0]);
	EXPECT_EQ(0, munmap(p, self->pmd));
}

TEST_F(huge, read_pmd)
{
	unsigned long n = self->pmd / pg, i;
	struct mmap_test_stats s0, s1;
	unsigned long sum = 0;
	char *p;

	NEED_PMDS(1);
	s0 = stats(_metadata, self->c.fd);
	p = mmap(NULL, self->pmd, PROT_READ, MAP_SHARED, self->c.fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(p, MMAP_TEST_GREETING, sizeof(MMAP_TEST_GREETING)));
	s1 = stats(_metadata, self->c.fd);
	EXPECT_EQ(1ULL, s1.faults - s0.faults);
	EXPECT_EQ((long)(self->pmd / 1024), file_pmd_kb(p));
	for (i = 1; i < n; i++)
		sum += (unsigned char)p[i * pg];
	EXPECT_EQ(0UL, sum);
	s1 = stats(_metadata, self->c.fd);
	EXPECT_EQ(1ULL, s1.faults - s0.faults);
	EXPECT_EQ(0, munmap(p, self->pmd));
}

TEST_F(huge, unaligned)
{
	unsigned long n = self->pmd / pg, i;
	struct mmap_test_stats s0, s1;
	char *p;

	NEED_PMDS(2);
	s0 = stats(_metadata, self->c.fd);
	p = mmap(NULL, self->pmd, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->c.fd, pg);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	for (i = 0; i < n; i++)
		p[i * pg] = (char)(i | 1);
	s1 = stats(_metadata, self->c.fd);
	TH_LOG("%lu pages written at file offset 1 page: %llu faults, FilePmdMapped %ld kB",
	       n, (unsigned long long)(s1.faults - s0.faults), file_pmd_kb(p));
	EXPECT_LT(1ULL, s1.faults - s0.faults);
	EXPECT_EQ(0, file_pmd_kb(p));
	for (i = 0; i < n; i++)
		if (p[i * pg] != (char)(i | 1))
			break;
	EXPECT_EQ(n, i);
	EXPECT_EQ(0, munmap(p, self->pmd));
}

TEST_HARNESS_MAIN
