#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build roots (part of scripts/lib.sh): a Debian root per release whose
# compiler built the kernels of that release, so that a module is built
# with the kernel's own compiler on any host.
#
#   root_ensure NAME             make the root if needed; path on stdout
#   in_root ROOT CMD...          run CMD chrooted in ROOT (own mount
#                                namespace, /proc and /dev mounted, TOP and
#                                CACHE bind-mounted at the same paths)
#
# scripts/roots/<name>.conf gives SUITE and PACKAGES.  A root is
# $CACHE/roots/<name>-<hash>, the hash covering the file and the mirror, so
# that editing the package list makes a new root; older roots of the same
# name are deleted once the new one is complete.

ROOTS_DIR=$TOP/scripts/roots

root_ensure() {
	local name=$1 conf=$ROOTS_DIR/$1.conf hash dir SUITE PACKAGES main
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
		read -r main _ <<< "$(apt_mirrors)"
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
