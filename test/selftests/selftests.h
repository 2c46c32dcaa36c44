/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftests.h - helpers that several of the topic programs in this
 * directory share on top of mt_fixture.h: free address ranges, mmap(2)
 * outcomes as errno, IOCTL_FREE_VMA, a one-line QUERY report, TASK_SIZE,
 * a SIGSEGV/SIGBUS probe, tagged buffer pages and tagged pointers.
 *
 *   #include "kselftest_harness.h"
 *   #include "mt_fixture.h"
 *   #include "selftests.h"
 */
#ifndef MT_SELFTESTS_H
#define MT_SELFTESTS_H

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "mt_fixture.h"

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

/* Address of @pages free pages (mapped then unmapped). */
static inline char *mt_hole(size_t pages)
{
	char *p = mmap(NULL, pages * pg, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, pages * pg);
	return p;
}

/* mmap(2) outcome as 0 (then unmapped again) or errno. */
static inline int mmap_errno(unsigned long addr, size_t len, int prot,
			     int flags, int fd, off_t off)
{
	void *p = mmap(u2p(addr), len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

static inline int mt_free_raw(int fd, __u64 addr, __u64 len)
{
	struct mmap_test_free f = { .addr = addr, .len = len };

	return mt_ioctl(fd, IOCTL_FREE_VMA, &f);
}

static inline const char *mt_report_str(const struct mmap_test_vma_report *r)
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

/* ------------------------------------------------------------------ */
/* TASK_SIZE, probed with mmap(MAP_FIXED_NOREPLACE)                     */
/* ------------------------------------------------------------------ */

/* True when a one-page mapping at @a is inside the user range. */
static inline bool mt_page_in_range(unsigned long a)
{
	void *p = mmap(u2p(a), pg, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == MAP_FAILED)
		return errno != ENOMEM;	/* EEXIST: occupied, so in range */
	munmap(p, pg);
	return true;
}

static inline unsigned long mt_task_size(void)
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
/* SIGSEGV/SIGBUS probe                                                 */
/* ------------------------------------------------------------------ */

static sigjmp_buf probe_env;
static volatile sig_atomic_t probe_sig;

static inline void probe_handler(int sig)
{
	probe_sig = sig;
	siglongjmp(probe_env, 1);
}

/* Access *p; returns 0 or the signal that the access raised. */
static inline int mt_probe(volatile char *p, bool write, char val,
			   char *out)
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

/* Tag every buffer page through write(): page i starts with its tag. */
static inline void mt_tag(char *buf, size_t n, unsigned long i)
{
	snprintf(buf, n, "mmap-test buffer page %06lu", i);
}

static inline void mt_tag_all(struct __test_metadata *_metadata,
			      struct mt_ctx *c, int fd)
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

static inline __u64 mt_tagged(__u64 addr, unsigned char tag)
{
	return (addr & ~(0xffULL << 56)) | ((__u64)tag << 56);
}

/* Enable the tagged-address ABI; log (not fail) where it is missing. */
static inline void mt_tagged_abi(struct __test_metadata *_metadata)
{
	if (prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE, 0, 0, 0))
		TH_LOG("PR_SET_TAGGED_ADDR_CTRL: %s (munmap(2) untags anyway)",
		       strerror(errno));
}

#endif /* MT_SELFTESTS_H */
