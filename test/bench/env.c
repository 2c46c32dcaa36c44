// SPDX-License-Identifier: GPL-2.0
/*
 * env.c - the environment of a mmap-test-bench run: what the table's
 * environment block and the JSON record (kernel settings, module
 * parameters, load, the cost of a clock read), and the two settings the
 * run changes (shmem_enabled for the memfd MADV_HUGEPAGE row,
 * vm.nr_hugepages for the hugetlb row) and restores.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define CLOCKSOURCE \
	"/sys/devices/system/clocksource/clocksource0/current_clocksource"
#define FAULT_AROUND_BYTES	"/sys/kernel/debug/fault_around_bytes"

struct environment env;

/* The bracketed word of a sysfs "a [b] c" file, or its first line. */
void read_setting(const char *path, char *buf, size_t n)
{
	char line[256], *a, *b;

	if (mt_file_read_line(path, line, sizeof(line)))
		line[0] = '\0';
	if (!line[0]) {
		snprintf(buf, n, "unknown");
		return;
	}
	a = strchr(line, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b) {
		*b = 0;
		a++;
	} else {
		a = line;
	}
	snprintf(buf, n, "%.*s", (int)n - 1, a);
}

int write_file(const char *path, const char *s)
{
	/* O_TRUNC as the shell's ">": set_ftrace_pid appends without it */
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, s, strlen(s));
	close(fd);
	return w == (ssize_t)strlen(s) ? 0 : -1;
}

/* The settings read_env() changed for the run. */
static int env_shmem_changed, env_huge_changed;

/* "name=value ..." of the files in @dir (module parameters). */
static void read_params(const char *dir, char *buf, size_t n)
{
	struct dirent **ents;
	size_t len = 0;
	int i, nr;

	buf[0] = 0;
	nr = scandir(dir, &ents, NULL, alphasort);
	if (nr < 0) {
		snprintf(buf, n, "unknown (%s: %s)", dir, strerror(errno));
		return;
	}
	for (i = 0; i < nr; i++) {
		char path[512], val[64];

		if (ents[i]->d_name[0] != '.' && len < n) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 ents[i]->d_name);
			if (mt_file_read_line(path, val, sizeof(val)))
				val[0] = '\0';
			len += snprintf(buf + len, n - len, "%s%s=%s",
					len ? " " : "", ents[i]->d_name, val);
		}
		free(ents[i]);
	}
	free(ents);
}

void read_loadavg(char *buf, size_t n)
{
	char line[128];
	char *sp;

	if (mt_file_read_line("/proc/loadavg", line, sizeof(line)))
		line[0] = '\0';
	/* The first three fields. */
	sp = line;
	for (int i = 0; i < 3 && sp; i++)
		sp = strchr(sp + 1, ' ');
	if (sp)
		*sp = 0;
	snprintf(buf, n, "%.*s", (int)n - 1, line);
}

/* The median cost of one clock_gettime(), batched. */
static double timer_cost(void)
{
	double v[21];
	int i, j;
	struct timespec ts;

	for (i = 0; i < 21; i++) {
		double t0 = mt_time_now_ns();

		for (j = 0; j < 1000; j++) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			sink += ts.tv_nsec;
		}
		v[i] = (mt_time_now_ns() - t0) / 1000;
	}
	return median_of(v, 21);
}

/* The CPU's name in /proc/cpuinfo ("model name", or "cpu"/"uarch"). */
static void read_cpu_model(char *buf, size_t n)
{
	static const char * const keys[] = { "model name", "cpu model", "cpu",
					     "uarch", "CPU part" };
	char line[256], *colon;
	size_t i, k;
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, n, "unknown");
	for (k = 0; f && k < MT_ARRAY_SIZE(keys); k++) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			colon = strchr(line, ':');
			if (!colon || strncmp(line, keys[k], strlen(keys[k])) ||
			    !strchr(" \t", line[strlen(keys[k])]))
				continue;
			colon += strspn(colon + 1, " \t") + 1;
			i = strcspn(colon, "\n");
			snprintf(buf, n, "%.*s", (int)i, colon);
			fclose(f);
			return;
		}
	}
	if (f)
		fclose(f);
}

/* The module's log_calls as found, and whether it can be written. */
void read_log_calls(void)
{
	if (mt_file_read_line(LOG_CALLS_PARAM, env.log_calls0, sizeof(env.log_calls0)))
		env.log_calls0[0] = '\0';
	env.log_calls_rw = env.log_calls0[0] && !access(LOG_CALLS_PARAM, W_OK);
}

void read_env(void)
{
	char line[128], buf[32];
	FILE *f;

	read_setting("/sys/kernel/mm/transparent_hugepage/enabled", env.thp,
		     sizeof(env.thp));
	read_setting("/sys/kernel/mm/transparent_hugepage/defrag",
		     env.thp_defrag, sizeof(env.thp_defrag));
	read_setting(SHMEM_ENABLED, env.shmem, sizeof(env.shmem));
	snprintf(env.shmem_run, sizeof(env.shmem_run), "%s", env.shmem);
	/*
	 * The memfd MADV_HUGEPAGE row needs shmem THP on "advise" at least;
	 * "advise" changes no other row (none of them asks for huge pages).
	 */
	if (!strcmp(env.shmem, "never") && group_on("faults") &&
	    !write_file(SHMEM_ENABLED, "advise")) {
		env_shmem_changed = 1;
		read_setting(SHMEM_ENABLED, env.shmem_run,
			     sizeof(env.shmem_run));
	}
	if (mt_file_read_line(CLOCKSOURCE, env.clocksource,
			      sizeof(env.clocksource)))
		env.clocksource[0] = '\0';
	if (mt_file_read_line(FAULT_AROUND_BYTES, env.fault_around,
			      sizeof(env.fault_around)))
		env.fault_around[0] = '\0';
	if (!env.fault_around[0])
		snprintf(env.fault_around, sizeof(env.fault_around),
			 "unknown (no debugfs)");
	read_params("/sys/module/mmap_test/parameters", env.params,
		    sizeof(env.params));
	read_params("/sys/module/mmap_test_ref/parameters", env.ref_params,
		    sizeof(env.ref_params));
	read_log_calls();
	env.cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (mt_file_read_line("/proc/cmdline", env.cmdline, sizeof(env.cmdline)))
		snprintf(env.cmdline, sizeof(env.cmdline), "unknown");
	read_cpu_model(env.cpu_model, sizeof(env.cpu_model));
	f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		long v;

		if (sscanf(line, "MemTotal: %ld kB", &v) == 1)
			snprintf(env.mem, sizeof(env.mem), "%ld MiB", v >> 10);
		if (sscanf(line, "Hugepagesize: %ld kB", &v) == 1)
			env.hugepage_kb = v;
	}
	if (f)
		fclose(f);
	if (mt_file_read_line(NR_HUGEPAGES, buf, sizeof(buf)))
		buf[0] = '\0';
	env.nr_hugepages = atol(buf);
	env.nr_hugepages_run = env.nr_hugepages;
	if (group_on("faults") && env.hugepage_kb > 0) {
		long need = (long)(opt.pages * page_size / 1024 /
				   env.hugepage_kb);

		if (need > env.nr_hugepages) {
			snprintf(buf, sizeof(buf), "%ld", need);
			if (!write_file(NR_HUGEPAGES, buf))
				env_huge_changed = 1;
			if (mt_file_read_line(NR_HUGEPAGES, buf, sizeof(buf)))
				buf[0] = '\0';
			env.nr_hugepages_run = atol(buf);
		}
	}
	read_loadavg(env.load_before, sizeof(env.load_before));
	env.timer_ns = timer_cost();
}

void restore_env(void)
{
	char buf[32];

	if (env_shmem_changed)
		write_file(SHMEM_ENABLED, env.shmem);
	if (env_huge_changed) {
		snprintf(buf, sizeof(buf), "%ld", env.nr_hugepages);
		write_file(NR_HUGEPAGES, buf);
	}
	if (env.log_calls_rw)
		write_file(LOG_CALLS_PARAM, env.log_calls0);
	env_shmem_changed = 0;
	env_huge_changed = 0;
}
