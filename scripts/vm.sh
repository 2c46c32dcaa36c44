#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/vm.sh <target> <job> [--timeout SECONDS] [--quiet|--interactive]
#        scripts/vm.sh <target> exec [--timeout SECONDS] [--quiet] -- CMD [ARG...]
#
# Boots the target's kernel under qemu (TCG) with a busybox initramfs that
# runs scripts/guest/<job>.sh as root, then powers off.  Needs
# scripts/build.sh <target> first.  The initramfs
# (build/<target>/initramfs-<job>.cpio.gz) holds:
#   /init                 scripts/guest/init
#   /guest/*.sh, /guest/job
#   /mmap_test.ko         build/<target>/mod/mmap_test.ko
#   /mmap_test_ref.ko     build/<target>/refdrv/mmap_test_ref.ko, if built
#   /bin/*                busybox applets and build/<target>/bin/*
#   /selftests/*          build/<target>/bin/selftests/*: the kselftest
#                         programs (one per test/selftests/<topic>.c)
#   /kselftest            $MMAP_TEST_KSELFTEST, if set: an installed
#                         kselftest tree (scripts/kselftest-install.sh
#                         --target <target>); the job "check" runs it
#                         (without it, vm.sh installs the target's own)
# The serial console is written to build/<target>/<job>.log and, unless
# --quiet, streamed to stdout.  qemu runs under `timeout` (default 1200 s).
# --interactive connects the serial console to this terminal instead (stdin
# included; Ctrl-A X quits qemu, Ctrl-A C its monitor), logs it raw to the
# same file, and applies a timeout only when --timeout is given.
# Exit status: 0 when qemu ended by itself, 124 on timeout, else qemu's.
# The verdict is NOT the exit status: callers read the guest's markers.
#
# The job "exec" runs one command in the guest, as root, from /guest, and
# exits with the command's exit status (read from the serial log: 125 when
# the guest never said it), e.g. one kselftest program or test by hand:
#   scripts/vm.sh x86_64-7.3 exec -- sh -c \
#       'insmod /mmap_test.ko buffer_pages=1024 && mmap-test-sync'
# The module is not loaded: the command loads it with the parameters it
# needs (/mmap_test.ko); the kselftest programs are in /selftests (on PATH).
#
# qemu's machine, CPU, options and console and extra kernel parameters
# come from the target's file (scripts/targets/<target>.conf) and its
# architecture's (scripts/arches/<arch>.conf).
#
# Environment: MMAP_TEST_QEMU_MEM (MiB, default 2048), MMAP_TEST_QEMU_SMP
# (vCPUs, default the target's QEMU_SMP, 2), MMAP_TEST_QEMU_THREAD
# (single: every vCPU in one host thread, -accel tcg,thread=single;
# multi: a thread per vCPU; unset: qemu's default, multi, except that
# make check on a host with fewer CPUs than its jobs' vCPUs sets
# MMAP_TEST_QEMU_THREAD_AUTO=single, which the architectures without
# QEMU_THREAD=multi follow: scripts/lib/targets.sh qemu_tcg_opts),
# MMAP_TEST_QEMU_ICOUNT (1: qemu's instruction clock, -icount
# shift=0,sleep=off), MMAP_TEST_APPEND
# (extra kernel command line), MMAP_TEST_GUEST_ENV (lines "NAME=value"
# written to /guest/env, sourced by the job scripts), MMAP_TEST_KSELFTEST
# (an installed kselftest tree, scripts/kselftest-install.sh: copied to
# /kselftest).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { die "usage: $0 <target> <job> [--timeout SECONDS] [--quiet|--interactive], or $0 <target> exec [--timeout SECONDS] [--quiet] -- CMD [ARG...]"; }
[ $# -ge 2 ] || usage
target=$1 job=$2
shift 2
tmo=1200 quiet=0 interactive=0 tmo_set=0 exec_cmd=()
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) [ $# -ge 2 ] || usage; tmo=$2; tmo_set=1; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--interactive) interactive=1; shift ;;
	--) [ "$job" = exec ] || usage; shift; exec_cmd=("$@"); break ;;
	*) usage ;;
	esac
done
if [ "$job" = exec ] && { [ ${#exec_cmd[@]} = 0 ] || [ "$interactive" = 1 ]; }; then
	usage
fi
out=$TOP/build/$target
target_busybox "$target"
[ -f "$TOP/scripts/guest/$job.sh" ] || die "no scripts/guest/$job.sh"
[ -f "$out/mod/mmap_test.ko" ] || die "no $out/mod/mmap_test.ko: run scripts/build.sh $target"

KERNEL_IMAGE=''
if [ -f "$out/kernel.env" ]; then
	eval "$(cat "$out/kernel.env")"
else
	eval "$("$TOP/scripts/kernel.sh" "$target")"
fi
[ -f "$KERNEL_IMAGE" ] || die "no kernel image $KERNEL_IMAGE"

need_host_pkgs "$target"

# Static busybox of the guest's architecture, from its .deb (the host's
# busybox stays untouched), from the suites its architecture's file names
# (BUSYBOX_SUITES; default the base suites).
# The lock, one per architecture, is held in a subshell: only while this
# run extracts it, not for the whole life of its VM.
bb_dir=$CACHE/busybox-$T_QEMU_ARCH
[ -x "$bb_dir/bin/busybox" ] || (
	lock_file "$CACHE/.busybox-$T_QEMU_ARCH.lock"
	[ ! -x "$bb_dir/bin/busybox" ] || exit 0
	deb=$(fetch_deb "$T_BUSYBOX_SUITES" busybox-static "$T_DEBARCH")
	rm -rf "$bb_dir.tmp"
	dpkg-deb -x "$deb" "$bb_dir.tmp"
	# trixie's package has it in /usr/bin (merged /usr), bookworm's in /bin
	if [ ! -e "$bb_dir.tmp/bin/busybox" ] &&
		[ -x "$bb_dir.tmp/usr/bin/busybox" ]; then
		mkdir -p "$bb_dir.tmp/bin"
		mv "$bb_dir.tmp/usr/bin/busybox" "$bb_dir.tmp/bin/busybox"
	fi
	rm -rf "$bb_dir"
	mv "$bb_dir.tmp" "$bb_dir"
	[ -x "$bb_dir/bin/busybox" ] || die "no busybox in $deb"
)

lock_file "$out/.lock"
stage "building the initramfs for $target (job $job)"
root=$out/initramfs-$job
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,guest,selftests,dev,proc,sys,tmp}
cp "$bb_dir/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$TOP/scripts/guest/init" "$root/init"
install -m 0755 "$TOP/scripts/guest/"*.sh "$root/guest/"
printf '%s\n' "$job" > "$root/guest/job"
printf '%s\n' "${MMAP_TEST_GUEST_ENV:-}" > "$root/guest/env"
printf 'TARGET=%s\nDEBUG_KERNEL=%s\nHOOKS="%s"\n' "$target" "$T_DEBUG" "$T_HOOKS" \
	>> "$root/guest/env"
# HUGE=1: the target says its kernel has huge device mappings (huge=1
# loads); 0: the module must refuse huge=1.
printf 'HUGE=%s\n' "$T_HUGE" >> "$root/guest/env"
# exec: the command, each argument quoted for sh.
if [ "$job" = exec ]; then
	printf '%q ' "${exec_cmd[@]}" > "$root/guest/exec.cmd"
	echo >> "$root/guest/exec.cmd"
fi
cp "$out/mod/mmap_test.ko" "$root/mmap_test.ko"
# The bench's reference driver, when scripts/bench.sh built it.
if [ -f "$out/refdrv/mmap_test_ref.ko" ]; then
	cp "$out/refdrv/mmap_test_ref.ko" "$root/mmap_test_ref.ko"
fi
# The experiment scripts: test-mmap script /examples/<name> (guest check, shell).
if [ -d "$TOP/examples" ]; then cp -r "$TOP/examples" "$root/examples"; fi
if [ -d "$out/bin" ]; then
	for f in "$out/bin"/*; do
		[ -f "$f" ] && cp "$f" "$root/bin/"
	done
fi
if [ -d "$out/bin/selftests" ]; then
	cp "$out/bin/selftests"/* "$root/selftests/"
fi
# An installed kselftest tree (scripts/kselftest-install.sh), as /kselftest.
# The job "check" runs it: without one given, the target's own, installed
# here from what scripts/build.sh built.
if [ "$job" = check ] && [ -z "${MMAP_TEST_KSELFTEST:-}" ]; then
	MMAP_TEST_KSELFTEST=$out/kselftest
	rm -rf "$MMAP_TEST_KSELFTEST"
	"$TOP/scripts/kselftest-install.sh" --target "$target" "$MMAP_TEST_KSELFTEST" >&2
fi
if [ -n "${MMAP_TEST_KSELFTEST:-}" ]; then
	[ -x "$MMAP_TEST_KSELFTEST/run_kselftest.sh" ] ||
		die "MMAP_TEST_KSELFTEST=$MMAP_TEST_KSELFTEST: no run_kselftest.sh there"
	cp -a "$MMAP_TEST_KSELFTEST" "$root/kselftest"
fi
img=$out/initramfs-$job.cpio.gz
{
	# /dev/console as a character device (5,1), without needing mknod:
	# a hand-made newc archive, which the kernel unpacks before the rest.
	cpio_entry() { # name mode rdevmajor rdevminor
		local name=$1 mode=$2 maj=$3 min=$4 nsz pad
		nsz=$(( ${#name} + 1 ))
		printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
			0 "$mode" 0 0 1 0 0 0 0 "$maj" "$min" "$nsz" 0
		printf '%s\0' "$name"
		pad=$(( (4 - (110 + nsz) % 4) % 4 ))
		head -c "$pad" /dev/zero
	}
	cpio_entry dev $((0040755)) 0 0
	cpio_entry dev/console $((0020600)) 5 1
	cpio_entry TRAILER!!! 0 0 0
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 | gzip -1)
} > "$img.tmp"
mv "$img.tmp" "$img"
info "$(du -h "$img" | cut -f1) $img"

# A TCG guest on a busy host (two guests and builds on two cores) can
# go tens of seconds without running a vCPU: the soft-lockup detector
# (watchdog_thresh=60: 120 s) and the RCU stall detector (120 s) wait
# long enough to report lockups, not host load (a 23 s soft lockup in
# free_kernel_image_pages() at boot failed a 6.1 row of make check).
append="console=$T_CONSOLE loglevel=5 panic=-1 rdinit=/init"
append="$append watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=120 $T_APPEND"
append="$append ${MMAP_TEST_APPEND:-}"
mem=${MMAP_TEST_QEMU_MEM:-2048}
qemu=("$T_QEMU" -m "$mem" -smp "${MMAP_TEST_QEMU_SMP:-$T_QEMU_SMP}")
[ -n "$T_QEMU_MACHINE" ] && qemu+=(-M "$T_QEMU_MACHINE")
[ -n "$T_QEMU_CPU" ] && qemu+=(-cpu "$T_QEMU_CPU")
# the architecture's or target's own options (riscv64: -bios default)
read -r -a qopts <<< "$T_QEMU_OPTS"
qemu+=("${qopts[@]}")
tcg=$(qemu_tcg_opts)
[ -z "$tcg" ] || mapfile -t -O "${#qemu[@]}" qemu <<< "$tcg"
qemu+=(-nodefaults -no-user-config -display none -no-reboot
	-kernel "$KERNEL_IMAGE" -initrd "$img" -append "$append")
# The instruction clock: the guest's clock advances 1 ns per guest
# instruction, whatever the host does (all vCPUs in one host thread).
[ "${MMAP_TEST_QEMU_ICOUNT:-0}" = 1 ] && qemu+=(-icount "shift=0,sleep=off")

log=$out/$job.log
if [ "$interactive" = 1 ]; then
	stage "booting $target: leave with 'poweroff -f' or Ctrl-A X; log: $log"
	qemu+=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$log"
		-serial chardev:con -mon "chardev=con,mode=readline")
	run=()
	[ "$tmo_set" = 1 ] && run=(timeout --foreground -k 5 "$tmo")
	: > "$log"
	rc=0
	"${run[@]}" "${qemu[@]}" || rc=$?
	if [ -t 0 ]; then stty sane 2>/dev/null || :; fi
	echo
	[ "$rc" = 124 ] && warn "$target/$job: qemu killed after ${tmo}s timeout"
	info "$target/$job: VM ended (qemu status $rc)"
	exit "$rc"
fi
qemu+=(-serial stdio)
stage "booting $target ($T_QEMU_ARCH, timeout ${tmo}s), serial log: $log"
t0=$(date +%s)
rc=0
# Strip terminal control sequences (firmware clears the screen).
strip_esc() { sed -u -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[c()][0-9A-Za-z]\{0,1\}//g'; }
if [ "$quiet" = 1 ]; then
	timeout -k 10 "$tmo" "${qemu[@]}" </dev/null 2>&1 | strip_esc >"$log" ||
		rc=${PIPESTATUS[0]}
else
	timeout -k 10 "$tmo" "${qemu[@]}" </dev/null 2>&1 | strip_esc |
		tee "$log" || rc=${PIPESTATUS[0]}
fi
t1=$(date +%s)
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	warn "$target/$job: qemu killed after ${tmo}s timeout"
	echo "VM-TIMEOUT after ${tmo}s" >> "$log"
	rc=124
fi
info "$target/$job: VM ran $((t1 - t0)) s (qemu status $rc)"
if [ "$job" = exec ] && [ "$rc" = 0 ]; then
	rc=$(tr -d '\r' < "$log" | sed -n 's/^EXEC-STATUS=\([0-9]\{1,\}\)$/\1/p' | tail -n 1)
	rc=${rc:-125}
fi
exit "$rc"
