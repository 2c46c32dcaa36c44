#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Files from Debian's linux-source-X.Y packages (part of scripts/lib.sh):
# the kselftest harness headers, the debug kernel's whole tree and
# checkpatch.pl all come from one, through one function.
#
#   linux_source_extract DEB DEST STRIP [PATTERN...]
#       extract the files of the kernel tarball in DEB (a linux-source-X.Y
#       .deb, see fetch_deb) that match the tar wildcards PATTERNs (default:
#       all), dropping STRIP leading path components, into DEST; DEST is
#       replaced as a whole, and only once the extraction succeeded.

linux_source_extract() {
	local deb=$1 dest=$2 strip=$3 pkg
	shift 3
	pkg=$(basename "$deb")
	pkg=${pkg%%_*}
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO -f - "./usr/src/$pkg.tar.xz" |
		tar -xJ -f - -C "$dest.tmp" --strip-components="$strip" \
			--wildcards "$@" ||
		{ rm -rf "$dest.tmp"; die "cannot extract $* from $deb"; }
	rm -rf "$dest"
	mv "$dest.tmp" "$dest"
}
