#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/host-checks/kselftest.sh [TARGET]     (default: the role kselftest)
#
# make check's host check "kselftest": the kselftest collection mmap_test
# installed the kernel's way (scripts/kselftest-install.sh, with the
# programs and module of scripts/build.sh TARGET) and run by the kernel's
# own run_kselftest.sh in TARGET's VM, as a user runs it on a machine:
#   - kselftest-list.txt lists one test per test/selftests/<topic>.c and
#     one per line of test/kselftest/tests;
#   - run_kselftest.sh -t mmap_test:mmap-test-sync.sh runs that one only;
#   - with no module to load, a test SKIPs, and so does a program run
#     without the wrapper (exit 4, "1..0 # SKIP"): never a pass.
# Prints one TAP line per check ("ok N kselftest: ...").
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

TAP_PREFIX="kselftest: "
target=${1:-$(target_role kselftest)}
target_busybox "$target"
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

# The tests: one per program (test/selftests/<topic>.c) and one per line
# of the collection's table.
want=$({ cd "$TOP/test/selftests" && for f in *.c; do echo "mmap-test-${f%.c}"; done
	awk '!/^#/ && NF && $1 != "*" { print $1 }' "$TOP/test/kselftest/tests"
} | sed 's/^\(.*\)$/mmap_test:\1.sh/' | sort -u)
got=$(grep '^mmap_test:' "$inst/kselftest-list.txt" | sort)
tap_check "kselftest-list.txt: one test per program and per line of test/kselftest/tests" \
	"$(diff <(echo "$want") <(echo "$got") || :)"

# One boot: one test, and the two no-module cases, each run's output
# between markers.  (Every matrix row runs the whole collection with
# run_kselftest.sh: scripts/guest/check.sh.)
# shellcheck disable=SC2016  # expanded in the guest
cmd='cd /kselftest || exit 1
dmesg -n 1	# kernel messages off the console: they would cut result lines
echo "KSFT-RUN one"; ./run_kselftest.sh -t mmap_test:mmap-test-sync.sh
echo "KSFT-RUN nomodule"
MMAP_TEST_KO=/nonexistent ./run_kselftest.sh -t mmap_test:mmap-test-query.sh
echo "KSFT-RUN bare"; ./mmap_test/mmap-test-query; echo "bare exit $?"
echo "KSFT-RUN end"'
vlog=$TOP/build/$target/exec.log
# A kernel that dies while booting, before the job starts (TCG under load:
# an int3 of text patching), boots once more, as make check's rows do;
# said in a comment line.
for boot in 1 2; do
	MMAP_TEST_KSELFTEST=$inst "$TOP/scripts/vm.sh" "$target" exec --quiet \
		--timeout 1200 -- sh -c "$cmd" > "$TOP/build/host/kselftest-vm.log" 2>&1 || :
	grep -aq '^GUEST-START' "$vlog" && break
	cp "$vlog" "$TOP/build/host/kselftest-boot$boot.log"
	echo "# the kernel died while booting (build/host/kselftest-boot$boot.log)"
done
out=$(tr -d '\r' < "$vlog")
part() { # the output of run NAME
	printf '%s\n' "$out" | sed -n "/^KSFT-RUN $1\$/,/^KSFT-RUN /p"
}
# (grep -q reads here-strings, not pipes: under pipefail a grep -q that
# stops at its match makes the writer's SIGPIPE fail the pipeline)
rc=0
grep -q '^KSFT-RUN end$' <<< "$out" || rc=1
tap_status $rc "the VM ran every step (build/$target/exec.log)" "$vlog"

one=$(part one) rc=0
[ "$(printf '%s\n' "$one" | grep -cE '^(not )?ok [0-9]+ selftests: ')" = 1 ] &&
	grep -qE '^ok 1 selftests: mmap_test: mmap-test-sync.sh$' <<< "$one" ||
	rc=1
tap_status $rc "run_kselftest.sh -t mmap_test:mmap-test-sync.sh runs that test alone, ok"
# its own results (nested KTAP), read by the one result reader
printf '%s\n' "$one" > "$TOP/build/host/kselftest-one.log"
counts=$(python3 "$TOP/scripts/lib/results.py" record --target kselftest-one \
	--log "$TOP/build/host/kselftest-one.log" --out "$TOP/build/host/kselftest-one" || :)
rc=0
awk -F'\t' '$2 == "mmap-test-sync" && $3 ~ /^mmap-test-sync:/ && $4 == "pass"' \
	"$TOP/build/host/kselftest-one.tsv" 2>/dev/null | grep . >/dev/null || rc=1
tap_status $rc "... and its own results pass, each read from the nested KTAP ($counts)"

rc=0
grep -qE '^ok 1 selftests: mmap_test: mmap-test-query.sh # SKIP' <<< "$(part nomodule)" ||
	rc=1
tap_status $rc "no module to load: the test SKIPs (never a pass)"
bare=$(part bare) rc=0
grep -q '^1\.\.0 # SKIP .*does not exist' <<< "$bare" &&
	grep -q '^bare exit 4$' <<< "$bare" || rc=1
tap_status $rc "a program without the device exits 4 (KSFT_SKIP) with a 1..0 plan and its reason"

tap_plan
tap_passed
