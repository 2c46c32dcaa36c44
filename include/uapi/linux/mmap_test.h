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

/*
 * Flags of a VMA in struct mmap_test_vma_report.flags.  They are this
 * ABI's own bits, translated by the module from the kernel's vm_flags,
 * whose VM_* values are kernel-internal and change between releases.
 * Each is named after the VM_* flag it reports; in brackets the name that
 * /proc/<pid>/smaps prints in "VmFlags:".  A flag that the running kernel
 * does not have (or has configured out) is never set.  New flags may be
 * added in unused bits: ignore the ones you do not know.
 */
#define MMAP_TEST_VMA_READ		(1ULL << 0)	/* VM_READ [rd] */
#define MMAP_TEST_VMA_WRITE		(1ULL << 1)	/* VM_WRITE [wr] */
#define MMAP_TEST_VMA_EXEC		(1ULL << 2)	/* VM_EXEC [ex] */
/*
 * VM_SHARED [sh]: writes reach the file.  A shared mapping of a file
 * opened read-only has MAYSHARE but not SHARED.
 */
#define MMAP_TEST_VMA_SHARED		(1ULL << 3)
#define MMAP_TEST_VMA_MAYREAD		(1ULL << 4)	/* VM_MAYREAD [mr] */
#define MMAP_TEST_VMA_MAYWRITE		(1ULL << 5)	/* VM_MAYWRITE [mw] */
#define MMAP_TEST_VMA_MAYEXEC		(1ULL << 6)	/* VM_MAYEXEC [me] */
/* VM_MAYSHARE [ms]: MAP_SHARED; the 's' of /proc/<pid>/maps. */
#define MMAP_TEST_VMA_MAYSHARE		(1ULL << 7)
#define MMAP_TEST_VMA_GROWSDOWN		(1ULL << 8)	/* VM_GROWSDOWN [gd] */
#define MMAP_TEST_VMA_LOCKED		(1ULL << 9)	/* VM_LOCKED [lo] */
#define MMAP_TEST_VMA_IO		(1ULL << 10)	/* VM_IO [io] */
#define MMAP_TEST_VMA_PFNMAP		(1ULL << 11)	/* VM_PFNMAP [pf] */
#define MMAP_TEST_VMA_MIXEDMAP		(1ULL << 12)	/* VM_MIXEDMAP [mm] */
/* VM_DONTEXPAND [de]: mremap() cannot grow it (device VMAs). */
#define MMAP_TEST_VMA_DONTEXPAND	(1ULL << 13)
/* VM_DONTCOPY [dc]: not inherited by fork() (MADV_DONTFORK). */
#define MMAP_TEST_VMA_DONTCOPY		(1ULL << 14)
/* VM_DONTDUMP [dd]: left out of core dumps (device VMAs). */
#define MMAP_TEST_VMA_DONTDUMP		(1ULL << 15)
#define MMAP_TEST_VMA_HUGEPAGE		(1ULL << 16)	/* VM_HUGEPAGE [hg] */
#define MMAP_TEST_VMA_NOHUGEPAGE	(1ULL << 17)	/* VM_NOHUGEPAGE [nh] */
/* VM_MERGEABLE [mg]: KSM may merge its pages (MADV_MERGEABLE). */
#define MMAP_TEST_VMA_MERGEABLE		(1ULL << 18)
/* VM_WIPEONFORK [wf]: the child of fork() sees zeroes. */
#define MMAP_TEST_VMA_WIPEONFORK	(1ULL << 19)
#define MMAP_TEST_VMA_LOCKONFAULT	(1ULL << 20)	/* VM_LOCKONFAULT [lf] */
/* VM_ACCOUNT [ac]: charged to the commit limit. */
#define MMAP_TEST_VMA_ACCOUNT		(1ULL << 21)
#define MMAP_TEST_VMA_NORESERVE		(1ULL << 22)	/* VM_NORESERVE [nr] */
#define MMAP_TEST_VMA_HUGETLB		(1ULL << 23)	/* VM_HUGETLB [ht] */
#define MMAP_TEST_VMA_SEQ_READ		(1ULL << 24)	/* VM_SEQ_READ [sr] */
#define MMAP_TEST_VMA_RAND_READ		(1ULL << 25)	/* VM_RAND_READ [rr] */
/* VM_SOFTDIRTY [sd]: only where the kernel has CONFIG_MEM_SOFT_DIRTY. */
#define MMAP_TEST_VMA_SOFTDIRTY		(1ULL << 26)
/* VM_SEALED [sl]: mseal(2), 6.10 and later, 64-bit. */
#define MMAP_TEST_VMA_SEALED		(1ULL << 27)
/* VM_DROPPABLE [dp]: MAP_DROPPABLE, 6.11 and later. */
#define MMAP_TEST_VMA_DROPPABLE		(1ULL << 28)
/* VM_ARM64_BTI [bt]: arm64, PROT_BTI on a CPU with BTI. */
#define MMAP_TEST_VMA_ARM64_BTI		(1ULL << 29)
/* VM_MTE [mt]: arm64, PROT_MTE on a CPU with MTE. */
#define MMAP_TEST_VMA_ARM64_MTE		(1ULL << 30)
/* VM_MTE_ALLOWED: arm64, the mapping can hold MTE tags (no smaps name). */
#define MMAP_TEST_VMA_ARM64_MTE_ALLOWED	(1ULL << 31)
#define MMAP_TEST_VMA_ALL		((1ULL << 32) - 1)

/**
 * struct mmap_test_vma_report - what find_vma(mm, @addr) returned
 * @addr: out: the address that was looked up (for QUERY: after
 *	untagging, see struct mmap_test_query)
 * @vm_start: out: start of the VMA found, 0 if none
 * @vm_end: out: end (exclusive) of the VMA found, 0 if none
 * @gap: out: @vm_start - @addr when a VMA was found above @addr, else 0
 * @flags: out: the VMA's flags as MMAP_TEST_VMA_* bits, 0 if none.
 *	Not the kernel's VM_* bits, which are kernel-internal.
 * @vm_pgoff: out: the VMA's vm_pgoff, 0 if none.  In units of PAGE_SIZE
 *	of the running kernel (sysconf(_SC_PAGESIZE): 4K, 16K or 64K on
 *	arm64), as are the offsets of /proc/<pid>/maps divided by it.
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
	__u64 flags;
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
 *	address is above TASK_SIZE, a hint that is not honoured, or ENOMEM
 *	with MMAP_TEST_FIXED(_NOREPLACE).  @before looks it up as given.
 * @len: in: length in bytes, nonzero; rounded up to pages by vm_mmap()
 * @pgoff: in: offset into the device buffer, in pages of the running
 *	kernel's PAGE_SIZE (sysconf(_SC_PAGESIZE)): mmap(2)'s byte offset
 *	divided by the page size.  Ignored for MMAP_TEST_ANON, as by mmap(2).
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
 *
 * The argument is written back (with @before, @mapped 0) before mapping:
 * if it cannot be written, IOCTL_ALLOC_VMA fails with EFAULT and maps
 * nothing.  If another thread makes it unwritable while the call maps,
 * the call returns EFAULT and the new mapping stays (the driver cannot
 * tell whether the range still holds its mapping once the mmap lock is
 * dropped, so it never unmaps it).
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
 * @log_suppressed: ALLOC/FREE/QUERY log lines that the rate limit
 *	(module parameter log_burst) suppressed, module-wide.  Was reserved
 *	(always zero) before: a kernel without the rate limit reports 0.
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
	__u64 log_suppressed;
	__u64 reserved[4];
};

/*
 * 0xB9, numbers 0x00-0x0F: free in the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst (7.3).  Until this
 * revision of the ABI the magic was 0xB6, which belongs to linux/fpga-dfl.h.
 */
#define MMAP_TEST_IOC_MAGIC	0xB9

#define IOCTL_ALLOC_VMA	_IOWR(MMAP_TEST_IOC_MAGIC, 1, struct mmap_test_alloc)
#define IOCTL_FREE_VMA	_IOW(MMAP_TEST_IOC_MAGIC, 2, struct mmap_test_free)
#define IOCTL_QUERY_VMA	_IOWR(MMAP_TEST_IOC_MAGIC, 3, struct mmap_test_query)
#define IOCTL_GET_STATS	_IOR(MMAP_TEST_IOC_MAGIC, 4, struct mmap_test_stats)

#endif /* _UAPI_LINUX_MMAP_TEST_H */
