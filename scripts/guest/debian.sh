#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: the guest job of the debian row of make check: installed as
# /usr/local/sbin/mmap-test-row in the Debian system of a SYSTEM=debian
# target and run by systemd (systemd.run=) once udev is up, as root, with
# no HOME and no terminal, after apt installed the packages mmap-test-dkms
# and mmap-test-tools (scripts/debian-row.sh); not for the host.  Its
# output goes to the second serial port (ttyS1), the kernel's to the
# first.  Every step is a result "guest.deb_<step>", as a user does it:
#   deb_environment no HOME and no terminal (as below)
#   deb_dkms        dkms status: mmap-test installed for the running kernel
#   deb_modprobe    modprobe mmap_test loads the module DKMS installed
#   deb_node        udev made /dev/mmap-test root:mmap-test 0660 (the rule)
#   deb_group       adduser mt-user mmap-test (a user the admin lets in)
#   deb_user_test_mmap, deb_user_tour
#                   test-mmap and its tour as mt-user: PASS
#   deb_outsider    test-mmap as mt-other (not in the group): refused,
#                   with a message that names the node's group
#   deb_bpftrace, deb_perf
#                   docs/packaging.md's one-liners on test-mmap as mt-user count
#                   each trace event as test-mmap's own output says
#                   (ALLOC_VMA, FREE_VMA, the find_vma() lines, the faults
#                   served, one open and close), and agree on map_pages
# then the kselftest collection as installed (deb_kselftest_tree: it is
# there; run_kselftest.sh -c mmap_test in /usr/lib/mmap-test/kselftest as
# root, as scripts/guest/check.sh runs it: its results are the
# collection's own), and
#   deb_modprobe_r  modprobe -r: the module and the node are gone
#   deb_purge       apt-get purge of both packages leaves no module file,
#                   no udev rule, no DKMS tree or source, no program, and
#                   modinfo finds no module
# Settings from /etc/mmap-test-row.env: TARGET, HUGE, HOOKS, MODULE_PARAMS.
# Prints "GUEST-START" first and "CHECK-END" last.
#
# The job runs in a session of its own, without HOME, with stdin
# /dev/null and its output into a pipe: only the `cat` in front of it
# opens the serial port (a terminal), so nothing the job runs has a
# terminal (deb_environment checks it).
if [ -z "${MT_ROW_JOB:-}" ]; then
	MT_ROW_JOB=1 setsid -w env -u HOME "$0" < /dev/null 2>&1 | cat > /dev/ttyS1
	exit
fi
set -u
set -a
# shellcheck disable=SC1091
[ -f /etc/mmap-test-row.env ] && . /etc/mmap-test-row.env
set +a
KS=/usr/lib/mmap-test/kselftest
DEV=/dev/mmap-test
USER_IN=mt-user
USER_OUT=mt-other
T=$(mktemp -d)
n=0

echo "GUEST-START job=debian kernel=$(uname -r) arch=$(uname -m)"
section() { echo "# [$(cut -d' ' -f1 /proc/uptime)s] $*"; }
# result STATUS NAME [DETAIL]
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n guest.$2"
	else
		echo "not ok $n guest.$2${3:+ - $3}"
	fi
}
# show FILE: a command's output, as comments (never a result line)
show() { sed 's/^/# | /' "$1"; }
as_user() { u=$1; shift; runuser -u "$u" -- "$@"; }

# No HOME, no terminal: as a systemd unit or cron runs a program.
tty=$(tty 2>&1)
echo "# HOME=${HOME-unset}, tty: $tty"
[ -z "${HOME+set}" ] && [ ! -t 0 ] && [ ! -t 1 ] && [ ! -t 2 ] &&
	! (: < /dev/tty) 2>/dev/null
result $? deb_environment "HOME is '${HOME-}' or the job has a terminal ($tty)"

section "the packages"
dpkg-query -W 'mmap-test-*' 2>&1 | sed 's/^/# /'
dkms status mmap-test > "$T/dkms" 2>&1
show "$T/dkms"
grep -q "^mmap-test/[^,]*, $(uname -r), [^:]*: installed" "$T/dkms"
result $? deb_dkms "dkms status has no mmap-test installed for $(uname -r)"

modprobe mmap_test > "$T/modprobe" 2>&1
show "$T/modprobe"
ko=$(modinfo -n mmap_test 2>/dev/null)
echo "# module file: ${ko:-none}"
case $ko in
"/lib/modules/$(uname -r)/updates/dkms/"* | "/usr/lib/modules/$(uname -r)/updates/dkms/"*)
	[ -d /sys/module/mmap_test ]
	result $? deb_modprobe "modprobe mmap_test did not load it" ;;
*) result 1 deb_modprobe "modinfo -n mmap_test is '$ko', not DKMS's updates/dkms/" ;;
esac

udevadm settle --timeout=30
node=$(stat -c '%F %U %G %a' "$DEV" 2>&1)
echo "# $DEV: $node"
[ "$node" = "character special file root mmap-test 660" ]
result $? deb_node "$DEV is '$node', want the package's rule: root mmap-test 660"

adduser --quiet "$USER_IN" mmap-test > "$T/adduser" 2>&1
show "$T/adduser"
id -nG "$USER_IN" | tr ' ' '\n' | grep -qx mmap-test
result $? deb_group "adduser $USER_IN mmap-test: $USER_IN is not in the group"

section "test-mmap as $USER_IN"
as_user "$USER_IN" test-mmap > "$T/tm" 2>&1
rc=$?
show "$T/tm"
[ "$rc" = 0 ] && grep -q '^result: PASS' "$T/tm"
result $? deb_user_test_mmap "test-mmap as $USER_IN: exit status $rc"

as_user "$USER_IN" test-mmap tour > "$T/tour" 2>&1
rc=$?
show "$T/tour"
[ "$rc" = 0 ]
result $? deb_user_tour "test-mmap tour as $USER_IN: exit status $rc"

as_user "$USER_OUT" test-mmap > "$T/out" 2>&1
rc=$?
show "$T/out"
[ "$rc" != 0 ] && grep -q "open $DEV failed: EACCES.*not in group mmap-test" "$T/out"
result $? deb_outsider "test-mmap as $USER_OUT: exit status $rc, no EACCES message naming the group"

section "tracing test-mmap as $USER_IN"
# want EVENT: what test-mmap's output ($T/run) says the module saw
want() {
	case $1 in
	alloc) grep -c '^ALLOC_VMA ' "$T/run" ;;
	free) grep -c '^FREE_VMA ' "$T/run" ;;
	query) grep -c 'find_vma(0x' "$T/run" ;;
	fault) sed -n 's/^faults served for this file: //p' "$T/run" ;;
	open | close) echo 1 ;;
	esac
}
# counts TOOL FILE: compare the counts in FILE ("EVENT COUNT" lines)
counts() {
	bad=
	for e in alloc free query fault open close; do
		w=$(want "$e")
		g=$(sed -n "s/^$e //p" "$2")
		echo "# $1: $e ${g:-0}, test-mmap says ${w:-?}"
		[ -n "$w" ] && [ "${g:-0}" = "$w" ] || bad="$bad $e=${g:-0}(want ${w:-?})"
	done
	g=$(sed -n 's/^map_pages //p' "$2")
	echo "# $1: map_pages ${g:-0}"
	[ "${g:-0}" -ge 1 ] || bad="$bad map_pages=${g:-0}"
	[ -z "$bad" ]
}
bad=
# Counted per probe and CPU (summed below): a count missing on one CPU
# shows in the log.
bpftrace -e 'tracepoint:mmap_test:* { @[probe, cpu] = count(); }' \
	-c "runuser -u $USER_IN -- test-mmap" > "$T/bt" 2>&1
rc=$?
grep -v '^@' "$T/bt" > "$T/run"
show "$T/bt"
sed -n 's/^@\[tracepoint:mmap_test:mmap_test_\([a-z_]*\), [0-9]*\]: \([0-9]*\)$/\1 \2/p' "$T/bt" |
	awk '{ n[$1] += $2 } END { for (e in n) print e, n[e] }' > "$T/btc"
[ "$rc" = 0 ] && counts bpftrace "$T/btc"
result $? deb_bpftrace "bpftrace: exit status $rc, counts${bad:-}"
cp "$T/btc" "$T/btc.keep"

perf stat -x, -o "$T/perf" -e 'mmap_test:*' -- \
	runuser -u "$USER_IN" -- test-mmap > "$T/run" 2>&1
rc=$?
show "$T/perf"
sed -n 's/^\([0-9]*\),[^,]*,mmap_test:mmap_test_\([a-z_]*\),.*/\2 \1/p' "$T/perf" > "$T/pc"
ok=1 bad=
[ "$rc" = 0 ] && counts perf "$T/pc" && ok=0
if [ "$ok" = 0 ] && [ "$(grep '^map_pages ' "$T/pc")" != "$(grep '^map_pages ' "$T/btc.keep")" ]; then
	ok=1 bad=" map_pages: perf and bpftrace differ"
fi
result $ok deb_perf "perf stat: exit status $rc, counts${bad:-}"

section "the kselftest collection (run_kselftest.sh, $KS)"
[ -x "$KS/run_kselftest.sh" ] && [ -x "$KS/mmap_test/mmap_test.sh" ]
result $? deb_kselftest_tree "no $KS/run_kselftest.sh or $KS/mmap_test/mmap_test.sh"
require=
[ "${HUGE:-0}" = 1 ] && require=huge=1
for h in ${HOOKS:-mmap}; do
	[ "$h" = mmap ] || require="$require mmap_hook=$h"
done
export MMAP_TEST_REQUIRE="$require"
sel() { "$KS/mmap_test/mmap_test.sh" "$@"; }
pass=0
cd "$KS" || exit 1
for h in ${HOOKS:-mmap}; do
	pass=$((pass + 1))
	[ $pass = 1 ] || echo "# mmap-test pass: $h."
	# shellcheck disable=SC2046  # lists of options
	MMAP_TEST_PARAMS="${MODULE_PARAMS:+$MODULE_PARAMS }mmap_hook=$h" \
		./run_kselftest.sh -c mmap_test $(sel --deselect once) \
		$(sel --deselect debug)
done
echo "# mmap-test pass: "
once=$(sel --select once)
# shellcheck disable=SC2086  # a list of options
[ -z "$once" ] || MMAP_TEST_PARAMS="${MODULE_PARAMS:-}" ./run_kselftest.sh $once
cd / || exit 1

section "removal"
modprobe mmap_test > "$T/rm" 2>&1
udevadm settle --timeout=30
loaded=no
[ -d /sys/module/mmap_test ] && [ -e "$DEV" ] && loaded=yes
modprobe -r mmap_test >> "$T/rm" 2>&1
rc=$?
show "$T/rm"
udevadm settle --timeout=30
[ "$loaded" = yes ] && [ "$rc" = 0 ] && [ ! -d /sys/module/mmap_test ] && [ ! -e "$DEV" ]
result $? deb_modprobe_r "loaded before: $loaded; modprobe -r mmap_test: exit status $rc; after it /sys/module/mmap_test or $DEV is still there"

apt-get purge -y mmap-test-dkms mmap-test-tools > "$T/purge" 2>&1
rc=$?
show "$T/purge"
left=$(find /lib/modules /usr/lib/modules /usr/lib/udev/rules.d \
	/etc/udev/rules.d /var/lib/dkms /usr/src /usr/bin /usr/lib/mmap-test \
	\( -name 'mmap_test.ko*' -o -name '*mmap-test*' -o -name test-mmap \) \
	-print 2>/dev/null | sort -u)
pkgs=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'mmap-test-*' 2>/dev/null |
	grep -v '^un ')
[ -n "$left" ] && echo "$left" | sed 's/^/# left: /'
[ -n "$pkgs" ] && echo "$pkgs" | sed 's/^/# package: /'
[ "$rc" = 0 ] && [ -z "$left" ] && [ -z "$pkgs" ] && ! modinfo mmap_test > /dev/null 2>&1
result $? deb_purge "apt-get purge: exit status $rc; left behind: $(echo "$left" "$pkgs" | tr '\n' ' ')"

echo "# kernel log of the module (last 100 lines)"
dmesg | grep -E 'mmap.test|page index offset' | tail -n 100
rm -rf "$T"
section "done"
echo "CHECK-END"
