// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test: drive and observe the kernel's mmap machinery from a driver.
 *
 * /dev/mmap-test (misc device, mode 0600).  Each open file owns a buffer of
 * buffer_pages pages, allocated page by page on first use and freed when the
 * file is released (after its last mapping is gone: a VMA holds its file).
 * Page 0 starts with MMAP_TEST_GREETING.
 *
 * The buffer is the page cache of an inode of its own, from a private
 * pseudo filesystem (as secretmem and DRM do): the open file's f_mapping
 * is that inode's mapping, so the mm treats the device's mappings as file
 * mappings.  Fault-around is the kernel's filemap_map_pages() (see vma.c),
 * fork() does not copy the page tables of shared mappings, and the page
 * cache charges each page to the memory cgroup of the task that created
 * it.  The mapping is unevictable, and its inode is on no superblock list
 * (so drop_caches never sees it) and has the noop backing device (so
 * fadvise(DONTNEED) does nothing): a page stays until release.
 *
 * That page cache holds the only copy of the buffer's data, as shmem's
 * does, and its address_space_operations say so (mmap_test_aops): every
 * page is dirty from its creation on, so nothing may drop it as clean
 * cache (a soft offline, a memory failure); pages migrate (compaction,
 * CMA, memory hot-remove, soft offline move them); and a page with a
 * memory error stays in the cache, poisoned: read() and write() of it
 * fail with EIO and a fault on it gets SIGBUS (BUS_MCEERR_AR) instead of
 * a page of zeroes.
 *
 *   read()/write()/lseek()  the buffer's bytes
 *   fsync()                 nothing to write back: 0, as on shmem (so
 *                           msync(MS_SYNC) of a mapping works too)
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
#include <linux/highmem.h>
#include <linux/migrate.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pseudo_fs.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
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
		 "dump_stack() in get_unmapped_area, mmap (or mmap_prepare and mapped) and fault to show the call chain (default off)");

static bool huge;
module_param(huge, bool, 0444);
MODULE_PARM_DESC(huge,
		 "Serve PMD-size folios for PMD-aligned ranges of a buffer of at least a PMD, so that aligned mappings get PMD mappings (where the kernel has large page-cache folios; default off)");

static char *mmap_hook = "mmap";
module_param(mmap_hook, charp, 0444);
MODULE_PARM_DESC(mmap_hook,
		 "The file operation that sets up a mapping: mmap (default) or prepare (f_op->mmap_prepare, where the kernel has it)");

/* "mmt" */
#define MMAP_TEST_FS_MAGIC	0x6d6d74

static struct vfsmount *mmap_test_mnt;

/*
 * Buffer pages: allocated in movable pageblocks (or CMA; GFP_USER keeps
 * them out of ZONE_MOVABLE and highmem), and mmap_test_aops lets them
 * migrate: compaction (unless compact_unevictable_allowed is 0, the
 * PREEMPT_RT default), CMA, soft offline, mbind() and move_pages() move
 * them; NUMA balancing never moves a dirty file page.  A migration may
 * place a page in highmem on a 32-bit kernel: read() and write() kmap()
 * it (kmap_local_page(), which allows the copy to fault).  A charge over
 * memory.max fails with ENOMEM instead of invoking the memcg OOM killer
 * (a fault then gets SIGBUS, write() ENOMEM).
 */
#define MMAP_TEST_GFP	(GFP_USER | __GFP_MOVABLE | __GFP_RETRY_MAYFAIL | \
			 __GFP_NOWARN)

#ifndef MT_HAVE_AOPS_DIRTY_FOLIO
/*
 * ->set_page_dirty before 5.18: set the flag, no accounting, as
 * __set_page_dirty_no_writeback() (shmem's then), which is not exported.
 */
static int mmap_test_set_page_dirty(struct page *page)
{
	return !TestSetPageDirty(page);
}
#endif

/*
 * ->error_remove_folio (->error_remove_page before 6.8): memory_failure()
 * asks whether it may drop a folio with a memory error.  Without this it
 * evicts a clean one and the next access re-creates the page as zeroes.
 * Keep it, as shmem does: the page stays poisoned in the cache, read()
 * and write() refuse it (EIO), and so does the core's fault path
 * (VM_FAULT_HWPOISON).  The kernel then reports the page as still
 * referenced ("Failed"): only shmem's own mapping is expected to keep one.
 */
#ifdef MT_HAVE_AOPS_ERROR_REMOVE_FOLIO
static int mmap_test_error_remove_folio(struct address_space *mapping,
					struct folio *folio)
{
	return 0;
}
#else
static int mmap_test_error_remove_page(struct address_space *mapping,
				       struct page *page)
{
	return 0;
}
#endif

/*
 * The buffer's page cache holds the only copy of its data (compare
 * shmem_aops):
 * - dirty: every page is marked dirty when it is created (see
 *   mmap_test_get_page()); nothing writes it back or cleans it, so no
 *   one may drop it as clean cache: a soft offline invalidates clean
 *   unmapped page cache, and a memory failure without
 *   ->error_remove_folio evicts a clean page.  Marking does no dirty
 *   accounting: the noop backing device has no writeback.
 * - migrate: a plain copy.  Without it a dirty page cannot move
 *   (fallback_migrate_folio() would write it out first) and would pin
 *   its pageblock against compaction, CMA and memory hot-remove.
 * - memory errors: ->error_remove_folio keeps a poisoned page in the
 *   cache, as shmem's does (a dirty page would not be evicted either).
 *   The kernel then reports the page "Failed" (still referenced: only
 *   shmem's own cache reference is excused), so MADV_HWPOISON returns
 *   EBUSY and a real machine check kills the task that hit it (SIGBUS).
 * Unlike shmem, whose pages are swap-backed, NUMA balancing does not
 * move these (a dirty file page), and nothing swaps them out.
 */
static const struct address_space_operations mmap_test_aops = {
#ifdef MT_HAVE_AOPS_DIRTY_FOLIO
	.dirty_folio		= noop_dirty_folio,
#else
	.set_page_dirty		= mmap_test_set_page_dirty,
#endif
#ifdef CONFIG_MIGRATION
#ifdef MT_HAVE_AOPS_MIGRATE_FOLIO
	.migrate_folio		= migrate_folio,
#else
	.migratepage		= migrate_page,
#endif
#endif
#ifdef MT_HAVE_AOPS_ERROR_REMOVE_FOLIO
	.error_remove_folio	= mmap_test_error_remove_folio,
#else
	.error_remove_page	= mmap_test_error_remove_page,
#endif
};

#ifdef MT_HAVE_HUGE_PATH
/*
 * Zero a new folio of the buffer, put the greeting in page 0 of the
 * buffer and mark it uptodate and dirty (see mmap_test_aops), before the
 * folio is unlocked.  Accounting counts base pages.  With init_on_alloc (Debian's default) the page
 * allocator has zeroed it already: not twice, as anon THP does not
 * (user_alloc_needs_zeroing()); that is a PMD's worth of stores per fault.
 */
static void mmap_test_init_folio(struct mmap_test_file *mf,
				 struct folio *folio)
{
	long i, nr = folio_nr_pages(folio);

	if (!want_init_on_alloc(mapping_gfp_mask(mf->inode->i_mapping)))
		for (i = 0; i < nr; i++)
			clear_highpage(folio_page(folio, i));
	if (folio->index == 0)
		memcpy(folio_address(folio), MMAP_TEST_GREETING,
		       sizeof(MMAP_TEST_GREETING));
	flush_dcache_folio(folio);
	folio_mark_uptodate(folio);
	folio_mark_dirty(folio);
	atomic_long_add(nr, &mf->allocated);
	atomic_long_add(nr, &mf->dev->pages);
}

/*
 * huge=1: the page at @index of a PMD-size folio, if @index lies in a
 * PMD-aligned range wholly inside the buffer.  __filemap_get_folio() with
 * fgf_set_order() tries the PMD order, then smaller orders (a large folio
 * that cannot be allocated or charged), and returns the folio already at
 * the range's first index if there is one (an order-0 page, say, that
 * write() created before).  A folio that does not hold @index is given
 * back: NULL, and the caller falls back to an order-0 page.  So is an
 * error: the order-0 path reports it.  May sleep.
 */
static struct page *mmap_test_get_huge_page(struct mmap_test_file *mf,
					    pgoff_t index)
{
	struct address_space *mapping = mf->inode->i_mapping;
	pgoff_t base = round_down(index, HPAGE_PMD_NR);
	struct folio *folio;

	if (!mf->huge || base + HPAGE_PMD_NR > mf->nr_pages)
		return NULL;
	folio = __filemap_get_folio(mapping, base,
				    FGP_LOCK | FGP_CREAT | fgf_set_order(PMD_SIZE),
				    mapping_gfp_mask(mapping));
	if (IS_ERR(folio))
		return NULL;
	if (!folio_test_uptodate(folio))
		mmap_test_init_folio(mf, folio);
	if (!folio_contains(folio, index)) {
		folio_unlock(folio);
		folio_put(folio);
		return NULL;
	}
	return folio_file_page(folio, index);
}
#else
static struct page *mmap_test_get_huge_page(struct mmap_test_file *mf,
					    pgoff_t index)
{
	return NULL;
}
#endif

/**
 * mmap_test_get_page() - the buffer page at @index, created on first use
 * @mf: the file
 * @index: page index in the buffer
 *
 * Finds or creates the page in the buffer's page cache (which charges a
 * new page to the current task's memory cgroup); with huge=1, a page of a
 * PMD-aligned range is created with its whole PMD-size folio where it can
 * be (see mmap_test_get_huge_page()).  A new page is zeroed (once: by
 * the allocator with init_on_alloc, else here),
 * page 0 gets the greeting, and it is marked uptodate (and dirty: see
 * mmap_test_aops) before it is unlocked, so fault-around never maps it
 * uninitialised.  A page is counted once, when it is created: it stays
 * in the cache until release, even poisoned or migrated.  May sleep.
 *
 * Return: the page, locked, with a reference; ERR_PTR(-EINVAL) if @index
 * is past the buffer, ERR_PTR(-ENOMEM) if it cannot be allocated or
 * charged.  The page may be poisoned (PageHWPoison): the caller checks.
 */
struct page *mmap_test_get_page(struct mmap_test_file *mf, pgoff_t index)
{
	struct address_space *mapping = mf->inode->i_mapping;
	struct page *page;

	if (index >= mf->nr_pages)
		return ERR_PTR(-EINVAL);

	page = mmap_test_get_huge_page(mf, index);
	if (page)
		return page;
	page = find_or_create_page(mapping, index, mapping_gfp_mask(mapping));
	if (!page)
		return ERR_PTR(-ENOMEM);
	if (!PageUptodate(page)) {
		/* zeroed by the allocator with init_on_alloc: not twice */
		if (!want_init_on_alloc(mapping_gfp_mask(mapping)))
			clear_highpage(page);
		if (index == 0)
			memcpy(page_address(page), MMAP_TEST_GREETING,
			       sizeof(MMAP_TEST_GREETING));
		flush_dcache_page(page);
		SetPageUptodate(page);
		set_page_dirty(page);
		atomic_long_inc(&mf->allocated);
		atomic_long_inc(&mf->dev->pages);
	}
	return page;
}

/**
 * mmap_test_fill() - create the missing buffer pages of [@first, @last]
 * @mf: the file
 * @first: first page index
 * @last: last page index, clamped to the buffer
 *
 * Like readahead for a regular file: ->fault fills the fault-around window
 * so that the next faults in it find the pages that filemap_map_pages()
 * maps.  Stops at the first page that cannot be created.  May sleep.
 */
void mmap_test_fill(struct mmap_test_file *mf, pgoff_t first, pgoff_t last)
{
	struct address_space *mapping = mf->inode->i_mapping;
	pgoff_t index;

	last = min_t(pgoff_t, last, mf->nr_pages - 1);
	for (index = first; index <= last; index++) {
		struct page *page = find_get_page(mapping, index);

		if (!page) {
			page = mmap_test_get_page(mf, index);
			if (IS_ERR(page))
				break;
			unlock_page(page);
		}
		put_page(page);
	}
}

static int mmap_test_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, MMAP_TEST_FS_MAGIC) ? 0 : -ENOMEM;
}

/* Never registered: only kern_mount()ed, like secretmem's. */
static struct file_system_type mmap_test_fs_type = {
	.name			= "mmap_test",
	.init_fs_context	= mmap_test_init_fs_context,
	.kill_sb		= kill_anon_super,
};

static int mmap_test_open(struct inode *inode, struct file *filp)
{
	struct mmap_test_dev *mt = container_of(filp->private_data,
						struct mmap_test_dev, misc);
	struct mmap_test_file *mf;
	struct inode *buf;

	mf = kzalloc_obj(*mf, GFP_KERNEL_ACCOUNT);
	if (!mf)
		return -ENOMEM;
	buf = alloc_anon_inode(mmap_test_mnt->mnt_sb);
	if (IS_ERR(buf)) {
		kfree(mf);
		return PTR_ERR(buf);
	}
	i_size_write(buf, (loff_t)buffer_pages << PAGE_SHIFT);
	buf->i_mapping->a_ops = &mmap_test_aops;
	mapping_set_gfp_mask(buf->i_mapping, MMAP_TEST_GFP);
	mapping_set_unevictable(buf->i_mapping);
	mf->dev = mt;
	mf->inode = buf;
	mf->nr_pages = buffer_pages;
#ifdef MT_HAVE_HUGE_PATH
	mf->huge = huge && buffer_pages >= HPAGE_PMD_NR;
	if (mf->huge)
		mapping_set_large_folios(buf->i_mapping);
#endif
	atomic_long_inc(&mt->files);
	filp->f_mapping = buf->i_mapping;
	filp->private_data = mf;
	return 0;
}

/* Called once the last reference is gone: no VMA uses the buffer any more. */
static int mmap_test_release(struct inode *inode, struct file *filp)
{
	struct mmap_test_file *mf = filp->private_data;
	struct mmap_test_dev *mt = mf->dev;

	atomic_long_sub(atomic_long_read(&mf->allocated), &mt->pages);
	atomic_long_dec(&mt->files);
	iput(mf->inode);	/* evicts it: truncates the page cache */
	kfree(mf);
	return 0;
}

static loff_t mmap_test_size(struct mmap_test_file *mf)
{
	return (loff_t)mf->nr_pages << PAGE_SHIFT;
}

/*
 * Copy between the buffer and user memory, page by page.  No lock is held
 * across copy_{to,from}_user(), which may fault on a mapping of this very
 * page: only a reference, which also keeps the page from migrating.  A
 * poisoned page (a memory error) fails with EIO, as on shmem: its bytes
 * are lost, and reading them could raise a machine check.
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

		page = mmap_test_get_page(mf, pos >> PAGE_SHIFT);
		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			break;
		}
		unlock_page(page);
		if (PageHWPoison(page)) {
			put_page(page);
			ret = -EIO;
			break;
		}
		kaddr = kmap_local_page(page) + off;
		if (write) {
			left = copy_from_user(kaddr, ubuf + done, chunk);
			flush_dcache_page(page);
		} else {
			left = copy_to_user(ubuf + done, kaddr, chunk);
		}
		kunmap_local(kaddr);
		put_page(page);
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

/* Two file_operations: a file may have ->mmap or ->mmap_prepare, not both. */
static const struct file_operations mmap_test_fops = {
	.owner			= THIS_MODULE,
	.open			= mmap_test_open,
	.release		= mmap_test_release,
	.read			= mmap_test_read,
	.write			= mmap_test_write,
	.llseek			= mmap_test_llseek,
	.fsync			= noop_fsync,
	.mmap			= mmap_test_mmap,
	.get_unmapped_area	= mmap_test_get_unmapped_area,
	.unlocked_ioctl		= mmap_test_ioctl,
	.compat_ioctl		= compat_ptr_ioctl,
};

#ifdef MT_HAVE_MMAP_PREPARE_PATH
static const struct file_operations mmap_test_prepare_fops = {
	.owner			= THIS_MODULE,
	.open			= mmap_test_open,
	.release		= mmap_test_release,
	.read			= mmap_test_read,
	.write			= mmap_test_write,
	.llseek			= mmap_test_llseek,
	.fsync			= noop_fsync,
	.mmap_prepare		= mmap_test_mmap_prepare,
	.get_unmapped_area	= mmap_test_get_unmapped_area,
	.unlocked_ioctl		= mmap_test_ioctl,
	.compat_ioctl		= compat_ptr_ioctl,
};
#endif

/* huge=1: whether this kernel can (logged when it cannot). */
static bool mmap_test_huge_ok(void)
{
	if (!huge)
		return true;
#ifdef MT_HAVE_HUGE_PATH
#ifdef MAX_PAGECACHE_ORDER
	if (HPAGE_PMD_ORDER > MAX_PAGECACHE_ORDER) {
		pr_err("huge=1: a PMD (order %d) is larger than the page cache's largest folio (order %d)\n",
		       HPAGE_PMD_ORDER, (int)MAX_PAGECACHE_ORDER);
		return false;
	}
#endif
	return true;
#else
	pr_err("huge=1: this kernel lacks large page-cache folios of a chosen order (__filemap_get_folio() with fgf_set_order()), thp_get_unmapped_area() or CONFIG_TRANSPARENT_HUGEPAGE\n");
	return false;
#endif
}

/* mmap_hook: the file operations to register, or NULL (logged). */
static const struct file_operations *mmap_test_pick_fops(void)
{
	if (sysfs_streq(mmap_hook, "mmap"))
		return &mmap_test_fops;
	if (sysfs_streq(mmap_hook, "prepare")) {
#ifdef MT_HAVE_MMAP_PREPARE_PATH
		return &mmap_test_prepare_fops;
#else
		pr_err("mmap_hook=prepare: this kernel lacks f_op->mmap_prepare with vm_area_desc flag accessors and vm_ops->mapped\n");
		return NULL;
#endif
	}
	pr_err("mmap_hook=%s: must be mmap or prepare\n", mmap_hook);
	return NULL;
}

static struct mmap_test_dev mmap_test = {
	.misc = {
		.minor	= MISC_DYNAMIC_MINOR,
		.name	= "mmap-test",
		.fops	= &mmap_test_fops,
		.mode	= 0600,
	},
};

/* Whether @file is an open file of /dev/mmap-test (with either hook). */
bool mmap_test_is_device_file(const struct file *file)
{
	return file->f_op == mmap_test.misc.fops;
}

static int mmap_test_stats_show(struct seq_file *m, void *unused)
{
	struct mmap_test_dev *mt = m->private;

	seq_printf(m, "files %ld\n", atomic_long_read(&mt->files));
	seq_printf(m, "pages %ld\n", atomic_long_read(&mt->pages));
	seq_printf(m, "live_vmas %ld\n", atomic_long_read(&mt->live_vmas));
	seq_printf(m, "faults %ld\n", atomic_long_read(&mt->faults));
	seq_printf(m, "log_suppressed %ld\n",
		   atomic_long_read(&mt->log_suppressed));
#if defined(MT_HAVE_FAULT_FLAG_VMA_LOCK) && IS_ENABLED(CONFIG_PER_VMA_LOCK)
	seq_printf(m, "vma_lock_faults %ld\n",
		   atomic_long_read(&mt->vma_lock_faults));
#endif
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
	if (!mmap_test_huge_ok())
		return -EINVAL;
	mmap_test.misc.fops = mmap_test_pick_fops();
	if (!mmap_test.misc.fops)
		return -EINVAL;
	spin_lock_init(&mmap_test.log_lock);
	mmap_test.log_window = jiffies;
	mmap_test_mnt = kern_mount(&mmap_test_fs_type);
	if (IS_ERR(mmap_test_mnt)) {
		pr_err("kern_mount failed: %ld\n", PTR_ERR(mmap_test_mnt));
		return PTR_ERR(mmap_test_mnt);
	}
	ret = misc_register(&mmap_test.misc);
	if (ret) {
		pr_err("misc_register failed: %d\n", ret);
		kern_unmount(mmap_test_mnt);
		return ret;
	}
	mmap_test.debugfs = debugfs_create_dir("mmap_test", NULL);
	debugfs_create_file("stats", 0444, mmap_test.debugfs, &mmap_test,
			    &mmap_test_stats_fops);
	debugfs_create_file("results", 0444, mmap_test.debugfs, &mmap_test,
			    &mmap_test_results_fops);
	dev_info(mmap_test.misc.this_device,
		 "registered /dev/mmap-test (misc %d:%d), %lu-page buffers, f_op->%s\n",
		 MISC_MAJOR, mmap_test.misc.minor, buffer_pages,
		 mmap_test.misc.fops == &mmap_test_fops ? "mmap" : "mmap_prepare");
#ifdef MT_HAVE_HUGE_PATH
	if (huge)
		dev_info(mmap_test.misc.this_device,
			 "huge=1: %lu-page folios for PMD-aligned ranges%s\n",
			 (unsigned long)HPAGE_PMD_NR,
			 buffer_pages >= HPAGE_PMD_NR ? "" :
			 " (none: the buffer is smaller than a PMD)");
#endif
	return 0;
}

static void __exit mmap_test_exit(void)
{
	debugfs_remove_recursive(mmap_test.debugfs);
	misc_deregister(&mmap_test.misc);
	kern_unmount(mmap_test_mnt);
	pr_info("unregistered\n");
}

module_init(mmap_test_init);
module_exit(mmap_test_exit);

MODULE_DESCRIPTION("Drive and observe the kernel's mmap machinery from a driver");
MODULE_AUTHOR("mmap-test developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
