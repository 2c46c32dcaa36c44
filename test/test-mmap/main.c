// SPDX-License-Identifier: GPL-2.0
/*
 * test-mmap - drive /dev/mmap-test from userspace after "insmod mmap_test.ko"
 *
 * main.c: the options common to every command, opening the device, and
 * the table that maps each command to its function (test-mmap.h lists
 * the files of the other concerns).
 *
 * Usage: test-mmap [options] [run|alloc|free|query|stats|hold|tour]
 *        test-mmap [options] -i | script FILE|-
 *
 *   (none), run  the reference run of the original arm64 report: ALLOC_VMA
 *		  4 shared pages at a fixed address (0xffff95010000 on arm64,
 *		  0x7f0095010000 elsewhere), explain find_vma()'s verdict, read
 *		  the kernel's greeting through the mapping, write a message,
 *		  check read() sees it, write/read every page, FREE_VMA and
 *		  check the range is gone.  Exit 0 if every step succeeded.
 *   alloc	  one ALLOC_VMA with the given fields; print the result and
 *		  the find_vma() verdict.  The mapping lives until exit.
 *   free	  one FREE_VMA of --addr/--len (default len: one page).
 *   query	  one QUERY_VMA of --addr; print the full report.
 *   stats	  one GET_STATS; print every counter.
 *   hold	  map the device shared (--len, default one page), touch it,
 *		  close the fd, print "holding 0x<addr>", then wait for EOF on
 *		  stdin or SIGTERM/SIGINT (only the signals with --until-signal).
 *		  Note: a shell gives background jobs /dev/null as stdin.
 *   tour	  a guided sequence of 12 steps (find_vma on a gap, hint,
 *		  fixed vs fixed-noreplace, merge, split, the four mapping
 *		  kinds, populate, fault-around, placement, the window, a PMD
 *		  mapping with huge=1, the call chain of the driver's mmap
 *		  hook); each explains what the module reported and checks
 *		  it.  Exit 1 if a step failed, 0 otherwise (a skipped step
 *		  is neither).  Steps 9 and 10: placement (top-down from
 *		  mmap_base, a hint honoured then moved) and the default mmap
 *		  window (a hint above 47/48 bits; skipped where TASK_SIZE is
 *		  not above it).  Step 11: one fault per PMD (skipped unless
 *		  huge=1).  Step 12: the stacks of the mmap hook
 *		  (dump_stack=1; needs root).  The list: tour.c.
 *   -i		  the lab bench, interactive: one process and one address
 *		  space for many commands (alloc, free, query, stats, maps,
 *		  touch, read, write, madvise, mprotect, mremap, fork, hint,
 *		  place, echo, expect, require, if, help); "$a = alloc ..."
 *		  keeps results.  Line editing and history on a terminal.
 *   script F	  the same commands from file F (- for stdin), for example
 *		  examples/merge.  Exit 1 if a line failed (an error, a failed
 *		  command or expect), 4 if "require" skipped the rest, else 0.
 *
 * Options (numbers in C syntax: 0x.., 0.., decimal; --len also takes the
 * suffixes p (pages), k, m, g):
 *   --addr A  --len L  --pgoff P  --prot r|w|x combos|none|number
 *   --shared --private --fixed --fixed-noreplace --hint --populate --anon
 *   --reserved N     put N in the (first) reserved field
 *   --raw-flags F    send exactly F as flags, ignoring the flag options
 *   --device PATH    default /dev/mmap-test
 *   --rdonly         open the device O_RDONLY instead of O_RDWR
 *   --expect ERRNO   alloc/free/query/stats: exit 0 iff the ioctl failed
 *                    with ERRNO (a name such as EEXIST, or 0 for success)
 *   --until-signal   hold: ignore stdin, wait for SIGTERM/SIGINT only
 *   --json           print JSON instead of text (on stdout, also on
 *                    failure; addresses as "0x.." strings):
 *                    alloc/free/query/stats/run: one JSON object ("run"
 *                    has "result": "PASS"|"FAIL");
 *                    hold: {"request":"hold","ok":true,"holding":"0x..",..}
 *                    once mapped (on failure the ALLOC_VMA error object);
 *                    tour: JSON lines, exactly one object per step, one
 *                    line each, nothing else on stdout:
 *                    {"step":N,"name":"..","verdict":"pass"|"fail"|"skip",
 *                     <key numbers of the step>,"failure":".."|null,
 *                     "note":".."|null}
 *   --help
 *
 * Exit status: 0 success, 1 failure, 2 usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test-mmap.h"

int main(int argc, char **argv)
{
	static int (*const cmds[])(struct ctx *) = {
		[CMD_RUN] = cmd_run, [CMD_ALLOC] = cmd_alloc,
		[CMD_FREE] = cmd_free, [CMD_QUERY] = cmd_query,
		[CMD_STATS] = cmd_stats, [CMD_HOLD] = cmd_hold,
		[CMD_TOUR] = cmd_tour, [CMD_SCRIPT] = cmd_script,
		[CMD_INTERACTIVE] = cmd_interactive,
	};
	struct opts o = { 0 };
	struct ctx c = { .o = &o, .fd = -1 };
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mt_json_init(&json_out, stdout, MT_JSON_COMPACT);
	c.page = mt_mem_page_size();
	if (parse_args(&o, argc, argv, c.page)) {
		fprintf(stderr, "try 'test-mmap --help'\n");
		return 2;
	}
	mt_mem_guard_init();
	ret = open_device(&c);
	if (ret && o.json) {
		j_result(&c, REQ_OPEN, ret, NULL);
		mt_json_str(&json_out, "device", o.device);
		if (o.cmd == CMD_RUN || o.cmd == CMD_TOUR)
			mt_json_str(&json_out, "result", "FAIL");
		j_end_line();
	}
	if (ret && o.cmd == CMD_RUN && !o.json)
		printf("result: FAIL\n");
	if (ret && o.cmd >= CMD_SCRIPT)	/* a session goes on without it */
		ret = 0;
	if (ret)
		return o.expect_set && -ret == o.expect ? 0 : 1;
	ret = cmds[o.cmd](&c);
	if (c.fd >= 0)
		close(c.fd);
	return ret;
}
