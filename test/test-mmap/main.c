// SPDX-License-Identifier: GPL-2.0
/*
 * test-mmap - drive /dev/mmap-test from userspace after "insmod mmap_test.ko"
 *
 * main.c: the table of commands, and main(): parse the options, open the
 * device, run the command.  What each command does: "test-mmap --help"
 * (its text is in the table below) and docs/test-mmap.md; the files of
 * the other concerns: test-mmap.h.
 *
 * Exit status: 0 success, 1 failure, 2 usage error (script: 4 if a
 * "require" skipped the rest).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-mmap.h"

/*
 * The commands, in the order usage() lists them.  A row holds everything
 * about one: its word, its operand, its function, what combines with it
 * (CMD_* in test-mmap.h) and its help.
 */
const struct command commands[] = {
	{ "run", NULL, cmd_run, CMD_DEFAULT | CMD_JSON_RESULT | CMD_TEXT_RESULT,
	  "reference run: map 4 shared pages at a fixed address, explain\n"
	  "find_vma(), read/write through the mapping and read(), free" },
	{ "alloc", NULL, cmd_alloc, CMD_EXPECT,
	  "one ALLOC_VMA with the given fields (mapped until exit);\nshared unless --private; --addr without --hint is\nfixed-noreplace" },
	{ "free", NULL, cmd_free, CMD_EXPECT,
	  "one FREE_VMA of --addr/--len" },
	{ "query", NULL, cmd_query, CMD_EXPECT,
	  "one QUERY_VMA of --addr, full report" },
	{ "stats", NULL, cmd_stats, CMD_EXPECT,
	  "one GET_STATS" },
	{ "hold", NULL, cmd_hold, 0,
	  "map the device, close it, print \"holding 0x..\", wait for\n"
	  "EOF on stdin or SIGTERM/SIGINT" },
	{ "tour", NULL, cmd_tour, CMD_LIST | CMD_JSON_RESULT,
	  "guided steps: what the kernel decided and why, each checked;\n"
	  "exit 1 if a step failed (skipped steps are not passes);\n"
	  "--list names the steps" },
	{ "-i", NULL, cmd_interactive, CMD_OPTION | CMD_SESSION,
	  "lab bench: commands in one process and address space ('help')" },
	{ "script", "F", cmd_script, CMD_FILE | CMD_SESSION,
	  "the lab bench's commands from file F (- for stdin); exit 1 if a\n"
	  "line failed, 4 if 'require' skipped the rest" },
};

const size_t n_commands = MT_ARRAY_SIZE(commands);

/* --json among the arguments, before getopt's verdict on the others. */
static bool wants_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct ctx c = { .o = &o, .fd = -1 };
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mt_json_init(&json_out, stdout, MT_JSON_COMPACT);
	c.page = mt_mem_page_size();
	if (parse_args(&o, argc, argv, c.page)) {
		fprintf(stderr, "try 'test-mmap --help'\n");
		if (wants_json(argc, argv)) {	/* the message is on stderr */
			mt_json_begin_object(&json_out, NULL);
			mt_json_str(&json_out, "request", "usage");
			mt_json_bool(&json_out, "ok", false);
			mt_json_str(&json_out, "cause",
				    "invalid command line (the message is on stderr)");
			mt_json_int(&json_out, "exit", 2);
			j_end_line();
		}
		return 2;
	}
	if (o.dry_run)
		return 0;
	if (o.list)	/* the command's parts: no device needed */
		return o.cmd->fn(&c);
	mt_mem_guard_init();
	ret = open_device(&c);
	if (ret && o.json) {
		j_result(&c, REQ_OPEN, ret, NULL);
		mt_json_str(&json_out, "device", o.device);
		if (o.cmd->flags & CMD_JSON_RESULT)
			mt_json_str(&json_out, "result", "FAIL");
		j_end_line();
	}
	if (ret && (o.cmd->flags & CMD_TEXT_RESULT) && !o.json)
		printf("result: FAIL\n");
	if (ret && (o.cmd->flags & CMD_SESSION))	/* goes on without it */
		ret = 0;
	if (ret)
		return o.expect_set && -ret == o.expect ? 0 : 1;
	ret = o.cmd->fn(&c);
	if (c.fd >= 0)
		close(c.fd);
	return ret;
}
