#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/host-checks/make-shell.sh [TARGET]  (default: $TARGET, else the role shell)
#
# Checks `make shell` the way a person uses it, under tmux (installed when
# missing) on a private tmux server: starts `make shell TARGET=...` in a
# detached session, waits for the guest's banner, types commands and reads
# the pane:
#   - test-mmap (the reference run) prints "alloced virt addr" and
#     "result: PASS";
#   - the module is in /proc/modules, its debugfs counters count faults and
#     dynamic debug logged "page index offset" lines;
#   - the banner says how to reload the module; the tour and every example
#     run with no skip but the window rule (and huge where the kernel
#     refuses huge=1); the call chains of dump_stack=1 are in the kernel
#     log but not on the console; Ctrl-A Ctrl-A gives the lab's editor a
#     Ctrl-A;
#   - the shell owns the serial console (controlling tty) and Ctrl-C
#     interrupts a foreground command without killing qemu;
#   - `poweroff -f` ends the session, make exits 0, and the session log
#     (build/<target>/shell.log) has no kernel splat;
# then starts scripts/shell.sh once more and quits with Ctrl-A X.
# Prints TAP: "ok N - make shell: ..." / "not ok N - make shell: ..." per
# check, the plan "1..N" at the end and "# N passed, M failed"; exit status
# 0 iff all passed.  Never hangs: every wait has a deadline, qemu runs under
# MMAP_TEST_SHELL_TIMEOUT, and the tmux server is always killed.
#
# Environment: TARGET; MMAP_TEST_SHELL_TEST_TIMEOUT (overall seconds,
# default 1200, including the build).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

[ $# -le 1 ] || die "usage: $0 [TARGET]"
target=${1:-${TARGET:-$(target_role shell)}}
target_busybox "$target"
total=${MMAP_TEST_SHELL_TEST_TIMEOUT:-1200}
deadline=$(( $(date +%s) + total ))

need_pkgs tmux

TAP_PREFIX="- make shell: "

T=$(mktemp -d "${TMPDIR:-/tmp}/mmap-test-shell-test.XXXXXX")
sock=mmap-test-shell-$$
tm() { tmux -L "$sock" -f "$T/tmux.conf" "$@"; }
cleanup() {
	tm kill-server >/dev/null 2>&1 || :
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
cat > "$T/tmux.conf" <<'EOF'
set -g history-limit 100000
set -g remain-on-exit off
EOF

log=$TOP/build/$target/shell.log
pane=$T/pane.txt
sess=shell

left() { echo $(( deadline - $(date +%s) )); }
alive() { tm has-session -t "$sess" 2>/dev/null; }
snap() { tm capture-pane -p -J -S - -t "$sess" > "$pane" 2>/dev/null || :; }

# wait_for ERE SECONDS: 0 when the pane shows ERE, 1 on timeout, 2 when the
# session is gone.
wait_for() {
	local re=$1 t=$2 end
	[ "$t" -le "$(left)" ] || t=$(left)
	end=$(( $(date +%s) + t ))
	while :; do
		if ! alive; then return 2; fi
		snap
		grep -q -E -- "$re" "$pane" && return 0
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 1
	done
}
# wait_gone SECONDS: 0 when the session has ended.
wait_gone() {
	local t=$1 end
	[ "$t" -le "$(left)" ] || t=$(left)
	end=$(( $(date +%s) + t ))
	while alive; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 1
	done
}
type_line() { tm send-keys -t "$sess" -l "$1" && tm send-keys -t "$sess" Enter; }
pane_tail() { # the pane's last non-blank lines as "# " lines
	snap
	{ grep -v '^[[:space:]]*$' "$pane" || :; } | tail -n "${1:-15}" |
		sed 's/^/#   | /'
}

# start CMD: a new detached session running CMD; its exit status goes to
# $T/rc.
start() {
	local t
	t=$(left)
	[ "$t" -ge 10 ] || t=10
	rm -f "$T/rc"
	tm new-session -d -s "$sess" -x 200 -y 50 \
		"cd '$TOP' && MMAP_TEST_SHELL_TIMEOUT=$t $1; echo \$? > '$T/rc'"
}

stage "make shell TARGET=$target under tmux (overall timeout ${total}s)"
start "make shell TARGET=$target"

up=0
name="banner 'mmap-test shell: module loaded' (build + boot of $target)"
r=0
wait_for '^mmap-test shell: (module loaded|insmod FAILED)' 900 || r=$?
if [ "$r" = 0 ] && grep -q '^mmap-test shell: module loaded' "$pane"; then
	tap_ok "$name"
	up=1
	# The prompt, so that typed input is not eaten by the boot.
	wait_for '^mmap-test:/root# ' 30 || :
else
	tap_not_ok "$name" "$( [ "$r" = 2 ] && echo "session ended" ||
		echo "no banner (wait status $r)")"
	pane_tail 30
fi

step() { # step NAME SECONDS ERE COMMAND: type COMMAND, wait for ERE
	local name=$1 t=$2 re=$3 cmd=$4 r=0
	if [ "$up" != 1 ]; then
		tap_not_ok "$name" "not reached"
		return 1
	fi
	type_line "$cmd"
	wait_for "$re" "$t" || r=$?
	if [ "$r" = 0 ]; then
		tap_ok "$name"
		return 0
	fi
	tap_not_ok "$name" "no /$re/ after '$cmd' (wait status $r)"
	pane_tail
	[ "$r" = 2 ] && up=0
	return 1
}

if step "test-mmap prints 'alloced virt addr'" 120 \
	'^alloced virt addr : 0x[0-9a-f]+' 'test-mmap'; then
	wait_for '^result: (PASS|FAIL)' 120 || :
	if grep -q '^result: PASS' "$pane"; then
		tap_ok "test-mmap reference run: result: PASS"
	else
		tap_not_ok "test-mmap reference run: result: PASS" \
			"$(grep -a '^result:' "$pane" || echo 'no result line')"
	fi
else
	tap_not_ok "test-mmap reference run: result: PASS" "not reached"
fi

# The typed line contains "$(" where the output has digits, so the pattern
# cannot match the echo of the command itself.
# shellcheck disable=SC2016  # expanded by the guest's shell
step "mmap_test in /proc/modules, debugfs stats count faults, dyndbg logs 'page index offset'" 30 \
	'^MOD=1 STATS=[1-9][0-9]* FAULTS=[1-9][0-9]* DYNDBG=[1-9][0-9]*$' \
	'echo "MOD=$(grep -c "^mmap_test " /proc/modules) STATS=$(grep -c . /sys/kernel/debug/mmap_test/stats) FAULTS=$(sed -n "s/^faults //p" /sys/kernel/debug/mmap_test/stats) DYNDBG=$(dmesg | grep -c "page index offset")"' || :

# step_want NAME SECONDS ERE WANT COMMAND: type COMMAND, wait for a line
# matching ERE, which must match WANT too (a wrong answer fails at once).
step_want() {
	local name=$1 t=$2 re=$3 want=$4 cmd=$5 r=0 got why
	if [ "$up" != 1 ]; then
		tap_not_ok "$name" "not reached"
		return 1
	fi
	type_line "$cmd"
	wait_for "$re" "$t" || r=$?
	got=$(grep -E -- "$re" "$pane" | tail -n 1)
	if [ "$r" = 0 ] && grep -q -E -- "$want" <<< "$got"; then
		tap_ok "$name"
		return 0
	fi
	why="no /$re/ after: $cmd (wait status $r)"
	tap_not_ok "$name" "${got:-$why}, want /$want/"
	[ "$r" = 2 ] && up=0
	return 1
}

step "the banner names the module's file and how to reload it" 5 \
	'^  other parameters: rmmod mmap_test; insmod mmap_test\.ko ' 'true' || :

# The tour and every example as make check runs them: no skip but the
# window rule (a CPU without the larger address space) and the huge step
# where the kernel refused huge=1; the call chains of the last step in the
# kernel log, not on the console.
# shellcheck disable=SC2016
step_want "the tour: no step fails or skips for want of a module parameter" 600 \
	'^TOUR steps=[0-9]+ fail=[0-9]+ skip=[0-9]+$' '^TOUR steps=1[0-9] fail=0 skip=0$' \
	'test-mmap --json tour > /tmp/tour.json; x=none; grep -q Y /sys/module/mmap_test/parameters/huge || x=huge_pmd; echo "TOUR steps=$(grep -c "\"step\"" /tmp/tour.json) fail=$(grep -c "\"verdict\":\"fail\"" /tmp/tour.json) skip=$(grep "\"verdict\":\"skip\"" /tmp/tour.json | grep -v -e "\"name\":\"window\"" -e "\"name\":\"$x\"" | grep -c .)"' || :

# shellcheck disable=SC2016
step_want "every example: exit status 0 (window: 0 or 4, skipped)" 600 \
	'^EXAMPLES n=[0-9]+ bad=\[.*\]$' '^EXAMPLES n=1[0-9] bad=\[\]$' \
	'n=0; bad=; for f in examples/*; do n=$((n+1)); test-mmap script "$f" >/dev/null 2>&1; r=$?; [ $r = 0 ] || { [ "${f##*/}" = window ] && [ $r = 4 ]; } || bad="$bad ${f##*/}:$r"; done; echo "EXAMPLES n=$n bad=[$bad]"' || :

# shellcheck disable=SC2016
step "the call chains are in the kernel log" 30 \
	'^TRACES=[1-9][0-9]*$' 'echo "TRACES=$(dmesg | grep -ci "call.trace:")"' || :

# The lab's line editor gets Ctrl-A (start of line) as Ctrl-A Ctrl-A:
# "cho LAB-CTRL-A", Ctrl-A Ctrl-A, "e" makes "echo LAB-CTRL-A".
name="Ctrl-A Ctrl-A reaches the lab's line editor as Ctrl-A"
if [ "$up" = 1 ]; then
	type_line 'test-mmap -i'
	wait_for '^test-mmap lab bench: one process' 30 || :
	sleep 1
	tm send-keys -t "$sess" -l 'cho LAB-CTRL''-A'
	tm send-keys -t "$sess" C-a C-a
	tm send-keys -t "$sess" -l 'e'
	tm send-keys -t "$sess" Enter
	if wait_for '^LAB-CTRL-A$' 20; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "no line 'LAB-CTRL-A'"
		pane_tail
	fi
	type_line 'quit'
	sleep 2
else
	tap_not_ok "$name" "not reached"
fi

# shellcheck disable=SC2016
step "the shell's controlling tty is the serial console (job control)" 30 \
	'^CTTY=[1-9][0-9]*$' 'echo "CTTY=$(cut -d" " -f7 /proc/$$/stat)"' || :

name="Ctrl-C interrupts a foreground command (sleep 300), qemu stays"
if [ "$up" = 1 ]; then
	type_line 'sleep 300'
	sleep 3
	tm send-keys -t "$sess" C-c
	step "$name" 20 '^INTR rc=130$' 'echo "INT""R rc=$?"' || :
else
	tap_not_ok "$name" "not reached"
fi

name="poweroff -f ends the session; make shell exits 0"
if [ "$up" = 1 ]; then
	type_line 'poweroff -f'
	if wait_gone 60; then
		rc=$(cat "$T/rc" 2>/dev/null || echo none)
		if [ "$rc" = 0 ]; then
			tap_ok "$name"
		else
			tap_not_ok "$name" "make shell exit status: $rc"
		fi
	else
		tap_not_ok "$name" "still running after 60 s"
		pane_tail
	fi
else
	tap_not_ok "$name" "not reached"
fi
tm kill-server >/dev/null 2>&1 || :

name="session log build/$target/shell.log: banner, power down, no kernel splat"
if [ -f "$log" ] && grep -q '^mmap-test shell: module loaded' "$log" &&
	grep -q 'reboot: Power down' "$log"; then
	k=$(splat_scan "$log" 2>"$T/splats")
	if [ "$k" = 0 ]; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "$k splat line(s):"
		sed 's/^/#   | /' "$T/splats" | head -n 40
	fi
	# dump_stack=1's call chains (the tour's last step) stay in the log
	# at KERN_INFO, with dump_stack_lvl() (5.14+); before it they go to
	# the console at the default level, so a shell target older than
	# that skips this step.
	n=$(grep -ci 'call trace:' "$log" || :)
	probes=$TOP/build/$target/mod/generated/mmap_test_conftest.h
	if ! grep -q 'MT_HAVE_DUMP_STACK_LVL' "$probes" 2>/dev/null; then
		tap_not_ok "no stack dump on the console (build/$target/shell.log)" \
			"$probes does not say whether the kernel has dump_stack_lvl()"
	elif ! grep -q '^#define MT_HAVE_DUMP_STACK_LVL ' "$probes"; then
		tap_skip "no stack dump on the console (build/$target/shell.log)" \
			"this kernel has no dump_stack_lvl(): dump_stack() prints at the default level"
	elif [ "$n" = 0 ]; then
		tap_ok "no stack dump on the console (build/$target/shell.log)"
	else
		tap_not_ok "no stack dump on the console (build/$target/shell.log)" \
			"$n 'Call Trace' line(s) on the console"
	fi
else
	tap_not_ok "$name" "banner or 'reboot: Power down' missing from $log"
fi

stage "scripts/shell.sh $target, then Ctrl-A X"
start "scripts/shell.sh $target"
name="Ctrl-A X quits qemu"
r=0
wait_for '^mmap-test:/root# ' 600 || r=$?
if [ "$r" = 0 ]; then
	tm send-keys -t "$sess" C-a x
	if wait_gone 30; then
		rc=$(cat "$T/rc" 2>/dev/null || echo none)
		if [ "$rc" = 0 ] && ! grep -q 'reboot: Power down' "$log"; then
			tap_ok "$name"
		else
			tap_not_ok "$name" "exit status $rc; or the guest powered off by itself"
		fi
	else
		tap_not_ok "$name" "still running 30 s after Ctrl-A X"
		pane_tail
	fi
else
	tap_not_ok "$name" "no shell prompt (wait status $r)"
	pane_tail 30
fi

tap_summary
tap_passed
