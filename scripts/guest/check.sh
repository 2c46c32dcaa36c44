#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: guest job "check", run by /init inside the VM (scripts/vm.sh
# <target> check); not for the host.  Runs the test suite of one target
# and prints TAP-like lines that scripts/check.sh counts:
#   ok N name                  pass
#   not ok N name [- detail]   fail
#   ok N name # SKIP reason    skip (never a pass)
# The kselftest programs in /selftests print their own TAP; their result
# lines are renamed "<program>:<test>", and a program that stops early or
# exits inconsistently adds one failing line.  Then `test-mmap tour` (text,
# and --json: one object per step, none failed, a skipped step is a SKIP
# line), the experiment scripts /examples/* (`test-mmap script`: exit 0
# pass, 4 skip, else fail), the lab bench's handling of malformed lines
# (script, -i, --json), and the mmap_test trace events (tracefs missing is
# a failure).  Ends with "CHECK-END".
# With HOOKS="mmap prepare" all of it runs twice, the second time with the
# module loaded with mmap_hook=prepare and test names "prepare.<name>"
# (its fuzzer does a fifth of the calls).
# Then, with HUGE=1, the module is loaded once more with huge=1 and a
# buffer of three PMDs for mmap-test-huge, the tour's huge_pmd step and
# mmap-test-faultinject ("huge.<name>"); with HUGE=0 huge=1 must be
# refused.  Last, mmap-test-memfail in a module load of its own.
# Settings from /guest/env: TARGET, FUZZ_CALLS (default 1000000),
# FUZZ_SECONDS (time cap of the fuzzer, default 120), MODULE_PARAMS
# (insmod parameters, default none), HOOKS (default mmap), HUGE (1: the
# target's kernel has huge device mappings; default 0).
set -u
# shellcheck disable=SC1091
[ -f /guest/env ] && . /guest/env
TARGET=${TARGET:-unknown}
FUZZ_CALLS=${FUZZ_CALLS:-1000000}
FUZZ_SECONDS=${FUZZ_SECONDS:-120}
MODULE_PARAMS=${MODULE_PARAMS:-}
HOOKS=${HOOKS:-mmap}
HUGE=${HUGE:-0}
TOUR_STEPS=12	# test-mmap tour's steps
PFX=	# test-name prefix of the pass: none for mmap_hook=mmap
DEV=/dev/mmap-test
STATS=/sys/kernel/debug/mmap_test/stats
KMEMLEAK=/sys/kernel/debug/kmemleak
n=0

# result STATUS NAME [DETAIL]: one TAP line, pass when STATUS is 0.
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n guest.$PFX$2"
	else
		echo "not ok $n guest.$PFX$2${3:+ - $3}"
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n guest.$PFX$1 # SKIP $2"
}

# Run a program, its output prefixed so that it cannot look like TAP.
run_prefixed() {
	_p=$1
	shift
	{ "$@" 2>&1; echo $? > /tmp/rc; } | sed "s/^/$_p| /"
	return "$(cat /tmp/rc)"
}

# section NAME: a comment line with the guest's uptime, for the log.
section() { echo "# [$(cut -d' ' -f1 /proc/uptime)s] $*"; }

loaded() { grep -q '^mmap_test ' /proc/modules; }

# rmmod_refused RC NAME WHEN: pass when rmmod failed (status RC) and the
# module is still loaded.
rmmod_refused() {
	if [ "$1" != 0 ] && loaded; then
		result 0 "$2"
	else
		result 1 "$2" "rmmod rc=$1 $3"
	fi
}

stat_of() { # name: value of a line "name value" of the debugfs stats file
	sed -n "s/^$1[[:space:]:]\{1,\}\([0-9]\{1,\}\).*/\1/p" "$STATS" | head -n1
}

echo "# check on $TARGET: $(uname -r) $(uname -m)"

if [ "${DEBUG_KERNEL:-0}" = 1 ] && [ -w "$KMEMLEAK" ]; then
	# Forget what was already unreferenced at boot: only leaks that
	# happen from here on count.
	echo scan > "$KMEMLEAK"
	echo clear > "$KMEMLEAK"
fi

# suite HOOK: the whole suite with the module loaded with mmap_hook=HOOK;
# its test names get the prefix $PFX.
suite() {
	hook=$1
	params="$MODULE_PARAMS mmap_hook=$hook"
	calls=$FUZZ_CALLS
	# the second pass's fuzzer is shorter: only the setup of a mapping differs
	[ -z "$PFX" ] || calls=$((FUZZ_CALLS / 5))
	# The parts, in order; they share these variables (sh has no locals).
	for part in load test_mmap selftests tour examples lab trace \
		call_chain fuzzer lifetime; do
		"suite_$part"
	done
}

# suite_load: the module loaded with mmap_hook=$hook.
suite_load() {
	# --- load ----------------------------------------------------------------
	section "load (mmap_hook=$hook)"
	# shellcheck disable=SC2086  # a list of parameters
	insmod /mmap_test.ko $params
	rc=$?
	result "$rc" insmod "insmod mmap_test.ko $params: rc=$rc"
	# the hook it registered, as its load message says
	want=mmap
	[ "$hook" = prepare ] && want=mmap_prepare
	dmesg | grep 'registered /dev/mmap-test' | tail -n 1 | grep -q ", f_op->$want\$"
	result $? hook_registered "the load message does not say f_op->$want"

	mode=$(stat -c '%F %a' "$DEV" 2>/dev/null)
	[ "$mode" = "character special file 600" ]
	result $? device_node "$DEV is '${mode:-missing}', want a character device, mode 600"
}

# suite_test_mmap: the reference run.
suite_test_mmap() {
	# --- test-mmap -----------------------------------------------------------
	section test-mmap
	run_prefixed test-mmap test-mmap
	rc=$?
	result "$rc" test-mmap "exit status $rc"
}

# run_selftest PROGRAM NAME: one kselftest program; its result lines
# become "ok N <NAME>:<test>" (a skip line of the harness, "ok N # SKIP
# why", gets the name of the test that ran; a program with nothing to run
# here, "1..0 # SKIP why", is one skip "ok 1 <NAME> # SKIP why"), and a
# program that stops early or exits inconsistently adds one failing line
# "<NAME>.complete" or "<NAME>.exit".
run_selftest() {
	_b=$1 _name=$2
	section "selftest $_name"
	{ "$_b" 2>&1; echo $? > /tmp/rc; } | tee /tmp/st.out |
		awk -v p="$_name" '
		/^#  RUN / { cur = $3 }
		/^ok [0-9]+ # / {
			sub(/^ok [0-9]+ /, "&" p ":" cur " ")
			print; fflush(); next
		}
		/^(not )?ok [0-9]+ / { sub(/^(not )?ok [0-9]+ /, "&" p ":") }
		/^1\.\.[0-9]+$/ { $0 = "# " p ": " $0 }
		/^1\.\.0 # SKIP / {
			# nothing to run here: one skip, with the reason
			sub(/^1\.\.0 # SKIP /, "ok 1 " p " # SKIP ")
		}
		{ print; fflush() }'
	_rc=$(cat /tmp/rc)
	_plan=$(sed -n 's/^1\.\.\([0-9]\{1,\}\)\( # SKIP .*\)\{0,1\}$/\1/p' /tmp/st.out | head -n1)
	_got=$(grep -cE '^(not )?ok [0-9]+ ' /tmp/st.out)
	_nfail=$(grep -cE '^not ok [0-9]+ ' /tmp/st.out)
	if [ -z "$_plan" ] || [ "$_got" -lt "$_plan" ]; then
		result 1 "$_name.complete" \
			"ran $_got of ${_plan:-?} tests, exit status $_rc"
	elif [ "$_rc" != 0 ] && [ "$_rc" != 4 ] && [ "$_nfail" = 0 ]; then
		result 1 "$_name.exit" "exit status $_rc without a failing test"
	fi
}

# suite_selftests: every program of /selftests but mmap-test-huge and
# mmap-test-memfail, which need module loads of their own (below).
suite_selftests() {
	# --- kselftest programs ---------------------------------------------------
	section kselftest programs
	for b in /selftests/*; do
		[ -x "$b" ] || continue
		name=${b##*/}
		case $name in
		mmap-test-huge | mmap-test-memfail) continue ;;
		esac
		run_selftest "$b" "$PFX$name"
	done
}

# suite_tour: test-mmap tour, text and --json.
suite_tour() {
	# --- tour ----------------------------------------------------------------
	section tour
	run_prefixed tour test-mmap tour
	rc=$?
	result "$rc" tour "test-mmap tour: exit status $rc"

	# --json: JSON lines, exactly one object per step 1..TOUR_STEPS, none
	# failed, and no step skipped for want of root.
	test-mmap tour --json >/tmp/tour.json 2>/tmp/tour.err
	rc=$?
	sed 's/^/tour-json| /' /tmp/tour.json /tmp/tour.err
	lines=$(grep -c . /tmp/tour.json)
	objs=$(grep -cE '^\{"step":[0-9]+,"name":"[a-z_]+","verdict":"(pass|fail|skip)",.*\}$' \
		/tmp/tour.json)
	fails=$(grep -c '"verdict":"fail"' /tmp/tour.json)
	i=1
	numbered=0
	while [ $i -le $TOUR_STEPS ]; do
		grep -q "^{\"step\":$i," /tmp/tour.json && numbered=$((numbered + 1))
		i=$((i + 1))
	done
	[ "$rc" = 0 ] && [ "$lines" = $TOUR_STEPS ] && [ "$objs" = $TOUR_STEPS ] &&
		[ "$numbered" = $TOUR_STEPS ] && [ "$fails" = 0 ]
	result $? tour_json \
		"exit status $rc, $lines lines, $objs step objects, steps 1-$TOUR_STEPS: $numbered, $fails failed"
	grep -q '^{"step":[0-9]*,"name":"call_chain","verdict":"pass"' /tmp/tour.json
	result $? tour_call_chain "the call_chain step did not pass"
	# A skipped step is not a pass: one SKIP line each, with the step's note.
	sed -n 's/^{"step":[0-9]*,"name":"\([a-z_]*\)","verdict":"skip",.*"note":"\([^"]*\)".*/\1 \2/p' \
		/tmp/tour.json > /tmp/tour.skips
	while read -r name why; do
		skip "tour.$name" "$why"
	done < /tmp/tour.skips
}

# suite_examples: the experiment scripts of /examples.
suite_examples() {
	# --- lab bench: test-mmap script and -i -----------------------------------
	section examples
	nex=0
	for f in /examples/*; do
		[ -f "$f" ] || continue
		nex=$((nex + 1))
		name=${f##*/}
		test-mmap script "$f" >/tmp/ex.out 2>&1
		rc=$?
		sed "s/^/ex-$name| /" /tmp/ex.out
		case $rc in
		0) result 0 "example.$name" ;;
		4) skip "example.$name" "$(sed -n 's/^SKIP: //p' /tmp/ex.out | head -n1)" ;;
		*) result 1 "example.$name" \
			"test-mmap script $f: exit status $rc; $(grep -m1 'error' /tmp/ex.out)" ;;
		esac
	done
	[ "$nex" -ge 10 ]
	result $? examples_present "$nex scripts in /examples, want 10 or more"

	# --json: every example prints only JSON objects, one per line, and at
	# least one object per command line (fork adds its child's).
	bad=
	for f in /examples/*; do
		[ -f "$f" ] || continue
		test-mmap --json script "$f" >/tmp/ex.json 2>/dev/null
		rc=$?
		cmds=$(grep -cvE '^[[:space:]]*(#|$)' "$f")
		lines=$(grep -c . /tmp/ex.json)
		objs=$(grep -c '^{.*}$' /tmp/ex.json)
		if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
			bad="$bad ${f##*/}(exit $rc)"
		elif [ "$lines" != "$objs" ] || { [ "$rc" = 0 ] && [ "$objs" -lt "$cmds" ]; }; then
			bad="$bad ${f##*/}($objs objects, $lines lines, $cmds commands)"
			sed 's/^/ex-json| /' /tmp/ex.json
		fi
	done
	[ -z "$bad" ]
	result $? examples_json "not one JSON object per line and command:$bad"
}

# lab_check NAME ERROR_RE CMD...: CMD reads /tmp/lab.in; exit status 1,
# exactly one error line per bad line, both expects ok, "survived".
lab_check() {
	_name=$1 _re=$2
	shift 2
	"$@" </tmp/lab.in >/tmp/lab.out 2>/tmp/lab.err
	_rc=$?
	sed 's/^/lab-out| /' /tmp/lab.out
	sed 's/^/lab-err| /' /tmp/lab.err
	_errs=$(grep -c . /tmp/lab.err)
	_clear=$(grep -cE "$_re" /tmp/lab.err)
	_ok=$(grep -c '^expect ok: ' /tmp/lab.out)
	_surv=$(grep -c '^survived$' /tmp/lab.out)
	[ "$_rc" = 1 ] && [ "$_errs" = "$nbad" ] &&
		[ "$_clear" = "$nbad" ] && [ "$_surv" = 1 ] && [ "$_ok" = 2 ]
	result $? "lab.$_name" \
		"exit status $_rc (want 1), $_errs error lines, $_clear like '$_re' (want $nbad), expects ok: $_ok of 2, survived: $_surv"
}

# suite_lab: the lab bench's handling of malformed lines.
suite_lab() {
	section lab bench: malformed lines
	# Each bad line gives exactly one error line, and the session goes on: the
	# mapping made before them is still there after them.
	cat > /tmp/bad.in <<-'EOF'
	frobnicate
	alloc --len
	alloc --len zz
	alloc --bogus
	free
	query
	touch
	touch $nosuch
	$ = alloc
	$a alloc
	expect
	expect 1 +
	echo "unterminated
	read $page 99999
	madvise $page 1p sideways
	mprotect $page 1p rwq
	mremap 1 2
	help nothing
	alloc --prot q
	alloc --device /dev/null
	expect $a.nofield == 1
	$b = 0x1 / 0
	query 99999999999999999999999
	fork
	alloc extra
	alloc --expect EWHAT
	$c = allocate --len 1p
	touch 0x10 1p
	EOF
	printf 'echo %01100d\n' 0 >> /tmp/bad.in
	nbad=$(grep -c . /tmp/bad.in)
	# shellcheck disable=SC2016  # $ is test-mmap's, not the shell's
	{
		echo '$a = alloc --anon --private --len 2p'
		cat /tmp/bad.in
		echo '$q = query $a'
		echo 'expect $q.contains == 1'
		echo 'expect $q.vm_end == $a + 2p'
		echo 'free $a'
		echo 'echo survived'
	} > /tmp/lab.in

	lab_check malformed_script '^-:[0-9]+: error: [^ ]' test-mmap script -
	lab_check malformed_interactive '^error: [^ ]' test-mmap -i
	# script lines 2..nbad+1 each have their error
	nums=$(test-mmap script - </tmp/lab.in 2>&1 >/dev/null |
		sed -n 's/^-:\([0-9]*\): error: .*/\1/p' | sort -nu | tr '\n' ' ')
	want=$(seq 2 $((nbad + 1)) | tr '\n' ' ')
	[ "$nums" = "$want" ]
	result $? lab.one_error_per_line "error lines of lines: $nums; want: $want"
	# The merge, built up step by step in one -i session (as in make shell).
	# shellcheck disable=SC2016  # $ is test-mmap's, not the shell's
	printf '%s\n' '$a = alloc --anon --private --len 1p' \
		'$b = alloc --anon --private --len 1p --addr $a-1p' maps \
		'$q = query $a' 'expect $q.vm_start == $b' \
		'expect $q.vm_end == $a + 1p' 'expect $q.nr_vmas == $b.before.nr_vmas' |
		test-mmap -i >/tmp/lab.out 2>&1
	rc=$?
	sed 's/^/lab-merge| /' /tmp/lab.out
	[ "$rc" = 0 ] && [ "$(grep -c '^expect ok: ' /tmp/lab.out)" = 3 ]
	result $? lab.interactive_merge "test-mmap -i: exit status $rc, $(grep -c '^expect ok: ' /tmp/lab.out) of 3 expects ok"

	test-mmap --json script - </tmp/lab.in >/tmp/lab.json 2>/dev/null
	rc=$?
	sed 's/^/lab-json| /' /tmp/lab.json
	lines=$(grep -c . /tmp/lab.json)
	objs=$(grep -c '^{.*}$' /tmp/lab.json)
	errs=$(grep -c '^{"line":[0-9]*,"ok":false,"error":"' /tmp/lab.json)
	[ "$rc" = 1 ] && [ "$lines" = "$objs" ] && [ "$errs" = "$nbad" ]
	result $? lab.malformed_json \
		"exit status $rc (want 1), $lines lines, $objs JSON objects, $errs error objects (want $nbad)"
}

# trace_cmd OUT CMD...: run CMD with the module's events ($EV) enabled;
# the trace ($TR/trace) goes to OUT, the buffer is cleared before and after.
trace_cmd() {
	_out=$1
	shift
	: >"$TR/trace"
	echo 1 >"$EV/enable"
	"$@" >/dev/null 2>&1
	_rc=$?
	echo 0 >"$EV/enable"
	cat "$TR/trace" >"$_out"
	: >"$TR/trace"
	sed -n '/^[^#]/p' "$_out" | head -n 12 | sed 's/^/trace| /'
	return $_rc
}

# trace_missing FILE EVENT...: the events with no line in FILE
trace_missing() {
	_f=$1
	shift
	_m=
	for _e in "$@"; do
		grep -q " $_e: " "$_f" || _m="$_m $_e"
	done
	echo "$_m"
}

# suite_trace: the mmap_test trace events.
suite_trace() {
	# --- trace events ---------------------------------------------------------
	section trace events
	TR=/sys/kernel/tracing
	EV=$TR/events/mmap_test

	if [ -f "$TR/trace" ] && [ -d "$EV" ]; then
		missing=
		for e in mmap_test_alloc mmap_test_free mmap_test_query \
			mmap_test_fault mmap_test_map_pages mmap_test_open \
			mmap_test_close; do
			[ -f "$EV/$e/enable" ] || missing="$missing $e"
		done
		[ -z "$missing" ]
		result $? trace.events_present "missing in $EV:$missing"

		trace_cmd /tmp/trace.run test-mmap
		rc=$?
		missing=$(trace_missing /tmp/trace.run mmap_test_alloc mmap_test_free \
			mmap_test_query mmap_test_fault mmap_test_open mmap_test_close)
		[ "$rc" = 0 ] && [ -z "$missing" ]
		result $? trace.test_mmap \
			"test-mmap exit status $rc; no trace line of:${missing:- (none)}"

		trace_cmd /tmp/trace.tour test-mmap tour
		rc=$?
		missing=$(trace_missing /tmp/trace.tour mmap_test_alloc mmap_test_free \
			mmap_test_query mmap_test_fault mmap_test_map_pages \
			mmap_test_open mmap_test_close)
		[ "$rc" = 0 ] && [ -z "$missing" ]
		result $? trace.tour_map_pages \
			"test-mmap tour exit status $rc; no trace line of:${missing:- (none)}"
	else
		# tracefs is mounted by /init and these kernels have it: a failure.
		result 1 trace.events_present "no $TR/trace or no $EV (tracefs?)"
		result 1 trace.test_mmap "no tracefs"
		result 1 trace.tour_map_pages "no tracefs"
	fi
}

# suite_call_chain: the mmap hook on the stack.
suite_call_chain() {
	# --- call chain ----------------------------------------------------------
	# dump_stack=1: the hook that set up the mapping is on the stack of the
	# mmap; with mmap_prepare, ->mapped runs once the VMA exists.
	section "call chain (dump_stack=1)"
	mark="mmap-test-check: call chain $hook"
	echo "$mark" > /dev/kmsg
	echo 1 > /sys/module/mmap_test/parameters/dump_stack
	# one ALLOC, no fault: few stacks, so the kernel log keeps the mark
	test-mmap alloc --len 1p >/dev/null 2>&1
	rc=$?
	echo 0 > /sys/module/mmap_test/parameters/dump_stack
	dmesg | sed -n "/$mark/,\$p" > /tmp/chain
	grep -E '^[^a-z]*(\[[^]]*\] )?[[:space:]]*[a-z_0-9.]+\+0x' /tmp/chain |
		grep -E 'mmap_test|mmap_region|mmap_new_vma|mmap_action|do_mmap|vm_mmap' |
		sed 's/^/chain| /' | head -n 24
	# a reliable frame "] name[.cold|.isra.0...]+0x..": the compiler may
	# split a function (dump_stack() is in an unlikely branch); "] ? name"
	# is a stale return address found on the stack (KASAN kernels)
	has() { grep -qE "\][[:space:]]+$1(\.[a-z0-9.]+)?\+0x" /tmp/chain; }
	case $hook in
	prepare) has mmap_test_mmap_prepare && has mmap_test_vma_mapped &&
		! has mmap_test_mmap ;;
	*) has mmap_test_mmap && ! has mmap_test_mmap_prepare &&
		! has mmap_test_vma_mapped ;;
	esac
	ok=$?
	[ "$rc" = 0 ] && [ "$ok" = 0 ]
	result $? call_chain \
		"test-mmap alloc exit status $rc; the stacks do not show the $hook hook"
}

# suite_fuzzer: mmap-test-fuzz (debug kernel only).
suite_fuzzer() {
	# --- fuzzer (debug kernel only) -----------------------------------------
	section fuzzer
	if [ "${DEBUG_KERNEL:-0}" = 1 ]; then
		if command -v mmap-test-fuzz >/dev/null; then
			run_prefixed fuzz mmap-test-fuzz --calls "$calls" \
				--seconds "$FUZZ_SECONDS"
			rc=$?
			result "$rc" fuzz "mmap-test-fuzz --calls $calls --seconds $FUZZ_SECONDS: exit status $rc"
		else
			skip fuzz "mmap-test-fuzz not built"
		fi
	fi
}

# suite_lifetime: what pins the module, and unloading.
suite_lifetime() {
	# --- module lifetime -----------------------------------------------------
	section module lifetime
	# An open fd pins the module (a subshell holds fd 3: a failing open must
	# not end this script).
	rm -f /tmp/rc
	(exec 3<"$DEV" && { rmmod mmap_test 2>/dev/null; echo $? > /tmp/rc; })
	if [ -f /tmp/rc ]; then
		rmmod_refused "$(cat /tmp/rc)" lifetime.rmmod_refused_while_open \
			"with an fd open"
	else
		result 1 lifetime.rmmod_refused_while_open "cannot open $DEV"
	fi

	# A live mapping pins the module after its fd is closed.
	rm -f /tmp/hold.in /tmp/hold.out
	mkfifo /tmp/hold.in
	test-mmap hold </tmp/hold.in >/tmp/hold.out 2>&1 &
	hpid=$!
	exec 4>/tmp/hold.in
	i=0
	while ! grep -q '^holding 0x' /tmp/hold.out && [ $i -lt 30 ] &&
		kill -0 "$hpid" 2>/dev/null; do
		sleep 1
		i=$((i + 1))
	done
	sed 's/^/hold| /' /tmp/hold.out
	if grep -q '^holding 0x' /tmp/hold.out; then
		maps=$(grep -c mmap-test "/proc/$hpid/maps" 2>/dev/null)
		fds=0
		for f in "/proc/$hpid/fd/"*; do
			case $(readlink "$f" 2>/dev/null) in
			"$DEV") fds=$((fds + 1)) ;;
			esac
		done
		echo "# hold: pid $hpid, $maps mapping(s) of $DEV, $fds fd(s) on it"
		[ "${maps:-0}" -ge 1 ] && [ "$fds" = 0 ]
		result $? lifetime.hold_maps_without_fd \
			"maps=$maps fds=$fds, want a mapping and no fd"
		rmmod mmap_test 2>/dev/null
		rmmod_refused $? lifetime.rmmod_refused_while_mapped \
			"with a mapping live"
	else
		result 1 lifetime.hold_maps_without_fd "no 'holding 0x...' line in 30 s"
		result 1 lifetime.rmmod_refused_while_mapped "test-mmap hold failed"
	fi
	exec 4>&-
	i=0
	while kill -0 "$hpid" 2>/dev/null && [ $i -lt 10 ]; do
		sleep 1
		i=$((i + 1))
	done
	kill -0 "$hpid" 2>/dev/null && { echo "# hold: no exit on EOF, SIGTERM"; kill "$hpid"; }
	wait "$hpid"
	rc=$?
	result "$rc" lifetime.hold_exits_on_eof "test-mmap hold exit status $rc"

	# Nothing left: the debugfs counters are back to zero, rmmod works.
	if [ -r "$STATS" ]; then
		sed 's/^/stats| /' "$STATS"
		pages=$(stat_of pages)
		vmas=$(stat_of live_vmas)
		[ "$pages" = 0 ] && [ "$vmas" = 0 ]
		result $? lifetime.stats_zero_before_rmmod \
			"pages=${pages:-?} live_vmas=${vmas:-?}"
	else
		result 1 lifetime.stats_zero_before_rmmod "no $STATS"
	fi
	rmmod mmap_test
	rc=$?
	! loaded && [ ! -e "$DEV" ]
	result $? lifetime.rmmod "rmmod rc=$rc"

	# Loads and unloads again cleanly.
	# shellcheck disable=SC2086  # a list of parameters
	insmod /mmap_test.ko $params && rmmod mmap_test && ! loaded
	result $? lifetime.reload
}

# A kernel without f_op->mmap_prepare (HOOKS without "prepare") refuses
# mmap_hook=prepare; every kernel refuses an unknown hook.
hook_refused() {
	_v=$1 _msg=$2
	insmod /mmap_test.ko mmap_hook="$_v" 2>/dev/null
	_rc=$?
	if loaded; then
		rmmod mmap_test
		result 1 "hook_refused.$_v" "insmod mmap_hook=$_v loaded"
		return
	fi
	dmesg | tail -n 20 | grep -q "mmap_hook=$_v: $_msg"
	_log=$?
	[ "$_rc" != 0 ] && [ "$_log" = 0 ]
	result $? "hook_refused.$_v" \
		"insmod mmap_hook=$_v rc=$_rc; no 'mmap_hook=$_v: $_msg' in dmesg"
}

section "hooks: $HOOKS"
hook_refused bogus "must be mmap or prepare"
case " $HOOKS " in
*" prepare "*) ;;
*) hook_refused prepare "this kernel lacks" ;;
esac

for h in $HOOKS; do
	PFX=
	[ "$h" = mmap ] || PFX="$h."
	suite "$h"
done
PFX=

# --- huge=1 ----------------------------------------------------------------
# Huge device mappings: mmap-test-huge and the tour's huge_pmd step, with
# the module loaded with huge=1 and a buffer of three PMDs (the PMD is the
# kernel's: 2 MiB with 4 KiB pages, 32 MiB with 16 KiB); a kernel without
# them refuses huge=1.  The rest of the suite ran without it.
section "huge=1 (HUGE=$HUGE)"
if [ "$HUGE" = 1 ]; then
	pmd=$(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size 2>/dev/null)
	bp=$((${pmd:-0} * 3 / 4096))	# at least three PMDs for any page size
	# shellcheck disable=SC2086  # a list of parameters
	insmod /mmap_test.ko $MODULE_PARAMS huge=1 buffer_pages=$bp
	rc=$?
	result "$rc" huge.insmod "insmod mmap_test.ko huge=1 buffer_pages=$bp: rc=$rc"
	run_prefixed mmap-test-huge /selftests/mmap-test-huge >/tmp/huge.out
	rc=$?
	cat /tmp/huge.out
	skips=$(grep -c '# SKIP' /tmp/huge.out)
	oks=$(grep -cE '^mmap-test-huge\| ok [0-9]+ ' /tmp/huge.out)
	[ "$rc" = 0 ] && [ "$skips" = 0 ] && [ "$oks" -ge 3 ]
	result $? huge.mmap-test-huge \
		"exit status $rc, $oks passed, $skips skipped"
	test-mmap tour --json >/tmp/tour.json 2>&1
	grep huge_pmd /tmp/tour.json | sed 's/^/tour-json| /'
	grep -q '^{"step":[0-9]*,"name":"huge_pmd","verdict":"pass"' /tmp/tour.json
	result $? huge.tour_huge_pmd "the tour's huge_pmd step did not pass"
	# allocation failures of the large-folio path (where the kernel
	# has fault injection; its tests SKIP elsewhere)
	[ -x /selftests/mmap-test-faultinject ] &&
		run_selftest /selftests/mmap-test-faultinject \
			huge.mmap-test-faultinject
	rmmod mmap_test
	rc=$?
	! loaded
	result $? huge.rmmod "rmmod rc=$rc"
else
	insmod /mmap_test.ko huge=1 2>/dev/null
	rc=$?
	if loaded; then
		rmmod mmap_test
		result 1 huge_refused "insmod huge=1 loaded, HUGE=0"
	else
		dmesg | tail -n 20 | grep -q 'huge=1: this kernel lacks'
		result $? huge_refused \
			"insmod huge=1 rc=$rc; no 'huge=1: this kernel lacks' in dmesg"
	fi
fi

# --- memory failure --------------------------------------------------------
# mmap-test-memfail poisons and offlines buffer pages: the poisoned pfns are
# never given back, and the kernel logs each event.  So it runs last, in a
# module load of its own, and the module must unload cleanly after it.
section "memory failure"
# shellcheck disable=SC2086  # a list of parameters
insmod /mmap_test.ko $MODULE_PARAMS
rc=$?
result "$rc" memfail.insmod "insmod mmap_test.ko $MODULE_PARAMS: rc=$rc"
# The host's splat scan accepts the kernel's memory-failure lines only
# between these two (scripts/lib/splat.sh).
echo "mmap-test: memory-failure tests begin" > /dev/kmsg
run_selftest /selftests/mmap-test-memfail mmap-test-memfail
echo "mmap-test: memory-failure tests end" > /dev/kmsg
files=$(stat_of files) pages=$(stat_of pages) vmas=$(stat_of live_vmas)
[ "$files/$pages/$vmas" = 0/0/0 ]
result $? memfail.released "after the tests: files $files, pages $pages, live_vmas $vmas"
rmmod mmap_test
rc=$?
! loaded
result $? memfail.rmmod "rmmod rc=$rc"

# --- kmemleak (debug kernel only) ---------------------------------------
section kmemleak
if [ "${DEBUG_KERNEL:-0}" = 1 ]; then
	if [ -w "$KMEMLEAK" ]; then
		echo scan > "$KMEMLEAK"
		sleep 6
		echo scan > "$KMEMLEAK"
		cat "$KMEMLEAK" > /tmp/leaks
		sed 's/^/kmemleak| /' /tmp/leaks
		[ ! -s /tmp/leaks ]
		result $? kmemleak "$(grep -c 'unreferenced object' \
			/tmp/leaks) unreferenced object(s)"
	else
		result 1 kmemleak "no $KMEMLEAK"
	fi
fi

echo "# kernel log of the module (last 200 lines)"
dmesg | grep -E 'mmap.test|page index offset' | tail -n 200
section "done: the guest ran $n checks of its own"
echo "CHECK-END"
