// SPDX-License-Identifier: GPL-2.0
/*
 * args.c - the command line of test-mmap: numbers (C syntax, and for
 * --len the suffixes p k m g), --prot words, errno names, the long options
 * and --help.  The lab bench parses its commands' options with the same
 * parse_opt(), so that "alloc --len 2p" means the same in both places.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "test-mmap.h"
#include "tour.h"

void usage(FILE *f)
{
	fprintf(f,
"usage: test-mmap [options] [run|alloc|free|query|stats|hold|tour]\n"
"       test-mmap [options] -i | script FILE|-\n"
"  (none)/run  reference run: map 4 shared pages at a fixed address, explain\n"
"              find_vma(), read/write through the mapping and read(), free\n"
"  alloc       one ALLOC_VMA with the given fields (mapped until exit)\n"
"  free        one FREE_VMA of --addr/--len\n"
"  query       one QUERY_VMA of --addr, full report\n"
"  stats       one GET_STATS\n"
"  hold        map the device, close it, print \"holding 0x..\", wait for\n"
"              EOF on stdin or SIGTERM/SIGINT\n"
"  tour        %d guided steps: what the kernel decided and why, each checked;\n"
"              exit 1 if a step failed (skipped steps are not passes)\n"
"  -i          lab bench: commands in one process and address space ('help')\n"
"  script F    the lab bench's commands from file F (- for stdin); exit 1 if a\n"
"              line failed, 4 if 'require' skipped the rest\n"
"options:\n"
"  --addr A --len L[p|k|m|g] --pgoff P --prot rwx|none|N\n"
"  --shared --private --fixed --fixed-noreplace --hint --populate --anon\n"
"  --reserved N --raw-flags F --device PATH --rdonly\n"
"  --expect ERRNO|0 (alloc/free/query/stats)\n"
"  --json      JSON on stdout: one object (run, alloc, free, query, stats;\n"
"              hold: {\"request\":\"hold\",\"ok\":true,\"holding\":\"0x..\"});\n"
"              tour: one line per step, each an object\n"
"              {\"step\":N,\"name\":..,\"verdict\":\"pass\"|\"fail\"|\"skip\",\n"
"              <key numbers>,\"failure\":..|null,\"note\":..|null}\n"
"  --until-signal (hold) --help\n", TOUR_STEPS);
}

unsigned long long size_unit(char c, unsigned long page)
{
	switch (c | 0x20) {	/* lower case */
	case 'p':
		return page;
	case 'k':
		return 1ULL << 10;
	case 'm':
		return 1ULL << 20;
	case 'g':
		return 1ULL << 30;
	}
	return 0;
}

int parse_u64(const char *s, __u64 *v, unsigned long page)
{
	unsigned long long n, mult = 1;
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return -1;
	n = strtoull(s, &end, 0);
	if (errno)
		return -1;
	if (page && *end) {
		mult = size_unit(*end++, page);
		if (!mult || n > ~0ULL / mult)
			return -1;
	}
	if (*end)
		return -1;
	*v = n * mult;
	return 0;
}

int parse_prot(const char *s, __u32 *prot)
{
	__u64 v;

	*prot = 0;
	if (!strcmp(s, "none"))
		return 0;
	if (!parse_u64(s, &v, 0)) {
		if (v > 0xffffffffULL)
			return -1;
		*prot = v;
		return 0;
	}
	for (; *s; s++) {
		if (*s == 'r')
			*prot |= PROT_READ;
		else if (*s == 'w')
			*prot |= PROT_WRITE;
		else if (*s == 'x')
			*prot |= PROT_EXEC;
		else if (*s != '-')
			return -1;
	}
	return 0;
}

int parse_errno(const char *s, int *e)
{
	__u64 v;
	int i;

	if (!parse_u64(s, &v, 0) && v < 4096) {
		*e = v;
		return 0;
	}
	for (i = 1; i < 4096; i++) {
		if (!strcasecmp(s, mt_errno_name(i))) {
			*e = i;
			return 0;
		}
	}
	return -1;
}

const struct option long_opts[] = {
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "len", required_argument, NULL, OPT_LEN },
	{ "pgoff", required_argument, NULL, OPT_PGOFF },
	{ "prot", required_argument, NULL, OPT_PROT },
	{ "shared", no_argument, NULL, OPT_SHARED },
	{ "private", no_argument, NULL, OPT_PRIVATE },
	{ "fixed", no_argument, NULL, OPT_FIXED },
	{ "fixed-noreplace", no_argument, NULL, OPT_NOREPLACE },
	{ "hint", no_argument, NULL, OPT_HINT },
	{ "populate", no_argument, NULL, OPT_POPULATE },
	{ "anon", no_argument, NULL, OPT_ANON },
	{ "reserved", required_argument, NULL, OPT_RESERVED },
	{ "raw-flags", required_argument, NULL, OPT_RAW },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "rdonly", no_argument, NULL, OPT_RDONLY },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "until-signal", no_argument, NULL, OPT_UNTIL_SIGNAL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int bad_value(const char *opt, const char *val)
{
	errmsg("invalid value for --%s: '%s'", opt, val);
	return -1;
}

int parse_opt(struct opts *o, int c, const char *arg,
	      unsigned long page)
{
	__u64 v;

	switch (c) {
	case OPT_ADDR:
		o->addr_set = true;
		return parse_u64(arg, &o->addr, 0) ? bad_value("addr", arg) : 0;
	case OPT_LEN:
		o->len_set = true;
		return parse_u64(arg, &o->len, page) ? bad_value("len", arg) : 0;
	case OPT_PGOFF:
		return parse_u64(arg, &o->pgoff, 0) ? bad_value("pgoff", arg) : 0;
	case OPT_PROT:
		o->prot_set = true;
		return parse_prot(arg, &o->prot) ? bad_value("prot", arg) : 0;
	case OPT_RESERVED:
		return parse_u64(arg, &o->reserved, 0) ?
			bad_value("reserved", arg) : 0;
	case OPT_RAW:
		o->raw_flags_set = true;
		if (parse_u64(arg, &v, 0) || v > 0xffffffffULL)
			return bad_value("raw-flags", arg);
		o->raw_flags = v;
		return 0;
	case OPT_EXPECT:
		o->expect_set = true;
		return parse_errno(arg, &o->expect) ? bad_value("expect", arg) : 0;
	case OPT_SHARED:
		o->share |= MMAP_TEST_SHARED;
		return 0;
	case OPT_PRIVATE:
		o->share |= MMAP_TEST_PRIVATE;
		return 0;
	case OPT_FIXED:
		o->place |= MMAP_TEST_FIXED;
		return 0;
	case OPT_NOREPLACE:
		o->place |= MMAP_TEST_FIXED_NOREPLACE;
		return 0;
	case OPT_HINT:
		o->hint = true;
		return 0;
	case OPT_POPULATE:
		o->populate = true;
		return 0;
	case OPT_ANON:
		o->anon = true;
		return 0;
	case OPT_DEVICE:
		o->device = arg;
		return 0;
	case OPT_RDONLY:
		o->rdonly = true;
		return 0;
	case OPT_UNTIL_SIGNAL:
		o->until_signal = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	}
	return -1;
}

static int parse_cmd(struct opts *o, const char *word)
{
	static const char * const names[] = {
		[CMD_RUN] = "run", [CMD_ALLOC] = "alloc", [CMD_FREE] = "free",
		[CMD_QUERY] = "query", [CMD_STATS] = "stats", [CMD_HOLD] = "hold",
		[CMD_TOUR] = "tour", [CMD_SCRIPT] = "script",
	};
	size_t i;

	for (i = 0; i < MT_ARRAY_SIZE(names); i++) {
		if (!strcmp(word, names[i])) {
			o->cmd = i;
			return 0;
		}
	}
	fprintf(stderr, "test-mmap: unknown subcommand '%s'\n", word);
	return -1;
}

int parse_args(struct opts *o, int argc, char **argv,
	       unsigned long page)
{
	int c;

	o->device = MMAP_TEST_DEVICE;
	o->prot = PROT_READ | PROT_WRITE;
	while ((c = getopt_long(argc, argv, "hi", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == 'i') {
			o->cmd = CMD_INTERACTIVE;
			continue;
		}
		if (c == '?' || parse_opt(o, c, optarg, page))
			return -1;
	}
	if (optind < argc && o->cmd == CMD_INTERACTIVE) {
		fprintf(stderr, "test-mmap: -i takes no subcommand ('%s')\n",
			argv[optind]);
		return -1;
	}
	if (optind < argc && parse_cmd(o, argv[optind++]))
		return -1;
	if (o->cmd == CMD_SCRIPT) {
		if (optind >= argc) {
			fprintf(stderr, "test-mmap: script needs a FILE (or - for stdin)\n");
			return -1;
		}
		o->script = argv[optind++];
	}
	if (optind < argc) {
		fprintf(stderr, "test-mmap: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (o->expect_set &&
	    (o->cmd == CMD_RUN || o->cmd == CMD_HOLD || o->cmd == CMD_TOUR ||
	     o->cmd >= CMD_SCRIPT)) {
		fprintf(stderr, "test-mmap: --expect needs alloc, free, query or stats\n");
		return -1;
	}
	return 0;
}
