#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: guest job "shell", run by /init inside the VM (scripts/shell.sh,
# `make shell`); not for the host.  Loads /mmap_test.ko with dynamic debug
# on and the parameters make check gives the tour, prints a banner ("mmap-test shell: module loaded, ..." or
# "mmap-test shell: insmod FAILED ...") and runs an interactive busybox sh
# on the serial console, with it as the controlling terminal (setsid
# cttyhack: job control and Ctrl-C work).  When that shell exits, /init
# powers the VM off; `poweroff -f` in the shell does it at once.
set -u
# shellcheck disable=SC1091
[ -f /guest/env ] && . /guest/env

# The module as make check loads it for the tour and the examples
# (test/kselftest/tests): a buffer of 1024 pages, or 3 PMDs if more, and
# huge=1 where the kernel takes it, so that no step skips for want of a
# parameter.
pmd=$(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size 2>/dev/null || echo 0)
pg=$(awk '/^KernelPageSize:/ { print $2 * 1024; exit }' /proc/self/smaps 2>/dev/null)
pages=1024
[ "${pg:-0}" -gt 0 ] && [ $((3 * pmd / pg)) -gt "$pages" ] && pages=$((3 * pmd / pg))
params="buffer_pages=$pages huge=1"
huge_note=
# shellcheck disable=SC2086  # $params is words
insmod /mmap_test.ko dyndbg=+p $params 2>/dev/null
ins=$?
if [ "$ins" != 0 ]; then
	params="buffer_pages=$pages"
	huge_note=" (this kernel refuses huge=1; see dmesg)"
	# shellcheck disable=SC2086
	insmod /mmap_test.ko dyndbg=+p $params
	ins=$?
fi

case $(uname -m) in
aarch64) addr=0xffff95010000 ;;
*) addr=0x7f0095010000 ;;
esac

mkdir -p /etc /root
# README's "insmod mmap_test.ko" and "test-mmap script examples/merge"
# work from the shell's home directory.
ln -sf /mmap_test.ko /root/mmap_test.ko
[ -d /examples ] && ln -sfn /examples /root/examples
cat > /etc/profile <<'EOF'
export HOME=/root
export PS1='mmap-test:\w# '
cd /root 2>/dev/null
EOF

echo
echo "======================================================================"
if [ "$ins" = 0 ]; then
	echo "mmap-test shell: module loaded, try: test-mmap, test-mmap tour, test-mmap query --addr $addr, dmesg | tail"
	echo "  kernel $(uname -r) $(uname -m), $(ls -l /dev/mmap-test 2>&1)"
	echo "  module: /mmap_test.ko (also ~/mmap_test.ko), loaded with $params$huge_note"
	echo "  other parameters: rmmod mmap_test; insmod mmap_test.ko NAME=VALUE... (modinfo mmap_test.ko lists them)"
	echo "  dynamic debug is on: faults log 'page index offset = N' (dmesg)"
	echo "  counters: cat /sys/kernel/debug/mmap_test/stats; test-mmap --help"
	echo "  lab bench: test-mmap -i (one address space; 'help'), test-mmap script examples/merge"
else
	echo "mmap-test shell: insmod FAILED (rc=$ins), see dmesg; the shell runs anyway"
fi
echo "  Ctrl-A is qemu's escape key here: Ctrl-A Ctrl-A sends one Ctrl-A (the lab's start of line)"
echo "  leave: poweroff -f (or Ctrl-A X, which quits qemu)"
echo "======================================================================"

setsid cttyhack sh -l
echo "mmap-test shell: the shell exited (rc=$?), powering off"
