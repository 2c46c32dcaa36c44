// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test: drive and observe the kernel's mmap machinery from a driver.
 *
 * /dev/mmap-test (misc device, mode 0600).  Each open file owns a buffer of
 * buffer_pages pages, allocated page by page on first use and freed when the
 * file is released (after its last mapping is gone: a VMA holds its file).
 * Page 0 starts with MMAP_TEST_GREETING.
 *
 *   read()/write()/lseek()  the buffer's bytes
 *   mmap()                  maps the buffer; faults serve its pages
 *   ioctl()                 IOCTL_ALLOC_VMA   vm_mmap() on the caller's mm
 *                           IOCTL_FREE_VMA    vm_munmap()
 *                           IOCTL_QUERY_VMA   what find_vma() returns
 *                           IOCTL_GET_STATS   counters
 *
 * See include/uapi/linux/mmap_test.h for the ABI.  Faults are logged with
 * dev_dbg(): load with dyndbg=+p to see "page index offset = N".  Counters
 * are also in /sys/kernel/debug/mmap_test/stats.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/mmap_test.h>
#include "mmap_test.h"

#define CREATE_TRACE_POINTS
#include "mmap_test_trace.h"

#define MMAP_TEST_MAX_PAGES	(SZ_1G / PAGE_SIZE)

static unsigned long buffer_pages = 16;
module_param(buffer_pages, ulong, 0444);
MODULE_PARM_DESC(buffer_pages,
		 "Size of each open file's buffer in pages, 1 to 1 GiB worth (default 16)");

bool mmap_test_dump_stack;
module_param_named(dump_stack, mmap_test_dump_stack, bool, 0644);
MODULE_PARM_DESC(dump_stack,
		 "dump_stack() in get_unmapped_area, mmap and fault to show the call chain (default off)");

/**
 * mmap_test_get_page() - the buffer page at @index, allocated on first use
 * @mf: the file
 * @index: page index in the buffer
 * @gfp: allocation flags if the page does not exist yet
 *
 * Return: the page (the buffer keeps its reference), ERR_PTR(-EINVAL) if
 * @index is past the buffer, ERR_PTR(-ENOMEM) if allocation failed.
 */
struct page *mmap_test_get_page(struct mmap_test_file *mf, pgoff_t index,
				gfp_t gfp)
{
	struct page *page, *old;

	if (index >= mf->nr_pages)
		return ERR_PTR(-EINVAL);

	/* Pairs with the cmpxchg() below: see the page's contents, not zeros. */
	page = smp_load_acquire(&mf->pages[index]);
	if (page)
		return page;

	page = alloc_page(gfp | __GFP_ZERO);
	if (!page)
		return ERR_PTR(-ENOMEM);
	if (index == 0)
		memcpy(page_address(page), MMAP_TEST_GREETING,
		       sizeof(MMAP_TEST_GREETING));

	/* Publish the initialised page; a concurrent first use may win. */
	old = cmpxchg(&mf->pages[index], NULL, page);
	if (old) {
		__free_page(page);
		return old;
	}
	atomic_long_inc(&mf->allocated);
	atomic_long_inc(&mf->dev->pages);
	return page;
}

static int mmap_test_open(struct inode *inode, struct file *filp)
{
	struct mmap_test_dev *mt = container_of(filp->private_data,
						struct mmap_test_dev, misc);
	struct mmap_test_file *mf;

	mf = kzalloc_obj(*mf, GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	mf->pages = kvcalloc(buffer_pages, sizeof(*mf->pages), GFP_KERNEL);
	if (!mf->pages) {
		kfree(mf);
		return -ENOMEM;
	}
	mf->dev = mt;
	mf->nr_pages = buffer_pages;
	atomic_long_inc(&mt->files);
	filp->private_data = mf;
	return 0;
}

/* Called once the last reference is gone: no VMA uses the buffer any more. */
static int mmap_test_release(struct inode *inode, struct file *filp)
{
	struct mmap_test_file *mf = filp->private_data;
	struct mmap_test_dev *mt = mf->dev;
	unsigned long i;

	for (i = 0; i < mf->nr_pages; i++)
		if (mf->pages[i])
			put_page(mf->pages[i]);
	atomic_long_sub(atomic_long_read(&mf->allocated), &mt->pages);
	atomic_long_dec(&mt->files);
	kvfree(mf->pages);
	kfree(mf);
	return 0;
}

static loff_t mmap_test_size(struct mmap_test_file *mf)
{
	return (loff_t)mf->nr_pages << PAGE_SHIFT;
}

/*
 * Copy between the buffer and user memory, page by page.  No lock is held
 * across copy_{to,from}_user(): buffer pages live until release.
 */
static ssize_t mmap_test_rw(struct mmap_test_file *mf, char __user *ubuf,
			    size_t count, loff_t *ppos, bool write)
{
	loff_t pos = *ppos;
	size_t done = 0;
	ssize_t ret = 0;

	while (done < count) {
		size_t off = pos & ~PAGE_MASK;
		size_t chunk = min_t(size_t, PAGE_SIZE - off, count - done);
		struct page *page;
		void *kaddr;
		size_t left;

		page = mmap_test_get_page(mf, pos >> PAGE_SHIFT, GFP_KERNEL);
		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			break;
		}
		kaddr = page_address(page) + off;
		if (write)
			left = copy_from_user(kaddr, ubuf + done, chunk);
		else
			left = copy_to_user(ubuf + done, kaddr, chunk);
		done += chunk - left;
		pos += chunk - left;
		if (left) {
			ret = -EFAULT;
			break;
		}
	}
	*ppos = pos;
	return done ? done : ret;
}

static ssize_t mmap_test_read(struct file *filp, char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct mmap_test_file *mf = filp->private_data;
	loff_t size = mmap_test_size(mf);

	if (*ppos < 0)
		return -EINVAL;
	if (*ppos >= size)
		return 0;
	count = min_t(loff_t, count, size - *ppos);
	return mmap_test_rw(mf, buf, count, ppos, false);
}

static ssize_t mmap_test_write(struct file *filp, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	struct mmap_test_file *mf = filp->private_data;
	loff_t size = mmap_test_size(mf);

	if (*ppos < 0)
		return -EINVAL;
	if (!count)
		return 0;
	if (*ppos >= size)
		return -ENOSPC;
	count = min_t(loff_t, count, size - *ppos);
	return mmap_test_rw(mf, (char __user *)buf, count, ppos, true);
}

static loff_t mmap_test_llseek(struct file *filp, loff_t offset, int whence)
{
	struct mmap_test_file *mf = filp->private_data;

	return fixed_size_llseek(filp, offset, whence, mmap_test_size(mf));
}

const struct file_operations mmap_test_fops = {
	.owner			= THIS_MODULE,
	.open			= mmap_test_open,
	.release		= mmap_test_release,
	.read			= mmap_test_read,
	.write			= mmap_test_write,
	.llseek			= mmap_test_llseek,
	.mmap			= mmap_test_mmap,
	.get_unmapped_area	= mmap_test_get_unmapped_area,
	.unlocked_ioctl		= mmap_test_ioctl,
	.compat_ioctl		= compat_ptr_ioctl,
};

static struct mmap_test_dev mmap_test = {
	.misc = {
		.minor	= MISC_DYNAMIC_MINOR,
		.name	= "mmap-test",
		.fops	= &mmap_test_fops,
		.mode	= 0600,
	},
};

static int mmap_test_stats_show(struct seq_file *m, void *unused)
{
	struct mmap_test_dev *mt = m->private;

	seq_printf(m, "files %ld\n", atomic_long_read(&mt->files));
	seq_printf(m, "pages %ld\n", atomic_long_read(&mt->pages));
	seq_printf(m, "live_vmas %ld\n", atomic_long_read(&mt->live_vmas));
	seq_printf(m, "faults %ld\n", atomic_long_read(&mt->faults));
	return 0;
}

static const char * const mmap_test_op_names[MMAP_TEST_NR_OPS] = {
	[MMAP_TEST_OP_ALLOC]	= "alloc",
	[MMAP_TEST_OP_FREE]	= "free",
	[MMAP_TEST_OP_QUERY]	= "query",
	[MMAP_TEST_OP_STATS]	= "stats",
	[MMAP_TEST_OP_UNKNOWN]	= "unknown",
};

/* "<ioctl> <errno> <count>" for every nonzero count; errno 0 is success. */
static int mmap_test_results_show(struct seq_file *m, void *unused)
{
	struct mmap_test_dev *mt = m->private;
	int op, e;

	for (op = 0; op < MMAP_TEST_NR_OPS; op++) {
		for (e = 0; e < MMAP_TEST_NR_ERRNO; e++) {
			long n = atomic_long_read(&mt->results[op][e]);

			if (!n)
				continue;
			if (e == MMAP_TEST_NR_ERRNO - 1)
				seq_printf(m, "%s other %ld\n",
					   mmap_test_op_names[op], n);
			else
				seq_printf(m, "%s %d %ld\n",
					   mmap_test_op_names[op], -e, n);
		}
	}
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(mmap_test_stats);
DEFINE_SHOW_ATTRIBUTE(mmap_test_results);

static int __init mmap_test_init(void)
{
	int ret;

	if (!buffer_pages || buffer_pages > MMAP_TEST_MAX_PAGES) {
		pr_err("buffer_pages=%lu: must be 1 to %lu\n", buffer_pages,
		       MMAP_TEST_MAX_PAGES);
		return -EINVAL;
	}
	ret = misc_register(&mmap_test.misc);
	if (ret) {
		pr_err("misc_register failed: %d\n", ret);
		return ret;
	}
	mmap_test.debugfs = debugfs_create_dir("mmap_test", NULL);
	debugfs_create_file("stats", 0444, mmap_test.debugfs, &mmap_test,
			    &mmap_test_stats_fops);
	debugfs_create_file("results", 0444, mmap_test.debugfs, &mmap_test,
			    &mmap_test_results_fops);
	dev_info(mmap_test.misc.this_device,
		 "registered /dev/mmap-test (misc %d:%d), %lu-page buffers\n",
		 MISC_MAJOR, mmap_test.misc.minor, buffer_pages);
	return 0;
}

static void __exit mmap_test_exit(void)
{
	debugfs_remove_recursive(mmap_test.debugfs);
	misc_deregister(&mmap_test.misc);
	pr_info("unregistered\n");
}

module_init(mmap_test_init);
module_exit(mmap_test_exit);

MODULE_DESCRIPTION("Drive and observe the kernel's mmap machinery from a driver");
MODULE_AUTHOR("mmap-test developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
