// SPDX-License-Identifier: GPL-2.0
/*
 * lab.c - the lab bench's session: reading lines, splitting them into
 * words, assignments ($name = ...), the table of commands and "help", the
 * error lines and the exit status (lab.h describes the language).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

/* Opens a command's JSON object: {"command":CMD,"ok":OK then its fields. */
void j_command(const char *cmd, bool ok)
{
	mt_json_begin_object(&json_out, NULL);
	mt_json_str(&json_out, "command", cmd);
	mt_json_bool(&json_out, "ok", ok);
}

/* The JSON object of an error errmsg() already printed. */
void s_json_last(struct session *s)
{
	if (!s->json)
		return;
	mt_json_begin_object(&json_out, NULL);
	mt_json_uint(&json_out, "line", s->line);
	mt_json_bool(&json_out, "ok", false);
	mt_json_str(&json_out, "error", last_err);
	j_end_line();
}

/* An error of this line: one line on stderr (and a JSON object). */
void __attribute__((format(printf, 2, 3)))
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

void res_reset(struct session *s, __u64 v)
{
	memset(&s->res, 0, sizeof(s->res));
	s->res.v = v;
}

void res_field(struct session *s, const char *name, __u64 v)
{
	struct s_var *r = &s->res;

	if (r->nf < S_FIELDS) {
		snprintf(r->f[r->nf].name, sizeof(r->f[0].name), "%s", name);
		r->f[r->nf++].v = v;
	}
}

void res_report(struct session *s, const char *pfx,
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

static s_cmd_fn s_help;

struct s_cmd {
	const char *name, *args, *help;
	s_cmd_fn *fn;
};

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
	{ "if", "COND CMD...", "run CMD only if COND is true (one word, or words joined by operators: if $a.contains == 0 echo free)",
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
	       "  $window $buffer_pages $fault_around_pages $errno (of the last command)\n"
	       "  $pid.\n"
	       "numbers: 0x.., decimal, suffixes p (pages) k m g; errno names (EEXIST);\n"
	       "  + - * / << >> == != < <= > >= ! ( ), e.g. --addr $a-1p\n");
	return 0;
}

int s_dispatch(struct session *s, int argc, char **argv)
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
	if (!s->json) {
		char val[24];

		fmt_value(val, sizeof(val), v->v);
		printf("$%s = %s\n", name, val);
	}
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
	s->raw = raw;
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
			j_command("set", true);
			mt_json_str(&json_out, "name", name);
			mt_json_hex(&json_out, "value", v);
			j_end_line();
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

int cmd_interactive(struct ctx *c)
{
	return cmd_session(c, false, NULL);
}

int cmd_script(struct ctx *c)
{
	return cmd_session(c, true, c->o->script);
}
