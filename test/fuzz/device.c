// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - the device mmap-test-fuzz fuzzes: /dev/mmap-test, or, when
 * built with -DMT_FUZZ_MOCK, an in-process emulation of the module.
 *
 * The emulation follows the contract with memfd files for the device,
 * mmap()/munmap() for vm_mmap()/vm_munmap(), process_vm_readv/writev for
 * copy_from/to_user() and /proc/self/maps for find_vma().  It lets the
 * fuzzer's own safety logic (the arenas, the tracking, the model) run on
 * a machine without the module; it tests the fuzzer, not the module.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "fuzz.h"

#ifdef MT_FUZZ_MOCK
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

/* The find_vma() report being built by find_vma_line(). */
struct mock_lookup {
	unsigned long addr;
	struct mmap_test_vma_report *r;
};

/* One maps line: counted; the first VMA ending above the address. */
static int find_vma_line(const struct mt_maps_entry *e, const char *line,
			 void *arg)
{
	struct mock_lookup *l = arg;
	struct mmap_test_vma_report *r = l->r;
	const char *perms = e->perms, *path = e->path;

	r->nr_vmas++;
	if (r->found || e->end <= l->addr || strstr(path, "[vsyscall]"))
		return 0;
	r->found = 1;
	r->vm_start = e->start;
	r->vm_end = e->end;
	r->contains = e->start <= l->addr;
	r->gap = e->start > l->addr ? e->start - l->addr : 0;
	r->flags = (perms[0] == 'r' ? MMAP_TEST_VMA_READ : 0) |
		   (perms[1] == 'w' ? MMAP_TEST_VMA_WRITE : 0) |
		   (perms[2] == 'x' ? MMAP_TEST_VMA_EXEC : 0) |
		   (perms[3] == 's' ? MMAP_TEST_VMA_MAYSHARE : 0);
	r->vm_pgoff = e->offset >> pshift;
	if (strstr(path, "memfd:mt-mock"))
		r->backing = MMAP_TEST_BACKING_DEVICE;
	else if (path[0] == '[')
		r->backing = MMAP_TEST_BACKING_SPECIAL;
	else if (path[0])
		r->backing = MMAP_TEST_BACKING_FILE;
	else
		r->backing = MMAP_TEST_BACKING_ANON;
	return 0;
}

/* find_vma() from /proc/self/maps (every line counts in nr_vmas). */
static void mock_find_vma(unsigned long addr, struct mmap_test_vma_report *r)
{
	struct mock_lookup l = { .addr = addr, .r = r };

	memset(r, 0, sizeof(*r));
	r->addr = addr;
	mt_maps_scan(0, 0, find_vma_line, &l);
}

/* Each command: copy in, validate, act, copy out, as the module does. */
static int mock_alloc(int fd, unsigned long arg)
{
	struct mmap_test_alloc a;
	unsigned long off, len, r;
	int mflags, err;

	if (mock_in(&a, arg, sizeof(a)))
		return -EFAULT;
	err = mt_alloc_invalid(&a, NULL, 0);	/* the module's own checks */
	if (err)
		return err;
	mflags = (a.flags & MMAP_TEST_SHARED ? MAP_SHARED : MAP_PRIVATE) |
		(a.flags & MMAP_TEST_FIXED ? MAP_FIXED : 0) |
		(a.flags & MMAP_TEST_FIXED_NOREPLACE ?
		 MAP_FIXED_NOREPLACE : 0) |
		(a.flags & MMAP_TEST_POPULATE ? MAP_POPULATE : 0) |
		(a.flags & MMAP_TEST_ANON ? MAP_ANONYMOUS : 0);
	mock_find_vma(a.addr, &a.before);
	off = a.pgoff << pshift;
	len = mt_mem_page_align(a.len);
	if (off + len < off) {
		r = -EINVAL;
	} else {
		r = mt_mem_sys_mmap(a.addr, a.len, a.prot, mflags,
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
	/* src/ioctl.c: a fixed address handed back as is reads as ENOMEM */
	if ((a.flags & (MMAP_TEST_FIXED | MMAP_TEST_FIXED_NOREPLACE)) &&
	    (long)r < 0 && (long)r > -4096 && (unsigned long)r == a.addr)
		r = -ENOMEM;
	a.mapped = (long)r < 0 && (long)r > -4096 ? 0 : r;
	if (mock_out(arg, &a, sizeof(a)))
		return -EFAULT;
	return (long)r < 0 && (long)r > -4096 ? (long)r : 0;
}

static int mock_free(unsigned long arg)
{
	struct mmap_test_free f;

	if (mock_in(&f, arg, sizeof(f)))
		return -EFAULT;
	if (f.reserved)
		return -EINVAL;
	return munmap((void *)(unsigned long)mt_untag(f.addr), f.len) ?
	       -errno : 0;
}

static int mock_query(unsigned long arg)
{
	struct mmap_test_query q;

	if (mock_in(&q, arg, sizeof(q)))
		return -EFAULT;
	if (q.reserved)
		return -EINVAL;
	mock_find_vma(mt_untag(q.addr), &q.report);
	return mock_out(arg, &q, sizeof(q));
}

/* The open "device" files: the memfds among our fds. */
static unsigned long mock_count_files(void)
{
	char path[64], link[256];
	unsigned long files = 0;
	int i;

	for (i = 0; i < 1024; i++) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", i);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strstr(link, "memfd:mt-mock"))
			files++;
	}
	return files;
}

/* The live "device" VMAs: mappings of those memfds. */
static unsigned long mock_count_vmas(void)
{
	struct mmap_test_vma_report r;
	unsigned long a = 0, vmas = 0;

	for (;;) {
		mock_find_vma(a, &r);
		if (!r.found)
			break;
		if (r.backing == MMAP_TEST_BACKING_DEVICE)
			vmas++;
		a = r.vm_end;
	}
	return vmas;
}

static int mock_stats(unsigned long arg)
{
	struct mmap_test_stats s;

	memset(&s, 0, sizeof(s));
	s.buffer_pages = MOCK_PAGES;
	s.total_files = 1;
	/* count files and live "device" VMAs: slow, final check only */
	if (mock_final) {
		s.total_files = mock_count_files();
		s.total_live_vmas = mock_count_vmas();
	}
	return mock_out(arg, &s, sizeof(s));
}

int dev_open(int flags)
{
	return mock_open(flags);
}

int dev_close(int fd)
{
	return close(fd);
}

/* The module's ioctl(), emulated: 0 or -errno. */
int dev_ioctl(int fd, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case IOCTL_ALLOC_VMA:
		return mock_alloc(fd, arg);
	case IOCTL_FREE_VMA:
		return mock_free(arg);
	case IOCTL_QUERY_VMA:
		return mock_query(arg);
	case IOCTL_GET_STATS:
		return mock_stats(arg);
	}
	return -ENOTTY;
}

/* From now on GET_STATS counts the files and VMAs (the leak check). */
void dev_final_check(void)
{
	mock_final = true;
}
#else
int dev_open(int flags)
{
	return mt_dev_open(flags);
}

int dev_close(int fd)
{
	return close(fd);
}

/* The module's ioctl(): 0 or -errno. */
int dev_ioctl(int fd, unsigned int cmd, unsigned long arg)
{
	return mt_ioctl(fd, cmd, (void *)arg);
}

/* The module's GET_STATS counts files and VMAs always. */
void dev_final_check(void)
{
}
#endif
