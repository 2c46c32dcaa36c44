#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: guest job "shell", run by /init inside the VM (scripts/shell.sh,
# `make shell`); not for the host.  Loads /mmap_test.ko with dynamic debug
# on, prints a banner ("mmap-test shell: module loaded, ..." or
# "mmap-test shell: insmod FAILED ...") and runs an interactive busybox sh
# on the serial console, with it as the controlling terminal (setsid
# cttyhack: job control and Ctrl-C work).  When that shell exits, /init
# powers the VM off; `poweroff -f` in the shell does it at once.
set -u
# shellcheck disable=SC1091
[ -f /guest/env ] && . /guest/env

insmod /mmap_test.ko dyndbg=+p
ins=$?

case $(uname -m) in
aarch64) addr=0xffff95010000 ;;
*) addr=0x7f0095010000 ;;
esac

mkdir -p /etc /root
cat > /etc/profile <<'EOF'
export HOME=/root
export PS1='mmap-test:\w# '
cd /root 2>/dev/null
EOF

echo
echo "======================================================================"
if [ "$ins" = 0 ]; then
	echo "mmap-test shell: module loaded, try: test-mmap, test-mmap query --addr $addr, dmesg | tail"
	echo "  kernel $(uname -r) $(uname -m), $(ls -l /dev/mmap-test 2>&1)"
	echo "  dynamic debug is on: faults log 'page index offset = N' (dmesg)"
	echo "  counters: cat /sys/kernel/debug/mmap_test/stats; test-mmap --help"
	echo "  lab bench: test-mmap -i (one address space; 'help'), test-mmap script /examples/merge"
else
	echo "mmap-test shell: insmod FAILED (rc=$ins), see dmesg; the shell runs anyway"
fi
echo "  leave: poweroff -f (or Ctrl-A X, which quits qemu)"
echo "======================================================================"

setsid cttyhack sh -l
echo "mmap-test shell: the shell exited (rc=$?), powering off"
