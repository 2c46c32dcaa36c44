/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mt_maps.h - /proc/<pid>/maps as a table of entries, and find_vma() done
 * by hand on it: what the tests compare the module's QUERY_VMA reports
 * with.  Reading allocates nothing (no malloc(), no stdio), so that it
 * does not change the address space it reads.
 *
 *   mt_maps_parse_line(line, e)	one maps line into *e: 0 or -EINVAL
 *   mt_maps_scan(pid, flags, fn, arg)	call fn(e, line, arg) for every line
 *   mt_maps_read(pid, tab, max, flags)	the first max entries: count or -errno
 *   mt_maps_find_vma(tab, n, addr)	index of the first entry with end > addr
 *   mt_maps_lookup(tab, n, addr)	index of the entry containing addr
 *   mt_maps_find_path(tab, n, path)	index of the first entry with this path
 *   mt_maps_backing(e)			enum mmap_test_backing of its path, or -1
 *
 * pid 0 means /proc/self/maps.  The find functions return -1 for none.
 */
#ifndef MT_MAPS_H
#define MT_MAPS_H

#include <sys/types.h>

/* Longest path kept in an entry (longer ones are truncated). */
#define MT_MAPS_PATH	256

/* One line of /proc/<pid>/maps. */
struct mt_maps_entry {
	unsigned long start, end;	/* [start, end) */
	unsigned long offset;		/* file offset, in bytes */
	unsigned long inode;
	unsigned int dev_major, dev_minor;
	char perms[8];			/* "rw-p" */
	char path[MT_MAPS_PATH];	/* "" for anonymous memory */
};

/* Flags of mt_maps_scan() and mt_maps_read(). */
#define MT_MAPS_VMAS_ONLY	1	/* skip [vsyscall]: not a VMA of the mm */

int mt_maps_parse_line(const char *line, struct mt_maps_entry *e);
/*
 * Lines that do not parse are skipped; @fn returns nonzero to stop the
 * scan.  Returns 0 or -errno of opening/reading the file.
 */
int mt_maps_scan(pid_t pid, unsigned int flags,
		 int (*fn)(const struct mt_maps_entry *e, const char *line,
			   void *arg),
		 void *arg);
/* A return value of @max may mean that lines were left out. */
int mt_maps_read(pid_t pid, struct mt_maps_entry *tab, int max,
		 unsigned int flags);
int mt_maps_find_vma(const struct mt_maps_entry *tab, int n,
		     unsigned long addr);
int mt_maps_lookup(const struct mt_maps_entry *tab, int n,
		   unsigned long addr);
int mt_maps_find_path(const struct mt_maps_entry *tab, int n,
		      const char *path);
/*
 * "" anon, "[anon:...]" -1 (named anonymous memory), other "[...]"
 * special, MMAP_TEST_DEVICE device, other absolute paths file, else -1.
 */
int mt_maps_backing(const struct mt_maps_entry *e);

#endif /* MT_MAPS_H */
