// SPDX-License-Identifier: GPL-2.0
/*
 * mt_maps.c - parse /proc/<pid>/maps without allocating, and look up
 * entries the way find_vma() looks up VMAs, so that the tests can check
 * the module's reports against what the kernel shows in procfs.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/mmap_test.h>

#include "mt_maps.h"

/* Longest line handled in full; the rest of a longer path is dropped. */
#define LINE_MAX_LEN	1024

int mt_maps_parse_line(const char *line, struct mt_maps_entry *e)
{
	const char *path;
	size_t len;
	int pos = 0;

	memset(e, 0, sizeof(*e));
	if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &e->start, &e->end,
		   e->perms, &e->offset, &e->dev_major, &e->dev_minor,
		   &e->inode, &pos) < 7 || !pos)
		return -EINVAL;
	path = line + pos;
	len = strcspn(path, "\n");
	while (len && isspace((unsigned char)path[len - 1]))
		len--;
	if (len >= sizeof(e->path))
		len = sizeof(e->path) - 1;
	memcpy(e->path, path, len);
	e->path[len] = '\0';
	return 0;
}

/* Parse one complete line and hand it to @fn; nonzero stops the scan. */
static int scan_line(const char *line, unsigned int flags,
		     int (*fn)(const struct mt_maps_entry *, const char *,
			       void *),
		     void *arg)
{
	struct mt_maps_entry e;

	if (mt_maps_parse_line(line, &e))
		return 0;
	if ((flags & MT_MAPS_VMAS_ONLY) && !strcmp(e.path, "[vsyscall]"))
		return 0;
	return fn(&e, line, arg);
}

int mt_maps_scan(pid_t pid, unsigned int flags,
		 int (*fn)(const struct mt_maps_entry *e, const char *line,
			   void *arg),
		 void *arg)
{
	char path[64], buf[4096], line[LINE_MAX_LEN];
	size_t ll = 0;
	ssize_t n, i;
	int fd, err = 0, stop = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (!stop && (n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n && !stop; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			ll = 0;
			stop = scan_line(line, flags, fn, arg);
		}
	}
	if (!stop && n < 0)
		err = -errno;
	else if (!stop && ll) {		/* a last line without '\n' */
		line[ll] = '\0';
		scan_line(line, flags, fn, arg);
	}
	close(fd);
	return err;
}

struct read_state {
	struct mt_maps_entry *tab;
	int max, n;
};

static int read_one(const struct mt_maps_entry *e, const char *line,
		    void *arg)
{
	struct read_state *st = arg;

	if (st->n >= st->max)
		return 1;
	st->tab[st->n++] = *e;
	return st->n >= st->max;
}

int mt_maps_read(pid_t pid, struct mt_maps_entry *tab, int max,
		 unsigned int flags)
{
	struct read_state st = { .tab = tab, .max = max };
	int ret;

	if (max <= 0)
		return 0;
	ret = mt_maps_scan(pid, flags, read_one, &st);
	return ret ? ret : st.n;
}

int mt_maps_find_vma(const struct mt_maps_entry *tab, int n,
		     unsigned long addr)
{
	int i;

	for (i = 0; i < n; i++)
		if (tab[i].end > addr)
			return i;
	return -1;
}

int mt_maps_lookup(const struct mt_maps_entry *tab, int n,
		   unsigned long addr)
{
	int i = mt_maps_find_vma(tab, n, addr);

	return i >= 0 && tab[i].start <= addr ? i : -1;
}

int mt_maps_find_path(const struct mt_maps_entry *tab, int n,
		      const char *path)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(tab[i].path, path))
			return i;
	return -1;
}

int mt_maps_backing(const struct mt_maps_entry *e)
{
	const char *p = e->path;

	if (!*p)
		return MMAP_TEST_BACKING_ANON;
	if (!strncmp(p, "[anon", 5))
		return -1;
	if (p[0] == '[')
		return MMAP_TEST_BACKING_SPECIAL;
	if (!strcmp(p, MMAP_TEST_DEVICE))
		return MMAP_TEST_BACKING_DEVICE;
	if (p[0] == '/')
		return MMAP_TEST_BACKING_FILE;
	return -1;
}
