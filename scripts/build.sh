#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/build.sh <target> [--tools-only]
#
# Builds, for one target (scripts/targets/<target>.conf), inside the
# target's build root (scripts/roots/<ROOT>.conf: the Debian release whose
# compiler built that kernel), into build/<target>/:
#   mod/mmap_test.ko   the module, built from a per-target copy of the
#                      module sources (Kbuild, src/, include/,
#                      scripts/conftest.sh), so that the generated
#                      feature-probe header belongs to that kernel
#   bin/*              the userspace programs of test/ (static); only
#                      test-mmap with --tools-only (what the demo needs)
#   kernel.env         the kernel.sh lines of the target (used by vm.sh)
# Environment: MMAP_TEST_KERNEL_ENV (kernel.sh output, to skip running it).
# The kselftest harness headers are extracted once from Debian's
# linux-source-6.1 into $CACHE/kselftest.  The module build logs the
# compiler and the kernel's CONFIG_CC_VERSION_TEXT and fails when their
# major versions differ (scripts/conftest.sh).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

case $# in
1|2) ;;
*) die "usage: $0 <target> [--tools-only]" ;;
esac
target=$1
goal=all
if [ $# -eq 2 ]; then
	[ "$2" = --tools-only ] || die "usage: $0 <target> [--tools-only]"
	goal=tools
fi
out=$TOP/build/$target
mkdir -p "$out"
lock_file "$out/.lock"

target_load "$target"
# shellcheck disable=SC2046  # a list of package names
need_pkgs $(host_pkgs "$target")

# MMAP_TEST_KERNEL_ENV: kernel.sh output already computed by the caller.
if [ -n "${MMAP_TEST_KERNEL_ENV:-}" ]; then
	env_out=$MMAP_TEST_KERNEL_ENV
else
	env_out=$("$TOP/scripts/kernel.sh" "$target") ||
		die "kernel.sh $target failed"
fi
KDIR="" ARCH="" CROSS_COMPILE="" KREL="" ROOT=""
eval "$env_out"
printf '%s\n' "$env_out" > "$out/kernel.env"

# kselftest headers, once.
KSFT=$CACHE/kselftest
if [ $goal = all ] && { [ ! -f "$KSFT/kselftest_harness.h" ] ||
	[ ! -f "$KSFT/kselftest.h" ]; }; then
	lock_file "$CACHE/.kselftest.lock"
fi
if [ $goal = all ] && { [ ! -f "$KSFT/kselftest_harness.h" ] ||
	[ ! -f "$KSFT/kselftest.h" ]; }; then
	stage "extracting kselftest headers from linux-source-6.1"
	src_deb=$(fetch_deb "bookworm bookworm-updates bookworm-security" \
		linux-source-6.1)
	tmp=$(mktemp -d "$CACHE/.ksft.XXXXXX")
	dpkg-deb --fsys-tarfile "$src_deb" |
		tar -xO --wildcards './usr/src/linux-source-6.1.tar.xz' |
		tar -xJ -C "$tmp" --wildcards \
			'*/tools/testing/selftests/kselftest.h' \
			'*/tools/testing/selftests/kselftest_harness.h'
	mkdir -p "$KSFT.tmp"
	find "$tmp" -name 'kselftest*.h' -exec cp {} "$KSFT.tmp/" \;
	rm -rf "$tmp" "$KSFT"
	mv "$KSFT.tmp" "$KSFT"
	[ -f "$KSFT/kselftest_harness.h" ] || die "no kselftest_harness.h"
fi

stage "building mmap_test.ko for $target ($KREL)"
[ -f "$TOP/Kbuild" ] || die "no Kbuild at $TOP"
mod=$out/mod
mkdir -p "$mod"
paths=(Kbuild src include scripts/conftest.sh)
existing=()
for p in "${paths[@]}"; do
	[ -e "$TOP/$p" ] && existing+=("$p")
done
# Copy the sources, keeping mtimes so that rebuilds are incremental.
if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$TOP" && git ls-files -z -c -o --exclude-standard -- \
		"${existing[@]}") |
		(cd "$TOP" && xargs -0 -r tar -cf - --) | tar -xf - -C "$mod"
else
	(cd "$TOP" && tar -cf - -- "${existing[@]}") | tar -xf - -C "$mod"
fi
info "build root: $ROOT"
in_root "$ROOT" make -C "$KDIR" M="$mod" ARCH="$ARCH" \
	CROSS_COMPILE="$CROSS_COMPILE" modules >&2
[ -f "$mod/mmap_test.ko" ] || die "no mmap_test.ko built"

stage "building userspace programs for $target"
in_root "$ROOT" make -C "$TOP/test" "$goal" OUT="$out/bin" \
	CROSS_COMPILE="$CROSS_COMPILE" KSFT_INC="$KSFT" >&2
info "built $out/mod/mmap_test.ko and $(find "$out/bin" -maxdepth 1 \
	-type f | wc -l) programs in $out/bin"
