#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test "lab" of the collection mmap_test: the lab bench (test-mmap script,
# -i, --json) and malformed lines.  Each bad line gives exactly one error
# line, and the session goes on: the mapping made before them is still
# there after them.  And a merge built up step by step in one -i session.
# shellcheck source=test/kselftest/parts/common.sh
. "$(dirname "$0")/common.sh"

# lab_check NAME ERROR_RE CMD...: CMD reads "$T/lab.in"; exit status 1,
# exactly one error line per bad line, both expects ok, "survived".
lab_check() {
	_name=$1 _re=$2
	shift 2
	"$@" <"$T/lab.in" >"$T/lab.out" 2>"$T/lab.err"
	_rc=$?
	sed 's/^/lab-out| /' "$T/lab.out"
	sed 's/^/lab-err| /' "$T/lab.err"
	_errs=$(grep -c . "$T/lab.err")
	_clear=$(grep -cE "$_re" "$T/lab.err")
	_ok=$(grep -c '^expect ok: ' "$T/lab.out")
	_surv=$(grep -c '^survived$' "$T/lab.out")
	[ "$_rc" = 1 ] && [ "$_errs" = "$nbad" ] &&
		[ "$_clear" = "$nbad" ] && [ "$_surv" = 1 ] && [ "$_ok" = 2 ]
	result $? "$_name" \
		"exit status $_rc (want 1), $_errs error lines, $_clear like '$_re' (want $nbad), expects ok: $_ok of 2, survived: $_surv"
}

# Each bad line gives exactly one error line, and the session goes on: the
# mapping made before them is still there after them.
cat > "$T/bad.in" <<-'EOF'
frobnicate
alloc --len
alloc --len zz
alloc --bogus
alloc --le 1p
free
query
touch
touch $nosuch
$ = alloc
$a alloc
expect
expect 1 +
echo "unterminated
read $page 99999
madvise $page 1p sideways
mprotect $page 1p rwq
mremap 1 2
help nothing
alloc --prot q
alloc --device /dev/null
expect $a.nofield == 1
$b = 0x1 / 0
query 99999999999999999999999
fork
alloc extra
alloc --expect EWHAT
$c = allocate --len 1p
touch 0x10 1p
EOF
printf 'echo %01100d\n' 0 >> "$T/bad.in"
nbad=$(grep -c . "$T/bad.in")
# shellcheck disable=SC2016  # $ is test-mmap's, not the shell's
{
	echo '$a = alloc --anon --private --len 2p'
	cat "$T/bad.in"
	echo '$q = query $a'
	echo 'expect $q.contains == 1'
	echo 'expect $q.vm_end == $a + 2p'
	echo 'free $a'
	echo 'echo survived'
} > "$T/lab.in"

lab_check malformed_script '^-:[0-9]+: error: [^ ]' test-mmap script -
lab_check malformed_interactive '^error: [^ ]' test-mmap -i
# script lines 2..nbad+1 each have their error
nums=$(test-mmap script - <"$T/lab.in" 2>&1 >/dev/null |
	sed -n 's/^-:\([0-9]*\): error: .*/\1/p' | sort -nu | tr '\n' ' ')
want=$(seq 2 $((nbad + 1)) | tr '\n' ' ')
[ "$nums" = "$want" ]
result $? one_error_per_line "error lines of lines: $nums; want: $want"
# The merge, built up step by step in one -i session (as in make shell).
# shellcheck disable=SC2016  # $ is test-mmap's, not the shell's
printf '%s\n' '$a = alloc --anon --private --len 1p' \
	'$b = alloc --anon --private --len 1p --addr $a-1p' maps \
	'$q = query $a' 'expect $q.vm_start == $b' \
	'expect $q.vm_end == $a + 1p' 'expect $q.nr_vmas == $b.before.nr_vmas' |
	test-mmap -i >"$T/lab.out" 2>&1
rc=$?
sed 's/^/lab-merge| /' "$T/lab.out"
[ "$rc" = 0 ] && [ "$(grep -c '^expect ok: ' "$T/lab.out")" = 3 ]
result $? interactive_merge "test-mmap -i: exit status $rc, $(grep -c '^expect ok: ' "$T/lab.out") of 3 expects ok"

# "if" takes a condition of several words; a count prints in decimal, an
# address in hex.
# shellcheck disable=SC2016  # $ is test-mmap's, not the shell's
printf '%s\n' '$n = 2 + 3' 'if $n == 5 echo if-words-ok' 'if $n + 1 == 5 echo wrong' \
	'echo n=$n' '$a = alloc --anon --private --len 1p' 'echo a=$a' |
	test-mmap script - >"$T/if.out" 2>&1
sed 's/^/lab-if| /' "$T/if.out"
grep -qx 'if-words-ok' "$T/if.out" && ! grep -qx 'wrong' "$T/if.out" &&
	grep -qx 'n=5' "$T/if.out" && grep -qx 'a=0x[0-9a-f]*' "$T/if.out"
result $? if_words_decimal_counts "want if-words-ok, n=5 and a=0x..., not wrong"

test-mmap --json script - <"$T/lab.in" >"$T/lab.json" 2>/dev/null
rc=$?
sed 's/^/lab-json| /' "$T/lab.json"
lines=$(grep -c . "$T/lab.json")
objs=$(grep -c '^{.*}$' "$T/lab.json")
errs=$(grep -c '^{"line":[0-9]*,"ok":false,"error":"' "$T/lab.json")
[ "$rc" = 1 ] && [ "$lines" = "$objs" ] && [ "$errs" = "$nbad" ]
result $? malformed_json \
	"exit status $rc (want 1), $lines lines, $objs JSON objects, $errs error objects (want $nbad)"
ktap_end
