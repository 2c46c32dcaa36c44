// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-bench - measure /dev/mmap-test against the kernel's own mmap paths
 *
 * Usage: mmap-test-bench [options]
 *
 * Run as root with mmap_test.ko loaded with buffer_pages >= what
 * "mmap-test-bench --need-pages" prints for the same options, and optionally the
 * reference driver test/refdrv/mmap_test_ref.ko (same buffer_pages).
 * Groups (--only):
 *
 *   faults     cold faults (fresh mapping; device: fresh fd, so buffer pages
 *              are allocated on first touch as shmem's are): sequential
 *              read, sequential write, random read over --pages pages on
 *              anon private (THP and nohugepage), shmem shared, memfd with
 *              MADV_HUGEPAGE (shmem THP), hugetlb, device private, device
 *              shared, and the reference driver (vmf_insert_pfn() in
 *              ->fault; prefault of the whole range at mmap time)
 *   warm       a second mapping of pages that exist already: device
 *              shared/private against a filled memfd mapped again
 *   populate   the populate call itself and the touch after it
 *   syscalls   ALLOC_VMA + FREE_VMA (log_calls on, and off: the sysfs
 *              parameter is toggled between chunks) against mmap + munmap
 *              of the same fd, with context rows
 *   fork       fork + _exit + waitpid with a populated --pages mapping:
 *              device shared, memfd shared, anon private nohugepage
 *   teardown   munmap + close of a populated mapping: device vs memfd
 *   scaling    cold write-touch of one mapping by 1 thread and by 2
 *              threads (on 2 CPUs): device shared vs shmem shared
 *   growth     per-page fault cost of cold device shared mappings of
 *              --sizes MiB (default 1,16,256,1024)
 *   vmas       ALLOC_VMA, FREE_VMA and mmap(2) cost with --vmas extra VMAs
 *              (default 10,1000,10000,50000)
 *   huge       cold write-touch of a device shared mapping with the module
 *              loaded with huge=1 vs anon private MADV_HUGEPAGE; the module
 *              must be loaded so (scripts/guest/bench.sh runs it alone
 *              with --huge-export, the main run --huge-import)
 *
 * Method.  Every group runs R repeats (--repeats, >= 9) after one untimed
 * warm-up.  In each repeat every variant of the group runs, interleaved
 * (faults in turns of 512 pages, calls in batches of 50), and the order of
 * the variants rotates by one from a repeat to the next.  A fault row's
 * value for a repeat is the whole touch: mmap plus every chunk, divided by
 * the pages (the median chunk is kept as a secondary column).  Per-call rows
 * time batches of 50 calls per timestamp pair and take the median batch.
 * A goal is the median of the per-repeat *paired* ratios (same repeat),
 * with a 95% percentile-bootstrap confidence interval of that median; it is
 * "met" when the whole interval is on the good side of the limit, "NOT met"
 * when the whole interval is past it, "inconclusive" otherwise.
 *
 * Output: an environment block and the table on stdout between
 * BENCH-TABLE-BEGIN and BENCH-TABLE-END, one fixed-format line per goal
 *   BENCH-SUMMARY goal=KEY verdict=met|NOT-met|inconclusive|n/a ratio=R ci=LO..HI limit=<=L|>=L
 * and a total line, then JSON between BENCH-JSON-BEGIN and BENCH-JSON-END
 * (or into --json FILE).  Progress goes to stderr as "mmap-test-bench: ...".
 * Exit status: 0 when everything ran (whatever the verdicts: the gate is
 * scripts/bench.sh's BENCH_STRICT=1), 1 on an error, 2 on bad usage.
 *
 * Options:
 *   --pages N        pages per fault, fork, teardown figure (default 16384)
 *   --repeats R      repeats per figure, 9..64 (default 11)
 *   --big-repeats R  repeats for growth sizes >= 512 MiB (default: R)
 *   --calls N        calls per repeat for per-call figures (default 2000)
 *   --sizes LIST     growth sizes in MiB (default 1,16,256,1024)
 *   --vmas LIST      extra VMA counts (default 10,1000,10000,50000)
 *   --only LIST      groups to run (default: all)
 *   --quick          development run: --pages 4096 --repeats 9 --calls 500
 *                    --sizes 1,16,64 --vmas 10,1000,10000
 *   --host-load S    the host's load average before the run (a string)
 *   --emulated       say that the machine is emulated (qemu TCG)
 *   --json FILE      write the JSON to FILE instead of stdout
 *   --device PATH    default /dev/mmap-test
 *   --cpu N          pin to CPU N (default: the CPU we start on; -1: no)
 *   --need-pages     print the buffer_pages the options need and exit
 */

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/mmap_test.h>
#include "mmap_test_util.h"

#ifndef MAP_HUGETLB
#define MAP_HUGETLB	0x40000
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC	0x0001U
#endif

#define MAX_REPEATS	64
#define MIN_REPEATS	9
#define MAX_FIGS	160
#define MAX_LIST	16
#define MAX_GOALS	24
#define BOOT_N		4000
#define BATCH		50	/* calls per timestamp pair */

#define REF_DEVICE		"/dev/mmap-test-ref"
#define REF_PREFAULT_DEVICE	"/dev/mmap-test-ref-prefault"
#define LOG_CALLS_PARAM		"/sys/module/mmap_test/parameters/log_calls"
#define SHMEM_ENABLED		"/sys/kernel/mm/transparent_hugepage/shmem_enabled"
#define NR_HUGEPAGES		"/proc/sys/vm/nr_hugepages"

enum group {
	G_FAULTS	= 1 << 0,
	G_WARM		= 1 << 1,
	G_POPULATE	= 1 << 2,
	G_SYSCALLS	= 1 << 3,
	G_FORK		= 1 << 4,
	G_TEARDOWN	= 1 << 5,
	G_SCALING	= 1 << 6,
	G_GROWTH	= 1 << 7,
	G_VMAS		= 1 << 8,
	G_HUGE		= 1 << 9,
	G_ALL		= 0x3ff,
};

static const char * const group_names[] = {
	"faults", "warm", "populate", "syscalls", "fork", "teardown",
	"scaling", "growth", "vmas", "huge",
};

enum pattern { SEQ_READ, SEQ_WRITE, RAND_READ };

static const char * const pattern_names[] = {
	[SEQ_READ]	= "seq-read",
	[SEQ_WRITE]	= "seq-write",
	[RAND_READ]	= "rand-read",
};

static const char * const pattern_keys[] = {
	[SEQ_READ]	= "seq_read",
	[SEQ_WRITE]	= "seq_write",
	[RAND_READ]	= "rand_read",
};

enum kind {
	K_ANON_PRIVATE,
	K_ANON_NOHUGE,
	K_SHMEM_SHARED,
	K_MEMFD_THP,
	K_HUGETLB,
	K_DEV_PRIVATE,
	K_DEV_SHARED,
	K_REF_FAULT,
	K_REF_PREFAULT,
	K_MEMFD_SHARED,
	K_MEMFD_PRIVATE,
	K_ANON_THP,
	NR_KINDS,
};

static const char * const kind_names[] = {
	[K_ANON_PRIVATE]	= "anon private",
	[K_ANON_NOHUGE]		= "anon private nohugepage",
	[K_SHMEM_SHARED]	= "shmem shared",
	[K_MEMFD_THP]		= "memfd shared MADV_HUGEPAGE",
	[K_HUGETLB]		= "hugetlb shared",
	[K_DEV_PRIVATE]		= "device private",
	[K_DEV_SHARED]		= "device shared",
	[K_REF_FAULT]		= "ref drv vmf_insert_pfn",
	[K_REF_PREFAULT]	= "ref drv prefault at mmap",
	[K_MEMFD_SHARED]	= "memfd shared",
	[K_MEMFD_PRIVATE]	= "memfd private",
	[K_ANON_THP]		= "anon private MADV_HUGEPAGE",
};

static const char * const kind_keys[] = {
	[K_ANON_PRIVATE]	= "anon_private",
	[K_ANON_NOHUGE]		= "anon_private_nohuge",
	[K_SHMEM_SHARED]	= "shmem_shared",
	[K_MEMFD_THP]		= "memfd_thp",
	[K_HUGETLB]		= "hugetlb",
	[K_DEV_PRIVATE]		= "dev_private",
	[K_DEV_SHARED]		= "dev_shared",
	[K_REF_FAULT]		= "ref_fault",
	[K_REF_PREFAULT]	= "ref_prefault",
	[K_MEMFD_SHARED]	= "memfd_shared",
	[K_MEMFD_PRIVATE]	= "memfd_private",
	[K_ANON_THP]		= "anon_thp",
};

/* Why a kind cannot run here; empty: it can. */
static char kind_na[NR_KINDS][96];

/* One repeat of one variant: times and fault counts, per unit. */
struct sample {
	double ns;		/* primary: whole touch, or median batch */
	double ns2;		/* secondary: median chunk; < 0: none */
	double minflt;
	double faults;
	double around;
};

struct fig {
	char key[64];
	char group[16];
	char label[72];
	const char *unit;
	int n;
	double v[MAX_REPEATS];	/* per repeat, in repeat order */
	double med, min, max;
	double med2;		/* median of the secondary values; < 0: none */
	double minflt;		/* per unit, mean over repeats; < 0: n/a */
	double faults;		/* device GET_STATS faults per unit; < 0: n/a */
	double around;		/* device pages_around per unit; < 0: n/a */
	char note[64];
	char na[96];		/* not measured, and why */
};

enum verdict { V_NA, V_MET, V_NOT_MET, V_INCONCLUSIVE };

static const char * const verdict_names[] = {
	[V_NA]			= "n/a",
	[V_MET]			= "met",
	[V_NOT_MET]		= "NOT met",
	[V_INCONCLUSIVE]	= "inconclusive",
};

static const char * const verdict_keys[] = {
	[V_NA]			= "n/a",
	[V_MET]			= "met",
	[V_NOT_MET]		= "NOT-met",
	[V_INCONCLUSIVE]	= "inconclusive",
};

struct goal {
	char key[32];
	char text[80];
	char detail[128];
	char na[96];
	double limit;
	int ge;			/* 1: good when ratio >= limit */
	double lo2, hi2;	/* band goals: good inside [lo2, hi2] */
	int band;
	double ratio, ci_lo, ci_hi;
	int n;
	double q[MAX_REPEATS];	/* the per-repeat paired ratios */
	enum verdict verdict;
};

static struct {
	unsigned long pages;
	int repeats;
	int big_repeats;
	unsigned long calls;
	unsigned long sizes[MAX_LIST];	/* MiB */
	int nr_sizes;
	unsigned long vmas[MAX_LIST];
	int nr_vmas;
	unsigned int groups;
	int emulated;
	const char *json;
	const char *device;
	const char *host_load;
	int cpu;
	const char *huge_export;	/* huge group: write its samples here */
	const char *huge_import;	/* huge group: its samples from here */
} opt = {
	.pages		= 16384,
	.repeats	= 11,
	.big_repeats	= 0,
	.calls		= 2000,
	.sizes		= { 1, 16, 256, 1024 },
	.nr_sizes	= 4,
	.vmas		= { 10, 1000, 10000, 50000 },
	.nr_vmas	= 4,
	.groups		= G_ALL,
	.device		= MMAP_TEST_DEVICE,
	.host_load	= "unknown",
	.cpu		= -2,
};

static struct fig figs[MAX_FIGS];
static int nr_figs;
static struct goal goals[MAX_GOALS];
static int nr_goals;
static long page_size;
static unsigned long *perm;	/* random page order, opt.pages entries */
static volatile unsigned long sink;
static char big_note[96];

/* The environment of the run (see read_env()). */
static struct {
	char thp[32];
	char thp_defrag[32];
	char shmem[32];		/* shmem_enabled as found */
	char shmem_run[32];	/* shmem_enabled during the run */
	char clocksource[32];
	char fault_around[32];
	char params[256];	/* mmap_test's module parameters */
	char ref_params[64];
	char load_before[64];
	char load_after[64];
	char mem[64];
	long hugepage_kb;
	long nr_hugepages;	/* as found */
	long nr_hugepages_run;
	int cpus;
	int pinned;
	double timer_ns;	/* one clock_gettime() */
	int log_calls_rw;	/* the log_calls parameter can be toggled */
	char log_calls0[8];	/* its value as found */
} env;

/* Read the first line of @path into @buf ("" when unreadable). */
static void read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return;
	if (fgets(buf, n, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* The bracketed word of a sysfs "a [b] c" file, or its first line. */
static void read_setting(const char *path, char *buf, size_t n)
{
	char line[256], *a, *b;

	read_line(path, line, sizeof(line));
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

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, s, strlen(s));
	close(fd);
	return w == (ssize_t)strlen(s) ? 0 : -1;
}

static void progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mmap-test-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void restore_env(void);

static void __attribute__((noreturn)) fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mmap-test-bench: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	restore_env();
	printf("BENCH-ERROR\n");
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long minflt_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

static int open_dev(void)
{
	int fd = open(opt.device, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fail("open %s: %s (is mmap_test.ko loaded? are you root?)",
		     opt.device, strerror(errno));
	return fd;
}

static int open_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fail("open %s: %s", path, strerror(errno));
	return fd;
}

static void get_stats(int fd, struct mmap_test_stats *st)
{
	int ret = mt_ioctl(fd, IOCTL_GET_STATS, st);

	if (ret)
		fail("IOCTL_GET_STATS: %s", strerror(-ret));
}

/* The per-file buffer size of the loaded module, in pages. */
static unsigned long dev_buffer_pages(void)
{
	struct mmap_test_stats st;
	int fd = open_dev();

	get_stats(fd, &st);
	close(fd);
	return st.buffer_pages;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n values; @v is left sorted. */
static double median_of(double *v, unsigned long n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median of @n values, @v untouched. */
static double median_copy(const double *v, int n)
{
	double s[MAX_REPEATS];

	memcpy(s, v, n * sizeof(*v));
	return median_of(s, n);
}

static unsigned long xorshift(unsigned long *s)
{
	unsigned long x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/*
 * The median of @q[0..@n) and its 95% percentile-bootstrap interval:
 * BOOT_N resamples with replacement (a fixed seed: the same data give the
 * same interval).
 */
static void bootstrap_median(const double *q, int n, double *med,
			     double *lo, double *hi)
{
	static double meds[BOOT_N];
	unsigned long seed = 0x2545f4914f6cdd1dUL;
	double s[MAX_REPEATS];
	int b, i;

	*med = median_copy(q, n);
	for (b = 0; b < BOOT_N; b++) {
		for (i = 0; i < n; i++)
			s[i] = q[xorshift(&seed) % n];
		meds[b] = median_of(s, n);
	}
	qsort(meds, BOOT_N, sizeof(meds[0]), cmp_double);
	*lo = meds[(int)(0.025 * BOOT_N)];
	*hi = meds[(int)(0.975 * BOOT_N) - 1];
}

static struct fig *find_fig(const char *key)
{
	int i;

	for (i = 0; i < nr_figs; i++)
		if (!strcmp(figs[i].key, key))
			return &figs[i];
	return NULL;
}

static struct fig *new_fig(const char *group, const char *key,
			   const char *label, const char *unit)
{
	struct fig *f;

	if (nr_figs == MAX_FIGS)
		fail("too many figures");
	f = &figs[nr_figs++];
	memset(f, 0, sizeof(*f));
	snprintf(f->key, sizeof(f->key), "%s", key);
	snprintf(f->group, sizeof(f->group), "%s", group);
	snprintf(f->label, sizeof(f->label), "%s", label);
	f->unit = unit;
	f->med2 = -1;
	f->minflt = -1;
	f->faults = -1;
	f->around = -1;
	return f;
}

/* A row that could not be measured here, with the reason. */
static void add_na(const char *group, const char *key, const char *label,
		   const char *unit, const char *why)
{
	struct fig *f = new_fig(group, key, label, unit);

	snprintf(f->na, sizeof(f->na), "%s", why);
}

/*
 * Record a figure from @n samples (in repeat order); @dev: the device's
 * fault columns apply; @flt: the minflt column applies.
 */
static struct fig *add_fig(const char *group, const char *key,
			   const char *label, const char *unit,
			   const struct sample *s, int n, int dev, int flt)
{
	struct fig *f = new_fig(group, key, label, unit);
	double sorted[MAX_REPEATS], sec[MAX_REPEATS];
	int i, nsec = 0;

	f->n = n;
	f->minflt = flt ? 0 : -1;
	f->faults = dev ? 0 : -1;
	f->around = dev ? 0 : -1;
	for (i = 0; i < n; i++) {
		f->v[i] = s[i].ns;
		sorted[i] = s[i].ns;
		if (s[i].ns2 >= 0)
			sec[nsec++] = s[i].ns2;
		if (flt)
			f->minflt += s[i].minflt / n;
		if (dev) {
			f->faults += s[i].faults / n;
			f->around += s[i].around / n;
		}
	}
	qsort(sorted, n, sizeof(sorted[0]), cmp_double);
	f->min = sorted[0];
	f->max = sorted[n - 1];
	f->med = n % 2 ? sorted[n / 2] :
		 (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	if (nsec == n)
		f->med2 = median_of(sec, nsec);
	return f;
}

/* Variant @i of @nv in repeat @r: the order rotates by one per repeat. */
static int rot(int i, int r, int nv)
{
	return (i + r) % nv;
}

/* ------------------------------------------------------------------ */
/* Touching pages */

static void make_perm(unsigned long n)
{
	unsigned long i, seed = 0x9e3779b97f4a7c15UL;

	perm = malloc(n * sizeof(*perm));
	if (!perm)
		fail("out of memory");
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		unsigned long j = xorshift(&seed) % (i + 1);
		unsigned long t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
}

/*
 * Touch one byte of each of the pages [@first, @first + @n) of @p (for
 * RAND_READ: the pages perm[@first..]); return the elapsed ns.
 */
static double touch_range(char *p, unsigned long first, unsigned long n,
			  enum pattern pat)
{
	volatile char *v = p;
	unsigned long i, end = first + n, sum = 0;
	double t0, t1;

	t0 = now_ns();
	switch (pat) {
	case SEQ_READ:
		for (i = first; i < end; i++)
			sum += v[i * page_size];
		break;
	case SEQ_WRITE:
		for (i = first; i < end; i++)
			v[i * page_size] = (char)i;
		break;
	case RAND_READ:
		for (i = first; i < end; i++)
			sum += v[perm[i] * page_size];
		break;
	}
	t1 = now_ns();
	sink += sum;
	return t1 - t0;
}

static double touch(char *p, unsigned long n, enum pattern pat)
{
	return touch_range(p, 0, n, pat);
}

static int kind_is_dev(enum kind k)
{
	return k == K_DEV_PRIVATE || k == K_DEV_SHARED;
}

/* Kinds that map an fd of their own, opened per mapping when none given. */
static int kind_has_fd(enum kind k)
{
	return kind_is_dev(k) || k == K_REF_FAULT || k == K_REF_PREFAULT ||
	       k == K_MEMFD_THP;
}

static int make_memfd_empty(unsigned long len)
{
	int fd = memfd_create("mmap-test-bench", MFD_CLOEXEC);

	if (fd < 0)
		fail("memfd_create: %s", strerror(errno));
	if (ftruncate(fd, len))
		fail("ftruncate memfd: %s", strerror(errno));
	return fd;
}

/* A fresh fd for kind @k, for a mapping of @len bytes. */
static int open_kind(enum kind k, unsigned long len)
{
	switch (k) {
	case K_REF_FAULT:
		return open_path(REF_DEVICE);
	case K_REF_PREFAULT:
		return open_path(REF_PREFAULT_DEVICE);
	case K_MEMFD_THP:
		return make_memfd_empty(len);
	default:
		return open_dev();
	}
}

/* mmap() @len bytes of kind @k; NULL with errno on failure. */
static char *try_map_kind(enum kind k, int fd, unsigned long len, int extra)
{
	int flags = extra;
	void *p;

	switch (k) {
	case K_ANON_PRIVATE:
	case K_ANON_NOHUGE:
	case K_ANON_THP:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		fd = -1;
		break;
	case K_SHMEM_SHARED:
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		fd = -1;
		break;
	case K_HUGETLB:
		flags |= MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB;
		fd = -1;
		break;
	case K_DEV_SHARED:
	case K_MEMFD_SHARED:
	case K_MEMFD_THP:
	case K_REF_FAULT:
	case K_REF_PREFAULT:
		flags |= MAP_SHARED;
		break;
	case K_DEV_PRIVATE:
	case K_MEMFD_PRIVATE:
		flags |= MAP_PRIVATE;
		break;
	default:
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (k == K_ANON_NOHUGE && madvise(p, len, MADV_NOHUGEPAGE))
		fail("madvise MADV_NOHUGEPAGE: %s", strerror(errno));
	if (k == K_ANON_THP && madvise(p, len, MADV_HUGEPAGE))
		fail("madvise MADV_HUGEPAGE: %s", strerror(errno));
	if (k == K_MEMFD_THP && madvise(p, len, MADV_HUGEPAGE))
		fail("madvise MADV_HUGEPAGE: %s", strerror(errno));
	return p;
}

static char *map_kind(enum kind k, int fd, unsigned long len, int extra)
{
	char *p = try_map_kind(k, fd, len, extra);

	if (!p)
		fail("mmap %s of %lu bytes: %s", kind_names[k], len,
		     strerror(errno));
	return p;
}

/*
 * Time one touch of @nv mappings of @n pages at a time, of kinds @kinds
 * (for kinds with an fd: on @fds[i], or a fresh one when it is < 0),
 * touched in turns of TOUCH_CHUNK pages so that a burst of host load hits
 * every variant alike; @r rotates the order.  A variant's primary value is
 * the whole touch, mmap() included (the prefault driver works there), per
 * page; the secondary is its median chunk.  512 pages make every chunk
 * alike: one 2 MiB boundary (THP), whole fault-around windows.
 */
#define TOUCH_CHUNK	512
#define MAX_SET		12

static void touch_set(const enum kind *kinds, const int *fds, int nv,
		      unsigned long n, enum pattern pat, int r,
		      struct sample *out)
{
	unsigned long c, nc = (n + TOUCH_CHUNK - 1) / TOUCH_CHUNK;
	struct mmap_test_stats st0[MAX_SET], st1;
	int fd[MAX_SET], own[MAX_SET];
	long flt[MAX_SET] = { 0 };
	double whole[MAX_SET];
	double *cns[MAX_SET];
	char *p[MAX_SET];
	int j, i;

	for (j = 0; j < nv; j++) {
		double t0;
		long f0;

		i = rot(j, r, nv);
		cns[i] = calloc(nc, sizeof(double));
		if (!cns[i])
			fail("out of memory");
		fd[i] = fds ? fds[i] : -1;
		own[i] = kind_has_fd(kinds[i]) && fd[i] < 0;
		if (own[i])
			fd[i] = open_kind(kinds[i], n * page_size);
		if (kind_is_dev(kinds[i]))
			get_stats(fd[i], &st0[i]);
		f0 = minflt_now();
		t0 = now_ns();
		p[i] = map_kind(kinds[i], fd[i], n * page_size, 0);
		whole[i] = now_ns() - t0;
		flt[i] = minflt_now() - f0;
	}
	for (c = 0; c < nc; c++) {
		unsigned long first = c * TOUCH_CHUNK;
		unsigned long cnt = n - first < TOUCH_CHUNK ? n - first :
							      TOUCH_CHUNK;

		for (j = 0; j < nv; j++) {
			long f0 = minflt_now();
			double t;

			i = rot(j, r, nv);
			t = touch_range(p[i], first, cnt, pat);
			whole[i] += t;
			cns[i][c] = t / cnt;
			flt[i] += minflt_now() - f0;
		}
	}
	for (i = 0; i < nv; i++) {
		out[i].ns = whole[i] / n;
		out[i].ns2 = median_of(cns[i], nc);
		out[i].minflt = (double)flt[i] / n;
		if (kind_is_dev(kinds[i])) {
			get_stats(fd[i], &st1);
			out[i].faults = (double)(st1.faults - st0[i].faults) /
					n;
			out[i].around = (double)(st1.pages_around -
						 st0[i].pages_around) / n;
		}
		munmap(p[i], n * page_size);
		if (own[i])
			close(fd[i]);
		free(cns[i]);
	}
}

/* ------------------------------------------------------------------ */
/* Groups */

/*
 * Samples of up to MAX_VARIANTS variants: samples[variant][repeat], repeat
 * 0 being the warm-up.
 */
#define MAX_VARIANTS	(3 * MAX_LIST)
static struct sample samples[MAX_VARIANTS][MAX_REPEATS + 1];

static void clear_samples(void)
{
	int i, r;

	for (i = 0; i < MAX_VARIANTS; i++)
		for (r = 0; r <= MAX_REPEATS; r++) {
			memset(&samples[i][r], 0, sizeof(samples[i][r]));
			samples[i][r].ns2 = -1;
		}
}

/* Can kind @k be mapped here?  Sets kind_na[k] when not. */
static void probe_kind(enum kind k, unsigned long n)
{
	unsigned long len = n * page_size;
	int fd = -1;
	char *p;

	kind_na[k][0] = 0;
	if (k == K_REF_FAULT || k == K_REF_PREFAULT) {
		const char *path = k == K_REF_FAULT ? REF_DEVICE :
				   REF_PREFAULT_DEVICE;

		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			snprintf(kind_na[k], sizeof(kind_na[k]),
				 "n/a (%s: %s; mmap_test_ref.ko not loaded)",
				 path, strerror(errno));
			return;
		}
		close(fd);
		return;
	}
	if (k == K_MEMFD_THP) {
		if (strcmp(env.shmem_run, "advise") &&
		    strcmp(env.shmem_run, "always") &&
		    strcmp(env.shmem_run, "within_size") &&
		    strcmp(env.shmem_run, "force"))
			snprintf(kind_na[k], sizeof(kind_na[k]),
				 "n/a (shmem THP unavailable: shmem_enabled is '%s')",
				 env.shmem_run);
		return;
	}
	if (k != K_HUGETLB)
		return;
	p = try_map_kind(k, -1, len, 0);
	if (!p) {
		snprintf(kind_na[k], sizeof(kind_na[k]),
			 "n/a (MAP_HUGETLB of %lu MiB: %s; vm.nr_hugepages=%ld)",
			 len >> 20, strerror(errno), env.nr_hugepages_run);
		return;
	}
	munmap(p, len);
}

static void bench_cold(void)
{
	static const enum kind all[] = {
		K_ANON_PRIVATE, K_ANON_NOHUGE, K_SHMEM_SHARED, K_MEMFD_THP,
		K_HUGETLB, K_DEV_PRIVATE, K_DEV_SHARED, K_REF_FAULT,
		K_REF_PREFAULT,
	};
	enum kind kinds[MAX_SET];
	char key[64], label[72];
	int nk = 0, pat, r, k, a;

	for (a = 0; a < (int)MT_ARRAY_SIZE(all); a++) {
		probe_kind(all[a], opt.pages);
		if (!kind_na[all[a]][0])
			kinds[nk++] = all[a];
	}
	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		struct sample out[MAX_SET];

		progress("cold faults: %s %d of %d", r ? "repeat" : "warm-up",
			 r, opt.repeats);
		for (pat = SEQ_READ; pat <= RAND_READ; pat++) {
			touch_set(kinds, NULL, nk, opt.pages, pat, r, out);
			for (k = 0; k < nk; k++)
				samples[pat * nk + k][r] = out[k];
		}
	}
	for (pat = SEQ_READ; pat <= RAND_READ; pat++) {
		k = 0;
		for (a = 0; a < (int)MT_ARRAY_SIZE(all); a++) {
			enum kind kd = all[a];

			snprintf(key, sizeof(key), "cold.%s.%s",
				 pattern_keys[pat], kind_keys[kd]);
			snprintf(label, sizeof(label), "cold %-9s %s",
				 pattern_names[pat], kind_names[kd]);
			if (kind_na[kd][0]) {
				add_na("faults", key, label, "ns/page",
				       kind_na[kd]);
				continue;
			}
			add_fig("faults", key, label, "ns/page",
				samples[pat * nk + k] + 1, opt.repeats,
				kind_is_dev(kd), 1);
			k++;
		}
	}
}

/*
 * Huge device mappings: cold seq write-touch of a device shared mapping
 * with the module loaded with huge=1 (PMD-size folios, one fault per PMD)
 * against anon private MADV_HUGEPAGE (THP), interleaved, paired per
 * repeat.  The module is loaded without huge=1 for the other groups, so
 * scripts/guest/bench.sh runs this group alone first, with the module
 * reloaded with huge=1 and --huge-export FILE (the samples, or "na WHY"
 * when the module refused huge=1), then the whole bench with
 * --huge-import FILE, whose huge rows and goal come from that file.
 */
#define HUGE_PARAM	"/sys/module/mmap_test/parameters/huge"
#define HUGE_DEV	0
#define HUGE_ANON	1

static void huge_figs(const char *na)
{
	static const char * const keys[] = {
		[HUGE_DEV] = "huge.seq_write.dev_shared",
		[HUGE_ANON] = "huge.seq_write.anon_thp",
	};
	static const char * const labels[] = {
		[HUGE_DEV] = "cold seq write device shared huge=1",
		[HUGE_ANON] = "cold seq write anon private MADV_HUGEPAGE",
	};
	int k;

	for (k = HUGE_DEV; k <= HUGE_ANON; k++) {
		if (na)
			add_na("huge", keys[k], labels[k], "ns/page", na);
		else
			add_fig("huge", keys[k], labels[k], "ns/page",
				samples[k] + 1, opt.repeats, k == HUGE_DEV, 1);
	}
}

static void huge_import(void)
{
	char line[256], *na;
	struct sample *s;
	int k, r, n = 0;
	FILE *f = fopen(opt.huge_import, "r");

	if (!f) {
		snprintf(line, sizeof(line), "n/a (%s: %s)", opt.huge_import,
			 strerror(errno));
		huge_figs(line);
		return;
	}
	clear_samples();
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "na ", 3)) {
			na = line + 3;
			huge_figs(na);
			fclose(f);
			return;
		}
		if (sscanf(line, "%d %d", &k, &r) != 2 || k < HUGE_DEV ||
		    k > HUGE_ANON || r < 1 || r > opt.repeats)
			continue;
		s = &samples[k][r];
		if (sscanf(line, "%*d %*d %lf %lf %lf %lf %lf", &s->ns,
			   &s->ns2, &s->minflt, &s->faults, &s->around) == 5)
			n++;
	}
	fclose(f);
	if (n != 2 * opt.repeats) {
		snprintf(line, sizeof(line),
			 "n/a (%s: %d samples, want %d: same --repeats?)",
			 opt.huge_import, n, 2 * opt.repeats);
		huge_figs(line);
		return;
	}
	huge_figs(NULL);
}

static void bench_huge(void)
{
	static const enum kind kinds[] = {
		[HUGE_DEV] = K_DEV_SHARED,
		[HUGE_ANON] = K_ANON_THP,
	};
	char v[16];
	FILE *f;
	int r, k;

	if (opt.huge_import) {
		huge_import();
		return;
	}
	read_line(HUGE_PARAM, v, sizeof(v));
	if (strcmp(v, "Y")) {
		huge_figs("n/a (the module is not loaded with huge=1)");
		return;
	}
	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		struct sample out[2];

		progress("huge: %s %d of %d", r ? "repeat" : "warm-up", r,
			 opt.repeats);
		touch_set(kinds, NULL, 2, opt.pages, SEQ_WRITE, r, out);
		for (k = HUGE_DEV; k <= HUGE_ANON; k++)
			samples[k][r] = out[k];
	}
	huge_figs(NULL);
	if (!opt.huge_export)
		return;
	f = fopen(opt.huge_export, "w");
	if (!f)
		fail("open %s: %s", opt.huge_export, strerror(errno));
	for (k = HUGE_DEV; k <= HUGE_ANON; k++)
		for (r = 1; r <= opt.repeats; r++)
			fprintf(f, "%d %d %.17g %.17g %.17g %.17g %.17g\n", k,
				r, samples[k][r].ns, samples[k][r].ns2,
				samples[k][r].minflt, samples[k][r].faults,
				samples[k][r].around);
	if (fclose(f))
		fail("write %s: %s", opt.huge_export, strerror(errno));
}

/* A memfd of @n pages, filled with nonzero bytes through write(). */
static int make_memfd(unsigned long n)
{
	size_t chunk = 1 << 20;
	unsigned long len = n * page_size, off;
	char *buf;
	int fd = make_memfd_empty(len);

	buf = malloc(chunk);
	if (!buf)
		fail("out of memory");
	memset(buf, 0x5a, chunk);
	for (off = 0; off < len; off += chunk) {
		size_t c = len - off < chunk ? len - off : chunk;

		if (pwrite(fd, buf, c, off) != (ssize_t)c)
			fail("write memfd: %s", strerror(errno));
	}
	free(buf);
	return fd;
}

/* Write every page of a fresh mapping of @fd (device): its pages exist. */
static void fill_dev(int fd, unsigned long n)
{
	char *p = map_kind(K_DEV_SHARED, fd, n * page_size, 0);

	touch(p, n, SEQ_WRITE);
	munmap(p, n * page_size);
}

static void bench_warm(void)
{
	static const enum kind kinds[] = {
		K_MEMFD_SHARED, K_MEMFD_PRIVATE, K_DEV_SHARED, K_DEV_PRIVATE,
	};
	const int nk = MT_ARRAY_SIZE(kinds);
	char key[64], label[72];
	int mfd, pat, r, k;
	int fds[MAX_SET];

	/*
	 * One device file per device row, so that GET_STATS counts that
	 * row's faults only; its first mapping creates its pages.  Both memfd
	 * rows map the same filled memfd (minflt counts per mapping anyway).
	 */
	mfd = make_memfd(opt.pages);
	for (k = 0; k < nk; k++) {
		fds[k] = mfd;
		if (!kind_is_dev(kinds[k]))
			continue;
		fds[k] = open_dev();
		fill_dev(fds[k], opt.pages);
	}
	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		struct sample out[MAX_SET];

		progress("warm faults: %s %d of %d", r ? "repeat" : "warm-up",
			 r, opt.repeats);
		for (pat = SEQ_READ; pat <= RAND_READ; pat++) {
			touch_set(kinds, fds, nk, opt.pages, pat, r, out);
			for (k = 0; k < nk; k++)
				samples[pat * nk + k][r] = out[k];
		}
	}
	for (pat = SEQ_READ; pat <= RAND_READ; pat++) {
		for (k = 0; k < nk; k++) {
			snprintf(key, sizeof(key), "warm.%s.%s",
				 pattern_keys[pat], kind_keys[kinds[k]]);
			snprintf(label, sizeof(label), "warm %-9s %s",
				 pattern_names[pat], kind_names[kinds[k]]);
			add_fig("warm", key, label, "ns/page",
				samples[pat * nk + k] + 1, opt.repeats,
				kind_is_dev(kinds[k]), 1);
		}
	}
	for (k = 0; k < nk; k++)
		if (kind_is_dev(kinds[k]))
			close(fds[k]);
	close(mfd);
}

enum pop_kind { P_DEV_IOCTL, P_DEV_MMAP, P_ANON, P_ANON_NOHUGE, P_SHMEM,
		NR_POP };

static const char * const pop_names[] = {
	[P_DEV_IOCTL]	= "device shared ALLOC_VMA+POPULATE",
	[P_DEV_MMAP]	= "device shared mmap MAP_POPULATE",
	[P_ANON]	= "anon private mmap MAP_POPULATE",
	[P_ANON_NOHUGE]	= "anon private MAP_POPULATE, THP disabled",
	[P_SHMEM]	= "shmem shared mmap MAP_POPULATE",
};

static const char * const pop_keys[] = {
	[P_DEV_IOCTL]	= "dev_shared_ioctl",
	[P_DEV_MMAP]	= "dev_shared_mmap",
	[P_ANON]	= "anon_private",
	[P_ANON_NOHUGE]	= "anon_private_nohuge",
	[P_SHMEM]	= "shmem_shared",
};

/* One populate repeat: @call gets the call, @after the read touch. */
static void populate_once(enum pop_kind pk, struct sample *call,
			  struct sample *after)
{
	unsigned long n = opt.pages, len = n * page_size;
	struct mmap_test_stats st0, st1, st2;
	int dev = pk == P_DEV_IOCTL || pk == P_DEV_MMAP;
	double t0, t1;
	long f0, f1, f2;
	int fd = -1;
	char *p;

	if (dev) {
		fd = open_dev();
		get_stats(fd, &st0);
	}
	if (pk == P_ANON_NOHUGE && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		fail("PR_SET_THP_DISABLE: %s", strerror(errno));
	f0 = minflt_now();
	t0 = now_ns();
	if (pk == P_DEV_IOCTL) {
		struct mmap_test_alloc a = {
			.len	= len,
			.prot	= PROT_READ | PROT_WRITE,
			.flags	= MMAP_TEST_SHARED | MMAP_TEST_POPULATE,
		};
		int ret = mt_ioctl(fd, IOCTL_ALLOC_VMA, &a);

		if (ret)
			fail("IOCTL_ALLOC_VMA populate %lu bytes: %s", len,
			     strerror(-ret));
		p = (char *)(uintptr_t)a.mapped;
	} else if (pk == P_DEV_MMAP) {
		p = map_kind(K_DEV_SHARED, fd, len, MAP_POPULATE);
	} else if (pk == P_ANON || pk == P_ANON_NOHUGE) {
		p = map_kind(K_ANON_PRIVATE, -1, len, MAP_POPULATE);
	} else {
		p = map_kind(K_SHMEM_SHARED, -1, len, MAP_POPULATE);
	}
	t1 = now_ns();
	f1 = minflt_now();
	if (pk == P_ANON_NOHUGE)
		prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	if (dev)
		get_stats(fd, &st1);
	after->ns = touch(p, n, SEQ_READ) / n;
	after->ns2 = -1;
	f2 = minflt_now();
	call->ns = (t1 - t0) / n;
	call->ns2 = -1;
	call->minflt = (double)(f1 - f0) / n;
	after->minflt = (double)(f2 - f1) / n;
	if (dev) {
		get_stats(fd, &st2);
		call->faults = (double)(st1.faults - st0.faults) / n;
		call->around = (double)(st1.pages_around -
					st0.pages_around) / n;
		after->faults = (double)(st2.faults - st1.faults) / n;
		after->around = (double)(st2.pages_around -
					 st1.pages_around) / n;
	}
	munmap(p, len);
	if (fd >= 0)
		close(fd);
}

static void bench_populate(void)
{
	char key[64], label[72];
	int pk, j, r;

	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		progress("populate: %s %d of %d", r ? "repeat" : "warm-up", r,
			 opt.repeats);
		for (j = 0; j < NR_POP; j++) {
			pk = rot(j, r, NR_POP);
			populate_once(pk, &samples[2 * pk][r],
				      &samples[2 * pk + 1][r]);
		}
	}
	for (pk = P_DEV_IOCTL; pk < NR_POP; pk++) {
		int dev = pk == P_DEV_IOCTL || pk == P_DEV_MMAP;

		snprintf(key, sizeof(key), "populate.call.%s", pop_keys[pk]);
		snprintf(label, sizeof(label), "call  %s", pop_names[pk]);
		add_fig("populate", key, label, "ns/page",
			samples[2 * pk] + 1, opt.repeats, dev, 1);
		snprintf(key, sizeof(key), "populate.touch.%s", pop_keys[pk]);
		snprintf(label, sizeof(label), "touch %s", pop_names[pk]);
		add_fig("populate", key, label, "ns/page",
			samples[2 * pk + 1] + 1, opt.repeats, dev, 1);
	}
}

/* ------------------------------------------------------------------ */
/* Syscall paths */

enum call_kind {
	C_IOCTL_PAIR,		/* ALLOC_VMA + FREE_VMA, device shared */
	C_IOCTL_PAIR_NOLOG,	/* the same with log_calls=0 */
	C_MMAP_PAIR,		/* mmap + munmap, same fd */
	C_IOCTL_ANON_PAIR,	/* ALLOC_VMA(ANON) + FREE_VMA */
	C_MMAP_ANON_PAIR,	/* mmap + munmap anonymous */
	C_STATS,		/* GET_STATS: an ioctl with no printk */
	C_QUERY,		/* QUERY_VMA: find_vma + one dev_info line */
	C_TIMER,		/* clock_gettime(CLOCK_MONOTONIC) */
	C_KMSG,			/* one info line written to /dev/kmsg */
	NR_CALLS,
};

static const char * const call_names[] = {
	[C_IOCTL_PAIR]		= "ALLOC_VMA+FREE_VMA device 1 page, log_calls=1",
	[C_IOCTL_PAIR_NOLOG]	= "ALLOC_VMA+FREE_VMA device 1 page, log_calls=0",
	[C_MMAP_PAIR]		= "mmap+munmap same fd shared 1 page",
	[C_IOCTL_ANON_PAIR]	= "ALLOC_VMA+FREE_VMA anon 1 page",
	[C_MMAP_ANON_PAIR]	= "mmap+munmap anon 1 page",
	[C_STATS]		= "ioctl GET_STATS (no printk)",
	[C_QUERY]		= "ioctl QUERY_VMA (find_vma + 1 dev_info)",
	[C_TIMER]		= "clock_gettime(CLOCK_MONOTONIC)",
	[C_KMSG]		= "write(/dev/kmsg) one <6> line (printk)",
};

static const char * const call_keys[] = {
	[C_IOCTL_PAIR]		= "ioctl_alloc_free",
	[C_IOCTL_PAIR_NOLOG]	= "ioctl_alloc_free_nolog",
	[C_MMAP_PAIR]		= "mmap_munmap",
	[C_IOCTL_ANON_PAIR]	= "ioctl_alloc_free_anon",
	[C_MMAP_ANON_PAIR]	= "mmap_munmap_anon",
	[C_STATS]		= "ioctl_get_stats",
	[C_QUERY]		= "ioctl_query",
	[C_TIMER]		= "clock_gettime",
	[C_KMSG]		= "kmsg_write",
};

static void ioctl_alloc(int fd, struct mmap_test_alloc *a, __u32 flags)
{
	int ret;

	memset(a, 0, sizeof(*a));
	a->len = page_size;
	a->prot = PROT_READ | PROT_WRITE;
	a->flags = flags;
	ret = mt_ioctl(fd, IOCTL_ALLOC_VMA, a);
	if (ret)
		fail("IOCTL_ALLOC_VMA: %s", strerror(-ret));
}

static void ioctl_free(int fd, __u64 addr)
{
	struct mmap_test_free fr = { .addr = addr, .len = page_size };
	int ret = mt_ioctl(fd, IOCTL_FREE_VMA, &fr);

	if (ret)
		fail("IOCTL_FREE_VMA: %s", strerror(-ret));
}

/* Set the module's log_calls parameter (when it can be written). */
static void set_log_calls(int on)
{
	if (env.log_calls_rw && write_file(LOG_CALLS_PARAM, on ? "1" : "0"))
		fail("write %s: %s", LOG_CALLS_PARAM, strerror(errno));
}

/* @calls calls of kind @ck on @fd, one timestamp pair; ns per call. */
static double calls_once(enum call_kind ck, int fd, int kmsg,
			 unsigned long calls)
{
	static const char line[] = "<6>mmap-test-bench: printk cost probe, one "
		"line about as long as the module's ALLOC/FREE log lines\n";
	struct mmap_test_alloc a;
	struct mmap_test_stats st;
	struct mmap_test_query q;
	struct timespec ts;
	unsigned long i;
	double t0;
	void *p;

	t0 = now_ns();
	for (i = 0; i < calls; i++) {
		switch (ck) {
		case C_IOCTL_PAIR:
		case C_IOCTL_PAIR_NOLOG:
			ioctl_alloc(fd, &a, MMAP_TEST_SHARED);
			ioctl_free(fd, a.mapped);
			break;
		case C_IOCTL_ANON_PAIR:
			ioctl_alloc(fd, &a, MMAP_TEST_PRIVATE | MMAP_TEST_ANON);
			ioctl_free(fd, a.mapped);
			break;
		case C_MMAP_PAIR:
		case C_MMAP_ANON_PAIR:
			p = ck == C_MMAP_PAIR ?
			    mmap(NULL, page_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 0) :
			    mmap(NULL, page_size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				fail("mmap 1 page: %s", strerror(errno));
			if (munmap(p, page_size))
				fail("munmap: %s", strerror(errno));
			break;
		case C_STATS:
			get_stats(fd, &st);
			break;
		case C_QUERY:
			memset(&q, 0, sizeof(q));
			q.addr = (uintptr_t)&q;
			if (mt_ioctl(fd, IOCTL_QUERY_VMA, &q))
				fail("IOCTL_QUERY_VMA failed");
			break;
		case C_TIMER:
			clock_gettime(CLOCK_MONOTONIC, &ts);
			sink += ts.tv_nsec;
			break;
		case C_KMSG:
			if (write(kmsg, line, sizeof(line) - 1) < 0)
				fail("write /dev/kmsg: %s", strerror(errno));
			break;
		default:
			break;
		}
	}
	return (now_ns() - t0) / calls;
}

static void bench_syscalls(void)
{
	char key[64], devkmsg[32] = "";
	int fd, kmsg, ck, j, r, nv = 0;
	enum call_kind cks[NR_CALLS];
	double *cns[NR_CALLS];
	unsigned long c, nch;

	/* Rate-limited /dev/kmsg drops lines: it would not measure printk. */
	read_setting("/proc/sys/kernel/printk_devkmsg", devkmsg,
		     sizeof(devkmsg));
	fd = open_dev();
	kmsg = -1;
	if (!strcmp(devkmsg, "on"))
		kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	for (ck = 0; ck < NR_CALLS; ck++) {
		if (ck == C_KMSG && kmsg < 0)
			continue;
		if (ck == C_IOCTL_PAIR_NOLOG && !env.log_calls_rw)
			continue;
		cks[nv++] = ck;
	}
	clear_samples();
	nch = (opt.calls + BATCH - 1) / BATCH;
	for (j = 0; j < nv; j++) {
		cns[j] = calloc(nch, sizeof(double));
		if (!cns[j])
			fail("out of memory");
	}
	for (r = 0; r <= opt.repeats; r++) {
		progress("syscalls: %s %d of %d", r ? "repeat" : "warm-up", r,
			 opt.repeats);
		/*
		 * In turns of BATCH calls, each batch timed whole, so that
		 * load bursts hit every row alike; log_calls is off only
		 * around the batches of its row.  The value: the median
		 * batch.
		 */
		for (c = 0; c < nch; c++) {
			unsigned long cnt = opt.calls - c * BATCH;

			if (cnt > BATCH)
				cnt = BATCH;
			for (j = 0; j < nv; j++) {
				int v = rot(j, r, nv);

				if (cks[v] == C_IOCTL_PAIR_NOLOG)
					set_log_calls(0);
				cns[v][c] = calls_once(cks[v], fd, kmsg, cnt);
				if (cks[v] == C_IOCTL_PAIR_NOLOG)
					set_log_calls(1);
			}
		}
		for (j = 0; j < nv; j++) {
			samples[j][r].ns = median_of(cns[j], nch);
			samples[j][r].ns2 = -1;
		}
	}
	if (env.log_calls_rw)
		write_file(LOG_CALLS_PARAM, env.log_calls0);
	for (j = 0; j < nv; j++)
		free(cns[j]);
	for (ck = 0; ck < NR_CALLS; ck++) {
		const char *unit = ck <= C_MMAP_ANON_PAIR ? "ns/pair" :
				   "ns/call";

		snprintf(key, sizeof(key), "syscall.%s", call_keys[ck]);
		for (j = 0; j < nv; j++)
			if (cks[j] == (enum call_kind)ck)
				break;
		if (j == nv) {
			add_na("syscalls", key, call_names[ck], unit,
			       ck == C_KMSG ?
			       "n/a (kernel.printk_devkmsg is not 'on')" :
			       "n/a (log_calls cannot be written)");
			continue;
		}
		add_fig("syscalls", key, call_names[ck], unit,
			samples[j] + 1, opt.repeats, 0, 0);
	}
	if (kmsg >= 0)
		close(kmsg);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* fork + exit + wait with a populated mapping */

#define FORKS_PER_REPEAT	5

static double fork_once(void)
{
	double t0 = now_ns();
	pid_t pid = fork();
	int st;

	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (!pid)
		_exit(0);
	if (waitpid(pid, &st, 0) != pid)
		fail("waitpid: %s", strerror(errno));
	return now_ns() - t0;
}

static void bench_fork(void)
{
	static const enum kind kinds[] = {
		K_DEV_SHARED, K_MEMFD_SHARED, K_ANON_NOHUGE,
	};
	static const char * const names[] = {
		"device shared", "memfd shared", "anon private nohugepage",
	};
	const int nk = MT_ARRAY_SIZE(kinds);
	unsigned long n = opt.pages, len = n * page_size;
	char key[64], label[72];
	int fds[3], k, j, r, f;
	char *p[3];

	/*
	 * Before each fork, the variant's mapping is made and written whole
	 * (untimed), so that every fork finds the same populated state; only
	 * that one mapping is there while it forks.  Device and memfd keep
	 * one file for the group (its pages stay allocated), anon maps afresh.
	 */
	for (k = 0; k < nk; k++) {
		fds[k] = -1;
		if (kinds[k] == K_DEV_SHARED)
			fds[k] = open_dev();
		else if (kinds[k] == K_MEMFD_SHARED)
			fds[k] = make_memfd_empty(len);
	}
	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		double sum[3] = { 0 };

		progress("fork: %s %d of %d", r ? "repeat" : "warm-up", r,
			 opt.repeats);
		for (f = 0; f < FORKS_PER_REPEAT; f++) {
			for (j = 0; j < nk; j++) {
				k = rot(j, r + f, nk);
				p[k] = map_kind(kinds[k], fds[k], len, 0);
				touch(p[k], n, SEQ_WRITE);
				sum[k] += fork_once();
				munmap(p[k], len);
			}
		}
		for (k = 0; k < nk; k++) {
			samples[k][r].ns = sum[k] / FORKS_PER_REPEAT;
			samples[k][r].ns2 = -1;
		}
	}
	for (k = 0; k < nk; k++) {
		snprintf(key, sizeof(key), "fork.%s", kind_keys[kinds[k]]);
		snprintf(label, sizeof(label), "fork+exit+wait %s %lu MiB",
			 names[k], len >> 20);
		add_fig("fork", key, label, "ns/fork", samples[k] + 1,
			opt.repeats, 0, 0);
		if (fds[k] >= 0)
			close(fds[k]);
	}
}

/* ------------------------------------------------------------------ */
/* munmap + close of a populated mapping */

static void bench_teardown(void)
{
	static const enum kind kinds[] = { K_DEV_SHARED, K_MEMFD_SHARED };
	static const char * const names[] = { "device shared",
					      "memfd shared" };
	unsigned long n = opt.pages, len = n * page_size;
	char key[64], label[72];
	int k, j, r, w;

	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		progress("teardown: %s %d of %d", r ? "repeat" : "warm-up",
			 r, opt.repeats);
		for (j = 0; j < 2; j++) {
			double t0, t1, t2;
			int fd;
			char *p;

			k = rot(j, r, 2);
			fd = kinds[k] == K_DEV_SHARED ? open_dev() :
			     make_memfd_empty(len);
			p = map_kind(kinds[k], fd, len, 0);
			touch(p, n, SEQ_WRITE);
			t0 = now_ns();
			if (munmap(p, len))
				fail("munmap: %s", strerror(errno));
			t1 = now_ns();
			close(fd);
			t2 = now_ns();
			samples[3 * k][r].ns = (t1 - t0) / n;
			samples[3 * k + 1][r].ns = (t2 - t1) / n;
			samples[3 * k + 2][r].ns = (t2 - t0) / n;
			for (w = 0; w < 3; w++)
				samples[3 * k + w][r].ns2 = -1;
		}
	}
	for (k = 0; k < 2; k++) {
		static const char * const what[] = {
			"munmap", "close", "munmap+close",
		};
		static const char * const wkey[] = {
			"munmap", "close", "munmap_close",
		};

		for (w = 0; w < 3; w++) {
			snprintf(key, sizeof(key), "teardown.%s.%s", wkey[w],
				 kind_keys[kinds[k]]);
			snprintf(label, sizeof(label), "%-12s %s %lu MiB",
				 what[w], names[k], len >> 20);
			add_fig("teardown", key, label, "ns/page",
				samples[3 * k + w] + 1, opt.repeats, 0, 0);
		}
	}
}

/* ------------------------------------------------------------------ */
/* 1 vs 2 threads: cold write-touch of one mapping */

static struct {
	pthread_barrier_t start, done;
	char *p;
	unsigned long first[2], n[2];
	int quit;
} scal;

static void *scal_worker(void *arg)
{
	long id = (long)arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(id, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	for (;;) {
		pthread_barrier_wait(&scal.start);
		if (scal.quit)
			return NULL;
		if (scal.n[id])
			touch_range(scal.p, scal.first[id], scal.n[id],
				    SEQ_WRITE);
		pthread_barrier_wait(&scal.done);
	}
}

/*
 * Write-touch pages [@first, @first + @n) of @p with @threads threads (2:
 * each its half); elapsed ns, barriers included.
 */
static double scal_touch(char *p, unsigned long first, unsigned long n,
			 int threads)
{
	double t0, t1;

	scal.p = p;
	scal.first[0] = first;
	scal.n[0] = threads == 2 ? n / 2 : n;
	scal.first[1] = first + scal.n[0];
	scal.n[1] = n - scal.n[0];
	t0 = now_ns();
	pthread_barrier_wait(&scal.start);
	pthread_barrier_wait(&scal.done);
	t1 = now_ns();
	return t1 - t0;
}

#define SCAL_TURN	(2 * TOUCH_CHUNK)

static void bench_scaling(void)
{
	static const enum kind kinds[] = { K_DEV_SHARED, K_SHMEM_SHARED };
	unsigned long n = opt.pages, len = n * page_size;
	char key[64], label[72];
	pthread_t th[2];
	int v, j, r;
	long i;

	if (env.cpus < 2) {
		for (v = 0; v < 4; v++) {
			snprintf(key, sizeof(key), "scaling.%s.%dt",
				 kind_keys[kinds[v / 2]], v % 2 + 1);
			snprintf(label, sizeof(label),
				 "cold seq-write %s %d thread%s",
				 kind_names[kinds[v / 2]], v % 2 + 1,
				 v % 2 ? "s" : "");
			add_na("scaling", key, label, "ns/page",
			       "n/a (fewer than 2 CPUs online)");
		}
		return;
	}
	pthread_barrier_init(&scal.start, NULL, 3);
	pthread_barrier_init(&scal.done, NULL, 3);
	for (i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, scal_worker, (void *)i))
			fail("pthread_create failed");
	/*
	 * The 4 variants each map a fresh mapping, then touch it in turns of
	 * SCAL_TURN pages, interleaved (order rotated per repeat), so that a
	 * burst of host load hits them alike: with 2 threads each takes one
	 * half of the turn, 512 pages (one page table) apart from the other.
	 */
	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		unsigned long c, turn = n < SCAL_TURN ? n : SCAL_TURN;
		double whole[4] = { 0 };
		int fd[4];
		char *p[4];

		progress("scaling: %s %d of %d", r ? "repeat" : "warm-up", r,
			 opt.repeats);
		for (v = 0; v < 4; v++) {
			fd[v] = kinds[v / 2] == K_DEV_SHARED ? open_dev() : -1;
			p[v] = map_kind(kinds[v / 2], fd[v], len, 0);
		}
		for (c = 0; c < n; c += turn) {
			unsigned long cnt = n - c < turn ? n - c : turn;

			for (j = 0; j < 4; j++) {
				v = rot(j, r, 4);
				whole[v] += scal_touch(p[v], c, cnt, v % 2 + 1);
			}
		}
		for (v = 0; v < 4; v++) {
			samples[v][r].ns = whole[v] / n;
			samples[v][r].ns2 = -1;
			munmap(p[v], len);
			if (fd[v] >= 0)
				close(fd[v]);
		}
	}
	scal.quit = 1;
	pthread_barrier_wait(&scal.start);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (v = 0; v < 4; v++) {
		snprintf(key, sizeof(key), "scaling.%s.%dt",
			 kind_keys[kinds[v / 2]], v % 2 + 1);
		snprintf(label, sizeof(label), "cold seq-write %s %d thread%s",
			 kind_names[kinds[v / 2]], v % 2 + 1,
			 v % 2 ? "s" : "");
		add_fig("scaling", key, label, "ns/page", samples[v] + 1,
			opt.repeats, 0, 0);
	}
}

/* ------------------------------------------------------------------ */
/* Growth: per-page fault cost against the mapping size */

/*
 * @maps mappings of @n cold pages each, one after the other: device: on
 * disjoint ranges of one fresh fd; anon nohugepage: the reference, a path
 * without the module.  Primary: the whole touch; secondary: median chunk.
 */
static void growth_once(enum kind k, unsigned long n, unsigned long maps,
			enum pattern pat, struct sample *out)
{
	unsigned long chunk = n < TOUCH_CHUNK ? n : TOUCH_CHUNK;
	unsigned long m, c, nc = 0, len = n * page_size;
	struct mmap_test_stats st0, st1;
	int dev = kind_is_dev(k);
	int fd = dev ? open_dev() : -1;
	double *cns, whole = 0;
	long flt = 0;

	cns = calloc(maps * ((n + chunk - 1) / chunk), sizeof(*cns));
	if (!cns)
		fail("out of memory");

	if (dev)
		get_stats(fd, &st0);
	for (m = 0; m < maps; m++) {
		double t0 = now_ns();
		char *p = dev ? mmap(NULL, len, PROT_READ | PROT_WRITE,
				     MAP_SHARED, fd, (off_t)(m * len)) :
				map_kind(k, -1, len, 0);
		long f0;

		if (p == MAP_FAILED)
			fail("mmap %lu bytes of the device at %lu: %s", len,
			     m * len, strerror(errno));
		whole += now_ns() - t0;
		f0 = minflt_now();
		for (c = 0; c < n; c += chunk) {
			unsigned long cnt = n - c < chunk ? n - c : chunk;
			double t = touch_range(p, c, cnt, pat);

			whole += t;
			cns[nc++] = t / cnt;
		}
		flt += minflt_now() - f0;
		munmap(p, len);
	}
	out->ns = whole / (n * maps);
	out->ns2 = median_of(cns, nc);
	free(cns);
	out->minflt = (double)flt / (n * maps);
	if (dev) {
		get_stats(fd, &st1);
		close(fd);
		out->faults = (double)(st1.faults - st0.faults) / (n * maps);
		out->around = (double)(st1.pages_around - st0.pages_around) /
			      (n * maps);
	}
}

static int growth_repeats(unsigned long mib)
{
	return mib >= 512 ? opt.big_repeats : opt.repeats;
}

/* The rows of each size: device seq read, seq write; anon reference. */
static const struct {
	enum kind kind;
	enum pattern pat;
	const char *key;
} growth_rows[] = {
	{ K_DEV_SHARED, SEQ_READ, "seq_read" },
	{ K_DEV_SHARED, SEQ_WRITE, "seq_write" },
	{ K_ANON_NOHUGE, SEQ_WRITE, "ref_anon_nohuge_seq_write" },
};
#define NR_GROWTH_ROWS	((int)MT_ARRAY_SIZE(growth_rows))

static void bench_growth(void)
{
	int si, r, j, g, max_reps = 0;
	char key[64], label[72];

	for (si = 0; si < opt.nr_sizes; si++)
		if (growth_repeats(opt.sizes[si]) > max_reps)
			max_reps = growth_repeats(opt.sizes[si]);
	clear_samples();
	for (r = 0; r <= max_reps; r++) {
		progress("growth: %s %d of %d", r ? "repeat" : "warm-up", r,
			 max_reps);
		for (j = 0; j < opt.nr_sizes * NR_GROWTH_ROWS; j++) {
			int v = rot(j, r, opt.nr_sizes * NR_GROWTH_ROWS);
			unsigned long mib, n, maps;

			si = v / NR_GROWTH_ROWS;
			g = v % NR_GROWTH_ROWS;
			mib = opt.sizes[si];
			n = mib * (1048576 / page_size);
			maps = n >= opt.pages ? 1 : opt.pages / n;
			if (r > growth_repeats(mib))
				continue;
			growth_once(growth_rows[g].kind, n, maps,
				    growth_rows[g].pat, &samples[v][r]);
		}
	}
	for (g = 0; g < NR_GROWTH_ROWS; g++) {
		for (si = 0; si < opt.nr_sizes; si++) {
			unsigned long mib = opt.sizes[si];
			unsigned long n = mib * (1048576 / page_size);
			unsigned long maps = n >= opt.pages ? 1 :
					     opt.pages / n;
			enum kind k = growth_rows[g].kind;

			snprintf(key, sizeof(key), "growth.%s.%lu_mib",
				 growth_rows[g].key, mib);
			snprintf(label, sizeof(label), "cold %-9s %s %5lu MiB",
				 pattern_names[growth_rows[g].pat],
				 k == K_DEV_SHARED ? "device shared" :
				 "ref: anon nohugepage", mib);
			add_fig("growth", key, label, "ns/page",
				samples[si * NR_GROWTH_ROWS + g] + 1,
				growth_repeats(mib), kind_is_dev(k), 1);
			if (maps > 1)
				snprintf(figs[nr_figs - 1].note,
					 sizeof(figs[0].note),
					 "%lu mappings per repeat", maps);
		}
	}
}

/* ------------------------------------------------------------------ */
/* ALLOC_VMA cost against the number of VMAs in the mm */

static __u32 nr_vmas_now(int fd)
{
	struct mmap_test_query q = { .addr = 0 };
	int ret = mt_ioctl(fd, IOCTL_QUERY_VMA, &q);

	if (ret)
		fail("IOCTL_QUERY_VMA: %s", strerror(-ret));
	return q.report.nr_vmas;
}

/* @n extra anon VMAs: pages alternating PROT_NONE / PROT_READ. */
static char *make_vmas(unsigned long n, unsigned long *len)
{
	unsigned long i;
	char *p;

	*len = n * page_size;
	p = mmap(NULL, *len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		fail("mmap %lu pages for VMAs: %s", n, strerror(errno));
	for (i = 1; i < n; i += 2)
		if (mprotect(p + i * page_size, page_size, PROT_READ))
			fail("mprotect page %lu of %lu: %s (vm.max_map_count?)",
			     i, n, strerror(errno));
	return p;
}

/*
 * Let deferred work of a big mm change (RCU-freed maple tree nodes, TLB
 * flushes) finish before timing starts.
 */
static void settle(void)
{
	usleep(200000);
}

/*
 * One VMA count, one repeat: batches of BATCH ALLOC_VMAs, then as many
 * FREE_VMAs, then as many mmap(2)s (their munmaps untimed), each batch
 * timed whole; the values: the median batch, per call.
 */
static void vmas_once(int fd, struct sample *s)
{
	unsigned long nb = (opt.calls + BATCH - 1) / BATCH, b, i;
	__u64 addr[BATCH];
	double *t[3], t0;
	int w;

	for (w = 0; w < 3; w++) {
		t[w] = calloc(nb, sizeof(double));
		if (!t[w])
			fail("out of memory");
	}
	for (b = 0; b < nb; b++) {
		struct mmap_test_alloc a;

		t0 = now_ns();
		for (i = 0; i < BATCH; i++) {
			ioctl_alloc(fd, &a, MMAP_TEST_SHARED);
			addr[i] = a.mapped;
		}
		t[0][b] = (now_ns() - t0) / BATCH;
		t0 = now_ns();
		for (i = 0; i < BATCH; i++)
			ioctl_free(fd, addr[i]);
		t[1][b] = (now_ns() - t0) / BATCH;
		t0 = now_ns();
		for (i = 0; i < BATCH; i++) {
			void *p = mmap(NULL, page_size,
				       PROT_READ | PROT_WRITE, MAP_SHARED,
				       fd, 0);

			if (p == MAP_FAILED)
				fail("mmap: %s", strerror(errno));
			addr[i] = (uintptr_t)p;
		}
		t[2][b] = (now_ns() - t0) / BATCH;
		for (i = 0; i < BATCH; i++)
			munmap((void *)(uintptr_t)addr[i], page_size);
	}
	for (w = 0; w < 3; w++) {
		s[w].ns = median_of(t[w], nb);
		s[w].ns2 = -1;
		free(t[w]);
	}
}

static void bench_vmas(void)
{
	__u32 with[MAX_LIST];
	char key[64], label[72];
	int fd, j, vi, r;

	fd = open_dev();
	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		progress("vmas: %s %d of %d", r ? "repeat" : "warm-up", r,
			 opt.repeats);
		for (j = 0; j < opt.nr_vmas; j++) {
			unsigned long len;
			char *region;
			struct sample s[3];

			vi = rot(j, r, opt.nr_vmas);
			region = make_vmas(opt.vmas[vi], &len);
			with[vi] = nr_vmas_now(fd);
			settle();
			vmas_once(fd, s);
			samples[3 * vi][r] = s[0];
			samples[3 * vi + 1][r] = s[1];
			samples[3 * vi + 2][r] = s[2];
			munmap(region, len);
			settle();
		}
	}
	for (vi = 0; vi < opt.nr_vmas; vi++) {
		unsigned long extra = opt.vmas[vi];
		static const char * const what[] = {
			"alloc", "free", "mmap",
		};
		static const char * const name[] = {
			"ALLOC_VMA", "FREE_VMA", "mmap(2)",
		};
		int w;

		for (w = 0; w < 3; w++) {
			snprintf(key, sizeof(key), "vmas.%s.%lu", what[w],
				 extra);
			snprintf(label, sizeof(label),
				 "%-10s +%5lu VMAs (mm: %u)", name[w], extra,
				 with[vi]);
			add_fig("vmas", key, label, "ns/call",
				samples[3 * vi + w] + 1, opt.repeats, 0, 0);
		}
	}
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Goals */

static struct goal *new_goal(const char *key, const char *text,
			     double limit, int ge)
{
	struct goal *g;

	if (nr_goals == MAX_GOALS)
		fail("too many goals");
	g = &goals[nr_goals++];
	memset(g, 0, sizeof(*g));
	snprintf(g->key, sizeof(g->key), "%s", key);
	snprintf(g->text, sizeof(g->text), "%s", text);
	g->limit = limit;
	g->ge = ge;
	g->verdict = V_NA;
	return g;
}

/* The goal's verdict from its interval. */
static enum verdict judge(double lo, double hi, double limit, int ge)
{
	if (ge)
		return lo >= limit ? V_MET : hi < limit ? V_NOT_MET :
		       V_INCONCLUSIVE;
	return hi <= limit ? V_MET : lo > limit ? V_NOT_MET : V_INCONCLUSIVE;
}

/* Set @g from its per-repeat ratios g->q[0..g->n). */
static void goal_finish(struct goal *g)
{
	bootstrap_median(g->q, g->n, &g->ratio, &g->ci_lo, &g->ci_hi);
	g->verdict = judge(g->ci_lo, g->ci_hi, g->limit, g->ge);
}

/* A figure for a goal, or NULL with g->na set. */
static struct fig *goal_fig(struct goal *g, const char *key)
{
	struct fig *f = find_fig(key);

	if (!f) {
		if (!g->na[0])
			snprintf(g->na, sizeof(g->na),
				 "n/a (%s not measured)", key);
		return NULL;
	}
	if (f->na[0] || f->n < 1) {
		if (!g->na[0])
			snprintf(g->na, sizeof(g->na), "%s", f->na);
		return NULL;
	}
	return f;
}

/* Median of the paired ratios @num / @den, repeat by repeat. */
static void goal_ratio(const char *key, const char *text, const char *num,
		       const char *den, double limit, int ge)
{
	struct goal *g = new_goal(key, text, limit, ge);
	struct fig *a = goal_fig(g, num), *b = goal_fig(g, den);
	int r;

	if (!a || !b)
		return;
	g->n = a->n < b->n ? a->n : b->n;
	for (r = 0; r < g->n; r++)
		g->q[r] = b->v[r] > 0 ? a->v[r] / b->v[r] : 0;
	goal_finish(g);
	snprintf(g->detail, sizeof(g->detail), "%.0f / %.0f %s", a->med,
		 b->med, a->unit);
}

/*
 * Speed-up of 2 threads against 1 for the device, over that for shmem,
 * repeat by repeat.
 */
static void goal_scaling(void)
{
	struct goal *g = new_goal("scaling_2t",
				  "2-thread speed-up: device / shmem >= 0.9",
				  0.9, 1);
	struct fig *d1 = goal_fig(g, "scaling.dev_shared.1t");
	struct fig *d2 = goal_fig(g, "scaling.dev_shared.2t");
	struct fig *s1 = goal_fig(g, "scaling.shmem_shared.1t");
	struct fig *s2 = goal_fig(g, "scaling.shmem_shared.2t");
	int r;

	if (!d1 || !d2 || !s1 || !s2)
		return;
	g->n = d1->n;
	for (r = 0; r < g->n; r++)
		g->q[r] = (d1->v[r] / d2->v[r]) / (s1->v[r] / s2->v[r]);
	goal_finish(g);
	snprintf(g->detail, sizeof(g->detail),
		 "speed-up device %.2f, shmem %.2f", d1->med / d2->med,
		 s1->med / s2->med);
}

/* (ALLOC - mmap) at the most VMAs over the same at the fewest. */
static void goal_alloc_vmas(void)
{
	struct goal *g = new_goal("alloc_vmas",
				  "(ALLOC - mmap) at 50000 / at 10 VMAs <= 1.2",
				  1.2, 0);
	unsigned long lo = opt.vmas[0], hi = opt.vmas[opt.nr_vmas - 1];
	struct fig *a0, *m0, *a1, *m1;
	char k[64];
	int r;

	snprintf(g->text, sizeof(g->text),
		 "(ALLOC - mmap) at %lu / at %lu VMAs <= 1.2", hi, lo);
	snprintf(k, sizeof(k), "vmas.alloc.%lu", lo);
	a0 = goal_fig(g, k);
	snprintf(k, sizeof(k), "vmas.mmap.%lu", lo);
	m0 = goal_fig(g, k);
	snprintf(k, sizeof(k), "vmas.alloc.%lu", hi);
	a1 = goal_fig(g, k);
	snprintf(k, sizeof(k), "vmas.mmap.%lu", hi);
	m1 = goal_fig(g, k);
	if (!a0 || !m0 || !a1 || !m1 || opt.nr_vmas < 2)
		return;
	g->n = a0->n;
	for (r = 0; r < g->n; r++) {
		double d0 = a0->v[r] - m0->v[r];

		g->q[r] = d0 > 0 ? (a1->v[r] - m1->v[r]) / d0 : 99;
	}
	goal_finish(g);
	snprintf(g->detail, sizeof(g->detail),
		 "%.0f vs %.0f ns/call; mmap alone %.2f",
		 a1->med - m1->med, a0->med - m0->med, m1->med / m0->med);
}

/*
 * Every figure @fmt % list[i] within [1 - tol, 1 + tol] of @fmt % list[0],
 * repeat by repeat; shown: the size whose median ratio is farthest from 1.
 * Met when every size's interval is inside the band, NOT met when one
 * lies wholly outside.
 */
static void goal_flat(const char *key, const char *text, const char *fmt,
		      const unsigned long *list, int n, double tol)
{
	struct goal *g = new_goal(key, text, 1 + tol, 0);
	struct goal t;
	struct fig *base, *f;
	double worst = -1;
	int i, r, inside = 1, outside = 0;
	char k[64];

	g->band = 1;
	g->lo2 = 1 - tol;
	g->hi2 = 1 + tol;
	snprintf(k, sizeof(k), fmt, list[0]);
	base = goal_fig(g, k);
	if (!base || n < 2)
		return;
	for (i = 1; i < n; i++) {
		snprintf(k, sizeof(k), fmt, list[i]);
		f = goal_fig(g, k);
		if (!f)
			return;
		memset(&t, 0, sizeof(t));
		t.n = f->n < base->n ? f->n : base->n;
		for (r = 0; r < t.n; r++)
			t.q[r] = f->v[r] / base->v[r];
		bootstrap_median(t.q, t.n, &t.ratio, &t.ci_lo, &t.ci_hi);
		if (t.ci_lo < g->lo2 || t.ci_hi > g->hi2)
			inside = 0;
		if (t.ci_hi < g->lo2 || t.ci_lo > g->hi2)
			outside = 1;
		if (fabs(t.ratio - 1) > worst) {
			worst = fabs(t.ratio - 1);
			g->n = t.n;
			memcpy(g->q, t.q, sizeof(g->q));
			g->ratio = t.ratio;
			g->ci_lo = t.ci_lo;
			g->ci_hi = t.ci_hi;
			snprintf(g->detail, sizeof(g->detail),
				 "worst %s: %.0f vs %.0f %s",
				 strrchr(f->key, '.') + 1, f->med, base->med,
				 base->unit);
		}
	}
	g->verdict = outside ? V_NOT_MET : inside ? V_MET : V_INCONCLUSIVE;
}

static void eval_goals(void)
{
	goal_ratio("cold_rand_read",
		   "cold rand-read whole: device shared / shmem <= 1.0",
		   "cold.rand_read.dev_shared", "cold.rand_read.shmem_shared",
		   1.0, 0);
	goal_ratio("cold_seq_read",
		   "cold seq-read whole: device shared / shmem <= 1.0",
		   "cold.seq_read.dev_shared", "cold.seq_read.shmem_shared",
		   1.0, 0);
	goal_ratio("cold_write_ref",
		   "cold write-touch: device / ref vmf_insert_pfn <= 1.0",
		   "cold.seq_write.dev_shared", "cold.seq_write.ref_fault",
		   1.0, 0);
	goal_ratio("warm_seq_read",
		   "warm seq-read: device shared / memfd 2nd map <= 1.0",
		   "warm.seq_read.dev_shared", "warm.seq_read.memfd_shared",
		   1.0, 0);
	goal_ratio("fork",
		   "fork+exit 64 MiB populated: device / memfd <= 1.5",
		   "fork.dev_shared", "fork.memfd_shared", 1.5, 0);
	if (opt.pages * page_size != 64UL << 20)
		snprintf(goals[nr_goals - 1].text, sizeof(goals[0].text),
			 "fork+exit %lu MiB populated: device / memfd <= 1.5",
			 opt.pages * page_size >> 20);
	goal_ratio("teardown",
		   "munmap+close populated: device / memfd <= 1.0",
		   "teardown.munmap_close.dev_shared",
		   "teardown.munmap_close.memfd_shared", 1.0, 0);
	goal_ratio("alloc_free_nolog",
		   "ALLOC+FREE log_calls=0 / mmap+munmap <= 1.10",
		   "syscall.ioctl_alloc_free_nolog", "syscall.mmap_munmap",
		   1.10, 0);
	goal_alloc_vmas();
	goal_scaling();
	goal_ratio("populate",
		   "populate: ALLOC+POPULATE / anon 4K MAP_POPULATE <= 2.0",
		   "populate.call.dev_shared_ioctl",
		   "populate.call.anon_private_nohuge", 2.0, 0);
	goal_flat("growth_seq_read",
		  "growth 1 MiB -> 1 GiB within +-20% (seq read)",
		  "growth.seq_read.%lu_mib", opt.sizes, opt.nr_sizes, 0.2);
	goal_flat("growth_seq_write",
		  "growth 1 MiB -> 1 GiB within +-20% (seq write)",
		  "growth.seq_write.%lu_mib", opt.sizes, opt.nr_sizes, 0.2);
	if (opt.nr_sizes > 1) {
		unsigned long a = opt.sizes[0], b = opt.sizes[opt.nr_sizes - 1];

		snprintf(goals[nr_goals - 2].text, sizeof(goals[0].text),
			 "growth %lu -> %lu MiB within +-20%% (seq read)", a,
			 b);
		snprintf(goals[nr_goals - 1].text, sizeof(goals[0].text),
			 "growth %lu -> %lu MiB within +-20%% (seq write)", a,
			 b);
	}
	goal_ratio("huge_write",
		   "cold write-touch: device huge=1 / anon THP <= 1.5",
		   "huge.seq_write.dev_shared", "huge.seq_write.anon_thp", 1.5,
		   0);
}

/* ------------------------------------------------------------------ */
/* The environment */

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
			read_line(path, val, sizeof(val));
			len += snprintf(buf + len, n - len, "%s%s=%s",
					len ? " " : "", ents[i]->d_name, val);
		}
		free(ents[i]);
	}
	free(ents);
}

static void read_loadavg(char *buf, size_t n)
{
	char line[128];
	char *sp;

	read_line("/proc/loadavg", line, sizeof(line));
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
		double t0 = now_ns();

		for (j = 0; j < 1000; j++) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			sink += ts.tv_nsec;
		}
		v[i] = (now_ns() - t0) / 1000;
	}
	return median_of(v, 21);
}

static void read_env(void)
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
	if (!strcmp(env.shmem, "never") && (opt.groups & G_FAULTS) &&
	    !write_file(SHMEM_ENABLED, "advise")) {
		env_shmem_changed = 1;
		read_setting(SHMEM_ENABLED, env.shmem_run,
			     sizeof(env.shmem_run));
	}
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  env.clocksource, sizeof(env.clocksource));
	read_line("/sys/kernel/debug/fault_around_bytes", env.fault_around,
		  sizeof(env.fault_around));
	if (!env.fault_around[0])
		snprintf(env.fault_around, sizeof(env.fault_around),
			 "unknown (no debugfs)");
	read_params("/sys/module/mmap_test/parameters", env.params,
		    sizeof(env.params));
	read_params("/sys/module/mmap_test_ref/parameters", env.ref_params,
		    sizeof(env.ref_params));
	read_line(LOG_CALLS_PARAM, env.log_calls0, sizeof(env.log_calls0));
	env.log_calls_rw = env.log_calls0[0] && !access(LOG_CALLS_PARAM, W_OK);
	env.cpus = sysconf(_SC_NPROCESSORS_ONLN);
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
	read_line(NR_HUGEPAGES, buf, sizeof(buf));
	env.nr_hugepages = atol(buf);
	env.nr_hugepages_run = env.nr_hugepages;
	if ((opt.groups & G_FAULTS) && env.hugepage_kb > 0) {
		long need = (long)(opt.pages * page_size / 1024 /
				   env.hugepage_kb);

		if (need > env.nr_hugepages) {
			snprintf(buf, sizeof(buf), "%ld", need);
			if (!write_file(NR_HUGEPAGES, buf))
				env_huge_changed = 1;
			read_line(NR_HUGEPAGES, buf, sizeof(buf));
			env.nr_hugepages_run = atol(buf);
		}
	}
	read_loadavg(env.load_before, sizeof(env.load_before));
	env.timer_ns = timer_cost();
}

static void restore_env(void)
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

/* ------------------------------------------------------------------ */
/* Output */

static void fmt_count(char *buf, size_t n, double v)
{
	if (v < 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.3f", v);
}

static const char *group_title(const char *g)
{
	if (!strcmp(g, "faults"))
		return "Cold faults: fresh mapping each repeat; device: fresh fd (pages allocated on first touch); value: mmap + whole touch per page";
	if (!strcmp(g, "warm"))
		return "Warm faults: pages exist (a first mapping wrote them); a new mapping faults them in";
	if (!strcmp(g, "populate"))
		return "Populate: the populating call itself, then a seq-read touch of the populated mapping";
	if (!strcmp(g, "syscalls"))
		return "Syscall paths: ns per ALLOC+FREE / mmap+munmap pair, or per call (batches of 50 calls per timestamp pair)";
	if (!strcmp(g, "fork"))
		return "fork + _exit + waitpid with one populated mapping (written whole before each fork, untimed)";
	if (!strcmp(g, "teardown"))
		return "Teardown: munmap, then close of the last fd, of a populated mapping (pages freed at close)";
	if (!strcmp(g, "scaling"))
		return "Scaling: cold write-touch of one fresh mapping, wall time per page, by 1 thread or by 2 threads on 2 CPUs\n(in turns of 1024 pages, interleaved; 2 threads: 512 pages each)";
	if (!strcmp(g, "growth"))
		return "Growth: cold faults against the mapping size (small sizes: several mappings, one after the other,\nof disjoint ranges of one fresh fd); the anon nohugepage rows are a reference without the module";
	if (!strcmp(g, "huge"))
		return "Huge device mappings: cold seq write-touch with the module reloaded with huge=1 (this group only, run first),\nagainst anon private MADV_HUGEPAGE; fresh mapping each repeat, value: mmap + whole touch per page";
	if (!strcmp(g, "vmas"))
		return "VMA count: 1-page device shared ALLOC_VMA / FREE_VMA / mmap(2) with N extra anon VMAs\n(batches of 50 calls per timestamp pair; each repeat: the median batch)";
	return g;
}

static const char *group_footer(const char *g)
{
	if (!strcmp(g, "syscalls"))
		return "ALLOC_VMA and FREE_VMA each add two find_vma() reports under mmap_lock and, with log_calls=1, one dev_info() line;\n  log_calls is toggled through sysfs around the log_calls=0 batches of the same run.";
	if (!strcmp(g, "faults"))
		return "chunk med: the median 512-page chunk (secondary).  Device shared read faults use fault-around (filemap_map_pages);\n  the reference driver's prefault row does all its work in mmap().";
	return NULL;
}

static void print_footer(const char *g)
{
	const char *t = g[0] ? group_footer(g) : NULL;

	if (t)
		printf("  note: %s\n", t);
}

static void print_env(const struct utsname *u)
{
	printf("Environment:\n");
	printf("  kernel:            %s %s (%s)%s\n", u->sysname, u->release,
	       u->machine, opt.emulated ? ", emulated: qemu TCG, no KVM" :
	       "");
	printf("  vCPUs:             %d online; memory %s; ", env.cpus,
	       env.mem);
	if (env.pinned >= 0)
		printf("mmap-test-bench pinned to CPU %d (scaling threads: CPUs 0, 1)\n",
		       env.pinned);
	else
		printf("mmap-test-bench not pinned\n");
	printf("  clocksource:       %s (one clock_gettime: %.0f ns)\n",
	       env.clocksource[0] ? env.clocksource : "unknown",
	       env.timer_ns);
	printf("  THP enabled:       %s (defrag %s)\n", env.thp,
	       env.thp_defrag);
	printf("  THP shmem_enabled: %s%s%s\n", env.shmem,
	       strcmp(env.shmem, env.shmem_run) ? "; during the run: " : "",
	       strcmp(env.shmem, env.shmem_run) ? env.shmem_run : "");
	printf("  fault_around_bytes: %s\n", env.fault_around);
	printf("  hugetlb:           %ld kB pages, vm.nr_hugepages %ld (during the run %ld)\n",
	       env.hugepage_kb, env.nr_hugepages, env.nr_hugepages_run);
	printf("  mmap_test params:  %s\n", env.params);
	printf("  mmap_test_ref:     %s\n",
	       env.ref_params[0] && strncmp(env.ref_params, "unknown", 7) ?
	       env.ref_params : "not loaded");
	printf("  guest load:        before %s, after %s\n", env.load_before,
	       env.load_after);
	printf("  host load:         before %s, after @HOST_LOAD_AFTER@\n",
	       opt.host_load);
	printf("  run:               %d repeats + 1 warm-up per group, %lu pages = %lu MiB per fault figure, %lu calls per repeat\n",
	       opt.repeats, opt.pages, opt.pages * page_size >> 20,
	       opt.calls);
}

static const char *limit_op(const struct goal *g)
{
	return g->band ? "in" : g->ge ? ">=" : "<=";
}

static void print_goal(const struct goal *g)
{
	char lim[32];

	if (g->band)
		snprintf(lim, sizeof(lim), "%.2f..%.2f", g->lo2, g->hi2);
	else
		snprintf(lim, sizeof(lim), "%s %.2f", limit_op(g), g->limit);
	if (g->verdict == V_NA) {
		printf("  %-56s %-12s %s\n", g->text, lim, g->na);
		return;
	}
	printf("  %-56s %-12s %7.3f  [%6.3f, %6.3f]  %-12s (%s; n=%d)\n",
	       g->text, lim, g->ratio, g->ci_lo, g->ci_hi,
	       verdict_names[g->verdict], g->detail, g->n);
}

static void print_summary(const struct goal *g)
{
	if (g->verdict == V_NA) {
		printf("BENCH-SUMMARY goal=%s verdict=n/a ratio=- ci=- limit=%s%.2f\n",
		       g->key, g->band ? "+-" : limit_op(g),
		       g->band ? g->hi2 - 1 : g->limit);
		return;
	}
	printf("BENCH-SUMMARY goal=%s verdict=%s ratio=%.3f ci=%.3f..%.3f limit=%s%.2f\n",
	       g->key, verdict_keys[g->verdict], g->ratio, g->ci_lo, g->ci_hi,
	       g->band ? "+-" : limit_op(g), g->band ? g->hi2 - 1 : g->limit);
}

static void print_table(const struct utsname *u)
{
	const char *last = "";
	int i, cnt[4] = { 0 };

	printf("BENCH-TABLE-BEGIN\n");
	printf("mmap-test-bench on %s %s (%s)\n", u->sysname, u->release,
	       u->machine);
	if (opt.emulated)
		printf("NOTE: this machine is emulated (qemu TCG, no KVM): absolute times are meaningless, only ratios between figures of this run carry meaning.\n");
	print_env(u);
	if (big_note[0])
		printf("NOTE: %s\n", big_note);
	printf("Method: in every repeat each variant of a group runs, interleaved (faults in turns of 512 pages, calls in batches of 50),\n"
	       "the order rotating by one per repeat.  Fault rows: value = mmap + whole touch per page (chunk med: the median chunk).\n"
	       "Columns: median/min/max over the repeats; minflt = minor faults (getrusage) per unit; faults / around = the device's\n"
	       "GET_STATS faults / pages_around per unit.\n");
	for (i = 0; i < nr_figs; i++) {
		struct fig *f = &figs[i];
		char c1[16], c2[16], c3[16], c4[16];

		if (strcmp(f->group, last)) {
			print_footer(last);
			printf("\n%s\n", group_title(f->group));
			printf("  %-52s %-8s %9s %9s %9s %3s %9s %7s %7s %7s\n",
			       "figure", "unit", "median", "min", "max", "n",
			       "chunk med", "minflt", "faults", "around");
			last = f->group;
		}
		if (f->na[0]) {
			printf("  %-52s %-8s %s\n", f->label, f->unit, f->na);
			continue;
		}
		fmt_count(c1, sizeof(c1), f->minflt);
		fmt_count(c2, sizeof(c2), f->faults);
		fmt_count(c3, sizeof(c3), f->around);
		if (f->med2 >= 0)
			snprintf(c4, sizeof(c4), "%.0f", f->med2);
		else
			snprintf(c4, sizeof(c4), "-");
		printf("  %-52s %-8s %9.0f %9.0f %9.0f %3d %9s %7s %7s %7s%s%s\n",
		       f->label, f->unit, f->med, f->min, f->max, f->n, c4, c1,
		       c2, c3, f->note[0] ? "  " : "", f->note);
	}
	print_footer(last);
	printf("\nGoals: median of the per-repeat paired ratios [95%% bootstrap CI]; met: the CI is wholly within the limit,\n"
	       "NOT met: wholly past it, inconclusive: it crosses the limit.  A benchmark, not a test (gate: BENCH_STRICT=1).\n");
	printf("  %-56s %-12s %7s  %-16s  %s\n", "goal", "limit", "ratio",
	       "95% CI", "verdict");
	for (i = 0; i < nr_goals; i++) {
		print_goal(&goals[i]);
		cnt[goals[i].verdict]++;
	}
	printf("\n");
	for (i = 0; i < nr_goals; i++)
		print_summary(&goals[i]);
	printf("BENCH-SUMMARY total met=%d not-met=%d inconclusive=%d n/a=%d\n",
	       cnt[V_MET], cnt[V_NOT_MET], cnt[V_INCONCLUSIVE], cnt[V_NA]);
	printf("BENCH-TABLE-END\n");
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (v < 0)
		fprintf(f, "null");
	else
		fprintf(f, "%.3f", v);
}

static void json_kv(FILE *f, const char *k, const char *v, int last)
{
	fprintf(f, "    ");
	json_str(f, k);
	fprintf(f, ": ");
	json_str(f, v);
	fprintf(f, "%s\n", last ? "" : ",");
}

static void print_json(FILE *f, const struct utsname *u)
{
	char buf[64];
	int i, j;

	fprintf(f, "{\n  \"tool\": \"mmap-test-bench\",\n  \"format\": 2,\n");
	fprintf(f, "  \"environment\": {\n");
	json_kv(f, "kernel", u->release, 0);
	json_kv(f, "machine", u->machine, 0);
	fprintf(f, "    \"emulated\": %s,\n", opt.emulated ? "true" : "false");
	fprintf(f, "    \"vcpus\": %d,\n", env.cpus);
	json_kv(f, "memory", env.mem, 0);
	json_kv(f, "clocksource", env.clocksource, 0);
	fprintf(f, "    \"clock_gettime_ns\": %.1f,\n", env.timer_ns);
	json_kv(f, "thp_enabled", env.thp, 0);
	json_kv(f, "thp_defrag", env.thp_defrag, 0);
	json_kv(f, "thp_shmem_enabled", env.shmem, 0);
	json_kv(f, "thp_shmem_enabled_during_run", env.shmem_run, 0);
	json_kv(f, "fault_around_bytes", env.fault_around, 0);
	fprintf(f, "    \"hugepage_kb\": %ld,\n    \"nr_hugepages\": %ld,\n    \"nr_hugepages_during_run\": %ld,\n",
		env.hugepage_kb, env.nr_hugepages, env.nr_hugepages_run);
	json_kv(f, "module_params", env.params, 0);
	json_kv(f, "ref_module_params", env.ref_params, 0);
	json_kv(f, "guest_load_before", env.load_before, 0);
	json_kv(f, "guest_load_after", env.load_after, 0);
	json_kv(f, "host_load_before", opt.host_load, 0);
	json_kv(f, "host_load_after", "@HOST_LOAD_AFTER@", 0);
	snprintf(buf, sizeof(buf), "%ld", page_size);
	json_kv(f, "page_size", buf, 1);
	fprintf(f, "  },\n");
	fprintf(f, "  \"pages\": %lu,\n  \"repeats\": %d,\n  \"big_repeats\": %d,\n",
		opt.pages, opt.repeats, opt.big_repeats);
	fprintf(f, "  \"calls\": %lu,\n  \"batch\": %d,\n  \"figures\": [\n",
		opt.calls, BATCH);
	for (i = 0; i < nr_figs; i++) {
		struct fig *g = &figs[i];

		fprintf(f, "    {\"key\": ");
		json_str(f, g->key);
		fprintf(f, ", \"group\": ");
		json_str(f, g->group);
		fprintf(f, ", \"label\": ");
		json_str(f, g->label);
		fprintf(f, ", \"unit\": ");
		json_str(f, g->unit);
		if (g->na[0]) {
			fprintf(f, ", \"na\": ");
			json_str(f, g->na);
			fprintf(f, "}%s\n", i + 1 < nr_figs ? "," : "");
			continue;
		}
		fprintf(f, ", \"median\": %.3f, \"min\": %.3f, \"max\": %.3f, \"chunk_median\": ",
			g->med, g->min, g->max);
		json_num(f, g->med2);
		fprintf(f, ", \"repeats\": %d, \"values\": [", g->n);
		for (j = 0; j < g->n; j++)
			fprintf(f, "%s%.3f", j ? ", " : "", g->v[j]);
		fprintf(f, "], \"minflt_per_unit\": ");
		json_num(f, g->minflt);
		fprintf(f, ", \"dev_faults_per_unit\": ");
		json_num(f, g->faults);
		fprintf(f, ", \"dev_pages_around_per_unit\": ");
		json_num(f, g->around);
		fprintf(f, ", \"note\": ");
		json_str(f, g->note);
		fprintf(f, "}%s\n", i + 1 < nr_figs ? "," : "");
	}
	fprintf(f, "  ],\n  \"goals\": [\n");
	for (i = 0; i < nr_goals; i++) {
		struct goal *g = &goals[i];

		fprintf(f, "    {\"key\": ");
		json_str(f, g->key);
		fprintf(f, ", \"text\": ");
		json_str(f, g->text);
		fprintf(f, ", \"verdict\": ");
		json_str(f, verdict_keys[g->verdict]);
		if (g->band)
			fprintf(f, ", \"band\": [%.2f, %.2f]", g->lo2, g->hi2);
		else
			fprintf(f, ", \"limit\": %.2f, \"direction\": \"%s\"",
				g->limit, limit_op(g));
		if (g->verdict == V_NA) {
			fprintf(f, ", \"ratio\": null, \"ci\": null, \"reason\": ");
			json_str(f, g->na);
			fprintf(f, "}%s\n", i + 1 < nr_goals ? "," : "");
			continue;
		}
		fprintf(f, ", \"ratio\": %.4f, \"ci\": [%.4f, %.4f], \"paired_ratios\": [",
			g->ratio, g->ci_lo, g->ci_hi);
		for (j = 0; j < g->n; j++)
			fprintf(f, "%s%.4f", j ? ", " : "", g->q[j]);
		fprintf(f, "], \"detail\": ");
		json_str(f, g->detail);
		fprintf(f, "}%s\n", i + 1 < nr_goals ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

/* ------------------------------------------------------------------ */

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: mmap-test-bench [--pages N] [--repeats R] [--big-repeats R] [--calls N]\n"
		"                  [--sizes MiB,..] [--vmas N,..] [--only GROUP,..] [--quick]\n"
		"                  [--host-load S] [--emulated] [--json FILE] [--device PATH]\n"
		"                  [--cpu N] [--need-pages]\n"
		"                  [--huge-export FILE | --huge-import FILE]\n"
		"groups: faults warm populate syscalls fork teardown scaling growth vmas huge\n");
	exit(2);
}

static unsigned long parse_num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end)
		usage();
	return v;
}

static int parse_list(const char *s, unsigned long *list)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int n = 0;

	if (!copy)
		fail("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_LIST)
			usage();
		list[n] = parse_num(tok);
		if (!list[n])
			usage();
		n++;
	}
	free(copy);
	if (!n)
		usage();
	return n;
}

static unsigned int parse_groups(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;
	unsigned int g = 0, i;

	if (!copy)
		fail("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < MT_ARRAY_SIZE(group_names); i++)
			if (!strcmp(tok, group_names[i]))
				break;
		if (i == MT_ARRAY_SIZE(group_names))
			usage();
		g |= 1U << i;
	}
	free(copy);
	return g;
}

/* Buffer pages the device needs: the biggest mapping, plus one page. */
static unsigned long need_pages(void)
{
	unsigned long need = 1;
	int i;

	if (opt.groups & (G_FAULTS | G_WARM | G_POPULATE | G_FORK |
			  G_TEARDOWN | G_SCALING | G_HUGE))
		need = opt.pages;
	if (opt.groups & G_GROWTH)
		for (i = 0; i < opt.nr_sizes; i++)
			if (opt.sizes[i] * (1048576 / page_size) > need)
				need = opt.sizes[i] * (1048576 / page_size);
	return need;
}

static void set_quick(void)
{
	static const unsigned long sizes[] = { 1, 16, 64 };
	static const unsigned long vmas[] = { 10, 1000, 10000 };

	opt.pages = 4096;
	opt.repeats = MIN_REPEATS;
	opt.calls = 500;
	memcpy(opt.sizes, sizes, sizeof(sizes));
	opt.nr_sizes = MT_ARRAY_SIZE(sizes);
	memcpy(opt.vmas, vmas, sizeof(vmas));
	opt.nr_vmas = MT_ARRAY_SIZE(vmas);
}

int main(int argc, char **argv)
{
	int i, print_need = 0;
	struct utsname u;
	FILE *jf = stdout;
	double t0 = now_ns();

	page_size = sysconf(_SC_PAGESIZE);
	/* --quick first: later options override it. */
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--quick"))
			set_quick();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--emulated")) {
			opt.emulated = 1;
			continue;
		}
		if (!strcmp(a, "--need-pages")) {
			print_need = 1;
			continue;
		}
		if (!strcmp(a, "--quick"))
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help") || !v)
			usage();
		i++;
		if (!strcmp(a, "--pages"))
			opt.pages = parse_num(v);
		else if (!strcmp(a, "--repeats"))
			opt.repeats = parse_num(v);
		else if (!strcmp(a, "--big-repeats"))
			opt.big_repeats = parse_num(v);
		else if (!strcmp(a, "--calls"))
			opt.calls = parse_num(v);
		else if (!strcmp(a, "--sizes"))
			opt.nr_sizes = parse_list(v, opt.sizes);
		else if (!strcmp(a, "--vmas"))
			opt.nr_vmas = parse_list(v, opt.vmas);
		else if (!strcmp(a, "--only"))
			opt.groups = parse_groups(v);
		else if (!strcmp(a, "--host-load"))
			opt.host_load = v;
		else if (!strcmp(a, "--json"))
			opt.json = v;
		else if (!strcmp(a, "--device"))
			opt.device = v;
		else if (!strcmp(a, "--cpu"))
			opt.cpu = strtol(v, NULL, 0);
		else if (!strcmp(a, "--huge-export"))
			opt.huge_export = v;
		else if (!strcmp(a, "--huge-import"))
			opt.huge_import = v;
		else
			usage();
	}
	if (!opt.big_repeats)
		opt.big_repeats = opt.repeats;
	if (opt.repeats < MIN_REPEATS || opt.repeats > MAX_REPEATS ||
	    opt.big_repeats < MIN_REPEATS ||
	    opt.big_repeats > opt.repeats || !opt.pages ||
	    opt.calls < BATCH) {
		fprintf(stderr, "mmap-test-bench: --repeats must be %d..%d, --big-repeats %d..R, --pages > 0, --calls >= %d\n",
			MIN_REPEATS, MAX_REPEATS, MIN_REPEATS, BATCH);
		usage();
	}
	if (print_need) {
		printf("%lu\n", need_pages());
		return 0;
	}
	if (opt.big_repeats != opt.repeats)
		snprintf(big_note, sizeof(big_note),
			 "growth sizes >= 512 MiB use %d repeats (not %d) to bound the run time",
			 opt.big_repeats, opt.repeats);

	setvbuf(stdout, NULL, _IOLBF, 0);
	env.pinned = -1;
	if (opt.cpu != -1) {
		cpu_set_t set;
		int cpu = opt.cpu == -2 ? sched_getcpu() : opt.cpu;

		CPU_ZERO(&set);
		CPU_SET(cpu < 0 ? 0 : cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			progress("cannot pin to CPU %d: %s", cpu,
				 strerror(errno));
		else
			env.pinned = cpu < 0 ? 0 : cpu;
	}
	uname(&u);
	{
		unsigned long have = dev_buffer_pages();

		if (have < need_pages())
			fail("the device's buffer has %lu pages, these options need %lu: load mmap_test.ko with buffer_pages=%lu",
			     have, need_pages(), need_pages());
	}
	read_env();
	make_perm(opt.pages);
	progress("kernel %s %s, %lu pages, %d repeats", u.release, u.machine,
		 opt.pages, opt.repeats);

	if (opt.groups & G_FAULTS)
		bench_cold();
	if (opt.groups & G_WARM)
		bench_warm();
	if (opt.groups & G_POPULATE)
		bench_populate();
	if (opt.groups & G_SYSCALLS)
		bench_syscalls();
	if (opt.groups & G_FORK)
		bench_fork();
	if (opt.groups & G_TEARDOWN)
		bench_teardown();
	if (opt.groups & G_SCALING)
		bench_scaling();
	if (opt.groups & G_GROWTH)
		bench_growth();
	if (opt.groups & G_VMAS)
		bench_vmas();
	if (opt.groups & G_HUGE)
		bench_huge();
	restore_env();
	if (opt.huge_export) {
		progress("huge samples written to %s", opt.huge_export);
		return 0;
	}
	read_loadavg(env.load_after, sizeof(env.load_after));
	eval_goals();

	print_table(&u);
	if (opt.json) {
		jf = fopen(opt.json, "w");
		if (!jf)
			fail("open %s: %s", opt.json, strerror(errno));
		print_json(jf, &u);
		if (fclose(jf))
			fail("write %s: %s", opt.json, strerror(errno));
	} else {
		printf("BENCH-JSON-BEGIN\n");
		print_json(stdout, &u);
		printf("BENCH-JSON-END\n");
	}
	progress("done in %.0f s", (now_ns() - t0) / 1e9);
	return 0;
}
