// SPDX-License-Identifier: GPL-2.0
/*
 * test-mmap - drive /dev/mmap-test from userspace after "insmod mmap_test.ko"
 *
 * Usage: test-mmap [options] [run|alloc|free|query|stats|hold|tour]
 *        test-mmap [options] -i | script FILE|-
 *
 *   (none), run  the reference run of the original arm64 report: ALLOC_VMA
 *		  4 shared pages at a fixed address (0xffff95010000 on arm64,
 *		  0x7f0095010000 elsewhere), explain find_vma()'s verdict, read
 *		  the kernel's greeting through the mapping, write a message,
 *		  check read() sees it, write/read every page, FREE_VMA and
 *		  check the range is gone.  Exit 0 if every step succeeded.
 *   alloc	  one ALLOC_VMA with the given fields; print the result and
 *		  the find_vma() verdict.  The mapping lives until exit.
 *   free	  one FREE_VMA of --addr/--len (default len: one page).
 *   query	  one QUERY_VMA of --addr; print the full report.
 *   stats	  one GET_STATS; print every counter.
 *   hold	  map the device shared (--len, default one page), touch it,
 *		  close the fd, print "holding 0x<addr>", then wait for EOF on
 *		  stdin or SIGTERM/SIGINT (only the signals with --until-signal).
 *		  Note: a shell gives background jobs /dev/null as stdin.
 *   tour	  a guided sequence of 11 steps (find_vma on a gap, hint,
 *		  fixed vs fixed-noreplace, merge, split, the four mapping
 *		  kinds, populate, fault-around, placement, the window, the
 *		  call chain of the driver's mmap hook); each explains what
 *		  the module reported and checks it.  Exit 1 if a step
 *		  failed, 0 otherwise (a skipped step is neither).  Steps 9
 *		  and 10: placement (top-down from mmap_base, a hint honoured
 *		  then moved) and the default mmap window (a hint above 47/48
 *		  bits; skipped where TASK_SIZE is not above it).  Step 11:
 *		  the stacks of the mmap hook (dump_stack=1; needs root).
 *   -i		  the lab bench, interactive: one process and one address
 *		  space for many commands (alloc, free, query, stats, maps,
 *		  touch, read, write, madvise, mprotect, mremap, fork, hint,
 *		  place, echo, expect, require, if, help); "$a = alloc ..."
 *		  keeps results.  Line editing and history on a terminal.
 *   script F	  the same commands from file F (- for stdin), for example
 *		  examples/merge.  Exit 1 if a line failed (an error, a failed
 *		  command or expect), 4 if "require" skipped the rest, else 0.
 *
 * Options (numbers in C syntax: 0x.., 0.., decimal; --len also takes the
 * suffixes p (pages), k, m, g):
 *   --addr A  --len L  --pgoff P  --prot r|w|x combos|none|number
 *   --shared --private --fixed --fixed-noreplace --hint --populate --anon
 *   --reserved N     put N in the (first) reserved field
 *   --raw-flags F    send exactly F as flags, ignoring the flag options
 *   --device PATH    default /dev/mmap-test
 *   --rdonly         open the device O_RDONLY instead of O_RDWR
 *   --expect ERRNO   alloc/free/query/stats: exit 0 iff the ioctl failed
 *                    with ERRNO (a name such as EEXIST, or 0 for success)
 *   --until-signal   hold: ignore stdin, wait for SIGTERM/SIGINT only
 *   --json           print JSON instead of text (on stdout, also on
 *                    failure; addresses as "0x.." strings):
 *                    alloc/free/query/stats/run: one JSON object ("run"
 *                    has "result": "PASS"|"FAIL");
 *                    hold: {"request":"hold","ok":true,"holding":"0x..",..}
 *                    once mapped (on failure the ALLOC_VMA error object);
 *                    tour: JSON lines, exactly one object per step, one
 *                    line each, nothing else on stdout:
 *                    {"step":N,"name":"..","verdict":"pass"|"fail"|"skip",
 *                     <key numbers of the step>,"failure":".."|null,
 *                     "note":".."|null}
 *   --help
 *
 * Exit status: 0 success, 1 failure, 2 usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <linux/mmap_test.h>
#include "mmap_test_util.h"

#if defined(__aarch64__)
#define DEFAULT_ADDR	0xffff95010000ULL	/* the original report */
#elif __SIZEOF_LONG__ == 8
#define DEFAULT_ADDR	0x7f0095010000ULL	/* below x86_64's 47-bit top */
#else
#define DEFAULT_ADDR	0x95010000ULL
#endif
#define DEFAULT_PAGES	4
#define FIXED_ANY	(MMAP_TEST_FIXED | MMAP_TEST_FIXED_NOREPLACE)
#define TOUR_STEPS	12
#define USER_MESSAGE	"Hello from *user* this is file: mmap-test"

enum cmd {
	CMD_RUN, CMD_ALLOC, CMD_FREE, CMD_QUERY, CMD_STATS, CMD_HOLD, CMD_TOUR,
	CMD_SCRIPT, CMD_INTERACTIVE
};
enum req { REQ_ALLOC, REQ_FREE, REQ_QUERY, REQ_STATS, REQ_OPEN };

struct opts {
	enum cmd cmd;
	const char *device;
	const char *script;	/* script FILE|- */
	__u64 addr, len, pgoff, reserved;
	__u32 prot, raw_flags;
	__u32 share;		/* SHARED/PRIVATE bits given */
	__u32 place;		/* FIXED/FIXED_NOREPLACE bits given */
	bool addr_set, len_set, prot_set, raw_flags_set, hint;
	bool populate, anon, rdonly, until_signal, expect_set, json;
	int expect;
};

struct ctx {
	const struct opts *o;
	int fd;
	unsigned long page;
	__u64 buffer_pages;	/* 0: unknown */
};

static const char * const req_name[] = {
	[REQ_ALLOC] = "ALLOC_VMA", [REQ_FREE] = "FREE_VMA",
	[REQ_QUERY] = "QUERY_VMA", [REQ_STATS] = "GET_STATS",
	[REQ_OPEN] = "open",
};

/* ---- numbers and options ---------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: test-mmap [options] [run|alloc|free|query|stats|hold|tour]\n"
"       test-mmap [options] -i | script FILE|-\n"
"  (none)/run  reference run: map 4 shared pages at a fixed address, explain\n"
"              find_vma(), read/write through the mapping and read(), free\n"
"  alloc       one ALLOC_VMA with the given fields (mapped until exit)\n"
"  free        one FREE_VMA of --addr/--len\n"
"  query       one QUERY_VMA of --addr, full report\n"
"  stats       one GET_STATS\n"
"  hold        map the device, close it, print \"holding 0x..\", wait for\n"
"              EOF on stdin or SIGTERM/SIGINT\n"
"  tour        11 guided steps: what the kernel decided and why, each checked;\n"
"              exit 1 if a step failed (skipped steps are not passes)\n"
"  -i          lab bench: commands in one process and address space ('help')\n"
"  script F    the lab bench's commands from file F (- for stdin); exit 1 if a\n"
"              line failed, 4 if 'require' skipped the rest\n"
"options:\n"
"  --addr A --len L[p|k|m|g] --pgoff P --prot rwx|none|N\n"
"  --shared --private --fixed --fixed-noreplace --hint --populate --anon\n"
"  --reserved N --raw-flags F --device PATH --rdonly\n"
"  --expect ERRNO|0 (alloc/free/query/stats)\n"
"  --json      JSON on stdout: one object (run, alloc, free, query, stats;\n"
"              hold: {\"request\":\"hold\",\"ok\":true,\"holding\":\"0x..\"});\n"
"              tour: one line per step, each an object\n"
"              {\"step\":N,\"name\":..,\"verdict\":\"pass\"|\"fail\"|\"skip\",\n"
"              <key numbers>,\"failure\":..|null,\"note\":..|null}\n"
"  --until-signal (hold) --help\n");
}

static int parse_u64(const char *s, __u64 *v, unsigned long page)
{
	unsigned long long n, mult = 1;
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return -1;
	n = strtoull(s, &end, 0);
	if (errno)
		return -1;
	if (page && *end) {
		switch (*end++ | 0x20) {	/* lower case */
		case 'p':
			mult = page;
			break;
		case 'k':
			mult = 1ULL << 10;
			break;
		case 'm':
			mult = 1ULL << 20;
			break;
		case 'g':
			mult = 1ULL << 30;
			break;
		default:
			return -1;
		}
		if (n > ~0ULL / mult)
			return -1;
	}
	if (*end)
		return -1;
	*v = n * mult;
	return 0;
}

static int parse_prot(const char *s, __u32 *prot)
{
	__u64 v;

	*prot = 0;
	if (!strcmp(s, "none"))
		return 0;
	if (!parse_u64(s, &v, 0)) {
		if (v > 0xffffffffULL)
			return -1;
		*prot = v;
		return 0;
	}
	for (; *s; s++) {
		if (*s == 'r')
			*prot |= PROT_READ;
		else if (*s == 'w')
			*prot |= PROT_WRITE;
		else if (*s == 'x')
			*prot |= PROT_EXEC;
		else if (*s != '-')
			return -1;
	}
	return 0;
}

static int parse_errno(const char *s, int *e)
{
	__u64 v;
	int i;

	if (!parse_u64(s, &v, 0) && v < 4096) {
		*e = v;
		return 0;
	}
	for (i = 1; i < 4096; i++) {
		if (!strcasecmp(s, mt_errno_name(i))) {
			*e = i;
			return 0;
		}
	}
	return -1;
}

enum {
	OPT_ADDR = 256, OPT_LEN, OPT_PGOFF, OPT_PROT, OPT_SHARED, OPT_PRIVATE,
	OPT_FIXED, OPT_NOREPLACE, OPT_HINT, OPT_POPULATE, OPT_ANON,
	OPT_RESERVED, OPT_RAW, OPT_DEVICE, OPT_RDONLY, OPT_EXPECT,
	OPT_UNTIL_SIGNAL, OPT_JSON,
};

static const struct option long_opts[] = {
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "len", required_argument, NULL, OPT_LEN },
	{ "pgoff", required_argument, NULL, OPT_PGOFF },
	{ "prot", required_argument, NULL, OPT_PROT },
	{ "shared", no_argument, NULL, OPT_SHARED },
	{ "private", no_argument, NULL, OPT_PRIVATE },
	{ "fixed", no_argument, NULL, OPT_FIXED },
	{ "fixed-noreplace", no_argument, NULL, OPT_NOREPLACE },
	{ "hint", no_argument, NULL, OPT_HINT },
	{ "populate", no_argument, NULL, OPT_POPULATE },
	{ "anon", no_argument, NULL, OPT_ANON },
	{ "reserved", required_argument, NULL, OPT_RESERVED },
	{ "raw-flags", required_argument, NULL, OPT_RAW },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "rdonly", no_argument, NULL, OPT_RDONLY },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "until-signal", no_argument, NULL, OPT_UNTIL_SIGNAL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Errors of the command line, and of a session line ("FILE:LINE: error"):
 * printed as one line on stderr, and kept for a session's JSON object.
 */
static char err_prefix[300] = "test-mmap";
static char last_err[512];

static void __attribute__((format(printf, 1, 2))) errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_err, sizeof(last_err), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", err_prefix, last_err);
}

static int bad_value(const char *opt, const char *val)
{
	errmsg("invalid value for --%s: '%s'", opt, val);
	return -1;
}

static int parse_opt(struct opts *o, int c, const char *arg,
		     unsigned long page)
{
	__u64 v;

	switch (c) {
	case OPT_ADDR:
		o->addr_set = true;
		return parse_u64(arg, &o->addr, 0) ? bad_value("addr", arg) : 0;
	case OPT_LEN:
		o->len_set = true;
		return parse_u64(arg, &o->len, page) ? bad_value("len", arg) : 0;
	case OPT_PGOFF:
		return parse_u64(arg, &o->pgoff, 0) ? bad_value("pgoff", arg) : 0;
	case OPT_PROT:
		o->prot_set = true;
		return parse_prot(arg, &o->prot) ? bad_value("prot", arg) : 0;
	case OPT_RESERVED:
		return parse_u64(arg, &o->reserved, 0) ?
			bad_value("reserved", arg) : 0;
	case OPT_RAW:
		o->raw_flags_set = true;
		if (parse_u64(arg, &v, 0) || v > 0xffffffffULL)
			return bad_value("raw-flags", arg);
		o->raw_flags = v;
		return 0;
	case OPT_EXPECT:
		o->expect_set = true;
		return parse_errno(arg, &o->expect) ? bad_value("expect", arg) : 0;
	case OPT_SHARED:
		o->share |= MMAP_TEST_SHARED;
		return 0;
	case OPT_PRIVATE:
		o->share |= MMAP_TEST_PRIVATE;
		return 0;
	case OPT_FIXED:
		o->place |= MMAP_TEST_FIXED;
		return 0;
	case OPT_NOREPLACE:
		o->place |= MMAP_TEST_FIXED_NOREPLACE;
		return 0;
	case OPT_HINT:
		o->hint = true;
		return 0;
	case OPT_POPULATE:
		o->populate = true;
		return 0;
	case OPT_ANON:
		o->anon = true;
		return 0;
	case OPT_DEVICE:
		o->device = arg;
		return 0;
	case OPT_RDONLY:
		o->rdonly = true;
		return 0;
	case OPT_UNTIL_SIGNAL:
		o->until_signal = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	}
	return -1;
}

static int parse_cmd(struct opts *o, const char *word)
{
	static const char * const names[] = {
		[CMD_RUN] = "run", [CMD_ALLOC] = "alloc", [CMD_FREE] = "free",
		[CMD_QUERY] = "query", [CMD_STATS] = "stats", [CMD_HOLD] = "hold",
		[CMD_TOUR] = "tour", [CMD_SCRIPT] = "script",
	};
	size_t i;

	for (i = 0; i < MT_ARRAY_SIZE(names); i++) {
		if (!strcmp(word, names[i])) {
			o->cmd = i;
			return 0;
		}
	}
	fprintf(stderr, "test-mmap: unknown subcommand '%s'\n", word);
	return -1;
}

static int parse_args(struct opts *o, int argc, char **argv,
		      unsigned long page)
{
	int c;

	o->device = MMAP_TEST_DEVICE;
	o->prot = PROT_READ | PROT_WRITE;
	while ((c = getopt_long(argc, argv, "hi", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == 'i') {
			o->cmd = CMD_INTERACTIVE;
			continue;
		}
		if (c == '?' || parse_opt(o, c, optarg, page))
			return -1;
	}
	if (optind < argc && o->cmd == CMD_INTERACTIVE) {
		fprintf(stderr, "test-mmap: -i takes no subcommand ('%s')\n",
			argv[optind]);
		return -1;
	}
	if (optind < argc && parse_cmd(o, argv[optind++]))
		return -1;
	if (o->cmd == CMD_SCRIPT) {
		if (optind >= argc) {
			fprintf(stderr, "test-mmap: script needs a FILE (or - for stdin)\n");
			return -1;
		}
		o->script = argv[optind++];
	}
	if (optind < argc) {
		fprintf(stderr, "test-mmap: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (o->expect_set &&
	    (o->cmd == CMD_RUN || o->cmd == CMD_HOLD || o->cmd == CMD_TOUR ||
	     o->cmd >= CMD_SCRIPT)) {
		fprintf(stderr, "test-mmap: --expect needs alloc, free, query or stats\n");
		return -1;
	}
	return 0;
}

/* ---- facts about this machine ----------------------------------------- */

struct task_top {
	__u64 end;		/* first address above user space */
	bool exact;		/* false: an estimate from /proc/self/maps */
};

/* End of the highest mapping of this process, [vsyscall] excepted. */
static __u64 highest_mapping_end(void)
{
	unsigned long long start, end, top = 0;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "[vsyscall]"))
			continue;
		if (sscanf(line, "%llx-%llx", &start, &end) == 2 && end > top)
			top = end;
	}
	fclose(f);
	return top;
}

/*
 * Is the page at @addr inside user space?  A one-page MAP_FIXED_NOREPLACE
 * mmap(2) there gets ENOMEM only when it ends above TASK_SIZE (EEXIST: it
 * is inside, and in use).
 */
static bool user_page(__u64 addr, unsigned long page)
{
	void *p = mmap((void *)(uintptr_t)addr, page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == MAP_FAILED)
		return errno == EEXIST;
	munmap(p, page);
	return (uintptr_t)p == addr;	/* not a kernel that took a hint */
}

/*
 * TASK_SIZE of this process, measured: user space ends at 2^bits or 2^bits
 * minus a page (x86_64: 2^47 - 4K with 4-level paging, 2^56 - 4K with
 * 5-level paging; arm64: 2^VA_BITS), so probe the last two pages below
 * each power of two, from 2^57 down.  Cached: it does not change.
 */
static struct task_top task_top(void)
{
	static struct task_top t;
	static bool done;
	unsigned long page = sysconf(_SC_PAGESIZE);
	__u64 end;
	int bits;

	if (done)
		return t;
	done = true;
	for (bits = 57; bits >= 32; bits--) {
		end = 1ULL << bits;
		if (!user_page(end - 2 * page, page))
			continue;
		t.end = user_page(end - page, page) ? end : end - page;
		t.exact = true;
		return t;
	}
	/* No probe worked: round the highest mapping up to a power of two. */
	end = highest_mapping_end();
	if (!end)
		return t;
	t.end = 1;
	while (t.end < end && t.end < (1ULL << 63))
		t.end <<= 1;
	return t;
}

static unsigned long long read_sysctl(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* ---- why did it fail? --------------------------------------------------- */

static __u64 page_align(__u64 len, unsigned long page)
{
	return (len + page - 1) & ~(__u64)(page - 1);
}

static void explain_enomem(const struct ctx *c, const struct mmap_test_alloc *a,
			   char *buf, size_t n)
{
	struct task_top t = task_top();
	__u64 len = page_align(a->len, c->page);
	bool fixed = a->flags & FIXED_ANY;
	unsigned long long max_maps;

	if (!len || (t.end && t.exact && len > t.end)) {
		snprintf(buf, n, "len exceeds the address space");
	} else if (fixed && t.end && (a->addr >= t.end || len > t.end - a->addr)) {
		snprintf(buf, n, "0x%llx%s%.0llx is %sabove TASK_SIZE on this machine: user addresses %send at 0x%llx%s",
			 (unsigned long long)a->addr,
			 a->addr < t.end ? " + 0x" : "",
			 a->addr < t.end ? (unsigned long long)len : 0ULL,
			 t.exact ? "" : "likely ", t.exact ? "" : "likely ",
			 (unsigned long long)t.end,
			 t.exact ? "" : " (estimated from the highest mapping in /proc/self/maps)");
	} else if (!t.exact && t.end && len > t.end) {
		snprintf(buf, n, "len likely exceeds the address space (user addresses likely end at 0x%llx)",
			 (unsigned long long)t.end);
	} else {
		max_maps = read_sysctl("/proc/sys/vm/max_map_count");
		if (max_maps && a->before.nr_vmas >= max_maps)
			snprintf(buf, n, "too many mappings: %u >= vm.max_map_count %llu",
				 a->before.nr_vmas, max_maps);
		else
			snprintf(buf, n, "no free range of 0x%llx bytes, or out of memory",
				 (unsigned long long)len);
	}
}

static void explain_alloc_einval(const struct ctx *c,
				 const struct mmap_test_alloc *a,
				 char *buf, size_t n)
{
	__u32 share = a->flags & (MMAP_TEST_SHARED | MMAP_TEST_PRIVATE);
	__u64 len = page_align(a->len, c->page);
	__u64 off = a->pgoff * c->page;
	__u64 pages = len / c->page;

	if (a->reserved[0] || a->reserved[1] || a->reserved[2])
		snprintf(buf, n, "reserved field nonzero");
	else if (a->flags & ~MMAP_TEST_FLAGS_ALL)
		snprintf(buf, n, "unknown flag bits 0x%x",
			 a->flags & ~MMAP_TEST_FLAGS_ALL);
	else if (share != MMAP_TEST_SHARED && share != MMAP_TEST_PRIVATE)
		snprintf(buf, n, "need exactly one of --shared/--private");
	else if (a->prot & ~MT_PROT_VALID)
		snprintf(buf, n, "prot bits that mmap(2) does not know: 0x%x",
			 a->prot & ~MT_PROT_VALID);
	else if (!a->len)
		snprintf(buf, n, "len is 0");
	else if (len && off + len < off)
		snprintf(buf, n, "byte offset pgoff<<PAGE_SHIFT + len overflows");
	else if ((a->flags & FIXED_ANY) &&
		 (a->addr & (c->page - 1)))
		snprintf(buf, n, "fixed address not page aligned");
	else if (!(a->flags & MMAP_TEST_ANON) && c->buffer_pages &&
		 (a->pgoff > c->buffer_pages ||
		  pages > c->buffer_pages - a->pgoff))
		snprintf(buf, n, "range past the end of the %llu-page device buffer",
			 (unsigned long long)c->buffer_pages);
	else if (!(a->flags & MMAP_TEST_ANON) && !c->buffer_pages)
		snprintf(buf, n, "range past the end of the device buffer?");
#ifdef __aarch64__
	else if ((a->prot & PROT_MTE) && !(a->flags & MMAP_TEST_ANON))
		snprintf(buf, n, "PROT_MTE on a device mapping, which cannot hold MTE tags (mmap(2) says EINVAL too)");
#endif
	else
		snprintf(buf, n, "rejected by vm_mmap() or the driver's ->mmap");
}

static void explain_free_einval(const struct ctx *c,
				const struct mmap_test_free *f,
				char *buf, size_t n)
{
	struct task_top t = task_top();
	__u64 len = page_align(f->len, c->page);

	if (f->reserved)
		snprintf(buf, n, "reserved field nonzero");
	else if (f->addr & (c->page - 1))
		snprintf(buf, n, "address not page aligned");
	else if (!f->len)
		snprintf(buf, n, "len is 0");
	else if (!len || f->addr + len < f->addr)
		snprintf(buf, n, "range overflows");
	else if (t.end && (f->addr >= t.end || len > t.end - f->addr))
		snprintf(buf, n, "range %sgoes past TASK_SIZE (0x%llx)",
			 t.exact ? "" : "likely ", (unsigned long long)t.end);
	else
		snprintf(buf, n, "rejected by vm_munmap()");
}

/*
 * The cause table: errno of request @req with argument @arg -> why.
 * Conditions are tested in the order the module and vm_mmap() test them.
 */
static const char *explain_error(const struct ctx *c, enum req req, int err,
				 const void *arg, char *buf, size_t n)
{
	const struct mmap_test_alloc *a = arg;
	const struct mmap_test_query *q = arg;
	const struct mmap_test_vma_report *b;

	buf[0] = '\0';
	switch (err) {
	case EFAULT:
		snprintf(buf, n, "bad argument pointer");
		break;
	case ENOTTY:
		snprintf(buf, n, "unknown ioctl: is %s an mmap-test device?",
			 c->o->device);
		break;
	case ENOENT:
		if (!strcmp(c->o->device, MMAP_TEST_DEVICE))
			snprintf(buf, n, "no such file: is the module loaded? (insmod mmap_test.ko)");
		else
			snprintf(buf, n, "no such file or directory");
		break;
	case ENXIO:
	case ENODEV:
		snprintf(buf, n, "device node without a driver: module not loaded?");
		break;
	case EACCES:
		if (req == REQ_OPEN)
			snprintf(buf, n, "the device is mode 0600: run as root");
		else if (req == REQ_ALLOC && (a->flags & MMAP_TEST_SHARED) &&
			 (a->prot & PROT_WRITE))
			snprintf(buf, n, "shared+PROT_WRITE needs the device opened read-write");
		else
			snprintf(buf, n, "permission denied");
		break;
	case EPERM:
		if (req == REQ_ALLOC && (a->prot & PROT_EXEC))
			snprintf(buf, n, "PROT_EXEC on a file of a noexec mount, or below vm.mmap_min_addr");
		else if (req == REQ_ALLOC)
			snprintf(buf, n, "address below vm.mmap_min_addr (%llu)?",
				 read_sysctl("/proc/sys/vm/mmap_min_addr"));
		else
			snprintf(buf, n, "operation not permitted");
		break;
	case EEXIST:
		b = req == REQ_ALLOC ? &a->before : NULL;
		if (b && b->found)
			snprintf(buf, n, "fixed-noreplace: overlaps [0x%llx,0x%llx)",
				 (unsigned long long)b->vm_start,
				 (unsigned long long)b->vm_end);
		else if (b)
			snprintf(buf, n, "fixed-noreplace: the range is in use");
		break;
	case EOVERFLOW:
		if (req == REQ_ALLOC && a->pgoff > (~0UL / c->page))
			snprintf(buf, n, "pgoff too large");
		else if (req == REQ_ALLOC)
			snprintf(buf, n, "pgoff + len overflows the file offset range");
		break;
	case ENOMEM:
		if (req == REQ_ALLOC)
			explain_enomem(c, a, buf, n);
		break;
	case EINVAL:
		if (req == REQ_ALLOC)
			explain_alloc_einval(c, a, buf, n);
		else if (req == REQ_FREE)
			explain_free_einval(c, arg, buf, n);
		else if (req == REQ_QUERY && q->reserved)
			snprintf(buf, n, "reserved field nonzero");
		break;
	}
	if (!buf[0])
		snprintf(buf, n, "%s", strerror(err));
	return buf;
}

static void report_error(const struct ctx *c, enum req req, int err,
			 const void *arg)
{
	char why[256];

	fprintf(stderr, "%s failed: %s (%s)\n", req_name[req],
		mt_errno_name(err), explain_error(c, req, err, arg, why,
						  sizeof(why)));
}

/* ---- printing (one place, so that a JSON variant is easy to add) ------ */

/* Text output of run and tour; silent when they print JSON instead. */
static bool text_quiet;

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	if (text_quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

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

static void print_verdict(const char *label, const struct mmap_test_vma_report *r)
{
	char line[256];

	mt_explain_report(r, line, sizeof(line));
	say("%s%s\n", label, line);
}

/* One plain-English sentence about a find_vma() report. */
static void explain_sentence(const struct mmap_test_vma_report *r,
			     char *buf, size_t n)
{
	if (!r->found)
		snprintf(buf, n, "no VMA at or above the address: find_vma() returned NULL, so the address was free");
	else if (!r->contains)
		snprintf(buf, n, "find_vma() returned the first VMA ending above the address; it starts 0x%llx higher, so the address itself was free (testing find_vma() != NULL would wrongly say it exists)",
			 (unsigned long long)r->gap);
	else
		snprintf(buf, n, "the address lies inside an existing VMA (%s-backed)",
			 mt_backing_name(r->backing));
}

static void print_sentence(const char *indent,
			   const struct mmap_test_vma_report *r)
{
	char line[256];

	explain_sentence(r, line, sizeof(line));
	say("%s%s\n", indent, line);
}

/* JSON: one object per run, keys in a fixed order. */
static bool j_first;

static void j_key(const char *k)
{
	printf("%s\"%s\":", j_first ? "" : ",", k);
	j_first = false;
}

static void j_begin(const char *k)
{
	if (k)
		j_key(k);
	putchar('{');
	j_first = true;
}

static void j_end(void)
{
	putchar('}');
	j_first = false;
}

static void j_str(const char *k, const char *v)
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

static void j_hex(const char *k, __u64 v)
{
	j_key(k);
	printf("\"0x%llx\"", (unsigned long long)v);
}

static void j_num(const char *k, __u64 v)
{
	j_key(k);
	printf("%llu", (unsigned long long)v);
}

static void j_bool(const char *k, bool v)
{
	j_key(k);
	fputs(v ? "true" : "false", stdout);
}

static void j_report(const char *k, const struct mmap_test_vma_report *r)
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
static void j_result(const struct ctx *c, enum req req, int ret,
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

static void print_report(const struct mmap_test_vma_report *r)
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

#define MT_STAT(f)	{ #f, offsetof(struct mmap_test_stats, f) }
static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
	MT_STAT(faults), MT_STAT(pages_around), MT_STAT(live_vmas),
	MT_STAT(vma_opens), MT_STAT(vma_closes), MT_STAT(pages),
	MT_STAT(buffer_pages), MT_STAT(total_faults), MT_STAT(total_live_vmas),
	MT_STAT(total_pages), MT_STAT(total_files),
};

static unsigned long long stat_value(const struct mmap_test_stats *s,
				     size_t i)
{
	__u64 v;

	memcpy(&v, (const char *)s + stat_fields[i].off, sizeof(v));
	return v;
}

static void print_stats(const struct mmap_test_stats *s)
{
	size_t i;

	printf("GET_STATS:\n");
	for (i = 0; i < MT_ARRAY_SIZE(stat_fields); i++)
		printf("  %-16s %llu\n", stat_fields[i].name, stat_value(s, i));
}

static void j_stats(const struct mmap_test_stats *s)
{
	size_t i;

	j_begin("stats");
	for (i = 0; i < MT_ARRAY_SIZE(stat_fields); i++)
		j_num(stat_fields[i].name, stat_value(s, i));
	j_end();
}

static void print_request(const struct mmap_test_alloc *a)
{
	char flags[128], prot[32];

	mt_format_flags(a->flags, flags, sizeof(flags));
	mt_format_prot(a->prot, prot, sizeof(prot));
	printf("ALLOC_VMA addr 0x%llx len 0x%llx pgoff %llu prot %s flags %s\n",
	       (unsigned long long)a->addr, (unsigned long long)a->len,
	       (unsigned long long)a->pgoff, prot, flags);
}

/* ---- surviving SIGBUS/SIGSEGV while touching a mapping ------------------ */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_armed;
static volatile sig_atomic_t fault_sig;
static void *volatile fault_addr;

static void fault_handler(int sig, siginfo_t *si, void *unused)
{
	if (!fault_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	fault_sig = sig;
	fault_addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

static void install_fault_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* memcpy() that reports a fault on either side instead of dying. */
static int guarded_copy(void *dst, const void *src, size_t n, const char *what)
{
	if (sigsetjmp(fault_jmp, 1)) {
		fault_armed = 0;
		fprintf(stderr, "%s: %s at %p (%s)\n", what,
			fault_sig == SIGBUS ? "SIGBUS" : "SIGSEGV", fault_addr,
			fault_sig == SIGBUS ? "page outside the device buffer?" :
			"no access: prot or mapping gone?");
		return -1;
	}
	fault_armed = 1;
	memcpy(dst, src, n);
	fault_armed = 0;
	return 0;
}

/* ---- the ioctls ------------------------------------------------------- */

static int open_device(struct ctx *c)
{
	char why[256];
	int err;

	c->fd = open(c->o->device, (c->o->rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (c->fd >= 0)
		return 0;
	err = errno;
	fprintf(stderr, "open %s failed: %s (%s)\n", c->o->device,
		mt_errno_name(err),
		explain_error(c, REQ_OPEN, err, NULL, why, sizeof(why)));
	return -err;
}

static int get_stats(struct ctx *c, struct mmap_test_stats *s, bool quiet)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = mt_ioctl(c->fd, IOCTL_GET_STATS, s);
	if (!ret)
		c->buffer_pages = s->buffer_pages;
	else if (!quiet)
		report_error(c, REQ_STATS, -ret, s);
	return ret;
}

static int do_query(const struct ctx *c, __u64 addr, __u64 reserved,
		    struct mmap_test_vma_report *r)
{
	struct mmap_test_query q = { .addr = addr, .reserved = reserved };
	int ret;

	ret = mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q);
	if (ret)
		report_error(c, REQ_QUERY, -ret, &q);
	else
		*r = q.report;
	return ret;
}

static int do_free(const struct ctx *c, __u64 addr, __u64 len,
		   __u64 reserved)
{
	struct mmap_test_free f = {
		.addr = addr, .len = len, .reserved = reserved,
	};
	int ret;

	ret = mt_ioctl(c->fd, IOCTL_FREE_VMA, &f);
	if (ret)
		report_error(c, REQ_FREE, -ret, &f);
	return ret;
}

static __u32 alloc_flags(const struct opts *o, bool fixed_default)
{
	__u32 f;

	if (o->raw_flags_set)
		return o->raw_flags;
	f = o->share ? o->share : MMAP_TEST_SHARED;
	if (o->place)
		f |= o->place;
	else if (fixed_default && !o->hint)
		f |= MMAP_TEST_FIXED_NOREPLACE;
	if (o->populate)
		f |= MMAP_TEST_POPULATE;
	if (o->anon)
		f |= MMAP_TEST_ANON;
	return f;
}

static void init_alloc(const struct ctx *c, struct mmap_test_alloc *a,
		       __u64 addr, __u64 len, bool fixed_default)
{
	const struct opts *o = c->o;

	memset(a, 0, sizeof(*a));
	a->addr = addr;
	a->len = len;
	a->pgoff = o->pgoff;
	a->prot = o->prot;
	a->flags = alloc_flags(o, fixed_default);
	a->reserved[0] = o->reserved;
}

/* Did the kernel copy out the before report?  (not on validation errors) */
static bool before_copied(const struct mmap_test_alloc *a)
{
	return a->before.addr == a->addr && a->before.nr_vmas;
}

static int do_alloc(const struct ctx *c, struct mmap_test_alloc *a)
{
	int ret;

	if (!c->o->json)
		print_request(a);
	ret = mt_ioctl(c->fd, IOCTL_ALLOC_VMA, a);
	if (ret) {
		report_error(c, REQ_ALLOC, -ret, a);
		if (!c->o->json && before_copied(a))
			print_verdict("before: ", &a->before);
	}
	return ret;
}

static int check_expect(const struct opts *o, int ret)
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

/* ---- the reference run -------------------------------------------------- */

struct mapping {
	unsigned char *p;
	__u64 len;		/* page aligned */
	unsigned long pages;
	off_t off;		/* file offset of the first page */
	bool device, shared, readable, writable;
};

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
	if (m->shared) {
		say("read() sees: %s\n", page);
		if (memcmp(page, msg, sizeof(msg))) {
			fprintf(stderr, "read() does not see the shared mapping's change\n");
			return -1;
		}
		say("read() matches the mapping\n");
		return 0;
	}
	say("read() sees: %s\n", page);
	if (memcmp(page, orig, sizeof(orig))) {
		fprintf(stderr, "a private mapping's change reached the file\n");
		return -1;
	}
	say("read() still sees the file's bytes (private copy-on-write)\n");
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
		.len = page_align(a->len, c->page),
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

static int run_steps(struct ctx *c)
{
	const struct opts *o = c->o;
	struct mmap_test_stats s;
	struct mmap_test_alloc a;
	__u64 addr = o->addr_set ? o->addr : DEFAULT_ADDR;
	__u64 len = o->len_set ? o->len : DEFAULT_PAGES * c->page;
	int ret;

	if (get_stats(c, &s, false))
		return -1;
	rec.buffer_pages = s.buffer_pages;
	say("device %s: %llu-page buffer, page size %lu\n", o->device,
	       (unsigned long long)s.buffer_pages, c->page);
	init_alloc(c, &a, addr, len, true);
	if (!o->addr_set && (a.flags & FIXED_ANY) &&
	    check_free(c, addr, page_align(len, c->page)))
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
	char buf[128];

	j_begin(NULL);
	j_str("request", "run");
	j_str("device", c->o->device);
	j_num("page_size", c->page);
	j_num("buffer_pages", rec.buffer_pages);
	if (rec.have_req) {
		j_hex("addr", a->addr);
		j_hex("len", a->len);
		j_num("pgoff", a->pgoff);
		mt_format_prot(a->prot, buf, sizeof(buf));
		j_str("prot", buf);
		mt_format_flags(a->flags, buf, sizeof(buf));
		j_str("flags", buf);
		j_str("alloc_errno_name", rec.alloc_ret ?
		      mt_errno_name(rec.alloc_ret) : NULL);
		j_hex("mapped", a->mapped);
		if (before_copied(a))
			j_report("before", &a->before);
	}
	j_str("kernel_message", rec.kernel_message[0] ?
	      rec.kernel_message : NULL);
	j_str("changed_message", rec.changed_message[0] ?
	      rec.changed_message : NULL);
	j_str("read_sees", rec.read_sees[0] ? rec.read_sees : NULL);
	j_num("write_read_pages_ok", rec.pages_ok);
	j_str("write_read", rec.write_read);
	j_bool("freed", rec.freed);
	if (rec.have_after)
		j_report("after_free", &rec.after);
	if (rec.have_faults)
		j_num("faults", rec.faults);
	j_str("result", ret ? "FAIL" : "PASS");
	j_end();
	putchar('\n');
}

/*
 * The reference run; always ends with "result: PASS" or "result: FAIL"
 * (with --json: one object whose "result" is "PASS" or "FAIL").
 */
static int cmd_run(struct ctx *c)
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

/* ---- the single-request subcommands ------------------------------------ */

/* One ALLOC_VMA from the options, printed (text or JSON); 0 or -errno. */
static int alloc_req(struct ctx *c, struct mmap_test_alloc *a)
{
	const struct opts *o = c->o;
	struct mmap_test_stats s;
	int ret;

	get_stats(c, &s, true);		/* buffer size, for explanations */
	init_alloc(c, a, o->addr, o->len_set ? o->len : DEFAULT_PAGES * c->page,
		   o->addr_set);
	ret = do_alloc(c, a);
	if (o->json) {
		char buf[128];

		j_result(c, REQ_ALLOC, ret, a);
		j_hex("addr", a->addr);
		j_hex("len", a->len);
		j_num("pgoff", a->pgoff);
		mt_format_prot(a->prot, buf, sizeof(buf));
		j_str("prot", buf);
		mt_format_flags(a->flags, buf, sizeof(buf));
		j_str("flags", buf);
		j_hex("mapped", a->mapped);
		if (before_copied(a))
			j_report("before", &a->before);
		j_end();
		putchar('\n');
	} else if (!ret) {
		printf("alloced virt addr : 0x%llx\n",
		       (unsigned long long)a->mapped);
		print_verdict("before: ", &a->before);
		print_sentence("        ", &a->before);
	}
	return ret;
}

static int cmd_alloc(struct ctx *c)
{
	struct mmap_test_alloc a;

	return check_expect(c->o, alloc_req(c, &a));
}

/* One FREE_VMA of --addr/--len, printed (text or JSON); 0 or -errno. */
static int free_req(const struct ctx *c)
{
	const struct opts *o = c->o;
	__u64 len = o->len_set ? o->len : c->page;
	int ret;

	ret = do_free(c, o->addr, len, o->reserved);
	if (o->json) {
		j_result(c, REQ_FREE, ret, &(struct mmap_test_free){
			 .addr = o->addr, .len = len, .reserved = o->reserved });
		j_hex("addr", o->addr);
		j_hex("len", len);
		j_end();
		putchar('\n');
	} else if (!ret) {
		printf("FREE_VMA addr 0x%llx len 0x%llx: ok\n",
		       (unsigned long long)o->addr, (unsigned long long)len);
	}
	return ret;
}

static int cmd_free(struct ctx *c)
{
	if (!c->o->addr_set) {
		fprintf(stderr, "test-mmap: free needs --addr (and --len)\n");
		return 2;
	}
	return check_expect(c->o, free_req(c));
}

/* One QUERY_VMA of --addr, printed (text or JSON); 0 or -errno. */
static int query_req(const struct ctx *c, struct mmap_test_vma_report *r)
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
		j_end();
		putchar('\n');
	} else if (!ret) {
		print_report(r);
	}
	return ret;
}

static int cmd_query(struct ctx *c)
{
	struct mmap_test_vma_report r;

	if (!c->o->addr_set) {
		fprintf(stderr, "test-mmap: query needs --addr\n");
		return 2;
	}
	return check_expect(c->o, query_req(c, &r));
}

/* One GET_STATS, printed (text or JSON); 0 or -errno. */
static int stats_req(struct ctx *c, struct mmap_test_stats *s)
{
	int ret;

	ret = get_stats(c, s, false);
	if (c->o->json) {
		j_result(c, REQ_STATS, ret, s);
		if (!ret)
			j_stats(s);
		j_end();
		putchar('\n');
	} else if (!ret) {
		print_stats(s);
	}
	return ret;
}

static int cmd_stats(struct ctx *c)
{
	struct mmap_test_stats s;

	return check_expect(c->o, stats_req(c, &s));
}

/* ---- tour: a guided sequence of what the kernel decides ----------------- */

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
	int step, passed, failed, skipped;
	const char *name;
	bool fail, skip;
	char failure[256], note[256];
	char keys[2048];	/* JSON members of the current step */
};

static void t_begin(struct tour *t, const char *name, const char *title)
{
	t->step++;
	t->name = name;
	t->fail = t->skip = false;
	t->failure[0] = t->note[0] = t->keys[0] = '\0';
	say("\n== step %d/%d: %s ==\n", t->step, TOUR_STEPS, title);
}

static void t_key(struct tour *t, const char *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void t_key(struct tour *t, const char *k, const char *fmt, ...)
{
	size_t len = strlen(t->keys);
	va_list ap;

	snprintf(t->keys + len, sizeof(t->keys) - len, ",\"%s\":", k);
	len = strlen(t->keys);
	va_start(ap, fmt);
	vsnprintf(t->keys + len, sizeof(t->keys) - len, fmt, ap);
	va_end(ap);
}

static void t_num(struct tour *t, const char *k, long long v)
{
	t_key(t, k, "%lld", v);
}

static void t_hex(struct tour *t, const char *k, __u64 v)
{
	t_key(t, k, "\"0x%llx\"", (unsigned long long)v);
}

static void t_yes(struct tour *t, const char *k, bool v)
{
	t_key(t, k, "%s", v ? "true" : "false");
}

/* A check of the step: prints it; the first failure is kept for JSON. */
static bool t_check(struct tour *t, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool t_check(struct tour *t, bool ok, const char *fmt, ...)
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
static void t_broken(struct tour *t, const char *what, int err)
{
	t_check(t, false, "%s failed: %s", what, mt_errno_name(err));
}

static void t_skip(struct tour *t, const char *why)
{
	t->skip = true;
	snprintf(t->note, sizeof(t->note), "%s", why);
	say("  skipped: %s\n", why);
}

static void t_end(struct tour *t)
{
	const char *v = t->fail ? "fail" : t->skip ? "skip" : "pass";

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
	j_begin(NULL);
	j_num("step", t->step);
	j_str("name", t->name);
	j_str("verdict", v);
	fputs(t->keys, stdout);
	j_str("failure", t->fail ? t->failure : NULL);
	j_str("note", t->note[0] ? t->note : NULL);
	j_end();
	putchar('\n');
}

/* ALLOC_VMA without the printing of do_alloc(); 0 or -errno. */
static int t_alloc(struct tour *t, struct mmap_test_alloc *a, __u64 addr,
		   __u64 pages, __u64 pgoff, __u32 prot, __u32 flags)
{
	memset(a, 0, sizeof(*a));
	a->addr = addr;
	a->len = pages * t->c->page;
	a->pgoff = pgoff;
	a->prot = prot;
	a->flags = flags;
	return mt_ioctl(t->c->fd, IOCTL_ALLOC_VMA, a);
}

static int t_free(struct tour *t, __u64 addr, __u64 pages)
{
	struct mmap_test_free f = { .addr = addr, .len = pages * t->c->page };

	return mt_ioctl(t->c->fd, IOCTL_FREE_VMA, &f);
}

static int t_query(struct tour *t, __u64 addr, struct mmap_test_vma_report *r)
{
	struct mmap_test_query q = { .addr = addr };
	int ret = mt_ioctl(t->c->fd, IOCTL_QUERY_VMA, &q);

	*r = q.report;
	return ret;
}

static int t_stats(struct tour *t, struct mmap_test_stats *s)
{
	memset(s, 0, sizeof(*s));
	return mt_ioctl(t->c->fd, IOCTL_GET_STATS, s);
}

/* A free range of @pages pages (mapped by mmap(2), then unmapped); 0: none. */
static __u64 free_range(struct tour *t, unsigned long pages)
{
	size_t len = pages * t->c->page;
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, len);
	return (uintptr_t)p;
}

static void tour_find_vma(struct tour *t)
{
	unsigned long pg = t->c->page;
	struct mmap_test_vma_report g, in;
	unsigned char *p;
	__u64 hole;
	int ret;

	t_begin(t, "find_vma_gap", "find_vma() on a gap vs inside a VMA");
	p = mmap(NULL, 3 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		t_broken(t, "mmap of 3 PROT_NONE pages", errno);
		goto out;
	}
	munmap(p + pg, pg);
	hole = (uintptr_t)(p + pg);
	say("mmap() gave 3 PROT_NONE pages at 0x%llx; munmap() of the middle one leaves a 1-page hole at 0x%llx.\n",
	    (unsigned long long)(uintptr_t)p, (unsigned long long)hole);
	ret = t_query(t, hole, &g);
	if (!ret)
		ret = t_query(t, (uintptr_t)p, &in);
	if (ret) {
		t_broken(t, "QUERY_VMA", -ret);
		goto unmap;
	}
	say("QUERY of the hole: find_vma() returned [0x%llx,0x%llx): found %s, contains %s, gap 0x%llx (%llu page).\n",
	    (unsigned long long)g.vm_start, (unsigned long long)g.vm_end,
	    g.found ? "yes" : "no", g.contains ? "yes" : "no",
	    (unsigned long long)g.gap, (unsigned long long)(g.gap / pg));
	say("  find_vma() returns the first VMA that ends above the address, so it 'found' the VMA above the hole although the address itself is not mapped: a non-NULL find_vma() does not mean the address is inside it.\n");
	say("QUERY of the first page: [0x%llx,0x%llx) contains %s: the address is inside that VMA.\n",
	    (unsigned long long)in.vm_start, (unsigned long long)in.vm_end,
	    in.contains ? "yes" : "no");
	t_hex(t, "hole", hole);
	t_yes(t, "gap_found", g.found);
	t_yes(t, "gap_contains", g.contains);
	t_num(t, "gap_pages", g.gap / pg);
	t_yes(t, "inside_contains", in.contains);
	t_check(t, g.found && !g.contains && g.gap == pg &&
		g.vm_start == hole + pg,
		"hole: found yes, contains no, gap 1 page, VMA above starts at 0x%llx",
		(unsigned long long)(hole + pg));
	t_check(t, in.found && in.contains, "first page: contains yes");
unmap:
	munmap(p, pg);
	munmap(p + 2 * pg, pg);
out:
	t_end(t);
}

static void tour_hint(struct tour *t)
{
	struct mmap_test_alloc a1, a2;
	__u64 hint;
	int r1, r2;

	t_begin(t, "hint", "a hint honoured vs moved");
	hint = free_range(t, 1);
	if (!hint) {
		t_broken(t, "finding a free page", errno);
		goto out;
	}
	r1 = t_alloc(t, &a1, hint, 1, 0, PROT_READ,
		     MMAP_TEST_SHARED);
	if (r1) {
		t_broken(t, "ALLOC_VMA at a free hint", -r1);
		goto out;
	}
	say("ALLOC 1 device page with hint 0x%llx (no FIXED flag): before it, find_vma(hint) contains %s, so the range was free; mapped at 0x%llx.\n",
	    (unsigned long long)hint, a1.before.contains ? "yes" : "no",
	    (unsigned long long)a1.mapped);
	r2 = t_alloc(t, &a2, hint, 1, 0, PROT_READ, MMAP_TEST_SHARED);
	if (r2) {
		t_broken(t, "ALLOC_VMA at an occupied hint", -r2);
		t_free(t, a1.mapped, 1);
		goto out;
	}
	say("ALLOC again with the same hint: find_vma(hint) now contains %s ([0x%llx,0x%llx)), so the kernel treated the hint as a suggestion only and mapped at 0x%llx instead.\n",
	    a2.before.contains ? "yes" : "no",
	    (unsigned long long)a2.before.vm_start,
	    (unsigned long long)a2.before.vm_end,
	    (unsigned long long)a2.mapped);
	t_hex(t, "hint", hint);
	t_hex(t, "first_mapped", a1.mapped);
	t_hex(t, "second_mapped", a2.mapped);
	t_check(t, a1.mapped == hint && !a1.before.contains,
		"free hint honoured: mapped == hint");
	t_check(t, a2.mapped != hint && a2.before.contains,
		"occupied hint: moved elsewhere, before report contains yes");
	t_free(t, a1.mapped, 1);
	t_free(t, a2.mapped, 1);
out:
	t_end(t);
}

static void tour_fixed(struct tour *t)
{
	static const char old[] = "old contents";
	struct mmap_test_alloc a, nr, fx;
	unsigned char *p;
	char now[sizeof(old)];
	int ret;

	t_begin(t, "fixed_noreplace", "MAP_FIXED vs MAP_FIXED_NOREPLACE");
	ret = t_alloc(t, &a, 0, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC_VMA of an anon page", -ret);
		goto out;
	}
	p = (unsigned char *)(uintptr_t)a.mapped;
	memcpy(p, old, sizeof(old));
	say("ALLOC 1 anon page at 0x%llx and write \"%s\" into it.\n",
	    (unsigned long long)a.mapped, old);
	ret = t_alloc(t, &nr, a.mapped, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
		      MMAP_TEST_FIXED_NOREPLACE);
	say("FIXED_NOREPLACE over it: %s%s; the before report shows the overlapping VMA [0x%llx,0x%llx) (contains %s), which the kernel refused to replace.\n",
	    ret ? "failed with " : "succeeded",
	    ret ? mt_errno_name(ret) : "",
	    (unsigned long long)nr.before.vm_start,
	    (unsigned long long)nr.before.vm_end,
	    nr.before.contains ? "yes" : "no");
	t_key(t, "noreplace_errno", "\"%s\"", mt_errno_name(ret));
	t_hex(t, "overlap_start", nr.before.vm_start);
	t_hex(t, "overlap_end", nr.before.vm_end);
	t_check(t, ret == -EEXIST && nr.before.contains &&
		nr.before.vm_start <= a.mapped &&
		a.mapped < nr.before.vm_end,
		"NOREPLACE over an occupied range: EEXIST, before shows the VMA");
	if (!ret)
		goto free;
	ret = t_alloc(t, &fx, a.mapped, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON | MMAP_TEST_FIXED);
	if (ret) {
		t_broken(t, "ALLOC_VMA FIXED", -ret);
		goto free;
	}
	memcpy(now, p, sizeof(now));
	say("FIXED at the same address: mapped at 0x%llx; the old page was unmapped and replaced, the first byte is now 0x%02x (a fresh zero page, \"%s\" is gone).\n",
	    (unsigned long long)fx.mapped, (unsigned char)now[0], old);
	t_hex(t, "fixed_mapped", fx.mapped);
	t_num(t, "first_byte_after", (unsigned char)now[0]);
	t_check(t, fx.mapped == a.mapped && fx.before.contains &&
		memcmp(now, old, sizeof(old)) && !now[0],
		"FIXED over it: replaced at the same address, old contents gone");
free:
	t_free(t, a.mapped, 1);
out:
	t_end(t);
}

static void tour_merge(struct tour *t)
{
	unsigned long pg = t->c->page;
	struct mmap_test_vma_report r0, r;
	struct mmap_test_alloc a1, a2;
	__u64 base;
	int ret;

	t_begin(t, "merge", "adjacent anon mappings merge into one VMA");
	base = free_range(t, 4);
	if (!base) {
		t_broken(t, "finding 4 free pages", errno);
		goto out;
	}
	ret = t_query(t, base, &r0);
	if (!ret)
		ret = t_alloc(t, &a1, base + pg, 1, 0, PROT_READ | PROT_WRITE,
			      MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
			      MMAP_TEST_FIXED_NOREPLACE);
	if (ret) {
		t_broken(t, "QUERY/ALLOC of the first page", -ret);
		goto out;
	}
	ret = t_alloc(t, &a2, base + 2 * pg, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
		      MMAP_TEST_FIXED_NOREPLACE);
	if (ret) {
		t_broken(t, "ALLOC of the adjacent page", -ret);
		goto free;
	}
	ret = t_query(t, base + pg, &r);
	if (ret) {
		t_broken(t, "QUERY_VMA", -ret);
		goto free;
	}
	say("nr_vmas was %u; ALLOC 1 anon page at 0x%llx (free on both sides): nr_vmas %u; ALLOC the next page at 0x%llx: nr_vmas %u.\n",
	    r0.nr_vmas, (unsigned long long)(base + pg), a2.before.nr_vmas,
	    (unsigned long long)(base + 2 * pg), r.nr_vmas);
	say("  The second mapping has the same flags and touches the first, so vm_mmap() extended the existing VMA instead of adding one: QUERY shows one VMA [0x%llx,0x%llx).\n",
	    (unsigned long long)r.vm_start, (unsigned long long)r.vm_end);
	t_num(t, "nr_vmas_before", r0.nr_vmas);
	t_num(t, "nr_vmas_after_first", a2.before.nr_vmas);
	t_num(t, "nr_vmas_after", r.nr_vmas);
	t_num(t, "merged_pages", (r.vm_end - r.vm_start) / pg);
	t_check(t, r.nr_vmas == r0.nr_vmas + 1,
		"two mappings, nr_vmas +1 not +2 (%u -> %u)", r0.nr_vmas,
		r.nr_vmas);
	t_check(t, r.contains && r.vm_start == base + pg &&
		r.vm_end == base + 3 * pg, "one VMA covers both pages");
free:
	t_free(t, base + pg, 2);
out:
	t_end(t);
}

static void tour_split(struct tour *t)
{
	unsigned long pg = t->c->page;
	struct mmap_test_stats s0, s1, s2;
	struct mmap_test_vma_report r;
	struct mmap_test_alloc a;
	long long opens, closes, live;
	int ret;

	t_begin(t, "split", "partial FREE splits a device VMA (->open)");
	ret = t_stats(t, &s0);
	if (!ret)
		ret = t_alloc(t, &a, 0, 3, 0, PROT_READ | PROT_WRITE,
			      MMAP_TEST_SHARED);
	if (ret) {
		t_broken(t, "STATS/ALLOC of 3 device pages", -ret);
		goto out;
	}
	ret = t_stats(t, &s1);
	if (!ret)
		ret = t_free(t, a.mapped + pg, 1);
	if (!ret)
		ret = t_stats(t, &s2);
	if (!ret)
		ret = t_query(t, a.mapped + pg, &r);
	if (ret) {
		t_broken(t, "STATS/FREE/QUERY", -ret);
		goto free;
	}
	opens = s2.vma_opens - s1.vma_opens;
	closes = s2.vma_closes - s1.vma_closes;
	live = s2.live_vmas - s1.live_vmas;
	say("ALLOC 3 device pages at 0x%llx: live_vmas %llu -> %llu (the driver counted one new VMA: in ->mmap, or in ->mapped with mmap_hook=prepare).\n",
	    (unsigned long long)a.mapped, (unsigned long long)s0.live_vmas,
	    (unsigned long long)s1.live_vmas);
	say("FREE the middle page: vma_opens +%lld, vma_closes +%lld, live_vmas %llu -> %llu.\n",
	    opens, closes, (unsigned long long)s1.live_vmas,
	    (unsigned long long)s2.live_vmas);
	say("  Unmapping the middle splits the VMA; each piece split off is a new VMA, announced to the driver by ->open; the unmapped middle gets ->close. Two pieces stay: live +1.\n");
	t_num(t, "vma_opens_delta", opens);
	t_num(t, "vma_closes_delta", closes);
	t_num(t, "live_vmas_before", s1.live_vmas);
	t_num(t, "live_vmas_after", s2.live_vmas);
	t_check(t, s1.live_vmas == s0.live_vmas + 1, "ALLOC: live_vmas +1");
	t_check(t, opens >= 1 && live == 1 && opens - closes == live,
		"partial FREE: ->open called (%lld), live_vmas +1", opens);
	t_check(t, !r.contains, "the middle page is gone");
free:
	t_free(t, a.mapped, 3);
out:
	t_end(t);
}

/* Write @msg in a child process; is it visible in the parent? */
static int child_write(unsigned char *p, const char *msg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		strcpy((char *)p, msg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return 0;
}

static void tour_kinds(struct tour *t)
{
	static const char priv[] = "private write", shrd[] = "shared write";
	static const char kid[] = "child write";
	unsigned long pg = t->c->page;
	struct mmap_test_alloc a;
	char *buf = malloc(pg);
	unsigned char *p;
	int ret;

	t_begin(t, "mapping_kinds", "four kinds of mapping: COW or not");
	if (!buf) {
		t_broken(t, "malloc", ENOMEM);
		goto out;
	}
	/* device private */
	ret = t_alloc(t, &a, 0, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE);
	if (ret) {
		t_broken(t, "ALLOC device private", -ret);
		goto out;
	}
	p = (unsigned char *)(uintptr_t)a.mapped;
	strcpy((char *)p, priv);
	if (pread(t->c->fd, buf, pg, 0) != (ssize_t)pg) {
		t_broken(t, "pread", errno);
		t_free(t, a.mapped, 1);
		goto out;
	}
	buf[40] = '\0';
	say("device PRIVATE: wrote \"%s\" through the mapping; pread() of the file still sees \"%s\": the write went to a private copy-on-write page.\n",
	    priv, buf);
	t_yes(t, "device_private_visible_to_pread", !strcmp(buf, priv));
	t_check(t, strcmp(buf, priv) && !strcmp((char *)p, priv),
		"device private write invisible to pread()");
	t_free(t, a.mapped, 1);
	/* device shared, page 1 */
	ret = t_alloc(t, &a, 0, 1, 1, PROT_READ | PROT_WRITE,
		      MMAP_TEST_SHARED);
	if (ret) {
		t_broken(t, "ALLOC device shared", -ret);
		goto out;
	}
	p = (unsigned char *)(uintptr_t)a.mapped;
	strcpy((char *)p, shrd);
	if (pread(t->c->fd, buf, pg, pg) != (ssize_t)pg) {
		t_broken(t, "pread", errno);
		t_free(t, a.mapped, 1);
		goto out;
	}
	buf[40] = '\0';
	say("device SHARED (buffer page 1): wrote \"%s\"; pread() sees \"%s\": the mapping is the driver's buffer page itself.\n",
	    shrd, buf);
	t_yes(t, "device_shared_visible_to_pread", !strcmp(buf, shrd));
	t_check(t, !strcmp(buf, shrd), "device shared write visible to pread()");
	t_free(t, a.mapped, 1);
	/* anon private and anon shared: a forked child writes */
	ret = t_alloc(t, &a, 0, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC anon private", -ret);
		goto out;
	}
	p = (unsigned char *)(uintptr_t)a.mapped;
	strcpy((char *)p, "parent");
	if (child_write(p, kid)) {
		t_broken(t, "fork/child", errno);
	} else {
		say("anon PRIVATE: a forked child wrote \"%s\"; the parent still sees \"%s\": fork() made the page copy-on-write.\n",
		    kid, p);
		t_yes(t, "anon_private_child_visible", !strcmp((char *)p, kid));
		t_check(t, !strcmp((char *)p, "parent"),
			"anon private: child's write invisible to the parent");
	}
	t_free(t, a.mapped, 1);
	ret = t_alloc(t, &a, 0, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_SHARED | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC anon shared", -ret);
		goto out;
	}
	p = (unsigned char *)(uintptr_t)a.mapped;
	strcpy((char *)p, "parent");
	if (child_write(p, kid)) {
		t_broken(t, "fork/child", errno);
	} else {
		say("anon SHARED (shmem, backing \"file\"): the child wrote \"%s\"; the parent sees \"%s\": both map the same page.\n",
		    kid, p);
		t_yes(t, "anon_shared_child_visible", !strcmp((char *)p, kid));
		t_check(t, !strcmp((char *)p, kid),
			"anon shared: child's write visible to the parent");
	}
	t_free(t, a.mapped, 1);
out:
	free(buf);
	t_end(t);
}

/* Read one byte of each of @pages pages. */
static void touch_pages(const unsigned char *p, unsigned long pages,
			unsigned long pg)
{
	unsigned long i;

	for (i = 0; i < pages; i++)
		(void)*(const volatile unsigned char *)(p + i * pg);
}

static void tour_populate(struct tour *t)
{
	struct mmap_test_stats s0, s1, s2;
	struct mmap_test_alloc a;
	const unsigned long pages = 4;
	int ret;

	t_begin(t, "populate", "MMAP_TEST_POPULATE faults pages in up front");
	ret = t_stats(t, &s0);
	if (!ret)
		ret = t_alloc(t, &a, 0, pages, 0, PROT_READ,
			      MMAP_TEST_PRIVATE | MMAP_TEST_POPULATE);
	if (!ret)
		ret = t_stats(t, &s1);
	if (ret) {
		t_broken(t, "STATS/ALLOC with POPULATE", -ret);
		goto out;
	}
	touch_pages((unsigned char *)(uintptr_t)a.mapped, pages, t->c->page);
	ret = t_stats(t, &s2);
	if (ret) {
		t_broken(t, "GET_STATS", -ret);
		goto free;
	}
	say("ALLOC %lu private device pages with POPULATE: %llu faults during the ALLOC itself (vm_mmap() faulted the pages in); reading every page afterwards: %llu faults.\n",
	    pages, (unsigned long long)(s1.faults - s0.faults),
	    (unsigned long long)(s2.faults - s1.faults));
	t_num(t, "pages", pages);
	t_num(t, "faults_during_alloc", s1.faults - s0.faults);
	t_num(t, "faults_during_touch", s2.faults - s1.faults);
	t_check(t, s1.faults - s0.faults >= 1,
		"ALLOC with POPULATE served faults");
	t_check(t, s2.faults == s1.faults, "touch after POPULATE: 0 faults");
free:
	t_free(t, a.mapped, pages);
out:
	t_end(t);
}

static void tour_fault_around(struct tour *t)
{
	struct mmap_test_stats s0, s1;
	struct mmap_test_alloc a;
	unsigned long pages;
	__u64 faults, around;
	int ret;

	t_begin(t, "fault_around", "fault-around on a shared device mapping");
	ret = t_stats(t, &s0);
	if (ret) {
		t_broken(t, "GET_STATS", -ret);
		goto out;
	}
	pages = s0.buffer_pages < 64 ? s0.buffer_pages : 64;
	ret = t_alloc(t, &a, 0, pages, 0, PROT_READ, MMAP_TEST_SHARED);
	if (!ret)
		ret = t_stats(t, &s0);
	if (ret) {
		t_broken(t, "ALLOC/STATS", -ret);
		goto out;
	}
	touch_pages((unsigned char *)(uintptr_t)a.mapped, pages, t->c->page);
	ret = t_stats(t, &s1);
	if (ret) {
		t_broken(t, "GET_STATS", -ret);
		goto free;
	}
	faults = s1.faults - s0.faults;
	around = s1.pages_around - s0.pages_around;
	say("read one byte of each of %lu pages of a shared device mapping, in order: %llu faults for %lu pages (%.2f per page), %llu pages mapped by fault-around (->map_pages).\n",
	    pages, (unsigned long long)faults, pages,
	    pages ? (double)faults / pages : 0.0, (unsigned long long)around);
	say("  On a read fault of a shared file mapping the kernel asks ->map_pages to map the neighbouring pages too (fault_around_bytes), so most pages never fault.\n");
	t_num(t, "pages", pages);
	t_num(t, "faults", faults);
	t_num(t, "pages_around", around);
	if (s0.buffer_pages < 32) {
		t_skip(t, "buffer_pages < 32: too few pages to show fault-around (load with buffer_pages=64 or more)");
		goto free;
	}
	t_check(t, around > 0 && faults < pages,
		"fault-around mapped pages (%llu) and faults < pages (%llu < %lu)",
		(unsigned long long)around, (unsigned long long)faults, pages);
free:
	t_free(t, a.mapped, pages);
out:
	t_end(t);
}

/* ---- the call chain of the driver's hook (dump_stack=1) ---------------- */

#define MT_PARAMS "/sys/module/mmap_test/parameters/"

/* A module parameter's value, without its newline; false if unreadable. */
static bool param_read(const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), MT_PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

static bool param_write(const char *name, const char *val)
{
	char path[128];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), MT_PARAMS "%s", name);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok;
}

#define CHAIN_FRAMES	16

/* One dump_stack() of the kernel log: its function names, innermost first. */
struct chain {
	char fn[CHAIN_FRAMES][64];
	int n;
};

/*
 * The function of a stack frame line of the kernel log, " name+0x1c/0x80
 * [module]" (x86 marks unreliable frames "? name+...": skipped); false if
 * the line is not a frame.
 */
static bool frame_name(const char *msg, char *fn, size_t len)
{
	const char *p = msg + strspn(msg, " \t");
	size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");

	if (!n || strncmp(p + n, "+0x", 3) || n >= len)
		return false;
	memcpy(fn, p, n);
	fn[n] = '\0';
	/* the compiler's parts of a function: "name.cold", "name.isra.0" */
	fn[strcspn(fn, ".")] = '\0';
	return true;
}

static bool chain_has(const struct chain *ch, const char *fn)
{
	int i;

	for (i = 0; i < ch->n; i++)
		if (!strcmp(ch->fn[i], fn))
			return true;
	return false;
}

/*
 * Read the kernel log records from @kfd (opened at the end of the log
 * before the hook ran) into the stacks that contain one of the module's
 * mapping hooks; returns how many there are (at most @max).
 */
static int read_chains(int kfd, struct chain *out, int max)
{
	struct chain cur = { .n = 0 };
	char rec[8192], fn[64];
	int found = 0;
	bool in_stack = false;

	for (;;) {
		ssize_t r = read(kfd, rec, sizeof(rec) - 1);
		char *msg;

		if (r < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (r <= 0)
			break;
		rec[r] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		msg[strcspn(msg, "\n")] = '\0';
		if (strstr(msg, "Call Trace:") || strstr(msg, "Call trace:")) {
			in_stack = true;
			cur.n = 0;
			continue;
		}
		if (!in_stack)
			continue;
		if (!frame_name(msg, fn, sizeof(fn))) {
			if (strstr(msg, "<TASK>") || strstr(msg, "</TASK>") ||
			    strstr(msg, "? "))
				continue;
			in_stack = false;
		} else if (cur.n < CHAIN_FRAMES) {
			snprintf(cur.fn[cur.n++], sizeof(cur.fn[0]), "%s", fn);
		}
		if ((!in_stack || cur.n == CHAIN_FRAMES) && found < max &&
		    (chain_has(&cur, "mmap_test_mmap") ||
		     chain_has(&cur, "mmap_test_mmap_prepare") ||
		     chain_has(&cur, "mmap_test_vma_mapped"))) {
			out[found++] = cur;
			cur.n = 0;
			in_stack = false;
		}
	}
	return found;
}

/* The frames of @ch from the module's hook outwards, up to vm_mmap_pgoff. */
static void print_chain(const struct chain *ch)
{
	bool on = false;
	int i;

	for (i = 0; i < ch->n; i++) {
		if (!on && strncmp(ch->fn[i], "mmap_test_", 10))
			continue;
		on = true;
		say("      %s\n", ch->fn[i]);
		if (!strcmp(ch->fn[i], "vm_mmap_pgoff"))
			break;
	}
}

static void tour_call_chain(struct tour *t)
{
	bool saw_mmap = false, saw_prepare = false, saw_mapped = false;
	char hook[32] = "mmap", old[8];
	struct chain ch[4];
	struct mmap_test_alloc a;
	int kfd, n, i, ret;
	bool prepare;

	t_begin(t, "call_chain", "who calls the driver's mmap hook (dump_stack=1)");
	param_read("mmap_hook", hook, sizeof(hook));
	prepare = !strcmp(hook, "prepare");
	t_key(t, "hook", "\"%s\"", prepare ? "mmap_prepare" : "mmap");
	say("the module was loaded with mmap_hook=%s: it registered f_op->%s.\n",
	    hook, prepare ? "mmap_prepare" : "mmap");
	if (prepare)
		say("  ->mmap_prepare runs in __mmap_region() before the VMA exists: it sees a struct vm_area_desc and says what the VMA will be (flags, vm_ops, private data); the core then creates the VMA, and calls vm_ops->mapped() once it is in the tree.\n");
	else
		say("  ->mmap runs once the core has created the new VMA (__mmap_new_vma() on recent kernels): the driver sets up the VMA itself, and a failure makes the core tear it down again.  Load with mmap_hook=prepare (kernels with f_op->mmap_prepare) to compare.\n");
	if (!param_read("dump_stack", old, sizeof(old))) {
		t_skip(t, "no " MT_PARAMS "dump_stack");
		goto out;
	}
	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kfd < 0) {
		t_skip(t, "cannot read the kernel log (/dev/kmsg): run as root");
		goto out;
	}
	lseek(kfd, 0, SEEK_END);
	if (!param_write("dump_stack", "1")) {
		t_skip(t, "cannot set " MT_PARAMS "dump_stack: run as root");
		goto close;
	}
	ret = t_alloc(t, &a, 0, 1, 0, PROT_READ, MMAP_TEST_SHARED);
	param_write("dump_stack", old[0] == 'Y' || old[0] == '1' ? "1" : "0");
	if (ret) {
		t_broken(t, "ALLOC", -ret);
		goto close;
	}
	t_free(t, a.mapped, 1);
	n = read_chains(kfd, ch, 4);
	for (i = 0; i < n; i++) {
		saw_mmap |= chain_has(&ch[i], "mmap_test_mmap");
		saw_prepare |= chain_has(&ch[i], "mmap_test_mmap_prepare");
		saw_mapped |= chain_has(&ch[i], "mmap_test_vma_mapped");
		say("  stack %d of the ALLOC (from the kernel log):\n", i + 1);
		print_chain(&ch[i]);
	}
	t_num(t, "stacks", n);
	if (prepare)
		t_check(t, saw_prepare && saw_mapped && !saw_mmap,
			"->mmap_prepare then ->mapped ran, ->mmap did not (%d stacks)",
			n);
	else
		t_check(t, saw_mmap && !saw_prepare && !saw_mapped,
			"->mmap ran, ->mmap_prepare did not (%d stacks)", n);
close:
	close(kfd);
out:
	t_end(t);
}

/* ---- placement: mmap_base, the top-down search, the window ------------ */

/*
 * The end of the default mmap window: mmap(2) places nothing at or above it
 * unless a hint above it asks to (x86_64: 47 bits, DEFAULT_MAP_WINDOW is
 * 2^47 minus a page; arm64: 48 bits).
 */
#if defined(__aarch64__)
#define MAP_WINDOW_END	(1ULL << 48)
#define MAP_WINDOW_BITS	48
#elif __SIZEOF_LONG__ == 8
#define MAP_WINDOW_END	(1ULL << 47)
#define MAP_WINDOW_BITS	47
#else
#define MAP_WINDOW_END	(1ULL << 32)
#define MAP_WINDOW_BITS	32
#endif

struct vma_range {
	__u64 start, end;
	char name[80];
};

/* /proc/self/maps as ranges (ascending); the number read, -1 on error. */
static int read_maps(struct vma_range *v, int max)
{
	unsigned long long start, end;
	char line[512], *name;
	int n = 0, pos;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		pos = 0;
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &start, &end,
			   &pos) < 2)
			continue;
		name = pos > 0 && pos <= (int)strlen(line) ? line + pos : "";
		v[n].start = start;
		v[n].end = end;
		snprintf(v[n].name, sizeof(v[n].name), "%s", name);
		n++;
	}
	fclose(f);
	return n;
}

/* The largest free gap in [lo, hi), from /proc/self/maps; ~0: unknown. */
static __u64 largest_gap(__u64 lo, __u64 hi)
{
	static struct vma_range v[512];
	__u64 prev = lo, best = 0;
	int i, n = read_maps(v, 512);

	if (n < 0 || n == 512)
		return ~0ULL;
	for (i = 0; i < n && prev < hi; i++) {
		if (v[i].end <= prev)
			continue;
		if (v[i].start > prev) {
			__u64 e = v[i].start < hi ? v[i].start : hi;

			if (e - prev > best)
				best = e - prev;
		}
		prev = v[i].end;
	}
	if (prev < hi && hi - prev > best)
		best = hi - prev;
	return best;
}

/* The [stack] VMA; false if there is none. */
static bool stack_range(__u64 *start, __u64 *end)
{
	static struct vma_range v[512];
	int i, n = read_maps(v, 512);

	for (i = 0; i < n; i++) {
		if (!strcmp(v[i].name, "[stack]")) {
			*start = v[i].start;
			*end = v[i].end;
			return true;
		}
	}
	return false;
}

/* Top-down, or the legacy bottom-up layout?  @why says which and why. */
static bool layout_topdown(char *why, size_t n)
{
	struct rlimit rl;

	if (read_sysctl("/proc/sys/vm/legacy_va_layout")) {
		snprintf(why, n, "vm.legacy_va_layout is 1: mappings go bottom-up from TASK_UNMAPPED_BASE");
		return false;
	}
	if (!getrlimit(RLIMIT_STACK, &rl) && rl.rlim_cur == RLIM_INFINITY) {
		snprintf(why, n, "the stack rlimit is unlimited: the kernel uses the legacy bottom-up layout");
		return false;
	}
	snprintf(why, n, "top-down from mmap_base (vm.legacy_va_layout 0, stack rlimit %llu KiB)",
		 !getrlimit(RLIMIT_STACK, &rl) ?
		 (unsigned long long)rl.rlim_cur >> 10 : 0ULL);
	return true;
}

static void tour_placement(struct tour *t)
{
	static const __u32 prots[3] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_READ,
	};
	unsigned long pg = t->c->page;
	const unsigned long pages = 5;
	__u64 len = pages * pg, m[3] = { 0 }, stk0, stk1, gap, hint;
	struct mmap_test_alloc a, h1, h2;
	char why[160];
	int i, ret;

	t_begin(t, "placement", "mmap_base and the top-down search");
	if (!layout_topdown(why, sizeof(why))) {
		t_skip(t, why);
		goto out;
	}
	if (!stack_range(&stk0, &stk1)) {
		t_broken(t, "finding [stack] in /proc/self/maps", ENOENT);
		goto out;
	}
	say("layout: %s; the stack is [0x%llx,0x%llx), and mmap_base lies below it by at least the stack rlimit and stack_guard_gap.\n",
	    why, (unsigned long long)stk0, (unsigned long long)stk1);
	for (i = 0; i < 3; i++) {
		/* other prot than the neighbour: no merge hides the order */
		ret = t_alloc(t, &a, 0, pages, 0, prots[i],
			      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
		if (ret) {
			t_broken(t, "hint-less ALLOC_VMA", -ret);
			goto free;
		}
		m[i] = a.mapped;
		say("hint-less ALLOC %d of %lu anon pages (prot %s): mapped at 0x%llx.\n",
		    i + 1, pages, prots[i] & PROT_WRITE ? "rw" : "r",
		    (unsigned long long)m[i]);
	}
	say("  get_unmapped_area() searches top-down: each mapping takes the highest free gap big enough below mmap_base, so consecutive ones move down, and ordinary mappings need no gap between them (stack_guard_gap only keeps mappings away from a stack VMA).\n");
	t_hex(t, "stack_start", stk0);
	t_hex(t, "first", m[0]);
	t_hex(t, "second", m[1]);
	t_hex(t, "third", m[2]);
	t_check(t, m[1] < m[0] && m[2] < m[1],
		"consecutive hint-less ALLOCs move down (0x%llx > 0x%llx > 0x%llx)",
		(unsigned long long)m[0], (unsigned long long)m[1],
		(unsigned long long)m[2]);
	gap = largest_gap(m[2] + len, m[0]);
	t_num(t, "largest_gap_between_pages", gap == ~0ULL ? -1 : (long long)(gap / pg));
	t_check(t, gap < len,
		"no free gap of %lu pages was skipped between them (largest: %lld pages)",
		pages, gap == ~0ULL ? -1LL : (long long)(gap / pg));
	t_yes(t, "adjacent", m[1] + len == m[0] && m[2] + len == m[1]);
	say("  between the three: %s.\n",
	    m[1] + len == m[0] && m[2] + len == m[1] ?
	    "each ends where the one above starts (no gap)" :
	    "the gaps skipped are too small for 5 pages");
	t_check(t, m[0] + len + 256 * pg <= stk0,
		"the highest stays below the stack by at least stack_guard_gap (256 pages): 0x%llx + 0x%llx <= 0x%llx",
		(unsigned long long)m[0], (unsigned long long)len,
		(unsigned long long)stk0);
	/* A hint: honoured where free, moved where not. */
	hint = free_range(t, 1);
	ret = hint ? t_alloc(t, &h1, hint, 1, 0, PROT_READ,
			     MMAP_TEST_PRIVATE | MMAP_TEST_ANON) : -ENOMEM;
	if (ret) {
		t_broken(t, "ALLOC_VMA at a free hint", -ret);
		goto free;
	}
	ret = t_alloc(t, &h2, hint, 1, 0, PROT_READ | PROT_WRITE,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC_VMA at an occupied hint", -ret);
		t_free(t, h1.mapped, 1);
		goto free;
	}
	say("hint 0x%llx, free: mapped there (0x%llx); the same hint again, now occupied: the top-down search placed it at 0x%llx.\n",
	    (unsigned long long)hint, (unsigned long long)h1.mapped,
	    (unsigned long long)h2.mapped);
	t_hex(t, "hint", hint);
	t_hex(t, "hint_moved_to", h2.mapped);
	t_check(t, h1.mapped == hint && h2.mapped != hint,
		"a free hint is honoured, an occupied one moved");
	t_check(t, h2.mapped < MAP_WINDOW_END,
		"the moved mapping stays in the default window (below 2^%d)",
		MAP_WINDOW_BITS);
	t_free(t, h1.mapped, 1);
	t_free(t, h2.mapped, 1);
free:
	for (i = 0; i < 3; i++)
		if (m[i])
			t_free(t, m[i], pages);
out:
	t_end(t);
}

static void tour_window(struct tour *t)
{
	struct task_top top = task_top();
	struct mmap_test_alloc lo, hi, far, fx;
	__u64 free_hi = MAP_WINDOW_END * 2, far_hint;
	char why[256];
	int ret;

	t_begin(t, "window", "the default mmap window and a hint above it");
	say("TASK_SIZE here is 0x%llx (%s); the default mmap window ends at 2^%d (0x%llx).\n",
	    (unsigned long long)top.end, top.exact ? "measured" : "estimated",
	    MAP_WINDOW_BITS, (unsigned long long)MAP_WINDOW_END);
	t_hex(t, "task_size", top.end);
	t_hex(t, "window_end", MAP_WINDOW_END);
	if (top.end <= MAP_WINDOW_END) {
#if defined(__aarch64__)
		snprintf(why, sizeof(why), "TASK_SIZE 0x%llx: no addresses above 48 bits to opt in to; CONFIG_ARM64_VA_BITS_52 on a CPU with 52-bit VA shows it (target arm64-7.3-16k: qemu -cpu max)",
			 (unsigned long long)top.end);
#else
		snprintf(why, sizeof(why), "TASK_SIZE 0x%llx: 4-level paging, no addresses above 47 bits to opt in to; 5-level paging shows it (target x86_64-6.1-la57: qemu -cpu max, la57)",
			 (unsigned long long)top.end);
#endif
		t_skip(t, why);
		goto out;
	}
	ret = t_alloc(t, &lo, 0, 1, 0, PROT_READ,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "hint-less ALLOC_VMA", -ret);
		goto out;
	}
	ret = t_alloc(t, &hi, free_hi, 1, 0, PROT_READ,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC_VMA with a hint above the window", -ret);
		goto free_lo;
	}
	/* The highest power of two of user space: itself above TASK_SIZE. */
	far_hint = 1;
	while (far_hint < top.end / 2)
		far_hint <<= 1;
	far_hint <<= 1;
	ret = t_alloc(t, &far, far_hint, 1, 0, PROT_READ,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	if (ret) {
		t_broken(t, "ALLOC_VMA with a hint above TASK_SIZE", -ret);
		goto free_hi;
	}
	say("no hint: mapped at 0x%llx, below 2^%d. hint 0x%llx (above the window): mapped at 0x%llx. hint 0x%llx (above TASK_SIZE, not usable itself): mapped at 0x%llx.\n",
	    (unsigned long long)lo.mapped, MAP_WINDOW_BITS,
	    (unsigned long long)free_hi, (unsigned long long)hi.mapped,
	    (unsigned long long)far_hint, (unsigned long long)far.mapped);
	say("  A hint above the window opts this one mapping in to the whole address space (the search's upper limit becomes TASK_SIZE); without one, mmap(2) never returns an address above the window, for programs that keep flags in the upper pointer bits.\n");
	t_hex(t, "no_hint", lo.mapped);
	t_hex(t, "hint_above_window", hi.mapped);
	t_hex(t, "hint_above_task_size", far.mapped);
	t_check(t, lo.mapped + t->c->page <= MAP_WINDOW_END,
		"no hint: below 2^%d", MAP_WINDOW_BITS);
	t_check(t, hi.mapped == free_hi, "a free hint above the window is honoured");
	t_check(t, far.mapped >= MAP_WINDOW_END && far.mapped < top.end,
		"a hint above TASK_SIZE still opts in: mapped above 2^%d",
		MAP_WINDOW_BITS);
	ret = t_alloc(t, &fx, far_hint, 1, 0, PROT_READ,
		      MMAP_TEST_PRIVATE | MMAP_TEST_ANON |
		      MMAP_TEST_FIXED_NOREPLACE);
	explain_error(t->c, REQ_ALLOC, -ret, &fx, why, sizeof(why));
	say("FIXED_NOREPLACE at 0x%llx: %s (%s).\n",
	    (unsigned long long)far_hint, ret ? mt_errno_name(-ret) : "mapped",
	    ret ? why : "");
	t_key(t, "fixed_above_errno", "\"%s\"", mt_errno_name(-ret));
	t_check(t, ret == -ENOMEM, "FIXED_NOREPLACE above TASK_SIZE: ENOMEM");
	if (!ret)
		t_free(t, fx.mapped, 1);
	t_free(t, far.mapped, 1);
free_hi:
	t_free(t, hi.mapped, 1);
free_lo:
	t_free(t, lo.mapped, 1);
out:
	t_end(t);
}

/* The tour: exit 0 if no step failed (skipped steps are not passes). */
/*
 * huge=1: one fault maps a whole PMD of the device (a PMD-size page-cache
 * folio, do_set_pmd()), where order-0 pages took one write fault per page
 * (write faults get no fault-around).  A fresh fd, so that no earlier
 * step's pages are in the way.  Skips unless the module was loaded with
 * huge=1 (refused at load by a kernel without large page-cache folios)
 * and a buffer of at least one PMD.
 */
static void tour_huge(struct tour *t)
{
	unsigned long pg = t->c->page, pmd = 0, n, i;
	struct mmap_test_stats s0, s1;
	char v[32] = "", line[256];
	long kb = -1;
	unsigned char *p;
	bool in = false;
	FILE *f;
	int fd;

	t_begin(t, "huge_pmd", "huge=1: one PMD fault where one fault per page was");
	if (!param_read("huge", v, sizeof(v)))
		v[0] = '\0';
	f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	if (f) {
		if (fscanf(f, "%lu", &pmd) != 1)
			pmd = 0;
		fclose(f);
	}
	if (v[0] != 'Y' || !pmd) {
		t_skip(t, v[0] != 'Y' ? "the module is not loaded with huge=1 (a kernel without large page-cache folios refuses huge=1)" :
		       "no THP (no hpage_pmd_size)");
		goto out;
	}
	n = pmd / pg;
	fd = open(t->c->o->device, O_RDWR | O_CLOEXEC);
	if (fd < 0 || mt_ioctl(fd, IOCTL_GET_STATS, &s0)) {
		t_broken(t, "open/GET_STATS", errno);
		goto close;
	}
	if (s0.buffer_pages < n) {
		snprintf(line, sizeof(line), "the buffer (%llu pages) is smaller than a PMD (%lu pages)",
			 (unsigned long long)s0.buffer_pages, n);
		t_skip(t, line);
		goto close;
	}
	p = mmap(NULL, pmd, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		t_broken(t, "mmap", errno);
		goto close;
	}
	for (i = 0; i < n; i++)
		p[i * pg] = 1;
	if (mt_ioctl(fd, IOCTL_GET_STATS, &s1)) {
		t_broken(t, "GET_STATS", errno);
		goto unmap;
	}
	/* smaps: FilePmdMapped of the block whose range starts at p */
	f = fopen("/proc/self/smaps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = start == (uintptr_t)p;
		else if (in && sscanf(line, "FilePmdMapped: %ld", &kb) == 1)
			break;
	}
	if (f)
		fclose(f);
	say("Writing each of the %lu pages of a %lu KiB shared mapping at %p (PMD-aligned by get_unmapped_area): %llu fault(s); smaps FilePmdMapped %ld kB. With order-0 pages the same writes take %lu faults, one per page.\n",
	    n, pmd >> 10, (void *)p, (unsigned long long)(s1.faults - s0.faults),
	    kb, n);
	t_num(t, "pages", n);
	t_num(t, "faults", s1.faults - s0.faults);
	t_num(t, "file_pmd_mapped_kb", kb);
	t_check(t, (uintptr_t)p % pmd == 0, "the mapping is PMD-aligned");
	t_check(t, s1.faults - s0.faults == 1, "one fault for %lu pages", n);
	t_check(t, kb == (long)(pmd >> 10), "FilePmdMapped: the whole mapping");
unmap:
	munmap(p, pmd);
close:
	if (fd >= 0)
		close(fd);
out:
	t_end(t);
}

static int cmd_tour(struct ctx *c)
{
	struct tour t = { .c = c, .json = c->o->json };

	text_quiet = t.json;
	say("A tour of what the kernel decides, as the mmap-test module reports it.\n");
	tour_find_vma(&t);
	tour_hint(&t);
	tour_fixed(&t);
	tour_merge(&t);
	tour_split(&t);
	tour_kinds(&t);
	tour_populate(&t);
	tour_fault_around(&t);
	tour_placement(&t);
	tour_window(&t);
	tour_huge(&t);
	tour_call_chain(&t);
	say("\ntour: %d passed, %d failed, %d skipped\n", t.passed, t.failed,
	    t.skipped);
	text_quiet = false;
	return t.failed ? 1 : 0;
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

static int cmd_hold(struct ctx *c)
{
	const struct opts *o = c->o;
	struct mmap_test_alloc a;
	struct mapping m;
	unsigned char byte = 0;
	unsigned long i;
	int ret;

	get_stats(c, &(struct mmap_test_stats){ 0 }, true);
	init_alloc(c, &a, o->addr, o->len_set ? o->len : c->page, o->addr_set);
	ret = do_alloc(c, &a);
	if (ret && o->json) {
		j_result(c, REQ_ALLOC, ret, &a);
		j_str("command", "hold");
		if (before_copied(&a))
			j_report("before", &a.before);
		j_end();
		putchar('\n');
	}
	if (ret)
		return 1;
	m.p = (unsigned char *)(uintptr_t)a.mapped;
	m.pages = page_align(a.len, c->page) / c->page;
	for (i = 0; i < m.pages; i++) {
		unsigned char *p = m.p + i * c->page;

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
		j_begin(NULL);
		j_str("request", "hold");
		j_bool("ok", true);
		j_hex("holding", a.mapped);
		j_hex("len", page_align(a.len, c->page));
		j_num("pages", m.pages);
		j_end();
		putchar('\n');
	} else {
		printf("holding 0x%llx\n", (unsigned long long)a.mapped);
	}
	fflush(stdout);
	wait_for_stop(o->until_signal);
	return 0;
}

/* ---- lab bench: one address space, commands from a terminal or a file --- */

/*
 * test-mmap -i and test-mmap script FILE|-: one process, one device fd, one
 * address space; every line is one command.  A line "$name = COMMAND ..."
 * keeps the command's result (an address or count, with named fields:
 * $a.len, $q.contains) and "$name = EXPR" an expression.  An error is one
 * line on stderr ("FILE:LINE: error: ..."), and the session goes on; the
 * exit status is 1 if any line failed, 4 if "require" skipped the rest.
 */
#define S_LINE		1024
#define S_ARGS		64
#define S_VARS		128
#define S_FIELDS	24
#define S_HIST		100
#define S_SKIP		4	/* exit status of a skipped script (kselftest) */

struct s_field {
	char name[40];
	__u64 v;
};

struct s_var {
	char name[32];
	__u64 v;
	int nf;
	struct s_field f[S_FIELDS];
};

struct session {
	struct ctx *c;
	const struct opts *base;	/* the command line: --device, --json */
	const char *src;
	int line;
	bool tty, script, json, in_child, stop;
	int errors, expects;
	bool skipped;
	struct s_var vars[S_VARS];
	int nvars;
	struct s_var res;		/* what the current command yields */
	int last_errno;
	char hist[S_HIST][S_LINE];
	int nhist;
};

/* The JSON object of an error errmsg() already printed. */
static void s_json_last(struct session *s)
{
	if (!s->json)
		return;
	j_begin(NULL);
	j_num("line", s->line);
	j_bool("ok", false);
	j_str("error", last_err);
	j_end();
	putchar('\n');
}

/* An error of this line: one line on stderr (and a JSON object). */
static void __attribute__((format(printf, 2, 3)))
s_err(struct session *s, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errmsg("%s", msg);
	s_json_last(s);
}

static void s_set_prefix(struct session *s)
{
	if (s->script)
		snprintf(err_prefix, sizeof(err_prefix), "%s:%d: error",
			 s->src, s->line);
	else
		snprintf(err_prefix, sizeof(err_prefix), "error");
}

static void res_reset(struct session *s, __u64 v)
{
	memset(&s->res, 0, sizeof(s->res));
	s->res.v = v;
}

static void res_field(struct session *s, const char *name, __u64 v)
{
	struct s_var *r = &s->res;

	if (r->nf < S_FIELDS) {
		snprintf(r->f[r->nf].name, sizeof(r->f[0].name), "%s", name);
		r->f[r->nf++].v = v;
	}
}

static void res_report(struct session *s, const char *pfx,
		       const struct mmap_test_vma_report *r)
{
	static const char * const k[] = {
		"found", "contains", "vm_start", "vm_end", "gap", "flags",
		"vm_pgoff", "backing", "nr_vmas",
	};
	__u64 v[] = {
		r->found, r->contains, r->vm_start, r->vm_end, r->gap,
		r->flags, r->vm_pgoff, r->backing, r->nr_vmas,
	};
	char name[40];
	size_t i;

	for (i = 0; i < MT_ARRAY_SIZE(k); i++) {
		snprintf(name, sizeof(name), "%s%s", pfx, k[i]);
		res_field(s, name, v[i]);
	}
}

static struct s_var *var_find(struct session *s, const char *name, size_t n)
{
	int i;

	for (i = 0; i < s->nvars; i++)
		if (strlen(s->vars[i].name) == n &&
		    !strncmp(s->vars[i].name, name, n))
			return &s->vars[i];
	return NULL;
}

/* Built-in variables: facts of this process and of the last command. */
static bool builtin(struct session *s, const char *name, size_t n, __u64 *v)
{
	struct mmap_test_stats st;

	if (n == 4 && !strncmp(name, "page", 4))
		*v = s->c->page;
	else if (n == 9 && !strncmp(name, "task_size", 9))
		*v = task_top().end;
	else if (n == 6 && !strncmp(name, "window", 6))
		*v = MAP_WINDOW_END;
	else if (n == 5 && !strncmp(name, "errno", 5))
		*v = s->last_errno;
	else if (n == 3 && !strncmp(name, "pid", 3))
		*v = getpid();
	else if (n == 12 && !strncmp(name, "buffer_pages", 12))
		*v = s->c->fd >= 0 && !get_stats(s->c, &st, true) ?
			st.buffer_pages : 0;
	else
		return false;
	return true;
}

/* $name or $name.field at @p (after the '$'); its length, or -1. */
static int var_value(struct session *s, const char *p, __u64 *v)
{
	const struct s_var *var;
	size_t n = 0, fn, o;
	char have[S_FIELDS * 41];
	int i;

	while (p[n] == '_' || isalnum((unsigned char)p[n]))
		n++;
	if (!n || isdigit((unsigned char)p[0])) {
		s_err(s, "'$' must be followed by a variable name");
		return -1;
	}
	var = var_find(s, p, n);
	if (!var && builtin(s, p, n, v))
		return n;
	if (!var) {
		s_err(s, "undefined variable $%.*s", (int)n, p);
		return -1;
	}
	if (p[n] != '.' || !isalpha((unsigned char)p[n + 1])) {
		*v = var->v;
		return n;
	}
	fn = 1;
	while (p[n + fn] == '_' || p[n + fn] == '.' ||
	       isalnum((unsigned char)p[n + fn]))
		fn++;
	while (p[n + fn - 1] == '.')	/* a sentence's full stop */
		fn--;
	for (i = 0; i < var->nf; i++) {
		if (strlen(var->f[i].name) == fn - 1 &&
		    !strncmp(var->f[i].name, p + n + 1, fn - 1)) {
			*v = var->f[i].v;
			return n + fn;
		}
	}
	for (i = 0, o = 0; i < var->nf; i++)
		o += snprintf(have + o, sizeof(have) - o, " %s", var->f[i].name);
	s_err(s, "$%.*s has no field '%.*s' (its fields:%s)", (int)n, p,
	      (int)fn - 1, p + n + 1, var->nf ? have : " none");
	return -1;
}

/* Replace every $var in @in by its value; -1 on error. */
static int expand(struct session *s, const char *in, char *out, size_t n)
{
	size_t o = 0;
	__u64 v;
	int len;

	while (*in) {
		if (*in != '$') {
			if (o + 1 >= n)
				goto long_line;
			out[o++] = *in++;
			continue;
		}
		len = var_value(s, in + 1, &v);
		if (len < 0)
			return -1;
		if (o + 20 >= n)
			goto long_line;
		o += snprintf(out + o, n - o, "0x%llx", (unsigned long long)v);
		in += len + 1;
	}
	out[o] = '\0';
	return 0;
long_line:
	s_err(s, "line too long after expanding variables");
	return -1;
}

/* ---- expressions: numbers (0x.., suffixes p k m g), errno names, ------ */
/* ---- + - * / << >>, comparisons, !, (), all unsigned 64-bit ------------ */

struct ev {
	struct session *s;
	const char *p, *text;
	bool bad;
};

static __u64 ev_cmp(struct ev *e);

/* What the expression is for ("alloc --len: "), for its errors. */
static char ev_ctx[64];

static void ev_fail(struct ev *e, const char *what)
{
	if (!e->bad)
		s_err(e->s, "%sbad number or expression '%s': %s at '%.12s'",
		      ev_ctx, e->text, what, *e->p ? e->p : "(end)");
	e->bad = true;
}

static void ev_space(struct ev *e)
{
	while (*e->p == ' ' || *e->p == '\t')
		e->p++;
}

static __u64 ev_primary(struct ev *e)
{
	unsigned long long n;
	char word[32], *end;
	size_t i = 0;
	__u64 v;
	int en;

	ev_space(e);
	if (*e->p == '(') {
		e->p++;
		v = ev_cmp(e);
		ev_space(e);
		if (*e->p != ')')
			ev_fail(e, "missing ')'");
		else
			e->p++;
		return v;
	}
	if (*e->p == '!') {
		e->p++;
		return !ev_primary(e);
	}
	if (isdigit((unsigned char)*e->p)) {
		errno = 0;
		n = strtoull(e->p, &end, 0);
		if (errno || ((*end | 0x20) == 'x')) {
			ev_fail(e, "bad number");
			return 0;
		}
		e->p = end;
		switch (*e->p | 0x20) {
		case 'p':
			v = e->s->c->page;
			break;
		case 'k':
			v = 1ULL << 10;
			break;
		case 'm':
			v = 1ULL << 20;
			break;
		case 'g':
			v = 1ULL << 30;
			break;
		default:
			v = 1;
		}
		if (v != 1)
			e->p++;
		if (isalnum((unsigned char)*e->p) || *e->p == '_') {
			ev_fail(e, "bad number");
			return 0;
		}
		if (n > ~0ULL / v) {
			ev_fail(e, "number too large");
			return 0;
		}
		return n * v;
	}
	while (i + 1 < sizeof(word) && (isupper((unsigned char)*e->p) ||
					isdigit((unsigned char)*e->p) ||
					*e->p == '_'))
		word[i++] = *e->p++;
	word[i] = '\0';
	if (i && word[0] == 'E' && !parse_errno(word, &en))
		return en;
	if (i)
		e->p -= i;
	ev_fail(e, i ? "unknown name (errno names such as EEXIST are known)" :
		"expected a number");
	return 0;
}

static __u64 ev_prod(struct ev *e)
{
	__u64 v = ev_primary(e), r;
	char op;

	for (;;) {
		ev_space(e);
		if (*e->p != '*' && *e->p != '/' && *e->p != '%')
			return v;
		op = *e->p++;

		r = ev_primary(e);
		if (op != '*' && !r) {
			ev_fail(e, "division by zero");
			return 0;
		}
		v = op == '*' ? v * r : op == '/' ? v / r : v % r;
	}
}

static __u64 ev_sum(struct ev *e)
{
	__u64 v = ev_prod(e);

	for (;;) {
		ev_space(e);
		if (*e->p == '+') {
			e->p++;
			v += ev_prod(e);
		} else if (*e->p == '-') {
			e->p++;
			v -= ev_prod(e);
		} else {
			return v;
		}
	}
}

static __u64 ev_shift(struct ev *e)
{
	__u64 v = ev_sum(e), r;
	bool left;

	for (;;) {
		ev_space(e);
		if ((e->p[0] != '<' && e->p[0] != '>') || e->p[1] != e->p[0])
			return v;
		left = e->p[0] == '<';
		e->p += 2;
		r = ev_sum(e);
		v = r > 63 ? 0 : left ? v << r : v >> r;
	}
}

static __u64 ev_cmp(struct ev *e)
{
	static const char * const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
	__u64 l = ev_shift(e), r;
	size_t i;

	ev_space(e);
	for (i = 0; i < MT_ARRAY_SIZE(ops); i++)
		if (!strncmp(e->p, ops[i], strlen(ops[i])))
			break;
	if (i == MT_ARRAY_SIZE(ops))
		return l;
	e->p += strlen(ops[i]);
	r = ev_shift(e);
	switch (i) {
	case 0: return l == r;
	case 1: return l != r;
	case 2: return l <= r;
	case 3: return l >= r;
	case 4: return l < r;
	default: return l > r;
	}
}

/* Evaluate @text (variables already expanded); -1 on error. */
static int eval(struct session *s, const char *text, __u64 *v)
{
	struct ev e = { .s = s, .p = text, .text = text };

	*v = ev_cmp(&e);
	ev_space(&e);
	if (!e.bad && *e.p)
		ev_fail(&e, "unexpected text");
	return e.bad ? -1 : 0;
}

/* The words @argv[@from..] joined by spaces, evaluated. */
static int eval_words(struct session *s, int argc, char **argv, int from,
		      __u64 *v)
{
	char buf[S_LINE];
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = from; i < argc; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%s%s", i > from ?
			      " " : "", argv[i]);
	if (!buf[0]) {
		s_err(s, "%s needs an expression", argv[0]);
		return -1;
	}
	return eval(s, buf, v);
}

/* A numeric argument named @what of command @cmd. */
static int num_arg(struct session *s, const char *cmd, const char *what,
		   const char *arg, __u64 *v)
{
	int ret;

	if (!arg) {
		s_err(s, "%s: missing %s (try 'help %s')", cmd, what, cmd);
		return -1;
	}
	snprintf(ev_ctx, sizeof(ev_ctx), "%s %s: ", cmd, what);
	ret = eval(s, arg, v);
	ev_ctx[0] = '\0';
	return ret;
}

/* ---- the commands ------------------------------------------------------ */

struct s_cmd {
	const char *name, *args, *help;
	int (*fn)(struct session *s, int argc, char **argv);
};

static int s_dispatch(struct session *s, int argc, char **argv);

/*
 * The options of alloc/free/query/stats, parsed as the command line does;
 * numbers may be expressions ($a+1p).  Positional words go to @pos.
 */
static int s_opts(struct session *s, int argc, char **argv, struct opts *o,
		  char **pos, int maxpos, int *npos)
{
	char num[32];
	__u64 v;
	int c, ret;

	/* fresh options; the session's device and output */
	*o = (struct opts){
		.cmd = s->base->cmd, .device = s->base->device,
		.rdonly = s->base->rdonly, .json = s->base->json,
		.prot = PROT_READ | PROT_WRITE,
	};
	*npos = 0;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-:", long_opts, NULL)) != -1) {
		switch (c) {
		case 1:
			if (*npos >= maxpos) {
				s_err(s, "%s: unexpected argument '%s'",
				      argv[0], optarg);
				return -1;
			}
			pos[(*npos)++] = optarg;
			continue;
		case ':':
			s_err(s, "%s: option '%s' needs a value", argv[0],
			      argv[optind - 1]);
			return -1;
		case '?':
		case 'h':
			s_err(s, "%s: unknown option '%s' (try 'help %s')",
			      argv[0], argv[optind - 1], argv[0]);
			return -1;
		case OPT_EXPECT:
		case OPT_PROT:
			if (parse_opt(o, c, optarg, s->c->page)) {
				s_json_last(s);	/* the line is printed */
				return -1;
			}
			continue;
		case OPT_DEVICE:
		case OPT_RDONLY:
		case OPT_JSON:
		case OPT_UNTIL_SIGNAL:
			s_err(s, "%s: --%s applies to the whole session: give it before -i or script",
			      argv[0], c == OPT_DEVICE ? "device" :
			      c == OPT_RDONLY ? "rdonly" : c == OPT_JSON ?
			      "json" : "until-signal");
			return -1;
		case OPT_ADDR:
		case OPT_LEN:
		case OPT_PGOFF:
		case OPT_RESERVED:
		case OPT_RAW:
			snprintf(ev_ctx, sizeof(ev_ctx), "%s --%s: ", argv[0],
				 long_opts[c - OPT_ADDR].name);
			ret = eval(s, optarg, &v);
			ev_ctx[0] = '\0';
			if (ret)
				return -1;
			snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
			if (parse_opt(o, c, num, s->c->page)) {
				s_err(s, "%s: --%s %s is out of range", argv[0],
				      long_opts[c - OPT_ADDR].name, optarg);
				return -1;
			}
			continue;
		}
		parse_opt(o, c, optarg, s->c->page);	/* flags: no error */
	}
	return 0;
}

static bool s_need_dev(struct session *s, const char *cmd)
{
	if (s->c->fd >= 0)
		return true;
	s_err(s, "%s: %s is not open (see the error at the start)", cmd,
	      s->base->device);
	return false;
}

/* Result of an ioctl command: expected errno or not. */
static int s_ioctl_done(struct session *s, const struct opts *o, int ret)
{
	s->last_errno = -ret;
	res_field(s, "errno", -ret);
	if (o->expect_set)
		return check_expect(o, ret);
	return ret ? 1 : 0;
}

static int s_alloc(struct session *s, int argc, char **argv)
{
	struct mmap_test_alloc a;
	struct opts o;
	int np, ret;

	if (s_opts(s, argc, argv, &o, NULL, 0, &np) || !s_need_dev(s, argv[0]))
		return -1;
	s->c->o = &o;
	ret = alloc_req(s->c, &a);
	res_reset(s, ret ? 0 : a.mapped);
	res_field(s, "mapped", ret ? 0 : a.mapped);
	res_field(s, "addr", a.addr);
	res_field(s, "len", page_align(a.len, s->c->page));
	res_field(s, "pgoff", a.pgoff);
	if (before_copied(&a))
		res_report(s, "before.", &a.before);
	return s_ioctl_done(s, &o, ret);
}

/* free ADDR [LEN] or --addr/--len; LEN defaults to $var's len. */
static int s_free(struct session *s, int argc, char **argv)
{
	const struct s_var *var = NULL;
	char *pos[2];
	struct opts o;
	int np, i, ret;

	if (s_opts(s, argc, argv, &o, pos, 2, &np))
		return -1;
	if (np && (o.addr_set || (np == 2 && o.len_set))) {
		s_err(s, "free: give the address either as a word or as --addr");
		return -1;
	}
	if (np && num_arg(s, "free", "ADDR", pos[0], &o.addr))
		return -1;
	o.addr_set |= np > 0;
	if (np == 2) {
		if (num_arg(s, "free", "LEN", pos[1], &o.len))
			return -1;
		o.len_set = true;
	}
	if (!o.addr_set) {
		s_err(s, "free: missing address (free ADDR [LEN], try 'help free')");
		return -1;
	}
	/* free $a: the length of what $a mapped */
	for (i = 0; !o.len_set && i < s->nvars; i++)
		if (s->vars[i].v == o.addr)
			var = &s->vars[i];
	for (i = 0; var && !o.len_set && i < var->nf; i++) {
		if (!strcmp(var->f[i].name, "len")) {
			o.len = var->f[i].v;
			o.len_set = true;
		}
	}
	if (!s_need_dev(s, argv[0]))
		return -1;
	s->c->o = &o;
	ret = free_req(s->c);
	res_reset(s, o.addr);
	res_field(s, "addr", o.addr);
	res_field(s, "len", o.len_set ? o.len : s->c->page);
	return s_ioctl_done(s, &o, ret);
}

static int s_query(struct session *s, int argc, char **argv)
{
	struct mmap_test_vma_report r;
	char *pos[1];
	struct opts o;
	int np, ret;

	if (s_opts(s, argc, argv, &o, pos, 1, &np))
		return -1;
	if (np && o.addr_set) {
		s_err(s, "query: give the address either as a word or as --addr");
		return -1;
	}
	if (np && num_arg(s, "query", "ADDR", pos[0], &o.addr))
		return -1;
	if (!np && !o.addr_set) {
		s_err(s, "query: missing address (query ADDR)");
		return -1;
	}
	if (!s_need_dev(s, argv[0]))
		return -1;
	s->c->o = &o;
	ret = query_req(s->c, &r);
	res_reset(s, r.vm_start);
	res_report(s, "", &r);
	res_field(s, "pages", (r.vm_end - r.vm_start) / s->c->page);
	return s_ioctl_done(s, &o, ret);
}

static int s_stats(struct session *s, int argc, char **argv)
{
	struct mmap_test_stats st;
	struct opts o;
	size_t i;
	int np, ret;

	if (s_opts(s, argc, argv, &o, NULL, 0, &np) || !s_need_dev(s, argv[0]))
		return -1;
	s->c->o = &o;
	ret = stats_req(s->c, &st);
	res_reset(s, st.faults);
	for (i = 0; i < MT_ARRAY_SIZE(stat_fields); i++)
		res_field(s, stat_fields[i].name, stat_value(&st, i));
	return s_ioctl_done(s, &o, ret);
}

/* maps: /proc/self/maps, each VMA annotated from QUERY_VMA. */
static int s_maps(struct session *s, int argc, char **argv)
{
	static struct vma_range v[512];
	static char lines[512][512];
	struct mmap_test_vma_report r;
	struct mmap_test_query q;
	char note[160];
	int i, j, n = 0, devs = 0;
	size_t o;
	FILE *f;

	if (argc > 1) {
		s_err(s, "maps takes no arguments");
		return -1;
	}
	f = fopen("/proc/self/maps", "r");
	if (!f) {
		s_err(s, "maps: cannot open /proc/self/maps: %s", strerror(errno));
		return -1;
	}
	while (n < 512 && fgets(lines[n], sizeof(lines[n]), f)) {
		lines[n][strcspn(lines[n], "\n")] = '\0';
		n++;
	}
	fclose(f);
	if (read_maps(v, 512) != n) {
		s_err(s, "maps: /proc/self/maps changed while reading it");
		return -1;
	}
	if (s->json) {	/* one object: {"command":"maps","vmas":[...]} */
		j_begin(NULL);
		j_str("command", "maps");
		j_bool("ok", true);
		j_key("vmas");
		putchar('[');
	}
	for (i = 0; i < n; i++) {
		o = 0;
		note[0] = '\0';
		memset(&q, 0, sizeof(q));
		q.addr = v[i].start;
		if (s->c->fd >= 0 && !mt_ioctl(s->c->fd, IOCTL_QUERY_VMA, &q) &&
		    q.report.contains) {
			r = q.report;
			o += snprintf(note + o, sizeof(note) - o, "%s",
				      mt_backing_name(r.backing));
			if (r.backing == MMAP_TEST_BACKING_DEVICE) {
				__u64 last = r.vm_pgoff - 1 +
					(r.vm_end - r.vm_start) / s->c->page;

				devs++;
				o += snprintf(note + o, sizeof(note) - o,
					      last == r.vm_pgoff ?
					      ", buffer page %llu" :
					      ", buffer pages %llu-%llu",
					      (unsigned long long)r.vm_pgoff,
					      (unsigned long long)last);
			}
		} else if (s->c->fd >= 0) {
			o += snprintf(note + o, sizeof(note) - o, "not a VMA of find_vma()");
		}
		o += snprintf(note + o, sizeof(note) - o, "%s%llu page%s",
			      o ? ", " : "",
			      (unsigned long long)((v[i].end - v[i].start) /
						   s->c->page),
			      v[i].end - v[i].start == s->c->page ? "" : "s");
		for (j = 0; j < s->nvars; j++)
			if (s->vars[j].v >= v[i].start && s->vars[j].v < v[i].end)
				o += snprintf(note + o, sizeof(note) - o,
					      " $%s", s->vars[j].name);
		if (s->json) {
			if (i)
				putchar(',');
			j_begin(NULL);
			j_hex("start", v[i].start);
			j_hex("end", v[i].end);
			j_str("line", lines[i]);
			j_str("note", note);
			j_end();
		} else {
			printf("%-72s  [%s]\n", lines[i], note);
		}
	}
	if (s->json) {
		printf("]}\n");
		j_first = false;
	}
	res_reset(s, n);
	res_field(s, "vmas", n);
	res_field(s, "device_vmas", devs);
	return 0;
}

/* Parse r|w; -1 if it is neither. */
static int rw_arg(const char *a)
{
	if (!strcmp(a, "r") || !strcmp(a, "read"))
		return 0;
	if (!strcmp(a, "w") || !strcmp(a, "write"))
		return 1;
	return -1;
}

/*
 * One read, or one write of a 0 byte; -1 on a fault.  A plain store: an
 * atomic read-modify-write that kept the byte would be a load-exclusive
 * and a store on arm64 without LSE (a read fault first, fault-around).
 */
static int touch_page(volatile unsigned char *p, int write)
{
	if (sigsetjmp(fault_jmp, 1)) {
		fault_armed = 0;
		return -1;
	}
	fault_armed = 1;
	if (write)
		*p = 0;
	else
		(void)*p;
	fault_armed = 0;
	return 0;
}

/* touch ADDR [LEN] [r|w]: one access per page, faults counted. */
static int s_touch(struct session *s, int argc, char **argv)
{
	struct mmap_test_stats s0 = { 0 }, s1 = { 0 };
	struct rusage u0, u1;
	volatile unsigned char *p;
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
		if (touch_page(p, write)) {
			s_err(s, "touch: %s at %p (%s)",
			      fault_sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
			      fault_addr, fault_sig == SIGBUS ?
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
		j_begin(NULL);
		j_str("command", "touch");
		j_bool("ok", true);
		j_hex("addr", addr);
		j_num("pages", pages);
		j_str("access", write ? "write" : "read");
		j_num("faults", s1.faults - s0.faults);
		j_num("pages_around", s1.pages_around - s0.pages_around);
		j_num("minflt", u1.ru_minflt - u0.ru_minflt);
		j_num("majflt", u1.ru_majflt - u0.ru_majflt);
		j_end();
		putchar('\n');
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
	if (sigsetjmp(fault_jmp, 1)) {
		fault_armed = 0;
		s_err(s, "%s: %s at %p (%s)", what,
		      fault_sig == SIGBUS ? "SIGBUS" : "SIGSEGV", fault_addr,
		      fault_sig == SIGBUS ? "page outside the device buffer?" :
		      "not mapped, or prot does not allow it");
		return -1;
	}
	fault_armed = 1;
	memcpy(dst, src, n);
	fault_armed = 0;
	return 0;
}

/* read ADDR [LEN]: bytes through a mapping, as text up to a NUL. */
static int s_read(struct session *s, int argc, char **argv)
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
		j_begin(NULL);
		j_str("command", "read");
		j_bool("ok", true);
		j_hex("addr", addr);
		j_str("text", text);
		j_num("first_byte", buf[0]);
		j_end();
		putchar('\n');
	} else {
		printf("0x%llx: \"%s\"%s\n", (unsigned long long)addr, text,
		       i < len ? "" : " (no NUL)");
	}
	return 0;
}

/* write ADDR TEXT...: TEXT and a NUL through a mapping. */
static int s_write(struct session *s, int argc, char **argv)
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
		j_begin(NULL);
		j_str("command", "write");
		j_bool("ok", true);
		j_hex("addr", addr);
		j_str("text", text);
		j_end();
		putchar('\n');
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
		j_begin(NULL);
		j_str("command", what);
		j_bool("ok", ret >= 0);
		j_str("errno_name", ret < 0 ? mt_errno_name(err) : NULL);
		if (ret >= 0)
			j_hex("result", ret);
		j_end();
		putchar('\n');
	} else if (ret < 0) {
		fflush(stdout);
		fprintf(stderr, "%s failed: %s (%s)\n", what, mt_errno_name(err),
			strerror(err));
	} else {
		printf("%s: ok\n", what);
	}
	return ret < 0 ? 1 : 0;
}

static int s_madvise(struct session *s, int argc, char **argv)
{
	__u64 addr, len, v;
	size_t i;
	int adv = -1;
	long ret;

	if (argc != 4) {
		s_err(s, "madvise: usage: madvise ADDR LEN ADVICE (dontneed, willneed, ..., or a number)");
		return -1;
	}
	if (num_arg(s, "madvise", "ADDR", argv[1], &addr) ||
	    num_arg(s, "madvise", "LEN", argv[2], &len))
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

static int s_mprotect(struct session *s, int argc, char **argv)
{
	__u64 addr, len;
	__u32 prot;
	long ret;

	if (argc != 4) {
		s_err(s, "mprotect: usage: mprotect ADDR LEN PROT (r, rw, rwx, none)");
		return -1;
	}
	if (num_arg(s, "mprotect", "ADDR", argv[1], &addr) ||
	    num_arg(s, "mprotect", "LEN", argv[2], &len))
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
static int s_mremap(struct session *s, int argc, char **argv)
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
 * fork CMD [; CMD]...: the commands run in a child; afterwards the parent
 * reads back what each "write" of the child wrote.
 */
static int s_fork(struct session *s, int argc, char **argv)
{
	int i, start, status, seen = 0, writes = 0, code;
	char buf[S_LINE];
	pid_t pid;
	__u64 addr;

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
	/* what does the parent see where the child wrote? */
	for (start = i = 1; i < argc; i++) {
		if (strcmp(argv[i], "write") || (i > 1 && strcmp(argv[i - 1], ";")))
			continue;
		if (i + 2 >= argc || eval(s, argv[i + 1], &addr))
			continue;
		buf[0] = '\0';
		if (s_copy(s, "fork: the parent's read", buf,
			   (void *)(uintptr_t)addr, strlen(argv[i + 2]) + 1))
			continue;
		buf[strlen(argv[i + 2])] = '\0';
		writes++;
		if (!strcmp(buf, argv[i + 2]))
			seen++;
		if (!s->json)
			printf("fork: the parent sees \"%s\" at 0x%llx: the child's write is %s\n",
			       buf, (unsigned long long)addr,
			       !strcmp(buf, argv[i + 2]) ?
			       "visible (the page is shared)" :
			       "not visible (the child wrote its own copy: COW)");
	}
	res_reset(s, code);
	res_field(s, "status", code);
	res_field(s, "writes", writes);
	res_field(s, "visible", seen);
	if (s->json) {
		j_begin(NULL);
		j_str("command", "fork");
		j_bool("ok", !code);
		j_num("pid", pid);
		j_num("status", code);
		j_num("writes", writes);
		j_num("visible", seen);
		j_end();
		putchar('\n');
	}
	return code ? 1 : 0;
}

/* hint [LEN]: an address where LEN bytes are free now. */
static int s_hint(struct session *s, int argc, char **argv)
{
	__u64 len = s->c->page;
	void *p;

	if (argc > 2) {
		s_err(s, "hint: usage: hint [LEN]");
		return -1;
	}
	if (argc == 2 && num_arg(s, "hint", "LEN", argv[1], &len))
		return -1;
	p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		s_err(s, "hint: no free range of 0x%llx bytes: %s",
		      (unsigned long long)len, mt_errno_name(errno));
		return -1;
	}
	munmap(p, len);
	res_reset(s, (uintptr_t)p);
	res_field(s, "len", len);
	if (s->json) {
		j_begin(NULL);
		j_str("command", "hint");
		j_bool("ok", true);
		j_hex("addr", (uintptr_t)p);
		j_hex("len", len);
		j_end();
		putchar('\n');
	} else {
		printf("hint: 0x%llx is free for 0x%llx bytes (where a hint-less mmap(2) put it; now unmapped)\n",
		       (unsigned long long)(uintptr_t)p, (unsigned long long)len);
	}
	return 0;
}

/* place: TASK_SIZE, the window, the layout, the stack and mmap's top. */
static int s_place(struct session *s, int argc, char **argv)
{
	static struct vma_range v[512];
	struct task_top t = task_top();
	__u64 stk0 = 0, stk1 = 0, top = 0, heap = 0;
	char why[160];
	bool down = layout_topdown(why, sizeof(why));
	int i, n;

	if (argc > 1) {
		s_err(s, "place takes no arguments");
		return -1;
	}
	stack_range(&stk0, &stk1);
	n = read_maps(v, 512);
	for (i = 0; i < n; i++)		/* the brk heap is below mmap's area */
		if (!strcmp(v[i].name, "[heap]"))
			heap = v[i].end;
	for (i = 0; i < n; i++)
		if (v[i].start >= heap && v[i].end <= stk0 && v[i].end > top &&
		    strcmp(v[i].name, "[heap]"))
			top = v[i].end;
	res_reset(s, top);
	res_field(s, "task_size", t.end);
	res_field(s, "window", MAP_WINDOW_END);
	res_field(s, "topdown", down);
	res_field(s, "stack_start", stk0);
	res_field(s, "stack_end", stk1);
	res_field(s, "mmap_top", top);
	if (s->json) {
		j_begin(NULL);
		j_str("command", "place");
		j_bool("ok", true);
		j_hex("task_size", t.end);
		j_bool("task_size_measured", t.exact);
		j_hex("window", MAP_WINDOW_END);
		j_str("layout", why);
		j_hex("stack_start", stk0);
		j_hex("stack_end", stk1);
		j_hex("mmap_top", top);
		j_end();
		putchar('\n');
		return 0;
	}
	printf("TASK_SIZE    0x%llx (%s): user addresses end there\n",
	       (unsigned long long)t.end, t.exact ? "measured with MAP_FIXED_NOREPLACE" :
	       "estimated");
	printf("window       0x%llx (2^%d): no mapping goes above it without a hint above it%s\n",
	       (unsigned long long)MAP_WINDOW_END, MAP_WINDOW_BITS,
	       t.end > MAP_WINDOW_END ? "" : " (here TASK_SIZE is not above it)");
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

static int s_echo(struct session *s, int argc, char **argv)
{
	char text[S_LINE];
	size_t o = 0;
	int i;

	text[0] = '\0';
	for (i = 1; i < argc; i++)
		o += snprintf(text + o, sizeof(text) - o, "%s%s", i > 1 ? " " :
			      "", argv[i]);
	if (s->json) {
		j_begin(NULL);
		j_str("command", "echo");
		j_str("text", text);
		j_end();
		putchar('\n');
	} else {
		printf("%s\n", text);
	}
	return 0;
}

/* The raw words of the line being run, for messages. */
static const char *s_raw;

static int s_expect(struct session *s, int argc, char **argv)
{
	const char *what = s_raw ? strstr(s_raw, "expect") : NULL;
	__u64 v;

	what = what ? what + 6 : "";
	while (*what == ' ' || *what == '\t')
		what++;
	while (*what == ' ' || *what == '\t')
		what++;
	if (eval_words(s, argc, argv, 1, &v))
		return -1;
	s->expects++;
	res_reset(s, !!v);
	if (s->json) {
		j_begin(NULL);
		j_str("command", "expect");
		j_bool("ok", v);
		j_str("expect", what);
		j_end();
		putchar('\n');
		if (v)
			return 0;
	}
	if (v) {
		printf("expect ok: %s\n", what);
		return 0;
	}
	errmsg("expect failed: %s", what);
	return 1;
}

static int s_require(struct session *s, int argc, char **argv)
{
	char expr[S_LINE], why[S_LINE];
	size_t o = 0;
	int i, from = argc;
	__u64 v;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			from = i + 1;
			break;
		}
	}
	if (from == argc || from == 2) {
		s_err(s, "require: usage: require COND -- REASON");
		return -1;
	}
	expr[0] = why[0] = '\0';
	for (i = 1; i < from - 1; i++)
		o += snprintf(expr + o, sizeof(expr) - o, "%s%s", i > 1 ? " " :
			      "", argv[i]);
	for (o = 0, i = from; i < argc; i++)
		o += snprintf(why + o, sizeof(why) - o, "%s%s", i > from ?
			      " " : "", argv[i]);
	if (eval(s, expr, &v))
		return -1;
	if (v && s->json) {
		j_begin(NULL);
		j_str("command", "require");
		j_bool("ok", true);
		j_end();
		putchar('\n');
	}
	if (v)
		return 0;
	if (s->json) {
		j_begin(NULL);
		j_str("command", "require");
		j_bool("ok", false);
		j_str("skip", why);
		j_end();
		putchar('\n');
	} else {
		printf("SKIP: %s\n", why);
	}
	if (s->script) {
		s->skipped = true;
		s->stop = true;
	}
	return 0;
}

static int s_if(struct session *s, int argc, char **argv)
{
	__u64 v;

	if (argc < 3) {
		s_err(s, "if: usage: if COND CMD... (COND one word, e.g. $a.contains==0)");
		return -1;
	}
	if (eval(s, argv[1], &v))
		return -1;
	if (!v && s->json) {
		j_begin(NULL);
		j_str("command", "if");
		j_bool("ok", true);
		j_bool("ran", false);
		j_end();
		putchar('\n');
	}
	return v ? s_dispatch(s, argc - 2, argv + 2) : 0;
}

static int s_quit(struct session *s, int argc, char **argv)
{
	s->stop = true;
	return 0;
}

static int s_help(struct session *s, int argc, char **argv);

static const struct s_cmd s_cmds[] = {
	{ "alloc", "[--addr A] [--len L] [--anon] [--private] ...",
	  "ALLOC_VMA, with the options of 'test-mmap alloc'; yields the address (fields: len, before.contains, ...)",
	  s_alloc },
	{ "free", "ADDR [LEN] | --addr A --len L",
	  "FREE_VMA (vm_munmap); LEN defaults to the length of the variable's mapping, else a page",
	  s_free },
	{ "query", "ADDR | --addr A", "QUERY_VMA: find_vma() of ADDR (fields: found, contains, vm_start, vm_end, gap, nr_vmas, ...)",
	  s_query },
	{ "stats", "", "GET_STATS: the module's counters (fields: faults, pages_around, live_vmas, ...)",
	  s_stats },
	{ "maps", "", "/proc/self/maps, each VMA annotated: backing, buffer pages of device VMAs, variables in it",
	  s_maps },
	{ "touch", "ADDR [LEN] [r|w]", "one read (or one write of a 0 byte) per page; faults and fault-around from the counters",
	  s_touch },
	{ "read", "ADDR [LEN]", "the bytes at ADDR through the mapping, as text",
	  s_read },
	{ "write", "ADDR TEXT", "write TEXT and a NUL at ADDR through the mapping",
	  s_write },
	{ "madvise", "ADDR LEN ADVICE", "madvise(2): dontneed, willneed, wipeonfork, pageout, ... or a number",
	  s_madvise },
	{ "mprotect", "ADDR LEN PROT", "mprotect(2): r, rw, rwx, none",
	  s_mprotect },
	{ "mremap", "ADDR OLDLEN NEWLEN [maymove] [fixed NEWADDR]", "mremap(2); yields the new address",
	  s_mremap },
	{ "fork", "CMD [; CMD]...", "run the commands in a child, then show what the parent sees where it wrote (fields: status, writes, visible)",
	  s_fork },
	{ "hint", "[LEN]", "an address where LEN bytes are free now (a hint that will be honoured)",
	  s_hint },
	{ "place", "", "TASK_SIZE, the default window, the layout, the stack and the top of the mmap area",
	  s_place },
	{ "echo", "TEXT...", "print TEXT ($variables expanded)",
	  s_echo },
	{ "expect", "EXPR", "an assertion: fails the script unless EXPR is true (e.g. expect $q.nr_vmas == $n)",
	  s_expect },
	{ "require", "COND -- REASON", "a script stops here, exit status 4 (skipped), unless COND is true",
	  s_require },
	{ "if", "COND CMD...", "run CMD only if COND (one word) is true",
	  s_if },
	{ "help", "[CMD]", "this list, or one command",
	  s_help },
	{ "quit", "", "end the session (also: exit, end of input)",
	  s_quit },
	{ "exit", "", NULL, s_quit },
};

static const struct s_cmd *s_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < MT_ARRAY_SIZE(s_cmds); i++)
		if (!strcmp(name, s_cmds[i].name))
			return &s_cmds[i];
	return NULL;
}

static void s_usage_of(struct session *s, const char *cmd)
{
	const struct s_cmd *c = s_lookup(cmd);

	if (c && c->help)
		printf("  %s%s%s\n      %s\n", c->name, c->args[0] ? " " : "",
		       c->args, c->help);
}

static int s_help(struct session *s, int argc, char **argv)
{
	size_t i;

	if (argc > 2) {
		s_err(s, "help: usage: help [CMD]");
		return -1;
	}
	if (argc == 2) {
		if (!s_lookup(argv[1])) {
			s_err(s, "help: no command '%s'", argv[1]);
			return -1;
		}
		s_usage_of(s, argv[1]);
		return 0;
	}
	printf("commands (one per line; '# ...' is a comment):\n");
	for (i = 0; i < MT_ARRAY_SIZE(s_cmds); i++)
		s_usage_of(s, s_cmds[i].name);
	printf("variables: '$a = alloc ...' keeps a command's result: $a is its address (or count),\n"
	       "  $a.FIELD a field of it; '$n = EXPR' keeps a number. Built in: $page $task_size\n"
	       "  $window $buffer_pages $errno (of the last command) $pid.\n"
	       "numbers: 0x.., decimal, suffixes p (pages) k m g; errno names (EEXIST);\n"
	       "  + - * / << >> == != < <= > >= ! ( ), e.g. --addr $a-1p\n");
	return 0;
}

static int s_dispatch(struct session *s, int argc, char **argv)
{
	const struct s_cmd *c = s_lookup(argv[0]);

	if (!c) {
		s_err(s, "unknown command '%s' (try 'help')", argv[0]);
		return -1;
	}
	res_reset(s, 0);
	return c->fn(s, argc, argv);
}

/*
 * Split @line into words, in place: blanks separate, "..." quotes (with \"
 * and \\), # starts a comment.  The number of words, or -1.
 */
static int s_split(struct session *s, char *line, char **argv)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\r')
			r++;
		if (!*r || *r == '#')
			return argc;
		if (argc == S_ARGS) {
			s_err(s, "too many words (at most %d)", S_ARGS);
			return -1;
		}
		argv[argc++] = w;
		while (*r && *r != ' ' && *r != '\t' && *r != '\r') {
			if (*r != '"') {
				*w++ = *r++;
				continue;
			}
			for (r++; *r != '"'; r++) {
				if (!*r) {
					s_err(s, "unterminated \" quote");
					return -1;
				}
				if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
					r++;
				*w++ = *r;
			}
			r++;
		}
		if (*r)
			r++;
		*w++ = '\0';
	}
}

static bool s_name_ok(const char *n)
{
	const char *p = n;

	if (!*p || isdigit((unsigned char)*p))
		return false;
	for (; *p; p++)
		if (*p != '_' && !isalnum((unsigned char)*p))
			return false;
	return true;
}

static int s_assign(struct session *s, const char *name)
{
	struct s_var *v = var_find(s, name, strlen(name));
	__u64 dummy;

	if (builtin(s, name, strlen(name), &dummy)) {
		s_err(s, "$%s is built in and cannot be assigned", name);
		return -1;
	}
	if (!v && s->nvars == S_VARS) {
		s_err(s, "too many variables (at most %d)", S_VARS);
		return -1;
	}
	if (!v)
		v = &s->vars[s->nvars++];
	*v = s->res;
	snprintf(v->name, sizeof(v->name), "%s", name);
	if (!s->json)
		printf("$%s = 0x%llx\n", name, (unsigned long long)v->v);
	return 0;
}

/* One line: 0 ok, 1 a command failed, -1 an error of the line. */
static int s_run_line(struct session *s, const char *raw)
{
	char exp[S_LINE], *argv[S_ARGS], name[32];
	int argc, ret;
	const struct s_cmd *c;
	__u64 v;

	s_set_prefix(s);
	s_raw = raw;
	if (strlen(raw) >= S_LINE - 1) {
		s_err(s, "line too long (at most %d characters)", S_LINE - 2);
		return -1;
	}
	snprintf(exp, sizeof(exp), "%s", raw);
	argc = s_split(s, exp, argv);
	if (argc <= 0)
		return argc;
	name[0] = '\0';
	if (argv[0][0] == '$') {
		if (argc < 3 || strcmp(argv[1], "=")) {
			s_err(s, "a line starting with $ is an assignment: $name = COMMAND ... or $name = EXPR");
			return -1;
		}
		if (!s_name_ok(argv[0] + 1) || strlen(argv[0] + 1) >= sizeof(name)) {
			s_err(s, "bad variable name '%s' (letters, digits, _)",
			      argv[0]);
			return -1;
		}
		snprintf(name, sizeof(name), "%s", argv[0] + 1);
		argc -= 2;
		memmove(argv, argv + 2, argc * sizeof(argv[0]));
	}
	/* expand $variables word by word (a word's text moves to a buffer) */
	{
		static char words[S_ARGS][S_LINE];
		int i;

		for (i = 0; i < argc; i++) {
			if (expand(s, argv[i], words[i], sizeof(words[i])))
				return -1;
			argv[i] = words[i];
		}
	}
	c = s_lookup(argv[0]);
	if (name[0] && !c && islower((unsigned char)argv[0][0])) {
		s_err(s, "unknown command '%s' (try 'help')", argv[0]);
		return -1;
	}
	if (name[0] && !c) {
		res_reset(s, 0);
		if (eval_words(s, argc, argv, 0, &v))
			return -1;
		s->res.v = v;
		if (s->json) {
			j_begin(NULL);
			j_str("command", "set");
			j_bool("ok", true);
			j_str("name", name);
			j_hex("value", v);
			j_end();
			putchar('\n');
		}
		return s_assign(s, name);
	}
	if (name[0] && (c->fn == s_help || c->fn == s_quit ||
			c->fn == s_require || c->fn == s_if)) {
		s_err(s, "'%s' yields nothing to assign", argv[0]);
		return -1;
	}
	ret = s_dispatch(s, argc, argv);
	if (ret >= 0 && name[0] && s_assign(s, name))
		return -1;
	return ret;
}

/* ---- reading lines: a small line editor on a terminal ------------------ */

static void s_redraw(const char *prompt, const char *buf, size_t len,
		     size_t cur)
{
	printf("\r%s%.*s\033[K", prompt, (int)len, buf);
	if (len > cur)
		printf("\033[%zuD", len - cur);
	fflush(stdout);
}

static void s_hist_add(struct session *s, const char *line)
{
	if (!line[0] || (s->nhist && !strcmp(s->hist[s->nhist - 1], line)))
		return;
	if (s->nhist == S_HIST) {
		memmove(s->hist[0], s->hist[1], sizeof(s->hist[0]) * (S_HIST - 1));
		s->nhist--;
	}
	snprintf(s->hist[s->nhist++], S_LINE, "%s", line);
}

/*
 * A line from the terminal: left/right, Home/End (Ctrl-A/E), Backspace,
 * Delete, Ctrl-U, Ctrl-K, up/down through the history, Ctrl-C drops the
 * line, Ctrl-D on an empty line ends the session.  -1 at the end.
 */
static int s_edit_line(struct session *s, const char *prompt, char *buf,
		       size_t n)
{
	struct termios orig, raw;
	size_t len = 0, cur = 0;
	int h = s->nhist, ret = 0;
	unsigned char ch, seq[3];

	if (tcgetattr(0, &orig))
		return -2;
	raw = orig;
	raw.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	raw.c_iflag &= ~(IXON | ICRNL);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(0, TCSAFLUSH, &raw);
	s_redraw(prompt, buf, 0, 0);
	for (;;) {
		if (read(0, &ch, 1) != 1) {
			ret = -1;
			break;
		}
		if (ch == '\r' || ch == '\n')
			break;
		if (ch == 4 && !len) {		/* Ctrl-D */
			ret = -1;
			break;
		} else if (ch == 3) {		/* Ctrl-C */
			printf("^C\r\n");
			len = cur = 0;
		} else if (ch == 1) {
			cur = 0;
		} else if (ch == 5) {
			cur = len;
		} else if (ch == 21) {		/* Ctrl-U */
			memmove(buf, buf + cur, len - cur);
			len -= cur;
			cur = 0;
		} else if (ch == 11) {		/* Ctrl-K */
			len = cur;
		} else if ((ch == 127 || ch == 8) && cur) {
			memmove(buf + cur - 1, buf + cur, len - cur);
			cur--;
			len--;
		} else if (ch == 4 && cur < len) {
			memmove(buf + cur, buf + cur + 1, len - cur - 1);
			len--;
		} else if (ch == 27) {
			if (read(0, seq, 1) != 1 || read(0, seq + 1, 1) != 1)
				continue;
			if (seq[0] != '[' && seq[0] != 'O')
				continue;
			if (seq[1] >= '0' && seq[1] <= '9') {
				if (read(0, seq + 2, 1) != 1 || seq[2] != '~')
					continue;
				if (seq[1] == '3' && cur < len) {
					memmove(buf + cur, buf + cur + 1,
						len - cur - 1);
					len--;
				} else if (seq[1] == '1' || seq[1] == '7') {
					cur = 0;
				} else if (seq[1] == '4' || seq[1] == '8') {
					cur = len;
				}
			} else if (seq[1] == 'A' || seq[1] == 'B') {
				if (seq[1] == 'A' && h > 0)
					h--;
				else if (seq[1] == 'B' && h < s->nhist)
					h++;
				else
					continue;
				snprintf(buf, n, "%s", h < s->nhist ?
					 s->hist[h] : "");
				len = cur = strlen(buf);
			} else if (seq[1] == 'C' && cur < len) {
				cur++;
			} else if (seq[1] == 'D' && cur) {
				cur--;
			} else if (seq[1] == 'H') {
				cur = 0;
			} else if (seq[1] == 'F') {
				cur = len;
			}
		} else if (ch >= 0x20 && ch != 127 && len + 1 < n) {
			memmove(buf + cur + 1, buf + cur, len - cur);
			buf[cur++] = ch;
			len++;
		}
		s_redraw(prompt, buf, len, cur);
	}
	buf[len] = '\0';
	printf("\r\n");
	tcsetattr(0, TCSAFLUSH, &orig);
	if (!ret)
		s_hist_add(s, buf);
	return ret;
}

/* The next line of @f (the terminal: edited); -1 at the end. */
static int s_next_line(struct session *s, FILE *f, char *buf, size_t n)
{
	static const char prompt[] = "mmap-test> ";
	size_t len;
	int c, r;

	if (s->tty) {
		r = s_edit_line(s, prompt, buf, n);
		if (r != -2)
			return r;
	}
	fflush(stdout);
	if (!fgets(buf, n, f))
		return -1;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n') {
		buf[--len] = '\0';
	} else if (len == n - 1) {	/* too long: s_run_line says so */
		while ((c = fgetc(f)) != EOF && c != '\n')
			;
	}
	if (!s->script && !s->json)	/* a transcript of piped input */
		printf("%s%s\n", prompt, buf);
	return 0;
}

/* test-mmap -i / test-mmap script FILE|-: the exit status. */
static int cmd_session(struct ctx *c, bool script, const char *file)
{
	static struct session s;
	char line[S_LINE + 1];
	FILE *f = stdin;
	int ret;

	s.c = c;
	s.base = c->o;
	s.script = script;
	s.json = c->o->json;
	s.src = script ? file : "stdin";
	if (script && strcmp(file, "-")) {
		f = fopen(file, "r");
		if (!f) {
			errmsg("cannot open script %s: %s", file, strerror(errno));
			return 2;
		}
	}
	s.tty = !script && isatty(0) && isatty(1);
	if (!script && !s.json)
		printf("test-mmap lab bench: one process (pid %d), one address space; 'help' lists the commands%s\n",
		       (int)getpid(), s.tty ? ", Ctrl-D ends" : "");
	while (!s.stop) {
		s.line++;
		if (s_next_line(&s, f, line, sizeof(line)) < 0)
			break;
		if (script && !s.json && line[0])
			printf("%s%s\n", line[0] == '#' ? "" : "> ", line);
		ret = s_run_line(&s, line);
		if (ret)
			s.errors++;
		fflush(stdout);
	}
	if (f != stdin)
		fclose(f);
	snprintf(err_prefix, sizeof(err_prefix), "test-mmap");
	if (!s.json && (script || s.errors))
		printf("%s: %d line%s failed, %d expect%s%s\n", s.src, s.errors,
		       s.errors == 1 ? "" : "s", s.expects,
		       s.expects == 1 ? "" : "s",
		       s.skipped ? ", skipped (require)" : "");
	if (s.errors)
		return 1;
	return s.skipped ? S_SKIP : 0;
}

static int cmd_interactive(struct ctx *c)
{
	return cmd_session(c, false, NULL);
}

static int cmd_script(struct ctx *c)
{
	return cmd_session(c, true, c->o->script);
}

int main(int argc, char **argv)
{
	static int (*const cmds[])(struct ctx *) = {
		[CMD_RUN] = cmd_run, [CMD_ALLOC] = cmd_alloc,
		[CMD_FREE] = cmd_free, [CMD_QUERY] = cmd_query,
		[CMD_STATS] = cmd_stats, [CMD_HOLD] = cmd_hold,
		[CMD_TOUR] = cmd_tour, [CMD_SCRIPT] = cmd_script,
		[CMD_INTERACTIVE] = cmd_interactive,
	};
	struct opts o = { 0 };
	struct ctx c = { .o = &o, .fd = -1 };
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	c.page = sysconf(_SC_PAGESIZE);
	if (parse_args(&o, argc, argv, c.page)) {
		fprintf(stderr, "try 'test-mmap --help'\n");
		return 2;
	}
	install_fault_handler();
	ret = open_device(&c);
	if (ret && o.json) {
		j_result(&c, REQ_OPEN, ret, NULL);
		j_str("device", o.device);
		if (o.cmd == CMD_RUN || o.cmd == CMD_TOUR)
			j_str("result", "FAIL");
		j_end();
		putchar('\n');
	}
	if (ret && o.cmd == CMD_RUN && !o.json)
		printf("result: FAIL\n");
	if (ret && o.cmd >= CMD_SCRIPT)	/* a session goes on without it */
		ret = 0;
	if (ret)
		return o.expect_set && -ret == o.expect ? 0 : 1;
	ret = cmds[o.cmd](&c);
	if (c.fd >= 0)
		close(c.fd);
	return ret;
}
