#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/debug-kernel.sh [--rebuild]
#
# Build (or reuse) the x86_64-debug kernel: Linux 6.12 from Debian's
# linux-source-6.12 package, configured as `make tinyconfig` plus the fragment
# scripts/debug-kernel.config (KASAN, lockdep, kmemleak, DEBUG_VM, ...).
#
# On success prints exactly two lines on stdout, and nothing else:
#   KDIR=<kernel tree: make -C "$KDIR" M=<dir> modules builds a module for it>
#   KERNEL_IMAGE=<bzImage to boot with qemu-system-x86_64 -kernel>
# Everything else (progress, errors) goes to stderr; the full build log is
# <build dir>/build.log.
#
# The tree lives in ${MMAP_TEST_CACHE:-$HOME/.cache/mmap-test}/debug-kernel/<hash>/
# where <hash> covers the fragment's content, the linux-source-6.12 package
# version (apt candidate), the gcc version and this script's recipe version, so
# it is rebuilt only when one of them changes. A build that did not finish (no
# completion stamp) is deleted and redone. Concurrent runs serialise on a lock.
#
# --rebuild   discard the cached tree for the current hash and build again.
#
# Cache layout of <hash>/: linux/ (source and build tree, ~1.9 GB), build.log,
# fragment.config (the fragment used), complete (stamp, written last).
# Trees of older hashes are not deleted automatically.
#
# Missing build packages are installed with apt-get (needs root or sudo).
# A full build needs ~20 CPU-minutes: ~10 min wall on 2 idle cores (make -j2),
# 40+ min when other jobs share the cores. Reuse takes a few seconds.

set -euo pipefail

# Keep stdout for the two result lines only.
exec 3>&1 1>&2

# Bump when the build steps below change in a way that needs a new tree.
RECIPE=1
SRC_PKG=linux-source-6.12
JOBS=2
BUILD_PKGS=(flex bison bc libelf-dev libssl-dev dwarves make gcc libc6-dev
	cpio xz-utils)

log() { printf 'debug-kernel: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() { sed -n '3,/^$/s/^# \{0,1\}//p' "$0" >&2; }

rebuild=0
while [ $# -gt 0 ]; do
	case $1 in
	--rebuild) rebuild=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage; die "unknown argument: $1" ;;
	esac
	shift
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FRAGMENT=$ROOT/scripts/debug-kernel.config
CACHE=${MMAP_TEST_CACHE:-$HOME/.cache/mmap-test}
[ -r "$FRAGMENT" ] || die "missing $FRAGMENT"
[ "$(uname -m)" = x86_64 ] || die "needs an x86_64 host (native build)"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "need root to run: $*"
	fi
}

apt_install() {
	local opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=600)
	if ! as_root apt-get install "${opts[@]}" "$@"; then
		log "apt-get install failed; running apt-get update and retrying"
		as_root apt-get update -q
		as_root apt-get install "${opts[@]}" "$@"
	fi
}

ensure_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing build packages: ${missing[*]}"
	apt_install "${missing[@]}"
}

src_version() {
	apt-cache policy "$SRC_PKG" 2>/dev/null |
		awk '$1 == "Candidate:" { print $2 }'
}

# Download the linux-source .deb (once) into $CACHE/debs; print its path.
fetch_deb() {
	local ver=$1 debs=$CACHE/debs deb tmp got
	deb=$debs/${SRC_PKG}_${ver//:/%3a}_all.deb
	if [ -s "$deb" ] && [ "$(dpkg-deb -f "$deb" Version 2>/dev/null)" = "$ver" ]; then
		printf '%s\n' "$deb"
		return 0
	fi
	mkdir -p "$debs"
	tmp=$(mktemp -d "$debs/.dl.XXXXXX")
	log "downloading $SRC_PKG=$ver"
	(cd "$tmp" && apt-get download -q "$SRC_PKG=$ver") >&2
	got=$(find "$tmp" -maxdepth 1 -name "${SRC_PKG}_*.deb" -print -quit)
	[ -n "$got" ] || die "apt-get download produced no .deb"
	[ "$(dpkg-deb -f "$got" Version)" = "$ver" ] ||
		die "downloaded $got is not version $ver"
	mv "$got" "$deb"
	rm -rf "$tmp"
	printf '%s\n' "$deb"
}

elapsed() { printf '%dm%02ds' $(((SECONDS - T0) / 60)) $(((SECONDS - T0) % 60)); }

# Run a make step in the tree, output to the build log, with a short progress
# line on stderr at most once a minute.
run_make() {
	local what=$1 n=0 last=$SECONDS line
	shift
	log "make $what (log: $LOGFILE)"
	printf '\n### make %s\n' "$*" >>"$LOGFILE"
	if ! make -C "$TREE" "$@" 2>&1 | tee -a "$LOGFILE" | {
		while IFS= read -r line; do
			n=$((n + 1))
			if [ $((SECONDS - last)) -ge 60 ]; then
				last=$SECONDS
				log "  $what: $(elapsed) total, $n lines, at: ${line:0:60}"
			fi
		done
	}; then
		log "make $what failed; last lines of $LOGFILE:"
		tail -n 40 "$LOGFILE" >&2
		exit 1
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
		log "the final .config does not honour the fragment:"
		printf '  %s\n' "${bad[@]}" >&2
		die "config verification failed (${#bad[@]} options); see $cfg"
	fi
	log "config verified: every fragment option is as requested"
}

ensure_packages "${BUILD_PKGS[@]}"

ver=$(src_version)
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	log "$SRC_PKG unknown to apt; running apt-get update"
	as_root apt-get update -q
	ver=$(src_version)
fi
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	die "no candidate for $SRC_PKG in apt"
fi

gccver=$(gcc --version | head -n 1)
hash=$({
	printf 'recipe %s\nsource %s %s\ngcc %s\n' "$RECIPE" "$SRC_PKG" "$ver" "$gccver"
	cat "$FRAGMENT"
} | sha256sum | cut -c1-16)

BASE=$CACHE/debug-kernel
DIR=$BASE/$hash
TREE=$DIR/linux
STAMP=$DIR/complete
LOGFILE=$DIR/build.log
IMAGE=$TREE/arch/x86/boot/bzImage
mkdir -p "$BASE"

exec 9>"$BASE/$hash.lock"
if ! flock -n 9; then
	log "another build of $hash is running; waiting for it"
	flock 9
fi

if [ $rebuild -eq 1 ]; then
	rm -f "$STAMP"
fi

if [ -f "$STAMP" ] && [ -f "$IMAGE" ] && [ -f "$TREE/Module.symvers" ]; then
	log "reusing $DIR ($SRC_PKG $ver)"
else
	T0=$SECONDS
	if [ -e "$DIR" ]; then
		log "discarding incomplete or stale tree $DIR"
		rm -rf "$DIR"
	fi
	mkdir -p "$DIR"
	deb=$(fetch_deb "$ver")
	log "extracting $SRC_PKG $ver into $DIR"
	tarball=./usr/src/$SRC_PKG.tar.xz
	mkdir -p "$DIR/extract"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO -f - "$tarball" |
		tar -xJ -C "$DIR/extract" -f -
	mv "$DIR/extract/$SRC_PKG" "$TREE"
	rmdir "$DIR/extract"
	{
		printf 'debug-kernel build %s\nsource %s %s\ngcc %s\nfragment %s\n' \
			"$hash" "$SRC_PKG" "$ver" "$gccver" "$FRAGMENT"
		date -u
	} >"$LOGFILE"
	cp "$FRAGMENT" "$DIR/fragment.config"

	# Default ARCH (x86, from the host): 64BIT is a visible option there,
	# allnoconfig turns it off and the fragment turns it back on, so
	# 64-bit-only options keep their defaults (5-level paging, vsyscall
	# emulation, pkeys, IBT, as in Debian's kernel). One side effect:
	# FRAME_WARN keeps the 32-bit default of 1024.
	run_make tinyconfig tinyconfig
	log "merging $FRAGMENT"
	(cd "$TREE" && scripts/kconfig/merge_config.sh -m .config \
		"$DIR/fragment.config") >>"$LOGFILE" 2>&1 ||
		die "merge_config.sh failed; see $LOGFILE"
	run_make olddefconfig olddefconfig
	verify_config "$TREE/.config"

	run_make bzImage -j"$JOBS" bzImage
	# Few or no in-tree modules, but this writes Module.symvers and the
	# host tools (modpost) that out-of-tree M= builds need.
	run_make modules -j"$JOBS" modules
	run_make modules_prepare modules_prepare
	[ -f "$IMAGE" ] || die "no $IMAGE after the build"
	[ -f "$TREE/Module.symvers" ] || die "no Module.symvers after the build"
	date -u >"$STAMP"
	log "built in $(elapsed): $DIR"
fi

printf 'KDIR=%s\nKERNEL_IMAGE=%s\n' "$TREE" "$IMAGE" >&3
