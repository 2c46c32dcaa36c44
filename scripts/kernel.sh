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
#   ROOT=...          the build root (scripts/lib/roots.sh root_ensure)
#
# Use: eval "$(scripts/kernel.sh x86_64-6.1)".  Progress goes to stderr.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 <target>"
target_load "$1"

# expand PATTERN: the pattern with $ABI and $FLAVOUR substituted.
expand() {
	local s=$1
	s=${s//\$ABI/$ABI}
	printf '%s\n' "${s//\$FLAVOUR/$T_FLAVOUR}"
}

# fetch_kernel_debs: the paths of the image, headers and kbuild .debs of
# $ABI (image version $ver); fails when one cannot be downloaded.
fetch_kernel_debs() {
	local h kb kver
	fetch_deb "$T_SUITES" "$img_pkg=$ver" "$T_DEBARCH" || return 1
	for h in "${hdr[@]}"; do
		fetch_deb "$T_SUITES" "$h=$ver" \
			"$([ "${h%-common}" = "$h" ] && echo "$T_DEBARCH")" || return 1
	done
	# Host tools: always the amd64 kbuild (the host runs them).
	kb=$(expand "$T_KBUILD_PKG")
	kver=$(deb_version "$T_SUITES" "$kb" amd64)
	[ -n "$kver" ] || return 1
	[ "$kver" = "$ver" ] || warn "$kb $kver does not match kernel $ver"
	fetch_deb "$T_SUITES" "$kb=$kver" amd64
}

ROOT=$(root_ensure "$T_ROOT")

if [ "$T_KERNEL" = debug ]; then
	out=$("$TOP/scripts/debug-kernel.sh" "$1") ||
		die "scripts/debug-kernel.sh $1 failed"
	KDIR=$(printf '%s\n' "$out" | sed -n 's/^KDIR=//p' | tail -n1)
	KERNEL_IMAGE=$(printf '%s\n' "$out" | sed -n 's/^KERNEL_IMAGE=//p' | tail -n1)
else
	[ "$T_KERNEL" = debian ] || die "$1: unknown KERNEL '$T_KERNEL'"
	papt_update "$T_SUITES"
	# Candidate ABIs, newest first: those whose image package has a
	# version for this arch.
	ABI='@@ABI@@'
	pat=$(expand "$T_IMAGE_PKG")
	prefix=${pat%%@@ABI@@*}
	suffix=${pat#*@@ABI@@}
	esc() { printf '%s' "$1" | sed 's/[.+]/\\&/g'; }
	re="^$(esc "$prefix")(${T_ABI_RE})$(esc "$suffix")\$"
	abis=$(papt_cache "$T_SUITES" pkgnames "$prefix" |
		sed -nE "s/$re/\\1/p" | sort -rV)
	[ -n "$abis" ] || die "$1: no $pat ($T_ABI_RE) in $T_SUITES"
	lock_file "$CACHE/kernels/.lock"
	KDIR=''
	# The newest ABI whose packages all download: an index can name
	# packages that its mirror no longer serves (seen: bullseye-security's
	# arm64 5.10 headers; trixie's riscv64, s390x and ppc64el 6.12 images
	# newer than the one used).  An ABI that failed while an older one
	# downloaded in the same run (so the network was up) is marked
	# <root>.unavailable and not tried again for a day: each try costs
	# apt work (about 20 s).
	failed=()
	for ABI in $abis; do
		img_pkg=$(expand "$T_IMAGE_PKG")
		ver=$(deb_version "$T_SUITES" "$img_pkg" "$T_DEBARCH")
		[ -n "$ver" ] || continue
		root=$CACHE/kernels/${img_pkg}_$ver
		read -r -a hdr <<< "$(expand "$T_HEADERS_PKGS")"
		if [ ! -f "$root/.done" ]; then
			if [ -n "$(find "$root.unavailable" -mmin -1440 2>/dev/null)" ]; then
				info "$img_pkg $ver: could not be downloaded at $(date -r "$root.unavailable" '+%F %H:%M') (${root#"$CACHE"/}.unavailable); trying an older ABI"
				continue
			fi
			stage "fetching kernel $img_pkg $ver"
			if ! debs=$(fetch_kernel_debs); then
				warn "$1: $img_pkg $ver cannot be downloaded; trying an older ABI"
				failed+=("$root")
				continue
			fi
			rm -rf "$root.tmp"
			mkdir -p "$root.tmp"
			for d in $debs; do
				info "extracting $(basename "$d")"
				dpkg-deb -x "$d" "$root.tmp"
			done
			# The arch headers name the -common tree and their own
			# build directory by absolute path.
			mk=$root.tmp/usr/src/${hdr[0]}/Makefile
			[ -f "$mk" ] || die "no $mk"
			sed -i -E "s#^(include |KBUILD_OUTPUT=)/usr/src/#\\1$root/usr/src/#" "$mk"
			rm -rf "$root"
			mv "$root.tmp" "$root"
			touch "$root/.done"
		fi
		KERNEL_IMAGE=$root/$(expand "$T_IMAGE_FILE")
		KDIR=$root/usr/src/${hdr[0]}
		for f in "${failed[@]}"; do
			touch "$f.unavailable"
		done
		break
	done
	[ -n "$KDIR" ] || die "$1: no ABI of $pat whose packages download"
fi

[ -f "$KERNEL_IMAGE" ] || die "no kernel image $KERNEL_IMAGE"
[ -f "$KDIR/Makefile" ] || die "no headers in $KDIR"
KREL=$(kdir_release "$KDIR")
printf 'KDIR=%q\nKERNEL_IMAGE=%q\nARCH=%q\nCROSS_COMPILE=%q\n' \
	"$KDIR" "$KERNEL_IMAGE" "$T_KARCH" "$T_CROSS"
printf 'KREL=%q\nQEMU_ARCH=%q\nROOT=%q\n' "$KREL" "$T_QEMU_ARCH" "$ROOT"
