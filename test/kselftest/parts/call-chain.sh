#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test "call-chain" of the collection mmap_test: with dump_stack=1, the
# hook that set up a mapping is on the stack of the mmap: f_op->mmap, or
# with mmap_hook=prepare f_op->mmap_prepare and then vm_ops->mapped once
# the VMA exists.
# shellcheck source=test/kselftest/parts/common.sh
. "$(dirname "$0")/common.sh"

hook=$(cat /sys/module/mmap_test/parameters/mmap_hook)
mark="mmap-test-check: call chain $hook $$"
echo "$mark" > /dev/kmsg
echo 1 > /sys/module/mmap_test/parameters/dump_stack
# one ALLOC, no fault: few stacks, so the kernel log keeps the mark
test-mmap alloc --len 1p >/dev/null 2>&1
rc=$?
echo 0 > /sys/module/mmap_test/parameters/dump_stack
dmesg | sed -n "/$mark/,\$p" > "$T/chain"
grep -E '^[^a-z]*(\[[^]]*\] )?[[:space:]]*[a-z_0-9.]+\+0x' "$T/chain" |
	grep -E 'mmap_test|mmap_region|mmap_new_vma|mmap_action|do_mmap|vm_mmap' |
	sed 's/^/chain| /' | head -n 24
# a reliable frame "] name[.cold|.isra.0...]+0x..": the compiler may
# split a function (dump_stack() is in an unlikely branch); "] ? name"
# is a stale return address found on the stack (KASAN kernels)
has() { grep -qE "\][[:space:]]+$1(\.[a-z0-9.]+)?\+0x" "$T/chain"; }
case $hook in
prepare) has mmap_test_mmap_prepare && has mmap_test_vma_mapped &&
	! has mmap_test_mmap ;;
*) has mmap_test_mmap && ! has mmap_test_mmap_prepare &&
	! has mmap_test_vma_mapped ;;
esac
ok=$?
[ "$rc" = 0 ] && [ "$ok" = 0 ]
result $? call_chain \
	"test-mmap alloc exit status $rc; the stacks do not show the $hook hook"
ktap_end
