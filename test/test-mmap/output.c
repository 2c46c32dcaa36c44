// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - how test-mmap prints: error lines, the text of the run and
 * the tour (silenced when they print JSON), the JSON lines on stdout (the
 * library's writer), and the reports of QUERY_VMA and GET_STATS as text
 * and JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "test-mmap.h"

/*
 * Errors of the command line, and of a session line ("FILE:LINE: error"):
 * printed as one line on stderr, and kept for a session's JSON object.
 */
char err_prefix[300] = "test-mmap";
char last_err[512];

void __attribute__((format(printf, 1, 2))) errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_err, sizeof(last_err), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", err_prefix, last_err);
}

/* ---- text and JSON ---------------------------------------------------- */

/* Text output of run and tour; silent when they print JSON instead. */
bool text_quiet;

void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	if (text_quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/*
 * The JSON of every command: the library's writer on stdout, compact, one
 * object per line (JSON lines), keys in a fixed order.
 */
struct mt_json json_out;

void j_report(const char *k, const struct mmap_test_vma_report *r)
{
	char buf[256];

	mt_json_begin_object(&json_out, k);
	mt_json_hex(&json_out, "addr", r->addr);
	mt_json_bool(&json_out, "found", r->found);
	mt_json_bool(&json_out, "contains", r->contains);
	mt_json_hex(&json_out, "vm_start", r->vm_start);
	mt_json_hex(&json_out, "vm_end", r->vm_end);
	mt_json_hex(&json_out, "gap", r->gap);
	mt_json_hex(&json_out, "flags", r->flags);
	mt_format_vma_flags(r->flags, buf, sizeof(buf));
	mt_json_str(&json_out, "flags_names", buf);
	mt_json_hex(&json_out, "vm_pgoff", r->vm_pgoff);
	mt_json_str(&json_out, "backing", mt_backing_name(r->backing));
	mt_json_uint(&json_out, "nr_vmas", r->nr_vmas);
	mt_json_str(&json_out, "name", report_vma_name(r));
	mt_explain_report(r, report_vma_name(r), buf, sizeof(buf));
	mt_json_str(&json_out, "verdict", buf);
	explain_sentence(r, buf, sizeof(buf));
	mt_json_str(&json_out, "explanation", buf);
	mt_json_end_object(&json_out);
}

/* The fields of an ALLOC_VMA request, as the user asked for it. */
void j_request(const struct mmap_test_alloc *a)
{
	char buf[128];

	mt_json_hex(&json_out, "addr", a->addr);
	mt_json_hex(&json_out, "len", a->len);
	mt_json_uint(&json_out, "pgoff", a->pgoff);
	mt_format_prot(a->prot, buf, sizeof(buf));
	mt_json_str(&json_out, "prot", buf);
	mt_format_flags(a->flags, buf, sizeof(buf));
	mt_json_str(&json_out, "flags", buf);
}

/* Closes the top object: its line is complete. */
void j_end_line(void)
{
	mt_json_end_object(&json_out);
	mt_json_newline(&json_out);
}

/* Opens the object: request, outcome, cause, expectation. */
void j_result(const struct ctx *c, enum req req, int ret,
	      const void *arg)
{
	char why[256];

	mt_json_begin_object(&json_out, NULL);
	mt_json_str(&json_out, "request", req_name[req]);
	mt_json_bool(&json_out, "ok", !ret);
	mt_json_uint(&json_out, "errno", -ret);
	mt_json_str(&json_out, "errno_name", ret ? mt_errno_name(-ret) : NULL);
	mt_json_str(&json_out, "cause", ret ?
		    explain_error(c, req, -ret, arg, why, sizeof(why)) : NULL);
	if (c->o->expect_set) {
		mt_json_str(&json_out, "expected", mt_errno_name(c->o->expect));
		mt_json_bool(&json_out, "as_expected", -ret == c->o->expect);
	}
}

void print_report(const struct mmap_test_vma_report *r)
{
	char flags[256];

	mt_format_vma_flags(r->flags, flags, sizeof(flags));
	print_verdict("", r);
	print_sentence("  ", r);
	printf("  addr      0x%llx\n", (unsigned long long)r->addr);
	printf("  found     %u\n", r->found);
	printf("  contains  %u\n", r->contains);
	printf("  vm_start  0x%llx\n", (unsigned long long)r->vm_start);
	printf("  vm_end    0x%llx\n", (unsigned long long)r->vm_end);
	printf("  gap       0x%llx\n", (unsigned long long)r->gap);
	printf("  flags     0x%llx (%s)\n", (unsigned long long)r->flags,
	       flags);
	printf("  vm_pgoff  0x%llx\n", (unsigned long long)r->vm_pgoff);
	printf("  backing   %s\n", mt_backing_name(r->backing));
	if (r->found)
		printf("  name      %s\n", report_vma_name(r));
	printf("  nr_vmas   %u\n", r->nr_vmas);
}

#define STAT_FIELD(f)	{ #f, offsetof(struct mmap_test_stats, f) }
static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
	STAT_FIELD(faults), STAT_FIELD(pages_around), STAT_FIELD(live_vmas),
	STAT_FIELD(vma_opens), STAT_FIELD(vma_closes), STAT_FIELD(pages),
	STAT_FIELD(buffer_pages), STAT_FIELD(total_faults), STAT_FIELD(total_live_vmas),
	STAT_FIELD(total_pages), STAT_FIELD(total_files),
};

/* The name of GET_STATS field @i; NULL past the last. */
const char *stat_name(size_t i)
{
	return i < MT_ARRAY_SIZE(stat_fields) ? stat_fields[i].name : NULL;
}

unsigned long long stat_value(const struct mmap_test_stats *s,
			      size_t i)
{
	__u64 v;

	memcpy(&v, (const char *)s + stat_fields[i].off, sizeof(v));
	return v;
}

void print_stats(const struct mmap_test_stats *s)
{
	size_t i;

	printf("GET_STATS:\n");
	for (i = 0; i < MT_ARRAY_SIZE(stat_fields); i++)
		printf("  %-16s %llu\n", stat_fields[i].name, stat_value(s, i));
}

void j_stats(const struct mmap_test_stats *s)
{
	size_t i;

	mt_json_begin_object(&json_out, "stats");
	for (i = 0; i < MT_ARRAY_SIZE(stat_fields); i++)
		mt_json_uint(&json_out, stat_fields[i].name, stat_value(s, i));
	mt_json_end_object(&json_out);
}

void print_request(const struct mmap_test_alloc *a)
{
	char flags[128], prot[32];

	mt_format_flags(a->flags, flags, sizeof(flags));
	mt_format_prot(a->prot, prot, sizeof(prot));
	printf("ALLOC_VMA addr 0x%llx len 0x%llx pgoff %llu prot %s flags %s\n",
	       (unsigned long long)a->addr, (unsigned long long)a->len,
	       (unsigned long long)a->pgoff, prot, flags);
}

/* A find_vma() report as one line, then as one sentence (explain.c). */
void print_verdict(const char *label, const struct mmap_test_vma_report *r)
{
	char line[256];

	mt_explain_report(r, report_vma_name(r), line, sizeof(line));
	say("%s%s\n", label, line);
}

void print_sentence(const char *indent,
		    const struct mmap_test_vma_report *r)
{
	char line[256];

	explain_sentence(r, line, sizeof(line));
	say("%s%s\n", indent, line);
}
