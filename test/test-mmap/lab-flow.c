// SPDX-License-Identifier: GPL-2.0
/*
 * lab-flow.c - the lab commands of the script itself: echo, expect (an
 * assertion), require (skip the rest of a script), if, quit.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

int s_echo(struct session *s, int argc, char **argv)
{
	char text[S_LINE];
	size_t o = 0;
	int i;

	text[0] = '\0';
	for (i = 1; i < argc; i++)
		o += snprintf(text + o, sizeof(text) - o, "%s%s", i > 1 ? " " :
			      "", argv[i]);
	if (s->json) {
		mt_json_begin_object(&json_out, NULL);
		mt_json_str(&json_out, "command", "echo");
		mt_json_str(&json_out, "text", text);
		j_end_line();
	} else {
		printf("%s\n", text);
	}
	return 0;
}

int s_expect(struct session *s, int argc, char **argv)
{
	const char *what = s->raw ? strstr(s->raw, "expect") : NULL;
	__u64 v;

	what = what ? what + 6 : "";
	while (*what == ' ' || *what == '\t')
		what++;
	while (*what == ' ' || *what == '\t')
		what++;
	if (eval_words(s, argc, argv, 1, &v))
		return -1;
	s->expects++;
	res_reset(s, !!v);
	if (s->json) {
		j_command("expect", v);
		mt_json_str(&json_out, "expect", what);
		j_end_line();
		if (v)
			return 0;
	}
	if (v) {
		printf("expect ok: %s\n", what);
		return 0;
	}
	errmsg("expect failed: %s", what);
	return 1;
}

int s_require(struct session *s, int argc, char **argv)
{
	char expr[S_LINE], why[S_LINE];
	size_t o = 0;
	int i, from = argc;
	__u64 v;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			from = i + 1;
			break;
		}
	}
	if (from == argc || from == 2) {
		s_err(s, "require: usage: require COND -- REASON");
		return -1;
	}
	expr[0] = why[0] = '\0';
	for (i = 1; i < from - 1; i++)
		o += snprintf(expr + o, sizeof(expr) - o, "%s%s", i > 1 ? " " :
			      "", argv[i]);
	for (o = 0, i = from; i < argc; i++)
		o += snprintf(why + o, sizeof(why) - o, "%s%s", i > from ?
			      " " : "", argv[i]);
	if (eval(s, expr, &v))
		return -1;
	if (v && s->json) {
		j_command("require", true);
		j_end_line();
	}
	if (v)
		return 0;
	if (s->json) {
		j_command("require", false);
		mt_json_str(&json_out, "skip", why);
		j_end_line();
	} else {
		printf("SKIP: %s\n", why);
	}
	if (s->script) {
		s->skipped = true;
		s->stop = true;
	}
	return 0;
}

/* A word that is a binary operator of expressions: "==", "<", "+", ... */
static bool is_binop(const char *w)
{
	static const char * const ops[] = {
		"==", "!=", "<=", ">=", "<", ">", "<<", ">>", "+", "-", "*",
		"/", "%",
	};
	size_t i;

	for (i = 0; i < MT_ARRAY_SIZE(ops); i++)
		if (!strcmp(w, ops[i]))
			return true;
	return false;
}

/*
 * if COND CMD...: COND is one word ("$a.contains==0") or words joined by
 * operators ("$a.contains == 0"); CMD is what follows.
 */
int s_if(struct session *s, int argc, char **argv)
{
	char cond[S_LINE];
	int i = 2, o;
	__u64 v;

	if (argc < 3) {
		s_err(s, "if: usage: if COND CMD... (e.g. if $a.contains == 0 echo free)");
		return -1;
	}
	o = snprintf(cond, sizeof(cond), "%s", argv[1]);
	while (i + 2 < argc && is_binop(argv[i])) {
		o += snprintf(cond + o, sizeof(cond) - o, " %s %s", argv[i],
			      argv[i + 1]);
		i += 2;
	}
	if (eval(s, cond, &v))
		return -1;
	if (!v && s->json) {
		j_command("if", true);
		mt_json_bool(&json_out, "ran", false);
		j_end_line();
	}
	return v ? s_dispatch(s, argc - i, argv + i) : 0;
}

int s_quit(struct session *s, int argc, char **argv)
{
	s->stop = true;
	return 0;
}
