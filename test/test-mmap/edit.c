// SPDX-License-Identifier: GPL-2.0
/*
 * edit.c - how the lab bench reads its lines: from a file or a pipe as
 * they come, and on a terminal through a small line editor with history
 * (no readline: the program is static and runs in a busybox initramfs).
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "lab.h"

static void s_redraw(const char *prompt, const char *buf, size_t len,
		     size_t cur)
{
	printf("\r%s%.*s\033[K", prompt, (int)len, buf);
	if (len > cur)
		printf("\033[%zuD", len - cur);
	fflush(stdout);
}

static void s_hist_add(struct session *s, const char *line)
{
	if (!line[0] || (s->nhist && !strcmp(s->hist[s->nhist - 1], line)))
		return;
	if (s->nhist == S_HIST) {
		memmove(s->hist[0], s->hist[1], sizeof(s->hist[0]) * (S_HIST - 1));
		s->nhist--;
	}
	snprintf(s->hist[s->nhist++], S_LINE, "%s", line);
}

/* The line being edited: @len bytes of @buf, the cursor at @cur. */
struct line_edit {
	struct session *s;
	char *buf;
	size_t n, len, cur;
	int h;			/* history entry shown; s->nhist: none */
};

static void edit_delete(struct line_edit *e)
{
	memmove(e->buf + e->cur, e->buf + e->cur + 1, e->len - e->cur - 1);
	e->len--;
}

/* ESC [ or ESC O and the rest of an arrow/Home/End/Delete key; redraw? */
static bool edit_escape(struct line_edit *e)
{
	struct session *s = e->s;
	unsigned char seq[3];

	if (read(0, seq, 1) != 1 || read(0, seq + 1, 1) != 1)
		return false;
	if (seq[0] != '[' && seq[0] != 'O')
		return false;
	if (seq[1] >= '0' && seq[1] <= '9') {
		if (read(0, seq + 2, 1) != 1 || seq[2] != '~')
			return false;
		if (seq[1] == '3' && e->cur < e->len)
			edit_delete(e);
		else if (seq[1] == '1' || seq[1] == '7')
			e->cur = 0;
		else if (seq[1] == '4' || seq[1] == '8')
			e->cur = e->len;
	} else if (seq[1] == 'A' || seq[1] == 'B') {
		if (seq[1] == 'A' && e->h > 0)
			e->h--;
		else if (seq[1] == 'B' && e->h < s->nhist)
			e->h++;
		else
			return false;
		snprintf(e->buf, e->n, "%s", e->h < s->nhist ?
			 s->hist[e->h] : "");
		e->len = e->cur = strlen(e->buf);
	} else if (seq[1] == 'C' && e->cur < e->len) {
		e->cur++;
	} else if (seq[1] == 'D' && e->cur) {
		e->cur--;
	} else if (seq[1] == 'H') {
		e->cur = 0;
	} else if (seq[1] == 'F') {
		e->cur = e->len;
	}
	return true;
}

/* One key other than Enter and Ctrl-D on an empty line; redraw? */
static bool edit_key(struct line_edit *e, unsigned char ch)
{
	if (ch == 3) {			/* Ctrl-C */
		printf("^C\r\n");
		e->len = e->cur = 0;
	} else if (ch == 1) {
		e->cur = 0;
	} else if (ch == 5) {
		e->cur = e->len;
	} else if (ch == 21) {		/* Ctrl-U */
		memmove(e->buf, e->buf + e->cur, e->len - e->cur);
		e->len -= e->cur;
		e->cur = 0;
	} else if (ch == 11) {		/* Ctrl-K */
		e->len = e->cur;
	} else if ((ch == 127 || ch == 8) && e->cur) {
		e->cur--;
		edit_delete(e);
	} else if (ch == 4 && e->cur < e->len) {
		edit_delete(e);
	} else if (ch == 27) {
		return edit_escape(e);
	} else if (ch >= 0x20 && ch != 127 && e->len + 1 < e->n) {
		memmove(e->buf + e->cur + 1, e->buf + e->cur, e->len - e->cur);
		e->buf[e->cur++] = ch;
		e->len++;
	}
	return true;
}

/*
 * A line from the terminal: left/right, Home/End (Ctrl-A/E), Backspace,
 * Delete, Ctrl-U, Ctrl-K, up/down through the history, Ctrl-C drops the
 * line, Ctrl-D on an empty line ends the session.  -1 at the end, -2 if
 * stdin is not a terminal after all.
 */
static int s_edit_line(struct session *s, const char *prompt, char *buf,
		       size_t n)
{
	struct line_edit e = { .s = s, .buf = buf, .n = n, .h = s->nhist };
	struct termios orig, raw;
	unsigned char ch;
	int ret = 0;

	if (tcgetattr(0, &orig))
		return -2;
	raw = orig;
	raw.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	raw.c_iflag &= ~(IXON | ICRNL);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(0, TCSAFLUSH, &raw);
	s_redraw(prompt, buf, 0, 0);
	for (;;) {
		if (read(0, &ch, 1) != 1) {
			ret = -1;
			break;
		}
		if (ch == '\r' || ch == '\n')
			break;
		if (ch == 4 && !e.len) {	/* Ctrl-D */
			ret = -1;
			break;
		}
		if (edit_key(&e, ch))
			s_redraw(prompt, buf, e.len, e.cur);
	}
	buf[e.len] = '\0';
	printf("\r\n");
	tcsetattr(0, TCSAFLUSH, &orig);
	if (!ret)
		s_hist_add(s, buf);
	return ret;
}

/* The next line of @f (the terminal: edited); -1 at the end. */
int s_next_line(struct session *s, FILE *f, char *buf, size_t n)
{
	static const char prompt[] = "mmap-test> ";
	size_t len;
	int c, r;

	if (s->tty) {
		r = s_edit_line(s, prompt, buf, n);
		if (r != -2)
			return r;
	}
	fflush(stdout);
	if (!fgets(buf, n, f))
		return -1;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n') {
		buf[--len] = '\0';
	} else if (len == n - 1) {	/* too long: s_run_line says so */
		while ((c = fgetc(f)) != EOF && c != '\n')
			;
	}
	if (!s->script && !s->json)	/* a transcript of piped input */
		printf("%s%s\n", prompt, buf);
	return 0;
}

/* test-mmap -i / test-mmap script FILE|-: the exit status. */
