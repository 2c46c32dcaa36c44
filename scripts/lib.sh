#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the mmap-test scripts.  Source it, do not run it:
#
#   . "$(dirname "$0")/lib.sh"
#
# Provides:
#   TOP, CACHE           repo top; download/extract cache
#                        (${MMAP_TEST_CACHE:-$HOME/.cache/mmap-test})
#   stage TEXT           print a stage header on stderr
#   info/warn/die TEXT   messages on stderr (die exits 1)
#   need_pkgs PKG...     apt-get install the Debian packages that are missing
#   host_apt_update      apt-get update of the host lists, at most once a run
#   arm64_apt ARGS...    apt-get with the private arm64 configuration
#   arm64_apt_cache ARGS...  apt-cache with the private arm64 configuration
#   fetch_deb [--arm64] PKG[=VERSION]
#                        print the path of PKG's .deb in $CACHE/debs,
#                        downloading it only when it is not cached yet
#   deb_version [--arm64] PKG   candidate version of PKG from apt metadata
#   splat_scan LOG       print the kernel splats of a serial log with
#                        context on stderr, and on stdout the number of
#                        distinct splat lines (timestamps stripped)
#   TARGETS_ALL          every target name
#   lock_file FILE       hold an exclusive lock on FILE (flock) until the
#                        script exits; scripts running at the same time on
#                        one cache or build directory wait for each other
#   target_pkgs TARGET   the host packages that build/boot TARGET need
#
# Environment: MMAP_TEST_CACHE, MMAP_TEST_MIRROR (default
# http://deb.debian.org), MMAP_TEST_APT_MAX_AGE (seconds before the private
# arm64 lists are refreshed, default 86400).

# shellcheck disable=SC2034  # variables used by the scripts that source us
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${MMAP_TEST_CACHE:-$HOME/.cache/mmap-test}
MIRROR=${MMAP_TEST_MIRROR:-http://deb.debian.org}
# shellcheck disable=SC2034
TARGETS_ALL="x86_64-6.1 x86_64-6.12 arm64-6.1 arm64-6.12 x86_64-debug"
export DEBIAN_FRONTEND=noninteractive

stage() { printf '\n==> %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo -E "$@"
	else
		die "need root (or sudo) to run: $*"
	fi
}

_HOST_APT_UPDATED=${_HOST_APT_UPDATED:-0}
host_apt_update() {
	[ "$_HOST_APT_UPDATED" = 1 ] && return 0
	info "apt-get update"
	as_root apt-get -qq update >&2 || die "apt-get update failed"
	_HOST_APT_UPDATED=1
	export _HOST_APT_UPDATED
}

# True when the host has package lists at all (a fresh container has none).
_host_lists_present() {
	compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

# need_pkgs PKG... : install the packages that are not installed yet.
need_pkgs() {
	local p missing=()
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$'; then
			missing+=("$p")
		fi
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	info "installing: ${missing[*]}"
	_host_lists_present || host_apt_update
	if ! as_root apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends \
		"${missing[@]}" >&2; then
		host_apt_update
		as_root apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends \
			"${missing[@]}" >&2 || die "cannot install ${missing[*]}"
	fi
}

lock_file() {
	local fd
	mkdir -p "$(dirname "$1")"
	exec {fd}>>"$1"
	if ! flock -n "$fd"; then
		info "waiting for $1 (another run holds it)"
		flock "$fd"
	fi
}

# target_pkgs TARGET: Debian packages the host needs to build and boot it.
target_pkgs() {
	local p="make gcc libc6-dev libelf-dev bc xz-utils cpio gzip"
	p="$p debian-archive-keyring"
	case $1 in
	arm64-*) p="$p gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm" ;;
	*) p="$p qemu-system-x86" ;;
	esac
	echo "$p"
}

# ---------------------------------------------------------------------------
# Private APT configuration for arm64 packages.  It never touches dpkg's
# architecture list nor the host's APT state.

APT_PRIV=$CACHE/apt-arm64

_arm64_apt_setup() {
	[ -f "$APT_PRIV/apt.conf" ] && return 0
	need_pkgs debian-archive-keyring
	mkdir -p "$APT_PRIV/lists/partial" "$APT_PRIV/cache/archives/partial" \
		"$APT_PRIV/sources.list.d" "$APT_PRIV/preferences.d"
	: > "$APT_PRIV/status"
	local kr=/usr/share/keyrings/debian-archive-keyring.gpg
	cat > "$APT_PRIV/sources.list" <<-EOF
	deb [arch=arm64 signed-by=$kr] $MIRROR/debian bookworm main
	deb [arch=arm64 signed-by=$kr] $MIRROR/debian bookworm-updates main
	deb [arch=arm64 signed-by=$kr] $MIRROR/debian-security bookworm-security main
	EOF
	cat > "$APT_PRIV/apt.conf.tmp" <<-EOF
	APT::Architectures { "arm64"; "amd64"; };
	Dir::State::Lists "$APT_PRIV/lists";
	Dir::State::status "$APT_PRIV/status";
	Dir::Cache "$APT_PRIV/cache";
	Dir::Etc::SourceList "$APT_PRIV/sources.list";
	Dir::Etc::SourceParts "$APT_PRIV/sources.list.d";
	Dir::Etc::Preferences "$APT_PRIV/preferences";
	Dir::Etc::PreferencesParts "$APT_PRIV/preferences.d";
	EOF
	mv "$APT_PRIV/apt.conf.tmp" "$APT_PRIV/apt.conf"
}

arm64_apt() { _arm64_apt_setup; apt-get -c "$APT_PRIV/apt.conf" "$@"; }
arm64_apt_cache() { _arm64_apt_setup; apt-cache -c "$APT_PRIV/apt.conf" "$@"; }

_ARM64_UPDATED=0
# arm64_apt_update auto|force: refresh the private lists when missing or
# older than a day (auto), or always (force).
arm64_apt_update() {
	local mode=$1 stamp=$APT_PRIV/updated
	_arm64_apt_setup
	[ "$_ARM64_UPDATED" = 1 ] && return 0
	if [ "$mode" = auto ] && [ -f "$stamp" ] &&
		[ $(( $(date +%s) - $(stat -c %Y "$stamp") )) -lt \
			"${MMAP_TEST_APT_MAX_AGE:-86400}" ]; then
		return 0
	fi
	info "apt-get update (private arm64 lists)"
	arm64_apt -qq -o APT::Sandbox::User=root update >&2 || die "arm64 apt-get update failed"
	touch "$stamp"
	_ARM64_UPDATED=1
}

# deb_version [--arm64] PKG : candidate version, empty if unknown.
deb_version() {
	local cache=apt-cache
	if [ "$1" = --arm64 ]; then cache=arm64_apt_cache; shift; fi
	"$cache" show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n1
}

# fetch_deb [--arm64] PKG[=VERSION] : path of the cached .deb on stdout.
fetch_deb() {
	local arm=0 spec pkg ver arch file dir=$CACHE/debs
	if [ "$1" = --arm64 ]; then arm=1; shift; fi
	spec=$1
	pkg=${spec%%=*}
	if [ "$spec" != "$pkg" ]; then
		ver=${spec#*=}
	elif [ $arm = 1 ]; then
		ver=$(deb_version --arm64 "$pkg")
	else
		ver=$(deb_version "$pkg")
	fi
	[ -n "$ver" ] || die "no version of $pkg in the APT metadata"
	if [ $arm = 1 ]; then
		arch=$(arm64_apt_cache show "$pkg=$ver" 2>/dev/null |
			sed -n 's/^Architecture: //p' | head -n1)
	else
		arch=$(apt-cache show "$pkg=$ver" 2>/dev/null |
			sed -n 's/^Architecture: //p' | head -n1)
	fi
	[ -n "$arch" ] || die "no architecture for $pkg=$ver"
	file=$dir/${pkg}_${ver//:/%3a}_${arch}.deb
	if [ ! -s "$file" ]; then
		mkdir -p "$dir"
		info "downloading $pkg $ver ($arch)"
		local tmp
		tmp=$(mktemp -d "$dir/.dl.XXXXXX")
		chmod 755 "$tmp"
		local dl=(apt-get) upd=host_apt_update target="$pkg:$arch=$ver"
		if [ $arm = 1 ]; then
			dl=(arm64_apt)
			upd="arm64_apt_update force"
			target="$pkg:arm64=$ver"
		fi
		dl+=(-qq -o APT::Sandbox::User=root download "$target")
		{ (cd "$tmp" && "${dl[@]}" >&2 2>/dev/null) ||
			{ $upd && (cd "$tmp" && "${dl[@]}" >&2); }
		} || { rm -rf "$tmp"; die "cannot download $pkg=$ver"; }
		local got
		got=$(find "$tmp" -name '*.deb' | head -n1)
		[ -n "$got" ] || { rm -rf "$tmp"; die "no .deb for $pkg"; }
		mv "$got" "$file"
		rm -rf "$tmp"
	fi
	printf '%s\n' "$file"
}

# ---------------------------------------------------------------------------
# Kernel splat scan of a serial log.

SPLAT_RE='BUG:|WARNING:|Oops|KASAN:|kmemleak: .*suspected memory leak|unreferenced object|possible circular locking|possible recursive locking|sleeping function called from invalid context|general protection fault|Kernel panic|UBSAN:|list_add corruption|list_del corruption|[Bb]ad page state|Bad page|INFO: task .* blocked for more than|watchdog: BUG: soft lockup|rcu: INFO: rcu_.* stall'

# splat_scan LOG: prints every splat line with context on stderr and the
# number of distinct splat lines (timestamps stripped) on stdout.
splat_scan() {
	local log=$1 n
	[ -f "$log" ] || { echo 0; return 0; }
	n=$(tr -d '\r' < "$log" | grep -E "$SPLAT_RE" |
		sed -E 's/^\[ *[0-9]+\.[0-9]+\] *//' | sort -u | wc -l)
	if [ "$n" -gt 0 ]; then
		printf -- '--- kernel splats in %s ---\n' "$log" >&2
		tr -d '\r' < "$log" | grep -n -E -B2 -A12 "$SPLAT_RE" >&2 || :
		printf -- '--- end of splats ---\n' >&2
	fi
	echo "$n"
}
