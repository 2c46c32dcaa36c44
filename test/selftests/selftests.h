/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftests.h - helpers that several of the kselftest programs in this
 * directory share on top of mt_fixture.h and the library: short names of
 * the report flags, the run time of the timed tests, a free address range
 * (and one between guard pages), mmap(2)'s outcome as an errno, a one-line
 * QUERY report, buffer pages tagged with their number, a child that must
 * exit 0, and tagged pointers (arm64).
 *
 *   #include "kselftest_harness.h"
 *   #include "mt_fixture.h"
 *   #include "selftests.h"
 */
#ifndef MT_SELFTESTS_H
#define MT_SELFTESTS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "mt_file.h"
#include "mt_fixture.h"

/* Report flags (MMAP_TEST_VMA_*) used here, by short names. */
#define VF_READ		MMAP_TEST_VMA_READ
#define VF_WRITE	MMAP_TEST_VMA_WRITE
#define VF_EXEC		MMAP_TEST_VMA_EXEC
#define VF_SHARED	MMAP_TEST_VMA_SHARED
#define VF_MAYWRITE	MMAP_TEST_VMA_MAYWRITE
#define VF_MAYSHARE	MMAP_TEST_VMA_MAYSHARE
#define VF_DONTEXPAND	MMAP_TEST_VMA_DONTEXPAND
#define VF_DONTDUMP	MMAP_TEST_VMA_DONTDUMP

/*
 * How long the timed tests (stress, fault.dontneed_race) run, in seconds:
 * MMAP_TEST_STRESS_SECONDS, 1 to 180, default 10.  With the module loaded
 * with another mmap_hook than mmap, a fifth of it (at least 1): only the
 * setup of a mapping differs, as for the fuzzer's fifth of its calls
 * (test/kselftest/parts/fuzz.sh).
 */
static inline int stress_seconds(void)
{
	const char *s = getenv("MMAP_TEST_STRESS_SECONDS");
	char hook[32];
	long v = 10;

	if (s && *s)
		v = strtol(s, NULL, 10);
	if (v < 1)
		v = 1;
	if (v > 180)
		v = 180;
	if (mt_file_read_line(MT_PARAM_DIR "mmap_hook", hook, sizeof(hook)) == 0 &&
	    strcmp(hook, "mmap"))
		v = v / 5 > 1 ? v / 5 : 1;
	return v;
}

/*
 * The harness's per-test timeout of the timed tests, in seconds: it only
 * detects a hang.  20 times the longest run: a TCG guest of a debug kernel
 * on a loaded host runs them several times slower than their run time (the
 * fork storm goes on past the deadline until it did its minimum of forks:
 * 30 to 40 s on the debug kernel of an idle host, over 100 s on a busy
 * one).  A constant: the harness has no portable way to set it at run time.
 */
#define STRESS_TIMEOUT	3600

/* Address of @pages free pages (mapped then unmapped). */
static inline char *find_hole(size_t pages)
{
	char *p = mmap(NULL, pages * pg, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, pages * pg);
	return p;
}

/*
 * @pages free pages between two PROT_NONE guard pages (tracked by @c):
 * returns the lower guard, the hole starts one page above it.
 */
static inline char *guarded_hole(struct __test_metadata *_metadata,
				 struct mt_ctx *c, size_t pages)
{
	char *g = mt_ctx_anon(c, NULL, (pages + 2) * pg, PROT_NONE,
			      MAP_PRIVATE);

	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, munmap(g + pg, pages * pg));
	return g;
}

/* Why the tagged-pointer tests SKIP off arm64: untagged_addr() changes nothing. */
#if defined(__x86_64__)
#define NO_TAGGED_POINTERS	"tagged user pointers are arm64's top-byte-ignore; x86 LAM is not enabled here, so untagged_addr() is the identity"
#else
#define NO_TAGGED_POINTERS	"tagged user pointers are arm64's top-byte-ignore (and x86's LAM); this architecture has neither, so untagged_addr() is the identity"
#endif

/*
 * An address @pages pages past TASK_SIZE, or TASK_SIZE itself where that
 * wraps: on s390x TASK_SIZE is 2^64 minus a page, and that last page is
 * the only address above user space.
 */
static inline unsigned long past_task_size(unsigned long pages)
{
	unsigned long ts = mt_mem_task_size(NULL);
	unsigned long a = ts + pages * mt_mem_page_size();

	return a > ts ? a : ts;
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

/* Reap child @pid: it must have exited with status 0. */
static inline void wait_child_ok(struct __test_metadata *_metadata, pid_t pid)
{
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/*
 * The find_vma() verdict of a report and its other fields, in one of four
 * rotating static buffers (up to four in one message).
 */
static inline const char *report_str(const struct mmap_test_vma_report *r)
{
	static char bufs[4][320];
	static int next;
	char *b = bufs[next++ & 3];
	size_t n;

	mt_explain_report(r, NULL, b, sizeof(bufs[0]));
	n = strlen(b);
	snprintf(b + n, sizeof(bufs[0]) - n,
		 " [backing %s, flags 0x%llx, pgoff 0x%llx, gap 0x%llx, nr_vmas %u]",
		 mt_backing_name(r->backing), (unsigned long long)r->flags,
		 (unsigned long long)r->vm_pgoff, (unsigned long long)r->gap,
		 r->nr_vmas);
	return b;
}

/* The tag of buffer page @i: "mmap-test buffer page 000042". */
static inline void tag_page(char *buf, size_t n, unsigned long i)
{
	snprintf(buf, n, "mmap-test buffer page %06lu", i);
}

/* Tag every buffer page through write(): page i starts with its tag. */
static inline void tag_all(struct __test_metadata *_metadata,
			   struct mt_ctx *c, int fd)
{
	char tag[64];
	unsigned long i;
	ssize_t w;

	for (i = 0; i < c->bp; i++) {
		tag_page(tag, sizeof(tag), i);
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

static const unsigned char addr_tags[] = { 0x01, 0x5a, 0xff };

static inline __u64 tagged(__u64 addr, unsigned char tag)
{
	return (addr & ~(0xffULL << 56)) | ((__u64)tag << 56);
}

/* Enable the tagged-address ABI; log (not fail) where it is missing. */
static inline void enable_tagged_abi(struct __test_metadata *_metadata)
{
	if (prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE, 0, 0, 0))
		TH_LOG("PR_SET_TAGGED_ADDR_CTRL: %s (munmap(2) untags anyway)",
		       strerror(errno));
}

/*
 * The module's log lines without their rate limit (module parameter
 * log_burst=0), for a test that reads its own calls' lines back from the
 * kernel log: an earlier test may have used up the window.  @old (at
 * least 16 bytes) receives the value to give back to log_burst_restore().
 * Returns 0 or -errno (no root, or a module without the parameter).
 */
#define LOG_BURST_PARAM	MT_PARAM_DIR "log_burst"

static inline int log_burst_unlimit(char *old, size_t n)
{
	int ret = mt_file_read_line(LOG_BURST_PARAM, old, n);

	return ret ? ret : mt_file_write_str(LOG_BURST_PARAM, "0");
}

static inline void log_burst_restore(const char *old)
{
	mt_file_write_str(LOG_BURST_PARAM, old);
}

/* FilePmdMapped of the mapping that starts at @addr, in kB; -1 if none. */
static inline long file_pmd_kb(void *addr)
{
	char line[256];
	unsigned long start, end;
	long kb = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = start == (unsigned long)addr;
			continue;
		}
		if (in && sscanf(line, "FilePmdMapped: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

#endif /* MT_SELFTESTS_H */
