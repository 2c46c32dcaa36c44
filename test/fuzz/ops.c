// SPDX-License-Identifier: GPL-2.0
/*
 * ops.c - the other commands of mmap-test-fuzz: IOCTL_FREE_VMA,
 * IOCTL_QUERY_VMA, IOCTL_GET_STATS and random command numbers that the
 * driver must refuse with ENOTTY.  Each do_*() generates one request,
 * predicts its outcomes, issues it and checks what came back.
 *
 * FREE only ever targets the thread's arena, its own tracked mappings, or
 * ranges that munmap() must reject; a FREE that unexpectedly succeeds
 * stops the run, since something may be unmapped that was not ours.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "fuzz.h"

/* ------------------------------------------------------------------ */
/* FREE */

/*
 * A range munmap() must reject (unaligned, empty, overflowing, at or
 * across TASK_SIZE, in the kernel half).
 */
static void free_invalid(struct thr *t, struct mmap_test_free *f)
{
	unsigned long npages = ARENA_SIZE >> pshift;

	switch (rnd(t, 8)) {
	case 0:		/* unaligned */
		f->addr = t->arena + (rnd(t, npages) << pshift) + 1 +
			rnd(t, ps - 1);
		f->len = ps;
		break;
	case 1:		/* len 0 */
		f->addr = t->arena + (rnd(t, npages) << pshift);
		f->len = 0;
		break;
	case 2:		/* overflowing */
		f->addr = t->arena + (rnd(t, npages) << pshift);
		f->len = ~0UL - rnd(t, 2 * ps);
		break;
	case 3:		/* crosses TASK_SIZE */
		f->addr = task_size - ps;
		f->len = 2 * ps;
		break;
	case 4:
		f->addr = task_size;
		f->len = ps;
		break;
	case 5:
		f->addr = 0xffff888000000000UL;
		f->len = ps;
		break;
	case 6:		/* longer than TASK_SIZE */
		f->addr = t->arena;
		f->len = task_size + ps;
		break;
	default:
		f->addr = ~0UL & ~(ps - 1);
		f->len = ps;
		break;
	}
}

/*
 * The range of a FREE: (part of) a tracked mapping, a range of the own
 * arena, or an invalid one.  Returns whether munmap() accepts it; *@i:
 * the tracked mapping it came from, or -1.
 */
static bool free_pick(struct thr *t, struct mmap_test_free *f,
		      bool whole_entry, int *i)
{
	unsigned long npages = ARENA_SIZE >> pshift;
	unsigned long v = whole_entry ? 0 : rnd(t, 100);

	*i = -1;
	if (v < 55 && t->nent) {
		struct entry *e;

		*i = rnd(t, t->nent);
		e = &t->ent[*i];
		f->addr = e->start;
		f->len = e->end - e->start;
		if (!whole_entry && chance(t, 300) && f->len > ps) {
			unsigned long pages = f->len >> pshift;
			unsigned long a = rnd(t, pages);
			unsigned long b = a + 1 + rnd(t, pages - a);

			f->addr = e->start + (a << pshift);
			f->len = (b - a) << pshift;
		}
		if (chance(t, 200) && f->len > ps)
			f->len -= rnd(t, ps - 1);	/* rounded up */
	} else if (v < 70) {
		unsigned long pg = rnd(t, npages);

		f->addr = t->arena + (pg << pshift);
		f->len = (1 + rnd(t, npages - pg)) << pshift;
		if (chance(t, 300) && pg + 4 <= npages)
			f->len = (1 + rnd(t, 4)) << pshift;
	} else {
		free_invalid(t, f);
		return false;
	}
	return true;
}

/*
 * One FREE on @fi; @whole_entry: free a whole tracked mapping through a
 * valid pointer (the thread has too many).
 */
void do_free(struct thr *t, const struct fdinfo *fi, bool whole_entry)
{
	struct mmap_test_free f;
	unsigned int allowed;
	bool valid;		/* a range that munmap() accepts */
	char desc[160];
	void *o;
	int pk, r, i;

	memset(&f, 0, sizeof(f));
	valid = free_pick(t, &f, whole_entry, &i);
	if (chance(t, 50))
		f.reserved = chance(t, 500) ? 1 : rnd64(t);
	if (whole_entry)
		f.reserved = 0;
	pk = whole_entry ? PK_VALID : pick_pk(t);

	if (valid && !in_own_arena(t, f.addr, f.addr + mt_mem_page_align(f.len)) &&
	    (i < 0 || f.addr < t->ent[i].start ||
	     f.addr + mt_mem_page_align(f.len) > t->ent[i].end)) {
		fprintf(stderr, "fuzz: FAIL internal: FREE [%#llx,+%#llx) is not ours\n",
			(unsigned long long)f.addr, (unsigned long long)f.len);
		_exit(1);
	}
	if (!pk_readable(pk))
		allowed = A_EFAULT;
	else if (f.reserved)
		allowed = A_EINVAL;
	else
		allowed = valid ? A_OK : A_EINVAL;
	r = issue(t, C_FREE, fi, IOCTL_FREE_VMA, place(t, pk, &f, sizeof(f), &o));
	t->pk_count[pk]++;
	snprintf(desc, sizeof(desc), "FREE{addr=%#llx len=%#llx reserved=%#llx}",
		 (unsigned long long)f.addr, (unsigned long long)f.len,
		 (unsigned long long)f.reserved);
	judge(t, C_FREE, r, allowed, fi, pk, desc);
	if (r == 0 && valid) {
		unsigned long s = f.addr, e = f.addr + mt_mem_page_align(f.len);

		ent_drop(t, s, e);
		if (in_own_arena(t, s, e))
			reserve(t, s, e);
	} else if (r == 0) {
		/* something got unmapped that we did not ask for: stop */
		report_failure(t, &t->mismatch, "mismatch: %s succeeded; stopping", desc);
		atomic_store(&gs->stop_now, 1);
	}
}

/* ------------------------------------------------------------------ */
/* QUERY */

/* An address in (or just after) tracked mapping @e. */
static unsigned long query_in_entry(struct thr *t, struct entry **e)
{
	unsigned long addr;

	switch (rnd(t, 4)) {
	case 0:
		addr = (*e)->start;
		break;
	case 1:
		addr = (*e)->end - 1;
		break;
	case 2:
		addr = (*e)->start + rnd(t, (*e)->end - (*e)->start);
		break;
	default:
		addr = (*e)->end;	/* whatever is next */
		*e = NULL;
		break;
	}
#ifdef __aarch64__
	/* a tagged pointer: QUERY untags it like munmap(2) */
	if (chance(t, 100))
		addr |= (unsigned long)rnd(t, 256) << 56;
#endif
	return addr;
}

/*
 * An address from edge values, the program's text, a thread stack (@sp),
 * the vDSO or the own arena; *@special: the backing a known VMA there
 * must report, or 0.
 */
static unsigned long query_elsewhere(struct thr *t, unsigned long sp,
				     unsigned int *special)
{
	switch (rnd(t, 16)) {
	case 0:		return 0;
	case 1:		return 1;
	case 2:		return ps;
	case 3:		return task_size - 1;
	case 4:		return task_size;
	case 5:		return 1UL << 47;
	case 6:		return ~0UL;
	case 7:		return 0xffff888000000000UL;
	case 8:		return rnd64(t);
	case 9:		return rnd(t, task_size);
	case 10:
		*special = MMAP_TEST_BACKING_FILE;
		return text_addr;
	case 11:
		*special = MMAP_TEST_BACKING_ANON;	/* a thread stack */
		return sp;
	case 12:
		*special = vdso_addr ? MMAP_TEST_BACKING_SPECIAL : 0;
		return vdso_addr;
	default:
		return t->arena + rnd(t, ARENA_SIZE);
	}
}

/* A QUERY's report against what we know of the address. */
static void query_check(struct thr *t, const struct mmap_test_query *q,
			const struct mmap_test_query *out,
			const struct entry *e, unsigned int special)
{
	const struct mmap_test_vma_report *rp = &out->report;

	if (e) {
		if (!rp->contains || rp->backing != expected_backing(e) ||
		    (e->prot_known && mt_vma_prot(rp->flags) != e->prot) ||
		    !!(rp->flags & MMAP_TEST_VMA_MAYSHARE) != e->shared)
			report_failure(t, &t->mismatch,
			       "mismatch: QUERY %#llx in own mapping [%#lx,%#lx) prot=%u %s %s: contains=%u backing=%s flags=%#llx",
			       (unsigned long long)q->addr, e->start, e->end,
			       e->prot, e->shared ? "shared" : "private",
			       e->anon ? "anon" : "device", rp->contains,
			       mt_backing_name(rp->backing),
			       (unsigned long long)rp->flags);
	} else if (special) {
		if (!rp->contains || rp->backing != special)
			report_failure(t, &t->mismatch,
			       "mismatch: QUERY %#llx (%s) -> contains=%u backing=%s",
			       (unsigned long long)q->addr,
			       mt_backing_name(special), rp->contains,
			       mt_backing_name(rp->backing));
	} else if (in_own_arena(t, q->addr, q->addr + 1) && !rp->contains) {
		report_failure(t, &t->mismatch,
		       "mismatch: QUERY %#llx in the own arena -> contains=0",
		       (unsigned long long)q->addr);
	}
}

/* One QUERY on @fi; @sp: an address on this thread's stack. */
void do_query(struct thr *t, const struct fdinfo *fi, unsigned long sp)
{
	struct mmap_test_query q, *out;
	unsigned int allowed;
	struct entry *e = NULL;
	unsigned int special = 0;	/* expected backing of a known VMA */
	char desc[96];
	void *o;
	int pk, r;

	memset(&q, 0, sizeof(q));
	if (t->nent && chance(t, 400)) {
		e = &t->ent[rnd(t, t->nent)];
		q.addr = query_in_entry(t, &e);
	} else {
		q.addr = query_elsewhere(t, sp, &special);
	}
	if (chance(t, 50))
		q.reserved = chance(t, 500) ? 1 : rnd64(t);
	pk = pick_pk(t);
	if (!pk_readable(pk))
		allowed = A_EFAULT;
	else if (q.reserved)
		allowed = A_EINVAL;
	else if (!pk_writable(pk))
		allowed = A_EFAULT;
	else
		allowed = A_OK;
	r = issue(t, C_QUERY, fi, IOCTL_QUERY_VMA, place(t, pk, &q, sizeof(q), &o));
	out = o;
	t->pk_count[pk]++;
	snprintf(desc, sizeof(desc), "QUERY{addr=%#llx reserved=%#llx}",
		 (unsigned long long)q.addr, (unsigned long long)q.reserved);
	if (!judge(t, C_QUERY, r, allowed, fi, pk, desc) || r)
		return;
	if (!check_report(t, &out->report, mt_untag(q.addr), "QUERY"))
		return;
	query_check(t, &q, out, e, special);
}

/* ------------------------------------------------------------------ */
/* GET_STATS, raw commands */

void do_stats(struct thr *t, const struct fdinfo *fi)
{
	struct mmap_test_stats s, *out;
	unsigned int allowed;
	void *o;
	int pk, r, i;

	memset(&s, 0x5a, sizeof(s));
	pk = pick_pk(t);
	allowed = pk_writable(pk) ? A_OK : A_EFAULT;
	r = issue(t, C_STATS, fi, IOCTL_GET_STATS, place(t, pk, &s, sizeof(s), &o));
	out = o;
	t->pk_count[pk]++;
	if (!judge(t, C_STATS, r, allowed, fi, pk, "GET_STATS") || r)
		return;
	for (i = 0; i < (int)MT_ARRAY_SIZE(out->reserved); i++)
		if (out->reserved[i])
			break;
	if (i < (int)MT_ARRAY_SIZE(out->reserved) ||
	    out->buffer_pages != buf_pages ||
	    out->pages > out->buffer_pages || !out->total_files)
		report_failure(t, &t->mismatch,
		       "mismatch: GET_STATS pages=%llu buffer_pages=%llu total_files=%llu reserved[%d]=%#llx",
		       (unsigned long long)out->pages,
		       (unsigned long long)out->buffer_pages,
		       (unsigned long long)out->total_files, i,
		       i < (int)MT_ARRAY_SIZE(out->reserved) ?
		       (unsigned long long)out->reserved[i] : 0ULL);
}

static bool vfs_type(unsigned int type)
{
	/* ioctl types the VFS handles before the driver sees them */
	return type == 0x00 || type == 0x15 || type == 'T' || type == 'X' ||
		type == 'f' || type == 0x94;
}

static unsigned int pick_raw_cmd(struct thr *t)
{
	static const unsigned int sizes[] = {
		sizeof(struct mmap_test_alloc), sizeof(struct mmap_test_free),
		sizeof(struct mmap_test_query), sizeof(struct mmap_test_stats),
	};
	unsigned int cmd, sz;

	for (;;) {
		switch (rnd(t, 3)) {
		case 0:
			sz = sizes[rnd(t, 4)];
			switch (rnd(t, 6)) {
			case 0: sz += 1; break;
			case 1: sz -= 1; break;
			case 2: sz += 8; break;
			case 3: sz -= 8; break;
			case 4: sz = 0; break;
			default: break;
			}
			cmd = _IOC(rnd(t, 4), MMAP_TEST_IOC_MAGIC,
				   1 + rnd(t, 4), sz & _IOC_SIZEMASK);
			break;
		case 1:
			cmd = _IOC(rnd(t, 4), MMAP_TEST_IOC_MAGIC, rnd(t, 256),
				   rnd(t, _IOC_SIZEMASK + 1));
			break;
		default:
			cmd = (unsigned int)rnd64(t);
			if (vfs_type(_IOC_TYPE(cmd)))
				continue;
			break;
		}
		if (cmd != IOCTL_ALLOC_VMA && cmd != IOCTL_FREE_VMA &&
		    cmd != IOCTL_QUERY_VMA && cmd != IOCTL_GET_STATS)
			return cmd;
	}
}

void do_raw(struct thr *t, const struct fdinfo *fi)
{
	unsigned char buf[sizeof(struct mmap_test_alloc)];
	struct mmap_test_alloc *a = (void *)buf;
	unsigned int cmd = pick_raw_cmd(t);
	char desc[64];
	size_t i;
	void *o;
	int pk, r;

	/*
	 * Random bytes, defused in case a wrong command were dispatched
	 * anyway: an odd first word makes FREE fail and ALLOC unfixable,
	 * FIXED goes, POPULATE goes.
	 */
	for (i = 0; i < sizeof(buf); i += 8) {
		uint64_t x = rnd64(t);

		memcpy(buf + i, &x, 8);
	}
	a->addr |= 1;
	a->flags &= ~(MMAP_TEST_FIXED | MMAP_TEST_POPULATE);
	pk = pick_pk(t);
	r = issue(t, C_RAW, fi, cmd, place(t, pk, buf, sizeof(buf), &o));
	t->pk_count[pk]++;
	snprintf(desc, sizeof(desc), "cmd=%#x (dir=%u type=%#x nr=%u size=%u)",
		 cmd, _IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd),
		 _IOC_SIZE(cmd));
	judge(t, C_RAW, r, A_ENOTTY, fi, pk, desc);
}

