// SPDX-License-Identifier: GPL-2.0
/*
 * rows-scaling.c - the "scaling" group of mmap-test-bench: cold
 * write-touch of one mapping by 1 thread and by 2 threads on 2 CPUs,
 * device shared against shmem shared.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

static struct {
	pthread_barrier_t start, done;
	char *p;
	unsigned long first[2], n[2];
	int quit;
} scal;

static void *scal_worker(void *arg)
{
	long id = (long)arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(id, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	for (;;) {
		pthread_barrier_wait(&scal.start);
		if (scal.quit)
			return NULL;
		if (scal.n[id])
			touch_range(scal.p, scal.first[id], scal.n[id],
				    SEQ_WRITE);
		pthread_barrier_wait(&scal.done);
	}
}

/*
 * Write-touch pages [@first, @first + @n) of @p with @threads threads (2:
 * each its half); elapsed ns, barriers included.
 */
static double scal_touch(char *p, unsigned long first, unsigned long n,
			 int threads)
{
	double t0, t1;

	scal.p = p;
	scal.first[0] = first;
	scal.n[0] = threads == 2 ? n / 2 : n;
	scal.first[1] = first + scal.n[0];
	scal.n[1] = n - scal.n[0];
	t0 = mt_time_now_ns();
	pthread_barrier_wait(&scal.start);
	pthread_barrier_wait(&scal.done);
	t1 = mt_time_now_ns();
	return t1 - t0;
}

#define SCAL_TURN	(2 * TOUCH_CHUNK)

void bench_scaling(void)
{
	static const enum kind kinds[] = { K_DEV_SHARED, K_SHMEM_SHARED };
	unsigned long n = opt.pages, len = n * page_size;
	char key[64], label[72];
	pthread_t th[2];
	int v, j, r;
	long i;

	if (env.cpus < 2) {
		for (v = 0; v < 4; v++) {
			snprintf(key, sizeof(key), "scaling.%s.%dt",
				 kind_labels[kinds[v / 2]].key, v % 2 + 1);
			snprintf(label, sizeof(label),
				 "cold seq-write %s %d thread%s",
				 kind_labels[kinds[v / 2]].name, v % 2 + 1,
				 v % 2 ? "s" : "");
			add_na("scaling", key, label, "ns/page",
			       "n/a (fewer than 2 CPUs online)");
		}
		return;
	}
	pthread_barrier_init(&scal.start, NULL, 3);
	pthread_barrier_init(&scal.done, NULL, 3);
	for (i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, scal_worker, (void *)i))
			bench_fail("pthread_create failed");
	/*
	 * The 4 variants each map a fresh mapping, then touch it in turns of
	 * SCAL_TURN pages, interleaved (order drawn per repeat), so that a
	 * burst of host load hits them alike: with 2 threads each takes one
	 * half of the turn, 512 pages (one page table) apart from the other.
	 */
	clear_samples();
	for (r = 0; r <= opt.repeats; r++) {
		unsigned long c, turn = n < SCAL_TURN ? n : SCAL_TURN;
		double whole[4] = { 0 };
		int fd[4];
		char *p[4];

		bench_progress("scaling: %s %d of %d", r ? "repeat" : "warm-up", r,
			       opt.repeats);
		for (v = 0; v < 4; v++) {
			fd[v] = kinds[v / 2] == K_DEV_SHARED ? open_dev() : -1;
			p[v] = map_kind(kinds[v / 2], fd[v], len, 0);
		}
		for (c = 0; c < n; c += turn) {
			unsigned long cnt = n - c < turn ? n - c : turn;

			for (j = 0; j < 4; j++) {
				v = variant_at(j, r, 4);
				whole[v] += scal_touch(p[v], c, cnt, v % 2 + 1);
			}
		}
		for (v = 0; v < 4; v++) {
			samples[v][r].ns = whole[v] / n;
			samples[v][r].ns2 = -1;
			munmap(p[v], len);
			if (fd[v] >= 0)
				close(fd[v]);
		}
	}
	scal.quit = 1;
	pthread_barrier_wait(&scal.start);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (v = 0; v < 4; v++) {
		snprintf(key, sizeof(key), "scaling.%s.%dt",
			 kind_labels[kinds[v / 2]].key, v % 2 + 1);
		snprintf(label, sizeof(label), "cold seq-write %s %d thread%s",
			 kind_labels[kinds[v / 2]].name, v % 2 + 1,
			 v % 2 ? "s" : "");
		add_fig("scaling", key, label, "ns/page", samples[v] + 1,
			opt.repeats, 0, 0);
	}
}
