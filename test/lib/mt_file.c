// SPDX-License-Identifier: GPL-2.0
/*
 * mt_file.c - one-call reads and writes of small procfs/sysfs files, and
 * records of the kernel log: the plumbing around the module (parameters,
 * sysctls, THP settings, its log lines) that tests and tools check before
 * and after they exercise it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mt_file.h"

/* Read up to @n - 1 bytes of @path, stopping at a '\n'; length or -errno. */
static ssize_t read_start(const char *path, char *buf, size_t n)
{
	size_t len = 0;
	ssize_t r = 0;
	int fd, err;

	if (!n)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < n - 1 && (r = read(fd, buf + len, n - 1 - len)) > 0) {
		len += r;
		if (memchr(buf + len - r, '\n', r))
			break;
	}
	err = r < 0 ? errno : 0;
	close(fd);
	if (err) {
		errno = err;
		return -err;
	}
	if (!len) {
		errno = ENODATA;
		return -ENODATA;
	}
	return len;
}

/* The start of @path as a string in @buf (up to a '\n'); 0 or -errno. */
static int read_str(const char *path, char *buf, size_t n)
{
	ssize_t len = read_start(path, buf, n);

	if (len < 0)
		return len;
	buf[len] = '\0';
	return 0;
}

int mt_file_read_line(const char *path, char *buf, size_t n)
{
	char tmp[4096];
	int ret = read_str(path, tmp, n < sizeof(tmp) ? n : sizeof(tmp));

	if (ret)
		return ret;
	tmp[strcspn(tmp, "\n")] = '\0';
	memcpy(buf, tmp, strlen(tmp) + 1);
	return 0;
}

int mt_file_read_ull(const char *path, unsigned long long *v)
{
	char buf[64];
	int ret = read_str(path, buf, sizeof(buf));

	if (!ret)
		*v = strtoull(buf, NULL, 10);
	return ret;
}

int mt_file_read_ll(const char *path, long long *v)
{
	char buf[64];
	int ret = read_str(path, buf, sizeof(buf));

	if (!ret)
		*v = strtoll(buf, NULL, 10);
	return ret;
}

int mt_file_read_bool(const char *path)
{
	char buf[8];
	ssize_t len = read_start(path, buf, sizeof(buf));

	if (len < 0)
		return len;
	if (buf[0] == 'Y' || buf[0] == '1')
		return 1;
	if (buf[0] == 'N' || buf[0] == '0')
		return 0;
	errno = EINVAL;
	return -EINVAL;
}

int mt_file_write_str(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t w;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, s, len);
	err = w < 0 ? errno : (size_t)w != len ? EIO : 0;
	close(fd);
	if (err)
		errno = err;
	return -err;
}

int mt_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -err;
	}
	return fd;
}

int mt_kmsg_read(int fd, char *buf, size_t n, char **msg)
{
	ssize_t r;
	char *semi;

	if (n < 2)
		return -EINVAL;
	r = read(fd, buf, n - 1);
	if (r < 0)
		return errno == EAGAIN ? 0 : -errno;
	buf[r] = '\0';
	semi = strchr(buf, ';');
	*msg = semi ? semi + 1 : buf;
	return r;
}

/*
 * The /etc/group line of group @name (or, when @name is NULL, of gid
 * @gid): its name into @buf and its gid into @gid.
 */
static int group_find(const char *name, unsigned int *gid, char *buf, size_t n)
{
	char line[4096], *f[3], *p;
	int i, ret = -ENOENT;
	FILE *fp;

	fp = fopen("/etc/group", "re");
	if (!fp)
		return -errno;
	while (ret && fgets(line, sizeof(line), fp)) {
		p = line;
		for (i = 0; i < 3; i++)
			f[i] = strsep(&p, ":");
		if (!f[2] || !*f[2])
			continue;
		if (name ? strcmp(f[0], name) :
			   strtoul(f[2], NULL, 10) != *gid)
			continue;
		*gid = strtoul(f[2], NULL, 10);
		if (buf && strlen(f[0]) >= n) {
			ret = -ERANGE;
			break;
		}
		if (buf)
			memcpy(buf, f[0], strlen(f[0]) + 1);
		ret = 0;
	}
	fclose(fp);
	errno = -ret;
	return ret;
}

int mt_group_gid(const char *name, unsigned int *gid)
{
	unsigned int g;
	int ret = group_find(name, &g, NULL, 0);

	if (!ret)
		*gid = g;
	return ret;
}

int mt_group_name(unsigned int gid, char *buf, size_t n)
{
	return group_find(NULL, &gid, buf, n);
}
