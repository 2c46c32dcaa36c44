/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mt_ioctl.h - the device /dev/mmap-test and its four ioctls, each as one
 * call that returns 0 or -errno (never -1 and errno), so that callers can
 * print mt_errno_name(ret) and compare with -EEXIST directly (mt_dev_open()
 * returns the fd, or -errno).
 *
 *   mt_dev_open(flags)		open(MMAP_TEST_DEVICE, flags | O_CLOEXEC)
 *   mt_ioctl(fd, cmd, arg)	ioctl(): 0 or -errno
 *   mt_ioctl_alloc(fd, addr, len, pgoff, prot, flags, a)
 *				IOCTL_ALLOC_VMA of a zeroed *a with these fields
 *   mt_ioctl_free(fd, addr, len)	IOCTL_FREE_VMA, reserved 0
 *   mt_ioctl_query(fd, addr, r)	IOCTL_QUERY_VMA, reserved 0
 *   mt_ioctl_stats(fd, s)		IOCTL_GET_STATS into a zeroed *s
 *
 * and the module's contract for ALLOC_VMA, the one copy in userspace:
 *
 *   mt_alloc_invalid(a, why, n)	the errno with which the module rejects
 *				*a before it calls vm_mmap(), or 0
 */
#ifndef MT_IOCTL_H
#define MT_IOCTL_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/mmap_test.h>

int mt_dev_open(int flags);
int mt_ioctl(int fd, unsigned long cmd, void *arg);
/* *a holds the kernel's answer (mapped, before) also on failure. */
int mt_ioctl_alloc(int fd, __u64 addr, __u64 len, __u64 pgoff, __u32 prot,
		   __u32 flags, struct mmap_test_alloc *a);
int mt_ioctl_free(int fd, __u64 addr, __u64 len);
/* *r is left alone on failure. */
int mt_ioctl_query(int fd, __u64 addr, struct mmap_test_vma_report *r);
int mt_ioctl_stats(int fd, struct mmap_test_stats *s);

/*
 * The checks mmap_test_check_alloc() (src/ioctl.c) makes, in its order:
 * -EINVAL or -EOVERFLOW if the module refuses *a without calling vm_mmap()
 * (it then copies nothing out), 0 if vm_mmap() gets the request.  @why, if
 * not NULL, receives the reason in a few words ("" for 0).  What vm_mmap()
 * and the driver's ->mmap refuse after it is not here, nor the module's
 * EOPNOTSUPP for FIXED_NOREPLACE on kernels before 4.17 (none supported).
 */
int mt_alloc_invalid(const struct mmap_test_alloc *a, char *why, size_t n);

#endif /* MT_IOCTL_H */
