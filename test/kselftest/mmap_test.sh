#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: mmap_test.sh TEST [ARG...]     run one test of the collection
#        mmap_test.sh --list            the tests: name, when, params, command
#        mmap_test.sh --select TAG      "-t mmap_test:<name>.sh" for each test
#                                       with TAG in its "when" column
#        mmap_test.sh --deselect TAG    "-S mmap_test:<name>.sh" for each
#   (options of run_kselftest.sh: `./run_kselftest.sh $(mmap_test/mmap_test.sh
#   --select once)` runs the tests tagged "once")
#
# Runs one test of the kselftest collection mmap_test (each <name>.sh of
# kselftest-list.txt execs this) as its line of ./tests says: a module
# loaded already is unloaded; the module is loaded with the test's
# parameters, then $MMAP_TEST_PARAMS (mt_lib.sh mt_load: modprobe, or
# insmod of $MMAP_TEST_KO or ./mmap_test.ko); the command runs with ARG
# added; the module must then hold nothing (no file, page or VMA in its
# debugfs stats) and unload.  "mmap-test: test <name> begins" and "...
# ends" go to the kernel log around it.
# Exit status as kselftest's: the command's (0 pass, 1 fail, 4 skip); 4
# when this cannot run it (not root, no module, a parameter the kernel
# lacks); 1 when the module does not load or does not let go.
# Environment: MMAP_TEST_PARAMS, MMAP_TEST_KO, MMAP_TEST_REQUIRE
# (parameters whose refusal is a failure, not a skip: "huge=1").
set -u
MT_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/kselftest/mt_lib.sh
. "$MT_DIR/mt_lib.sh"
KSFT_SKIP=4
name=${1:?usage: mmap_test.sh TEST [ARG...] | --list}
shift
case $name in
--list)	mt_list
	exit ;;
--select | --deselect)
	opt=-t
	[ "$name" = --select ] || opt=-S
	mt_list | awk -v opt="$opt" -v tag="${1:?$name needs a TAG}" '
		("," $2 ",") ~ ("," tag ",") { printf "%s mmap_test:%s.sh ", opt, $1 }'
	echo
	exit ;;
esac

# a skip before the command ran: the test's KTAP is one "1..0 # SKIP why"
skip() { echo "1..0 # SKIP $name: $*"; exit $KSFT_SKIP; }
fail() { echo "# FAIL $name: $*"; exit 1; }

row=$(mt_row "$name")
[ -n "$row" ] || fail "no test '$name' in $MT_DIR/tests"
# shellcheck disable=SC2046  # the row's fields
set -- $(echo "$row" | awk '{ $1 = $2 = ""; print }') "$@"
params=$1
shift
[ "$(id -u)" = 0 ] || skip "needs root (to load mmap_test)"
mt_words "$params" || skip "$mt_why"
words="$mt_w${MMAP_TEST_PARAMS:+ $MMAP_TEST_PARAMS}"
export PATH="$MT_DIR:$PATH" MT_DIR MT_WORDS="$words"

mt_unload 2>/dev/null || skip "mmap_test is loaded and in use (rmmod failed)"
if [ "$params" != - ]; then
	mt_load "$words"
	rc=$?
	[ $rc = 4 ] && skip "$mt_why"
	[ $rc = 0 ] || fail "$mt_why"
fi

echo "mmap-test: test $name begins" > /dev/kmsg 2>/dev/null
cmd=$1
shift
"$MT_DIR/$cmd" "$@"
rc=$?
echo "mmap-test: test $name ends" > /dev/kmsg 2>/dev/null

if mt_loaded; then
	held=$(mt_stat files)/$(mt_stat pages)/$(mt_stat live_vmas)
	case $held in
	0/0/0 | //) ;;
	*)	echo "# FAIL $name: after the test the module holds files/pages/live_vmas $held"
		rc=1 ;;
	esac
	if ! rmmod mmap_test; then
		echo "# FAIL $name: rmmod mmap_test failed after the test"
		rc=1
	fi
fi
exit $rc
