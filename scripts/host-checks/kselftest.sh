#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/host-checks/kselftest.sh [TARGET]     (default x86_64-7.3)
#
# make check's host check "kselftest": the kselftest collection mmap_test
# installed the kernel's way (scripts/kselftest-install.sh, with the
# programs and module of scripts/build.sh TARGET) and run by the kernel's
# own run_kselftest.sh in TARGET's VM, as a user runs it on a machine:
#   - kselftest-list.txt lists one test per test/selftests/<topic>.c;
#   - run_kselftest.sh -c mmap_test: each test's result line (a SKIP keeps
#     its reason and is never a pass), and each test that ran printed its
#     own results (nested KTAP);
#   - run_kselftest.sh -t mmap_test:mmap-test-sync.sh runs that one only;
#   - with no module to load, a test SKIPs, and so does a program run
#     without the wrapper (exit 4, "1..0 # SKIP"): never a pass.
# Prints one TAP line per check ("ok N kselftest: ...").
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

TAP_PREFIX="kselftest: "
target=${1:-x86_64-7.3}
target_check "$target"
inst=$TOP/build/host/kselftest-install
log=$TOP/build/host/kselftest-build.log
mkdir -p "$TOP/build/host"

rc=0
"$TOP/scripts/build.sh" "$target" > "$log" 2>&1 || rc=$?
tap_status $rc "scripts/build.sh $target" "$log"
rm -rf "$inst"
rc=0
"$TOP/scripts/kselftest-install.sh" --target "$target" "$inst" >> "$log" 2>&1 || rc=$?
tap_status $rc "make kselftest-install (the kernel's lib.mk, run_kselftest.sh from linux-source)" "$log"
[ $rc = 0 ] || { tap_plan; exit 1; }

want=$(cd "$TOP/test/selftests" && for f in *.c; do
	echo "mmap_test:mmap-test-${f%.c}.sh"; done | sort)
got=$(grep '^mmap_test:' "$inst/kselftest-list.txt" | sort)
tap_check "kselftest-list.txt: one test per test/selftests/<topic>.c" \
	"$(diff <(echo "$want") <(echo "$got") || :)"

# One boot: the whole collection, one test, and the two no-module cases,
# each run's output between markers.
# shellcheck disable=SC2016  # expanded in the guest
cmd='cd /kselftest || exit 1
dmesg -n 1	# kernel messages off the console: they would cut result lines
echo "KSFT-RUN all"; ./run_kselftest.sh -c mmap_test
echo "KSFT-RUN one"; ./run_kselftest.sh -t mmap_test:mmap-test-sync.sh
echo "KSFT-RUN nomodule"
MMAP_TEST_KO=/nonexistent ./run_kselftest.sh -t mmap_test:mmap-test-query.sh
echo "KSFT-RUN bare"; ./mmap_test/mmap-test-query; echo "bare exit $?"
echo "KSFT-RUN end"'
vlog=$TOP/build/$target/exec.log
MMAP_TEST_KSELFTEST=$inst "$TOP/scripts/vm.sh" "$target" exec --quiet \
	--timeout 2400 -- sh -c "$cmd" > "$TOP/build/host/kselftest-vm.log" 2>&1 || :
out=$(tr -d '\r' < "$vlog")
part() { # the output of run NAME
	printf '%s\n' "$out" | sed -n "/^KSFT-RUN $1\$/,/^KSFT-RUN /p"
}
rc=0
printf '%s\n' "$out" | grep -q '^KSFT-RUN end$' || rc=1
tap_status $rc "the VM ran every step (build/$target/exec.log)" "$vlog"

# The -c run's records, read by the one result reader (results.py): per
# test, a pass with results of its own, a skip with its reason, or a
# failure with its diagnostics.
part all > "$TOP/build/host/kselftest-all.log"
python3 "$TOP/scripts/lib/results.py" record --target kselftest-run \
	--log "$TOP/build/host/kselftest-all.log" \
	--out "$TOP/build/host/kselftest-run" > /dev/null || :
recs=$TOP/build/host/kselftest-run.tsv
for t in $want; do
	t=${t#mmap_test:}
	# status and reason of the test's records (program = the test's file)
	rows=$(awk -F'\t' -v p="$t" '$2 == p { print $4 "\t" $5 "\t" ($3 == p ? "whole" : "own") }' \
		"$recs" 2>/dev/null || :)
	n=$(printf '%s\n' "$rows" | grep -c '^pass.*	own$' || :)
	nf=$(printf '%s\n' "$rows" | grep -c '^fail' || :)
	ns=$(printf '%s\n' "$rows" | grep -c '^skip' || :)
	if [ -z "$rows" ]; then
		tap_not_ok "run_kselftest.sh -c: $t" "no result (build/host/kselftest-all.log)"
	elif [ "$nf" -gt 0 ]; then
		tap_not_ok "run_kselftest.sh -c: $t" \
			"$(printf '%s\n' "$rows" | grep '^fail' | head -n 3 | tr '\t\n' '  ')"
	elif [ "$n" = 0 ] && [ "$ns" = 0 ]; then
		tap_not_ok "run_kselftest.sh -c: $t" "ok, but none of its own results in the output"
	elif [ "$n" = 0 ]; then
		# a whole test skipped: its reason, never a pass
		echo "ok $((TAP_PASS + TAP_FAIL + 1)) ${TAP_PREFIX}run_kselftest.sh -c: $t # SKIP $(printf '%s\n' "$rows" | head -n 1 | cut -f2)"
		TAP_PASS=$((TAP_PASS + 1))
	else
		tap_ok "run_kselftest.sh -c: $t ($n passed, $ns skipped of its own)"
	fi
done

one=$(part one) rc=0
[ "$(printf '%s\n' "$one" | grep -cE '^(not )?ok [0-9]+ selftests: ')" = 1 ] &&
	printf '%s\n' "$one" | grep -qE '^ok 1 selftests: mmap_test: mmap-test-sync.sh$' ||
	rc=1
tap_status $rc "run_kselftest.sh -t mmap_test:mmap-test-sync.sh runs that test alone, ok"

rc=0
printf '%s\n' "$(part nomodule)" |
	grep -qE '^ok 1 selftests: mmap_test: mmap-test-query.sh # SKIP' || rc=1
tap_status $rc "no module to load: the test SKIPs (never a pass)"
bare=$(part bare) rc=0
printf '%s\n' "$bare" | grep -q '^1\.\.0 # SKIP .*does not exist' &&
	printf '%s\n' "$bare" | grep -q '^bare exit 4$' || rc=1
tap_status $rc "a program without the device exits 4 (KSFT_SKIP) with a 1..0 plan and its reason"

tap_plan
tap_passed
