#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/check.sh                       (what `make check` runs)
#        TARGETS="x86_64-6.1 arm64-7.3" scripts/check.sh
#        scripts/check.sh --list                 (`make targets`)
#
# For every target (scripts/targets/*.conf; default all): build the module
# and the programs in the target's build root (scripts/build.sh), boot the
# target's kernel and run scripts/guest/check.sh in it (scripts/vm.sh),
# then count its TAP lines: "ok" = passed, "not ok" = failed,
# "ok ... # SKIP reason" = skipped (scripts/lib/tap.sh tap_count), and the
# kernel splats of the serial log (scripts/lib/splat.sh splat_scan).  A
# build failure, a missing CHECK-END marker (crash, timeout), a serial log
# with splats and a SKIP without a reason each count as one failed test of
# that target.  Then the host checks, counted the
# same way.  Up to MMAP_TEST_JOBS (default: the number of CPUs) targets and
# host checks run at a time, each in its own VM or process.
#
# Output: per target a row
#   matrix: <target> <uname -r> <P> passed, <F> failed, <S> skipped, <K> splats
# per host check a row
#   host: <check> <P> passed, <F> failed, <S> skipped
# the targets' results per program (mmap-test-<topic>:..., the guest's
# own checks),
# then every skip with its reason, notes (a boot retried), a time table,
# the failing tests with their last diagnostic lines, and as the last line
#   N passed, N failed[, N skipped]
# Exit status: 0 only if nothing failed and every target completed.
#
# Guest consoles are not streamed (jobs run in parallel): they are in the
# logs below.
#
# Environment: TARGETS (default all, "" for none: only host checks),
# MMAP_TEST_JOBS, FUZZ_CALLS and
# FUZZ_SECONDS (mmap-test-fuzz on the debug kernel: at most FUZZ_CALLS
# calls, default 1000000, at most FUZZ_SECONDS seconds, default 900),
# CHECK_TIMEOUT (seconds per boot; default: the target's TIMEOUT),
# MODULE_PARAMS (insmod parameters in the guest; default
# "buffer_pages=1024": mmap-test-fault needs a 4 MiB buffer),
# HOST_CHECKS (default "lint packaging kselftest shell-x86_64-6.12
# shell-arm64-6.12 fresh", "" for none):
#   lint             scripts/host-checks/lint.sh: checkpatch, W=1,
#                    sparse, shellcheck
#   packaging        scripts/host-checks/packaging.sh: DKMS build, make
#                    install
#   kselftest        scripts/host-checks/kselftest.sh: the kselftest
#                    collection installed the kernel's way and run by
#                    run_kselftest.sh in x86_64-7.3's VM
#   shell-<target>   scripts/host-checks/shell.sh <target>: make shell under
#                    tmux
#   fresh            scripts/host-checks/fresh.sh: every target built from new,
#                    empty build roots and an empty cache inside a new
#                    Debian root, and make demo up to DEMO-RESULT there
# Logs: build/<target>/build.log, build/<target>/check.log,
# build/host/<check>.log.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --list ]; then
	# The targets with the description line of their file.
	for t in $TARGETS_ALL; do
		printf '%-16s %s\n' "$t" "$(sed -n 's/^# Target [^:]*: //p' \
			"$TARGETS_DIR/$t.conf" | head -n1)"
	done
	exit 0
fi
[ $# -eq 0 ] || die "usage: $0 [--list]"
read -r -a targets <<< "${TARGETS-$TARGETS_ALL}"
for t in "${targets[@]}"; do target_check "$t"; done
read -r -a host_checks <<< \
	"${HOST_CHECKS-lint packaging kselftest shell-x86_64-6.12 shell-arm64-6.12 fresh}"
for c in "${host_checks[@]}"; do
	case $c in
	lint|packaging|kselftest|fresh) ;;
	shell-*) target_check "${c#shell-}" ;;
	*) die "unknown host check '$c'" ;;
	esac
done
[ ${#targets[@]} -gt 0 ] || [ ${#host_checks[@]} -gt 0 ] ||
	die "nothing to check: TARGETS and HOST_CHECKS are empty"
t_start=$(date +%s)
module_params=${MODULE_PARAMS-buffer_pages=1024}
jobs=${MMAP_TEST_JOBS:-$(nproc)}
RES=$TOP/build/results
rm -rf "$RES"
mkdir -p "$RES" "$HOSTLOG"

stage "host packages"
need_host_pkgs "${targets[@]}"

# save NAME ROW: write the counters of one job to $RES/NAME.
save() {
	{
		printf 'row=%q\np=%d\nf=%d\ns=%d\nsecs=%q\n' "$2" "$p" "$f" "$s" "$secs"
		[ ${#names[@]} -eq 0 ] || printf 'names+=(%q)\n' "${names[@]}"
		[ ${#skips[@]} -eq 0 ] || printf 'skips+=(%q)\n' "${skips[@]}"
		[ ${#notes[@]} -eq 0 ] || printf 'notes+=(%q)\n' "${notes[@]}"
	} > "$RES/$1.tmp"
	mv "$RES/$1.tmp" "$RES/$1"
}

run_target() {
	local t=$1 out=$TOP/build/$1 t0 t1 tmo log k=0 krel='?' kenv
	local p=0 f=0 s=0 names=() skips=() notes=() secs boot
	mkdir -p "$out"
	# no result of an earlier run may be counted (by_program reads it)
	rm -f "$out/check.log"
	target_load "$t"
	t0=$(date +%s)
	info "$t: building (log: build/$t/build.log)"
	if ! "$TOP/scripts/build.sh" "$t" > "$out/build.log" 2>&1; then
		tail -n 30 "$out/build.log" | sed "s|^|$t build: |" >&2
		f=1
		names+=("$t: build failed (build/$t/build.log)")
		secs="$(( $(date +%s) - t0 )) -"
		save "target-$t" "matrix: $t ? $p passed, $f failed, $s skipped, - splats"
		return 0
	fi
	kenv=$(cat "$out/kernel.env")
	krel=$(KREL='' && eval "$kenv" && echo "$KREL")
	t1=$(date +%s)
	tmo=${CHECK_TIMEOUT:-$T_TIMEOUT}
	log=$out/check.log
	rm -f "$log"
	rm -f "$out/check.boot1.log"
	for boot in 1 2; do
		info "$t: booting $krel (log: build/$t/check.log)"
		MMAP_TEST_GUEST_ENV="FUZZ_CALLS=${FUZZ_CALLS:-1000000}
FUZZ_SECONDS=${FUZZ_SECONDS:-900}
MODULE_PARAMS='$module_params'" \
			"$TOP/scripts/vm.sh" "$t" check --timeout "$tmo" --quiet \
			> "$out/vm.log" 2>&1 || :
		[ -f "$log" ] || : > "$log"
		# A kernel that dies while booting, before the guest job
		# starts (the module is not loaded yet), is booted once
		# more: TCG under load has panicked at boot (an int3 of
		# text patching in sched_clock_cpu()).  Said in the output.
		grep -aq '^GUEST-START' "$log" || [ $boot = 2 ] || {
			mv "$log" "$out/check.boot1.log"
			notes+=("$t: the kernel died while booting, before the guest job started (build/$t/check.boot1.log); booted once more")
			warn "$t: the kernel died while booting (build/$t/check.boot1.log): booting once more"
			continue
		}
		break
	done
	tap_count "$log" "$t"
	if ! grep -aq '^CHECK-END' "$log"; then
		f=$((f + 1))
		names+=("$t: no CHECK-END marker (guest crashed or timed out; build/$t/check.log)")
		tail -n 20 "$log" | sed "s|^|$t guest: |" >&2
	fi
	k=$(splat_scan "$log" 2>"$out/splats.txt")
	if [ "$k" != 0 ]; then
		f=$((f + 1))
		names+=("$t: $k kernel splat line(s) (build/$t/splats.txt)")
	fi
	secs="$((t1 - t0)) $(( $(date +%s) - t1 ))"
	info "$t: $p passed, $f failed, $s skipped, $k splats"
	save "target-$t" "matrix: $t $krel $p passed, $f failed, $s skipped, $k splats"
}

run_host() {
	local c=$1 cmd log rc=0 t0 p=0 f=0 s=0 names=() skips=() notes=() secs
	# shell-<target>: host-checks/shell.sh <target>.
	cmd=("$TOP/scripts/host-checks/${c%%-*}.sh")
	[ "$c" = "${c#shell-}" ] || cmd+=("${c#shell-}")
	t0=$(date +%s)
	log=$HOSTLOG/$c.log
	info "host $c: running (log: build/host/$c.log)"
	"${cmd[@]}" > "$log" 2>&1 < /dev/null || rc=$?
	tap_count "$log" "host $c"
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		names+=("host $c: exit status $rc with no failing test (build/host/$c.log)")
		tail -n 20 "$log" | sed "s|^|host $c: |" >&2
	fi
	secs="- $(( $(date +%s) - t0 ))"
	info "host $c: $p passed, $f failed, $s skipped"
	save "host-$c" "host: $c $p passed, $f failed, $s skipped"
}

# Longest first: the debug kernel (a kernel build, then the fuzzer), the
# fresh-root check (new roots and downloads for every target), the guest
# with a slower CPU model, then the rest.
order=()
for t in "${targets[@]}"; do
	target_load "$t"
	[ "$T_KERNEL" = debug ] && order+=("target $t")
done
for c in "${host_checks[@]}"; do
	[ "$c" = fresh ] && order+=("host $c")
done
for t in "${targets[@]}"; do
	target_load "$t"
	[ "$T_KERNEL" = debug ] || [ "$T_OWN_CPU" = 0 ] ||
		order+=("target $t")
done
for t in "${targets[@]}"; do
	case " ${order[*]} " in *" target $t "*) ;; *) order+=("target $t") ;; esac
done
for c in "${host_checks[@]}"; do
	[ "$c" = fresh ] || order+=("host $c")
done

stage "checking ${#targets[@]} targets and ${#host_checks[@]} host checks, $jobs at a time"
running=0
for j in "${order[@]}"; do
	while [ "$running" -ge "$jobs" ]; do
		wait -n || :
		running=$((running - 1))
	done
	case $j in
	target\ *) run_target "${j#target }" & ;;
	host\ *) run_host "${j#host }" & ;;
	esac
	running=$((running + 1))
done
wait

rows=() failed_names=() skip_lines=() note_lines=() times=()
tot_p=0 tot_f=0 tot_s=0
for t in "${targets[@]}" "${host_checks[@]/#/host:}"; do
	case $t in
	host:*) key=host-${t#host:} ;;
	*) key=target-$t ;;
	esac
	row='' p=0 f=0 s=0 secs='' names=() skips=() notes=()
	if [ -f "$RES/$key" ]; then
		# shellcheck disable=SC1090
		. "$RES/$key"
	else
		f=1 row="$key: did not report" names=("$key: the job died")
	fi
	rows+=("$row")
	failed_names+=("${names[@]}")
	skip_lines+=("${skips[@]}")
	note_lines+=("${notes[@]}")
	read -r b r <<< "$secs"
	times+=("$(printf '%-22s %6s %6s' "${t#host:}" "$b" "$r")")
	tot_p=$((tot_p + p)) tot_f=$((tot_f + f)) tot_s=$((tot_s + s))
done

# by_program: the targets' TAP lines summed per program: a kselftest
# program's tests are named <program>:<test> (the prepare pass's
# prepare.<program>:<test>); every other line is one of the guest's checks.
by_program() {
	local t logs=()
	for t in "${targets[@]}"; do
		[ -f "$TOP/build/$t/check.log" ] && logs+=("$TOP/build/$t/check.log")
	done
	[ ${#logs[@]} -gt 0 ] || return 0
	echo "by program (all targets):"
	cat "${logs[@]}" | tr -d '\r' | awk '
	/^(not )?ok [0-9]+ / {
		n = $0
		sub(/^(not )?ok [0-9]+ /, "", n)
		sub(/^prepare\./, "", n)
		prog = "guest checks (scripts/guest/check.sh)"
		if (n ~ /^mmap-test-[a-z0-9-]+:/)
			prog = substr(n, 1, index(n, ":") - 1)
		if ($1 == "not") f[prog]++
		else if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s[prog]++
		else p[prog]++
		seen[prog] = 1
	}
	END {
		for (k in seen)
			printf "  %-40s %5d passed, %d failed, %d skipped\n",
				k, p[k], f[k], s[k] | "sort"
	}'
}

echo
printf '%s\n' "${rows[@]}"
by_program
if [ ${#skip_lines[@]} -gt 0 ]; then
	echo "skipped (with their reasons):"
	printf '  %s\n' "${skip_lines[@]}"
fi
if [ ${#note_lines[@]} -gt 0 ]; then
	echo "notes:"
	printf '  %s\n' "${note_lines[@]}"
fi
echo "time (seconds):"
printf '  %-22s %6s %6s\n' "target / check" build run
printf '  %s\n' "${times[@]}"
# last, so that a log's tail names what failed
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed (with their last diagnostics):"
	printf '  %s\n' "${failed_names[@]}"
fi
echo "check took $(( $(date +%s) - t_start ))s"
summary="$tot_p passed, $tot_f failed"
[ "$tot_s" -gt 0 ] && summary="$summary, $tot_s skipped"
echo "$summary"
[ "$tot_f" = 0 ]
