// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - mmap-test-fuzz: a multi-threaded, structure-aware ioctl fuzzer
 * for /dev/mmap-test.  This file: the options, the setup, the fuzzing
 * processes and the final report; fuzz.h lists the other files.
 *
 *   mmap-test-fuzz [--calls N] [--threads T] [--fds F] [--seed S]
 *                  [--seconds S] [--mix A,F,Q,S,R] [--procs P]
 *                  [--spread P] [--module-log 0|1] [--kcov|--no-kcov]
 *                  [--pcs-out FILE] [-v]
 *   mmap-test-fuzz --guided --seconds S [--corpus DIR] [--seeds DIR] ...
 *   mmap-test-fuzz --replay FILE...
 *
 * (--guided and --replay: the coverage-guided mode, guided.c.)
 *
 * Must run as root with mmap_test loaded.  A run also fails when the
 * kernel's taint flags change during it (a WARN or a KASAN report taints),
 * when a fuzzing process dies, or on a signal outside the touches.
 *
 * Prints the seed first, then a per-command per-errno histogram with the
 * mean latency of each command, the calls/s, the touches and the signals
 * caught, the final GET_STATS, and as the last line "fuzz: PASS calls=N"
 * (exit 0) or "fuzz: FAIL <reasons> ..." (exit 1).  Failure reports (the
 * request that produced them) go to stderr, the first 40 of them.
 *
 * The threads are spread over --procs processes (default: one per CPU)
 * that share the fds (forked after the opens); see threads.c for why.
 * The default --mix 12,8,20,20,40 weighs the commands by their cost on
 * the debug kernel: ALLOC and FREE cost most, an unknown command least.
 *
 * Every thread issues ioctls (ALLOC, FREE, QUERY, GET_STATS and random
 * command numbers) on a set of shared device fds plus occasional private
 * extra fds, with argument structures whose fields are drawn from edge
 * values and argument pointers that are valid, NULL, unmapped, read-only,
 * straddling a guard page or in the kernel half.  It touches, mprotects,
 * madvises and shrinks what it maps under a SIGSEGV/SIGBUS handler.
 *
 * Safety: the kernel must never map FIXED over memory the fuzzer needs.
 * Each thread owns an arena (ARENA_SIZE, reserved PROT_NONE); MAP_FIXED
 * only ever targets the own arena (alloc.c), FREE only the own arena or
 * mappings (ops.c), and what is unmapped in an arena is reserved again
 * (track.c).
 *
 * Every result is checked against the contract and against a model of
 * the call (model.c).  At the end every mapping is freed and every fd
 * closed; a fresh fd must then see total_live_vmas == 0,
 * total_pages == 0 and total_files == 1.
 *
 * KCOV: when /sys/kernel/debug/kcov can be opened (--kcov: it must be,
 * --no-kcov: do not try), every fuzzing thread traces itself and adds the
 * PCs of the module it ran to a set shared by the processes (kcov.c; on
 * the x86_64-debug kernel the module is the only code built for KCOV).
 * With each progress line (every 30 s) and at the end (before the last
 * line) it then prints
 *   fuzz: kcov t=<seconds>s pcs=<unique PCs> new=<PCs since the last one>
 *   fuzz: kcov pcs=<N>
 * Without KCOV one line "fuzz: kcov unavailable: <reason>".
 *
 * Built with -DMT_FUZZ_MOCK it runs against an in-process emulation of
 * the module (device.c) on a machine without the module; that exercises
 * the fuzzer's own safety logic, not the module:
 *   make -C test fuzz OUT=/tmp/fuzz-mock CFLAGS="-O2 -g -DMT_FUZZ_MOCK"
 * With --threads 1 --procs 1 a seed then reproduces the same run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include "fuzz.h"

#define LOG_CALLS	"/sys/module/mmap_test/parameters/log_calls"

/* Options. */
unsigned long opt_calls = 1000000;
static int opt_threads = 4;
int opt_fds = 3;
static int opt_procs;		/* 0: one per CPU, at most --threads */
int opt_spread = 10;
static int opt_module_log = -1;	/* log_calls for the run; -1: leave it */
static uint64_t opt_seed;
static double opt_seconds;
static int verbose;
static int opt_kcov = -1;	/* 1: --kcov, 0: --no-kcov, -1: if it opens */
static const char *opt_pcs_out;
unsigned int mix[NCMD] = { 12, 8, 20, 20, 40 };

/* The run's state (fuzz.h). */
unsigned long ps, pshift, task_size, buf_pages;
unsigned long arenas_base, arenas_end;
bool dev_noexec;
struct fdinfo shared_fds[MAX_FDS];
struct gshared *gs;
int proc_idx;
atomic_int local_done;
double t_deadline;
unsigned long text_addr, vdso_addr;
__thread struct thr *self;
struct kcov_set *kset;

static struct thr *thrs;
static double t_start;

int main(int argc, char **argv);	/* its address: a file-backed VMA */

/* The sums over all threads, for the report. */
struct totals {
	unsigned long hist[NCMD][256];
	double cmd_time[NCMD];
	unsigned long pkc[NPK];
	unsigned long calls, cleanup, touches, sigs, unexpected, mismatch;
	unsigned long opens, maps, outside, mprot, madv, mrem, spread;
};

static unsigned long read_ulong(const char *path)
{
	char buf[64] = "";
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return ~0UL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return ~0UL;
	buf[n] = '\0';
	return strtoul(buf, NULL, 10);
}

/* A bool module parameter: 0, 1, or -1 when unreadable. */
static int read_param(const char *path)
{
	char c = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y' || c == '1' ? 1 : c == 'N' || c == '0' ? 0 : -1;
}

static int write_param(const char *path, int v)
{
	int fd = open(path, O_WRONLY);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, v ? "1" : "0", 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--calls N] [--threads T] [--fds F] [--seed S] [--seconds S] [-v]\n"
		"  --calls N    total ioctl calls (default 1000000)\n"
		"  --threads T  fuzzing threads (default 4, max %d)\n"
		"  --fds F      shared device fds, round-robin (default 3, max %d)\n"
		"  --seed S     PRNG seed (default: time-based; always printed)\n"
		"  --seconds S  stop after S seconds even if N is not reached\n"
		"  --procs P    processes sharing the fds (forked after the opens); thread i\n"
		"               runs in process i %% P, pinned to its CPU (default: one per\n"
		"               allowed CPU, at most T)\n"
		"  --spread P   percent of each thread's chunks of %d calls run floating\n"
		"               over all CPUs, in parallel with the others (default 10)\n"
		"  --mix A,F,Q,S,R  percent of ALLOC, FREE, QUERY, GET_STATS, raw\n"
		"               commands (default 12,8,20,20,40)\n"
		"  --module-log 0|1  set the module's log_calls parameter (one dmesg\n"
		"               line per ALLOC/FREE/QUERY) for the run, restore it after\n"
		"  --kcov       trace the module's PCs with KCOV; fail if it is unavailable\n"
		"               (default: trace when /sys/kernel/debug/kcov opens)\n"
		"  --no-kcov    do not use KCOV\n"
		"  --pcs-out F  at the end, write the module's .text address and the PCs to F\n"
		"  -v           more output\n"
		"   or: %s --guided --seconds S [--corpus DIR] [--seeds DIR]\n"
		"   or: %s --replay FILE...   (see --guided --help)\n",
		prog, MAX_THREADS, MAX_FDS, CHUNK, prog, prog);
}

static void print_histogram(const unsigned long hist[NCMD][256],
			    const double *secs)
{
	int c, e;

	printf("fuzz: histogram (command calls mean-latency: errno=count)\n");
	for (c = 0; c < NCMD; c++) {
		unsigned long tot = 0;

		for (e = 0; e < 256; e++)
			tot += hist[c][e];
		printf("fuzz:   %-9s %9lu %7.1fus:", cmd_names[c], tot,
		       tot ? secs[c] * 1e6 / tot : 0.0);
		for (e = 0; e < 256; e++)
			if (hist[c][e])
				printf(" %s=%lu", e ? mt_errno_name(e) : "OK",
				       hist[c][e]);
		printf("\n");
	}
}


/* The first line: the seed and everything else that shapes the run. */
static void print_header(void)
{
	printf("fuzz: seed=%" PRIu64 " calls=%lu threads=%d procs=%d fds=%d spread=%d%% mix=%u,%u,%u,%u,%u%s page=%lu task_size=%#lx%s%s\n",
	       opt_seed, opt_calls, opt_threads, opt_procs, opt_fds, opt_spread,
	       mix[0], mix[1], mix[2], mix[3], mix[4],
	       opt_seconds ? " (time-capped)" : "", ps, task_size,
	       dev_noexec ? " dev-noexec" : "",
#ifdef MT_FUZZ_MOCK
	       " MOCK"
#else
	       ""
#endif
	       );
}

/* Parse the options into opt_*; -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, bool *seeded)
{
	static const struct option lopts[] = {
		{ "calls", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "fds", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "mix", required_argument, NULL, 'm' },
		{ "procs", required_argument, NULL, 'P' },
		{ "module-log", required_argument, NULL, 'L' },
		{ "spread", required_argument, NULL, 'p' },
		{ "kcov", no_argument, NULL, 'K' },
		{ "no-kcov", no_argument, NULL, 'k' },
		{ "pcs-out", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "n:t:f:s:S:m:P:p:L:vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt_calls = strtoul(optarg, NULL, 0);
			break;
		case 't':
			opt_threads = atoi(optarg);
			break;
		case 'f':
			opt_fds = atoi(optarg);
			break;
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			*seeded = true;
			break;
		case 'S':
			opt_seconds = atof(optarg);
			break;
		case 'P':
			opt_procs = atoi(optarg);
			break;
		case 'L':
			opt_module_log = atoi(optarg) ? 1 : 0;
			break;
		case 'p':
			opt_spread = atoi(optarg);
			break;
		case 'm':
			if (sscanf(optarg, "%u,%u,%u,%u,%u", &mix[0], &mix[1],
				   &mix[2], &mix[3], &mix[4]) != 5 ||
			    mix[0] + mix[1] + mix[2] + mix[3] + mix[4] != 100) {
				fprintf(stderr, "--mix: five percentages that add up to 100\n");
				return 2;
			}
			break;
		case 'K':
			opt_kcov = 1;
			break;
		case 'k':
			opt_kcov = 0;
			break;
		case 'o':
			opt_pcs_out = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage(argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind < argc || opt_threads < 1 || opt_threads > MAX_THREADS ||
	    opt_fds < 1 || opt_fds > MAX_FDS || opt_seconds < 0 ||
	    opt_procs < 0 || opt_spread < 0 || opt_spread > 100) {
		usage(argv[0]);
		return 2;
	}
	return -1;
}

/*
 * The process-wide setup: the shared state, the number of processes, the
 * page size, the fault handler, TASK_SIZE, the addresses QUERY knows.
 * 0, or 1 (printed why).
 */
static int setup_process(void)
{
	struct sigaction sa;
	bool exact;

	gs = mmap(NULL, sizeof(*gs), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (gs == MAP_FAILED) {
		printf("fuzz: FAIL out of memory\n");
		return 1;
	}
	if (!opt_procs) {
		cpu_set_t cs;

		opt_procs = 1;
		if (!sched_getaffinity(0, sizeof(cs), &cs))
			opt_procs = CPU_COUNT(&cs);
	}
	if (opt_procs > opt_threads)
		opt_procs = opt_threads;
	if (opt_procs < 1)
		opt_procs = 1;

	ps = mt_mem_page_size();
	pshift = mt_mem_page_shift();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	mt_mem_guard_init();	/* touches first, on_fault() for the rest */

	task_size = mt_mem_task_size(&exact);
	if (!task_size || !exact) {
		printf("fuzz: FAIL cannot determine TASK_SIZE\n");
		return 1;
	}
#ifndef MT_FUZZ_MOCK
	{
		struct statvfs sv;

		dev_noexec = statvfs(MMAP_TEST_DEVICE, &sv) == 0 &&
			(sv.f_flag & ST_NOEXEC);
	}
#endif
	text_addr = (unsigned long)&main;
	vdso_addr = getauxval(AT_SYSINFO_EHDR);
	return 0;
}

/* Open the shared fds, learn buffer_pages; 0, or 1 (printed why). */
static int open_device(void)
{
	struct mmap_test_stats st;
	int i, r;

	for (i = 0; i < opt_fds; i++) {
		shared_fds[i].rdonly = i % 3 == 2;
		shared_fds[i].index = i;
		shared_fds[i].fd = dev_open(shared_fds[i].rdonly ? O_RDONLY : O_RDWR);
		if (shared_fds[i].fd < 0) {
			printf("fuzz: FAIL open %s: %s\n", MMAP_TEST_DEVICE,
			       strerror(errno));
			return 1;
		}
	}
	memset(&st, 0, sizeof(st));
	r = dev_ioctl(shared_fds[0].fd, IOCTL_GET_STATS, (unsigned long)&st);
	if (r || !st.buffer_pages) {
		printf("fuzz: FAIL GET_STATS: %s, buffer_pages=%llu\n",
		       mt_errno_name(-r), (unsigned long long)st.buffer_pages);
		return 1;
	}
	buf_pages = st.buffer_pages;
	return 0;
}

/* Reserve the threads' arenas, far below the top-down mmap area. */
static int reserve_arenas(void)
{
	void *p;

	arenas_base = task_size > (1UL << 45) ? 1UL << 44 : task_size / 4;
	arenas_base &= ~((1UL << 30) - 1);
	p = mmap((void *)arenas_base, opt_threads * ARENA_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
		 -1, 0);
	if (p == MAP_FAILED)
		p = mmap(NULL, opt_threads * ARENA_SIZE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		printf("fuzz: FAIL cannot reserve arenas: %s\n", strerror(errno));
		return 1;
	}
	arenas_base = (unsigned long)p;
	arenas_end = arenas_base + opt_threads * ARENA_SIZE;
	if (verbose)
		printf("fuzz: arenas [%#lx,%#lx) buffer_pages=%lu\n",
		       arenas_base, arenas_end, buf_pages);
	return 0;
}

/*
 * The threads' state, shared by the processes: PRNG seeded from the seed,
 * arena, argument pages, the read-only view of a memfd page.
 */
static int setup_threads(void)
{
	uint64_t sm = opt_seed;
	int i;

	thrs = mmap(NULL, opt_threads * sizeof(*thrs), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (thrs == MAP_FAILED) {
		printf("fuzz: FAIL out of memory\n");
		return 1;
	}
	for (i = 0; i < opt_threads; i++) {
		struct thr *t = &thrs[i];
		int mfd;

		t->id = i;
		mt_rng_seed(&t->rng, &sm);
		t->arena = arenas_base + i * ARENA_SIZE;
		t->extra.fd = -1;
		t->pages = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		mfd = memfd_create("fuzz-ro", MFD_CLOEXEC);
		if (t->pages == MAP_FAILED || mfd < 0 || ftruncate(mfd, ps) ||
		    mprotect(t->pages + 2 * ps, ps, PROT_NONE)) {
			printf("fuzz: FAIL setup: %s\n", strerror(errno));
			return 1;
		}
		t->rw_view = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED,
				  mfd, 0);
		t->ro_view = mmap(NULL, ps, PROT_READ, MAP_SHARED, mfd, 0);
		close(mfd);
		if (t->rw_view == MAP_FAILED || t->ro_view == MAP_FAILED) {
			printf("fuzz: FAIL setup: %s\n", strerror(errno));
			return 1;
		}
	}
	return 0;
}

/*
 * Fork the other processes (same fds, same copied arenas and buffers);
 * the number of children.  In a child, proc_idx is its index.
 */
static int fork_processes(pid_t *children)
{
	int i, nchildren = 0;

	for (i = 1; i < opt_procs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			printf("fuzz: FAIL fork: %s\n", strerror(errno));
			atomic_store(&gs->stop_now, 1);
			opt_procs = i;
			break;
		}
		if (!pid) {
			/* never outlive a parent that died */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(1);
			proc_idx = i;
			break;
		}
		children[nchildren++] = pid;
	}
	return nchildren;
}

/* Start this process's threads: thread i runs in process i % procs. */
static void start_threads(void)
{
	int i, r;

	for (i = proc_idx; i < opt_threads; i += opt_procs) {
		r = pthread_create(&thrs[i].th, NULL, thread_main, &thrs[i]);
		if (r) {
			fprintf(stderr, "fuzz: FAIL pthread_create: %s\n",
				strerror(r));
			_exit(1);
		}
	}
}

/* The shared PC set, unless KCOV is off or unavailable; 0, or 1 (printed). */
static int setup_kcov(void)
{
	char why[160];

	if (!opt_kcov) {
		printf("fuzz: kcov unavailable: --no-kcov\n");
		return 0;
	}
	if (!kcov_probe(why, sizeof(why))) {
		printf("fuzz: kcov unavailable: %s\n", why);
		if (opt_kcov > 0) {
			printf("fuzz: FAIL --kcov but no KCOV\n");
			return 1;
		}
		return 0;
	}
	kset = kcov_set_new();
	if (!kset) {
		printf("fuzz: FAIL out of memory\n");
		return 1;
	}
	return 0;
}

/* "fuzz: kcov t=..s pcs=N new=N", the PCs since the last such line. */
static void print_kcov(double tn)
{
	static unsigned long last_pcs;
	unsigned long pcs;

	if (!kset)
		return;
	pcs = atomic_load(&kset->count);
	printf("fuzz: kcov t=%.0fs pcs=%lu new=%lu\n", tn - t_start, pcs,
	       pcs - last_pcs);
	last_pcs = pcs;
}

/*
 * The first process: wait for the children and the own threads, print
 * progress; false (with "process-died" in @fails) when a child failed.
 */
static bool wait_run(pid_t *children, int nchildren, char *fails, size_t n)
{
	double last = t_start;
	bool ok = true;
	int i;

	while (nchildren ||
	       atomic_load(&local_done) < (opt_threads + opt_procs - 1) / opt_procs) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		double tn;

		if (pid > 0) {
			for (i = 0; i < nchildren; i++)
				if (children[i] == pid)
					children[i] = children[--nchildren];
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				printf("fuzz: a fuzzing process died (status %#x)\n",
				       status);
				atomic_store(&gs->stop_now, 1);
				ok = false;
				mt_append(fails, n, "process-died");
			}
			continue;
		}
		nanosleep(&ts, NULL);
		tn = mt_time_now();
		if (tn - last >= (verbose ? 5 : 30)) {
			unsigned long pc = atomic_load(&gs->progress_calls);

			printf("fuzz: progress %lu/%lu calls, %.0f calls/s\n",
			       pc, opt_calls, pc / (tn - t_start));
			print_kcov(tn);	/* the PCs, on a line of their own */
			last = tn;
		}
	}
	for (i = 0; i < opt_threads; i += opt_procs)
		pthread_join(thrs[i].th, NULL);
	return ok;
}

/* The counters of all threads (in the shared struct thr array). */
static void sum_threads(struct totals *s)
{
	int i, c, e, j;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < opt_threads; i++) {
		struct thr *t = &thrs[i];

		for (c = 0; c < NCMD; c++) {
			for (e = 0; e < 256; e++)
				s->hist[c][e] += t->hist[c][e];
			s->cmd_time[c] += t->cmd_time[c];
		}
		for (j = 0; j < NPK; j++)
			s->pkc[j] += t->pk_count[j];
		s->calls += t->calls;
		s->cleanup += t->cleanup_calls;
		s->touches += t->touches;
		s->sigs += t->sig_expected;
		s->unexpected += t->unexpected;
		s->mismatch += t->mismatch;
		s->opens += t->extra_opens;
		s->maps += t->new_maps;
		s->outside += t->maps_outside_arena;
		s->mprot += t->mprotects;
		s->madv += t->madvises;
		s->mrem += t->mremaps;
		s->spread += t->spread_chunks;
	}
}

/* The report; false (reasons in @fails) on unexpected errnos or mismatches. */
static bool print_report(const struct totals *s, double elapsed, char *fails,
			 size_t n)
{
	bool ok = true;
	int j;

	print_histogram(s->hist, s->cmd_time);
	printf("fuzz: arg pointers:");
	for (j = 0; j < NPK; j++)
		printf(" %s=%lu", pk_names[j], s->pkc[j]);
	printf("\n");
	printf("fuzz: calls=%lu (+%lu cleanup) in %.1f s = %.0f calls/s (%lu of %lu chunks in parallel)\n",
	       s->calls, s->cleanup, elapsed,
	       s->calls / (elapsed > 0 ? elapsed : 1), s->spread,
	       (s->calls + CHUNK - 1) / CHUNK);
	printf("fuzz: mappings=%lu (outside arenas %lu) touches=%lu signals caught=%lu (all expected) mprotect=%lu madvise=%lu mremap=%lu extra fds=%lu\n",
	       s->maps, s->outside, s->touches, s->sigs, s->mprot, s->madv,
	       s->mrem, s->opens);
	printf("fuzz: unexpected errno=%lu model mismatches=%lu\n",
	       s->unexpected, s->mismatch);
	if (s->unexpected) {
		ok = false;
		mt_append(fails, n, "unexpected-errno");
	}
	if (s->mismatch) {
		ok = false;
		mt_append(fails, n, "mismatch");
	}
	return ok;
}

/* The leak check: everything is unmapped and closed.  False on a leak. */
static bool leak_check(char *fails, size_t n)
{
	struct mmap_test_stats st;
	bool ok = true;
	int fd, r;

	dev_final_check();
	fd = dev_open(O_RDWR);
	if (fd < 0) {
		printf("fuzz: final open: %s\n", strerror(errno));
		mt_append(fails, n, "final-open");
		return false;
	}
	memset(&st, 0, sizeof(st));
	r = dev_ioctl(fd, IOCTL_GET_STATS, (unsigned long)&st);
	printf("fuzz: final GET_STATS: %s total_live_vmas=%llu total_pages=%llu total_files=%llu total_faults=%llu\n",
	       r ? mt_errno_name(-r) : "OK",
	       (unsigned long long)st.total_live_vmas,
	       (unsigned long long)st.total_pages,
	       (unsigned long long)st.total_files,
	       (unsigned long long)st.total_faults);
	if (r || st.total_live_vmas || st.total_pages ||
	    st.total_files != 1) {
		ok = false;
		mt_append(fails, n, "leak");
	}
	dev_close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	unsigned long taint0, taint1;
	int log_saved = -1;
	pid_t children[MAX_THREADS];
	int nchildren, i, rc;
	bool seeded = false, fail = false;
	char fails[512] = "";
	struct totals tot;
	double elapsed;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--guided") || !strcmp(argv[i], "--replay"))
			return guided_main(argc, argv);
	rc = parse_options(argc, argv, &seeded);
	if (rc >= 0)
		return rc;
	if (!seeded)
		opt_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
			(uint64_t)(mt_time_now() * 1e9);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup_process())
		return 1;
	print_header();
	if (open_device())
		return 1;
	taint0 = read_ulong("/proc/sys/kernel/tainted");
	if (opt_module_log >= 0) {
		log_saved = read_param(LOG_CALLS);
		if (log_saved < 0 || write_param(LOG_CALLS, opt_module_log)) {
			printf("fuzz: FAIL cannot set %s\n", LOG_CALLS);
			return 1;
		}
		printf("fuzz: module log_calls=%d for the run (was %d)\n",
		       opt_module_log, log_saved);
	}
	if (setup_kcov() || reserve_arenas() || setup_threads())
		return 1;

	t_start = mt_time_now();
	if (opt_seconds)
		t_deadline = t_start + opt_seconds;
	fflush(stdout);
	nchildren = fork_processes(children);
	start_threads();
	if (proc_idx) {
		for (i = proc_idx; i < opt_threads; i += opt_procs)
			pthread_join(thrs[i].th, NULL);
		for (i = 0; i < opt_fds; i++)
			dev_close(shared_fds[i].fd);
		_exit(0);
	}
	if (!wait_run(children, nchildren, fails, sizeof(fails)))
		fail = true;
	elapsed = mt_time_now() - t_start;

	sum_threads(&tot);
	munmap((void *)arenas_base, arenas_end - arenas_base);
	if (log_saved >= 0 && write_param(LOG_CALLS, log_saved))
		printf("fuzz: cannot restore %s\n", LOG_CALLS);
	for (i = 0; i < opt_fds; i++)
		dev_close(shared_fds[i].fd);

	if (!print_report(&tot, elapsed, fails, sizeof(fails)))
		fail = true;
	if (!leak_check(fails, sizeof(fails)))
		fail = true;
	if (kset) {
		print_kcov(mt_time_now());
		printf("fuzz: kcov pcs=%lu\n",
		       (unsigned long)atomic_load(&kset->count));
		if (opt_pcs_out && kcov_set_write(kset, opt_pcs_out))
			printf("fuzz: cannot write %s: %s\n", opt_pcs_out,
			       strerror(errno));
		if (atomic_load(&kset->overflows))
			printf("fuzz: kcov set full: %lu PCs not counted\n",
			       (unsigned long)atomic_load(&kset->overflows));
	}
	taint1 = read_ulong("/proc/sys/kernel/tainted");
	if (taint0 != ~0UL && taint1 != ~0UL) {
		printf("fuzz: kernel taint %#lx -> %#lx\n", taint0, taint1);
		if (taint1 & ~taint0) {
			fail = true;
			mt_append(fails, sizeof(fails), "kernel-tainted");
		}
	}
	if (fail) {
		printf("fuzz: FAIL %s calls=%lu seed=%" PRIu64 "\n", fails,
		       tot.calls, opt_seed);
		return 1;
	}
	printf("fuzz: PASS calls=%lu\n", tot.calls);
	return 0;
}
