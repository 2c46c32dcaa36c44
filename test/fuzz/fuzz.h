/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h - what the files of mmap-test-fuzz share: the limits, the
 * per-thread state, the run's global state and the functions one file
 * calls in another.  What the program does and how to run it: main.c.
 *
 *   main.c     options, setup (TASK_SIZE, arenas, fds, per-thread state),
 *              the fuzzing processes, the final report and leak check
 *   threads.c  one fuzzing thread: its loop over chunks of calls, the
 *              choice of fd and of operation per step, its cleanup
 *   alloc.c    IOCTL_ALLOC_VMA: argument generators, the FIXED-into-arena
 *              rule, the call and the checks of what it mapped
 *   ops.c      IOCTL_FREE_VMA, IOCTL_QUERY_VMA, IOCTL_GET_STATS and raw
 *              (unknown) command numbers: generators, call, checks
 *   model.c    the contract: allowed outcomes per command, the judging of
 *              a result, the checks of a find_vma() report, failure reports
 *   args.c     argument pointers: valid, read-only, NULL, guard page...
 *   track.c    the mappings a thread made: tracking, guarded touches (a
 *              signal must match the protection), mprotect/madvise/mremap
 *   device.c   the device, or (built with -DMT_FUZZ_MOCK) its in-process
 *              emulation
 *   kcov.c     the module's PCs each thread ran (KCOV), in a set shared
 *              by the processes
 *   guided.c   --guided (coverage-guided, inputs of test/lib/mt_record.h)
 *              and --replay: the loop, corpus, mutations, crashes
 *   gexec.c    their executor: one input, confined, undone, checked
 *
 * From the library (test/lib): the PRNG (mt_rng, xoshiro256** seeded
 * from --seed through splitmix64, so that a seed reproduces the calls),
 * the guarded touches (mt_mem_touch), TASK_SIZE, the /proc/self/maps
 * parser, the names of errnos and flags, the clock.
 */
#ifndef MMAP_TEST_FUZZ_H
#define MMAP_TEST_FUZZ_H

#include <signal.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/mmap_test.h>

#include "mt.h"

#define MAX_THREADS	64
#define MAX_FDS		64
#define ARENA_SIZE	(64UL << 20)
#define MAX_LIVE	64		/* tracked mappings per thread */
#define MAX_ENT		256		/* room for splits */
#define CHUNK		64		/* calls taken from the budget at once */
#define MAX_PRINTS	40		/* failure reports printed */

/* Commands of the histogram. */
enum { C_ALLOC, C_FREE, C_QUERY, C_STATS, C_RAW, NCMD };
extern const char * const cmd_names[NCMD];

/* Outcome classes, as bits of an "allowed" mask. */
enum {
	O_OK, O_EINVAL, O_EFAULT, O_ENOTTY, O_EEXIST, O_ENOMEM, O_EACCES,
	O_EOVERFLOW, O_EPERM, O_OTHER, NOUT
};
#define B(o)	(1U << (o))
#define A_OK		B(O_OK)
#define A_EINVAL	B(O_EINVAL)
#define A_EFAULT	B(O_EFAULT)
#define A_ENOTTY	B(O_ENOTTY)
#define A_EEXIST	B(O_EEXIST)
#define A_ENOMEM	B(O_ENOMEM)
#define A_EACCES	B(O_EACCES)
#define A_EOVERFLOW	B(O_EOVERFLOW)
#define A_EPERM		B(O_EPERM)

/* Argument pointer kinds. */
enum {
	PK_VALID,	/* inside two RW pages */
	PK_END,		/* ends exactly where the guard page starts */
	PK_UNALIGNED,	/* valid, not 8-aligned */
	PK_RO,		/* read-only page: copy-in works, copy-out fails */
	PK_NULL,
	PK_LOW,		/* page 0 */
	PK_GUARD,	/* PROT_NONE page */
	PK_STRADDLE,	/* last bytes of the struct in the guard page */
	PK_KERNEL,	/* kernel half / non-canonical */
	PK_TOP,		/* straddles TASK_SIZE */
	NPK
};
extern const char * const pk_names[NPK];

struct fdinfo {
	int fd;
	bool rdonly;
	int index;		/* shared fd index, -1 for an extra fd */
};

/* A mapping the thread made (or a piece of one, after splits). */
struct entry {
	unsigned long start, end;
	unsigned int prot;
	bool prot_known;
	bool shared;
	bool anon;
	bool rdonly_fd;
	bool in_arena;
};

/* One fuzzing thread: its PRNG, arena, mappings and counters. */
struct thr {
	int id;
	pthread_t th;
	struct mt_rng rng;
	unsigned long arena;
	unsigned char *pages;		/* RW RW guard(PROT_NONE) */
	unsigned char *rw_view, *ro_view;	/* one memfd page, twice */
	struct entry ent[MAX_ENT];
	int nent;
	struct fdinfo extra;
	int extra_left;
	unsigned long step;
	/* results */
	unsigned long hist[NCMD][256];
	double cmd_time[NCMD];		/* seconds spent in the ioctl */
	unsigned long pk_count[NPK];
	unsigned long calls, cleanup_calls;
	unsigned long touches, sig_expected, unexpected, mismatch;
	unsigned long extra_opens, mprotects, madvises, mremaps;
	unsigned long new_maps, maps_outside_arena, spread_chunks;
};

/* Shared by the processes (MAP_SHARED), like the struct thr array. */
struct gshared {
	atomic_ulong budget_taken;
	atomic_int stop_now;
	atomic_int threads_done;
	atomic_int nprinted;
	atomic_ulong progress_calls;
};

/* KCOV (kcov.c): one per thread, the trace of the calling task. */
struct kcov {
	int fd;
	unsigned long *area;	/* area[0]: count, then the PCs */
	unsigned long words;
	unsigned long truncated;	/* traces that filled the buffer */
};

#define KCOV_WORDS		65536UL	/* trace buffer, in PCs */
#define KCOV_SET_SLOTS		65536UL		/* shared set: 2x its limit */
#define KCOV_SET_MAX		32768UL
#define KCOV_LOCAL_SLOTS	65536UL

/* The PCs seen by any fuzzing process (MAP_SHARED). */
struct kcov_set {
	atomic_ulong count;
	atomic_ulong overflows;	/* PCs that did not fit */
	atomic_ullong slot[KCOV_SET_SLOTS];
};

/* The PCs one thread has seen already (no atomics, private). */
struct kcov_local {
	unsigned long long *slot;
	unsigned long n;
};

/* The options the threads read (main.c sets them). */
extern unsigned long opt_calls;
extern int opt_fds;
extern int opt_spread;		/* % of chunks run floating over all CPUs */
extern unsigned int mix[NCMD];	/* percent: ALLOC, FREE, QUERY, GET_STATS, raw */

/* The run's state, set up by main.c before the threads start. */
extern unsigned long ps, pshift, task_size, buf_pages;
extern unsigned long arenas_base, arenas_end;
extern bool dev_noexec;
extern struct fdinfo shared_fds[MAX_FDS];
extern struct gshared *gs;
extern int proc_idx;		/* this process: thread i runs in i % procs */
extern atomic_int local_done;	/* threads of this process that ended */
extern double t_deadline;
extern unsigned long text_addr, vdso_addr;
extern __thread struct thr *self;
extern struct kcov_set *kset;	/* NULL: no KCOV */

/* The thread's random numbers: 64 bits, below @n, per-mille chance. */
static inline uint64_t rnd64(struct thr *t)
{
	return mt_rng_next(&t->rng);
}

static inline unsigned long rnd(struct thr *t, unsigned long n)
{
	return mt_rng_below(&t->rng, n);
}

static inline bool chance(struct thr *t, unsigned int per_mille)
{
	return mt_rng_chance(&t->rng, per_mille);
}

/* device.c */
int dev_open(int flags);
int dev_close(int fd);
int dev_ioctl(int fd, unsigned int cmd, unsigned long arg);
void dev_final_check(void);

/* model.c */
void __attribute__((format(printf, 3, 4)))
report_failure(struct thr *t, unsigned long *counter, const char *fmt, ...);
unsigned int outcome(int err);
int issue(struct thr *t, int c, const struct fdinfo *fi, unsigned int cmd,
	  unsigned long arg);
bool judge(struct thr *t, int c, int r, unsigned int allowed,
	   const struct fdinfo *fi, int pk, const char *desc);
bool check_report(struct thr *t, const struct mmap_test_vma_report *r,
		  unsigned long addr, const char *what);
unsigned int expected_backing(const struct entry *e);

/* args.c */
bool pk_readable(int pk);
bool pk_writable(int pk);
int pick_pk(struct thr *t);
unsigned long place(struct thr *t, int pk, const void *src, size_t size,
		    void **out);

/* track.c */
bool overlaps(unsigned long a, unsigned long b, unsigned long c,
	      unsigned long d);
unsigned long sat_end(unsigned long addr, unsigned long len);
void on_fault(int sig, siginfo_t *si, void *uc);
bool in_own_arena(struct thr *t, unsigned long a, unsigned long b);
void reserve(struct thr *t, unsigned long a, unsigned long b);
void ent_isolate(struct thr *t, unsigned long a, unsigned long b);
void ent_drop(struct thr *t, unsigned long a, unsigned long b);
bool ent_overlaps(struct thr *t, unsigned long a, unsigned long b);
void touch_entry(struct thr *t, struct entry *e, unsigned long addr);
void touch_random(struct thr *t);
void do_mprotect(struct thr *t);
void do_madvise(struct thr *t);
void do_mremap(struct thr *t);

/* alloc.c */
void do_alloc(struct thr *t, const struct fdinfo *fi);

/* ops.c */
void do_free(struct thr *t, const struct fdinfo *fi, bool whole_entry);
void do_query(struct thr *t, const struct fdinfo *fi, unsigned long sp);
void do_stats(struct thr *t, const struct fdinfo *fi);
void do_raw(struct thr *t, const struct fdinfo *fi);

/* kcov.c */
bool kcov_probe(char *why, size_t n);
struct kcov *kcov_start(unsigned long words);
void kcov_stop(struct kcov *k);
void kcov_reset(struct kcov *k);
unsigned long kcov_read(struct kcov *k, const unsigned long **pcs);
struct kcov_set *kcov_set_new(void);
bool kcov_set_add(struct kcov_set *s, unsigned long long pc);
bool kcov_local_init(struct kcov_local *l);
bool kcov_local_add(struct kcov_local *l, unsigned long long pc);
unsigned long kcov_collect(struct kcov *k, struct kcov_local *l,
			   struct kcov_set *s);
int kcov_set_write(const struct kcov_set *s, const char *path);

/* threads.c */
void *thread_main(void *arg);

/* guided.c: --guided and --replay */
int guided_main(int argc, char **argv);

#endif /* MMAP_TEST_FUZZ_H */
