// SPDX-License-Identifier: GPL-2.0
/*
 * rows-syscalls.c - the "syscalls" group of mmap-test-bench: ALLOC_VMA +
 * FREE_VMA (log_calls on, and off: the sysfs parameter is toggled around
 * the batches of that row) against mmap + munmap of the same fd, with
 * context rows (GET_STATS, QUERY_VMA, clock_gettime, a printk).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "bench.h"

/* An ioctl of the device's type with a number the module does not know. */
#define MMAP_TEST_BENCH_ENOTTY	_IO(MMAP_TEST_IOC_MAGIC, 0x7f)

enum call_kind {
	C_IOCTL_PAIR,		/* ALLOC_VMA + FREE_VMA, device shared */
	C_IOCTL_PAIR_NOLOG,	/* the same with log_calls=0 */
	C_MMAP_PAIR,		/* mmap + munmap, same fd */
	C_IOCTL_ANON_PAIR,	/* ALLOC_VMA(ANON) + FREE_VMA */
	C_MMAP_ANON_PAIR,	/* mmap + munmap anonymous */
	C_STATS,		/* GET_STATS: an ioctl with no printk */
	C_QUERY,		/* QUERY_VMA: find_vma + one dev_info line */
	C_TIMER,		/* clock_gettime(CLOCK_MONOTONIC) */
	C_KMSG,			/* one info line written to /dev/kmsg */
	C_GETPPID,		/* getppid(): a syscall that does nothing */
	C_IOCTL_ENOTTY,		/* an unknown ioctl: the ioctl path alone */
	C_QUERY_NOLOG,		/* QUERY_VMA with log_calls=0: the report */
	NR_CALLS,
};

/* The rows that run with log_calls=0. */
static int call_nolog(enum call_kind ck)
{
	return ck == C_IOCTL_PAIR_NOLOG || ck == C_QUERY_NOLOG;
}

static const struct label call_labels[] = {
	[C_IOCTL_PAIR] = { "ALLOC_VMA+FREE_VMA device 1 page, log_calls=1",
		"ioctl_alloc_free" },
	[C_IOCTL_PAIR_NOLOG] = {
		"ALLOC_VMA+FREE_VMA device 1 page, log_calls=0",
		"ioctl_alloc_free_nolog" },
	[C_MMAP_PAIR] = { "mmap+munmap same fd shared 1 page", "mmap_munmap" },
	[C_IOCTL_ANON_PAIR] = { "ALLOC_VMA+FREE_VMA anon 1 page",
		"ioctl_alloc_free_anon" },
	[C_MMAP_ANON_PAIR] = { "mmap+munmap anon 1 page", "mmap_munmap_anon" },
	[C_STATS] = { "ioctl GET_STATS (no printk)", "ioctl_get_stats" },
	[C_QUERY] = { "ioctl QUERY_VMA (find_vma + 1 dev_info)",
		"ioctl_query" },
	[C_TIMER] = { "clock_gettime(CLOCK_MONOTONIC)", "clock_gettime" },
	[C_KMSG] = { "write(/dev/kmsg) one <6> line (printk)", "kmsg_write" },
	[C_GETPPID] = { "getppid(): a syscall and nothing else", "getppid" },
	[C_IOCTL_ENOTTY] = { "ioctl unknown command (ENOTTY): the path alone",
		"ioctl_enotty" },
	[C_QUERY_NOLOG] = { "ioctl QUERY_VMA log_calls=0 (find_vma report)",
		"ioctl_query_nolog" },
};

/* @calls calls of kind @ck on @fd, one timestamp pair; ns per call. */
static double calls_once(enum call_kind ck, int fd, int kmsg,
			 unsigned long calls)
{
	static const char line[] = "<6>mmap-test-bench: printk cost probe, one "
		"line about as long as the module's ALLOC/FREE log lines\n";
	struct mmap_test_alloc a;
	struct mmap_test_stats st;
	struct mmap_test_query q;
	struct timespec ts;
	unsigned long i;
	double t0;
	void *p;

	t0 = mt_time_now_ns();
	for (i = 0; i < calls; i++) {
		switch (ck) {
		case C_IOCTL_PAIR:
		case C_IOCTL_PAIR_NOLOG:
			ioctl_alloc(fd, &a, MMAP_TEST_SHARED);
			ioctl_free(fd, a.mapped);
			break;
		case C_IOCTL_ANON_PAIR:
			ioctl_alloc(fd, &a, MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
			ioctl_free(fd, a.mapped);
			break;
		case C_MMAP_PAIR:
		case C_MMAP_ANON_PAIR:
			p = ck == C_MMAP_PAIR ?
			    mmap(NULL, page_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 0) :
			    mmap(NULL, page_size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				bench_fail("mmap 1 page: %s", strerror(errno));
			if (munmap(p, page_size))
				bench_fail("munmap: %s", strerror(errno));
			break;
		case C_STATS:
			get_stats(fd, &st);
			break;
		case C_GETPPID:
			sink += syscall(SYS_getppid);
			break;
		case C_IOCTL_ENOTTY:
			if (ioctl(fd, MMAP_TEST_BENCH_ENOTTY, &q) != -1 ||
			    errno != ENOTTY)
				bench_fail("an unknown ioctl did not fail with ENOTTY");
			break;
		case C_QUERY:
		case C_QUERY_NOLOG:
			memset(&q, 0, sizeof(q));
			q.addr = (uintptr_t)&q;
			if (mt_ioctl(fd, IOCTL_QUERY_VMA, &q))
				bench_fail("IOCTL_QUERY_VMA failed");
			break;
		case C_TIMER:
			clock_gettime(CLOCK_MONOTONIC, &ts);
			sink += ts.tv_nsec;
			break;
		case C_KMSG:
			if (write(kmsg, line, sizeof(line) - 1) < 0)
				bench_fail("write /dev/kmsg: %s", strerror(errno));
			break;
		default:
			break;
		}
	}
	return (mt_time_now_ns() - t0) / calls;
}

/* The rows: one per call kind, n/a for those that could not run. */
static void record_calls(const enum call_kind *cks, int nv)
{
	char key[64];
	int ck, j;

	for (ck = 0; ck < NR_CALLS; ck++) {
		const char *unit = ck <= C_MMAP_ANON_PAIR ? "ns/pair" :
				   "ns/call";

		snprintf(key, sizeof(key), "syscall.%s", call_labels[ck].key);
		for (j = 0; j < nv; j++)
			if (cks[j] == (enum call_kind)ck)
				break;
		if (j == nv) {
			add_na("syscalls", key, call_labels[ck].name, unit,
			       ck == C_KMSG ?
			       "n/a (kernel.printk_devkmsg is not 'on')" :
			       "n/a (log_calls cannot be written)");
			continue;
		}
		add_fig("syscalls", key, call_labels[ck].name, unit,
			samples[j] + 1, opt.repeats, 0, 0);
	}
}

void bench_syscalls(void)
{
	char devkmsg[32] = "";
	int fd, kmsg, ck, j, r, nv = 0;
	enum call_kind cks[NR_CALLS];
	double *cns[NR_CALLS];
	unsigned long c, nch;

	/* Rate-limited /dev/kmsg drops lines: it would not measure printk. */
	read_setting("/proc/sys/kernel/printk_devkmsg", devkmsg,
		     sizeof(devkmsg));
	fd = open_dev();
	kmsg = -1;
	if (!strcmp(devkmsg, "on"))
		kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	for (ck = 0; ck < NR_CALLS; ck++) {
		if (ck == C_KMSG && kmsg < 0)
			continue;
		if (call_nolog(ck) && !env.log_calls_rw)
			continue;
		cks[nv++] = ck;
	}
	clear_samples();
	nch = (opt.calls + BATCH - 1) / BATCH;
	for (j = 0; j < nv; j++) {
		cns[j] = calloc(nch, sizeof(double));
		if (!cns[j])
			bench_fail("out of memory");
	}
	for (r = 0; r <= opt.repeats; r++) {
		bench_progress("syscalls: %s %d of %d", r ? "repeat" : "warm-up", r,
			       opt.repeats);
		/*
		 * In turns of BATCH calls, each batch timed whole, so that
		 * load bursts hit every row alike; log_calls is off only
		 * around the batches of its row.  The value: the median
		 * batch.
		 */
		for (c = 0; c < nch; c++) {
			unsigned long cnt = opt.calls - c * BATCH;

			if (cnt > BATCH)
				cnt = BATCH;
			for (j = 0; j < nv; j++) {
				int v = variant_at(j, r, nv);

				if (call_nolog(cks[v]))
					set_log_calls(0);
				cns[v][c] = calls_once(cks[v], fd, kmsg, cnt);
				if (call_nolog(cks[v]))
					set_log_calls(1);
			}
		}
		for (j = 0; j < nv; j++) {
			samples[j][r].ns = median_of(cns[j], nch);
			samples[j][r].ns2 = -1;
		}
	}
	restore_log_calls();
	for (j = 0; j < nv; j++)
		free(cns[j]);
	record_calls(cks, nv);
	if (kmsg >= 0)
		close(kmsg);
	close(fd);
}

/*
 * --call-once KEY: opt.calls calls of the syscalls row KEY (its key
 * without "syscall.": mmap_munmap, ioctl_alloc_free_nolog, ...) after one
 * untimed call, for PROFILE=1's tracer (MT_TRACE: the timed calls only).
 * log_calls is 0 around an _nolog row and given back its value after.
 * Prints the time per call (pair) and exits 0; 2 for an unknown KEY or a
 * row that needs what is missing.
 */
int call_once(const char *key)
{
	int ck, fd, kmsg = -1;
	double t;

	for (ck = 0; ck < NR_CALLS; ck++)
		if (!strcmp(key, call_labels[ck].key))
			break;
	if (ck == NR_CALLS || ck == C_KMSG) {
		fprintf(stderr, "mmap-test-bench: --call-once: no row %s%s\n",
			key, ck == C_KMSG ? " (not for the tracer)" : "");
		return 2;
	}
	fd = open_dev();
	read_log_calls();
	if (call_nolog(ck)) {
		if (!env.log_calls_rw) {
			fprintf(stderr, "mmap-test-bench: --call-once %s: cannot write %s\n",
				key, LOG_CALLS_PARAM);
			return 2;
		}
		set_log_calls(0);
	}
	calls_once(ck, fd, kmsg, 1);
	trace_pid_and_on(1);
	t = calls_once(ck, fd, kmsg, opt.calls);
	trace_pid_and_on(0);
	restore_log_calls();
	printf("call-once %s: %lu calls, %.0f ns/call\n", key, opt.calls, t);
	close(fd);
	return 0;
}
