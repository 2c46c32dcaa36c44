#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: guest job "bench", run by /init inside the VM (scripts/vm.sh
# <target> bench, normally through scripts/bench.sh); not for the host.
# Raises vm.max_map_count, lifts the /dev/kmsg rate limit, mounts debugfs
# (for fault_around_bytes), loads mmap_test.ko with the buffer_pages that
# mmap-test-bench needs for $BENCH_ARGS (from /guest/env) and any
# $BENCH_INSMOD_ARGS, loads the reference driver mmap_test_ref.ko (when the
# initramfs has it) with the same buffer_pages, runs
# "mmap-test-bench --emulated --host-load $BENCH_HOST_LOAD $BENCH_ARGS" (table
# and JSON on the console) and unloads the modules.  Markers: BENCH-INSMOD:
# rc=N (buffer_pages=N), BENCH-REFMOD: rc=N, BENCH-RC: rc=N (mmap-test-bench's
# exit status), BENCH-RMMOD: rc=N, and BENCH-SETTLED: how long the guest
# took to go idle before each run of mmap-test-bench (see settle below).
# The huge group (huge_write goal) needs the module loaded with huge=1,
# the rest without: unless --only leaves it out, it runs first alone with
# the module so loaded ("mmap-test-bench --only huge --huge-export"), and the
# main run takes its samples (--huge-import), or the reason it could not
# run ("na n/a (...)": a kernel without huge mappings refuses huge=1).
# Marker: BENCH-HUGE: rc=N.
set -u
BENCH_ARGS=
BENCH_INSMOD_ARGS=
BENCH_HOST_LOAD=unknown
BENCH_CLOCK="wall (CLOCK_MONOTONIC)"
BENCH_SEED=
BENCH_QEMU=unknown
# shellcheck disable=SC1091
[ -f /guest/env ] && . /guest/env

# 50000 extra VMAs plus the mappings of the run itself.
cur=$(cat /proc/sys/vm/max_map_count)
[ "$cur" -lt 262144 ] && echo 262144 > /proc/sys/vm/max_map_count
echo "vm.max_map_count=$(cat /proc/sys/vm/max_map_count)"
# mmap-test-bench measures printk through /dev/kmsg: no rate limit.
echo on > /proc/sys/kernel/printk_devkmsg
# fault_around_bytes lives in debugfs.
[ -e /sys/kernel/debug/fault_around_bytes ] ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo "memory: $(grep MemTotal /proc/meminfo)"
echo "cpus: $(grep -c ^processor /proc/cpuinfo)," \
	"$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"

# settle: wait, at most BENCH_SETTLE_MAX seconds (default 60), for one
# second in which the CPUs were at least 98% idle (/proc/stat), and print
# how long that took.  What boot leaves running (on Debian's 7.3, the
# crypto self-tests' cryptomgr_test threads and async workers, for a few
# seconds of guest time after /init starts) ran on the one vCPU of the
# instruction run in the middle of the first touches: every huge row, the
# first group, cost about 2 to 3.7 times its settled figure, repeat to repeat.
# Under icount (sleep=off) an idle second costs the host nothing.
settle() {
	_n=0 _busy=100
	_cpu() { awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit }' /proc/stat; }
	while [ "$_n" -lt "${BENCH_SETTLE_MAX:-60}" ]; do
		_a=$(_cpu)
		sleep 1
		_b=$(_cpu)
		_n=$((_n + 1))
		_busy=$(echo "$_a $_b" | awk '{ t = $4 - $2; i = $3 - $1
			print (t > 0 ? int(100 * (t - i) / t + 0.5) : 100) }')
		[ "$_busy" -le 2 ] && break
	done
	if [ "$_busy" -le 2 ]; then
		echo "idle after ${_n} s"
	else
		echo "not idle after ${_n} s (the last second ${_busy}% busy)"
	fi
}

# The same address-space layout in every boot: with ASLR each boot places
# the mappings at other offsets from a fault-around window's and a PMD's
# boundaries, which changes what a fault maps (x86_64-7.3 under icount, the
# sparse group in two boots with the same seed: 1.738 and 1.797 pages
# fault-around mapped per page touched, and sparse_read 3% apart between
# two full runs; without ASLR, 1.738 and 19.229 / 19.218 in both).  The VM
# powers off after the run: nothing to restore.
echo 0 > /proc/sys/kernel/randomize_va_space

# What the table's environment block cannot read itself: the clock
# (the host knows whether qemu counts instructions), the order seed (the
# same for both clocks), qemu's version, and the kernel's memory
# auto-initialisation (init_on_alloc: whether the allocator zeroes pages).
auto_init=$(dmesg | sed -n 's/.*mem auto-init: //p' | head -n 1)
set -- --clock "$BENCH_CLOCK" --env "qemu=$BENCH_QEMU" \
	--env "mem_auto_init=${auto_init:-not in the kernel log}" \
	--env "aslr=randomize_va_space $(cat /proc/sys/kernel/randomize_va_space) (set by the guest: one layout in every boot)"
[ -n "$BENCH_SEED" ] && set -- "$@" --seed "$BENCH_SEED"

# BENCH_PROFILE=1 (make bench PROFILE=1): where the instructions of one
# cold write-touch, and of the calls of alloc_free_nolog's two sides, go,
# by the function_graph tracer, instead of the bench.  Each path (device,
# shmem, the reference driver; ALLOC_VMA+FREE_VMA with log_calls=0, and
# mmap+munmap) runs once without the tracer and once with it (the process
# and the touch or the calls only: mmap-test-bench --touch-once or
# --call-once with MT_TRACE); each kernel function's inclusive duration is
# summed from the trace (funcgraph-tail names the function at its closing
# brace).  Under icount, durations are instruction counts.  Lines:
# PROFILE kind=K unit=page|pair n=N plain=NS traced=NS overrun=N, then
# PROFILE-FN kind=K ns=TOTAL calls=N fn=NAME, the top PROFILE_TOP by ns.
if [ "${BENCH_PROFILE:-0}" = 1 ]; then
	pages=${PROFILE_PAGES:-256}
	T=/sys/kernel/tracing
	[ -e "$T/trace" ] || mount -t tracefs nodev "$T" 2>/dev/null
	[ -e "$T/trace" ] || T=/sys/kernel/debug/tracing
	profile_fail() {
		echo "PROFILE-ERROR $*"
		echo "BENCH-RC: rc=1"
		exit 1
	}
	# shellcheck disable=SC2086  # a list of module parameters
	insmod /mmap_test.ko buffer_pages="$pages" $BENCH_INSMOD_ARGS
	r=$?
	echo "BENCH-INSMOD: rc=$r (buffer_pages=$pages $BENCH_INSMOD_ARGS)"
	[ "$r" = 0 ] || profile_fail "insmod mmap_test.ko: exit status $r"
	if [ -f /mmap_test_ref.ko ]; then
		insmod /mmap_test_ref.ko buffer_pages="$pages" ||
			profile_fail "insmod mmap_test_ref.ko: exit status $?"
	fi
	grep -qw function_graph "$T/available_tracers" 2>/dev/null ||
		profile_fail "no function_graph tracer in $T/available_tracers"
	echo 0 > "$T/tracing_on"
	echo 32768 > "$T/buffer_size_kb"
	calls=${PROFILE_CALLS:-100}
	# ns_per OUTPUT: N of --touch-once's or --call-once's "..., N ns/UNIT"
	ns_per() { echo "$1" | sed -n 's/.*, \([0-9]*\) ns\/[a-z]*$/\1/p'; }
	# Once untimed first: the first touch after boot paid 20 times the
	# second's instructions (x86_64-7.3), for work the kernel does once.
	mmap-test-bench --pages "$pages" --touch-once dev_shared >/dev/null ||
		profile_fail "mmap-test-bench --touch-once dev_shared (warm-up): exit status $?"
	echo "PROFILE-SETTLED $(settle)"	# what boot left running (see settle)
	for item in touch:dev_shared touch:shmem_shared touch:ref_fault \
		call:ioctl_alloc_free_nolog call:mmap_munmap; do
		k=${item#*:}
		case $item in
		touch:*) what="--pages $pages --touch-once $k"
			unit=page n=$pages ;;
		*)	what="--calls $calls --call-once $k"
			unit=pair n=$calls ;;
		esac
		[ "$k" = ref_fault ] && [ ! -e /dev/mmap-test-ref ] && continue
		echo nop > "$T/current_tracer"
		# untraced: the least of three, the one the kernel's own
		# background work (on the one vCPU, counted) disturbed least
		plain=
		for _ in 1 2 3; do
			# shellcheck disable=SC2086  # $what is a list of options
			out=$(mmap-test-bench $what) ||
				profile_fail "mmap-test-bench $what: exit status $?"
			p=$(ns_per "$out")
			if [ -n "$p" ] && { [ -z "$plain" ] || [ "$p" -lt "$plain" ]; }; then
				plain=$p
			fi
		done
		echo function_graph > "$T/current_tracer"
		echo 1 > "$T/options/funcgraph-tail"
		echo 0 > "$T/options/funcgraph-irqs" 2>/dev/null
		: > "$T/trace"
		# (mmap-test-bench writes its pid to set_ftrace_pid, truncating it)
		# shellcheck disable=SC2086
		out=$(MT_TRACE=$T mmap-test-bench $what) ||
			profile_fail "MT_TRACE=$T mmap-test-bench $what: exit status $?"
		traced=$(ns_per "$out")
		if [ -z "$plain" ] || [ -z "$traced" ]; then
			profile_fail "mmap-test-bench $what printed no ns per $unit: $out"
		fi
		overrun=$(cat "$T"/per_cpu/cpu*/stats 2>/dev/null |
			awk '/^overrun:/ { n += $2 } END { printf "%.0f\n", n }')
		echo "PROFILE kind=$k unit=$unit n=$n plain=$plain traced=$traced overrun=$overrun"
		awk '
			/\|/ && / us / {
				split($0, h, "|")
				if (!match(h[1], /[0-9]+\.[0-9]+ us/))
					next
				d = substr(h[1], RSTART, RLENGTH - 3) * 1000
				f = h[2]
				gsub(/^[ \t]+|[ \t]+$/, "", f)
				if (f ~ /^} \/\* .* \*\/$/) {
					sub(/^} \/\* /, "", f); sub(/ \*\/$/, "", f)
				} else if (f ~ /\(\);$/) {
					sub(/\(\);$/, "", f)
				} else
					next
				ns[f] += d; calls[f]++
			}
			END {
				for (f in ns)
					printf "%.0f %d %s\n", ns[f], calls[f], f
			}' "$T/trace" | sort -rn | head -n "${PROFILE_TOP:-20}" |
			while read -r ns c fn; do
				echo "PROFILE-FN kind=$k ns=$ns calls=$c fn=$fn"
			done
		echo nop > "$T/current_tracer"
	done
	echo "BENCH-RC: rc=0"
	exit 0
fi

# shellcheck disable=SC2086  # BENCH_ARGS is a list of options
need=$(mmap-test-bench $BENCH_ARGS --need-pages)
rc=$?
if [ "$rc" != 0 ] || [ -z "$need" ]; then
	echo "BENCH-INSMOD: rc=2 (bad BENCH_ARGS '$BENCH_ARGS')"
	echo "BENCH-RC: rc=2"
	exit 1
fi
huge=/tmp/bench-huge.txt
case $BENCH_ARGS in
*--only*huge* | *huge*--only*) dohuge=1 ;;
*--only*) dohuge=0 ;;
*) dohuge=1 ;;
esac
if [ "$dohuge" = 1 ]; then
	# shellcheck disable=SC2086  # a list of module parameters
	insmod /mmap_test.ko buffer_pages="$need" $BENCH_INSMOD_ARGS huge=1
	hrc=$?
	if [ "$hrc" = 0 ]; then
		s=$(settle)
		echo "BENCH-SETTLED: $s (before the huge group)"
		# shellcheck disable=SC2086
		mmap-test-bench --emulated "$@" --env "settled=$s" \
			$BENCH_ARGS --only huge --huge-export "$huge"
		hrc=$?
		rmmod mmap_test
		[ "$hrc" = 0 ] || echo "na n/a (mmap-test-bench --only huge: exit status $hrc)" > "$huge"
	elif dmesg | tail -n 20 | grep -q 'huge=1: this kernel lacks'; then
		echo "na n/a (kernel lacks large page-cache folios: huge=1 refused)" > "$huge"
	else
		echo "na n/a (insmod huge=1 failed: rc=$hrc)" > "$huge"
	fi
	if grep -q '^na ' "$huge"; then
		echo "BENCH-HUGE: rc=$hrc ($(sed 's/^na //' "$huge"))"
	else
		echo "BENCH-HUGE: rc=$hrc ($(grep -c . "$huge") samples in $huge)"
	fi
	BENCH_ARGS="$BENCH_ARGS --huge-import $huge"
fi

# shellcheck disable=SC2086  # a list of module parameters
insmod /mmap_test.ko buffer_pages="$need" $BENCH_INSMOD_ARGS
ins=$?
echo "BENCH-INSMOD: rc=$ins (buffer_pages=$need $BENCH_INSMOD_ARGS)"
[ "$ins" = 0 ] || { echo "BENCH-RC: rc=1"; exit 1; }
ref=0
if [ -f /mmap_test_ref.ko ]; then
	insmod /mmap_test_ref.ko buffer_pages="$need"
	r=$?
	echo "BENCH-REFMOD: rc=$r (buffer_pages=$need)"
	[ "$r" = 0 ] && ref=1
else
	echo "BENCH-REFMOD: rc=1 (no /mmap_test_ref.ko in the initramfs)"
fi

s=$(settle)
echo "BENCH-SETTLED: $s"
# shellcheck disable=SC2086
mmap-test-bench --emulated --host-load "$BENCH_HOST_LOAD" "$@" \
	--env "settled=$s" $BENCH_ARGS
rc=$?
echo "BENCH-RC: rc=$rc"

[ "$ref" = 1 ] && rmmod mmap_test_ref
rmmod mmap_test
echo "BENCH-RMMOD: rc=$?"
[ "$rc" = 0 ]
