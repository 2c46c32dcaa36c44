// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - the reference run (test-mmap with no command, or "run"): the
 * steps of the original arm64 report, ALLOC_VMA 4 shared pages at a fixed
 * address, explain find_vma(), read the kernel's greeting, write through
 * the mapping and check read() sees it, every page, FREE_VMA; ends with
 * "result: PASS" or "result: FAIL" (--json: one object).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test-mmap.h"

#define USER_MESSAGE	"Hello from *user* this is file: mmap-test"

/* What the reference run saw, for run --json. */
static struct {
	__u64 buffer_pages, mapped, faults, pages_ok;
	struct mmap_test_vma_report before, after;
	bool have_before, have_after, freed, have_faults;
	char kernel_message[128], changed_message[128], read_sees[128];
	const char *write_read;
	struct mmap_test_alloc req;	/* the ALLOC_VMA, once sent */
	bool have_req;
	int alloc_ret;
} rec;

static void rec_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

struct mapping {
	unsigned char *p;
	__u64 len;		/* page aligned */
	unsigned long pages;
	off_t off;		/* file offset of the first page */
	bool device, shared, readable, writable;
};

int copy_or_describe(void *dst, const void *src, size_t n, const char *what,
		     const char *segv_hint, char *msg, size_t len)
{
	struct mt_fault f;

	if (!mt_mem_copy(dst, src, n, &f))
		return 0;
	snprintf(msg, len, "%s: %s at %p (%s)", what,
		 f.sig == SIGBUS ? "SIGBUS" : "SIGSEGV", f.addr,
		 f.sig == SIGBUS ? "page outside the device buffer?" :
		 segv_hint);
	return -1;
}

/* memcpy() that reports a fault on either side instead of dying. */
int guarded_copy(void *dst, const void *src, size_t n, const char *what)
{
	char msg[256];

	if (!copy_or_describe(dst, src, n, what,
			      "no access: prot or mapping gone?",
			      msg, sizeof(msg)))
		return 0;
	fprintf(stderr, "%s\n", msg);
	return -1;
}

static void printable(char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '.';
}

static int pread_page(const struct ctx *c, void *buf, off_t off)
{
	ssize_t r = pread(c->fd, buf, c->page, off);

	if (r == (ssize_t)c->page)
		return 0;
	if (r < 0)
		fprintf(stderr, "pread at offset 0x%llx failed: %s\n",
			(unsigned long long)off, mt_errno_name(errno));
	else
		fprintf(stderr, "pread at offset 0x%llx returned %zd, not %lu\n",
			(unsigned long long)off, r, c->page);
	return -1;
}

/* Read the kernel's greeting at the start of the mapping. */
static int step_kernel_message(const struct ctx *c, const struct mapping *m,
			       char *page)
{
	if (!m->readable) {
		say("Kernel message: skipped (mapping not readable)\n");
		return 0;
	}
	if (guarded_copy(page, m->p, c->page, "reading the mapping"))
		return -1;
	page[c->page - 1] = '\0';
	if (!m->device) {
		say("Kernel message: none (anonymous mapping), first byte 0x%02x\n",
		       (unsigned char)page[0]);
		return page[0] ? -1 : 0;
	}
	printable(page);
	rec_str(rec.kernel_message, sizeof(rec.kernel_message), page);
	if (page[0])
		say("Kernel message: %s\n", page);
	else
		say("Kernel message: none (buffer page %llu starts with a NUL)\n",
		       (unsigned long long)c->o->pgoff);
	if (c->o->pgoff == 0 && strcmp(page, MMAP_TEST_GREETING)) {
		fprintf(stderr, "kernel message differs from \"%s\"\n",
			MMAP_TEST_GREETING);
		return -1;
	}
	return 0;
}

/* Write USER_MESSAGE through the mapping; check what read() sees. */
static int step_user_message(const struct ctx *c, const struct mapping *m,
			     char *page)
{
	static const char msg[] = USER_MESSAGE;
	char orig[sizeof(msg)];

	if (!m->writable) {
		say("Changed message: skipped (mapping not writable)\n");
		return 0;
	}
	if (m->device && pread_page(c, page, m->off))
		return -1;
	memcpy(orig, page, sizeof(orig));
	if (guarded_copy(m->p, msg, sizeof(msg), "writing the mapping") ||
	    guarded_copy(page, m->p, sizeof(msg), "reading the mapping"))
		return -1;
	page[sizeof(msg) - 1] = '\0';
	printable(page);
	say("Changed message: %s\n", page);
	rec_str(rec.changed_message, sizeof(rec.changed_message), page);
	if (strcmp(page, msg))
		return -1;
	if (!m->device)
		return 0;
	if (pread_page(c, page, m->off))
		return -1;
	page[c->page - 1] = '\0';
	printable(page);
	rec_str(rec.read_sees, sizeof(rec.read_sees), page);
	/* Shared: read() sees the change; private: still the file's bytes. */
	say("read() sees: %s\n", page);
	if (memcmp(page, m->shared ? msg : orig, sizeof(msg))) {
		fprintf(stderr, "%s\n", m->shared ?
			"read() does not see the shared mapping's change" :
			"a private mapping's change reached the file");
		return -1;
	}
	say("%s\n", m->shared ? "read() matches the mapping" :
	    "read() still sees the file's bytes (private copy-on-write)");
	return 0;
}

static void fill_pattern(unsigned char *buf, unsigned long n, unsigned long pg)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)(0xa5 ^ (pg * 0x3b) ^ (i * 7) ^ (i >> 8));
	snprintf((char *)buf, n, "mmap-test page %lu", pg);
}

/* One page of the Write/Read test; 0 or -1. */
static int check_page(const struct ctx *c, const struct mapping *m,
		      unsigned long i, unsigned char *pat, unsigned char *rd)
{
	unsigned char *p = m->p + i * c->page;
	off_t off = m->off + (off_t)i * c->page;
	bool own_copy = !m->device || !m->shared;

	if (m->device && !m->shared && pread_page(c, rd, off))
		return -1;
	fill_pattern(pat, c->page, i);
	if (own_copy && m->device && !memcmp(rd, pat, c->page)) {
		fprintf(stderr, "page %lu: file already holds the pattern\n", i);
		return -1;
	}
	if (guarded_copy(p, pat, c->page, "writing the mapping"))
		return -1;
	if (m->device && m->shared) {
		if (pread_page(c, rd, off))
			return -1;
	} else if (m->device && !m->shared) {
		unsigned char *now = rd + c->page;

		if (pread_page(c, now, off))
			return -1;
		if (memcmp(now, rd, c->page)) {
			fprintf(stderr, "page %lu: private write reached the file\n", i);
			return -1;
		}
		if (guarded_copy(rd, p, c->page, "reading the mapping"))
			return -1;
	} else if (guarded_copy(rd, p, c->page, "reading the mapping")) {
		return -1;
	}
	if (memcmp(rd, pat, c->page)) {
		fprintf(stderr, "page %lu: %s differs from what was written\n",
			i, m->device && m->shared ? "read()" : "the mapping");
		return -1;
	}
	return 0;
}

static int step_write_read(const struct ctx *c, const struct mapping *m)
{
	unsigned char *pat, *rd;
	unsigned long i;
	int ret = 0;

	if (!m->writable || !m->readable) {
		say("Write/Read test ... skipped (mapping not read-write)\n");
		return 0;
	}
	say("Write/Read test ...\n");
	pat = malloc(c->page);
	rd = malloc(2 * c->page);
	if (!pat || !rd) {
		fprintf(stderr, "out of memory\n");
		ret = -1;
		goto out;
	}
	for (i = 0; i < m->pages && !ret; i++)
		ret = check_page(c, m, i, pat, rd);
	rec.write_read = !m->device ? "through the mapping" :
			 m->shared ? "mapping -> read()" :
			 "private: the file kept its bytes";
	if (!ret) {
		rec.pages_ok = m->pages;
		say("Write/Read test ... %lu pages OK (%s)\n", m->pages,
		    rec.write_read);
	}
out:
	free(pat);
	free(rd);
	return ret;
}

/* FREE_VMA the mapping, then QUERY_VMA to prove the range is gone. */
static int step_free(const struct ctx *c, const struct mapping *m)
{
	struct mmap_test_vma_report r;
	__u64 addr = (uintptr_t)m->p;

	if (do_free(c, addr, m->len, 0))
		return -1;
	say("FREE_VMA [0x%llx,0x%llx) done\n", (unsigned long long)addr,
	       (unsigned long long)(addr + m->len));
	rec.freed = true;
	if (do_query(c, addr, 0, &r))
		return -1;
	rec.after = r;
	rec.have_after = true;
	print_verdict("after free: ", &r);
	if (r.contains || (r.found && r.vm_start < addr + m->len)) {
		fprintf(stderr, "the range is still mapped after FREE_VMA\n");
		return -1;
	}
	say("the range is gone (contains: no)\n");
	return 0;
}

/* Is [addr, addr+len) free?  0 yes, -1 taken or query failed. */
static int check_free(const struct ctx *c, __u64 addr, __u64 len)
{
	struct mmap_test_vma_report r;

	if (do_query(c, addr, 0, &r))
		return -1;
	if (!r.contains && (!r.found || r.vm_start >= addr + len))
		return 0;
	fprintf(stderr, "default address 0x%llx is taken: %s [0x%llx,0x%llx); choose another with --addr\n",
		(unsigned long long)addr,
		r.contains ? "inside" : "the range overlaps",
		(unsigned long long)r.vm_start, (unsigned long long)r.vm_end);
	return -1;
}

static int map_steps(const struct ctx *c, const struct mmap_test_alloc *a)
{
	struct mapping m = {
		.p = (unsigned char *)(uintptr_t)a->mapped,
		.len = mt_mem_page_align(a->len),
		.off = (off_t)a->pgoff * c->page,
		.device = !(a->flags & MMAP_TEST_ANON),
		.shared = a->flags & MMAP_TEST_SHARED,
		.readable = a->prot & PROT_READ,
		.writable = a->prot & PROT_WRITE,
	};
	char *page = malloc(2 * c->page);
	int ret;

	if (!page) {
		fprintf(stderr, "out of memory\n");
		return -1;
	}
	m.pages = m.len / c->page;
	ret = step_kernel_message(c, &m, page);
	if (!ret)
		ret = step_user_message(c, &m, page);
	if (!ret)
		ret = step_write_read(c, &m);
	free(page);
	if (step_free(c, &m))
		ret = -1;
	return ret;
}

/*
 * The reference run's address: DEFAULT_ADDR, or where TASK_SIZE is below
 * it (ppc64 with 4K pages: 64 TiB; riscv64 Sv39: 256 GiB), its low bits
 * below TASK_SIZE (a power of two there).
 */
static __u64 default_addr(const struct ctx *c, __u64 len)
{
	__u64 ts = mt_mem_task_size(NULL), a;

	if (DEFAULT_ADDR + len <= ts || (ts & (ts - 1)))
		return DEFAULT_ADDR;
	a = (DEFAULT_ADDR & (ts - 1)) & ~((__u64)c->page - 1);
	say("0x%llx, the reference address, is above TASK_SIZE here (user addresses end at 0x%llx): 0x%llx instead\n",
	    (unsigned long long)DEFAULT_ADDR, (unsigned long long)ts,
	    (unsigned long long)a);
	return a;
}

static int run_steps(struct ctx *c)
{
	const struct opts *o = c->o;
	struct mmap_test_stats s;
	struct mmap_test_alloc a;
	__u64 len = o->len_set ? o->len : DEFAULT_PAGES * c->page;
	__u64 addr;
	int ret;

	if (get_stats(c, &s, false))
		return -1;
	addr = o->addr_set ? o->addr : default_addr(c, len);
	rec.buffer_pages = s.buffer_pages;
	say("device %s: %llu-page buffer, page size %lu\n", o->device,
	       (unsigned long long)s.buffer_pages, c->page);
	init_alloc(c, &a, addr, len, true);
	if (!o->addr_set && (a.flags & FIXED_ANY) &&
	    check_free(c, addr, mt_mem_page_align(len)))
		return -1;
	rec.alloc_ret = do_alloc(c, &a);
	rec.req = a;
	rec.have_req = true;
	if (rec.alloc_ret)
		return -1;
	rec.mapped = a.mapped;
	rec.before = a.before;
	rec.have_before = true;
	say("alloced virt addr : 0x%llx\n", (unsigned long long)a.mapped);
	print_verdict("before: ", &a.before);
	print_sentence("        ", &a.before);
	ret = map_steps(c, &a);
	if (!get_stats(c, &s, false)) {
		rec.faults = s.faults;
		rec.have_faults = true;
		say("faults served for this file: %llu\n",
		    (unsigned long long)s.faults);
	}
	return ret;
}

static void j_run(const struct ctx *c, int ret)
{
	const struct mmap_test_alloc *a = &rec.req;

	mt_json_begin_object(&json_out, NULL);
	mt_json_str(&json_out, "request", "run");
	mt_json_str(&json_out, "device", c->o->device);
	mt_json_uint(&json_out, "page_size", c->page);
	mt_json_uint(&json_out, "buffer_pages", rec.buffer_pages);
	if (rec.have_req) {
		j_request(a);
		mt_json_str(&json_out, "alloc_errno_name", rec.alloc_ret ?
			    mt_errno_name(rec.alloc_ret) : NULL);
		mt_json_hex(&json_out, "mapped", a->mapped);
		if (before_copied(a))
			j_report("before", &a->before);
	}
	mt_json_str(&json_out, "kernel_message", rec.kernel_message[0] ?
		    rec.kernel_message : NULL);
	mt_json_str(&json_out, "changed_message", rec.changed_message[0] ?
		    rec.changed_message : NULL);
	mt_json_str(&json_out, "read_sees", rec.read_sees[0] ?
		    rec.read_sees : NULL);
	mt_json_uint(&json_out, "write_read_pages_ok", rec.pages_ok);
	mt_json_str(&json_out, "write_read", rec.write_read);
	mt_json_bool(&json_out, "freed", rec.freed);
	if (rec.have_after)
		j_report("after_free", &rec.after);
	if (rec.have_faults)
		mt_json_uint(&json_out, "faults", rec.faults);
	mt_json_str(&json_out, "result", ret ? "FAIL" : "PASS");
	j_end_line();
}

/*
 * The reference run; always ends with "result: PASS" or "result: FAIL"
 * (with --json: one object whose "result" is "PASS" or "FAIL").
 */
int cmd_run(struct ctx *c)
{
	int ret;

	text_quiet = c->o->json;
	ret = run_steps(c);
	text_quiet = false;
	if (c->o->json)
		j_run(c, ret);
	else
		printf("result: %s\n", ret ? "FAIL" : "PASS");
	return ret ? 1 : 0;
}
