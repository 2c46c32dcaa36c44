/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mt_json.h - one streaming JSON writer to a FILE *, for test-mmap's
 * --json output and the benchmark's result file: the writer puts the
 * commas, the quotes, the escapes and (per container) the spacing, so
 * that the callers only name keys and values.
 *
 *   mt_json_init(w, f, style)		a writer to f; containers get style
 *   mt_json_set_style(w, style)	style of the containers opened next
 *   mt_json_begin_object(w, key)	'{' (key: NULL inside arrays, at top)
 *   mt_json_end_object(w)		'}'
 *   mt_json_begin_array(w, key)	'['
 *   mt_json_end_array(w)		']'
 *   mt_json_str(w, key, s)		"s" escaped; null for NULL
 *   mt_json_hex(w, key, v)		"0x<hex>" (a string: JSON has no hex)
 *   mt_json_uint(w, key, v)		unsigned decimal
 *   mt_json_int(w, key, v)		signed decimal
 *   mt_json_double(w, key, v, prec)	printf("%.*f", prec, v)
 *   mt_json_bool(w, key, v)		true or false
 *   mt_json_null(w, key)		null
 *   mt_json_raw(w, key, fmt, ...)	a value the caller formats itself
 *   mt_json_newline(w)			'\n' after a top-level value (JSON lines)
 *
 * Every value function takes the member's key; pass NULL for an array
 * element or a top-level value.  Top-level values get no commas: print
 * several of them as JSON lines with mt_json_newline() between them.
 */
#ifndef MT_JSON_H
#define MT_JSON_H

#include <stdbool.h>
#include <stdio.h>

/* Nesting deeper than this is written without its spacing. */
#define MT_JSON_DEPTH	16

/* Spacing inside a container. */
enum mt_json_style {
	MT_JSON_COMPACT,	/* {"a":1,"b":[1,2]} */
	MT_JSON_SPACED,		/* {"a": 1, "b": [1, 2]} */
	MT_JSON_LINES,		/* one member per line, 2 spaces per level */
};

struct mt_json {
	FILE *f;
	int depth;			/* open containers */
	bool first;			/* no value yet in the innermost one */
	enum mt_json_style next;	/* for the containers opened next */
	enum mt_json_style style[MT_JSON_DEPTH + 1];
	char closer[MT_JSON_DEPTH + 1];
};

void mt_json_init(struct mt_json *w, FILE *f, enum mt_json_style style);
void mt_json_set_style(struct mt_json *w, enum mt_json_style style);
void mt_json_begin_object(struct mt_json *w, const char *key);
void mt_json_end_object(struct mt_json *w);
void mt_json_begin_array(struct mt_json *w, const char *key);
void mt_json_end_array(struct mt_json *w);
void mt_json_str(struct mt_json *w, const char *key, const char *s);
void mt_json_hex(struct mt_json *w, const char *key, unsigned long long v);
void mt_json_uint(struct mt_json *w, const char *key, unsigned long long v);
void mt_json_int(struct mt_json *w, const char *key, long long v);
/* Printed as given: NaN and infinities come out as printf() spells them. */
void mt_json_double(struct mt_json *w, const char *key, double v, int prec);
void mt_json_bool(struct mt_json *w, const char *key, bool v);
void mt_json_null(struct mt_json *w, const char *key);
void mt_json_raw(struct mt_json *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void mt_json_newline(struct mt_json *w);

#endif /* MT_JSON_H */
