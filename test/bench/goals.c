// SPDX-License-Identifier: GPL-2.0
/*
 * goals.c - the goals of mmap-test-bench.  A goal is the median of the
 * per-repeat paired ratios of two figures (or a combination of four), with
 * a confidence interval of at least 95% (median_ci(), which says its true
 * level); "met" when the whole interval is on
 * the good side of the limit, "NOT met" when it is wholly past it,
 * "inconclusive" otherwise.  To add a goal: a line in eval_goals().
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

const struct label verdict_labels[] = {
	[V_NA] = { "n/a", "n/a" },
	[V_MET] = { "met", "met" },
	[V_NOT_MET] = { "NOT met", "NOT-met" },
	[V_INCONCLUSIVE] = { "inconclusive", "inconclusive" },
	[V_INVALID] = { "invalid", "invalid" },
	[V_INFO] = { "info", "info" },
};

struct goal goals[MAX_GOALS];
int nr_goals;

static struct goal *new_goal(const char *key, const char *text,
			     double limit, int ge)
{
	struct goal *g;

	g = array_add(goals, &nr_goals, MAX_GOALS, sizeof(*g), "goals");
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
	g->level = median_ci(g->q, g->n, &g->ratio, &g->ci_lo, &g->ci_hi);
	g->verdict = g->info ? V_INFO : judge(g->ci_lo, g->ci_hi, g->limit, g->ge);
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

/* @g: the median of the paired ratios @num / @den, repeat by repeat. */
static void paired_ratio(struct goal *g, const char *num, const char *den)
{
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

static void goal_ratio(const char *key, const char *text, const char *num,
		       const char *den, double limit, int ge)
{
	paired_ratio(new_goal(key, text, limit, ge), num, den);
}

/* A ratio shown for information: no limit, the verdict "info". */
static void goal_info(const char *key, const char *text, const char *num,
		      const char *den)
{
	struct goal *g = new_goal(key, text, 0, 0);

	g->info = 1;
	paired_ratio(g, num, den);
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
	struct fig *d1;
	struct fig *d2;
	struct fig *s1, *s2;
	double sq[MAX_REPEATS], med, lo, hi;
	int r;

	g->wall_only = 1;	/* under icount all vCPUs share one host thread */
	d1 = goal_fig(g, "scaling.dev_shared.1t");
	d2 = goal_fig(g, "scaling.dev_shared.2t");
	s1 = goal_fig(g, "scaling.shmem_shared.1t");
	s2 = goal_fig(g, "scaling.shmem_shared.2t");

	if (!d1 || !d2 || !s1 || !s2)
		return;
	g->n = d1->n;
	for (r = 0; r < g->n; r++) {
		g->q[r] = (d1->v[r] / d2->v[r]) / (s1->v[r] / s2->v[r]);
		sq[r] = s1->v[r] / s2->v[r];
	}
	goal_finish(g);
	snprintf(g->detail, sizeof(g->detail),
		 "speed-up device %.2f, shmem %.2f", d1->med / d2->med,
		 s1->med / s2->med);
	/* A relative speed-up means something only if shmem speeds up. */
	median_ci(sq, g->n, &med, &lo, &hi);
	if (lo <= 1.0) {
		g->verdict = V_INVALID;
		snprintf(g->na, sizeof(g->na),
			 "shmem's own 2-thread speed-up %.2f [%.2f, %.2f] is not above 1",
			 med, lo, hi);
	}
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
		      const char *ref_fmt, const unsigned long *list, int n,
		      double tol)
{
	struct goal *g = new_goal(key, text, 1 + tol, 0);
	struct goal t;
	struct fig *base, *f, *rbase = NULL, *rf = NULL;
	double worst = -1;
	int i, r, inside = 1, outside = 0;
	char k[64];

	g->band = 1;
	g->lo2 = 1 - tol;
	g->hi2 = 1 + tol;
	snprintf(k, sizeof(k), fmt, list[0]);
	base = goal_fig(g, k);
	if (ref_fmt) {
		snprintf(k, sizeof(k), ref_fmt, list[0]);
		rbase = goal_fig(g, k);
		if (!rbase)
			return;
	}
	if (!base || n < 2)
		return;
	for (i = 1; i < n; i++) {
		snprintf(k, sizeof(k), fmt, list[i]);
		f = goal_fig(g, k);
		if (!f)
			return;
		if (ref_fmt) {
			snprintf(k, sizeof(k), ref_fmt, list[i]);
			rf = goal_fig(g, k);
			if (!rf)
				return;
		}
		memset(&t, 0, sizeof(t));
		t.n = f->n < base->n ? f->n : base->n;
		if (rf && rf->n < t.n)
			t.n = rf->n;
		/* the size's cost over the smallest's; over the reference's */
		for (r = 0; r < t.n; r++)
			t.q[r] = f->v[r] / base->v[r] /
				 (rf ? rf->v[r] / rbase->v[r] : 1);
		t.level = median_ci(t.q, t.n, &t.ratio, &t.ci_lo, &t.ci_hi);
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
			g->level = t.level;
			snprintf(g->detail, sizeof(g->detail),
				 "worst %s: %.0f vs %.0f %s",
				 strrchr(f->key, '.') + 1, f->med, base->med,
				 base->unit);
		}
	}
	g->verdict = outside ? V_NOT_MET : inside ? V_MET : V_INCONCLUSIVE;
}

/*
 * Huge mappings against huge mappings: the baseline must be mapped by
 * PMDs, that is take about one fault per PMD, not one per page (a side
 * that fell back to base pages takes one per page, or one per fault-around
 * window).  Anon THP that fell back makes the goal invalid (no huge
 * baseline to compare with); the device that fell back while anon THP did
 * not is the device's failure: NOT met, with the reason.
 */
static void goal_huge(void)
{
	struct goal *g = new_goal("huge_write",
				  "cold write-touch: device huge=1 / anon THP <= 1.5",
				  1.5, 0);
	struct fig *d, *a;

	paired_ratio(g, "huge.seq_write.dev_shared", "huge.seq_write.anon_thp");
	if (g->verdict == V_NA)
		return;
	d = find_fig("huge.seq_write.dev_shared");
	a = find_fig("huge.seq_write.anon_thp");
	if (a->minflt > 0.1) {
		g->verdict = V_INVALID;
		snprintf(g->na, sizeof(g->na),
			 "anon THP not PMD-mapped: %.3f faults per page",
			 a->minflt);
	} else if (d->minflt > 0.1) {
		g->verdict = V_NOT_MET;
		snprintf(g->na, sizeof(g->na),
			 "the device not PMD-mapped: %.3f faults per page (anon THP %.3f)",
			 d->minflt, a->minflt);
	}
}

/*
 * ALLOC_VMA+FREE_VMA (log_calls=0) against mmap+munmap, and what the pair
 * costs more, piece by piece, from the medians of the context rows:
 * - the ioctl path twice: an unknown ioctl (ENOTTY: fd lookup, the LSM
 *   hook, the dispatch) less a bare syscall (getppid), for each ioctl;
 * - the report: QUERY_VMA with log_calls=0 less the unknown ioctl, i.e.
 *   find_vma() under the mmap lock and its argument copied in and out;
 * - the rest: ALLOC's checks and second copy-out and FREE's copy-in, less
 *   what mmap(2) and munmap(2) do beyond vm_mmap() and vm_munmap().
 */
static void goal_alloc_free(void)
{
	struct goal *g = new_goal("alloc_free_nolog",
				  "ALLOC+FREE log_calls=0 / mmap+munmap <= 1.10",
				  1.10, 0);
	struct fig *a, *m, *nop, *enotty, *query;
	double d, path, report;

	paired_ratio(g, "syscall.ioctl_alloc_free_nolog",
		     "syscall.mmap_munmap");
	if (g->verdict == V_NA)
		return;
	a = find_fig("syscall.ioctl_alloc_free_nolog");
	m = find_fig("syscall.mmap_munmap");
	nop = find_fig("syscall.getppid");
	enotty = find_fig("syscall.ioctl_enotty");
	query = find_fig("syscall.ioctl_query_nolog");
	if (!nop || !enotty || !query || nop->na[0] || enotty->na[0] ||
	    query->na[0])
		return;
	d = a->med - m->med;
	path = 2 * (enotty->med - nop->med);
	report = query->med - enotty->med;
	snprintf(g->detail, sizeof(g->detail),
		 "+%.0f/pair: ioctl path 2x%.0f, report %.0f, rest %.0f",
		 d, path / 2, report, d - path - report);
}

void eval_goals(void)
{
	goal_ratio("cold_rand_read",
		   "cold rand-read whole: device shared / shmem <= 1.0",
		   "cold.rand_read.dev_shared", "cold.rand_read.shmem_shared",
		   1.0, 0);
	goal_ratio("cold_seq_read",
		   "cold seq-read whole: device shared / shmem <= 1.0",
		   "cold.seq_read.dev_shared", "cold.seq_read.shmem_shared",
		   1.0, 0);
	goal_ratio("cold_write",
		   "cold write-touch: device shared / shmem <= 1.0",
		   "cold.seq_write.dev_shared", "cold.seq_write.shmem_shared",
		   1.0, 0);
	/* a page cache against a driver without one: information */
	goal_info("cold_write_ref",
		  "cold write-touch: device / ref vmf_insert_pfn (info)",
		  "cold.seq_write.dev_shared", "cold.seq_write.ref_fault");
	goal_info("sparse_read",
		  "sparse rand-read 1/64: device shared / memfd (info)",
		  "sparse.rand_read.dev_shared", "sparse.rand_read.memfd_shared");
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
	goal_ratio("fork_private",
		   "fork+exit populated private: device / memfd <= 1.5",
		   "fork.dev_private", "fork.memfd_private", 1.5, 0);
	goal_ratio("teardown",
		   "munmap+close populated: device / memfd <= 1.0",
		   "teardown.munmap_close.dev_shared",
		   "teardown.munmap_close.memfd_shared", 1.0, 0);
	goal_alloc_free();
	goal_alloc_vmas();
	goal_scaling();
	goal_ratio("populate",
		   "populate: ALLOC+POPULATE / anon 4K MAP_POPULATE <= 2.0",
		   "populate.call.dev_shared_ioctl",
		   "populate.call.anon_private_nohuge", 2.0, 0);
	/* normalized by the anon reference's own growth, size by size */
	goal_flat("growth_seq_read",
		  "growth 1 MiB -> 1 GiB within +-20% (seq read)",
		  "growth.seq_read.%lu_mib",
		  "growth.ref_anon_nohuge_seq_write.%lu_mib", opt.sizes,
		  opt.nr_sizes, 0.2);
	goal_flat("growth_seq_write",
		  "growth 1 MiB -> 1 GiB within +-20% (seq write)",
		  "growth.seq_write.%lu_mib",
		  "growth.ref_anon_nohuge_seq_write.%lu_mib", opt.sizes,
		  opt.nr_sizes, 0.2);
	if (opt.nr_sizes > 1) {
		unsigned long a = opt.sizes[0], b = opt.sizes[opt.nr_sizes - 1];

		snprintf(goals[nr_goals - 2].text, sizeof(goals[0].text),
			 "growth %lu -> %lu MiB within +-20%% (seq read)", a,
			 b);
		snprintf(goals[nr_goals - 1].text, sizeof(goals[0].text),
			 "growth %lu -> %lu MiB within +-20%% (seq write)", a,
			 b);
	}
	goal_huge();
}
