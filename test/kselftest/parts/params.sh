#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test "params" of the collection mmap_test (it loads the module itself):
#   hook_refused.bogus  mmap_hook=bogus is refused, and the kernel log
#                       says "mmap_hook=bogus: must be mmap or prepare"
#   buffer_pages.0, buffer_pages.max_plus_1
#                       refused: "buffer_pages=N: must be 1 to MAX"
#   buffer_pages.max    MAX loads (the pages come on first use)
#   mmap_hook=prepare   loads and registers f_op->mmap_prepare, or is
#                       refused with "mmap_hook=prepare: this kernel lacks"
#   huge=1              loads with a buffer of three PMDs, or is refused
#                       with "huge=1: this kernel lacks"
# A refusal of a parameter in $MMAP_TEST_REQUIRE is a failure (make check
# names what the row's kernel has).
# shellcheck source=test/kselftest/parts/common.sh
. "$(dirname "$0")/common.sh"

# loads_or_lacks NAME WORDS CHECK: WORDS loads the module and the command
# CHECK passes, or the module refuses them as lacking in this kernel.
loads_or_lacks() {
	_name=$1 _words=$2
	shift 2
	mt_load "$_words"
	case $? in
	0)	"$@"
		result $? "$_name" "loaded with $_words, but: $*"
		mt_unload ;;
	4)	result 0 "$_name"
		echo "# $_name: $mt_why" ;;
	*)	result 1 "$_name" "$mt_why" ;;
	esac
}

# refused NAME WORDS MESSAGE: the module does not load with WORDS, and
# the kernel log says MESSAGE.
refused() {
	mt_load "$2" >/dev/null
	_rc=$?
	if mt_loaded; then
		mt_unload
		result 1 "$1" "loaded with $2"
	else
		dmesg | tail -n 20 | grep -qF "$3"
		result $? "$1" "load status $_rc; no '$3' in the kernel log"
	fi
}

refused hook_refused.bogus mmap_hook=bogus "mmap_hook=bogus: must be mmap or prepare"
refused buffer_pages.0 buffer_pages=0 "buffer_pages=0: must be 1 to "
max=$(dmesg | sed -n 's/.*buffer_pages=0: must be 1 to \([0-9]\{1,\}\)$/\1/p' | tail -n 1)
if [ -n "$max" ]; then
	refused buffer_pages.max_plus_1 "buffer_pages=$((max + 1))" \
		"buffer_pages=$((max + 1)): must be 1 to $max"
	mt_load "buffer_pages=$max" &&
		grep -qx "$max" /sys/module/mmap_test/parameters/buffer_pages
	result $? buffer_pages.max "buffer_pages=$max (the largest) did not load: $mt_why"
	mt_unload
else
	result 1 buffer_pages.max_plus_1 "no limit in the refusal of buffer_pages=0"
	result 1 buffer_pages.max "no limit in the refusal of buffer_pages=0"
fi

# shellcheck disable=SC2317  # called by loads_or_lacks
registered() {
	dmesg | grep 'registered /dev/mmap-test' | tail -n 1 | grep -q ", f_op->$1\$"
}
loads_or_lacks hook.prepare mmap_hook=prepare registered mmap_prepare

if mt_words "huge=1,buffer_pages=pmd*3"; then
	loads_or_lacks huge "$mt_w" \
		grep -qx Y /sys/module/mmap_test/parameters/huge
else
	skip huge "$mt_why"
fi
ktap_end
