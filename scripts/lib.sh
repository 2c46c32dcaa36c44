#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the mmap-test scripts.  Source it, do not run it:
#
#   . "$(dirname "$0")/lib.sh"
#
# Messages:
#   stage/info/warn/die TEXT     progress and errors, on stderr
# Host packages (the host runs only qemu, mmdebstrap and small tools):
#   need_pkgs PKG...             install what is missing; one line of output,
#                                apt's own output goes to build/host/apt.log
#   host_pkgs TARGET...          the host packages those targets need
# Targets (one data file each: scripts/targets/<name>.conf):
#   TARGETS_ALL                  every target name
#   target_check NAME            die unless NAME is a target
#   target_load NAME             set the T_* variables of NAME
# Debian archives (a private APT configuration per suite list, never the
# host's APT state; the mirror is the host's own, see apt_mirrors):
#   papt SUITES ARGS...          apt-get on those suites (amd64 and arm64)
#   papt_cache SUITES ARGS...    apt-cache on them
#   papt_update SUITES           refresh their lists once a day
#   fetch_deb SUITES PKG[=VER] [ARCH]   path of the cached .deb on stdout
#   deb_version SUITES PKG [ARCH]       candidate version
# Build roots (scripts/roots/<name>.conf, made by mmdebstrap, cached):
#   root_ensure NAME             make the root if needed; path on stdout
#   in_root ROOT CMD...          run CMD chrooted in ROOT (own mount
#                                namespace, /proc and /dev mounted, TOP and
#                                CACHE bind-mounted at the same paths)
# Misc:
#   splat_scan LOG               kernel splats of a serial log
#   lock_file FILE               hold an flock on FILE until exit
#   as_root CMD...               run as root (directly or through sudo)
#
# Environment: MMAP_TEST_CACHE (default $HOME/.cache/mmap-test),
# MMAP_TEST_MIRROR / MMAP_TEST_SECURITY_MIRROR (default: read from the
# host's APT sources), MMAP_TEST_APT_MAX_AGE (seconds before private APT
# lists are refreshed, default 86400).

# shellcheck disable=SC2034  # variables used by the scripts that source us
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${MMAP_TEST_CACHE:-$HOME/.cache/mmap-test}
HOSTLOG=$TOP/build/host
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

lock_file() {
	local fd
	mkdir -p "$(dirname "$1")"
	exec {fd}>>"$1"
	if ! flock -n "$fd"; then
		info "waiting for $1 (another run holds it)"
		flock "$fd"
	fi
}

# ---------------------------------------------------------------------------
# Host packages.

# host_apt CMD...: CMD (an apt-get of the host's) under a lock: jobs that
# run at the same time (make check's, the fresh check's builds) would
# otherwise fail on apt's own locks.
host_apt() {
	mkdir -p "$CACHE"
	( flock 9 && as_root "$@" ) 9>>"$CACHE/.host-apt.lock"
}

_HOST_APT_UPDATED=${_HOST_APT_UPDATED:-0}
host_apt_update() {
	[ "$_HOST_APT_UPDATED" = 1 ] && return 0
	mkdir -p "$HOSTLOG"
	info "apt-get update (log: ${HOSTLOG#"$TOP"/}/apt.log)"
	host_apt apt-get -q update >>"$HOSTLOG/apt.log" 2>&1 ||
		die "apt-get update failed (see $HOSTLOG/apt.log)"
	_HOST_APT_UPDATED=1
	export _HOST_APT_UPDATED
}

# need_pkgs PKG... : install the packages that are not installed yet.
need_pkgs() {
	local p missing=() opts
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$'; then
			missing+=("$p")
		fi
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	mkdir -p "$HOSTLOG"
	info "installing: ${missing[*]} (log: ${HOSTLOG#"$TOP"/}/apt.log)"
	opts=(-y -q -o DPkg::Lock::Timeout=600 --no-install-recommends)
	compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null || host_apt_update
	if ! host_apt apt-get install "${opts[@]}" "${missing[@]}" \
		>>"$HOSTLOG/apt.log" 2>&1; then
		host_apt_update
		host_apt apt-get install "${opts[@]}" "${missing[@]}" \
			>>"$HOSTLOG/apt.log" 2>&1 ||
			die "cannot install ${missing[*]} (see $HOSTLOG/apt.log)"
	fi
}

# host_pkgs TARGET...: what the host needs to make build roots, fetch
# kernels and boot the targets.  Compilers live in the build roots.
host_pkgs() {
	local t p="mmdebstrap debian-archive-keyring cpio gzip xz-utils"
	for t in "$@"; do
		target_load "$t"
		case $T_ARCH in
		arm64) p="$p qemu-system-arm" ;;
		*) p="$p qemu-system-x86" ;;
		esac
	done
	printf '%s\n' "$p" | tr ' ' '\n' | sort -u | tr '\n' ' '
}

# ---------------------------------------------------------------------------
# Targets: scripts/targets/<name>.conf, described in scripts/targets/README.

TARGETS_DIR=$TOP/scripts/targets
TARGETS_ALL=$(cd "$TARGETS_DIR" && for f in *.conf; do
	echo "${f%.conf}"; done | sort -V | tr '\n' ' ')
TARGETS_ALL=${TARGETS_ALL% }

target_check() {
	case " $TARGETS_ALL " in
	*" $1 "*) ;;
	*) die "unknown target '$1' (one of: $TARGETS_ALL)" ;;
	esac
}

# target_load NAME: T_NAME, and every FIELD of the file as T_FIELD, with
# defaults and derived values (T_KARCH, T_CROSS, T_QEMU...).
target_load() {
	local line v
	target_check "$1"
	for v in ARCH SUITES KERNEL FLAVOUR ABI_RE IMAGE_PKG IMAGE_FILE \
		HEADERS_PKGS KBUILD_PKG SOURCE_PKG ROOT TIMEOUT APPEND DEBUG \
		QEMU_MACHINE QEMU_CPU CONSOLE HOOKS HUGE; do
		eval "T_$v="
	done
	T_NAME=$1
	while IFS= read -r line; do
		case $line in
		[A-Z]*=*) eval "T_$line" ;;
		esac
	done < "$TARGETS_DIR/$1.conf"
	T_KERNEL=${T_KERNEL:-debian}
	T_TIMEOUT=${T_TIMEOUT:-900}
	T_DEBUG=${T_DEBUG:-0}
	T_HOOKS=${T_HOOKS:-mmap}
	T_HUGE=${T_HUGE:-0}
	case $T_HUGE in
	0 | 1) ;;
	*) die "$1: HUGE must be 0 or 1, not '$T_HUGE'" ;;
	esac
	for v in $T_HOOKS; do
		case $v in
		mmap | prepare) ;;
		*) die "$1: unknown HOOKS entry '$v' (mmap or prepare)" ;;
		esac
	done
	T_ARCH=${T_ARCH:-}
	case $T_ARCH in
	x86_64)
		T_KARCH=x86 T_CROSS='' T_DEBARCH=amd64 T_QEMU=qemu-system-x86_64
		T_QEMU_MACHINE=${T_QEMU_MACHINE:-}
		T_CONSOLE=${T_CONSOLE:-ttyS0}
		;;
	arm64)
		T_KARCH=arm64 T_CROSS=aarch64-linux-gnu- T_DEBARCH=arm64
		T_QEMU=qemu-system-aarch64
		T_QEMU_MACHINE=${T_QEMU_MACHINE:-virt}
		T_QEMU_CPU=${T_QEMU_CPU:-cortex-a57}
		T_CONSOLE=${T_CONSOLE:-ttyAMA0}
		;;
	*) die "$1: unknown ARCH '$T_ARCH'" ;;
	esac
	if [ -z "$T_SUITES" ] || [ -z "$T_ROOT" ]; then
		die "$1: SUITES and ROOT are required"
	fi
	[ -f "$TOP/scripts/roots/$T_ROOT.conf" ] ||
		die "$1: no build root scripts/roots/$T_ROOT.conf"
}

# ---------------------------------------------------------------------------
# Debian archives through private APT configurations.

# apt_mirrors: "MAIN SECURITY", the host's own Debian mirror URIs.
apt_mirrors() {
	local main=${MMAP_TEST_MIRROR:-} sec=${MMAP_TEST_SECURITY_MIRROR:-} u
	if [ -z "$main" ] || [ -z "$sec" ]; then
		for u in $(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
			/etc/apt/sources.list.d/*.sources 2>/dev/null |
			sed -nE -e 's/^URIs:[[:space:]]*//p' \
				-e 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' |
			tr ' ' '\n'); do
			u=${u%/}
			case $u in
			*/debian-security) [ -n "$sec" ] || sec=$u ;;
			*/debian) [ -n "$main" ] || main=$u ;;
			esac
		done
	fi
	[ -n "$main" ] || die "no Debian mirror (a .../debian URI) in the host's APT sources; set MMAP_TEST_MIRROR"
	[ -n "$sec" ] || sec=${main%/debian}/debian-security
	printf '%s %s\n' "$main" "$sec"
}

# _papt_dir SUITES: the private APT directory of a suite list.
_papt_dir() {
	printf '%s/apt/%s\n' "$CACHE" \
		"$(printf '%s\n' "$1" "$(apt_mirrors)" | cksum | cut -d' ' -f1)"
}

_papt_setup() {
	local d s main sec kr=/usr/share/keyrings/debian-archive-keyring.gpg
	d=$(_papt_dir "$1")
	[ -f "$d/apt.conf" ] && return 0
	need_pkgs debian-archive-keyring
	read -r main sec <<< "$(apt_mirrors)"
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" \
		"$d/sources.list.d" "$d/preferences.d"
	: > "$d/status"
	for s in $1; do
		case $s in
		*-security) echo "deb [signed-by=$kr] $sec $s main" ;;
		*) echo "deb [signed-by=$kr] $main $s main" ;;
		esac
	done > "$d/sources.list"
	cat > "$d/apt.conf.tmp" <<-EOC
	APT::Architectures { "amd64"; "arm64"; };
	APT::Sandbox::User "root";
	Dir::State::Lists "$d/lists";
	Dir::State::status "$d/status";
	Dir::Cache "$d/cache";
	Dir::Etc::SourceList "$d/sources.list";
	Dir::Etc::SourceParts "$d/sources.list.d";
	Dir::Etc::Preferences "$d/preferences";
	Dir::Etc::PreferencesParts "$d/preferences.d";
	EOC
	printf '%s\n' "$1" > "$d/suites"
	mv "$d/apt.conf.tmp" "$d/apt.conf"
}

papt() {
	local s=$1
	shift
	_papt_setup "$s"
	apt-get -c "$(_papt_dir "$s")/apt.conf" "$@"
}

papt_cache() {
	local s=$1
	shift
	_papt_setup "$s"
	apt-cache -c "$(_papt_dir "$s")/apt.conf" "$@"
}

# papt_update SUITES: refresh the lists when missing or older than
# MMAP_TEST_APT_MAX_AGE.  The archive keeps only the newest kernels, so
# stale lists name packages that are gone.
papt_update() {
	local d stamp
	_papt_setup "$1"
	d=$(_papt_dir "$1")
	stamp=$d/updated
	_papt_fresh() {
		[ -f "$stamp" ] && [ $(( $(date +%s) - $(stat -c %Y "$stamp") )) -lt \
			"${MMAP_TEST_APT_MAX_AGE:-86400}" ]
	}
	_papt_fresh && return 0
	lock_file "$d/.lock"
	_papt_fresh && return 0
	mkdir -p "$HOSTLOG"
	info "apt-get update: $1 (log: ${HOSTLOG#"$TOP"/}/apt.log)"
	papt "$1" -q update >>"$HOSTLOG/apt.log" 2>&1 ||
		die "apt-get update of $1 failed (see $HOSTLOG/apt.log)"
	touch "$stamp"
}

# deb_version SUITES PKG [ARCH]: candidate version, empty if unknown.
deb_version() {
	papt_cache "$1" show --no-all-versions "$2${3:+:$3}" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n1
}

# fetch_deb SUITES PKG[=VERSION] [ARCH]: path of the cached .deb on stdout.
fetch_deb() {
	local suites=$1 spec=$2 arch=${3:-} pkg ver file tmp got
	local dir=$CACHE/debs
	pkg=${spec%%=*}
	ver=
	[ "$spec" != "$pkg" ] && ver=${spec#*=}
	papt_update "$suites"
	[ -n "$ver" ] || ver=$(deb_version "$suites" "$pkg" "$arch")
	[ -n "$ver" ] || die "no $pkg${arch:+:$arch} in $suites"
	arch=$(papt_cache "$suites" show "$pkg${arch:+:$arch}=$ver" 2>/dev/null |
		sed -n 's/^Architecture: //p' | head -n1)
	[ -n "$arch" ] || die "no architecture for $pkg=$ver"
	file=$dir/${pkg}_${ver//:/%3a}_${arch}.deb
	if [ ! -s "$file" ]; then
		mkdir -p "$dir"
		tmp=$(mktemp -d "$dir/.dl.XXXXXX")
		chmod 755 "$tmp"
		info "downloading $pkg $ver ($arch)"
		(cd "$tmp" && papt "$suites" -q download "$pkg:$arch=$ver" \
			>>"$HOSTLOG/apt.log" 2>&1) ||
			{ rm -rf "$tmp"; die "cannot download $pkg=$ver (see $HOSTLOG/apt.log)"; }
		got=$(find "$tmp" -name '*.deb' | head -n1)
		[ -n "$got" ] || { rm -rf "$tmp"; die "no .deb for $pkg"; }
		mv "$got" "$file"
		rm -rf "$tmp"
	fi
	printf '%s\n' "$file"
}

# ---------------------------------------------------------------------------
# Build roots: scripts/roots/<name>.conf gives SUITE and PACKAGES.  A root
# is $CACHE/roots/<name>-<hash>, the hash covering the file and the mirror,
# so that editing the package list makes a new root; older roots of the
# same name are deleted once the new one is complete.

ROOTS_DIR=$TOP/scripts/roots

root_ensure() {
	local name=$1 conf=$ROOTS_DIR/$1.conf hash dir SUITE PACKAGES main sec
	local log
	[ -f "$conf" ] || die "no build root $conf"
	hash=$({ cat "$conf"; apt_mirrors; } | sha256sum | cut -c1-12)
	dir=$CACHE/roots/$name-$hash
	if [ ! -f "$dir/.complete" ]; then
		lock_file "$CACHE/roots/.$name.lock"
	fi
	if [ ! -f "$dir/.complete" ]; then
		SUITE='' PACKAGES=''
		# shellcheck disable=SC1090
		. "$conf"
		read -r main sec <<< "$(apt_mirrors)"
		need_pkgs mmdebstrap debian-archive-keyring
		mkdir -p "$HOSTLOG"
		log=$HOSTLOG/root-$name.log
		info "making build root $name ($SUITE, log: ${log#"$TOP"/})"
		as_root rm -rf "$dir"
		# shellcheck disable=SC2086  # PACKAGES is a list
		as_root mmdebstrap --variant=minbase \
			--include="$(echo $PACKAGES | tr ' ' ',')" \
			"$SUITE" "$dir" "deb $main $SUITE main" >"$log" 2>&1 ||
			{ tail -n 20 "$log" >&2; die "mmdebstrap $name failed (see $log)"; }
		date -u > "$dir/.complete"
		find "$CACHE/roots" -mindepth 1 -maxdepth 1 -type d \
			-name "$name-*" ! -name "$name-$hash" \
			-exec rm -rf {} + 2>/dev/null || :
	fi
	printf '%s\n' "$dir"
}

# in_root ROOT CMD...: CMD inside ROOT with a clean environment (PATH,
# HOME, LC_ALL and the variables named in MT_ENV), in a mount namespace of
# its own: /proc and /dev mounted, and the directories of MT_BINDS
# (default: TOP and CACHE) bind-mounted at the same paths.
in_root() {
	local r=$1 v envs=()
	shift
	for v in ${MT_ENV:-}; do envs+=("$v=${!v-}"); done
	# shellcheck disable=SC2016  # expanded by the inner shell
	as_root unshare --mount --propagation private -- /bin/sh -ec '
		r=$1 binds=$2
		shift 2
		# The root must be a mount point, so that a nested in_root (the
		# fresh check runs the scripts in a root) can make / private.
		mount --bind "$r" "$r"
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		for d in $binds; do
			mkdir -p "$r$d"
			mount --bind "$d" "$r$d"
		done
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 "$@"
	' in_root "$r" "${MT_BINDS-$TOP $CACHE}" "${envs[@]}" "$@"
}

# ---------------------------------------------------------------------------
# Kernel splat scan of a serial log.

SPLAT_RE='BUG:|WARNING:|Oops|KASAN:|kmemleak: .*suspected memory leak|unreferenced object|possible circular locking|possible recursive locking|sleeping function called from invalid context|general protection fault|Kernel panic|UBSAN:|list_add corruption|list_del corruption|[Bb]ad page state|Bad page|INFO: task .* blocked for more than|watchdog: BUG: soft lockup|rcu: INFO: rcu_.* stall|suspicious RCU usage'

# splat_scan LOG: prints every splat line with context on stderr and the
# number of distinct splat lines (timestamps stripped) on stdout.
splat_scan() {
	local log=$1 n
	[ -f "$log" ] || { echo 0; return 0; }
	n=$(tr -d '\r' < "$log" | grep -aE "$SPLAT_RE" |
		sed -E 's/^\[ *[0-9]+\.[0-9]+\] *//' | sort -u | wc -l)
	if [ "$n" -gt 0 ]; then
		printf -- '--- kernel splats in %s ---\n' "$log" >&2
		tr -d '\r' < "$log" | grep -an -E -B2 -A12 "$SPLAT_RE" >&2 || :
		printf -- '--- end of splats ---\n' >&2
	fi
	echo "$n"
}
