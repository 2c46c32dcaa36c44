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

/*
 * The words of the plain commands as "w1|w2", or (@lab) those of the lab
 * bench's as "-i | script FILE|-".
 */
static void usage_words(FILE *f, bool lab)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < n_commands; i++) {
		if (!(commands[i].flags & (CMD_OPTION | CMD_FILE)) == lab)
			continue;
		fprintf(f, "%s%s%s", s, commands[i].name,
			commands[i].flags & CMD_FILE ? " FILE|-" : "");
		s = lab ? " | " : "|";
	}
}

/* The commands with @flag, as "a/b/c" (for an option's note). */
static void usage_which(FILE *f, unsigned int flag)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < n_commands; i++) {
		if (commands[i].flags & flag) {
			fprintf(f, "%s%s", s, commands[i].name);
			s = "/";
		}
	}
}

/* Everything but the options comes from main.c's commands[]. */
void usage(FILE *f)
{
	const struct command *c;
	char label[32];
	const char *h, *nl;

	fprintf(f, "usage: test-mmap [options] [");
	usage_words(f, false);
	fprintf(f, "]\n       test-mmap [options] ");
	usage_words(f, true);
	fprintf(f, "\n");
	for (c = commands; c < commands + n_commands; c++) {
		snprintf(label, sizeof(label), "%s%s%s%s",
			 c->flags & CMD_DEFAULT ? "(none)/" : "", c->name,
			 c->arg ? " " : "", c->arg ? c->arg : "");
		for (h = c->help; h; h = nl ? nl + 1 : NULL) {
			nl = strchr(h, '\n');
			fprintf(f, "  %-11s %.*s\n", label,
				nl ? (int)(nl - h) : (int)strlen(h), h);
			label[0] = '\0';
		}
	}
	fprintf(f,
"options:\n"
"  --addr A --len L[p|k|m|g] --pgoff P --prot rwx|none|N\n"
"  --shared --private --fixed --fixed-noreplace --hint --populate --anon\n"
"  --reserved N --raw-flags F --device PATH --rdonly\n"
"  --expect ERRNO|0 (");
	usage_which(f, CMD_EXPECT);
	fprintf(f, ")\n  --list (");
	usage_which(f, CMD_LIST);
	fprintf(f, ")\n"
"  --json      JSON on stdout: one object (run, alloc, free, query, stats;\n"
"              hold: {\"request\":\"hold\",\"ok\":true,\"holding\":\"0x..\"});\n"
"              tour: one line per step, each an object\n"
"              {\"step\":N,\"name\":..,\"verdict\":\"pass\"|\"fail\"|\"skip\",\n"
"              <key numbers>,\"failure\":..|null,\"note\":..|null}\n"
"  --until-signal (hold) --help\n"
"  --dry-run   check the command line and exit: 0 if it is valid, else 2\n"
"exit status: 0 done, 1 a request or step failed, 2 a usage error,\n"
"  4 a script's require skipped the rest\n");
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
	{ "list", no_argument, NULL, OPT_LIST },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
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
	case OPT_LIST:
		o->list = true;
		return 0;
	case OPT_DRY_RUN:
		o->dry_run = true;
		return 0;
	}
	return -1;
}

/* The row of commands[] with @flag, or named @word (NULL: none). */
static const struct command *find_cmd(const char *word, unsigned int flag)
{
	size_t i;

	for (i = 0; i < n_commands; i++) {
		if (word && !(commands[i].flags & CMD_OPTION) &&
		    !strcmp(word, commands[i].name))
			return &commands[i];
		if (!word && (commands[i].flags & flag))
			return &commands[i];
	}
	return NULL;
}

/* What the command does not take, reported like getopt's errors. */
static int check_combination(const struct opts *o)
{
	const struct command *c = o->cmd;

	if (o->expect_set && !(c->flags & CMD_EXPECT)) {
		fprintf(stderr, "test-mmap: --expect needs ");
		usage_which(stderr, CMD_EXPECT);
		fprintf(stderr, ", not %s\n", c->name);
		return -1;
	}
	if (o->list && !(c->flags & CMD_LIST)) {
		fprintf(stderr, "test-mmap: --list needs ");
		usage_which(stderr, CMD_LIST);
		fprintf(stderr, ", not %s\n", c->name);
		return -1;
	}
	return 0;
}

/*
 * The first word of @argv (from @first) that abbreviates a long option
 * instead of naming it whole ("--ad" for --addr), or NULL.  getopt_long()
 * takes any unambiguous prefix, so a script or a doc line written with
 * one would change meaning, or break, when an option with the same
 * prefix is added.  The value of an option that takes one is skipped;
 * "--" ends the options.
 */
const char *opt_abbreviated(int argc, char **argv, int first)
{
	const struct option *lo;
	size_t len;
	int i;

	for (i = first; i < argc; i++) {
		const char *a = argv[i];

		if (strncmp(a, "--", 2))
			continue;
		if (!a[2])
			break;
		len = strcspn(a + 2, "=");
		for (lo = long_opts; lo->name; lo++)
			if (strlen(lo->name) == len &&
			    !strncmp(lo->name, a + 2, len))
				break;
		if (!lo->name)
			return a;	/* an abbreviation, or unknown */
		if (lo->has_arg == required_argument && !a[2 + len])
			i++;
	}
	return NULL;
}

int parse_args(struct opts *o, int argc, char **argv,
	       unsigned long page)
{
	const char *bad;
	int c;

	o->device = MMAP_TEST_DEVICE;
	o->prot = PROT_READ | PROT_WRITE;
	o->cmd = find_cmd(NULL, CMD_DEFAULT);
	bad = opt_abbreviated(argc, argv, 1);
	if (bad) {
		fprintf(stderr, "test-mmap: unrecognized option '%s' (long options are spelled out whole: see --help)\n",
			bad);
		return -1;
	}
	while ((c = getopt_long(argc, argv, "hi", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == 'i') {
			o->cmd = find_cmd(NULL, CMD_OPTION);
			continue;
		}
		if (c == '?' || parse_opt(o, c, optarg, page))
			return -1;
	}
	if (optind < argc && (o->cmd->flags & CMD_OPTION)) {
		fprintf(stderr, "test-mmap: %s takes no subcommand ('%s')\n",
			o->cmd->name, argv[optind]);
		return -1;
	}
	if (optind < argc) {
		o->cmd = find_cmd(argv[optind], 0);
		if (!o->cmd) {
			fprintf(stderr, "test-mmap: unknown subcommand '%s'\n",
				argv[optind]);
			return -1;
		}
		optind++;
	}
	if (o->cmd->flags & CMD_FILE) {
		if (optind >= argc) {
			fprintf(stderr, "test-mmap: %s needs a FILE (or - for stdin)\n",
				o->cmd->name);
			return -1;
		}
		o->script = argv[optind++];
	}
	if (optind < argc) {
		fprintf(stderr, "test-mmap: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return check_combination(o);
}
