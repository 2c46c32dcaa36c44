#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: guest job "demo", run by /init inside the VM (scripts/vm.sh
# <target> demo); not for the host.  Loads the module with dynamic debug on,
# shows the device, runs test-mmap, prints the module's kernel log and
# unloads it.  Markers: DEMO-INSMOD/DEMO-TEST-MMAP/DEMO-RMMOD rc=N and
# finally "DEMO-RESULT: PASS" or "DEMO-RESULT: FAIL ...".
set -u
# shellcheck disable=SC1091
[ -f /guest/env ] && . /guest/env

echo
echo "== insmod /mmap_test.ko dyndbg=+p"
insmod /mmap_test.ko dyndbg=+p
ins=$?
echo "DEMO-INSMOD: rc=$ins"

echo
echo "== the device"
ls -l /dev/mmap-test
echo "misc device number: $(cat /sys/class/misc/mmap-test/dev 2>/dev/null)"
# name, size, users: not the load address, which is a kernel pointer
grep -w mmap_test /proc/modules | cut -d" " -f1-3

echo
echo "== test-mmap"
test-mmap
tm=$?
echo "DEMO-TEST-MMAP: rc=$tm"

echo
echo "== kernel log of the module (dmesg)"
dmesg | grep -E 'mmap.test|page index offset'

echo
echo "== rmmod mmap_test"
rmmod mmap_test
rm=$?
echo "DEMO-RMMOD: rc=$rm"

if [ "$ins" = 0 ] && [ "$tm" = 0 ] && [ "$rm" = 0 ]; then
	echo "DEMO-RESULT: PASS"
else
	echo "DEMO-RESULT: FAIL (insmod=$ins test-mmap=$tm rmmod=$rm)"
fi
