// SPDX-License-Identifier: GPL-2.0
/*
 * rows-faults.c - the "faults" group of mmap-test-bench: cold faults on
 * a fresh mapping (device: a fresh fd, so buffer pages are allocated on
 * first touch as shmem's are), seq read, seq write and random read, for
 * every kind that can be mapped here (the others are n/a rows).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

/* Why a kind cannot run here; empty: it can. */
static char kind_na[NR_KINDS][96];

/* Can kind @k be mapped here?  Sets kind_na[k] when not. */
static void probe_kind(enum kind k, unsigned long n)
{
	unsigned long len = n * page_size;
	int fd = -1;
	char *p;

	kind_na[k][0] = 0;
	if (k == K_REF_FAULT || k == K_REF_PREFAULT) {
		const char *path = k == K_REF_FAULT ? REF_DEVICE :
				   REF_PREFAULT_DEVICE;

		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			snprintf(kind_na[k], sizeof(kind_na[k]),
				 "n/a (%s: %s; mmap_test_ref.ko not loaded)",
				 path, strerror(errno));
			return;
		}
		close(fd);
		return;
	}
	if (k == K_MEMFD_THP) {
		if (strcmp(env.shmem_run, "advise") &&
		    strcmp(env.shmem_run, "always") &&
		    strcmp(env.shmem_run, "within_size") &&
		    strcmp(env.shmem_run, "force"))
			snprintf(kind_na[k], sizeof(kind_na[k]),
				 "n/a (shmem THP unavailable: shmem_enabled is '%s')",
				 env.shmem_run);
		return;
	}
	if (k != K_HUGETLB)
		return;
	p = try_map_kind(k, -1, len, 0);
	if (!p) {
		snprintf(kind_na[k], sizeof(kind_na[k]),
			 "n/a (MAP_HUGETLB of %lu MiB: %s; vm.nr_hugepages=%ld)",
			 len >> 20, strerror(errno), env.nr_hugepages_run);
		return;
	}
	munmap(p, len);
}

void bench_faults(void)
{
	static const enum kind all[] = {
		K_ANON_PRIVATE, K_ANON_NOHUGE, K_SHMEM_SHARED, K_MEMFD_THP,
		K_HUGETLB, K_DEV_PRIVATE, K_DEV_SHARED, K_REF_FAULT,
		K_REF_PREFAULT,
	};
	enum kind kinds[MAX_SET];
	char key[64], label[72];
	int nk = 0, pat, k, a;

	for (a = 0; a < (int)MT_ARRAY_SIZE(all); a++) {
		probe_kind(all[a], opt.pages);
		if (!kind_na[all[a]][0])
			kinds[nk++] = all[a];
	}
	touch_patterns("cold faults", kinds, NULL, nk);
	for (pat = SEQ_READ; pat <= RAND_READ; pat++) {
		k = 0;
		for (a = 0; a < (int)MT_ARRAY_SIZE(all); a++) {
			enum kind kd = all[a];

			fault_row_name("cold", pat, kd, key, sizeof(key), label,
				       sizeof(label));
			if (kind_na[kd][0]) {
				add_na("faults", key, label, "ns/page",
				       kind_na[kd]);
				continue;
			}
			add_fig("faults", key, label, "ns/page",
				samples[pat * nk + k] + 1, opt.repeats,
				kind_is_dev(kd), 1);
			k++;
		}
	}
}
