// SPDX-License-Identifier: GPL-2.0
/*
 * guided.c - the coverage-guided mode of mmap-test-fuzz:
 *
 *   mmap-test-fuzz --guided --seconds S [--corpus DIR] [--seeds DIR]
 *                  [--seed N] [--no-kcov] [--pcs-out FILE] [-v]
 *   mmap-test-fuzz --replay FILE...
 *
 * An input is a sequence of records (test/lib/mt_record.h): ioctls with
 * their argument blocks, touches, read/write/lseek of the device, mmap(2)
 * of it and mprotect/madvise/mremap/munmap of what the input mapped, on
 * three fds opened fresh per input (O_RDWR, O_RDONLY, O_RDWR).
 *
 * The loop runs the seeds (--seeds DIR, and the files already in the
 * corpus directory) first, then mutations of the corpus: bit and byte
 * flips, a 64- or 32-bit field replaced by an edge value (0, 1, the page
 * size +-1, the buffer's size, TASK_SIZE, ~0...), a little arithmetic,
 * records inserted, deleted, duplicated or swapped, two inputs spliced;
 * recently added entries are picked a little more often.  An input that
 * reached a PC of the module (KCOV) or an edge (a hash of two consecutive
 * PCs, in a 64 Ki bitmap) never seen before joins the corpus.  Without
 * KCOV (--no-kcov, the mock build) the feedback is each record's outcome
 * (op, command, errno), enough to exercise the loop.
 *
 * The inputs run in a forked child (gexec.c) that keeps running inputs
 * until it has run GCHILD_EXECS of them; the parent writes each input into
 * a MAP_SHARED page before the child runs it, so that it still has it when
 * the child dies.  A child killed by a signal, a kernel taint
 * (/proc/sys/kernel/tainted) that changes, an input that runs longer than
 * GTIMEOUT seconds or a broken contract (gexec.c) is a crash: the input is
 * saved as <corpus>/../crashes/crash-<hash>, printed as one line
 *   # fuzz-crash crash-<hash> <the input in hex>
 * and the run FAILs.  Progress, at least once a minute and at the end:
 *   fuzz-guided: t=<s>s execs=<N> corpus=<N> pcs=<N> edges=<N> new_pcs=<N>
 * and last "fuzz-guided: PASS execs=N pcs=N corpus=N" (exit 0) or
 * "fuzz-guided: FAIL <reason>" (exit 1).  The corpus directory (default
 * $MMAP_TEST_EXPORT_DIR/fuzz-guided/corpus, else ./fuzz-guided/corpus)
 * receives the corpus at the end, one file per input named by its hash.
 *
 * --replay runs each FILE once in the same way and prints one line each,
 * "fuzz-replay: <file>: ok records=N trace=N" or "...: FAIL <reason>"; the
 * exit status is 1 when any failed (exit 2: a file could not be read);
 * trace=N: the length of its KCOV trace (PCs run, repeats included).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fuzz.h"
#include "guided.h"

#define GEDGES		65536UL		/* edge bitmap, bytes */
#define GCORPUS		4096		/* corpus entries, at most */
#define GCHILD_EXECS	500		/* inputs per executing child */
#define GTIMEOUT	60		/* seconds per input */
#define GKCOV_WORDS	262144UL	/* trace buffer, in PCs */

/* Shared by the parent and the executing child. */
struct gshm {
	struct kcov_set pcs;
	unsigned char edges[GEDGES];
	unsigned long nedges;
	size_t cur_len;
	unsigned char cur[GMAX_BYTES];
	int failed;
	char reason[256];
	unsigned long new_pcs, new_edges, input_pcs, stray;
	int kcov_ok;
};

struct centry {
	unsigned char *buf;
	size_t len;
};

static struct gshm *g;
static struct centry corpus[GCORPUS];
static int ncorpus;
static struct mt_rng grng;
static bool use_kcov = true;
static int gverbose;
static pid_t child = -1;
static int to_child = -1, from_child = -1;
static unsigned long child_execs;
static unsigned long taint0;
static char crash_dir[4096];
static const char *pcs_out;

static unsigned long long rnd_u(unsigned long long n)
{
	return mt_rng_below(&grng, n);
}

/* ---- inputs as bytes and as records ---------------------------------- */

/* The records of @buf (at most @max); -1 when it is not an input. */
static int decode(const unsigned char *buf, size_t len, struct grec *v,
		  int max)
{
	size_t off = MT_REC_MAGIC_LEN;
	int n = 0;

	if (len < MT_REC_MAGIC_LEN ||
	    memcmp(buf, MT_REC_MAGIC, MT_REC_MAGIC_LEN))
		return -1;
	while (off < len && n < max) {
		if (len - off < sizeof(struct mt_rec))
			return -1;
		memcpy(&v[n].r, buf + off, sizeof(struct mt_rec));
		off += sizeof(struct mt_rec);
		if (len - off < v[n].r.len)
			return -1;
		memset(v[n].data, 0, sizeof(v[n].data));
		memcpy(v[n].data, buf + off, v[n].r.len);
		off += v[n].r.len;
		n++;
	}
	return n;
}

static size_t encode(const struct grec *v, int n, unsigned char *buf)
{
	size_t off = MT_REC_MAGIC_LEN;
	int i;

	memcpy(buf, MT_REC_MAGIC, MT_REC_MAGIC_LEN);
	for (i = 0; i < n; i++) {
		memcpy(buf + off, &v[i].r, sizeof(struct mt_rec));
		off += sizeof(struct mt_rec);
		memcpy(buf + off, v[i].data, v[i].r.len);
		off += v[i].r.len;
	}
	return off;
}

static unsigned long long fnv1a(const unsigned char *p, size_t n)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* ---- the executing child ----------------------------------------------- */

static void note_pc(unsigned long long pc, unsigned long long *prev)
{
	unsigned long e;

	g->input_pcs++;
	if (kcov_set_add(&g->pcs, pc))
		g->new_pcs++;
	e = ((*prev * 0x9e3779b97f4a7c15ULL) ^ pc) * 0xff51afd7ed558ccdULL
		>> 48;
	if (!g->edges[e % GEDGES]) {
		g->edges[e % GEDGES] = 1;
		g->nedges++;
		g->new_edges++;
	}
	*prev = pc;
}

static void child_main(int in, int out)
{
	static struct grec v[GMAX_RECS];
	static struct gexec_result res;
	struct kcov *k = NULL;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (gexec_setup()) {
		fprintf(stderr, "fuzz-guided: executor setup: %s\n",
			strerror(errno));
		_exit(3);
	}
	if (use_kcov) {
		k = kcov_start(GKCOV_WORDS);
		if (!k) {
			fprintf(stderr, "fuzz-guided: kcov: %s\n",
				strerror(errno));
			_exit(3);
		}
	}
	g->kcov_ok = !!k;
	while (read(in, &c, 1) == 1) {
		unsigned long long prev = 0;
		const unsigned long *pcs;
		unsigned long npcs, i;
		int n = decode(g->cur, g->cur_len, v, GMAX_RECS);

		g->new_pcs = 0;
		g->new_edges = 0;
		g->input_pcs = 0;
		if (n < 0)
			n = 0;
		memset(&res, 0, sizeof(res));
		if (k)
			kcov_reset(k);
		g->failed = gexec_run(v, n, &res);
		if (k) {
			npcs = kcov_read(k, &pcs);
			for (i = 0; i < npcs; i++)
				note_pc(pcs[i], &prev);
		} else {
			for (i = 0; i < (unsigned long)n; i++)
				note_pc(((unsigned long long)v[i].r.op << 56) ^
					((unsigned long long)v[i].r.cmd << 16) ^
					(v[i].r.ptr << 8) ^ res.out[i] ^ 1,
					&prev);
		}
		snprintf(g->reason, sizeof(g->reason), "%s", res.reason);
		g->stray += res.stray;
		if (write(out, "r", 1) != 1)
			break;
	}
	_exit(0);
}

static void child_stop(void)
{
	int status;

	if (child < 0)
		return;
	close(to_child);
	close(from_child);
	if (waitpid(child, &status, 0) < 0)
		status = 0;
	child = -1;
}

static int child_start(void)
{
	int a[2], b[2];

	if (pipe(a) || pipe(b))
		return -1;
	fflush(stdout);
	child = fork();
	if (child < 0)
		return -1;
	if (!child) {
		close(a[1]);
		close(b[0]);
		child_main(a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	to_child = a[1];
	from_child = b[0];
	child_execs = 0;
	return 0;
}

/* /proc/sys/kernel/tainted; 0 when unreadable. */
static unsigned long read_taint(void)
{
	unsigned long long t = 0;	/* left as is on an error */

	mt_file_read_ull("/proc/sys/kernel/tainted", &t);
	return t;
}

/* How a run ended. */
enum { RUN_OK, RUN_CONTRACT, RUN_SIGNAL, RUN_TAINT, RUN_TIMEOUT, RUN_SETUP };

/* Run @buf in the child; RUN_*, *why set for the failures. */
static int run_input(const unsigned char *buf, size_t len, char *why,
		     size_t n)
{
	struct pollfd pfd;
	unsigned long t;
	int status;
	char c;

	if (child >= 0 && child_execs >= GCHILD_EXECS)
		child_stop();
	if (child < 0 && child_start()) {
		snprintf(why, n, "fork: %s", strerror(errno));
		return RUN_SETUP;
	}
	g->cur_len = len;
	memcpy(g->cur, buf, len);
	child_execs++;
	if (write(to_child, "x", 1) != 1)
		goto died;
	pfd.fd = from_child;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, GTIMEOUT * 1000) == 0) {
		kill(child, SIGKILL);
		child_stop();
		snprintf(why, n, "timeout: an input ran %d s", GTIMEOUT);
		return RUN_TIMEOUT;
	}
	if (read(from_child, &c, 1) != 1)
		goto died;
	t = read_taint();
	if (t != taint0) {
		snprintf(why, n, "kernel taint %#lx -> %#lx", taint0, t);
		taint0 = t;
		return RUN_TAINT;
	}
	if (g->failed) {
		snprintf(why, n, "contract: %s", g->reason);
		return RUN_CONTRACT;
	}
	return RUN_OK;
died:
	close(to_child);
	close(from_child);
	waitpid(child, &status, 0);
	child = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		snprintf(why, n, "the executor could not start");
		return RUN_SETUP;
	}
	if (WIFSIGNALED(status))
		snprintf(why, n, "the executor died of signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(why, n, "the executor exited with status %d",
			 WEXITSTATUS(status));
	return RUN_SIGNAL;
}

/* ---- files ------------------------------------------------------------- */

static int mkdirs(const char *path)
{
	char p[4096];
	char *s;

	snprintf(p, sizeof(p), "%s", path);
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

static int write_file(const char *path, const unsigned char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool ok;

	if (fd < 0)
		return -1;
	ok = write(fd, buf, len) == (ssize_t)len;
	return close(fd) || !ok ? -1 : 0;
}

/* The file at @path, at most @max bytes; NULL (errno) on error. */
static unsigned char *read_file(const char *path, size_t max, size_t *len)
{
	unsigned char *buf = malloc(max + 1);
	ssize_t n;
	size_t got = 0;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (got <= max && (n = read(fd, buf + got, max + 1 - got)) > 0)
		got += n;
	close(fd);
	*len = got;
	return buf;
}

/* Save a crash and print it; the name. */
static void save_crash(const unsigned char *buf, size_t len, const char *why)
{
	char path[4200 + 32], *hex;
	size_t i;

	snprintf(path, sizeof(path), "%s/crash-%016llx", crash_dir,
		 fnv1a(buf, len));
	mkdirs(crash_dir);
	if (write_file(path, buf, len))
		printf("fuzz-guided: cannot write %s: %s\n", path,
		       strerror(errno));
	hex = malloc(2 * len + 1);
	if (hex) {
		for (i = 0; i < len; i++)
			sprintf(hex + 2 * i, "%02x", buf[i]);
		hex[2 * len] = '\0';
		printf("# fuzz-crash crash-%016llx %s\n", fnv1a(buf, len), hex);
		free(hex);
	}
	printf("fuzz-guided: crash saved as %s: %s\n", path, why);
	fflush(stdout);
}

/* ---- mutation ---------------------------------------------------------- */

static unsigned long long edge64(void)
{
	unsigned long long bufsz = buf_pages << pshift;
	const unsigned long long v[] = {
		0, 1, 2, 7, 8, ps - 1, ps, ps + 1, 2 * ps, bufsz - ps, bufsz,
		bufsz + ps, buf_pages, buf_pages - 1, buf_pages + 1,
		task_size, task_size - ps, task_size + ps, 1ULL << 47,
		1ULL << 63, ~0ULL, ~0ULL - ps + 2, -4095ULL, 0x7fffffffULL,
		0x80000000ULL, 0xffffffffULL, GARENA, GARENA - ps,
		~0ULL >> pshift, (~0ULL >> pshift) + 1,
	};

	if (!rnd_u(8))
		return mt_rng_next(&grng);
	return v[rnd_u(MT_ARRAY_SIZE(v))];
}

static unsigned int edge32(void)
{
	const unsigned int v[] = {
		0, 1, 2, 3, 4, 7, 8, 0x10, 0x20, 0x3f, 0x40, 0x7fffffff,
		0x80000000, 0xffffffff, IOCTL_ALLOC_VMA, IOCTL_FREE_VMA,
		IOCTL_QUERY_VMA, IOCTL_GET_STATS,
	};

	return v[rnd_u(MT_ARRAY_SIZE(v))];
}

static unsigned int pick_cmd(void)
{
	const unsigned int base[] = {
		IOCTL_ALLOC_VMA, IOCTL_FREE_VMA, IOCTL_QUERY_VMA,
		IOCTL_GET_STATS,
	};
	unsigned int c = base[rnd_u(4)];

	switch (rnd_u(8)) {
	case 0:		/* other direction bits */
		return (c & ~(3U << _IOC_DIRSHIFT)) |
			(unsigned int)rnd_u(4) << _IOC_DIRSHIFT;
	case 1:		/* other size */
		return (c & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
			(unsigned int)rnd_u(256) << _IOC_SIZESHIFT;
	case 2:		/* other number */
		return _IOC(_IOC_READ | _IOC_WRITE, MMAP_TEST_IOC_MAGIC,
			    rnd_u(16), 128);
	case 3:
		return (unsigned int)mt_rng_next(&grng);
	default:
		return c;
	}
}

/* A new record, fields from the edges of the contract. */
static void gen_record(struct grec *x)
{
	unsigned long r = rnd_u(100);

	memset(x, 0, sizeof(*x));
	x->r.fd = rnd_u(MT_REC_FDS);
	if (r < 50) {
		static const unsigned int cmds[] = {
			IOCTL_ALLOC_VMA, IOCTL_ALLOC_VMA, IOCTL_ALLOC_VMA,
			IOCTL_FREE_VMA, IOCTL_FREE_VMA, IOCTL_QUERY_VMA,
			IOCTL_QUERY_VMA, IOCTL_GET_STATS,
		};
		unsigned int cmd = rnd_u(10) ? cmds[rnd_u(8)] : pick_cmd();

		x->r.op = MT_REC_IOCTL;
		x->r.cmd = cmd;
		x->r.ptr = rnd_u(10) ? MT_PTR_VALID : rnd_u(MT_PTR_NKINDS);
		if (cmd == IOCTL_ALLOC_VMA) {
			struct mmap_test_alloc a = { 0 };

			a.len = (1 + rnd_u(buf_pages)) << pshift;
			a.pgoff = rnd_u(buf_pages);
			a.prot = rnd_u(8);
			a.flags = rnd_u(2) ? MMAP_TEST_SHARED : MMAP_TEST_PRIVATE;
			if (!rnd_u(3)) {
				a.flags |= MMAP_TEST_FIXED;
				a.addr = rnd_u(GARENA >> pshift) << pshift;
			}
			if (!rnd_u(6))
				a.flags |= MMAP_TEST_POPULATE;
			if (!rnd_u(6))
				a.flags |= MMAP_TEST_ANON;
			if (!rnd_u(8))
				a.flags |= MMAP_TEST_FIXED_NOREPLACE;
			x->r.len = 40;
			memcpy(x->data, &a, 40);
		} else if (cmd == IOCTL_FREE_VMA || cmd == IOCTL_QUERY_VMA) {
			struct mmap_test_free f = { 0 };

			f.addr = rnd_u(buf_pages) << pshift;
			f.len = (1 + rnd_u(buf_pages)) << pshift;
			x->r.flags = MT_REC_REL;
			x->r.c = rnd_u(3);
			if (!rnd_u(4)) {
				x->r.c = MT_REC_ANCHOR + rnd_u(5);
				f.addr = rnd_u(2) ? 0 : edge64();
			}
			x->r.len = 24;
			memcpy(x->data, &f, 24);
		}
		return;
	}
	x->r.a = rnd_u(3);
	x->r.b = rnd_u(buf_pages);
	x->r.c = rnd_u(buf_pages);
	if (r < 66) {
		x->r.op = MT_REC_TOUCH;
		x->r.b = rnd_u(buf_pages << pshift);
		x->r.ptr = rnd_u(3);
	} else if (r < 74) {
		x->r.op = MT_REC_MMAP;
		x->r.a = 0;
		x->r.b = (1 + rnd_u(buf_pages)) << pshift;
		x->r.c = rnd_u(buf_pages) << pshift;
		x->r.cmd = rnd_u(8) | (unsigned int)rnd_u(16) << 8;
		if (x->r.cmd & (MT_MMAP_FIXED << 8))
			x->r.a = rnd_u(GARENA >> pshift) << pshift;
	} else if (r < 78) {
		x->r.op = MT_REC_MPROTECT;
		x->r.cmd = rnd_u(8);
	} else if (r < 82) {
		x->r.op = MT_REC_MADVISE;
		x->r.cmd = rnd_u(32);
	} else if (r < 85) {
		x->r.op = MT_REC_MREMAP;
		x->r.cmd = rnd_u(2);
	} else if (r < 88) {
		x->r.op = MT_REC_MUNMAP;
		x->r.cmd = 1;
	} else if (r < 95) {
		x->r.op = MT_REC_READ + rnd_u(3);	/* READ, WRITE, LSEEK */
		x->r.a = rnd_u(3) ? rnd_u(2 * ps) : edge64();
		x->r.cmd = rnd_u(5);
		if (x->r.op == MT_REC_WRITE) {
			x->r.len = rnd_u(MT_REC_DATA);
			memset(x->data, 'A' + rnd_u(26), x->r.len);
		}
	} else {
		x->r.op = MT_REC_REOPEN;
		x->r.cmd = rnd_u(2);
	}
}

/* A pointer to a random 8- or 4-aligned field of @x. */
static void *field(struct grec *x, size_t width)
{
	size_t slots = x->r.len / width, k = rnd_u(3 + slots);

	if (width == 4 && k == 0)
		return &x->r.cmd;
	if (k < 3)
		return width == 8 ? (void *)(&x->r.a + k) : (void *)&x->r.cmd;
	return x->data + (k - 3) * width;
}

static int mutate(struct grec *v, int n)
{
	static struct grec o[GMAX_RECS];
	int rounds = 1 + rnd_u(4);

	while (rounds--) {
		struct grec *x = n ? &v[rnd_u(n)] : NULL;
		unsigned long long *f64;
		unsigned int *f32;
		int i, j, m;

		switch (rnd_u(14)) {
		case 0:		/* bit flip */
		case 1:
			if (!x)
				break;
			i = rnd_u(sizeof(x->r) + x->r.len);
			if (i < (int)sizeof(x->r))
				((unsigned char *)&x->r)[i] ^= 1 << rnd_u(8);
			else
				x->data[i - sizeof(x->r)] ^= 1 << rnd_u(8);
			break;
		case 2:		/* byte */
			if (!x)
				break;
			i = rnd_u(sizeof(x->r) + x->r.len);
			if (i < (int)sizeof(x->r) && i != 4)
				((unsigned char *)&x->r)[i] = rnd_u(256);
			else if (i >= (int)sizeof(x->r))
				x->data[i - sizeof(x->r)] = rnd_u(256);
			break;
		case 3:		/* 64-bit edge */
		case 4:
			if (!x)
				break;
			f64 = field(x, 8);
			*f64 = edge64();
			break;
		case 5:		/* 32-bit edge */
			if (!x)
				break;
			f32 = field(x, 4);
			*f32 = edge32();
			break;
		case 6:		/* arithmetic */
			if (!x)
				break;
			f64 = field(x, 8);
			*f64 += (rnd_u(2) ? 1 : ps) *
				(long long)(rnd_u(33) - 16);
			break;
		case 7:		/* insert */
			if (n >= GMAX_RECS)
				break;
			i = rnd_u(n + 1);
			memmove(&v[i + 1], &v[i], (n - i) * sizeof(*v));
			gen_record(&v[i]);
			n++;
			break;
		case 8:		/* delete */
			if (n <= 1)
				break;
			i = rnd_u(n);
			memmove(&v[i], &v[i + 1], (n - i - 1) * sizeof(*v));
			n--;
			break;
		case 9:		/* duplicate */
			if (!x || n >= GMAX_RECS)
				break;
			i = rnd_u(n + 1);
			memmove(&v[i + 1], &v[i], (n - i) * sizeof(*v));
			v[i] = *(x >= &v[i] ? x + 1 : x);
			n++;
			break;
		case 10:	/* swap */
			if (n < 2)
				break;
			i = rnd_u(n);
			j = rnd_u(n);
			o[0] = v[i];
			v[i] = v[j];
			v[j] = o[0];
			break;
		case 11:	/* splice */
			if (!ncorpus)
				break;
			j = rnd_u(ncorpus);
			m = decode(corpus[j].buf, corpus[j].len, o, GMAX_RECS);
			if (m <= 0)
				break;
			i = rnd_u(n + 1);
			j = rnd_u(m);
			if (i + m - j > GMAX_RECS)
				m = GMAX_RECS - i + j;
			memcpy(&v[i], &o[j], (m - j) * sizeof(*v));
			n = i + m - j;
			break;
		case 12:	/* command */
			if (!x)
				break;
			x->r.op = MT_REC_IOCTL;
			x->r.cmd = pick_cmd();
			if (x->r.len < 24 && rnd_u(2))
				x->r.len = 40;
			break;
		default:	/* pointer kind, fd, REL */
			if (!x)
				break;
			switch (rnd_u(3)) {
			case 0:
				x->r.ptr = rnd_u(MT_PTR_NKINDS);
				break;
			case 1:
				x->r.fd = rnd_u(MT_REC_FDS);
				break;
			default:
				x->r.flags ^= MT_REC_REL;
				x->r.c = rnd_u(4) ? rnd_u(3) :
					MT_REC_ANCHOR + rnd_u(5);
				break;
			}
			break;
		}
	}
	if (!n) {
		gen_record(&v[0]);
		n = 1;
	}
	return n;
}

/* ---- corpus ------------------------------------------------------------ */

static bool corpus_add(const unsigned char *buf, size_t len)
{
	unsigned char *c;

	if (ncorpus >= GCORPUS)
		return false;
	c = malloc(len);
	if (!c)
		return false;
	memcpy(c, buf, len);
	corpus[ncorpus].buf = c;
	corpus[ncorpus].len = len;
	ncorpus++;
	return true;
}

/* Recent entries a little more often: a third from the newest eighth. */
static int corpus_pick(void)
{
	int recent = ncorpus / 8 + 1;

	if (rnd_u(3) == 0)
		return ncorpus - 1 - rnd_u(recent);
	return rnd_u(ncorpus);
}

static int corpus_save(const char *dir)
{
	char path[4200];
	int i, saved = 0;

	if (mkdirs(dir))
		return -1;
	for (i = 0; i < ncorpus; i++) {
		snprintf(path, sizeof(path), "%s/%016llx", dir,
			 fnv1a(corpus[i].buf, corpus[i].len));
		if (!write_file(path, corpus[i].buf, corpus[i].len))
			saved++;
	}
	return saved;
}

/* The inputs (file names) of @dir, appended to the list; bad ones counted. */
static void load_dir(const char *dir, unsigned char ***list, size_t **lens,
		     int *n, int *bad)
{
	static struct grec v[GMAX_RECS];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4200];
		unsigned char *buf, *enc;
		size_t len;
		int m;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		buf = read_file(path, 1 << 20, &len);
		if (!buf)
			continue;
		m = decode(buf, len, v, GMAX_RECS);	/* the first ones */
		free(buf);
		if (m <= 0) {
			(*bad)++;
			continue;
		}
		enc = malloc(GMAX_BYTES);
		*list = realloc(*list, (*n + 1) * sizeof(**list));
		*lens = realloc(*lens, (*n + 1) * sizeof(**lens));
		if (!enc || !*list || !*lens)
			break;
		(*lens)[*n] = encode(v, m, enc);
		(*list)[*n] = enc;
		(*n)++;
	}
	closedir(d);
}

/* ---- the modes --------------------------------------------------------- */

static int common_setup(void)
{
	struct mmap_test_stats st;
	char why[160];
	bool exact;
	int fd, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	unsetenv("MMAP_TEST_RECORD_DIR");
	signal(SIGPIPE, SIG_IGN);
	ps = mt_mem_page_size();
	pshift = mt_mem_page_shift();
	task_size = mt_mem_task_size(&exact);
	g = mmap(NULL, sizeof(*g), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g == MAP_FAILED || !task_size) {
		printf("fuzz-guided: FAIL setup: %s\n", strerror(errno));
		return 1;
	}
	fd = dev_open(O_RDWR);
	if (fd < 0) {
		printf("fuzz-guided: FAIL open %s: %s\n", MMAP_TEST_DEVICE,
		       strerror(errno));
		return 1;
	}
	memset(&st, 0, sizeof(st));
	r = dev_ioctl(fd, IOCTL_GET_STATS, (unsigned long)&st);
	dev_close(fd);
	if (r || !st.buffer_pages) {
		printf("fuzz-guided: FAIL GET_STATS: %s\n", mt_errno_name(-r));
		return 1;
	}
	buf_pages = st.buffer_pages;
	if (use_kcov && !kcov_probe(why, sizeof(why))) {
		printf("fuzz-guided: kcov unavailable: %s (feedback: the outcomes only)\n",
		       why);
		use_kcov = false;
	}
	taint0 = read_taint();
	return 0;
}

static int replay_files(int nfiles, char **files)
{
	static struct grec v[GMAX_RECS];
	static unsigned char enc[GMAX_BYTES];
	int i, fails = 0;

	for (i = 0; i < nfiles; i++) {
		unsigned char *buf;
		char why[300] = "";
		size_t len, elen;
		int m, r;

		buf = read_file(files[i], 1 << 20, &len);
		if (!buf) {
			printf("fuzz-replay: %s: %s\n", files[i],
			       strerror(errno));
			return 2;
		}
		m = decode(buf, len, v, GMAX_RECS);
		free(buf);
		if (m < 0) {
			printf("fuzz-replay: %s: not an input (bad magic or truncated record)\n",
			       files[i]);
			return 2;
		}
		elen = encode(v, m, enc);
		r = run_input(enc, elen, why, sizeof(why));
		if (r == RUN_OK) {
			printf("fuzz-replay: %s: ok records=%d trace=%lu\n",
			       files[i], m, g->input_pcs);
		} else {
			printf("fuzz-replay: %s: FAIL %s\n", files[i], why);
			fails++;
		}
	}
	child_stop();
	return fails ? 1 : 0;
}

static void progress(double t0, unsigned long execs, unsigned long *last)
{
	unsigned long pcs = atomic_load(&g->pcs.count);

	printf("fuzz-guided: t=%.0fs execs=%lu corpus=%d pcs=%lu edges=%lu new_pcs=%lu\n",
	       mt_time_now() - t0, execs, ncorpus, pcs, g->nedges,
	       pcs - *last);
	*last = pcs;
}

static void guided_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --guided --seconds S [--corpus DIR] [--seeds DIR] [--seed N] [--no-kcov] [-v]\n"
		"       %s --replay FILE...\n"
		"  --seconds S  how long to fuzz (default 60)\n"
		"  --corpus DIR the corpus, read at the start and written at the end\n"
		"               (default $MMAP_TEST_EXPORT_DIR/fuzz-guided/corpus, else\n"
		"               ./fuzz-guided/corpus); crashes go to DIR/../crashes\n"
		"  --seeds DIR  every file of DIR is an initial input\n"
		"  --seed N     the PRNG's seed (default: time-based; printed)\n"
		"  --no-kcov    feedback from the outcomes only\n"
		"  --pcs-out F  write the module's .text address and the PCs to F\n",
		prog, prog);
}

int guided_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "guided", no_argument, NULL, 'g' },
		{ "replay", no_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "corpus", required_argument, NULL, 'c' },
		{ "seeds", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "no-kcov", no_argument, NULL, 'k' },
		{ "pcs-out", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct grec v[GMAX_RECS];
	static unsigned char enc[GMAX_BYTES];
	const char *seeds = NULL, *export = getenv("MMAP_TEST_EXPORT_DIR");
	char corpus_dir[4096] = "", why[300];
	unsigned char **init = NULL;
	size_t *init_len = NULL;
	int ninit = 0, bad = 0, c, r, i;
	unsigned long execs = 0, last_pcs = 0;
	unsigned long long seed = 0;
	uint64_t sm;
	bool is_replay = false, seeded = false;
	double seconds = 60, t0, last;
	char *slash;

	while ((c = getopt_long(argc, argv, "vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			break;
		case 'r':
			is_replay = true;
			break;
		case 'S':
			seconds = atof(optarg);
			break;
		case 'c':
			snprintf(corpus_dir, sizeof(corpus_dir), "%s", optarg);
			break;
		case 'd':
			seeds = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'k':
			use_kcov = false;
			break;
		case 'o':
			pcs_out = optarg;
			break;
		case 'v':
			gverbose++;
			break;
		default:
			guided_usage(argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (is_replay ? optind >= argc : optind < argc) {
		guided_usage(argv[0]);
		return 2;
	}
	if (common_setup())
		return 1;
	if (!corpus_dir[0])
		snprintf(corpus_dir, sizeof(corpus_dir), "%s%sfuzz-guided/corpus",
			 export && *export ? export : ".",
			 "/");
	snprintf(crash_dir, sizeof(crash_dir), "%s", corpus_dir);
	slash = strrchr(crash_dir, '/');
	if (slash && slash != crash_dir)
		snprintf(slash, crash_dir + sizeof(crash_dir) - slash,
			 "/crashes");
	else
		snprintf(crash_dir, sizeof(crash_dir), "crashes");
	if (is_replay)
		return replay_files(argc - optind, argv + optind);

	if (!seeded)
		seed = (unsigned long long)time(NULL) ^
			((unsigned long long)getpid() << 32);
	sm = seed;
	mt_rng_seed(&grng, &sm);
	if (seeds)
		load_dir(seeds, &init, &init_len, &ninit, &bad);
	i = ninit;
	load_dir(corpus_dir, &init, &init_len, &ninit, &bad);
	printf("fuzz-guided: seed=%llu seconds=%.0f corpus=%s seeds=%d (+%d from the corpus, %d empty or malformed) kcov=%s buffer_pages=%lu\n",
	       seed, seconds, corpus_dir, i, ninit - i, bad,
	       use_kcov ? "yes" : "no", buf_pages);

	t0 = mt_time_now();
	last = t0;
	for (i = 0; mt_time_now() - t0 < seconds; i++) {
		const unsigned char *in;
		size_t len;
		int n;

		if (i < ninit) {
			in = init[i];
			len = init_len[i];
		} else {
			if (ncorpus) {
				int k = corpus_pick();

				n = decode(corpus[k].buf, corpus[k].len, v,
					   GMAX_RECS);
				if (n < 0)
					n = 0;
			} else {
				n = 0;
			}
			n = mutate(v, n);
			len = encode(v, n, enc);
			in = enc;
		}
		r = run_input(in, len, why, sizeof(why));
		execs++;
		if (r != RUN_OK) {
			if (r != RUN_SETUP)
				save_crash(in, len, why);
			progress(t0, execs, &last_pcs);
			corpus_save(corpus_dir);
			printf("fuzz-guided: FAIL %s\n", why);
			child_stop();
			return 1;
		}
		if (g->new_pcs || g->new_edges) {
			corpus_add(in, len);
			if (gverbose)
				printf("fuzz-guided: corpus %d: +%lu pcs +%lu edges, %zu bytes\n",
				       ncorpus, g->new_pcs, g->new_edges, len);
		}
		if (mt_time_now() - last >= 30) {
			progress(t0, execs, &last_pcs);
			last = mt_time_now();
		}
	}
	child_stop();
	progress(t0, execs, &last_pcs);
	if (pcs_out && kcov_set_write(&g->pcs, pcs_out))
		printf("fuzz-guided: cannot write %s: %s\n", pcs_out,
		       strerror(errno));
	r = corpus_save(corpus_dir);
	if (r < 0)
		printf("fuzz-guided: cannot save the corpus in %s: %s\n",
		       corpus_dir, strerror(errno));
	else
		printf("fuzz-guided: saved %d inputs in %s (stray device mappings unmapped: %lu)\n",
		       r, corpus_dir, g->stray);
	printf("fuzz-guided: PASS execs=%lu pcs=%lu corpus=%d\n", execs,
	       (unsigned long)atomic_load(&g->pcs.count), ncorpus);
	return 0;
}
