#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test "load" of the collection mmap_test: the module that mmap_test.sh
# loaded is there, registered the mmap hook it was asked for (its load
# message), and made the device node: a character device, mode 600 (the
# module's own; where a udev rule of the package is installed, its mode).
# shellcheck source=test/kselftest/parts/common.sh
. "$(dirname "$0")/common.sh"

mt_loaded
result $? insmod "no /sys/module/mmap_test after loading with $MT_WORDS"

hook=$(cat /sys/module/mmap_test/parameters/mmap_hook 2>/dev/null)
want=mmap
[ "$hook" = prepare ] && want=mmap_prepare
dmesg | grep 'registered /dev/mmap-test' | tail -n 1 | grep -q ", f_op->$want\$"
result $? hook_registered "mmap_hook=$hook: the load message does not say f_op->$want"

mode=$(stat -c '%F %a' "$DEV" 2>/dev/null)
rule=$(grep -ls 'mmap-test' /etc/udev/rules.d/*.rules /lib/udev/rules.d/*.rules \
	/usr/lib/udev/rules.d/*.rules 2>/dev/null | head -n 1)
if [ -n "$rule" ]; then
	case $mode in
	"character special file "*) result 0 device_node ;;
	*) result 1 device_node "$DEV is '${mode:-missing}', want a character device ($rule)" ;;
	esac
else
	[ "$mode" = "character special file 600" ]
	result $? device_node "$DEV is '${mode:-missing}', want a character device, mode 600"
fi
ktap_end
