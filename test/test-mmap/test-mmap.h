/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test-mmap.h - what the files of test-mmap share: the options, the
 * context of one run, and the functions one file offers the others.
 *
 * test-mmap is the program users run after "insmod mmap_test.ko" (usage:
 * main.c).  Its files, one concern each:
 *
 *   main.c            main(): parse the options, open the device, run the
 *                     command; the table of commands, commands[]
 *   args.c            the command line: numbers, sizes, --prot, errno
 *                     names, the options, --help
 *   commands.c        alloc, free, query, stats, hold: one request each
 *   run.c             the reference run (no command, or "run")
 *   tour.c, tour.h    "tour": the step framework and the list of steps;
 *   tour-*.c          the steps (tour-vma.c, tour-pages.c,
 *                     tour-placement.c, tour-chain.c)
 *   lab.c, lab.h      "-i" and "script FILE": the session, the table of
 *                     lab commands, the line splitter
 *   script.c          the lab's variables and expressions
 *   lab-device.c      lab commands that talk to the module (alloc, free,
 *                     query, stats, maps)
 *   lab-memory.c      lab commands on this address space (touch, read,
 *                     write, madvise, mprotect, mremap, fork, hint, place)
 *   lab-flow.c        lab commands of the script itself (echo, expect,
 *                     require, if, quit)
 *   edit.c            reading lab lines: a small line editor on a terminal
 *   ioctl.c           the four ioctls of /dev/mmap-test, with error reports
 *   explain.c         why a request failed, what a find_vma() verdict means
 *   output.c          text and JSON output, error lines
 *   machine.c         facts of this machine and process: sysctls, free
 *                     gaps, the stack, the mmap layout
 *
 * The helpers every mmap-test program shares (the ioctls, names, maps,
 * TASK_SIZE, guarded accesses, small files, /dev/kmsg, the JSON writer)
 * are the library's: test/lib/mt_*.h.
 *
 * To add a command: a cmd_<name>() (commands.c, or a file of its own if
 * it is large), declared below, and a row in main.c's commands[]: usage,
 * the parser and the checks of what combines with what read that table.
 * To add a tour step: a tour_<name>() in a tour-*.c file, declared in
 * tour.h, and a row in tour.c's tour_steps[].  To add a lab command: an
 * s_<name>() in a lab-*.c file, declared in lab.h, a row in lab.c's
 * s_cmds[].
 */
#ifndef TEST_MMAP_H
#define TEST_MMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <getopt.h>

#include <linux/mmap_test.h>
#include "mt_file.h"
#include "mt_ioctl.h"
#include "mt_json.h"
#include "mt_maps.h"
#include "mt_mem.h"
#include "mt_names.h"

/* The reference run's mapping: the address of the original arm64 report. */
#if defined(__aarch64__)
#define DEFAULT_ADDR	0xffff95010000ULL	/* the original report */
#elif __SIZEOF_LONG__ == 8
#define DEFAULT_ADDR	0x7f0095010000ULL	/* below x86_64's 47-bit top */
#else
#define DEFAULT_ADDR	0x95010000ULL
#endif
#define DEFAULT_PAGES	4
#define FIXED_ANY	(MMAP_TEST_FIXED | MMAP_TEST_FIXED_NOREPLACE)

/*
 * The end of the default mmap window, 2^MAP_WINDOW_BITS: mmap(2) places
 * nothing at or above it unless a hint above it asks to.  Asked of the
 * kernel at run time (mt_mem_window_end(): where it put the stack), not
 * taken from the architecture's name: x86_64 2^47, arm64 2^48, riscv64 2^47
 * (Sv48, Sv57), ppc64 2^46 (4K pages) or 2^47 (64K pages); s390x, which has
 * no window, the 3-level page-table limit 2^42.
 */
#define MAP_WINDOW_END	((__u64)mt_mem_window_end(NULL))
#define MAP_WINDOW_BITS	map_window_bits()

static inline int map_window_bits(void)
{
	int bits;

	mt_mem_window_end(&bits);
	return bits;
}

struct ctx;

/*
 * A command of test-mmap: a row of main.c's commands[], the one list of
 * them.  usage(), the parser (args.c) and main() derive everything from it.
 */
struct command {
	const char *name;	/* the word on the command line; "-i": an option */
	const char *arg;	/* the operand after the word ("F"), or NULL */
	int (*fn)(struct ctx *c);
	unsigned int flags;	/* CMD_* */
	const char *help;	/* usage()'s text; '\n' starts another line */
};

/* struct command's flags: what a command is and what combines with it. */
enum {
	CMD_DEFAULT	= 1 << 0,	/* runs when no command is given */
	CMD_OPTION	= 1 << 1,	/* chosen by an option (-i), not a word */
	CMD_FILE	= 1 << 2,	/* its operand is a FILE, or - for stdin */
	CMD_EXPECT	= 1 << 3,	/* one ioctl: --expect ERRNO applies */
	CMD_SESSION	= 1 << 4,	/* goes on when the device cannot be opened */
	CMD_LIST	= 1 << 5,	/* --list: its parts, without the device */
	CMD_JSON_RESULT	= 1 << 6,	/* JSON ends in "result" (also on open failure) */
	CMD_TEXT_RESULT	= 1 << 7,	/* text ends in "result: ..." (same) */
};

extern const struct command commands[];
extern const size_t n_commands;

enum req { REQ_ALLOC, REQ_FREE, REQ_QUERY, REQ_STATS, REQ_OPEN };

/* The long options; the lab's commands take the same ones (lab-device.c). */
enum {
	OPT_ADDR = 256, OPT_LEN, OPT_PGOFF, OPT_PROT, OPT_SHARED, OPT_PRIVATE,
	OPT_FIXED, OPT_NOREPLACE, OPT_HINT, OPT_POPULATE, OPT_ANON,
	OPT_RESERVED, OPT_RAW, OPT_DEVICE, OPT_RDONLY, OPT_EXPECT,
	OPT_UNTIL_SIGNAL, OPT_JSON, OPT_LIST, OPT_DRY_RUN,
};

struct opts {
	const struct command *cmd;
	const char *device;
	const char *script;	/* script FILE|- */
	__u64 addr, len, pgoff, reserved;
	__u32 prot, raw_flags;
	__u32 share;		/* SHARED/PRIVATE bits given */
	__u32 place;		/* FIXED/FIXED_NOREPLACE bits given */
	bool addr_set, len_set, prot_set, raw_flags_set, hint;
	bool populate, anon, rdonly, until_signal, expect_set, json, list;
	bool dry_run;		/* --dry-run: the arguments parsed, exit 0 */
	int expect;
};

/* One run of the program: its options and the open device. */
struct ctx {
	const struct opts *o;
	int fd;
	unsigned long page;
	__u64 buffer_pages;	/* 0: unknown */
};

/* The commands' functions (main.c's table). */
int cmd_run(struct ctx *c);
int cmd_alloc(struct ctx *c);
int cmd_free(struct ctx *c);
int cmd_query(struct ctx *c);
int cmd_stats(struct ctx *c);
int cmd_hold(struct ctx *c);
int cmd_tour(struct ctx *c);
int cmd_interactive(struct ctx *c);
int cmd_script(struct ctx *c);

/* args.c */
extern const struct option long_opts[];
const char *opt_abbreviated(int argc, char **argv, int first);
void usage(FILE *f);
/* 1 << 10 for "k" or "K" (m, g; p: page); 0 for any other character. */
unsigned long long size_unit(char c, unsigned long page);
int parse_u64(const char *s, __u64 *v, unsigned long page);
int parse_prot(const char *s, __u32 *prot);
int parse_errno(const char *s, int *e);
int parse_opt(struct opts *o, int c, const char *arg, unsigned long page);
int parse_args(struct opts *o, int argc, char **argv, unsigned long page);

/* commands.c: one request, printed as text or JSON; 0 or -errno */
int alloc_req(struct ctx *c, struct mmap_test_alloc *a);
int free_req(const struct ctx *c);
int query_req(const struct ctx *c, struct mmap_test_vma_report *r);
int stats_req(struct ctx *c, struct mmap_test_stats *s);
int check_expect(const struct opts *o, int ret);

/* ioctl.c */
int open_device(struct ctx *c);
int get_stats(struct ctx *c, struct mmap_test_stats *s, bool quiet);
const char *report_vma_name(const struct mmap_test_vma_report *r);
int do_query(const struct ctx *c, __u64 addr, __u64 reserved,
	     struct mmap_test_vma_report *r);
int do_free(const struct ctx *c, __u64 addr, __u64 len, __u64 reserved);
void init_alloc(const struct ctx *c, struct mmap_test_alloc *a,
		__u64 addr, __u64 len, bool fixed_default);
bool before_copied(const struct mmap_test_alloc *a);
int do_alloc(const struct ctx *c, struct mmap_test_alloc *a);

/* explain.c */
extern const char * const req_name[];
const char *explain_error(const struct ctx *c, enum req req, int err,
			  const void *arg, char *buf, size_t n);
void report_error(const struct ctx *c, enum req req, int err,
		  const void *arg);
void explain_sentence(const struct mmap_test_vma_report *r,
		      char *buf, size_t n);

/* output.c: text */
extern bool text_quiet;
extern char err_prefix[300];
extern char last_err[512];
void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...);
void print_verdict(const char *label, const struct mmap_test_vma_report *r);
void print_sentence(const char *indent,
		    const struct mmap_test_vma_report *r);
void __attribute__((format(printf, 1, 2))) errmsg(const char *fmt, ...);
void print_report(const struct mmap_test_vma_report *r);
void print_stats(const struct mmap_test_stats *s);
void print_request(const struct mmap_test_alloc *a);
const char *stat_name(size_t i);
unsigned long long stat_value(const struct mmap_test_stats *s, size_t i);

/* output.c: JSON lines on stdout, with the library's writer */
extern struct mt_json json_out;
void j_report(const char *k, const struct mmap_test_vma_report *r);
void j_end_line(void);
void j_request(const struct mmap_test_alloc *a);
void j_result(const struct ctx *c, enum req req, int ret, const void *arg);
void j_stats(const struct mmap_test_stats *s);

/* machine.c */
unsigned long long read_sysctl(const char *path);
__u64 largest_gap(__u64 lo, __u64 hi);
bool stack_range(__u64 *start, __u64 *end);
bool layout_topdown(char *why, size_t n);

/* run.c */
/*
 * memcpy() through a mapping: 0, or -1 after a fault, with
 * "WHAT: SIGSEGV at ADDR (SEGV_HINT)" (or SIGBUS and its hint) in @msg.
 */
int copy_or_describe(void *dst, const void *src, size_t n, const char *what,
		     const char *segv_hint, char *msg, size_t len);
int guarded_copy(void *dst, const void *src, size_t n, const char *what);

#endif
