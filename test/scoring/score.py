#!/usr/bin/env python3
"""Scores the rules on test/scoring/cases.sql through the CLI: per rule, hazards caught and
missed (`-- hazard: RULE`, or `RULE@RISK`: caught at that risk or above) and false positives
(`-- safe: RULE`, or `RULE@RISK`: a finding at that risk or above). Prints a table and the
totals; exits 1 on any miss or false positive.
Usage: test/scoring/score.py [path/to/migration-guard]"""
import collections
import json
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ORDER = ["low", "medium", "high", "critical"]


def cases(path):
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-- case:"):
            if current:
                yield current
            current = {"name": line[8:].strip(), "expect": [], "sql": []}
        elif current and (line.startswith("-- hazard:") or line.startswith("-- safe:")):
            kind, rule = line[3:].split(":", 1)
            rule, _, risk = rule.strip().partition("@")
            current["expect"].append((kind, rule, risk or "low"))
        elif current:
            current["sql"].append(line)
    if current:
        yield current


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(HERE.parents[1] / "build" / "migration-guard")
    score = collections.defaultdict(lambda: collections.Counter())
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(cases(HERE / "cases.sql")):
            path = pathlib.Path(tmp) / f"case{i}.sql"
            path.write_text("\n".join(case["sql"]) + "\n", encoding="utf-8")
            run = subprocess.run([binary, "lint", "--format", "json", "--no-config", "--rls-schemas", "",
                                  str(path)], capture_output=True, text=True)
            found = [(x["rule"], x["risk"]) for x in json.loads(run.stdout)["files"][0]["findings"]]
            for kind, rule, risk in case["expect"]:
                hit = any(r == rule and ORDER.index(k) >= ORDER.index(risk) for r, k in found)
                if kind == "hazard":
                    score[rule]["caught" if hit else "missed"] += 1
                    if not hit:
                        problems.append(f"missed  {rule}: {case['name']} (got {found})")
                else:
                    score[rule]["false positive" if hit else "silent"] += 1
                    if hit:
                        problems.append(f"false positive  {rule}: {case['name']}")
    print(f"{'rule':32} {'caught':>7} {'missed':>7} {'safe':>6} {'false+':>7}")
    total = collections.Counter()
    for rule in sorted(score):
        s = score[rule]
        total.update(s)
        print(f"{rule:32} {s['caught']:7} {s['missed']:7} {s['silent'] + s['false positive']:6} {s['false positive']:7}")
    hazards = total["caught"] + total["missed"]
    safes = total["silent"] + total["false positive"]
    print(f"\n{len(score)} rules; hazards caught {total['caught']}/{hazards} "
          f"({100 * total['caught'] / max(hazards, 1):.0f}%), false positives {total['false positive']}/{safes} safe cases")
    for p in problems:
        print(p)
    print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
