#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test "fuzz-guided" of the collection mmap_test: the coverage-guided mode
# of mmap-test-fuzz (test/fuzz/guided.c) for $MMAP_TEST_FUZZ_GUIDED_SECONDS
# seconds (default 180), from seeds recorded here: the library's recorder
# (MMAP_TEST_RECORD_DIR, test/lib/mt_record.h) writes one input per process,
# so mmap-test-bad-inputs gives one per row of its table (the harness forks
# per test case) and `test-mmap script` one per example.  It needs KCOV
# (the x86_64-debug kernel: only the module is instrumented) and SKIPs
# without it.  The corpus goes to $MMAP_TEST_EXPORT_DIR/fuzz-guided/corpus
# when that is set, crashes beside it; a crash is also printed as a line
# "# fuzz-crash <name> <hex>" (test/fuzz/guided.c).
# shellcheck source=test/kselftest/parts/common.sh
. "$(dirname "$0")/common.sh"
secs=${MMAP_TEST_FUZZ_GUIDED_SECONDS:-180}

if [ ! -e /sys/kernel/debug/kcov ]; then
	skip fuzz-guided "no /sys/kernel/debug/kcov: a kernel without CONFIG_KCOV, or debugfs not mounted"
	ktap_end
fi

seeds=$T/seeds
mkdir -p "$seeds"
MMAP_TEST_RECORD_DIR=$seeds mmap-test-bad-inputs >"$T/bad.out" 2>&1
echo "# seeds: mmap-test-bad-inputs exit status $?"
nex=0
for f in "$MT_DIR"/examples/*; do
	[ -f "$f" ] || continue
	nex=$((nex + 1))
	MMAP_TEST_RECORD_DIR=$seeds test-mmap script "$f" >/dev/null 2>&1
done
set -- "$seeds"/*
[ -e "$1" ] || set --
echo "# seeds: $# files (bad-input rows and $nex examples)"
# the recorder works: more seeds than examples (the table has dozens of rows)
[ $# -gt "$nex" ]
result $? seeds "$# seeds recorded from mmap-test-bad-inputs and $nex examples"

if [ -n "${MMAP_TEST_EXPORT_DIR:-}" ]; then
	corpus=$MMAP_TEST_EXPORT_DIR/fuzz-guided/corpus
else
	corpus=$T/fuzz-guided/corpus
fi
run_prefixed fuzz-guided mmap-test-fuzz --guided --seconds "$secs" \
	--seeds "$seeds" --corpus "$corpus"
rc=$?
result "$rc" fuzz-guided "mmap-test-fuzz --guided --seconds $secs: exit status $rc"
ktap_end
