/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tour.h - the steps of "test-mmap tour" and the framework they share
 * (tour.c): a step begins, explains in sentences what the module reported,
 * checks it, and ends with a verdict (text, or one JSON line).
 *
 * To add a step: write tour_<name>(struct tour *t) in the tour-*.c file
 * of its topic (it explains, t_check()s, and may t_skip()), declare it
 * here, and add a row to tour_steps[] in tour.c: its name, its title and
 * the function.  Nothing else counts or names the steps: the framework
 * begins and ends each one, "test-mmap tour --list" prints the table, and
 * the guest's tour test and README's list are checked against that
 * (make lint also wants the step described in docs/test-mmap.md).
 */
#ifndef TEST_MMAP_TOUR_H
#define TEST_MMAP_TOUR_H

#include "test-mmap.h"

#define TOUR_KEYS	16	/* key numbers of one step, at most */

/*
 * Each step explains in sentences what the module reported and checks it.
 * Text: the sentences, "  check ...: ok" or "  FAIL: ...", and a verdict
 * line per step.  --json: one line per step, a JSON object
 *   {"step":N,"name":"...","verdict":"pass"|"fail"|"skip",<key numbers>,
 *    "failure":"first failed check"|null,"note":"..."|null}
 * and nothing else on stdout.
 */
struct tour {
	struct ctx *c;
	bool json;
	int step, steps, passed, failed, skipped;
	const char *name;
	bool fail, skip;
	char failure[256], note[256];
	int nkeys;		/* JSON members of the current step */
	struct {
		const char *key;
		char value[64];	/* JSON text: 12, "0x1000", true */
	} keys[TOUR_KEYS];
};

/* A step of the tour: a row of tour_steps[] (tour.c). */
struct tour_step {
	const char *name;	/* JSON "name", "-> step N name: PASS" */
	const char *title;	/* "== step N/M: title ==" */
	void (*run)(struct tour *t);
};

/* The steps' functions, in the order they run. */
void tour_find_vma(struct tour *t);		/* tour-vma.c */
void tour_hint(struct tour *t);
void tour_fixed(struct tour *t);
void tour_merge(struct tour *t);
void tour_split(struct tour *t);
void tour_kinds(struct tour *t);		/* tour-pages.c */
void tour_populate(struct tour *t);
void tour_fault_around(struct tour *t);
void tour_placement(struct tour *t);		/* tour-placement.c */
void tour_window(struct tour *t);
void tour_huge(struct tour *t);			/* tour-pages.c */
void tour_call_chain(struct tour *t);		/* tour-chain.c */

/* What a step reports: JSON members, checks, skip (tour.c). */
void t_key(struct tour *t, const char *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void t_num(struct tour *t, const char *k, long long v);
void t_hex(struct tour *t, const char *k, __u64 v);
void t_yes(struct tour *t, const char *k, bool v);
bool t_check(struct tour *t, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void t_broken(struct tour *t, const char *what, int err);
void t_skip(struct tour *t, const char *why);

/* The requests of a step in pages, silent; 0 or -errno (tour.c). */
int t_alloc(struct tour *t, struct mmap_test_alloc *a, __u64 addr,
	    __u64 pages, __u64 pgoff, __u32 prot, __u32 flags);
int t_free(struct tour *t, __u64 addr, __u64 pages);

#endif
