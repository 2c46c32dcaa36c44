// SPDX-License-Identifier: GPL-2.0
/*
 * mt_ioctl.c - open /dev/mmap-test and call its ioctls with 0 / -errno
 * results, each argument structure zeroed before its fields are set, so
 * that the programs that send well-formed requests send the same zeroed
 * reserved fields (test-mmap's own ioctl.c sends what its user typed,
 * reserved fields included); and ALLOC_VMA's validity rules.  With
 * MMAP_TEST_RECORD_DIR set, every call is recorded (mt_record.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "mt_ioctl.h"
#include "mt_mem.h"
#include "mt_names.h"
#include "mt_record.h"

/*
 * The UAPI's layout is the same on every architecture; src/ioctl.c asserts
 * the same numbers.  A field of another width or place would be read
 * wrongly, and on a big-endian machine (s390x) a __u32 read as a __u64
 * is another number, not the same one.
 */
_Static_assert(sizeof(struct mmap_test_vma_report) == 64, "report size");
_Static_assert(offsetof(struct mmap_test_vma_report, found) == 48,
	       "report.found");
_Static_assert(offsetof(struct mmap_test_vma_report, nr_vmas) == 60,
	       "report.nr_vmas");
_Static_assert(sizeof(struct mmap_test_alloc) == 128, "alloc size");
_Static_assert(offsetof(struct mmap_test_alloc, prot) == 24, "alloc.prot");
_Static_assert(offsetof(struct mmap_test_alloc, mapped) == 32,
	       "alloc.mapped");
_Static_assert(offsetof(struct mmap_test_alloc, before) == 64,
	       "alloc.before");
_Static_assert(sizeof(struct mmap_test_free) == 24, "free size");
_Static_assert(sizeof(struct mmap_test_query) == 80, "query size");
_Static_assert(offsetof(struct mmap_test_query, report) == 16,
	       "query.report");
_Static_assert(sizeof(struct mmap_test_stats) == 128, "stats size");

int mt_dev_open(int flags)
{
	int fd = open(MMAP_TEST_DEVICE, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int mt_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg) < 0 ? -errno : 0;

	mt_record_ioctl(fd, cmd, arg, ret);	/* MMAP_TEST_RECORD_DIR */
	if (ret)
		errno = -ret;	/* as ioctl() left it, whatever the recorder did */
	return ret;
}

int mt_ioctl_alloc(int fd, __u64 addr, __u64 len, __u64 pgoff, __u32 prot,
		   __u32 flags, struct mmap_test_alloc *a)
{
	memset(a, 0, sizeof(*a));
	a->addr = addr;
	a->len = len;
	a->pgoff = pgoff;
	a->prot = prot;
	a->flags = flags;
	return mt_ioctl(fd, IOCTL_ALLOC_VMA, a);
}

int mt_ioctl_free(int fd, __u64 addr, __u64 len)
{
	struct mmap_test_free f = { .addr = addr, .len = len };

	return mt_ioctl(fd, IOCTL_FREE_VMA, &f);
}

int mt_ioctl_query(int fd, __u64 addr, struct mmap_test_vma_report *r)
{
	struct mmap_test_query q = { .addr = addr };
	int ret;

	ret = mt_ioctl(fd, IOCTL_QUERY_VMA, &q);
	if (!ret)
		*r = q.report;
	return ret;
}

int mt_ioctl_stats(int fd, struct mmap_test_stats *s)
{
	memset(s, 0, sizeof(*s));
	return mt_ioctl(fd, IOCTL_GET_STATS, s);
}

int mt_alloc_invalid(const struct mmap_test_alloc *a, char *why, size_t n)
{
	__u32 share = a->flags & (MMAP_TEST_SHARED | MMAP_TEST_PRIVATE);
	__u32 bits = 0;		/* the offending bits, if any */
	const char *w = "";
	int err = -EINVAL;

	if (a->reserved[0] || a->reserved[1] || a->reserved[2]) {
		w = "reserved field nonzero";
	} else if (a->flags & ~MMAP_TEST_FLAGS_ALL) {
		w = "unknown flag bits";
		bits = a->flags & ~MMAP_TEST_FLAGS_ALL;
	} else if (share != MMAP_TEST_SHARED && share != MMAP_TEST_PRIVATE) {
		w = "flags need exactly one of SHARED and PRIVATE";
	} else if (a->prot & ~MT_PROT_VALID) {
		w = "prot bits that mmap(2) does not know:";
		bits = a->prot & ~MT_PROT_VALID;
	} else if (!a->len) {
		w = "len is 0";
	} else if (a->pgoff > ~0UL / mt_mem_page_size()) {
		err = -EOVERFLOW;
		w = "pgoff too large: pgoff << PAGE_SHIFT overflows";
	} else if (sizeof(long) < 8 && (a->addr > ~0UL || a->len > ~0UL)) {
		err = -ENOMEM;	/* only on 32-bit: what cannot be mapped */
		w = "addr or len above ULONG_MAX";
	} else {
		err = 0;
	}
	if (why && n && bits)
		snprintf(why, n, "%s 0x%x", w, bits);
	else if (why && n)
		snprintf(why, n, "%s", w);
	return err;
}
