#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian packages, for the host and from the archive (part of scripts/lib.sh).
# The host runs only qemu, mmdebstrap and small tools; compilers live in the
# build roots (roots.sh).  Kernels, busybox and linux-source come from the
# archive through a private APT configuration per suite list, never through
# the host's APT state; the mirror is the host's own (apt_mirrors).
#
#   need_pkgs PKG...             install the host packages that are missing;
#                                one line of output, apt's own output goes to
#                                build/host/apt.log
#   BASE_SUITES                  the suites of the project's own tools
#                                (busybox-static, the kselftest headers)
#   apt_mirrors                  "MAIN SECURITY" mirror URIs
#   papt SUITES ARGS...          apt-get on those suites (amd64 and the
#                                architectures that use them: _papt_archs)
#   papt_cache SUITES ARGS...    apt-cache on them
#   papt_update SUITES           refresh their lists once a day
#   deb_version SUITES PKG [ARCH]       candidate version
#   fetch_deb SUITES PKG[=VER] [ARCH]   path of the cached .deb on stdout
#
# Environment: MMAP_TEST_MIRROR / MMAP_TEST_SECURITY_MIRROR (default: read
# from the host's APT sources), MMAP_TEST_APT_MAX_AGE (seconds before the
# private lists are refreshed, default 86400).

# shellcheck disable=SC2034  # used by the scripts that source us
BASE_SUITES="bookworm bookworm-updates bookworm-security"

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

# _papt_archs SUITES: the architectures of the private APT configuration
# of a suite list, as apt.conf lists them: amd64 (the host's kbuild tools)
# and the Debian architecture of every target whose SUITES is that list
# and of every architecture whose busybox comes from it (scripts/arches/
# BUSYBOX_SUITES, default BASE_SUITES).  Only those: each list of another
# architecture is one more download that a mirror in sync can fail.
declare -A _PAPT_ARCHS=()
_papt_archs() {
	local a f out=' "amd64";' uses=()
	if [ -n "${_PAPT_ARCHS[$1]+set}" ]; then
		printf '%s\n' "${_PAPT_ARCHS[$1]}"
		return
	fi
	for f in "$TARGETS_DIR"/*.conf; do
		[ "$(conf_field "$f" SUITES)" = "$1" ] &&
			uses+=("$(conf_field "$f" ARCH)")
	done
	for f in "$ARCHES_DIR"/*.conf; do
		a=$(conf_field "$f" BUSYBOX_SUITES)
		[ "${a:-$BASE_SUITES}" = "$1" ] && uses+=("$(basename "$f" .conf)")
	done
	for a in "${uses[@]}"; do
		a=$(conf_field "$ARCHES_DIR/$a.conf" DEBARCH 2>/dev/null)
		[ -n "$a" ] || continue
		case "$out" in *" \"$a\";"*) ;; *) out="$out \"$a\";" ;; esac
	done
	_PAPT_ARCHS[$1]=${out# }
	printf '%s\n' "${out# }"
}

# _papt_dir SUITES: the private APT directory of a suite list (and of the
# mirror and the architectures: a new architecture gets new lists).
_papt_dir() {
	printf '%s/apt/%s\n' "$CACHE" \
		"$(printf '%s\n' "$1" "$(apt_mirrors)" "$(_papt_archs "$1")" |
			cksum | cut -d' ' -f1)"
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
	APT::Architectures { $(_papt_archs "$1") };
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
		# (the lists may be fresh from another tree: no update made it)
		mkdir -p "$dir" "$HOSTLOG"
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
