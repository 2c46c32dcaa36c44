// SPDX-License-Identifier: GPL-2.0
/*
 * test-mmap - drive /dev/mmap-test from userspace after "insmod mmap_test.ko"
 *
 * Usage: test-mmap [options] [run|alloc|free|query|stats|hold|tour]
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
 *   tour	  a guided sequence of 9 steps (find_vma on a gap, hint,
 *		  fixed vs fixed-noreplace, merge, split, the four mapping
 *		  kinds, populate, fault-around, the call chain of the
 *		  driver's mmap hook); each explains what the
 *		  module reported and checks it.  Exit 1 if a step failed,
 *		  0 otherwise (a skipped step is neither).
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
#include <sys/wait.h>
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
#define USER_MESSAGE	"Hello from *user* this is file: mmap-test"

enum cmd {
	CMD_RUN, CMD_ALLOC, CMD_FREE, CMD_QUERY, CMD_STATS, CMD_HOLD, CMD_TOUR
};
enum req { REQ_ALLOC, REQ_FREE, REQ_QUERY, REQ_STATS, REQ_OPEN };

struct opts {
	enum cmd cmd;
	const char *device;
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
"  (none)/run  reference run: map 4 shared pages at a fixed address, explain\n"
"              find_vma(), read/write through the mapping and read(), free\n"
"  alloc       one ALLOC_VMA with the given fields (mapped until exit)\n"
"  free        one FREE_VMA of --addr/--len\n"
"  query       one QUERY_VMA of --addr, full report\n"
"  stats       one GET_STATS\n"
"  hold        map the device, close it, print \"holding 0x..\", wait for\n"
"              EOF on stdin or SIGTERM/SIGINT\n"
"  tour        9 guided steps: what the kernel decided and why, each checked;\n"
"              exit 1 if a step failed (skipped steps are not passes)\n"
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

static int bad_value(const char *opt, const char *val)
{
	fprintf(stderr, "test-mmap: invalid value for --%s: '%s'\n", opt, val);
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
		[CMD_TOUR] = "tour",
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
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == '?' || parse_opt(o, c, optarg, page))
			return -1;
	}
	if (optind < argc && parse_cmd(o, argv[optind++]))
		return -1;
	if (optind < argc) {
		fprintf(stderr, "test-mmap: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (o->expect_set &&
	    (o->cmd == CMD_RUN || o->cmd == CMD_HOLD || o->cmd == CMD_TOUR)) {
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

#if defined(__x86_64__)
static bool cpu_has_la57(void)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return true;	/* unknown: do not claim 4-level paging */
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "flags", 5) && strstr(line, " la57");
	fclose(f);
	return found;
}
#endif

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

static struct task_top task_top(void)
{
	struct task_top t = { 0, false };
	__u64 end;

#if defined(__x86_64__)
	if (!cpu_has_la57()) {
		t.end = 0x7ffffffff000ULL;	/* 4-level paging */
		t.exact = true;
		return t;
	}
#endif
	/* Round the highest mapping (the stack) up to a power of two. */
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

static int cmd_alloc(struct ctx *c)
{
	const struct opts *o = c->o;
	struct mmap_test_stats s;
	struct mmap_test_alloc a;
	int ret;

	get_stats(c, &s, true);		/* buffer size, for explanations */
	init_alloc(c, &a, o->addr, o->len_set ? o->len : DEFAULT_PAGES * c->page,
		   o->addr_set);
	ret = do_alloc(c, &a);
	if (o->json) {
		char buf[128];

		j_result(c, REQ_ALLOC, ret, &a);
		j_hex("addr", a.addr);
		j_hex("len", a.len);
		j_num("pgoff", a.pgoff);
		mt_format_prot(a.prot, buf, sizeof(buf));
		j_str("prot", buf);
		mt_format_flags(a.flags, buf, sizeof(buf));
		j_str("flags", buf);
		j_hex("mapped", a.mapped);
		if (before_copied(&a))
			j_report("before", &a.before);
		j_end();
		putchar('\n');
	} else if (!ret) {
		printf("alloced virt addr : 0x%llx\n",
		       (unsigned long long)a.mapped);
		print_verdict("before: ", &a.before);
		print_sentence("        ", &a.before);
	}
	return check_expect(o, ret);
}

static int cmd_free(struct ctx *c)
{
	const struct opts *o = c->o;
	__u64 len = o->len_set ? o->len : c->page;
	int ret;

	if (!o->addr_set) {
		fprintf(stderr, "test-mmap: free needs --addr (and --len)\n");
		return 2;
	}
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
	return check_expect(o, ret);
}

static int cmd_query(struct ctx *c)
{
	const struct opts *o = c->o;
	struct mmap_test_vma_report r;
	int ret;

	if (!o->addr_set) {
		fprintf(stderr, "test-mmap: query needs --addr\n");
		return 2;
	}
	ret = do_query(c, o->addr, o->reserved, &r);
	if (o->json) {
		j_result(c, REQ_QUERY, ret, &(struct mmap_test_query){
			 .addr = o->addr, .reserved = o->reserved });
		if (!ret)
			j_report("report", &r);
		j_end();
		putchar('\n');
	} else if (!ret) {
		print_report(&r);
	}
	return check_expect(o, ret);
}

static int cmd_stats(struct ctx *c)
{
	struct mmap_test_stats s;
	int ret;

	ret = get_stats(c, &s, false);
	if (c->o->json) {
		j_result(c, REQ_STATS, ret, &s);
		if (!ret)
			j_stats(&s);
		j_end();
		putchar('\n');
	} else if (!ret) {
		print_stats(&s);
	}
	return check_expect(c->o, ret);
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
#define TOUR_STEPS	10

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
	f = fopen("/sys/module/mmap_test/parameters/huge", "r");
	if (f) {
		if (!fgets(v, sizeof(v), f))
			v[0] = '\0';
		fclose(f);
	}
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

int main(int argc, char **argv)
{
	static int (*const cmds[])(struct ctx *) = {
		[CMD_RUN] = cmd_run, [CMD_ALLOC] = cmd_alloc,
		[CMD_FREE] = cmd_free, [CMD_QUERY] = cmd_query,
		[CMD_STATS] = cmd_stats, [CMD_HOLD] = cmd_hold,
		[CMD_TOUR] = cmd_tour,
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
	if (ret)
		return o.expect_set && -ret == o.expect ? 0 : 1;
	ret = cmds[o.cmd](&c);
	if (c.fd >= 0)
		close(c.fd);
	return ret;
}
