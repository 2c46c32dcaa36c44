#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/check.sh                       (what `make check` runs)
#        TARGETS="x86_64-6.1 arm64-6.12" scripts/check.sh
#
# For every target (default: all of them, one after the other): build the
# module and the programs (scripts/build.sh), boot the target's kernel and
# run scripts/guest/check.sh in it (scripts/vm.sh), then count its TAP
# lines: "ok" = passed, "not ok" = failed, "ok ... # SKIP" = skipped, and
# the kernel splats of the serial log (lib.sh splat_scan).  A build
# failure, a missing CHECK-END marker (crash, timeout) and a serial log
# with splats each count as one failed test of that target.
#
# Output: per target a row
#   matrix: <arch> <kernel> <P> passed, <F> failed, <S> skipped, <K> splats
# then the names of the failing tests, and as the last line
#   N passed, N failed[, N skipped]
# Exit status: 0 only if nothing failed and every target completed.
#
# Environment: TARGETS, V=1 (stream the guest consoles), FUZZ_CALLS and
# FUZZ_SECONDS (mmap-test-fuzz on x86_64-debug: at most FUZZ_CALLS calls,
# default 1000000, and at most FUZZ_SECONDS seconds, default 900: a safety
# cap, 1e6 calls take about 6 min on the debug kernel under TCG),
# CHECK_TIMEOUT (seconds per boot; default 900, 1800 for x86_64-debug),
# MODULE_PARAMS (insmod parameters in the guest; default "buffer_pages=256",
# so that the fault-around test has 64 pages to read),
# HOST_CHECKS (host-side checks run after the targets, counted the same way;
# default "lint packaging shell-x86_64-6.12 shell-arm64-6.12", "" for none):
#   lint             scripts/lint.sh: checkpatch, W=1, sparse, shellcheck
#   packaging        scripts/test-packaging.sh: DKMS build, make install
#   shell-<target>   scripts/test-shell.sh <target>: make shell under tmux
# Each host check prints one row "host: <name> <P> passed, <F> failed".
# Logs: build/<target>/build.log, build/<target>/check.log,
# build/host/<check>.log.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

read -r -a targets <<< "${TARGETS:-$TARGETS_ALL}"
[ ${#targets[@]} -gt 0 ] || die "TARGETS is empty"
for t in "${targets[@]}"; do
	case " $TARGETS_ALL " in
	*" $t "*) ;;
	*) die "unknown target '$t' (one of: $TARGETS_ALL)" ;;
	esac
done
t_start=$(date +%s)

stage "installing host packages"
pk=()
for t in "${targets[@]}"; do
	read -r -a tp <<< "$(target_pkgs "$t")"
	pk+=("${tp[@]}")
done
need_pkgs "${pk[@]}"

rows=() failed_names=()
tot_p=0 tot_f=0 tot_s=0
module_params=${MODULE_PARAMS-buffer_pages=256}

# count_tap LOG PREFIX: add LOG's TAP lines to p, f, s and names.
count_tap() {
	local tap l
	tap=$(tr -d '\r' < "$1" | grep -aE '^(not )?ok [0-9]+ ' || :)
	[ -n "$tap" ] || return 0
	s=$((s + $(grep -cE '^ok [0-9]+ .*# *[Ss][Kk][Ii][Pp]' <<< "$tap" || :)))
	p=$((p + $(grep -E '^ok [0-9]+ ' <<< "$tap" |
		grep -cvE '# *[Ss][Kk][Ii][Pp]' || :)))
	f=$((f + $(grep -cE '^not ok ' <<< "$tap" || :)))
	while IFS= read -r l; do
		names+=("$2: ${l#not ok }")
	done < <(grep -E '^not ok ' <<< "$tap" || :)
	grep -E '^not ok |# *[Ss][Kk][Ii][Pp]' <<< "$tap" >&2 || :
}

for t in "${targets[@]}"; do
	out=$TOP/build/$t
	mkdir -p "$out"
	arch=${t%%-*}
	kern=${t#*-}
	[ "$t" = x86_64-debug ] && kern=6.12-debug
	p=0 f=0 s=0 k=0
	names=()
	t0=$(date +%s)

	stage "$t: building (log: build/$t/build.log)"
	if ! "$TOP/scripts/build.sh" "$t" > "$out/build.log" 2>&1; then
		tail -n 40 "$out/build.log" >&2
		f=1
		names+=("$t: build failed (build/$t/build.log)")
	else
		tmo=${CHECK_TIMEOUT:-900}
		[ "$t" = x86_64-debug ] && tmo=${CHECK_TIMEOUT:-1800}
		vmopt=(--timeout "$tmo")
		[ "${V:-0}" = 1 ] || vmopt+=(--quiet)
		log=$out/check.log
		rm -f "$log"
		MMAP_TEST_GUEST_ENV="FUZZ_CALLS=${FUZZ_CALLS:-1000000}
FUZZ_SECONDS=${FUZZ_SECONDS:-900}
MODULE_PARAMS='$module_params'" \
			"$TOP/scripts/vm.sh" "$t" check "${vmopt[@]}" || :
		[ -f "$log" ] || : > "$log"
		count_tap "$log" "$t"
		if ! grep -aq '^CHECK-END' "$log"; then
			f=$((f + 1))
			names+=("$t: no CHECK-END marker (guest crashed or timed out; build/$t/check.log)")
			tail -n 30 "$log" >&2
		fi
		k=$(splat_scan "$log")
		if [ "$k" != 0 ]; then
			f=$((f + 1))
			names+=("$t: $k kernel splat line(s) (build/$t/check.log)")
		fi
	fi
	info "$t: $p passed, $f failed, $s skipped, $k splats in $(( $(date +%s) - t0 ))s"
	rows+=("matrix: $arch $kern $p passed, $f failed, $s skipped, $k splats")
	failed_names+=("${names[@]}")
	tot_p=$((tot_p + p)) tot_f=$((tot_f + f)) tot_s=$((tot_s + s))
done

read -r -a host_checks <<< \
	"${HOST_CHECKS-lint packaging shell-x86_64-6.12 shell-arm64-6.12}"
mkdir -p "$TOP/build/host"
for c in "${host_checks[@]}"; do
	case $c in
	lint) cmd=("$TOP/scripts/lint.sh") ;;
	packaging) cmd=("$TOP/scripts/test-packaging.sh") ;;
	shell-*) cmd=("$TOP/scripts/test-shell.sh" "${c#shell-}") ;;
	*) die "unknown host check '$c'" ;;
	esac
	p=0 f=0 s=0
	names=()
	t0=$(date +%s)
	log=$TOP/build/host/$c.log
	stage "host: $c (log: build/host/$c.log)"
	rc=0
	"${cmd[@]}" > "$log" 2>&1 < /dev/null || rc=$?
	count_tap "$log" "host $c"
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		names+=("host $c: exit status $rc with no failing test (build/host/$c.log)")
		tail -n 30 "$log" >&2
	fi
	info "host $c: $p passed, $f failed, $s skipped in $(( $(date +%s) - t0 ))s"
	rows+=("host: $c $p passed, $f failed, $s skipped")
	failed_names+=("${names[@]}")
	tot_p=$((tot_p + p)) tot_f=$((tot_f + f)) tot_s=$((tot_s + s))
done

echo
printf '%s\n' "${rows[@]}"
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failed_names[@]}"
fi
echo "check took $(( $(date +%s) - t_start ))s"
summary="$tot_p passed, $tot_f failed"
[ "$tot_s" -gt 0 ] && summary="$summary, $tot_s skipped"
echo "$summary"
[ "$tot_f" = 0 ]
