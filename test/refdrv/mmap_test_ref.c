// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_test_ref - the benchmark's reference driver
 *
 * A deliberately ordinary driver that maps a per-open-file buffer of
 * order-0 pages the two ways drivers usually do, so that mmap-test-bench can
 * compare /dev/mmap-test against them in the same run:
 *
 *   /dev/mmap-test-ref           VM_PFNMAP; ->fault allocates the page on
 *                                first touch and maps it with
 *                                vmf_insert_pfn() (one fault per page, no
 *                                fault-around)
 *   /dev/mmap-test-ref-prefault  ->mmap allocates and maps every page of
 *                                the range at mmap time, one
 *                                remap_pfn_range() per page; no faults
 *
 * Shared mappings only (a private PFN mapping cannot be COWed page by page).
 * Each open file owns buffer_pages pages at most, allocated on first use
 * (zeroed, like shmem's) and freed when the last reference to the file
 * goes.  Not part of mmap_test.ko: test/refdrv/ is built by
 * scripts/bench.sh only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "mmap_test_conftest.h"

#ifndef MT_HAVE_KZALLOC_OBJ
#define kzalloc_obj(P, GFP)	kzalloc(sizeof(P), GFP)
#endif

#ifndef MT_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

static unsigned long buffer_pages = 16384;
module_param(buffer_pages, ulong, 0444);
MODULE_PARM_DESC(buffer_pages, "Pages per open file (default 16384)");

struct ref_buf {
	unsigned long nr_pages;
	bool prefault;
	struct page **pages;
};

static struct miscdevice ref_fault_dev;
static struct miscdevice ref_prefault_dev;

/*
 * The page at @idx, allocated (zeroed) on first use; NULL: no memory.
 * Faults of two threads may race for one slot: the cmpxchg() picks the
 * winner, the loser frees its page.
 */
static struct page *ref_get_page(struct ref_buf *b, unsigned long idx)
{
	/* Pairs with the cmpxchg() below: the page's zeroing is visible. */
	struct page *page = smp_load_acquire(&b->pages[idx]);
	struct page *old;

	if (page)
		return page;
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return NULL;
	old = cmpxchg(&b->pages[idx], NULL, page);
	if (old) {
		__free_page(page);
		return old;
	}
	return page;
}

static vm_fault_t ref_fault(struct vm_fault *vmf)
{
	struct ref_buf *b = vmf->vma->vm_private_data;
	struct page *page;

	if (vmf->pgoff >= b->nr_pages)
		return VM_FAULT_SIGBUS;
	page = ref_get_page(b, vmf->pgoff);
	if (!page)
		return VM_FAULT_OOM;
	return vmf_insert_pfn(vmf->vma, vmf->address, page_to_pfn(page));
}

static const struct vm_operations_struct ref_vm_ops = {
	.fault = ref_fault,
};

static int ref_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ref_buf *b = file->private_data;
	unsigned long i, n = vma_pages(vma);
	int ret;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff >= b->nr_pages || n > b->nr_pages - vma->vm_pgoff)
		return -EINVAL;
	vma->vm_ops = &ref_vm_ops;
	vma->vm_private_data = b;
	if (!b->prefault) {
		vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND |
			     VM_DONTDUMP);
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct page *page = ref_get_page(b, vma->vm_pgoff + i);

		if (!page)
			return -ENOMEM;
		ret = remap_pfn_range(vma, vma->vm_start + i * PAGE_SIZE,
				      page_to_pfn(page), PAGE_SIZE,
				      vma->vm_page_prot);
		if (ret)
			return ret;
	}
	return 0;
}

static int ref_open(struct inode *inode, struct file *file)
{
	bool prefault = file->private_data == &ref_prefault_dev;
	struct ref_buf *b;

	b = kzalloc_obj(*b, GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->pages = kvcalloc(buffer_pages, sizeof(*b->pages), GFP_KERNEL);
	if (!b->pages) {
		kfree(b);
		return -ENOMEM;
	}
	b->nr_pages = buffer_pages;
	b->prefault = prefault;
	file->private_data = b;
	return 0;
}

static int ref_release(struct inode *inode, struct file *file)
{
	struct ref_buf *b = file->private_data;
	unsigned long i;

	for (i = 0; i < b->nr_pages; i++)
		if (b->pages[i])
			__free_page(b->pages[i]);
	kvfree(b->pages);
	kfree(b);
	return 0;
}

static const struct file_operations ref_fops = {
	.owner		= THIS_MODULE,
	.open		= ref_open,
	.release	= ref_release,
	.mmap		= ref_mmap,
};

static struct miscdevice ref_fault_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "mmap-test-ref",
	.fops	= &ref_fops,
};

static struct miscdevice ref_prefault_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "mmap-test-ref-prefault",
	.fops	= &ref_fops,
};

static int __init ref_init(void)
{
	int ret;

	if (!buffer_pages)
		return -EINVAL;
	ret = misc_register(&ref_fault_dev);
	if (ret)
		return ret;
	ret = misc_register(&ref_prefault_dev);
	if (ret)
		misc_deregister(&ref_fault_dev);
	return ret;
}

static void __exit ref_exit(void)
{
	misc_deregister(&ref_prefault_dev);
	misc_deregister(&ref_fault_dev);
}

module_init(ref_init);
module_exit(ref_exit);

MODULE_DESCRIPTION("mmap-test benchmark reference driver: vmf_insert_pfn() and prefault");
MODULE_LICENSE("GPL");
