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
#   kselftest_framework
#       the kernel's kselftest framework (tools/testing/selftests: Makefile,
#       lib.mk, run_kselftest.sh, kselftest/, the headers, and
#       scripts/subarch.include) from Debian's linux-source-7.3, extracted
#       once into the cache; the tree's path on stdout

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

kselftest_framework() {
	local pkg=linux-source-7.3 ksrc deb
	ksrc=$CACHE/kselftest-src/$pkg
	if [ ! -f "$ksrc/tools/testing/selftests/lib.mk" ]; then
		lock_file "$CACHE/.kselftest.lock"
	fi
	# another run may have extracted it while this one waited
	if [ ! -f "$ksrc/tools/testing/selftests/lib.mk" ]; then
		stage "extracting the kselftest framework from $pkg"
		deb=$(fetch_deb "trixie trixie-updates trixie-security trixie-backports" "$pkg")
		linux_source_extract "$deb" "$ksrc" 1 \
			'*/tools/testing/selftests/Makefile' \
			'*/tools/testing/selftests/lib.mk' \
			'*/tools/testing/selftests/run_kselftest.sh' \
			'*/tools/testing/selftests/kselftest/*' \
			'*/tools/testing/selftests/kselftest.h' \
			'*/tools/testing/selftests/kselftest_harness.h' \
			'*/scripts/subarch.include'
	fi
	printf '%s\n' "$ksrc"
}
