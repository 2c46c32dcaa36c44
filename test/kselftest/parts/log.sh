#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test "log" of the collection mmap_test, with the module loaded with
# dyndbg=+p (its dev_dbg() lines printed): test-mmap's reference run (4
# shared pages mapped, read and written, freed) makes the module log
# - "page index offset = N" for a fault ->fault served, or "page index
#   offset = A..B (fault-around: ...)" for pages ->map_pages mapped;
# - "mmap [start,end) pgoff N shared" from f_op->mmap, or "mmap_prepare
#   [start,end) ..." from f_op->mmap_prepare (the hook of the pass);
# - "get_unmapped_area(addr ...) -> ..." from the module's placement hook;
# and /sys/kernel/debug/mmap_test/results then counts the ALLOC and FREE
# that succeeded ("alloc 0 N", "free 0 N": op, -errno, count).
# The kernel's log from a marker written before the run is what is read.
# shellcheck source=test/kselftest/parts/common.sh
. "$(dirname "$0")/common.sh"
RESULTS=/sys/kernel/debug/mmap_test/results

mark="mmap-test: test log starts $$"
echo "$mark" > /dev/kmsg
run_prefixed log test-mmap
result $? reference_run "test-mmap (the reference run) failed"
dmesg | sed -n "/$mark/,\$p" > "$T/log"
grep 'mmap.test' "$T/log" | sed 's/^/log| /'

grep -Eq 'page index offset = [0-9]+($|\.\.[0-9]+ \(fault-around)' "$T/log"
result $? fault_line "no 'page index offset = N' line of ->fault or ->map_pages with dyndbg=+p"

hook=$(cat /sys/module/mmap_test/parameters/mmap_hook 2>/dev/null)
want='mmap \[0x[0-9a-f]+,0x[0-9a-f]+\) pgoff [0-9]+ shared'
[ "$hook" = prepare ] &&
	want='mmap_prepare \[0x[0-9a-f]+,0x[0-9a-f]+\) pgoff [0-9]+ shared'
grep -Eq "$want" "$T/log"
result $? mmap_line "mmap_hook=$hook: no line /$want/ with dyndbg=+p"

grep -q 'get_unmapped_area(addr 0x' "$T/log"
result $? get_unmapped_area_line "no 'get_unmapped_area(addr ...)' line with dyndbg=+p"

cat "$RESULTS" > "$T/results" 2>/dev/null
sed 's/^/results| /' "$T/results"
grep -Eq '^alloc 0 [1-9][0-9]*$' "$T/results" && grep -Eq '^free 0 [1-9][0-9]*$' "$T/results"
result $? debugfs_results "$RESULTS has no 'alloc 0 N' and 'free 0 N' lines after a successful ALLOC and FREE"
ktap_end
