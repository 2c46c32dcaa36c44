// SPDX-License-Identifier: GPL-2.0
/*
 * track.c - the mappings a fuzzing thread made, and what it does with
 * them outside the ioctls.
 *
 * Each thread keeps a table of its mappings (split as mprotect/munmap
 * split them) so that FREE, QUERY and the touches can target them and the
 * model can predict their outcome.  Its arena (reserved PROT_NONE) is
 * re-reserved wherever something in it was unmapped, so that no other
 * thread's mapping can land there.  Touches read and write the mappings
 * under a SIGSEGV/SIGBUS handler and judge the signals by the tracked
 * protection; mprotect, madvise(MADV_DONTNEED) and mremap (shrinking,
 * and growing a device mapping, which must fail) change them.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "fuzz.h"

bool overlaps(unsigned long a, unsigned long b, unsigned long c,
	      unsigned long d)
{
	return a < d && c < b;
}

/* [addr, addr + len) with the end saturated at ULONG_MAX. */
unsigned long sat_end(unsigned long addr, unsigned long len)
{
	return addr + len < addr ? ~0UL : addr + len;
}

/*
 * The SIGSEGV/SIGBUS handler behind the library's guard: a signal outside
 * the touches fails the run.
 */
void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct thr *t = self;
	char buf[200];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "fuzz: FAIL unexpected signal %d (%s) at address %p in thread %d\n",
		     sig, strsignal(sig), si->si_addr, t ? t->id : -1);
	if (write(2, buf, n) < 0 || write(1, buf, n) < 0)
		_exit(1);
	_exit(1);
}

/* Read (and write) one byte at @addr; the signal number, or 0. */
static int touch(struct thr *t, unsigned long addr, bool write)
{
	t->touches++;
	return mt_mem_touch((volatile void *)addr,
			    write ? MT_ACCESS_INC : MT_ACCESS_READ, 0, NULL,
			    NULL);
}

/* ------------------------------------------------------------------ */
/* Tracked mappings */

bool in_own_arena(struct thr *t, unsigned long a, unsigned long b)
{
	return a >= t->arena && b <= t->arena + ARENA_SIZE && a < b;
}

/* Re-reserve [a, b) of the own arena PROT_NONE (kills what is there). */
void reserve(struct thr *t, unsigned long a, unsigned long b)
{
	void *p;

	if (a < t->arena)
		a = t->arena;
	if (b > t->arena + ARENA_SIZE)
		b = t->arena + ARENA_SIZE;
	if (a >= b)
		return;
	p = mmap((void *)a, b - a, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "fuzz: FAIL cannot re-reserve arena range [%#lx,%#lx): %s\n",
			a, b, strerror(errno));
		_exit(1);
	}
}

static void ent_split(struct thr *t, int i, unsigned long x)
{
	if (t->nent >= MAX_ENT) {
		fprintf(stderr, "fuzz: FAIL internal: entry table full\n");
		_exit(1);
	}
	t->ent[t->nent] = t->ent[i];
	t->ent[i].end = x;
	t->ent[t->nent].start = x;
	t->nent++;
}

/* Split entries so that none crosses @a or @b. */
void ent_isolate(struct thr *t, unsigned long a, unsigned long b)
{
	int i;

	for (i = 0; i < t->nent; i++) {
		struct entry *e = &t->ent[i];

		if (e->start < a && a < e->end)
			ent_split(t, i, a);
		if (e->start < b && b < e->end)
			ent_split(t, i, b);
	}
}

/* Forget the tracked mappings in [a, b). */
void ent_drop(struct thr *t, unsigned long a, unsigned long b)
{
	int i;

	ent_isolate(t, a, b);
	for (i = 0; i < t->nent; i++) {
		if (t->ent[i].start >= a && t->ent[i].end <= b) {
			t->ent[i] = t->ent[--t->nent];
			i--;
		}
	}
}

static int ent_find(struct thr *t, unsigned long addr)
{
	int i;

	for (i = 0; i < t->nent; i++)
		if (t->ent[i].start <= addr && addr < t->ent[i].end)
			return i;
	return -1;
}

bool ent_overlaps(struct thr *t, unsigned long a, unsigned long b)
{
	int i;

	for (i = 0; i < t->nent; i++)
		if (overlaps(a, b, t->ent[i].start, t->ent[i].end))
			return true;
	return false;
}

/*
 * Touch one page of entry @e: read it, write it when prot allows, and
 * sometimes write a page that does not allow it.  Judge the signals.
 */
void touch_entry(struct thr *t, struct entry *e, unsigned long addr)
{
	bool want_write = e->prot & PROT_WRITE;
	bool bad_write = false;
	int expect;		/* 0: no signal, 1: SIGSEGV, 2: either */
	int sig;

	if (!e->prot_known)
		expect = 2;
	else if (!e->prot)
		expect = 1;
	else if (!(e->prot & (PROT_READ | PROT_WRITE)))
		expect = 2;	/* exec-only: readable on most CPUs */
	else
		expect = 0;
	if (e->prot_known && e->prot && !want_write && chance(t, 100)) {
		bad_write = true;	/* must fault */
		want_write = true;
		if (expect == 0)
			expect = 1;
	}
	sig = touch(t, addr, want_write);
	if (sig)
		t->sig_expected++;
	if (expect == 2 || (expect == 1 && sig == SIGSEGV) ||
	    (expect == 0 && !sig))
		return;
	if (sig) {
		t->sig_expected--;
		report_failure(t, &t->mismatch,
		       "mismatch: %s on %s of %#lx in mapping [%#lx,%#lx) prot=%u %s %s%s",
		       strsignal(sig), want_write ? "write" : "read", addr,
		       e->start, e->end, e->prot, e->shared ? "shared" : "private",
		       e->anon ? "anon" : "device",
		       e->rdonly_fd ? " (O_RDONLY fd)" : "");
	} else {
		report_failure(t, &t->mismatch,
		       "mismatch: %s of %#lx in mapping [%#lx,%#lx) prot=%u %s %s did not fault%s",
		       want_write ? "write" : "read", addr, e->start, e->end,
		       e->prot, e->shared ? "shared" : "private",
		       e->anon ? "anon" : "device",
		       bad_write ? " (write to a non-writable page)" : "");
	}
}

void touch_random(struct thr *t)
{
	struct entry *e;
	unsigned long pages;

	if (!t->nent)
		return;
	e = &t->ent[rnd(t, t->nent)];
	pages = (e->end - e->start) >> pshift;
	switch (rnd(t, 3)) {
	case 0:
		touch_entry(t, e, e->start);
		break;
	case 1:
		touch_entry(t, e, e->end - 1);
		break;
	default:
		touch_entry(t, e, e->start + (rnd(t, pages) << pshift) +
			    rnd(t, ps));
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Changes to what we mapped: mprotect, madvise, mremap */

void do_mprotect(struct thr *t)
{
	struct entry *e;
	unsigned long pages, a, b, prot;
	int i;

	if (!t->nent)
		return;
	e = &t->ent[rnd(t, t->nent)];
	pages = (e->end - e->start) >> pshift;
	a = rnd(t, pages);
	b = a + 1 + rnd(t, pages - a);
	a = e->start + (a << pshift);
	b = e->start + (b << pshift);
	prot = rnd(t, 8);
	t->mprotects++;
	if (mprotect((void *)a, b - a, prot)) {
		/* EACCES: shared O_RDONLY or noexec; keep it unknown */
		ent_isolate(t, a, b);
		for (i = 0; i < t->nent; i++)
			if (t->ent[i].start >= a && t->ent[i].end <= b &&
			    errno != EACCES)
				t->ent[i].prot_known = false;
		return;
	}
	ent_isolate(t, a, b);
	for (i = 0; i < t->nent; i++)
		if (t->ent[i].start >= a && t->ent[i].end <= b)
			t->ent[i].prot = prot;
	touch_entry(t, &t->ent[ent_find(t, a)], a);
}

void do_madvise(struct thr *t)
{
	struct entry *e;

	if (!t->nent)
		return;
	e = &t->ent[rnd(t, t->nent)];
	t->madvises++;
	if (madvise((void *)e->start, e->end - e->start, MADV_DONTNEED) == 0 &&
	    e->prot_known && (e->prot & PROT_READ))
		touch_entry(t, e, e->start);
}

void do_mremap(struct thr *t)
{
	struct entry *e;
	unsigned long len, nlen;
	void *p;
	int i;

	if (!t->nent)
		return;
	i = rnd(t, t->nent);
	e = &t->ent[i];
	len = e->end - e->start;
	t->mremaps++;
#ifndef MT_FUZZ_MOCK
	if (!e->anon && chance(t, 500)) {
		/* device VMAs are VM_DONTEXPAND: growing fails with EFAULT */
		p = mremap((void *)e->start, len, len + ps, 0);
		if (p != MAP_FAILED) {
			report_failure(t, &t->mismatch,
			       "mismatch: mremap grew device mapping [%#lx,%#lx)",
			       e->start, e->end);
			e->end += ps;
		} else if (errno != EFAULT) {
			report_failure(t, &t->mismatch,
			       "mismatch: mremap growing device mapping [%#lx,%#lx): %s (expected EFAULT)",
			       e->start, e->end, mt_errno_name(errno));
		}
		return;
	}
#endif
	if (len <= ps)
		return;
	nlen = (1 + rnd(t, (len >> pshift) - 1)) << pshift;
	p = mremap((void *)e->start, len, nlen, 0);
	if (p == MAP_FAILED) {
		report_failure(t, &t->mismatch,
		       "mismatch: mremap shrinking [%#lx,%#lx) to %#lx: %s",
		       e->start, e->end, nlen, mt_errno_name(errno));
		return;
	}
	{
		unsigned long s = e->start + nlen, end = e->end;
		bool arena = e->in_arena;

		ent_drop(t, s, end);
		if (arena)
			reserve(t, s, end);
	}
}

