#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/kernel.sh <target>        (targets: scripts/targets/*.conf)
#
# Fetches (cached in $CACHE/debs) and extracts (into
# $CACHE/kernels/<image package>_<version>/) the Debian kernel image,
# headers and kbuild tools of the target: the newest ABI that the target's
# suites hold (the archive keeps only the newest).  KERNEL=debug targets are
# built by scripts/debug-kernel.sh instead.  Prints sourceable lines:
#
#   KDIR=...          headers to build external modules against
#   KERNEL_IMAGE=...  kernel to boot
#   ARCH=x86|arm64    kbuild ARCH
#   CROSS_COMPILE=... empty or aarch64-linux-gnu-
#   KREL=...          uname -r of that kernel
#   QEMU_ARCH=x86_64|aarch64
#   ROOT=...          the build root (scripts/lib.sh root_ensure)
#
# Use: eval "$(scripts/kernel.sh x86_64-6.1)".  Progress goes to stderr.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 <target>"
target_load "$1"

# uname -r of the kernel the headers belong to.
krel_of() {
	local f=$1/include/generated/utsrelease.h r
	[ -s "$f" ] || die "no $f"
	r=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$f")
	[ -n "$r" ] || die "no UTS_RELEASE in $f"
	printf '%s\n' "$r"
}

# expand PATTERN: the pattern with $ABI and $FLAVOUR substituted.
expand() {
	local s=$1
	s=${s//\$ABI/$ABI}
	printf '%s\n' "${s//\$FLAVOUR/$T_FLAVOUR}"
}

ROOT=$(root_ensure "$T_ROOT")

if [ "$T_KERNEL" = debug ]; then
	out=$("$TOP/scripts/debug-kernel.sh" "$1") ||
		die "scripts/debug-kernel.sh $1 failed"
	KDIR=$(printf '%s\n' "$out" | sed -n 's/^KDIR=//p' | tail -n1)
	KERNEL_IMAGE=$(printf '%s\n' "$out" | sed -n 's/^KERNEL_IMAGE=//p' | tail -n1)
else
	[ "$T_KERNEL" = debian ] || die "$1: unknown KERNEL '$T_KERNEL'"
	papt_update "$T_SUITES" auto
	# The newest ABI whose image package has a version for this arch.
	ABI='@@ABI@@'
	pat=$(expand "$T_IMAGE_PKG")
	prefix=${pat%%@@ABI@@*}
	suffix=${pat#*@@ABI@@}
	esc() { printf '%s' "$1" | sed 's/[.+]/\\&/g'; }
	re="^$(esc "$prefix")(${T_ABI_RE})$(esc "$suffix")\$"
	ABI=
	for a in $(papt_cache "$T_SUITES" pkgnames "$prefix" |
		sed -nE "s/$re/\\1/p" | sort -rV); do
		ABI=$a
		[ -n "$(deb_version "$T_SUITES" "$(expand "$T_IMAGE_PKG")" \
			"$T_DEBARCH")" ] && break
		ABI=
	done
	[ -n "$ABI" ] || die "$1: no $pat ($T_ABI_RE) in $T_SUITES"
	img_pkg=$(expand "$T_IMAGE_PKG")
	ver=$(deb_version "$T_SUITES" "$img_pkg" "$T_DEBARCH")
	root=$CACHE/kernels/${img_pkg}_$ver
	KERNEL_IMAGE=$root/$(expand "$T_IMAGE_FILE")
	read -r -a hdr <<< "$(expand "$T_HEADERS_PKGS")"
	KDIR=$root/usr/src/${hdr[0]}
	if [ ! -f "$root/.done" ]; then
		lock_file "$CACHE/kernels/.lock"
	fi
	if [ ! -f "$root/.done" ]; then
		stage "fetching kernel $img_pkg $ver"
		debs=("$(fetch_deb "$T_SUITES" "$img_pkg=$ver" "$T_DEBARCH")")
		for h in "${hdr[@]}"; do
			debs+=("$(fetch_deb "$T_SUITES" "$h=$ver" \
				"$([ "${h%-common}" = "$h" ] && echo "$T_DEBARCH")")")
		done
		# Host tools: always the amd64 kbuild (the host runs them).
		kb=$(expand "$T_KBUILD_PKG")
		kver=$(deb_version "$T_SUITES" "$kb" amd64)
		[ -n "$kver" ] || die "no $kb in $T_SUITES"
		[ "$kver" = "$ver" ] || warn "$kb $kver does not match kernel $ver"
		debs+=("$(fetch_deb "$T_SUITES" "$kb=$kver" amd64)")
		rm -rf "$root.tmp"
		mkdir -p "$root.tmp"
		for d in "${debs[@]}"; do
			info "extracting $(basename "$d")"
			dpkg-deb -x "$d" "$root.tmp"
		done
		# The arch headers include the -common Makefile by absolute path.
		mk=$root.tmp/usr/src/${hdr[0]}/Makefile
		[ -f "$mk" ] || die "no $mk"
		sed -i "s|^include /usr/src/|include $root/usr/src/|" "$mk"
		rm -rf "$root"
		mv "$root.tmp" "$root"
		touch "$root/.done"
	fi
fi

[ -f "$KERNEL_IMAGE" ] || die "no kernel image $KERNEL_IMAGE"
[ -f "$KDIR/Makefile" ] || die "no headers in $KDIR"
KREL=$(krel_of "$KDIR")
printf 'KDIR=%q\nKERNEL_IMAGE=%q\nARCH=%q\nCROSS_COMPILE=%q\n' \
	"$KDIR" "$KERNEL_IMAGE" "$T_KARCH" "$T_CROSS"
printf 'KREL=%q\nQEMU_ARCH=%q\nROOT=%q\n' "$KREL" \
	"$([ "$T_ARCH" = arm64 ] && echo aarch64 || echo x86_64)" "$ROOT"
