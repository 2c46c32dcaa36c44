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
# How: vm.sh has no interactive mode (it gives qemu /dev/null as stdin), so
# this script runs vm.sh with a stand-in for qemu-system-* first on PATH:
# vm.sh builds the initramfs and "boots" the stand-in, which only records
# the qemu command line.  That command line is then run for real, with the
# serial port on a multiplexed stdio chardev instead of `-serial stdio`.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-} in
-h|--help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
esac
[ $# -le 1 ] || die "usage: $0 [TARGET]"
target=${1:-${TARGET:-x86_64-6.12}}
case " $TARGETS_ALL " in
*" $target "*) ;;
*) die "unknown target '$target' (one of: $TARGETS_ALL)" ;;
esac
out=$TOP/build/$target

stage "installing host packages"
# shellcheck disable=SC2046  # a list of package names
need_pkgs $(target_pkgs "$target")

"$TOP/scripts/build.sh" "$target"

shim=$(mktemp -d "${TMPDIR:-/tmp}/mmap-test-shell.XXXXXX")
trap 'rm -rf "$shim"' EXIT
cat > "$shim/qemu-stand-in" <<'EOF'
#!/bin/sh
# Records the qemu command line (NUL-separated) instead of booting.
for a in "$(basename "$0")" "$@"; do printf '%s\0' "$a"; done \
	> "$MMAP_TEST_SHELL_ARGS"
EOF
chmod 755 "$shim/qemu-stand-in"
ln -s qemu-stand-in "$shim/qemu-system-x86_64"
ln -s qemu-stand-in "$shim/qemu-system-aarch64"

stage "building the initramfs (scripts/vm.sh $target shell)"
rc=0
PATH="$shim:$PATH" MMAP_TEST_SHELL_ARGS="$shim/args" \
	"$TOP/scripts/vm.sh" "$target" shell --quiet --timeout 60 \
	2>"$shim/vm.err" || rc=$?
if [ "$rc" != 0 ] || [ ! -s "$shim/args" ]; then
	cat "$shim/vm.err" >&2
	die "scripts/vm.sh did not get as far as starting qemu (status $rc)"
fi

mapfile -d '' -t recorded < "$shim/args"
log=$out/shell.log
qemu=()
seen_serial=0
i=0
while [ "$i" -lt ${#recorded[@]} ]; do
	a=${recorded[$i]}
	n=${recorded[$((i + 1))]:-}
	if [ "$a" = -monitor ] && [ "$n" = none ]; then
		i=$((i + 2))
		continue
	fi
	if [ "$a" = -serial ] && [ "$n" = stdio ]; then
		qemu+=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$log"
			-serial chardev:con -mon "chardev=con,mode=readline")
		seen_serial=1
		i=$((i + 2))
		continue
	fi
	qemu+=("$a")
	i=$((i + 1))
done
[ "$seen_serial" = 1 ] ||
	die "scripts/vm.sh's qemu command line has no '-serial stdio': ${recorded[*]}"
case ${qemu[0]} in
qemu-system-x86_64|qemu-system-aarch64) ;;
*) die "unexpected qemu binary ${qemu[0]}" ;;
esac

[ -t 0 ] || warn "stdin is not a terminal: the guest shell reads it as typed input"
run=()
if [ -n "${MMAP_TEST_SHELL_TIMEOUT:-}" ]; then
	run=(timeout --foreground -k 5 "$MMAP_TEST_SHELL_TIMEOUT")
fi

stage "booting $target: leave with 'poweroff -f' or Ctrl-A X"
: > "$log"
rc=0
"${run[@]}" "${qemu[@]}" || rc=$?
if [ -t 0 ]; then stty sane 2>/dev/null || :; fi
echo
if [ "$rc" = 124 ]; then
	info "qemu killed after ${MMAP_TEST_SHELL_TIMEOUT}s (MMAP_TEST_SHELL_TIMEOUT)"
fi
info "VM ended (qemu status $rc); session log: $log"
k=$(splat_scan "$log" 2>/dev/null)
[ "$k" = 0 ] || warn "$k kernel splat line(s) in $log"
exit "$rc"
