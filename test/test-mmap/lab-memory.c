// SPDX-License-Identifier: GPL-2.0
/*
 * lab-memory.c - the lab commands on this process's address space, with
 * no request to the module: touch (faults counted), read, write, madvise,
 * mprotect, mremap, fork (what a child's writes do to the parent's view),
 * hint (a free address) and place (TASK_SIZE, window, layout).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

static int rw_arg(const char *a)
{
	if (!strcmp(a, "r") || !strcmp(a, "read"))
		return 0;
	if (!strcmp(a, "w") || !strcmp(a, "write"))
		return 1;
	return -1;
}

/* touch ADDR [LEN] [r|w]: one access per page, faults counted. */
int s_touch(struct session *s, int argc, char **argv)
{
	struct mmap_test_stats s0 = { 0 }, s1 = { 0 };
	struct rusage u0, u1;
	volatile unsigned char *p;
	struct mt_fault f;
	__u64 addr, len = s->c->page, pages, i;
	int write = 0, nargs = argc, ok = 1;
	bool stats;

	if (argc > 2 && rw_arg(argv[argc - 1]) >= 0)
		write = rw_arg(argv[--nargs]);
	if (nargs > 3 || nargs < 2) {
		s_err(s, "touch: usage: touch ADDR [LEN] [r|w]");
		return -1;
	}
	if (num_arg(s, "touch", "ADDR", argv[1], &addr) ||
	    (nargs == 3 && num_arg(s, "touch", "LEN", argv[2], &len)))
		return -1;
	if (!len) {
		s_err(s, "touch: LEN is 0");
		return -1;
	}
	pages = (addr % s->c->page + len + s->c->page - 1) / s->c->page;
	stats = s->c->fd >= 0 && !get_stats(s->c, &s0, true);
	getrusage(RUSAGE_SELF, &u0);
	for (i = 0; i < pages; i++) {
		p = (volatile unsigned char *)(uintptr_t)
			(i ? (addr & ~(__u64)(s->c->page - 1)) + i * s->c->page : addr);
		/* a write is a plain store: no read fault, no fault-around */
		if (mt_mem_touch(p, write ? MT_ACCESS_WRITE : MT_ACCESS_READ,
				 0, NULL, &f)) {
			s_err(s, "touch: %s at %p (%s)",
			      f.sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
			      f.addr, f.sig == SIGBUS ?
			      "page outside the device buffer?" :
			      "not mapped, or prot does not allow it");
			ok = 0;
			break;
		}
	}
	getrusage(RUSAGE_SELF, &u1);
	if (stats)
		get_stats(s->c, &s1, true);
	res_reset(s, s1.faults - s0.faults);
	res_field(s, "pages", i);
	res_field(s, "faults", s1.faults - s0.faults);
	res_field(s, "pages_around", s1.pages_around - s0.pages_around);
	res_field(s, "minflt", u1.ru_minflt - u0.ru_minflt);
	res_field(s, "majflt", u1.ru_majflt - u0.ru_majflt);
	if (!ok)
		return -1;
	if (s->json) {
		j_command("touch", true);
		mt_json_hex(&json_out, "addr", addr);
		mt_json_uint(&json_out, "pages", pages);
		mt_json_str(&json_out, "access", write ? "write" : "read");
		mt_json_uint(&json_out, "faults", s1.faults - s0.faults);
		mt_json_uint(&json_out, "pages_around",
			     s1.pages_around - s0.pages_around);
		mt_json_uint(&json_out, "minflt", u1.ru_minflt - u0.ru_minflt);
		mt_json_uint(&json_out, "majflt", u1.ru_majflt - u0.ru_majflt);
		j_end_line();
		return 0;
	}
	printf("touch 0x%llx: %s %llu page%s: %llu fault%s served by the module (->fault), %llu page%s mapped by fault-around (->map_pages); the process took %ld minor, %ld major faults\n",
	       (unsigned long long)addr, write ? "wrote" : "read",
	       (unsigned long long)pages, pages == 1 ? "" : "s",
	       (unsigned long long)(s1.faults - s0.faults),
	       s1.faults - s0.faults == 1 ? "" : "s",
	       (unsigned long long)(s1.pages_around - s0.pages_around),
	       s1.pages_around - s0.pages_around == 1 ? "" : "s",
	       u1.ru_minflt - u0.ru_minflt, u1.ru_majflt - u0.ru_majflt);
	if (!stats)
		printf("  (no module counters: the device is not open)\n");
	return 0;
}

/* memcpy() through a mapping; a fault is one error line, not a crash. */
static int s_copy(struct session *s, const char *what, void *dst,
		  const void *src, size_t n)
{
	char msg[256];
	int ret = copy_or_describe(dst, src, n, what,
				   "not mapped, or prot does not allow it",
				   msg, sizeof(msg));

	if (ret)
		s_err(s, "%s", msg);
	return ret;
}

/* read ADDR [LEN]: bytes through a mapping, as text up to a NUL. */
int s_read(struct session *s, int argc, char **argv)
{
	unsigned char buf[4097];
	__u64 addr, len = 64, i;
	char text[4097 * 4];
	size_t o = 0;

	if (argc < 2 || argc > 3) {
		s_err(s, "read: usage: read ADDR [LEN] (LEN up to 4096, default 64)");
		return -1;
	}
	if (num_arg(s, "read", "ADDR", argv[1], &addr) ||
	    (argc == 3 && num_arg(s, "read", "LEN", argv[2], &len)))
		return -1;
	if (!len || len > 4096) {
		s_err(s, "read: LEN must be 1 to 4096, not %llu",
		      (unsigned long long)len);
		return -1;
	}
	if (s_copy(s, "read", buf, (void *)(uintptr_t)addr, len))
		return -1;
	for (i = 0; i < len && buf[i]; i++)
		o += snprintf(text + o, sizeof(text) - o,
			      buf[i] >= 0x20 && buf[i] < 0x7f && buf[i] != '"' &&
			      buf[i] != '\\' ? "%c" : "\\x%02x", buf[i]);
	text[o] = '\0';
	res_reset(s, buf[0]);
	res_field(s, "byte", buf[0]);
	res_field(s, "len", i);
	if (s->json) {
		j_command("read", true);
		mt_json_hex(&json_out, "addr", addr);
		mt_json_str(&json_out, "text", text);
		mt_json_uint(&json_out, "first_byte", buf[0]);
		j_end_line();
	} else {
		printf("0x%llx: \"%s\"%s\n", (unsigned long long)addr, text,
		       i < len ? "" : " (no NUL)");
	}
	return 0;
}

/* write ADDR TEXT...: TEXT and a NUL through a mapping. */
int s_write(struct session *s, int argc, char **argv)
{
	char text[S_LINE];
	size_t o = 0;
	__u64 addr;
	int i;

	if (argc < 3) {
		s_err(s, "write: usage: write ADDR TEXT");
		return -1;
	}
	if (num_arg(s, "write", "ADDR", argv[1], &addr))
		return -1;
	text[0] = '\0';
	for (i = 2; i < argc; i++)
		o += snprintf(text + o, sizeof(text) - o, "%s%s", i > 2 ? " " :
			      "", argv[i]);
	if (s_copy(s, "write", (void *)(uintptr_t)addr, text, o + 1))
		return -1;
	res_reset(s, o + 1);
	if (s->json) {
		j_command("write", true);
		mt_json_hex(&json_out, "addr", addr);
		mt_json_str(&json_out, "text", text);
		j_end_line();
	} else {
		printf("wrote \"%s\" at 0x%llx\n", text, (unsigned long long)addr);
	}
	return 0;
}

static const struct {
	const char *name;
	int advice;
} advices[] = {
	{ "normal", MADV_NORMAL }, { "random", MADV_RANDOM },
	{ "sequential", MADV_SEQUENTIAL }, { "willneed", MADV_WILLNEED },
	{ "dontneed", MADV_DONTNEED }, { "free", 8 }, { "remove", 9 },
	{ "dontfork", 10 }, { "dofork", 11 }, { "mergeable", 12 },
	{ "unmergeable", 13 }, { "hugepage", 14 }, { "nohugepage", 15 },
	{ "dontdump", 16 }, { "dodump", 17 }, { "wipeonfork", 18 },
	{ "keeponfork", 19 }, { "cold", 20 }, { "pageout", 21 },
	{ "populate_read", 22 }, { "populate_write", 23 },
};

/* A syscall's result: printed, kept in $errno. */
static int s_sys_done(struct session *s, const char *what, long ret, int err)
{
	s->last_errno = ret < 0 ? err : 0;
	res_field(s, "errno", s->last_errno);
	if (s->json) {
		j_command(what, ret >= 0);
		mt_json_str(&json_out, "errno_name",
			    ret < 0 ? mt_errno_name(err) : NULL);
		if (ret >= 0)
			mt_json_hex(&json_out, "result", ret);
		j_end_line();
	} else if (ret < 0) {
		fflush(stdout);
		fprintf(stderr, "%s failed: %s (%s)\n", what, mt_errno_name(err),
			strerror(err));
	} else {
		printf("%s: ok\n", what);
	}
	return ret < 0 ? 1 : 0;
}

/* CMD ADDR LEN ARG: the usage line unless there are three arguments. */
static int range_args(struct session *s, int argc, char **argv,
		      const char *cmd, const char *usage, __u64 *addr,
		      __u64 *len)
{
	if (argc != 4) {
		s_err(s, "%s: usage: %s", cmd, usage);
		return -1;
	}
	return num_arg(s, cmd, "ADDR", argv[1], addr) ||
	       num_arg(s, cmd, "LEN", argv[2], len) ? -1 : 0;
}

int s_madvise(struct session *s, int argc, char **argv)
{
	__u64 addr, len, v;
	size_t i;
	int adv = -1;
	long ret;

	if (range_args(s, argc, argv, "madvise",
		       "madvise ADDR LEN ADVICE (dontneed, willneed, ..., or a number)",
		       &addr, &len))
		return -1;
	for (i = 0; i < MT_ARRAY_SIZE(advices); i++)
		if (!strcasecmp(argv[3], advices[i].name))
			adv = advices[i].advice;
	if (adv < 0 && !parse_u64(argv[3], &v, 0) && v < 1000)
		adv = v;
	if (adv < 0) {
		s_err(s, "madvise: unknown advice '%s'", argv[3]);
		return -1;
	}
	ret = madvise((void *)(uintptr_t)addr, len, adv);
	res_reset(s, ret);
	return s_sys_done(s, "madvise", ret, errno);
}

int s_mprotect(struct session *s, int argc, char **argv)
{
	__u64 addr, len;
	__u32 prot;
	long ret;

	if (range_args(s, argc, argv, "mprotect",
		       "mprotect ADDR LEN PROT (r, rw, rwx, none)", &addr, &len))
		return -1;
	if (parse_prot(argv[3], &prot)) {
		s_err(s, "mprotect: bad prot '%s' (r, w, x combinations or none)",
		      argv[3]);
		return -1;
	}
	ret = mprotect((void *)(uintptr_t)addr, len, prot);
	res_reset(s, ret);
	return s_sys_done(s, "mprotect", ret, errno);
}

/* mremap ADDR OLDLEN NEWLEN [maymove] [fixed NEWADDR] */
int s_mremap(struct session *s, int argc, char **argv)
{
	__u64 addr, oldlen, newlen, newaddr = 0;
	int i, flags = 0, err;
	void *p;

	if (argc < 4) {
		s_err(s, "mremap: usage: mremap ADDR OLDLEN NEWLEN [maymove] [fixed NEWADDR]");
		return -1;
	}
	if (num_arg(s, "mremap", "ADDR", argv[1], &addr) ||
	    num_arg(s, "mremap", "OLDLEN", argv[2], &oldlen) ||
	    num_arg(s, "mremap", "NEWLEN", argv[3], &newlen))
		return -1;
	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "maymove")) {
			flags |= MREMAP_MAYMOVE;
		} else if (!strcmp(argv[i], "fixed")) {
			if (num_arg(s, "mremap", "NEWADDR",
				    i + 1 < argc ? argv[i + 1] : NULL, &newaddr))
				return -1;
			flags |= MREMAP_FIXED | MREMAP_MAYMOVE;
			i++;
		} else {
			s_err(s, "mremap: unknown word '%s' (maymove, fixed NEWADDR)",
			      argv[i]);
			return -1;
		}
	}
	p = mremap((void *)(uintptr_t)addr, oldlen, newlen, flags,
		   (void *)(uintptr_t)newaddr);
	err = errno;
	res_reset(s, p == MAP_FAILED ? 0 : (uintptr_t)p);
	if (p != MAP_FAILED && !s->json)
		printf("mremap: now at 0x%llx\n", (unsigned long long)(uintptr_t)p);
	return s_sys_done(s, "mremap", p == MAP_FAILED ? -1 : 0, err);
}

/*
 * After "fork": what does the parent see where each "write ADDR TEXT" of
 * the child wrote?  The number of writes where it sees TEXT; all the
 * writes it could read back in @writes.
 */
static int fork_read_back(struct session *s, int argc, char **argv,
			  int *writes)
{
	char buf[S_LINE];
	int i, seen = 0;
	__u64 addr;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "write") || (i > 1 && strcmp(argv[i - 1], ";")))
			continue;
		if (i + 2 >= argc || eval(s, argv[i + 1], &addr))
			continue;
		buf[0] = '\0';
		if (s_copy(s, "fork: the parent's read", buf,
			   (void *)(uintptr_t)addr, strlen(argv[i + 2]) + 1))
			continue;
		buf[strlen(argv[i + 2])] = '\0';
		(*writes)++;
		if (!strcmp(buf, argv[i + 2]))
			seen++;
		if (!s->json)
			printf("fork: the parent sees \"%s\" at 0x%llx: the child's write is %s\n",
			       buf, (unsigned long long)addr,
			       !strcmp(buf, argv[i + 2]) ?
			       "visible (the page is shared)" :
			       "not visible (the child wrote its own copy: COW)");
	}
	return seen;
}

/*
 * fork CMD [; CMD]...: the commands run in a child; afterwards the parent
 * reads back what each "write" of the child wrote.
 */
int s_fork(struct session *s, int argc, char **argv)
{
	int i, start, status, seen, writes = 0, code;
	pid_t pid;

	if (argc < 2) {
		s_err(s, "fork: usage: fork CMD [; CMD]... (e.g. fork write $a child)");
		return -1;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "fork") || !strcmp(argv[i], "require") ||
		    !strcmp(argv[i], "quit") || !strcmp(argv[i], "exit")) {
			s_err(s, "fork: '%s' cannot run in the child", argv[i]);
			return -1;
		}
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		s_err(s, "fork: %s", strerror(errno));
		return -1;
	}
	if (!pid) {
		s->in_child = true;
		s->errors = 0;
		for (start = i = 1; i <= argc; i++) {
			if (i < argc && strcmp(argv[i], ";"))
				continue;
			if (i > start && s_dispatch(s, i - start, argv + start))
				s->errors++;
			start = i + 1;
		}
		fflush(stdout);
		_exit(s->errors ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		s_err(s, "fork: waitpid: %s", strerror(errno));
		return -1;
	}
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (!s->json)
		printf("fork: child %d exited %d\n", (int)pid, code);
	seen = fork_read_back(s, argc, argv, &writes);
	res_reset(s, code);
	res_field(s, "status", code);
	res_field(s, "writes", writes);
	res_field(s, "visible", seen);
	if (s->json) {
		j_command("fork", !code);
		mt_json_uint(&json_out, "pid", pid);
		mt_json_uint(&json_out, "status", code);
		mt_json_uint(&json_out, "writes", writes);
		mt_json_uint(&json_out, "visible", seen);
		j_end_line();
	}
	return code ? 1 : 0;
}

/* hint [LEN]: an address where LEN bytes are free now. */
int s_hint(struct session *s, int argc, char **argv)
{
	__u64 len = s->c->page;
	void *p;

	if (argc > 2) {
		s_err(s, "hint: usage: hint [LEN]");
		return -1;
	}
	if (argc == 2 && num_arg(s, "hint", "LEN", argv[1], &len))
		return -1;
	p = mt_mem_find_hole(len);
	if (!p) {
		s_err(s, "hint: no free range of 0x%llx bytes: %s",
		      (unsigned long long)len, mt_errno_name(errno));
		return -1;
	}
	res_reset(s, (uintptr_t)p);
	res_field(s, "len", len);
	if (s->json) {
		j_command("hint", true);
		mt_json_hex(&json_out, "addr", (uintptr_t)p);
		mt_json_hex(&json_out, "len", len);
		j_end_line();
	} else {
		printf("hint: 0x%llx is free for 0x%llx bytes (where a hint-less mmap(2) put it; now unmapped)\n",
		       (unsigned long long)(uintptr_t)p, (unsigned long long)len);
	}
	return 0;
}

/* place: TASK_SIZE, the window, the layout, the stack and mmap's top. */
int s_place(struct session *s, int argc, char **argv)
{
	static struct mt_maps_entry v[512];
	bool exact;
	__u64 task_size = mt_mem_task_size(&exact);
	__u64 stk0 = 0, stk1 = 0, top = 0, heap = 0;
	char why[160];
	bool down = layout_topdown(why, sizeof(why));
	int i, n;

	if (argc > 1) {
		s_err(s, "place takes no arguments");
		return -1;
	}
	stack_range(&stk0, &stk1);
	n = mt_maps_read(0, v, 512, 0);
	for (i = 0; i < n; i++)		/* the brk heap is below mmap's area */
		if (!strcmp(v[i].path, "[heap]"))
			heap = v[i].end;
	for (i = 0; i < n; i++)
		if (v[i].start >= heap && v[i].end <= stk0 && v[i].end > top &&
		    strcmp(v[i].path, "[heap]"))
			top = v[i].end;
	res_reset(s, top);
	res_field(s, "task_size", task_size);
	res_field(s, "window", MAP_WINDOW_END);
	res_field(s, "topdown", down);
	res_field(s, "stack_start", stk0);
	res_field(s, "stack_end", stk1);
	res_field(s, "mmap_top", top);
	if (s->json) {
		j_command("place", true);
		mt_json_hex(&json_out, "task_size", task_size);
		mt_json_bool(&json_out, "task_size_measured", exact);
		mt_json_hex(&json_out, "window", MAP_WINDOW_END);
		mt_json_str(&json_out, "layout", why);
		mt_json_hex(&json_out, "stack_start", stk0);
		mt_json_hex(&json_out, "stack_end", stk1);
		mt_json_hex(&json_out, "mmap_top", top);
		j_end_line();
		return 0;
	}
	printf("TASK_SIZE    0x%llx (%s): user addresses end there\n",
	       (unsigned long long)task_size, exact ? "measured with MAP_FIXED_NOREPLACE" :
	       "estimated");
	printf("window       0x%llx (2^%d): no mapping goes above it without a hint above it%s\n",
	       (unsigned long long)MAP_WINDOW_END, MAP_WINDOW_BITS,
	       task_size > MAP_WINDOW_END ? "" : " (here TASK_SIZE is not above it)");
	printf("layout       %s\n", why);
	printf("stack        [0x%llx,0x%llx)\n", (unsigned long long)stk0,
	       (unsigned long long)stk1);
	if (top)
		printf("mmap top     0x%llx: the end of the highest mapping between the heap and the stack; hint-less mappings go down from mmap_base, at or above it\n",
		       (unsigned long long)top);
	else
		printf("mmap top     none: nothing is mapped between the heap and the stack yet; the first hint-less mapping goes right below mmap_base\n");
	return 0;
}
