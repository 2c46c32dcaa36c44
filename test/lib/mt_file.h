/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mt_file.h - small procfs/sysfs files (module parameters, sysctls,
 * kernel settings) read and written in one call, and the kernel log
 * (/dev/kmsg) read record by record: what tests read to decide whether
 * to skip, and to find the module's own log lines.
 *
 *   MT_PARAM_DIR			"/sys/module/mmap_test/parameters/"
 *   mt_file_read_line(path, buf, n)	first line, without its '\n'
 *   mt_file_read_ull(path, v)		strtoull() of the file
 *   mt_file_read_ll(path, v)		strtoll() of the file
 *   mt_file_read_bool(path)		1 for "Y"/"1", 0 for "N"/"0", else < 0
 *   mt_file_write_str(path, s)		one write() of s
 *   mt_kmsg_open()			/dev/kmsg at its end: fd or -errno
 *   mt_kmsg_read(fd, buf, n, msg)	one log record: its length, 0, or -errno
 *   mt_group_gid(name, gid)		the gid of group @name in /etc/group
 *   mt_group_name(gid, buf, n)		the name of group @gid in /etc/group
 *
 * The group functions read /etc/group itself, not NSS: the programs are
 * linked statically, and getgrnam() there needs glibc's shared libraries.
 *
 * All return 0 or -errno (and leave errno set) unless said otherwise; an
 * empty file is -ENODATA.  On an error the outputs (buf, *v) are left
 * untouched, so that a caller can preset a default.
 */
#ifndef MT_FILE_H
#define MT_FILE_H

#include <stddef.h>

#define MT_PARAM_DIR	"/sys/module/mmap_test/parameters/"

int mt_file_read_line(const char *path, char *buf, size_t n);
/* Base 10; a file that does not start with a number gives 0, as strtoull. */
int mt_file_read_ull(const char *path, unsigned long long *v);
int mt_file_read_ll(const char *path, long long *v);
/* -EINVAL for any other first character. */
int mt_file_read_bool(const char *path);
/* A short write is -EIO. */
int mt_file_write_str(const char *path, const char *s);
/* O_RDONLY | O_NONBLOCK | O_CLOEXEC, then lseek(SEEK_END): new records only. */
int mt_kmsg_open(void);
/*
 * The next record, NUL-terminated in @buf (cut at @n - 1 bytes), with
 * *@msg pointing at its text (after the first ';'; @buf when there is
 * none).  Returns its length; 0 when no record is ready; -EPIPE when
 * records were overwritten before they were read (read again to go on).
 */
int mt_kmsg_read(int fd, char *buf, size_t n, char **msg);
int mt_group_gid(const char *name, unsigned int *gid);
int mt_group_name(unsigned int gid, char *buf, size_t n);

#endif /* MT_FILE_H */
