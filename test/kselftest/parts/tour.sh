#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: parts/tour.sh [STEP]
# Test "tour" of the collection mmap_test: `test-mmap tour` passes; with
# --json it prints one JSON object per step, the steps that
# `test-mmap tour --list` names in that order, none failed, the call_chain
# step passed, and each skipped step is a SKIP
# with the step's note.  With STEP (test "tour-huge": the module loaded
# with huge=1), only: that step of --json passed.
# shellcheck source=test/kselftest/parts/common.sh
. "$(dirname "$0")/common.sh"

if [ $# -gt 0 ]; then
	test-mmap tour --json >"$T/tour.json" 2>&1
	grep "\"name\":\"$1\"" "$T/tour.json" | sed 's/^/tour-json| /'
	grep -q "^{\"step\":[0-9]*,\"name\":\"$1\",\"verdict\":\"pass\"" "$T/tour.json"
	result $? "tour_$1" "the tour's $1 step did not pass"
	ktap_end
fi

run_prefixed tour test-mmap tour
rc=$?
result "$rc" tour "test-mmap tour: exit status $rc"

# --json: JSON lines, exactly one object per step of the tour's own table
# (tour --list), in its order, none failed, and no step skipped for want
# of root.
test-mmap tour --list --json >"$T/tour.list" 2>&1
steps=$(grep -c '^{"step":[0-9]*,"name":"[a-z_]*","title":' "$T/tour.list")
test-mmap tour --json >"$T/tour.json" 2>"$T/tour.err"
rc=$?
sed 's/^/tour-json| /' "$T/tour.json" "$T/tour.err"
lines=$(grep -c . "$T/tour.json")
objs=$(grep -cE '^\{"step":[0-9]+,"name":"[a-z_]+","verdict":"(pass|fail|skip)",.*\}$' \
	"$T/tour.json")
fails=$(grep -c '"verdict":"fail"' "$T/tour.json")
names='s/^{\("step":[0-9]*,"name":"[a-z_]*"\),.*/\1/p'
sed -n "$names" "$T/tour.list" >"$T/tour.list.names"
sed -n "$names" "$T/tour.json" >"$T/tour.json.names"
cmp -s "$T/tour.list.names" "$T/tour.json.names" && listed=yes || listed=no
[ "$rc" = 0 ] && [ "$steps" -gt 0 ] && [ "$lines" = "$steps" ] &&
	[ "$objs" = "$steps" ] && [ "$listed" = yes ] && [ "$fails" = 0 ]
result $? tour_json \
	"exit status $rc, $lines lines, $objs step objects, tour --list: $steps steps, the same steps in its order: $listed, $fails failed"
grep -q '^{"step":[0-9]*,"name":"call_chain","verdict":"pass"' "$T/tour.json"
result $? tour_call_chain "the call_chain step did not pass"
# A skipped step is not a pass: one SKIP line each, with the step's note.
sed -n 's/^{"step":[0-9]*,"name":"\([a-z_]*\)","verdict":"skip",.*"note":"\([^"]*\)".*/\1 \2/p' \
	"$T/tour.json" > "$T/tour.skips"
while read -r step why; do
	skip "$step" "$why"
done < "$T/tour.skips"
ktap_end
