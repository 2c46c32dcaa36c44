#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test "fuzz" of the collection mmap_test: mmap-test-fuzz makes at most
# $MMAP_TEST_FUZZ_CALLS calls (default 100000) in at most
# $MMAP_TEST_FUZZ_SECONDS seconds (default 120) and finds nothing wrong.
# With another mmap_hook than mmap, a fifth of the calls: only the setup
# of a mapping differs.  Long under emulation: make check runs it on the
# debug kernel only (its tag "debug").
# shellcheck source=test/kselftest/parts/common.sh
. "$(dirname "$0")/common.sh"
calls=${MMAP_TEST_FUZZ_CALLS:-100000}
secs=${MMAP_TEST_FUZZ_SECONDS:-120}
[ "$(cat /sys/module/mmap_test/parameters/mmap_hook)" = mmap ] ||
	calls=$((calls / 5))

run_prefixed fuzz mmap-test-fuzz --calls "$calls" --seconds "$secs"
rc=$?
result "$rc" fuzz "mmap-test-fuzz --calls $calls --seconds $secs: exit status $rc"
ktap_end
