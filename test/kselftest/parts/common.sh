# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Sourced by every parts/ script (sh): MT_DIR (the collection), ktap.sh's
# result/skip/ktap_end, mt_lib.sh's module helpers (mt_loaded, mt_stat,
# mt_load...), a scratch directory $T removed at exit, and
#   run_prefixed TAG CMD...   CMD's output with "TAG| " before each line
#                             (it cannot look like a result); CMD's status
# The module is loaded already (mmap_test.sh), with the parameters in
# $MT_WORDS.
set -u
MT_DIR=${MT_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
PATH="$MT_DIR:$PATH"
# shellcheck disable=SC2034  # for the scripts that source this
DEV=/dev/mmap-test
# shellcheck disable=SC2034  # for the scripts that source this
STATS=/sys/kernel/debug/mmap_test/stats
# shellcheck source=test/kselftest/ktap.sh
. "$MT_DIR/ktap.sh"
# shellcheck source=test/kselftest/mt_lib.sh
. "$MT_DIR/mt_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

run_prefixed() {
	_p=$1
	shift
	{ "$@" 2>&1; echo $? > "$T/rc"; } | sed "s/^/$_p| /"
	return "$(cat "$T/rc")"
}
