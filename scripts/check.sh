#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/check.sh                       (what `make check` runs)
#        TARGETS="x86_64-6.1 arm64-7.3" scripts/check.sh
#        scripts/check.sh --list                 (`make targets`)
#        [EXPECT="JOB..."] scripts/check.sh --merge [INPUT...]
#                                  (`make results RESULTS="INPUT..."`)
#
# For every target (scripts/targets/*.conf; default all): build the module
# and the programs in the target's build root (scripts/build.sh), boot the
# target's kernel and run scripts/guest/check.sh in it (scripts/vm.sh),
# then scan the serial log for kernel splats (scripts/lib/splat.sh
# splat_scan).  A target with SYSTEM=debian (debian-7.3) is a booted Debian
# instead: scripts/debian-row.sh prepare (the packages of make deb
# installed with apt in the target's cached system) and boot
# (scripts/guest/debian.sh in it, the kernel's log in
# build/<target>/console.log).  Then the host checks.  Up to MMAP_TEST_JOBS (default: the
# number of CPUs) targets and host checks run at a time, each in its own
# VM or process.
#
# Results: after each job, scripts/lib/results.py record reads its log
# (the one reader of results) and writes one record per test, passed,
# failed or skipped, to build/results/<target>.tsv (host-<check>.tsv for a
# host check) and a JUnit XML file beside it (.xml).  A SKIP without a
# reason is a failed record.  A build failure, a missing CHECK-END marker
# (crash, timeout), a serial log with splats, a host check's non-zero exit
# status with no failing test, and a job that left no records each add
# one failed record of program "harness".
#
# Output: results.py summary of those records (the same command on any
# set of .tsv files, e.g. of separate runs, prints the same): per target
# a row
#   matrix: <target> <uname -r> <P> passed, <F> failed, <S> skipped, <K> splats
# per host check a row
#   host: <check> <P> passed, <F> failed, <S> skipped
# the targets' records per program (mmap-test-<topic>, the guest's own
# checks), then every skip with its reason, notes (a boot retried), a
# time table, the failing tests with their last diagnostic lines, and as
# the last line the sum of the records
#   N passed, N failed[, N skipped]
# Exit status: 0 only if nothing failed and every target completed.
#
# --merge: the summary of the records of separate runs, e.g. of `make
# check TARGETS=x86_64-6.1` on one machine and `make check
# TARGETS=arm64-7.3` on another (results.py merge): each INPUT is a run's
# build/results/ directory, or a record file (default: build/results).
# It prints what one run over the same targets and host checks prints, in
# its order (`make targets`, then the host checks in HOST_CHECKS's default
# order), and exits 1 if a record failed; but instead of "check took Ns"
# (a run's wall time, unknown here) the line before the last is
#   merged N inputs: S s in the jobs (the time table's sum, not a wall time)
# A target (or host check) in two inputs is refused (exit status 2).
# EXPECT names the jobs that must have records: targets, host:<check>, or
# "all" (every target and every default host check); each one without
# records is a failed record "report", as for a job that died here.
#
# Guest consoles are not streamed (jobs run in parallel): they are in the
# logs below.
#
# Environment: TARGETS (default all, "" for none: only host checks; a
# list of rows runs no host check unless HOST_CHECKS names some),
# MMAP_TEST_JOBS, MMAP_TEST_QEMU_THREAD (scripts/vm.sh; unset: single
# when the jobs' vCPUs outnumber the CPUs, below), FUZZ_CALLS and
# FUZZ_SECONDS (mmap-test-fuzz on the debug kernel: at most FUZZ_CALLS
# calls, default 100000, at most FUZZ_SECONDS seconds, default 900;
# the module's KCOV PCs stop growing within the first 40000 calls),
# FUZZ_GUIDED_SECONDS (its coverage-guided mode, test fuzz-guided:
# default 180), STRESS_SECONDS (the seconds of each time-bound stress
# test, mmap-test-stress and fault.dontneed_race, on every row; default:
# the target's STRESS_SECONDS, scripts/targets/README.md),
# CHECK_TIMEOUT (seconds per boot; default: the target's TIMEOUT),
# MODULE_PARAMS (module parameters added to those of every test of the
# collection's table, test/kselftest/tests; default none),
# HOST_CHECKS (default HOST_CHECKS_ALL: "lint packaging kselftest
# shell-<target>... fresh", the targets with the role shell-checks;
# "" for none):
#   lint             scripts/host-checks/lint.sh: checkpatch, W=1,
#                    sparse, shellcheck, the result reader's selftest
#   packaging        scripts/host-checks/packaging.sh: DKMS build, make
#                    install
#   kselftest        scripts/host-checks/kselftest.sh: the kselftest
#                    collection installed the kernel's way and run by
#                    run_kselftest.sh in the kselftest role's VM
#   shell-<target>   scripts/host-checks/make-shell.sh <target>: make shell under
#                    tmux
#   fresh            scripts/host-checks/fresh.sh: the host packages of
#                    every target, and a target per build root built from new,
#                    no build roots and only the host's downloaded .deb
#                    files in the cache of a new Debian root, and make
#                    demo up to DEMO-RESULT there
# Logs: build/<target>/build.log, build/<target>/check.log,
# build/host/<check>.log; records: build/results/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --list ]; then
	# The targets with the description line of their file, and its roles.
	for t in $TARGETS_ALL; do
		roles=$(conf_field "$TARGETS_DIR/$t.conf" ROLES | sed 's/ /, /g')
		printf '%-16s %s%s\n' "$t" "$(sed -n 's/^# Target [^:]*: //p' \
			"$TARGETS_DIR/$t.conf" | head -n1)" "${roles:+ [$roles]}"
	done
	exit 0
fi
shell_checks=$(target_role shell-checks)
HOST_CHECKS_ALL="lint packaging kselftest shell-${shell_checks// / shell-} fresh"
host_check_check() {
	case $1 in
	lint|packaging|kselftest|fresh) ;;
	shell-*) target_check "${1#shell-}" ;;
	*) die "unknown host check '$1'" ;;
	esac
}

if [ "${1:-}" = --merge ]; then
	shift
	[ $# -gt 0 ] || set -- "$TOP/build/results"
	order="$TARGETS_ALL${HOST_CHECKS_ALL:+ host:${HOST_CHECKS_ALL// / host:}}"
	expect=()
	for e in ${EXPECT:-}; do
		case $e in
		all) expect+=("$order") ;;
		host:*) host_check_check "${e#host:}"; expect+=("$e") ;;
		*) target_check "$e"; expect+=("$e") ;;
		esac
	done
	need_pkgs python3
	exec python3 "$TOP/scripts/lib/results.py" merge --order "$order" \
		--expect "${expect[*]}" "$@"
fi
[ $# -eq 0 ] || die "usage: $0 [--list | --merge [INPUT...]]"
read -r -a targets <<< "${TARGETS-$TARGETS_ALL}"
for t in "${targets[@]}"; do target_check "$t"; done
# A subset of rows (TARGETS="x ...") runs no host check unless HOST_CHECKS
# names some: the host checks test the tree, not those rows, and fresh
# alone takes about 20 minutes.  TARGETS="" (only host checks) and no
# TARGETS at all run every host check.
hc_default=$HOST_CHECKS_ALL
if [ -n "${TARGETS:-}" ] && [ -z "${HOST_CHECKS+set}" ]; then
	hc_default=
	info "TARGETS picks rows: no host check runs (HOST_CHECKS=\"$HOST_CHECKS_ALL\" adds them)"
fi
read -r -a host_checks <<< "${HOST_CHECKS-$hc_default}"
for c in "${host_checks[@]}"; do host_check_check "$c"; done
[ ${#targets[@]} -gt 0 ] || [ ${#host_checks[@]} -gt 0 ] ||
	die "nothing to check: TARGETS and HOST_CHECKS are empty"
t_start=$(date +%s)
module_params=${MODULE_PARAMS:-}
jobs=${MMAP_TEST_JOBS:-$(nproc)}
RES=$TOP/build/results
rm -rf "$RES"
mkdir -p "$RES" "$HOSTLOG"

stage "host packages"
need_host_pkgs "${targets[@]}"
need_pkgs python3	# scripts/lib/results.py, the result reader

# record KEY ARG...: the records of one job (results.py record ARG...) to
# $RES/KEY.tsv and $RES/KEY.xml; prints "P passed, F failed, S skipped".
# Run at the top, which the paths in its reasons are relative to.
record() {
	local key=$1
	shift
	(cd "$TOP" && python3 scripts/lib/results.py record --out "$RES/$key" "$@")
}

# job_seconds JOB T0: how long JOB (a target, or a host check) took since
# T0, kept in $CACHE/job-seconds/JOB for the next run's order.
job_seconds() {
	mkdir -p "$CACHE/job-seconds"
	echo "$(( $(date +%s) - $2 ))" > "$CACHE/job-seconds/$1.tmp.$$" &&
		mv "$CACHE/job-seconds/$1.tmp.$$" "$CACHE/job-seconds/$1"
}

run_target() {
	local t=$1 out=$TOP/build/$1 t0 t1 tmo log=$TOP/build/$1/check.log k=0
	local krel='?' kenv genv klog
	local notes=() args=() counts boot n
	mkdir -p "$out"
	# no log of an earlier run may be read
	rm -f "$out/check.log"
	target_load "$t"
	t0=$(date +%s)
	genv="MMAP_TEST_FUZZ_CALLS=${FUZZ_CALLS:-100000}
MMAP_TEST_FUZZ_SECONDS=${FUZZ_SECONDS:-900}
MMAP_TEST_FUZZ_GUIDED_SECONDS=${FUZZ_GUIDED_SECONDS:-180}
MMAP_TEST_STRESS_SECONDS=${STRESS_SECONDS:-$T_STRESS_SECONDS}
MODULE_PARAMS='$module_params'"
	# What the guest's kernel prints: the serial log, or on a booted
	# Debian (SYSTEM=debian) the first of its two serial ports.
	klog=$log
	[ "$T_SYSTEM" = busybox ] || klog=$out/console.log
	info "$t: building (log: build/$t/build.log)"
	# the build, and the kselftest collection installed from it; on a
	# booted Debian, the packages installed in its image
	rm -rf "$out/kselftest"
	if ! if [ "$T_SYSTEM" = debian ]; then
		MMAP_TEST_GUEST_ENV=$genv "$TOP/scripts/debian-row.sh" "$t" prepare
	else
		"$TOP/scripts/build.sh" "$t" &&
			"$TOP/scripts/kselftest-install.sh" --target "$t" "$out/kselftest"
	fi > "$out/build.log" 2>&1; then
		tail -n 30 "$out/build.log" | sed "s|^|$t build: |" >&2
		record "$t" --target "$t" --seconds "$(( $(date +%s) - t0 ))" - \
			--fail build "build failed (build/$t/build.log)" > /dev/null
		return 0
	fi
	kenv=$(cat "$out/kernel.env")
	krel=$(KREL='' && eval "$kenv" && echo "$KREL")
	t1=$(date +%s)
	tmo=${CHECK_TIMEOUT:-$T_TIMEOUT}
	rm -f "$log" "$klog"
	rm -f "$out/check.boot1.log" "$out/console.boot1.log"
	for boot in 1 2; do
		info "$t: booting $krel (log: build/$t/check.log)"
		if [ "$T_SYSTEM" = debian ]; then
			"$TOP/scripts/debian-row.sh" "$t" boot --timeout "$tmo"
		else
			MMAP_TEST_KSELFTEST=$out/kselftest MMAP_TEST_GUEST_ENV=$genv \
				"$TOP/scripts/vm.sh" "$t" check --timeout "$tmo" --quiet
		fi > "$out/vm.log" 2>&1 || :
		[ -f "$log" ] || : > "$log"
		[ -f "$klog" ] || : > "$klog"
		# A kernel that dies while booting, before the guest job
		# starts (the module is not loaded yet), is booted once
		# more: TCG under load has panicked at boot (an int3 of
		# text patching in sched_clock_cpu()).  Said in the output.
		grep -aq '^GUEST-START' "$log" || [ $boot = 2 ] || {
			mv "$log" "$out/check.boot1.log"
			[ "$klog" = "$log" ] || mv "$klog" "$out/console.boot1.log"
			notes+=("$t: the kernel died while booting, before the guest job started (build/$t/check.boot1.log); booted once more")
			warn "$t: the kernel died while booting (build/$t/check.boot1.log): booting once more"
			continue
		}
		break
	done
	args=(--target "$t" --log "$log" --kernel "$krel")
	for n in "${notes[@]}"; do args+=(--note "$n"); done
	if ! grep -aq '^CHECK-END' "$log"; then
		args+=(--fail check_end "no CHECK-END marker (guest crashed or timed out; build/$t/check.log)")
		tail -n 20 "$log" | sed "s|^|$t guest: |" >&2
	fi
	[ "$T_SYSTEM" != busybox ] || console_probe "$log"
	k=$(splat_scan "$klog" 2>"$out/splats.txt")
	window_boots
	coverage_report
	args+=(--splats "$k")
	[ "$k" = 0 ] ||
		args+=(--fail splats "$k kernel splat line(s) (build/$t/splats.txt)")
	args+=(--seconds "$((t1 - t0))" "$(( $(date +%s) - t1 ))")
	job_seconds "$t" "$t0"
	counts=$(record "$t" "${args[@]}")
	info "$t: $counts, $k splats"
	call_chains "$t" "$krel" "$log"
}

# window_boots (in run_target): the target booted once more per entry of
# its WINDOW_BOOTS (kernel parameters, ',' for a space, that choose another
# paging mode: riscv64's no5lvl and no4lvl), each running the guest job
# "window" (scripts/guest/window.sh: the tour's window step and
# examples/window), its serial log build/<t>/window-<mode>.log read as
# more of the row's records; adds to run_target's args and k.
window_boots() {
	local p m wlog wk
	for p in $T_WINDOW_BOOTS; do
		m=$(printf '%s' "$p" | tr -c 'A-Za-z0-9_' _)
		wlog=$out/window-$m.log
		rm -f "$wlog" "$out/window.log"
		info "$t: booting once more with ${p//,/ } (log: build/$t/window-$m.log)"
		MMAP_TEST_APPEND=${p//,/ } MMAP_TEST_GUEST_ENV="WINDOW_MODE=$m" \
			"$TOP/scripts/vm.sh" "$t" window --timeout 300 --quiet \
			> "$out/vm-window.log" 2>&1 || :
		if [ -f "$out/window.log" ]; then
			mv "$out/window.log" "$wlog"
		else
			: > "$wlog"
		fi
		args+=(--log "$wlog")
		grep -aq '^CHECK-END' "$wlog" ||
			args+=(--fail "window.$m" "no CHECK-END marker (build/$t/window-$m.log)")
		wk=$(splat_scan "$wlog" 2>>"$out/splats.txt")
		k=$((k + wk))
	done
}

# coverage_report (in run_target): on a COVERAGE=1 row, the module's line
# and branch coverage from the counts the guest sent back
# (scripts/coverage.sh: build/coverage/<target>/), its records
# guest.coverage.* read as the row's and its summary line a note of the
# run's output.
coverage_report() {
	[ "$T_COVERAGE" = 1 ] || return 0
	if "$TOP/scripts/coverage.sh" "$t" "$log" > "$out/coverage.log" \
		2> "$out/coverage.err"; then
		args+=(--log "$out/coverage.log")
		[ ! -s "$TOP/build/coverage/$t/summary.txt" ] ||
			args+=(--note "$(cat "$TOP/build/coverage/$t/summary.txt")")
	else
		args+=(--fail coverage "scripts/coverage.sh failed: $(tail -n 1 "$out/coverage.err") (build/$t/coverage.err)")
	fi
}

# console_probe LOG: of the 100 lines of the kernel's and 100 of a test's
# that the busybox guest's check job prints at the same time
# (scripts/guest/check.sh), every one arrived whole on the one serial
# console (scripts/guest/init forwards the kernel's lines); else a failure
# of the row (harness.console_lines).  Nothing to count when the job never
# ran.
console_probe() {
	local user kern
	grep -aq '^GUEST-START' "$1" || return 0
	# distinct numbers: a panic prints the kernel's lines once more
	user=$(tr -d '\r' < "$1" | grep -aE \
		'^# console-probe [0-9]+: a line as long as a KTAP result line of a test$' |
		cut -d: -f1 | sort -u | wc -l)
	kern=$(tr -d '\r' < "$1" | grep -aE \
		'^\[ *[0-9]+\.[0-9]+\] guest: console-probe [0-9]+$' |
		sed 's/.*probe //' | sort -u | wc -l)
	[ "$user/$kern" = 100/100 ] ||
		args+=(--fail console_lines "of 100 lines of a test and 100 of the kernel printed at the same time, $user and $kern arrived whole on the console (build/$t/check.log)")
}

# call_chains TARGET KREL LOG: the stacks of one ALLOC with dump_stack=1
# that the call-chain test printed ("chain| " lines), per mmap hook, as a
# file of this run: build/results/call-chains-TARGET.txt.  docs/compat.md
# shows one (docs/results/call-chains-x86_64-7.3.txt) instead of a
# transcript in prose.
call_chains() {
	local f=$RES/call-chains-$1.txt
	grep -aq 'chain| ' "$3" || { rm -f "$f"; return 0; }
	{
		echo "# the call chains of one ALLOC with dump_stack=1 (test call-chain, innermost first),"
		echo "# make check of $(tree_rev) on $(date -u '+%Y-%m-%d'), target $1 (kernel $2)"
		tr -d '\r' < "$3" | awk '
			/^(# )*mmap-test pass: prepare\./ { hook = "prepare" }
			/^(# )*chain\| / {
				h = hook == "" ? "mmap" : hook
				if (h != last) { print "mmap_hook=" h; last = h }
				sub(/^(# )*chain\| /, "")
				sub(/^\[ *[0-9.]+\] */, "")	# the kernel log time
				print "  " $0
			}'
	} > "$f"
}

run_host() {
	local c=$1 cmd log rc=0 t0 counts
	# shell-<target>: host-checks/make-shell.sh <target>.
	cmd=("$TOP/scripts/host-checks/${c%%-*}.sh")
	[ "$c" = "${c#shell-}" ] ||
		cmd=("$TOP/scripts/host-checks/make-shell.sh" "${c#shell-}")
	t0=$(date +%s)
	log=$HOSTLOG/$c.log
	info "host $c: running (log: build/host/$c.log)"
	"${cmd[@]}" > "$log" 2>&1 < /dev/null || rc=$?
	[ "$rc" = 0 ] || tail -n 20 "$log" | sed "s|^|host $c: |" >&2
	# a non-zero exit status with no failing test is a failed record
	job_seconds "$c" "$t0"
	counts=$(record "host-$c" --target "host:$c" --log "$log" \
		--exit-status "$rc" --seconds - "$(( $(date +%s) - t0 ))")
	info "host $c: $counts"
}

# Longest first: the debug kernel (a kernel build, then the fuzzer), the
# fresh-root check (new roots and downloads for every target), then the
# other jobs by the time each took when it last ran on this machine
# ($CACHE/job-seconds/<job>, written below), longest first; jobs that never
# ran here come before those (they may be long), in this order: the booted
# Debian systems and the guests with a slower CPU model, then the rest.
order=()
for t in "${targets[@]}"; do
	target_load "$t"
	[ "$T_KERNEL" = debug ] && order+=("target $t")
done
for c in "${host_checks[@]}"; do
	[ "$c" = fresh ] && order+=("host $c")
done
rest=()
for t in "${targets[@]}"; do
	target_load "$t"
	[ "$T_KERNEL" = debug ] ||
		{ [ "$T_OWN_CPU" = 0 ] && [ "$T_SYSTEM" = busybox ]; } ||
		rest+=("target $t")
done
for t in "${targets[@]}"; do
	case " ${order[*]} ${rest[*]} " in
	*" target $t "*) ;;
	*) rest+=("target $t") ;;
	esac
done
for c in "${host_checks[@]}"; do
	[ "$c" = fresh ] || rest+=("host $c")
done
# "SECONDS INDEX JOB" per job (a day when never timed here), sorted
while read -r _ _ j; do
	order+=("$j")
done < <(i=0; for j in "${rest[@]}"; do
	s=$(cat "$CACHE/job-seconds/${j#* }" 2>/dev/null || echo 86400)
	case $s in ''|*[!0-9]*) s=86400 ;; esac
	echo "$s $i $j"
	i=$((i + 1))
done | sort -k1,1nr -k2,2n)

# Under TCG a vCPU that waits for another one (a lock holder, the target
# of a TLB shootdown) spins until that one runs again, so guests whose
# vCPU threads outnumber the host's CPUs slow each other down far more
# than their share of the CPUs (docs/testing.md, "Scheduling").  When the
# jobs' vCPUs outnumber the CPUs, each guest runs all its vCPUs in one
# host thread (MMAP_TEST_QEMU_THREAD_AUTO=single, read by qemu_tcg_opts in
# scripts/lib/targets.sh): the guest still has them
# all, and each job takes one CPU.  An architecture whose console cannot
# take it, or runs far slower so, says QEMU_THREAD=multi
# (scripts/arches/ppc64el.conf, riscv64.conf).
smp_max=1
for t in "${targets[@]}"; do
	target_load "$t"
	[ "$T_QEMU_SMP" -le "$smp_max" ] || smp_max=$T_QEMU_SMP
done
tcg_note=
if [ -z "${MMAP_TEST_QEMU_THREAD:-}" ] && [ $((jobs * smp_max)) -gt "$(nproc)" ]; then
	export MMAP_TEST_QEMU_THREAD_AUTO=single
	tcg_note="; $jobs jobs x $smp_max vCPUs > $(nproc) CPUs: each guest's vCPUs in one host thread (but QEMU_THREAD=multi arches)"
fi
stage "checking ${#targets[@]} targets and ${#host_checks[@]} host checks, $jobs at a time$tcg_note"
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

# Every job leaves records; one that did not (it died) gets a failed one.
files=()
for t in "${targets[@]}" "${host_checks[@]/#/host:}"; do
	key=${t/#host:/host-}
	[ -f "$RES/$key.tsv" ] ||
		record "$key" --target "$t" --fail report "the job died: no records" > /dev/null
	files+=("$RES/$key.tsv")
done

echo
# The summary, also as a file of this run (build/results/summary.txt):
# what the docs point to instead of a transcript in prose.
echo "# make check of $(tree_rev) on $(date -u '+%Y-%m-%d %H:%M UTC')" > "$RES/summary.txt"
rc=0
python3 "$TOP/scripts/lib/results.py" summary \
	--took "$(( $(date +%s) - t_start ))" "${files[@]}" |
	tee -a "$RES/summary.txt" || rc=$?
exit "$rc"
