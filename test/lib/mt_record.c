// SPDX-License-Identifier: GPL-2.0
/*
 * mt_record.c - the recorder of mt_record.h: with MMAP_TEST_RECORD_DIR set,
 * every mt_ioctl() and mt_mem_touch() of a test program is appended to
 * $MMAP_TEST_RECORD_DIR/<program>-<pid> as a record of the guided
 * fuzzer's input format, so that the bad-input table and the examples
 * become its seeds.  The argument block is read with process_vm_readv(),
 * which fails instead of faulting: what cannot be read is recorded as the
 * kind of pointer it was (NULL, page 0, kernel, unmapped, straddling).
 * Without the variable each call costs one test of a cached flag.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "mt_ioctl.h"
#include "mt_mem.h"
#include "mt_record.h"

#define REC_MAPS	64	/* the ALLOC results remembered */

static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static int rec_state;		/* 0: not looked, 1: on, -1: off */
static const char *rec_dir;
static pid_t rec_pid;
static int rec_fd = -1;
static struct {
	unsigned long start, len;
} rec_maps[REC_MAPS];
static unsigned int rec_nmaps;	/* ever recorded; ring of REC_MAPS */

static bool rec_on(void)
{
	if (!__atomic_load_n(&rec_state, __ATOMIC_ACQUIRE)) {
		const char *d = getenv("MMAP_TEST_RECORD_DIR");

		rec_dir = d && *d ? d : NULL;
		__atomic_store_n(&rec_state, rec_dir ? 1 : -1,
				 __ATOMIC_RELEASE);
	}
	return rec_state > 0;
}

/* The file of this process (a forked child gets its own); -1 on error. */
static int rec_file(void)
{
	char path[4096];
	struct stat st;

	if (rec_fd >= 0 && rec_pid == getpid())
		return rec_fd;
	if (rec_fd >= 0)
		close(rec_fd);
	rec_pid = getpid();
	rec_nmaps = 0;
	snprintf(path, sizeof(path), "%s/%s-%d", rec_dir,
		 program_invocation_short_name, (int)rec_pid);
	rec_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (rec_fd < 0)
		return -1;
	if (!fstat(rec_fd, &st) && !st.st_size &&
	    write(rec_fd, MT_REC_MAGIC, MT_REC_MAGIC_LEN) != MT_REC_MAGIC_LEN) {
		close(rec_fd);
		rec_fd = -1;
	}
	return rec_fd;
}

static void rec_write(const struct mt_rec *r, const void *data)
{
	struct iovec iov[2] = {
		{ (void *)r, sizeof(*r) }, { (void *)data, r->len },
	};
	int fd = rec_file();

	if (fd >= 0 && writev(fd, iov, r->len ? 2 : 1) < 0)
		return;
}

/* Mapping k (0: the newest ALLOC result) that contains @addr, or -1. */
static int rec_find(unsigned long addr)
{
	unsigned int k, n = rec_nmaps < REC_MAPS ? rec_nmaps : REC_MAPS;

	for (k = 0; k < n; k++) {
		unsigned int i = (rec_nmaps - 1 - k) % REC_MAPS;

		if (addr >= rec_maps[i].start &&
		    addr - rec_maps[i].start < rec_maps[i].len)
			return k;
	}
	return -1;
}

/* Read up to @n bytes at @p without faulting: the bytes read. */
static size_t rec_peek(void *dst, unsigned long p, size_t n)
{
	struct iovec l = { dst, n }, r = { (void *)p, n };
	size_t got = 0;
	ssize_t k;

	if (process_vm_readv(getpid(), &l, 1, &r, 1, 0) == (ssize_t)n)
		return n;
	/* byte by byte up to the first unreadable one (a straddle) */
	while (got < n) {
		l.iov_base = (char *)dst + got;
		l.iov_len = 1;
		r.iov_base = (void *)(p + got);
		r.iov_len = 1;
		k = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
		if (k != 1)
			break;
		got++;
	}
	return got;
}

/* Can the @n bytes at @p be written (written back unchanged)? */
static bool rec_writable(unsigned long p, const void *src, size_t n)
{
	struct iovec l = { (void *)src, n }, r = { (void *)p, n };

	return process_vm_writev(getpid(), &l, 1, &r, 1, 0) == (ssize_t)n;
}

void mt_record_ioctl(int fd, unsigned long cmd, const void *arg, int ret)
{
	unsigned char data[MT_REC_DATA];
	unsigned long p = (unsigned long)arg;
	size_t size = _IOC_SIZE(cmd), got;
	struct mt_rec r;
	int acc;

	if (!rec_on())
		return;
	if (size > MT_REC_DATA)
		size = MT_REC_DATA;
	if (!size && p)
		size = sizeof(struct mmap_test_query);
	memset(&r, 0, sizeof(r));
	r.op = MT_REC_IOCTL;
	r.cmd = cmd;
	acc = fcntl(fd, F_GETFL);
	r.fd = acc >= 0 && (acc & O_ACCMODE) == O_RDONLY ? 1 : 0;
	pthread_mutex_lock(&rec_lock);
	if (!p) {
		r.ptr = MT_PTR_NULL;
	} else if (p < mt_mem_page_size()) {
		r.ptr = MT_PTR_LOW;
	} else if (p >> (sizeof(long) * 8 - 1)) {
		r.ptr = MT_PTR_KERNEL;
	} else {
		got = rec_peek(data, p, size);
		if (!got) {
			r.ptr = MT_PTR_GUARD;
		} else if (got < size) {
			r.ptr = MT_PTR_STRADDLE;
			r.len = got;
		} else {
			r.len = size;
			if (!rec_writable(p, data, size))
				r.ptr = MT_PTR_RO;
			else
				r.ptr = p & 7 ? MT_PTR_UNALIGNED : MT_PTR_VALID;
		}
	}
	/*
	 * Read after the call: the commands write back their input fields
	 * unchanged.  FREE's and QUERY's address inside a mapping that an
	 * ALLOC made is recorded relative to it.
	 */
	if (_IOC_TYPE(cmd) == MMAP_TEST_IOC_MAGIC && r.len >= 8 &&
	    (_IOC_NR(cmd) == 2 || _IOC_NR(cmd) == 3)) {
		unsigned long long addr;
		int k;

		memcpy(&addr, data, 8);
		k = rec_find(addr);
		if (k >= 0) {
			addr -= rec_maps[(rec_nmaps - 1 - k) % REC_MAPS].start;
			memcpy(data, &addr, 8);
			r.flags |= MT_REC_REL;
			r.c = k;
		}
	}
	rec_write(&r, data);
	if (cmd == IOCTL_ALLOC_VMA && !ret && r.len >= 40) {
		const struct mmap_test_alloc *a = arg;
		unsigned int i = rec_nmaps++ % REC_MAPS;

		rec_maps[i].start = a->mapped;
		rec_maps[i].len = mt_mem_page_align(a->len);
	}
	pthread_mutex_unlock(&rec_lock);
}

void mt_record_touch(unsigned long p, int how)
{
	struct mt_rec r;
	int k;

	if (!rec_on())
		return;
	pthread_mutex_lock(&rec_lock);
	k = rec_find(p);
	if (k >= 0) {
		memset(&r, 0, sizeof(r));
		r.op = MT_REC_TOUCH;
		r.ptr = how;
		r.a = k;
		r.b = p -
			rec_maps[(rec_nmaps - 1 - k) % REC_MAPS].start;
		rec_write(&r, NULL);
	}
	pthread_mutex_unlock(&rec_lock);
}
