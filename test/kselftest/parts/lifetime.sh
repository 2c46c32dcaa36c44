#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test "lifetime" of the collection mmap_test: what pins the module and
# unloading.  An open fd pins it; a live mapping pins it after its fd is
# closed (test-mmap hold); with neither, the debugfs counters are zero,
# rmmod works and removes the node, and the module loads again with the
# same parameters and unloads again.
# shellcheck source=test/kselftest/parts/common.sh
. "$(dirname "$0")/common.sh"

# rmmod_refused RC NAME WHEN: pass when rmmod failed (status RC) and the
# module is still loaded.
rmmod_refused() {
	if [ "$1" != 0 ] && mt_loaded; then
		result 0 "$2"
	else
		result 1 "$2" "rmmod rc=$1 $3"
	fi
}

# An open fd pins the module (a subshell holds fd 3: a failing open must
# not end this script).
rm -f "$T/rc"
(exec 3<"$DEV" && { rmmod mmap_test 2>/dev/null; echo $? > "$T/rc"; })
if [ -f "$T/rc" ]; then
	rmmod_refused "$(cat "$T/rc")" rmmod_refused_while_open \
		"with an fd open"
else
	result 1 rmmod_refused_while_open "cannot open $DEV"
fi

# A live mapping pins the module after its fd is closed.
rm -f "$T/hold.in" "$T/hold.out"
mkfifo "$T/hold.in"
test-mmap hold <"$T/hold.in" >"$T/hold.out" 2>&1 &
hpid=$!
exec 4>"$T/hold.in"
i=0
while ! grep -q '^holding 0x' "$T/hold.out" && [ $i -lt 30 ] &&
	kill -0 "$hpid" 2>/dev/null; do
	sleep 1
	i=$((i + 1))
done
sed 's/^/hold| /' "$T/hold.out"
if grep -q '^holding 0x' "$T/hold.out"; then
	maps=$(grep -c mmap-test "/proc/$hpid/maps" 2>/dev/null)
	fds=0
	for f in "/proc/$hpid/fd/"*; do
		case $(readlink "$f" 2>/dev/null) in
		"$DEV") fds=$((fds + 1)) ;;
		esac
	done
	echo "# hold: pid $hpid, $maps mapping(s) of $DEV, $fds fd(s) on it"
	[ "${maps:-0}" -ge 1 ] && [ "$fds" = 0 ]
	result $? hold_maps_without_fd \
		"maps=$maps fds=$fds, want a mapping and no fd"
	rmmod mmap_test 2>/dev/null
	rmmod_refused $? rmmod_refused_while_mapped \
		"with a mapping live"
else
	result 1 hold_maps_without_fd "no 'holding 0x...' line in 30 s"
	result 1 rmmod_refused_while_mapped "test-mmap hold failed"
fi
exec 4>&-
i=0
while kill -0 "$hpid" 2>/dev/null && [ $i -lt 10 ]; do
	sleep 1
	i=$((i + 1))
done
kill -0 "$hpid" 2>/dev/null && { echo "# hold: no exit on EOF, SIGTERM"; kill "$hpid"; }
wait "$hpid"
rc=$?
result "$rc" hold_exits_on_eof "test-mmap hold exit status $rc"

# Nothing left: the debugfs counters are back to zero, rmmod works.
if [ -r "$STATS" ]; then
	sed 's/^/stats| /' "$STATS"
	pages=$(mt_stat pages)
	vmas=$(mt_stat live_vmas)
	[ "$pages" = 0 ] && [ "$vmas" = 0 ]
	result $? stats_zero_before_rmmod \
		"pages=${pages:-?} live_vmas=${vmas:-?}"
else
	result 1 stats_zero_before_rmmod "no $STATS"
fi
rmmod mmap_test
rc=$?
! mt_loaded && [ ! -e "$DEV" ]
result $? rmmod "rmmod rc=$rc"

# Loads and unloads again cleanly.
mt_load "$MT_WORDS" && rmmod mmap_test && ! mt_loaded
result $? reload "$mt_why"
ktap_end
