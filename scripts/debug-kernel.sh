#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/debug-kernel.sh [--rebuild] [TARGET]     (default x86_64-debug)
#
# Build (or reuse) the kernel of a KERNEL=debug target: Debian's
# SOURCE_PKG (linux-source-7.3 for x86_64-debug), configured as
# `make tinyconfig` plus the fragment scripts/debug-kernel.config (KASAN,
# lockdep, PROVE_RCU, kmemleak, DEBUG_VM, DEBUG_ATOMIC_SLEEP, PER_VMA_LOCK,
# PT_RECLAIM, ...), compiled inside the target's build root (the release
# whose gcc builds that kernel, scripts/roots/<ROOT>.conf).
#
# On success prints exactly two lines on stdout:
#   KDIR=<kernel tree: make -C "$KDIR" M=<dir> modules builds a module for it>
#   KERNEL_IMAGE=<bzImage to boot with qemu-system-x86_64 -kernel>
# Progress and errors go to stderr; the full log is <tree dir>/build.log.
#
# The tree lives in $CACHE/debug-kernel/<hash>/, <hash> covering the
# fragment, the source package and version, the build root and RECIPE
# below, so it is rebuilt only when one of them changes.  Once a tree is
# complete, the trees of other hashes are deleted (each is ~2 GB).  A build
# that did not finish (no completion stamp) is deleted and redone.
# Concurrent runs serialise on a lock.
#
# --rebuild   discard the cached tree for the current hash and build again.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# Keep stdout for the two result lines only.
exec 3>&1 1>&2

# Bump when the build steps below change in a way that needs a new tree.
RECIPE=2
JOBS=$(nproc)

rebuild=0 target=$(target_role debug-kernel)
while [ $# -gt 0 ]; do
	case $1 in
	--rebuild) rebuild=1 ;;
	-h | --help) script_help "$0"; exit 0 ;;
	-*) die "unknown option: $1" ;;
	*) target=$1 ;;
	esac
	shift
done
target_load "$target"
if [ "$T_KERNEL" != debug ] || [ -z "$T_SOURCE_PKG" ]; then
	die "$target is not a KERNEL=debug target with a SOURCE_PKG"
fi
if [ "$T_ARCH" != x86_64 ] || [ "$(uname -m)" != x86_64 ]; then
	die "the debug kernel is built natively for x86_64"
fi
FRAGMENT=$TOP/scripts/debug-kernel.config
[ -r "$FRAGMENT" ] || die "missing $FRAGMENT"

ROOT=$(root_ensure "$T_ROOT")
papt_update "$T_SUITES"
ver=$(deb_version "$T_SUITES" "$T_SOURCE_PKG")
[ -n "$ver" ] || die "no $T_SOURCE_PKG in $T_SUITES"
hash=$({
	printf 'recipe %s\nsource %s %s\nroot %s\n' "$RECIPE" "$T_SOURCE_PKG" \
		"$ver" "$(basename "$ROOT")"
	cat "$FRAGMENT"
} | sha256sum | cut -c1-16)

BASE=$CACHE/debug-kernel
DIR=$BASE/$hash
TREE=$DIR/linux
STAMP=$DIR/complete
LOGFILE=$DIR/build.log
IMAGE=$TREE/arch/$T_KARCH/boot/bzImage
mkdir -p "$BASE"
lock_file "$BASE/$hash.lock"
[ $rebuild -eq 1 ] && rm -f "$STAMP"

elapsed() { printf '%dm%02ds' $((SECONDS / 60)) $((SECONDS % 60)); }

# run_make WHAT ARGS...: make in the tree inside the build root, output to
# the log, a progress line on stderr at most once a minute.
run_make() {
	local what=$1 n=0 last=$SECONDS line
	shift
	info "debug kernel: make $what (log: $LOGFILE)"
	printf '\n### make %s\n' "$*" >>"$LOGFILE"
	if ! in_root "$ROOT" make -C "$TREE" "$@" 2>&1 | tee -a "$LOGFILE" | {
		while IFS= read -r line; do
			n=$((n + 1))
			if [ $((SECONDS - last)) -ge 60 ]; then
				last=$SECONDS
				info "  $what: $(elapsed) total, $n lines, at: ${line:0:60}"
			fi
		done
	}; then
		tail -n 40 "$LOGFILE" >&2
		die "debug kernel: make $what failed (see $LOGFILE)"
	fi
}

# Every CONFIG_X=v line of the fragment must appear verbatim in .config and
# every "# CONFIG_X is not set" must not be set there.
verify_config() {
	local cfg=$1 line sym bad=()
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$cfg" ||
				bad+=("$line (got: $(grep -E "^(# )?${line%%=*}[= ]" "$cfg" || echo absent))")
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			if grep -qE "^$sym=" "$cfg"; then
				bad+=("$line (got: $(grep -E "^$sym=" "$cfg"))")
			fi
			;;
		esac
	done <"$FRAGMENT"
	if [ ${#bad[@]} -gt 0 ]; then
		printf '  %s\n' "${bad[@]}" >&2
		die "the .config does not honour the fragment (${#bad[@]} options); see $cfg"
	fi
	info "debug kernel: config verified, every fragment option is as requested"
}

if [ -f "$STAMP" ] && [ -f "$IMAGE" ] && [ -f "$TREE/Module.symvers" ]; then
	info "debug kernel: reusing $DIR ($T_SOURCE_PKG $ver)"
else
	SECONDS=0
	[ -e "$DIR" ] && rm -rf "$DIR"
	mkdir -p "$DIR"
	deb=$(fetch_deb "$T_SUITES" "$T_SOURCE_PKG=$ver")
	stage "building the $target kernel from $T_SOURCE_PKG $ver"
	info "debug kernel: extracting $T_SOURCE_PKG"
	linux_source_extract "$deb" "$TREE" 1
	{
		printf 'debug-kernel %s: %s %s, root %s\n' "$hash" "$T_SOURCE_PKG" \
			"$ver" "$ROOT"
		in_root "$ROOT" gcc --version | head -n1
		date -u
	} >"$LOGFILE"
	cp "$FRAGMENT" "$DIR/fragment.config"
	# Default ARCH (x86, from the host): 64BIT is a visible option there,
	# tinyconfig turns it off and the fragment turns it back on, so
	# 64-bit-only options keep their defaults (as in Debian's kernel).
	run_make tinyconfig tinyconfig
	info "debug kernel: merging $FRAGMENT"
	# shellcheck disable=SC2016  # expanded by the inner shell
	in_root "$ROOT" sh -c 'cd "$1" && scripts/kconfig/merge_config.sh -m .config "$2"' \
		sh "$TREE" "$DIR/fragment.config" >>"$LOGFILE" 2>&1 ||
		die "merge_config.sh failed; see $LOGFILE"
	run_make olddefconfig olddefconfig
	verify_config "$TREE/.config"
	run_make bzImage -j"$JOBS" bzImage
	# Writes Module.symvers and the host tools that M= builds need.
	run_make modules -j"$JOBS" modules
	run_make modules_prepare modules_prepare
	[ -f "$IMAGE" ] || die "no $IMAGE after the build"
	[ -f "$TREE/Module.symvers" ] || die "no Module.symvers after the build"
	date -u >"$STAMP"
	info "debug kernel: built in $(elapsed): $DIR"
	find "$BASE" -mindepth 1 -maxdepth 1 -type d ! -name "$hash" \
		-exec rm -rf {} + 2>/dev/null || :
	find "$BASE" -mindepth 1 -maxdepth 1 -name '*.lock' ! -name "$hash.lock" \
		-delete 2>/dev/null || :
fi

printf 'KDIR=%s\nKERNEL_IMAGE=%s\n' "$TREE" "$IMAGE" >&3
