#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/shell.sh [TARGET]       (`make shell`, `make shell TARGET=...`)
#
# An interactive root shell in the VM of TARGET (default: $TARGET, else
# x86_64-6.12) with mmap_test.ko loaded (dyndbg=+p) and test-mmap and the
# other test programs on PATH.  Builds first (scripts/build.sh), boots the
# same kernel and initramfs as the tests (scripts/vm.sh, guest job
# scripts/guest/shell.sh) and connects qemu's serial console to this
# terminal.  Leave with `poweroff -f`, or Ctrl-A X (quits qemu); Ctrl-A C
# toggles the qemu monitor; Ctrl-C goes to the guest.
# The session is also written to build/<target>/shell.log.
#
# Environment: TARGET; MMAP_TEST_SHELL_TIMEOUT (seconds after which qemu is
# killed; default none); MMAP_TEST_QEMU_MEM, MMAP_TEST_APPEND,
# MMAP_TEST_GUEST_ENV as for scripts/vm.sh.
#
# How: scripts/vm.sh <target> shell --interactive.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-} in
-h|--help) script_help "$0"; exit 0 ;;
esac
[ $# -le 1 ] || die "usage: $0 [TARGET]"
target=${1:-${TARGET:-$(target_role shell)}}
target_busybox "$target"
out=$TOP/build/$target

stage "installing host packages"
need_host_pkgs "$target"

"$TOP/scripts/build.sh" "$target"

[ -t 0 ] || warn "stdin is not a terminal: the guest shell reads it as typed input"
vmopt=(--interactive)
[ -n "${MMAP_TEST_SHELL_TIMEOUT:-}" ] && vmopt+=(--timeout "$MMAP_TEST_SHELL_TIMEOUT")
rc=0
"$TOP/scripts/vm.sh" "$target" shell "${vmopt[@]}" || rc=$?
log=$out/shell.log
info "session log: $log"
k=$(splat_scan "$log" 2>/dev/null)
[ "$k" = 0 ] || warn "$k kernel splat line(s) in $log"
exit "$rc"
