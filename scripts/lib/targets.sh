#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Targets (part of scripts/lib.sh): one data file per kernel the project
# runs on, scripts/targets/<name>.conf (fields in scripts/targets/README.md).
# Every fact about a target comes from its file or, for what follows from
# its architecture, from the architecture's file scripts/arches/<ARCH>.conf
# (target_arch), so that adding a kernel means adding one file, and adding
# an architecture one more.
#
#   TARGETS_DIR, TARGETS_ALL     the directory, every target name
#   target_check NAME            die unless NAME is a target
#   target_load NAME             set the T_* variables of NAME
#   target_busybox NAME          die unless NAME boots the busybox
#                                initramfs (make demo, shell, bench)
#   ARCHES_DIR, ARCHES_ALL       scripts/arches/, every architecture
#   conf_field FILE FIELD        the value of FIELD=... in a target's or
#                                architecture's file, quotes removed
#                                (without loading it: no T_* change)
#   target_role ROLE             the target(s) whose ROLES field has ROLE:
#                                the default target of a command, the
#                                targets of a host check
#   KSFT_SOURCE_DEFAULT          the linux-source package of targets
#                                without KSFT_SOURCE (the base suites')
#   host_pkgs TARGET...          the host packages those targets need
#   need_host_pkgs TARGET...     install them

# shellcheck disable=SC2034,SC2153  # T_* are set here, read by the scripts
TARGETS_DIR=$TOP/scripts/targets
TARGETS_ALL=$(cd "$TARGETS_DIR" && for f in *.conf; do
	echo "${f%.conf}"; done | sort -V | tr '\n' ' ')
TARGETS_ALL=${TARGETS_ALL% }
KSFT_SOURCE_DEFAULT=linux-source-6.1

conf_field() {
	sed -n "s/^$2=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p" "$1"
}

# target_role ROLE: the targets whose ROLES field names ROLE, in
# TARGETS_ALL's order; dies when none has it, or more than one has a role
# that takes one target.
target_role() {
	local t found=()
	for t in $TARGETS_ALL; do
		case " $(conf_field "$TARGETS_DIR/$t.conf" ROLES) " in
		*" $1 "*) found+=("$t") ;;
		esac
	done
	[ ${#found[@]} -gt 0 ] ||
		die "no target has the role '$1': add it to the ROLES line of one of scripts/targets/*.conf ($TARGETS_ALL)"
	case $1 in
	shell-checks | lint-w1 | lint-sparse | packaging) ;;
	*)	[ ${#found[@]} = 1 ] ||
			die "role '$1' is in the ROLES of ${found[*]}: one target only" ;;
	esac
	echo "${found[*]}"
}

target_check() {
	case " $TARGETS_ALL " in
	*" $1 "*) ;;
	*) die "unknown target '$1' (one of: $TARGETS_ALL)" ;;
	esac
}

# target_busybox NAME: load NAME; die if it is not a busybox initramfs
# target (a SYSTEM=debian target runs only in make check).
target_busybox() {
	target_load "$1"
	[ "$T_SYSTEM" = busybox ] ||
		die "$1 boots a $T_SYSTEM system with the packages installed: it runs only in make check (scripts/debian-row.sh); take another target"
}

# target_arch: the T_* values that follow from T_ARCH, read from the
# architecture's file scripts/arches/<ARCH>.conf (kbuild ARCH, cross
# compiler, Debian architecture, qemu and its package, the arch's default
# machine, CPU, extra qemu options and console, the suites of its busybox),
# each as T_<FIELD>; the target's own QEMU_MACHINE, QEMU_CPU, QEMU_OPTS and
# CONSOLE win.
ARCHES_DIR=$TOP/scripts/arches
ARCHES_ALL=$(cd "$ARCHES_DIR" && for f in *.conf; do
	echo "${f%.conf}"; done | sort | tr '\n' ' ')
ARCHES_ALL=${ARCHES_ALL% }
target_arch() {
	local f=$ARCHES_DIR/$T_ARCH.conf line
	local KARCH='' CROSS='' DEBARCH='' QEMU_ARCH='' QEMU_PKG='' \
		QEMU_MACHINE='' QEMU_CPU='' QEMU_OPTS='' CONSOLE='' BUSYBOX_SUITES='' \
		QEMU_THREAD=''
	if [ -z "$T_ARCH" ] || [ ! -f "$f" ]; then
		die "$T_NAME: unknown ARCH '$T_ARCH' (one of: $ARCHES_ALL; scripts/arches/)"
	fi
	while IFS= read -r line; do
		case $line in
		[A-Z]*=*) eval "$line" ;;
		esac
	done < "$f"
	if [ -z "$KARCH" ] || [ -z "$DEBARCH" ] || [ -z "$QEMU_ARCH" ] ||
		[ -z "$QEMU_PKG" ] || [ -z "$CONSOLE" ]; then
		die "$f: KARCH, DEBARCH, QEMU_ARCH, QEMU_PKG and CONSOLE are required"
	fi
	T_KARCH=$KARCH T_CROSS=$CROSS T_DEBARCH=$DEBARCH
	T_QEMU_ARCH=$QEMU_ARCH T_QEMU_PKG=$QEMU_PKG
	T_QEMU_MACHINE=${T_QEMU_MACHINE:-$QEMU_MACHINE}
	T_QEMU_CPU=${T_QEMU_CPU:-$QEMU_CPU}
	T_QEMU_OPTS=${T_QEMU_OPTS:-$QEMU_OPTS}
	T_CONSOLE=${T_CONSOLE:-$CONSOLE}
	T_BUSYBOX_SUITES=${BUSYBOX_SUITES:-$BASE_SUITES}
	T_QEMU_THREAD=${QEMU_THREAD:-any}
	case $T_QEMU_THREAD in
	any | multi) ;;
	*) die "$f: QEMU_THREAD must be any or multi, not '$T_QEMU_THREAD'" ;;
	esac
	T_QEMU=qemu-system-$T_QEMU_ARCH
}

# qemu_tcg_opts: qemu's options for the loaded target's guest, one per
# line.  MMAP_TEST_QEMU_THREAD (the user's) "single" runs every vCPU of the
# guest in one host thread (round robin, -accel tcg,thread=single), "multi"
# one host thread per vCPU; unset, MMAP_TEST_QEMU_THREAD_AUTO=single (what
# make check sets when CPUs are short) gives "single" unless the target's
# architecture says QEMU_THREAD=multi; else none (qemu's default: multi).
# The instruction clock (MMAP_TEST_QEMU_ICOUNT=1) is single-threaded by
# nature, so it refuses "multi".
qemu_tcg_opts() {
	local mode=${MMAP_TEST_QEMU_THREAD:-}
	if [ -z "$mode" ] && [ "${MMAP_TEST_QEMU_THREAD_AUTO:-}" = single ] &&
		[ "$T_QEMU_THREAD" != multi ]; then
		mode=single
	fi
	case $mode in
	'') ;;
	single) printf '%s\n' -accel tcg,thread=single ;;
	multi)
		[ "${MMAP_TEST_QEMU_ICOUNT:-0}" != 1 ] ||
			die "MMAP_TEST_QEMU_ICOUNT=1 runs every vCPU in one host thread: not with MMAP_TEST_QEMU_THREAD=multi"
		printf '%s\n' -accel tcg,thread=multi ;;
	*) die "MMAP_TEST_QEMU_THREAD must be single or multi, not '$mode'" ;;
	esac
}

# target_load NAME: T_NAME, and every FIELD of the file as T_FIELD, with
# defaults and derived values (target_arch); T_OWN_CPU=1 when the file
# names its own QEMU_CPU (a slower CPU model than the arch's default).
target_load() {
	local line v
	target_check "$1"
	for v in ARCH SUITES KERNEL FLAVOUR ABI_RE IMAGE_PKG IMAGE_FILE \
		HEADERS_PKGS KBUILD_PKG SOURCE_PKG ROOT TIMEOUT APPEND DEBUG \
		QEMU_MACHINE QEMU_CPU QEMU_OPTS QEMU_SMP CONSOLE HOOKS HUGE KSFT_SOURCE \
		SYSTEM SYSTEM_PKGS WINDOW_BOOTS COVERAGE STRESS_SECONDS; do
		eval "T_$v="
	done
	T_NAME=$1
	while IFS= read -r line; do
		case $line in
		[A-Z]*=*) eval "T_$line" ;;
		esac
	done < "$TARGETS_DIR/$1.conf"
	T_KERNEL=${T_KERNEL:-debian}
	T_TIMEOUT=${T_TIMEOUT:-900}
	T_QEMU_SMP=${T_QEMU_SMP:-2}
	T_DEBUG=${T_DEBUG:-0}
	T_COVERAGE=${T_COVERAGE:-0}
	T_HOOKS=${T_HOOKS:-mmap}
	T_HUGE=${T_HUGE:-0}
	T_STRESS_SECONDS=${T_STRESS_SECONDS:-5}
	T_KSFT_SOURCE=${T_KSFT_SOURCE:-$KSFT_SOURCE_DEFAULT}
	T_SYSTEM=${T_SYSTEM:-busybox}
	case $T_SYSTEM in
	busybox) ;;
	debian)
		if [ "$T_KERNEL" != debian ] || [ -z "$T_SYSTEM_PKGS" ]; then
			die "$1: SYSTEM=debian needs KERNEL=debian and SYSTEM_PKGS"
		fi ;;
	*) die "$1: SYSTEM must be busybox or debian, not '$T_SYSTEM'" ;;
	esac
	case $T_HUGE in
	0 | 1) ;;
	*) die "$1: HUGE must be 0 or 1, not '$T_HUGE'" ;;
	esac
	case $T_STRESS_SECONDS in
	[1-9] | [1-9][0-9] | 1[0-7][0-9] | 180) ;;
	*) die "$1: STRESS_SECONDS must be a number of seconds, 1 to 180, not '$T_STRESS_SECONDS'" ;;
	esac
	for v in $T_HOOKS; do
		case $v in
		mmap | prepare) ;;
		*) die "$1: unknown HOOKS entry '$v' (mmap or prepare)" ;;
		esac
	done
	for v in $T_WINDOW_BOOTS; do
		case $v in
		*[!A-Za-z0-9_.=,-]*) die "$1: WINDOW_BOOTS entry '$v': kernel parameters, ',' between two" ;;
		esac
	done
	T_OWN_CPU=0
	[ -z "$T_QEMU_CPU" ] || T_OWN_CPU=1
	target_arch
	if [ -z "$T_SUITES" ] || [ -z "$T_ROOT" ]; then
		die "$1: SUITES and ROOT are required"
	fi
	[ -f "$TOP/scripts/roots/$T_ROOT.conf" ] ||
		die "$1: no build root scripts/roots/$T_ROOT.conf"
}

# host_pkgs TARGET...: what the host needs to make build roots, fetch
# kernels and boot the targets.  Compilers live in the build roots.
host_pkgs() {
	local t p="mmdebstrap debian-archive-keyring cpio gzip xz-utils"
	for t in "$@"; do
		target_load "$t"
		p="$p $T_QEMU_PKG"
		# COVERAGE=1: genhtml (scripts/coverage.sh)
		[ "$T_COVERAGE" != 1 ] || p="$p lcov"
	done
	printf '%s\n' "$p" | tr ' ' '\n' | sort -u | tr '\n' ' '
}

need_host_pkgs() {
	local pkgs
	pkgs=$(host_pkgs "$@")
	# shellcheck disable=SC2086  # a list of package names
	need_pkgs $pkgs
}
