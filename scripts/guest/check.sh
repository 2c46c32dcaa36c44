#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: guest job "check", run by /init inside the VM (scripts/vm.sh
# <target> check, with the kselftest tree that scripts/kselftest-install.sh
# installed in /kselftest); not for the host.  Runs the collection
# mmap_test with the kernel's run_kselftest.sh, as a user runs it, and
# adds the harness's own checks.  The tests, their module parameters and
# which run when are the collection's table (test/kselftest/tests):
#   - one pass per mmap hook in HOOKS: run_kselftest.sh -c mmap_test
#     without the tests tagged "once" (-S), with MMAP_TEST_PARAMS
#     "MODULE_PARAMS mmap_hook=<hook>"; before the second and later passes
#     the line "# mmap-test pass: <hook>." says that their test names
#     get that prefix (scripts/lib/results.py);
#   - then the tests tagged "once", with -t (mmap_test.sh --select);
#   - tests tagged "debug" only with DEBUG_KERNEL=1; then kmemleak (ok N
#     guest.kmemleak).
# Settings from /guest/env: TARGET, MODULE_PARAMS (default none), HOOKS
# (default mmap), HUGE (1: the kernel has huge device mappings),
# DEBUG_KERNEL, and MMAP_TEST_* variables for the tests (exported as they
# are: MMAP_TEST_FUZZ_CALLS...).  What the row's kernel has (the second
# hook, huge=1) goes to MMAP_TEST_REQUIRE: a refusal of it fails.
# At the end, where the kernel has them, the module's gcov counts and the
# files the tests left in $MMAP_TEST_EXPORT_DIR go to the host through the
# console (export_dir).  Prints "CHECK-END" at the end.
set -u
set -a	# the MMAP_TEST_* settings of /guest/env reach the tests
# shellcheck disable=SC1091
[ -f /guest/env ] && . /guest/env
set +a
KS=/kselftest
KMEMLEAK=/sys/kernel/debug/kmemleak
HOOKS=${HOOKS:-mmap}
section() { echo "# [$(cut -d' ' -f1 /proc/uptime)s] $*"; }
# Files the tests leave for the host (the guided fuzzer's corpus), sent
# back at the end with export_dir.
export MMAP_TEST_EXPORT_DIR=/tmp/mt-export
mkdir -p "$MMAP_TEST_EXPORT_DIR"

# export_dir NAME DIR: DIR as a gzipped tar, in base64 between the lines
# "# export NAME <SHA-256> <bytes>" and "# export-end NAME", which
# scripts/lib/coverage.py extract reads back from the serial log.
export_dir() {
	tar -C "$2" -czf /tmp/export.tgz . || return 0
	echo "# export $1 $(sha256sum < /tmp/export.tgz | cut -d' ' -f1) $(wc -c < /tmp/export.tgz)"
	base64 /tmp/export.tgz
	echo "# export-end $1"
}

echo "# check on ${TARGET:-unknown}: $(uname -r) $(uname -m)"
# The console probe (scripts/check.sh, console_probe): 100 lines of the
# kernel's (written to /dev/kmsg by a background loop) and 100 of a test's
# at the same time; the host counts the lines of both that arrived whole.
(
	i=0
	while [ $i -lt 100 ]; do
		echo "guest: console-probe $i" > /dev/kmsg
		i=$((i + 1))
	done
) &
i=0
while [ $i -lt 100 ]; do
	echo "# console-probe $i: a line as long as a KTAP result line of a test"
	i=$((i + 1))
done
wait
[ -x "$KS/run_kselftest.sh" ] || echo "not ok 1 guest.kselftest_tree - no $KS/run_kselftest.sh"

require=
[ "${HUGE:-0}" = 1 ] && require=huge=1
for h in $HOOKS; do
	[ "$h" = mmap ] || require="$require mmap_hook=$h"
done
export MMAP_TEST_REQUIRE="$require"

if [ "${DEBUG_KERNEL:-0}" = 1 ] && [ -w "$KMEMLEAK" ]; then
	# Forget what was already unreferenced at boot: only leaks that
	# happen from here on count.
	echo scan > "$KMEMLEAK"
	echo clear > "$KMEMLEAK"
fi

sel() { "$KS/mmap_test/mmap_test.sh" "$@"; }	# --select / --deselect TAG
nodebug=
[ "${DEBUG_KERNEL:-0}" = 1 ] || nodebug=$(sel --deselect debug)

cd "$KS" || exit 1
pass=0
for h in $HOOKS; do
	pass=$((pass + 1))
	[ $pass = 1 ] || echo "# mmap-test pass: $h."
	section "pass $pass: mmap_hook=$h"
	# shellcheck disable=SC2046,SC2086  # lists of options
	MMAP_TEST_PARAMS="${MODULE_PARAMS:+$MODULE_PARAMS }mmap_hook=$h" \
		./run_kselftest.sh -c mmap_test \
		$(sel --deselect once) $nodebug
done
echo "# mmap-test pass: "
section "once"
once=$(sel --select once)
# shellcheck disable=SC2086  # a list of options
[ -z "$once" ] || MMAP_TEST_PARAMS="${MODULE_PARAMS:-}" ./run_kselftest.sh $once

section kmemleak
if [ "${DEBUG_KERNEL:-0}" = 1 ]; then
	if [ -w "$KMEMLEAK" ]; then
		echo scan > "$KMEMLEAK"
		sleep 6
		echo scan > "$KMEMLEAK"
		cat "$KMEMLEAK" > /tmp/leaks
		sed 's/^/kmemleak| /' /tmp/leaks
		if [ -s /tmp/leaks ]; then
			echo "not ok 1 guest.kmemleak - $(grep -c 'unreferenced object' \
				/tmp/leaks) unreferenced object(s)"
		else
			echo "ok 1 guest.kmemleak"
		fi
	else
		echo "not ok 1 guest.kmemleak - no $KMEMLEAK"
	fi
fi

# The module's gcov counts (a COVERAGE=1 row: scripts/coverage.sh), kept by
# the kernel across the unloads of the tests.  debugfs reports size 0, so
# each file is copied with cat before tar.
G=/sys/kernel/debug/gcov
if [ -d "$G" ]; then
	section "gcov counts"
	rm -rf /tmp/gcov
	find "$G" -name '*.gcda' | while read -r f; do
		d=/tmp/gcov/${f#"$G"/}
		mkdir -p "${d%/*}"
		cat "$f" > "$d"
	done
	[ -d /tmp/gcov ] && export_dir gcov /tmp/gcov
fi
[ -z "$(ls -A "$MMAP_TEST_EXPORT_DIR")" ] || export_dir files "$MMAP_TEST_EXPORT_DIR"

echo "# kernel log of the module (last 200 lines)"
dmesg | grep -E 'mmap.test|page index offset' | tail -n 200
section "done"
echo "CHECK-END"
