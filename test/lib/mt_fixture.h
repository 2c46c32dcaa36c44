/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mt_fixture.h - the per-test context that every kselftest program of
 * mmap-test (test/selftests/<topic>.c) builds its fixtures on.
 *
 * A test's context opens /dev/mmap-test and takes the module's counters
 * (IOCTL_GET_STATS) as its baseline.  At teardown it unmaps every mapping
 * and closes every extra fd the test registered with it, then checks that
 * nothing leaked: no VMA of the test's file is alive, and the module-wide
 * live VMA, page and file counts are back to their baseline values.  A leak
 * therefore fails the test that caused it, in every program alike.
 *
 *   #include "kselftest_harness.h"
 *   #include "mt_fixture.h"
 *
 *   MT_FIXTURE(mt, MT_MIN_PAGES);	fixture "mt": self->c, its setup
 *					needs MT_MIN_PAGES buffer pages
 *
 *   FIXTURE(diff) { struct mt_ctx c; ... };	a fixture with more state
 *   FIXTURE_SETUP(diff) { mt_ctx_setup(_metadata, &self->c, 0); ... }
 *   FIXTURE_TEARDOWN(diff) { ...; mt_ctx_teardown(_metadata, &self->c); }
 *
 * A program that includes this header needs the device: when it does not
 * exist (the module is not loaded), or the module's buffer is smaller
 * than MT_MIN_PAGES, the program prints "1..0 # SKIP <why>" and exits 4
 * (KSFT_SKIP) before any test runs, so that no runner takes it for a pass
 * (-h and -l work without it).  A setup therefore never SKIPs: any open
 * error fails.  This uses no harness internals, so the programs build
 * against the kselftest_harness.h of old and new kernels alike.  A setup
 * that may decide not to open the device at all (huge.c) starts with
 * mt_ctx_init(c): the teardown of a context that never opened is a
 * no-op.  Inside a test:
 *
 *   mt_ctx_map(_metadata, c, fd, addr, len, pgoff, prot, flags)
 *				IOCTL_ALLOC_VMA that must succeed, tracked
 *   mt_ctx_anon(c, hint, len, prot, flags)  mmap(2) anonymous, tracked
 *   mt_ctx_track(c, addr, len) / mt_ctx_untrack(c, addr, len)
 *   mt_ctx_unmap(c, addr, len)		munmap(2) and forget
 *   mt_ctx_open(c, flags) / mt_ctx_close(c, fd)	extra fds of the device
 *   mt_ctx_rebase(_metadata, c)	the baseline again, counting the extra
 *				fds open now as the test's own files
 *   mt_ctx_query(_metadata, fd, addr)	IOCTL_QUERY_VMA that must succeed
 *   mt_ctx_stats(_metadata, fd)	IOCTL_GET_STATS that must succeed
 *   mt_ctx_nr_vmas(_metadata, fd)	VMAs of this process
 *
 * pg and pg_shift are the page size and its log2 once a setup ran; u2p()
 * and p2u() convert between the ABI's __u64 addresses and pointers.
 *
 * Everything is static inline: each program includes this header once,
 * and kselftest_harness.h (which it needs) is only on the selftests'
 * include path.
 */
#ifndef MT_FIXTURE_H
#define MT_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/mmap_test.h>

#include "mt_ioctl.h"
#include "mt_mem.h"
#include "mt_names.h"

#define MT_MIN_PAGES	8	/* buffer pages the topic programs need */
#define MT_MAX_MAPS	32
#define MT_MAX_FDS	8

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
	int base_files;			/* the test's files in @base */
	struct mt_region maps[MT_MAX_MAPS];	/* unmapped at teardown */
	int nmaps;
	int fds[MT_MAX_FDS];		/* extra fds, closed at teardown */
	int nfds;
};

static inline void *u2p(__u64 a)
{
	return (void *)(uintptr_t)a;
}

static inline __u64 p2u(const void *p)
{
	return (__u64)(uintptr_t)p;
}

static inline void mt_ctx_track(struct mt_ctx *c, void *addr, size_t len)
{
	if (c->nmaps < MT_MAX_MAPS) {
		c->maps[c->nmaps].addr = addr;
		c->maps[c->nmaps].len = len;
		c->nmaps++;
	}
}

static inline void mt_ctx_untrack(struct mt_ctx *c, void *addr, size_t len)
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
static inline int mt_ctx_unmap(struct mt_ctx *c, void *addr, size_t len)
{
	int ret = munmap(addr, len);

	mt_ctx_untrack(c, addr, len);
	return ret;
}

/* Another fd of the device, closed at teardown; -1 and errno on error. */
static inline int mt_ctx_open(struct mt_ctx *c, int flags)
{
	int fd = mt_dev_open(flags);

	if (fd < 0) {
		errno = -fd;
		return -1;
	}
	if (c->nfds < MT_MAX_FDS)
		c->fds[c->nfds++] = fd;
	return fd;
}

static inline void mt_ctx_close(struct mt_ctx *c, int fd)
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
static inline char *mt_ctx_anon(struct mt_ctx *c, void *hint, size_t len,
				int prot, int flags)
{
	char *p = mmap(hint, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mt_ctx_track(c, p, len);
	return p;
}

/* IOCTL_ALLOC_VMA that must succeed; the mapping is tracked. */
static inline char *mt_ctx_map(struct __test_metadata *_metadata,
			       struct mt_ctx *c, int fd, __u64 addr,
			       size_t len, __u64 pgoff, __u32 prot,
			       __u32 flags)
{
	struct mmap_test_alloc a;
	char fl[96];
	int ret;

	ret = mt_ioctl_alloc(fd, addr, len, pgoff, prot, flags, &a);
	mt_format_flags(flags, fl, sizeof(fl));
	ASSERT_EQ(0, ret) TH_LOG("ALLOC addr=0x%llx len=0x%zx pgoff=%llu prot=0x%x flags=%s: %s",
				 (unsigned long long)addr, len,
				 (unsigned long long)pgoff, prot, fl,
				 mt_errno_name(ret));
	ASSERT_NE(0ULL, a.mapped) TH_LOG("ALLOC succeeded with mapped == 0");
	mt_ctx_track(c, u2p(a.mapped), mt_mem_page_align(len));
	return u2p(a.mapped);
}

/* IOCTL_QUERY_VMA of @addr that must succeed and echo the address. */
static inline struct mmap_test_vma_report
mt_ctx_query(struct __test_metadata *_metadata, int fd, __u64 addr)
{
	struct mmap_test_vma_report r;
	int ret;

	memset(&r, 0, sizeof(r));
	ret = mt_ioctl_query(fd, addr, &r);
	ASSERT_EQ(0, ret) TH_LOG("QUERY 0x%llx: %s", (unsigned long long)addr,
				 mt_errno_name(ret));
	ASSERT_EQ(mt_untag(addr), r.addr);
	return r;
}

/* IOCTL_GET_STATS that must succeed. */
static inline struct mmap_test_stats
mt_ctx_stats(struct __test_metadata *_metadata, int fd)
{
	struct mmap_test_stats s;
	int ret;

	ret = mt_ioctl_stats(fd, &s);
	ASSERT_EQ(0, ret) TH_LOG("GET_STATS: %s", mt_errno_name(ret));
	return s;
}

/* VMAs of this process, as find_vma() counts them. */
static inline __u32 mt_ctx_nr_vmas(struct __test_metadata *_metadata,
				   int fd)
{
	return mt_ctx_query(_metadata, fd, 0).nr_vmas;
}

/* An empty context: nothing open, nothing tracked (teardown is a no-op). */
static inline void mt_ctx_init(struct mt_ctx *c)
{
	int i;

	pg = mt_mem_page_size();
	pg_shift = mt_mem_page_shift();
	c->fd = -1;
	c->nmaps = 0;
	c->nfds = 0;
	c->base_files = 1;
	for (i = 0; i < MT_MAX_FDS; i++)
		c->fds[i] = -1;
}

/*
 * Open the device and take the baseline; the buffer must have at least
 * @min_pages pages (0: no minimum; at most MT_MIN_PAGES, which the
 * program checked before its first test).
 */
static inline void mt_ctx_setup(struct __test_metadata *_metadata,
				struct mt_ctx *c, unsigned long min_pages)
{
	mt_ctx_init(c);
	c->fd = mt_dev_open(O_RDWR);
	ASSERT_LE(0, c->fd) TH_LOG("open(%s, O_RDWR): %s", MMAP_TEST_DEVICE,
				   strerror(-c->fd));
	c->base = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(0ULL, c->base.live_vmas);
	ASSERT_LT(0ULL, c->base.buffer_pages);
	c->bp = c->base.buffer_pages;
	ASSERT_LE(min_pages, c->bp)
		TH_LOG("the module's buffer_pages is %lu, this test needs >= %lu",
		       c->bp, min_pages);
}

/*
 * Before main(): no device (or too small a buffer), no test.  glibc hands
 * ELF constructors the program's arguments.
 */
static void __attribute__((constructor))
mt_fixture_need_device(int argc, char **argv)
{
	unsigned long long bp = MT_MIN_PAGES;
	char why[160] = "";
	FILE *f;
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "-l"))
			return;
	if (access(MMAP_TEST_DEVICE, F_OK)) {
		snprintf(why, sizeof(why),
			 "%s does not exist: mmap_test.ko is not loaded",
			 MMAP_TEST_DEVICE);
	} else {
		f = fopen("/sys/module/mmap_test/parameters/buffer_pages", "r");
		if (f) {
			if (fscanf(f, "%llu", &bp) != 1)
				bp = MT_MIN_PAGES;
			fclose(f);
		}
		if (bp < MT_MIN_PAGES)
			snprintf(why, sizeof(why),
				 "the module's buffer_pages is %llu, the tests need >= %d",
				 bp, MT_MIN_PAGES);
	}
	if (!why[0])
		return;
	printf("TAP version 13\n1..0 # SKIP %s\n", why);
	fflush(stdout);
	_exit(KSFT_SKIP);
}

/*
 * The baseline again, after the setup opened more files of the device
 * with mt_ctx_open(): they count as the test's own files, so the teardown
 * expects them closed and the total back to the value before the first.
 */
static inline void mt_ctx_rebase(struct __test_metadata *_metadata,
				 struct mt_ctx *c)
{
	c->base = mt_ctx_stats(_metadata, c->fd);
	c->base_files = 1 + c->nfds;
}

/*
 * Release what the test registered and check the baseline.  No ASSERT_*()
 * here: a failed ASSERT ends the test (a longjmp() into the wrapper, or
 * the teardown and abort(), by harness version), which would
 * run the teardown again.
 */
static inline void mt_ctx_teardown(struct __test_metadata *_metadata,
				   struct mt_ctx *c)
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

	EXPECT_EQ(0, mt_ioctl_stats(c->fd, &s));
	EXPECT_EQ(0ULL, s.live_vmas)
		TH_LOG("leak: %llu VMAs of this file alive after every mapping of the test was unmapped (opens %llu closes %llu)",
		       (unsigned long long)s.live_vmas,
		       (unsigned long long)s.vma_opens,
		       (unsigned long long)s.vma_closes);
	EXPECT_EQ(c->base.total_live_vmas - c->base.live_vmas,
		  s.total_live_vmas)
		TH_LOG("module-wide live VMAs not back to the baseline");
	close(c->fd);
	c->fd = -1;

	fd2 = mt_dev_open(O_RDWR);
	EXPECT_LE(0, fd2) TH_LOG("reopen: %s", strerror(-fd2));
	if (fd2 < 0)
		return;
	EXPECT_EQ(0, mt_ioctl_stats(fd2, &s2));
	EXPECT_EQ(c->base.total_live_vmas - c->base.live_vmas,
		  s2.total_live_vmas)
		TH_LOG("module-wide live VMAs not back to the baseline");
	EXPECT_EQ(c->base.total_files - c->base_files + 1, s2.total_files)
		TH_LOG("module-wide open files not back to the baseline (a file outlived its last mapping and fd)");
	EXPECT_EQ(c->base.total_pages - c->base.pages + s2.pages,
		  s2.total_pages)
		TH_LOG("module-wide buffer pages not back to the baseline (pages not freed at last release)");
	close(fd2);
}

/*
 * Fixture @name: a struct mt_ctx as self->c; its setup fails when the
 * buffer has fewer than @min_pages pages.
 */
#define MT_FIXTURE(name, min_pages)					\
	FIXTURE(name) {							\
		struct mt_ctx c;					\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		mt_ctx_setup(_metadata, &self->c, (min_pages));		\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		mt_ctx_teardown(_metadata, &self->c);			\
	}

#endif /* MT_FIXTURE_H */
