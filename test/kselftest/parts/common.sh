# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Sourced by every parts/ script (sh): MT_DIR (the collection), ktap.sh's
# result/skip/ktap_end, a scratch directory $T removed at exit, and
#   run_prefixed TAG CMD...   CMD's output with "TAG| " before each line
#                             (it cannot look like a result); CMD's status
#   stat_of NAME              a count of the module's debugfs stats
#   loaded                    the module is loaded
# The module is loaded already (mmap_test.sh), with the parameters in
# $MT_WORDS.
set -u
MT_DIR=${MT_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
PATH="$MT_DIR:$PATH"
# shellcheck disable=SC2034  # for the scripts that source this
DEV=/dev/mmap-test
STATS=/sys/kernel/debug/mmap_test/stats
# shellcheck source=test/kselftest/ktap.sh
. "$MT_DIR/ktap.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

run_prefixed() {
	_p=$1
	shift
	{ "$@" 2>&1; echo $? > "$T/rc"; } | sed "s/^/$_p| /"
	return "$(cat "$T/rc")"
}

stat_of() {
	sed -n "s/^$1[[:space:]:]\{1,\}\([0-9]\{1,\}\).*/\1/p" "$STATS" | head -n1
}

loaded() { [ -d /sys/module/mmap_test ]; }
