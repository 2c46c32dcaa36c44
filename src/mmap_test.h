/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmap-test internals shared by main.c, vma.c and ioctl.c.
 */
#ifndef MMAP_TEST_H
#define MMAP_TEST_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include "compat.h"

/* Per-ioctl result counts: errno 0 .. MMAP_TEST_NR_ERRNO - 2, then "other". */
enum mmap_test_op {
	MMAP_TEST_OP_ALLOC,
	MMAP_TEST_OP_FREE,
	MMAP_TEST_OP_QUERY,
	MMAP_TEST_OP_STATS,
	MMAP_TEST_OP_UNKNOWN,
	MMAP_TEST_NR_OPS
};

#define MMAP_TEST_NR_ERRNO	136

/**
 * struct mmap_test_dev - the device and its module-wide counters
 * @misc: the misc device /dev/mmap-test
 * @debugfs: directory /sys/kernel/debug/mmap_test
 * @files: open files (each owns a buffer)
 * @pages: buffer pages allocated, all files
 * @live_vmas: VMAs of the device alive, all files
 * @faults: faults served, all files
 * @vma_lock_faults: ->fault calls made under the per-VMA lock
 *	(FAULT_FLAG_VMA_LOCK, 6.4+) rather than mmap_lock, all files
 * @results: ioctl results by command and errno (index -ret)
 * @log_lock: protects the rate limit of the ALLOC/FREE/QUERY log lines:
 * @log_window: when (jiffies) the current window began
 * @log_lines: lines logged in the current window
 * @log_missed: lines suppressed since the last "suppressed" line
 * @log_suppressed: lines suppressed since the module was loaded
 */
struct mmap_test_dev {
	struct miscdevice misc;
	struct dentry *debugfs;
	atomic_long_t files;
	atomic_long_t pages;
	atomic_long_t live_vmas;
	atomic_long_t faults;
	atomic_long_t vma_lock_faults;
	atomic_long_t results[MMAP_TEST_NR_OPS][MMAP_TEST_NR_ERRNO];
	spinlock_t log_lock;	/* log_window, log_lines, log_missed */
	unsigned long log_window;
	unsigned int log_lines;
	unsigned long log_missed;
	atomic_long_t log_suppressed;
};

/**
 * struct mmap_test_file - one open file of the device
 * @dev: the device
 * @inode: the buffer's own inode, from the module's pseudo filesystem;
 *	the file's f_mapping is its page cache, which holds the buffer's
 *	pages: created on first use, unevictable, freed when the file is
 *	released (iput() truncates the page cache)
 * @nr_pages: size of the buffer in pages, fixed at open (the inode's
 *	i_size)
 * @allocated: buffer pages created (zero-filled) in the page cache
 * @faults: faults served on mappings of this file
 * @pages_around: pages mapped by fault-around
 * @live_vmas: VMAs of this file now alive
 * @vma_opens: vm_ops->open calls
 * @vma_closes: vm_ops->close calls
 * @huge: huge=1 and the buffer holds at least one PMD: PMD-size folios
 *	for its PMD-aligned ranges, PMD-aligned placement of its mappings
 */
struct mmap_test_file {
	struct mmap_test_dev *dev;
	struct inode *inode;
	unsigned long nr_pages;
	atomic_long_t allocated;
	atomic_long_t faults;
	atomic_long_t pages_around;
	atomic_long_t live_vmas;
	atomic_long_t vma_opens;
	atomic_long_t vma_closes;
	bool huge;
};

extern bool mmap_test_dump_stack;

static inline struct device *mmap_test_device(struct mmap_test_file *mf)
{
	return mf->dev->misc.this_device;
}

bool mmap_test_is_device_file(const struct file *file);
struct page *mmap_test_get_page(struct mmap_test_file *mf, pgoff_t index);
void mmap_test_fill(struct mmap_test_file *mf, pgoff_t first, pgoff_t last);
int mmap_test_mmap(struct file *filp, struct vm_area_struct *vma);
#ifdef MT_HAVE_MMAP_PREPARE_PATH
int mmap_test_mmap_prepare(struct vm_area_desc *desc);
#endif
unsigned long mmap_test_get_unmapped_area(struct file *filp,
					  unsigned long addr,
					  unsigned long len,
					  unsigned long pgoff,
					  unsigned long flags);
long mmap_test_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);

#endif /* MMAP_TEST_H */
