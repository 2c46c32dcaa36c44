#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# TAP, written (part of scripts/lib.sh).  The host checks
# (scripts/host-checks/) write one TAP line per check; scripts/check.sh
# reads them, and the guest's, with scripts/lib/results.py, the one reader
# of results.  The guest scripts run under busybox ash, not bash, and keep
# their own small writer.
#
# Writing: set TAP_PREFIX (the text between the number and the name, e.g.
# "lint: " or "- "), then
#   tap_ok NAME                  "ok N <prefix>NAME"
#   tap_not_ok NAME [DETAIL...]  "not ok N <prefix>NAME", then "#   DETAIL"
#   tap_skip NAME REASON         "ok N <prefix>NAME # SKIP REASON" (counted
#                                apart: neither passed nor failed)
#   tap_check NAME OUTPUT        ok when OUTPUT is empty, else not ok with
#                                OUTPUT's lines as details
#   tap_status RC NAME [LOG]     ok when RC is 0, else not ok with LOG's tail
#   tap_log LOG [N]              LOG's last N lines (default 25) as "#   | "
#   tap_plan                     "1..N"
#   tap_summary                  "1..N", "# P passed, F failed"
#   tap_passed                   status 0 iff nothing failed

TAP_PREFIX=${TAP_PREFIX:-}
TAP_PASS=0
TAP_FAIL=0
TAP_SKIP=0

tap_ok() {
	TAP_PASS=$((TAP_PASS + 1))
	printf 'ok %d %s%s\n' $((TAP_PASS + TAP_FAIL + TAP_SKIP)) "$TAP_PREFIX" "$1"
}

tap_not_ok() {
	local l
	TAP_FAIL=$((TAP_FAIL + 1))
	printf 'not ok %d %s%s\n' $((TAP_PASS + TAP_FAIL + TAP_SKIP)) "$TAP_PREFIX" "$1"
	shift
	for l in "$@"; do printf '#   %s\n' "$l"; done
}

tap_skip() {
	TAP_SKIP=$((TAP_SKIP + 1))
	printf 'ok %d %s%s # SKIP %s\n' $((TAP_PASS + TAP_FAIL + TAP_SKIP)) \
		"$TAP_PREFIX" "$1" "$2"
}

tap_check() {
	local lines=()
	if [ -z "$2" ]; then
		tap_ok "$1"
	else
		mapfile -t lines <<< "$2"
		tap_not_ok "$1" "${lines[@]}"
	fi
}

tap_log() {
	tail -n "${2:-25}" "$1" | sed 's/^/#   | /'
}

tap_status() {
	if [ "$1" = 0 ]; then
		tap_ok "$2"
	else
		tap_not_ok "$2"
		if [ -n "${3:-}" ] && [ -f "$3" ]; then tap_log "$3"; fi
	fi
}

tap_plan() { echo "1..$((TAP_PASS + TAP_FAIL + TAP_SKIP))"; }

tap_summary() {
	tap_plan
	if [ "$TAP_SKIP" = 0 ]; then
		echo "# $TAP_PASS passed, $TAP_FAIL failed"
	else
		echo "# $TAP_PASS passed, $TAP_FAIL failed, $TAP_SKIP skipped"
	fi
}

tap_passed() { [ "$TAP_FAIL" = 0 ]; }
