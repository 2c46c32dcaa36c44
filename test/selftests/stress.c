// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-stress - concurrency stress of /dev/mmap-test.
 *
 * Each test runs a set of threads for MMAP_TEST_STRESS_SECONDS (default 10)
 * seconds:
 *
 *   alloc    IOCTL_ALLOC_VMA (device shared/private, anonymous shared/
 *            private; FIXED, FIXED_NOREPLACE or kernel-placed; sometimes
 *            POPULATE), touch (write then read back three words of every
 *            page, pread() the device buffer behind shared device
 *            mappings), IOCTL_QUERY_VMA, IOCTL_FREE_VMA, in a loop
 *   reshape  maps a device or anonymous range and takes it apart: mprotect()
 *            of one page (a VMA split), madvise(MADV_DONTNEED), mremap()
 *            shrink (and growth, EFAULT on device VMAs: VM_DONTEXPAND),
 *            a partial IOCTL_FREE_VMA; checks the contents after each step
 *   fork     keeps device (shared, private) and anonymous mappings and forks
 *            children in a loop; each child checks and writes the inherited
 *            mappings and exits; the parent checks what the child's writes
 *            did (visible through the shared mapping, not the private ones)
 *
 * Threads of one test share the fixture's fd ("shared fd": each of them
 * owns a disjoint slice of the buffer for the pages it writes through
 * shared mappings) or open their own fd.  A thread only FIXED-maps inside
 * an arena it reserved itself, page by page: a page it unmapped is
 * reclaimed with MAP_FIXED_NOREPLACE and is not used with MAP_FIXED until
 * that succeeded (another thread's kernel-placed mapping may land there).
 *
 * Every result is checked in the thread (no harness ASSERT off the main
 * thread: the first failure is recorded and stops the test).  At the end,
 * with every thread joined and every child reaped: per-file live_vmas of
 * every fd is 0 and the module-wide total_live_vmas is back to the setup
 * baseline; after every fd is closed, a fresh fd shows total_pages and
 * total_files back to the baseline (the shared fixture's check,
 * mt_fixture.h, which the two tests outside the stress fixture use too).
 * Throughput is printed as ops/s.
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded: mmap-test-stress (SKIPs when
 * /dev/mmap-test does not exist).
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "mt_time.h"
#include "selftests.h"


/* Report flags (MMAP_TEST_VMA_*) used here, by short names. */

#define MAX_THREADS	8
#define SLOT_PAGES	16	/* pages per arena slot (bitmap: 32 bits) */
#define NR_SLOTS	8
#define MIN_FORKS	200	/* the fork thread goes on until it did these */

enum wkind { W_ALLOC, W_RESHAPE, W_FORK };

enum backing_kind { B_DEV_SHARED, B_DEV_PRIVATE, B_ANON_PRIVATE,
		    B_ANON_SHARED, B_NR };

static const char * const backing_names[] = {
	"device shared", "device private", "anon private", "anon shared",
};

struct stress_run {
	int shared_fd;
	long page;
	unsigned long buf_pages;
	double deadline;
	atomic_int stop;
};

struct worker {
	pthread_t th;
	struct stress_run *c;
	int id;
	enum wkind kind;
	int own_fd;		/* opens its own fd */
	int fd;			/* the fd it uses; main closes own fds */
	unsigned long slice;	/* first buffer page this thread writes */
	unsigned long slice_pages;
	char *arena;
	__u32 owned[NR_SLOTS];	/* arena pages this thread holds */
	__u64 model[64];	/* word 0 of each slice page (buffer) */
	unsigned int seed;
	unsigned long iter;
	/* counters */
	unsigned long allocs, frees, queries, touched, reshapes, forks;
	unsigned long eexist, reclaim_lost;
	/* the first failure */
	unsigned long failures;
	char msg[512];
};

static int done(struct worker *w)
{
	return atomic_load(&w->c->stop) || mt_time_now() >= w->c->deadline;
}

#define FAIL(w, fmt, ...) do {						\
	if (!(w)->failures++)						\
		snprintf((w)->msg, sizeof((w)->msg),			\
			 "thread %d iter %lu: " fmt, (w)->id, (w)->iter, \
			 ##__VA_ARGS__);				\
	atomic_store(&(w)->c->stop, 1);					\
} while (0)

static __u64 pattern_at(int id, unsigned long iter, unsigned long p,
			unsigned int salt)
{
	return 0x5a00000000000000ULL | ((__u64)id << 48) |
	       ((__u64)(iter & 0xffffff) << 24) |
	       ((__u64)(salt & 0xff) << 16) | p;
}

/* What thread @w writes at page @p in this round. */
static __u64 pattern(struct worker *w, unsigned long p, unsigned int salt)
{
	return pattern_at(w->id, w->iter, p, salt);
}

static __u64 *word(char *base, long page, unsigned long p, int which)
{
	long off = which == 0 ? 0 : which == 1 ? page / 2 : page - 8;

	return (__u64 *)(base + p * page + off);
}

static int alloc_vma(struct worker *w, unsigned long addr, unsigned long len,
		     unsigned long pgoff, __u32 prot, __u32 flags,
		     unsigned long *mapped)
{
	struct mmap_test_alloc a;
	int ret;

	ret = mt_ioctl_alloc(w->fd, addr, len, pgoff, prot, flags, &a);
	w->allocs++;
	*mapped = ret ? 0 : a.mapped;
	if (!ret && (!a.mapped || (addr && (flags & (MMAP_TEST_FIXED |
				MMAP_TEST_FIXED_NOREPLACE)) && a.mapped != addr)))
		return -EPROTO;
	return ret;
}

static int free_vma(struct worker *w, unsigned long addr, unsigned long len)
{
	w->frees++;
	return mt_ioctl_free(w->fd, addr, len);
}

static int query_vma(struct worker *w, unsigned long addr,
		     struct mmap_test_vma_report *r)
{
	w->queries++;
	return mt_ioctl_query(w->fd, addr, r);
}

static __u32 backing_flags(enum backing_kind b)
{
	switch (b) {
	case B_DEV_SHARED:
		return MMAP_TEST_SHARED;
	case B_DEV_PRIVATE:
		return MMAP_TEST_PRIVATE;
	case B_ANON_PRIVATE:
		return MMAP_TEST_PRIVATE | MMAP_TEST_ANON;
	default:
		return MMAP_TEST_SHARED | MMAP_TEST_ANON;
	}
}

static __u32 backing_report(enum backing_kind b)
{
	switch (b) {
	case B_DEV_SHARED:
	case B_DEV_PRIVATE:
		return MMAP_TEST_BACKING_DEVICE;
	case B_ANON_PRIVATE:
		return MMAP_TEST_BACKING_ANON;
	default:
		return MMAP_TEST_BACKING_FILE;
	}
}

/* QUERY @addr inside a mapping of @b: contains, backing, flags, pgoff. */
static int check_query(struct worker *w, unsigned long addr,
		       enum backing_kind b, int writable, long pgoff)
{
	struct mmap_test_vma_report r;
	unsigned long long want, got;
	int ret;

	ret = query_vma(w, addr, &r);
	if (ret) {
		FAIL(w, "QUERY(%#lx): %s", addr, mt_errno_name(ret));
		return -1;
	}
	if (!r.found || !r.contains || r.addr != addr || r.vm_start > addr ||
	    r.vm_end <= addr) {
		FAIL(w, "QUERY(%#lx): found %u contains %u [%#llx,%#llx)",
		     addr, r.found, r.contains,
		     (unsigned long long)r.vm_start,
		     (unsigned long long)r.vm_end);
		return -1;
	}
	if (r.backing != backing_report(b)) {
		FAIL(w, "QUERY(%#lx) of %s: backing %s", addr, backing_names[b],
		     mt_backing_name(r.backing));
		return -1;
	}
	want = VF_READ | (writable ? VF_WRITE : 0) |
	       (b == B_DEV_SHARED || b == B_ANON_SHARED ? VF_SHARED : 0);
	got = r.flags & (VF_READ | VF_WRITE | VF_SHARED);
	if (want != got) {
		FAIL(w, "QUERY(%#lx) of %s: flags %#llx", addr,
		     backing_names[b], (unsigned long long)r.flags);
		return -1;
	}
	if (pgoff >= 0 && r.vm_pgoff + (addr - r.vm_start) / w->c->page !=
			  (unsigned long)pgoff) {
		FAIL(w, "QUERY(%#lx): vm_pgoff %llu from %#llx, want page %ld",
		     addr, (unsigned long long)r.vm_pgoff,
		     (unsigned long long)r.vm_start, pgoff);
		return -1;
	}
	return 0;
}

/* Write then read back three words of every page; pread() shared pages. */
static int touch(struct worker *w, char *base, unsigned long pages,
		 enum backing_kind b, unsigned long pgoff, unsigned int salt)
{
	long page = w->c->page;
	unsigned long p;
	int i;

	for (p = 0; p < pages; p++)
		for (i = 0; i < 3; i++)
			*word(base, page, p, i) = pattern(w, p, salt + i);
	for (p = 0; p < pages; p++) {
		for (i = 0; i < 3; i++) {
			__u64 v = *word(base, page, p, i);

			if (v != pattern(w, p, salt + i)) {
				FAIL(w, "%s page %lu word %d at %p: %#llx, wrote %#llx",
				     backing_names[b], p, i,
				     (void *)word(base, page, p, i),
				     (unsigned long long)v,
				     (unsigned long long)pattern(w, p, salt + i));
				return -1;
			}
		}
		if (b == B_DEV_SHARED) {
			__u64 v = 0;
			off_t off = (pgoff + p) * page;

			if (pread(w->fd, &v, sizeof(v), off) != sizeof(v)) {
				FAIL(w, "pread at %#llx: %s",
				     (unsigned long long)off, strerror(errno));
				return -1;
			}
			if (v != pattern(w, p, salt)) {
				FAIL(w, "buffer page %lu: pread %#llx, wrote %#llx through the shared mapping",
				     pgoff + p, (unsigned long long)v,
				     (unsigned long long)pattern(w, p, salt));
				return -1;
			}
			if (pgoff + p - w->slice < 64)
				w->model[pgoff + p - w->slice] = v;
		}
		w->touched++;
	}
	return 0;
}

static char *slot_addr(struct worker *w, int s, unsigned long p)
{
	return w->arena + (s * SLOT_PAGES + p) * w->c->page;
}

/* Take back the pages of slot @s that this thread does not hold. */
static int reclaim(struct worker *w, int s)
{
	unsigned long p;

	for (p = 0; p < SLOT_PAGES; p++) {
		char *a = slot_addr(w, s, p);
		void *r;

		if (w->owned[s] & (1U << p))
			continue;
		r = mt_mem_map_noreplace(a, w->c->page, PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS |
					 MAP_NORESERVE, -1, 0);
		if (r == a) {
			w->owned[s] |= 1U << p;
			continue;
		}
		if (errno == EEXIST) {
			w->reclaim_lost++;
			continue;
		}
		/* EOPNOTSUPP: a kernel before 4.17 took it as a hint. */
		FAIL(w, "reclaiming %p: %s", (void *)a,
		     errno == EOPNOTSUPP ? "placed elsewhere" : strerror(errno));
		return -1;
	}
	return 0;
}

static int slot_owned(struct worker *w, int s, unsigned long first,
		      unsigned long n)
{
	__u32 mask = (n >= 32 ? ~0U : ((1U << n) - 1)) << first;

	return (w->owned[s] & mask) == mask;
}

/* FREE the held pages of [first, first + n) of slot @s, then reclaim. */
static int release(struct worker *w, int s, unsigned long first,
		   unsigned long n)
{
	unsigned long p = first, q;
	int ret;

	while (p < first + n) {
		if (!(w->owned[s] & (1U << p))) {
			p++;
			continue;
		}
		for (q = p; q < first + n && (w->owned[s] & (1U << q)); q++)
			w->owned[s] &= ~(1U << q);
		ret = free_vma(w, (unsigned long)slot_addr(w, s, p),
			       (q - p) * w->c->page);
		if (ret) {
			FAIL(w, "FREE(%p, %lu pages): %s",
			     (void *)slot_addr(w, s, p), q - p,
			     mt_errno_name(ret));
			return -1;
		}
		p = q;
	}
	return reclaim(w, s);
}

/* pgoff and length (pages) of a device mapping for this thread. */
static void pick_dev(struct worker *w, enum backing_kind b,
		     unsigned long maxpages, unsigned long *pgoff,
		     unsigned long *pages)
{
	unsigned long span = b == B_DEV_SHARED ? w->slice_pages :
						 w->c->buf_pages;
	unsigned long base = b == B_DEV_SHARED ? w->slice : 0;
	unsigned long n, o;

	if (span > maxpages)
		span = maxpages;
	n = 1 + rand_r(&w->seed) % span;
	o = rand_r(&w->seed) % ((b == B_DEV_SHARED ? w->slice_pages :
				 w->c->buf_pages) - n + 1);
	*pgoff = base + o;
	*pages = n;
}

/* One ALLOC / touch / QUERY / FREE round. */
static void alloc_round(struct worker *w)
{
	long page = w->c->page;
	enum backing_kind b = rand_r(&w->seed) % B_NR;
	int place = rand_r(&w->seed) % 3;	/* 0 kernel, 1 FIXED, 2 NOREPLACE */
	int s = rand_r(&w->seed) % NR_SLOTS;
	unsigned long pgoff = 0, pages, addr = 0, mapped;
	__u32 flags = backing_flags(b);
	int ret;

	if (b == B_DEV_SHARED || b == B_DEV_PRIVATE)
		pick_dev(w, b, SLOT_PAGES, &pgoff, &pages);
	else
		pages = 1 + rand_r(&w->seed) % SLOT_PAGES;
	if (!(rand_r(&w->seed) % 8))
		flags |= MMAP_TEST_POPULATE;

	if (place && !slot_owned(w, s, 0, pages)) {
		if (reclaim(w, s))
			return;
		if (!slot_owned(w, s, 0, pages))
			place = 0;
	}
	if (place == 1) {
		addr = (unsigned long)slot_addr(w, s, 0);
		flags |= MMAP_TEST_FIXED;
	} else if (place == 2) {
		addr = (unsigned long)slot_addr(w, s, 0);
		/* Give the range up, then map it without replacing. */
		if (munmap((void *)addr, pages * page)) {
			FAIL(w, "munmap(%#lx): %s", addr, strerror(errno));
			return;
		}
		w->owned[s] &= ~(((1U << pages) - 1));
		flags |= MMAP_TEST_FIXED_NOREPLACE;
	}

	ret = alloc_vma(w, addr, pages * page, pgoff, PROT_READ | PROT_WRITE,
			flags, &mapped);
	if (ret == -EEXIST && place == 2) {
		/* Another thread's mapping landed in the gap: expected. */
		w->eexist++;
		reclaim(w, s);
		return;
	}
	if (ret) {
		FAIL(w, "ALLOC(%#lx, %lu pages, pgoff %lu, %s, flags %#x): %s",
		     addr, pages, pgoff, backing_names[b], flags,
		     ret == -EPROTO ? "wrong address" : mt_errno_name(ret));
		if (place == 2)
			reclaim(w, s);
		return;
	}
	if (place)
		w->owned[s] |= (1U << pages) - 1;

	if (check_query(w, mapped, b, 1,
			b <= B_DEV_PRIVATE ? (long)pgoff : -1) ||
	    check_query(w, mapped + (pages - 1) * page, b, 1,
			b <= B_DEV_PRIVATE ? (long)(pgoff + pages - 1) : -1))
		goto out;
	if (touch(w, (char *)mapped, pages, b, pgoff, w->iter & 0xff))
		goto out;
out:
	if (place) {
		release(w, s, 0, pages);
	} else {
		ret = free_vma(w, mapped, pages * page);
		if (ret)
			FAIL(w, "FREE(%#lx, %lu pages): %s", mapped, pages,
			     mt_errno_name(ret));
	}
}

/* Word 0 of page @p after MADV_DONTNEED: what backs it. */
static __u64 after_dontneed(struct worker *w, enum backing_kind b,
			    unsigned long pgoff, unsigned long p,
			    unsigned int salt)
{
	switch (b) {
	case B_DEV_SHARED:
	case B_ANON_SHARED:
		return pattern(w, p, salt);	/* the buffer / shmem keeps it */
	case B_DEV_PRIVATE:
		return w->model[pgoff + p - w->slice];	/* the buffer's page */
	default:
		return 0;			/* fresh zero page */
	}
}

/* The range that one reshape round maps and takes apart. */
struct shape {
	enum backing_kind b;
	int dev;		/* a device mapping */
	int s;			/* its arena slot */
	char *base;		/* slot_addr(w, s, 0) */
	unsigned long pages, pgoff;
	unsigned int salt;
};

/* The device page of page @p of the range; -1 for anonymous memory. */
static long shape_pgoff(const struct shape *sh, unsigned long p)
{
	return sh->dev ? (long)(sh->pgoff + p) : -1;
}

/* mprotect(): split off page 1 read-only, then make it writable again. */
static int reshape_mprotect(struct worker *w, const struct shape *sh)
{
	long page = w->c->page;
	char *base = sh->base;

	if (mprotect(base + page, page, PROT_READ)) {
		FAIL(w, "mprotect(%p): %s", (void *)(base + page),
		     strerror(errno));
		return -1;
	}
	if (check_query(w, (unsigned long)base + page, sh->b, 0,
			shape_pgoff(sh, 1)) ||
	    check_query(w, (unsigned long)base, sh->b, 1, shape_pgoff(sh, 0)))
		return -1;
	if (*word(base, page, 1, 0) != pattern(w, 1, sh->salt)) {
		FAIL(w, "%s: page 1 changed by mprotect()",
		     backing_names[sh->b]);
		return -1;
	}
	if (mprotect(base + page, page, PROT_READ | PROT_WRITE)) {
		FAIL(w, "mprotect back: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* MADV_DONTNEED: what comes back is what backs the mapping. */
static int reshape_dontneed(struct worker *w, const struct shape *sh)
{
	long page = w->c->page;
	unsigned long p;

	if (madvise(sh->base, sh->pages * page, MADV_DONTNEED)) {
		FAIL(w, "madvise(DONTNEED): %s", strerror(errno));
		return -1;
	}
	for (p = 0; p < sh->pages; p++) {
		__u64 v = *word(sh->base, page, p, 0);
		__u64 want = after_dontneed(w, sh->b, sh->pgoff, p, sh->salt);

		if (v != want) {
			FAIL(w, "%s page %lu after DONTNEED: %#llx, want %#llx",
			     backing_names[sh->b], p, (unsigned long long)v,
			     (unsigned long long)want);
			return -1;
		}
	}
	return touch(w, sh->base, sh->pages, sh->b, sh->pgoff, sh->salt);
}

/*
 * mremap(): device VMAs cannot grow (VM_DONTEXPAND), all shrink to @half
 * pages; the tail is a hole then, reclaimed.
 */
static int reshape_mremap(struct worker *w, const struct shape *sh,
			  unsigned long half)
{
	long page = w->c->page;
	char *base = sh->base;
	unsigned long p;
	void *r;

	if (sh->dev) {
		r = mremap(base, sh->pages * page, (sh->pages + 1) * page, 0);
		if (r != MAP_FAILED || errno != EFAULT) {
			FAIL(w, "mremap growth of a device VMA: %s, want EFAULT",
			     r == MAP_FAILED ? strerror(errno) : "grew");
			return -1;
		}
	}
	r = mremap(base, sh->pages * page, half * page, 0);
	if (r != base) {
		FAIL(w, "mremap shrink %lu -> %lu pages: %s", sh->pages, half,
		     r == MAP_FAILED ? strerror(errno) : "moved");
		return -1;
	}
	/* The tail is a hole now: no longer ours until reclaimed. */
	for (p = half; p < sh->pages; p++)
		w->owned[sh->s] &= ~(1U << p);
	if (reclaim(w, sh->s))
		return -1;
	for (p = 0; p < half; p++) {
		if (*word(base, page, p, 2) != pattern(w, p, sh->salt + 2)) {
			FAIL(w, "%s page %lu changed by mremap shrink",
			     backing_names[sh->b], p);
			return -1;
		}
	}
	return check_query(w, (unsigned long)base + (half - 1) * page, sh->b,
			   1, shape_pgoff(sh, half - 1));
}

/* Partial FREE of the last of @half remaining pages. */
static int reshape_free(struct worker *w, const struct shape *sh,
			unsigned long half)
{
	long page = w->c->page;
	char *base = sh->base;
	int ret;

	if (half < 2)
		return 0;
	ret = free_vma(w, (unsigned long)base + (half - 1) * page, page);
	if (ret) {
		FAIL(w, "partial FREE: %s", mt_errno_name(ret));
		return -1;
	}
	w->owned[sh->s] &= ~(1U << (half - 1));
	if (reclaim(w, sh->s))
		return -1;
	if (check_query(w, (unsigned long)base, sh->b, 1, shape_pgoff(sh, 0)))
		return -1;
	if (*word(base, page, 0, 1) != pattern(w, 0, sh->salt + 1)) {
		FAIL(w, "%s page 0 changed by partial FREE",
		     backing_names[sh->b]);
		return -1;
	}
	return 0;
}

/*
 * Map a range in slot 0 with MAP_FIXED and take it apart:
 * mprotect(page 1, PROT_READ), MADV_DONTNEED, mremap() shrink to half
 * (growth: EFAULT for device VMAs), FREE of the last remaining page.
 */
static void reshape_round(struct worker *w)
{
	long page = w->c->page;
	struct shape sh = {
		.b = rand_r(&w->seed) % B_NR,
		.s = w->iter % NR_SLOTS,
		.salt = w->iter & 0xff,
	};
	unsigned long mapped;
	int ret;

	sh.dev = sh.b == B_DEV_SHARED || sh.b == B_DEV_PRIVATE;
	sh.base = slot_addr(w, sh.s, 0);
	if (sh.dev) {
		/* Private device pages too come from this thread's slice,
		 * so that what is under them after DONTNEED is known. */
		sh.pages = w->slice_pages < 8 ? w->slice_pages : 8;
		sh.pgoff = w->slice + rand_r(&w->seed) %
				      (w->slice_pages - sh.pages + 1);
	} else {
		sh.pages = 8;
	}
	if (!slot_owned(w, sh.s, 0, sh.pages)) {
		if (reclaim(w, sh.s) || !slot_owned(w, sh.s, 0, sh.pages))
			return;
	}
	ret = alloc_vma(w, (unsigned long)sh.base, sh.pages * page, sh.pgoff,
			PROT_READ | PROT_WRITE,
			backing_flags(sh.b) | MMAP_TEST_FIXED, &mapped);
	if (ret) {
		FAIL(w, "ALLOC FIXED(%p, %lu pages, %s): %s", (void *)sh.base,
		     sh.pages, backing_names[sh.b],
		     ret == -EPROTO ? "wrong address" : mt_errno_name(ret));
		return;
	}
	if (!touch(w, sh.base, sh.pages, sh.b, sh.pgoff, sh.salt) &&
	    !reshape_mprotect(w, &sh) && !reshape_dontneed(w, &sh) &&
	    !reshape_mremap(w, &sh, sh.pages / 2) &&
	    !reshape_free(w, &sh, sh.pages / 2))
		w->reshapes++;
	release(w, sh.s, 0, sh.pages);
}

/* The child's side of a fork: check and write, exit with a code. */
static void fork_child(struct worker *w, char *shared, char *priv,
		       char *anon, unsigned long pages, unsigned long n,
		       unsigned long gen)
{
	long page = w->c->page;
	unsigned long p;

	for (p = 0; p < pages; p++) {
		if (*word(shared, page, p, 0) != pattern_at(w->id, gen, p, 1))
			_exit(10);
		if (*word(priv, page, p, 0) != pattern_at(w->id, gen, p, 2))
			_exit(11);
		if (*word(anon, page, p, 0) != pattern_at(w->id, gen, p, 3))
			_exit(12);
		*word(priv, page, p, 0) = ~0ULL;
		*word(anon, page, p, 0) = ~0ULL;
	}
	*word(shared, page, n % pages, 1) = 0xc0de000000000000ULL | n;
	_exit(0);
}

static int fork_maps(struct worker *w, unsigned long pages,
		     unsigned long *sh, unsigned long *pr, unsigned long *an)
{
	long page = w->c->page;
	unsigned long p;
	int ret;

	ret = alloc_vma(w, 0, pages * page, 0, PROT_READ | PROT_WRITE,
			MMAP_TEST_SHARED, sh);
	if (!ret)
		ret = alloc_vma(w, 0, pages * page, pages,
				PROT_READ | PROT_WRITE, MMAP_TEST_PRIVATE, pr);
	if (!ret)
		ret = alloc_vma(w, 0, pages * page, 0, PROT_READ | PROT_WRITE,
				MMAP_TEST_PRIVATE | MMAP_TEST_ANON, an);
	if (ret) {
		FAIL(w, "fork thread ALLOC: %s", mt_errno_name(ret));
		return -1;
	}
	for (p = 0; p < pages; p++) {
		*word((char *)*sh, page, p, 0) = pattern(w, p, 1);
		*word((char *)*pr, page, p, 0) = pattern(w, p, 2);
		*word((char *)*an, page, p, 0) = pattern(w, p, 3);
	}
	return 0;
}

static void fork_unmap(struct worker *w, unsigned long pages,
		       unsigned long sh, unsigned long pr, unsigned long an)
{
	unsigned long a[3] = { sh, pr, an };
	int i, ret;

	for (i = 0; i < 3; i++) {
		if (!a[i])
			continue;
		ret = free_vma(w, a[i], pages * w->c->page);
		if (ret)
			FAIL(w, "fork thread FREE: %s", mt_errno_name(ret));
	}
}

static void fork_loop(struct worker *w)
{
	long page = w->c->page;
	unsigned long pages = w->c->buf_pages / 2;
	unsigned long sh = 0, pr = 0, an = 0, p, gen = 0;
	pid_t pid, parent;
	int status;

	if (pages > 8)
		pages = 8;
	while (!atomic_load(&w->c->stop) &&
	       (mt_time_now() < w->c->deadline || w->forks < MIN_FORKS)) {
		w->iter++;
		if (!(w->iter % 16) || !sh) {
			fork_unmap(w, pages, sh, pr, an);
			sh = pr = an = 0;
			if (fork_maps(w, pages, &sh, &pr, &an))
				break;
			gen = w->iter;
		}
		parent = getpid();
		pid = fork();
		if (pid < 0) {
			FAIL(w, "fork: %s", strerror(errno));
			break;
		}
		if (!pid) {
			/*
			 * Dies with the test: a child left behind by a
			 * killed test would hold mappings and fds that the
			 * next test counts as its own.
			 */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) ||
			    getppid() != parent)
				_exit(13);
			fork_child(w, (char *)sh, (char *)pr, (char *)an, pages,
				   w->forks, gen);
		}
		if (waitpid(pid, &status, 0) != pid) {
			FAIL(w, "waitpid: %s", strerror(errno));
			break;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			FAIL(w, "child %lu: status %#x (10: shared, 11: private, 12: anon content wrong)",
			     w->forks, status);
			break;
		}
		/* The child's write to the shared mapping is visible... */
		if (*word((char *)sh, page, w->forks % pages, 1) !=
		    (0xc0de000000000000ULL | w->forks)) {
			FAIL(w, "child %lu's write to the shared device mapping not visible",
			     w->forks);
			break;
		}
		/* ...its writes to the private ones are not. */
		for (p = 0; p < pages; p++) {
			if (*word((char *)pr, page, p, 0) !=
			    pattern_at(w->id, gen, p, 2) ||
			    *word((char *)an, page, p, 0) !=
			    pattern_at(w->id, gen, p, 3)) {
				FAIL(w, "child %lu's private write leaked into the parent",
				     w->forks);
				break;
			}
		}
		w->forks++;
	}
	fork_unmap(w, pages, sh, pr, an);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	long page = w->c->page;
	unsigned long p;
	int s;

	w->arena = mmap(NULL, NR_SLOTS * SLOT_PAGES * page, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (w->arena == MAP_FAILED) {
		w->arena = NULL;
		FAIL(w, "arena: %s", strerror(errno));
		return NULL;
	}
	for (s = 0; s < NR_SLOTS; s++)
		w->owned[s] = (1U << SLOT_PAGES) - 1;
	/* What the buffer holds now in this thread's slice. */
	for (p = 0; p < w->slice_pages && p < 64; p++) {
		if (pread(w->fd, &w->model[p], 8, (w->slice + p) * page) != 8) {
			FAIL(w, "pread: %s", strerror(errno));
			return NULL;
		}
	}

	switch (w->kind) {
	case W_ALLOC:
		while (!done(w)) {
			w->iter++;
			alloc_round(w);
		}
		break;
	case W_RESHAPE:
		while (!done(w)) {
			w->iter++;
			reshape_round(w);
		}
		break;
	case W_FORK:
		fork_loop(w);
		break;
	}
	/* Give the arena back: only the pages this thread holds. */
	for (s = 0; s < NR_SLOTS; s++)
		for (p = 0; p < SLOT_PAGES; p++)
			if (w->owned[s] & (1U << p))
				munmap(slot_addr(w, s, p), page);
	return NULL;
}

/* Per-thread checks are in run_stress(); the fixture checks the baseline. */
MT_FIXTURE(stress, 0);

struct tspec {
	enum wkind kind;
	int own_fd;
};

/*
 * Give each thread its fd and the slice of the buffer it writes: threads
 * on the shared fd split the buffer (at most 64 pages each), the others
 * own theirs.
 */
static void init_workers(struct __test_metadata *_metadata,
			 struct mt_ctx *ctx, struct stress_run *c,
			 struct worker *ws, const struct tspec *spec, int n)
{
	unsigned long nshared = 0, slice_pages, next_slice = 0;
	int i;

	for (i = 0; i < n; i++)
		if (!spec[i].own_fd && spec[i].kind != W_FORK)
			nshared++;
	slice_pages = nshared ? c->buf_pages / nshared : c->buf_pages;
	ASSERT_LE(2UL, slice_pages) {
		TH_LOG("%lu-page buffer too small for %lu threads on one fd",
		       c->buf_pages, nshared);
	}
	if (slice_pages > 64)
		slice_pages = 64;

	for (i = 0; i < n; i++) {
		struct worker *w = &ws[i];

		w->c = c;
		w->id = i;
		w->kind = spec[i].kind;
		w->own_fd = spec[i].own_fd || spec[i].kind == W_FORK;
		w->seed = 0x9e3779b9u * (i + 1) ^ (unsigned int)getpid();
		if (w->own_fd) {
			w->fd = mt_ctx_open(ctx, O_RDWR);
			ASSERT_LE(0, w->fd);
			w->slice = 0;
			w->slice_pages = c->buf_pages < 64 ? c->buf_pages : 64;
		} else {
			w->fd = ctx->fd;
			w->slice = next_slice;
			w->slice_pages = slice_pages;
			next_slice += slice_pages;
		}
	}
}

/* Each thread's first failure, the throughput, and that each did work. */
static void report_workers(struct __test_metadata *_metadata,
			   const char *name, const struct worker *ws, int n,
			   double elapsed)
{
	unsigned long allocs = 0, frees = 0, queries = 0, touched = 0;
	unsigned long reshapes = 0, forks = 0, eexist = 0, lost = 0, ops;
	int i;

	for (i = 0; i < n; i++) {
		const struct worker *w = &ws[i];

		EXPECT_EQ(0UL, w->failures) {
			TH_LOG("%s", w->msg);
		}
		allocs += w->allocs;
		frees += w->frees;
		queries += w->queries;
		touched += w->touched;
		reshapes += w->reshapes;
		forks += w->forks;
		eexist += w->eexist;
		lost += w->reclaim_lost;
	}
	ops = allocs + frees + queries + touched + forks;
	TH_LOG("%s: %d threads, %.1f s: %lu ops = %.0f ops/s (ALLOC %lu, FREE %lu, QUERY %lu, pages touched %lu, reshape rounds %lu, forks %lu, expected EEXIST %lu, arena pages taken by others %lu)",
	       name, n, elapsed, ops, ops / elapsed, allocs, frees, queries,
	       touched, reshapes, forks, eexist, lost);
	ksft_print_msg("%s: %.0f ops/s over %.1f s\n", name, ops / elapsed,
		       elapsed);
	for (i = 0; i < n; i++) {
		if (ws[i].kind == W_ALLOC)
			EXPECT_LT(0UL, ws[i].allocs);
		if (ws[i].kind == W_RESHAPE)
			EXPECT_LT(0UL, ws[i].reshapes);
		if (ws[i].kind == W_FORK)
			EXPECT_LE((unsigned long)MIN_FORKS, ws[i].forks);
	}
}

static void run_stress(struct __test_metadata *_metadata,
		       FIXTURE_DATA(stress) *self, const char *name,
		       const struct tspec *spec, int n)
{
	struct worker *ws;
	struct stress_run c;
	struct mmap_test_stats st;
	double t0, elapsed;
	int i, seconds = stress_seconds();

	ASSERT_LE(n, MAX_THREADS);

	memset(&c, 0, sizeof(c));
	c.shared_fd = self->c.fd;
	c.page = pg;
	c.buf_pages = self->c.base.buffer_pages;
	ws = calloc(n, sizeof(*ws));
	ASSERT_NE(NULL, ws);
	init_workers(_metadata, &self->c, &c, ws, spec, n);

	t0 = mt_time_now();
	c.deadline = t0 + seconds;
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, pthread_create(&ws[i].th, NULL, worker_main,
					    &ws[i]));
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, pthread_join(ws[i].th, NULL));
	elapsed = mt_time_now() - t0;
	report_workers(_metadata, name, ws, n, elapsed);

	/* Every mapping is gone: every file's live VMAs are 0. */
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, mt_ioctl_stats(ws[i].fd, &st));
		EXPECT_EQ(0ULL, st.live_vmas) {
			TH_LOG("thread %d's fd: %llu live VMAs", i,
			       (unsigned long long)st.live_vmas);
		}
	}
	EXPECT_EQ(0, mt_ioctl_stats(self->c.fd, &st));
	EXPECT_EQ(self->c.base.total_live_vmas, st.total_live_vmas);
	for (i = 0; i < n; i++)
		if (ws[i].own_fd)
			mt_ctx_close(&self->c, ws[i].fd);
	free(ws);
}

/* replaced at start-up by stress_timeouts() */
#define TIMEOUT_DEFAULT	600

/* (a) four threads, one fd */
TEST_F_TIMEOUT(stress, shared_fd, STRESS_TIMEOUT)
{
	static const struct tspec spec[] = {
		{ W_ALLOC, 0 }, { W_ALLOC, 0 }, { W_ALLOC, 0 }, { W_ALLOC, 0 },
	};

	run_stress(_metadata, self, "shared_fd", spec, MT_ARRAY_SIZE(spec));
}

/* (b) four threads, each with its own fd */
TEST_F_TIMEOUT(stress, own_fd, STRESS_TIMEOUT)
{
	static const struct tspec spec[] = {
		{ W_ALLOC, 1 }, { W_ALLOC, 1 }, { W_ALLOC, 1 }, { W_ALLOC, 1 },
	};

	run_stress(_metadata, self, "own_fd", spec, MT_ARRAY_SIZE(spec));
}

/* (c) a fork storm while others ALLOC, touch, FREE and reshape */
TEST_F_TIMEOUT(stress, fork_storm, STRESS_TIMEOUT)
{
	static const struct tspec spec[] = {
		{ W_FORK, 1 }, { W_ALLOC, 0 }, { W_ALLOC, 0 }, { W_ALLOC, 1 },
		{ W_RESHAPE, 0 },
	};

	run_stress(_metadata, self, "fork_storm", spec, MT_ARRAY_SIZE(spec));
}

/* (d) mremap shrink, mprotect, MADV_DONTNEED, partial FREE */
TEST_F_TIMEOUT(stress, reshape, STRESS_TIMEOUT)
{
	static const struct tspec spec[] = {
		{ W_RESHAPE, 0 }, { W_RESHAPE, 0 }, { W_RESHAPE, 0 },
		{ W_RESHAPE, 1 }, { W_ALLOC, 0 },
	};

	run_stress(_metadata, self, "reshape", spec, MT_ARRAY_SIZE(spec));
}

/*
 * log_calls flipped while FREE loops: every FREE line in the kernel log
 * must report the address being freed.  A module that reads log_calls
 * twice (once to take the find_vma() report, once to print it) prints an
 * uninitialised report when the flag flips in between.  ALLOC alternates
 * between two addresses, so a stale report left on the stack by the
 * previous call names the other one.
 */
#define LOG_PARAM	"/sys/module/mmap_test/parameters/log_calls"

static atomic_int toggle_stop;

static void *toggle_log_calls(void *arg)
{
	int fd = *(int *)arg;
	unsigned long n = 0;

	while (!atomic_load(&toggle_stop))
		if (pwrite(fd, n++ & 1 ? "Y" : "N", 1, 0) != 1)
			break;
	return NULL;
}

/*
 * Read the kernel log records that are ready; count the FREE lines and the
 * bad ones: "misc mmap-test: FREE find_vma(A) -> [...] anon, contains: yes;
 * vm_munmap(A, L) -> 0" with A one of @addr.
 */
static void scan_kmsg(struct __test_metadata *_metadata, int kfd,
		      const unsigned long *addr, unsigned long *lines,
		      unsigned long *bad)
{
	unsigned long long fa, ua;
	char rec[1024], *p, *q;
	ssize_t n;

	for (;;) {
		n = read(kfd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) {
			TH_LOG("kernel log records were lost before they were read");
			(*bad)++;
			continue;
		}
		if (n <= 0)
			return;
		rec[n] = 0;
		p = strstr(rec, "mmap-test: FREE find_vma(");
		if (!p)
			continue;
		(*lines)++;
		q = strstr(p, "vm_munmap(");
		if (sscanf(p, "mmap-test: FREE find_vma(%llx)", &fa) != 1 || !q ||
		    sscanf(q, "vm_munmap(%llx,", &ua) != 1 || fa != ua ||
		    (fa != addr[0] && fa != addr[1]) ||
		    !strstr(p, ") anon, contains: yes; ")) {
			if ((*bad)++ < 5)
				TH_LOG("bad FREE line: %s", p);
		}
	}
}

/*
 * A plain TEST (its name is global.<test>) that runs the fixture's setup
 * and teardown itself, so the leak check runs when the body returns; an
 * ASSERT that ends the test early skips it (the test has failed anyway).
 */
TEST(log_calls_toggled_during_free)
{
	struct mt_ctx c;
	unsigned long page = mt_mem_page_size();
	unsigned long addr[2], bad = 0, lines = 0, frees = 0;
	char orig[8] = "", burst[16], *m;
	int fd, pfd, kfd, i;
	pthread_t th;
	double end;

	mt_ctx_setup(_metadata, &c, 0);
	fd = c.fd;
	pfd = open(LOG_PARAM, O_RDWR | O_CLOEXEC);
	if (pfd < 0)
		SKIP(mt_ctx_teardown(_metadata, &c); return,
		     "cannot open %s: %s", LOG_PARAM, strerror(errno));
	ASSERT_LT(0, pread(pfd, orig, sizeof(orig) - 1, 0));
	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kfd < 0)
		SKIP(close(pfd); mt_ctx_teardown(_metadata, &c); return,
		     "cannot open /dev/kmsg: %s", strerror(errno));
	/* every FREE line is checked: none may be rate-limited away */
	ASSERT_EQ(0, log_burst_unlimit(burst, sizeof(burst)));
	ASSERT_LE(0, lseek(kfd, 0, SEEK_END));

	/*
	 * Two one-page holes between PROT_NONE guard pages, so that no other
	 * mapping (a thread's stack) can take them.
	 */
	m = mmap(NULL, 5 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	addr[0] = (unsigned long)m + page;
	addr[1] = (unsigned long)m + 3 * page;
	ASSERT_EQ(0, munmap((void *)addr[0], page));
	ASSERT_EQ(0, munmap((void *)addr[1], page));

	atomic_store(&toggle_stop, 0);
	ASSERT_EQ(0, pthread_create(&th, NULL, toggle_log_calls, &pfd));
	end = mt_time_now() + 3;
	for (i = 0; mt_time_now() < end; i++) {
		    struct mmap_test_alloc a;
		    int ra, rf = 0;

		    ra = mt_ioctl_alloc(fd, addr[i & 1], page, 0,
					PROT_READ | PROT_WRITE,
					MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
					MMAP_TEST_FIXED_NOREPLACE, &a);
		    if (!ra && a.mapped == a.addr)
		    rf = mt_ioctl_free(fd, addr[i & 1], page);
		    if (ra || a.mapped != a.addr || rf) {
		    TH_LOG("round %d: ALLOC %#lx: %s (mapped %#llx), FREE: %s",
			   i, addr[i & 1], mt_errno_name(-ra),
			   (unsigned long long)a.mapped, mt_errno_name(-rf));
		    break;
		    }
		    frees++;
		    scan_kmsg(_metadata, kfd, addr, &lines, &bad);
	}
	atomic_store(&toggle_stop, 1);
	pthread_join(th, NULL);
	EXPECT_EQ((ssize_t)strlen(orig), pwrite(pfd, orig, strlen(orig), 0));
	close(pfd);
	log_burst_restore(burst);
	mt_ctx_teardown(_metadata, &c);
	munmap(m, 5 * page);
	ASSERT_LT(100UL, frees) TH_LOG("only %lu ALLOC+FREE rounds", frees);

	scan_kmsg(_metadata, kfd, addr, &lines, &bad);
	close(kfd);
	TH_LOG("%lu ALLOC+FREE rounds, %lu FREE lines logged, %lu bad",
	       frees, lines, bad);
	ASSERT_LT(0UL, lines) TH_LOG("no FREE line in the kernel log");
	ASSERT_EQ(0UL, bad);
}

/*
 * ALLOC's copy-out racing with another thread: the argument sits on a page
 * that userfaultfd write-protects, so the first time the module writes to
 * it, the call stops, and a second thread plays the other thread of the
 * race: it maps a page of its own at the ALLOC address (MAP_FIXED: over
 * ALLOC's mapping, if there is one already), unmaps the argument's page
 * and lets the call go on, so that its copy-out fails.  ALLOC must return
 * EFAULT, and the page the other thread mapped must survive: a module that
 * unmaps "its" range after a failed copy-out destroys it.
 */
#define RACE_MARK	0x6d6d6170U

struct race {
	int uffd;
	char *arg, *target;
	unsigned long page;
	atomic_int stop;
	int faults, replaced;
};

static void *race_thread(void *p)
{
	struct race *r = p;
	struct pollfd pfd = { .fd = r->uffd, .events = POLLIN };
	struct uffd_msg msg;
	char *m;

	while (!atomic_load(&r->stop)) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(r->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		r->faults++;
		m = mmap(r->target, r->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (m == r->target) {
			*(unsigned int *)m = RACE_MARK;
			r->replaced++;
		}
		munmap(r->arg, r->page);
		{
			struct uffdio_range wake = {
				.start = (unsigned long)r->arg, .len = r->page,
			};

			ioctl(r->uffd, UFFDIO_WAKE, &wake);
		}
	}
	return NULL;
}

/*
 * The userfaultfd, the argument's page (an ALLOC of the target, write-
 * protected) and the target: a free page between two guard pages (made
 * after the argument's page, which could otherwise land in it).  Returns
 * NULL, or why the kernel cannot run the race (the test SKIPs).
 */
static const char *race_setup(struct __test_metadata *_metadata,
			      struct race *r, char **guard)
{
	static char why[160];
	struct uffdio_api api = {
		.api = UFFD_API, .features = UFFD_FEATURE_PAGEFAULT_FLAG_WP,
	};
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_WP };
	struct uffdio_writeprotect wp = { .mode = UFFDIO_WRITEPROTECT_MODE_WP };
	struct mmap_test_alloc *a;

	r->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (r->uffd < 0) {
		snprintf(why, sizeof(why),
			 "no userfaultfd (%s): the kernel lacks CONFIG_USERFAULTFD",
			 strerror(errno));
		return why;
	}
	if (ioctl(r->uffd, UFFDIO_API, &api) ||
	    !(api.features & UFFD_FEATURE_PAGEFAULT_FLAG_WP)) {
		snprintf(why, sizeof(why),
			 "userfaultfd has no write-protect mode on this kernel and arch (%s)",
			 strerror(errno));
		close(r->uffd);
		return why;
	}
	r->arg = mmap(NULL, r->page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r->arg);
	*guard = mmap(NULL, 3 * r->page, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, *guard);
	r->target = *guard + r->page;
	ASSERT_EQ(0, munmap(r->target, r->page));
	a = (struct mmap_test_alloc *)r->arg;
	a->addr = (unsigned long)r->target;
	a->len = r->page;
	a->prot = PROT_READ | PROT_WRITE;
	a->flags = MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
		   MMAP_TEST_FIXED_NOREPLACE;
	reg.range.start = (unsigned long)r->arg;
	reg.range.len = r->page;
	if (ioctl(r->uffd, UFFDIO_REGISTER, &reg)) {
		snprintf(why, sizeof(why), "UFFDIO_REGISTER_MODE_WP: %s",
			 strerror(errno));
		close(r->uffd);
		return why;
	}
	wp.range = reg.range;
	ASSERT_EQ(0, ioctl(r->uffd, UFFDIO_WRITEPROTECT, &wp));
	return NULL;
}

/*
 * A plain TEST (its name is global.<test>) that runs the fixture's setup
 * and teardown itself, so the leak check runs when the body returns; an
 * ASSERT that ends the test early skips it (the test has failed anyway).
 */
TEST(alloc_copy_out_race)
{
	struct race r = { .page = mt_mem_page_size() };
	struct mmap_test_alloc *a;
	struct mt_ctx c;
	const char *why;
	pthread_t th;
	char *guard;
	int ret;

	mt_ctx_setup(_metadata, &c, 0);
	why = race_setup(_metadata, &r, &guard);
	if (why)
		SKIP(mt_ctx_teardown(_metadata, &c); return, "%s", why);
	a = (struct mmap_test_alloc *)r.arg;

	atomic_store(&r.stop, 0);
	ASSERT_EQ(0, pthread_create(&th, NULL, race_thread, &r));
	ret = mt_ioctl(c.fd, IOCTL_ALLOC_VMA, r.arg);
	atomic_store(&r.stop, 1);
	pthread_join(th, NULL);
	close(r.uffd);
	mt_ctx_teardown(_metadata, &c);

	TH_LOG("ALLOC: %s; write faults on the argument: %d, pages put at the target: %d",
	       mt_errno_name(-ret), r.faults, r.replaced);
	/*
	 * Some kernels take UFFDIO_REGISTER_MODE_WP and UFFDIO_WRITEPROTECT
	 * on an arch without a uffd-wp PTE bit (seen: arm64 5.10) and then
	 * never trap: ALLOC wrote its result without a fault.
	 */
	if (!r.faults && !ret && a->mapped == (unsigned long)r.target) {
		munmap(guard, 3 * r.page);
		SKIP(return,
		     "userfaultfd write-protect did not trap the module's write to the argument (no uffd-wp PTE bit on this kernel and arch)");
	}
	ASSERT_EQ(1, r.faults);
	ASSERT_EQ(1, r.replaced);
	ASSERT_EQ(-EFAULT, ret);
	ASSERT_EQ(0, msync(r.target, r.page, MS_ASYNC))
		TH_LOG("the other thread's page at %p was unmapped by ALLOC",
		       r.target);
	ASSERT_EQ(RACE_MARK, *(unsigned int *)r.target);
	munmap(guard, 3 * r.page);
}

TEST_HARNESS_MAIN
