// SPDX-License-Identifier: GPL-2.0
/*
 * args.c - the argument pointers mmap-test-fuzz passes to the ioctls.
 *
 * Most point at a valid copy of the argument structure in the thread's
 * two RW pages; the others are the ones a driver's copy_from_user() and
 * copy_to_user() must survive: at the end of a page before a PROT_NONE
 * guard, unaligned, read-only (a second, read-only view of a memfd page:
 * copy-in works, copy-out fails), NULL, page 0, in the guard page,
 * straddling into it, in the kernel half or straddling TASK_SIZE.
 */
#include <string.h>

#include "fuzz.h"

const char * const pk_names[NPK] = {
	"valid", "end-of-page", "unaligned", "read-only", "NULL", "page0",
	"prot-none", "straddle-guard", "kernel", "task-size"
};

bool pk_readable(int pk)
{
	return pk <= PK_RO;
}

bool pk_writable(int pk)
{
	return pk < PK_RO;
}

/* How many of 1000 picks give each kind of pointer. */
static const unsigned short pk_weight[NPK] = {
	[PK_VALID] = 700, [PK_END] = 80, [PK_UNALIGNED] = 70, [PK_RO] = 40,
	[PK_NULL] = 20, [PK_LOW] = 20, [PK_GUARD] = 20, [PK_STRADDLE] = 30,
	[PK_KERNEL] = 15, [PK_TOP] = 5,
};

int pick_pk(struct thr *t)
{
	unsigned long r = rnd(t, 1000);
	int pk;

	for (pk = 0; r >= pk_weight[pk]; pk++)
		r -= pk_weight[pk];
	return pk;
}

/*
 * Place @size bytes of @src according to @pk; returns the pointer to pass.
 * For the readable kinds *@out is where the kernel's copy-out can be read.
 */
unsigned long place(struct thr *t, int pk, const void *src, size_t size,
		    void **out)
{
	static const unsigned long kernel[] = {
		0xffff888000000000UL, 0xffffffff81000000UL,
		0xffffffffffffff00UL, 0x8000000000000000UL,
		0xffff000000000000UL,
	};
	unsigned long guard = (unsigned long)t->pages + 2 * ps;
	unsigned long p, k;

	*out = NULL;
	switch (pk) {
	case PK_VALID:
		p = (unsigned long)t->pages +
			(rnd(t, (2 * ps - size) / 8 + 1) * 8);
		break;
	case PK_END:
		p = guard - size;
		break;
	case PK_UNALIGNED:
		p = (unsigned long)t->pages + 1 + rnd(t, 7) +
			rnd(t, (ps - size) / 8) * 8;
		break;
	case PK_RO:
		k = rnd(t, (ps - size) / 8 + 1) * 8;
		memcpy(t->rw_view + k, src, size);
		*out = t->rw_view + k;
		return (unsigned long)t->ro_view + k;
	case PK_NULL:
		return 0;
	case PK_LOW:
		return rnd(t, 2) ? 8 : ps - 8;
	case PK_GUARD:
		return guard + rnd(t, ps - size);
	case PK_STRADDLE:
		k = 1 + rnd(t, size - 1);	/* bytes inside the guard */
		if (chance(t, 300))
			k = chance(t, 500) ? 1 : size - 1;
		p = guard - size + k;
		memcpy((void *)p, src, size - k);
		return p;
	case PK_KERNEL:
		return kernel[rnd(t, MT_ARRAY_SIZE(kernel))];
	default:
		return task_size - size + 8;
	}
	memcpy((void *)p, src, size);
	*out = (void *)p;
	return p;
}
