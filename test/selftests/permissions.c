// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-permissions - who may open the device (root only, node 0600,
 * or what the installation's udev rule says),
 * that every output field of QUERY, ALLOC and GET_STATS is defined (no
 * stale kernel memory, also on failure), that the module's log lines
 * carry no kernel pointer, and that a user the node lets in cannot flood
 * the kernel log (log_burst).
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded (buffer_pages >= 8; every test SKIPs
 * below that, and when /dev/mmap-test does not exist): mmap-test-permissions.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/mmap_test.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "mt_file.h"
#include "mt_time.h"
#include "selftests.h"

#define PAT64	0xAAAAAAAAAAAAAAAAULL	/* the pattern of "not written" */
#define PAT32	0xAAAAAAAAU

MT_FIXTURE(mt, MT_MIN_PAGES);

TEST_F(mt, perm_unprivileged_open_eacces)
{
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to drop to uid 65534");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534)) {
			perror("# drop privileges");
			_exit(10);
		}
		if (getuid() != 65534 || geteuid() != 65534)
			_exit(11);
		fd = open(MMAP_TEST_DEVICE, O_RDWR);
		if (fd >= 0 || errno != EACCES) {
			fprintf(stderr, "# open O_RDWR as uid 65534: %s\n",
				fd >= 0 ? "succeeded" : strerror(errno));
			_exit(12);
		}
		fd = open(MMAP_TEST_DEVICE, O_RDONLY);
		if (fd >= 0 || errno != EACCES) {
			fprintf(stderr, "# open O_RDONLY as uid 65534: %s\n",
				fd >= 0 ? "succeeded" : strerror(errno));
			_exit(13);
		}
		_exit(0);
	}
	wait_child_ok(_metadata, pid);
}

/*
 * The mode and group the installation gives the node: the module makes it
 * root:root 0600; where udev runs (its control socket exists), the rules
 * for KERNEL=="mmap-test" in its rules files may set MODE and GROUP (the
 * package mmap-test-dkms installs one: root:mmap-test 0660).  Read as udev
 * reads them: every *.rules name of the directories in lexical order, a
 * name in an earlier directory hiding the same name in a later one; a
 * later assignment wins unless an earlier one was final (":="); a GROUP
 * without any MODE gives 0660.  Only one-line rules matching the exact
 * name are understood (no globs, no continued lines), which is what the
 * project's rule is.  @rule gets the file of the last rule, or "".
 */
#define UDEV_DIRS	5
static const char *const udev_dirs[UDEV_DIRS] = {
	"/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d",
	"/usr/lib/udev/rules.d", "/lib/udev/rules.d",
};

static int rules_name_cmp(const void *a, const void *b)
{
	return strcmp(strrchr(*(char *const *)a, '/'),
		      strrchr(*(char *const *)b, '/'));
}

/*
 * The value of KEY="..." or KEY:="..." in @line into @v (*@final: it was
 * ":="), or false.
 */
static bool udev_value(const char *line, const char *key, char *v, size_t n,
		       bool *final)
{
	const char *p = line, *e;
	size_t k = strlen(key);

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ' || p[-1] == ',' || p[-1] == '\t') &&
		    (!strncmp(p + k, "=\"", 2) || !strncmp(p + k, ":=\"", 3))) {
			*final = p[k] == ':';
			p = strchr(p, '"') + 1;
			e = strchr(p, '"');
			if (!e || (size_t)(e - p) >= n)
				return false;
			memcpy(v, p, e - p);
			v[e - p] = '\0';
			return true;
		}
		p += k;
	}
	return false;
}

/* A GROUP value: a number, or a name of /etc/group; (gid_t)-1 if neither. */
static gid_t udev_gid(const char *v)
{
	unsigned int g;
	char *end;

	g = strtoul(v, &end, 10);
	if (*v && !*end)
		return g;
	return mt_group_gid(v, &g) ? (gid_t)-1 : g;
}

static void node_expected(mode_t *mode, gid_t *gid, char *rule, size_t n)
{
	bool mode_set = false, mode_final = false, gid_final = false, fin;
	char *files[256], line[1024], v[64];
	struct dirent *d;
	size_t nf = 0, i, j;
	FILE *f;
	DIR *dir;

	*mode = 0600;
	*gid = 0;
	rule[0] = '\0';
	if (access("/run/udev/control", F_OK))
		return;
	for (i = 0; i < UDEV_DIRS; i++) {
		dir = opendir(udev_dirs[i]);
		while (dir && (d = readdir(dir)) && nf < 256) {
			size_t l = strlen(d->d_name);

			if (l < 7 || strcmp(d->d_name + l - 6, ".rules"))
				continue;
			for (j = 0; j < nf; j++)
				if (!strcmp(strrchr(files[j], '/') + 1, d->d_name))
					break;
			if (j < nf)
				continue;
			if (asprintf(&files[nf], "%s/%s", udev_dirs[i], d->d_name) > 0)
				nf++;
		}
		if (dir)
			closedir(dir);
	}
	qsort(files, nf, sizeof(files[0]), rules_name_cmp);
	for (i = 0; i < nf; i++) {
		f = fopen(files[i], "r");
		while (f && fgets(line, sizeof(line), f)) {
			const char *p = line + strspn(line, " \t");

			if (*p == '#' || !strstr(p, "KERNEL==\"mmap-test\""))
				continue;
			if (!mode_final && udev_value(p, "MODE", v, sizeof(v), &fin)) {
				*mode = strtoul(v, NULL, 8);
				mode_set = true;
				mode_final = fin;
			}
			if (!gid_final && udev_value(p, "GROUP", v, sizeof(v), &fin)) {
				*gid = udev_gid(v);
				gid_final = fin;
			}
			snprintf(rule, n, "%s", files[i]);
		}
		if (f)
			fclose(f);
		free(files[i]);
	}
	if (!mode_set && *gid != 0)
		*mode = 0660;
}

/*
 * The device node is root's, mode 0600 (the module's), or what the udev
 * rule of the installation says.
 */
TEST_F(mt, perm_device_mode)
{
	char rule[300];
	struct stat st;
	mode_t mode;
	gid_t gid;

	node_expected(&mode, &gid, rule, sizeof(rule));
	ASSERT_EQ(0, stat(MMAP_TEST_DEVICE, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(0U, st.st_uid);
	ASSERT_EQ(mode, st.st_mode & 07777)
		TH_LOG("mode %04o, want %04o (%s)", st.st_mode & 07777, mode,
		       rule[0] ? rule : "the module's: no udev rule");
	ASSERT_EQ(gid, st.st_gid)
		TH_LOG("group %u, want %u (%s)", st.st_gid, gid,
		       rule[0] ? rule : "the module's: no udev rule");
	if (rule[0])
		TH_LOG("root:%u %04o, as %s says", gid, mode, rule);
}

static void check_report_defined(struct __test_metadata *_metadata,
				 const struct mmap_test_vma_report *r)
{
	ASSERT_NE(PAT64, r->addr);
	ASSERT_NE(PAT64, r->vm_start);
	ASSERT_NE(PAT64, r->vm_end);
	ASSERT_NE(PAT64, r->gap);
	ASSERT_NE(PAT64, r->flags);
	ASSERT_NE(PAT64, r->vm_pgoff);
	ASSERT_NE(PAT32, r->found);
	ASSERT_NE(PAT32, r->contains);
	ASSERT_NE(PAT32, r->backing);
	ASSERT_NE(PAT32, r->nr_vmas);
	ASSERT_GE(1U, r->found);
	ASSERT_GE(1U, r->contains);
	ASSERT_GE((__u32)MMAP_TEST_BACKING_SPECIAL, r->backing);
	ASSERT_LT(0U, r->nr_vmas);
}

TEST_F(mt, perm_query_out_defined)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_query q;
	char *p;

	p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 1, PROT_READ,
		       MMAP_TEST_SHARED);
	memset(&q, 0xAA, sizeof(q));
	q.addr = p2u(p + pg);
	q.reserved = 0;
	ASSERT_EQ(0, mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q));
	ASSERT_EQ(0ULL, q.reserved);
	ASSERT_EQ(p2u(p + pg), q.addr);
	check_report_defined(_metadata, &q.report);
	ASSERT_EQ(p2u(p + pg), q.report.addr);
	ASSERT_EQ(p2u(p), q.report.vm_start);
	ASSERT_EQ(p2u(p + 2 * pg), q.report.vm_end);
	ASSERT_EQ(0ULL, q.report.gap);
	ASSERT_EQ(1ULL, q.report.vm_pgoff);
	ASSERT_EQ(1U, q.report.contains);

	/* found but not contained */
	memset(&q, 0xAA, sizeof(q));
	q.addr = 0;
	q.reserved = 0;
	ASSERT_EQ(0, mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q));
	check_report_defined(_metadata, &q.report);
	ASSERT_EQ(0U, q.report.contains);
	ASSERT_EQ(q.report.vm_start, q.report.gap);
}

TEST_F(mt, perm_query_null_report_zeroed)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_query q;
	__u32 nr = mt_ctx_nr_vmas(_metadata, c->fd);

	memset(&q, 0xAA, sizeof(q));
	q.addr = past_task_size(1);
	q.reserved = 0;
	ASSERT_EQ(0, mt_ioctl(c->fd, IOCTL_QUERY_VMA, &q));
	ASSERT_EQ(past_task_size(1), q.report.addr);
	ASSERT_EQ(0U, q.report.found);
	ASSERT_EQ(0U, q.report.contains);
	ASSERT_EQ(0ULL, q.report.vm_start);
	ASSERT_EQ(0ULL, q.report.vm_end);
	ASSERT_EQ(0ULL, q.report.gap);
	ASSERT_EQ(0ULL, q.report.flags);
	ASSERT_EQ(0ULL, q.report.vm_pgoff);
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_NONE, q.report.backing);
	ASSERT_EQ(nr, q.report.nr_vmas);
}

TEST_F(mt, perm_alloc_out_defined)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_vma_report r0;
	struct mmap_test_alloc a;
	char *h = find_hole(3);

	ASSERT_NE(NULL, h);
	r0 = mt_ctx_query(_metadata, c->fd, p2u(h + pg));
	memset(&a, 0xAA, sizeof(a));
	a.addr = p2u(h + pg);
	a.len = pg;
	a.pgoff = 0;
	a.prot = PROT_READ;
	a.flags = MMAP_TEST_SHARED;
	memset(a.reserved, 0, sizeof(a.reserved));
	ASSERT_EQ(0, mt_ioctl(c->fd, IOCTL_ALLOC_VMA, &a));
	mt_ctx_track(c, u2p(a.mapped), pg);
	ASSERT_EQ(p2u(h + pg), a.mapped);
	ASSERT_EQ(0ULL, a.reserved[0]);
	ASSERT_EQ(0ULL, a.reserved[1]);
	ASSERT_EQ(0ULL, a.reserved[2]);
	check_report_defined(_metadata, &a.before);
	/* before == find_vma(hint) as QUERY saw it just before */
	ASSERT_EQ(0, memcmp(&r0, &a.before, sizeof(r0)))
		TH_LOG("before %s vs query %s", report_str(&a.before),
		       report_str(&r0));
}

/* vm_mmap() failed: mapped == 0, before defined and truthful. */
TEST_F(mt, perm_alloc_failure_out_defined)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_alloc a;
	char *o = mt_ctx_anon(c, NULL, pg, PROT_READ, MAP_PRIVATE);

	ASSERT_NE(NULL, o);
	memset(&a, 0xAA, sizeof(a));
	a.addr = p2u(o);
	a.len = pg;
	a.pgoff = 0;
	a.prot = PROT_READ;
	a.flags = MMAP_TEST_SHARED | MMAP_TEST_FIXED_NOREPLACE;
	memset(a.reserved, 0, sizeof(a.reserved));
	ASSERT_EQ(-EEXIST, mt_ioctl(c->fd, IOCTL_ALLOC_VMA, &a));
	ASSERT_EQ(0ULL, a.mapped);
	check_report_defined(_metadata, &a.before);
	ASSERT_EQ(p2u(o), a.before.addr);
	ASSERT_EQ(1U, a.before.contains);
	ASSERT_EQ(p2u(o), a.before.vm_start);
	ASSERT_EQ((__u32)MMAP_TEST_BACKING_ANON, a.before.backing);
}

TEST_F(mt, perm_stats_out_defined)
{
	struct mt_ctx *c = &self->c;
	struct mmap_test_stats s;
	__u64 *w = (__u64 *)&s;
	size_t i;

	memset(&s, 0xAA, sizeof(s));
	ASSERT_EQ(0, mt_ioctl(c->fd, IOCTL_GET_STATS, &s));
	for (i = 0; i < sizeof(s) / sizeof(__u64); i++)
		ASSERT_NE(PAT64, w[i]) TH_LOG("word %zu left undefined", i);
	for (i = 0; i < MT_ARRAY_SIZE(s.reserved); i++)
		ASSERT_EQ(0ULL, s.reserved[i]);
	ASSERT_EQ((__u64)c->bp, s.buffer_pages);
	ASSERT_EQ(0ULL, s.live_vmas);
	ASSERT_EQ(0ULL, s.faults);
	ASSERT_LE(1ULL, s.total_files);
	ASSERT_LE(s.pages, s.total_pages);
	ASSERT_LE(s.faults, s.total_faults);
}

#define MOD_RANGES	32
#define MOD_SECTION_SPAN	(1ULL << 20)

/* Where the module lies: address ranges, each [lo, hi). */
struct mod_ranges {
	unsigned long long lo[MOD_RANGES], hi[MOD_RANGES];
	int n;
};

static void mod_range_add(struct mod_ranges *r, unsigned long long lo,
			  unsigned long long hi)
{
	if (lo && r->n < MOD_RANGES) {
		r->lo[r->n] = lo;
		r->hi[r->n++] = hi;
	}
}

/*
 * The module's memory: its text, "mmap_test SIZE REFS DEPS STATE ADDR" of
 * /proc/modules, and from the start of each of its sections in
 * /sys/module/mmap_test/sections/ (data, rodata and bss are allocated
 * apart from the text since 6.4) 1 MiB on; every address reads as 0
 * unless root may see kernel addresses (kptr_restrict).  On s390x the
 * kernel's addresses are not in the upper half, so the upper-half rule
 * alone cannot see a pointer there; these ranges can.
 */
static void module_ranges(struct mod_ranges *r)
{
	const char *dir = "/sys/module/mmap_test/sections";
	unsigned long long size, addr;
	char line[512], path[512];
	struct dirent *de;
	FILE *f;
	DIR *d;

	r->n = 0;
	f = fopen("/proc/modules", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "mmap_test %llu %*s %*s %*s %llx", &size,
			   &addr) == 2)
			mod_range_add(r, addr, addr + size);
	if (f)
		fclose(f);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] ||
					     !strcmp(de->d_name, "..")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "re");
		if (f && fscanf(f, "%llx", &addr) == 1)
			mod_range_add(r, addr, addr + MOD_SECTION_SPAN);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
}

static bool in_module(const struct mod_ranges *r, unsigned long long v)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (v >= r->lo[i] && v < r->hi[i])
			return true;
	return false;
}

/*
 * hex values of a kmsg line that look like kernel pointers: in the
 * kernel half (other than @input, an address this test passed in), or
 * in the module's memory @mod
 */
static bool line_has_kernel_pointer(const char *s, unsigned long long input,
				    const struct mod_ranges *mod,
				    unsigned long long *bad)
{
	const char *p = s;

	while (*p) {
		size_t n = 0;

		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		while (isxdigit((unsigned char)p[n]))
			n++;
		if (n >= 12) {
			char tmp[20];
			unsigned long long v;

			if (n > 16) {
				*bad = ~0ULL;
				return true;
			}
			memcpy(tmp, p, n);
			tmp[n] = '\0';
			v = strtoull(tmp, NULL, 16);
			if ((v >= 0xffff800000000000ULL && v != input) ||
			    in_module(mod, v)) {
				*bad = v;
				return true;
			}
		}
		p += n ? n : 1;
	}
	return false;
}

/*
 * The module's dev_info lines carry no kernel pointer.  The module echoes
 * user-supplied numbers (addresses, lengths), and other tests feed it
 * values in the kernel half on purpose, so only the lines produced by
 * this test's own operations are scanned: every hex value in them must
 * be below 0xffff800000000000 (but the address past TASK_SIZE it
 * queries, 2^64 minus a page on s390x) and outside the module.
 */
TEST_F(mt, perm_dmesg_no_kernel_pointers)
{
	static char rec[8192];
	struct mt_ctx *c = &self->c;
	struct mmap_test_alloc a;
	unsigned long long badv = 0;
	const unsigned long marker = 0x5a5a5000UL;
	const unsigned long high = past_task_size(1);
	struct mod_ranges mod;
	int kfd, lines = 0, bad = 0, seen_marker = 0;
	char *p, *o, *msg;
	ssize_t n;

	char burst[16];

	ASSERT_EQ(0, log_burst_unlimit(burst, sizeof(burst)));
	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kfd) TH_LOG("open /dev/kmsg: %s", strerror(errno));
	ASSERT_LE(0, lseek(kfd, 0, SEEK_END)) TH_LOG("seek /dev/kmsg: %s",
						     strerror(errno));

	/* every log path: ALLOC ok/failed/rejected, FREE, QUERY x3 */
	p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		       MMAP_TEST_SHARED);
	p[0] = 1;
	o = mt_ctx_map(_metadata, c, c->fd, 0, pg, 0, PROT_READ,
		       MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
	ASSERT_EQ(-EEXIST, mt_ioctl_alloc(c->fd, p2u(o), pg, 0, PROT_READ,
					  MMAP_TEST_SHARED |
					  MMAP_TEST_FIXED_NOREPLACE, &a));
	ASSERT_EQ(-EINVAL, mt_ioctl_alloc(c->fd, 0, pg, 0, 0x8,
					  MMAP_TEST_SHARED, &a));
	ASSERT_EQ(-EINVAL, mt_ioctl_alloc(c->fd, 0, (c->bp + 1) * pg, 0,
					  PROT_READ, MMAP_TEST_SHARED, &a));
	mt_ctx_query(_metadata, c->fd, marker);
	mt_ctx_query(_metadata, c->fd, p2u(p + pg));
	mt_ctx_query(_metadata, c->fd, high);
	ASSERT_EQ(-EINVAL, mt_ioctl_free(c->fd, p2u(p) + 1, pg));
	ASSERT_EQ(0, mt_ioctl_free(c->fd, p2u(p), 2 * pg));
	mt_ctx_untrack(c, p, 2 * pg);
	ASSERT_EQ(0, mt_ioctl_free(c->fd, p2u(o), pg));
	mt_ctx_untrack(c, o, pg);

	module_ranges(&mod);
	if (mod.n)
		TH_LOG("the module's memory: %d ranges, the first [%#llx,%#llx)",
		       mod.n, mod.lo[0], mod.hi[0]);
	else
		TH_LOG("no address of mmap_test in /proc/modules or its sections (kptr_restrict): only the kernel-half rule applies");
	for (;;) {
		n = read(kfd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (!strstr(msg, "mmap"))
			continue;
		lines++;
		if (strstr(msg, "5a5a5000"))
			seen_marker++;
		if (line_has_kernel_pointer(msg, high, &mod, &badv)) {
			if (bad < 5)
				TH_LOG("kernel pointer 0x%llx in: %s", badv, msg);
			bad++;
		}
	}
	close(kfd);
	log_burst_restore(burst);
	/* 4 ALLOC (one rejected), 3 QUERY, 3 FREE: one line each */
	ASSERT_LE(10, lines) TH_LOG("%d module lines for 10 ioctls", lines);
	ASSERT_EQ(1, seen_marker)
		TH_LOG("no dev_info line for QUERY of 0x%lx", marker);
	ASSERT_EQ(0, bad);
}

/*
 * Anyone the node's mode lets in (the udev rule gives it to a group) must
 * not flood the kernel log: 100,000 rejected ALLOCs from an unprivileged
 * member of the node's group (and more, until FLOOD_SECONDS have passed
 * and a new window has opened) leave at most log_burst lines per 5 seconds
 * and one "suppressed" line per window, and the stats count the rest.
 * "A new window has opened" is by the kernel's clock: the limiter's window
 * is in jiffies, and on a periodic-tick kernel (the debug kernel) in a TCG
 * guest starved by a loaded host, ticks are lost and jiffies fell seconds
 * behind CLOCK_MONOTONIC: 6 s of calls saw no new window.  So the flood
 * goes on until a call is logged after the first suppressed one (the
 * child reads the stats every FLOOD_POLL calls), for at most
 * FLOOD_MAX_SECONDS: a limiter that never reopens still fails.
 */
#define FLOOD_CALLS	100000UL
#define FLOOD_SECONDS	6	/* and at least this long: a second window */
#define FLOOD_MAX_SECONDS	120
#define FLOOD_POLL	1024
#define FLOOD_GID	4242

/* The flood, as uid 65534 in group FLOOD_GID; the number of calls to @wfd. */
static int flood_child(int wfd)
{
	struct mmap_test_alloc a;
	struct mmap_test_stats s0, s;
	gid_t g = FLOOD_GID;
	double start = mt_time_now(), now;
	unsigned long long logged, first = 0;
	bool suppressed = false, reopened = false;
	unsigned long i;
	int fd;

	if (setgroups(1, &g) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return 10;
	fd = open(MMAP_TEST_DEVICE, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "# open as uid 65534, group %d: %s\n",
			FLOOD_GID, strerror(errno));
		return 11;
	}
	if (mt_ioctl_stats(fd, &s0))
		return 14;
	for (i = 0; ; i++) {
		if (i % FLOOD_POLL == 0) {
			if (mt_ioctl_stats(fd, &s))
				return 14;
			logged = i - (s.log_suppressed - s0.log_suppressed);
			if (!suppressed && s.log_suppressed != s0.log_suppressed) {
				suppressed = true;
				first = logged;
			}
			reopened = suppressed && logged > first;
			now = mt_time_now();
			if ((i >= FLOOD_CALLS && now >= start + FLOOD_SECONDS &&
			     reopened) || now >= start + FLOOD_MAX_SECONDS)
				break;
		}
		memset(&a, 0, sizeof(a));
		a.len = 4096;
		a.flags = MMAP_TEST_SHARED;
		a.reserved[0] = i + 1;	/* rejected: EINVAL */
		if (ioctl(fd, IOCTL_ALLOC_VMA, &a) != -1 || errno != EINVAL) {
			fprintf(stderr, "# call %lu: not EINVAL\n", i);
			return 12;
		}
	}
	return write(wfd, &i, sizeof(i)) == sizeof(i) ? 0 : 13;
}

/*
 * 100,000 calls take 6 to 13 s in a TCG guest, and over the harness's
 * default 30 s on a loaded host (arm64, 5.10): a timeout that only
 * detects a hang.
 */
TEST_F_TIMEOUT(mt, perm_log_flood_bounded, 600)
{
	struct mt_ctx *c = &self->c;
	unsigned long long burst = 0, logged, windows;
	unsigned long lines = 0, summaries = 0, calls = 0;
	struct mmap_test_stats s0, s1;
	char rec[1024], *msg;
	struct stat st;
	double t0, t;
	int kfd, on, r, pfd[2];
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to hand the node to a group");
	ASSERT_EQ(0, mt_file_read_ull(LOG_BURST_PARAM, &burst))
		TH_LOG("no %s: the module has no rate limit", LOG_BURST_PARAM);
	ASSERT_LT(0ULL, burst) TH_LOG("log_burst is 0 (no limit)");
	on = mt_file_read_bool(MT_PARAM_DIR "log_calls");
	if (on != 1)
		SKIP(return, "log_calls is off: nothing to flood");
	ASSERT_EQ(0, stat(MMAP_TEST_DEVICE, &st));
	kfd = mt_kmsg_open();
	ASSERT_LE(0, kfd) TH_LOG("/dev/kmsg: %s", strerror(-kfd));
	s0 = mt_ctx_stats(_metadata, c->fd);
	ASSERT_EQ(0, chown(MMAP_TEST_DEVICE, 0, FLOOD_GID));
	ASSERT_EQ(0, chmod(MMAP_TEST_DEVICE, 0660));
	ASSERT_EQ(0, pipe(pfd));
	t0 = mt_time_now();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(flood_child(pfd[1]));
	close(pfd[1]);
	wait_child_ok(_metadata, pid);
	ASSERT_EQ((ssize_t)sizeof(calls), read(pfd[0], &calls, sizeof(calls)));
	close(pfd[0]);
	t = mt_time_now() - t0;
	EXPECT_EQ(0, chown(MMAP_TEST_DEVICE, st.st_uid, st.st_gid));
	EXPECT_EQ(0, chmod(MMAP_TEST_DEVICE, st.st_mode & 07777));
	s1 = mt_ctx_stats(_metadata, c->fd);
	while ((r = mt_kmsg_read(kfd, rec, sizeof(rec), &msg)) > 0 ||
	       r == -EPIPE) {
		if (r < 0 || !strstr(msg, "mmap-test"))
			continue;
		if (strstr(msg, "lines suppressed"))
			summaries++;
		else
			lines++;
	}
	close(kfd);
	/* windows of 5 s that the run touched, and the one after it */
	windows = (unsigned long long)(t / 5) + 2;
	logged = calls - (s1.log_suppressed - s0.log_suppressed);
	TH_LOG("%lu calls in %.1f s: %llu logged, %llu suppressed, %lu module lines and %lu summaries in the log (log_burst %llu)",
	       calls, t, logged,
	       (unsigned long long)(s1.log_suppressed - s0.log_suppressed),
	       lines, summaries, burst);
	ASSERT_LE(FLOOD_CALLS, calls);
	ASSERT_LE(logged, windows * burst);
	ASSERT_LE(lines, windows * burst);
	ASSERT_LE(summaries, windows);
	/* a window opened during the run: its first lines, and the summary */
	ASSERT_LE(1ULL, logged);
	ASSERT_LE(1UL, summaries);
}

TEST_HARNESS_MAIN
