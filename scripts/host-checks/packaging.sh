#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/host-checks/packaging.sh [TARGET]
#
# The packaging check, on the host (building works there, loading does
# not): TARGET (default: the first with the role packaging; an x86_64 target, DKMS builds for the
# host's architecture) gives the Debian kernel headers (scripts/kernel.sh).
#
#   1. DKMS: scripts/dkms.sh install --root <scratch> -k <kver>
#      --kernelsourcedir <headers> --group mmap-test, then checks the DKMS
#      source tree, the build log, vermagic (modinfo) against the Debian
#      kernel's own modules, the installed copy, depmod, the udev rule, and
#      that scripts/dkms.sh remove leaves nothing behind.
#   2. make install DESTDIR=<scratch> INSTALL_MOD_PATH=<scratch> KDIR=<headers>
#      run in a scratch copy of the work tree (the tree itself stays
#      untouched), then checks the three installed files.
#   3. Debian packages: scripts/deb.sh -o <scratch> (make deb) builds
#      mmap-test-dkms and mmap-test-tools with dpkg-buildpackage in the
#      build root "deb"; then checks that lintian left nothing that
#      debian/*lintian-overrides does not explain, the packages' contents
#      (dpkg-deb -c: the DKMS source tree, the udev rule enabled for the
#      group mmap-test, test-mmap, the kselftest collection, the examples),
#      that test-mmap runs (in the build root), and the maintainer scripts
#      (the group created in postinst, dh_dkms's dkms add and remove).
#      Installing them is not checked here.
#   4. The host: /usr/src, /var/lib/dkms, /lib/modules, /etc/udev/rules.d and
#      the group database are the same after the run as before.
#   5. The scripts work without HOME and without a terminal (a systemd
#      unit, cron): scripts/dkms.sh (1) and scripts/deb.sh (3) run so, and
#      scripts/kernel.sh finds the same cache and headers.
#
# Installs Debian's dkms package (and kmod, its dependency) when missing;
# nothing else is left installed.  Prints TAP: one line per check,
# "ok N - NAME" or "not ok N - NAME" (details as "# " lines), the plan
# "1..N" at the end, then "# N passed, M failed".
# Exit status 0 iff every check passed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

allowed=$(target_role packaging)
target=${1:-${allowed%% *}}
case " $allowed " in
*" $target "*) ;;
*) die "usage: $0 [${allowed// /|}] (targets with the role packaging)" ;;
esac
[ "$(uname -m)" = x86_64 ] || die "DKMS builds for the host: needs an x86_64 host"

TAP_PREFIX="- "

stage "host packages"
need_pkgs dkms kmod make gcc libc6-dev libelf-dev bc xz-utils binutils

stage "kernel headers of $target"
KDIR='' KREL=''
eval "$("$TOP/scripts/kernel.sh" "$target")"
[ -f "$KDIR/Makefile" ] || die "no headers at $KDIR"
info "KDIR=$KDIR KREL=$KREL"

host_state() {
	local d
	for d in /usr/src /var/lib/dkms /lib/modules /etc/udev/rules.d; do
		[ -e "$d" ] || { echo "absent $d"; continue; }
		find "$d" -maxdepth 4 -printf '%p %y %s\n' 2>/dev/null
	done | LC_ALL=C sort
	getent group | cut -d: -f1 | LC_ALL=C sort
}
state0=$(host_state)

T=$(mktemp -d "${TMPDIR:-/tmp}/mmap-test-pkg.XXXXXX")
R=$T/root
cleanup() {
	if [ -d "$R/var/lib/dkms/mmap-test" ]; then
		"$TOP/scripts/dkms.sh" remove --root "$R" >/dev/null 2>&1 || :
	fi
	rm -rf "$T"
}
trap cleanup EXIT

ver=$(module_version)
conf_ver=$(sed -n 's/^PACKAGE_VERSION="\([^"]*\)"$/\1/p' "$TOP/dkms.conf")
conf_mod=$(sed -n 's/^BUILT_MODULE_NAME\[0\]="\([^"]*\)"$/\1/p' "$TOP/dkms.conf")
kbuild_mod=$(sed -n 's/^obj-m[[:space:]]*:=[[:space:]]*\([a-z0-9_]*\)\.o$/\1/p' "$TOP/Kbuild")

echo "# DKMS ($KREL, headers $KDIR)"
if [ -n "$ver" ] && [ "$conf_ver" = "$ver" ]; then
	tap_ok "dkms.conf PACKAGE_VERSION ($conf_ver) = MODULE_VERSION of src/main.c"
else
	tap_not_ok "dkms.conf PACKAGE_VERSION ($conf_ver) = MODULE_VERSION of src/main.c" \
		"MODULE_VERSION is '$ver'"
fi
if [ -n "$kbuild_mod" ] && [ "$conf_mod" = "$kbuild_mod" ]; then
	tap_ok "dkms.conf BUILT_MODULE_NAME ($conf_mod) = obj-m of Kbuild"
else
	tap_not_ok "dkms.conf BUILT_MODULE_NAME ($conf_mod) = obj-m of Kbuild" \
		"Kbuild builds '$kbuild_mod'"
fi

# unit CMD...: CMD as a systemd unit or cron runs it: no HOME, no
# terminal (its own session), stdin /dev/null.
unit() { env -u HOME setsid -w "$@" < /dev/null; }

dlog=$T/dkms-install.log
dkms_ok=0
if unit "$TOP/scripts/dkms.sh" install --root "$R" -k "$KREL" \
	--kernelsourcedir "$KDIR" --group mmap-test >"$dlog" 2>&1; then
	tap_ok "scripts/dkms.sh install (no HOME, no terminal): dkms add, build, install for $KREL"
	dkms_ok=1
else
	tap_not_ok "scripts/dkms.sh install (no HOME, no terminal): dkms add, build, install for $KREL" \
		"log: (kept below)"
	tap_log "$dlog" 40
fi

arch=$(uname -m)
src=$R/usr/src/mmap-test-$ver
built=$R/var/lib/dkms/mmap-test/$ver/$KREL/$arch/module/mmap_test.ko
inst=$R/lib/modules/$KREL/updates/dkms/mmap_test.ko

st=$(dkms status -m mmap-test --dkmstree "$R/var/lib/dkms" \
	--sourcetree "$R/usr/src" --installtree "$R/lib/modules" 2>&1 || :)
if grep -q "^mmap-test/$ver, $KREL, $arch: installed" <<< "$st"; then
	tap_ok "dkms status: mmap-test/$ver, $KREL, $arch: installed"
else
	tap_not_ok "dkms status: mmap-test/$ver, $KREL, $arch: installed" "got: $st"
fi

missing=()
for p in dkms.conf Kbuild src/main.c include/uapi/linux/mmap_test.h \
	src/conftest.sh src/conftest.mk; do
	[ -f "$src/$p" ] || missing+=("$p")
done
if [ "$dkms_ok" = 1 ] && [ ${#missing[@]} -eq 0 ] &&
	cmp -s "$TOP/src/main.c" "$src/src/main.c"; then
	tap_ok "DKMS source tree /usr/src/mmap-test-$ver: dkms.conf, Kbuild, src/, include/"
else
	tap_not_ok "DKMS source tree /usr/src/mmap-test-$ver: dkms.conf, Kbuild, src/, include/" \
		"missing: ${missing[*]:-none} (or src/main.c differs)"
fi

mlog=$R/var/lib/dkms/mmap-test/$ver/$KREL/$arch/log/make.log
if [ -f "$mlog" ] && grep -q 'CONFTEST .*generated/mmap_test_conftest.h' "$mlog" &&
	grep -q 'LD \[M\] .*mmap_test.ko' "$mlog"; then
	tap_ok "DKMS build ran the feature probes (CONFTEST) and linked mmap_test.ko"
else
	tap_not_ok "DKMS build ran the feature probes (CONFTEST) and linked mmap_test.ko" \
		"make.log: $mlog"
	[ -f "$mlog" ] && tap_log "$mlog"
fi

# vermagic: the kernel's own modules say what the module must say.
kroot=$(cd "$KDIR/../../.." && pwd)
ref=$(find "$kroot/lib/modules/$KREL/kernel" -name '*.ko*' -print -quit \
	2>/dev/null || :)
ref_vm=''
[ -n "$ref" ] && ref_vm=$(modinfo -F vermagic "$ref" 2>/dev/null || :)
vm=''
[ -f "$built" ] && vm=$(modinfo -F vermagic "$built" 2>/dev/null || :)
name="DKMS-built mmap_test.ko: vermagic '${vm% }' = the Debian kernel's modules'"
if [ -n "$vm" ] && [ "${vm%% *}" = "$KREL" ] && [ -n "$ref_vm" ] &&
	[ "$vm" = "$ref_vm" ]; then
	tap_ok "$name"
else
	tap_not_ok "$name" "built: $built" "reference ($ref): '$ref_vm'"
fi

mi() { # modinfo field of the built module, empty when absent
	[ -f "$built" ] || return 0
	modinfo -F "$1" "$built" 2>/dev/null || :
}
mi_ver=$(mi version) mi_lic=$(mi license) mi_name=$(mi name)
if [ "$mi_ver" = "$ver" ] && [ "$mi_lic" = GPL ] && [ "$mi_name" = mmap_test ]; then
	tap_ok "modinfo: name mmap_test, version $ver, license GPL"
else
	tap_not_ok "modinfo: name mmap_test, version $ver, license GPL" \
		"name '$mi_name' version '$mi_ver' license '$mi_lic'"
fi

if [ -f "$inst" ] && [ -f "$built" ] && cmp -s "$inst" "$built"; then
	tap_ok "dkms install: /lib/modules/$KREL/updates/dkms/mmap_test.ko is the built module"
else
	tap_not_ok "dkms install: /lib/modules/$KREL/updates/dkms/mmap_test.ko is the built module" \
		"$(find "$R/lib/modules" -name 'mmap_test.ko*' 2>/dev/null | tr '\n' ' ')"
fi

if [ -f "$inst" ] && depmod -b "$R" "$KREL" 2>"$T/depmod.err" &&
	grep -q '^updates/dkms/mmap_test.ko:' "$R/lib/modules/$KREL/modules.dep"; then
	tap_ok "depmod indexes updates/dkms/mmap_test.ko (modprobe mmap_test would find it)"
else
	tap_not_ok "depmod indexes updates/dkms/mmap_test.ko (modprobe mmap_test would find it)" \
		"$(cat "$T/depmod.err" 2>/dev/null)"
fi
# depmod's index files are ours, not dkms's: drop them before the
# "remove leaves nothing" check.
rm -f "$R/lib/modules/$KREL"/modules.*

rule=$R/etc/udev/rules.d/60-mmap-test.rules
if [ -f "$rule" ] &&
	[ "$(grep -c -v -E '^[[:space:]]*(#|$)' "$rule")" = 1 ] &&
	grep -q -E '^KERNEL=="mmap-test", SUBSYSTEM=="misc", GROUP="mmap-test", MODE="0660"$' "$rule" &&
	[ "$(grep -c -v -E '^[[:space:]]*(#|$)' "$TOP/udev/60-mmap-test.rules")" = 0 ]; then
	tap_ok "udev rule: shipped disabled; --group mmap-test installs it enabled (GROUP, MODE 0660)"
else
	tap_not_ok "udev rule: shipped disabled; --group mmap-test installs it enabled (GROUP, MODE 0660)" \
		"$(grep -v '^#' "$rule" 2>/dev/null)"
fi

rlog=$T/dkms-remove.log
if unit "$TOP/scripts/dkms.sh" remove --root "$R" >"$rlog" 2>&1; then
	left=$(find "$R" \( -type f -o -type l \) -printf '%P\n')
	st=$(dkms status -m mmap-test --dkmstree "$R/var/lib/dkms" \
		--sourcetree "$R/usr/src" --installtree "$R/lib/modules" 2>&1 || :)
	if [ -z "$left" ] && [ -z "$st" ]; then
		tap_ok "scripts/dkms.sh remove: nothing left (sources, dkms tree, module, rule)"
	else
		tap_not_ok "scripts/dkms.sh remove: nothing left (sources, dkms tree, module, rule)" \
			"left: $(printf '%s' "$left" | tr '\n' ' ')" "status: $st"
	fi
else
	tap_not_ok "scripts/dkms.sh remove: nothing left (sources, dkms tree, module, rule)" \
		"remove failed"
	tap_log "$rlog"
fi

# Without headers for the running kernel, `make dkms-install` must stop with
# a hint before touching anything.  Only meaningful where those headers are
# absent (as on the CI host); elsewhere it would really install.
if [ ! -e "/lib/modules/$(uname -r)/build" ]; then
	if out=$("$TOP/scripts/dkms.sh" install 2>&1); then
		tap_not_ok "scripts/dkms.sh install without headers for $(uname -r): fails with a hint" \
			"it succeeded: $out"
	elif grep -q "no kernel headers for $(uname -r)" <<< "$out"; then
		tap_ok "scripts/dkms.sh install without headers for $(uname -r): fails with a hint"
	else
		tap_not_ok "scripts/dkms.sh install without headers for $(uname -r): fails with a hint" \
			"output: $out"
	fi
else
	echo "# (not run: the no-headers hint check; this host has headers for $(uname -r))"
fi

echo "# make install (DESTDIR, INSTALL_MOD_PATH, KDIR=$KDIR)"
W=$T/tree D=$T/dest
mkdir -p "$W" "$D"
tree_copy "$TOP" "$W"
ilog=$T/make-install.log
if make -C "$W" install DESTDIR="$D" INSTALL_MOD_PATH="$D" KDIR="$KDIR" \
	>"$ilog" 2>&1; then
	tap_ok "make install DESTDIR=... INSTALL_MOD_PATH=... KDIR=<$KREL headers> succeeds"
else
	tap_not_ok "make install DESTDIR=... INSTALL_MOD_PATH=... KDIR=<$KREL headers> succeeds"
	tap_log "$ilog" 40
fi

# Kernels with CONFIG_MODULE_COMPRESS_* install mmap_test.ko.xz (6.12).
ko=$(find "$D/lib/modules/$KREL" -name 'mmap_test.ko*' -print -quit 2>/dev/null || :)
vm=''
[ -n "$ko" ] && vm=$(modinfo -F vermagic "$ko" 2>/dev/null || :)
if [ -n "$ko" ] && [ "$vm" = "$ref_vm" ] && [ "${vm%% *}" = "$KREL" ]; then
	tap_ok "make install: ${ko#"$D"} with vermagic $KREL"
else
	tap_not_ok "make install: /lib/modules/$KREL/*/mmap_test.ko* with vermagic $KREL" \
		"found '${ko:-none}' vermagic '$vm'"
fi

hdr=$D/usr/local/include/linux/mmap_test.h
cat > "$T/uapi.c" <<'EOF'
#include <linux/mmap_test.h>
int main(void)
{
	struct mmap_test_alloc a = { 0 };
	unsigned long cmds[] = { IOCTL_ALLOC_VMA, IOCTL_FREE_VMA,
				 IOCTL_QUERY_VMA, IOCTL_GET_STATS };
	return (int)(sizeof(a) + sizeof(cmds)) == 0;
}
EOF
if [ -f "$hdr" ] && cmp -s "$hdr" "$TOP/include/uapi/linux/mmap_test.h" &&
	gcc -Wall -Werror -I"$D/usr/local/include" -o "$T/uapi" "$T/uapi.c" \
		2>"$T/uapi.err" && "$T/uapi"; then
	tap_ok "make install: /usr/local/include/linux/mmap_test.h is the UAPI header and compiles alone"
else
	tap_not_ok "make install: /usr/local/include/linux/mmap_test.h is the UAPI header and compiles alone" \
		"$(cat "$T/uapi.err" 2>/dev/null)"
fi

bin=$D/usr/local/bin/test-mmap
if [ -x "$bin" ] && ! grep -q 'INTERP' <<< "$(readelf -l "$bin" 2>/dev/null)" &&
	grep -q '^usage: test-mmap' <<< "$("$bin" --help 2>&1)"; then
	tap_ok "make install: /usr/local/bin/test-mmap, static, runs (--help)"
else
	tap_not_ok "make install: /usr/local/bin/test-mmap, static, runs (--help)"
fi

extra=''
while IFS= read -r f; do
	case $f in
	"lib/modules/$KREL/extra/mmap_test.ko"*) ;;
	"lib/modules/$KREL/updates/mmap_test.ko"*) ;;
	"lib/modules/$KREL/modules."*) ;;	# depmod's, when System.map is there
	usr/local/include/linux/mmap_test.h) ;;
	usr/local/bin/test-mmap) ;;
	*) extra="$extra $f" ;;
	esac
done < <(find "$D" \( -type f -o -type l \) -printf '%P\n')
if [ -z "$extra" ]; then
	tap_ok "make install: nothing else installed"
else
	tap_not_ok "make install: nothing else installed" "$extra"
fi

echo "# Debian packages (scripts/deb.sh, make deb)"
P=$T/deb
blog=$T/deb.log
deb_rc=0
unit "$TOP/scripts/deb.sh" -o "$P" >"$blog" 2>&1 || deb_rc=$?
dkms_deb=$P/mmap-test-dkms_${ver}_all.deb
tools_deb=$P/mmap-test-tools_${ver}_$(dpkg --print-architecture).deb
name="dpkg-buildpackage builds mmap-test-dkms_${ver}_all.deb and ${tools_deb##*/}"
if [ -f "$dkms_deb" ] && [ -f "$tools_deb" ]; then
	tap_ok "$name"
else
	tap_not_ok "$name" "scripts/deb.sh exit status $deb_rc; its log:"
	tap_log "$blog" 40
fi

# Every override carries a comment (the comment block above it).
unexplained=$(awk '
	/^#/ { c = 1; next }
	/^[[:space:]]*$/ { c = 0; next }
	!c { print FILENAME ": " $0 }' "$TOP"/debian/*lintian-overrides 2>/dev/null)
lint_left=''
[ -f "$P/lintian.txt" ] && lint_left=$(grep -E '^[EWIXP]: ' "$P/lintian.txt" || :)
name="lintian: nothing reported that debian/*lintian-overrides does not explain (with a comment)"
if [ -f "$P/lintian.txt" ] && [ "$deb_rc" = 0 ] && [ -z "$lint_left" ] &&
	[ -z "$unexplained" ]; then
	tap_ok "$name"
else
	tap_not_ok "$name" "scripts/deb.sh exit status $deb_rc" \
		"${lint_left:-lintian: nothing left}" \
		"${unexplained:+overrides without a comment: $unexplained}"
fi

# deb_has DEB PATH...: the paths DEB lacks (dpkg-deb -c), one a line.
deb_has() {
	local deb=$1 list p
	shift
	list=$(dpkg-deb -c "$deb" 2>/dev/null | awk '{ print $6 }')
	for p in "$@"; do
		grep -qxF "./$p" <<< "$list" || printf '%s\n' "$p"
	done
}
name="mmap-test-dkms: the DKMS source tree /usr/src/mmap-test-$ver/ (dkms.conf, Kbuild, src/, include/) and the udev rule"
absent=''
[ -f "$dkms_deb" ] && absent=$(deb_has "$dkms_deb" \
	"usr/src/mmap-test-$ver/dkms.conf" "usr/src/mmap-test-$ver/Kbuild" \
	"usr/src/mmap-test-$ver/src/main.c" "usr/src/mmap-test-$ver/src/conftest.sh" \
	"usr/src/mmap-test-$ver/src/conftest.mk" \
	"usr/src/mmap-test-$ver/include/uapi/linux/mmap_test.h" \
	usr/lib/udev/rules.d/60-mmap-test.rules)
if [ -f "$dkms_deb" ] && [ -z "$absent" ]; then
	tap_ok "$name"
else
	tap_not_ok "$name" "missing: $(printf '%s' "$absent" | tr '\n' ' ')"
fi

X=$T/debx
mkdir -p "$X/dkms" "$X/tools" "$X/ctl"
[ -f "$dkms_deb" ] && dpkg-deb -x "$dkms_deb" "$X/dkms" && dpkg-deb -e "$dkms_deb" "$X/ctl"
[ -f "$tools_deb" ] && dpkg-deb -x "$tools_deb" "$X/tools"
prule=$X/dkms/usr/lib/udev/rules.d/60-mmap-test.rules
name="mmap-test-dkms: the udev rule enabled: GROUP=\"mmap-test\", MODE=\"0660\", the one rule"
if [ -f "$prule" ] &&
	[ "$(grep -c -v -E '^[[:space:]]*(#|$)' "$prule")" = 1 ] &&
	grep -q -E '^KERNEL=="mmap-test", SUBSYSTEM=="misc", GROUP="mmap-test", MODE="0660"$' "$prule" &&
	cmp -s "$X/dkms/usr/src/mmap-test-$ver/src/main.c" "$TOP/src/main.c"; then
	tap_ok "$name"
else
	tap_not_ok "$name" "$(grep -v '^#' "$prule" 2>/dev/null)"
fi

name="mmap-test-tools: /usr/bin/test-mmap, the kselftest collection in /usr/lib/mmap-test/kselftest, the examples, README.md and docs/ uncompressed (README's links resolve)"
absent=''
[ -f "$tools_deb" ] && absent=$(deb_has "$tools_deb" usr/bin/test-mmap \
	usr/share/man/man1/test-mmap.1.gz \
	usr/lib/mmap-test/kselftest/run_kselftest.sh \
	usr/lib/mmap-test/kselftest/kselftest-list.txt \
	usr/lib/mmap-test/kselftest/mmap_test/mmap_test.sh \
	usr/lib/mmap-test/kselftest/mmap_test/mmap-test-sync \
	usr/lib/mmap-test/kselftest/mmap_test/mmap-test-sync.sh \
	usr/lib/mmap-test/kselftest/mmap_test/test-mmap \
	usr/share/doc/mmap-test-tools/examples/merge \
	usr/share/doc/mmap-test-tools/README.md \
	usr/share/doc/mmap-test-tools/docs/uapi.md)
tdeps=''
[ -f "$tools_deb" ] && tdeps=$(dpkg-deb -f "$tools_deb" Depends)
if [ -f "$tools_deb" ] && [ -z "$absent" ] && [[ $tdeps != *dkms* ]]; then
	tap_ok "$name"
else
	tap_not_ok "$name" "missing: $(printf '%s' "$absent" | tr '\n' ' ')" \
		"Depends: $tdeps (not dkms)"
fi

# The tools are linked against trixie's libc: run them in the build root.
name="mmap-test-tools: test-mmap runs in trixie (--help), dynamically linked"
out=''
if [ -x "$X/tools/usr/bin/test-mmap" ]; then
	out=$(MT_BINDS="$X" in_root "$(root_ensure deb)" \
		"$X/tools/usr/bin/test-mmap" --help 2>&1 || :)
fi
if grep -q '^usage: test-mmap' <<< "$out" &&
	grep -q INTERP <<< "$(readelf -l "$X/tools/usr/bin/test-mmap" 2>/dev/null)"; then
	tap_ok "$name"
else
	tap_not_ok "$name" "output: $(printf '%s\n' "$out" | head -n 3 | tr '\n' ' ')"
fi

pi=$X/ctl/postinst pr=$X/ctl/prerm
# shellcheck disable=SC2016  # the literal text of dh_dkms's prerm
dkms_rm='dkms remove -m $DKMS_NAME -v $DKMS_VERSION --all'
name="mmap-test-dkms postinst: creates the system group mmap-test if missing; dh_dkms: dkms add on configure, dkms remove in prerm"
if [ -f "$pi" ] && [ -f "$pr" ] &&
	grep -qF 'if ! getent group mmap-test >/dev/null; then' "$pi" &&
	grep -qE '^[[:space:]]*addgroup --system (--quiet )?mmap-test$' "$pi" &&
	grep -q 'DKMS_NAME=mmap-test$' "$pi" && grep -q "DKMS_VERSION=$ver\$" "$pi" &&
	grep -q 'common.postinst' "$pi" &&
	grep -qF "$dkms_rm" "$pr" &&
	sh -n "$pi" && sh -n "$pr"; then
	tap_ok "$name"
else
	tap_not_ok "$name" "postinst: $(grep -c . "$pi" 2>/dev/null) lines, prerm: $(grep -c . "$pr" 2>/dev/null) lines"
fi

echo "# the host"
state1=$(host_state)
if [ "$state0" = "$state1" ]; then
	tap_ok "host unchanged: /usr/src /var/lib/dkms /lib/modules /etc/udev/rules.d, groups"
else
	tap_not_ok "host unchanged: /usr/src /var/lib/dkms /lib/modules /etc/udev/rules.d, groups" \
		"$(diff <(printf '%s\n' "$state0") <(printf '%s\n' "$state1") | head -n 20 | tr '\n' ' ')"
fi

echo "# without HOME and without a terminal (a systemd unit, cron)"
rc=0
out=$(env -u HOME -u MMAP_TEST_CACHE setsid -w "$TOP/scripts/kernel.sh" "$target" \
	</dev/null 2>&1) || rc=$?
if [ "$rc" = 0 ] && grep -qxF "KDIR=$KDIR" <<< "$out"; then
	tap_ok "scripts/kernel.sh without HOME, no terminal: the same cache, the same headers"
else
	tap_not_ok "scripts/kernel.sh without HOME, no terminal: the same cache, the same headers" \
		"exit status $rc: $(printf '%s\n' "$out" | tail -n 3 | tr '\n' ' ')"
fi

tap_summary
tap_passed
