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
	const struct bench_group *t = bench_group(g);

	return t ? t->title : g;
}

static void print_footer(const char *g)
{
	const struct bench_group *t = bench_group(g);

	if (t && t->footer)
		printf("  note: %s\n", t->footer);
}

static void print_env(const struct utsname *u)
{
	int i;

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
	printf("  CPU:               %s\n", env.cpu_model);
	printf("  kernel cmdline:    %s\n", env.cmdline);
	printf("  clock:             %s\n", opt.clock);
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
	for (i = 0; i < opt.nr_extra_env; i++) {
		const char *eq = strchr(opt.extra_env[i], '=');
		char key[64];

		snprintf(key, sizeof(key), "%.*s:", (int)(eq - opt.extra_env[i]),
			 opt.extra_env[i]);
		printf("  %-18s %s\n", key, eq + 1);
	}
	printf("  run:               %d repeats + 1 warm-up per group, %lu pages = %lu MiB per fault figure, %lu calls per repeat\n",
	       opt.repeats, opt.pages, opt.pages * page_size >> 20,
	       opt.calls);
	printf("  order seed:        %#llx (--seed: the same order again)\n",
	       (unsigned long long)opt.seed);
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
	if (g->info)
		snprintf(lim, sizeof(lim), "-");
	printf("  %-56s %-12s %7.3f  [%6.3f, %6.3f] %5.1f%%  %-12s (%s; n=%d)%s%s\n",
	       g->text, lim, g->ratio, g->ci_lo, g->ci_hi, 100 * g->level,
	       verdict_labels[g->verdict].name, g->detail, g->n,
	       g->na[0] ? ": " : "", g->na);
}

static void print_summary(const struct goal *g)
{
	if (g->verdict == V_NA) {
		printf("BENCH-SUMMARY goal=%s verdict=n/a ratio=- ci=- limit=%s%.2f\n",
		       g->key, g->band ? "+-" : limit_op(g),
		       g->band ? g->hi2 - 1 : g->limit);
		return;
	}
	if (g->info) {
		printf("BENCH-SUMMARY goal=%s verdict=info ratio=%.3f ci=%.3f..%.3f level=%.3f limit=-\n",
		       g->key, g->ratio, g->ci_lo, g->ci_hi, g->level);
		return;
	}
	printf("BENCH-SUMMARY goal=%s verdict=%s ratio=%.3f ci=%.3f..%.3f level=%.3f limit=%s%.2f\n",
	       g->key, verdict_labels[g->verdict].key, g->ratio, g->ci_lo,
	       g->ci_hi, g->level,
	       g->band ? "+-" : limit_op(g), g->band ? g->hi2 - 1 : g->limit);
}

void print_table(const struct utsname *u)
{
	const char *last = "";
	int i, cnt[NR_VERDICTS] = { 0 };

	printf("BENCH-TABLE-BEGIN\n");
	printf("mmap-test-bench on %s %s (%s)\n", u->sysname, u->release,
	       u->machine);
	if (opt.emulated)
		printf("NOTE: this machine is emulated (qemu TCG, no KVM): absolute times are meaningless, only ratios between figures of this run carry meaning.\n");
	print_env(u);
	if (big_note[0])
		printf("NOTE: %s\n", big_note);
	printf("Method: in every repeat each variant of a group runs, interleaved (faults in turns of 512 pages, calls in batches of 50),\n"
	       "in an order drawn per repeat from the seed.  Fault rows: value = mmap + whole touch per page (chunk med: the median chunk).\n"
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
	printf("\nGoals: median of the per-repeat paired ratios [CI] and the CI's level: the order statistics of the ratios\n"
	       "that cover the median with at least %.0f%% for any distribution (the level is what it is for n repeats);\n"
	       "met: the CI is wholly within the limit, NOT met: wholly past it, inconclusive: it crosses the limit;\n"
	       "invalid: a precondition of the comparison failed (the reason follows); info: shown, no limit.\n"
	       "A benchmark, not a test (gate: BENCH_STRICT=1).\n", 100 * CI_LEVEL);
	printf("  %-56s %-12s %7s  %-16s %6s  %s\n", "goal", "limit", "ratio",
	       "CI", "level", "verdict");
	for (i = 0; i < nr_goals; i++) {
		print_goal(&goals[i]);
		cnt[goals[i].verdict]++;
	}
	printf("\n");
	for (i = 0; i < nr_goals; i++)
		print_summary(&goals[i]);
	printf("BENCH-SUMMARY total met=%d not-met=%d inconclusive=%d invalid=%d info=%d n/a=%d\n",
	       cnt[V_MET], cnt[V_NOT_MET], cnt[V_INCONCLUSIVE],
	       cnt[V_INVALID], cnt[V_INFO], cnt[V_NA]);
	printf("BENCH-TABLE-END\n");
}

/* A per-unit count: null when it does not apply (< 0). */
static void json_count(struct mt_json *w, const char *key, double v)
{
	if (v < 0)
		mt_json_null(w, key);
	else
		mt_json_double(w, key, v, 3);
}

/* The "environment" object, one member per line. */
static void json_env(struct mt_json *w, const struct utsname *u)
{
	char buf[64];
	int i;

	mt_json_begin_object(w, "environment");
	mt_json_str(w, "kernel", u->release);
	mt_json_str(w, "machine", u->machine);
	mt_json_bool(w, "emulated", opt.emulated);
	mt_json_int(w, "vcpus", env.cpus);
	mt_json_str(w, "memory", env.mem);
	mt_json_str(w, "cpu_model", env.cpu_model);
	mt_json_str(w, "cmdline", env.cmdline);
	mt_json_str(w, "clock", opt.clock);
	snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)opt.seed);
	mt_json_str(w, "seed", buf);
	for (i = 0; i < opt.nr_extra_env; i++) {
		const char *eq = strchr(opt.extra_env[i], '=');
		char key[64];

		snprintf(key, sizeof(key), "%.*s", (int)(eq - opt.extra_env[i]),
			 opt.extra_env[i]);
		mt_json_str(w, key, eq + 1);
	}
	mt_json_str(w, "clocksource", env.clocksource);
	mt_json_double(w, "clock_gettime_ns", env.timer_ns, 1);
	mt_json_str(w, "thp_enabled", env.thp);
	mt_json_str(w, "thp_defrag", env.thp_defrag);
	mt_json_str(w, "thp_shmem_enabled", env.shmem);
	mt_json_str(w, "thp_shmem_enabled_during_run", env.shmem_run);
	mt_json_str(w, "fault_around_bytes", env.fault_around);
	mt_json_int(w, "hugepage_kb", env.hugepage_kb);
	mt_json_int(w, "nr_hugepages", env.nr_hugepages);
	mt_json_int(w, "nr_hugepages_during_run", env.nr_hugepages_run);
	mt_json_str(w, "module_params", env.params);
	mt_json_str(w, "ref_module_params", env.ref_params);
	mt_json_str(w, "guest_load_before", env.load_before);
	mt_json_str(w, "guest_load_after", env.load_after);
	mt_json_str(w, "host_load_before", opt.host_load);
	mt_json_str(w, "host_load_after", "@HOST_LOAD_AFTER@");
	snprintf(buf, sizeof(buf), "%ld", page_size);
	mt_json_str(w, "page_size", buf);
	mt_json_end_object(w);
}

/* One figure: an object on one line. */
static void json_fig(struct mt_json *w, const struct fig *g)
{
	int j;

	mt_json_begin_object(w, NULL);
	mt_json_str(w, "key", g->key);
	mt_json_str(w, "group", g->group);
	mt_json_str(w, "label", g->label);
	mt_json_str(w, "unit", g->unit);
	if (g->na[0]) {
		mt_json_str(w, "na", g->na);
		mt_json_end_object(w);
		return;
	}
	mt_json_double(w, "median", g->med, 3);
	mt_json_double(w, "min", g->min, 3);
	mt_json_double(w, "max", g->max, 3);
	json_count(w, "chunk_median", g->med2);
	mt_json_int(w, "repeats", g->n);
	mt_json_begin_array(w, "values");
	for (j = 0; j < g->n; j++)
		mt_json_double(w, NULL, g->v[j], 3);
	mt_json_end_array(w);
	json_count(w, "minflt_per_unit", g->minflt);
	json_count(w, "dev_faults_per_unit", g->faults);
	json_count(w, "dev_pages_around_per_unit", g->around);
	mt_json_str(w, "note", g->note);
	mt_json_end_object(w);
}

/* One goal: an object on one line. */
static void json_goal(struct mt_json *w, const struct goal *g)
{
	int j;

	mt_json_begin_object(w, NULL);
	mt_json_str(w, "key", g->key);
	mt_json_str(w, "text", g->text);
	mt_json_str(w, "verdict", verdict_labels[g->verdict].key);
	mt_json_str(w, "clock", g->wall_only ? "wall" : "any");
	if (g->band) {
		mt_json_begin_array(w, "band");
		mt_json_double(w, NULL, g->lo2, 2);
		mt_json_double(w, NULL, g->hi2, 2);
		mt_json_end_array(w);
	} else if (g->info) {
		mt_json_null(w, "limit");
	} else {
		mt_json_double(w, "limit", g->limit, 2);
		mt_json_str(w, "direction", limit_op(g));
	}
	if (g->verdict == V_NA) {
		mt_json_null(w, "ratio");
		mt_json_null(w, "ci");
		mt_json_str(w, "reason", g->na);
		mt_json_end_object(w);
		return;
	}
	mt_json_double(w, "ratio", g->ratio, 4);
	mt_json_begin_array(w, "ci");
	mt_json_double(w, NULL, g->ci_lo, 4);
	mt_json_double(w, NULL, g->ci_hi, 4);
	mt_json_end_array(w);
	mt_json_double(w, "ci_level", g->level, 4);
	mt_json_begin_array(w, "paired_ratios");
	for (j = 0; j < g->n; j++)
		mt_json_double(w, NULL, g->q[j], 4);
	mt_json_end_array(w);
	mt_json_str(w, "detail", g->detail);
	if (g->na[0])	/* why invalid, or why NOT met (huge_write) */
		mt_json_str(w, "reason", g->na);
	mt_json_end_object(w);
}

/*
 * The JSON document (format 3: format 2 plus the CI level, clock, seed), which scripts/bench.sh saves: one member
 * per line, except the figures and goals, one line each.
 */
void print_json(FILE *f, const struct utsname *u)
{
	struct mt_json w;
	int i;

	mt_json_init(&w, f, MT_JSON_LINES);
	mt_json_begin_object(&w, NULL);
	mt_json_str(&w, "tool", "mmap-test-bench");
	mt_json_int(&w, "format", 3);
	json_env(&w, u);
	mt_json_uint(&w, "pages", opt.pages);
	mt_json_int(&w, "repeats", opt.repeats);
	mt_json_int(&w, "big_repeats", opt.big_repeats);
	mt_json_uint(&w, "calls", opt.calls);
	mt_json_int(&w, "batch", BATCH);
	mt_json_begin_array(&w, "figures");
	mt_json_set_style(&w, MT_JSON_SPACED);
	for (i = 0; i < nr_figs; i++)
		json_fig(&w, &figs[i]);
	mt_json_set_style(&w, MT_JSON_LINES);
	mt_json_end_array(&w);
	mt_json_begin_array(&w, "goals");
	mt_json_set_style(&w, MT_JSON_SPACED);
	for (i = 0; i < nr_goals; i++)
		json_goal(&w, &goals[i]);
	mt_json_end_array(&w);
	mt_json_end_object(&w);
	mt_json_newline(&w);
}
