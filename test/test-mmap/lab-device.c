// SPDX-License-Identifier: GPL-2.0
/*
 * lab-device.c - the lab commands that talk to the module: alloc, free,
 * query and stats (the options of the command line, numbers may be
 * expressions) and maps (/proc/self/maps, each VMA annotated from
 * QUERY_VMA and with the variables that point into it).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"

/*
 * The options of alloc/free/query/stats, parsed as the command line does;
 * numbers may be expressions ($a+1p).  Positional words go to @pos.
 */
static int s_opts(struct session *s, int argc, char **argv, struct opts *o,
		  char **pos, int maxpos, int *npos)
{
	char num[32], what[64];
	const char *bad;
	__u64 v;
	int c, ret;

	/* fresh options; the session's device and output */
	*o = (struct opts){
		.cmd = s->base->cmd, .device = s->base->device,
		.rdonly = s->base->rdonly, .json = s->base->json,
		.prot = PROT_READ | PROT_WRITE,
	};
	*npos = 0;
	optind = 0;
	opterr = 0;
	bad = opt_abbreviated(argc, argv, 1);
	if (bad) {	/* getopt_long() would take an abbreviation */
		s_err(s, "%s: unknown option '%s' (try 'help %s')", argv[0],
		      bad, argv[0]);
		return -1;
	}
	while ((c = getopt_long(argc, argv, "-:", long_opts, NULL)) != -1) {
		switch (c) {
		case 1:
			if (*npos >= maxpos) {
				s_err(s, "%s: unexpected argument '%s'",
				      argv[0], optarg);
				return -1;
			}
			pos[(*npos)++] = optarg;
			continue;
		case ':':
			s_err(s, "%s: option '%s' needs a value", argv[0],
			      argv[optind - 1]);
			return -1;
		case '?':
		case 'h':
			s_err(s, "%s: unknown option '%s' (try 'help %s')",
			      argv[0], argv[optind - 1], argv[0]);
			return -1;
		case OPT_EXPECT:
		case OPT_PROT:
			if (parse_opt(o, c, optarg, s->c->page)) {
				s_json_last(s);	/* the line is printed */
				return -1;
			}
			continue;
		case OPT_DEVICE:
		case OPT_RDONLY:
		case OPT_JSON:
		case OPT_UNTIL_SIGNAL:
			s_err(s, "%s: --%s applies to the whole session: give it before -i or script",
			      argv[0], c == OPT_DEVICE ? "device" :
			      c == OPT_RDONLY ? "rdonly" : c == OPT_JSON ?
			      "json" : "until-signal");
			return -1;
		case OPT_ADDR:
		case OPT_LEN:
		case OPT_PGOFF:
		case OPT_RESERVED:
		case OPT_RAW:
			snprintf(what, sizeof(what), "%s --%s: ", argv[0],
				 long_opts[c - OPT_ADDR].name);
			ret = eval_as(s, what, optarg, &v);
			if (ret)
				return -1;
			snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
			if (parse_opt(o, c, num, s->c->page)) {
				s_err(s, "%s: --%s %s is out of range", argv[0],
				      long_opts[c - OPT_ADDR].name, optarg);
				return -1;
			}
			continue;
		}
		parse_opt(o, c, optarg, s->c->page);	/* flags: no error */
	}
	return 0;
}

static bool s_need_dev(struct session *s, const char *cmd)
{
	if (s->c->fd >= 0)
		return true;
	s_err(s, "%s: %s is not open (see the error at the start)", cmd,
	      s->base->device);
	return false;
}

/* Result of an ioctl command: expected errno or not. */
static int s_ioctl_done(struct session *s, const struct opts *o, int ret)
{
	s->last_errno = -ret;
	res_field(s, "errno", -ret);
	if (o->expect_set)
		return check_expect(o, ret);
	return ret ? 1 : 0;
}

int s_alloc(struct session *s, int argc, char **argv)
{
	struct mmap_test_alloc a;
	struct opts o;
	int np, ret;

	if (s_opts(s, argc, argv, &o, NULL, 0, &np) || !s_need_dev(s, argv[0]))
		return -1;
	s->c->o = &o;
	ret = alloc_req(s->c, &a);
	res_reset(s, ret ? 0 : a.mapped);
	res_field(s, "mapped", ret ? 0 : a.mapped);
	res_field(s, "addr", a.addr);
	res_field(s, "len", mt_mem_page_align(a.len));
	res_field(s, "pgoff", a.pgoff);
	if (before_copied(&a))
		res_report(s, "before.", &a.before);
	return s_ioctl_done(s, &o, ret);
}

/* free ADDR [LEN] or --addr/--len; LEN defaults to $var's len. */
int s_free(struct session *s, int argc, char **argv)
{
	const struct s_var *var = NULL;
	char *pos[2];
	struct opts o;
	int np, i, ret;

	if (s_opts(s, argc, argv, &o, pos, 2, &np))
		return -1;
	if (np && (o.addr_set || (np == 2 && o.len_set))) {
		s_err(s, "free: give the address either as a word or as --addr");
		return -1;
	}
	if (np && num_arg(s, "free", "ADDR", pos[0], &o.addr))
		return -1;
	o.addr_set |= np > 0;
	if (np == 2) {
		if (num_arg(s, "free", "LEN", pos[1], &o.len))
			return -1;
		o.len_set = true;
	}
	if (!o.addr_set) {
		s_err(s, "free: missing address (free ADDR [LEN], try 'help free')");
		return -1;
	}
	/* free $a: the length of what $a mapped */
	for (i = 0; !o.len_set && i < s->nvars; i++)
		if (s->vars[i].v == o.addr)
			var = &s->vars[i];
	for (i = 0; var && !o.len_set && i < var->nf; i++) {
		if (!strcmp(var->f[i].name, "len")) {
			o.len = var->f[i].v;
			o.len_set = true;
		}
	}
	if (!s_need_dev(s, argv[0]))
		return -1;
	s->c->o = &o;
	ret = free_req(s->c);
	res_reset(s, o.addr);
	res_field(s, "addr", o.addr);
	res_field(s, "len", o.len_set ? o.len : s->c->page);
	return s_ioctl_done(s, &o, ret);
}

int s_query(struct session *s, int argc, char **argv)
{
	struct mmap_test_vma_report r;
	char *pos[1];
	struct opts o;
	int np, ret;

	if (s_opts(s, argc, argv, &o, pos, 1, &np))
		return -1;
	if (np && o.addr_set) {
		s_err(s, "query: give the address either as a word or as --addr");
		return -1;
	}
	if (np && num_arg(s, "query", "ADDR", pos[0], &o.addr))
		return -1;
	if (!np && !o.addr_set) {
		s_err(s, "query: missing address (query ADDR)");
		return -1;
	}
	if (!s_need_dev(s, argv[0]))
		return -1;
	s->c->o = &o;
	ret = query_req(s->c, &r);
	res_reset(s, r.vm_start);
	res_report(s, "", &r);
	res_field(s, "pages", (r.vm_end - r.vm_start) / s->c->page);
	return s_ioctl_done(s, &o, ret);
}

int s_stats(struct session *s, int argc, char **argv)
{
	struct mmap_test_stats st;
	struct opts o;
	size_t i;
	int np, ret;

	if (s_opts(s, argc, argv, &o, NULL, 0, &np) || !s_need_dev(s, argv[0]))
		return -1;
	s->c->o = &o;
	ret = stats_req(s->c, &st);
	res_reset(s, st.faults);
	for (i = 0; stat_name(i); i++)
		res_field(s, stat_name(i), stat_value(&st, i));
	return s_ioctl_done(s, &o, ret);
}

/*
 * The note of one VMA of "maps": its backing and buffer pages (from
 * QUERY_VMA, if the device is open), its size, the variables in it.
 * Counts device VMAs in @devs.
 */
static void maps_note(struct session *s, const struct mt_maps_entry *v,
		      char *note, size_t n, int *devs)
{
	struct mmap_test_vma_report r;
	size_t o = 0;
	int j;

	note[0] = '\0';
	if (s->c->fd >= 0 && !mt_ioctl_query(s->c->fd, v->start, &r) &&
	    r.contains) {
		o += snprintf(note + o, n - o, "%s",
			      mt_backing_name(r.backing));
		if (r.backing == MMAP_TEST_BACKING_DEVICE) {
			__u64 last = r.vm_pgoff - 1 +
				(r.vm_end - r.vm_start) / s->c->page;

			(*devs)++;
			o += snprintf(note + o, n - o,
				      last == r.vm_pgoff ?
				      ", buffer page %llu" :
				      ", buffer pages %llu-%llu",
				      (unsigned long long)r.vm_pgoff,
				      (unsigned long long)last);
		}
	} else if (s->c->fd >= 0) {
		o += snprintf(note + o, n - o, "not a VMA of find_vma()");
	}
	o += snprintf(note + o, n - o, "%s%llu page%s",
		      o ? ", " : "",
		      (unsigned long long)((v->end - v->start) / s->c->page),
		      v->end - v->start == s->c->page ? "" : "s");
	for (j = 0; j < s->nvars; j++)
		if (s->vars[j].v >= v->start && s->vars[j].v < v->end)
			o += snprintf(note + o, n - o, " $%s", s->vars[j].name);
}

/* The lines of /proc/self/maps and their entries, for "maps". */
struct maps_lines {
	struct mt_maps_entry v[512];
	char line[512][512];
	int n;
};

static int maps_keep(const struct mt_maps_entry *e, const char *line,
		     void *arg)
{
	struct maps_lines *m = arg;

	m->v[m->n] = *e;
	snprintf(m->line[m->n], sizeof(m->line[0]), "%s", line);
	return ++m->n == 512;
}

/* maps: /proc/self/maps, each VMA annotated from QUERY_VMA. */
int s_maps(struct session *s, int argc, char **argv)
{
	static struct maps_lines m;
	char note[160];
	int i, ret, devs = 0;

	if (argc > 1) {
		s_err(s, "maps takes no arguments");
		return -1;
	}
	m.n = 0;
	ret = mt_maps_scan(0, 0, maps_keep, &m);
	if (ret) {
		s_err(s, "maps: cannot open /proc/self/maps: %s", strerror(-ret));
		return -1;
	}
	if (s->json) {	/* one object: {"command":"maps","vmas":[...]} */
		j_command("maps", true);
		mt_json_begin_array(&json_out, "vmas");
	}
	for (i = 0; i < m.n; i++) {
		maps_note(s, &m.v[i], note, sizeof(note), &devs);
		if (s->json) {
			mt_json_begin_object(&json_out, NULL);
			mt_json_hex(&json_out, "start", m.v[i].start);
			mt_json_hex(&json_out, "end", m.v[i].end);
			mt_json_str(&json_out, "line", m.line[i]);
			mt_json_str(&json_out, "note", note);
			mt_json_end_object(&json_out);
		} else {
			printf("%-72s  [%s]\n", m.line[i], note);
		}
	}
	if (s->json) {
		mt_json_end_array(&json_out);
		j_end_line();
	}
	res_reset(s, m.n);
	res_field(s, "vmas", m.n);
	res_field(s, "device_vmas", devs);
	return 0;
}

/* Parse r|w; -1 if it is neither. */
