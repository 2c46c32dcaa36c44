// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-bench - measure /dev/mmap-test against the kernel's own mmap paths
 *
 * Usage: mmap-test-bench [options]
 *
 * Run as root with mmap_test.ko loaded with buffer_pages >= what
 * "mmap-test-bench --need-pages" prints for the same options, and optionally the
 * reference driver test/refdrv/mmap_test_ref.ko (same buffer_pages).
 * Groups (--only):
 *
 *   faults     cold faults (fresh mapping; device: fresh fd, so buffer pages
 *              are allocated on first touch as shmem's are): sequential
 *              read, sequential write, random read over --pages pages on
 *              anon private (THP and nohugepage), shmem shared, memfd with
 *              MADV_HUGEPAGE (shmem THP), hugetlb, device private, device
 *              shared, and the reference driver (vmf_insert_pfn() in
 *              ->fault; prefault of the whole range at mmap time)
 *   warm       a second mapping of pages that exist already: device
 *              shared/private against a filled memfd mapped again
 *   populate   the populate call itself and the touch after it
 *   syscalls   ALLOC_VMA + FREE_VMA (log_calls on, and off: the sysfs
 *              parameter is toggled between chunks) against mmap + munmap
 *              of the same fd, with context rows
 *   fork       fork + _exit + waitpid with a populated --pages mapping:
 *              device shared, memfd shared, anon private nohugepage
 *   teardown   munmap + close of a populated mapping: device vs memfd
 *   scaling    cold write-touch of one mapping by 1 thread and by 2
 *              threads (on 2 CPUs): device shared vs shmem shared
 *   growth     per-page fault cost of cold device shared mappings of
 *              --sizes MiB (default 1,16,256,1024)
 *   vmas       ALLOC_VMA, FREE_VMA and mmap(2) cost with --vmas extra VMAs
 *              (default 10,1000,10000,50000)
 *   huge       cold write-touch of a device shared mapping with the module
 *              loaded with huge=1 vs anon private MADV_HUGEPAGE; the module
 *              must be loaded so (scripts/guest/bench.sh runs it alone
 *              with --huge-export, the main run --huge-import)
 *
 * Method.  Every group runs R repeats (--repeats, >= 9) after one untimed
 * warm-up.  In each repeat every variant of the group runs, interleaved
 * (faults in turns of 512 pages, calls in batches of 50), and the order of
 * the variants rotates by one from a repeat to the next.  A fault row's
 * value for a repeat is the whole touch: mmap plus every chunk, divided by
 * the pages (the median chunk is kept as a secondary column).  Per-call rows
 * time batches of 50 calls per timestamp pair and take the median batch.
 * A goal is the median of the per-repeat *paired* ratios (same repeat),
 * with a 95% percentile-bootstrap confidence interval of that median; it is
 * "met" when the whole interval is on the good side of the limit, "NOT met"
 * when the whole interval is past it, "inconclusive" otherwise.
 *
 * Output: an environment block and the table on stdout between
 * BENCH-TABLE-BEGIN and BENCH-TABLE-END, one fixed-format line per goal
 *   BENCH-SUMMARY goal=KEY verdict=met|NOT-met|inconclusive|n/a ratio=R ci=LO..HI limit=<=L|>=L
 * and a total line, then JSON between BENCH-JSON-BEGIN and BENCH-JSON-END
 * (or into --json FILE).  Progress goes to stderr as "mmap-test-bench: ...".
 * Exit status: 0 when everything ran (whatever the verdicts: the gate is
 * scripts/bench.sh's BENCH_STRICT=1), 1 on an error, 2 on bad usage.
 *
 * Where things are: bench.h lists the files.  Each group is one
 * rows-<group>.c; to add a row, record it there with add_fig(); to add a
 * group, add a rows-<group>.c, a line to groups[] below (in the order of
 * bench.h's G_ bits) and its title in output.c's group_texts[]; to add a
 * goal, a line in goals.c's eval_goals().
 *
 * Options:
 *   --pages N        pages per fault, fork, teardown figure (default 16384)
 *   --repeats R      repeats per figure, 9..64 (default 11)
 *   --big-repeats R  repeats for growth sizes >= 512 MiB (default: R)
 *   --calls N        calls per repeat for per-call figures (default 2000)
 *   --sizes LIST     growth sizes in MiB (default 1,16,256,1024)
 *   --vmas LIST      extra VMA counts (default 10,1000,10000,50000)
 *   --only LIST      groups to run (default: all)
 *   --quick          development run: --pages 4096 --repeats 9 --calls 500
 *                    --sizes 1,16,64 --vmas 10,1000,10000
 *   --host-load S    the host's load average before the run (a string)
 *   --emulated       say that the machine is emulated (qemu TCG)
 *   --json FILE      write the JSON to FILE instead of stdout
 *   --device PATH    default /dev/mmap-test
 *   --cpu N          pin to CPU N (default: the CPU we start on; -1: no)
 *   --need-pages     print the buffer_pages the options need and exit
 */

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "bench.h"

struct options opt = {
	.pages		= 16384,
	.repeats	= 11,
	.big_repeats	= 0,
	.calls		= 2000,
	.sizes		= { 1, 16, 256, 1024 },
	.nr_sizes	= 4,
	.vmas		= { 10, 1000, 10000, 50000 },
	.nr_vmas	= 4,
	.groups		= G_ALL,
	.device		= MMAP_TEST_DEVICE,
	.host_load	= "unknown",
	.cpu		= -2,
};

char big_note[96];

/* The groups, in the order they run: groups[i] is --only's name of 1 << i. */
static const struct {
	const char *name;
	void (*run)(void);
} groups[] = {
	{ "faults",	bench_faults },
	{ "warm",	bench_warm },
	{ "populate",	bench_populate },
	{ "syscalls",	bench_syscalls },
	{ "fork",	bench_fork },
	{ "teardown",	bench_teardown },
	{ "scaling",	bench_scaling },
	{ "growth",	bench_growth },
	{ "vmas",	bench_vmas },
	{ "huge",	bench_huge },
};

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: mmap-test-bench [--pages N] [--repeats R] [--big-repeats R] [--calls N]\n"
		"                  [--sizes MiB,..] [--vmas N,..] [--only GROUP,..] [--quick]\n"
		"                  [--host-load S] [--emulated] [--json FILE] [--device PATH]\n"
		"                  [--cpu N] [--need-pages]\n"
		"                  [--huge-export FILE | --huge-import FILE]\n"
		"groups: faults warm populate syscalls fork teardown scaling growth vmas huge\n");
	exit(2);
}

static unsigned long parse_num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end)
		usage();
	return v;
}

static int parse_list(const char *s, unsigned long *list)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int n = 0;

	if (!copy)
		fail("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_LIST)
			usage();
		list[n] = parse_num(tok);
		if (!list[n])
			usage();
		n++;
	}
	free(copy);
	if (!n)
		usage();
	return n;
}

static unsigned int parse_groups(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;
	unsigned int g = 0, i;

	if (!copy)
		fail("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < MT_ARRAY_SIZE(groups); i++)
			if (!strcmp(tok, groups[i].name))
				break;
		if (i == MT_ARRAY_SIZE(groups))
			usage();
		g |= 1U << i;
	}
	free(copy);
	return g;
}

/* Buffer pages the device needs: the biggest mapping, plus one page. */
static unsigned long need_pages(void)
{
	unsigned long need = 1;
	int i;

	if (opt.groups & (G_FAULTS | G_WARM | G_POPULATE | G_FORK |
			  G_TEARDOWN | G_SCALING | G_HUGE))
		need = opt.pages;
	if (opt.groups & G_GROWTH)
		for (i = 0; i < opt.nr_sizes; i++)
			if (opt.sizes[i] * (1048576 / page_size) > need)
				need = opt.sizes[i] * (1048576 / page_size);
	return need;
}

static void set_quick(void)
{
	static const unsigned long sizes[] = { 1, 16, 64 };
	static const unsigned long vmas[] = { 10, 1000, 10000 };

	opt.pages = 4096;
	opt.repeats = MIN_REPEATS;
	opt.calls = 500;
	memcpy(opt.sizes, sizes, sizeof(sizes));
	opt.nr_sizes = MT_ARRAY_SIZE(sizes);
	memcpy(opt.vmas, vmas, sizeof(vmas));
	opt.nr_vmas = MT_ARRAY_SIZE(vmas);
}

/* The options into opt; *@print_need: --need-pages.  Exits on bad usage. */
static void parse_args(int argc, char **argv, int *print_need)
{
	int i;

	/* --quick first: later options override it. */
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--quick"))
			set_quick();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--emulated")) {
			opt.emulated = 1;
			continue;
		}
		if (!strcmp(a, "--need-pages")) {
			*print_need = 1;
			continue;
		}
		if (!strcmp(a, "--quick"))
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help") || !v)
			usage();
		i++;
		if (!strcmp(a, "--pages"))
			opt.pages = parse_num(v);
		else if (!strcmp(a, "--repeats"))
			opt.repeats = parse_num(v);
		else if (!strcmp(a, "--big-repeats"))
			opt.big_repeats = parse_num(v);
		else if (!strcmp(a, "--calls"))
			opt.calls = parse_num(v);
		else if (!strcmp(a, "--sizes"))
			opt.nr_sizes = parse_list(v, opt.sizes);
		else if (!strcmp(a, "--vmas"))
			opt.nr_vmas = parse_list(v, opt.vmas);
		else if (!strcmp(a, "--only"))
			opt.groups = parse_groups(v);
		else if (!strcmp(a, "--host-load"))
			opt.host_load = v;
		else if (!strcmp(a, "--json"))
			opt.json = v;
		else if (!strcmp(a, "--device"))
			opt.device = v;
		else if (!strcmp(a, "--cpu"))
			opt.cpu = strtol(v, NULL, 0);
		else if (!strcmp(a, "--huge-export"))
			opt.huge_export = v;
		else if (!strcmp(a, "--huge-import"))
			opt.huge_import = v;
		else
			usage();
	}
	if (!opt.big_repeats)
		opt.big_repeats = opt.repeats;
	if (opt.repeats < MIN_REPEATS || opt.repeats > MAX_REPEATS ||
	    opt.big_repeats < MIN_REPEATS ||
	    opt.big_repeats > opt.repeats || !opt.pages ||
	    opt.calls < BATCH) {
		fprintf(stderr, "mmap-test-bench: --repeats must be %d..%d, --big-repeats %d..R, --pages > 0, --calls >= %d\n",
			MIN_REPEATS, MAX_REPEATS, MIN_REPEATS, BATCH);
		usage();
	}
}

/* Pin to --cpu (default: the CPU we start on); env.pinned says where. */
static void pin_cpu(void)
{
	cpu_set_t set;
	int cpu;

	env.pinned = -1;
	if (opt.cpu == -1)
		return;
	cpu = opt.cpu == -2 ? sched_getcpu() : opt.cpu;
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		progress("cannot pin to CPU %d: %s", cpu, strerror(errno));
	else
		env.pinned = cpu < 0 ? 0 : cpu;
}

/* The JSON: into --json FILE, or on stdout between markers. */
static void write_json(const struct utsname *u)
{
	FILE *jf;

	if (opt.json) {
		jf = fopen(opt.json, "w");
		if (!jf)
			fail("open %s: %s", opt.json, strerror(errno));
		print_json(jf, u);
		if (fclose(jf))
			fail("write %s: %s", opt.json, strerror(errno));
	} else {
		printf("BENCH-JSON-BEGIN\n");
		print_json(stdout, u);
		printf("BENCH-JSON-END\n");
	}
}

int main(int argc, char **argv)
{
	int print_need = 0;
	struct utsname u;
	double t0 = mt_time_now_ns();
	unsigned long have;
	size_t i;

	page_size = mt_mem_page_size();
	parse_args(argc, argv, &print_need);
	if (print_need) {
		printf("%lu\n", need_pages());
		return 0;
	}
	if (opt.big_repeats != opt.repeats)
		snprintf(big_note, sizeof(big_note),
			 "growth sizes >= 512 MiB use %d repeats (not %d) to bound the run time",
			 opt.big_repeats, opt.repeats);

	setvbuf(stdout, NULL, _IOLBF, 0);
	pin_cpu();
	uname(&u);
	have = dev_buffer_pages();
	if (have < need_pages())
		fail("the device's buffer has %lu pages, these options need %lu: load mmap_test.ko with buffer_pages=%lu",
		     have, need_pages(), need_pages());
	read_env();
	make_perm(opt.pages);
	progress("kernel %s %s, %lu pages, %d repeats", u.release, u.machine,
		 opt.pages, opt.repeats);

	for (i = 0; i < MT_ARRAY_SIZE(groups); i++)
		if (opt.groups & (1U << i))
			groups[i].run();
	restore_env();
	if (opt.huge_export) {
		progress("huge samples written to %s", opt.huge_export);
		return 0;
	}
	read_loadavg(env.load_after, sizeof(env.load_after));
	eval_goals();

	print_table(&u);
	write_json(&u);
	progress("done in %.0f s", (mt_time_now_ns() - t0) / 1e9);
	return 0;
}
