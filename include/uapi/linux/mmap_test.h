/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmap-test: drive and observe the kernel's mmap machinery from a driver.
 *
 * The device /dev/mmap-test calls vm_mmap()/vm_munmap() on the caller's
 * address space and reports what find_vma() returned.  Every structure is
 * made of __u64/__u32 fields with explicit padding, so 32-bit and 64-bit
 * callers share one layout.  Fields marked "in" are read by the kernel;
 * fields marked "out" are always written in full by a successful call.
 * Unknown flag bits and nonzero reserved fields are rejected with EINVAL,
 * so that the ABI can grow.
 */
#ifndef _UAPI_LINUX_MMAP_TEST_H
#define _UAPI_LINUX_MMAP_TEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MMAP_TEST_DEVICE	"/dev/mmap-test"

/* First bytes of buffer page 0 of every newly opened file. */
#define MMAP_TEST_GREETING	"Hello from kernel this is file: mmap-test"

/* Flags of struct mmap_test_alloc: exactly one of SHARED and PRIVATE. */
#define MMAP_TEST_SHARED		(1U << 0)	/* MAP_SHARED */
#define MMAP_TEST_PRIVATE		(1U << 1)	/* MAP_PRIVATE */
#define MMAP_TEST_FIXED			(1U << 2)	/* MAP_FIXED */
#define MMAP_TEST_FIXED_NOREPLACE	(1U << 3)	/* MAP_FIXED_NOREPLACE */
#define MMAP_TEST_POPULATE		(1U << 4)	/* MAP_POPULATE */
#define MMAP_TEST_ANON			(1U << 5)	/* vm_mmap(NULL, ...) */
#define MMAP_TEST_FLAGS_ALL		0x3fU

/**
 * enum mmap_test_backing - what backs the VMA that find_vma() returned
 * @MMAP_TEST_BACKING_NONE: find_vma() returned NULL
 * @MMAP_TEST_BACKING_DEVICE: a file of this device
 * @MMAP_TEST_BACKING_FILE: any other file, including the shmem file behind
 *	a MAP_SHARED|MAP_ANONYMOUS mapping ("/dev/zero (deleted)" in maps)
 * @MMAP_TEST_BACKING_ANON: anonymous memory with no name in
 *	/proc/<pid>/maps
 * @MMAP_TEST_BACKING_SPECIAL: what /proc/<pid>/maps names in brackets:
 *	[stack], [heap], [vdso], [vvar], other special mappings
 */
enum mmap_test_backing {
	MMAP_TEST_BACKING_NONE		= 0,
	MMAP_TEST_BACKING_DEVICE	= 1,
	MMAP_TEST_BACKING_FILE		= 2,
	MMAP_TEST_BACKING_ANON		= 3,
	MMAP_TEST_BACKING_SPECIAL	= 4,
};

/**
 * struct mmap_test_vma_report - what find_vma(mm, @addr) returned
 * @addr: out: the address that was looked up (for QUERY: after
 *	untagging, see struct mmap_test_query)
 * @vm_start: out: start of the VMA found, 0 if none
 * @vm_end: out: end (exclusive) of the VMA found, 0 if none
 * @gap: out: @vm_start - @addr when a VMA was found above @addr, else 0
 * @vm_flags: out: the VMA's vm_flags (kernel VM_* bits), 0 if none
 * @vm_pgoff: out: the VMA's vm_pgoff, 0 if none
 * @found: out: 1 if find_vma() returned a VMA, 0 if it returned NULL
 *	(nothing at or above @addr)
 * @contains: out: 1 if @vm_start <= @addr < @vm_end.  find_vma() returns
 *	the first VMA with vm_end > addr, so @found does not imply @contains.
 * @backing: out: enum mmap_test_backing
 * @nr_vmas: out: number of VMAs in the mm (mm->map_count)
 */
struct mmap_test_vma_report {
	__u64 addr;
	__u64 vm_start;
	__u64 vm_end;
	__u64 gap;
	__u64 vm_flags;
	__u64 vm_pgoff;
	__u32 found;
	__u32 contains;
	__u32 backing;
	__u32 nr_vmas;
};

/**
 * struct mmap_test_alloc - argument of IOCTL_ALLOC_VMA
 * @addr: in: 0, a hint, or the address for MMAP_TEST_FIXED(_NOREPLACE).
 *	Not untagged, as mmap(2) does not untag its address: a tagged
 *	address is above TASK_SIZE, a hint that is not honoured.
 * @len: in: length in bytes, nonzero; rounded up to pages by vm_mmap()
 * @pgoff: in: offset into the device buffer, in pages
 * @prot: in: PROT_NONE or any of PROT_READ, PROT_WRITE, PROT_EXEC, and on
 *	arm64 PROT_BTI and PROT_MTE.  Other bits are rejected (EINVAL),
 *	where mmap(2) would ignore them.  The arm64 bits reach vm_mmap() as
 *	mmap(2) passes them: ignored where the CPU lacks the feature, and
 *	PROT_MTE on a mapping that cannot hold tags (the device) is EINVAL.
 * @flags: in: MMAP_TEST_* flags
 * @mapped: out: the address vm_mmap() returned, 0 on error
 * @reserved: in: must be zero
 * @before: out: find_vma(@addr) taken just before vm_mmap().  Filled in
 *	on success and also when vm_mmap() itself failed, so that a caller
 *	can explain EEXIST or ENOMEM.
 */
struct mmap_test_alloc {
	__u64 addr;
	__u64 len;
	__u64 pgoff;
	__u32 prot;
	__u32 flags;
	__u64 mapped;
	__u64 reserved[3];
	struct mmap_test_vma_report before;
};

/**
 * struct mmap_test_free - argument of IOCTL_FREE_VMA
 * @addr: in: page-aligned start.  Untagged first with untagged_addr(), as
 *	munmap(2) does (arm64 top-byte tags; x86 LAM where enabled): a
 *	tagged pointer frees what the untagged one would.
 * @len: in: length in bytes, nonzero
 * @reserved: in: must be zero
 */
struct mmap_test_free {
	__u64 addr;
	__u64 len;
	__u64 reserved;
};

/**
 * struct mmap_test_query - argument of IOCTL_QUERY_VMA
 * @addr: in: any user address.  Untagged first, like struct
 *	mmap_test_free's @addr: a tagged pointer gives the report of the
 *	untagged one (whose address is @report.addr).
 * @reserved: in: must be zero
 * @report: out: what find_vma(@addr) returned
 */
struct mmap_test_query {
	__u64 addr;
	__u64 reserved;
	struct mmap_test_vma_report report;
};

/**
 * struct mmap_test_stats - argument of IOCTL_GET_STATS, all fields out
 * @faults: faults served on mappings of this file (->fault, plus
 *	->map_pages calls that mapped the faulting address)
 * @pages_around: pages mapped by fault-around (->map_pages) for this file
 * @live_vmas: VMAs of this file now alive (->mmap + ->open - ->close)
 * @vma_opens: ->open calls for this file (VMA split, fork, mremap)
 * @vma_closes: ->close calls for this file
 * @pages: buffer pages of this file allocated so far
 * @buffer_pages: size of this file's buffer in pages
 * @total_faults: faults served, module-wide
 * @total_live_vmas: live VMAs, module-wide
 * @total_pages: allocated buffer pages, module-wide
 * @total_files: open files (buffers) of the device, module-wide
 * @reserved: zero
 */
struct mmap_test_stats {
	__u64 faults;
	__u64 pages_around;
	__u64 live_vmas;
	__u64 vma_opens;
	__u64 vma_closes;
	__u64 pages;
	__u64 buffer_pages;
	__u64 total_faults;
	__u64 total_live_vmas;
	__u64 total_pages;
	__u64 total_files;
	__u64 reserved[5];
};

#define MMAP_TEST_IOC_MAGIC	0xB6

#define IOCTL_ALLOC_VMA	_IOWR(MMAP_TEST_IOC_MAGIC, 1, struct mmap_test_alloc)
#define IOCTL_FREE_VMA	_IOW(MMAP_TEST_IOC_MAGIC, 2, struct mmap_test_free)
#define IOCTL_QUERY_VMA	_IOWR(MMAP_TEST_IOC_MAGIC, 3, struct mmap_test_query)
#define IOCTL_GET_STATS	_IOR(MMAP_TEST_IOC_MAGIC, 4, struct mmap_test_stats)

#endif /* _UAPI_LINUX_MMAP_TEST_H */
