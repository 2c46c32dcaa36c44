// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-bench - measure /dev/mmap-test against the kernel's own mmap paths
 *
 * main.c: the options, and the run: each group of groups.c that --only
 * selects, then the goals, the table and the JSON.  The options:
 * "mmap-test-bench --help"; what each group measures, the method and the
 * output: docs/bench.md; the files: bench.h.
 *
 * Run as root with mmap_test.ko loaded with buffer_pages >= what
 * "mmap-test-bench --need-pages" prints for the same options (and, for the
 * reference rows, test/refdrv/mmap_test_ref.ko).  Exit status: 0 when
 * everything ran, whatever the verdicts (the gate is scripts/bench.sh's
 * BENCH_STRICT=1), 1 on an error, 2 on bad usage.
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
#include <sys/utsname.h>

#include "bench.h"

struct options opt = {
	.pages		= 16384,
	.repeats	= 15,
	.big_repeats	= 0,
	.calls		= 2000,
	.sizes		= { 1, 16, 256, 1024 },
	.nr_sizes	= 4,
	.vmas		= { 10, 1000, 10000, 50000 },
	.nr_vmas	= 4,
	.groups		= ~0U,	/* all: main() keeps the bits of groups.c */
	.device		= MMAP_TEST_DEVICE,
	.host_load	= "unknown",
	.cpu		= -2,
	.clock		= "wall (CLOCK_MONOTONIC)",
};

char big_note[96];

static void __attribute__((noreturn)) usage(void)
{
	size_t i;

	fprintf(stderr,
		"usage: mmap-test-bench [--pages N] [--repeats R] [--big-repeats R] [--calls N]\n"
		"                  [--sizes MiB,..] [--vmas N,..] [--only GROUP,..] [--quick]\n"
		"                  [--host-load S] [--emulated] [--json FILE] [--device PATH]\n"
		"                  [--cpu N] [--need-pages] [--seed N] [--clock TEXT]\n"
		"                  [--env KEY=VALUE].. [--huge-export FILE | --huge-import FILE]\n"
		"       mmap-test-bench --self-check\n"
		"       mmap-test-bench [--pages N] --touch-once KIND   (one cold write-touch)\n"
		"       mmap-test-bench [--calls N] --call-once KEY     (N calls of a syscalls row)\n"
		"--seed: the variants' order in each repeat (default: drawn, and printed);\n"
		"--clock: what the guest's clock counts, for the table (scripts/bench.sh\n"
		"passes \"instructions (qemu -icount shift=0)\" under icount); --env: a line of\n"
		"the environment block and its JSON; --self-check: the statistics' own checks.\n"
		"groups:");
	for (i = 0; i < nr_bench_groups; i++)
		fprintf(stderr, " %s", bench_groups[i].name);
	fprintf(stderr, "\n");
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
		bench_fail("out of memory");
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
	const struct bench_group *bg;
	unsigned int g = 0;

	if (!copy)
		bench_fail("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		bg = bench_group(tok);
		if (!bg)
			usage();
		g |= 1U << (bg - bench_groups);
	}
	free(copy);
	return g;
}

/* Buffer pages the device needs: the biggest mapping, plus one page. */
static unsigned long need_pages(void)
{
	unsigned int flags = 0;
	unsigned long need = 1;
	size_t g;
	int i;

	for (g = 0; g < nr_bench_groups; g++)
		if (opt.groups & (1U << g))
			flags |= bench_groups[g].flags;
	if (flags & BG_PAGES)
		need = opt.pages;
	if (flags & BG_SIZES)
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
	int i, seed_set = 0;

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
		if (!strcmp(a, "--self-check"))
			exit(self_check() ? 1 : 0);
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
		else if (!strcmp(a, "--seed") && (seed_set = 1))
			opt.seed = parse_num(v);
		else if (!strcmp(a, "--clock"))
			opt.clock = v;
		else if (!strcmp(a, "--touch-once"))
			opt.touch_once = v;
		else if (!strcmp(a, "--call-once"))
			opt.call_once = v;
		else if (!strcmp(a, "--env") && strchr(v, '=') &&
			 strchr(v, '=') != v && opt.nr_extra_env < MAX_LIST)
			opt.extra_env[opt.nr_extra_env++] = v;
		else
			usage();
	}
	if (!seed_set)
		opt.seed = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
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
		bench_progress("cannot pin to CPU %d: %s", cpu, strerror(errno));
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
			bench_fail("open %s: %s", opt.json, strerror(errno));
		print_json(jf, u);
		if (fclose(jf))
			bench_fail("write %s: %s", opt.json, strerror(errno));
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
	opt.groups &= (1U << nr_bench_groups) - 1;
	if (print_need) {
		printf("%lu\n", need_pages());
		return 0;
	}
	if (opt.touch_once)
		return touch_once(opt.touch_once);
	if (opt.call_once)
		return call_once(opt.call_once);
	if (opt.big_repeats != opt.repeats)
		snprintf(big_note, sizeof(big_note),
			 "growth sizes >= 512 MiB use %d repeats (not %d) to bound the run time",
			 opt.big_repeats, opt.repeats);

	setvbuf(stdout, NULL, _IOLBF, 0);
	pin_cpu();
	uname(&u);
	have = dev_buffer_pages();
	if (have < need_pages())
		bench_fail("the device's buffer has %lu pages, these options need %lu: load mmap_test.ko with buffer_pages=%lu",
			   have, need_pages(), need_pages());
	read_env();
	make_perm(opt.pages);
	bench_progress("kernel %s %s, %lu pages, %d repeats", u.release, u.machine,
		       opt.pages, opt.repeats);

	for (i = 0; i < nr_bench_groups; i++)
		if (opt.groups & (1U << i))
			bench_groups[i].run();
	restore_env();
	if (opt.huge_export) {
		bench_progress("huge samples written to %s", opt.huge_export);
		return 0;
	}
	read_loadavg(env.load_after, sizeof(env.load_after));
	eval_goals();

	print_table(&u);
	write_json(&u);
	bench_progress("done in %.0f s", (mt_time_now_ns() - t0) / 1e9);
	return 0;
}
