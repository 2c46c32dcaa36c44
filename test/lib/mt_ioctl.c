// SPDX-License-Identifier: GPL-2.0
/*
 * mt_ioctl.c - open /dev/mmap-test and call its ioctls with 0 / -errno
 * results: the one place that fills the argument structures, so that
 * every program sends the same zeroed reserved fields.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include "mt_ioctl.h"

int mt_dev_open(int flags)
{
	int fd = open(MMAP_TEST_DEVICE, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int mt_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (ioctl(fd, cmd, arg) < 0)
		return -errno;
	return 0;
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
