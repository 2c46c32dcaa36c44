// SPDX-License-Identifier: GPL-2.0
/*
 * bench-mmap - measure /dev/mmap-test against the kernel's own mmap paths
 *
 * Usage: bench-mmap [options]
 *
 * Run as root with mmap_test.ko loaded with buffer_pages >= what
 * "bench-mmap --need-pages" prints for the same options (one page more than
 * the biggest mapping; 1 GiB worth with the default sizes).  Measures:
 *
 *   faults     cold faults (fresh mapping; device: fresh fd, so buffer pages
 *              are allocated on first touch as shmem's are): sequential
 *              read, sequential write, random read over --pages pages on
 *              anon private, shmem shared (MAP_SHARED|MAP_ANONYMOUS),
 *              device private, device shared
 *   warm       a second mapping of pages that exist already: device
 *              shared/private against a filled memfd mapped again
 *   populate   the populate call itself (ALLOC_VMA with MMAP_TEST_POPULATE,
 *              mmap(2) MAP_POPULATE of the device, anon, shmem) and the
 *              touch after it
 *   syscalls   IOCTL_ALLOC_VMA + IOCTL_FREE_VMA against mmap + munmap of the
 *              same fd (device, 1 page, shared), per pair, with context
 *              rows (GET_STATS, QUERY_VMA, one /dev/kmsg line)
 *   growth     per-page fault cost of cold device shared mappings of
 *              --sizes MiB (default 1,16,256,1024)
 *   vmas       ALLOC_VMA (and FREE_VMA, mmap(2)) cost with --vmas extra
 *              VMAs in the mm (default 10,1000,10000,50000), made of
 *              alternating-prot anon pages so that they cannot merge
 *
 * Every figure is the median of the repeats with min and max, in ns per
 * page or per call (CLOCK_MONOTONIC); one untimed warm-up run precedes
 * them.  The figures a ratio compares are taken interleaved: each repeat
 * runs every variant of its group, and faults/warm touch their mappings in
 * turns of 512 pages, syscalls run in turns of 50 calls, so that bursts of
 * host load (the VM shares the host's CPUs) hit them alike.  The value of
 * one repeat is the median of its chunks (512 pages, 50 calls, or each
 * call for the VMA count), so that a chunk during which the host preempted
 * the VM does not move it; populate calls are timed whole.  Fault counts are shown beside the times: minflt (getrusage) and,
 * for device rows, GET_STATS faults and pages_around, all per page.  The
 * goals of the issue are printed as ratios of medians of this run with
 * "met" / "NOT met".  They are a benchmark, not tests: the exit status is
 * 0 when everything ran, 1 on an error, 2 on bad usage.
 *
 * Output: the table on stdout between BENCH-TABLE-BEGIN and
 * BENCH-TABLE-END, then JSON between BENCH-JSON-BEGIN and BENCH-JSON-END
 * (or into --json FILE).  Progress goes to stderr as "bench-mmap: ...".
 *
 * Options:
 *   --pages N        pages per fault figure (default 16384 = 64 MiB)
 *   --repeats R      repeats per figure, >= 5 (default 7)
 *   --big-repeats R  repeats for growth sizes >= 512 MiB (default: R)
 *   --calls N        calls per repeat for syscall figures (default 2000)
 *   --sizes LIST     growth sizes in MiB (default 1,16,256,1024)
 *   --vmas LIST      extra VMA counts (default 10,1000,10000,50000)
 *   --only LIST      groups to run: faults,warm,populate,syscalls,growth,vmas
 *   --emulated       say that the machine is emulated (qemu TCG)
 *   --json FILE      write the JSON to FILE instead of stdout
 *   --device PATH    default /dev/mmap-test
 *   --cpu N          pin to CPU N (default: the CPU we start on; -1: no)
 *   --need-pages     print the buffer_pages the options need and exit
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <linux/mmap_test.h>
#include "mmap_test_util.h"

#define MAX_REPEATS	64
#define MAX_FIGS	128
#define MAX_LIST	16
#define MAX_GOALS	16

enum group {
	G_FAULTS	= 1 << 0,
	G_WARM		= 1 << 1,
	G_POPULATE	= 1 << 2,
	G_SYSCALLS	= 1 << 3,
	G_GROWTH	= 1 << 4,
	G_VMAS		= 1 << 5,
	G_ALL		= 0x3f,
};

static const char * const group_names[] = {
	"faults", "warm", "populate", "syscalls", "growth", "vmas",
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
	K_DEV_PRIVATE,
	K_DEV_SHARED,
	K_MEMFD_SHARED,
	K_MEMFD_PRIVATE,
};

static const char * const kind_names[] = {
	[K_ANON_PRIVATE]	= "anon private",
	[K_ANON_NOHUGE]		= "anon private nohugepage",
	[K_SHMEM_SHARED]	= "shmem shared",
	[K_DEV_PRIVATE]		= "device private",
	[K_DEV_SHARED]		= "device shared",
	[K_MEMFD_SHARED]	= "memfd shared",
	[K_MEMFD_PRIVATE]	= "memfd private",
};

static const char * const kind_keys[] = {
	[K_ANON_PRIVATE]	= "anon_private",
	[K_ANON_NOHUGE]		= "anon_private_nohuge",
	[K_SHMEM_SHARED]	= "shmem_shared",
	[K_DEV_PRIVATE]		= "dev_private",
	[K_DEV_SHARED]		= "dev_shared",
	[K_MEMFD_SHARED]	= "memfd_shared",
	[K_MEMFD_PRIVATE]	= "memfd_private",
};

/* One repeat: a time and the fault counts, all per unit (page or call). */
struct sample {
	double ns;
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
	double v[MAX_REPEATS];
	double med, min, max;
	double minflt;		/* per unit, mean over repeats; < 0: n/a */
	double faults;		/* device GET_STATS faults per unit; < 0: n/a */
	double around;		/* device pages_around per unit; < 0: n/a */
	char note[64];
};

struct goal {
	char key[32];
	char text[96];
	char detail[128];
	double ratio;		/* the ratio compared with the limits */
	double lo, hi;		/* met when lo <= ratio <= hi */
	int have;		/* 0: a figure is missing */
	int met;
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
	int cpu;
} opt = {
	.pages		= 16384,
	.repeats	= 7,
	.big_repeats	= 0,
	.calls		= 2000,
	.sizes		= { 1, 16, 256, 1024 },
	.nr_sizes	= 4,
	.vmas		= { 10, 1000, 10000, 50000 },
	.nr_vmas	= 4,
	.groups		= G_ALL,
	.device		= MMAP_TEST_DEVICE,
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
static char thp_mode[32] = "unknown";

/* The bracketed word of a sysfs/procfs "a [b] c" file, or its first line. */
static void read_setting(const char *path, char *buf, size_t n)
{
	char line[256], *a, *b;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		a = strchr(line, '[');
		b = a ? strchr(a, ']') : NULL;
		if (a && b) {
			*b = 0;
			a++;
		} else {
			a = line;
		}
		if (strlen(a) >= n)
			a[n - 1] = 0;
		memcpy(buf, a, strlen(a) + 1);
	}
	fclose(f);
}

static void progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench-mmap: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void __attribute__((noreturn)) fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench-mmap: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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

static double median_of(double *v, unsigned long n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct fig *find_fig(const char *key)
{
	int i;

	for (i = 0; i < nr_figs; i++)
		if (!strcmp(figs[i].key, key))
			return &figs[i];
	return NULL;
}

/* Record a figure from @n samples; @dev: the fault columns apply. */
static struct fig *add_fig(const char *group, const char *key,
			   const char *label, const char *unit,
			   const struct sample *s, int n, int dev)
{
	struct fig *f;
	double sorted[MAX_REPEATS];
	int i;

	if (nr_figs == MAX_FIGS)
		fail("too many figures");
	f = &figs[nr_figs++];
	memset(f, 0, sizeof(*f));
	snprintf(f->key, sizeof(f->key), "%s", key);
	snprintf(f->group, sizeof(f->group), "%s", group);
	snprintf(f->label, sizeof(f->label), "%s", label);
	f->unit = unit;
	f->n = n;
	f->minflt = 0;
	f->faults = dev ? 0 : -1;
	f->around = dev ? 0 : -1;
	for (i = 0; i < n; i++) {
		f->v[i] = s[i].ns;
		sorted[i] = s[i].ns;
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
	return f;
}

/* ------------------------------------------------------------------ */
/* Touching pages */

static unsigned long xorshift(unsigned long *s)
{
	unsigned long x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

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

static char *map_kind(enum kind k, int fd, unsigned long len, int extra)
{
	int flags = extra;
	void *p;

	switch (k) {
	case K_ANON_PRIVATE:
	case K_ANON_NOHUGE:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		fd = -1;
		break;
	case K_SHMEM_SHARED:
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		fd = -1;
		break;
	case K_DEV_SHARED:
	case K_MEMFD_SHARED:
		flags |= MAP_SHARED;
		break;
	case K_DEV_PRIVATE:
	case K_MEMFD_PRIVATE:
		flags |= MAP_PRIVATE;
		break;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED)
		fail("mmap %s of %lu bytes: %s", kind_names[k], len,
		     strerror(errno));
	if (k == K_ANON_NOHUGE && madvise(p, len, MADV_NOHUGEPAGE))
		fail("madvise MADV_NOHUGEPAGE: %s", strerror(errno));
	return p;
}

/*
 * Map @n pages of kind @k (device: on @fd, or a fresh fd when @fd < 0),
 * time the touch and count the faults.  The mapping is gone on return.
 */
static void touch_once(enum kind k, int fd, unsigned long n,
		       enum pattern pat, struct sample *s)
{
	struct mmap_test_stats st0, st1;
	int own = 0;
	long f0, f1;
	char *p;

	if (kind_is_dev(k) && fd < 0) {
		fd = open_dev();
		own = 1;
	}
	p = map_kind(k, fd, n * page_size, 0);
	if (kind_is_dev(k))
		get_stats(fd, &st0);
	f0 = minflt_now();
	s->ns = touch(p, n, pat) / n;
	f1 = minflt_now();
	s->minflt = (double)(f1 - f0) / n;
	if (kind_is_dev(k)) {
		get_stats(fd, &st1);
		s->faults = (double)(st1.faults - st0.faults) / n;
		s->around = (double)(st1.pages_around - st0.pages_around) / n;
	}
	munmap(p, n * page_size);
	if (own)
		close(fd);
}

/*
 * Like touch_once() for @nv mappings at a time, of kinds @kinds (device:
 * on @fds[i], or a fresh fd when it is < 0), touched in turns of
 * TOUCH_CHUNK pages: a burst of host load hits every variant alike.  The
 * value of a variant is the median of its chunks' ns per page: a chunk
 * during which the host preempted the VM does not move it.  512 pages
 * make every chunk alike: each holds one 2 MiB boundary (THP) and a
 * whole number of fault-around windows.
 */
#define TOUCH_CHUNK	512
#define MAX_SET		8

static void touch_set(const enum kind *kinds, const int *fds, int nv,
		      unsigned long n, enum pattern pat, struct sample *out)
{
	unsigned long c, nc = (n + TOUCH_CHUNK - 1) / TOUCH_CHUNK;
	struct mmap_test_stats st0[MAX_SET], st1;
	int fd[MAX_SET], own[MAX_SET];
	long flt[MAX_SET] = { 0 };
	double *cns[MAX_SET];
	char *p[MAX_SET];
	int i;

	for (i = 0; i < nv; i++) {
		cns[i] = calloc(nc, sizeof(double));
		if (!cns[i])
			fail("out of memory");
		fd[i] = fds ? fds[i] : -1;
		own[i] = kind_is_dev(kinds[i]) && fd[i] < 0;
		if (own[i])
			fd[i] = open_dev();
		p[i] = map_kind(kinds[i], fd[i], n * page_size, 0);
		if (kind_is_dev(kinds[i]))
			get_stats(fd[i], &st0[i]);
	}
	for (c = 0; c < nc; c++) {
		unsigned long first = c * TOUCH_CHUNK;
		unsigned long cnt = n - first < TOUCH_CHUNK ? n - first :
							      TOUCH_CHUNK;

		for (i = 0; i < nv; i++) {
			long f0 = minflt_now();

			cns[i][c] = touch_range(p[i], first, cnt, pat) / cnt;
			flt[i] += minflt_now() - f0;
		}
	}
	for (i = 0; i < nv; i++) {
		out[i].ns = median_of(cns[i], nc);
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
 * Samples of up to MAX_VARIANTS variants, taken interleaved: repeat r runs
 * every variant once before repeat r + 1 starts, so that a burst of host
 * load hits the variants a ratio compares alike.  Repeat 0 is the warm-up.
 */
#define MAX_VARIANTS	(3 * MAX_LIST)
static struct sample samples[MAX_VARIANTS][MAX_REPEATS + 1];

static void bench_cold(void)
{
	static const enum kind kinds[] = {
		K_ANON_PRIVATE, K_ANON_NOHUGE, K_SHMEM_SHARED, K_DEV_PRIVATE,
		K_DEV_SHARED,
	};
	const int nk = MT_ARRAY_SIZE(kinds);
	char key[64], label[72];
	int pat, r, k;

	for (r = 0; r <= opt.repeats; r++) {
		struct sample out[MAX_SET];

		progress("cold faults: %s %d of %d", r ? "repeat" : "warm-up",
			 r, opt.repeats);
		for (pat = SEQ_READ; pat <= RAND_READ; pat++) {
			touch_set(kinds, NULL, nk, opt.pages, pat, out);
			for (k = 0; k < nk; k++)
				samples[pat * nk + k][r] = out[k];
		}
	}
	for (pat = SEQ_READ; pat <= RAND_READ; pat++) {
		for (k = 0; k < nk; k++) {
			snprintf(key, sizeof(key), "cold.%s.%s",
				 pattern_keys[pat], kind_keys[kinds[k]]);
			snprintf(label, sizeof(label), "cold %-9s %s",
				 pattern_names[pat], kind_names[kinds[k]]);
			add_fig("faults", key, label, "ns/page",
				samples[pat * nk + k] + 1, opt.repeats,
				kind_is_dev(kinds[k]));
		}
	}
}

/* A memfd of @n pages, filled with nonzero bytes through write(). */
static int make_memfd(unsigned long n)
{
	size_t chunk = 1 << 20;
	unsigned long len = n * page_size, off;
	char *buf;
	int fd;

	fd = memfd_create("bench-mmap", MFD_CLOEXEC);
	if (fd < 0)
		fail("memfd_create: %s", strerror(errno));
	if (ftruncate(fd, len))
		fail("ftruncate memfd: %s", strerror(errno));
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

static void bench_warm(void)
{
	static const enum kind kinds[] = {
		K_MEMFD_SHARED, K_MEMFD_PRIVATE, K_DEV_SHARED, K_DEV_PRIVATE,
	};
	const int nk = MT_ARRAY_SIZE(kinds);
	char key[64], label[72];
	int mfd, pat, r, k;
	struct sample first;
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
		touch_once(K_DEV_SHARED, fds[k], opt.pages, SEQ_WRITE, &first);
	}

	for (r = 0; r <= opt.repeats; r++) {
		struct sample out[MAX_SET];

		progress("warm faults: %s %d of %d", r ? "repeat" : "warm-up",
			 r, opt.repeats);
		for (pat = SEQ_READ; pat <= RAND_READ; pat++) {
			touch_set(kinds, fds, nk, opt.pages, pat, out);
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
				kind_is_dev(kinds[k]));
		}
	}
	for (k = 0; k < nk; k++)
		if (kind_is_dev(kinds[k]))
			close(fds[k]);
	close(mfd);
}

enum pop_kind { P_DEV_IOCTL, P_DEV_MMAP, P_ANON, P_ANON_NOHUGE, P_SHMEM };

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
	} else if (pk == P_ANON) {
		p = map_kind(K_ANON_PRIVATE, -1, len, MAP_POPULATE);
	} else if (pk == P_ANON_NOHUGE) {
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
	f2 = minflt_now();
	call->ns = (t1 - t0) / n;
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
	int pk, r;

	for (r = 0; r <= opt.repeats; r++) {
		progress("populate: %s %d of %d", r ? "repeat" : "warm-up", r,
			 opt.repeats);
		for (pk = P_DEV_IOCTL; pk <= P_SHMEM; pk++)
			populate_once(pk, &samples[2 * pk][r],
				      &samples[2 * pk + 1][r]);
	}
	for (pk = P_DEV_IOCTL; pk <= P_SHMEM; pk++) {
		int dev = pk == P_DEV_IOCTL || pk == P_DEV_MMAP;

		snprintf(key, sizeof(key), "populate.call.%s", pop_keys[pk]);
		snprintf(label, sizeof(label), "call  %s", pop_names[pk]);
		add_fig("populate", key, label, "ns/page",
			samples[2 * pk] + 1, opt.repeats, dev);
		snprintf(key, sizeof(key), "populate.touch.%s", pop_keys[pk]);
		snprintf(label, sizeof(label), "touch %s", pop_names[pk]);
		add_fig("populate", key, label, "ns/page",
			samples[2 * pk + 1] + 1, opt.repeats, dev);
	}
}

/* ------------------------------------------------------------------ */
/* Syscall paths */

enum call_kind {
	C_IOCTL_PAIR,		/* ALLOC_VMA + FREE_VMA, device shared */
	C_MMAP_PAIR,		/* mmap + munmap, same fd */
	C_IOCTL_ANON_PAIR,	/* ALLOC_VMA(ANON) + FREE_VMA */
	C_MMAP_ANON_PAIR,	/* mmap + munmap anonymous */
	C_STATS,		/* GET_STATS: an ioctl with no printk */
	C_QUERY,		/* QUERY_VMA: find_vma + one dev_info line */
	C_KMSG,			/* one info line written to /dev/kmsg */
};

static const char * const call_names[] = {
	[C_IOCTL_PAIR]		= "ALLOC_VMA+FREE_VMA device shared 1 page",
	[C_MMAP_PAIR]		= "mmap+munmap same fd shared 1 page",
	[C_IOCTL_ANON_PAIR]	= "ALLOC_VMA+FREE_VMA anon 1 page",
	[C_MMAP_ANON_PAIR]	= "mmap+munmap anon 1 page",
	[C_STATS]		= "ioctl GET_STATS (no printk)",
	[C_QUERY]		= "ioctl QUERY_VMA (find_vma + 1 dev_info)",
	[C_KMSG]		= "write(/dev/kmsg) one <6> line (printk)",
};

static const char * const call_keys[] = {
	[C_IOCTL_PAIR]		= "ioctl_alloc_free",
	[C_MMAP_PAIR]		= "mmap_munmap",
	[C_IOCTL_ANON_PAIR]	= "ioctl_alloc_free_anon",
	[C_MMAP_ANON_PAIR]	= "mmap_munmap_anon",
	[C_STATS]		= "ioctl_get_stats",
	[C_QUERY]		= "ioctl_query",
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

/* @calls calls of kind @ck on @fd; ns per call (or pair). */
static double calls_once(enum call_kind ck, int fd, int kmsg,
			 unsigned long calls)
{
	static const char line[] = "<6>bench-mmap: printk cost probe, one "
		"line about as long as the module's ALLOC/FREE log lines\n";
	struct mmap_test_alloc a;
	struct mmap_test_stats st;
	struct mmap_test_query q;
	unsigned long i;
	double t0;
	void *p;

	t0 = now_ns();
	for (i = 0; i < calls; i++) {
		switch (ck) {
		case C_IOCTL_PAIR:
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
		case C_KMSG:
			if (write(kmsg, line, sizeof(line) - 1) < 0)
				fail("write /dev/kmsg: %s", strerror(errno));
			break;
		}
	}
	return (now_ns() - t0) / calls;
}

#define SYSCALL_CHUNK	50

static void bench_syscalls(void)
{
	char key[64], devkmsg[32] = "";
	int fd, kmsg, ck, r, last = C_KMSG;
	double *cns[C_KMSG + 1];
	unsigned long c, nch;

	/* Rate-limited /dev/kmsg drops lines: it would not measure printk. */
	read_setting("/proc/sys/kernel/printk_devkmsg", devkmsg,
		     sizeof(devkmsg));
	fd = open_dev();
	kmsg = -1;
	if (!strcmp(devkmsg, "on"))
		kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (kmsg < 0) {
		progress("no printk row: /dev/kmsg not open or kernel.printk_devkmsg is '%s', not 'on'",
			 devkmsg);
		last = C_KMSG - 1;
	}
	memset(samples, 0, sizeof(samples));
	nch = (opt.calls + SYSCALL_CHUNK - 1) / SYSCALL_CHUNK;
	for (ck = C_IOCTL_PAIR; ck <= last; ck++) {
		cns[ck] = calloc(nch, sizeof(double));
		if (!cns[ck])
			fail("out of memory");
	}
	for (r = 0; r <= opt.repeats; r++) {
		progress("syscalls: %s %d of %d", r ? "repeat" : "warm-up", r,
			 opt.repeats);
		/*
		 * In turns of SYSCALL_CHUNK calls, so that load bursts hit
		 * every row alike; the value is the median chunk.
		 */
		for (c = 0; c < nch; c++) {
			unsigned long cnt = opt.calls - c * SYSCALL_CHUNK;

			if (cnt > SYSCALL_CHUNK)
				cnt = SYSCALL_CHUNK;
			for (ck = C_IOCTL_PAIR; ck <= last; ck++)
				cns[ck][c] = calls_once(ck, fd, kmsg, cnt);
		}
		for (ck = C_IOCTL_PAIR; ck <= last; ck++)
			samples[ck][r].ns = median_of(cns[ck], nch);
	}
	for (ck = C_IOCTL_PAIR; ck <= last; ck++)
		free(cns[ck]);
	for (ck = C_IOCTL_PAIR; ck <= last; ck++) {
		snprintf(key, sizeof(key), "syscall.%s", call_keys[ck]);
		add_fig("syscalls", key, call_names[ck],
			ck <= C_MMAP_ANON_PAIR ? "ns/pair" : "ns/call",
			samples[ck] + 1, opt.repeats, 0)->minflt = -1;
	}
	if (kmsg >= 0)
		close(kmsg);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Growth: per-page fault cost against the mapping size */

/*
 * @maps mappings of @n cold pages each, one after the other: device: on
 * disjoint ranges of one fresh fd (not one fd per mapping: each open
 * allocates the buffer's page array, whose vfree() flushes TLBs); anon
 * nohugepage: the reference, a path without the module.
 */
static void growth_once(enum kind k, unsigned long n, unsigned long maps,
			enum pattern pat, struct sample *out)
{
	unsigned long chunk = n < TOUCH_CHUNK ? n : TOUCH_CHUNK;
	unsigned long m, c, nc = 0, len = n * page_size;
	struct mmap_test_stats st0, st1;
	int dev = kind_is_dev(k);
	int fd = dev ? open_dev() : -1;
	double *cns;
	long flt = 0;

	cns = calloc(maps * ((n + chunk - 1) / chunk), sizeof(*cns));
	if (!cns)
		fail("out of memory");

	if (dev)
		get_stats(fd, &st0);
	for (m = 0; m < maps; m++) {
		char *p = dev ? mmap(NULL, len, PROT_READ | PROT_WRITE,
				     MAP_SHARED, fd, (off_t)(m * len)) :
				map_kind(k, -1, len, 0);
		long f0;

		if (p == MAP_FAILED)
			fail("mmap %lu bytes of the device at %lu: %s", len,
			     m * len, strerror(errno));
		f0 = minflt_now();
		for (c = 0; c < n; c += chunk) {
			unsigned long cnt = n - c < chunk ? n - c : chunk;

			cns[nc++] = touch_range(p, c, cnt, pat) / cnt;
		}
		flt += minflt_now() - f0;
		munmap(p, len);
	}
	out->ns = median_of(cns, nc);
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
#define NR_GROWTH_ROWS	MT_ARRAY_SIZE(growth_rows)

static void bench_growth(void)
{
	int si, r, max_reps = 0;
	char key[64], label[72];
	unsigned int g;

	for (si = 0; si < opt.nr_sizes; si++)
		if (growth_repeats(opt.sizes[si]) > max_reps)
			max_reps = growth_repeats(opt.sizes[si]);
	for (r = 0; r <= max_reps; r++) {
		progress("growth: %s %d of %d", r ? "repeat" : "warm-up", r,
			 max_reps);
		for (si = 0; si < opt.nr_sizes; si++) {
			unsigned long mib = opt.sizes[si];
			unsigned long n = mib * (1048576 / page_size);
			unsigned long maps = n >= opt.pages ? 1 :
					     opt.pages / n;

			if (r > growth_repeats(mib))
				continue;
			for (g = 0; g < NR_GROWTH_ROWS; g++)
				growth_once(growth_rows[g].kind, n, maps,
					    growth_rows[g].pat,
					    &samples[si * NR_GROWTH_ROWS + g][r]);
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
				growth_repeats(mib), kind_is_dev(k));
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

static void bench_vmas(void)
{
	unsigned long calls = opt.calls;
	double *ta, *tf, *tm;
	__u32 with[MAX_LIST];
	char key[64], label[72];
	int fd, vi, r;

	ta = calloc(calls, sizeof(*ta));
	tf = calloc(calls, sizeof(*tf));
	tm = calloc(calls, sizeof(*tm));
	if (!ta || !tf || !tm)
		fail("out of memory");
	fd = open_dev();
	memset(samples, 0, sizeof(samples));
	for (r = 0; r <= opt.repeats; r++) {
		progress("vmas: %s %d of %d", r ? "repeat" : "warm-up", r,
			 opt.repeats);
		for (vi = 0; vi < opt.nr_vmas; vi++) {
			unsigned long len, i;
			char *region = make_vmas(opt.vmas[vi], &len);
			struct mmap_test_alloc a;
			double t0;
			void *p;

			with[vi] = nr_vmas_now(fd);
			settle();
			for (i = 0; i < calls; i++) {
				t0 = now_ns();
				ioctl_alloc(fd, &a, MMAP_TEST_SHARED);
				ta[i] = now_ns() - t0;
				t0 = now_ns();
				ioctl_free(fd, a.mapped);
				tf[i] = now_ns() - t0;
				t0 = now_ns();
				p = mmap(NULL, page_size,
					 PROT_READ | PROT_WRITE, MAP_SHARED,
					 fd, 0);
				tm[i] = now_ns() - t0;
				if (p == MAP_FAILED)
					fail("mmap: %s", strerror(errno));
				munmap(p, page_size);
			}
			/* Per repeat: the median call, robust to preemption. */
			samples[3 * vi][r].ns = median_of(ta, calls);
			samples[3 * vi + 1][r].ns = median_of(tf, calls);
			samples[3 * vi + 2][r].ns = median_of(tm, calls);
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
				samples[3 * vi + w] + 1, opt.repeats,
				0)->minflt = -1;
		}
	}
	close(fd);
	free(ta);
	free(tf);
	free(tm);
}

/* ------------------------------------------------------------------ */
/* Goals */

static struct goal *new_goal(const char *key, const char *text,
			     double lo, double hi)
{
	struct goal *g = &goals[nr_goals++];

	memset(g, 0, sizeof(*g));
	snprintf(g->key, sizeof(g->key), "%s", key);
	snprintf(g->text, sizeof(g->text), "%s", text);
	g->lo = lo;
	g->hi = hi;
	return g;
}

static void goal_ratio(const char *key, const char *text, const char *num,
		       const char *den, double limit)
{
	struct fig *a = find_fig(num), *b = find_fig(den);
	struct goal *g = new_goal(key, text, 0, limit);

	if (!a || !b || b->med <= 0)
		return;
	g->have = 1;
	g->ratio = a->med / b->med;
	g->met = g->ratio <= limit;
	snprintf(g->detail, sizeof(g->detail),
		 "%.0f / %.0f %s; minima %.3f", a->med, b->med,
		 a->unit, b->min > 0 ? a->min / b->min : 0);
}

/*
 * The ratio to the figure @fmt % list[0] of the figure @fmt % list[i]
 * that is farthest from 1; 0 when a figure is missing.
 */
static double fig_val(const struct fig *f, int use_min)
{
	return use_min ? f->min : f->med;
}

static double flat_worst(const char *fmt, const unsigned long *list, int n,
			 int use_min, struct fig **base, struct fig **worst)
{
	double ratio = 1;
	struct fig *f;
	char k[64];
	int i;

	snprintf(k, sizeof(k), fmt, list[0]);
	*base = find_fig(k);
	*worst = NULL;
	if (!*base || fig_val(*base, use_min) <= 0)
		return 0;
	for (i = 1; i < n; i++) {
		double r;

		snprintf(k, sizeof(k), fmt, list[i]);
		f = find_fig(k);
		if (!f)
			return 0;
		r = fig_val(f, use_min) / fig_val(*base, use_min);
		if (!*worst || (r > 1 ? r - 1 : 1 - r) >
			       (ratio > 1 ? ratio - 1 : 1 - ratio)) {
			*worst = f;
			ratio = r;
		}
	}
	return ratio;
}

/*
 * Every figure @fmt % list[i] within +-@tol of the one of list[0].  @ref:
 * the same for reference figures (a path without the module), or NULL.
 */
static void goal_flat(const char *key, const char *text, const char *fmt,
		      const char *ref, const unsigned long *list, int n,
		      double tol)
{
	struct goal *g = new_goal(key, text, 1 - tol, 1 + tol);
	struct fig *base, *worst, *mbase, *mworst, *rbase, *rworst;
	double rratio = 0, mratio;
	char rtext[48] = "";

	if (n < 2)
		return;
	g->ratio = flat_worst(fmt, list, n, 0, &base, &worst);
	if (!worst)
		return;
	mratio = flat_worst(fmt, list, n, 1, &mbase, &mworst);
	if (ref)
		rratio = flat_worst(ref, list, n, 0, &rbase, &rworst);
	if (rratio > 0)
		snprintf(rtext, sizeof(rtext), "; without module %.2f",
			 rratio);
	g->have = 1;
	g->met = g->ratio >= g->lo && g->ratio <= g->hi;
	snprintf(g->detail, sizeof(g->detail),
		 "worst %s: %.0f vs %.0f %s; minima %.2f%s",
		 strrchr(worst->key, '.') + 1, worst->med, base->med,
		 base->unit, mratio, rtext);
}

static void eval_goals(void)
{
	char fmt[64];

	goal_ratio("cold_seq_read",
		   "cold seq read: device shared / shmem shared <= 1.0",
		   "cold.seq_read.dev_shared", "cold.seq_read.shmem_shared",
		   1.0);
	goal_ratio("cold_seq_write",
		   "cold write-touch: device shared / shmem shared <= 1.0",
		   "cold.seq_write.dev_shared", "cold.seq_write.shmem_shared",
		   1.0);
	goal_ratio("warm_seq_read",
		   "warm seq read: device shared / memfd 2nd mapping <= 1.0",
		   "warm.seq_read.dev_shared", "warm.seq_read.memfd_shared",
		   1.0);
	goal_ratio("populate",
		   "populate: device ALLOC+POPULATE / anon MAP_POPULATE <= 2.0",
		   "populate.call.dev_shared_ioctl",
		   "populate.call.anon_private", 2.0);
	goal_ratio("alloc_free",
		   "ioctl ALLOC+FREE / mmap+munmap same fd <= 1.10",
		   "syscall.ioctl_alloc_free", "syscall.mmap_munmap", 1.10);
	goal_flat("growth_seq_read",
		  "per-page fault cost 1 MiB -> 1 GiB within +-20% (seq read)",
		  "growth.seq_read.%lu_mib",
		  "growth.ref_anon_nohuge_seq_write.%lu_mib", opt.sizes,
		  opt.nr_sizes, 0.2);
	goal_flat("growth_seq_write",
		  "per-page fault cost 1 MiB -> 1 GiB within +-20% (seq write)",
		  "growth.seq_write.%lu_mib",
		  "growth.ref_anon_nohuge_seq_write.%lu_mib", opt.sizes,
		  opt.nr_sizes, 0.2);
	snprintf(fmt, sizeof(fmt), "vmas.alloc.%%lu");
	goal_flat("alloc_vmas",
		  "ALLOC cost 10 -> 50000 VMAs within +-20%",
		  fmt, "vmas.mmap.%lu", opt.vmas, opt.nr_vmas, 0.2);
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
		return "Cold faults: fresh mapping each repeat; device: fresh fd (pages allocated on first touch)";
	if (!strcmp(g, "warm"))
		return "Warm faults: pages exist (a first mapping wrote them); a new mapping faults them in";
	if (!strcmp(g, "populate"))
		return "Populate: the populating call itself, then a seq-read touch of the populated mapping";
	if (!strcmp(g, "syscalls"))
		return "Syscall paths: ns per ALLOC+FREE / mmap+munmap pair, or per call";
	if (!strcmp(g, "growth"))
		return "Growth: cold faults against the mapping size (small sizes: several mappings, one after the other,\nof disjoint ranges of one fresh fd); the anon nohugepage rows are a reference without the module";
	if (!strcmp(g, "vmas"))
		return "VMA count: 1-page device shared ALLOC_VMA / FREE_VMA / mmap(2) with N extra anon VMAs\n(each repeat: the median of its per-call times)";
	return g;
}

static const char *group_footer(const char *g)
{
	if (!strcmp(g, "syscalls"))
		return "ALLOC_VMA and FREE_VMA each add two find_vma() reports under mmap_lock, an snprintf() and one dev_info() line;\n  QUERY_VMA minus GET_STATS and the /dev/kmsg row show what a report and a printk cost here.";
	if (!strcmp(g, "faults"))
		return "Device shared read faults use fault-around (->map_pages, 16 pages); write faults and private mappings do not.";
	return NULL;
}

static void print_footer(const char *g)
{
	const char *t = g[0] ? group_footer(g) : NULL;

	if (t)
		printf("  note: %s\n", t);
}

static void print_table(const struct utsname *u)
{
	const char *last = "";
	int i, met = 0, have = 0;

	printf("BENCH-TABLE-BEGIN\n");
	printf("bench-mmap on %s %s (%s), %d repeats per figure (median, min, max), %lu pages = %lu MiB per fault figure\n",
	       u->sysname, u->release, u->machine, opt.repeats, opt.pages,
	       opt.pages * page_size >> 20);
	if (opt.emulated)
		printf("NOTE: this machine is emulated (qemu TCG, no KVM): absolute times are meaningless, only ratios between figures of this run carry meaning.\n");
	printf("Transparent huge pages: %s (anon private rows use huge pages where aligned; the nohugepage rows do not)\n",
	       thp_mode);
	if (big_note[0])
		printf("NOTE: %s\n", big_note);
	printf("Method: the variants of a group run interleaved (faults in turns of 512 pages, syscalls of 50 calls); one repeat's value is\n"
	       "the median of its chunks (per-call for the VMA count; populate calls timed whole), robust to the host preempting the VM.\n");
	printf("Columns: minflt = minor faults (getrusage) per unit; faults / around = the device's GET_STATS faults / pages_around per unit.\n");
	for (i = 0; i < nr_figs; i++) {
		struct fig *f = &figs[i];
		char c1[16], c2[16], c3[16];

		if (strcmp(f->group, last)) {
			print_footer(last);
			printf("\n%s\n", group_title(f->group));
			printf("  %-52s %-8s %10s %10s %10s %3s %7s %7s %7s\n",
			       "figure", "unit", "median", "min", "max", "n",
			       "minflt", "faults", "around");
			last = f->group;
		}
		fmt_count(c1, sizeof(c1), f->minflt);
		fmt_count(c2, sizeof(c2), f->faults);
		fmt_count(c3, sizeof(c3), f->around);
		printf("  %-52s %-8s %10.0f %10.0f %10.0f %3d %7s %7s %7s%s%s\n",
		       f->label, f->unit, f->med, f->min, f->max, f->n, c1, c2,
		       c3, f->note[0] ? "  " : "", f->note);
	}
	print_footer(last);
	printf("\nGoals (ratios of medians of this run; a benchmark, not a test).  minima: the same ratio of the min figures;\n"
	       "without module: the same spread for the kernel's own path (anon nohugepage faults; mmap(2) for the VMA count)\n");
	for (i = 0; i < nr_goals; i++) {
		struct goal *g = &goals[i];

		if (!g->have) {
			printf("  %-62s %8s  n/a (not measured)\n", g->text,
			       "");
			continue;
		}
		have++;
		met += g->met;
		printf("  %-62s %8.3f  %-7s (%s)\n", g->text, g->ratio,
		       g->met ? "met" : "NOT met", g->detail);
	}
	printf("Goals met: %d of %d measured\n", met, have);
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

static void print_json(FILE *f, const struct utsname *u)
{
	int i, j;

	fprintf(f, "{\n  \"tool\": \"bench-mmap\",\n  \"format\": 1,\n");
	fprintf(f, "  \"kernel\": ");
	json_str(f, u->release);
	fprintf(f, ",\n  \"machine\": ");
	json_str(f, u->machine);
	fprintf(f, ",\n  \"emulated\": %s,\n", opt.emulated ? "true" : "false");
	fprintf(f, "  \"clock\": \"CLOCK_MONOTONIC\",\n  \"thp\": ");
	json_str(f, thp_mode);
	fprintf(f, ",\n");
	fprintf(f, "  \"page_size\": %ld,\n  \"pages\": %lu,\n", page_size,
		opt.pages);
	fprintf(f, "  \"repeats\": %d,\n  \"big_repeats\": %d,\n",
		opt.repeats, opt.big_repeats);
	fprintf(f, "  \"calls\": %lu,\n  \"figures\": [\n", opt.calls);
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
		fprintf(f, ", \"median\": %.3f, \"min\": %.3f, \"max\": %.3f, \"repeats\": %d, \"values\": [",
			g->med, g->min, g->max, g->n);
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
		if (g->have)
			fprintf(f, ", \"ratio\": %.4f, \"met\": %s",
				g->ratio, g->met ? "true" : "false");
		else
			fprintf(f, ", \"ratio\": null, \"met\": null");
		fprintf(f, ", \"low\": %.2f, \"high\": %.2f, \"detail\": ",
			g->lo, g->hi);
		json_str(f, g->detail);
		fprintf(f, "}%s\n", i + 1 < nr_goals ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

/* ------------------------------------------------------------------ */

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: bench-mmap [--pages N] [--repeats R] [--big-repeats R] [--calls N]\n"
		"                  [--sizes MiB,..] [--vmas N,..] [--only GROUP,..]\n"
		"                  [--emulated] [--json FILE] [--device PATH] [--cpu N]\n"
		"                  [--need-pages]\n"
		"groups: faults warm populate syscalls growth vmas\n");
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

	if (opt.groups & (G_FAULTS | G_WARM | G_POPULATE))
		need = opt.pages;
	if (opt.groups & G_GROWTH)
		for (i = 0; i < opt.nr_sizes; i++)
			if (opt.sizes[i] * (1048576 / page_size) > need)
				need = opt.sizes[i] * (1048576 / page_size);
	return need;
}

int main(int argc, char **argv)
{
	int i, print_need = 0;
	struct utsname u;
	FILE *jf = stdout;
	double t0 = now_ns();

	page_size = sysconf(_SC_PAGESIZE);
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
		else if (!strcmp(a, "--json"))
			opt.json = v;
		else if (!strcmp(a, "--device"))
			opt.device = v;
		else if (!strcmp(a, "--cpu"))
			opt.cpu = strtol(v, NULL, 0);
		else
			usage();
	}
	if (!opt.big_repeats)
		opt.big_repeats = opt.repeats;
	if (opt.repeats < 5 || opt.repeats > MAX_REPEATS ||
	    opt.big_repeats < 1 || opt.big_repeats > MAX_REPEATS ||
	    !opt.pages || !opt.calls) {
		fprintf(stderr, "bench-mmap: --repeats must be 5..%d, --big-repeats 1..%d, --pages and --calls > 0\n",
			MAX_REPEATS, MAX_REPEATS);
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
	if (opt.cpu != -1) {
		cpu_set_t set;
		int cpu = opt.cpu == -2 ? sched_getcpu() : opt.cpu;

		CPU_ZERO(&set);
		CPU_SET(cpu < 0 ? 0 : cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			progress("cannot pin to CPU %d: %s", cpu,
				 strerror(errno));
	}
	uname(&u);
	read_setting("/sys/kernel/mm/transparent_hugepage/enabled", thp_mode,
		     sizeof(thp_mode));
	if (opt.groups & (G_FAULTS | G_WARM | G_POPULATE | G_GROWTH |
			  G_SYSCALLS | G_VMAS)) {
		unsigned long have = dev_buffer_pages();

		if (have < need_pages())
			fail("the device's buffer has %lu pages, these options need %lu: load mmap_test.ko with buffer_pages=%lu",
			     have, need_pages(), need_pages());
	}
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
	if (opt.groups & G_GROWTH)
		bench_growth();
	if (opt.groups & G_VMAS)
		bench_vmas();
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
