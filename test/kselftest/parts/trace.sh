#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test "trace" of the collection mmap_test: the module's trace events
# exist in tracefs, and `test-mmap` and `test-mmap tour` emit them
# (the tour's fault-around: mmap_test_map_pages).  No tracefs is a
# failure: the module's events are part of what it offers.
# shellcheck source=test/kselftest/parts/common.sh
. "$(dirname "$0")/common.sh"
TR=/sys/kernel/tracing
[ -f "$TR/trace" ] || mount -t tracefs tracefs "$TR" 2>/dev/null
[ -f "$TR/trace" ] || TR=/sys/kernel/debug/tracing
EV=$TR/events/mmap_test

trace_cmd() {
	_out=$1
	shift
	: >"$TR/trace"
	echo 1 >"$EV/enable"
	"$@" >/dev/null 2>&1
	_rc=$?
	echo 0 >"$EV/enable"
	cat "$TR/trace" >"$_out"
	: >"$TR/trace"
	sed -n '/^[^#]/p' "$_out" | head -n 12 | sed 's/^/trace| /'
	return $_rc
}

trace_missing() {
	_f=$1
	shift
	_m=
	for _e in "$@"; do
		grep -q " $_e: " "$_f" || _m="$_m $_e"
	done
	echo "$_m"
}

if [ -f "$TR/trace" ] && [ -d "$EV" ]; then
	missing=
	for e in mmap_test_alloc mmap_test_free mmap_test_query \
		mmap_test_fault mmap_test_map_pages mmap_test_open \
		mmap_test_close; do
		[ -f "$EV/$e/enable" ] || missing="$missing $e"
	done
	[ -z "$missing" ]
	result $? events_present "missing in $EV:$missing"

	trace_cmd "$T"/trace.run test-mmap
	rc=$?
	missing=$(trace_missing "$T"/trace.run mmap_test_alloc mmap_test_free \
		mmap_test_query mmap_test_fault mmap_test_open mmap_test_close)
	[ "$rc" = 0 ] && [ -z "$missing" ]
	result $? test_mmap \
		"test-mmap exit status $rc; no trace line of:${missing:- (none)}"

	trace_cmd "$T"/trace.tour sh -c "test-mmap tour --json >$T/tour.json"
	rc=$?
	# ->map_pages runs only where the fault-around window is 2 pages or
	# more: not with 64K pages and the default 64 KiB, where the tour's
	# fault_around step says so ("window_pages":1)
	around=mmap_test_map_pages
	if grep '"name":"fault_around","verdict":"pass"' "$T/tour.json" |
		grep -q '"window_pages":1,'; then
		grep '"name":"fault_around"' "$T/tour.json" | sed 's/^/trace-tour| /'
		around=
	fi
	# shellcheck disable=SC2086  # $around: one event or none
	missing=$(trace_missing "$T"/trace.tour mmap_test_alloc mmap_test_free \
		mmap_test_query mmap_test_fault $around \
		mmap_test_open mmap_test_close)
	[ "$rc" = 0 ] && [ -z "$missing" ]
	result $? tour_map_pages \
		"test-mmap tour exit status $rc; no trace line of:${missing:- (none)}"
else
	result 1 events_present "no $TR/trace or no $EV (tracefs?)"
	result 1 test_mmap "no tracefs"
	result 1 tour_map_pages "no tracefs"
fi
ktap_end
