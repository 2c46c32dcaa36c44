#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel splats in a serial log (part of scripts/lib.sh): what make check,
# the demo, the bench and make shell count as a kernel failure even when
# every test passed.
#
#   splat_scan LOG               the splat lines with context on stderr,
#                                their number on stdout
#
# The kernel's memory-failure lines ("Memory failure: ...", "Soft offline:
# ...") are splats too, except between the two markers that the
# collection's wrapper (test/kselftest/mmap_test.sh) writes to /dev/kmsg
# around the test mmap-test-memfail, which provokes exactly those
# (MEMFAIL_BEGIN and MEMFAIL_END: written to the kernel log itself, they
# keep their order with the kernel's own lines on the console).

SPLAT_RE='BUG:|WARNING:|Oops|KASAN:|kmemleak: .*suspected memory leak|unreferenced object|possible circular locking|possible recursive locking|sleeping function called from invalid context|general protection fault|Kernel panic|UBSAN:|list_add corruption|list_del corruption|[Bb]ad page state|Bad page|INFO: task .* blocked for more than|watchdog: BUG: soft lockup|rcu: INFO: rcu_.* stall|suspicious RCU usage|Memory failure:|Soft offline:'
MEMFAIL_RE='Memory failure:|Soft offline:'
MEMFAIL_BEGIN='mmap-test: test mmap-test-memfail begins'
MEMFAIL_END='mmap-test: test mmap-test-memfail ends'

# The serial log, carriage returns removed, without the memory-failure
# lines that lie between the markers.
splat_text() {
	tr -d '\r' < "$1" | awk -v re="$MEMFAIL_RE" -v b="$MEMFAIL_BEGIN" \
		-v e="$MEMFAIL_END" '
		index($0, b) { in_mf = 1 }
		index($0, e) { in_mf = 0 }
		in_mf && $0 ~ re { next }
		{ print }'
}

# splat_scan LOG: prints every splat line with context on stderr and the
# number of distinct splat lines (timestamps stripped) on stdout.
splat_scan() {
	local log=$1 n
	[ -f "$log" ] || { echo 0; return 0; }
	n=$(splat_text "$log" | grep -aE "$SPLAT_RE" |
		sed -E 's/^\[ *[0-9]+\.[0-9]+\] *//' | sort -u | wc -l)
	if [ "$n" -gt 0 ]; then
		printf -- '--- kernel splats in %s ---\n' "$log" >&2
		splat_text "$log" | grep -an -E -B2 -A12 "$SPLAT_RE" >&2 || :
		printf -- '--- end of splats ---\n' >&2
	fi
	echo "$n"
}
