// SPDX-License-Identifier: GPL-2.0
/*
 * mt_json.c - a streaming JSON writer: values go straight to the FILE *
 * in the order they are written, with the separators and the spacing of
 * the container they are in.  Three spacings, because the programs'
 * formats (compact JSON lines of test-mmap, the benchmark's indented file
 * with one-line records) are read by scripts and must stay byte for byte.
 */
#include <stdarg.h>

#include "mt_json.h"

static enum mt_json_style cur_style(const struct mt_json *w)
{
	return w->depth <= MT_JSON_DEPTH ? w->style[w->depth] : MT_JSON_COMPACT;
}

static void indent(const struct mt_json *w, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		fputs("  ", w->f);
}

static void put_escaped(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* The separator before a value, and its key. */
static void member(struct mt_json *w, const char *key)
{
	enum mt_json_style st = cur_style(w);

	if (w->depth) {
		if (!w->first)
			fputs(st == MT_JSON_SPACED ? ", " : ",", w->f);
		if (st == MT_JSON_LINES) {
			fputc('\n', w->f);
			indent(w, w->depth);
		}
	}
	w->first = false;
	if (!key)
		return;
	put_escaped(w->f, key);
	fputs(st == MT_JSON_COMPACT ? ":" : ": ", w->f);
}

static void begin(struct mt_json *w, const char *key, char open, char close)
{
	member(w, key);
	fputc(open, w->f);
	w->depth++;
	if (w->depth <= MT_JSON_DEPTH) {
		w->style[w->depth] = w->next;
		w->closer[w->depth] = close;
	}
	w->first = true;
}

static void end(struct mt_json *w, char close)
{
	if (!w->depth)
		return;
	if (cur_style(w) == MT_JSON_LINES) {
		fputc('\n', w->f);
		indent(w, w->depth - 1);
	}
	fputc(w->depth <= MT_JSON_DEPTH ? w->closer[w->depth] : close, w->f);
	w->depth--;
	w->first = false;
}

void mt_json_init(struct mt_json *w, FILE *f, enum mt_json_style style)
{
	w->f = f;
	w->depth = 0;
	w->first = true;
	w->next = style;
	w->style[0] = style;
	w->closer[0] = '\0';
}

void mt_json_set_style(struct mt_json *w, enum mt_json_style style)
{
	w->next = style;
}

void mt_json_begin_object(struct mt_json *w, const char *key)
{
	begin(w, key, '{', '}');
}

void mt_json_end_object(struct mt_json *w)
{
	end(w, '}');
}

void mt_json_begin_array(struct mt_json *w, const char *key)
{
	begin(w, key, '[', ']');
}

void mt_json_end_array(struct mt_json *w)
{
	end(w, ']');
}

void mt_json_str(struct mt_json *w, const char *key, const char *s)
{
	member(w, key);
	if (s)
		put_escaped(w->f, s);
	else
		fputs("null", w->f);
}

void mt_json_hex(struct mt_json *w, const char *key, unsigned long long v)
{
	member(w, key);
	fprintf(w->f, "\"0x%llx\"", v);
}

void mt_json_uint(struct mt_json *w, const char *key, unsigned long long v)
{
	member(w, key);
	fprintf(w->f, "%llu", v);
}

void mt_json_int(struct mt_json *w, const char *key, long long v)
{
	member(w, key);
	fprintf(w->f, "%lld", v);
}

void mt_json_double(struct mt_json *w, const char *key, double v, int prec)
{
	member(w, key);
	fprintf(w->f, "%.*f", prec, v);
}

void mt_json_bool(struct mt_json *w, const char *key, bool v)
{
	member(w, key);
	fputs(v ? "true" : "false", w->f);
}

void mt_json_null(struct mt_json *w, const char *key)
{
	member(w, key);
	fputs("null", w->f);
}

void mt_json_raw(struct mt_json *w, const char *key, const char *fmt, ...)
{
	va_list ap;

	member(w, key);
	va_start(ap, fmt);
	vfprintf(w->f, fmt, ap);
	va_end(ap);
}

void mt_json_newline(struct mt_json *w)
{
	fputc('\n', w->f);
}
