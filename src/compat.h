/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API compatibility for mmap-test.
 *
 * Every difference is keyed on an MT_HAVE_* macro that src/conftest.sh
 * sets by compile-testing the API against the kernel being built for.
 * No LINUX_VERSION_CODE checks: distributions backport.
 */
#ifndef MMAP_TEST_COMPAT_H
#define MMAP_TEST_COMPAT_H

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "mmap_test_conftest.h"

#ifndef MT_HAVE_VM_FAULT_T
#define vm_fault_t int
#endif

#ifndef MT_HAVE_MMAP_READ_LOCK
static inline int mmap_read_lock_killable(struct mm_struct *mm)
{
	return down_read_killable(&mm->mmap_sem);
}

static inline void mmap_read_unlock(struct mm_struct *mm)
{
	up_read(&mm->mmap_sem);
}
#endif

/*
 * dump_stack=1's call chains at KERN_INFO: in the log, where the tour and
 * dmesg read them, but not on a console at loglevel 5 or less (make
 * shell's: it shows warnings), where they look like an oops.  Before 5.14
 * at the default level, which such a console shows.
 */
#ifdef MT_HAVE_DUMP_STACK_LVL
#define mt_dump_stack()	dump_stack_lvl(KERN_INFO)
#else
#define mt_dump_stack()	dump_stack()
#endif

/* What /proc/<pid>/maps prints for a mapped file: before 6.8, its f_path. */
#ifndef MT_HAVE_FILE_USER_PATH
static inline const struct path *file_user_path(struct file *file)
{
	return &file->f_path;
}
#endif

/* Before 6.6, the tests fs/proc/task_mmu.c made inline (both inclusive). */
#ifndef MT_HAVE_VMA_IS_INITIAL_HEAP
static inline bool vma_is_initial_heap(const struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
}

static inline bool vma_is_initial_stack(const struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->start_stack &&
	       vma->vm_end >= vma->vm_mm->start_stack;
}
#endif

#ifndef MT_HAVE_VMA_LOOKUP
static inline struct vm_area_struct *vma_lookup(struct mm_struct *mm,
						unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}
#endif

#ifndef MT_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma,
				vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * The mm's default placement, which our get_unmapped_area delegates to.
 * Up to 6.9 a method of the mm; 6.10 made it mm_get_unmapped_area(mm, ...);
 * later kernels (7.x) dropped the mm argument, it is always current->mm.
 */
static inline unsigned long mt_mm_get_unmapped_area(struct file *file,
						    unsigned long addr,
						    unsigned long len,
						    unsigned long pgoff,
						    unsigned long flags)
{
#if defined(MT_HAVE_MM_GET_UNMAPPED_AREA_NO_MM)
	return mm_get_unmapped_area(file, addr, len, pgoff, flags);
#elif defined(MT_HAVE_MM_GET_UNMAPPED_AREA)
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#elif defined(MT_HAVE_MM_STRUCT_GET_UNMAPPED_AREA)
	return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
#else
#error "mmap-test: no shape of mm_get_unmapped_area() compiles: see mmap_test_conftest.h"
#endif
}

#if defined(CONFIG_COMPAT) && !defined(MT_HAVE_COMPAT_PTR_IOCTL)
static inline long compat_ptr_ioctl(struct file *file, unsigned int cmd,
				    unsigned long arg)
{
	if (!file->f_op->unlocked_ioctl)
		return -ENOIOCTLCMD;
	return file->f_op->unlocked_ioctl(file, cmd,
					  (unsigned long)compat_ptr(arg));
}
#endif

/* A macro of seq_file.h since 4.16: tested for directly. */
#ifndef DEFINE_SHOW_ATTRIBUTE
#define DEFINE_SHOW_ATTRIBUTE(__name)					\
static int __name ## _open(struct inode *inode, struct file *file)	\
{									\
	return single_open(file, __name ## _show, inode->i_private);	\
}									\
									\
static const struct file_operations __name ## _fops = {			\
	.owner		= THIS_MODULE,					\
	.open		= __name ## _open,				\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= single_release,				\
}
#endif

/*
 * Before untagged_addr() (5.4) no syscall untagged its addresses: neither
 * does FREE_VMA/QUERY_VMA then.
 */
#ifndef MT_HAVE_UNTAGGED_ADDR
#define untagged_addr(addr)	(addr)
#endif

/*
 * The architecture's mmap(2) prot bits that ALLOC_VMA accepts besides
 * PROT_READ|PROT_WRITE|PROT_EXEC.  vm_mmap() gives them the meaning
 * mmap(2) does: arch_calc_vm_prot_bits() ignores them on a CPU without
 * the feature, arch_validate_flags() rejects PROT_MTE where the mapping
 * cannot hold tags.
 */
#ifdef MT_HAVE_PROT_BTI
#define MT_PROT_BTI	PROT_BTI
#else
#define MT_PROT_BTI	0
#endif
#ifdef MT_HAVE_PROT_MTE
#define MT_PROT_MTE	PROT_MTE
#else
#define MT_PROT_MTE	0
#endif

/* mmap_hook=prepare needs all three parts (see src/conftest.sh). */
#if defined(MT_HAVE_MMAP_PREPARE) && defined(MT_HAVE_VM_OPS_MAPPED) && \
	defined(MT_HAVE_VMA_DESC_SET_FLAGS)
#define MT_HAVE_MMAP_PREPARE_PATH 1
#endif

/*
 * huge=1 needs both probes and THP (do_set_pmd() is a stub without it,
 * and thp_get_unmapped_area() NULL).
 */
#if defined(MT_HAVE_LARGE_FOLIO_ORDER) && \
	defined(MT_HAVE_THP_GET_UNMAPPED_AREA) && \
	IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE)
#define MT_HAVE_HUGE_PATH 1
#endif

#ifndef MT_HAVE_KZALLOC_OBJ
#define kzalloc_obj(P, GFP)	kzalloc(sizeof(P), GFP)
#endif

/*
 * ->map_pages returns vm_fault_t from 5.12 on and void before; one of the
 * two must compile.  Fault-around is the kernel's own filemap_map_pages(),
 * whose signature is its kernel's ->map_pages.  MAP_FIXED_NOREPLACE is a
 * uapi macro: where it is missing, IOCTL_ALLOC_VMA rejects
 * MMAP_TEST_FIXED_NOREPLACE with EOPNOTSUPP.
 */
#if !defined(MT_HAVE_MAP_PAGES_VM_FAULT_T) && !defined(MT_HAVE_MAP_PAGES_VOID)
#error "mmap-test: no shape of vm_operations_struct.map_pages compiles: see mmap_test_conftest.h"
#endif

/* Was this fault taken under the per-VMA lock (6.4+) rather than mmap_lock? */
static inline bool mt_fault_vma_locked(const struct vm_fault *vmf)
{
#ifdef MT_HAVE_FAULT_FLAG_VMA_LOCK
	return vmf->flags & FAULT_FLAG_VMA_LOCK;
#else
	return false;
#endif
}

/*
 * @mm's count of file pages mapped (MM_FILEPAGES: the buffer's page cache
 * pages are file pages, not shmem) as the current task changes it: the
 * difference of two reads, between mt_rss_pin() and mt_rss_unpin(), is
 * what the task mapped in between.  Never sleeps: fault-around calls it
 * under rcu_read_lock().
 *
 * From 6.2 on each count is a percpu_counter, and filemap_map_pages() adds
 * what it mapped once, on the CPU it runs on (add_mm_counter()).  With
 * migration off, that is this CPU's part plus the shared count: a batch
 * this CPU folds into the shared count leaves the sum as it was.  A batch
 * another CPU folds meanwhile (another thread of the mm, or reclaim
 * unmapping its pages) shows up whole.  (The exact total,
 * percpu_counter_sum(), would take the counter's lock with interrupts off
 * and read every CPU's part, on every fault-around.)
 * Before 6.2, an atomic in the mm plus, with SPLIT_RSS_COUNTING, what the
 * current task has counted for its own mm and not yet folded into it
 * (a fault counts there when current->mm is the faulting mm).
 */
#if defined(MT_HAVE_RSS_PERCPU)
static inline long mt_file_rss(struct mm_struct *mm)
{
	struct percpu_counter *c = &mm->rss_stat[MM_FILEPAGES];
	long n;

	/*
	 * Both parts at one point: a task that preempted us between the two
	 * loads could fold this CPU's part into the shared count.
	 */
	preempt_disable();
#ifdef CONFIG_SMP
	n = READ_ONCE(c->count) + this_cpu_read(*c->counters);
#else
	n = READ_ONCE(c->count);
#endif
	preempt_enable();
	return n;
}

/* Migration off (preemption stays on: PREEMPT_RT's PTE lock sleeps). */
static inline void mt_rss_pin(void)
{
	migrate_disable();
}

static inline void mt_rss_unpin(void)
{
	migrate_enable();
}
#elif defined(MT_HAVE_RSS_ATOMIC)
static inline long mt_file_rss(struct mm_struct *mm)
{
	long n = atomic_long_read(&mm->rss_stat.count[MM_FILEPAGES]);

#ifdef SPLIT_RSS_COUNTING
	if (current->mm == mm)
		n += current->rss_stat.count[MM_FILEPAGES];
#endif
	return n;
}

static inline void mt_rss_pin(void)
{
}

static inline void mt_rss_unpin(void)
{
}
#else
#error "mmap-test: no shape of mm_struct.rss_stat compiles: see mmap_test_conftest.h"
#endif

/*
 * kmap_local_page() (5.11), which allows page faults while the page is
 * mapped.  Before it, only kernels without highmem (every 64-bit one):
 * there every page has its kernel address.
 */
#ifndef MT_HAVE_KMAP_LOCAL_PAGE
#ifdef CONFIG_HIGHMEM
#error "mmap-test: a highmem kernel needs kmap_local_page() (Linux 5.11)"
#endif
static inline void *kmap_local_page(struct page *page)
{
	return page_address(page);
}

static inline void kunmap_local(const void *addr)
{
}
#endif

#endif /* MMAP_TEST_COMPAT_H */
