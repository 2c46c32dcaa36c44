/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h - what the files of mmap-test-bench share: the limits, the
 * kinds of mapping the rows compare, a row's samples and figure, a goal,
 * the options and the environment, and the functions one file calls in
 * another.  What the program measures and how: docs/bench.md and
 * "mmap-test-bench --help".
 *
 *   main.c          options, the run
 *   groups.c        the table of groups (and how to add one)
 *   rows-<group>.c  one group of rows each (the groups: groups.c, or
 *                   "mmap-test-bench --help"): bench_<group>() measures
 *                   its variants and records
 *                   one figure per row with add_fig() (or add_na())
 *   touch.c         the kinds of mapping (anon, shmem, memfd, hugetlb,
 *                   device, reference driver): opening, mapping, touching
 *                   them, interleaved (touch_set())
 *   figures.c       the figures (rows) and the per-repeat samples
 *   stats.c         medians, their confidence interval, the variants' order
 *   goals.c         the goals: paired ratios of figures and their verdicts
 *   env.c           the environment block: what is read, what is changed
 *                   for the run and restored
 *   output.c        the table (stdout) and the JSON
 *   common.c        progress and error messages, fault counts, the device
 *
 * To add a row to a group: record it in that group's rows-<group>.c with
 * add_fig() (its key, label and unit appear in the table and the JSON).
 * To add a group: groups.c.  To add a goal: a line in goals.c's
 * eval_goals().
 */
#ifndef MMAP_TEST_BENCH_H
#define MMAP_TEST_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <linux/mmap_test.h>

#include "mt.h"

#ifndef MAP_HUGETLB
#define MAP_HUGETLB	0x40000
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC	0x0001U
#endif

#define MAX_REPEATS	64
#define MIN_REPEATS	9
#define MAX_FIGS	160
#define MAX_LIST	16
#define MAX_GOALS	24
#define CI_LEVEL	0.95	/* the least level of a goal's interval */
#define BATCH		50	/* calls per timestamp pair */
#define TOUCH_CHUNK	512	/* pages per turn of an interleaved touch */
#define MAX_SET		12	/* variants of one touch_set() */
#define MAX_VARIANTS	(3 * MAX_LIST)	/* variants of a group */

#define REF_DEVICE		"/dev/mmap-test-ref"
#define REF_PREFAULT_DEVICE	"/dev/mmap-test-ref-prefault"
#define LOG_CALLS_PARAM		"/sys/module/mmap_test/parameters/log_calls"
#define SHMEM_ENABLED		"/sys/kernel/mm/transparent_hugepage/shmem_enabled"
#define NR_HUGEPAGES		"/proc/sys/vm/nr_hugepages"

/*
 * A group of rows (--only): a row of groups.c's bench_groups[], the one
 * list of them, which says how to add one.  Its bit in opt.groups is its
 * index there.
 */
struct bench_group {
	const char *name;	/* --only's word, a figure's group */
	void (*run)(void);	/* bench_<name>(): measure, add_fig() */
	unsigned int flags;	/* BG_* */
	const char *title;	/* above its rows in the table */
	const char *footer;	/* "note:" below them, or NULL */
};

/* struct bench_group's flags: what the device's buffer must hold. */
#define BG_PAGES	(1U << 0)	/* --pages pages */
#define BG_SIZES	(1U << 1)	/* the largest of --sizes MiB */

extern const struct bench_group bench_groups[];
extern const size_t nr_bench_groups;
const struct bench_group *bench_group(const char *name);
bool group_on(const char *name);

/* What a row is called: in the table (name) and in keys and JSON (key). */
struct label {
	const char *name;
	const char *key;
};

enum pattern { SEQ_READ, SEQ_WRITE, RAND_READ };
extern const struct label pattern_labels[];

/* The kinds of mapping the rows compare. */
enum kind {
	K_ANON_PRIVATE,
	K_ANON_NOHUGE,
	K_SHMEM_SHARED,
	K_MEMFD_THP,
	K_HUGETLB,
	K_DEV_PRIVATE,
	K_DEV_SHARED,
	K_REF_FAULT,
	K_REF_PREFAULT,
	K_MEMFD_SHARED,
	K_MEMFD_PRIVATE,
	K_ANON_THP,
	NR_KINDS,
};
extern const struct label kind_labels[];

/* One repeat of one variant: times and fault counts, per unit. */
struct sample {
	double ns;		/* primary: whole touch, or median batch */
	double ns2;		/* secondary: median chunk; < 0: none */
	double minflt;
	double faults;
	double around;
};

/* A row of the table: one figure over the repeats. */
struct fig {
	char key[64];
	char group[16];
	char label[72];
	const char *unit;
	int n;
	double v[MAX_REPEATS];	/* per repeat, in repeat order */
	double med, min, max;
	double med2;		/* median of the secondary values; < 0: none */
	double minflt;		/* per unit, mean over repeats; < 0: n/a */
	double faults;		/* device GET_STATS faults per unit; < 0: n/a */
	double around;		/* device pages_around per unit; < 0: n/a */
	char note[64];
	char na[96];		/* not measured, and why */
};

/*
 * V_INVALID: measured, but a precondition of the comparison failed (the
 * reason in na); V_INFO: a ratio shown for information, with no limit.
 */
enum verdict { V_NA, V_MET, V_NOT_MET, V_INCONCLUSIVE, V_INVALID, V_INFO,
	       NR_VERDICTS };
/* name: for the table; key: for BENCH-SUMMARY and JSON */
extern const struct label verdict_labels[];

struct goal {
	char key[32];
	char text[80];
	char detail[128];
	char na[96];
	double limit;
	int ge;			/* 1: good when ratio >= limit */
	double lo2, hi2;	/* band goals: good inside [lo2, hi2] */
	int band;
	int wall_only;		/* needs real parallelism: judged on wall time */
	int info;		/* no limit: V_INFO */
	double ratio, ci_lo, ci_hi;
	double level;		/* the interval's true level (median_ci()) */
	int n;
	double q[MAX_REPEATS];	/* the per-repeat paired ratios */
	enum verdict verdict;
};

/* The options (main.c). */
struct options {
	unsigned long pages;
	int repeats;
	int big_repeats;
	unsigned long calls;
	unsigned long sizes[MAX_LIST];	/* MiB */
	int nr_sizes;
	unsigned long vmas[MAX_LIST];
	int nr_vmas;
	unsigned int groups;
	int emulated;
	const char *json;
	const char *device;
	const char *host_load;
	int cpu;
	const char *huge_export;	/* huge group: write its samples here */
	const char *huge_import;	/* huge group: its samples from here */
	uint64_t seed;			/* the variants' order (variant_at()) */
	const char *clock;		/* what CLOCK_MONOTONIC counts: --clock */
	const char *extra_env[MAX_LIST];	/* --env KEY=VALUE */
	const char *touch_once;			/* --touch-once KIND */
	const char *call_once;			/* --call-once KEY */
	int nr_extra_env;
};
extern struct options opt;
extern char big_note[96];	/* a NOTE line of the table, or "" */

/* The environment of the run (env.c, see read_env()). */
struct environment {
	char thp[32];
	char thp_defrag[32];
	char shmem[32];		/* shmem_enabled as found */
	char shmem_run[32];	/* shmem_enabled during the run */
	char clocksource[32];
	char fault_around[32];
	char params[256];	/* mmap_test's module parameters */
	char ref_params[64];
	char load_before[64];
	char load_after[64];
	char mem[64];
	long hugepage_kb;
	long nr_hugepages;	/* as found */
	long nr_hugepages_run;
	int cpus;
	int pinned;
	double timer_ns;	/* one clock_gettime() */
	char cmdline[512];	/* /proc/cmdline */
	char cpu_model[96];
	int log_calls_rw;	/* the log_calls parameter can be toggled */
	char log_calls0[8];	/* its value as found */
};
extern struct environment env;

/* common.c */
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __attribute__((noreturn, format(printf, 1, 2))) bench_fail(const char *fmt, ...);
void *array_add(void *base, int *nr, int max, size_t size, const char *what);
long minflt_now(void);
int open_dev(void);
int open_path(const char *path);
void get_stats(int fd, struct mmap_test_stats *st);
unsigned long dev_buffer_pages(void);
void ioctl_alloc(int fd, struct mmap_test_alloc *a, __u32 flags);
void ioctl_free(int fd, __u64 addr);
void set_log_calls(int on);
void restore_log_calls(void);

/* stats.c */
int cmp_double(const void *a, const void *b);
double median_of(double *v, unsigned long n);
double median_ci_level(int n, int k);
double median_ci(const double *q, int n, double *med, double *lo, double *hi);
int variant_at(int i, int r, int nv);
int self_check(void);

/* figures.c */
extern struct fig figs[MAX_FIGS];
extern int nr_figs;
extern struct sample samples[MAX_VARIANTS][MAX_REPEATS + 1];
struct fig *find_fig(const char *key);
void add_na(const char *group, const char *key, const char *label,
	    const char *unit, const char *why);
struct fig *add_fig(const char *group, const char *key, const char *label,
		    const char *unit, const struct sample *s, int n, int dev,
		    int flt);
void clear_samples(void);

/* touch.c */
extern long page_size;
extern volatile unsigned long sink;
void make_perm(unsigned long n);
double touch_range(char *p, unsigned long first, unsigned long n,
		   enum pattern pat);
double touch_pages(char *p, unsigned long n, enum pattern pat);
int kind_is_dev(enum kind k);
int make_memfd_empty(unsigned long len);
char *try_map_kind(enum kind k, int fd, unsigned long len, int extra);
char *map_kind(enum kind k, int fd, unsigned long len, int extra);
void touch_set(const enum kind *kinds, const int *fds, int nv,
	       unsigned long n, enum pattern pat, int r, struct sample *out);
void touch_patterns(const char *what, const enum kind *kinds, const int *fds,
		    int nk);
int touch_once(const char *key);
int call_once(const char *key);
void trace_pid_and_on(int on);
void fault_row_name(const char *what, enum pattern pat, enum kind k,
		    char *key, size_t nkey, char *label, size_t nlabel);

/* goals.c */
extern struct goal goals[MAX_GOALS];
extern int nr_goals;
void eval_goals(void);

/* env.c */
void read_setting(const char *path, char *buf, size_t n);
int write_file(const char *path, const char *s);
void read_loadavg(char *buf, size_t n);
void read_env(void);
void read_log_calls(void);
void restore_env(void);

/* output.c */
const char *limit_op(const struct goal *g);
void print_table(const struct utsname *u);
void print_json(FILE *f, const struct utsname *u);

/* rows-*.c: one group each */
void bench_faults(void);
void bench_sparse(void);
void bench_warm(void);
void bench_populate(void);
void bench_syscalls(void);
void bench_fork(void);
void bench_teardown(void);
void bench_scaling(void);
void bench_growth(void);
void bench_vmas(void);
void bench_huge(void);

#endif /* MMAP_TEST_BENCH_H */
