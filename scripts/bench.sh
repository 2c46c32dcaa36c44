#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/bench.sh            (what `make bench` runs)
#        TARGET=arm64-6.12 scripts/bench.sh
#        BENCH_ARGS="--repeats 9 --only faults,warm" scripts/bench.sh
#        BENCH_ARGS=--quick scripts/bench.sh    (a short development run)
#        BENCH_STRICT=1 scripts/bench.sh        (the gate, see below)
#
# Builds the module, the userspace programs and the reference driver
# (test/refdrv/mmap_test_ref.ko, into build/<target>/refdrv/) for TARGET
# (default: the one with the role bench), boots the VM with the "bench" job
# (scripts/guest/bench.sh: vm.max_map_count raised, both modules loaded
# with the buffer_pages mmap-test-bench needs, mmap-test-bench --emulated $BENCH_ARGS)
# twice with the same order seed: under qemu's instruction clock, then on
# wall time.  Shows mmap-test-bench's progress while each runs; writes each
# run's table and JSON (build/<target>/bench-{instructions,wall}.{txt,json},
# the host's load average before, after and at most during the run filled
# in; serial logs bench-{instructions,wall}.log), then the merged table
# build/<target>/bench-table.txt and its JSON build/<target>/bench.json.
#
# Exit status: 0 when the benchmark ran, 1 when it did not (build failure,
# no markers, mmap-test-bench error, timeout, kernel splat).  With
# BENCH_STRICT=1, also 1 when a goal's verdict is NOT met (its whole
# confidence interval past its limit; "inconclusive", "invalid" and "info"
# do not fail) and the baseline (test/bench/baseline/<target>.json) does
# not accept it as not met by design, or when a goal is worse than its
# baseline by more than its margin.  BENCH_BASELINE_WRITE=1 writes that
# baseline from the run (keeping the goals it accepted) and the page made
# from it, docs/results/bench-<target>.md (make lint checks the two agree).  The
# verdicts are the table's fixed-format lines
#   BENCH-SUMMARY goal=KEY verdict=met|NOT-met|inconclusive|invalid|info|n/a
#     ratio=R ci=LO..HI level=L limit=<=X clock=instructions|wall [disagree=1]
# of the merged table (scripts/lib/bench_clocks.py): both clocks run, see
# docs/bench.md.
#
# Environment: TARGET, BENCH_ARGS (mmap-test-bench options, see
# test/bench/), BENCH_INSMOD_ARGS (extra module parameters
# for insmod, e.g. to compare a module option), BENCH_STRICT,
# BENCH_TIMEOUT (seconds per run, default 1800), BENCH_SEED (the order
# seed; default: drawn, and printed), BENCH_WALL_BOOTS (boots a goal judged
# on wall time is judged over, default 3: the wall run and boots of its
# group alone, bench-wall-N.*), PROFILE=1 (instead of the bench, the
# top kernel functions of one cold write-touch per path under icount, by
# the function_graph tracer, and of alloc_free_nolog's two sides, PROFILE_CALLS
# pairs each: build/<target>/bench-profile.txt; PROFILE_PAGES, default 256,
# PROFILE_CALLS, default 100, PROFILE_TOP, default 20),
# MMAP_TEST_QEMU_MEM (guest MiB, default 2048: the 1 GiB growth figure
# needs more than 1 GiB), plus those of scripts/vm.sh.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

target=${TARGET:-$(target_role bench)}
target_busybox "$target"
args=${BENCH_ARGS:-}
tmo=${BENCH_TIMEOUT:-1800}
t0=$(date +%s)

stage "installing host packages"
need_host_pkgs "$target"

stage "building mmap_test.ko and the userspace programs for $target"
"$TOP/scripts/build.sh" "$target"

out=$TOP/build/$target
stage "building the reference driver mmap_test_ref.ko for $target"
KDIR="" ARCH="" CROSS_COMPILE="" ROOT=""
eval "$(cat "$out/kernel.env")"
ref=$out/refdrv
rm -rf "$ref"
mkdir -p "$ref"
cp -p "$TOP/test/refdrv/Kbuild" "$TOP/test/refdrv/mmap_test_ref.c" \
	"$TOP/src/conftest.sh" "$TOP/src/conftest.mk" "$ref/"
in_root "$ROOT" make -C "$KDIR" M="$ref" ARCH="$ARCH" \
	CROSS_COMPILE="$CROSS_COMPILE" modules >&2
[ -f "$ref/mmap_test_ref.ko" ] || die "no mmap_test_ref.ko built"

# sq VALUE: VALUE as one single-quoted word of the guest's /guest/env
# (sourced by the guest's sh), whatever quotes it holds.
sq() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# PROFILE=1: one boot under icount that traces one cold write-touch of the
# device, shmem and the reference driver (scripts/guest/bench.sh), and the
# top kernel functions of each, side by side; no bench.
if [ "${PROFILE:-0}" = 1 ]; then
	log=$out/bench-profile.log
	stage "PROFILE=1: tracing one cold write-touch per path under qemu's instruction clock (log: $log)"
	MMAP_TEST_QEMU_ICOUNT=1 MMAP_TEST_QEMU_SMP=1 \
	MMAP_TEST_APPEND="no_timer_check ${MMAP_TEST_APPEND:-}" \
	MMAP_TEST_GUEST_ENV="BENCH_PROFILE=1
BENCH_INSMOD_ARGS=$(sq "${BENCH_INSMOD_ARGS:-}")
PROFILE_PAGES=$(sq "${PROFILE_PAGES:-256}")
PROFILE_CALLS=$(sq "${PROFILE_CALLS:-100}")
PROFILE_TOP=$(sq "${PROFILE_TOP:-20}")" \
		"$TOP/scripts/vm.sh" "$target" bench --timeout "$tmo" --quiet || :
	rm -f "$log"
	[ -f "$out/bench.log" ] && mv "$out/bench.log" "$log"
	[ -f "$log" ] || die "PROFILE: the VM wrote no log ($out/bench.log)"
	python3 "$TOP/scripts/lib/bench_clocks.py" profile "$log" |
		tee "$out/bench-profile.txt"
	k=$(splat_scan "$log")
	[ "$k" = 0 ] || die "PROFILE: $k kernel splat line(s) in $log"
	grep -q '^BENCH-RC: rc=0' <(tr -d '\r' < "$log") ||
		die "PROFILE: the guest did not finish it: $(grep -a 'PROFILE-ERROR\|BENCH-RC' "$log" | tr -d '\r' | tail -n 1)"
	exit 0
fi

seed=${BENCH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
qemu_version=$("$T_QEMU" --version 2>/dev/null | head -n 1) || qemu_version=unknown
fail=()

# run_clock CLOCK [TAG ARGS]: one boot of the bench job on CLOCK
# (instructions: qemu's -icount; wall) with BENCH_ARGS, or ARGS; its serial
# log build/<target>/bench-CLOCK[TAG].log, its table bench-CLOCK[TAG].txt
# and JSON bench-CLOCK[TAG].json; failures into fail[].
run_clock() {
	local clock=$1 tag=${2:-} bargs=${3-$args} icount=0 smp clock_text log json table
	local rc=0 l1 l5 l15 lmax load_before load_after loads vm sampler r k
	log=$out/bench.log
	json=$out/bench-$clock$tag.json
	table=$out/bench-$clock$tag.txt
	rm -f "$log" "$json" "$table"
	# Under icount one vCPU: qemu runs every vCPU in one host thread
	# then, so a second adds no parallelism, only its own background
	# work to the instructions counted; and x86_64-6.1 hangs bringing up
	# its second vCPU under qemu 7.2's icount ("x86: Booting SMP
	# configuration:" and no more).  The scaling rows, judged on wall
	# time, say n/a in that run.
	case $clock in
	instructions)
		icount=1 smp=1
		clock_text="instructions (qemu -icount shift=0,sleep=off, 1 vCPU: 1 ns = 1 guest instruction)" ;;
	*)	smp=${MMAP_TEST_QEMU_SMP:-}
		clock_text="wall (CLOCK_MONOTONIC under TCG)" ;;
	esac
	read -r l1 l5 l15 _ < /proc/loadavg
	load_before="$l1 $l5 $l15 ($(nproc) CPUs)"
	info "host load average before the $clock run: $load_before"

	stage "running mmap-test-bench${bargs:+ $bargs} in the VM on the $clock clock (progress below; full log: $out/bench-$clock$tag.log)"
	# no_timer_check: a loaded host can make the kernel's IO-APIC timer
	# check fail under TCG ("IO-APIC + timer doesn't work!" panic at boot).
	MMAP_TEST_QEMU_ICOUNT=$icount MMAP_TEST_QEMU_SMP=$smp \
	MMAP_TEST_APPEND="no_timer_check ${MMAP_TEST_APPEND:-}" \
	MMAP_TEST_GUEST_ENV="BENCH_ARGS=$(sq "$bargs")
BENCH_INSMOD_ARGS=$(sq "${BENCH_INSMOD_ARGS:-}")
BENCH_HOST_LOAD=$(sq "$load_before")
BENCH_CLOCK=$(sq "$clock_text")
BENCH_SEED=$(sq "$seed")
BENCH_QEMU=$(sq "$qemu_version")" \
		"$TOP/scripts/vm.sh" "$target" bench --timeout "$tmo" --quiet &
	vm=$!
	# The host's 1-minute load average every 10 s while the VM runs.
	loads=$out/bench-hostload-$clock$tag.txt
	: > "$loads"
	( while kill -0 "$vm" 2>/dev/null; do
		read -r l _ < /proc/loadavg && echo "$l"
		sleep 10
	done >> "$loads" ) &
	sampler=$!
	# Follow the serial log for the progress lines until the VM is gone.
	while [ ! -f "$log" ] && kill -0 "$vm" 2>/dev/null; do
		sleep 1
	done
	if [ -f "$log" ]; then
		tail -n +1 -F --pid="$vm" "$log" 2>/dev/null |
			sed -u 's/\r$//' | grep --line-buffered -E \
			'^(mmap-test-bench: |BENCH-INSMOD|BENCH-SETTLED|BENCH-RC|GUEST-START)' >&2 || :
	fi
	wait "$vm" || rc=$?
	wait "$sampler" || :
	[ -f "$log" ] && mv "$log" "$out/bench-$clock$tag.log"
	log=$out/bench-$clock$tag.log
	[ -f "$log" ] || : > "$log"	# no log at all: the checks below say so
	read -r l1 l5 l15 _ < /proc/loadavg
	lmax=$(sort -g "$loads" | tail -n 1)
	load_after="$l1 $l5 $l15, max 1-min during the run ${lmax:-?}"
	info "host load average after the $clock run: $load_after"

	[ "$rc" = 0 ] || fail+=("$clock$tag: vm.sh exited with status $rc")
	grep -q 'GUEST-END job=bench' "$log" 2>/dev/null ||
		fail+=("$clock$tag: the guest did not finish (crash or timeout)")
	if ! grep -q '^BENCH-RC: rc=0' "$log" 2>/dev/null; then
		r=$(grep -a '^BENCH-RC:' "$log" 2>/dev/null | tr -d '\r' | tail -n1) || :
		fail+=("$clock$tag: mmap-test-bench failed: ${r:-no BENCH-RC marker}")
	fi
	# The table as a file of this run, headed with what produced it.
	{
		echo "# make bench TARGET=$target of $(tree_rev) on $(date -u '+%Y-%m-%d %H:%M UTC')${bargs:+, BENCH_ARGS=$bargs}, clock: $clock${tag:+, boot $tag}"
		tr -d '\r' < "$log" | sed -n '/^BENCH-TABLE-BEGIN$/,/^BENCH-TABLE-END$/p' |
			sed '1d;$d' | sed "s|@HOST_LOAD_AFTER@|$load_after|"
	} > "$table"
	tr -d '\r' < "$log" | sed -n '/^BENCH-JSON-BEGIN$/,/^BENCH-JSON-END$/p' |
		sed '1d;$d' | sed "s|@HOST_LOAD_AFTER@|$load_after|" > "$json.tmp"
	if [ -s "$json.tmp" ] && grep -q '^BENCH-JSON-END' <(tr -d '\r' < "$log"); then
		if ! python3 -m json.tool "$json.tmp" >/dev/null 2>&1; then
			fail+=("$clock$tag: the JSON between the markers does not parse")
		fi
		mv "$json.tmp" "$json"
	else
		rm -f "$json.tmp"
		fail+=("$clock$tag: no JSON between BENCH-JSON-BEGIN and BENCH-JSON-END")
	fi
	k=$(splat_scan "$log")
	[ "$k" = 0 ] || fail+=("$clock$tag: $k kernel splat line(s) in the serial log")
}

# The instruction clock first: it decides the goals.
run_clock instructions
run_clock wall
# The goals judged on wall time (goals.c: wall_only; the scaling group's)
# get their verdict over BENCH_WALL_BOOTS boots (default 3): the wall run
# above and boots of that group alone, so that the run-to-run variance
# the host's load brings is in it (bench_clocks.py: across_boots()).
wall_groups=scaling
boots=()
wall_args=$(sed -E 's/(^| )--only +[^ ]+//g' <<< "$args")
case " $args " in
*" --only "*) grep -qE -- "--only +([^ ]*,)?$wall_groups(,|$| )" <<< "$args" || wall_args=skip ;;
esac
if [ "$wall_args" != skip ]; then
	for ((b = 2; b <= ${BENCH_WALL_BOOTS:-3}; b++)); do
		run_clock wall "-$b" "$wall_args --only $wall_groups"
		[ -f "$out/bench-wall-$b.json" ] &&
			boots+=(--wall-boot "$out/bench-wall-$b.json")
	done
fi
table=$out/bench-table.txt
json=$out/bench.json
baseline=$TOP/test/bench/baseline/$target.json
stage "results"
{
	echo "# make bench TARGET=$target of $(tree_rev) on $(date -u '+%Y-%m-%d %H:%M UTC')${args:+, BENCH_ARGS=$args}"
	echo "# the instruction clock's table: bench-instructions.txt, the wall clock's: bench-wall.txt"
	if [ -f "$out/bench-instructions.json" ] && [ -f "$out/bench-wall.json" ]; then
		bl=()
		[ -f "$baseline" ] && bl=(--baseline "$baseline")
		BENCH_TARGET=$target BENCH_ARGS=$args BENCH_DATE=$(date -u '+%Y-%m-%d') \
		BENCH_COMMIT=$(tree_rev unknown) \
			python3 "$TOP/scripts/lib/bench_clocks.py" "$out/bench-instructions.json" \
			"$out/bench-wall.json" "$json" "${bl[@]}" "${boots[@]}" ||
			fail+=("bench_clocks.py could not merge the two runs")
		[ -f "$baseline" ] || echo "(no baseline for $target: $baseline; BENCH_BASELINE_WRITE=1 writes one)"
	fi
} > "$table"
if [ "${BENCH_BASELINE_WRITE:-0}" = 1 ] && [ -f "$json" ] && [ ${#fail[@]} = 0 ]; then
	page=$TOP/docs/results/bench-$target.md
	if python3 "$TOP/scripts/lib/bench_clocks.py" --write-baseline "$json" "$baseline" &&
		python3 "$TOP/scripts/lib/bench_clocks.py" doc "$baseline" > "$page"; then
		info "baseline written: $baseline (accepted goals: edit its \"accepted\", then: scripts/lib/bench_clocks.py doc ${baseline#"$TOP"/} > ${page#"$TOP"/}), and its page ${page#"$TOP"/}"
	else
		fail+=("BENCH_BASELINE_WRITE=1: could not write $baseline")
	fi
fi
cat "$out/bench-instructions.txt" "$out/bench-wall.txt" "$table" 2>/dev/null
grep -q '^BENCH-SUMMARY total ' "$table" ||
	fail+=("no BENCH-SUMMARY lines in the table")
# The gate: a goal NOT met that the baseline does not accept, or a goal
# worse than its baseline by more than its margin.
# (a regression fails even an accepted goal)
gate=$(awk '/^BENCH-SUMMARY goal=/ &&
	((/ verdict=NOT-met / && !/ accepted=1/) || / regressed=1/)' "$table")
notmet=$(grep -c '^BENCH-SUMMARY goal=.* verdict=NOT-met ' "$table") || :
if [ "${BENCH_STRICT:-0}" = 1 ] && [ -n "$gate" ]; then
	fail+=("BENCH_STRICT=1: goal(s) NOT met and not accepted, or worse than the baseline:")
	while read -r g; do
		fail+=("  $g")
	done <<< "$gate"
fi

dt=$(( $(date +%s) - t0 ))
echo
verdict "BENCH RAN on $target in ${dt}s; ${notmet:-0} goal(s) NOT met; table: $table; JSON: $json" \
	"BENCH FAILED on $target in ${dt}s; serial logs: $out/bench-{instructions,wall}.log" "${fail[@]}"
