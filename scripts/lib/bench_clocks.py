#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Two clocks, one table: the merge of mmap-test-bench's two runs.

Usage: bench_clocks.py INSTR.json WALL.json OUT.json

scripts/bench.sh boots the same rows twice with the same order seed: once
under qemu's instruction clock (-icount shift=0,sleep=off: the guest's
CLOCK_MONOTONIC advances 1 ns per guest instruction, whatever the host
does) and once on wall time.  This prints one table (stdout): each row's
median on both clocks, then each goal on both clocks, judged on
instructions, except a goal that needs real parallelism (its JSON says
"clock": "wall"; under icount every vCPU runs in one host thread), which
is judged on wall time.  A goal whose two verdicts disagree (one met, the
other NOT met) is flagged.  The BENCH-SUMMARY lines at the end, one per
goal and a total, carry the verdict the goal is judged by and its clock:

  BENCH-SUMMARY goal=KEY verdict=met|NOT-met|inconclusive|invalid|info|n/a ratio=R
    ci=LO..HI level=L limit=<=X clock=instructions|wall [disagree=1]

OUT.json gets both runs and the merged goals ("tool": "mmap-test-bench
clocks").
"""

import json
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


def goal_cell(g):
    """ratio [lo, hi] level verdict, or the n/a reason."""
    if g is None:
        return "missing"
    if g["verdict"] == "n/a":
        return "n/a (%s)" % g.get("reason", "")
    lo, hi = g["ci"]
    cell = "%.3f [%.3f, %.3f] %4.1f%% %s" % (
        g["ratio"], lo, hi, 100 * g.get("ci_level", 0), g["verdict"])
    if g["verdict"] == "invalid":
        cell += " (%s)" % g.get("reason", "")
    return cell


def disagree(a, b):
    if a is None or b is None:
        return False
    return {a["verdict"], b["verdict"]} == {"met", "NOT-met"}


def merge(runs):
    """The goals of both runs, each with the clock it is judged on."""
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
        g = gw if judge == "wall" else gi
        out.append({"key": k, "judged_on": judge,
                    "verdict": g["verdict"] if g else "n/a",
                    "disagree": disagree(gi, gw),
                    "instructions": gi, "wall": gw})
    return out


def print_table(runs, goals):
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
    print("  %-20s %-12s %-12s %-44s %-44s %s" % (
        "goal", "limit", "judged on", "instructions", "wall", "clocks agree"))
    for g in goals:
        ref = g["instructions"] or g["wall"]
        print("  %-20s %-12s %-12s %-44s %-44s %s" % (
            g["key"], limit_text(ref), g["judged_on"],
            goal_cell(g["instructions"]), goal_cell(g["wall"]),
            "NO: one met, one NOT met" if g["disagree"] else "yes"))
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
        print("BENCH-SUMMARY goal=%s verdict=%s ratio=%.3f ci=%.3f..%.3f level=%.3f limit=%s clock=%s%s"
              % (g["key"], g["verdict"], j["ratio"], j["ci"][0], j["ci"][1],
                 j.get("ci_level", 0), summary_limit(ref), g["judged_on"],
                 " disagree=1" if g["disagree"] else ""))
    print("BENCH-SUMMARY total met=%d not-met=%d inconclusive=%d invalid=%d info=%d n/a=%d disagree=%d"
          % (cnt["met"], cnt["NOT-met"], cnt["inconclusive"], cnt["invalid"],
             cnt["info"], cnt["n/a"], sum(g["disagree"] for g in goals)))


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    runs = {"instructions": load(argv[1]), "wall": load(argv[2])}
    goals = merge(runs)
    print_table(runs, goals)
    with open(argv[3], "w", encoding="utf-8") as f:
        json.dump({"tool": "mmap-test-bench clocks", "format": 1,
                   "clocks": runs, "goals": goals}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv)
