#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: guest job "window", run by /init inside the VM; not for the host.
# scripts/check.sh boots a target once more per entry of its WINDOW_BOOTS
# (kernel parameters that choose another paging mode, e.g. riscv64's
# no5lvl for Sv48) and runs this there: the module loaded, the tour's
# window step (the whole tour runs; only that step's verdict counts: the
# check boot tests the rest) and examples/window, each a flat TAP line
# "ok N guest.window.<mode>.<test>" that scripts/lib/results.py reads.
# <mode> is the boot's parameters (WINDOW_MODE in /guest/env), the MMU
# line of /proc/cpuinfo is printed beside it.  Prints "CHECK-END".
# shellcheck disable=SC1091  # written by scripts/vm.sh
. /guest/env
mode=${WINDOW_MODE:-default}
n=0
result() { # rc name [detail]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n guest.window.$mode.$2"
	elif [ "$1" = 4 ]; then
		echo "ok $n guest.window.$mode.$2 # SKIP $3"
	else
		echo "not ok $n guest.window.$mode.$2 - $3"
	fi
}

echo "window| kernel parameters: $(cat /proc/cmdline)"
echo "window| $(grep -i -m1 '^mmu' /proc/cpuinfo || echo 'mmu: (not in /proc/cpuinfo)')"
if ! insmod /mmap_test.ko buffer_pages=1024; then
	result 1 load "insmod /mmap_test.ko buffer_pages=1024 failed"
	echo "CHECK-END"
	exit 0
fi
test-mmap tour >/tmp/tour.out 2>&1
# the window step's lines: from its "== step" header to its verdict
awk '/^== step /{ s = "" } { s = s "window| " $0 "\n" }
	/^-> step [0-9]+ window:/{ printf "%s", s; exit }' /tmp/tour.out > /tmp/step.out
cat /tmp/step.out
v=$(sed -n 's/^window| -> step [0-9]* window: //p' /tmp/step.out)
case $v in
PASS) result 0 tour_window ;;
SKIP) result 4 tour_window "$(sed -n 's/^window| *skipped: //p' /tmp/step.out | head -n1)" ;;
*) result 1 tour_window "the tour's window step: ${v:-no verdict}" ;;
esac
test-mmap script /examples/window >/tmp/ex.out 2>&1
rc=$?
sed 's/^/ex-window| /' /tmp/ex.out
case $rc in
0) result 0 example_window ;;
4) result 4 example_window "$(sed -n 's/^SKIP: //p' /tmp/ex.out | head -n1)" ;;
*) result 1 example_window "test-mmap script /examples/window: exit status $rc" ;;
esac
rmmod mmap_test || result 1 unload "rmmod mmap_test failed"
echo "CHECK-END"
