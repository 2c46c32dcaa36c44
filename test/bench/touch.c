// SPDX-License-Identifier: GPL-2.0
/*
 * touch.c - the kinds of mapping mmap-test-bench compares (anon, shmem,
 * memfd, hugetlb, device, reference driver) and touching them.
 *
 * touch_set() is the fault rows' measurement: several variants mapped at
 * once and touched in turns of TOUCH_CHUNK pages, in an order drawn per
 * repeat (variant_at()), so that a burst of host load hits every variant
 * alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

const struct label pattern_labels[] = {
	[SEQ_READ] = { "seq-read", "seq_read" },
	[SEQ_WRITE] = { "seq-write", "seq_write" },
	[RAND_READ] = { "rand-read", "rand_read" },
};

const struct label kind_labels[] = {
	[K_ANON_PRIVATE] = { "anon private", "anon_private" },
	[K_ANON_NOHUGE] = { "anon private nohugepage", "anon_private_nohuge" },
	[K_SHMEM_SHARED] = { "shmem shared", "shmem_shared" },
	[K_MEMFD_THP] = { "memfd shared MADV_HUGEPAGE", "memfd_thp" },
	[K_HUGETLB] = { "hugetlb shared", "hugetlb" },
	[K_DEV_PRIVATE] = { "device private", "dev_private" },
	[K_DEV_SHARED] = { "device shared", "dev_shared" },
	[K_REF_FAULT] = { "ref drv vmf_insert_pfn", "ref_fault" },
	[K_REF_PREFAULT] = { "ref drv prefault at mmap", "ref_prefault" },
	[K_MEMFD_SHARED] = { "memfd shared", "memfd_shared" },
	[K_MEMFD_PRIVATE] = { "memfd private", "memfd_private" },
	[K_ANON_THP] = { "anon private MADV_HUGEPAGE", "anon_thp" },
};

long page_size;
volatile unsigned long sink;	/* keeps the reads of a touch */
static unsigned long *perm;	/* random page order, opt.pages entries */

void make_perm(unsigned long n)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned long i;

	perm = malloc(n * sizeof(*perm));
	if (!perm)
		bench_fail("out of memory");
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		unsigned long j = mt_rng_xorshift64(&seed) % (i + 1);
		unsigned long t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
}

/*
 * Touch one byte of each of the pages [@first, @first + @n) of @p (for
 * RAND_READ: the pages perm[@first..]); return the elapsed ns.
 */
double touch_range(char *p, unsigned long first, unsigned long n,
		   enum pattern pat)
{
	volatile char *v = p;
	unsigned long i, end = first + n, sum = 0;
	double t0, t1;

	t0 = mt_time_now_ns();
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
	t1 = mt_time_now_ns();
	sink += sum;
	return t1 - t0;
}

double touch_pages(char *p, unsigned long n, enum pattern pat)
{
	return touch_range(p, 0, n, pat);
}

int kind_is_dev(enum kind k)
{
	return k == K_DEV_PRIVATE || k == K_DEV_SHARED;
}

/* Kinds that map an fd of their own, opened per mapping when none given. */
static int kind_has_fd(enum kind k)
{
	return kind_is_dev(k) || k == K_REF_FAULT || k == K_REF_PREFAULT ||
	       k == K_MEMFD_THP;
}

int make_memfd_empty(unsigned long len)
{
	int fd = memfd_create("mmap-test-bench", MFD_CLOEXEC);

	if (fd < 0)
		bench_fail("memfd_create: %s", strerror(errno));
	if (ftruncate(fd, len))
		bench_fail("ftruncate memfd: %s", strerror(errno));
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
char *try_map_kind(enum kind k, int fd, unsigned long len, int extra)
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
		bench_fail("madvise MADV_NOHUGEPAGE: %s", strerror(errno));
	if (k == K_ANON_THP && madvise(p, len, MADV_HUGEPAGE))
		bench_fail("madvise MADV_HUGEPAGE: %s", strerror(errno));
	if (k == K_MEMFD_THP && madvise(p, len, MADV_HUGEPAGE))
		bench_fail("madvise MADV_HUGEPAGE: %s", strerror(errno));
	return p;
}

char *map_kind(enum kind k, int fd, unsigned long len, int extra)
{
	char *p = try_map_kind(k, fd, len, extra);

	if (!p)
		bench_fail("mmap %s of %lu bytes: %s", kind_labels[k].name, len,
			   strerror(errno));
	return p;
}

/*
 * Time one touch of @nv mappings of @n pages at a time, of kinds @kinds
 * (for kinds with an fd: on @fds[i], or a fresh one when it is < 0),
 * touched in turns of TOUCH_CHUNK pages so that a burst of host load hits
 * every variant alike; @r draws the order (variant_at()).  A variant's primary value is
 * the whole touch, mmap() included (the prefault driver works there), per
 * page; the secondary is its median chunk.  512 pages make every chunk
 * alike: one 2 MiB boundary (THP), whole fault-around windows.
 */
void touch_set(const enum kind *kinds, const int *fds, int nv,
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

		i = variant_at(j, r, nv);
		cns[i] = calloc(nc, sizeof(double));
		if (!cns[i])
			bench_fail("out of memory");
		fd[i] = fds ? fds[i] : -1;
		own[i] = kind_has_fd(kinds[i]) && fd[i] < 0;
		if (own[i])
			fd[i] = open_kind(kinds[i], n * page_size);
		if (kind_is_dev(kinds[i]))
			get_stats(fd[i], &st0[i]);
		f0 = minflt_now();
		t0 = mt_time_now_ns();
		p[i] = map_kind(kinds[i], fd[i], n * page_size, 0);
		whole[i] = mt_time_now_ns() - t0;
		flt[i] = minflt_now() - f0;
	}
	for (c = 0; c < nc; c++) {
		unsigned long first = c * TOUCH_CHUNK;
		unsigned long cnt = n - first < TOUCH_CHUNK ? n - first :
							      TOUCH_CHUNK;

		for (j = 0; j < nv; j++) {
			long f0 = minflt_now();
			double t;

			i = variant_at(j, r, nv);
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
		out[i].faults = 0;	/* the device's counters: none elsewhere */
		out[i].around = 0;
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

/*
 * The fault rows' measurement: the warm-up (repeat 0) and opt.repeats
 * repeats of touch_set() for each pattern, into samples[pat * nk + k][r];
 * @what names the rows in the progress line.
 */
void touch_patterns(const char *what, const enum kind *kinds, const int *fds,
		    int nk)
{
	int pat, r, k;

	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		struct sample out[MAX_SET];

		bench_progress("%s: %s %d of %d", what, r ? "repeat" : "warm-up",
			       r, opt.repeats);
		for (pat = SEQ_READ; pat <= RAND_READ; pat++) {
			touch_set(kinds, fds, nk, opt.pages, pat, r, out);
			for (k = 0; k < nk; k++)
				samples[pat * nk + k][r] = out[k];
		}
	}
}

/* A fault row's key "WHAT.PATTERN.KIND" and label "WHAT PATTERN KIND". */
void fault_row_name(const char *what, enum pattern pat, enum kind k,
		    char *key, size_t nkey, char *label, size_t nlabel)
{
	snprintf(key, nkey, "%s.%s.%s", what, pattern_labels[pat].key,
		 kind_labels[k].key);
	snprintf(label, nlabel, "%s %-9s %s", what, pattern_labels[pat].name,
		 kind_labels[k].name);
}

/*
 * With MT_TRACE set to a tracefs directory: @on, this process's pid into
 * its set_ftrace_pid, then tracing on; !@on, tracing off.
 */
void trace_pid_and_on(int on)
{
	const char *dir = getenv("MT_TRACE");
	char path[256], pid[32];

	if (!dir)
		return;
	if (on) {
		snprintf(path, sizeof(path), "%s/set_ftrace_pid", dir);
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		if (write_file(path, pid))
			bench_fail("write %s: %s", path, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/tracing_on", dir);
	if (write_file(path, on ? "1" : "0"))
		bench_fail("write %s: %s", path, strerror(errno));
}

/*
 * --touch-once KIND: one cold sequential write-touch of opt.pages pages of
 * a fresh mapping of KIND (a kind's key: dev_shared, shmem_shared,
 * ref_fault, ...), for PROFILE=1's tracer: prints the time per page and
 * exits 0, or 2 for an unknown KIND.
 */
int touch_once(const char *key)
{
	unsigned long len = opt.pages * page_size;
	int k, fd = -1;
	double t0, t;
	char *p;

	for (k = 0; k < NR_KINDS; k++)
		if (kind_labels[k].key && !strcmp(key, kind_labels[k].key))
			break;
	if (k == NR_KINDS) {
		fprintf(stderr, "mmap-test-bench: --touch-once: no kind %s\n", key);
		return 2;
	}
	if (kind_is_dev(k) || k == K_REF_FAULT || k == K_REF_PREFAULT ||
	    k == K_MEMFD_THP || k == K_MEMFD_SHARED || k == K_MEMFD_PRIVATE)
		fd = k == K_MEMFD_SHARED || k == K_MEMFD_PRIVATE ?
		     make_memfd_empty(len) : open_kind(k, len);
	/* MT_TRACE=<tracefs>: trace this process, the touch only */
	trace_pid_and_on(1);
	t0 = mt_time_now_ns();
	p = map_kind(k, fd, len, 0);
	touch_pages(p, opt.pages, SEQ_WRITE);
	t = mt_time_now_ns() - t0;
	trace_pid_and_on(0);
	printf("touch-once %s: %lu pages, %.0f ns/page\n", key, opt.pages,
	       t / opt.pages);
	munmap(p, len);
	if (fd >= 0)
		close(fd);
	return 0;
}
