// SPDX-License-Identifier: GPL-2.0
/*
 * tour.c - "test-mmap tour": the table of steps, and the framework that
 * begins and ends each one and that the steps use to explain, check and
 * give their verdict (tour.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "tour.h"

/* The steps, in the order they run: each one is independent of the others. */
static const struct tour_step tour_steps[] = {
	{ "find_vma_gap", "find_vma() on a gap vs inside a VMA", tour_find_vma },
	{ "hint", "a hint honoured vs moved", tour_hint },
	{ "fixed_noreplace", "MAP_FIXED vs MAP_FIXED_NOREPLACE", tour_fixed },
	{ "merge", "adjacent anon mappings merge into one VMA", tour_merge },
	{ "split", "partial FREE splits a device VMA (->open)", tour_split },
	{ "mapping_kinds", "four kinds of mapping: COW or not", tour_kinds },
	{ "populate", "MMAP_TEST_POPULATE faults pages in up front",
	  tour_populate },
	{ "fault_around", "fault-around on a shared device mapping",
	  tour_fault_around },
	{ "placement", "mmap_base and the top-down search", tour_placement },
	{ "window", "the default mmap window and a hint above it",
	  tour_window },
	{ "huge_pmd", "huge=1: one PMD fault where one fault per page was",
	  tour_huge },
	{ "call_chain", "who calls the driver's mmap hook (dump_stack=1)",
	  tour_call_chain },
};

static void t_begin(struct tour *t, const struct tour_step *s)
{
	t->step++;
	t->name = s->name;
	t->fail = t->skip = false;
	t->failure[0] = t->note[0] = '\0';
	t->nkeys = 0;
	say("\n== step %d/%d: %s ==\n", t->step, t->steps, s->title);
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

static void t_end(struct tour *t)
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

/* "tour --list": the table, one step per line (--json: an object each). */
static int tour_list(const struct ctx *c)
{
	size_t i;

	for (i = 0; i < MT_ARRAY_SIZE(tour_steps); i++) {
		if (!c->o->json) {
			printf("%2zu  %-16s %s\n", i + 1, tour_steps[i].name,
			       tour_steps[i].title);
			continue;
		}
		mt_json_begin_object(&json_out, NULL);
		mt_json_uint(&json_out, "step", i + 1);
		mt_json_str(&json_out, "name", tour_steps[i].name);
		mt_json_str(&json_out, "title", tour_steps[i].title);
		j_end_line();
	}
	return 0;
}

/* The tour: exit 0 if no step failed (skipped steps are not passes). */
int cmd_tour(struct ctx *c)
{
	struct tour t = { .c = c, .json = c->o->json,
			  .steps = MT_ARRAY_SIZE(tour_steps) };
	size_t i;

	if (c->o->list)
		return tour_list(c);
	text_quiet = t.json;
	say("A tour of what the kernel decides, as the mmap-test module reports it.\n");
	for (i = 0; i < MT_ARRAY_SIZE(tour_steps); i++) {
		t_begin(&t, &tour_steps[i]);
		tour_steps[i].run(&t);
		t_end(&t);
	}
	say("\ntour: %d passed, %d failed, %d skipped\n", t.passed, t.failed,
	    t.skipped);
	text_quiet = false;
	return t.failed ? 1 : 0;
}
