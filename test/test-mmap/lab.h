/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lab.h - the lab bench ("test-mmap -i", "test-mmap script FILE|-"): one
 * process, one device fd, one address space; every line is one command.
 * A line "$name = COMMAND ..." keeps the command's result (an address or
 * count, with named fields: $a.len, $q.contains) and "$name = EXPR" an
 * expression.  An error is one line on stderr ("FILE:LINE: error: ..."),
 * and the session goes on; the exit status is 1 if any line failed, 4 if
 * "require" skipped the rest.
 *
 * lab.c runs the session and holds the table of commands; script.c the
 * variables and expressions; lab-device.c, lab-memory.c, lab-flow.c the
 * commands; edit.c reads the lines.  To add a command: write
 * s_<name>(s, argc, argv) in the lab-*.c file of its kind (return 0 ok,
 * 1 failed, -1 an error of the line, after s_err()), declare it here, and
 * add a row with its usage to s_cmds[] in lab.c.
 */
#ifndef TEST_MMAP_LAB_H
#define TEST_MMAP_LAB_H

#include "test-mmap.h"

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
	const char *raw;		/* the line being run, for messages */
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

/* A command of the language: its words, argv[0] its name. */
typedef int s_cmd_fn(struct session *s, int argc, char **argv);

/* The commands (lab.c's table). */
s_cmd_fn s_alloc, s_free, s_query, s_stats, s_maps;	/* lab-device.c */
s_cmd_fn s_touch, s_read, s_write, s_madvise, s_mprotect, s_mremap,
	 s_fork, s_hint, s_place;			/* lab-memory.c */
s_cmd_fn s_echo, s_expect, s_require, s_if, s_quit;	/* lab-flow.c */

/* lab.c: the session */
void __attribute__((format(printf, 2, 3)))
s_err(struct session *s, const char *fmt, ...);
void j_command(const char *cmd, bool ok);
void s_json_last(struct session *s);
void res_reset(struct session *s, __u64 v);
void res_field(struct session *s, const char *name, __u64 v);
void res_report(struct session *s, const char *pfx,
		const struct mmap_test_vma_report *r);
int s_dispatch(struct session *s, int argc, char **argv);

/* script.c: variables and expressions */
struct s_var *var_find(struct session *s, const char *name, size_t n);
bool builtin(struct session *s, const char *name, size_t n, __u64 *v);
int expand(struct session *s, const char *in, char *out, size_t n);
int fmt_value(char *buf, size_t n, __u64 v);
int eval(struct session *s, const char *text, __u64 *v);
int eval_as(struct session *s, const char *what, const char *text,
	    __u64 *v);
int eval_words(struct session *s, int argc, char **argv, int from,
	       __u64 *v);
int num_arg(struct session *s, const char *cmd, const char *what,
	    const char *arg, __u64 *v);

/* edit.c */
int s_next_line(struct session *s, FILE *f, char *buf, size_t n);

#endif
