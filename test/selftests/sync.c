// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-sync - fsync(2), fdatasync(2) and msync(2) on the device, side
 * by side with a memfd (shmem), the page cache the device's buffer
 * behaves like.
 *
 * A careful program msyncs its shared mapping and fsyncs its file; on a
 * file with no f_op->fsync both fail with EINVAL.  Each variant runs one
 * call on the device and on a memfd of the same size, with the same bytes
 * stored through a shared mapping first, and expects the same result on
 * both (0: shmem has nothing to write back, nor has the buffer) and the
 * stored bytes through read() afterwards.  One difference, asserted as
 * such: MS_INVALIDATE on an mlock()ed mapping is EBUSY on the memfd, 0
 * on the device, whose VMA mlock() leaves unlocked (VM_DONTEXPAND makes
 * it special, and mlock_fixup() does not lock special VMAs).
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 * Run as root with the module loaded: mmap-test-sync.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "mt_fixture.h"
#include "selftests.h"

#define PAGES	4UL

enum sync_call {
	S_FSYNC,
	S_FDATASYNC,
	S_MSYNC,	/* msync(flags) */
	S_MSYNC_LOCKED,	/* msync(flags) of an mlock()ed mapping */
};

FIXTURE(sync) {
	struct mt_ctx c;
	int mfd;
	int dev_locked;	/* the device VMA had VM_LOCKED after mlock() */
};

FIXTURE_VARIANT(sync) {
	enum sync_call call;
	int flags;
};

FIXTURE_VARIANT_ADD(sync, fsync) { .call = S_FSYNC };
FIXTURE_VARIANT_ADD(sync, fdatasync) { .call = S_FDATASYNC };
FIXTURE_VARIANT_ADD(sync, msync_sync) {
	.call = S_MSYNC, .flags = MS_SYNC };
FIXTURE_VARIANT_ADD(sync, msync_async) {
	.call = S_MSYNC, .flags = MS_ASYNC };
FIXTURE_VARIANT_ADD(sync, msync_invalidate) {
	.call = S_MSYNC, .flags = MS_INVALIDATE };
FIXTURE_VARIANT_ADD(sync, msync_sync_invalidate) {
	.call = S_MSYNC, .flags = MS_SYNC | MS_INVALIDATE };
FIXTURE_VARIANT_ADD(sync, msync_invalidate_locked) {
	.call = S_MSYNC_LOCKED, .flags = MS_INVALIDATE };
FIXTURE_VARIANT_ADD(sync, msync_bad_flags) {
	.call = S_MSYNC, .flags = MS_SYNC | MS_ASYNC };

FIXTURE_SETUP(sync)
{
	mt_ctx_setup(_metadata, &self->c, PAGES);
	self->mfd = memfd_create("mmap-test-sync", MFD_CLOEXEC);
	ASSERT_LE(0, self->mfd) TH_LOG("memfd_create: %s", strerror(errno));
	ASSERT_EQ(0, ftruncate(self->mfd, PAGES * pg));
}

FIXTURE_TEARDOWN(sync)
{
	if (self->mfd >= 0)
		close(self->mfd);
	mt_ctx_teardown(_metadata, &self->c);
}

/*
 * Store a pattern through a shared mapping of @fd, make the variant's
 * call, check the bytes through read(): the call's result, 0 or errno;
 * -1 when mlock() failed (its errno in *@locked).
 */
static int run_one(struct __test_metadata *_metadata, struct mt_ctx *c,
		   const FIXTURE_VARIANT(sync) *variant, int fd,
		   const char *what, int *locked)
{
	char *p, buf[64];
	int ret = 0;
	size_t i;

	p = mmap(NULL, PAGES * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s: mmap: %s", what, strerror(errno));
	mt_ctx_track(c, p, PAGES * pg);
	for (i = 0; i < PAGES; i++)
		snprintf(p + i * pg, 64, "%s page %zu", what, i);
	if (variant->call == S_MSYNC_LOCKED) {
		if (mlock(p, PAGES * pg)) {
			*locked = errno;
			return -1;	/* the test SKIPs */
		}
		*locked = !!(mt_ctx_query(_metadata, c->fd, p2u(p)).flags &
			     MMAP_TEST_VMA_LOCKED);
	}
	switch (variant->call) {
	case S_FSYNC:
		ret = fsync(fd);
		break;
	case S_FDATASYNC:
		ret = fdatasync(fd);
		break;
	case S_MSYNC:
	case S_MSYNC_LOCKED:
		ret = msync(p, PAGES * pg, variant->flags);
		break;
	}
	ret = ret ? errno : 0;
	for (i = 0; i < PAGES; i++) {
		char want[64];

		snprintf(want, sizeof(want), "%s page %zu", what, i);
		ASSERT_EQ((ssize_t)sizeof(buf),
			  pread(fd, buf, sizeof(buf), i * pg));
		EXPECT_STREQ(want, buf);
		EXPECT_STREQ(want, p + i * pg);
	}
	ASSERT_EQ(0, mt_ctx_unmap(c, p, PAGES * pg));
	return ret;
}

TEST_F(sync, same_as_memfd)
{
	int dev, shm;
	int shm_locked = 0;

	shm = run_one(_metadata, &self->c, variant, self->mfd, "memfd",
		      &shm_locked);
	if (shm < 0)
		SKIP(return, "mlock: %s", strerror(shm_locked));
	dev = run_one(_metadata, &self->c, variant, self->c.fd, "device",
		      &self->dev_locked);
	if (dev < 0)
		SKIP(return, "mlock: %s", strerror(self->dev_locked));
	TH_LOG("memfd: %s, device: %s", shm ? strerror(shm) : "0",
	       dev ? strerror(dev) : "0");
	if (variant->call != S_MSYNC_LOCKED)
		ASSERT_EQ(shm, dev);
	if (variant->call == S_MSYNC_LOCKED) {
		/*
		 * The one difference: mlock() leaves a VM_DONTEXPAND
		 * (special) VMA unlocked (mlock_fixup()), so there is no
		 * locked page for MS_INVALIDATE to refuse.
		 */
		ASSERT_EQ(EBUSY, shm);
		ASSERT_EQ(0, dev);
		ASSERT_EQ(0, self->dev_locked);
	} else if (variant->flags == (MS_SYNC | MS_ASYNC)) {
		ASSERT_EQ(EINVAL, dev);
	} else {
		ASSERT_EQ(0, dev);
	}
}

TEST_HARNESS_MAIN
