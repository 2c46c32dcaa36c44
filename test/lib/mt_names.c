// SPDX-License-Identifier: GPL-2.0
/*
 * mt_names.c - names of errno values, backings, flags and prot, and the
 * one-line find_vma() verdict of a report: the words that the messages
 * and the JSON of every mmap-test program share, so that they read alike.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mt_names.h"

const char *mt_errno_name(int e)
{
#define E(x)	{ x, #x }
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ 0, "0" },
		E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO),
		E(E2BIG), E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES),
		E(EFAULT), E(EBUSY), E(EEXIST), E(ENODEV), E(ENOTDIR),
		E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
		E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS),
		E(EPIPE), E(ERANGE), E(EDEADLK), E(EOVERFLOW), E(EOPNOTSUPP),
		E(ETIMEDOUT), E(ECANCELED),
	};
#undef E
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

const char *mt_backing_name(__u32 b)
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

void mt_append(char *buf, size_t n, const char *s)
{
	size_t len = strnlen(buf, n);

	if (len + 1 >= n)
		return;
	snprintf(buf + len, n - len, "%s%s", len ? "|" : "", s);
}

void mt_format_flags(__u32 flags, char *buf, size_t n)
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

void mt_format_prot(__u32 prot, char *buf, size_t n)
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
 * The two letters that /proc/<pid>/smaps prints in "VmFlags:" for the
 * MMAP_TEST_VMA_* flag 1 << @bit.
 */
const char *mt_vma_flag_name(unsigned int bit)
{
	static const char * const names[32] = {
		"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms",
		"gd", "lo", "io", "pf", "mm", "de", "dc", "dd",
		"hg", "nh", "mg", "wf", "lf", "ac", "nr", "ht",
		"sr", "rr", "sd", "sl", "dp", "bt", "mt", "ma",
	};

	return bit < MT_ARRAY_SIZE(names) ? names[bit] : NULL;
}

void mt_format_vma_flags(__u64 f, char *buf, size_t n)
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

unsigned int mt_vma_prot(__u64 f)
{
	return (f & MMAP_TEST_VMA_READ ? PROT_READ : 0) |
	       (f & MMAP_TEST_VMA_WRITE ? PROT_WRITE : 0) |
	       (f & MMAP_TEST_VMA_EXEC ? PROT_EXEC : 0);
}

/*
 * munmap(2)'s untagging.  arm64 (untagged_addr()): the top byte of an
 * address with bit 55 clear is cleared; other architectures: @addr (these
 * programs do not enable x86 LAM).
 */
__u64 mt_untag(__u64 addr)
{
#ifdef __aarch64__
	if (!(addr & (1ULL << 55)))
		return addr & ((1ULL << 56) - 1);
#endif
	return addr;
}

/*
 * With @name (the VMA's name as /proc/<pid>/maps gives it; NULL for
 * none), cut at 64 bytes:
 *   find_vma(0x7f0095010000) -> [0x7ffd12340000,0x7ffd12361000) [stack],
 *	contains: no, next VMA starts 0x6d7d0330000 above
 *   find_vma(0x...) -> [0x...,0x...) /usr/lib/libc.so.6, contains: yes
 *   find_vma(0x...) -> NULL (no VMA at or above)
 */
void mt_explain_report(const struct mmap_test_vma_report *r, const char *name,
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
	len = snprintf(buf, n, "find_vma(0x%llx) -> [0x%llx,0x%llx)%s%.64s%s contains: %s",
		       (unsigned long long)r->addr,
		       (unsigned long long)r->vm_start,
		       (unsigned long long)r->vm_end,
		       name ? " " : "", name ? name : "", name ? "," : "",
		       r->contains ? "yes" : "no");
	if (r->contains || len < 0 || (size_t)len >= n)
		return;
	snprintf(buf + len, n - len, ", next VMA starts 0x%llx above",
		 (unsigned long long)r->gap);
}
