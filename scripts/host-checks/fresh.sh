#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/host-checks/fresh.sh [--ci] [REPO]  (default: this work tree)
#
# The first-run proof, on the host: does the project install everything it
# needs by itself?  Makes a new Debian bookworm minbase root (mmdebstrap;
# only `make` added, as on a new machine), copies REPO's files into it
# (tracked and untracked, not ignored), and inside it, with no build roots
# and a cache that holds only the host's downloaded .deb files (below):
#   - the host packages of every target (need_host_pkgs: qemu per
#     architecture);
#   - scripts/build.sh <target> for one Debian-kernel target per build root
#     (the first that brings a kselftest source, else an architecture, not
#     built yet): each makes its build root, fetches its kernel and builds
#     the module and every program;
#   - make demo, up to the guest's DEMO-RESULT line, run without HOME and
#     without a terminal (as a systemd unit or cron would run it).
# Nothing of the host's packages or build roots is visible there, nor of
# its cache but those .deb files, so a step that relies on something
# installed by hand fails here.  The
# debug kernel (KERNEL=debug, a long compile) is built by its own
# matrix row, from the same build-root recipe, and not again here.
# Prints TAP ("ok N fresh: ..." / "not ok N fresh: ..."), the plan at the
# end; exit status 0 iff all passed.  The root is deleted afterwards
# (MMAP_TEST_FRESH_KEEP=1 keeps it).
#
# --ci runs the whole of `bash .ci/run` (make check) in the new root
# instead, with the host checks but this one (the full first-run proof,
# the debug kernel's build included; not part of make check).
#
# The .deb files this machine has already downloaded ($CACHE/debs: kernels,
# headers, busybox) are put in the new root's cache (hard links where they
# can be): the check proves the install steps, and every package list is
# still fetched and every version still resolved there, but a kernel is
# not downloaded a second time.  MMAP_TEST_FRESH_DEBS=0 downloads them all;
# --ci always starts from an empty cache.
#
# Environment: FRESH_TARGETS (default: one Debian-kernel target of REPO per
# build root, as above),
# FRESH_DEMO_TARGET (default: make demo's own default),
# MMAP_TEST_FRESH_DEBS (default 1).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

ci=0
if [ "${1:-}" = --ci ]; then
	ci=1
	shift
fi
repo=$(cd "${1:-$TOP}" && pwd)
[ -f "$repo/Makefile" ] || die "no Makefile in $repo"
TAP_PREFIX="fresh: "

need_pkgs mmdebstrap debian-archive-keyring
read -r main sec <<< "$(apt_mirrors)"
work=$(mktemp -d "${TMPDIR:-/tmp}/mmap-test-fresh.XXXXXX")
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	[ "${MMAP_TEST_FRESH_KEEP:-0}" = 1 ] && { info "kept $work"; return; }
	rm -rf "$work"
}
trap cleanup EXIT
root=$work/root
logs=$HOSTLOG/fresh
rm -rf "$logs"
mkdir -p "$logs"

stage "a new Debian root (log: build/host/fresh/mmdebstrap.log)"
rc=0
# What a new machine of this kind has: make (and git, for --ci: CI runs in
# a git clone).
incl="make"
[ "$ci" = 1 ] && incl=make,git
mmdebstrap --variant=minbase --include="$incl" bookworm "$root" \
	"deb $main bookworm main" "deb $main bookworm-updates main" \
	"deb $sec bookworm-security main" >"$logs/mmdebstrap.log" 2>&1 || rc=$?
tap_status "$rc" "a new bookworm minbase root with $incl" "$logs/mmdebstrap.log"
[ "$rc" = 0 ] || { tap_plan; exit 1; }
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || :
mkdir -p "$root/src/mmap-test"
if [ "$ci" = 1 ]; then
	git clone -q "$repo" "$root/src/mmap-test"
else
	tree_copy "$repo" "$root/src/mmap-test"
fi

if [ "$ci" = 0 ] && [ "${MMAP_TEST_FRESH_DEBS:-1}" = 1 ] && [ -d "$CACHE/debs" ]; then
	mkdir -p "$root/root/.cache/mmap-test/debs"
	find "$CACHE/debs" -maxdepth 1 -name '*.deb' -size +0 -exec \
		sh -c 'cp -l "$@" "$0" 2>/dev/null || cp "$@" "$0"' \
		"$root/root/.cache/mmap-test/debs" {} +
	info "fresh: $(find "$root/root/.cache/mmap-test/debs" -name '*.deb' | wc -l) .deb files of this machine's cache reused"
fi

# fresh CMD...: CMD in the new root, in the copy of the repo, nothing bound.
fresh() {
	MT_BINDS='' in_root "$root" /bin/sh -c 'cd /src/mmap-test && exec "$@"' sh "$@"
}

if [ "$ci" = 1 ]; then
	shell_checks=$(target_role shell-checks)
	stage "fresh: bash .ci/run (log: build/host/fresh/ci.log)"
	rc=0
	fresh env CI=true HOST_CHECKS="lint packaging shell-${shell_checks// / shell-}" \
		bash .ci/run >"$logs/ci.log" 2>&1 || rc=$?
	tail -n 30 "$logs/ci.log" | sed 's/^/#   | /'
	tap_status "$rc" "bash .ci/run in a new root: $(tail -n 1 "$logs/ci.log")"
	tap_plan
	tap_passed
	exit
fi

# shellcheck disable=SC2016  # expanded in the root
# One target per build root: what a first build proves (the root made
# from its recipe, the kernel headers fetched and extracted, the kselftest
# headers, the module and every program built) is the same for the other
# targets of that root, whose own matrix rows build them in a root made
# from the same recipe.  Of a root's targets the first that brings a
# kselftest source, else an architecture, not yet built here, so that the
# builds span both harnesses and several compilers.  The host packages of
# every target (qemu per architecture) are installed all the same.
targets=${FRESH_TARGETS:-$(fresh bash -c '. scripts/lib.sh
	cands=()
	for t in $TARGETS_ALL; do
		target_load "$t"
		[ "$T_KERNEL" = debug ] || [ "$T_SYSTEM" != busybox ] && continue
		cands+=("$T_ROOT $T_KSFT_SOURCE $T_ARCH $t")
	done
	roots=" " ksfts=" " arches=" "
	for c in "${cands[@]}"; do
		read -r r _ _ _ <<< "$c"
		case $roots in *" $r "*) continue ;; esac
		roots="$roots$r "
		best= score=-1
		for d in "${cands[@]}"; do
			read -r r2 k a t <<< "$d"
			[ "$r2" = "$r" ] || continue
			n=0
			case $ksfts in *" $k "*) ;; *) n=$((n + 2)) ;; esac
			case $arches in *" $a "*) ;; *) n=$((n + 1)) ;; esac
			[ $n -le $score ] || { score=$n best="$k $a $t"; }
		done
		read -r k a t <<< "$best"
		ksfts="$ksfts$k " arches="$arches$a "
		echo "$t"
	done')}
stage "fresh: the host packages of every target"
rc=0
# shellcheck disable=SC2016  # expanded in the root
fresh bash -c '. scripts/lib.sh && need_host_pkgs $TARGETS_ALL' \
	>"$logs/host-pkgs.log" 2>&1 || rc=$?
tap_status "$rc" "the host packages of every target (need_host_pkgs)" "$logs/host-pkgs.log"
# Two builds at a time (downloads and mmdebstrap wait on the network); the
# builds of one release share its root, which the first one makes.
build_one() {
	local rc=0
	fresh scripts/build.sh "$1" >"$logs/build-$1.log" 2>&1 || rc=$?
	echo "$rc" > "$logs/build-$1.rc"
}
read -r -d "" -a tl <<< "$targets" || :
for ((i = 0; i < ${#tl[@]}; i += 2)); do
	stage "fresh: build ${tl[*]:i:2} (logs: build/host/fresh/build-<target>.log)"
	for t in "${tl[@]:i:2}"; do
		build_one "$t" &
	done
	wait
done
for t in $targets; do
	tap_status "$(cat "$logs/build-$t.rc" 2>/dev/null || echo 1)" \
		"scripts/build.sh $t with no build root" "$logs/build-$t.log"
done

stage "fresh: make demo (log: build/host/fresh/demo.log)"
rc=0
# as a systemd unit or cron runs it: no HOME, no terminal
demo=(env -u HOME setsid -w make demo)
[ -n "${FRESH_DEMO_TARGET:-}" ] && demo+=("TARGET=$FRESH_DEMO_TARGET")
fresh "${demo[@]}" >"$logs/demo.log" 2>&1 < /dev/null || rc=$?
if [ "$rc" = 0 ] && ! grep -aq '^DEMO-RESULT: PASS' "$logs/demo.log"; then
	rc=1
fi
tap_status "$rc" "make demo (no HOME, no terminal) reaches DEMO-RESULT: PASS" "$logs/demo.log"

tap_plan
tap_passed
