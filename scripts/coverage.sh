#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/coverage.sh <target> <serial log> [<name>]
#
# The module's line and branch coverage from one guest run of a COVERAGE=1
# target (x86_64-debug; make check runs this after its check boot).  The
# guest sent the module's gcov counts (/sys/kernel/debug/gcov, the .gcda
# files of the module's objects, kept across unloads) at the end of its job
# as the block "# export gcov ..." of its serial log
# (scripts/guest/check.sh export_dir).  This puts them beside the .gcno
# files of build/<target>/mod/, runs gcov of the build root that compiled
# the module (gcc and gcov must agree), and writes build/coverage/<name>/
# (default <name>: the target):
#   html/index.html   the report (genhtml, lines and branches)
#   lcov.info         the counts, lcov's format
#   uncovered.txt     every line not reached and branch never taken
#   summary.txt       one line: the percentages and where the report is
#   gcov.json         gcov's own output, src/ the sources it counted
# and prints TAP lines (guest.coverage.report, .lines, .branches:
# scripts/lib/coverage.py) that scripts/check.sh reads as the row's.  The
# lines not reached and the branches never taken must be listed, with the
# reason, in docs/coverage-gaps.md (the branches only while fewer than 85%
# are taken).
# Also saves the crashing inputs of the guided fuzzer ("fuzz-crash" lines)
# to build/<target>/fuzz/crashes/ and the guest's export of files
# (MMAP_TEST_EXPORT_DIR: the fuzzer's corpus) to build/<target>/export/;
# scripts/fuzz-replay.sh runs one such input again.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

case $# in
2|3) ;;
*) die "usage: $0 <target> <serial log> [<name>]" ;;
esac
target=$1 log=$2 name=${3:-$1}
target_load "$target"
[ "$T_COVERAGE" = 1 ] || die "$target is not a COVERAGE=1 target"
out=$TOP/build/$target
mod=$out/mod
cov=$TOP/build/coverage/$name
[ -f "$out/kernel.env" ] || die "no $out/kernel.env: scripts/build.sh $target first"
ROOT=$(eval "$(cat "$out/kernel.env")" && echo "$ROOT")
need_pkgs python3 lcov
py() { python3 "$TOP/scripts/lib/coverage.py" "$@"; }

# What the guest saved besides the counts: crashes, the fuzzer's corpus;
# nothing of an earlier run stays beside them.
rm -rf "$out/fuzz/crashes" "$out/export"
py crashes "$log" "$out/fuzz/crashes" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if py extract "$log" files "$tmp/files.tgz" 2>/dev/null; then
	mkdir -p "$out/export"
	tar -xzf "$tmp/files.tgz" -C "$out/export"
	info "$target: the guest's files in build/$target/export/"
fi

rm -rf "$cov"
mkdir -p "$cov"
if ! py extract "$log" gcov "$tmp/gcov.tgz"; then
	echo "not ok 1 guest.coverage.report - no gcov counts in $log (build/$target/coverage.log)"
	exit 0
fi
mkdir -p "$tmp/gcov"
tar -xzf "$tmp/gcov.tgz" -C "$tmp/gcov"
# The counts of each object of the module, wherever its build tree was
# (/sys/kernel/debug/gcov/<build tree>/src/x.gcda), beside its .gcno.
find "$mod" -name '*.gcda' -delete
n=0
while IFS= read -r -d '' f; do
	rel=${f#"$tmp/gcov/"}
	obj=src/$(basename "$f")
	case $rel in */src/*.gcda) ;; *) continue ;; esac
	[ -f "$mod/${obj%.gcda}.gcno" ] ||
		die "counts $rel have no ${obj%.gcda}.gcno in $mod (built without COVERAGE?)"
	cp "$f" "$mod/$obj"
	n=$((n + 1))
done < <(find "$tmp/gcov" -name '*.gcda' -print0)
[ "$n" -gt 0 ] || die "the export 'gcov' of $log holds no .gcda file"
# shellcheck disable=SC2016  # expanded by the root's shell
in_root "$ROOT" sh -c 'cd "$1" && gcov --json-format --stdout --branch-probabilities -o src src/*.c' \
	sh "$mod" > "$cov/gcov.json" 2> "$cov/gcov.err" ||
	die "gcov failed (build/coverage/$name/gcov.err)"
# The sources the counts belong to, kept with them: make lint reads both
# again later, when build/<target>/mod may hold newer sources.
mkdir -p "$cov/src"
cp "$mod"/src/*.[ch] "$cov/src/"
py report --json "$cov/gcov.json" --target "$target" --out "$cov" \
	--srcdir "$cov" --gaps "$TOP/docs/coverage-gaps.md" \
	--report-shown "build/coverage/$name/html/index.html"
genhtml -q --branch-coverage --title "mmap_test.ko on $target" \
	-o "$cov/html" "$cov/lcov.info" > "$cov/genhtml.log" 2>&1 ||
	warn "genhtml failed (build/coverage/$name/genhtml.log)"
