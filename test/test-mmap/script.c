// SPDX-License-Identifier: GPL-2.0
/*
 * script.c - the lab bench's language: $variables (with fields, and the
 * built-in ones), their expansion in a line, and expressions (numbers with
 * suffixes, errno names, arithmetic, comparisons), all unsigned 64-bit.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

struct s_var *var_find(struct session *s, const char *name, size_t n)
{
	int i;

	for (i = 0; i < s->nvars; i++)
		if (strlen(s->vars[i].name) == n &&
		    !strncmp(s->vars[i].name, name, n))
			return &s->vars[i];
	return NULL;
}

/* Built-in variables: facts of this process and of the last command. */
bool builtin(struct session *s, const char *name, size_t n, __u64 *v)
{
	struct mmap_test_stats st;

	if (n == 4 && !strncmp(name, "page", 4))
		*v = s->c->page;
	else if (n == 9 && !strncmp(name, "task_size", 9))
		*v = mt_mem_task_size(NULL);
	else if (n == 6 && !strncmp(name, "window", 6))
		*v = MAP_WINDOW_END;
	else if (n == 5 && !strncmp(name, "errno", 5))
		*v = s->last_errno;
	else if (n == 3 && !strncmp(name, "pid", 3))
		*v = getpid();
	else if (n == 18 && !strncmp(name, "fault_around_pages", 18))
		*v = mt_mem_fault_around_bytes(NULL) / s->c->page;
	else if (n == 12 && !strncmp(name, "buffer_pages", 12))
		*v = s->c->fd >= 0 && !get_stats(s->c, &st, true) ?
			st.buffer_pages : 0;
	else
		return false;
	return true;
}

/* $name or $name.field at @p (after the '$'); its length, or -1. */
static int var_value(struct session *s, const char *p, __u64 *v)
{
	const struct s_var *var;
	size_t n = 0, fn, o;
	char have[S_FIELDS * 41];
	int i;

	while (p[n] == '_' || isalnum((unsigned char)p[n]))
		n++;
	if (!n || isdigit((unsigned char)p[0])) {
		s_err(s, "'$' must be followed by a variable name");
		return -1;
	}
	var = var_find(s, p, n);
	if (!var && builtin(s, p, n, v))
		return n;
	if (!var) {
		s_err(s, "undefined variable $%.*s", (int)n, p);
		return -1;
	}
	if (p[n] != '.' || !isalpha((unsigned char)p[n + 1])) {
		*v = var->v;
		return n;
	}
	fn = 1;
	while (p[n + fn] == '_' || p[n + fn] == '.' ||
	       isalnum((unsigned char)p[n + fn]))
		fn++;
	while (p[n + fn - 1] == '.')	/* a sentence's full stop */
		fn--;
	for (i = 0; i < var->nf; i++) {
		if (strlen(var->f[i].name) == fn - 1 &&
		    !strncmp(var->f[i].name, p + n + 1, fn - 1)) {
			*v = var->f[i].v;
			return n + fn;
		}
	}
	for (i = 0, o = 0; i < var->nf; i++)
		o += snprintf(have + o, sizeof(have) - o, " %s", var->f[i].name);
	s_err(s, "$%.*s has no field '%.*s' (its fields:%s)", (int)n, p,
	      (int)fn - 1, p + n + 1, var->nf ? have : " none");
	return -1;
}

/*
 * A value as the lab prints and expands it: a count, an errno or a small
 * size in decimal, an address in hex.  Nothing below 64 KiB (the default
 * vm.mmap_min_addr) is a user address.
 */
int fmt_value(char *buf, size_t n, __u64 v)
{
	return snprintf(buf, n, v < 0x10000 ? "%llu" : "0x%llx",
			(unsigned long long)v);
}

/* Replace every $var in @in by its value; -1 on error. */
int expand(struct session *s, const char *in, char *out, size_t n)
{
	size_t o = 0;
	__u64 v;
	int len;

	while (*in) {
		if (*in != '$') {
			if (o + 1 >= n)
				goto long_line;
			out[o++] = *in++;
			continue;
		}
		len = var_value(s, in + 1, &v);
		if (len < 0)
			return -1;
		if (o + 20 >= n)
			goto long_line;
		o += fmt_value(out + o, n - o, v);
		in += len + 1;
	}
	out[o] = '\0';
	return 0;
long_line:
	s_err(s, "line too long after expanding variables");
	return -1;
}

/* ---- expressions: numbers (0x.., suffixes p k m g), errno names, ------ */
/* ---- + - * / << >>, comparisons, !, (), all unsigned 64-bit ------------ */

struct ev {
	struct session *s;
	const char *p, *text;
	bool bad;
};

static __u64 ev_cmp(struct ev *e);

/* What the expression is for ("alloc --len: "), for its errors. */
static char ev_ctx[64];

static void ev_fail(struct ev *e, const char *what)
{
	if (!e->bad)
		s_err(e->s, "%sbad number or expression '%s': %s at '%.12s'",
		      ev_ctx, e->text, what, *e->p ? e->p : "(end)");
	e->bad = true;
}

static void ev_space(struct ev *e)
{
	while (*e->p == ' ' || *e->p == '\t')
		e->p++;
}

static __u64 ev_primary(struct ev *e)
{
	unsigned long long n;
	char word[32], *end;
	size_t i = 0;
	__u64 v;
	int en;

	ev_space(e);
	if (*e->p == '(') {
		e->p++;
		v = ev_cmp(e);
		ev_space(e);
		if (*e->p != ')')
			ev_fail(e, "missing ')'");
		else
			e->p++;
		return v;
	}
	if (*e->p == '!') {
		e->p++;
		return !ev_primary(e);
	}
	if (isdigit((unsigned char)*e->p)) {
		errno = 0;
		n = strtoull(e->p, &end, 0);
		if (errno || ((*end | 0x20) == 'x')) {
			ev_fail(e, "bad number");
			return 0;
		}
		e->p = end;
		v = size_unit(*e->p, e->s->c->page);
		if (v)
			e->p++;
		else
			v = 1;
		if (isalnum((unsigned char)*e->p) || *e->p == '_') {
			ev_fail(e, "bad number");
			return 0;
		}
		if (n > ~0ULL / v) {
			ev_fail(e, "number too large");
			return 0;
		}
		return n * v;
	}
	while (i + 1 < sizeof(word) && (isupper((unsigned char)*e->p) ||
					isdigit((unsigned char)*e->p) ||
					*e->p == '_'))
		word[i++] = *e->p++;
	word[i] = '\0';
	if (i && word[0] == 'E' && !parse_errno(word, &en))
		return en;
	if (i)
		e->p -= i;
	ev_fail(e, i ? "unknown name (errno names such as EEXIST are known)" :
		"expected a number");
	return 0;
}

static __u64 ev_prod(struct ev *e)
{
	__u64 v = ev_primary(e), r;
	char op;

	for (;;) {
		ev_space(e);
		if (*e->p != '*' && *e->p != '/' && *e->p != '%')
			return v;
		op = *e->p++;

		r = ev_primary(e);
		if (op != '*' && !r) {
			ev_fail(e, "division by zero");
			return 0;
		}
		v = op == '*' ? v * r : op == '/' ? v / r : v % r;
	}
}

static __u64 ev_sum(struct ev *e)
{
	__u64 v = ev_prod(e);

	for (;;) {
		ev_space(e);
		if (*e->p == '+') {
			e->p++;
			v += ev_prod(e);
		} else if (*e->p == '-') {
			e->p++;
			v -= ev_prod(e);
		} else {
			return v;
		}
	}
}

static __u64 ev_shift(struct ev *e)
{
	__u64 v = ev_sum(e), r;
	bool left;

	for (;;) {
		ev_space(e);
		if ((e->p[0] != '<' && e->p[0] != '>') || e->p[1] != e->p[0])
			return v;
		left = e->p[0] == '<';
		e->p += 2;
		r = ev_sum(e);
		v = r > 63 ? 0 : left ? v << r : v >> r;
	}
}

static __u64 ev_cmp(struct ev *e)
{
	static const char * const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
	__u64 l = ev_shift(e), r;
	size_t i;

	ev_space(e);
	for (i = 0; i < MT_ARRAY_SIZE(ops); i++)
		if (!strncmp(e->p, ops[i], strlen(ops[i])))
			break;
	if (i == MT_ARRAY_SIZE(ops))
		return l;
	e->p += strlen(ops[i]);
	r = ev_shift(e);
	switch (i) {
	case 0: return l == r;
	case 1: return l != r;
	case 2: return l <= r;
	case 3: return l >= r;
	case 4: return l < r;
	default: return l > r;
	}
}

/* Evaluate @text (variables already expanded); -1 on error. */
int eval(struct session *s, const char *text, __u64 *v)
{
	struct ev e = { .s = s, .p = text, .text = text };

	*v = ev_cmp(&e);
	ev_space(&e);
	if (!e.bad && *e.p)
		ev_fail(&e, "unexpected text");
	return e.bad ? -1 : 0;
}

/* eval() for @what ("alloc --len: "), which its error messages name. */
int eval_as(struct session *s, const char *what, const char *text, __u64 *v)
{
	int ret;

	snprintf(ev_ctx, sizeof(ev_ctx), "%s", what);
	ret = eval(s, text, v);
	ev_ctx[0] = '\0';
	return ret;
}

/* The words @argv[@from..] joined by spaces, evaluated. */
int eval_words(struct session *s, int argc, char **argv, int from,
	       __u64 *v)
{
	char buf[S_LINE];
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = from; i < argc; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%s%s", i > from ?
			      " " : "", argv[i]);
	if (!buf[0]) {
		s_err(s, "%s needs an expression", argv[0]);
		return -1;
	}
	return eval(s, buf, v);
}

/* A numeric argument named @what of command @cmd. */
int num_arg(struct session *s, const char *cmd, const char *what,
	    const char *arg, __u64 *v)
{
	char ctx[sizeof(ev_ctx)];

	if (!arg) {
		s_err(s, "%s: missing %s (try 'help %s')", cmd, what, cmd);
		return -1;
	}
	snprintf(ctx, sizeof(ctx), "%s %s: ", cmd, what);
	return eval_as(s, ctx, arg, v);
}
