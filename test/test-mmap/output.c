// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - how test-mmap prints: error lines, the text of the run and
 * the tour (silenced when they print JSON), the JSON writer (one object
 * per line, keys in a fixed order), and the reports of QUERY_VMA and
 * GET_STATS as text and JSON.
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

/* ---- printing (one place, so that a JSON variant is easy to add) ------ */

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

/* JSON: one object per run, keys in a fixed order. */
static bool j_first;

void j_key(const char *k)
{
	printf("%s\"%s\":", j_first ? "" : ",", k);
	j_first = false;
}

void j_begin(const char *k)
{
	if (k)
		j_key(k);
	putchar('{');
	j_first = true;
}

void j_end(void)
{
	putchar('}');
	j_first = false;
}

void j_str(const char *k, const char *v)
{
	j_key(k);
	if (!v) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			printf("\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			printf("\\u%04x", *v);
		else
			putchar(*v);
	}
	putchar('"');
}

void j_hex(const char *k, __u64 v)
{
	j_key(k);
	printf("\"0x%llx\"", (unsigned long long)v);
}

void j_num(const char *k, __u64 v)
{
	j_key(k);
	printf("%llu", (unsigned long long)v);
}

void j_bool(const char *k, bool v)
{
	j_key(k);
	fputs(v ? "true" : "false", stdout);
}

void j_report(const char *k, const struct mmap_test_vma_report *r)
{
	char buf[256];

	j_begin(k);
	j_hex("addr", r->addr);
	j_bool("found", r->found);
	j_bool("contains", r->contains);
	j_hex("vm_start", r->vm_start);
	j_hex("vm_end", r->vm_end);
	j_hex("gap", r->gap);
	j_hex("flags", r->flags);
	mt_format_vma_flags(r->flags, buf, sizeof(buf));
	j_str("flags_names", buf);
	j_hex("vm_pgoff", r->vm_pgoff);
	j_str("backing", mt_backing_name(r->backing));
	j_num("nr_vmas", r->nr_vmas);
	mt_explain_report(r, buf, sizeof(buf));
	j_str("verdict", buf);
	explain_sentence(r, buf, sizeof(buf));
	j_str("explanation", buf);
	j_end();
}

/* Opens the object: request, outcome, cause, expectation. */
void j_result(const struct ctx *c, enum req req, int ret,
		     const void *arg)
{
	char why[256];

	j_begin(NULL);
	j_str("request", req_name[req]);
	j_bool("ok", !ret);
	j_num("errno", -ret);
	j_str("errno_name", ret ? mt_errno_name(-ret) : NULL);
	j_str("cause", ret ? explain_error(c, req, -ret, arg, why,
					   sizeof(why)) : NULL);
	if (c->o->expect_set) {
		j_str("expected", mt_errno_name(c->o->expect));
		j_bool("as_expected", -ret == c->o->expect);
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

	j_begin("stats");
	for (i = 0; i < MT_ARRAY_SIZE(stat_fields); i++)
		j_num(stat_fields[i].name, stat_value(s, i));
	j_end();
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
