// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test: the ioctls.
 *
 * ALLOC_VMA reports find_vma(addr) and then calls vm_mmap() on the caller's
 * mm; FREE_VMA calls vm_munmap(); QUERY_VMA reports find_vma(addr).
 *
 * find_vma() returns the first VMA with vm_end > addr: it may start far above
 * addr, so a non-NULL result does not mean addr is mapped.  The report says
 * both what was found and whether it contains addr.
 *
 * Locking: mmap_lock is held (for read) only around find_vma() and the
 * copy of the VMA's fields; never across vm_mmap()/vm_munmap(), which take
 * it for write, nor across copy_{to,from}_user(), which may fault.  No
 * driver lock exists to be held across either.
 */

#include <linux/build_bug.h>
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/mmap_test.h>
#include "mmap_test.h"
#include "mmap_test_trace.h"

/*
 * The UAPI's layout, the same on every architecture (test/lib/mt_ioctl.c
 * asserts the same numbers): 64-bit fields, 32-bit ones in pairs.
 */
static_assert(sizeof(struct mmap_test_vma_report) == 64);
static_assert(offsetof(struct mmap_test_vma_report, found) == 48);
static_assert(offsetof(struct mmap_test_vma_report, nr_vmas) == 60);
static_assert(sizeof(struct mmap_test_alloc) == 128);
static_assert(offsetof(struct mmap_test_alloc, prot) == 24);
static_assert(offsetof(struct mmap_test_alloc, mapped) == 32);
static_assert(offsetof(struct mmap_test_alloc, before) == 64);
static_assert(sizeof(struct mmap_test_free) == 24);
static_assert(sizeof(struct mmap_test_query) == 80);
static_assert(offsetof(struct mmap_test_query, report) == 16);
static_assert(sizeof(struct mmap_test_stats) == 128);

/* What mmap(2) knows; it ignores other bits, ALLOC rejects them. */
#define MMAP_TEST_PROT_ALL	(PROT_READ | PROT_WRITE | PROT_EXEC | \
				 MT_PROT_BTI | MT_PROT_MTE)

static bool log_calls = true;
module_param(log_calls, bool, 0644);
MODULE_PARM_DESC(log_calls,
		 "One dmesg line per ALLOC/FREE/QUERY with the find_vma verdict (default on; rate-limited, see log_burst)");

static unsigned int log_burst = 10;
module_param(log_burst, uint, 0644);
MODULE_PARM_DESC(log_burst,
		 "At most this many ALLOC/FREE/QUERY lines per 5 seconds for the whole device, 0 for no limit (default 10)");

#define MMAP_TEST_LOG_WINDOW	(5 * HZ)

/*
 * Whether this ALLOC/FREE/QUERY may log its line: at most log_burst lines
 * per MMAP_TEST_LOG_WINDOW for the whole device, whoever calls (anyone the
 * node's mode lets open it must not flood the kernel log).  Decided once
 * per call, before the call takes its find_vma() report.  Suppressed lines
 * are counted (stats: log_suppressed) and said in one line when the next
 * window opens.
 */
static bool mmap_test_log_ok(struct mmap_test_file *mf)
{
	struct mmap_test_dev *mt = mf->dev;
	unsigned int burst = READ_ONCE(log_burst);
	unsigned long missed = 0;
	bool ok;

	if (!READ_ONCE(log_calls))
		return false;
	spin_lock(&mt->log_lock);
	if (time_after_eq(jiffies, mt->log_window + MMAP_TEST_LOG_WINDOW)) {
		missed = mt->log_missed;
		mt->log_window = jiffies;
		mt->log_lines = 0;
		mt->log_missed = 0;
	}
	ok = !burst || mt->log_lines < burst;
	if (ok)
		mt->log_lines++;
	else
		mt->log_missed++;
	spin_unlock(&mt->log_lock);
	if (!ok)
		atomic_long_inc(&mt->log_suppressed);
	if (missed)
		dev_info(mmap_test_device(mf),
			 "%lu ALLOC/FREE/QUERY lines suppressed (log_burst=%u per 5 s)\n",
			 missed, burst);
	return ok;
}

/*
 * @addr as munmap(2) sees it: the syscall untags its address with
 * untagged_addr() (arm64: the top byte; x86: LAM bits where enabled), on
 * every kernel since 5.4, with or without the tagged-address prctl.  It is
 * the current task's address, so not untagged_addr_remote().  mmap(2)
 * does not untag its address (a tagged one aliases none), nor does ALLOC.
 */
static u64 mmap_test_untag(u64 addr)
{
	if (addr > ULONG_MAX)
		return addr;	/* 32-bit kernels: no such user pointer */
	return untagged_addr((unsigned long)addr);
}

/*
 * The report's MMAP_TEST_VMA_* bits for the kernel's VM_* flags, which are
 * kernel-internal.  A VM_* flag configured out is VM_NONE and never
 * matches; those missing from some kernels are probed for.
 */
static const struct {
	vm_flags_t vm;
	u64 bit;
} mmap_test_vma_flag_map[] = {
	{ VM_READ,		MMAP_TEST_VMA_READ },
	{ VM_WRITE,		MMAP_TEST_VMA_WRITE },
	{ VM_EXEC,		MMAP_TEST_VMA_EXEC },
	{ VM_SHARED,		MMAP_TEST_VMA_SHARED },
	{ VM_MAYREAD,		MMAP_TEST_VMA_MAYREAD },
	{ VM_MAYWRITE,		MMAP_TEST_VMA_MAYWRITE },
	{ VM_MAYEXEC,		MMAP_TEST_VMA_MAYEXEC },
	{ VM_MAYSHARE,		MMAP_TEST_VMA_MAYSHARE },
	{ VM_GROWSDOWN,		MMAP_TEST_VMA_GROWSDOWN },
	{ VM_LOCKED,		MMAP_TEST_VMA_LOCKED },
	{ VM_IO,		MMAP_TEST_VMA_IO },
	{ VM_PFNMAP,		MMAP_TEST_VMA_PFNMAP },
	{ VM_MIXEDMAP,		MMAP_TEST_VMA_MIXEDMAP },
	{ VM_DONTEXPAND,	MMAP_TEST_VMA_DONTEXPAND },
	{ VM_DONTCOPY,		MMAP_TEST_VMA_DONTCOPY },
	{ VM_DONTDUMP,		MMAP_TEST_VMA_DONTDUMP },
	{ VM_HUGEPAGE,		MMAP_TEST_VMA_HUGEPAGE },
	{ VM_NOHUGEPAGE,	MMAP_TEST_VMA_NOHUGEPAGE },
#ifdef MT_HAVE_VM_MERGEABLE
	{ VM_MERGEABLE,		MMAP_TEST_VMA_MERGEABLE },
#endif
#ifdef MT_HAVE_VM_WIPEONFORK
	{ VM_WIPEONFORK,	MMAP_TEST_VMA_WIPEONFORK },
#endif
	{ VM_LOCKONFAULT,	MMAP_TEST_VMA_LOCKONFAULT },
	{ VM_ACCOUNT,		MMAP_TEST_VMA_ACCOUNT },
	{ VM_NORESERVE,		MMAP_TEST_VMA_NORESERVE },
	{ VM_HUGETLB,		MMAP_TEST_VMA_HUGETLB },
	{ VM_SEQ_READ,		MMAP_TEST_VMA_SEQ_READ },
	{ VM_RAND_READ,		MMAP_TEST_VMA_RAND_READ },
	{ VM_SOFTDIRTY,		MMAP_TEST_VMA_SOFTDIRTY },
#ifdef MT_HAVE_VM_SEALED
	{ VM_SEALED,		MMAP_TEST_VMA_SEALED },
#endif
#ifdef MT_HAVE_VM_DROPPABLE
	{ VM_DROPPABLE,		MMAP_TEST_VMA_DROPPABLE },
#endif
#ifdef MT_HAVE_VM_ARM64_BTI
	{ VM_ARM64_BTI,		MMAP_TEST_VMA_ARM64_BTI },
#endif
#ifdef MT_HAVE_VM_MTE
	{ VM_MTE,		MMAP_TEST_VMA_ARM64_MTE },
	{ VM_MTE_ALLOWED,	MMAP_TEST_VMA_ARM64_MTE_ALLOWED },
#endif
};

static u64 mmap_test_vma_flags(vm_flags_t vm_flags)
{
	u64 flags = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mmap_test_vma_flag_map); i++)
		if (vm_flags & mmap_test_vma_flag_map[i].vm)
			flags |= mmap_test_vma_flag_map[i].bit;
	return flags;
}

/* What /proc/<pid>/maps shows for @vma, classified (see the UAPI header). */
static u32 mmap_test_backing(struct vm_area_struct *vma)
{
	if (vma->vm_file)
		return mmap_test_is_device_file(vma->vm_file) ?
		       MMAP_TEST_BACKING_DEVICE : MMAP_TEST_BACKING_FILE;
	if (vma->vm_ops)	/* special mapping: [vdso], [vvar], ... */
		return MMAP_TEST_BACKING_SPECIAL;
	if (vma_is_initial_heap(vma) || vma_is_initial_stack(vma))
		return MMAP_TEST_BACKING_SPECIAL;
	return MMAP_TEST_BACKING_ANON;
}

/* Room for what the log says a VMA is: "[vvar]", a file's path. */
#define MMAP_TEST_NAME_LEN	96

/*
 * " <path>" of @file as maps prints it (d_path() of file_user_path(),
 * " (deleted)" included) into @buf, with @page (PATH_MAX bytes, or NULL)
 * to build it in.  A path longer than @buf keeps its tail after " ...",
 * cut between UTF-8 characters; without @page, or for a path longer than
 * PATH_MAX, the tail is the last component.  A control character prints
 * as '?' (maps escapes only '\n', as "\012"), so that the line stays one
 * line on a console.
 */
static void mmap_test_file_name(struct file *file, char *page, char *buf,
				size_t size)
{
	char *p = page ? d_path(file_user_path(file), page, PATH_MAX) :
			 ERR_PTR(-ENOMEM);
	size_t len;

	if (IS_ERR(p)) {
		snprintf(buf, size, " ...%pD", file);
	} else {
		len = strlen(p);
		if (len + 2 > size) {
			p += len - (size - 5);
			while (((unsigned char)*p & 0xc0) == 0x80)
				p++;
			snprintf(buf, size, " ...%s", p);
		} else {
			snprintf(buf, size, " %s", p);
		}
	}
	for (p = buf; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = '?';
}

/*
 * What /proc/<pid>/maps names @vma in its last column, as far as a module
 * can tell, with a space before it: its file's path (not for the device's
 * own files: "device" says it), a special mapping's own name ("[vdso]",
 * "[vvar]", "[uprobes]"), "[heap]", "[stack]"; empty for anonymous memory.
 * arch_vma_name() and the names of anonymous VMAs (PR_SET_VMA) are not
 * exported to modules.  Under the mmap lock: the VMA and its file stay put.
 * @page: see mmap_test_file_name().
 */
static void mmap_test_vma_name(struct vm_area_struct *vma, char *page,
			       char *buf, size_t size)
{
	const char *name = NULL;

	if (vma->vm_file) {	/* "device" says which file that is */
		if (!mmap_test_is_device_file(vma->vm_file))
			mmap_test_file_name(vma->vm_file, page, buf, size);
		return;
	}
	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (!name && vma_is_initial_heap(vma))
		name = "[heap]";
	if (!name && vma_is_initial_stack(vma))
		name = "[stack]";
	if (name)
		snprintf(buf, size, " %s", name);
}

/*
 * find_vma(current->mm, @addr) into @r; with @name (MMAP_TEST_NAME_LEN
 * bytes), also what the VMA is, for the log ("" if none or anonymous).
 */
static int mmap_test_report(u64 addr, struct mmap_test_vma_report *r,
			    char *name)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	char *page = NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	r->addr = addr;
	if (name)
		name[0] = '\0';
	if (addr > ULONG_MAX)
		return 0;	/* above any VMA */

	if (name)
		page = __getname();	/* a file's path; NULL: its tail */
	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out;
	r->nr_vmas = mm->map_count;
	vma = find_vma(mm, addr);
	if (vma) {
		r->found = 1;
		r->vm_start = vma->vm_start;
		r->vm_end = vma->vm_end;
		r->contains = vma->vm_start <= addr;
		r->gap = r->contains ? 0 : vma->vm_start - addr;
		r->flags = mmap_test_vma_flags(vma->vm_flags);
		r->vm_pgoff = vma->vm_pgoff;
		r->backing = mmap_test_backing(vma);
		if (name)
			mmap_test_vma_name(vma, page, name, MMAP_TEST_NAME_LEN);
	}
	mmap_read_unlock(mm);
out:
	if (page)
		__putname(page);
	return ret;
}

/*
 * Bounds of the VMA that holds @addr now, for the log: a new anonymous
 * mapping may have merged with its neighbours.  Zero if it is gone already.
 */
static void mmap_test_vma_bounds(unsigned long addr, unsigned long *start,
				 unsigned long *end)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;

	if (mmap_read_lock_killable(mm))
		return;
	vma = vma_lookup(mm, addr);
	if (vma) {
		*start = vma->vm_start;
		*end = vma->vm_end;
	}
	mmap_read_unlock(mm);
}

static const char * const mmap_test_backing_names[] = {
	[MMAP_TEST_BACKING_NONE]	= "none",
	[MMAP_TEST_BACKING_DEVICE]	= "device",
	[MMAP_TEST_BACKING_FILE]	= "file",
	[MMAP_TEST_BACKING_ANON]	= "anon",
	[MMAP_TEST_BACKING_SPECIAL]	= "special",
};

/* One dmesg line: "<op> find_vma(<addr>) -> <verdict>; <result>". */
static void mmap_test_log(struct mmap_test_file *mf, const char *op,
			  const struct mmap_test_vma_report *r,
			  const char *name, const char *result)
{
	struct device *dev = mmap_test_device(mf);

	if (!r->found)
		dev_info(dev, "%s find_vma(%#llx) -> NULL: no VMA at or above it; %s\n",
			 op, r->addr, result);
	else if (r->contains)
		dev_info(dev, "%s find_vma(%#llx) -> [%#llx,%#llx) %s%s, contains: yes; %s\n",
			 op, r->addr, r->vm_start, r->vm_end,
			 mmap_test_backing_names[r->backing], name, result);
	else
		dev_info(dev, "%s find_vma(%#llx) -> [%#llx,%#llx) %s%s, contains: no, next VMA starts %#llx above; %s\n",
			 op, r->addr, r->vm_start, r->vm_end,
			 mmap_test_backing_names[r->backing], name, r->gap,
			 result);
}

static void mmap_test_log_alloc(struct mmap_test_file *mf,
				const struct mmap_test_alloc *req,
				const char *name, unsigned long addr, int ret)
{
	unsigned long start = 0, end = 0;
	char result[128];

	if (ret) {
		snprintf(result, sizeof(result), "vm_mmap(len %#llx, flags %#x) -> %d",
			 req->len, req->flags, ret);
	} else {
		mmap_test_vma_bounds(addr, &start, &end);
		snprintf(result, sizeof(result),
			 "vm_mmap(len %#llx, flags %#x) -> %#lx, now in VMA [%#lx,%#lx)",
			 req->len, req->flags, addr, start, end);
	}
	mmap_test_log(mf, "ALLOC", &req->before, name, result);
}

static int mmap_test_check_alloc(const struct mmap_test_alloc *req)
{
	bool shared = req->flags & MMAP_TEST_SHARED;
	bool private = req->flags & MMAP_TEST_PRIVATE;

	if (req->reserved[0] || req->reserved[1] || req->reserved[2])
		return -EINVAL;
	if (req->flags & ~MMAP_TEST_FLAGS_ALL)
		return -EINVAL;
	if (shared == private)
		return -EINVAL;
	if (req->prot & ~MMAP_TEST_PROT_ALL)
		return -EINVAL;
	if (!req->len)
		return -EINVAL;
	if (req->pgoff > ULONG_MAX >> PAGE_SHIFT)
		return -EOVERFLOW;
	/* Only on 32-bit kernels: what does not fit cannot be mapped. */
	if (req->addr > ULONG_MAX || req->len > ULONG_MAX)
		return -ENOMEM;
	if (!MAP_FIXED_NOREPLACE && (req->flags & MMAP_TEST_FIXED_NOREPLACE))
		return -EOPNOTSUPP;
	return 0;
}

static unsigned long mmap_test_map_flags(u32 flags)
{
	unsigned long mflags = 0;

	mflags |= (flags & MMAP_TEST_SHARED) ? MAP_SHARED : MAP_PRIVATE;
	if (flags & MMAP_TEST_FIXED)
		mflags |= MAP_FIXED;
	if (flags & MMAP_TEST_FIXED_NOREPLACE)
		mflags |= MAP_FIXED_NOREPLACE;
	if (flags & MMAP_TEST_POPULATE)
		mflags |= MAP_POPULATE;
	if (flags & MMAP_TEST_ANON)
		mflags |= MAP_ANONYMOUS;
	return mflags;
}

static long mmap_test_alloc(struct file *filp,
			    struct mmap_test_alloc __user *uarg)
{
	struct mmap_test_file *mf = filp->private_data;
	struct mmap_test_alloc req;
	bool log = mmap_test_log_ok(mf);
	char name[MMAP_TEST_NAME_LEN];
	struct file *file;
	unsigned long addr;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	ret = mmap_test_check_alloc(&req);
	if (ret) {
		if (log)
			dev_info(mmap_test_device(mf),
				 "ALLOC rejected (flags %#x, prot %#x, len %#llx, pgoff %#llx): %d\n",
				 req.flags, req.prot, req.len, req.pgoff, ret);
		return ret;
	}

	ret = mmap_test_report(req.addr, &req.before, log ? name : NULL);
	if (ret)
		return ret;
	/*
	 * Copy the report out before mapping: an argument we cannot write
	 * fails here, with nothing mapped.  Once vm_mmap() has dropped the
	 * mmap lock, another thread may unmap or replace the new range, so
	 * a copy-out that fails after it must not vm_munmap() the range: it
	 * could destroy a mapping this call did not make.
	 */
	req.mapped = 0;
	if (copy_to_user(uarg, &req, sizeof(req)))
		return -EFAULT;

	file = req.flags & MMAP_TEST_ANON ? NULL : filp;
	addr = vm_mmap(file, req.addr, req.len, req.prot,
		       mmap_test_map_flags(req.flags), req.pgoff << PAGE_SHIFT);
	/*
	 * The generic, x86, arm64, riscv and s390 get_unmapped_area() return
	 * a fixed address as is, and one in the last page of the address
	 * space, above TASK_SIZE, then reads as an error code: mmap(2) fails
	 * with the address as its "errno" (EPERM for ~0).  Nothing was
	 * mapped: ENOMEM, as for every other fixed address above TASK_SIZE.
	 * (An address equal to an error that vm_mmap() returned before
	 * looking at it, -EINVAL for an offset that wraps, reads as ENOMEM
	 * too.)
	 */
	if ((req.flags & (MMAP_TEST_FIXED | MMAP_TEST_FIXED_NOREPLACE)) &&
	    IS_ERR_VALUE(addr) && addr == req.addr)
		addr = -ENOMEM;
	ret = IS_ERR_VALUE(addr) ? (int)addr : 0;
	req.mapped = ret ? 0 : addr;
	if (log)
		mmap_test_log_alloc(mf, &req, name, addr, ret);
	trace_mmap_test_alloc(req.addr, req.len, req.prot, req.flags,
			      req.pgoff, req.before.found,
			      req.before.contains, (long)addr);

	/*
	 * Only a concurrent change of the argument's own mapping makes this
	 * fail.  The new mapping then stays: QUERY or /proc/self/maps find it.
	 */
	if (copy_to_user(uarg, &req, sizeof(req)))
		return -EFAULT;
	return ret;
}

static long mmap_test_free(struct file *filp,
			   struct mmap_test_free __user *uarg)
{
	struct mmap_test_file *mf = filp->private_data;
	struct mmap_test_vma_report before;
	struct mmap_test_free req;
	/* Decided once: log_calls is writable at any time (0644). */
	bool log = mmap_test_log_ok(mf);
	char name[MMAP_TEST_NAME_LEN];
	char result[96];
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved)
		return -EINVAL;
	/* Only on 32-bit kernels: munmap(2) says EINVAL for such ranges. */
	if (req.addr > ULONG_MAX || req.len > ULONG_MAX)
		return -EINVAL;
	req.addr = mmap_test_untag(req.addr);

	if (log) {
		ret = mmap_test_report(req.addr, &before, name);
		if (ret)
			return ret;
	}
	ret = vm_munmap(req.addr, req.len);
	if (log) {
		snprintf(result, sizeof(result), "vm_munmap(%#llx, %#llx) -> %d",
			 req.addr, req.len, ret);
		mmap_test_log(mf, "FREE", &before, name, result);
	}
	trace_mmap_test_free(req.addr, req.len, ret);
	return ret;
}

static long mmap_test_query(struct file *filp,
			    struct mmap_test_query __user *uarg)
{
	struct mmap_test_file *mf = filp->private_data;
	char name[MMAP_TEST_NAME_LEN];
	struct mmap_test_query req;
	bool log;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved)
		return -EINVAL;
	log = mmap_test_log_ok(mf);
	/* req.addr stays as given: it is copied back. */
	ret = mmap_test_report(mmap_test_untag(req.addr), &req.report,
			       log ? name : NULL);
	if (ret)
		return ret;
	if (log)
		mmap_test_log(mf, "QUERY", &req.report, name, "done");
	trace_mmap_test_query(req.report.addr, req.report.found,
			      req.report.contains, req.report.vm_start,
			      req.report.vm_end);
	return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long mmap_test_get_stats(struct file *filp,
				struct mmap_test_stats __user *uarg)
{
	struct mmap_test_file *mf = filp->private_data;
	struct mmap_test_dev *mt = mf->dev;
	struct mmap_test_stats st = {
		.faults		= atomic_long_read(&mf->faults),
		.pages_around	= atomic_long_read(&mf->pages_around),
		.live_vmas	= atomic_long_read(&mf->live_vmas),
		.vma_opens	= atomic_long_read(&mf->vma_opens),
		.vma_closes	= atomic_long_read(&mf->vma_closes),
		.pages		= atomic_long_read(&mf->allocated),
		.buffer_pages	= mf->nr_pages,
		.total_faults	= atomic_long_read(&mt->faults),
		.total_live_vmas = atomic_long_read(&mt->live_vmas),
		.total_pages	= atomic_long_read(&mt->pages),
		.total_files	= atomic_long_read(&mt->files),
		.log_suppressed	= atomic_long_read(&mt->log_suppressed),
	};

	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

long mmap_test_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct mmap_test_file *mf = filp->private_data;
	void __user *uarg = (void __user *)arg;
	enum mmap_test_op op;
	long ret;

	switch (cmd) {
	case IOCTL_ALLOC_VMA:
		op = MMAP_TEST_OP_ALLOC;
		ret = mmap_test_alloc(filp, uarg);
		break;
	case IOCTL_FREE_VMA:
		op = MMAP_TEST_OP_FREE;
		ret = mmap_test_free(filp, uarg);
		break;
	case IOCTL_QUERY_VMA:
		op = MMAP_TEST_OP_QUERY;
		ret = mmap_test_query(filp, uarg);
		break;
	case IOCTL_GET_STATS:
		op = MMAP_TEST_OP_STATS;
		ret = mmap_test_get_stats(filp, uarg);
		break;
	default:
		op = MMAP_TEST_OP_UNKNOWN;
		ret = -ENOTTY;
		break;
	}
	atomic_long_inc(&mf->dev->results[op][min_t(long, -ret,
						    MMAP_TEST_NR_ERRNO - 1)]);
	return ret;
}
