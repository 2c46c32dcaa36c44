#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/bench.sh            (what `make bench` runs)
#        TARGET=arm64-6.12 scripts/bench.sh
#        BENCH_ARGS="--repeats 9 --only faults,warm" scripts/bench.sh
#
# Builds the module and the userspace programs for TARGET (default
# x86_64-6.1), boots the VM with the "bench" job (scripts/guest/bench.sh:
# vm.max_map_count raised, mmap_test.ko loaded with the buffer_pages
# bench-mmap needs, bench-mmap --emulated $BENCH_ARGS), shows bench-mmap's
# progress while it runs, then prints its table and writes its JSON to
# build/<target>/bench.json.  The serial log is build/<target>/bench.log.
#
# Exit status: 0 when the benchmark ran (whatever the goals say), 1 when it
# did not (build failure, no markers, bench-mmap error, timeout, kernel
# splat).
#
# Environment: TARGET, BENCH_ARGS (bench-mmap options, see
# test/bench/bench-mmap.c), BENCH_INSMOD_ARGS (extra module parameters
# for insmod, e.g. to compare a module option), BENCH_TIMEOUT (seconds, default 1200),
# MMAP_TEST_QEMU_MEM (guest MiB, default 2048: the 1 GiB growth figure
# needs more than 1 GiB), plus those of scripts/vm.sh.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

target=${TARGET:-x86_64-6.1}
target_check "$target"
args=${BENCH_ARGS:-}
tmo=${BENCH_TIMEOUT:-1200}
t0=$(date +%s)

stage "installing host packages"
# shellcheck disable=SC2046  # a list of package names
need_pkgs $(host_pkgs "$target")

stage "building mmap_test.ko and the userspace programs for $target"
"$TOP/scripts/build.sh" "$target"

out=$TOP/build/$target
log=$out/bench.log
json=$out/bench.json
rm -f "$log" "$json"
read -r load _ < /proc/loadavg
info "host load average before the run: $load ($(nproc) CPUs)"

stage "running bench-mmap in the VM (progress below; full log: $log)"
# no_timer_check: a loaded host can make the kernel's IO-APIC timer check
# fail under TCG ("IO-APIC + timer doesn't work!" panic at boot).
MMAP_TEST_APPEND="no_timer_check ${MMAP_TEST_APPEND:-}" \
MMAP_TEST_GUEST_ENV="BENCH_ARGS='$args'
BENCH_INSMOD_ARGS='${BENCH_INSMOD_ARGS:-}'" \
	"$TOP/scripts/vm.sh" "$target" bench --timeout "$tmo" --quiet &
vm=$!
# Follow the serial log for the progress lines until the VM is gone.
while [ ! -f "$log" ] && kill -0 "$vm" 2>/dev/null; do
	sleep 1
done
if [ -f "$log" ]; then
	tail -n +1 -F --pid="$vm" "$log" 2>/dev/null |
		sed -u 's/\r$//' | grep --line-buffered -E \
		'^(bench-mmap: |BENCH-INSMOD|BENCH-RC|GUEST-START)' >&2 || :
fi
rc=0
wait "$vm" || rc=$?
read -r load _ < /proc/loadavg
info "host load average after the run: $load"

stage "results"
fail=()
[ "$rc" = 0 ] || fail+=("vm.sh exited with status $rc")
grep -q 'GUEST-END job=bench' "$log" ||
	fail+=("the guest did not finish (crash or timeout)")
if ! grep -q '^BENCH-RC: rc=0' "$log"; then
	r=$(grep -a '^BENCH-RC:' "$log" | tr -d '\r' | tail -n1) || :
	fail+=("bench-mmap failed: ${r:-no BENCH-RC marker}")
fi
tr -d '\r' < "$log" | sed -n '/^BENCH-TABLE-BEGIN$/,/^BENCH-TABLE-END$/p' |
	sed '1d;$d'
tr -d '\r' < "$log" | sed -n '/^BENCH-JSON-BEGIN$/,/^BENCH-JSON-END$/p' |
	sed '1d;$d' > "$json.tmp"
if [ -s "$json.tmp" ] && grep -q '^BENCH-JSON-END' <(tr -d '\r' < "$log"); then
	if command -v python3 >/dev/null &&
		! python3 -m json.tool "$json.tmp" >/dev/null 2>&1; then
		fail+=("the JSON between the markers does not parse")
	fi
	mv "$json.tmp" "$json"
else
	rm -f "$json.tmp"
	fail+=("no JSON between BENCH-JSON-BEGIN and BENCH-JSON-END")
fi
k=$(splat_scan "$log")
[ "$k" = 0 ] || fail+=("$k kernel splat line(s) in the serial log")

dt=$(( $(date +%s) - t0 ))
echo
if [ ${#fail[@]} -eq 0 ]; then
	echo "BENCH RAN on $target in ${dt}s; JSON: $json; serial log: $log"
	exit 0
fi
for f in "${fail[@]}"; do
	echo "  - $f"
done
echo "BENCH FAILED on $target in ${dt}s; serial log: $log"
exit 1
