# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Sourced by the parts/ scripts of the kselftest collection mmap_test:
# their results as KTAP, which the kselftest runner nests in its own.
#   result STATUS NAME [DETAIL]  "ok N NAME" when STATUS is 0, else
#                                "not ok N NAME - DETAIL"
#   skip NAME REASON             "ok N NAME # SKIP REASON"
#   ktap_end                     the plan "1..N" (after the results: a
#                                script that dies early has none, and the
#                                reader counts it incomplete) and exit:
#                                1 if a result failed, 4 if all skipped,
#                                else 0
echo "TAP version 13"
ktap_n=0 ktap_fail=0 ktap_skip=0

result() {
	ktap_n=$((ktap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $ktap_n $2"
	else
		ktap_fail=$((ktap_fail + 1))
		echo "not ok $ktap_n $2${3:+ - $3}"
	fi
}

skip() {
	ktap_n=$((ktap_n + 1))
	ktap_skip=$((ktap_skip + 1))
	echo "ok $ktap_n $1 # SKIP $2"
}

ktap_end() {
	echo "1..$ktap_n"
	[ "$ktap_fail" = 0 ] || exit 1
	[ "$ktap_n" -gt 0 ] && [ "$ktap_skip" = "$ktap_n" ] && exit 4
	exit 0
}
