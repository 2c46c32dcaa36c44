// SPDX-License-Identifier: GPL-2.0
/*
 * rows-huge.c - the "huge" group of mmap-test-bench: cold write-touch of
 * a device shared mapping with the module loaded with huge=1 against anon
 * private MADV_HUGEPAGE, and the export/import of its samples across the
 * module reload.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

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

void bench_huge(void)
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
	if (mt_file_read_line(HUGE_PARAM, v, sizeof(v)))
		v[0] = '\0';
	if (strcmp(v, "Y")) {
		huge_figs("n/a (the module is not loaded with huge=1)");
		return;
	}
	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		struct sample out[2];

		bench_progress("huge: %s %d of %d", r ? "repeat" : "warm-up", r,
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
		bench_fail("open %s: %s", opt.huge_export, strerror(errno));
	for (k = HUGE_DEV; k <= HUGE_ANON; k++)
		for (r = 1; r <= opt.repeats; r++)
			fprintf(f, "%d %d %.17g %.17g %.17g %.17g %.17g\n", k,
				r, samples[k][r].ns, samples[k][r].ns2,
				samples[k][r].minflt, samples[k][r].faults,
				samples[k][r].around);
	if (fclose(f))
		bench_fail("write %s: %s", opt.huge_export, strerror(errno));
}
