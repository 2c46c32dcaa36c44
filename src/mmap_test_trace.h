/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of mmap-test: /sys/kernel/tracing/events/mmap_test/.
 *
 * Fields are user addresses, page offsets, flags and results only: never a
 * kernel pointer.  Event names carry the mmap_test_ prefix (mmap_test_alloc,
 * mmap_test_fault, ...), so that they do not read as the kernel's own in a
 * trace mixing several systems.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mmap_test

#if !defined(MMAP_TEST_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MMAP_TEST_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(mmap_test_alloc,
	    TP_PROTO(u64 addr, u64 len, u32 prot, u32 flags, u64 pgoff,
		     bool found, bool contains, long ret),
	    TP_ARGS(addr, len, prot, flags, pgoff, found, contains, ret),
	    TP_STRUCT__entry(__field(u64, addr)
			     __field(u64, len)
			     __field(u64, pgoff)
			     __field(long, ret)
			     __field(u32, prot)
			     __field(u32, flags)
			     __field(bool, found)
			     __field(bool, contains)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->len = len;
			   __entry->pgoff = pgoff;
			   __entry->ret = ret;
			   __entry->prot = prot;
			   __entry->flags = flags;
			   __entry->found = found;
			   __entry->contains = contains;),
	    TP_printk("addr=%#llx len=%#llx prot=%#x flags=%#x pgoff=%llu found=%d contains=%d ret=%#lx",
		      __entry->addr, __entry->len, __entry->prot,
		      __entry->flags, __entry->pgoff, __entry->found,
		      __entry->contains, __entry->ret)
);

TRACE_EVENT(mmap_test_free,
	    TP_PROTO(u64 addr, u64 len, int ret),
	    TP_ARGS(addr, len, ret),
	    TP_STRUCT__entry(__field(u64, addr)
			     __field(u64, len)
			     __field(int, ret)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->len = len;
			   __entry->ret = ret;),
	    TP_printk("addr=%#llx len=%#llx ret=%d",
		      __entry->addr, __entry->len, __entry->ret)
);

TRACE_EVENT(mmap_test_query,
	    TP_PROTO(u64 addr, bool found, bool contains, u64 vm_start,
		     u64 vm_end),
	    TP_ARGS(addr, found, contains, vm_start, vm_end),
	    TP_STRUCT__entry(__field(u64, addr)
			     __field(u64, vm_start)
			     __field(u64, vm_end)
			     __field(bool, found)
			     __field(bool, contains)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->vm_start = vm_start;
			   __entry->vm_end = vm_end;
			   __entry->found = found;
			   __entry->contains = contains;),
	    TP_printk("addr=%#llx found=%d contains=%d vma=[%#llx,%#llx)",
		      __entry->addr, __entry->found, __entry->contains,
		      __entry->vm_start, __entry->vm_end)
);

/* vma_lock: taken under the per-VMA lock (FAULT_FLAG_VMA_LOCK), not mmap_lock */
TRACE_EVENT(mmap_test_fault,
	    TP_PROTO(unsigned long address, unsigned long pgoff,
		     unsigned int ret, bool vma_lock),
	    TP_ARGS(address, pgoff, ret, vma_lock),
	    TP_STRUCT__entry(__field(unsigned long, address)
			     __field(unsigned long, pgoff)
			     __field(unsigned int, ret)
			     __field(bool, vma_lock)),
	    TP_fast_assign(__entry->address = address;
			   __entry->pgoff = pgoff;
			   __entry->ret = ret;
			   __entry->vma_lock = vma_lock;),
	    TP_printk("address=%#lx pgoff=%lu ret=%#x vma_lock=%d",
		      __entry->address, __entry->pgoff, __entry->ret,
		      __entry->vma_lock)
);

TRACE_EVENT(mmap_test_map_pages,
	    TP_PROTO(unsigned long address, unsigned long start_pgoff,
		     unsigned long end_pgoff, unsigned int mapped),
	    TP_ARGS(address, start_pgoff, end_pgoff, mapped),
	    TP_STRUCT__entry(__field(unsigned long, address)
			     __field(unsigned long, start_pgoff)
			     __field(unsigned long, end_pgoff)
			     __field(unsigned int, mapped)),
	    TP_fast_assign(__entry->address = address;
			   __entry->start_pgoff = start_pgoff;
			   __entry->end_pgoff = end_pgoff;
			   __entry->mapped = mapped;),
	    TP_printk("address=%#lx pgoff=[%lu,%lu] mapped=%u",
		      __entry->address, __entry->start_pgoff,
		      __entry->end_pgoff, __entry->mapped)
);

DECLARE_EVENT_CLASS(mmap_test_vma,
		    TP_PROTO(unsigned long vm_start, unsigned long vm_end,
			     unsigned long pgoff),
		    TP_ARGS(vm_start, vm_end, pgoff),
		    TP_STRUCT__entry(__field(unsigned long, vm_start)
				     __field(unsigned long, vm_end)
				     __field(unsigned long, pgoff)),
		    TP_fast_assign(__entry->vm_start = vm_start;
				   __entry->vm_end = vm_end;
				   __entry->pgoff = pgoff;),
		    TP_printk("vma=[%#lx,%#lx) pgoff=%lu",
			      __entry->vm_start, __entry->vm_end,
			      __entry->pgoff)
);

DEFINE_EVENT(mmap_test_vma, mmap_test_open,
	     TP_PROTO(unsigned long vm_start, unsigned long vm_end,
		      unsigned long pgoff),
	     TP_ARGS(vm_start, vm_end, pgoff)
);

DEFINE_EVENT(mmap_test_vma, mmap_test_close,
	     TP_PROTO(unsigned long vm_start, unsigned long vm_end,
		      unsigned long pgoff),
	     TP_ARGS(vm_start, vm_end, pgoff)
);

#endif /* MMAP_TEST_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE mmap_test_trace
#include <trace/define_trace.h>
