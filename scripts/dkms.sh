#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/dkms.sh install|build|remove|status [options]
#
#   install  copy the module sources to <source tree>/mmap-test-<version>/
#            (dkms.conf, Kbuild, src/, include/), then dkms add, build
#            and install for one kernel.  What an earlier
#            run installed (any version, the udev rule) is removed first, so
#            this also updates.
#            With --group, also installs udev/60-mmap-test.rules.
#            (`make dkms-install` runs this.)
#   build    the same up to dkms build: the module stays in the dkms tree
#            (<dkms tree>/mmap-test/<version>/<kver>/<arch>/module/).
#   remove   dkms remove --all of every registered mmap-test version, delete
#            the source copies and the udev rule this script installed.
#            The group is kept.
#   status   dkms status of mmap-test.
#
# Options:
#   -k KVER                 kernel release to build for; default: the
#                           release of --kernelsourcedir if given, else
#                           `uname -r`
#   --kernelsourcedir DIR   the kernel's headers/build directory; default
#                           /lib/modules/KVER/build (Debian:
#                           apt install linux-headers-KVER)
#   --group NAME            install the udev rule with GROUP="NAME",
#                           MODE="0660" (creates the system group NAME if
#                           missing).  Without it the device stays 0600 root,
#                           as the module creates it, and no rule is installed.
#   --root DIR              work in a scratch root instead of the host:
#                           DIR/usr/src, DIR/var/lib/dkms, DIR/lib/modules,
#                           DIR/etc/udev/rules.d; no depmod, no udevadm, no
#                           groupadd on the host (what
#                           scripts/host-checks/packaging.sh uses).
#
# Needs root for the host (re-runs itself through sudo when not root) and
# installs Debian's dkms package when it is missing.  DKMS builds for the
# host's architecture.  The version is MODULE_VERSION() of src/main.c and
# must match PACKAGE_VERSION in dkms.conf.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

NAME=mmap-test
RULE=60-mmap-test.rules
RULE_MARK='# installed by mmap-test scripts/dkms.sh'

usage() {
	script_help "$0" >&2
	exit 2
}
help() {
	script_help "$0"
	exit 0
}

[ $# -ge 1 ] || usage
orig_args=("$@")
action=$1
shift
case $action in
install|build|remove|status) ;;
-h|--help|help) help ;;
*) usage ;;
esac

kver='' ksrc='' group='' root=''
while [ $# -gt 0 ]; do
	case $1 in
	-k) [ $# -ge 2 ] || usage; kver=$2; shift 2 ;;
	--kernelsourcedir) [ $# -ge 2 ] || usage; ksrc=$2; shift 2 ;;
	--kernelsourcedir=*) ksrc=${1#*=}; shift ;;
	--group) [ $# -ge 2 ] || usage; group=$2; shift 2 ;;
	--root) [ $# -ge 2 ] || usage; root=$2; shift 2 ;;
	*) usage ;;
	esac
done

if [ -n "$group" ] && ! [[ $group =~ ^[a-z_][a-z0-9_-]*$ ]]; then
	die "--group $group: not a valid group name"
fi
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || die "run as root (or install sudo)"
	exec sudo -E "$0" "${orig_args[@]}"
fi

if [ -n "$root" ]; then
	mkdir -p "$root"
	root=$(cd "$root" && pwd)
fi
source_tree=$root/usr/src
dkms_tree=$root/var/lib/dkms
install_tree=$root/lib/modules
rules_dir=$root/etc/udev/rules.d
[ -z "$root" ] || mkdir -p "$source_tree" "$dkms_tree"

need_pkgs dkms

dkms_cmd() {
	local a=(dkms "$@")
	if [ -n "$root" ]; then
		a+=(--dkmstree "$dkms_tree" --sourcetree "$source_tree"
			--installtree "$install_tree" --no-depmod)
	fi
	info "${a[*]}"
	"${a[@]}"
}

# Every version of mmap-test registered with DKMS, its source copies and
# the udev rule this script installed: an install replaces all of them.
remove_all() {
	local d v r
	for d in "$dkms_tree/$NAME"/*/; do
		# kernel-<kver>-<arch> entries are symlinks into a version.
		if [ ! -d "$d" ] || [ -L "${d%/}" ]; then continue; fi
		v=$(basename "$d")
		stage "removing $NAME/$v from DKMS"
		dkms_cmd remove -m "$NAME" -v "$v" --all
	done
	for d in "$source_tree/$NAME"-*/; do
		if [ ! -f "$d/dkms.conf" ] ||
			! grep -q "^PACKAGE_NAME=\"$NAME\"$" "$d/dkms.conf"; then
			continue
		fi
		info "rm -rf ${d%/}"
		rm -rf "${d%/}"
	done
	r=$rules_dir/$RULE
	if [ -f "$r" ] && grep -qF "$RULE_MARK" "$r"; then
		info "rm $r"
		rm -f "$r"
		reload_udev
	fi
}

reload_udev() {
	[ -z "$root" ] || return 0
	if command -v udevadm >/dev/null && [ -d /run/udev ]; then
		udevadm control --reload-rules || warn "udevadm control --reload-rules failed"
	fi
}

case $action in
status)
	dkms_cmd status -m "$NAME"
	exit 0
	;;
remove)
	remove_all
	info "done: $NAME removed"
	exit 0
	;;
esac

# install / build.  Version: MODULE_VERSION() of src/main.c, which dkms.conf
# must agree with.
ver=$(module_version_agreed "dkms.conf PACKAGE_VERSION" dkms.conf \
	's/^PACKAGE_VERSION="\([^"]*\)"$/\1/p')

if [ -n "$ksrc" ]; then
	[ -d "$ksrc" ] || die "--kernelsourcedir $ksrc: no such directory"
	ksrc=$(cd "$ksrc" && pwd)
	[ -n "$kver" ] || kver=$(kdir_release "$ksrc")
else
	[ -n "$kver" ] || kver=$(uname -r)
	if [ ! -e "/lib/modules/$kver/build/include" ]; then
		die "no kernel headers for $kver at /lib/modules/$kver/build." \
			"Debian: apt install linux-headers-$kver; or pass" \
			"--kernelsourcedir DIR (and -k KVER).  This machine cannot" \
			"load modules? 'make demo' runs everything in a VM."
	fi
fi
[ -n "$kver" ] || die "cannot tell the kernel release"

if [ "$action" = install ] && [ -n "$root" ]; then
	mkdir -p "$install_tree/$kver"
fi
if [ "$action" = install ] && [ ! -d "$install_tree/$kver" ]; then
	die "$install_tree/$kver does not exist: kernel $kver is not installed" \
		"here (use 'build' to only build the module)"
fi

# Re-registering replaces what an earlier run left.
remove_all

stage "copying the sources to $source_tree/$NAME-$ver"
dest=$source_tree/$NAME-$ver
mkdir -p "$dest"
module_copy "$dest" dkms.conf
for p in dkms.conf "${MODULE_PATHS[@]}" src/conftest.sh; do
	[ -e "$dest/$p" ] || die "$p missing from $dest"
done

ks_args=(-k "$kver")
[ -n "$ksrc" ] && ks_args+=(--kernelsourcedir "$ksrc")

stage "dkms add/build $NAME/$ver for $kver"
dkms_cmd add -m "$NAME" -v "$ver"
if ! dkms_cmd build -m "$NAME" -v "$ver" "${ks_args[@]}"; then
	log=$dkms_tree/$NAME/$ver/build/make.log
	[ -f "$log" ] && tail -n 40 "$log" >&2
	die "dkms build failed"
fi
if [ "$action" = build ]; then
	info "built: $(find "$dkms_tree/$NAME/$ver/$kver" -name 'mmap_test.ko*' -print -quit)"
	exit 0
fi

stage "dkms install $NAME/$ver for $kver"
dkms_cmd install -m "$NAME" -v "$ver" "${ks_args[@]}"

if [ -n "$group" ]; then
	stage "udev rule: group $group, mode 0660"
	if [ -z "$root" ] && ! getent group "$group" >/dev/null; then
		info "groupadd --system $group"
		groupadd --system "$group"
	fi
	mkdir -p "$rules_dir"
	{
		printf '%s (--group %s)\n' "$RULE_MARK" "$group"
		sed -e "s|^#\\(KERNEL==\"mmap-test\".*\\)GROUP=\"mmap-test\"|\\1GROUP=\"$group\"|" \
			"$TOP/udev/$RULE"
	} > "$rules_dir/$RULE.tmp"
	grep -q "^KERNEL==\"mmap-test\".*GROUP=\"$group\"" "$rules_dir/$RULE.tmp" ||
		die "could not enable the rule of udev/$RULE"
	chmod 0644 "$rules_dir/$RULE.tmp"
	mv "$rules_dir/$RULE.tmp" "$rules_dir/$RULE"
	info "installed $rules_dir/$RULE"
	reload_udev
fi
info "done: $NAME $ver installed for $kver (modprobe mmap_test to load it)"
