// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-fault - the fault paths of /dev/mmap-test against the mm.
 *
 *   dontneed_race     MADV_DONTNEED of a 2 MiB range in a loop while three
 *                     threads read random pages of it, for
 *                     MMAP_TEST_STRESS_SECONDS (default 10) seconds: every
 *                     read returns the page's own tag.  From 6.14 on
 *                     (CONFIG_PT_RECLAIM) MADV_DONTNEED frees the empty PTE
 *                     table under the mmap read lock, and ->map_pages runs
 *                     under rcu_read_lock() (6.5+): a fault-around that
 *                     allocated a page table there would sleep under RCU.
 *                     The debug kernel's splat scan (make check) gives that
 *                     verdict.  Needs a 4 MiB buffer (buffer_pages=1024 with
 *                     4 KiB pages: make check's default).
 *   fork_refaults     a child forked after its parent populated a shared
 *                     device mapping faults its pages in again: fork() does
 *                     not copy the page tables of a shared file mapping
 *                     (VM_MIXEDMAP or VM_PFNMAP would make it copy them).
 *   private_vma_lock  faults of a private device mapping run under the
 *                     per-VMA lock, not mmap_lock, where the kernel can
 *                     (6.7+, CONFIG_PER_VMA_LOCK): a VMA without ->map_pages
 *                     retries every such fault under mmap_lock
 *                     (vmf_can_call_fault() in mm/memory.c).  Read from the
 *                     module's debugfs counter vma_lock_faults.
 *   memcg             in a cgroup v2 group, memory.current rises with the
 *                     buffer pages written through write() and through
 *                     faults, and memory.max is enforced: write() gets
 *                     ENOMEM, a fault SIGBUS.
 *
 * Each test runs on the shared fixture (mt_fixture.h: baseline leak check
 * at teardown).
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded: mmap-test-fault (SKIPs when
 * /dev/mmap-test does not exist).
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "mt_time.h"
#include "selftests.h"

#define STATS		"/sys/kernel/debug/mmap_test/stats"
#define CGROOT		"/sys/fs/cgroup"
#define CGROUP		CGROOT "/mmap_test_fault"
#define MIB		(1024UL * 1024)

/* The value of line "name N" of the module's debugfs stats, -1 if none. */
static long debugfs_stat(const char *name)
{
	char line[128], key[64];
	long v = -1, n;
	FILE *f = fopen(STATS, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", key, &n) == 2 && !strcmp(key, name))
			v = n;
	fclose(f);
	return v;
}

/* What read fault of the buffer page at @index must find there. */
static uint64_t tag_of(unsigned long index)
{
	return 0x6d6d617074657374ULL ^ (index * 0x9e3779b97f4a7c15ULL);
}

MT_FIXTURE(fault, 0);

/* ---- dontneed_race --------------------------------------------------- */

struct race {
	char *p;		/* 2 MiB aligned */
	unsigned long pages;	/* pages in the 2 MiB */
	unsigned long pgoff;	/* buffer page of p */
	double deadline;
	atomic_int stop;
	atomic_ulong reads, zaps, bad, errs;
	unsigned long bad_index;
	uint64_t bad_val;
};

static void *race_zapper(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop) && mt_time_now() < r->deadline) {
		if (madvise(r->p, 2 * MIB, MADV_DONTNEED))
			atomic_fetch_add(&r->errs, 1);
		atomic_fetch_add(&r->zaps, 1);
	}
	return NULL;
}

static void *race_reader(void *arg)
{
	struct race *r = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed ^
			    (unsigned int)mt_time_now();

	while (!atomic_load(&r->stop) && mt_time_now() < r->deadline) {
		unsigned long i = rand_r(&seed) % r->pages;
		uint64_t v = *(volatile uint64_t *)(r->p + i * pg);

		atomic_fetch_add(&r->reads, 1);
		if (v != tag_of(r->pgoff + i)) {
			r->bad_index = r->pgoff + i;
			r->bad_val = v;
			atomic_fetch_add(&r->bad, 1);
			atomic_store(&r->stop, 1);
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(fault, dontneed_race, STRESS_TIMEOUT)
{
	struct mmap_test_stats s0, s1;
	unsigned long i, len = 4 * MIB;
	int seconds = stress_seconds();
	pthread_t th[4];
	struct race r;
	char *base;

	if (self->c.bp * pg < len)
		SKIP(return, "needs a 4 MiB buffer (buffer_pages >= %lu), module has %lu",
		     len / pg, self->c.bp);
	for (i = 0; i < len / pg; i++) {
		uint64_t t = tag_of(i);

		ASSERT_EQ((ssize_t)sizeof(t), pwrite(self->c.fd, &t, sizeof(t), i * pg))
			TH_LOG("pwrite page %lu: %s", i, strerror(errno));
	}
	base = mmap(NULL, len, PROT_READ, MAP_SHARED, self->c.fd, 0);
	ASSERT_NE(MAP_FAILED, base) TH_LOG("mmap 4 MiB: %s", strerror(errno));
	memset(&r, 0, sizeof(r));
	r.p = (char *)(((uintptr_t)base + 2 * MIB - 1) & ~(2 * MIB - 1));
	r.pages = 2 * MIB / pg;
	r.pgoff = (r.p - base) / pg;
	r.deadline = mt_time_now() + seconds;
	s0 = mt_ctx_stats(_metadata, self->c.fd);
	ASSERT_EQ(0, pthread_create(&th[0], NULL, race_zapper, &r));
	for (i = 1; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race_reader, &r));
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	s1 = mt_ctx_stats(_metadata, self->c.fd);
	TH_LOG("%d s: %lu MADV_DONTNEED of 2 MiB, %lu reads, %llu faults, %llu pages mapped by fault-around",
	       seconds, atomic_load(&r.zaps), atomic_load(&r.reads),
	       (unsigned long long)(s1.faults - s0.faults),
	       (unsigned long long)(s1.pages_around - s0.pages_around));
	munmap(base, len);
	ASSERT_EQ(0UL, atomic_load(&r.errs)) TH_LOG("madvise(MADV_DONTNEED) failed");
	ASSERT_EQ(0UL, atomic_load(&r.bad))
		TH_LOG("page %lu read %#llx, want %#llx", r.bad_index,
		       (unsigned long long)r.bad_val,
		       (unsigned long long)tag_of(r.bad_index));
	ASSERT_LT(0UL, atomic_load(&r.reads));
	ASSERT_LT(0UL, atomic_load(&r.zaps));
}

/* ---- fork_refaults ---------------------------------------------------- */

TEST_F(fault, fork_refaults)
{
	struct mmap_test_stats s0, s1;
	unsigned long i, n = 16;
	int status;
	pid_t pid;
	char *p;

	if (self->c.bp < n)
		SKIP(return, "needs buffer_pages >= %lu, module has %lu", n, self->c.bp);
	p = mmap(NULL, n * pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->c.fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	for (i = 0; i < n; i++)
		p[i * pg + 64] = 'a' + i;	/* every PTE present */
	s0 = mt_ctx_stats(_metadata, self->c.fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (i = 0; i < n; i++)
			if (*(volatile char *)(p + i * pg + 64) != (char)('a' + i))
				_exit(10);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child read wrong data (status %#x)", status);
	s1 = mt_ctx_stats(_metadata, self->c.fd);
	TH_LOG("child's reads of %lu populated shared pages: %llu faults, %llu pages mapped by fault-around",
	       n, (unsigned long long)(s1.faults - s0.faults),
	       (unsigned long long)(s1.pages_around - s0.pages_around));
	ASSERT_LE(1ULL, s1.faults - s0.faults)
		TH_LOG("the child read without a fault: fork() copied the device PTEs");
	munmap(p, n * pg);
}

/* ---- private_vma_lock --------------------------------------------------- */

/* uname -r at least major.minor? */
static int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 1;
	return ma > major || (ma == major && mi >= minor);
}

TEST_F(fault, private_vma_lock)
{
	struct mmap_test_stats s0, s1;
	long v0, v1;
	unsigned long i, n = 8;
	volatile char sink;
	char *p, *q;

	if (self->c.bp < n)
		SKIP(return, "needs buffer_pages >= %lu, module has %lu", n, self->c.bp);
	v0 = debugfs_stat("vma_lock_faults");
	if (v0 < 0)
		SKIP(return, "no per-VMA locks: no vma_lock_faults in %s (kernel without FAULT_FLAG_VMA_LOCK, 6.4, or CONFIG_PER_VMA_LOCK)",
		     STATS);
	if (!kernel_at_least(6, 7))
		SKIP(return, "file VMAs fault under the per-VMA lock only from 6.7 on (vmf_can_call_fault)");
	p = mmap(NULL, n * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->c.fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	q = mmap(NULL, n * pg, PROT_READ, MAP_PRIVATE, self->c.fd, n * pg);
	if (self->c.bp < 2 * n)
		q = MAP_FAILED;
	s0 = mt_ctx_stats(_metadata, self->c.fd);
	for (i = 0; i < n; i++)
		p[i * pg + 1] = 'p';		/* COW faults */
	if (q != MAP_FAILED)
		for (i = 0; i < n; i++)
			sink = q[i * pg];	/* read faults */
	(void)sink;
	s1 = mt_ctx_stats(_metadata, self->c.fd);
	v1 = debugfs_stat("vma_lock_faults");
	TH_LOG("%llu faults on private mappings, %ld of them under the per-VMA lock",
	       (unsigned long long)(s1.faults - s0.faults), v1 - v0);
	ASSERT_LE(1L, v1 - v0)
		TH_LOG("no ->fault of a private mapping ran under the per-VMA lock: every one retried under mmap_lock");
	munmap(p, n * pg);
	if (q != MAP_FAILED)
		munmap(q, n * pg);
}

/* ---- memcg -------------------------------------------------------------- */

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, s, strlen(s));
	close(fd);
	return w == (ssize_t)strlen(s) ? 0 : -errno;
}

static long read_long(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return r > 0 ? strtol(buf, NULL, 10) : -1;
}

static sigjmp_buf bus_jmp;
static char sigstk[64 * 1024];

static void on_sigbus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

#define CHILD_FAIL(code, ...) do {					\
	fprintf(stderr, "# memcg child: " __VA_ARGS__);			\
	_exit(code);							\
} while (0)

/*
 * @n pages written through write() to @fd1, then @n through write faults
 * of @m1: each must raise memory.current (@path) by at least that much (it
 * also counts page tables and the per-CPU charge stock: never less).
 */
static void memcg_charges(const char *path, const char *buf, int fd1,
			  volatile char *m1, unsigned long n)
{
	unsigned long i;
	long c0, c1, c2;
	ssize_t w;

	c0 = read_long(path);
	w = write(fd1, buf, n * pg);
	if (w != (ssize_t)(n * pg))
		CHILD_FAIL(13, "write of %lu pages: %zd (%s)\n", n, w,
			   w < 0 ? strerror(errno) : "short");
	c1 = read_long(path);
	for (i = 0; i < n; i++)
		m1[i * pg] = 'f';
	c2 = read_long(path);
	fprintf(stderr, "# memcg child: memory.current %ld, +%ld after %lu pages by write(), +%ld after %lu pages by faults\n",
		c0, c1 - c0, n, c2 - c1, n);
	if (c1 - c0 < (long)(n * pg))
		CHILD_FAIL(14, "write() of %lu pages raised memory.current by %ld bytes only: not charged\n",
			   n, c1 - c0);
	if (c2 - c1 < (long)(n * pg))
		CHILD_FAIL(15, "faults of %lu pages raised memory.current by %ld bytes only: not charged\n",
			   n, c2 - c1);
}

/*
 * The pages that write() and the write faults go on for after memory.max
 * is set 1 MiB above memory.current: 4 MiB, or more where pages are large.
 * memory.current also counts what each CPU's charge stock holds, charged
 * ahead and not yet used: up to MEMCG_CHARGE_BATCH (64) pages per CPU,
 * 4 MiB per CPU with 64K pages.  Past the 1 MiB and every stock, a charge
 * must fail.
 */
static unsigned long memcg_big_pages(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	unsigned long need = MIB / pg + 64 * (cpus > 0 ? cpus : 1) + 64;

	return 4 * MIB / pg > need ? 4 * MIB / pg : need;
}

/*
 * In the group: memcg_charges(), then memory.max = memory.current + 1 MiB:
 * write() of a buffer's memcg_big_pages() pages must stop with ENOMEM, and
 * write faults over another must end in SIGBUS.  The part after the limit
 * stays in this function, no deeper in the stack than what ran before it
 * (see below).
 */
static void memcg_child(unsigned long bp)
{
	static char buf[4 * 1024 * 1024];
	/* 256 pages, but no more than buf holds (64 with 64K pages) */
	unsigned long i, n = sizeof(buf) / pg < 256 ? sizeof(buf) / pg : 256;
	unsigned long big = memcg_big_pages();
	char path[64], val[32];
	volatile char *m1, *m3;
	static volatile unsigned long touched;
	int fd1, fd2, fd3, err = 0;
	unsigned long written;
	ssize_t w = 0;

	snprintf(val, sizeof(val), "%d", getpid());
	if (write_str(CGROUP "/cgroup.procs", val))
		CHILD_FAIL(10, "cannot join %s\n", CGROUP);
	memset(buf, 'm', sizeof(buf));
	fd1 = open(MMAP_TEST_DEVICE, O_RDWR);
	fd2 = open(MMAP_TEST_DEVICE, O_RDWR);
	fd3 = open(MMAP_TEST_DEVICE, O_RDWR);
	if (fd1 < 0 || fd2 < 0 || fd3 < 0)
		CHILD_FAIL(11, "open: %s\n", strerror(errno));
	m1 = mmap(NULL, n * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd1, n * pg);
	m3 = mmap(NULL, big * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd3, 0);
	if (m1 == MAP_FAILED || m3 == MAP_FAILED)
		CHILD_FAIL(12, "mmap: %s\n", strerror(errno));
	snprintf(path, sizeof(path), "%s/memory.current", CGROUP);
	memcg_charges(path, buf, fd1, m1, n);

	/*
	 * Page tables of m3 before the limit: only buffer pages may fail.
	 * One touch per MiB: a page table maps 1 MiB (s390x: 256 entries
	 * of 4K) or more (2 MiB on x86_64, arm64 4K, ppc64 radix 64K).
	 */
	for (i = 0; i < big; i += MIB / pg)
		m3[i * pg] = 't';
	/*
	 * Nor may the child's own memory: after fork() its pages are shared
	 * copy-on-write, and a COW copy over memory.max calls the memcg OOM
	 * killer.  So touch what it writes from here on before the limit,
	 * and take SIGBUS on a stack written in advance (the kernel writes
	 * the signal frame).
	 */
	touched = 0;
	memset(&bus_jmp, 0, sizeof(bus_jmp));
	memset(sigstk, 0, sizeof(sigstk));
	{
		stack_t ss = { .ss_sp = sigstk, .ss_size = sizeof(sigstk) };
		struct sigaction sa = { .sa_handler = on_sigbus,
					.sa_flags = SA_ONSTACK };

		if (sigaltstack(&ss, NULL) || sigaction(SIGBUS, &sa, NULL))
			CHILD_FAIL(19, "sigaltstack/sigaction: %s\n",
				   strerror(errno));
	}
	snprintf(val, sizeof(val), "%ld", read_long(path) + (long)MIB);
	if (write_str(CGROUP "/memory.max", val))
		CHILD_FAIL(16, "cannot set memory.max\n");
	for (i = 0; i < bp && i < big; i++) {
		w = write(fd2, buf, pg);
		if (w != (ssize_t)pg) {
			err = errno;
			break;
		}
	}
	written = i;
	if (w != -1 || err != ENOMEM)
		CHILD_FAIL(17, "write() over memory.max: %lu pages written, then %zd (%s), want -1 ENOMEM\n",
			   written, w, w < 0 ? strerror(err) : "no error");
	close(fd2);	/* frees its pages: room for faults again */
	if (sigsetjmp(bus_jmp, 1)) {
		fprintf(stderr, "# memcg child: write() got ENOMEM at page %lu; SIGBUS at page %lu of a mapping\n",
			written, touched);
		_exit(0);
	}
	for (touched = 0; touched < big; touched++)
		m3[touched * pg + 1] = 'x';
	CHILD_FAIL(18, "%lu write faults over memory.max and no SIGBUS\n", big);
}

TEST_F_TIMEOUT(fault, memcg, 120)
{
	char ctl[256] = "";
	int fd, status, i;
	pid_t pid;

	if (self->c.bp < memcg_big_pages())
		SKIP(return, "needs a buffer of %lu pages (buffer_pages >= %lu), module has %lu",
		     memcg_big_pages(), memcg_big_pages(), self->c.bp);
	if (access(CGROOT, F_OK))
		SKIP(return, "no memory controller: the kernel has no cgroups (no %s)",
		     CGROOT);
	if (access(CGROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", CGROOT, "cgroup2", 0, NULL))
		SKIP(return, "no memory controller: cannot mount cgroup2 on %s (%s)",
		     CGROOT, strerror(errno));
	fd = open(CGROOT "/cgroup.controllers", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, ctl, sizeof(ctl) - 1) < 0)
			ctl[0] = 0;
		close(fd);
	}
	if (!strstr(ctl, "memory"))
		SKIP(return, "no memory controller in %s/cgroup.controllers ('%s')",
		     CGROOT, ctl);
	ASSERT_EQ(0, write_str(CGROOT "/cgroup.subtree_control", "+memory"));
	ASSERT_TRUE(!mkdir(CGROUP, 0755) || errno == EEXIST)
		TH_LOG("mkdir %s: %s", CGROUP, strerror(errno));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		memcg_child(self->c.bp);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	for (i = 0; i < 50 && rmdir(CGROUP); i++)
		usleep(100000);
	ASSERT_TRUE(WIFEXITED(status))
		TH_LOG("child killed by signal %d (the memcg OOM killer?)",
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
