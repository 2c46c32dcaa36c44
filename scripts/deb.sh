#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/deb.sh [-o DIR] [--no-lintian]        (make deb)
#
# Builds the Debian packages of debian/ the Debian way and checks them:
#   mmap-test-dkms_VER_all.deb     the module's sources for DKMS (dh_dkms),
#                                  the udev rule, the group mmap-test
#   mmap-test-tools_VER_ARCH.deb   test-mmap, the examples, the kselftest
#                                  collection in /usr/lib/mmap-test/kselftest
# `dpkg-buildpackage -us -uc -b` runs in the build root "deb"
# (scripts/roots/deb.conf, trixie with debhelper, dh-dkms, lintian), in a
# scratch copy of the work tree (the tree itself stays clean), with
# KSFT_SRC the kernel's kselftest framework from Debian's linux-source-7.3
# (extracted once into the cache, as make kselftest-install does).  Then
# lintian (errors, warnings and info) runs on the result in the same root;
# what it still reports is explained in debian/*lintian-overrides.
#
# -o DIR   where the .deb files (with the .changes, the .buildinfo and
#          lintian.txt, lintian's output) go; default build/deb.  Files of
#          an earlier run there are replaced.
# --no-lintian  build only (the debian row of make check, which installs
#          the packages; the packaging check runs lintian on them)
# Exit status 0 iff both packages were built and lintian reported nothing
# that is not overridden.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

out=$TOP/build/deb
lintian=1
while [ $# -gt 0 ]; do
	case $1 in
	-o) [ $# -ge 2 ] || die "-o needs a DIR"; out=$2; shift ;;
	--no-lintian) lintian=0 ;;
	-h | --help) script_help "$0"; exit 0 ;;
	*) die "usage: $0 [-o DIR] [--no-lintian]" ;;
	esac
	shift
done

# A native package: its version is the module's.
ver=$(module_version_agreed "debian/changelog version" debian/changelog \
	'1s/^mmap-test (\([^)]*\)).*/\1/p')

root=$(root_ensure deb)
KSFT_SRC=$(kselftest_framework)

mkdir -p "$TOP/build" "$out"
out=$(cd "$out" && pwd)
W=$(mktemp -d "$TOP/build/deb-work.XXXXXX")
trap 'rm -rf "$W"' EXIT
src=$W/mmap-test-$ver
stage "copying the work tree to ${src#"$TOP"/}"
tree_copy "$TOP" "$src"
rm -rf "$src/build"

log=$W/build.log
stage "dpkg-buildpackage -us -uc -b (build root deb, log: build.log in $out)"
export KSFT_SRC
# shellcheck disable=SC2016  # expanded by the shell in the root
if ! MT_ENV=KSFT_SRC in_root "$root" /bin/sh -ec \
	'cd "$1" && dpkg-buildpackage -us -uc -b' sh "$src" >"$log" 2>&1; then
	cp "$log" "$out/build.log"
	tail -n 40 "$log" >&2
	die "dpkg-buildpackage failed (log: $out/build.log)"
fi
cp "$log" "$out/build.log"

rm -f "$out"/mmap-test*.deb "$out"/mmap-test_*.changes "$out"/mmap-test_*.buildinfo
cp "$W"/mmap-test*.deb "$W"/mmap-test_*.changes "$W"/mmap-test_*.buildinfo "$out/"
for d in "$out"/mmap-test*.deb; do
	info "$(basename "$d"): $(du -k "$d" | cut -f1) KiB"
done
changes=$(find "$out" -maxdepth 1 -name 'mmap-test_*.changes' -print -quit)
if [ "$lintian" = 0 ]; then
	info "done: $(cd "$out" && echo mmap-test*.deb) in $out (lintian not run)"
	exit 0
fi

stage "lintian (errors, warnings, info)"
rc=0
MT_BINDS="$TOP $CACHE $out" in_root "$root" lintian --display-info \
	--fail-on error,warning,info --show-overrides "$changes" \
	>"$out/lintian.txt" 2>&1 || rc=$?
# The tags (O: overridden), without the overrides' comments (N:).
grep -v '^N: ' "$out/lintian.txt" | sed 's/^/    /' >&2 || :
[ "$rc" = 0 ] || die "lintian reported tags that are not overridden (see $out/lintian.txt)"
info "done: $(cd "$out" && echo mmap-test*.deb) in $out"
