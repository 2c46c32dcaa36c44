// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl.c - the requests of /dev/mmap-test as test-mmap's commands send
 * them: open, GET_STATS, QUERY_VMA, FREE_VMA, ALLOC_VMA (its fields from
 * the options); a failure is reported on stderr with its cause.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test-mmap.h"

int open_device(struct ctx *c)
{
	char why[512];
	int err;

	c->fd = open(c->o->device, (c->o->rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (c->fd >= 0)
		return 0;
	err = errno;
	fprintf(stderr, "open %s failed: %s (%s)\n", c->o->device,
		mt_errno_name(err),
		explain_error(c, REQ_OPEN, err, NULL, why, sizeof(why)));
	return -err;
}

int get_stats(struct ctx *c, struct mmap_test_stats *s, bool quiet)
{
	int ret;

	ret = mt_ioctl_stats(c->fd, s);
	if (!ret)
		c->buffer_pages = s->buffer_pages;
	else if (!quiet)
		report_error(c, REQ_STATS, -ret, s);
	return ret;
}

/*
 * /proc/self/maps as it was just before the last ALLOC_VMA or QUERY_VMA:
 * what the VMA of its find_vma() report is, by the name maps gives it.  It
 * is read before the request because the request may change the VMA (an
 * ALLOC with MAP_FIXED replaces it, a new mapping may merge with it).
 */
static struct mt_maps_entry maps_before[512];
static int n_maps_before;

static void read_maps_before(void)
{
	n_maps_before = mt_maps_read(0, maps_before,
				     MT_ARRAY_SIZE(maps_before),
				     MT_MAPS_VMAS_ONLY);
}

/*
 * The names of the last reports' VMAs, looked up in their request's
 * snapshot as soon as the report came back: a report printed later (run's
 * JSON prints ALLOC's after a FREE and a QUERY) keeps the name its VMA had.
 * A report is known by all its fields, so that a later report of a new
 * VMA over the same range (MAP_FIXED) does not lend it its name.
 */
static struct named_report {
	struct mmap_test_vma_report r;
	char name[MT_MAPS_PATH];	/* "": not in the snapshot */
} named[16];
static unsigned int n_named;

static void name_report(const struct mmap_test_vma_report *r)
{
	struct named_report *e;
	int i;

	if (!r->found)
		return;
	e = &named[n_named++ % MT_ARRAY_SIZE(named)];
	e->r = *r;
	e->name[0] = '\0';
	for (i = 0; i < n_maps_before; i++)
		if (maps_before[i].start == r->vm_start &&
		    maps_before[i].end == r->vm_end) {
			snprintf(e->name, sizeof(e->name), "%s",
				 maps_before[i].path[0] ? maps_before[i].path :
				 "anon");
			break;
		}
}

/*
 * What the VMA of @r is: its name in /proc/self/maps ("[stack]", "[vvar]",
 * a file's path) or "anon", as it was when the request that returned @r
 * was made; the report's backing ("special", "file", ...) when that is
 * not known (a report from a request not made by do_alloc() or
 * do_query(), or a VMA that the snapshot does not hold).  NULL when
 * find_vma() returned none.
 */
const char *report_vma_name(const struct mmap_test_vma_report *r)
{
	const struct named_report *e;
	unsigned int i;

	if (!r->found)
		return NULL;
	for (i = 0; i < n_named && i < MT_ARRAY_SIZE(named); i++) {
		e = &named[(n_named - 1 - i) % MT_ARRAY_SIZE(named)];
		if (!memcmp(&e->r, r, sizeof(*r)))
			return e->name[0] ? e->name : mt_backing_name(r->backing);
	}
	return mt_backing_name(r->backing);
}

int do_query(const struct ctx *c, __u64 addr, __u64 reserved,
	     struct mmap_test_vma_report *r)
{
	struct mmap_test_query q = { .addr = addr, .reserved = reserved };
	int ret;

	read_maps_before();
	ret = mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q);
	if (ret) {
		report_error(c, REQ_QUERY, -ret, &q);
	} else {
		name_report(&q.report);
		*r = q.report;
	}
	return ret;
}

int do_free(const struct ctx *c, __u64 addr, __u64 len,
	    __u64 reserved)
{
	struct mmap_test_free f = {
		.addr = addr, .len = len, .reserved = reserved,
	};
	int ret;

	ret = mt_ioctl(c->fd, IOCTL_FREE_VMA, &f);
	if (ret)
		report_error(c, REQ_FREE, -ret, &f);
	return ret;
}

static __u32 alloc_flags(const struct opts *o, bool fixed_default)
{
	__u32 f;

	if (o->raw_flags_set)
		return o->raw_flags;
	f = o->share ? o->share : MMAP_TEST_SHARED;
	if (o->place)
		f |= o->place;
	else if (fixed_default && !o->hint)
		f |= MMAP_TEST_FIXED_NOREPLACE;
	if (o->populate)
		f |= MMAP_TEST_POPULATE;
	if (o->anon)
		f |= MMAP_TEST_ANON;
	return f;
}

void init_alloc(const struct ctx *c, struct mmap_test_alloc *a,
		__u64 addr, __u64 len, bool fixed_default)
{
	const struct opts *o = c->o;

	memset(a, 0, sizeof(*a));
	a->addr = addr;
	a->len = len;
	a->pgoff = o->pgoff;
	a->prot = o->prot;
	a->flags = alloc_flags(o, fixed_default);
	a->reserved[0] = o->reserved;
}

/* Did the kernel copy out the before report?  (not on validation errors) */
bool before_copied(const struct mmap_test_alloc *a)
{
	return a->before.addr == a->addr && a->before.nr_vmas;
}

int do_alloc(const struct ctx *c, struct mmap_test_alloc *a)
{
	int ret;

	if (!c->o->json)
		print_request(a);
	read_maps_before();
	ret = mt_ioctl(c->fd, IOCTL_ALLOC_VMA, a);
	if (before_copied(a))
		name_report(&a->before);
	if (ret) {
		report_error(c, REQ_ALLOC, -ret, a);
		if (!c->o->json && before_copied(a))
			print_verdict("before: ", &a->before);
	}
	return ret;
}
