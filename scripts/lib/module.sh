#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's sources and the kernel trees it builds against (part of
# scripts/lib.sh).  The module is built from a copy of its sources (per
# target, in DKMS's source tree, for the lint builds), so the list of what
# makes up the module lives here once.
#
#   MODULE_PATHS                 the module's sources: Kbuild, src/ (with
#                                src/conftest.sh and conftest.mk, the
#                                feature probes), include/
#   tree_copy SRC DEST [PATH...] copy the files of SRC (tracked and
#                                untracked but not ignored, when SRC is a
#                                git work tree) under PATHs (default: all)
#                                to DEST, keeping mtimes
#   module_copy DEST [PATH...]   the module's sources (and PATHs) to DEST
#   module_version               MODULE_VERSION() of src/main.c
#   module_version_agreed WHAT FILE SED
#                                module_version, after checking that FILE
#                                (of the tree) states the same: what
#                                `sed -n SED` prints of it; else dies
#                                naming WHAT ("dkms.conf PACKAGE_VERSION")
#   kdir_release KDIR            the release (uname -r) of kernel headers

# shellcheck disable=SC2034  # used by the scripts that source us
MODULE_PATHS=(Kbuild src include)

tree_copy() {
	local src=$1 dest=$2
	shift 2
	mkdir -p "$dest"
	if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$src" && git ls-files -z -c -o --exclude-standard -- "$@" |
			xargs -0 -r tar -cf - --) | tar -xf - -C "$dest"
	else
		[ $# -gt 0 ] || set -- .
		(cd "$src" && tar -cf - --exclude=./build --exclude=./.git -- "$@") |
			tar -xf - -C "$dest"
	fi
}

module_copy() {
	local dest=$1
	shift
	tree_copy "$TOP" "$dest" "${MODULE_PATHS[@]}" "$@"
}

module_version() {
	sed -n 's/^MODULE_VERSION("\([^"]*\)");$/\1/p' "$TOP/src/main.c"
}

module_version_agreed() {
	local what=$1 file=$2 sed_script=$3 ver stated
	ver=$(module_version)
	[ -n "$ver" ] || die "no MODULE_VERSION in src/main.c"
	stated=$(sed -n "$sed_script" "$TOP/$file")
	[ "$stated" = "$ver" ] ||
		die "$what '$stated' != MODULE_VERSION '$ver' (src/main.c)"
	printf '%s\n' "$ver"
}

kdir_release() {
	local f=$1/include/generated/utsrelease.h r
	[ -s "$f" ] || die "$1 does not look like kernel headers (no $f)"
	r=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$f")
	[ -n "$r" ] || die "no UTS_RELEASE in $f"
	printf '%s\n' "$r"
}
