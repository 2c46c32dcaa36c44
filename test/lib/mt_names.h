/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mt_names.h - names and one-line descriptions of mmap-test values, for
 * the messages and the JSON of every program: errno names, backings,
 * ALLOC_VMA flags and prot, the MMAP_TEST_VMA_* flags of a report, the
 * find_vma() verdict of a report.
 *
 *   mt_errno_name(e)		"EEXIST" for EEXIST or -EEXIST
 *   mt_backing_name(b)		"none" "device" "file" "anon" "special"
 *   mt_append(buf, n, s)	append s to buf, '|' between words
 *   mt_format_flags(f, buf, n)	MMAP_TEST_* flags: "shared|fixed-noreplace"
 *   mt_format_prot(p, buf, n)	PROT_*: "rw-", "r-x", "none", "rw-+mte"
 *   mt_vma_flag_name(bit)	smaps name of MMAP_TEST_VMA_* bit: "rd", "sh"
 *   mt_format_vma_flags(f, buf, n) report flags as "rd wr sh mr mw me ms"
 *   mt_vma_prot(f)		PROT_READ|PROT_WRITE|PROT_EXEC of report flags
 *   mt_untag(addr)		addr as FREE_VMA/QUERY_VMA see it (arm64 tags)
 *   mt_explain_report(r, name, buf, n)
 *				"find_vma(0x..) -> [0x..,0x..) [stack], contains: no"
 *				(name: what the VMA is, e.g. from /proc/self/maps;
 *				NULL leaves it out)
 */
#ifndef MT_NAMES_H
#define MT_NAMES_H

#include <stddef.h>
#include <sys/mman.h>
#include <linux/types.h>
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

/* The returned string is static (per thread for "E<n>"). */
const char *mt_errno_name(int e);
/* "unknown" for a value outside enum mmap_test_backing. */
const char *mt_backing_name(__u32 b);
/* Nothing is appended when it does not fit. */
void mt_append(char *buf, size_t n, const char *s);
/* "none" for 0; unknown bits as "0x40". */
void mt_format_flags(__u32 flags, char *buf, size_t n);
/* "none" for PROT_NONE; arm64's bits as "+bti", "+mte"; others "+0x..". */
void mt_format_prot(__u32 prot, char *buf, size_t n);
/* "ma" for MMAP_TEST_VMA_ARM64_MTE_ALLOWED (no smaps name); NULL if unknown. */
const char *mt_vma_flag_name(unsigned int bit);
/* Unknown bits in hex; "none" for 0. */
void mt_format_vma_flags(__u64 f, char *buf, size_t n);
unsigned int mt_vma_prot(__u64 f);
__u64 mt_untag(__u64 addr);
void mt_explain_report(const struct mmap_test_vma_report *r, const char *name,
		       char *buf, size_t n);

#endif /* MT_NAMES_H */
