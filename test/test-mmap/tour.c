// SPDX-License-Identifier: GPL-2.0
/*
 * tour.c - "test-mmap tour": the list of steps, and the framework each
 * step uses to explain, check and give its verdict (tour.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "tour.h"

void t_begin(struct tour *t, const char *name, const char *title)
{
	t->step++;
	t->name = name;
	t->fail = t->skip = false;
	t->failure[0] = t->note[0] = '\0';
	t->nkeys = 0;
	say("\n== step %d/%d: %s ==\n", t->step, TOUR_STEPS, title);
}

void t_key(struct tour *t, const char *k, const char *fmt, ...)
{
	va_list ap;

	if (t->nkeys == TOUR_KEYS)
		return;
	t->keys[t->nkeys].key = k;
	va_start(ap, fmt);
	vsnprintf(t->keys[t->nkeys].value, sizeof(t->keys[0].value), fmt, ap);
	va_end(ap);
	t->nkeys++;
}

void t_num(struct tour *t, const char *k, long long v)
{
	t_key(t, k, "%lld", v);
}

void t_hex(struct tour *t, const char *k, __u64 v)
{
	t_key(t, k, "\"0x%llx\"", (unsigned long long)v);
}

void t_yes(struct tour *t, const char *k, bool v)
{
	t_key(t, k, "%s", v ? "true" : "false");
}

/* A check of the step: prints it; the first failure is kept for JSON. */
bool t_check(struct tour *t, bool ok, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	say("  %s %s\n", ok ? "check ok:" : "FAIL:", line);
	if (!ok && !t->fail) {
		t->fail = true;
		snprintf(t->failure, sizeof(t->failure), "%s", line);
	}
	return ok;
}

/* An ioctl or syscall the step needs failed: the step fails. */
void t_broken(struct tour *t, const char *what, int err)
{
	t_check(t, false, "%s failed: %s", what, mt_errno_name(err));
}

void t_skip(struct tour *t, const char *why)
{
	t->skip = true;
	snprintf(t->note, sizeof(t->note), "%s", why);
	say("  skipped: %s\n", why);
}

void t_end(struct tour *t)
{
	const char *v = t->fail ? "fail" : t->skip ? "skip" : "pass";
	int i;

	if (t->fail)
		t->failed++;
	else if (t->skip)
		t->skipped++;
	else
		t->passed++;
	if (!t->json) {
		say("-> step %d %s: %s\n", t->step, t->name,
		    t->fail ? "FAIL" : t->skip ? "SKIP" : "PASS");
		return;
	}
	mt_json_begin_object(&json_out, NULL);
	mt_json_uint(&json_out, "step", t->step);
	mt_json_str(&json_out, "name", t->name);
	mt_json_str(&json_out, "verdict", v);
	for (i = 0; i < t->nkeys; i++)
		mt_json_raw(&json_out, t->keys[i].key, "%s", t->keys[i].value);
	mt_json_str(&json_out, "failure", t->fail ? t->failure : NULL);
	mt_json_str(&json_out, "note", t->note[0] ? t->note : NULL);
	j_end_line();
}

/* The step's ALLOC_VMA of @pages pages, silent; 0 or -errno. */
int t_alloc(struct tour *t, struct mmap_test_alloc *a, __u64 addr,
	    __u64 pages, __u64 pgoff, __u32 prot, __u32 flags)
{
	return mt_ioctl_alloc(t->c->fd, addr, pages * t->c->page, pgoff, prot,
			      flags, a);
}

/* The step's FREE_VMA of @pages pages, silent; 0 or -errno. */
int t_free(struct tour *t, __u64 addr, __u64 pages)
{
	return mt_ioctl_free(t->c->fd, addr, pages * t->c->page);
}

/* The steps, in the order they run: each one is independent of the others. */
static void (*const steps[])(struct tour *t) = {
	tour_find_vma, tour_hint, tour_fixed, tour_merge, tour_split,
	tour_kinds, tour_populate, tour_fault_around, tour_placement,
	tour_window, tour_huge, tour_call_chain,
};

_Static_assert(MT_ARRAY_SIZE(steps) == TOUR_STEPS, "TOUR_STEPS");

/* The tour: exit 0 if no step failed (skipped steps are not passes). */
int cmd_tour(struct ctx *c)
{
	struct tour t = { .c = c, .json = c->o->json };
	size_t i;

	text_quiet = t.json;
	say("A tour of what the kernel decides, as the mmap-test module reports it.\n");
	for (i = 0; i < MT_ARRAY_SIZE(steps); i++)
		steps[i](&t);
	say("\ntour: %d passed, %d failed, %d skipped\n", t.passed, t.failed,
	    t.skipped);
	text_quiet = false;
	return t.failed ? 1 : 0;
}
