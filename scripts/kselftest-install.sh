#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/kselftest-install.sh [--kernel-source DIR] [--target T] INSTALL_PATH
#        (make kselftest-install INSTALL_PATH=DIR [KSFT_SRC=DIR] [TARGET=T])
#
# Installs the kselftest collection mmap_test (test/kselftest/) the
# kernel's way: the collection is put at tools/testing/selftests/mmap_test
# of a scratch copy of a kernel tree's selftests framework, and that
# tree's `make -C tools/testing/selftests TARGETS=mmap_test install`
# writes INSTALL_PATH: run_kselftest.sh, kselftest/ (the runner, from the
# kernel tree, not from this repository), kselftest-list.txt and
# mmap_test/.  On the machine under test, as root:
#   INSTALL_PATH/run_kselftest.sh -c mmap_test                 all of it
#   INSTALL_PATH/run_kselftest.sh -t mmap_test:mmap-test-sync.sh   one
# Each test loads the module with the parameters it needs and unloads it
# (test/kselftest/mmap_test.sh, the table test/kselftest/tests).
#
# --kernel-source DIR  a kernel source tree; its tools/testing/selftests
#                      framework and kselftest_harness.h are used.
#                      Default: Debian's linux-source-7.3 (the framework
#                      only), fetched into the cache.
# --target T           the programs and the module that scripts/build.sh T
#                      built (build/T/), mmap_test.ko installed with them;
#                      without it the programs are built here with the
#                      host's compiler (gcc, static) and the tests modprobe
#                      the installed module (DKMS, make install).
# Needs make and rsync (the kernel's lib.mk installs with rsync).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ksrc='' target='' dest=''
while [ $# -gt 0 ]; do
	case $1 in
	--kernel-source) [ $# -ge 2 ] || die "--kernel-source needs a DIR"
		ksrc=$2; shift ;;
	--target) [ $# -ge 2 ] || die "--target needs a target"
		target=$2; shift ;;
	-h | --help) script_help "$0"; exit 0 ;;
	-*) die "unknown option: $1" ;;
	*) [ -z "$dest" ] || die "one INSTALL_PATH only"; dest=$1 ;;
	esac
	shift
done
[ -n "$dest" ] || die "usage: $0 [--kernel-source DIR] [--target T] INSTALL_PATH"
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

need_pkgs make rsync
[ -n "$ksrc" ] || ksrc=$(kselftest_framework)
sel=$ksrc/tools/testing/selftests
for f in Makefile lib.mk run_kselftest.sh kselftest kselftest_harness.h; do
	[ -e "$sel/$f" ] || die "$sel/$f missing: not a kernel tree with kselftests"
done
[ -f "$ksrc/scripts/subarch.include" ] || die "$ksrc/scripts/subarch.include missing"

# The framework in a scratch tree (the kernel tree stays untouched), with
# the collection beside the kernel's own.
mkdir -p "$TOP/build"
scratch=$(mktemp -d "$TOP/build/kselftest-src.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/tools/testing/selftests" "$scratch/scripts"
cp -a "$sel"/{Makefile,lib.mk,run_kselftest.sh,kselftest,kselftest.h,kselftest_harness.h} \
	"$scratch/tools/testing/selftests/"
cp -a "$ksrc/scripts/subarch.include" "$scratch/scripts/"
cp -a "$TOP/test/kselftest" "$scratch/tools/testing/selftests/mmap_test"

args=(TARGETS=mmap_test INSTALL_PATH="$dest" MT_TOP="$TOP")
if [ -n "$target" ]; then
	target_load "$target"
	bin=$TOP/build/$target/bin
	ko=$TOP/build/$target/mod/mmap_test.ko
	if [ ! -d "$bin/selftests" ] || [ ! -f "$ko" ]; then
		die "no programs or module in build/$target: run scripts/build.sh $target"
	fi
	args+=(MT_PREBUILT="$bin" MT_KO="$ko")
fi
stage "installing the kselftest collection mmap_test into $dest"
make -C "$scratch/tools/testing/selftests" "${args[@]}" install >&2
if [ ! -x "$dest/run_kselftest.sh" ] || [ ! -d "$dest/mmap_test" ]; then
	die "the install wrote no run_kselftest.sh or mmap_test/"
fi
info "$(grep -c '^mmap_test:' "$dest/kselftest-list.txt") tests in $dest/kselftest-list.txt"
