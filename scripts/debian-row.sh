#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/debian-row.sh <target> prepare
#        scripts/debian-row.sh <target> boot [--timeout SECONDS]
#
# The row of make check of a target with SYSTEM=debian (scripts/targets/
# debian-7.3.conf): the packages installed on a booted Debian as a user
# installs them, then tested there by scripts/guest/debian.sh.
#
# prepare  (make check's build step; log build/<target>/build.log)
#   1. The kernel: scripts/kernel.sh <target> (its uname -r, KREL, names
#      the image's kernel packages; build/<target>/kernel.env).
#   2. The packages: scripts/deb.sh --no-lintian (make deb) into
#      build/<target>/deb/.
#   3. The system: a Debian root made once by mmdebstrap with the target's
#      SYSTEM_PKGS (systemd, udev, the kernel and its headers, DKMS,
#      bpftrace, perf) and two users, mt-user and mt-other, cached in
#      $CACHE/systems/<target>-<hash> with the kernel and the initrd that
#      the kernel's postinst made; the hash covers the target's SUITES,
#      FLAVOUR and SYSTEM_PKGS, KREL, the mirrors and image_make below, so a
#      new kernel or package list makes a new one.
#   4. The install, on an overlay of that root (the cached root stays
#      clean): `apt-get install ./mmap-test-dkms_*.deb
#      ./mmap-test-tools_*.deb` chrooted into it, which is what apt runs on
#      the booted system (dh_dkms's postinst: dkms add, build, install for
#      the kernel with headers in /lib/modules), but with the host's
#      compiler speed: DKMS in the TCG guest takes 5 to 15 minutes.  What
#      this leaves untested: the postinst's choice of kernels on a booted
#      system (there: the running kernel and the newest one; in a chroot,
#      whose uname -r is the host's, every kernel with headers in
#      /lib/modules: the same single 7.3 kernel here), the build running
#      on the guest's kernel and CPU, and udev reloading its rules while
#      the package installs (they are read at boot).  Then the guest job
#      (/usr/local/sbin/mmap-test-row, scripts/guest/debian.sh) and its
#      settings (/etc/mmap-test-row.env: TARGET, HUGE, HOOKS and
#      $MMAP_TEST_GUEST_ENV) are copied in, and the overlay is written to
#      an ext4 image, build/<target>/system/disk.img (mke2fs -d).
# boot     qemu boots the image's kernel and initrd with the image
#      (snapshot=on: a second boot starts from the same disk) and
#      systemd.run=/usr/local/sbin/mmap-test-row, which runs after udev is
#      up and powers off.  The kernel's console (ttyS0) is logged to
#      build/<target>/console.log, the guest job's output (ttyS1) to
#      build/<target>/check.log.  Exit status: 0 when qemu ended by itself,
#      124 on timeout (default: the target's TIMEOUT).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { die "usage: $0 <target> prepare | $0 <target> boot [--timeout SECONDS]"; }
[ $# -ge 2 ] || usage
target=$1 step=$2
shift 2
target_load "$target"
[ "$T_SYSTEM" = debian ] || die "$target: not a SYSTEM=debian target"
out=$TOP/build/$target
sys=$out/system

# image_make DIR KREL: the Debian root DIR/root, DIR/vmlinuz, DIR/initrd.img.
# Its text is part of the image's hash (image_dir).
image_make() {
	local dir=$1 krel=$2 main sec s pkgs=() p abi sources=()
	read -r main sec <<< "$(apt_mirrors)"
	for s in $T_SUITES; do
		case $s in
		*-security) sources+=("deb $sec $s main") ;;
		*) sources+=("deb $main $s main") ;;
		esac
	done
	abi=${krel%-"$T_FLAVOUR"}
	for p in $T_SYSTEM_PKGS; do
		p=${p//\$ABI/$abi}
		pkgs+=("${p//\$FLAVOUR/$T_FLAVOUR}")
	done
	# No manuals, translations or documentation but the copyright files:
	# a smaller image, written faster.  The hooks' $1 is the root.
	# shellcheck disable=SC2016
	as_root mmdebstrap --variant=minbase --include="$(IFS=,; echo "${pkgs[*]}")" \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--customize-hook='chroot "$1" useradd -m -s /bin/sh mt-user' \
		--customize-hook='chroot "$1" useradd -m -s /bin/sh mt-other' \
		--customize-hook='echo mmap-test > "$1/etc/hostname"' \
		"${T_SUITES%% *}" "$dir/root" "${sources[@]}" || return 1
	cp "$dir/root/boot/vmlinuz-$krel" "$dir/vmlinuz" || return 1
	cp "$dir/root/boot/initrd.img-$krel" "$dir/initrd.img" || return 1
}

# image_dir KREL: the cached system of the target, made if needed.
image_dir() {
	local krel=$1 hash dir log
	hash=$({ echo "$T_SUITES $T_FLAVOUR $T_SYSTEM_PKGS $krel"; apt_mirrors
		declare -f image_make; } | sha256sum | cut -c1-12)
	dir=$CACHE/systems/$target-$hash
	if [ ! -f "$dir/.complete" ]; then
		lock_file "$CACHE/systems/.$target.lock"
	fi
	if [ ! -f "$dir/.complete" ]; then
		need_pkgs mmdebstrap debian-archive-keyring
		log=$out/image.log
		stage "making the Debian system of $target (kernel $krel; log: ${log#"$TOP"/})"
		as_root rm -rf "$dir"
		mkdir -p "$dir"
		image_make "$dir" "$krel" > "$log" 2>&1 ||
			{ tail -n 30 "$log" >&2; die "mmdebstrap failed (see $log)"; }
		date -u > "$dir/.complete"
		as_root find "$CACHE/systems" -mindepth 1 -maxdepth 1 -type d \
			-name "$target-*" ! -name "$target-$hash" \
			-exec rm -rf {} + || :
		info "$(du -sh "$dir/root" | cut -f1) in $dir"
	fi
	printf '%s\n' "$dir"
}

prepare() {
	local kenv KREL='' img debs envf
	mkdir -p "$out"
	need_pkgs e2fsprogs
	stage "the kernel of $target"
	kenv=$("$TOP/scripts/kernel.sh" "$target")
	printf '%s\n' "$kenv" > "$out/kernel.env"
	eval "$kenv"
	stage "the packages (scripts/deb.sh --no-lintian)"
	"$TOP/scripts/deb.sh" -o "$out/deb" --no-lintian
	debs=("$out"/deb/mmap-test-dkms_*_all.deb "$out"/deb/mmap-test-tools_*.deb)
	img=$(image_dir "$KREL")

	stage "installing the packages with apt on an overlay of the system"
	as_root rm -rf "$sys"
	mkdir -p "$sys/upper" "$sys/work" "$sys/root" "$sys/debs"
	cp "${debs[@]}" "$sys/debs/"
	envf=$sys/mmap-test-row.env
	{
		echo "TARGET=$target"
		echo "HUGE=$T_HUGE"
		echo "HOOKS='$T_HOOKS'"
		printf '%s\n' "${MMAP_TEST_GUEST_ENV:-}"
	} > "$envf"
	# shellcheck disable=SC2016  # expanded by the inner shell
	as_root unshare --mount --propagation private -- /bin/sh -ec '
		img=$1 sys=$2 top=$3
		r=$sys/root
		mount -t overlay overlay \
			-o "lowerdir=$img/root,upperdir=$sys/upper,workdir=$sys/work" "$r"
		mkdir -p "$r/tmp/mmap-test-debs"
		cp "$sys"/debs/*.deb "$r/tmp/mmap-test-debs/"
		chmod -R a+rX "$r/tmp/mmap-test-debs"
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		echo "# apt-get install ./mmap-test-*.deb (chrooted)"
		chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
			sh -ec "cd /tmp/mmap-test-debs && apt-get install -y ./*.deb"
		rm -rf "$r/tmp/mmap-test-debs"
		install -m 0755 "$top/scripts/guest/debian.sh" \
			"$r/usr/local/sbin/mmap-test-row"
		install -m 0644 "$sys/mmap-test-row.env" "$r/etc/mmap-test-row.env"
		umount -l "$r/dev" "$r/proc"
		echo "# mke2fs -d (an ext4 image of the system)"
		mke2fs -q -F -t ext4 -L mmap-test -E root_owner=0:0 \
			-d "$r" "$sys/disk.img" 4G
		umount "$r"
	' debian-row "$img" "$sys" "$TOP"
	cp "$img/vmlinuz" "$img/initrd.img" "$sys/"
	as_root rm -rf "$sys/upper" "$sys/work" "$sys/debs"
	info "$(du -h "$sys/disk.img" | cut -f1) $sys/disk.img"
}

boot() {
	local tmo=$T_TIMEOUT rc=0 append qemu t0 tcg
	while [ $# -gt 0 ]; do
		case $1 in
		--timeout) [ $# -ge 2 ] || usage; tmo=$2; shift ;;
		*) usage ;;
		esac
		shift
	done
	[ -f "$sys/disk.img" ] || die "no $sys/disk.img: run $0 $target prepare"
	need_host_pkgs "$target"
	# As scripts/vm.sh: the lockup detectors wait out a loaded host.
	append="root=/dev/vda rw console=ttyS0 loglevel=5 panic=-1"
	append="$append watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=120"
	append="$append systemd.run=/usr/local/sbin/mmap-test-row"
	append="$append systemd.run_success_action=poweroff"
	append="$append systemd.run_failure_action=poweroff $T_APPEND"
	qemu=("$T_QEMU" -m "${MMAP_TEST_QEMU_MEM:-2048}" -smp "${MMAP_TEST_QEMU_SMP:-$T_QEMU_SMP}")
	[ -n "$T_QEMU_MACHINE" ] && qemu+=(-M "$T_QEMU_MACHINE")
	[ -n "$T_QEMU_CPU" ] && qemu+=(-cpu "$T_QEMU_CPU")
	tcg=$(qemu_tcg_opts)
	[ -z "$tcg" ] || mapfile -t -O "${#qemu[@]}" qemu <<< "$tcg"
	qemu+=(-nodefaults -no-user-config -display none -no-reboot
		-kernel "$sys/vmlinuz" -initrd "$sys/initrd.img" -append "$append"
		-drive "file=$sys/disk.img,format=raw,if=virtio,snapshot=on"
		-serial "file:$out/console.log" -serial "file:$out/check.log")
	rm -f "$out/console.log" "$out/check.log"
	stage "booting $target (timeout ${tmo}s): build/$target/console.log, build/$target/check.log"
	t0=$(date +%s)
	timeout -k 10 "$tmo" "${qemu[@]}" < /dev/null || rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		warn "$target: qemu killed after ${tmo}s timeout"
		echo "VM-TIMEOUT after ${tmo}s" >> "$out/check.log"
		rc=124
	fi
	info "$target: VM ran $(($(date +%s) - t0)) s (qemu status $rc)"
	return "$rc"
}

case $step in
prepare) [ $# -eq 0 ] || usage; prepare ;;
boot) boot "$@" ;;
*) usage ;;
esac
