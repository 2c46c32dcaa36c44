#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: guest job "exec", run by /init inside the VM (scripts/vm.sh
# <target> exec -- CMD...); not for the host.  Runs the command that
# vm.sh wrote to /guest/exec.cmd and prints its exit status as
# "EXEC-STATUS=<n>", which vm.sh returns.
cd /guest || exit 1
sh /guest/exec.cmd
echo "EXEC-STATUS=$?"
