// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-faultinject - the module survives an allocation failure at
 * each allocation site it reaches, failed on purpose with the kernel's
 * fault injection (Documentation/fault-injection/fault-injection.rst).
 *
 *   site_open           open(2) of the device (the per-file state, the
 *                       buffer's inode): an errno (ENOMEM) or success
 *   site_first_fault    the first write fault on a shared mapping, at
 *                       buffer page 1 (page 0 needs no xarray node; a
 *                       write fault fills no fault-around): the page
 *                       cache folio or xarray node cannot be allocated,
 *                       and the access gets SIGBUS, or succeeds
 *   site_write          pwrite(2) of two pages not yet created: ENOMEM,
 *                       EFAULT (the copy from user failed) or a short
 *                       write; what was written reads back
 *   site_fault_around   a read fault on a fresh 64-page mapping, whose
 *                       ->fault first fills the fault-around block and
 *                       the next two (mmap_test_fill_around()): a
 *                       failure there stops the fill silently, the read
 *                       succeeds (or gets SIGBUS) and every page of the
 *                       mapping reads right afterwards
 *   site_huge_folio     with huge=1 and a buffer of a PMD or more: the
 *                       first write to a PMD-aligned, PMD-size mapping
 *                       (the PMD-size folio falls back to smaller ones)
 *   site_alloc_vm_mmap  IOCTL_ALLOC_VMA, whose vm_mmap() allocates on
 *                       behalf of the module: an errno or success (a
 *                       mapping it leaves behind is freed)
 *
 * How: the fail-nth protocol of the kernel's own users.  Writing N to
 * /proc/thread-self/fail-nth fails the Nth allocation (or copy from/to
 * user) of this thread; reading it back after the operation says whether
 * that happened (0) or the operation made fewer than N calls (the rest of
 * N).  failslab, fail_page_alloc and fail_usercopy count only calls whose
 * stack goes through the module's text (require-start/require-end, taken
 * from /proc/kallsyms), sleeping and order-0 allocations included, with
 * verbose 0.  For N = 1, 2, ... each test repeats its operation from a
 * fresh file or mapping until an N is not reached; a site never hit, or
 * an N beyond FI_MAX_N, fails.  Every setting changed is restored at
 * teardown.  Each test prints "site <name>: N calls tried, H injected
 * failures hit, results: ...", checks the module's counters against the
 * baseline (mt_fixture.h) and the kernel log written during the test
 * against the splat patterns of scripts/lib/splat.sh.  One call fails per
 * run: a retry after it (xas_nomem(), a smaller folio order) is never
 * failed.  The counts vary a little from run to run, as the slab sheaves,
 * the maple tree and kmemleak's object pool need more or fewer calls, so
 * a call can shift past the N meant for it.
 *
 * Where: a kernel with CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC,
 * FAULT_INJECTION_USERCOPY, FAULT_INJECTION_DEBUG_FS and
 * FAULT_INJECTION_STACKTRACE_FILTER: the x86_64-debug target.  Elsewhere
 * (every Debian kernel) the program prints "1..0 # SKIP <the missing
 * option>" and exits 4 before any test (fi_need_fault_injection()).
 * site_huge_folio SKIPs unless the module was
 * loaded with huge=1 and a buffer of at least a PMD.
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded (debugfs mounted, or mountable):
 * mmap-test-faultinject.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "selftests.h"

#define DEBUGFS		"/sys/kernel/debug"
#define DEBUGFS_MAGIC	0x64626720
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define MAKE_IT_FAIL	"/proc/self/make-it-fail"
#define HUGE_PARAM	"/sys/module/mmap_test/parameters/huge"
#define PMD_SIZE_FILE	"/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"
#define FI_MAX_N	200U	/* fail-nth values tried per site at most */
#define FI_MAX_KNOBS	24
#define FI_MAX_RESULTS	16
#define FI_TIMEOUT	150	/* seconds per test: TCG and KASAN are slow */
#define AROUND_PAGES	64	/* site_fault_around's mapping */
#define AROUND_TOUCH	5	/* the page it reads first */

/*
 * scripts/lib/splat.sh's SPLAT_RE, one alternative a line (keep in step),
 * plus the page fault handler's complaint about a VM_FAULT_OOM that a
 * ->fault returned: the module answers an allocation failure with SIGBUS.
 */
static const char * const splat_pats[] = {
	"BUG:", "WARNING:", "Oops", "KASAN:",
	"kmemleak: .*suspected memory leak", "unreferenced object",
	"possible circular locking", "possible recursive locking",
	"sleeping function called from invalid context",
	"general protection fault", "Kernel panic", "UBSAN:",
	"list_add corruption", "list_del corruption", "[Bb]ad page state",
	"Bad page", "INFO: task .* blocked for more than",
	"watchdog: BUG: soft lockup", "rcu: INFO: rcu_.* stall",
	"suspicious RCU usage",
	"VM_FAULT_OOM leaked out",
};

/* A setting changed by the test, restored at teardown. */
struct fi_knob {
	char path[96];
	char saved[80];
};

/* Outcomes of the operation by name, in order of first appearance. */
struct fi_tally {
	int n;
	struct {
		char name[24];
		unsigned int count;
	} r[FI_MAX_RESULTS];
};

/* The fault injection side of a test. */
struct fi_state {
	unsigned long text_start, text_end;	/* the module's text */
	struct fi_knob knobs[FI_MAX_KNOBS];
	int nknobs;
	int nth_fd;		/* FAIL_NTH, O_RDWR */
	int kmsg_fd;		/* /dev/kmsg, at the end of the log at setup */
	unsigned int tried;	/* fail-nth values tried */
	unsigned int hits;	/* ... of which failed a call */
	struct fi_tally tally;
};

FIXTURE(faultinject) {
	struct mt_ctx c;
	struct fi_state fi;
};

/* The first line of @path without its newline: 0, or -errno. */
static int read_line(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = read(fd, buf, n - 1);
	if (r < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	close(fd);
	buf[r] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Write @s to @path in one write(2): 0, or -errno. */
static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, s, strlen(s));
	if (w < 0)
		w = -errno;
	close(fd);
	return w < 0 ? (int)w : 0;
}

/*
 * Why fault injection cannot run here, or NULL when it can.  debugfs is
 * mounted first if it is not (the guest's /init mounts it).
 */
static const char *fi_missing(void)
{
	static const struct {
		const char *path;
		const char *why;
	} need[] = {
		{ DEBUGFS "/failslab",
		  "no " DEBUGFS "/failslab: the kernel lacks CONFIG_FAILSLAB (or CONFIG_FAULT_INJECTION_DEBUG_FS)" },
		{ DEBUGFS "/fail_page_alloc",
		  "no " DEBUGFS "/fail_page_alloc: the kernel lacks CONFIG_FAIL_PAGE_ALLOC" },
		{ DEBUGFS "/fail_usercopy",
		  "no " DEBUGFS "/fail_usercopy: the kernel lacks CONFIG_FAULT_INJECTION_USERCOPY" },
		{ DEBUGFS "/failslab/require-start",
		  "no " DEBUGFS "/failslab/require-start: the kernel lacks CONFIG_FAULT_INJECTION_STACKTRACE_FILTER" },
	};
	struct statfs sf;
	size_t i;

	if (access(FAIL_NTH, F_OK))
		return "no " DEBUGFS "/failslab (nor " FAIL_NTH "): the kernel lacks CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB";
	if (statfs(DEBUGFS, &sf) || sf.f_type != DEBUGFS_MAGIC)
		if (mount("debugfs", DEBUGFS, "debugfs", 0, NULL))
			return "debugfs is not mounted on " DEBUGFS " and cannot be mounted: fault injection is configured there";
	for (i = 0; i < MT_ARRAY_SIZE(need); i++)
		if (access(need[i].path, F_OK))
			return need[i].why;
	return NULL;
}

/*
 * The module's text from /proc/kallsyms: its lowest and its highest t/T
 * symbol, plus a page for the size of the last function.
 */
static void module_text(struct __test_metadata *_metadata,
			struct fi_state *fi)
{
	unsigned long a, lo = ULONG_MAX, hi = 0;
	unsigned int nsyms = 0;
	char line[512], type;
	FILE *f = fopen("/proc/kallsyms", "r");

	ASSERT_NE(NULL, f) TH_LOG("/proc/kallsyms: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[mmap_test]"))
			continue;
		if (sscanf(line, "%lx %c", &a, &type) != 2 ||
		    (type != 't' && type != 'T'))
			continue;
		nsyms++;
		if (a < lo)
			lo = a;
		if (a > hi)
			hi = a;
	}
	fclose(f);
	ASSERT_LT(0U, nsyms)
		TH_LOG("no text symbol of [mmap_test] in /proc/kallsyms");
	ASSERT_TRUE(lo && hi)
		TH_LOG("/proc/kallsyms shows the module's addresses as 0: kptr_restrict hides them (run as root, kptr_restrict <= 1)");
	fi->text_start = lo;
	fi->text_end = hi + 0x1000;
}

/* @dir/@name := @value (dir NULL: @name is a path), saved for teardown. */
static void knob_set(struct __test_metadata *_metadata,
		     struct fi_state *fi, const char *dir,
		     const char *name, const char *value)
{
	struct fi_knob *k;
	int ret;

	ASSERT_GT(FI_MAX_KNOBS, fi->nknobs);
	k = &fi->knobs[fi->nknobs];
	if (dir)
		snprintf(k->path, sizeof(k->path), DEBUGFS "/%s/%s", dir,
			 name);
	else
		snprintf(k->path, sizeof(k->path), "%s", name);
	ret = read_line(k->path, k->saved, sizeof(k->saved));
	ASSERT_EQ(0, ret) TH_LOG("read %s: %s", k->path, strerror(-ret));
	fi->nknobs++;
	ret = write_str(k->path, value);
	ASSERT_EQ(0, ret) TH_LOG("write '%s' to %s: %s", value, k->path,
				 strerror(-ret));
}

/*
 * Fault injection restricted to the module's text, for fail-nth only:
 * every attribute counts every call (sleeping allocations and order 0
 * included) whose stack goes through the module, silently.
 */
static void fi_begin(struct __test_metadata *_metadata,
		     struct fi_state *fi)
{
	static const char * const dirs[] = {
		"failslab", "fail_page_alloc", "fail_usercopy"
	};
	char start[32], end[32];
	size_t i;

	snprintf(start, sizeof(start), "%#lx", fi->text_start);
	snprintf(end, sizeof(end), "%#lx", fi->text_end);
	for (i = 0; i < MT_ARRAY_SIZE(dirs); i++) {
		knob_set(_metadata, fi, dirs[i], "verbose", "0");
		knob_set(_metadata, fi, dirs[i], "task-filter", "Y");
		knob_set(_metadata, fi, dirs[i], "require-start", start);
		knob_set(_metadata, fi, dirs[i], "require-end", end);
	}
	knob_set(_metadata, fi, "failslab", "ignore-gfp-wait", "N");
	knob_set(_metadata, fi, "failslab", "cache-filter", "N");
	knob_set(_metadata, fi, "fail_page_alloc", "ignore-gfp-wait", "N");
	knob_set(_metadata, fi, "fail_page_alloc", "ignore-gfp-highmem",
		 "N");
	knob_set(_metadata, fi, "fail_page_alloc", "min-order", "0");
	knob_set(_metadata, fi, NULL, MAKE_IT_FAIL, "1");
}

/* fail-nth := @n: 0, or -errno. */
static int nth_write(int fd, unsigned int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%u", n);

	return pwrite(fd, b, len, 0) == len ? 0 : -errno;
}

/*
 * Before anything else after the operation: what is left of fail-nth
 * (0: the Nth call was failed), then fail-nth := 0.  -errno on error.
 */
static long nth_disarm(int fd)
{
	char b[24];
	ssize_t r = pread(fd, b, sizeof(b) - 1, 0);
	long ret = r > 0 ? 0 : -(r < 0 ? errno : EIO);

	nth_write(fd, 0);
	if (ret)
		return ret;
	b[r] = 0;
	return strtol(b, NULL, 10);
}

static void fi_arm(struct __test_metadata *_metadata,
		   struct fi_state *fi, unsigned int n)
{
	int ret;

	ASSERT_GE(FI_MAX_N, n)
		TH_LOG("fail-nth %u reached and still hit: the operation keeps allocating",
		       FI_MAX_N);
	ret = nth_write(fi->nth_fd, n);
	ASSERT_EQ(0, ret) TH_LOG("write %u to %s: %s", n, FAIL_NTH,
				 strerror(-ret));
}

/* Count an outcome by name. */
static void tally(struct fi_tally *t, const char *name)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (!strcmp(t->r[i].name, name)) {
			t->r[i].count++;
			return;
		}
	}
	if (t->n == FI_MAX_RESULTS)
		return;
	snprintf(t->r[t->n].name, sizeof(t->r[0].name), "%s", name);
	t->r[t->n++].count = 1;
}

/*
 * After fail-nth @n: @left is what nth_disarm() returned.  Returns true
 * when the site is done: the operation made fewer than @n calls, and
 * then, not injected, it must have succeeded (@ok).
 */
static bool fi_done(struct __test_metadata *_metadata,
		    struct fi_state *fi, unsigned int n,
		    long left, bool ok)
{
	ASSERT_LE(0, left) TH_LOG("read %s: %s", FAIL_NTH, strerror(-left));
	fi->tried = n;
	if (!left) {
		fi->hits++;
		return false;
	}
	EXPECT_TRUE(ok) TH_LOG("fail-nth %u was not reached (%ld left) and the operation still failed",
			       n, left);
	return true;
}

/* The one line per site, and a site never hit fails. */
static void fi_report(struct __test_metadata *_metadata,
		      struct fi_state *fi, const char *site,
		      const char *extra)
{
	char res[320] = "";
	size_t len = 0;
	int i;

	for (i = 0; i < fi->tally.n && len < sizeof(res); i++)
		len += snprintf(res + len, sizeof(res) - len, "%s%s %u",
				i ? ", " : "", fi->tally.r[i].name,
				fi->tally.r[i].count);
	ksft_print_msg("site %s: %u calls tried, %u injected failures hit, results: %s%s\n",
		       site, fi->tried, fi->hits, res, extra ? extra : "");
	ASSERT_LE(1U, fi->hits)
		TH_LOG("site %s was never hit: no allocation went through the module's text [%#lx, %#lx)",
		       site, fi->text_start, fi->text_end);
}

/* A new file of the device, tracked by the context. */
static int fresh_fd(struct __test_metadata *_metadata, struct mt_ctx *c)
{
	int fd = mt_ctx_open(c, O_RDWR);

	ASSERT_LE(0, fd) TH_LOG("open %s: %s", MMAP_TEST_DEVICE,
				strerror(errno));
	return fd;
}

/* A new shared mapping of @len bytes of @fd from offset 0, tracked. */
static char *fresh_map(struct __test_metadata *_metadata, struct mt_ctx *c,
		       int fd, size_t len, int prot)
{
	char *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);

	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap %zu bytes: %s", len,
					strerror(errno));
	mt_ctx_track(c, p, len);
	return p;
}

/*
 * The records written to the kernel log since @fd was opened: fails the
 * test for each one that matches splat_pats[].
 */
static void kmsg_check(struct __test_metadata *_metadata, int fd)
{
	unsigned int bad = 0, lost = 0, allocfail = 0;
	static char rec[8192], pat[1024];
	size_t i, len = 0;
	char *msg;
	regex_t re;
	ssize_t r;
	int ret;

	for (i = 0; i < MT_ARRAY_SIZE(splat_pats); i++)
		len += snprintf(pat + len, sizeof(pat) - len, "%s%s",
				i ? "|" : "", splat_pats[i]);
	ret = regcomp(&re, pat, REG_EXTENDED | REG_NOSUB);
	EXPECT_EQ(0, ret) TH_LOG("regcomp of the splat patterns failed");
	if (ret)
		return;
	for (;;) {
		r = read(fd, rec, sizeof(rec) - 1);
		if (r < 0 && errno == EPIPE) {	/* overwritten records */
			lost++;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;		/* EAGAIN: the end of the log */
		rec[r] = 0;
		/* "prio,seq,usec,flags;message\n" then " KEY=value" lines */
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = 0;
		if (strstr(msg, "page allocation failure"))
			allocfail++;
		if (!regexec(&re, msg, 0, NULL, 0)) {
			bad++;
			TH_LOG("kernel log: %s", msg);
		}
	}
	regfree(&re);
	if (lost)
		TH_LOG("the kernel log overwrote records %u time(s) before they were read",
		       lost);
	if (allocfail)
		TH_LOG("%u 'page allocation failure' report(s) in the kernel log",
		       allocfail);
	EXPECT_EQ(0U, bad)
		TH_LOG("%u kernel log line(s) during the test match the splat patterns",
		       bad);
}

FIXTURE_SETUP(faultinject)
{
	struct fi_state *fi = &self->fi;
	const char *why;

	mt_ctx_init(&self->c);
	fi->nth_fd = -1;
	fi->kmsg_fd = -1;
	why = fi_missing();	/* checked before the first test too */
	ASSERT_EQ(NULL, why) TH_LOG("%s", why);
	mt_ctx_setup(_metadata, &self->c, 0);
	module_text(_metadata, fi);
	fi->nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fi->nth_fd) TH_LOG("%s: %s", FAIL_NTH, strerror(errno));
	fi->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fi->kmsg_fd) TH_LOG("/dev/kmsg: %s", strerror(errno));
	ASSERT_LE(0, lseek(fi->kmsg_fd, 0, SEEK_END));
	mt_mem_guard_init();
}

FIXTURE_TEARDOWN(faultinject)
{
	struct fi_state *fi = &self->fi;
	int i, ret;

	if (fi->nth_fd >= 0) {
		nth_write(fi->nth_fd, 0);
		close(fi->nth_fd);
	}
	for (i = fi->nknobs - 1; i >= 0; i--) {
		ret = write_str(fi->knobs[i].path, fi->knobs[i].saved);
		EXPECT_EQ(0, ret) TH_LOG("restore '%s' to %s: %s",
					 fi->knobs[i].saved, fi->knobs[i].path,
					 strerror(-ret));
	}
	mt_ctx_teardown(_metadata, &self->c);
	if (fi->kmsg_fd >= 0) {
		kmsg_check(_metadata, fi->kmsg_fd);
		close(fi->kmsg_fd);
	}
}

/* Whether the buffer is smaller than @n pages: the test SKIPs then. */
static bool too_small(struct __test_metadata *_metadata, struct mt_ctx *c,
		      unsigned long n)
{
	if (c->bp < n)
		SKIP(return true, "needs buffer_pages >= %lu, module has %lu",
		     n, c->bp);
	return false;
}

/* ---- open(2) ------------------------------------------------------------ */

TEST_F_TIMEOUT(faultinject, site_open, FI_TIMEOUT)
{
	unsigned int n;
	long left;
	int fd;

	fi_begin(_metadata, &self->fi);
	for (n = 1; ; n++) {
		fi_arm(_metadata, &self->fi, n);
		fd = mt_dev_open(O_RDWR);
		left = nth_disarm(self->fi.nth_fd);
		tally(&self->fi.tally, fd >= 0 ? "ok" : mt_errno_name(fd));
		if (fd >= 0)
			close(fd);
		if (fi_done(_metadata, &self->fi, n, left, fd >= 0))
			break;
	}
	fi_report(_metadata, &self->fi, "open", NULL);
}

/* ---- the first write fault --------------------------------------------- */

TEST_F_TIMEOUT(faultinject, site_first_fault, FI_TIMEOUT)
{
	struct mt_fault f;
	unsigned int n;
	char b = 0;
	long left;
	char *p;
	int fd, sig, first;

	if (too_small(_metadata, &self->c, 2))
		return;
	fi_begin(_metadata, &self->fi);
	for (n = 1; ; n++) {
		fd = fresh_fd(_metadata, &self->c);
		p = fresh_map(_metadata, &self->c, fd, 2 * pg,
			      PROT_READ | PROT_WRITE);
		fi_arm(_metadata, &self->fi, n);
		sig = mt_mem_touch(p + pg, MT_ACCESS_WRITE, 'w', NULL, &f);
		left = nth_disarm(self->fi.nth_fd);
		ASSERT_TRUE(sig == 0 || sig == SIGBUS)
			TH_LOG("fail-nth %u: the write fault got signal %d at %p",
			       n, sig, f.addr);
		tally(&self->fi.tally, sig ? "SIGBUS" : "ok");
		first = sig;
		/* not injected, the same access works and stays */
		sig = mt_mem_touch(p + pg, MT_ACCESS_WRITE, 'w', NULL, &f);
		ASSERT_EQ(0, sig) TH_LOG("fail-nth %u: the write fault again: signal %d",
					 n, sig);
		ASSERT_EQ(1, pread(fd, &b, 1, pg));
		ASSERT_EQ('w', b);
		mt_ctx_unmap(&self->c, p, 2 * pg);
		mt_ctx_close(&self->c, fd);
		if (fi_done(_metadata, &self->fi, n, left, !first))
			break;
	}
	fi_report(_metadata, &self->fi, "first_fault", NULL);
}

/* ---- write(2) ---------------------------------------------------------- */

TEST_F_TIMEOUT(faultinject, site_write, FI_TIMEOUT)
{
	size_t len = 2 * pg;
	char *buf, *back;
	unsigned int n;
	long left;
	ssize_t w;
	int fd, e;
	size_t i;

	if (too_small(_metadata, &self->c, 3))
		return;
	buf = malloc(len);
	back = malloc(len);
	ASSERT_TRUE(buf && back);
	for (i = 0; i < len; i++)
		buf[i] = (char)(i * 7 + 1);
	fi_begin(_metadata, &self->fi);
	for (n = 1; ; n++) {
		fd = fresh_fd(_metadata, &self->c);
		fi_arm(_metadata, &self->fi, n);
		w = pwrite(fd, buf, len, pg);
		e = errno;
		left = nth_disarm(self->fi.nth_fd);
		if (w == (ssize_t)len)
			tally(&self->fi.tally, "ok");
		else if (w > 0)
			tally(&self->fi.tally, "short");
		else
			tally(&self->fi.tally,
			      w ? mt_errno_name(e) : "0 bytes");
		ASSERT_TRUE(w > 0 || (w < 0 && (e == ENOMEM || e == EFAULT)))
			TH_LOG("fail-nth %u: pwrite of %zu bytes returned %zd (%s), want bytes, ENOMEM or EFAULT",
			       n, len, w, w < 0 ? strerror(e) : "no error");
		/* what was written reads back; the rest can be written now */
		if (w > 0) {
			ASSERT_EQ(w, pread(fd, back, w, pg));
			ASSERT_EQ(0, memcmp(buf, back, w))
				TH_LOG("fail-nth %u: the %zd bytes written do not read back",
				       n, w);
		}
		ASSERT_EQ((ssize_t)len, pwrite(fd, buf, len, pg))
			TH_LOG("fail-nth %u: pwrite again: %s", n,
			       strerror(errno));
		mt_ctx_close(&self->c, fd);
		if (fi_done(_metadata, &self->fi, n, left, w == (ssize_t)len))
			break;
	}
	free(buf);
	free(back);
	fi_report(_metadata, &self->fi, "write", NULL);
}

/* ---- the fault-around fill ---------------------------------------------- */

/*
 * The pages mmap_test_fill_around() creates for a read fault at @addr of
 * the mapping [@p, @p + @len): the 64 KiB block of @addr (by address, at
 * least a page) and the next two, within the mapping.
 */
static unsigned long fill_pages(char *p, size_t len, char *addr)
{
	uintptr_t size = pg > 65536 ? pg : 65536;
	uintptr_t block = (uintptr_t)addr & ~(size - 1);
	uintptr_t start = block > (uintptr_t)p ? block : (uintptr_t)p;
	uintptr_t end = (uintptr_t)p + len;

	if (block + 3 * size < end)
		end = block + 3 * size;
	return (end - start) / pg;
}

TEST_F_TIMEOUT(faultinject, site_fault_around, FI_TIMEOUT)
{
	size_t len = AROUND_PAGES * pg;
	unsigned int n, cut = 0;
	unsigned long i, want, got;
	char extra[64], v = 1;
	struct mt_fault f;
	long left;
	char *p;
	int fd, sig, first;

	if (too_small(_metadata, &self->c, AROUND_PAGES))
		return;
	fi_begin(_metadata, &self->fi);
	for (n = 1; ; n++) {
		fd = fresh_fd(_metadata, &self->c);
		p = fresh_map(_metadata, &self->c, fd, len, PROT_READ);
		fi_arm(_metadata, &self->fi, n);
		sig = mt_mem_touch(p + AROUND_TOUCH * pg, MT_ACCESS_READ, 0,
				   &v, &f);
		left = nth_disarm(self->fi.nth_fd);
		ASSERT_TRUE(sig == 0 || sig == SIGBUS)
			TH_LOG("fail-nth %u: the read fault got signal %d at %p",
			       n, sig, f.addr);
		if (!sig)
			ASSERT_EQ(0, v) TH_LOG("fail-nth %u: read %#x from a new page",
					       n, (unsigned char)v);
		tally(&self->fi.tally, sig ? "SIGBUS" : "ok");
		first = sig;
		/*
		 * A fill that stopped early created fewer buffer pages than
		 * it covers (with huge=1 a page brings its whole folio).
		 */
		want = fill_pages(p, len, p + AROUND_TOUCH * pg);
		got = mt_ctx_stats(_metadata, fd).pages;
		cut += got < want;
		/* not injected, every page of the mapping reads right */
		for (i = 0; i < AROUND_PAGES; i++) {
			sig = mt_mem_touch(p + i * pg, MT_ACCESS_READ, 0, &v,
					   &f);
			ASSERT_EQ(0, sig) TH_LOG("fail-nth %u: reading page %lu afterwards: signal %d",
						 n, i, sig);
			ASSERT_EQ(i ? 0 : MMAP_TEST_GREETING[0], v)
				TH_LOG("fail-nth %u: page %lu reads %#x afterwards",
				       n, i, (unsigned char)v);
		}
		mt_ctx_unmap(&self->c, p, len);
		mt_ctx_close(&self->c, fd);
		if (fi_done(_metadata, &self->fi, n, left, !first))
			break;
	}
	EXPECT_LE(want, got)
		TH_LOG("not injected, the fill created %lu pages, want %lu",
		       got, want);
	snprintf(extra, sizeof(extra), " (fill cut short: %u)", cut);
	fi_report(_metadata, &self->fi, "fault_around", extra);
}

/* ---- a large folio (huge=1) ------------------------------------------- */

TEST_F_TIMEOUT(faultinject, site_huge_folio, FI_TIMEOUT)
{
	unsigned long pmd, pages;
	char v[64], name[24];
	struct mt_fault f;
	unsigned int n;
	long left, kb;
	char *p;
	int fd, sig;

	if (read_line(HUGE_PARAM, v, sizeof(v)))
		snprintf(v, sizeof(v), "unreadable");
	if (strcmp(v, "Y"))
		SKIP(return, "the module was not loaded with huge=1 (%s is '%s')",
		     HUGE_PARAM, v);
	if (read_line(PMD_SIZE_FILE, v, sizeof(v)))
		SKIP(return, "no %s: the kernel has no THP", PMD_SIZE_FILE);
	pmd = strtoul(v, NULL, 10);
	ASSERT_NE(0UL, pmd);
	if (self->c.bp * pg < pmd)
		SKIP(return, "the buffer holds no PMD: buffer_pages %lu * %lu < hpage_pmd_size %lu",
		     self->c.bp, pg, pmd);
	fi_begin(_metadata, &self->fi);
	for (n = 1; ; n++) {
		fd = fresh_fd(_metadata, &self->c);
		p = fresh_map(_metadata, &self->c, fd, pmd,
			      PROT_READ | PROT_WRITE);
		ASSERT_EQ(0UL, (uintptr_t)p % pmd)
			TH_LOG("%p: get_unmapped_area did not align a PMD-size mapping",
			       p);
		fi_arm(_metadata, &self->fi, n);
		sig = mt_mem_touch(p + pg, MT_ACCESS_WRITE, 'h', NULL, &f);
		left = nth_disarm(self->fi.nth_fd);
		ASSERT_TRUE(sig == 0 || sig == SIGBUS)
			TH_LOG("fail-nth %u: the write fault got signal %d at %p",
			       n, sig, f.addr);
		/* PMD-mapped, or the folio it fell back to */
		kb = file_pmd_kb(p);
		pages = mt_ctx_stats(_metadata, fd).pages;
		if (sig)
			snprintf(name, sizeof(name), "SIGBUS");
		else if (kb == (long)(pmd / 1024))
			snprintf(name, sizeof(name), "ok-pmd");
		else
			snprintf(name, sizeof(name), "ok-pte-%lup", pages);
		tally(&self->fi.tally, name);
		sig = mt_mem_touch(p + pg, MT_ACCESS_WRITE, 'h', NULL, &f);
		ASSERT_EQ(0, sig) TH_LOG("fail-nth %u: the write fault again: signal %d",
					 n, sig);
		mt_ctx_unmap(&self->c, p, pmd);
		mt_ctx_close(&self->c, fd);
		if (fi_done(_metadata, &self->fi, n, left,
			    !strcmp(name, "ok-pmd")))
			break;
	}
	fi_report(_metadata, &self->fi, "huge_folio",
		  " (ok-pte-<n>p: PTE-mapped, a folio of n pages)");
}

/* ---- IOCTL_ALLOC_VMA's vm_mmap() ---------------------------------------- */

TEST_F_TIMEOUT(faultinject, site_alloc_vm_mmap, FI_TIMEOUT)
{
	struct mmap_test_vma_report r;
	struct mmap_test_alloc a;
	size_t len = 4 * pg;
	char name[32];
	unsigned int n;
	long left;
	char *hole;
	int ret;

	if (too_small(_metadata, &self->c, 4))
		return;
	fi_begin(_metadata, &self->fi);
	for (n = 1; ; n++) {
		hole = find_hole(4);
		ASSERT_NE(NULL, hole);
		fi_arm(_metadata, &self->fi, n);
		ret = mt_ioctl_alloc(self->c.fd, p2u(hole), len, 0,
				     PROT_READ | PROT_WRITE, MMAP_TEST_SHARED,
				     &a);
		left = nth_disarm(self->fi.nth_fd);
		if (!ret) {
			ASSERT_NE(0ULL, a.mapped);
			ASSERT_EQ(0, mt_ioctl_free(self->c.fd, a.mapped, len));
			tally(&self->fi.tally, "ok");
		} else {
			/*
			 * A copy-out that fails after vm_mmap() leaves the
			 * new mapping (see mmap_test_alloc()): at the hint.
			 */
			snprintf(name, sizeof(name), "%s", mt_errno_name(ret));
			r = mt_ctx_query(_metadata, self->c.fd, p2u(hole));
			if (r.contains &&
			    r.backing == MMAP_TEST_BACKING_DEVICE) {
				strcat(name, "+mapped");
				ASSERT_EQ(0, mt_ioctl_free(self->c.fd,
							   p2u(hole), len));
			}
			tally(&self->fi.tally, name);
		}
		if (fi_done(_metadata, &self->fi, n, left, !ret))
			break;
	}
	fi_report(_metadata, &self->fi, "alloc_vm_mmap",
		  " (+mapped: the call failed after vm_mmap() mapped)");
}

/*
 * Before main(): a kernel without fault injection has nothing to test
 * here: "1..0 # SKIP <why>" and exit 4 (KSFT_SKIP), never a pass (-h and
 * -l work anyway).  glibc hands ELF constructors the program's arguments.
 */
static void __attribute__((constructor))
fi_need_fault_injection(int argc, char **argv)
{
	const char *why;
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "-l"))
			return;
	why = fi_missing();
	if (!why)
		return;
	printf("TAP version 13\n1..0 # SKIP %s\n", why);
	fflush(stdout);
	_exit(KSFT_SKIP);
}

TEST_HARNESS_MAIN
