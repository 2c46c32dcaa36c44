// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test: the driver side of a mapping.
 *
 * ->get_unmapped_area delegates placement to the mm's default and logs it.
 * ->mmap checks the range against the buffer and installs vm_ops, the same
 * for shared and private mappings (or ->mmap_prepare, with mmap_hook=prepare:
 * see mmap_test_mmap_prepare()):
 *   ->fault      serves the buffer page at vmf->pgoff from the buffer's
 *                page cache, locked (SIGBUS past the end or when the page
 *                cannot be allocated or charged; a page with a memory
 *                error the core refuses: SIGBUS with BUS_MCEERR_AR); on
 *                a read fault it also creates the missing pages of the
 *                fault-around window
 *   ->map_pages  fault-around: the kernel's filemap_map_pages(), wrapped to
 *                count and trace what it maps
 *   ->open/close count live VMAs (split, fork and mremap call ->open)
 * The buffer is a page cache (see main.c), so the mappings are ordinary
 * file mappings: no VM_MIXEDMAP, no PTE inserted by hand, and fork() does
 * not copy a shared mapping's page tables (the child faults them in).
 *
 * Locking, by kernel (the callers are in mm/memory.c):
 * - Up to 6.3 ->fault and ->map_pages run under mmap_lock held for read.
 * - 6.4 added the per-VMA lock (CONFIG_PER_VMA_LOCK), for anonymous VMAs
 *   only at first; 6.7 let file VMAs fault under it too, with a rule,
 *   vmf_can_call_fault(): a read, COW or shared fault taken under the
 *   per-VMA lock may call ->fault only if the VMA has ->map_pages;
 *   otherwise it drops the lock and retries under mmap_lock.  Both our
 *   mappings have ->map_pages, so from 6.7 their faults run under the
 *   per-VMA lock alone (the vma_lock_faults counter in debugfs says so);
 *   an anon_vma still needs mmap_lock, tried without waiting.
 * - From 6.5 on, do_fault_around() calls ->map_pages under rcu_read_lock():
 *   it must not sleep, nor allocate a page table: from 6.14 on
 *   (CONFIG_PT_RECLAIM) MADV_DONTNEED under the mmap read lock may free an
 *   empty PTE table at any time.  do_fault_around() preallocates the table
 *   before taking the RCU lock and filemap_map_pages() installs it and
 *   revalidates the PMD itself; it never allocates.
 * Neither ->fault nor ->map_pages takes mmap_lock or a lock of ours;
 * ->fault may sleep (it allocates with the mapping's gfp mask).
 */

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include "mmap_test.h"
#include "mmap_test_trace.h"

/*
 * The fault-around block: fault_around_bytes' default, 64 KiB (its current
 * value is not exported), at least a page.
 */
#define MMAP_TEST_BLOCK_PAGES	max_t(unsigned long, SZ_64K >> PAGE_SHIFT, 1)

static void mmap_test_vma_get(struct mmap_test_file *mf)
{
	atomic_long_inc(&mf->live_vmas);
	atomic_long_inc(&mf->dev->live_vmas);
}

static void mmap_test_vma_open(struct vm_area_struct *vma)
{
	struct mmap_test_file *mf = vma->vm_private_data;

	atomic_long_inc(&mf->vma_opens);
	mmap_test_vma_get(mf);
	trace_mmap_test_open(vma->vm_start, vma->vm_end, vma->vm_pgoff);
}

static void mmap_test_vma_close(struct vm_area_struct *vma)
{
	struct mmap_test_file *mf = vma->vm_private_data;

	trace_mmap_test_close(vma->vm_start, vma->vm_end, vma->vm_pgoff);
	atomic_long_inc(&mf->vma_closes);
	atomic_long_dec(&mf->live_vmas);
	atomic_long_dec(&mf->dev->live_vmas);
}

static void mmap_test_count_fault(struct mmap_test_file *mf)
{
	atomic_long_inc(&mf->faults);
	atomic_long_inc(&mf->dev->faults);
}

static unsigned long mmap_test_pgoff_addr(struct vm_area_struct *vma,
					  pgoff_t pgoff)
{
	return vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
}

/*
 * Create the missing buffer pages around a read fault: its fault-around
 * block (MMAP_TEST_BLOCK_PAGES, aligned by address as do_fault_around()
 * aligns it) and the next two, within the VMA: 192 KiB with 4 KiB pages,
 * like readahead's 128 KiB ahead of the fault.  This is what gives
 * fault-around pages to map: the next fault in the block and the first
 * faults of the next two blocks are solved by ->map_pages, so a
 * sequential reader calls ->fault once per three blocks.
 */
static void mmap_test_fill_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long size = MMAP_TEST_BLOCK_PAGES << PAGE_SHIFT;
	unsigned long block = ALIGN_DOWN(vmf->address, size);
	unsigned long start = max(block, vma->vm_start);
	unsigned long end = min(block + 3 * size - 1, vma->vm_end - 1);
	pgoff_t first = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);

	mmap_test_fill(vma->vm_private_data, first,
		       first + ((end - start) >> PAGE_SHIFT));
}

static vm_fault_t mmap_test_fault(struct vm_fault *vmf)
{
	struct mmap_test_file *mf = vmf->vma->vm_private_data;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	struct page *page;

	if (mmap_test_dump_stack)
		mt_dump_stack();

	if (mt_fault_vma_locked(vmf))
		atomic_long_inc(&mf->dev->vma_lock_faults);
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		mmap_test_fill_around(vmf);
	page = mmap_test_get_page(mf, vmf->pgoff);
	if (!IS_ERR(page)) {
		vmf->page = page;
		ret = VM_FAULT_LOCKED;
	}
	/*
	 * A page with a memory error is handed over too: __do_fault()
	 * refuses it (VM_FAULT_HWPOISON), after unmapping it where it is
	 * still mapped.  It is not counted as served.
	 */
	if (!IS_ERR(page) && !PageHWPoison(page)) {
		mmap_test_count_fault(mf);
		dev_dbg(mmap_test_device(mf), "page index offset = %lu\n",
			vmf->pgoff);
	}
	trace_mmap_test_fault(vmf->address, vmf->pgoff,
			      (__force unsigned int)ret,
			      mt_fault_vma_locked(vmf));
	return ret;
}

/*
 * Fault-around is filemap_map_pages(): it maps the pages of
 * [start_pgoff, end_pgoff] that are in the page cache, uptodate and not
 * locked, never sleeps and never allocates.  The wrapper counts:
 * - pages_around: the pages it mapped, measured as the growth of the mm's
 *   file RSS across the call as this task sees it (it adds each page it
 *   maps there; see mt_file_rss()).  Exact for a single-threaded process;
 *   a page another thread of the same mm maps or unmaps during the call
 *   may be counted too.  It includes the faulting page when that was
 *   mapped here, on every kernel.
 * - faults: one when the faulting page was mapped here, in which case the
 *   core does not call ->fault.  So each fault is counted once, by ->fault
 *   or here.  Mapped pages are logged as a range, not one by one.
 */
static void mmap_test_around_done(struct vm_fault *vmf, pgoff_t start_pgoff,
				  pgoff_t end_pgoff, long mapped, bool solved)
{
	struct mmap_test_file *mf = vmf->vma->vm_private_data;

	if (mapped < 0)
		mapped = 0;
	atomic_long_add(mapped, &mf->pages_around);
	if (solved)
		mmap_test_count_fault(mf);
	if (mapped)
		dev_dbg(mmap_test_device(mf),
			"page index offset = %lu..%lu (fault-around: %ld mapped)\n",
			start_pgoff, end_pgoff, mapped);
	trace_mmap_test_map_pages(mmap_test_pgoff_addr(vmf->vma, vmf->pgoff),
				  start_pgoff, end_pgoff, mapped);
}

#ifdef MT_HAVE_MAP_PAGES_VM_FAULT_T
/* 5.12+: VM_FAULT_NOPAGE says the faulting page is mapped. */
static vm_fault_t mmap_test_map_pages(struct vm_fault *vmf,
				      pgoff_t start_pgoff, pgoff_t end_pgoff)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	long before, mapped;
	vm_fault_t ret;

	mt_rss_pin();
	before = mt_file_rss(mm);
	ret = filemap_map_pages(vmf, start_pgoff, end_pgoff);
	mapped = mt_file_rss(mm) - before;
	mt_rss_unpin();
	mmap_test_around_done(vmf, start_pgoff, end_pgoff, mapped,
			      ret & VM_FAULT_NOPAGE);
	return ret;
}
#else
/*
 * Before 5.12, ->map_pages returns void.  do_fault_around() has moved
 * vmf->address to the start of the window; filemap_map_pages() leaves
 * vmf->pte mapped and locked at the last page it mapped (NULL if none),
 * and do_fault_around() judges the fault solved if the faulting address's
 * PTE is present then.  We look at the same PTE, under the same lock.
 */
static void mmap_test_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				pgoff_t end_pgoff)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	unsigned long addr = mmap_test_pgoff_addr(vmf->vma, vmf->pgoff);
	bool solved = false;
	long before, mapped;

	mt_rss_pin();
	before = mt_file_rss(mm);
	filemap_map_pages(vmf, start_pgoff, end_pgoff);
	mapped = mt_file_rss(mm) - before;
	mt_rss_unpin();
	if (vmf->pte)
		solved = !pte_none(*(vmf->pte - ((vmf->address >> PAGE_SHIFT) -
						 (addr >> PAGE_SHIFT))));
	mmap_test_around_done(vmf, start_pgoff, end_pgoff, mapped, solved);
}
#endif

static const struct vm_operations_struct mmap_test_vm_ops = {
	.open		= mmap_test_vma_open,
	.close		= mmap_test_vma_close,
	.fault		= mmap_test_fault,
	.map_pages	= mmap_test_map_pages,
};

/* The mapped range must lie within the buffer: -EINVAL otherwise. */
static int mmap_test_check_range(struct mmap_test_file *mf,
				 unsigned long start, unsigned long end,
				 pgoff_t pgoff)
{
	unsigned long pages = (end - start) >> PAGE_SHIFT;

	if (pgoff < mf->nr_pages && pages <= mf->nr_pages - pgoff)
		return 0;
	dev_dbg(mmap_test_device(mf),
		"mmap [%#lx,%#lx) pgoff %lu: past the end of the %lu-page buffer\n",
		start, end, pgoff, mf->nr_pages);
	return -EINVAL;
}

/* f_op->mmap: called with the new VMA, which the core has created. */
int mmap_test_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct mmap_test_file *mf = filp->private_data;
	bool shared = vma->vm_flags & VM_MAYSHARE;
	int ret;

	if (mmap_test_dump_stack)
		mt_dump_stack();

	ret = mmap_test_check_range(mf, vma->vm_start, vma->vm_end,
				    vma->vm_pgoff);
	if (ret)
		return ret;

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &mmap_test_vm_ops;
	vma->vm_private_data = mf;
	mmap_test_vma_get(mf);
	trace_mmap_test_open(vma->vm_start, vma->vm_end, vma->vm_pgoff);
	dev_dbg(mmap_test_device(mf), "mmap [%#lx,%#lx) pgoff %lu %s\n",
		vma->vm_start, vma->vm_end, vma->vm_pgoff,
		shared ? "shared" : "private");
	return 0;
}

#ifdef MT_HAVE_MMAP_PREPARE_PATH
/*
 * The mmap_prepare path (mmap_hook=prepare).  ->mmap_prepare runs before
 * the VMA exists: it sees a struct vm_area_desc (range, pgoff, flags,
 * file), may refuse, and says what the VMA will be (flags, vm_ops,
 * private data); the core then creates the VMA with all of it at once.
 * A refusal leaves nothing to undo, and no VMA ever exists half set up.
 * What needs the VMA (here: counting it) moves to vm_ops->mapped, which
 * the core calls once the new VMA is in the tree, under the mmap write
 * lock.  VM_DONTEXPAND makes the VMA special, so it never merges into a
 * neighbour and ->mapped runs for every successful mmap.
 */
static int mmap_test_vma_mapped(unsigned long start, unsigned long end,
				pgoff_t pgoff, const struct file *file,
				void **vm_private_data)
{
	struct mmap_test_file *mf = *vm_private_data;

	if (mmap_test_dump_stack)
		mt_dump_stack();
	mmap_test_vma_get(mf);
	trace_mmap_test_open(start, end, pgoff);
	return 0;
}

static const struct vm_operations_struct mmap_test_prepare_vm_ops = {
	.mapped		= mmap_test_vma_mapped,
	.open		= mmap_test_vma_open,
	.close		= mmap_test_vma_close,
	.fault		= mmap_test_fault,
	.map_pages	= mmap_test_map_pages,
};

int mmap_test_mmap_prepare(struct vm_area_desc *desc)
{
	struct mmap_test_file *mf = desc->file->private_data;
	bool shared = vma_desc_test(desc, VMA_MAYSHARE_BIT);
	int ret;

	if (mmap_test_dump_stack)
		mt_dump_stack();

	ret = mmap_test_check_range(mf, desc->start, desc->end, desc->pgoff);
	if (ret)
		return ret;

	vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT);
	desc->vm_ops = &mmap_test_prepare_vm_ops;
	desc->private_data = mf;
	dev_dbg(mmap_test_device(mf),
		"mmap_prepare [%#lx,%#lx) pgoff %lu %s\n",
		desc->start, desc->end, desc->pgoff,
		shared ? "shared" : "private");
	return 0;
}
#endif

unsigned long mmap_test_get_unmapped_area(struct file *filp,
					  unsigned long addr,
					  unsigned long len,
					  unsigned long pgoff,
					  unsigned long flags)
{
	struct mmap_test_file *mf = filp->private_data;
	unsigned long ret;

	if (mmap_test_dump_stack)
		mt_dump_stack();

#ifdef MT_HAVE_HUGE_PATH
	/*
	 * huge=1: place a mapping of a PMD or more so that its PMD-aligned
	 * file ranges are PMD-aligned in memory, as thp_vma_suitable_order()
	 * wants for do_set_pmd().  A hint or MAP_FIXED address is taken as
	 * it is.
	 */
	if (mf->huge)
		ret = thp_get_unmapped_area(filp, addr, len, pgoff, flags);
	else
#endif
		ret = mt_mm_get_unmapped_area(filp, addr, len, pgoff, flags);
	if (IS_ERR_VALUE(ret))
		dev_dbg(mmap_test_device(mf),
			"get_unmapped_area(addr %#lx, len %#lx, pgoff %lu, flags %#lx) -> %ld\n",
			addr, len, pgoff, flags, (long)ret);
	else
		dev_dbg(mmap_test_device(mf),
			"get_unmapped_area(addr %#lx, len %#lx, pgoff %lu, flags %#lx) -> %#lx%s\n",
			addr, len, pgoff, flags, ret,
			addr && ret != addr ? " (hint not taken)" : "");
	return ret;
}
