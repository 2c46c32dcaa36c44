// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-fuzz - multi-threaded, structure-aware ioctl fuzzer for
 * /dev/mmap-test.
 *
 *   mmap-test-fuzz [--calls N] [--threads T] [--fds F] [--seed S]
 *                  [--seconds S] [--mix A,F,Q,S,R] [--procs P]
 *                  [--spread P] [--module-log 0|1] [-v]
 *
 * Must run as root with mmap_test loaded.  A run also fails when the
 * kernel's taint flags change during it (a WARN or a KASAN report taints),
 * when a fuzzing process dies, or on a signal outside the touches.
 *
 * Prints the seed first, then a per-command per-errno histogram with the
 * mean latency of each command, the calls/s, the touches and the signals
 * caught, the final GET_STATS, and as the last line "fuzz: PASS calls=N"
 * (exit 0) or "fuzz: FAIL <reasons> ..." (exit 1).  Failure reports (the
 * request that produced them) go to stderr, the first 40 of them.
 *
 * Speed (TCG, 2 vCPUs): a TLB shootdown between vCPUs costs milliseconds,
 * so the threads are spread over --procs processes (default: one per CPU)
 * that share the fds (forked after the opens); the threads of a process
 * share its CPU and interleave by preemption, and each chunk of 64 calls
 * floats over all CPUs with probability --spread % (default 10), which
 * keeps some truly parallel mutation of one mm going.  On the KASAN/lockdep
 * kernel ALLOC and FREE cost ~3-5 ms each, QUERY ~0.4 ms (one dev_info
 * line), GET_STATS ~0.1 ms, an unknown command ~0.05 ms: the default --mix
 * 12,8,20,20,40 keeps 1e6 calls within minutes.
 *
 * Every thread issues ioctls (ALLOC, FREE, QUERY, GET_STATS and random
 * command numbers) on a set of shared device fds plus occasional private
 * extra fds, with argument structures whose fields are drawn from edge
 * values and argument pointers that are valid, NULL, unmapped, read-only,
 * straddling a guard page or in the kernel half.  It touches, mprotects,
 * madvises and shrinks what it maps under a SIGSEGV/SIGBUS handler.
 *
 * Safety: the kernel must never map FIXED over memory the fuzzer needs.
 * Each thread owns an arena (ARENA_SIZE, reserved PROT_NONE).  A request
 * with MMAP_TEST_FIXED but without MMAP_TEST_FIXED_NOREPLACE always targets
 * the thread's own arena (or an address/length that the kernel must
 * reject before unmapping anything).  FREE targets the thread's arena, its
 * own tracked mappings, or ranges that munmap() must reject.  Every range
 * of the arena that is not a tracked mapping is re-reserved PROT_NONE right
 * after it was unmapped, and non-fixed hints never point into an arena, so
 * no other thread's mapping can land in it.
 *
 * Every result is checked twice: against the per-command errno set of the
 * contract (else "unexpected") and against a model of the call that
 * predicts the allowed outcomes (else "mismatch").  Both fail the run.  At
 * the end every mapping is freed and every fd closed; a fresh fd must then
 * see total_live_vmas == 0, total_pages == 0 and total_files == 1.
 *
 * Build with -DMT_FUZZ_MOCK to run against an in-process emulation of the
 * module (memfd-backed, real mmap/munmap) on a machine without the module;
 * that exercises the fuzzer's own safety logic, not the module:
 *   gcc -O2 -D_GNU_SOURCE -DMT_FUZZ_MOCK -Iinclude/uapi -Itest -pthread \
 *	test/fuzz/mmap-test-fuzz.c -o /tmp/fuzz-mock
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/mmap_test.h>

#include "mmap_test_util.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define MAX_THREADS	64
#define MAX_FDS		64
#define ARENA_SIZE	(64UL << 20)
#define MAX_LIVE	64		/* tracked mappings per thread */
#define MAX_ENT		256		/* room for splits */
#define CHUNK		64		/* calls taken from the budget at once */
#define MAX_PRINTS	40		/* failure reports printed */

/* Commands of the histogram. */
enum { C_ALLOC, C_FREE, C_QUERY, C_STATS, C_RAW, NCMD };
static const char * const cmd_names[NCMD] = {
	"ALLOC", "FREE", "QUERY", "GET_STATS", "RAW"
};

/* Outcome classes, as bits of an "allowed" mask. */
enum {
	O_OK, O_EINVAL, O_EFAULT, O_ENOTTY, O_EEXIST, O_ENOMEM, O_EACCES,
	O_EOVERFLOW, O_EPERM, O_OTHER, NOUT
};
#define B(o)	(1U << (o))
#define A_OK		B(O_OK)
#define A_EINVAL	B(O_EINVAL)
#define A_EFAULT	B(O_EFAULT)
#define A_ENOTTY	B(O_ENOTTY)
#define A_EEXIST	B(O_EEXIST)
#define A_ENOMEM	B(O_ENOMEM)
#define A_EACCES	B(O_EACCES)
#define A_EOVERFLOW	B(O_EOVERFLOW)
#define A_EPERM		B(O_EPERM)

static unsigned int outcome(int err)
{
	switch (err) {
	case 0:		return O_OK;
	case EINVAL:	return O_EINVAL;
	case EFAULT:	return O_EFAULT;
	case ENOTTY:	return O_ENOTTY;
	case EEXIST:	return O_EEXIST;
	case ENOMEM:	return O_ENOMEM;
	case EACCES:	return O_EACCES;
	case EOVERFLOW:	return O_EOVERFLOW;
	case EPERM:	return O_EPERM;
	}
	return O_OTHER;
}

static void format_mask(unsigned int m, char *buf, size_t n)
{
	static const int errs[NOUT] = {
		0, EINVAL, EFAULT, ENOTTY, EEXIST, ENOMEM, EACCES, EOVERFLOW,
		EPERM, 0
	};
	unsigned int o;

	buf[0] = '\0';
	for (o = 0; o < NOUT; o++) {
		if (!(m & B(o)))
			continue;
		mt_append(buf, n, o == O_OK ? "OK" :
			  o == O_OTHER ? "other" : mt_errno_name(errs[o]));
	}
}

/* Argument pointer kinds. */
enum {
	PK_VALID,	/* inside two RW pages */
	PK_END,		/* ends exactly where the guard page starts */
	PK_UNALIGNED,	/* valid, not 8-aligned */
	PK_RO,		/* read-only page: copy-in works, copy-out fails */
	PK_NULL,
	PK_LOW,		/* page 0 */
	PK_GUARD,	/* PROT_NONE page */
	PK_STRADDLE,	/* last bytes of the struct in the guard page */
	PK_KERNEL,	/* kernel half / non-canonical */
	PK_TOP,		/* straddles TASK_SIZE */
	NPK
};
static const char * const pk_names[NPK] = {
	"valid", "end-of-page", "unaligned", "read-only", "NULL", "page0",
	"prot-none", "straddle-guard", "kernel", "task-size"
};

static bool pk_readable(int pk)
{
	return pk <= PK_RO;
}

static bool pk_writable(int pk)
{
	return pk < PK_RO;
}

struct fdinfo {
	int fd;
	bool rdonly;
	int index;		/* shared fd index, -1 for an extra fd */
};

struct entry {
	unsigned long start, end;
	unsigned int prot;
	bool prot_known;
	bool shared;
	bool anon;
	bool rdonly_fd;
	bool in_arena;
};

struct thr {
	int id;
	pthread_t th;
	uint64_t rng[4];
	unsigned long arena;
	unsigned char *pages;		/* RW RW guard(PROT_NONE) */
	unsigned char *rw_view, *ro_view;	/* one memfd page, twice */
	struct entry ent[MAX_ENT];
	int nent;
	struct fdinfo extra;
	int extra_left;
	unsigned long step;
	/* results */
	unsigned long hist[NCMD][256];
	double cmd_time[NCMD];		/* seconds spent in the ioctl */
	unsigned long pk_count[NPK];
	unsigned long calls, cleanup_calls;
	unsigned long touches, sig_expected, unexpected, mismatch;
	unsigned long extra_opens, mprotects, madvises, mremaps;
	unsigned long new_maps, maps_outside_arena, spread_chunks;
	/* fault handling */
	sigjmp_buf jb;
	volatile int in_touch;
};

/* Configuration and global state. */
static unsigned long opt_calls = 1000000;
static int opt_threads = 4;
static int opt_fds = 3;
static int opt_procs;		/* 0: one per CPU, at most --threads */
static int proc_idx;		/* this process: thread i runs in i % procs */
static atomic_int local_done;	/* threads of this process that ended */
static int opt_spread = 10;	/* % of chunks run floating over all CPUs */
static int opt_module_log = -1;	/* log_calls for the run; -1: leave it */
#define LOG_CALLS	"/sys/module/mmap_test/parameters/log_calls"
static uint64_t opt_seed;
static double opt_seconds;
static int verbose;
/* call mix in percent: ALLOC, FREE, QUERY, GET_STATS, raw */
static unsigned int mix[NCMD] = { 12, 8, 20, 20, 40 };

static unsigned long ps, pshift, task_size, buf_pages;
static unsigned long arenas_base, arenas_end;
static bool dev_noexec;
static struct fdinfo shared_fds[MAX_FDS];
static struct thr *thrs;
/* Shared by the processes (MAP_SHARED), like the struct thr array. */
static struct gshared {
	atomic_ulong budget_taken;
	atomic_int stop_now;
	atomic_int threads_done;
	atomic_int nprinted;
	atomic_ulong progress_calls;
} *gs;
#define budget_taken	(gs->budget_taken)
#define stop_now	(gs->stop_now)
#define threads_done	(gs->threads_done)
#define nprinted	(gs->nprinted)
#define progress_calls	(gs->progress_calls)
static double t_start, t_deadline;
static unsigned long text_addr, vdso_addr;
static __thread struct thr *self;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Failure reports: counted always, printed for the first MAX_PRINTS. */
static void __attribute__((format(printf, 3, 4)))
report(struct thr *t, unsigned long *counter, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	(*counter)++;
	if (atomic_fetch_add(&nprinted, 1) >= MAX_PRINTS)
		return;
	n = snprintf(buf, sizeof(buf), "fuzz: [t%d] ", t ? t->id : -1);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, buf, n) < 0)
		return;
}

/* xoshiro256** */
static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd64(struct thr *t)
{
	uint64_t *s = t->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9;
	uint64_t x = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= x;
	s[3] = rotl(s[3], 45);
	return r;
}

static unsigned long rnd(struct thr *t, unsigned long n)
{
	return n ? rnd64(t) % n : 0;
}

static bool chance(struct thr *t, unsigned int per_mille)
{
	return rnd(t, 1000) < per_mille;
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long page_align(unsigned long x)
{
	return (x + ps - 1) & ~(ps - 1);	/* wraps to 0 near ULONG_MAX */
}

static bool overlaps(unsigned long a, unsigned long b,
		     unsigned long c, unsigned long d)
{
	return a < d && c < b;
}

/* [addr, addr + len) with the end saturated at ULONG_MAX. */
static unsigned long sat_end(unsigned long addr, unsigned long len)
{
	return addr + len < addr ? ~0UL : addr + len;
}

/* ------------------------------------------------------------------ */
/* The device, or its emulation */

#ifdef MT_FUZZ_MOCK
/*
 * In-process emulation of the module, following the contract: memfd
 * files stand in for the device, mmap()/munmap() for vm_mmap()/
 * vm_munmap(), process_vm_readv/writev for copy_from/to_user.
 */
#define MOCK_PAGES	16
static bool mock_final;		/* count files and VMAs (slow) */

static int mock_open(int flags)
{
	char path[64];
	int fd, fd2;

	fd = memfd_create("mt-mock", 0x10 /* MFD_EXEC */);
	if (fd < 0)
		fd = memfd_create("mt-mock", 0);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, MOCK_PAGES * ps) < 0) {
		close(fd);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fd2 = open(path, flags);
	close(fd);
	return fd2;
}

static int mock_close(int fd)
{
	return close(fd);
}

static int mock_in(void *dst, unsigned long src, size_t n)
{
	struct iovec l = { dst, n }, r = { (void *)src, n };

	return process_vm_readv(getpid(), &l, 1, &r, 1, 0) == (ssize_t)n ?
		0 : -EFAULT;
}

static int mock_out(unsigned long dst, const void *src, size_t n)
{
	struct iovec l = { (void *)src, n }, r = { (void *)dst, n };

	return process_vm_writev(getpid(), &l, 1, &r, 1, 0) == (ssize_t)n ?
		0 : -EFAULT;
}

/* find_vma() from /proc/self/maps. */
static void mock_find_vma(unsigned long addr, struct mmap_test_vma_report *r)
{
	char buf[8192], line[512];
	size_t ll = 0;
	ssize_t n;
	int fd, i;

	memset(r, 0, sizeof(*r));
	r->addr = addr;
	fd = open("/proc/self/maps", O_RDONLY);
	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			unsigned long s, e, off;
			char perms[8], path[256];

			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			ll = 0;
			r->nr_vmas++;
			path[0] = '\0';
			if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %255[^\n]",
				   &s, &e, perms, &off, path) < 4)
				continue;
			if (r->found || e <= addr || strstr(path, "[vsyscall]"))
				continue;
			r->found = 1;
			r->vm_start = s;
			r->vm_end = e;
			r->contains = s <= addr;
			r->gap = s > addr ? s - addr : 0;
			r->flags =
				(perms[0] == 'r' ? MMAP_TEST_VMA_READ : 0) |
				(perms[1] == 'w' ? MMAP_TEST_VMA_WRITE : 0) |
				(perms[2] == 'x' ? MMAP_TEST_VMA_EXEC : 0) |
				(perms[3] == 's' ? MMAP_TEST_VMA_MAYSHARE : 0);
			r->vm_pgoff = off >> pshift;
			if (strstr(path, "memfd:mt-mock"))
				r->backing = MMAP_TEST_BACKING_DEVICE;
			else if (path[0] == '[')
				r->backing = MMAP_TEST_BACKING_SPECIAL;
			else if (path[0])
				r->backing = MMAP_TEST_BACKING_FILE;
			else
				r->backing = MMAP_TEST_BACKING_ANON;
		}
	}
	close(fd);
}

static int mock_ioctl(int fd, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case IOCTL_ALLOC_VMA: {
		struct mmap_test_alloc a;
		unsigned long off, len, r;
		int mflags;

		if (mock_in(&a, arg, sizeof(a)))
			return -EFAULT;
		if (a.reserved[0] || a.reserved[1] || a.reserved[2] ||
		    (a.flags & ~MMAP_TEST_FLAGS_ALL) ||
		    !(a.flags & MMAP_TEST_SHARED) ==
		    !(a.flags & MMAP_TEST_PRIVATE) ||
		    (a.prot & ~MT_PROT_VALID) || !a.len)
			return -EINVAL;
		if (a.pgoff > (~0UL >> pshift))
			return -EOVERFLOW;
		mflags = (a.flags & MMAP_TEST_SHARED ? MAP_SHARED : MAP_PRIVATE) |
			(a.flags & MMAP_TEST_FIXED ? MAP_FIXED : 0) |
			(a.flags & MMAP_TEST_FIXED_NOREPLACE ?
			 MAP_FIXED_NOREPLACE : 0) |
			(a.flags & MMAP_TEST_POPULATE ? MAP_POPULATE : 0) |
			(a.flags & MMAP_TEST_ANON ? MAP_ANONYMOUS : 0);
		mock_find_vma(a.addr, &a.before);
		off = a.pgoff << pshift;
		len = page_align(a.len);
		if (off + len < off) {
			r = -EINVAL;
		} else {
			r = syscall(SYS_mmap, a.addr, a.len, a.prot, mflags,
				    a.flags & MMAP_TEST_ANON ? -1 : fd,
				    a.flags & MMAP_TEST_ANON ? 0 : off);
			if ((long)r == -1) {
				r = -errno;
			} else if (!(a.flags & MMAP_TEST_ANON) &&
				   a.pgoff + (len >> pshift) > MOCK_PAGES) {
				munmap((void *)r, len);
				r = -EINVAL;
			}
		}
		a.mapped = (long)r < 0 && (long)r > -4096 ? 0 : r;
		if (mock_out(arg, &a, sizeof(a)))
			return -EFAULT;
		return (long)r < 0 && (long)r > -4096 ? (long)r : 0;
	}
	case IOCTL_FREE_VMA: {
		struct mmap_test_free f;

		if (mock_in(&f, arg, sizeof(f)))
			return -EFAULT;
		if (f.reserved)
			return -EINVAL;
		return munmap((void *)(unsigned long)mt_untag(f.addr), f.len) ?
		       -errno : 0;
	}
	case IOCTL_QUERY_VMA: {
		struct mmap_test_query q;

		if (mock_in(&q, arg, sizeof(q)))
			return -EFAULT;
		if (q.reserved)
			return -EINVAL;
		mock_find_vma(mt_untag(q.addr), &q.report);
		return mock_out(arg, &q, sizeof(q));
	}
	case IOCTL_GET_STATS: {
		struct mmap_test_stats s;
		struct mmap_test_vma_report r;
		unsigned long a = 0;

		memset(&s, 0, sizeof(s));
		s.buffer_pages = MOCK_PAGES;
		s.total_files = 1;
		/* count files and live "device" VMAs: slow, final check only */
		if (mock_final) {
			char path[64], link[256];
			int i;

			s.total_files = 0;
			for (i = 0; i < 1024; i++) {
				ssize_t n;

				snprintf(path, sizeof(path), "/proc/self/fd/%d", i);
				n = readlink(path, link, sizeof(link) - 1);
				if (n <= 0)
					continue;
				link[n] = '\0';
				if (strstr(link, "memfd:mt-mock"))
					s.total_files++;
			}
			for (;;) {
				mock_find_vma(a, &r);
				if (!r.found)
					break;
				if (r.backing == MMAP_TEST_BACKING_DEVICE)
					s.total_live_vmas++;
				a = r.vm_end;
			}
		}
		return mock_out(arg, &s, sizeof(s));
	}
	}
	return -ENOTTY;
}

#define dev_open(flags)		mock_open(flags)
#define dev_close(fd)		mock_close(fd)
#define dev_ioctl(fd, cmd, arg)	mock_ioctl(fd, cmd, arg)
#else
#define dev_open(flags)		open(MMAP_TEST_DEVICE, (flags) | O_CLOEXEC)
#define dev_close(fd)		close(fd)
static int dev_ioctl(int fd, unsigned int cmd, unsigned long arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}
#endif

/* ------------------------------------------------------------------ */
/* Faults */

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct thr *t = self;
	char buf[200];
	int n;

	if (t && t->in_touch) {
		t->in_touch = 0;
		siglongjmp(t->jb, sig);
	}
	n = snprintf(buf, sizeof(buf),
		     "fuzz: FAIL unexpected signal %d (%s) at address %p in thread %d\n",
		     sig, strsignal(sig), si->si_addr, t ? t->id : -1);
	if (write(2, buf, n) < 0 || write(1, buf, n) < 0)
		_exit(1);
	_exit(1);
}

/* Read (and write) one byte at @addr; the signal number, or 0. */
static int touch(struct thr *t, unsigned long addr, bool write)
{
	volatile unsigned char *p = (volatile unsigned char *)addr;
	int sig;

	t->touches++;
	sig = sigsetjmp(t->jb, 0);
	if (sig)
		return sig;
	t->in_touch = 1;
	if (write)
		*p = *p + 1;
	else
		(void)*p;
	t->in_touch = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tracked mappings */

static bool in_own_arena(struct thr *t, unsigned long a, unsigned long b)
{
	return a >= t->arena && b <= t->arena + ARENA_SIZE && a < b;
}

/* Re-reserve [a, b) of the own arena PROT_NONE (kills what is there). */
static void reserve(struct thr *t, unsigned long a, unsigned long b)
{
	void *p;

	if (a < t->arena)
		a = t->arena;
	if (b > t->arena + ARENA_SIZE)
		b = t->arena + ARENA_SIZE;
	if (a >= b)
		return;
	p = mmap((void *)a, b - a, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "fuzz: FAIL cannot re-reserve arena range [%#lx,%#lx): %s\n",
			a, b, strerror(errno));
		_exit(1);
	}
}

static void ent_split(struct thr *t, int i, unsigned long x)
{
	if (t->nent >= MAX_ENT) {
		fprintf(stderr, "fuzz: FAIL internal: entry table full\n");
		_exit(1);
	}
	t->ent[t->nent] = t->ent[i];
	t->ent[i].end = x;
	t->ent[t->nent].start = x;
	t->nent++;
}

/* Split entries so that none crosses @a or @b. */
static void ent_isolate(struct thr *t, unsigned long a, unsigned long b)
{
	int i;

	for (i = 0; i < t->nent; i++) {
		struct entry *e = &t->ent[i];

		if (e->start < a && a < e->end)
			ent_split(t, i, a);
		if (e->start < b && b < e->end)
			ent_split(t, i, b);
	}
}

/* Forget the tracked mappings in [a, b). */
static void ent_drop(struct thr *t, unsigned long a, unsigned long b)
{
	int i;

	ent_isolate(t, a, b);
	for (i = 0; i < t->nent; i++) {
		if (t->ent[i].start >= a && t->ent[i].end <= b) {
			t->ent[i] = t->ent[--t->nent];
			i--;
		}
	}
}

static int ent_find(struct thr *t, unsigned long addr)
{
	int i;

	for (i = 0; i < t->nent; i++)
		if (t->ent[i].start <= addr && addr < t->ent[i].end)
			return i;
	return -1;
}

static bool ent_overlaps(struct thr *t, unsigned long a, unsigned long b)
{
	int i;

	for (i = 0; i < t->nent; i++)
		if (overlaps(a, b, t->ent[i].start, t->ent[i].end))
			return true;
	return false;
}

/*
 * Touch one page of entry @e: read it, write it when prot allows, and
 * sometimes write a page that does not allow it.  Judge the signals.
 */
static void touch_entry(struct thr *t, struct entry *e, unsigned long addr)
{
	bool want_write = e->prot & PROT_WRITE;
	bool bad_write = false;
	int expect;		/* 0: no signal, 1: SIGSEGV, 2: either */
	int sig;

	if (!e->prot_known)
		expect = 2;
	else if (!e->prot)
		expect = 1;
	else if (!(e->prot & (PROT_READ | PROT_WRITE)))
		expect = 2;	/* exec-only: readable on most CPUs */
	else
		expect = 0;
	if (e->prot_known && e->prot && !want_write && chance(t, 100)) {
		bad_write = true;	/* must fault */
		want_write = true;
		if (expect == 0)
			expect = 1;
	}
	sig = touch(t, addr, want_write);
	if (sig)
		t->sig_expected++;
	if (expect == 2 || (expect == 1 && sig == SIGSEGV) ||
	    (expect == 0 && !sig))
		return;
	if (sig) {
		t->sig_expected--;
		report(t, &t->mismatch,
		       "mismatch: %s on %s of %#lx in mapping [%#lx,%#lx) prot=%u %s %s%s",
		       strsignal(sig), want_write ? "write" : "read", addr,
		       e->start, e->end, e->prot, e->shared ? "shared" : "private",
		       e->anon ? "anon" : "device",
		       e->rdonly_fd ? " (O_RDONLY fd)" : "");
	} else {
		report(t, &t->mismatch,
		       "mismatch: %s of %#lx in mapping [%#lx,%#lx) prot=%u %s %s did not fault%s",
		       want_write ? "write" : "read", addr, e->start, e->end,
		       e->prot, e->shared ? "shared" : "private",
		       e->anon ? "anon" : "device",
		       bad_write ? " (write to a non-writable page)" : "");
	}
}

static void touch_random(struct thr *t)
{
	struct entry *e;
	unsigned long pages;

	if (!t->nent)
		return;
	e = &t->ent[rnd(t, t->nent)];
	pages = (e->end - e->start) >> pshift;
	switch (rnd(t, 3)) {
	case 0:
		touch_entry(t, e, e->start);
		break;
	case 1:
		touch_entry(t, e, e->end - 1);
		break;
	default:
		touch_entry(t, e, e->start + (rnd(t, pages) << pshift) +
			    rnd(t, ps));
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Argument pointers */

static int pick_pk(struct thr *t)
{
	unsigned long r = rnd(t, 1000);

	if (r < 700)
		return PK_VALID;
	if (r < 780)
		return PK_END;
	if (r < 850)
		return PK_UNALIGNED;
	if (r < 890)
		return PK_RO;
	if (r < 910)
		return PK_NULL;
	if (r < 930)
		return PK_LOW;
	if (r < 950)
		return PK_GUARD;
	if (r < 980)
		return PK_STRADDLE;
	if (r < 995)
		return PK_KERNEL;
	return PK_TOP;
}

/*
 * Place @size bytes of @src according to @pk; returns the pointer to pass.
 * For the readable kinds *@out is where the kernel's copy-out can be read.
 */
static unsigned long place(struct thr *t, int pk, const void *src,
			   size_t size, void **out)
{
	static const unsigned long kernel[] = {
		0xffff888000000000UL, 0xffffffff81000000UL,
		0xffffffffffffff00UL, 0x8000000000000000UL,
		0xffff000000000000UL,
	};
	unsigned long guard = (unsigned long)t->pages + 2 * ps;
	unsigned long p, k;

	*out = NULL;
	switch (pk) {
	case PK_VALID:
		p = (unsigned long)t->pages +
			(rnd(t, (2 * ps - size) / 8 + 1) * 8);
		break;
	case PK_END:
		p = guard - size;
		break;
	case PK_UNALIGNED:
		p = (unsigned long)t->pages + 1 + rnd(t, 7) +
			rnd(t, (ps - size) / 8) * 8;
		break;
	case PK_RO:
		k = rnd(t, (ps - size) / 8 + 1) * 8;
		memcpy(t->rw_view + k, src, size);
		*out = t->rw_view + k;
		return (unsigned long)t->ro_view + k;
	case PK_NULL:
		return 0;
	case PK_LOW:
		return rnd(t, 2) ? 8 : ps - 8;
	case PK_GUARD:
		return guard + rnd(t, ps - size);
	case PK_STRADDLE:
		k = 1 + rnd(t, size - 1);	/* bytes inside the guard */
		if (chance(t, 300))
			k = chance(t, 500) ? 1 : size - 1;
		p = guard - size + k;
		memcpy((void *)p, src, size - k);
		return p;
	case PK_KERNEL:
		return kernel[rnd(t, MT_ARRAY_SIZE(kernel))];
	default:
		return task_size - size + 8;
	}
	memcpy((void *)p, src, size);
	*out = (void *)p;
	return p;
}

/* ------------------------------------------------------------------ */
/* Issuing and judging */

static int issue(struct thr *t, int c, const struct fdinfo *fi,
		 unsigned int cmd, unsigned long arg)
{
	double t0 = now();
	int r = dev_ioctl(fi->fd, cmd, arg);

	t->cmd_time[c] += now() - t0;
	t->hist[c][-r < 256 ? -r : 255]++;
	t->calls++;
	return r;
}

static unsigned int contract_set(int c)
{
	switch (c) {
	case C_ALLOC:
		/* EPERM: PROT_EXEC on noexec /dev, or MAP_FIXED at -1 */
		return A_OK | A_EINVAL | A_EFAULT | A_EOVERFLOW | A_ENOMEM |
			A_EEXIST | A_EACCES | A_EPERM;
	case C_FREE:
	case C_QUERY:
		return A_OK | A_EINVAL | A_EFAULT;
	case C_STATS:
		return A_OK | A_EFAULT;
	}
	return A_ENOTTY;
}

/* False (and reported) when @r is not allowed. */
static bool judge(struct thr *t, int c, int r, unsigned int allowed,
		  const struct fdinfo *fi, int pk, const char *desc)
{
	unsigned int o = B(outcome(-r));
	char m[128];

	if (!(o & contract_set(c))) {
		format_mask(contract_set(c), m, sizeof(m));
		report(t, &t->unexpected,
		       "unexpected: %s -> %s (contract: %s) fd%d%s arg=%s %s",
		       cmd_names[c], mt_errno_name(-r), m, fi->index,
		       fi->rdonly ? "(ro)" : "", pk_names[pk], desc);
		return false;
	}
	if (!(o & allowed)) {
		format_mask(allowed, m, sizeof(m));
		report(t, &t->mismatch,
		       "mismatch: %s -> %s (expected %s) fd%d%s arg=%s %s",
		       cmd_names[c], mt_errno_name(-r), m, fi->index,
		       fi->rdonly ? "(ro)" : "", pk_names[pk], desc);
		return false;
	}
	return true;
}

/* Consistency of a find_vma() report for @addr. */
static bool check_report(struct thr *t, const struct mmap_test_vma_report *r,
			 unsigned long addr, const char *what)
{
	const char *why = NULL;

	if (r->addr != addr)
		why = "addr differs from the address looked up";
	else if (!r->found && (r->vm_start || r->vm_end || r->gap ||
			       r->contains || r->flags || r->vm_pgoff ||
			       r->backing != MMAP_TEST_BACKING_NONE))
		why = "found=0 with nonzero fields";
	else if (r->found && (r->vm_start >= r->vm_end || r->vm_end <= addr))
		why = "found VMA does not end above addr";
	else if (r->found && r->contains != (r->vm_start <= addr))
		why = "contains inconsistent with vm_start";
	else if (r->found && r->gap != (r->vm_start > addr ?
					r->vm_start - addr : 0))
		why = "gap != vm_start - addr";
	else if (r->found && (r->backing < MMAP_TEST_BACKING_DEVICE ||
			      r->backing > MMAP_TEST_BACKING_SPECIAL))
		why = "backing out of range";
	else if (addr >= task_size && r->found)
		why = "found a VMA at or above TASK_SIZE";
	else if (r->found && (r->vm_start & (ps - 1) || r->vm_end & (ps - 1)))
		why = "unaligned VMA bounds";
	else if (r->found && r->vm_end > task_size)
		why = "VMA ends above TASK_SIZE";
	if (!why)
		return true;
	report(t, &t->mismatch,
	       "mismatch: %s report for %#lx: %s: found=%u contains=%u [%#llx,%#llx) gap=%#llx backing=%u flags=%#llx",
	       what, addr, why, r->found, r->contains,
	       (unsigned long long)r->vm_start, (unsigned long long)r->vm_end,
	       (unsigned long long)r->gap, r->backing,
	       (unsigned long long)r->flags);
	return false;
}

static unsigned int expected_backing(const struct entry *e)
{
	if (!e->anon)
		return MMAP_TEST_BACKING_DEVICE;
	return e->shared ? MMAP_TEST_BACKING_FILE : MMAP_TEST_BACKING_ANON;
}

/* ------------------------------------------------------------------ */
/* ALLOC */

static unsigned long pick_len(struct thr *t)
{
	unsigned long bufsz = buf_pages << pshift;

	if (chance(t, 600))
		return (1 + rnd(t, buf_pages)) * ps - (chance(t, 200) ?
						       rnd(t, ps) : 0);
	switch (rnd(t, 15)) {
	case 0:		return 0;
	case 1:		return 1;
	case 2:		return ps - 1;
	case 3:		return ps;
	case 4:		return bufsz;
	case 5:		return bufsz - ps;
	case 6:		return bufsz + ps;
	case 7:		return 1UL << 47;
	case 8:		return task_size - ps;
	case 9:		return task_size;
	case 10:	return task_size + ps;
	case 11:	return ~0UL;
	case 12:	return ~0UL - ps + 2;	/* page-aligns to 0 */
	case 13:	return rnd64(t);
	default:	return (1 + rnd(t, 4096)) * ps;	/* up to 16 MiB */
	}
}

static unsigned long pick_pgoff(struct thr *t)
{
	unsigned long max = ~0UL >> pshift;

	if (chance(t, 650))
		return rnd(t, buf_pages);
	switch (rnd(t, 10)) {
	case 0:		return buf_pages - 1;
	case 1:		return buf_pages;
	case 2:		return buf_pages + 1;
	case 3:		return max;
	case 4:		return max + 1;
	case 5:		return ~0UL;
	case 6:		return 1UL << 52;
	case 7:		return max - buf_pages;
	case 8:		return rnd64(t);
	default:	return 0;
	}
}

static unsigned int pick_flags(struct thr *t)
{
	unsigned int f;

	if (chance(t, 750)) {
		f = rnd(t, 2) ? MMAP_TEST_SHARED : MMAP_TEST_PRIVATE;
		if (chance(t, 250))
			f |= MMAP_TEST_FIXED;
		if (chance(t, 150))
			f |= MMAP_TEST_FIXED_NOREPLACE;
		if (chance(t, 200))
			f |= MMAP_TEST_POPULATE;
		if (chance(t, 350))
			f |= MMAP_TEST_ANON;
		return f;
	}
	f = rnd(t, MMAP_TEST_FLAGS_ALL + 1);
	if (chance(t, 200))
		f |= rnd(t, 2) ? 1U << (6 + rnd(t, 26)) : (unsigned int)rnd64(t);
	return f;
}

static unsigned int pick_prot(struct thr *t)
{
	static const unsigned int odd[] = {
		0x8, 0x10, 0x20, 0x01000000, 0x02000000, 0x80000000, ~0U,
	};

	if (chance(t, 880))
		return rnd(t, 8);
	return (unsigned int)rnd(t, 8) | odd[rnd(t, MT_ARRAY_SIZE(odd))];
}

static unsigned long pick_hint(struct thr *t)
{
	if (chance(t, 400))
		return 0;
	switch (rnd(t, 14)) {
	case 0:		return 1;
	case 1:		return ps - 1;
	case 2:		return ps;
	case 3:		return 0x10000;
	case 4:		return task_size - ps;
	case 5:		return task_size - 16 * ps;
	case 6:		return task_size;
	case 7:		return 1UL << 47;
	case 8:		return ~0UL;
	case 9:		return rnd64(t);
	case 10:	return t->arena + (rnd(t, ARENA_SIZE >> pshift) << pshift);
	case 11:
		if (t->nent)
			return t->ent[rnd(t, t->nent)].start;
		return 0;
	case 12:	return rnd(t, task_size) & ~(ps - 1);
	default:	return rnd(t, task_size);
	}
}

/*
 * Make a MMAP_TEST_FIXED (without NOREPLACE) request target the own
 * arena.  @valid: a range that vm_mmap() may map; otherwise sometimes a
 * request that must fail before anything is unmapped.
 */
static void arena_fixed(struct thr *t, struct mmap_test_alloc *a, bool valid)
{
	unsigned long npages = ARENA_SIZE >> pshift;
	unsigned long pg, maxlen, len;
	unsigned int v = valid ? 0 : rnd(t, 100);

	if (v < 84) {
		pg = rnd(t, npages);
		maxlen = (npages - pg) << pshift;
		switch (rnd(t, 8)) {
		case 0:
			len = maxlen;
			break;
		case 1:
			len = maxlen - rnd(t, ps);
			break;
		case 2:
			len = buf_pages << pshift;
			break;
		case 3:
			len = 1;
			break;
		default:
			len = (1 + rnd(t, 2 * buf_pages)) << pshift;
			break;
		}
		a->addr = t->arena + (pg << pshift);
		a->len = len > maxlen ? maxlen : len;
	} else if (v < 90) {
		/* unaligned: EINVAL; even rounded up it would stay inside */
		pg = rnd(t, npages - 1);
		maxlen = (npages - 1 - pg) << pshift;
		a->addr = t->arena + (pg << pshift) + 1 + rnd(t, ps - 1);
		a->len = 1 + rnd(t, maxlen);
	} else if (v < 95) {
		/* at or above TASK_SIZE: ENOMEM */
		switch (rnd(t, 4)) {
		case 0:
			a->addr = task_size;
			break;
		case 1:
			a->addr = task_size + ps;
			break;
		case 2:
			a->addr = 0x8000000000000000UL;
			break;
		default:
			a->addr = ~0UL & ~(ps - 1);
			break;
		}
		if (chance(t, 500))
			a->len = (1 + rnd(t, buf_pages)) << pshift;
	} else {
		/* in the arena, but too long: ENOMEM before any unmap */
		a->addr = t->arena + ((1 + rnd(t, npages - 1)) << pshift);
		switch (rnd(t, 5)) {
		case 0:
			a->len = ~0UL;
			break;
		case 1:
			a->len = ~0UL - ps + 2;
			break;
		case 2:
			a->len = task_size + ps;
			break;
		case 3:
			a->len = task_size - ps;
			break;
		default:
			a->len = 1UL << 63;
			break;
		}
	}
}

/*
 * The outcomes vm_mmap() may give (no validation error).  *@late: false
 * when it fails before a MAP_FIXED could unmap anything.
 */
static unsigned int alloc_vm_allowed(struct thr *t,
				     const struct mmap_test_alloc *a,
				     bool rdonly, bool *late)
{
	bool anon = a->flags & MMAP_TEST_ANON;
	bool fixed = a->flags & (MMAP_TEST_FIXED | MMAP_TEST_FIXED_NOREPLACE);
	bool nore = a->flags & MMAP_TEST_FIXED_NOREPLACE;
	unsigned long len = page_align(a->len);
	unsigned long off = a->pgoff << pshift;
	unsigned int m = 0;

	*late = false;
	/* vm_mmap(): the byte offset (passed for anon too) overflows */
	if (off + len < off)
		return A_EINVAL;
	if (!len || len > task_size)
		return m | A_ENOMEM;
	if (fixed) {
		/*
		 * The generic arch_get_unmapped_area_topdown() (arm64) also
		 * fails MAP_FIXED when len > mmap_end - mmap_min_addr.
		 */
		if (len > task_size - (1UL << 20))
			m |= A_ENOMEM;
		/*
		 * get_unmapped_area() returns a FIXED address as is, and an
		 * address in the last 4095 bytes reads as an error: mmap(2)
		 * with MAP_FIXED at (void *)-1 fails with EPERM.
		 */
		if (a->addr >= -4095UL)
			return m | B(outcome(-(int)a->addr));
		if (a->addr > task_size - len)
			return m | A_ENOMEM;
		if (a->addr & (ps - 1))
			return m | A_EINVAL;
		*late = true;
	} else {
		m |= A_ENOMEM;	/* no room */
	}
	if (nore) {
		unsigned long end = a->addr + len;

		if (overlaps(a->addr, end, t->arena, t->arena + ARENA_SIZE) ||
		    ent_overlaps(t, a->addr, end))
			return m | A_EEXIST;
		m |= A_EEXIST;	/* may overlap a mapping we do not track */
	}
#ifdef MT_FUZZ_MOCK
	/* a memfd is a regular file: file_mmap_ok() limits it to LLONG_MAX */
	if (!anon && a->pgoff > ((~0UL >> 1) - len) >> pshift)
		return m | A_EOVERFLOW;
#endif
#ifdef __aarch64__
	/* PROT_MTE on a CPU with MTE: a device mapping cannot hold tags */
	if (!anon && (a->prot & PROT_MTE))
		m |= A_EINVAL;
#endif
	if (!anon) {
		if ((a->flags & MMAP_TEST_SHARED) && (a->prot & PROT_WRITE) &&
		    rdonly)
			return m | A_EACCES;
		if ((a->prot & PROT_EXEC) && dev_noexec)
			return m | A_EPERM;
		/* the driver's ->mmap: EINVAL (EOVERFLOW from file_mmap_ok()) */
		if (a->pgoff + (len >> pshift) > buf_pages)
			return m | A_EINVAL | A_ENOMEM | A_EOVERFLOW;
	}
	return m | A_OK | A_ENOMEM;
}

/* Module validation errors (copy nothing out); 0 if none. */
static unsigned int alloc_validation(const struct mmap_test_alloc *a)
{
	unsigned int v = 0;

	if (a->reserved[0] || a->reserved[1] || a->reserved[2] ||
	    (a->flags & ~MMAP_TEST_FLAGS_ALL) ||
	    !(a->flags & MMAP_TEST_SHARED) == !(a->flags & MMAP_TEST_PRIVATE) ||
	    (a->prot & ~MT_PROT_VALID) || !a->len)
		v |= A_EINVAL;
	if (a->pgoff > (~0UL >> pshift))
		v |= A_EOVERFLOW;
	return v;
}

static void desc_alloc(const struct mmap_test_alloc *a, char *buf, size_t n)
{
	char f[96], p[32];

	mt_format_flags(a->flags, f, sizeof(f));
	mt_format_prot(a->prot, p, sizeof(p));
	snprintf(buf, n,
		 "ALLOC{addr=%#llx len=%#llx pgoff=%#llx prot=%s flags=%s reserved=%#llx,%#llx,%#llx}",
		 (unsigned long long)a->addr, (unsigned long long)a->len,
		 (unsigned long long)a->pgoff, p, f,
		 (unsigned long long)a->reserved[0],
		 (unsigned long long)a->reserved[1],
		 (unsigned long long)a->reserved[2]);
}

static void do_alloc(struct thr *t, const struct fdinfo *fi)
{
	struct mmap_test_alloc a, *out;
	unsigned long len, end;
	unsigned int val, allowed;
	bool fixed_arena = false, late = false;
	char desc[320];
	void *o;
	int pk, r;

	memset(&a, 0, sizeof(a));
	a.flags = pick_flags(t);
	a.prot = pick_prot(t);
	a.len = pick_len(t);
	a.pgoff = pick_pgoff(t);
	if (chance(t, 500)) {
		/* a range of the buffer that the driver accepts */
		a.pgoff = rnd(t, buf_pages);
		a.len = (1 + rnd(t, buf_pages - a.pgoff)) << pshift;
		if (chance(t, 100))
			a.len -= rnd(t, ps);
	}
	a.addr = pick_hint(t);
	if (chance(t, 60))
		a.reserved[rnd(t, 3)] = chance(t, 500) ? 1 : rnd64(t);
	/* never huge populates */
	if ((a.flags & MMAP_TEST_POPULATE) && a.len > (1UL << 20) &&
	    a.len <= task_size)
		a.flags &= ~MMAP_TEST_POPULATE;
	pk = pick_pk(t);
	val = alloc_validation(&a);

	/*
	 * Copy-out may fail after vm_mmap() succeeded (read-only or
	 * straddling struct): the address would be lost, so such a request
	 * maps FIXED into the own arena, which is reclaimed afterwards.
	 */
	if (pk_readable(pk) && !pk_writable(pk) && !val) {
		a.flags |= MMAP_TEST_FIXED;
		a.flags &= ~MMAP_TEST_FIXED_NOREPLACE;
	}
	if (pk == PK_STRADDLE) {
		a.flags |= MMAP_TEST_FIXED;
		a.flags &= ~MMAP_TEST_FIXED_NOREPLACE;
	}

	len = page_align(a.len);
	if ((a.flags & MMAP_TEST_FIXED) &&
	    !(a.flags & MMAP_TEST_FIXED_NOREPLACE)) {
		arena_fixed(t, &a, !pk_writable(pk));
		fixed_arena = true;
	} else {
		/* hints and NOREPLACE: never into other arenas, never low */
		end = sat_end(a.addr & ~(ps - 1), len + ps);
		if (overlaps(a.addr & ~(ps - 1), end, arenas_base, arenas_end) &&
		    !in_own_arena(t, a.addr & ~(ps - 1),
				  (a.addr & ~(ps - 1)) + 1))
			a.addr = t->arena + (rnd(t, ARENA_SIZE >> pshift) << pshift);
		else if ((a.flags & MMAP_TEST_FIXED_NOREPLACE) &&
			 a.addr < (1UL << 20))
			a.addr = t->arena + (rnd(t, ARENA_SIZE >> pshift) << pshift);
		/* a NOREPLACE starting in the own arena cannot map */
	}
	if ((a.flags & MMAP_TEST_POPULATE) && a.len > (1UL << 20) &&
	    a.len <= task_size)
		a.flags &= ~MMAP_TEST_POPULATE;
	len = page_align(a.len);
	val = alloc_validation(&a);

	/* the one rule that keeps the fuzzer alive, checked once more */
	if ((a.flags & MMAP_TEST_FIXED) &&
	    !(a.flags & MMAP_TEST_FIXED_NOREPLACE) && len && len <= task_size &&
	    a.addr <= task_size - len &&
	    !in_own_arena(t, a.addr & ~(ps - 1),
			  page_align(a.addr) + len)) {
		fprintf(stderr, "fuzz: FAIL internal: MAP_FIXED [%#llx,+%#lx) outside the arena\n",
			(unsigned long long)a.addr, len);
		_exit(1);
	}

	a.mapped = 0x5a5a5a5a5a5a5a5aULL;	/* poison: must become 0 or addr */
	memset(&a.before, 0xa5, sizeof(a.before));
	if (!pk_readable(pk))
		allowed = A_EFAULT;
	else if (val)
		allowed = val;
	else if (!pk_writable(pk))
		allowed = (alloc_vm_allowed(t, &a, fi->rdonly, &late) & ~A_OK) |
			A_EFAULT;
	else
		allowed = alloc_vm_allowed(t, &a, fi->rdonly, &late);

	r = issue(t, C_ALLOC, fi, IOCTL_ALLOC_VMA, place(t, pk, &a, sizeof(a), &o));
	out = o;
	t->pk_count[pk]++;
	desc_alloc(&a, desc, sizeof(desc));
	judge(t, C_ALLOC, r, allowed, fi, pk, desc);
	if (r == 0 && !pk_writable(pk))
		return;		/* cannot be; judged above */

	if (r == 0) {
		unsigned long m = out->mapped;
		bool fixed = a.flags & (MMAP_TEST_FIXED | MMAP_TEST_FIXED_NOREPLACE);
		const char *why = NULL;
		struct entry e;

		t->new_maps++;
		if (!m || (m & (ps - 1)) || sat_end(m, len) > task_size)
			why = "bad address";
		else if (fixed && m != a.addr)
			why = "FIXED mapping not at addr";
		else if (fixed_arena && !in_own_arena(t, m, m + len))
			why = "FIXED mapping outside the arena";
		else if (!fixed_arena &&
			 (overlaps(m, m + len, arenas_base, arenas_end) ||
			  ent_overlaps(t, m, m + len)))
			why = "mapped over an existing mapping";
		if (why) {
			report(t, &t->mismatch,
			       "mismatch: %s -> mapped=%#lx: %s", desc, m, why);
			if (!m || (m & (ps - 1)))
				return;
		}
		check_report(t, &out->before, a.addr, "ALLOC before");
		if (fixed_arena && !out->before.contains)
			report(t, &t->mismatch,
			       "mismatch: %s: before.contains=0 but the arena was mapped",
			       desc);
		if (fixed_arena)
			ent_drop(t, m, m + len);
		e.start = m;
		e.end = m + len;
		e.prot = a.prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
		e.prot_known = true;
		e.shared = a.flags & MMAP_TEST_SHARED;
		e.anon = a.flags & MMAP_TEST_ANON;
		e.rdonly_fd = fi->rdonly;
		e.in_arena = in_own_arena(t, m, m + len);
		if (!e.in_arena)
			t->maps_outside_arena++;
		t->ent[t->nent++] = e;
		touch_entry(t, &t->ent[t->nent - 1], m);
		if (len > ps)
			touch_entry(t, &t->ent[t->nent - 1], m + len - 1);
		return;
	}
	/* a failed MAP_FIXED may have unmapped the range: reserve it again */
	if (fixed_arena && (late || !(B(outcome(-r)) & allowed)) &&
	    in_own_arena(t, a.addr & ~(ps - 1), (a.addr & ~(ps - 1)) + 1)) {
		unsigned long s = a.addr & ~(ps - 1);
		unsigned long e = sat_end(s, len);

		if (e > t->arena + ARENA_SIZE || !len)
			e = t->arena + ARENA_SIZE;
		ent_drop(t, s, e);
		reserve(t, s, e);
	}
	/* what was copied out */
	if (!out)
		return;
	if (val || !pk_writable(pk)) {
		if (val && pk_writable(pk) &&
		    (out->mapped != 0x5a5a5a5a5a5a5a5aULL ||
		     out->before.addr != 0xa5a5a5a5a5a5a5a5ULL))
			report(t, &t->mismatch,
			       "mismatch: %s -> %s but the struct was written back",
			       desc, mt_errno_name(-r));
		return;
	}
	if (out->mapped != 0)
		report(t, &t->mismatch, "mismatch: %s -> %s but mapped=%#llx",
		       desc, mt_errno_name(-r),
		       (unsigned long long)out->mapped);
	else
		check_report(t, &out->before, a.addr, "ALLOC(failed) before");
}

/* ------------------------------------------------------------------ */
/* FREE */

static void do_free(struct thr *t, const struct fdinfo *fi, bool whole_entry)
{
	struct mmap_test_free f;
	unsigned long npages = ARENA_SIZE >> pshift;
	unsigned int allowed;
	bool valid = true;	/* a range that munmap() accepts */
	char desc[160];
	void *o;
	int pk, r, i = -1;
	unsigned long v = whole_entry ? 0 : rnd(t, 100);

	memset(&f, 0, sizeof(f));
	if (v < 55 && t->nent) {
		struct entry *e;

		i = rnd(t, t->nent);
		e = &t->ent[i];
		f.addr = e->start;
		f.len = e->end - e->start;
		if (!whole_entry && chance(t, 300) && f.len > ps) {
			unsigned long pages = f.len >> pshift;
			unsigned long a = rnd(t, pages);
			unsigned long b = a + 1 + rnd(t, pages - a);

			f.addr = e->start + (a << pshift);
			f.len = (b - a) << pshift;
		}
		if (chance(t, 200) && f.len > ps)
			f.len -= rnd(t, ps - 1);	/* rounded up */
	} else if (v < 70) {
		unsigned long pg = rnd(t, npages);

		f.addr = t->arena + (pg << pshift);
		f.len = (1 + rnd(t, npages - pg)) << pshift;
		if (chance(t, 300) && pg + 4 <= npages)
			f.len = (1 + rnd(t, 4)) << pshift;
	} else {
		valid = false;
		switch (rnd(t, 8)) {
		case 0:		/* unaligned */
			f.addr = t->arena + (rnd(t, npages) << pshift) + 1 +
				rnd(t, ps - 1);
			f.len = ps;
			break;
		case 1:		/* len 0 */
			f.addr = t->arena + (rnd(t, npages) << pshift);
			f.len = 0;
			break;
		case 2:		/* overflowing */
			f.addr = t->arena + (rnd(t, npages) << pshift);
			f.len = ~0UL - rnd(t, 2 * ps);
			break;
		case 3:		/* crosses TASK_SIZE */
			f.addr = task_size - ps;
			f.len = 2 * ps;
			break;
		case 4:
			f.addr = task_size;
			f.len = ps;
			break;
		case 5:
			f.addr = 0xffff888000000000UL;
			f.len = ps;
			break;
		case 6:		/* longer than TASK_SIZE */
			f.addr = t->arena;
			f.len = task_size + ps;
			break;
		default:
			f.addr = ~0UL & ~(ps - 1);
			f.len = ps;
			break;
		}
	}
	if (chance(t, 50))
		f.reserved = chance(t, 500) ? 1 : rnd64(t);
	if (whole_entry)
		f.reserved = 0;
	pk = whole_entry ? PK_VALID : pick_pk(t);

	if (valid && !in_own_arena(t, f.addr, f.addr + page_align(f.len)) &&
	    (i < 0 || f.addr < t->ent[i].start ||
	     f.addr + page_align(f.len) > t->ent[i].end)) {
		fprintf(stderr, "fuzz: FAIL internal: FREE [%#llx,+%#llx) is not ours\n",
			(unsigned long long)f.addr, (unsigned long long)f.len);
		_exit(1);
	}
	if (!pk_readable(pk))
		allowed = A_EFAULT;
	else if (f.reserved)
		allowed = A_EINVAL;
	else
		allowed = valid ? A_OK : A_EINVAL;
	r = issue(t, C_FREE, fi, IOCTL_FREE_VMA, place(t, pk, &f, sizeof(f), &o));
	t->pk_count[pk]++;
	snprintf(desc, sizeof(desc), "FREE{addr=%#llx len=%#llx reserved=%#llx}",
		 (unsigned long long)f.addr, (unsigned long long)f.len,
		 (unsigned long long)f.reserved);
	judge(t, C_FREE, r, allowed, fi, pk, desc);
	if (r == 0 && valid) {
		unsigned long s = f.addr, e = f.addr + page_align(f.len);

		ent_drop(t, s, e);
		if (in_own_arena(t, s, e))
			reserve(t, s, e);
	} else if (r == 0) {
		/* something got unmapped that we did not ask for: stop */
		report(t, &t->mismatch, "mismatch: %s succeeded; stopping", desc);
		atomic_store(&stop_now, 1);
	}
}

/* ------------------------------------------------------------------ */
/* QUERY, GET_STATS, raw commands */

static void do_query(struct thr *t, const struct fdinfo *fi, unsigned long sp)
{
	struct mmap_test_query q, *out;
	unsigned int allowed;
	struct entry *e = NULL;
	unsigned int special = 0;	/* expected backing of a known VMA */
	char desc[96];
	void *o;
	int pk, r, i;

	memset(&q, 0, sizeof(q));
	if (t->nent && chance(t, 400)) {
		i = rnd(t, t->nent);
		e = &t->ent[i];
		switch (rnd(t, 4)) {
		case 0:
			q.addr = e->start;
			break;
		case 1:
			q.addr = e->end - 1;
			break;
		case 2:
			q.addr = e->start + rnd(t, e->end - e->start);
			break;
		default:
			q.addr = e->end;	/* whatever is next */
			e = NULL;
			break;
		}
#ifdef __aarch64__
		/* a tagged pointer: QUERY untags it like munmap(2) */
		if (chance(t, 100))
			q.addr |= (unsigned long)rnd(t, 256) << 56;
#endif
	} else {
		switch (rnd(t, 16)) {
		case 0:		q.addr = 0; break;
		case 1:		q.addr = 1; break;
		case 2:		q.addr = ps; break;
		case 3:		q.addr = task_size - 1; break;
		case 4:		q.addr = task_size; break;
		case 5:		q.addr = 1UL << 47; break;
		case 6:		q.addr = ~0UL; break;
		case 7:		q.addr = 0xffff888000000000UL; break;
		case 8:		q.addr = rnd64(t); break;
		case 9:		q.addr = rnd(t, task_size); break;
		case 10:
			q.addr = text_addr;
			special = MMAP_TEST_BACKING_FILE;
			break;
		case 11:
			q.addr = sp;	/* a thread stack: anonymous */
			special = MMAP_TEST_BACKING_ANON;
			break;
		case 12:
			q.addr = vdso_addr;
			special = vdso_addr ? MMAP_TEST_BACKING_SPECIAL : 0;
			break;
		default:
			q.addr = t->arena + rnd(t, ARENA_SIZE);
			break;
		}
	}
	if (chance(t, 50))
		q.reserved = chance(t, 500) ? 1 : rnd64(t);
	pk = pick_pk(t);
	if (!pk_readable(pk))
		allowed = A_EFAULT;
	else if (q.reserved)
		allowed = A_EINVAL;
	else if (!pk_writable(pk))
		allowed = A_EFAULT;
	else
		allowed = A_OK;
	r = issue(t, C_QUERY, fi, IOCTL_QUERY_VMA, place(t, pk, &q, sizeof(q), &o));
	out = o;
	t->pk_count[pk]++;
	snprintf(desc, sizeof(desc), "QUERY{addr=%#llx reserved=%#llx}",
		 (unsigned long long)q.addr, (unsigned long long)q.reserved);
	if (!judge(t, C_QUERY, r, allowed, fi, pk, desc) || r)
		return;
	if (!check_report(t, &out->report, mt_untag(q.addr), "QUERY"))
		return;
	if (e) {
		const struct mmap_test_vma_report *rp = &out->report;

		if (!rp->contains || rp->backing != expected_backing(e) ||
		    (e->prot_known && mt_vma_prot(rp->flags) != e->prot) ||
		    !!(rp->flags & MMAP_TEST_VMA_MAYSHARE) != e->shared)
			report(t, &t->mismatch,
			       "mismatch: QUERY %#llx in own mapping [%#lx,%#lx) prot=%u %s %s: contains=%u backing=%s flags=%#llx",
			       (unsigned long long)q.addr, e->start, e->end,
			       e->prot, e->shared ? "shared" : "private",
			       e->anon ? "anon" : "device", rp->contains,
			       mt_backing_name(rp->backing),
			       (unsigned long long)rp->flags);
	} else if (special) {
		if (!out->report.contains || out->report.backing != special)
			report(t, &t->mismatch,
			       "mismatch: QUERY %#llx (%s) -> contains=%u backing=%s",
			       (unsigned long long)q.addr,
			       mt_backing_name(special), out->report.contains,
			       mt_backing_name(out->report.backing));
	} else if (in_own_arena(t, q.addr, q.addr + 1) && !out->report.contains) {
		report(t, &t->mismatch,
		       "mismatch: QUERY %#llx in the own arena -> contains=0",
		       (unsigned long long)q.addr);
	}
}

static void do_stats(struct thr *t, const struct fdinfo *fi)
{
	struct mmap_test_stats s, *out;
	unsigned int allowed;
	void *o;
	int pk, r, i;

	memset(&s, 0x5a, sizeof(s));
	pk = pick_pk(t);
	allowed = pk_writable(pk) ? A_OK : A_EFAULT;
	r = issue(t, C_STATS, fi, IOCTL_GET_STATS, place(t, pk, &s, sizeof(s), &o));
	out = o;
	t->pk_count[pk]++;
	if (!judge(t, C_STATS, r, allowed, fi, pk, "GET_STATS") || r)
		return;
	for (i = 0; i < 5; i++)
		if (out->reserved[i])
			break;
	if (i < 5 || out->buffer_pages != buf_pages ||
	    out->pages > out->buffer_pages || !out->total_files)
		report(t, &t->mismatch,
		       "mismatch: GET_STATS pages=%llu buffer_pages=%llu total_files=%llu reserved[%d]=%#llx",
		       (unsigned long long)out->pages,
		       (unsigned long long)out->buffer_pages,
		       (unsigned long long)out->total_files, i,
		       i < 5 ? (unsigned long long)out->reserved[i] : 0ULL);
}

static bool vfs_type(unsigned int type)
{
	/* ioctl types the VFS handles before the driver sees them */
	return type == 0x00 || type == 0x15 || type == 'T' || type == 'X' ||
		type == 'f' || type == 0x94;
}

static unsigned int pick_raw_cmd(struct thr *t)
{
	static const unsigned int sizes[] = {
		sizeof(struct mmap_test_alloc), sizeof(struct mmap_test_free),
		sizeof(struct mmap_test_query), sizeof(struct mmap_test_stats),
	};
	unsigned int cmd, sz;

	for (;;) {
		switch (rnd(t, 3)) {
		case 0:
			sz = sizes[rnd(t, 4)];
			switch (rnd(t, 6)) {
			case 0: sz += 1; break;
			case 1: sz -= 1; break;
			case 2: sz += 8; break;
			case 3: sz -= 8; break;
			case 4: sz = 0; break;
			default: break;
			}
			cmd = _IOC(rnd(t, 4), MMAP_TEST_IOC_MAGIC,
				   1 + rnd(t, 4), sz & _IOC_SIZEMASK);
			break;
		case 1:
			cmd = _IOC(rnd(t, 4), MMAP_TEST_IOC_MAGIC, rnd(t, 256),
				   rnd(t, _IOC_SIZEMASK + 1));
			break;
		default:
			cmd = (unsigned int)rnd64(t);
			if (vfs_type(_IOC_TYPE(cmd)))
				continue;
			break;
		}
		if (cmd != IOCTL_ALLOC_VMA && cmd != IOCTL_FREE_VMA &&
		    cmd != IOCTL_QUERY_VMA && cmd != IOCTL_GET_STATS)
			return cmd;
	}
}

static void do_raw(struct thr *t, const struct fdinfo *fi)
{
	unsigned char buf[sizeof(struct mmap_test_alloc)];
	struct mmap_test_alloc *a = (void *)buf;
	unsigned int cmd = pick_raw_cmd(t);
	char desc[64];
	size_t i;
	void *o;
	int pk, r;

	/*
	 * Random bytes, defused in case a wrong command were dispatched
	 * anyway: an odd first word makes FREE fail and ALLOC unfixable,
	 * FIXED goes, POPULATE goes.
	 */
	for (i = 0; i < sizeof(buf); i += 8) {
		uint64_t x = rnd64(t);

		memcpy(buf + i, &x, 8);
	}
	a->addr |= 1;
	a->flags &= ~(MMAP_TEST_FIXED | MMAP_TEST_POPULATE);
	pk = pick_pk(t);
	r = issue(t, C_RAW, fi, cmd, place(t, pk, buf, sizeof(buf), &o));
	t->pk_count[pk]++;
	snprintf(desc, sizeof(desc), "cmd=%#x (dir=%u type=%#x nr=%u size=%u)",
		 cmd, _IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd),
		 _IOC_SIZE(cmd));
	judge(t, C_RAW, r, A_ENOTTY, fi, pk, desc);
}

/* ------------------------------------------------------------------ */
/* Faults on what we mapped: mprotect, madvise, mremap */

static void do_mprotect(struct thr *t)
{
	struct entry *e;
	unsigned long pages, a, b, prot;
	int i;

	if (!t->nent)
		return;
	e = &t->ent[rnd(t, t->nent)];
	pages = (e->end - e->start) >> pshift;
	a = rnd(t, pages);
	b = a + 1 + rnd(t, pages - a);
	a = e->start + (a << pshift);
	b = e->start + (b << pshift);
	prot = rnd(t, 8);
	t->mprotects++;
	if (mprotect((void *)a, b - a, prot)) {
		/* EACCES: shared O_RDONLY or noexec; keep it unknown */
		ent_isolate(t, a, b);
		for (i = 0; i < t->nent; i++)
			if (t->ent[i].start >= a && t->ent[i].end <= b &&
			    errno != EACCES)
				t->ent[i].prot_known = false;
		return;
	}
	ent_isolate(t, a, b);
	for (i = 0; i < t->nent; i++)
		if (t->ent[i].start >= a && t->ent[i].end <= b)
			t->ent[i].prot = prot;
	touch_entry(t, &t->ent[ent_find(t, a)], a);
}

static void do_madvise(struct thr *t)
{
	struct entry *e;

	if (!t->nent)
		return;
	e = &t->ent[rnd(t, t->nent)];
	t->madvises++;
	if (madvise((void *)e->start, e->end - e->start, MADV_DONTNEED) == 0 &&
	    e->prot_known && (e->prot & PROT_READ))
		touch_entry(t, e, e->start);
}

static void do_mremap(struct thr *t)
{
	struct entry *e;
	unsigned long len, nlen;
	void *p;
	int i;

	if (!t->nent)
		return;
	i = rnd(t, t->nent);
	e = &t->ent[i];
	len = e->end - e->start;
	t->mremaps++;
#ifndef MT_FUZZ_MOCK
	if (!e->anon && chance(t, 500)) {
		/* device VMAs are VM_DONTEXPAND: growing fails with EFAULT */
		p = mremap((void *)e->start, len, len + ps, 0);
		if (p != MAP_FAILED) {
			report(t, &t->mismatch,
			       "mismatch: mremap grew device mapping [%#lx,%#lx)",
			       e->start, e->end);
			e->end += ps;
		} else if (errno != EFAULT) {
			report(t, &t->mismatch,
			       "mismatch: mremap growing device mapping [%#lx,%#lx): %s (expected EFAULT)",
			       e->start, e->end, mt_errno_name(errno));
		}
		return;
	}
#endif
	if (len <= ps)
		return;
	nlen = (1 + rnd(t, (len >> pshift) - 1)) << pshift;
	p = mremap((void *)e->start, len, nlen, 0);
	if (p == MAP_FAILED) {
		report(t, &t->mismatch,
		       "mismatch: mremap shrinking [%#lx,%#lx) to %#lx: %s",
		       e->start, e->end, nlen, mt_errno_name(errno));
		return;
	}
	{
		unsigned long s = e->start + nlen, end = e->end;
		bool arena = e->in_arena;

		ent_drop(t, s, end);
		if (arena)
			reserve(t, s, end);
	}
}

/* ------------------------------------------------------------------ */
/* Threads */

/* The own arena must be mapped from end to end (mincore(): ENOMEM). */
static void check_arena(struct thr *t)
{
	static __thread unsigned char vec[ARENA_SIZE / 4096];

	if (mincore((void *)t->arena, ARENA_SIZE, vec))
		report(t, &t->mismatch,
		       "mismatch: arena [%#lx,%#lx) has a hole (mincore: %s)",
		       t->arena, t->arena + ARENA_SIZE, mt_errno_name(errno));
}

static struct fdinfo pick_fd(struct thr *t)
{
	if (t->extra.fd < 0 && chance(t, 2)) {
		bool ro = chance(t, 300);
		int fd = dev_open(ro ? O_RDONLY : O_RDWR);

		if (fd >= 0) {
			t->extra.fd = fd;
			t->extra.rdonly = ro;
			t->extra.index = -1;
			t->extra_left = 20 + rnd(t, 200);
			t->extra_opens++;
		}
	}
	if (t->extra.fd >= 0) {
		if (--t->extra_left <= 0) {
			dev_close(t->extra.fd);
			t->extra.fd = -1;
		} else if (chance(t, 500)) {
			return t->extra;
		}
	}
	return shared_fds[(t->id + t->step) % opt_fds];
}

static void step(struct thr *t)
{
	struct fdinfo fi = pick_fd(t);
	unsigned long r = rnd(t, 100);
	int local;

	t->step++;
	if (t->nent >= MAX_LIVE)
		do_free(t, &fi, true);
	else if (r < mix[0])
		do_alloc(t, &fi);
	else if (r < mix[0] + mix[1])
		do_free(t, &fi, false);
	else if (r < mix[0] + mix[1] + mix[2])
		do_query(t, &fi, (unsigned long)&local);
	else if (r < mix[0] + mix[1] + mix[2] + mix[3])
		do_stats(t, &fi);
	else
		do_raw(t, &fi);
	if (chance(t, 40))
		touch_random(t);
	if (chance(t, 8))
		do_mprotect(t);
	if (chance(t, 5))
		do_madvise(t);
	if (chance(t, 5))
		do_mremap(t);
}

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	bool can_pin = false, floating = false, first = true;
	unsigned long chunks = 0;
	cpu_set_t all, pin;

	self = t;
	/*
	 * Under TCG every TLB shootdown between vCPUs costs milliseconds, so
	 * threads run pinned together (interleaving by preemption) and only
	 * opt_spread % of their chunks float over all CPUs, in parallel.
	 */
	CPU_ZERO(&pin);
	if (!sched_getaffinity(0, sizeof(all), &all)) {
		int n = 0, cpu, want = proc_idx % CPU_COUNT(&all);

		for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
			if (!CPU_ISSET(cpu, &all))
				continue;
			if (n++ == want) {
				CPU_SET(cpu, &pin);
				break;
			}
		}
		can_pin = CPU_COUNT(&pin) && CPU_COUNT(&all) > 1;
	}
	for (;;) {
		unsigned long got = atomic_fetch_add(&budget_taken, CHUNK);
		unsigned long n = CHUNK;

		if (got >= opt_calls || atomic_load(&stop_now))
			break;
		if (got + n > opt_calls)
			n = opt_calls - got;
		if (can_pin) {
			bool spread = rnd(t, 100) < (unsigned int)opt_spread;

			if (spread != floating || first) {
				sched_setaffinity(0, sizeof(cpu_set_t),
						  spread ? &all : &pin);
				floating = spread;
				first = false;
			}
			if (spread)
				t->spread_chunks++;
		}
		while (n--)
			step(t);
		if (!(++chunks % 32))
			check_arena(t);
		atomic_fetch_add(&progress_calls, CHUNK);	/* approx. */
		if (t_deadline && now() > t_deadline)
			atomic_store(&stop_now, 1);
	}
	check_arena(t);
	/* free what is left */
	while (t->nent) {
		struct mmap_test_free f = {
			.addr = t->ent[0].start,
			.len = t->ent[0].end - t->ent[0].start,
		};
		bool arena = t->ent[0].in_arena;
		int r = dev_ioctl(shared_fds[0].fd, IOCTL_FREE_VMA,
				  (unsigned long)&f);

		t->cleanup_calls++;
		if (r)
			report(t, &t->unexpected,
			       "unexpected: cleanup FREE [%#llx,+%#llx) -> %s",
			       (unsigned long long)f.addr,
			       (unsigned long long)f.len, mt_errno_name(-r));
		ent_drop(t, f.addr, f.addr + f.len);
		if (arena)
			reserve(t, f.addr, f.addr + f.len);
	}
	reserve(t, t->arena, t->arena + ARENA_SIZE);
	if (t->extra.fd >= 0)
		dev_close(t->extra.fd);
	t->extra.fd = -1;
	atomic_fetch_add(&threads_done, 1);
	atomic_fetch_add(&local_done, 1);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Setup */

static int probe_map(unsigned long addr)
{
	void *p = mmap((void *)addr, ps, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, ps);
	return (unsigned long)p == addr ? 0 : -EINVAL;
}

/* TASK_SIZE: the lowest candidate where mapping fails and below works. */
static unsigned long detect_task_size(void)
{
	static const unsigned long cand[] = {
#if defined(__x86_64__)
		0x7ffffffff000UL, 0xfffffffffff000UL,
#else
		1UL << 36, 1UL << 39, 1UL << 42, 1UL << 47, 1UL << 48,
		1UL << 52,
#endif
	};
	size_t i;

	for (i = 0; i < MT_ARRAY_SIZE(cand); i++) {
		int below = probe_map(cand[i] - ps);

		if (probe_map(cand[i]) != 0 && (below == 0 || below == -EEXIST))
			return cand[i];
	}
	return 0;
}

static unsigned long read_ulong(const char *path)
{
	char buf[64] = "";
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return ~0UL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return ~0UL;
	buf[n] = '\0';
	return strtoul(buf, NULL, 10);
}

/* A bool module parameter: 0, 1, or -1 when unreadable. */
static int read_param(const char *path)
{
	char c = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y' || c == '1' ? 1 : c == 'N' || c == '0' ? 0 : -1;
}

static int write_param(const char *path, int v)
{
	int fd = open(path, O_WRONLY);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, v ? "1" : "0", 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--calls N] [--threads T] [--fds F] [--seed S] [--seconds S] [-v]\n"
		"  --calls N    total ioctl calls (default 1000000)\n"
		"  --threads T  fuzzing threads (default 4, max %d)\n"
		"  --fds F      shared device fds, round-robin (default 3, max %d)\n"
		"  --seed S     PRNG seed (default: time-based; always printed)\n"
		"  --seconds S  stop after S seconds even if N is not reached\n"
		"  --procs P    processes sharing the fds (forked after the opens); thread i\n"
		"               runs in process i %% P, pinned to its CPU (default: one per\n"
		"               allowed CPU, at most T)\n"
		"  --spread P   percent of each thread's chunks of %d calls run floating\n"
		"               over all CPUs, in parallel with the others (default 10)\n"
		"  --mix A,F,Q,S,R  percent of ALLOC, FREE, QUERY, GET_STATS, raw\n"
		"               commands (default 12,8,20,20,40)\n"
		"  --module-log 0|1  set the module's log_calls parameter (one dmesg\n"
		"               line per ALLOC/FREE/QUERY) for the run, restore it after\n"
		"  -v           more output\n", prog, MAX_THREADS, MAX_FDS, CHUNK);
}

static void print_histogram(unsigned long hist[NCMD][256], double *secs)
{
	int c, e;

	printf("fuzz: histogram (command calls mean-latency: errno=count)\n");
	for (c = 0; c < NCMD; c++) {
		unsigned long tot = 0;

		for (e = 0; e < 256; e++)
			tot += hist[c][e];
		printf("fuzz:   %-9s %9lu %7.1fus:", cmd_names[c], tot,
		       tot ? secs[c] * 1e6 / tot : 0.0);
		for (e = 0; e < 256; e++)
			if (hist[c][e])
				printf(" %s=%lu", e ? mt_errno_name(e) : "OK",
				       hist[c][e]);
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "calls", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "fds", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "mix", required_argument, NULL, 'm' },
		{ "procs", required_argument, NULL, 'P' },
		{ "module-log", required_argument, NULL, 'L' },
		{ "spread", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static unsigned long hist[NCMD][256];
	double cmd_time[NCMD] = { 0 };
	struct mmap_test_stats st;
	unsigned long calls = 0, cleanup = 0, touches = 0, sigs = 0;
	unsigned long unexpected = 0, mismatch = 0, opens = 0, maps = 0;
	unsigned long outside = 0, mprot = 0, madv = 0, mrem = 0, spread = 0;
	unsigned long pkc[NPK] = { 0 };
	unsigned long taint0, taint1;
	int log_saved = -1;
	struct sigaction sa;
	pid_t children[MAX_THREADS];
	int nchildren = 0;
	bool seeded = false, fail = false;
	char fails[512] = "";
	double elapsed, last;
	uint64_t sm;
	void *p;
	int c, i, j, e, fd, r;

	while ((c = getopt_long(argc, argv, "n:t:f:s:S:m:P:p:L:vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt_calls = strtoul(optarg, NULL, 0);
			break;
		case 't':
			opt_threads = atoi(optarg);
			break;
		case 'f':
			opt_fds = atoi(optarg);
			break;
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'S':
			opt_seconds = atof(optarg);
			break;
		case 'P':
			opt_procs = atoi(optarg);
			break;
		case 'L':
			opt_module_log = atoi(optarg) ? 1 : 0;
			break;
		case 'p':
			opt_spread = atoi(optarg);
			break;
		case 'm':
			if (sscanf(optarg, "%u,%u,%u,%u,%u", &mix[0], &mix[1],
				   &mix[2], &mix[3], &mix[4]) != 5 ||
			    mix[0] + mix[1] + mix[2] + mix[3] + mix[4] != 100) {
				fprintf(stderr, "--mix: five percentages that add up to 100\n");
				return 2;
			}
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage(argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind < argc || opt_threads < 1 || opt_threads > MAX_THREADS ||
	    opt_fds < 1 || opt_fds > MAX_FDS || opt_seconds < 0 ||
	    opt_procs < 0 || opt_spread < 0 || opt_spread > 100) {
		usage(argv[0]);
		return 2;
	}
	if (!seeded)
		opt_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
			(uint64_t)(now() * 1e9);
	setvbuf(stdout, NULL, _IOLBF, 0);
	gs = mmap(NULL, sizeof(*gs), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (gs == MAP_FAILED) {
		printf("fuzz: FAIL out of memory\n");
		return 1;
	}
	if (!opt_procs) {
		cpu_set_t cs;

		opt_procs = 1;
		if (!sched_getaffinity(0, sizeof(cs), &cs))
			opt_procs = CPU_COUNT(&cs);
	}
	if (opt_procs > opt_threads)
		opt_procs = opt_threads;
	if (opt_procs < 1)
		opt_procs = 1;

	ps = sysconf(_SC_PAGESIZE);
	pshift = __builtin_ctzl(ps);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	task_size = detect_task_size();
	if (!task_size) {
		printf("fuzz: FAIL cannot determine TASK_SIZE\n");
		return 1;
	}
#ifndef MT_FUZZ_MOCK
	{
		struct statvfs sv;

		dev_noexec = statvfs(MMAP_TEST_DEVICE, &sv) == 0 &&
			(sv.f_flag & ST_NOEXEC);
	}
#endif
	text_addr = (unsigned long)&main;
	vdso_addr = getauxval(AT_SYSINFO_EHDR);

	printf("fuzz: seed=%" PRIu64 " calls=%lu threads=%d procs=%d fds=%d spread=%d%% mix=%u,%u,%u,%u,%u%s page=%lu task_size=%#lx%s%s\n",
	       opt_seed, opt_calls, opt_threads, opt_procs, opt_fds, opt_spread,
	       mix[0], mix[1], mix[2], mix[3], mix[4],
	       opt_seconds ? " (time-capped)" : "", ps, task_size,
	       dev_noexec ? " dev-noexec" : "",
#ifdef MT_FUZZ_MOCK
	       " MOCK"
#else
	       ""
#endif
	       );

	for (i = 0; i < opt_fds; i++) {
		shared_fds[i].rdonly = i % 3 == 2;
		shared_fds[i].index = i;
		shared_fds[i].fd = dev_open(shared_fds[i].rdonly ? O_RDONLY : O_RDWR);
		if (shared_fds[i].fd < 0) {
			printf("fuzz: FAIL open %s: %s\n", MMAP_TEST_DEVICE,
			       strerror(errno));
			return 1;
		}
	}
	memset(&st, 0, sizeof(st));
	r = dev_ioctl(shared_fds[0].fd, IOCTL_GET_STATS, (unsigned long)&st);
	if (r || !st.buffer_pages) {
		printf("fuzz: FAIL GET_STATS: %s, buffer_pages=%llu\n",
		       mt_errno_name(-r), (unsigned long long)st.buffer_pages);
		return 1;
	}
	buf_pages = st.buffer_pages;
	taint0 = read_ulong("/proc/sys/kernel/tainted");
	if (opt_module_log >= 0) {
		log_saved = read_param(LOG_CALLS);
		if (log_saved < 0 || write_param(LOG_CALLS, opt_module_log)) {
			printf("fuzz: FAIL cannot set %s\n", LOG_CALLS);
			return 1;
		}
		printf("fuzz: module log_calls=%d for the run (was %d)\n",
		       opt_module_log, log_saved);
	}

	/* arenas: far below the top-down mmap area */
	arenas_base = task_size > (1UL << 45) ? 1UL << 44 : task_size / 4;
	arenas_base &= ~((1UL << 30) - 1);
	p = mmap((void *)arenas_base, opt_threads * ARENA_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
		 -1, 0);
	if (p == MAP_FAILED)
		p = mmap(NULL, opt_threads * ARENA_SIZE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		printf("fuzz: FAIL cannot reserve arenas: %s\n", strerror(errno));
		return 1;
	}
	arenas_base = (unsigned long)p;
	arenas_end = arenas_base + opt_threads * ARENA_SIZE;
	if (verbose)
		printf("fuzz: arenas [%#lx,%#lx) buffer_pages=%lu\n",
		       arenas_base, arenas_end, buf_pages);

	thrs = mmap(NULL, opt_threads * sizeof(*thrs), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (thrs == MAP_FAILED) {
		printf("fuzz: FAIL out of memory\n");
		return 1;
	}
	sm = opt_seed;
	for (i = 0; i < opt_threads; i++) {
		struct thr *t = &thrs[i];
		int mfd;

		t->id = i;
		for (j = 0; j < 4; j++)
			t->rng[j] = splitmix(&sm);
		t->arena = arenas_base + i * ARENA_SIZE;
		t->extra.fd = -1;
		t->pages = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		mfd = memfd_create("fuzz-ro", MFD_CLOEXEC);
		if (t->pages == MAP_FAILED || mfd < 0 || ftruncate(mfd, ps) ||
		    mprotect(t->pages + 2 * ps, ps, PROT_NONE)) {
			printf("fuzz: FAIL setup: %s\n", strerror(errno));
			return 1;
		}
		t->rw_view = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED,
				  mfd, 0);
		t->ro_view = mmap(NULL, ps, PROT_READ, MAP_SHARED, mfd, 0);
		close(mfd);
		if (t->rw_view == MAP_FAILED || t->ro_view == MAP_FAILED) {
			printf("fuzz: FAIL setup: %s\n", strerror(errno));
			return 1;
		}
	}

	t_start = now();
	if (opt_seconds)
		t_deadline = t_start + opt_seconds;
	fflush(stdout);
	/* the other processes: same fds, same (copied) arenas and buffers */
	for (i = 1; i < opt_procs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			printf("fuzz: FAIL fork: %s\n", strerror(errno));
			atomic_store(&stop_now, 1);
			opt_procs = i;
			break;
		}
		if (!pid) {
			/* never outlive a parent that died */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(1);
			proc_idx = i;
			break;
		}
		children[nchildren++] = pid;
	}
	for (i = proc_idx; i < opt_threads; i += opt_procs) {
		r = pthread_create(&thrs[i].th, NULL, thread_main, &thrs[i]);
		if (r) {
			fprintf(stderr, "fuzz: FAIL pthread_create: %s\n",
				strerror(r));
			_exit(1);
		}
	}
	if (proc_idx) {
		for (i = proc_idx; i < opt_threads; i += opt_procs)
			pthread_join(thrs[i].th, NULL);
		for (i = 0; i < opt_fds; i++)
			dev_close(shared_fds[i].fd);
		_exit(0);
	}
	last = t_start;
	while (nchildren ||
	       atomic_load(&local_done) < (opt_threads + opt_procs - 1) / opt_procs) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		double tn;

		if (pid > 0) {
			for (i = 0; i < nchildren; i++)
				if (children[i] == pid)
					children[i] = children[--nchildren];
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				printf("fuzz: a fuzzing process died (status %#x)\n",
				       status);
				atomic_store(&stop_now, 1);
				fail = true;
				mt_append(fails, sizeof(fails), "process-died");
			}
			continue;
		}
		nanosleep(&ts, NULL);
		tn = now();
		if (tn - last >= (verbose ? 5 : 30)) {
			unsigned long pc = atomic_load(&progress_calls);

			printf("fuzz: progress %lu/%lu calls, %.0f calls/s\n",
			       pc, opt_calls, pc / (tn - t_start));
			last = tn;
		}
	}
	for (i = 0; i < opt_threads; i += opt_procs)
		pthread_join(thrs[i].th, NULL);
	elapsed = now() - t_start;

	for (i = 0; i < opt_threads; i++) {
		struct thr *t = &thrs[i];

		for (c = 0; c < NCMD; c++) {
			for (e = 0; e < 256; e++)
				hist[c][e] += t->hist[c][e];
			cmd_time[c] += t->cmd_time[c];
		}
		for (j = 0; j < NPK; j++)
			pkc[j] += t->pk_count[j];
		calls += t->calls;
		cleanup += t->cleanup_calls;
		touches += t->touches;
		sigs += t->sig_expected;
		unexpected += t->unexpected;
		mismatch += t->mismatch;
		opens += t->extra_opens;
		maps += t->new_maps;
		outside += t->maps_outside_arena;
		mprot += t->mprotects;
		madv += t->madvises;
		mrem += t->mremaps;
		spread += t->spread_chunks;
	}
	munmap((void *)arenas_base, arenas_end - arenas_base);
	if (log_saved >= 0 && write_param(LOG_CALLS, log_saved))
		printf("fuzz: cannot restore %s\n", LOG_CALLS);
	for (i = 0; i < opt_fds; i++)
		dev_close(shared_fds[i].fd);

	print_histogram(hist, cmd_time);
	printf("fuzz: arg pointers:");
	for (j = 0; j < NPK; j++)
		printf(" %s=%lu", pk_names[j], pkc[j]);
	printf("\n");
	printf("fuzz: calls=%lu (+%lu cleanup) in %.1f s = %.0f calls/s (%lu of %lu chunks in parallel)\n",
	       calls, cleanup, elapsed, calls / (elapsed > 0 ? elapsed : 1),
	       spread, (calls + CHUNK - 1) / CHUNK);
	printf("fuzz: mappings=%lu (outside arenas %lu) touches=%lu signals caught=%lu (all expected) mprotect=%lu madvise=%lu mremap=%lu extra fds=%lu\n",
	       maps, outside, touches, sigs, mprot, madv, mrem, opens);
	printf("fuzz: unexpected errno=%lu model mismatches=%lu\n",
	       unexpected, mismatch);
	if (unexpected) {
		fail = true;
		mt_append(fails, sizeof(fails), "unexpected-errno");
	}
	if (mismatch) {
		fail = true;
		mt_append(fails, sizeof(fails), "mismatch");
	}

	/* the leak check: everything is unmapped and closed */
#ifdef MT_FUZZ_MOCK
	mock_final = true;
#endif
	fd = dev_open(O_RDWR);
	if (fd < 0) {
		printf("fuzz: final open: %s\n", strerror(errno));
		fail = true;
		mt_append(fails, sizeof(fails), "final-open");
	} else {
		memset(&st, 0, sizeof(st));
		r = dev_ioctl(fd, IOCTL_GET_STATS, (unsigned long)&st);
		printf("fuzz: final GET_STATS: %s total_live_vmas=%llu total_pages=%llu total_files=%llu total_faults=%llu\n",
		       r ? mt_errno_name(-r) : "OK",
		       (unsigned long long)st.total_live_vmas,
		       (unsigned long long)st.total_pages,
		       (unsigned long long)st.total_files,
		       (unsigned long long)st.total_faults);
		if (r || st.total_live_vmas || st.total_pages ||
		    st.total_files != 1) {
			fail = true;
			mt_append(fails, sizeof(fails), "leak");
		}
		dev_close(fd);
	}
	taint1 = read_ulong("/proc/sys/kernel/tainted");
	if (taint0 != ~0UL && taint1 != ~0UL) {
		printf("fuzz: kernel taint %#lx -> %#lx\n", taint0, taint1);
		if (taint1 & ~taint0) {
			fail = true;
			mt_append(fails, sizeof(fails), "kernel-tainted");
		}
	}
	if (fail) {
		printf("fuzz: FAIL %s calls=%lu seed=%" PRIu64 "\n", fails,
		       calls, opt_seed);
		return 1;
	}
	printf("fuzz: PASS calls=%lu\n", calls);
	return 0;
}
