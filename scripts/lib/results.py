#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/lib/results.py record --target NAME [--log LOG]... [--out BASE]
#            [--kernel KREL] [--splats K] [--seconds BUILD RUN]
#            [--note TEXT]... [--fail TEST REASON]... [--exit-status RC]
#        scripts/lib/results.py summary [--took SECONDS] FILE.tsv...
#        scripts/lib/results.py merge [--order KEYS] [--expect KEYS] INPUT...
#        scripts/lib/results.py selftest [--update]
#
# The one reader of test results: scripts/check.sh runs "record" after
# every job and prints "summary" at the end; nothing else parses results.
#
# record: reads LOG, a guest's serial log (build/<target>/check.log, then
# the logs of its WINDOW_BOOTS, build/<target>/window-<mode>.log) or a
# host check's log (build/host/<check>.log; --target host:<check>), and
# writes one record per test to BASE.tsv and a JUnit XML file BASE.xml
# (without --out: the TSV to stdout).  It prints "P passed, F failed, S
# skipped".  A record is
#   target   the target, or "host:<check>"
#   program  the test of the kselftest collection (mmap-test-query, tour:
#            the runner's "mmap-test-query.sh" without ".sh"), "guest"
#            for the guest job's own checks, the check for a host check,
#            "harness" for what check.sh adds (--fail)
#   test     "<program>:<its result>": "mmap-test-query:mt.query_x",
#            "tour:tour_json", "prepare.mmap-test-query:mt.query_x" (the
#            mmap_hook=prepare pass; its program is mmap-test-query);
#            "guest.kmemleak"; "lint: shellcheck (40 files)"
#   status   pass, fail or skip
#   reason   a skip's reason; a failure's last diagnostic lines (before
#            it; a host check's, after it) and detail, joined with " | ",
#            shortened
#   duration seconds, where the log gives them (today's logs do not)
# The TSV file has "# key: value" lines (target, kernel, splats, seconds,
# note: what the summary prints besides the records), then a header line,
# then the records; tabs, newlines and backslashes in fields are escaped
# as \t, \n, \r and \\.
#
# The log formats read (carriage returns dropped):
#   ok N name / not ok N name[ - detail] / ok N name # SKIP reason
#       the host checks' flat lines (tap.sh), the guest job's own, and all of
#       a guest's in logs from before the collection ran there;
#       "guest.<name>" is the guest's own check; "<program>:<test>" a
#       kselftest program's test, maybe after a pass's prefix (prepare.),
#       and "<program>" alone a program with nothing to run here
#   nested KTAP, as the kernel's run_kselftest.sh prints it: a top-level
#       "ok N selftests: <collection>: <program>.sh" per test, after the
#       test's own KTAP indented with "# " ("# ok 1 mt.query_x"); its
#       results become "<program>:<test>".  A log may hold several runs,
#       each from its "TAP version" line; a line "# mmap-test pass: P"
#       (scripts/guest/check.sh) prefixes the names of the runs after it
#       with P ("prepare."; empty: none).  A program whose top-level line is
#       missing, or that ran fewer tests than its plan, gives a failed
#       "<program>.complete"; one whose top-level line is "not ok" with no
#       failing test a failed "<program>.exit"; a program without tests
#       one record "<program>".
#   A SKIP without a reason is a failure ("SKIP without a reason"); an
#   XFAIL is a pass, an XPASS a failure.
#   A last line without its newline is cut: not a result.
#   Kernel lines ("[   12.345678] ...") are not results: a result glued to
#   one by the serial console is taken only when it has the shape of a
#   result name and the next number of its sequence; kernel text glued to
#   the end of a line is cut off.  Prefixed program output ("fuzz| ...")
#   is not a result.
#
# summary: the summary of any set of record files (one make check, or the
# records of separate runs): a matrix row per target, a row per host
# check, the targets' records per program, the skips with their reasons,
# notes, the time table, the failures with their diagnostics, and last
#   N passed, N failed[, N skipped]
# the sum of the records.  Exit status 1 if a record failed.
#
# merge: the summary of the records of separate runs (what scripts/check.sh
# --merge and `make results` run): INPUT is a directory (its *.tsv files,
# one run's build/results/) or a record file.  A job's key is the target
# in its file ("x86_64-6.1", "host:lint"); a key in two inputs is refused
# (exit status 2: the same job of two runs would count twice).  The files
# are summarised in a full run's order: the keys of --order (KEYS: words)
# first, in that order, then the others in the order given.  A key of
# --expect without records is a failed record "report" (program
# "harness"), as check.sh adds for a job that died.  The summary is the
# one a single run over the same jobs prints, but for its "check took
# Ns" line (the run's wall time), which becomes
#   merged N inputs: S s in the jobs (the time table's sum, not a wall time)
# Exit status 1 if a record failed.
#
# selftest: parses every recorded log scripts/lib/results-test-data/
# <case>.log (with the arguments in <case>.args, default --target <case>)
# and compares with <case>.expected.tsv; checks the XML and the TSV round
# trip of each, and the summary of the files in summary.args against
# summary.expected; then merges those files split into two runs (two
# directories, given in the reverse order) and compares with the same
# summary.expected (but for the last-but-one line, "check took 0s" there),
# and checks that a key in two inputs is refused and that a missing job
# of --expect fails.  Prints "results selftest: PASS (N cases)" or what
# differs.  --update rewrites the expected files (review their diff).
import argparse
import collections
import difflib
import os
import re
import shlex
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET

FIELDS = ("target", "program", "test", "status", "reason", "duration")
Record = collections.namedtuple("Record", FIELDS)

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results-test-data")

GUEST = "guest"          # the program of the guest's own checks
HARNESS = "harness"      # the program of what check.sh adds
GUEST_LABEL = "guest jobs' own checks (scripts/guest/)"
# Test-name prefixes of the guest's extra passes: "prepare." (the module
# loaded with mmap_hook=prepare) and "huge." (with huge=1).  The program of
# "prepare.mmap-test-query:mt.x" is mmap-test-query.
PASS_PREFIXES = ("prepare.", "huge.")

KMSG = re.compile(r"\[\s*\d+\.\d{6}\]")          # printk's timestamp
RESULT = re.compile(r"(not )?ok (\d+)(?: (.*))?$")
PLAN = re.compile(r"1\.\.(\d+)(.*)$")
VERSION = re.compile(r"K?TAP version \d+$")
SELFTEST = re.compile(r"selftests: (\S+): (\S+)$")  # run_kselftest.sh's name
PASS_MARK = re.compile(r"mmap-test pass: (\S*)$")  # scripts/guest/check.sh
PROGRAM_TEST = re.compile(r"([\w.-]+):\S")          # <program>:<test>
BARE_PROGRAM = re.compile(r"([\w.-]+)$")             # <program>
# the names a result glued to a kernel line may have: top level, nested
GLUED_TOP = re.compile(r"(guest\.\S+|[\w.-]+:\S+|selftests: \S+: \S+)$")
GLUED_NESTED = re.compile(r"[\w.-]*$")
DIRECTIVE = re.compile(r"(SKIP|XFAIL|XPASS|TODO)\S*[\s:]*(.*)$", re.I)
RUN = re.compile(r"\s*RUN\s+(\S+) \.\.\.")       # kselftest_harness.h
# harness lines that say nothing about a failure
NOISE = re.compile(r"\s*(RUN|OK|FAIL|SKIP)\s|\s*(Totals: |Starting \d+ tests"
                   r"|(PASSED|FAILED): \d+ / \d+ tests|timeout set to"
                   r"|selftests: |\d+ skipped test\(s\) detected)|\s*$")
MAX_DIAG = 6          # diagnostic lines kept for a failure
MAX_LINE = 200        # characters kept of each
MAX_REASON = 1000     # characters kept of a reason


def shorten(text, limit, tail=False):
    """text cut to limit characters, "..." where it was cut."""
    if len(text) <= limit:
        return text
    return "..." + text[-(limit - 3):] if tail else text[:limit - 3] + "..."


def has_reason(text):
    """A SKIP's reason is something with a letter or digit in it."""
    return any(c.isalnum() for c in text)


def unprefixed(prog):
    """A program's name without a pass's prefix."""
    for p in PASS_PREFIXES:
        if prog.startswith(p):
            return prog[len(p):]
    return prog


def program_of(name):
    """The program of a test name: <program> of [prefix.]<program>:<test>
    or of a whole program's record "[prefix.]<program>" (the guest's line
    for a program with nothing to run, "1..0 # SKIP why"), else the
    guest's own check (guest.<name>)."""
    if name.startswith("guest."):
        return GUEST
    m = PROGRAM_TEST.match(name) or BARE_PROGRAM.match(name)
    return unprefixed(m.group(1)) if m else GUEST


def classify(line):
    """(depth, kind, match or text) of a line: each leading "# " is one
    level of nesting when what follows it is a result, a plan or a version
    line; anything else is a comment of the level above (its text)."""
    depth, rest = 0, line
    while True:
        for kind, rx in (("result", RESULT), ("plan", PLAN), ("version", VERSION)):
            m = rx.match(rest)
            if m:
                return depth, kind, m
        if rest.startswith("# ") or rest == "#":
            rest, depth = rest[2:], depth + 1
            continue
        return max(depth - 1, 0), "comment", rest


class Result:
    """One result line: status, name, detail (after " - "), and the
    directive's text (a skip's reason, or a comment like "exit=1")."""

    def __init__(self, m):
        self.num = int(m.group(2))
        desc = (m.group(3) or "").strip()
        directive, self.text = None, ""
        i = 0 if desc.startswith("#") else desc.find(" #") + 1
        if i or desc.startswith("#"):
            desc, d = desc[:i].strip(), desc[i + 1:].strip()
            dm = DIRECTIVE.match(d)
            if dm:
                directive, self.text = dm.group(1).upper(), dm.group(2).strip()
            else:
                self.text = d
        if desc.startswith("- "):
            desc = desc[2:]
        self.name, _, self.detail = desc.partition(" - ")
        self.ok = not m.group(1)
        if directive == "SKIP":
            self.status = "skip" if has_reason(self.text) else "fail"
        elif directive == "XFAIL":
            self.status = "pass"
        elif directive == "XPASS":
            self.status = "fail"
        else:
            self.status = "pass" if self.ok else "fail"
        self.no_reason = directive == "SKIP" and self.status == "fail"


class Block:
    """One program's nested KTAP, under run_kselftest.sh."""

    def __init__(self, program=None):
        self.program = program    # from the "# selftests: c: p" header
        self.tests = []           # (Result, reason)
        self.plan = None
        self.skip_all = None      # the reason of "1..0 # SKIP reason"
        self.last = 0             # the number of its last result
        self.run = None           # the test the harness said RUN last


class Parser:
    """Reads one log into records (self.records)."""

    def __init__(self, target):
        self.target = target
        self.host = target.startswith("host:")
        self.records = []
        self.diag = collections.deque(maxlen=MAX_DIAG)
        self.last = {}            # the last number of each top-level sequence
        self.top = 0              # top-level results seen
        self.top_plan = None
        self.block = None
        self.run = None           # the test the harness said RUN last (flat)
        self.rest = None          # the rest of a name cut by kernel text
        self.collection = None
        self.prefix = ""          # the pass's prefix of the runner's tests
        # a host check's failure, whose diagnostics follow it (tap.sh):
        # its record's index and the last of those lines
        self.after = None

    def add(self, program, test, status, reason=""):
        if self.host:
            program = self.target[len("host:"):]
        self.records.append(Record(self.target, program, test, status,
                                   shorten(reason, MAX_REASON, tail=True), ""))

    def why(self, r):
        """The reason of a result: a skip's text, or a failure's
        diagnostics and detail."""
        if r.status == "pass":
            return ""
        if r.status == "skip":
            return r.text
        if r.no_reason:
            return "SKIP without a reason"
        return self.diagnosis(r.text, r.detail)

    def diagnosis(self, *last):
        """The last diagnostic lines, then the texts last.  A host check
        (tap.sh) writes a failure's diagnostics after it, not before."""
        parts = [] if self.host else [shorten(d, MAX_LINE) for d in self.diag]
        return " | ".join(parts + [p for p in last if p])

    def end_after(self):
        """The diagnostics after a host check's failure go to its reason."""
        if self.after:
            i, lines = self.after
            r = self.records[i]
            reason = " | ".join([r.reason] * bool(r.reason) +
                                [shorten(d, MAX_LINE) for d in lines])
            self.records[i] = r._replace(reason=shorten(reason, MAX_REASON, tail=True))
        self.after = None

    @staticmethod
    def sequence(name):
        """The numbering a top-level result belongs to: a program's tests
        (by their prefix, "prepare.mmap-test-query"), or the guest's and
        the runner's own."""
        if name.startswith("guest."):
            return "guest."
        if name.startswith("selftests: "):
            return ""
        m = PROGRAM_TEST.match(name) or BARE_PROGRAM.match(name)
        return m.group(1) if m else ""

    def expected(self, depth, name):
        """The next number of a result's numbering."""
        if depth:
            return (self.block.last if self.block else 0) + 1
        return self.last.get(self.sequence(name), 0) + 1

    def glued(self, line):
        """A result glued after kernel text on a kernel line, if its name
        has the shape of a result name and its number is the next one."""
        for m in re.finditer(r"(?:# )*(?:not )?ok \d+", line):
            depth, kind, rm = classify(line[m.start():])
            if kind != "result":
                continue
            r = Result(rm)
            shape = GLUED_NESTED if depth else GLUED_TOP
            if depth > 1 or not shape.match(r.name):
                continue
            if r.num == self.expected(depth, r.name):
                return depth, rm
        return None

    def feed(self, raw):
        line = raw.replace("\r", "").rstrip("\n")
        rest, self.rest, cut = self.rest, None, False
        if rest and line == rest:
            return              # the end of a result line cut by kernel text
        k = KMSG.search(line)
        if k and k.start() == 0:
            if self.host:
                return
            found = self.glued(line[k.end():])
            if not found:
                return          # a kernel line
            depth, m = found
            kind = "result"
        else:
            if k:               # kernel text glued to the end
                line, cut = line[:k.start()], True
            depth, kind, m = classify(line)
        if kind == "result" and not raw.endswith("\n"):
            # the log's last line, cut: its name may be cut too
            kind, m = "comment", "(cut) " + m.group(0)
        if kind == "comment":
            self.comment(depth, m)
            return
        self.end_after()
        if kind == "version" and depth == 0:
            self.new_run()
        elif kind == "plan":
            self.plan(depth, m)
        elif kind == "result":
            if depth == 0:
                self.top_result(Result(m), cut)
            elif depth == 1:
                self.nested_result(Result(m), cut)
            # deeper: a program's own nesting, not ours to count

    def test_name(self, name):
        """The name of a test of the runner (its file, "tour.sh"): without
        ".sh", after the pass's prefix ("prepare.tour")."""
        return self.prefix + (name[:-3] if name.endswith(".sh") else name)

    def new_run(self):
        """A top-level "TAP version" line: a new run, numbered from 1;
        the run before it must have had all the results of its plan."""
        self.end_block(None)
        self.check_plan()
        self.top, self.top_plan = 0, None
        self.last.pop("", None)

    def check_plan(self):
        if self.top_plan is not None and self.top < self.top_plan:
            prog = self.collection or "run"
            self.add(prog, prog + ".complete", "fail",
                     "%d of %d results (plan 1..%d): the log ends early"
                     % (self.top, self.top_plan, self.top_plan))

    def comment(self, depth, text):
        if depth == 0:
            hm = SELFTEST.match(text)
            pm = PASS_MARK.match(text)
            if hm:              # run_kselftest.sh starts a program
                self.end_block(None)
                self.diag.clear()
                self.collection = hm.group(1)
                self.block = Block(self.test_name(hm.group(2)))
            elif pm:            # the tests after it are of this pass
                self.end_block(None)
                self.prefix = pm.group(1)
        rm = RUN.match(text)
        if rm:
            if depth and self.block:
                self.block.run = rm.group(1)
            elif not depth:
                self.run = rm.group(1)
        if not NOISE.match(text):
            self.diag.append(text.strip())
            if self.after:
                self.after[1].append(text.strip())

    def plan(self, depth, m):
        n, rest = int(m.group(1)), m.group(2)
        if depth == 0:
            if self.top_plan is None:
                self.top_plan = n
        elif depth == 1:
            if not self.block:
                self.block = Block()
            if self.block.plan is None:
                self.block.plan = n
            dm = DIRECTIVE.match(rest.strip().lstrip("#").strip())
            if n == 0 and dm and dm.group(1).upper() == "SKIP":
                self.block.skip_all = dm.group(2).strip()

    def top_result(self, r, cut=False):
        if not r.name.startswith("guest."):
            self.top += 1       # of the run's plan
        self.last[self.sequence(r.name)] = r.num
        sm = SELFTEST.match(r.name)
        if sm:
            self.collection = sm.group(1)
            self.end_block(r, self.test_name(sm.group(2)))
        else:
            # "ok 4 # SKIP why" of the 6.1 harness is renamed by the guest;
            # a name cut by kernel text is the test the harness ran
            prog, _, test = r.name.partition(":")
            if cut and test and self.run and self.run.startswith(test):
                r.name, self.rest = prog + ":" + self.run, self.run[len(test):]
            self.add(program_of(r.name), r.name, r.status, self.why(r))
            if self.host and r.status == "fail" and not r.no_reason:
                self.after = (len(self.records) - 1,
                              collections.deque(maxlen=MAX_DIAG))
        self.diag.clear()
        self.run = None

    def nested_result(self, r, cut):
        b = self.block = self.block or Block()
        b.last = r.num
        if b.run and cut and r.name and b.run.startswith(r.name):
            r.name, self.rest = b.run, b.run[len(r.name):]  # cut by kernel text
        elif b.run and not r.name:
            r.name = b.run      # "ok 2 # SKIP why" of the 6.1 harness
        b.tests.append((r, self.why(r)))
        b.run = None
        self.diag.clear()

    def end_block(self, top, program=None):
        """A program's records, at its top-level line (top) or where that
        line is missing (top None: the next program or the end of the log)."""
        b, self.block = self.block, None
        if b is None:
            if top is None:
                return
            b = Block()
        prog = program or b.program
        if prog is None:    # nested results without a program: not nested
            return
        for r, reason in b.tests:
            name = "%s:%s" % (prog, r.name)
            self.add(program_of(name), name, r.status, reason)
        p = unprefixed(prog)
        got = len(b.tests)
        failed = any(r.status == "fail" for r, _ in b.tests)
        ran = "ran %d of %s tests" % (got, b.plan if b.plan is not None else "?")
        if top is None:
            self.add(p, prog + ".complete", "fail", self.diagnosis(
                ran + ", no result line from the runner (crashed, timed out,"
                " or the log ends)"))
        elif got == 0 and b.plan in (None, 0):
            # a program without tests: its top-level line is its record
            if b.skip_all is not None and top.ok:
                top.status, top.text = "skip", b.skip_all
                if not has_reason(top.text):
                    top.status, top.no_reason = "fail", True
            if top.status == "fail" and not top.no_reason:
                self.add(p, prog + ".exit", "fail", self.diagnosis(top.text))
            else:
                self.add(p, prog, top.status, self.why(top))
        elif b.plan is None or got < b.plan:
            self.add(p, prog + ".complete", "fail", self.diagnosis(top.text, ran))
        elif not top.ok and not failed:
            self.add(p, prog + ".exit", "fail", self.diagnosis(
                top.text, "not ok without a failing test"))

    def finish(self):
        self.end_after()
        self.end_block(None)
        self.check_plan()
        return self.records


def parse_log(path, target):
    p = Parser(target)
    with open(path, encoding="utf-8", errors="replace", newline="\n") as f:
        for line in f:
            p.feed(line)
    return p.finish()


# --- record files ------------------------------------------------------------

def escape(s):
    return (s.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def unescape(s):
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}
                  .get(m.group(1), m.group(1)), s)


def tsv_text(meta, records):
    out = ["# %s: %s\n" % (k, escape(v)) for k, vs in meta.items() for v in vs]
    out.append("\t".join(FIELDS) + "\n")
    out += ["\t".join(escape(f) for f in r) + "\n" for r in records]
    return "".join(out)


def read_tsv(path):
    """(meta, records) of a record file; meta maps a key to its values."""
    meta, records, header = collections.OrderedDict(), [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                k, _, v = line[1:].lstrip(" ").partition(": ")
                meta.setdefault(k, []).append(unescape(v))
            elif header is None:
                header = line.split("\t")
            elif line:
                row = dict(zip(header, (unescape(f) for f in line.split("\t"))))
                records.append(Record(*(row.get(k, "") for k in FIELDS)))
    return meta, records


XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def counts(records):
    c = collections.Counter(r.status for r in records)
    return c["pass"], c["fail"], c["skip"]


def xml_text(meta, records):
    """JUnit XML: a testsuite per program, a testcase per record."""
    def clean(s):
        return XML_BAD.sub("?", s)
    target = meta.get("target", ["?"])[0]
    suites = collections.OrderedDict()
    for r in records:
        suites.setdefault(r.program, []).append(r)
    p, f, s = counts(records)
    root = ET.Element("testsuites", name=clean(target), tests=str(p + f + s),
                      failures=str(f), skipped=str(s), errors="0")
    for prog, rs in suites.items():
        p, f, s = counts(rs)
        suite = ET.SubElement(root, "testsuite", name=clean(prog),
                              hostname=clean(target), tests=str(p + f + s),
                              failures=str(f), skipped=str(s), errors="0")
        props = ET.SubElement(suite, "properties")
        for k in ("target", "kernel"):
            for v in meta.get(k, []):
                ET.SubElement(props, "property", name=k, value=clean(v))
        for r in rs:
            case = ET.SubElement(suite, "testcase", classname=clean(r.program),
                                 name=clean(r.test))
            if r.duration:
                case.set("time", r.duration)
            if r.status == "fail":
                e = ET.SubElement(case, "failure",
                                  message=clean(shorten(r.reason, MAX_LINE)))
                e.text = clean(r.reason.replace(" | ", "\n"))
            elif r.status == "skip":
                ET.SubElement(case, "skipped", message=clean(r.reason))
    if hasattr(ET, "indent"):
        ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")


def write_atomic(path, text):
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def shown_path(path):
    """A path as a reason shows it: relative to the current directory
    (check.sh runs at the top of the tree), if it is below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def make_records(args):
    """(meta, records) of one job, from the record command's arguments."""
    meta = collections.OrderedDict(target=[args.target])
    if args.kernel is not None:
        meta["kernel"] = [args.kernel]
    if args.splats is not None:
        meta["splats"] = [args.splats]
    if args.seconds:
        meta["seconds"] = [" ".join(args.seconds)]
    if args.note:
        meta["note"] = args.note
    records = []
    for log in args.log or []:
        records += parse_log(log, args.target)
    for test, reason in args.fail or []:
        records.append(Record(args.target, HARNESS, test, "fail", reason, ""))
    if args.exit_status not in (None, "0") and \
            not any(r.status == "fail" for r in records):
        records.append(Record(args.target, HARNESS, "exit", "fail",
                              "exit status %s with no failing test (%s)"
                              % (args.exit_status,
                                 shown_path(args.log[0] if args.log else "?")), ""))
    return meta, records


def cmd_record(args):
    meta, records = make_records(args)
    if not args.out:
        sys.stdout.write(tsv_text(meta, records))
        return 0
    write_atomic(args.out + ".xml", xml_text(meta, records))
    write_atomic(args.out + ".tsv", tsv_text(meta, records))
    print("%d passed, %d failed, %d skipped" % counts(records))
    return 0


# --- summary -----------------------------------------------------------------

def job_name(meta, records):
    """The target of a record file (its key): "x86_64-6.1", "host:lint"."""
    t = meta.get("target") or [r.target for r in records[:1]] or ["?"]
    return t[0]


def summary_lines(files, took=None):
    """The summary of record files, as make check prints it."""
    return summary_of([read_tsv(f) for f in files],
                      None if took is None else "check took %ss" % took)


def summary_of(jobs, timing=None):
    """The summary of jobs ((meta, records) each); timing: the line
    before the last ("check took Ns")."""
    out, per_prog = [], collections.OrderedDict()
    everything = [r for _, rs in jobs for r in rs]

    def shown(target):
        return "host " + target[5:] if target.startswith("host:") else target

    targets = [j for j in jobs if not job_name(*j).startswith("host:")]
    hosts = [j for j in jobs if job_name(*j).startswith("host:")]
    for meta, rs in targets:
        k = meta.get("splats", ["-"])[0]
        out.append("matrix: %s %s %d passed, %d failed, %d skipped, %s splats"
                   % ((job_name(meta, rs), meta.get("kernel", ["?"])[0])
                      + counts(rs) + (k,)))
    for meta, rs in hosts:
        out.append("host: %s %d passed, %d failed, %d skipped"
                   % ((job_name(meta, rs)[5:],) + counts(rs)))
    for _, rs in targets:
        for r in rs:
            label = GUEST_LABEL if r.program == GUEST else r.program
            per_prog.setdefault(label, []).append(r)
    if per_prog:
        out.append("by program (all targets):")
        for label in sorted(per_prog):
            out.append("  %-40s %5d passed, %d failed, %d skipped"
                       % ((label,) + counts(per_prog[label])))
    skips = [r for r in everything if r.status == "skip"]
    if skips:
        out.append("skipped (with their reasons):")
        out += ["  %s: %s # SKIP %s" % (shown(r.target), r.test, r.reason)
                for r in skips]
    notes = [n for meta, _ in jobs for n in meta.get("note", [])]
    if notes:
        out.append("notes:")
        out += ["  " + n for n in notes]
    out.append("time (seconds):")
    out.append("  %-22s %6s %6s" % ("target / check", "build", "run"))
    for meta, rs in jobs:
        b, _, r = meta.get("seconds", ["- -"])[0].partition(" ")
        out.append("  %-22s %6s %6s" % (job_name(meta, rs).replace("host:", "", 1), b, r))
    fails = [r for r in everything if r.status == "fail"]
    if fails:   # last, so that a log's tail names what failed
        out.append("failed (with their last diagnostics):")
        for r in fails:
            out.append("  %s: %s" % (shown(r.target), r.test))
            out += ["      " + d for d in r.reason.split(" | ") if d]
    if timing is not None:
        out.append(timing)
    p, f, s = counts(everything)
    out.append("%d passed, %d failed" % (p, f) + (", %d skipped" % s if s else ""))
    return out, f


def cmd_summary(args):
    try:
        lines, failed = summary_lines(args.files, args.took)
    except OSError as e:
        sys.stderr.write("results.py summary: %s\n" % e)
        return 2
    print("\n".join(lines))
    return 1 if failed else 0


# --- merge ---------------------------------------------------------------------

class MergeError(Exception):
    pass


def job_seconds(jobs):
    """The sum of the jobs' seconds (build and run; "-" is none)."""
    return sum(int(x) for meta, _ in jobs for v in meta.get("seconds", [])
               for x in v.split() if x.isdigit())


def merge_jobs(inputs, order=(), expect=()):
    """The jobs of separate runs: the record files of each input (a
    directory's *.tsv, or a file), none of whose keys is in another
    input, in the order of order (then as given), with a failed record
    for each key of expect that has none."""
    jobs, where = [], {}       # where: key -> the first file of it
    for path in inputs:
        if os.path.isdir(path):
            files = sorted(os.path.join(path, f) for f in os.listdir(path)
                           if f.endswith(".tsv"))
            if not files:
                raise MergeError("no record files (*.tsv) in %s" % path)
        elif os.path.isfile(path):
            files = [path]
        else:
            raise MergeError("%s: no such file or directory" % path)
        mine = set()
        for f in files:
            meta, records = read_tsv(f)
            key = job_name(meta, records)
            if key in where and key not in mine:
                raise MergeError(
                    "%s is in two inputs: %s and %s (the same job of two runs "
                    "would count twice; merge one of them)" % (key, where[key], f))
            where.setdefault(key, f)
            mine.add(key)
            jobs.append((meta, records))
    for key in expect:
        if key not in where:
            meta = collections.OrderedDict(target=[key])
            jobs.append((meta, [Record(key, HARNESS, "report", "fail",
                                       "no records of this job in the inputs "
                                       "(it did not run, or its records were lost)",
                                       "")]))
    rank = {k: i for i, k in enumerate(order)}
    # sorted() is stable: keys not in order keep the order given
    return sorted(jobs, key=lambda j: rank.get(job_name(*j), len(rank)))


def merge_lines(inputs, order=(), expect=()):
    """(the lines of the merged summary, the number of failed records)."""
    jobs = merge_jobs(inputs, order, expect)
    return summary_of(jobs, "merged %d inputs: %d s in the jobs (the time table's "
                      "sum, not a wall time)" % (len(inputs), job_seconds(jobs)))


def cmd_merge(args):
    try:
        lines, failed = merge_lines(args.inputs, args.order.split(),
                                    args.expect.split())
    except (MergeError, OSError) as e:
        sys.stderr.write("results.py merge: %s\n" % e)
        return 2
    print("\n".join(lines))
    return 1 if failed else 0


# --- selftest ----------------------------------------------------------------

SPDX = "# SPDX-License-Identifier: GPL-2.0\n"


def case_args(case):
    """The record arguments of a test case: <case>.args, else --target."""
    path = case + ".args"
    words = ["--target", case]
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            words = shlex.split(f.read(), comments=True)
    words += ["--log", case + ".log"]
    return record_parser().parse_args(words)


def check_files(meta, records):
    """What must hold of any records: the XML is valid and counts them,
    the TSV reads back the same."""
    errs = []
    try:
        root = ET.fromstring(xml_text(meta, records).encode("utf-8"))
        got = [int(root.get(k)) for k in ("tests", "failures", "skipped")]
        cases = root.findall("testsuite/testcase")
        p, f, s = counts(records)
        if got != [p + f + s, f, s] or len(cases) != len(records) or \
                len(root.findall(".//failure")) != f:
            errs.append("the XML counts %s, %d testcases; records: %d, %d, %d"
                        % (got, len(cases), p + f + s, f, s))
    except ET.ParseError as e:
        errs.append("invalid XML: %s" % e)
    tmp = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                       "results-selftest-%d.tsv" % os.getpid())
    write_atomic(tmp, tsv_text(meta, records))
    try:
        if read_tsv(tmp) != (meta, records):
            errs.append("the TSV does not read back the same")
    finally:
        os.unlink(tmp)
    return errs


def diff(want, got, name):
    return "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                        name + " (expected)", name + " (parsed)"))


def cmd_selftest(args):
    os.chdir(DATA)      # the paths in the records are relative to it
    cases = sorted(f[:-4] for f in os.listdir(".") if f.endswith(".log"))
    bad = 0
    for case in cases:
        meta, records = make_records(case_args(case))
        exp = case + ".expected.tsv"
        if args.update:
            write_atomic(exp, SPDX + tsv_text(meta, records))
        errs = check_files(meta, records)
        want_meta, want = read_tsv(exp) if os.path.exists(exp) else ({}, None)
        want_meta.pop("SPDX-License-Identifier", None)
        if (want_meta, want) != (meta, records):
            errs.append("records differ:\n" + diff(
                tsv_text(want_meta, want or []), tsv_text(meta, records), case))
        for e in errs:
            print("results selftest: %s: %s" % (case, e))
        bad += bool(errs)
    with open("summary.args", encoding="utf-8") as f:
        files = shlex.split(f.read(), comments=True)
    try:
        got = "\n".join(summary_lines(files, took=0)[0]) + "\n"
    except OSError as e:
        got = "%s\n" % e
    exp = "summary.expected"
    if args.update:
        write_atomic(exp, SPDX + got)
    with open(exp, encoding="utf-8") as f:
        want = f.read()
    if want.startswith(SPDX):
        want = want[len(SPDX):]
    if want != got:
        print("results selftest: summary differs:\n" + diff(want, got, "summary"))
        bad += 1
    errs = merge_check(files, want)
    for e in errs:
        print("results selftest: merge: %s" % e)
    bad += bool(errs)
    if bad:
        print("results selftest: FAIL (%d of %d cases)" % (bad, len(cases) + 2))
        return 1
    print("results selftest: PASS (%d cases)" % (len(cases) + 2))
    return 0


def merge_check(files, want):
    """The merge of files split into two runs against want, the summary
    of them all at once ("check took 0s" in it); a key in two inputs
    refused; a missing job of --expect failed.  The errors found."""
    errs, keys, groups = [], [], ([], [])
    for f in files:
        key = job_name(*read_tsv(f))
        if key not in keys:
            keys.append(key)
        groups[keys.index(key) % 2].append(f)   # keys 0, 2, ... and 1, 3, ...
    # the time line: the sum of the time table's numbers
    rows = want.split("time (seconds):\n", 1)[-1].splitlines()[1:]
    rows = rows[:next((i for i, r in enumerate(rows) if not r.startswith("  ")),
                      len(rows))]
    secs = sum(int(x) for row in rows for x in row.split()[-2:] if x.isdigit())
    want = want.replace("\ncheck took 0s\n", "\nmerged 2 inputs: %d s in the jobs "
                        "(the time table's sum, not a wall time)\n" % secs)
    tmp = tempfile.mkdtemp(prefix="results-selftest-")
    try:
        runs = []
        for name, group in zip(("run-a", "run-b"), groups):
            d = os.path.join(tmp, name)
            os.mkdir(d)
            for f in group:
                # a number first: a target twice in one run (only here)
                # keeps its files' order in summary.args
                shutil.copy(f, os.path.join(d, "%02d-%s" % (files.index(f), f)))
            runs.append(d)
        # the second run first: the order is the jobs', not the inputs'
        got, failed = merge_lines(runs[::-1], keys)
        got = "\n".join(got) + "\n"
        if got != want:
            errs.append("the merge of two runs differs from the summary of "
                        "all:\n" + diff(want, got, "merge"))
        if failed != summary_lines(files)[1]:
            errs.append("%d failed in the merge, %d in the summary"
                        % (failed, summary_lines(files)[1]))
        # the same job in a third run
        d = os.path.join(tmp, "run-c")
        os.mkdir(d)
        shutil.copy(groups[1][0], d)
        try:
            merge_lines(runs + [d], keys)
            errs.append("a job in two inputs (%s) was not refused" % keys[1])
        except MergeError as e:
            if not str(e).startswith(keys[1] + " is in two inputs: "):
                errs.append("a job in two inputs, refused with: %s" % e)
        lines, failed2 = merge_lines(runs, keys, keys + ["no-such-target"])
        if failed2 != failed + 1 or \
                "matrix: no-such-target ? 0 passed, 1 failed, 0 skipped, - splats" \
                not in lines:
            errs.append("a missing job of --expect did not fail")
    except (MergeError, OSError) as e:
        errs.append("merge failed: %s" % e)
    finally:
        shutil.rmtree(tmp)
    return errs


# --- command line --------------------------------------------------------------

def record_parser():
    p = argparse.ArgumentParser(prog="results.py record")
    p.add_argument("--target", required=True,
                   help='the target, or "host:<check>" for a host check')
    p.add_argument("--log", action="append",
                   help="a log to read (again: the next log of the same job)")
    p.add_argument("--out", help="write OUT.tsv and OUT.xml (default: TSV to stdout)")
    p.add_argument("--kernel", help="the kernel release (uname -r)")
    p.add_argument("--splats", help="the number of kernel splat lines")
    p.add_argument("--seconds", nargs=2, metavar=("BUILD", "RUN"))
    p.add_argument("--note", action="append", help="a note for the summary")
    p.add_argument("--fail", nargs=2, action="append", metavar=("TEST", "REASON"),
                   help='a failed record of program "harness"')
    p.add_argument("--exit-status", help="a failed harness record \"exit\" "
                   "when not 0 and nothing else failed")
    return p


def main(argv):
    if len(argv) < 2 or argv[1] not in ("record", "summary", "merge", "selftest"):
        sys.stderr.write("usage: %s record|summary|merge|selftest ... "
                         "(see its header)\n" % argv[0])
        return 2
    if argv[1] == "record":
        return cmd_record(record_parser().parse_args(argv[2:]))
    p = argparse.ArgumentParser(prog="results.py " + argv[1])
    if argv[1] == "summary":
        p.add_argument("--took", help='seconds, for a "check took Ns" line')
        p.add_argument("files", nargs="+", metavar="FILE.tsv")
        return cmd_summary(p.parse_args(argv[2:]))
    if argv[1] == "merge":
        p.add_argument("--order", default="", metavar="KEYS",
                       help="the jobs' order in a full run (words)")
        p.add_argument("--expect", default="", metavar="KEYS",
                       help="jobs that must have records (words)")
        p.add_argument("inputs", nargs="+", metavar="INPUT",
                       help="a directory of record files, or a record file")
        return cmd_merge(p.parse_args(argv[2:]))
    p.add_argument("--update", action="store_true",
                   help="rewrite the expected files from the parser's output")
    return cmd_selftest(p.parse_args(argv[2:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
