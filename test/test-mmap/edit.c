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

/*
 * A line from the terminal: left/right, Home/End (Ctrl-A/E), Backspace,
 * Delete, Ctrl-U, Ctrl-K, up/down through the history, Ctrl-C drops the
 * line, Ctrl-D on an empty line ends the session.  -1 at the end.
 */
static int s_edit_line(struct session *s, const char *prompt, char *buf,
		       size_t n)
{
	struct termios orig, raw;
	size_t len = 0, cur = 0;
	int h = s->nhist, ret = 0;
	unsigned char ch, seq[3];

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
		if (ch == 4 && !len) {		/* Ctrl-D */
			ret = -1;
			break;
		} else if (ch == 3) {		/* Ctrl-C */
			printf("^C\r\n");
			len = cur = 0;
		} else if (ch == 1) {
			cur = 0;
		} else if (ch == 5) {
			cur = len;
		} else if (ch == 21) {		/* Ctrl-U */
			memmove(buf, buf + cur, len - cur);
			len -= cur;
			cur = 0;
		} else if (ch == 11) {		/* Ctrl-K */
			len = cur;
		} else if ((ch == 127 || ch == 8) && cur) {
			memmove(buf + cur - 1, buf + cur, len - cur);
			cur--;
			len--;
		} else if (ch == 4 && cur < len) {
			memmove(buf + cur, buf + cur + 1, len - cur - 1);
			len--;
		} else if (ch == 27) {
			if (read(0, seq, 1) != 1 || read(0, seq + 1, 1) != 1)
				continue;
			if (seq[0] != '[' && seq[0] != 'O')
				continue;
			if (seq[1] >= '0' && seq[1] <= '9') {
				if (read(0, seq + 2, 1) != 1 || seq[2] != '~')
					continue;
				if (seq[1] == '3' && cur < len) {
					memmove(buf + cur, buf + cur + 1,
						len - cur - 1);
					len--;
				} else if (seq[1] == '1' || seq[1] == '7') {
					cur = 0;
				} else if (seq[1] == '4' || seq[1] == '8') {
					cur = len;
				}
			} else if (seq[1] == 'A' || seq[1] == 'B') {
				if (seq[1] == 'A' && h > 0)
					h--;
				else if (seq[1] == 'B' && h < s->nhist)
					h++;
				else
					continue;
				snprintf(buf, n, "%s", h < s->nhist ?
					 s->hist[h] : "");
				len = cur = strlen(buf);
			} else if (seq[1] == 'C' && cur < len) {
				cur++;
			} else if (seq[1] == 'D' && cur) {
				cur--;
			} else if (seq[1] == 'H') {
				cur = 0;
			} else if (seq[1] == 'F') {
				cur = len;
			}
		} else if (ch >= 0x20 && ch != 127 && len + 1 < n) {
			memmove(buf + cur + 1, buf + cur, len - cur);
			buf[cur++] = ch;
			len++;
		}
		s_redraw(prompt, buf, len, cur);
	}
	buf[len] = '\0';
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
