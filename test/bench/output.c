// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - what mmap-test-bench prints: the table on stdout between
 * BENCH-TABLE-BEGIN and BENCH-TABLE-END (the environment block, one block
 * of rows per group, the goals, the fixed-format BENCH-SUMMARY lines that
 * scripts/bench.sh parses) and the JSON (format 2).
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

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

const char *limit_op(const struct goal *g)
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

void print_table(const struct utsname *u)
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

/* The "environment" object. */
static void json_env(FILE *f, const struct utsname *u)
{
	char buf[64];

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
}

/* The "figures" array's elements. */
static void json_figs(FILE *f)
{
	int i, j;

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
}

/* The "goals" array's elements. */
static void json_goals(FILE *f)
{
	int i, j;

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
}

/* The JSON document (format 2), which scripts/bench.sh saves. */
void print_json(FILE *f, const struct utsname *u)
{
	fprintf(f, "{\n  \"tool\": \"mmap-test-bench\",\n  \"format\": 2,\n");
	json_env(f, u);
	fprintf(f, "  \"pages\": %lu,\n  \"repeats\": %d,\n  \"big_repeats\": %d,\n",
		opt.pages, opt.repeats, opt.big_repeats);
	fprintf(f, "  \"calls\": %lu,\n  \"batch\": %d,\n  \"figures\": [\n",
		opt.calls, BATCH);
	json_figs(f);
	fprintf(f, "  ],\n  \"goals\": [\n");
	json_goals(f);
	fprintf(f, "  ]\n}\n");
}
