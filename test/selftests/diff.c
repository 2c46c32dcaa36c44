// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-diff - differential test: IOCTL_ALLOC_VMA against mmap(2).
 *
 * Every row of the table below is one combination of (addr, len, prot,
 * flags, pgoff).  Each row runs once through IOCTL_ALLOC_VMA and once
 * through the mmap(2) system call, on the same device fd, in the same
 * process, with the address space prepared identically before each run:
 *
 *   arena = MMAP_SHARED|MAP_ANONYMOUS PROT_NONE reservation of ARENA_PAGES,
 *           or more with a big buffer: the hole must hold a mapping of the
 *           whole buffer plus a page at the target
 *   hole  = the arena minus GUARD_PAGES at each end, unmapped
 *   target = arena + TARGET_PAGE pages (inside the hole)
 *   occupant (rows that want one): a 2-page shared anonymous PROT_READ
 *            mapping at target + (occupant - 1) pages (shmem: never
 *            merges with the row's VMA)
 *
 * Both runs must give the same errno, or the same VMA: same address (so
 * the same placement decision for hints), same size, same /proc/self/maps
 * permissions and path, same IOCTL_QUERY_VMA report (vm_start, vm_end,
 * flags, vm_pgoff, backing, nr_vmas) and the same number of live VMAs
 * in the module's per-file counters.  Each run is also checked against
 * what the contract in include/uapi/linux/mmap_test.h promises.
 *
 * Where the ioctl and mmap(2) legitimately differ, the row names the
 * difference (enum diff_kind), the test asserts exactly that difference
 * and logs why.
 *
 * Each test runs on the shared fixture (mt_fixture.h: baseline leak check
 * at teardown); a row on an O_RDONLY fd also checks that file.
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded: mmap-test-diff (SKIPs when
 * /dev/mmap-test does not exist).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "mt_maps.h"
#include "selftests.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif

#define ARENA_PAGES	512UL
#define GUARD_PAGES	16UL
#define TARGET_PAGE	128UL
#define OCCUPANT_PAGES	2UL

/*
 * Far above TASK_SIZE on x86_64, arm64, riscv64 and ppc64.  On s390x,
 * where TASK_SIZE is 2^64 minus a page, it is an ordinary user address:
 * high_addr() takes TASK_SIZE itself there.
 */
#define HIGH_ADDR	0xfffffffffff00000UL

/*
 * The architecture's mmap(2) converts a negative byte offset by a signed
 * shift (riscv64: arch/riscv/kernel/sys_riscv.c takes off_t), where the
 * others take an unsigned long.  A syscall ABI fact of the architecture.
 */
#ifdef __riscv
#define MMAP_OFFSET_SIGNED	1
#else
#define MMAP_OFFSET_SIGNED	0
#endif

/*
 * ppc64's mmap(2) checks prot with arch_validate_prot() (do_mmap2() in
 * arch/powerpc/kernel/syscalls.c): unknown bits, and PROT_SAO (0x10) on
 * a PAPR guest, are EINVAL there, as for ALLOC.
 */
#ifdef __powerpc64__
#define MMAP_VALIDATES_PROT	1
#else
#define MMAP_VALIDATES_PROT	0
#endif

/* An arm64 top-byte tag; non-canonical on x86_64. */
#define ADDR_TAG	(0x5aUL << 56)

/*
 * arm64's own prot bits.  Elsewhere they are unknown bits: ALLOC rejects
 * them, mmap(2) ignores them (D_PROT_UNKNOWN).
 */
#ifdef __aarch64__
#define XPROT_BTI	PROT_BTI
#define XPROT_MTE	PROT_MTE
#define XPROT_ERR	0
#define XPROT_DIFF	D_NONE
#else
#define XPROT_BTI	0x10	/* arm64's PROT_BTI */
#define XPROT_MTE	0x20	/* arm64's PROT_MTE */
#define XPROT_ERR	EINVAL
#define XPROT_DIFF	D_PROT_UNKNOWN
#endif
#ifndef HWCAP2_MTE
#define HWCAP2_MTE	(1UL << 18)	/* arm64 */
#endif

/* Address kinds */
enum addr_kind {
	A_ZERO,		/* 0: no hint */
	A_TARGET,	/* target, page aligned */
	A_UNALIGNED,	/* target + 0x123 */
	A_HIGH,		/* high_addr(): at or above TASK_SIZE */
	A_LOW,		/* 0x1000: below mmap_min_addr */
	A_TAGGED,	/* target | ADDR_TAG: mmap(2) does not untag it; above
			 * TASK_SIZE except on s390x (row_err()) */
};

/* Length kinds */
enum len_kind {
	L_PAGE,		/* 1 page (the default, 0) */
	L_1BYTE,
	L_2PAGES,
	L_4PAGES,
	L_BUF,		/* the buffer's size */
	L_BUF1,		/* the buffer's size + 1 page */
	L_ZERO,
	L_HUGE,		/* 1 << 62: larger than TASK_SIZE except on s390x */
	L_WRAP,		/* ULONG_MAX - 100: PAGE_ALIGN() wraps to 0 */
};

/* pgoff kinds */
enum pgoff_kind {
	P_ZERO,
	P_MID,		/* buffer / 2 */
	P_LAST,		/* buffer - 1 */
	P_END,		/* buffer */
	P_FAR,		/* 1 << 32 */
	P_MAX,		/* ULONG_MAX >> PAGE_SHIFT: largest ALLOC accepts */
	P_OVERFLOW,	/* (ULONG_MAX >> PAGE_SHIFT) + 1: EOVERFLOW */
};

/* Placement expectation for rows without FIXED */
enum place_kind {
	PL_ANY,		/* only "same in both runs" */
	PL_HINT,	/* the hint is honoured (page-aligned) */
	PL_ELSEWHERE,	/* the hint is not honoured */
};

/* Documented differences between IOCTL_ALLOC_VMA and mmap(2) */
enum diff_kind {
	D_NONE,
	/* ALLOC rejects prot bits outside R|W|X (and arm64's PROT_BTI,
	 * PROT_MTE); mmap(2) ignores them. */
	D_PROT_UNKNOWN,
	/* ALLOC wants exactly one of SHARED/PRIVATE; for mmap(2),
	 * MAP_SHARED|MAP_PRIVATE is MAP_SHARED_VALIDATE, a shared mapping. */
	D_FLAGS_BOTH,
	/* pgoff > ULONG_MAX >> PAGE_SHIFT: ALLOC says EOVERFLOW, mmap(2)
	 * cannot express it (its offset is in bytes). */
	D_PGOFF_INEXPRESSIBLE,
	/* Byte offsets that are not page aligned exist only for mmap(2):
	 * EINVAL.  ALLOC's pgoff is in pages. */
	D_OFFSET_UNALIGNED,
	/* pgoff << PAGE_SHIFT + len overflows: vm_mmap() (ALLOC) fails with
	 * EINVAL before anything else.  mmap(2) (sys_mmap on x86_64 and
	 * arm64: unsigned byte offset, shifted to pgoff) never checks the
	 * byte offset + len and passes pgoff to do_mmap(): for a device
	 * file, file_mmap_ok() gives EOVERFLOW (pgoff + len passes
	 * ULONG_MAX bytes); anonymous memory ignores pgoff and succeeds. */
	D_OFFSET_OVERFLOW,
};

FIXTURE(diff) {
	struct mt_ctx c;
	int ro_fd;		/* variant->rdonly: an O_RDONLY fd of @c's */
	char *arena;
	unsigned long arena_pages;
	int dev_noexec;
};

FIXTURE_VARIANT(diff) {
	enum addr_kind addr;
	int occupant;		/* 0: none; N: at target + N - 1 pages */
	enum len_kind len;
	__u32 prot;
	__u32 flags;
	enum pgoff_kind pgoff;
	int rdonly;		/* run both on a fd opened O_RDONLY */
	int err;		/* expected errno of ALLOC (0: success) */
	int validation;		/* err is ALLOC's own validation: no copy-out */
	enum place_kind place;
	enum diff_kind diff;
};

#define RW	(PROT_READ | PROT_WRITE)
#define SH	MMAP_TEST_SHARED
#define PR	MMAP_TEST_PRIVATE
#define FX	MMAP_TEST_FIXED
#define NR	MMAP_TEST_FIXED_NOREPLACE
#define POP	MMAP_TEST_POPULATE
#define ANON	MMAP_TEST_ANON

/* --- length and size --- */
FIXTURE_VARIANT_ADD(diff, dev_shared_rw_page) {
	.prot = RW, .flags = SH,
};
FIXTURE_VARIANT_ADD(diff, dev_private_rw_page) {
	.prot = RW, .flags = PR,
};
FIXTURE_VARIANT_ADD(diff, dev_shared_rw_1byte) {
	.len = L_1BYTE, .prot = RW, .flags = SH,
};
FIXTURE_VARIANT_ADD(diff, dev_shared_r_buffer) {
	.len = L_BUF, .prot = PROT_READ, .flags = SH,
};
FIXTURE_VARIANT_ADD(diff, dev_private_rw_buffer) {
	.len = L_BUF, .prot = RW, .flags = PR,
};
FIXTURE_VARIANT_ADD(diff, dev_shared_buffer_plus_page) {
	.len = L_BUF1, .prot = RW, .flags = SH, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(diff, dev_private_buffer_plus_page) {
	.len = L_BUF1, .prot = PROT_READ, .flags = PR, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(diff, dev_shared_len0) {
	.len = L_ZERO, .prot = RW, .flags = SH, .err = EINVAL,
	.validation = 1,
};
FIXTURE_VARIANT_ADD(diff, dev_shared_len_huge) {
	.len = L_HUGE, .prot = RW, .flags = SH, .err = ENOMEM,
};
FIXTURE_VARIANT_ADD(diff, dev_shared_len_wrap) {
	.len = L_WRAP, .prot = RW, .flags = SH, .err = ENOMEM,
};
FIXTURE_VARIANT_ADD(diff, anon_private_len0) {
	.len = L_ZERO, .prot = RW, .flags = PR | ANON, .err = EINVAL,
	.validation = 1,
};
FIXTURE_VARIANT_ADD(diff, anon_private_len_huge) {
	.len = L_HUGE, .prot = RW, .flags = PR | ANON, .err = ENOMEM,
};
FIXTURE_VARIANT_ADD(diff, anon_private_len_wrap) {
	.len = L_WRAP, .prot = RW, .flags = PR | ANON, .err = ENOMEM,
};
FIXTURE_VARIANT_ADD(diff, anon_private_buffer_plus_page) {
	.len = L_BUF1, .prot = RW, .flags = PR | ANON,
};
FIXTURE_VARIANT_ADD(diff, anon_private_1byte) {
	.len = L_1BYTE, .prot = RW, .flags = PR | ANON,
};

/* --- prot --- */
FIXTURE_VARIANT_ADD(diff, dev_shared_prot_none) {
	.prot = PROT_NONE, .flags = SH,
};
FIXTURE_VARIANT_ADD(diff, dev_shared_prot_w_only) {
	.prot = PROT_WRITE, .flags = SH,
};
FIXTURE_VARIANT_ADD(diff, dev_shared_prot_rx) {
	.prot = PROT_READ | PROT_EXEC, .flags = SH,
};
FIXTURE_VARIANT_ADD(diff, dev_private_prot_rwx) {
	.prot = RW | PROT_EXEC, .flags = PR,
};
FIXTURE_VARIANT_ADD(diff, dev_private_prot_r) {
	.prot = PROT_READ, .flags = PR,
};
FIXTURE_VARIANT_ADD(diff, anon_private_prot_none) {
	.prot = PROT_NONE, .flags = PR | ANON,
};
FIXTURE_VARIANT_ADD(diff, anon_private_prot_w_only) {
	.prot = PROT_WRITE, .flags = PR | ANON,
};
FIXTURE_VARIANT_ADD(diff, anon_private_prot_rwx) {
	.prot = RW | PROT_EXEC, .flags = PR | ANON,
};
FIXTURE_VARIANT_ADD(diff, anon_shared_rw) {
	.len = L_4PAGES, .prot = RW, .flags = SH | ANON,
};
FIXTURE_VARIANT_ADD(diff, anon_shared_prot_r) {
	.prot = PROT_READ, .flags = SH | ANON,
};
FIXTURE_VARIANT_ADD(diff, dev_shared_prot_unknown_bit) {
	.prot = PROT_READ | 0x40, .flags = SH, .err = EINVAL,
	.validation = 1, .diff = D_PROT_UNKNOWN,
};
FIXTURE_VARIANT_ADD(diff, anon_private_prot_unknown_bit) {
	.prot = RW | 0x40, .flags = PR | ANON, .err = EINVAL,
	.validation = 1, .diff = D_PROT_UNKNOWN,
};

/*
 * --- arm64 prot bits: ALLOC passes them to vm_mmap() as mmap(2) does.
 * Without BTI or MTE in the CPU they are ignored; with MTE, PROT_MTE on the
 * device (not RAM that can hold tags) is EINVAL.  Off arm64 they are
 * unknown bits (EINVAL from ALLOC, ignored by mmap(2)). ---
 */
#define XPROT_ROW(p, f)	.prot = (p), .flags = (f), .err = XPROT_ERR,	\
			.validation = !!XPROT_ERR, .diff = XPROT_DIFF
FIXTURE_VARIANT_ADD(diff, dev_private_prot_rx_bti) {
	XPROT_ROW(PROT_READ | PROT_EXEC | XPROT_BTI, PR),
};
FIXTURE_VARIANT_ADD(diff, dev_shared_prot_r_bti) {
	XPROT_ROW(PROT_READ | XPROT_BTI, SH),
};
FIXTURE_VARIANT_ADD(diff, anon_private_prot_rx_bti) {
	XPROT_ROW(PROT_READ | PROT_EXEC | XPROT_BTI, PR | ANON),
};
FIXTURE_VARIANT_ADD(diff, anon_private_rw_mte) {
	XPROT_ROW(RW | XPROT_MTE, PR | ANON),
};
FIXTURE_VARIANT_ADD(diff, anon_shared_rw_mte) {
	XPROT_ROW(RW | XPROT_MTE, SH | ANON),
};
FIXTURE_VARIANT_ADD(diff, dev_shared_rw_mte) {
	XPROT_ROW(RW | XPROT_MTE, SH),
};
FIXTURE_VARIANT_ADD(diff, dev_private_r_mte) {
	XPROT_ROW(PROT_READ | XPROT_MTE, PR),
};
FIXTURE_VARIANT_ADD(diff, anon_private_rx_bti_mte) {
	XPROT_ROW(PROT_READ | PROT_EXEC | XPROT_BTI | XPROT_MTE, PR | ANON),
};

/* --- shared/private flags --- */
FIXTURE_VARIANT_ADD(diff, dev_neither_shared_nor_private) {
	.prot = RW, .flags = 0, .err = EINVAL, .validation = 1,
};
FIXTURE_VARIANT_ADD(diff, dev_shared_and_private) {
	.prot = RW, .flags = SH | PR, .err = EINVAL, .validation = 1,
	.diff = D_FLAGS_BOTH,
};

/* --- hints --- */
FIXTURE_VARIANT_ADD(diff, dev_hint_free) {
	.addr = A_TARGET, .len = L_4PAGES, .prot = RW, .flags = SH,
	.place = PL_HINT,
};
FIXTURE_VARIANT_ADD(diff, dev_hint_occupied) {
	.addr = A_TARGET, .occupant = 1, .len = L_4PAGES, .prot = RW,
	.flags = SH, .place = PL_ELSEWHERE,
};
FIXTURE_VARIANT_ADD(diff, dev_hint_partly_occupied) {
	.addr = A_TARGET, .occupant = 3, .len = L_4PAGES, .prot = RW,
	.flags = PR, .place = PL_ELSEWHERE,
};
FIXTURE_VARIANT_ADD(diff, dev_hint_unaligned) {
	.addr = A_UNALIGNED, .prot = RW, .flags = PR, .place = PL_HINT,
};
FIXTURE_VARIANT_ADD(diff, dev_hint_past_task_size) {
	.addr = A_HIGH, .prot = RW, .flags = SH, .place = PL_ELSEWHERE,
};
FIXTURE_VARIANT_ADD(diff, dev_hint_zero) {
	.addr = A_ZERO, .len = L_2PAGES, .prot = PROT_READ, .flags = SH,
};
FIXTURE_VARIANT_ADD(diff, anon_hint_free) {
	.addr = A_TARGET, .len = L_4PAGES, .prot = RW, .flags = PR | ANON,
	.place = PL_HINT,
};
FIXTURE_VARIANT_ADD(diff, anon_hint_occupied) {
	.addr = A_TARGET, .occupant = 1, .prot = RW, .flags = PR | ANON,
	.place = PL_ELSEWHERE,
};
FIXTURE_VARIANT_ADD(diff, anon_hint_unaligned) {
	.addr = A_UNALIGNED, .len = L_2PAGES, .prot = RW,
	.flags = SH | ANON, .place = PL_HINT,
};
FIXTURE_VARIANT_ADD(diff, anon_hint_past_task_size) {
	.addr = A_HIGH, .prot = RW, .flags = PR | ANON,
	.place = PL_ELSEWHERE,
};
FIXTURE_VARIANT_ADD(diff, dev_hint_tagged) {
	.addr = A_TAGGED, .len = L_2PAGES, .prot = RW, .flags = SH,
};
FIXTURE_VARIANT_ADD(diff, anon_hint_tagged) {
	.addr = A_TAGGED, .prot = RW, .flags = PR | ANON,
};
FIXTURE_VARIANT_ADD(diff, anon_hint_below_mmap_min_addr) {
	.addr = A_LOW, .prot = RW, .flags = PR | ANON,
};

/* --- MAP_FIXED --- */
FIXTURE_VARIANT_ADD(diff, dev_fixed_free) {
	.addr = A_TARGET, .len = L_4PAGES, .prot = RW, .flags = SH | FX,
};
FIXTURE_VARIANT_ADD(diff, dev_fixed_occupied) {
	.addr = A_TARGET, .occupant = 1, .len = L_4PAGES, .prot = RW,
	.flags = PR | FX,
};
FIXTURE_VARIANT_ADD(diff, dev_fixed_partly_occupied) {
	.addr = A_TARGET, .occupant = 4, .len = L_4PAGES, .prot = RW,
	.flags = SH | FX,
};
FIXTURE_VARIANT_ADD(diff, dev_fixed_unaligned) {
	.addr = A_UNALIGNED, .prot = RW, .flags = SH | FX, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(diff, dev_fixed_past_task_size) {
	.addr = A_HIGH, .prot = RW, .flags = SH | FX, .err = ENOMEM,
};
FIXTURE_VARIANT_ADD(diff, anon_fixed_free) {
	.addr = A_TARGET, .len = L_BUF1, .prot = RW, .flags = PR | FX | ANON,
};
FIXTURE_VARIANT_ADD(diff, anon_fixed_occupied) {
	.addr = A_TARGET, .occupant = 1, .prot = PROT_READ,
	.flags = SH | FX | ANON,
};
FIXTURE_VARIANT_ADD(diff, dev_fixed_tagged) {
	.addr = A_TAGGED, .prot = RW, .flags = SH | FX, .err = ENOMEM,
};
FIXTURE_VARIANT_ADD(diff, anon_noreplace_tagged) {
	.addr = A_TAGGED, .prot = RW, .flags = PR | NR | ANON, .err = ENOMEM,
};
FIXTURE_VARIANT_ADD(diff, anon_fixed_past_task_size) {
	.addr = A_HIGH, .prot = RW, .flags = PR | FX | ANON, .err = ENOMEM,
};

/* --- MAP_FIXED_NOREPLACE --- */
FIXTURE_VARIANT_ADD(diff, dev_noreplace_free) {
	.addr = A_TARGET, .len = L_BUF, .prot = RW, .flags = SH | NR,
};
FIXTURE_VARIANT_ADD(diff, dev_noreplace_occupied) {
	.addr = A_TARGET, .occupant = 1, .prot = RW, .flags = SH | NR,
	.err = EEXIST,
};
FIXTURE_VARIANT_ADD(diff, dev_noreplace_partly_occupied) {
	.addr = A_TARGET, .occupant = 4, .len = L_4PAGES, .prot = RW,
	.flags = PR | NR, .err = EEXIST,
};
FIXTURE_VARIANT_ADD(diff, dev_noreplace_unaligned) {
	.addr = A_UNALIGNED, .prot = RW, .flags = PR | NR, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(diff, dev_noreplace_past_task_size) {
	.addr = A_HIGH, .prot = RW, .flags = SH | NR, .err = ENOMEM,
};
FIXTURE_VARIANT_ADD(diff, anon_noreplace_free) {
	.addr = A_TARGET, .len = L_2PAGES, .prot = RW, .flags = PR | NR | ANON,
};
FIXTURE_VARIANT_ADD(diff, anon_noreplace_occupied) {
	.addr = A_TARGET, .occupant = 1, .len = L_4PAGES, .prot = RW,
	.flags = PR | NR | ANON, .err = EEXIST,
};

/* --- MAP_POPULATE --- */
FIXTURE_VARIANT_ADD(diff, dev_shared_populate_buffer) {
	.len = L_BUF, .prot = RW, .flags = SH | POP,
};
FIXTURE_VARIANT_ADD(diff, dev_private_populate) {
	.len = L_4PAGES, .prot = RW, .flags = PR | POP,
};
FIXTURE_VARIANT_ADD(diff, dev_shared_populate_prot_none) {
	.len = L_2PAGES, .prot = PROT_NONE, .flags = SH | POP,
};
FIXTURE_VARIANT_ADD(diff, anon_private_populate) {
	.len = L_4PAGES, .prot = RW, .flags = PR | POP | ANON,
};

/* --- pgoff --- */
FIXTURE_VARIANT_ADD(diff, dev_pgoff_middle) {
	.len = L_4PAGES, .pgoff = P_MID, .prot = RW, .flags = SH,
};
FIXTURE_VARIANT_ADD(diff, dev_pgoff_last_page) {
	.pgoff = P_LAST, .prot = PROT_READ, .flags = PR,
};
FIXTURE_VARIANT_ADD(diff, dev_pgoff_last_page_2_pages) {
	.len = L_2PAGES, .pgoff = P_LAST, .prot = RW, .flags = SH,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(diff, dev_pgoff_past_end) {
	.pgoff = P_END, .prot = RW, .flags = SH, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(diff, dev_pgoff_far) {
	.pgoff = P_FAR, .prot = PROT_READ, .flags = PR, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(diff, dev_pgoff_max) {
	.pgoff = P_MAX, .prot = RW, .flags = SH, .err = EINVAL,
	.diff = D_OFFSET_OVERFLOW,
};
FIXTURE_VARIANT_ADD(diff, dev_pgoff_overflow) {
	.pgoff = P_OVERFLOW, .prot = RW, .flags = SH, .err = EOVERFLOW,
	.validation = 1, .diff = D_PGOFF_INEXPRESSIBLE,
};
FIXTURE_VARIANT_ADD(diff, dev_offset_unaligned) {
	.prot = RW, .flags = SH, .diff = D_OFFSET_UNALIGNED,
};
FIXTURE_VARIANT_ADD(diff, anon_private_pgoff_middle) {
	.pgoff = P_MID, .prot = RW, .flags = PR | ANON,
};
FIXTURE_VARIANT_ADD(diff, anon_shared_pgoff_far) {
	.pgoff = P_FAR, .prot = RW, .flags = SH | ANON,
};
FIXTURE_VARIANT_ADD(diff, anon_private_pgoff_max) {
	.pgoff = P_MAX, .prot = RW, .flags = PR | ANON, .err = EINVAL,
	.diff = D_OFFSET_OVERFLOW,
};

/* --- fd opened O_RDONLY --- */
FIXTURE_VARIANT_ADD(diff, rdonly_fd_shared_rw) {
	.rdonly = 1, .prot = RW, .flags = SH, .err = EACCES,
};
FIXTURE_VARIANT_ADD(diff, rdonly_fd_shared_w_only) {
	.rdonly = 1, .prot = PROT_WRITE, .flags = SH | FX, .addr = A_TARGET,
	.err = EACCES,
};
FIXTURE_VARIANT_ADD(diff, rdonly_fd_shared_r) {
	.rdonly = 1, .len = L_BUF, .prot = PROT_READ, .flags = SH,
};
FIXTURE_VARIANT_ADD(diff, rdonly_fd_private_rw) {
	.rdonly = 1, .len = L_2PAGES, .prot = RW, .flags = PR,
};

/* One run of a row: through the ioctl or through mmap(2). */
struct run {
	const char *how;
	int err;			/* 0 or errno */
	unsigned long mapped;		/* 0 on error */
	struct mmap_test_vma_report before;
	struct mmap_test_vma_report rep;	/* QUERY(mapped) on success */
	unsigned long maps_start, maps_end;
	char perms[8];
	char path[256];
	__u64 live_vmas;		/* per-file live VMAs while mapped */
	int greeting;			/* page 0 shows the greeting */
};

/* The arguments of one run. */
struct args {
	unsigned long addr;
	unsigned long len;
	unsigned long pgoff;
	__u32 prot;
	__u32 flags;
	int fd;
};

#define MAPS_MAX	1024

/* Find the /proc/self/maps line containing @addr; 0 or -errno. */
static int maps_lookup(unsigned long addr, struct run *r)
{
	static struct mt_maps_entry tab[MAPS_MAX];
	int n, i;

	n = mt_maps_read(0, tab, MAPS_MAX, 0);
	if (n < 0)
		return n;
	i = mt_maps_lookup(tab, n, addr);
	if (i < 0)
		return -ENOENT;
	r->maps_start = tab[i].start;
	r->maps_end = tab[i].end;
	snprintf(r->perms, sizeof(r->perms), "%s", tab[i].perms);
	snprintf(r->path, sizeof(r->path), "%s", tab[i].path);
	return 0;
}

static int map_flags(__u32 f)
{
	int m = 0;

	if (f & MMAP_TEST_SHARED)
		m |= MAP_SHARED;
	if (f & MMAP_TEST_PRIVATE)
		m |= MAP_PRIVATE;
	if (f & MMAP_TEST_FIXED)
		m |= MAP_FIXED;
	if (f & MMAP_TEST_FIXED_NOREPLACE)
		m |= MAP_FIXED_NOREPLACE;
	if (f & MMAP_TEST_POPULATE)
		m |= MAP_POPULATE;
	if (f & MMAP_TEST_ANON)
		m |= MAP_ANONYMOUS;
	return m;
}

static void report_fields(const struct mmap_test_vma_report *r, char *buf,
			  size_t n)
{
	snprintf(buf, n,
		 "addr %#llx [%#llx,%#llx) gap %#llx flags %#llx pgoff %#llx found %u contains %u backing %s nr_vmas %u",
		 (unsigned long long)r->addr, (unsigned long long)r->vm_start,
		 (unsigned long long)r->vm_end, (unsigned long long)r->gap,
		 (unsigned long long)r->flags,
		 (unsigned long long)r->vm_pgoff, r->found, r->contains,
		 mt_backing_name(r->backing), r->nr_vmas);
}

FIXTURE_SETUP(diff)
{
	struct statvfs sv;
	void *p;

	self->ro_fd = -1;
	mt_ctx_setup(_metadata, &self->c, 0);
	ASSERT_EQ(0ULL, self->c.base.pages);
	ASSERT_LE(2ULL, self->c.bp);
	if (variant->rdonly) {
		self->ro_fd = mt_ctx_open(&self->c, O_RDONLY);
		ASSERT_LE(0, self->ro_fd) TH_LOG("open O_RDONLY: %s",
						 strerror(errno));
		/* The baseline must count both of the test's files. */
		mt_ctx_rebase(_metadata, &self->c);
	}
	ASSERT_EQ(0, fstatvfs(self->c.fd, &sv));
	self->dev_noexec = !!(sv.f_flag & ST_NOEXEC);

	self->arena_pages = TARGET_PAGE + self->c.bp + 1 + GUARD_PAGES;
	if (self->arena_pages < ARENA_PAGES)
		self->arena_pages = ARENA_PAGES;
	p = mmap(NULL, self->arena_pages * pg, PROT_NONE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	self->arena = p;
}

/*
 * Besides the fixture's own checks: the O_RDONLY file has no VMA left
 * either.  No ASSERT_*() here (see mt_ctx_teardown()).
 */
FIXTURE_TEARDOWN(diff)
{
	struct mmap_test_stats st;

	if (self->arena)
		munmap(self->arena, self->arena_pages * pg);
	if (self->ro_fd >= 0) {
		EXPECT_EQ(0, mt_ioctl_stats(self->ro_fd, &st));
		EXPECT_EQ(0ULL, st.live_vmas);
	}
	mt_ctx_teardown(_metadata, &self->c);
}

/* Reset the arena to the row's initial state. */
static int prepare(struct __test_metadata *_metadata,
		   FIXTURE_DATA(diff) *self,
		   const FIXTURE_VARIANT(diff) *variant)
{
	unsigned long size = self->arena_pages * pg;
	char *target = self->arena + TARGET_PAGE * pg;
	void *p;

	p = mmap(self->arena, size, PROT_NONE,
		 MAP_FIXED | MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != self->arena) {
		TH_LOG("re-reserving the arena: %s", strerror(errno));
		return -1;
	}
	if (munmap(self->arena + GUARD_PAGES * pg,
		   (self->arena_pages - 2 * GUARD_PAGES) * pg)) {
		TH_LOG("opening the hole: %s", strerror(errno));
		return -1;
	}
	if (variant->occupant) {
		target += (variant->occupant - 1) * pg;
		p = mmap(target, OCCUPANT_PAGES * pg, PROT_READ,
			 MAP_FIXED | MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p != target) {
			TH_LOG("placing the occupant: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* HIGH_ADDR, or TASK_SIZE where HIGH_ADDR is below it (s390x). */
static unsigned long high_addr(void)
{
	unsigned long ts = mt_mem_task_size(NULL);

	return HIGH_ADDR >= ts ? HIGH_ADDR : ts;
}

static unsigned long row_addr(FIXTURE_DATA(diff) *self,
			      const FIXTURE_VARIANT(diff) *variant)
{
	unsigned long target = (unsigned long)self->arena + TARGET_PAGE * pg;

	switch (variant->addr) {
	case A_ZERO:
		return 0;
	case A_TARGET:
		return target;
	case A_UNALIGNED:
		return target + 0x123;
	case A_HIGH:
		return high_addr();
	case A_LOW:
		return 0x1000;
	case A_TAGGED:
		return target | ADDR_TAG;
	}
	return 0;
}

static unsigned long row_len(FIXTURE_DATA(diff) *self,
			     const FIXTURE_VARIANT(diff) *variant)
{
	switch (variant->len) {
	case L_PAGE:
		return pg;
	case L_1BYTE:
		return 1;
	case L_2PAGES:
		return 2 * pg;
	case L_4PAGES:
		return 4 * pg;
	case L_BUF:
		return self->c.bp * pg;
	case L_BUF1:
		return (self->c.bp + 1) * pg;
	case L_ZERO:
		return 0;
	case L_HUGE:
		return 1UL << 62;
	case L_WRAP:
		return ULONG_MAX - 100;
	}
	return 0;
}

static unsigned long row_pgoff(FIXTURE_DATA(diff) *self,
			       const FIXTURE_VARIANT(diff) *variant)
{
	unsigned long maxpg = ULONG_MAX / pg;

	switch (variant->pgoff) {
	case P_ZERO:
		return 0;
	case P_MID:
		return self->c.bp / 2;
	case P_LAST:
		return self->c.bp - 1;
	case P_END:
		return self->c.bp;
	case P_FAR:
		return 1UL << 32;
	case P_MAX:
		return maxpg;
	case P_OVERFLOW:
		return maxpg + 1;
	}
	return 0;
}

static void build_args(FIXTURE_DATA(diff) *self,
		       const FIXTURE_VARIANT(diff) *variant, struct args *a)
{
	memset(a, 0, sizeof(*a));
	a->addr = row_addr(self, variant);
	a->len = row_len(self, variant);
	a->pgoff = row_pgoff(self, variant);
	a->prot = variant->prot;
	a->flags = variant->flags;
	a->fd = variant->rdonly ? self->ro_fd : self->c.fd;
}

/* Record what the new mapping looks like, then remove it. */
static void inspect(struct __test_metadata *_metadata,
		    FIXTURE_DATA(diff) *self, const struct args *a,
		    struct run *r, int via_ioctl)
{
	struct mmap_test_stats st;
	struct mmap_test_vma_report after;
	unsigned long alen = mt_mem_page_align(a->len);

	ASSERT_EQ(0, mt_ioctl_query(self->c.fd, r->mapped, &r->rep));
	ASSERT_EQ(0, maps_lookup(r->mapped, r)) {
		TH_LOG("%s: %#lx not in /proc/self/maps", r->how, r->mapped);
	}
	ASSERT_EQ(0, mt_ioctl_stats(a->fd, &st));
	r->live_vmas = st.live_vmas;
	if (!(a->flags & MMAP_TEST_ANON) && (a->prot & PROT_READ) &&
	    a->pgoff == 0)
		r->greeting = !memcmp((void *)r->mapped, MMAP_TEST_GREETING,
				      sizeof(MMAP_TEST_GREETING));

	if (via_ioctl) {
		ASSERT_EQ(0, mt_ioctl_free(self->c.fd, r->mapped, alen));
	} else {
		ASSERT_EQ(0, munmap((void *)r->mapped, alen));
	}
	ASSERT_EQ(0, mt_ioctl_query(self->c.fd, r->mapped, &after));
	EXPECT_EQ(0U, after.contains) {
		TH_LOG("%s: %#lx still mapped after unmapping", r->how,
		       r->mapped);
	}
	ASSERT_EQ(0, mt_ioctl_stats(a->fd, &st));
	EXPECT_EQ(0ULL, st.live_vmas);
}

static void run_ioctl(struct __test_metadata *_metadata,
		      FIXTURE_DATA(diff) *self,
		      const FIXTURE_VARIANT(diff) *variant,
		      const struct args *a, struct run *r)
{
	struct mmap_test_alloc al;
	struct mmap_test_alloc poison;
	char buf[256];

	memset(r, 0, sizeof(*r));
	r->how = "ioctl";
	ASSERT_EQ(0, prepare(_metadata, self, variant));

	memset(&al, 0xa5, sizeof(al));
	al.addr = a->addr;
	al.len = a->len;
	al.pgoff = a->pgoff;
	al.prot = a->prot;
	al.flags = a->flags;
	memset(al.reserved, 0, sizeof(al.reserved));
	poison = al;
	r->err = -mt_ioctl(a->fd, IOCTL_ALLOC_VMA, &al);

	if (r->err && variant->validation) {
		/* Validation errors copy nothing out. */
		EXPECT_EQ(0, memcmp(&al, &poison, sizeof(al))) {
			TH_LOG("ALLOC failed validation (%s) but wrote to its argument",
			       mt_errno_name(r->err));
		}
		return;
	}
	r->before = al.before;
	if (r->err) {
		EXPECT_EQ(0ULL, al.mapped) {
			TH_LOG("ALLOC failed (%s) but mapped = %#llx",
			       mt_errno_name(r->err),
			       (unsigned long long)al.mapped);
		}
		report_fields(&al.before, buf, sizeof(buf));
		TH_LOG("ioctl: %s, before: %s", mt_errno_name(r->err), buf);
		return;
	}
	r->mapped = al.mapped;
	ASSERT_NE(0UL, r->mapped);
	inspect(_metadata, self, a, r, 1);
}

static void run_mmap(struct __test_metadata *_metadata,
		     FIXTURE_DATA(diff) *self,
		     const FIXTURE_VARIANT(diff) *variant,
		     const struct args *a, unsigned long off_bytes,
		     struct run *r)
{
	int anon = a->flags & MMAP_TEST_ANON;
	long ret;

	memset(r, 0, sizeof(*r));
	r->how = "mmap(2)";
	ASSERT_EQ(0, prepare(_metadata, self, variant));
	ASSERT_EQ(0, mt_ioctl_query(self->c.fd, a->addr, &r->before));

	/* The raw system call: no libc check in between. */
	ret = mt_mem_sys_mmap(a->addr, a->len, a->prot, map_flags(a->flags),
			      anon ? -1 : a->fd, off_bytes);
	if (ret == -1) {
		r->err = errno;
		return;
	}
	r->mapped = (unsigned long)ret;
	inspect(_metadata, self, a, r, 0);
}

/* The backing class, pgoff, path and live VMAs of a successful run. */
static void check_backing(struct __test_metadata *_metadata,
			  const struct args *a, const struct run *r)
{
	int anon = a->flags & MMAP_TEST_ANON;
	int shared = a->flags & MMAP_TEST_SHARED;

	if (!anon) {
		EXPECT_EQ((__u32)MMAP_TEST_BACKING_DEVICE, r->rep.backing);
		EXPECT_EQ(a->pgoff, r->rep.vm_pgoff);
		EXPECT_EQ(VF_DONTEXPAND | VF_DONTDUMP,
			  r->rep.flags & (VF_DONTEXPAND | VF_DONTDUMP));
		EXPECT_TRUE(strstr(r->path, "mmap-test") != NULL) {
			TH_LOG("maps path \"%s\"", r->path);
		}
		EXPECT_EQ(1ULL, r->live_vmas);
		if ((a->prot & PROT_READ) && a->pgoff == 0)
			EXPECT_EQ(1, r->greeting);
	} else if (shared) {
		/* MAP_SHARED|MAP_ANONYMOUS is a shmem file. */
		EXPECT_EQ((__u32)MMAP_TEST_BACKING_FILE, r->rep.backing);
		EXPECT_EQ(0ULL, r->rep.vm_pgoff);
		EXPECT_EQ(0ULL, r->live_vmas);
	} else {
		EXPECT_EQ((__u32)MMAP_TEST_BACKING_ANON, r->rep.backing);
		EXPECT_EQ(r->mapped / pg, r->rep.vm_pgoff);
		EXPECT_STREQ("", r->path);
		EXPECT_EQ(0ULL, r->live_vmas);
	}
}

/* Where a successful run without FIXED landed, against the row's hint. */
static void check_placement(struct __test_metadata *_metadata,
			    const FIXTURE_VARIANT(diff) *variant,
			    const struct args *a, const struct run *r)
{
	unsigned long hint = a->addr & ~(pg - 1);
	int honoured = r->mapped == hint || r->mapped == hint + pg;

	if ((a->flags & (MMAP_TEST_FIXED | MMAP_TEST_FIXED_NOREPLACE)) ||
	    !a->addr)
		return;
	if (variant->place == PL_HINT)
		EXPECT_TRUE(honoured) {
			TH_LOG("%s: hint %#lx not honoured (%#lx)",
			       r->how, a->addr, r->mapped);
		}
	if (variant->place == PL_ELSEWHERE)
		EXPECT_FALSE(honoured) {
			TH_LOG("%s: hint %#lx honoured", r->how, a->addr);
		}
}

/* What the contract says a successful run must look like. */
static void check_expected(struct __test_metadata *_metadata,
			   FIXTURE_DATA(diff) *self,
			   const FIXTURE_VARIANT(diff) *variant,
			   const struct args *a, const struct run *r)
{
	unsigned long alen = mt_mem_page_align(a->len);
	int anon = a->flags & MMAP_TEST_ANON;
	int shared = a->flags & MMAP_TEST_SHARED;
	unsigned long long want_bits, got_bits;
	char perms[8];
	char buf[256];

	report_fields(&r->rep, buf, sizeof(buf));
	TH_LOG("%s: mapped %#lx, maps \"%s %s\", query %s", r->how, r->mapped,
	       r->perms, r->path, buf);

	if (a->flags & (MMAP_TEST_FIXED | MMAP_TEST_FIXED_NOREPLACE))
		EXPECT_EQ(a->addr, r->mapped);
	EXPECT_EQ(1U, r->rep.found);
	EXPECT_EQ(1U, r->rep.contains);
	EXPECT_EQ(r->mapped, r->rep.addr);
	EXPECT_EQ(r->mapped, r->rep.vm_start);
	EXPECT_EQ(r->mapped + alen, r->rep.vm_end);
	EXPECT_EQ(r->rep.vm_start, r->maps_start);
	EXPECT_EQ(r->rep.vm_end, r->maps_end);

	snprintf(perms, sizeof(perms), "%c%c%c%c",
		 a->prot & PROT_READ ? 'r' : '-',
		 a->prot & PROT_WRITE ? 'w' : '-',
		 a->prot & PROT_EXEC ? 'x' : '-', shared ? 's' : 'p');
	EXPECT_STREQ(perms, r->perms);

	/*
	 * A shared mapping of a file opened without FMODE_WRITE loses
	 * VM_SHARED and VM_MAYWRITE in do_mmap() (it can never write the
	 * file, so it behaves like a private one) but keeps VM_MAYSHARE,
	 * which is what /proc/<pid>/maps shows as 's'.
	 */
	want_bits = (a->prot & PROT_READ ? VF_READ : 0) |
		    (a->prot & PROT_WRITE ? VF_WRITE : 0) |
		    (a->prot & PROT_EXEC ? VF_EXEC : 0) |
		    (shared ? VF_MAYSHARE : 0) |
		    (shared && !(variant->rdonly && !anon) ? VF_SHARED : 0);
	got_bits = r->rep.flags & (VF_READ | VF_WRITE | VF_EXEC |
				   VF_SHARED | VF_MAYSHARE);
	EXPECT_EQ(want_bits, got_bits);
	if (variant->rdonly && shared && !anon)
		EXPECT_EQ(0ULL, r->rep.flags & VF_MAYWRITE);

	check_backing(_metadata, a, r);
	check_placement(_metadata, variant, a, r);
}

/* Both runs succeeded: the VMAs must be the same. */
static void compare_runs(struct __test_metadata *_metadata,
			 const struct run *io, const struct run *mm)
{
	char b1[256], b2[256];

	EXPECT_EQ(io->mapped, mm->mapped) {
		TH_LOG("placement differs: ioctl %#lx, mmap(2) %#lx",
		       io->mapped, mm->mapped);
	}
	EXPECT_EQ(io->rep.vm_end - io->rep.vm_start,
		  mm->rep.vm_end - mm->rep.vm_start);
	EXPECT_EQ(io->rep.flags, mm->rep.flags);
	EXPECT_EQ(io->rep.vm_pgoff, mm->rep.vm_pgoff);
	EXPECT_EQ(io->rep.backing, mm->rep.backing);
	EXPECT_EQ(io->rep.nr_vmas, mm->rep.nr_vmas);
	EXPECT_EQ(0, memcmp(&io->rep, &mm->rep, sizeof(io->rep))) {
		report_fields(&io->rep, b1, sizeof(b1));
		report_fields(&mm->rep, b2, sizeof(b2));
		TH_LOG("QUERY differs:\n  ioctl   %s\n  mmap(2) %s", b1, b2);
	}
	EXPECT_STREQ(io->perms, mm->perms);
	EXPECT_STREQ(io->path, mm->path);
	EXPECT_EQ(io->maps_end - io->maps_start, mm->maps_end - mm->maps_start);
	EXPECT_EQ(io->live_vmas, mm->live_vmas);
	EXPECT_EQ(io->greeting, mm->greeting);
}

/* Both runs of @a succeeded: each is what @a asks for, and they agree. */
static void check_both(struct __test_metadata *_metadata,
		       FIXTURE_DATA(diff) *self,
		       const FIXTURE_VARIANT(diff) *variant,
		       const struct args *a, const struct run *io,
		       const struct run *mm)
{
	check_expected(_metadata, self, variant, a, io);
	check_expected(_metadata, self, variant, a, mm);
	compare_runs(_metadata, io, mm);
}

/*
 * The errno the contract gives this row on this machine: executable
 * device mappings on a noexec /dev give EPERM everywhere, and so does
 * PROT_MTE on the device (EINVAL) where the CPU has MTE.
 */
static int row_err(struct __test_metadata *_metadata,
		   FIXTURE_DATA(diff) *self,
		   const FIXTURE_VARIANT(diff) *variant, const struct args *a)
{
	unsigned long ts = mt_mem_task_size(NULL);
	int want = variant->err;

	/*
	 * The rows that expect ENOMEM because the range passes TASK_SIZE,
	 * where it does not: s390x's user space ends at 2^64 minus a page,
	 * so a tagged address is an ordinary one (MAP_FIXED maps there) and
	 * 2^62 bytes is a length that only the device's buffer refuses
	 * (EINVAL, as for buffer_plus_page) or anonymous memory's
	 * accounting (ENOMEM).
	 */
	if (want == ENOMEM && variant->addr == A_TAGGED &&
	    a->addr + a->len <= ts) {
		TH_LOG("the tagged address %#lx is below TASK_SIZE %#lx here: an ordinary user address",
		       a->addr, ts);
		want = 0;
	}
	if (want == ENOMEM && variant->len == L_HUGE && a->len <= ts &&
	    !(a->flags & MMAP_TEST_ANON)) {
		TH_LOG("len %#lx is below TASK_SIZE %#lx here: the device refuses what passes its buffer (EINVAL)",
		       a->len, ts);
		want = EINVAL;
	}

	if (!want && (a->prot & PROT_EXEC) && !(a->flags & MMAP_TEST_ANON) &&
	    self->dev_noexec) {
		TH_LOG("%s is on a noexec mount: PROT_EXEC gives EPERM",
		       MMAP_TEST_DEVICE);
		want = EPERM;
	}

#ifdef __aarch64__
	/* PROT_MTE on a CPU with MTE: only RAM that can hold tags. */
	if (!want && (a->prot & PROT_MTE) && !(a->flags & MMAP_TEST_ANON) &&
	    (getauxval(AT_HWCAP2) & HWCAP2_MTE)) {
		TH_LOG("the CPU has MTE: PROT_MTE on the device gives EINVAL");
		want = EINVAL;
	}
#endif
	return want;
}

/* D_OFFSET_UNALIGNED: mmap(2) alone, then the row at offset 0. */
static void diff_offset_unaligned(struct __test_metadata *_metadata,
				  FIXTURE_DATA(diff) *self,
				  const FIXTURE_VARIANT(diff) *variant,
				  const struct args *a)
{
	struct run io, mm;

	TH_LOG("documented difference: a byte offset that is not page aligned exists only for mmap(2) (EINVAL); ALLOC's pgoff is in pages");
	run_mmap(_metadata, self, variant, a, 0x123, &mm);
	EXPECT_EQ(EINVAL, mm.err);
	/* The same row with the offset rounded down to a page. */
	run_ioctl(_metadata, self, variant, a, &io);
	run_mmap(_metadata, self, variant, a, 0, &mm);
	ASSERT_EQ(0, io.err);
	ASSERT_EQ(0, mm.err);
	check_both(_metadata, self, variant, a, &io, &mm);
}

/*
 * D_PROT_UNKNOWN, D_FLAGS_BOTH: ALLOC refuses what mmap(2) maps; mmap(2)'s
 * VMA must be ALLOC's of the corrected request.
 */
static void diff_corrected(struct __test_metadata *_metadata,
			   FIXTURE_DATA(diff) *self,
			   const FIXTURE_VARIANT(diff) *variant,
			   const struct args *a, int want)
{
	struct run io, mm;
	struct args ref;

	if (variant->diff == D_PROT_UNKNOWN)
		TH_LOG("documented difference: ALLOC rejects prot bits that mmap(2) does not know on this architecture (EINVAL); mmap(2) ignores them, so it maps as if they were absent");
	else
		TH_LOG("documented difference: ALLOC wants exactly one of SHARED and PRIVATE (EINVAL); for mmap(2), MAP_SHARED|MAP_PRIVATE is MAP_SHARED_VALIDATE, a shared mapping");
	run_ioctl(_metadata, self, variant, a, &io);
	EXPECT_EQ(want, io.err);
	run_mmap(_metadata, self, variant, a, a->pgoff * pg, &mm);
	if (variant->diff == D_PROT_UNKNOWN && MMAP_VALIDATES_PROT) {
		/* no difference here: mmap(2) refuses them too */
		EXPECT_EQ(EINVAL, mm.err);
		return;
	}
	ASSERT_EQ(0, mm.err) {
		TH_LOG("mmap(2): %s", mt_errno_name(mm.err));
	}
	/* mmap(2)'s VMA must be ALLOC's of the corrected request. */
	ref = *a;
	ref.prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	if (variant->diff == D_FLAGS_BOTH)
		ref.flags &= ~MMAP_TEST_PRIVATE;
	run_ioctl(_metadata, self, variant, &ref, &io);
	ASSERT_EQ(0, io.err) {
		TH_LOG("corrected ALLOC: %s", mt_errno_name(io.err));
	}
	check_both(_metadata, self, variant, &ref, &io, &mm);
}

/* D_OFFSET_OVERFLOW: ALLOC's EINVAL against what do_mmap() makes of it. */
static void diff_offset_overflow(struct __test_metadata *_metadata,
				 FIXTURE_DATA(diff) *self,
				 const FIXTURE_VARIANT(diff) *variant,
				 const struct args *a, int want)
{
	struct run io, mm;

	run_ioctl(_metadata, self, variant, a, &io);
	EXPECT_EQ(want, io.err) {
		TH_LOG("ioctl: %s, want %s", mt_errno_name(io.err),
		       mt_errno_name(want));
	}
	run_mmap(_metadata, self, variant, a, a->pgoff * pg, &mm);
	TH_LOG("documented difference: byte offset %#lx + len overflows: vm_mmap() (ALLOC) checks that first (EINVAL); mmap(2) hands pgoff to do_mmap(): %s",
	       a->pgoff * pg, mm.err ? mt_errno_name(mm.err) : "success");
	if (!(a->flags & MMAP_TEST_ANON)) {
		/* file_mmap_ok() */
		EXPECT_EQ(EOVERFLOW, mm.err);
	} else if (MMAP_OFFSET_SIGNED && (long)(a->pgoff * pg) < 0) {
		/*
		 * riscv64's mmap(2) takes the offset as a signed off_t and
		 * shifts it arithmetically (riscv_sys_mmap()): pgoff is then
		 * all ones, and do_mmap()'s "offset overflow?" check, made
		 * before anonymous mappings drop pgoff, says EOVERFLOW.
		 */
		EXPECT_EQ(EOVERFLOW, mm.err);
	} else {
		/* Anonymous mmap(2) ignores pgoff. */
		EXPECT_EQ(0, mm.err);
		if (!mm.err)
			check_expected(_metadata, self, variant, a, &mm);
	}
}

/* ALLOC's "before" report against the QUERY taken before mmap(2). */
static void compare_before(struct __test_metadata *_metadata,
			   const FIXTURE_VARIANT(diff) *variant,
			   const struct args *a, const struct run *io,
			   const struct run *mm)
{
	char b1[256], b2[256];

	if (variant->validation)
		return;
	if (variant->addr == A_TAGGED) {
		/*
		 * QUERY untags its address (like munmap(2)); ALLOC's before
		 * is find_vma() of the address vm_mmap() gets, tagged, as
		 * mmap(2) leaves it: above TASK_SIZE (on s390x above every
		 * VMA), nothing there.
		 */
		EXPECT_EQ(a->addr, io->before.addr);
		EXPECT_EQ(0U, io->before.found);
		return;
	}
	/* ALLOC's "before" is find_vma(addr) in the same state as
	 * the QUERY taken just before mmap(2). */
	EXPECT_EQ(0, memcmp(&io->before, &mm->before, sizeof(io->before))) {
		report_fields(&io->before, b1, sizeof(b1));
		report_fields(&mm->before, b2, sizeof(b2));
		TH_LOG("before differs:\n  ALLOC %s\n  QUERY %s", b1, b2);
	}
}

TEST_F(diff, ioctl_vs_mmap)
{
	struct args a;
	struct run io, mm;
	char fl[96], pr[16];
	int want;

	build_args(self, variant, &a);
	mt_format_flags(a.flags, fl, sizeof(fl));
	mt_format_prot(a.prot, pr, sizeof(pr));
	TH_LOG("addr %#lx len %#lx pgoff %#lx prot %s flags %s fd %s",
	       a.addr, a.len, a.pgoff, pr, fl,
	       variant->rdonly ? "O_RDONLY" : "O_RDWR");
	want = row_err(_metadata, self, variant, &a);

	switch (variant->diff) {
	case D_NONE:
		break;
	case D_PGOFF_INEXPRESSIBLE:
		TH_LOG("documented difference: pgoff %#lx > ULONG_MAX >> PAGE_SHIFT: ALLOC gives EOVERFLOW; mmap(2) takes a byte offset and cannot express it, so only the ioctl runs",
		       a.pgoff);
		run_ioctl(_metadata, self, variant, &a, &io);
		EXPECT_EQ(EOVERFLOW, io.err);
		return;
	case D_OFFSET_UNALIGNED:
		diff_offset_unaligned(_metadata, self, variant, &a);
		return;
	case D_PROT_UNKNOWN:
	case D_FLAGS_BOTH:
		diff_corrected(_metadata, self, variant, &a, want);
		return;
	case D_OFFSET_OVERFLOW:
		diff_offset_overflow(_metadata, self, variant, &a, want);
		return;
	}

	run_ioctl(_metadata, self, variant, &a, &io);
	run_mmap(_metadata, self, variant, &a, a.pgoff * pg, &mm);
	TH_LOG("ioctl: %s %#lx; mmap(2): %s %#lx", mt_errno_name(io.err),
	       io.mapped, mt_errno_name(mm.err), mm.mapped);

	EXPECT_EQ(want, io.err) {
		TH_LOG("ioctl: %s, contract says %s", mt_errno_name(io.err),
		       mt_errno_name(want));
	}
	ASSERT_EQ(io.err, mm.err) {
		TH_LOG("errno differs: ioctl %s, mmap(2) %s",
		       mt_errno_name(io.err), mt_errno_name(mm.err));
	}
	compare_before(_metadata, variant, &a, &io, &mm);
	if (io.err)
		return;
	check_both(_metadata, self, variant, &a, &io, &mm);
}

TEST_HARNESS_MAIN
