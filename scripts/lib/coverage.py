#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The module's line and branch coverage (make check's COVERAGE=1 rows).

scripts/coverage.sh runs this; the guest sends the module's gcov counts
back on its serial console (scripts/guest/check.sh export_dir), gcov of the
build root turns them into JSON, and this file makes the rest:

  extract LOG NAME OUT     the last block "# export NAME SHA256 BYTES",
                           base64 lines, "# export-end NAME" of a serial log,
                           checked against its SHA-256, to OUT (a .tgz)
  crashes LOG DIR          every "fuzz-crash NAME HEX" line of a serial log
                           (the guided fuzzer's crashing inputs) as DIR/NAME
  report --json F --target T --out DIR [--gaps MD] [--src-prefix P]
                           from gcov's JSON (gcov --json-format --stdout,
                           one document per line): DIR/lcov.info (for
                           genhtml), DIR/uncovered.txt (every line and
                           branch not reached), DIR/summary.txt (one line);
                           prints TAP lines for scripts/lib/results.py:
                             guest.coverage.report    the counts were read
                             guest.coverage.lines     every line not reached
                                                      is in the gap list
                             guest.coverage.branches  branches >= 85%, or
                                                      every branch not taken
                                                      is in the gap list
  gaps MD [--src DIR]      the gap list's own check (make lint): every row
                           well formed, with a reason, and naming a line
                           that is in that function of that file
  selftest                 the parser and the gap matching on a small
                           recorded gcov document (the lint check)

The gap list (docs/coverage-gaps.md) is a Markdown table with one row per
line or branch that make check does not reach, and why:

  | file | function | code | kind | why |
  | src/vma.c | mt_fault | `return VM_FAULT_OOM;` | line | ... |

A row names the code by its text (whitespace collapsed), not its line
number, so that edits elsewhere do not move it; it stands for every line
of that text in that function.  kind "line": the line is not reached;
"branch": some branch of the line is never taken.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import sys

BRANCH_GOAL = 85.0
GAP_ROW = re.compile(r"^\|\s*(src/\S+)\s*\|\s*(\w+)\s*\|\s*`(.*)`\s*\|\s*(line|branch)\s*\|(.*)\|\s*$")
EXPORT = re.compile(r"^(?:# )*export (\S+) ([0-9a-f]{64}) (\d+)$")
EXPORT_END = re.compile(r"^(?:# )*export-end (\S+)$")
B64 = re.compile(r"^[A-Za-z0-9+/=]+$")
CRASH = re.compile(r"fuzz-crash (\S+) ([0-9a-f]+)\s*$")


def norm(text):
    return " ".join(text.split())


def cmd_extract(args):
    want, data, got = args.name, None, None
    with open(args.log, "rb") as f:
        lines = f.read().decode("utf-8", "replace").splitlines()
    block = None
    for raw in lines:
        line = raw.rstrip("\r")
        m = EXPORT.match(line)
        if m and m.group(1) == want:
            # a block that starts again replaces the one before it
            block, got, data = [], (m.group(2), int(m.group(3))), None
            continue
        m = EXPORT_END.match(line)
        if m and m.group(1) == want and block is not None:
            data, block = "".join(block), None
            continue
        if block is not None and B64.match(line):
            block.append(line)
    if data is None:
        print(f"coverage: no complete export '{want}' in {args.log}", file=sys.stderr)
        return 1
    blob = base64.b64decode(data)
    if hashlib.sha256(blob).hexdigest() != got[0] or len(blob) != got[1]:
        print(f"coverage: export '{want}' in {args.log} arrived damaged "
              f"({len(blob)} bytes, want {got[1]}; SHA-256 differs)", file=sys.stderr)
        return 1
    with open(args.out, "wb") as f:
        f.write(blob)
    return 0


def cmd_crashes(args):
    with open(args.log, "rb") as f:
        for raw in f.read().decode("utf-8", "replace").splitlines():
            m = CRASH.search(raw.rstrip("\r"))
            if not m or len(m.group(2)) % 2:
                continue
            name = os.path.basename(m.group(1))
            os.makedirs(args.dir, exist_ok=True)
            with open(os.path.join(args.dir, name), "wb") as out:
                out.write(bytes.fromhex(m.group(2)))
            print(os.path.join(args.dir, name))
    return 0


def load_gcov(text, prefix):
    """{file: {line: [count, function, branches_total, branches_taken]}}
    of the module's sources (paths starting with @prefix after the
    working directory is stripped)."""
    files = {}
    for doc in text.splitlines():
        doc = doc.strip()
        if not doc:
            continue
        d = json.loads(doc)
        for f in d.get("files", []):
            path = os.path.normpath(f["file"])
            cwd = d.get("current_working_directory", "")
            if os.path.isabs(path) and cwd and path.startswith(cwd.rstrip("/") + "/"):
                path = path[len(cwd.rstrip("/")) + 1:]
            if not path.startswith(prefix):
                continue
            spans = [(fn.get("start_line", 0), fn.get("end_line", 0), fn["name"])
                     for fn in f.get("functions", [])]
            lines = files.setdefault(path, {})
            for ln in f.get("lines", []):
                no = ln["line_number"]
                fn = ln.get("function_name")
                if not fn:
                    fn = next((n for s, e, n in spans if s <= no <= e), "?")
                br = [b for b in ln.get("branches", []) if not b.get("throw")]
                e = lines.setdefault(no, [0, fn, 0, 0])
                e[0] += ln.get("count", 0)
                e[2] += len(br)
                e[3] += sum(1 for b in br if b.get("count", 0) > 0)
    return files


def read_gaps(path):
    """[(file, function, text, kind, why, lineno)] of the gap list, and
    its format errors."""
    rows, errors = [], []
    if not path or not os.path.exists(path):
        return rows, errors
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.startswith("| src/"):
                continue
            m = GAP_ROW.match(line)
            if not m:
                errors.append(f"{path}:{i}: not a row | src/<file> | <function> | `code` | line or branch | why |")
                continue
            why = m.group(5).strip()
            if len(why) < 5:  # "the same" (as the row above) is a reason
                errors.append(f"{path}:{i}: no reason given")
            rows.append((m.group(1), m.group(2), norm(m.group(3).replace("\\|", "|")),
                         m.group(4), why, i))
    return rows, errors


def source_text(srcdir, path):
    try:
        with open(os.path.join(srcdir, path), encoding="utf-8") as f:
            return [""] + f.read().splitlines()
    except OSError:
        return None


def cmd_report(args):
    with open(args.json, encoding="utf-8") as f:
        files = load_gcov(f.read(), args.src_prefix)
    out = args.out
    os.makedirs(out, exist_ok=True)
    gaps, gap_errors = read_gaps(args.gaps)
    listed = {(g[0], g[1], g[2], g[3]) for g in gaps}
    used = set()
    lt = lh = bt = bh = 0
    unlisted_lines, unlisted_branches, unreached = [], [], []
    info = []
    for path in sorted(files):
        src = source_text(args.srcdir, path)
        lines = files[path]
        info.append("TN:")
        info.append("SF:" + os.path.join(args.srcdir, path))
        f_lt = f_lh = f_bt = f_bh = 0
        for no in sorted(lines):
            count, fn, nbr, taken = lines[no]
            text = norm(src[no]) if src and no < len(src) else ""
            info.append(f"DA:{no},{count}")
            f_lt += 1
            f_lh += count > 0
            if nbr:
                # lcov's branch records: block 0, one per branch, "-"
                # when the line never ran
                for b in range(nbr):
                    t = "-" if count == 0 else (1 if b < taken else 0)
                    info.append(f"BRDA:{no},0,{b},{t}")
                f_bt += nbr
                f_bh += taken
            where = f"{path}:{no} {fn}: {text}"
            if count == 0:
                unreached.append("line   " + where)
                key = (path, fn, text, "line")
                if key in listed:
                    used.add(key)
                else:
                    unlisted_lines.append(where)
            elif taken < nbr:
                unreached.append(f"branch {where} ({taken} of {nbr} taken)")
                key = (path, fn, text, "branch")
                if key in listed:
                    used.add(key)
                else:
                    unlisted_branches.append(f"{where} ({taken} of {nbr} taken)")
        info.append(f"LF:{f_lt}")
        info.append(f"LH:{f_lh}")
        info.append(f"BRF:{f_bt}")
        info.append(f"BRH:{f_bh}")
        info.append("end_of_record")
        lt, lh, bt, bh = lt + f_lt, lh + f_lh, bt + f_bt, bh + f_bh
    with open(os.path.join(out, "lcov.info"), "w", encoding="utf-8") as f:
        f.write("\n".join(info) + "\n")
    with open(os.path.join(out, "uncovered.txt"), "w", encoding="utf-8") as f:
        f.write("".join(u + "\n" for u in unreached))
    lp = 100.0 * lh / lt if lt else 0.0
    bp = 100.0 * bh / bt if bt else 0.0
    summary = (f"module coverage on {args.target}: lines {lp:.1f}% ({lh} of {lt}), "
               f"branches {bp:.1f}% ({bh} of {bt}); not reached: {lt - lh} lines, "
               f"{bt - bh} branches, listed with reasons in {args.gaps_shown}; "
               f"report {args.report_shown}")
    with open(os.path.join(out, "summary.txt"), "w", encoding="utf-8") as f:
        f.write(summary + "\n")
    n = 0

    def tap(ok, name, detail=""):
        nonlocal n
        n += 1
        print(f"{'ok' if ok else 'not ok'} {n} guest.coverage.{name}"
              + (f" - {detail}" if detail and not ok else ""))

    print(f"# {summary}")
    tap(lt > 0, "report", f"no line of {args.src_prefix}* in the gcov data")
    if gap_errors:
        for e in gap_errors:
            print(f"# coverage: {e}")
    first = "; ".join(unlisted_lines[:8])
    tap(not unlisted_lines and not gap_errors and lt > 0, "lines",
        f"{len(unlisted_lines)} line(s) not reached and not in {args.gaps_shown}: {first}"
        if unlisted_lines else f"{args.gaps_shown} is malformed")
    branches_ok = bp >= BRANCH_GOAL or not unlisted_branches
    first = "; ".join(unlisted_branches[:8])
    tap(branches_ok and bt > 0, "branches",
        f"branches {bp:.1f}% < {BRANCH_GOAL:.0f}% and {len(unlisted_branches)} line(s) with a branch never taken not in {args.gaps_shown}: {first}")
    for g in gaps:
        if (g[0], g[1], g[2], g[3]) not in used:
            print(f"# coverage: {args.gaps_shown}:{g[5]} ({g[0]} {g[1]}: {g[2]}, {g[3]}) was reached in this run")
    return 0


def cmd_gaps(args):
    rows, errors = read_gaps(args.md)
    for f, fn, text, _kind, _why, i in rows:
        src = source_text(args.src, f)
        if src is None:
            errors.append(f"{args.md}:{i}: no file {f}")
            continue
        # the function's body: from a line that starts its definition
        # (the name followed by "(" at the start of a line, or after the
        # type) to the next line that is a lone "}"
        start = next((k for k, s in enumerate(src)
                      if re.match(r"^[a-z].*\b" + re.escape(fn) + r"\(", s)
                      and not s.rstrip().endswith(";")), None)
        if start is None:
            # a function that a macro of a header makes (TRACE_EVENT()):
            # the line is anywhere in that header
            if f.endswith(".h") and any(norm(s) == text for s in src):
                continue
            errors.append(f"{args.md}:{i}: no function {fn} in {f}")
            continue
        end = next((k for k in range(start, len(src)) if src[k] == "}"), len(src))
        if not any(norm(s) == text for s in src[start:end + 1]):
            errors.append(f"{args.md}:{i}: {f} {fn} has no line `{text}`")
    for e in errors:
        print(e)
    return 1 if errors else 0


SELFTEST_GCOV = {
    "format_version": "2", "current_working_directory": "/m",
    "files": [{"file": "src/a.c",
               "functions": [{"name": "f", "start_line": 1, "end_line": 6}],
               "lines": [
                   {"line_number": 2, "function_name": "f", "count": 3, "branches": []},
                   {"line_number": 3, "function_name": "f", "count": 3,
                    "branches": [{"count": 3, "throw": False}, {"count": 0, "throw": False}]},
                   {"line_number": 4, "function_name": "f", "count": 0, "branches": []}]},
              {"file": "/usr/include/x.h", "functions": [], "lines": [
                  {"line_number": 1, "count": 0, "branches": []}]}]}


def cmd_selftest(_args):
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "src"))
        with open(os.path.join(d, "src/a.c"), "w", encoding="utf-8") as f:
            f.write("int f(int x)\n{\n\tif (x)  return 1;\n\treturn 0;\n}\n")
        with open(os.path.join(d, "g.json"), "w", encoding="utf-8") as f:
            f.write(json.dumps(SELFTEST_GCOV) + "\n")
        md = os.path.join(d, "gaps.md")
        with open(md, "w", encoding="utf-8") as f:
            f.write("| src/a.c | f | `if (x) return 1;` | branch | never called with 0 here |\n")
        a = argparse.Namespace(json=os.path.join(d, "g.json"), src_prefix="src/",
                               out=os.path.join(d, "o"), gaps=md, target="t",
                               srcdir=d, gaps_shown="gaps.md", report_shown="r")
        import io
        import contextlib
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            cmd_report(a)
        got = buf.getvalue()
        want = ["ok 1 guest.coverage.report",
                "not ok 2 guest.coverage.lines - 1 line(s) not reached and not in gaps.md: src/a.c:4 f: return 0;",
                "ok 3 guest.coverage.branches"]
        for w in want:
            if w not in got:
                print(f"coverage selftest: FAIL: want a line starting '{w}' in:\n{got}")
                return 1
        if "lines 66.7% (2 of 3)" not in got or "branches 50.0% (1 of 2)" not in got:
            print(f"coverage selftest: FAIL: wrong counts in:\n{got}")
            return 1
        # the same row names a line of the source, and a wrong one does not
        a2 = argparse.Namespace(md=md, src=d)
        with contextlib.redirect_stdout(io.StringIO()):
            bad = cmd_gaps(a2)
        if bad:
            print("coverage selftest: FAIL: a valid gap row was refused")
            return 1
        with open(md, "a", encoding="utf-8") as f:
            f.write("| src/a.c | f | `return 2;` | line | no such line in f at all |\n")
        with contextlib.redirect_stdout(io.StringIO()):
            bad = cmd_gaps(a2)
        if not bad:
            print("coverage selftest: FAIL: a row naming no line was accepted")
            return 1
    print("coverage selftest: PASS")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("extract")
    s.add_argument("log")
    s.add_argument("name")
    s.add_argument("out")
    s = sub.add_parser("crashes")
    s.add_argument("log")
    s.add_argument("dir")
    s = sub.add_parser("report")
    s.add_argument("--json", required=True)
    s.add_argument("--target", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--srcdir", required=True, help="where the paths of the gcov data are")
    s.add_argument("--gaps", default="")
    s.add_argument("--gaps-shown", default="docs/coverage-gaps.md")
    s.add_argument("--report-shown", default="")
    s.add_argument("--src-prefix", default="src/")
    s = sub.add_parser("gaps")
    s.add_argument("md")
    s.add_argument("--src", default=".")
    sub.add_parser("selftest")
    args = p.parse_args()
    return {"extract": cmd_extract, "crashes": cmd_crashes, "report": cmd_report,
            "gaps": cmd_gaps, "selftest": cmd_selftest}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
