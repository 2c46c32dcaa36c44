#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Two clocks, one table: the merge of mmap-test-bench's two runs.

Usage: bench_clocks.py INSTR.json WALL.json OUT.json [--baseline FILE]
                       [--wall-boot WALL2.json]..
       bench_clocks.py --write-baseline OUT.json FILE [--accept=KEY=WHY]..
       bench_clocks.py selftest      (make lint runs it)
       bench_clocks.py profile LOG   (PROFILE=1's lines, side by side)
       bench_clocks.py doc BASELINE  (docs/results/bench-<target>.md)

scripts/bench.sh boots the same rows twice with the same order seed: once
under qemu's instruction clock (-icount shift=0,sleep=off: the guest's
CLOCK_MONOTONIC advances 1 ns per guest instruction, whatever the host
does) and once on wall time.  This prints one table (stdout): each row's
median on both clocks, then each goal on both clocks, judged on
instructions, except a goal that needs real parallelism (its JSON says
"clock": "wall"; under icount every vCPU runs in one host thread), which
is judged on wall time, over several boots: the main wall run and each
--wall-boot (a wall run of that goal's group alone), met or NOT met only
if it is in every boot (across_boots()).  A goal whose two verdicts
disagree (one met, the other NOT met) is flagged.  The BENCH-SUMMARY lines at the end, one per
goal and a total, carry the verdict the goal is judged by and its clock:

  BENCH-SUMMARY goal=KEY verdict=met|NOT-met|inconclusive|invalid|info|n/a ratio=R
    ci=LO..HI level=L limit=<=X clock=instructions|wall [disagree=1]

OUT.json gets both runs and the merged goals ("tool": "mmap-test-bench
clocks").

The baseline (test/bench/baseline/<target>.json, written from a run's
OUT.json by --write-baseline) holds each goal's ratio on the clock it is
judged on and a margin, and the goals accepted as not met by design, with
the reason.  With --baseline, a goal whose ratio is worse than its baseline
by more than its margin gets "regressed=1" on its BENCH-SUMMARY line, and
an accepted goal "accepted=1"; BENCH_STRICT=1 (scripts/bench.sh) fails on
a regression, and on a NOT met goal that is not accepted.  A baseline of
other BENCH_ARGS than the run's is not compared (the line says so);
"--only GROUP,.." does not count (see measure_args()).
"""

import json
import os
import sys

CLOCKS = ("instructions", "wall")


def load(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if doc.get("tool") != "mmap-test-bench":
        sys.exit("%s: not a mmap-test-bench JSON document" % path)
    return doc


def limit_text(g):
    if "band" in g:
        return "%.2f..%.2f" % tuple(g["band"])
    if g.get("limit") is None:
        return "-"
    return "%s %.2f" % (g["direction"], g["limit"])


def summary_limit(g):
    if "band" in g:
        return "+-%.2f" % (g["band"][1] - 1)
    if g.get("limit") is None:
        return "-"
    return "%s%.2f" % (g["direction"], g["limit"])


def na_text(reason):
    """n/a with its reason (mmap-test-bench's reasons say "n/a (...)")."""
    return reason if reason.startswith("n/a") else "n/a (%s)" % reason


def goal_cell(g):
    """ratio [lo, hi] level verdict, or the n/a reason."""
    if g is None:
        return "missing"
    if g["verdict"] == "n/a":
        return na_text(g.get("reason", ""))
    lo, hi = g["ci"]
    cell = "%.3f [%.3f, %.3f] %4.1f%% %s" % (
        g["ratio"], lo, hi, 100 * g.get("ci_level", 0), g["verdict"])
    if g.get("reason"):	# why invalid, or why NOT met
        cell += " (%s)" % g["reason"]
    if g.get("boots"):
        cell += " over %d boots" % len(g["boots"])
    return cell


def disagree(a, b):
    if a is None or b is None:
        return False
    return {a["verdict"], b["verdict"]} == {"met", "NOT-met"}


def across_boots(first, more):
    """A goal judged on wall time, over the main wall run's goal @first and
    the same goal in the further boots @more: between-run variance in the
    verdict.  Met (or NOT met) only if it is in every boot; invalid if its
    precondition failed in one; else inconclusive.  The ratio is the median
    of the boots' ratios, the interval the envelope of their intervals,
    its level the lowest of theirs."""
    boots = [first] + [g for g in more if g is not None]
    if len(boots) < 2 or any(b["verdict"] == "n/a" for b in boots):
        return first
    out = dict(first)
    ratios = sorted(b["ratio"] for b in boots)
    out["ratio"] = ratios[len(ratios) // 2] if len(ratios) % 2 else \
        (ratios[len(ratios) // 2 - 1] + ratios[len(ratios) // 2]) / 2
    out["ci"] = [min(b["ci"][0] for b in boots), max(b["ci"][1] for b in boots)]
    out["ci_level"] = min(b.get("ci_level", 0) for b in boots)
    out["boots"] = [{k: b.get(k) for k in ("ratio", "ci", "verdict", "reason")}
                    for b in boots]
    bad = [(i, b) for i, b in enumerate(boots) if b["verdict"] == "invalid"]
    verdicts = {b["verdict"] for b in boots}
    if bad:
        out["verdict"] = "invalid"
        out["reason"] = "boot %d of %d: %s" % (bad[0][0] + 1, len(boots),
                                              bad[0][1].get("reason", ""))
    elif len(verdicts) == 1:
        out["verdict"] = verdicts.pop()
    else:
        out["verdict"] = "inconclusive"
    out["detail"] = "%d boots: %s" % (len(boots), ", ".join(
        "%.3f %s" % (b["ratio"], b["verdict"]) for b in boots))
    return out


def merge(runs, wall_boots=()):
    """The goals of both runs, each with the clock it is judged on; a goal
    judged on wall time over the main wall run and the further boots
    @wall_boots (JSON documents of wall runs of its group alone)."""
    keys = []
    by = {}
    for c in CLOCKS:
        for g in runs[c].get("goals", []):
            if g["key"] not in keys:
                keys.append(g["key"])
            by[(c, g["key"])] = g
    out = []
    for k in keys:
        gi, gw = by.get(("instructions", k)), by.get(("wall", k))
        judge = "wall" if (gi or gw).get("clock") == "wall" else "instructions"
        if judge == "wall" and gw is not None:
            gw = across_boots(gw, [next((g for g in b.get("goals", [])
                                         if g["key"] == k), None)
                                   for b in wall_boots])
        g = gw if judge == "wall" else gi
        out.append({"key": k, "judged_on": judge,
                    "verdict": g["verdict"] if g else "n/a",
                    "disagree": disagree(gi, gw),
                    "instructions": gi, "wall": gw})
    return out


def print_table(runs, goals, note):
    ri, rw = runs["instructions"], runs["wall"]
    env = ri.get("environment", {})
    print("Two clocks, one table: the same rows booted twice with the same order seed (%s):"
          % env.get("seed", "?"))
    print("  instructions: qemu -icount shift=0,sleep=off, 1 ns of the guest's clock = 1 guest instruction;")
    print("                the host's load cannot change it; it does not model caches, TLBs or parallelism.")
    print("  wall:         the guest's CLOCK_MONOTONIC under TCG, which the host's load moves.")
    print("Each clock's own table, with its environment block, is above (or in bench-<clock>.txt).")
    print()
    wall_figs = {f["key"]: f for f in rw.get("figures", [])}
    print("  %-52s %-10s %12s %12s" % ("figure", "unit", "instr med", "wall ns med"))
    for f in ri.get("figures", []):
        w = wall_figs.get(f["key"])
        unit = f.get("unit", "").replace("ns", "")
        if "na" in f:
            print("  %-52s %-10s %s" % (f["label"], unit, f["na"]))
            continue
        wm = "%12.0f" % w["median"] if w and "median" in w else "%12s" % "-"
        print("  %-52s %-10s %12.0f %s" % (f["label"], unit, f["median"], wm))
    print()
    print("Goals: judged on instructions (a goal that needs real parallelism: on wall time); the CI is the")
    print("order statistics of the paired ratios that cover the median with at least 95% (its level beside it).")
    print("  %-20s %-12s %-12s %-44s %-44s %-12s %s" % (
        "goal", "limit", "judged on", "instructions", "wall", "clocks agree",
        "baseline"))
    for g in goals:
        ref = g["instructions"] or g["wall"]
        if "baseline" in g:
            bl = "%.3f%s" % (g["baseline"], " REGRESSED" if g["regressed"] else "")
        else:
            bl = "-"
        if "accepted" in g:
            bl += " (accepted: %s)" % g["accepted"]
        print("  %-20s %-12s %-12s %-44s %-44s %-12s %s" % (
            g["key"], limit_text(ref), g["judged_on"],
            goal_cell(g["instructions"]), goal_cell(g["wall"]),
            "NO" if g["disagree"] else "yes", bl))
    if note:
        print("  (%s)" % note)
    print()
    cnt = {v: 0 for v in ("met", "NOT-met", "inconclusive", "invalid",
                          "info", "n/a")}
    for g in goals:
        j = g[g["judged_on"]]
        ref = g["instructions"] or g["wall"]
        cnt[g["verdict"]] = cnt.get(g["verdict"], 0) + 1
        if j is None or g["verdict"] == "n/a":
            print("BENCH-SUMMARY goal=%s verdict=n/a ratio=- ci=- level=- limit=%s clock=%s"
                  % (g["key"], summary_limit(ref), g["judged_on"]))
            continue
        print("BENCH-SUMMARY goal=%s verdict=%s ratio=%.3f ci=%.3f..%.3f level=%.3f limit=%s clock=%s%s%s%s"
              % (g["key"], g["verdict"], j["ratio"], j["ci"][0], j["ci"][1],
                 j.get("ci_level", 0), summary_limit(ref), g["judged_on"],
                 " disagree=1" if g["disagree"] else "",
                 " baseline=%.3f regressed=%d" % (g["baseline"], g["regressed"])
                 if "baseline" in g else "",
                 " accepted=1" if "accepted" in g else ""))
    print("BENCH-SUMMARY total met=%d not-met=%d inconclusive=%d invalid=%d info=%d n/a=%d disagree=%d"
          % (cnt["met"], cnt["NOT-met"], cnt["inconclusive"], cnt["invalid"],
             cnt["info"], cnt["n/a"], sum(g["disagree"] for g in goals)))


# A goal's margin in its baseline: 2%, or the half-width of its interval
# relative to its ratio when that is wider.
MIN_MARGIN = 0.02


def worse(g, ratio, base, margin):
    """Is @ratio worse than @base by more than @margin for goal @g?"""
    if "band" in g:
        return abs(ratio - 1) > abs(base - 1) + margin * base
    if g.get("direction") == ">=":
        return ratio < base * (1 - margin)
    return ratio > base * (1 + margin)


def measure_args(bench_args):
    """@bench_args without "--only GROUP,..": which groups run does not
    change how a goal's rows are measured, so a run of some groups is
    compared with the baseline of all."""
    words, out = bench_args.split(), []
    i = 0
    while i < len(words):
        if words[i] == "--only":
            i += 2
            continue
        out.append(words[i])
        i += 1
    return " ".join(out)


def apply_baseline(goals, baseline, bench_args):
    """Mark each goal against @baseline; returns a line saying what was done."""
    if measure_args(baseline.get("bench_args", "")) != measure_args(bench_args):
        return ("baseline not compared: it is of BENCH_ARGS '%s', this run '%s'"
                % (baseline.get("bench_args", ""), bench_args))
    accepted = baseline.get("accepted", {})
    for g in goals:
        j = g[g["judged_on"]]
        b = baseline.get("goals", {}).get(g["key"])
        if g["key"] in accepted:
            g["accepted"] = accepted[g["key"]]
        # an info goal has no limit and never fails the gate: nor does
        # its baseline (docs/bench.md)
        if j is None or b is None or g["verdict"] in ("n/a", "invalid", "info"):
            continue
        g["baseline"] = b["ratio"]
        g["regressed"] = worse(j, j["ratio"], b["ratio"], b["margin"])
    return ("baseline of %s (%s, %s)" % (baseline.get("target", "?"),
                                          baseline.get("commit", "?"),
                                          baseline.get("date", "?")))


# (vCPUs differ by clock: the run keeps them per clock)
ENV_KEYS = ("kernel", "cpu_model", "memory", "qemu", "mem_auto_init",
            "aslr", "cmdline", "seed")


def run_summary(doc):
    """What the baseline keeps of the run it was written from, for the
    generated page (doc): the environment, and every goal on both clocks."""
    runs = doc["clocks"]
    env = runs["instructions"].get("environment", {})
    out = {"environment": {k: env[k] for k in ENV_KEYS if k in env},
           "repeats": runs["instructions"].get("repeats"),
           "host_load": {c: [runs[c].get("environment", {}).get("host_load_before", ""),
                             runs[c].get("environment", {}).get("host_load_after", "")]
                         for c in CLOCKS},
           "vcpus": {c: runs[c].get("environment", {}).get("vcpus", "?") for c in CLOCKS},
           "goals": []}
    for g in doc["goals"]:
        row = {"key": g["key"], "judged_on": g["judged_on"],
               "verdict": g["verdict"], "disagree": g["disagree"]}
        for c in CLOCKS:
            j = g[c]
            if j is None:
                continue
            row.setdefault("text", j.get("text", ""))
            row.setdefault("limit", limit_text(j))
            row[c] = {k: j[k] for k in ("verdict", "ratio", "ci", "ci_level",
                                        "reason", "detail", "boots") if k in j}
        out["goals"].append(row)
    return out


def cell_md(j):
    return goal_cell(j) if j is not None else "-"


def doc_page(path):
    """The generated page docs/results/bench-<target>.md of the baseline
    @path (lint checks that the page is this text)."""
    with open(path, encoding="utf-8") as f:
        b = json.load(f)
    r = b.get("run")
    if not r:
        sys.exit("%s: no \"run\" (format 1): write it again" % path)
    env = r["environment"]
    lines = [
        "<!-- generated by scripts/lib/bench_clocks.py doc %s: edit that file, not this one -->"
        % os.path.relpath(path, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "..", "..")),
        "# Bench goals on %s" % b["target"],
        "",
        "The run the baseline `test/bench/baseline/%s.json` was written from: `make bench "
        "TARGET=%s%s` at %s on %s, both clocks booted with the order seed %s, %s repeats. "
        "Goals are judged on instructions (`scaling_2t` on wall time); the CI is the "
        "order-statistic interval of the paired ratios, at the level shown "
        "([the method](../bench.md#method), [the goals](../bench.md#goals))."
        % (b["target"], b["target"],
           " BENCH_ARGS=\"%s\"" % b["bench_args"] if b["bench_args"] else "",
           b.get("commit", "?"), b.get("date", "?"), env.get("seed", "?"),
           r.get("repeats", "?")),
        "",
        "- kernel %s, %s, CPU `%s`; vCPUs: %s" % (
            env.get("kernel", "?"), env.get("memory", "?"), env.get("cpu_model", "?"),
            ", ".join("%s %s" % (c, r.get("vcpus", {}).get(c, "?")) for c in CLOCKS)),
        "- %s; mem auto-init: %s%s" % (env.get("qemu", "?"), env.get("mem_auto_init", "?"),
                                       "; ASLR: %s" % env["aslr"] if "aslr" in env else ""),
        "- host load (1, 5, 15 min) before and after: instructions %s; wall %s"
        % tuple(" / ".join(r["host_load"][c]) for c in CLOCKS),
        "",
        "| goal | limit | judged on | instructions: ratio [CI] verdict | wall: ratio [CI] verdict | accepted as not met |",
        "|---|---|---|---|---|---|",
    ]
    for g in r["goals"]:
        lines.append("| `%s` | %s | %s | %s | %s%s | %s |" % (
            g["key"], g.get("limit", "-"), g["judged_on"],
            cell_md(g.get("instructions")), cell_md(g.get("wall")),
            " (clocks disagree)" if g["disagree"] else "",
            b.get("accepted", {}).get(g["key"], "")))
    lines.append("")
    return "\n".join(lines)


def write_baseline(merged_path, out_path, accepts):
    with open(merged_path, encoding="utf-8") as f:
        doc = json.load(f)
    ri = doc["clocks"]["instructions"]
    env = ri.get("environment", {})
    base = {"tool": "mmap-test-bench baseline", "format": 2,
            "target": doc.get("target", ""), "commit": doc.get("commit", ""),
            "date": doc.get("date", ""), "bench_args": doc.get("bench_args", ""),
            "kernel": env.get("kernel", ""), "goals": {}, "accepted": {},
            "run": run_summary(doc)}
    for g in doc["goals"]:
        j = g[g["judged_on"]]
        if j is None or j["verdict"] in ("n/a", "invalid", "info"):
            continue
        lo, hi = j["ci"]
        half = (hi - lo) / 2 / j["ratio"] if j["ratio"] else 0
        base["goals"][g["key"]] = {"ratio": j["ratio"], "clock": g["judged_on"],
                                   "margin": round(max(MIN_MARGIN, half), 4)}
    try:	# the accepted goals of the baseline it replaces stay accepted
        with open(out_path, encoding="utf-8") as f:
            for k, why in json.load(f).get("accepted", {}).items():
                if k in base["goals"]:
                    base["accepted"][k] = why
    except FileNotFoundError:
        pass
    for a in accepts:
        key, _, why = a.partition("=")
        if key not in base["goals"] or not why:
            sys.exit("--accept %s: want KEY=WHY with KEY a goal of the run" % a)
        base["accepted"][key] = why
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(base, f, indent=1, sort_keys=True)
        f.write("\n")


def selftest():
    """The merge of bench-clocks-test-data/ (a --quick run on x86_64-7.3,
    trimmed, with a planted wall-clock disagreement on populate) against a
    planted baseline: the summary lines must be the recorded ones, with the
    run's BENCH_ARGS and with others.  Returns the number of failures."""
    import contextlib
    import io
    import tempfile
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     "bench-clocks-test-data")
    fails = 0
    for args, expected in (("--quick", "expected-baseline.txt"),
                           ("--only faults,warm --quick", "expected-baseline.txt"),
                           ("", "expected-other-args.txt")):
        runs = {c: load(os.path.join(d, c + ".json")) for c in CLOCKS}
        goals = merge(runs)
        with open(os.path.join(d, "baseline.json"), encoding="utf-8") as f:
            note = apply_baseline(goals, json.load(f), args)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            print_table(runs, goals, note)
        got = [l for l in out.getvalue().splitlines()
               if l.startswith("BENCH-SUMMARY") or l.startswith("  (")]
        with open(os.path.join(d, expected), encoding="utf-8") as f:
            want = f.read().splitlines()
        if got != want:
            fails += 1
            print("bench_clocks selftest: %s differs:" % expected)
            for w, g in zip(want + [""] * len(got), got + [""] * len(want)):
                if w != g:
                    print("  want: %s\n  got:  %s" % (w, g))
    # a goal judged on wall time, over boots
    def g(v, r, lo, hi, why=None):
        d = {"key": "scaling_2t", "verdict": v, "ratio": r, "ci": [lo, hi],
             "ci_level": 0.965, "clock": "wall"}
        if why:
            d["reason"] = why
        return d
    for boots, want in (
            ([g("met", 1.0, 0.95, 1.05), g("met", 1.02, 0.96, 1.1)],
             ("met", 1.01, [0.95, 1.1])),
            ([g("met", 1.0, 0.95, 1.05), g("NOT-met", 0.8, 0.7, 0.85),
              g("met", 1.1, 1.0, 1.2)],
             ("inconclusive", 1.0, [0.7, 1.2])),
            ([g("met", 1.0, 0.95, 1.05), g("invalid", 1.0, 0.9, 1.1, "no speed-up")],
             ("invalid", 1.0, [0.9, 1.1]))):
        c = across_boots(boots[0], boots[1:])
        got = (c["verdict"], round(c["ratio"], 4), c["ci"])
        if got != want or len(c["boots"]) != len(boots) or \
                (want[0] == "invalid" and "boot 2 of 2: no speed-up" != c.get("reason")):
            fails += 1
            print("bench_clocks selftest: across_boots of %s: %s, want %s"
                  % ([b["verdict"] for b in boots], got, want))
    with tempfile.TemporaryDirectory() as t:
        # write a baseline from a merged run and read it back
        runs = {c: load(os.path.join(d, c + ".json")) for c in CLOCKS}
        merged = os.path.join(t, "bench.json")
        with open(merged, "w", encoding="utf-8") as f:
            json.dump({"clocks": runs, "goals": merge(runs),
                       "bench_args": "--quick"}, f)
        # (into a directory that does not exist yet, as for a new target)
        bl = os.path.join(t, "baseline", "x.json")
        write_baseline(merged, bl, ["warm_seq_read=by design"])
        goals = merge(runs)
        with open(bl, encoding="utf-8") as f:
            written = json.load(f)
        apply_baseline(goals, written, "--quick")
        bad = [g["key"] for g in goals if g.get("regressed")]
        acc = [g["key"] for g in goals if "accepted" in g]
        if bad or acc != ["warm_seq_read"]:
            fails += 1
            print("bench_clocks selftest: a run against its own baseline: "
                  "regressed %s, accepted %s (want none, [warm_seq_read])"
                  % (bad, acc))
        page = doc_page(bl)
        rows = [l.split("`")[1] for l in page.splitlines() if l.startswith("| `")]
        if rows != [g["key"] for g in goals]:
            fails += 1
            print("bench_clocks selftest: the page's rows %s, want one per goal %s"
                  % (rows, [g["key"] for g in goals]))
        info = [g["key"] for g in goals if g["verdict"] == "info"]
        if not info or set(info) & set(written["goals"]):
            fails += 1
            print("bench_clocks selftest: the written baseline holds info "
                  "goal(s) %s (want none of %s)"
                  % (sorted(set(info) & set(written["goals"])), info))
    print("bench_clocks selftest: %s" % ("FAIL" if fails else "PASS"))
    return fails


def profile(log):
    """PROFILE=1's lines of the serial log @log, side by side per path:
    the cold write-touches per page, then the call pairs per pair."""
    heads, fns = {}, {}
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("PROFILE kind=") or line.startswith("PROFILE-FN "):
                words = line.split(" ", 5 if line.startswith("PROFILE-FN") else 99)
                kv = dict(w.split("=", 1) for w in words[1:] if "=" in w)
                if words[0] == "PROFILE":
                    heads[kv["kind"]] = kv
                    fns[kv["kind"]] = []
                else:
                    fns.setdefault(kv["kind"], []).append(kv)
    if not heads:
        print("no PROFILE lines in %s" % log)
        return 1
    titles = {
        "page": "one cold write-touch of %s pages; per page touched",
        "pair": "alloc_free_nolog's two sides, %s pairs each; per pair",
    }
    first = True
    for unit in ("page", "pair"):
        kinds = [k for k in heads if heads[k].get("unit", "page") == unit]
        if not kinds:
            continue
        n = int(heads[kinds[0]].get("n", heads[kinds[0]].get("pages", "1")))
        if not first:
            print()
        first = False
        print("Where the instructions of %s (function_graph, qemu icount: a duration"
              % (titles[unit] % n))
        print("is a count of guest instructions; a function's figure includes its callees).")
        for k in kinds:
            h = heads[k]
            plain, traced = float(h.get("plain") or 0), float(h.get("traced") or 0)
            print("  %-22s untraced %6.0f, traced %7.0f instructions/%s: the tracer multiplies the cost by %.1f%s"
                  % (k, plain, traced, unit, traced / plain if plain else 0,
                     "; %s events lost (overrun)" % h["overrun"]
                     if h.get("overrun", "0") != "0" else ""))
        print()
        print("  " + "".join("%-44s" % k for k in kinds))
        for i in range(max(len(fns[k]) for k in kinds)):
            cells = []
            for k in kinds:
                if i < len(fns[k]):
                    e = fns[k][i]
                    cells.append("%-32.32s %9.0f  " % (e["fn"], float(e["ns"]) / n))
                else:
                    cells.append(" " * 44)
            print("  " + "".join(cells).rstrip())
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "profile":
        sys.exit(profile(argv[2]))
    if len(argv) == 3 and argv[1] == "doc":
        sys.stdout.write(doc_page(argv[2]))
        return
    if argv[1:] == ["selftest"]:
        sys.exit(1 if selftest() else 0)
    if len(argv) >= 4 and argv[1] == "--write-baseline":
        accepts = [a.split("=", 1)[1] for a in argv[4:] if a.startswith("--accept=")]
        write_baseline(argv[2], argv[3], accepts)
        return
    opts, pos, i = {"--baseline": None, "--wall-boot": []}, [], 1
    while i < len(argv):
        if argv[i] in opts and i + 1 < len(argv):
            if argv[i] == "--wall-boot":
                opts["--wall-boot"].append(argv[i + 1])
            else:
                opts[argv[i]] = argv[i + 1]
            i += 2
        else:
            pos.append(argv[i])
            i += 1
    if len(pos) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    runs = {"instructions": load(pos[0]), "wall": load(pos[1])}
    boots = [load(b) for b in opts["--wall-boot"]]
    goals = merge(runs, boots)
    note = None
    if opts["--baseline"]:
        with open(opts["--baseline"], encoding="utf-8") as f:
            note = apply_baseline(goals, json.load(f),
                                  os.environ.get("BENCH_ARGS", ""))
    print_table(runs, goals, note)
    with open(pos[2], "w", encoding="utf-8") as f:
        json.dump({"tool": "mmap-test-bench clocks", "format": 1,
                   "target": os.environ.get("BENCH_TARGET", ""),
                   "commit": os.environ.get("BENCH_COMMIT", ""),
                   "date": os.environ.get("BENCH_DATE", ""),
                   "bench_args": os.environ.get("BENCH_ARGS", ""),
                   "clocks": runs, "wall_boots": boots, "goals": goals}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv)
