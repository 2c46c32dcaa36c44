// SPDX-License-Identifier: GPL-2.0
/*
 * mmap-test-lib - the test library's self-check (lib/check/lib-check.c) on
 * the kernel and CPU under test, not only on the build host: the JSON
 * writer's bytes (test-mmap --json, the bench's JSON), the maps parser,
 * the RNG and the probes, with values that need all 64 bits.  A field read
 * with the wrong byte order or width shows here on big-endian s390x, and
 * a probe that assumes 4K pages on the 16K and 64K rows.  Needs no module.
 *
 * Build: make -C test selftests KSFT_INC=<dir with kselftest_harness.h>
 */
#define LIB_CHECK_PREFIX "# "
#define LIB_CHECK_NO_MAIN
#include "../lib/check/lib-check.c"

#include "kselftest_harness.h"

TEST(self_check)
{
	ASSERT_EQ(0, lib_check());
}

TEST_HARNESS_MAIN
