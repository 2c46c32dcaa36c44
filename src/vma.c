// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test: the driver side of a mapping.
 *
 * ->get_unmapped_area delegates placement to the mm's default and logs it.
 * ->mmap checks the range against the buffer and installs vm_ops:
 *   ->fault      serves the buffer page at vmf->pgoff (SIGBUS past the end)
 *   ->map_pages  fault-around for shared mappings: maps the buffer pages
 *                around a read fault in one go (both the vm_fault_t and
 *                the pre-5.12 void contract: see mmap_test_fault_around())
 *   ->open/close count live VMAs (split, fork and mremap call ->open)
 *
 * Neither ->fault nor ->map_pages touches mmap_lock: from 6.7 on they may run
 * under the per-VMA lock alone.  Buffer pages are looked up locklessly.
 */

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include "mmap_test.h"
#include "mmap_test_trace.h"

/* Pages handed to vm_insert_pages() at once by fault-around. */
#define MMAP_TEST_AROUND_BATCH	16

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

static vm_fault_t mmap_test_fault(struct vm_fault *vmf)
{
	struct mmap_test_file *mf = vmf->vma->vm_private_data;
	vm_fault_t ret = 0;
	struct page *page;

	if (mmap_test_dump_stack)
		dump_stack();

	page = mmap_test_get_page(mf, vmf->pgoff, GFP_KERNEL);
	if (IS_ERR(page)) {
		ret = PTR_ERR(page) == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	} else {
		get_page(page);
		vmf->page = page;
		mmap_test_count_fault(mf);
		dev_dbg(mmap_test_device(mf), "page index offset = %lu\n",
			vmf->pgoff);
	}
	trace_mmap_test_fault(vmf->address, vmf->pgoff,
			      (__force unsigned int)ret);
	return ret;
}

#ifdef MT_FAULT_AROUND
/*
 * Fault-around: map the buffer pages of [start_pgoff, end_pgoff] that are
 * not mapped yet, in batches through vm_insert_pages(): one page-table walk
 * and one PTE lock per batch.  A PTE that is already present stops a batch
 * with -EBUSY; that page is skipped and the next batch starts after it.
 *
 * From 6.5 on this runs under rcu_read_lock(), so it must not sleep: pages
 * missing from the buffer are allocated with GFP_NOWAIT and left to ->fault
 * if that fails, and nothing is done while the page table itself is missing,
 * because vm_insert_pages() would have to allocate it.  The window never
 * crosses a page table.  VM_MIXEDMAP, set at mmap time, lets
 * vm_insert_pages() run here under the mmap or per-VMA read lock.
 *
 * The faulting page is vmf->pgoff on every kernel; vmf->address is not (see
 * below).  Whether fault-around maps it depends on the ->map_pages contract:
 *
 * - From 5.12 on, ->map_pages returns vm_fault_t: VM_FAULT_NOPAGE says the
 *   faulting page is mapped, and the core does not call ->fault.  So we map
 *   it with the others and count the fault here.
 *
 * - Before 5.12, ->map_pages returns void.  do_fault_around() moves
 *   vmf->address to the start of the window for the call, and afterwards
 *   judges the fault solved only through vmf->pte, the page table that
 *   filemap_map_pages() leaves mapped and locked.  vm_insert_pages() takes
 *   and drops the PTE lock itself and leaves vmf->pte NULL, so
 *   do_read_fault() always goes on to call ->fault for the faulting
 *   address.  Had we mapped that page, ->fault would serve it a second
 *   time: counted and logged twice, then dropped by finish_fault(), which
 *   finds the PTE present.  So we leave it to ->fault, which maps, counts
 *   and logs it once, and map only the pages around it.
 *
 * Either way each fault is counted once, each page mapped is logged once
 * ("page index offset = N"), and pages_around counts the pages mapped here:
 * before 5.12 that excludes the faulting page.
 */
static unsigned long mmap_test_pgoff_addr(struct vm_area_struct *vma,
					  pgoff_t pgoff)
{
	return vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
}

/* Returns true if the faulting page was mapped here (never if !fault_page). */
static bool mmap_test_fault_around(struct vm_fault *vmf, pgoff_t start_pgoff,
				   pgoff_t end_pgoff, bool fault_page)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmap_test_file *mf = vma->vm_private_data;
	pgoff_t pgoff = start_pgoff;
	unsigned int mapped = 0;
	bool solved = false;

	if (pmd_none(*vmf->pmd))
		goto out;

	while (pgoff <= end_pgoff) {
		struct page *batch[MMAP_TEST_AROUND_BATCH];
		unsigned long addr, nr, done, left, i;
		int err;

		if (!fault_page && pgoff == vmf->pgoff) {
			pgoff++;
			continue;
		}
		for (nr = 0; nr < ARRAY_SIZE(batch) && pgoff + nr <= end_pgoff;
		     nr++) {
			if (!fault_page && pgoff + nr == vmf->pgoff)
				break;
			batch[nr] = mmap_test_get_page(mf, pgoff + nr,
						       GFP_NOWAIT | __GFP_NOWARN);
			if (IS_ERR(batch[nr]))
				break;
		}
		if (!nr) {
			pgoff++;
			continue;
		}

		addr = mmap_test_pgoff_addr(vma, pgoff);
		left = nr;
		err = vm_insert_pages(vma, addr, batch, &left);
		done = nr - left;
		for (i = 0; i < done; i++)
			dev_dbg(mmap_test_device(mf),
				"page index offset = %lu (fault-around)\n",
				pgoff + i);
		if (vmf->pgoff >= pgoff && vmf->pgoff < pgoff + done)
			solved = true;
		mapped += done;
		pgoff += err ? done + 1 : nr;
	}
	atomic_long_add(mapped, &mf->pages_around);
out:
	trace_mmap_test_map_pages(mmap_test_pgoff_addr(vma, vmf->pgoff),
				  start_pgoff, end_pgoff, mapped);
	return solved;
}

#ifdef MT_HAVE_MAP_PAGES_VM_FAULT_T
static vm_fault_t mmap_test_map_pages(struct vm_fault *vmf,
				      pgoff_t start_pgoff, pgoff_t end_pgoff)
{
	if (!mmap_test_fault_around(vmf, start_pgoff, end_pgoff, true))
		return 0;
	mmap_test_count_fault(vmf->vma->vm_private_data);
	return VM_FAULT_NOPAGE;
}
#else
static void mmap_test_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				pgoff_t end_pgoff)
{
	mmap_test_fault_around(vmf, start_pgoff, end_pgoff, false);
}
#endif
#endif /* MT_FAULT_AROUND */

static const struct vm_operations_struct mmap_test_private_vm_ops = {
	.open	= mmap_test_vma_open,
	.close	= mmap_test_vma_close,
	.fault	= mmap_test_fault,
};

static const struct vm_operations_struct mmap_test_shared_vm_ops = {
	.open		= mmap_test_vma_open,
	.close		= mmap_test_vma_close,
	.fault		= mmap_test_fault,
#ifdef MT_FAULT_AROUND
	.map_pages	= mmap_test_map_pages,
#endif
};

int mmap_test_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct mmap_test_file *mf = filp->private_data;
	unsigned long pages = vma_pages(vma);
	bool shared = vma->vm_flags & VM_MAYSHARE;

	if (mmap_test_dump_stack)
		dump_stack();

	if (vma->vm_pgoff >= mf->nr_pages ||
	    pages > mf->nr_pages - vma->vm_pgoff) {
		dev_dbg(mmap_test_device(mf),
			"mmap [%#lx,%#lx) pgoff %lu: past the end of the %lu-page buffer\n",
			vma->vm_start, vma->vm_end, vma->vm_pgoff,
			mf->nr_pages);
		return -EINVAL;
	}

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP |
		     (shared ? VM_MIXEDMAP : 0));
	vma->vm_ops = shared ? &mmap_test_shared_vm_ops :
			       &mmap_test_private_vm_ops;
	vma->vm_private_data = mf;
	mmap_test_vma_get(mf);
	trace_mmap_test_open(vma->vm_start, vma->vm_end, vma->vm_pgoff);
	dev_dbg(mmap_test_device(mf), "mmap [%#lx,%#lx) pgoff %lu %s\n",
		vma->vm_start, vma->vm_end, vma->vm_pgoff,
		shared ? "shared" : "private");
	return 0;
}

unsigned long mmap_test_get_unmapped_area(struct file *filp,
					  unsigned long addr,
					  unsigned long len,
					  unsigned long pgoff,
					  unsigned long flags)
{
	struct mmap_test_file *mf = filp->private_data;
	unsigned long ret;

	if (mmap_test_dump_stack)
		dump_stack();

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
