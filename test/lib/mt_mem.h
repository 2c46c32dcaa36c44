/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mt_mem.h - facts about this process's memory and safe ways to touch
 * it: the page size, TASK_SIZE measured with mmap(2), MAP_FIXED_NOREPLACE
 * that cannot silently become a hint, and accesses that report SIGSEGV or
 * SIGBUS instead of dying of them.
 *
 *   mt_mem_page_size()			sysconf(_SC_PAGESIZE), cached
 *   mt_mem_page_shift()		log2 of the page size
 *   mt_mem_page_align(len)		len rounded up to pages (0 near ~0UL)
 *   mt_mem_find_hole(len)		a free range of len bytes
 *   mt_mem_map_noreplace(a, len, prot, flags, fd, off)
 *					mmap(MAP_FIXED_NOREPLACE) at exactly a
 *   mt_mem_task_size(exact)		first address above user space
 *   mt_mem_fault_around_bytes(known)	the fault-around window
 *   mt_mem_guard_init()		install the SIGSEGV/SIGBUS handler
 *   mt_mem_touch(p, how, val, out, f)	one byte access: 0 or the signal
 *   mt_mem_copy(dst, src, n, f)	memcpy(): 0 or the signal
 */
#ifndef MT_MEM_H
#define MT_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/types.h>

/* Older C libraries lack the name (Linux 4.17). */
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

/* What a guarded access ran into. */
struct mt_fault {
	int sig;		/* SIGSEGV or SIGBUS; 0: no fault */
	void *addr;		/* si_addr of the fault */
	int code;		/* its si_code (BUS_MCEERR_AR: a memory error) */
};

/* What mt_mem_touch() does with the byte. */
enum mt_access {
	MT_ACCESS_READ,		/* load it (into *out when out is not NULL) */
	MT_ACCESS_WRITE,	/* store val: a plain store, no load first */
	MT_ACCESS_INC,		/* load it, then store it plus one */
};

unsigned long mt_mem_page_size(void);
unsigned int mt_mem_page_shift(void);
unsigned long mt_mem_page_align(unsigned long len);
/*
 * Where mmap(2) would put @len bytes now: mapped PROT_NONE and unmapped
 * again, so free until something else maps there.  NULL if mmap failed.
 */
void *mt_mem_find_hole(size_t len);
/*
 * MAP_FIXED_NOREPLACE is added to @flags.  MAP_FAILED with errno as
 * mmap(2) set it (EEXIST: in use, ENOMEM: above TASK_SIZE), or
 * EOPNOTSUPP when the kernel took the address as a hint (before 4.17)
 * and mapped elsewhere (that mapping is removed again).
 */
void *mt_mem_map_noreplace(void *addr, size_t len, int prot, int flags,
			   int fd, off_t off);
/*
 * TASK_SIZE of this process (x86_64: 2^47 - 4K or 2^56 - 4K; arm64:
 * 2^VA_BITS; riscv64: 2^38, 2^47 or 2^56 by the MMU mode; ppc64: 2^46 with
 * 4K pages, 2^52 with 64K; s390x: 2^64 - 4K), measured with one-page
 * MAP_FIXED_NOREPLACE mappings below each power of two from 2^64 down;
 * *exact = true.  On s390x the probe below 2^64 gives the process 5-level
 * page tables (crst_table_upgrade()).  If no probe works: the end of the
 * highest mapping rounded up to a power of two, *exact = false; 0 if even
 * that is unknown.  Measured once.  @exact may be NULL.
 */
unsigned long mt_mem_task_size(bool *exact);
/*
 * The end of the default mmap window, asked of the kernel: the top of the
 * [stack] VMA rounded up to a power of two, 2^*bits.  The kernel puts the
 * stack just below STACK_TOP (minus a random offset far smaller than the
 * window), and STACK_TOP is DEFAULT_MAP_WINDOW on x86_64, arm64, riscv64
 * and ppc64: mmap(2) places nothing above it without a hint above it.
 * s390x has no window: its stack starts below 4 TiB, the limit of 3-level
 * page tables, which a mapping above raises.  0 without a [stack].
 * Measured once.  @bits may be NULL.
 */
unsigned long mt_mem_window_end(int *bits);
/*
 * The kernel's fault-around window in bytes: debugfs's fault_around_bytes
 * (root, debugfs mounted), else the default 65536 with *@known false (@known
 * may be NULL).  One page, no fault-around, where pages are 64 KiB.
 */
unsigned long mt_mem_fault_around_bytes(bool *known);
/*
 * The raw mmap(2) system call, with no libc check in between; -1 and
 * errno on failure.  s390x's takes its six arguments in memory
 * (old_mmap(): struct s390_mmap_arg_struct), the others in registers.
 */
long mt_mem_sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
		     unsigned long flags, long fd, unsigned long off);
/*
 * The guards' handler runs for SIGSEGV and SIGBUS: a fault inside
 * mt_mem_touch()/mt_mem_copy() of the same thread returns there; any other
 * goes to the handler that was installed before (the default: the process
 * dies of the signal).  The guarded calls install it on first use; call
 * this again after installing an own SIGSEGV/SIGBUS handler.
 */
void mt_mem_guard_init(void);
/* @f may be NULL; on a fault nothing is stored to *out. */
int mt_mem_touch(volatile void *p, enum mt_access how, char val, char *out,
		 struct mt_fault *f);
int mt_mem_copy(void *dst, const void *src, size_t n, struct mt_fault *f);

#endif /* MT_MEM_H */
