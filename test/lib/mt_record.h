/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mt_record.h - the input format of mmap-test-fuzz --guided, and the
 * recorder that writes it from the test programs (seeds).
 *
 * An input file is the 8 bytes MT_REC_MAGIC followed by records, each a
 * struct mt_rec (40 bytes, host byte order) and then @len bytes of data:
 *
 *   op        MT_REC_IOCTL: ioctl(fds[fd], cmd, pointer); the data is the
 *             argument block, placed as @ptr says (MT_PTR_*); ALLOC's
 *             and FREE's numbers (any size and direction bits) get their
 *             address confined (the fuzzer's arena).  MT_REC_REL in
 *             @flags: the address (the block's first u64) is an offset
 *             from the start of mapping @c, or for @c >= MT_REC_ANCHOR
 *             from the fuzzer's stack, heap end, text, vDSO or arena
 *             ((@c - MT_REC_ANCHOR) % 5).
 *             MT_REC_TOUCH: read (@ptr MT_ACCESS_READ), write or increment
 *             the byte at offset @b of mapping @a, under a SIGSEGV/SIGBUS
 *             guard.
 *             MT_REC_READ / MT_REC_WRITE: read(2)/write(2) @a bytes on
 *             fds[fd] (written: the data), buffer placed as @ptr says.
 *             MT_REC_LSEEK: lseek(fds[fd], @a, whence @cmd).
 *             MT_REC_MMAP: mmap(2) of fds[fd]: hint or fixed address @a
 *             (confined), length @b, offset @c, prot @cmd & 0xff, and
 *             MT_MMAP_* bits in @cmd >> 8.
 *             MT_REC_MPROTECT / MT_REC_MADVISE: pages [@b, @b + @c) of
 *             mapping @a, prot / the @cmd-th advice of the fuzzer's table.
 *             MT_REC_MREMAP: mapping @a to @b pages, MREMAP_MAYMOVE when
 *             @cmd & 1.
 *             MT_REC_MUNMAP: @cmd & 1: pages [@b, @b + @c) of mapping @a;
 *             else munmap(@a, @b), confined like FREE.
 *             MT_REC_REOPEN: close fds[fd] and open it again, O_RDONLY
 *             when @cmd & 1.
 *   fd        which of the input's fds (modulo MT_REC_FDS): 0 and 2 are
 *             opened O_RDWR, 1 O_RDONLY, fresh for every input
 *   ptr       MT_REC_IOCTL/READ/WRITE: MT_PTR_*; MT_REC_TOUCH: enum
 *             mt_access
 *   flags     MT_REC_REL
 *   len       bytes of data that follow the record (at most MT_REC_DATA)
 *
 * "Mapping k" counts back from the most recent mapping the input made
 * (successful ALLOC_VMA, mmap(2), moving mremap(2)): 0 is the newest,
 * modulo the number of mappings; nothing happens when there is none.
 *
 * The recorder: when MMAP_TEST_RECORD_DIR is set, mt_ioctl() and
 * mt_mem_touch() append each call, in this format, to
 * $MMAP_TEST_RECORD_DIR/<program>-<pid> (a fresh file per process, so a
 * forked test case writes its own).  A touch is recorded relative to the
 * most recent successful ALLOC_VMA that contains the address, or not at
 * all; FREE_VMA's and QUERY_VMA's addresses inside such a mapping are
 * recorded relative to it (MT_REC_REL).
 *
 *   mt_record_ioctl(fd, cmd, arg, ret)	 called by mt_ioctl()
 *   mt_record_touch(addr, how)		 called by mt_mem_touch()
 */
#ifndef MT_RECORD_H
#define MT_RECORD_H

#include <linux/types.h>

#define MT_REC_MAGIC	"MTFUZZ1\n"
#define MT_REC_MAGIC_LEN 8
#define MT_REC_DATA	255	/* data bytes per record, at most */
#define MT_REC_FDS	3

enum mt_rec_op {
	MT_REC_IOCTL,
	MT_REC_TOUCH,
	MT_REC_READ,
	MT_REC_WRITE,
	MT_REC_LSEEK,
	MT_REC_MMAP,
	MT_REC_MPROTECT,
	MT_REC_MADVISE,
	MT_REC_MREMAP,
	MT_REC_MUNMAP,
	MT_REC_REOPEN,
	MT_REC_NOPS
};

/* Where an argument or buffer is placed. */
enum mt_rec_ptr {
	MT_PTR_VALID,		/* in two RW pages */
	MT_PTR_END,		/* ends where a PROT_NONE page starts */
	MT_PTR_UNALIGNED,	/* valid, not 8-aligned */
	MT_PTR_RO,		/* a read-only page */
	MT_PTR_NULL,
	MT_PTR_LOW,		/* page 0 */
	MT_PTR_GUARD,		/* a PROT_NONE page */
	MT_PTR_STRADDLE,	/* the last bytes in a PROT_NONE page */
	MT_PTR_KERNEL,		/* the kernel half */
	MT_PTR_NKINDS
};

#define MT_REC_REL	0x01	/* flags: address relative to mapping @c */
#define MT_REC_ANCHOR	0x100	/* @c: relative to a fixed point instead */

/* MT_REC_MMAP: @cmd >> 8 */
#define MT_MMAP_SHARED		0x01
#define MT_MMAP_FIXED		0x02
#define MT_MMAP_NOREPLACE	0x04
#define MT_MMAP_POPULATE	0x08

struct mt_rec {
	__u8 op;
	__u8 fd;
	__u8 ptr;
	__u8 flags;
	__u8 len;
	__u8 pad[3];
	__u32 cmd;
	__u32 pad2;
	__u64 a;
	__u64 b;
	__u64 c;
};

void mt_record_ioctl(int fd, unsigned long cmd, const void *arg, int ret);
void mt_record_touch(unsigned long p, int how);

#endif /* MT_RECORD_H */
