#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/fuzz-replay.sh [--target TARGET] FILE...
#
# Runs inputs of the coverage-guided fuzzer once more, in a fresh guest of
# TARGET (default: the debug-kernel role's, x86_64-debug): a crash that
# make check saved (build/<target>/fuzz/crashes/<name>, from the serial
# log's "fuzz-crash" line: scripts/coverage.sh) or any input of its corpus
# (build/<target>/export/fuzz-guided/corpus/).  The guest loads the module
# as the test fuzz-guided does (buffer_pages=1024) and runs
# `mmap-test-fuzz --replay` on the files (/tmp/in/1, 2, ... in the order
# given); its exit status is this script's, the serial log
# build/<target>/exec.log (the kernel's splats are in it).  Needs scripts/build.sh TARGET first (make check did it).
# On a machine of your own with the module loaded, the same is
# `mmap-test-fuzz --replay FILE`.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

target=$(target_role debug-kernel)
if [ "${1:-}" = --target ]; then
	[ $# -ge 2 ] || die "usage: $0 [--target TARGET] FILE..."
	target=$2
	shift 2
fi
[ $# -ge 1 ] || die "usage: $0 [--target TARGET] FILE..."
target_check "$target"
# /guest/env carries the inputs (base64), the command writes them back.
env='' cmd='. /guest/env; insmod /mmap_test.ko buffer_pages=1024 || exit 1; mkdir -p /tmp/in'
i=0
for f in "$@"; do
	[ -f "$f" ] || die "no file $f"
	i=$((i + 1))
	env="${env}FUZZ_INPUT_$i=$(base64 -w0 < "$f")
"
	cmd="$cmd; echo \"\$FUZZ_INPUT_$i\" | base64 -d > /tmp/in/$i"
done
cmd="$cmd; mmap-test-fuzz --replay /tmp/in/*"
MMAP_TEST_GUEST_ENV=$env exec "$TOP/scripts/vm.sh" "$target" exec --timeout 600 \
	-- sh -c "$cmd"
