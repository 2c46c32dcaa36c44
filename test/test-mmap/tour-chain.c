// SPDX-License-Identifier: GPL-2.0
/*
 * tour-chain.c - the tour step that shows who calls the driver's mmap
 * hook: with the module's dump_stack=1 the hook logs its stack, and the
 * step reads those stacks back from /dev/kmsg.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tour.h"

#define CHAIN_FRAMES	16

/* One dump_stack() of the kernel log: its function names, innermost first. */
struct chain {
	char fn[CHAIN_FRAMES][64];
	int n;
};

/*
 * The function of a stack frame line of the kernel log, " name+0x1c/0x80
 * [module]" (x86 marks unreliable frames "? name+...": skipped); false if
 * the line is not a frame.
 */
static bool frame_name(const char *msg, char *fn, size_t len)
{
	const char *p = msg + strspn(msg, " \t");
	size_t n;

	/*
	 * Addresses before the name: "[<ffffffff01e6e26a>] " (riscv64,
	 * s390x), "[c000000004a3fa30] [c0000000002e5b8c] " (ppc64: frame
	 * pointer and address).
	 */
	while (*p == '[' && strchr(p, ']')) {
		p = strchr(p, ']') + 1;
		p += strspn(p, " \t");
	}
	n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");

	if (!n || strncmp(p + n, "+0x", 3) || n >= len)
		return false;
	memcpy(fn, p, n);
	fn[n] = '\0';
	/* the compiler's parts of a function: "name.cold", "name.isra.0" */
	fn[strcspn(fn, ".")] = '\0';
	return true;
}

static bool chain_has(const struct chain *ch, const char *fn)
{
	int i;

	for (i = 0; i < ch->n; i++)
		if (!strcmp(ch->fn[i], fn))
			return true;
	return false;
}

/* Does the stack @ch contain one of the module's mapping hooks? */
static bool chain_of_hook(const struct chain *ch)
{
	return chain_has(ch, "mmap_test_mmap") ||
	       chain_has(ch, "mmap_test_mmap_prepare") ||
	       chain_has(ch, "mmap_test_vma_mapped");
}

/*
 * Read the kernel log records from @kfd (opened at the end of the log
 * before the hook ran) into the stacks that contain one of the module's
 * mapping hooks; returns how many there are (at most @max).  A stack
 * ends at a line that is not a frame, at CHAIN_FRAMES frames, or at the
 * end of the log (riscv64's last frame may be the log's last record).
 */
static int read_chains(int kfd, struct chain *out, int max)
{
	struct chain cur = { .n = 0 };
	char rec[8192], fn[64], *msg;
	int found = 0, r;
	bool in_stack = false;

	while ((r = mt_kmsg_read(kfd, rec, sizeof(rec), &msg)) > 0 ||
	       r == -EPIPE) {
		if (r == -EPIPE || msg == rec)
			continue;	/* overwritten records; no ';' */
		msg[strcspn(msg, "\n")] = '\0';
		if (strstr(msg, "Call Trace:") || strstr(msg, "Call trace:")) {
			in_stack = true;
			cur.n = 0;
			continue;
		}
		if (!in_stack)
			continue;
		if (!frame_name(msg, fn, sizeof(fn))) {
			if (strstr(msg, "<TASK>") || strstr(msg, "</TASK>") ||
			    strstr(msg, "? "))
				continue;
			in_stack = false;
		} else if (cur.n < CHAIN_FRAMES) {
			snprintf(cur.fn[cur.n++], sizeof(cur.fn[0]), "%s", fn);
		}
		if ((!in_stack || cur.n == CHAIN_FRAMES) && found < max &&
		    chain_of_hook(&cur)) {
			out[found++] = cur;
			cur.n = 0;
			in_stack = false;
		}
	}
	if (in_stack && found < max && chain_of_hook(&cur))
		out[found++] = cur;
	return found;
}

/* The frames of @ch from the module's hook outwards, up to vm_mmap_pgoff. */
static void print_chain(const struct chain *ch)
{
	bool on = false;
	int i;

	for (i = 0; i < ch->n; i++) {
		if (!on && strncmp(ch->fn[i], "mmap_test_", 10))
			continue;
		on = true;
		say("      %s\n", ch->fn[i]);
		if (!strcmp(ch->fn[i], "vm_mmap_pgoff"))
			break;
	}
}

void tour_call_chain(struct tour *t)
{
	bool saw_mmap = false, saw_prepare = false, saw_mapped = false;
	char hook[32] = "mmap", old[8];
	struct chain ch[4];
	struct mmap_test_alloc a;
	int kfd, n, i, ret;
	bool prepare;

	mt_file_read_line(MT_PARAM_DIR "mmap_hook", hook, sizeof(hook));
	prepare = !strcmp(hook, "prepare");
	t_key(t, "hook", "\"%s\"", prepare ? "mmap_prepare" : "mmap");
	say("the module was loaded with mmap_hook=%s: it registered f_op->%s.\n",
	    hook, prepare ? "mmap_prepare" : "mmap");
	if (prepare)
		say("  ->mmap_prepare runs in __mmap_region() before the VMA exists: it sees a struct vm_area_desc and says what the VMA will be (flags, vm_ops, private data); the core then creates the VMA, and calls vm_ops->mapped() once it is in the tree.\n");
	else
		say("  ->mmap runs once the core has created the new VMA (__mmap_new_vma() on recent kernels): the driver sets up the VMA itself, and a failure makes the core tear it down again.  Load with mmap_hook=prepare (kernels with f_op->mmap_prepare) to compare.\n");
	if (mt_file_read_line(MT_PARAM_DIR "dump_stack", old, sizeof(old))) {
		t_skip(t, "no " MT_PARAM_DIR "dump_stack");
		return;
	}
	kfd = mt_kmsg_open();
	if (kfd < 0) {
		t_skip(t, "cannot read the kernel log (/dev/kmsg): run as root");
		return;
	}
	lseek(kfd, 0, SEEK_END);
	if (mt_file_write_str(MT_PARAM_DIR "dump_stack", "1")) {
		t_skip(t, "cannot set " MT_PARAM_DIR "dump_stack: run as root");
		goto close;
	}
	ret = t_alloc(t, &a, 0, 1, 0, PROT_READ, MMAP_TEST_SHARED);
	mt_file_write_str(MT_PARAM_DIR "dump_stack",
			  old[0] == 'Y' || old[0] == '1' ? "1" : "0");
	if (ret) {
		t_broken(t, "ALLOC", -ret);
		goto close;
	}
	t_free(t, a.mapped, 1);
	n = read_chains(kfd, ch, 4);
	for (i = 0; i < n; i++) {
		saw_mmap |= chain_has(&ch[i], "mmap_test_mmap");
		saw_prepare |= chain_has(&ch[i], "mmap_test_mmap_prepare");
		saw_mapped |= chain_has(&ch[i], "mmap_test_vma_mapped");
		say("  stack %d of the ALLOC (from the kernel log):\n", i + 1);
		print_chain(&ch[i]);
	}
	t_num(t, "stacks", n);
	if (prepare)
		t_check(t, saw_prepare && saw_mapped && !saw_mmap,
			"->mmap_prepare then ->mapped ran, ->mmap did not (%d stacks)",
			n);
	else
		t_check(t, saw_mmap && !saw_prepare && !saw_mapped,
			"->mmap ran, ->mmap_prepare did not (%d stacks)", n);
close:
	close(kfd);
}
