#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: mmap_test.sh PROGRAM [ARG...]
#
# Runs one program of the kselftest collection mmap_test with the module
# loaded as the program needs: the parameters of its line in ./params
# (or the "*" line), then $MMAP_TEST_PARAMS.  A module loaded already is
# unloaded first.  The module is `modprobe mmap_test` where it is
# installed (DKMS, make install), else `insmod` of $MMAP_TEST_KO or of the
# mmap_test.ko installed beside this script.  The module is unloaded after
# the program.  Exit status as kselftest's: the program's (0 pass, 1 fail,
# 4 skip); 4 when this cannot run it (not root, no module, a parameter the
# kernel refuses and says it lacks); 1 when the module does not load or
# unload.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
KSFT_SKIP=4
prog=${1:?usage: mmap_test.sh PROGRAM [ARG...]}
shift

skip() { echo "# SKIP $prog: $*"; exit $KSFT_SKIP; }
fail() { echo "# FAIL $prog: $*"; exit 1; }
loaded() { [ -d /sys/module/mmap_test ]; }

[ "$(id -u)" = 0 ] || skip "needs root (to load mmap_test)"
[ -x "$DIR/$prog" ] || fail "no program $DIR/$prog"

# The program's parameters from the table; pmd*N: N PMDs in pages.
params=$(awk -v p="$prog" '!/^#/ && NF && ($1 == p || $1 == "*") {
	$1 = ""; print; exit }' "$DIR/params")
pmd=$(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size 2>/dev/null)
page=$(getconf PAGESIZE 2>/dev/null || echo 4096)
words=
for w in $params ${MMAP_TEST_PARAMS:-}; do
	case $w in
	*=pmd\*[0-9]*)
		[ -n "$pmd" ] || skip "$w: no transparent huge pages (hpage_pmd_size)"
		n=${w#*=pmd\*}
		w="${w%%=*}=$((pmd * n / page))"
		;;
	esac
	words="$words $w"
done

if loaded; then
	rmmod mmap_test 2>/dev/null ||
		skip "mmap_test is loaded and in use (rmmod failed)"
fi
ko=${MMAP_TEST_KO:-$DIR/mmap_test.ko}
# shellcheck disable=SC2086  # a list of parameters
if modprobe -n mmap_test 2>/dev/null && [ -z "${MMAP_TEST_KO:-}" ]; then
	echo "# modprobe mmap_test$words"
	modprobe mmap_test $words 2>&1 | sed 's/^/# /'
elif [ -f "$ko" ]; then
	echo "# insmod $ko$words"
	insmod "$ko" $words 2>&1 | sed 's/^/# /'
else
	skip "the module is neither installed (modprobe mmap_test) nor at $ko (MMAP_TEST_KO)"
fi
if ! loaded; then
	why=$(dmesg 2>/dev/null | grep 'mmap_test: ' | tail -n 1)
	case $why in
	*"this kernel lacks"*) skip "the module refused$words: ${why#*mmap_test: }" ;;
	esac
	fail "the module did not load with$words${why:+: $why}"
fi

"$DIR/$prog" "$@"
rc=$?
if ! rmmod mmap_test; then
	echo "# FAIL $prog: rmmod mmap_test failed after the program"
	[ "$rc" = 0 ] && rc=1
fi
exit $rc
