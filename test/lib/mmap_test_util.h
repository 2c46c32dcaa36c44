/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmap_test_util.h - small helpers shared by the userspace programs of
 * mmap-test (test-mmap, selftests, fuzzers, benchmarks).
 *
 *   #include "mmap_test_util.h"	(the Makefile passes -I<repo>/test)
 *
 *   mt_errno_name(EEXIST)		-> "EEXIST" (unknown: "E<number>")
 *   mt_backing_name(b)			-> "none" "device" "file" "anon" "special"
 *   mt_ioctl(fd, cmd, arg)		-> 0 or -errno
 *   mt_format_flags(flags, buf, n)	-> "shared|fixed-noreplace"
 *   mt_format_prot(prot, buf, n)	-> "rw-", "r-x", "none"
 *   mt_format_vma_flags(f, buf, n)	-> "rd wr sh mr mw me ms de dd" (smaps)
 *   mt_untag(addr)			-> addr as FREE/QUERY see it (arm64 tags)
 *   mt_vma_prot(flags)		-> PROT_READ|PROT_WRITE|PROT_EXEC of the flags
 *   mt_explain_report(report, buf, n)	-> the one-line find_vma() verdict
 *
 * Everything is static inline so that each program stays a single .c file.
 */
#ifndef MMAP_TEST_UTIL_H
#define MMAP_TEST_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/mmap_test.h>

#define MT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The architecture's own mmap(2) prot bits, which IOCTL_ALLOC_VMA accepts
 * besides PROT_READ|PROT_WRITE|PROT_EXEC (arm64 uapi asm/mman.h; older C
 * libraries lack the names).
 */
#ifdef __aarch64__
#ifndef PROT_BTI
#define PROT_BTI	0x10
#endif
#ifndef PROT_MTE
#define PROT_MTE	0x20
#endif
#define MT_PROT_ARCH	(PROT_BTI | PROT_MTE)
#else
#define MT_PROT_ARCH	0
#endif
#define MT_PROT_VALID	(PROT_READ | PROT_WRITE | PROT_EXEC | MT_PROT_ARCH)

/* Symbolic name of an errno value; "E<number>" for the ones not listed. */
static inline const char *mt_errno_name(int e)
{
#define MT_E(x)	{ x, #x }
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ 0, "0" },
		MT_E(EPERM), MT_E(ENOENT), MT_E(ESRCH), MT_E(EINTR), MT_E(EIO),
		MT_E(ENXIO), MT_E(E2BIG), MT_E(EBADF), MT_E(EAGAIN),
		MT_E(ENOMEM), MT_E(EACCES), MT_E(EFAULT), MT_E(EBUSY),
		MT_E(EEXIST), MT_E(ENODEV), MT_E(ENOTDIR), MT_E(EISDIR),
		MT_E(EINVAL), MT_E(ENFILE), MT_E(EMFILE), MT_E(ENOTTY),
		MT_E(ETXTBSY), MT_E(EFBIG), MT_E(ENOSPC), MT_E(ESPIPE),
		MT_E(EROFS), MT_E(EPIPE), MT_E(ERANGE), MT_E(EDEADLK),
		MT_E(EOVERFLOW), MT_E(EOPNOTSUPP), MT_E(ETIMEDOUT),
		MT_E(ECANCELED),
	};
#undef MT_E
	static __thread char other[16];
	size_t i;

	if (e < 0)
		e = -e;
	for (i = 0; i < MT_ARRAY_SIZE(names); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof(other), "E%d", e);
	return other;
}

/* Name of an enum mmap_test_backing value. */
static inline const char *mt_backing_name(__u32 b)
{
	static const char * const names[] = {
		[MMAP_TEST_BACKING_NONE]	= "none",
		[MMAP_TEST_BACKING_DEVICE]	= "device",
		[MMAP_TEST_BACKING_FILE]	= "file",
		[MMAP_TEST_BACKING_ANON]	= "anon",
		[MMAP_TEST_BACKING_SPECIAL]	= "special",
	};

	if (b < MT_ARRAY_SIZE(names))
		return names[b];
	return "unknown";
}

/* ioctl() returning 0 or -errno instead of -1 and errno. */
static inline int mt_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (ioctl(fd, cmd, arg) < 0)
		return -errno;
	return 0;
}

/* Append @s to @buf (size @n), separated by '|' when @buf is not empty. */
static inline void mt_append(char *buf, size_t n, const char *s)
{
	size_t len = strnlen(buf, n);

	if (len + 1 >= n)
		return;
	snprintf(buf + len, n - len, "%s%s", len ? "|" : "", s);
}

/* MMAP_TEST_* flags as "shared|fixed-noreplace|0x40"; "none" for 0. */
static inline void mt_format_flags(__u32 flags, char *buf, size_t n)
{
	static const struct {
		__u32 bit;
		const char *name;
	} names[] = {
		{ MMAP_TEST_SHARED,		"shared" },
		{ MMAP_TEST_PRIVATE,		"private" },
		{ MMAP_TEST_FIXED,		"fixed" },
		{ MMAP_TEST_FIXED_NOREPLACE,	"fixed-noreplace" },
		{ MMAP_TEST_POPULATE,		"populate" },
		{ MMAP_TEST_ANON,		"anon" },
	};
	char unknown[16];
	size_t i;

	if (!n)
		return;
	buf[0] = '\0';
	if (!flags) {
		snprintf(buf, n, "none");
		return;
	}
	for (i = 0; i < MT_ARRAY_SIZE(names); i++)
		if (flags & names[i].bit)
			mt_append(buf, n, names[i].name);
	if (flags & ~MMAP_TEST_FLAGS_ALL) {
		snprintf(unknown, sizeof(unknown), "0x%x",
			 flags & ~MMAP_TEST_FLAGS_ALL);
		mt_append(buf, n, unknown);
	}
}

/*
 * PROT_* as "rw-", "r-x"; "none" for PROT_NONE; arm64's as "+bti", "+mte";
 * unknown bits as "+0x..".
 */
static inline void mt_format_prot(__u32 prot, char *buf, size_t n)
{
	__u32 extra = prot & ~(__u32)(PROT_READ | PROT_WRITE | PROT_EXEC |
				      MT_PROT_ARCH);
	size_t len;

	if (!n)
		return;
	if (!prot) {
		snprintf(buf, n, "none");
		return;
	}
	snprintf(buf, n, "%c%c%c", prot & PROT_READ ? 'r' : '-',
		 prot & PROT_WRITE ? 'w' : '-', prot & PROT_EXEC ? 'x' : '-');
#ifdef __aarch64__
	len = strnlen(buf, n);
	if (prot & PROT_BTI)
		len += snprintf(buf + len, n - len, "+bti");
	len = strnlen(buf, n);
	if (prot & PROT_MTE)
		snprintf(buf + len, n - len, "+mte");
#endif
	len = strnlen(buf, n);
	if (extra)
		snprintf(buf + len, n - len, "+0x%x", extra);
}

/*
 * Name of the MMAP_TEST_VMA_* flag 1 << @bit: the two letters that
 * /proc/<pid>/smaps prints for it in "VmFlags:" ("ma" for
 * MMAP_TEST_VMA_ARM64_MTE_ALLOWED, which smaps does not print); NULL for a
 * bit this header does not know.
 */
static inline const char *mt_vma_flag_name(unsigned int bit)
{
	static const char * const names[32] = {
		"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms",
		"gd", "lo", "io", "pf", "mm", "de", "dc", "dd",
		"hg", "nh", "mg", "wf", "lf", "ac", "nr", "ht",
		"sr", "rr", "sd", "sl", "dp", "bt", "mt", "ma",
	};

	return bit < MT_ARRAY_SIZE(names) ? names[bit] : NULL;
}

/*
 * MMAP_TEST_VMA_* flags of a report as their smaps names; bits this header
 * does not know are printed in hex.
 */
static inline void mt_format_vma_flags(__u64 f, char *buf, size_t n)
{
	__u64 rest = 0;
	size_t len = 0;
	int i;

	if (!n)
		return;
	buf[0] = '\0';
	for (i = 0; i < 64; i++) {
		if (!(f & (1ULL << i)))
			continue;
		if (!mt_vma_flag_name(i)) {
			rest |= 1ULL << i;
			continue;
		}
		len = strnlen(buf, n);
		snprintf(buf + len, n - len, "%s%s", len ? " " : "",
			 mt_vma_flag_name(i));
	}
	len = strnlen(buf, n);
	if (rest)
		snprintf(buf + len, n - len, "%s0x%llx", len ? " " : "",
			 (unsigned long long)rest);
	else if (!len)
		snprintf(buf, n, "none");
}

/*
 * The address that IOCTL_FREE_VMA and IOCTL_QUERY_VMA act on: @addr
 * untagged as munmap(2) untags it.  arm64 (untagged_addr()): the top byte
 * of an address with bit 55 clear is cleared; other architectures: @addr
 * (these programs do not enable x86 LAM).
 */
static inline __u64 mt_untag(__u64 addr)
{
#ifdef __aarch64__
	if (!(addr & (1ULL << 55)))
		return addr & ((1ULL << 56) - 1);
#endif
	return addr;
}

/* PROT_READ|PROT_WRITE|PROT_EXEC of MMAP_TEST_VMA_* flags. */
static inline unsigned int mt_vma_prot(__u64 f)
{
	return (f & MMAP_TEST_VMA_READ ? PROT_READ : 0) |
	       (f & MMAP_TEST_VMA_WRITE ? PROT_WRITE : 0) |
	       (f & MMAP_TEST_VMA_EXEC ? PROT_EXEC : 0);
}

/*
 * One-line verdict of a find_vma() report, e.g.
 *   find_vma(0x7f0095010000) -> [0x7ffd12340000,0x7ffd12361000) contains: no,
 *	next VMA starts 0x6d7d0330000 above
 *   find_vma(0x...) -> [0x...,0x...) contains: yes
 *   find_vma(0x...) -> NULL (no VMA at or above)
 */
static inline void mt_explain_report(const struct mmap_test_vma_report *r,
				     char *buf, size_t n)
{
	int len;

	if (!n)
		return;
	if (!r->found) {
		snprintf(buf, n, "find_vma(0x%llx) -> NULL (no VMA at or above)",
			 (unsigned long long)r->addr);
		return;
	}
	len = snprintf(buf, n, "find_vma(0x%llx) -> [0x%llx,0x%llx) contains: %s",
		       (unsigned long long)r->addr,
		       (unsigned long long)r->vm_start,
		       (unsigned long long)r->vm_end,
		       r->contains ? "yes" : "no");
	if (r->contains || len < 0 || (size_t)len >= n)
		return;
	snprintf(buf + len, n - len, ", next VMA starts 0x%llx above",
		 (unsigned long long)r->gap);
}

#endif /* MMAP_TEST_UTIL_H */
