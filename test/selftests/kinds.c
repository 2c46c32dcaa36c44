// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-kinds - the four mapping kinds (device or anonymous, shared or
 * private; fixture "kinds", one variant each) behave as mmap(2) mappings
 * of those kinds do: what a second mapping and a forked child see of a
 * write, SIGSEGV on PROT_READ and PROT_NONE access, mprotect() upgrades;
 * and read()/write() of the device against its shared and private
 * mappings (mt.kinds_*).
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded (buffer_pages >= 8; every test SKIPs
 * below that, and when /dev/mmap-test does not exist): mmap-test-kinds.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/mmap_test.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "selftests.h"

MT_FIXTURE(mt, MT_MIN_PAGES);

FIXTURE(kinds) {
	struct mt_ctx c;
};

FIXTURE_VARIANT(kinds) {
	bool shared;
	bool anon;
};

FIXTURE_VARIANT_ADD(kinds, device_shared) { .shared = true, .anon = false };
FIXTURE_VARIANT_ADD(kinds, device_private) { .shared = false, .anon = false };
FIXTURE_VARIANT_ADD(kinds, anon_shared) { .shared = true, .anon = true };
FIXTURE_VARIANT_ADD(kinds, anon_private) { .shared = false, .anon = true };

#define KIND_PAGES	4

FIXTURE_SETUP(kinds)
{
	char *buf;
	unsigned long i;

	mt_ctx_setup(_metadata, &self->c, MT_MIN_PAGES);
	ASSERT_LE((unsigned long)KIND_PAGES, self->c.bp);
	/* device page i is filled with 'A' + i */
	buf = malloc(pg);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < KIND_PAGES; i++) {
		memset(buf, 'A' + i, pg);
		ASSERT_EQ((ssize_t)pg, pwrite(self->c.fd, buf, pg, i * pg));
	}
	free(buf);
}

FIXTURE_TEARDOWN(kinds)
{
	mt_ctx_teardown(_metadata, &self->c);
}

static __u32 kind_flags(const FIXTURE_VARIANT(kinds) *v)
{
	return (v->shared ? MMAP_TEST_SHARED : MMAP_TEST_PRIVATE) |
	       (v->anon ? MMAP_TEST_ANON : 0);
}

/* @len bytes of this kind mapped with @prot (at offset 0, anywhere). */
static char *kind_map(struct __test_metadata *_metadata, struct mt_ctx *c,
		      const FIXTURE_VARIANT(kinds) *v, size_t len, int prot)
{
	return mt_ctx_map(_metadata, c, c->fd, 0, len, 0, prot, kind_flags(v));
}

/* What page @i of a fresh mapping of this kind holds. */
static char kind_orig(const FIXTURE_VARIANT(kinds) *v, int i)
{
	return v->anon ? 0 : 'A' + i;
}

/* Whether len bytes at p all equal ch. */
static bool all_eq(const char *p, char ch, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != ch)
			return false;
	return true;
}

TEST_F(kinds, second_mapping)
{
	struct mt_ctx *c = &self->c;
	size_t len = 2 * pg;
	char *p, *q;

	p = kind_map(_metadata, c, variant, len, PROT_READ | PROT_WRITE);
	if (!variant->anon) {
		q = kind_map(_metadata, c, variant, len, PROT_READ | PROT_WRITE);
	} else if (variant->shared) {
		/* the same shmem object mapped twice */
		q = mremap(p, 0, len, MREMAP_MAYMOVE);
		ASSERT_NE(MAP_FAILED, q) TH_LOG("mremap dup: %s", strerror(errno));
		mt_ctx_track(c, q, len);
	} else {
		/* duplicating a private mapping is refused by the kernel */
		q = mremap(p, 0, len, MREMAP_MAYMOVE);
		ASSERT_EQ(MAP_FAILED, q);
		ASSERT_EQ(EINVAL, errno);
		q = kind_map(_metadata, c, variant, len, PROT_READ | PROT_WRITE);
	}
	ASSERT_NE(p, q);
	ASSERT_TRUE(all_eq(q + 512, kind_orig(variant, 0), 16));

	memset(p + 512, 'M', 16);
	ASSERT_TRUE(all_eq(q + 512, variant->shared ? 'M' : kind_orig(variant, 0), 16))
		TH_LOG("write through the first mapping %s the second",
		       variant->shared ? "invisible in" : "leaked into");
	memset(q + pg + 1024, 'Q', 16);
	ASSERT_TRUE(all_eq(p + pg + 1024, variant->shared ? 'Q' : kind_orig(variant, 1), 16))
		TH_LOG("write through the second mapping %s the first",
		       variant->shared ? "invisible in" : "leaked into");
}

/*
 * The fork tests' start: two pages of the variant's kind, read-write,
 * and two pipes, parent to child and child to parent.
 */
static char *fork_setup(struct __test_metadata *_metadata, struct mt_ctx *c,
			const FIXTURE_VARIANT(kinds) *variant,
			int to_child[2], int to_parent[2])
{
	char *p = kind_map(_metadata, c, variant, 2 * pg,
			   PROT_READ | PROT_WRITE);

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	return p;
}

static void close_pipes(int to_child[2], int to_parent[2])
{
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

/* Child forked before the parent writes; child writes after. */
TEST_F(kinds, fork_before_write)
{
	int to_child[2], to_parent[2];
	char ch = 0;
	char *p;
	pid_t pid;

	p = fork_setup(_metadata, &self->c, variant, to_child, to_parent);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int code = 0;

		if (read(to_child[0], &ch, 1) != 1)
			_exit(20);
		if (!all_eq(p + 512, variant->shared ? 'M' : kind_orig(variant, 0), 16)) {
			fprintf(stderr, "# child: parent's write %s\n",
				variant->shared ? "not visible" : "leaked into the child");
			code = 21;
		}
		memset(p + pg + 1024, 'C', 16);
		if (write(to_parent[1], "x", 1) != 1)
			code = 22;
		_exit(code);
	}
	memset(p + 512, 'M', 16);
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(1, read(to_parent[0], &ch, 1));
	wait_child_ok(_metadata, pid);
	ASSERT_TRUE(all_eq(p + pg + 1024, variant->shared ? 'C' : kind_orig(variant, 1), 16))
		TH_LOG("child's write %s", variant->shared ? "not visible" : "leaked into the parent");
	close_pipes(to_child, to_parent);
}

/*
 * Child forked after the parent's write sees it (a COW copy when
 * private); the parent's later write is visible only when shared.  A
 * device child also maps the device afresh and reads what the device
 * holds.
 */
TEST_F(kinds, fork_after_write)
{
	struct mt_ctx *c = &self->c;
	int to_child[2], to_parent[2];
	char ch = 0;
	char *p;
	pid_t pid;

	p = fork_setup(_metadata, c, variant, to_child, to_parent);
	memset(p + 512, 'M', 16);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mmap_test_alloc a;
		int code = 0;

		if (!all_eq(p + 512, 'M', 16)) {
			fprintf(stderr, "# child: the write made before fork is missing\n");
			code = 21;
		}
		if (!variant->anon) {
			if (mt_ioctl_alloc(c->fd, 0, pg, 0, PROT_READ,
					   kind_flags(variant), &a)) {
				fprintf(stderr, "# child: ALLOC failed\n");
				code = 23;
			} else {
				char want = variant->shared ? 'M' : 'A';

				if (!all_eq((char *)u2p(a.mapped) + 512, want, 16)) {
					fprintf(stderr, "# child: a new mapping of the device does not show '%c'\n",
						want);
					code = 24;
				}
				munmap(u2p(a.mapped), pg);
			}
		}
		if (write(to_parent[1], "x", 1) != 1)
			code = 22;
		if (read(to_child[0], &ch, 1) != 1)
			_exit(20);
		if (!all_eq(p + pg + 2048, variant->shared ? 'P' : kind_orig(variant, 1), 16)) {
			fprintf(stderr, "# child: parent's post-fork write %s\n",
				variant->shared ? "not visible" : "leaked into the child");
			code = 25;
		}
		_exit(code);
	}
	ASSERT_EQ(1, read(to_parent[0], &ch, 1));
	memset(p + pg + 2048, 'P', 16);
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	wait_child_ok(_metadata, pid);
	ASSERT_TRUE(all_eq(p + 512, 'M', 16));
	close_pipes(to_child, to_parent);
}

TEST_F(kinds, readonly_write_segv)
{
	struct mt_ctx *c = &self->c;
	char v = 0x55;
	char *p;

	p = kind_map(_metadata, c, variant, pg, PROT_READ);
	ASSERT_EQ(0, mt_mem_touch(p + 100, MT_ACCESS_READ, 0, &v, NULL));
	ASSERT_EQ(kind_orig(variant, 0), v);
	ASSERT_EQ(SIGSEGV, mt_mem_touch(p + 100, MT_ACCESS_WRITE, 'W',
					NULL, NULL))
		TH_LOG("writing a PROT_READ mapping did not raise SIGSEGV");
	ASSERT_EQ(kind_orig(variant, 0), p[100]);
}

TEST_F(kinds, none_access_segv)
{
	struct mt_ctx *c = &self->c;
	char *p;

	p = kind_map(_metadata, c, variant, pg, PROT_NONE);
	ASSERT_EQ(SIGSEGV, mt_mem_touch(p, MT_ACCESS_READ, 0, NULL, NULL))
		TH_LOG("reading a PROT_NONE mapping did not raise SIGSEGV");
	ASSERT_EQ(SIGSEGV, mt_mem_touch(p + 7, MT_ACCESS_WRITE, 'W',
					NULL, NULL))
		TH_LOG("writing a PROT_NONE mapping did not raise SIGSEGV");
	/* mprotect makes it readable and shows the original content */
	ASSERT_EQ(0, mprotect(p, pg, PROT_READ));
	ASSERT_EQ(0, mt_mem_touch(p, MT_ACCESS_READ, 0, NULL, NULL));
	ASSERT_EQ(kind_orig(variant, 0), p[7]);
}

TEST_F(kinds, mprotect_upgrade_write)
{
	struct mt_ctx *c = &self->c;
	char buf[16];
	char *p;

	p = kind_map(_metadata, c, variant, pg, PROT_READ);
	ASSERT_EQ(SIGSEGV, mt_mem_touch(p + 64, MT_ACCESS_WRITE, 'W',
					NULL, NULL));
	ASSERT_EQ(0, mprotect(p, pg, PROT_READ | PROT_WRITE))
		TH_LOG("mprotect RW: %s", strerror(errno));
	ASSERT_EQ(0, mt_mem_touch(p + 64, MT_ACCESS_WRITE, 'W', NULL, NULL));
	ASSERT_EQ('W', p[64]);
	if (!variant->anon) {
		ASSERT_EQ(1, pread(c->fd, buf, 1, 64));
		ASSERT_EQ(variant->shared ? 'W' : 'A', buf[0])
			TH_LOG("read() after a write through a %s mapping",
			       variant->shared ? "shared" : "private");
	}
}

/* read()/write() of the device vs. its mappings */
TEST_F(mt, kinds_shared_write_visible_to_read)
{
	struct mt_ctx *c = &self->c;
	char buf[32];
	char *p;

	p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		       MMAP_TEST_SHARED);
	strcpy(p + pg + 10, "shared write");
	ASSERT_EQ(13, pread(c->fd, buf, 13, pg + 10));
	ASSERT_STREQ("shared write", buf);
	/* and write() shows in the mapping */
	ASSERT_EQ(6, pwrite(c->fd, "fromw", 6, 300));
	ASSERT_STREQ("fromw", p + 300);
}

TEST_F(mt, kinds_private_write_invisible_to_read)
{
	struct mt_ctx *c = &self->c;
	char buf[64];
	char *p;

	p = mt_ctx_map(_metadata, c, c->fd, 0, 2 * pg, 0, PROT_READ | PROT_WRITE,
		       MMAP_TEST_PRIVATE);
	strcpy(p, "private write");
	ASSERT_EQ((ssize_t)strlen(MMAP_TEST_GREETING),
		  pread(c->fd, buf, strlen(MMAP_TEST_GREETING), 0));
	ASSERT_EQ(0, memcmp(buf, MMAP_TEST_GREETING, strlen(MMAP_TEST_GREETING)))
		TH_LOG("a private write reached the device buffer");
	ASSERT_STREQ("private write", p);
}

TEST_HARNESS_MAIN
