// SPDX-License-Identifier: GPL-2.0
/*
 * kcov.c - the PCs of mmap_test.ko that the fuzzing threads ran, from the
 * kernel's KCOV (Documentation/dev-tools/kcov.rst).
 *
 * On the x86_64-debug kernel only the module is built for KCOV, so every
 * PC a thread's trace holds is a PC of mmap_test.ko (the faults the module
 * serves in the thread's context included).  Each thread opens its own
 * /sys/kernel/debug/kcov (KCOV traces the task that enabled it), resets
 * the trace before a step and reads it after.  A PC is first looked up in
 * the thread's own set (struct kcov_local, no atomics) and only the PCs
 * new to the thread go to the set shared by all the fuzzing processes
 * (struct kcov_set, in MAP_SHARED memory: open addressing, inserted with a
 * compare-and-swap, never removed), whose count is what the progress
 * lines report.  A shared set that is full counts the PCs that did not fit
 * (overflows); a trace that filled its buffer is counted too.
 *
 * kcov_set_write() writes the set for symbolization on the host: a line
 * "text <address of the module's .text>", then one PC per line, in hex.
 *
 * Built with -DMT_FUZZ_MOCK there is no module to trace: KCOV is
 * unavailable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kcov.h>

#include "fuzz.h"

#define KCOV_PATH	"/sys/kernel/debug/kcov"

static inline unsigned long pc_hash(unsigned long long pc)
{
	return (unsigned long)((pc * 0x9e3779b97f4a7c15ULL) >> 32);
}

bool kcov_probe(char *why, size_t n)
{
#ifdef MT_FUZZ_MOCK
	snprintf(why, n, "built with MT_FUZZ_MOCK (no module to trace)");
	return false;
#else
	int fd = open(KCOV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, n, "%s: %s", KCOV_PATH, strerror(errno));
		return false;
	}
	close(fd);
	return true;
#endif
}

struct kcov *kcov_start(unsigned long words)
{
	struct kcov *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->fd = open(KCOV_PATH, O_RDWR | O_CLOEXEC);
	if (k->fd < 0)
		goto fail;
	if (ioctl(k->fd, KCOV_INIT_TRACE, words))
		goto fail_fd;
	k->area = mmap(NULL, words * sizeof(unsigned long),
		       PROT_READ | PROT_WRITE, MAP_SHARED, k->fd, 0);
	if (k->area == MAP_FAILED)
		goto fail_fd;
	k->words = words;
	if (ioctl(k->fd, KCOV_ENABLE, KCOV_TRACE_PC))
		goto fail_map;
	kcov_reset(k);
	return k;
fail_map:
	munmap(k->area, words * sizeof(unsigned long));
fail_fd:
	close(k->fd);
fail:
	free(k);
	return NULL;
}

void kcov_stop(struct kcov *k)
{
	if (!k)
		return;
	ioctl(k->fd, KCOV_DISABLE, 0);
	munmap(k->area, k->words * sizeof(unsigned long));
	close(k->fd);
	free(k);
}

void kcov_reset(struct kcov *k)
{
	__atomic_store_n(&k->area[0], 0, __ATOMIC_RELAXED);
}

unsigned long kcov_read(struct kcov *k, const unsigned long **pcs)
{
	unsigned long n = __atomic_load_n(&k->area[0], __ATOMIC_RELAXED);

	if (n >= k->words - 1) {
		n = k->words - 1;
		k->truncated++;
	}
	*pcs = (const unsigned long *)&k->area[1];
	return n;
}

struct kcov_set *kcov_set_new(void)
{
	struct kcov_set *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return s == MAP_FAILED ? NULL : s;
}

bool kcov_set_add(struct kcov_set *s, unsigned long long pc)
{
	unsigned long i = pc_hash(pc) & (KCOV_SET_SLOTS - 1), probes;

	for (probes = 0; probes < KCOV_SET_SLOTS / 2; probes++) {
		unsigned long long cur = atomic_load_explicit(&s->slot[i],
						    memory_order_relaxed);

		if (cur == pc)
			return false;
		if (!cur) {
			if (atomic_load_explicit(&s->count,
						 memory_order_relaxed) >=
			    KCOV_SET_MAX) {
				atomic_fetch_add(&s->overflows, 1);
				return false;
			}
			if (atomic_compare_exchange_strong(&s->slot[i], &cur,
							   pc)) {
				atomic_fetch_add(&s->count, 1);
				return true;
			}
			if (cur == pc)
				return false;
		}
		i = (i + 1) & (KCOV_SET_SLOTS - 1);
	}
	atomic_fetch_add(&s->overflows, 1);
	return false;
}

bool kcov_local_init(struct kcov_local *l)
{
	l->slot = calloc(KCOV_LOCAL_SLOTS, sizeof(*l->slot));
	l->n = 0;
	return !!l->slot;
}

bool kcov_local_add(struct kcov_local *l, unsigned long long pc)
{
	unsigned long i = pc_hash(pc) & (KCOV_LOCAL_SLOTS - 1);

	if (l->n >= KCOV_LOCAL_SLOTS / 2)
		return true;	/* full: let the shared set decide */
	while (l->slot[i]) {
		if (l->slot[i] == pc)
			return false;
		i = (i + 1) & (KCOV_LOCAL_SLOTS - 1);
	}
	l->slot[i] = pc;
	l->n++;
	return true;
}

unsigned long kcov_collect(struct kcov *k, struct kcov_local *l,
			   struct kcov_set *s)
{
	const unsigned long *pcs;
	unsigned long n, i, fresh = 0;

	n = kcov_read(k, &pcs);
	for (i = 0; i < n; i++) {
		unsigned long long pc = pcs[i];

		if (pc && kcov_local_add(l, pc) && kcov_set_add(s, pc))
			fresh++;
	}
	kcov_reset(k);
	return fresh;
}

int kcov_set_write(const struct kcov_set *s, const char *path)
{
	char text[64] = "";
	unsigned long i;
	FILE *f = fopen(path, "w");
	int fd;

	if (!f)
		return -1;
	fd = open("/sys/module/mmap_test/sections/.text", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, text, sizeof(text) - 1) < 0)
			text[0] = '\0';
		close(fd);
	}
	text[strcspn(text, "\n")] = '\0';
	fprintf(f, "text %s\n", text[0] ? text : "unknown");
	for (i = 0; i < KCOV_SET_SLOTS; i++)
		if (s->slot[i])
			fprintf(f, "%#llx\n", (unsigned long long)s->slot[i]);
	return fclose(f) ? -1 : 0;
}
