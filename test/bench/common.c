// SPDX-License-Identifier: GPL-2.0
/*
 * common.c - what every row file of mmap-test-bench uses: the progress
 * and error messages on stderr (the "mmap-test-bench: " lines that
 * scripts/bench.sh shows), the fault count, and the device and its
 * ioctls (an error ends the run with BENCH-ERROR, the environment
 * restored).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "bench.h"

/* One "mmap-test-bench: " line on stderr: @what (may be "") and the text. */
static void say_line(const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "mmap-test-bench: %s", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* A "mmap-test-bench: " progress line on stderr. */
void bench_progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line("", fmt, ap);
	va_end(ap);
}

/* The error message, the environment restored, BENCH-ERROR, exit 1. */
void bench_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line("error: ", fmt, ap);
	va_end(ap);
	restore_env();
	printf("BENCH-ERROR\n");
	exit(1);
}

/*
 * The next entry of the array @base of @max entries of @size bytes, of
 * which *@nr are in use: zeroed and counted; a full array ends the run
 * ("too many @what").
 */
void *array_add(void *base, int *nr, int max, size_t size, const char *what)
{
	char *e;

	if (*nr == max)
		bench_fail("too many %s", what);
	e = (char *)base + (size_t)(*nr)++ * size;
	memset(e, 0, size);
	return e;
}

long minflt_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

int open_dev(void)
{
	int fd = open(opt.device, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		bench_fail("open %s: %s (is mmap_test.ko loaded? are you root?)",
			   opt.device, strerror(errno));
	return fd;
}

int open_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		bench_fail("open %s: %s", path, strerror(errno));
	return fd;
}

/* GET_STATS, or the end of the run. */
void get_stats(int fd, struct mmap_test_stats *st)
{
	int ret = mt_ioctl_stats(fd, st);

	if (ret)
		bench_fail("IOCTL_GET_STATS: %s", strerror(-ret));
}

/* The per-file buffer size of the loaded module, in pages. */
unsigned long dev_buffer_pages(void)
{
	struct mmap_test_stats st;
	int fd = open_dev();

	get_stats(fd, &st);
	close(fd);
	return st.buffer_pages;
}

/* ALLOC_VMA of one read-write page with @flags, or the end of the run. */
void ioctl_alloc(int fd, struct mmap_test_alloc *a, __u32 flags)
{
	int ret = mt_ioctl_alloc(fd, 0, page_size, 0, PROT_READ | PROT_WRITE,
				 flags, a);

	if (ret)
		bench_fail("IOCTL_ALLOC_VMA: %s", strerror(-ret));
}

/* FREE_VMA of the page at @addr, or the end of the run. */
void ioctl_free(int fd, __u64 addr)
{
	int ret = mt_ioctl_free(fd, addr, page_size);

	if (ret)
		bench_fail("IOCTL_FREE_VMA: %s", strerror(-ret));
}

/* Set the module's log_calls parameter (when it can be written). */
void set_log_calls(int on)
{
	if (env.log_calls_rw && write_file(LOG_CALLS_PARAM, on ? "1" : "0"))
		bench_fail("write %s: %s", LOG_CALLS_PARAM, strerror(errno));
}

/* Give the module's log_calls parameter back the value it was found with. */
void restore_log_calls(void)
{
	if (env.log_calls_rw && write_file(LOG_CALLS_PARAM, env.log_calls0))
		bench_fail("write %s: %s", LOG_CALLS_PARAM, strerror(errno));
}
