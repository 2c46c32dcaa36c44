// SPDX-License-Identifier: GPL-2.0
/*
 * explain.c - why a request failed and what a find_vma() report means,
 * in one sentence each: the errno of ALLOC_VMA, FREE_VMA, QUERY_VMA or
 * open() is matched against the conditions the module and vm_mmap() test,
 * in their order, so that the user learns the cause and not only EINVAL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "test-mmap.h"

/* The name of each request in messages and in JSON ("request"). */
const char * const req_name[] = {
	[REQ_ALLOC] = "ALLOC_VMA", [REQ_FREE] = "FREE_VMA",
	[REQ_QUERY] = "QUERY_VMA", [REQ_STATS] = "GET_STATS",
	[REQ_OPEN] = "open",
};

static void explain_enomem(const struct ctx *c, const struct mmap_test_alloc *a,
			   char *buf, size_t n)
{
	bool exact;
	__u64 top = mt_mem_task_size(&exact);
	__u64 len = mt_mem_page_align(a->len);
	bool fixed = a->flags & FIXED_ANY;
	unsigned long long max_maps;

	if (!len || (top && exact && len > top)) {
		snprintf(buf, n, "len exceeds the address space");
	} else if (fixed && top && (a->addr >= top || len > top - a->addr)) {
		snprintf(buf, n, "0x%llx%s%.0llx is %sabove TASK_SIZE on this machine: user addresses %send at 0x%llx%s",
			 (unsigned long long)a->addr,
			 a->addr < top ? " + 0x" : "",
			 a->addr < top ? (unsigned long long)len : 0ULL,
			 exact ? "" : "likely ", exact ? "" : "likely ",
			 (unsigned long long)top,
			 exact ? "" : " (estimated from the highest mapping in /proc/self/maps)");
	} else if (!exact && top && len > top) {
		snprintf(buf, n, "len likely exceeds the address space (user addresses likely end at 0x%llx)",
			 (unsigned long long)top);
	} else {
		max_maps = read_sysctl("/proc/sys/vm/max_map_count");
		if (max_maps && a->before.nr_vmas >= max_maps)
			snprintf(buf, n, "too many mappings: %u >= vm.max_map_count %llu",
				 a->before.nr_vmas, max_maps);
		else
			snprintf(buf, n, "no free range of 0x%llx bytes, or out of memory",
				 (unsigned long long)len);
	}
}

static void explain_alloc_einval(const struct ctx *c,
				 const struct mmap_test_alloc *a,
				 char *buf, size_t n)
{
	__u64 len = mt_mem_page_align(a->len);
	__u64 off = a->pgoff * c->page;
	__u64 pages = len / c->page;

	if (mt_alloc_invalid(a, buf, n) == -EINVAL)
		return;		/* the module's own checks: buf says which */
	if (len && off + len < off)
		snprintf(buf, n, "byte offset pgoff<<PAGE_SHIFT + len overflows");
	else if ((a->flags & FIXED_ANY) &&
		 (a->addr & (c->page - 1)))
		snprintf(buf, n, "fixed address not page aligned");
	else if (!(a->flags & MMAP_TEST_ANON) && c->buffer_pages &&
		 (a->pgoff > c->buffer_pages ||
		  pages > c->buffer_pages - a->pgoff))
		snprintf(buf, n, "range past the end of the %llu-page device buffer",
			 (unsigned long long)c->buffer_pages);
	else if (!(a->flags & MMAP_TEST_ANON) && !c->buffer_pages)
		snprintf(buf, n, "range past the end of the device buffer?");
#ifdef __aarch64__
	else if ((a->prot & PROT_MTE) && !(a->flags & MMAP_TEST_ANON))
		snprintf(buf, n, "PROT_MTE on a device mapping, which cannot hold MTE tags (mmap(2) says EINVAL too)");
#endif
	else
		snprintf(buf, n, "rejected by vm_mmap() or the driver's ->mmap");
}

static void explain_free_einval(const struct ctx *c,
				const struct mmap_test_free *f,
				char *buf, size_t n)
{
	bool exact;
	__u64 top = mt_mem_task_size(&exact);
	__u64 len = mt_mem_page_align(f->len);

	if (f->reserved)
		snprintf(buf, n, "reserved field nonzero");
	else if (f->addr & (c->page - 1))
		snprintf(buf, n, "address not page aligned");
	else if (!f->len)
		snprintf(buf, n, "len is 0");
	else if (!len || f->addr + len < f->addr)
		snprintf(buf, n, "range overflows");
	else if (top && (f->addr >= top || len > top - f->addr))
		snprintf(buf, n, "range %sgoes past TASK_SIZE (0x%llx)",
			 exact ? "" : "likely ", (unsigned long long)top);
	else
		snprintf(buf, n, "rejected by vm_munmap()");
}

/* Whether this process has group @g (its effective or a supplementary one). */
static bool in_group(gid_t g)
{
	gid_t gs[256];
	int i, n;

	if (getegid() == g)
		return true;
	n = getgroups(256, gs);
	for (i = 0; i < n; i++)
		if (gs[i] == g)
			return true;
	return false;
}

/*
 * Why open() of the node was refused, from the node's owner, group and mode
 * (the module makes it root 0600; a udev rule can give it to a group) and
 * this process's groups.
 */
static void explain_open_access(const char *dev, bool rdonly, char *buf,
				size_t n)
{
	unsigned int mode;
	char name[64] = "?";
	struct stat st;

	if (stat(dev, &st)) {
		snprintf(buf, n, "permission denied");
		return;
	}
	mode = st.st_mode & 07777;
	mt_group_name(st.st_gid, name, sizeof(name));
	if (!(mode & 0060) || st.st_gid == 0)
		snprintf(buf, n, "%s is mode %04o, owner uid %u: only root may open it (run as root, or give it to a group with the udev rule, udev/60-mmap-test.rules)",
			 dev, mode, (unsigned int)st.st_uid);
	else if (!in_group(st.st_gid))
		snprintf(buf, n, "%s is mode %04o, group %s, and this process (uid %u) is not in group %s: an administrator adds you (adduser <user> %s); a session that began before that needs a new login",
			 dev, mode, name, (unsigned int)getuid(), name, name);
	else
		snprintf(buf, n, "%s is mode %04o: its group %s may not open it %s",
			 dev, mode, name, rdonly ? "read-only" : "read-write (try --rdonly)");
}

/*
 * The cause table: errno of request @req with argument @arg -> why.
 * Conditions are tested in the order the module and vm_mmap() test them.
 */
const char *explain_error(const struct ctx *c, enum req req, int err,
			  const void *arg, char *buf, size_t n)
{
	const struct mmap_test_alloc *a = arg;
	const struct mmap_test_query *q = arg;
	const struct mmap_test_vma_report *b;

	buf[0] = '\0';
	switch (err) {
	case EFAULT:
		snprintf(buf, n, "bad argument pointer");
		break;
	case ENOTTY:
		snprintf(buf, n, "unknown ioctl: is %s an mmap-test device?",
			 c->o->device);
		break;
	case ENOENT:
		if (!strcmp(c->o->device, MMAP_TEST_DEVICE))
			snprintf(buf, n, "no such file: is the module loaded? insmod mmap_test.ko, or modprobe mmap_test where it is installed");
		else
			snprintf(buf, n, "no such file or directory");
		break;
	case ENXIO:
	case ENODEV:
		snprintf(buf, n, "device node without a driver: module not loaded?");
		break;
	case EACCES:
		if (req == REQ_OPEN)
			explain_open_access(c->o->device, c->o->rdonly, buf, n);
		else if (req == REQ_ALLOC && (a->flags & MMAP_TEST_SHARED) &&
			 (a->prot & PROT_WRITE))
			snprintf(buf, n, "shared+PROT_WRITE needs the device opened read-write");
		else
			snprintf(buf, n, "permission denied");
		break;
	case EPERM:
		if (req == REQ_ALLOC && (a->prot & PROT_EXEC))
			snprintf(buf, n, "PROT_EXEC on a file of a noexec mount, or below vm.mmap_min_addr");
		else if (req == REQ_ALLOC)
			snprintf(buf, n, "address below vm.mmap_min_addr (%llu)?",
				 read_sysctl("/proc/sys/vm/mmap_min_addr"));
		else
			snprintf(buf, n, "operation not permitted");
		break;
	case EEXIST:
		b = req == REQ_ALLOC ? &a->before : NULL;
		if (b && b->found)
			snprintf(buf, n, "fixed-noreplace: overlaps [0x%llx,0x%llx)",
				 (unsigned long long)b->vm_start,
				 (unsigned long long)b->vm_end);
		else if (b)
			snprintf(buf, n, "fixed-noreplace: the range is in use");
		break;
	case EOVERFLOW:
		if (req == REQ_ALLOC && mt_alloc_invalid(a, buf, n) != -EOVERFLOW)
			snprintf(buf, n, "pgoff + len overflows the file offset range");
		break;
	case ENOMEM:
		if (req == REQ_ALLOC)
			explain_enomem(c, a, buf, n);
		break;
	case EINVAL:
		if (req == REQ_ALLOC)
			explain_alloc_einval(c, a, buf, n);
		else if (req == REQ_FREE)
			explain_free_einval(c, arg, buf, n);
		else if (req == REQ_QUERY && q->reserved)
			snprintf(buf, n, "reserved field nonzero");
		break;
	}
	if (!buf[0])
		snprintf(buf, n, "%s", strerror(err));
	return buf;
}

void report_error(const struct ctx *c, enum req req, int err,
		  const void *arg)
{
	char why[256];

	fprintf(stderr, "%s failed: %s (%s)\n", req_name[req],
		mt_errno_name(err), explain_error(c, req, err, arg, why,
						  sizeof(why)));
}

/* One plain-English sentence about a find_vma() report. */
void explain_sentence(const struct mmap_test_vma_report *r,
		      char *buf, size_t n)
{
	if (!r->found)
		snprintf(buf, n, "no VMA at or above the address: find_vma() returned NULL, so the address was free");
	else if (!r->contains)
		snprintf(buf, n, "find_vma() returned the first VMA ending above the address; it starts 0x%llx higher, so the address itself was free (testing find_vma() != NULL would wrongly say it exists)",
			 (unsigned long long)r->gap);
	else
		snprintf(buf, n, "the address lies inside an existing VMA (%s-backed)",
			 mt_backing_name(r->backing));
}
