#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/demo.sh            (what `make demo` runs)
#        TARGET=arm64-6.12 scripts/demo.sh
#
# Installs the host packages, fetches the target's Debian kernel, builds the
# module and the userspace programs, builds an initramfs and boots it under
# qemu: the guest loads mmap_test.ko with dynamic debug on, runs test-mmap,
# shows the module's kernel log and unloads it (scripts/guest/demo.sh).
# The verdict comes from the guest's markers and a scan of the serial log for
# kernel splats; the exit status is non-zero on failure.
# Default TARGET: the target with the role demo (make targets).  Downloads and kernels are cached in
# ${MMAP_TEST_CACHE:-$HOME/.cache/mmap-test}, so a second run is fast.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

target=${TARGET:-$(target_role demo)}
target_busybox "$target"
t0=$(date +%s)

stage "installing host packages"
need_host_pkgs "$target"

stage "fetching the $target kernel"
KREL='' KERNEL_IMAGE=''
kenv=$("$TOP/scripts/kernel.sh" "$target")
eval "$kenv"
info "kernel $KREL, image $KERNEL_IMAGE"

stage "building mmap_test.ko and the userspace programs"
MMAP_TEST_KERNEL_ENV=$kenv "$TOP/scripts/build.sh" "$target" --tools-only

target_load "$target"
tmo=$T_TIMEOUT
"$TOP/scripts/vm.sh" "$target" demo --timeout "$tmo" || :

log=$TOP/build/$target/demo.log
stage "verdict"
fail=()
if ! grep -q 'GUEST-END job=demo' "$log"; then
	fail+=("the guest did not finish (crash or timeout)")
fi
if ! grep -q '^DEMO-RESULT: PASS' "$log"; then
	r=$(grep -a '^DEMO-RESULT:' "$log" | tr -d '\r' | tail -n1) || :
	fail+=("${r:-no DEMO-RESULT marker}")
fi
k=$(splat_scan "$log")
[ "$k" = 0 ] || fail+=("$k kernel splat line(s) in the serial log")

dt=$(( $(date +%s) - t0 ))
verdict "DEMO PASSED on $target ($KREL) in ${dt}s; serial log: $log" \
	"DEMO FAILED on $target ($KREL) in ${dt}s; serial log: $log" "${fail[@]}"
