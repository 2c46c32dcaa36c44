#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test "examples" of the collection mmap_test: every experiment script of
# examples/ (installed with the collection) under `test-mmap script`:
# exit status 0 a pass, 4 a SKIP with its "SKIP: " line, else a failure;
# at least 10 of them; and with --json, every one prints only JSON
# objects, one per line, at least one per command line.  Also: the
# find_vma() verdict names the VMA found, in text and JSON.
# shellcheck source=test/kselftest/parts/common.sh
. "$(dirname "$0")/common.sh"
EX=$MT_DIR/examples

nex=0
for f in "$EX"/*; do
	[ -f "$f" ] || continue
	nex=$((nex + 1))
	name=${f##*/}
	test-mmap script "$f" >"$T/ex.out" 2>&1
	rc=$?
	sed "s/^/ex-$name| /" "$T/ex.out"
	case $rc in
	0) result 0 "example.$name" ;;
	4) skip "example.$name" "$(sed -n 's/^SKIP: //p' "$T/ex.out" | head -n1)" ;;
	*) result 1 "example.$name" \
		"test-mmap script $f: exit status $rc; $(grep -m1 'error' "$T/ex.out")" ;;
	esac
done
[ "$nex" -ge 10 ]
result $? examples_present "$nex scripts in $EX, want 10 or more"

# The original report's question answered: its "before:" line names the
# VMA that find_vma() returned ("[stack]", "[vvar]", a library's path,
# "anon"), or says NULL.  Which VMA it is depends on the layout (ASLR).
line=$(test-mmap script "$EX/original-report" 2>&1 | grep -m1 '^before: ')
echo "$line" | sed 's/^/original-report| /'
# Not named: the backing ("special", "file", "device") said instead.
vname=$(echo "$line" | sed -nE 's/^before: find_vma\(0xffff95010000\) -> \[0x[0-9a-f]+,0x[0-9a-f]+\) (.+), contains: .*/\1/p')
case $line in
"before: find_vma(0xffff95010000) -> NULL"*) rc=0 ;;
*)
	case $vname in
	special | file | device | '') rc=1 ;;
	*) rc=0 ;;
	esac ;;
esac
result $rc original_report_names_the_vma "no VMA named in: ${line:-no before: line}"

# --json names it too: the lowest VMA of test-mmap is its own program.
exe=$(readlink -f "$(command -v test-mmap)")
test-mmap --json query --addr 0 >"$T/q.json" 2>&1
grep -q "\"name\":\"$exe\"" "$T/q.json"
result $? query_json_names_the_vma "want \"name\":\"$exe\" in: $(cat "$T/q.json")"

# --json: every example prints only JSON objects, one per line, and at
# least one object per command line (fork adds its child's).
bad=
for f in "$EX"/*; do
	[ -f "$f" ] || continue
	test-mmap --json script "$f" >"$T/ex.json" 2>/dev/null
	rc=$?
	cmds=$(grep -cvE '^[[:space:]]*(#|$)' "$f")
	lines=$(grep -c . "$T/ex.json")
	objs=$(grep -c '^{.*}$' "$T/ex.json")
	if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
		bad="$bad ${f##*/}(exit $rc)"
	elif [ "$lines" != "$objs" ] || { [ "$rc" = 0 ] && [ "$objs" -lt "$cmds" ]; }; then
		bad="$bad ${f##*/}($objs objects, $lines lines, $cmds commands)"
		sed 's/^/ex-json| /' "$T/ex.json"
	fi
done
[ -z "$bad" ]
result $? examples_json "not one JSON object per line and command:$bad"
ktap_end
