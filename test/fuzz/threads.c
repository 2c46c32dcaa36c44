// SPDX-License-Identifier: GPL-2.0
/*
 * threads.c - one fuzzing thread of mmap-test-fuzz.
 *
 * A thread takes the calls of the run's budget in chunks of CHUNK, and in
 * each step picks an fd (a shared one, round-robin, or now and then a
 * private extra fd) and an operation by the --mix percentages, then maybe
 * touches, mprotects, madvises or shrinks one of its mappings.  When the
 * budget or the time is used up it frees everything it mapped and leaves
 * its arena reserved.
 *
 * Under TCG every TLB shootdown between vCPUs costs milliseconds, so the
 * threads of a process run pinned to one CPU together (interleaving by
 * preemption) and only --spread % of their chunks float over all CPUs,
 * which keeps some truly parallel mutation of one mm going.
 *
 * With KCOV (kset set by main.c) each thread traces itself and after each
 * step adds the module's PCs it ran to the shared set (kcov.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz.h"

/* The own arena must be mapped from end to end (mincore(): ENOMEM). */
static void check_arena(struct thr *t)
{
	static __thread unsigned char vec[ARENA_SIZE / 4096];

	if (mincore((void *)t->arena, ARENA_SIZE, vec))
		report_failure(t, &t->mismatch,
		       "mismatch: arena [%#lx,%#lx) has a hole (mincore: %s)",
		       t->arena, t->arena + ARENA_SIZE, mt_errno_name(errno));
}

/*
 * The fd of the next call: a shared one (round-robin over the steps), or
 * now and then the thread's private extra fd, opened (sometimes O_RDONLY)
 * and closed again after a few hundred steps.
 */
static struct fdinfo pick_fd(struct thr *t)
{
	if (t->extra.fd < 0 && chance(t, 2)) {
		bool ro = chance(t, 300);
		int fd = dev_open(ro ? O_RDONLY : O_RDWR);

		if (fd >= 0) {
			t->extra.fd = fd;
			t->extra.rdonly = ro;
			t->extra.index = -1;
			t->extra_left = 20 + rnd(t, 200);
			t->extra_opens++;
		}
	}
	if (t->extra.fd >= 0) {
		if (--t->extra_left <= 0) {
			dev_close(t->extra.fd);
			t->extra.fd = -1;
		} else if (chance(t, 500)) {
			return t->extra;
		}
	}
	return shared_fds[(t->id + t->step) % opt_fds];
}

/* One step: one ioctl by the --mix, then maybe changes to a mapping. */
static void step(struct thr *t)
{
	struct fdinfo fi = pick_fd(t);
	unsigned long r = rnd(t, 100);
	int local;

	t->step++;
	if (t->nent >= MAX_LIVE)
		do_free(t, &fi, true);
	else if (r < mix[0])
		do_alloc(t, &fi);
	else if (r < mix[0] + mix[1])
		do_free(t, &fi, false);
	else if (r < mix[0] + mix[1] + mix[2])
		do_query(t, &fi, (unsigned long)&local);
	else if (r < mix[0] + mix[1] + mix[2] + mix[3])
		do_stats(t, &fi);
	else
		do_raw(t, &fi);
	if (chance(t, 40))
		touch_random(t);
	if (chance(t, 8))
		do_mprotect(t);
	if (chance(t, 5))
		do_madvise(t);
	if (chance(t, 5))
		do_mremap(t);
}

/*
 * The CPU this process's threads are pinned to (*@pin) and all allowed
 * CPUs (*@all); false when pinning is pointless (one CPU).
 */
static bool pin_sets(cpu_set_t *all, cpu_set_t *pin)
{
	CPU_ZERO(pin);
	if (!sched_getaffinity(0, sizeof(*all), all)) {
		int n = 0, cpu, want = proc_idx % CPU_COUNT(all);

		for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
			if (!CPU_ISSET(cpu, all))
				continue;
			if (n++ == want) {
				CPU_SET(cpu, pin);
				break;
			}
		}
		return CPU_COUNT(pin) && CPU_COUNT(all) > 1;
	}
	return false;
}

/* Free every tracked mapping (FREE on shared fd 0), close the extra fd. */
static void cleanup(struct thr *t)
{
	while (t->nent) {
		struct mmap_test_free f = {
			.addr = t->ent[0].start,
			.len = t->ent[0].end - t->ent[0].start,
		};
		bool arena = t->ent[0].in_arena;
		int r = dev_ioctl(shared_fds[0].fd, IOCTL_FREE_VMA,
				  (unsigned long)&f);

		t->cleanup_calls++;
		if (r)
			report_failure(t, &t->unexpected,
			       "unexpected: cleanup FREE [%#llx,+%#llx) -> %s",
			       (unsigned long long)f.addr,
			       (unsigned long long)f.len, mt_errno_name(-r));
		ent_drop(t, f.addr, f.addr + f.len);
		if (arena)
			reserve(t, f.addr, f.addr + f.len);
	}
	reserve(t, t->arena, t->arena + ARENA_SIZE);
	if (t->extra.fd >= 0)
		dev_close(t->extra.fd);
	t->extra.fd = -1;
}

/* A fuzzing thread (pthread start routine; @arg: its struct thr). */
void *thread_main(void *arg)
{
	struct thr *t = arg;
	bool can_pin, floating = false, first = true;
	unsigned long chunks = 0;
	cpu_set_t all, pin;

	struct kcov *kc = NULL;
	struct kcov_local kl;

	self = t;
	if (kset) {
		kc = kcov_start(KCOV_WORDS);
		if (!kc || !kcov_local_init(&kl)) {
			fprintf(stderr, "fuzz: thread %d: kcov: %s\n", t->id,
				strerror(errno));
			kcov_stop(kc);
			kc = NULL;
		}
	}
	can_pin = pin_sets(&all, &pin);
	for (;;) {
		unsigned long got = atomic_fetch_add(&gs->budget_taken, CHUNK);
		unsigned long n = CHUNK;

		if (got >= opt_calls || atomic_load(&gs->stop_now))
			break;
		if (got + n > opt_calls)
			n = opt_calls - got;
		if (can_pin) {
			bool spread = rnd(t, 100) < (unsigned int)opt_spread;

			if (spread != floating || first) {
				sched_setaffinity(0, sizeof(cpu_set_t),
						  spread ? &all : &pin);
				floating = spread;
				first = false;
			}
			if (spread)
				t->spread_chunks++;
		}
		while (n--) {
			step(t);
			if (kc)
				kcov_collect(kc, &kl, kset);
		}
		if (!(++chunks % 32))
			check_arena(t);
		atomic_fetch_add(&gs->progress_calls, CHUNK);	/* approx. */
		if (t_deadline && mt_time_now() > t_deadline)
			atomic_store(&gs->stop_now, 1);
	}
	check_arena(t);
	cleanup(t);
	if (kc) {
		kcov_collect(kc, &kl, kset);
		if (kc->truncated)
			fprintf(stderr, "fuzz: thread %d: %lu kcov traces truncated\n",
				t->id, kc->truncated);
		kcov_stop(kc);
		free(kl.slot);
	}
	atomic_fetch_add(&gs->threads_done, 1);
	atomic_fetch_add(&local_done, 1);
	return NULL;
}
