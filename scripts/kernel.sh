#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/kernel.sh <target>
#
#   target: x86_64-6.1 | x86_64-6.12 | arm64-6.1 | arm64-6.12 | x86_64-debug
#
# Fetches (cached in $CACHE/debs) and extracts (into
# $CACHE/kernels/<version>-<arch>/) the Debian kernel image and headers of
# the target, newest version in the APT metadata, and prints sourceable
# lines on stdout:
#
#   KDIR=...          headers to build external modules against
#   KERNEL_IMAGE=...  kernel to boot
#   ARCH=x86|arm64    kbuild ARCH
#   CROSS_COMPILE=... empty or aarch64-linux-gnu-
#   KREL=...          uname -r of that kernel
#   QEMU_ARCH=x86_64|aarch64
#
# Use: eval "$(scripts/kernel.sh x86_64-6.1)".  Progress goes to stderr.
# x86_64-debug is built by scripts/debug-kernel.sh.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 <target>"
target=$1

emit() {
	printf 'KDIR=%q\nKERNEL_IMAGE=%q\nARCH=%q\nCROSS_COMPILE=%q\n' \
		"$KDIR" "$KERNEL_IMAGE" "$ARCH" "$CROSS_COMPILE"
	printf 'KREL=%q\nQEMU_ARCH=%q\n' "$KREL" "$QEMU_ARCH"
}

# uname -r of the kernel the headers belong to.
krel_of() {
	local f=$1/include/generated/utsrelease.h r
	[ -s "$f" ] || die "no $f"
	r=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$f")
	[ -n "$r" ] || die "no UTS_RELEASE in $f"
	printf '%s\n' "$r"
}

case $target in
x86_64-6.1|x86_64-6.12)
	darch=amd64 ARCH=x86 CROSS_COMPILE='' QEMU_ARCH=x86_64 ;;
arm64-6.1|arm64-6.12)
	darch=arm64 ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- QEMU_ARCH=aarch64
	;;
x86_64-debug)
	[ -x "$TOP/scripts/debug-kernel.sh" ] ||
		die "scripts/debug-kernel.sh is missing"
	out=$("$TOP/scripts/debug-kernel.sh") ||
		die "scripts/debug-kernel.sh failed"
	KDIR=$(printf '%s\n' "$out" | sed -n 's/^KDIR=//p' | tail -n1)
	KERNEL_IMAGE=$(printf '%s\n' "$out" |
		sed -n 's/^KERNEL_IMAGE=//p' | tail -n1)
	[ -d "$KDIR" ] || die "debug-kernel.sh gave no KDIR"
	[ -f "$KERNEL_IMAGE" ] || die "debug-kernel.sh gave no KERNEL_IMAGE"
	ARCH=x86 CROSS_COMPILE='' QEMU_ARCH=x86_64
	KREL=$(krel_of "$KDIR")
	emit
	exit 0
	;;
*)
	die "unknown target '$target' (one of: $TARGETS_ALL)" ;;
esac
series=${target#*-}

if [ "$darch" = arm64 ]; then
	arm64_apt_update auto
	pkgnames() { arm64_apt_cache pkgnames "$1"; }
	fetch() { fetch_deb --arm64 "$1"; }
	version() { deb_version --arm64 "$1"; }
else
	# Fresh metadata once a day: the newest ABI must still be on the
	# mirror (Debian drops superseded kernels from the pool).
	stamp=$CACHE/.host-apt-updated
	if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null ||
		[ ! -f "$stamp" ] ||
		[ $(( $(date +%s) - $(stat -c %Y "$stamp") )) -gt \
			"${MMAP_TEST_APT_MAX_AGE:-86400}" ]; then
		host_apt_update
		mkdir -p "$CACHE"
		touch "$stamp"
	fi
	pkgnames() { apt-cache pkgnames "$1"; }
	fetch() { fetch_deb "$1"; }
	version() { deb_version "$1"; }
fi

# Newest ABI of the series that has an unsigned image for this arch.
case $series in
6.1) re="^linux-image-(6\\.1\\.0-[0-9]+)-$darch-unsigned\$" ;;
6.12) re="^linux-image-(6\\.12\\.[0-9]+\\+deb12)-$darch-unsigned\$" ;;
esac
abi=$(pkgnames "linux-image-$series" | sed -nE "s/$re/\\1/p" |
	sort -V | tail -n1)
if [ -z "$abi" ] && [ "$darch" = amd64 ]; then
	host_apt_update
	abi=$(pkgnames "linux-image-$series" | sed -nE "s/$re/\\1/p" |
		sort -V | tail -n1)
fi
[ -n "$abi" ] || die "no linux-image-$series-*-$darch-unsigned in APT"

img_pkg=linux-image-$abi-$darch-unsigned
ver=$(version "$img_pkg")
[ -n "$ver" ] || die "no version for $img_pkg"
case $series in
6.1) kbuild_pkg=linux-kbuild-6.1 ;;
*) kbuild_pkg=linux-kbuild-$abi ;;
esac

root=$CACHE/kernels/$ver-$darch
KDIR=$root/usr/src/linux-headers-$abi-$darch
KERNEL_IMAGE=$root/boot/vmlinuz-$abi-$darch

if [ ! -f "$root/.done" ]; then
	lock_file "$CACHE/kernels/.lock"
fi
if [ ! -f "$root/.done" ]; then
	stage "fetching kernel $abi ($ver, $darch)"
	debs=()
	debs+=("$(fetch "$img_pkg=$ver")")
	debs+=("$(fetch "linux-headers-$abi-$darch=$ver")")
	debs+=("$(fetch "linux-headers-$abi-common=$ver")")
	# Host tools: always the amd64 kbuild, same version as the kernel.
	kver=$ver
	apt-cache show "$kbuild_pkg=$ver" >/dev/null 2>&1 ||
		kver=$(deb_version "$kbuild_pkg")
	[ -n "$kver" ] || die "no $kbuild_pkg in the host's APT metadata"
	[ "$kver" = "$ver" ] ||
		warn "$kbuild_pkg $kver does not match kernel $ver"
	debs+=("$(fetch_deb "$kbuild_pkg=$kver")")
	for d in "${debs[@]}"; do
		[ -f "$d" ] || die "download failed"
	done
	rm -rf "$root.tmp"
	mkdir -p "$root.tmp"
	for d in "${debs[@]}"; do
		info "extracting $(basename "$d")"
		dpkg-deb -x "$d" "$root.tmp"
	done
	# The arch headers include the -common Makefile by absolute path.
	mk=$root.tmp/usr/src/linux-headers-$abi-$darch/Makefile
	[ -f "$mk" ] || die "no $mk"
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$mk"
	rm -rf "$root"
	mv "$root.tmp" "$root"
	touch "$root/.done"
fi

[ -f "$KERNEL_IMAGE" ] || die "no kernel image $KERNEL_IMAGE"
[ -f "$KDIR/Makefile" ] || die "no headers in $KDIR"
KREL=$(krel_of "$KDIR")
emit
