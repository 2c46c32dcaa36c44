# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Sourced by mmap_test.sh and the parts/ scripts of the kselftest
# collection mmap_test (sh): the test table and loading the module.
#   mt_list             every test: "name when params command...", in
#                       kselftest-list.txt's order, "*" resolved
#   mt_row NAME         the line of mt_list of test NAME
#   mt_words PARAMS     sets $mt_w to the insmod words of a params column
#                       (pmd*N resolved, commas to spaces); fails with the
#                       reason in $mt_why
#   mt_load WORDS       loads the module with WORDS: `modprobe mmap_test`
#                       where it is installed (and $MMAP_TEST_KO is not
#                       set), else insmod of $MMAP_TEST_KO or of the
#                       mmap_test.ko beside these scripts.  Status 0
#                       loaded; 4 (skip) when the module is missing or
#                       refuses a parameter the kernel lacks (unless
#                       $MMAP_TEST_REQUIRE names it); 1 otherwise.  The
#                       reason in $mt_why.
#   mt_unload           rmmod mmap_test, if loaded
#   mt_loaded           the module is loaded
#   mt_stat NAME        a count of the module's debugfs stats (empty
#                       without debugfs)
# MT_DIR is the collection's directory.
MT_DIR=${MT_DIR:-$(cd "$(dirname "$0")" && pwd)}
while [ ! -f "$MT_DIR/tests" ] && [ "$MT_DIR" != / ]; do
	MT_DIR=$(dirname "$MT_DIR")	# sourced from parts/
done
mt_why=

mt_loaded() { [ -d /sys/module/mmap_test ]; }

mt_stat() {
	sed -n "s/^$1[[:space:]:]\{1,\}\([0-9]\{1,\}\).*/\1/p" \
		/sys/kernel/debug/mmap_test/stats 2>/dev/null | head -n 1
}

mt_list() {
	_progs=$(cd "$MT_DIR" && for _p in mmap-test-*; do
		case $_p in *.sh | mmap-test-fuzz) ;; *) [ -x "$_p" ] && echo "$_p" ;; esac
	done)
	awk -v progs="$_progs" '
		!/^#/ && NF { row[++n] = $0; name[n] = $1; named[$1] = 1 }
		END {
			np = split(progs, p, "\n")
			for (i = 1; i <= n; i++) {
				if (name[i] != "*") {
					line = row[i]
					split(line, f)
					if (f[4] == "*")
						sub(/[*][[:space:]]*$/, f[1], line)
					print line
					continue
				}
				split(row[i], f)
				for (j = 1; j <= np; j++)
					if (p[j] != "" && !(p[j] in named))
						print p[j] "\t" f[2] "\t" f[3] "\t" p[j]
			}
		}' "$MT_DIR/tests"
}

mt_row() { mt_list | awk -v t="$1" '$1 == t'; }

mt_words() {
	mt_why=
	mt_w=
	[ "$1" = - ] && return 0
	_pmd=$(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size 2>/dev/null)
	# the page size (busybox has no getconf; smaps says it too)
	_page=$(getconf PAGESIZE 2>/dev/null ||
		awk '/^KernelPageSize:/ { print $2 * 1024; exit }' /proc/self/smaps)
	for _x in $(echo "$1" | tr ',' ' '); do
		case $_x in
		*=pmd\*[0-9]*)
			if [ -z "$_pmd" ]; then
				mt_why="$_x: no transparent huge pages (no hpage_pmd_size)"
				return 1
			fi
			_x="${_x%%=*}=$((_pmd * ${_x#*=pmd\*} / _page))"
			;;
		esac
		mt_w="${mt_w:+$mt_w }$_x"
	done
}

mt_unload() { ! mt_loaded || rmmod mmap_test; }

# shellcheck disable=SC2086  # WORDS is a list of parameters
mt_load() {
	mt_why=
	_ko=${MMAP_TEST_KO:-$MT_DIR/mmap_test.ko}
	if [ -z "${MMAP_TEST_KO:-}" ] && modprobe -n mmap_test 2>/dev/null; then
		echo "# modprobe mmap_test $1"
		modprobe mmap_test $1 2>&1 | sed 's/^/# /'
	elif [ -f "$_ko" ]; then
		echo "# insmod $_ko $1"
		insmod "$_ko" $1 2>&1 | sed 's/^/# /'
	else
		mt_why="the module is neither installed (modprobe mmap_test) nor at $_ko (MMAP_TEST_KO)"
		return 4
	fi
	if mt_loaded; then
		# Where udev runs, its rules set the node's group and mode
		# after the module made it: the tests see the node as set.
		if [ -e /run/udev/control ] && command -v udevadm >/dev/null; then
			udevadm settle --timeout=30 2>&1 | sed 's/^/# /'
		fi
		return 0
	fi
	_log=$(dmesg 2>/dev/null | grep 'mmap_test: ' | tail -n 1)
	mt_why="the module did not load with $1${_log:+: ${_log#*mmap_test: }}"
	case $_log in
	*"this kernel lacks"*) ;;
	*) return 1 ;;
	esac
	# the message names the parameter: "mmap_test: huge=1: this kernel lacks"
	_p=${_log#*mmap_test: }
	case " ${MMAP_TEST_REQUIRE:-} " in
	*" ${_p%%:*} "*)
		mt_why="$mt_why (MMAP_TEST_REQUIRE has ${_p%%:*})"
		return 1 ;;
	esac
	return 4
}
