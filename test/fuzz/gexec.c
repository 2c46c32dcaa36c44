// SPDX-License-Identifier: GPL-2.0
/*
 * gexec.c - the executor of mmap-test-fuzz --guided and --replay: runs
 * one input (records of test/lib/mt_record.h) in the executing child,
 * then undoes what it did and checks the contract.
 *
 * Safety, the model fuzzer's rule: the kernel never maps FIXED over, and
 * nothing unmaps, memory the fuzzer needs.  An arena (GARENA bytes) is
 * reserved PROT_NONE; every address of a FIXED or FIXED_NOREPLACE ALLOC,
 * of a FREE and of a munmap(2) (and of any raw command number whose type
 * and number are ALLOC's or FREE's) is confined: kept when its range lies
 * inside the arena or inside one live mapping the input made, else moved
 * into the arena with its low bits kept; its length is cut at the end of
 * that range (lengths the kernel refuses before it unmaps stay).  The
 * mappings an input made outside the arena are unmapped after it, a
 * mapping that may have been unmapped since is never a target again
 * ("dead"), and the whole arena is reserved again.  Device mappings that
 * the input could not know about (a copy-out that failed after the
 * mapping was made) are found in /proc/self/maps and unmapped.
 *
 * The contract checked: every ioctl returns 0 or one of the errnos of
 * ioctl_ok(); read/write/lseek return a count or one of io_ok()'s; after
 * the fds are closed and the mappings undone, GET_STATS on a fresh fd
 * shows total_live_vmas == 0 and total_pages == 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "fuzz.h"
#include "guided.h"

#define GMAPS		64

struct gmap {
	unsigned long start, len;
	bool dead;
};

static struct gmap gmaps[GMAPS];
static int ngmaps;		/* ever made by this input (ring) */
static int gfds[MT_REC_FDS];
static unsigned long garena;
static unsigned char *gpages;	/* RW RW guard(PROT_NONE) */
static unsigned char *g_rw, *g_ro;	/* one memfd page, twice */
static char *greason;
static size_t greason_n;
static bool gfailed;

static void gfail(const char *fmt, ...)
{
	va_list ap;

	if (gfailed)
		return;
	gfailed = true;
	va_start(ap, fmt);
	vsnprintf(greason, greason_n, fmt, ap);
	va_end(ap);
}

static bool in_range(unsigned long a, unsigned long s, unsigned long len)
{
	return a >= s && a - s < len;
}

/* Mapping k counted back from the newest, live; NULL when none. */
static struct gmap *gmap_get(unsigned long long k)
{
	int n = ngmaps < GMAPS ? ngmaps : GMAPS;
	struct gmap *m;

	if (!n)
		return NULL;
	m = &gmaps[(ngmaps - 1 - (int)(k % n)) % GMAPS];
	return m->dead ? NULL : m;
}

static void gmap_add(unsigned long start, unsigned long len)
{
	struct gmap *m = &gmaps[ngmaps++ % GMAPS];

	if (ngmaps > GMAPS && !m->dead && !in_range(m->start, garena, GARENA))
		munmap((void *)m->start, m->len);	/* forgotten: undo */
	m->start = start;
	m->len = len;
	m->dead = false;
}

/* Something in [a, a + len) was unmapped or moved: no target any more. */
static void gmap_kill(unsigned long a, unsigned long len)
{
	int i, n = ngmaps < GMAPS ? ngmaps : GMAPS;

	for (i = 0; i < n; i++)
		if (!gmaps[i].dead && overlaps(a, sat_end(a, len),
					       gmaps[i].start,
					       gmaps[i].start + gmaps[i].len) &&
		    !in_range(gmaps[i].start, garena, GARENA))
			gmaps[i].dead = true;
}

/* The end of the safe range that holds @s (arena or live mapping), or 0. */
static unsigned long safe_end(unsigned long s)
{
	int i, n = ngmaps < GMAPS ? ngmaps : GMAPS;

	if (in_range(s, garena, GARENA))
		return garena + GARENA;
	for (i = 0; i < n; i++)
		if (!gmaps[i].dead && in_range(s, gmaps[i].start, gmaps[i].len))
			return gmaps[i].start + gmaps[i].len;
	return 0;
}

/* Confine a range that MAP_FIXED may map or munmap may unmap (top comment). */
static void confine(unsigned long long *addr, unsigned long long *len)
{
	unsigned long a = *addr, l = mt_mem_page_align(*len);
	unsigned long s = a & ~(ps - 1), end, room;

	if (!l || l > task_size)
		return;		/* refused before anything is unmapped */
	if (mt_untag(s) == s && s >= task_size)
		return;		/* above user space: refused */
	end = safe_end(s);
	if (!end) {
		a = garena + (a & (GARENA - 1));
		s = a & ~(ps - 1);
		end = garena + GARENA;
	}
	room = end - s;
	if (l > room)
		*len = (*len & (ps - 1)) ? room - ps + (*len & (ps - 1)) : room;
	*addr = a;
}

/* Where an argument of @size bytes (data: @len of them) goes for @ptr. */
static unsigned long gplace(int ptr, const void *data, size_t len,
			    size_t size)
{
	unsigned long guard = (unsigned long)gpages + 2 * ps;
	unsigned char *p;

	if (size > 2 * ps - 8)
		size = 2 * ps - 8;
	if (len > size)
		len = size;
	switch (ptr % MT_PTR_NKINDS) {
	case MT_PTR_END:
		p = (unsigned char *)guard - size;
		break;
	case MT_PTR_UNALIGNED:
		p = gpages + 3;
		break;
	case MT_PTR_RO:
		if (size > ps)
			size = ps;
		memset(g_rw, 0, size);
		memcpy(g_rw, data, len > size ? size : len);
		return (unsigned long)g_ro;
	case MT_PTR_NULL:
		return 0;
	case MT_PTR_LOW:
		return 8;
	case MT_PTR_GUARD:
		return guard + 8;
	case MT_PTR_STRADDLE:
		if (!len || len >= size)
			len = size / 2;
		p = (unsigned char *)guard - len;
		memcpy(p, data, len);
		return (unsigned long)p;
	case MT_PTR_KERNEL:
		return 0xffff888000000000UL;
	default:
		p = gpages;
		break;
	}
	memset(p, 0, size);
	memcpy(p, data, len);
	return (unsigned long)p;
}

/* The fixed points of the address space that MT_REC_ANCHOR + k names. */
static unsigned long anchor(unsigned long long k)
{
	int local;

	switch (k % 5) {
	case 0:
		return (unsigned long)&local;			/* [stack] */
	case 1:
		return (unsigned long)sbrk(0) - 1;		/* [heap] */
	case 2:
		return (unsigned long)&gexec_setup;		/* text */
	case 3:
		return getauxval(AT_SYSINFO_EHDR);		/* [vdso] */
	default:
		return garena;
	}
}

static bool ioctl_ok(int err)
{
	switch (err) {
	case EINVAL: case EFAULT: case ENOTTY: case EEXIST: case ENOMEM:
	case EACCES: case EOVERFLOW: case EPERM: case EOPNOTSUPP:
	case EAGAIN: case EINTR: case ENOSPC: case ENODEV:
		return true;
	}
	return false;
}

static bool io_ok(int err)
{
	switch (err) {
	case EINVAL: case EFAULT: case ENOSPC: case EBADF: case EPERM:
	case EACCES: case ENOMEM: case EOVERFLOW: case ENXIO: case EINTR:
	case EAGAIN: case ESPIPE: case EFBIG:
		return true;
	}
	return false;
}

static int do_ioctl(const struct mt_rec *r, const unsigned char *data)
{
	unsigned char blk[MT_REC_DATA + 256];
	unsigned int cmd = r->cmd, nr = _IOC_NR(cmd);
	bool ours = _IOC_TYPE(cmd) == MMAP_TEST_IOC_MAGIC;
	size_t size = _IOC_SIZE(cmd);
	unsigned long long *addr = (unsigned long long *)blk;
	unsigned long long *len = (unsigned long long *)(blk + 8);
	unsigned long arg;
	int ret;

	memset(blk, 0, sizeof(blk));
	memcpy(blk, data, r->len);
	if (size > sizeof(blk))
		size = sizeof(blk);
	if (size < r->len)
		size = r->len;
	if (ours && nr >= 1 && nr <= 3 && size < sizeof(struct mmap_test_alloc))
		size = sizeof(struct mmap_test_alloc);
	if (ours && nr >= 1 && nr <= 3 && (r->flags & MT_REC_REL)) {
		struct gmap *m = gmap_get(r->c);

		if (r->c >= MT_REC_ANCHOR)
			*addr += anchor(r->c - MT_REC_ANCHOR);
		else if (m)
			*addr += m->start;
	}
	if (ours && nr == 1) {
		__u32 flags;

		memcpy(&flags, blk + 28, 4);
		if (flags & (MMAP_TEST_FIXED | MMAP_TEST_FIXED_NOREPLACE))
			confine(addr, len);
		/* never huge populates */
		if ((flags & MMAP_TEST_POPULATE) && *len > (1UL << 20))
			flags &= ~MMAP_TEST_POPULATE;
		memcpy(blk + 28, &flags, 4);
	} else if (ours && nr == 2) {
		confine(addr, len);
	}
	arg = gplace(r->ptr, blk, size, size);
	ret = dev_ioctl(gfds[r->fd % MT_REC_FDS], cmd, arg);
	if (ret && !ioctl_ok(-ret))
		gfail("ioctl %#x -> %s", cmd, mt_errno_name(-ret));
	if (cmd == IOCTL_ALLOC_VMA && !ret &&
	    in_range(arg, (unsigned long)gpages, 2 * ps)) {
		struct mmap_test_alloc a;	/* maybe unaligned */

		memcpy(&a, (void *)arg, sizeof(a));
		if (a.mapped)
			gmap_add(a.mapped, mt_mem_page_align(a.len));
	} else if (cmd == IOCTL_FREE_VMA && !ret) {
		gmap_kill(*addr, mt_mem_page_align(*len));
	}
	return -ret;
}

static const int advices[] = {
	MADV_DONTNEED, MADV_WILLNEED, MADV_NORMAL, MADV_RANDOM,
	MADV_SEQUENTIAL, MADV_REMOVE, MADV_FREE, MADV_COLD, MADV_PAGEOUT,
	MADV_DONTFORK, MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP,
	MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_MERGEABLE, MADV_UNMERGEABLE,
	22 /* POPULATE_READ */, 23 /* POPULATE_WRITE */,
	MADV_WIPEONFORK, MADV_KEEPONFORK, 25 /* COLLAPSE */,
	102 /* GUARD_INSTALL */, 103 /* GUARD_REMOVE */,
};

/* Pages [b, b + c) of mapping @m, cut to it: *@a, the length. */
static unsigned long gmap_pages(const struct gmap *m, unsigned long long b,
				unsigned long long c, unsigned long *a)
{
	unsigned long pages = m->len >> pshift, first = b % pages;
	unsigned long n = c % (pages - first) + 1;

	*a = m->start + (first << pshift);
	return n << pshift;
}

static int do_mem(const struct mt_rec *r)
{
	struct gmap *m = gmap_get(r->a);
	unsigned long a, len;
	int ret = 0;
	void *p;

	if (!m)
		return 255;
	switch (r->op) {
	case MT_REC_TOUCH:
		ret = mt_mem_touch((char *)m->start + r->b % m->len,
				   r->ptr % 3, 0, NULL, NULL);
		break;
	case MT_REC_MPROTECT:
		len = gmap_pages(m, r->b, r->c, &a);
		ret = mprotect((void *)a, len, r->cmd & 7) ? errno : 0;
		break;
	case MT_REC_MADVISE:
		len = gmap_pages(m, r->b, r->c, &a);
		ret = madvise((void *)a, len,
			      advices[r->cmd % MT_ARRAY_SIZE(advices)]) ?
			errno : 0;
		break;
	case MT_REC_MREMAP:
		len = ((r->b % (2 * buf_pages + 1)) + 1) << pshift;
		p = mremap((void *)m->start, m->len, len,
			   r->cmd & 1 ? MREMAP_MAYMOVE : 0);
		if (p == MAP_FAILED) {
			ret = errno;
		} else if ((unsigned long)p != m->start) {
			gmap_kill(m->start, m->len);
			m->dead = true;
			gmap_add((unsigned long)p, len);
		} else {
			m->len = len;
		}
		break;
	case MT_REC_MUNMAP:
		len = gmap_pages(m, r->b, r->c, &a);
		ret = munmap((void *)a, len) ? errno : 0;
		if (!ret)
			gmap_kill(a, len);
		break;
	}
	return ret;
}

static int do_mmap(const struct mt_rec *r)
{
	unsigned long long addr = r->a, len = r->b;
	unsigned int f = r->cmd >> 8;
	int flags = f & MT_MMAP_SHARED ? MAP_SHARED : MAP_PRIVATE;
	long p;

	if (f & MT_MMAP_FIXED)
		flags |= MAP_FIXED;
	if (f & MT_MMAP_NOREPLACE)
		flags |= MAP_FIXED_NOREPLACE;
	if ((f & MT_MMAP_POPULATE) && len <= (1UL << 20))
		flags |= MAP_POPULATE;
	if (f & (MT_MMAP_FIXED | MT_MMAP_NOREPLACE))
		confine(&addr, &len);
	p = mt_mem_sys_mmap(addr, len, r->cmd & 0xf, flags,
			    gfds[r->fd % MT_REC_FDS], r->c);
	if (p == -1)
		return errno;
	gmap_add(p, mt_mem_page_align(len));
	return 0;
}

/* munmap(2) of an address: confined like FREE. */
static int do_munmap_abs(const struct mt_rec *r)
{
	unsigned long long addr = r->a, len = r->b;

	confine(&addr, &len);
	if (munmap((void *)(unsigned long)addr, len))
		return errno;
	gmap_kill(addr, mt_mem_page_align(len));
	return 0;
}

static int do_rw(const struct mt_rec *r, const unsigned char *data)
{
	int fd = gfds[r->fd % MT_REC_FDS];
	size_t n = r->a % (4 * ps);
	unsigned long buf = gplace(r->ptr, data, r->len, n);
	ssize_t ret;

	if (r->op == MT_REC_READ)
		ret = read(fd, (void *)buf, n);
	else
		ret = write(fd, (void *)buf, n);
	if (ret < 0 && !io_ok(errno))
		gfail("%s(%zu) -> %s", r->op == MT_REC_READ ? "read" : "write",
		      n, mt_errno_name(errno));
	return ret < 0 ? errno : ret > 0;
}

static int do_lseek(const struct mt_rec *r)
{
	if (lseek(gfds[r->fd % MT_REC_FDS], r->a, r->cmd % 5) >= 0)
		return 0;
	if (!io_ok(errno))
		gfail("lseek(%#llx, %u) -> %s", (unsigned long long)r->a,
		      r->cmd % 5, mt_errno_name(errno));
	return errno;
}

static int open_fd(int i, bool rdonly)
{
	gfds[i] = dev_open(rdonly ? O_RDONLY : O_RDWR);
	if (gfds[i] < 0) {
		gfail("open %s: %s", MMAP_TEST_DEVICE, strerror(errno));
		return -1;
	}
	return 0;
}

static int unmap_device(const struct mt_maps_entry *e, const char *line,
			void *arg)
{
	unsigned long *n = arg;

	size_t dl = strlen(MMAP_TEST_DEVICE);
	bool dev = !strncmp(e->path, MMAP_TEST_DEVICE, dl) &&
		(!e->path[dl] || e->path[dl] == ' ');

	if ((dev || !strncmp(e->path, "/memfd:mt-mock", 14)) &&
	    !in_range(e->start, garena, GARENA)) {
		munmap((void *)e->start, e->end - e->start);
		(*n)++;
	}
	return 0;
}

/* The counts of GET_STATS on a fresh fd; false on error. */
static bool fresh_stats(struct mmap_test_stats *st)
{
	int fd = dev_open(O_RDWR), r;

	if (fd < 0)
		return false;
	memset(st, 0, sizeof(*st));
	r = dev_ioctl(fd, IOCTL_GET_STATS, (unsigned long)st);
	dev_close(fd);
	return !r;
}

/* Undo the input: fds, mappings, arena; then the leak check. */
static void gexec_undo(struct gexec_result *res)
{
	struct mmap_test_stats st;
	int i, n = ngmaps < GMAPS ? ngmaps : GMAPS;
	unsigned long stray = 0;

	for (i = 0; i < MT_REC_FDS; i++)
		if (gfds[i] >= 0)
			dev_close(gfds[i]);
	for (i = 0; i < n; i++)
		if (!gmaps[i].dead && !in_range(gmaps[i].start, garena, GARENA))
			munmap((void *)gmaps[i].start, gmaps[i].len);
	ngmaps = 0;
	if (mmap((void *)garena, GARENA, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		 -1, 0) == MAP_FAILED) {
		fprintf(stderr, "fuzz-guided: cannot re-reserve the arena: %s\n",
			strerror(errno));
		_exit(3);
	}
	if (!fresh_stats(&st)) {
		gfail("GET_STATS on a fresh fd failed");
		return;
	}
	if (st.total_live_vmas || st.total_pages) {
		mt_maps_scan(0, 0, unmap_device, &stray);
		res->stray += stray;
		if (!fresh_stats(&st))
			st.total_live_vmas = ~0ULL;
	}
	if (st.total_live_vmas || st.total_pages)
		gfail("after the input: total_live_vmas=%llu total_pages=%llu",
		      (unsigned long long)st.total_live_vmas,
		      (unsigned long long)st.total_pages);
}

int gexec_setup(void)
{
	int mfd;
	void *p;

	p = mmap(NULL, GARENA, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	gpages = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mfd = memfd_create("fuzz-ro", MFD_CLOEXEC);
	if (p == MAP_FAILED || gpages == MAP_FAILED || mfd < 0 ||
	    ftruncate(mfd, ps) || mprotect(gpages + 2 * ps, ps, PROT_NONE))
		return -1;
	garena = (unsigned long)p;
	g_rw = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	g_ro = mmap(NULL, ps, PROT_READ, MAP_SHARED, mfd, 0);
	close(mfd);
	if (g_rw == MAP_FAILED || g_ro == MAP_FAILED)
		return -1;
	mt_mem_guard_init();
	dev_final_check();
	return 0;
}

int gexec_run(const struct grec *recs, int n, struct gexec_result *res)
{
	int i;

	gfailed = false;
	greason = res->reason;
	greason_n = sizeof(res->reason);
	res->reason[0] = '\0';
	ngmaps = 0;
	for (i = 0; i < MT_REC_FDS; i++)
		gfds[i] = -1;
	for (i = 0; i < MT_REC_FDS; i++)
		if (open_fd(i, i == 1))
			goto undo;
	for (i = 0; i < n; i++) {
		const struct mt_rec *r = &recs[i].r;
		int out;

		switch (r->op) {
		case MT_REC_IOCTL:
			out = do_ioctl(r, recs[i].data);
			break;
		case MT_REC_READ:
		case MT_REC_WRITE:
			out = do_rw(r, recs[i].data);
			break;
		case MT_REC_LSEEK:
			out = do_lseek(r);
			break;
		case MT_REC_MMAP:
			out = do_mmap(r);
			break;
		case MT_REC_MUNMAP:
			out = r->cmd & 1 ? do_mem(r) : do_munmap_abs(r);
			break;
		case MT_REC_REOPEN:
			dev_close(gfds[r->fd % MT_REC_FDS]);
			out = 0;
			if (open_fd(r->fd % MT_REC_FDS, r->cmd & 1))
				goto undo;
			break;
		default:
			out = do_mem(r);
			break;
		}
		res->out[i] = out;
	}
undo:
	gexec_undo(res);
	return gfailed ? -1 : 0;
}
