// SPDX-License-Identifier: GPL-2.0
/*
 * alloc.c - IOCTL_ALLOC_VMA in mmap-test-fuzz: the generators of its
 * arguments, the model of its outcomes, the call and the checks of what
 * it mapped.
 *
 * The one rule that keeps the fuzzer alive: a request with
 * MMAP_TEST_FIXED but without MMAP_TEST_FIXED_NOREPLACE always targets
 * the thread's own arena (or an address/length that the kernel must
 * reject before unmapping anything), and non-fixed hints never point into
 * another thread's arena.  A failed FIXED request may have unmapped part
 * of the arena already: that range is reserved again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "fuzz.h"

/* One ALLOC request and what the model expects of it. */
struct alloc_call {
	struct mmap_test_alloc a;
	int pk;			/* argument pointer kind */
	unsigned int val;	/* validation errors (A_* mask), or 0 */
	unsigned int allowed;	/* the outcomes the model allows */
	bool fixed_arena;	/* MAP_FIXED into the own arena */
	bool late;		/* vm_mmap() may fail after unmapping */
	unsigned long len;	/* a.len page-aligned */
	char desc[320];
};

static unsigned long pick_len(struct thr *t)
{
	unsigned long bufsz = buf_pages << pshift;

	if (chance(t, 600))
		return (1 + rnd(t, buf_pages)) * ps - (chance(t, 200) ?
						       rnd(t, ps) : 0);
	switch (rnd(t, 15)) {
	case 0:		return 0;
	case 1:		return 1;
	case 2:		return ps - 1;
	case 3:		return ps;
	case 4:		return bufsz;
	case 5:		return bufsz - ps;
	case 6:		return bufsz + ps;
	case 7:		return 1UL << 47;
	case 8:		return task_size - ps;
	case 9:		return task_size;
	case 10:	return task_size + ps;
	case 11:	return ~0UL;
	case 12:	return ~0UL - ps + 2;	/* page-aligns to 0 */
	case 13:	return rnd64(t);
	default:	return (1 + rnd(t, 4096)) * ps;	/* up to 16 MiB */
	}
}

static unsigned long pick_pgoff(struct thr *t)
{
	unsigned long max = ~0UL >> pshift;

	if (chance(t, 650))
		return rnd(t, buf_pages);
	switch (rnd(t, 10)) {
	case 0:		return buf_pages - 1;
	case 1:		return buf_pages;
	case 2:		return buf_pages + 1;
	case 3:		return max;
	case 4:		return max + 1;
	case 5:		return ~0UL;
	case 6:		return 1UL << 52;
	case 7:		return max - buf_pages;
	case 8:		return rnd64(t);
	default:	return 0;
	}
}

static unsigned int pick_flags(struct thr *t)
{
	unsigned int f;

	if (chance(t, 750)) {
		f = rnd(t, 2) ? MMAP_TEST_SHARED : MMAP_TEST_PRIVATE;
		if (chance(t, 250))
			f |= MMAP_TEST_FIXED;
		if (chance(t, 150))
			f |= MMAP_TEST_FIXED_NOREPLACE;
		if (chance(t, 200))
			f |= MMAP_TEST_POPULATE;
		if (chance(t, 350))
			f |= MMAP_TEST_ANON;
		return f;
	}
	f = rnd(t, MMAP_TEST_FLAGS_ALL + 1);
	if (chance(t, 200))
		f |= rnd(t, 2) ? 1U << (6 + rnd(t, 26)) : (unsigned int)rnd64(t);
	return f;
}

static unsigned int pick_prot(struct thr *t)
{
	static const unsigned int odd[] = {
		0x8, 0x10, 0x20, 0x01000000, 0x02000000, 0x80000000, ~0U,
	};

	if (chance(t, 880))
		return rnd(t, 8);
	return (unsigned int)rnd(t, 8) | odd[rnd(t, MT_ARRAY_SIZE(odd))];
}

static unsigned long pick_hint(struct thr *t)
{
	if (chance(t, 400))
		return 0;
	switch (rnd(t, 14)) {
	case 0:		return 1;
	case 1:		return ps - 1;
	case 2:		return ps;
	case 3:		return 0x10000;
	case 4:		return task_size - ps;
	case 5:		return task_size - 16 * ps;
	case 6:		return task_size;
	case 7:		return 1UL << 47;
	case 8:		return ~0UL;
	case 9:		return rnd64(t);
	case 10:	return t->arena + (rnd(t, ARENA_SIZE >> pshift) << pshift);
	case 11:
		if (t->nent)
			return t->ent[rnd(t, t->nent)].start;
		return 0;
	case 12:	return rnd(t, task_size) & ~(ps - 1);
	default:	return rnd(t, task_size);
	}
}

/*
 * Make a MMAP_TEST_FIXED (without NOREPLACE) request target the own
 * arena.  @valid: a range that vm_mmap() may map; otherwise sometimes a
 * request that must fail before anything is unmapped.
 */
static void arena_fixed(struct thr *t, struct mmap_test_alloc *a, bool valid)
{
	unsigned long npages = ARENA_SIZE >> pshift;
	unsigned long pg, maxlen, len;
	unsigned int v = valid ? 0 : rnd(t, 100);

	if (v < 84) {
		pg = rnd(t, npages);
		maxlen = (npages - pg) << pshift;
		switch (rnd(t, 8)) {
		case 0:
			len = maxlen;
			break;
		case 1:
			len = maxlen - rnd(t, ps);
			break;
		case 2:
			len = buf_pages << pshift;
			break;
		case 3:
			len = 1;
			break;
		default:
			len = (1 + rnd(t, 2 * buf_pages)) << pshift;
			break;
		}
		a->addr = t->arena + (pg << pshift);
		a->len = len > maxlen ? maxlen : len;
	} else if (v < 90) {
		/* unaligned: EINVAL; even rounded up it would stay inside */
		pg = rnd(t, npages - 1);
		maxlen = (npages - 1 - pg) << pshift;
		a->addr = t->arena + (pg << pshift) + 1 + rnd(t, ps - 1);
		a->len = 1 + rnd(t, maxlen);
	} else if (v < 95) {
		/* at or above TASK_SIZE: ENOMEM */
		switch (rnd(t, 4)) {
		case 0:
			a->addr = task_size;
			break;
		case 1:
			a->addr = task_size + ps;
			break;
		case 2:
			a->addr = 0x8000000000000000UL;
			break;
		default:
			a->addr = ~0UL & ~(ps - 1);
			break;
		}
		if (chance(t, 500))
			a->len = (1 + rnd(t, buf_pages)) << pshift;
	} else {
		/* in the arena, but too long: ENOMEM before any unmap */
		a->addr = t->arena + ((1 + rnd(t, npages - 1)) << pshift);
		switch (rnd(t, 5)) {
		case 0:
			a->len = ~0UL;
			break;
		case 1:
			a->len = ~0UL - ps + 2;
			break;
		case 2:
			a->len = task_size + ps;
			break;
		case 3:
			a->len = task_size - ps;
			break;
		default:
			a->len = 1UL << 63;
			break;
		}
	}
}

/*
 * The outcomes vm_mmap() may give (no validation error).  *@late: false
 * when it fails before a MAP_FIXED could unmap anything.
 */
static unsigned int alloc_vm_allowed(struct thr *t,
				     const struct mmap_test_alloc *a,
				     bool rdonly, bool *late)
{
	bool anon = a->flags & MMAP_TEST_ANON;
	bool fixed = a->flags & (MMAP_TEST_FIXED | MMAP_TEST_FIXED_NOREPLACE);
	bool nore = a->flags & MMAP_TEST_FIXED_NOREPLACE;
	unsigned long len = mt_mem_page_align(a->len);
	unsigned long off = a->pgoff << pshift;
	unsigned int m = 0;

	*late = false;
	/*
	 * vm_mmap(): the byte offset (passed for anon too) overflows; a fixed
	 * address equal to that -EINVAL reads as ENOMEM (src/ioctl.c).
	 */
	if (off + len < off) {
		if (fixed && a->addr == (unsigned long)-EINVAL)
			return A_ENOMEM;
		return A_EINVAL;
	}
	if (!len || len > task_size)
		return m | A_ENOMEM;
	if (fixed) {
		/*
		 * The generic arch_get_unmapped_area_topdown() (arm64) also
		 * fails MAP_FIXED when len > mmap_end - mmap_min_addr.
		 */
		if (len > task_size - (1UL << 20))
			m |= A_ENOMEM;
		/*
		 * Above TASK_SIZE: ENOMEM, also in the last 4095 bytes, where
		 * mmap(2) fails with the address as its errno (EPERM at
		 * (void *)-1): the module turns that into ENOMEM.
		 */
		if (a->addr > task_size - len)
			return m | A_ENOMEM;
		if (a->addr & (ps - 1))
			return m | A_EINVAL;
		*late = true;
	} else {
		m |= A_ENOMEM;	/* no room */
	}
	if (nore) {
		unsigned long end = a->addr + len;

		if (overlaps(a->addr, end, t->arena, t->arena + ARENA_SIZE) ||
		    ent_overlaps(t, a->addr, end))
			return m | A_EEXIST;
		m |= A_EEXIST;	/* may overlap a mapping we do not track */
	}
#ifdef MT_FUZZ_MOCK
	/* a memfd is a regular file: file_mmap_ok() limits it to LLONG_MAX */
	if (!anon && a->pgoff > ((~0UL >> 1) - len) >> pshift)
		return m | A_EOVERFLOW;
#endif
#ifdef __aarch64__
	/* PROT_MTE on a CPU with MTE: a device mapping cannot hold tags */
	if (!anon && (a->prot & PROT_MTE))
		m |= A_EINVAL;
#endif
	if (!anon) {
		if ((a->flags & MMAP_TEST_SHARED) && (a->prot & PROT_WRITE) &&
		    rdonly)
			return m | A_EACCES;
		if ((a->prot & PROT_EXEC) && dev_noexec)
			return m | A_EPERM;
		/* the driver's ->mmap: EINVAL (EOVERFLOW from file_mmap_ok()) */
		if (a->pgoff + (len >> pshift) > buf_pages)
			return m | A_EINVAL | A_ENOMEM | A_EOVERFLOW;
	}
	return m | A_OK | A_ENOMEM;
}

/* The module's validation error (it copies nothing out) as A_ bits; 0 if none. */
static unsigned int alloc_validation(const struct mmap_test_alloc *a)
{
	switch (mt_alloc_invalid(a, NULL, 0)) {
	case 0:
		return 0;
	case -EOVERFLOW:
		return A_EOVERFLOW;
	case -ENOMEM:
		return A_ENOMEM;
	}
	return A_EINVAL;
}

static void desc_alloc(const struct mmap_test_alloc *a, char *buf, size_t n)
{
	char f[96], p[32];

	mt_format_flags(a->flags, f, sizeof(f));
	mt_format_prot(a->prot, p, sizeof(p));
	snprintf(buf, n,
		 "ALLOC{addr=%#llx len=%#llx pgoff=%#llx prot=%s flags=%s reserved=%#llx,%#llx,%#llx}",
		 (unsigned long long)a->addr, (unsigned long long)a->len,
		 (unsigned long long)a->pgoff, p, f,
		 (unsigned long long)a->reserved[0],
		 (unsigned long long)a->reserved[1],
		 (unsigned long long)a->reserved[2]);
}

/* The request's fields, from edge values and the buffer's valid ranges. */
static void alloc_generate(struct thr *t, struct mmap_test_alloc *a)
{
	memset(a, 0, sizeof(*a));
	a->flags = pick_flags(t);
	a->prot = pick_prot(t);
	a->len = pick_len(t);
	a->pgoff = pick_pgoff(t);
	if (chance(t, 500)) {
		/* a range of the buffer that the driver accepts */
		a->pgoff = rnd(t, buf_pages);
		a->len = (1 + rnd(t, buf_pages - a->pgoff)) << pshift;
		if (chance(t, 100))
			a->len -= rnd(t, ps);
	}
	a->addr = pick_hint(t);
	if (chance(t, 60))
		a->reserved[rnd(t, 3)] = chance(t, 500) ? 1 : rnd64(t);
	/* never huge populates */
	if ((a->flags & MMAP_TEST_POPULATE) && a->len > (1UL << 20) &&
	    a->len <= task_size)
		a->flags &= ~MMAP_TEST_POPULATE;
}

/*
 * Apply the FIXED-into-arena rule to @c->a (pointer kind @c->pk chosen):
 * sets c->fixed_arena, c->len and c->val; exits when the rule would be
 * broken after all.
 */
static void alloc_confine(struct thr *t, struct alloc_call *c)
{
	struct mmap_test_alloc *a = &c->a;
	unsigned long end;

	c->val = alloc_validation(a);
	/*
	 * Copy-out may fail after vm_mmap() succeeded (read-only or
	 * straddling struct): the address would be lost, so such a request
	 * maps FIXED into the own arena, which is reclaimed afterwards.
	 */
	if (pk_readable(c->pk) && !pk_writable(c->pk) && !c->val) {
		a->flags |= MMAP_TEST_FIXED;
		a->flags &= ~MMAP_TEST_FIXED_NOREPLACE;
	}
	if (c->pk == PK_STRADDLE) {
		a->flags |= MMAP_TEST_FIXED;
		a->flags &= ~MMAP_TEST_FIXED_NOREPLACE;
	}

	c->len = mt_mem_page_align(a->len);
	if ((a->flags & MMAP_TEST_FIXED) &&
	    !(a->flags & MMAP_TEST_FIXED_NOREPLACE)) {
		arena_fixed(t, a, !pk_writable(c->pk));
		c->fixed_arena = true;
	} else {
		/* hints and NOREPLACE: never into other arenas, never low */
		end = sat_end(a->addr & ~(ps - 1), c->len + ps);
		if (overlaps(a->addr & ~(ps - 1), end, arenas_base, arenas_end) &&
		    !in_own_arena(t, a->addr & ~(ps - 1),
				  (a->addr & ~(ps - 1)) + 1))
			a->addr = t->arena +
				(rnd(t, ARENA_SIZE >> pshift) << pshift);
		else if ((a->flags & MMAP_TEST_FIXED_NOREPLACE) &&
			 a->addr < (1UL << 20))
			a->addr = t->arena +
				(rnd(t, ARENA_SIZE >> pshift) << pshift);
		/* a NOREPLACE starting in the own arena cannot map */
	}
	if ((a->flags & MMAP_TEST_POPULATE) && a->len > (1UL << 20) &&
	    a->len <= task_size)
		a->flags &= ~MMAP_TEST_POPULATE;
	c->len = mt_mem_page_align(a->len);
	c->val = alloc_validation(a);

	/* the one rule that keeps the fuzzer alive, checked once more */
	if ((a->flags & MMAP_TEST_FIXED) &&
	    !(a->flags & MMAP_TEST_FIXED_NOREPLACE) && c->len &&
	    c->len <= task_size && a->addr <= task_size - c->len &&
	    !in_own_arena(t, a->addr & ~(ps - 1),
			  mt_mem_page_align(a->addr) + c->len)) {
		fprintf(stderr, "fuzz: FAIL internal: MAP_FIXED [%#llx,+%#lx) outside the arena\n",
			(unsigned long long)a->addr, c->len);
		_exit(1);
	}
}

/* The outcomes allowed for @c (sets c->allowed and c->late). */
static void alloc_expect(struct thr *t, struct alloc_call *c,
			 const struct fdinfo *fi)
{
	if (!pk_readable(c->pk))
		c->allowed = A_EFAULT;
	else if (c->val)
		c->allowed = c->val;
	else if (!pk_writable(c->pk))
		c->allowed = (alloc_vm_allowed(t, &c->a, fi->rdonly, &c->late) &
			      ~A_OK) | A_EFAULT;
	else
		c->allowed = alloc_vm_allowed(t, &c->a, fi->rdonly, &c->late);
}

/* A successful ALLOC: check the address and the report, track it. */
static void alloc_mapped(struct thr *t, const struct alloc_call *c,
			 const struct mmap_test_alloc *out,
			 const struct fdinfo *fi)
{
	const struct mmap_test_alloc *a = &c->a;
	unsigned long m = out->mapped, len = c->len;
	bool fixed = a->flags & (MMAP_TEST_FIXED | MMAP_TEST_FIXED_NOREPLACE);
	const char *why = NULL;
	struct entry e;

	t->new_maps++;
	if (!m || (m & (ps - 1)) || sat_end(m, len) > task_size)
		why = "bad address";
	else if (fixed && m != a->addr)
		why = "FIXED mapping not at addr";
	else if (c->fixed_arena && !in_own_arena(t, m, m + len))
		why = "FIXED mapping outside the arena";
	else if (!c->fixed_arena &&
		 (overlaps(m, m + len, arenas_base, arenas_end) ||
		  ent_overlaps(t, m, m + len)))
		why = "mapped over an existing mapping";
	if (why) {
		report_failure(t, &t->mismatch,
		       "mismatch: %s -> mapped=%#lx: %s", c->desc, m, why);
		if (!m || (m & (ps - 1)))
			return;
	}
	check_report(t, &out->before, a->addr, "ALLOC before");
	if (c->fixed_arena && !out->before.contains)
		report_failure(t, &t->mismatch,
		       "mismatch: %s: before.contains=0 but the arena was mapped",
		       c->desc);
	if (c->fixed_arena)
		ent_drop(t, m, m + len);
	e.start = m;
	e.end = m + len;
	e.prot = a->prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
	e.prot_known = true;
	e.shared = a->flags & MMAP_TEST_SHARED;
	e.anon = a->flags & MMAP_TEST_ANON;
	e.rdonly_fd = fi->rdonly;
	e.in_arena = in_own_arena(t, m, m + len);
	if (!e.in_arena)
		t->maps_outside_arena++;
	t->ent[t->nent++] = e;
	touch_entry(t, &t->ent[t->nent - 1], m);
	if (len > ps)
		touch_entry(t, &t->ent[t->nent - 1], m + len - 1);
}

/*
 * A failed ALLOC (result @r): re-reserve what a late failure of a FIXED
 * request may have unmapped, and check what was copied out (@out: NULL
 * when the kernel's copy cannot be read).
 */
static void alloc_failed(struct thr *t, const struct alloc_call *c, int r,
			 const struct mmap_test_alloc *out)
{
	const struct mmap_test_alloc *a = &c->a;

	if (c->fixed_arena && (c->late || !(B(outcome(-r)) & c->allowed)) &&
	    in_own_arena(t, a->addr & ~(ps - 1), (a->addr & ~(ps - 1)) + 1)) {
		unsigned long s = a->addr & ~(ps - 1);
		unsigned long e = sat_end(s, c->len);

		if (e > t->arena + ARENA_SIZE || !c->len)
			e = t->arena + ARENA_SIZE;
		ent_drop(t, s, e);
		reserve(t, s, e);
	}
	/* what was copied out */
	if (!out)
		return;
	if (c->val || !pk_writable(c->pk)) {
		if (c->val && pk_writable(c->pk) &&
		    (out->mapped != 0x5a5a5a5a5a5a5a5aULL ||
		     out->before.addr != 0xa5a5a5a5a5a5a5a5ULL))
			report_failure(t, &t->mismatch,
			       "mismatch: %s -> %s but the struct was written back",
			       c->desc, mt_errno_name(-r));
		return;
	}
	if (out->mapped != 0)
		report_failure(t, &t->mismatch, "mismatch: %s -> %s but mapped=%#llx",
		       c->desc, mt_errno_name(-r),
		       (unsigned long long)out->mapped);
	else
		check_report(t, &out->before, a->addr, "ALLOC(failed) before");
}

/* One ALLOC on @fi: generate, confine, predict, call, judge, check. */
void do_alloc(struct thr *t, const struct fdinfo *fi)
{
	struct alloc_call c = { 0 };
	struct mmap_test_alloc *out;
	void *o;
	int r;

	alloc_generate(t, &c.a);
	c.pk = pick_pk(t);
	alloc_confine(t, &c);
	c.a.mapped = 0x5a5a5a5a5a5a5a5aULL;	/* poison: must become 0 or addr */
	memset(&c.a.before, 0xa5, sizeof(c.a.before));
	alloc_expect(t, &c, fi);

	r = issue(t, C_ALLOC, fi, IOCTL_ALLOC_VMA,
		  place(t, c.pk, &c.a, sizeof(c.a), &o));
	out = o;
	t->pk_count[c.pk]++;
	desc_alloc(&c.a, c.desc, sizeof(c.desc));
	judge(t, C_ALLOC, r, c.allowed, fi, c.pk, c.desc);
	if (r == 0 && !pk_writable(c.pk))
		return;		/* cannot be; judged above */
	if (r == 0)
		alloc_mapped(t, &c, out, fi);
	else
		alloc_failed(t, &c, r, out);
}
