// SPDX-License-Identifier: GPL-2.0
/*
 * mt_mem.c - page size, TASK_SIZE, MAP_FIXED_NOREPLACE and guarded
 * accesses: the facts about this process's memory that several programs
 * measure, and the one SIGSEGV/SIGBUS handler that lets them touch a
 * mapping that may fault and report the fault instead of dying.
 *
 * With MMAP_TEST_RECORD_DIR set, mt_mem_touch() is recorded
 * (mt_record.h).  The guard's state is per thread, so that threads can touch memory at
 * the same time; the handler itself is process-wide.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mt_file.h"
#include "mt_maps.h"
#include "mt_mem.h"
#include "mt_record.h"

unsigned long mt_mem_page_size(void)
{
	static unsigned long page;

	if (!page)
		page = sysconf(_SC_PAGESIZE);
	return page;
}

unsigned int mt_mem_page_shift(void)
{
	return __builtin_ctzl(mt_mem_page_size());
}

unsigned long mt_mem_page_align(unsigned long len)
{
	unsigned long page = mt_mem_page_size();

	return (len + page - 1) & ~(page - 1);
}

void *mt_mem_find_hole(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, len);
	return p;
}

void *mt_mem_map_noreplace(void *addr, size_t len, int prot, int flags,
			   int fd, off_t off)
{
	void *p = mmap(addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd, off);

	if (p == MAP_FAILED || p == addr)
		return p;
	munmap(p, len);
	errno = EOPNOTSUPP;
	return MAP_FAILED;
}

/*
 * Is the page at @addr inside user space?  A one-page NOREPLACE mapping
 * there gets ENOMEM only when it ends above TASK_SIZE (EEXIST: it is
 * inside, and in use).
 */
static bool user_page(unsigned long addr)
{
	unsigned long page = mt_mem_page_size();
	void *p = mt_mem_map_noreplace((void *)addr, page, PROT_NONE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return errno == EEXIST;
	munmap(p, page);
	return true;
}

static int highest_end(const struct mt_maps_entry *e, const char *line,
		       void *arg)
{
	unsigned long *top = arg;

	if (e->end > *top)
		*top = e->end;
	return 0;
}

static unsigned long task_size;
static bool task_size_exact;

/*
 * User space ends at 2^bits or 2^bits minus a page (s390x: 2^64 minus a
 * page, where 2^64 wraps to 0), so probe the last two pages below each
 * power of two, from the top of the address space down.
 */
static void measure_task_size(void)
{
	unsigned long page = mt_mem_page_size(), end, top = 0;
	int bits;

	for (bits = __SIZEOF_LONG__ == 8 ? 64 : 0; bits >= 32; bits--) {
		end = bits == 64 ? 0 : 1UL << (bits & 63);
		if (!user_page(end - 2 * page))
			continue;
		task_size = end && user_page(end - page) ? end : end - page;
		task_size_exact = true;
		return;
	}
	/* No probe worked: round the highest mapping up to a power of two. */
	if (mt_maps_scan(0, MT_MAPS_VMAS_ONLY, highest_end, &top) || !top)
		return;
	end = 1;
	while (end < top && end < (1UL << (__SIZEOF_LONG__ * 8 - 1)))
		end <<= 1;
	task_size = end;
}

unsigned long mt_mem_task_size(bool *exact)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, measure_task_size);
	if (exact)
		*exact = task_size_exact;
	return task_size;
}

static int stack_end(const struct mt_maps_entry *e, const char *line,
		     void *arg)
{
	unsigned long *top = arg;

	if (strcmp(e->path, "[stack]"))
		return 0;
	*top = e->end;
	return 1;
}

static unsigned long window_end;
static int window_bits;

static void measure_window(void)
{
	unsigned long top = 0;

	if (mt_maps_scan(0, MT_MAPS_VMAS_ONLY, stack_end, &top) < 0 || !top)
		return;
	window_bits = 0;
	while (window_bits < __SIZEOF_LONG__ * 8 - 1 &&
	       (1UL << window_bits) < top)
		window_bits++;
	window_end = 1UL << window_bits;
}

unsigned long mt_mem_window_end(int *bits)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, measure_window);
	if (bits)
		*bits = window_bits;
	return window_end;
}

unsigned long mt_mem_fault_around_bytes(bool *known)
{
	unsigned long long v = 0;
	bool ok;

	ok = !mt_file_read_ull("/sys/kernel/debug/fault_around_bytes", &v) &&
	     v;
	if (known)
		*known = ok;
	return ok ? v : 65536;
}

long mt_mem_sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
		     unsigned long flags, long fd, unsigned long off)
{
#ifdef __s390x__
	unsigned long args[6] = {
		addr, len, prot, flags, (unsigned long)fd, off,
	};

	return syscall(SYS_mmap, args);
#else
	return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
#endif
}

/* ---- guarded accesses ---------------------------------------------- */

static __thread sigjmp_buf guard_env;
static __thread volatile sig_atomic_t guard_armed;
static __thread volatile sig_atomic_t guard_sig;
static __thread void *volatile guard_addr;
static __thread volatile sig_atomic_t guard_code;
static struct sigaction old_segv, old_bus;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void guard_handler(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;

	if (guard_armed) {
		guard_armed = 0;
		guard_sig = sig;
		guard_addr = si->si_addr;
		guard_code = si->si_code;
		siglongjmp(guard_env, 1);
	}
	if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
		old->sa_sigaction(sig, si, uc);
		return;
	}
	if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Install the handler for @sig unless it is installed already. */
static void guard_install(int sig, struct sigaction *old)
{
	struct sigaction sa, cur;

	if (sigaction(sig, NULL, &cur) ||
	    ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == guard_handler))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = guard_handler;
	/* NODEFER: siglongjmp() out of it must leave SIGSEGV unblocked. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, old);
}

void mt_mem_guard_init(void)
{
	guard_install(SIGSEGV, &old_segv);
	guard_install(SIGBUS, &old_bus);
}

static int guard_fault(struct mt_fault *f)
{
	if (f) {
		f->sig = guard_sig;
		f->addr = guard_addr;
		f->code = guard_code;
	}
	return guard_sig;
}

static void guard_none(struct mt_fault *f)
{
	if (f) {
		f->sig = 0;
		f->addr = NULL;
		f->code = 0;
	}
}

int mt_mem_touch(volatile void *p, enum mt_access how, char val, char *out,
		 struct mt_fault *f)
{
	volatile char *c = p;
	char v = 0;

	mt_record_touch((unsigned long)p, how);	/* MMAP_TEST_RECORD_DIR */
	pthread_once(&guard_once, mt_mem_guard_init);
	if (sigsetjmp(guard_env, 0))
		return guard_fault(f);
	guard_armed = 1;
	switch (how) {
	case MT_ACCESS_READ:
		v = *c;
		break;
	case MT_ACCESS_WRITE:
		*c = val;
		break;
	case MT_ACCESS_INC:
		*c = *c + 1;
		break;
	}
	guard_armed = 0;
	if (how == MT_ACCESS_READ && out)
		*out = v;
	guard_none(f);
	return 0;
}

int mt_mem_copy(void *dst, const void *src, size_t n, struct mt_fault *f)
{
	pthread_once(&guard_once, mt_mem_guard_init);
	if (sigsetjmp(guard_env, 0))
		return guard_fault(f);
	guard_armed = 1;
	memcpy(dst, src, n);
	guard_armed = 0;
	guard_none(f);
	return 0;
}
