/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guided.h - what guided.c (the loop of --guided and --replay) and
 * gexec.c (the executor of one input) share.  The input format is
 * test/lib/mt_record.h's.
 */
#ifndef MMAP_TEST_GUIDED_H
#define MMAP_TEST_GUIDED_H

#include "mt_record.h"

#define GARENA		(64UL << 20)	/* the executor's arena */
#define GMAX_RECS	128		/* records per input */
#define GMAX_BYTES	(MT_REC_MAGIC_LEN + GMAX_RECS * \
			 (sizeof(struct mt_rec) + MT_REC_DATA))

/* One record and its data. */
struct grec {
	struct mt_rec r;
	unsigned char data[MT_REC_DATA];
};

/* What one run of an input gave. */
struct gexec_result {
	char reason[256];		/* the contract failure, if any */
	int out[GMAX_RECS];		/* per record: errno, 0, or 255 */
	unsigned long stray;		/* device mappings found in maps */
};

int gexec_setup(void);
/* 0, or -1 when the contract was broken (res->reason). */
int gexec_run(const struct grec *recs, int n, struct gexec_result *res);

#endif /* MMAP_TEST_GUIDED_H */
