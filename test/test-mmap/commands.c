// SPDX-License-Identifier: GPL-2.0
/*
 * commands.c - the commands that send one request each: alloc, free,
 * query, stats (printed as text or one JSON object, checked against
 * --expect), and hold, which keeps a mapping of a closed fd alive until
 * EOF or a signal (for tests of the module's lifetime rules).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test-mmap.h"

/*
 * The exit status of a request with --expect ERRNO: 0 iff it failed with
 * ERRNO (0: succeeded); without --expect, 0 iff it succeeded.
 */
int check_expect(const struct opts *o, int ret)
{
	if (!o->expect_set)
		return ret ? 1 : 0;
	if (o->json)
		return -ret == o->expect ? 0 : 1;
	if (-ret == o->expect) {
		printf("expected %s: got it\n", mt_errno_name(o->expect));
		return 0;
	}
	printf("expected %s, got %s\n", mt_errno_name(o->expect),
	       mt_errno_name(-ret));
	return 1;
}

/* ---- the single-request subcommands ------------------------------------ */

/* One ALLOC_VMA from the options, printed (text or JSON); 0 or -errno. */
int alloc_req(struct ctx *c, struct mmap_test_alloc *a)
{
	const struct opts *o = c->o;
	struct mmap_test_stats s;
	int ret;

	get_stats(c, &s, true);		/* buffer size, for explanations */
	init_alloc(c, a, o->addr, o->len_set ? o->len : DEFAULT_PAGES * c->page,
		   o->addr_set);
	ret = do_alloc(c, a);
	if (o->json) {
		j_result(c, REQ_ALLOC, ret, a);
		j_request(a);
		mt_json_hex(&json_out, "mapped", a->mapped);
		if (before_copied(a))
			j_report("before", &a->before);
		j_end_line();
	} else if (!ret) {
		printf("alloced virt addr : 0x%llx\n",
		       (unsigned long long)a->mapped);
		print_verdict("before: ", &a->before);
		print_sentence("        ", &a->before);
	}
	return ret;
}

int cmd_alloc(struct ctx *c)
{
	struct mmap_test_alloc a;

	return check_expect(c->o, alloc_req(c, &a));
}

/* One FREE_VMA of --addr/--len, printed (text or JSON); 0 or -errno. */
int free_req(const struct ctx *c)
{
	const struct opts *o = c->o;
	__u64 len = o->len_set ? o->len : c->page;
	int ret;

	ret = do_free(c, o->addr, len, o->reserved);
	if (o->json) {
		j_result(c, REQ_FREE, ret, &(struct mmap_test_free){
			 .addr = o->addr, .len = len, .reserved = o->reserved });
		mt_json_hex(&json_out, "addr", o->addr);
		mt_json_hex(&json_out, "len", len);
		j_end_line();
	} else if (!ret) {
		printf("FREE_VMA addr 0x%llx len 0x%llx: ok\n",
		       (unsigned long long)o->addr, (unsigned long long)len);
	}
	return ret;
}

int cmd_free(struct ctx *c)
{
	if (!c->o->addr_set) {
		fprintf(stderr, "test-mmap: free needs --addr (and --len)\n");
		return 2;
	}
	return check_expect(c->o, free_req(c));
}

/* One QUERY_VMA of --addr, printed (text or JSON); 0 or -errno. */
int query_req(const struct ctx *c, struct mmap_test_vma_report *r)
{
	const struct opts *o = c->o;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = do_query(c, o->addr, o->reserved, r);
	if (o->json) {
		j_result(c, REQ_QUERY, ret, &(struct mmap_test_query){
			 .addr = o->addr, .reserved = o->reserved });
		if (!ret)
			j_report("report", r);
		j_end_line();
	} else if (!ret) {
		print_report(r);
	}
	return ret;
}

int cmd_query(struct ctx *c)
{
	struct mmap_test_vma_report r;

	if (!c->o->addr_set) {
		fprintf(stderr, "test-mmap: query needs --addr\n");
		return 2;
	}
	return check_expect(c->o, query_req(c, &r));
}

/* One GET_STATS, printed (text or JSON); 0 or -errno. */
int stats_req(struct ctx *c, struct mmap_test_stats *s)
{
	int ret;

	ret = get_stats(c, s, false);
	if (c->o->json) {
		j_result(c, REQ_STATS, ret, s);
		if (!ret)
			j_stats(s);
		j_end_line();
	} else if (!ret) {
		print_stats(s);
	}
	return ret;
}

int cmd_stats(struct ctx *c)
{
	struct mmap_test_stats s;

	return check_expect(c->o, stats_req(c, &s));
}

/* ---- hold: keep a mapping of a closed fd alive -------------------------- */

static volatile sig_atomic_t stop_requested;

static void stop_handler(int sig)
{
	stop_requested = sig;
}

static void wait_for_stop(bool until_signal)
{
	struct sigaction sa;
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	sigset_t block, orig;
	char buf[256];
	ssize_t r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop_handler;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &orig);
	while (!stop_requested) {
		if (ppoll(until_signal ? NULL : &pfd, until_signal ? 0 : 1,
			  NULL, &orig) < 0)
			continue;	/* EINTR: a signal was handled */
		if (pfd.revents & POLLNVAL)
			break;
		r = read(0, buf, sizeof(buf));
		if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
			break;
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
}

int cmd_hold(struct ctx *c)
{
	const struct opts *o = c->o;
	struct mmap_test_alloc a;
	unsigned long i, pages;
	unsigned char byte = 0;
	int ret;

	get_stats(c, &(struct mmap_test_stats){ 0 }, true);
	init_alloc(c, &a, o->addr, o->len_set ? o->len : c->page, o->addr_set);
	ret = do_alloc(c, &a);
	if (ret && o->json) {
		j_result(c, REQ_ALLOC, ret, &a);
		mt_json_str(&json_out, "command", "hold");
		if (before_copied(&a))
			j_report("before", &a.before);
		j_end_line();
	}
	if (ret)
		return 1;
	pages = mt_mem_page_align(a.len) / c->page;
	for (i = 0; i < pages; i++) {
		unsigned char *p = (unsigned char *)(uintptr_t)a.mapped +
				   i * c->page;

		if ((a.prot & PROT_READ) &&
		    guarded_copy(&byte, p, 1, "touching the mapping"))
			return 1;
		if ((a.prot & PROT_WRITE) &&
		    guarded_copy(p, &byte, 1, "touching the mapping"))
			return 1;
	}
	close(c->fd);
	c->fd = -1;
	if (o->json) {
		mt_json_begin_object(&json_out, NULL);
		mt_json_str(&json_out, "request", "hold");
		mt_json_bool(&json_out, "ok", true);
		mt_json_hex(&json_out, "holding", a.mapped);
		mt_json_hex(&json_out, "len", mt_mem_page_align(a.len));
		mt_json_uint(&json_out, "pages", pages);
		j_end_line();
	} else {
		printf("holding 0x%llx\n", (unsigned long long)a.mapped);
	}
	fflush(stdout);
	wait_for_stop(o->until_signal);
	return 0;
}
