// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-memfail - the buffer keeps its data through the kernel's
 * memory-error handling and page migration, as shmem's page cache does.
 *
 * The buffer's page cache holds the only copy of its data.  Each test
 * puts distinct bytes in three neighbouring pages, brings the middle one
 * into one of three states (the variants), lets the kernel act on that
 * page, and compares every byte with what it was:
 *
 *   read   created by a read fault, never written (zeroes)
 *   write  written by pwrite(2) (and mapped once, to learn its pfn)
 *   store  written through a shared mapping
 *
 *   hwpoison        MADV_HWPOISON (memory_failure()) on the mapped page:
 *                   the page stays poisoned.  read()/write() of it fail
 *                   with EIO, a mapping of it gets SIGBUS with
 *                   BUS_MCEERR_AR, the neighbours keep their bytes, and
 *                   the page is not created again (the counters count it
 *                   once).  A kernel that drops the page instead (a page
 *                   cache without ->error_remove_folio) hands out zeroes.
 *   hard_offline    the same through /sys/devices/system/memory/
 *                   hard_offline_page, on the page while no one maps it.
 *   soft_offline    MADV_SOFT_OFFLINE on the mapped page: the kernel
 *                   migrates it (the pfn changes) and the bytes do not
 *                   (a dirty page without ->migrate_folio cannot move).
 *   soft_offline_unmapped
 *                   soft_offline_page by pfn while no one maps it, as the
 *                   kernel's RAS code does for corrected errors: the page
 *                   migrates; a clean one would be dropped (invalidated)
 *                   and come back as zeroes.
 *
 * Needs root (CAP_SYS_ADMIN: the injection, pfns in /proc/self/pagemap)
 * and CONFIG_MEMORY_FAILURE; the sysfs files need CONFIG_MEMORY_HOTPLUG.
 * Without them a test SKIPs with the reason.  The poisoned pfns are never
 * given back to the page allocator, and the kernel logs "Memory failure:"
 * and "Soft offline:" lines: make check runs this program last, in a
 * module load of its own, and unloads the module after it.
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded: mmap-test-memfail.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "selftests.h"

#ifndef MADV_HWPOISON
#define MADV_HWPOISON		100
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE	101
#endif
#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR		4
#endif

#define SOFT_OFFLINE_PAGE	"/sys/devices/system/memory/soft_offline_page"
#define HARD_OFFLINE_PAGE	"/sys/devices/system/memory/hard_offline_page"

/* The page under test and its two neighbours. */
#define TPAGE		4UL
#define NPAGES		3

enum kind { K_READ, K_WRITE, K_STORE };

FIXTURE(memfail) {
	struct mt_ctx c;
	char *want[NPAGES];	/* bytes of pages TPAGE - 1 .. TPAGE + 1 */
	const char *why;	/* set: the tests SKIP with it */
};

/* The setup cannot SKIP on every harness version: the test does. */
#define NEED_SETUP() do {						\
	if (self->why)							\
		SKIP(return, "%s", self->why);				\
} while (0)

/* A sysfs file to offline a page by its address. */
#define NEED_SYSFS(path) do {						\
	if (access(path, W_OK))						\
		SKIP(return, "no %s (CONFIG_MEMORY_FAILURE and CONFIG_MEMORY_HOTPLUG)", \
		     path);						\
} while (0)

FIXTURE_VARIANT(memfail) {
	enum kind kind;
};

FIXTURE_VARIANT_ADD(memfail, read) { .kind = K_READ };
FIXTURE_VARIANT_ADD(memfail, write) { .kind = K_WRITE };
FIXTURE_VARIANT_ADD(memfail, store) { .kind = K_STORE };

/* The pfn mapped at @p (0: not present), from /proc/self/pagemap. */
static unsigned long long pfn_of(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), ((uintptr_t)p / pg) * sizeof(e)) !=
	    sizeof(e))
		e = 0;
	close(fd);
	if (!(e >> 63))
		return 0;
	return e & ((1ULL << 55) - 1);
}

/* A shared mapping of the three pages, tracked by the context. */
static char *map3(struct __test_metadata *_metadata, struct mt_ctx *c)
{
	char *p = mmap(NULL, NPAGES * pg, PROT_READ | PROT_WRITE, MAP_SHARED,
		       c->fd, (TPAGE - 1) * pg);

	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	mt_ctx_track(c, p, NPAGES * pg);
	return p;
}

/* Read every byte of @p (mapped): 0, or the signal with its si_code. */
static int read_all(char *p, struct mt_fault *f)
{
	size_t i;
	char b;
	int sig;

	for (i = 0; i < pg; i += 64) {
		sig = mt_mem_touch(p + i, MT_ACCESS_READ, 0, &b, f);
		if (sig)
			return sig;
	}
	return 0;
}

FIXTURE_SETUP(memfail)
{
	struct mt_ctx *c = &self->c;
	char *p;
	int i;

	mt_ctx_init(c);
	if (geteuid() != 0) {
		self->why = "needs root (CAP_SYS_ADMIN) to inject memory errors and read pfns";
		return;
	}
	mt_ctx_setup(_metadata, c, TPAGE + 2);
	for (i = 0; i < NPAGES; i++) {
		self->want[i] = calloc(1, pg);
		ASSERT_NE(NULL, self->want[i]);
	}
	/* the neighbours: written by pwrite(2) */
	for (i = 0; i < NPAGES; i += 2) {
		memset(self->want[i], 'a' + i, pg);
		snprintf(self->want[i], pg, "neighbour page %lu", TPAGE - 1 + i);
		ASSERT_EQ((ssize_t)pg, pwrite(c->fd, self->want[i], pg,
					      (TPAGE - 1 + i) * pg));
	}
	/* the page under test */
	if (variant->kind != K_READ) {
		memset(self->want[1], 'P', pg);
		snprintf(self->want[1], pg, "PRECIOUS page %lu, %s", TPAGE,
			 variant->kind == K_WRITE ? "write()" : "stored");
	}
	if (variant->kind == K_WRITE)
		ASSERT_EQ((ssize_t)pg, pwrite(c->fd, self->want[1], pg,
					      TPAGE * pg));
	p = map3(_metadata, c);
	if (variant->kind == K_STORE)
		memcpy(p + pg, self->want[1], pg);
	else
		ASSERT_EQ(0, read_all(p + pg, NULL));
	ASSERT_NE(0ULL, pfn_of(p + pg)) TH_LOG("no pfn in /proc/self/pagemap");
	ASSERT_EQ(0, mt_ctx_unmap(c, p, NPAGES * pg));
}

FIXTURE_TEARDOWN(memfail)
{
	int i;

	mt_ctx_teardown(_metadata, &self->c);
	for (i = 0; i < NPAGES; i++)
		free(self->want[i]);
}

/* The neighbours' bytes, through read(). */
static void check_neighbours(struct __test_metadata *_metadata,
			     FIXTURE_DATA(memfail) *self)
{
	char *buf = malloc(pg);
	int i;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < NPAGES; i += 2) {
		ASSERT_EQ((ssize_t)pg, pread(self->c.fd, buf, pg,
					     (TPAGE - 1 + i) * pg));
		EXPECT_EQ(0, memcmp(buf, self->want[i], pg))
			TH_LOG("page %lu changed: \"%.24s\"", TPAGE - 1 + i, buf);
	}
	free(buf);
}

/* The page under test through read(): all of its bytes as they were. */
static void check_kept(struct __test_metadata *_metadata,
		       FIXTURE_DATA(memfail) *self)
{
	char *buf = malloc(pg);
	ssize_t n;

	ASSERT_NE(NULL, buf);
	n = pread(self->c.fd, buf, pg, TPAGE * pg);
	EXPECT_EQ((ssize_t)pg, n) TH_LOG("pread(page %lu): %s", TPAGE,
					 n < 0 ? strerror(errno) : "short");
	if (n == (ssize_t)pg)
		EXPECT_EQ(0, memcmp(buf, self->want[1], pg))
			TH_LOG("page %lu: \"%.32s\", want \"%.32s\"", TPAGE, buf,
			       self->want[1]);
	free(buf);
}

/*
 * The page under test is poisoned: read() and write() of it fail with
 * EIO (not a page of zeroes), a new mapping of it gets SIGBUS
 * BUS_MCEERR_AR, and the module did not create it again.
 */
static void check_poisoned(struct __test_metadata *_metadata,
			   FIXTURE_DATA(memfail) *self, __u64 pages_before)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s;
	struct mt_fault f;
	char *buf = calloc(1, pg), *p;
	ssize_t n;

	ASSERT_NE(NULL, buf);
	errno = 0;
	n = pread(c->fd, buf, pg, TPAGE * pg);
	EXPECT_EQ(-1, n) TH_LOG("pread of the poisoned page returned %zd bytes: \"%.32s\" (%s)",
				n, buf, n > 0 && !buf[0] ?
				"zeroes: the page was dropped and created again" :
				"its old bytes");
	EXPECT_EQ(EIO, errno);
	errno = 0;
	EXPECT_EQ(-1, pwrite(c->fd, "x", 1, TPAGE * pg + 7));
	EXPECT_EQ(EIO, errno);
	check_neighbours(_metadata, self);

	p = map3(_metadata, c);
	EXPECT_EQ(SIGBUS, read_all(p + pg, &f))
		TH_LOG("a new mapping of the poisoned page reads without a fault");
	if (f.sig == SIGBUS)
		EXPECT_EQ(BUS_MCEERR_AR, f.code) TH_LOG("si_code %d", f.code);
	EXPECT_EQ(0, read_all(p, NULL));
	EXPECT_EQ(0, read_all(p + 2 * pg, NULL));
	s = mt_ctx_stats(_metadata, c->fd);
	EXPECT_EQ(pages_before, s.pages)
		TH_LOG("the buffer counts %llu pages, %llu before the error",
		       (unsigned long long)s.pages,
		       (unsigned long long)pages_before);
	free(buf);
}

/*
 * madvise(@advice) of @p in a child: MADV_HWPOISON may also send the
 * caller SIGBUS (7.x injects it as an action-required error).  Returns
 * the child's errno (0: success), or -1 if the signal killed it.
 */
static int madvise_in_child(struct __test_metadata *_metadata, void *p,
			    int advice)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid)
		_exit(madvise(p, pg, advice) ? errno : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (WIFSIGNALED(status)) {
		TH_LOG("madvise(%d): the child got signal %d", advice,
		       WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

/*
 * Offline the page @pfn through a sysfs file: 0 or errno.  The files take
 * a physical address (drivers/base/memory.c shifts it by PAGE_SHIFT).
 */
static int offline_pfn(const char *path, unsigned long long pfn)
{
	char s[32];
	int fd, n, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = snprintf(s, sizeof(s), "0x%llx", pfn << pg_shift);
	if (write(fd, s, n) != n)
		ret = errno;
	close(fd);
	return ret;
}

/* The pfn of the page under test, mapped for a moment. */
static unsigned long long tpage_pfn(struct __test_metadata *_metadata,
				    struct mt_ctx *c)
{
	unsigned long long pfn;
	char *p = map3(_metadata, c);

	ASSERT_EQ(0, read_all(p + pg, NULL));
	pfn = pfn_of(p + pg);
	ASSERT_EQ(0, mt_ctx_unmap(c, p, NPAGES * pg));
	return pfn;
}

/*
 * The three pages mapped and the middle one read (mapped); *@pages: the
 * buffer's page count before.
 */
static char *map_touched(struct __test_metadata *_metadata, struct mt_ctx *c,
			 __u64 *pages)
{
	char *p;

	*pages = mt_ctx_stats(_metadata, c->fd).pages;
	p = map3(_metadata, c);
	ASSERT_EQ(0, read_all(p + pg, NULL));
	return p;
}

TEST_F(memfail, hwpoison)
{
	struct mt_ctx *c = &self->c;
	struct mt_fault f;
	__u64 pages;
	int ret;
	char *p;

	NEED_SETUP();
	p = map_touched(_metadata, c, &pages);
	ret = madvise_in_child(_metadata, p + pg, MADV_HWPOISON);
	if (ret == EINVAL)
		SKIP(return, "MADV_HWPOISON: EINVAL (the kernel lacks CONFIG_MEMORY_FAILURE)");
	/*
	 * 0 (recovered) or EBUSY: memory_failure() calls a page that its
	 * page cache keeps "still referenced" (only shmem's may).
	 */
	TH_LOG("MADV_HWPOISON: %s", ret < 0 ? "signal" : strerror(ret));
	EXPECT_TRUE(ret <= 0 || ret == EBUSY);
	/* the mapping that held it now has a poisoned entry */
	EXPECT_EQ(SIGBUS, read_all(p + pg, &f));
	ASSERT_EQ(0, mt_ctx_unmap(c, p, NPAGES * pg));
	check_poisoned(_metadata, self, pages);
}

TEST_F(memfail, hard_offline)
{
	struct mt_ctx *c = &self->c;
	unsigned long long pfn;
	__u64 pages;
	int ret;

	NEED_SETUP();
	NEED_SYSFS(HARD_OFFLINE_PAGE);
	pages = mt_ctx_stats(_metadata, c->fd).pages;
	pfn = tpage_pfn(_metadata, c);
	ret = offline_pfn(HARD_OFFLINE_PAGE, pfn);
	TH_LOG("hard_offline_page 0x%llx: %s", pfn, strerror(ret));
	EXPECT_TRUE(!ret || ret == EBUSY);
	check_poisoned(_metadata, self, pages);
}

TEST_F(memfail, soft_offline)
{
	struct mt_ctx *c = &self->c;
	unsigned long long pfn, pfn2;
	__u64 pages;
	int ret;
	char *p;

	NEED_SETUP();
	p = map_touched(_metadata, c, &pages);
	pfn = pfn_of(p + pg);
	ret = madvise_in_child(_metadata, p + pg, MADV_SOFT_OFFLINE);
	if (ret == EINVAL)
		SKIP(return, "MADV_SOFT_OFFLINE: EINVAL (the kernel lacks CONFIG_MEMORY_FAILURE)");
	ASSERT_EQ(0, ret) TH_LOG("MADV_SOFT_OFFLINE of pfn 0x%llx: %s", pfn,
				 ret < 0 ? "signal" : strerror(ret));
	ASSERT_EQ(0, read_all(p + pg, NULL));
	pfn2 = pfn_of(p + pg);
	EXPECT_NE(pfn, pfn2) TH_LOG("the page did not move (pfn 0x%llx)", pfn);
	EXPECT_EQ(0, memcmp(p + pg, self->want[1], pg))
		TH_LOG("mapped after the move: \"%.32s\"", p + pg);
	ASSERT_EQ(0, mt_ctx_unmap(c, p, NPAGES * pg));
	check_kept(_metadata, self);
	check_neighbours(_metadata, self);
	EXPECT_EQ(pages, mt_ctx_stats(_metadata, c->fd).pages);
}

TEST_F(memfail, soft_offline_unmapped)
{
	struct mt_ctx *c = &self->c;
	unsigned long long pfn, pfn2;
	__u64 pages;
	int ret;

	NEED_SETUP();
	NEED_SYSFS(SOFT_OFFLINE_PAGE);
	pages = mt_ctx_stats(_metadata, c->fd).pages;
	pfn = tpage_pfn(_metadata, c);
	ret = offline_pfn(SOFT_OFFLINE_PAGE, pfn);
	ASSERT_EQ(0, ret) TH_LOG("soft_offline_page 0x%llx: %s", pfn,
				 strerror(ret));
	check_kept(_metadata, self);
	check_neighbours(_metadata, self);
	EXPECT_EQ(pages, mt_ctx_stats(_metadata, c->fd).pages)
		TH_LOG("the page was dropped and created again");
	pfn2 = tpage_pfn(_metadata, c);
	EXPECT_NE(pfn, pfn2) TH_LOG("the page did not move (pfn 0x%llx)", pfn);
}

TEST_HARNESS_MAIN
